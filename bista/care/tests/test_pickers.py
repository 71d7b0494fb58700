"""Searchable pickers (core.pickers) on the order form: the client and the responsible deputy chosen by typing
part of a name. Without JavaScript the form searches on submit (one match is taken, several come back to choose
from, none is an error naming the field, nothing saved meanwhile); with JavaScript the listbox is filled from
the JSON search, which keeps to the same access rules and logs the clients it names. The responsible deputy is
only someone whose role grants care.responsible in the unit."""

from __future__ import annotations

from typing import Any

import pytest

from bista.care.models import Order
from bista.care.tests.factories import make_client, make_order
from bista.care.tests.test_views_orders import CREATE, create_data
from bista.clients.models import AccessLogEntry, Client
from bista.clients.pickers import picker_label
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

CLIENTS = "/sok/brukare/"
DEPUTIES = "/sok/ansvarig/"


@pytest.fixture
def deputy(org: Organisation) -> Any:
    return make_user("bitradande", RoleCode.DEPUTY_MANAGER, org.provider)


def _typed(data: dict[str, Any], name: str, text: str) -> dict[str, Any]:
    """The form as a browser without JavaScript posts it: the typed text, no chosen id."""
    return {**data, name: "", f"{name}_sok": text}


def test_one_match_of_the_typed_text_is_taken(org: Organisation, astrid: Client, manager: Any) -> None:
    make_client(org.provider, first_name="Bertil", last_name="Berglund", teams=[org.team])
    response = browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "client", "lindq"))
    assert response.status_code == 302
    assert Order.objects.get().client == astrid


def test_several_matches_come_back_to_choose_from_and_nothing_is_saved(
    org: Organisation, astrid: Client, manager: Any
) -> None:
    other = make_client(org.provider, first_name="Astrid", last_name="Andersson", teams=[org.team])
    data = _typed(create_data(org, astrid, manager), "client", "Astrid")
    response = browser(manager).post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 200 and not Order.objects.exists()
    assert "Brukare: 2 träffar på ”Astrid”. Välj en i listan." in html
    assert f'name="client_val" value="{astrid.pk}"' in html and f'name="client_val" value="{other.pk}"' in html
    assert "Andersson, Astrid" in html and "Lindqvist, Astrid" in html
    assert 'value="Astrid"' in html  # the typed text is kept

    response = browser(manager).post(CREATE, {**data, "client_val": str(other.pk)})
    assert response.status_code == 302
    assert Order.objects.get().client == other


def test_no_match_names_the_field(org: Organisation, astrid: Client, manager: Any) -> None:
    response = browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "client", "Zäta"))
    assert response.status_code == 200
    assert "Brukare: Ingen träff på ”Zäta”." in response.content.decode()
    assert not Order.objects.exists()


def test_a_client_the_user_may_not_see_is_never_matched(
    org: Organisation, astrid: Client, manager: Any, other_manager: Any
) -> None:
    make_client(org.other_unit, first_name="Cecilia", last_name="Carlsson")
    response = browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "client", "Cecilia"))
    assert "Ingen träff" in response.content.decode()


def test_the_chosen_id_is_kept_while_its_name_is_untouched(org: Organisation, astrid: Client, manager: Any) -> None:
    make_client(org.provider, first_name="Astrid", last_name="Andersson", teams=[org.team])
    data = {**create_data(org, astrid, manager), "client_sok": picker_label(astrid)}  # as picker.js leaves it
    assert browser(manager).post(CREATE, data).status_code == 302
    assert Order.objects.get().client == astrid


def test_the_form_shows_the_chosen_client_by_name(org: Organisation, astrid: Client, manager: Any) -> None:
    html = browser(manager).get(f"{CREATE}?client={astrid.pk}").content.decode()
    assert f'name="client_sok" value="{picker_label(astrid)}"' in html
    assert f'name="client" value="{astrid.pk}"' in html
    assert 'data-picker-url="/sok/brukare/"' in html
    assert "<select" not in html.split('name="client_sok"')[1].split("</div>")[0]


# --- The JSON search (picker.js) ---------------------------------------------------------------------------


def test_the_client_search_answers_what_the_user_may_see_and_logs_it(
    org: Organisation, astrid: Client, manager: Any, other_manager: Any
) -> None:
    answer = browser(manager).get(CLIENTS, {"q": "lind"})
    assert answer.status_code == 200
    assert answer.json() == {"results": [{"id": astrid.pk, "label": picker_label(astrid)}]}
    logged = AccessLogEntry.objects.get(actor=manager, client=astrid)
    assert (logged.unit_id, logged.detail) == (org.provider.pk, "sökväljare")

    assert browser(other_manager).get(CLIENTS, {"q": "lind"}).json() == {"results": []}
    assert not AccessLogEntry.objects.filter(actor=other_manager).exists()


def test_the_search_needs_two_characters_and_a_known_picker(astrid: Client, manager: Any) -> None:
    assert browser(manager).get(CLIENTS, {"q": "l"}).json() == {"results": []}
    assert browser(manager).get("/sok/okand/", {"q": "lind"}).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_the_search_is_refused_without_a_role(astrid: Client, nobody: Any) -> None:
    assert browser(nobody).get(CLIENTS, {"q": "lind"}).status_code == 403
    assert browser(None).get(CLIENTS, {"q": "lind"}).status_code == 302


def test_the_search_keeps_to_one_unit_when_asked(org: Organisation, astrid: Client, manager: Any) -> None:
    assert browser(manager).get(CLIENTS, {"q": "lind", "enhet": org.other_unit.pk}).json() == {"results": []}
    assert browser(manager).get(CLIENTS, {"q": "lind", "enhet": "x' or 1=1"}).json()["results"]


# --- The responsible deputy ----------------------------------------------------------------------------------


def test_only_deputies_and_managers_are_offered_as_responsible(
    org: Organisation, manager: Any, deputy: Any, staffer: Any
) -> None:
    staffer.first_name = "Bitte"
    staffer.save()
    found = browser(manager).get(DEPUTIES, {"q": "bit"}).json()["results"]
    assert [row["id"] for row in found] == [deputy.pk]  # the assistant "Bitte" is not offered
    assert browser(staffer).get(DEPUTIES, {"q": "bit"}).status_code == 403  # manages no orders


def test_an_assistant_typed_as_responsible_is_not_matched(
    org: Organisation, astrid: Client, manager: Any, deputy: Any, staffer: Any
) -> None:
    data = _typed(create_data(org, astrid, manager), "deputy", staffer.username)
    response = browser(manager).post(CREATE, data)
    assert "Ansvarig biträdande enhetschef: Ingen träff" in response.content.decode()
    response = browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "deputy", "bitradande"))
    assert response.status_code == 302
    assert Order.objects.get().deputy == deputy


def test_the_order_service_refuses_an_assistant_as_responsible(
    org: Organisation, astrid: Client, manager: Any, staffer: Any
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        make_order(astrid, org.provider, actor=manager, deputy=staffer)
    assert "deputy" in refused.value.message_dict


# --- Two people of the same name, and a search by number -----------------------------------------------------


def test_the_label_carries_the_date_of_birth_also_of_a_samordningsnummer() -> None:
    from bista.core.tests.api_support import fake_personnummer

    person = Client(first_name="Astrid", last_name="Lindqvist", personnummer=fake_personnummer("19840312"))
    assert picker_label(person) == "Lindqvist, Astrid (f. 1984-03-12)"
    coordinated = Client(first_name="Omar", last_name="Ali", personnummer=fake_personnummer("19910371"))
    assert picker_label(coordinated) == "Ali, Omar (f. 1991-03-11)"  # day 71 = the 11th


def test_two_clients_of_the_same_name_are_told_apart_and_found_by_number(
    org: Organisation, astrid: Client, manager: Any
) -> None:
    from bista.clients import services as client_services
    from bista.core.access import SYSTEM
    from bista.core.tests.api_support import fake_personnummer

    namesake = client_services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=fake_personnummer("20010615", 991),
        first_name="Astrid",
        last_name="Lindqvist",
        since=None,
        teams=[org.team],
        fictitious=True,
    )
    labels = [row["label"] for row in browser(manager).get(CLIENTS, {"q": "lindqvist"}).json()["results"]]
    assert len(labels) == 2 and len(set(labels)) == 2 and "Lindqvist, Astrid (f. 2001-06-15)" in labels
    # A part of the personnummer (with or without the hyphen) finds the one person.
    for typed in ("010615-9", "20010615", "lindq 0106"):
        found = browser(manager).get(CLIENTS, {"q": typed}).json()["results"]
        assert [row["id"] for row in found] == [namesake.pk], typed
    # Without JavaScript, the typed number is taken as one match on the form.
    response = browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "client", "20010615"))
    assert response.status_code == 302 and Order.objects.get().client == namesake
    # Three digits are part of no number: searched as a name, they match nobody.
    assert browser(manager).get(CLIENTS, {"q": "010"}).json() == {"results": []}


# --- What a form's picker names is logged; NUL is refused ------------------------------------------------------


def test_the_clients_a_form_picker_names_are_logged_as_read(org: Organisation, astrid: Client, manager: Any) -> None:
    """Without JavaScript the form itself names clients: the one taken, the matches offered, the one chosen
    shown again. Each is client data on the screen and is logged, as the JSON search logs its answers."""
    other = make_client(org.provider, first_name="Astrid", last_name="Andersson", teams=[org.team])
    browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "client", "Astrid"))
    named = set(AccessLogEntry.objects.filter(actor=manager, detail="sökväljare").values_list("client_id", flat=True))
    assert named == {astrid.pk, other.pk}
    before = AccessLogEntry.objects.count()  # the log is append-only
    browser(manager).get("/avvikelser/", {"brukare": astrid.pk})  # a list filtered on a client names it
    after = AccessLogEntry.objects.order_by("pk")[before:]
    assert [(row.actor_id, row.client_id) for row in after] == [(manager.pk, astrid.pk)]


def test_nul_in_a_picker_is_refused_on_the_field(org: Organisation, astrid: Client, manager: Any) -> None:
    assert browser(manager).get(CLIENTS, {"q": "li\x00nd"}).status_code == 400
    response = browser(manager).post(CREATE, _typed(create_data(org, astrid, manager), "client", "Lind\x00"))
    assert response.status_code == 200 and not Order.objects.exists()
    assert "Brukare: Texten innehåller otillåtna tecken." in response.content.decode()
    listed = browser(manager).get("/avvikelser/", {"brukare_sok": "a\x00"})
    assert listed.status_code == 200 and "Texten innehåller otillåtna tecken." in listed.content.decode()
