"""What the economy publishes for governance: four indicators (registered in governance's registry from
`INDICATORS`) and the VB's "Uppföljning av ekonomi" table by month. Plain values only — governance wraps them
in its own `Outcome`; economy does not import governance. No access check here: governance's selectors check
governance.view in the unit before they call the registry or build a document.

A period's figures are the months from its start to its end that have ended before `today`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bista.core.format import round_half_up
from bista.core.models import Unit
from bista.economy import figures, rules
from bista.rostering import loaders
from bista.rostering.facts import Period
from bista.timereports import rules as time_rules

ZERO = rules.ZERO
SHARE, COUNT = "share", "count"  # governance.rules' kinds (a share's forecast is its latest value)


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _months(
    cache: dict[Any, Any], unit_id: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> list[figures.Month]:
    result = []
    month = time_rules.first_of_month(start)
    while month <= end and time_rules.next_month(month) <= today:
        key = ("economy.month", unit_id, month)
        if key not in cache:
            cache[key] = figures.month(unit_id, month, cache)
        result.append(cache[key])
        month = time_rules.next_month(month)
    return result


def budget_deviation(
    cache: dict[Any, Any], unit_id: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> Figure:
    months = [m for m in _months(cache, unit_id, start, end, today) if m.budget is not None]
    if not months:
        return Figure(None)
    outcome = sum((m.outcome for m in months), ZERO)
    budget = sum((m.budget or ZERO for m in months), ZERO)
    return Figure(rules.money(outcome - budget), outcome, budget)


def overtime_cost(
    cache: dict[Any, Any], unit_id: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> Figure:
    months = _months(cache, unit_id, start, end, today)
    if not months:
        return Figure(None)
    return Figure(rules.money(sum((m.overtime_cost for m in months), ZERO)))


def hourly_paid_cost_share(
    cache: dict[Any, Any], unit_id: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> Figure:
    months = _months(cache, unit_id, start, end, today)
    hourly = sum((m.hourly_paid_cost for m in months), ZERO)
    wages = sum((m.wage_cost for m in months), ZERO)
    if not wages:
        return Figure(None)
    return Figure(rules.money(hourly * 100 / wages), hourly, wages)


def revenue_per_granted_hour(
    cache: dict[Any, Any], unit_id: int, start: datetime.date, end: datetime.date, today: datetime.date
) -> Figure:
    months = _months(cache, unit_id, start, end, today)
    if not months:
        return Figure(None)
    revenue = sum((m.revenue for m in months), ZERO)
    clients = {line.client_id for m in months for line in m.lines}
    period = Period(months[0].month, time_rules.last_of_month(months[-1].month))
    granted = sum(
        (Decimal(str(h)) for h in loaders.granted_hours(clients, period, unit_id=unit_id).values() if h), ZERO
    )
    if not granted:
        return Figure(None)
    return Figure(rules.money(revenue / granted), revenue, rules.money(granted))


Compute = Callable[[dict[Any, Any], int, datetime.date, datetime.date, datetime.date], Figure]
# key, kind, description (Swedish, shown to the reader), function
INDICATORS: list[tuple[str, str, str, Compute]] = [
    (
        "economy.budget_deviation",
        COUNT,
        "Utfall (intäkter minus kostnader ur bekräftad tid — schemats arbetade pass där ingen tid är "
        "bekräftad —, lönevillkor och registrerade kostnader) minus budgeterat resultat, för periodens "
        "avslutade månader med budget, i kronor.",
        budget_deviation,
    ),
    (
        "economy.overtime_cost",
        COUNT,
        "Kostnad för övertid och mertid (tid på övertidspass × timlön och tillägg) under periodens avslutade månader.",
        overtime_cost,
    ),
    (
        "economy.hourly_paid_cost_share",
        SHARE,
        "Lönekostnad (med PO-pålägg) för timavlönad personal delat med enhetens hela lönekostnad.",
        hourly_paid_cost_share,
    ),
    (
        "economy.revenue_per_granted_hour",
        SHARE,
        "Intäkter under perioden delat med de timmar som beställningarna beviljar brukarna under samma tid.",
        revenue_per_granted_hour,
    ),
]


# --- The VB's "Uppföljning av ekonomi" ------------------------------------------------------------------


MONTHS = ("Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec")


@dataclass(frozen=True)
class EconomyTable:
    header: list[str]
    rows: list[list[str]]
    points: list[tuple[str, Decimal | None]]  # the accumulated deviation per month, for the chart
    title: str


def _kr(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{round_half_up(value / 1000):,}".replace(",", " ").replace("-", "−")


def vb_table(unit: Unit, year: int, today: datetime.date, cache: dict[Any, Any] | None = None) -> EconomyTable:
    """Budget, outcome and deviation (tkr) per month of the year and accumulated, as in the seeds' VB."""
    cache = cache if cache is not None else {}
    months = {
        m.month: m for m in _months(cache, unit.pk, datetime.date(year, 1, 1), datetime.date(year, 12, 31), today)
    }
    budgets = figures.budgets(unit.pk, year)
    rows, points = [], []
    accumulated: Decimal | None = None
    for number in range(1, 13):
        month = datetime.date(year, number, 1)
        data = months.get(month)
        budget = budgets.get(month)
        budget_result = budget.result if budget else None
        outcome = data.outcome if data else None
        deviation = outcome - budget_result if outcome is not None and budget_result is not None else None
        if deviation is not None:
            accumulated = (accumulated or ZERO) + deviation
        rows.append(
            [MONTHS[number - 1], _kr(budget_result), _kr(outcome), _kr(deviation), _kr(accumulated if data else None)]
        )
        points.append(
            (
                MONTHS[number - 1],
                round_half_up(accumulated / 1000) if data and accumulated is not None else None,
            )
        )
    return EconomyTable(
        ["Månad", "Budget (tkr)", "Utfall (tkr)", "Avvikelse (tkr)", "Ackumulerad avvikelse (tkr)"],
        rows,
        points,
        f"Ackumulerad avvikelse mot budget {year} (tkr)",
    )
