"""The working-time rules (DOMAIN §5, ADR 0005) as pure functions over `facts`: no ORM, no clock.

Every place that asks whether a shift or a roster keeps the rules — saving a shift, ranking who can take an
open shift, the optimiser, the demo history — asks here, so they cannot disagree.

Lengths of time are elapsed time: every datetime is converted to UTC before it is subtracted or compared,
because Python subtracts two datetimes with the *same* tzinfo on the wall clock (a 22:00–07:00 night in
Europe/Stockholm would otherwise be 9 h on both daylight-saving nights instead of 8 h and 10 h). Calendar
boundaries (weeks, months, years, the dates a shift touches) are taken in Europe/Stockholm.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from bista.core.clock import STOCKHOLM
from bista.rostering.facts import (
    AbsenceFact,
    ClientFacts,
    EmployeeFacts,
    ExceptionFact,
    Kind,
    Period,
    ShiftFact,
    Violation,
)

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
# Hour sums are floats; a sum that equals its limit must not be reported for a rounding error.
EPSILON_HOURS = 1e-6

OVERLAP = "overlap"
PASS_LENGTH = "pass_length"
DAILY_REST = "daily_rest"
PASS_REST = "pass_rest"
WEEKLY_REST = "weekly_rest"
ORDINARY_HOURS = "ordinary_hours"
AVERAGE_HOURS = "average_hours"
OVERTIME_YEAR = "overtime_year"
COMPETENCE = "competence"
DELEGATION = "delegation"
ABSENCE = "absence"
EXCLUDED = "excluded"
DECISION_HOURS = "decision_hours"

RULES: tuple[str, ...] = (
    OVERLAP,
    PASS_LENGTH,
    DAILY_REST,
    PASS_REST,
    WEEKLY_REST,
    ORDINARY_HOURS,
    AVERAGE_HOURS,
    OVERTIME_YEAR,
    COMPETENCE,
    DELEGATION,
    ABSENCE,
    EXCLUDED,
    DECISION_HOURS,
)
# Rules whose violation is a warning, never a refusal.
SOFT_RULES = frozenset({ORDINARY_HOURS})

WEEKDAY_NAMES = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
ABSENCE_KIND_NAMES = {
    "sick": "sjukfrånvaro",
    "vacation": "semester",
    "parental": "föräldraledighet",
    "care_of_child": "vård av barn",
    "other": "annan ledighet",
}


# --- Formatting (Swedish, Europe/Stockholm) ---------------------------------------------------------------


def explain_hours(hours: float) -> str:
    """A length in hours as people say it: "7 h 30 min", "9 h", "45 min" (rounded to the minute)."""
    minutes = round(hours * 60)
    sign = "−" if minutes < 0 else ""
    whole, rest = divmod(abs(minutes), 60)
    if whole and rest:
        return f"{sign}{whole} h {rest} min"
    if whole:
        return f"{sign}{whole} h"
    return f"{sign}{rest} min"


def explain_duration(duration: datetime.timedelta) -> str:
    return explain_hours(duration.total_seconds() / 3600)


def format_day(day: datetime.date) -> str:
    """ "tis 3 mar"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"


def format_date(day: datetime.date) -> str:
    """ "3 mar 2026"."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def format_when(moment: datetime.datetime) -> str:
    """ "tis 3 mar 22:00", in Europe/Stockholm."""
    local = moment.astimezone(STOCKHOLM)
    return f"{format_day(local.date())} {local:%H:%M}"


def format_span(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """ "tis 3 mar 07:00–15:00", or "tis 3 mar 22:00–ons 4 mar 07:00" across midnight."""
    start, end = starts_at.astimezone(STOCKHOLM), ends_at.astimezone(STOCKHOLM)
    if start.date() == end.date():
        return f"{format_when(start)}–{end:%H:%M}"
    return f"{format_when(start)}–{format_when(end)}"


def format_period(period: Period) -> str:
    """ "1 mar–31 mar 2026", or "28 dec 2026–24 jan 2027"."""
    if period.start.year == period.end.year:
        return f"{period.start.day} {MONTH_NAMES[period.start.month - 1]}–{format_date(period.end)}"
    return f"{format_date(period.start)}–{format_date(period.end)}"


def _absence_dates(absence: AbsenceFact) -> str:
    if absence.ends_on is None:
        return f"från {format_date(absence.starts_on)}"
    if absence.ends_on == absence.starts_on:
        return format_date(absence.starts_on)
    return format_period(Period(absence.starts_on, absence.ends_on))


# --- Time helpers ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Timed:
    """A shift with its times in UTC, so that subtraction and comparison are elapsed time."""

    shift: ShiftFact
    start: datetime.datetime
    end: datetime.datetime

    @property
    def key(self) -> str:
        return self.shift.key

    @property
    def order(self) -> tuple[datetime.datetime, datetime.datetime, str]:
        return (self.start, self.end, self.shift.key)


def _timed(shift: ShiftFact) -> _Timed:
    return _Timed(shift, shift.starts_at.astimezone(UTC), shift.ends_at.astimezone(UTC))


def _sorted(timed: Iterable[_Timed]) -> list[_Timed]:
    return sorted(timed, key=lambda t: t.order)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    """The instant a local date begins, in UTC (midnight always exists in Europe/Stockholm)."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=STOCKHOLM).astimezone(UTC)


def _overlap_hours(
    start: datetime.datetime, end: datetime.datetime, lo: datetime.datetime, hi: datetime.datetime
) -> float:
    seconds = (min(end, hi) - max(start, lo)).total_seconds()
    return max(seconds, 0.0) / 3600


def _start_day(timed: _Timed) -> datetime.date:
    return timed.start.astimezone(STOCKHOLM).date()


def _days_touched(timed: _Timed) -> tuple[datetime.date, datetime.date]:
    """The first and last local date a shift touches (a shift ending at midnight does not touch the next day)."""
    last = (timed.end - datetime.timedelta(microseconds=1)).astimezone(STOCKHOLM).date()
    return _start_day(timed), max(last, _start_day(timed))


def _keys(timed: Iterable[_Timed]) -> tuple[str, ...]:
    return tuple(t.key for t in _sorted(timed))


@dataclass(frozen=True)
class _Window:
    """The checked period as UTC instants, with its calendar weeks and years."""

    period: Period
    start: datetime.datetime
    end: datetime.datetime

    @classmethod
    def of(cls, period: Period) -> _Window:
        return cls(period, _local_midnight(period.start), _local_midnight(period.end + datetime.timedelta(days=1)))

    def touches(self, timed: _Timed) -> bool:
        return timed.start < self.end and timed.end > self.start

    def hours(self, timed: _Timed) -> float:
        return _overlap_hours(timed.start, timed.end, self.start, self.end)

    def weeks(self) -> list[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
        """Each calendar week (Monday 00:00 to Monday 00:00 local) that intersects the period."""
        monday = self.period.start - datetime.timedelta(days=self.period.start.weekday())
        weeks = []
        while monday <= self.period.end:
            following = monday + datetime.timedelta(days=7)
            weeks.append((monday, _local_midnight(monday), _local_midnight(following)))
            monday = following
        return weeks


# --- Public helpers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkPeriod:
    """Work shifts with less than the daily rest between them (a split shift is one work period).

    `starts_at`/`ends_at` are UTC; `span` is the elapsed time from the first start to the last end.
    """

    shifts: tuple[ShiftFact, ...]
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def span(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at


def work_periods(shifts: Sequence[ShiftFact], daily_rest: datetime.timedelta) -> list[WorkPeriod]:
    """One employee's work shifts (active and jour; beredskap is ignored) grouped into work periods."""
    return [period for period, _ in _work_periods(_sorted(_timed(s) for s in shifts if s.counts_as_work), daily_rest)]


def contract_period(day: datetime.date) -> Period:
    """The calendar month containing `day`: the period whose contracted hours decide overtime."""
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return Period(first, following - datetime.timedelta(days=1))


def ordinary_hours_limit(employee: EmployeeFacts, period: Period) -> float:
    """Hours of ordinary time before overtime/mertid: the contract, or full time for hourly-paid staff."""
    if employee.hourly_paid:
        return employee.limits.ordinary_hours_per_week * period.weeks
    return employee.contracted_hours(period)


def overtime_hours_for(shift: ShiftFact, others: Sequence[ShiftFact], employee: EmployeeFacts, period: Period) -> float:
    """How many of the shift's hours within `period` lie beyond the contract, given the employee's other
    ordinary (active, not overtime) shifts in the period. Jour and beredskap are never ordinary time."""
    if shift.kind != Kind.ACTIVE:
        return 0.0
    window = _Window.of(period)
    own = window.hours(_timed(shift))
    if own <= 0:
        return 0.0
    used = sum(
        window.hours(_timed(other))
        for other in others
        if other.key != shift.key
        and other.employee_id == employee.employee_id
        and other.kind == Kind.ACTIVE
        and not other.is_overtime
    )
    beyond = used + own - ordinary_hours_limit(employee, period)
    return min(own, beyond) if beyond > EPSILON_HOURS else 0.0


def covering_exception(employee: EmployeeFacts, day: datetime.date, client_ids: Iterable[int]) -> ExceptionFact | None:
    """A registered exception of the employee valid on `day` at every one of the clients (earliest id first)."""
    clients = set(client_ids)
    for exception in sorted(employee.exceptions, key=lambda e: e.id):
        if not exception.valid_from <= day <= exception.valid_to:
            continue
        if exception.client_id is None or clients <= {exception.client_id}:
            return exception
    return None


# --- The checker -------------------------------------------------------------------------------------------


def check_roster(
    shifts: Sequence[ShiftFact],
    employees: Mapping[int, EmployeeFacts],
    clients: Mapping[int, ClientFacts],
    period: Period,
) -> list[Violation]:
    """Every rule broken by the shifts within the period (shifts around it count for rest and overlap).

    A violation is reported when one of its shifts touches the period; employees without facts get only
    the overlap rule, clients without facts no client rule.
    """
    window = _Window.of(period)
    timed = [_timed(s) for s in shifts]
    by_employee: dict[int, list[_Timed]] = defaultdict(list)
    by_client: dict[int, list[_Timed]] = defaultdict(list)
    for t in timed:
        if t.shift.employee_id is not None:
            by_employee[t.shift.employee_id].append(t)
        by_client[t.shift.client_id].append(t)
    found: list[Violation] = []
    for employee_id, own in by_employee.items():
        found += _employee_violations(employee_id, _sorted(own), employees.get(employee_id), clients, window)
    for client_id, at_client in by_client.items():
        client = clients.get(client_id)
        if client is not None:
            found += _decision_hours(client, _sorted(at_client), window)
    return _ordered(found)


def check_shift(
    shift: ShiftFact,
    others: Sequence[ShiftFact],
    employee: EmployeeFacts | None,
    client: ClientFacts,
    period: Period,
) -> list[Violation]:
    """The violations the shift takes part in, given the employee's other shifts around it and the client's
    shifts in the period (`others`; an earlier version of the same shift, same key, is ignored).

    Exactly the violations `check_roster(others + [shift])` reports with the shift among their shifts, except
    that hours beyond the decision are a warning here (hard=False): a manager may knowingly go over.
    """
    window = _Window.of(period)
    kept = [_timed(o) for o in others if o.key != shift.key]
    new = _timed(shift)
    found: list[Violation] = []
    if shift.employee_id is not None:
        own = _sorted([t for t in kept if t.shift.employee_id == shift.employee_id] + [new])
        found += _employee_violations(shift.employee_id, own, employee, {client.client_id: client}, window)
    if client.client_id == shift.client_id:
        at_client = _sorted([t for t in kept if t.shift.client_id == shift.client_id] + [new])
        found += [replace(v, hard=False) for v in _decision_hours(client, at_client, window)]
    return _ordered(v for v in found if shift.key in v.shift_keys)


def _ordered(violations: Iterable[Violation]) -> list[Violation]:
    """A stable order that does not depend on the order the shifts were given in."""
    return sorted(
        violations,
        key=lambda v: (
            RULES.index(v.rule),
            -1 if v.employee_id is None else v.employee_id,
            -1 if v.client_id is None else v.client_id,
            v.shift_keys,
            v.message,
        ),
    )


def _employee_violations(
    employee_id: int,
    own: list[_Timed],
    employee: EmployeeFacts | None,
    clients: Mapping[int, ClientFacts],
    window: _Window,
) -> list[Violation]:
    """All per-employee rules over one employee's shifts, sorted by start."""
    name = employee.name if employee is not None else f"Medarbetare {employee_id}"
    found = _overlaps(employee_id, name, own, window)
    if employee is None:
        return found
    work = [t for t in own if t.shift.counts_as_work]
    periods = _work_periods(work, employee.limits.daily_rest)
    found += _pass_lengths(employee, periods, window)
    found += _pass_rests(employee, periods, window)
    found += _weekly_rests(employee, work, window)
    found += _ordinary_hours(employee, own, window)
    found += _average_hours(employee, work, window)
    found += _overtime_year(employee, own, window)
    for t in own:
        if not window.touches(t):
            continue
        client = clients.get(t.shift.client_id)
        found += _absences(employee, t)
        if client is not None:
            found += _competence(employee, client, t)
            found += _delegation(employee, client, t)
            found += _excluded(employee, client, t)
    return found


# --- overlap ---


def _overlaps(employee_id: int, name: str, own: list[_Timed], window: _Window) -> list[Violation]:
    """Every pair of the employee's shifts (any kind) that overlap; touching end to start is fine."""
    found = []
    running: list[_Timed] = []  # shifts still going on at the current start
    for t in own:
        running = [r for r in running if r.end > t.start]
        for r in running:
            if window.touches(r) or window.touches(t):
                found.append(
                    Violation(
                        OVERLAP,
                        f"{name}: passet {format_span(t.start, t.end)} överlappar passet "
                        f"{format_span(r.start, r.end)}.",
                        employee_id=employee_id,
                        shift_keys=(r.key, t.key),
                    )
                )
        running.append(t)
    return found


# --- pass length, daily rest and the rest after a long pass ---


@dataclass(frozen=True)
class _Gap:
    """The longest rest inside a work period: after `before` ends, until `after` starts."""

    before: _Timed
    after: _Timed
    length: datetime.timedelta


def _work_periods(work: list[_Timed], daily_rest: datetime.timedelta) -> list[tuple[WorkPeriod, _Gap | None]]:
    """Sorted work shifts merged while the rest after the latest end so far is shorter than the daily rest;
    each work period with the longest rest inside it (None for a single shift)."""
    groups: list[list[_Timed]] = []
    latest_end: datetime.datetime | None = None
    for t in work:
        if latest_end is not None and t.start - latest_end < daily_rest:
            groups[-1].append(t)
            latest_end = max(latest_end, t.end)
        else:
            groups.append([t])
            latest_end = t.end
    return [_work_period(group) for group in groups]


def _work_period(group: list[_Timed]) -> tuple[WorkPeriod, _Gap | None]:
    latest = group[0]  # the shift that ends last so far
    longest: _Gap | None = None
    for t in group[1:]:
        gap = t.start - latest.end
        if longest is None or gap > longest.length:
            longest = _Gap(latest, t, gap)
        if t.end > latest.end:
            latest = t
    return WorkPeriod(tuple(t.shift for t in group), group[0].start, latest.end), longest


def _period_allowed(employee: EmployeeFacts, period: WorkPeriod) -> bool:
    """A work period within the longest pass, or within the longer limit under a registered exception."""
    limits = employee.limits
    if period.span <= limits.max_pass:
        return True
    if period.span > limits.max_pass_with_exception:
        return False
    day = period.starts_at.astimezone(STOCKHOLM).date()
    return covering_exception(employee, day, (s.client_id for s in period.shifts)) is not None


def _limit_text(employee: EmployeeFacts, period: WorkPeriod) -> str:
    limits = employee.limits
    if period.span > limits.max_pass_with_exception:
        return f"högst {explain_duration(limits.max_pass_with_exception)} även med registrerat undantag"
    return f"högst {explain_duration(limits.max_pass)} utan registrerat undantag"


def _pass_lengths(
    employee: EmployeeFacts, periods: list[tuple[WorkPeriod, _Gap | None]], window: _Window
) -> list[Violation]:
    found = []
    for period, gap in periods:
        timed = [_timed(s) for s in period.shifts]
        if _period_allowed(employee, period) or not any(window.touches(t) for t in timed):
            continue
        span = format_span(period.starts_at, period.ends_at)
        length = explain_duration(period.span)
        limit = _limit_text(employee, period)
        if gap is None:
            rule = PASS_LENGTH
            message = f"{employee.name}: passet {span} är {length} ({limit})."
        elif gap.length <= datetime.timedelta(0):
            rule = DAILY_REST
            message = f"{employee.name}: passen {span} följer på varandra utan vila och blir {length} ({limit})."
        else:
            rule = DAILY_REST
            message = (
                f"{employee.name}: dygnsvilan mellan passet som slutar {format_when(gap.before.end)} och passet "
                f"som börjar {format_when(gap.after.start)} blir {explain_duration(gap.length)} "
                f"(minst {explain_duration(employee.limits.daily_rest)}), så arbetspasset {span} blir {length} "
                f"({limit})."
            )
        found.append(Violation(rule, message, employee_id=employee.employee_id, shift_keys=_keys(timed)))
    return found


def _pass_rests(
    employee: EmployeeFacts, periods: list[tuple[WorkPeriod, _Gap | None]], window: _Window
) -> list[Violation]:
    """After a work period longer than the longest pass, the rest must be at least as long as the period."""
    found = []
    for (period, _), (following, _) in itertools.pairwise(periods):
        rest = following.starts_at - period.ends_at
        if period.span <= employee.limits.max_pass or rest >= period.span:
            continue
        timed = [_timed(s) for s in (*period.shifts, following.shifts[0])]
        if not any(window.touches(t) for t in timed):
            continue
        next_start = following.starts_at
        found.append(
            Violation(
                PASS_REST,
                f"{employee.name}: vilan efter arbetspasset {format_span(period.starts_at, period.ends_at)} "
                f"({explain_duration(period.span)}) blir {explain_duration(rest)} före passet som börjar "
                f"{format_when(next_start)} (minst lika lång som passet, {explain_duration(period.span)}).",
                employee_id=employee.employee_id,
                shift_keys=_keys(timed),
            )
        )
    return found


# --- weekly rest ---


def _merged(work: list[_Timed]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The union of sorted work intervals."""
    merged: list[tuple[datetime.datetime, datetime.datetime]] = []
    for t in work:
        if merged and t.start <= merged[-1][1]:
            if t.end > merged[-1][1]:
                merged[-1] = (merged[-1][0], t.end)
        else:
            merged.append((t.start, t.end))
    return merged


def _longest_free(
    busy: list[tuple[datetime.datetime, datetime.datetime]], lo: datetime.datetime, hi: datetime.datetime
) -> datetime.timedelta:
    """The longest time inside [lo, hi) not covered by the sorted, disjoint busy intervals."""
    longest = datetime.timedelta(0)
    free_from = lo
    for start, end in busy:
        if end <= lo:
            continue
        if start >= hi:
            break
        longest = max(longest, start - free_from)
        free_from = max(free_from, end)
    return max(longest, hi - free_from)


def _weekly_rests(employee: EmployeeFacts, work: list[_Timed], window: _Window) -> list[Violation]:
    found = []
    busy = _merged(work)
    minimum = employee.limits.weekly_rest
    for monday, lo, hi in window.weeks():
        longest = _longest_free(busy, lo, hi)
        if longest >= minimum:
            continue
        in_week = [t for t in work if t.start < hi and t.end > lo]
        sunday = monday + datetime.timedelta(days=6)
        found.append(
            Violation(
                WEEKLY_REST,
                f"{employee.name}: veckovilan vecka {monday.isocalendar().week} ({format_day(monday)}–"
                f"{format_day(sunday)} {sunday.year}) blir som längst {explain_duration(longest)} "
                f"(minst {explain_duration(minimum)}).",
                employee_id=employee.employee_id,
                shift_keys=_keys(in_week),
            )
        )
    return found


# --- hours: contract, 48 h average, overtime a year ---


def _ordinary_hours(employee: EmployeeFacts, own: list[_Timed], window: _Window) -> list[Violation]:
    counted = [t for t in own if t.shift.kind == Kind.ACTIVE and not t.shift.is_overtime and window.hours(t) > 0]
    total = sum(window.hours(t) for t in counted)
    limit = ordinary_hours_limit(employee, window.period)
    if total <= limit + EPSILON_HOURS:
        return []
    contract = "heltid" if employee.hourly_paid else "avtalets"
    return [
        Violation(
            ORDINARY_HOURS,
            f"{employee.name}: {explain_hours(total)} ordinarie tid {format_period(window.period)} är mer än "
            f"{contract} {explain_hours(limit)}; {explain_hours(total - limit)} blir övertid eller mertid.",
            employee_id=employee.employee_id,
            shift_keys=_keys(counted),
            hard=False,
        )
    ]


def _average_hours(employee: EmployeeFacts, work: list[_Timed], window: _Window) -> list[Violation]:
    counted = [t for t in work if window.hours(t) > 0]
    total = sum(window.hours(t) for t in counted)
    per_week = employee.limits.max_average_hours_per_week
    limit = per_week * window.period.weeks
    if total <= limit + EPSILON_HOURS:
        return []
    return [
        Violation(
            AVERAGE_HOURS,
            f"{employee.name}: {explain_hours(total)} arbetstid {format_period(window.period)} är i genomsnitt "
            f"{explain_hours(total / window.period.weeks)} per vecka (högst {explain_hours(per_week)} per vecka "
            f"inklusive övertid).",
            employee_id=employee.employee_id,
            shift_keys=_keys(counted),
        )
    ]


def _overtime_year(employee: EmployeeFacts, own: list[_Timed], window: _Window) -> list[Violation]:
    """Overtime per calendar year; the hours already worked (`overtime_hours_before`) belong to the year the
    period starts in, so a period across New Year starts the next year from its own shifts."""
    found: list[Violation] = []
    overtime = [t for t in own if t.shift.is_overtime]
    if not overtime:
        return found
    maximum = employee.limits.max_overtime_hours_per_year
    for year in range(window.period.start.year, window.period.end.year + 1):
        lo = max(window.start, _local_midnight(datetime.date(year, 1, 1)))
        hi = min(window.end, _local_midnight(datetime.date(year + 1, 1, 1)))
        counted = [t for t in overtime if _overlap_hours(t.start, t.end, lo, hi) > 0]
        before = employee.overtime_hours_before if year == window.period.start.year else 0.0
        total = before + sum(_overlap_hours(t.start, t.end, lo, hi) for t in counted)
        if not counted or total <= maximum + EPSILON_HOURS:
            continue
        found.append(
            Violation(
                OVERTIME_YEAR,
                f"{employee.name}: övertiden {year} blir {explain_hours(total)} (högst {explain_hours(maximum)} "
                f"per år).",
                employee_id=employee.employee_id,
                shift_keys=_keys(counted),
            )
        )
    return found


# --- per shift: competence, delegation, absence, exclusion ---


def _competence(employee: EmployeeFacts, client: ClientFacts, t: _Timed) -> list[Violation]:
    missing = client.required_competences - employee.competence_codes
    if not missing:
        return []
    return [
        Violation(
            COMPETENCE,
            f"{employee.name} saknar kompetens som {client.name} behöver ({', '.join(sorted(missing))}) för "
            f"passet {format_span(t.start, t.end)}.",
            employee_id=employee.employee_id,
            client_id=client.client_id,
            shift_keys=(t.key,),
        )
    ]


def _delegation(employee: EmployeeFacts, client: ClientFacts, t: _Timed) -> list[Violation]:
    day = _start_day(t)
    valid = {
        d.kind_code
        for d in employee.delegations
        if d.valid_from <= day <= d.valid_until and (d.client_id is None or d.client_id == client.client_id)
    }
    missing = client.required_delegations - valid
    if not missing:
        return []
    return [
        Violation(
            DELEGATION,
            f"{employee.name} har ingen giltig delegering ({', '.join(sorted(missing))}) hos {client.name} "
            f"{format_day(day)} för passet {format_span(t.start, t.end)}.",
            employee_id=employee.employee_id,
            client_id=client.client_id,
            shift_keys=(t.key,),
        )
    ]


def _absences(employee: EmployeeFacts, t: _Timed) -> list[Violation]:
    """A full absence on any date the shift touches forbids it; a partial one is a warning."""
    first, last = _days_touched(t)
    found = []
    for absence in employee.absences:
        if absence.starts_on > last or (absence.ends_on is not None and absence.ends_on < first):
            continue
        kind = ABSENCE_KIND_NAMES.get(absence.kind, absence.kind)
        span = format_span(t.start, t.end)
        if absence.extent >= 100:
            message = (
                f"{employee.name} är frånvarande ({kind}) {_absence_dates(absence)}; passet {span} kan inte läggas."
            )
        else:
            message = (
                f"{employee.name} är delvis frånvarande ({kind}, {absence.extent:g} %) {_absence_dates(absence)}; "
                f"kontrollera att passet {span} ryms."
            )
        found.append(
            Violation(
                ABSENCE,
                message,
                employee_id=employee.employee_id,
                client_id=t.shift.client_id,
                shift_keys=(t.key,),
                hard=absence.extent >= 100,
            )
        )
    return found


def _excluded(employee: EmployeeFacts, client: ClientFacts, t: _Timed) -> list[Violation]:
    if employee.employee_id not in client.excluded_employee_ids:
        return []
    return [
        Violation(
            EXCLUDED,
            f"{client.name} har valt bort {employee.name}; passet {format_span(t.start, t.end)} kan inte läggas "
            f"hos {client.name}.",
            employee_id=employee.employee_id,
            client_id=client.client_id,
            shift_keys=(t.key,),
        )
    ]


# --- per client: hours within the decisions ---


def _decision_hours(client: ClientFacts, at_client: list[_Timed], window: _Window) -> list[Violation]:
    """All the client's shifts in the period, open ones included, each person counted (double staffing)."""
    if client.granted_hours is None:
        return []
    counted = [t for t in at_client if window.hours(t) > 0]
    total = sum(window.hours(t) for t in counted)
    if total <= client.granted_hours + EPSILON_HOURS:
        return []
    return [
        Violation(
            DECISION_HOURS,
            f"{client.name}: {explain_hours(total)} schemalagd tid {format_period(window.period)} är mer än "
            f"besluten ger ({explain_hours(client.granted_hours)}).",
            client_id=client.client_id,
            shift_keys=_keys(counted),
        )
    ]
