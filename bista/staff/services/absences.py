"""Writes of absences: register, edit, end early and cancel (sick leave, leave, parental leave …)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.staff.models import (
    Absence,
    Employee,
)
from bista.staff.services.common import (
    AUTHOR_FIELDS,
    CENT,
    _decimal,
    _end_not_before_start,
    _invalid,
    _lock_employee,
    _person,
)

ABSENCE_EDITABLE = ("kind", "starts_on", "ends_on", "extent", "note")
ABSENCE_AUDITED = ("employee", *ABSENCE_EDITABLE)


def _period_label(starts_on: datetime.date, ends_on: datetime.date | None) -> str:
    return f"{starts_on:%Y-%m-%d} – {ends_on:%Y-%m-%d}" if ends_on else f"{starts_on:%Y-%m-%d} – pågående"


def _check_absence(
    employee: Employee,
    *,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    exclude_pk: int | None = None,
) -> None:
    """Dates within the employment, end not before start, and no overlap with the employee's other
    (non-cancelled) absences: a sick-leave episode is one row, a second row for the same days is refused."""
    if kind not in Absence.Kind.values:
        raise _invalid("kind", "Välj en typ av frånvaro.", "invalid_choice")
    _end_not_before_start(starts_on, ends_on, "ends_on")
    if starts_on < employee.start_date:
        raise _invalid(
            "starts_on",
            f"Frånvaron kan inte börja före anställningen ({employee.start_date:%Y-%m-%d}).",
            "before_employment",
        )
    if employee.end_date is not None:
        if starts_on > employee.end_date:
            raise _invalid("starts_on", f"Anställningen slutar {employee.end_date:%Y-%m-%d}.", "after_employment")
        if ends_on is not None and ends_on > employee.end_date:
            raise _invalid("ends_on", f"Anställningen slutar {employee.end_date:%Y-%m-%d}.", "after_employment")
    others = Absence.objects.filter(employee=employee, cancelled_at__isnull=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        others = others.filter(starts_on__lte=ends_on)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    clash = others.order_by("starts_on", "id").first()
    if clash is not None:
        field = "starts_on" if clash.starts_on <= starts_on else "ends_on"
        raise _invalid(
            field,
            f"{employee.full_name} har redan frånvaro som överlappar: {clash.get_kind_display()} "
            f"{_period_label(clash.starts_on, clash.ends_on)}.",
            "overlap",
        )


@transaction.atomic
def absence_create(
    *,
    actor: Any,
    employee: Employee,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    extent: Decimal | int = 100,
    note: str = "",
) -> Absence:
    """Register an absence (an ongoing sick leave has no end date yet). Overlapping absences are refused."""
    check_perm(actor, Perm.ABSENCE_MANAGE, employee.unit_id)
    return _record_absence(
        actor, employee, "absence.create", kind=kind, starts_on=starts_on, ends_on=ends_on, extent=extent, note=note
    )


def _record_absence(
    actor: Any,
    employee: Employee,
    action: str,
    *,
    kind: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    extent: Decimal | int = 100,
    note: str = "",
) -> Absence:
    """A new absence of the employee (locked, overlaps refused), saved and audited as `action`; the caller has
    checked who may register it."""
    employee = _lock_employee(employee)
    _check_absence(employee, kind=kind, starts_on=starts_on, ends_on=ends_on)
    absence = Absence(
        employee=employee,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        extent=_decimal(extent, "extent"),
        note=(note or "").strip(),
        recorded_by=_person(actor),
    )
    absence.full_clean(exclude=AUTHOR_FIELDS)
    absence.extent = absence.extent.quantize(CENT)  # as stored, so the caller sees 50.00 and not 50
    absence.save()
    audit.record(
        actor=actor, action=action, obj=absence, new=audit.snapshot(absence, ABSENCE_AUDITED), unit=employee.unit
    )
    return absence


def _lock_absence(absence: Absence, version: int | None, *, cancelling: bool = False) -> Absence:
    """The absence locked (with its employee locked first, as the create does), refused if stale or cancelled."""
    employee = Employee.objects.select_for_update().get(pk=absence.employee_id)
    locked = lock_for_edit(Absence, absence.pk, version)
    locked.employee = employee
    if locked.cancelled_at is not None:
        if cancelling:
            raise _invalid("__all__", "Frånvaron är redan makulerad.", "already_cancelled")
        raise _invalid("__all__", "Frånvaron är makulerad och kan inte ändras.", "cancelled")
    return locked


def _save_absence(*, actor: Any, absence: Absence, changes: dict[str, Any], action: str) -> Absence:
    """Apply checked changes to a locked absence, validate, bump its version and audit what changed.

    (Like core.versioning.update_versioned, which cannot skip the author field an absence registered by the
    SYSTEM actor leaves empty.)
    """
    old = audit.snapshot(absence, ABSENCE_AUDITED)
    for name, value in changes.items():
        setattr(absence, name, value)
    absence.full_clean(exclude=AUTHOR_FIELDS)
    absence.extent = Decimal(absence.extent).quantize(CENT)
    absence.version += 1
    absence.save()
    before, after = audit.changed(old, audit.snapshot(absence, ABSENCE_AUDITED))
    if after:
        audit.record(actor=actor, action=action, obj=absence, old=before, new=after, unit=absence.employee.unit)
    return absence


@transaction.atomic
def absence_update(*, actor: Any, absence: Absence, version: int | None, **changes: Any) -> Absence:
    """Correct an absence (kind, dates, extent, note). `version` is the one the edit started from."""
    check_perm(actor, Perm.ABSENCE_MANAGE, absence.employee.unit_id)
    locked = _lock_absence(absence, version)
    unknown = set(changes) - set(ABSENCE_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "note" in changes:
        changes["note"] = (changes["note"] or "").strip()
    if "extent" in changes and changes["extent"] is not None:
        changes["extent"] = _decimal(changes["extent"], "extent")
    _check_absence(
        locked.employee,
        kind=changes.get("kind", locked.kind),
        starts_on=changes.get("starts_on", locked.starts_on),
        ends_on=changes.get("ends_on", locked.ends_on),
        exclude_pk=locked.pk,
    )
    return _save_absence(actor=actor, absence=locked, changes=changes, action="absence.update")


@transaction.atomic
def absence_end(*, actor: Any, absence: Absence, ends_on: datetime.date, version: int | None = None) -> Absence:
    """Set the last day of an ongoing absence (the employee is back the day after)."""
    check_perm(actor, Perm.ABSENCE_MANAGE, absence.employee.unit_id)
    locked = _lock_absence(absence, version)
    if locked.ends_on is not None:
        raise _invalid("ends_on", f"Frånvaron har redan ett slutdatum ({locked.ends_on:%Y-%m-%d}).", "not_ongoing")
    _check_absence(locked.employee, kind=locked.kind, starts_on=locked.starts_on, ends_on=ends_on, exclude_pk=locked.pk)
    return _save_absence(actor=actor, absence=locked, changes={"ends_on": ends_on}, action="absence.end")


@transaction.atomic
def absence_cancel(*, actor: Any, absence: Absence, version: int | None = None) -> Absence:
    """Cancel an absence registered by mistake: it stays, marked cancelled, and no longer counts."""
    check_perm(actor, Perm.ABSENCE_MANAGE, absence.employee.unit_id)
    locked = _lock_absence(absence, version, cancelling=True)
    locked.cancelled_at = clock.now()
    locked.cancelled_by = _person(actor)
    locked.version += 1
    locked.save(update_fields=["cancelled_at", "cancelled_by", "version"])
    audit.record(
        actor=actor,
        action="absence.cancel",
        obj=locked,
        old={"cancelled_at": None},
        new={"cancelled_at": locked.cancelled_at, "cancelled_by": locked.cancelled_by_id},
        unit=locked.employee.unit,
    )
    return locked


# How far ahead an employee may report themself sick (a longer planned absence is the manager's to register).
SELF_REPORT_DAYS_AHEAD = 14


@transaction.atomic
def sick_leave_self_report(
    *, actor: Any, starts_on: datetime.date, back_on: datetime.date | None = None, note: str = ""
) -> Absence:
    """The signed-in employee reports themself sick from `starts_on` (today or a day soon), optionally with the
    day they expect to be back (the sick leave then ends the day before). Nobody else's absence can be reported
    this way: the employee is the actor's own record, whatever the actor's roles."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Logga in för att sjukanmäla dig.")
    own = Employee.objects.filter(user=actor).first()
    if own is None:
        raise PermissionDenied("Ditt konto är inte kopplat till någon medarbetare.")
    today = clock.today()
    if starts_on < today:
        raise _invalid("starts_on", "Du kan inte sjukanmäla dig bakåt i tiden. Kontakta din chef.", "in_past")
    if starts_on > today + datetime.timedelta(days=SELF_REPORT_DAYS_AHEAD):
        raise _invalid(
            "starts_on", f"Du kan sjukanmäla dig högst {SELF_REPORT_DAYS_AHEAD} dagar framåt.", "too_far_ahead"
        )
    if back_on is not None and back_on <= starts_on:
        raise _invalid("back_on", "Dagen du räknar med att vara tillbaka måste vara efter första sjukdagen.", "order")
    ends_on = back_on - datetime.timedelta(days=1) if back_on is not None else None
    return _record_absence(
        actor, own, "absence.self_report", kind=Absence.Kind.SICK, starts_on=starts_on, ends_on=ends_on, note=note
    )
