"""Reads of rostering, scoped to the actor.

Who sees what: `roster.view` (or `roster.manage`) in a unit shows the unit's roster, hours and jobs; an
employee (a user linked to an Employee) always sees their own published, worked and absent shifts and
nothing else. The roster of a client team is a read of those clients' data and is logged in the access log
(one row per client shown); lists across a unit's clients (hours, open shifts) are not, as elsewhere.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from bista.clients.models import AccessLogEntry, Client
from bista.clients.selectors import visible_clients
from bista.clients.services import access_log_record_many, access_log_record_shown
from bista.core import clock, datacache, deadlines
from bista.core.access import has_perm, unit_ids_with
from bista.core.clock import STOCKHOLM
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.rostering import loaders, rules
from bista.rostering.facts import Period, ShiftFact, Violation, Weights
from bista.rostering.models import RosterJob, Shift, ShiftKind, ShiftOfferRecipient, ShiftRequest
from bista.rostering.services import AROUND, SOFT_ON_SAVE
from bista.staff.models import Absence, Employee

OWN_STATUSES = (Shift.Status.PUBLISHED, Shift.Status.WORKED, Shift.Status.ABSENT)
WORK_KINDS = (ShiftKind.ACTIVE, ShiftKind.ON_CALL)  # hours counted as working time (not beredskap)
CONTINUITY_DAYS = 90  # "has worked with the client" looks back this far
ALERT_LEVELS = (100, 90, 80)  # per cent of the granted hours used (DOMAIN §6)


def _roster_units(actor: Any) -> set[int]:
    return unit_ids_with(actor, Perm.ROSTER_VIEW, Perm.ROSTER_MANAGE)


def can_view_roster(actor: Any, unit: Unit | int) -> bool:
    return has_perm(actor, Perm.ROSTER_VIEW, unit) or has_perm(actor, Perm.ROSTER_MANAGE, unit)


def can_manage_roster(actor: Any, unit: Unit | int) -> bool:
    return has_perm(actor, Perm.ROSTER_MANAGE, unit)


def _require_view(actor: Any, unit: Unit | int) -> None:
    if not can_view_roster(actor, unit):
        raise PermissionDenied(f"Behörighet saknas: {Perm.ROSTER_VIEW}")


def _window(start: datetime.date, end: datetime.date) -> Q:
    """Shifts that touch a day from `start` to `end` (inclusive) in Europe/Stockholm."""
    return Q(
        starts_at__lt=loaders.local_start(end + datetime.timedelta(days=1)), ends_at__gt=loaders.local_start(start)
    )


def _with_people(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    return shifts.select_related("client", "employee", "unit").order_by("starts_at", "pk")


def _log_clients(actor: Any, shifts: Iterable[Shift], unit: Unit, detail: str) -> None:
    clients = {shift.client_id: shift.client for shift in shifts}
    if clients:
        access_log_record_many(
            actor=actor, clients=list(clients.values()), action=AccessLogEntry.Action.LIST, unit=unit, detail=detail
        )


# --- Naming clients on roster pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientNames:
    """How each client shown is named (`labels`, by client id) and which of them are named in full (`seen`)."""

    labels: dict[int, str]
    seen: frozenset[int]


def client_names(actor: Any, shown: Iterable[tuple[Client, int]], *, log: str = "") -> ClientNames:
    """How each client is named on a roster page, given (client, unit shown from) pairs: in full to a reader
    who sees the client (a client-view permission in one of the client's units, or the client's team), by
    initials to anyone else — roster.view alone (a controller) shows the roster's shape, not the people.
    With `log`, each client named in full is logged as read through its unit (one query for all)."""
    pairs = list(shown)
    unique = {client.pk: client for client, _unit_id in pairs}
    seen = (
        frozenset(visible_clients(actor).filter(pk__in=list(unique)).values_list("pk", flat=True))
        if unique
        else frozenset()
    )
    if log and seen:
        access_log_record_shown(
            actor=actor,
            shown=((client, unit_id) for client, unit_id in pairs if client.pk in seen),
            action=AccessLogEntry.Action.LIST,
            detail=log,
        )
    labels = {
        pk: client.full_name if pk in seen else loaders.initials(client.first_name, client.last_name)
        for pk, client in unique.items()
    }
    return ClientNames(labels, seen)


def client_labels(actor: Any, shown: Iterable[tuple[Client, int]], *, log: str = "") -> dict[int, str]:
    """The names of `client_names`, for pages that need only those."""
    return client_names(actor, shown, log=log).labels


# --- Shifts --------------------------------------------------------------------------------------------


def visible_shifts(actor: Any) -> QuerySet[Shift]:
    """Shifts of the units whose roster the actor sees, and the actor's own published/worked/absent shifts."""
    condition = Q(unit_id__in=_roster_units(actor))
    if getattr(actor, "is_authenticated", False):
        condition |= Q(employee__user=actor, status__in=OWN_STATUSES)
    return Shift.objects.filter(condition).select_related("client", "employee", "unit")


def shift_get(actor: Any, pk: int) -> Shift:
    """One shift the actor may see (404 otherwise); no read logged (the caller logs what it shows)."""
    shift = visible_shifts(actor).filter(pk=pk).first()
    if shift is None:
        raise Http404("Passet finns inte eller så saknar du behörighet.")
    return shift


def roster_for_team(
    actor: Any, team: Team, start: datetime.date, end: datetime.date, *, include_cancelled: bool = False
) -> list[Shift]:
    """The shifts of the team's clients (open ones included) in the days `start`–`end`; each client shown
    is logged as read."""
    _require_view(actor, team.unit_id)
    shifts = Shift.objects.filter(_window(start, end), unit_id=team.unit_id, client__teams=team)
    if not include_cancelled:
        shifts = shifts.exclude(status=Shift.Status.CANCELLED)
    result = list(_with_people(shifts).distinct())
    _log_clients(actor, result, team.unit, f"schema för {team.name}")
    return result


def roster_for_employee(
    actor: Any, employee: Employee, start: datetime.date, end: datetime.date, *, include_cancelled: bool = False
) -> list[Shift]:
    """An employee's shifts in the days `start`–`end`: for a manager of the employee's unit, or (only the
    published, worked and absent ones) for the employee themself."""
    shifts = Shift.objects.filter(_window(start, end), employee=employee)
    if can_view_roster(actor, employee.unit_id):
        shifts = shifts.filter(unit_id__in=_roster_units(actor))
        if not include_cancelled:
            shifts = shifts.exclude(status=Shift.Status.CANCELLED)
    elif employee.user_id is not None and employee.user_id == getattr(actor, "pk", None):
        shifts = shifts.filter(status__in=OWN_STATUSES)
    else:
        raise PermissionDenied(f"Behörighet saknas: {Perm.ROSTER_VIEW}")
    return list(_with_people(shifts))


def my_shifts(actor: Any, start: datetime.date, end: datetime.date) -> list[Shift]:
    """The actor's own published, worked and absent shifts (empty for a user who is not an employee)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return list(_with_people(Shift.objects.filter(_window(start, end), employee__user=actor, status__in=OWN_STATUSES)))


def open_shifts(actor: Any, unit: Unit, start: datetime.date, end: datetime.date) -> list[Shift]:
    """Shifts of the unit without an employee (draft or published) in the days `start`–`end`."""
    _require_view(actor, unit)
    shifts = Shift.objects.filter(
        _window(start, end),
        unit=unit,
        employee__isnull=True,
        status__in=(Shift.Status.DRAFT, Shift.Status.PUBLISHED),
    )
    return list(_with_people(shifts).select_related("replaces"))


def open_shifts_for_employee(actor: Any, employee: Employee, start: datetime.date, end: datetime.date) -> list[Shift]:
    """The published open shifts of the employee's own unit in the days `start`–`end` that do not overlap a
    shift of theirs: what they could offer to take (the manager assigns, with the working-time rules)."""
    if employee.user_id is None or employee.user_id != getattr(actor, "pk", None):
        return []
    own = Shift.objects.filter(
        employee=employee,
        status__in=OWN_STATUSES,
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    )
    shifts = Shift.objects.filter(
        _window(start, end),
        unit_id=employee.unit_id,
        employee__isnull=True,
        status=Shift.Status.PUBLISHED,
        starts_at__gt=clock.now(),
    ).exclude(Exists(own))
    return list(_with_people(shifts))


def takeable_open_shifts(actor: Any, employee: Employee, start: datetime.date, end: datetime.date) -> list[Shift]:
    """Of `open_shifts_for_employee`, those the working-time rules let the employee take (rest, pass length,
    competence, absences …; hours beyond the contract only make it overtime). A fixed number of queries per
    calendar month the shifts fall in: the facts in bulk, then each shift checked in memory.

    The verdicts are kept until the next write (`bista.core.datacache`, the start page asks on every request):
    which shifts are candidates depends on the time (`open_shifts_for_employee`, asked each time), but whether
    the rules let this employee take a given shift depends only on records written through audited services
    (their shifts, absences, competences, contract; the clients' needs)."""
    shifts = open_shifts_for_employee(actor, employee, start, end)
    if not shifts:
        return []
    takeable = datacache.cached(
        "rostering.takeable",
        (employee.pk, tuple(shift.pk for shift in shifts)),
        lambda: frozenset(shift.pk for shift in _takeable(employee, shifts)),
    )
    return [shift for shift in shifts if shift.pk in takeable]


def _takeable(employee: Employee, shifts: list[Shift]) -> list[Shift]:
    """Of the candidate `shifts` (published, open, not overlapping the employee's own), those the working-time
    rules let the employee take, soonest first."""
    groups: dict[datetime.date, list[Shift]] = defaultdict(list)
    for shift in shifts:
        groups[rules.contract_period(_local(shift.starts_at)).start].append(shift)
    periods = {first: rules.contract_period(first) for first in groups}
    since = min(min(p.starts_at() for p in periods.values()), shifts[0].starts_at - AROUND)
    until = max(max(p.ends_at() for p in periods.values()), max(s.ends_at for s in shifts) + AROUND)
    mine = [
        loaders.shift_fact(row)
        for row in Shift.objects.filter(
            employee=employee, status__in=loaders.LIVE_STATUSES, starts_at__lt=until, ends_at__gt=since
        )
        .only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
        .order_by("starts_at", "pk")
    ]
    result: list[Shift] = []
    for first, group in groups.items():
        period = periods[first]
        person = loaders.employee_facts([employee.pk], period)[employee.pk]
        clients = loaders.client_facts({s.client_id for s in group}, period)
        for shift in group:
            last = _local(shift.ends_at - datetime.timedelta(microseconds=1))
            if employee.start_date > _local(shift.starts_at) or (employee.end_date and employee.end_date < last):
                continue
            fact = dataclasses.replace(loaders.shift_fact(shift), employee_id=employee.pk, is_overtime=False)
            violations = rules.check_shift(fact, mine, person, clients[shift.client_id], period)
            if not any(v.hard and v.rule not in SOFT_ON_SAVE for v in violations):
                result.append(shift)
    return sorted(result, key=lambda s: (s.starts_at, s.pk))


def my_pending_requests(actor: Any) -> dict[int, ShiftRequest]:
    """The signed-in employee's pending requests for open shifts, by shift id."""
    if not getattr(actor, "is_authenticated", False):
        return {}
    rows = ShiftRequest.objects.filter(employee__user=actor, status=ShiftRequest.Status.PENDING)
    return {row.shift_id: row for row in rows}


def pending_requests(actor: Any, unit: Unit | int) -> list[ShiftRequest]:
    """The unit's pending requests for open shifts that have not started, soonest shift first (roster.manage)."""
    if not can_manage_roster(actor, unit):
        return []
    unit_id = unit if isinstance(unit, int) else unit.pk
    return list(
        ShiftRequest.objects.filter(
            shift__unit_id=unit_id,
            status=ShiftRequest.Status.PENDING,
            shift__employee__isnull=True,
            shift__starts_at__gt=clock.now(),
        )
        .select_related("shift__client", "shift__unit", "employee")
        .order_by("shift__starts_at", "requested_at", "pk")
    )


# --- Sick calls ------------------------------------------------------------------------------------------


@dataclass
class SickCall:
    """A sick leave whose replacement shifts are not all covered yet: what a manager's start page shows."""

    absence: Absence
    open_count: int
    self_reported: bool


def sick_calls_to_cover(actor: Any, unit: Unit | int) -> list[SickCall]:
    """Sick leaves of the unit's employees with open replacement shifts still to come (roster.manage), newest
    first; whether the employee reported it themself. One query."""
    if not can_manage_roster(actor, unit):
        return []
    unit_id = unit if isinstance(unit, int) else unit.pk
    # From the open replacement shifts still to come (few, found by the end-time index) to their sick leaves,
    # not from every sick leave of the unit's history to its shifts: a unit's ten years hold thousands of leaves.
    open_counts = dict(
        Shift.objects.filter(
            ends_at__gt=clock.now(),
            employee__isnull=True,
            status=Shift.Status.PUBLISHED,
            replaces__absence__employee__unit_id=unit_id,
            replaces__absence__kind=Absence.Kind.SICK,
            replaces__absence__cancelled_at__isnull=True,
        )
        .order_by()
        .values("replaces__absence")
        .annotate(n=Count("pk"))
        .values_list("replaces__absence", "n")
    )
    if not open_counts:
        return []
    rows = Absence.objects.filter(pk__in=open_counts).select_related("employee").order_by("-recorded_at", "-pk")
    return [
        SickCall(a, open_counts[a.pk], a.recorded_by_id is not None and a.recorded_by_id == a.employee.user_id)
        for a in rows
    ]


def sick_call_get(actor: Any, pk: int) -> Absence:
    """A sick leave of an employee of a unit whose roster the actor manages (404 otherwise)."""
    absence = (
        Absence.objects.select_related("employee__unit")
        .filter(pk=pk, employee__unit_id__in=unit_ids_with(actor, Perm.ROSTER_MANAGE))
        .first()
    )
    if absence is None:
        raise Http404("Frånvaron finns inte eller så saknar du behörighet.")
    return absence


def sick_call_shifts(actor: Any, absence: Absence) -> list[Shift]:
    """The replacement shifts the sick leave opened (covered or not), in time order."""
    return list(_with_people(visible_shifts(actor).filter(replaces__absence=absence)).select_related("replaces"))


def offers_sent(shift_ids: Iterable[int]) -> dict[int, list[ShiftOfferRecipient]]:
    """Who each shift was offered to, by shift id (one query)."""
    found: dict[int, list[ShiftOfferRecipient]] = defaultdict(list)
    for row in (
        ShiftOfferRecipient.objects.filter(offer__shift_id__in=list(shift_ids))
        .select_related("employee", "offer")
        .order_by("offer__sent_at", "pk")
    ):
        found[row.offer.shift_id].append(row)
    return found


# --- Hours ---------------------------------------------------------------------------------------------


def _clipped_hours(starts_at: datetime.datetime, ends_at: datetime.datetime, period: Period) -> float:
    # In UTC, so that the length is elapsed time also across a daylight-saving change.
    start = max(starts_at, period.starts_at()).astimezone(datetime.UTC)
    end = min(ends_at, period.ends_at()).astimezone(datetime.UTC)
    return max(0.0, (end - start).total_seconds() / 3600)


@dataclass
class EmployeeHours:
    """An employee's hours in a period against the contract (working time: active time and jour)."""

    employee: Employee
    contracted_hours: float  # 0 for hourly-paid staff
    hourly_paid: bool
    published_hours: float = 0.0
    worked_hours: float = 0.0
    draft_hours: float = 0.0
    absent_hours: float = 0.0
    overtime_hours: float = 0.0  # published and worked shifts marked as overtime/mertid
    hourly_paid_hours: float = 0.0  # published and worked shifts of hourly-paid staff

    @property
    def scheduled_hours(self) -> float:
        """Published and worked hours: what the employee is rostered for."""
        return self.published_hours + self.worked_hours

    @property
    def difference(self) -> float:
        """Scheduled minus contracted hours (negative: below the contract)."""
        return self.scheduled_hours - self.contracted_hours


def hours_per_employee(actor: Any, unit: Unit, period: Period) -> list[EmployeeHours]:
    """Each employee of the unit in the period: contracted hours (term in force, else the employee's rate;
    hourly-paid 0), published, worked and draft hours, absent hours, overtime and hourly-paid hours."""
    _require_view(actor, unit)
    employees = list(
        Employee.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.start), unit=unit, start_date__lte=period.end
        ).order_by("last_name", "first_name", "pk")
    )
    contracts = loaders.contracts([e.pk for e in employees], period)
    rows = {
        e.pk: EmployeeHours(e, round(contracts[e.pk].contracted_hours(period), 2), contracts[e.pk].hourly_paid)
        for e in employees
    }
    shifts = Shift.objects.filter(
        employee_id__in=rows.keys(),
        kind__in=WORK_KINDS,
        starts_at__lt=period.ends_at(),
        ends_at__gt=period.starts_at(),
    ).values_list("employee_id", "starts_at", "ends_at", "status", "is_overtime", "is_hourly_paid")
    for employee_id, starts_at, ends_at, status, overtime, hourly in shifts:
        row, hours = rows[employee_id], _clipped_hours(starts_at, ends_at, period)
        if status == Shift.Status.PUBLISHED:
            row.published_hours += hours
        elif status == Shift.Status.WORKED:
            row.worked_hours += hours
        elif status == Shift.Status.DRAFT:
            row.draft_hours += hours
        elif status == Shift.Status.ABSENT:
            row.absent_hours += hours
        if status in loaders.FIXED_STATUSES:
            row.overtime_hours += hours if overtime else 0.0
            row.hourly_paid_hours += hours if hourly else 0.0
    return list(rows.values())


@dataclass
class ClientHours:
    """A client's hours in a period against what the unit's orders grant (double staffing per person)."""

    client: Client
    granted_hours: float | None  # None: no order limits hours (occasions)
    published_hours: float = 0.0
    worked_hours: float = 0.0
    draft_hours: float = 0.0

    @property
    def scheduled_hours(self) -> float:
        return self.published_hours + self.worked_hours

    @property
    def percent_used(self) -> float | None:
        if not self.granted_hours:
            return None
        return round(100 * self.scheduled_hours / self.granted_hours, 1)

    @property
    def percent_with_drafts(self) -> float | None:
        if not self.granted_hours:
            return None
        return round(100 * (self.scheduled_hours + self.draft_hours) / self.granted_hours, 1)

    @property
    def alert(self) -> int | None:
        """80, 90 or 100 when that share of the granted hours is used (DOMAIN §6), else None."""
        used = self.percent_used
        return next((level for level in ALERT_LEVELS if used is not None and used >= level), None)


def _client_hours(unit: Unit, period: Period) -> tuple[dict[int, float | None], dict[int, dict[str, float]]]:
    """The unit's granted hours per client for the period, and its live shifts' hours per client and status.

    Kept until the next write (`bista.core.datacache`): the figures depend only on the unit's shifts, orders and
    client links, all written through audited services, and on the period (the start page asks for the month's
    on every request). The callers have checked that the actor may see the unit."""
    return datacache.cached(
        "rostering.client_hours", (unit.pk, period.start, period.end), lambda: _compute_client_hours(unit, period)
    )


def _compute_client_hours(unit: Unit, period: Period) -> tuple[dict[int, float | None], dict[int, dict[str, float]]]:
    starts, ends = period.starts_at(), period.ends_at()
    live = Shift.objects.filter(unit=unit, status__in=loaders.LIVE_STATUSES, starts_at__lt=ends, ends_at__gt=starts)
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    # Summed by the database for the shifts wholly inside the period (a month's thousands of shifts are not
    # read one by one); only those across its first or last moment are clipped here.
    inside = (
        live.filter(starts_at__gte=starts, ends_at__lte=ends)
        .values("client_id", "status")
        .annotate(length=Sum(F("ends_at") - F("starts_at")))
        .order_by()
    )
    for row in inside:
        sums[row["client_id"]][row["status"]] += row["length"].total_seconds() / 3600
    across = live.filter(Q(starts_at__lt=starts) | Q(ends_at__gt=ends))
    for client_id, starts_at, ends_at, status in across.values_list("client_id", "starts_at", "ends_at", "status"):
        sums[client_id][status] += _clipped_hours(starts_at, ends_at, period)
    granted = loaders.granted_hours(loaders.unit_client_ids(unit, period), period, unit_id=unit.pk)
    return granted, {client_id: dict(hours) for client_id, hours in sums.items()}


def _row(client: Client, granted: float | None, hours: dict[str, float]) -> ClientHours:
    row = ClientHours(client, None if granted is None else round(granted or 0, 2))
    for status, length in hours.items():
        if status == Shift.Status.PUBLISHED:
            row.published_hours += length
        elif status == Shift.Status.WORKED:
            row.worked_hours += length
        else:
            row.draft_hours += length
    return row


def hours_per_client(actor: Any, unit: Unit, period: Period) -> list[ClientHours]:
    """Each client of the unit with orders or shifts in the period: granted, scheduled and worked hours."""
    _require_view(actor, unit)
    granted, sums = _client_hours(unit, period)
    clients = Client.objects.filter(pk__in=set(granted) | set(sums)).order_by("last_name", "first_name", "pk")
    return [_row(client, granted.get(client.pk), sums.get(client.pk, {})) for client in clients]


def clients_near_granted(actor: Any, unit: Unit, period: Period, percent: float) -> list[ClientHours]:
    """The rows of `hours_per_client` using at least `percent` of their granted hours, most used first (then by
    name): the same figures, with only those clients read (the start page's box, on every request)."""
    _require_view(actor, unit)
    granted, sums = _client_hours(unit, period)
    near = set()
    for client_id, hours in granted.items():
        limit = round(hours or 0, 2)  # as ClientHours.percent_used computes it, for these clients only
        hours_of = sums.get(client_id, {})
        scheduled = hours_of.get(Shift.Status.PUBLISHED, 0.0) + hours_of.get(Shift.Status.WORKED, 0.0)
        if limit and round(100 * scheduled / limit, 1) >= percent:
            near.add(client_id)
    clients = Client.objects.filter(pk__in=near).order_by("last_name", "first_name", "pk")
    rows = [_row(client, granted.get(client.pk), sums.get(client.pk, {})) for client in clients]
    rows.sort(key=lambda row: -(row.percent_used or 0))
    return rows


@dataclass(frozen=True)
class ClientMonth:
    """A client's hours in one month at one unit: what the orders grant, what is scheduled and worked."""

    first: datetime.date
    granted_hours: float | None  # None: no order limits hours (occasions) or no order that month
    scheduled_hours: float  # published and worked shifts
    worked_hours: float


def client_hours_by_month(
    actor: Any, client: Client, unit: Unit, last: datetime.date, months: int
) -> list[ClientMonth]:
    """The client's granted, scheduled and worked hours at the unit, month by month, the `months` contract
    periods ending with the one holding `last` (oldest first). One query for the shifts, one per month for the
    orders."""
    _require_view(actor, unit)
    periods = [rules.contract_period(deadlines.add_months(last.replace(day=1), -back)) for back in range(months)][::-1]
    shifts = list(
        Shift.objects.filter(
            unit=unit,
            client=client,
            status__in=(Shift.Status.PUBLISHED, Shift.Status.WORKED),
            starts_at__lt=periods[-1].ends_at(),
            ends_at__gt=periods[0].starts_at(),
        ).values_list("starts_at", "ends_at", "status")
    )
    result = []
    for period in periods:
        scheduled = worked = 0.0
        for starts_at, ends_at, status in shifts:
            hours = _clipped_hours(starts_at, ends_at, period)
            scheduled += hours
            worked += hours if status == Shift.Status.WORKED else 0.0
        granted = loaders.granted_hours([client.pk], period, unit_id=unit.pk).get(client.pk)
        result.append(ClientMonth(period.start, None if granted is None else round(granted, 2), scheduled, worked))
    return result


# --- Open shifts: who can take it ------------------------------------------------------------------------


@dataclass
class Candidate:
    """Someone who can take an open shift without breaking a hard rule, with what it costs and why."""

    employee: Employee
    rank: int
    overtime_hours: float
    hourly_paid: bool
    worked_with_client: bool
    chosen: bool
    warnings: list[Violation] = field(default_factory=list)
    in_client_team: bool = False
    cost: float = 0.0
    reasons: list[str] = field(default_factory=list)  # Swedish, for the list shown to the manager
    day_hours: float = 0.0  # working hours that day with the shift (its start's local day)
    part_time: bool = False  # hours beyond the contract are mertid (part time), not övertid

    @property
    def meaning(self) -> list[str]:
        """What taking the shift would mean, in Swedish: "blir 15 h den dagen", "3 h mertid", "timavlönad"."""
        texts = [f"blir {rules.explain_hours(self.day_hours)} den dagen"]
        if self.overtime_hours:
            texts.append(f"{rules.explain_hours(self.overtime_hours)} {'mertid' if self.part_time else 'övertid'}")
        if self.hourly_paid:
            texts.append("timavlönad")
        return texts


def _local(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def _reasons(
    in_team: bool, worked: bool, chosen: bool, overtime: float, hourly: bool, gender_matches: bool | None
) -> list[str]:
    reasons = ["Arbetar i brukarens arbetsgrupp" if in_team else "Arbetar inte i brukarens arbetsgrupp"]
    reasons.append(
        f"Har arbetat hos brukaren de senaste {CONTINUITY_DAYS} dagarna"
        if worked
        else f"Har inte arbetat hos brukaren de senaste {CONTINUITY_DAYS} dagarna"
    )
    if chosen:
        reasons.append("Vald av brukaren")
    if overtime > 0:
        reasons.append(f"Blir övertid/mertid: {rules.explain_hours(overtime)}")
    if hourly:
        reasons.append("Timavlönad")
    if gender_matches is not None:
        reasons.append("Kön enligt brukarens önskemål" if gender_matches else "Annat kön än brukaren önskar")
    return reasons


def open_shift_candidates(actor: Any, shift: Shift, *, weights: Weights | None = None) -> list[Candidate]:
    """Employees of the shift's unit who can take the open shift, best first: those in the client's teams
    before the others, then by cost (overtime, hourly pay, no continuity with the client, not chosen by
    the client, not the gender the client prefers). People who would break a hard rule are left out.

    A fixed number of queries whatever the size of the staff: the facts in bulk, then one query for all
    the candidates' shifts around the open shift and one for who has worked with the client lately."""
    # Here, not at the top: importing the optimiser package loads OR-Tools (about a second) for every page.
    from bista.rostering.optimiser import objective

    _require_view(actor, shift.unit_id)
    if shift.employee_id is not None or shift.status not in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
        return []
    w = weights or Weights()
    first, last = _local(shift.starts_at), _local(shift.ends_at - datetime.timedelta(microseconds=1))
    employees = {
        e.pk: e
        for e in Employee.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=last), unit_id=shift.unit_id, start_date__lte=first
        )
    }
    if not employees:
        return []
    period = rules.contract_period(first)
    since = min(period.starts_at(), shift.starts_at - AROUND)
    until = max(period.ends_at(), shift.ends_at + AROUND)
    around = (
        Shift.objects.filter(
            Q(employee_id__in=employees.keys(), starts_at__lt=until, ends_at__gt=since)
            | Q(client_id=shift.client_id, starts_at__lt=period.ends_at(), ends_at__gt=period.starts_at()),
            status__in=loaders.LIVE_STATUSES,
        )
        .exclude(pk=shift.pk)
        .only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
        .order_by("starts_at", "pk")
    )
    facts = [loaders.shift_fact(s) for s in around]
    client_shifts = [
        s
        for s in facts
        if s.client_id == shift.client_id and period.starts_at() < s.ends_at and s.starts_at < period.ends_at()
    ]
    by_employee: dict[int, list[ShiftFact]] = defaultdict(list)
    for fact in facts:
        if fact.employee_id is not None:
            by_employee[fact.employee_id].append(fact)
    worked_with = set(
        Shift.objects.filter(
            client_id=shift.client_id,
            employee_id__in=employees.keys(),
            status__in=loaders.FIXED_STATUSES,
            starts_at__gte=shift.starts_at - datetime.timedelta(days=CONTINUITY_DAYS),
            starts_at__lt=shift.starts_at,
        ).values_list("employee_id", flat=True)
    )
    people = loaders.employee_facts(employees.keys(), period)
    client = loaders.client_facts([shift.client_id], period)[shift.client_id]
    open_fact = loaders.shift_fact(shift)
    candidates: list[Candidate] = []
    for employee_id, person in people.items():
        fact = dataclasses.replace(open_fact, employee_id=employee_id, is_overtime=False)
        mine = by_employee.get(employee_id, [])
        others = list({s.key: s for s in [*mine, *client_shifts]}.values())
        violations = rules.check_shift(fact, others, person, client, period)
        if any(v.hard and v.rule not in SOFT_ON_SAVE for v in violations):
            continue
        overtime = rules.overtime_hours_for(fact, mine, person, period)
        in_team = bool(person.team_ids & client.team_ids)
        worked = employee_id in worked_with
        chosen = employee_id in client.chosen_employee_ids
        gender_matches = None if not client.preferred_gender else person.gender == client.preferred_gender
        cost = objective.open_shift_cost(
            w, client=client, employee=person, hours=fact.hours, overtime_hours=overtime, continues=worked
        )
        day_start = loaders.local_start(first)
        day_end = loaders.local_start(first + datetime.timedelta(days=1))
        day_hours = fact.hours + sum(
            s.hours for s in mine if s.counts_as_work and s.starts_at < day_end and s.ends_at > day_start
        )
        candidates.append(
            Candidate(
                day_hours=round(day_hours, 2),
                part_time=not person.hourly_paid and person.employment_rate < 100,
                employee=employees[employee_id],
                rank=0,
                overtime_hours=round(overtime, 2),
                hourly_paid=person.hourly_paid,
                worked_with_client=worked,
                chosen=chosen,
                warnings=[v for v in violations if not (v.hard and v.rule not in SOFT_ON_SAVE)],
                in_client_team=in_team,
                cost=round(cost, 2),
                reasons=_reasons(in_team, worked, chosen, overtime, person.hourly_paid, gender_matches),
            )
        )
    candidates.sort(
        key=lambda c: (not c.in_client_team, c.cost, c.employee.last_name, c.employee.first_name, c.employee.pk)
    )
    for rank, candidate in enumerate(candidates, start=1):
        candidate.rank = rank
    return candidates


# --- Roster jobs ---------------------------------------------------------------------------------------


def roster_jobs(actor: Any, unit: Unit) -> QuerySet[RosterJob]:
    _require_view(actor, unit)
    return RosterJob.objects.filter(unit=unit).select_related("unit", "created_by").order_by("-created_at", "-pk")


def roster_job(actor: Any, job_id: int) -> RosterJob:
    """One job of a unit whose roster the actor sees (404 otherwise)."""
    job = RosterJob.objects.filter(pk=job_id, unit_id__in=_roster_units(actor)).select_related("unit").first()
    if job is None:
        raise Http404("Schemaoptimeringen finns inte eller så saknar du behörighet.")
    return job


@dataclass
class JobProposal:
    job: RosterJob
    shifts: list[Shift]
    uncovered: list[dict[str, Any]]
    statistics: dict[str, Any]


def job_proposal(actor: Any, job: RosterJob) -> JobProposal:
    """The job's proposed shifts (cancelled ones left out), its uncovered needs and statistics."""
    _require_view(actor, job.unit_id)
    shifts = list(_with_people(Shift.objects.filter(job=job).exclude(status=Shift.Status.CANCELLED)))
    return JobProposal(job=job, shifts=shifts, uncovered=list(job.uncovered), statistics=dict(job.statistics))
