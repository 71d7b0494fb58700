"""Writes of shifts: create, edit, publish, cancel; a sick call and its replacements; taking an open shift.

Saving a shift runs the working-time rules on facts loaded around it (see the package docstring)."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from bista.clients.models import Client, ClientUnit
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, has_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.rostering import loaders, rules
from bista.rostering.facts import (
    ClientFacts,
    EmployeeFacts,
    ExceptionFact,
    Period,
    ShiftFact,
    Violation,
)
from bista.rostering.models import Shift, ShiftKind, ShiftRequest
from bista.rostering.services.common import (
    AUTHOR_FIELDS,
    WARNINGS_ATTR,
    ShiftConflict,
    _check_employed,
    _check_kind,
    _check_times,
    _error,
    _local_date,
    _lock_employees,
    _person,
    _utc,
)
from bista.staff import services as staff_services
from bista.staff.models import Absence, Employee

SHIFT_AUDITED = (
    "unit",
    "client",
    "employee",
    "starts_at",
    "ends_at",
    "kind",
    "status",
    "is_overtime",
    "is_hourly_paid",
    "absence",
    "replaces",
    "job",
    "exception",
    "note",
)
SHIFT_EDITABLE = ("employee", "starts_at", "ends_at", "kind", "note")
# Rules that only warn when one shift is saved by hand (the optimiser treats hours within the decision as hard).
SOFT_ON_SAVE = frozenset({"ordinary_hours", "decision_hours"})
# The field a hard violation is shown at; the others concern the shift as a whole.
RULE_FIELDS = {
    "absence": "employee",
    "competence": "employee",
    "delegation": "employee",
    "excluded": "employee",
    "pass_length": "ends_at",
}
# Around a shift, the employee's shifts this far before and after are checked against it (rest, passes).
AROUND = datetime.timedelta(days=7)
# An open shift has no regime yet; no regime allows a longer pass than this, even with an exception.
MAX_OPEN_SHIFT = datetime.timedelta(hours=24)


def _locked_shift(shift: Shift, version: int | None) -> Shift:
    return lock_for_edit(Shift, shift.pk, version, related=("employee", "client"), conflict=ShiftConflict)


def _shift_unit(actor: Any, client: Client, employee: Employee | None) -> Unit:
    """The unit the shift belongs to: the employee's (the client must be linked to it), or for an open
    shift the client's unit where the actor may lay rosters."""
    links = list(
        ClientUnit.objects.filter(client=client, until__isnull=True).select_related("unit").order_by("unit_id")
    )
    if employee is not None:
        check_perm(actor, Perm.ROSTER_MANAGE, employee.unit_id)
        if not any(link.unit_id == employee.unit_id for link in links):
            raise _error("client", "Brukaren hör inte till medarbetarens enhet.", "other_unit")
        return employee.unit
    providers = [link.unit for link in links if link.unit.kind == Unit.Kind.PROVIDER] or [link.unit for link in links]
    for unit in providers:
        if actor is SYSTEM or has_perm(actor, Perm.ROSTER_MANAGE, unit):
            return unit
    if not providers:
        raise _error("client", "Brukaren är inte kopplad till någon enhet.", "no_unit")
    raise PermissionDenied(f"Behörighet saknas: {Perm.ROSTER_MANAGE}")


class _Checked:
    """The outcome of checking one shift: soft violations, overtime and the exception that allows it."""

    def __init__(self, warnings: list[Violation], is_overtime: bool, hourly_paid: bool, exception_id: int | None):
        self.warnings = warnings
        self.is_overtime = is_overtime
        self.hourly_paid = hourly_paid
        self.exception_id = exception_id


def _others(shift: Shift, period: Period) -> list[ShiftFact]:
    """The employee's shifts around `shift` (and in its contract period) and the client's in the period."""
    condition = Q(client_id=shift.client_id, starts_at__lt=period.ends_at(), ends_at__gt=period.starts_at())
    if shift.employee_id is not None:
        since = min(period.starts_at(), shift.starts_at - AROUND)
        until = max(period.ends_at(), shift.ends_at + AROUND)
        condition |= Q(employee_id=shift.employee_id, starts_at__lt=until, ends_at__gt=since)
    rows = Shift.objects.filter(condition, status__in=loaders.LIVE_STATUSES).only(
        "pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status"
    )
    if shift.pk:
        rows = rows.exclude(pk=shift.pk)
    return [loaders.shift_fact(row) for row in rows.order_by("starts_at", "pk")]


def _covering_exception(fact: ShiftFact, others: Sequence[ShiftFact], employee: EmployeeFacts) -> ExceptionFact | None:
    """The registered exception a long pass relies on: when the work period holding the shift is longer
    than the regime's longest pass, the exception valid on its first day at its clients."""
    mine = [s for s in others if s.employee_id == employee.employee_id]
    for period in rules.work_periods([*mine, fact], employee.limits.daily_rest):
        if fact.key in {s.key for s in period.shifts} and period.span > employee.limits.max_pass:
            day = _local_date(period.starts_at)
            return rules.covering_exception(employee, day, {s.client_id for s in period.shifts})
    return None


def _refuse(violations: Iterable[Violation]) -> ValidationError:
    errors: dict[str, list[ValidationError]] = defaultdict(list)
    for violation in violations:
        field = RULE_FIELDS.get(violation.rule, NON_FIELD_ERRORS)
        # params carry the rule's code to the form; Django formats messages that have params, hence the %%.
        message = violation.message.replace("%", "%%")
        errors[field].append(ValidationError(message, code="rule_violation", params={"rule": violation.rule}))
    return ValidationError(dict(errors))


def _check_rules(shift: Shift) -> _Checked:
    """Check the (unsaved or changed) shift against the working-time rules; raise on a hard violation."""
    # Checked as ordinary time: hours beyond the contract come back as a warning and make it overtime.
    fact = dataclasses.replace(loaders.shift_fact(shift), is_overtime=False)
    period = rules.contract_period(_local_date(shift.starts_at))
    others = _others(shift, period)
    client: ClientFacts = loaders.client_facts([shift.client_id], period)[shift.client_id]
    employee: EmployeeFacts | None = None
    if shift.employee_id is not None:
        employee = loaders.employee_facts([shift.employee_id], period)[shift.employee_id]
    violations = rules.check_shift(fact, others, employee, client, period)
    hard = [v for v in violations if v.hard and v.rule not in SOFT_ON_SAVE]
    if hard:
        raise _refuse(hard)
    soft = [v for v in violations if not (v.hard and v.rule not in SOFT_ON_SAVE)]
    if employee is None:
        return _Checked(soft, False, False, None)
    mine = [s for s in others if s.employee_id == employee.employee_id]
    overtime = rules.overtime_hours_for(fact, mine, employee, period) > 0
    exception = _covering_exception(fact, others, employee)
    return _Checked(soft, overtime, employee.hourly_paid, exception.id if exception else None)


def _apply(shift: Shift, checked: _Checked) -> None:
    shift.is_overtime = checked.is_overtime
    shift.is_hourly_paid = checked.hourly_paid
    shift.exception_id = checked.exception_id


@transaction.atomic
def shift_create(
    *,
    actor: Any,
    client: Client,
    employee: Employee | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = ShiftKind.ACTIVE,
    note: str = "",
    status: str = Shift.Status.DRAFT,
) -> Shift:
    """Lay a shift by hand: a draft, or published at once. `employee=None` makes an open shift."""
    unit = _shift_unit(actor, client, employee)
    _check_times(starts_at, ends_at)
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    _check_kind(kind)
    if status not in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
        raise _error("status", "Ett nytt pass är ett utkast eller publicerat.", "invalid_choice")
    if not Client.objects.filter(pk=client.pk, is_active=True).exists():
        raise _error("client", "Brukaren är inte aktiv.", "inactive")
    if employee is None and ends_at - starts_at > MAX_OPEN_SHIFT:
        raise _error("ends_at", "Ett pass kan vara högst 24 timmar.", "too_long")
    _lock_employees(employee)
    if employee is not None:
        _check_employed(employee, starts_at, ends_at)
    shift = Shift(
        unit=unit,
        client=client,
        employee=employee,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        status=status,
        note=(note or "").strip(),
        created_by=_person(actor),
    )
    checked = _check_rules(shift)
    _apply(shift, checked)
    audit.save_new(shift, actor=actor, action="shift.create", fields=SHIFT_AUDITED, unit=unit, exclude=AUTHOR_FIELDS)
    setattr(shift, WARNINGS_ATTR, checked.warnings)
    return shift


@transaction.atomic
def shift_update(*, actor: Any, shift: Shift, version: int | None, **fields: Any) -> Shift:
    """Change a draft shift (employee, times, kind, note). Published shifts are frozen: they change only by
    cancelling, a sick call or assigning an open shift."""
    check_perm(actor, Perm.ROSTER_MANAGE, shift.unit_id)
    unknown = set(fields) - set(SHIFT_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    new_employee = fields.get("employee", shift.employee)
    if new_employee is not None and new_employee.unit_id != shift.unit_id:
        raise _error("employee", "Medarbetaren hör inte till passets enhet.", "other_unit")
    _lock_employees(shift.employee, new_employee)
    locked = _locked_shift(shift, version)
    if locked.status != Shift.Status.DRAFT:
        raise _error(
            "status",
            "Passet är publicerat och kan inte ändras. Ställ in det, eller sjukanmäl och tillsätt ett öppet pass.",
            "frozen",
        )
    old = audit.snapshot(locked, SHIFT_AUDITED)
    for field, value in fields.items():
        setattr(locked, field, value.strip() if isinstance(value, str) and field == "note" else value)
    _check_times(locked.starts_at, locked.ends_at)
    locked.starts_at, locked.ends_at = _utc(locked.starts_at), _utc(locked.ends_at)
    _check_kind(locked.kind)
    if locked.employee is None and locked.ends_at - locked.starts_at > MAX_OPEN_SHIFT:
        raise _error("ends_at", "Ett pass kan vara högst 24 timmar.", "too_long")
    checked = _Checked([], locked.is_overtime, locked.is_hourly_paid, locked.exception_id)
    if set(fields) - {"note"}:
        if locked.employee is not None:
            _check_employed(locked.employee, locked.starts_at, locked.ends_at)
        checked = _check_rules(locked)
        _apply(locked, checked)
    locked.full_clean(exclude=AUTHOR_FIELDS)
    locked.version += 1
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, SHIFT_AUDITED))
    if after:
        audit.record(actor=actor, action="shift.update", obj=locked, old=before, new=after, unit=locked.unit)
    setattr(locked, WARNINGS_ATTR, checked.warnings)
    return locked


@transaction.atomic
def shift_publish(*, actor: Any, shift: Shift, version: int | None) -> Shift:
    """Publish a draft laid by hand (a job's proposal is published as a whole with `roster_job_publish`):
    checked again against the rules as they stand now, then frozen."""
    check_perm(actor, Perm.ROSTER_MANAGE, shift.unit_id)
    _lock_employees(shift.employee)
    locked = _locked_shift(shift, version)
    if locked.status != Shift.Status.DRAFT:
        raise _error("status", "Bara ett utkast kan publiceras.", "invalid_status")
    if locked.job_id is not None:
        raise _error("status", "Passet hör till ett schemaförslag; publicera förslaget.", "in_job")
    checked = _check_rules(locked)
    _apply(locked, checked)
    old = audit.snapshot(locked, SHIFT_AUDITED)
    locked.status = Shift.Status.PUBLISHED
    locked.version += 1
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, SHIFT_AUDITED))
    audit.record(actor=actor, action="shift.publish", obj=locked, old=before, new=after, unit=locked.unit)
    setattr(locked, WARNINGS_ATTR, checked.warnings)
    return locked


@transaction.atomic
def shift_cancel(*, actor: Any, shift: Shift, reason: str, version: int | None = None) -> Shift:
    """Cancel a draft or published shift (a shift is never deleted); a published one needs a reason."""
    check_perm(actor, Perm.ROSTER_MANAGE, shift.unit_id)
    locked = _locked_shift(shift, version)
    reason = (reason or "").strip()
    if locked.status not in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
        raise _error(
            "status",
            f"Ett pass med status {locked.get_status_display().lower()} kan inte ställas in.",
            "invalid_status",
        )
    if locked.status == Shift.Status.PUBLISHED and not reason:
        raise _error("reason", "Ange varför passet ställs in.", "required")
    old = audit.snapshot(locked, ("status", "note"))
    locked.status = Shift.Status.CANCELLED
    if reason:
        locked.note = (f"{locked.note} — " if locked.note else "") + f"Inställt: {reason}"
        locked.note = locked.note[:300]
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="shift.cancel",
        obj=locked,
        old=old,
        new={**audit.snapshot(locked, ("status", "note")), "reason": reason},
        unit=locked.unit,
    )
    return locked


@transaction.atomic
def sick_call(
    *,
    actor: Any,
    employee: Employee,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> tuple[Absence, list[Shift]]:
    """Register a sick leave and free the employee's shifts in it: each published shift becomes absent
    (linked to the absence) and an open shift takes its place; a draft shift loses its employee."""
    check_perm(actor, Perm.ROSTER_MANAGE, employee.unit_id)
    if ends_on is not None and ends_on < starts_on:
        raise _error("ends_on", "Slutdatum får inte vara före startdatum.", "end_before_start")
    _lock_employees(employee)
    absence = staff_services.absence_create(
        actor=actor, employee=employee, kind=Absence.Kind.SICK, starts_on=starts_on, ends_on=ends_on, note=note
    )
    return absence, _free_shifts(actor, employee, absence)


def _free_shifts(actor: Any, employee: Employee, absence: Absence) -> list[Shift]:
    """Free the employee's shifts in the absence (the employee's row already locked): each published shift
    becomes absent and an open shift takes its place; a draft loses its employee. The open shifts, in order."""
    since = loaders.local_start(absence.starts_on)
    touched = Shift.objects.select_for_update().filter(employee=employee, ends_at__gt=since)
    if absence.ends_on is not None:
        touched = touched.filter(starts_at__lt=loaders.local_start(absence.ends_on + datetime.timedelta(days=1)))
    open_shifts: list[Shift] = []
    for shift in touched.order_by("starts_at", "pk"):
        if shift.status == Shift.Status.PUBLISHED:
            open_shifts.append(_replace_absent(actor, shift, absence))
        elif shift.status == Shift.Status.DRAFT:
            _unassign_draft(actor, shift)
    return open_shifts


def _replace_absent(actor: Any, shift: Shift, absence: Absence) -> Shift:
    old = audit.snapshot(shift, ("status", "absence"))
    shift.status = Shift.Status.ABSENT
    shift.absence = absence
    shift.version += 1
    shift.save()
    audit.record(
        actor=actor,
        action="shift.absent",
        obj=shift,
        old=old,
        new=audit.snapshot(shift, ("status", "absence")),
        unit=shift.unit,
    )
    replacement = Shift.objects.create(
        unit=shift.unit,
        client=shift.client,
        employee=None,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        kind=shift.kind,
        status=Shift.Status.PUBLISHED,
        replaces=shift,
        job=None,
        need_pattern=shift.need_pattern,
        booked_occasion=shift.booked_occasion,
        note="Öppet pass: ordinarie personal är frånvarande.",
        created_by=_person(actor),
    )
    audit.record(
        actor=actor,
        action="shift.open",
        obj=replacement,
        new=audit.snapshot(replacement, SHIFT_AUDITED),
        unit=replacement.unit,
    )
    return replacement


def _unassign_draft(actor: Any, shift: Shift) -> None:
    old = audit.snapshot(shift, ("employee", "is_overtime", "is_hourly_paid", "exception"))
    shift.employee = None
    shift.is_overtime = shift.is_hourly_paid = False
    shift.exception = None
    shift.version += 1
    shift.save()
    audit.record(
        actor=actor,
        action="shift.unassign",
        obj=shift,
        old=old,
        new=audit.snapshot(shift, ("employee", "is_overtime", "is_hourly_paid", "exception")),
        unit=shift.unit,
    )


@transaction.atomic
def open_shift_assign(*, actor: Any, shift: Shift, employee: Employee, version: int | None) -> Shift:
    """Give an open shift (draft or published) to an employee of its unit, if no hard rule is broken."""
    check_perm(actor, Perm.ROSTER_MANAGE, shift.unit_id)
    if employee.unit_id != shift.unit_id:
        raise _error("employee", "Medarbetaren hör inte till passets enhet.", "other_unit")
    _lock_employees(employee)
    locked = _locked_shift(shift, version)
    if locked.employee_id is not None:
        raise _error("employee", "Passet är redan tillsatt.", "assigned")
    if locked.status not in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
        raise _error("status", "Bara ett öppet utkast eller publicerat pass kan tillsättas.", "invalid_status")
    return _assign_locked(actor, locked, employee)


def _assign_locked(actor: Any, locked: Shift, employee: Employee) -> Shift:
    """Give the locked open shift to the employee (whose row is locked) if the rules allow; the requests for it
    are settled: the employee's approved, anyone else's void."""
    _check_employed(employee, locked.starts_at, locked.ends_at)
    old = audit.snapshot(locked, SHIFT_AUDITED)
    locked.employee = employee
    checked = _check_rules(locked)
    _apply(locked, checked)
    locked.version += 1
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, SHIFT_AUDITED))
    audit.record(actor=actor, action="shift.assign", obj=locked, old=before, new=after, unit=locked.unit)
    pending = ShiftRequest.objects.filter(shift=locked, status=ShiftRequest.Status.PENDING)
    now = clock.now()
    pending.filter(employee=employee).update(
        status=ShiftRequest.Status.APPROVED, decided_by=_person(actor), decided_at=now
    )
    pending.exclude(employee=employee).update(status=ShiftRequest.Status.VOID, decided_at=now)
    setattr(locked, WARNINGS_ATTR, checked.warnings)
    return locked


def check_taker(shift: Shift, employee: Employee) -> list[Violation]:
    """Whether the employee may take the open shift under the working-time rules: raises the rule violations
    as `shift_create` does (a ValidationError), else returns the warnings. Nothing is saved."""
    _check_employed(employee, shift.starts_at, shift.ends_at)
    probe = Shift(
        pk=shift.pk,
        unit_id=shift.unit_id,
        client_id=shift.client_id,
        employee=employee,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        kind=shift.kind,
        status=shift.status,
    )
    return _check_rules(probe).warnings
