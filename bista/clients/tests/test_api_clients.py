"""The clients API, each endpoint four ways (anonymous, no permission, permission, another unit), plus the
access log, protected identity, scoped tokens, optimistic concurrency and bad input."""

from typing import Any

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bista.clients import services
from bista.clients.models import AccessLogEntry, Client, ClientContact, ClientUnit
from bista.core import services as core_services
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import Perm, RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import (
    API,
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

pytestmark = pytest.mark.django_db

ASTRID = fake_personnummer("19450307", 982)
NEW_NUMBER = fake_personnummer("19800101", 984)
# Session (read and save), user, two-factor check, memberships, grants, the user's teams, count and page.
QUERIES_PER_CLIENT_LIST = 7


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the purchaser unit, in no team."""
    return services.client_create(
        actor=SYSTEM,
        unit=org.purchaser,
        personnummer=ASTRID,
        first_name="Astrid",
        last_name="Lindqvist",
        street_address="Storgatan 1",
        postal_code="12345",
        city="Norrby",
        phone="070-000 00 00",
        fictitious=True,
    )


@pytest.fixture
def officer(org: Organisation, user_factory: Any) -> Any:
    """Handläggare in the purchaser unit: sees and manages all its clients; no two-factor role."""
    return user_factory("handlaggare", RoleCode.CASE_OFFICER, org.purchaser)


@pytest.fixture
def other_officer(org: Organisation, user_factory: Any) -> Any:
    """The same role, in a unit of another district."""
    return user_factory("annan", RoleCode.CASE_OFFICER, org.other_unit)


def client_state(client: Client) -> dict[str, Any]:
    fresh = Client.objects.get(pk=client.pk)
    return {field: getattr(fresh, field) for field in ("first_name", "last_name", "phone", "city", "version")}


def new_client_body(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": org.purchaser.pk,
        "personnummer": NEW_NUMBER,
        "first_name": "Bertil",
        "last_name": "Ek",
        "phone": "070-111 11 11",
        "fictitious": True,
        **overrides,
    }


def api_reads(client: Client) -> int:
    return AccessLogEntry.objects.filter(client=client, action=AccessLogEntry.Action.API).count()


# --- List -------------------------------------------------------------------------------------------


def test_list_anonymous(astrid: Client) -> None:
    response = get(HttpClient(), "/clients")
    assert response.status_code == 401
    assert "Astrid" not in text(response)


def test_list_without_permission(astrid: Client, nobody: Any) -> None:
    response = get(session_client(nobody), "/clients")
    assert response.status_code == 403
    assert "Astrid" not in text(response)


def test_list_with_permission_shows_no_address_or_phone(astrid: Client, officer: Any) -> None:
    response = get(session_client(officer), "/clients")
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "items": [
            {
                "id": astrid.pk,
                "personnummer": formatted(ASTRID),
                "first_name": "Astrid",
                "last_name": "Lindqvist",
                "gender": "O",
                "is_active": True,
                "protected_identity": False,
            }
        ],
    }
    assert "Storgatan" not in text(response)
    assert "070" not in text(response)


def test_list_in_another_unit_leaks_nothing(astrid: Client, other_officer: Any) -> None:
    client = session_client(other_officer)
    response = get(client, "/clients")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}
    for params in ({"q": formatted(ASTRID)}, {"q": "Astrid"}):
        assert get(client, "/clients", **params).json()["count"] == 0
    response = get(client, "/clients", unit_id=astrid.unit_links.get().unit_id)
    assert response.status_code == 404
    assert "Astrid" not in text(response)
    assert not AccessLogEntry.objects.filter(client=astrid).exists()


def test_list_filters(org: Organisation, astrid: Client, officer: Any) -> None:
    services.client_create(
        actor=SYSTEM,
        unit=org.purchaser,
        personnummer=NEW_NUMBER,
        first_name="Bertil",
        last_name="Ek",
        fictitious=True,
    )
    client = session_client(officer)
    assert [c["first_name"] for c in get(client, "/clients", q="bert").json()["items"]] == ["Bertil"]
    assert get(client, "/clients", unit_id=org.purchaser.pk).json()["count"] == 2
    page = get(client, "/clients", limit=1, offset=1).json()
    assert (page["count"], [c["first_name"] for c in page["items"]]) == (2, ["Astrid"])
    services.client_update(actor=SYSTEM, client=astrid, expected_version=None, is_active=False)
    assert get(client, "/clients").json()["count"] == 1
    assert get(client, "/clients", include_inactive=True).json()["count"] == 2


def test_list_search_by_personnummer_is_logged(astrid: Client, officer: Any) -> None:
    response = get(session_client(officer), "/clients", q=ASTRID)
    assert [c["id"] for c in response.json()["items"]] == [astrid.pk]
    assert AccessLogEntry.objects.filter(client=astrid, actor=officer, action=AccessLogEntry.Action.SEARCH).count() == 1


def test_list_by_team_for_team_member(org: Organisation, astrid: Client, staffer: Any) -> None:
    services.client_link_unit(actor=SYSTEM, client=astrid, unit=org.provider)
    client = session_client(staffer)
    assert get(client, "/clients").json()["count"] == 0
    services.client_set_teams(actor=SYSTEM, client=astrid, teams=[org.team])
    assert [c["id"] for c in get(client, "/clients", team_id=org.team.pk).json()["items"]] == [astrid.pk]
    assert get(client, "/clients", team_id=org.other_unit_team.pk).status_code == 404


def test_list_query_budget(org: Organisation, officer: Any, django_assert_num_queries: Any) -> None:
    """The number of queries does not grow with the number of clients (no N+1)."""
    client = session_client(officer)

    def add_clients(first: int, last: int) -> None:
        for day in range(first, last + 1):
            services.client_create(
                actor=SYSTEM,
                unit=org.purchaser,
                personnummer=fake_personnummer(f"195001{day:02d}"),
                first_name=f"Namn{day}",
                last_name="Efternamn",
                fictitious=True,
            )

    add_clients(1, 1)
    get(client, "/clients")  # warm up: session, content types
    with django_assert_num_queries(QUERIES_PER_CLIENT_LIST):
        assert get(client, "/clients").json()["count"] == 1
    add_clients(2, 12)
    with django_assert_num_queries(QUERIES_PER_CLIENT_LIST):
        assert len(get(client, "/clients").json()["items"]) == 12


# --- Read one ---------------------------------------------------------------------------------------


def test_get_anonymous(astrid: Client) -> None:
    response = get(HttpClient(), f"/clients/{astrid.pk}")
    assert response.status_code == 401
    assert "Astrid" not in text(response)
    assert api_reads(astrid) == 0


def test_get_without_permission(astrid: Client, nobody: Any) -> None:
    response = get(session_client(nobody), f"/clients/{astrid.pk}")
    assert response.status_code == 404
    assert "Astrid" not in text(response)
    assert api_reads(astrid) == 0


def test_get_with_permission_is_logged_once(org: Organisation, astrid: Client, officer: Any) -> None:
    response = get(session_client(officer), f"/clients/{astrid.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["personnummer"] == formatted(ASTRID)
    assert (body["street_address"], body["postal_code"], body["city"]) == ("Storgatan 1", "12345", "Norrby")
    assert body["protected_identity"] is False
    assert (body["unit_ids"], body["team_ids"], body["version"]) == ([org.purchaser.pk], [], 1)
    entry = AccessLogEntry.objects.get(client=astrid)
    assert (entry.actor, entry.action, entry.unit) == (officer, AccessLogEntry.Action.API, org.purchaser)


def test_get_in_another_unit(astrid: Client, other_officer: Any) -> None:
    response = get(session_client(other_officer), f"/clients/{astrid.pk}")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"
    assert "Astrid" not in text(response)
    assert ASTRID[:8] not in text(response)
    assert not AccessLogEntry.objects.filter(client=astrid).exists()


def test_unknown_client_looks_like_a_hidden_one(officer: Any) -> None:
    response = get(session_client(officer), "/clients/987654")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


# --- Protected identity -----------------------------------------------------------------------------


@pytest.fixture
def protected(org: Organisation, astrid: Client) -> Client:
    return services.client_update(actor=SYSTEM, client=astrid, expected_version=None, protected_identity=True)


def test_protected_address_hidden_outside_access_group(protected: Client, officer: Any) -> None:
    response = get(session_client(officer), f"/clients/{protected.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["protected_identity"] is True
    assert (body["street_address"], body["postal_code"], body["city"]) == (None, None, None)
    assert "Storgatan" not in text(response)
    entry = AccessLogEntry.objects.get(client=protected)
    assert entry.protected_identity is True


def test_protected_address_shown_to_access_group(org: Organisation, protected: Client, officer: Any) -> None:
    services.protected_access_grant(actor=SYSTEM, unit=org.purchaser, user=officer)
    body = get(session_client(officer), f"/clients/{protected.pk}").json()
    assert (body["street_address"], body["postal_code"], body["city"]) == ("Storgatan 1", "12345", "Norrby")


def test_protected_address_hidden_after_patch_too(protected: Client, officer: Any) -> None:
    response = patch(session_client(officer), f"/clients/{protected.pk}", {"version": 2, "phone": "08-12 34 56"})
    assert response.status_code == 200
    assert response.json()["street_address"] is None


def test_protected_flag_in_list(protected: Client, officer: Any) -> None:
    item = get(session_client(officer), "/clients").json()["items"][0]
    assert item["protected_identity"] is True
    assert "street_address" not in item


# --- Create -----------------------------------------------------------------------------------------


def test_create_anonymous(org: Organisation) -> None:
    assert post(HttpClient(), "/clients", new_client_body(org)).status_code == 401
    assert not Client.objects.exists()


def test_create_without_permission(org: Organisation, staffer: Any) -> None:
    response = post(session_client(staffer), "/clients", new_client_body(org, unit_id=org.provider.pk))
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert not Client.objects.exists()


def test_create_with_permission(org: Organisation, officer: Any) -> None:
    response = post(session_client(officer), "/clients", new_client_body(org, city="Norrby"))
    assert response.status_code == 201
    client = Client.objects.get(personnummer=NEW_NUMBER)
    assert response.json()["id"] == client.pk
    assert response.json()["personnummer"] == formatted(NEW_NUMBER)
    assert (client.first_name, client.phone, client.city) == ("Bertil", "070-111 11 11", "Norrby")
    assert client.fictitious is True
    assert ClientUnit.objects.get(client=client).unit == org.purchaser
    assert audit_count("client.create", actor=officer, object_id=str(client.pk), unit=org.purchaser) == 1


def test_create_in_another_unit(org: Organisation, other_officer: Any) -> None:
    response = post(session_client(other_officer), "/clients", new_client_body(org))
    assert response.status_code == 403
    assert not Client.objects.exists()
    assert audit_count("client.create") == 0


def test_create_with_teams(org: Organisation, user_factory: Any) -> None:
    manager = user_factory("chef", RoleCode.UNIT_MANAGER, org.provider)
    client = session_client(manager)
    response = post(client, "/clients", new_client_body(org, unit_id=org.provider.pk, team_ids=[org.team.pk]))
    assert response.status_code == 201
    assert list(Client.objects.get().teams.all()) == [org.team]
    assert response.json()["team_ids"] == [org.team.pk]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"personnummer": "19450307-9821"}, "personnummer", "checksum"),
        ({"personnummer": "19451332-9820"}, "personnummer", "date"),
        ({"personnummer": "hej"}, "personnummer", "format"),
        ({"personnummer": None}, "personnummer", "string_type"),
        ({"unit_id": 999999}, "unit_id", "does_not_exist"),
        ({"unit_id": None}, "unit_id", "int_type"),
        ({"team_ids": [999999]}, "team_ids", "does_not_exist"),
        ({"first_name": ""}, "first_name", "blank"),
        ({"first_name": "x" * 101}, "first_name", "max_length"),
        ({"last_name": "Ek\x00"}, "last_name", "value_error"),
        ({"last_name": "\ud800"}, "last_name", "value_error"),
        ({"gender": "X"}, "gender", "invalid_choice"),
        ({"email": "inte-en-adress"}, "email", "invalid"),
        ({"since": "igår"}, "since", "date_from_datetime_parsing"),
        ({"hemlig": True}, "hemlig", "extra_forbidden"),
    ],
)
def test_create_bad_input(org: Organisation, officer: Any, overrides: dict[str, Any], field: str, code: str) -> None:
    response = post(session_client(officer), "/clients", new_client_body(org, **overrides))
    assert response.status_code == 422
    details = error(response)
    assert details["code"] == "validation"
    assert code in [item["code"] for item in details["fields"][field]], details
    assert all(item["message"] for item in details["fields"][field])
    assert not Client.objects.exists()
    assert audit_count("client.create") == 0


def test_create_team_of_another_unit_is_refused(org: Organisation, officer: Any) -> None:
    response = post(session_client(officer), "/clients", new_client_body(org, team_ids=[org.team.pk]))
    assert response.status_code == 422
    assert "team_ids" in error(response)["fields"]
    assert not Client.objects.exists()


def test_create_duplicate_personnummer(org: Organisation, astrid: Client, officer: Any) -> None:
    response = post(session_client(officer), "/clients", new_client_body(org, personnummer=formatted(ASTRID)))
    assert response.status_code == 422
    assert error(response)["fields"]["personnummer"][0]["code"] == "duplicate"
    assert Client.objects.count() == 1


@pytest.mark.parametrize("body", ["{nope", "[1, 2]", "null", '"text"'])
def test_create_with_a_body_that_is_no_object(org: Organisation, officer: Any, body: str) -> None:
    response = session_client(officer).post(API + "/clients", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert error(response)["code"] in ("bad_request", "validation")
    assert not Client.objects.exists()


CLIENT_INPUT_FIELDS = [
    *("unit_id", "personnummer", "first_name", "last_name", "gender", "street_address", "postal_code", "city"),
    *("phone", "email", "preferred_staff_gender", "language", "interpreter_needed", "protected_identity", "since"),
    *("team_ids", "fictitious", "unknown"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(CLIENT_INPUT_FIELDS), json_values(), max_size=4))
def test_create_never_answers_with_a_server_error(org: Organisation, officer: Any, changes: dict[str, Any]) -> None:
    response = post(session_client(officer), "/clients", new_client_body(org) | changes)
    assert response.status_code in (201, 400, 403, 422), response.content
    if response.status_code != 201:
        assert error(response)["message"]


# --- Update -----------------------------------------------------------------------------------------


def test_update_anonymous(astrid: Client) -> None:
    before = client_state(astrid)
    assert patch(HttpClient(), f"/clients/{astrid.pk}", {"version": 1, "first_name": "X"}).status_code == 401
    assert client_state(astrid) == before


def test_update_without_permission(org: Organisation, astrid: Client, staffer: Any) -> None:
    services.client_link_unit(actor=SYSTEM, client=astrid, unit=org.provider)
    services.client_set_teams(actor=SYSTEM, client=astrid, teams=[org.team])
    before = client_state(astrid)
    response = patch(session_client(staffer), f"/clients/{astrid.pk}", {"version": 1, "first_name": "X"})
    assert response.status_code == 403
    assert client_state(astrid) == before
    assert audit_count("client.update") == 0


def test_update_with_permission(astrid: Client, officer: Any) -> None:
    response = patch(session_client(officer), f"/clients/{astrid.pk}", {"version": 1, "phone": " 08-12 34 56 "})
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["version"]) == ("08-12 34 56", 2)
    after = client_state(astrid)
    assert (after["phone"], after["version"], after["first_name"]) == ("08-12 34 56", 2, "Astrid")
    event = AuditEvent.objects.get(action="client.update", object_id=str(astrid.pk))
    assert event.actor == officer
    assert (event.old_values, event.new_values) == ({"phone": "070-000 00 00"}, {"phone": "08-12 34 56"})
    assert api_reads(astrid) == 1


def test_update_in_another_unit(astrid: Client, other_officer: Any) -> None:
    before = client_state(astrid)
    response = patch(session_client(other_officer), f"/clients/{astrid.pk}", {"version": 1, "first_name": "X"})
    assert response.status_code == 404
    assert "Astrid" not in text(response)
    assert client_state(astrid) == before
    assert audit_count("client.update") == 0


def test_update_stale_version_is_a_conflict(astrid: Client, officer: Any) -> None:
    services.client_update(actor=SYSTEM, client=astrid, expected_version=1, city="Söderby")
    before = client_state(astrid)
    response = patch(session_client(officer), f"/clients/{astrid.pk}", {"version": 1, "city": "Västerby"})
    assert response.status_code == 409
    details = error(response)
    assert (details["code"], details["current_version"]) == ("conflict", 2)
    assert client_state(astrid) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_name": "X"}, "version"),
        ({"version": 1, "first_name": None}, "first_name"),
        ({"version": 1, "first_name": ""}, "first_name"),
        ({"version": 1, "personnummer": NEW_NUMBER}, "personnummer"),
        ({"version": 1, "is_active": "kanske"}, "is_active"),
    ],
)
def test_update_bad_input(astrid: Client, officer: Any, body: dict[str, Any], field: str) -> None:
    before = client_state(astrid)
    response = patch(session_client(officer), f"/clients/{astrid.pk}", body)
    assert response.status_code == 422
    assert field in error(response)["fields"]
    assert client_state(astrid) == before
    assert Client.objects.get().personnummer == ASTRID


# --- Contacts ---------------------------------------------------------------------------------------


@pytest.fixture
def guardian(astrid: Client) -> ClientContact:
    return services.client_contact_add(
        actor=SYSTEM, client=astrid, kind=ClientContact.Kind.GOOD_MAN, name="Gunnar Godman", phone="070-222 22 22"
    )


def test_list_contacts_four_ways(
    astrid: Client, guardian: ClientContact, nobody: Any, officer: Any, other_officer: Any
) -> None:
    path = f"/clients/{astrid.pk}/contacts"
    for user_client in (HttpClient(), session_client(nobody), session_client(other_officer)):
        response = get(user_client, path)
        assert response.status_code in (401, 404)
        assert "Gunnar" not in text(response)
    assert not AccessLogEntry.objects.filter(client=astrid).exists()

    response = get(session_client(officer), path)
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": guardian.pk,
            "client_id": astrid.pk,
            "kind": "god_man",
            "name": "Gunnar Godman",
            "relation": "",
            "phone": "070-222 22 22",
            "email": "",
            "is_active": True,
            "is_legal_representative": True,
        }
    ]
    assert api_reads(astrid) == 1


def test_add_contact_four_ways(
    org: Organisation, astrid: Client, staffer: Any, officer: Any, other_officer: Any
) -> None:
    services.client_link_unit(actor=SYSTEM, client=astrid, unit=org.provider)
    services.client_set_teams(actor=SYSTEM, client=astrid, teams=[org.team])
    path = f"/clients/{astrid.pk}/contacts"
    body = {"kind": "anhorig", "name": "Karin Lindqvist", "relation": "dotter"}
    assert post(HttpClient(), path, body).status_code == 401
    assert post(session_client(staffer), path, body).status_code == 403
    response = post(session_client(other_officer), path, body)
    assert response.status_code == 404
    assert "Astrid" not in text(response)
    assert not ClientContact.objects.exists()

    response = post(session_client(officer), path, body)
    assert response.status_code == 201
    contact = ClientContact.objects.get()
    assert (contact.client, contact.name, contact.relation) == (astrid, "Karin Lindqvist", "dotter")
    assert response.json()["id"] == contact.pk
    assert audit_count("client_contact.add", actor=officer, object_id=str(contact.pk)) == 1


def test_add_contact_bad_kind(astrid: Client, officer: Any) -> None:
    response = post(session_client(officer), f"/clients/{astrid.pk}/contacts", {"kind": "granne", "name": "Nils"})
    assert response.status_code == 422
    assert "kind" in error(response)["fields"]
    assert not ClientContact.objects.exists()


# --- Tokens -----------------------------------------------------------------------------------------


def test_token_with_view_scope_cannot_register(org: Organisation, astrid: Client, officer: Any) -> None:
    client, _ = token_client(officer, [Perm.CLIENT_VIEW_ALL])
    assert get(client, f"/clients/{astrid.pk}").status_code == 200
    response = post(client, "/clients", new_client_body(org))
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert Client.objects.count() == 1


def test_token_with_manage_scope_can_register(org: Organisation, officer: Any) -> None:
    client, _ = token_client(officer, [Perm.CLIENT_VIEW_ALL, Perm.CLIENT_MANAGE])
    assert post(client, "/clients", new_client_body(org)).status_code == 201
    assert audit_count("client.create", actor=officer) == 1


def test_revoked_token_is_refused(astrid: Client, officer: Any) -> None:
    client, token = token_client(officer, [Perm.CLIENT_VIEW_ALL])
    core_services.api_token_revoke(actor=officer, token=token)
    response = get(client, f"/clients/{astrid.pk}")
    assert response.status_code == 401
    assert "Astrid" not in text(response)
    assert api_reads(astrid) == 0
