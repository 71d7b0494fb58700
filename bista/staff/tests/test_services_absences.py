"""Absences: create, correct (with a version), end an ongoing one, cancel; overlaps and other bad input
refused with nothing saved; never deleted."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.core.errors import ConflictError
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.staff import services
from bista.staff.models import Absence, Employee
from bista.staff.tests.support import D, add_absence, hire, staff_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", start=D(2020, 1, 1))


def refused(call: Any, field: str, code: str) -> ValidationError:
    before = staff_state()
    with pytest.raises(ValidationError) as caught:
        call()
    assert [e.code for e in caught.value.error_dict[field]] == [code], caught.value
    assert staff_state() == before
    return caught.value


def test_create_an_ongoing_sick_leave_and_a_vacation(eva: Employee, manager: Any) -> None:
    sick = services.absence_create(actor=manager, employee=eva, kind="sick", starts_on=D(2025, 3, 3), note=" Ring ")
    assert sick.ends_on is None and sick.extent == 100 and sick.note == "Ring" and sick.recorded_by == manager
    vacation = services.absence_create(
        actor=manager, employee=eva, kind="vacation", starts_on=D(2025, 2, 1), ends_on=D(2025, 2, 14), extent=50
    )
    assert vacation.extent == 50
    assert AuditEvent.objects.filter(action="absence.create").count() == 2


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (D(2025, 3, 5), D(2025, 3, 6), "starts_on"),  # inside
        (D(2025, 3, 1), D(2025, 3, 3), "ends_on"),  # ends on the first day of the other
        (D(2025, 3, 10), None, "starts_on"),  # starts on its last day
        (D(2025, 2, 1), None, "ends_on"),  # ongoing from before: covers it
        (D(2025, 2, 1), D(2025, 4, 1), "ends_on"),  # spans it
    ],
)
def test_overlapping_absences_are_refused(
    eva: Employee, manager: Any, starts_on: Any, ends_on: Any, field: str
) -> None:
    add_absence(eva, D(2025, 3, 3), D(2025, 3, 10), kind="vacation")
    error = refused(
        lambda: services.absence_create(actor=manager, employee=eva, kind="sick", starts_on=starts_on, ends_on=ends_on),
        field,
        "overlap",
    )
    assert "Semester 2025-03-03 – 2025-03-10" in error.error_dict[field][0].messages[0]


def test_an_ongoing_absence_blocks_every_later_day(eva: Employee, manager: Any) -> None:
    add_absence(eva, D(2025, 3, 3))
    error = refused(lambda: add_absence(eva, D(2026, 1, 1), D(2026, 1, 2), kind="vacation"), "starts_on", "overlap")
    assert "pågående" in error.error_dict["starts_on"][0].messages[0]


def test_a_cancelled_absence_does_not_block_and_an_adjacent_row_is_allowed(eva: Employee, manager: Any) -> None:
    wrong = add_absence(eva, D(2025, 3, 3), D(2025, 3, 10))
    services.absence_cancel(actor=manager, absence=wrong)
    full = add_absence(eva, D(2025, 3, 3), D(2025, 3, 10))
    half = add_absence(eva, D(2025, 3, 11), D(2025, 3, 20), extent=50)  # a new extent: the same sickness goes on
    assert full.pk != wrong.pk and half.extent == 50


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        ({"starts_on": D(2025, 3, 3), "ends_on": D(2025, 3, 2)}, "ends_on", "end_before_start"),
        ({"starts_on": D(2019, 12, 31)}, "starts_on", "before_employment"),
        ({"starts_on": D(2025, 3, 3), "extent": 0}, "extent", "min_value"),
        ({"starts_on": D(2025, 3, 3), "extent": 101}, "extent", "max_value"),
        ({"starts_on": D(2025, 3, 3), "kind": "ledig"}, "kind", "invalid_choice"),
    ],
)
def test_bad_absences_are_refused(eva: Employee, manager: Any, values: Any, field: str, code: str) -> None:
    values = {"kind": "sick", **values}
    refused(lambda: services.absence_create(actor=manager, employee=eva, **values), field, code)


def test_an_absence_outside_the_employment_is_refused(org: Organisation, manager: Any) -> None:
    gone = hire(org.provider, "Gus", "Gone", end_date=D(2025, 6, 30))
    refused(lambda: add_absence(gone, D(2025, 7, 1)), "starts_on", "after_employment")
    refused(lambda: add_absence(gone, D(2025, 6, 1), D(2025, 7, 5)), "ends_on", "after_employment")


def test_absences_need_the_absence_permission_in_the_employees_unit(
    eva: Employee, other_manager: Any, staffer: Any
) -> None:
    for actor in (other_manager, staffer):
        before = staff_state()
        with pytest.raises(PermissionDenied):
            add_absence(eva, D(2025, 3, 3), actor=actor)
        assert staff_state() == before
    absence = add_absence(eva, D(2025, 3, 3))
    for call in (
        lambda: services.absence_update(actor=other_manager, absence=absence, version=1, note="x"),
        lambda: services.absence_end(actor=other_manager, absence=absence, ends_on=D(2025, 3, 9)),
        lambda: services.absence_cancel(actor=staffer, absence=absence),
    ):
        before = staff_state()
        with pytest.raises(PermissionDenied):
            call()
        assert staff_state() == before


def test_update_with_the_current_version(eva: Employee, manager: Any) -> None:
    absence = add_absence(eva, D(2025, 3, 3), D(2025, 3, 10))
    updated = services.absence_update(
        actor=manager, absence=absence, version=1, ends_on=D(2025, 3, 12), extent=75, note="Läkarintyg"
    )
    assert (updated.ends_on, updated.extent, updated.note, updated.version) == (D(2025, 3, 12), 75, "Läkarintyg", 2)
    event = AuditEvent.objects.get(action="absence.update")
    assert event.old_values["ends_on"] == "2025-03-10" and event.new_values["ends_on"] == "2025-03-12"


def test_a_stale_update_is_a_conflict_and_saves_nothing(eva: Employee, manager: Any) -> None:
    absence = add_absence(eva, D(2025, 3, 3), D(2025, 3, 10))
    services.absence_update(actor=manager, absence=absence, version=1, note="Först")
    before = staff_state()
    with pytest.raises(ConflictError) as caught:
        services.absence_update(actor=manager, absence=absence, version=1, note="Sen")
    assert caught.value.current_version == 2
    assert staff_state() == before


def test_an_update_into_another_absence_is_refused(eva: Employee, manager: Any) -> None:
    add_absence(eva, D(2025, 3, 3), D(2025, 3, 10))
    later = add_absence(eva, D(2025, 4, 1), D(2025, 4, 5), kind="vacation")
    refused(
        lambda: services.absence_update(actor=manager, absence=later, version=1, starts_on=D(2025, 3, 9)),
        "starts_on",
        "overlap",
    )
    moved = services.absence_update(actor=manager, absence=later, version=1, starts_on=D(2025, 3, 11))
    assert moved.starts_on == D(2025, 3, 11)


def test_end_an_ongoing_absence(eva: Employee, manager: Any) -> None:
    absence = add_absence(eva, D(2025, 3, 3))
    refused(
        lambda: services.absence_end(actor=manager, absence=absence, ends_on=D(2025, 3, 2)),
        "ends_on",
        "end_before_start",
    )
    ended = services.absence_end(actor=manager, absence=absence, ends_on=D(2025, 3, 20), version=1)
    assert ended.ends_on == D(2025, 3, 20) and ended.version == 2
    refused(
        lambda: services.absence_end(actor=manager, absence=absence, ends_on=D(2025, 3, 25)),
        "ends_on",
        "not_ongoing",
    )
    with pytest.raises(ConflictError):
        services.absence_end(actor=manager, absence=add_absence(eva, D(2025, 5, 1)), ends_on=D(2025, 5, 3), version=7)


def test_cancel_keeps_the_row(eva: Employee, manager: Any) -> None:
    absence = add_absence(eva, D(2025, 3, 3), D(2025, 3, 10))
    cancelled = services.absence_cancel(actor=manager, absence=absence, version=1)
    assert cancelled.cancelled_at is not None and cancelled.cancelled_by == manager and cancelled.version == 2
    refused(lambda: services.absence_cancel(actor=manager, absence=absence), "__all__", "already_cancelled")
    refused(
        lambda: services.absence_update(actor=manager, absence=absence, version=2, note="x"), "__all__", "cancelled"
    )
    refused(lambda: services.absence_end(actor=manager, absence=absence, ends_on=D(2025, 3, 9)), "__all__", "cancelled")
    with pytest.raises(ValidationError):
        absence.delete()
    assert Absence.objects.filter(pk=absence.pk).exists()
    assert AuditEvent.objects.filter(action="absence.cancel", object_id=str(absence.pk)).count() == 1
