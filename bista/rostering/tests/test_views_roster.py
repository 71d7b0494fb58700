"""The roster pages (a team's, a person's, Mitt schema) and the menu entries, each four ways: anonymous,
signed in without permission, with permission, and with permission but in another unit. Plus the week and
period views, a night across midnight, status in text, the access log and the list's query budget."""

from __future__ import annotations

from typing import Any

import pytest

from bista.clients.models import AccessLogEntry
from bista.core import clock
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import assert_login_redirect, browser
from bista.rostering.models import Shift
from bista.rostering.tests import factories as f
from bista.rostering.tests.test_views_common import (  # noqa: F401 - fixtures
    Unit,
    at,
    body,
    cecilia_fixture,
    controller_fixture,
    text,
    unit_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

ROSTER = "/schema/"
WEEK = f"{ROSTER}?datum=2030-03-06"
MY = "/schema/mitt/"
# Session and user (2), the access map (2), the teams (1), the team's shifts (1) and the access-log rows
# written for them (1), the clients the user may name (1), the team's employees (1), and the session saved
# (savepoint, update, release: 3).
ROSTER_QUERIES = 9
# Session and user (2), the employee (1), the own shifts (1), the access map (2), the user's teams and the
# clients the employee may see by name (2), the session saved (3); the self-service: the open shifts of the unit
# (1) checked against the rules on the employee's facts for their month (the own shifts around them, the employee's
# and the clients' facts: 18), the employee's pending requests (1) and the unit's setting for them (1); the data
# version of the kept verdicts (1: each request here follows a write, so the facts are read as above).
MY_QUERIES = 30
# Session and user (2), the access map (2), the employee (1), the shifts (1), the clients the user may name
# (1) and the access-log rows for them (1), the session saved (3).
PERSON_QUERIES = 8


def person_url(employee: Any) -> str:
    return f"/schema/person/{employee.pk}/?datum=2030-03-04"


@pytest.fixture
def shifts(unit: Unit, org: Organisation) -> dict[str, Shift]:
    """Anna's day and night, an open shift, a draft, and a shift of Wilma's at the other team's client."""
    return {
        "day": f.shift(unit.anna, unit.client, at(0, 7), 8),
        "night": f.shift(unit.anna, unit.client, at(2, 22), 9),
        "open": f.shift(None, unit.client, at(1, 7), 8),
        "draft": f.shift(unit.anna, unit.client, at(4, 7), 8, status="draft"),
        "worker": f.shift(unit.worker, unit.other_team_client, at(3, 7), 8),
        "worker_draft": f.shift(unit.worker, unit.other_team_client, at(5, 7), 8, status="draft"),
    }


# --- A team's roster -------------------------------------------------------------------------------------


def test_roster_anonymous() -> None:
    from django.test import Client

    assert_login_redirect(Client().get(WEEK))


def test_roster_refused_without_permission(nobody: Any, unit: Unit) -> None:
    assert browser(nobody).get(WEEK).status_code == 403
    # An employee sees only their own schedule, not the unit's roster.
    assert browser(unit.worker_user).get(WEEK).status_code == 403


def test_roster_week_of_a_team(manager: Any, org: Organisation, unit: Unit, shifts: dict[str, Shift]) -> None:
    response = browser(manager).get(f"{WEEK}&arbetsgrupp={org.team.pk}")
    assert response.status_code == 200
    page = text(response)
    assert "Schema: Team Ek" in page
    assert "Vecka 10" in page
    for day in ("mån 4 mar", "tis 5 mar", "ons 6 mar", "tors 7 mar", "fre 8 mar", "lör 9 mar", "sön 10 mar"):
        assert day in page
    assert "07:00–15:00" in page
    assert "22:00 → tors 07:00" in page  # the night across midnight, marked with where it ends
    # Status in words: published, draft and the open shift.
    assert "Publicerat" in page and "Utkast" in page and "Öppet pass" in page
    assert "Berg, Anna" in page and "Astrid Lindqvist" in page
    # Another team's shifts are not in this team's roster.
    assert "Wiklund" not in page and "Bertil" not in page
    # A manager gets links to change a draft and fill the open shift.
    assert f"/schema/pass/{shifts['draft'].pk}/" in body(response)
    assert f"/schema/oppna-pass/{shifts['open'].pk}/" in body(response)
    assert "Lägg till pass" in page
    # The clients shown are logged as read.
    assert AccessLogEntry.objects.filter(actor=manager, client=unit.client).count() == 1


def test_roster_rows_per_client_and_period_of_weeks(manager: Any, org: Organisation, shifts: dict[str, Shift]) -> None:
    response = browser(manager).get(f"{WEEK}&arbetsgrupp={org.team.pk}&veckor=3&rader=brukare")
    page = text(response)
    assert "Vecka 10" in page and "Vecka 11" in page and "Vecka 12" in page
    assert "En rad per" in page and "Brukare" in page
    assert "Nästa 3 veckor" in page and "Föregående 3 veckor" in page
    assert "Anna Berg" in page  # the person in each shift, as rows are clients


def test_roster_navigation_links(manager: Any, org: Organisation, unit: Unit) -> None:
    page = body(browser(manager).get(f"{WEEK}&arbetsgrupp={org.team.pk}"))
    assert "datum=2030-02-25" in page and "datum=2030-03-11" in page


def test_roster_controller_reads_but_may_not_change(
    controller: Any, org: Organisation, shifts: dict[str, Shift]
) -> None:
    response = browser(controller).get(f"{WEEK}&arbetsgrupp={org.team.pk}")
    assert response.status_code == 200
    assert "07:00–15:00" in text(response)
    assert "Lägg till pass" not in text(response)
    assert f"/schema/pass/{shifts['draft'].pk}/" not in body(response)


def test_roster_of_another_unit_is_not_shown(
    other_manager: Any, org: Organisation, unit: Unit, shifts: dict[str, Shift]
) -> None:
    response = browser(other_manager).get(f"{WEEK}&arbetsgrupp={org.team.pk}")
    # The other unit's manager gets their own team, never Team Ek's shifts.
    assert response.status_code == 200
    assert "Team Lönn" in text(response)
    assert "Astrid" not in text(response) and "Berg, Anna" not in text(response)
    assert not AccessLogEntry.objects.filter(actor=other_manager).exists()


def test_roster_bad_filters_fall_back(manager: Any, org: Organisation, shifts: dict[str, Shift]) -> None:
    response = browser(manager).get(f"{ROSTER}?arbetsgrupp=99999999999999999999&datum=inte&veckor=9")
    assert response.status_code == 200
    assert "Schema: Team" in text(response)


def test_roster_query_budget(
    manager: Any, org: Organisation, unit: Unit, shifts: dict[str, Shift], django_assert_num_queries: Any
) -> None:
    http = browser(manager)
    url = f"{WEEK}&arbetsgrupp={org.team.pk}&veckor=2"
    with django_assert_num_queries(ROSTER_QUERIES):
        assert http.get(url).status_code == 200
    for hour in (7, 15):  # more shifts, same number of queries
        f.shift(unit.anna, unit.client, at(9, hour), 7)
    with django_assert_num_queries(ROSTER_QUERIES):
        assert http.get(url).status_code == 200


# --- One person's roster --------------------------------------------------------------------------------


def test_person_anonymous(unit: Unit) -> None:
    from django.test import Client

    assert_login_redirect(Client().get(person_url(unit.anna)))


def test_person_refused_without_permission(nobody: Any, unit: Unit) -> None:
    assert browser(nobody).get(person_url(unit.anna)).status_code == 404
    # An employee may not read a colleague's schedule.
    assert browser(unit.worker_user).get(person_url(unit.anna)).status_code == 404


def test_person_for_a_manager(manager: Any, unit: Unit, shifts: dict[str, Shift]) -> None:
    response = browser(manager).get(f"{person_url(unit.anna)}&veckor=2")
    assert response.status_code == 200
    page = text(response)
    assert "Schema för Anna Berg" in page
    assert "Vecka 10" in page and "Vecka 11" in page
    assert "22:00 → tors 07:00" in page and "Utkast" in page
    assert "Astrid Lindqvist" in page


def test_person_page_logs_the_clients_named_and_hides_them_from_a_controller(
    manager: Any, controller: Any, unit: Unit, shifts: dict[str, Shift]
) -> None:
    """Issue 14 (defects 7 and 11): the page names Anna's clients, so it logs a read of each for the manager;
    a controller (roster.view, no client-view permission) sees the shifts with the clients' initials."""
    from bista.clients.models import AccessLogEntry

    assert "Astrid Lindqvist" in text(browser(manager).get(person_url(unit.anna)))
    assert AccessLogEntry.objects.filter(actor=manager, client=unit.client).count() == 1
    viewer = text(browser(controller).get(person_url(unit.anna)))
    assert "A.L." in viewer and "Lindqvist" not in viewer
    assert not AccessLogEntry.objects.filter(actor=controller).exists()


def test_person_of_another_unit(other_manager: Any, unit: Unit, shifts: dict[str, Shift]) -> None:
    response = browser(other_manager).get(person_url(unit.anna))
    assert response.status_code == 404
    assert "Berg" not in text(response)


def test_person_own_schedule_shows_only_published(unit: Unit, shifts: dict[str, Shift]) -> None:
    response = browser(unit.worker_user).get(person_url(unit.worker))
    assert response.status_code == 200
    page = text(response)
    assert "07:00–15:00" in page
    assert "Utkast" not in page  # drafts are not the employee's schedule yet
    # The other team's client is not in the employee's teams' view: initials only unless visible.
    assert "Lägg till pass" not in page


# --- Mitt schema ------------------------------------------------------------------------------------------


def test_my_schedule_anonymous() -> None:
    from django.test import Client

    assert_login_redirect(Client().get(MY))


def test_my_schedule_without_an_employee(manager: Any) -> None:
    response = browser(manager).get(MY)
    assert response.status_code == 404
    assert "inte kopplat till någon medarbetare" in text(response)


def test_my_schedule_lists_own_coming_shifts(
    unit: Unit, shifts: dict[str, Shift], settings: Any, frozen_clock: Any
) -> None:
    frozen_clock(clock.start_of_day(f.MONDAY))
    response = browser(unit.worker_user).get(MY)
    assert response.status_code == 200
    page = text(response)
    assert "Torsdag 7 mars" in page
    assert "07:00–15:00" in page and "Publicerat" in page
    # Not the draft, not anyone else's shifts, not the other client's full name (outside the user's view).
    assert "Lördag 9 mars" not in page
    assert "Anna" not in page and "Astrid" not in page
    assert "B.B." in page or "Bertil Berglund" in page


def test_my_schedule_shows_client_name_to_the_team(org: Organisation, unit: Unit, frozen_clock: Any) -> None:
    """An employee in the client's team (who may see the client) sees the name; others the initials."""
    frozen_clock(clock.start_of_day(f.MONDAY))
    user = make_user("teamare", RoleCode.EMPLOYEE, org.provider)
    member = f.make_employee(org.provider, "Tea", "Team", teams=[org.team], user=user)
    f.shift(member, unit.client, at(1, 7), 8)
    f.shift(member, unit.other_team_client, at(3, 7), 8)
    page = text(browser(user).get(MY))
    assert "Astrid Lindqvist" in page
    assert "B.B." in page and "Bertil" not in page


def test_my_schedule_of_another_unit_employee(org: Organisation, unit: Unit, cecilia: Any, frozen_clock: Any) -> None:
    """An employee of the other unit sees their own shift there and nothing of this unit."""
    frozen_clock(clock.start_of_day(f.MONDAY))
    f.shift(unit.anna, unit.client, at(1, 7), 8)
    user = make_user("annanarbetare", RoleCode.EMPLOYEE, org.other_unit)
    other = f.make_employee(org.other_unit, "Olle", "Other", teams=[org.other_unit_team], user=user)
    f.shift(other, cecilia, at(2, 9), 6)
    page = text(browser(user).get(MY))
    assert "09:00–15:00" in page
    assert "07:00–15:00" not in page and "Astrid" not in page


# --- The menu -------------------------------------------------------------------------------------------


def test_menu_offers_schema_and_my_schedule(manager: Any, controller: Any, nobody: Any, unit: Unit) -> None:
    manager_page = body(browser(manager).get("/"))
    assert 'href="/schema/"' in manager_page and 'href="/schema/mitt/"' not in manager_page
    assert 'href="/schema/"' in body(browser(controller).get("/"))
    worker_page = body(browser(unit.worker_user).get("/"))
    assert 'href="/schema/mitt/"' in worker_page and 'href="/schema/"' not in worker_page
    nobody_page = body(browser(nobody).get("/"))
    assert "/schema/" not in nobody_page


def test_person_query_budget(
    manager: Any, unit: Unit, shifts: dict[str, Shift], django_assert_num_queries: Any
) -> None:
    http = browser(manager)
    url = f"{person_url(unit.anna)}&veckor=2"
    with django_assert_num_queries(PERSON_QUERIES):
        assert http.get(url).status_code == 200
    f.shift(unit.anna, unit.other_team_client, at(8, 7), 8)
    with django_assert_num_queries(PERSON_QUERIES):
        assert http.get(url).status_code == 200


def test_my_schedule_query_budget(
    unit: Unit, shifts: dict[str, Shift], frozen_clock: Any, django_assert_num_queries: Any
) -> None:
    frozen_clock(clock.start_of_day(f.MONDAY))
    http = browser(unit.worker_user)
    with django_assert_num_queries(MY_QUERIES):
        assert http.get(MY).status_code == 200
    f.shift(unit.worker, unit.client, at(8, 7), 8)
    f.shift(unit.worker, unit.other_team_client, at(9, 7), 8)
    with django_assert_num_queries(MY_QUERIES):
        assert http.get(MY).status_code == 200
