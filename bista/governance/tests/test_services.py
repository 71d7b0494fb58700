"""The governance services: the goal chain's shape, targets, manual values, the follow-up's revisions and
drafts, copying forward, and document requests — with bad input refused and nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.core.access import SYSTEM
from bista.core.errors import ConflictError
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.governance import services
from bista.governance.models import (
    Activity,
    FollowUp,
    FollowUpDraft,
    GeneratedDocument,
    Goal,
    GoalIndicator,
    IndicatorDefinition,
    IndicatorValue,
    OperationalPlan,
)
from bista.governance.tests.factories import PlanWorld, indicator, make_plan

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(org: Organisation) -> PlanWorld:
    return make_plan(org.provider, 2024)


def test_the_chain_must_go_one_level_at_a_time(world: PlanWorld) -> None:
    with pytest.raises(ValidationError) as error:
        services.goal_create(
            actor=SYSTEM, plan=world.plan, level=Goal.Level.UNIT, parent=world.area, title="Hoppar över nämndmålet"
        )
    assert "parent" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.goal_create(actor=SYSTEM, plan=world.plan, level=Goal.Level.COUNCIL, parent=world.council, title="X")
    with pytest.raises(ValidationError) as error:
        services.goal_create(actor=SYSTEM, plan=world.plan, level=Goal.Level.COUNCIL, title="  ")
    assert "title" in error.value.message_dict
    assert world.plan.goals.count() == 4


def test_a_target_on_a_manual_indicator_without_a_unit_is_refused(world: PlanWorld) -> None:
    loose = IndicatorDefinition.objects.create(
        code="trivsel",
        name="Trivsel",
        source="manual",
        period_type="year",
        valid_from=D(2010, 1, 1),
    )
    before = GoalIndicator.objects.count()
    with pytest.raises(ValidationError) as error:
        services.goal_indicator_add(actor=SYSTEM, goal=world.unit_goal, indicator=loose, target=Decimal(4))
    assert "saknar enhet" in error.value.message_dict["target"][0]
    assert GoalIndicator.objects.count() == before
    # without a target it may be followed (the value is shown as entered)
    services.goal_indicator_add(actor=SYSTEM, goal=world.unit_goal, indicator=loose)
    with pytest.raises(ValidationError):
        services.goal_indicator_add(actor=SYSTEM, goal=world.unit_goal, indicator=loose)


def test_manual_values_are_checked_against_the_indicator(org: Organisation, world: PlanWorld) -> None:
    ami, eco = indicator("ami"), indicator("eco_food")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"indicator": ami, "period": "T1"}, "period"),  # a yearly indicator has no tertial value
        ({"indicator": ami, "period": "T9"}, "period"),
        ({"indicator": indicator("first_contact"), "period": "VB"}, "indicator"),  # computed
        ({"indicator": eco, "period": "VB", "value_women": Decimal(1)}, "value_women"),  # no gender split
        ({"indicator": ami, "period": "VB", "source": " "}, "source"),
    ]
    for overrides, field in cases:
        values = {"unit": org.provider, "year": 2024, "value": Decimal(56), "source": "Medarbetarenkäten 2024"}
        values.update(overrides)
        with pytest.raises(ValidationError) as error:
            services.indicator_value_save(actor=SYSTEM, **values)
        assert field in error.value.message_dict, (overrides, error.value.message_dict)
    assert not IndicatorValue.objects.exists()

    saved = services.indicator_value_save(
        actor=SYSTEM, indicator=ami, unit=org.provider, year=2024, period="VB", value=Decimal(56), source="Enkät"
    )
    corrected = services.indicator_value_save(
        actor=SYSTEM,
        indicator=ami,
        unit=org.provider,
        year=2024,
        period="VB",
        value=Decimal(58),
        source="Enkät, rättad",
        expected_version=saved.version,
    )
    assert (corrected.pk, corrected.version, corrected.value) == (saved.pk, 2, Decimal(58))
    with pytest.raises(ConflictError):
        services.indicator_value_save(
            actor=SYSTEM,
            indicator=ami,
            unit=org.provider,
            year=2024,
            period="VB",
            value=Decimal(1),
            source="x",
            expected_version=1,
        )
    assert AuditEvent.objects.filter(action="indicator_value.update", object_id=str(saved.pk)).count() == 1


def test_follow_up_saves_are_revisions_and_never_silent(manager: Any, world: PlanWorld) -> None:
    goal = world.unit_goal
    services.follow_up_draft_save(actor=manager, goal=goal, period="T1", assessment="partly", analysis="Utkast")
    first = services.follow_up_save(
        actor=manager, goal=goal, period="T1", assessment="partly", analysis="Delvis.", expected_version=None
    )
    assert not FollowUpDraft.objects.exists()  # saving removes the draft
    second = services.follow_up_save(
        actor=manager, goal=goal, period="T1", assessment="fulfilled", analysis="Helt.", expected_version=1
    )
    assert second.pk == first.pk and second.version == 2
    assert [(r.number, r.analysis) for r in second.revisions.order_by("number")] == [(1, "Delvis."), (2, "Helt.")]
    with pytest.raises(ConflictError):
        services.follow_up_save(
            actor=manager, goal=goal, period="T1", assessment="not", analysis="Gammal", expected_version=1
        )
    with pytest.raises(ValidationError):
        services.follow_up_save(
            actor=manager, goal=goal, period="T1", assessment="maybe", analysis="", expected_version=2
        )
    # an indicator is analysed, not assessed; a yearly one only in the VB
    with pytest.raises(ValidationError) as error:
        services.follow_up_save(
            actor=manager,
            goal=world.area,
            goal_indicator=world.ami,
            period="T1",
            assessment="",
            analysis="AMI",
            expected_version=None,
        )
    assert "period" in error.value.message_dict
    assert FollowUp.objects.get(pk=first.pk).analysis == "Helt."


def test_another_units_manager_cannot_write(other_manager: Any, world: PlanWorld) -> None:
    with pytest.raises(PermissionDenied):
        services.follow_up_save(
            actor=other_manager, goal=world.unit_goal, period="VB", assessment="", analysis="x", expected_version=None
        )
    with pytest.raises(PermissionDenied):
        services.goal_create(actor=other_manager, plan=world.plan, level=Goal.Level.COUNCIL, title="X")
    assert not FollowUp.objects.exists()


def test_copy_forward(world: PlanWorld) -> None:
    Activity.objects.update(ends_on=D(2025, 6, 30))
    copy = services.plan_copy_forward(actor=SYSTEM, plan=world.plan)
    assert copy.year == 2025 and copy.copied_from == world.plan
    goals = {g.level: g for g in copy.goals.all()}
    assert goals[Goal.Level.UNIT].parent == goals[Goal.Level.COMMITTEE]
    assert goals[Goal.Level.COUNCIL_AREA].parent == goals[Goal.Level.COUNCIL]
    assert goals[Goal.Level.UNIT].working_method == world.unit_goal.working_method
    assert GoalIndicator.objects.filter(goal__plan=copy).count() == 2
    assert Activity.objects.filter(goal__plan=copy).count() == 1
    with pytest.raises(ValidationError):
        services.plan_copy_forward(actor=SYSTEM, plan=world.plan)


def test_a_report_for_a_year_with_no_plan_is_refused(org: Organisation, manager: Any, world: PlanWorld) -> None:
    with pytest.raises(ValidationError) as error:
        services.document_request(actor=manager, unit=org.provider, year=2023, kind="VB", format="docx")
    assert "ingen verksamhetsplan för 2023" in error.value.message_dict["year"][0]
    empty = OperationalPlan.objects.create(unit=org.provider, year=2022)
    with pytest.raises(ValidationError) as error:
        services.document_request(actor=manager, unit=org.provider, year=2022, kind="VB", format="pdf")
    assert "inga enhetsmål" in error.value.message_dict["year"][0]
    with pytest.raises(ValidationError):
        services.document_request(actor=manager, unit=org.provider, year=2024, kind="VB", format="odt")
    assert not GeneratedDocument.objects.exists()
    assert empty.pk


def test_a_document_is_made_in_the_background_and_kept(
    org: Organisation, manager: Any, world: PlanWorld, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_request(actor=manager, unit=org.provider, year=2024, kind="VB", format="docx")
    document.refresh_from_db()
    assert document.status == GeneratedDocument.Status.DONE, document.message
    assert document.progress == 100 and document.requested_by == manager
    import hashlib

    assert document.sha256 == hashlib.sha256(bytes(document.content)).hexdigest()
    assert bytes(document.content)[:2] == b"PK"


def test_a_failing_build_keeps_nothing(world: PlanWorld) -> None:
    document = GeneratedDocument.objects.create(plan=world.plan, kind="VB", format="pdf")

    def broken(doc: Any, progress: Any) -> bytes:
        progress(40, "Halvvägs")
        raise RuntimeError("boom")

    result = services.document_run(document.pk, broken)
    assert result.status == GeneratedDocument.Status.FAILED
    assert result.content is None and result.sha256 == ""
    assert "RuntimeError" in result.message
