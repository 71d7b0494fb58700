"""The one clock: Stockholm dates at midnight and across daylight saving, and the test seam."""

from __future__ import annotations

import datetime
import itertools
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


# --- Local months as UTC ranges -----------------------------------------------------------------------------

UTC = datetime.UTC
H = datetime.timedelta(hours=1)


def test_month_start_runs_past_the_year() -> None:
    assert clock.month_start(2024, 13) == datetime.date(2025, 1, 1)
    assert clock.month_start(2024, 0) == datetime.date(2023, 12, 1)
    assert clock.month_start(2024, -11) == datetime.date(2023, 1, 1)
    assert clock.month_start(2024, 25) == datetime.date(2026, 1, 1)


def test_a_winter_month_starts_an_hour_before_midnight_utc() -> None:
    start, end = clock.local_month_range(2024, 1)
    assert start == datetime.datetime(2023, 12, 31, 23, tzinfo=UTC)
    assert end == datetime.datetime(2024, 1, 31, 23, tzinfo=UTC)
    assert end - start == 31 * 24 * H


def test_the_months_with_a_daylight_saving_change() -> None:
    # Clocks go forward on the last Sunday of March (31 March 2024) and back on the last Sunday of October (27th).
    march_start, march_end = clock.local_month_range(2024, 3)
    assert march_start == datetime.datetime(2024, 2, 29, 23, tzinfo=UTC)
    assert march_end == datetime.datetime(2024, 3, 31, 22, tzinfo=UTC)
    assert march_end - march_start == 31 * 24 * H - H
    october_start, october_end = clock.local_month_range(2024, 10)
    assert october_start == datetime.datetime(2024, 9, 30, 22, tzinfo=UTC)
    assert october_end == datetime.datetime(2024, 10, 31, 23, tzinfo=UTC)
    assert october_end - october_start == 31 * 24 * H + H
    summer = clock.local_month_range(2024, 7)
    assert summer[0] == datetime.datetime(2024, 6, 30, 22, tzinfo=UTC)


def test_leap_years_and_year_ends() -> None:
    for year, days in ((2023, 28), (2024, 29), (2100, 28), (2000, 29)):
        start, end = clock.local_month_range(year, 2)
        assert end - start == days * 24 * H, year
    december = clock.local_month_range(2024, 12)
    assert december == (
        datetime.datetime(2024, 11, 30, 23, tzinfo=UTC),
        datetime.datetime(2024, 12, 31, 23, tzinfo=UTC),
    )


def test_month_ranges_meet_end_to_start_and_hold_each_moment_once() -> None:
    ranges = clock.local_month_ranges(datetime.date(2023, 11, 1), datetime.date(2025, 3, 31))
    assert [month for month, _start, _end in ranges][:3] == [
        datetime.date(2023, 11, 1),
        datetime.date(2023, 12, 1),
        datetime.date(2024, 1, 1),
    ]
    assert len(ranges) == 17 and ranges[-1][0] == datetime.date(2025, 3, 1)
    for (_m, _s, end), (_n, start, _e) in itertools.pairwise(ranges):
        assert end == start
    # Every hour of the span falls in exactly the month of its Stockholm date, over both DST changes.
    moment = ranges[0][1]
    while moment < ranges[-1][2]:
        inside = [month for month, start, end in ranges if start <= moment < end]
        local = moment.astimezone(clock.STOCKHOLM).date()
        assert inside == [local.replace(day=1)], moment
        moment += H * 7
    assert clock.local_month_ranges(datetime.date(2024, 5, 1), datetime.date(2024, 4, 1)) == []
