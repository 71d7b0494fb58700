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
