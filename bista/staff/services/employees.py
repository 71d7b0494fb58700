"""Writes of employees: register and edit a member of staff."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.core import audit
from bista.core.access import check_perm
from bista.core.models import Team, Unit
from bista.core.people import parse_personnummer_field
from bista.core.permissions import Perm
from bista.core.versioning import update_versioned
from bista.staff.models import (
    Employee,
)
from bista.staff.services.common import _check_period

EMPLOYEE_EDITABLE = (
    "first_name",
    "last_name",
    "gender",
    "email",
    "phone",
    "employment_type",
    "employment_rate",
    "start_date",
    "end_date",
)
EMPLOYEE_AUDITED = ("personnummer", "unit", "user", *EMPLOYEE_EDITABLE)


def _check_teams(unit: Unit | int, teams: Iterable[Team]) -> list[Team]:
    unit_id = unit if isinstance(unit, int) else unit.pk
    teams = list(teams)
    if any(team.unit_id != unit_id for team in teams):
        raise ValidationError({"teams": "Arbetsgruppen hör inte till medarbetarens enhet."})
    return teams


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    unit: Unit,
    first_name: str,
    last_name: str,
    employment_type: str,
    start_date: datetime.date,
    employment_rate: Decimal = Decimal("100"),
    end_date: datetime.date | None = None,
    personnummer: str = "",
    gender: str = "O",
    email: str = "",
    phone: str = "",
    teams: Iterable[Team] = (),
    user: Any = None,
    fictitious: bool = False,
) -> Employee:
    check_perm(actor, Perm.EMPLOYEE_MANAGE, unit)
    _check_period(start_date, end_date)
    team_list = _check_teams(unit, teams)
    employee = Employee(
        unit=unit,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        employment_type=employment_type,
        employment_rate=employment_rate,
        start_date=start_date,
        end_date=end_date,
        personnummer=parse_personnummer_field(personnummer) if personnummer.strip() else "",
        gender=gender,
        email=email.strip(),
        phone=phone.strip(),
        user=user,
        fictitious=fictitious,
    )
    employee.full_clean()
    employee.save()
    employee.teams.set(team_list)
    audit.record(
        actor=actor,
        action="employee.create",
        obj=employee,
        new={**audit.snapshot(employee, EMPLOYEE_AUDITED), "teams": sorted(t.pk for t in team_list)},
        unit=unit,
    )
    return employee


@transaction.atomic
def employee_update(
    *, actor: Any, employee: Employee, expected_version: int | None, teams: Iterable[Team] | None = None, **changes: Any
) -> Employee:
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    for key in ("first_name", "last_name", "email", "phone"):
        if isinstance(changes.get(key), str):
            changes[key] = changes[key].strip()
    _check_period(changes.get("start_date", employee.start_date), changes.get("end_date", employee.end_date))
    employee = update_versioned(
        actor=actor,
        obj=employee,
        expected_version=expected_version,
        changes=changes,
        editable=EMPLOYEE_EDITABLE,
        audited=EMPLOYEE_AUDITED,
        action="employee.update",
        unit=employee.unit,
    )
    if teams is not None:
        team_list = _check_teams(employee.unit_id, teams)
        old_ids = sorted(employee.teams.values_list("id", flat=True))
        new_ids = sorted(t.pk for t in team_list)
        if old_ids != new_ids:
            employee.teams.set(team_list)
            audit.record(
                actor=actor,
                action="employee.teams",
                obj=employee,
                old={"teams": old_ids},
                new={"teams": new_ids},
                unit=employee.unit,
            )
    return employee
