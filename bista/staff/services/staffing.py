"""Writes of who works with a client: the client's staff choices and the competences the client needs."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from bista.clients.models import Client, ClientUnit
from bista.core import audit
from bista.core.access import SYSTEM, check_perm, has_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.staff.models import (
    ClientCompetenceNeed,
    ClientStaffChoice,
    Competence,
    DelegationKind,
    Employee,
)
from bista.staff.services.common import (
    AUTHOR_FIELDS,
    _check_client_of_employee,
    _end_not_before_start,
    _in_force,
    _invalid,
    _lock_employee,
    _person,
)


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
