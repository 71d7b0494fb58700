"""What the rostering services share: small checks, the shift conflict, the audited field lists' helpers."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from bista.core.clock import STOCKHOLM
from bista.core.errors import ConflictError
from bista.rostering.facts import (
    Violation,
)
from bista.rostering.models import Shift, ShiftKind
from bista.staff.models import Employee

WARNINGS_ATTR = "warnings"
# Who recorded a row is empty for the SYSTEM actor (migrations, the demo); not a user's input to validate.
AUTHOR_FIELDS = ["created_by", "recorded_by"]


class ShiftConflict(ConflictError, ValidationError):  # type: ignore[misc]  # both define `code`: "conflict"
    """Someone saved the record after this edit began. A ConflictError (the API answers 409, views show
    their conflict message) that forms may also treat as a validation error with code "conflict"."""

    def __init__(self, current_version: int | None = None) -> None:
        # Not Exception.__str__: ConflictError.__init__ reaches ValidationError.__init__ through the MRO, which
        # leaves the arguments as a tuple (the 409's message was that tuple's repr, issue 14).
        ConflictError.__init__(self, current_version=current_version)
        self.conflict_message = ConflictError.default_message
        ValidationError.__init__(self, {NON_FIELD_ERRORS: [ValidationError(self.conflict_message, code="conflict")]})
        self.code = ConflictError.code

    def __str__(self) -> str:
        return self.conflict_message


def warnings_of(shift: Shift) -> list[Violation]:
    """The soft violations the last save found for the shift (empty when none, or not saved here)."""
    return list(getattr(shift, WARNINGS_ATTR, []))


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def _last_local_date(ends_at: datetime.datetime) -> datetime.date:
    """The last day a shift touches: a shift ending at midnight does not touch the next day."""
    return _local_date(ends_at - datetime.timedelta(microseconds=1))


def _check_times(starts_at: Any, ends_at: Any) -> None:
    errors: dict[str, ValidationError] = {}
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime.datetime):
            errors[field] = ValidationError("Ange datum och klockslag.", code="required")
        elif timezone.is_naive(value):
            errors[field] = ValidationError("Ange tiden med tidszon.", code="naive")
    if not errors and _utc(ends_at) <= _utc(starts_at):
        errors["ends_at"] = ValidationError("Passet måste sluta efter att det börjar.", code="end_before_start")
    if errors:
        raise ValidationError(errors)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    """In UTC: Python subtracts and compares two datetimes of the same zone on the wall clock, which is
    wrong across a daylight-saving change; in UTC a length is the elapsed time."""
    return moment.astimezone(datetime.UTC)


def _check_kind(kind: str) -> None:
    if kind not in ShiftKind.values:
        raise _error("kind", "Välj aktiv tid, jour eller beredskap.", "invalid_choice")


def _check_employed(employee: Employee, starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    first, last = _local_date(starts_at), _last_local_date(ends_at)
    if employee.start_date > first or (employee.end_date is not None and employee.end_date < last):
        raise _error("employee", f"{employee.full_name} är inte anställd hela passet.", "not_employed")


def _lock_employees(*employees: Employee | None) -> None:
    """Lock the employees' rows (in id order, so two saves never wait for each other in a circle): a
    concurrent save for the same person waits here and then sees this save's shift."""
    ids = sorted({e.pk for e in employees if e is not None})
    if ids:
        list(Employee.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
