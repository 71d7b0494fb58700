"""What the staff services share: small checks of text, dates, amounts and periods, the employee lock."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from bista.clients.models import Client, ClientUnit
from bista.core import clock
from bista.staff.models import (
    Employee,
)


def _check_period(start_date: datetime.date | None, end_date: datetime.date | None) -> None:
    if start_date and end_date and end_date < start_date:
        raise ValidationError(
            {"end_date": ValidationError("Slutdatum får inte vara före startdatum.", code="end_before_start")}
        )


# Who recorded a detail: None for the SYSTEM actor (the fields are nullable but not "blank" for forms).
AUTHOR_FIELDS = ["recorded_by", "held_by"]


def _person(actor: Any) -> Any:
    """The user to record as author: None for the SYSTEM actor."""
    return actor if getattr(actor, "pk", None) else None


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(field, f"{label} måste fyllas i.", "required")
    return value


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > clock.today():
        raise _invalid(field, "Datumet kan inte ligga i framtiden.", "in_future")


def _end_not_before_start(start: datetime.date, end: datetime.date | None, field: str) -> None:
    if end is not None and end < start:
        raise _invalid(field, "Slutdatum får inte vara före startdatum.", "end_before_start")


def _in_force(reference: Any, day: datetime.date, field: str, label: str) -> None:
    if not reference.in_force(day):
        raise _invalid(field, f"{label} gäller inte {day:%Y-%m-%d}.", "not_in_force")


CENT = Decimal("0.01")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _invalid(field, "Ange ett tal.", "invalid") from None


def _lock_employee(employee: Employee) -> Employee:
    """Lock the employee row: checks over the employee's records (overlaps) and the write are then atomic."""
    return Employee.objects.select_for_update().select_related("unit").get(pk=employee.pk)


def _client_in_unit(client: Client, unit_id: int) -> bool:
    return ClientUnit.objects.filter(client=client, unit_id=unit_id, until__isnull=True).exists()


def _check_client_of_employee(client: Client, employee: Employee, field: str = "client") -> None:
    if not _client_in_unit(client, employee.unit_id):
        raise _invalid(field, "Brukaren är inte kopplad till medarbetarens enhet.", "not_in_unit")
