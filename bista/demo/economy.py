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

Not registered in `DEMO_MODULES` yet: on the unit demo the roster history carries ~5,800 worked hours a month
(2025) against ~150 monthly-paid employees at ~71 % (capacity ~17,500 h), and staff are hired evenly over the
window, so the computed outcome (2024: revenue 22 MSEK, cost 72 MSEK; 2025: 27 and 85 MSEK) is a deficit that
grows — not the seeds' story. The roster's volume (shifts to the orders' granted hours) and the staff's
headcount over the years must be tuned in their own steps first; then register this step after timereports.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError

from bista.core.access import SYSTEM
from bista.demo.generator import Context, step
from bista.economy import figures, rules, services
from bista.economy.models import Budget, CostCategory, OtherCost, PayType, WageTerm
from bista.rostering.models import Shift
from bista.staff.models import EmploymentType
from bista.timereports import rules as time_rules

SEED_BUDGET_2024 = Decimal("59000000")  # seed 002: the unit's budget in 2024 (kronor)
MONTHLY_2024 = Decimal("29500")  # full-time monthly salary of an assistant in 2024 (demo assumption)
HOURLY_2024 = Decimal("180")
RISE = Decimal("0.025")  # pay and prices a year (demo assumption)
RISES = {2025: Decimal("0.01")}  # seed 002: the pay levels reviewed in 2025
PREMISES_2024 = Decimal("240000")  # a month (demo assumption)
NEW_PREMISES = datetime.date(2025, 7, 1)  # seed 002: moved to new premises, lower rent
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


@step("economy.history")
def economy_history(ctx: Context) -> None:
    d = ctx.current
    unit = d.provider
    start = time_rules.first_of_month(ctx.window_start)
    this_month = time_rules.first_of_month(ctx.today)
    last = time_rules.previous_month(this_month)
    # Wage terms: one a year within each employment, monthly salary or hourly pay by employment type.
    terms = []
    for demo in d.employees:
        employee = demo.employee
        hourly = employee.employment_type == EmploymentType.HOURLY_PAID
        first = max(employee.start_date, start)
        end = employee.end_date  # the last day employed
        bonus = Decimal(ctx.rng.randrange(0, 1500)) if not hourly else Decimal(0)
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
    WageTerm.objects.bulk_create(terms, batch_size=1000)
    # The roster's worked hours per month (material and travel follow them).
    worked: dict[datetime.date, Decimal] = defaultdict(lambda: Decimal(0))
    for starts_at, ends_at in Shift.objects.filter(
        unit=unit, status=Shift.Status.WORKED, starts_at__gte=time_rules.month_window(start)[0]
    ).values_list("starts_at", "ends_at"):
        worked[time_rules.month_of(starts_at)] += rules.hours(time_rules.elapsed_minutes(starts_at, ends_at))
    size = Decimal(str(ctx.plan.size))
    budgets, others = [], []
    month = start
    while month <= time_rules.last_of_month(datetime.date(ctx.today.year, 12, 1)):
        year_size = rules.money(SEED_BUDGET_2024 * size * index(month.year) / 12)
        budgets.append(Budget(unit=unit, month=month, revenue=year_size, cost=year_size))
        if month <= last:
            premises = PREMISES_2024 * size * index(month.year)
            if month >= NEW_PREMISES:
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
    month = start
    while month <= last:
        if figures.has_attested_time(unit.pk, month):
            try:
                services.invoice_produce(actor=SYSTEM, unit=unit, month=month)
            except ValidationError as error:  # a month without invoiceable time is skipped; nothing else
                codes = {e.code for errors in error.error_dict.values() for e in errors}
                if codes != {"empty"}:
                    raise
        month = time_rules.next_month(month)
