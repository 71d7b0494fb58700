"""The demo's economy (bista.demo.economy): FK reports and invoices every month, worked time adjusted and corrected
after attestation, a budget of the seeds' size and an outcome computed from the records by economy's figures —
a small demo, generated once for the module (the `demo` fixture, conftest.py)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from bista.demo import generator, rostering
from bista.economy import rules as rules_
from bista.economy import selectors, services
from bista.economy.models import Budget, CostCategory, Invoice, OtherCost, WageTerm
from bista.staff.models import Employee, EmploymentTerm, EmploymentType
from bista.timereports import rules
from bista.timereports.models import Basis, FkReport, WorkedTime, WorkedTimeRevision

TODAY = datetime.date(2026, 1, 20)
SIZE = 0.1
SMALL: dict[str, Any] = {"scale": "unit", "years": 3, "seed": 12, "size": SIZE, "today": TODAY}
FIRST_FULL, LAST_FULL = 2024, 2025  # the full years of the window; the staffing strategy is in the last
pytestmark = pytest.mark.django_db


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], rules.first_of_month(first)
    while month <= last:
        months.append(month)
        month = rules.next_month(month)
    return months


def test_every_ended_month_has_fk_reports_and_an_invoice(demo: generator.Context) -> None:
    """From the first month with worked time to the last ended one (the small demo's assistance case begins
    some months into the history)."""
    unit = demo.districts[0].provider
    reported = set(FkReport.objects.filter(unit=unit).values_list("month", flat=True))
    invoiced = set(Invoice.objects.filter(unit=unit, kind=Invoice.Kind.INVOICE).values_list("month", flat=True))
    last_ended = rules.previous_month(rules.first_of_month(TODAY))
    fk_months = _months(min(reported), last_ended)
    assert len(fk_months) >= 18 and [m for m in fk_months if m not in reported] == []
    invoice_months = _months(min(invoiced), last_ended)
    assert len(invoice_months) >= 24 and [m for m in invoice_months if m not in invoiced] == []
    invoice = Invoice.objects.filter(unit=unit, month=datetime.date(2025, 6, 1)).get()
    assert invoice.total > 0 and invoice.total == sum(line.amount for line in invoice.lines.all())
    assert invoice.total == sum(line.amount for line in services.invoice_lines(unit, invoice.month))


def test_worked_time_has_adjustments_and_corrections_after_attestation(demo: generator.Context) -> None:
    assert WorkedTime.objects.filter(basis=Basis.ADJUSTED).count() >= 10
    corrected = WorkedTimeRevision.objects.filter(number=2, after_attestation=True)
    assert corrected.count() >= 3
    assert all(revision.reason for revision in corrected)


def test_wage_terms_follow_the_employment_terms(demo: generator.Context) -> None:
    """An employee's pay is by the hour exactly while their employment term is hourly-paid."""
    unit = demo.districts[0].provider
    checked = 0
    for term in EmploymentTerm.objects.filter(employee__unit=unit, ends_on__gte=demo.window_start):
        day = max(term.starts_on, demo.window_start)
        wage = WageTerm.objects.filter(employee_id=term.employee_id, valid_from__lte=day).order_by("-valid_from")[0]
        assert (wage.pay_type == "hourly") == (term.employment_type == EmploymentType.HOURLY_PAID)
        checked += 1
    assert checked > 5


def test_budget_is_of_the_seeds_size(demo: generator.Context) -> None:
    """Seed 002: a budget in balance of about 59 MSEK a year in 2024 at size 1."""
    unit = demo.districts[0].provider
    budgets = Budget.objects.filter(unit=unit, month__year=FIRST_FULL)
    assert budgets.count() == 12
    revenue = sum(b.revenue for b in budgets)
    assert Decimal("0.9") * 59_000_000 * Decimal(SIZE) < revenue < Decimal("1.1") * 59_000_000 * Decimal(SIZE)
    assert revenue == sum(b.cost for b in budgets)


def test_outcome_is_computed_from_the_records(demo: generator.Context) -> None:
    """The last full year through economy's figures: revenue per delivered hour at the rates (FK's amount,
    the municipality's), cost per worked hour of a wage with social fees, the deviation against the budget,
    and the cheaper premises from the middle of the year (seed 002). The shape over the years (a deficit of a
    few per cent shrinking through the staffing strategy's year) needs the unit's size: see the report of
    `bista demo --scale unit`."""
    unit = demo.districts[0].provider
    year = selectors.year_figures(unit, LAST_FULL, today=TODAY)
    assert len(year.months) == 12
    delivered = sum((rules_.hours(line.minutes) for m in year.months for line in m.lines), Decimal(0))
    worked = sum(
        (rules_.hours(sum(p.time.by_band.values(), Decimal(0))) for m in year.months for p in m.people), Decimal(0)
    )
    assert delivered > 1000 and worked > delivered * Decimal("0.5")
    assert 280 < year.revenue / delivered < 600
    assert 200 < sum((m.wage_cost for m in year.months), Decimal(0)) / worked < 800
    assert year.deviation == year.outcome - year.budget_so_far
    premises = dict(
        OtherCost.objects.filter(unit=unit, category=CostCategory.PREMISES, month__year=LAST_FULL).values_list(
            "month", "amount"
        )
    )
    assert premises[datetime.date(LAST_FULL, 12, 1)] < premises[datetime.date(LAST_FULL, 1, 1)]


def _leaver(kind: str, start: datetime.date, end: datetime.date) -> generator._Leaver:
    rate = Decimal(0) if kind == EmploymentType.HOURLY_PAID else Decimal(100)
    return generator._Leaver(team=None, kind=kind, person=("", "", "", ""), start=start, end=end, rate=rate)  # type: ignore[arg-type]


def test_staffing_strategy_takes_the_posts_of_an_ended_case_within_a_month() -> None:
    """Seed 002's strategy: a case ending in the last full year takes its share of the monthly-paid posts (the
    posts of the day over the cases running) with it within a month; hourly-paid staff and a case that ended
    in an earlier year change nothing."""
    since = datetime.date(2020, 1, 1)
    cases = [
        SimpleNamespace(service=generator.ASSISTANCE, since=since, until=until, client=SimpleNamespace(pk=n))
        for n, until in enumerate((None, None, datetime.date(2024, 6, 1), datetime.date(2025, 5, 10)))
    ]
    ctx = SimpleNamespace(
        today=datetime.date(2026, 6, 1),
        rng=random.Random(1),
        current=SimpleNamespace(clients=cases, employees=[], provider=SimpleNamespace(pk=1)),
    )
    first, last = datetime.date(2023, 1, 1), datetime.date(2026, 3, 1)
    monthly = [_leaver(EmploymentType.PERMANENT, first, last) for _ in range(9)]
    hourly = [_leaver(EmploymentType.HOURLY_PAID, first, last) for _ in range(3)]
    generator._staffing_strategy(ctx, monthly + hourly)  # type: ignore[arg-type]
    end = datetime.date(2025, 5, 10)
    cut = [leaver for leaver in monthly if leaver.end != last]
    assert len(cut) == 3  # 9 posts on its last day, 3 cases running
    assert all(end < leaver.end <= end + datetime.timedelta(days=30) for leaver in cut)
    assert all(leaver.end == last for leaver in hourly)


def test_a_monthly_paid_hire_of_the_strategy_year_works_by_the_hour_until_the_new_year() -> None:
    today = datetime.date(2026, 6, 1)

    def phases(start: datetime.date, end: datetime.date | None) -> list[rostering.TermPhase]:
        employee = Employee(
            pk=1, employment_type=EmploymentType.PERMANENT, employment_rate=Decimal(90), start_date=start, end_date=end
        )
        return rostering._term_phases(random.Random(3), employee, today)

    hired = phases(datetime.date(2025, 3, 5), None)
    assert hired[0] == (
        EmploymentType.HOURLY_PAID,
        Decimal(0),
        datetime.date(2025, 3, 5),
        datetime.date(2025, 12, 31),
        rostering._STRATEGY_HIRES,
    )
    assert hired[1][2] == datetime.date(2026, 1, 1) and hired[-1][:2] == (EmploymentType.PERMANENT, Decimal(90))
    assert all(phase[0] != EmploymentType.HOURLY_PAID for phase in phases(datetime.date(2024, 3, 5), None))
    left_that_year = phases(datetime.date(2025, 3, 5), datetime.date(2025, 11, 30))
    assert left_that_year[-1][0] == EmploymentType.PERMANENT  # the last term is the employee's own type
