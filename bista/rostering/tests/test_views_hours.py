"""Hours per person against the contract and per client against the decision, four ways, with the
80/90/100 % alert written in text and the page's query budget."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.care.models import Order
from bista.core.testing import Organisation
from bista.core.tests.pages import assert_login_redirect, browser
from bista.rostering.tests import factories as f
from bista.rostering.tests.test_views_common import (  # noqa: F401 - fixtures
    Unit,
    at,
    cecilia_fixture,
    controller_fixture,
    text,
    unit_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

HOURS = "/schema/timmar/?manad=2030-03"
# Session and user (2), the access map (2), the units (1); per employee: the employees, the regimes, their
# terms, teams and rates, and the shifts (6); per client: the shifts inside the period summed and those across
# its edges (2), the unit's clients and their orders, the clients (3), which of them the user may name (1); the
# session saved (3); the teams of the employees and of the clients, for the groups (2); the data version of the
# kept hours (1: after a write the hours are read as above; until the next write their 5 reads are skipped).
HOURS_QUERIES = 20


def test_hours_anonymous() -> None:
    assert_login_redirect(HttpClient().get(HOURS))


def test_hours_refused_without_permission(nobody: Any, unit: Unit) -> None:
    assert browser(nobody).get(HOURS).status_code == 403
    assert browser(unit.worker_user).get(HOURS).status_code == 403


def test_hours_per_person_and_client(manager: Any, org: Organisation, unit: Unit) -> None:
    f.shift(unit.anna, unit.client, at(0, 7), 8)
    f.shift(unit.anna, unit.client, at(1, 7), 8, status="draft")
    response = browser(manager).get(HOURS)
    assert response.status_code == 200
    page = text(response)
    assert "Timmar mars 2030" in page
    assert "Per arbetsgrupp" in page and f"{org.team.name} – " in page
    html = response.content.decode()
    assert "medarbetare mot avtal" in html and "brukare mot beslut" in html
    assert "Berg, Anna" in page and "Wiklund, Wilma" in page
    assert "Lindqvist, Astrid" in page
    # Anna: 8 published hours; the draft is shown apart.
    assert "Avtalad tid" in page and "Övertid/mertid" in page and "Timavlönad tid" in page
    assert "Föregående månad" in page and "manad=2030-02" in response.content.decode()


def test_hours_alert_is_text(manager: Any, org: Organisation, unit: Unit) -> None:
    """A client with a small decision whose hours are used shows the alert in words, not colour alone."""
    small = f.make_client(org.provider, "Sigrid", "Små", teams=[org.team])
    f.make_order(small, org.provider, scope_amount=10, scope_unit=Order.ScopeUnit.MONTH, team=org.team)
    f.shift(unit.anna, small, at(0, 8), 9)
    page = text(browser(manager).get(HOURS))
    assert "Minst 90 % av beviljad tid använd" in page
    f.shift(unit.anna, small, at(2, 8), 2)
    assert "100 % eller mer av beviljad tid använd" in text(browser(manager).get(HOURS))


def test_hours_controller_reads(controller: Any, unit: Unit) -> None:
    assert browser(controller).get(HOURS).status_code == 200


def test_hours_of_another_unit_not_shown(other_manager: Any, unit: Unit, cecilia: Any) -> None:
    f.shift(unit.anna, unit.client, at(0, 7), 8)
    response = browser(other_manager).get(f"{HOURS}&enhet={unit.anna.unit_id}")
    assert response.status_code == 200
    page = text(response)
    assert "Berg" not in page and "Lindqvist" not in page


def test_hours_bad_month_is_a_message(manager: Any, unit: Unit) -> None:
    response = browser(manager).get("/schema/timmar/?manad=2030-13")
    assert response.status_code == 200
    assert "Ange månaden som ÅÅÅÅ-MM" in text(response)


def test_hours_query_budget(manager: Any, org: Organisation, unit: Unit, django_assert_num_queries: Any) -> None:
    http = browser(manager)
    f.shift(unit.anna, unit.client, at(0, 7), 8)
    with django_assert_num_queries(HOURS_QUERIES):
        assert http.get(HOURS).status_code == 200
    extra = f.make_employee(org.provider, "Extra", "Person", teams=[org.team])
    f.shift(extra, unit.client, at(1, 7), 8)
    f.shift(unit.worker, unit.other_team_client, at(2, 7), 8)
    with django_assert_num_queries(HOURS_QUERIES):
        assert http.get(HOURS).status_code == 200


def test_hours_are_grouped_per_team_collapsed_unless_an_alert(manager: Any, org: Organisation, unit: Unit) -> None:
    f.make_employee(org.provider, "Ola", "Ensam", teams=[])
    f.shift(unit.anna, unit.client, at(0, 7), 8)
    html = browser(manager).get(HOURS).content.decode()
    groups = re.findall(r'<details id="grupp-\d+" class="group"( open)?>\s*<summary><h3[^>]*>([^<]+)</h3>', html)
    assert [name for _, name in groups] == [*sorted([org.team.name, org.other_team.name]), "Utan arbetsgrupp"]
    assert all(opened == "" for opened, _ in groups)  # nothing needs the reader: every team collapsed
    assert html.index("Ensam, Ola") > html.index("Utan arbetsgrupp")
    small = f.make_client(org.provider, "Sigrid", "Små", teams=[org.team])
    f.make_order(small, org.provider, scope_amount=10, scope_unit=Order.ScopeUnit.MONTH, team=org.team)
    f.shift(unit.anna, small, at(2, 8), 9)
    html = browser(manager).get(HOURS).content.decode()
    opened = re.findall(r'<details id="grupp-\d+" class="group" open>\s*<summary><h3[^>]*>([^<]+)</h3>', html)
    assert opened == [org.team.name]


def test_the_client_card_shows_hours_against_the_decision(
    manager: Any, org: Organisation, unit: Unit, frozen_clock: Any
) -> None:
    frozen_clock(at(7, 12))
    f.shift(unit.anna, unit.client, at(0, 7), 8)
    f.shift(unit.anna, unit.client, at(1, 7), 8, status="draft")  # a draft is not scheduled yet
    html = browser(manager).get(f"/brukare/{unit.client.pk}/").content.decode()
    assert "Timmar mot beslut" in html and 'id="timmar-' in html
    march = html[html.index(">mars 2030<") :]
    # Scheduled 8,0 h in March (the draft not counted), linked to the month's Timmar.
    assert "8,0 h" in march[: march.index("</tr>")]
    assert f"/schema/timmar/?enhet={org.provider.pk}&amp;manad=2030-03" in html
    assert "Schemalagt, mar 30: 8,0 h" in html
