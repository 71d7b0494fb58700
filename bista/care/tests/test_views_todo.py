""" "Att göra" (care:todo) four ways — anonymous, no permission, permission, another unit — in its three
scopes (mine, team, unit), the three sections with their counts, bad query strings, the query budget, and
the counts on the start page. Data is built through the services with dates relative to today."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bista.care.models import Order
from bista.care.tests import factories as f
from bista.clients.models import AccessLogEntry, Client
from bista.core.duties import duties_for
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import LOGIN, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

TODO = reverse("care:todo")


def ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def body(response: Any) -> str:
    return response.content.decode()


def section(html: str, heading: str) -> str:
    """The part of the page under the section heading `heading` (up to the next section)."""
    start = html.index(f">{heading} (")
    end = html.find("<section", start)
    return html[start : end if end != -1 else len(html)]


@pytest.fixture
def deputy(org: Organisation) -> Any:
    return make_user("bitr", RoleCode.DEPUTY_MANAGER, org.provider)


@pytest.fixture
def world(
    org: Organisation, manager: Any, deputy: Any, other_manager: Any, astrid: Client, bertil: Client, cecilia: Client
) -> dict[str, Order]:
    """Astrid's order (manager responsible, Team Ek): first contact and plan 16 days late.
    Bertil's order (deputy responsible, Team Björk): first contact and plan due in 4 days.
    Bertil's older order: first contact made 6 days late, plan overdue.
    Cecilia's order in the other district (other_manager responsible): overdue."""
    late = f.make_order(astrid, org.provider, decision_date=ago(35), received_on=ago(30), deputy=manager, team=org.team)
    soon = f.make_order(bertil, org.provider, decision_date=ago(12), received_on=ago(10), deputy=deputy)
    done_late = f.make_order(bertil, org.provider, decision_date=ago(61), received_on=ago(60), deputy=deputy)
    f.step(done_late, "first_contact", ago(40))
    other = f.make_order(cecilia, org.other_unit, decision_date=ago(35), received_on=ago(30), deputy=other_manager)
    return {"late": late, "soon": soon, "done_late": done_late, "other": other}


def db_state() -> dict[str, Any]:
    return {
        "orders": sorted(Order.objects.values_list("pk", "status", "version")),
        "audit": AuditEvent.objects.count(),
    }


# --- Four ways ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?team=1", "?unit=1"])
def test_anonymous_is_sent_to_login(world: dict[str, Order], query: str) -> None:
    response = HttpClient().get(TODO + query)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert "Astrid" not in body(response)


def test_without_permission_is_refused(org: Organisation, world: dict[str, Order], nobody: Any) -> None:
    client = browser(nobody)
    for query in ("", f"?team={org.team.pk}", f"?unit={org.provider.pk}"):
        response = client.get(TODO + query)
        assert response.status_code == 403
        assert "Astrid" not in body(response)


def test_mine_shows_my_duties_in_three_sections(org: Organisation, world: dict[str, Order], manager: Any) -> None:
    before = db_state()
    response = browser(manager).get(TODO)
    assert response.status_code == 200
    html = body(response)
    overdue = section(html, "Försenade")
    assert "Försenade (2)" in html
    assert overdue.count(">Astrid Lindqvist</a>") == 2
    assert "Första kontakt: Ledsagarservice" in overdue
    assert "Genomförandeplan: Ledsagarservice" in overdue
    assert "16 dagar för sent" in overdue
    assert f'href="{reverse("clients:card", args=[world["late"].client_id])}"' in overdue
    assert f'href="{reverse("care:order_detail", args=[world["late"].pk])}"' in overdue
    assert "Åtgärda" in overdue
    assert f"{ago(16):%Y-%m-%d}" in overdue
    # Bertil's duties are the deputy's, Cecilia's another district's: not mine.
    assert "Bertil" not in html
    assert "Cecilia" not in html
    assert "Förfaller snart (0)" in html
    assert "Utfört för sent (0)" in html
    assert "<caption>" in overdue and '<th scope="col">Förfallodag</th>' in overdue
    assert db_state() == before


def test_unit_scope_shows_every_duty_of_the_unit(org: Organisation, world: dict[str, Order], manager: Any) -> None:
    html = body(browser(manager).get(f"{TODO}?unit={org.provider.pk}"))
    assert "Att göra för Enheten för personligt stöd" in html
    overdue, soon, late = (section(html, h) for h in ("Försenade", "Förfaller snart", "Utfört för sent"))
    assert overdue.count(">Astrid Lindqvist</a>") == 2
    assert overdue.count(">Bertil Berglund</a>") == 1  # the older order's plan, due 14 days after first contact
    assert soon.count(">Bertil Berglund</a>") == 2
    assert "om 4 dagar" in soon
    assert late.count(">Bertil Berglund</a>") == 1
    assert "6 dagar för sent" in late
    assert f"{ago(40):%Y-%m-%d}" in late
    assert "Cecilia" not in html


def test_deputy_sees_own_duties_as_mine(org: Organisation, world: dict[str, Order], deputy: Any) -> None:
    html = body(browser(deputy).get(TODO))
    assert "Förfaller snart (2)" in html
    assert "Utfört för sent (1)" in html
    assert "Astrid" not in html


def test_team_scope(org: Organisation, world: dict[str, Order], manager: Any) -> None:
    html = body(browser(manager).get(f"{TODO}?team={org.team.pk}"))
    assert "Att göra för Team Ek" in html
    assert section(html, "Försenade").count(">Astrid Lindqvist</a>") == 2
    assert "Bertil" not in section(html, "Försenade")


def test_team_member_sees_own_team_only(org: Organisation, world: dict[str, Order], staffer: Any) -> None:
    client = browser(staffer)
    mine = body(client.get(TODO))
    assert "Försenade (0)" in mine
    assert "Team Ek" in mine  # offered as a scope
    team = client.get(f"{TODO}?team={org.team.pk}")
    assert team.status_code == 200
    assert section(body(team), "Försenade").count(">Astrid Lindqvist</a>") == 2
    assert "Bertil" not in body(team)
    for query in (f"?team={org.other_team.pk}", f"?unit={org.provider.pk}"):
        refused = client.get(TODO + query)
        assert refused.status_code == 403
        assert "Bertil" not in body(refused)


def test_another_units_manager_sees_nothing_of_ours(
    org: Organisation, world: dict[str, Order], other_manager: Any
) -> None:
    before = db_state()
    logged = AccessLogEntry.objects.count()
    client = browser(other_manager)
    mine = body(client.get(TODO))
    assert "Cecilia Carlsson" in mine
    assert "Astrid" not in mine and "Bertil" not in mine
    assert "Team Ek" not in mine
    for query in (f"?unit={org.provider.pk}", f"?team={org.team.pk}", f"?team={org.other_team.pk}"):
        response = client.get(TODO + query)
        assert response.status_code == 403
        assert "Astrid" not in body(response) and "Bertil" not in body(response)
    assert db_state() == before
    assert AccessLogEntry.objects.count() == logged


@pytest.mark.parametrize("query", ["?team=abc", "?unit=-1", "?team=0", "?unit=99999999999999999999999", "?team=1.5"])
def test_malformed_scope_is_not_found(world: dict[str, Order], manager: Any, query: str) -> None:
    assert browser(manager).get(TODO + query).status_code == 404


def test_unknown_team_or_unit_is_refused_like_a_foreign_one(manager: Any) -> None:
    client = browser(manager)
    assert client.get(f"{TODO}?team=987654").status_code == 403
    assert client.get(f"{TODO}?unit=987654").status_code == 403


def test_post_is_not_allowed(manager: Any) -> None:
    assert browser(manager).post(TODO).status_code == 405


def test_page_loads_no_javascript_inline(world: dict[str, Order], manager: Any) -> None:
    html = body(browser(manager).get(TODO))
    assert "<script>" not in html
    assert "style=" not in html


# --- Query budget ---------------------------------------------------------------------------------------

# Besides the duty sources' own queries (bista.core.duties: the rule book and each registered source, pinned
# in test_duties): session, user, memberships, grants, (for a team: the user's teams and the team), visible
# clients (for "Mina"), the user's teams and the units for the scope links, and the session save (three
# statements). None of it grows with the number of duties.
TODO_OVERHEAD = 12


def _duty_queries(org: Organisation) -> int:
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        duties_for([org.provider.pk], today=today, done_since=today - datetime.timedelta(days=90))
    return len(queries)


def _add_orders(org: Organisation, manager: Any, count: int) -> None:
    for n in range(count):
        client = f.make_client(org.provider, first_name=f"Namn{n}", last_name="Efternamn", teams=[org.team])
        order = f.make_order(client, org.provider, decision_date=ago(100), received_on=ago(30), deputy=manager)
        f.step(order, "first_contact", ago(10))  # six days late; plan due soon; execution overdue


@pytest.mark.parametrize("query", ["", "?unit={unit}", "?team={team}"])
def test_query_budget(org: Organisation, manager: Any, django_assert_max_num_queries: Any, query: str) -> None:
    url = TODO + query.format(unit=org.provider.pk, team=org.team.pk)
    client = browser(manager)
    _add_orders(org, manager, 1)
    client.get(url)  # warm up: content types, session
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _add_orders(org, manager, 9)
    budget = _duty_queries(org) + TODO_OVERHEAD
    with django_assert_max_num_queries(budget):
        html = body(client.get(url))
    assert html.count("Efternamn</a>") == 30  # ten clients, three duties each
    with CaptureQueriesContext(connection) as ten:
        client.get(url)
    assert len(one) == len(ten) <= budget


# --- Start page -------------------------------------------------------------------------------------------


def test_start_page_counts(org: Organisation, world: dict[str, Order], manager: Any) -> None:
    html = body(browser(manager).get(reverse("overview:start")))
    box = html[html.index('id="att-gora"') :]
    box = box[: box.index("</section>")]
    assert f'href="{TODO}"' in box and "Mina uppgifter" in box
    assert f'href="{TODO}?unit={org.provider.pk}"' in box
    rows = [row for row in box.split("<tr>")[2:]]
    mine, unit = rows
    assert [c.split("</td>")[0] for c in mine.split('<td class="num">')[1:]] == ["2", "0", "0"]
    assert [c.split("</td>")[0] for c in unit.split('<td class="num">')[1:]] == ["3", "2", "1"]


def test_start_page_of_team_member_has_mine_only(org: Organisation, world: dict[str, Order], staffer: Any) -> None:
    html = body(browser(staffer).get(reverse("overview:start")))
    assert "Mina uppgifter" in html
    assert f"?unit={org.provider.pk}" not in html


def test_start_page_without_role_has_no_box(world: dict[str, Order], nobody: Any) -> None:
    html = body(browser(nobody).get(reverse("overview:start")))
    assert 'id="att-gora"' not in html


def test_start_page_of_other_unit(org: Organisation, world: dict[str, Order], other_manager: Any) -> None:
    html = body(browser(other_manager).get(reverse("overview:start")))
    box = html[html.index('id="att-gora"') :]
    assert f"?unit={org.provider.pk}" not in box
    assert f"?unit={org.other_unit.pk}" in box


# --- A long list, and the kept sections -------------------------------------------------------------------


def test_a_long_section_shows_its_most_urgent_rows_and_links_to_the_whole_section(
    org: Organisation, manager: Any
) -> None:
    from bista.care.views.todo import ROWS_SHOWN

    _add_orders(org, manager, ROWS_SHOWN + 3)
    url = f"{TODO}?unit={org.provider.pk}"
    html = body(browser(manager).get(url))
    overdue = section(html, "Försenade")
    assert f"Försenade ({ROWS_SHOWN + 3})" in html
    assert overdue.count("Efternamn</a>") == ROWS_SHOWN
    assert f'href="{url}&amp;alla=forsenade#forsenade"' in overdue and f"Visa alla ({ROWS_SHOWN + 3})" in overdue

    whole = body(browser(manager).get(f"{url}&alla=forsenade"))
    assert section(whole, "Försenade").count("Efternamn</a>") == ROWS_SHOWN + 3
    assert "alla=forsenade" not in section(whole, "Försenade")
    assert section(whole, "Förfaller snart").count("Efternamn</a>") == ROWS_SHOWN  # the others stay cut
    # Mine links to the whole section without a scope; an unknown section is the cut page.
    mine = body(browser(manager).get(TODO))
    assert f'href="{TODO}?alla=forsenade#forsenade"' in mine
    assert body(browser(manager).get(f"{url}&alla=okänd")).count("Efternamn</a>") == body(
        browser(manager).get(url)
    ).count("Efternamn</a>")


def _lists_part(html: str) -> str:
    """The figures and sections (the kept part), without the page around them (its CSRF token changes)."""
    return html[html.index('<dl class="figures">') : html.index("</main>")]


def test_the_kept_sections_equal_fresh_ones_after_every_kind_of_change(
    org: Organisation, manager: Any, astrid: Client
) -> None:
    """The sections' HTML is kept per data version and viewer (bista.care.views.todo): after each change, the
    page through the cache equals the page computed with the cache emptied, in every scope."""
    from django.core.cache import caches

    from bista.clients import services as client_services
    from bista.core.access import SYSTEM
    from bista.core.datacache import CACHE
    from bista.core.models import DutyRule, RoleGrant
    from bista.core.permissions import Perm
    from bista.staff.tests.support import add_delegation, hire

    unit = f"{TODO}?unit={org.provider.pk}"
    urls = [TODO, unit, f"{TODO}?team={org.team.pk}", f"{unit}&alla=kommande"]
    state: dict[str, Any] = {}

    def pages(fresh: bool) -> list[str]:
        result = []
        for url in urls:
            if fresh:
                caches[CACHE].clear()
            result.append(_lists_part(body(browser(manager).get(url))))
        return result

    def new_order() -> None:
        state["order"] = f.make_order(
            astrid, org.provider, decision_date=ago(35), received_on=ago(30), deputy=manager, team=org.team
        )

    def first_contact() -> None:
        state["order"] = f.step(state["order"], "first_contact", ago(1))

    def renamed() -> None:
        client = Client.objects.get(pk=astrid.pk)
        client_services.client_update(actor=SYSTEM, client=client, expected_version=client.version, last_name="Lind")

    def delegation() -> None:
        add_delegation(hire(org.provider, "Eva", "Berg", start=ago(400)), ago(300), ago(-5))

    def staff_view_withdrawn() -> None:  # reference data changed without an audit event: in the viewer's key
        RoleGrant.objects.filter(role__code=RoleCode.UNIT_MANAGER, permission__code=Perm.EMPLOYEE_VIEW).update(
            valid_to=ago(1)
        )

    def rule_changed() -> None:  # the rule book, edited by hand: in the key
        DutyRule.objects.filter(code="care.first_contact").update(amount=10, unit=DutyRule.Unit.WEEKS)

    before = pages(fresh=True)
    assert pages(fresh=False) == before
    for change in (new_order, first_contact, renamed, delegation, staff_view_withdrawn, rule_changed):
        assert pages(fresh=False) == before  # the state before the change is kept
        change()
        kept = pages(fresh=False)
        after = pages(fresh=True)
        assert after != before, f"{change.__name__} changed no page: the step proves nothing"
        assert kept == after, change.__name__
        before = after
