"""The deviation pages (report, list, record, handling, actions, closing, escalation to Lex Sarah), each four
ways: anonymous, signed in without permission, with permission, and with permission but in another unit. Plus
what a medarbetare sees (their own reports and their clients'), bad input, a stale save and the list's query
budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.clients.pickers import picker_label
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.api_support import fake_personnummer
from bista.core.tests.pages import assert_login_redirect, browser
from bista.quality import services
from bista.quality.models import Deviation, DeviationAction, LexSarahReport, QualityCategory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

ASTRID = fake_personnummer("19450307", 982)
BERTIL = fake_personnummer("19520612", 984)
CECILIA = fake_personnummer("19610405", 986)
# Session (read, and saved in a savepoint: three), user, memberships, grants, units, categories, the clients
# of the filter, count and page (with unit, client, category and reporter joined in).
DEVIATION_LIST_QUERIES = 8


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
def bertil(org: Organisation) -> Client:
    """A client of the provider unit in Team Björk (not the staffer's team)."""
    return client_services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=BERTIL,
        first_name="Bertil",
        last_name="Berglund",
        teams=[org.other_team],
        fictitious=True,
    )


@pytest.fixture
def cecilia(org: Organisation) -> Client:
    """A client of the unit in the other district."""
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


def report(actor: Any, unit: Any, text: str, client: Client | None = None, **kwargs: Any) -> Deviation:
    return services.deviation_report(
        actor=actor, unit=unit, client=client, what_happened=text, occurred_at=ago(hours=2), **kwargs
    )


def category(code: str = "bemotande") -> QualityCategory:
    return QualityCategory.objects.get(group="deviation", code=code)


def db_state() -> dict[str, Any]:
    """Everything a deviation page could change, to compare before and after a refused request."""
    return {
        "deviations": sorted(
            Deviation.objects.values_list(
                "pk", "status", "category_id", "analysis", "immediate_action", "closed_at", "version"
            )
        ),
        "actions": sorted(DeviationAction.objects.values_list("pk", "description", "done_on")),
        "lex_sarah": LexSarahReport.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def report_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit": org.provider.pk,
        "client": "",
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_time": "00:00",
        "what_happened": "Medicinen gavs en timme för sent.",
        **overrides,
    }


def edit_data(deviation: Deviation, **overrides: Any) -> dict[str, Any]:
    return {
        "category": category().pk,
        "identified_by": "staff",
        "concerns": "own",
        "concerned_unit_name": "",
        "immediate_action": "Medicinen gavs så snart felet upptäcktes.",
        "analysis": "Schemat saknade överlämning.",
        "feedback_to_reporter_on": "",
        "feedback_to_client_on": "",
        "version": deviation.version,
        **overrides,
    }


@pytest.fixture
def ours(org: Organisation, manager: Any, astrid: Client) -> Deviation:
    """A deviation about Astrid, reported by the unit manager."""
    return report(manager, org.provider, "Astrid fick fel kost.", astrid)


@pytest.fixture
def theirs(org: Organisation, other_manager: Any, cecilia: Client) -> Deviation:
    return report(other_manager, org.other_unit, "Cecilias larm fungerade inte.", cecilia)


def pages(deviation: Deviation, action: DeviationAction | None = None) -> dict[str, str]:
    pk = deviation.pk
    return {
        "list": "/avvikelser/",
        "report": "/avvikelser/ny/",
        "detail": f"/avvikelser/{pk}/",
        "edit": f"/avvikelser/{pk}/handlagg/",
        "action_add": f"/avvikelser/{pk}/atgarder/",
        "close": f"/avvikelser/{pk}/avsluta/",
        "escalate": f"/avvikelser/{pk}/lex-sarah/",
        **({"action_done": f"/avvikelser/atgarder/{action.pk}/klar/"} if action else {}),
    }


def add_action(manager: Any, deviation: Deviation, owner: Any) -> DeviationAction:
    return services.deviation_action_add(
        actor=manager,
        deviation=deviation,
        description="Gå igenom kostlistan",
        owner=owner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "report", "detail", "edit", "action_add"])
def test_anonymous_get_goes_to_login(ours: Deviation, page: str) -> None:
    path = pages(ours)[page]
    response = HttpClient().get(path)
    assert_login_redirect(response, path)
    assert "fel kost" not in body(response)


def test_anonymous_posts_change_nothing(org: Organisation, ours: Deviation, manager: Any) -> None:
    action = add_action(manager, ours, manager)
    before = db_state()
    anonymous = HttpClient()
    paths = pages(ours, action)
    for name, data in [
        ("report", report_data(org)),
        ("edit", edit_data(ours)),
        ("action_add", {"description": "x", "owner": manager.pk, "due_on": "2030-01-01"}),
        ("action_done", {f"atgard-{action.pk}-done_on": timezone.localdate().isoformat()}),
        ("close", {"version": ours.version}),
        ("escalate", {}),
    ]:
        assert_login_redirect(anonymous.post(paths[name], data), paths[name])
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "status"),
    [("list", 403), ("report", 403), ("detail", 404), ("edit", 404), ("action_add", 404)],
)
def test_no_role_is_refused(ours: Deviation, astrid: Client, nobody: Any, page: str, status: int) -> None:
    response = browser(nobody).get(pages(ours)[page])
    assert response.status_code == status
    assert "fel kost" not in body(response)
    assert "Astrid" not in body(response)
    assert AccessLogEntry.objects.filter(client=astrid).count() == 0


def test_no_role_posts_change_nothing(org: Organisation, ours: Deviation, manager: Any, nobody: Any) -> None:
    action = add_action(manager, ours, manager)
    before = db_state()
    client = browser(nobody)
    paths = pages(ours, action)
    assert client.post(paths["report"], report_data(org)).status_code == 403
    assert client.post(paths["edit"], edit_data(ours)).status_code == 404
    assert client.post(paths["action_add"], {"description": "x", "owner": nobody.pk}).status_code == 404
    assert client.post(paths["action_done"], {}).status_code == 404
    assert client.post(paths["close"], {"version": ours.version}).status_code == 404
    assert client.post(paths["escalate"]).status_code == 404
    assert db_state() == before


# --- A medarbetare: reports, and sees only their own and their clients' -------------------------------


def test_staffer_reports_in_under_a_minute(org: Organisation, astrid: Client, bertil: Client, staffer: Any) -> None:
    client = browser(staffer)
    form = client.get("/avvikelser/ny/")
    assert form.status_code == 200
    html = body(form)
    assert f'<option value="{org.provider.pk}" selected>' in html  # the only unit is preselected
    assert f'data-picker-url="/sok/brukare/?enhet={org.provider.pk}"' in html  # the client: a searchable picker
    assert "Lindqvist" not in html and "Bertil" not in html  # no list of names
    now = timezone.localtime(timezone.now(), STOCKHOLM)
    assert f'value="{now.date().isoformat()}"' in html  # default: today
    assert 'type="time"' in html
    assert '<label for="id_what_happened">' in html

    response = client.post("/avvikelser/ny/", report_data(org, client=astrid.pk, occurred_time="00:00"), follow=True)
    deviation = Deviation.objects.get()
    assert response.redirect_chain[-1][0] == f"/avvikelser/{deviation.pk}/"
    assert f"Referensnummer: {deviation.pk}" in body(response)
    assert (deviation.unit, deviation.client, deviation.reported_by) == (org.provider, astrid, staffer)
    assert deviation.status == Deviation.Status.REPORTED
    local = deviation.occurred_at.astimezone(STOCKHOLM)
    assert (local.date(), local.hour, local.minute) == (now.date(), 0, 0)
    assert AuditEvent.objects.filter(action="deviation.report", actor=staffer).count() == 1


def test_report_from_the_client_card_preselects_the_client(org: Organisation, astrid: Client, staffer: Any) -> None:
    html = body(browser(staffer).get(f"/avvikelser/ny/?client={astrid.pk}"))
    assert f'name="client_sok" value="{picker_label(astrid)}"' in html
    assert f'name="client" value="{astrid.pk}"' in html


def test_report_ignores_a_client_the_user_does_not_see(
    org: Organisation, bertil: Client, cecilia: Client, staffer: Any
) -> None:
    client = browser(staffer)
    for wanted in (bertil.pk, cecilia.pk, "abc", "9" * 30):
        response = client.get("/avvikelser/ny/", {"client": wanted})
        assert response.status_code == 200
        assert "Bertil" not in body(response)
        assert "Cecilia" not in body(response)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"what_happened": "   "}, "Vad hände?", "Detta fält måste fyllas i."),
        ({"occurred_on": f"{LATER_YEAR}-01-01"}, "Datum då det hände", "Händelsen kan inte ha inträffat efter"),
        ({"occurred_on": "0001-01-01"}, "Datum då det hände", "Ange ett datum mellan 1900-01-01 och"),
        ({"occurred_on": "2024-02-30"}, "Datum då det hände", "Fyll i ett giltigt datum."),
        ({"occurred_time": "25:00"}, "Klockslag då det hände", "Fyll i en giltig tid."),
        ({"unit": "99999999999999999999999"}, "Enhet", "Välj ett giltigt alternativ."),
    ],
)
def test_report_bad_input_names_the_field_and_saves_nothing(
    org: Organisation, staffer: Any, overrides: dict[str, Any], field: str, message: str
) -> None:
    before = db_state()
    response = browser(staffer).post("/avvikelser/ny/", report_data(org, **overrides))
    assert response.status_code == 200
    html = body(response)
    assert "Rätta följande" in html
    assert f"{field}: {message}" in html
    assert db_state() == before


def test_staffer_cannot_report_about_a_client_of_another_team(org: Organisation, bertil: Client, staffer: Any) -> None:
    before = db_state()
    response = browser(staffer).post("/avvikelser/ny/", report_data(org, client=bertil.pk))
    assert response.status_code == 200
    assert "Brukare: Välj ett giltigt alternativ." in body(response)
    assert db_state() == before


def test_staffer_sees_own_and_their_clients_deviations_only(
    org: Organisation, manager: Any, staffer: Any, astrid: Client, bertil: Client, theirs: Deviation
) -> None:
    own = report(staffer, org.provider, "Jag glömde nyckeln.")
    about_astrid = report(manager, org.provider, "Astrid föll i badrummet.", astrid)
    about_bertil = report(manager, org.provider, "Bertils rullstol gick sönder.", bertil)
    unrelated = report(manager, org.provider, "Chefens egen rapport utan brukare.")
    client = browser(staffer)
    html = body(client.get("/avvikelser/"))
    assert "Jag glömde nyckeln." in html
    assert "Astrid föll i badrummet." in html
    assert "Bertil" not in html
    assert "Chefens egen rapport" not in html
    assert "Cecilia" not in html
    assert client.get(f"/avvikelser/{own.pk}/").status_code == 200
    assert client.get(f"/avvikelser/{about_astrid.pk}/").status_code == 200
    for hidden in (about_bertil, unrelated, theirs):
        response = client.get(f"/avvikelser/{hidden.pk}/")
        assert response.status_code == 404
        assert hidden.what_happened not in body(response)


@pytest.mark.parametrize("page", ["edit", "action_add"])
def test_staffer_cannot_handle(ours: Deviation, staffer: Any, page: str) -> None:
    response = browser(staffer).get(pages(ours)[page])
    assert response.status_code == 403


def test_staffer_posts_to_handling_change_nothing(ours: Deviation, staffer: Any) -> None:
    before = db_state()
    client = browser(staffer)
    paths = pages(ours)
    assert client.post(paths["edit"], edit_data(ours)).status_code == 403
    assert client.post(paths["action_add"], {"description": "x", "owner": staffer.pk}).status_code == 403
    assert client.post(paths["close"], {"version": ours.version}).status_code == 403
    assert client.post(paths["escalate"]).status_code == 403
    assert db_state() == before


def test_staffer_detail_shows_no_handling_forms(ours: Deviation, staffer: Any, astrid: Client) -> None:
    response = browser(staffer).get(f"/avvikelser/{ours.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "Astrid fick fel kost." in html
    assert "Handlägg avvikelsen" not in html
    assert "Avsluta avvikelsen" not in html
    assert "Rapportera enligt lex Sarah" not in html
    entry = AccessLogEntry.objects.get(client=astrid)
    assert (entry.actor, entry.detail) == (staffer, f"avvikelse {ours.pk}")


def test_action_owner_marks_own_action_done(ours: Deviation, manager: Any, staffer: Any) -> None:
    action = add_action(manager, ours, staffer)
    client = browser(staffer)
    assert f'action="/avvikelser/atgarder/{action.pk}/klar/"' in body(client.get(f"/avvikelser/{ours.pk}/"))
    today = timezone.localdate()
    response = client.post(f"/avvikelser/atgarder/{action.pk}/klar/", {f"atgard-{action.pk}-done_on": today})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == today


# --- With permission: the manager handles ------------------------------------------------------------


def test_list_with_permission_and_filters(
    org: Organisation, manager: Any, staffer: Any, astrid: Client, bertil: Client, theirs: Deviation
) -> None:
    report(staffer, org.provider, "Första händelsen.", astrid)
    second = report(manager, org.provider, "Andra händelsen.", bertil)
    services.deviation_update(actor=manager, deviation=second, expected_version=None, category=category())
    client = browser(manager)
    html = body(client.get("/avvikelser/"))
    assert "Första händelsen." in html
    assert "Andra händelsen." in html
    assert "Cecilia" not in html
    assert "2 avvikelser" in html

    def shown(params: dict[str, Any]) -> tuple[bool, bool]:
        page = body(client.get("/avvikelser/", params))
        return "Första händelsen." in page, "Andra händelsen." in page

    assert shown({"status": "in_progress"}) == (False, True)
    assert shown({"status": "reported"}) == (True, False)
    assert shown({"kategori": category().pk}) == (False, True)
    assert shown({"kategori": "0"}) == (True, False)
    assert shown({"brukare": astrid.pk}) == (True, False)
    # The client filter is a picker: typed part of a name or of the personnummer, without JavaScript.
    assert shown({"brukare_sok": "lindq"}) == (True, False)
    assert shown({"brukare_sok": astrid.personnummer[2:8]}) == (True, False)
    assert shown({"brukare_sok": "Berglund"}) == (False, True)
    nobody_found = body(client.get("/avvikelser/", {"brukare_sok": "Zäta"}))
    assert "Brukare: Ingen träff på ”Zäta”." in nobody_found and "Första händelsen." in nobody_found
    # Another unit's client is never matched (the typed text is only echoed back in the field).
    assert "Ingen träff på ”Cecilia”" in body(client.get("/avvikelser/", {"brukare_sok": "Cecilia"}))
    assert shown({"enhet": org.provider.pk}) == (True, True)
    today = timezone.localdate()
    assert shown({"fran": today.isoformat(), "till": today.isoformat()}) == (True, True)
    assert shown({"till": (today - datetime.timedelta(days=1)).isoformat()}) == (False, False)
    assert shown({"fran": "9999-12-31", "till": "9999-12-31"}) == (False, False)
    assert shown({"fran": "1900-01-01", "till": "9999-12-31"}) == (True, True)
    for bad in (
        {"fran": "2025-02-30", "brukare": "x", "sida": "999"},
        {"fran": "0001-01-01", "kategori": str(2**70)},
        {"enhet": "-1", "status": "x", "brukare": str(2**70)},
    ):
        response = client.get("/avvikelser/", bad)
        assert response.status_code == 200
        assert "Första händelsen." in body(response)  # an invalid filter filters nothing


def test_detail_with_permission(ours: Deviation, manager: Any, astrid: Client) -> None:
    response = browser(manager).get(f"/avvikelser/{ours.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "<h1>Avvikelse" in html
    assert "Astrid Lindqvist" in html
    assert "Astrid fick fel kost." in html
    assert f'href="/avvikelser/{ours.pk}/handlagg/"' in html
    assert f'action="/avvikelser/{ours.pk}/atgarder/"' in html
    assert f'action="/avvikelser/{ours.pk}/avsluta/"' in html
    assert f'action="/avvikelser/{ours.pk}/lex-sarah/"' in html
    assert "Avvikelse utredd och avslutad" in html  # the handling deadline
    assert AccessLogEntry.objects.filter(client=astrid, actor=manager).count() == 1


def test_edit_classifies_and_analyses(ours: Deviation, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/avvikelser/{ours.pk}/handlagg/")
    assert form.status_code == 200
    html = body(form)
    assert 'name="version" value="1"' in html
    assert "Utförande av insats" in html  # a deviation category
    assert "Teknik, verksamhetssystem" not in html  # a feedback category is not offered
    response = client.post(
        f"/avvikelser/{ours.pk}/handlagg/",
        edit_data(ours, concerns="other", concerned_unit_name="Hemtjänsten Norr", feedback_to_reporter_on="2020-01-02"),
    )
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.category == category()
    assert (ours.concerns, ours.concerned_unit_name) == ("other", "Hemtjänsten Norr")
    assert ours.analysis == "Schemat saknade överlämning."
    assert ours.feedback_to_reporter_on == datetime.date(2020, 1, 2)
    assert (ours.status, ours.version) == (Deviation.Status.IN_PROGRESS, 2)
    assert AuditEvent.objects.filter(action="deviation.update", actor=manager).count() == 1


def test_edit_bad_input_saves_nothing(ours: Deviation, manager: Any) -> None:
    before = db_state()
    client = browser(manager)
    response = client.post(f"/avvikelser/{ours.pk}/handlagg/", edit_data(ours, concerns="other"))
    assert response.status_code == 200
    assert "Annan verksamhet: Ange vilken verksamhet avvikelsen gäller." in body(response)
    feedback = client.post(
        f"/avvikelser/{ours.pk}/handlagg/",
        edit_data(ours, feedback_to_client_on=(timezone.localdate() + datetime.timedelta(days=3)).isoformat()),
    )
    assert "Återkoppling till brukaren: Datumet kan inte ligga i framtiden." in body(feedback)
    feedback_category = QualityCategory.objects.get(group="feedback_staff", code="beslut")
    wrong = client.post(f"/avvikelser/{ours.pk}/handlagg/", edit_data(ours, category=feedback_category.pk))
    assert "Kategori: Välj ett giltigt alternativ." in body(wrong)
    assert db_state() == before


def test_stale_edit_is_a_conflict_and_keeps_the_input(ours: Deviation, manager: Any, user_factory: Any) -> None:
    client = browser(manager)
    stale = edit_data(ours, analysis="Min analys som inte får försvinna.")
    services.deviation_update(
        actor=manager, deviation=ours, expected_version=ours.version, analysis="Någon annans analys."
    )
    before = db_state()
    response = client.post(f"/avvikelser/{ours.pk}/handlagg/", stale)
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna medan du redigerade." in html
    assert "Min analys som inte får försvinna." in html  # the user's input is kept
    assert "Någon annans analys." in html  # and the saved value is shown to compare
    assert 'name="version" value="2"' in html  # a second save is possible
    assert db_state() == before


def test_action_add_and_done(ours: Deviation, manager: Any, staffer: Any, other_manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/avvikelser/{ours.pk}/atgarder/")
    assert form.status_code == 200
    assert f'data-picker-url="/sok/person/?enhet={ours.unit_id}"' in body(form)  # the unit's people, searched
    assert "annanchef" not in body(form).lower()  # not another unit's
    refused = client.post(
        f"/avvikelser/{ours.pk}/atgarder/",
        {"description": "Ny rutin", "owner": other_manager.pk, "due_on": "2030-01-01"},
    )
    assert "Ansvarig: Välj ett giltigt alternativ." in body(refused)
    assert not DeviationAction.objects.exists()
    response = client.post(
        f"/avvikelser/{ours.pk}/atgarder/", {"description": "Ny rutin", "owner": staffer.pk, "due_on": "2030-01-01"}
    )
    assert response.status_code == 302
    action = DeviationAction.objects.get()
    assert (action.description, action.owner, action.due_on) == ("Ny rutin", staffer, datetime.date(2030, 1, 1))
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    late = client.post(f"/avvikelser/atgarder/{action.pk}/klar/", {f"atgard-{action.pk}-done_on": future})
    assert late.status_code == 200
    assert "Klar den: Datumet kan inte ligga i framtiden." in body(late)
    action.refresh_from_db()
    assert action.done_on is None
    done = client.post(f"/avvikelser/atgarder/{action.pk}/klar/", {f"atgard-{action.pk}-done_on": timezone.localdate()})
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_close_without_analysis_is_refused(ours: Deviation, manager: Any) -> None:
    services.deviation_update(actor=manager, deviation=ours, expected_version=None, category=category())
    ours.refresh_from_db()
    before = db_state()
    response = browser(manager).post(
        f"/avvikelser/{ours.pk}/avsluta/", {"version": ours.version, "closing_note": "Klart"}
    )
    assert response.status_code == 200
    html = body(response)
    assert "Avvikelsen kunde inte avslutas" in html
    assert "Orsaksanalys: Avvikelsen kan inte avslutas utan en orsaksanalys." in html
    assert "Klart" in html  # the note is kept
    assert db_state() == before


def test_close_with_open_action_is_refused(ours: Deviation, manager: Any) -> None:
    services.deviation_update(
        actor=manager, deviation=ours, expected_version=None, category=category(), analysis="Orsak"
    )
    add_action(manager, ours, manager)
    ours.refresh_from_db()
    before = db_state()
    response = browser(manager).post(f"/avvikelser/{ours.pk}/avsluta/", {"version": ours.version})
    assert "Åtgärder: Alla åtgärder måste vara klara innan avvikelsen avslutas." in body(response)
    assert db_state() == before


def test_close_with_permission(ours: Deviation, manager: Any) -> None:
    services.deviation_update(
        actor=manager, deviation=ours, expected_version=None, category=category(), analysis="Orsak"
    )
    ours.refresh_from_db()
    client = browser(manager)
    stale = client.post(f"/avvikelser/{ours.pk}/avsluta/", {"version": ours.version - 1})
    assert "Någon annan har ändrat uppgifterna" in body(stale)
    assert Deviation.objects.get(pk=ours.pk).status == Deviation.Status.IN_PROGRESS
    response = client.post(f"/avvikelser/{ours.pk}/avsluta/", {"version": ours.version, "closing_note": "Klart"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.status, ours.closing_note, ours.closed_by) == (Deviation.Status.CLOSED, "Klart", manager)
    html = body(client.get(f"/avvikelser/{ours.pk}/"))
    assert "Avsluta avvikelsen" not in html
    edit = client.get(f"/avvikelser/{ours.pk}/handlagg/", follow=True)
    assert "Avvikelsen är avslutad och kan inte längre ändras." in body(edit)


def test_escalate_to_lex_sarah(ours: Deviation, manager: Any, astrid: Client) -> None:
    client = browser(manager)
    response = client.post(f"/avvikelser/{ours.pk}/lex-sarah/")
    report_obj = LexSarahReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/lex-sarah/{report_obj.pk}/"
    assert (report_obj.deviation, report_obj.client, report_obj.what_happened) == (ours, astrid, ours.what_happened)
    html = body(client.get(f"/avvikelser/{ours.pk}/"))
    assert f'href="/lex-sarah/{report_obj.pk}/"' in html
    assert f'action="/avvikelser/{ours.pk}/lex-sarah/"' not in html
    before = db_state()
    again = client.post(f"/avvikelser/{ours.pk}/lex-sarah/", follow=True)
    assert "Avvikelsen är redan rapporterad enligt lex Sarah." in body(again)
    assert db_state() == before
    assert client.get(f"/avvikelser/{ours.pk}/lex-sarah/").status_code == 405


# --- With permission, but in another unit -----------------------------------------------------------


def test_list_in_another_unit_shows_nothing_of_ours(
    org: Organisation, ours: Deviation, theirs: Deviation, astrid: Client, other_manager: Any
) -> None:
    client = browser(other_manager)
    for params in ({}, {"enhet": org.provider.pk}, {"brukare": astrid.pk}):
        response = client.get("/avvikelser/", params)
        assert response.status_code == 200
        html = body(response)
        assert "fel kost" not in html
        assert "Astrid" not in html
        assert f'href="/avvikelser/{ours.pk}/"' not in html
    assert "Cecilias larm" in body(client.get("/avvikelser/"))


@pytest.mark.parametrize("page", ["detail", "edit", "action_add"])
def test_pages_in_another_unit_are_not_found(ours: Deviation, astrid: Client, other_manager: Any, page: str) -> None:
    response = browser(other_manager).get(pages(ours)[page])
    assert response.status_code == 404
    assert "fel kost" not in body(response)
    assert "Astrid" not in body(response)
    assert AccessLogEntry.objects.filter(client=astrid).count() == 0


def test_posts_in_another_unit_change_nothing(
    org: Organisation, ours: Deviation, manager: Any, other_manager: Any
) -> None:
    action = add_action(manager, ours, manager)
    before = db_state()
    client = browser(other_manager)
    paths = pages(ours, action)
    assert client.post(paths["edit"], edit_data(ours)).status_code == 404
    assert client.post(paths["action_add"], {"description": "x", "owner": other_manager.pk}).status_code == 404
    assert client.post(paths["action_done"], {f"atgard-{action.pk}-done_on": "2020-01-01"}).status_code == 404
    assert client.post(paths["close"], {"version": ours.version}).status_code == 404
    assert client.post(paths["escalate"]).status_code == 404
    # Reporting into our unit is refused: the unit is not among the choices.
    response = client.post(paths["report"], report_data(org))
    assert response.status_code == 200
    assert "Enhet: Välj ett giltigt alternativ." in body(response)
    assert db_state() == before


def test_unknown_and_huge_ids_are_not_found(manager: Any) -> None:
    client = browser(manager)
    for path in ("/avvikelser/999999/", f"/avvikelser/{2**70}/", f"/avvikelser/atgarder/{2**70}/klar/"):
        response = client.get(path) if "klar" not in path else client.post(path, {})
        assert response.status_code == 404


# --- Query budget -----------------------------------------------------------------------------------


def test_list_query_budget(
    org: Organisation, manager: Any, astrid: Client, bertil: Client, django_assert_num_queries: Any
) -> None:
    for index in range(3):
        report(manager, org.provider, f"Händelse {index}", astrid if index % 2 else bertil)
    client = browser(manager)
    client.get("/avvikelser/")  # warm up the session
    with django_assert_num_queries(DEVIATION_LIST_QUERIES):
        assert client.get("/avvikelser/").status_code == 200
    for index in range(12):
        deviation = report(manager, org.provider, f"Fler {index}", astrid)
        services.deviation_update(actor=manager, deviation=deviation, expected_version=None, category=category())
    with django_assert_num_queries(DEVIATION_LIST_QUERIES):
        assert client.get("/avvikelser/", {"status": "in_progress"}).status_code == 200


def test_staffer_list_query_budget(
    org: Organisation, manager: Any, staffer: Any, astrid: Client, django_assert_max_num_queries: Any
) -> None:
    for index in range(8):
        report(staffer if index % 2 else manager, org.provider, f"Händelse {index}", astrid)
    client = browser(staffer)
    client.get("/avvikelser/")
    with CaptureQueriesContext(connection) as few:
        client.get("/avvikelser/")
    for index in range(8):
        report(staffer, org.provider, f"Fler {index}", astrid)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Fler 7" in body(client.get("/avvikelser/"))
