"""The pure rules: period bounds, which periods an indicator has, the forecast and the Swedish number format."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bista.governance import rules

D = datetime.date


def test_periods_are_cumulative_from_january() -> None:
    rng = rules.period_range(2024, "T1")
    assert (rng.start, rng.end, rng.label) == (D(2024, 1, 1), D(2024, 4, 30), "T1 2024")
    rng = rules.period_range(2024, "T2")
    assert (rng.start, rng.end, rng.label) == (D(2024, 1, 1), D(2024, 8, 31), "T2 2024")
    rng = rules.period_range(2024, "VB")
    assert (rng.start, rng.end, rng.label) == (D(2024, 1, 1), D(2024, 12, 31), "VB 2024")
    with pytest.raises(ValueError):
        rules.period_range(2024, "T3")


def test_yearly_indicators_have_only_the_year() -> None:
    assert rules.period_allowed("VB", "year")
    assert not rules.period_allowed("T1", "year")
    assert all(rules.period_allowed(p, "tertial") for p in rules.PERIODS)
    assert not rules.period_allowed("Q1", "tertial")
    assert rules.period_label(2025, "VB", "year") == "2025"
    assert rules.period_label(2025, "T2", "tertial") == "T2 2025"


def test_forecast_of_a_share_is_the_latest_value() -> None:
    rng = rules.period_range(2025, "T1")
    assert rules.forecast(Decimal(80), kind=rules.SHARE, rng=rng, today=D(2025, 6, 1)) == 80


def test_forecast_of_a_count_extrapolates_over_the_days_covered() -> None:
    t1 = rules.period_range(2024, "T1")  # 2024 is a leap year: 121 days to 30 April, 366 in the year
    assert rules.forecast(Decimal(121), kind=rules.COUNT, rng=t1, today=D(2025, 1, 1)) == Decimal(366)
    # a period still running covers the days up to today: 31 days of January
    assert rules.forecast(Decimal(31), kind=rules.COUNT, rng=t1, today=D(2024, 1, 31)) == Decimal(366)
    assert rules.forecast(Decimal(5), kind=rules.COUNT, rng=t1, today=D(2023, 12, 1)) is None
    vb = rules.period_range(2024, "VB")
    assert rules.forecast(Decimal(7), kind=rules.COUNT, rng=vb, today=D(2025, 2, 1)) == 7
    assert rules.forecast(None, kind=rules.COUNT, rng=vb, today=D(2025, 2, 1)) is None
    with pytest.raises(ValueError):
        rules.forecast(Decimal(1), kind="median", rng=vb, today=D(2025, 2, 1))


@given(st.integers(min_value=0, max_value=10_000), st.dates(D(2024, 1, 1), D(2026, 1, 1)))
def test_a_count_forecast_is_never_below_the_outcome(count: int, today: datetime.date) -> None:
    rng = rules.period_range(2024, "T2")
    result = rules.forecast(Decimal(count), kind=rules.COUNT, rng=rng, today=today)
    assert result is None or result >= count


def test_swedish_number_format() -> None:
    assert rules.format_value(Decimal("83.725"), 2, "%") == "83,73 %"
    assert rules.format_value(Decimal("56"), 0, "index") == "56"
    assert rules.format_value(Decimal("1234.5"), 1, "timmar") == "1 234,5 timmar"
    assert rules.format_value(None, 1, "%") == "–"
    assert rules.format_value(Decimal("-2"), 0) == "−2"


def test_meets_target_in_both_directions() -> None:
    assert rules.meets_target(Decimal(80), Decimal(70), higher_is_better=True)
    assert not rules.meets_target(Decimal("10.6"), Decimal("8.5"), higher_is_better=False)
    assert rules.meets_target(None, Decimal(1), higher_is_better=True) is None
    assert rules.ratio(1, 0, percent=True) is None
    assert rules.years_back(2025, 3) == [2023, 2024, 2025]


def test_text_blocks_find_the_managers_sub_headings_and_lists():
    text = (
        "Enheten bedömer att målen har uppnåtts.\r\n\r\nBrukarens inflytande och delaktighet\n\n"
        "Genomförandeplaner har upprättats.\nOch följts upp.\n\n- Fler kontroller\n- Noggrannare avtal.\n\n"
        "Målet bedöms som uppfyllt.\n\n\n"
    )
    assert rules.text_blocks(text) == [
        (rules.PARAGRAPH, "Enheten bedömer att målen har uppnåtts."),
        (rules.HEADING, "Brukarens inflytande och delaktighet"),
        (rules.PARAGRAPH, "Genomförandeplaner har upprättats.\nOch följts upp."),
        (rules.BULLETS, ["Fler kontroller", "Noggrannare avtal."]),
        (rules.PARAGRAPH, "Målet bedöms som uppfyllt."),
    ]
    assert rules.text_blocks("  \n\n ") == []
    long_line = (
        "Ett stycke utan punkt som är längre än en rubrik brukar vara och därför räknas som text och inget annat"
    )
    assert rules.text_blocks(long_line) == [(rules.PARAGRAPH, long_line)]
