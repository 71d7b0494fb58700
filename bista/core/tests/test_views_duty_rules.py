"""The deadlines page: everyone signed in reads it; only a systemförvaltare adds a version, which ends the one
in force and never rewrites it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.core.models import AuditEvent, DutyRule
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

CODE = "care.first_contact"
URL = "/referensdata/tidsfrister/"
NEW = f"/referensdata/tidsfrister/{CODE}/ny-version/"


@pytest.fixture
def steward(org: Organisation) -> Any:
    return make_user("forvaltare", RoleCode.SYSTEM_ADMINISTRATOR, district=org.district)


def _post(user: Any, **overrides: Any) -> Any:
    client = HttpClient()
    client.force_login(user)
    data = {"name": "Första kontakt", "amount": "10", "unit": "days", "warn_days": "5", "valid_from": "2027-01-01"}
    data.update(overrides)
    return client.post(NEW, data)


def test_anonymous_is_sent_to_login() -> None:
    assert HttpClient().get(URL).status_code == 302
    assert HttpClient().post(NEW, {}).status_code == 302


def test_every_signed_in_user_reads_the_rules(manager: Any) -> None:
    client = HttpClient()
    client.force_login(manager)
    page = client.get(URL).content.decode()
    assert "Första kontakt med brukaren" in page
    assert "2 veckor" in page
    assert "Ny version" not in page  # an enhetschef does not change the municipality's deadlines


def test_a_unit_manager_may_not_add_a_version(manager: Any) -> None:
    before = DutyRule.objects.count()
    assert _post(manager).status_code == 403
    assert DutyRule.objects.count() == before


def test_steward_adds_a_version_and_the_old_one_ends(steward: Any) -> None:
    response = _post(steward)
    assert response.status_code == 302
    versions = list(DutyRule.objects.filter(code=CODE).order_by("valid_from"))
    assert [(v.valid_from, v.valid_to) for v in versions] == [
        (datetime.date(1994, 1, 1), datetime.date(2027, 1, 1)),
        (datetime.date(2027, 1, 1), None),
    ]
    assert versions[0].amount == 2 and versions[0].unit == "weeks"  # the old version is not rewritten
    assert versions[1].amount == 10 and versions[1].unit == "days"
    assert set(AuditEvent.objects.filter(object_type="core.dutyrule").values_list("action", flat=True)) == {
        "duty_rule.end",
        "duty_rule.create",
    }


def test_a_version_cannot_start_before_the_current_one(steward: Any) -> None:
    before = DutyRule.objects.count()
    response = _post(steward, valid_from="1993-12-31")
    assert response.status_code == 200
    assert "Den nya versionen måste gälla från ett datum efter 1994-01-01" in response.content.decode()
    assert DutyRule.objects.count() == before


def test_bad_input_names_the_field(steward: Any) -> None:
    response = _post(steward, amount="-1", unit="years")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Antal" in page and "Enhet" in page and "Rätta följande" in page


def test_unknown_rule_is_404(steward: Any) -> None:
    client = HttpClient()
    client.force_login(steward)
    assert client.get("/referensdata/tidsfrister/finns.inte/ny-version/").status_code == 404
