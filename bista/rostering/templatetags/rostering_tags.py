"""The client card's hours against the decision (a panel the clients context's card shows without importing
rostering: the template loads this library, as it loads staff's)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from bista.core import charts, clock
from bista.core.format import one_decimal
from bista.rostering import selectors
from bista.rostering.views.common import month_label

register = template.Library()
MONTHS = 12


def _hours_text(value: float) -> str:
    return f"{one_decimal(value)} h"


@register.inclusion_tag("rostering/_client_hours.html", takes_context=True)
def client_hours(context: dict[str, Any], client: Any, units: Any) -> dict[str, Any]:
    """The last twelve months at each of the client's units whose roster the reader sees: granted, scheduled
    and worked hours as a chart and a table, each month linked to Timmar."""
    user = context["request"].user
    today = clock.today()
    panels = []
    for unit in units:
        if not selectors.can_view_roster(user, unit):
            continue
        months = selectors.client_hours_by_month(user, client, unit, today, MONTHS)
        if not any(m.granted_hours or m.scheduled_hours for m in months):
            continue
        links = [f"{reverse('rostering:hours')}?enhet={unit.pk}&manad={m.first:%Y-%m}" for m in months]
        labels = [f"{month_label(m.first)[:3]} {m.first:%y}" for m in months]
        chart = charts.line_chart(
            chart_id=f"timmar-{unit.pk}",
            title=f"Timmar mot beslut, {unit.name}",
            description="Beviljade, schemalagda och arbetade timmar per månad de senaste tolv månaderna. "
            "Samma siffror finns i tabellen under diagrammet.",
            periods=labels,
            series=[
                charts.Series("Beviljat", [m.granted_hours for m in months], links),
                charts.Series("Schemalagt", [round(m.scheduled_hours, 1) for m in months], links),
                charts.Series("varav arbetat", [round(m.worked_hours, 1) for m in months], links),
            ],
            empty_message="Inga timmar ännu.",
            value_text=lambda value: _hours_text(float(value)),
        )
        rows = [
            {
                "label": month_label(m.first),
                "url": url,
                "granted": "–" if m.granted_hours is None else _hours_text(m.granted_hours),
                "scheduled": _hours_text(m.scheduled_hours),
                "worked": _hours_text(m.worked_hours),
                "share": None if not m.granted_hours else round(100 * m.scheduled_hours / m.granted_hours),
            }
            for m, url in zip(months, links, strict=True)
        ]
        panels.append({"unit": unit, "chart": chart, "rows": rows})
    return {"panels": panels}
