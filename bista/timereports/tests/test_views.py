"""The pages of worked time: Min tid with its one-tap confirmation and small forms, and the manager's attest
pages — four ways (anonymous, no permission, permission, another unit), refusals that save nothing, and the
query budget of the unit's month."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.clients.models import AccessLogEntry
from bista.core.tests.api_support import session_client
from bista.timereports.models import Attestation, Basis, WorkedTime
from bista.timereports.tests.factories import AFTER_MARCH, World, at, make_world, shift

pytestmark = pytest.mark.usefixtures("no_two_factor")

MY_TIME = "/tid/min/?manad=2030-03"
UNIT_MONTH = "/tid/attest/?manad=2030-03"


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def _person_url(world: World) -> str:
    return f"/tid/attest/medarbetare/{world.employee.pk}/?manad=2030-03"


def test_min_tid_lists_the_months_shifts_and_confirms_one_in_one_tap(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    shift(world, 1, 7, 8)
    browser = session_client(world.user)
    page = browser.get(MY_TIME)
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("Bekräfta som planerat") == 2 and "2 pass är inte bekräftade" in text
    response = browser.post(f"/tid/pass/{planned.pk}/bekrafta/")
    assert response.status_code == 302 and response["Location"].endswith("manad=2030-03")
    worked = WorkedTime.objects.get(shift=planned)
    assert worked.basis == Basis.PLANNED and worked.recorded_by == world.user
    text = browser.get(MY_TIME).content.decode()
    assert text.count("Bekräfta som planerat") == 1 and "Bekräftat som planerat" in text


def test_the_adjust_form_names_the_field_and_saves_nothing(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    browser = session_client(world.user)
    url = f"/tid/pass/{planned.pk}/justera/"
    assert browser.get(url).status_code == 200
    values = {"starts_on": "2030-03-04", "starts_time": "07:00", "ends_time": "16:30"}
    missing_reason = browser.post(url, values)
    assert missing_reason.status_code == 400 and "Ange varför tiden skiljer sig" in missing_reason.content.decode()
    reversed_times = browser.post(url, {**values, "ends_on": "2030-03-04", "ends_time": "06:00", "reason": "x"})
    assert (
        reversed_times.status_code == 400 and "Sluttiden måste vara efter starttiden" in reversed_times.content.decode()
    )
    assert not WorkedTime.objects.exists()
    saved = browser.post(url, {**values, "reason": "Brukaren behövde hjälp längre"})
    assert saved.status_code == 302
    assert WorkedTime.objects.get(shift=planned).ends_at == at(0, 16, 30)


def test_jour_is_confirmed_with_its_active_time(world: World) -> None:
    night = shift(world, 0, 22, 9, kind="on_call")
    browser = session_client(world.user)
    values = {"starts_on": "2030-03-04", "starts_time": "22:00", "ends_time": "07:00", "active_minutes": "40"}
    assert browser.post(f"/tid/pass/{night.pk}/justera/", values).status_code == 302
    worked = WorkedTime.objects.get(shift=night)
    assert (worked.active_minutes, worked.basis, worked.minutes) == (40, Basis.PLANNED, 9 * 60)


def test_unplanned_time_and_its_revision(world: World) -> None:
    browser = session_client(world.user)
    assert browser.get("/tid/oplanerad/").status_code == 200
    values = {
        "client": world.client.pk,
        "kind": "active",
        "starts_on": "2030-03-08",
        "starts_time": "15:00",
        "ends_time": "17:00",
        "reason": "Avlösaren var sen",
    }
    assert browser.post("/tid/oplanerad/", values).status_code == 302
    worked = WorkedTime.objects.get()
    url = f"/tid/arbetad/{worked.pk}/andra/"
    assert browser.get(url).status_code == 200
    no_reason = browser.post(url, {**values, "ends_time": "17:30", "revision": 1, "reason": ""})
    assert no_reason.status_code == 400
    saved = browser.post(url, {**values, "ends_time": "17:30", "revision": 1, "reason": "Räknade fel"})
    assert saved.status_code == 302
    worked.refresh_from_db()
    assert worked.revision == 2 and worked.minutes == 150


def test_someone_elses_shift_is_not_found(world: World, org: Any) -> None:
    others = shift(world, 0, 7, 8, employee=world.other_employee)
    browser = session_client(world.user)
    assert browser.post(f"/tid/pass/{others.pk}/bekrafta/").status_code == 404
    assert browser.get(f"/tid/pass/{others.pk}/justera/").status_code == 404
    assert not WorkedTime.objects.exists()


@pytest.mark.parametrize("path", [UNIT_MONTH, "person"])
def test_attest_pages_four_ways(world: World, path: str, nobody: Any, other_manager: Any) -> None:
    shift(world, 0, 7, 8)
    url = _person_url(world) if path == "person" else UNIT_MONTH
    anonymous = HttpClient().get(url)
    assert anonymous.status_code == 302 and "/konto/logga-in/" in anonymous["Location"]
    for stranger in (nobody, world.user):
        response = session_client(stranger).get(url)
        assert response.status_code in (403, 404)
        assert "Anna Assistent" not in response.content.decode()
    # Another unit's manager sees their own unit's month (asking for ours falls back to it), never our people.
    elsewhere = session_client(other_manager).get(f"{url}&enhet={world.org.provider.pk}")
    assert elsewhere.status_code == (404 if path == "person" else 200)
    assert "Anna Assistent" not in elsewhere.content.decode()
    page = session_client(world.manager).get(url)
    assert page.status_code == 200 and "Anna Assistent" in page.content.decode()


def test_the_person_page_logs_the_clients_shown(world: World) -> None:
    shift(world, 0, 7, 8)
    before = AccessLogEntry.objects.filter(client=world.client, actor=world.manager).count()
    page = session_client(world.manager).get(_person_url(world))
    assert "Astrid Lindqvist" in page.content.decode()
    assert AccessLogEntry.objects.filter(client=world.client, actor=world.manager).count() == before + 1


def test_attesting_from_the_page_refuses_unconfirmed_shifts_then_attests(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    browser = session_client(world.manager)
    url = f"/tid/attest/medarbetare/{world.employee.pk}/attestera/"
    refused = browser.post(url, {"month": "2030-03"}, follow=True)
    assert "1 obekräftade pass: 2030-03-04 07:00–15:00" in refused.content.decode()
    assert not Attestation.objects.exists()
    session_client(world.user).post(f"/tid/pass/{planned.pk}/bekrafta/")
    browser.post(url, {"month": "2030-03"})
    assert Attestation.objects.get().minutes == 480
    assert "Attesterad" in browser.get(UNIT_MONTH).content.decode()
    assert session_client(world.user).post(url, {"month": "2030-03"}).status_code == 404


def test_the_unit_month_has_a_fixed_number_of_queries(world: World, django_assert_num_queries: Any, org: Any) -> None:
    from bista.rostering.tests import factories as rostering

    browser = session_client(world.manager)
    browser.get(UNIT_MONTH)  # sessions and access map warmed

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert browser.get(UNIT_MONTH).status_code == 200
        return len(queries)

    shift(world, 0, 7, 8)
    few = count()
    for number in range(3):
        helper = rostering.make_employee(org.provider, "Hjälp", f"Nummer{number}", teams=[org.team])
        shift(world, 1 + number, 7, 8, employee=helper)
    with django_assert_num_queries(few):
        browser.get(UNIT_MONTH)
