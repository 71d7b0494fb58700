"""Writes of worked time: confirming a shift (as planned or adjusted), adding unplanned time, revising a
confirmed time, attesting a person's month.

Who: the person who worked the time confirms it and may change it until the month is attested; a holder of
`time.attest` in the unit (the manager) attests, and may confirm or change anyone's time there — always with
a reason, and after the attestation as a revision marked so. Every version is a `WorkedTimeRevision`; nothing
is overwritten. Each write locks the employee's row first, so that two confirmations cannot both pass the
overlap check.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.clients.models import Client, ClientUnit
from bista.core import audit, clock
from bista.core.access import SYSTEM, has_perm
from bista.core.errors import ConflictError
from bista.core.permissions import Perm
from bista.rostering.models import Shift, ShiftKind
from bista.staff.models import Employee
from bista.timereports import rules
from bista.timereports.actions import AuditAction
from bista.timereports.models import (
    CONFIRMABLE,
    Attestation,
    Basis,
    MonthClose,
    MonthCloseEvent,
    WorkedTime,
    WorkedTimeRevision,
)

WORKED_AUDITED = ("kind", "starts_at", "ends_at", "active_minutes", "waiting_minutes", "basis", "revision")
REASON_MAX = 300


# --- Small helpers ---------------------------------------------------------------------------------------


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _is_self(actor: Any, employee: Employee) -> bool:
    return employee.user_id is not None and employee.user_id == getattr(actor, "pk", None)


def may_attest(actor: Any, unit_id: int) -> bool:
    """Whether the actor attests worked time in the unit (the SYSTEM actor always may)."""
    return actor is SYSTEM or has_perm(actor, Perm.TIME_ATTEST, unit_id)


def _lock(employee: Employee) -> None:
    Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk", flat=True).first()


def is_attested(employee: Employee, month: datetime.date) -> bool:
    return Attestation.objects.filter(employee=employee, month=month).exists()


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise _error("reason", f"Skriv högst {REASON_MAX} tecken.", "max_length")
    return reason


def _locked_close(unit_id: int, month: datetime.date) -> MonthClose | None:
    return (
        MonthClose.objects.select_for_update()
        .filter(unit_id=unit_id, month=month, status=MonthClose.Status.LOCKED)
        .first()
    )


def _authorise(actor: Any, employee: Employee, unit_id: int, month: datetime.date, reason: str) -> bool:
    """Refuse a write the actor may not make; return whether it comes after the month's attestation.

    The person themself writes until the month is attested; the manager always, with a reason. In a locked
    month only the manager's correction (with its reason) is taken, and it reopens the month."""
    locked = _locked_close(unit_id, month)
    if locked is not None:
        if not may_attest(actor, unit_id):
            if _is_self(actor, employee):
                raise _error("reason", "Månaden är stängd. Be din chef rätta tiden, med en förklaring.", "locked")
            raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
        if not reason and actor is not SYSTEM:
            raise _error("reason", "Månaden är stängd: en rättelse kräver en anledning.", "required")
        _reopen(locked, actor=actor, reason=reason or "Rättelse")
    attested = is_attested(employee, month)
    if _is_self(actor, employee) and not attested:
        return False
    if not may_attest(actor, unit_id):
        if _is_self(actor, employee):
            raise _error("reason", "Månaden är attesterad. Be din chef ändra tiden, med en förklaring.", "attested")
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    if not reason and actor is not SYSTEM:
        message = (
            "Månaden är attesterad: ange varför tiden ändras."
            if attested
            else "Ange varför du registrerar tiden åt medarbetaren."
        )
        raise _error("reason", message, "required")
    return attested


def _check_times(
    *,
    employee: Employee,
    kind: str,
    starts_at: Any,
    ends_at: Any,
    active_minutes: int,
    waiting_minutes: int,
    exclude_pk: int | None = None,
) -> None:
    """Refuse times that cannot be, with a Swedish message on the field; then overlap with the person's other
    confirmed time."""
    errors: dict[str, str] = {}
    for field, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            errors[field] = "Ange datum och klockslag."
    if kind not in ShiftKind.values:
        errors["kind"] = "Välj en typ av tid."
    if errors:
        raise ValidationError(errors)
    errors = rules.interval_errors(starts_at, ends_at, now=clock.now())
    if not errors:
        total = rules.elapsed_minutes(starts_at, ends_at)
        errors = rules.minutes_errors(kind, total, active_minutes, waiting_minutes)
    if errors:
        raise ValidationError(errors)
    clash = (
        WorkedTime.objects.filter(employee=employee, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=exclude_pk)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        span = rules.local_span(clash.starts_at, clash.ends_at)
        message = f"Tiden överlappar annan bekräftad tid för samma person ({span})."
        raise _error("starts_at", message, "overlap")


def _save_revision(worked: WorkedTime, *, reason: str, after_attestation: bool) -> WorkedTimeRevision:
    return WorkedTimeRevision.objects.create(
        worked_time=worked,
        number=worked.revision,
        kind=worked.kind,
        starts_at=worked.starts_at,
        ends_at=worked.ends_at,
        active_minutes=worked.active_minutes,
        waiting_minutes=worked.waiting_minutes,
        basis=worked.basis,
        reason=reason,
        after_attestation=after_attestation,
        recorded_by=worked.recorded_by,
        recorded_at=worked.recorded_at,
    )


def _create(worked: WorkedTime, *, actor: Any, action: str, reason: str, after_attestation: bool) -> WorkedTime:
    worked.recorded_by = _person(actor)
    worked.recorded_at = clock.now()
    worked.full_clean(exclude=["recorded_by", "shift"])
    worked.save()
    _save_revision(worked, reason=reason, after_attestation=after_attestation)
    audit.record(
        actor=actor,
        action=action,
        obj=worked,
        new={**audit.snapshot(worked, WORKED_AUDITED), "reason": reason, "after_attestation": after_attestation},
        unit=worked.unit,
    )
    return worked


# --- Confirming ------------------------------------------------------------------------------------------


@transaction.atomic
def worked_time_confirm(
    *,
    actor: Any,
    shift: Shift,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    active_minutes: int = 0,
    waiting_minutes: int = 0,
    reason: str = "",
) -> WorkedTime:
    """Confirm a published shift's time: as planned (no times given) or adjusted (other times, with a reason).
    For jour and beredskap, `active_minutes` is the active work inside it."""
    if shift.employee_id is None:
        raise _error("shift", "Ett öppet pass har ingen som kan bekräfta det.", "open")
    employee = shift.employee
    assert employee is not None
    reason = _clean_reason(reason)
    starts_at = shift.starts_at if starts_at is None else starts_at
    ends_at = shift.ends_at if ends_at is None else ends_at
    month = rules.month_of(shift.starts_at)
    after = _authorise(actor, employee, shift.unit_id, month, reason)
    _lock(employee)
    current = Shift.objects.filter(pk=shift.pk).values_list("status", flat=True).first()
    if current not in CONFIRMABLE:
        raise _error("shift", "Bara ett publicerat pass kan bekräftas.", "invalid_status")
    if WorkedTime.objects.filter(shift=shift).exists():
        raise _error("shift", "Passet är redan bekräftat. Ändra den bekräftade tiden i stället.", "confirmed")
    as_planned = starts_at == shift.starts_at and ends_at == shift.ends_at
    if not as_planned and not reason:
        raise _error("reason", "Ange varför tiden skiljer sig från schemat.", "required")
    _check_times(
        employee=employee,
        kind=shift.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        active_minutes=active_minutes,
        waiting_minutes=waiting_minutes,
    )
    if rules.month_of(starts_at) != month:
        raise _error("starts_at", "Den bekräftade tiden måste börja i samma månad som passet.", "other_month")
    worked = WorkedTime(
        unit_id=shift.unit_id,
        employee=employee,
        client_id=shift.client_id,
        shift=shift,
        kind=shift.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        active_minutes=active_minutes,
        waiting_minutes=waiting_minutes,
        basis=Basis.PLANNED if as_planned else Basis.ADJUSTED,
    )
    return _create(worked, actor=actor, action=AuditAction.WORKED_TIME_CONFIRM, reason=reason, after_attestation=after)


def _client_served_by(client: Client, unit_id: int, day: datetime.date) -> bool:
    return ClientUnit.objects.filter(client=client, unit_id=unit_id, since__lte=day).exclude(until__lt=day).exists()


@transaction.atomic
def worked_time_add_unplanned(
    *,
    actor: Any,
    employee: Employee,
    client: Client,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = ShiftKind.ACTIVE,
    active_minutes: int = 0,
    waiting_minutes: int = 0,
    reason: str,
) -> WorkedTime:
    """Time worked at a client without a shift (stayed on, was called in): always with a reason."""
    reason = _clean_reason(reason)
    if not reason:
        raise _error("reason", "Ange varför tiden inte fanns i schemat.", "required")
    if isinstance(starts_at, datetime.datetime) and starts_at.tzinfo is not None:
        month = rules.month_of(starts_at)
    else:
        raise _error("starts_at", "Ange datum och klockslag.", "required")
    after = _authorise(actor, employee, employee.unit_id, month, reason)
    _lock(employee)
    _check_times(
        employee=employee,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        active_minutes=active_minutes,
        waiting_minutes=waiting_minutes,
    )
    if not _client_served_by(client, employee.unit_id, clock.local_date(starts_at)):
        raise _error("client", "Brukaren får inte stöd av medarbetarens enhet den dagen.", "other_unit")
    worked = WorkedTime(
        unit_id=employee.unit_id,
        employee=employee,
        client=client,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        active_minutes=active_minutes,
        waiting_minutes=waiting_minutes,
        basis=Basis.UNPLANNED,
    )
    return _create(
        worked, actor=actor, action=AuditAction.WORKED_TIME_UNPLANNED, reason=reason, after_attestation=after
    )


@transaction.atomic
def worked_time_revise(
    *,
    actor: Any,
    worked_time: WorkedTime,
    revision: int | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    active_minutes: int = 0,
    waiting_minutes: int = 0,
    reason: str,
) -> WorkedTime:
    """A new version of a confirmed time, with who and why; the earlier versions stay as they were.
    `revision` is the version the writer saw (a stale one is refused with ConflictError)."""
    employee = worked_time.employee
    reason = _clean_reason(reason)
    if not reason:
        raise _error("reason", "Ange varför tiden ändras.", "required")
    month = rules.month_of(worked_time.starts_at)
    after = _authorise(actor, employee, worked_time.unit_id, month, reason)
    _lock(employee)
    locked = WorkedTime.objects.select_for_update().get(pk=worked_time.pk)
    if revision is not None and locked.revision != revision:
        raise ConflictError(current_version=locked.revision)
    _check_times(
        employee=employee,
        kind=locked.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        active_minutes=active_minutes,
        waiting_minutes=waiting_minutes,
        exclude_pk=locked.pk,
    )
    if rules.month_of(starts_at) != month:
        raise _error("starts_at", "Tiden kan inte flyttas till en annan månad.", "other_month")
    old = audit.snapshot(locked, WORKED_AUDITED)
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.active_minutes, locked.waiting_minutes = active_minutes, waiting_minutes
    locked.basis = Basis.REVISED
    locked.revision += 1
    locked.recorded_by = _person(actor)
    locked.recorded_at = clock.now()
    locked.full_clean(exclude=["recorded_by", "shift"])
    locked.save()
    _save_revision(locked, reason=reason, after_attestation=after)
    before, changed = audit.changed(old, audit.snapshot(locked, WORKED_AUDITED))
    audit.record(
        actor=actor,
        action=AuditAction.WORKED_TIME_REVISE,
        obj=locked,
        old=before,
        new={**changed, "reason": reason, "after_attestation": after},
        unit=locked.unit,
    )
    return locked


# --- Attestation -----------------------------------------------------------------------------------------


def unconfirmed_shifts(employee: Employee, month: datetime.date, *, now: datetime.datetime) -> list[Shift]:
    """The person's published shifts that began in the month (and before `now`) with no confirmed time."""
    start, end = rules.month_window(month)
    return list(
        Shift.objects.filter(
            employee=employee,
            status__in=CONFIRMABLE,
            starts_at__gte=start,
            starts_at__lt=min(end, now),
            worked_time__isnull=True,
        )
        .select_related("client")
        .order_by("starts_at", "pk")
    )


def month_worked_times(employee: Employee, month: datetime.date) -> list[WorkedTime]:
    start, end = rules.month_window(month)
    return list(WorkedTime.objects.filter(employee=employee, starts_at__gte=start, starts_at__lt=end))


@transaction.atomic
def attestation_create(*, actor: Any, employee: Employee, month: datetime.date) -> Attestation:
    """Attest a person's ended month. Refused while a shift of the month is unconfirmed (the list in the
    message), and when the month is attested and nothing changed since."""
    month = rules.first_of_month(month)
    if not may_attest(actor, employee.unit_id):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    _lock(employee)
    now = clock.now()
    if rules.month_window(month)[1] > now:
        raise _error("month", "Månaden är inte slut än. Attestera den när den är slut.", "not_ended")
    missing = unconfirmed_shifts(employee, month, now=now)
    if missing:
        listed = "; ".join(rules.local_span(shift.starts_at, shift.ends_at) for shift in missing)
        raise _error("month", f"Månaden har {len(missing)} obekräftade pass: {listed}.", "unconfirmed")
    latest = Attestation.objects.filter(employee=employee, month=month).order_by("-attested_at", "-pk").first()
    worked = month_worked_times(employee, month)
    if (
        latest is not None
        and not WorkedTimeRevision.objects.filter(worked_time__in=worked, recorded_at__gt=latest.attested_at).exists()
    ):
        raise _error("month", "Månaden är redan attesterad och inget har ändrats sedan dess.", "attested")
    if _locked_close(employee.unit_id, month) is not None:
        raise _error("month", "Månaden är stängd. Den öppnas igen av en rättelse med en anledning.", "locked")
    attestation = Attestation.objects.create(
        unit_id=employee.unit_id,
        employee=employee,
        month=month,
        minutes=sum(w.minutes for w in worked),
        entries=len(worked),
        attested_by=_person(actor),
        attested_at=now,
    )
    audit.record(
        actor=actor,
        action=AuditAction.ATTESTATION_CREATE,
        obj=attestation,
        new={"employee": employee.pk, "month": month, "minutes": attestation.minutes, "entries": len(worked)},
        unit=employee.unit,
    )
    return attestation


# --- Month close -----------------------------------------------------------------------------------------


def _event(close: MonthClose, *, actor: Any, action: str, reason: str, checklist: dict[str, int]) -> None:
    MonthCloseEvent.objects.create(
        month_close=close, action=action, reason=reason, checklist=checklist, actor=_person(actor), at=clock.now()
    )


def _reopen(close: MonthClose, *, actor: Any, reason: str) -> MonthClose:
    close.status = MonthClose.Status.OPEN
    close.version += 1
    close.save(update_fields=["status", "version"])
    _event(close, actor=actor, action=MonthCloseEvent.Action.REOPEN, reason=reason, checklist={})
    audit.record(
        actor=actor,
        action=AuditAction.MONTH_CLOSE_REOPEN,
        obj=close,
        old={"status": MonthClose.Status.LOCKED},
        new={"status": MonthClose.Status.OPEN, "reason": reason},
        unit=close.unit,
    )
    return close


@transaction.atomic
def month_lock(*, actor: Any, unit: Any, month: datetime.date) -> MonthClose:
    """Lock a unit's ended month after the checklist: refused while a shift is unconfirmed or a person's month is
    not attested (the list in the message). The warnings are kept with the lock as they stood."""
    from bista.timereports.checklist import month_checklist

    month = rules.first_of_month(month)
    if not may_attest(actor, unit.pk):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    close, _created = MonthClose.objects.select_for_update().get_or_create(unit=unit, month=month)
    if close.status == MonthClose.Status.LOCKED:
        raise _error("month", "Månaden är redan stängd.", "locked")
    if rules.month_window(month)[1] > clock.now():
        raise _error("month", "Månaden är inte slut än. Stäng den när den är slut.", "not_ended")
    checklist = month_checklist(unit, month)
    if checklist.blocking:
        listed = "; ".join(
            f"{item.title}: " + ", ".join(finding.text for finding in item.findings) for item in checklist.blocking
        )
        raise _error("month", f"Månaden kan inte stängas än. {listed}.", "checklist")
    close.status = MonthClose.Status.LOCKED
    close.version += 1
    close.save(update_fields=["status", "version"])
    _event(close, actor=actor, action=MonthCloseEvent.Action.LOCK, reason="", checklist=checklist.summary())
    audit.record(
        actor=actor,
        action=AuditAction.MONTH_CLOSE_LOCK,
        obj=close,
        old={"status": MonthClose.Status.OPEN},
        new={"status": MonthClose.Status.LOCKED, "checklist": checklist.summary()},
        unit=unit,
    )
    return close


@transaction.atomic
def month_reopen(*, actor: Any, unit: Any, month: datetime.date, reason: str) -> MonthClose:
    """Reopen a locked month for a correction: always with a reason."""
    month = rules.first_of_month(month)
    if not may_attest(actor, unit.pk):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    reason = _clean_reason(reason)
    if not reason:
        raise _error("reason", "Ange varför månaden öppnas igen.", "required")
    close = _locked_close(unit.pk, month)
    if close is None:
        raise _error("month", "Månaden är inte stängd.", "not_locked")
    return _reopen(close, actor=actor, reason=reason)


def month_is_locked(unit_id: int, month: datetime.date) -> bool:
    return MonthClose.objects.filter(unit_id=unit_id, month=month, status=MonthClose.Status.LOCKED).exists()
