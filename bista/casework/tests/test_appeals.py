"""Appeals: timeliness from the day the person received the decision (a late appeal is registered and
marked), reconsideration, forwarding to the court (a duty), the judgment, and a change as a new decision."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bista.care import selectors as care_selectors
from bista.casework import services
from bista.casework.models import Appeal, Decision
from bista.casework.tests import factories as f
from bista.core.models import AuditEvent
from bista.core.testing import Organisation

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def decision(org: Organisation, officer: Any) -> Decision:
    intake = f.register(org.purchaser, actor=officer)
    services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 5))
    decision = f.decide(intake, actor=officer, outcome="refused")
    return services.decision_receipt_record(actor=officer, decision=decision, received_on=D(2024, 4, 5))


def _no_change(call: Any, field: str) -> None:
    before = (Appeal.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as info:
        call()
    assert field in info.value.message_dict
    assert (Appeal.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("received", "timely"),
    [(D(2024, 4, 26), True), (D(2024, 4, 29), False)],  # 5 April + 3 weeks = Friday 26 April
)
def test_timeliness(officer: Any, decision: Decision, received: datetime.date, timely: bool) -> None:
    appeal = services.appeal_register(actor=officer, decision=decision, received_on=received)
    assert appeal.timely is timely


def test_an_appeal_before_the_decision_is_refused(officer: Any, decision: Decision) -> None:
    _no_change(
        lambda: services.appeal_register(actor=officer, decision=decision, received_on=D(2024, 4, 1)), "received_on"
    )


def test_reconsidered_unchanged_forwarded_and_changed_by_the_court(officer: Any, decision: Decision) -> None:
    appeal = services.appeal_register(actor=officer, decision=decision, received_on=D(2024, 4, 20))
    appeal = services.appeal_reconsider(actor=officer, appeal=appeal, outcome="unchanged", on=D(2024, 4, 22))
    # Forwarding is a duty, due a week after the appeal came in.
    todo = care_selectors.todo_for(officer, today=D(2024, 4, 30), mine=True)
    assert any(d.rule.code == "casework.appeal_forward" for d in todo.overdue)
    _no_change(
        lambda: services.appeal_judgment(actor=officer, appeal=appeal, judgment="upheld", on=D(2024, 6, 1)), "judgment"
    )
    appeal = services.appeal_forward(actor=officer, appeal=appeal, on=D(2024, 4, 24))
    court = f.decide(
        decision.intake, actor=officer, supersedes=decision, decision_date=D(2024, 9, 2), period_start=D(2024, 9, 2)
    )
    _no_change(
        lambda: services.appeal_judgment(actor=officer, appeal=appeal, judgment="changed", on=D(2024, 9, 1)),
        "new_decision",
    )
    appeal = services.appeal_judgment(
        actor=officer, appeal=appeal, judgment="changed", on=D(2024, 9, 1), new_decision=court
    )
    assert appeal.new_decision == court and court.supersedes == decision
    _no_change(lambda: services.appeal_forward(actor=officer, appeal=appeal, on=D(2024, 9, 3)), "on")


def test_a_judgment_appealed_further(officer: Any, decision: Decision) -> None:
    appeal = services.appeal_register(actor=officer, decision=decision, received_on=D(2024, 4, 20))
    appeal = services.appeal_forward(actor=officer, appeal=appeal, on=D(2024, 4, 24))
    _no_change(  # appealed further before the judgment was given
        lambda: services.appeal_judgment(
            actor=officer, appeal=appeal, judgment="upheld", on=D(2024, 6, 1), further_appeal_on=D(2024, 5, 30)
        ),
        "further_appeal_on",
    )
    appeal = services.appeal_judgment(
        actor=officer, appeal=appeal, judgment="upheld", on=D(2024, 6, 1), further_appeal_on=D(2024, 6, 20)
    )
    appeal.refresh_from_db()
    assert (appeal.judgment, appeal.judgment_on, appeal.further_appeal_on) == ("upheld", D(2024, 6, 1), D(2024, 6, 20))
    event = AuditEvent.objects.filter(action="appeal.judgment").latest("id")
    assert event.new_values.get("further_appeal_on") == "2024-06-20"


def test_reconsideration_that_changes_the_decision_ends_the_forwarding_duty(officer: Any, decision: Decision) -> None:
    appeal = services.appeal_register(actor=officer, decision=decision, received_on=D(2024, 4, 20))
    new = f.decide(
        decision.intake, actor=officer, supersedes=decision, decision_date=D(2024, 4, 23), period_start=D(2024, 4, 23)
    )
    services.appeal_reconsider(actor=officer, appeal=appeal, outcome="changed", on=D(2024, 4, 23), new_decision=new)
    todo = care_selectors.todo_for(officer, today=D(2024, 4, 30), mine=True)
    assert not any(d.rule.code == "casework.appeal_forward" for d in todo.overdue)
    _no_change(
        lambda: services.appeal_reconsider(actor=officer, appeal=appeal, outcome="unchanged", on=D(2024, 4, 24)),
        "outcome",
    )
