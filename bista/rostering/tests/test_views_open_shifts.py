"""The open shifts: the unit's list and one shift's ranked candidates with a one-click "Tilldela" (a plain
POST with the CSRF token, working without JavaScript), four ways; a stale page and a candidate who can no
longer take the shift change nothing; the list's query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.pages import assert_login_redirect, browser
from bista.rostering import services
from bista.rostering.models import Shift
from bista.rostering.tests import factories as f
from bista.rostering.tests.test_views_common import (  # noqa: F401 - fixtures
    Unit,
    at,
    body,
    cecilia_fixture,
    controller_fixture,
    text,
    unit_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

LIST = "/schema/oppna-pass/?fran=2030-03-04&till=2030-03-17"
# Session and user (2), the access map (2), the units (1), the open shifts (1), the clients the user may name
# (1), the session saved (3); for a manager the pending requests (1) and the unit's setting for them (1).
LIST_QUERIES = 9


def state() -> list[Any]:
    return [*sorted(Shift.objects.values_list("pk", "employee_id", "status", "version")), AuditEvent.objects.count()]


@pytest.fixture
def opened(unit: Unit, org: Organisation) -> Shift:
    """Anna's published Tuesday shift, freed by a sick call: the open shift that replaces it."""
    f.shift(unit.anna, unit.client, at(1, 7), 8)
    _, shifts = services.sick_call(actor=None, employee=unit.anna, starts_on=f.day(1), ends_on=f.day(1))
    return shifts[0]


@pytest.fixture
def colleagues(org: Organisation, unit: Unit) -> dict[str, Any]:
    """A team member who has worked with the client, and an hourly-paid substitute outside the team."""
    bo = f.make_employee(org.provider, "Bo", "Ek", teams=[org.team], gender="M")
    f.shift(bo, unit.client, at(-7, 7), 8)
    sara = f.make_employee(org.provider, "Sara", "Vik", employment_type="timavlonad", employment_rate=0)
    return {"bo": bo, "sara": sara}


def test_list_four_ways(
    nobody: Any, manager: Any, controller: Any, other_manager: Any, unit: Unit, opened: Shift
) -> None:
    assert_login_redirect(HttpClient().get(LIST))
    assert browser(nobody).get(LIST).status_code == 403
    assert browser(unit.worker_user).get(LIST).status_code == 403
    page = text(browser(manager).get(LIST))
    assert "tis 5 mar 07:00–15:00" in page and "Astrid Lindqvist" in page
    assert "Ordinarie personal frånvarande" in page and "Hitta ersättare" in page
    assert "Hitta ersättare" not in text(browser(controller).get(LIST))
    other = text(browser(other_manager).get(LIST))
    assert "Astrid" not in other and "Inga öppna pass" in other


def test_list_query_budget(
    manager: Any, unit: Unit, opened: Shift, org: Organisation, django_assert_num_queries: Any
) -> None:
    http = browser(manager)
    with django_assert_num_queries(LIST_QUERIES):
        assert http.get(LIST).status_code == 200
    f.shift(None, unit.client, at(3, 7), 8)
    f.shift(None, unit.other_team_client, at(4, 7), 8)
    with django_assert_num_queries(LIST_QUERIES):
        assert http.get(LIST).status_code == 200


def test_candidates_ranked_with_costs(manager: Any, unit: Unit, opened: Shift, colleagues: dict[str, Any]) -> None:
    response = browser(manager).get(f"/schema/oppna-pass/{opened.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Vem kan ta passet" in page
    # The sick employee is not a candidate; the team member who worked there comes first.
    assert "Berg, Anna" not in page
    assert page.index("Ek, Bo") < page.index("Vik, Sara")
    assert "I arbetsgruppen" in page
    html = body(response)
    assert html.count('name="csrfmiddlewaretoken"') >= 2
    assert f'action="/schema/oppna-pass/{opened.pk}/tilldela/"' in html
    assert "Tilldela" in page


def test_candidates_four_ways(
    nobody: Any, controller: Any, other_manager: Any, unit: Unit, opened: Shift, colleagues: dict[str, Any]
) -> None:
    url = f"/schema/oppna-pass/{opened.pk}/"
    assert_login_redirect(HttpClient().get(url))
    assert browser(nobody).get(url).status_code == 404
    assert browser(unit.worker_user).get(url).status_code == 404
    assert browser(other_manager).get(url).status_code == 404
    viewer = browser(controller).get(url)
    assert viewer.status_code == 200
    assert "Ek, Bo" in text(viewer) and "tilldela/" not in body(viewer)


def test_assign_one_click(manager: Any, unit: Unit, opened: Shift, colleagues: dict[str, Any]) -> None:
    bo = colleagues["bo"]
    http = browser(manager)
    response = http.post(f"/schema/oppna-pass/{opened.pk}/tilldela/", {"employee": bo.pk, "version": opened.version})
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.employee == bo and opened.status == "published"
    assert "Passet är tilldelat Bo Ek." in text(http.get(response["Location"]))


def test_assign_refused(
    nobody: Any, controller: Any, other_manager: Any, unit: Unit, opened: Shift, colleagues: dict[str, Any]
) -> None:
    url = f"/schema/oppna-pass/{opened.pk}/tilldela/"
    data = {"employee": colleagues["bo"].pk, "version": opened.version}
    before = state()
    assert_login_redirect(HttpClient().post(url, data))
    assert browser(nobody).post(url, data).status_code == 404
    assert browser(controller).post(url, data).status_code == 403
    assert browser(other_manager).post(url, data).status_code == 404
    assert state() == before


def test_assign_stale_page_changes_nothing(manager: Any, unit: Unit, opened: Shift, colleagues: dict[str, Any]) -> None:
    url = f"/schema/oppna-pass/{opened.pk}/tilldela/"
    http = browser(manager)
    assert http.post(url, {"employee": colleagues["bo"].pk, "version": opened.version}).status_code == 302
    before = state()
    response = http.post(url, {"employee": colleagues["sara"].pk, "version": opened.version})
    assert response.status_code == 409
    assert "Passet har ändrats sedan sidan visades" in text(response)
    assert "Passet är inte längre öppet" in text(response)
    assert state() == before


def test_assign_someone_who_breaks_a_rule(manager: Any, unit: Unit, opened: Shift) -> None:
    """A person not offered (sick) cannot be forced in by posting their id: the rule list is shown."""
    before = state()
    response = browser(manager).post(
        f"/schema/oppna-pass/{opened.pk}/tilldela/", {"employee": unit.anna.pk, "version": opened.version}
    )
    assert response.status_code == 400
    assert "Passet kunde inte tilldelas" in text(response) and "frånvarande" in text(response)
    assert state() == before


def test_assign_bad_input(manager: Any, unit: Unit, opened: Shift, cecilia: Any, org: Organisation) -> None:
    other_unit_employee = f.make_employee(org.other_unit, "Olle", "Other")
    before = state()
    url = f"/schema/oppna-pass/{opened.pk}/tilldela/"
    for data in ({"employee": "x", "version": "1"}, {"employee": other_unit_employee.pk, "version": opened.version}):
        response = browser(manager).post(url, data)
        assert response.status_code == 400
    assert state() == before
