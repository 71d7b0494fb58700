"""The economy's pages four ways (anonymous, no permission, the permission, the permission in another unit):
only holders of economy.manage see money and wages; bad input gives the Swedish message on the field and
saves nothing; exports are files and each payroll export is logged."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bista.core.permissions import RoleCode
from bista.core.testing import make_user
from bista.core.tests.api_support import session_client
from bista.economy import services
from bista.economy.models import Budget, Invoice, PayrollExport, WageTerm
from bista.economy.tests.factories import AFTER_MARCH, MARCH, World, attested_week, make_world, shift, wages

pytestmark = pytest.mark.usefixtures("no_two_factor")
PAGES = ["overview", "month", "budget", "clients", "invoices", "payroll", "wage_terms"]


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def _get(client: HttpClient, name: str, world: World, **query: str) -> Any:
    return client.get(reverse(f"economy:{name}"), {"enhet": world.org.provider.pk, "manad": "2030-03", **query})


@pytest.mark.parametrize("name", PAGES)
def test_pages_four_ways(world: World, name: str, nobody: Any, other_manager: Any, org: Any) -> None:
    wages(world)
    anonymous = _get(HttpClient(), name, world)
    assert anonymous.status_code == 302 and "/konto/logga-in/" in anonymous["Location"]
    assert _get(session_client(nobody), name, world).status_code == 403
    deputy = make_user("biträdande", RoleCode.DEPUTY_MANAGER, org.provider)  # attests time, sees no money
    assert _get(session_client(deputy), name, world).status_code == 403
    assert _get(session_client(world.user), name, world).status_code == 403
    owner = _get(session_client(world.manager), name, world)
    assert owner.status_code == 200
    other = _get(session_client(other_manager), name, world)
    assert other.status_code == 200  # their own unit, not the one asked for
    assert f'name="enhet" value="{org.other_unit.pk}"' in other.content.decode() or (
        f'<option value="{org.other_unit.pk}" selected>' in other.content.decode()
    )
    assert "30000" not in other.content.decode() and "30 000" not in other.content.decode()


def test_the_wage_terms_show_the_salary_only_to_the_holder(world: World) -> None:
    wages(world)
    page = _get(session_client(world.manager), "wage_terms", world)
    assert "30000" in page.content.decode()


def test_writes_in_another_unit_are_404_and_save_nothing(world: World, other_manager: Any) -> None:
    browser = session_client(other_manager)
    data = {"enhet": world.org.provider.pk, "month": "2030-03", "revenue": "1", "cost": "1"}
    assert browser.post(reverse("economy:budget"), data).status_code == 404
    assert browser.post(reverse("economy:payroll_export"), {**data, "format": "csv"}).status_code == 404
    assert not Budget.objects.exists() and not PayrollExport.objects.exists()


def test_a_negative_budget_is_refused_on_the_field(world: World) -> None:
    browser = session_client(world.manager)
    response = browser.post(
        reverse("economy:budget"), {"enhet": world.org.provider.pk, "month": "2030-03", "revenue": "-5", "cost": "1"}
    )
    assert response.status_code == 422
    assert "Beloppet får inte vara negativt." in response.content.decode()
    assert not Budget.objects.exists()


def test_a_budget_and_a_csv_import_through_the_pages(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    browser = session_client(world.manager)
    response = browser.post(
        reverse("economy:budget"),
        {"enhet": world.org.provider.pk, "month": "2030-03", "revenue": "4 900 000", "cost": "5 000 000"},
    )
    assert response.status_code == 302
    upload = SimpleUploadedFile("budget.csv", "månad;intäkter;kostnader\n2030-04;1;2\n".encode())
    response = browser.post(reverse("economy:budget_import"), {"enhet": world.org.provider.pk, "file": upload})
    assert response.status_code == 302
    assert Budget.objects.count() == 2
    bad = SimpleUploadedFile("budget.csv", b"2030-05;x;2\n")
    browser.post(reverse("economy:budget_import"), {"enhet": world.org.provider.pk, "file": bad})
    assert Budget.objects.count() == 2


def test_a_negative_salary_is_refused_on_the_field(world: World) -> None:
    browser = session_client(world.manager)
    response = browser.post(
        reverse("economy:wage_terms"),
        {
            "enhet": world.org.provider.pk,
            "employee": world.employee.pk,
            "pay_type": "monthly",
            "amount": "-30000",
            "valid_from": "2030-01-01",
        },
    )
    assert response.status_code == 422
    assert "Beloppet får inte vara negativt." in response.content.decode()
    assert not WageTerm.objects.exists()


def test_invoice_produce_and_exports(world: World, django_assert_max_num_queries: Any) -> None:
    attested_week(world, hours=3)
    browser = session_client(world.manager)
    response = browser.post(reverse("economy:invoice_produce"), {"enhet": world.org.provider.pk, "month": "2030-03"})
    assert response.status_code == 302 and Invoice.objects.count() == 1
    with django_assert_max_num_queries(25):
        page = _get(browser, "invoices", world)
    assert world.client.last_name in page.content.decode()
    for fmt, content_type in (("csv", "text/csv"), ("xlsx", "spreadsheetml"), ("pdf", "application/pdf")):
        export = _get(browser, "invoice_export", world, format=fmt)
        assert export.status_code == 200 and content_type in export["Content-Type"]
    assert _get(browser, "invoice_export", world, format="exe").status_code == 404


def test_the_payroll_export_is_a_file_and_logged(world: World) -> None:
    wages(world)
    attested_week(world)
    browser = session_client(world.manager)
    response = browser.post(
        reverse("economy:payroll_export"), {"enhet": world.org.provider.pk, "month": "2030-03", "format": "paxml"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert b"paxml" in response.content
    log = PayrollExport.objects.get()
    assert log.created_by == world.manager and log.month == MARCH
    assert services.current_invoice(world.org.provider, datetime.date(2030, 3, 1)) is None


# --- Query counts pinned: the month close and the economy overview ------------------------------------------


def _queries(fn: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def test_the_month_close_and_the_overview_in_a_fixed_number_of_queries(world: World) -> None:
    """A month close (every check, the FK reconciliation and reports, the invoice basis) and the year overview
    (12 months done or ahead, the forecast and the drivers) do not grow with the records, only with what is
    written (measured on the demo in bench/bench_economy.py)."""
    from bista.core.access import SYSTEM
    from bista.timereports import fkreports
    from bista.timereports import services as time_services
    from bista.timereports.checklist import month_checklist

    wages(world)
    time_services.provider_details_set(
        actor=SYSTEM, unit=world.org.provider, name="Enheten", organisation_number="2120000142", contact_name="K"
    )
    unit = world.org.provider
    browser = session_client(world.manager)

    def close() -> None:
        month_checklist(unit, MARCH)
        fkreports.reconciliation(unit, MARCH)
        time_services.fk_reports_produce(actor=world.manager, unit=unit, month=MARCH)
        services.invoice_lines(unit, MARCH)

    def overview() -> None:
        assert browser.get(reverse("economy:overview"), {"enhet": unit.pk, "ar": "2030"}).status_code == 200

    attested_week(world, days=2)
    overview()  # the session's first request (login, access map) is not what is pinned
    counts = (_queries(close), _queries(overview))
    for day in range(5):  # more time (Bodil's evenings, not yet attested), the same queries
        extra = shift(world, day, 18, 3, employee=world.other_employee)
        time_services.worked_time_confirm(actor=SYSTEM, shift=extra)
    assert counts == (CLOSE_QUERIES, OVERVIEW_QUERIES)
    # The overview the same; the close differs only in what producing the FK reports writes.
    assert (_queries(close), _queries(overview)) == (CLOSE_QUERIES - 2, OVERVIEW_QUERIES)


# About 13 per month for the overview (its time, orders, granted hours, terms, absences, reference data, costs,
# budget) when no month is closed, plus the one read of the year's closes (figures.stored_months).
CLOSE_QUERIES, OVERVIEW_QUERIES = 64, 167


def test_the_overview_draws_the_accumulated_result_against_the_budget(world: World) -> None:
    """The chart beside the month table: the budget's line and the outcome's, accumulated, in tkr; a deficit is
    drawn below zero (not cut at it), each point links to its month, and months not yet come are gaps."""
    wages(world)
    attested_week(world, days=2)
    for number in (1, 2, 3):
        services.budget_save(
            actor=world.manager,
            unit=world.org.provider,
            month=datetime.date(2030, number, 1),
            revenue=Decimal("100000"),
            cost=Decimal("1600000"),
        )
    page = _get(session_client(world.manager), "overview", world, ar="2030").content.decode()
    chart = page[page.index('<figure class="chart-figure">') : page.index("</figure>")]
    assert "Ackumulerat resultat mot budget (tkr)" in chart
    # Budget: −1 500, −3 000, −4 500 tkr; the axis runs below zero and says so in tkr.
    assert "Budget, mar: −4\xa0500 tkr" in chart
    assert "Utfall, mar: " in chart and "manad=2030-03" in chart
    assert "Utfall, apr" not in chart  # April has not come (the clock is just after March): a gap, not a zero


def test_the_accumulated_points_stop_at_the_first_month_without_a_figure() -> None:
    from bista.economy.views import _accumulated_tkr

    assert _accumulated_tkr([Decimal("1499"), Decimal("-3000"), None, Decimal("5")]) == [1.0, -2.0, None, None]
    assert _accumulated_tkr([None, Decimal("1")]) == [None, None]
    assert _accumulated_tkr([]) == []
