"""The organisation API (units, teams), authentication and the error format, each endpoint four ways:
anonymous, no permission, permission, and permission but in another unit."""

from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bista.core import services
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent, Team, Unit
from bista.core.permissions import Perm, RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import (
    API,
    audit_count,
    error,
    get,
    json_values,
    patch,
    post,
    session_client,
    text,
    token_client,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee_user(org: Organisation, user_factory: Any) -> Any:
    return user_factory("medarbetare", RoleCode.EMPLOYEE, org.provider)


def unit_state(unit: Unit) -> tuple[str, bool]:
    unit.refresh_from_db()
    return unit.name, unit.is_active


def team_state(team: Team) -> tuple[str, str, bool]:
    team.refresh_from_db()
    return team.name, team.kind, team.is_active


# --- Units ------------------------------------------------------------------------------------------


def test_list_units_anonymous(org: Organisation) -> None:
    response = get(Client(), "/units")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"
    assert org.provider.name not in text(response)


def test_list_units_without_permission(org: Organisation, nobody: Any) -> None:
    response = get(session_client(nobody), "/units")
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert org.provider.name not in text(response)


def test_list_units_with_permission(org: Organisation, employee_user: Any) -> None:
    response = get(session_client(employee_user), "/units")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": org.provider.pk,
            "name": org.provider.name,
            "kind": "provider",
            "is_active": True,
            "department_id": org.department.pk,
            "district_id": org.district.pk,
        }
    ]


def test_list_units_only_own_units(org: Organisation, other_manager: Any) -> None:
    response = get(session_client(other_manager), "/units")
    assert response.status_code == 200
    assert [u["id"] for u in response.json()] == [org.other_unit.pk]


def test_get_unit_four_ways(org: Organisation, nobody: Any, employee_user: Any, other_manager: Any) -> None:
    path = f"/units/{org.provider.pk}"
    assert get(Client(), path).status_code == 401
    assert get(session_client(nobody), path).status_code == 404
    response = get(session_client(employee_user), path)
    assert response.status_code == 200
    assert response.json()["name"] == org.provider.name
    response = get(session_client(other_manager), path)
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert org.department.name not in text(response)


def test_create_unit_anonymous(org: Organisation) -> None:
    response = post(Client(), "/units", {"department_id": org.department.pk, "name": "Ny", "kind": "provider"})
    assert response.status_code == 401
    assert not Unit.objects.filter(name="Ny").exists()


def test_create_unit_without_permission(org: Organisation, employee_user: Any) -> None:
    client = session_client(employee_user)
    response = post(client, "/units", {"department_id": org.department.pk, "name": "Ny", "kind": "provider"})
    assert response.status_code == 403
    assert not Unit.objects.filter(name="Ny").exists()


def test_create_unit_with_permission(org: Organisation, manager: Any) -> None:
    client = session_client(manager)
    response = post(client, "/units", {"department_id": org.department.pk, "name": " Ny enhet ", "kind": "provider"})
    assert response.status_code == 201
    unit = Unit.objects.get(pk=response.json()["id"])
    assert (unit.name, unit.kind, unit.department) == ("Ny enhet", "provider", org.department)
    assert AuditEvent.objects.filter(action="unit.create", object_id=str(unit.pk), actor=manager).count() == 1


def test_create_unit_in_another_district(org: Organisation, other_manager: Any) -> None:
    client = session_client(other_manager)
    response = post(client, "/units", {"department_id": org.department.pk, "name": "Ny", "kind": "provider"})
    assert response.status_code == 403
    assert not Unit.objects.filter(name="Ny").exists()
    assert audit_count("unit.create", actor=other_manager) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ny", "kind": "provider"}, "department_id"),
        ({"department_id": 999999, "name": "Ny", "kind": "provider"}, "department_id"),
        ({"department_id": "x", "name": "Ny", "kind": "provider"}, "department_id"),
        ({"name": "Ny", "kind": "nonsense"}, "kind"),
        ({"name": "", "kind": "provider"}, "name"),
        ({"name": "Ny", "kind": "provider", "colour": "blå"}, "colour"),
    ],
)
def test_create_unit_bad_input(org: Organisation, manager: Any, body: dict[str, Any], field: str) -> None:
    body = {"department_id": org.department.pk, **body} if field not in {"department_id"} else body
    before = Unit.objects.count()
    response = post(session_client(manager), "/units", body)
    assert response.status_code == 422
    details = error(response)
    assert details["code"] == "validation"
    assert field in details["fields"]
    assert all(item["message"] and item["code"] for item in details["fields"][field])
    assert Unit.objects.count() == before


def test_create_unit_duplicate_name_is_a_non_field_error(org: Organisation, manager: Any) -> None:
    body = {"department_id": org.department.pk, "name": org.provider.name, "kind": "provider"}
    response = post(session_client(manager), "/units", body)
    assert response.status_code == 422
    assert "__all__" in error(response)["fields"]


def test_update_unit_four_ways(org: Organisation, employee_user: Any, manager: Any, other_manager: Any) -> None:
    path = f"/units/{org.provider.pk}"
    before = unit_state(org.provider)
    assert patch(Client(), path, {"name": "Bytt"}).status_code == 401
    assert patch(session_client(employee_user), path, {"name": "Bytt"}).status_code == 403
    response = patch(session_client(other_manager), path, {"name": "Bytt"})
    assert response.status_code == 404
    assert org.provider.name not in text(response)
    assert unit_state(org.provider) == before
    assert audit_count("unit.update") == 0

    response = patch(session_client(manager), path, {"name": "Bytt", "is_active": False})
    assert response.status_code == 200
    assert response.json()["name"] == "Bytt"
    assert unit_state(org.provider) == ("Bytt", False)
    event = AuditEvent.objects.get(action="unit.update", actor=manager)
    assert event.new_values == {"name": "Bytt", "is_active": False}


def test_update_unit_refuses_null(org: Organisation, manager: Any) -> None:
    response = patch(session_client(manager), f"/units/{org.provider.pk}", {"name": None})
    assert response.status_code == 422
    assert "name" in error(response)["fields"]
    assert unit_state(org.provider)[0] == "Enheten för personligt stöd"


# --- Teams ------------------------------------------------------------------------------------------


def test_list_teams_four_ways(org: Organisation, nobody: Any, employee_user: Any, other_manager: Any) -> None:
    assert get(Client(), "/teams").status_code == 401
    assert get(session_client(nobody), "/teams").status_code == 403
    response = get(session_client(employee_user), "/teams")
    assert response.status_code == 200
    assert {t["id"] for t in response.json()} == {org.team.pk, org.other_team.pk}
    response = get(session_client(other_manager), "/teams")
    assert [t["id"] for t in response.json()] == [org.other_unit_team.pk]
    response = get(session_client(other_manager), "/teams", unit_id=org.provider.pk)
    assert response.status_code == 404
    assert org.team.name not in text(response)


def test_list_teams_hides_inactive_unless_asked(org: Organisation, manager: Any) -> None:
    services.team_update(actor=SYSTEM, team=org.other_team, is_active=False)
    client = session_client(manager)
    assert [t["id"] for t in get(client, "/teams", unit_id=org.provider.pk).json()] == [org.team.pk]
    with_inactive = get(client, "/teams", unit_id=org.provider.pk, include_inactive=True).json()
    assert {t["id"] for t in with_inactive} == {org.team.pk, org.other_team.pk}


def test_get_team_four_ways(org: Organisation, nobody: Any, employee_user: Any, other_manager: Any) -> None:
    path = f"/teams/{org.team.pk}"
    assert get(Client(), path).status_code == 401
    assert get(session_client(nobody), path).status_code == 404
    response = get(session_client(employee_user), path)
    assert response.status_code == 200
    assert response.json() == {
        "id": org.team.pk,
        "unit_id": org.provider.pk,
        "name": "Team Ek",
        "kind": "assistance",
        "is_active": True,
    }
    response = get(session_client(other_manager), path)
    assert response.status_code == 404
    assert "Team Ek" not in text(response)


def test_create_team_four_ways(org: Organisation, employee_user: Any, manager: Any, other_manager: Any) -> None:
    body = {"unit_id": org.provider.pk, "name": "Team Al", "kind": "escort"}
    assert post(Client(), "/teams", body).status_code == 401
    assert post(session_client(employee_user), "/teams", body).status_code == 403
    assert post(session_client(other_manager), "/teams", body).status_code == 403
    assert not Team.objects.filter(name="Team Al").exists()

    response = post(session_client(manager), "/teams", body)
    assert response.status_code == 201
    team = Team.objects.get(name="Team Al")
    assert (team.unit, team.kind, response.json()["id"]) == (org.provider, "escort", team.pk)
    assert audit_count("team.create", actor=manager, object_id=str(team.pk)) == 1


def test_create_team_bad_input(org: Organisation, manager: Any) -> None:
    client = session_client(manager)
    response = post(client, "/teams", {"unit_id": 999999, "name": "Team Al"})
    assert response.status_code == 422
    assert error(response)["fields"]["unit_id"][0]["code"] == "does_not_exist"
    response = post(client, "/teams", {"unit_id": org.provider.pk, "name": "Team Al", "kind": "nonsense"})
    assert response.status_code == 422
    assert "kind" in error(response)["fields"]
    assert not Team.objects.filter(name="Team Al").exists()


def test_update_team_four_ways(org: Organisation, employee_user: Any, manager: Any, other_manager: Any) -> None:
    path = f"/teams/{org.team.pk}"
    before = team_state(org.team)
    assert patch(Client(), path, {"name": "Team Asp"}).status_code == 401
    assert patch(session_client(employee_user), path, {"name": "Team Asp"}).status_code == 403
    response = patch(session_client(other_manager), path, {"name": "Team Asp"})
    assert response.status_code == 404
    assert "Team Ek" not in text(response)
    assert team_state(org.team) == before
    assert audit_count("team.update") == 0

    response = patch(session_client(manager), path, {"name": "Team Asp", "kind": "respite"})
    assert response.status_code == 200
    assert team_state(org.team) == ("Team Asp", "respite", True)
    assert audit_count("team.update", actor=manager, object_id=str(org.team.pk)) == 1


NO_SERVER_ERRORS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ORG_FIELDS = ["department_id", "unit_id", "name", "kind", "is_active", "unknown"]


@NO_SERVER_ERRORS
@given(body=st.dictionaries(st.sampled_from(ORG_FIELDS), json_values(), max_size=4))
def test_org_writes_never_answer_with_a_server_error(org: Organisation, manager: Any, body: dict[str, Any]) -> None:
    client = session_client(manager)
    for response in (
        post(client, "/units", body),
        post(client, "/teams", body),
        patch(client, f"/units/{org.provider.pk}", body),
        patch(client, f"/teams/{org.team.pk}", body),
    ):
        assert response.status_code in (200, 201, 400, 403, 404, 422), response.content
        if response.status_code >= 400:
            assert error(response)["message"]


# --- Authentication ---------------------------------------------------------------------------------


def test_session_of_two_factor_role_must_be_verified(org: Organisation, manager: Any) -> None:
    response = get(session_client(manager, verified=False), "/units")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"
    assert org.provider.name not in text(response)


def test_two_factor_not_demanded_when_turned_off(org: Organisation, manager: Any, settings: Any) -> None:
    settings.BISTA_REQUIRE_2FA = False
    assert get(session_client(manager, verified=False), "/units").status_code == 200


def test_session_without_two_factor_role_needs_no_verification(org: Organisation, employee_user: Any) -> None:
    assert get(session_client(employee_user, verified=False), "/units").status_code == 200


def test_session_write_needs_csrf_token(org: Organisation, manager: Any) -> None:
    client = session_client(manager)
    client.handler.enforce_csrf_checks = True
    response = post(client, "/teams", {"unit_id": org.provider.pk, "name": "Team Al"})
    assert response.status_code == 403
    assert error(response)["code"] == "csrf_failed"
    assert not Team.objects.filter(name="Team Al").exists()


def test_token_acts_within_its_scopes(org: Organisation, manager: Any) -> None:
    client, _ = token_client(manager, [Perm.ORG_VIEW])
    client.handler.enforce_csrf_checks = True  # a token request needs no CSRF token
    assert [u["id"] for u in get(client, "/units").json()] == [org.provider.pk]
    response = post(client, "/teams", {"unit_id": org.provider.pk, "name": "Team Al"})
    assert response.status_code == 403
    assert not Team.objects.filter(name="Team Al").exists()


def test_token_with_manage_scope_can_write_without_csrf(org: Organisation, manager: Any) -> None:
    client, _ = token_client(manager, [Perm.ORG_VIEW, Perm.ORG_MANAGE])
    client.handler.enforce_csrf_checks = True
    response = post(client, "/teams", {"unit_id": org.provider.pk, "name": "Team Al"})
    assert response.status_code == 201
    assert audit_count("team.create", actor=manager) == 1


def test_revoked_token_is_refused(org: Organisation, manager: Any) -> None:
    client, token = token_client(manager, [Perm.ORG_VIEW])
    services.api_token_revoke(actor=manager, token=token)
    response = get(client, "/units")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer nonsense",
        "Bearer bista_00000000_" + "x" * 43,
        "Bearer bista_\x00_x",
        "Token abc",
        "Basic Zm9v",
    ],
)
def test_bad_credentials_are_refused(org: Organisation, header: str) -> None:
    response = Client(headers={"Authorization": header}).get(API + "/units")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


def test_token_wins_over_session(org: Organisation, manager: Any, other_manager: Any) -> None:
    _, secret = services.api_token_create(actor=other_manager, name="x", scopes=[Perm.ORG_VIEW])
    client = session_client(manager)
    response = client.get(API + "/units", headers={"Authorization": f"Bearer {secret}"})
    assert [u["id"] for u in response.json()] == [org.other_unit.pk]


# --- The document and the error format --------------------------------------------------------------


def test_openapi_document_is_served() -> None:
    response = Client().get(API + "/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Bistå API"
    for path in (
        "/units",
        "/units/{unit_id}",
        "/teams",
        "/teams/{team_id}",
        "/clients",
        "/clients/{client_id}",
        "/clients/{client_id}/contacts",
        "/employees",
        "/employees/{employee_id}",
    ):
        assert API + path in document["paths"], path
    schemes = document["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} == {"apiKey", "http"}


def test_unknown_api_path_is_a_json_404() -> None:
    response = Client().get(API + "/no-such-thing")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_malformed_json_is_a_400(org: Organisation, manager: Any) -> None:
    response = session_client(manager).post(API + "/teams", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"
