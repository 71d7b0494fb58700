"""Item 9: the caseload per case officer and moving cases between officers (service + audit), four ways."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient

from bista.casework import selectors, services
from bista.casework.models import Case
from bista.casework.tests import factories as f
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import session_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


@pytest.fixture
def world(org: Organisation) -> dict[str, Any]:
    anna, bo = f.officer(org, "anna"), f.officer(org, "bo")
    cases = [f.register(org.purchaser, actor=anna, new_client=f.new_client(number=n)).case for n in (982, 990, 998)]
    return {"anna": anna, "bo": bo, "cases": cases, "chief": make_user("chef2", RoleCode.UNIT_MANAGER, org.purchaser)}


def test_caseload_and_moving_cases(org: Organisation, world: dict[str, Any]) -> None:
    chief, anna, bo = world["chief"], world["anna"], world["bo"]
    loads = {row.officer_id: row.open_cases for row in selectors.caseload(chief, org.purchaser)}
    assert loads[anna.pk] == 3 and loads[bo.pk] == 0
    before = AuditEvent.objects.filter(action="case.assign").count()
    moved = services.cases_reassign(
        actor=chief, unit=org.purchaser, from_officer=anna, to_officer=bo, case_ids=[world["cases"][0].pk]
    )
    assert moved == 1 and Case.objects.get(pk=world["cases"][0].pk).officer == bo
    assert AuditEvent.objects.filter(action="case.assign").count() == before + 1
    assert services.cases_reassign(actor=chief, unit=org.purchaser, from_officer=anna, to_officer=bo) == 2
    with pytest.raises(PermissionDenied):
        selectors.caseload(anna, org.purchaser)


def test_bad_moves_change_nothing(org: Organisation, world: dict[str, Any]) -> None:
    chief, anna, bo = world["chief"], world["anna"], world["bo"]
    stranger = make_user("extern", RoleCode.UNIT_MANAGER, org.provider)
    for kwargs, field in (
        ({"from_officer": anna, "to_officer": anna}, "to_officer"),
        ({"from_officer": anna, "to_officer": stranger}, "officer"),
        ({"from_officer": anna, "to_officer": bo, "case_ids": [world["cases"][0].pk, 999999]}, "cases"),
        ({"from_officer": bo, "to_officer": anna}, "from_officer"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.cases_reassign(actor=chief, unit=org.purchaser, **kwargs)
        assert field in caught.value.message_dict
    assert set(Case.objects.values_list("officer_id", flat=True)) == {anna.pk}


def test_the_page_four_ways(org: Organisation, world: dict[str, Any], nobody: Any, manager: Any) -> None:
    url = "/arenden/arendebalans/"
    assert HttpClient().get(url).status_code == 302
    for user in (nobody, manager, world["anna"]):  # the provider's manager assigns no cases; nor an officer
        assert session_client(user).get(url).status_code in (403, 404)
    other = make_user("annan", RoleCode.UNIT_MANAGER, org.other_unit)
    assert session_client(other).get(url, {"enhet": org.purchaser.pk}).status_code == 403
    browser = session_client(world["chief"])
    page = browser.get(url)
    assert page.status_code == 200 and "anna" in page.content.decode()
    bad = browser.post(
        url,
        {"enhet": org.purchaser.pk, "from_officer": world["anna"].pk, "to_officer": world["bo"].pk, "cases": "x; drop"},
    )
    assert bad.status_code == 400 and Case.objects.filter(officer=world["bo"]).count() == 0
    good = browser.post(
        url, {"enhet": org.purchaser.pk, "from_officer": world["anna"].pk, "to_officer": world["bo"].pk, "cases": ""}
    )
    assert good.status_code == 302 and Case.objects.filter(officer=world["bo"]).count() == 3
