"""The personal data incident pages: list, register, card with the 72-hour clock, the IMY decision, correct.
Only for quality.incident. Each four ways (anonymous, without permission, with permission, with permission
in another unit), plus the clock across a daylight-saving change, bad input, conflicts and a query budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bista.core import clock
from bista.core.clock import STOCKHOLM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import LOGIN, browser
from bista.quality import rules, services
from bista.quality.models import DataIncident
from bista.quality.views import incidents as incident_views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

SECRET = "Ett mejl med genomförandeplaner skickades till fel mottagare"
# The Friday before summer time begins (2026-03-29, 02:00 → 03:00).
HAPPENED = datetime.datetime(2026, 3, 27, 9, 0, tzinfo=STOCKHOLM)
DISCOVERED = datetime.datetime(2026, 3, 27, 10, 0, tzinfo=STOCKHOLM)


def register(actor: Any, unit: Any, **overrides: Any) -> DataIncident:
    values: dict[str, Any] = {
        "what_happened": SECRET,
        "happened_at": HAPPENED,
        "discovered_at": DISCOVERED,
        "data_affected": "Namn, personnummer och hälsouppgifter",
        "people_affected": "Tre brukare i Team Ek",
        "people_affected_count": 3,
        **overrides,
    }
    return services.incident_register(actor=actor, unit=unit, **values)


@pytest.fixture
def incident(org: Organisation, manager: Any) -> DataIncident:
    return register(manager, org.provider)


@pytest.fixture
def elsewhere(org: Organisation, other_manager: Any) -> DataIncident:
    return register(other_manager, org.other_unit, what_happened="En dator med journaler stals i Söderby")


@pytest.fixture
def controller(org: Organisation) -> Any:
    """Reads the unit's quality records (quality.view) but does not handle personal data incidents."""
    return make_user("controller", RoleCode.CONTROLLER, district=org.district)


def body(response: Any) -> str:
    return response.content.decode()


def at(now: datetime.datetime, frozen_clock: Any) -> None:
    """Let the clock stand at `now`."""
    frozen_clock(now)


def db_state() -> list[Any]:
    return [
        sorted(
            DataIncident.objects.values_list(
                "pk", "version", "what_happened", "discovered_at", "imy_decision", "imy_reference", "people_informed_on"
            )
        ),
        AuditEvent.objects.count(),
    ]


def paths(item: DataIncident) -> dict[str, str]:
    return {
        "list": "/personuppgiftsincidenter/",
        "create": "/personuppgiftsincidenter/ny/",
        "detail": f"/personuppgiftsincidenter/{item.pk}/",
        "edit": f"/personuppgiftsincidenter/{item.pk}/andra/",
    }


def create_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit": org.provider.pk,
        "what_happened": "En lista med brukares adresser låg framme i personalrummet",
        "happened_at": "2026-03-27T09:00",
        "discovered_at": "2026-03-27T10:00",
        "ended_at": "2026-03-27T10:15",
        "data_affected": "Namn och adresser",
        "people_affected": "Brukare i Team Ek",
        "people_affected_count": "12",
        "consequences": "Obehöriga kan ha sett adresserna",
        "actions": "Listan förstördes",
        "people_informed_on": "",
        **overrides,
    }


def edit_data(item: DataIncident, **overrides: Any) -> dict[str, Any]:
    def moment(value: datetime.datetime | None) -> str:
        return value.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M") if value else ""

    data: dict[str, Any] = {
        "what_happened": item.what_happened,
        "happened_at": moment(item.happened_at),
        "discovered_at": moment(item.discovered_at),
        "ended_at": moment(item.ended_at),
        "data_affected": item.data_affected,
        "people_affected": item.people_affected,
        "people_affected_count": "" if item.people_affected_count is None else item.people_affected_count,
        "consequences": item.consequences,
        "actions": item.actions,
        "people_informed_on": item.people_informed_on.isoformat() if item.people_informed_on else "",
        "version": item.version,
    }
    data.update(overrides)
    return data


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "create", "detail", "edit"])
def test_anonymous_goes_to_login(incident: DataIncident, page: str) -> None:
    path = paths(incident)[page]
    response = HttpClient().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert SECRET not in body(response)


def test_anonymous_posts_change_nothing(org: Organisation, incident: DataIncident) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path, data in [
        ("/personuppgiftsincidenter/ny/", create_data(org)),
        (f"/personuppgiftsincidenter/{incident.pk}/andra/", edit_data(incident, what_happened="x")),
        (f"/personuppgiftsincidenter/{incident.pk}/imy/", {"imy_decision": "no_risk", "version": 1}),
    ]:
        response = anonymous.post(path, data)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(("page", "status"), [("list", 403), ("create", 403), ("detail", 404), ("edit", 404)])
@pytest.mark.parametrize("who", ["nobody", "staffer", "controller"])
def test_without_incident_permission_is_refused(
    incident: DataIncident, nobody: Any, staffer: Any, controller: Any, page: str, status: int, who: str
) -> None:
    user = {"nobody": nobody, "staffer": staffer, "controller": controller}[who]
    response = browser(user).get(paths(incident)[page])
    assert response.status_code == status
    assert SECRET not in body(response)


@pytest.mark.parametrize("who", ["nobody", "staffer", "controller"])
def test_without_incident_permission_posts_change_nothing(
    org: Organisation, incident: DataIncident, nobody: Any, staffer: Any, controller: Any, who: str
) -> None:
    user = {"nobody": nobody, "staffer": staffer, "controller": controller}[who]
    before = db_state()
    client = browser(user)
    assert client.post("/personuppgiftsincidenter/ny/", create_data(org)).status_code == 403
    edit = client.post(f"/personuppgiftsincidenter/{incident.pk}/andra/", edit_data(incident, what_happened="x"))
    assert edit.status_code == 404
    imy = client.post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {"imy_decision": "no_risk", "imy_decision_reason": "Ingen risk", "version": 1},
    )
    assert imy.status_code == 404
    assert db_state() == before


# --- With permission --------------------------------------------------------------------------------


def test_list_with_permission(incident: DataIncident, elsewhere: DataIncident, manager: Any, frozen_clock: Any) -> None:
    at(rules.imy_deadline(DISCOVERED) - datetime.timedelta(hours=3), frozen_clock)
    response = browser(manager).get("/personuppgiftsincidenter/")
    assert response.status_code == 200
    html = body(response)
    assert f'href="/personuppgiftsincidenter/{incident.pk}/"' in html
    assert "2026-03-27 10:00" in html
    assert "2026-03-30 11:00" in html
    assert "3 timmar kvar" in html
    assert "Inte fattat" in html
    assert f'href="/personuppgiftsincidenter/{elsewhere.pk}/"' not in html
    assert "Söderby" not in html


def test_list_filter_on_decision(org: Organisation, incident: DataIncident, manager: Any) -> None:
    decided = register(manager, org.provider, what_happened="Fel bilaga i ett brev")
    services.incident_decide_imy(
        actor=manager, incident=decided, expected_version=None, decision="no_risk", reason="Bilagan var krypterad"
    )
    client = browser(manager)
    open_only = body(client.get("/personuppgiftsincidenter/", {"status": "utan_beslut"}))
    assert f'href="/personuppgiftsincidenter/{incident.pk}/"' in open_only
    assert f'href="/personuppgiftsincidenter/{decided.pk}/"' not in open_only
    decided_only = body(client.get("/personuppgiftsincidenter/", {"status": "beslutade"}))
    assert f'href="/personuppgiftsincidenter/{decided.pk}/"' in decided_only
    assert f'href="/personuppgiftsincidenter/{incident.pk}/"' not in decided_only
    assert client.get("/personuppgiftsincidenter/", {"enhet": "x", "status": "?"}).status_code == 200


def test_register_with_permission_in_stockholm_time(org: Organisation, manager: Any) -> None:
    response = browser(manager).post("/personuppgiftsincidenter/ny/", create_data(org))
    incident = DataIncident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/personuppgiftsincidenter/{incident.pk}/"
    # 10:00 in Stockholm on 27 March (winter time, UTC+1) is 09:00 UTC.
    assert incident.discovered_at == datetime.datetime(2026, 3, 27, 9, 0, tzinfo=datetime.UTC)
    assert incident.ended_at == datetime.datetime(2026, 3, 27, 10, 15, tzinfo=STOCKHOLM)
    assert (incident.people_affected_count, incident.registered_by, incident.unit) == (12, manager, org.provider)
    assert AuditEvent.objects.filter(action="incident.register", actor=manager).count() == 1


def test_the_clock_across_the_change_to_summer_time(incident: DataIncident, manager: Any, frozen_clock: Any) -> None:
    """Discovered Friday 27 March 2026 at 10:00; the clocks go forward on Sunday, so 72 real hours end on
    Monday 30 March at 11:00 Stockholm time, not at 10:00."""
    deadline = rules.imy_deadline(incident.discovered_at)
    assert deadline.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") == "2026-03-30 11:00"
    client = browser(manager)

    at(deadline - datetime.timedelta(hours=3), frozen_clock)
    html = body(client.get(f"/personuppgiftsincidenter/{incident.pk}/"))
    assert "2026-03-27 10:00" in html
    assert "2026-03-30 11:00" in html
    assert "2026-03-30 10:00" not in html
    assert "3 timmar kvar" in html

    at(deadline + datetime.timedelta(hours=5, minutes=20), frozen_clock)
    html = body(client.get(f"/personuppgiftsincidenter/{incident.pk}/"))
    assert "2026-03-30 11:00" in html
    assert "passerad med 5 timmar" in html


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (3 * 3600, "3 timmar kvar"),
        (3600 + 59 * 60, "1 timme kvar"),
        (59 * 60, "mindre än en timme kvar"),
        (0, "mindre än en timme kvar"),
        (-5 * 3600, "passerad med 5 timmar"),
        (-(4 * 24 + 2) * 3600, "passerad med 4 dygn och 2 timmar"),
        (-3 * 24 * 3600, "passerad med 3 dygn"),
    ],
)
def test_clock_text(seconds: int, text: str) -> None:
    deadline = datetime.datetime(2026, 3, 30, 11, 0, tzinfo=STOCKHOLM)
    assert incident_views.clock_text(deadline, deadline - datetime.timedelta(seconds=seconds)) == text


def test_detail_offers_the_imy_decision(incident: DataIncident, manager: Any) -> None:
    html = body(browser(manager).get(f"/personuppgiftsincidenter/{incident.pk}/"))
    assert SECRET in html
    assert f'action="/personuppgiftsincidenter/{incident.pk}/imy/"' in html
    assert 'name="imy_decision"' in html
    assert 'name="version" value="1"' in html
    assert "Nej, inte ännu" in html  # the people affected have not been told
    assert f'href="/personuppgiftsincidenter/{incident.pk}/andra/"' in html


def test_imy_notified_in_time(incident: DataIncident, manager: Any) -> None:
    client = browser(manager)
    response = client.post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {
            "imy_decision": "notify",
            "imy_notified_at": "2026-03-29T15:30",
            "imy_reference": "IMY-2026-1234",
            "imy_decision_reason": "",
            "version": 1,
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.imy_decision == "notify"
    assert incident.imy_notified_at == datetime.datetime(2026, 3, 29, 15, 30, tzinfo=STOCKHOLM)
    assert incident.imy_reference == "IMY-2026-1234"
    assert AuditEvent.objects.filter(action="incident.imy_decision", actor=manager).count() == 1
    html = body(client.get(f"/personuppgiftsincidenter/{incident.pk}/"))
    assert "Anmäls till IMY" in html
    assert "2026-03-29 15:30 (i tid)" in html
    assert "IMY-2026-1234" in html
    assert 'name="imy_decision"' not in html  # decided once


def test_imy_not_notified_needs_a_reason(incident: DataIncident, manager: Any) -> None:
    client = browser(manager)
    before = db_state()
    refused = client.post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {"imy_decision": "no_risk", "imy_decision_reason": " ", "version": 1},
    )
    assert refused.status_code == 200
    assert "Motivering: Motivera varför incidenten inte anmäls." in body(refused)
    assert db_state() == before
    response = client.post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {"imy_decision": "no_risk", "imy_decision_reason": "Uppgifterna var krypterade", "version": 1},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.imy_decision, incident.imy_decision_reason) == ("no_risk", "Uppgifterna var krypterade")
    assert "Uppgifterna var krypterade" in body(client.get(f"/personuppgiftsincidenter/{incident.pk}/"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"imy_decision": "notify", "imy_notified_at": ""}, "Anmäld till IMY: Ange när anmälan till IMY gjordes."),
        (
            {"imy_decision": "notify", "imy_notified_at": "2026-03-27T09:30"},
            "Anmäld till IMY: Anmälan kan inte ha gjorts innan incidenten upptäcktes.",
        ),
        ({"imy_decision": "notify", "imy_notified_at": f"{LATER_YEAR}-01-01T10:00"}, "Anmäld till IMY:"),
        ({"imy_decision": "notify", "imy_notified_at": "igår"}, "Anmäld till IMY:"),
        ({"imy_decision": "kanske"}, "Beslut:"),
        ({"imy_decision": "no_risk", "imy_decision_reason": "x", "imy_notified_at": "2026-03-28T10:00"}, "Anmäld"),
    ],
)
def test_imy_bad_input_names_the_field(
    incident: DataIncident, manager: Any, data: dict[str, Any], message: str
) -> None:
    before = db_state()
    response = browser(manager).post(f"/personuppgiftsincidenter/{incident.pk}/imy/", {"version": 1, **data})
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_a_second_imy_decision_is_refused(incident: DataIncident, manager: Any) -> None:
    services.incident_decide_imy(
        actor=manager, incident=incident, expected_version=1, decision="no_risk", reason="Ingen risk"
    )
    before = db_state()
    response = browser(manager).post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {"imy_decision": "notify", "imy_notified_at": "2026-03-28T10:00", "version": 2},
    )
    assert response.status_code == 302
    assert db_state() == before


def test_stale_imy_decision_is_a_conflict(incident: DataIncident, manager: Any) -> None:
    services.incident_update(actor=manager, incident=incident, expected_version=1, actions="Lösenorden byttes")
    before = db_state()
    response = browser(manager).post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {"imy_decision": "no_risk", "imy_decision_reason": "Mitt skäl", "version": 1},
    )
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert "Mitt skäl" in html
    assert 'name="version" value="2"' in html
    assert db_state() == before


def test_edit_with_permission_and_the_people_told(incident: DataIncident, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/personuppgiftsincidenter/{incident.pk}/andra/")
    assert form.status_code == 200
    assert 'value="2026-03-27T10:00"' in body(form)  # shown in Stockholm time
    response = client.post(
        f"/personuppgiftsincidenter/{incident.pk}/andra/",
        edit_data(incident, people_informed_on="2026-03-30", ended_at="2026-03-27T12:00"),
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.people_informed_on == datetime.date(2026, 3, 30)
    assert incident.ended_at == datetime.datetime(2026, 3, 27, 12, 0, tzinfo=STOCKHOLM)
    assert incident.version == 2
    assert "Ja, 2026-03-30" in body(client.get(f"/personuppgiftsincidenter/{incident.pk}/"))


def test_stale_edit_is_a_conflict(incident: DataIncident, manager: Any) -> None:
    services.incident_update(actor=manager, incident=incident, expected_version=1, consequences="Kollegans text")
    response = browser(manager).post(
        f"/personuppgiftsincidenter/{incident.pk}/andra/", edit_data(incident, consequences="Min text", version=1)
    )
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert "Min text" in html
    assert "Kollegans text" in html
    incident.refresh_from_db()
    assert (incident.consequences, incident.version) == ("Kollegans text", 2)


# --- Bad input ------------------------------------------------------------------------------------


def test_discovered_before_it_happened_is_refused(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        "/personuppgiftsincidenter/ny/",
        create_data(org, happened_at="2026-03-27T10:00", discovered_at="2026-03-27T09:00", ended_at=""),
    )
    assert response.status_code == 200
    html = body(response)
    assert "Upptäcktes: Incidenten kan inte ha upptäckts innan den inträffade." in html
    assert 'id="id_discovered_at_fel"' in html
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"discovered_at": "2026-03-29T02:30"}, "Upptäcktes:"),  # does not exist: the clocks jump 02:00 → 03:00
        ({"discovered_at": "2026-13-01T10:00"}, "Upptäcktes:"),
        ({"happened_at": ""}, "Inträffade:"),
        ({"discovered_at": f"{LATER_YEAR}-01-01T10:00"}, "Upptäcktes: Tidpunkten kan inte ligga i framtiden."),
        ({"ended_at": "2026-03-27T08:00"}, "Upphörde: Incidenten kan inte ha upphört innan den inträffade."),
        ({"people_affected_count": "-1"}, "Antal berörda:"),
        ({"people_affected_count": "99999999999999999999"}, "Antal berörda:"),
        ({"data_affected": "  "}, "Vilka personuppgifter berörs:"),
        ({"people_informed_on": f"{LATER_YEAR}-01-01"}, "De berörda informerades: Datumet kan inte ligga i framtiden."),
        ({"unit": "99999999999999999999999"}, "Enhet:"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    org: Organisation, manager: Any, overrides: dict[str, Any], message: str
) -> None:
    before = db_state()
    response = browser(manager).post("/personuppgiftsincidenter/ny/", create_data(org, **overrides))
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


# --- With permission, but in another unit -----------------------------------------------------------


def test_list_in_another_unit_shows_nothing_of_ours(
    org: Organisation, incident: DataIncident, elsewhere: DataIncident, other_manager: Any
) -> None:
    client = browser(other_manager)
    for params in ({}, {"enhet": org.provider.pk}):
        html = body(client.get("/personuppgiftsincidenter/", params))
        assert f'href="/personuppgiftsincidenter/{incident.pk}/"' not in html
        assert SECRET not in html
    assert f'href="/personuppgiftsincidenter/{elsewhere.pk}/"' in body(client.get("/personuppgiftsincidenter/"))


@pytest.mark.parametrize("page", ["detail", "edit"])
def test_pages_in_another_unit_are_not_found(incident: DataIncident, other_manager: Any, page: str) -> None:
    response = browser(other_manager).get(paths(incident)[page])
    assert response.status_code == 404
    assert SECRET not in body(response)


def test_posts_in_another_unit_change_nothing(org: Organisation, incident: DataIncident, other_manager: Any) -> None:
    before = db_state()
    client = browser(other_manager)
    edit = client.post(f"/personuppgiftsincidenter/{incident.pk}/andra/", edit_data(incident, what_happened="x"))
    assert edit.status_code == 404
    imy = client.post(
        f"/personuppgiftsincidenter/{incident.pk}/imy/",
        {"imy_decision": "no_risk", "imy_decision_reason": "Ingen risk", "version": 1},
    )
    assert imy.status_code == 404
    response = client.post("/personuppgiftsincidenter/ny/", create_data(org))
    assert response.status_code == 200
    assert "Enhet:" in body(response)
    assert db_state() == before


# --- Query budget ---------------------------------------------------------------------------------

INCIDENT_LIST_QUERIES = 7


def test_list_query_budget(org: Organisation, manager: Any, django_assert_num_queries: Any) -> None:
    client = browser(manager)
    for _ in range(3):
        register(manager, org.provider)
    with django_assert_num_queries(INCIDENT_LIST_QUERIES):
        assert client.get("/personuppgiftsincidenter/").status_code == 200
    for _ in range(20):
        register(manager, org.provider)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/personuppgiftsincidenter/").status_code == 200
    assert len(queries) == INCIDENT_LIST_QUERIES
