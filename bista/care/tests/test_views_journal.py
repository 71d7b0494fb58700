"""The journal pages (the client's journal with search and the write form, the autosaved draft, one entry,
the client's objection, the whole record as PDF), each four ways: anonymous, signed in without permission,
with permission, and with permission but for another unit. An assistant sees and writes only for the
clients of their own teams. Plus bad input, autosave recovery, protected identity, the access log and the
journal page's query budget."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.care import services
from bista.care.models import (
    CareExport,
    HomeBinder,
    JournalCategory,
    JournalDraft,
    JournalEntry,
    JournalObjection,
)
from bista.care.tests import factories as f
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.pages import assert_login_redirect, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

# The clock stands still for this module's tests at the moment it was imported: TODAY is computed once, and a
# run that crossed Stockholm's midnight would otherwise have the services' today move a day past it.
NOW = clock.now()
TODAY = clock.local_date(NOW)
TOMORROW = TODAY + datetime.timedelta(days=1)
SECRET_TEXT = "Brukaren berättade om sin hemliga resa."


# --- The world ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clock_stands_at_import(frozen_clock: Any) -> None:
    frozen_clock(NOW)


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the provider unit in Team Ek (the staffer's team)."""
    return f.make_client(
        org.provider,
        first_name="Astrid",
        last_name="Lindqvist",
        teams=[org.team],
        street_address="Storgatan 1",
        postal_code="12345",
        city="Norrby",
    )


@pytest.fixture
def administrator(org: Organisation, user_factory: Any) -> Any:
    """Sees every client of the provider unit but may not write in the journal."""
    return user_factory("admin", RoleCode.ADMINISTRATOR, org.provider)


@pytest.fixture
def entry(astrid: Client, manager: Any) -> JournalEntry:
    return f.write_journal(manager, astrid, text=SECRET_TEXT, event_date=datetime.date(2024, 3, 1))


@pytest.fixture
def bertils_entry(bertil: Client, manager: Any) -> JournalEntry:
    return f.write_journal(manager, bertil, text="Bertil var på konsert.", event_date=datetime.date(2024, 3, 2))


def body(response: Any) -> str:
    return response.content.decode()


def journal_url(client: Client) -> str:
    return f"/brukare/{client.pk}/journal/"


def draft_url(client: Client) -> str:
    return f"/brukare/{client.pk}/journal/utkast/"


def pdf_url(client: Client) -> str:
    return f"/brukare/{client.pk}/akt.pdf"


def entry_url(entry: JournalEntry) -> str:
    return f"/journal/{entry.pk}/"


def objection_url(entry: JournalEntry) -> str:
    return f"/journal/{entry.pk}/invandning/"


def write_data(**overrides: Any) -> dict[str, Any]:
    return {
        "event_date": "2024-05-02",
        "category": f.category("halsa").pk,
        "text": "Brukaren mådde bra och åt lunch ute.",
        "rattar": "",
        "action": "signera",
        **overrides,
    }


def db_state() -> dict[str, Any]:
    """Everything the journal pages could change, to compare before and after a refused request."""
    return {
        "entries": sorted(JournalEntry.objects.values_list("pk", "text", "event_date", "corrects_id", "content_hash")),
        "objections": sorted(JournalObjection.objects.values_list("pk", "entry_id", "text")),
        "drafts": sorted(JournalDraft.objects.values_list("pk", "user_id", "client_id", "text")),
        "audit": AuditEvent.objects.count(),
    }


def reads(client: Client, action: str | None = None) -> int:
    entries = AccessLogEntry.objects.filter(client=client)
    return entries.filter(action=action).count() if action else entries.count()


def textarea(html: str) -> str:
    match = re.search(r'<textarea name="text"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, "the write form's textarea is missing"
    return match.group(1).strip()


@pytest.fixture
def urls() -> Any:
    """The URL of each page for a client and an entry, as the test parametrisations name them."""

    def build(page: str, client: Client, entry: JournalEntry) -> str:
        return {
            "journal": journal_url(client),
            "draft": draft_url(client),
            "pdf": pdf_url(client),
            "entry": entry_url(entry),
            "objection": objection_url(entry),
        }[page]

    return build


def test_urls_are_the_named_ones(astrid: Client, entry: JournalEntry) -> None:
    from django.urls import reverse

    assert reverse("care:journal", args=[astrid.pk]) == journal_url(astrid)
    assert reverse("care:journal_draft", args=[astrid.pk]) == draft_url(astrid)
    assert reverse("care:record_pdf", args=[astrid.pk]) == pdf_url(astrid)
    assert reverse("care:journal_entry", args=[entry.pk]) == entry_url(entry)
    assert reverse("care:journal_objection", args=[entry.pk]) == objection_url(entry)


# --- Anonymous ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["journal", "pdf", "entry"])
def test_anonymous_get_goes_to_login(astrid: Client, entry: JournalEntry, urls: Any, page: str) -> None:
    path = urls(page, astrid, entry)
    response = HttpClient().get(path)
    assert_login_redirect(response, path)
    assert SECRET_TEXT not in body(response)
    assert reads(astrid, AccessLogEntry.Action.JOURNAL) == 0


@pytest.mark.parametrize("page", ["journal", "draft", "objection"])
def test_anonymous_posts_change_nothing(astrid: Client, entry: JournalEntry, urls: Any, page: str) -> None:
    before = db_state()
    path = urls(page, astrid, entry)
    assert_login_redirect(HttpClient().post(path, write_data()), path)
    assert db_state() == before


# --- Signed in without permission ---------------------------------------------------------------------


@pytest.mark.parametrize(("page", "status"), [("journal", 404), ("entry", 404), ("pdf", 405)])
def test_no_role_is_refused(
    astrid: Client, entry: JournalEntry, nobody: Any, urls: Any, page: str, status: int
) -> None:
    response = browser(nobody).get(urls(page, astrid, entry))
    assert response.status_code == status
    assert SECRET_TEXT not in body(response)
    assert "Astrid" not in body(response)
    assert reads(astrid) == 1  # only the write of the entry itself


@pytest.mark.parametrize("page", ["journal", "draft", "objection"])
def test_no_role_posts_change_nothing(astrid: Client, entry: JournalEntry, nobody: Any, urls: Any, page: str) -> None:
    before = db_state()
    response = browser(nobody).post(urls(page, astrid, entry), write_data(text="Inte min brukare"))
    assert response.status_code == 404
    assert db_state() == before


def test_reader_without_journal_write_sees_no_form_and_cannot_write(
    astrid: Client, entry: JournalEntry, administrator: Any
) -> None:
    client = browser(administrator)
    html = body(client.get(journal_url(astrid)))
    assert SECRET_TEXT in html
    assert 'name="text"' not in html
    assert "Rätta" not in html
    entry_html = body(client.get(entry_url(entry)))
    assert SECRET_TEXT in entry_html
    assert "Registrera invändningen" not in entry_html
    before = db_state()
    assert client.post(journal_url(astrid), write_data()).status_code == 403
    assert client.post(draft_url(astrid), write_data()).status_code == 403
    assert client.post(objection_url(entry), {"text": "Fel"}).status_code == 403
    assert db_state() == before


def test_the_record_pdf_needs_view_all(
    astrid: Client, entry: JournalEntry, staffer: Any, nobody: Any, other_manager: Any, fetch_print: Any
) -> None:
    """An assistant sees Astrid (their team) but a request for the whole record is the managers' task; no role
    and another unit's manager are refused too. Nothing is queued, nothing read."""
    for user, status in ((staffer, 403), (nobody, 403), (other_manager, 404)):
        response = fetch_print(browser(user), pdf_url(astrid))
        assert response.status_code == status
        assert not response.content.startswith(b"%PDF") and "Astrid" not in body(response)
    assert not CareExport.objects.exists()
    assert reads(astrid, AccessLogEntry.Action.PRINT) == 0


# --- With permission ----------------------------------------------------------------------------------


def test_journal_lists_entries_newest_first_with_who_and_when(astrid: Client, manager: Any, staffer: Any) -> None:
    f.write_journal(manager, astrid, text="Den äldsta anteckningen.", event_date=datetime.date(2024, 1, 3))
    f.write_journal(staffer, astrid, text="Den nyaste anteckningen.", event_date=datetime.date(2024, 6, 1))
    f.write_journal(
        manager, astrid, text="Mittenanteckningen.", event_date=datetime.date(2024, 3, 3), category_code="halsa"
    )
    response = browser(manager).get(journal_url(astrid))
    assert response.status_code == 200
    html = body(response)
    assert html.index("Den nyaste") < html.index("Mittenanteckningen") < html.index("Den äldsta")
    assert "Händelsedatum 2024-06-01" in html
    assert f"Skriven {TODAY:%Y-%m-%d} kl." in html
    assert "av Assistent (Medarbetare)" in html
    assert "av Chef (Enhetschef)" in html
    assert "Hälsa och välbefinnande" in html
    assert "<h1>Journal för Astrid Lindqvist" in html
    assert 'name="text"' in html  # the manager may write
    assert f'action="{pdf_url(astrid)}"' in html
    assert reads(astrid, AccessLogEntry.Action.JOURNAL) == 1  # one read logged per page view
    log = AccessLogEntry.objects.get(client=astrid, action=AccessLogEntry.Action.JOURNAL)
    assert log.actor == manager


def test_write_an_entry(org: Organisation, astrid: Client, manager: Any) -> None:
    client = browser(manager)
    response = client.post(journal_url(astrid), write_data())
    assert response.status_code == 302
    assert response["Location"] == journal_url(astrid) + "?signerad=1"
    entry = JournalEntry.objects.get(client=astrid)
    assert (entry.event_date, entry.category.code, entry.text) == (
        datetime.date(2024, 5, 2),
        "halsa",
        "Brukaren mådde bra och åt lunch ute.",
    )
    assert (entry.author, entry.author_role, entry.unit, entry.corrects) == (manager, "Enhetschef", org.provider, None)
    assert services.journal_signature_valid(entry)
    assert AuditEvent.objects.filter(action="journal.create", object_id=str(entry.pk), actor=manager).count() == 1
    page = client.get(response["Location"])
    html = body(page)
    assert "Anteckningen från 2024-05-02 är signerad och sparad." in html
    assert "Brukaren mådde bra och åt lunch ute." in html
    assert 'data-autosave-clear="1"' in html  # autosave.js drops the browser copy after a signed save


def test_write_form_defaults_to_today_and_offers_current_categories(astrid: Client, manager: Any) -> None:
    JournalCategory.objects.filter(code="ovrigt").update(valid_to=TODAY)  # reference data ends
    html = body(browser(manager).get(journal_url(astrid)))
    assert f'name="event_date" value="{TODAY:%Y-%m-%d}"' in html
    form = html[html.index('id="journalformular"') : html.index("</form>", html.index('id="journalformular"'))]
    assert "Hälsa och välbefinnande" in form
    assert ">Övrigt<" not in form  # no longer valid: not offered for new entries
    assert 'hx-post="' + draft_url(astrid) + '"' in form
    assert 'hx-trigger="input changed delay:1s"' in form
    assert 'hx-target="#utkast-status"' in form
    assert "/static/care/autosave.js" in html
    assert "<script>" not in html  # CSP: no inline scripts
    assert "style=" not in html


def test_correct_an_entry(astrid: Client, entry: JournalEntry, manager: Any) -> None:
    client = browser(manager)
    form = body(client.get(journal_url(astrid), {"rattar": entry.pk}))
    assert "Rättelse av anteckning från" in form
    assert f'href="{entry_url(entry)}">2024-03-01</a>' in form
    assert f'name="rattar" value="{entry.pk}"' in form
    response = client.post(
        journal_url(astrid), write_data(rattar=str(entry.pk), text="Rättelse: resan var inte hemlig.")
    )
    assert response.status_code == 302
    correction = JournalEntry.objects.get(corrects=entry)
    assert correction.text == "Rättelse: resan var inte hemlig."
    original = JournalEntry.objects.get(pk=entry.pk)
    assert (original.text, original.content_hash) == (entry.text, entry.content_hash)
    html = body(client.get(journal_url(astrid)))
    assert f'Rättar anteckning från <a href="{entry_url(entry)}">2024-03-01</a>' in html
    assert "Har rättats" in html
    assert f'href="{entry_url(correction)}">rättelse skriven' in html
    assert SECRET_TEXT in html  # the original stays readable
    entry_html = body(client.get(entry_url(entry)))
    assert "Har rättats." in entry_html
    assert "Rättelse: resan var inte hemlig." in entry_html


def test_entry_page_shows_the_entry_and_logs_the_read(astrid: Client, entry: JournalEntry, staffer: Any) -> None:
    response = browser(staffer).get(entry_url(entry))
    assert response.status_code == 200
    html = body(response)
    assert SECRET_TEXT in html
    assert "Anteckningen har inte rättats." in html
    assert "Inga invändningar registrerade." in html
    assert 'name="text"' in html  # the objection form
    log = AccessLogEntry.objects.filter(client=astrid, action=AccessLogEntry.Action.JOURNAL).get()
    assert (log.actor, log.detail) == (staffer, f"anteckning {entry.pk}")


def test_record_an_objection(astrid: Client, entry: JournalEntry, staffer: Any) -> None:
    client = browser(staffer)
    response = client.post(objection_url(entry), {"text": "Brukaren säger att resan inte alls var hemlig."})
    assert response.status_code == 302
    assert response["Location"] == entry_url(entry)
    objection = JournalObjection.objects.get(entry=entry)
    assert (objection.text, objection.recorded_by) == ("Brukaren säger att resan inte alls var hemlig.", staffer)
    assert JournalEntry.objects.get(pk=entry.pk).text == SECRET_TEXT
    assert "Brukaren säger att resan inte alls var hemlig." in body(client.get(entry_url(entry)))
    journal_html = body(client.get(journal_url(astrid)))
    assert "Brukarens invändning:" in journal_html
    assert journal_html.index(SECRET_TEXT) < journal_html.index("Brukaren säger att resan")


def test_objection_bad_input(astrid: Client, entry: JournalEntry, staffer: Any) -> None:
    before = db_state()
    for text in ("", "   ", "a\x00b"):
        response = browser(staffer).post(objection_url(entry), {"text": text})
        assert response.status_code == 200
        assert "Brukarens invändning:" in body(response)  # the error names the field
    assert db_state() == before


def test_search_by_text_category_and_dates(astrid: Client, manager: Any) -> None:
    f.write_journal(manager, astrid, text="Promenad i parken.", event_date=datetime.date(2024, 2, 1))
    f.write_journal(
        manager, astrid, text="Besök hos tandläkaren.", event_date=datetime.date(2024, 4, 1), category_code="halsa"
    )
    f.write_journal(manager, astrid, text="Promenad vid sjön.", event_date=datetime.date(2024, 6, 1))
    client = browser(manager)

    def texts(**params: Any) -> list[str]:
        html = body(client.get(journal_url(astrid), params))
        return [t for t in ("parken", "tandläkaren", "sjön") if t in html]

    assert texts() == ["parken", "tandläkaren", "sjön"]
    assert texts(q="promenad") == ["parken", "sjön"]
    assert texts(q="promenad sjön") == ["sjön"]
    assert texts(kategori=f.category("halsa").pk) == ["tandläkaren"]
    assert texts(fran="2024-03-01") == ["tandläkaren", "sjön"]
    assert texts(till="2024-04-01") == ["parken", "tandläkaren"]
    assert texts(fran="2024-03-01", till="2024-05-01") == ["tandläkaren"]
    assert "Inga anteckningar matchar sökningen." in body(client.get(journal_url(astrid), {"q": "simhall"}))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fran": "2024-02-30"}, "Händelsedatum från:"),
        ({"till": "inte ett datum"}, "Händelsedatum till:"),
        ({"fran": "2024-05-01", "till": "2024-04-01"}, "Slutdatum får inte vara före startdatum."),
        ({"kategori": "999999999999999999999999"}, "Kategori:"),
        ({"kategori": "abc"}, "Kategori:"),
        ({"q": "a\x00b"}, "Sök i texten:"),
        ({"q": "x" * 500}, "Sök i texten:"),
    ],
)
def test_search_bad_input_is_explained(
    astrid: Client, entry: JournalEntry, manager: Any, params: dict[str, str], message: str
) -> None:
    response = browser(manager).get(journal_url(astrid), params)
    assert response.status_code == 200
    assert message in body(response)
    assert SECRET_TEXT in body(response)  # the filter is ignored, the journal still shows


@pytest.mark.parametrize("sida", ["2", "999999", "abc", "-1", "9" * 40])
def test_pagination_with_any_page_number(astrid: Client, manager: Any, sida: str) -> None:
    for day in range(1, 31):
        f.write_journal(manager, astrid, text=f"Dag nummer {day}.", event_date=datetime.date(2024, 1, day))
    response = browser(manager).get(journal_url(astrid), {"sida": sida})
    assert response.status_code == 200
    html = body(response)
    shown = len(re.findall(r"Dag nummer \d+\.", html))
    assert shown in (25, 5)
    if sida in ("2", "999999", "9" * 40):
        assert shown == 5
        assert "Dag nummer 1." in html
    assert "Sida " in html


def test_pagination_keeps_the_search(astrid: Client, manager: Any) -> None:
    for day in range(1, 28):
        f.write_journal(manager, astrid, text=f"Promenad {day}.", event_date=datetime.date(2024, 1, day))
    html = body(browser(manager).get(journal_url(astrid), {"q": "promenad", "rattar": "1"}))
    assert "?q=promenad&amp;sida=2" in html


def test_record_pdf(org: Organisation, astrid: Client, manager: Any, staffer: Any, fetch_print: Any) -> None:
    import pypdf

    client_services.client_contact_add(actor=SYSTEM, client=astrid, kind="god_man", name="Gunnar Godman")
    order = f.make_order(astrid, org.provider, goals="Kunna gå på bio.")
    plan = f.signed_plan(order, datetime.date(2024, 1, 20))
    f.review(plan, datetime.date(2024, 6, 1), client_view="Vill simma i stället")
    f.save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, datetime.date(2024, 2, 1))
    original = f.write_journal(
        staffer, astrid, text="Brukaren åkte till Göteborg.", event_date=datetime.date(2024, 3, 1)
    )
    f.write_journal(manager, astrid, text="Rättelse: det var Malmö.", corrects=original)
    services.journal_objection_record(actor=staffer, entry=original, text="Jag var i Lund.")

    response = fetch_print(browser(manager), pdf_url(astrid))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="registerutdrag-')
    assert "Astrid" not in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    for expected in (
        "Registerutdrag",
        "Astrid Lindqvist",
        astrid.personnummer_formatted,
        "Storgatan 1",
        "Gunnar Godman",
        "Ledsagarservice",
        "Genomförandeplan version 1",
        "Genomförandeplan version 2",
        "Vill simma i stället",
        "Krispärm",
        "Brukaren åkte till Göteborg.",
        "Rättelse: det var Malmö.",
        "Jag var i Lund.",
        "Har rättats",
    ):
        assert expected in flat, expected
    log = AccessLogEntry.objects.get(client=astrid, action=AccessLogEntry.Action.PRINT)
    assert (log.actor, log.unit) == (manager, org.provider)
    fetched = AccessLogEntry.objects.get(client=astrid, action="download")
    assert (fetched.actor, fetched.unit) == (manager, org.provider)


# --- With permission, but for another unit or team ----------------------------------------------------


@pytest.mark.parametrize("page", ["journal", "entry"])
def test_other_unit_manager_sees_nothing(
    astrid: Client, entry: JournalEntry, other_manager: Any, urls: Any, page: str
) -> None:
    response = browser(other_manager).get(urls(page, astrid, entry))
    assert response.status_code == 404
    assert SECRET_TEXT not in body(response)
    assert "Astrid" not in body(response)
    assert reads(astrid) == 1  # only the entry's own write


@pytest.mark.parametrize("page", ["journal", "draft", "objection"])
def test_other_unit_manager_changes_nothing(
    astrid: Client, entry: JournalEntry, other_manager: Any, urls: Any, page: str
) -> None:
    before = db_state()
    response = browser(other_manager).post(urls(page, astrid, entry), write_data(text="Fel brukare"))
    assert response.status_code == 404
    assert db_state() == before


def test_other_unit_manager_cannot_correct_our_entry_through_their_own_client(
    cecilia: Client, entry: JournalEntry, other_manager: Any
) -> None:
    client = browser(other_manager)
    html = body(client.get(journal_url(cecilia), {"rattar": entry.pk}))
    assert SECRET_TEXT not in html
    assert "Rättelse av anteckning" not in html
    before = db_state()
    response = client.post(journal_url(cecilia), write_data(rattar=str(entry.pk)))
    assert response.status_code == 200
    assert "finns inte eller så saknar du behörighet" in body(response)
    assert SECRET_TEXT not in body(response)
    assert db_state() == before


def test_assistant_writes_for_their_teams_client(astrid: Client, staffer: Any) -> None:
    response = browser(staffer).post(journal_url(astrid), write_data())
    assert response.status_code == 302
    entry = JournalEntry.objects.get(client=astrid)
    assert (entry.author, entry.author_role) == (staffer, "Medarbetare")


@pytest.mark.parametrize("page", ["journal", "entry"])
def test_assistant_cannot_read_another_teams_client(
    bertil: Client, bertils_entry: JournalEntry, staffer: Any, urls: Any, page: str
) -> None:
    response = browser(staffer).get(urls(page, bertil, bertils_entry))
    assert response.status_code == 404
    assert "Bertil" not in body(response)
    assert "konsert" not in body(response)
    assert reads(bertil, AccessLogEntry.Action.JOURNAL) == 0


@pytest.mark.parametrize("page", ["journal", "draft", "objection"])
def test_assistant_writes_nothing_for_another_teams_client(
    bertil: Client, bertils_entry: JournalEntry, staffer: Any, urls: Any, page: str
) -> None:
    before = db_state()
    response = browser(staffer).post(urls(page, bertil, bertils_entry), write_data(text="Fel brukare"))
    assert response.status_code == 404
    assert db_state() == before


def test_assistant_cannot_correct_another_teams_entry_through_their_own_client(
    astrid: Client, bertils_entry: JournalEntry, staffer: Any
) -> None:
    before = db_state()
    response = browser(staffer).post(journal_url(astrid), write_data(rattar=str(bertils_entry.pk)))
    assert response.status_code == 200
    assert "finns inte eller så saknar du behörighet" in body(response)
    assert "konsert" not in body(response)
    assert db_state() == before


# --- Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"event_date": TOMORROW.isoformat()}, "Händelsedatum: Händelsedatum kan inte ligga i framtiden."),
        ({"event_date": ""}, "Händelsedatum:"),
        ({"event_date": "2024-02-30"}, "Händelsedatum:"),
        ({"event_date": "99999-01-01"}, "Händelsedatum:"),
        ({"text": ""}, "Anteckning:"),
        ({"text": "   \n  "}, "Anteckning: Skriv anteckningen."),
        ({"text": "noll\x00tecken"}, "Anteckning:"),
        ({"category": ""}, "Kategori:"),
        ({"category": "999999999"}, "Kategori:"),
        ({"category": "9" * 30}, "Kategori:"),
        ({"rattar": "abc"}, "Anteckningen som skulle rättas kunde inte läsas."),
        ({"rattar": "9" * 30}, "Anteckningen som skulle rättas kunde inte läsas."),
        ({"rattar": "999999999"}, "finns inte eller så saknar du behörighet"),
    ],
)
def test_write_bad_input_is_explained_and_kept(
    astrid: Client, manager: Any, overrides: dict[str, str], message: str
) -> None:
    before = db_state()
    data = (
        write_data(text="Texten som ska finnas kvar.", **overrides)
        if "text" not in overrides
        else write_data(**overrides)
    )
    response = browser(manager).post(journal_url(astrid), data)
    assert response.status_code == 200
    html = body(response)
    assert message in html
    assert 'role="alert"' in html
    if "text" not in overrides:
        assert textarea(html) == "Texten som ska finnas kvar."  # the user's input is kept
    assert db_state() == before


def test_write_for_an_inactive_client(astrid: Client, manager: Any) -> None:
    client_services.client_update(actor=SYSTEM, client=astrid, expected_version=None, is_active=False)
    client = browser(manager)
    html = body(client.get(journal_url(astrid)))
    assert "Brukaren är inte aktiv. Journalen tar inte emot nya anteckningar." in html
    assert 'name="text"' not in html
    before = db_state()
    response = client.post(journal_url(astrid), write_data(text="Sent skriven text."))
    assert response.status_code == 200
    assert "Brukaren är inte aktiv" in body(response)
    assert textarea(body(response)) == "Sent skriven text."
    assert db_state() == before


def test_a_correction_of_another_clients_entry_is_refused(
    astrid: Client, bertils_entry: JournalEntry, manager: Any
) -> None:
    before = db_state()
    response = browser(manager).post(journal_url(astrid), write_data(rattar=str(bertils_entry.pk)))
    assert response.status_code == 200
    assert "finns inte eller så saknar du behörighet" in body(response)
    assert db_state() == before


def test_unknown_correction_target_in_the_link(astrid: Client, bertils_entry: JournalEntry, manager: Any) -> None:
    for value in (str(bertils_entry.pk), "abc", "9" * 30, "-4"):
        response = browser(manager).get(journal_url(astrid), {"rattar": value})
        assert response.status_code == 200
        assert "Rättelse av anteckning" not in body(response)
        assert "konsert" not in body(response)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_draft_and_objection_urls_take_only_post(
    astrid: Client, entry: JournalEntry, manager: Any, method: str
) -> None:
    client = browser(manager)
    assert getattr(client, method)(draft_url(astrid)).status_code == 405
    assert getattr(client, method)(objection_url(entry)).status_code == 405


# --- Autosave -----------------------------------------------------------------------------------------


def htmx_post(client: HttpClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, headers={"HX-Request": "true"})


def test_autosave_with_htmx_and_recovery_on_reload(astrid: Client, staffer: Any, manager: Any) -> None:
    client = browser(staffer)
    response = htmx_post(client, draft_url(astrid), write_data(text="Halvfärdig text om dagen", action=""))
    assert response.status_code == 200
    html = body(response)
    assert "<html" not in html
    assert re.search(r"Utkast sparat \d\d:\d\d", html)
    assert response["X-Bista-Draft"] == "saved"
    draft = JournalDraft.objects.get(user=staffer, client=astrid)
    assert (draft.text, draft.event_date, draft.category.code) == (
        "Halvfärdig text om dagen",
        datetime.date(2024, 5, 2),
        "halsa",
    )
    assert AuditEvent.objects.filter(action__startswith="journal").count() == 0  # a draft is not the record

    page = body(client.get(journal_url(astrid)))
    assert textarea(page) == "Halvfärdig text om dagen"
    assert "Ett sparat utkast från" in page
    assert "har återställts" in page
    assert 'name="event_date" value="2024-05-02"' in page
    assert f'<option value="{f.category("halsa").pk}" selected>' in page
    assert "Kasta utkast" in page
    assert re.search(r'data-server-draft="\d{13}"', page)

    # Another user does not see it.
    other = body(browser(manager).get(journal_url(astrid)))
    assert "Halvfärdig text" not in other
    assert "Ett sparat utkast" not in other

    # Signing removes the draft.
    assert client.post(journal_url(astrid), write_data(text="Halvfärdig text om dagen, nu klar.")).status_code == 302
    assert not JournalDraft.objects.filter(user=staffer, client=astrid).exists()
    after = body(client.get(journal_url(astrid)))
    assert "Ett sparat utkast" not in after
    assert textarea(after) == ""


def test_save_draft_without_javascript(astrid: Client, staffer: Any) -> None:
    client = browser(staffer)
    response = client.post(draft_url(astrid), write_data(text="Sparad med knappen", action="spara"))
    assert response.status_code == 302
    assert response["Location"] == journal_url(astrid)
    html = body(client.get(response["Location"]))
    assert re.search(r"Utkast sparat \d\d:\d\d", html)
    assert textarea(html) == "Sparad med knappen"
    assert not JournalEntry.objects.exists()


def test_a_draft_keeps_what_parses(astrid: Client, staffer: Any, entry: JournalEntry) -> None:
    response = htmx_post(
        browser(staffer),
        draft_url(astrid),
        {"event_date": "2024-02-", "category": "abc", "text": "Text med halvskrivet datum", "rattar": str(entry.pk)},
    )
    assert response.status_code == 200
    draft = JournalDraft.objects.get(user=staffer, client=astrid)
    assert (draft.text, draft.event_date, draft.category, draft.corrects) == (
        "Text med halvskrivet datum",
        None,
        None,
        entry,
    )
    page = body(browser(staffer).get(journal_url(astrid)))
    assert "Rättelse av anteckning från" in page  # the draft was a correction, and is restored as one
    assert f'name="event_date" value="{TODAY:%Y-%m-%d}"' in page


def test_a_draft_with_unreadable_text_is_refused(astrid: Client, staffer: Any) -> None:
    response = htmx_post(browser(staffer), draft_url(astrid), {"text": "noll\x00tecken"})
    assert response.status_code == 200
    assert "Utkastet kunde inte sparas" in body(response)
    assert response["X-Bista-Draft"] == "refused"
    assert not JournalDraft.objects.exists()


def test_a_draft_cannot_point_at_another_clients_entry(
    astrid: Client, bertils_entry: JournalEntry, staffer: Any
) -> None:
    htmx_post(browser(staffer), draft_url(astrid), {"text": "Utkast", "rattar": str(bertils_entry.pk)})
    assert JournalDraft.objects.get(user=staffer, client=astrid).corrects is None


def test_discard_the_draft(astrid: Client, staffer: Any) -> None:
    client = browser(staffer)
    services.journal_draft_save(actor=staffer, client=astrid, text="Ska bort")
    response = client.post(draft_url(astrid), {"action": "kasta", "text": "Ska bort"})
    assert response.status_code == 302
    assert response["Location"] == journal_url(astrid) + "?kastat=1"
    assert not JournalDraft.objects.exists()
    html = body(client.get(response["Location"]))
    assert "Utkastet är kastat." in html
    assert 'data-autosave-clear="1"' in html
    assert textarea(html) == ""


def test_draft_is_kept_per_user_and_client(astrid: Client, bertil: Client, manager: Any, staffer: Any) -> None:
    services.journal_draft_save(actor=manager, client=bertil, text="Chefens utkast om Bertil")
    services.journal_draft_save(actor=staffer, client=astrid, text="Assistentens utkast om Astrid")
    assert textarea(body(browser(manager).get(journal_url(astrid)))) == ""
    assert textarea(body(browser(manager).get(journal_url(bertil)))) == "Chefens utkast om Bertil"
    assert textarea(body(browser(staffer).get(journal_url(astrid)))) == "Assistentens utkast om Astrid"


# --- Protected identity -------------------------------------------------------------------------------


@pytest.fixture
def dolores(org: Organisation) -> Client:
    return f.make_client(
        org.provider,
        first_name="Dolores",
        last_name="Dold",
        teams=[org.team],
        protected_identity=True,
        street_address="Hemliga vägen 7",
        postal_code="11111",
        city="Okänd",
    )


def test_protected_client_shows_the_banner(dolores: Client, staffer: Any) -> None:
    entry = f.write_journal(staffer, dolores, text="Skyddad brukare, vanlig dag.")
    client = browser(staffer)
    for path in (journal_url(dolores), entry_url(entry)):
        html = body(client.get(path))
        assert 'class="banner-protected"' in html
        assert "Hemliga vägen" not in html
    log = AccessLogEntry.objects.filter(client=dolores, action=AccessLogEntry.Action.JOURNAL)
    assert log.count() == 2
    assert all(row.protected_identity for row in log)


def _pdf_text(response: Any) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_protected_client_pdf_hides_the_address_unless_in_the_group(
    org: Organisation, dolores: Client, manager: Any, fetch_print: Any
) -> None:
    f.write_journal(manager, dolores, text="Anteckning om en skyddad brukare.")
    text = _pdf_text(fetch_print(browser(manager), pdf_url(dolores)))
    assert "Hemliga vägen" not in text
    assert "Dold (skyddade personuppgifter)" in text
    assert "Anteckning om en skyddad brukare." in text
    client_services.protected_access_grant(actor=SYSTEM, unit=org.provider, user=manager)
    assert "Hemliga vägen 7" in _pdf_text(fetch_print(browser(manager), pdf_url(dolores)))
    prints = AccessLogEntry.objects.filter(client=dolores, action=AccessLogEntry.Action.PRINT)
    assert prints.count() == 2
    assert all(row.protected_identity for row in prints)


# --- Query budget -------------------------------------------------------------------------------------


def _fill(client: Client, author: Any, count: int) -> None:
    """`count` entries of which every fifth is corrected and every seventh has an objection."""
    for n in range(count):
        original = f.write_journal(
            author, client, text=f"Anteckning {n}.", event_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n)
        )
        if n % 5 == 0:
            f.write_journal(author, client, text=f"Rättelse av {n}.", corrects=original)
        if n % 7 == 0:
            services.journal_objection_record(actor=author, entry=original, text=f"Invändning {n}.")


JOURNAL_PAGE_QUERIES = 18


def test_journal_page_query_budget(astrid: Client, manager: Any, django_assert_num_queries: Any) -> None:
    _fill(astrid, manager, 60)  # 60 entries + 12 corrections + 9 objections
    client = browser(manager)
    client.get(journal_url(astrid))  # warm up the session
    with django_assert_num_queries(JOURNAL_PAGE_QUERIES):
        response = client.get(journal_url(astrid))
    html = body(response)
    assert len(re.findall(r'<article class="card"', html)) == 25
    assert "Har rättats" in html
    assert "Invändning" in html
    with django_assert_num_queries(JOURNAL_PAGE_QUERIES):
        assert client.get(journal_url(astrid), {"sida": "3"}).status_code == 200


def test_journal_page_queries_do_not_grow_with_the_journal(
    astrid: Client, bertil: Client, manager: Any, django_assert_num_queries: Any
) -> None:
    _fill(astrid, manager, 6)
    _fill(bertil, manager, 40)
    client = browser(manager)
    client.get(journal_url(astrid))
    with django_assert_num_queries(JOURNAL_PAGE_QUERIES):
        client.get(journal_url(astrid))
    with django_assert_num_queries(JOURNAL_PAGE_QUERIES):
        client.get(journal_url(bertil))


# --- Autosave in a real browser (htmx and autosave.js) ----------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium saknas (apt-get install chromium)")
def test_autosave_in_the_browser_survives_a_lost_session(live_server: Any, org: Organisation, staffer: Any) -> None:
    """Typing saves the draft on the server (htmx) and in the browser (autosave.js). When the session has
    ended, the server refuses and the browser copy is kept; after signing in again the newer browser copy is
    put back; after signing the entry the browser copy is gone."""
    astrid = f.make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team])
    url = f"{live_server.url}{journal_url(astrid)}"
    key = f"bista-journal-{staffer.pk}-{astrid.pk}"

    def sign_in(context: Any) -> None:
        session = HttpClient()
        session.force_login(staffer)
        cookie = session.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])

    from bista.core.tests.browser_support import launched

    with launched() as chromium:
        context = chromium.new_context()
        sign_in(context)
        page = context.new_page()
        page.goto(url)
        page.fill("#id_text", "Första meningen.")
        page.wait_for_selector("#utkast-status >> text=Utkast sparat")
        assert JournalDraft.objects.get(user=staffer, client=astrid).text == "Första meningen."
        assert "Första meningen." in page.evaluate(f"localStorage.getItem('{key}')")

        context.clear_cookies()  # the session ends (idle timeout) while the user keeps typing
        page.fill("#id_text", "Första meningen. Andra meningen, skriven efter utloggningen.")
        page.wait_for_selector("#utkast-status >> text=kunde inte sparas")
        assert JournalDraft.objects.get(user=staffer, client=astrid).text == "Första meningen."

        sign_in(context)
        page.goto(url)
        page.wait_for_selector("#utkast-status >> text=har återställts")
        assert page.input_value("#id_text") == "Första meningen. Andra meningen, skriven efter utloggningen."

        page.select_option("#id_category", label="Händelse")
        page.click("button[value=signera]")
        page.wait_for_selector("text=är signerad och sparad")
        assert JournalEntry.objects.get(client=astrid).text.endswith("skriven efter utloggningen.")
        page.wait_for_function(f"localStorage.getItem('{key}') === null")
        page.wait_for_function("!window.location.search.includes('signerad')")  # the one-off parameter goes
        page.reload()
        assert page.input_value("#id_text") == ""
