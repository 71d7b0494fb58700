"""What every record about a person shares: recorded gender, the personnummer field, never deleted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from bista.core import clock, personnummer


class Gender(models.TextChoices):
    """Gender as recorded (for gender-split statistics); never derived from the personnummer."""

    WOMAN = "K", "Kvinna"
    MAN = "M", "Man"
    OTHER = "A", "Annat"
    UNKNOWN = "O", "Uppgift saknas"


def validate_stored_personnummer(value: str) -> None:
    try:
        parsed = personnummer.parse(value, today=clock.today())
    except personnummer.PersonnummerError as error:
        raise ValidationError(str(error), code=error.code) from error
    if parsed.digits != value:
        raise ValidationError("Personnumret ska lagras med tolv siffror.", code="format")


def parse_personnummer_field(value: str, field: str = "personnummer") -> str:
    """Parse user input into the stored 12 digits, or raise a ValidationError naming the field."""
    try:
        return personnummer.parse(value, today=clock.today()).digits
    except personnummer.PersonnummerError as error:
        raise ValidationError({field: ValidationError(str(error), code=error.code)}) from error


def format_personnummer(digits: str) -> str:
    return f"{digits[:8]}-{digits[8:]}" if len(digits) == 12 else digits


NEVER_DELETED_MESSAGE = "Uppgifter om personer tas aldrig bort; markera dem som inaktiva."


class NeverDeletedQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def delete(self) -> Any:
        raise ValidationError(NEVER_DELETED_MESSAGE)


class NeverDeleted(models.Model):
    """Records about people are never hard-deleted: they are made inactive instead."""

    objects = NeverDeletedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError(NEVER_DELETED_MESSAGE)


def person_label(user: Any) -> str:
    """A staff member as choice lists and pickers name them: the full name and the user name (two of the same
    name told apart), or the user name alone."""
    name = user.get_full_name().strip()
    return f"{name} ({user.username})" if name else user.username
