"""Rostering writes: shifts checked against the working-time rules, cancelling, sick calls and open shifts,
needs, exceptions and roster jobs. Every refusal is checked to have saved nothing."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from bista.core.access import SYSTEM
from bista.core.errors import ConflictError
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.rostering import services
from bista.rostering.models import BookedOccasion, NeedPattern, RosterJob, Shift, ShiftException
from bista.rostering.tests import factories as f
from bista.rostering.tests.factories import at
from bista.staff import services as staff_services
from bista.staff.models import Absence, ClientStaffChoice, Competence

pytestmark = pytest.mark.django_db


@pytest.fixture
def astrid(org: Organisation) -> Any:
    return f.make_client(org.provider, teams=[org.team])


@pytest.fixture
def order(org: Organisation, astrid: Any) -> Any:
    return f.make_order(astrid, org.provider, team=org.team)


@pytest.fixture
def anna(org: Organisation) -> Any:
    return f.make_employee(org.provider, "Anna", "Berg", teams=[org.team])


@pytest.fixture
def bo(org: Organisation) -> Any:
    return f.make_employee(org.provider, "Bo", "Ek", teams=[org.team], gender="M")


def state() -> dict[str, Any]:
    """Everything the rostering services write, to compare before and after a refusal."""
    return {
        "shifts": sorted(
            Shift.objects.values_list("pk", "version", "status", "employee_id", "starts_at", "ends_at", "note")
        ),
        "patterns": sorted(NeedPattern.objects.values_list("pk", "valid_to")),
        "occasions": sorted(BookedOccasion.objects.values_list("pk", "cancelled_at")),
        "jobs": sorted(RosterJob.objects.values_list("pk", "status", "version")),
        "exceptions": ShiftException.objects.count(),
        "absences": Absence.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def refused(call: Any, *, code: str | None = None, field: str | None = None) -> ValidationError:
    """Run `call`, expect a ValidationError (with `code` at `field`), and that nothing was saved."""
    before = state()
    with pytest.raises(ValidationError) as caught:
        call()
    assert state() == before
    error = caught.value
    if field is not None:
        assert field in error.error_dict, error
    if code is not None:
        codes = [e.code for items in error.error_dict.values() for e in items]
        assert code in codes, error
    return error


def messages(error: ValidationError) -> str:
    return " ".join(m for items in error.message_dict.values() for m in items)


# --- shift_create ------------------------------------------------------------------------------------


def test_create_draft(org: Organisation, astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    shift = f.shift(anna, astrid, at(0, 7), 8, actor=manager, status="draft", note=" Morgon ")
    assert shift.pk is not None
    assert (shift.status, shift.unit, shift.employee, shift.note) == ("draft", org.provider, anna, "Morgon")
    assert shift.hours == 8
    assert not shift.is_overtime and not shift.is_hourly_paid
    assert services.warnings_of(shift) == []
    event = AuditEvent.objects.get(action="shift.create", object_id=str(shift.pk))
    assert event.actor == manager
    assert event.new_values["employee"] == anna.pk


def test_create_published_open_shift(astrid: Any, order: Any, manager: Any) -> None:
    shift = f.shift(None, astrid, at(0, 22), 9, actor=manager)
    assert shift.employee is None and shift.status == "published"


def test_create_marks_hourly_paid(org: Organisation, astrid: Any, order: Any) -> None:
    hourly = f.make_employee(org.provider, "Tim", "Avlönad", employment_type="timavlonad", teams=[org.team])
    shift = f.shift(hourly, astrid, at(0, 7), 8)
    assert shift.is_hourly_paid


def test_create_end_before_start(astrid: Any, order: Any, anna: Any) -> None:
    call = lambda: services.shift_create(  # noqa: E731
        actor=SYSTEM, client=astrid, employee=anna, starts_at=at(0, 15), ends_at=at(0, 7), kind="active"
    )
    refused(call, code="end_before_start", field="ends_at")


def test_create_naive_time(astrid: Any, order: Any, anna: Any) -> None:
    naive = datetime.datetime(2030, 3, 4, 7)
    call = lambda: services.shift_create(  # noqa: E731
        actor=SYSTEM, client=astrid, employee=anna, starts_at=naive, ends_at=naive + datetime.timedelta(hours=8)
    )
    refused(call, code="naive", field="starts_at")


def test_create_unknown_kind(astrid: Any, order: Any, anna: Any) -> None:
    refused(lambda: f.shift(anna, astrid, at(0, 7), 8, kind="sleep"), field="kind")


def test_create_overlapping(astrid: Any, order: Any, anna: Any) -> None:
    f.shift(anna, astrid, at(0, 7), 8)
    error = refused(lambda: f.shift(anna, astrid, at(0, 14), 4), code="rule_violation", field="__all__")
    assert "Anna Berg" in messages(error)


def test_create_26_hour_pass(astrid: Any, order: Any, anna: Any) -> None:
    error = refused(lambda: f.shift(anna, astrid, at(0, 7), 26), code="rule_violation", field="ends_at")
    assert "Anna Berg" in messages(error)


def test_create_26_hour_open_shift(astrid: Any, order: Any) -> None:
    refused(lambda: f.shift(None, astrid, at(0, 7), 26), code="too_long", field="ends_at")


def test_create_short_daily_rest(astrid: Any, order: Any, anna: Any) -> None:
    f.shift(anna, astrid, at(0, 7), 8)  # until 15:00
    error = refused(lambda: f.shift(anna, astrid, at(0, 22), 9), code="rule_violation")  # 7 h of rest
    assert "dygnsvila" in messages(error)


def test_long_pass_needs_a_registered_exception(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    refused(lambda: f.shift(anna, astrid, at(0, 8), 22), code="rule_violation", field="ends_at")
    exception = services.exception_register(
        actor=manager,
        employee=anna,
        reference="Lokalt avtal 2030:1",
        valid_from=f.day(0),
        valid_to=f.day(30),
        client=astrid,
    )
    shift = f.shift(anna, astrid, at(0, 8), 22, actor=manager)
    assert shift.exception == exception
    # ... and then a rest at least as long as the pass: 22 h after 06:00 on Tuesday is 04:00 on Wednesday.
    refused(lambda: f.shift(anna, astrid, at(1, 20), 8), code="rule_violation")
    assert f.shift(anna, astrid, at(2, 6), 8).exception is None


def test_create_for_a_sick_person(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    staff_services.absence_create(actor=manager, employee=anna, kind="sick", starts_on=f.day(0), ends_on=f.day(2))
    error = refused(lambda: f.shift(anna, astrid, at(1, 7), 8), code="rule_violation", field="employee")
    assert "frånvarande" in messages(error)


def test_create_for_an_excluded_person(astrid: Any, order: Any, anna: Any) -> None:
    staff_services.client_staff_choice_add(
        actor=SYSTEM, client=astrid, employee=anna, kind=ClientStaffChoice.Kind.EXCLUDED, since=f.day(-30)
    )
    refused(lambda: f.shift(anna, astrid, at(0, 7), 8), code="rule_violation", field="employee")


def test_create_without_required_competence(astrid: Any, order: Any, anna: Any) -> None:
    staff_services.client_competence_need_add(
        actor=SYSTEM, client=astrid, since=f.day(-30), competence=Competence.objects.get(code="epilepsi")
    )
    refused(lambda: f.shift(anna, astrid, at(0, 7), 8), code="rule_violation", field="employee")
    staff_services.competence_add(
        actor=SYSTEM,
        employee=anna,
        competence=Competence.objects.get(code="epilepsi"),
        evidence="Kurs",
        acquired_on=datetime.date(2024, 1, 1),
    )
    assert f.shift(anna, astrid, at(0, 7), 8).pk


def test_hours_beyond_the_decision_are_a_warning(org: Organisation, anna: Any) -> None:
    client = f.make_client(org.provider, "Nils", "Holm", teams=[org.team])
    f.make_order(client, org.provider, scope_amount=8, scope_unit="month")
    shift = f.shift(anna, client, at(0, 7), 10)
    assert shift.pk
    assert [w.rule for w in services.warnings_of(shift)] == ["decision_hours"]


def test_hours_beyond_the_contract_become_overtime(org: Organisation, astrid: Any, order: Any) -> None:
    part_time = f.make_employee(org.provider, "Karin", "Dal", employment_rate=25, teams=[org.team])
    # 25 % of 40 h a week over March (31 days) is 44 h 17 min: the fifth 10-hour day goes beyond it.
    shifts = [f.shift(part_time, astrid, at(n, 8), 10) for n in range(5)]
    assert [s.is_overtime for s in shifts] == [False, False, False, False, True]
    assert "ordinary_hours" in [w.rule for w in services.warnings_of(shifts[-1])]


def test_create_without_permission(astrid: Any, order: Any, anna: Any, nobody: Any, other_manager: Any) -> None:
    for actor in (nobody, other_manager):
        before = state()
        with pytest.raises(PermissionDenied):
            f.shift(anna, astrid, at(0, 7), 8, actor=actor)
        with pytest.raises(PermissionDenied):
            f.shift(None, astrid, at(0, 7), 8, actor=actor)
        assert state() == before


def test_create_for_an_employee_of_another_unit(org: Organisation, astrid: Any, order: Any) -> None:
    stranger = f.make_employee(org.other_unit, "Sten", "Annan")
    refused(lambda: f.shift(stranger, astrid, at(0, 7), 8), code="other_unit", field="client")


def test_create_outside_the_employment(org: Organisation, astrid: Any, order: Any) -> None:
    leaver = staff_services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        first_name="Lena",
        last_name="Slut",
        employment_type="vikariat",
        start_date=datetime.date(2029, 1, 1),
        end_date=f.day(0),
        fictitious=True,
    )
    refused(lambda: f.shift(leaver, astrid, at(0, 20), 8), code="not_employed", field="employee")


# --- shift_update and shift_cancel -------------------------------------------------------------------


def test_update_draft(astrid: Any, order: Any, anna: Any, bo: Any, manager: Any) -> None:
    shift = f.shift(anna, astrid, at(0, 7), 8, status="draft")
    updated = services.shift_update(
        actor=manager, shift=shift, version=shift.version, employee=bo, starts_at=at(0, 8), ends_at=at(0, 16)
    )
    assert (updated.employee, updated.hours, updated.version) == (bo, 8, 2)
    event = AuditEvent.objects.get(action="shift.update")
    assert event.old_values["employee"] == anna.pk and event.new_values["employee"] == bo.pk


def test_update_with_a_stale_version(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    shift = f.shift(anna, astrid, at(0, 7), 8, status="draft")
    services.shift_update(actor=manager, shift=shift, version=1, note="Första")
    before = state()
    with pytest.raises(ConflictError) as caught:
        services.shift_update(actor=manager, shift=shift, version=1, note="Andra")
    assert state() == before
    assert caught.value.current_version == 2
    # The same error is a validation error with code "conflict" for forms.
    assert isinstance(caught.value, ValidationError)
    assert caught.value.error_dict["__all__"][0].code == "conflict"
    assert "ändrat" in str(caught.value)


def test_update_refused_by_a_rule(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    f.shift(anna, astrid, at(0, 7), 8)
    draft = f.shift(anna, astrid, at(1, 7), 8, status="draft")
    refused(
        lambda: services.shift_update(actor=manager, shift=draft, version=1, starts_at=at(0, 10), ends_at=at(0, 18)),
        code="rule_violation",
    )


def test_update_end_before_start(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    draft = f.shift(anna, astrid, at(1, 7), 8, status="draft")
    refused(
        lambda: services.shift_update(actor=manager, shift=draft, version=1, ends_at=at(1, 6)),
        code="end_before_start",
        field="ends_at",
    )


def test_published_shift_is_frozen(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    shift = f.shift(anna, astrid, at(0, 7), 8)
    refused(lambda: services.shift_update(actor=manager, shift=shift, version=1, note="x"), code="frozen")


def test_update_without_permission(astrid: Any, order: Any, anna: Any, other_manager: Any) -> None:
    draft = f.shift(anna, astrid, at(1, 7), 8, status="draft")
    before = state()
    with pytest.raises(PermissionDenied):
        services.shift_update(actor=other_manager, shift=draft, version=1, note="x")
    assert state() == before


def test_cancel(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    shift = f.shift(anna, astrid, at(0, 7), 8)
    refused(lambda: services.shift_cancel(actor=manager, shift=shift, reason=" "), code="required", field="reason")
    cancelled = services.shift_cancel(actor=manager, shift=shift, reason="Brukaren är på läger")
    assert cancelled.status == "cancelled" and "Brukaren är på läger" in cancelled.note
    assert Shift.objects.filter(pk=shift.pk).exists()  # never deleted
    assert AuditEvent.objects.filter(action="shift.cancel", object_id=str(shift.pk)).exists()
    refused(lambda: services.shift_cancel(actor=manager, shift=shift, reason="igen"), code="invalid_status")
    # A cancelled shift no longer takes the time.
    assert f.shift(anna, astrid, at(0, 7), 8).pk


# --- Sick calls and open shifts ------------------------------------------------------------------------


def test_sick_call(astrid: Any, order: Any, anna: Any, manager: Any) -> None:
    monday = f.shift(anna, astrid, at(0, 7), 8)
    tuesday = f.shift(anna, astrid, at(1, 7), 8)
    draft = f.shift(anna, astrid, at(2, 7), 8, status="draft")
    later = f.shift(anna, astrid, at(4, 7), 8)
    absence, open_shifts = services.sick_call(
        actor=manager, employee=anna, starts_on=f.day(0), ends_on=f.day(2), note="Influensa"
    )
    assert (absence.kind, absence.starts_on, absence.ends_on, absence.employee) == ("sick", f.day(0), f.day(2), anna)
    for original in (monday, tuesday):
        original.refresh_from_db()
        assert (original.status, original.absence) == ("absent", absence)
    assert [(s.replaces, s.employee, s.status, s.starts_at, s.client) for s in open_shifts] == [
        (monday, None, "published", monday.starts_at, astrid),
        (tuesday, None, "published", tuesday.starts_at, astrid),
    ]
    draft.refresh_from_db()
    later.refresh_from_db()
    assert draft.employee is None and draft.status == "draft"
    assert later.employee == anna and later.status == "published"
    assert AuditEvent.objects.filter(action="shift.absent").count() == 2
    assert AuditEvent.objects.filter(action="shift.open").count() == 2


def test_sick_call_refusals(astrid: Any, order: Any, anna: Any, manager: Any, other_manager: Any) -> None:
    f.shift(anna, astrid, at(0, 7), 8)
    refused(lambda: services.sick_call(actor=manager, employee=anna, starts_on=f.day(2), ends_on=f.day(1)))
    services.sick_call(actor=manager, employee=anna, starts_on=f.day(0), ends_on=f.day(1))
    refused(lambda: services.sick_call(actor=manager, employee=anna, starts_on=f.day(1)), code="overlap")
    before = state()
    with pytest.raises(PermissionDenied):
        services.sick_call(actor=other_manager, employee=anna, starts_on=f.day(5))
    assert state() == before


def test_assign_open_shift(astrid: Any, order: Any, anna: Any, bo: Any, manager: Any) -> None:
    f.shift(anna, astrid, at(0, 7), 8)
    _, (open_shift,) = services.sick_call(actor=manager, employee=anna, starts_on=f.day(0), ends_on=f.day(0))
    # The sick employee cannot take it back.
    refused(
        lambda: services.open_shift_assign(actor=manager, shift=open_shift, employee=anna, version=1),
        code="rule_violation",
        field="employee",
    )
    assigned = services.open_shift_assign(actor=manager, shift=open_shift, employee=bo, version=1)
    assert (assigned.employee, assigned.version, assigned.status) == (bo, 2, "published")
    assert AuditEvent.objects.filter(action="shift.assign", object_id=str(open_shift.pk)).exists()
    with pytest.raises(ConflictError):
        services.open_shift_assign(actor=manager, shift=open_shift, employee=bo, version=1)
    refused(
        lambda: services.open_shift_assign(actor=manager, shift=open_shift, employee=bo, version=2),
        code="assigned",
    )


def test_assign_to_someone_of_another_unit(org: Organisation, astrid: Any, order: Any, manager: Any) -> None:
    open_shift = f.shift(None, astrid, at(0, 7), 8)
    stranger = f.make_employee(org.other_unit, "Sten", "Annan")
    refused(
        lambda: services.open_shift_assign(actor=manager, shift=open_shift, employee=stranger, version=1),
        code="other_unit",
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_saves_for_one_employee_cannot_both_pass(org: Organisation, astrid: Any, order: Any) -> None:
    """Two overlapping shifts for one person saved at the same moment: the employee row lock makes the
    second wait for the first and then see it, so exactly one is saved."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    anna = f.make_employee(org.provider, "Anna", "Berg", teams=[org.team])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(hour: int) -> None:
        try:
            barrier.wait()
            f.shift(anna, astrid, at(0, hour), 8)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(hour,)) for hour in (7, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert Shift.objects.filter(employee=anna).count() == 1


# --- Needs ----------------------------------------------------------------------------------------------


def test_need_pattern_create_and_end(order: Any, manager: Any) -> None:
    pattern = services.need_pattern_create(
        actor=manager,
        order=order,
        weekdays="5,1 3",
        start_time=datetime.time(22),
        end_time=datetime.time(7),
        valid_from=f.day(0),
        staff_count=2,
    )
    assert (pattern.weekdays, pattern.client, pattern.staff_count) == ("135", order.client, 2)
    assert AuditEvent.objects.filter(action="need_pattern.create").exists()
    refused(lambda: services.need_pattern_end(actor=manager, pattern=pattern, last_day=f.day(-1)), field="last_day")
    ended = services.need_pattern_end(actor=manager, pattern=pattern, last_day=f.day(13))
    assert ended.valid_to == f.day(13) and ended.ended_at is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": "18"}, "weekdays"),
        ({"weekdays": "11"}, "weekdays"),
        ({"weekdays": ""}, "weekdays"),
        ({"valid_to": datetime.date(2030, 3, 1)}, "valid_to"),
        ({"valid_from": datetime.date(2020, 1, 1)}, "valid_from"),
        ({"staff_count": 5}, "staff_count"),
        ({"kind": "nap"}, "kind"),
    ],
)
def test_need_pattern_bad_input(order: Any, manager: Any, changes: dict[str, Any], field: str) -> None:
    values = {
        "weekdays": "12345",
        "start_time": datetime.time(7),
        "end_time": datetime.time(15),
        "valid_from": f.day(0),
        **changes,
    }
    refused(lambda: services.need_pattern_create(actor=manager, order=order, **values), field=field)


def test_need_pattern_without_permission(order: Any, other_manager: Any) -> None:
    with pytest.raises(PermissionDenied):
        f.pattern(order, 7, 15, valid_from=f.day(0), actor=other_manager)
    assert NeedPattern.objects.count() == 0


def test_booked_occasion_create_and_cancel(org: Organisation, anna: Any, manager: Any) -> None:
    client = f.make_client(org.provider, "Olle", "Ledsen", teams=[org.team])
    escort = f.make_order(client, org.provider, scope_amount=4, scope_unit="occasion", service_code="lss_9_3")
    occasion = services.booked_occasion_create(
        actor=manager, order=escort, starts_at=at(2, 18), ends_at=at(2, 21), note="Bio"
    )
    assert (occasion.client, occasion.staff_count) == (client, 1)
    refused(
        lambda: services.booked_occasion_create(actor=manager, order=escort, starts_at=at(2, 18), ends_at=at(2, 17)),
        code="end_before_start",
    )
    shift = f.shift(anna, client, at(2, 18), 3)
    Shift.objects.filter(pk=shift.pk).update(booked_occasion=occasion)  # as the optimiser's proposal links it
    services.booked_occasion_cancel(actor=manager, occasion=occasion, reason="Brukaren är sjuk")
    occasion.refresh_from_db()
    shift.refresh_from_db()
    assert occasion.cancelled_at is not None and shift.status == "cancelled"
    refused(lambda: services.booked_occasion_cancel(actor=manager, occasion=occasion), code="cancelled")


def test_needs_from_order_around_the_clock(order: Any, manager: Any) -> None:
    proposal = services.needs_from_order(actor=manager, order=order)
    assert [(p.start_time.hour, p.end_time.hour, p.weekdays, p.staff_count) for p in proposal] == [
        (7, 15, "1234567", 1),
        (15, 22, "1234567", 1),
        (22, 7, "1234567", 1),
    ]
    assert all(p.pk is None for p in proposal)  # a proposal: nothing saved


def test_needs_from_order_within_smaller_scopes(org: Organisation, manager: Any) -> None:
    client = f.make_client(org.provider, "Per", "Liten")
    small = f.make_order(client, org.provider, scope_amount=20)
    (only,) = services.needs_from_order(actor=manager, order=small)
    assert (only.weekdays, only.start_time, only.end_time) == ("12345", datetime.time(7), datetime.time(11))
    larger = f.make_order(client, org.provider, scope_amount=84, service_code="lss_9_4")
    proposal = services.needs_from_order(actor=manager, order=larger)
    per_day = sum(
        (datetime.datetime.combine(f.MONDAY, p.end_time) - datetime.datetime.combine(f.MONDAY, p.start_time)).seconds
        / 3600
        for p in proposal
    )
    assert per_day * 7 <= 84 and per_day == 12
    occasions = f.make_order(client, org.provider, scope_amount=2, scope_unit="occasion", service_code="lss_9_3")
    assert services.needs_from_order(actor=manager, order=occasions) == []


# --- Exceptions --------------------------------------------------------------------------------------------


def test_exception_register_refusals(anna: Any, manager: Any, other_manager: Any) -> None:
    refused(
        lambda: services.exception_register(
            actor=manager, employee=anna, reference="", valid_from=f.day(0), valid_to=f.day(1)
        ),
        field="reference",
    )
    refused(
        lambda: services.exception_register(
            actor=manager, employee=anna, reference="Avtal", valid_from=f.day(1), valid_to=f.day(0)
        ),
        field="valid_to",
    )
    with pytest.raises(PermissionDenied):
        services.exception_register(
            actor=other_manager, employee=anna, reference="Avtal", valid_from=f.day(0), valid_to=f.day(1)
        )
    exception = services.exception_register(
        actor=manager, employee=anna, reference="Avtal", valid_from=f.day(0), valid_to=f.day(1)
    )
    revoked = services.exception_revoke(actor=manager, exception=exception)
    assert revoked.revoked_at is not None


# --- Roster jobs (starting; the run itself is in test_tasks) ------------------------------------------------


def _next_monday(weeks_ahead: int = 1) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 * weeks_ahead - today.weekday())


@pytest.fixture
def needs(order: Any) -> Any:
    return f.pattern(order, 7, 15, valid_from=_next_monday(), weekdays="12345")


def start(actor: Any, unit: Any, **overrides: Any) -> RosterJob:
    values: dict[str, Any] = {
        "period_start": _next_monday(),
        "period_end": _next_monday() + datetime.timedelta(days=13),
        "weights": {"overtime": 10},
        "time_limit_seconds": 10,
        **overrides,
    }
    return services.roster_job_start(actor=actor, unit=unit, **values)


def test_job_start(org: Organisation, needs: Any, manager: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        job = start(manager, org.provider)
    assert (job.status, job.created_by, job.days) == ("queued", manager, 14)
    assert job.weights["overtime"] == 10 and job.weights["continuity"] == 20  # defaults filled in
    assert len(callbacks) == 1  # the task is enqueued when the transaction commits
    assert AuditEvent.objects.filter(action="roster_job.start", object_id=str(job.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"period_end": "+12"}, "period_end", "period_length"),
        ({"period_end": "+42"}, "period_end", "period_length"),
        ({"period_end": "-1"}, "period_end", "end_before_start"),
        ({"period_start": "-8"}, "period_start", "past"),
        ({"weights": {"speed": 3}}, "weights", "unknown_weight"),
        ({"weights": {"overtime": 101}}, "weights", "out_of_range"),
        ({"weights": {"overtime": -1}}, "weights", "out_of_range"),
        ({"weights": {"overtime": "8"}}, "weights", "out_of_range"),
        ({"time_limit_seconds": 5}, "time_limit_seconds", "out_of_range"),
        ({"time_limit_seconds": 601}, "time_limit_seconds", "out_of_range"),
    ],
)
def test_job_start_bad_input(
    org: Organisation, needs: Any, manager: Any, overrides: dict[str, Any], field: str, code: str
) -> None:
    monday = _next_monday()
    values = dict(overrides)
    if "period_end" in values:
        values["period_end"] = monday + datetime.timedelta(days=int(values["period_end"]))
    if "period_start" in values:
        values["period_start"] = monday + datetime.timedelta(days=int(values["period_start"]))
        values["period_end"] = values["period_start"] + datetime.timedelta(days=20)
    refused(lambda: start(manager, org.provider, **values), field=field, code=code)


def test_job_start_without_needs(org: Organisation, order: Any, manager: Any) -> None:
    refused(lambda: start(manager, org.provider), code="no_needs", field="__all__")
    # A pattern that ends before the period is no need in it either.
    f.pattern(order, 7, 15, valid_from=f.day(0), valid_to=f.day(6))
    refused(lambda: start(manager, org.provider), code="no_needs")


def test_job_start_while_another_runs(org: Organisation, needs: Any, manager: Any) -> None:
    start(manager, org.provider)
    refused(lambda: start(manager, org.provider), code="busy")


def test_job_start_without_permission(org: Organisation, needs: Any, other_manager: Any, nobody: Any) -> None:
    for actor in (other_manager, nobody):
        with pytest.raises(PermissionDenied):
            start(actor, org.provider)
    assert RosterJob.objects.count() == 0


def test_job_stop_while_queued(org: Organisation, needs: Any, manager: Any) -> None:
    job = start(manager, org.provider)
    stopped = services.roster_job_stop(actor=manager, job=job)
    assert (stopped.status, stopped.stop_requested) == ("stopped", True)
    refused(lambda: services.roster_job_stop(actor=manager, job=job), code="finished")


def test_job_publish_and_discard_need_a_finished_job(org: Organisation, needs: Any, manager: Any) -> None:
    job = start(manager, org.provider)
    refused(lambda: services.roster_job_publish(actor=manager, job=job, version=1), code="invalid_status")
    refused(lambda: services.roster_job_discard(actor=manager, job=job), code="invalid_status")


def test_publish_a_draft_laid_by_hand(astrid: Any, order: Any, anna: Any, bo: Any, manager: Any) -> None:
    draft = f.shift(anna, astrid, at(1, 7), 8, status="draft")
    published = services.shift_publish(actor=manager, shift=draft, version=1)
    assert (published.status, published.version) == ("published", 2)
    assert AuditEvent.objects.filter(action="shift.publish", object_id=str(draft.pk)).exists()
    refused(lambda: services.shift_publish(actor=manager, shift=draft, version=2), code="invalid_status")
    # Checked against the rules as they stand when published: Bo has fallen ill since the draft was laid.
    later = f.shift(bo, astrid, at(3, 7), 8, status="draft")
    staff_services.absence_create(actor=manager, employee=bo, kind="sick", starts_on=f.day(3), ends_on=f.day(3))
    refused(lambda: services.shift_publish(actor=manager, shift=later, version=1), code="rule_violation")


def test_a_stale_running_job_no_longer_blocks(org: Organisation, needs: Any, manager: Any) -> None:
    job = start(manager, org.provider)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    RosterJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now())
    refused(lambda: start(manager, org.provider), code="busy")
    RosterJob.objects.filter(pk=job.pk).update(started_at=long_ago)  # the worker died an hour ago
    second = start(manager, org.provider)
    job.refresh_from_db()
    assert job.status == "failed" and "avbröts oväntat" in job.message
    RosterJob.objects.filter(pk=second.pk).update(status="running", started_at=long_ago)
    assert services.roster_job_stop(actor=manager, job=second).status == "failed"


def test_nights_across_daylight_saving_changes_have_their_elapsed_length(
    astrid: Any, order: Any, anna: Any, bo: Any
) -> None:
    spring = f.shift(anna, astrid, at(datetime.date(2030, 3, 30), 22), 9)  # 22:00 + 9 h elapsed
    assert spring.ends_at.astimezone(f.STOCKHOLM).hour == 8 and spring.hours == 9
    autumn = services.shift_create(
        actor=SYSTEM,
        client=astrid,
        employee=bo,
        starts_at=at(datetime.date(2030, 10, 26), 22),
        ends_at=at(datetime.date(2030, 10, 27), 7),
    )
    assert autumn.hours == 10  # the clock goes back: 22–07 is ten hours
