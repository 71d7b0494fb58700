"""The start page's "Att göra" counts as a chart (care_charts.todo_chart): the table's figures, one bar per
box and a linked segment per state, nothing when nothing is counted, and the SVG drawn once per set of
figures (matplotlib costs tens of milliseconds a chart; the start page cannot spend that at every load)."""

from __future__ import annotations

from typing import Any

from django.template import Context, Template

from bista.care.templatetags import care_charts


def _boxes(overdue: int = 2, due_soon: int = 1, done_late: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "label": "Mina uppgifter",
            "url": "/att-gora/",
            "counts": {"overdue": 0, "due_soon": due_soon, "done_late": 0},
        },
        {
            "label": "Enheten för personligt stöd",
            "url": "/att-gora/?unit=7",
            "counts": {"overdue": overdue, "due_soon": 0, "done_late": done_late},
        },
    ]


def test_the_chart_draws_the_tables_figures_with_links_to_each_section() -> None:
    svg = str(care_charts.todo_chart(_boxes(overdue=2, due_soon=1, done_late=3)))
    assert svg.startswith("<svg") and 'role="figure"' in svg
    assert "<title>Försenade, Enheten för personligt stöd: 2</title>" in svg
    assert "<title>Förfaller snart, Mina uppgifter: 1</title>" in svg
    assert "<title>Utfört för sent, Enheten för personligt stöd: 3</title>" in svg
    assert 'href="/att-gora/?unit=7#forsenade"' in svg and 'href="/att-gora/#forfaller"' in svg
    assert 'href="/att-gora/?unit=7#for-sent"' in svg
    assert "Försenade, Mina uppgifter" not in svg  # a zero has no segment
    assert "style=" not in svg and "<script" not in svg  # the page's CSP


def test_nothing_counted_draws_no_chart() -> None:
    assert care_charts.todo_chart(_boxes(overdue=0, due_soon=0, done_late=0)) == ""
    assert care_charts.todo_chart([]) == ""


def test_the_same_figures_are_drawn_once() -> None:
    care_charts._chart.cache_clear()
    first = care_charts.todo_chart(_boxes(overdue=5))
    again = care_charts.todo_chart(_boxes(overdue=5))
    assert again is first
    assert care_charts._chart.cache_info().misses == 1
    changed = care_charts.todo_chart(_boxes(overdue=6))
    assert changed != first and "Enheten för personligt stöd: 6" in str(changed)


def test_the_table_stays_beside_the_chart() -> None:
    html = Template('{% include "care/_todo_counts.html" %}').render(Context({"todo_boxes": _boxes(overdue=4)}))
    assert '<div class="chart-small"><svg' in html
    assert '<td class="num">4</td>' in html and '<a href="/att-gora/?unit=7">Enheten för personligt stöd</a>' in html
    empty = Template('{% include "care/_todo_counts.html" %}').render(Context({"todo_boxes": _boxes(0, 0, 0)}))
    assert "<svg" not in empty and "<table" in empty
