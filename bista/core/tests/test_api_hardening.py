"""The API against bad input and retries (issue 14, defects 5, 6 and 14): every implausible date, zone or NUL
is a 4xx naming the field with nothing saved; a write never commits before its answer fails; and a write
sent with an Idempotency-Key is done once however often it is retried."""

from __future__ import annotations

import datetime
import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client as HttpClient
from django.utils import timezone

from bista.api import api
from bista.care.models import JournalEntry
from bista.care.tests import factories as care_factories
from bista.core.idempotency import KEY_LIFETIME, REPLAYED_HEADER
from bista.core.models import IdempotencyRecord
from bista.core.testing import Organisation
from bista.core.tests.api_support import API, error, get, post, session_client, token_client
from bista.quality import services as quality_services
from bista.quality.models import DataIncident, Deviation, LexSarahReport
from bista.quality.tests.factories import deviation_body, incident_body
from bista.rostering.models import NeedPattern, Shift
from bista.rostering.tests import factories as rostering_factories

pytestmark = pytest.mark.django_db


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.fixture
def order(org: Organisation) -> Any:
    astrid = rostering_factories.make_client(org.provider, teams=[org.team])
    return rostering_factories.make_order(astrid, org.provider, team=org.team)


def pattern_body(order: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "order_id": order.pk,
        "weekdays": "67",
        "start_time": "10:00",
        "end_time": "14:00",
        "valid_from": next_monday().isoformat(),
        **overrides,
    }


def refused(response: Any, field: str, code: str | None = None) -> None:
    assert 400 <= response.status_code < 500, response.content
    fields = error(response)["fields"]
    assert field in fields, fields
    if code is not None:
        assert code in [item["code"] for item in fields[field]], fields


# --- Defect 5: a clock time with an offset was saved, then answered 500 ---------------------------------


@pytest.mark.parametrize("start_time", ["10:00:00+01:00", "10:00Z", "10:00:00-05:30"])
def test_need_pattern_time_with_offset_is_refused_and_nothing_saved(order: Any, manager: Any, start_time: str) -> None:
    before = NeedPattern.objects.count()
    response = post(session_client(manager), "/rostering/need-patterns", pattern_body(order, start_time=start_time))
    refused(response, "start_time", "time_with_zone")
    assert "utan tidszon" in error(response)["fields"]["start_time"][0]["message"]
    assert NeedPattern.objects.count() == before


def test_a_write_whose_answer_fails_is_rolled_back(
    org: Organisation, order: Any, manager: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The general guarantee behind defect 5: the service commits nothing if shaping the answer fails."""
    astrid = order.client

    render = api.renderer.render

    def broken(request: Any, data: Any, *, response_status: int) -> Any:
        if response_status == 201:  # as the aware clock time of defect 5 failed to render
            raise ValueError("JSON can't represent timezone-aware times.")
        return render(request, data, response_status=response_status)

    monkeypatch.setattr(api.renderer, "render", broken)
    client = session_client(manager)
    client.raise_request_exception = False
    body = {"client_id": astrid.pk, "starts_at": "2030-03-05T15:00", "ends_at": "2030-03-05T22:00"}
    response = post(client, "/rostering/shifts", body)
    assert response.status_code == 500
    assert Shift.objects.count() == 0


# --- Defect 6: bad input answered 500 -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/quality/deviations", "deviation", "occurred_at"),
        ("/quality/lex-sarah", "deviation", "occurred_at"),
        ("/quality/incidents", "incident", "happened_at"),
    ],
)
def test_utc_offset_beyond_14_hours_is_refused(
    org: Organisation, staffer: Any, manager: Any, path: str, body: str, field: str
) -> None:
    payload = (deviation_body if body == "deviation" else incident_body)(org, **{field: "2026-02-03T09:00:00+16:00"})
    counts = (Deviation.objects.count(), LexSarahReport.objects.count(), DataIncident.objects.count())
    user = manager if body == "incident" else staffer
    response = post(session_client(user), path, payload)
    refused(response, field, "bad_offset")
    assert "-14:00 och +14:00" in json.dumps(error(response), ensure_ascii=False)
    assert (Deviation.objects.count(), LexSarahReport.objects.count(), DataIncident.objects.count()) == counts


def test_utc_offset_of_14_hours_is_accepted(org: Organisation, staffer: Any) -> None:
    response = post(
        session_client(staffer),
        "/quality/deviations",
        deviation_body(org, occurred_at="2026-02-03T20:00:00+14:00"),
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("path", ["/care/orders", "/rostering/shifts"])
def test_nul_in_a_query_parameter_is_refused(org: Organisation, manager: Any, path: str) -> None:
    response = get(session_client(manager), path, status="\x00", start="2030-03-04", end="2030-03-10")
    assert response.status_code == 422
    assert error(response)["fields"]["status"][0]["code"] == "null_characters"


def test_nul_in_a_body_string_is_refused(org: Organisation, order: Any, manager: Any) -> None:
    before = NeedPattern.objects.count()
    response = post(session_client(manager), "/rostering/need-patterns", pattern_body(order, kind="active\x00"))
    refused(response, "kind", "null_characters")
    assert NeedPattern.objects.count() == before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "9999-12-30", "end": "9999-12-31"}, "start"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "start"),
        ({"start": "2030-03-04", "end": "9999-12-31"}, "end"),
    ],
)
def test_shift_list_far_dates_are_refused(manager: Any, org: Organisation, params: dict[str, str], field: str) -> None:
    response = get(session_client(manager), "/rostering/shifts", **params)
    refused(response, field, "out_of_range")
    assert "Ange ett datum mellan 1900-01-01 och" in error(response)["fields"][field][0]["message"]


def test_journal_entry_in_year_0001_is_refused(org: Organisation, manager: Any) -> None:
    astrid = care_factories.make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team])
    body = {"event_date": "0001-01-01", "category_id": care_factories.category().pk, "text": "Promenad."}
    response = post(session_client(manager), f"/care/clients/{astrid.pk}/journal", body)
    refused(response, "event_date", "out_of_range")
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize("occurred_at", ["0070-02-03T09:00:00+01:00", "1899-12-31T09:00:00+01:00"])
def test_deviation_in_antiquity_is_refused(org: Organisation, staffer: Any, occurred_at: str) -> None:
    response = post(session_client(staffer), "/quality/deviations", deviation_body(org, occurred_at=occurred_at))
    refused(response, "occurred_at", "out_of_range")
    assert Deviation.objects.count() == 0


# --- Defect 14: idempotency keys ------------------------------------------------------------------------


def keyed(client: HttpClient, path: str, body: Any, key: str) -> Any:
    return client.post(API + path, body, content_type="application/json", headers={"Idempotency-Key": key})


def test_a_retry_returns_the_first_answer_without_writing_again(org: Organisation, staffer: Any) -> None:
    client = session_client(staffer)
    first = keyed(client, "/quality/deviations", deviation_body(org), "a2c4-retry-1")
    assert first.status_code == 201
    again = keyed(client, "/quality/deviations", deviation_body(org), "a2c4-retry-1")
    assert (again.status_code, again.json()) == (201, first.json())
    assert again[REPLAYED_HEADER] == "true" and REPLAYED_HEADER not in first
    assert Deviation.objects.count() == 1
    other_key = keyed(client, "/quality/deviations", deviation_body(org), "a2c4-retry-2")
    assert other_key.status_code == 201 and Deviation.objects.count() == 2
    unkeyed = post(client, "/quality/deviations", deviation_body(org))
    assert unkeyed.status_code == 201 and Deviation.objects.count() == 3


def test_a_key_reused_for_another_body_is_refused(org: Organisation, staffer: Any) -> None:
    client = session_client(staffer)
    assert keyed(client, "/quality/deviations", deviation_body(org), "k1").status_code == 201
    response = keyed(client, "/quality/deviations", deviation_body(org, what_happened="Något annat."), "k1")
    assert response.status_code == 422
    assert error(response)["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in error(response)["fields"]
    assert Deviation.objects.count() == 1


def test_keys_are_scoped_to_the_user(org: Organisation, staffer: Any, manager: Any) -> None:
    mine = keyed(session_client(staffer), "/quality/deviations", deviation_body(org), "shared-key")
    theirs = keyed(session_client(manager), "/quality/deviations", deviation_body(org), "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Deviation.objects.count() == 2
    assert IdempotencyRecord.objects.filter(key="shared-key").count() == 2


def test_a_token_retry_is_idempotent_too(org: Organisation, manager: Any, order: Any) -> None:
    client, _token = token_client(manager, ["roster.manage", "roster.view"])
    first = keyed(client, "/rostering/need-patterns", pattern_body(order), "token-key")
    again = keyed(client, "/rostering/need-patterns", pattern_body(order), "token-key")
    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json()
    assert NeedPattern.objects.filter(weekdays="67").count() == 1


def test_an_error_answer_is_not_kept_so_a_corrected_retry_runs(org: Organisation, staffer: Any) -> None:
    client = session_client(staffer)
    bad = keyed(client, "/quality/deviations", deviation_body(org, occurred_at="0070-01-01T09:00"), "fix-me")
    assert bad.status_code == 422 and IdempotencyRecord.objects.count() == 0
    good = keyed(client, "/quality/deviations", deviation_body(org), "fix-me")
    assert good.status_code == 201 and Deviation.objects.count() == 1


def test_keys_expire_after_a_day(org: Organisation, staffer: Any) -> None:
    client = session_client(staffer)
    assert keyed(client, "/quality/deviations", deviation_body(org), "old-key").status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - KEY_LIFETIME - datetime.timedelta(minutes=1))
    again = keyed(client, "/quality/deviations", deviation_body(org), "old-key")
    assert again.status_code == 201 and REPLAYED_HEADER not in again
    assert Deviation.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1  # the expired one was removed


@pytest.mark.parametrize("key", ["", "x" * 256, "med mellanslag", "åäö"])
def test_a_malformed_key_is_refused(org: Organisation, staffer: Any, key: str) -> None:
    response = keyed(session_client(staffer), "/quality/deviations", deviation_body(org), key)
    assert response.status_code == 422
    assert error(response)["code"] == "idempotency_key_invalid"
    assert Deviation.objects.count() == 0


def test_reads_ignore_the_key(org: Organisation, staffer: Any) -> None:
    client = session_client(staffer)
    response = client.get(API + "/quality/deviations", headers={"Idempotency-Key": "read"})
    assert response.status_code == 200 and IdempotencyRecord.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # no post_migrate re-creation of content types, which would break later serialized_rollback tests on PostgreSQL
def test_two_requests_with_the_same_key_at_once_write_once(
    org: Organisation, staffer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests pass the lookup before either has stored its answer; the key's unique constraint makes
    the second wait, roll its own write back and answer with the first one's answer."""
    both_writing = threading.Barrier(2, timeout=20)
    report = quality_services.deviation_report

    def report_together(**kwargs: Any) -> Any:
        deviation = report(**kwargs)
        both_writing.wait()  # each has written its deviation, neither has committed
        return deviation

    monkeypatch.setattr(quality_services, "deviation_report", report_together)
    answers: list[Any] = []

    def send() -> None:
        try:
            answers.append(keyed(session_client(staffer), "/quality/deviations", deviation_body(org), "race"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert sorted(REPLAYED_HEADER in a for a in answers) == [False, True]
    assert Deviation.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
