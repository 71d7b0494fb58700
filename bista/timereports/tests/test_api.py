"""The API of worked time: confirming, refusals with the machine-readable error and nothing saved,
Idempotency-Key, the attestation refused with its list, four-way access."""

from __future__ import annotations

from typing import Any

import pytest

from bista.core.tests.api_support import API, error, get, post, session_client, token_client
from bista.timereports.models import Attestation, WorkedTime, WorkedTimeRevision
from bista.timereports.tests.factories import AFTER_MARCH, World, make_world, shift

pytestmark = pytest.mark.usefixtures("no_two_factor")


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def test_confirm_as_planned_and_read_back_my_month(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    shift(world, 1, 7, 8)
    browser = session_client(world.user)
    response = post(browser, f"/timereports/shifts/{planned.pk}/confirm", {})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["basis"] == "planned" and body["minutes"] == 480 and body["shift_id"] == planned.pk
    month = get(browser, "/timereports/mine", month="2030-03").json()
    assert month["minutes"] == 480 and month["unconfirmed"] == 1
    assert [row["state"] for row in month["rows"]] == ["planned", "unconfirmed"]


def test_refusals_are_422_on_the_field_and_save_nothing(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    browser = session_client(world.user)
    url = f"/timereports/shifts/{planned.pk}/confirm"
    reversed_times = post(
        browser, url, {"starts_at": "2030-03-04T15:00", "ends_at": "2030-03-04T07:00", "reason": "Fel"}
    )
    assert reversed_times.status_code == 422 and set(error(reversed_times)["fields"]) == {"ends_at"}
    no_reason = post(browser, url, {"starts_at": "2030-03-04T07:00", "ends_at": "2030-03-04T16:00"})
    assert no_reason.status_code == 422 and set(error(no_reason)["fields"]) == {"reason"}
    negative = post(browser, url, {"active_minutes": -5})
    assert negative.status_code == 422 and "active_minutes" in error(negative)["fields"]
    absurd = post(browser, url, {"starts_at": "9999-12-31T07:00", "ends_at": "9999-12-31T08:00", "reason": "x"})
    assert absurd.status_code == 422
    assert not WorkedTime.objects.exists() and not WorkedTimeRevision.objects.exists()
    assert post(browser, url, {}).status_code == 201
    overlapping = post(
        browser,
        "/timereports/worked-times",
        {
            "client_id": world.client.pk,
            "starts_at": "2030-03-04T14:00",
            "ends_at": "2030-03-04T16:00",
            "reason": "Stannade",
        },
    )
    assert overlapping.status_code == 422 and set(error(overlapping)["fields"]) == {"starts_at"}
    assert WorkedTime.objects.count() == 1


def test_an_idempotent_retry_saves_once(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    browser = session_client(world.user)
    url = f"{API}/timereports/shifts/{planned.pk}/confirm"
    first = browser.post(url, {}, content_type="application/json", headers={"Idempotency-Key": "bekrafta-1"})
    again = browser.post(url, {}, content_type="application/json", headers={"Idempotency-Key": "bekrafta-1"})
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert WorkedTime.objects.count() == 1


def test_revision_and_its_history(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    browser = session_client(world.user)
    worked_id = post(browser, f"/timereports/shifts/{planned.pk}/confirm", {}).json()["id"]
    change = {"revision": 1, "starts_at": "2030-03-04T07:00", "ends_at": "2030-03-04T15:30", "reason": "Glömde"}
    revised = post(browser, f"/timereports/worked-times/{worked_id}/revisions", change)
    assert revised.status_code == 201 and revised.json()["revision"] == 2
    stale = post(browser, f"/timereports/worked-times/{worked_id}/revisions", change)
    assert stale.status_code == 409
    detail = get(session_client(world.manager), f"/timereports/worked-times/{worked_id}").json()
    assert [r["basis"] for r in detail["revisions"]] == ["planned", "revised"]


def test_attestation_is_refused_with_the_list_then_made(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    manager = session_client(world.manager)
    body = {"employee_id": world.employee.pk, "month": "2030-03"}
    refused = post(manager, "/timereports/attestations", body)
    assert refused.status_code == 422
    assert "2030-03-04 07:00–15:00" in error(refused)["fields"]["month"][0]["message"]
    assert not Attestation.objects.exists()
    post(session_client(world.user), f"/timereports/shifts/{planned.pk}/confirm", {})
    made = post(manager, "/timereports/attestations", body)
    assert made.status_code == 201 and made.json()["minutes"] == 480
    summary = get(manager, f"/timereports/units/{world.org.provider.pk}/months/2030-03").json()
    assert summary[0]["attested_at"] is not None and summary[0]["unconfirmed"] == 0


def test_four_ways(world: World, nobody: Any, other_manager: Any) -> None:
    from django.test import Client as HttpClient

    planned = shift(world, 0, 7, 8)
    unit_url = f"/timereports/units/{world.org.provider.pk}/months/2030-03"
    attest = {"employee_id": world.employee.pk, "month": "2030-03"}
    assert HttpClient().get(API + unit_url).status_code == 401
    assert post(HttpClient(), f"/timereports/shifts/{planned.pk}/confirm", {}).status_code == 401
    for stranger in (nobody, other_manager, world.user):
        browser = session_client(stranger)
        assert get(browser, unit_url).status_code == 404
        assert post(browser, "/timereports/attestations", attest).status_code in (403, 404)
    for stranger in (nobody, other_manager):
        assert post(session_client(stranger), f"/timereports/shifts/{planned.pk}/confirm", {}).status_code == 404
    assert not WorkedTime.objects.exists() and not Attestation.objects.exists()
    assert get(session_client(world.manager), unit_url).status_code == 200


def test_a_token_without_the_scope_cannot_attest(world: World) -> None:
    browser, _token = token_client(world.manager, ["roster.view"])
    response = post(browser, "/timereports/attestations", {"employee_id": world.employee.pk, "month": "2030-03"})
    assert response.status_code == 404
