"""The order pages (list, register, card, correct, record a step), each four ways: anonymous, signed in
without permission, with permission, and with permission but in another unit. Plus a medarbetare who reads
but may not change, bad input, the optimistic version, the deadlines and the list's query budget."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.care.models import ImplementationPlan, Order, OrderEvent, PlanActivity
from bista.care.tests.factories import make_client, make_order, service, signed_plan, step
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.pages import assert_login_redirect, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

LIST = "/bestallningar/"
CREATE = "/bestallningar/ny/"
# Session and user (2), the access map (2), the filters' units, deputies and teams (3), count and page (2),
# and the session saved on every request (savepoint, update, release: 3).
ORDER_LIST_QUERIES = 9


@pytest.fixture
def order(org: Organisation, astrid: Client, manager: Any) -> Order:
    return make_order(
        astrid,
        org.provider,
        goals="Att kunna gå på bio.",
        special_considerations="Rädd för hundar.",
        case_officer="Hanna Handläggare",
        deputy=manager,
        team=org.team,
    )


def body(response: Any) -> str:
    return response.content.decode()


def db_state() -> dict[str, Any]:
    """Everything an order page could change, to compare before and after a refused request."""
    return {
        "orders": sorted(
            Order.objects.values_list(
                "pk", "client_id", "status", "scope_amount", "goals", "first_contact_on", "executed_on", "version"
            )
        ),
        "events": OrderEvent.objects.count(),
        "plans": ImplementationPlan.objects.count(),
        "activities": PlanActivity.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def reads(client: Client) -> int:
    return AccessLogEntry.objects.filter(client=client).count()


def create_data(org: Organisation, person: Client, deputy: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "client": person.pk,
        "unit": org.provider.pk,
        "service": service("lss_9_4").pk,
        "decision_date": "2024-03-01",
        "received_on": "2024-03-05",
        "scope_amount": "12.5",
        "scope_unit": Order.ScopeUnit.MONTH,
        "period_start": "2024-03-01",
        "period_end": "",
        "goals": "Bryta isolering.",
        "special_considerations": "",
        "contacts": "God man Gunnar, 070-111 11 11",
        "case_officer": "Hanna Handläggare",
        "follow_up_on": "2025-03-01",
        "deputy": deputy.pk,
        "team": org.team.pk,
        **overrides,
    }


def edit_data(order: Order, **overrides: Any) -> dict[str, Any]:
    data = {
        "service": order.service_id,
        "decision_date": order.decision_date.isoformat(),
        "received_on": order.received_on.isoformat(),
        "scope_amount": str(order.scope_amount),
        "scope_unit": order.scope_unit,
        "period_start": order.period_start.isoformat(),
        "period_end": order.period_end.isoformat() if order.period_end else "",
        "goals": order.goals,
        "special_considerations": order.special_considerations,
        "contacts": order.contacts,
        "case_officer": order.case_officer,
        "follow_up_on": order.follow_up_on.isoformat() if order.follow_up_on else "",
        "deputy": order.deputy_id or "",
        "team": order.team_id or "",
        "version": order.version,
    }
    data.update(overrides)
    return data


def select_options(html: str, name: str) -> list[str]:
    """The values offered by the <select> named `name` (the empty choice left out)."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, name
    return [value for value in re.findall(r'<option value="([^"]*)"', match.group(1)) if value]


def step_data(order: Order, step: str = OrderEvent.Kind.FIRST_CONTACT, **overrides: Any) -> dict[str, Any]:
    return {"step": step, "on": "2024-01-20", "note": "Hembesök.", "version": order.version, **overrides}


def paths(order: Order) -> dict[str, str]:
    return {
        "list": LIST,
        "create": CREATE,
        "detail": f"/bestallningar/{order.pk}/",
        "edit": f"/bestallningar/{order.pk}/andra/",
    }


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "create", "detail", "edit"])
def test_anonymous_get_goes_to_login(order: Order, page: str) -> None:
    path = paths(order)[page]
    response = HttpClient().get(path)
    assert_login_redirect(response, path)
    assert "Astrid" not in body(response)
    assert reads(order.client) == 0


def test_anonymous_posts_change_nothing(org: Organisation, order: Order, manager: Any) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path, data in [
        (CREATE, create_data(org, order.client, manager)),
        (f"/bestallningar/{order.pk}/andra/", edit_data(order, goals="Ändrat")),
        (f"/bestallningar/{order.pk}/steg/", step_data(order)),
    ]:
        assert_login_redirect(anonymous.post(path, data), path)
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(("page", "status"), [("list", 403), ("create", 403), ("detail", 404), ("edit", 404)])
def test_no_role_is_refused(order: Order, nobody: Any, page: str, status: int) -> None:
    response = browser(nobody).get(paths(order)[page])
    assert response.status_code == status
    assert "Astrid" not in body(response)
    assert "bio" not in body(response)
    assert reads(order.client) == 0


def test_no_role_posts_change_nothing(org: Organisation, order: Order, nobody: Any, manager: Any) -> None:
    before = db_state()
    client = browser(nobody)
    assert client.post(CREATE, create_data(org, order.client, manager)).status_code == 403
    assert client.post(f"/bestallningar/{order.pk}/andra/", edit_data(order, goals="Ändrat")).status_code == 404
    assert client.post(f"/bestallningar/{order.pk}/steg/", step_data(order)).status_code == 404
    assert db_state() == before


def test_medarbetare_reads_the_order_of_a_team_client_without_buttons(
    order: Order, bertil: Client, staffer: Any
) -> None:
    other = make_order(bertil, order.unit, service_code="lss_9_5")
    client = browser(staffer)
    listing = body(client.get(LIST))
    assert "Lindqvist, Astrid" in listing
    assert "Berglund" not in listing
    assert CREATE not in listing
    detail = client.get(f"/bestallningar/{order.pk}/")
    assert detail.status_code == 200
    html = body(detail)
    assert "Att kunna gå på bio." in html
    assert f"/bestallningar/{order.pk}/andra/" not in html
    assert f"/bestallningar/{order.pk}/steg/" not in html
    assert "/plan/ny/" not in html
    assert client.get(f"/bestallningar/{other.pk}/").status_code == 404
    assert reads(bertil) == 0


@pytest.mark.parametrize("page", ["create", "edit"])
def test_medarbetare_cannot_reach_manager_pages(order: Order, staffer: Any, page: str) -> None:
    response = browser(staffer).get(paths(order)[page])
    assert response.status_code == 403
    assert "Rädd för hundar" not in body(response)


def test_medarbetare_posts_change_nothing(org: Organisation, order: Order, staffer: Any, manager: Any) -> None:
    before = db_state()
    client = browser(staffer)
    assert client.post(CREATE, create_data(org, order.client, manager)).status_code == 403
    assert client.post(f"/bestallningar/{order.pk}/andra/", edit_data(order, goals="Ändrat")).status_code == 403
    assert client.post(f"/bestallningar/{order.pk}/steg/", step_data(order)).status_code == 403
    assert db_state() == before


# --- With permission --------------------------------------------------------------------------------


def test_list_with_permission(org: Organisation, order: Order, bertil: Client, cecilia: Client, manager: Any) -> None:
    make_order(bertil, org.provider, service_code="lss_9_5")
    make_order(cecilia, org.other_unit)
    response = browser(manager).get(LIST)
    assert response.status_code == 200
    html = body(response)
    assert "Lindqvist, Astrid" in html
    assert "Berglund, Bertil" in html
    assert "Cecilia" not in html
    assert "Ledsagarservice" in html
    assert "2024-01-15" in html and "2024-01-10" in html
    assert "Mottagen" in html
    assert "Team Ek" in html
    assert f'href="{CREATE}"' in html


def test_list_filters(org: Organisation, order: Order, bertil: Client, manager: Any) -> None:
    ended = make_order(bertil, org.provider, service_code="lss_9_5")
    step(ended, OrderEvent.Kind.ENDED, datetime.date(2024, 2, 1))
    client = browser(manager)

    def names(**params: Any) -> set[str]:
        html = body(client.get(LIST, params))
        return {name for name in ("Astrid", "Bertil") if name in html}

    assert names() == {"Astrid", "Bertil"}
    assert names(oppna="on") == {"Astrid"}
    assert names(status="ended") == {"Bertil"}
    assert names(ansvarig=manager.pk) == {"Astrid"}
    assert names(arbetsgrupp=org.team.pk) == {"Astrid"}
    assert names(arbetsgrupp=org.other_team.pk) == set()
    assert names(enhet=org.provider.pk) == {"Astrid", "Bertil"}
    assert names(client=bertil.pk) == {"Bertil"}


@pytest.mark.parametrize(
    "params",
    [{"enhet": "abc"}, {"status": "nonsense"}, {"ansvarig": "9" * 30}, {"client": "-1"}, {"sida": "x"}],
)
def test_list_bad_filters_are_not_errors(order: Order, manager: Any, params: dict[str, str]) -> None:
    response = browser(manager).get(LIST, params)
    assert response.status_code == 200


def test_list_query_budget_does_not_grow_with_orders(
    org: Organisation, order: Order, manager: Any, django_assert_num_queries: Any
) -> None:
    client = browser(manager)
    client.get(LIST)  # warm the session
    with django_assert_num_queries(ORDER_LIST_QUERIES):
        assert client.get(LIST).status_code == 200
    for index in range(8):
        extra = make_client(org.provider, first_name=f"Extra{index}", teams=[org.other_team])
        make_order(extra, org.provider, deputy=manager, team=org.other_team)
    with django_assert_num_queries(ORDER_LIST_QUERIES):
        response = client.get(LIST)
    assert body(response).count("/bestallningar/") >= 9


def test_create_form_offers_only_own_clients_units_and_teams(
    org: Organisation, astrid: Client, cecilia: Client, manager: Any
) -> None:
    html = body(browser(manager).get(CREATE, {"client": astrid.pk}))
    assert "Lindqvist, Astrid" in html
    assert f'name="client" value="{astrid.pk}"' in html  # the picker holds the chosen client
    assert "Cecilia" not in html
    assert "Team Lönn" not in html
    assert select_options(html, "unit") == [str(org.provider.pk)]
    assert "Ledsagarservice" in html


def test_create_with_permission(org: Organisation, astrid: Client, manager: Any) -> None:
    response = browser(manager).post(CREATE, create_data(org, astrid, manager))
    order = Order.objects.get(client=astrid)
    assert response.status_code == 302
    assert response["Location"] == f"/bestallningar/{order.pk}/"
    assert order.service.code == "lss_9_4"
    assert (order.decision_date, order.received_on) == (datetime.date(2024, 3, 1), datetime.date(2024, 3, 5))
    assert str(order.scope_amount) == "12.50"
    assert (order.deputy, order.team, order.status) == (manager, org.team, Order.Status.RECEIVED)
    assert order.events.get().kind == OrderEvent.Kind.RECEIVED
    assert AuditEvent.objects.filter(action="order.create", actor=manager, object_id=str(order.pk)).count() == 1


def test_create_received_before_decision_names_the_field_and_saves_nothing(
    org: Organisation, astrid: Client, manager: Any
) -> None:
    before = db_state()
    response = browser(manager).post(
        CREATE, create_data(org, astrid, manager, decision_date="2024-03-10", received_on="2024-03-01")
    )
    assert response.status_code == 200
    html = body(response)
    assert "Beställningen mottagen: Beställningen kan inte ha tagits emot före beslutsdatum." in html
    assert 'id="id_received_on_fel"' in html
    assert 'value="Hanna Handläggare"' in html  # the input is kept
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "label"),
    [
        ({"scope_amount": "0"}, "Omfattning"),
        ({"scope_amount": "abc"}, "Omfattning"),
        ({"period_end": "2024-02-01"}, "Beslutsperiod till"),
        ({"decision_date": "2024-13-45"}, "Beslutsdatum"),
        ({"received_on": f"{LATER_YEAR}-01-01", "decision_date": f"{LATER_YEAR}-01-01"}, "Beställningen mottagen"),
        ({"service": "9" * 30}, "Insats"),
        ({"client": ""}, "Brukare"),
    ],
)
def test_create_bad_input_names_the_field(
    org: Organisation, astrid: Client, manager: Any, overrides: dict[str, str], label: str
) -> None:
    before = db_state()
    response = browser(manager).post(CREATE, create_data(org, astrid, manager, **overrides))
    assert response.status_code == 200
    assert f"{label}:" in body(response)
    assert db_state() == before


def test_create_with_a_deputy_outside_the_unit_is_refused(
    org: Organisation, astrid: Client, manager: Any, other_manager: Any
) -> None:
    before = db_state()
    response = browser(manager).post(CREATE, create_data(org, astrid, other_manager))
    assert response.status_code == 200
    assert "Ansvarig biträdande enhetschef:" in body(response)
    assert db_state() == before


def test_detail_with_permission(order: Order, manager: Any) -> None:
    signed = signed_plan(order, datetime.date(2024, 1, 25))
    response = browser(manager).get(f"/bestallningar/{order.pk}/")
    assert response.status_code == 200
    html = body(response)
    for text in ("Ledsagarservice", "LSS 9 § 3", "Rädd för hundar.", "Hanna Handläggare", "Team Ek"):
        assert text in html
    # The timeline: received, then the plan established.
    timeline = html[html.index('id="handelser"') :]
    assert timeline.index("2024-01-15</time> – <strong>Mottagen") < timeline.index(
        "2024-01-25</time> – <strong>Genomförandeplan upprättad"
    )
    # Deadlines: first contact 2 weeks after receipt (not done: late), plan within 14 days of receipt (done in
    # time on 2024-01-25), execution within 3 months of the decision.
    assert "2024-01-29" in html
    assert "2024-04-10" in html
    assert "Försenad" in html
    assert "Utförd i tid" in html
    assert f'href="/planer/{signed.pk}/"' in html
    assert f'href="/brukare/{order.client_id}/"' in html
    assert f'href="/brukare/{order.client_id}/journal/"' in html
    assert f'href="/brukare/{order.client_id}/parmar/"' in html
    assert f'action="/planer/{signed.pk}/uppfoljning/"' in html
    assert "Följ upp planen" in html
    assert "Upprätta genomförandeplan" not in html
    assert 'name="version"' in html


def test_detail_offers_a_plan_when_there_is_none(order: Order, manager: Any) -> None:
    html = body(browser(manager).get(f"/bestallningar/{order.pk}/"))
    assert f'href="/bestallningar/{order.pk}/plan/ny/"' in html
    assert "Följ upp planen" not in html


def test_detail_is_a_logged_read(order: Order, manager: Any) -> None:
    browser(manager).get(f"/bestallningar/{order.pk}/")
    entry = AccessLogEntry.objects.get(client=order.client)
    assert (entry.actor, entry.action) == (manager, AccessLogEntry.Action.CARE)


def test_edit_with_permission(order: Order, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/bestallningar/{order.pk}/andra/")
    assert form.status_code == 200
    assert f'name="version" value="{order.version}"' in body(form)
    response = client.post(f"/bestallningar/{order.pk}/andra/", edit_data(order, goals="Nya mål", scope_amount="8"))
    assert response.status_code == 302
    assert response["Location"] == f"/bestallningar/{order.pk}/"
    order.refresh_from_db()
    assert (order.goals, str(order.scope_amount), order.version) == ("Nya mål", "8.00", 2)
    assert AuditEvent.objects.filter(action="order.update", actor=manager).count() == 1


def test_edit_bad_input_saves_nothing(order: Order, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        f"/bestallningar/{order.pk}/andra/", edit_data(order, received_on="2024-01-01", goals="Inte sparat")
    )
    assert response.status_code == 200
    assert "Beställningen mottagen:" in body(response)
    assert "Inte sparat" in body(response)
    assert db_state() == before


def test_edit_conflict_keeps_both(order: Order, manager: Any, user_factory: Any, org: Organisation) -> None:
    colleague = user_factory("kollega", "enhetschef", org.provider)
    mine, theirs = browser(manager), browser(colleague)
    assert mine.get(f"/bestallningar/{order.pk}/andra/").status_code == 200
    assert theirs.get(f"/bestallningar/{order.pk}/andra/").status_code == 200
    stale = edit_data(order)
    assert theirs.post(f"/bestallningar/{order.pk}/andra/", edit_data(order, goals="Kollegans mål")).status_code == 302
    response = mine.post(f"/bestallningar/{order.pk}/andra/", {**stale, "goals": "Mina mål"})
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert "Mina mål" in html  # my input is still in the form
    assert "Kollegans mål" in html  # and the saved value is shown to compare
    order.refresh_from_db()
    assert (order.goals, order.version) == ("Kollegans mål", 2)


def test_step_with_permission(order: Order, manager: Any) -> None:
    response = browser(manager).post(f"/bestallningar/{order.pk}/steg/", step_data(order))
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.first_contact_on) == (Order.Status.FIRST_CONTACT, datetime.date(2024, 1, 20))
    event = order.events.get(kind=OrderEvent.Kind.FIRST_CONTACT)
    assert (event.note, event.recorded_by) == ("Hembesök.", manager)
    html = body(browser(manager).get(f"/bestallningar/{order.pk}/"))
    assert "Hembesök." in html
    # First contact is done: it is no longer offered as a step.
    assert 'value="first_contact"' not in html


def test_step_offers_only_steps_that_can_follow(order: Order, manager: Any) -> None:
    html = body(browser(manager).get(f"/bestallningar/{order.pk}/"))
    assert 'value="first_contact"' in html
    assert 'value="executed"' in html
    assert 'value="interrupted"' not in html
    assert 'value="resumed"' not in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"on": "2024-01-01"}, "Datumet kan inte vara före det att beställningen togs emot."),
        ({"on": f"{LATER_YEAR}-01-01"}, "Datumet kan inte ligga i framtiden."),
        ({"step": "resumed"}, "Steg:"),
        ({"on": ""}, "Datum:"),
    ],
)
def test_step_bad_input_is_a_form_error(order: Order, manager: Any, overrides: dict[str, str], message: str) -> None:
    before = db_state()
    response = browser(manager).post(f"/bestallningar/{order.pk}/steg/", step_data(order, **overrides))
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_step_with_a_stale_version_is_a_conflict(order: Order, manager: Any) -> None:
    stale = step_data(order)
    step(order, OrderEvent.Kind.EXECUTED, datetime.date(2024, 2, 1))
    before = db_state()
    response = browser(manager).post(f"/bestallningar/{order.pk}/steg/", stale)
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert "Hembesök." in html
    assert db_state() == before


def test_step_get_is_not_allowed(order: Order, manager: Any) -> None:
    assert browser(manager).get(f"/bestallningar/{order.pk}/steg/").status_code == 405


# --- With permission, but in another unit -----------------------------------------------------------


def test_list_in_another_unit_shows_nothing_of_ours(
    org: Organisation, order: Order, cecilia: Client, other_manager: Any
) -> None:
    make_order(cecilia, org.other_unit)
    client = browser(other_manager)
    for params in ({}, {"enhet": org.provider.pk}, {"client": order.client_id}, {"ansvarig": order.deputy_id}):
        response = client.get(LIST, params)
        assert response.status_code == 200
        assert "Astrid" not in body(response)
        assert "Lindqvist" not in body(response)
    assert "Cecilia" in body(client.get(LIST))
    assert reads(order.client) == 0


@pytest.mark.parametrize("page", ["detail", "edit"])
def test_order_pages_in_another_unit_are_not_found(order: Order, other_manager: Any, page: str) -> None:
    response = browser(other_manager).get(paths(order)[page])
    assert response.status_code == 404
    assert "Astrid" not in body(response)
    assert "bio" not in body(response)
    assert reads(order.client) == 0


def test_posts_in_another_unit_change_nothing(org: Organisation, order: Order, other_manager: Any) -> None:
    before = db_state()
    client = browser(other_manager)
    assert client.post(f"/bestallningar/{order.pk}/andra/", edit_data(order, goals="X")).status_code == 404
    assert client.post(f"/bestallningar/{order.pk}/steg/", step_data(order)).status_code == 404
    # Registering an order for our client in our unit: neither is among the choices.
    response = client.post(CREATE, create_data(org, order.client, other_manager, team=""))
    assert response.status_code == 200
    assert "Brukare:" in body(response)
    assert "Enhet:" in body(response)
    assert "Astrid" not in body(response)
    assert db_state() == before
    assert reads(order.client) == 0


def test_create_form_in_another_unit_does_not_offer_our_client(astrid: Client, other_manager: Any) -> None:
    html = body(browser(other_manager).get(CREATE, {"client": astrid.pk}))
    assert "Astrid" not in html
    assert reads(astrid) == 0
