"""Writes of rostering: shifts, sick calls and open shifts, needs, exceptions and roster jobs.

Each service checks the actor's permission, validates, saves and audits in one transaction; nothing is
deleted (a shift is cancelled, a pattern ended, an occasion cancelled, a job's proposal discarded).

Saving a shift runs the working-time rules (`rules.check_shift`) on facts loaded around it. A hard
violation refuses the save: `ValidationError(code="rule_violation")`, the messages under the field they
concern (`employee`, `ends_at`) or `__all__`. Soft violations (hours beyond the contract, hours beyond the
decision) do not refuse it: the returned shift carries them as `shift.warnings` (a list of `Violation`;
read them with `warnings_of(shift)`). Concurrent saves for one employee are serialised by locking the
employee's row, so two overlapping shifts cannot both pass the check. A stale `version` raises
`ShiftConflict`: a `ConflictError` (409 in the API) that is also a `ValidationError(code="conflict")`.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bista.care.models import Order
from bista.clients.models import Client, ClientUnit
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, has_perm
from bista.core.clock import STOCKHOLM
from bista.core.errors import ConflictError
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
    Weights,
)
from bista.rostering.models import BookedOccasion, NeedPattern, RosterJob, Shift, ShiftException, ShiftKind
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
PATTERN_AUDITED = (
    "client",
    "order",
    "weekdays",
    "start_time",
    "end_time",
    "staff_count",
    "kind",
    "valid_from",
    "valid_to",
)
OCCASION_AUDITED = ("client", "order", "starts_at", "ends_at", "staff_count", "note", "cancelled_at")
EXCEPTION_AUDITED = ("employee", "client", "reference", "valid_from", "valid_to", "revoked_at")
JOB_AUDITED = ("unit", "period_start", "period_end", "weights", "time_limit_seconds", "status")

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

JOB_MIN_DAYS = 14
JOB_MAX_DAYS = 42
JOB_MIN_SECONDS = 10
JOB_MAX_SECONDS = 600
WEIGHT_MAX = 100

WARNINGS_ATTR = "warnings"
# Who recorded a row is empty for the SYSTEM actor (migrations, the demo); not a user's input to validate.
AUTHOR_FIELDS = ["created_by", "recorded_by"]


class ShiftConflict(ConflictError, ValidationError):  # type: ignore[misc]  # both define `code`: "conflict"
    """Someone saved the record after this edit began. A ConflictError (the API answers 409, views show
    their conflict message) that forms may also treat as a validation error with code "conflict"."""

    def __init__(self, current_version: int | None = None) -> None:
        # Not Exception.__str__: ConflictError.__init__ reaches ValidationError.__init__ through the MRO, which
        # leaves the arguments as a tuple (the 409's message was that tuple's repr, issue 14).
        ConflictError.__init__(self, current_version=current_version)
        self.conflict_message = ConflictError.default_message
        ValidationError.__init__(self, {NON_FIELD_ERRORS: [ValidationError(self.conflict_message, code="conflict")]})
        self.code = ConflictError.code

    def __str__(self) -> str:
        return self.conflict_message


def warnings_of(shift: Shift) -> list[Violation]:
    """The soft violations the last save found for the shift (empty when none, or not saved here)."""
    return list(getattr(shift, WARNINGS_ATTR, []))


# --- Small helpers ---------------------------------------------------------------------------------------


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def _last_local_date(ends_at: datetime.datetime) -> datetime.date:
    """The last day a shift touches: a shift ending at midnight does not touch the next day."""
    return _local_date(ends_at - datetime.timedelta(microseconds=1))


def _check_times(starts_at: Any, ends_at: Any) -> None:
    errors: dict[str, ValidationError] = {}
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime.datetime):
            errors[field] = ValidationError("Ange datum och klockslag.", code="required")
        elif timezone.is_naive(value):
            errors[field] = ValidationError("Ange tiden med tidszon.", code="naive")
    if not errors and _utc(ends_at) <= _utc(starts_at):
        errors["ends_at"] = ValidationError("Passet måste sluta efter att det börjar.", code="end_before_start")
    if errors:
        raise ValidationError(errors)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    """In UTC: Python subtracts and compares two datetimes of the same zone on the wall clock, which is
    wrong across a daylight-saving change; in UTC a length is the elapsed time."""
    return moment.astimezone(datetime.UTC)


def _check_kind(kind: str) -> None:
    if kind not in ShiftKind.values:
        raise _error("kind", "Välj aktiv tid, jour eller beredskap.", "invalid_choice")


def _check_employed(employee: Employee, starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    first, last = _local_date(starts_at), _last_local_date(ends_at)
    if employee.start_date > first or (employee.end_date is not None and employee.end_date < last):
        raise _error("employee", f"{employee.full_name} är inte anställd hela passet.", "not_employed")


def _lock_employees(*employees: Employee | None) -> None:
    """Lock the employees' rows (in id order, so two saves never wait for each other in a circle): a
    concurrent save for the same person waits here and then sees this save's shift."""
    ids = sorted({e.pk for e in employees if e is not None})
    if ids:
        list(Employee.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _locked_shift(shift: Shift, version: int | None) -> Shift:
    return lock_for_edit(Shift, shift.pk, version, related=("employee", "client"), conflict=ShiftConflict)


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


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


# --- The rule check of one shift ----------------------------------------------------------------------


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


# --- Shifts --------------------------------------------------------------------------------------------


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
    since = loaders.local_start(starts_on)
    touched = Shift.objects.select_for_update().filter(employee=employee, ends_at__gt=since)
    if ends_on is not None:
        touched = touched.filter(starts_at__lt=loaders.local_start(ends_on + datetime.timedelta(days=1)))
    open_shifts: list[Shift] = []
    for shift in touched.order_by("starts_at", "pk"):
        if shift.status == Shift.Status.PUBLISHED:
            open_shifts.append(_replace_absent(actor, shift, absence))
        elif shift.status == Shift.Status.DRAFT:
            _unassign_draft(actor, shift)
    return absence, open_shifts


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
    _check_employed(employee, locked.starts_at, locked.ends_at)
    old = audit.snapshot(locked, SHIFT_AUDITED)
    locked.employee = employee
    checked = _check_rules(locked)
    _apply(locked, checked)
    locked.version += 1
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, SHIFT_AUDITED))
    audit.record(actor=actor, action="shift.assign", obj=locked, old=before, new=after, unit=locked.unit)
    setattr(locked, WARNINGS_ATTR, checked.warnings)
    return locked


# --- Needs ---------------------------------------------------------------------------------------------


def _normalised_weekdays(weekdays: str) -> str:
    days = (weekdays or "").replace(",", "").replace(" ", "")
    if not days or any(d not in "1234567" for d in days) or len(set(days)) != len(days):
        raise _error("weekdays", "Ange veckodagar som siffror 1–7 (1 = måndag), var och en en gång.", "invalid")
    return "".join(sorted(days))


def _check_within_order(order: Order, first: datetime.date, last: datetime.date | None, field: str) -> None:
    if first < order.period_start:
        raise _error(field, f"Beslutsperioden börjar {order.period_start:%Y-%m-%d}.", "outside_decision")
    end = order.period_end
    if end is not None and (last is None or last > end):
        field_last = "valid_to" if field == "valid_from" else field
        raise _error(field_last, f"Beslutsperioden slutar {end:%Y-%m-%d}.", "outside_decision")


@transaction.atomic
def need_pattern_create(
    *,
    actor: Any,
    order: Order,
    weekdays: str,
    start_time: datetime.time,
    end_time: datetime.time,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    staff_count: int = 1,
    kind: str = ShiftKind.ACTIVE,
) -> NeedPattern:
    """A recurring need of the order's client (an end time not after the start time runs past midnight)."""
    check_perm(actor, Perm.ROSTER_MANAGE, order.unit_id)
    if order.status == Order.Status.ENDED:
        raise _error("order", "Beställningen är avslutad.", "ended")
    _check_kind(kind)
    if valid_to is not None and valid_to < valid_from:
        raise _error("valid_to", "Slutdatum får inte vara före startdatum.", "end_before_start")
    _check_within_order(order, valid_from, valid_to, "valid_from")
    pattern = NeedPattern(
        client_id=order.client_id,
        order=order,
        weekdays=_normalised_weekdays(weekdays),
        start_time=start_time,
        end_time=end_time,
        staff_count=staff_count,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=_person(actor),
    )
    audit.save_new(
        pattern,
        actor=actor,
        action="need_pattern.create",
        fields=PATTERN_AUDITED,
        unit=order.unit,
        exclude=AUTHOR_FIELDS,
    )
    return pattern


@transaction.atomic
def need_pattern_end(*, actor: Any, pattern: NeedPattern, last_day: datetime.date) -> NeedPattern:
    """End a need pattern after `last_day` (the pattern stays, with its history)."""
    check_perm(actor, Perm.ROSTER_MANAGE, pattern.order.unit_id)
    locked = NeedPattern.objects.select_for_update(of=("self",)).select_related("order__unit").get(pk=pattern.pk)
    if last_day < locked.valid_from:
        raise _error("last_day", f"Mönstret gäller från {locked.valid_from:%Y-%m-%d}.", "before_start")
    if locked.valid_to is not None and last_day > locked.valid_to:
        raise _error("last_day", f"Mönstret slutar redan {locked.valid_to:%Y-%m-%d}.", "after_end")
    old = audit.snapshot(locked, ("valid_to", "ended_at"))
    locked.valid_to = last_day
    locked.ended_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="need_pattern.end",
        obj=locked,
        old=old,
        new=audit.snapshot(locked, ("valid_to", "ended_at")),
        unit=locked.order.unit,
    )
    return locked


@transaction.atomic
def booked_occasion_create(
    *,
    actor: Any,
    order: Order,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    staff_count: int = 1,
    note: str = "",
) -> BookedOccasion:
    """A booked occasion (ledsagning, avlösning …) of the order's client."""
    check_perm(actor, Perm.ROSTER_MANAGE, order.unit_id)
    if order.status == Order.Status.ENDED:
        raise _error("order", "Beställningen är avslutad.", "ended")
    _check_times(starts_at, ends_at)
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    if ends_at - starts_at > MAX_OPEN_SHIFT:
        raise _error("ends_at", "Ett tillfälle kan vara högst 24 timmar.", "too_long")
    _check_within_order(order, _local_date(starts_at), _last_local_date(ends_at), "starts_at")
    occasion = BookedOccasion(
        client_id=order.client_id,
        order=order,
        starts_at=starts_at,
        ends_at=ends_at,
        staff_count=staff_count,
        note=(note or "").strip(),
        recorded_by=_person(actor),
    )
    audit.save_new(
        occasion,
        actor=actor,
        action="occasion.create",
        fields=OCCASION_AUDITED,
        unit=order.unit,
        exclude=AUTHOR_FIELDS,
    )
    return occasion


@transaction.atomic
def booked_occasion_cancel(*, actor: Any, occasion: BookedOccasion, reason: str = "") -> BookedOccasion:
    """Cancel a booked occasion; its draft and published shifts are cancelled with it."""
    check_perm(actor, Perm.ROSTER_MANAGE, occasion.order.unit_id)
    locked = BookedOccasion.objects.select_for_update(of=("self",)).select_related("order__unit").get(pk=occasion.pk)
    if locked.cancelled_at is not None:
        raise _error("status", "Tillfället är redan avbokat.", "cancelled")
    locked.cancelled_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="occasion.cancel",
        obj=locked,
        new={"cancelled_at": locked.cancelled_at, "reason": reason},
        unit=locked.order.unit,
    )
    for shift in Shift.objects.select_for_update().filter(
        booked_occasion=locked, status__in=(Shift.Status.DRAFT, Shift.Status.PUBLISHED)
    ):
        shift_cancel(actor=actor, shift=shift, reason=reason.strip() or "Tillfället är avbokat.")
    return locked


# Shifts of a 24/7 need (DOMAIN §5: 11 h rest; three shifts of at most 9 h each).
DAY_BLOCKS = ((datetime.time(7), 8.0), (datetime.time(15), 7.0), (datetime.time(22), 9.0))
FULL_WEEK_HOURS = 168.0
WEEKS_PER_MONTH = 52 / 12


def needs_from_order(*, actor: Any, order: Order) -> list[NeedPattern]:
    """A proposal of need patterns for the order, not saved: the manager adjusts and saves them with
    `need_pattern_create`. 24/7 assistance (≥ 168 h a week) gives 07–15, 15–22 and 22–07 every day (two
    staff when the decision grants twice that); smaller weekly scopes give daytime patterns within the
    granted hours (every day from 35 h a week, else Monday–Friday). Occasion-based orders give none."""
    check_perm(actor, Perm.ROSTER_MANAGE, order.unit_id)
    if order.scope_unit == Order.ScopeUnit.OCCASION:
        return []
    weekly = float(order.scope_amount) * (1 if order.scope_unit == Order.ScopeUnit.WEEK else 1 / WEEKS_PER_MONTH)
    valid_from = max(order.period_start, clock.today())
    if order.period_end is not None and order.period_end < valid_from:
        return []

    def pattern(weekdays: str, start: datetime.time, hours: float, staff: int) -> NeedPattern:
        end = (datetime.datetime.combine(datetime.date(2000, 1, 1), start) + datetime.timedelta(hours=hours)).time()
        return NeedPattern(
            client_id=order.client_id,
            order=order,
            weekdays=weekdays,
            start_time=start,
            end_time=end,
            staff_count=staff,
            kind=ShiftKind.ACTIVE,
            valid_from=valid_from,
            valid_to=order.period_end,
        )

    if weekly >= FULL_WEEK_HOURS:
        staff = max(1, min(4, int(weekly // FULL_WEEK_HOURS)))
        return [pattern("1234567", start, hours, staff) for start, hours in DAY_BLOCKS]
    weekdays = "1234567" if weekly >= 35 else "12345"
    per_day = math.floor(weekly / len(weekdays) * 4) / 4  # whole quarters of an hour, never above the grant
    proposal: list[NeedPattern] = []
    for start, hours in DAY_BLOCKS:
        if per_day <= 0:
            break
        length = min(hours, per_day)
        proposal.append(pattern(weekdays, start, length, 1))
        per_day -= length
    return proposal


# --- Registered exceptions -------------------------------------------------------------------------------


@transaction.atomic
def exception_register(
    *,
    actor: Any,
    employee: Employee,
    reference: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    client: Client | None = None,
) -> ShiftException:
    """Register a local exception letting the employee work passes up to the regime's longer limit."""
    check_perm(actor, Perm.ROSTER_MANAGE, employee.unit_id)
    reference = (reference or "").strip()
    if not reference:
        raise _error("reference", "Ange avtalet eller diarienumret.", "required")
    if valid_to < valid_from:
        raise _error("valid_to", "Slutdatum får inte vara före startdatum.", "end_before_start")
    exception = ShiftException(
        employee=employee,
        client=client,
        reference=reference,
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=_person(actor),
    )
    audit.save_new(
        exception,
        actor=actor,
        action="shift_exception.register",
        fields=EXCEPTION_AUDITED,
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    return exception


@transaction.atomic
def exception_revoke(*, actor: Any, exception: ShiftException) -> ShiftException:
    check_perm(actor, Perm.ROSTER_MANAGE, exception.employee.unit_id)
    locked = (
        ShiftException.objects.select_for_update(of=("self",)).select_related("employee__unit").get(pk=exception.pk)
    )
    if locked.revoked_at is not None:
        raise _error("status", "Undantaget är redan återkallat.", "revoked")
    locked.revoked_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="shift_exception.revoke",
        obj=locked,
        new={"revoked_at": locked.revoked_at},
        unit=locked.employee.unit,
    )
    return locked


# --- Roster jobs ---------------------------------------------------------------------------------------


def _clean_weights(weights: Any) -> dict[str, int]:
    """Known weights as integers 0–100, the defaults filling in the ones not given."""
    if not isinstance(weights, dict):
        raise _error("weights", "Ange vikterna som namn och heltal.", "invalid")
    known = set(Weights.__dataclass_fields__)
    unknown = sorted(set(weights) - known)
    if unknown:
        raise _error("weights", f"Okänd vikt: {', '.join(map(str, unknown))}.", "unknown_weight")
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= WEIGHT_MAX:
            raise _error("weights", f"Vikten {name} ska vara ett heltal 0–{WEIGHT_MAX}.", "out_of_range")
    return {**Weights().__dict__, **weights}


@transaction.atomic
def roster_job_start(
    *,
    actor: Any,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
    weights: dict[str, Any] | None = None,
    time_limit_seconds: int = 60,
) -> RosterJob:
    """Queue an optimiser run for the unit's needs in the period (14–42 days, not in the past); the
    task starts when this transaction commits."""
    check_perm(actor, Perm.ROSTER_MANAGE, unit)
    errors: dict[str, ValidationError] = {}
    if period_end < period_start:
        errors["period_end"] = ValidationError(
            "Periodens slut kan inte vara före dess början.", code="end_before_start"
        )
    elif not JOB_MIN_DAYS <= (period_end - period_start).days + 1 <= JOB_MAX_DAYS:
        errors["period_end"] = ValidationError(
            f"Perioden ska vara {JOB_MIN_DAYS}–{JOB_MAX_DAYS} dagar (2–6 veckor).", code="period_length"
        )
    if period_start < clock.today():
        errors["period_start"] = ValidationError("Perioden kan inte börja i det förflutna.", code="past")
    if (
        isinstance(time_limit_seconds, bool)
        or not isinstance(time_limit_seconds, int)
        or not (JOB_MIN_SECONDS <= time_limit_seconds <= JOB_MAX_SECONDS)
    ):
        errors["time_limit_seconds"] = ValidationError(
            f"Tidsgränsen ska vara {JOB_MIN_SECONDS}–{JOB_MAX_SECONDS} sekunder.", code="out_of_range"
        )
    try:
        cleaned = _clean_weights(weights if weights is not None else {})
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.error_dict.items()})
    if errors:
        raise ValidationError(errors)
    list(Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))  # one job at a time
    _expire_stale_jobs(unit)
    if RosterJob.objects.filter(unit=unit, status__in=(RosterJob.Status.QUEUED, RosterJob.Status.RUNNING)).exists():
        raise _error(NON_FIELD_ERRORS, "En schemaoptimering för enheten pågår redan.", "busy")
    if not loaders.unit_needs(unit, Period(period_start, period_end)):
        raise _error(
            NON_FIELD_ERRORS,
            "Enheten har inga behov under perioden. Lägg in behovsmönster eller bokade tillfällen först.",
            "no_needs",
        )
    job = RosterJob.objects.create(
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        weights=cleaned,
        time_limit_seconds=time_limit_seconds,
        created_by=actor,
        message="I kö.",
    )
    audit.record(actor=actor, action="roster_job.start", obj=job, new=audit.snapshot(job, JOB_AUDITED), unit=unit)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


# A running job not finished this long after its own time limit lost its worker (a restart, a crash).
STALE_AFTER = datetime.timedelta(minutes=10)
STALE_MESSAGE = "Körningen avbröts oväntat (bakgrundsprocessen stannade). Starta en ny optimering."


def _is_stale(job: RosterJob) -> bool:
    return (
        job.status == RosterJob.Status.RUNNING
        and job.started_at is not None
        and job.started_at + datetime.timedelta(seconds=job.time_limit_seconds) + STALE_AFTER < clock.now()
    )


def _fail_stale(job: RosterJob) -> None:
    job.status = RosterJob.Status.FAILED
    job.message = STALE_MESSAGE
    job.finished_at = clock.now()
    job.version += 1
    job.save()
    audit.record(actor=None, action="roster_job.fail", obj=job, new={"message": STALE_MESSAGE}, unit=job.unit)


def _expire_stale_jobs(unit: Unit) -> None:
    """Mark the unit's running jobs whose worker is gone as failed, so they do not block new ones."""
    for job in RosterJob.objects.select_for_update().filter(unit=unit, status=RosterJob.Status.RUNNING):
        if _is_stale(job):
            _fail_stale(job)


def _enqueue(job_id: int) -> None:
    from bista.rostering.tasks import run_roster_job  # the task module imports the services' helpers

    run_roster_job.enqueue(job_id)


def _locked_job(job: RosterJob, version: int | None = None) -> RosterJob:
    return lock_for_edit(RosterJob, job.pk, version, related=("unit",), conflict=ShiftConflict)


@transaction.atomic
def roster_job_stop(*, actor: Any, job: RosterJob) -> RosterJob:
    """Ask a running job to stop (it keeps the best roster found); a queued one stops at once."""
    check_perm(actor, Perm.ROSTER_MANAGE, job.unit_id)
    locked = _locked_job(job)
    if _is_stale(locked):
        _fail_stale(locked)
        return locked
    if locked.is_finished:
        raise _error("status", "Körningen är redan avslutad.", "finished")
    old = audit.snapshot(locked, ("status", "stop_requested"))
    locked.stop_requested = True
    if locked.status == RosterJob.Status.QUEUED:
        locked.status = RosterJob.Status.STOPPED
        locked.finished_at = clock.now()
        locked.message = "Avbruten innan den startade."
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="roster_job.stop",
        obj=locked,
        old=old,
        new=audit.snapshot(locked, ("status", "stop_requested")),
        unit=locked.unit,
    )
    return locked


def _publish_violations(job: RosterJob, drafts: list[Shift]) -> list[Violation]:
    """Hard violations the job's drafts take part in, checked against what is published now (a shift
    published after the job ran, a new absence …)."""
    period = Period(job.period_start, job.period_end)
    employee_ids = {s.employee_id for s in drafts if s.employee_id is not None}
    window = loaders.widened(period)
    fixed = list(
        Shift.objects.filter(
            employee_id__in=employee_ids,
            status__in=loaders.FIXED_STATUSES,
            starts_at__lt=window.ends_at(),
            ends_at__gt=window.starts_at(),
        ).only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
    )
    facts = [loaders.shift_fact(s) for s in drafts] + [loaders.shift_fact(s) for s in fixed]
    employees = loaders.employee_facts(employee_ids, period)
    clients = loaders.client_facts({s.client_id for s in drafts} | {s.client_id for s in fixed}, period)
    keys = {str(s.pk) for s in drafts}
    return [
        v
        for v in rules.check_roster(facts, employees, clients, period)
        if v.hard and v.rule not in SOFT_ON_SAVE and keys & set(v.shift_keys)
    ]


@transaction.atomic
def roster_job_publish(*, actor: Any, job: RosterJob, version: int | None) -> int:
    """Publish the job's proposal: its draft shifts become published (frozen). Returns how many."""
    check_perm(actor, Perm.ROSTER_MANAGE, job.unit_id)
    locked = _locked_job(job, version)
    if locked.status not in (RosterJob.Status.DONE, RosterJob.Status.STOPPED):
        raise _error("status", "Bara ett färdigt schemaförslag kan publiceras.", "invalid_status")
    later = RosterJob.objects.filter(
        unit_id=locked.unit_id,
        status=RosterJob.Status.PUBLISHED,
        published_at__gt=locked.created_at,
        period_start__lte=locked.period_end,
        period_end__gte=locked.period_start,
    ).exclude(pk=locked.pk)
    if later.exists():
        raise _error(
            NON_FIELD_ERRORS,
            "Ett annat schema för perioden har publicerats efter att det här togs fram. Kör en ny optimering.",
            "superseded",
        )
    employee_ids = set(
        Shift.objects.filter(job=locked, status=Shift.Status.DRAFT, employee__isnull=False).values_list(
            "employee_id", flat=True
        )
    )
    _lock_employees(*Employee.objects.filter(pk__in=employee_ids).only("pk"))
    drafts = list(
        Shift.objects.select_for_update()
        .filter(job=locked, status=Shift.Status.DRAFT)
        .only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
    )
    violations = _publish_violations(locked, drafts)
    if violations:
        raise _refuse(violations[:20])
    count = Shift.objects.filter(pk__in=[s.pk for s in drafts]).update(
        status=Shift.Status.PUBLISHED, version=F("version") + 1, updated_at=clock.now()
    )
    old = audit.snapshot(locked, ("status",))
    locked.status = RosterJob.Status.PUBLISHED
    locked.published_at = clock.now()
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="roster_job.publish",
        obj=locked,
        old=old,
        new={"status": locked.status, "shifts": count, "shift_ids": [s.pk for s in drafts]},
        unit=locked.unit,
    )
    return count


@transaction.atomic
def roster_job_discard(*, actor: Any, job: RosterJob, version: int | None = None) -> RosterJob:
    """Discard a finished job's proposal: its draft shifts are cancelled (kept, never deleted)."""
    check_perm(actor, Perm.ROSTER_MANAGE, job.unit_id)
    locked = _locked_job(job, version)
    if locked.status not in (RosterJob.Status.DONE, RosterJob.Status.STOPPED, RosterJob.Status.FAILED):
        raise _error(
            "status",
            "Stoppa körningen först, eller så är förslaget redan publicerat eller förkastat.",
            "invalid_status",
        )
    drafts = Shift.objects.filter(job=locked, status=Shift.Status.DRAFT)
    ids = list(drafts.values_list("pk", flat=True))
    drafts.update(status=Shift.Status.CANCELLED, version=F("version") + 1, updated_at=clock.now())
    old = audit.snapshot(locked, ("status",))
    locked.status = RosterJob.Status.DISCARDED
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="roster_job.discard",
        obj=locked,
        old=old,
        new={"status": locked.status, "cancelled_shift_ids": ids},
        unit=locked.unit,
    )
    return locked
