"""Försäkringskassan's time reports: the rows per day (midnight, daylight saving, double assistance), the ELT
XML read back and validated, the statuses draft → attested → sent → corrected, the reconciliation with the
municipality's first hours over a week crossing months, the month-close item, and the pages four ways."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from pypdf import PdfReader

from bista.clients.models import AccessLogEntry
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import AuditEvent
from bista.core.tests.api_support import error, fake_personnummer, get, post, session_client, text
from bista.staff.models import Employee
from bista.timereports import elt, fkreports, rules, services
from bista.timereports.checklist import month_checklist
from bista.timereports.models import FkReport, ProviderDetails
from bista.timereports.tests.factories import AFTER_MARCH, World, make_world, shift

pytestmark = pytest.mark.usefixtures("no_two_factor")
MARCH = datetime.date(2030, 3, 1)


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


# --- Rows (pure) ---------------------------------------------------------------------------------------


def test_a_night_is_cut_at_midnight_with_its_real_length_over_daylight_saving() -> None:
    # 2030-03-31 is the spring change: the night 22:00–07:00 is 8 hours long, 2 before midnight and 6 after.
    rows = rules.report_rows([rules.Piece(local(2030, 3, 30, 22), local(2030, 3, 31, 7), "active")])
    assert [(r["date"], r["from"], r["to"], r["active"]) for r in rows] == [
        ("2030-03-30", "22:00", "24:00", 120),
        ("2030-03-31", "00:00", "07:00", 360),
    ]
    # The autumn change (2030-10-27): 10 hours; jour with 100 active minutes shared over the two days.
    rows = rules.report_rows([rules.Piece(local(2030, 10, 26, 22), local(2030, 10, 27, 7), "on_call", 100)])
    assert [(r["active"], r["on_call"]) for r in rows] == [(20, 100), (80, 400)]
    assert rules.row_totals(rows).total == 600


def test_double_assistance_is_two_overlapping_rows_and_waiting_time_is_kept() -> None:
    piece = rules.Piece(local(2030, 3, 4, 8), local(2030, 3, 4, 12), "active", 0, 30)
    rows = rules.report_rows([piece, rules.Piece(local(2030, 3, 4, 9), local(2030, 3, 4, 11), "active")])
    assert [(r["from"], r["to"], r["active"], r["waiting"]) for r in rows] == [
        ("08:00", "12:00", 210, 30),
        ("09:00", "11:00", 120, 0),
    ]


def test_the_calculation_period_is_the_half_year() -> None:
    assert rules.calculation_period(MARCH) == (datetime.date(2030, 1, 1), datetime.date(2030, 6, 30))
    assert rules.calculation_period(datetime.date(2030, 12, 1)) == (
        datetime.date(2030, 7, 1),
        datetime.date(2030, 12, 31),
    )


def test_fk_pays_for_personal_assistance_beyond_the_municipal_hours() -> None:
    assert rules.fk_paid("lss_9_2", 168, "week", 20)
    assert not rules.fk_paid("lss_9_2", 20, "week", 20)
    assert rules.fk_paid("lss_9_2", 100, "month", 20)  # 23 h a week
    assert not rules.fk_paid("lss_9_3", 168, "week", 20)
    assert not rules.fk_paid("lss_9_2", 8, "occasion", 20)


# --- The records ---------------------------------------------------------------------------------------


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    made = make_world(org, manager, astrid)
    # The personnummer is given when an employee is registered (not editable later); the factory gives none.
    for employee, birth in ((made.employee, "19900101"), (made.other_employee, "19910202")):
        Employee.objects.filter(pk=employee.pk).update(personnummer=fake_personnummer(birth))
        employee.refresh_from_db()
    services.provider_details_set(
        actor=SYSTEM,
        unit=org.provider,
        name="Stockholms stad, Enheten för personligt stöd",
        organisation_number="212000-0142",
        contact_name="Karin Kontakt",
        contact_phone="08-123 456",
    )
    return made


def _worked_month(world: World, frozen_clock: Any) -> None:
    """Anna works a day and a night (double staffed with Bodil for two hours); both months attested."""
    services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    services.worked_time_confirm(actor=SYSTEM, shift=shift(world, 2, 22, 9))
    services.worked_time_confirm(actor=SYSTEM, shift=shift(world, 0, 9, 2, employee=world.other_employee))
    for employee in (world.employee, world.other_employee):
        services.attestation_create(actor=world.manager, employee=employee, month=MARCH)
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=5))


def _anna(reports: list[FkReport], world: World) -> FkReport:
    return next(r for r in reports if r.employee_id == world.employee.pk)


def test_produce_attest_send_and_the_xml_read_back(world: World, frozen_clock: Any) -> None:
    _worked_month(world, frozen_clock)
    reports = services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert len(reports) == 2 and {r.status for r in reports} == {FkReport.Status.DRAFT}
    report = _anna(reports, world)
    assert report.minutes == 17 * 60
    data = elt.to_xml(report.content)
    elt.validate(data)
    back = elt.from_xml(data)
    assert back == report.content
    assert back["assistant"]["personnummer"] == world.employee.personnummer
    assert back["client"]["personnummer"] == world.client.personnummer
    assert back["provider"]["organisation_number"] == "2120000142"
    assert [(r["date"], r["from"], r["to"]) for r in back["rows"]] == [
        ("2030-03-04", "07:00", "15:00"),
        ("2030-03-06", "22:00", "24:00"),
        ("2030-03-07", "00:00", "07:00"),
    ]
    assert sum(r["active"] for r in back["rows"]) == report.active_minutes
    attested = services.fk_report_attest(actor=world.manager, report=report)
    sent = services.fk_report_mark_sent(actor=world.manager, report=attested, sent_on=datetime.date(2030, 4, 2))
    assert (sent.status, sent.sent_by) == (FkReport.Status.SENT, world.manager)
    assert AuditEvent.objects.filter(action="fk_report.send").count() == 1


def test_a_correction_is_a_new_report_and_the_old_one_stays(world: World, frozen_clock: Any) -> None:
    _worked_month(world, frozen_clock)
    report = _anna(services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH), world)
    services.fk_report_attest(actor=world.manager, report=report)
    worked = report.employee.worked_times.order_by("starts_at").first()
    assert worked is not None
    services.worked_time_revise(
        actor=world.manager,
        worked_time=worked,
        revision=worked.revision,
        starts_at=worked.starts_at,
        ends_at=worked.ends_at - datetime.timedelta(hours=1),
        reason="Gick hem tidigare",
    )
    with pytest.raises(ValidationError) as refused:
        services.fk_report_correct(actor=world.manager, report=report, reason="")
    assert set(refused.value.message_dict) == {"reason"}
    new = services.fk_report_correct(actor=world.manager, report=report, reason="Tiden ändrad efter attest")
    report.refresh_from_db()
    assert report.status == FkReport.Status.CORRECTED and report.minutes == 17 * 60
    assert new.supersedes == report and new.status == FkReport.Status.DRAFT and new.minutes == 16 * 60


def test_bad_input_saves_nothing(world: World, frozen_clock: Any) -> None:
    services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=5))
    report = services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH)[0]
    with pytest.raises(ValidationError) as refused:  # Anna's month is not attested
        services.fk_report_attest(actor=world.manager, report=report)
    assert set(refused.value.message_dict) == {"month"}
    with pytest.raises(ValidationError):  # only an attested report is sent
        services.fk_report_mark_sent(actor=world.manager, report=report, sent_on=datetime.date(2030, 4, 2))
    services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=10))
    services.fk_report_attest(actor=world.manager, report=report)
    for sent_on, field in ((datetime.date(2031, 1, 1), "sent_on"), (datetime.date(2030, 3, 31), "sent_on")):
        with pytest.raises(ValidationError) as refused:
            services.fk_report_mark_sent(actor=world.manager, report=report, sent_on=sent_on)
        assert set(refused.value.message_dict) == {field}
    with pytest.raises(ValidationError) as refused:
        services.provider_details_set(
            actor=world.manager, unit=world.org.provider, name="X", organisation_number="12\x00", contact_name="Y"
        )
    assert set(refused.value.message_dict) == {"organisation_number"}
    report.refresh_from_db()
    assert report.status == FkReport.Status.ATTESTED and report.sent_on is None
    assert ProviderDetails.objects.get().organisation_number == "2120000142"


def test_producing_needs_the_provider_details(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> None:
    frozen_clock(AFTER_MARCH)
    made = make_world(org, manager, astrid)
    services.worked_time_confirm(actor=made.user, shift=shift(made, 0, 7, 8))
    with pytest.raises(ValidationError) as refused:
        services.fk_reports_produce(actor=manager, unit=org.provider, month=MARCH)
    assert set(refused.value.message_dict) == {"unit"}
    assert not FkReport.objects.exists()


def test_the_municipal_hours_of_a_week_crossing_months(world: World) -> None:
    """The week 2030-02-25 – 03-03: 20 h worked in February use the municipality's hours; March's 8 h are FK's."""
    for day in (datetime.date(2030, 2, 26), datetime.date(2030, 2, 27)):
        services.worked_time_add_unplanned(
            actor=world.manager,
            employee=world.employee,
            client=world.client,
            starts_at=datetime.datetime.combine(day, datetime.time(8), tzinfo=STOCKHOLM),
            ends_at=datetime.datetime.combine(day, datetime.time(18), tzinfo=STOCKHOLM),
            reason="Extra dag",
        )
    services.worked_time_add_unplanned(
        actor=world.manager,
        employee=world.employee,
        client=world.client,
        starts_at=local(2030, 3, 2, 8),
        ends_at=local(2030, 3, 2, 16),
        reason="Extra dag",
    )
    (row,) = fkreports.reconciliation(world.org.provider, MARCH)
    assert (row.confirmed, row.municipal, row.fk) == (480, 0, 480)
    (february,) = fkreports.reconciliation(world.org.provider, datetime.date(2030, 2, 1))
    assert (february.municipal, february.fk) == (1200, 0)
    assert "1 assistenter utan tidredovisning" in row.differences


def test_the_month_close_lists_reports_not_sent(world: World, frozen_clock: Any) -> None:
    _worked_month(world, frozen_clock)
    assert month_checklist(world.org.provider, MARCH).summary()["fk_reports"] == 2
    for report in services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH):
        services.fk_report_attest(actor=world.manager, report=report)
        services.fk_report_mark_sent(actor=world.manager, report=report, sent_on=datetime.date(2030, 4, 2))
    assert month_checklist(world.org.provider, MARCH).summary()["fk_reports"] == 0


# --- Pages ---------------------------------------------------------------------------------------------


def test_the_pages_four_ways(world: World, frozen_clock: Any, nobody: Any, other_manager: Any) -> None:
    _worked_month(world, frozen_clock)
    report = _anna(services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH), world)
    listing = f"/tid/fk/?enhet={world.org.provider.pk}&manad=2030-03"
    detail, xml = f"/tid/fk/redovisning/{report.pk}/", f"/tid/fk/redovisning/{report.pk}/xml/"
    for url in (listing, detail, xml):
        assert HttpClient().get(url).status_code == 302
    for stranger in (nobody, world.user):
        assert session_client(stranger).get(listing).status_code == 403
        assert session_client(stranger).get(detail).status_code == 404
        assert session_client(stranger).get(xml).status_code == 404
    elsewhere = session_client(other_manager)
    assert "Anna Assistent" not in elsewhere.get(listing).content.decode()
    assert elsewhere.get(detail).status_code == 404 and elsewhere.get(xml).status_code == 404
    assert session_client(other_manager).post(f"/tid/fk/redovisning/{report.pk}/attestera/").status_code == 404
    browser = session_client(world.manager)
    page = browser.get(listing).content.decode()
    assert "Anna Assistent" in page and "Utkast" in page
    assert "19900101" not in page  # no personnummer of assistants on the list
    shown = browser.get(detail).content.decode()
    assert "19900101-" in shown
    logged = AccessLogEntry.objects.count()
    download = browser.get(xml)
    assert download.status_code == 200 and elt.from_xml(download.content) == report.content
    assert AccessLogEntry.objects.count() == logged + 1
    assert AccessLogEntry.objects.filter(action="export").exists()
    browser.post(f"/tid/fk/redovisning/{report.pk}/attestera/")
    browser.post(f"/tid/fk/redovisning/{report.pk}/skickad/", {"sent_on": "9999-99-99"})
    report.refresh_from_db()
    assert report.status == FkReport.Status.ATTESTED
    browser.post(f"/tid/fk/redovisning/{report.pk}/skickad/", {"sent_on": "2030-04-02"})
    report.refresh_from_db()
    assert report.status == FkReport.Status.SENT


def test_the_pdf_has_the_rows(world: World, frozen_clock: Any) -> None:
    _worked_month(world, frozen_clock)
    report = _anna(services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH), world)
    response = session_client(world.manager).get(f"/tid/fk/redovisning/{report.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "22:00" in text and "24:00" in text and "19900101-" in text
    assert AccessLogEntry.objects.filter(action="print").count() == 1


# --- API -----------------------------------------------------------------------------------------------


def test_the_api_four_ways_and_bad_input(world: World, frozen_clock: Any, nobody: Any, other_manager: Any) -> None:
    _worked_month(world, frozen_clock)
    base = f"/timereports/units/{world.org.provider.pk}/months/2030-03/fk-reports"
    assert get(HttpClient(), base).status_code in (401, 403)
    for stranger in (nobody, world.user, other_manager):
        assert get(session_client(stranger), base).status_code == 404
        assert post(session_client(stranger), base, {}).status_code == 404
    assert not FkReport.objects.exists()
    manager = session_client(world.manager)
    produced = post(manager, base, {})
    assert produced.status_code == 200
    body = produced.json()
    assert len(body["reports"]) == 2 and body["reconciliation"][0]["confirmed_minutes"] == 19 * 60
    assert "19900101" not in text(produced)
    anna = next(r for r in body["reports"] if r["employee_id"] == world.employee.pk)
    one = f"/timereports/fk-reports/{anna['id']}"
    for stranger in (nobody, world.user, other_manager):
        assert get(session_client(stranger), one).status_code == 404
        assert get(session_client(stranger), f"{one}/xml").status_code == 404
        assert post(session_client(stranger), f"{one}/attest", {}).status_code == 404
    detail = get(manager, one)
    assert detail.status_code == 200 and detail.json()["content"]["assistant"]["personnummer"].startswith("19900101")
    xml = get(manager, f"{one}/xml")
    assert xml.status_code == 200 and elt.from_xml(xml.content) == detail.json()["content"]
    early = post(manager, f"{one}/sent", {"sent_on": "2030-04-02"})
    assert early.status_code == 422 and "status" in error(early)["fields"]
    assert post(manager, f"{one}/attest", {}).json()["status"] == "attested"
    for bad in ({"sent_on": "9999-99-99"}, {"sent_on": "2030-03-15"}, {"sent_on": "\x00"}, {}):
        refused = post(manager, f"{one}/sent", bad)
        assert refused.status_code in (400, 422), bad
    assert FkReport.objects.get(pk=anna["id"]).status == FkReport.Status.ATTESTED
    assert post(manager, f"{one}/sent", {"sent_on": "2030-04-02"}).json()["status"] == "sent"
    no_reason = post(manager, f"{one}/corrections", {"reason": " "})
    assert no_reason.status_code == 422 and "reason" in error(no_reason)["fields"]
    corrected = post(manager, f"{one}/corrections", {"reason": "Fel dag"})
    assert corrected.status_code == 201 and corrected.json()["supersedes_id"] == anna["id"]
    provider = f"/timereports/units/{world.org.provider.pk}/provider"
    bad = manager.put(
        "/api/v1" + provider,
        {"name": "X", "organisation_number": "123", "contact_name": "Y"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "organisation_number" in error(bad)["fields"]
    assert ProviderDetails.objects.get().organisation_number == "2120000142"


# --- The indicator "FK reports sent on time" (governance's registry) -----------------------------------


def test_the_deadline_is_reference_data() -> None:
    assert rules.report_due(datetime.date(2030, 12, 1), 1, 5) == datetime.date(2031, 1, 5)
    assert rules.report_due(datetime.date(2030, 3, 1), 2, 5) == datetime.date(2030, 5, 5)


def test_fk_reports_sent_on_time_with_the_late_client_in_the_drill_down(world: World, frozen_clock: Any) -> None:
    from bista.governance import registry
    from bista.governance.rules import period_range
    from bista.timereports.models import FkReportDeadline, fk_report_due

    assert fk_report_due(MARCH) == datetime.date(2030, 4, 5)  # seeded by migration 0009
    _worked_month(world, frozen_clock)
    reports = services.fk_reports_produce(actor=world.manager, unit=world.org.provider, month=MARCH)
    for report in reports:
        services.fk_report_attest(actor=world.manager, report=report)
    services.fk_report_mark_sent(actor=world.manager, report=_anna(reports, world), sent_on=datetime.date(2030, 4, 2))
    unit_id, rng = world.org.provider.pk, period_range(2030, "T1")

    def on_time(today: datetime.date) -> Any:
        return registry.compute("timereports.fk_reports_on_time", registry.Source(today=today), unit_id, rng)

    assert on_time(datetime.date(2030, 4, 5)).value is None  # March's deadline has not passed
    after = on_time(datetime.date(2030, 4, 6))  # Bodil's report was not sent by the 5th
    assert (after.value, after.numerator, after.denominator) == (50, 1, 2)
    assert after.record_kind == "client" and after.record_ids == (world.client.pk,)
    assert after.unmet_ids == {world.client.pk}
    # A later deadline in the reference data makes the same sending count as on time once it has passed.
    FkReportDeadline.objects.update(valid_to=datetime.date(2030, 1, 1))
    FkReportDeadline.objects.create(valid_from=datetime.date(2030, 1, 1), months_after=2, day=5)
    assert on_time(datetime.date(2030, 4, 6)).value is None
    services.fk_report_mark_sent(
        actor=world.manager,
        report=next(r for r in reports if r.employee_id == world.other_employee.pk),
        sent_on=datetime.date(2030, 4, 2),
    )
    assert on_time(datetime.date(2030, 5, 6)).value == 100
