"""Helpers for the staff detail and absence tests: employees, clients and details built through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from bista.care.tests.factories import make_client
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent, Team, Unit
from bista.staff import services
from bista.staff.models import (
    Absence,
    Appraisal,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Competence,
    Delegation,
    DelegationKind,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    Introduction,
    WorkingTimeRegime,
)

D = datetime.date
EMPLOYED_FROM = D(2020, 1, 1)
__all__ = ["D", "make_client"]


def hire(
    unit: Unit,
    first: str = "Eva",
    last: str = "Berg",
    *,
    teams: Any = (),
    start: datetime.date = EMPLOYED_FROM,
    user: Any = None,
    **extra: Any,
) -> Employee:
    return services.employee_create(
        actor=SYSTEM,
        unit=unit,
        first_name=first,
        last_name=last,
        employment_type="tillsvidare",
        start_date=start,
        teams=teams,
        user=user,
        fictitious=True,
        **extra,
    )


def client_in(unit: Unit, first: str = "Kim", last: str = "Kund", teams: Any = ()) -> Client:
    return make_client(unit, first_name=first, last_name=last, teams=list(teams))


def regime(code: str = "ab_bilaga_j") -> WorkingTimeRegime:
    return WorkingTimeRegime.objects.get(code=code)


def competence(code: str = "epilepsi") -> Competence:
    return Competence.objects.get(code=code)


def delegation_kind(code: str = "insulin") -> DelegationKind:
    return DelegationKind.objects.get(code=code)


def add_delegation(
    employee: Employee,
    valid_from: datetime.date,
    valid_until: datetime.date,
    *,
    kind: str = "insulin",
    client: Client | None = None,
    actor: Any = SYSTEM,
) -> Delegation:
    return services.delegation_add(
        actor=actor,
        employee=employee,
        kind=delegation_kind(kind),
        delegated_by="Sjuksköterska Sara Ström",
        valid_from=valid_from,
        valid_until=valid_until,
        client=client,
    )


def add_absence(
    employee: Employee,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    *,
    kind: str = Absence.Kind.SICK,
    extent: int = 100,
    actor: Any = SYSTEM,
) -> Absence:
    return services.absence_create(
        actor=actor, employee=employee, kind=kind, starts_on=starts_on, ends_on=ends_on, extent=extent
    )


def add_term(employee: Employee, starts_on: datetime.date, *, actor: Any = SYSTEM, **overrides: Any) -> EmploymentTerm:
    values: dict[str, Any] = {
        "employment_type": "tillsvidare",
        "employment_rate": Decimal("100"),
        "regime": regime(),
        "starts_on": starts_on,
        **overrides,
    }
    return services.employment_term_add(actor=actor, employee=employee, **values)


def staff_state() -> dict[str, Any]:
    """Everything the staff detail services write, to assert that a refusal saved nothing."""
    return {
        "terms": sorted(EmploymentTerm.objects.values_list("pk", "starts_on", "ends_on")),
        "competences": sorted(EmployeeCompetence.objects.values_list("pk", "revoked_on")),
        "delegations": sorted(Delegation.objects.values_list("pk", "valid_until", "revoked_on")),
        "introductions": Introduction.objects.count(),
        "appraisals": Appraisal.objects.count(),
        "choices": sorted(ClientStaffChoice.objects.values_list("pk", "until")),
        "needs": sorted(ClientCompetenceNeed.objects.values_list("pk", "until")),
        "absences": sorted(
            Absence.objects.values_list("pk", "kind", "starts_on", "ends_on", "extent", "cancelled_at", "version")
        ),
        "employees": sorted(Employee.objects.values_list("pk", "employment_type", "employment_rate", "version")),
        "audit": AuditEvent.objects.count(),
    }


def log_count(client: Client) -> int:
    return AccessLogEntry.objects.filter(client=client).count()


def team(unit: Unit, name: str) -> Team:
    return Team.objects.get(unit=unit, name=name)
