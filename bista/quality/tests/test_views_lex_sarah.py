"""The Lex Sarah pages (register, report, record with its steps and deadlines, each step, the notification to
IVO as a DOCX), each four ways: anonymous, signed in without permission, with permission, and with permission
but in another unit. Plus the state machine through the UI (no step skipped, IVO only when serious), a stale
step, the DOCX opened and read, and the register's query budget."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from docx import Document

from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.docx import CONTENT_TYPE as DOCX_CONTENT_TYPE
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.api_support import fake_personnummer, formatted
from bista.core.tests.pages import assert_login_redirect, browser
from bista.quality import services
from bista.quality.documents import IVO_HEADING
from bista.quality.models import LexSarahReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

ASTRID = fake_personnummer("19450307", 982)
CECILIA = fake_personnummer("19610405", 986)
# Session (read, and saved in a savepoint: three), user, memberships, grants, units, the clients of the
# filter, count and page (with unit, client and deviation joined in).
LEX_SARAH_LIST_QUERIES = 7


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the provider unit, in Team Ek (the staffer's team)."""
    return client_services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=ASTRID,
        first_name="Astrid",
        last_name="Lindqvist",
        teams=[org.team],
        fictitious=True,
    )


@pytest.fixture
def cecilia(org: Organisation) -> Client:
    return client_services.client_create(
        actor=SYSTEM,
        unit=org.other_unit,
        personnummer=CECILIA,
        first_name="Cecilia",
        last_name="Carlsson",
        teams=[org.other_unit_team],
        fictitious=True,
    )


def body(response: Any) -> str:
    return response.content.decode()


def ago(**delta: Any) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def today() -> datetime.date:
    return timezone.localdate()


def db_state() -> dict[str, Any]:
    return {
        "reports": sorted(
            LexSarahReport.objects.values_list(
                "pk", "status", "remedy", "assessment", "serious", "ivo_notified_on", "decision", "version"
            )
        ),
        "audit": AuditEvent.objects.count(),
    }


def new_report(actor: Any, unit: Any, text: str, client: Client | None = None) -> LexSarahReport:
    return services.lex_sarah_report(
        actor=actor, unit=unit, client=client, what_happened=text, occurred_at=ago(hours=3)
    )


STEP_VALUES: dict[str, dict[str, Any]] = {
    "registered": {},
    "remedied": {"remedy": "Astrid fick sin mat direkt och personalen informerades."},
    "investigated": {
        "investigation_events": "Kosten hade inte förts över till det nya schemat.",
        "client_view": "Brukaren tycker att det var obehagligt.",
        "causes": "Överlämningen mellan passen saknade kostlistan.",
        "preventive_actions": "Kostlistan finns nu i överlämningen.",
        "client_informed_on": None,
    },
    "assessed_serious": {
        "assessment": LexSarahReport.Assessment.IMPROPRIETY,
        "serious": True,
        "assessment_reason": "Brukaren riskerade allvarlig skada.",
    },
    "assessed_not_serious": {
        "assessment": LexSarahReport.Assessment.IMPROPRIETY,
        "serious": False,
        "assessment_reason": "Ingen skada och snabbt åtgärdat.",
    },
}


def advance(report: LexSarahReport, actor: Any, *steps: str) -> LexSarahReport:
    for step in steps:
        values = STEP_VALUES.get(step, {})
        services.lex_sarah_step(actor=actor, report=report, step=step.split("_")[0], expected_version=None, **values)
        report.refresh_from_db()
    return report


def to_assessed(report: LexSarahReport, actor: Any, *, serious: bool) -> LexSarahReport:
    return advance(
        report,
        actor,
        "registered",
        "remedied",
        "investigated",
        "assessed_serious" if serious else "assessed_not_serious",
    )


@pytest.fixture
def ours(org: Organisation, staffer: Any, astrid: Client) -> LexSarahReport:
    """A report about Astrid by a medarbetare."""
    return new_report(staffer, org.provider, "Astrid fick fel kost tre dagar i rad.", astrid)


@pytest.fixture
def theirs(org: Organisation, other_manager: Any, cecilia: Client) -> LexSarahReport:
    return new_report(other_manager, org.other_unit, "Cecilia lämnades ensam.", cecilia)


def step_path(report: LexSarahReport, step: str) -> str:
    return f"/lex-sarah/{report.pk}/steg/{step}/"


def paths(report: LexSarahReport) -> dict[str, str]:
    return {
        "list": "/lex-sarah/",
        "report": "/lex-sarah/ny/",
        "detail": f"/lex-sarah/{report.pk}/",
        "ivo": f"/lex-sarah/{report.pk}/ivo-anmalan.docx",
    }


def report_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit": org.provider.pk,
        "client": "",
        "occurred_on": today().isoformat(),
        "occurred_time": "00:00",
        "what_happened": "En kollega var hårdhänt mot brukaren.",
        **overrides,
    }


def docx_text(response: Any) -> str:
    document = Document(io.BytesIO(response.content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "report", "detail", "ivo"])
def test_anonymous_get_goes_to_login(ours: LexSarahReport, page: str) -> None:
    response = HttpClient().get(paths(ours)[page])
    assert_login_redirect(response)
    assert "fel kost" not in body(response)


def test_anonymous_posts_change_nothing(org: Organisation, ours: LexSarahReport) -> None:
    before = db_state()
    anonymous = HttpClient()
    assert_login_redirect(anonymous.post("/lex-sarah/ny/", report_data(org)))
    assert_login_redirect(anonymous.post(step_path(ours, "registered"), {"version": ours.version}))
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(("page", "status"), [("list", 403), ("report", 403), ("detail", 404), ("ivo", 404)])
def test_no_role_is_refused(ours: LexSarahReport, nobody: Any, page: str, status: int) -> None:
    response = browser(nobody).get(paths(ours)[page])
    assert response.status_code == status
    assert "fel kost" not in body(response)


def test_no_role_posts_change_nothing(org: Organisation, ours: LexSarahReport, nobody: Any) -> None:
    before = db_state()
    client = browser(nobody)
    assert client.post("/lex-sarah/ny/", report_data(org)).status_code == 403
    assert client.post(step_path(ours, "registered"), {"version": ours.version}).status_code == 404
    assert db_state() == before


# --- A medarbetare reports, sees their own, handles nothing ------------------------------------------


def test_staffer_reports(org: Organisation, staffer: Any, astrid: Client) -> None:
    client = browser(staffer)
    form = client.get("/lex-sarah/ny/")
    assert form.status_code == 200
    assert "genast rapportera" in body(form)
    response = client.post("/lex-sarah/ny/", report_data(org, client=astrid.pk, occurred_time="00:05"), follow=True)
    report_obj = LexSarahReport.objects.get()
    assert response.redirect_chain[-1][0] == f"/lex-sarah/{report_obj.pk}/"
    assert f"Referensnummer: {report_obj.pk}" in body(response)
    assert (report_obj.unit, report_obj.client, report_obj.reported_by) == (org.provider, astrid, staffer)
    assert report_obj.status == LexSarahReport.Status.REPORTED
    assert report_obj.occurred_at.astimezone(STOCKHOLM).time() == datetime.time(0, 5)
    html = body(response)
    assert "Nästa steg" not in html  # a medarbetare takes no step


def test_staffer_report_bad_input_saves_nothing(org: Organisation, staffer: Any) -> None:
    before = db_state()
    client = browser(staffer)
    empty = client.post("/lex-sarah/ny/", report_data(org, what_happened=""))
    assert "Vad har hänt?: Detta fält måste fyllas i." in body(empty)
    future = client.post("/lex-sarah/ny/", report_data(org, occurred_on=f"{LATER_YEAR}-12-31"))
    assert "Datum då det hände: Händelsen kan inte ha inträffat efter att den rapporterades." in body(future)
    assert db_state() == before


def test_staffer_sees_own_reports_only(
    org: Organisation, staffer: Any, manager: Any, ours: LexSarahReport, theirs: LexSarahReport
) -> None:
    managers = new_report(manager, org.provider, "Chefens rapport utan brukare.")
    client = browser(staffer)
    html = body(client.get("/lex-sarah/"))
    assert f'href="/lex-sarah/{ours.pk}/"' in html
    assert f'href="/lex-sarah/{managers.pk}/"' not in html
    assert "Cecilia" not in html
    assert client.get(f"/lex-sarah/{ours.pk}/").status_code == 200
    assert client.get(f"/lex-sarah/{managers.pk}/").status_code == 404
    assert client.get(f"/lex-sarah/{theirs.pk}/").status_code == 404


def test_staffer_cannot_take_steps_or_get_the_notification(ours: LexSarahReport, staffer: Any) -> None:
    before = db_state()
    client = browser(staffer)
    assert client.post(step_path(ours, "registered"), {"version": ours.version}).status_code == 403
    assert client.get(paths(ours)["ivo"]).status_code == 403
    assert db_state() == before


# --- With permission: every step through the UI ------------------------------------------------------


def test_list_with_permission(
    org: Organisation, manager: Any, ours: LexSarahReport, theirs: LexSarahReport, astrid: Client
) -> None:
    notified = to_assessed(new_report(manager, org.provider, "Allvarlig händelse."), manager, serious=True)
    services.lex_sarah_step(
        actor=manager,
        report=notified,
        step="notified",
        expected_version=None,
        ivo_notified_on=today(),
        ivo_reference="IVO 3.5.1-12345/2025",
    )
    client = browser(manager)
    html = body(client.get("/lex-sarah/"))
    assert f'href="/lex-sarah/{ours.pk}/"' in html
    assert f'href="/lex-sarah/{notified.pk}/"' in html
    assert "IVO 3.5.1-12345/2025" in html
    assert "Missförhållande – <strong>allvarligt</strong>" in html
    assert "Cecilia" not in html

    def shown(params: dict[str, Any]) -> tuple[bool, bool]:
        page = body(client.get("/lex-sarah/", params))
        return f'href="/lex-sarah/{ours.pk}/"' in page, f'href="/lex-sarah/{notified.pk}/"' in page

    assert shown({"bedomning": "ivo"}) == (False, True)
    assert shown({"bedomning": "unassessed"}) == (True, False)
    assert shown({"status": "reported"}) == (True, False)
    assert shown({"status": "open"}) == (True, True)
    assert shown({"brukare": astrid.pk}) == (True, False)
    assert shown({"till": (today() - datetime.timedelta(days=1)).isoformat()}) == (False, False)
    assert shown({"fran": "1900-01-01", "till": "9999-12-31"}) == (True, True)
    assert shown({"fran": "9999-12-31"}) == (False, False)
    assert client.get("/lex-sarah/", {"fran": "x", "status": "nonsense", "enhet": "-1"}).status_code == 200


def test_detail_shows_deadlines_and_only_the_next_step(ours: LexSarahReport, manager: Any, astrid: Client) -> None:
    response = browser(manager).get(f"/lex-sarah/{ours.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "Astrid fick fel kost tre dagar i rad." in html
    assert "Lex Sarah-rapport registrerad" in html  # the registration deadline (rule name)
    assert "SOSFS 2011:5: genast" in html
    assert "Nästa steg: Registrera rapporten" in html
    assert f'action="/lex-sarah/{ours.pk}/steg/registered/"' in html
    assert "/steg/remedied/" not in html
    assert "ivo-anmalan.docx" not in html
    assert AccessLogEntry.objects.filter(client=astrid, actor=manager).count() == 1


def test_every_step_with_its_date_and_who(ours: LexSarahReport, manager: Any, staffer: Any) -> None:
    client = browser(manager)
    posts: list[tuple[str, dict[str, Any]]] = [
        ("registered", {}),
        ("remedied", {"remedy": "Rätt kost från och med i dag."}),
        (
            "investigated",
            {
                "investigation_events": "Kostlistan saknades.",
                "client_view": "Astrid är ledsen.",
                "causes": "Ingen överlämning.",
                "preventive_actions": "Ny rutin för överlämning.",
                "client_informed_on": today().isoformat(),
            },
        ),
        ("assessed", {"assessment": "impropriety", "serious": "ja", "assessment_reason": "Risk för skada."}),
        ("notified", {"ivo_notified_on": today().isoformat(), "ivo_reference": "IVO-1"}),
        ("closed", {"decision": "Rutinen ändras.", "decided_on": today().isoformat()}),
    ]
    for step, data in posts:
        ours.refresh_from_db()
        response = client.post(step_path(ours, step), {**data, "version": ours.version})
        assert response.status_code == 302, (step, body(response)[-3000:])
    ours.refresh_from_db()
    assert ours.status == LexSarahReport.Status.CLOSED
    assert (ours.registered_by, ours.investigated_by, ours.assessed_by, ours.decided_by) == (manager,) * 4
    assert (ours.serious, ours.ivo_reference, ours.decision) == (True, "IVO-1", "Rutinen ändras.")
    html = body(client.get(f"/lex-sarah/{ours.pk}/"))
    assert "Nästa steg" not in html
    assert "Rapporten är avslutad." in html
    assert "Ej gjort" not in html  # every step has its date
    assert html.count('<td data-label="Av">Chef</td>') == 6  # who took each step (the manager)
    assert html.count('<td data-label="Av">Assistent</td>') == 1  # who reported
    assert "Utförd i tid" in html
    for action in ("registered", "remedied", "investigated", "assessed", "notified", "closed"):
        assert AuditEvent.objects.filter(action=f"lex_sarah.{action}", actor=manager).count() == 1


def test_skipping_a_step_is_refused(ours: LexSarahReport, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        step_path(ours, "remedied"), {"remedy": "Åtgärdat direkt.", "version": ours.version}
    )
    assert response.status_code == 200
    html = body(response)
    assert "Steget kunde inte registreras" in html
    assert "Steget kan inte tas nu: rapporten är rapporterad. Inget steg får hoppas över." in html
    assert "Åtgärdat direkt." in html  # the input is kept
    assert db_state() == before


def test_missing_step_fields_name_the_field(ours: LexSarahReport, manager: Any) -> None:
    advance(ours, manager, "registered", "remedied")
    before = db_state()
    response = browser(manager).post(step_path(ours, "investigated"), {"causes": "Stress", "version": ours.version})
    html = body(response)
    assert "Brukarens uppfattning: Detta fält måste fyllas i." in html
    assert "Stress" in html
    assert db_state() == before


def test_ivo_step_on_a_report_assessed_not_serious_is_refused(ours: LexSarahReport, manager: Any) -> None:
    to_assessed(ours, manager, serious=False)
    before = db_state()
    client = browser(manager)
    html = body(client.get(f"/lex-sarah/{ours.pk}/"))
    assert "Nästa steg: Beslut och avslut" in html  # not IVO
    assert "Anmäld till IVO" not in html  # no IVO step for a report that is not serious
    response = client.post(
        step_path(ours, "notified"), {"ivo_notified_on": today().isoformat(), "version": ours.version}
    )
    assert response.status_code == 200
    assert "Anmälan skickad till IVO: Bara en rapport som bedömts som allvarlig anmäls till IVO." in body(response)
    assert db_state() == before


def test_serious_report_cannot_close_before_ivo(ours: LexSarahReport, manager: Any) -> None:
    to_assessed(ours, manager, serious=True)
    before = db_state()
    response = browser(manager).post(
        step_path(ours, "closed"), {"decision": "Klart", "decided_on": today().isoformat(), "version": ours.version}
    )
    assert "Inget steg får hoppas över." in body(response)
    assert db_state() == before


def test_not_impropriety_cannot_be_serious(ours: LexSarahReport, manager: Any) -> None:
    advance(ours, manager, "registered", "remedied", "investigated")
    before = db_state()
    response = browser(manager).post(
        step_path(ours, "assessed"),
        {"assessment": "none", "serious": "ja", "assessment_reason": "x", "version": ours.version},
    )
    assert "Det som inte är ett missförhållande kan inte bedömas som allvarligt." in body(response)
    assert db_state() == before


def test_stale_step_is_a_conflict_and_keeps_the_input(ours: LexSarahReport, manager: Any) -> None:
    advance(ours, manager, "registered")
    stale_version = ours.version - 1
    before = db_state()
    response = browser(manager).post(
        step_path(ours, "remedied"), {"remedy": "Min text som ska finnas kvar.", "version": stale_version}
    )
    html = body(response)
    assert "Någon annan har ändrat uppgifterna medan du redigerade." in html
    assert "Min text som ska finnas kvar." in html
    assert f'name="version" value="{ours.version}"' in html
    assert db_state() == before


def test_unknown_step_and_get_on_a_step(ours: LexSarahReport, manager: Any) -> None:
    client = browser(manager)
    assert client.post(step_path(ours, "approved"), {"version": 1}).status_code == 404
    response = client.get(step_path(ours, "registered"))
    assert response.status_code == 302
    assert response["Location"] == f"/lex-sarah/{ours.pk}/"


# --- The notification to IVO -------------------------------------------------------------------------


def test_ivo_notification_docx(org: Organisation, ours: LexSarahReport, manager: Any, astrid: Client) -> None:
    to_assessed(ours, manager, serious=True)
    client = browser(manager)
    assert f'href="/lex-sarah/{ours.pk}/ivo-anmalan.docx"' in body(client.get(f"/lex-sarah/{ours.pk}/"))
    response = client.get(f"/lex-sarah/{ours.pk}/ivo-anmalan.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="lex-sarah-{ours.pk}-anmalan-ivo.docx"'
    text = docx_text(response)
    assert text.startswith(IVO_HEADING)
    assert "Anmälan enligt lex Sarah till Inspektionen för vård och omsorg (IVO)" in text
    assert "Verksamhet (enhet): Enheten för personligt stöd" in text
    assert "Norrby" in text  # the district (the provider)
    assert f"Datum för anmälan: {today().isoformat()}" in text
    assert "Astrid fick fel kost tre dagar i rad." in text
    assert ours.occurred_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") in text
    assert STEP_VALUES["remedied"]["remedy"] in text
    assert "Bedömning: Missförhållande" in text
    assert "Brukaren riskerade allvarlig skada." in text
    assert "Bilaga: Utredning" in text
    appendix = text.split("Bilaga: Utredning", 1)[1]
    for value in ("Kosten hade inte", "Brukaren tycker", "Överlämningen mellan", "Kostlistan finns nu"):
        assert value in appendix
    assert "brukaren" in text.lower()
    # The client only as "brukaren": no name, no personnummer in any form.
    for secret in ("Astrid Lindqvist", "Lindqvist", ASTRID, formatted(ASTRID), ASTRID[2:8]):
        assert secret not in text
    export = AccessLogEntry.objects.get(client=astrid, action=AccessLogEntry.Action.EXPORT)
    assert export.actor == manager


def test_ivo_notification_refused_when_not_serious(ours: LexSarahReport, manager: Any) -> None:
    client = browser(manager)
    unassessed = client.get(f"/lex-sarah/{ours.pk}/ivo-anmalan.docx")
    assert unassessed.status_code == 400
    assert unassessed["Content-Type"].startswith("text/html")
    assert "Rapporten är inte bedömd ännu." in body(unassessed)
    to_assessed(ours, manager, serious=False)
    response = client.get(f"/lex-sarah/{ours.pk}/ivo-anmalan.docx")
    assert response.status_code == 400
    assert "Anmälan till IVO kan bara skapas för en rapport som har bedömts som ett allvarligt" in body(response)
    assert "Rapporten är bedömd som inte allvarlig." in body(response)
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).exists()


# --- With permission, but in another unit -----------------------------------------------------------


def test_another_units_manager_sees_and_changes_nothing(
    org: Organisation, ours: LexSarahReport, theirs: LexSarahReport, other_manager: Any, manager: Any, astrid: Client
) -> None:
    to_assessed(ours, manager, serious=True)
    before = db_state()
    client = browser(other_manager)
    html = body(client.get("/lex-sarah/"))
    assert f'href="/lex-sarah/{ours.pk}/"' not in html
    assert "Astrid" not in html
    assert "Cecilia" in html
    assert "Astrid" not in body(client.get("/lex-sarah/", {"enhet": org.provider.pk, "brukare": astrid.pk}))
    for path in (f"/lex-sarah/{ours.pk}/", f"/lex-sarah/{ours.pk}/ivo-anmalan.docx"):
        response = client.get(path)
        assert response.status_code == 404
        assert "fel kost" not in body(response)
    for step in ("notified", "closed"):
        assert client.post(step_path(ours, step), {"version": ours.version, "decision": "x"}).status_code == 404
    response = client.post("/lex-sarah/ny/", report_data(org))
    assert "Enhet: Välj ett giltigt alternativ." in body(response)
    assert db_state() == before
    assert AccessLogEntry.objects.filter(client=astrid, actor=other_manager).count() == 0


# --- Query budget -----------------------------------------------------------------------------------


def test_list_query_budget(org: Organisation, manager: Any, astrid: Client, django_assert_num_queries: Any) -> None:
    for index in range(2):
        new_report(manager, org.provider, f"Rapport {index}", astrid)
    client = browser(manager)
    client.get("/lex-sarah/")
    with django_assert_num_queries(LEX_SARAH_LIST_QUERIES):
        assert client.get("/lex-sarah/").status_code == 200
    for index in range(10):
        to_assessed(new_report(manager, org.provider, f"Fler {index}", astrid), manager, serious=bool(index % 2))
    with django_assert_num_queries(LEX_SARAH_LIST_QUERIES):
        assert "10 rapporter" in body(client.get("/lex-sarah/", {"status": "assessed"}))
