"""The searchable client picker (core.pickers) on the intake form's "Befintlig brukare": typed part of a name,
without JavaScript one match is taken, several come back to choose from (nothing saved, and no demand for a
new client's personnummer meanwhile), none is an error naming the field; only clients the officer may see."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.casework.models import Case, Intake
from bista.casework.tests import factories as f
from bista.clients.models import Client
from bista.core.testing import Organisation
from bista.core.tests.api_support import session_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
INTAKE = "/arenden/aktualisering/"


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def clients(org: Organisation) -> dict[str, Client]:
    """Two Berglunds and an Ek at the purchaser, registered through earlier intakes."""
    made = {}
    for key, (birth, number, first, last) in {
        "sigrid": ("19800512", 982, "Sigrid", "Berglund"),
        "sven": ("19750101", 984, "Sven", "Berglund"),
        "erik": ("19600606", 986, "Erik", "Ek"),
    }.items():
        intake = f.register(org.purchaser, new_client=f.new_client(birth, number, first_name=first, last_name=last))
        made[key] = intake.case.client
    return made


def _data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    """The form as a browser without JavaScript posts it: the typed text, no chosen id, no new client."""
    return {
        "unit": org.purchaser.pk,
        "client": "",
        "client_sok": "",
        "personnummer": "",
        "first_name": "",
        "last_name": "",
        "kind": "application",
        "sender": "person",
        "received_on": "2024-03-04",
        "channel": "letter",
        "requested": "Ledsagarservice",
        **overrides,
    }


@pytest.fixture(autouse=True)
def _spring(frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime(2024, 4, 10, 9, tzinfo=datetime.UTC))


def test_the_form_offers_a_picker_not_a_list_of_every_client(
    org: Organisation, officer: Any, clients: dict[str, Client]
) -> None:
    html = session_client(officer).get(INTAKE).content.decode()
    assert f'data-picker-url="/sok/brukare/?enhet={org.purchaser.pk}"' in html
    assert 'name="client_sok"' in html
    assert "Berglund" not in html and "Ek, Erik" not in html  # no names until searched


def test_one_match_is_taken(org: Organisation, officer: Any, clients: dict[str, Client]) -> None:
    before = Client.objects.count()
    response = session_client(officer).post(INTAKE, _data(org, client_sok="ek"))
    assert response.status_code == 302, response.content.decode()
    intake = Intake.objects.latest("pk")
    assert intake.case.client == clients["erik"]
    assert Client.objects.count() == before  # no new client


def test_several_matches_come_back_to_choose_from_and_nothing_is_saved(
    org: Organisation, officer: Any, clients: dict[str, Client]
) -> None:
    cases = Case.objects.count()
    data = _data(org, client_sok="Berglund")
    response = session_client(officer).post(INTAKE, data)
    html = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == cases
    assert "Befintlig brukare: 2 träffar på ”Berglund”. Välj en i listan." in html
    for key in ("sigrid", "sven"):
        assert f'name="client_val" value="{clients[key].pk}"' in html
    assert "måste fyllas i för en ny brukare" not in html  # a search to settle, not a new client

    response = session_client(officer).post(INTAKE, {**data, "client_val": str(clients["sven"].pk)})
    assert response.status_code == 302
    assert Intake.objects.latest("pk").case.client == clients["sven"]


def test_no_match_names_the_field(org: Organisation, officer: Any, clients: dict[str, Client]) -> None:
    cases = Case.objects.count()
    response = session_client(officer).post(INTAKE, _data(org, client_sok="Zäta"))
    assert response.status_code == 200
    assert "Befintlig brukare: Ingen träff på ”Zäta”." in response.content.decode()
    assert Case.objects.count() == cases


def test_a_client_of_another_unit_is_never_matched(org: Organisation, officer: Any) -> None:
    from bista.care.tests.factories import make_client

    make_client(org.provider, first_name="Cecilia", last_name="Carlsson")
    response = session_client(officer).post(INTAKE, _data(org, client_sok="Cecilia"))
    assert "Befintlig brukare: Ingen träff" in response.content.decode()
    assert not Case.objects.exists()


def test_an_empty_picker_still_registers_a_new_client(org: Organisation, officer: Any) -> None:
    new = f.new_client("19900909", 988, first_name="Nora", last_name="Ny")
    data = _data(org, personnummer=new["personnummer"], first_name="Nora", last_name="Ny")
    assert session_client(officer).post(INTAKE, data).status_code == 302
    assert Intake.objects.get().case.client.first_name == "Nora"
    response = session_client(officer).post(INTAKE, _data(org))
    assert "Personnummer: Personnummer måste fyllas i för en ny brukare" in response.content.decode()
