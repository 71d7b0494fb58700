"""The start page's "Att göra" counts as a chart (issue 13, item 7), drawn by core.charts from the counts the
page already has (`todo_boxes`: label, url, counts), beside the table with the same figures.

One bar per box (the user's own duties, each unit whose clients they see), a segment per state (försenade,
förfaller snart, utfört för sent), each segment a link to that section of the box's Att göra. matplotlib
takes tens of milliseconds per chart, which the start page cannot spend at every load; the counts change a
few times a day, so the SVG is cached in the process, keyed on what is drawn (labels, links and counts)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django import template
from django.utils.safestring import SafeString

from bista.core import charts

register = template.Library()

# (key of the counts, legend label, section anchor on the Att göra page)
STATES = (
    ("overdue", "Försenade", "forsenade"),
    ("due_soon", "Förfaller snart", "forfaller"),
    ("done_late", "Utfört för sent", "for-sent"),
)
CACHED_CHARTS = 256  # distinct figures kept; a chart is a few kilobytes

Box = tuple[str, str, tuple[int, ...]]  # label, url, a count per state


@register.simple_tag
def todo_chart(boxes: Sequence[dict[str, Any]]) -> SafeString:
    """A stacked bar per box; the empty string when nothing is counted (the table says so)."""
    key = tuple(
        (str(box["label"]), str(box["url"]), tuple(int(box["counts"][name]) for name, _, _ in STATES)) for box in boxes
    )
    if not any(any(counts) for _, _, counts in key):
        return SafeString("")
    return _chart(key)


@lru_cache(maxsize=CACHED_CHARTS)
def _chart(boxes: tuple[Box, ...]) -> SafeString:
    return charts.bar_chart(
        chart_id="att-gora-diagram",
        title="Att göra: antal uppgifter per läge",
        description="Staplat stapeldiagram med samma siffror som tabellen: försenade, förfaller snart och "
        "utfört för sent, för dina egna uppgifter och för varje enhet. Varje del länkar till uppgifterna.",
        periods=[label for label, _, _ in boxes],
        series=[
            charts.Series(
                legend,
                [counts[index] for _, _, counts in boxes],
                [f"{url}#{anchor}" for _, url, _ in boxes],
            )
            for index, (_, legend, anchor) in enumerate(STATES)
        ],
    )
