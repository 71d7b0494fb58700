"""A client's staffing page (chosen and excluded staff, competence needs, who is introduced) and its forms,
each four ways; every read logged; the link from the client card; and the page's query budget."""

from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.clients.models import AccessLogEntry
from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.pages import LOGIN, browser
from bista.staff import services
from bista.staff.models import ClientCompetenceNeed, ClientStaffChoice, Employee
from bista.staff.tests.support import D, client_in, competence, delegation_kind, hire, log_count, staff_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

STAFFING_QUERIES = 16


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team])


@pytest.fixture
def kim(org: Organisation) -> Any:
    return client_in(org.provider, "Kim", "Kund", teams=[org.team])


@pytest.fixture
def choice(kim: Any, eva: Employee) -> ClientStaffChoice:
    return services.client_staff_choice_add(actor=SYSTEM, client=kim, employee=eva, kind="chosen", since=D(2025, 1, 1))


@pytest.fixture
def need(kim: Any) -> ClientCompetenceNeed:
    return services.client_competence_need_add(actor=SYSTEM, client=kim, competence=competence(), since=D(2025, 1, 1))


def body(response: Any) -> str:
    return response.content.decode()


def page(client: Any) -> str:
    return f"/medarbetare/brukare/{client.pk}/personal/"


def test_page_with_permission_shows_everything_and_logs_the_read(
    org: Organisation, kim: Any, eva: Employee, choice: ClientStaffChoice, need: ClientCompetenceNeed, manager: Any
) -> None:
    bo = hire(org.provider, "Bo", "Björk")
    services.client_staff_choice_add(actor=SYSTEM, client=kim, employee=bo, kind="excluded", since=D(2025, 2, 1))
    services.client_competence_need_add(
        actor=SYSTEM, client=kim, delegation_kind=delegation_kind(), since=D(2025, 1, 1)
    )
    services.introduction_record(actor=SYSTEM, employee=eva, client=kim, completed_on=D(2025, 1, 10))
    before = log_count(kim)
    response = browser(manager).get(page(kim))
    assert response.status_code == 200
    html = body(response)
    chosen, excluded = (
        html.split("Ska inte arbeta hos brukaren</h3>")[0],
        html.split("Ska inte arbeta hos brukaren</h3>")[1],
    )
    assert "Berg, Eva" in chosen and "Björk, Bo" in excluded.split("Kompetenskrav")[0]
    assert "Epilepsi" in html and "Insulin" in html and "Delegering" in html
    assert "Registrera val av personal" in html and "Registrera kompetenskrav" in html
    assert log_count(kim) == before + 1
    entry = AccessLogEntry.objects.filter(client=kim).order_by("-id").first()
    assert entry is not None and entry.actor == manager and entry.unit_id == org.provider.pk


def test_page_refused_four_ways(
    org: Organisation, kim: Any, nobody: Any, other_manager: Any, staffer: Any, user_factory: Any
) -> None:
    controller = user_factory("controller", RoleCode.CONTROLLER, district=org.district)
    anonymous = HttpClient().get(page(kim))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN)
    assert browser(nobody).get(page(kim)).status_code == 404
    assert browser(other_manager).get(page(kim)).status_code == 404
    assert browser(controller).get(page(kim)).status_code == 404  # sees staff, not clients
    assert browser(staffer).get(page(kim)).status_code == 403  # sees the client, not the staff
    assert browser(nobody).get("/medarbetare/brukare/99999999/personal/").status_code == 404
    assert log_count(kim) == 0


def choice_data(eva: Employee, **overrides: Any) -> dict[str, Any]:
    return {"val-employee": eva.pk, "val-kind": "excluded", "val-since": "2025-03-01", "val-until": "", **overrides}


def need_data(**overrides: Any) -> dict[str, Any]:
    return {
        "krav-competence": competence("autism").pk,
        "krav-delegation_kind": "",
        "krav-since": "2025-03-01",
        **overrides,
    }


def test_add_with_permission(kim: Any, eva: Employee, manager: Any) -> None:
    client = browser(manager)
    response = client.post(f"{page(kim)}val/", choice_data(eva))
    assert response.status_code == 302 and response["Location"] == f"{page(kim)}#val"
    response = client.post(f"{page(kim)}krav/", need_data())
    assert response.status_code == 302 and response["Location"] == f"{page(kim)}#krav"
    assert ClientStaffChoice.objects.get(client=kim).kind == "excluded"
    assert ClientCompetenceNeed.objects.get(client=kim).competence == competence("autism")


def test_add_refused_four_ways(kim: Any, eva: Employee, nobody: Any, other_manager: Any, staffer: Any) -> None:
    before = staff_state()
    for path, data in ((f"{page(kim)}val/", choice_data(eva)), (f"{page(kim)}krav/", need_data())):
        assert HttpClient().post(path, data)["Location"].startswith(LOGIN)
        assert browser(nobody).post(path, data).status_code == 404
        assert browser(other_manager).post(path, data).status_code == 404
        assert browser(staffer).post(path, data).status_code == 403
        assert browser(nobody).get(path).status_code == 405
    assert staff_state() == before


def test_bad_input_is_shown_and_saves_nothing(kim: Any, eva: Employee, choice: ClientStaffChoice, manager: Any) -> None:
    before = staff_state()
    client = browser(manager)
    overlap = body(client.post(f"{page(kim)}val/", choice_data(eva)))
    assert "Det finns redan ett val för Eva Berg" in overlap and '<details class="add-form" open>' in overlap
    neither = body(client.post(f"{page(kim)}krav/", need_data(**{"krav-competence": ""})))
    assert "Ange antingen en kompetens eller en delegering." in neither
    assert staff_state() == before


def test_end_with_permission_and_refused(
    kim: Any,
    choice: ClientStaffChoice,
    need: ClientCompetenceNeed,
    manager: Any,
    nobody: Any,
    other_manager: Any,
    staffer: Any,
) -> None:
    paths = [f"{page(kim)}val/{choice.pk}/avsluta/", f"{page(kim)}krav/{need.pk}/avsluta/"]
    before = staff_state()
    for path in paths:
        assert HttpClient().post(path, {"until": "2025-06-30"})["Location"].startswith(LOGIN)
        for user, status in ((nobody, 404), (other_manager, 404), (staffer, 403)):
            assert browser(user).post(path, {"until": "2025-06-30"}).status_code == status
    assert staff_state() == before
    client = browser(manager)
    assert client.post(paths[0], {"until": "2024-12-31"}).status_code == 302
    assert "Valet kunde inte avslutas: Slutdatum får inte vara före startdatum." in body(client.get(page(kim)))
    for path in paths:
        assert client.post(path, {"until": "2025-06-30"}).status_code == 302
    choice.refresh_from_db()
    need.refresh_from_db()
    assert choice.until == need.until == D(2025, 6, 30)
    # Another client's choice through this client's address: not found.
    lisa = client_in(kim.unit_links.first().unit, "Lisa")
    assert client.post(f"{page(lisa)}val/{choice.pk}/avsluta/", {"until": "2025-07-01"}).status_code == 404


def test_the_client_card_links_to_the_page_for_those_who_see_staff(kim: Any, manager: Any, staffer: Any) -> None:
    assert page(kim) in body(browser(manager).get(f"/brukare/{kim.pk}/"))
    assert page(kim) not in body(browser(staffer).get(f"/brukare/{kim.pk}/"))


def test_page_query_budget(org: Organisation, kim: Any, manager: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(15):
        person = hire(org.provider, f"Person{number}", "Test")
        services.client_staff_choice_add(
            actor=SYSTEM, client=kim, employee=person, kind="chosen" if number % 2 else "excluded", since=D(2025, 1, 1)
        )
        services.introduction_record(actor=SYSTEM, employee=person, client=kim, completed_on=D(2025, 1, 10))
    client = browser(manager)
    client.get(page(kim))
    with django_assert_max_num_queries(STAFFING_QUERIES):
        assert client.get(page(kim)).status_code == 200
