"""Sick-leave day counting (pure): day numbers per episode, days 1–14 against day 15 on, across month and year
boundaries, and a re-sickening within five days continuing the count."""

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bista.staff import rules
from bista.staff.rules import Episode

D = datetime.date


def numbers(days: list[rules.SickDay]) -> list[tuple[datetime.date, int]]:
    return [(d.day, d.number) for d in days]


def test_an_episode_is_numbered_from_its_first_day() -> None:
    days = rules.episode_days(Episode(D(2025, 3, 3), D(2025, 3, 5)), D(2025, 3, 1), D(2025, 3, 31))
    assert numbers(days) == [(D(2025, 3, 3), 1), (D(2025, 3, 4), 2), (D(2025, 3, 5), 3)]


def test_an_episode_across_months_keeps_counting_in_the_next_month() -> None:
    episode = Episode(D(2025, 1, 25), D(2025, 2, 10))
    january = rules.sick_days([episode], *rules.month_range(2025, 1))
    february = rules.sick_days([episode], *rules.month_range(2025, 2))
    assert [d.number for d in january] == list(range(1, 8))  # 25–31 January
    assert numbers(february)[0] == (D(2025, 2, 1), 8)
    assert numbers(february)[-1] == (D(2025, 2, 10), 17)
    early, late = rules.split_sick_pay_period(february)
    assert [d.day for d in early] == [D(2025, 2, d) for d in range(1, 8)]  # days 8–14
    assert [d.day for d in late] == [D(2025, 2, d) for d in range(8, 11)]  # days 15–17


def test_an_episode_across_new_year_and_a_leap_day() -> None:
    episode = Episode(D(2023, 12, 20), D(2024, 3, 1))
    by_month = rules.count_by_month([episode], D(2023, 12, 1), D(2024, 3, 31))
    assert by_month[(2023, 12)] == rules.SickDayCount(12, 0, 12.0, 0.0)  # 20–31 December: days 1–12
    assert by_month[(2024, 1)].days_1_14 == 2  # 1–2 January: days 13–14
    assert by_month[(2024, 1)].days_15_on == 29
    assert by_month[(2024, 2)].days == 29  # leap year
    assert by_month[(2024, 3)].days_15_on == 1
    assert sum(c.days for c in by_month.values()) == (D(2024, 3, 1) - D(2023, 12, 20)).days + 1
    assert rules.day_number_on([episode], D(2024, 2, 29)) == 72


def test_an_ongoing_episode_runs_to_the_end_of_the_asked_range() -> None:
    episode = Episode(D(2025, 5, 28))
    june = rules.sick_days([episode], *rules.month_range(2025, 6))
    assert len(june) == 30
    assert june[0].number == 5 and june[-1].number == 34
    assert rules.day_number_on([episode], D(2025, 5, 27)) is None


def test_re_sickening_within_five_days_continues_the_count() -> None:
    first = Episode(D(2025, 3, 3), D(2025, 3, 7))  # days 1–5
    again = Episode(D(2025, 3, 12), D(2025, 3, 25))  # starts five days after the 7th: days 6–19
    days = rules.sick_days([first, again], D(2025, 3, 1), D(2025, 3, 31))
    assert numbers(days)[5] == (D(2025, 3, 12), 6)
    assert days[-1].number == 19
    early, late = rules.split_sick_pay_period(days)
    assert len(early) == 14 and len(late) == 5
    assert rules.first_numbers([again, first], until=D(2025, 3, 31)) == [6, 1]  # order given is kept


def test_re_sickening_after_six_days_starts_a_new_count() -> None:
    first = Episode(D(2025, 3, 3), D(2025, 3, 7))
    again = Episode(D(2025, 3, 13), D(2025, 3, 20))
    assert rules.first_numbers([first, again], until=D(2025, 3, 31)) == [1, 1]


def test_continuation_chains_and_can_be_switched_off() -> None:
    episodes = [
        Episode(D(2025, 12, 29), D(2025, 12, 31)),  # days 1–3
        Episode(D(2026, 1, 3), D(2026, 1, 5)),  # continues across the new year: days 4–6
        Episode(D(2026, 1, 8), D(2026, 1, 20)),  # continues again: days 7–19
    ]
    assert rules.first_numbers(episodes, until=D(2026, 1, 31)) == [1, 4, 7]
    january = rules.count_by_month(episodes, D(2026, 1, 1), D(2026, 1, 31))[(2026, 1)]
    assert (january.days_1_14, january.days_15_on) == (11, 5)
    assert rules.first_numbers(episodes, until=D(2026, 1, 31), linked_within_days=2) == [1, 1, 1]
    assert rules.first_numbers(episodes, until=D(2026, 1, 31), linked_within_days=0) == [1, 1, 1]


def test_an_adjacent_row_is_always_the_same_episode() -> None:
    """A change of extent within one sickness is a new row starting the next day: it continues the count."""
    full = Episode(D(2025, 4, 1), D(2025, 4, 10), 100)
    half = Episode(D(2025, 4, 11), D(2025, 4, 30), 50)
    assert rules.first_numbers([full, half], until=D(2025, 4, 30), linked_within_days=0) == [1, 11]
    april = rules.count_by_month([full, half], D(2025, 4, 1), D(2025, 4, 30))[(2025, 4)]
    assert april.days_1_14 == 14 and april.days_15_on == 16
    assert april.weighted_1_14 == pytest.approx(10 + 4 * 0.5)
    assert april.weighted_15_on == pytest.approx(16 * 0.5)


def test_an_earlier_episode_outside_the_range_still_decides_the_numbers() -> None:
    first = Episode(D(2025, 1, 27), D(2025, 1, 31))
    again = Episode(D(2025, 2, 3), D(2025, 2, 28))
    february = rules.sick_days([first, again], *rules.month_range(2025, 2))
    assert february[0].number == 6


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        rules.sick_days([], D(2025, 2, 1), D(2025, 1, 31))
    with pytest.raises(ValueError):
        rules.first_numbers([Episode(D(2025, 1, 1), D(2025, 1, 10)), Episode(D(2025, 1, 5))], until=D(2025, 2, 1))


episode_lists = st.lists(
    st.tuples(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=60)), max_size=6
)


def build(spec: list[tuple[int, int]]) -> list[Episode]:
    """Episodes from (gap before, length-1) pairs, starting 2024-11-15: never overlapping."""
    episodes = []
    day = D(2024, 11, 15)
    for gap, extra in spec:
        start = day + datetime.timedelta(days=gap)
        end = start + datetime.timedelta(days=extra)
        episodes.append(Episode(start, end))
        day = end
    return episodes


@given(episode_lists, st.integers(min_value=0, max_value=7))
def test_counting_per_month_adds_up_to_counting_the_whole_range(spec: list[tuple[int, int]], linked: int) -> None:
    episodes = build(spec)
    start, end = D(2024, 11, 1), D(2025, 6, 30)
    whole = rules.count(rules.sick_days(episodes, start, end, linked_within_days=linked))
    months = rules.count_by_month(episodes, start, end, linked_within_days=linked)
    assert whole.days_1_14 == sum(c.days_1_14 for c in months.values())
    assert whole.days_15_on == sum(c.days_15_on for c in months.values())
    in_range = sum(max(0, (min(e.ends_on or end, end) - max(e.starts_on, start)).days + 1) for e in episodes)
    assert whole.days == in_range


@given(episode_lists, st.integers(min_value=0, max_value=7))
def test_numbers_rise_by_one_a_day_and_restart_only_after_a_long_gap(spec: list[tuple[int, int]], linked: int) -> None:
    episodes = build(spec)
    days = rules.sick_days(episodes, D(2024, 1, 1), D(2026, 12, 31), linked_within_days=linked)
    for before, after in itertools.pairwise(days):
        gap = (after.day - before.day).days
        if gap <= max(linked, 1):  # consecutive, or a re-sickening within `linked` days
            assert after.number == before.number + 1
        else:
            assert after.number == 1
