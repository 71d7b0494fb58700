"""An indicator's outcome over the years as a PNG line chart (for the DOCX, the PDF and the goal page): the
shared chart (`core.charts`, ADR 0015) with governance's number format and the plan's target as "Årsmål".

The same figures are always in a table beside or above the chart (the indicator table, and the page's data
table), so nothing is only in the picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bista.core import charts
from bista.governance import rules


def line_chart_png(
    *,
    title: str,
    points: Sequence[tuple[str, Decimal | None]],
    target: Decimal | None = None,
    decimals: int = 1,
    unit_of_measure: str = "",
) -> bytes:
    """A line over the periods (missing values leave a gap), with each value written at its point."""
    return charts.line_chart_png(
        title=title,
        points=points,
        value_text=lambda value: rules.format_value(value, decimals),
        target=target,
        target_text=f"Årsmål {rules.format_value(target, decimals, unit_of_measure)}" if target is not None else "",
    )
