"""The purchaser's "Att göra": the first contact after an intake, the yearly follow-up and the time-limited
decision ending with no new investigation, each on the case officer's own list."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.care import selectors as care_selectors
from bista.casework import services
from bista.casework.tests import factories as f
from bista.core.testing import Organisation

D = datetime.date
pytestmark = pytest.mark.django_db


def _subjects(officer: Any, today: datetime.date) -> dict[str, str]:
    todo = care_selectors.todo_for(officer, today=today, mine=True)
    return {
        duty.rule.code: state
        for state, duties in (("overdue", todo.overdue), ("due_soon", todo.due_soon), ("done_late", todo.done_late))
        for duty in duties
    }


def test_first_contact_is_due_within_a_week(org: Organisation) -> None:
    officer = f.officer(org)
    intake = f.register(org.purchaser, actor=officer)  # received 2024-03-04
    assert _subjects(officer, D(2024, 3, 8)).get("casework.first_contact") == "due_soon"
    assert _subjects(officer, D(2024, 3, 12)).get("casework.first_contact") == "overdue"
    services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 13))
    assert _subjects(officer, D(2024, 3, 14)).get("casework.first_contact") == "done_late"
    other = f.officer(org, "kollega")
    assert "casework.first_contact" not in _subjects(other, D(2024, 3, 12))  # not theirs


def test_follow_up_and_expiry(org: Organisation) -> None:
    officer = f.officer(org)
    intake = f.register(org.purchaser, actor=officer)
    services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 5))
    f.decide(intake, actor=officer, period_end=D(2025, 1, 31))  # decided 2024-04-02
    assert "casework.reassessment" not in _subjects(officer, D(2024, 12, 1))  # 61 days before the end
    assert _subjects(officer, D(2024, 12, 2)).get("casework.reassessment") == "due_soon"
    late = _subjects(officer, D(2025, 4, 3))
    assert late.get("casework.follow_up") == "overdue" and late.get("casework.reassessment") == "overdue"
    # A new investigation within the window is the reassessment, and follows the decision up.
    services.investigation_start(actor=officer, case=intake.case, started_on=D(2024, 12, 10))
    after = _subjects(officer, D(2024, 12, 11))
    assert "casework.reassessment" not in after and "casework.follow_up" not in after


def test_a_refusal_needs_no_follow_up(org: Organisation) -> None:
    officer = f.officer(org)
    intake = f.register(org.purchaser, actor=officer)
    services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 5))
    f.decide(intake, actor=officer, outcome="refused", period_end=None)
    assert "casework.follow_up" not in _subjects(officer, D(2025, 5, 1))
