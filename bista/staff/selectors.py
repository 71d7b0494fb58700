"""Reads of employees, their details and absences, and of a client's staffing, scoped to what the actor may see.

Who sees what: an employee's card and details with EMPLOYEE_VIEW in the employee's unit, or the employee
themself; the development plan of an appraisal only with EMPLOYEE_MANAGE or the employee; absences only with
ABSENCE_MANAGE or the employee. Client names on an employee's page only for clients the actor sees. A client's
staffing page needs the client visible and EMPLOYEE_VIEW in one of the client's units; reading it is logged.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bista.core import clock
from bista.core.access import has_perm, unit_ids_with
from bista.core.duties import load_rule_book
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.staff import rules
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

# A delegation ending within this many days is highlighted (the renewal duty warns as early).
DELEGATION_WARN_DAYS = 30
APPRAISAL_RULE = "staff.appraisal"
HIDDEN_CLIENT = "Brukare som du inte har behörighet att se"


def employee_team_ids(user: Any) -> set[int]:
    """The active teams a signed-in user works in, through their employee record (core.access asks here:
    the staff app registers this as its team source)."""
    return set(Employee.objects.filter(user=user, teams__is_active=True).values_list("teams__id", flat=True)) - {None}


def own_employee(user: Any) -> Employee | None:
    """The signed-in user's own employee record (None for a user who is not an employee)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.filter(user=user).only("pk", "unit_id", "user_id", "first_name", "last_name").first()


def delegations_expiring(actor: Any, unit: Unit, first: datetime.date, last: datetime.date) -> list[Delegation]:
    """The unit's delegations in force that end in the days `first`–`last` (soonest first), for whoever sees the
    unit's staff; a renewal is a new delegation, so one already renewed (a later one of the same kind for the
    same employee and client) is left out."""
    if not has_perm(actor, Perm.EMPLOYEE_VIEW, unit):
        return []
    renewed = Delegation.objects.filter(
        employee=OuterRef("employee"),
        kind=OuterRef("kind"),
        client=OuterRef("client"),
        revoked_on__isnull=True,
        valid_until__gt=OuterRef("valid_until"),
    )
    return list(
        Delegation.objects.filter(
            employee__unit=unit, revoked_on__isnull=True, valid_until__gte=first, valid_until__lte=last
        )
        .exclude(Exists(renewed))
        .select_related("employee", "kind")
        .order_by("valid_until", "pk")
    )


def visible_employees(actor: Any) -> QuerySet[Employee]:
    unit_ids = unit_ids_with(actor, Perm.EMPLOYEE_VIEW)
    own = Q(user=actor) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    return Employee.objects.filter(Q(unit_id__in=unit_ids) | own).select_related("unit")


def employee_search(
    actor: Any, query: str = "", *, unit_id: int | None = None, team_id: int | None = None, current_only: bool = False
) -> QuerySet[Employee]:
    employees = visible_employees(actor)
    for word in query.split():
        employees = employees.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if unit_id:
        employees = employees.filter(unit_id=unit_id)
    if team_id:
        employees = employees.filter(teams__id=team_id)
    if current_only:
        today = clock.today()
        employees = employees.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)
    return employees.order_by("last_name", "first_name", "id")


def employee_get(actor: Any, pk: int) -> Employee:
    employee = get_object_or_404(Employee.objects.select_related("unit", "user"), pk=pk)
    if employee.unit_id not in unit_ids_with(actor, Perm.EMPLOYEE_VIEW) and employee.user_id != getattr(
        actor, "pk", None
    ):
        raise Http404("Medarbetaren finns inte eller så saknar du behörighet.")
    return employee


def is_self(actor: Any, employee: Employee) -> bool:
    return employee.user_id is not None and employee.user_id == getattr(actor, "pk", None)


def can_manage_employee(actor: Any, employee: Employee) -> bool:
    return has_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)


def can_see_plans(actor: Any, employee: Employee) -> bool:
    """The development plan of an appraisal: managers of the unit and the employee."""
    return can_manage_employee(actor, employee) or is_self(actor, employee)


def can_see_absences(actor: Any, employee: Employee) -> bool:
    return has_perm(actor, Perm.ABSENCE_MANAGE, employee.unit_id) or is_self(actor, employee)


# --- The employee's details ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegationRow:
    delegation: Delegation
    client_name: str  # "" when it holds for all the employee's clients
    state: str  # future, active, expiring, expired, revoked
    days_left: int | None  # for an active one: days until and including its last day

    LABELS = {
        "future": "Börjar senare",
        "active": "Gäller",
        "expiring": "Går snart ut",
        "expired": "Har gått ut",
        "revoked": "Återkallad",
    }

    @property
    def state_label(self) -> str:
        return self.LABELS[self.state]

    @property
    def expiring(self) -> bool:
        return self.state == "expiring"


def delegation_state(delegation: Delegation, today: datetime.date) -> tuple[str, int | None]:
    if delegation.revoked_on is not None and delegation.revoked_on <= today:
        return "revoked", None
    if delegation.valid_until < today:
        return "expired", None
    if delegation.valid_from > today:
        return "future", None
    days_left = (delegation.valid_until - today).days
    return ("expiring" if days_left <= DELEGATION_WARN_DAYS else "active"), days_left


@dataclass(frozen=True)
class AppraisalRow:
    appraisal: Appraisal
    development_plan: str | None  # None: the actor may not read it


@dataclass(frozen=True)
class SickInfo:
    """Where a sick-leave row stands in the sick-pay count (continued from an earlier episode or not)."""

    first_number: int
    sick_pay_until: datetime.date | None  # the last of days 1–14 within this row, if any

    @property
    def continued(self) -> bool:
        return self.first_number > 1


@dataclass(frozen=True)
class AbsenceRow:
    absence: Absence
    sick: SickInfo | None = None


@dataclass
class EmployeeDetail:
    employee: Employee
    teams: list[Team]
    terms: list[EmploymentTerm]
    competences: list[EmployeeCompetence]
    delegations: list[DelegationRow]
    introductions: list[tuple[Introduction, str]]
    appraisals: list[AppraisalRow]
    next_appraisal_due: datetime.date | None
    absences: list[AbsenceRow] | None  # None: the actor may not see them
    can_manage: bool = False
    can_manage_absences: bool = False
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def expiring_delegations(self) -> list[DelegationRow]:
        return [row for row in self.delegations if row.expiring]


def client_names(actor: Any, client_ids: Iterable[int]) -> dict[int, str]:
    """Names of those of the clients the actor sees (others are left out: the caller shows them as hidden)."""
    from bista.clients.selectors import visible_clients  # the clients context decides who sees whom

    wanted = {pk for pk in client_ids if pk}
    if not wanted:
        return {}
    return {
        pk: f"{first} {last}"
        for pk, first, last in visible_clients(actor).filter(pk__in=wanted).values_list("pk", "first_name", "last_name")
    }


def sick_info(absences: Iterable[Absence], today: datetime.date) -> dict[int, SickInfo]:
    """For each non-cancelled sick-leave row of one employee: its first day number and the end of days 1–14."""
    sick = sorted(
        (a for a in absences if a.kind == Absence.Kind.SICK and a.cancelled_at is None), key=lambda a: a.starts_on
    )
    if not sick:
        return {}
    until = max([today, *(a.ends_on or a.starts_on for a in sick)])
    episodes = [rules.Episode(a.starts_on, a.ends_on, float(a.extent)) for a in sick]
    numbers = rules.first_numbers(episodes, until=until)
    result = {}
    for absence, number in zip(sick, numbers, strict=True):
        sick_pay_until = None
        if number <= rules.SICK_PAY_DAYS:
            last = absence.starts_on + datetime.timedelta(days=rules.SICK_PAY_DAYS - number)
            sick_pay_until = last if absence.ends_on is None else min(last, absence.ends_on)
        result[absence.pk] = SickInfo(first_number=number, sick_pay_until=sick_pay_until)
    return result


def next_appraisal_due(employee: Employee, appraisals: list[Appraisal], today: datetime.date) -> datetime.date | None:
    latest = max((a.held_on for a in appraisals), default=employee.start_date)
    rule = load_rule_book().rule(APPRAISAL_RULE, latest)
    return rule.due_on(latest) if rule is not None else None


def employee_detail(actor: Any, pk: int, *, today: datetime.date | None = None) -> EmployeeDetail:
    """The employee's card with terms, competences, delegations, introductions, appraisals and (if the actor
    may) absences. 404 when the actor may not see the employee."""
    today = today or clock.today()
    employee = employee_get(actor, pk)
    delegations = list(
        Delegation.objects.filter(employee=employee).select_related("kind").order_by("-valid_until", "kind__name")
    )
    introductions = list(Introduction.objects.filter(employee=employee).order_by("-completed_on", "id"))
    names = client_names(
        actor, [d.client_id for d in delegations if d.client_id] + [i.client_id for i in introductions]
    )
    delegation_rows = []
    for delegation in delegations:
        state, days_left = delegation_state(delegation, today)
        name = "" if delegation.client_id is None else names.get(delegation.client_id, HIDDEN_CLIENT)
        delegation_rows.append(DelegationRow(delegation, name, state, days_left))
    appraisals = list(Appraisal.objects.filter(employee=employee).select_related("held_by").order_by("-held_on", "-id"))
    show_plans = can_see_plans(actor, employee)
    absences: list[AbsenceRow] | None = None
    if can_see_absences(actor, employee):
        rows = list(Absence.objects.filter(employee=employee).select_related("cancelled_by").order_by("-starts_on"))
        info = sick_info(rows, today)
        absences = [AbsenceRow(a, info.get(a.pk)) for a in rows]
    return EmployeeDetail(
        employee=employee,
        teams=list(employee.teams.select_related("unit").order_by("name")),
        terms=list(EmploymentTerm.objects.filter(employee=employee).select_related("regime").order_by("-starts_on")),
        competences=list(
            EmployeeCompetence.objects.filter(employee=employee)
            .select_related("competence")
            .order_by("revoked_on", "competence__name", "id")
        ),
        delegations=delegation_rows,
        introductions=[(i, names.get(i.client_id, HIDDEN_CLIENT)) for i in introductions],
        appraisals=[AppraisalRow(a, a.development_plan if show_plans else None) for a in appraisals],
        next_appraisal_due=next_appraisal_due(employee, appraisals, today) if employee.end_date is None else None,
        absences=absences,
        can_manage=can_manage_employee(actor, employee),
        can_manage_absences=has_perm(actor, Perm.ABSENCE_MANAGE, employee.unit_id),
        today=today,
    )


def managed_employee(actor: Any, pk: int, perm: str = Perm.EMPLOYEE_MANAGE) -> Employee:
    """An employee the actor may change: 404 if not seen at all, 403 if seen without `perm`."""
    employee = employee_get(actor, pk)
    if not has_perm(actor, perm, employee.unit_id):
        raise PermissionDenied(f"Behörighet saknas: {perm}")
    return employee


def _managed_detail(actor: Any, queryset: QuerySet[Any], pk: int) -> Any:
    """A detail row (competence, delegation …) of an employee the actor manages: 404 if not seen, else 403."""
    row = queryset.select_related("employee", "employee__unit").filter(pk=pk).first()
    if row is None:
        raise Http404("Uppgiften finns inte eller så saknar du behörighet.")
    managed_employee(actor, row.employee_id)
    return row


def employee_competence_get(actor: Any, pk: int) -> EmployeeCompetence:
    return _managed_detail(actor, EmployeeCompetence.objects.all(), pk)  # type: ignore[no-any-return]


def delegation_get(actor: Any, pk: int) -> Delegation:
    return _managed_detail(actor, Delegation.objects.all(), pk)  # type: ignore[no-any-return]


def employee_terms(actor: Any, employee: Employee) -> QuerySet[EmploymentTerm]:
    """The employee's terms (the caller got the employee through `employee_get`)."""
    employee_get(actor, employee.pk)
    return EmploymentTerm.objects.filter(employee=employee).select_related("regime").order_by("starts_on", "id")


def employee_competences(actor: Any, employee: Employee) -> QuerySet[EmployeeCompetence]:
    employee_get(actor, employee.pk)
    return (
        EmployeeCompetence.objects.filter(employee=employee).select_related("competence").order_by("acquired_on", "id")
    )


def employee_delegations(actor: Any, employee: Employee) -> QuerySet[Delegation]:
    employee_get(actor, employee.pk)
    return Delegation.objects.filter(employee=employee).select_related("kind").order_by("valid_from", "id")


def employee_introductions(actor: Any, employee: Employee) -> QuerySet[Introduction]:
    employee_get(actor, employee.pk)
    return Introduction.objects.filter(employee=employee).order_by("completed_on", "id")


def employee_appraisals(actor: Any, employee: Employee) -> QuerySet[Appraisal]:
    employee_get(actor, employee.pk)
    return Appraisal.objects.filter(employee=employee).order_by("held_on", "id")


# --- Reference data for forms -------------------------------------------------------------------------------


def _in_force(model: Any, day: datetime.date) -> QuerySet[Any]:
    return model.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)  # type: ignore[no-any-return]


def regimes_in_force(day: datetime.date) -> QuerySet[WorkingTimeRegime]:
    return _in_force(WorkingTimeRegime, day).order_by("name", "code")


def competences_in_force(day: datetime.date) -> QuerySet[Competence]:
    return _in_force(Competence, day).order_by("name")


def delegation_kinds_in_force(day: datetime.date) -> QuerySet[DelegationKind]:
    return _in_force(DelegationKind, day).order_by("name")


def delegation_clients(actor: Any, employee: Employee) -> QuerySet[Any]:
    """Clients of the employee's unit that the actor sees: whom a delegation or introduction can be for."""
    from bista.clients.selectors import visible_clients

    return (
        visible_clients(actor)
        .filter(is_active=True, unit_links__unit_id=employee.unit_id, unit_links__until__isnull=True)
        .order_by("last_name", "first_name", "id")
    )


# --- Absences -----------------------------------------------------------------------------------------------


def absence_unit_ids(actor: Any) -> set[int]:
    return unit_ids_with(actor, Perm.ABSENCE_MANAGE)


def visible_absences(actor: Any) -> QuerySet[Absence]:
    """Absences of employees in units where the actor manages absences, and the actor's own."""
    own = Q(employee__user=actor) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    return Absence.objects.filter(Q(employee__unit_id__in=absence_unit_ids(actor)) | own).select_related(
        "employee", "employee__unit", "cancelled_by"
    )


def absence_get(actor: Any, pk: int) -> Absence:
    absence = visible_absences(actor).filter(pk=pk).first()
    if absence is None:
        raise Http404("Frånvaron finns inte eller så saknar du behörighet.")
    return absence


def managed_absence(actor: Any, pk: int) -> Absence:
    """An absence the actor may change: 404 if not seen, 403 if seen (their own) without ABSENCE_MANAGE."""
    absence = absence_get(actor, pk)
    if not has_perm(actor, Perm.ABSENCE_MANAGE, absence.employee.unit_id):
        raise PermissionDenied(f"Behörighet saknas: {Perm.ABSENCE_MANAGE}")
    return absence


def absence_search(
    actor: Any,
    *,
    unit_id: int | None = None,
    team_id: int | None = None,
    employee_id: int | None = None,
    kind: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Absence]:
    """The absence register: absences touching `start`–`end` (either open), newest first."""
    absences = visible_absences(actor)
    if unit_id is not None:
        absences = absences.filter(employee__unit_id=unit_id)
    if team_id is not None:
        absences = absences.filter(employee__teams__id=team_id)
    if employee_id is not None:
        absences = absences.filter(employee_id=employee_id)
    if kind:
        absences = absences.filter(kind=kind)
    if start is not None:
        absences = absences.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
    if end is not None:
        absences = absences.filter(starts_on__lte=end)
    if not include_cancelled:
        absences = absences.filter(cancelled_at__isnull=True)
    return absences.order_by("-starts_on", "employee__last_name", "employee__first_name", "id")


def absence_employees(actor: Any, *, unit_id: int | None = None) -> QuerySet[Employee]:
    """Current employees whose absences the actor may register."""
    unit_ids = absence_unit_ids(actor)
    if unit_id is not None:
        unit_ids &= {unit_id}
    today = clock.today()
    return (
        Employee.objects.filter(unit_id__in=unit_ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today - datetime.timedelta(days=365)))
        .select_related("unit")
        .order_by("last_name", "first_name", "id")
    )


def absence_units(actor: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=absence_unit_ids(actor)).order_by("name")


def absence_teams(actor: Any) -> QuerySet[Team]:
    return Team.objects.filter(unit_id__in=absence_unit_ids(actor), is_active=True).order_by("unit__name", "name")


# --- A client's staffing ------------------------------------------------------------------------------------


@dataclass
class ClientStaffing:
    client: Any
    unit_ids: list[int]  # the client's units where the actor sees staff
    chosen: list[ClientStaffChoice]
    excluded: list[ClientStaffChoice]
    ended_choices: list[ClientStaffChoice]
    needs: list[ClientCompetenceNeed]
    ended_needs: list[ClientCompetenceNeed]
    introductions: list[Introduction]
    can_manage: bool
    today: datetime.date

    @property
    def introduced_ids(self) -> set[int]:
        return {i.employee_id for i in self.introductions}


def _staffing_units(actor: Any, client: Any, perm: str) -> list[int]:
    """The client's current units where the actor holds `perm` (the client's units read once per object)."""
    from bista.clients.models import ClientUnit

    open_units: list[int] | None = getattr(client, "_staff_open_units", None)
    if open_units is None:
        open_units = list(
            ClientUnit.objects.filter(client=client, until__isnull=True)
            .order_by("unit_id")
            .values_list("unit_id", flat=True)
        )
        client._staff_open_units = open_units
    allowed = unit_ids_with(actor, perm)
    return [unit_id for unit_id in open_units if unit_id in allowed]


def staffing_client(
    actor: Any, client_id: int, *, to_manage: bool = False, detail: str = "personal", action: str = "card"
) -> Any:
    """A client whose staffing the actor may see (404 if the client is not visible, 403 without EMPLOYEE_VIEW
    in one of the client's units, or EMPLOYEE_MANAGE with `to_manage`); the read is logged."""
    from bista.clients.models import AccessLogEntry
    from bista.clients.selectors import visible_clients
    from bista.clients.services import access_log_record

    client = visible_clients(actor).filter(pk=client_id).first()
    if client is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    perm = Perm.EMPLOYEE_MANAGE if to_manage else Perm.EMPLOYEE_VIEW
    units = _staffing_units(actor, client, perm)
    if not units:
        raise PermissionDenied(f"Behörighet saknas: {perm}")
    access_log_record(
        actor=actor, client=client, action=AccessLogEntry.Action(action), unit=Unit(pk=units[0]), detail=detail
    )
    return client


def client_staffing(
    actor: Any, client_id: int, *, today: datetime.date | None = None, action: str = "card"
) -> ClientStaffing:
    """The client's chosen and excluded staff, competence needs and who is introduced; the read is logged
    (`action`: an AccessLogEntry.Action value, "api" for the API)."""
    today = today or clock.today()
    client = staffing_client(actor, client_id, detail="personal och kompetenskrav", action=action)
    choices = list(
        ClientStaffChoice.objects.filter(client=client)
        .select_related("employee")
        .order_by("employee__last_name", "employee__first_name", "since", "id")
    )
    current = [c for c in choices if c.until is None or c.until >= today]
    needs = list(
        ClientCompetenceNeed.objects.filter(client=client)
        .select_related("competence", "delegation_kind")
        .order_by("since", "id")
    )
    return ClientStaffing(
        client=client,
        unit_ids=_staffing_units(actor, client, Perm.EMPLOYEE_VIEW),
        chosen=[c for c in current if c.kind == ClientStaffChoice.Kind.CHOSEN],
        excluded=[c for c in current if c.kind == ClientStaffChoice.Kind.EXCLUDED],
        ended_choices=[c for c in choices if c.until is not None and c.until < today],
        needs=[n for n in needs if n.until is None or n.until >= today],
        ended_needs=[n for n in needs if n.until is not None and n.until < today],
        introductions=list(
            Introduction.objects.filter(client=client)
            .select_related("employee")
            .order_by("employee__last_name", "employee__first_name", "id")
        ),
        can_manage=bool(_staffing_units(actor, client, Perm.EMPLOYEE_MANAGE)),
        today=today,
    )


def staffing_employees(actor: Any, client: Any) -> QuerySet[Employee]:
    """Current employees of the client's units where the actor manages staff: whom a choice can name."""
    units = _staffing_units(actor, client, Perm.EMPLOYEE_MANAGE)
    today = clock.today()
    return (
        Employee.objects.filter(unit_id__in=units)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("last_name", "first_name", "id")
    )


def staff_choice_get(actor: Any, client: Any, pk: int) -> ClientStaffChoice:
    choice = ClientStaffChoice.objects.select_related("employee").filter(client=client, pk=pk).first()
    if choice is None:
        raise Http404("Valet finns inte.")
    return choice


def competence_need_get(actor: Any, client: Any, pk: int) -> ClientCompetenceNeed:
    need = ClientCompetenceNeed.objects.filter(client=client, pk=pk).first()
    if need is None:
        raise Http404("Kravet finns inte.")
    return need
