"""The purchaser's indicators as governance computes them, with the clients behind each figure."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from bista.care.models import Service
from bista.casework import indicators, services
from bista.casework.models import TargetGroup
from bista.casework.tests import factories as f
from bista.core.testing import Organisation

D = datetime.date
pytestmark = pytest.mark.django_db
TODAY = D(2025, 12, 31)
YEAR_START, YEAR_END = D(2024, 1, 1), D(2024, 12, 31)


@pytest.fixture
def world(org: Organisation) -> dict[str, Any]:
    officer = f.officer(org)
    adult = f.register(org.purchaser, actor=officer)  # applied 2024-03-04
    adult_decision = f.decide(adult, actor=officer, period_end=None)  # decided 2024-04-02: 29 days
    child_intake = f.register(
        org.purchaser, actor=officer, new_client=f.new_client(birth="20150101", number=24, first_name="Ada", gender="K")
    )
    inv = services.investigation_start(
        actor=officer, case=child_intake.case, intake=child_intake, started_on=D(2024, 3, 5)
    )
    inv = services.investigation_save(
        actor=officer,
        investigation=inv,
        expected_version=1,
        child_impact_analysis="Beslutet påverkar Ada positivt.",
        child_took_part=True,
        child_got_feedback=False,
        school_contacted=True,
    )
    services.investigation_complete(
        actor=officer, investigation=inv, completed_on=D(2024, 3, 20), expected_version=inv.version
    )
    f.decide(child_intake, actor=officer, decision_date=D(2024, 3, 25), period_start=D(2024, 3, 25), period_end=None)
    services.follow_up_record(
        actor=officer, decision=adult_decision, on=D(2025, 3, 1), own_view="Bra", outcome="continue"
    )
    return {"officer": officer, "adult": adult_decision, "child": child_intake.case.client}


def _run(key: str, org: Organisation, first: datetime.date = YEAR_START, last: datetime.date = YEAR_END) -> Any:
    fn = next(entry[-1] for entry in indicators.INDICATORS if entry[0] == key)
    return fn(org.purchaser.pk, first, last, TODAY)


def test_processing_time_and_child_investigations(org: Organisation, world: dict[str, Any]) -> None:
    processing = _run("casework.processing_days", org)
    assert processing.value == Decimal("25") and processing.denominator == 2  # 21 and 29 days
    impact = _run("casework.child_impact_analysis", org)
    assert (impact.value, impact.record_ids) == (Decimal("100.0"), (world["child"].pk,))
    participation = _run("casework.child_participation", org)
    assert participation.value == Decimal("0.0") and participation.unmet_ids == {world["child"].pk}
    assert _run("casework.school_contacted", org).women == Decimal("100.0")


def test_active_clients_caseload_and_follow_ups(org: Organisation, world: dict[str, Any]) -> None:
    assert _run("casework.active_clients", org).value == 2
    assert _run("casework.active_children", org).record_ids == (world["child"].pk,)
    assert _run("casework.active_adults", org).value == 1
    assert _run("casework.active_social_psychiatry", org).value == 0
    assert _run("casework.caseload_per_officer", org).value == Decimal("2.0")
    on_time = _run("casework.follow_ups_on_time", org, D(2025, 1, 1), D(2025, 12, 31))
    assert (on_time.numerator, on_time.denominator) == (1, 2)  # the adult's done, the child's missed
    assert _run("casework.open_unexecuted", org, D(2024, 7, 1), D(2024, 9, 30)).value == 2  # neither ordered


def test_social_psychiatry_is_the_case_s_target_group_not_the_law(org: Organisation, world: dict[str, Any]) -> None:
    """Seed 001's socialpsykiatri is a group of clients: a SoL decision alone does not put someone in it, and a
    client of the group counts with an LSS decision too."""
    officer = world["officer"]
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    sol = Service.objects.filter(act=Service.Act.SOL).filter(valid_from__lte=D(2024, 4, 2)).first()
    assert sol is not None
    # an adult outside the group with boendestöd under SoL: not socialpsykiatri
    other = f.register(org.purchaser, actor=officer, new_client=f.new_client(number=36))
    f.decide(other, actor=officer, service=sol, period_end=None)
    # a client of the group with LSS daglig verksamhet
    member = f.register(
        org.purchaser, actor=officer, new_client=f.new_client(number=48, gender="K"), target_group=psychiatry
    )
    f.decide(member, actor=officer, service=f.service("lss_9_10"), period_end=None)
    figure = _run("casework.active_social_psychiatry", org)
    assert figure.record_ids == (member.case.client_id,) and (figure.women, figure.men) == (1, 0)
    # moved out of the group (a correction on the case): no longer counted
    services.case_target_group_set(
        actor=officer, case=member.case, target_group=None, expected_version=member.case.version
    )
    assert _run("casework.active_social_psychiatry", org).value == 0


def test_the_three_groups_add_up_to_all_active_clients(org: Organisation, world: dict[str, Any]) -> None:
    """Seed 001's 1,564 = 290 children + 812 adults + 462 socialpsykiatri: every active client in exactly one
    group — a young member of socialpsykiatri counts there, not with the children; an over-65 with the adults."""
    officer = world["officer"]
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    young_member = f.register(
        org.purchaser, actor=officer, new_client=f.new_client(birth="20050601", number=36), target_group=psychiatry
    )
    f.decide(young_member, actor=officer, period_end=None)
    old = f.register(org.purchaser, actor=officer, new_client=f.new_client(birth="19500301", number=48))
    f.decide(old, actor=officer, period_end=None)
    groups = {
        key: set(_run(key, org).record_ids)
        for key in ("casework.active_children", "casework.active_adults", "casework.active_social_psychiatry")
    }
    everyone = set(_run("casework.active_clients", org).record_ids)
    assert len(everyone) == 4 and sum(len(ids) for ids in groups.values()) == len(everyone)
    assert set().union(*groups.values()) == everyone
    assert groups["casework.active_social_psychiatry"] == {young_member.case.client_id}
    assert groups["casework.active_children"] == {world["child"].pk}
    assert old.case.client_id in groups["casework.active_adults"]


def test_governance_computes_them_from_its_registry(org: Organisation, world: dict[str, Any]) -> None:
    from bista.governance import registry
    from bista.governance.models import IndicatorDefinition
    from bista.governance.rules import period_range

    outcome = registry.compute(
        "casework.active_clients", registry.Source(today=TODAY), org.purchaser.pk, period_range(2024, "VB")
    )
    assert outcome.value == 2 and outcome.record_kind == "client"
    seeded = set(
        IndicatorDefinition.objects.filter(computed_key__startswith="casework.").values_list("computed_key", flat=True)
    )
    assert seeded == {entry[0] for entry in indicators.INDICATORS}


def test_the_purchasers_vb_carries_its_figures(org: Organisation, world: dict[str, Any]) -> None:
    """The purchaser's VB is generated as the provider's is, its indicator tables computed from the cases."""
    import io

    from docx import Document

    from bista.core.access import SYSTEM
    from bista.governance import documents
    from bista.governance import services as governance_services
    from bista.governance.models import IndicatorDefinition
    from bista.governance.tests.factories import make_plan

    plan = make_plan(org.purchaser, 2024)
    impact = IndicatorDefinition.objects.get(computed_key="casework.child_impact_analysis")
    governance_services.goal_indicator_add(actor=SYSTEM, goal=plan.unit_goal, indicator=impact, target=Decimal(90))
    content = documents.build(plan.plan, "VB", "docx", today=TODAY)
    document = Document(io.BytesIO(content))
    rows = {row.cells[0].text: [c.text for c in row.cells] for t in document.tables for row in t.rows}
    assert rows[impact.name][1] == "100,0 %"  # the one child investigation had its analysis
    assert org.purchaser.name in "\n".join(p.text for p in document.paragraphs)
    assert documents.build(plan.plan, "VB", "pdf", today=TODAY).startswith(b"%PDF")
