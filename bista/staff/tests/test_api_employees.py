"""The employees API, each endpoint four ways (anonymous, no permission, permission, another unit), plus
optimistic concurrency and bad input."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import Perm, RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import (
    audit_count,
    error,
    fake_personnummer,
    formatted,
    get,
    json_values,
    patch,
    post,
    session_client,
    text,
    token_client,
)
from bista.staff import services
from bista.staff.models import Employee

pytestmark = pytest.mark.django_db

EVA = fake_personnummer("19850412", 986)
NEW_NUMBER = fake_personnummer("19900101", 988)


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=EVA,
        first_name="Eva",
        last_name="Berg",
        employment_type="tillsvidare",
        employment_rate=Decimal("75"),
        start_date=datetime.date(2021, 3, 1),
        teams=[org.team],
        fictitious=True,
    )


@pytest.fixture
def colleague(org: Organisation, user_factory: Any) -> Any:
    """A medarbetare of the same unit: no employee permissions."""
    return user_factory("kollega", RoleCode.EMPLOYEE, org.provider)


def employee_state(employee: Employee) -> dict[str, Any]:
    fresh = Employee.objects.get(pk=employee.pk)
    fields = ("first_name", "employment_rate", "start_date", "end_date", "version")
    return {field: getattr(fresh, field) for field in fields} | {"teams": list(fresh.teams.all())}


def new_employee_body(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": org.provider.pk,
        "first_name": "Olle",
        "last_name": "Strand",
        "employment_type": "timavlonad",
        "start_date": "2024-06-01",
        "personnummer": NEW_NUMBER,
        "fictitious": True,
        **overrides,
    }


# --- List -------------------------------------------------------------------------------------------


def test_list_anonymous(eva: Employee) -> None:
    response = get(Client(), "/employees")
    assert response.status_code == 401
    assert "Eva" not in text(response)


def test_list_without_permission(eva: Employee, colleague: Any) -> None:
    response = get(session_client(colleague), "/employees")
    assert response.status_code == 403
    assert "Eva" not in text(response)


def test_list_with_permission(org: Organisation, eva: Employee, manager: Any) -> None:
    response = get(session_client(manager), "/employees")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": eva.pk,
                "personnummer": formatted(EVA),
                "first_name": "Eva",
                "last_name": "Berg",
                "gender": "O",
                "email": "",
                "phone": "",
                "unit_id": org.provider.pk,
                "team_ids": [org.team.pk],
                "employment_type": "tillsvidare",
                "employment_rate": "75.00",
                "start_date": "2021-03-01",
                "end_date": None,
                "fictitious": True,
                "version": 1,
            }
        ],
    }


def test_list_in_another_unit(org: Organisation, eva: Employee, other_manager: Any) -> None:
    client = session_client(other_manager)
    response = get(client, "/employees")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}
    for params in ({"unit_id": org.provider.pk}, {"team_id": org.team.pk}):
        response = get(client, "/employees", **params)
        assert response.status_code == 404
        assert "Eva" not in text(response)


def test_list_filters(org: Organisation, eva: Employee, manager: Any) -> None:
    services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        first_name="Olle",
        last_name="Strand",
        employment_type="timavlonad",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
        fictitious=True,
    )
    client = session_client(manager)
    assert get(client, "/employees").json()["count"] == 2
    assert [e["first_name"] for e in get(client, "/employees", q="oll").json()["items"]] == ["Olle"]
    assert [e["first_name"] for e in get(client, "/employees", team_id=org.team.pk).json()["items"]] == ["Eva"]
    assert [e["first_name"] for e in get(client, "/employees", current_only=True).json()["items"]] == ["Eva"]
    assert get(client, "/employees", limit=1).json()["count"] == 2


def test_list_query_budget(org: Organisation, eva: Employee, manager: Any, django_assert_num_queries: Any) -> None:
    client = session_client(manager)
    get(client, "/employees")  # warm up
    with django_assert_num_queries(QUERIES_PER_EMPLOYEE_LIST):
        assert get(client, "/employees").json()["count"] == 1
    for day in range(1, 11):
        services.employee_create(
            actor=SYSTEM,
            unit=org.provider,
            first_name=f"Namn{day}",
            last_name="Efternamn",
            employment_type="vikariat",
            start_date=datetime.date(2024, 1, day),
            teams=[org.team, org.other_team],
            fictitious=True,
        )
    with django_assert_num_queries(QUERIES_PER_EMPLOYEE_LIST):
        assert len(get(client, "/employees").json()["items"]) == 11


# What every request costs (session, user, two-factor device and check, access map) plus count, page and
# the teams prefetch: the same for one employee or eleven.
QUERIES_PER_EMPLOYEE_LIST = 8


# --- Read one ---------------------------------------------------------------------------------------


def test_get_four_ways(eva: Employee, colleague: Any, manager: Any, other_manager: Any) -> None:
    path = f"/employees/{eva.pk}"
    for client in (Client(), session_client(colleague), session_client(other_manager)):
        response = get(client, path)
        assert response.status_code in (401, 403, 404)
        assert "Eva" not in text(response)
        assert EVA[:8] not in text(response)
    response = get(session_client(manager), path)
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["personnummer"]) == ("Eva", formatted(EVA))


def test_employee_without_personnummer_shows_null(org: Organisation, manager: Any) -> None:
    employee = services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        first_name="Utan",
        last_name="Nummer",
        employment_type="vikariat",
        start_date=datetime.date(2024, 1, 1),
        fictitious=True,
    )
    assert get(session_client(manager), f"/employees/{employee.pk}").json()["personnummer"] is None


def test_own_record_is_visible_to_the_employee(org: Organisation, colleague: Any) -> None:
    own = services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        first_name="Kollega",
        last_name="Själv",
        employment_type="vikariat",
        start_date=datetime.date(2024, 1, 1),
        user=colleague,
        fictitious=True,
    )
    response = get(session_client(colleague), f"/employees/{own.pk}")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Kollega"


# --- Create -----------------------------------------------------------------------------------------


def test_create_anonymous(org: Organisation) -> None:
    assert post(Client(), "/employees", new_employee_body(org)).status_code == 401
    assert not Employee.objects.exists()


def test_create_without_permission(org: Organisation, colleague: Any) -> None:
    response = post(session_client(colleague), "/employees", new_employee_body(org))
    assert response.status_code == 403
    assert not Employee.objects.exists()


def test_create_with_permission(org: Organisation, manager: Any) -> None:
    body = new_employee_body(org, team_ids=[org.team.pk], employment_rate="62.5", end_date="2024-12-31")
    response = post(session_client(manager), "/employees", body)
    assert response.status_code == 201
    employee = Employee.objects.get()
    assert response.json()["id"] == employee.pk
    assert response.json()["personnummer"] == formatted(NEW_NUMBER)
    assert (employee.personnummer, employee.employment_rate, employee.end_date) == (
        NEW_NUMBER,
        Decimal("62.5"),
        datetime.date(2024, 12, 31),
    )
    assert list(employee.teams.all()) == [org.team]
    assert audit_count("employee.create", actor=manager, object_id=str(employee.pk), unit=org.provider) == 1


def test_create_in_another_unit(org: Organisation, other_manager: Any) -> None:
    response = post(session_client(other_manager), "/employees", new_employee_body(org))
    assert response.status_code == 403
    assert not Employee.objects.exists()
    assert audit_count("employee.create") == 0


def test_create_end_before_start_is_refused(org: Organisation, manager: Any) -> None:
    body = new_employee_body(org, start_date="2024-06-01", end_date="2024-05-31")
    response = post(session_client(manager), "/employees", body)
    assert response.status_code == 422
    details = error(response)
    messages = [item["message"] for items in details["fields"].values() for item in items]
    assert "Slutdatum får inte vara före startdatum." in messages
    assert not Employee.objects.exists()
    assert audit_count("employee.create") == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"personnummer": "19900101-0000"}, "personnummer"),
        ({"start_date": "2024-02-30"}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"employment_type": "konsult"}, "employment_type"),
        ({"employment_rate": "101"}, "employment_rate"),
        ({"employment_rate": "-1"}, "employment_rate"),
        ({"employment_rate": "NaN"}, "employment_rate"),
        ({"employment_rate": "1e400"}, "employment_rate"),
        ({"unit_id": 2**63}, "unit_id"),
        ({"team_ids": [0]}, "team_ids"),
        ({"first_name": "A\x00"}, "first_name"),
        ({"email": "a@"}, "email"),
        ({"user_id": 1}, "user_id"),
    ],
)
def test_create_bad_input(org: Organisation, manager: Any, overrides: dict[str, Any], field: str) -> None:
    response = post(session_client(manager), "/employees", new_employee_body(org, **overrides))
    assert response.status_code == 422
    details = error(response)
    assert field in details["fields"], details
    assert not Employee.objects.exists()


def test_create_with_team_of_another_unit(org: Organisation, manager: Any) -> None:
    response = post(session_client(manager), "/employees", new_employee_body(org, team_ids=[org.other_unit_team.pk]))
    assert response.status_code == 422
    assert "team_ids" in error(response)["fields"]
    assert not Employee.objects.exists()


EMPLOYEE_INPUT_FIELDS = [
    *("unit_id", "first_name", "last_name", "employment_type", "start_date", "end_date", "employment_rate"),
    *("personnummer", "gender", "email", "phone", "team_ids", "fictitious", "version", "unknown"),
]
NO_SERVER_ERRORS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@NO_SERVER_ERRORS
@given(changes=st.dictionaries(st.sampled_from(EMPLOYEE_INPUT_FIELDS), json_values(), max_size=4))
def test_create_never_answers_with_a_server_error(org: Organisation, manager: Any, changes: dict[str, Any]) -> None:
    response = post(session_client(manager), "/employees", new_employee_body(org) | changes)
    assert response.status_code in (201, 400, 403, 422), response.content
    if response.status_code != 201:
        assert error(response)["message"]


@NO_SERVER_ERRORS
@given(changes=st.dictionaries(st.sampled_from(EMPLOYEE_INPUT_FIELDS), json_values(), max_size=4))
def test_update_never_answers_with_a_server_error(eva: Employee, manager: Any, changes: dict[str, Any]) -> None:
    version = Employee.objects.get(pk=eva.pk).version
    response = patch(session_client(manager), f"/employees/{eva.pk}", {"version": version} | changes)
    assert response.status_code in (200, 400, 403, 409, 422), response.content
    if response.status_code != 200:
        assert error(response)["message"]


# --- Update -----------------------------------------------------------------------------------------


def test_update_anonymous(eva: Employee) -> None:
    before = employee_state(eva)
    assert patch(Client(), f"/employees/{eva.pk}", {"version": 1, "first_name": "X"}).status_code == 401
    assert employee_state(eva) == before


def test_update_without_permission(eva: Employee, colleague: Any) -> None:
    before = employee_state(eva)
    response = patch(session_client(colleague), f"/employees/{eva.pk}", {"version": 1, "first_name": "X"})
    assert response.status_code == 404  # not visible looks the same as missing
    assert employee_state(eva) == before
    assert audit_count("employee.update") == 0


def test_update_with_permission(org: Organisation, eva: Employee, manager: Any) -> None:
    body = {"version": 1, "employment_rate": 50, "end_date": "2025-12-31", "team_ids": [org.other_team.pk]}
    response = patch(session_client(manager), f"/employees/{eva.pk}", body)
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["team_ids"]) == (2, [org.other_team.pk])
    after = employee_state(eva)
    assert (after["employment_rate"], after["end_date"], after["teams"]) == (
        Decimal("50"),
        datetime.date(2025, 12, 31),
        [org.other_team],
    )
    event = AuditEvent.objects.get(action="employee.update", object_id=str(eva.pk))
    assert event.actor == manager
    assert event.new_values == {"employment_rate": "50.00", "end_date": "2025-12-31"}
    assert audit_count("employee.teams", actor=manager) == 1


def test_update_can_clear_end_date(eva: Employee, manager: Any) -> None:
    services.employee_update(actor=SYSTEM, employee=eva, expected_version=1, end_date=datetime.date(2030, 1, 1))
    response = patch(session_client(manager), f"/employees/{eva.pk}", {"version": 2, "end_date": None})
    assert response.status_code == 200
    assert employee_state(eva)["end_date"] is None


def test_update_in_another_unit(eva: Employee, other_manager: Any) -> None:
    before = employee_state(eva)
    response = patch(session_client(other_manager), f"/employees/{eva.pk}", {"version": 1, "first_name": "X"})
    assert response.status_code in (403, 404)
    assert "Eva" not in text(response)
    assert employee_state(eva) == before
    assert audit_count("employee.update") == 0


def test_update_stale_version_is_a_conflict(eva: Employee, manager: Any) -> None:
    services.employee_update(actor=SYSTEM, employee=eva, expected_version=1, phone="08-123")
    before = employee_state(eva)
    response = patch(session_client(manager), f"/employees/{eva.pk}", {"version": 1, "first_name": "X"})
    assert response.status_code == 409
    assert (error(response)["code"], error(response)["current_version"]) == ("conflict", 2)
    assert employee_state(eva) == before


def test_update_end_before_start_is_refused(eva: Employee, manager: Any) -> None:
    before = employee_state(eva)
    response = patch(session_client(manager), f"/employees/{eva.pk}", {"version": 1, "end_date": "2021-02-28"})
    assert response.status_code == 422
    assert employee_state(eva) == before


def test_update_bad_team_changes_nothing(org: Organisation, eva: Employee, manager: Any) -> None:
    before = employee_state(eva)
    body = {"version": 1, "first_name": "Evy", "team_ids": [org.other_unit_team.pk]}
    response = patch(session_client(manager), f"/employees/{eva.pk}", body)
    assert response.status_code == 422
    assert "team_ids" in error(response)["fields"]
    assert employee_state(eva) == before


# --- Tokens -----------------------------------------------------------------------------------------


def test_token_scopes_limit_employee_writes(org: Organisation, eva: Employee, manager: Any) -> None:
    client, _ = token_client(manager, [Perm.EMPLOYEE_VIEW])
    assert get(client, f"/employees/{eva.pk}").status_code == 200
    assert post(client, "/employees", new_employee_body(org)).status_code == 403
    assert Employee.objects.count() == 1
