"""Each computed indicator against a small world computed by hand, with the gender split and the tertial
boundaries (T1 ends 30 April, T2 is cumulative to 31 August, times are Stockholm's); and the staff figures'
combination into our cumulative periods."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from bista.care.models import Delivery, OrderEvent
from bista.care.services import delivery_create
from bista.care.tests.factories import make_client, make_order, signed_plan, step
from bista.core.access import SYSTEM
from bista.core.testing import Organisation
from bista.governance import registry, rules
from bista.governance.registry import Source
from bista.quality.models import Feedback
from bista.quality.tests.factories import at, register_feedback, report_deviation, report_lex_sarah

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 6, 1)
T1, T2, VB = (rules.period_range(2024, p) for p in ("T1", "T2", "VB"))


def figure(key: str, unit_id: int, rng: rules.PeriodRange) -> registry.Outcome:
    return registry.compute(key, Source(today=TODAY), unit_id, rng)


def pct(numerator: int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator) * 100


@pytest.fixture
def care_world(org: Organisation) -> dict[str, Any]:
    """A (woman): received 15 Jan, contact 20 Jan (met), decided 10 Jan, executed 1 Mar (met), plan 1 Feb.
    B (man): received 30 Apr (last day of T1), contact 20 May (late: due 14 May), decided 20 Apr, executed
       15 Aug (late: due 20 Jul), no plan.
    C (man): received 1 May (first day of T2), contact 5 May (met), decided 25 Apr, executed 1 Jun (met),
       plan 10 Jun.
    X: another unit's client with an order in time (never counted)."""
    p = org.provider
    a = make_client(p, first_name="Anna", last_name="Ahl", gender="K")
    b = make_client(p, first_name="Bo", last_name="Berg", gender="M")
    c = make_client(p, first_name="Carl", last_name="Ceder", gender="M")
    x = make_client(org.other_unit, first_name="Xena", last_name="Ext", gender="K")
    o1 = make_order(a, p, decision_date=D(2024, 1, 10), received_on=D(2024, 1, 15))
    step(o1, OrderEvent.Kind.FIRST_CONTACT, D(2024, 1, 20))
    signed_plan(o1, D(2024, 2, 1))
    step(o1, OrderEvent.Kind.EXECUTED, D(2024, 3, 1))
    o2 = make_order(b, p, decision_date=D(2024, 4, 20), received_on=D(2024, 4, 30))
    step(o2, OrderEvent.Kind.FIRST_CONTACT, D(2024, 5, 20))
    step(o2, OrderEvent.Kind.EXECUTED, D(2024, 8, 15))
    o3 = make_order(c, p, decision_date=D(2024, 4, 25), received_on=D(2024, 5, 1))
    step(o3, OrderEvent.Kind.FIRST_CONTACT, D(2024, 5, 5))
    step(o3, OrderEvent.Kind.EXECUTED, D(2024, 6, 1))
    signed_plan(o3, D(2024, 6, 10))
    ox = make_order(x, org.other_unit, decision_date=D(2024, 1, 10), received_on=D(2024, 1, 15))
    step(ox, OrderEvent.Kind.FIRST_CONTACT, D(2024, 1, 16))
    return {"a": a, "b": b, "c": c, "x": x}


def test_first_contact_by_tertial_and_gender(org: Organisation, care_world: dict[str, Any]) -> None:
    t1 = figure("care.first_contact", org.provider.pk, T1)
    assert (t1.numerator, t1.denominator) == (1, 2)  # A met, B (received 30 April) late
    assert t1.value == pct(1, 2)
    assert (t1.women, t1.men) == (Decimal(100), Decimal(0))
    t2 = figure("care.first_contact", org.provider.pk, T2)  # cumulative: C (received 1 May) joins
    assert (t2.numerator, t2.denominator) == (2, 3)
    assert t2.women == Decimal(100) and t2.men == pct(1, 2)
    assert set(t2.record_ids) == {care_world[k].pk for k in "abc"}
    assert t2.unmet_ids == {care_world["b"].pk}


def test_execution_by_tertial(org: Organisation, care_world: dict[str, Any]) -> None:
    t1 = figure("care.execution", org.provider.pk, T1)
    assert (t1.numerator, t1.denominator) == (1, 2)
    t2 = figure("care.execution", org.provider.pk, T2)
    assert (t2.numerator, t2.denominator) == (2, 3)
    assert t2.men == pct(1, 2)


def test_plan_coverage_at_the_period_end(org: Organisation, care_world: dict[str, Any]) -> None:
    t1 = figure("care.plan_current", org.provider.pk, T1)
    assert (t1.numerator, t1.denominator) == (1, 1)  # only A is executed by 30 April
    assert t1.value == Decimal(100) and t1.men is None
    t2 = figure("care.plan_current", org.provider.pk, T2)
    assert (t2.numerator, t2.denominator) == (2, 3)  # B executed 15 Aug without a plan
    assert (t2.women, t2.men) == (Decimal(100), pct(1, 2))
    assert t2.unmet_ids == {care_world["b"].pk}


def test_deliveries_per_client(org: Organisation, care_world: dict[str, Any]) -> None:
    a, b, x = care_world["a"], care_world["b"], care_world["x"]
    for client, day in ((a, D(2024, 1, 10)), (a, D(2024, 4, 30)), (a, D(2024, 5, 1)), (b, D(2024, 3, 1))):
        delivery_create(actor=SYSTEM, client=client, delivered_on=day, items="Handskar")
    delivery_create(actor=SYSTEM, client=a, delivered_on=D(2024, 2, 1), items="Pärmar", kind=Delivery.Kind.OFFICE)
    delivery_create(actor=SYSTEM, client=x, delivered_on=D(2024, 2, 1), items="Handskar")
    t1 = figure("care.deliveries_per_client", org.provider.pk, T1)
    assert (t1.numerator, t1.denominator, t1.value) == (3, 2, Decimal("1.5"))
    assert (t1.women, t1.men) == (Decimal(2), Decimal(1))
    t2 = figure("care.deliveries_per_client", org.provider.pk, T2)
    assert (t2.value, t2.women, t2.men) == (Decimal(2), Decimal(3), Decimal(1))
    assert len(t2.record_ids) == 4


def test_deviations_counted_on_the_stockholm_day(org: Organisation) -> None:
    p = org.provider
    for moment in (at(2024, 1, 1, 0, 0), at(2024, 4, 30, 23, 30), at(2024, 5, 1, 0, 10), at(2023, 12, 31, 23, 59)):
        report_deviation(p, occurred_at=moment, reported_at=moment)
    report_deviation(org.other_unit, occurred_at=at(2024, 2, 1), reported_at=at(2024, 2, 1))
    assert figure("quality.deviations", p.pk, T1).value == 2
    assert figure("quality.deviations", p.pk, T2).value == 3
    assert figure("quality.deviations", p.pk, VB).value == 3
    assert figure("quality.deviations", p.pk, T1).women is None


def test_lex_sarah_and_feedback_counts(org: Organisation) -> None:
    p = org.provider
    report_lex_sarah(p, occurred_at=at(2024, 6, 10), reported_at=at(2024, 6, 10, 13))
    register_feedback(p, kind=Feedback.Kind.COMPLAINT, received_on=D(2024, 4, 30))
    register_feedback(p, kind=Feedback.Kind.OPINION, received_on=D(2024, 9, 1))
    register_feedback(p, kind=Feedback.Kind.PRAISE, received_on=D(2024, 2, 1))
    assert figure("quality.lex_sarah", p.pk, T1).value == 0
    assert figure("quality.lex_sarah", p.pk, T2).value == 1
    assert figure("quality.complaints", p.pk, T1).value == 1
    assert figure("quality.opinions", p.pk, T2).value == 0
    assert figure("quality.opinions", p.pk, VB).value == 1
    assert figure("quality.praise", p.pk, T1).value == 1


def test_every_seeded_computed_indicator_has_a_function() -> None:
    from bista.governance.models import IndicatorDefinition

    keys = set(IndicatorDefinition.objects.filter(source="computed").values_list("computed_key", flat=True))
    assert keys and keys <= set(registry.REGISTRY)


def test_staff_figures_are_combined_into_cumulative_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """T2 is the rostering context's tertials 1 and 2 together: numerators and denominators are summed per
    gender before dividing (not the two shares averaged); the year's overview is read once."""
    from bista.rostering import indicators

    calls: list[int] = []

    class FakeOverview:
        def figure(self, code: str, period: Any) -> Any:
            numbers = {1: (10.0, 100.0, 4.0, 40.0), 2: (30.0, 100.0, 0.0, 60.0)}[period.number]
            n, d, wn, wd = numbers
            parts = {"K": indicators.Part(wn / wd, wn, wd), "M": indicators.Part(None, 0.0, 0.0)}
            return indicators.Figure(code, period, n / d, n, d, parts, shifts=None)  # type: ignore[arg-type]

    def fake_overview(unit_ids: Any, year: int, **kw: Any) -> Any:
        calls.append(year)
        return FakeOverview()

    monkeypatch.setattr(indicators, "year_overview", fake_overview)
    source = Source(today=TODAY)
    t1 = registry.compute("staff.sick_leave", source, 1, T1)
    assert t1.value == Decimal(10) and t1.women == Decimal(10)
    t2 = registry.compute("staff.sick_leave", source, 1, T2)
    assert t2.value == Decimal(20)  # 40 / 200
    assert t2.women == Decimal(4)  # 4 / 100
    assert t2.men is None
    registry.compute("staff.hourly_paid_share", source, 1, T2)
    assert calls == [2024]


def test_staff_indicators_with_no_shifts_have_no_value(org: Organisation) -> None:
    result = registry.compute("staff.sick_leave", Source(today=TODAY), org.provider.pk, VB)
    assert result.value is None and result.denominator == 0
    overtime = registry.compute("staff.overtime_hours", Source(today=TODAY), org.provider.pk, VB)
    assert overtime.value == 0
