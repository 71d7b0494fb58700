"""The staff duties in the deadline engine: delegation renewal (due on the last day, warned 30 days before)
and the yearly appraisal; what fulfils them; who is responsible; and that they reach "Att göra"."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from bista.care import selectors as care_selectors
from bista.core.access import SYSTEM
from bista.core.deadlines import Duty, DutyState
from bista.core.duties import duties_for
from bista.core.testing import Organisation
from bista.staff import services
from bista.staff.models import Employee
from bista.staff.tests.support import D, add_delegation, client_in, hire

pytestmark = pytest.mark.django_db

LONG_AGO = D(2000, 1, 1)
RENEWAL = "staff.delegation_renewal"
APPRAISAL = "staff.appraisal"


def duties(org: Organisation, code: str, *, today: datetime.date, since: datetime.date = LONG_AGO) -> list[Duty]:
    found = duties_for([org.provider.pk], today=today, done_since=since)
    return sorted((d for d in found if d.rule.code == code), key=lambda d: (d.anchor_on, d.subject))


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team], start=D(2020, 1, 1))


def test_a_delegation_is_due_on_its_last_day_and_warned_30_days_before(
    org: Organisation, eva: Employee, manager: Any
) -> None:
    add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30))
    [duty] = duties(org, RENEWAL, today=D(2025, 5, 31))
    assert duty.due_on == D(2025, 6, 30) and duty.done_on is None
    assert duty.state(D(2025, 5, 31)) is DutyState.DUE_SOON
    assert duty.state(D(2025, 5, 30)) is DutyState.OPEN
    assert duty.state(D(2025, 7, 1)) is DutyState.OVERDUE
    assert duty.subject == "Förnya delegering Insulin: Eva Berg"
    assert duty.url == f"/medarbetare/{eva.pk}/"
    assert duty.unit_id == org.provider.pk and duty.client_id is None
    assert duty.responsible_id == manager.pk
    assert duty.team_ids == (org.team.pk,)


def test_a_renewal_starting_by_the_day_after_is_in_time(org: Organisation, eva: Employee) -> None:
    add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30))
    add_delegation(eva, D(2025, 7, 1), D(2026, 6, 30))
    old, new = duties(org, RENEWAL, today=D(2025, 7, 15))
    assert old.done_on == D(2025, 6, 30) and old.state(D(2025, 7, 15)) is DutyState.DONE
    assert new.done_on is None and new.due_on == D(2026, 6, 30)


def test_a_renewal_with_a_gap_is_done_late(org: Organisation, eva: Employee) -> None:
    add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30))
    add_delegation(eva, D(2025, 7, 10), D(2026, 6, 30))
    old = duties(org, RENEWAL, today=D(2025, 7, 15))[0]
    assert old.done_on == D(2025, 7, 10) and old.state(D(2025, 7, 15)) is DutyState.DONE_LATE


def test_another_kind_or_client_does_not_renew_it(org: Organisation, eva: Employee) -> None:
    kim, lisa = client_in(org.provider, "Kim"), client_in(org.provider, "Lisa")
    add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30), client=kim)
    add_delegation(eva, D(2025, 6, 1), D(2026, 5, 31), client=lisa)
    add_delegation(eva, D(2025, 6, 1), D(2026, 5, 31), client=kim, kind="lakemedel")
    kims = [d for d in duties(org, RENEWAL, today=D(2025, 7, 1)) if d.anchor_on == D(2025, 6, 30)]
    assert len(kims) == 1 and kims[0].done_on is None
    assert kims[0].client_id == kim.pk and kims[0].client_name == "Kim Kund"


def test_revoking_or_leaving_ends_the_duty(org: Organisation, eva: Employee, manager: Any) -> None:
    revoked = add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30))
    services.delegation_revoke(actor=manager, delegation=revoked, revoked_on=D(2025, 3, 1))
    leaver = hire(org.provider, "Lars", "Lämnar", end_date=D(2025, 5, 31))
    add_delegation(leaver, D(2025, 1, 1), D(2025, 6, 30), kind="sondmatning")
    late_leaver = hire(org.provider, "Sara", "Sen", end_date=D(2025, 8, 31))
    add_delegation(late_leaver, D(2025, 1, 1), D(2025, 6, 30), kind="stomi")
    found = {d.subject: d for d in duties(org, RENEWAL, today=D(2025, 10, 1))}
    assert found["Förnya delegering Insulin: Eva Berg"].done_on == D(2025, 3, 1)
    assert found["Förnya delegering Sondmatning: Lars Lämnar"].done_on == D(2025, 5, 31)
    # Left after the delegation ran out, never renewed: nothing left to do.
    assert "Förnya delegering Stomivård: Sara Sen" not in found


def test_the_first_appraisal_is_due_a_year_after_the_start(org: Organisation, manager: Any) -> None:
    nina = hire(org.provider, "Nina", "Ny", start=D(2024, 3, 1))
    [duty] = [d for d in duties(org, APPRAISAL, today=D(2025, 2, 15)) if d.url == f"/medarbetare/{nina.pk}/"]
    assert duty.anchor_on == D(2024, 3, 1) and duty.due_on == D(2025, 3, 1)
    assert duty.state(D(2025, 2, 15)) is DutyState.DUE_SOON
    assert duty.subject == "Medarbetarsamtal: Nina Ny" and duty.responsible_id == manager.pk
    assert duty.team_ids == ()


def test_each_appraisal_fulfils_the_last_and_starts_the_next(org: Organisation, manager: Any) -> None:
    nina = hire(org.provider, "Nina", "Ny", start=D(2023, 3, 1))
    services.appraisal_record(actor=manager, employee=nina, held_on=D(2024, 2, 1), development_plan="Plan 1")
    services.appraisal_record(actor=manager, employee=nina, held_on=D(2025, 4, 1), development_plan="Plan 2")
    first, second, third = duties(org, APPRAISAL, today=D(2025, 5, 1))
    assert (first.anchor_on, first.done_on, first.state(D(2025, 5, 1))) == (
        D(2023, 3, 1),
        D(2024, 2, 1),
        DutyState.DONE,
    )
    assert (second.due_on, second.done_on, second.state(D(2025, 5, 1))) == (
        D(2025, 2, 1),
        D(2025, 4, 1),
        DutyState.DONE_LATE,
    )
    assert (third.due_on, third.done_on) == (D(2026, 4, 1), None)


def test_no_appraisal_is_owed_after_the_employee_left(org: Organisation) -> None:
    hire(org.provider, "Lars", "Lämnar", start=D(2023, 3, 1), end_date=D(2024, 12, 31))
    assert duties(org, APPRAISAL, today=D(2025, 5, 1)) == []


def test_other_units_duties_stay_there(org: Organisation) -> None:
    olle = hire(org.other_unit, "Olle", "Olsson", start=D(2023, 3, 1))
    add_delegation(olle, D(2025, 1, 1), D(2025, 6, 30))
    assert duties(org, RENEWAL, today=D(2025, 6, 1)) == []
    assert duties(org, APPRAISAL, today=D(2025, 6, 1)) == []


def test_staff_duties_reach_att_gora(org: Organisation, eva: Employee, manager: Any) -> None:
    today = timezone.localdate()
    add_delegation(eva, today - datetime.timedelta(days=100), today + datetime.timedelta(days=10))
    services.appraisal_record(
        actor=SYSTEM, employee=eva, held_on=today - datetime.timedelta(days=400), development_plan="Plan"
    )
    unit_list = care_selectors.todo_for(manager, today=today, unit_id=org.provider.pk)
    assert [d.subject for d in unit_list.due_soon] == ["Förnya delegering Insulin: Eva Berg"]
    assert [d.subject for d in unit_list.overdue] == ["Medarbetarsamtal: Eva Berg"]
    mine = care_selectors.todo_for(manager, today=today, mine=True)
    assert {d.subject for d in [*mine.overdue, *mine.due_soon]} == {
        "Förnya delegering Insulin: Eva Berg",
        "Medarbetarsamtal: Eva Berg",
    }
    team_list = care_selectors.todo_for(manager, today=today, team_id=org.team.pk)
    assert [d.subject for d in team_list.due_soon] == ["Förnya delegering Insulin: Eva Berg"]
    assert team_list.overdue == []


def test_att_gora_reads_only_candidate_delegations_and_appraisals(org: Organisation, manager: Any) -> None:
    """ "Att göra" (`todo_only`) leaves out delegations renewed before its window and appraisals fulfilled before
    it; on every day from before the first record to after the last, its lists equal those sorted from every
    duty (renewed in time, late, with a gap, revoked, per client, leavers; appraisals on the same day, late,
    none yet)."""
    from bista.core.deadlines import todo_list

    eva = hire(org.provider, "Eva", "Berg", teams=[org.team], start=D(2020, 1, 1))
    kim = client_in(org.provider, "Kim")
    for year in range(2021, 2026):
        add_delegation(eva, D(year, 1, 1), D(year, 12, 31))  # renewed in time each year
    add_delegation(eva, D(2021, 3, 1), D(2022, 2, 28), kind="lakemedel")
    add_delegation(eva, D(2022, 4, 15), D(2023, 4, 14), kind="lakemedel")  # a gap: done late
    add_delegation(eva, D(2022, 1, 1), D(2022, 12, 31), client=kim)
    add_delegation(eva, D(2022, 1, 1), D(2022, 12, 31), client=kim)  # the same start: renews the first
    revoked = add_delegation(eva, D(2023, 7, 1), D(2024, 6, 30), kind="sondmatning")
    services.delegation_revoke(actor=manager, delegation=revoked, revoked_on=D(2024, 1, 10))
    add_delegation(eva, D(2024, 2, 1), D(2025, 1, 31), kind="sondmatning")
    lars = hire(org.provider, "Lars", "Lämnar", start=D(2021, 6, 1), end_date=D(2024, 8, 31))
    add_delegation(lars, D(2023, 9, 1), D(2024, 8, 31), kind="stomi")
    for held_on in (D(2021, 1, 15), D(2022, 3, 1), D(2022, 3, 1), D(2023, 11, 20), D(2025, 2, 1)):
        services.appraisal_record(actor=SYSTEM, employee=eva, held_on=held_on, development_plan="Plan")
    services.appraisal_record(actor=SYSTEM, employee=lars, held_on=D(2022, 9, 1), development_plan="Plan")
    hire(org.provider, "Nina", "Ny", start=D(2023, 5, 1))  # no appraisal yet: owed from the start

    def lists(today: datetime.date, todo_only: bool) -> dict[str, list[tuple[str, str, datetime.date]]]:
        since = today - datetime.timedelta(days=90)
        found = [
            d
            for d in duties_for([org.provider.pk], today=today, done_since=since, todo_only=todo_only)
            if d.rule.code.startswith("staff.")
        ]
        todo = todo_list(found, today, since)
        return {
            name: sorted((d.rule.code, d.subject, d.anchor_on) for d in getattr(todo, name))
            for name in ("overdue", "due_soon", "done_late")
        }

    day, seen = D(2020, 12, 1), 0
    while day < D(2026, 6, 1):
        full = lists(day, todo_only=False)
        assert lists(day, todo_only=True) == full, day
        seen += sum(len(rows) for rows in full.values())
        day += datetime.timedelta(days=7)
    assert seen > 100  # the comparison saw duties in every state
