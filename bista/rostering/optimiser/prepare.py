"""The instance in the optimiser's terms: integer minutes, who may take which need slot, and the parts of
the problem that do not share anyone (solved one at a time).

Pure: facts in, plain data out. Times are whole minutes of elapsed time from the period's first midnight
(Europe/Stockholm), so a night across a daylight-saving change has its real length and comparing two
instants is comparing two integers.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bista.core.clock import STOCKHOLM
from bista.rostering import rules
from bista.rostering.facts import (
    ClientFacts,
    EmployeeFacts,
    Instance,
    Kind,
    NeedSlot,
    Period,
    ShiftFact,
)

NIGHT_START = datetime.time(22)
NIGHT_END = datetime.time(6)

# Why an employee cannot take a slot (before looking at the rest of the roster), most basic first.
TEAM = "team"
COMPETENCE = "competence"
DELEGATION = "delegation"
EXCLUDED = "excluded"
ABSENT = "absent"
BUSY = "busy"  # overlaps a published shift of the employee
TOO_LONG = "too_long"  # longer than the longest pass and no registered exception
PASS_REST = "pass_rest"  # inside the rest after a long published work period


def minutes(delta: datetime.timedelta) -> int:
    return round(delta.total_seconds() / 60)


@dataclass(frozen=True)
class Timeline:
    """Instants as whole minutes from the period's first midnight."""

    origin: float  # POSIX timestamp of the period start
    period_start: int
    period_end: int

    @classmethod
    def of(cls, period: Period) -> Timeline:
        origin = period.starts_at().timestamp()
        return cls(origin, 0, round((period.ends_at().timestamp() - origin) / 60))

    def minute(self, moment: datetime.datetime) -> int:
        return round((moment.timestamp() - self.origin) / 60)

    def clipped(self, start: int, end: int) -> int:
        """Minutes of [start, end) inside the period."""
        return max(0, min(end, self.period_end) - max(start, self.period_start))


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=STOCKHOLM)


def touches_night(starts_at: datetime.datetime, ends_at: datetime.datetime) -> bool:
    """Whether any part of the shift lies between 22:00 and 06:00 local time."""
    start, end = starts_at.timestamp(), ends_at.timestamp()
    day = starts_at.astimezone(STOCKHOLM).date() - datetime.timedelta(days=1)
    last = ends_at.astimezone(STOCKHOLM).date()
    while day <= last:
        night_from = datetime.datetime.combine(day, NIGHT_START, tzinfo=STOCKHOLM).timestamp()
        night_to = datetime.datetime.combine(day + datetime.timedelta(days=1), NIGHT_END, tzinfo=STOCKHOLM)
        if start < night_to.timestamp() and end > night_from:
            return True
        day += datetime.timedelta(days=1)
    return False


def touches_weekend(starts_at: datetime.datetime, ends_at: datetime.datetime) -> bool:
    """Whether any part of the shift lies on a Saturday or Sunday (local time)."""
    day = starts_at.astimezone(STOCKHOLM).date()
    last = (ends_at - datetime.timedelta(microseconds=1)).astimezone(STOCKHOLM).date()
    while day <= last:
        if day.weekday() >= 5:
            return True
        day += datetime.timedelta(days=1)
    return False


def days_touched(starts_at: datetime.datetime, ends_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    first = starts_at.astimezone(STOCKHOLM).date()
    last = (ends_at - datetime.timedelta(microseconds=1)).astimezone(STOCKHOLM).date()
    return first, max(first, last)


@dataclass
class SlotData:
    index: int
    need: NeedSlot
    client: ClientFacts
    start: int
    end: int
    clipped: int  # minutes inside the period (what the hour rules count)
    work: bool  # active or jour (counts for rest and pass length)
    active: bool  # ordinary time (counts against the contract)
    night: bool
    weekend: bool
    count: int  # staff still to place: staff_count less the published shifts that already cover it
    start_day: datetime.date
    eligible: list[int] = field(default_factory=list)  # employee indexes

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass
class EmployeeData:
    index: int
    facts: EmployeeFacts
    fixed: list[ShiftFact]  # the employee's published shifts
    fixed_spans: list[tuple[int, int]]  # every kind (for overlap)
    fixed_work: list[tuple[int, int]]  # active and jour, sorted
    fixed_work_minutes: int  # inside the period
    fixed_ordinary_minutes: int  # active, not overtime, inside the period
    fixed_active_minutes: int  # active, inside the period
    fixed_overtime_minutes: int  # marked overtime, inside the period and its first calendar year
    fixed_nights: int
    fixed_weekends: int
    daily_rest: int
    weekly_rest: int
    max_pass: int
    max_pass_with_exception: int
    ordinary_limit: int  # minutes of ordinary time before overtime (contract; full time if hourly-paid)
    target: int  # contracted minutes for the days the employee is not absent (0 if hourly-paid)
    average_limit: int  # minutes of work the 48-hour average allows in the period
    overtime_allowance: int  # overtime minutes left this year
    long_periods: list[tuple[int, int]] = field(default_factory=list)  # published periods > max_pass: (end, span)

    @property
    def hourly_paid(self) -> bool:
        return self.facts.hourly_paid


@dataclass
class Component:
    """Clients and employees that share nobody with the rest of the instance."""

    slots: list[int]
    employees: list[int]
    size: int  # eligible (slot, employee) pairs


@dataclass
class Prepared:
    instance: Instance
    timeline: Timeline
    slots: list[SlotData]
    employees: list[EmployeeData]
    clients: dict[int, ClientFacts]
    employee_by_id: dict[int, int]
    fixed_by_client: dict[int, list[ShiftFact]]
    fixed_client_minutes: dict[int, int]  # all published shifts at the client inside the period
    fair_nights: list[int]
    fair_weekends: list[int]
    components: list[Component]

    @property
    def period(self) -> Period:
        return self.instance.period


# --- Eligibility ----------------------------------------------------------------------------------------


def basic_ineligibility(employee: EmployeeFacts, client: ClientFacts, need: NeedSlot) -> str | None:
    """Why the employee may never take the slot, whatever else is on the roster (None: they may)."""
    if not employee.team_ids & client.team_ids:
        return TEAM
    if not client.required_competences <= employee.competence_codes:
        return COMPETENCE
    if client.required_delegations:
        day = need.starts_at.astimezone(STOCKHOLM).date()
        valid = {
            d.kind_code
            for d in employee.delegations
            if d.valid_from <= day <= d.valid_until and (d.client_id is None or d.client_id == client.client_id)
        }
        if not client.required_delegations <= valid:
            return DELEGATION
    if employee.employee_id in client.excluded_employee_ids:
        return EXCLUDED
    first, last = days_touched(need.starts_at, need.ends_at)
    for absence in employee.absences:
        if (
            absence.extent >= 100
            and absence.starts_on <= last
            and (absence.ends_on is None or absence.ends_on >= first)
        ):
            return ABSENT
    return None


def _ineligibility(emp: EmployeeData, slot: SlotData) -> str | None:
    reason = basic_ineligibility(emp.facts, slot.client, slot.need)
    if reason is not None:
        return reason
    if any(start < slot.end and slot.start < end for start, end in emp.fixed_spans):
        return BUSY
    if slot.work:
        if slot.length > emp.max_pass:
            if slot.length > emp.max_pass_with_exception:
                return TOO_LONG
            if rules.covering_exception(emp.facts, slot.start_day, (slot.client.client_id,)) is None:
                return TOO_LONG
        for end, span in emp.long_periods:
            if end <= slot.start < end + span:
                return PASS_REST
    return None


# --- Building ---------------------------------------------------------------------------------------------


def _employee_data(
    index: int, facts: EmployeeFacts, fixed: list[ShiftFact], tl: Timeline, period: Period
) -> EmployeeData:
    limits = facts.limits
    spans = sorted((tl.minute(s.starts_at), tl.minute(s.ends_at)) for s in fixed)
    work_shifts = [s for s in fixed if s.counts_as_work]
    work = sorted((tl.minute(s.starts_at), tl.minute(s.ends_at)) for s in work_shifts)
    year_end = tl.minute(local_midnight(datetime.date(period.start.year + 1, 1, 1)))
    work_minutes = ordinary = active = overtime = nights = weekends = 0
    for s in fixed:
        start, end = tl.minute(s.starts_at), tl.minute(s.ends_at)
        inside = tl.clipped(start, end)
        if inside <= 0:
            continue
        if s.counts_as_work:
            work_minutes += inside
        if s.kind == Kind.ACTIVE:
            active += inside
            if not s.is_overtime:
                ordinary += inside
        if s.is_overtime:
            overtime += max(0, min(end, year_end, tl.period_end) - max(start, tl.period_start))
        if s.counts_as_work and touches_night(s.starts_at, s.ends_at):
            nights += 1
        if s.counts_as_work and touches_weekend(s.starts_at, s.ends_at):
            weekends += 1
    max_pass = minutes(limits.max_pass)
    long_periods = [
        (tl.minute(p.ends_at), minutes(p.span))
        for p in rules.work_periods(work_shifts, limits.daily_rest)
        if minutes(p.span) > max_pass
    ]
    available = _available_share(facts, period)
    contract = 0 if facts.hourly_paid else facts.contracted_hours(period) * 60
    allowance = (limits.max_overtime_hours_per_year - facts.overtime_hours_before) * 60 - overtime
    return EmployeeData(
        index=index,
        facts=facts,
        fixed=fixed,
        fixed_spans=spans,
        fixed_work=work,
        fixed_work_minutes=work_minutes,
        fixed_ordinary_minutes=ordinary,
        fixed_active_minutes=active,
        fixed_overtime_minutes=overtime,
        fixed_nights=nights,
        fixed_weekends=weekends,
        daily_rest=minutes(limits.daily_rest),
        weekly_rest=minutes(limits.weekly_rest),
        max_pass=max_pass,
        max_pass_with_exception=minutes(limits.max_pass_with_exception),
        ordinary_limit=math.floor(rules.ordinary_hours_limit(facts, period) * 60 + 1e-6),
        target=round(contract * available),
        average_limit=math.floor(limits.max_average_hours_per_week * period.weeks * 60 + 1e-6),
        overtime_allowance=max(0, math.floor(allowance + 1e-6)),
        long_periods=long_periods,
    )


def _available_share(facts: EmployeeFacts, period: Period) -> float:
    """The share of the period's days the employee is not absent (partial absences count by extent)."""
    absent = 0.0
    day = period.start
    while day <= period.end:
        absent += min(100.0, sum(a.extent for a in facts.absences if a.covers(day))) / 100
        day += datetime.timedelta(days=1)
    return max(0.0, 1 - absent / period.days)


def _covered_by_fixed(need: NeedSlot, fixed: Sequence[ShiftFact]) -> int:
    """Published shifts (open ones too) at the client with exactly the slot's times already cover it."""
    return sum(1 for s in fixed if s.starts_at == need.starts_at and s.ends_at == need.ends_at and s.kind == need.kind)


def _fair_shares(slots: list[SlotData], employees: list[EmployeeData], flag: str) -> list[int]:
    """Each employee's fair number of night (or weekend) shifts: every such slot shared among those who may
    take it in proportion to their employment rate (hourly-paid staff have no share)."""
    share = [0.0] * len(employees)
    for slot in slots:
        if not getattr(slot, flag) or not slot.work or slot.count == 0:
            continue
        rates = {e: employees[e].facts.employment_rate for e in slot.eligible if not employees[e].hourly_paid}
        total = sum(rates.values())
        if total <= 0:
            continue
        for e, rate in rates.items():
            share[e] += slot.count * rate / total
    return [math.ceil(s - 1e-6) for s in share]


def _components(slots: list[SlotData], n_employees: int) -> list[Component]:
    """Union-find over clients and employees: a client's slots stay together (its decision hours)."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(a: tuple[str, int], b: tuple[str, int]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    for slot in slots:
        if slot.count == 0 or not slot.eligible:
            continue
        client = ("c", slot.client.client_id)
        for e in slot.eligible:
            union(client, ("e", e))
    groups: dict[tuple[str, int], Component] = {}
    for slot in slots:
        if slot.count == 0 or not slot.eligible:
            continue
        root = find(("c", slot.client.client_id))
        component = groups.setdefault(root, Component([], [], 0))
        component.slots.append(slot.index)
        component.size += len(slot.eligible)
    for e in range(n_employees):
        node = ("e", e)
        if node in parent:
            groups[find(node)].employees.append(e)
    return sorted(groups.values(), key=lambda c: (c.size, c.slots[0]))


def prepare(instance: Instance) -> Prepared:
    period = instance.period
    tl = Timeline.of(period)
    clients = {c.client_id: c for c in instance.clients}
    fixed_by_employee: dict[int, list[ShiftFact]] = defaultdict(list)
    fixed_by_client: dict[int, list[ShiftFact]] = defaultdict(list)
    for s in instance.fixed_shifts:
        if s.employee_id is not None:
            fixed_by_employee[s.employee_id].append(s)
        fixed_by_client[s.client_id].append(s)
    employees = [
        _employee_data(i, facts, fixed_by_employee.get(facts.employee_id, []), tl, period)
        for i, facts in enumerate(instance.employees)
    ]
    employee_by_id = {e.facts.employee_id: e.index for e in employees}
    slots: list[SlotData] = []
    for need in sorted(instance.needs, key=lambda n: (n.starts_at.timestamp(), n.ends_at.timestamp(), n.key)):
        client = clients.get(need.client_id)
        if client is None:
            client = ClientFacts(client_id=need.client_id, name=f"Brukare {need.client_id}", team_ids=frozenset())
            clients[need.client_id] = client
        start, end = tl.minute(need.starts_at), tl.minute(need.ends_at)
        slot = SlotData(
            index=len(slots),
            need=need,
            client=client,
            start=start,
            end=end,
            clipped=tl.clipped(start, end),
            work=need.kind in (Kind.ACTIVE, Kind.ON_CALL),
            active=need.kind == Kind.ACTIVE,
            night=touches_night(need.starts_at, need.ends_at),
            weekend=touches_weekend(need.starts_at, need.ends_at),
            count=max(0, need.staff_count - _covered_by_fixed(need, fixed_by_client.get(need.client_id, []))),
            start_day=need.starts_at.astimezone(STOCKHOLM).date(),
        )
        if end > start and slot.count > 0:
            slot.eligible = [e.index for e in employees if _ineligibility(e, slot) is None]
        slots.append(slot)
    fixed_client_minutes = {
        client_id: sum(tl.clipped(tl.minute(s.starts_at), tl.minute(s.ends_at)) for s in shifts)
        for client_id, shifts in fixed_by_client.items()
    }
    return Prepared(
        instance=instance,
        timeline=tl,
        slots=slots,
        employees=employees,
        clients=clients,
        employee_by_id=employee_by_id,
        fixed_by_client=dict(fixed_by_client),
        fixed_client_minutes=fixed_client_minutes,
        fair_nights=_fair_shares(slots, employees, "night"),
        fair_weekends=_fair_shares(slots, employees, "weekend"),
        components=_components(slots, len(employees)),
    )


def ineligibility(prepared: Prepared, emp: EmployeeData, slot: SlotData) -> str | None:
    return _ineligibility(emp, slot)


def weeks_of(period: Period) -> Iterable[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """Each calendar week (Monday 00:00 to Monday 00:00, local) intersecting the period."""
    monday = period.start - datetime.timedelta(days=period.start.weekday())
    while monday <= period.end:
        following = monday + datetime.timedelta(days=7)
        yield monday, local_midnight(monday), local_midnight(following)
        monday = following
