"""Ej verkställda beslut: which decisions belong to a quarter (at its edges), the pseudonym, the delay
reasons, the kept record, the exports and the council's statistics, from the provider's own steps."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from bista.care import services as care_services
from bista.casework import rules, selectors, services
from bista.casework.models import ExecutionDelay, IvoReport, IvoReportRow
from bista.casework.rules import Execution, Interruption, Quarter
from bista.casework.tests import factories as f
from bista.core import services as core_services
from bista.core.access import SYSTEM
from bista.core.models import Department, Unit
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import session_client

D = datetime.date


# --- The rules ------------------------------------------------------------------------------------


def _in(execution: Execution, quarter: Quarter) -> list[rules.Reportable]:
    return rules.reportable_in(execution, quarter)


def test_the_running_quarter_shows_only_what_is_overdue_so_far() -> None:
    decided_in_august = Execution(D(2026, 8, 1))  # not executed: reportable from 2 November
    assert rules.reportable_in(decided_in_august, Quarter(2026, 4), today=D(2026, 10, 10)) == []
    assert rules.reportable_in(decided_in_august, Quarter(2026, 4), today=D(2026, 11, 1)) == []
    (report,) = rules.reportable_in(decided_in_august, Quarter(2026, 4), today=D(2026, 11, 2))
    assert report.reportable_from == D(2026, 11, 2) and report.final_on is None
    # Executed after today: not yet a final report as of today, but one at the quarter's end.
    executed_later = Execution(D(2026, 6, 1), executed_on=D(2026, 12, 1))
    (now,) = rules.reportable_in(executed_later, Quarter(2026, 4), today=D(2026, 11, 15))
    assert now.final_on is None
    (at_end,) = rules.reportable_in(executed_later, Quarter(2026, 4))
    assert at_end.final_on == D(2026, 12, 1)


def test_quarter_bounds_and_parsing() -> None:
    assert (Quarter(2026, 1).start, Quarter(2026, 1).end) == (D(2026, 1, 1), D(2026, 3, 31))
    assert Quarter(2026, 4).end == D(2026, 12, 31)
    assert Quarter.of(D(2026, 9, 30)) == Quarter(2026, 3)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4) and Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter.parse("2026-3") == Quarter.parse("2026K3") == Quarter.parse("2026 kv 3") == Quarter(2026, 3)
    for bad in ("2026-5", "2026-0", "26-3", "", "abc", "2026-3-1", "99999-1", "2026\x00-1"):
        assert Quarter.parse(bad) is None, bad


def test_a_decision_due_on_the_last_day_of_a_quarter_belongs_to_the_next() -> None:
    due_last_day = Execution(decision_date=D(2025, 12, 31))  # three months: 31 March
    assert _in(due_last_day, Quarter(2026, 1)) == []
    assert [r.reportable_from for r in _in(due_last_day, Quarter(2026, 2))] == [D(2026, 4, 1)]
    one_day_earlier = Execution(decision_date=D(2025, 12, 30))  # reportable on 31 March itself
    assert [r.kind for r in _in(one_day_earlier, Quarter(2026, 1))] == [rules.NOT_EXECUTED]


def test_executed_on_the_day_it_becomes_reportable_is_a_final_report() -> None:
    decided = D(2026, 1, 10)
    on_time = Execution(decision_date=decided, executed_on=D(2026, 4, 10))
    assert _in(on_time, Quarter(2026, 2)) == []
    late = Execution(decision_date=decided, executed_on=D(2026, 4, 11))
    (report,) = _in(late, Quarter(2026, 2))
    assert (report.final_on, report.final_kind) == (D(2026, 4, 11), "executed")
    assert _in(late, Quarter(2026, 3)) == []


def test_reported_every_quarter_until_executed_or_ended() -> None:
    decided = D(2025, 1, 15)
    waiting = Execution(decision_date=decided, executed_on=D(2025, 11, 2))
    assert _in(waiting, Quarter(2025, 1)) == []
    assert [r.final_on for r in _in(waiting, Quarter(2025, 2))] == [None]
    assert [r.final_on for r in _in(waiting, Quarter(2025, 3))] == [None]
    assert [(r.final_on, r.final_kind) for r in _in(waiting, Quarter(2025, 4))] == [(D(2025, 11, 2), "executed")]
    assert _in(waiting, Quarter(2026, 1)) == []
    ended = Execution(decision_date=decided, ended_on=D(2025, 8, 1))
    assert [(r.final_on, r.final_kind) for r in _in(ended, Quarter(2025, 3))] == [(D(2025, 8, 1), "ended")]
    ended_in_time = Execution(decision_date=decided, ended_on=D(2025, 3, 1))
    assert _in(ended_in_time, Quarter(2025, 2)) == []


def test_interruptions_not_resumed_within_three_months() -> None:
    def executed(*interruptions: Interruption) -> Execution:
        return Execution(decision_date=D(2025, 1, 2), executed_on=D(2025, 2, 1), interruptions=interruptions)

    open_interruption = executed(Interruption(D(2025, 5, 10)))
    assert _in(open_interruption, Quarter(2025, 2)) == []
    (report,) = _in(open_interruption, Quarter(2025, 3))
    assert (report.kind, report.since, report.reportable_from) == (rules.INTERRUPTED, D(2025, 5, 10), D(2025, 8, 11))
    resumed_that_day = executed(Interruption(D(2025, 5, 10), D(2025, 8, 11)))
    assert [(r.final_on, r.final_kind) for r in _in(resumed_that_day, Quarter(2025, 3))] == [
        (D(2025, 8, 11), "resumed")
    ]
    resumed_in_time = executed(Interruption(D(2025, 5, 10), D(2025, 8, 10)))
    assert _in(resumed_in_time, Quarter(2025, 3)) == []


def test_a_future_quarter_is_not_reportable() -> None:
    today = D(2026, 12, 5)
    assert rules.quarter_is_reportable(Quarter(2026, 4), today)
    assert not rules.quarter_is_reportable(Quarter(2027, 1), today)


@given(
    birth=st.dates(min_value=D(1920, 1, 1), max_value=D(2025, 12, 31)),
    serial=st.integers(min_value=1, max_value=10**9),
)
def test_the_pseudonym_rule(birth: datetime.date, serial: int) -> None:
    woman, man = rules.ivo_pseudonym(birth, "K", serial), rules.ivo_pseudonym(birth, "M", serial)
    assert woman.startswith(f"{birth:%Y%m%d}-T") and len(woman) == 13
    assert int(woman[-1]) % 2 == 0 and int(man[-1]) % 2 == 1
    assert rules.ivo_pseudonym(birth, "K", serial) == woman  # stable: the same decision, the same code


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=30))
def test_median_days(values: list[int]) -> None:
    median = rules.median_days(values)
    if not values:
        assert median is None
    else:
        assert min(values) <= median <= max(values)  # type: ignore[operator]


# --- From the provider's steps to the report -------------------------------------------------------

pytestmark = [pytest.mark.usefixtures("no_two_factor")]


@pytest.fixture
def chief(org: Organisation) -> Any:
    return make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)


@pytest.fixture
def world(org: Organisation, chief: Any, manager: Any) -> dict[str, Any]:
    """Three decisions of 2 April 2024: one executed in time by the provider, one executed late by the
    provider, one never ordered (a woman's, with a declined offer noted)."""
    officer = f.officer(org)
    on_time = f.decide(f.register(org.purchaser, actor=officer), actor=officer)
    order = services.order_from_decision(
        actor=officer, decision=on_time, ordered_on=D(2024, 4, 3), provider_unit=org.provider
    )
    care_services.order_record_step(actor=manager, order=order.care_order, step="executed", on=D(2024, 5, 2))
    man = f.new_client(birth="19700101", number=13, first_name="Bo", gender="M")
    late = f.decide(f.register(org.purchaser, actor=officer, new_client=man), actor=officer)
    late_order = services.order_from_decision(
        actor=officer, decision=late, ordered_on=D(2024, 4, 3), provider_unit=org.provider
    )
    care_services.order_record_step(actor=manager, order=late_order.care_order, step="executed", on=D(2024, 8, 20))
    woman = f.new_client(birth="19900303", number=24, first_name="Ann", gender="K")
    waiting = f.decide(f.register(org.purchaser, actor=officer, new_client=woman), actor=officer)
    services.delay_record(
        actor=officer, decision=waiting, reason="declined", recorded_on=D(2024, 6, 1), offer_declined_on=D(2024, 5, 20)
    )
    return {"officer": officer, "on_time": on_time, "late": late, "waiting": waiting}


@pytest.mark.django_db
def test_the_quarter_from_the_providers_steps(org: Organisation, world: dict[str, Any]) -> None:
    assert selectors.ivo_rows(org.purchaser, Quarter(2024, 2)) == []  # reportable from 3 July
    q3 = {row.decision.pk: row for row in selectors.ivo_rows(org.purchaser, Quarter(2024, 3))}
    assert set(q3) == {world["late"].pk, world["waiting"].pk}
    assert q3[world["late"].pk].report.final_on == D(2024, 8, 20)
    waiting = q3[world["waiting"].pk]
    assert waiting.report.final_on is None and waiting.delay is not None and waiting.delay.reason == "declined"
    assert int(waiting.pseudonym[-1]) % 2 == 0 and int(q3[world["late"].pk].pseudonym[-1]) % 2 == 1
    q4 = selectors.ivo_rows(org.purchaser, Quarter(2024, 4))
    assert [row.decision.pk for row in q4] == [world["waiting"].pk]
    assert q4[0].pseudonym == waiting.pseudonym  # stable across quarters


@pytest.mark.django_db
def test_an_interruption_at_the_provider_is_reported(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    care_order = world["on_time"].orders.get().care_order
    care_services.order_record_step(actor=manager, order=care_order, step="interrupted", on=D(2024, 6, 3))
    rows = selectors.ivo_rows(org.purchaser, Quarter(2024, 3))
    interrupted = [r for r in rows if r.decision.pk == world["on_time"].pk]
    assert [(r.report.kind, r.report.since) for r in interrupted] == [(rules.INTERRUPTED, D(2024, 6, 3))]


@pytest.mark.django_db
def test_keeping_the_report_and_refusing_a_future_quarter(org: Organisation, world: dict[str, Any], chief: Any) -> None:
    report = services.ivo_report_keep(actor=chief, unit=org.purchaser, quarter=Quarter(2024, 3))
    assert report.revision == 1 and report.rows.count() == 2
    again = services.ivo_report_keep(actor=chief, unit=org.purchaser, quarter=Quarter(2024, 3))
    assert again.revision == 2 and IvoReportRow.objects.filter(report=report).count() == 2
    kept = IvoReport.objects.count()
    future = Quarter.of(datetime.date.today()).next()
    with pytest.raises(ValidationError) as error:
        services.ivo_report_keep(actor=chief, unit=org.purchaser, quarter=future.next())
    assert "har inte börjat" in str(error.value.message_dict["quarter"])
    assert IvoReport.objects.count() == kept


@pytest.mark.django_db
def test_bad_delay_reasons_save_nothing(org: Organisation, world: dict[str, Any]) -> None:
    officer, decision = world["officer"], world["waiting"]
    before = ExecutionDelay.objects.count()
    bad = [
        ({"reason": "nonsense", "recorded_on": D(2024, 6, 1)}, "reason"),
        ({"reason": "declined", "recorded_on": D(2024, 6, 1)}, "offer_declined_on"),
        ({"reason": "resources", "recorded_on": D(2024, 1, 1)}, "recorded_on"),
        ({"reason": "resources", "recorded_on": D(2999, 1, 1)}, "recorded_on"),
    ]
    for values, field in bad:
        with pytest.raises(ValidationError) as error:
            services.delay_record(actor=officer, decision=decision, **values)
        assert field in error.value.message_dict
    assert ExecutionDelay.objects.count() == before


@pytest.mark.django_db
def test_council_statistics_by_service_and_gender(org: Organisation, world: dict[str, Any]) -> None:
    (row,) = selectors.council_statistics(org.purchaser, Quarter(2024, 3))
    men, women, total = row.cells["M"], row.cells["K"], row.cells["*"]
    assert (men.executed, men.median_wait, men.reported) == (1, 140.0, 1)
    assert (women.waiting, women.reported) == (1, 1)
    assert total.reported == 2 and total.waiting >= 1
    (q2,) = selectors.council_statistics(org.purchaser, Quarter(2024, 2))
    assert q2.cells["*"].decided == 3 and q2.cells["*"].executed == 1


# --- The pages, four ways ----------------------------------------------------------------------------


def _other_purchaser_chief(org: Organisation) -> Any:
    department = Department.objects.create(district=org.other_district, name="Beställaravdelningen")
    unit = core_services.unit_create(
        actor=SYSTEM, department=department, name="Beställarenheten Söderby", kind=Unit.Kind.PURCHASER
    )
    return make_user("annanchef", RoleCode.UNIT_MANAGER, unit)


QUERY = "kvartal=2024-3"
PAGES = [
    "/arenden/ivo/?" + QUERY,
    "/arenden/ivo/rapport.csv?" + QUERY,
    "/arenden/ivo/rapport.xlsx?" + QUERY,
    "/arenden/ivo/rapport.pdf?" + QUERY,
    "/arenden/statistik/?" + QUERY,
]


@pytest.mark.django_db
def test_pages_four_ways(org: Organisation, world: dict[str, Any], chief: Any, nobody: Any) -> None:
    for url in PAGES:
        assert HttpClient().get(url).status_code == 302, url
    for user in (nobody, world["officer"]):  # the officer has no casework.view_all
        for url in PAGES:
            assert session_client(user).get(url).status_code == 403, url
    other = session_client(_other_purchaser_chief(org))
    for url in PAGES:
        page = other.get(f"{url}&enhet={org.purchaser.pk}")
        assert page.status_code in (200, 400) and b"-T" not in page.content, url  # not one of their units
    browser = session_client(chief)
    page = browser.get(f"{PAGES[0]}&enhet={org.purchaser.pk}")
    assert page.status_code == 200
    assert "19900303-T" in page.content.decode() and "Berglund" not in page.content.decode()
    rows = list(csv.reader(io.StringIO(browser.get(PAGES[1]).content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Kod" and len(rows) == 3
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(PAGES[2]).content)).active
    assert sheet is not None and sheet.cell(row=4, column=1).value == "Kod"
    assert browser.get(PAGES[3]).content.startswith(b"%PDF")
    assert "Ledsagarservice" in browser.get(PAGES[4]).content.decode()
    assert browser.get(PAGES[4] + "&format=pdf").content.startswith(b"%PDF")


@pytest.mark.django_db
@pytest.mark.parametrize("kvartal", ["2999-1", "2024-7", "x", "2024\x00-1", "9" * 400])
def test_bad_quarters_are_refused(org: Organisation, world: dict[str, Any], chief: Any, kvartal: str) -> None:
    browser = session_client(chief)
    for url in ("/arenden/ivo/", "/arenden/statistik/", "/arenden/ivo/rapport.csv"):
        assert browser.get(url, {"kvartal": kvartal}).status_code == 400, url
    response = browser.post("/arenden/ivo/rapportera/", {"enhet": org.purchaser.pk, "kvartal": kvartal})
    assert response.status_code == 400
    assert IvoReport.objects.count() == 0


@pytest.mark.django_db
def test_keeping_and_noting_a_delay_through_the_pages(org: Organisation, world: dict[str, Any], chief: Any) -> None:
    browser = session_client(chief)
    response = browser.post("/arenden/ivo/rapportera/", {"enhet": org.purchaser.pk, "kvartal": "2024-3"})
    assert response.status_code == 302 and IvoReport.objects.get().rows.count() == 2
    officer = session_client(world["officer"])
    assert officer.post("/arenden/ivo/rapportera/", {"enhet": org.purchaser.pk, "kvartal": "2024-3"}).status_code == 403
    url = f"/beslut/{world['late'].pk}/drojsmal/"
    assert officer.get(url).status_code == 200
    bad = officer.post(url, {"reason": "declined", "recorded_on": "2024-06-01"})
    assert bad.status_code == 400 and "tackade nej" in bad.content.decode()
    good = officer.post(url, {"reason": "resources", "recorded_on": "2024-06-01", "note": "Ingen plats"})
    assert good.status_code == 302 and world["late"].delays.get().note == "Ingen plats"
    assert session_client(_other_purchaser_chief(org)).get(url).status_code == 404


@pytest.mark.django_db
def test_a_kept_report_is_downloaded_as_it_was_reported(org: Organisation, world: dict[str, Any], chief: Any) -> None:
    services.ivo_report_keep(actor=chief, unit=org.purchaser, quarter=Quarter(2024, 3))
    # After it was reported, the facts change: a reason for the delay is noted.
    services.delay_record(
        actor=world["officer"],
        decision=world["late"],
        reason="resources",
        recorded_on=D(2024, 6, 1),
        note="Ingen plats",
    )
    browser = session_client(chief)
    page = browser.get("/arenden/ivo/?" + QUERY).content.decode()
    assert "version=1" in page

    def csv_rows(url: str) -> list[list[str]]:
        return list(csv.reader(io.StringIO(browser.get(url).content.decode("utf-8-sig")), delimiter=";"))

    today, kept = csv_rows(PAGES[1]), csv_rows(PAGES[1] + "&version=1")
    assert len(today) == len(kept) == 3 and today[0] == kept[0]
    assert "Ingen plats" in {cell for row in today for cell in row}
    assert "Ingen plats" not in {cell for row in kept for cell in row}  # as it was reported, not as it is now
    assert sorted(row[0] for row in kept[1:]) == sorted(row[0] for row in today[1:])
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(PAGES[2] + "&version=1").content)).active
    assert sheet is not None and str(sheet.cell(row=3, column=1).value).startswith("Version 1, rapporterad")
    assert browser.get(PAGES[3] + "&version=1").content.startswith(b"%PDF")
    for bad in ("2", "0", "x", "1\x00", "9" * 40):
        assert browser.get(PAGES[1] + "&version=" + bad).status_code == 404, bad
    other = session_client(_other_purchaser_chief(org))
    response = other.get(f"{PAGES[1]}&version=1&enhet={org.purchaser.pk}")
    assert response.status_code in (400, 404)


# --- The API ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_report_through_the_api(org: Organisation, world: dict[str, Any], chief: Any, nobody: Any) -> None:
    from bista.core.tests.api_support import error, get, post

    assert HttpClient().get("/api/v1/casework/ivo-report", {"quarter": "2024-3"}).status_code == 401
    assert get(session_client(nobody), "/casework/ivo-report", quarter="2024-3").status_code == 403
    assert get(session_client(world["officer"]), "/casework/ivo-report", quarter="2024-3").status_code == 403
    other = session_client(_other_purchaser_chief(org))
    assert get(other, "/casework/ivo-report", quarter="2024-3", unit_id=org.purchaser.pk).status_code == 404
    browser = session_client(chief)
    rows = get(browser, "/casework/ivo-report", quarter="2024-3", unit_id=org.purchaser.pk).json()
    assert {r["decision_id"] for r in rows} == {world["late"].pk, world["waiting"].pk}
    assert {r["reason"] for r in rows} == {"", "declined"}
    stats = get(browser, "/casework/statistics", quarter="2024-3").json()
    assert stats[0]["cells"][-1]["reported"] == 2
    for bad in ("2999-1", "2024-9", "x" * 30):
        response = get(browser, "/casework/ivo-report", quarter=bad)
        assert response.status_code in (400, 422) and error(response)["fields"], bad
        assert post(browser, "/casework/ivo-report", {"unit_id": org.purchaser.pk, "quarter": bad}).status_code in (
            400,
            422,
        )
    assert IvoReport.objects.count() == 0
    kept = post(browser, "/casework/ivo-report", {"unit_id": org.purchaser.pk, "quarter": "2024-3"})
    assert kept.status_code == 201 and kept.json()["rows"] == 2
    officer = session_client(world["officer"])
    path = f"/casework/decisions/{world['late'].pk}/delays"
    bad = post(officer, path, {"reason": "declined", "recorded_on": "2024-06-01"})
    assert bad.status_code == 422 and "offer_declined_on" in error(bad)["fields"]
    assert (
        post(officer, "/casework/decisions/999999/delays", {"reason": "other", "recorded_on": "2024-06-01"}).status_code
        == 404
    )
    assert ExecutionDelay.objects.filter(decision=world["late"]).count() == 0
    good = post(officer, path, {"reason": "resources", "recorded_on": "2024-06-01"})
    assert good.status_code == 201 and good.json()["reason"] == "resources"


def test_pseudonyms_of_people_born_the_same_day_differ() -> None:
    # Two decisions for people with the same birth date and gender get different places, so different codes.
    birth = datetime.date(1990, 5, 1)
    assert rules.ivo_pseudonym(birth, "K", 0) != rules.ivo_pseudonym(birth, "K", 1)


@pytest.mark.django_db
def test_same_birthday_serials_in_one_query(org: Organisation, world: dict[str, Any]) -> None:
    """People with the world's waiting woman's birth date and gender get the next places (oldest decision first),
    and the report reads the places for all its rows at once: its query count does not grow with the rows."""
    officer = world["officer"]
    with CaptureQueriesContext(connection) as before:
        selectors.ivo_rows(org.purchaser, Quarter(2024, 3))
    twins = []
    for number in (46, 68):
        twin = f.new_client(birth="19900303", number=number, first_name="Tvilling", gender="K")
        twins.append(f.decide(f.register(org.purchaser, actor=officer, new_client=twin), actor=officer))
    with CaptureQueriesContext(connection) as after:
        rows = {row.decision.pk: row for row in selectors.ivo_rows(org.purchaser, Quarter(2024, 3))}
    assert len(after) == len(before)
    birth = datetime.date(1990, 3, 3)
    codes = [rows[decision.pk].pseudonym for decision in (world["waiting"], *twins)]
    assert codes == [rules.ivo_pseudonym(birth, "K", serial) for serial in (0, 1, 2)]
