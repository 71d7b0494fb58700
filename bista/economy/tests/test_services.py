"""The economy's writes and figures: revenue and wage cost from attested time, invoices (a correction is a
credit and a new invoice, never an edit), budgets (one month and CSV), other costs, payroll exports read back,
and bad input refused with a Swedish message on the field and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care.models import Order
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.economy import figures, payroll, rules, services
from bista.economy.models import Budget, Invoice, OtherCost, PayrollExport, PayType, WageTerm
from bista.economy.selectors import year_figures
from bista.economy.tests.factories import AFTER_MARCH, MARCH, World, attested_week, make_world, shift, wages
from bista.timereports import services as time_services
from bista.timereports.checklist import month_checklist

D = Decimal


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def test_revenue_of_assistance_splits_twenty_hours_to_the_municipality_and_the_rest_to_fk(world: World) -> None:
    attested_week(world, hours=8)  # 40 h in one week
    month = figures.month(world.org.provider.pk, MARCH)
    municipal = sum((line.minutes for line in month.lines if line.payer == figures.MUNICIPALITY), D(0))
    fk = sum((line.minutes for line in month.lines if line.payer == figures.FK), D(0))
    assert municipal == 20 * 60 and fk == 20 * 60
    fk_line = next(line for line in month.lines if line.payer == figures.FK)
    assert fk_line.rate == figures.reference(MARCH).fk_amount
    assert month.revenue == sum((line.amount for line in month.lines), D(0)) > 0
    assert month.source == figures.WORKED


def test_hours_beyond_the_order_s_granted_hours_earn_nothing(world: World) -> None:
    Order.objects.filter(client=world.client).update(scope_amount=5)  # 5 h a week: 5 × 31 / 7 h in March
    attested_week(world, hours=8)  # 40 h delivered
    month = figures.month(world.org.provider.pk, MARCH)
    granted_minutes = D(5 * 31) / 7 * 60
    delivered = sum((line.minutes for line in month.lines), D(0))
    assert abs(delivered - granted_minutes) < D("0.001")
    assert abs(month.beyond_grant_minutes - (40 * 60 - granted_minutes)) < D("0.001")
    invoice = services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert invoice.total == month.revenue
    driver = next(d for d in figures_drivers(world) if "utöver besluten" in d.label)
    assert driver.amount < 0


def test_a_night_across_the_month_s_end_counts_each_part_against_its_own_month_s_grant(world: World) -> None:
    """2 h a week (2 × 31 / 7 h in March, 2 × 30 / 7 h in April). Friday 29 March 07–15 and the night of Sunday
    31 March 22:00 – Monday 1 April 07:00: the night's 2 h before midnight are March's (10 h against March's
    grant: the rest beyond it), its 7 h after are April's (the week and the month begin), within April's."""
    Order.objects.filter(client=world.client).update(scope_amount=2)
    for on, hour, hours in ((25, 7, 8), (27, 22, 9)):
        time_services.worked_time_confirm(actor=world.user, shift=shift(world, on, hour, hours))
    time_services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    march = figures.month(world.org.provider.pk, MARCH)
    march_grant = D(2 * 31) / 7 * 60
    assert abs(sum((line.minutes for line in march.lines), D(0)) - march_grant) < D("0.001")
    assert abs(march.beyond_grant_minutes - (10 * 60 - march_grant)) < D("0.001")
    april = figures.month(world.org.provider.pk, datetime.date(2030, 4, 1))
    assert sum((line.minutes for line in april.lines), D(0)) == 7 * 60 and april.beyond_grant_minutes == 0


def figures_drivers(world: World) -> list[Any]:
    return year_figures(world.org.provider, 2030, AFTER_MARCH.date()).drivers


def test_wage_cost_from_the_terms_with_social_fees(world: World) -> None:
    wages(world)
    attested_week(world)
    month = figures.month(world.org.provider.pk, MARCH)
    anna = next(p for p in month.people if p.employee_id == world.employee.pk)
    assert anna.monthly and anna.cost.base == (D("30000") * world.employee.employment_rate / 100).quantize(D("0.01"))
    assert anna.cost.social_fees > 0
    assert month.cost == month.wage_cost + month.other_costs


def test_an_invoice_then_a_correction_credits_and_makes_a_new_one(world: World, frozen_clock: Any) -> None:
    worked = attested_week(world, hours=3)  # 15 h: all within the municipality's first 20 hours
    first = services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert first.kind == Invoice.Kind.INVOICE and first.total > 0 and first.lines.count() > 0
    with pytest.raises(ValidationError) as unchanged:
        services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert "month" in unchanged.value.message_dict
    # a correction after attestation: two hours less on Monday
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=5))
    time_services.worked_time_revise(
        actor=world.manager,
        worked_time=worked[0],
        revision=worked[0].revision,
        starts_at=worked[0].starts_at,
        ends_at=worked[0].ends_at - datetime.timedelta(hours=2),
        reason="Gick hem tidigare",
    )
    time_services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=10))
    with pytest.raises(ValidationError) as no_reason:
        services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert "reason" in no_reason.value.message_dict
    second = services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH, reason="Rättad tid")
    credit = Invoice.objects.get(kind=Invoice.Kind.CREDIT)
    assert credit.credits == first and credit.total == -first.total
    assert second.total < first.total
    first.refresh_from_db()
    assert first.total > 0  # never edited
    assert services.current_invoice(world.org.provider, MARCH) == second
    assert AuditEvent.objects.filter(action="invoice.credit").count() == 1


def test_the_month_close_lists_invoices_not_produced_until_one_is(world: World) -> None:
    attested_week(world)
    summary = month_checklist(world.org.provider, MARCH).summary()
    assert summary["invoices_not_produced"] == 1
    services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert month_checklist(world.org.provider, MARCH).summary()["invoices_not_produced"] == 0


def test_an_invoice_for_a_month_not_ended_or_without_time_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.invoice_produce(actor=world.manager, unit=world.org.provider, month=datetime.date(2030, 4, 1))
    assert error.value.message_dict["month"] == ["Månaden är inte slut än."]
    with pytest.raises(ValidationError):
        services.invoice_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert not Invoice.objects.exists()


def test_the_payroll_basis_in_paxml_reads_back_as_the_records(world: World) -> None:
    wages(world)
    attested_week(world, hours=8)
    data, log = services.payroll_export(actor=world.manager, unit=world.org.provider, month=MARCH, fmt="paxml")
    read = payroll.read_paxml(data)
    assert read[str(world.employee.pk)][payroll.TIME_WORKED] == D(40)
    assert log.employees >= 1 and len(log.sha256) == 64
    csv_data, _ = services.payroll_export(actor=world.manager, unit=world.org.provider, month=MARCH, fmt="csv")
    assert world.employee.last_name in csv_data.decode("utf-8")
    assert PayrollExport.objects.count() == 2
    assert AuditEvent.objects.filter(action="payroll.export").count() == 2


def test_budget_save_replace_and_import(world: World) -> None:
    unit = world.org.provider
    services.budget_save(actor=world.manager, unit=unit, month=MARCH, revenue="4 900 000", cost="5 000 000,50")
    services.budget_save(actor=world.manager, unit=unit, month=MARCH, revenue="4900000", cost="4950000")
    assert Budget.objects.get(unit=unit, month=MARCH).cost == D("4950000")
    services.budget_import(
        actor=world.manager, unit=unit, text="månad;intäkter;kostnader\n2030-04;100;200\n2030-05;100;300\n"
    )
    assert Budget.objects.filter(unit=unit).count() == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"revenue": "-1", "cost": "0"}, "revenue"),
        ({"revenue": "1", "cost": "abc"}, "cost"),
        ({"revenue": "1e30", "cost": "0"}, "revenue"),
        ({"revenue": "NaN", "cost": "0"}, "revenue"),
        ({"revenue": "1.001", "cost": "0"}, "revenue"),
    ],
)
def test_bad_budgets_are_refused_on_the_field(world: World, kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.budget_save(actor=world.manager, unit=world.org.provider, month=MARCH, **kwargs)
    assert field in error.value.message_dict
    assert not Budget.objects.exists()


def test_a_bad_csv_row_refuses_the_whole_file(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.budget_import(actor=world.manager, unit=world.org.provider, text="2030-04;100;200\n2030-05;-1;300\n")
    assert error.value.message_dict["file"][0].startswith("Rad 2")
    assert not Budget.objects.exists()


def test_a_closed_unit_takes_no_budget_or_cost(world: World) -> None:
    unit = world.org.provider
    unit.is_active = False
    unit.save()
    with pytest.raises(ValidationError) as error:
        services.budget_save(actor=world.manager, unit=unit, month=MARCH, revenue="1", cost="1")
    assert error.value.message_dict["month"][0].startswith("Enheten är avslutad")
    with pytest.raises(ValidationError):
        services.other_cost_create(actor=world.manager, unit=unit, month=MARCH, category="premises", amount="10")
    assert not Budget.objects.exists() and not OtherCost.objects.exists()


def test_wage_terms_refuse_negative_pay_and_end_the_previous(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.wage_term_create(
            actor=world.manager, employee=world.employee, pay_type=PayType.HOURLY, amount="-5", valid_from=MARCH
        )
    assert error.value.message_dict["amount"] == ["Beloppet får inte vara negativt."]
    wages(world)
    services.wage_term_create(
        actor=world.manager, employee=world.employee, pay_type=PayType.MONTHLY, amount="31000", valid_from=MARCH
    )
    terms = list(WageTerm.objects.filter(employee=world.employee).order_by("valid_from"))
    assert [t.valid_to for t in terms] == [MARCH, None]
    with pytest.raises(ValidationError):
        services.wage_term_create(
            actor=world.manager, employee=world.employee, pay_type=PayType.MONTHLY, amount="1", valid_from=MARCH
        )


def test_a_raised_amount_above_twelve_per_cent_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.raised_amount_create(
            actor=world.manager, client=world.client, unit=world.org.provider, amount="999", valid_from=MARCH
        )
    assert "amount" in error.value.message_dict
    raised = services.raised_amount_create(
        actor=world.manager, client=world.client, unit=world.org.provider, amount="380", valid_from=MARCH
    )
    assert raised.amount == D("380.00")


def test_without_the_permission_nothing_is_written(world: World, other_manager: Any) -> None:
    deputy_like = world.user  # an assistant: no economy permission
    for actor in (deputy_like, other_manager):
        with pytest.raises(PermissionDenied):
            services.budget_save(actor=actor, unit=world.org.provider, month=MARCH, revenue="1", cost="1")
        with pytest.raises(PermissionDenied):
            services.payroll_export(actor=actor, unit=world.org.provider, month=MARCH, fmt="csv")
    assert not Budget.objects.exists() and not PayrollExport.objects.exists()
    assert SYSTEM is None


# --- The forecast from what is known ahead ------------------------------------------------------------------


def test_the_forecast_uses_decisions_ending_new_orders_and_the_published_roster(world: World) -> None:
    from bista.care.models import Order
    from bista.care.tests.factories import make_order
    from bista.economy import selectors
    from bista.rostering.tests import factories as rostering

    wages(world)
    attested_week(world)
    unit = world.org.provider
    today = AFTER_MARCH.date()  # 2 April 2030: January–March done
    year = selectors.year_figures(unit, 2030, today)
    assert [a.month.month for a in year.ahead] == list(range(4, 13))
    april = year.ahead[0]
    # 168 h a week of personal assistance: 30 days' hours, 20 h a week at the municipality's rate, the rest FK's.
    assert april.granted_hours == Decimal(168 * 30) / 7 and not april.from_roster and april.hours == april.granted_hours
    assert april.revenue > 0 and april.cost > 0
    assert year.forecast == rules.money(year.outcome + sum((a.outcome for a in year.ahead), Decimal(0)))

    # The decision ends on 31 May; a new order (10 h a week of ledsagning) starts on 1 October; June's roster
    # is published: 8 hours.
    Order.objects.filter(unit=unit).update(period_end=datetime.date(2030, 5, 31))
    decided = datetime.date(2030, 3, 20)
    make_order(world.client, unit, period_start=datetime.date(2030, 10, 1), decision_date=decided, received_on=decided)
    rostering.shift(world.employee, world.client, datetime.datetime(2030, 6, 3, 6, tzinfo=datetime.UTC), 8)
    again = selectors.year_figures(unit, 2030, today)
    later = {a.month.month: a for a in again.ahead}
    assert later[5].granted_hours == Decimal(168 * 31) / 7
    assert later[6].granted_hours == 0 and later[6].revenue == 0
    assert later[6].from_roster and later[6].hours == 8 and later[6].cost > 0
    assert later[9].granted_hours == 0 and later[9].cost == 0
    assert later[10].granted_hours == rules.money(Decimal(10 * 31) / 7) and later[10].revenue > 0
    assert again.forecast == rules.money(again.outcome + sum((a.outcome for a in again.ahead), Decimal(0)))
    assert again.forecast != year.forecast

    # The running month: its days already worked count with the roster (a worked shift is not "published").
    from bista.rostering.models import Shift

    worked = rostering.shift(world.employee, world.client, datetime.datetime(2030, 4, 1, 6, tzinfo=datetime.UTC), 6)
    Shift.objects.filter(pk=worked.pk).update(status=Shift.Status.WORKED)
    running = selectors.year_figures(unit, 2030, today).ahead[0]
    assert running.month.month == 4 and running.from_roster and running.hours == 6
