"""Confirming, adding, revising and attesting worked time through the services: what is saved, what is
refused (with the field and nothing saved), and who may."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.core.access import SYSTEM
from bista.core.errors import ConflictError
from bista.core.models import AuditEvent
from bista.core.testing import make_user
from bista.rostering.models import Shift
from bista.timereports import services
from bista.timereports.models import Attestation, Basis, WorkedTime, WorkedTimeRevision
from bista.timereports.tests.factories import AFTER_MARCH, World, at, make_world, shift

MARCH = datetime.date(2030, 3, 1)


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def _field(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def _nothing_saved() -> None:
    assert not WorkedTime.objects.exists()
    assert not WorkedTimeRevision.objects.exists()


def test_confirm_as_planned_saves_the_shift_times_as_revision_one(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    worked = services.worked_time_confirm(actor=world.user, shift=planned)
    assert (worked.starts_at, worked.ends_at, worked.basis) == (planned.starts_at, planned.ends_at, Basis.PLANNED)
    assert worked.employee == world.employee and worked.client == world.client and worked.revision == 1
    revision = worked.revisions.get()
    assert revision.number == 1 and revision.recorded_by == world.user and revision.reason == ""
    assert AuditEvent.objects.filter(action="worked_time.confirm", object_id=str(worked.pk)).count() == 1


def test_adjusted_confirmation_needs_a_reason(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    with pytest.raises(ValidationError) as refused:
        services.worked_time_confirm(actor=world.user, shift=planned, starts_at=at(0, 7), ends_at=at(0, 16))
    assert _field(refused.value) == {"reason"}
    _nothing_saved()
    worked = services.worked_time_confirm(
        actor=world.user, shift=planned, starts_at=at(0, 7), ends_at=at(0, 16), reason="Brukaren var sjuk"
    )
    assert worked.basis == Basis.ADJUSTED and worked.minutes == 9 * 60


def test_end_before_start_is_refused_on_the_end(world: World) -> None:
    planned = shift(world, 0, 7, 8)
    with pytest.raises(ValidationError) as refused:
        services.worked_time_confirm(actor=world.user, shift=planned, starts_at=at(0, 15), ends_at=at(0, 7), reason="x")
    assert _field(refused.value) == {"ends_at"}
    assert "Sluttiden" in refused.value.message_dict["ends_at"][0]
    _nothing_saved()


def test_overlapping_the_same_persons_confirmed_time_is_refused(world: World) -> None:
    first = shift(world, 0, 7, 8)
    services.worked_time_confirm(actor=world.user, shift=first)
    second = shift(world, 0, 15, 4)
    with pytest.raises(ValidationError) as refused:
        services.worked_time_confirm(
            actor=world.user, shift=second, starts_at=at(0, 14), ends_at=at(0, 19), reason="Kom tidigare"
        )
    assert _field(refused.value) == {"starts_at"}
    assert "överlappar" in refused.value.message_dict["starts_at"][0]
    assert WorkedTime.objects.count() == 1
    # Touching is not overlapping; another person's time at the same hours is not the same person's.
    services.worked_time_confirm(actor=world.user, shift=second)
    other = shift(world, 0, 7, 8, employee=world.other_employee)
    services.worked_time_confirm(actor=world.manager, shift=other, reason="Bodil har inget konto")
    assert WorkedTime.objects.count() == 3


def test_a_shift_is_confirmed_once_and_not_before_it_begins(world: World, frozen_clock: Any) -> None:
    planned = shift(world, 0, 7, 8)
    services.worked_time_confirm(actor=world.user, shift=planned)
    with pytest.raises(ValidationError) as again:
        services.worked_time_confirm(actor=world.user, shift=planned)
    assert _field(again.value) == {"shift"}
    frozen_clock(at(1, 6))
    tomorrow = shift(world, 1, 7, 8)
    with pytest.raises(ValidationError) as early:
        services.worked_time_confirm(actor=world.user, shift=tomorrow)
    assert _field(early.value) == {"starts_at"}


def test_only_the_person_or_their_manager_confirms(world: World, other_manager: Any) -> None:
    planned = shift(world, 0, 7, 8, employee=world.other_employee)
    for stranger in (world.user, other_manager, make_user("ingen")):
        with pytest.raises(PermissionDenied):
            services.worked_time_confirm(actor=stranger, shift=planned)
    with pytest.raises(ValidationError) as no_reason:
        services.worked_time_confirm(actor=world.manager, shift=planned)
    assert _field(no_reason.value) == {"reason"}
    _nothing_saved()


def test_a_cancelled_or_open_shift_cannot_be_confirmed(world: World) -> None:
    from bista.rostering import services as rostering_services

    planned = shift(world, 0, 7, 8)
    rostering_services.shift_cancel(actor=SYSTEM, shift=planned, reason="Brukaren på resa")
    with pytest.raises(ValidationError) as cancelled:
        services.worked_time_confirm(actor=world.user, shift=Shift.objects.get(pk=planned.pk))
    assert _field(cancelled.value) == {"shift"}
    _nothing_saved()


def test_active_time_inside_jour_and_waiting_time_inside_active_time(world: World) -> None:
    night = shift(world, 0, 22, 9, kind="on_call")
    with pytest.raises(ValidationError) as too_much:
        services.worked_time_confirm(actor=world.user, shift=night, active_minutes=10 * 60)
    assert _field(too_much.value) == {"active_minutes"}
    with pytest.raises(ValidationError) as waiting_in_jour:
        services.worked_time_confirm(actor=world.user, shift=night, waiting_minutes=30)
    assert _field(waiting_in_jour.value) == {"waiting_minutes"}
    _nothing_saved()
    worked = services.worked_time_confirm(actor=world.user, shift=night, active_minutes=45)
    assert worked.active_minutes == 45 and worked.basis == Basis.PLANNED
    day_shift = shift(world, 2, 8, 8)
    with pytest.raises(ValidationError) as active_in_active:
        services.worked_time_confirm(actor=world.user, shift=day_shift, active_minutes=30)
    assert _field(active_in_active.value) == {"active_minutes"}


def test_unplanned_time_needs_a_reason_and_a_client_of_the_unit(world: World, org: Any) -> None:
    from bista.care.tests import factories as care

    values = {"actor": world.user, "employee": world.employee, "starts_at": at(3, 18), "ends_at": at(3, 20)}
    with pytest.raises(ValidationError) as no_reason:
        services.worked_time_add_unplanned(client=world.client, reason="", **values)
    assert _field(no_reason.value) == {"reason"}
    elsewhere = care.make_client(org.other_unit, first_name="Greta", last_name="Annanstans")
    with pytest.raises(ValidationError) as other_unit:
        services.worked_time_add_unplanned(client=elsewhere, reason="Hjälpte till", **values)
    assert _field(other_unit.value) == {"client"}
    _nothing_saved()
    worked = services.worked_time_add_unplanned(client=world.client, reason="Avlösaren blev försenad", **values)
    assert worked.shift is None and worked.basis == Basis.UNPLANNED and worked.minutes == 120


def test_a_revision_keeps_the_earlier_version_and_refuses_a_stale_one(world: World) -> None:
    worked = services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    revised = services.worked_time_revise(
        actor=world.user, worked_time=worked, revision=1, starts_at=at(0, 7), ends_at=at(0, 15, 30), reason="Glömde"
    )
    assert revised.revision == 2 and revised.basis == Basis.REVISED and revised.minutes == 510
    first, second = WorkedTimeRevision.objects.filter(worked_time=worked).order_by("number")
    assert (first.ends_at, second.ends_at) == (at(0, 15), at(0, 15, 30))
    assert second.reason == "Glömde" and not second.after_attestation
    with pytest.raises(ConflictError):
        services.worked_time_revise(
            actor=world.user, worked_time=worked, revision=1, starts_at=at(0, 7), ends_at=at(0, 16), reason="Igen"
        )
    assert WorkedTimeRevision.objects.filter(worked_time=worked).count() == 2


def test_attesting_with_unconfirmed_shifts_is_refused_with_the_list(world: World) -> None:
    services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    shift(world, 1, 7, 8)
    shift(world, 2, 22, 9, kind="on_call")
    with pytest.raises(ValidationError) as refused:
        services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    message = refused.value.message_dict["month"][0]
    assert "2 obekräftade pass" in message and "2030-03-05 07:00–15:00" in message
    assert "2030-03-06 22:00–2030-03-07 07:00" in message
    assert not Attestation.objects.exists()


def test_attestation_then_a_change_is_a_marked_revision_by_the_manager(world: World, frozen_clock: Any) -> None:
    worked = services.worked_time_confirm(actor=world.user, shift=shift(world, 0, 7, 8))
    with pytest.raises(PermissionDenied):
        services.attestation_create(actor=world.user, employee=world.employee, month=MARCH)
    attestation = services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    assert (attestation.minutes, attestation.entries, attestation.attested_by) == (480, 1, world.manager)
    with pytest.raises(ValidationError) as twice:
        services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    assert _field(twice.value) == {"month"}
    # The assistant can no longer change the attested month; the manager can, with a reason.
    change = {"worked_time": worked, "revision": 1, "starts_at": at(0, 7), "ends_at": at(0, 14)}
    with pytest.raises(ValidationError) as own:
        services.worked_time_revise(actor=world.user, reason="Gick tidigare", **change)
    assert _field(own.value) == {"reason"}
    frozen_clock(AFTER_MARCH + datetime.timedelta(hours=1))
    revised = services.worked_time_revise(actor=world.manager, reason="Gick hem sjuk 14.00", **change)
    latest = revised.revisions.order_by("-number").first()
    assert latest is not None and latest.after_attestation and latest.recorded_by == world.manager
    frozen_clock(AFTER_MARCH + datetime.timedelta(hours=2))
    again = services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    assert again.minutes == 420 and Attestation.objects.count() == 2


def test_a_month_not_yet_ended_is_not_attested(world: World, frozen_clock: Any) -> None:
    frozen_clock(at(10, 12))
    with pytest.raises(ValidationError) as refused:
        services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    assert "inte slut" in refused.value.message_dict["month"][0]
