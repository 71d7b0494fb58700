"""The purchaser's API: the chain from intake to order, the shared error shape for every refusal with nothing
saved, the 409 on a stale investigation, Idempotency-Key on writes, and need-to-know."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.care.models import Order
from bista.casework.models import Case, Decision, Intake, TargetGroup
from bista.casework.tests import factories as f
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import error, get, patch, post, session_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def browser(officer: Any) -> Any:
    return session_client(officer)


def _intake(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": org.purchaser.pk,
        "new_client": {"personnummer": f.new_client()["personnummer"], "first_name": "Sigrid", "last_name": "Berglund"},
        "kind": "application",
        "sender": "person",
        "received_on": "2024-03-04",
        "channel": "e_service",
        "requested": "Ledsagarservice",
        "service_ids": [f.service().pk],
        **overrides,
    }


DECISION = {
    "service_id": 0,
    "outcome": "granted",
    "scope_amount": "10",
    "scope_unit": "month",
    "period_start": "2024-04-02",
    "decision_date": "2024-04-02",
    "reasons": "Du behöver stöd.",
}


def test_the_chain_through_the_api(org: Organisation, browser: Any, manager: Any) -> None:
    created = post(browser, "/casework/intakes", _intake(org))
    assert created.status_code == 201, created.content
    intake = created.json()
    case_id = intake["case_id"]
    inv = post(browser, f"/casework/cases/{case_id}/investigations", {"started_on": "2024-03-06"}).json()
    saved = patch(browser, f"/casework/investigations/{inv['id']}", {"version": 1, "needs": "Stöd ute"})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = patch(browser, f"/casework/investigations/{inv['id']}", {"version": 1, "needs": "Annat"})
    assert stale.status_code == 409 and error(stale)["current_version"] == 2
    source = post(
        browser,
        f"/casework/investigations/{inv['id']}/sources",
        {"name": "Skolan", "consent_on": "2024-03-07", "consent_by": "Vårdnadshavare"},
    ).json()
    early = post(
        browser, f"/casework/investigations/{inv['id']}/sources/{source['id']}/contact", {"contacted_on": "2024-03-06"}
    )
    assert early.status_code == 422 and "contacted_on" in error(early)["fields"]
    body = {**DECISION, "service_id": f.service().pk, "intake_id": intake["id"], "investigation_id": inv["id"]}
    decision = post(browser, f"/casework/cases/{case_id}/decisions", body)
    assert decision.status_code == 201, decision.content
    decision_id = decision.json()["id"]
    assert decision.json()["legal_reference"] == "LSS 9 § 3"
    ordered = post(
        browser,
        f"/casework/decisions/{decision_id}/orders",
        {"provider_unit_id": org.provider.pk, "ordered_on": "2024-04-03", "free_choice_informed_on": "2024-04-02"},
    )
    assert ordered.status_code == 201, ordered.content
    assert [s["kind"] for s in ordered.json()["steps"]] == ["received"]
    care_order = Order.objects.get(pk=ordered.json()["care_order_id"])
    assert care_order.status == Order.Status.RECEIVED and care_order.unit == org.provider
    # The provider's manager sees its order but not the case.
    provider = session_client(manager)
    assert get(provider, f"/care/orders/{care_order.pk}").status_code == 200
    assert get(provider, f"/casework/cases/{case_id}").status_code == 404
    assert get(provider, f"/casework/investigations/{inv['id']}").status_code == 404
    orders = get(browser, f"/casework/cases/{case_id}/orders").json()
    assert orders[0]["steps"][0]["kind"] == "received"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision_date": "2024-03-01"}, "decision_date"),
        ({"scope_amount": "0"}, "scope_amount"),
        ({"scope_amount": "-4"}, "scope_amount"),
        ({"period_end": "2024-04-01"}, "period_end"),
        ({"service_id": "lss_9_2"}, "decided_by"),
        ({"intake_id": 999999}, "intake_id"),
        ({"supersedes_id": 999999}, "supersedes_id"),
    ],
)
def test_bad_decisions_are_4xx_with_the_field(
    org: Organisation, officer: Any, browser: Any, change: dict[str, Any], field: str
) -> None:
    intake = f.register(org.purchaser, actor=officer)
    body = {**DECISION, "service_id": f.service().pk, "intake_id": intake.pk, **change}
    if body["service_id"] == "lss_9_2":
        body["service_id"] = f.service("lss_9_2").pk
    response = post(browser, f"/casework/cases/{intake.case_id}/decisions", body)
    assert response.status_code in (400, 422), response.content
    assert field in error(response)["fields"], error(response)
    assert Decision.objects.count() == 0


def test_a_refusal_before_the_communication_is_422_with_its_code(org: Organisation, officer: Any, browser: Any) -> None:
    intake = f.register(org.purchaser, actor=officer)
    inv = post(
        browser,
        f"/casework/cases/{intake.case_id}/investigations",
        {"intake_id": intake.pk, "started_on": "2024-03-06"},
    )
    assert inv.status_code == 201, inv.content
    body = {
        **DECISION,
        "service_id": f.service().pk,
        "intake_id": intake.pk,
        "investigation_id": inv.json()["id"],
        "outcome": "refused",
        "scope_amount": None,
        "scope_unit": None,
        "period_start": None,
        "reasons": "Du har inte rätt till insatsen.",
    }
    response = post(browser, f"/casework/cases/{intake.case_id}/decisions", body)
    assert response.status_code == 422, response.content
    assert [item["code"] for item in error(response)["fields"]["investigation_id"]] == ["not_communicated"]
    assert Decision.objects.count() == 0
    f.communicated(intake, actor=officer, on=datetime.date(2024, 3, 25))
    response = post(browser, f"/casework/cases/{intake.case_id}/decisions", body)
    assert response.status_code == 201, response.content


def test_an_intake_puts_the_case_in_a_target_group(org: Organisation, browser: Any) -> None:
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    missing = post(browser, "/casework/intakes", _intake(org, target_group_id=999999))
    assert missing.status_code == 422 and "target_group_id" in error(missing)["fields"]
    assert Case.objects.count() == 0
    created = post(browser, "/casework/intakes", _intake(org, target_group_id=psychiatry.pk))
    assert created.status_code == 201, created.content
    case = get(browser, f"/casework/cases/{created.json()['case_id']}")
    assert case.json()["target_group_id"] == psychiatry.pk


def test_an_order_from_a_refused_decision_is_refused(org: Organisation, officer: Any, browser: Any) -> None:
    intake = f.register(org.purchaser, actor=officer)
    refusal = f.decide(intake, actor=officer, outcome="refused")
    response = post(
        browser,
        f"/casework/decisions/{refusal.pk}/orders",
        {"provider_unit_id": org.provider.pk, "ordered_on": "2024-04-03"},
    )
    assert response.status_code == 422 and "decision" in error(response)["fields"]
    assert Order.objects.count() == 0


def test_bad_intakes(org: Organisation, browser: Any) -> None:
    for body, field in [
        (_intake(org, sender="school"), "sender"),
        (
            _intake(org, new_client={"personnummer": "19801332-9823", "first_name": "A", "last_name": "B"}),
            "personnummer",
        ),
        (_intake(org, unit_id=org.provider.pk), None),
        (_intake(org, received_on="2024-02-30"), "received_on"),
    ]:
        response = post(browser, "/casework/intakes", body)
        assert 400 <= response.status_code < 500, (body, response.content)
        if field:
            assert field in error(response)["fields"], error(response)
    assert Intake.objects.count() == 0 and Case.objects.count() == 0


def test_a_retried_intake_with_the_same_idempotency_key_is_made_once(org: Organisation, browser: Any) -> None:
    body = _intake(org)
    headers = {"Idempotency-Key": "aktualisering-1"}
    first = browser.post("/api/v1/casework/intakes", body, content_type="application/json", headers=headers)
    again = browser.post("/api/v1/casework/intakes", body, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Intake.objects.count() == 1


def test_the_other_district_and_no_role_see_nothing(org: Organisation, officer: Any) -> None:
    intake = f.register(org.purchaser, actor=officer)
    for user in (make_user("annan", RoleCode.UNIT_MANAGER, org.other_unit), make_user("ingen")):
        browser = session_client(user)
        assert get(browser, f"/casework/cases/{intake.case_id}").status_code in (403, 404)
        listing = get(browser, "/casework/cases")
        assert listing.status_code == 403 or listing.json() == []
    assert session_client(officer).get("/api/v1/casework/cases").json()[0]["id"] == intake.case_id


def test_anonymous_gets_401(org: Organisation) -> None:
    from django.test import Client

    assert Client().get("/api/v1/casework/cases").status_code == 401
    assert Client().post("/api/v1/casework/intakes", {}, content_type="application/json").status_code in (401, 403)


def test_external_execution_through_the_api(org: Organisation, officer: Any, browser: Any) -> None:
    intake = f.register(org.purchaser, actor=officer)
    decision = f.decide(intake, actor=officer)
    order = post(
        browser,
        f"/casework/decisions/{decision.pk}/orders",
        {"external_provider": "Assistans AB", "ordered_on": "2024-04-03"},
    ).json()
    done = post(browser, f"/casework/orders/{order['id']}/executed", {"executed_on": "2024-04-20"})
    assert done.status_code == 200 and done.json()["external_executed_on"] == "2024-04-20"
    assert datetime.date(2024, 4, 20) == datetime.date.fromisoformat(done.json()["external_executed_on"])


def test_appeals_through_the_api(org: Organisation, officer: Any, browser: Any) -> None:
    intake = f.register(org.purchaser, actor=officer)
    decision = f.decide(intake, actor=officer, outcome="refused")
    missing = post(browser, "/casework/decisions/999999/appeals", {"received_on": "2024-04-20"})
    assert missing.status_code == 404 and error(missing)["code"]
    early = post(browser, f"/casework/decisions/{decision.pk}/appeals", {"received_on": "2024-04-01"})
    assert early.status_code == 422 and "received_on" in error(early)["fields"]
    made = post(browser, f"/casework/decisions/{decision.pk}/appeals", {"received_on": "2024-04-20"})
    assert made.status_code == 201 and made.json()["timely"] is True  # no receipt date yet: the period runs on
    listed = get(browser, f"/casework/cases/{intake.case_id}/appeals").json()
    assert [a["id"] for a in listed] == [made.json()["id"]]


def test_a_case_is_moved_through_the_api_with_its_version(org: Organisation, officer: Any) -> None:
    """Reassigning and changing the målgrupp: one PATCH, versioned; a stale version is 409 and a refused part
    leaves the other unsaved."""
    chief = make_user("chef2", RoleCode.UNIT_MANAGER, org.purchaser)
    other = f.officer(org, "bo")
    case = f.register(org.purchaser, actor=officer).case
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    url = f"/casework/cases/{case.pk}"
    # A case officer may put their case in a målgrupp but not move it to a colleague.
    own = session_client(officer)
    assert patch(own, url, {"version": case.version, "target_group_id": None}).status_code == 200
    assert patch(own, url, {"version": case.version + 1, "officer_id": other.pk}).status_code == 403
    case.refresh_from_db()
    browser = session_client(chief)
    moved = patch(browser, url, {"version": case.version, "officer_id": other.pk, "target_group_id": psychiatry.pk})
    assert moved.status_code == 200, moved.content
    assert moved.json()["officer_id"] == other.pk and moved.json()["target_group_id"] == psychiatry.pk
    assert moved.json()["version"] == case.version + 2
    stale = patch(browser, url, {"version": case.version, "target_group_id": None})
    assert stale.status_code == 409, stale.content
    half = patch(
        browser, url, {"version": moved.json()["version"], "officer_id": officer.pk, "target_group_id": 999999}
    )
    assert half.status_code == 422 and "target_group_id" in error(half)["fields"]
    case.refresh_from_db()
    assert (case.officer_id, case.target_group_id, case.version) == (other.pk, psychiatry.pk, moved.json()["version"])
    nobody_else = patch(browser, url, {"version": case.version, "officer_id": make_user("extern").pk})
    assert nobody_else.status_code == 422 and "officer_id" in error(nobody_else)["fields"]
    assert patch(browser, url, {"version": case.version, "officer_id": None}).json()["officer_id"] is None


def test_moving_an_officers_cases_through_the_api(org: Organisation, officer: Any) -> None:
    chief = make_user("chef2", RoleCode.UNIT_MANAGER, org.purchaser)
    other = f.officer(org, "bo")
    cases = [f.register(org.purchaser, actor=officer, new_client=f.new_client(number=n)).case for n in (982, 990)]
    url = f"/casework/units/{org.purchaser.pk}/reassign"
    browser = session_client(chief)
    wrong = post(browser, url, {"from_officer_id": officer.pk, "to_officer_id": officer.pk})
    assert wrong.status_code == 422 and "to_officer_id" in error(wrong)["fields"]
    stranger = post(browser, url, {"from_officer_id": officer.pk, "to_officer_id": make_user("extern").pk})
    assert stranger.status_code == 422 and "to_officer_id" in error(stranger)["fields"]
    one = post(browser, url, {"from_officer_id": officer.pk, "to_officer_id": other.pk, "case_ids": [cases[0].pk]})
    assert one.status_code == 200 and one.json() == {"moved": 1}
    assert (
        post(session_client(officer), url, {"from_officer_id": officer.pk, "to_officer_id": other.pk}).status_code
        == 403
    )
    rest = post(browser, url, {"from_officer_id": officer.pk, "to_officer_id": other.pk})
    assert rest.json() == {"moved": 1}
    assert set(Case.objects.values_list("officer_id", flat=True)) == {other.pk}
