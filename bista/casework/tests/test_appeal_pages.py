"""Item 6: reconsideration and judgment through the pages and the API; a change (by the purchaser or the
court) is a new decision superseding the appealed one, made in the same transaction; bad input saves nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.casework import services
from bista.casework.models import Appeal, Decision
from bista.casework.tests import factories as f
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import error, post, session_client

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def appeal(org: Organisation, officer: Any) -> Appeal:
    decision = f.decide(f.register(org.purchaser, actor=officer), actor=officer, outcome="refused")
    return services.appeal_register(actor=officer, decision=decision, received_on=D(2024, 4, 20))


def test_pages_four_ways(org: Organisation, officer: Any, appeal: Appeal, nobody: Any, manager: Any) -> None:
    other = make_user("annan", RoleCode.UNIT_MANAGER, org.other_unit)
    for url in (f"/overklaganden/{appeal.pk}/omprovning/", f"/overklaganden/{appeal.pk}/dom/"):
        assert HttpClient().get(url).status_code == 302
        for user in (nobody, manager, other):
            assert session_client(user).get(url).status_code in (403, 404), url
        assert session_client(officer).get(url).status_code == 200


def test_unchanged_reconsideration_then_the_court_changes_the_decision(officer: Any, appeal: Appeal) -> None:
    browser = session_client(officer)
    url = f"/overklaganden/{appeal.pk}/omprovning/"
    assert browser.post(url, {"outcome": "unchanged", "on": "2024-04-22"}).status_code == 302
    services.appeal_forward(actor=officer, appeal=appeal, on=D(2024, 4, 24))
    judgment = f"/overklaganden/{appeal.pk}/dom/"
    missing = browser.post(judgment, {"judgment": "changed", "on": "2024-08-01"})
    assert missing.status_code == 400 and Decision.objects.count() == 1
    bad_scope = browser.post(
        judgment,
        {"judgment": "changed", "on": "2024-08-01", "new_outcome": "granted", "scope_amount": "0", "reasons": "Dom"},
    )
    assert bad_scope.status_code == 400 and "större än noll" in bad_scope.content.decode()
    assert Decision.objects.count() == 1 and Appeal.objects.get().judgment == ""
    good = browser.post(
        judgment,
        {
            "judgment": "changed",
            "on": "2024-08-01",
            "further_appeal_on": "",
            "new_outcome": "granted",
            "scope_amount": "12",
            "scope_unit": "month",
            "period_start": "2024-08-01",
            "reasons": "Förvaltningsrätten har beslutat att du har rätt till ledsagarservice.",
        },
    )
    assert good.status_code == 302
    saved = Appeal.objects.get()
    assert saved.judgment == "changed" and saved.new_decision is not None
    assert saved.new_decision.supersedes_id == saved.decision_id and saved.new_decision.outcome == "granted"


def test_through_the_api(org: Organisation, officer: Any, appeal: Appeal, manager: Any) -> None:
    browser = session_client(officer)
    path = f"/casework/appeals/{appeal.pk}/reconsideration"
    assert HttpClient().post("/api/v1" + path, {}, content_type="application/json").status_code in (401, 403)
    assert post(session_client(manager), path, {"outcome": "unchanged", "on": "2024-04-22"}).status_code in (403, 404)
    assert (
        post(
            browser, "/casework/appeals/999999/reconsideration", {"outcome": "unchanged", "on": "2024-04-22"}
        ).status_code
        == 404
    )
    early = post(browser, path, {"outcome": "unchanged", "on": "2024-04-01"})
    assert early.status_code == 422 and "on" in error(early)["fields"]
    no_decision = post(browser, path, {"outcome": "changed", "on": "2024-04-22"})
    assert no_decision.status_code == 422 and "new_decision" in error(no_decision)["fields"]
    assert Decision.objects.count() == 1
    changed = post(
        browser,
        path,
        {
            "outcome": "changed",
            "on": "2024-04-22",
            "new_decision": {
                "outcome": "partly",
                "scope_amount": "6",
                "scope_unit": "month",
                "period_start": "2024-05-01",
                "reasons": "Vid omprövningen får du ledsagarservice sex timmar i månaden.",
            },
        },
    )
    assert changed.status_code == 200 and changed.json()["new_decision_id"]
    new = Decision.objects.get(pk=changed.json()["new_decision_id"])
    assert new.supersedes_id == appeal.decision_id and new.outcome == "partly"
    judgment = post(browser, f"/casework/appeals/{appeal.pk}/judgment", {"judgment": "upheld", "on": "2024-08-01"})
    assert judgment.status_code == 422 and "judgment" in error(judgment)["fields"]  # never forwarded
