"""The demo's purchaser history (bista.demo.casework): a small demo, generated once for the module (the `demo`
fixture, conftest.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.care.models import Order
from bista.casework import indicators, rules, selectors
from bista.casework.models import Appeal, Case, CaseOrder, Decision, ExecutionDelay, FollowUp, TargetGroup
from bista.core.models import AuditEvent
from bista.demo import generator

TODAY = datetime.date(2025, 11, 30)
SMALL: dict[str, Any] = {"scale": "unit", "years": 6, "seed": 5, "size": 0.1, "today": TODAY}
pytestmark = pytest.mark.django_db


def test_every_provider_order_comes_from_a_decision_of_the_purchaser(demo: generator.Context) -> None:
    d = demo.districts[0]
    orders = Order.objects.filter(unit=d.provider)
    assert orders.exists()
    assert not orders.filter(case_order__isnull=True).exists()
    for order in orders.select_related("case_order__decision__case"):
        decision = order.case_order.decision
        assert decision.case.unit == d.purchaser and decision.case.client_id == order.client_id
        assert (decision.service_id, decision.decision_date, decision.scope_amount, decision.period_end) == (
            order.service_id,
            order.decision_date,
            order.scope_amount,
            order.period_end,
        )


def test_refusals_appeals_and_a_court_change(demo: generator.Context) -> None:
    decisions = Decision.objects.filter(case__unit=demo.districts[0].purchaser)
    refused = decisions.filter(outcome=Decision.Outcome.REFUSED).count()
    assert 0.04 < refused / decisions.count() < 0.2
    assert decisions.filter(period_end__isnull=False).exists()
    assert decisions.filter(supersedes__isnull=False).exists()
    assert Appeal.objects.exists()
    changed = Appeal.objects.get(judgment=Appeal.Judgment.CHANGED)
    assert changed.new_decision is not None and changed.new_decision.supersedes == changed.decision
    assert CaseOrder.objects.filter(external_provider__gt="", free_choice_informed_on__isnull=False).exists()
    assert FollowUp.objects.exists()
    assert ExecutionDelay.objects.filter(reason="declined").exists() or ExecutionDelay.objects.count() >= 3
    assert AuditEvent.objects.filter(action="case.import").count() == decisions.values("case").distinct().count()


def test_every_past_quarter_has_ivo_content(demo: generator.Context) -> None:
    purchaser = demo.districts[0].purchaser
    first = rules.Quarter.of(rules.reportable_from(demo.window_start) + datetime.timedelta(days=30))
    quarter, empty = first.next(), []
    while quarter.end < TODAY:
        if not selectors.ivo_rows(purchaser, quarter, upto=quarter.end):
            empty.append(quarter.code)
        quarter = quarter.next()
    assert not empty


def test_child_impact_share_is_near_the_goal(demo: generator.Context) -> None:
    purchaser = demo.districts[0].purchaser
    figure = indicators.child_impact_analysis(purchaser.pk, demo.window_start, TODAY, TODAY)
    assert figure.numerator is not None and figure.denominator and figure.denominator >= 10
    # Seed 001's goal is 90 %: most child investigations have the analysis, not all.
    assert 0.7 <= figure.numerator / figure.denominator < 1


def test_socialpsykiatri_is_the_case_s_target_group(demo: generator.Context) -> None:
    """Every demo case is in the målgrupp of its casework group; the socialpsykiatri indicator counts that group's
    clients with a decision in force (not "any SoL decision": the demo's children get none, its psychiatry clients
    some LSS daglig verksamhet)."""
    purchaser = demo.districts[0].purchaser
    cases = Case.objects.filter(unit=purchaser).select_related("team", "target_group")
    assert cases.exists() and not cases.filter(target_group__isnull=True).exists()
    names = {"Barn och unga": "children", "Vuxna": "adults", "Socialpsykiatri": TargetGroup.SOCIAL_PSYCHIATRY}
    assert all(case.target_group.code == names[case.team.name] for case in cases)  # type: ignore[union-attr]
    figure = indicators.active_social_psychiatry(purchaser.pk, TODAY, TODAY, TODAY)
    active = set(indicators.active_clients(purchaser.pk, TODAY, TODAY, TODAY).record_ids)
    in_group = set(cases.filter(target_group__code=TargetGroup.SOCIAL_PSYCHIATRY).values_list("client_id", flat=True))
    assert figure.value and set(figure.record_ids) == active & in_group
