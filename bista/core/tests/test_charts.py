"""The chart helpers' rules that a page relies on: labels that never run into each other, counts that are never
negative, and figures (a result in kronor) that may be."""

from __future__ import annotations

import re

import pytest

from bista.core import charts

MONTHS = [
    f"{name} {year}"
    for year in (2024, 2025, 2026)
    for name in ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
]


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]+)</text>", svg)


def test_every_label_is_written_when_they_fit() -> None:
    assert charts._label_step(["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]) == 1
    assert charts._label_step(["T1", "T2", "T3"] * 6) == 1
    assert charts._label_step([]) == 1


@pytest.mark.parametrize("count", [13, 24, 36, 60, 120])
def test_labels_of_many_periods_are_thinned_so_that_they_do_not_overlap(count: int) -> None:
    periods = (MONTHS * 4)[:count]
    step = charts._label_step(periods)
    shown = len(range(0, count, step))
    width = max(len(label) for label in periods) * charts.CHAR_IN
    assert shown * width <= charts.PLOT_IN  # the labels written fit side by side
    assert step == 1 or (shown + 1) * width > charts.PLOT_IN / 2  # and not thinned more than needed (about)


def test_a_long_line_chart_writes_every_nth_label_and_names_every_point() -> None:
    values = [float(i % 7 + 1) for i in range(len(MONTHS))]
    svg = charts.line_chart(
        chart_id="c", title="T", description="D", periods=MONTHS, series=[charts.Series("Antal", values)]
    )
    written = [label for label in _labels(svg) if label in MONTHS]
    step = charts._label_step(MONTHS)
    assert step > 1 and written == MONTHS[::step]
    assert "Antal, dec 2026: " in svg and "Antal, nov 2026: " in svg  # an unlabelled period keeps its point's text


def test_a_count_below_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        charts.bar_chart(chart_id="c", title="T", description="D", periods=["a"], series=[charts.Series("x", [-1])])
    with pytest.raises(ValueError, match="negative"):
        charts.line_chart(chart_id="c", title="T", description="D", periods=["a"], series=[charts.Series("x", [-1])])


def test_a_figure_below_zero_is_drawn_below_the_zero_line() -> None:
    svg = charts.line_chart(
        chart_id="c",
        title="Resultat",
        description="D",
        periods=["jan", "feb", "mar"],
        series=[charts.Series("Utfall", [-1500.0, -3000.0, 200.0])],
        value_text=lambda value: f"{value:.0f} tkr",
    )
    ticks = [label for label in _labels(svg) if label.endswith(" tkr")]
    assert any(label.startswith("-") for label in ticks) and "0 tkr" in ticks
    assert "Utfall, feb: -3000 tkr" in svg
