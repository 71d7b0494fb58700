"""The care API — orders and steps, implementation plans, the journal and "Att göra" — each endpoint four
ways (anonymous, no permission, permission, another unit), plus the access log, scoped tokens, optimistic
concurrency, bad input and the list's query budget. Data is built through the services."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bista.care.models import ImplementationPlan, JournalEntry, JournalObjection, Order, OrderEvent
from bista.care.tests import factories as f
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import Perm
from bista.core.testing import Organisation
from bista.core.tests.api_support import API, error, get, patch, post, session_client, text, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(org: Organisation, astrid: Client, manager: Any) -> Order:
    return f.make_order(astrid, org.provider, deputy=manager, team=org.team, goals="Delta i fritidsaktiviteter.")


@pytest.fixture
def plan(order: Order) -> ImplementationPlan:
    return f.make_plan(order)


@pytest.fixture
def entry(astrid: Client, manager: Any) -> JournalEntry:
    return f.write_journal(manager, astrid, text="Brukaren var på bio med ledsagaren.")


def api_reads(client: Client) -> int:
    return AccessLogEntry.objects.filter(client=client, action=AccessLogEntry.Action.API).count()


def state() -> dict[str, Any]:
    """Everything the care API can change, to compare before and after a refused request."""
    return {
        "orders": sorted(Order.objects.values_list("pk", "version", "status", "scope_amount", "goals")),
        "events": OrderEvent.objects.count(),
        "plans": sorted(ImplementationPlan.objects.values_list("pk", "version", "status", "goals")),
        "journal": JournalEntry.objects.count(),
        "objections": JournalObjection.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def order_body(org: Organisation, client: Client, **overrides: Any) -> dict[str, Any]:
    return {
        "client_id": client.pk,
        "unit_id": org.provider.pk,
        "service_id": f.service().pk,
        "decision_date": "2024-03-01",
        "received_on": "2024-03-04",
        "scope_amount": "12.5",
        "scope_unit": "week",
        "period_start": "2024-03-01",
        **overrides,
    }


def plan_body(**overrides: Any) -> dict[str, Any]:
    return {**f.PLAN_TEXTS, "activities": [f.ACTIVITY], **overrides}


def journal_body(**overrides: Any) -> dict[str, Any]:
    return {"event_date": "2024-05-02", "category_id": f.category().pk, "text": "Promenad i parken.", **overrides}


# --- Orders: list -----------------------------------------------------------------------------------


def test_orders_list_anonymous(order: Order) -> None:
    response = get(HttpClient(), "/care/orders")
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"


def test_orders_list_without_permission(order: Order, nobody: Any) -> None:
    response = get(session_client(nobody), "/care/orders")
    assert response.status_code == 403
    assert "Astrid" not in text(response)


def test_orders_list_with_permission(org: Organisation, order: Order, manager: Any) -> None:
    response = get(session_client(manager), "/care/orders")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == order.pk
    assert item["client_id"] == order.client_id
    assert item["service_code"] == "lss_9_3"
    assert item["status"] == "received"
    assert item["received_on"] == "2024-01-15"
    assert item["version"] == 1


def test_orders_list_logs_each_client_shown(org: Organisation, order: Order, astrid: Client, manager: Any) -> None:
    """An order is the client's data: a page of the list is a read of each client on it (issue 14), also when
    filtered to one client; an empty page logs nothing."""
    client = session_client(manager)
    assert get(client, "/care/orders", client_id=order.client_id).json()["count"] == 1
    assert api_reads(astrid) == 1
    assert get(client, "/care/orders").json()["count"] == 1
    assert api_reads(astrid) == 2
    assert get(client, "/care/orders", status="ended").json()["count"] == 0
    assert api_reads(astrid) == 2
    row = AccessLogEntry.objects.filter(client=astrid, action=AccessLogEntry.Action.API).latest("at")
    assert (row.actor, row.unit_id) == (manager, org.provider.pk)


def test_orders_list_in_another_unit_leaks_nothing(org: Organisation, order: Order, other_manager: Any) -> None:
    client = session_client(other_manager)
    assert get(client, "/care/orders").json() == {"count": 0, "items": []}
    assert get(client, "/care/orders", client_id=order.client_id).json()["count"] == 0
    for params in ({"unit_id": org.provider.pk}, {"team_id": org.team.pk}):
        response = get(client, "/care/orders", **params)
        assert response.status_code == 404
        assert "Astrid" not in text(response)


def test_orders_list_filters(org: Organisation, order: Order, astrid: Client, manager: Any) -> None:
    f.step(order, "first_contact", datetime.date(2024, 1, 20))
    second = f.make_order(astrid, org.provider, service_code="lss_9_4")
    f.step(second, "ended", datetime.date(2024, 2, 1))
    client = session_client(manager)
    assert get(client, "/care/orders").json()["count"] == 2
    assert [o["id"] for o in get(client, "/care/orders", status="first_contact").json()["items"]] == [order.pk]
    assert [o["id"] for o in get(client, "/care/orders", open_only=True).json()["items"]] == [order.pk]
    assert [o["id"] for o in get(client, "/care/orders", team_id=org.team.pk).json()["items"]] == [order.pk]
    assert [o["id"] for o in get(client, "/care/orders", deputy_id=manager.pk).json()["items"]] == [order.pk]
    page = get(client, "/care/orders", limit=1, offset=1).json()
    assert (page["count"], len(page["items"])) == (2, 1)
    assert get(client, "/care/orders", limit=0).status_code == 422
    assert get(client, "/care/orders", status="nonsense").json()["count"] == 0


def test_team_member_sees_team_orders(org: Organisation, order: Order, staffer: Any, cecilia: Client) -> None:
    f.make_order(cecilia, org.other_unit)
    response = get(session_client(staffer), "/care/orders")
    assert [o["id"] for o in response.json()["items"]] == [order.pk]


# Session (read and save), user, two-factor check, memberships, grants, the user's teams, count and page, and
# the access-log rows of the page (one insert).
QUERIES_PER_ORDER_LIST = 11


def test_orders_list_query_budget(
    org: Organisation, order: Order, manager: Any, django_assert_max_num_queries: Any
) -> None:
    client = session_client(manager)
    get(client, "/care/orders")
    with CaptureQueriesContext(connection) as one:
        get(client, "/care/orders")
    for n in range(5):
        f.make_order(f.make_client(org.provider, first_name=f"N{n}"), org.provider, deputy=manager, team=org.team)
    with django_assert_max_num_queries(QUERIES_PER_ORDER_LIST):
        assert get(client, "/care/orders").json()["count"] == 6
    assert len(one) <= QUERIES_PER_ORDER_LIST


# --- Orders: get ------------------------------------------------------------------------------------


def test_order_get_four_ways(order: Order, manager: Any, nobody: Any, other_manager: Any) -> None:
    path = f"/care/orders/{order.pk}"
    assert get(HttpClient(), path).status_code == 401
    for user in (nobody, other_manager):
        response = get(session_client(user), path)
        assert response.status_code == 404
        assert "Astrid" not in text(response) and "fritid" not in text(response)
    assert api_reads(order.client) == 0
    response = get(session_client(manager), path)
    assert response.status_code == 200
    assert response.json()["goals"] == "Delta i fritidsaktiviteter."
    assert response.json()["deputy_id"] == manager.pk
    log = AccessLogEntry.objects.get(client=order.client, action=AccessLogEntry.Action.API)
    assert (log.actor_id, log.unit_id) == (manager.pk, order.unit_id)


def test_order_get_unknown_id(manager: Any) -> None:
    client = session_client(manager)
    assert get(client, "/care/orders/987654").status_code == 404
    assert get(client, "/care/orders/0").status_code == 422
    assert get(client, f"/care/orders/{2**64}").status_code == 422


# --- Orders: create ---------------------------------------------------------------------------------


def test_order_create_anonymous(org: Organisation, astrid: Client) -> None:
    before = state()
    assert post(HttpClient(), "/care/orders", order_body(org, astrid)).status_code == 401
    assert state() == before


def test_order_create_without_care_manage(org: Organisation, astrid: Client, staffer: Any, nobody: Any) -> None:
    before = state()
    response = post(session_client(staffer), "/care/orders", order_body(org, astrid))
    assert response.status_code == 403
    response = post(session_client(nobody), "/care/orders", order_body(org, astrid))
    assert response.status_code == 422  # the client is not visible: named like an unknown one
    assert set(error(response)["fields"]) == {"client_id"}
    assert state() == before


def test_order_create_with_permission(org: Organisation, astrid: Client, manager: Any) -> None:
    response = post(
        session_client(manager),
        "/care/orders",
        order_body(org, astrid, deputy_id=manager.pk, team_id=org.team.pk, goals="Mål"),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get(pk=body["id"])
    assert (order.client_id, order.unit_id, str(order.scope_amount)) == (astrid.pk, org.provider.pk, "12.50")
    assert body["status"] == "received" and body["team_id"] == org.team.pk
    assert AuditEvent.objects.filter(action="order.create").count() == 1


def test_order_create_for_another_units_client(
    org: Organisation, astrid: Client, cecilia: Client, other_manager: Any, manager: Any
) -> None:
    before = state()
    response = post(session_client(other_manager), "/care/orders", order_body(org, astrid))
    assert response.status_code == 422
    assert set(error(response)["fields"]) == {"client_id"}
    assert "Astrid" not in text(response)
    # Our manager cannot register an order in the other unit for its client either.
    response = post(session_client(manager), "/care/orders", order_body(org, cecilia, unit_id=org.other_unit.pk))
    assert response.status_code == 422
    assert state() == before


def test_order_received_before_decision_names_the_field(org: Organisation, astrid: Client, manager: Any) -> None:
    before = state()
    response = post(session_client(manager), "/care/orders", order_body(org, astrid, received_on="2024-02-01"))
    assert response.status_code == 422
    fields = error(response)["fields"]
    assert "received_on" in fields
    assert "beslutsdatum" in fields["received_on"][0]["message"]
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scope_amount": "0"}, "scope_amount"),
        ({"scope_amount": "123456789"}, "scope_amount"),
        ({"scope_amount": "NaN"}, "scope_amount"),
        ({"scope_unit": "year"}, "scope_unit"),
        ({"service_id": 987654}, "service_id"),
        ({"team_id": 987654}, "team_id"),
        ({"deputy_id": 987654}, "deputy_id"),
        ({"period_end": "2023-01-01"}, "period_end"),
        ({"received_on": "2999-01-01"}, "received_on"),
        ({"decision_date": "2024-02-30"}, "decision_date"),
        ({"goals": "a\x00b"}, "goals"),
        ({"unknown": 1}, "unknown"),
        ({"client_id": None}, "client_id"),
    ],
)
def test_order_create_bad_input(
    org: Organisation, astrid: Client, manager: Any, overrides: dict[str, Any], field: str
) -> None:
    before = state()
    response = post(session_client(manager), "/care/orders", order_body(org, astrid, **overrides))
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"]
    assert state() == before


def test_order_create_team_of_another_unit(org: Organisation, astrid: Client, manager: Any) -> None:
    response = post(session_client(manager), "/care/orders", order_body(org, astrid, team_id=org.other_unit_team.pk))
    assert response.status_code == 422
    assert "team_id" in error(response)["fields"]


def test_order_create_not_json(manager: Any) -> None:
    response = session_client(manager).post(f"{API}/care/orders", "{nope", content_type="application/json")
    assert 400 <= response.status_code < 500


# --- Orders: update and steps -----------------------------------------------------------------------


def test_order_update_four_ways(order: Order, manager: Any, nobody: Any, other_manager: Any, staffer: Any) -> None:
    path = f"/care/orders/{order.pk}"
    change = {"version": order.version, "goals": "Nya mål", "scope_amount": "20"}
    before = state()
    assert patch(HttpClient(), path, change).status_code == 401
    assert patch(session_client(nobody), path, change).status_code == 404
    assert patch(session_client(other_manager), path, change).status_code == 404
    assert patch(session_client(staffer), path, change).status_code == 403
    assert state() == before
    response = patch(session_client(manager), path, change)
    assert response.status_code == 200
    assert (response.json()["goals"], response.json()["version"]) == ("Nya mål", order.version + 1)
    assert Order.objects.get(pk=order.pk).scope_amount == 20


def test_order_update_stale_version_conflicts(order: Order, manager: Any) -> None:
    client = session_client(manager)
    path = f"/care/orders/{order.pk}"
    assert patch(client, path, {"version": order.version, "goals": "Först"}).status_code == 200
    before = state()
    response = patch(client, path, {"version": order.version, "goals": "Sen"})
    assert response.status_code == 409
    assert error(response)["code"] == "conflict"
    assert error(response)["current_version"] == order.version + 1
    assert state() == before


def test_order_update_bad_input(order: Order, manager: Any) -> None:
    client = session_client(manager)
    path = f"/care/orders/{order.pk}"
    response = patch(client, path, {"version": order.version, "received_on": "2024-01-01"})
    assert response.status_code == 422 and "received_on" in error(response)["fields"]
    response = patch(client, path, {"version": order.version, "goals": None})
    assert response.status_code == 422 and "goals" in error(response)["fields"]
    response = patch(client, path, {"goals": "x"})
    assert response.status_code == 422 and "version" in error(response)["fields"]
    response = patch(client, path, {"version": order.version, "team_id": None, "deputy_id": None})
    assert response.status_code == 200 and response.json()["team_id"] is None


def test_order_steps(order: Order, manager: Any, staffer: Any, other_manager: Any) -> None:
    path = f"/care/orders/{order.pk}/steps"
    step = {"step": "first_contact", "on": "2024-01-20", "note": "Hembesök"}
    before = state()
    assert post(HttpClient(), path, step).status_code == 401
    assert post(session_client(staffer), path, step).status_code == 403
    assert post(session_client(other_manager), path, step).status_code == 404
    assert state() == before
    client = session_client(manager)
    response = post(client, path, {**step, "version": order.version})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["first_contact_on"]) == ("first_contact", "2024-01-20")
    again = post(client, path, step)
    assert again.status_code == 422 and "step" in error(again)["fields"]
    stale = post(client, path, {"step": "executed", "on": "2024-02-01", "version": order.version})
    assert stale.status_code == 409
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = post(client, path, {"step": "executed", "on": future})
    assert response.status_code == 422 and "on" in error(response)["fields"]
    response = post(client, path, {"step": "received", "on": "2024-02-01"})
    assert response.status_code == 422 and "step" in error(response)["fields"]


# --- Plans ------------------------------------------------------------------------------------------


def test_plan_create_four_ways(order: Order, manager: Any, staffer: Any, other_manager: Any, nobody: Any) -> None:
    path = f"/care/orders/{order.pk}/plans"
    before = state()
    assert post(HttpClient(), path, plan_body()).status_code == 401
    assert post(session_client(nobody), path, plan_body()).status_code == 404
    assert post(session_client(other_manager), path, plan_body()).status_code == 404
    assert post(session_client(staffer), path, plan_body()).status_code == 403
    assert state() == before
    response = post(session_client(manager), path, plan_body(goals=None))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["number"], body["goals"]) == ("draft", 1, "Delta i fritidsaktiviteter.")
    assert body["activities"] == [f.ACTIVITY]


def test_plan_without_client_participation_names_the_field(order: Order, manager: Any) -> None:
    before = state()
    body = plan_body()
    del body["client_participation"]
    response = post(session_client(manager), f"/care/orders/{order.pk}/plans", body)
    assert response.status_code == 422
    assert "client_participation" in error(response)["fields"]
    assert "delaktig" in error(response)["fields"]["client_participation"][0]["message"]
    half = plan_body(activities=[{"goal": "Bio"}])
    response = post(session_client(manager), f"/care/orders/{order.pk}/plans", half)
    assert response.status_code == 422 and "activities" in error(response)["fields"]
    assert state() == before


def test_plan_get_and_list_are_logged(plan: ImplementationPlan, manager: Any, other_manager: Any, nobody: Any) -> None:
    for path in (f"/care/plans/{plan.pk}", f"/care/orders/{plan.order_id}/plans"):
        assert get(HttpClient(), path).status_code == 401
        for user in (nobody, other_manager):
            response = get(session_client(user), path)
            assert response.status_code == 404
            assert "bio" not in text(response)
    assert api_reads(plan.client) == 0
    client = session_client(manager)
    detail = get(client, f"/care/plans/{plan.pk}").json()
    assert detail["client_participation"] == f.PLAN_TEXTS["client_participation"]
    assert detail["activities"][0]["goal"] == "Gå på bio"
    versions = get(client, f"/care/orders/{plan.order_id}/plans").json()
    assert [(v["id"], v["status"]) for v in versions] == [(plan.pk, "draft")]
    assert api_reads(plan.client) == 2


def test_plan_update_sign_and_review(plan: ImplementationPlan, manager: Any, staffer: Any) -> None:
    client = session_client(manager)
    path = f"/care/plans/{plan.pk}"
    assert patch(session_client(staffer), path, {"version": plan.version, "goals": "x"}).status_code == 403
    response = patch(client, path, {"version": plan.version, "goals": "Nya mål", "activities": [f.ACTIVITY] * 2})
    assert response.status_code == 200
    assert (response.json()["goals"], len(response.json()["activities"])) == ("Nya mål", 2)
    version = response.json()["version"]
    stale = patch(client, path, {"version": plan.version, "goals": "Gammalt"})
    assert stale.status_code == 409
    assert ImplementationPlan.objects.get(pk=plan.pk).goals == "Nya mål"
    signed = post(client, f"{path}/sign", {"version": version, "signed_on": "2024-01-25"})
    assert signed.status_code == 200
    assert (signed.json()["status"], signed.json()["signed_on"]) == ("signed", "2024-01-25")
    assert Order.objects.get(pk=plan.order_id).plan_established_on == datetime.date(2024, 1, 25)
    again = post(client, f"{path}/sign", {"version": signed.json()["version"]})
    assert again.status_code == 422
    locked = patch(client, path, {"version": signed.json()["version"], "goals": "x"})
    assert locked.status_code == 422
    review = post(client, f"{path}/review", {})
    assert review.status_code == 201
    assert (review.json()["number"], review.json()["previous_id"], review.json()["status"]) == (2, plan.pk, "draft")


def test_plan_writes_in_another_unit(plan: ImplementationPlan, other_manager: Any) -> None:
    client = session_client(other_manager)
    before = state()
    assert patch(client, f"/care/plans/{plan.pk}", {"version": plan.version, "goals": "x"}).status_code == 404
    assert post(client, f"/care/plans/{plan.pk}/sign", {"version": plan.version}).status_code == 404
    assert post(client, f"/care/plans/{plan.pk}/review", {}).status_code == 404
    assert state() == before


# --- Journal ----------------------------------------------------------------------------------------


def test_journal_list_four_ways(
    astrid: Client, entry: JournalEntry, manager: Any, staffer: Any, nobody: Any, other_manager: Any
) -> None:
    path = f"/care/clients/{astrid.pk}/journal"
    assert get(HttpClient(), path).status_code == 401
    for user in (nobody, other_manager):
        response = get(session_client(user), path)
        assert response.status_code == 404
        assert "bio" not in text(response)
    assert api_reads(astrid) == 0
    for user in (manager, staffer):
        response = get(session_client(user), path)
        assert response.status_code == 200
        assert [e["id"] for e in response.json()["items"]] == [entry.pk]
        assert response.json()["items"][0]["author_name"] == "Chef"
    assert api_reads(astrid) == 2


def test_journal_list_filters_and_paging(astrid: Client, entry: JournalEntry, manager: Any) -> None:
    later = f.write_journal(
        manager, astrid, text="Läkarbesök.", event_date=datetime.date(2024, 3, 1), category_code="halsa"
    )
    client = session_client(manager)
    path = f"/care/clients/{astrid.pk}/journal"
    assert [e["id"] for e in get(client, path).json()["items"]] == [later.pk, entry.pk]
    assert [e["id"] for e in get(client, path, q="läkar").json()["items"]] == [later.pk]
    assert [e["id"] for e in get(client, path, category_id=f.category("halsa").pk).json()["items"]] == [later.pk]
    assert [e["id"] for e in get(client, path, start="2024-02-01").json()["items"]] == [later.pk]
    assert [e["id"] for e in get(client, path, end="2024-02-01").json()["items"]] == [entry.pk]
    page = get(client, path, limit=1, offset=1).json()
    assert (page["count"], [e["id"] for e in page["items"]]) == (2, [entry.pk])
    assert get(client, path, start="2024-13-01").status_code == 422


def test_journal_create_four_ways(astrid: Client, staffer: Any, manager: Any, nobody: Any, other_manager: Any) -> None:
    path = f"/care/clients/{astrid.pk}/journal"
    before = state()
    assert post(HttpClient(), path, journal_body()).status_code == 401
    assert post(session_client(nobody), path, journal_body()).status_code == 404
    assert post(session_client(other_manager), path, journal_body()).status_code == 404
    assert state() == before
    response = post(session_client(staffer), path, journal_body())
    assert response.status_code == 201
    body = response.json()
    assert (body["text"], body["author_id"], body["signature_valid"]) == ("Promenad i parken.", staffer.pk, True)
    correction = post(session_client(manager), path, journal_body(text="Rättelse: i skogen.", corrects_id=body["id"]))
    assert correction.status_code == 201
    assert correction.json()["corrects_id"] == body["id"]
    original = get(session_client(manager), f"/care/journal/{body['id']}").json()
    assert original["corrected_by"] == [correction.json()["id"]]
    assert original["text"] == "Promenad i parken."


def test_journal_entry_on_inactive_client_is_refused(astrid: Client, manager: Any) -> None:
    client_services.client_update(actor=SYSTEM, client=astrid, expected_version=None, is_active=False)
    before = state()
    response = post(session_client(manager), f"/care/clients/{astrid.pk}/journal", journal_body())
    assert response.status_code == 422
    assert "client_id" in error(response)["fields"]
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": "   "}, "text"),
        ({"event_date": "2999-01-01"}, "event_date"),
        ({"category_id": 987654}, "category_id"),
        ({"corrects_id": 987654}, "corrects_id"),
        ({"text": "\ud800"}, "text"),
    ],
)
def test_journal_bad_input(astrid: Client, manager: Any, overrides: dict[str, Any], field: str) -> None:
    before = state()
    response = post(session_client(manager), f"/care/clients/{astrid.pk}/journal", journal_body(**overrides))
    assert response.status_code == 422
    assert field in error(response)["fields"]
    assert state() == before


def test_journal_correction_of_another_clients_entry(
    org: Organisation, astrid: Client, entry: JournalEntry, manager: Any
) -> None:
    other = f.make_client(org.provider, first_name="Bo")
    response = post(session_client(manager), f"/care/clients/{other.pk}/journal", journal_body(corrects_id=entry.pk))
    assert response.status_code == 422 and "corrects_id" in error(response)["fields"]


def test_journal_entry_get_four_ways(entry: JournalEntry, manager: Any, nobody: Any, other_manager: Any) -> None:
    path = f"/care/journal/{entry.pk}"
    assert get(HttpClient(), path).status_code == 401
    assert get(session_client(nobody), path).status_code == 403
    response = get(session_client(other_manager), path)
    assert response.status_code == 404 and "bio" not in text(response)
    assert api_reads(entry.client) == 0
    response = get(session_client(manager), path)
    assert response.status_code == 200
    assert response.json()["text"] == "Brukaren var på bio med ledsagaren."
    assert response.json()["objections"] == []
    assert api_reads(entry.client) == 1


def test_journal_objection(entry: JournalEntry, manager: Any, staffer: Any, other_manager: Any) -> None:
    path = f"/care/journal/{entry.pk}/objections"
    before = state()
    assert post(HttpClient(), path, {"text": "Fel"}).status_code == 401
    assert post(session_client(other_manager), path, {"text": "Fel"}).status_code == 404
    empty = post(session_client(manager), path, {"text": "  "})
    assert empty.status_code == 422 and "text" in error(empty)["fields"]
    assert state() == before
    response = post(session_client(staffer), path, {"text": "Brukaren säger att det var teater."})
    assert response.status_code == 201
    assert response.json()["entry_id"] == entry.pk
    detail = get(session_client(manager), f"/care/journal/{entry.pk}").json()
    assert [o["text"] for o in detail["objections"]] == ["Brukaren säger att det var teater."]
    assert JournalEntry.objects.get(pk=entry.pk).text == "Brukaren var på bio med ledsagaren."


# --- Duties -----------------------------------------------------------------------------------------


def test_duties_four_ways(
    org: Organisation, order: Order, manager: Any, nobody: Any, other_manager: Any, staffer: Any
) -> None:
    assert get(HttpClient(), "/care/duties").status_code == 401
    assert get(session_client(nobody), "/care/duties").status_code == 403
    response = get(session_client(manager), "/care/duties", mine=True)
    assert response.status_code == 200
    body = response.json()
    codes = sorted(d["rule"] for d in body["overdue"] if d["rule"].startswith("care."))
    assert codes == ["care.execution", "care.first_contact", "care.implementation_plan"]
    first = next(d for d in body["overdue"] if d["rule"] == "care.first_contact")
    assert first["due_on"] == "2024-01-29"
    assert first["client_id"] == order.client_id and first["state"] == "overdue" and first["done_on"] is None
    assert first["url"] == f"/bestallningar/{order.pk}/"
    assert first["days_late"] == (timezone.localdate() - datetime.date(2024, 1, 29)).days
    assert get(session_client(manager), "/care/duties", unit=org.provider.pk).json()["overdue"] == body["overdue"]
    team = get(session_client(staffer), "/care/duties", team=org.team.pk)
    assert len(team.json()["overdue"]) == 3
    other = session_client(other_manager)
    assert get(other, "/care/duties").json()["overdue"] == []
    for params in ({"unit": org.provider.pk}, {"team": org.team.pk}):
        response = get(other, "/care/duties", **params)
        assert response.status_code == 403
        assert str(order.client_id) not in str(response.json()["error"]["fields"])
    both = get(session_client(manager), "/care/duties", unit=org.provider.pk, team=org.team.pk)
    assert both.status_code == 422


def test_duties_done_late(order: Order, manager: Any) -> None:
    recent = timezone.localdate() - datetime.timedelta(days=5)
    f.step(order, "first_contact", recent)
    body = get(session_client(manager), "/care/duties").json()
    late = [d for d in body["done_late"] if d["rule"] == "care.first_contact"]
    assert len(late) == 1
    assert late[0]["done_on"] == recent.isoformat() and late[0]["state"] == "done_late"


# --- Tokens -----------------------------------------------------------------------------------------


def test_token_with_care_manage_creates_orders(org: Organisation, astrid: Client, manager: Any) -> None:
    client, _ = token_client(manager, [Perm.CLIENT_VIEW_ALL, Perm.CARE_MANAGE])
    response = post(client, "/care/orders", order_body(org, astrid))
    assert response.status_code == 201
    assert get(client, f"/care/orders/{response.json()['id']}").status_code == 200


def test_token_without_care_manage_cannot_write(org: Organisation, astrid: Client, order: Order, manager: Any) -> None:
    client, _ = token_client(manager, [Perm.CLIENT_VIEW_ALL])
    before = state()
    assert get(client, f"/care/orders/{order.pk}").status_code == 200
    assert post(client, "/care/orders", order_body(org, astrid)).status_code == 403
    assert post(client, f"/care/clients/{astrid.pk}/journal", journal_body()).status_code == 403
    assert state() == before


def test_token_with_journal_write(astrid: Client, staffer: Any) -> None:
    client, _ = token_client(staffer, [Perm.CLIENT_VIEW_TEAM, Perm.JOURNAL_WRITE])
    response = post(client, f"/care/clients/{astrid.pk}/journal", journal_body())
    assert response.status_code == 201
    only_write, _ = token_client(staffer, [Perm.JOURNAL_WRITE])
    assert post(only_write, f"/care/clients/{astrid.pk}/journal", journal_body()).status_code == 404


def test_bad_token_is_unauthenticated(order: Order) -> None:
    client = HttpClient(headers={"Authorization": "Bearer bista_00000000_" + "x" * 30})
    assert get(client, "/care/orders").status_code == 401
