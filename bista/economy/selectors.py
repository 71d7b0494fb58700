"""Reads of the economy, scoped to the actor: only holders of `economy.manage` in a unit see its money and
wages. Pages that name clients (the month's revenue per client, invoices, the economy per client) log each
client shown through rostering's `client_labels`; the year overview and the payroll basis name no client.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from bista.clients.models import Client
from bista.core import clock
from bista.core.access import has_perm, unit_ids_with
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.economy import figures, rules
from bista.economy.models import Budget, Invoice, InvoiceLine, OtherCost, PayrollExport, WageTerm
from bista.rostering import loaders
from bista.rostering import selectors as rostering_selectors
from bista.rostering.facts import Period
from bista.rostering.models import Shift
from bista.staff.models import Employee
from bista.timereports import rules as time_rules

ZERO = rules.ZERO
DENIED = f"Behörighet saknas: {Perm.ECONOMY}"


def economy_units(actor: Any) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=unit_ids_with(actor, Perm.ECONOMY)).order_by("name", "pk"))


def can_see(actor: Any, unit: Unit | int) -> bool:
    return has_perm(actor, Perm.ECONOMY, unit)


def require(actor: Any, unit: Unit | int) -> None:
    if not can_see(actor, unit):
        raise PermissionDenied(DENIED)


def _labels(actor: Any, unit: Unit, client_ids: set[int], log: str) -> dict[int, str]:
    if not client_ids:
        return {}
    clients = Client.objects.filter(pk__in=client_ids)
    return rostering_selectors.client_labels(actor, [(c, unit.pk) for c in clients], log=log)


# --- The year ---------------------------------------------------------------------------------------------


@dataclass
class Driver:
    label: str
    amount: Decimal
    note: str = ""


@dataclass
class Year:
    unit: Unit
    year: int
    months: list[figures.Month]
    budgets: dict[datetime.date, Budget]
    forecast: Decimal
    budget_year: Decimal | None
    drivers: list[Driver] = field(default_factory=list)
    ahead: list[figures.Ahead] = field(default_factory=list)

    @property
    def revenue(self) -> Decimal:
        return sum((m.revenue for m in self.months), ZERO)

    @property
    def cost(self) -> Decimal:
        return sum((m.cost for m in self.months), ZERO)

    @property
    def outcome(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def budget_so_far(self) -> Decimal | None:
        values = [m.budget for m in self.months if m.budget is not None]
        return sum(values, ZERO) if values else None

    @property
    def deviation(self) -> Decimal | None:
        """Over the months that have a budget (as the budget-deviation indicator): a month without one has
        nothing to deviate from."""
        deviations = [m.deviation for m in self.months if m.deviation is not None]
        return sum(deviations, ZERO) if deviations else None

    def rows(self) -> list[dict[str, Any]]:
        """One row per month of the year: budget, outcome, deviation (None for months not yet come)."""
        done = {m.month: m for m in self.months}
        result = []
        for number in range(1, 13):
            month = datetime.date(self.year, number, 1)
            budget = self.budgets.get(month)
            figures_ = done.get(month)
            result.append(
                {
                    "month": month,
                    "budget": (budget.revenue - budget.cost) if budget else None,
                    "revenue": figures_.revenue if figures_ else None,
                    "cost": figures_.cost if figures_ else None,
                    "outcome": figures_.outcome if figures_ else None,
                    "deviation": figures_.deviation if figures_ else None,
                }
            )
        return result


def _drivers(unit: Unit, months: list[figures.Month]) -> list[Driver]:
    """What explains the deviation: overtime and hourly-paid cost, sick pay, hours delivered outside any
    order or beyond the orders' granted hours (not paid), hours granted but not delivered (revenue not
    earned, at the average rate)."""
    if not months:
        return []
    overtime = sum((m.overtime_cost for m in months), ZERO)
    hourly = sum((m.hourly_paid_cost for m in months), ZERO)
    sick = sum((p.cost.sick for m in months for p in m.people), ZERO)
    outside_minutes = sum((m.outside_order_minutes for m in months), ZERO)
    beyond_minutes = sum((m.beyond_grant_minutes for m in months), ZERO)
    delivered_minutes = sum((line.minutes for m in months for line in m.lines), ZERO)
    revenue = sum((m.revenue for m in months), ZERO)
    average_rate = revenue / rules.hours(delivered_minutes) if delivered_minutes else ZERO
    first, last = months[0].month, time_rules.last_of_month(months[-1].month)
    clients = {line.client_id for m in months for line in m.lines}
    granted = loaders.granted_hours(clients, Period(first, last), unit_id=unit.pk) if clients else {}
    delivered_per_client: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for m in months:
        for line in m.lines:
            delivered_per_client[line.client_id] += rules.hours(line.minutes)
    not_delivered = sum(
        (max(ZERO, Decimal(str(hours)) - delivered_per_client[client]) for client, hours in granted.items() if hours),
        ZERO,
    )
    return [
        Driver(
            "Beviljade timmar som inte utförts",
            -rules.money(not_delivered * average_rate),
            f"{rules.money(not_delivered)} timmar à genomsnittligt {rules.money(average_rate)} kr",
        ),
        Driver(
            "Utförda timmar utanför beslut (ersätts inte)",
            -rules.money(rules.hours(outside_minutes) * average_rate),
            f"{rules.money(rules.hours(outside_minutes))} timmar",
        ),
        Driver(
            "Utförda timmar utöver besluten (ersätts inte)",
            -rules.money(rules.hours(beyond_minutes) * average_rate),
            f"{rules.money(rules.hours(beyond_minutes))} timmar",
        ),
        Driver("Övertid och mertid", -overtime),
        Driver("Timavlönad personal (kostnad)", -hourly),
        Driver("Sjukfrånvaro (sjuklön minus löneavdrag)", -sick),
    ]


def year_figures(unit: Unit, year: int, today: datetime.date | None = None) -> Year:
    """The unit's year without an access check (governance's indicators and VB section call this through
    `indicators`, which governance guards)."""
    today = today or clock.today()
    until = min(datetime.date(year, 12, 31), time_rules.previous_month(time_rules.first_of_month(today)))
    months = figures.months(unit.pk, year, until) if until.year >= year else []
    budgets = figures.budgets(unit.pk, year)
    ahead = _ahead(unit, year, months, today)
    forecast = rules.forecast([m.figures() for m in months], {a.month: a.outcome for a in ahead})
    budget_year = sum((b.revenue - b.cost for b in budgets.values()), ZERO) if budgets else None
    return Year(unit, year, months, budgets, forecast, budget_year, _drivers(unit, months), ahead)


def _ahead(unit: Unit, year: int, months: list[figures.Month], today: datetime.date) -> list[figures.Ahead]:
    """The year's months not yet ended, from what is known of them (`figures.ahead`), their hours costed at
    the cost per worked hour of the months done (other costs included; the month before the year when none
    is done)."""
    done = {m.month for m in months}
    coming = [
        datetime.date(year, n, 1)
        for n in range(1, 13)
        if datetime.date(year, n, 1) not in done and time_rules.next_month(datetime.date(year, n, 1)) > today
    ]
    if not coming:
        return []
    cache: dict = {}
    basis = months or [figures.month(unit.pk, time_rules.previous_month(coming[0]), cache)]
    worked = sum((rules.hours(p.time.worked) for m in basis for p in m.people), ZERO)
    per_hour = sum((m.cost for m in basis), ZERO) / worked if worked else ZERO
    return [figures.ahead(unit.pk, month, per_hour, cache) for month in coming]


def year_overview(actor: Any, unit: Unit, year: int) -> Year:
    require(actor, unit)
    return year_figures(unit, year)


# --- The month --------------------------------------------------------------------------------------------


@dataclass
class ClientRow:
    client_id: int
    label: str
    revenue: Decimal
    hours: Decimal


@dataclass
class MonthView:
    month: figures.Month
    clients: list[ClientRow]
    other_costs: list[OtherCost]


def month_detail(actor: Any, unit: Unit, month: datetime.date) -> MonthView:
    require(actor, unit)
    month = time_rules.first_of_month(month)
    data = figures.month(unit.pk, month)
    per_client: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in data.lines:
        per_client[line.client_id][0] += line.amount
        per_client[line.client_id][1] += rules.hours(line.minutes)
    labels = _labels(actor, unit, set(per_client), f"ekonomi {month:%Y-%m}")
    clients = [
        ClientRow(cid, labels.get(cid, ""), amount, rules.money(hours))
        for cid, (amount, hours) in sorted(per_client.items(), key=lambda kv: labels.get(kv[0], ""))
    ]
    others = list(OtherCost.objects.filter(unit=unit, month=month).order_by("category", "pk"))
    return MonthView(data, clients, others)


# --- Per client: what the decision earns vs what the scheduled hours cost --------------------------------


@dataclass
class ClientEconomy:
    client_id: int
    label: str
    granted_hours: Decimal
    earns: Decimal
    scheduled_hours: Decimal
    costs: Decimal

    @property
    def margin(self) -> Decimal:
        return self.earns - self.costs


def client_economy(actor: Any, unit: Unit, month: datetime.date) -> list[ClientEconomy]:
    """Per client of the month: the granted hours priced at the client's day rate (or FK's amount for
    assistance), against the hours scheduled for them (published and worked shifts) at the unit's average
    wage cost per worked hour of the month."""
    require(actor, unit)
    month = time_rules.first_of_month(month)
    data = figures.month(unit.pk, month)
    ref = figures.reference(month)
    start, end = time_rules.month_window(month)
    scheduled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for client_id, starts_at, ends_at in Shift.objects.filter(
        unit=unit,
        status__in=(Shift.Status.PUBLISHED, Shift.Status.WORKED),
        starts_at__gte=start,
        starts_at__lt=end,
    ).values_list("client_id", "starts_at", "ends_at"):
        scheduled[client_id] += rules.hours(time_rules.elapsed_minutes(starts_at, ends_at))
    worked_hours = sum((rules.hours(p.time.worked) for p in data.people), ZERO)
    per_hour = data.wage_cost / worked_hours if worked_hours else ZERO
    orders = figures._orders(unit.pk, set(scheduled), month)
    granted = loaders.granted_hours(set(scheduled), Period(month, time_rules.last_of_month(month)), unit_id=unit.pk)
    labels = _labels(actor, unit, set(scheduled) | set(granted), f"ekonomi per brukare {month:%Y-%m}")
    rows = []
    for client_id in sorted(set(scheduled) | set(granted), key=lambda c: labels.get(c, "")):
        code = figures._service(orders.get(client_id, []), month) or figures._service(
            orders.get(client_id, []), time_rules.last_of_month(month)
        )
        if code == rules.ASSISTANCE:
            rate = ref.raised.get(client_id, ref.fk_amount)
        else:
            rate = ref.rates.get(code or "", {}).get(rules.DAY, ZERO)
        hours = Decimal(str(granted.get(client_id) or 0))
        rows.append(
            ClientEconomy(
                client_id,
                labels.get(client_id, ""),
                rules.money(hours),
                rules.money(hours * rate),
                rules.money(scheduled.get(client_id, ZERO)),
                rules.money(scheduled.get(client_id, ZERO) * per_hour),
            )
        )
    return rows


# --- The roster optimiser's proposal: its cost and revenue beside its hours ---------------------------------


def shifts_economy(actor: Any, unit_id: int, shifts: Sequence[Shift]) -> figures.ShiftsEconomy | None:
    """Cost and revenue of a set of shifts of a unit (`figures.shifts_economy`), or None for a reader without
    the economy permission there (who sees hours, never money). Names no client."""
    if not can_see(actor, unit_id):
        return None
    rows = [(s.employee_id, s.client_id, s.kind, s.starts_at, s.ends_at, s.is_overtime) for s in shifts]
    return figures.shifts_economy(unit_id, rows)


# --- Invoices, wage terms, payroll ------------------------------------------------------------------------


@dataclass
class InvoiceView:
    invoice: Invoice
    lines: list[tuple[InvoiceLine, str]]


def invoices(actor: Any, unit: Unit, month: datetime.date) -> list[InvoiceView]:
    """The month's invoices and credits (oldest first), their lines with the client named (logged)."""
    require(actor, unit)
    month = time_rules.first_of_month(month)
    rows = list(
        Invoice.objects.filter(unit=unit, month=month)
        .select_related("credits")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("client_id", "service_code", "band", "pk"))
        )
        .order_by("created_at", "pk")
    )
    client_ids = {line.client_id for invoice in rows for line in invoice.lines.all()}
    labels = _labels(actor, unit, client_ids, f"fakturaunderlag {month:%Y-%m}")
    return [InvoiceView(i, [(line, labels.get(line.client_id, "")) for line in i.lines.all()]) for i in rows]


def invoice_list(actor: Any, unit: Unit, year: int) -> list[Invoice]:
    """The unit's invoices of a year, no lines (names no client)."""
    require(actor, unit)
    return list(Invoice.objects.filter(unit=unit, month__year=year).order_by("month", "created_at", "pk"))


def wage_terms(actor: Any, unit: Unit) -> list[tuple[Employee, list[WageTerm]]]:
    require(actor, unit)
    employees = list(Employee.objects.filter(unit=unit).order_by("last_name", "first_name", "pk"))
    terms: dict[int, list[WageTerm]] = defaultdict(list)
    for term in WageTerm.objects.filter(employee__in=employees).order_by("valid_from", "pk"):
        terms[term.employee_id].append(term)
    return [(e, terms.get(e.pk, [])) for e in employees]


def payroll_basis(actor: Any, unit: Unit, month: datetime.date) -> list[Any]:
    from bista.economy import payroll

    require(actor, unit)
    return payroll.basis(unit, time_rules.first_of_month(month))


def payroll_exports(actor: Any, unit: Unit, month: datetime.date) -> list[PayrollExport]:
    require(actor, unit)
    return list(PayrollExport.objects.filter(unit=unit, month=month).select_related("created_by"))


def budgets(actor: Any, unit: Unit, year: int) -> dict[datetime.date, Budget]:
    require(actor, unit)
    return figures.budgets(unit.pk, year)
