"""A case officer's start page carries their cases: the purchaser's duties that need them (first contacts, appeals
to forward within the week, time-limited decisions running out, follow-ups) with the most urgent rows,
investigations still to be communicated, new intakes and their caseload — each row a link to where the work is
done, each client named logged as read, nothing of another officer's desk, and "Ärenden" in the menu only for
whoever works with cases."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from bista.casework import services
from bista.casework.tests import factories as f
from bista.clients.models import AccessLogEntry
from bista.core.clock import STOCKHOLM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

D = datetime.date
TODAY = D(2024, 3, 8)  # four days after f.APPLIED: the first contact is due within the week


@pytest.fixture(autouse=True)
def _friday(frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=STOCKHOLM))


def _body(user: Any) -> str:
    response = browser(user).get(reverse("overview:start"))
    assert response.status_code == 200
    return response.content.decode()


def _desk(html: str) -> str:
    start = html.index("Dina ärenden")
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else len(html)]


def test_a_case_officer_sees_their_duties_intakes_and_caseload(org: Organisation) -> None:
    officer = f.officer(org)
    intake = f.register(org.purchaser, actor=officer)  # received 2024-03-04, no first contact yet
    investigation = services.investigation_start(actor=officer, case=intake.case, started_on=D(2024, 3, 6))
    desk = _desk(_body(officer))

    case_url = reverse("casework:case_detail", args=[intake.case_id])
    assert "1 öppet ärende" in desk
    assert "Första kontakt efter aktualisering: <strong>1</strong>" in desk
    assert f'href="{case_url}"' in desk and "senast 2024-03-11" in desk
    assert "Sigrid Berglund" in desk
    assert f'href="{reverse("casework:investigation_edit", args=[investigation.pk])}"' in desk
    assert "påbörjad 2024-03-06, ej kommunicerad" in desk
    assert "1 aktualisering de senaste två veckorna" in desk
    assert AccessLogEntry.objects.filter(actor=officer, client=intake.case.client, detail="startsidan").exists()


def test_the_desk_keeps_to_the_officers_own_cases(org: Organisation) -> None:
    officer = f.officer(org)
    colleague = f.officer(org, "kollega")
    intake = f.register(org.purchaser, actor=colleague)
    desk = _desk(_body(officer))
    assert "0 öppna ärenden" in desk
    assert "Första kontakt efter aktualisering: <strong>0</strong>" in desk
    assert "Sigrid" not in desk
    assert not AccessLogEntry.objects.filter(actor=officer, client=intake.case.client).exists()


def test_an_appeal_to_forward_shows_within_the_week(org: Organisation, frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime.combine(D(2024, 4, 15), datetime.time(9), tzinfo=STOCKHOLM))
    officer = f.officer(org)
    intake = f.register(org.purchaser, actor=officer)
    services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 5))
    decision = f.decide(intake, actor=officer, outcome="refused", period_end=None, period_start=None)
    services.appeal_register(actor=officer, decision=decision, received_on=D(2024, 4, 15))
    desk = _desk(_body(officer))
    # Due 2024-04-22, warned two days before: not yet in "Att göra"'s counts, but on the desk at once.
    assert "Överklaganden att överlämna: <strong>1</strong>" in desk
    assert "Överlämna överklagande till förvaltningsrätten" in desk and "senast 2024-04-22" in desk


def test_the_purchasers_manager_sees_cases_to_assign(org: Organisation) -> None:
    chef = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    intake = f.register(org.purchaser)  # registered by nobody: assigned to nobody
    desk = _desk(_body(chef))
    assert "1 ej fördelat ärende" in desk and f'href="{reverse("casework:caseload")}"' in desk
    assert "Första kontakt efter aktualisering: <strong>1</strong>" in desk
    assert "ej fördelad" in desk
    assert AccessLogEntry.objects.filter(actor=chef, client=intake.case.client, detail="startsidan").exists()


def test_no_desk_and_no_cases_menu_for_a_providers_manager(org: Organisation, manager: Any) -> None:
    f.register(org.purchaser)
    html = _body(manager)
    assert "Dina ärenden" not in html
    assert reverse("casework:case_list") not in html
    assert browser(manager).get(reverse("casework:case_list")).status_code == 403


def test_the_menu_offers_cases_to_whoever_works_with_them(org: Organisation) -> None:
    officer = f.officer(org)
    html = _body(officer)
    assert f'href="{reverse("casework:case_list")}"' in html


def test_the_desk_keeps_to_its_query_budget(org: Organisation, django_assert_max_num_queries: Any) -> None:
    officer = f.officer(org)
    for number in range(6):
        intake = f.register(org.purchaser, actor=officer, new_client=f.new_client(number=900 + number))
        services.investigation_start(actor=officer, case=intake.case, started_on=D(2024, 3, 6))
    client = browser(officer)
    client.get(reverse("overview:start"))
    with django_assert_max_num_queries(40):
        assert client.get(reverse("overview:start")).status_code == 200
