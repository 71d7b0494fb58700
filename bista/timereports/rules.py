"""Pure rules of worked time: months in Stockholm, how a confirmed time splits into active, waiting and
on-call minutes, and what a confirmation may be. No database, no clock: the callers pass `now`.

Lengths are elapsed time (computed in UTC), so a night across a daylight-saving change is 7 or 9 hours long.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bista.core.clock import STOCKHOLM

MAX_WORKED = datetime.timedelta(hours=48)  # longer than any pass the working-time rules allow, even with exception
PASSIVE_KINDS = frozenset({"on_call", "standby"})  # jour, beredskap: active time is entered inside them
MONTH_FORMAT = re.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2100
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


# --- Months ------------------------------------------------------------------------------------------------


def parse_month(text: str) -> datetime.date | None:
    """ "2026-11" → 2026-11-01; anything else (or a month outside FIRST_YEAR–LAST_YEAR) → None."""
    match = MONTH_FORMAT.fullmatch((text or "").strip())
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: datetime.date) -> datetime.date:
    return datetime.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def last_of_month(month: datetime.date) -> datetime.date:
    return next_month(month) - datetime.timedelta(days=1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Stockholm, as UTC (midnight is never skipped or repeated in Sweden)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=STOCKHOLM).astimezone(datetime.UTC)


def month_window(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The moments [start, end) of a Stockholm month, in UTC."""
    return local_midnight(first_of_month(month)), local_midnight(next_month(first_of_month(month)))


def month_of(moment: datetime.datetime) -> datetime.date:
    """The month (its first day) a worked time starting at `moment` belongs to."""
    return moment.astimezone(STOCKHOLM).date().replace(day=1)


# --- Splitting a worked time -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Minutes:
    """A worked time in FK's terms: active time, waiting time (väntetid), jour and beredskap."""

    active: int = 0
    waiting: int = 0
    on_call: int = 0  # jour
    standby: int = 0  # beredskap

    @property
    def total(self) -> int:
        return self.active + self.waiting + self.on_call + self.standby

    def __add__(self, other: Minutes) -> Minutes:
        return Minutes(
            self.active + other.active,
            self.waiting + other.waiting,
            self.on_call + other.on_call,
            self.standby + other.standby,
        )


def elapsed_minutes(starts_at: datetime.datetime, ends_at: datetime.datetime) -> int:
    """Whole elapsed minutes from start to end (0 if the end is not after the start)."""
    seconds = (ends_at.astimezone(datetime.UTC) - starts_at.astimezone(datetime.UTC)).total_seconds()
    return max(0, int(seconds // 60))


def split_minutes(kind: str, total: int, active_minutes: int, waiting_minutes: int) -> Minutes:
    """Active time: the whole less its waiting time. Jour/beredskap: the active work entered inside it, the
    rest passive. Values out of range are clamped (the services refuse them before they are saved)."""
    if kind in PASSIVE_KINDS:
        active = min(max(active_minutes, 0), total)
        rest = total - active
        return Minutes(active=active, on_call=rest) if kind == "on_call" else Minutes(active=active, standby=rest)
    waiting = min(max(waiting_minutes, 0), total)
    return Minutes(active=total - waiting, waiting=waiting)


# --- What a confirmation may be ----------------------------------------------------------------------------


def interval_errors(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    now: datetime.datetime,
) -> dict[str, str]:
    """Field → Swedish message for a worked time that cannot be: the end not after the start, longer than
    MAX_WORKED, or starting in the future (time is confirmed once it has begun)."""
    if ends_at.astimezone(datetime.UTC) <= starts_at.astimezone(datetime.UTC):
        return {"ends_at": "Sluttiden måste vara efter starttiden."}
    if ends_at - starts_at > MAX_WORKED:
        return {"ends_at": f"Arbetad tid kan vara högst {MAX_WORKED.total_seconds() / 3600:.0f} timmar i följd."}
    if starts_at > now:
        return {"starts_at": "Tiden har inte börjat än. Bekräfta den när du har arbetat."}
    return {}


def minutes_errors(kind: str, total: int, active_minutes: int, waiting_minutes: int) -> dict[str, str]:
    """Field → Swedish message for active or waiting minutes that do not fit the worked time."""
    errors: dict[str, str] = {}
    if active_minutes < 0:
        errors["active_minutes"] = "Ange ett antal minuter, noll eller fler."
    elif active_minutes and kind not in PASSIVE_KINDS:
        errors["active_minutes"] = "Aktiv tid anges bara inom jour eller beredskap."
    elif active_minutes > total:
        errors["active_minutes"] = "Den aktiva tiden kan inte vara längre än hela passet."
    if waiting_minutes < 0:
        errors["waiting_minutes"] = "Ange ett antal minuter, noll eller fler."
    elif waiting_minutes and kind in PASSIVE_KINDS:
        errors["waiting_minutes"] = "Väntetid anges bara inom aktiv tid."
    elif waiting_minutes > total:
        errors["waiting_minutes"] = "Väntetiden kan inte vara längre än hela passet."
    return errors


def overlaps(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    other_start: datetime.datetime,
    other_end: datetime.datetime,
) -> bool:
    """Half-open intervals [start, end): touching ends do not overlap."""
    return starts_at < other_end and other_start < ends_at


def hours_decimal(minutes: int) -> str:
    """450 → "7,5" (Swedish decimal comma, one decimal)."""
    return f"{minutes / 60:.1f}".replace(".", ",")


def local_span(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """ "2026-11-03 07:00–15:00" (the end's date too when it is another day), in Stockholm time."""
    start, end = starts_at.astimezone(STOCKHOLM), ends_at.astimezone(STOCKHOLM)
    tail = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{tail}"


# --- Time bands (verify against the collective agreement; the bands themselves are reference data) -----------

HOLIDAY = "holiday"
DAY = "day"
MIDNIGHT = datetime.time(0)
# The eves that count as holidays for supplements besides the public holidays (verify against the agreement).
EVES = frozenset({"Påskafton", "Midsommarafton", "Julafton", "Nyårsafton"})


@dataclass(frozen=True)
class Band:
    """One time band's row: on each weekday in `weekdays` (ISO, "1" = Monday) from `start` to `end` local time;
    `end` 00:00 is midnight at the day's end, an `end` before `start` continues to `end` the next day. The
    band with the highest `priority` wins where rows overlap; a holiday wins over every band."""

    code: str
    weekdays: str
    start: datetime.time
    end: datetime.time
    priority: int

    def covers(self, moment: datetime.datetime) -> bool:
        """Whether the local wall-clock `moment` (naive or Stockholm) lies in this band."""
        day, clock_time = moment.date(), moment.time()
        crosses = self.end != MIDNIGHT and self.end <= self.start
        if str(day.isoweekday()) in self.weekdays and clock_time >= self.start:
            return crosses or self.end == MIDNIGHT or clock_time < self.end
        previous = day - datetime.timedelta(days=1)
        return crosses and str(previous.isoweekday()) in self.weekdays and clock_time < self.end


def holiday_dates(years: range | list[int]) -> frozenset[datetime.date]:
    """Swedish public holidays (not ordinary Sundays) and the great eves, from the `holidays` package."""
    import holidays  # deterministic tables; imported here so that the module's other rules need nothing

    dates = set()
    for year in years:
        dates |= set(holidays.country_holidays("SE", years=year, include_sundays=False, language="sv"))
        dates |= {
            datetime.date(year, 12, 24),
            datetime.date(year, 12, 31),
            # Midsommarafton: the Friday between 19 and 25 June; påskafton: the day before Easter Sunday.
            next(datetime.date(year, 6, d) for d in range(19, 26) if datetime.date(year, 6, d).isoweekday() == 5),
        }
        easter = next(
            day
            for day, name in holidays.country_holidays("SE", years=year, language="sv").items()
            if "Påskdagen" in name
        )
        dates.add(easter - datetime.timedelta(days=1))
    return frozenset(dates)


def band_at(moment: datetime.datetime, bands: list[Band], holidays_: frozenset[datetime.date]) -> str:
    """The band of a local moment: holiday, else the covering band of highest priority, else day."""
    local = moment.astimezone(STOCKHOLM)
    if local.date() in holidays_:
        return HOLIDAY
    covering = [band for band in bands if band.covers(local.replace(tzinfo=None))]
    return max(covering, key=lambda band: band.priority).code if covering else DAY


def _boundaries(starts_at: datetime.datetime, ends_at: datetime.datetime, bands: list[Band]) -> list[datetime.datetime]:
    """Every moment (UTC) inside the interval where the band may change: local midnights and band edges."""
    first = starts_at.astimezone(STOCKHOLM).date() - datetime.timedelta(days=1)
    last = ends_at.astimezone(STOCKHOLM).date() + datetime.timedelta(days=1)
    times = {MIDNIGHT} | {band.start for band in bands} | {band.end for band in bands}
    points = {starts_at.astimezone(datetime.UTC), ends_at.astimezone(datetime.UTC)}
    day = first
    while day <= last:
        for clock_time in times:
            point = datetime.datetime.combine(day, clock_time, tzinfo=STOCKHOLM).astimezone(datetime.UTC)
            if starts_at < point < ends_at:
                points.add(point)
        day += datetime.timedelta(days=1)
    return sorted(points)


def split_by_band(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    bands: list[Band],
    holidays_: frozenset[datetime.date],
) -> dict[str, float]:
    """Elapsed minutes of an interval per band. The interval is cut at every local midnight and band edge
    (in UTC, so a daylight-saving night has its real length) and each piece takes the band of its middle."""
    result: dict[str, float] = {}
    points = _boundaries(starts_at, ends_at, bands)
    for begin, finish in itertools.pairwise(points):
        code = band_at(begin + (finish - begin) / 2, bands, holidays_)
        result[code] = result.get(code, 0.0) + (finish - begin).total_seconds() / 60
    return result


# --- The municipality's first hours of personal assistance (SFB 51 kap.; verify; reference data) -------------


@dataclass(frozen=True)
class Share:
    municipal: float = 0.0  # minutes the municipality pays (the first hours of each week)
    fk: float = 0.0  # minutes Försäkringskassan pays (the rest)


def _week_start(moment: datetime.datetime) -> datetime.datetime:
    local = moment.astimezone(STOCKHOLM).date()
    return local_midnight(local - datetime.timedelta(days=local.weekday()))


Interval = tuple[datetime.datetime, datetime.datetime]


def _split_pieces(
    intervals: Iterable[Interval], first_minutes_per_week: float
) -> Iterator[tuple[datetime.datetime, datetime.datetime, float, float]]:
    """The intervals (in time order) cut at local midnight of each month's first day and each Monday, so each
    piece lies in one month and one week: (begin, end, minutes, of which the municipality's). The municipality
    pays the first `first_minutes_per_week` of each ISO week (Monday–Sunday, Stockholm), in time order."""
    used: dict[datetime.datetime, float] = {}
    for starts_at, ends_at in sorted(intervals):
        cursor = starts_at.astimezone(datetime.UTC)
        end = ends_at.astimezone(datetime.UTC)
        while cursor < end:
            # Seven calendar days on, not 7 × 24 h: a week with a daylight-saving change is an hour off.
            week = _week_start(cursor)
            next_week = local_midnight(week.astimezone(STOCKHOLM).date() + datetime.timedelta(days=7))
            month_end = month_window(month_of(cursor))[1]
            cut = min(end, next_week, month_end)
            minutes = (cut - cursor).total_seconds() / 60
            municipal = min(minutes, max(0.0, first_minutes_per_week - used.get(week, 0.0)))
            used[week] = used.get(week, 0.0) + minutes
            yield cursor, cut, minutes, municipal
            cursor = cut


def assistance_split(
    intervals: Iterable[Interval], first_minutes_per_week: float
) -> tuple[list[Interval], list[Interval]]:
    """One client's personal assistance cut into the pieces the municipality pays — the first
    `first_minutes_per_week` of each ISO week (SFB 51 kap., `MunicipalShareRule`) — and those FK pays. The cut
    falls inside an interval where the week's quota runs out; a week crossing a month is one week, its hours in
    the month they were worked. The one place the split is made (economy's revenue and the FK reports)."""
    municipal: list[Interval] = []
    fk: list[Interval] = []
    for begin, finish, minutes, share in _split_pieces(intervals, first_minutes_per_week):
        if share >= minutes:
            municipal.append((begin, finish))
        elif share > 0:
            cut = begin + datetime.timedelta(minutes=share)
            municipal.append((begin, cut))
            fk.append((cut, finish))
        else:
            fk.append((begin, finish))
    return municipal, fk


def municipal_split(intervals: Iterable[Interval], first_minutes_per_week: float) -> dict[datetime.date, Share]:
    """Per month (its first day): the minutes the municipality pays and those FK pays (`assistance_split`
    summed by month)."""
    result: dict[datetime.date, Share] = {}
    for begin, _finish, minutes, municipal in _split_pieces(intervals, first_minutes_per_week):
        month = month_of(begin)
        old = result.get(month, Share())
        result[month] = Share(old.municipal + municipal, old.fk + minutes - municipal)
    return result


def report_due(month: datetime.date, months_after: int, day: int) -> datetime.date:
    """Day `day` of the `months_after`-th month after `month` (the FK reports' deadline, `FkReportDeadline`)."""
    index = month.year * 12 + month.month - 1 + months_after
    return datetime.date(index // 12, index % 12 + 1, day)


# --- Försäkringskassan's time report: rows per day, the calculation period, who FK pays for (verify) ---------

# Personal assistance (LSS 9 § 2) whose hours beyond the municipality's first hours a week FK compensates
# (SFB 51 kap.) — *verify*: the insatser behind an FK decision on assistansersättning.
FK_SERVICE_CODES = frozenset({"lss_9_2"})
CALCULATION_PERIOD_MONTHS = 6  # FK's beräkningsperiod, by calendar half-year here — *verify against the decision*
WEEKS_PER_MONTH = 52 / 12


def fk_paid(service_code: str, scope_amount: float, scope_unit: str, municipal_hours_per_week: float) -> bool:
    """Whether an order's assistance is FK's: personal assistance granted for more hours a week than the
    municipality pays itself (a monthly scope counted as 52/12 weeks; occasions never)."""
    if service_code not in FK_SERVICE_CODES:
        return False
    if scope_unit == "week":
        weekly = scope_amount
    elif scope_unit == "month":
        weekly = scope_amount / WEEKS_PER_MONTH
    else:
        return False
    return weekly > municipal_hours_per_week


def calculation_period(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calculation period (beräkningsperiod) the month lies in: its calendar half-year."""
    first_month = (month.month - 1) // CALCULATION_PERIOD_MONTHS * CALCULATION_PERIOD_MONTHS + 1
    start = datetime.date(month.year, first_month, 1)
    end_month = start
    for _ in range(CALCULATION_PERIOD_MONTHS - 1):
        end_month = next_month(end_month)
    return start, last_of_month(end_month)


@dataclass(frozen=True)
class Piece:
    """One confirmed time as the report sees it: when, what kind, and the active/waiting minutes inside it."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: str
    active_minutes: int = 0
    waiting_minutes: int = 0


def _shares(total: int, weights: list[int]) -> list[int]:
    """`total` shared in proportion to `weights`, in whole minutes that add up to `total` (cumulative rounding)."""
    whole = sum(weights)
    if whole <= 0:
        return [0 for _ in weights]
    result, done, running = [], 0, 0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        result.append(upto - done)
        done = upto
    return result


def _clock(moment: datetime.datetime, day: datetime.date) -> str:
    """ "HH:MM" local time; a moment at the midnight ending `day` is "24:00"."""
    local = moment.astimezone(STOCKHOLM)
    if local.date() > day:
        return "24:00"
    return f"{local:%H:%M}"


def report_rows(pieces: list[Piece]) -> list[dict[str, object]]:
    """The report's rows: each confirmed time cut at local midnight into one row per day, with from, to and its
    active, waiting, jour and beredskap minutes (elapsed time, so a daylight-saving night has its real length;
    the active/waiting minutes entered for the whole time shared over its days in proportion)."""
    rows: list[dict[str, object]] = []
    for piece in sorted(pieces, key=lambda p: (p.starts_at, p.ends_at)):
        cuts: list[tuple[datetime.date, datetime.datetime, datetime.datetime]] = []
        cursor, end = piece.starts_at.astimezone(datetime.UTC), piece.ends_at.astimezone(datetime.UTC)
        while cursor < end:
            day = cursor.astimezone(STOCKHOLM).date()
            cut = min(end, local_midnight(day + datetime.timedelta(days=1)))
            cuts.append((day, cursor, cut))
            cursor = cut
        lengths = [elapsed_minutes(begin, finish) for _day, begin, finish in cuts]
        total = sum(lengths)
        minutes = split_minutes(piece.kind, total, piece.active_minutes, piece.waiting_minutes)
        actives = _shares(minutes.active, lengths)
        waitings = _shares(minutes.waiting, lengths)
        on_calls = _shares(minutes.on_call, lengths)
        standbys = _shares(minutes.standby, lengths)
        for index, (day, begin, finish) in enumerate(cuts):
            rows.append(
                {
                    "date": day.isoformat(),
                    "from": _clock(begin, day),
                    "to": _clock(finish, day),
                    "active": actives[index],
                    "waiting": waitings[index],
                    "on_call": on_calls[index],
                    "standby": standbys[index],
                }
            )
    return rows


def row_totals(rows: list[dict[str, object]]) -> Minutes:
    total = Minutes()
    for row in rows:
        total = total + Minutes(
            int(row["active"]),  # type: ignore[call-overload]
            int(row["waiting"]),  # type: ignore[call-overload]
            int(row["on_call"]),  # type: ignore[call-overload]
            int(row["standby"]),  # type: ignore[call-overload]
        )
    return total
