"""The pure rules of worked time: months, the split of a worked time, time bands across midnight, daylight-saving
nights and holidays, and the municipality's first 20 hours a week over weeks that cross months."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bista.core.clock import STOCKHOLM
from bista.timereports import rules
from bista.timereports.models import municipal_minutes_per_week

T = datetime.time
BANDS = [  # as seeded (migration 0005)
    rules.Band("evening", "12345", T(19), T(22), 1),
    rules.Band("night", "1234567", T(22), T(6), 2),
    rules.Band("weekend", "5", T(19), T(0), 3),
    rules.Band("weekend", "67", T(0), T(0), 3),
    rules.Band("weekend", "1", T(0), T(7), 3),
]
HOLIDAYS = rules.holiday_dates(range(2024, 2032))


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, mi, tzinfo=STOCKHOLM)


def split(a: datetime.datetime, b: datetime.datetime) -> dict[str, float]:
    return rules.split_by_band(a, b, BANDS, HOLIDAYS)


# --- Months -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", datetime.date(2026, 11, 1)),
        ("2024-02", datetime.date(2024, 2, 1)),
        ("2026-13", None),
        ("2026-00", None),
        ("0001-01", None),
        ("26-11", None),
        ("", None),
        ("2026-11-01", None),
    ],
)
def test_parse_month(text: str, expected: datetime.date | None) -> None:
    assert rules.parse_month(text) == expected


def test_month_windows_are_stockholm_months_also_across_dst_and_years() -> None:
    start, end = rules.month_window(datetime.date(2026, 3, 1))
    assert (end - start) == datetime.timedelta(days=31, hours=-1)  # the spring night is an hour short
    start, end = rules.month_window(datetime.date(2026, 10, 1))
    assert (end - start) == datetime.timedelta(days=31, hours=1)
    assert rules.next_month(datetime.date(2026, 12, 1)) == datetime.date(2027, 1, 1)
    assert rules.previous_month(datetime.date(2027, 1, 1)) == datetime.date(2026, 12, 1)
    assert rules.last_of_month(datetime.date(2024, 2, 1)) == datetime.date(2024, 2, 29)
    assert rules.month_of(at(2026, 4, 1, 0, 30)) == datetime.date(2026, 4, 1)  # 22:30 UTC on 31 March


def test_split_minutes_of_active_time_and_jour() -> None:
    assert rules.split_minutes("active", 480, 0, 60) == rules.Minutes(active=420, waiting=60)
    assert rules.split_minutes("on_call", 540, 45, 0) == rules.Minutes(active=45, on_call=495)
    assert rules.split_minutes("standby", 600, 0, 0) == rules.Minutes(standby=600)
    assert rules.split_minutes("on_call", 60, 90, 0).total == 60  # clamped


def test_interval_errors_name_the_field() -> None:
    now = at(2026, 6, 1, 12)
    assert rules.interval_errors(at(2026, 5, 1, 15), at(2026, 5, 1, 7), now=now) == {
        "ends_at": "Sluttiden måste vara efter starttiden."
    }
    assert set(rules.interval_errors(at(2026, 5, 1), at(2026, 5, 3, 1), now=now)) == {"ends_at"}
    assert set(rules.interval_errors(at(2026, 6, 2), at(2026, 6, 2, 8), now=now)) == {"starts_at"}
    assert rules.interval_errors(at(2026, 5, 1, 7), at(2026, 5, 1, 15), now=now) == {}


# --- Time bands ---------------------------------------------------------------------------------------------


def test_a_weekday_evening_shift_across_midnight() -> None:
    # Tuesday 17:00 → Wednesday 07:00: day 2 h + 1 h, evening 3 h, night 8 h.
    assert split(at(2026, 3, 24, 17), at(2026, 3, 25, 7)) == {"day": 180.0, "evening": 180.0, "night": 480.0}


def test_the_spring_dst_night_is_an_hour_short() -> None:
    # Saturday 28 March 2026 20:00 → Sunday 08:00: 11 elapsed hours, all weekend.
    assert split(at(2026, 3, 28, 20), at(2026, 3, 29, 8)) == {"weekend": 660.0}
    # A weekday-style night the same weekend in 2025 (Sunday 30 March): Sunday 22:00 → Monday 06:00 is weekend.
    assert sum(split(at(2025, 3, 29, 22), at(2025, 3, 30, 6)).values()) == 7 * 60


def test_the_autumn_dst_night_is_an_hour_long() -> None:
    # Tuesday 27 Oct 2026 is no DST; Sunday 25 Oct 2026 is. Saturday 22:00 → Sunday 06:00 = 9 h.
    assert split(at(2026, 10, 24, 22), at(2026, 10, 25, 6)) == {"weekend": 540.0}


def test_holidays_win_and_are_computed_with_the_eves() -> None:
    for day in (
        datetime.date(2026, 12, 24),
        datetime.date(2026, 6, 19),
        datetime.date(2026, 4, 4),
        datetime.date(2026, 1, 6),
        datetime.date(2026, 12, 31),
    ):
        assert day in HOLIDAYS, day
    assert datetime.date(2026, 3, 8) not in HOLIDAYS  # an ordinary Sunday is weekend, not a holiday
    # Midsummer Eve (Friday) 18:00 → Saturday (Midsummer Day) 02:00: all holiday.
    assert split(at(2026, 6, 19, 18), at(2026, 6, 20, 2)) == {"holiday": 480.0}
    # 23 December (Wednesday) 20:00 → 24 December 04:00: evening 2 h, night 2 h, then Christmas Eve 4 h.
    assert split(at(2026, 12, 23, 20), at(2026, 12, 24, 4)) == {"evening": 120.0, "night": 120.0, "holiday": 240.0}


def test_the_weekend_runs_from_friday_evening_to_monday_morning() -> None:
    assert split(at(2026, 3, 6, 18), at(2026, 3, 6, 20)) == {"day": 60.0, "weekend": 60.0}
    assert split(at(2026, 3, 9, 6), at(2026, 3, 9, 8)) == {"weekend": 60.0, "day": 60.0}


moments = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2031, 12, 31), timezones=st.just(STOCKHOLM)
)


@settings(max_examples=150, deadline=None)
@given(
    start=moments, minutes=st.integers(min_value=1, max_value=48 * 60), cut=st.floats(min_value=0.01, max_value=0.99)
)
def test_bands_add_up_to_the_elapsed_time_and_cutting_changes_nothing(
    start: datetime.datetime, minutes: int, cut: float
) -> None:
    start = start.astimezone(datetime.UTC)
    end = start + datetime.timedelta(minutes=minutes)
    whole = split(start, end)
    assert sum(whole.values()) == pytest.approx(minutes)
    middle = start + datetime.timedelta(minutes=minutes * cut)
    parts = split(start, middle)
    for code, value in split(middle, end).items():
        parts[code] = parts.get(code, 0.0) + value
    assert parts.keys() == whole.keys()
    for code in whole:
        assert parts[code] == pytest.approx(whole[code])


# --- The municipality's first 20 hours a week ---------------------------------------------------------------

TWENTY = 20 * 60


def test_twenty_hours_over_a_week_crossing_months() -> None:
    # Monday 27 April – Sunday 3 May 2026, 8 hours a day: 20 h of the week are the municipality's, in time order.
    days = [at(2026, 4, 27) + datetime.timedelta(days=n) for n in range(7)]
    intervals = [(d.replace(hour=8), d.replace(hour=16)) for d in days]
    result = rules.municipal_split(intervals, TWENTY)
    april, may = result[datetime.date(2026, 4, 1)], result[datetime.date(2026, 5, 1)]
    # April 27–30: 4 days = 32 h, of which the first 20 h municipal; May 1–3: 24 h, all FK.
    assert (april.municipal, april.fk) == (TWENTY, 12 * 60)
    assert (may.municipal, may.fk) == (0, 24 * 60)


def test_a_night_across_the_month_end_and_the_week_start() -> None:
    # Sunday 31 May 2026 20:00 → Monday 1 June 08:00: the last 4 h of May's week, then a new week in June.
    result = rules.municipal_split([(at(2026, 5, 31, 20), at(2026, 6, 1, 8))], TWENTY)
    assert result[datetime.date(2026, 5, 1)] == rules.Share(municipal=240, fk=0)
    assert result[datetime.date(2026, 6, 1)] == rules.Share(municipal=480, fk=0)


@settings(max_examples=100, deadline=None)
@given(
    starts=st.lists(moments, min_size=1, max_size=12),
    hours=st.integers(min_value=1, max_value=24),
    first=st.integers(min_value=0, max_value=40),
)
def test_the_split_keeps_every_minute_and_never_exceeds_the_weekly_share(
    starts: list[datetime.datetime], hours: int, first: int
) -> None:
    intervals = []
    for start in sorted(starts):
        begin = start.astimezone(datetime.UTC)
        if intervals and begin < intervals[-1][1]:
            continue  # one person's time does not overlap
        intervals.append((begin, begin + datetime.timedelta(hours=hours)))
    result = rules.municipal_split(intervals, first * 60)
    total = sum((b - a).total_seconds() / 60 for a, b in intervals)
    assert sum(s.municipal + s.fk for s in result.values()) == pytest.approx(total)
    weeks = {rules._week_start(a) for a, _b in intervals} | {rules._week_start(b) for _a, b in intervals}
    assert sum(s.municipal for s in result.values()) <= first * 60 * len(weeks) + 1e-6


def test_a_week_with_the_autumn_change_is_one_week() -> None:
    # Monday 19 – Sunday 25 October 2026 (the clock turns back on the Sunday), 5 h a day: 35 h, 20 municipal.
    intervals = [(at(2026, 10, 19 + n, 8), at(2026, 10, 19 + n, 13)) for n in range(7)]
    assert rules.municipal_split(intervals, TWENTY) == {datetime.date(2026, 10, 1): rules.Share(TWENTY, 15 * 60)}


@pytest.mark.django_db
def test_the_seeded_reference_data_is_what_the_rules_are_tested_with() -> None:
    from bista.timereports import selectors

    assert sorted(selectors.bands_on(datetime.date(2026, 1, 1)), key=repr) == sorted(BANDS, key=repr)
    assert municipal_minutes_per_week(datetime.date(2026, 1, 1)) == TWENTY
