"""The employee's card with its details and the forms that add to them, each four ways (anonymous, no
permission, permission, permission in another unit), plus the employee themself, a controller who only
views, bad input with nothing saved, and the card's query budget."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.pages import LOGIN, browser
from bista.staff import services
from bista.staff.models import Delegation, Employee, EmployeeCompetence
from bista.staff.tests.support import (
    D,
    add_absence,
    add_delegation,
    add_term,
    client_in,
    competence,
    delegation_kind,
    hire,
    regime,
    staff_state,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

PLAN = "Gå kurs i lågaffektivt bemötande."


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team])


@pytest.fixture
def kim(org: Organisation) -> Any:
    return client_in(org.provider, "Kim", "Kund", teams=[org.team])


@pytest.fixture
def controller(org: Organisation, user_factory: Any) -> Any:
    """Sees the district's employees (employee.view), no clients, changes nothing."""
    return user_factory("controller", RoleCode.CONTROLLER, district=org.district)


@pytest.fixture
def own(staffer: Any) -> Employee:
    return Employee.objects.get(user=staffer)


def body(response: Any) -> str:
    return response.content.decode()


def card(employee: Employee) -> str:
    return f"/medarbetare/{employee.pk}/"


def filled_card(eva: Employee, kim: Any) -> None:
    """A card with something in every section."""
    add_term(eva, D(2020, 1, 1))
    services.competence_add(
        actor=SYSTEM, employee=eva, competence=competence(), evidence="Kurs 2024", acquired_on=D(2024, 3, 1)
    )
    today = timezone.localdate()
    add_delegation(eva, today - datetime.timedelta(days=300), today + datetime.timedelta(days=12), client=kim)
    services.introduction_record(actor=SYSTEM, employee=eva, client=kim, completed_on=D(2025, 1, 10))
    services.appraisal_record(actor=SYSTEM, employee=eva, held_on=D(2025, 5, 5), development_plan=PLAN)
    add_absence(eva, D(2025, 3, 3), D(2025, 3, 20))


# --- The card -----------------------------------------------------------------------------------------------


def test_card_anonymous_is_sent_to_sign_in(eva: Employee) -> None:
    response = HttpClient().get(card(eva))
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next=")


def test_card_without_permission_or_in_another_unit_is_not_found(
    eva: Employee, nobody: Any, other_manager: Any
) -> None:
    for user in (nobody, other_manager):
        assert browser(user).get(card(eva)).status_code == 404


def test_card_with_permission_shows_every_section_and_its_forms(eva: Employee, kim: Any, manager: Any) -> None:
    filled_card(eva, kim)
    response = browser(manager).get(card(eva))
    assert response.status_code == 200
    html = body(response)
    for text in (
        "Arbetstidsregim",
        "AB med Bilaga J",
        "Epilepsi",
        "Kurs 2024",
        "Kim Kund",
        "Går snart ut",
        "12 dagar kvar",
        "1 delegering går ut inom 30 dagar",
        PLAN,
        "Sjukfrånvaro",
        "Från dag 1",
        "dag 1–14 till och med 2025-03-16",
        "Nästa medarbetarsamtal senast",
        "2026-05-05",
    ):
        assert text in html, text
    for action in ("villkor/", "kompetenser/", "delegeringar/", "introduktioner/", "medarbetarsamtal/"):
        assert f'action="{card(eva)}{action}"' in html
    assert "/aterkalla/" in html and "/medarbetare/franvaro/ny/?medarbetare=" in html


def test_a_controller_sees_the_details_but_no_plans_absences_client_names_or_forms(
    eva: Employee, kim: Any, controller: Any
) -> None:
    filled_card(eva, kim)
    html = body(browser(controller).get(card(eva)))
    assert "Epilepsi" in html and "Insulin" in html
    assert PLAN not in html and "Visas bara för chefer" in html
    assert "Kim Kund" not in html and "Brukare som du inte har behörighet att se" in html
    assert 'id="franvaro"' not in html
    assert "<form" not in html.split("<main", 1)[-1]


def test_the_employee_sees_their_own_plan_and_absences_but_cannot_change_them(own: Employee, staffer: Any) -> None:
    services.appraisal_record(actor=SYSTEM, employee=own, held_on=D(2025, 5, 5), development_plan=PLAN)
    add_absence(own, D(2025, 3, 3), D(2025, 3, 5))
    html = body(browser(staffer).get(card(own)))
    assert PLAN in html and 'id="franvaro"' in html and "2025-03-05" in html
    assert "Registrera frånvaro" not in html and "/aterkalla/" not in html and "Registrera kompetens" not in html


# --- Adding from the card -----------------------------------------------------------------------------------


def post_data(kind: str, kim: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "villkor": {
            "villkor-employment_type": "vikariat",
            "villkor-employment_rate": "80",
            "villkor-regime": regime().pk,
            "villkor-starts_on": "2024-01-01",
            "villkor-ends_on": "",
            "villkor-note": "",
        },
        "kompetenser": {
            "kompetens-competence": competence().pk,
            "kompetens-evidence": "Intyg",
            "kompetens-acquired_on": "2024-02-01",
        },
        "delegeringar": {
            "delegering-kind": delegation_kind().pk,
            "delegering-client": kim.pk,
            "delegering-delegated_by": "Sjuksköterska Sara",
            "delegering-valid_from": today.isoformat(),
            "delegering-valid_until": (today + datetime.timedelta(days=100)).isoformat(),
        },
        "introduktioner": {
            "introduktion-client": kim.pk,
            "introduktion-completed_on": "2025-01-10",
            "introduktion-introduced_by": "Kalle",
        },
        "medarbetarsamtal": {"samtal-held_on": "2025-05-05", "samtal-development_plan": PLAN},
    }[kind]


SECTIONS = ["villkor", "kompetenser", "delegeringar", "introduktioner", "medarbetarsamtal"]
STATE_KEY = {
    "villkor": "terms",
    "kompetenser": "competences",
    "delegeringar": "delegations",
    "introduktioner": "introductions",
    "medarbetarsamtal": "appraisals",
}


@pytest.mark.parametrize("section", SECTIONS)
def test_add_with_permission(eva: Employee, kim: Any, manager: Any, section: str) -> None:
    before = staff_state()
    response = browser(manager).post(f"{card(eva)}{section}/", post_data(section, kim))
    assert response.status_code == 302 and response["Location"] == f"{card(eva)}#{section}"
    assert staff_state()[STATE_KEY[section]] != before[STATE_KEY[section]]


@pytest.mark.parametrize("section", SECTIONS)
def test_add_refused_four_ways(
    eva: Employee, kim: Any, nobody: Any, other_manager: Any, controller: Any, section: str
) -> None:
    before = staff_state()
    path = f"{card(eva)}{section}/"
    data = post_data(section, kim)
    anonymous = HttpClient().post(path, data)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(LOGIN)
    assert browser(nobody).post(path, data).status_code == 404
    assert browser(other_manager).post(path, data).status_code == 404
    assert browser(controller).post(path, data).status_code == 403
    assert browser(nobody).get(path).status_code == 405
    assert staff_state() == before


def test_the_employee_cannot_add_to_their_own_card(own: Employee, staffer: Any) -> None:
    before = staff_state()
    response = browser(staffer).post(
        f"{card(own)}medarbetarsamtal/", {"samtal-held_on": "2025-05-05", "samtal-development_plan": "Egen plan"}
    )
    assert response.status_code == 403 and staff_state() == before


def test_a_refused_add_shows_the_form_open_with_the_error(eva: Employee, kim: Any, manager: Any) -> None:
    before = staff_state()
    data = post_data("delegeringar", kim) | {
        "delegering-valid_from": "2025-01-15",
        "delegering-valid_until": "2026-01-15",
    }
    response = browser(manager).post(f"{card(eva)}delegeringar/", data)
    assert response.status_code == 200
    html = body(response)
    assert "En delegering gäller högst ett år, här till och med 2026-01-14" in html
    assert '<details class="add-form" open>' in html
    assert staff_state() == before


def test_a_form_error_names_the_field(eva: Employee, kim: Any, manager: Any) -> None:
    before = staff_state()
    data = post_data("kompetenser", kim) | {"kompetens-evidence": "", "kompetens-acquired_on": "2024-02-31"}
    html = body(browser(manager).post(f"{card(eva)}kompetenser/", data))
    assert "Underlag:" in html and "Datum:" in html
    assert staff_state() == before


# --- Revoking from a row ------------------------------------------------------------------------------------


@pytest.fixture
def held(eva: Employee) -> EmployeeCompetence:
    return services.competence_add(
        actor=SYSTEM, employee=eva, competence=competence(), evidence="Kurs", acquired_on=D(2024, 3, 1)
    )


@pytest.fixture
def delegation(eva: Employee) -> Delegation:
    return add_delegation(eva, D(2025, 1, 1), D(2025, 12, 31))


def revoke_paths(held: EmployeeCompetence, delegation: Delegation) -> list[tuple[str, str]]:
    return [
        (f"/medarbetare/kompetenser/{held.pk}/aterkalla/", "kompetenser"),
        (f"/medarbetare/delegeringar/{delegation.pk}/aterkalla/", "delegeringar"),
    ]


def test_revoke_with_permission(eva: Employee, held: EmployeeCompetence, delegation: Delegation, manager: Any) -> None:
    for path, anchor in revoke_paths(held, delegation):
        response = browser(manager).post(path, {"revoked_on": "2025-06-01"})
        assert response.status_code == 302 and response["Location"] == f"{card(eva)}#{anchor}"
    held.refresh_from_db()
    delegation.refresh_from_db()
    assert held.revoked_on == D(2025, 6, 1) and delegation.revoked_on == D(2025, 6, 1)


def test_revoke_refused_four_ways(
    held: EmployeeCompetence, delegation: Delegation, nobody: Any, other_manager: Any, controller: Any
) -> None:
    before = staff_state()
    for path, _anchor in revoke_paths(held, delegation):
        assert HttpClient().post(path, {"revoked_on": "2025-06-01"})["Location"].startswith(LOGIN)
        assert browser(nobody).post(path, {"revoked_on": "2025-06-01"}).status_code == 404
        assert browser(other_manager).post(path, {"revoked_on": "2025-06-01"}).status_code == 404
        assert browser(controller).post(path, {"revoked_on": "2025-06-01"}).status_code == 403
    assert browser(nobody).post("/medarbetare/kompetenser/99999999/aterkalla/", {}).status_code == 404
    assert staff_state() == before


def test_a_refused_revocation_is_a_message_and_saves_nothing(
    eva: Employee, held: EmployeeCompetence, delegation: Delegation, manager: Any
) -> None:
    before = staff_state()
    client = browser(manager)
    client.post(f"/medarbetare/kompetenser/{held.pk}/aterkalla/", {"revoked_on": "2024-01-01"})
    client.post(f"/medarbetare/delegeringar/{delegation.pk}/aterkalla/", {"revoked_on": "inte ett datum"})
    html = body(client.get(card(eva)))
    assert "Kompetensen kunde inte återkallas: Datumet kan inte vara före kompetensens datum." in html
    assert "Delegeringen kunde inte återkallas: ange ett giltigt datum." in html
    assert staff_state() == before


# --- Query budget -------------------------------------------------------------------------------------------


def test_card_query_budget_does_not_grow_with_the_details(
    org: Organisation, eva: Employee, kim: Any, manager: Any
) -> None:
    filled_card(eva, kim)
    client = browser(manager)
    client.get(card(eva))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(card(eva)).status_code == 200
    lisa = client_in(org.provider, "Lisa", "Larsson")
    for number in range(6):
        services.competence_add(
            actor=SYSTEM,
            employee=eva,
            competence=competence(["autism", "lyft", "akk", "diabetes", "korkort", "teckensprak"][number]),
            evidence=f"Kurs {number}",
            acquired_on=D(2024, 3, 1),
        )
        add_delegation(eva, D(2020 + number, 1, 1), D(2020 + number, 6, 30), kind="lakemedel", client=lisa)
        services.appraisal_record(actor=SYSTEM, employee=eva, held_on=D(2020 + number, 2, 1), development_plan="Plan")
        add_absence(eva, D(2020 + number, 8, 1), D(2020 + number, 8, 3))
    services.introduction_record(actor=SYSTEM, employee=eva, client=lisa, completed_on=D(2025, 1, 10))
    with CaptureQueriesContext(connection) as many:
        assert client.get(card(eva)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 30
