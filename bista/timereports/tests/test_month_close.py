"""The month close: the checklist's items, the lock refused with its list, a locked month refusing changes
except the manager's correction with a reason (which reopens it, audited), and the pages and API four ways."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client as HttpClient

from bista.clients.models import AccessLogEntry
from bista.core.models import AuditEvent
from bista.core.tests.api_support import error, get, post, session_client
from bista.timereports import services
from bista.timereports.checklist import month_checklist
from bista.timereports.models import MonthClose, MonthCloseEvent, WorkedTime
from bista.timereports.tests.factories import AFTER_MARCH, World, at, make_world, shift

pytestmark = pytest.mark.usefixtures("no_two_factor")
MARCH = datetime.date(2030, 3, 1)


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def _keys(world: World) -> dict[str, int]:
    return month_checklist(world.org.provider, MARCH).summary()


def _attested_month(world: World, frozen_clock: Any) -> WorkedTime:
    worked = services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=5))
    return worked


def test_the_checklist_finds_unconfirmed_and_unattested_then_nothing(world: World, frozen_clock: Any) -> None:
    planned = shift(world, 0, 7, 8)
    assert _keys(world)["unconfirmed"] == 1 and _keys(world)["not_attested"] == 0
    services.worked_time_confirm(actor=world.user, shift=planned)
    assert _keys(world)["unconfirmed"] == 0 and _keys(world)["not_attested"] == 1
    services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    assert not month_checklist(world.org.provider, MARCH).blocking


def test_time_outside_any_order_is_listed(world: World, org: Any) -> None:
    from bista.care.tests import factories as care

    no_order = care.make_client(org.provider, first_name="Utan", last_name="Beslut", teams=[org.team])
    services.worked_time_add_unplanned(
        actor=world.user,
        employee=world.employee,
        client=no_order,
        starts_at=at(2, 10),
        ends_at=at(2, 12),
        reason="Hjälpte till",
    )
    services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    findings = month_checklist(org.provider, MARCH).items[2].findings
    assert [f.client_id for f in findings] == [no_order.pk]


def test_clients_over_their_granted_hours_are_listed(world: World, org: Any) -> None:
    from bista.care.tests import factories as care
    from bista.rostering.tests import factories as rostering

    small = care.make_client(org.provider, first_name="Liten", last_name="Insats", teams=[org.team])
    rostering.make_order(small, org.provider, scope_amount=10, scope_unit="month")
    services.worked_time_add_unplanned(
        actor=world.user, employee=world.employee, client=small, starts_at=at(2, 8), ends_at=at(2, 17), reason="Extra"
    )
    findings = month_checklist(org.provider, MARCH).items[3].findings
    assert [f.client_id for f in findings] == [small.pk] and "minst 90 %" in findings[0].text
    # The page names the client in the finding, and that read is logged.
    before = AccessLogEntry.objects.filter(client=small, actor=world.manager).count()
    page = session_client(world.manager).get(f"/tid/manadsavslut/?enhet={org.provider.pk}&manad=2030-03")
    assert "Liten Insats" in page.content.decode()
    assert AccessLogEntry.objects.filter(client=small, actor=world.manager).count() == before + 1


def test_confirmed_time_breaking_the_working_time_rules_is_listed(world: World) -> None:
    services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    assert not month_checklist(world.org.provider, MARCH).items[4].findings
    # Stayed on through the night: one pass of 23 hours, longer than the agreement allows.
    services.worked_time_add_unplanned(
        actor=world.user,
        employee=world.employee,
        client=world.client,
        starts_at=at(0, 16),
        ends_at=at(1, 6),
        reason="Ersättaren kom aldrig",
    )
    findings = month_checklist(world.org.provider, MARCH).items[4].findings
    assert findings and all(f.employee_id == world.employee.pk for f in findings)


def test_lock_is_refused_with_the_list_and_nothing_is_saved(world: World) -> None:
    shift(world, 0, 7, 8)
    with pytest.raises(ValidationError) as refused:
        services.month_lock(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert "Obekräftade pass" in refused.value.message_dict["month"][0]
    assert not MonthClose.objects.exists() and not MonthCloseEvent.objects.exists()
    with pytest.raises(PermissionDenied):
        services.month_lock(actor=world.user, unit=world.org.provider, month=MARCH)


def test_a_correction_after_close_needs_a_reason_and_reopens_the_month(world: World, frozen_clock: Any) -> None:
    worked = _attested_month(world, frozen_clock)
    services.month_lock(actor=world.manager, unit=world.org.provider, month=MARCH)
    change = {"worked_time": worked, "revision": 1, "starts_at": at(0, 7), "ends_at": at(0, 14)}
    with pytest.raises(ValidationError) as own:
        services.worked_time_revise(actor=world.user, reason="Gick tidigare", **change)
    assert "stängd" in own.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as no_reason:
        services.worked_time_revise(actor=world.manager, reason="", **change)
    assert set(no_reason.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError):
        services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    assert services.month_is_locked(world.org.provider.pk, MARCH)
    services.worked_time_revise(actor=world.manager, reason="Sjuk från 14, enligt sjukanmälan", **change)
    assert not services.month_is_locked(world.org.provider.pk, MARCH)
    reopened = MonthCloseEvent.objects.get(action="reopen")
    assert reopened.reason == "Sjuk från 14, enligt sjukanmälan" and reopened.actor == world.manager
    assert AuditEvent.objects.filter(action="month_close.reopen").count() == 1
    # The changed month is attested again and locked again.
    frozen_clock(AFTER_MARCH + datetime.timedelta(minutes=10))
    services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    services.month_lock(actor=world.manager, unit=world.org.provider, month=MARCH)
    assert list(MonthCloseEvent.objects.order_by("at", "pk").values_list("action", flat=True)) == [
        "lock",
        "reopen",
        "lock",
    ]


def test_reopen_by_hand_needs_a_reason(world: World, frozen_clock: Any) -> None:
    _attested_month(world, frozen_clock)
    services.month_lock(actor=world.manager, unit=world.org.provider, month=MARCH)
    with pytest.raises(ValidationError) as refused:
        services.month_reopen(actor=world.manager, unit=world.org.provider, month=MARCH, reason=" ")
    assert set(refused.value.message_dict) == {"reason"}
    assert services.month_is_locked(world.org.provider.pk, MARCH)


def test_the_page_four_ways_and_the_lock_from_it(
    world: World, frozen_clock: Any, nobody: Any, other_manager: Any
) -> None:
    _attested_month(world, frozen_clock)
    url = f"/tid/manadsavslut/?enhet={world.org.provider.pk}&manad=2030-03"
    assert HttpClient().get(url).status_code == 302
    for stranger in (nobody, world.user):
        assert session_client(stranger).get(url).status_code == 403
    elsewhere = session_client(other_manager).get(url)
    assert "Anna Assistent" not in elsewhere.content.decode()
    lock_url = f"/tid/manadsavslut/{world.org.provider.pk}/stang/"
    assert session_client(other_manager).post(lock_url, {"month": "2030-03"}).status_code == 404
    assert not MonthClose.objects.exists()
    browser = session_client(world.manager)
    assert "inget att åtgärda" in browser.get(url).content.decode()
    browser.post(lock_url, {"month": "2030-03"})
    assert "Månaden är stängd" in browser.get(url).content.decode()
    reopen_url = f"/tid/manadsavslut/{world.org.provider.pk}/oppna/"
    browser.post(reopen_url, {"month": "2030-03", "reason": ""})
    assert services.month_is_locked(world.org.provider.pk, MARCH)
    browser.post(reopen_url, {"month": "2030-03", "reason": "Fel i FK-underlaget"})
    assert not services.month_is_locked(world.org.provider.pk, MARCH)


def test_the_api_lock_refusal_and_lock(world: World, frozen_clock: Any) -> None:
    planned = shift(world, 0, 7, 8)
    manager = session_client(world.manager)
    base = f"/timereports/units/{world.org.provider.pk}/months/2030-03"
    checklist = get(manager, f"{base}/close").json()
    assert checklist["locked"] is False and checklist["items"][0]["findings"][0]["employee_id"] == world.employee.pk
    refused = post(manager, f"{base}/lock", {})
    assert refused.status_code == 422 and "month" in error(refused)["fields"]
    services.worked_time_confirm(actor=world.user, shift=planned)
    services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    locked = post(manager, f"{base}/lock", {})
    assert locked.status_code == 200 and locked.json()["locked"] is True
    assert post(session_client(world.user), f"{base}/lock", {}).status_code == 404
    no_reason = post(manager, f"{base}/reopen", {"reason": ""})
    assert no_reason.status_code == 422 and "reason" in error(no_reason)["fields"]
