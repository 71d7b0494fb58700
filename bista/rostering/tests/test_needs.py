"""Needs expansion (patterns and booked occasions to dated slots) and the hours a decision grants."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bista.core.clock import STOCKHOLM
from bista.rostering.facts import Kind, Period
from bista.rostering.needs import OccasionFact, PatternFact, expand_needs, granted_hours, local_instant

UTC = datetime.UTC
H = datetime.timedelta(hours=1)

SPRING_WEEK = Period(datetime.date(2026, 3, 23), datetime.date(2026, 3, 29))  # clocks forward Sunday 29 March
AUTUMN_WEEK = Period(datetime.date(2026, 10, 19), datetime.date(2026, 10, 25))  # clocks back Sunday 25 October
WEEK_10 = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))


def t(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


def pattern(
    start: datetime.time,
    end: datetime.time,
    weekdays: str = "1234567",
    *,
    pattern_id: int = 1,
    client_id: int = 10,
    staff_count: int = 1,
    kind: Kind = Kind.ACTIVE,
    valid_from: datetime.date = datetime.date(2020, 1, 1),
    valid_to: datetime.date | None = None,
) -> PatternFact:
    return PatternFact(pattern_id, client_id, weekdays, start, end, staff_count, kind, valid_from, valid_to)


def local(moment: datetime.datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M %Z")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


# --- patterns -------------------------------------------------------------------------------------------


def test_a_day_pattern_gives_one_slot_a_day() -> None:
    slots = expand_needs([pattern(t(7), t(15))], [], WEEK_10)
    assert len(slots) == 7
    assert [local(s.starts_at) for s in slots[:2]] == ["2026-03-02 07:00 CET", "2026-03-03 07:00 CET"]
    assert all(s.hours == 8 for s in slots)
    first = slots[0]
    assert first.key == "pattern:1:2026-03-02"
    assert first.source == "pattern:1"
    assert first.client_id == 10
    assert first.starts_at.tzinfo == UTC


def test_a_night_runs_past_midnight() -> None:
    slots = expand_needs([pattern(t(22), t(7))], [], WEEK_10)
    assert len(slots) == 7
    assert local(slots[0].starts_at) == "2026-03-02 22:00 CET"
    assert local(slots[0].ends_at) == "2026-03-03 07:00 CET"
    assert all(s.hours == 9 for s in slots)
    # The period's last night runs into the next period; the night before the first day is not in it.
    assert local(slots[-1].ends_at) == "2026-03-09 07:00 CET"


def test_equal_start_and_end_is_a_whole_day() -> None:
    slots = expand_needs([pattern(t(0), t(0))], [], WEEK_10)
    assert [s.hours for s in slots] == [24] * 7
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(slots))


def test_around_the_clock_in_the_spring_and_autumn_weeks() -> None:
    spring = expand_needs([pattern(t(0), t(0))], [], SPRING_WEEK)
    assert [s.hours for s in spring] == [24, 24, 24, 24, 24, 24, 23]
    autumn = expand_needs([pattern(t(0), t(0))], [], AUTUMN_WEEK)
    assert [s.hours for s in autumn] == [24, 24, 24, 24, 24, 24, 25]
    assert sum(s.hours for s in spring) == 167
    assert sum(s.hours for s in autumn) == 169


def test_the_night_before_the_clocks_go_forward_is_eight_hours() -> None:
    slots = expand_needs([pattern(t(22), t(7))], [], SPRING_WEEK)
    assert [s.hours for s in slots] == [9, 9, 9, 9, 9, 8, 9]
    assert local(slots[5].ends_at) == "2026-03-29 07:00 CEST"


def test_the_night_the_clocks_go_back_is_ten_hours() -> None:
    slots = expand_needs([pattern(t(22), t(7))], [], AUTUMN_WEEK)
    assert [s.hours for s in slots] == [9, 9, 9, 9, 9, 10, 9]


def test_a_start_in_the_spring_gap_moves_to_the_first_valid_time() -> None:
    slots = expand_needs([pattern(t(2, 30), t(6))], [], SPRING_WEEK)
    sunday = slots[-1]
    assert local(sunday.starts_at) == "2026-03-29 03:00 CEST"
    assert sunday.hours == 3
    assert sunday.starts_at == datetime.datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert slots[-2].hours == 3.5


def test_an_end_in_the_spring_gap_moves_forward_too() -> None:
    slots = expand_needs([pattern(t(22), t(2, 30))], [], SPRING_WEEK)
    saturday = slots[-2]
    assert local(saturday.ends_at) == "2026-03-29 03:00 CEST"
    assert saturday.hours == 4  # 22:00 CET to 03:00 CEST
    assert slots[0].hours == 4.5


def test_a_slot_inside_the_spring_gap_disappears() -> None:
    slots = expand_needs([pattern(t(2, 15), t(2, 45))], [], SPRING_WEEK)
    assert len(slots) == 6
    assert datetime.date(2026, 3, 29) not in {s.starts_at.astimezone(STOCKHOLM).date() for s in slots}


def test_an_ambiguous_autumn_time_is_its_first_occurrence() -> None:
    slots = expand_needs([pattern(t(2, 30), t(6))], [], AUTUMN_WEEK)
    sunday = slots[-1]
    assert local(sunday.starts_at) == "2026-10-25 02:30 CEST"
    assert sunday.starts_at == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert sunday.hours == 4.5
    ending = expand_needs([pattern(t(0), t(2, 30))], [], AUTUMN_WEEK)
    assert ending[-1].hours == 2.5


def test_local_instant() -> None:
    assert local_instant(datetime.date(2026, 3, 29), t(2)) == datetime.datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert local_instant(datetime.date(2026, 3, 29), t(1, 59)) == datetime.datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert local_instant(datetime.date(2026, 3, 29), t(3)) == datetime.datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert local_instant(datetime.date(2026, 10, 25), t(3)) == datetime.datetime(2026, 10, 25, 2, tzinfo=UTC)
    assert local_instant(datetime.date(2026, 7, 1), t(12)) == datetime.datetime(2026, 7, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("weekdays", "dates"),
    [
        ("12345", [2, 3, 4, 5, 6]),
        ("67", [7, 8]),
        ("1", [2]),
        ("7", [8]),
        ("", []),
        ("7531", [2, 4, 6, 8]),
    ],
)
def test_weekday_filter(weekdays: str, dates: list[int]) -> None:
    slots = expand_needs([pattern(t(7), t(9), weekdays)], [], WEEK_10)
    assert [s.starts_at.astimezone(STOCKHOLM).day for s in slots] == dates


def test_the_weekday_is_the_day_a_night_starts() -> None:
    slots = expand_needs([pattern(t(22), t(7), "5")], [], WEEK_10)
    assert [local(s.starts_at) for s in slots] == ["2026-03-06 22:00 CET"]


def test_validity_dates_are_inclusive() -> None:
    slots = expand_needs(
        [pattern(t(7), t(15), valid_from=datetime.date(2026, 3, 4), valid_to=datetime.date(2026, 3, 6))], [], WEEK_10
    )
    assert [s.starts_at.astimezone(STOCKHOLM).day for s in slots] == [4, 5, 6]


def test_an_open_ended_pattern_runs_to_the_end_of_the_period() -> None:
    slots = expand_needs([pattern(t(7), t(15), valid_from=datetime.date(2026, 3, 8))], [], WEEK_10)
    assert [s.starts_at.astimezone(STOCKHOLM).day for s in slots] == [8]


def test_patterns_outside_the_period_give_nothing() -> None:
    ended = pattern(t(7), t(15), valid_from=datetime.date(2026, 1, 1), valid_to=datetime.date(2026, 3, 1))
    future = pattern(t(7), t(15), pattern_id=2, valid_from=datetime.date(2026, 3, 9))
    assert expand_needs([ended, future], [], WEEK_10) == ()


def test_a_night_on_the_last_valid_day_runs_past_it() -> None:
    slots = expand_needs([pattern(t(22), t(7), valid_to=datetime.date(2026, 3, 2))], [], WEEK_10)
    assert [(local(s.starts_at), local(s.ends_at)) for s in slots] == [("2026-03-02 22:00 CET", "2026-03-03 07:00 CET")]


def test_staff_count_and_kind_are_carried() -> None:
    [slot] = expand_needs([pattern(t(7), t(9), "1", staff_count=2, kind=Kind.ON_CALL)], [], WEEK_10)
    assert slot.staff_count == 2
    assert slot.kind == Kind.ON_CALL
    [from_text] = expand_needs([pattern(t(7), t(9), "1", kind="standby")], [], WEEK_10)  # type: ignore[arg-type]
    assert from_text.kind is Kind.STANDBY


def test_the_assistance_day_of_three_passes_covers_the_clock() -> None:
    shifts = [pattern(t(7), t(15)), pattern(t(15), t(22), pattern_id=2), pattern(t(22), t(7), pattern_id=3)]
    peaks = [pattern(t(7), t(9), pattern_id=4), pattern(t(20), t(22), pattern_id=5)]
    slots = expand_needs([*shifts, *peaks], [], WEEK_10)
    assert len(slots) == 35
    assert len({s.key for s in slots}) == 35
    assert [s.starts_at for s in slots] == sorted(s.starts_at for s in slots)
    base = [s for s in slots if s.source in {"pattern:1", "pattern:2", "pattern:3"}]
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(base))


# --- occasions ------------------------------------------------------------------------------------------


def test_occasions_starting_in_the_period() -> None:
    occasions = [
        OccasionFact(5, 20, at(2026, 3, 3, 10), at(2026, 3, 3, 13), 1),
        OccasionFact(6, 20, at(2026, 3, 8, 23), at(2026, 3, 9, 2), 2),  # last evening, into the next week
        OccasionFact(7, 20, at(2026, 3, 1, 23), at(2026, 3, 2, 2), 1),  # starts the day before
        OccasionFact(8, 20, at(2026, 3, 9, 0), at(2026, 3, 9, 2), 1),  # starts the day after
    ]
    slots = expand_needs([], occasions, WEEK_10)
    assert [s.key for s in slots] == ["occasion:5", "occasion:6"]
    assert slots[0].source == "occasion:5"
    assert slots[0].hours == 3
    assert slots[1].staff_count == 2
    assert slots[1].starts_at.tzinfo == UTC
    assert slots[0].kind == Kind.ACTIVE


def test_an_occasion_across_the_autumn_change_has_its_elapsed_length() -> None:
    occasion = OccasionFact(1, 20, at(2026, 10, 25, 0), at(2026, 10, 25, 6), 1)
    [slot] = expand_needs([], [occasion], AUTUMN_WEEK)
    assert slot.hours == 7


def test_an_occasion_in_utc_is_placed_by_its_local_date() -> None:
    # 23:30 UTC on Sunday 8 March is 00:30 on Monday 9 March in Stockholm: the next period.
    occasion = OccasionFact(
        1, 20, datetime.datetime(2026, 3, 8, 23, 30, tzinfo=UTC), datetime.datetime(2026, 3, 9, 1, tzinfo=UTC), 1
    )
    assert expand_needs([], [occasion], WEEK_10) == ()


def test_patterns_and_occasions_together_sorted_by_start() -> None:
    slots = expand_needs(
        [pattern(t(12), t(13), "1")], [OccasionFact(1, 20, at(2026, 3, 2, 9), at(2026, 3, 2, 10), 1)], WEEK_10
    )
    assert [s.key for s in slots] == ["occasion:1", "pattern:1:2026-03-02"]


@settings(max_examples=100, deadline=None)
@given(
    st.dates(datetime.date(2025, 1, 1), datetime.date(2029, 12, 31)),
    st.integers(1, 60),
    st.sampled_from([t(0), t(7), t(2, 30), t(22)]),
)
def test_consecutive_patterns_tile_the_period_with_its_elapsed_length(
    start: datetime.date, days: int, boundary: datetime.time
) -> None:
    """Two patterns meeting at `boundary` and at 15:00 leave no gap and no overlap, whatever the clocks do."""
    period = Period(start, start + datetime.timedelta(days=days - 1))
    slots = expand_needs([pattern(boundary, t(15)), pattern(t(15), boundary, pattern_id=2)], [], period)
    assert len(slots) == 2 * days
    assert all(a.ends_at == b.starts_at for a, b in itertools.pairwise(slots))
    total = sum(s.hours for s in slots)
    assert total == pytest.approx((slots[-1].ends_at - slots[0].starts_at).total_seconds() / 3600)


# --- granted hours --------------------------------------------------------------------------------------

FOUR_WEEKS = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 29))
MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def test_weekly_scope() -> None:
    assert granted_hours(10, "week", datetime.date(2026, 1, 1), None, FOUR_WEEKS) == pytest.approx(40)
    assert granted_hours(10, "week", datetime.date(2026, 1, 1), None, MARCH) == pytest.approx(10 * 31 / 7)


def test_weekly_scope_starting_or_ending_inside_the_period() -> None:
    assert granted_hours(14, "week", datetime.date(2026, 3, 16), None, FOUR_WEEKS) == pytest.approx(28)
    assert granted_hours(14, "week", datetime.date(2026, 1, 1), datetime.date(2026, 3, 2), FOUR_WEEKS) == pytest.approx(
        2
    )
    assert granted_hours(
        7, "week", datetime.date(2026, 3, 10), datetime.date(2026, 3, 12), FOUR_WEEKS
    ) == pytest.approx(3)


def test_a_decision_outside_the_period_grants_nothing() -> None:
    assert granted_hours(10, "week", datetime.date(2026, 1, 1), datetime.date(2026, 3, 1), FOUR_WEEKS) == 0.0
    assert granted_hours(10, "month", datetime.date(2026, 3, 30), None, FOUR_WEEKS) == 0.0


def test_monthly_scope_for_a_whole_month() -> None:
    assert granted_hours(100, "month", datetime.date(2026, 1, 1), None, MARCH) == pytest.approx(100)


def test_monthly_scope_prorated_by_days_of_each_month() -> None:
    period = Period(datetime.date(2026, 3, 16), datetime.date(2026, 4, 15))
    assert granted_hours(100, "month", datetime.date(2026, 1, 1), None, period) == pytest.approx(
        100 * 16 / 31 + 100 * 15 / 30
    )


def test_monthly_scope_in_february() -> None:
    fortnight_2026 = Period(datetime.date(2026, 2, 1), datetime.date(2026, 2, 14))
    fortnight_2028 = Period(datetime.date(2028, 2, 1), datetime.date(2028, 2, 14))
    leap_february = Period(datetime.date(2028, 2, 1), datetime.date(2028, 2, 29))
    assert granted_hours(100, "month", datetime.date(2020, 1, 1), None, fortnight_2026) == pytest.approx(50)
    assert granted_hours(100, "month", datetime.date(2020, 1, 1), None, fortnight_2028) == pytest.approx(100 * 14 / 29)
    assert granted_hours(100, "month", datetime.date(2020, 1, 1), None, leap_february) == pytest.approx(100)
    leap_day = Period(datetime.date(2028, 2, 29), datetime.date(2028, 2, 29))
    assert granted_hours(29, "month", datetime.date(2020, 1, 1), None, leap_day) == pytest.approx(1)


def test_monthly_scope_across_new_year_with_a_decision_ending() -> None:
    period = Period(datetime.date(2026, 12, 14), datetime.date(2027, 1, 10))
    assert granted_hours(31, "month", datetime.date(2026, 12, 20), datetime.date(2027, 1, 5), period) == pytest.approx(
        12 + 5
    )


def test_occasion_scope_has_no_hours() -> None:
    assert granted_hours(4, "occasion", datetime.date(2026, 1, 1), None, MARCH) is None


def test_decimal_amounts() -> None:
    assert granted_hours(Decimal("12.5"), "week", datetime.date(2026, 1, 1), None, FOUR_WEEKS) == pytest.approx(50)


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="Okänd enhet"):
        granted_hours(4, "year", datetime.date(2026, 1, 1), None, MARCH)


@settings(max_examples=100, deadline=None)
@given(
    st.dates(datetime.date(2025, 1, 1), datetime.date(2029, 12, 31)),
    st.integers(1, 120),
    st.integers(1, 120),
)
def test_monthly_grants_add_up_over_split_periods(start: datetime.date, first_days: int, second_days: int) -> None:
    """Prorating by days: the grant for two adjacent periods is the grant for both together."""
    middle = start + datetime.timedelta(days=first_days)
    end = middle + datetime.timedelta(days=second_days - 1)
    decision = datetime.date(2020, 1, 1)
    for unit in ("week", "month"):
        whole = granted_hours(100, unit, decision, None, Period(start, end))
        first = granted_hours(100, unit, decision, None, Period(start, middle - datetime.timedelta(days=1)))
        second = granted_hours(100, unit, decision, None, Period(middle, end))
        assert whole is not None and first is not None and second is not None
        assert whole == pytest.approx(first + second)
