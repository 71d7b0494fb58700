"""The provider chain's duty sources (bista.care.duties) on the real database, data built through the
services: each rule with its anchor and due date; done in time, done late and the window; ended orders;
interruptions; plan reviews; binder reviews; narrowing by team and person; one unit never sees another's."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bista.care.duties import Rule
from bista.care.models import HomeBinder
from bista.care.selectors import DONE_LATE_WINDOW_DAYS, todo_for, todo_overview, todo_units
from bista.care.tests import factories as f
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.deadlines import Duty, DutyState, todo_list
from bista.core.duties import duties_for
from bista.core.models import DutyRule
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user

pytestmark = pytest.mark.django_db

D = datetime.date
FIRST_CONTACT, EXECUTED, INTERRUPTED, RESUMED, ENDED = (
    "first_contact",
    "executed",
    "interrupted",
    "resumed",
    "ended",
)
FAR_PAST = D(2000, 1, 1)


def all_duties(
    unit_ids: list[int], today: datetime.date, done_since: datetime.date = FAR_PAST, **kw: Any
) -> list[Duty]:
    return duties_for(unit_ids, today=today, done_since=done_since, **kw)


def of(duties: list[Duty], code: str, client: Client | None = None) -> list[Duty]:
    return [d for d in duties if d.rule.code == code and (client is None or d.client_id == client.pk)]


def one(duties: list[Duty], code: str, client: Client | None = None) -> Duty:
    found = of(duties, code, client)
    assert len(found) == 1, [(d.rule.code, d.anchor_on, d.done_on) for d in duties]
    return found[0]


@pytest.fixture
def deputy(org: Organisation) -> Any:
    return make_user("bitr", RoleCode.DEPUTY_MANAGER, org.provider)


# --- Orders -------------------------------------------------------------------------------------------


def test_a_new_order_owes_first_contact_plan_and_execution(org: Organisation, astrid: Client, deputy: Any) -> None:
    order = f.make_order(astrid, org.provider, deputy=deputy, team=org.other_team)
    duties = all_duties([org.provider.pk], today=D(2024, 1, 20))
    assert {d.rule.code for d in duties} == {Rule.FIRST_CONTACT, Rule.PLAN, Rule.EXECUTION}

    first = one(duties, Rule.FIRST_CONTACT)
    assert (first.anchor_on, first.due_on, first.done_on) == (f.RECEIVED, D(2024, 1, 29), None)  # 2 weeks
    plan = one(duties, Rule.PLAN)
    assert (plan.anchor_on, plan.due_on) == (f.RECEIVED, D(2024, 1, 29))  # 14 days
    execution = one(duties, Rule.EXECUTION)
    assert (execution.anchor_on, execution.due_on) == (f.DECIDED, D(2024, 4, 10))  # 3 months from the decision

    for duty in duties:
        assert duty.unit_id == org.provider.pk
        assert duty.client_id == astrid.pk
        assert duty.client_name == astrid.full_name
        assert duty.responsible_id == deputy.pk
        assert duty.team_ids == tuple(sorted([org.team.pk, org.other_team.pk]))  # client's teams and the order's
        assert duty.url == reverse("care:order_detail", args=[order.pk])
    assert first.subject == "Första kontakt: Ledsagarservice"
    assert first.state(D(2024, 1, 20)) is DutyState.OPEN
    assert first.state(D(2024, 1, 22)) is DutyState.DUE_SOON
    assert first.state(D(2024, 1, 30)) is DutyState.OVERDUE


def test_the_plan_is_counted_from_the_first_contact(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, FIRST_CONTACT, D(2024, 1, 25))
    duties = all_duties([org.provider.pk], today=D(2024, 1, 26))
    plan = one(duties, Rule.PLAN)
    assert (plan.anchor_on, plan.due_on) == (D(2024, 1, 25), D(2024, 2, 8))
    first = one(duties, Rule.FIRST_CONTACT)
    assert first.done_on == D(2024, 1, 25)
    assert first.state(D(2024, 1, 26)) is DutyState.DONE


def test_done_in_time_leaves_att_gora(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, FIRST_CONTACT, D(2024, 1, 29))  # on the due date: in time
    todo = todo_for(manager, today=D(2024, 2, 1), unit_id=org.provider.pk)
    codes = {d.rule.code for d in todo.overdue + todo.due_soon + todo.done_late}
    assert Rule.FIRST_CONTACT not in codes
    # the plan is anchored at the first contact (29 Jan + 14 days = 12 Feb): not yet in the warning window
    assert todo.overdue == [] and todo.due_soon == [] and todo.done_late == []
    soon = todo_for(manager, today=D(2024, 2, 5), unit_id=org.provider.pk)
    assert [(d.rule.code, d.due_on) for d in soon.due_soon] == [(Rule.PLAN, D(2024, 2, 12))]


def test_done_late_shows_only_within_the_window(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    done = D(2024, 2, 5)  # due 29 January
    f.step(order, FIRST_CONTACT, done)
    window_end = done + datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)

    todo = todo_for(manager, today=D(2024, 2, 6), unit_id=org.provider.pk)
    (late,) = of(todo.done_late, Rule.FIRST_CONTACT)
    assert late.state(D(2024, 2, 6)) is DutyState.DONE_LATE
    assert late.days_late(D(2024, 2, 6)) == 7
    assert of(todo_for(manager, today=window_end, unit_id=org.provider.pk).done_late, Rule.FIRST_CONTACT)
    after = todo_for(manager, today=window_end + datetime.timedelta(days=1), unit_id=org.provider.pk)
    assert not of(after.done_late, Rule.FIRST_CONTACT)
    assert not of(after.overdue + after.due_soon, Rule.FIRST_CONTACT)


def test_a_step_done_before_done_since_is_not_returned(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, FIRST_CONTACT, D(2024, 2, 5))
    assert not of(all_duties([org.provider.pk], D(2024, 6, 1), done_since=D(2024, 2, 6)), Rule.FIRST_CONTACT)
    assert of(all_duties([org.provider.pk], D(2024, 6, 1), done_since=D(2024, 2, 5)), Rule.FIRST_CONTACT)


def test_executed_duty(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, EXECUTED, D(2024, 4, 11))  # due 10 April: one day late
    duty = one(all_duties([org.provider.pk], D(2024, 5, 1)), Rule.EXECUTION)
    assert duty.done_on == D(2024, 4, 11)
    assert duty.state(D(2024, 5, 1)) is DutyState.DONE_LATE
    todo = todo_for(manager, today=D(2024, 5, 1), unit_id=org.provider.pk)
    assert of(todo.done_late, Rule.EXECUTION)


def test_an_ended_order_drops_its_unfinished_duties(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, FIRST_CONTACT, D(2024, 2, 5))  # late
    f.step(order, ENDED, D(2024, 2, 10))
    duties = all_duties([org.provider.pk], D(2024, 3, 1))
    assert [d.rule.code for d in duties] == [Rule.FIRST_CONTACT]  # only what was done
    todo = todo_for(manager, today=D(2024, 3, 1), unit_id=org.provider.pk)
    assert todo.overdue == [] and todo.due_soon == []
    assert [d.rule.code for d in todo.done_late] == [Rule.FIRST_CONTACT]


def test_an_order_ended_before_anything_was_done_leaves_nothing(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, ENDED, D(2024, 1, 16))
    assert all_duties([org.provider.pk], D(2024, 12, 1)) == []


def test_interruption_owes_resumption(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, EXECUTED, D(2024, 2, 1))
    f.step(order, INTERRUPTED, D(2024, 3, 31))
    duty = one(all_duties([org.provider.pk], D(2024, 6, 1)), Rule.RESUMPTION)
    assert (duty.anchor_on, duty.due_on, duty.done_on) == (D(2024, 3, 31), D(2024, 6, 30), None)  # 3 months
    assert duty.subject == "Återuppta efter avbrott: Ledsagarservice"
    assert duty.state(D(2024, 6, 20)) is DutyState.DUE_SOON  # within the 14-day warning
    assert duty.state(D(2024, 7, 1)) is DutyState.OVERDUE
    assert of(todo_for(manager, today=D(2024, 7, 1), unit_id=org.provider.pk).overdue, Rule.RESUMPTION)

    f.step(order, RESUMED, D(2024, 7, 2))
    f.step(order, INTERRUPTED, D(2024, 8, 1))
    duties = of(all_duties([org.provider.pk], D(2024, 8, 2)), Rule.RESUMPTION)
    assert sorted((d.anchor_on, d.done_on) for d in duties) == [
        (D(2024, 3, 31), D(2024, 7, 2)),
        (D(2024, 8, 1), None),
    ]
    todo = todo_for(manager, today=D(2024, 8, 2), unit_id=org.provider.pk)
    assert [d.anchor_on for d in of(todo.done_late, Rule.RESUMPTION)] == [D(2024, 3, 31)]


def test_an_interruption_ended_without_resumption_is_dropped(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.step(order, EXECUTED, D(2024, 2, 1))
    f.step(order, INTERRUPTED, D(2024, 3, 1))
    f.step(order, ENDED, D(2024, 4, 1))
    assert of(all_duties([org.provider.pk], D(2024, 8, 1)), Rule.RESUMPTION) == []


# --- Plans --------------------------------------------------------------------------------------------


def test_plan_established_fulfils_the_plan_duty(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.signed_plan(order, D(2024, 1, 26))
    duty = one(all_duties([org.provider.pk], D(2024, 2, 1)), Rule.PLAN)
    assert duty.done_on == D(2024, 1, 26)
    assert duty.state(D(2024, 2, 1)) is DutyState.DONE


def test_plan_review_twelve_months_after_signing(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    plan = f.signed_plan(order, D(2024, 2, 29))
    review = one(all_duties([org.provider.pk], D(2024, 3, 1)), Rule.PLAN_REVIEW)
    assert (review.anchor_on, review.due_on, review.done_on) == (D(2024, 2, 29), D(2025, 2, 28), None)
    assert review.url == reverse("care:plan_detail", args=[plan.pk])
    assert review.subject == "Uppföljning av genomförandeplan: Ledsagarservice"
    assert review.state(D(2025, 1, 29)) is DutyState.DUE_SOON  # 30-day warning
    assert review.state(D(2025, 1, 28)) is DutyState.OPEN

    new = f.review(plan, D(2025, 3, 3), goals="Nya mål efter uppföljningen.")
    duties = of(all_duties([org.provider.pk], D(2025, 3, 4)), Rule.PLAN_REVIEW)
    assert sorted((d.anchor_on, d.done_on) for d in duties) == [
        (D(2024, 2, 29), D(2025, 3, 3)),  # fulfilled by the next signed version, late
        (D(2025, 3, 3), None),  # and the new version is due in its turn
    ]
    assert {d.url for d in duties} == {reverse("care:plan_detail", args=[new.pk])}
    todo = todo_for(manager, today=D(2025, 3, 4), unit_id=org.provider.pk)
    assert [d.anchor_on for d in of(todo.done_late, Rule.PLAN_REVIEW)] == [D(2024, 2, 29)]
    assert of(todo.overdue, Rule.PLAN_REVIEW) == []


def test_a_review_in_time_is_done(org: Organisation, astrid: Client, manager: Any) -> None:
    order = f.make_order(astrid, org.provider)
    plan = f.signed_plan(order, D(2024, 2, 1))
    f.review(plan, D(2025, 1, 15))
    todo = todo_for(manager, today=D(2025, 1, 20), unit_id=org.provider.pk)
    assert of(todo.overdue + todo.due_soon + todo.done_late, Rule.PLAN_REVIEW) == []
    old = [d for d in of(all_duties([org.provider.pk], D(2025, 1, 20)), Rule.PLAN_REVIEW) if d.done_on]
    assert [d.state(D(2025, 1, 20)) for d in old] == [DutyState.DONE]


def test_a_draft_review_does_not_fulfil(org: Organisation, astrid: Client) -> None:
    from bista.care import services

    order = f.make_order(astrid, org.provider)
    plan = f.signed_plan(order, D(2024, 2, 1))
    services.plan_start_review(actor=SYSTEM, plan=plan)
    review = one(all_duties([org.provider.pk], D(2025, 3, 1)), Rule.PLAN_REVIEW)
    assert review.done_on is None
    assert review.state(D(2025, 3, 1)) is DutyState.OVERDUE


def test_no_plan_review_after_the_order_ended(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.signed_plan(order, D(2024, 2, 1))
    f.step(order, ENDED, D(2024, 6, 1))
    assert of(all_duties([org.provider.pk], D(2025, 6, 1)), Rule.PLAN_REVIEW) == []


# --- Binders ------------------------------------------------------------------------------------------


def test_binder_review_twelve_months_after_the_last_review(org: Organisation, astrid: Client, deputy: Any) -> None:
    f.make_order(astrid, org.provider)  # received, not yet executed: the unit serves the client
    f.save_binder(astrid, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 3, 31), responsible=deputy)
    duty = one(all_duties([org.provider.pk], D(2024, 4, 1)), Rule.BINDER_REVIEW[HomeBinder.Kind.RISK_ASSESSMENT])
    assert (duty.anchor_on, duty.due_on, duty.done_on) == (D(2024, 3, 31), D(2025, 3, 31), None)
    assert duty.responsible_id == deputy.pk
    assert duty.team_ids == (org.team.pk,)
    assert duty.subject == "Risk- och konsekvensanalys: genomgång"
    assert duty.url == reverse("care:binder", args=[astrid.pk, HomeBinder.Kind.RISK_ASSESSMENT])
    # no order is executed yet, so no other binder is owed
    binder_codes = set(Rule.BINDER_REVIEW.values())
    assert {d.rule.code for d in all_duties([org.provider.pk], D(2024, 4, 1))} & binder_codes == {
        "care.risk_assessment"
    }


def test_no_review_is_owed_once_every_order_has_ended(org: Organisation, astrid: Client) -> None:
    order = f.make_order(astrid, org.provider)
    f.save_binder(astrid, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 3, 31))
    assert of(all_duties([org.provider.pk], D(2025, 6, 1)), Rule.BINDER_REVIEW[HomeBinder.Kind.RISK_ASSESSMENT])
    f.step(order, "ended", D(2024, 6, 1))
    assert not of(all_duties([org.provider.pk], D(2025, 6, 1)), Rule.BINDER_REVIEW[HomeBinder.Kind.RISK_ASSESSMENT])


def test_a_new_review_date_fulfils_a_mere_edit_does_not(org: Organisation, astrid: Client, manager: Any) -> None:
    code = Rule.BINDER_REVIEW[HomeBinder.Kind.CRISIS_BINDER]
    f.make_order(astrid, org.provider)
    first = f.save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2024, 1, 10))
    edited = f.save_binder(
        astrid, HomeBinder.Kind.CRISIS_BINDER, D(2024, 1, 10), expected_number=first.number, notes="Nytt nummer"
    )
    duties = of(all_duties([org.provider.pk], D(2024, 6, 1)), code)
    assert [(d.anchor_on, d.done_on) for d in duties] == [(D(2024, 1, 10), None)]

    f.save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2025, 2, 1), expected_number=edited.number)
    duties = of(all_duties([org.provider.pk], D(2025, 2, 2)), code)
    assert sorted((d.anchor_on, d.done_on) for d in duties) == [
        (D(2024, 1, 10), D(2025, 2, 1)),  # due 10 January 2025: done late
        (D(2025, 2, 1), None),
    ]
    todo = todo_for(manager, today=D(2025, 2, 2), unit_id=org.provider.pk)
    assert [d.anchor_on for d in of(todo.done_late, code)] == [D(2024, 1, 10)]
    assert of(todo.overdue, code) == []


def test_a_running_order_without_binders_owes_them(org: Organisation, astrid: Client, deputy: Any) -> None:
    order = f.make_order(astrid, org.provider, deputy=deputy)
    assert not [d for d in all_duties([org.provider.pk], D(2024, 6, 1)) if d.rule.code in Rule.BINDER_REVIEW.values()]
    f.step(order, EXECUTED, D(2024, 2, 1))
    duties = [d for d in all_duties([org.provider.pk], D(2024, 6, 1)) if d.rule.code in Rule.BINDER_REVIEW.values()]
    assert sorted(d.rule.code for d in duties) == sorted(Rule.BINDER_REVIEW.values())
    for duty in duties:
        assert (duty.anchor_on, duty.due_on, duty.done_on) == (D(2024, 2, 1), D(2025, 2, 1), None)
        assert duty.subject.endswith(": upprätta")
        assert duty.responsible_id == deputy.pk  # the order's deputy when no one is named
    # once made, the binder's own review replaces the duty to make it
    f.save_binder(astrid, HomeBinder.Kind.ROUTINE_BINDER, D(2024, 5, 1))
    routine = one(all_duties([org.provider.pk], D(2024, 6, 1)), Rule.BINDER_REVIEW[HomeBinder.Kind.ROUTINE_BINDER])
    assert (routine.anchor_on, routine.subject) == (D(2024, 5, 1), "Rutinpärm: genomgång")


def test_an_inactive_client_owes_no_binder_review(org: Organisation, astrid: Client) -> None:
    from bista.clients import services as client_services

    f.save_binder(astrid, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 3, 1))
    client_services.client_update(actor=SYSTEM, client=astrid, expected_version=None, is_active=False)
    assert all_duties([org.provider.pk], D(2025, 6, 1)) == []


# --- Rule versions ---------------------------------------------------------------------------------------


def test_a_changed_rule_governs_duties_anchored_from_its_date(org: Organisation, astrid: Client) -> None:
    """Reference data change: first contact within one week for orders received from 1 July 2025."""
    old = DutyRule.objects.get(code=Rule.FIRST_CONTACT)
    old.valid_to = D(2025, 7, 1)
    old.save()
    DutyRule.objects.create(
        code=Rule.FIRST_CONTACT, name="Första kontakt", amount=1, unit="weeks", warn_days=3, valid_from=D(2025, 7, 1)
    )
    before = f.make_order(astrid, org.provider, decision_date=D(2025, 6, 30), received_on=D(2025, 6, 30))
    after = f.make_order(astrid, org.provider, decision_date=D(2025, 7, 1), received_on=D(2025, 7, 1))
    duties = of(all_duties([org.provider.pk], D(2025, 7, 2)), Rule.FIRST_CONTACT)
    due = {d.url: (d.due_on, d.rule.warn_days) for d in duties}
    assert due[reverse("care:order_detail", args=[before.pk])] == (D(2025, 7, 14), 7)
    assert due[reverse("care:order_detail", args=[after.pk])] == (D(2025, 7, 8), 3)


def test_a_duty_without_a_rule_in_force_is_skipped(org: Organisation, astrid: Client) -> None:
    DutyRule.objects.filter(code=Rule.EXECUTION).update(valid_from=D(2024, 6, 1))
    f.make_order(astrid, org.provider)  # decided 10 January 2024, before the rule existed
    assert of(all_duties([org.provider.pk], D(2024, 2, 1)), Rule.EXECUTION) == []


# --- Narrowing and units ----------------------------------------------------------------------------------


def test_narrowing_by_team_and_responsible(
    org: Organisation, astrid: Client, bertil: Client, deputy: Any, manager: Any
) -> None:
    f.make_order(astrid, org.provider, deputy=deputy)
    f.make_order(bertil, org.provider, deputy=manager)
    unit = [org.provider.pk]
    today = D(2024, 1, 20)
    assert {d.client_id for d in all_duties(unit, today)} == {astrid.pk, bertil.pk}
    assert {d.client_id for d in all_duties(unit, today, team_id=org.team.pk)} == {astrid.pk}
    assert {d.client_id for d in all_duties(unit, today, team_id=org.other_team.pk)} == {bertil.pk}
    assert {d.client_id for d in all_duties(unit, today, responsible_id=deputy.pk)} == {astrid.pk}
    assert all_duties(unit, today, team_id=org.team.pk, responsible_id=manager.pk) == []

    mine = todo_for(deputy, today=D(2024, 2, 1), mine=True)
    assert {d.client_id for d in mine.overdue} == {astrid.pk}
    team = todo_for(manager, today=D(2024, 2, 1), team_id=org.other_team.pk)
    assert {d.client_id for d in team.overdue} == {bertil.pk}


def test_an_order_team_counts_for_team_narrowing(org: Organisation, deputy: Any) -> None:
    teamless = f.make_client(org.provider, first_name="Utan", last_name="Grupp")
    f.make_order(teamless, org.provider, team=org.team)
    assert {d.client_id for d in all_duties([org.provider.pk], D(2024, 1, 20), team_id=org.team.pk)} == {teamless.pk}
    assert all_duties([org.provider.pk], D(2024, 1, 20), team_id=org.other_team.pk) == []


def test_a_units_duties_never_include_another_units(
    org: Organisation, astrid: Client, cecilia: Client, manager: Any, other_manager: Any
) -> None:
    f.make_order(astrid, org.provider)
    theirs = f.make_order(cecilia, org.other_unit)
    f.step(theirs, EXECUTED, D(2024, 2, 1))
    f.signed_plan(theirs, D(2024, 2, 1))
    f.save_binder(cecilia, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 2, 1))
    ours = all_duties([org.provider.pk], D(2025, 6, 1))
    assert ours and {d.unit_id for d in ours} == {org.provider.pk}
    assert {d.client_id for d in ours} == {astrid.pk}
    theirs_duties = all_duties([org.other_unit.pk], D(2025, 6, 1))
    assert {d.client_id for d in theirs_duties} == {cecilia.pk}
    assert all_duties([], D(2025, 6, 1)) == []

    todo = todo_for(manager, today=D(2025, 6, 1))
    listed = todo.overdue + todo.due_soon + todo.done_late
    assert listed and {d.client_id for d in listed} == {astrid.pk}
    with pytest.raises(PermissionDenied):
        todo_for(other_manager, today=D(2025, 6, 1), unit_id=org.provider.pk)
    with pytest.raises(PermissionDenied):
        todo_for(other_manager, today=D(2025, 6, 1), team_id=org.team.pk)
    other = todo_for(other_manager, today=D(2025, 6, 1))
    assert {d.client_id for d in other.overdue + other.due_soon + other.done_late} == {cecilia.pk}


def test_nobody_sees_no_duties(org: Organisation, astrid: Client, nobody: Any) -> None:
    f.make_order(astrid, org.provider)
    todo = todo_for(nobody, today=D(2024, 6, 1))
    assert todo.counts == {"overdue": 0, "due_soon": 0, "done_late": 0}
    with pytest.raises(PermissionDenied):
        todo_for(nobody, today=D(2024, 6, 1), unit_id=org.provider.pk)


def test_an_assistant_sees_their_teams_list_not_the_units(
    org: Organisation, astrid: Client, bertil: Client, staffer: Any
) -> None:
    f.make_order(astrid, org.provider)
    f.make_order(bertil, org.provider)
    team = todo_for(staffer, today=D(2024, 6, 1), team_id=org.team.pk)
    assert {d.client_id for d in team.overdue} == {astrid.pk}
    with pytest.raises(PermissionDenied):
        todo_for(staffer, today=D(2024, 6, 1), team_id=org.other_team.pk)
    with pytest.raises(PermissionDenied):
        todo_for(staffer, today=D(2024, 6, 1), unit_id=org.provider.pk)


# Regression test for a bug this suite found (now fixed): todo_for without unit/team uses every unit where the actor
# sees any client (client.view_team included), so an assistant gets duties (client names) of clients outside their
# teams.
def test_an_assistants_default_list_shows_only_their_teams_clients(
    org: Organisation, astrid: Client, bertil: Client, staffer: Any
) -> None:
    f.make_order(astrid, org.provider)
    f.make_order(bertil, org.provider)  # Bertil is in Team Björk: not the assistant's business
    todo = todo_for(staffer, today=D(2024, 6, 1))
    assert {d.client_id for d in todo.overdue + todo.due_soon + todo.done_late} == {astrid.pk}


# --- Query budget -------------------------------------------------------------------------------------------


def _busy_client(org: Organisation, n: int) -> None:
    client = f.make_client(org.provider, first_name=f"Klient{n}", teams=[org.team])
    order = f.make_order(client, org.provider)
    f.step(order, FIRST_CONTACT, D(2024, 1, 20))
    f.step(order, EXECUTED, D(2024, 2, 1))
    f.step(order, INTERRUPTED, D(2024, 3, 1))
    plan = f.signed_plan(order, D(2024, 2, 1))
    f.review(plan, D(2024, 5, 1))
    f.save_binder(client, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 2, 1))


def test_duty_queries_do_not_grow_with_the_number_of_clients(org: Organisation, django_assert_num_queries: Any) -> None:
    _busy_client(org, 1)
    # care: rules; orders, client teams (read once), interruptions; plans; current binders, recent reviews,
    # served orders, client names — plus one query per source of the other contexts (quality: Lex Sarah,
    # deviations, deviation actions, feedback, incidents, routines; staff: delegations, appraisals; casework:
    # intakes, decisions, appeals)
    budget = 9 + 6 + 2 + 3
    with django_assert_num_queries(budget):
        few = all_duties([org.provider.pk], D(2024, 6, 1))
    for n in range(2, 6):
        _busy_client(org, n)
    with django_assert_num_queries(budget):
        many = all_duties([org.provider.pk], D(2024, 6, 1))
    assert len(many) == 5 * len(few)


def test_att_gora_reads_only_candidates_and_misses_nothing(org: Organisation) -> None:
    """ "Att göra" reads only rows that can be due soon, late or done late (`todo_only`); on every day from before
    the first record to well after the last, its lists equal those sorted from every duty."""
    for n in range(3):
        _busy_client(org, n)
    waiting = f.make_client(org.provider, first_name="Väntande", teams=[org.team])
    f.make_order(waiting, org.provider, received_on=D(2024, 1, 12))
    reviewed = f.make_client(org.provider, first_name="Granskad", teams=[org.other_team])
    binder = f.save_binder(reviewed, HomeBinder.Kind.CRISIS_BINDER, D(2023, 12, 20))
    f.save_binder(reviewed, HomeBinder.Kind.CRISIS_BINDER, D(2025, 3, 1), expected_number=binder.number)
    f.make_order(reviewed, org.provider)

    def lists(today: datetime.date, todo_only: bool) -> dict[str, list[tuple[str, datetime.date, int | None]]]:
        since = today - datetime.timedelta(days=90)
        duties = duties_for([org.provider.pk], today=today, done_since=since, todo_only=todo_only)
        todo = todo_list(duties, today, since)
        return {
            name: sorted((d.rule.code, d.anchor_on, d.client_id) for d in getattr(todo, name))
            for name in ("overdue", "due_soon", "done_late")
        }

    day = D(2023, 12, 1)
    while day < D(2026, 6, 1):
        assert lists(day, todo_only=True) == lists(day, todo_only=False), day
        day += datetime.timedelta(days=9)


def test_a_persons_own_duties_are_the_same_whether_the_sources_may_narrow_or_not(
    org: Organisation, manager: Any, deputy: Any, staffer: Any, nobody: Any
) -> None:
    """`duties_for(responsible_id=…)` lets sources leave out other people's rows (an assistant's start page);
    each person's duties are those of the whole list that are theirs, on days across the history."""
    from bista.staff.tests.support import add_delegation, hire

    for n in range(2):
        _busy_client(org, n)
    mine = f.make_client(org.provider, first_name="Deputy", teams=[org.team])
    order = f.make_order(mine, org.provider, deputy=deputy, received_on=D(2024, 1, 10))
    f.step(order, FIRST_CONTACT, D(2024, 2, 20))
    f.step(order, EXECUTED, D(2024, 3, 1))
    f.review(f.signed_plan(order, D(2024, 3, 1)), D(2025, 4, 1))
    f.save_binder(mine, HomeBinder.Kind.CRISIS_BINDER, D(2024, 3, 5), responsible=staffer)
    f.save_binder(mine, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 3, 5))
    add_delegation(hire(org.provider, "Eva", "Berg", start=D(2023, 1, 1)), D(2024, 1, 1), D(2024, 12, 31))
    people = [manager.pk, deputy.pk, staffer.pk, nobody.pk]
    found: set[int | None] = set()
    day = D(2024, 1, 1)
    while day < D(2026, 1, 1):
        since = day - datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)
        for todo_only in (True, False):
            every = duties_for([org.provider.pk], today=day, done_since=since, todo_only=todo_only)
            for person in people:
                narrowed = duties_for(
                    [org.provider.pk], today=day, done_since=since, todo_only=todo_only, responsible_id=person
                )
                assert sorted(map(repr, narrowed)) == sorted(repr(d) for d in every if d.responsible_id == person)
                found.update(d.responsible_id for d in narrowed)
        day += datetime.timedelta(days=31)
    assert found == {manager.pk, deputy.pk, staffer.pk}  # each had duties of their own on some day


# --- The start page's overview: one computation, the same lists ---------------------------------------------


def _keys(todo: Any) -> dict[str, list[tuple[str, int | None, datetime.date]]]:
    return {
        name: sorted((d.rule.code, d.client_id, d.anchor_on) for d in getattr(todo, name))
        for name in ("overdue", "due_soon", "done_late")
    }


@pytest.mark.parametrize("who", ["manager", "deputy", "staffer", "other_manager", "nobody"])
def test_the_overview_gives_the_same_lists_as_todo_for(
    org: Organisation, astrid: Client, bertil: Client, cecilia: Client, who: str, request: Any
) -> None:
    actor = request.getfixturevalue(who)
    deputy = request.getfixturevalue("deputy")
    f.make_order(astrid, org.provider, deputy=deputy)
    done_late = f.make_order(bertil, org.provider)
    f.step(done_late, EXECUTED, D(2024, 5, 20))
    f.make_order(cecilia, org.other_unit)
    today = D(2024, 6, 1)

    mine, per_unit = todo_overview(actor, today=today)

    assert _keys(mine) == _keys(todo_for(actor, today=today, mine=True))
    assert set(per_unit) == todo_units(actor)
    for unit_id, listed in per_unit.items():
        assert _keys(listed) == _keys(todo_for(actor, today=today, unit_id=unit_id))
    if who == "manager":  # the comparison is not vacuous: the manager's unit list has duties of both kinds
        assert _keys(per_unit[org.provider.pk])["overdue"] and _keys(per_unit[org.provider.pk])["done_late"]
    if who == "deputy":
        assert {d.client_id for d in mine.overdue} == {astrid.pk}


# --- "Kommande": a new order's deadlines show at once -------------------------------------------------------


def test_a_new_orders_deadlines_show_at_once_under_kommande(org: Organisation, astrid: Client, manager: Any) -> None:
    f.make_order(astrid, org.provider, decision_date=D(2024, 1, 10), received_on=D(2024, 1, 15))
    todo = todo_for(manager, today=D(2024, 1, 15), unit_id=org.provider.pk)
    # First contact (two weeks, warned a week ahead) is not yet due soon; neither are the plan and the execution
    # (three months from the decision): all three are under "Kommande", none is invisible.
    assert {d.rule.code for d in todo.upcoming} >= {Rule.FIRST_CONTACT, Rule.EXECUTION}
    assert todo.overdue == todo.due_soon == []
    execution = one(todo.upcoming, Rule.EXECUTION)
    assert execution.due_on == D(2024, 4, 10)
    # A week later the first contact moves to "Förfaller snart" and leaves "Kommande".
    later = todo_for(manager, today=D(2024, 1, 22), unit_id=org.provider.pk)
    assert of(later.due_soon, Rule.FIRST_CONTACT) and not of(later.upcoming, Rule.FIRST_CONTACT)


def test_kommande_looks_three_months_ahead_and_no_further(org: Organisation, astrid: Client, manager: Any) -> None:
    f.make_order(astrid, org.provider, decision_date=D(2024, 1, 10), received_on=D(2024, 1, 15))
    # The execution is due 2024-04-10: 92 days ahead of 2024-01-09, but 93 ahead of 2024-01-08.
    assert of(todo_for(manager, today=D(2024, 1, 9), unit_id=org.provider.pk).upcoming, Rule.EXECUTION)
    assert not of(todo_for(manager, today=D(2024, 1, 8), unit_id=org.provider.pk).upcoming, Rule.EXECUTION)


def test_the_page_shows_kommande_collapsed(
    org: Organisation, astrid: Client, manager: Any, no_two_factor: None
) -> None:
    from bista.core import clock
    from bista.core.tests.api_support import session_client

    f.make_order(astrid, org.provider, decision_date=clock.today(), received_on=clock.today())
    html = session_client(manager, verified=False).get(f"/att-gora/?unit={org.provider.pk}").content.decode()
    assert '<h2 id="kommande">Kommande (' in html
    assert "<details" in html and "Verkställighet" in html


def test_the_page_shows_done_late_collapsed(org: Organisation, astrid: Client, manager: Any, no_two_factor: None):
    import datetime

    from bista.care import services
    from bista.care.models import OrderEvent
    from bista.core import clock
    from bista.core.tests.api_support import session_client

    received = clock.today() - datetime.timedelta(days=30)
    order = f.make_order(astrid, org.provider, decision_date=received, received_on=received)
    services.order_record_step(actor=manager, order=order, step=OrderEvent.Kind.FIRST_CONTACT, on=clock.today())
    html = session_client(manager, verified=False).get(f"/att-gora/?unit={org.provider.pk}").content.decode()
    done_late = html[html.index('<h2 id="for-sent">') : html.index('<h2 id="kommande">')]
    assert "Utfört för sent (1)" in done_late
    assert "<details" in done_late and "Visa 1 uppgift som utfördes efter förfallodagen" in done_late
