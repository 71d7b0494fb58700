"""Facts from the records: the one place that turns rows into the plain dataclasses of `facts.py`.

The rule checker, the needs expansion and the optimiser never see the ORM; the services, the selectors and
the roster task call these loaders. Each loader reads a whole set of people at once with a fixed number of
queries, so ranking candidates for an open shift or loading a unit's instance does not grow with the staff.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from bista.care.models import Order
from bista.clients.models import Client, ClientUnit
from bista.core.clock import STOCKHOLM
from bista.core.models import Team, Unit
from bista.rostering import needs
from bista.rostering.facts import (
    AbsenceFact,
    ClientFacts,
    DelegationFact,
    EmployeeFacts,
    ExceptionFact,
    Instance,
    Kind,
    Limits,
    NeedSlot,
    Period,
    ShiftFact,
    Weights,
)
from bista.rostering.models import BookedOccasion, NeedPattern, Shift, ShiftException
from bista.staff.models import (
    Absence,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Delegation,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    EmploymentType,
    Introduction,
    WorkingTimeRegime,
)

# Dated facts (absences, delegations, exceptions) are read this far beyond the period, so that a shift
# crossing the period's edge, or the neighbouring shifts a save is checked against, are judged correctly.
MARGIN = datetime.timedelta(days=7)

# Without an employment term, personal assistants (assistance teams) work under AB with Bilaga J (PAN),
# everyone else under AB.
ASSISTANCE_REGIME = "ab_bilaga_j"
DEFAULT_REGIME = "ab"

# Shifts that take up the employee's (or the client's) time; cancelled and absent ones do not.
LIVE_STATUSES = (Shift.Status.DRAFT, Shift.Status.PUBLISHED, Shift.Status.WORKED)
FIXED_STATUSES = (Shift.Status.PUBLISHED, Shift.Status.WORKED)


def local_start(day: datetime.date) -> datetime.datetime:
    """00:00 of `day` in Europe/Stockholm."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=STOCKHOLM)


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def widened(period: Period, margin: datetime.timedelta = MARGIN) -> Period:
    return Period(period.start - margin, period.end + margin)


# --- Working-time regimes and contracts ----------------------------------------------------------------


def limits_of(regime: WorkingTimeRegime) -> Limits:
    def hours(value: Decimal) -> datetime.timedelta:
        return datetime.timedelta(hours=float(value))

    return Limits(
        daily_rest=hours(regime.daily_rest_hours),
        weekly_rest=hours(regime.weekly_rest_hours),
        max_pass=hours(regime.max_pass_hours),
        max_pass_with_exception=hours(regime.max_pass_hours_with_exception),
        ordinary_hours_per_week=float(regime.ordinary_hours_per_week),
        max_average_hours_per_week=float(regime.max_average_hours_per_week),
        averaging_period_months=regime.averaging_period_months,
        max_overtime_hours_per_year=float(regime.max_overtime_hours_per_year),
    )


class _Regimes:
    """All regime versions (a handful of rows), to pick the version of a code in force on a day."""

    def __init__(self) -> None:
        self.by_code: dict[str, list[WorkingTimeRegime]] = defaultdict(list)
        for regime in WorkingTimeRegime.objects.order_by("code", "valid_from"):
            self.by_code[regime.code].append(regime)

    def limits(self, code: str, day: datetime.date) -> Limits:
        versions = self.by_code.get(code) or self.by_code.get(DEFAULT_REGIME) or []
        in_force = [r for r in versions if r.in_force(day)]
        chosen = in_force[-1] if in_force else (versions[0] if versions else None)
        if chosen is None:
            raise LookupError(f"no working-time regime {code!r}")
        return limits_of(chosen)


@dataclass(frozen=True)
class Contract:
    """The terms an employee works under in a period: the term in force on its first day, else the
    employee's own values."""

    employment_rate: float  # percent; 0 for hourly-paid staff
    hourly_paid: bool
    limits: Limits

    def contracted_hours(self, period: Period) -> float:
        return self.limits.ordinary_hours_per_week * self.employment_rate / 100 * period.weeks


def _term_in_force(terms: list[EmploymentTerm], day: datetime.date, period: Period) -> EmploymentTerm | None:
    """The term in force on `day`, else the first one starting within the period."""
    for term in terms:
        if term.starts_on <= day and (term.ends_on is None or term.ends_on >= day):
            return term
    later = [t for t in terms if period.start <= t.starts_on <= period.end]
    return later[0] if later else None


def contracts(employee_ids: Iterable[int], period: Period) -> dict[int, Contract]:
    """Each employee's contract for the period (3 queries)."""
    ids = set(employee_ids)
    regimes = _Regimes()
    terms: dict[int, list[EmploymentTerm]] = defaultdict(list)
    for term in EmploymentTerm.objects.filter(employee_id__in=ids).select_related("regime").order_by("starts_on"):
        terms[term.employee_id].append(term)
    assistance = set(
        Employee.teams.through.objects.filter(
            employee_id__in=ids, team__kind=Team.Kind.ASSISTANCE, team__is_active=True
        ).values_list("employee_id", flat=True)
    )
    result: dict[int, Contract] = {}
    for employee_id, employment_type, rate in Employee.objects.filter(pk__in=ids).values_list(
        "pk", "employment_type", "employment_rate"
    ):
        term = _term_in_force(terms[employee_id], period.start, period)
        if term is not None:
            hourly = term.is_hourly_paid
            rate = term.employment_rate
            code = term.regime.code
        else:
            hourly = employment_type == EmploymentType.HOURLY_PAID
            code = ASSISTANCE_REGIME if employee_id in assistance else DEFAULT_REGIME
        result[employee_id] = Contract(
            employment_rate=0.0 if hourly else float(rate),
            hourly_paid=hourly,
            limits=regimes.limits(code, period.start),
        )
    return result


# --- Employees -----------------------------------------------------------------------------------------


def _overlapping(start_field: str, end_field: str, period: Period) -> Q:
    """Rows whose dates [start, end] (end None = open) meet the period."""
    return Q(**{f"{start_field}__lte": period.end}) & (
        Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": period.start})
    )


def _gender(value: str) -> str:
    return value if value in ("K", "M") else ("X" if value == "A" else "")


def overtime_before(employee_ids: Iterable[int], day: datetime.date) -> dict[int, float]:
    """Overtime hours already scheduled or worked this calendar year before `day` (published/worked)."""
    since = local_start(day.replace(month=1, day=1))
    totals: dict[int, float] = defaultdict(float)
    rows = Shift.objects.filter(
        employee_id__in=set(employee_ids),
        is_overtime=True,
        status__in=FIXED_STATUSES,
        starts_at__gte=since,
        starts_at__lt=local_start(day),
    ).values_list("employee_id", "starts_at", "ends_at")
    for employee_id, starts_at, ends_at in rows:
        totals[employee_id] += (ends_at - starts_at).total_seconds() / 3600
    return dict(totals)


def employee_facts(employee_ids: Iterable[int], period: Period) -> dict[int, EmployeeFacts]:
    """The facts of the employees for checking shifts in `period` (a fixed number of queries)."""
    ids = set(employee_ids)
    if not ids:
        return {}
    window = widened(period)
    contract = contracts(ids, period)
    teams: dict[int, set[int]] = defaultdict(set)
    for employee_id, team_id in Employee.teams.through.objects.filter(
        employee_id__in=ids, team__is_active=True
    ).values_list("employee_id", "team_id"):
        teams[employee_id].add(team_id)
    competences: dict[int, set[str]] = defaultdict(set)
    for employee_id, code in EmployeeCompetence.objects.filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=window.start),
        employee_id__in=ids,
        acquired_on__lte=window.end,
    ).values_list("employee_id", "competence__code"):
        competences[employee_id].add(code)
    delegations: dict[int, list[DelegationFact]] = defaultdict(list)
    for d in Delegation.objects.filter(
        _overlapping("valid_from", "valid_until", window), employee_id__in=ids
    ).select_related("kind"):
        until = d.valid_until
        if d.revoked_on is not None:
            until = min(until, d.revoked_on - datetime.timedelta(days=1))
        if until >= d.valid_from:
            delegations[d.employee_id].append(DelegationFact(d.kind.code, d.client_id, d.valid_from, until))
    absences: dict[int, list[AbsenceFact]] = defaultdict(list)
    for a in Absence.objects.filter(
        _overlapping("starts_on", "ends_on", window), employee_id__in=ids, cancelled_at__isnull=True
    ):
        absences[a.employee_id].append(AbsenceFact(a.starts_on, a.ends_on, a.kind, float(a.extent)))
    exceptions: dict[int, list[ExceptionFact]] = defaultdict(list)
    for e in ShiftException.objects.filter(
        _overlapping("valid_from", "valid_to", window), employee_id__in=ids, revoked_at__isnull=True
    ):
        exceptions[e.employee_id].append(ExceptionFact(e.pk, e.client_id, e.valid_from, e.valid_to))
    introduced: dict[int, set[int]] = defaultdict(set)
    for employee_id, client_id in Introduction.objects.filter(
        employee_id__in=ids, completed_on__lte=window.end
    ).values_list("employee_id", "client_id"):
        introduced[employee_id].add(client_id)
    overtime = overtime_before(ids, period.start)
    result: dict[int, EmployeeFacts] = {}
    for employee in Employee.objects.filter(pk__in=ids).only("pk", "first_name", "last_name", "gender"):
        terms = contract[employee.pk]
        result[employee.pk] = EmployeeFacts(
            employee_id=employee.pk,
            name=employee.full_name,
            gender=_gender(employee.gender),
            limits=terms.limits,
            employment_rate=terms.employment_rate,
            hourly_paid=terms.hourly_paid,
            team_ids=frozenset(teams[employee.pk]),
            competence_codes=frozenset(competences[employee.pk]),
            delegations=tuple(delegations[employee.pk]),
            absences=tuple(absences[employee.pk]),
            exceptions=tuple(exceptions[employee.pk]),
            overtime_hours_before=round(overtime.get(employee.pk, 0.0), 4),
            introduced_client_ids=frozenset(introduced[employee.pk]),
        )
    return result


# --- Clients ---------------------------------------------------------------------------------------------


def initials(first_name: str, last_name: str) -> str:
    """ "Astrid Lindqvist" → "A.L.": how a client is named in explanations."""
    return "".join(f"{part[:1].upper()}." for part in (first_name.strip(), last_name.strip()) if part)


def _orders_in(client_ids: set[int], period: Period) -> Q:
    return Q(client_id__in=client_ids, period_start__lte=period.end) & (
        Q(period_end__isnull=True) | Q(period_end__gte=period.start)
    )


def granted_hours(client_ids: Iterable[int], period: Period, *, unit_id: int | None = None) -> dict[int, float | None]:
    """Hours the orders (of one unit, or all) grant each client for the period, for the clients with an order
    in it (None: no order limits hours, e.g. occasions only)."""
    ids = set(client_ids)
    result: dict[int, float | None] = {}
    orders = Order.objects.filter(_orders_in(ids, period))
    if unit_id is not None:
        orders = orders.filter(unit_id=unit_id)
    # Plain rows (the start page reads a unit's orders on every request), in the order the instances came.
    for client_id, scope_amount, scope_unit, period_start, period_end, ended_on in orders.values_list(
        "client_id", "scope_amount", "scope_unit", "period_start", "period_end", "ended_on"
    ):
        end = period_end
        if ended_on is not None:
            end = ended_on if end is None else min(end, ended_on)
        if end is not None and end < period_start:
            continue
        result.setdefault(client_id, None)
        hours = needs.granted_hours(float(scope_amount), scope_unit, period_start, end, period)
        if hours is not None:
            result[client_id] = (result[client_id] or 0.0) + hours
    return result


def client_facts(client_ids: Iterable[int], period: Period) -> dict[int, ClientFacts]:
    """The facts of the clients for checking shifts in `period` (a fixed number of queries)."""
    ids = set(client_ids)
    if not ids:
        return {}
    teams: dict[int, set[int]] = defaultdict(set)
    for client_id, team_id in Client.teams.through.objects.filter(client_id__in=ids, team__is_active=True).values_list(
        "client_id", "team_id"
    ):
        teams[client_id].add(team_id)
    competences: dict[int, set[str]] = defaultdict(set)
    delegations: dict[int, set[str]] = defaultdict(set)
    for client_id, competence, delegation in ClientCompetenceNeed.objects.filter(
        _overlapping("since", "until", period), client_id__in=ids
    ).values_list("client_id", "competence__code", "delegation_kind__code"):
        if competence:
            competences[client_id].add(competence)
        if delegation:
            delegations[client_id].add(delegation)
    chosen: dict[int, set[int]] = defaultdict(set)
    excluded: dict[int, set[int]] = defaultdict(set)
    for client_id, employee_id, kind in ClientStaffChoice.objects.filter(
        _overlapping("since", "until", period), client_id__in=ids
    ).values_list("client_id", "employee_id", "kind"):
        (chosen if kind == ClientStaffChoice.Kind.CHOSEN else excluded)[client_id].add(employee_id)
    granted = granted_hours(ids, period)
    result: dict[int, ClientFacts] = {}
    for client_id, first_name, last_name, preferred in Client.objects.filter(pk__in=ids).values_list(
        "pk", "first_name", "last_name", "preferred_staff_gender"
    ):
        result[client_id] = ClientFacts(
            client_id=client_id,
            name=initials(first_name, last_name),
            team_ids=frozenset(teams[client_id]),
            required_competences=frozenset(competences[client_id]),
            required_delegations=frozenset(delegations[client_id]),
            excluded_employee_ids=frozenset(excluded[client_id]),
            chosen_employee_ids=frozenset(chosen[client_id]),
            preferred_gender=preferred or "",
            granted_hours=granted.get(client_id),
        )
    return result


# --- Shifts and needs ------------------------------------------------------------------------------------


def shift_fact(shift: Shift) -> ShiftFact:
    """A stored (or about to be stored) shift as the checker sees it; an unsaved one has the key "new"."""
    return ShiftFact(
        key=str(shift.pk) if shift.pk else "new",
        client_id=shift.client_id,
        employee_id=shift.employee_id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        kind=Kind(shift.kind),
        is_overtime=shift.is_overtime,
        published=shift.status in FIXED_STATUSES,
    )


def pattern_fact(pattern: NeedPattern) -> needs.PatternFact:
    return needs.PatternFact(
        id=pattern.pk,
        client_id=pattern.client_id,
        weekdays=pattern.weekdays,
        start_time=pattern.start_time,
        end_time=pattern.end_time,
        staff_count=pattern.staff_count,
        kind=Kind(pattern.kind),
        valid_from=pattern.valid_from,
        valid_to=pattern.valid_to,
    )


def occasion_fact(occasion: BookedOccasion) -> needs.OccasionFact:
    return needs.OccasionFact(
        id=occasion.pk,
        client_id=occasion.client_id,
        starts_at=occasion.starts_at,
        ends_at=occasion.ends_at,
        staff_count=occasion.staff_count,
    )


def unit_needs(unit: Unit | int, period: Period) -> tuple[NeedSlot, ...]:
    """The need slots of the unit's orders in the period: patterns in force and booked occasions."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    patterns = NeedPattern.objects.filter(
        _overlapping("valid_from", "valid_to", period), order__unit_id=unit_id
    ).order_by("pk")
    occasions = (
        BookedOccasion.objects.filter(
            order__unit_id=unit_id,
            cancelled_at__isnull=True,
            starts_at__lt=period.ends_at(),
            ends_at__gt=period.starts_at(),
        )
        # Contact persons are commissioned (uppdragstagare), not employees: there is nobody to roster.
        .exclude(order__team__kind=Team.Kind.CONTACT_PERSON)
        .order_by("pk")
    )
    return needs.expand_needs([pattern_fact(p) for p in patterns], [occasion_fact(o) for o in occasions], period)


def unit_employee_ids(unit: Unit | int, period: Period) -> list[int]:
    """Employees of the unit employed on some day of the period."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return list(
        Employee.objects.filter(_overlapping("start_date", "end_date", period), unit_id=unit_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def unit_client_ids(unit: Unit | int, period: Period) -> set[int]:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return set(
        ClientUnit.objects.filter(unit_id=unit_id)
        .filter(Q(until__isnull=True) | Q(until__gte=period.start))
        .values_list("client_id", flat=True)
    )


def load_instance(unit: Unit, period: Period, weights: Weights) -> Instance:
    """Everything the optimiser needs for the unit and period: the needs, the unit's staff, the clients
    with needs, and the published shifts of those people in and around the period (kept as they are)."""
    slots = unit_needs(unit, period)
    employee_ids = unit_employee_ids(unit, period)
    client_ids = {slot.client_id for slot in slots}
    window = widened(period)
    # The unit's staff's shifts anywhere, and the open shifts of the clients with needs: people from other
    # units are not in the instance, so their shifts at these clients are not either.
    fixed = list(
        Shift.objects.filter(
            Q(employee_id__in=employee_ids) | Q(client_id__in=client_ids, employee__isnull=True),
            status__in=FIXED_STATUSES,
            starts_at__lt=window.ends_at(),
            ends_at__gt=window.starts_at(),
        )
        .order_by("starts_at", "pk")
        .only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
    )
    employees = employee_facts(employee_ids, period)
    clients = client_facts(client_ids | {shift.client_id for shift in fixed}, period)
    return Instance(
        period=period,
        needs=slots,
        employees=tuple(employees[pk] for pk in employee_ids),
        clients=tuple(clients[pk] for pk in sorted(clients)),
        fixed_shifts=tuple(shift_fact(shift) for shift in fixed),
        weights=weights,
    )
