"""Demo step of the economy: wage terms for the demo staff, a budget per month of the seeds' size (about
59 MSEK a year in 2024 for the demo unit, scaled by the years' pay and price rises), other costs entered per
month (premises, material, travel) and an invoice basis for every month that has time.

Time comes from timereports' attested `WorkedTime` when the demo has it (another step), and from the roster's
worked shifts otherwise (economy.figures reads either). The other costs are set so that the outcome (revenue −
cost, computed from the records) shows the seeds' story: a deficit in 2024 that shrinks through 2025 towards
balance. Everything is bulk-created from precomputed rows except the invoices, made by the service.
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
from bista.staff.models import EmploymentType
from bista.timereports import rules as time_rules

SEED_BUDGET_2024 = Decimal("59000000")  # seed 002: the unit's budget in 2024 (kronor)
PAY_RISE = Decimal("0.025")  # a year (demo assumption)
MONTHLY_2024 = Decimal("29500")  # full-time monthly salary of an assistant in 2024 (demo assumption)
HOURLY_2024 = Decimal("180")
# The outcome (per cent of the month's cost) the seeds tell: a deficit in 2024 shrinking through 2025.
TARGET = {2024: Decimal("-0.06"), 2025: Decimal("-0.045"), 2026: Decimal("-0.005")}
OTHER_SHARE = {
    CostCategory.PREMISES: Decimal("0.55"),
    CostCategory.MATERIAL: Decimal("0.25"),
    CostCategory.TRAVEL: Decimal("0.20"),
}


def _rise(amount: Decimal, year: int) -> Decimal:
    return rules.money(amount * (1 + PAY_RISE) ** (year - 2024))


def _target(month: datetime.date) -> Decimal:
    if month.year in TARGET and month.year != 2025:
        return TARGET[month.year]
    if month.year == 2025:  # from −6 % in January to −0.5 % in December
        return TARGET[2024] + (TARGET[2026] - TARGET[2024]) * Decimal(month.month) / 12
    return Decimal("-0.02")


@step("economy.history")
def economy_history(ctx: Context) -> None:
    d = ctx.current
    unit = d.provider
    start = time_rules.first_of_month(ctx.window_start)
    last = time_rules.previous_month(time_rules.first_of_month(ctx.today))
    years = range(start.year, ctx.today.year + 1)
    # Wage terms: one a year per employee (the pay rise), monthly salary or hourly pay by employment type.
    terms = []
    for demo in d.employees:
        employee = demo.employee
        hourly = employee.employment_type == EmploymentType.HOURLY_PAID
        for year in years:
            valid_from = max(datetime.date(year, 1, 1), start)
            amount = _rise(HOURLY_2024 if hourly else MONTHLY_2024, year) + Decimal(
                ctx.rng.randrange(0, 1500) if not hourly else 0
            )
            terms.append(
                WageTerm(
                    employee=employee,
                    pay_type=PayType.HOURLY if hourly else PayType.MONTHLY,
                    hourly_pay=amount if hourly else None,
                    monthly_salary=None if hourly else amount,
                    valid_from=valid_from,
                    valid_to=datetime.date(year + 1, 1, 1) if year < years[-1] else None,
                )
            )
    WageTerm.objects.bulk_create(terms, batch_size=1000)
    # The months: the records' revenue and cost, then other costs and a budget that tell the seeds' story.
    cache: dict = {}
    budgets, others = [], []
    revenue_scale: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    month = start
    computed: dict[datetime.date, figures.Month] = {}
    while month <= last:
        computed[month] = figures.month(unit.pk, month, cache)
        revenue_scale[month.year] += computed[month].revenue
        month = time_rules.next_month(month)
    for month, data in computed.items():
        wages = data.wage_cost
        target = _target(month)
        # other costs so that revenue − (wages + other) = target × total cost; at least 3 % of the wages
        other = max(
            rules.money((data.revenue - wages * (1 + target)) / (1 + target)) if target > -1 else 0,
            rules.money(wages * Decimal("0.03")),
        )
        for category, share in OTHER_SHARE.items():
            others.append(
                OtherCost(unit=unit, month=month, category=category, amount=rules.money(other * share), note="Demo")
            )
        cost = wages + other
        # The budget: the year's size as in the seeds, spread by the month's share of the year's revenue.
        year_revenue = revenue_scale[month.year] or Decimal(1)
        size = _rise(SEED_BUDGET_2024, month.year) / 12
        budget_cost = rules.money(size * data.revenue * 12 / year_revenue) if data.revenue else rules.money(size)
        scale = budget_cost / cost if cost else Decimal(1)
        budgets.append(Budget(unit=unit, month=month, revenue=rules.money(data.revenue * scale), cost=budget_cost))
    OtherCost.objects.bulk_create(others, batch_size=1000)
    Budget.objects.bulk_create(budgets, batch_size=1000)
    # An invoice basis for every ended month with time, as the manager makes it at the month close.
    for month, data in computed.items():
        if any(line.payer == figures.MUNICIPALITY for line in data.lines):
            try:
                services.invoice_produce(actor=SYSTEM, unit=unit, month=month)
            except ValidationError as error:  # a month not ended or already invoiced is skipped; nothing else
                codes = {e.code for errors in error.error_dict.values() for e in errors}
                if not codes & {"unchanged", "not_ended"}:
                    raise
