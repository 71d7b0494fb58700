"""The start page carries the day: an assistant's shifts with a direct way into the journal, their drafts and
the open shifts they could take; a manager's unstaffed shifts, new deviations, clients near their granted hours
and expiring delegations, with the most overdue duties. Each only for who may see it, each client read logged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from bista.care import services as care_services
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import RoleGrant
from bista.core.permissions import Perm, RoleCode
from bista.core.testing import Organisation
from bista.core.tests.pages import browser
from bista.quality import services as quality_services
from bista.rostering import services as rostering_services
from bista.rostering.tests import factories as f
from bista.staff import services as staff_services
from bista.staff.models import DelegationKind, Employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

MONDAY = f.MONDAY  # 2030-03-04: the day the clock stands on in these tests


@pytest.fixture(autouse=True)
def _monday_morning(frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime.combine(MONDAY, datetime.time(9), tzinfo=STOCKHOLM))


@pytest.fixture
def assistant(org: Organisation, staffer: Any) -> Employee:
    employee = Employee.objects.get(user=staffer)
    return employee


@pytest.fixture
def astrid(org: Organisation) -> Client:
    client = f.make_client(org.provider, teams=[org.team])
    f.make_order(client, org.provider, scope_amount=5)  # 5 h a week: a few shifts this month reach it
    return client


@pytest.fixture
def bertil(org: Organisation) -> Client:
    return f.make_client(org.provider, "Bertil", "Berglund", teams=[org.other_team])


def _body(user: Any) -> str:
    response = browser(user).get(reverse("overview:start"))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, heading: str) -> str:
    start = html.index(heading)
    end = html.find("<h2", start + 1)
    return html[start : end if end != -1 else len(html)]


def test_an_assistant_sees_their_shifts_with_the_journal_one_click_away(
    org: Organisation, staffer: Any, assistant: Employee, astrid: Client, bertil: Client
) -> None:
    f.shift(assistant, astrid, f.at(0, 14), 8)
    f.shift(assistant, bertil, f.at(1, 10), 8)  # a client outside their team: initials, no links
    f.shift(assistant, astrid, f.at(3, 7), 8)  # Thursday: not today or tomorrow
    html = _section(_body(staffer), "Dina pass idag och i morgon")

    assert "Idag 14:00–22:00" in html and "I morgon 10:00–18:00" in html
    assert "Torsdag" not in html and "2030-03-07" not in html
    journal = reverse("care:journal", args=[astrid.pk])
    assert f'href="{journal}#skriv"' in html
    assert "Astrid Lindqvist" in html
    assert "Bertil Berglund" not in html and "B.B." in html
    assert reverse("care:journal", args=[bertil.pk]) not in html
    # Astrid's name was shown: read logged; Bertil's was not shown.
    assert AccessLogEntry.objects.filter(actor=staffer, client=astrid, detail="startsidan").exists()
    assert not AccessLogEntry.objects.filter(actor=staffer, client=bertil).exists()


def test_an_assistant_sees_unsigned_drafts_and_open_shifts_they_could_take(
    org: Organisation, staffer: Any, assistant: Employee, astrid: Client
) -> None:
    care_services.journal_draft_save(actor=staffer, client=astrid, text="Påbörjad anteckning")
    f.shift(assistant, astrid, f.at(2, 7), 8)
    f.shift(None, astrid, f.at(2, 10), 4)  # overlaps their own shift: not offered
    f.shift(None, astrid, f.at(5, 7), 8)  # Saturday: offered
    f.shift(None, astrid, f.at(6, 7), 8, status="draft")  # not published: not offered
    f.shift(None, astrid, f.at(30, 7), 8)  # beyond two weeks
    html = _section(_body(staffer), "Dina pass idag och i morgon")

    drafts = html[html.index("Journalutkast som inte är signerade") :]
    assert f'href="{reverse("care:journal", args=[astrid.pk])}#skriv"' in drafts
    offered = html[html.index("Lediga pass i din enhet") :]
    assert "1 ledigt pass" in offered
    assert "2030-03-09 07:00–15:00" in offered


def test_a_manager_sees_what_needs_them_today(
    org: Organisation, manager: Any, assistant: Employee, astrid: Client
) -> None:
    tonight = f.shift(None, astrid, f.at(0, 22), 9)  # tonight, unstaffed
    f.shift(None, astrid, f.at(2, 7), 8)  # Wednesday: not today
    f.shift(assistant, astrid, f.at(0, 7), 8.5)
    quality_services.deviation_report(
        actor=manager,
        unit=org.provider,
        client=astrid,
        occurred_at=f.at(0, 8),
        what_happened="Medicinen gavs för sent.",
    )
    kind = DelegationKind.objects.first()
    assert kind is not None
    staff_services.delegation_add(
        actor=SYSTEM,
        employee=assistant,
        kind=kind,
        client=astrid,
        delegated_by="Sjuksköterska Siv",
        valid_from=MONDAY - datetime.timedelta(days=300),
        valid_until=MONDAY + datetime.timedelta(days=10),
    )
    html = _section(_body(manager), "Idag i Enheten för personligt stöd")

    assert "Obemannade pass idag och i natt" in html
    assert f'href="{reverse("rostering:open_shift", args=[tonight.pk])}"' in html
    assert "2030-03-06" not in html
    assert "1 ny avvikelse" in html and "Medicinen gavs för sent." in html
    assert "Delegeringar som går ut" in html and f"t.o.m. {MONDAY + datetime.timedelta(days=10)}" in html
    assert "Nära beviljade timmar" in html


def test_the_general_deviation_link_needs_quality_report_in_some_unit(
    org: Organisation, staffer: Any, assistant: Employee, astrid: Client
) -> None:
    f.shift(assistant, astrid, f.at(0, 14), 8)
    report = reverse("quality:deviation_report")
    html = _section(_body(staffer), "Dina pass idag och i morgon")
    assert f'<a href="{report}">Rapportera en avvikelse</a>' in html
    assert f'href="{report}?client={astrid.pk}"' in html

    # The employee role no longer grants quality.report (from yesterday): neither link shows.
    RoleGrant.objects.filter(role__code=RoleCode.EMPLOYEE, permission__code=Perm.QUALITY_REPORT).update(
        valid_to=MONDAY - datetime.timedelta(days=1)
    )
    html = _section(_body(staffer), "Dina pass idag och i morgon")
    assert "Idag 14:00–22:00" in html  # the day is still there
    assert report not in html and "Rapportera en avvikelse" not in html and "Rapportera avvikelse" not in html


def test_another_units_manager_sees_none_of_it(
    org: Organisation, other_manager: Any, assistant: Employee, astrid: Client
) -> None:
    f.shift(None, astrid, f.at(0, 22), 9)
    html = _body(other_manager)
    assert "Idag i Enheten för personligt stöd" not in html
    assert "Astrid" not in html
    assert not AccessLogEntry.objects.filter(client=astrid).exists()


def test_no_day_for_a_user_without_shifts_or_roster(nobody: Any) -> None:
    html = _body(nobody)
    assert "Dina pass" not in html and "Idag i" not in html


def test_the_day_keeps_to_its_query_budget(
    org: Organisation, manager: Any, assistant: Employee, astrid: Client, django_assert_max_num_queries: Any
) -> None:
    for offset in range(3):
        f.shift(None, astrid, f.at(0, 6 + offset * 6), 6)
    client = browser(manager)
    client.get(reverse("overview:start"))
    with django_assert_max_num_queries(60):
        assert client.get(reverse("overview:start")).status_code == 200


def test_the_kept_verdicts_on_open_shifts_equal_fresh_ones_after_every_kind_of_write(
    org: Organisation, staffer: Any, assistant: Employee, astrid: Client
) -> None:
    """Which open shifts an assistant could take is kept per process until the next write
    (`bista.core.datacache`): after each write that changes a verdict, the kept list equals a fresh check."""
    from django.core.cache import caches

    from bista.core.datacache import CACHE
    from bista.rostering import selectors as rostering_selectors
    from bista.staff.tests.support import add_absence

    caches[CACHE].clear()
    start, end = MONDAY, MONDAY + datetime.timedelta(days=14)
    state: dict[str, Any] = {}

    def kept() -> list[int]:
        return [s.pk for s in rostering_selectors.takeable_open_shifts(staffer, assistant, start, end)]

    def fresh() -> list[int]:
        candidates = rostering_selectors.open_shifts_for_employee(staffer, assistant, start, end)
        return [s.pk for s in rostering_selectors._takeable(assistant, candidates)] if candidates else []

    def open_shifts_laid() -> None:
        f.shift(None, astrid, f.at(5, 7), 8)  # Saturday
        f.shift(None, astrid, f.at(8, 7), 8)  # the Tuesday after

    def too_little_rest() -> None:  # their own shift until 02:00 leaves five hours before Saturday's 07:00
        state["own"] = f.shift(assistant, astrid, f.at(4, 18), 8)

    def own_shift_cancelled() -> None:
        rostering_services.shift_cancel(actor=SYSTEM, shift=state["own"], reason="Brukaren är bortrest.")

    def sick() -> None:
        add_absence(assistant, MONDAY + datetime.timedelta(days=8), MONDAY + datetime.timedelta(days=8))

    before = fresh()
    assert kept() == before
    for write in (open_shifts_laid, too_little_rest, own_shift_cancelled, sick):
        write()
        after = fresh()
        assert after != before, f"{write.__name__} changed no verdict: the step proves nothing"
        assert kept() == after, write.__name__
        before = after


def test_the_kept_quality_rows_and_delegations_equal_fresh_ones_after_every_kind_of_change(
    org: Organisation, manager: Any, assistant: Employee, astrid: Client
) -> None:
    """A manager's new deviations, open Lex Sarah reports and expiring delegations are kept per data version,
    date and viewer (`bista.core.datacache`): after each change the start page through the cache equals the
    page computed with the cache emptied."""
    from django.core.cache import caches

    from bista.core.datacache import CACHE
    from bista.quality.tests import factories as q

    def panel() -> str:
        html = _body(manager)
        start = html.index("Idag i Enheten för personligt stöd")
        return html[start : html.index("</section>", start)]

    def fresh() -> str:
        caches[CACHE].clear()
        return panel()

    kind = DelegationKind.objects.first()
    assert kind is not None

    def deviation() -> None:
        quality_services.deviation_report(
            actor=manager, unit=org.provider, client=astrid, occurred_at=f.at(0, 8), what_happened="Nyckeln saknades."
        )

    def lex_sarah() -> None:
        q.report_lex_sarah(org.provider)

    def delegation() -> None:
        staff_services.delegation_add(
            actor=SYSTEM,
            employee=assistant,
            kind=kind,
            client=astrid,
            delegated_by="Sjuksköterska Siv",
            valid_from=MONDAY - datetime.timedelta(days=300),
            valid_until=MONDAY + datetime.timedelta(days=10),
        )

    def staff_view_withdrawn() -> None:  # reference data changed without an audit event: in the viewer's key
        RoleGrant.objects.filter(role__code=RoleCode.UNIT_MANAGER, permission__code=Perm.EMPLOYEE_VIEW).update(
            valid_to=MONDAY - datetime.timedelta(days=1)
        )

    f.shift(None, astrid, f.at(0, 22), 9)  # the panel shows whatever else changes
    before = fresh()
    for change in (deviation, lex_sarah, delegation, staff_view_withdrawn):
        assert panel() == before  # the state before the change is kept
        change()
        kept, after = panel(), fresh()
        assert after != before, f"{change.__name__} changed no row: the step proves nothing"
        assert kept == after, change.__name__
        before = after
