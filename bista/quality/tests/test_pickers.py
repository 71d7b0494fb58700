"""Searchable pickers (core.pickers) on the quality forms: the client of a deviation, a Lex Sarah report and a
complaint, and the person responsible for a deviation's action. Without JavaScript the typed text is searched
on submit: one match is taken, several come back to choose from (nothing saved), none is an error naming the
field. Only what the user may choose is ever matched; the JSON search (`/sok/person/`) keeps to the units
where the user handles quality work."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from bista.care.tests.factories import make_client
from bista.clients.models import Client
from bista.clients.pickers import picker_label
from bista.core.testing import Organisation
from bista.core.tests.pages import browser
from bista.quality import services
from bista.quality.models import Deviation, DeviationAction, Feedback, LexSarahReport, QualityCategory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
PEOPLE = "/sok/person/"


@pytest.fixture
def astrid(org: Organisation) -> Client:
    return make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team])


@pytest.fixture
def anna(org: Organisation) -> Client:
    """Another Astrid in the staffer's team."""
    return make_client(org.provider, first_name="Astrid", last_name="Andersson", teams=[org.team])


@pytest.fixture
def bertil(org: Organisation) -> Client:
    """A client of the unit outside the staffer's team."""
    return make_client(org.provider, first_name="Bertil", last_name="Berglund", teams=[org.other_team])


def _event(org: Organisation, text: str, **overrides: Any) -> dict[str, Any]:
    """A report as a browser without JavaScript posts it: the typed text, no chosen id."""
    return {
        "unit": org.provider.pk,
        "client": "",
        "client_sok": text,
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_time": "00:00",
        "what_happened": "Medicinen gavs en timme för sent.",
        **overrides,
    }


def _complaint(org: Organisation, text: str, **overrides: Any) -> dict[str, Any]:
    return {
        "unit": org.provider.pk,
        "kind": "complaint",
        "source": "relative",
        "sender_name": "Bo Lindqvist",
        "client": "",
        "client_sok": text,
        "category": QualityCategory.objects.get(group="feedback_staff", code="utebliven_insats").pk,
        "description": "Assistenten kom inte på lördagen",
        "received_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "other_provider": "",
        **overrides,
    }


# --- The client of a report --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "model"), [("/avvikelser/ny/", Deviation), ("/lex-sarah/ny/", LexSarahReport)])
def test_a_report_takes_the_one_client_matching(
    org: Organisation, staffer: Any, astrid: Client, bertil: Client, path: str, model: Any
) -> None:
    html = browser(staffer).get(path).content.decode()
    assert f'data-picker-url="/sok/brukare/?enhet={org.provider.pk}"' in html
    assert "Lindqvist" not in html  # no list of every client
    response = browser(staffer).post(path, _event(org, "lindq"))
    assert response.status_code == 302, response.content.decode()
    assert model.objects.get().client == astrid


@pytest.mark.parametrize("path", ["/avvikelser/ny/", "/lex-sarah/ny/"])
def test_a_report_offers_several_matches_and_saves_nothing(
    org: Organisation, staffer: Any, astrid: Client, anna: Client, path: str
) -> None:
    data = _event(org, "Astrid")
    response = browser(staffer).post(path, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Deviation.objects.exists() and not LexSarahReport.objects.exists()
    assert "Brukare: 2 träffar på ”Astrid”. Välj en i listan." in html
    assert f'name="client_val" value="{astrid.pk}"' in html and f'name="client_val" value="{anna.pk}"' in html

    assert browser(staffer).post(path, {**data, "client_val": str(anna.pk)}).status_code == 302
    assert (Deviation.objects.first() or LexSarahReport.objects.get()).client == anna


def test_a_report_names_the_field_when_nothing_matches(org: Organisation, staffer: Any, bertil: Client) -> None:
    for text in ("Zäta", "Bertil"):  # nobody, and a client outside the staffer's team
        response = browser(staffer).post("/avvikelser/ny/", _event(org, text))
        assert response.status_code == 200
        assert f"Brukare: Ingen träff på ”{text}”." in response.content.decode()
    assert not Deviation.objects.exists()


def test_a_report_without_a_client_leaves_the_picker_empty(org: Organisation, staffer: Any) -> None:
    assert browser(staffer).post("/avvikelser/ny/", _event(org, "")).status_code == 302
    assert Deviation.objects.get().client is None


def test_a_report_from_the_client_card_shows_the_client_chosen(org: Organisation, staffer: Any, astrid: Client) -> None:
    html = browser(staffer).get(f"/avvikelser/ny/?client={astrid.pk}").content.decode()
    assert f'name="client_sok" value="{picker_label(astrid)}"' in html
    assert f'name="client" value="{astrid.pk}"' in html


def test_a_complaint_takes_its_client_by_name(
    org: Organisation, manager: Any, astrid: Client, anna: Client, bertil: Client
) -> None:
    several = browser(manager).post("/synpunkter/ny/", _complaint(org, "Astrid"))
    assert "Brukare: 2 träffar på ”Astrid”." in several.content.decode()
    assert browser(manager).post("/synpunkter/ny/", _complaint(org, "Zäta")).status_code == 200
    assert not Feedback.objects.exists()
    assert browser(manager).post("/synpunkter/ny/", _complaint(org, "bergl")).status_code == 302
    assert Feedback.objects.get().client == bertil


# --- The person responsible for an action -------------------------------------------------------------------


@pytest.fixture
def deviation(org: Organisation, manager: Any) -> Deviation:
    return services.deviation_report(
        actor=manager,
        unit=org.provider,
        client=None,
        what_happened="Nyckeln saknades.",
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
    )


def _action(text: str) -> dict[str, Any]:
    return {"description": "Ny rutin", "owner": "", "owner_sok": text, "due_on": "2030-01-01"}


def test_an_action_owner_is_picked_by_name(
    org: Organisation, manager: Any, staffer: Any, other_manager: Any, deviation: Deviation
) -> None:
    path = f"/avvikelser/{deviation.pk}/atgarder/"
    html = browser(manager).get(path).content.decode()
    assert f'data-picker-url="/sok/person/?enhet={org.provider.pk}"' in html
    none = browser(manager).post(path, _action(other_manager.username))  # another unit's manager
    assert "Ansvarig: Ingen träff" in none.content.decode()
    several = browser(manager).post(path, _action("e"))  # "chef" and "assistent" both hold an e
    assert "Ansvarig: 2 träffar på ”e”." in several.content.decode()
    assert not DeviationAction.objects.exists()
    assert browser(manager).post(path, _action("assistent")).status_code == 302
    assert DeviationAction.objects.get().owner == staffer


def test_the_person_search_keeps_to_the_units_the_user_handles(
    org: Organisation, manager: Any, staffer: Any, other_manager: Any
) -> None:
    found = browser(manager).get(PEOPLE, {"q": "assist"}).json()["results"]
    assert [row["id"] for row in found] == [staffer.pk]
    assert browser(other_manager).get(PEOPLE, {"q": "assist"}).json() == {"results": []}
    assert browser(manager).get(PEOPLE, {"q": "assist", "enhet": org.other_unit.pk}).json() == {"results": []}
    assert browser(staffer).get(PEOPLE, {"q": "chef"}).status_code == 403  # handles no quality work
    assert browser(None).get(PEOPLE, {"q": "chef"}).status_code == 302
