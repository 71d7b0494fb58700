"""The economy's API four ways, bad input as a 422 on the field (nothing saved), the invoice and payroll
export round trips."""

from __future__ import annotations

from typing import Any

import pytest

from bista.core.tests.api_support import error, get, post, session_client
from bista.economy.models import Budget, Invoice, PayrollExport
from bista.economy.tests.factories import AFTER_MARCH, World, attested_week, make_world, wages

pytestmark = pytest.mark.usefixtures("no_two_factor")
BASE = "/economy/units"


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def _put(client: Any, path: str, data: Any) -> Any:
    return client.put("/api/v1" + path, data=data, content_type="application/json")


def test_the_year_four_ways(world: World, nobody: Any, other_manager: Any) -> None:
    from django.test import Client as HttpClient

    path = f"{BASE}/{world.org.provider.pk}/years/2030"
    full = "/api/v1" + path
    assert HttpClient().get(full).status_code == 401
    assert get(session_client(nobody), path).status_code == 404
    assert get(session_client(world.user), path).status_code == 404
    assert get(session_client(other_manager), path).status_code == 404
    response = get(session_client(world.manager), path)
    assert response.status_code == 200 and len(response.json()["months"]) == 12


def test_budget_put_and_bad_amounts(world: World) -> None:
    browser = session_client(world.manager)
    path = f"{BASE}/{world.org.provider.pk}/budgets/2030-03"
    assert _put(browser, path, {"revenue": "4900000", "cost": 5000000}).status_code == 200
    bad = _put(browser, path, {"revenue": "-1", "cost": 1})
    assert bad.status_code == 422 and "revenue" in error(bad)["fields"]
    assert (
        _put(browser, f"{BASE}/{world.org.provider.pk}/budgets/2030-13", {"revenue": 1, "cost": 1}).status_code == 422
    )
    assert Budget.objects.get().revenue == 4900000


def test_invoices_and_payroll(world: World) -> None:
    wages(world)
    attested_week(world, hours=3)
    browser = session_client(world.manager)
    created = post(browser, f"{BASE}/{world.org.provider.pk}/invoices", {"month": "2030-03"})
    assert created.status_code == 201
    again = post(browser, f"{BASE}/{world.org.provider.pk}/invoices", {"month": "2030-03"})
    assert again.status_code == 422 and "month" in error(again)["fields"]
    invoice = Invoice.objects.get()
    listed = get(browser, f"{BASE}/{world.org.provider.pk}/invoices", year=2030).json()
    assert [i["number"] for i in listed] == [invoice.number]
    detail = get(browser, f"{BASE}/{world.org.provider.pk}/invoices/{invoice.pk}").json()
    assert detail["lines"] and detail["lines"][0]["client"]
    basis = get(browser, f"{BASE}/{world.org.provider.pk}/payroll/2030-03").json()
    assert any(p["employee_id"] == world.employee.pk for p in basis)
    export = post(browser, f"{BASE}/{world.org.provider.pk}/payroll/2030-03/export", {"format": "csv"})
    assert export.status_code == 200 and PayrollExport.objects.count() == 1
    assert post(browser, f"{BASE}/{world.org.provider.pk}/payroll/2030-03/export", {"format": "pdf"}).status_code == 422
