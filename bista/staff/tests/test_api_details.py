"""The API for an employee's details (terms, competences, delegations, introductions, appraisals), the
reference lists, and a client's staffing: each endpoint four ways (anonymous, no permission, permission,
another unit), plus bad input answered with machine-readable 4xx errors and nothing saved."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import error, get, post, session_client, text
from bista.staff import services
from bista.staff.models import Employee
from bista.staff.tests.support import (
    D,
    add_delegation,
    add_term,
    client_in,
    competence,
    delegation_kind,
    hire,
    log_count,
    regime,
    staff_state,
)

pytestmark = pytest.mark.django_db

PLAN = "Gå kurs i lågaffektivt bemötande."


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team])


@pytest.fixture
def kim(org: Organisation) -> Any:
    return client_in(org.provider, "Kim", "Kund", teams=[org.team])


@pytest.fixture
def controller(org: Organisation, user_factory: Any) -> Any:
    return user_factory("controller", RoleCode.CONTROLLER, district=org.district)


def bodies(kim: Any) -> dict[str, dict[str, Any]]:
    today = timezone.localdate()
    return {
        "terms": {
            "employment_type": "vikariat",
            "employment_rate": "80",
            "regime_id": regime().pk,
            "starts_on": "2024-01-01",
        },
        "competences": {"competence_id": competence().pk, "evidence": "Intyg", "acquired_on": "2024-02-01"},
        "delegations": {
            "kind_id": delegation_kind().pk,
            "client_id": kim.pk,
            "delegated_by": "Sjuksköterska Sara",
            "valid_from": today.isoformat(),
            "valid_until": (today + datetime.timedelta(days=100)).isoformat(),
        },
        "introductions": {"client_id": kim.pk, "completed_on": "2025-01-10", "introduced_by": "Kalle"},
        "appraisals": {"held_on": "2025-05-05", "development_plan": PLAN},
    }


KINDS = ["terms", "competences", "delegations", "introductions", "appraisals"]


def fill(eva: Employee, kim: Any) -> None:
    add_term(eva, D(2020, 1, 1))
    services.competence_add(
        actor=SYSTEM, employee=eva, competence=competence(), evidence="Kurs", acquired_on=D(2024, 3, 1)
    )
    add_delegation(eva, D(2025, 1, 1), D(2025, 12, 31), client=kim)
    services.introduction_record(actor=SYSTEM, employee=eva, client=kim, completed_on=D(2025, 1, 10))
    services.appraisal_record(actor=SYSTEM, employee=eva, held_on=D(2025, 5, 5), development_plan=PLAN)


@pytest.mark.parametrize("kind", KINDS)
def test_list_four_ways(eva: Employee, kim: Any, nobody: Any, manager: Any, other_manager: Any, kind: str) -> None:
    fill(eva, kim)
    path = f"/employees/{eva.pk}/{kind}"
    assert get(Client(), path).status_code == 401
    for user in (nobody, other_manager):
        response = get(session_client(user), path)
        assert response.status_code == 404 and error(response)["code"] == "not_found"
    response = get(session_client(manager), path)
    assert response.status_code == 200 and len(response.json()) == 1
    assert response.json()[0]["employee_id"] == eva.pk


def test_list_contents(eva: Employee, kim: Any, manager: Any) -> None:
    fill(eva, kim)
    client = session_client(manager)
    term = get(client, f"/employees/{eva.pk}/terms").json()[0]
    assert (term["regime_code"], term["starts_on"], term["ends_on"]) == ("ab_bilaga_j", "2020-01-01", None)
    delegation = get(client, f"/employees/{eva.pk}/delegations").json()[0]
    assert (delegation["kind_code"], delegation["client_id"], delegation["valid_until"]) == (
        "insulin",
        kim.pk,
        "2025-12-31",
    )
    assert get(client, f"/employees/{eva.pk}/competences").json()[0]["competence_code"] == "epilepsi"
    assert get(client, f"/employees/{eva.pk}/appraisals").json()[0]["development_plan"] == PLAN


def test_plans_only_for_managers_and_the_employee(
    org: Organisation, eva: Employee, controller: Any, staffer: Any
) -> None:
    services.appraisal_record(actor=SYSTEM, employee=eva, held_on=D(2025, 5, 5), development_plan=PLAN)
    [row] = get(session_client(controller), f"/employees/{eva.pk}/appraisals").json()
    assert row["development_plan"] is None and row["held_on"] == "2025-05-05"
    own = Employee.objects.get(user=staffer)
    services.appraisal_record(actor=SYSTEM, employee=own, held_on=D(2025, 5, 5), development_plan="Egen plan")
    [mine] = get(session_client(staffer), f"/employees/{own.pk}/appraisals").json()
    assert mine["development_plan"] == "Egen plan"


@pytest.mark.parametrize("kind", KINDS)
def test_create_with_permission(eva: Employee, kim: Any, manager: Any, kind: str) -> None:
    response = post(session_client(manager), f"/employees/{eva.pk}/{kind}", bodies(kim)[kind])
    assert response.status_code == 201, response.json()
    assert response.json()["employee_id"] == eva.pk


@pytest.mark.parametrize("kind", KINDS)
def test_create_refused_four_ways(
    eva: Employee, kim: Any, nobody: Any, other_manager: Any, controller: Any, kind: str
) -> None:
    before = staff_state()
    path = f"/employees/{eva.pk}/{kind}"
    body = bodies(kim)[kind]
    assert post(Client(), path, body).status_code == 401
    for user in (nobody, other_manager):
        assert post(session_client(user), path, body).status_code == 404
    response = post(session_client(controller), path, body)
    assert response.status_code == 403 and error(response)["code"] == "forbidden"
    assert staff_state() == before


def test_the_employee_cannot_add_to_their_own_details(staffer: Any, kim: Any) -> None:
    own = Employee.objects.get(user=staffer)
    before = staff_state()
    response = post(session_client(staffer), f"/employees/{own.pk}/appraisals", bodies(kim)["appraisals"])
    assert response.status_code == 403 and staff_state() == before


@pytest.mark.parametrize(
    ("kind", "changes", "field", "code"),
    [
        ("terms", {"starts_on": "2019-01-01"}, "starts_on", "before_employment"),
        ("terms", {"regime_id": 999999}, "regime_id", "does_not_exist"),
        ("terms", {"employment_rate": "100.001"}, "employment_rate", "decimal_max_digits"),
        ("competences", {"evidence": " "}, "evidence", "required"),
        ("competences", {"competence_id": 999999}, "competence_id", "does_not_exist"),
        ("delegations", {"valid_from": "2025-01-15", "valid_until": "2026-01-15"}, "valid_until", "too_long"),
        ("delegations", {"kind_id": 999999}, "kind_id", "does_not_exist"),
        # next year: in the future, yet within the plausible range (2999 is refused before the service looks)
        ("introductions", {"completed_on": f"{datetime.date.today().year + 1}-01-01"}, "completed_on", "in_future"),
        ("introductions", {"completed_on": "2999-01-01"}, "completed_on", "out_of_range"),
        ("appraisals", {"development_plan": ""}, "development_plan", "required"),
        ("appraisals", {"held_on": "2025-02-30"}, "held_on", "date_from_datetime_parsing"),
        ("appraisals", {"extra": 1}, "extra", "extra_forbidden"),
    ],
)
def test_bad_input(eva: Employee, kim: Any, manager: Any, kind: str, changes: Any, field: str, code: str) -> None:
    before = staff_state()
    response = post(session_client(manager), f"/employees/{eva.pk}/{kind}", bodies(kim)[kind] | changes)
    assert response.status_code == 422
    found = error(response)
    assert found["code"] == "validation" and [e["code"] for e in found["fields"][field]] == [code], found
    assert staff_state() == before


def test_a_client_the_user_does_not_see_is_not_found(org: Organisation, eva: Employee, manager: Any) -> None:
    elsewhere = client_in(org.other_unit, "Ulla", "Utanför")
    response = post(session_client(manager), f"/employees/{eva.pk}/introductions", bodies(elsewhere)["introductions"])
    assert response.status_code == 422
    assert [e["code"] for e in error(response)["fields"]["client_id"]] == ["does_not_exist"]


def test_revoke_four_ways(eva: Employee, nobody: Any, manager: Any, other_manager: Any, controller: Any) -> None:
    held = services.competence_add(
        actor=SYSTEM, employee=eva, competence=competence(), evidence="Kurs", acquired_on=D(2024, 3, 1)
    )
    delegation = add_delegation(eva, D(2025, 1, 1), D(2025, 12, 31))
    paths = [
        f"/employees/{eva.pk}/competences/{held.pk}/revoke",
        f"/employees/{eva.pk}/delegations/{delegation.pk}/revoke",
    ]
    before = staff_state()
    for path in paths:
        assert post(Client(), path, {"revoked_on": "2025-06-01"}).status_code == 401
        for user in (nobody, other_manager):
            assert post(session_client(user), path, {"revoked_on": "2025-06-01"}).status_code == 404
        assert post(session_client(controller), path, {"revoked_on": "2025-06-01"}).status_code == 403
    assert staff_state() == before
    manager_client = session_client(manager)
    for path in paths:
        response = post(manager_client, path, {"revoked_on": "2025-06-01"})
        assert response.status_code == 200 and response.json()["revoked_on"] == "2025-06-01"
        again = post(manager_client, path, {"revoked_on": "2025-07-01"})
        assert again.status_code == 422 and error(again)["fields"]["revoked_on"][0]["code"] == "already_revoked"
    other = hire(eva.unit, "Bo", "Björk")
    assert (
        post(
            manager_client, f"/employees/{other.pk}/competences/{held.pk}/revoke", {"revoked_on": "2025-06-01"}
        ).status_code
        == 404
    )


def test_reference_lists(manager: Any, nobody: Any) -> None:
    assert get(Client(), "/competences").status_code == 401
    codes = [row["code"] for row in get(session_client(nobody), "/competences").json()]
    assert "epilepsi" in codes
    assert "insulin" in [row["code"] for row in get(session_client(manager), "/delegation-kinds").json()]
    assert {"ab", "ab_bilaga_j", "atl"} <= {
        row["code"] for row in get(session_client(manager), "/working-time-regimes").json()
    }


# --- A client's staffing ------------------------------------------------------------------------------------


def test_staffing_four_ways(
    org: Organisation, eva: Employee, kim: Any, nobody: Any, manager: Any, other_manager: Any, staffer: Any
) -> None:
    services.client_staff_choice_add(actor=SYSTEM, client=kim, employee=eva, kind="chosen", since=D(2025, 1, 1))
    services.client_competence_need_add(actor=SYSTEM, client=kim, competence=competence(), since=D(2025, 1, 1))
    services.introduction_record(actor=SYSTEM, employee=eva, client=kim, completed_on=D(2025, 1, 10))
    path = f"/clients/{kim.pk}/staffing"
    assert get(Client(), path).status_code == 401
    for user in (nobody, other_manager):
        response = get(session_client(user), path)
        assert response.status_code == 404 and "Berg" not in text(response)
    assert get(session_client(staffer), path).status_code == 403
    assert log_count(kim) == 0
    response = get(session_client(manager), path)
    assert response.status_code == 200
    data = response.json()
    assert [(c["employee_id"], c["kind"]) for c in data["choices"]] == [(eva.pk, "chosen")]
    assert data["competence_needs"][0]["competence_id"] == competence().pk
    assert data["introduced_employee_ids"] == [eva.pk]
    assert log_count(kim) == 1


def test_staffing_writes_four_ways(
    eva: Employee, kim: Any, nobody: Any, manager: Any, other_manager: Any, staffer: Any
) -> None:
    writes = [
        (f"/clients/{kim.pk}/staff-choices", {"employee_id": eva.pk, "kind": "excluded", "since": "2025-03-01"}),
        (f"/clients/{kim.pk}/competence-needs", {"delegation_kind_id": delegation_kind().pk, "since": "2025-03-01"}),
    ]
    before = staff_state()
    for path, body in writes:
        assert post(Client(), path, body).status_code == 401
        for user in (nobody, other_manager):
            assert post(session_client(user), path, body).status_code == 404
        assert post(session_client(staffer), path, body).status_code == 403
    assert staff_state() == before
    client = session_client(manager)
    choice = post(client, *writes[0])
    need = post(client, *writes[1])
    assert choice.status_code == need.status_code == 201
    ended = post(client, f"/clients/{kim.pk}/staff-choices/{choice.json()['id']}/end", {"until": "2025-06-30"})
    assert ended.status_code == 200 and ended.json()["until"] == "2025-06-30"
    ended = post(client, f"/clients/{kim.pk}/competence-needs/{need.json()['id']}/end", {"until": "2025-06-30"})
    assert ended.status_code == 200 and ended.json()["until"] == "2025-06-30"
    for user in (nobody, other_manager):
        assert (
            post(
                session_client(user),
                f"/clients/{kim.pk}/competence-needs/{need.json()['id']}/end",
                {"until": "2025-07-01"},
            ).status_code
            == 404
        )


def test_staffing_bad_input(org: Organisation, eva: Employee, kim: Any, manager: Any) -> None:
    client = session_client(manager)
    before = staff_state()
    olle = hire(org.other_unit, "Olle", "Olsson")
    before = staff_state()
    response = post(
        client, f"/clients/{kim.pk}/staff-choices", {"employee_id": olle.pk, "kind": "chosen", "since": "2025-03-01"}
    )
    assert response.status_code == 422 and error(response)["fields"]["employee_id"][0]["code"] == "does_not_exist"
    response = post(
        client, f"/clients/{kim.pk}/staff-choices", {"employee_id": eva.pk, "kind": "kanske", "since": "2025-03-01"}
    )
    assert response.status_code == 422 and error(response)["fields"]["kind"][0]["code"] == "invalid_choice"
    response = post(client, f"/clients/{kim.pk}/competence-needs", {"since": "2025-03-01"})
    assert response.status_code == 422 and error(response)["fields"]["competence_id"][0]["code"] == "one_kind"
    assert staff_state() == before
