"""The quality API (bista.quality.api under /api/v1/quality/…): each endpoint four ways (anonymous, no
permission, permission, another unit: nothing leaked, nothing changed), bad input naming the field, stale
versions, scoped tokens, the VB table and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.core.models import AuditEvent
from bista.core.permissions import Perm
from bista.core.testing import Organisation
from bista.core.tests.api_support import API, audit_count, error, get, patch, post, session_client, text, token_client
from bista.quality import services
from bista.quality.models import DataIncident, Deviation, Feedback, LexSarahReport
from bista.quality.tests import factories as f
from bista.quality.tests.factories import deviation_body, incident_body

pytestmark = pytest.mark.django_db

SECRET = "Hemlig händelse hos Astrid"


def rows(model: Any) -> int:
    return int(model._default_manager.count())


def fresh(obj: Any) -> dict[str, Any]:
    """Every concrete field of the stored row, to assert that nothing changed."""
    stored = type(obj)._default_manager.get(pk=obj.pk)
    return {field.attname: getattr(stored, field.attname) for field in stored._meta.concrete_fields}


@pytest.fixture
def deviation(org: Organisation, staffer: Any) -> Deviation:
    return f.report_deviation(org.provider, actor=staffer, what_happened=SECRET)


@pytest.fixture
def report(org: Organisation, staffer: Any) -> LexSarahReport:
    return f.report_lex_sarah(org.provider, actor=staffer, what_happened=SECRET)


@pytest.fixture
def feedback(org: Organisation) -> Feedback:
    return f.register_feedback(org.provider, description=SECRET, category=f.feedback_category())


@pytest.fixture
def incident(org: Organisation) -> DataIncident:
    return f.register_incident(org.provider, what_happened=SECRET)


def feedback_body(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": org.provider.pk,
        "kind": "complaint",
        "source": "relative",
        "received_on": "2026-02-02",
        "description": "Assistenten kom för sent.",
        "sender_name": "Karin",
        **overrides,
    }


def assert_hidden(response: Any, *statuses: int) -> None:
    assert response.status_code in statuses, response.content
    assert SECRET not in text(response)


# --- Deviations --------------------------------------------------------------------------------------


def test_list_deviations_four_ways(
    org: Organisation, deviation: Deviation, manager: Any, other_manager: Any, staffer: Any, nobody: Any
) -> None:
    assert_hidden(get(HttpClient(), "/quality/deviations"), 401)
    response = get(session_client(nobody), "/quality/deviations")
    assert_hidden(response, 200, 403)
    response = get(session_client(other_manager), "/quality/deviations")
    assert_hidden(response, 200)
    assert response.json()["count"] == 0
    assert_hidden(get(session_client(other_manager), "/quality/deviations", unit_id=org.provider.pk), 404)

    body = get(session_client(manager), "/quality/deviations", unit_id=org.provider.pk).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["what_happened"], item["status"], item["lex_sarah_report_id"]) == (
        deviation.pk,
        SECRET,
        "reported",
        None,
    )
    # The reporter sees what they reported.
    assert [d["id"] for d in get(session_client(staffer), "/quality/deviations").json()["items"]] == [deviation.pk]
    # Period filters on the reported day.
    client = session_client(manager)
    assert get(client, "/quality/deviations", start="2026-02-04").json()["count"] == 0
    assert get(client, "/quality/deviations", start="2026-02-03", end="2026-02-03").json()["count"] == 1


# Regression: a list without any quality permission answers 200 [] instead of 403
def test_list_deviations_without_permission_is_forbidden(deviation: Deviation, nobody: Any) -> None:
    assert get(session_client(nobody), "/quality/deviations").status_code == 403


# Regression: a list filtered on another unit's unit_id answers 200 [] instead of 404
def test_list_deviations_of_another_unit_is_not_found(
    org: Organisation, deviation: Deviation, other_manager: Any
) -> None:
    assert get(session_client(other_manager), "/quality/deviations", unit_id=org.provider.pk).status_code == 404


def test_report_deviation_four_ways(org: Organisation, staffer: Any, nobody: Any, other_manager: Any) -> None:
    body = deviation_body(org)
    assert post(HttpClient(), "/quality/deviations", body).status_code == 401
    assert post(session_client(nobody), "/quality/deviations", body).status_code == 403
    response = post(session_client(other_manager), "/quality/deviations", body)
    assert (response.status_code, error(response)["code"]) == (403, "forbidden")
    assert rows(Deviation) == 0

    response = post(session_client(staffer), "/quality/deviations", body)
    assert response.status_code == 201, response.content
    deviation = Deviation.objects.get()
    assert response.json()["id"] == deviation.pk
    assert (deviation.reported_by, deviation.unit, deviation.status) == (staffer, org.provider, "reported")
    assert audit_count("deviation.report", actor=staffer, object_id=str(deviation.pk), unit=org.provider) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_at": "2099-01-01T09:00:00+01:00"}, "occurred_at"),
        ({"what_happened": " "}, "what_happened"),
        ({"what_happened": "a\x00b"}, "what_happened"),
        ({"unit_id": 999999}, "unit_id"),
        ({"client_id": 999999}, "client_id"),
        ({"occurred_at": "igår"}, "occurred_at"),
        ({"category": "bemotande"}, "category"),
    ],
)
def test_report_deviation_bad_input(org: Organisation, staffer: Any, overrides: dict[str, Any], field: str) -> None:
    response = post(session_client(staffer), "/quality/deviations", deviation_body(org, **overrides))
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert rows(Deviation) == 0


def test_a_client_of_another_unit_is_refused_on_client(org: Organisation, staffer: Any) -> None:
    cecilia = f.client_in_team(org.other_unit, org.other_unit_team, "Cecilia")
    response = post(session_client(staffer), "/quality/deviations", deviation_body(org, client_id=cecilia.pk))
    assert response.status_code == 422
    assert "client" in error(response)["fields"]
    assert "Cecilia" not in text(response)
    assert rows(Deviation) == 0


# Regression: a datetime without an offset gives a 500 (naive vs aware comparison)
def test_a_time_without_offset_is_no_server_error(org: Organisation, staffer: Any) -> None:
    response = post(session_client(staffer), "/quality/deviations", deviation_body(org, occurred_at="2026-02-03T09:00"))
    assert response.status_code in (201, 422)


def test_get_deviation_four_ways(deviation: Deviation, manager: Any, other_manager: Any, nobody: Any) -> None:
    path = f"/quality/deviations/{deviation.pk}"
    assert_hidden(get(HttpClient(), path), 401)
    assert_hidden(get(session_client(nobody), path), 404)
    response = get(session_client(other_manager), path)
    assert_hidden(response, 404)
    assert error(response)["code"] == "not_found"
    response = get(session_client(manager), path)
    assert response.status_code == 200
    assert (response.json()["what_happened"], response.json()["version"]) == (SECRET, 1)


def test_update_deviation_four_ways(
    org: Organisation, deviation: Deviation, manager: Any, other_manager: Any, staffer: Any
) -> None:
    path = f"/quality/deviations/{deviation.pk}"
    category = f.deviation_category("utforande")
    body = {"version": 1, "category_id": category.pk, "analysis": "Överlämningen brast."}
    before = fresh(deviation)
    assert patch(HttpClient(), path, body).status_code == 401
    assert patch(session_client(staffer), path, body).status_code == 403  # the reporter sees it, cannot handle it
    assert_hidden(patch(session_client(other_manager), path, body), 404)
    assert fresh(deviation) == before
    assert audit_count("deviation.update") == 0

    response = patch(session_client(manager), path, body)
    assert response.status_code == 200, response.content
    assert (response.json()["category_id"], response.json()["status"], response.json()["version"]) == (
        category.pk,
        "in_progress",
        2,
    )
    assert audit_count("deviation.update", actor=manager, object_id=str(deviation.pk)) == 1


def test_update_deviation_stale_version_is_a_conflict(deviation: Deviation, manager: Any) -> None:
    client = session_client(manager)
    path = f"/quality/deviations/{deviation.pk}"
    assert patch(client, path, {"version": 1, "analysis": "Först."}).status_code == 200
    before = fresh(deviation)
    response = patch(client, path, {"version": 1, "analysis": "Sen."})
    assert response.status_code == 409
    assert (error(response)["code"], error(response)["current_version"]) == ("conflict", 2)
    assert fresh(deviation) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"analysis": "x"}, "version"),
        ({"version": 1, "concerns": "other"}, "concerned_unit_name"),
        ({"version": 1, "category_id": 999999}, "category_id"),
        ({"version": 1, "analysis": None}, "analysis"),
        ({"version": 1, "what_happened": "Omskrivet."}, "what_happened"),
        ({"version": 1, "feedback_to_client_on": "2099-01-01"}, "feedback_to_client_on"),
    ],
)
def test_update_deviation_bad_input(deviation: Deviation, manager: Any, body: dict[str, Any], field: str) -> None:
    before = fresh(deviation)
    response = patch(session_client(manager), f"/quality/deviations/{deviation.pk}", body)
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert fresh(deviation) == before


def test_close_deviation_four_ways(
    org: Organisation, deviation: Deviation, manager: Any, other_manager: Any, staffer: Any
) -> None:
    path = f"/quality/deviations/{deviation.pk}/close"
    before = fresh(deviation)
    response = post(session_client(manager), path, {"version": 1})
    assert response.status_code == 422
    assert {"category", "analysis"} <= set(error(response)["fields"])
    assert fresh(deviation) == before
    f.classify_deviation(deviation)
    before = fresh(deviation)
    assert post(HttpClient(), path, {"version": 2}).status_code == 401
    assert post(session_client(staffer), path, {"version": 2}).status_code == 403
    assert_hidden(post(session_client(other_manager), path, {"version": 2}), 404)
    assert post(session_client(manager), path, {"version": 1}).status_code == 409
    assert fresh(deviation) == before
    response = post(session_client(manager), path, {"version": 2, "closing_note": "Klar."})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("closed", 3)
    assert audit_count("deviation.close", actor=manager) == 1


def test_escalated_deviation_shows_its_report(org: Organisation, deviation: Deviation, manager: Any) -> None:
    report = services.deviation_escalate(actor=manager, deviation=deviation)
    response = get(session_client(manager), f"/quality/deviations/{deviation.pk}")
    assert response.json()["lex_sarah_report_id"] == report.pk
    assert get(session_client(manager), f"/quality/lex-sarah/{report.pk}").json()["deviation_id"] == deviation.pk


# --- Lex Sarah ---------------------------------------------------------------------------------------


def test_lex_sarah_list_and_get_four_ways(
    org: Organisation, report: LexSarahReport, manager: Any, other_manager: Any, nobody: Any
) -> None:
    assert_hidden(get(HttpClient(), "/quality/lex-sarah"), 401)
    assert_hidden(get(HttpClient(), f"/quality/lex-sarah/{report.pk}"), 401)
    assert_hidden(get(session_client(nobody), f"/quality/lex-sarah/{report.pk}"), 404)
    assert get(session_client(nobody), "/quality/lex-sarah").status_code in (200, 403)
    assert_hidden(get(session_client(other_manager), f"/quality/lex-sarah/{report.pk}"), 404)
    response = get(session_client(other_manager), "/quality/lex-sarah")
    assert_hidden(response, 200)
    assert response.json()["count"] == 0

    client = session_client(manager)
    assert [r["id"] for r in get(client, "/quality/lex-sarah").json()["items"]] == [report.pk]
    body = get(client, f"/quality/lex-sarah/{report.pk}").json()
    assert (body["what_happened"], body["status"], body["version"]) == (SECRET, "reported", 1)


def test_report_lex_sarah_four_ways(org: Organisation, staffer: Any, nobody: Any, other_manager: Any) -> None:
    body = deviation_body(org)
    assert post(HttpClient(), "/quality/lex-sarah", body).status_code == 401
    assert post(session_client(nobody), "/quality/lex-sarah", body).status_code == 403
    assert post(session_client(other_manager), "/quality/lex-sarah", body).status_code == 403
    assert rows(LexSarahReport) == 0
    response = post(session_client(staffer), "/quality/lex-sarah", body)
    assert response.status_code == 201
    report = LexSarahReport.objects.get()
    assert (response.json()["id"], report.reported_by) == (report.pk, staffer)
    assert audit_count("lex_sarah.report", actor=staffer) == 1


def test_lex_sarah_steps_four_ways(report: LexSarahReport, manager: Any, staffer: Any, other_manager: Any) -> None:
    path = f"/quality/lex-sarah/{report.pk}/steps"
    body = {"step": "registered", "version": 1}
    before = fresh(report)
    assert post(HttpClient(), path, body).status_code == 401
    assert post(session_client(staffer), path, body).status_code == 403
    assert_hidden(post(session_client(other_manager), path, body), 404)
    assert fresh(report) == before

    client = session_client(manager)
    response = post(client, path, body)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("registered", 2)
    response = post(client, path, {"step": "remedied", "version": 1, "remedy": "Ny personal."})
    assert (response.status_code, error(response)["current_version"]) == (409, 2)
    response = post(client, path, {"step": "investigated", "version": 2, **_investigation()})
    assert response.status_code == 422
    assert "status" in error(response)["fields"]  # no step skipped
    assert post(client, path, {"step": "remedied", "version": 2, "remedy": "Ny personal."}).status_code == 200
    assert audit_count("lex_sarah.registered", actor=manager) == 1
    assert audit_count("lex_sarah.remedied", actor=manager) == 1


def _investigation() -> dict[str, Any]:
    values = f.step_values("investigated")
    return {**values, "client_informed_on": values["client_informed_on"].isoformat()}


def test_ivo_step_on_a_report_not_serious_names_ivo_notified_on(org: Organisation, manager: Any) -> None:
    report = f.lex_sarah_until(f.report_lex_sarah(org.provider), "assessed", serious=False)
    before = fresh(report)
    response = post(
        session_client(manager),
        f"/quality/lex-sarah/{report.pk}/steps",
        {"step": "notified", "version": report.version, "ivo_notified_on": "2026-02-20"},
    )
    assert response.status_code == 422
    assert "ivo_notified_on" in error(response)["fields"]
    assert fresh(report) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"step": "registered", "version": 1, "remedy": "x"}, "remedy"),  # a field of another step
        ({"step": "registered", "version": 1, "hemlig": True}, "hemlig"),  # unknown field
        ({"step": "hoppa", "version": 1}, "status"),
        ({"version": 1}, "step"),
        ({"step": "registered"}, "version"),
    ],
)
def test_lex_sarah_step_bad_input(report: LexSarahReport, manager: Any, body: dict[str, Any], field: str) -> None:
    before = fresh(report)
    response = post(session_client(manager), f"/quality/lex-sarah/{report.pk}/steps", body)
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert fresh(report) == before


# --- Feedback ----------------------------------------------------------------------------------------


def test_feedback_list_and_get_four_ways(feedback: Feedback, manager: Any, staffer: Any, other_manager: Any) -> None:
    assert_hidden(get(HttpClient(), "/quality/feedback"), 401)
    assert_hidden(get(HttpClient(), f"/quality/feedback/{feedback.pk}"), 401)
    response = get(session_client(staffer), "/quality/feedback")  # medarbetare: no quality.view
    assert_hidden(response, 200, 403)
    if response.status_code == 200:
        assert response.json()["count"] == 0
    assert_hidden(get(session_client(staffer), f"/quality/feedback/{feedback.pk}"), 404)
    assert_hidden(get(session_client(other_manager), f"/quality/feedback/{feedback.pk}"), 404)
    assert get(session_client(other_manager), "/quality/feedback").json()["count"] == 0

    client = session_client(manager)
    assert [i["id"] for i in get(client, "/quality/feedback").json()["items"]] == [feedback.pk]
    assert get(client, f"/quality/feedback/{feedback.pk}").json()["description"] == SECRET


def test_create_feedback_four_ways(org: Organisation, manager: Any, staffer: Any, other_manager: Any) -> None:
    body = feedback_body(org, category_id=f.feedback_category().pk)
    assert post(HttpClient(), "/quality/feedback", body).status_code == 401
    assert post(session_client(staffer), "/quality/feedback", body).status_code == 403
    assert post(session_client(other_manager), "/quality/feedback", body).status_code == 403
    assert rows(Feedback) == 0
    response = post(session_client(manager), "/quality/feedback", body)
    assert response.status_code == 201, response.content
    feedback = Feedback.objects.get()
    assert (response.json()["id"], feedback.source, feedback.registered_by) == (feedback.pk, "relative", manager)
    assert audit_count("feedback.register", actor=manager) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": "anonymous", "sender_name": "Karin"}, "sender_name"),
        ({"received_on": "2099-01-01"}, "received_on"),
        ({"kind": "hot"}, "kind"),
        ({"category_id": 999999}, "category_id"),
        ({"description": ""}, "description"),
        ({"hemlig": 1}, "hemlig"),
    ],
)
def test_create_feedback_bad_input(org: Organisation, manager: Any, overrides: dict[str, Any], field: str) -> None:
    response = post(session_client(manager), "/quality/feedback", feedback_body(org, **overrides))
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert rows(Feedback) == 0


def test_update_feedback_four_ways(feedback: Feedback, manager: Any, staffer: Any, other_manager: Any) -> None:
    path = f"/quality/feedback/{feedback.pk}"
    body = {"version": 1, "answer": "Vi ber om ursäkt.", "answered_on": "2026-02-09"}
    before = fresh(feedback)
    assert patch(HttpClient(), path, body).status_code == 401
    assert_hidden(patch(session_client(staffer), path, body), 403, 404)
    assert_hidden(patch(session_client(other_manager), path, body), 404)
    assert fresh(feedback) == before

    client = session_client(manager)
    response = patch(client, path, body)
    assert response.status_code == 200
    assert (response.json()["answered_on"], response.json()["version"]) == ("2026-02-09", 2)
    response = patch(client, path, {"version": 1, "answer": "Annat."})
    assert response.status_code == 409
    response = patch(client, path, {"version": 2, "forwarded_on": "2026-02-04"})
    assert response.status_code == 422
    assert "other_provider" in error(response)["fields"]
    response = patch(client, path, {"version": 2, "answered_on": "2026-02-01"})
    assert "answered_on" in error(response)["fields"]
    assert fresh(feedback)["answer"] == "Vi ber om ursäkt."
    assert audit_count("feedback.update") == 1


# --- Personal data incidents ------------------------------------------------------------------------


def test_incident_list_and_get_four_ways(
    incident: DataIncident, manager: Any, staffer: Any, other_manager: Any
) -> None:
    assert_hidden(get(HttpClient(), "/quality/incidents"), 401)
    assert_hidden(get(HttpClient(), f"/quality/incidents/{incident.pk}"), 401)
    response = get(session_client(staffer), "/quality/incidents")
    assert_hidden(response, 200, 403)
    assert_hidden(get(session_client(staffer), f"/quality/incidents/{incident.pk}"), 404)
    assert_hidden(get(session_client(other_manager), f"/quality/incidents/{incident.pk}"), 404)
    assert get(session_client(other_manager), "/quality/incidents").json()["count"] == 0

    client = session_client(manager)
    assert [i["id"] for i in get(client, "/quality/incidents").json()["items"]] == [incident.pk]
    body = get(client, f"/quality/incidents/{incident.pk}").json()
    assert body["what_happened"] == SECRET
    assert body["imy_deadline"].startswith("2026-02-06T11:00:00")  # 72 h after discovery, Stockholm time


def test_create_incident_four_ways(org: Organisation, manager: Any, staffer: Any, other_manager: Any) -> None:
    body = incident_body(org)
    assert post(HttpClient(), "/quality/incidents", body).status_code == 401
    assert post(session_client(staffer), "/quality/incidents", body).status_code == 403
    assert post(session_client(other_manager), "/quality/incidents", body).status_code == 403
    assert rows(DataIncident) == 0
    response = post(session_client(manager), "/quality/incidents", body)
    assert response.status_code == 201, response.content
    incident = DataIncident.objects.get()
    assert (response.json()["id"], incident.registered_by) == (incident.pk, manager)
    assert response.json()["imy_deadline"].startswith("2026-02-06T11:00:00")
    assert audit_count("incident.register", actor=manager) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"discovered_at": "2026-02-03T08:00:00+01:00"}, "discovered_at"),  # before it happened
        ({"ended_at": "2026-02-03T08:00:00+01:00"}, "ended_at"),
        ({"data_affected": ""}, "data_affected"),
        ({"people_affected_count": -1}, "people_affected_count"),
        ({"imy_decision": "notify"}, "imy_decision"),  # unknown field here
    ],
)
def test_create_incident_bad_input(org: Organisation, manager: Any, overrides: dict[str, Any], field: str) -> None:
    response = post(session_client(manager), "/quality/incidents", incident_body(org, **overrides))
    assert response.status_code == 422, response.content
    assert field in error(response)["fields"], error(response)
    assert rows(DataIncident) == 0
    assert audit_count("incident.register") == 0


def test_imy_decision_four_ways(incident: DataIncident, manager: Any, staffer: Any, other_manager: Any) -> None:
    path = f"/quality/incidents/{incident.pk}/imy"
    body = {"version": 1, "decision": "notify", "notified_at": "2026-02-04T10:00:00+01:00", "reference": "IMY-1"}
    before = fresh(incident)
    assert post(HttpClient(), path, body).status_code == 401
    assert_hidden(post(session_client(staffer), path, body), 404)
    assert_hidden(post(session_client(other_manager), path, body), 404)
    assert fresh(incident) == before

    client = session_client(manager)
    response = post(client, path, {"version": 1, "decision": "notify"})
    assert response.status_code == 422
    assert "imy_notified_at" in error(response)["fields"]
    response = post(client, path, {"version": 1, "decision": "no_risk"})
    assert "imy_decision_reason" in error(response)["fields"]
    assert post(client, path, {**body, "version": 9}).status_code == 409
    assert fresh(incident) == before
    response = post(client, path, body)
    assert response.status_code == 200, response.content
    assert (response.json()["imy_decision"], response.json()["imy_reference"]) == ("notify", "IMY-1")
    response = post(client, path, {**body, "version": 2})
    assert response.status_code == 422
    assert "imy_decision" in error(response)["fields"]
    assert audit_count("incident.imy_decision") == 1


# --- Tokens ------------------------------------------------------------------------------------------


def test_a_report_scoped_token_reports_but_does_not_read_feedback(
    org: Organisation, feedback: Feedback, manager: Any
) -> None:
    client, _ = token_client(manager, [Perm.QUALITY_REPORT])
    response = post(client, "/quality/deviations", deviation_body(org))
    assert response.status_code == 201
    assert Deviation.objects.get().reported_by == manager
    listing = get(client, "/quality/feedback")
    assert_hidden(listing, 200, 403)
    if listing.status_code == 200:
        assert listing.json()["count"] == 0
    assert_hidden(get(client, f"/quality/feedback/{feedback.pk}"), 404)
    assert_hidden(get(client, "/quality/vb-table", unit_id=org.provider.pk, year=2026), 403, 404)
    response = patch(client, f"/quality/feedback/{feedback.pk}", {"version": 1, "answer": "x"})
    assert response.status_code == 404
    assert fresh(feedback)["answer"] == ""


# --- The VB table ------------------------------------------------------------------------------------


def test_vb_table_four_ways(org: Organisation, manager: Any, staffer: Any, other_manager: Any) -> None:
    f.classify_deviation(f.report_deviation(org.provider))  # Bemötande, staff, own: T1
    f.register_feedback(org.provider, kind=Feedback.Kind.PRAISE, received_on=f.D(2026, 5, 5))  # T2
    f.register_incident(org.provider)
    f.lex_sarah_until(f.report_lex_sarah(org.provider), "notified")
    services.vb_assessment_save(
        actor=manager, unit=org.provider, year=2026, row_key="praise", text="Mycket beröm.", expected_version=None
    )
    params = {"unit_id": org.provider.pk, "year": 2026}
    assert get(HttpClient(), "/quality/vb-table", **params).status_code == 401
    assert get(session_client(staffer), "/quality/vb-table", **params).status_code in (403, 404)
    response = get(session_client(other_manager), "/quality/vb-table", **params)
    assert response.status_code in (403, 404)
    assert "Mycket beröm" not in text(response)

    response = get(session_client(manager), "/quality/vb-table", **params)
    assert response.status_code == 200
    body = response.json()
    assert (body["unit_id"], body["year"], body["unclassified"]) == (org.provider.pk, 2026, {})
    assert body["columns"] == [
        "Utfall T1",
        "Utfall T2",
        "Utfall VB (T3)",
        "Totalt ack",
        "Bedömning och planerade åtgärder",
    ]
    groups = {g["group"]: {r["key"]: r for r in g["rows"]} for g in body["groups"]}
    assert len(groups) == 10
    assert [g["group"] for g in body["groups"]][:2] == ["Avvikelse - Lex Sarah", "Avvikelse - SOL/LSS"]
    counts = {key: [r["t1"], r["t2"], r["t3"], r["total"]] for rows_ in groups.values() for key, r in rows_.items()}
    assert counts["deviation.bemotande"] == [1, 0, 0, 1]
    assert counts["identified.staff"] == [1, 0, 0, 1]
    assert counts["concerns.own"] == [1, 0, 0, 1]
    assert counts["praise"] == [0, 1, 0, 1]
    assert counts["incident"] == [1, 0, 0, 1]
    assert counts["lex_sarah.reports"] == [1, 0, 0, 1]
    assert counts["lex_sarah.ivo"] == [1, 0, 0, 1]
    assert groups["Beröm"]["praise"]["assessment"] == "Mycket beröm."
    assert (
        get(session_client(manager), "/quality/vb-table", unit_id=org.provider.pk, year=2025).json()["groups"][1][
            "rows"
        ][0]["total"]
        == 0
    )


@pytest.mark.parametrize(
    ("params", "field"), [({"year": 2026}, "unit_id"), ({"unit_id": 1}, "year"), ({"unit_id": 1, "year": 1800}, "year")]
)
def test_vb_table_bad_input(manager: Any, params: dict[str, Any], field: str) -> None:
    response = get(session_client(manager), "/quality/vb-table", **params)
    assert response.status_code == 422
    assert field in error(response)["fields"]


# --- Query budgets -----------------------------------------------------------------------------------


def _budget(client: HttpClient, path: str, add: Any, django_assert_num_queries: Any) -> None:
    """The same number of queries for one record as for six (no N+1)."""
    add()
    get(client, path)  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert get(client, path).json()["count"] == 1
    for _ in range(5):
        add()
    with django_assert_num_queries(len(one.captured_queries)):
        assert get(client, path).json()["count"] == 6


# Session (read and save), user, two-factor check, memberships, grants, requires-2FA, count and page.
QUERY_BUDGET = 10


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/quality/lex-sarah", "lex_sarah"), ("/quality/feedback", "feedback"), ("/quality/incidents", "incident")],
)
def test_list_query_budget(
    org: Organisation,
    manager: Any,
    path: str,
    kind: str,
    django_assert_max_num_queries: Any,
    django_assert_num_queries: Any,
) -> None:
    add = {
        "lex_sarah": lambda: f.report_lex_sarah(org.provider),
        "feedback": lambda: f.register_feedback(org.provider),
        "incident": lambda: f.register_incident(org.provider),
    }[kind]
    client = session_client(manager)
    _budget(client, path, add, django_assert_num_queries)
    with django_assert_max_num_queries(QUERY_BUDGET):
        get(client, path)


# Regression: DeviationOut.resolve_lex_sarah_report_id runs one query per deviation
def test_deviation_list_query_budget(org: Organisation, manager: Any, django_assert_num_queries: Any) -> None:
    _budget(
        session_client(manager),
        "/quality/deviations",
        lambda: f.report_deviation(org.provider),
        django_assert_num_queries,
    )


# --- The OpenAPI document ----------------------------------------------------------------------------


def test_the_openapi_document_has_the_quality_paths() -> None:
    response = HttpClient().get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in {
        "/api/v1/quality/deviations": {"get", "post"},
        "/api/v1/quality/deviations/{deviation_id}": {"get", "patch"},
        "/api/v1/quality/deviations/{deviation_id}/close": {"post"},
        "/api/v1/quality/lex-sarah": {"get", "post"},
        "/api/v1/quality/lex-sarah/{report_id}": {"get"},
        "/api/v1/quality/lex-sarah/{report_id}/steps": {"post"},
        "/api/v1/quality/feedback": {"get", "post"},
        "/api/v1/quality/feedback/{feedback_id}": {"get", "patch"},
        "/api/v1/quality/incidents": {"get", "post"},
        "/api/v1/quality/incidents/{incident_id}": {"get"},
        "/api/v1/quality/incidents/{incident_id}/imy": {"post"},
        "/api/v1/quality/vb-table": {"get"},
    }.items():
        assert path in paths, sorted(paths)
        assert methods <= set(paths[path]), (path, sorted(paths[path]))
    assert AuditEvent.objects.count() == 0
