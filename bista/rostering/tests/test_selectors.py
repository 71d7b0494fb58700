"""Rostering reads: who sees which shifts, the logged roster of a client team, hours against contracts and
decisions, the ranked candidates for an open shift, jobs; with the query budgets of the lists."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bista.clients.models import AccessLogEntry
from bista.core.access import SYSTEM, forget_access
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.rostering import selectors, services
from bista.rostering.facts import Period
from bista.rostering.models import RosterJob, Shift
from bista.rostering.tests import factories as f
from bista.rostering.tests.factories import at
from bista.staff import services as staff_services
from bista.staff.models import ClientStaffChoice

pytestmark = pytest.mark.django_db

WEEK = (f.day(0), f.day(6))
MARCH = Period(datetime.date(2030, 3, 1), datetime.date(2030, 3, 31))


@pytest.fixture
def astrid(org: Organisation) -> Any:
    client = f.make_client(org.provider, teams=[org.team])
    f.make_order(client, org.provider, team=org.team)
    return client


@pytest.fixture
def berit(org: Organisation) -> Any:
    """A client of the other team of the same unit."""
    client = f.make_client(org.provider, "Berit", "Sund", teams=[org.other_team])
    f.make_order(client, org.provider, team=org.other_team)
    return client


@pytest.fixture
def emma_user(org: Organisation) -> Any:
    return make_user("emma", RoleCode.EMPLOYEE, org.provider)


@pytest.fixture
def emma(org: Organisation, emma_user: Any) -> Any:
    """An assistant with a user account (sees her own shifts)."""
    return f.make_employee(org.provider, "Emma", "Ek", teams=[org.team], user=emma_user)


@pytest.fixture
def anna(org: Organisation) -> Any:
    return f.make_employee(org.provider, "Anna", "Berg", teams=[org.team])


@pytest.fixture
def controller(org: Organisation) -> Any:
    return make_user("controller", RoleCode.CONTROLLER, org.provider)


# --- Who sees which shifts -------------------------------------------------------------------------------


def test_visible_shifts(
    astrid: Any, berit: Any, emma: Any, emma_user: Any, anna: Any, manager: Any, other_manager: Any, nobody: Any
) -> None:
    mine = f.shift(emma, astrid, at(0, 7), 8)
    my_draft = f.shift(emma, astrid, at(1, 7), 8, status="draft")
    annas = f.shift(anna, berit, at(0, 7), 8)
    assert set(selectors.visible_shifts(manager)) == {mine, my_draft, annas}
    assert set(selectors.visible_shifts(emma_user)) == {mine}  # own, published: not drafts, not others'
    assert not selectors.visible_shifts(other_manager).exists()
    assert not selectors.visible_shifts(nobody).exists()
    with pytest.raises(Http404):
        selectors.shift_get(other_manager, annas.pk)


def test_roster_for_team_is_logged(
    org: Organisation, astrid: Any, berit: Any, anna: Any, manager: Any, other_manager: Any, controller: Any
) -> None:
    shift = f.shift(anna, astrid, at(0, 7), 8)
    open_shift = f.shift(None, astrid, at(0, 15), 7)
    f.shift(anna, berit, at(2, 7), 8)  # another team's client
    cancelled = f.shift(anna, astrid, at(3, 7), 8)
    services.shift_cancel(actor=SYSTEM, shift=cancelled, reason="Inställt")
    assert selectors.roster_for_team(manager, org.team, *WEEK) == [shift, open_shift]
    log = AccessLogEntry.objects.get(actor=manager)
    assert (log.client, log.unit, log.action) == (astrid, org.provider, "list")
    assert selectors.roster_for_team(controller, org.team, *WEEK, include_cancelled=True)[-1] == cancelled
    with pytest.raises(PermissionDenied):
        selectors.roster_for_team(other_manager, org.team, *WEEK)
    assert not AccessLogEntry.objects.filter(actor=other_manager).exists()


def test_roster_for_team_query_budget(
    org: Organisation, astrid: Any, anna: Any, manager: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        f.shift(anna, astrid, at(n, 7), 8)
    selectors.roster_for_team(manager, org.team, *WEEK)  # the access map is cached on the user
    with django_assert_max_num_queries(3):  # shifts, log insert (and a savepoint on some backends)
        assert len(selectors.roster_for_team(manager, org.team, *WEEK)) == 5


def test_roster_for_employee(
    astrid: Any, emma: Any, emma_user: Any, anna: Any, manager: Any, other_manager: Any
) -> None:
    published = f.shift(emma, astrid, at(0, 7), 8)
    draft = f.shift(emma, astrid, at(1, 7), 8, status="draft")
    assert selectors.roster_for_employee(manager, emma, *WEEK) == [published, draft]
    assert selectors.roster_for_employee(emma_user, emma, *WEEK) == [published]
    for outsider in (other_manager, emma_user):
        with pytest.raises(PermissionDenied):
            selectors.roster_for_employee(outsider, anna if outsider is emma_user else emma, *WEEK)


def test_my_shifts(astrid: Any, emma: Any, emma_user: Any, anna: Any, manager: Any, nobody: Any) -> None:
    mine = f.shift(emma, astrid, at(0, 7), 8)
    f.shift(emma, astrid, at(1, 7), 8, status="draft")
    f.shift(anna, astrid, at(2, 7), 8)
    f.shift(emma, astrid, at(20, 7), 8)  # outside the days asked for
    assert selectors.my_shifts(emma_user, *WEEK) == [mine]
    assert selectors.my_shifts(manager, *WEEK) == []  # not an employee
    assert selectors.my_shifts(nobody, *WEEK) == []


def test_open_shifts(org: Organisation, astrid: Any, anna: Any, manager: Any, other_manager: Any) -> None:
    f.shift(anna, astrid, at(0, 7), 8)
    _, (opened,) = services.sick_call(actor=manager, employee=anna, starts_on=f.day(0), ends_on=f.day(0))
    draft_open = f.shift(None, astrid, at(3, 7), 8, status="draft")
    assert selectors.open_shifts(manager, org.provider, *WEEK) == [opened, draft_open]
    with pytest.raises(PermissionDenied):
        selectors.open_shifts(other_manager, org.provider, *WEEK)


# --- Hours ----------------------------------------------------------------------------------------------


def test_hours_per_employee(org: Organisation, astrid: Any, manager: Any, other_manager: Any) -> None:
    half = f.make_employee(org.provider, "Halva", "Tiden", employment_rate=50, teams=[org.team])
    hourly = f.make_employee(org.provider, "Tim", "Timme", employment_type="timavlonad", teams=[org.team])
    f.shift(half, astrid, at(0, 7), 8)
    worked = f.shift(half, astrid, at(1, 7), 8)
    Shift.objects.filter(pk=worked.pk).update(status="worked")  # time reporting (a later issue) marks it
    f.shift(half, astrid, at(2, 7), 8, status="draft")
    f.shift(hourly, astrid, at(0, 15), 7)
    f.shift(half, astrid, at(1, 15), 2, kind="standby")  # beredskap is not working time
    rows = {row.employee.first_name: row for row in selectors.hours_per_employee(manager, org.provider, MARCH)}
    assert set(rows) == {"Halva", "Tim"}
    row = rows["Halva"]
    assert row.contracted_hours == round(40 * 0.5 * 31 / 7, 2)
    assert (row.published_hours, row.worked_hours, row.draft_hours) == (8, 8, 8)
    assert (row.scheduled_hours, row.overtime_hours, row.hourly_paid_hours) == (16, 0, 0)
    assert row.difference == pytest.approx(16 - 40 * 0.5 * 31 / 7, abs=0.01)
    tim = rows["Tim"]
    assert (tim.contracted_hours, tim.hourly_paid, tim.hourly_paid_hours) == (0, True, 7)
    with pytest.raises(PermissionDenied):
        selectors.hours_per_employee(other_manager, org.provider, MARCH)


def test_hours_per_employee_overtime_and_query_budget(
    org: Organisation, astrid: Any, manager: Any, django_assert_max_num_queries: Any
) -> None:
    part = f.make_employee(org.provider, "Karin", "Dal", employment_rate=25, teams=[org.team])
    for n in range(5):
        f.shift(part, astrid, at(n, 8), 10)
    for n in range(4):
        f.make_employee(org.provider, f"Extra{n}", "Person", teams=[org.team])
    selectors.hours_per_employee(manager, org.provider, MARCH)
    with django_assert_max_num_queries(6):
        rows = selectors.hours_per_employee(manager, org.provider, MARCH)
    karin = next(r for r in rows if r.employee == part)
    assert karin.overtime_hours == 10


def test_hours_per_client_with_alerts(org: Organisation, anna: Any, manager: Any) -> None:
    client = f.make_client(org.provider, "Nils", "Holm", teams=[org.team])
    f.make_order(client, org.provider, scope_amount=20, scope_unit="month")
    occasions_only = f.make_client(org.provider, "Olle", "Ledsen")
    f.make_order(occasions_only, org.provider, scope_amount=2, scope_unit="occasion", service_code="lss_9_3")
    f.shift(anna, client, at(0, 8), 9)
    f.shift(None, client, at(1, 8), 9)  # an open shift counts: someone is to work it
    rows = {row.client: row for row in selectors.hours_per_client(manager, org.provider, MARCH)}
    row = rows[client]
    assert (row.granted_hours, row.scheduled_hours, row.percent_used, row.alert) == (20, 18, 90.0, 90)
    f.shift(anna, client, at(2, 8), 2, status="draft")
    row = {r.client: r for r in selectors.hours_per_client(manager, org.provider, MARCH)}[client]
    assert (row.draft_hours, row.percent_with_drafts, row.alert) == (2, 100.0, 90)
    assert rows[occasions_only].granted_hours is None and rows[occasions_only].alert is None


def test_hours_per_client_query_budget(
    org: Organisation, anna: Any, manager: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(4):
        client = f.make_client(org.provider, f"Klient{n}", "Test", teams=[org.team])
        f.make_order(client, org.provider, scope_amount=20)
        f.shift(anna, client, at(n, 8), 8)
    selectors.hours_per_client(manager, org.provider, MARCH)
    # The shifts inside the period summed by the database, those across its edges read (2); the unit's clients,
    # their orders and the clients (3).
    with django_assert_max_num_queries(5):
        assert len(selectors.hours_per_client(manager, org.provider, MARCH)) == 4


def test_clients_near_granted_are_the_rows_of_hours_per_client_over_the_share(
    org: Organisation, anna: Any, manager: Any, other_manager: Any, django_assert_max_num_queries: Any
) -> None:
    for n, (granted, hours) in enumerate([(20, 18), (20, 15), (10, 10), (20, 16), (40, 6), (30, 30), (20, 0)]):
        client = f.make_client(org.provider, f"Klient{n}", "Nära", teams=[org.team])
        f.make_order(client, org.provider, scope_amount=granted, scope_unit="month")
        for day, start in enumerate(range(0, hours, 6)):  # open shifts of at most six hours count too
            f.shift(None, client, at(day, 8), min(6, hours - start))
    f.shift(None, client, at(9, 8), 6, status="draft")  # drafts do not count
    occasions_only = f.make_client(org.provider, "Olle", "Ledsen")
    f.make_order(occasions_only, org.provider, scope_amount=2, scope_unit="occasion", service_code="lss_9_3")
    f.shift(None, occasions_only, at(10, 8), 6)
    expected = [
        row
        for row in selectors.hours_per_client(manager, org.provider, MARCH)
        if row.percent_used is not None and row.percent_used >= 80
    ]
    expected.sort(key=lambda row: -(row.percent_used or 0))
    with django_assert_max_num_queries(5):
        near = selectors.clients_near_granted(manager, org.provider, MARCH, 80)
    assert [(r.client.first_name, r.granted_hours, r.scheduled_hours, r.percent_used) for r in near] == [
        (r.client.first_name, r.granted_hours, r.scheduled_hours, r.percent_used) for r in expected
    ]
    assert [r.client.first_name for r in near] == ["Klient2", "Klient5", "Klient0", "Klient3"]  # 100, 100, 90, 80
    with pytest.raises(PermissionDenied):
        selectors.clients_near_granted(other_manager, org.provider, MARCH, 80)


def test_hours_per_client_clips_shifts_across_the_edges_of_the_period(
    org: Organisation, anna: Any, manager: Any
) -> None:
    client = f.make_client(org.provider, "Kant", "Test", teams=[org.team])
    f.make_order(client, org.provider, scope_amount=20)
    stockholm = timezone.get_default_timezone()
    f.shift(anna, client, datetime.datetime(2030, 2, 28, 22, tzinfo=stockholm), 8)  # 6 h in March
    f.shift(anna, client, datetime.datetime(2030, 3, 10, 8, tzinfo=stockholm), 8)  # inside
    f.shift(anna, client, datetime.datetime(2030, 3, 30, 20, tzinfo=stockholm), 8, status=Shift.Status.DRAFT)
    f.shift(anna, client, datetime.datetime(2030, 3, 31, 21, tzinfo=stockholm), 5)  # 3 h in March
    f.shift(anna, client, datetime.datetime(2030, 2, 27, 8, tzinfo=stockholm), 8)  # before
    f.shift(anna, client, datetime.datetime(2030, 4, 1, 8, tzinfo=stockholm), 8)  # after
    (row,) = selectors.hours_per_client(manager, org.provider, MARCH)
    assert (row.published_hours, row.draft_hours, row.worked_hours) == (17.0, 8.0, 0.0)


# --- Open shift candidates --------------------------------------------------------------------------------


def test_candidates_ranked_and_explained(org: Organisation, astrid: Any, manager: Any) -> None:
    sick = f.make_employee(org.provider, "Sjuk", "Sara", teams=[org.team])
    regular = f.make_employee(org.provider, "Vana", "Vera", teams=[org.team])
    new = f.make_employee(org.provider, "Ny", "Nina", teams=[org.team])
    chosen = f.make_employee(org.provider, "Vald", "Vilma", teams=[org.team])
    hourly = f.make_employee(org.provider, "Tim", "Tina", teams=[org.team], employment_type="timavlonad")
    outside_team = f.make_employee(org.provider, "Annan", "Anita", teams=[org.other_team])
    busy = f.make_employee(org.provider, "Upptagen", "Ulla", teams=[org.team])
    excluded = f.make_employee(org.provider, "Bortvald", "Britt", teams=[org.team])
    man = f.make_employee(org.provider, "Man", "Mats", teams=[org.team], gender="M")
    stranger = f.make_employee(org.other_unit, "Annan", "Enhet")
    astrid.preferred_staff_gender = "K"
    astrid.save()
    f.shift(regular, astrid, at(-10, 7), 8)  # continuity: worked with the client lately
    f.shift(busy, astrid, at(3, 12), 8)  # overlaps the open shift
    for employee, kind in ((chosen, ClientStaffChoice.Kind.CHOSEN), (excluded, ClientStaffChoice.Kind.EXCLUDED)):
        staff_services.client_staff_choice_add(
            actor=SYSTEM, client=astrid, employee=employee, kind=kind, since=f.day(-30)
        )
    f.shift(sick, astrid, at(3, 7), 8)
    _, (open_shift,) = services.sick_call(actor=manager, employee=sick, starts_on=f.day(3), ends_on=f.day(3))

    candidates = selectors.open_shift_candidates(manager, open_shift)
    people = [c.employee for c in candidates]
    assert sick not in people and busy not in people and excluded not in people and stranger not in people
    # In the client's team first; then by cost: continuity (20) > the client's choice (5); hourly pay and
    # the other gender than the client prefers cost more than a newcomer's lack of continuity.
    assert people == [regular, chosen, new, man, hourly, outside_team]
    assert [c.rank for c in candidates] == list(range(1, len(candidates) + 1))
    by_name = {c.employee.first_name: c for c in candidates}
    assert by_name["Vana"].worked_with_client and "Har arbetat hos brukaren" in by_name["Vana"].reasons[1]
    assert by_name["Vald"].chosen and "Vald av brukaren" in by_name["Vald"].reasons
    assert by_name["Tim"].hourly_paid and "Timavlönad" in by_name["Tim"].reasons
    assert "Annat kön än brukaren önskar" in by_name["Man"].reasons
    assert not by_name["Annan"].in_client_team and by_name["Vana"].in_client_team
    # The best one can be given the shift with one call.
    assigned = services.open_shift_assign(
        actor=manager, shift=open_shift, employee=candidates[0].employee, version=open_shift.version
    )
    assert assigned.employee == regular
    assert selectors.open_shift_candidates(manager, assigned) == []


def test_candidates_overtime_is_a_cost(org: Organisation, astrid: Any, manager: Any) -> None:
    full = f.make_employee(org.provider, "Full", "Fia", teams=[org.team], employment_rate=25)
    free = f.make_employee(org.provider, "Fri", "Frida", teams=[org.team], employment_rate=100)
    for n in range(4):
        f.shift(full, astrid, at(n, 8), 10)  # 40 of her 44 h 17 min in March
    open_shift = f.shift(None, astrid, at(5, 8), 8)
    candidates = selectors.open_shift_candidates(manager, open_shift)
    assert [c.employee for c in candidates] == [free, full]
    assert candidates[1].overtime_hours == pytest.approx(8 - (40 * 0.25 * 31 / 7 - 40), abs=0.01)
    assert any("övertid" in reason for reason in candidates[1].reasons)
    assert "ordinary_hours" in [w.rule for w in candidates[1].warnings]


def test_candidates_query_budget_does_not_grow_with_the_staff(org: Organisation, astrid: Any, manager: Any) -> None:
    open_shift = f.shift(None, astrid, at(3, 7), 8)

    def count() -> int:
        forget_access(manager)
        selectors.open_shift_candidates(manager, open_shift)  # warm the access map
        with CaptureQueriesContext(connection) as queries:
            selectors.open_shift_candidates(manager, open_shift)
        return len(queries)

    for n in range(2):
        employee = f.make_employee(org.provider, f"Först{n}", "Person", teams=[org.team])
        f.shift(employee, astrid, at(-2, 7), 8)
    few = count()
    for n in range(6):
        employee = f.make_employee(org.provider, f"Sedan{n}", "Person", teams=[org.team])
        f.shift(employee, astrid, at(-2, 15), 7)
    assert count() == few
    assert few <= 20


def test_candidates_need_roster_access(org: Organisation, astrid: Any, other_manager: Any, nobody: Any) -> None:
    open_shift = f.shift(None, astrid, at(3, 7), 8)
    for actor in (other_manager, nobody):
        with pytest.raises(PermissionDenied):
            selectors.open_shift_candidates(actor, open_shift)


# --- Jobs -----------------------------------------------------------------------------------------------


def test_jobs(org: Organisation, astrid: Any, manager: Any, other_manager: Any) -> None:
    order = astrid.orders.get()
    today = timezone.localdate()
    start = today + datetime.timedelta(days=7 - today.weekday())
    f.pattern(order, 7, 15, valid_from=start)
    job = services.roster_job_start(
        actor=manager,
        unit=org.provider,
        period_start=start,
        period_end=start + datetime.timedelta(days=13),
        weights={},
        time_limit_seconds=10,
    )
    assert list(selectors.roster_jobs(manager, org.provider)) == [job]
    assert selectors.roster_job(manager, job.pk) == job
    with pytest.raises(Http404):
        selectors.roster_job(other_manager, job.pk)
    with pytest.raises(PermissionDenied):
        selectors.roster_jobs(other_manager, org.provider)
    proposal = selectors.job_proposal(manager, job)
    assert (proposal.job, proposal.shifts, proposal.uncovered) == (job, [], [])
    assert RosterJob.objects.count() == 1


def test_open_shifts_and_jobs_query_budget(
    org: Organisation, astrid: Any, manager: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        f.shift(None, astrid, at(n, 7), 8)
    selectors.open_shifts(manager, org.provider, *WEEK)
    with django_assert_max_num_queries(1):
        shifts = selectors.open_shifts(manager, org.provider, *WEEK)
        assert [s.client.first_name for s in shifts] == ["Astrid"] * 5
    with django_assert_max_num_queries(1):
        assert [j.created_by for j in selectors.roster_jobs(manager, org.provider)] == []


def test_the_kept_client_hours_equal_fresh_ones_after_every_kind_of_write(
    org: Organisation, anna: Any, manager: Any
) -> None:
    """The start page's near-granted box reads the month's hours from the per-process cache
    (`bista.core.datacache`): after each write that changes them, what it gives equals a fresh computation."""
    from django.core.cache import caches

    from bista.care import services as care_services
    from bista.core.datacache import CACHE

    caches[CACHE].clear()
    client = f.make_client(org.provider, "Klara", "Nära", teams=[org.team])
    state: dict[str, Any] = {}

    def ordered() -> None:
        state["order"] = f.make_order(client, org.provider, scope_amount=20, scope_unit="month")

    def shift_laid() -> None:
        state["shift"] = f.shift(anna, client, at(2, 8), 6, status=Shift.Status.DRAFT)

    def shift_moved() -> None:
        shift = state["shift"]
        state["shift"] = services.shift_update(
            actor=SYSTEM, shift=shift, version=shift.version, ends_at=shift.ends_at + datetime.timedelta(hours=2)
        )

    def published() -> None:
        state["shift"] = services.shift_publish(actor=SYSTEM, shift=state["shift"], version=state["shift"].version)

    def another_shift() -> None:
        f.shift(None, client, at(3, 8), 8)

    def cancelled() -> None:
        services.shift_cancel(actor=SYSTEM, shift=state["shift"], reason="Brukaren är bortrest.")

    def scope_changed() -> None:
        order = state["order"]
        care_services.order_update(actor=SYSTEM, order=order, expected_version=order.version, scope_amount=10)

    def fresh() -> Any:
        return selectors._compute_client_hours(org.provider, MARCH)

    before = fresh()
    assert selectors._client_hours(org.provider, MARCH) == before
    for write in (ordered, shift_laid, shift_moved, published, another_shift, cancelled, scope_changed):
        write()
        after = fresh()
        assert after != before, f"{write.__name__} changed no figure: the step proves nothing"
        assert selectors._client_hours(org.provider, MARCH) == after, write.__name__
        before = after
