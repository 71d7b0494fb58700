"""Writes to employees and their details (terms, competences, delegations, introductions, appraisals), to what
clients ask of the staff, and to absences: each validated and audited in one transaction, nothing deleted."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from bista.clients.models import Client, ClientUnit
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, has_perm
from bista.core.deadlines import add_months
from bista.core.models import Team, Unit
from bista.core.people import parse_personnummer_field
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit, update_versioned
from bista.staff.models import (
    Absence,
    Appraisal,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Competence,
    Delegation,
    DelegationKind,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    Introduction,
    WorkingTimeRegime,
)

EMPLOYEE_EDITABLE = (
    "first_name",
    "last_name",
    "gender",
    "email",
    "phone",
    "employment_type",
    "employment_rate",
    "start_date",
    "end_date",
)
EMPLOYEE_AUDITED = ("personnummer", "unit", "user", *EMPLOYEE_EDITABLE)


def _check_period(start_date: datetime.date | None, end_date: datetime.date | None) -> None:
    if start_date and end_date and end_date < start_date:
        raise ValidationError(
            {"end_date": ValidationError("Slutdatum får inte vara före startdatum.", code="end_before_start")}
        )


def _check_teams(unit: Unit | int, teams: Iterable[Team]) -> list[Team]:
    unit_id = unit if isinstance(unit, int) else unit.pk
    teams = list(teams)
    if any(team.unit_id != unit_id for team in teams):
        raise ValidationError({"teams": "Arbetsgruppen hör inte till medarbetarens enhet."})
    return teams


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    unit: Unit,
    first_name: str,
    last_name: str,
    employment_type: str,
    start_date: datetime.date,
    employment_rate: Decimal = Decimal("100"),
    end_date: datetime.date | None = None,
    personnummer: str = "",
    gender: str = "O",
    email: str = "",
    phone: str = "",
    teams: Iterable[Team] = (),
    user: Any = None,
    fictitious: bool = False,
) -> Employee:
    check_perm(actor, Perm.EMPLOYEE_MANAGE, unit)
    _check_period(start_date, end_date)
    team_list = _check_teams(unit, teams)
    employee = Employee(
        unit=unit,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        employment_type=employment_type,
        employment_rate=employment_rate,
        start_date=start_date,
        end_date=end_date,
        personnummer=parse_personnummer_field(personnummer) if personnummer.strip() else "",
        gender=gender,
        email=email.strip(),
        phone=phone.strip(),
        user=user,
        fictitious=fictitious,
    )
    employee.full_clean()
    employee.save()
    employee.teams.set(team_list)
    audit.record(
        actor=actor,
        action="employee.create",
        obj=employee,
        new={**audit.snapshot(employee, EMPLOYEE_AUDITED), "teams": sorted(t.pk for t in team_list)},
        unit=unit,
    )
    return employee


@transaction.atomic
def employee_update(
    *, actor: Any, employee: Employee, expected_version: int | None, teams: Iterable[Team] | None = None, **changes: Any
) -> Employee:
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    for key in ("first_name", "last_name", "email", "phone"):
        if isinstance(changes.get(key), str):
            changes[key] = changes[key].strip()
    _check_period(changes.get("start_date", employee.start_date), changes.get("end_date", employee.end_date))
    employee = update_versioned(
        actor=actor,
        obj=employee,
        expected_version=expected_version,
        changes=changes,
        editable=EMPLOYEE_EDITABLE,
        audited=EMPLOYEE_AUDITED,
        action="employee.update",
        unit=employee.unit,
    )
    if teams is not None:
        team_list = _check_teams(employee.unit_id, teams)
        old_ids = sorted(employee.teams.values_list("id", flat=True))
        new_ids = sorted(t.pk for t in team_list)
        if old_ids != new_ids:
            employee.teams.set(team_list)
            audit.record(
                actor=actor,
                action="employee.teams",
                obj=employee,
                old={"teams": old_ids},
                new={"teams": new_ids},
                unit=employee.unit,
            )
    return employee


# --- Shared checks ------------------------------------------------------------------------------------------


# Who recorded a detail: None for the SYSTEM actor (the fields are nullable but not "blank" for forms).
AUTHOR_FIELDS = ["recorded_by", "held_by"]


def _person(actor: Any) -> Any:
    """The user to record as author: None for the SYSTEM actor."""
    return actor if getattr(actor, "pk", None) else None


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(field, f"{label} måste fyllas i.", "required")
    return value


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > clock.today():
        raise _invalid(field, "Datumet kan inte ligga i framtiden.", "in_future")


def _end_not_before_start(start: datetime.date, end: datetime.date | None, field: str) -> None:
    if end is not None and end < start:
        raise _invalid(field, "Slutdatum får inte vara före startdatum.", "end_before_start")


def _in_force(reference: Any, day: datetime.date, field: str, label: str) -> None:
    if not reference.in_force(day):
        raise _invalid(field, f"{label} gäller inte {day:%Y-%m-%d}.", "not_in_force")


CENT = Decimal("0.01")


def _decimal(value: Any, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _invalid(field, "Ange ett tal.", "invalid") from None


def _lock_employee(employee: Employee) -> Employee:
    """Lock the employee row: checks over the employee's records (overlaps) and the write are then atomic."""
    return Employee.objects.select_for_update().select_related("unit").get(pk=employee.pk)


def _client_in_unit(client: Client, unit_id: int) -> bool:
    return ClientUnit.objects.filter(client=client, unit_id=unit_id, until__isnull=True).exists()


def _check_client_of_employee(client: Client, employee: Employee, field: str = "client") -> None:
    if not _client_in_unit(client, employee.unit_id):
        raise _invalid(field, "Brukaren är inte kopplad till medarbetarens enhet.", "not_in_unit")


def _staffing_unit(actor: Any, client: Client) -> Unit:
    """The client's current unit through which the actor manages staff (EMPLOYEE_MANAGE) for the client."""
    links = list(
        ClientUnit.objects.filter(client=client, until__isnull=True).select_related("unit").order_by("unit_id")
    )
    if actor is SYSTEM:
        providers = [link.unit for link in links if link.unit.kind == Unit.Kind.PROVIDER]
        if providers or links:
            return (providers or [link.unit for link in links])[0]
        raise _invalid("client", "Brukaren är inte kopplad till någon enhet.", "not_in_unit")
    for link in links:
        if has_perm(actor, Perm.EMPLOYEE_MANAGE, link.unit):
            return link.unit
    raise PermissionDenied(f"Behörighet saknas: {Perm.EMPLOYEE_MANAGE}")


# --- Employment terms ---------------------------------------------------------------------------------------

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


# --- Competences and delegations ----------------------------------------------------------------------------

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


# --- Introductions and appraisals ---------------------------------------------------------------------------


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


# --- What the client asks of the staff ----------------------------------------------------------------------

CHOICE_AUDITED = ("client", "employee", "kind", "since", "until", "note")


@transaction.atomic
def client_staff_choice_add(
    *,
    actor: Any,
    client: Client,
    employee: Employee,
    kind: str,
    since: datetime.date,
    until: datetime.date | None = None,
    note: str = "",
) -> ClientStaffChoice:
    """The client chooses an employee, or says the employee is not to work with them. One choice per person
    at a time; the employee must work in one of the client's units."""
    check_perm(actor, Perm.EMPLOYEE_MANAGE, employee.unit_id)
    employee = _lock_employee(employee)
    _end_not_before_start(since, until, "until")
    _check_client_of_employee(client, employee, "employee")
    clash = (
        ClientStaffChoice.objects.filter(client=client, employee=employee)
        .filter(Q(until__isnull=True) | Q(until__gte=since))
        .filter(since__lte=until or datetime.date.max)
        .first()
    )
    if clash is not None:
        raise _invalid(
            "employee",
            f"Det finns redan ett val för {employee.full_name} ({clash.get_kind_display().lower()} "
            f"från {clash.since:%Y-%m-%d}). Avsluta det först.",
            "overlap",
        )
    choice = ClientStaffChoice(
        client=client,
        employee=employee,
        kind=kind,
        since=since,
        until=until,
        note=(note or "").strip(),
        recorded_by=_person(actor),
    )
    audit.save_new(
        choice,
        actor=actor,
        action="client_staff_choice.add",
        fields=CHOICE_AUDITED,
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    return choice


@transaction.atomic
def client_staff_choice_end(*, actor: Any, choice: ClientStaffChoice, until: datetime.date) -> ClientStaffChoice:
    """The choice holds up to and including `until`."""
    locked = ClientStaffChoice.objects.select_for_update().select_related("employee__unit").get(pk=choice.pk)
    check_perm(actor, Perm.EMPLOYEE_MANAGE, locked.employee.unit_id)
    if locked.until is not None:
        raise _invalid("until", f"Valet är redan avslutat {locked.until:%Y-%m-%d}.", "already_ended")
    _end_not_before_start(locked.since, until, "until")
    locked.until = until
    locked.save(update_fields=["until"])
    audit.record(
        actor=actor,
        action="client_staff_choice.end",
        obj=locked,
        old={"until": None},
        new={"until": until},
        unit=locked.employee.unit,
    )
    return locked


@transaction.atomic
def client_competence_need_add(
    *,
    actor: Any,
    client: Client,
    since: datetime.date,
    competence: Competence | None = None,
    delegation_kind: DelegationKind | None = None,
    until: datetime.date | None = None,
) -> ClientCompetenceNeed:
    """A competence (or a delegation) everyone who works with the client must have, from `since`."""
    unit = _staffing_unit(actor, client)
    if (competence is None) == (delegation_kind is None):
        raise _invalid("competence", "Ange antingen en kompetens eller en delegering.", "one_kind")
    _end_not_before_start(since, until, "until")
    if competence is not None:
        _in_force(competence, since, "competence", "Kompetensen")
        same = Q(competence=competence)
    else:
        assert delegation_kind is not None
        _in_force(delegation_kind, since, "delegation_kind", "Delegeringstypen")
        same = Q(delegation_kind=delegation_kind)
    Client.objects.select_for_update().filter(pk=client.pk).first()  # one need of a kind at a time
    clash = (
        ClientCompetenceNeed.objects.filter(same, client=client)
        .filter(Q(until__isnull=True) | Q(until__gte=since))
        .filter(since__lte=until or datetime.date.max)
        .first()
    )
    if clash is not None:
        raise _invalid(
            "competence" if competence is not None else "delegation_kind",
            f"Kravet finns redan från {clash.since:%Y-%m-%d}.",
            "duplicate",
        )
    need = ClientCompetenceNeed(
        client=client,
        competence=competence,
        delegation_kind=delegation_kind,
        since=since,
        until=until,
        recorded_by=_person(actor),
    )
    audit.save_new(
        need,
        actor=actor,
        action="client_competence_need.add",
        fields=("client", "competence", "delegation_kind", "since", "until"),
        unit=unit,
        exclude=AUTHOR_FIELDS,
    )
    return need


@transaction.atomic
def client_competence_need_end(*, actor: Any, need: ClientCompetenceNeed, until: datetime.date) -> ClientCompetenceNeed:
    """The need holds up to and including `until`."""
    locked = ClientCompetenceNeed.objects.select_for_update().select_related("client").get(pk=need.pk)
    unit = _staffing_unit(actor, locked.client)
    if locked.until is not None:
        raise _invalid("until", f"Kravet är redan avslutat {locked.until:%Y-%m-%d}.", "already_ended")
    _end_not_before_start(locked.since, until, "until")
    locked.until = until
    locked.save(update_fields=["until"])
    audit.record(
        actor=actor,
        action="client_competence_need.end",
        obj=locked,
        old={"until": None},
        new={"until": until},
        unit=unit,
    )
    return locked


# --- Absences -----------------------------------------------------------------------------------------------

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
        actor=actor,
        action="absence.create",
        obj=absence,
        new=audit.snapshot(absence, ABSENCE_AUDITED),
        unit=employee.unit,
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
