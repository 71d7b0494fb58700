"""The absence register and registering, correcting, ending and cancelling an absence, each four ways
(anonymous, no permission, permission, permission in another unit); filters; a stale save; bad input with
nothing saved; and the register's query budget."""

from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.core.testing import Organisation
from bista.core.tests.pages import LOGIN, FourWays, browser
from bista.staff import services
from bista.staff.models import Absence, Employee
from bista.staff.tests.support import D, add_absence, hire, staff_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

REGISTER = "/medarbetare/franvaro/"
ABSENCE_REGISTER_QUERIES = 11


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team])


@pytest.fixture
def olle(org: Organisation) -> Employee:
    return hire(org.other_unit, "Olle", "Olsson", teams=[org.other_unit_team])


@pytest.fixture
def sick(eva: Employee) -> Absence:
    return add_absence(eva, D(2025, 3, 3))


def body(response: Any) -> str:
    return response.content.decode()


# --- The register -------------------------------------------------------------------------------------------


def test_register_four_ways(eva: Employee, olle: Employee, four_ways: FourWays) -> None:
    add_absence(eva, D(2025, 3, 3), D(2025, 3, 7))
    add_absence(olle, D(2025, 4, 1), D(2025, 4, 2), kind="vacation")
    anonymous = four_ways.anonymous.get(REGISTER)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN)
    assert four_ways.no_permission.get(REGISTER).status_code == 403
    mine = body(four_ways.permission.get(REGISTER))
    assert "Berg, Eva" in mine and "Olsson" not in mine
    theirs = body(four_ways.other_unit.get(REGISTER))
    assert "Olsson, Olle" in theirs and "Berg" not in theirs
    # Asking for the other unit by id is refused, not answered with its absences.
    assert four_ways.other_unit.get(REGISTER, {"enhet": eva.unit_id}).status_code == 403


def test_a_staffer_has_no_register_even_with_own_absences(staffer: Any) -> None:
    add_absence(Employee.objects.get(user=staffer), D(2025, 3, 3), D(2025, 3, 4))
    assert browser(staffer).get(REGISTER).status_code == 403


def test_register_filters(org: Organisation, eva: Employee, manager: Any) -> None:
    bo = hire(org.provider, "Bo", "Björk", teams=[org.other_team])
    add_absence(eva, D(2025, 3, 3), D(2025, 3, 7))
    add_absence(eva, D(2025, 6, 1), D(2025, 6, 20), kind="vacation")
    add_absence(bo, D(2025, 3, 10))  # ongoing
    cancelled = add_absence(bo, D(2024, 1, 1), D(2024, 1, 2), kind="other")
    services.absence_cancel(actor=manager, absence=cancelled)
    client = browser(manager)

    def rows(**params: Any) -> list[str]:
        page = client.get(REGISTER, params)
        assert page.status_code == 200
        return [
            line.split(">")[2].split("<")[0]
            for line in body(page).splitlines()
            if 'data-label="Medarbetare"' in line and "<a " in line
        ]

    assert rows() == ["Berg, Eva", "Björk, Bo", "Berg, Eva"]
    assert rows(typ="sick") == ["Björk, Bo", "Berg, Eva"]
    assert rows(arbetsgrupp=org.other_team.pk) == ["Björk, Bo"]
    assert rows(fran="2025-05-01") == ["Berg, Eva", "Björk, Bo"]  # the ongoing one runs on
    assert rows(fran="2025-03-01", till="2025-03-31") == ["Björk, Bo", "Berg, Eva"]
    assert rows(makulerade="on", typ="other") == ["Björk, Bo"]
    bad = client.get(REGISTER, {"fran": "2025-04-01", "till": "2025-03-01", "arbetsgrupp": "x"})
    assert bad.status_code == 200 and "Slutdatum får inte vara före startdatum." in body(bad)


def test_register_query_budget(org: Organisation, manager: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(30):
        person = hire(org.provider, f"Person{number}", "Test", teams=[org.team])
        add_absence(person, D(2025, 3, 3), D(2025, 3, 4 + number % 5))
        services.absence_cancel(actor=manager, absence=add_absence(person, D(2025, 5, 1)))
    client = browser(manager)
    client.get(REGISTER)
    with django_assert_max_num_queries(ABSENCE_REGISTER_QUERIES):
        assert client.get(REGISTER, {"makulerade": "on"}).status_code == 200


# --- Register an absence ------------------------------------------------------------------------------------


def create_data(employee: Employee, **overrides: Any) -> dict[str, Any]:
    return {
        "employee": employee.pk,
        "kind": "sick",
        "starts_on": "2025-03-03",
        "ends_on": "",
        "extent": "100",
        "note": "",
        **overrides,
    }


def test_create_with_permission(eva: Employee, manager: Any) -> None:
    client = browser(manager)
    page = client.get(f"{REGISTER}ny/?medarbetare={eva.pk}")
    assert page.status_code == 200 and f'<option value="{eva.pk}" selected>' in body(page)
    response = client.post(f"{REGISTER}ny/", create_data(eva, ends_on="2025-03-07", extent="50"))
    assert response.status_code == 302 and response["Location"] == REGISTER
    absence = Absence.objects.get(employee=eva)
    assert (absence.ends_on, absence.extent, absence.recorded_by) == (D(2025, 3, 7), 50, manager)


def test_create_refused_four_ways(eva: Employee, olle: Employee, four_ways: FourWays) -> None:
    before = staff_state()
    assert four_ways.anonymous.post(f"{REGISTER}ny/", create_data(eva))["Location"].startswith(LOGIN)
    assert four_ways.no_permission.get(f"{REGISTER}ny/").status_code == 403
    assert four_ways.no_permission.post(f"{REGISTER}ny/", create_data(eva)).status_code == 403
    other = four_ways.other_unit.post(f"{REGISTER}ny/", create_data(eva))
    assert other.status_code == 200 and "Välj ett giltigt alternativ" in body(other)
    assert str(eva.pk) not in body(four_ways.other_unit.get(f"{REGISTER}ny/")).split('name="employee"')[1][:200]
    assert staff_state() == before


def test_an_overlapping_absence_names_the_field_and_saves_nothing(eva: Employee, sick: Absence, manager: Any) -> None:
    before = staff_state()
    response = browser(manager).post(f"{REGISTER}ny/", create_data(eva, kind="vacation", starts_on="2025-06-01"))
    html = body(response)
    assert response.status_code == 200
    assert "Från:" in html and "Eva Berg har redan frånvaro som överlappar: Sjukfrånvaro 2025-03-03 – pågående" in html
    assert staff_state() == before


# --- Correct, end, cancel -----------------------------------------------------------------------------------


def action_paths(absence: Absence) -> dict[str, str]:
    return {
        "edit": f"{REGISTER}{absence.pk}/andra/",
        "end": f"{REGISTER}{absence.pk}/avsluta/",
        "cancel": f"{REGISTER}{absence.pk}/makulera/",
    }


def action_data(name: str) -> dict[str, Any]:
    return {
        "edit": {
            "kind": "sick",
            "starts_on": "2025-03-03",
            "ends_on": "",
            "extent": "50",
            "note": "Halvtid",
            "version": 1,
        },
        "end": {"ends_on": "2025-03-20", "version": 1},
        "cancel": {"version": 1},
    }[name]


@pytest.mark.parametrize("name", ["edit", "end", "cancel"])
def test_actions_with_permission(sick: Absence, manager: Any, name: str) -> None:
    client = browser(manager)
    path = action_paths(sick)[name]
    assert client.get(path).status_code == 200
    response = client.post(path, action_data(name))
    assert response.status_code == 302 and response["Location"] == REGISTER
    sick.refresh_from_db()
    assert sick.version == 2
    assert {"edit": sick.extent == 50, "end": sick.ends_on == D(2025, 3, 20), "cancel": sick.cancelled_at}[name]


@pytest.mark.parametrize("name", ["edit", "end", "cancel"])
def test_actions_refused_four_ways(sick: Absence, nobody: Any, other_manager: Any, staffer: Any, name: str) -> None:
    before = staff_state()
    path = action_paths(sick)[name]
    assert HttpClient().post(path, action_data(name))["Location"].startswith(LOGIN)
    for user in (nobody, other_manager, staffer):
        assert browser(user).get(path).status_code == 404
        assert browser(user).post(path, action_data(name)).status_code == 404
    assert staff_state() == before


def test_the_employee_sees_but_cannot_change_their_own_absence(staffer: Any) -> None:
    own = add_absence(Employee.objects.get(user=staffer), D(2025, 3, 3))
    before = staff_state()
    for name, path in action_paths(own).items():
        assert browser(staffer).post(path, action_data(name)).status_code == 403
    assert staff_state() == before


def test_a_stale_correction_is_a_conflict_with_the_input_kept(sick: Absence, manager: Any) -> None:
    services.absence_update(actor=manager, absence=sick, version=1, note="Någon annan")
    before = staff_state()
    response = browser(manager).post(action_paths(sick)["edit"], action_data("edit"))
    assert response.status_code == 409
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html and 'value="Halvtid"' in html and 'value="2"' in html
    assert staff_state() == before


def test_end_a_finished_absence_is_refused_with_a_message(eva: Employee, manager: Any) -> None:
    done = add_absence(eva, D(2025, 3, 3), D(2025, 3, 5))
    before = staff_state()
    response = browser(manager).post(action_paths(done)["end"], {"ends_on": "2025-03-09", "version": 1})
    assert response.status_code == 200 and "Frånvaron har redan ett slutdatum (2025-03-05)." in body(response)
    assert staff_state() == before


def test_a_cancelled_absence_cannot_be_cancelled_again(sick: Absence, manager: Any) -> None:
    services.absence_cancel(actor=manager, absence=sick)
    before = staff_state()
    response = browser(manager).post(action_paths(sick)["cancel"], {"version": 2})
    assert response.status_code == 200 and "Frånvaron är redan makulerad." in body(response)
    assert staff_state() == before
