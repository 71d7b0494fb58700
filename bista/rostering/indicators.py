"""Working-time indicators (nyckeltal) of a unit or team, computed from the shifts and absences.

Each indicator is a function of unit ids, optional team ids and a `ReportPeriod`, returning a `Figure`: the
value, its numerator and denominator, the split by gender and the way to the records behind it (a `Q` on
`Shift`, and for continuity the client-months). The governance context calls them through `INDICATORS` /
`compute`; the page /schema/nyckeltal/ through `year_overview`, which computes every figure of a year with
three GROUP BY queries (one per family below) and sums monthly buckets in Python.

Definitions (DOMAIN §7; the seeds' VP/VB report them per tertial and year, seed 004 also per month and
rolling 12 months, with women and men apart):

* **Periods** are calendar months, tertials (T1 January–April, T2 May–August, T3 September–December),
  years, and rolling 12 months ending with a given month. A shift belongs to the month of its *local start
  date* in Europe/Stockholm (a night 31 January 22:00 – 1 February 07:00 is January's; one starting
  1 May 00:30, which is still 30 April in UTC, is May's and T2's).
* **Hours** of a shift are elapsed hours (`ends_at - starts_at`): a 22–07 night is 8 h on the night the
  clocks go forward, 10 h on the night they go back.
* **Unit and team**: a shift counts for the unit it is booked on (`Shift.unit`). A team filter keeps the
  shifts of the team's *employees* (an employee's teams) for the hour indicators and the shifts at the
  team's *clients* for continuity (the client is what continuity counts). Open shifts (no employee) are
  never counted: they are nobody's scheduled or worked hours.
* **Gender**: the employee's recorded gender for the hour indicators, the client's for continuity.
  `by_gender` holds women ("K") and men ("M"); everyone else counts in the total only.

Family 1, sick leave (sjukfrånvaro):

* **Scheduled ordinary hours** (denominator) = hours of shifts of kind *active*, status *published*,
  *worked* or *absent*, not `is_overtime`.
* **Sick hours** = hours of those shifts with status *absent* whose absence is of kind *sick* and not
  cancelled (a cancelled absence was a mistake, its shifts still count as scheduled).
* **Sick leave** = sick hours / scheduled ordinary hours.
* **Sick leave days 1–14** = sick hours of shifts whose local start date is day 1–14 of their absence
  episode (`Absence.day_number`, counted from the episode's first day, across month ends) / the same
  scheduled ordinary hours. (Seed 002 reports a days 1–14 figure above the total, i.e. as a share of the
  sick hours; that is `days_1_14.numerator / sick_leave.numerator`, both available here.)

Family 2, worked hours (status *worked*, kinds *active* and *on call*):

* **Hourly-paid share** = worked hours of shifts with `is_hourly_paid` / all worked hours. Target
  `HOURLY_PAID_TARGET` (19 %, seed 000: "andelen arbetade timmar av timavlönad personal"), lower is better.
* **Overtime hours** = worked hours of `is_overtime` shifts (a sum; for a tertial or year the period's
  total). The denominator is None.

Family 3, staff continuity (personalkontinuitet):

* Per client and month: the number of distinct employees with worked shifts (kinds active and on call) at
  the client. The figure for a period is the average over the client-months of the period that had such
  shifts (numerator = the sum of the counts, denominator = the number of client-months), with the median
  beside it; split by the client's gender. Fewer distinct staff per client is better.

The functions here check no access (the governance registry and documents call them for a unit already
checked); `unit_overview` and `drill_down` are the entry points for views and the API, and do.
"""

from __future__ import annotations

import calendar
import datetime
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan

from bista.clients.models import Client
from bista.core import clock
from bista.core.access import SYSTEM, has_perm
from bista.core.clock import STOCKHOLM
from bista.core.permissions import Perm
from bista.rostering.models import Shift, ShiftKind
from bista.staff.models import Absence, Employee

WOMEN, MEN = "K", "M"
GENDERS = (WOMEN, MEN)
HOURLY_PAID_TARGET = 0.19  # seed 000, VP 2024: årsmål 19 % (the governance context will hold targets as data)
SICK_PAY_DAYS = 14  # sjuklöneperioden: days 1–14 of an episode

WORK_KINDS = (ShiftKind.ACTIVE, ShiftKind.ON_CALL)
SCHEDULED_STATUSES = (Shift.Status.PUBLISHED, Shift.Status.WORKED, Shift.Status.ABSENT)

MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


class Code:
    """The indicator codes (also their order on the page)."""

    SICK_LEAVE = "sick_leave"
    SICK_LEAVE_DAYS_1_14 = "sick_leave_days_1_14"
    HOURLY_PAID_SHARE = "hourly_paid_share"
    OVERTIME_HOURS = "overtime_hours"
    STAFF_CONTINUITY = "staff_continuity"


SICK_CODES = frozenset({Code.SICK_LEAVE, Code.SICK_LEAVE_DAYS_1_14})


# --- Periods ----------------------------------------------------------------------------------------------------


class PeriodKind:
    MONTH = "month"
    TERTIAL = "tertial"
    YEAR = "year"
    ROLLING_12 = "rolling_12"


_KEY = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})(?P<rolling>-R12)?|T(?P<tertial>[1-3])))?$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def _month_start(year: int, month: int) -> datetime.date:
    """The first day of `month` months after January `year` (month may be outside 1–12)."""
    return clock.month_start(year, month)


@dataclass(frozen=True)
class ReportPeriod:
    """A reporting period: `kind` with `year` and `number` (the month 1–12 for a month and for rolling
    12 months, which end with that month; the tertial 1–3; 0 for a year). Build with the class methods."""

    kind: str
    year: int
    number: int = 0

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year out of range: {self.year}")
        allowed = {
            PeriodKind.MONTH: range(1, 13),
            PeriodKind.ROLLING_12: range(1, 13),
            PeriodKind.TERTIAL: range(1, 4),
            PeriodKind.YEAR: range(0, 1),
        }.get(self.kind)
        if allowed is None or self.number not in allowed:
            raise ValueError(f"no such period: {self.kind} {self.number}")

    @classmethod
    def month(cls, year: int, month: int) -> ReportPeriod:
        return cls(PeriodKind.MONTH, year, month)

    @classmethod
    def tertial(cls, year: int, tertial: int) -> ReportPeriod:
        return cls(PeriodKind.TERTIAL, year, tertial)

    @classmethod
    def whole_year(cls, year: int) -> ReportPeriod:
        return cls(PeriodKind.YEAR, year, 0)

    @classmethod
    def rolling_12(cls, year: int, month: int) -> ReportPeriod:
        """The 12 months ending with `month` of `year` (March 2024: April 2023 – March 2024)."""
        return cls(PeriodKind.ROLLING_12, year, month)

    @classmethod
    def parse(cls, key: str) -> ReportPeriod:
        """The period of a key made by `key`: "2024", "2024-T1", "2024-03", "2024-03-R12". ValueError else."""
        match = _KEY.match(key.strip())
        if match is None:
            raise ValueError(f"not a period: {key!r}")
        year = int(match["year"])
        if match["tertial"]:
            return cls.tertial(year, int(match["tertial"]))
        if match["month"]:
            month = int(match["month"])
            return cls.rolling_12(year, month) if match["rolling"] else cls.month(year, month)
        return cls.whole_year(year)

    @property
    def first_month(self) -> datetime.date:
        if self.kind == PeriodKind.MONTH:
            return datetime.date(self.year, self.number, 1)
        if self.kind == PeriodKind.TERTIAL:
            return datetime.date(self.year, 4 * (self.number - 1) + 1, 1)
        if self.kind == PeriodKind.ROLLING_12:
            return _month_start(self.year, self.number - 11)
        return datetime.date(self.year, 1, 1)

    @property
    def month_count(self) -> int:
        return {PeriodKind.MONTH: 1, PeriodKind.TERTIAL: 4}.get(self.kind, 12)

    @property
    def months(self) -> tuple[datetime.date, ...]:
        """The first days of the period's months."""
        first = self.first_month
        return tuple(_month_start(first.year, first.month + i) for i in range(self.month_count))

    @property
    def start(self) -> datetime.date:
        return self.first_month

    @property
    def end(self) -> datetime.date:
        """The last day, included."""
        last = self.months[-1]
        return last.replace(day=calendar.monthrange(last.year, last.month)[1])

    def starts_at(self) -> datetime.datetime:
        """Local midnight at the start (Stockholm never changes its clocks at midnight)."""
        return datetime.datetime.combine(self.start, datetime.time(0), tzinfo=STOCKHOLM)

    def ends_at(self) -> datetime.datetime:
        """Local midnight after the last day (exclusive)."""
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(0), tzinfo=STOCKHOLM)

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.kind == PeriodKind.ROLLING_12:
            return f"{self.year}-{self.number:02d}-R12"
        if self.kind == PeriodKind.TERTIAL:
            return f"{self.year}-T{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        """Swedish: "mars 2024", "T1 2024", "2024", "12 månader t.o.m. mars 2024"."""
        if self.kind == PeriodKind.MONTH:
            return f"{MONTH_NAMES[self.number - 1]} {self.year}"
        if self.kind == PeriodKind.ROLLING_12:
            return f"12 månader t.o.m. {MONTH_NAMES[self.number - 1]} {self.year}"
        if self.kind == PeriodKind.TERTIAL:
            return f"T{self.number} {self.year}"
        return str(self.year)


def tertial_of(month: int) -> int:
    return (month - 1) // 4 + 1


def year_periods(year: int) -> tuple[ReportPeriod, ...]:
    """The twelve months, the three tertials and the year, in the page's order."""
    return (
        *(ReportPeriod.month(year, m) for m in range(1, 13)),
        *(ReportPeriod.tertial(year, t) for t in range(1, 4)),
        ReportPeriod.whole_year(year),
    )


# --- Results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One gender's share of a figure."""

    value: float | None
    numerator: float
    denominator: float | None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100 * self.value


@dataclass(frozen=True)
class ClientMonth:
    """How many distinct employees worked at one client in one month."""

    client_id: int
    gender: str
    month: datetime.date
    staff: int


@dataclass(frozen=True)
class Figure:
    """One indicator for one period.

    `value` is a share (0–1) for the ratios, hours for overtime and the average number of distinct staff for
    continuity; None when there is nothing to divide by. `by_gender` maps "K" and "M" to their `Part`.
    `shifts` selects the shifts behind the numerator (`Shift.objects.filter(figure.shifts)`), `base_shifts`
    those behind the denominator (None where there is none). Continuity also has `median` and the
    `client_months` it averaged.
    """

    code: str
    period: ReportPeriod
    value: float | None
    numerator: float
    denominator: float | None
    by_gender: Mapping[str, Part]
    shifts: Q
    base_shifts: Q | None = None
    median: float | None = None
    client_months: tuple[ClientMonth, ...] = ()

    @property
    def name(self) -> str:
        return INDICATORS[self.code].name

    @property
    def measure(self) -> str:
        return INDICATORS[self.code].measure

    @property
    def percent(self) -> float | None:
        return None if self.value is None else 100 * self.value

    @property
    def client_ids(self) -> frozenset[int]:
        return frozenset(row.client_id for row in self.client_months)

    def gender_filter(self, gender: str) -> Q:
        """The condition narrowing the records behind the figure to one gender."""
        field_name = "client__gender" if self.code == Code.STAFF_CONTINUITY else "employee__gender"
        return Q(**{field_name: gender})


# --- Filters ----------------------------------------------------------------------------------------------------


class _ElapsedSeconds(Func):
    """`ends_at - starts_at` in seconds as plain SQL on both databases. Django's datetime subtraction is a
    Python function per row on SQLite (`django_timestamp_diff`); SQLite's julianday() is built in (its double
    resolves about 20 µs at today's dates, so the result is rounded to the second: shifts are whole minutes)."""

    output_field = FloatField()

    def __init__(self) -> None:
        super().__init__(F("ends_at"), F("starts_at"))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        (end_sql, end_params), (start_sql, start_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            sql = f"ROUND((julianday({end_sql}) - julianday({start_sql})) * 86400.0)"
        else:
            sql = f"EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))"
        return sql, [*end_params, *start_params]


_DURATION = _ElapsedSeconds()
# Day number − 1 of the shift's local start date within its absence episode, as a duration (both databases).
_EPISODE_DAY = ExpressionWrapper(
    TruncDate("starts_at", tzinfo=STOCKHOLM) - F("absence__starts_on"), output_field=DurationField()
)
SCHEDULED = Q(kind=ShiftKind.ACTIVE, status__in=SCHEDULED_STATUSES, is_overtime=False)
SICK = Q(status=Shift.Status.ABSENT, absence__kind=Absence.Kind.SICK, absence__cancelled_at__isnull=True)
DAYS_1_14 = Q(LessThan(_EPISODE_DAY, datetime.timedelta(days=SICK_PAY_DAYS)))
WORKED = Q(status=Shift.Status.WORKED, kind__in=WORK_KINDS)


def _ids(values: Iterable[int] | None) -> list[int] | None:
    return None if values is None else sorted(set(values))


def _scope(unit_ids: Iterable[int], team_ids: Iterable[int] | None, *, by_client: bool = False) -> Q:
    """Shifts of the units (and teams) with an employee. A subquery, not a join, for the teams, so an
    employee (or client) in two of the chosen teams is counted once."""
    condition = Q(unit_id__in=_ids(unit_ids), employee__isnull=False)
    teams = _ids(team_ids)
    if teams is not None:
        if by_client:
            members = Client.teams.through.objects.filter(team_id__in=teams).values("client_id")
            condition &= Q(client_id__in=members)
        else:
            staff = Employee.teams.through.objects.filter(team_id__in=teams).values("employee_id")
            condition &= Q(employee_id__in=staff)
    return condition


def _in_months(first: datetime.date, last: datetime.date) -> Q:
    """Shifts whose local start date falls in the months `first` … `last` (first days of months)."""
    start = clock.local_month_range(first.year, first.month)[0]
    end = clock.local_month_range(last.year, last.month)[1]
    return Q(starts_at__gte=start, starts_at__lt=end)


def _in_period(period: ReportPeriod) -> Q:
    return Q(starts_at__gte=period.starts_at(), starts_at__lt=period.ends_at())


# --- Monthly buckets --------------------------------------------------------------------------------------------

OTHER = ""  # the bucket of everyone not recorded as a woman or a man
_Buckets = dict[tuple[datetime.date, str], dict[str, float]]


def _gender_key(gender: str | None) -> str:
    return gender if gender in GENDERS else OTHER


def _months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months `first` … `last`."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [_month_start(first.year, first.month + index) for index in range(count)]


def _local_month_of_start(first: datetime.date, last: datetime.date) -> Case:
    """The local month of a shift's start, as that month's ordinal (`date.toordinal()` of its first day), for
    shifts starting in the months `first` … `last`: one CASE over each month's bounds as UTC moments
    (`clock.local_month_ranges`).

    Why not TruncMonth(tzinfo=Stockholm): SQLite has no time zones, so Django runs it as a Python function per
    row, which was half of a VB's time on SQLite; comparing with precomputed bounds is plain SQL on both."""
    whens = [
        When(starts_at__gte=start, starts_at__lt=end, then=Value(month.toordinal()))
        for month, start, end in clock.local_month_ranges(first, last)
    ]
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _hour_buckets(condition: Q, first: datetime.date, last: datetime.date, sums: Mapping[str, Q | None]) -> _Buckets:
    """One GROUP BY query: hours per (local month, employee gender) for each named condition, for shifts that
    start in the months `first` … `last`."""
    aggregates: dict[str, Any] = {name: Sum(_DURATION, filter=q) for name, q in sums.items()}
    rows = (
        Shift.objects.filter(condition & _in_months(first, last))
        .annotate(month=_local_month_of_start(first, last))
        .values("month", "employee__gender")
        .annotate(**aggregates)
        .order_by()
    )
    buckets: _Buckets = defaultdict(lambda: dict.fromkeys(sums, 0.0))
    for row in rows:
        bucket = buckets[(datetime.date.fromordinal(row["month"]), _gender_key(row["employee__gender"]))]
        for name in sums:
            duration = row[name]
            bucket[name] += float(duration) / 3600 if duration is not None else 0.0
    return dict(buckets)


def _total(buckets: _Buckets, months: Iterable[datetime.date], name: str, gender: str | None = None) -> float:
    keys = (WOMEN, MEN, OTHER) if gender is None else (gender,)
    return sum(buckets.get((month, key), {}).get(name, 0.0) for month in months for key in keys)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _ratio_figure(
    code: str, period: ReportPeriod, buckets: _Buckets, num: str, den: str, shifts: Q, base_shifts: Q
) -> Figure:
    months = period.months
    parts = {}
    for gender in GENDERS:
        n, d = _total(buckets, months, num, gender), _total(buckets, months, den, gender)
        parts[gender] = Part(_ratio(n, d), n, d)
    n, d = _total(buckets, months, num), _total(buckets, months, den)
    return Figure(code, period, _ratio(n, d), n, d, parts, shifts, base_shifts)


def _sum_figure(code: str, period: ReportPeriod, buckets: _Buckets, num: str, shifts: Q) -> Figure:
    months = period.months
    parts = {}
    for gender in GENDERS:
        hours = _total(buckets, months, num, gender)
        parts[gender] = Part(hours, hours, None)
    total = _total(buckets, months, num)
    return Figure(code, period, total, total, None, parts, shifts)


# --- Family 1: sick leave ---------------------------------------------------------------------------------------


def _sick_buckets(scope: Q, first: datetime.date, last: datetime.date) -> _Buckets:
    return _hour_buckets(
        scope & SCHEDULED,
        first,
        last,
        {"scheduled": None, "sick": SICK, "sick_1_14": SICK & DAYS_1_14},
    )


def _sick_figures(scope: Q, period: ReportPeriod, buckets: _Buckets) -> dict[str, Figure]:
    base = scope & SCHEDULED & _in_period(period)
    return {
        Code.SICK_LEAVE: _ratio_figure(Code.SICK_LEAVE, period, buckets, "sick", "scheduled", base & SICK, base),
        Code.SICK_LEAVE_DAYS_1_14: _ratio_figure(
            Code.SICK_LEAVE_DAYS_1_14, period, buckets, "sick_1_14", "scheduled", base & SICK & DAYS_1_14, base
        ),
    }


def sick_leave(unit_ids: Iterable[int], period: ReportPeriod, *, team_ids: Iterable[int] | None = None) -> Figure:
    """Sick hours / scheduled ordinary hours (one query)."""
    scope = _scope(unit_ids, team_ids)
    buckets = _sick_buckets(scope, period.months[0], period.months[-1])
    return _sick_figures(scope, period, buckets)[Code.SICK_LEAVE]


def sick_leave_days_1_14(
    unit_ids: Iterable[int], period: ReportPeriod, *, team_ids: Iterable[int] | None = None
) -> Figure:
    """Sick hours on days 1–14 of their episodes / scheduled ordinary hours (one query)."""
    scope = _scope(unit_ids, team_ids)
    buckets = _sick_buckets(scope, period.months[0], period.months[-1])
    return _sick_figures(scope, period, buckets)[Code.SICK_LEAVE_DAYS_1_14]


# --- Family 2: worked hours -------------------------------------------------------------------------------------


def _worked_buckets(scope: Q, first: datetime.date, last: datetime.date) -> _Buckets:
    return _hour_buckets(
        scope & WORKED,
        first,
        last,
        {"worked": None, "hourly_paid": Q(is_hourly_paid=True), "overtime": Q(is_overtime=True)},
    )


def _worked_figures(scope: Q, period: ReportPeriod, buckets: _Buckets) -> dict[str, Figure]:
    base = scope & WORKED & _in_period(period)
    return {
        Code.HOURLY_PAID_SHARE: _ratio_figure(
            Code.HOURLY_PAID_SHARE, period, buckets, "hourly_paid", "worked", base & Q(is_hourly_paid=True), base
        ),
        Code.OVERTIME_HOURS: _sum_figure(Code.OVERTIME_HOURS, period, buckets, "overtime", base & Q(is_overtime=True)),
    }


def hourly_paid_share(
    unit_ids: Iterable[int], period: ReportPeriod, *, team_ids: Iterable[int] | None = None
) -> Figure:
    """Worked hours by hourly-paid staff / all worked hours (one query)."""
    scope = _scope(unit_ids, team_ids)
    return _worked_figures(scope, period, _worked_buckets(scope, period.months[0], period.months[-1]))[
        Code.HOURLY_PAID_SHARE
    ]


def overtime_hours(unit_ids: Iterable[int], period: ReportPeriod, *, team_ids: Iterable[int] | None = None) -> Figure:
    """Worked hours of overtime shifts (one query)."""
    scope = _scope(unit_ids, team_ids)
    return _worked_figures(scope, period, _worked_buckets(scope, period.months[0], period.months[-1]))[
        Code.OVERTIME_HOURS
    ]


# --- Family 3: staff continuity ---------------------------------------------------------------------------------


def _client_months(scope: Q, first: datetime.date, last: datetime.date) -> list[ClientMonth]:
    """One GROUP BY query: distinct employees with worked shifts per client and local month."""
    rows = (
        Shift.objects.filter(scope & WORKED & _in_months(first, last))
        .annotate(month=_local_month_of_start(first, last))
        .values("month", "client_id", "client__gender")
        .annotate(staff=Count("employee_id", distinct=True))
        .order_by()
    )
    found = [
        ClientMonth(
            row["client_id"], _gender_key(row["client__gender"]), datetime.date.fromordinal(row["month"]), row["staff"]
        )
        for row in rows
    ]
    return sorted(found, key=lambda r: (r.month, r.client_id))


def _continuity_part(rows: list[ClientMonth]) -> Part:
    staff = sum(row.staff for row in rows)
    return Part(_ratio(staff, len(rows)), staff, len(rows))


def _continuity_figure(scope: Q, period: ReportPeriod, rows: Iterable[ClientMonth]) -> Figure:
    months = set(period.months)
    inside = [row for row in rows if row.month in months]
    total = _continuity_part(inside)
    return Figure(
        Code.STAFF_CONTINUITY,
        period,
        total.value,
        total.numerator,
        total.denominator,
        {gender: _continuity_part([r for r in inside if r.gender == gender]) for gender in GENDERS},
        scope & WORKED & _in_period(period),
        median=float(statistics.median(r.staff for r in inside)) if inside else None,
        client_months=tuple(inside),
    )


def staff_continuity(unit_ids: Iterable[int], period: ReportPeriod, *, team_ids: Iterable[int] | None = None) -> Figure:
    """Average (and median) distinct staff per client and month (one query)."""
    scope = _scope(unit_ids, team_ids, by_client=True)
    return _continuity_figure(scope, period, _client_months(scope, period.months[0], period.months[-1]))


# --- The registry's view of this module -------------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    measure: str  # "andel" (a share 0–1), "timmar", "personal per brukare och månad"
    compute: Callable[..., Figure] = field(repr=False)
    lower_is_better: bool = True
    gender_split: bool = True
    gender_of: str = "medarbetare"  # whose recorded gender splits the figure
    target: float | None = None


INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(Code.SICK_LEAVE, "Sjukfrånvaro", "andel", sick_leave),
        Indicator(Code.SICK_LEAVE_DAYS_1_14, "Sjukfrånvaro dag 1–14", "andel", sick_leave_days_1_14),
        Indicator(
            Code.HOURLY_PAID_SHARE,
            "Andel arbetade timmar av timavlönad personal",
            "andel",
            hourly_paid_share,
            target=HOURLY_PAID_TARGET,
        ),
        Indicator(Code.OVERTIME_HOURS, "Övertid", "timmar", overtime_hours),
        Indicator(
            Code.STAFF_CONTINUITY,
            "Personalkontinuitet (antal olika personal per brukare och månad)",
            "personal per brukare och månad",
            staff_continuity,
            gender_of="brukare",
        ),
    )
}
CODES = tuple(INDICATORS)


def compute(
    code: str, unit_ids: Iterable[int], period: ReportPeriod, *, team_ids: Iterable[int] | None = None
) -> Figure:
    """Any indicator by code (KeyError for an unknown code)."""
    return INDICATORS[code].compute(unit_ids, period, team_ids=team_ids)


# --- A whole year at once ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearOverview:
    """Every figure of a year: each code for each month, tertial and the year, and for the sick-leave codes
    also rolling 12 months ending with each month. `figure(code, period)` reads one."""

    year: int
    figures: Mapping[tuple[str, str], Figure]

    @property
    def periods(self) -> tuple[ReportPeriod, ...]:
        return year_periods(self.year)

    def figure(self, code: str, period: ReportPeriod) -> Figure:
        return self.figures[(code, period.key)]


def year_overview(unit_ids: Iterable[int], year: int, *, team_ids: Iterable[int] | None = None) -> YearOverview:
    """All indicators of a year in three queries (sick leave over 23 months for the rolling figures)."""
    unit_list, team_list = _ids(unit_ids) or [], _ids(team_ids)
    scope = _scope(unit_list, team_list)
    client_scope = _scope(unit_list, team_list, by_client=True)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 1)
    sick = _sick_buckets(scope, ReportPeriod.rolling_12(year, 1).first_month, last)
    worked = _worked_buckets(scope, first, last)
    continuity = _client_months(client_scope, first, last)
    figures: dict[tuple[str, str], Figure] = {}
    periods = [*year_periods(year), *(ReportPeriod.rolling_12(year, m) for m in range(1, 13))]
    for period in periods:
        found = list(_sick_figures(scope, period, sick).values())
        if period.kind != PeriodKind.ROLLING_12:
            found += [
                *_worked_figures(scope, period, worked).values(),
                _continuity_figure(client_scope, period, continuity),
            ]
        figures.update({(figure.code, period.key): figure for figure in found})
    return YearOverview(year, figures)


# --- Entry points with access checks (views, API) ---------------------------------------------------------------


def may_view(actor: Any, unit_id: int) -> bool:
    return actor is SYSTEM or has_perm(actor, Perm.ROSTER_VIEW, unit_id)


def may_see_sick_details(actor: Any, unit_id: int) -> bool:
    """Who was sick when is personal data: shown to those who manage absences, others get the figures only."""
    return actor is SYSTEM or (may_view(actor, unit_id) and has_perm(actor, Perm.ABSENCE_MANAGE, unit_id))


def _require_view(actor: Any, unit_id: int) -> None:
    if not may_view(actor, unit_id):
        raise PermissionDenied("Behörighet saknas: roster.view")


def unit_overview(actor: Any, *, unit_id: int, year: int, team_id: int | None = None) -> YearOverview:
    """The year's figures of a unit (or one of its teams) for an actor with roster.view there."""
    _require_view(actor, unit_id)
    return year_overview([unit_id], year, team_ids=None if team_id is None else [team_id])


@dataclass(frozen=True)
class DrillDown:
    """The records behind one figure: `shifts` (None when the actor may see the figure only) and, for
    continuity, the client-months (gender-filtered like the shifts)."""

    figure: Figure
    gender: str | None
    denominator: bool
    shifts: QuerySet[Shift] | None
    client_months: tuple[ClientMonth, ...]


def drill_down(
    actor: Any,
    *,
    code: str,
    unit_id: int,
    period: ReportPeriod,
    team_id: int | None = None,
    gender: str | None = None,
    denominator: bool = False,
) -> DrillDown:
    """One figure and the shifts behind its numerator (or denominator), optionally one gender's.

    roster.view in the unit is required (PermissionDenied); for sick leave the shifts (which name who was
    sick) also need absence.manage, otherwise `shifts` is None. KeyError for an unknown code, ValueError for
    a gender other than "K"/"M".
    """
    if code not in INDICATORS:
        raise KeyError(code)
    if gender is not None and gender not in GENDERS:
        raise ValueError(f"gender must be K or M: {gender!r}")
    _require_view(actor, unit_id)
    figure = compute(code, [unit_id], period, team_ids=None if team_id is None else [team_id])
    condition = figure.base_shifts if denominator and figure.base_shifts is not None else figure.shifts
    if gender is not None:
        condition &= figure.gender_filter(gender)
    shifts: QuerySet[Shift] | None = (
        Shift.objects.filter(condition).select_related("employee", "client", "absence").order_by("starts_at", "id")
    )
    if code in SICK_CODES and not may_see_sick_details(actor, unit_id):
        shifts = None
    months = tuple(row for row in figure.client_months if gender is None or row.gender == gender)
    return DrillDown(figure, gender, denominator and figure.base_shifts is not None, shifts, months)


def episode_day(shift: Shift) -> int | None:
    """The day of its absence episode a shift starts on (1 = the first day), for the drill-down list."""
    if shift.absence is None:
        return None
    return shift.absence.day_number(shift.starts_at.astimezone(STOCKHOLM).date())


__all__ = [
    "CODES",
    "GENDERS",
    "HOURLY_PAID_TARGET",
    "INDICATORS",
    "ClientMonth",
    "Code",
    "DrillDown",
    "Figure",
    "Indicator",
    "Part",
    "PeriodKind",
    "ReportPeriod",
    "YearOverview",
    "compute",
    "drill_down",
    "episode_day",
    "hourly_paid_share",
    "may_see_sick_details",
    "may_view",
    "overtime_hours",
    "sick_leave",
    "sick_leave_days_1_14",
    "staff_continuity",
    "tertial_of",
    "unit_overview",
    "year_overview",
    "year_periods",
]
