"""Demo step of the economy: wage terms for the demo staff, a budget per month of the seeds' size, other costs
entered per month and an invoice basis for every ended month that has attested time.

Inputs only — the outcome (revenue − cost) is never typed: economy.figures computes it from the worked time
(timereports' confirmed time, or the roster's worked shifts), the orders, the wage terms, absences and the
other costs entered here.

- **Wage terms**: one a year for each employee, within their employment (`start_date`–`end_date`): a monthly
  salary (× the employment rate) or an hourly pay by employment type, raised each year (`RISES`; seed 002's
  review of the pay levels: a small rise in 2025).
- **Budget**: the seeds' budget in balance (revenue = cost, "en budget i balans") of about 59 MSEK a year in
  2024 for the unit at size 1, scaled by the plan's size and the years' price and pay index, spread evenly.
- **Other costs** per month: premises (seed 002: the unit moved to cheaper premises during 2025), and material
  and travel by the roster's worked hours of the month.
- **Invoices**: the municipality's invoice basis of each ended month with attested time, by the service.
- **Stored months**: the figures of each month timereports' step closed, as a month close stores them
  (`economy.figures.store_month`; ADR 0012), so that the overview reads them instead of computing ten years.

The outcome's shape comes from the staff and rosters the earlier steps made (see `bista.demo.generator`'s
TEAM_KINDS and `_staffing_strategy`, and `bista.demo.rostering`'s hourly-paid share): monthly-paid staff cost
their salary whether or not the decisions need their hours, hourly-paid staff cost the hours they work. Seed
002's staffing strategy in the last full year: three assistance cases end (13 to 10) and the monthly-paid posts
they carried go within a month of each end (their own team and those who covered them), whoever the unit takes
on that year works by the hour, the monthly-paid staff are scheduled to their contracts before hourly-paid
staff are called in, and the unit moves to cheaper premises. So the outcome improves through that year: at
size 1 (seed 2026, today 2026-12-06) the deficit goes from −3.2 MSEK in 2024 to −2.7 MSEK in 2025, its last
four months about in balance. The level is not the seeds' yet: how many monthly-paid staff the unit has in a
year is drawn, not derived from the decisions' hours, so another seed (7) has the same improvement (+0.7 MSEK)
from a surplus (+2.0 MSEK in 2024, +2.6 MSEK in 2025). No hours are delivered beyond the decisions in any year
(the roster schedules within the granted hours), so capping revenue at them (`figures.revenue_lines`) leaves
these figures as they were.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from bista.demo.generator import Context, step
from bista.demo.rostering import record_history
from bista.economy import figures, rules, services
from bista.economy.models import Budget, CostCategory, Invoice, InvoiceLine, OtherCost, PayType, WageTerm
from bista.staff.models import Employee, EmploymentTerm, EmploymentType
from bista.timereports import rules as time_rules
from bista.timereports.models import MonthClose

SEED_BUDGET_2024 = Decimal("59000000")  # seed 002: the unit's budget in 2024 (kronor)
MONTHLY_2024 = Decimal("29500")  # full-time monthly salary of an assistant in 2024 (demo assumption)
HOURLY_2024 = Decimal("180")
RISE = Decimal("0.025")  # pay and prices a year (demo assumption)
RISES = {2025: Decimal("0.01")}  # seed 002: the pay levels reviewed in 2025
PREMISES_2024 = Decimal("240000")  # a month (demo assumption)
NEW_PREMISES_MONTH = 7  # seed 002: moved to new premises, lower rent, in the middle of the last full year
NEW_PREMISES_FACTOR = Decimal("0.65")
MATERIAL_PER_HOUR = Decimal("6")
TRAVEL_PER_HOUR = Decimal("4")


def index(year: int) -> Decimal:
    """Pay and price level of `year` relative to 2024."""
    level = Decimal(1)
    for y in range(min(year, 2024) + 1, max(year, 2024) + 1):
        step_ = 1 + RISES.get(y, RISE)
        level = level * step_ if year > 2024 else level / step_
    return level


def _amount(base: Decimal, year: int) -> Decimal:
    return rules.money(base * index(year))


def _wage_terms(
    ctx: Context, employee: Employee, hourly: bool, first: datetime.date, end: datetime.date | None, bonus: Decimal
) -> list[WageTerm]:
    """One wage term a year from `first` to `end` (the last day, or None: still in force)."""
    terms = []
    for year in range(first.year, (end or ctx.today).year + 1):
        valid_from = max(datetime.date(year, 1, 1), first)
        valid_to: datetime.date | None = datetime.date(year + 1, 1, 1) if year < ctx.today.year else None
        if end is not None:
            after = end + datetime.timedelta(days=1)
            valid_to = after if valid_to is None else min(valid_to, after)
        if valid_to is not None and valid_to <= valid_from:
            continue
        amount = _amount(HOURLY_2024, year) if hourly else _amount(MONTHLY_2024 + bonus, year)
        terms.append(
            WageTerm(
                employee=employee,
                pay_type=PayType.HOURLY if hourly else PayType.MONTHLY,
                hourly_pay=amount if hourly else None,
                monthly_salary=None if hourly else amount,
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return terms


@step("economy.history")
def economy_history(ctx: Context) -> None:
    d = ctx.current
    unit = d.provider
    start = time_rules.first_of_month(ctx.window_start)
    this_month = time_rules.first_of_month(ctx.today)
    last = time_rules.previous_month(this_month)
    # Wage terms: one a year within each employment term (rostering.staff_details), monthly salary or hourly pay
    # by the term's employment type (a permanent assistant who began as hourly-paid was paid by the hour then).
    phases: dict[int, list[tuple[bool, datetime.date, datetime.date | None]]] = defaultdict(list)
    for employee_id, kind, starts_on, ends_on in EmploymentTerm.objects.filter(
        employee__in=[demo.employee for demo in d.employees]
    ).values_list("employee_id", "employment_type", "starts_on", "ends_on"):
        phases[employee_id].append((kind == EmploymentType.HOURLY_PAID, starts_on, ends_on))
    terms = []
    for demo in d.employees:
        employee = demo.employee
        bonus = Decimal(ctx.rng.randrange(0, 1500))  # a monthly-paid employee's pay above the base
        found = phases.get(employee.pk) or [
            (employee.employment_type == EmploymentType.HOURLY_PAID, employee.start_date, employee.end_date)
        ]
        for hourly, starts_on, ends_on in sorted(found, key=lambda phase: phase[1]):
            terms += _wage_terms(ctx, employee, hourly, max(starts_on, start), ends_on, bonus)
    WageTerm.objects.bulk_create(terms, batch_size=1000)
    # Each ended month's time, read once: its worked hours (material and travel follow them) and its invoice.
    months = []
    month = start
    while month <= last:
        months.append(month)
        month = time_rules.next_month(month)
    times = figures.times_of(unit.pk, months, lead_days=figures.LEAD_DAYS)
    worked = {
        month: rules.hours(sum(p.minutes for p in time.pieces if time_rules.month_of(p.starts_at) == month))
        for month, time in times.items()
    }
    size = Decimal(str(ctx.plan.size))
    budgets, others = [], []
    month = start
    while month <= time_rules.last_of_month(datetime.date(ctx.today.year, 12, 1)):
        year_size = rules.money(SEED_BUDGET_2024 * size * index(month.year) / 12)
        budgets.append(Budget(unit=unit, month=month, revenue=year_size, cost=year_size))
        if month <= last:
            premises = PREMISES_2024 * size * index(month.year)
            if month >= datetime.date(ctx.today.year - 1, NEW_PREMISES_MONTH, 1):
                premises *= NEW_PREMISES_FACTOR
            hours = worked.get(month, Decimal(0))
            for category, amount in (
                (CostCategory.PREMISES, premises),
                (CostCategory.MATERIAL, hours * MATERIAL_PER_HOUR * index(month.year)),
                (CostCategory.TRAVEL, hours * TRAVEL_PER_HOUR * index(month.year)),
            ):
                others.append(
                    OtherCost(unit=unit, month=month, category=category, amount=rules.money(amount), note="Demo")
                )
        month = time_rules.next_month(month)
    OtherCost.objects.bulk_create(others, batch_size=1000)
    Budget.objects.bulk_create(budgets, batch_size=1000)
    # An invoice basis for every ended month with attested time, as the manager makes it at the month close.
    invoices = _invoices(ctx, times)
    # The figures of each closed month, as the month close stores them (timereports' demo step locks the months
    # bulk, without the close's hook): the economy overview reads them instead of computing the years again.
    closes = dict(MonthClose.objects.filter(unit=unit, status=MonthClose.Status.LOCKED).values_list("month", "version"))
    cache: dict = {}
    stored = 0
    for month_, time in sorted(times.items()):
        if month_ in closes:
            figures.store_month(unit.pk, month_, version=closes[month_], cache=cache, time=time)
            stored += 1
    record_history(
        ctx,
        "economy.history",
        {
            "wage_terms": len(terms),
            "budgets": len(budgets),
            "other_costs": len(others),
            "invoices": invoices,
            "stored_months": stored,
        },
    )


def _invoices(ctx: Context, times: dict[datetime.date, figures.Time]) -> int:
    """The invoice basis of every month of `times` (`figures.times_of`) with attested time: the lines of
    `services.invoice_lines`, written as generated history."""
    unit = ctx.current.provider
    cache: dict = {}
    made: list[tuple[Invoice, list[InvoiceLine]]] = []
    for month in sorted(times):
        lines = services.invoice_lines(unit, month, time=times[month], cache=cache)
        if not lines:
            continue  # no attested time within the orders: nothing to invoice
        made_on = time_rules.month_window(time_rules.next_month(month))[0] + datetime.timedelta(days=5, hours=8)
        rows = [
            InvoiceLine(
                client_id=line.client_id,
                service_code=line.service_code,
                band=line.band,
                hours=rules.money(rules.hours(line.minutes)),
                rate=line.rate,
                amount=line.amount,
            )
            for line in lines
        ]
        invoice = Invoice(
            unit=unit,
            month=month,
            number=services._number(unit, month),
            total=sum((row.amount for row in rows), rules.ZERO),
            created_by=ctx.current.managers.get("provider"),
            created_at=min(made_on, time_rules.local_midnight(ctx.today)),
        )
        made.append((invoice, rows))
    Invoice.objects.bulk_create([invoice for invoice, _rows in made], batch_size=500)
    for invoice, rows in made:
        for row in rows:
            row.invoice = invoice
    InvoiceLine.objects.bulk_create([row for _invoice, rows in made for row in rows], batch_size=1000)
    return len(made)
