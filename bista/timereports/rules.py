"""Pure rules of worked time: months in Stockholm, how a confirmed time splits into active, waiting and
on-call minutes, and what a confirmation may be. No database, no clock: the callers pass `now`.

Lengths are elapsed time (computed in UTC), so a night across a daylight-saving change is 7 or 9 hours long.
"""

from __future__ import annotations

import datetime
import re
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
