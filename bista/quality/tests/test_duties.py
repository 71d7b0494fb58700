"""The quality system's duty sources (bista.quality.duties) through bista.core.duties.duties_for and "Att
göra" (bista.care.selectors.todo_for, which includes every registered source): Lex Sarah's steps, deviation
handling and actions, answers to feedback, and the 72 hours of a personal data incident across the
daylight-saving changes. Data built through the services; one unit never sees another's duties."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bista.care.selectors import DONE_LATE_WINDOW_DAYS, todo_for
from bista.core.clock import STOCKHOLM
from bista.core.deadlines import Duty, DutyState
from bista.core.duties import duties_for
from bista.core.testing import Organisation
from bista.quality import services
from bista.quality.duties import Rule
from bista.quality.models import DataIncident, Feedback
from bista.quality.tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
FAR_PAST = D(2000, 1, 1)
TODAY = D(2026, 3, 1)
QUALITY_RULES = {value for name, value in vars(Rule).items() if name.isupper()}


def quality_duties(
    unit_ids: list[int], *, today: datetime.date = TODAY, done_since: datetime.date = FAR_PAST
) -> list[Duty]:
    return [d for d in duties_for(unit_ids, today=today, done_since=done_since) if d.rule.code in QUALITY_RULES]


def of(duties: list[Duty], code: str) -> list[Duty]:
    return [d for d in duties if d.rule.code == code]


def one(duties: list[Duty], code: str) -> Duty:
    found = of(duties, code)
    assert len(found) == 1, [(d.rule.code, d.anchor_on, d.done_on) for d in duties]
    return found[0]


def codes(duties: list[Duty]) -> set[str]:
    return {d.rule.code for d in duties}


def todo_codes(todo: Any) -> dict[str, set[str]]:
    return {
        "overdue": {d.rule.code for d in todo.overdue} & QUALITY_RULES,
        "due_soon": {d.rule.code for d in todo.due_soon} & QUALITY_RULES,
        "done_late": {d.rule.code for d in todo.done_late} & QUALITY_RULES,
    }


# --- Lex Sarah ----------------------------------------------------------------------------------------


def test_a_new_report_is_registered_the_day_after(org: Organisation, staffer: Any) -> None:
    astrid = f.client_in_team(org.provider, org.team)
    report = f.report_lex_sarah(org.provider, actor=staffer, client=astrid)  # reported 2026-02-03 14:00
    duties = quality_duties([org.provider.pk])
    assert codes(duties) == {Rule.LEX_SARAH_REGISTRATION}
    duty = one(duties, Rule.LEX_SARAH_REGISTRATION)
    assert (duty.rule.amount, duty.rule.unit) == (1, "days")
    assert (duty.anchor_on, duty.due_on, duty.done_on) == (D(2026, 2, 3), D(2026, 2, 4), None)
    assert (duty.unit_id, duty.client_id, duty.client_name) == (org.provider.pk, astrid.pk, astrid.full_name)
    assert duty.url == reverse("quality:lex_sarah_detail", args=[report.pk])
    assert duty.state(D(2026, 2, 4)) is DutyState.DUE_SOON
    assert duty.state(D(2026, 2, 5)) is DutyState.OVERDUE


def test_remedy_and_investigation_follow_the_registration(org: Organisation) -> None:
    report = f.report_lex_sarah(org.provider)
    f.lex_sarah_step(report, "registered", moment=f.at(2026, 2, 5, 9))  # two days after the report: late
    duties = quality_duties([org.provider.pk])
    assert codes(duties) == {Rule.LEX_SARAH_REGISTRATION, Rule.LEX_SARAH_REMEDY, Rule.LEX_SARAH_INVESTIGATION}
    registration = one(duties, Rule.LEX_SARAH_REGISTRATION)
    assert registration.done_on == D(2026, 2, 5)
    assert registration.state(D(2026, 3, 1)) is DutyState.DONE_LATE
    remedy = one(duties, Rule.LEX_SARAH_REMEDY)
    assert (remedy.anchor_on, remedy.due_on, remedy.done_on) == (D(2026, 2, 5), D(2026, 2, 6), None)
    investigation = one(duties, Rule.LEX_SARAH_INVESTIGATION)
    assert (investigation.anchor_on, investigation.due_on) == (D(2026, 2, 5), D(2026, 2, 19))  # 2 weeks

    report = f.lex_sarah_step(report, "remedied", moment=f.at(2026, 2, 5, 10))
    f.lex_sarah_step(report, "investigated", moment=f.at(2026, 2, 12, 15))
    duties = quality_duties([org.provider.pk])
    assert one(duties, Rule.LEX_SARAH_REMEDY).state(D(2026, 3, 1)) is DutyState.DONE
    assert one(duties, Rule.LEX_SARAH_INVESTIGATION).done_on == D(2026, 2, 12)
    assert Rule.LEX_SARAH_IVO not in codes(duties)


def test_ivo_only_after_a_serious_assessment(org: Organisation) -> None:
    serious = f.lex_sarah_until(f.report_lex_sarah(org.provider), "investigated")
    assert Rule.LEX_SARAH_IVO not in codes(quality_duties([org.provider.pk]))
    serious = f.lex_sarah_step(serious, "assessed", moment=f.at(2026, 2, 16, 10))
    ivo = one(quality_duties([org.provider.pk]), Rule.LEX_SARAH_IVO)
    assert (ivo.anchor_on, ivo.due_on, ivo.done_on) == (D(2026, 2, 16), D(2026, 2, 23), None)
    f.lex_sarah_step(serious, "notified", ivo_notified_on=D(2026, 2, 24))
    ivo = one(quality_duties([org.provider.pk]), Rule.LEX_SARAH_IVO)
    assert ivo.done_on == D(2026, 2, 24)
    assert ivo.state(D(2026, 3, 1)) is DutyState.DONE_LATE


def test_no_ivo_duty_for_a_report_assessed_not_serious(org: Organisation) -> None:
    f.lex_sarah_until(f.report_lex_sarah(org.provider), "assessed", serious=False)
    assert Rule.LEX_SARAH_IVO not in codes(quality_duties([org.provider.pk]))


def test_a_closed_report_owes_nothing(org: Organisation, manager: Any) -> None:
    report = f.lex_sarah_until(f.report_lex_sarah(org.provider), "closed")  # closed 2026-02-25
    duties = quality_duties([org.provider.pk])
    assert codes(duties) == {
        Rule.LEX_SARAH_REGISTRATION,
        Rule.LEX_SARAH_REMEDY,
        Rule.LEX_SARAH_INVESTIGATION,
        Rule.LEX_SARAH_IVO,
    }
    assert all(d.done_on is not None for d in duties)
    assert quality_duties([org.provider.pk], done_since=D(2026, 3, 1)) == []
    todo = todo_for(manager, today=D(2026, 3, 2), unit_id=org.provider.pk)
    assert todo_codes(todo)["overdue"] == set()
    assert report.closed_at is not None


def test_lex_sarah_in_att_gora(org: Organisation, manager: Any) -> None:
    f.report_lex_sarah(org.provider)
    todo = todo_for(manager, today=D(2026, 2, 10), unit_id=org.provider.pk)
    assert Rule.LEX_SARAH_REGISTRATION in todo_codes(todo)["overdue"]
    todo = todo_for(manager, today=D(2026, 2, 4), unit_id=org.provider.pk)
    assert Rule.LEX_SARAH_REGISTRATION in todo_codes(todo)["due_soon"]


# --- Deviations --------------------------------------------------------------------------------------


def test_a_deviation_is_handled_within_a_month(org: Organisation, staffer: Any) -> None:
    deviation = f.report_deviation(org.provider, actor=staffer)  # reported 2026-02-03
    duty = one(quality_duties([org.provider.pk]), Rule.DEVIATION_HANDLING)
    assert (duty.anchor_on, duty.due_on, duty.done_on) == (D(2026, 2, 3), D(2026, 3, 3), None)
    assert duty.url == reverse("quality:deviation_detail", args=[deviation.pk])
    assert duty.state(D(2026, 2, 20)) is DutyState.OPEN
    assert duty.state(D(2026, 2, 25)) is DutyState.DUE_SOON
    f.classify_deviation(deviation)
    closed = services.deviation_close(actor=f.quality_manager(org.provider), deviation=deviation, expected_version=2)
    duty = one(quality_duties([org.provider.pk]), Rule.DEVIATION_HANDLING)
    assert duty.done_on == closed.closed_at.astimezone(STOCKHOLM).date()  # type: ignore[union-attr]


def test_deviation_actions_are_due_on_their_date(org: Organisation, manager: Any, staffer: Any) -> None:
    deviation = f.report_deviation(org.provider)
    action = services.deviation_action_add(
        actor=manager, deviation=deviation, description="Utbilda personalen.", owner=staffer, due_on=D(2026, 9, 1)
    )
    duty = one(quality_duties([org.provider.pk]), Rule.DEVIATION_ACTION)
    assert (duty.anchor_on, duty.due_on, duty.done_on, duty.responsible_id) == (
        D(2026, 9, 1),
        D(2026, 9, 1),
        None,
        staffer.pk,
    )
    assert duty.subject == "Åtgärd: Utbilda personalen."
    services.deviation_action_done(actor=staffer, action=action, done_on=D(2026, 9, 10))
    today = D(2026, 11, 23)
    assert today - D(2026, 9, 10) < datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)
    todo = todo_for(manager, today=today, unit_id=org.provider.pk)
    late = [d for d in todo.done_late if d.rule.code == Rule.DEVIATION_ACTION]
    assert [(d.due_on, d.done_on, d.days_late(today)) for d in late] == [(D(2026, 9, 1), D(2026, 9, 10), 9)]
    # Outside the window it is no longer shown.
    todo = todo_for(
        manager, today=D(2026, 9, 10) + datetime.timedelta(days=DONE_LATE_WINDOW_DAYS + 1), unit_id=org.provider.pk
    )
    assert Rule.DEVIATION_ACTION not in todo_codes(todo)["done_late"]
    # "Mine": the owner's own duties.
    mine = duties_for([org.provider.pk], today=today, done_since=FAR_PAST, responsible_id=staffer.pk)
    assert {d.rule.code for d in mine} == {Rule.DEVIATION_ACTION}


# --- Feedback ----------------------------------------------------------------------------------------


def test_feedback_is_answered_within_two_weeks(org: Organisation) -> None:
    complaint = f.register_feedback(org.provider, received_on=D(2026, 2, 2))
    duty = one(quality_duties([org.provider.pk]), Rule.FEEDBACK_ANSWER)
    assert (duty.anchor_on, duty.due_on, duty.done_on) == (D(2026, 2, 2), D(2026, 2, 16), None)
    assert duty.url == reverse("quality:feedback_detail", args=[complaint.pk])
    f.answer_feedback(complaint, day=D(2026, 2, 9))
    duty = one(quality_duties([org.provider.pk]), Rule.FEEDBACK_ANSWER)
    assert duty.done_on == D(2026, 2, 9)
    assert duty.state(D(2026, 3, 1)) is DutyState.DONE
    assert quality_duties([org.provider.pk], done_since=D(2026, 2, 10)) == []


def test_no_answer_is_owed_for_praise_or_anonymous_feedback(org: Organisation) -> None:
    f.register_feedback(org.provider, kind=Feedback.Kind.PRAISE)
    f.register_feedback(org.provider, source=Feedback.Source.ANONYMOUS, sender_name="")
    assert of(quality_duties([org.provider.pk]), Rule.FEEDBACK_ANSWER) == []


# --- Personal data incidents: 72 elapsed hours ----------------------------------------------------------


@pytest.mark.parametrize(
    ("discovered", "due"),
    [
        (f.at(2026, 3, 27, 12), f.at(2026, 3, 30, 13)),  # summer time begins 29 March: 72 h is 13:00
        (f.at(2026, 10, 23, 12), f.at(2026, 10, 26, 11)),  # winter time begins 25 October: 72 h is 11:00
        (f.at(2026, 2, 3, 23, 30), f.at(2026, 2, 6, 23, 30)),  # no change: the same wall-clock time
    ],
)
def test_the_imy_decision_is_due_72_elapsed_hours_after_discovery(
    org: Organisation, discovered: datetime.datetime, due: datetime.datetime
) -> None:
    f.register_incident(org.provider, happened_at=discovered - datetime.timedelta(hours=1), discovered_at=discovered)
    duty = one(quality_duties([org.provider.pk]), Rule.INCIDENT_IMY)
    assert (duty.rule.amount, duty.rule.unit) == (72, "hours")
    assert duty.due_at == due
    assert duty.due_at is not None
    utc = datetime.UTC
    assert duty.due_at.astimezone(utc) - discovered.astimezone(utc) == datetime.timedelta(hours=72)  # elapsed
    assert duty.due_at.astimezone(utc) == due.astimezone(utc)
    assert duty.due_at.utcoffset() == due.utcoffset()  # shown in Stockholm time
    assert (duty.due_at.hour, duty.due_at.minute) == (due.hour, due.minute)
    assert duty.due_on == due.date()
    assert duty.anchor_on == discovered.date()


def test_an_imy_decision_fulfils_the_duty(org: Organisation, manager: Any) -> None:
    incident = f.register_incident(
        org.provider, happened_at=f.at(2026, 10, 23, 8), discovered_at=f.at(2026, 10, 23, 12)
    )
    duty = one(quality_duties([org.provider.pk]), Rule.INCIDENT_IMY)
    assert duty.url == reverse("quality:incident_detail", args=[incident.pk])
    assert duty.state(D(2026, 10, 27)) is DutyState.OVERDUE
    services.incident_decide_imy(
        actor=manager,
        incident=incident,
        expected_version=1,
        decision=DataIncident.ImyDecision.NOTIFY,
        notified_at=f.at(2026, 10, 26, 10),
        decided_at=f.at(2026, 10, 26, 9),
    )
    duty = one(quality_duties([org.provider.pk]), Rule.INCIDENT_IMY)
    assert duty.done_on == D(2026, 10, 26)
    assert duty.state(D(2026, 11, 1)) is DutyState.DONE
    assert of(quality_duties([org.provider.pk], done_since=D(2026, 10, 27)), Rule.INCIDENT_IMY) == []


def test_incident_in_att_gora(org: Organisation, manager: Any) -> None:
    f.register_incident(org.provider, happened_at=f.at(2026, 3, 27, 11), discovered_at=f.at(2026, 3, 27, 12))
    assert Rule.INCIDENT_IMY in todo_codes(todo_for(manager, today=D(2026, 3, 28), unit_id=org.provider.pk))["due_soon"]
    assert Rule.INCIDENT_IMY in todo_codes(todo_for(manager, today=D(2026, 3, 31), unit_id=org.provider.pk))["overdue"]


# --- Another unit's events -------------------------------------------------------------------------------


def test_another_units_events_never_appear(org: Organisation, manager: Any, other_manager: Any) -> None:
    other = org.other_unit
    f.report_lex_sarah(other)
    f.report_deviation(other)
    f.register_feedback(other)
    f.register_incident(other)
    assert quality_duties([org.provider.pk]) == []
    assert codes(quality_duties([other.pk])) == {
        Rule.LEX_SARAH_REGISTRATION,
        Rule.DEVIATION_HANDLING,
        Rule.FEEDBACK_ANSWER,
        Rule.INCIDENT_IMY,
    }
    todo = todo_for(manager, today=D(2026, 3, 1), unit_id=org.provider.pk)
    assert todo_codes(todo) == {"overdue": set(), "due_soon": set(), "done_late": set()}
    everything = todo_for(manager, today=D(2026, 3, 1))
    assert all(d.unit_id != other.pk for d in everything.overdue + everything.due_soon + everything.done_late)
    with pytest.raises(PermissionDenied):
        todo_for(other_manager, today=D(2026, 3, 1), unit_id=org.provider.pk)
    overdue = todo_for(other_manager, today=D(2026, 3, 1), unit_id=other.pk).overdue
    assert {d.unit_id for d in overdue if d.rule.code in QUALITY_RULES} == {other.pk}


def test_a_routine_is_reviewed_a_year_after_its_last_review(org: Organisation, manager: Any) -> None:
    routine = f.make_routine(org.provider, manager, reviewed_on=datetime.date(2025, 2, 28))
    duty = one(quality_duties([org.provider.pk], today=datetime.date(2026, 3, 2)), Rule.ROUTINE_REVIEW)
    assert (duty.anchor_on, duty.due_on, duty.responsible_id) == (
        datetime.date(2025, 2, 28),
        datetime.date(2026, 2, 28),
        manager.pk,
    )
    assert duty.state(datetime.date(2026, 3, 2)) is DutyState.OVERDUE
    assert duty.url == reverse("quality:routine_edit", args=[routine.pk])
    services.routine_update(actor=manager, routine=routine, expected_version=1, reviewed_on=datetime.date(2026, 3, 1))
    assert one(
        quality_duties([org.provider.pk], today=datetime.date(2026, 3, 2)), Rule.ROUTINE_REVIEW
    ).due_on == datetime.date(2027, 3, 1)
    services.routine_update(actor=manager, routine=routine, expected_version=2, is_active=False)
    assert not of(quality_duties([org.provider.pk], today=datetime.date(2026, 3, 2)), Rule.ROUTINE_REVIEW)
