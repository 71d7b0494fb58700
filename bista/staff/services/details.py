"""Writes of an employee's details: employment terms, competences, delegations, introduction and appraisals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from bista.clients.models import Client
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.deadlines import add_months
from bista.core.permissions import Perm
from bista.core.versioning import update_versioned
from bista.staff.models import (
    Appraisal,
    Competence,
    Delegation,
    DelegationKind,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    Introduction,
    WorkingTimeRegime,
)
from bista.staff.services.common import (
    AUTHOR_FIELDS,
    _check_client_of_employee,
    _end_not_before_start,
    _in_force,
    _invalid,
    _lock_employee,
    _not_in_future,
    _person,
    _require_text,
)

TERM_AUDITED = ("employee", "employment_type", "employment_rate", "regime", "starts_on", "ends_on", "note")


def _term_is_current(starts_on: datetime.date, ends_on: datetime.date | None, today: datetime.date) -> bool:
    return starts_on <= today and (ends_on is None or today <= ends_on)


@transaction.atomic
def employment_term_add(
    *,
    actor: Any,
    employee: Employee,
    employment_type: str,
    employment_rate: Decimal,
    regime: WorkingTimeRegime,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    note: str = "",
) -> EmploymentTerm:
    """Employment type, rate and regime from `starts_on` (a substitute's contract: with `ends_on`).

    The term running on `starts_on` ends the day before; a term starting on or after `starts_on` that the new
    one would overlap is refused (terms are added in date order; a later change is a newer term). When the new
    term is in force today, the employee's current type and rate follow it.
    """
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    employee = _lock_employee(employee)
    _end_not_before_start(starts_on, ends_on, "ends_on")
    if starts_on < employee.start_date:
        raise _invalid(
            "starts_on",
            f"Villkoren kan inte börja före anställningen ({employee.start_date:%Y-%m-%d}).",
            "before_employment",
        )
    if employee.end_date is not None and starts_on > employee.end_date:
        raise _invalid("starts_on", f"Anställningen slutar {employee.end_date:%Y-%m-%d}.", "after_employment")
    _in_force(regime, starts_on, "regime", "Arbetstidsregimen")
    later = (
        EmploymentTerm.objects.filter(employee=employee, starts_on__gte=starts_on).order_by("starts_on", "id").first()
    )
    if later is not None and (ends_on is None or ends_on >= later.starts_on):
        raise _invalid(
            "starts_on",
            f"Det finns redan villkor från {later.starts_on:%Y-%m-%d}; nya villkor får inte överlappa dem.",
            "overlap",
        )
    running = (
        EmploymentTerm.objects.select_for_update()
        .filter(employee=employee, starts_on__lt=starts_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .first()
    )
    if running is not None:
        old = audit.snapshot(running, ("ends_on",))
        running.ends_on = starts_on - datetime.timedelta(days=1)
        running.save(update_fields=["ends_on"])
        audit.record(
            actor=actor,
            action="employment_term.end",
            obj=running,
            old=old,
            new=audit.snapshot(running, ("ends_on",)),
            unit=employee.unit,
        )
    term = EmploymentTerm(
        employee=employee,
        employment_type=employment_type,
        employment_rate=employment_rate,
        regime=regime,
        starts_on=starts_on,
        ends_on=ends_on,
        note=(note or "").strip(),
        recorded_by=_person(actor),
    )
    audit.save_new(
        term,
        actor=actor,
        action="employment_term.add",
        fields=TERM_AUDITED,
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    if _term_is_current(starts_on, ends_on, clock.today()):
        update_versioned(
            actor=actor,
            obj=employee,
            expected_version=None,
            changes={"employment_type": employment_type, "employment_rate": employment_rate},
            editable=("employment_type", "employment_rate"),
            audited=("employment_type", "employment_rate"),
            action="employee.update",
            unit=employee.unit,
        )
    return term


# HSLF-FS 2017:37 (delegering av ledningsansvar för hälso- och sjukvårdsuppgifter) 4 kap.: a delegation is given
# for a fixed time, at most one year. *Verify against the current text.*
DELEGATION_MAX_MONTHS = 12


def delegation_latest_end(valid_from: datetime.date) -> datetime.date:
    """The last day a delegation from `valid_from` may run: one year, the day before the same date a year later."""
    return add_months(valid_from, DELEGATION_MAX_MONTHS) - datetime.timedelta(days=1)


@transaction.atomic
def competence_add(
    *,
    actor: Any,
    employee: Employee,
    competence: Competence,
    evidence: str,
    acquired_on: datetime.date,
) -> EmployeeCompetence:
    """A competence the employee has, with its evidence (course, certificate). Held once at a time."""
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    employee = _lock_employee(employee)
    evidence = _require_text(evidence, "evidence", "Underlag")
    _not_in_future(acquired_on, "acquired_on")
    _in_force(competence, acquired_on, "competence", "Kompetensen")
    if EmployeeCompetence.objects.filter(employee=employee, competence=competence, revoked_on__isnull=True).exists():
        raise _invalid("competence", f"{employee.full_name} har redan kompetensen {competence.name}.", "duplicate")
    held = EmployeeCompetence(
        employee=employee,
        competence=competence,
        evidence=evidence,
        acquired_on=acquired_on,
        recorded_by=_person(actor),
    )
    audit.save_new(
        held,
        actor=actor,
        action="employee_competence.add",
        fields=("employee", "competence", "evidence", "acquired_on"),
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    return held


@transaction.atomic
def competence_revoke(*, actor: Any, competence: EmployeeCompetence, revoked_on: datetime.date) -> EmployeeCompetence:
    """The competence no longer counts from `revoked_on` (the record stays)."""
    locked = EmployeeCompetence.objects.select_for_update().select_related("employee__unit").get(pk=competence.pk)
    check_perm(actor, Perm.EMPLOYEE_MANAGE, locked.employee.unit_id)
    if locked.revoked_on is not None:
        raise _invalid(
            "revoked_on", f"Kompetensen gäller redan inte från {locked.revoked_on:%Y-%m-%d}.", "already_revoked"
        )
    if revoked_on < locked.acquired_on:
        raise _invalid("revoked_on", "Datumet kan inte vara före kompetensens datum.", "before_start")
    locked.revoked_on = revoked_on
    locked.save(update_fields=["revoked_on"])
    audit.record(
        actor=actor,
        action="employee_competence.revoke",
        obj=locked,
        old={"revoked_on": None},
        new={"revoked_on": revoked_on},
        unit=locked.employee.unit,
    )
    return locked


DELEGATION_AUDITED = ("employee", "kind", "client", "delegated_by", "valid_from", "valid_until")


@transaction.atomic
def delegation_add(
    *,
    actor: Any,
    employee: Employee,
    kind: DelegationKind,
    delegated_by: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    client: Client | None = None,
) -> Delegation:
    """A health-care delegation for a fixed time of at most one year, for one client or all the employee's.

    A renewal is a new delegation; it fulfils the old one's renewal duty when it starts by the day after
    the old one's last day.
    """
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    employee = _lock_employee(employee)
    delegated_by = _require_text(delegated_by, "delegated_by", "Delegerad av")
    _end_not_before_start(valid_from, valid_until, "valid_until")
    latest = delegation_latest_end(valid_from)
    if valid_until > latest:
        raise _invalid(
            "valid_until",
            f"En delegering gäller högst ett år, här till och med {latest:%Y-%m-%d} (HSLF-FS 2017:37).",
            "too_long",
        )
    _in_force(kind, valid_from, "kind", "Delegeringstypen")
    if client is not None:
        _check_client_of_employee(client, employee)
    delegation = Delegation(
        employee=employee,
        kind=kind,
        client=client,
        delegated_by=delegated_by,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=_person(actor),
    )
    audit.save_new(
        delegation,
        actor=actor,
        action="delegation.add",
        fields=DELEGATION_AUDITED,
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: Any, delegation: Delegation, revoked_on: datetime.date) -> Delegation:
    """The delegation no longer holds from `revoked_on` (the record stays)."""
    locked = Delegation.objects.select_for_update().select_related("employee__unit").get(pk=delegation.pk)
    check_perm(actor, Perm.EMPLOYEE_MANAGE, locked.employee.unit_id)
    if locked.revoked_on is not None:
        raise _invalid(
            "revoked_on", f"Delegeringen är redan återkallad från {locked.revoked_on:%Y-%m-%d}.", "already_revoked"
        )
    if revoked_on < locked.valid_from:
        raise _invalid("revoked_on", "Datumet kan inte vara före delegeringens startdatum.", "before_start")
    locked.revoked_on = revoked_on
    locked.save(update_fields=["revoked_on"])
    audit.record(
        actor=actor,
        action="delegation.revoke",
        obj=locked,
        old={"revoked_on": None},
        new={"revoked_on": revoked_on},
        unit=locked.employee.unit,
    )
    return locked


@transaction.atomic
def introduction_record(
    *,
    actor: Any,
    employee: Employee,
    client: Client,
    completed_on: datetime.date,
    introduced_by: str = "",
) -> Introduction:
    """The employee has been introduced at the client (once per client)."""
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    employee = _lock_employee(employee)
    _not_in_future(completed_on, "completed_on")
    _check_client_of_employee(client, employee)
    done = Introduction.objects.filter(employee=employee, client=client).first()
    if done is not None:
        raise _invalid(
            "client",
            f"{employee.full_name} introducerades redan hos brukaren {done.completed_on:%Y-%m-%d}.",
            "duplicate",
        )
    introduction = Introduction(
        employee=employee,
        client=client,
        completed_on=completed_on,
        introduced_by=(introduced_by or "").strip(),
        recorded_by=_person(actor),
    )
    audit.save_new(
        introduction,
        actor=actor,
        action="introduction.record",
        fields=("employee", "client", "completed_on", "introduced_by"),
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    return introduction


@transaction.atomic
def appraisal_record(*, actor: Any, employee: Employee, held_on: datetime.date, development_plan: str) -> Appraisal:
    """A medarbetarsamtal held, with the development plan agreed; it fulfils the appraisal duty."""
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    employee = _lock_employee(employee)
    development_plan = _require_text(development_plan, "development_plan", "Utvecklingsplan")
    _not_in_future(held_on, "held_on")
    if held_on < employee.start_date:
        raise _invalid(
            "held_on",
            f"Samtalet kan inte hållas före anställningen ({employee.start_date:%Y-%m-%d}).",
            "before_employment",
        )
    appraisal = Appraisal(employee=employee, held_on=held_on, held_by=_person(actor), development_plan=development_plan)
    appraisal.full_clean(exclude=AUTHOR_FIELDS)
    appraisal.save()
    # The plan itself stays in the record, readable only by managers and the employee: not in the audit trail.
    audit.record(
        actor=actor,
        action="appraisal.record",
        obj=appraisal,
        new={"employee": employee.pk, "held_on": held_on},
        unit=employee.unit,
    )
    return appraisal
