"""The governance API four ways, bad input as machine-readable 4xx with nothing saved, documents through the
background task, and the Kolada-style values."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.care.models import OrderEvent
from bista.care.tests.factories import make_client, make_order, step
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import error, get, patch, post, session_client, token_client
from bista.governance.models import FollowUp, GeneratedDocument, Goal, IndicatorValue, OperationalPlan
from bista.governance.tests.factories import PlanWorld, make_plan

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def world(org: Organisation) -> PlanWorld:
    w = make_plan(org.provider, 2024)
    client = make_client(org.provider, gender="M")
    order = make_order(client, org.provider, decision_date=D(2024, 3, 1), received_on=D(2024, 3, 4))
    step(order, OrderEvent.Kind.FIRST_CONTACT, D(2024, 4, 1))  # late
    return w


@pytest.fixture
def controller(org: Organisation) -> Any:
    return make_user("controller", RoleCode.CONTROLLER, district=org.district)


def test_plans_four_ways(
    org: Organisation, world: PlanWorld, manager: Any, other_manager: Any, staffer: Any, controller: Any
) -> None:
    from django.test import Client

    assert get(Client(), "/governance/plans").status_code == 401
    assert get(session_client(staffer), "/governance/plans").status_code == 403
    assert get(session_client(other_manager), "/governance/plans").json() == []
    assert get(session_client(other_manager), f"/governance/plans/{world.plan.pk}/goals").status_code == 404
    for user in (manager, controller):
        plans = get(session_client(user), "/governance/plans", unit_id=org.provider.pk).json()
        assert [p["year"] for p in plans] == [2024]
    goals = get(session_client(controller), f"/governance/plans/{world.plan.pk}/goals").json()
    assert [g["level"] for g in goals] == ["council", "council_area", "committee", "unit"]
    assert goals[1]["indicators"][0]["indicator_code"] == "ami"


def test_creating_plans_and_goals(org: Organisation, world: PlanWorld, manager: Any, controller: Any) -> None:
    response = post(session_client(controller), "/governance/plans", {"unit_id": org.provider.pk, "year": 2025})
    assert response.status_code == 403
    response = post(session_client(manager), "/governance/plans", {"unit_id": org.other_unit.pk, "year": 2025})
    assert response.status_code == 404
    response = post(session_client(manager), "/governance/plans", {"unit_id": org.provider.pk, "year": 2024})
    assert response.status_code == 422 and "year" in error(response)["fields"]
    assert OperationalPlan.objects.count() == 1
    response = post(session_client(manager), "/governance/plans", {"unit_id": org.provider.pk, "year": 2025})
    assert response.status_code == 201
    plan_id = response.json()["id"]
    response = post(
        session_client(manager), f"/governance/plans/{plan_id}/goals", {"level": "unit", "title": "Utan förälder"}
    )
    assert response.status_code == 422 and "parent" in error(response)["fields"]
    response = post(session_client(manager), f"/governance/plans/{plan_id}/goals", {"level": "council", "title": "1"})
    assert response.status_code == 201
    goal = response.json()
    response = patch(session_client(manager), f"/governance/goals/{goal['id']}", {"version": 9, "title": "Ny"})
    assert response.status_code == 409
    response = patch(session_client(manager), f"/governance/goals/{goal['id']}", {"version": 1, "title": "Ny"})
    assert response.status_code == 200 and response.json()["title"] == "Ny"
    assert Goal.objects.get(pk=goal["id"]).version == 2


def test_indicator_table_and_follow_up(world: PlanWorld, manager: Any, other_manager: Any, controller: Any) -> None:
    url = f"/governance/goals/{world.unit_goal.pk}/indicator-table"
    rows = get(session_client(controller), url, period="T1").json()
    assert rows[0]["indicator_code"] == "first_contact"
    assert rows[0]["value"] == "0" or float(rows[0]["value"]) == 0.0
    assert rows[0]["men"] is not None and rows[0]["women"] is None
    assert rows[0]["period_label"] == "T1 2024" and rows[0]["drill_url"]
    assert get(session_client(other_manager), url).status_code == 404
    assert get(session_client(manager), url, period="Q1").status_code == 422

    follow_ups = f"/governance/goals/{world.unit_goal.pk}/follow-ups"
    body = {"period": "T1", "assessment": "partly", "analysis": "Första kontakten dröjde."}
    assert post(session_client(controller), follow_ups, body).status_code == 403
    assert post(session_client(manager), follow_ups, {**body, "assessment": "kanske"}).status_code == 422
    assert not FollowUp.objects.exists()
    response = post(session_client(manager), follow_ups, body)
    assert response.status_code == 200 and response.json()["version"] == 1
    response = post(session_client(manager), follow_ups, {**body, "analysis": "Ny"})  # version 0: stale
    assert response.status_code == 409 and error(response)["current_version"] == 1


def test_values_in_and_out(org: Organisation, world: PlanWorld, manager: Any, controller: Any) -> None:
    body = {
        "indicator_code": "ami",
        "unit_id": org.provider.pk,
        "year": 2024,
        "period": "T1",
        "value": "56",
        "source": "Enkät",
    }
    response = post(session_client(manager), "/governance/values", body)
    assert response.status_code == 422 and "period" in error(response)["fields"]
    response = post(session_client(manager), "/governance/values", {**body, "indicator_code": "nope", "period": "VB"})
    assert response.status_code == 422 and "indicator_code" in error(response)["fields"]
    assert post(session_client(controller), "/governance/values", {**body, "period": "VB"}).status_code == 403
    assert not IndicatorValue.objects.exists()
    assert post(session_client(manager), "/governance/values", {**body, "period": "VB"}).status_code == 200
    out = get(session_client(controller), "/governance/values", unit_id=org.provider.pk, year=2024).json()["values"]
    by_kpi = {(row["kpi"], str(row["period"])): row for row in out}
    assert by_kpi[("ami", "2024")]["values"] == [{"gender": "T", "value": 56.0}]
    genders = [v["gender"] for v in by_kpi[("first_contact", "2024T1")]["values"]]
    assert genders == ["T", "K", "M"]


def test_documents(
    org: Organisation,
    world: PlanWorld,
    manager: Any,
    other_manager: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    body = {"unit_id": org.provider.pk, "year": 2023, "kind": "VB", "format": "pdf"}
    response = post(session_client(manager), "/governance/documents", body)
    assert response.status_code == 422 and "ingen verksamhetsplan" in error(response)["fields"]["year"][0]["message"]
    assert not GeneratedDocument.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(session_client(manager), "/governance/documents", {**body, "year": 2024})
    assert response.status_code == 202
    document_id = response.json()["id"]
    status = get(session_client(manager), f"/governance/documents/{document_id}").json()
    assert status["status"] == "done" and status["download_url"]
    download = session_client(manager).get(status["download_url"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert get(session_client(other_manager), f"/governance/documents/{document_id}").status_code == 404


def test_a_token_without_the_scope_sees_nothing(org: Organisation, world: PlanWorld, manager: Any) -> None:
    client, _token = token_client(manager, ["care.manage"])
    assert client.get("/api/v1/governance/plans").status_code == 403
    client, _token = token_client(manager, ["governance.view"])
    assert client.get("/api/v1/governance/plans").status_code == 200
