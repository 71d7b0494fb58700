"""The employee picker (core.pickers): the current employees of the units whose staff the user sees, optionally
of one unit (`enhet`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict

from bista.core import pickers
from bista.core.access import unit_ids_with
from bista.core.forms import MAX_ID
from bista.core.permissions import Perm
from bista.staff.models import Employee
from bista.staff.selectors import employee_search


def employee_label(employee: Employee) -> str:
    return f"{employee.last_name}, {employee.first_name}"


def _choices(actor: Any, params: QueryDict) -> QuerySet[Employee]:
    if not unit_ids_with(actor, Perm.EMPLOYEE_VIEW, Perm.ROSTER_MANAGE):
        raise PermissionDenied("Behörighet saknas.")
    value = params.get("enhet", "")
    unit_id = int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None
    return employee_search(actor, unit_id=unit_id, current_only=True)


EMPLOYEES = pickers.register(
    pickers.PickerSource(
        kind="medarbetare", choices=_choices, name_fields=("first_name", "last_name"), label=employee_label
    )
)
