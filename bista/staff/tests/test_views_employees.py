"""The employee pages (list and search, card, register, change), each four ways: anonymous, signed in without
permission, with permission, and with permission but in another unit. Plus bad input, optimistic concurrency
and the list's query budget."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import audit_count, fake_personnummer, formatted
from bista.core.tests.pages import assert_login_redirect, browser
from bista.staff import services
from bista.staff.models import Employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

ANNA = fake_personnummer("19850412", 982)
NINA = fake_personnummer("19900101", 984)


def hire(unit: Any, first: str, last: str, *, teams: Any = (), **extra: Any) -> Employee:
    return services.employee_create(
        actor=SYSTEM,
        unit=unit,
        first_name=first,
        last_name=last,
        employment_type="tillsvidare",
        start_date=datetime.date(2021, 3, 1),
        teams=teams,
        fictitious=True,
        **extra,
    )


@pytest.fixture
def anna(org: Organisation) -> Employee:
    return hire(org.provider, "Anna", "Andersson", teams=[org.team], personnummer=ANNA, phone="070-123 45 67")


@pytest.fixture
def olle(org: Organisation) -> Employee:
    return hire(org.other_unit, "Olle", "Olsson", teams=[org.other_unit_team], phone="070-765 43 21")


@pytest.fixture
def controller(org: Organisation, user_factory: Any) -> Any:
    """A controller of the whole district: sees employees, changes nothing."""
    return user_factory("controller", RoleCode.CONTROLLER, district=org.district)


def body(response: Any) -> str:
    return response.content.decode()


def db_state() -> dict[str, Any]:
    return {
        "employees": sorted(
            Employee.objects.values_list("pk", "first_name", "last_name", "phone", "end_date", "unit_id", "version")
        ),
        "teams": sorted(Employee.teams.through.objects.values_list("employee_id", "team_id")),
        "audit": AuditEvent.objects.count(),
    }


def create_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "personnummer_input": "",
        "first_name": "Nina",
        "last_name": "Nyström",
        "unit": org.provider.pk,
        "teams": [org.team.pk],
        "gender": "K",
        "email": "nina@example.invalid",
        "phone": "",
        "employment_type": "vikariat",
        "employment_rate": "75",
        "start_date": "2025-01-01",
        "end_date": "2025-06-30",
        **overrides,
    }


def edit_data(employee: Employee, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser sends it back unchanged: the stored values as the form renders them."""
    employee = Employee.objects.get(pk=employee.pk)
    return {
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "gender": employee.gender,
        "email": employee.email,
        "phone": employee.phone,
        "employment_type": employee.employment_type,
        "employment_rate": str(employee.employment_rate),
        "start_date": employee.start_date.isoformat(),
        "end_date": employee.end_date.isoformat() if employee.end_date else "",
        "teams": [t.pk for t in employee.teams.all()],
        "version": employee.version,
        **overrides,
    }


# --- Anonymous --------------------------------------------------------------------------------------


def test_anonymous_goes_to_login(org: Organisation, anna: Employee) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path in ("/medarbetare/", "/medarbetare/ny/", f"/medarbetare/{anna.pk}/", f"/medarbetare/{anna.pk}/andra/"):
        response = anonymous.get(path)
        assert_login_redirect(response)
        assert "Andersson" not in body(response)
    assert_login_redirect(anonymous.post("/medarbetare/ny/", create_data(org)))
    assert_login_redirect(anonymous.post(f"/medarbetare/{anna.pk}/andra/", edit_data(anna, phone="1")))
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(("page", "status"), [("list", 403), ("create", 403), ("card", 404), ("edit", 404)])
def test_no_role_is_refused(anna: Employee, nobody: Any, page: str, status: int) -> None:
    path = {
        "list": "/medarbetare/",
        "create": "/medarbetare/ny/",
        "card": f"/medarbetare/{anna.pk}/",
        "edit": f"/medarbetare/{anna.pk}/andra/",
    }[page]
    response = browser(nobody).get(path)
    assert response.status_code == status
    assert "Andersson" not in body(response)


def test_no_role_posts_change_nothing(org: Organisation, anna: Employee, nobody: Any) -> None:
    before = db_state()
    client = browser(nobody)
    assert client.post("/medarbetare/ny/", create_data(org)).status_code == 403
    assert client.post(f"/medarbetare/{anna.pk}/andra/", edit_data(anna, phone="1")).status_code == 404
    assert db_state() == before


@pytest.mark.parametrize(("page", "status"), [("list", 403), ("create", 403), ("card", 404), ("edit", 404)])
def test_medarbetare_cannot_reach_manager_pages(anna: Employee, staffer: Any, page: str, status: int) -> None:
    path = {
        "list": "/medarbetare/",
        "create": "/medarbetare/ny/",
        "card": f"/medarbetare/{anna.pk}/",
        "edit": f"/medarbetare/{anna.pk}/andra/",
    }[page]
    response = browser(staffer).get(path)
    assert response.status_code == status
    assert "Andersson" not in body(response)
    assert "070-123" not in body(response)


def test_medarbetare_sees_own_card_but_cannot_change_it(org: Organisation, anna: Employee, staffer: Any) -> None:
    own = Employee.objects.get(user=staffer)
    client = browser(staffer)
    response = client.get(f"/medarbetare/{own.pk}/")
    assert response.status_code == 200
    assert "<h1>Assi Stent</h1>" in body(response)
    assert f"/medarbetare/{own.pk}/andra/" not in body(response)
    before = db_state()
    assert client.get(f"/medarbetare/{own.pk}/andra/").status_code == 403
    assert client.post(f"/medarbetare/{own.pk}/andra/", edit_data(own, employment_rate="100")).status_code == 403
    assert client.post("/medarbetare/ny/", create_data(org)).status_code == 403
    assert db_state() == before


def test_controller_sees_but_cannot_change(anna: Employee, controller: Any) -> None:
    client = browser(controller)
    assert "Andersson, Anna" in body(client.get("/medarbetare/"))
    card = client.get(f"/medarbetare/{anna.pk}/")
    assert card.status_code == 200
    assert f"/medarbetare/{anna.pk}/andra/" not in body(card)
    before = db_state()
    assert client.get("/medarbetare/ny/").status_code == 403
    assert client.get(f"/medarbetare/{anna.pk}/andra/").status_code == 403
    assert client.post(f"/medarbetare/{anna.pk}/andra/", edit_data(anna, phone="1")).status_code == 403
    assert db_state() == before


# --- With permission --------------------------------------------------------------------------------


def test_list_with_permission(anna: Employee, olle: Employee, staffer: Any, manager: Any) -> None:
    response = browser(manager).get("/medarbetare/")
    assert response.status_code == 200
    html = body(response)
    assert "Andersson, Anna" in html
    assert "Stent, Assi" in html
    assert "Olsson" not in html
    assert 'href="/medarbetare/ny/"' in html


def test_list_search_and_ended_employments(org: Organisation, anna: Employee, manager: Any) -> None:
    services.employee_update(actor=SYSTEM, employee=anna, expected_version=None, end_date=datetime.date(2022, 1, 31))
    hire(org.provider, "Bo", "Berg")
    client = browser(manager)
    assert "Andersson" not in body(client.get("/medarbetare/"))
    assert "Andersson, Anna" in body(client.get("/medarbetare/", {"alla": "on"}))
    response = client.get("/medarbetare/", {"q": "berg", "alla": "on"}, headers={"HX-Request": "true"})
    assert "<html" not in body(response)
    assert "Berg, Bo" in body(response)
    assert "Anna" not in body(response)


def test_card_with_permission(anna: Employee, manager: Any) -> None:
    response = browser(manager).get(f"/medarbetare/{anna.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "<h1>Anna Andersson</h1>" in html
    assert formatted(ANNA) in html
    assert "Team Ek" in html
    assert f'href="/medarbetare/{anna.pk}/andra/"' in html


def test_create_with_permission(org: Organisation, manager: Any) -> None:
    response = browser(manager).post("/medarbetare/ny/", create_data(org, personnummer_input=formatted(NINA)))
    employee = Employee.objects.get(last_name="Nyström")
    assert response.status_code == 302
    assert response["Location"] == f"/medarbetare/{employee.pk}/"
    assert (employee.unit, employee.employment_type, str(employee.employment_rate)) == (
        org.provider,
        "vikariat",
        "75.00",
    )
    assert (employee.start_date, employee.end_date) == (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    assert employee.personnummer == NINA
    assert list(employee.teams.all()) == [org.team]
    event = AuditEvent.objects.get(action="employee.create", object_id=str(employee.pk))
    assert (event.actor, event.unit, event.new_values["teams"]) == (manager, org.provider, [org.team.pk])


def test_edit_with_permission(org: Organisation, anna: Employee, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/medarbetare/{anna.pk}/andra/")
    assert form.status_code == 200
    assert 'name="version" value="1"' in body(form)
    response = client.post(
        f"/medarbetare/{anna.pk}/andra/",
        edit_data(anna, phone="08-555 55", end_date="2026-12-31", teams=[org.other_team.pk]),
    )
    assert response.status_code == 302
    anna.refresh_from_db()
    assert (anna.phone, anna.end_date, anna.version) == ("08-555 55", datetime.date(2026, 12, 31), 2)
    assert list(anna.teams.all()) == [org.other_team]
    update = AuditEvent.objects.get(action="employee.update", object_id=str(anna.pk))
    assert update.actor == manager
    assert update.new_values == {"phone": "08-555 55", "end_date": "2026-12-31"}
    assert audit_count("employee.teams", actor=manager, object_id=str(anna.pk)) == 1


# --- With permission, in another unit ---------------------------------------------------------------


def test_list_in_another_unit_shows_only_its_staff(
    org: Organisation, anna: Employee, olle: Employee, other_manager: Any
) -> None:
    client = browser(other_manager)
    for params in ({}, {"q": "Anna"}, {"enhet": org.provider.pk}, {"alla": "on"}):
        response = client.get("/medarbetare/", params)
        assert response.status_code == 200
        assert "Andersson" not in body(response)
        assert f'href="/medarbetare/{anna.pk}/"' not in body(response)
    assert "Olsson, Olle" in body(client.get("/medarbetare/"))


@pytest.mark.parametrize("page", ["card", "edit"])
def test_pages_in_another_unit_are_not_found(anna: Employee, other_manager: Any, page: str) -> None:
    path = f"/medarbetare/{anna.pk}/" if page == "card" else f"/medarbetare/{anna.pk}/andra/"
    response = browser(other_manager).get(path)
    assert response.status_code == 404
    assert "Andersson" not in body(response)
    assert formatted(ANNA) not in body(response)


def test_posts_in_another_unit_change_nothing(org: Organisation, anna: Employee, other_manager: Any) -> None:
    before = db_state()
    client = browser(other_manager)
    assert client.post(f"/medarbetare/{anna.pk}/andra/", edit_data(anna, phone="1")).status_code == 404
    response = client.post("/medarbetare/ny/", create_data(org, teams=[]))
    assert response.status_code == 200
    assert "Enhet:" in body(response)
    assert db_state() == before


def test_create_with_a_team_of_another_unit_is_refused(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post("/medarbetare/ny/", create_data(org, teams=[org.other_unit_team.pk]))
    assert response.status_code == 200
    assert "Arbetsgrupper:" in body(response)
    assert db_state() == before


def test_unknown_employee_is_not_found(manager: Any) -> None:
    assert browser(manager).get("/medarbetare/987654/").status_code == 404


# --- Bad input --------------------------------------------------------------------------------------


def test_create_with_end_before_start(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        "/medarbetare/ny/", create_data(org, start_date="2025-06-01", end_date="2025-05-31")
    )
    assert response.status_code == 200
    assert "Slutdatum får inte vara före startdatum." in body(response)
    assert "Anställd till:" in body(response)
    assert db_state() == before
    assert audit_count("employee.create") == 0


def test_edit_with_end_before_start(anna: Employee, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(f"/medarbetare/{anna.pk}/andra/", edit_data(anna, end_date="2021-02-28"))
    assert response.status_code == 200
    assert "Anställd till: Slutdatum får inte vara före startdatum." in body(response)
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        ({"personnummer_input": "19900101-9801"}, "Personnummer: Ogiltigt personnummer: kontrollsiffran stämmer inte."),
        ({"personnummer_input": "nej"}, "Personnummer: Personnumret ska skrivas"),
        ({"employment_rate": "150"}, "Tjänstgöringsgrad (%):"),
        ({"employment_rate": "-1"}, "Tjänstgöringsgrad (%):"),
        ({"employment_rate": "1e400"}, "Tjänstgöringsgrad (%):"),
        ({"employment_rate": "NaN"}, "Tjänstgöringsgrad (%):"),
        ({"employment_type": "slav"}, "Anställningsform:"),
        ({"start_date": ""}, "Anställd från:"),
        ({"start_date": "2025-02-30"}, "Anställd från:"),
        ({"first_name": " "}, "Förnamn:"),
        ({"email": "nej"}, "E-post:"),
        ({"unit": "999999"}, "Enhet:"),
    ],
)
def test_create_bad_input_names_the_field(
    org: Organisation, manager: Any, overrides: dict[str, Any], text: str
) -> None:
    before = db_state()
    response = browser(manager).post("/medarbetare/ny/", create_data(org, **overrides))
    assert response.status_code == 200
    assert text in body(response)
    assert db_state() == before


def test_same_rate_typed_differently_is_no_change(anna: Employee, manager: Any) -> None:
    response = browser(manager).post(f"/medarbetare/{anna.pk}/andra/", edit_data(anna, employment_rate="100"))
    assert response.status_code == 302
    assert audit_count("employee.update") == 0


def test_stale_edit_shows_a_conflict_and_keeps_the_other_save(anna: Employee, manager: Any) -> None:
    client = browser(manager)
    assert 'name="version" value="1"' in body(client.get(f"/medarbetare/{anna.pk}/andra/"))
    stale = edit_data(anna, phone="08-111 11 11")
    services.employee_update(actor=SYSTEM, employee=anna, expected_version=1, phone="08-222 22 22")
    response = client.post(f"/medarbetare/{anna.pk}/andra/", stale)
    assert response.status_code == 200
    assert "Någon annan har ändrat" in body(response)
    anna.refresh_from_db()
    assert (anna.phone, anna.version) == ("08-222 22 22", 2)
    assert audit_count("employee.update", actor=manager) == 0


# --- Query budget -----------------------------------------------------------------------------------

# Session read, user, memberships, grants, unit choices, employees (count and page), their teams (one
# prefetch), and the session save (three statements with its savepoint).
EMPLOYEE_LIST_QUERIES = 11


def test_employee_list_query_budget(org: Organisation, manager: Any, django_assert_max_num_queries: Any) -> None:
    def add(first: int, last: int) -> None:
        for n in range(first, last + 1):
            hire(org.provider, f"Namn{n}", "Efternamn", teams=[org.team, org.other_team] if n % 2 else [org.team])

    client = browser(manager)
    add(1, 10)
    client.get("/medarbetare/")  # warm up
    with CaptureQueriesContext(connection) as ten:
        assert body(client.get("/medarbetare/")).count("Efternamn, Namn") == 10
    add(11, 30)
    with django_assert_max_num_queries(EMPLOYEE_LIST_QUERIES):
        assert body(client.get("/medarbetare/")).count("Efternamn, Namn") == 30
    with CaptureQueriesContext(connection) as thirty:
        client.get("/medarbetare/")
    assert len(ten) == len(thirty) <= EMPLOYEE_LIST_QUERIES
