"""The one clock: Stockholm's time zone, now and today. Every service, rule and page reads time here.

Why one place: deadlines, quarters, time bands and month closes are all computed in Swedish local time, and a
test must be able to freeze the clock once (the `frozen_clock` fixture) instead of patching each module's copy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _system_now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


_source: Callable[[], datetime.datetime] = _system_now


def now() -> datetime.datetime:
    """The current moment, time-zone aware (UTC)."""
    return _source()


def local_now() -> datetime.datetime:
    """The current moment in Stockholm."""
    return now().astimezone(STOCKHOLM)


def today() -> datetime.date:
    """Today's date in Stockholm."""
    return local_now().date()


def local_date(moment: datetime.datetime) -> datetime.date:
    """The Stockholm calendar date of an aware moment."""
    return moment.astimezone(STOCKHOLM).date()


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Stockholm (aware)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=STOCKHOLM)


def set_source(source: Callable[[], datetime.datetime] | None) -> None:
    """Replace the clock's source (tests only, through the `frozen_clock` fixture); None restores the system clock."""
    global _source
    _source = source or _system_now


# --- Local months as UTC ranges ----------------------------------------------------------------------------
# Indicators bucket records by their local (Stockholm) month. Comparing a stored UTC moment with these
# precomputed bounds is plain SQL on every database; TruncMonth(tzinfo=…) is not on SQLite (no time zones: Django
# runs it as a Python function per row).


def month_start(year: int, month: int) -> datetime.date:
    """The first day of the month; `month` may run past 12 or below 1 (13 is next January, 0 last December)."""
    years, index = divmod(month - 1, 12)
    return datetime.date(year + years, index + 1, 1)


def local_month_range(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The Stockholm month as UTC moments: its first local midnight (included) and the next month's (excluded).
    A month holding a daylight-saving change is an hour shorter (March) or longer (October) than its days."""
    start = start_of_day(month_start(year, month)).astimezone(datetime.UTC)
    end = start_of_day(month_start(year, month + 1)).astimezone(datetime.UTC)
    return start, end


def local_month_ranges(
    first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """(first day, UTC start, UTC end) of every month from `first`'s to `last`'s, both included, in order; the
    ranges meet end to start, so each moment falls in exactly one."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    months = [month_start(first.year, first.month + index) for index in range(max(count, 0))]
    return [(month, *local_month_range(month.year, month.month)) for month in months]
