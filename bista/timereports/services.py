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
import re
from collections.abc import Callable
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
    FkReport,
    MonthClose,
    MonthCloseEvent,
    ProviderDetails,
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


# Other contexts act on a lock without timereports importing them: `register_on_lock(fn)` from their app's
# `ready()`, where `fn(unit, month, close)` runs in the lock's transaction (economy stores the month's figures).
ON_LOCK: list[Callable[[Any, datetime.date, MonthClose], None]] = []


def register_on_lock(fn: Callable[[Any, datetime.date, MonthClose], None]) -> None:
    if fn not in ON_LOCK:
        ON_LOCK.append(fn)


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
    for fn in ON_LOCK:
        fn(unit, month, close)
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


# --- Försäkringskassan's time reports ----------------------------------------------------------------------

ORGANISATION_NUMBER = re.compile(r"\d{10}")


def _require_attest(actor: Any, unit_id: int) -> None:
    if not may_attest(actor, unit_id):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")


@transaction.atomic
def provider_details_set(
    *,
    actor: Any,
    unit: Any,
    name: str,
    organisation_number: str,
    contact_name: str,
    contact_phone: str = "",
    contact_email: str = "",
) -> ProviderDetails:
    """The provider as FK's time reports name it (anordnare): name, organisation number, contact."""
    _require_attest(actor, unit.pk)
    number = (organisation_number or "").replace("-", "").strip()
    errors = {}
    if not ORGANISATION_NUMBER.fullmatch(number):
        errors["organisation_number"] = "Ange organisationsnumret med tio siffror."
    if not (name or "").strip():
        errors["name"] = "Ange anordnarens namn."
    if not (contact_name or "").strip():
        errors["contact_name"] = "Ange en kontaktperson."
    if errors:
        raise ValidationError(errors)
    details = ProviderDetails.objects.select_for_update().filter(unit=unit).first() or ProviderDetails(unit=unit)
    old = audit.snapshot(details, PROVIDER_AUDITED) if details.pk else None
    details.name, details.organisation_number = name.strip(), number
    details.contact_name, details.contact_phone = contact_name.strip(), (contact_phone or "").strip()
    details.contact_email = (contact_email or "").strip()
    details.full_clean(exclude=["unit"])
    details.save()
    audit.record(
        actor=actor,
        action=AuditAction.PROVIDER_DETAILS_SET,
        obj=details,
        old=old,
        new=audit.snapshot(details, PROVIDER_AUDITED),
        unit=unit,
    )
    return details


PROVIDER_AUDITED = ("name", "organisation_number", "contact_name", "contact_phone", "contact_email")


def _report_fields(content: dict[str, Any]) -> dict[str, Any]:
    return {"content": content}


@transaction.atomic
def fk_reports_produce(*, actor: Any, unit: Any, month: datetime.date) -> list[FkReport]:
    """Draft the month's FK reports from the records: a new draft for each FK-paid client × assistant without a
    report, a draft brought up to date; attested and sent reports are left as they are (a change after them
    is a correction). Returns the reports in force, produced or not."""
    from bista.timereports import fkreports

    month = rules.first_of_month(month)
    _require_attest(actor, unit.pk)
    if rules.month_window(month)[0] > clock.now():
        raise _error("month", "Månaden har inte börjat än.", "not_started")
    provider = ProviderDetails.objects.filter(unit=unit).first()
    if provider is None:
        raise _error("unit", "Enhetens anordnaruppgifter (organisationsnummer, kontaktperson) saknas.", "provider")
    MonthClose.objects.select_for_update().get_or_create(unit=unit, month=month)  # one producer at a time
    contents = fkreports.month_contents(unit, month, fkreports.provider_content(provider))
    current = {
        (r.client_id, r.employee_id): r
        for r in FkReport.objects.filter(unit=unit, month=month).exclude(status=FkReport.Status.CORRECTED)
    }
    now, created, updated = clock.now(), 0, 0
    for (client_id, employee_id), content in contents.items():
        report = current.get((client_id, employee_id))
        if report is None:
            current[(client_id, employee_id)] = FkReport.objects.create(
                unit=unit,
                client_id=client_id,
                employee_id=employee_id,
                month=month,
                produced_at=now,
                produced_by=_person(actor),
                **_report_fields(content),
            )
            created += 1
        elif report.status == FkReport.Status.DRAFT and report.content != content:
            for key, value in _report_fields(content).items():
                setattr(report, key, value)
            report.produced_at, report.produced_by = now, _person(actor)
            report.save()
            updated += 1
    audit.record(
        actor=actor,
        action=AuditAction.FK_REPORT_PRODUCE,
        obj=provider,
        new={"month": month, "created": created, "updated": updated},
        unit=unit,
    )
    return sorted(current.values(), key=lambda r: (r.client_id, r.employee_id))


def _locked_report(report: FkReport) -> FkReport:
    return FkReport.objects.select_for_update().get(pk=report.pk)


def _record_report(actor: Any, action: str, report: FkReport, old: str, **new: Any) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=report,
        old={"status": old},
        new={"status": report.status, **new},
        unit=report.unit,
    )


@transaction.atomic
def fk_report_attest(*, actor: Any, report: FkReport) -> FkReport:
    """Attest a draft (the provider's signature): the month has ended, the assistant's month is attested and
    unchanged since, the draft still matches the records and the assistant has a personnummer."""
    from bista.timereports import fkreports

    _require_attest(actor, report.unit_id)
    report = _locked_report(report)
    if report.status != FkReport.Status.DRAFT:
        raise _error("status", "Bara ett utkast kan attesteras.", "invalid_status")
    if rules.month_window(report.month)[1] > clock.now():
        raise _error("month", "Månaden är inte slut än.", "not_ended")
    latest = Attestation.objects.filter(employee_id=report.employee_id, month=report.month).order_by("-attested_at")
    attested = latest.values_list("attested_at", flat=True).first()
    worked = month_worked_times(report.employee, report.month)
    if attested is None or any(w.recorded_at > attested for w in worked):
        raise _error("month", "Assistentens tid för månaden är inte attesterad (eller ändrad efter attest).", "time")
    provider = ProviderDetails.objects.filter(unit_id=report.unit_id).first()
    contents = fkreports.month_contents(
        report.unit, report.month, fkreports.provider_content(provider) if provider else {}
    )
    if contents.get((report.client_id, report.employee_id)) != report.content:
        raise _error("content", "Tiden har ändrats sedan utkastet togs fram. Ta fram tidredovisningarna igen.", "stale")
    if not report.content["assistant"]["personnummer"]:
        raise _error("employee", "Assistentens personnummer eller samordningsnummer saknas.", "identity")
    report.status = FkReport.Status.ATTESTED
    report.attested_at, report.attested_by = clock.now(), _person(actor)
    report.save(update_fields=["status", "attested_at", "attested_by"])
    _record_report(actor, AuditAction.FK_REPORT_ATTEST, report, FkReport.Status.DRAFT)
    return report


@transaction.atomic
def fk_report_mark_sent(*, actor: Any, report: FkReport, sent_on: datetime.date) -> FkReport:
    """Record that an attested report was sent to FK, on which day (not before the month ended, not ahead)."""
    _require_attest(actor, report.unit_id)
    if not isinstance(sent_on, datetime.date):
        raise _error("sent_on", "Ange datumet den skickades.", "required")
    report = _locked_report(report)
    if report.status != FkReport.Status.ATTESTED:
        raise _error("status", "Bara en attesterad tidredovisning kan markeras som skickad.", "invalid_status")
    if sent_on > clock.today():
        raise _error("sent_on", "Datumet kan inte vara i framtiden.", "future")
    if sent_on <= rules.last_of_month(report.month):
        raise _error("sent_on", "Tidredovisningen skickas efter månadens slut.", "too_early")
    report.status = FkReport.Status.SENT
    report.sent_on, report.sent_at, report.sent_by = sent_on, clock.now(), _person(actor)
    report.save(update_fields=["status", "sent_on", "sent_at", "sent_by"])
    _record_report(actor, AuditAction.FK_REPORT_SEND, report, FkReport.Status.ATTESTED, sent_on=sent_on)
    return report


@transaction.atomic
def fk_report_correct(*, actor: Any, report: FkReport, reason: str) -> FkReport:
    """A correction of an attested or sent report: a new draft from the records as they are now, superseding
    it; the old report stays as it was, marked corrected. Always with a reason."""
    from bista.timereports import fkreports

    _require_attest(actor, report.unit_id)
    reason = _clean_reason(reason)
    if not reason:
        raise _error("reason", "Ange varför tidredovisningen rättas.", "required")
    report = _locked_report(report)
    if report.status not in (FkReport.Status.ATTESTED, FkReport.Status.SENT):
        raise _error(
            "status",
            "Bara en attesterad eller skickad tidredovisning rättas. Ett utkast tas fram igen.",
            "invalid_status",
        )
    provider = ProviderDetails.objects.filter(unit_id=report.unit_id).first()
    provider_content = fkreports.provider_content(provider) if provider else report.content["provider"]
    content = fkreports.month_contents(report.unit, report.month, provider_content).get(
        (report.client_id, report.employee_id)
    )
    if content is None:  # all the time was moved or taken away: the correction reports none
        content = {**report.content, "provider": provider_content, "rows": []}
    old_status = report.status
    report.status = FkReport.Status.CORRECTED
    report.save(update_fields=["status"])
    new = FkReport.objects.create(
        unit_id=report.unit_id,
        client_id=report.client_id,
        employee_id=report.employee_id,
        month=report.month,
        supersedes=report,
        correction_reason=reason,
        produced_at=clock.now(),
        produced_by=_person(actor),
        **_report_fields(content),
    )
    _record_report(actor, AuditAction.FK_REPORT_CORRECT, report, old_status, superseded_by=new.pk, reason=reason)
    return new


@transaction.atomic
def fk_report_export(*, actor: Any, report: FkReport, format: str) -> bytes:
    """The report as ELT XML ("xml") or as a PDF to sign ("pdf"): audited, and the client's access logged
    (the export carries personnummer)."""
    from bista.clients.models import AccessLogEntry
    from bista.clients.services import access_log_record
    from bista.timereports import elt

    _require_attest(actor, report.unit_id)
    if format == "xml":
        data = elt.to_xml(report.content)
        access = AccessLogEntry.Action.EXPORT
    elif format == "pdf":
        from bista.core.pdf import render_pdf

        data = render_pdf("timereports/fk_report_print.html", {"report": report, **print_context(report)})
        access = AccessLogEntry.Action.PRINT
    else:
        raise _error("format", "Välj XML eller PDF.", "invalid")
    access_log_record(
        actor=actor, client=report.client, action=access, unit=report.unit, detail=f"tidredovisning FK {report.pk}"
    )
    audit.record(actor=actor, action=AuditAction.FK_REPORT_EXPORT, obj=report, new={"format": format}, unit=report.unit)
    return data


def print_context(report: FkReport) -> dict[str, Any]:
    """What the report page and its PDF show beside the content: formatted numbers and the totals in hours."""
    from bista.core.people import format_personnummer

    content = report.content
    return {
        "client_pnr": format_personnummer(content["client"]["personnummer"]),
        "assistant_pnr": format_personnummer(content["assistant"]["personnummer"]),
        "rows": [
            {
                **row,
                **{
                    f"{key}_h": rules.hours_decimal(int(row[key]))
                    for key in ("active", "waiting", "on_call", "standby")
                },
            }
            for row in content["rows"]
        ],
        "total": {
            "active": rules.hours_decimal(report.active_minutes),
            "waiting": rules.hours_decimal(report.waiting_minutes),
            "on_call": rules.hours_decimal(report.on_call_minutes),
            "standby": rules.hours_decimal(report.standby_minutes),
            "all": rules.hours_decimal(report.minutes),
        },
    }
