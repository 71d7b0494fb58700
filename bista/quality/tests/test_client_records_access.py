"""Quality records about a client are client data (issue 14, defects 7 and 11): an API read of one writes an
access-log row, and quality.view alone (a controller) shows the unit's records without a client — not the
narratives about the people, which need a client-view permission for the client's unit."""

from __future__ import annotations

from typing import Any

import pytest

from bista.clients.models import AccessLogEntry, Client
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import API, session_client
from bista.quality.tests import factories as f

pytestmark = pytest.mark.django_db

NARRATIVE = "Brukaren Astrid fick fel medicin."


@pytest.fixture
def astrid(org: Organisation) -> Client:
    return f.client_in_team(org.provider, org.team)


@pytest.fixture
def records(org: Organisation, astrid: Client, manager: Any) -> dict[str, Any]:
    return {
        "deviation": f.report_deviation(org.provider, actor=manager, client=astrid, what_happened=NARRATIVE),
        "anonymous_deviation": f.report_deviation(org.provider, actor=manager, what_happened="Larmet tystnade."),
        "lex_sarah": f.report_lex_sarah(org.provider, actor=manager, client=astrid, what_happened=NARRATIVE),
        "feedback": f.register_feedback(org.provider, actor=manager, client=astrid, description=NARRATIVE),
    }


API_PATHS = {
    "deviation": "/quality/deviations/{}",
    "lex_sarah": "/quality/lex-sarah/{}",
    "feedback": "/quality/feedback/{}",
}
PAGES = {"deviation": "/avvikelser/{}/", "lex_sarah": "/lex-sarah/{}/", "feedback": "/synpunkter/{}/"}


@pytest.mark.parametrize("kind", sorted(API_PATHS))
def test_an_api_read_of_a_record_about_a_client_is_logged(
    manager: Any, astrid: Client, records: dict[str, Any], kind: str
) -> None:
    before = AccessLogEntry.objects.filter(client=astrid, actor=manager).count()
    response = session_client(manager).get(API + API_PATHS[kind].format(records[kind].pk))
    assert response.status_code == 200
    rows = AccessLogEntry.objects.filter(client=astrid, actor=manager)
    assert rows.count() == before + 1
    assert "via API" in rows.latest("at").detail


@pytest.mark.parametrize("kind", sorted(API_PATHS))
def test_a_controller_reads_no_record_about_a_client(
    org: Organisation, manager: Any, records: dict[str, Any], kind: str
) -> None:
    controller = make_user("kontrollant", RoleCode.CONTROLLER, district=org.district)
    browser = session_client(controller)
    assert browser.get(API + API_PATHS[kind].format(records[kind].pk)).status_code == 404
    assert browser.get(PAGES[kind].format(records[kind].pk)).status_code == 404
    assert session_client(manager).get(PAGES[kind].format(records[kind].pk)).status_code == 200


def test_a_controller_lists_the_units_records_without_a_client(org: Organisation, records: dict[str, Any]) -> None:
    controller = make_user("kontrollant", RoleCode.CONTROLLER, district=org.district)
    browser = session_client(controller)
    listed = browser.get(f"{API}/quality/deviations").json()
    ids = {item["id"] for item in listed["items"]} if isinstance(listed, dict) else {item["id"] for item in listed}
    assert ids == {records["anonymous_deviation"].pk}
    page = browser.get("/avvikelser/").content.decode()
    assert "Lindqvist" not in page and NARRATIVE not in page
    assert browser.get(f"/avvikelser/{records['anonymous_deviation'].pk}/").status_code == 200


def test_the_quality_report_counts_the_same_for_a_controller_without_the_narratives(
    org: Organisation, manager: Any, records: dict[str, Any]
) -> None:
    """The figures of the draft kvalitetsberättelse are the unit's, whoever asks; the analyses of deviations
    about clients are left out for a reader who does not see the clients."""
    import datetime

    from bista.quality import vbdocs

    f.classify_deviation(records["deviation"], actor=manager, analysis="Överlämningen brast vid medicinering.")
    controller = make_user("kontrollant", RoleCode.CONTROLLER, district=org.district)
    year = records["deviation"].reported_at.year
    today = datetime.date(year + 1, 1, 15)
    own = vbdocs.report_facts(manager, unit=org.provider, year=year, today=today)
    seen = vbdocs.report_facts(controller, unit=org.provider, year=year, today=today)
    assert seen.deviation_total == own.deviation_total == 2
    assert seen.feedback_by_kind == own.feedback_by_kind
    assert any("Överlämningen" in line for _category, line in own.lessons)
    assert not any("Överlämningen" in line for _category, line in seen.lessons)
    assert (own.lessons_not_readable, seen.lessons_not_readable) == (0, 1)
