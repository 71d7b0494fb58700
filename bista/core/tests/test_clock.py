"""The one clock: Stockholm dates at midnight and across daylight saving, and the test seam."""

from __future__ import annotations

import datetime
from typing import Any

from bista.core import clock


def test_local_date_is_stockholms_date_just_after_midnight() -> None:
    # 23:30 UTC on 31 December is 00:30 on 1 January in Stockholm (UTC+1 in winter).
    moment = datetime.datetime(2025, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert clock.local_date(moment) == datetime.date(2026, 1, 1)


def test_local_date_in_summer_time() -> None:
    # 22:30 UTC on 30 June is 00:30 on 1 July in Stockholm (UTC+2 in summer).
    moment = datetime.datetime(2026, 6, 30, 22, 30, tzinfo=datetime.UTC)
    assert clock.local_date(moment) == datetime.date(2026, 7, 1)


def test_start_of_day_on_the_spring_forward_day_is_midnight_local() -> None:
    start = clock.start_of_day(datetime.date(2026, 3, 29))
    assert start.utcoffset() == datetime.timedelta(hours=1)
    # Same-zone subtraction in Python is wall-clock arithmetic; the real length of the day is measured in UTC.
    next_start = clock.start_of_day(datetime.date(2026, 3, 30))
    assert next_start.astimezone(datetime.UTC) - start.astimezone(datetime.UTC) == datetime.timedelta(hours=23)


def test_frozen_clock_sets_now_and_today(frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime(2024, 2, 29, 23, 15, tzinfo=datetime.UTC))
    assert clock.now() == datetime.datetime(2024, 2, 29, 23, 15, tzinfo=datetime.UTC)
    assert clock.today() == datetime.date(2024, 3, 1)
    assert clock.local_now().hour == 0


def test_the_system_clock_is_aware() -> None:
    assert clock.now().tzinfo is not None
