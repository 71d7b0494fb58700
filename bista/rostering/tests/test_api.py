"""The rostering API: every endpoint four ways (anonymous, no permission, permission, permission in another
unit: nothing leaked, nothing changed), the bad input the issue names (end before start, a 26-hour pass,
an overlapping shift, a shift for a sick person, a job with no needs) as 4xx with machine-readable errors,
the access log, scoped tokens, version conflicts and the list's query budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bista.clients.models import AccessLogEntry
from bista.core.models import AuditEvent
from bista.core.permissions import Perm, RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import API, error, get, patch, post, session_client, text, token_client
from bista.rostering import services, tasks
from bista.rostering.models import BookedOccasion, NeedPattern, RosterJob, Shift
from bista.rostering.tests import factories as f
from bista.rostering.tests.factories import at
from bista.staff.models import Absence

pytestmark = pytest.mark.django_db


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.fixture
def world(org: Organisation) -> dict[str, Any]:
    """A client with an order and needs, an assistant with a published and a draft shift, an open shift,
    a booked occasion and a queued roster job, all in the provider unit."""
    astrid = f.make_client(org.provider, teams=[org.team])
    order = f.make_order(astrid, org.provider, team=org.team)
    pattern = f.pattern(order, 7, 15, valid_from=next_monday(), weekdays="12345")
    anna = f.make_employee(org.provider, "Anna", "Berg", teams=[org.team])
    bo = f.make_employee(org.provider, "Bo", "Ek", teams=[org.team], gender="M")
    published = f.shift(anna, astrid, at(0, 7), 8)
    draft = f.shift(anna, astrid, at(1, 7), 8, status="draft")
    open_shift = f.shift(None, astrid, at(2, 7), 8)
    occasion = services.booked_occasion_create(
        actor=None, order=order, starts_at=at(3, 18), ends_at=at(3, 21), note="Bio"
    )
    creator = make_user("schemalaggare", RoleCode.UNIT_MANAGER, org.provider)
    job = services.roster_job_start(
        actor=creator,
        unit=org.provider,
        period_start=next_monday(),
        period_end=next_monday() + datetime.timedelta(days=13),
        weights={},
        time_limit_seconds=10,
    )
    return {
        "org": org,
        "client": astrid,
        "order": order,
        "pattern": pattern,
        "anna": anna,
        "bo": bo,
        "shift": published,
        "draft": draft,
        "open": open_shift,
        "occasion": occasion,
        "job": job,
    }


def state() -> dict[str, Any]:
    """Everything the rostering API can change, to compare before and after a refused request."""
    return {
        "shifts": sorted(Shift.objects.values_list("pk", "version", "status", "employee_id", "note", "starts_at")),
        "patterns": sorted(NeedPattern.objects.values_list("pk", "valid_to")),
        "occasions": sorted(BookedOccasion.objects.values_list("pk", "cancelled_at")),
        "jobs": sorted(RosterJob.objects.values_list("pk", "status", "version", "stop_requested")),
        "absences": Absence.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def ids(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "shift": world["shift"].pk,
        "draft": world["draft"].pk,
        "open": world["open"].pk,
        "pattern": world["pattern"].pk,
        "order": world["order"].pk,
        "occasion": world["occasion"].pk,
        "job": world["job"].pk,
        "unit": world["org"].provider.pk,
        "client": world["client"].pk,
        "anna": world["anna"].pk,
        "bo": world["bo"].pk,
        "start": "2030-03-04",
        "end": "2030-03-10",
        "monday": next_monday().isoformat(),
        "sunday": (next_monday() + datetime.timedelta(days=13)).isoformat(),
    }


# name, method, path, body, status for a manager of another unit (nothing leaked, nothing changed)
ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
    ("list shifts", "GET", "/rostering/shifts?start={start}&end={end}", None, 200),
    ("get shift", "GET", "/rostering/shifts/{shift}", None, 404),
    (
        "create shift",
        "POST",
        "/rostering/shifts",
        {
            "client_id": "{client}",
            "employee_id": "{bo}",
            "starts_at": "2030-03-05T15:00",
            "ends_at": "2030-03-05T22:00",
        },
        422,
    ),
    ("update shift", "PATCH", "/rostering/shifts/{draft}", {"version": 1, "note": "Ändrad"}, 404),
    ("publish shift", "POST", "/rostering/shifts/{draft}/publish", {"version": 1}, 404),
    ("cancel shift", "POST", "/rostering/shifts/{shift}/cancel", {"reason": "Inställt"}, 404),
    ("candidates", "GET", "/rostering/shifts/{open}/candidates", None, 404),
    ("assign", "POST", "/rostering/shifts/{open}/assign", {"employee_id": "{bo}", "version": 1}, 404),
    ("sick call", "POST", "/rostering/sick-calls", {"employee_id": "{anna}", "starts_on": "2030-03-04"}, 422),
    ("list patterns", "GET", "/rostering/need-patterns", None, 200),
    (
        "create pattern",
        "POST",
        "/rostering/need-patterns",
        {"order_id": "{order}", "weekdays": "67", "start_time": "10:00", "end_time": "14:00", "valid_from": "{monday}"},
        422,
    ),
    ("end pattern", "POST", "/rostering/need-patterns/{pattern}/end", {"last_day": "{sunday}"}, 404),
    ("need proposal", "GET", "/rostering/orders/{order}/need-proposal", None, 404),
    ("list occasions", "GET", "/rostering/occasions?start={start}&end={end}", None, 200),
    (
        "create occasion",
        "POST",
        "/rostering/occasions",
        {"order_id": "{order}", "starts_at": "2030-03-06T10:00", "ends_at": "2030-03-06T12:00"},
        422,
    ),
    ("cancel occasion", "POST", "/rostering/occasions/{occasion}/cancel", {"reason": "Sjuk"}, 404),
    ("list jobs", "GET", "/rostering/jobs?unit_id={unit}", None, 404),
    (
        "start job",
        "POST",
        "/rostering/jobs",
        {"unit_id": "{unit}", "period_start": "{monday}", "period_end": "{sunday}", "time_limit_seconds": 10},
        422,
    ),
    ("get job", "GET", "/rostering/jobs/{job}", None, 404),
    ("proposal", "GET", "/rostering/jobs/{job}/proposal", None, 404),
    ("stop job", "POST", "/rostering/jobs/{job}/stop", {}, 404),
    ("publish job", "POST", "/rostering/jobs/{job}/publish", {"version": 1}, 404),
    ("discard job", "POST", "/rostering/jobs/{job}/discard", {}, 404),
]
ENDPOINT_IDS = [e[0] for e in ENDPOINTS]


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in values:
        return values[value[1:-1]]
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def call(client: HttpClient, method: str, path: str, body: dict[str, Any] | None, values: dict[str, Any]) -> Any:
    url = API + _fill(path, values)
    data = _fill(body, values)
    if method == "GET":
        return client.get(url)
    if method == "PATCH":
        return client.patch(url, data, content_type="application/json")
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize(("name", "method", "path", "body", "other"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_anonymous(world: dict[str, Any], name: str, method: str, path: str, body: Any, other: int) -> None:
    before = state()
    response = call(HttpClient(), method, path, body, ids(world))
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"
    assert state() == before


@pytest.mark.parametrize(("name", "method", "path", "body", "other"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_without_permission(
    world: dict[str, Any], nobody: Any, staffer: Any, name: str, method: str, path: str, body: Any, other: int
) -> None:
    """Signed in with no role, or as an assistant (no roster role): 403, and nothing about the client."""
    before = state()
    for user in (nobody, staffer):
        response = call(session_client(user), method, path, body, ids(world))
        assert response.status_code in (403, 404), (user, response.json())
        assert "Lindqvist" not in text(response) and "Anna" not in text(response)
    assert state() == before
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(("name", "method", "path", "body", "other"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_permission_in_another_unit(
    world: dict[str, Any], other_manager: Any, name: str, method: str, path: str, body: Any, other: int
) -> None:
    before = state()
    response = call(session_client(other_manager), method, path, body, ids(world))
    assert response.status_code == other, response.json()
    assert "Lindqvist" not in text(response) and "Anna" not in text(response)
    if other == 200:
        payload = response.json()
        assert payload in ([], {"count": 0, "items": []}), payload
    if other == 422:
        assert set(error(response)["fields"]) & {"client_id", "employee_id", "order_id", "unit_id"}
    assert state() == before
    assert not AccessLogEntry.objects.exists()


def test_nobody_gets_403_not_404(world: dict[str, Any], nobody: Any) -> None:
    """With no roster role anywhere the answer is 403 (as elsewhere in the API), not an empty list."""
    assert (
        call(session_client(nobody), "GET", "/rostering/shifts?start={start}&end={end}", None, ids(world)).status_code
        == 403
    )
    assert call(session_client(nobody), "GET", "/rostering/jobs/{job}", None, ids(world)).status_code == 403


# --- With permission ------------------------------------------------------------------------------------


def test_list_shifts(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    values = ids(world)
    body = call(client, "GET", "/rostering/shifts?start={start}&end={end}", None, values).json()
    assert body["count"] == 3
    first = body["items"][0]
    assert first["id"] == world["shift"].pk
    assert (first["client_name"], first["employee_name"], first["hours"], first["status"]) == (
        "Astrid Lindqvist",
        "Anna Berg",
        8,
        "published",
    )
    assert first["starts_at"].startswith("2030-03-04T06:00:00")  # UTC; 07:00 in Stockholm
    log = AccessLogEntry.objects.get()
    assert (log.client, log.action, log.actor) == (world["client"], "api", manager)
    open_only = get(client, "/rostering/shifts", start="2030-03-04", end="2030-03-10", open_only=True).json()
    assert [s["id"] for s in open_only["items"]] == [world["open"].pk]
    drafts = get(client, "/rostering/shifts", start="2030-03-04", end="2030-03-10", status="draft").json()
    assert [s["id"] for s in drafts["items"]] == [world["draft"].pk]
    by_team = get(client, "/rostering/shifts", start="2030-03-04", end="2030-03-10", team_id=world["org"].team.pk)
    assert by_team.json()["count"] == 3
    other_team = get(
        client, "/rostering/shifts", start="2030-03-04", end="2030-03-10", team_id=world["org"].other_team.pk
    )
    assert other_team.json()["count"] == 0
    page = get(client, "/rostering/shifts", start="2030-03-04", end="2030-03-10", limit=1, offset=1).json()
    assert page["count"] == 3 and [s["id"] for s in page["items"]] == [world["draft"].pk]


def test_list_shifts_bad_days(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    response = get(client, "/rostering/shifts", start="2030-03-10", end="2030-03-04")
    assert response.status_code == 422 and error(response)["fields"]["end"][0]["code"] == "end_before_start"
    response = get(client, "/rostering/shifts", start="2030-01-01", end="2030-06-01")
    assert response.status_code == 422 and error(response)["fields"]["end"][0]["code"] == "too_long"
    response = get(client, "/rostering/shifts", start="2030-02-30", end="2030-03-01")
    assert response.status_code == 422 and "start" in error(response)["fields"]


def test_list_shifts_query_budget(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    path = "/rostering/shifts?start=2030-03-04&end=2030-03-31"
    call(client, "GET", path, None, {})
    with CaptureQueriesContext(connection) as few:
        call(client, "GET", path, None, {})
    for n in range(6):
        employee = f.make_employee(world["org"].provider, f"Extra{n}", "Person", teams=[world["org"].team])
        other = f.make_client(world["org"].provider, f"Klient{n}", "Test")
        f.make_order(other, world["org"].provider)
        f.shift(employee, other, at(7 + n, 7), 8)
    with CaptureQueriesContext(connection) as many:
        assert call(client, "GET", path, None, {}).json()["count"] == 9
    assert len(many) == len(few)


def test_get_shift_is_logged(world: dict[str, Any], manager: Any) -> None:
    response = call(session_client(manager), "GET", "/rostering/shifts/{shift}", None, ids(world))
    assert response.status_code == 200 and response.json()["version"] == 1
    assert AccessLogEntry.objects.filter(client=world["client"], action="api").count() == 1


def test_employee_sees_own_shifts(world: dict[str, Any], org: Organisation) -> None:
    user = make_user("emma", RoleCode.EMPLOYEE, org.provider)
    emma = f.make_employee(org.provider, "Emma", "Ek", teams=[org.team], user=user)
    mine = f.shift(emma, world["client"], at(2, 15), 7)
    f.shift(emma, world["client"], at(4, 15), 7, status="draft")
    client = session_client(user)
    response = get(client, "/rostering/shifts/mine", start="2030-03-04", end="2030-03-10")
    assert [s["id"] for s in response.json()] == [mine.pk]
    assert call(client, "GET", f"/rostering/shifts/{mine.pk}", None, {}).status_code == 200
    assert call(client, "GET", "/rostering/shifts/{shift}", None, ids(world)).status_code == 404  # Anna's
    assert get(HttpClient(), "/rostering/shifts/mine", start="2030-03-04", end="2030-03-10").status_code == 401


def test_create_shift(world: dict[str, Any], manager: Any) -> None:
    body = {
        "client_id": world["client"].pk,
        "employee_id": world["bo"].pk,
        "starts_at": "2030-03-05T15:00",  # no zone: Stockholm
        "ends_at": "2030-03-05T22:00:00+01:00",
        "kind": "active",
        "note": "Kväll",
    }
    response = post(session_client(manager), "/rostering/shifts", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["employee_id"], created["hours"], created["status"], created["warnings"]) == (
        world["bo"].pk,
        7,
        "draft",
        [],
    )
    shift = Shift.objects.get(pk=created["id"])
    assert shift.starts_at == at(1, 15)


def test_create_shift_warnings(world: dict[str, Any], manager: Any, org: Organisation) -> None:
    client = f.make_client(org.provider, "Nils", "Holm")
    f.make_order(client, org.provider, scope_amount=8, scope_unit="month")
    body = {"client_id": client.pk, "starts_at": "2030-03-05T08:00", "ends_at": "2030-03-05T18:00"}
    response = post(session_client(manager), "/rostering/shifts", body)
    assert response.status_code == 201
    (warning,) = response.json()["warnings"]
    assert (warning["rule"], warning["hard"]) == ("decision_hours", False)
    assert "besluten" in warning["message"]


@pytest.mark.parametrize(
    ("case", "changes", "field", "code"),
    [
        ("end before start", {"ends_at": "2030-03-05T14:00"}, "ends_at", "end_before_start"),
        ("26-hour pass", {"ends_at": "2030-03-06T17:00"}, "ends_at", "rule_violation"),
        ("overlapping", {"employee_id": "anna", "starts_at": "2030-03-04T12:00"}, "__all__", "rule_violation"),
        ("sick person", {"employee_id": "sick"}, "employee_id", "rule_violation"),
        ("unknown kind", {"kind": "sleep"}, "kind", "invalid_choice"),
        ("unknown employee", {"employee_id": 999999}, "employee_id", "does_not_exist"),
        ("unknown field", {"room": "3"}, "room", "extra_forbidden"),
        ("not a time", {"starts_at": "i morgon"}, "starts_at", "datetime_from_date_parsing"),
    ],
)
def test_create_shift_bad_input(
    world: dict[str, Any], manager: Any, case: str, changes: dict[str, Any], field: str, code: str
) -> None:
    if changes.get("employee_id") == "sick":
        services.sick_call(actor=manager, employee=world["bo"], starts_on=f.day(1), ends_on=f.day(1))
    body = {
        "client_id": world["client"].pk,
        "employee_id": world["bo"].pk,
        "starts_at": "2030-03-05T15:00",
        "ends_at": "2030-03-05T22:00",
        **changes,
    }
    if body["employee_id"] == "anna":
        body["employee_id"] = world["anna"].pk
    if body["employee_id"] == "sick":
        body["employee_id"] = world["bo"].pk
    before = state()
    response = post(session_client(manager), "/rostering/shifts", body)
    assert response.status_code == 422, response.json()
    fields = error(response)["fields"]
    assert field in fields, fields
    if code != "datetime_from_date_parsing":
        assert fields[field][0]["code"] == code
    assert fields[field][0]["message"]
    assert state() == before


def test_update_shift(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    path = f"/rostering/shifts/{world['draft'].pk}"
    response = patch(client, path, {"version": 1, "employee_id": world["bo"].pk, "ends_at": "2030-03-05T16:00"})
    assert response.status_code == 200, response.json()
    assert (response.json()["employee_id"], response.json()["hours"], response.json()["version"]) == (
        world["bo"].pk,
        9,
        2,
    )
    before = state()
    stale = patch(client, path, {"version": 1, "note": "Sen"})
    assert stale.status_code == 409
    assert error(stale)["code"] == "conflict" and error(stale)["current_version"] == 2
    # a Swedish sentence, not the repr of the exception's arguments (issue 14, defect 12)
    assert error(stale)["message"].startswith("Någon annan har ändrat"), error(stale)["message"]
    assert patch(client, path, {"version": 2, "employee_id": None}).json()["employee_id"] is None
    frozen = patch(client, f"/rostering/shifts/{world['shift'].pk}", {"version": 1, "note": "x"})
    assert frozen.status_code == 422 and error(frozen)["fields"]["status"][0]["code"] == "frozen"
    assert state()["shifts"] != before["shifts"]  # only the valid unassignment changed something


def test_publish_shift(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    path = f"/rostering/shifts/{world['draft'].pk}/publish"
    assert post(client, path, {"version": 7}).status_code == 409
    response = post(client, path, {"version": 1})
    assert response.status_code == 200 and response.json()["status"] == "published"
    again = post(client, path, {"version": 2})
    assert again.status_code == 422 and error(again)["fields"]["status"][0]["code"] == "invalid_status"


def test_cancel_shift(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    path = f"/rostering/shifts/{world['shift'].pk}/cancel"
    missing = post(client, path, {})
    assert missing.status_code == 422 and "reason" in error(missing)["fields"]
    response = post(client, path, {"reason": "Brukaren är bortrest", "version": 1})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_candidates_and_assign(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    candidates = call(client, "GET", "/rostering/shifts/{open}/candidates", None, ids(world)).json()
    # Anna worked with the client on Monday (continuity); Bo has not.
    assert [c["employee_id"] for c in candidates] == [world["anna"].pk, world["bo"].pk]
    assert candidates[0]["worked_with_client"] and not candidates[1]["worked_with_client"]
    assert candidates[0]["rank"] == 1 and candidates[0]["reasons"]
    best = candidates[0]["employee_id"]
    response = post(client, f"/rostering/shifts/{world['open'].pk}/assign", {"employee_id": best, "version": 1})
    assert response.status_code == 200 and response.json()["employee_id"] == best
    again = post(client, f"/rostering/shifts/{world['open'].pk}/assign", {"employee_id": best, "version": 1})
    assert again.status_code == 409


def test_sick_call(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    response = post(client, "/rostering/sick-calls", {"employee_id": world["anna"].pk, "starts_on": "2030-03-04"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["ends_on"] is None
    assert [s["replaces_id"] for s in body["open_shifts"]] == [world["shift"].pk]
    assert body["open_shifts"][0]["employee_id"] is None
    world["shift"].refresh_from_db()
    assert world["shift"].status == "absent"
    overlap = post(client, "/rostering/sick-calls", {"employee_id": world["anna"].pk, "starts_on": "2030-03-05"})
    assert overlap.status_code == 422 and error(overlap)["fields"]["starts_on"][0]["code"] == "overlap"
    reversed_dates = post(
        client,
        "/rostering/sick-calls",
        {"employee_id": world["bo"].pk, "starts_on": "2030-03-05", "ends_on": "2030-03-04"},
    )
    assert reversed_dates.status_code == 422 and "ends_on" in error(reversed_dates)["fields"]


def test_need_patterns(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    listed = get(client, "/rostering/need-patterns", order_id=world["order"].pk).json()
    assert [p["id"] for p in listed] == [world["pattern"].pk]
    assert AccessLogEntry.objects.filter(client=world["client"], action="api").count() == 1
    body = {
        "order_id": world["order"].pk,
        "weekdays": "67",
        "start_time": "10:00",
        "end_time": "14:00",
        "valid_from": next_monday().isoformat(),
        "staff_count": 2,
    }
    created = post(client, "/rostering/need-patterns", body)
    assert created.status_code == 201 and created.json()["staff_count"] == 2
    bad = post(client, "/rostering/need-patterns", {**body, "weekdays": "89"})
    assert bad.status_code == 422 and "weekdays" in error(bad)["fields"]
    too_many = post(client, "/rostering/need-patterns", {**body, "staff_count": 5})
    assert too_many.status_code == 422 and "staff_count" in error(too_many)["fields"]
    end = post(client, f"/rostering/need-patterns/{created.json()['id']}/end", {"last_day": next_monday().isoformat()})
    assert end.status_code == 200 and end.json()["valid_to"] == next_monday().isoformat()
    reads = AccessLogEntry.objects.filter(actor=manager, client=world["order"].client).count()
    proposal = call(client, "GET", "/rostering/orders/{order}/need-proposal", None, ids(world)).json()
    # The proposal is the client's needs: a read, logged (issue 14, defect 7).
    assert AccessLogEntry.objects.filter(actor=manager, client=world["order"].client).count() == reads + 1
    assert [(p["start_time"], p["end_time"], p["id"]) for p in proposal] == [
        ("07:00:00", "15:00:00", None),
        ("15:00:00", "22:00:00", None),
        ("22:00:00", "07:00:00", None),
    ]


def test_occasions(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    listed = get(client, "/rostering/occasions", start="2030-03-04", end="2030-03-10").json()
    assert [o["id"] for o in listed] == [world["occasion"].pk]
    body = {"order_id": world["order"].pk, "starts_at": "2030-03-06T10:00", "ends_at": "2030-03-06T12:00"}
    created = post(client, "/rostering/occasions", body)
    assert created.status_code == 201
    backwards = post(client, "/rostering/occasions", {**body, "ends_at": "2030-03-06T09:00"})
    assert backwards.status_code == 422 and error(backwards)["fields"]["ends_at"][0]["code"] == "end_before_start"
    cancelled = post(client, f"/rostering/occasions/{created.json()['id']}/cancel", {"reason": "Sjuk"})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]


def test_jobs(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    job = world["job"]
    listed = call(client, "GET", "/rostering/jobs?unit_id={unit}", None, ids(world)).json()
    assert [j["id"] for j in listed] == [job.pk]
    got = call(client, "GET", "/rostering/jobs/{job}", None, ids(world)).json()
    assert (got["status"], got["progress"], got["weights"]["overtime"]) == ("queued", 0, 8)
    start_body = next(e[3] for e in ENDPOINTS if e[0] == "start job")
    busy = call(client, "POST", "/rostering/jobs", start_body, ids(world))
    assert busy.status_code == 422 and error(busy)["fields"]["__all__"][0]["code"] == "busy"
    assert tasks.execute(job.pk) == "done"  # as the worker would
    proposal = call(client, "GET", "/rostering/jobs/{job}/proposal", None, ids(world)).json()
    assert len(proposal["shifts"]) == 10 and proposal["uncovered"] == []
    assert proposal["statistics"]["solver"]["shifts"] == 10
    stale = post(client, f"/rostering/jobs/{job.pk}/publish", {"version": 99})
    assert stale.status_code == 409
    published = post(client, f"/rostering/jobs/{job.pk}/publish", {"version": 1})
    assert published.status_code == 200, published.json()
    assert published.json()["published"] == 10 and published.json()["job"]["status"] == "published"
    stop = post(client, f"/rostering/jobs/{job.pk}/stop", {})
    assert stop.status_code == 422 and error(stop)["fields"]["status"][0]["code"] == "finished"


def test_start_job_bad_input(world: dict[str, Any], manager: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = session_client(manager)
    services.roster_job_stop(actor=manager, job=world["job"])
    start = next_monday()
    body = {
        "unit_id": world["org"].provider.pk,
        "period_start": start.isoformat(),
        "period_end": (start + datetime.timedelta(days=13)).isoformat(),
        "weights": {"overtime": 12},
        "time_limit_seconds": 30,
    }
    cases = [
        ({"period_end": (start + datetime.timedelta(days=6)).isoformat()}, "period_end", "period_length"),
        ({"period_end": (start - datetime.timedelta(days=1)).isoformat()}, "period_end", "end_before_start"),
        ({"weights": {"fart": 1}}, "weights", "unknown_weight"),
        ({"weights": {"overtime": 1000}}, "weights", "out_of_range"),
        ({"time_limit_seconds": 1}, "time_limit_seconds", "out_of_range"),
        ({"time_limit_seconds": "lång"}, "time_limit_seconds", "int_parsing"),
    ]
    for changes, field, code in cases:
        before = state()
        response = post(client, "/rostering/jobs", {**body, **changes})
        assert response.status_code == 422, (changes, response.json())
        assert error(response)["fields"][field][0]["code"] == code, response.json()
        assert state() == before
    # A period with no needs: the pattern ends before it.
    services.need_pattern_end(actor=manager, pattern=world["pattern"], last_day=start)
    later = start + datetime.timedelta(days=7)
    no_needs = post(
        client,
        "/rostering/jobs",
        {**body, "period_start": later.isoformat(), "period_end": (later + datetime.timedelta(days=13)).isoformat()},
    )
    assert no_needs.status_code == 422 and error(no_needs)["fields"]["__all__"][0]["code"] == "no_needs"
    with django_capture_on_commit_callbacks() as callbacks:
        started = post(client, "/rostering/jobs", body)
    assert started.status_code == 201 and started.json()["time_limit_seconds"] == 30
    assert len(callbacks) == 1


def test_stop_and_discard(world: dict[str, Any], manager: Any) -> None:
    client = session_client(manager)
    job = world["job"]
    assert post(client, f"/rostering/jobs/{job.pk}/discard", {}).status_code == 422  # still queued
    stopped = post(client, f"/rostering/jobs/{job.pk}/stop", {})
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    discarded = post(client, f"/rostering/jobs/{job.pk}/discard", {"version": stopped.json()["version"]})
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"


# --- Tokens ----------------------------------------------------------------------------------------------


def test_token_scopes(world: dict[str, Any], manager: Any) -> None:
    reader, _ = token_client(manager, [Perm.ROSTER_VIEW])
    assert call(reader, "GET", "/rostering/shifts?start={start}&end={end}", None, ids(world)).status_code == 200
    before = state()
    response = call(reader, "POST", "/rostering/shifts/{shift}/cancel", {"reason": "x"}, ids(world))
    assert response.status_code == 403
    assert state() == before
    writer, _ = token_client(manager, [Perm.ROSTER_VIEW, Perm.ROSTER_MANAGE])
    response = call(writer, "POST", "/rostering/shifts/{shift}/cancel", {"reason": "Inställt"}, ids(world))
    assert response.status_code == 200
