"""The indicators page /schema/nyckeltal/ and its drill-down: access four ways, what each reader sees,
bad input, and a query budget that does not grow with the number of shifts.

The data are the hand-computed fixtures of test_indicators (shifts and absences made with the ORM, see
there why)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from bista.clients.models import AccessLogEntry
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.rostering.models import Shift
from bista.rostering.tests.test_indicators import (
    People,
    add_shift,
    at,
    hours,
    make_continuity_data,
    make_sick_leave_data,
    make_worked_data,
)

JANUARY_SICK = "48,9 %"  # 23 h of 47 h (see make_sick_leave_data)


# Two-factor sign-in is tested in core; here it would only redirect.
pytestmark = pytest.mark.usefixtures("no_two_factor")


@pytest.fixture
def people(org: Organisation) -> People:
    found = People(org)
    make_sick_leave_data(found)
    make_worked_data(found)
    make_continuity_data(found)
    return found


@pytest.fixture
def controller(org: Organisation) -> Any:
    """Sees the roster and its figures (roster.view) but neither absences nor clients."""
    return make_user("kontroll", RoleCode.CONTROLLER, org.provider)


def url(**params: Any) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("rostering:indicators") + (f"?{query}" if query else "")


def page(client: Any, user: Any, **params: Any) -> Any:
    client.force_login(user)
    return client.get(url(**params))


# --- Access, four ways ------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client: Any, people: People) -> None:
    for address in (url(), url(ar=2024, underlag="sick_leave", period="2024-01")):
        response = client.get(address)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "logga-in" in response["Location"]


def test_no_permission_is_refused(client: Any, people: People, nobody: Any) -> None:
    assert page(client, nobody).status_code == 403
    assert page(client, nobody, ar=2024, underlag="sick_leave", period="2024-01").status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_manager_sees_the_units_figures(client: Any, people: People, manager: Any) -> None:
    response = page(client, manager, ar=2024)
    assert response.status_code == 200
    text = response.content.decode()
    assert JANUARY_SICK in text
    assert "47,1 %" in text  # February: 16 h of 34 h
    assert "72,7 %" in text and "Över målet" in text  # hourly-paid share in May: 8 h of 11 h, above 19 %
    assert "23,0 h" in text  # overtime 2024: 10 h in January, 3 h in May, 10 h in October
    assert "66,7 %" in text  # women's sick leave in February: 16 h of 24 h, rounded half up
    assert "underlag=sick_leave&amp;period=2024-01&amp;kon=K" in text
    assert "Karin" not in text  # the overview names nobody


def test_each_figure_has_a_chart_per_month_linked_to_its_records(client: Any, people: People, manager: Any) -> None:
    text = page(client, manager, ar=2024).content.decode()
    for code in ("sick_leave", "hourly_paid_share", "overtime_hours", "staff_continuity"):
        assert f'id="diagram-{code}"' in text
    chart = text[text.index('id="diagram-sick_leave"') :]
    chart = chart[: chart.index("</svg>")]
    # February's point for all staff: 16 h of 34 h, written as on the table, linked to its records.
    assert '<a href="?enhet=' in chart and "underlag=sick_leave&amp;period=2024-02" in chart
    assert "Totalt, feb: 47,1 %" in chart
    assert "style=" not in chart


def test_other_units_manager_is_refused_the_unit_and_sees_only_their_own(
    client: Any, people: People, other_manager: Any
) -> None:
    provider = people.org.provider.pk
    assert page(client, other_manager, enhet=provider, ar=2024).status_code == 403
    drill = page(client, other_manager, enhet=provider, ar=2024, underlag="sick_leave", period="2024-01")
    assert drill.status_code == 403
    own = page(client, other_manager, ar=2024)
    assert own.status_code == 200
    assert JANUARY_SICK not in own.content.decode()
    assert "100,0 %" in own.content.decode()  # Lena: 8 h sick of 8 h scheduled in January
    assert not AccessLogEntry.objects.exists()


def test_post_is_not_allowed(client: Any, manager: Any) -> None:
    client.force_login(manager)
    assert client.post(url()).status_code == 405


# --- The drill-down ---------------------------------------------------------------------------------------------


def test_manager_sees_who_was_sick_and_the_reads_are_logged(client: Any, people: People, manager: Any) -> None:
    response = page(client, manager, ar=2024, underlag="sick_leave_days_1_14", period="2024-02")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Karin Testsson" in text
    assert "dag 14" in text and "dag 15" not in text  # only the day-14 shift is behind February's figure
    assert "8,0 h" in text and "34,0 h" in text  # numerator and denominator
    assert "Person, Klara" in text
    logged = AccessLogEntry.objects.filter(actor=manager, action=AccessLogEntry.Action.LIST)
    assert list(logged.values_list("client_id", flat=True)) == [people.klara.pk]


def test_denominator_and_gender_drill_downs(client: Any, people: People, manager: Any) -> None:
    response = page(client, manager, ar=2024, underlag="sick_leave", period="2024-01", kon="M", **{"del": "namnare"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mats Testsson" in text and "Karin Testsson" not in text
    assert "Semester från 2024-01-20, dag 1" in text
    assert "Passen bakom nämnaren" in text


def test_controller_sees_sick_leave_figures_only(client: Any, people: People, controller: Any) -> None:
    response = page(client, controller, ar=2024, underlag="sick_leave", period="2024-01")
    assert response.status_code == 200
    text = response.content.decode()
    assert "23,0 h" in text and "47,0 h" in text
    assert "Karin" not in text and "Testsson" not in text
    assert "får hantera medarbetarnas frånvaro" in text
    assert not AccessLogEntry.objects.exists()


def test_controller_sees_shifts_but_not_the_clients_names(client: Any, people: People, controller: Any) -> None:
    response = page(client, controller, ar=2024, underlag="hourly_paid_share", period="2024-04")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mats Testsson" in text and "Alex Testsson" in text
    assert "Brukare utanför din behörighet" in text
    assert "Klara" not in text and "Måns" not in text
    assert not AccessLogEntry.objects.exists()  # nothing about a client was shown


def test_protected_clients_are_shown_without_name(client: Any, people: People, manager: Any) -> None:
    continuity = page(client, manager, ar=2024, underlag="staff_continuity", period="2024-04")
    assert continuity.status_code == 200
    text = continuity.content.decode()
    assert "Skyddade personuppgifter" in text and "Hemlig" not in text
    assert "Person, Klara" in text
    shifts = page(client, manager, ar=2024, underlag="hourly_paid_share", period="2024-04", **{"del": "namnare"})
    text = shifts.content.decode()
    assert "Skyddade personuppgifter" in text and "Hemlig" not in text
    protected = AccessLogEntry.objects.filter(client=people.hidden, actor=manager)
    assert protected.count() == 2 and all(entry.protected_identity for entry in protected)


def test_team_figures(client: Any, people: People, manager: Any) -> None:
    response = page(client, manager, ar=2024, arbetsgrupp=people.org.team.pk)
    assert response.status_code == 200
    assert "74,2 %" in response.content.decode()  # Team Ek in January: 23 h of 31 h


# --- Bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ar": "abc"}, "Ange ett år med fyra siffror."),
        ({"ar": "1800"}, "Ange ett år från 2000."),
        ({"enhet": "abc"}, "Välj ett giltigt alternativ"),
        ({"enhet": "9" * 30}, "Välj ett giltigt alternativ"),
        ({"arbetsgrupp": "abc"}, "Välj ett giltigt alternativ"),
        ({"underlag": "nonsense", "period": "2024-01"}, "Välj ett giltigt alternativ"),
        ({"underlag": "sick_leave", "period": "2024-13"}, "Ange en period som 2024"),
        ({"underlag": "sick_leave"}, "Detta fält måste fyllas i."),
        ({"underlag": "sick_leave", "period": "2024-01", "kon": "X"}, "Välj ett giltigt alternativ"),
    ],
)
def test_bad_input_gives_a_clear_message(
    client: Any, people: People, manager: Any, params: dict[str, str], message: str
) -> None:
    response = page(client, manager, **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_team_of_another_unit_is_refused(client: Any, people: People, manager: Any) -> None:
    response = page(client, manager, arbetsgrupp=people.org.other_unit_team.pk)
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()


def test_a_team_must_belong_to_the_chosen_unit(client: Any, people: People) -> None:
    org = people.org
    district_manager = make_user("omrade", RoleCode.UNIT_MANAGER, district=org.district)
    other = org.purchaser  # a second unit in the district: the team of the provider does not belong to it
    response = page(client, district_manager, enhet=other.pk, arbetsgrupp=org.team.pk)
    assert response.status_code == 400
    assert "Arbetsgruppen hör inte till den valda enheten." in response.content.decode()


# --- Query budget -----------------------------------------------------------------------------------------------


def _more_shifts(p: People, count: int) -> None:
    for day in range(count):
        start = at(2024, 6, 1, 8) + datetime.timedelta(days=day)
        add_shift(p.karin if day % 2 else p.mats, p.klara if day % 3 else p.hidden, *hours(start, 8))


def _queries(client: Any, address: str, django_assert_max_num_queries: Any, budget: int) -> int:
    with django_assert_max_num_queries(budget) as context:
        assert client.get(address).status_code == 200
    return len(context.captured_queries)


def test_query_budget_does_not_grow_with_the_shifts(
    client: Any, people: People, manager: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(manager)
    addresses = [
        url(ar=2024),
        url(ar=2024, underlag="hourly_paid_share", period="2024", **{"del": "namnare"}),
        url(ar=2024, underlag="sick_leave", period="2024-01"),
        url(ar=2024, underlag="staff_continuity", period="2024"),
    ]
    before = [_queries(client, address, django_assert_max_num_queries, 16) for address in addresses]
    _more_shifts(people, 60)
    Shift.objects.filter(starts_at__gte=at(2024, 6, 1)).update(is_hourly_paid=True)
    after = [_queries(client, address, django_assert_max_num_queries, 16) for address in addresses]
    assert before == after
