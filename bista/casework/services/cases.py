"""Writes of cases and intakes: registering an application or a report of need (opening the case), the
first contact, and assigning cases to case officers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.care.models import Service
from bista.casework.actions import AuditAction
from bista.casework.models import (
    Case,
    Intake,
    TargetGroup,
)
from bista.casework.services.common import _not_in_future, _officer_of, _person, _purchaser, _team_of
from bista.clients import services as client_services
from bista.clients.models import Client, ClientUnit
from bista.clients.selectors import visible_clients
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm
from bista.core.models import Team, Unit
from bista.core.people import parse_personnummer_field
from bista.core.permissions import Perm
from bista.core.versioning import update_versioned

CASE_AUDITED = ("client", "unit", "officer", "team", "target_group", "opened_on")
INTAKE_AUDITED = ("case", "kind", "sender", "sender_name", "received_on", "channel", "requested")


# --- Cases and intakes ------------------------------------------------------------------------------


def _open_case(
    *,
    actor: Any,
    client: Client,
    unit: Unit,
    officer: Any,
    team: Team | None,
    target_group: TargetGroup | None,
    opened_on: datetime.date,
) -> Case:
    case = Case.objects.select_for_update().filter(client=client, unit=unit, closed_on__isnull=True).first()
    if case is not None:
        if target_group is not None and case.target_group_id != target_group.pk:
            # A new application names the group the person belongs to now (a child become an adult): the open
            # case follows it, audited as any change of group, rather than dropping what was chosen.
            case = update_versioned(
                actor=actor,
                obj=case,
                expected_version=case.version,  # locked above: nobody can have changed it since
                changes={"target_group": target_group},
                editable=("target_group",),
                audited=("target_group",),
                action=AuditAction.CASE_TARGET_GROUP,
                unit=unit,
            )
        return case
    case = Case(client=client, unit=unit, officer=officer, team=team, target_group=target_group, opened_on=opened_on)
    return audit.save_new(case, actor=actor, action=AuditAction.CASE_OPEN, fields=CASE_AUDITED, unit=unit)


def _intake_client(
    *, actor: Any, unit: Unit, client: Client | None, new_client: Mapping[str, Any] | None, since: datetime.date
) -> Client:
    """The intake's client: an existing one the actor may see (linked to the purchaser if not yet), or one
    registered now through the clients context (its personnummer rules and protected identity)."""
    if new_client is None:
        if client is None:
            raise ValidationError({"client": "Välj en befintlig brukare eller registrera en ny."})
        if actor is not SYSTEM and not visible_clients(actor).filter(pk=client.pk).exists():
            raise ValidationError({"client": "Brukaren finns inte eller så saknar du behörighet."})
    else:
        if client is not None:
            raise ValidationError({"client": "Välj en befintlig brukare eller registrera en ny, inte båda."})
        # A person already in Bistå (e.g. at a provider, ordered by another district) is the same client: the
        # application gives this purchaser the case, so the client is linked here rather than registered twice.
        digits = parse_personnummer_field(str(new_client.get("personnummer", "")))
        client = Client.objects.filter(personnummer=digits).first()
        if client is None:
            return client_services.client_create(actor=actor, unit=unit, since=since, **new_client)
    if not ClientUnit.objects.filter(client=client, unit=unit, until__isnull=True).exists():
        client_services.client_link_unit(actor=actor, client=client, unit=unit, since=since)
    return client


def _intake_errors(*, kind: str, sender: str, requested: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind == Intake.Kind.APPLICATION and sender not in Intake.APPLICANTS:
        errors["sender"] = "En ansökan kommer från den enskilde eller dennes företrädare; annars är det en anmälan."
    if not requested.strip():
        errors["requested"] = "Beskriv vad som söks eller anmäls."
    return errors


def target_group_check(target_group: TargetGroup | None, on: datetime.date) -> None:
    if target_group is not None and not target_group.in_force(on):
        raise ValidationError({"target_group": "Målgruppen gällde inte det datumet."})


def _first_contact_check(on: datetime.date, received_on: datetime.date) -> None:
    if on < received_on:
        raise ValidationError({"on": f"Kontakten kan inte vara före aktualiseringen ({received_on:%Y-%m-%d})."})


@transaction.atomic
def intake_register(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    sender: str,
    received_on: datetime.date,
    channel: str,
    requested: str,
    sender_name: str = "",
    services: Iterable[Service] = (),
    client: Client | None = None,
    new_client: Mapping[str, Any] | None = None,
    officer: Any = None,
    team: Team | None = None,
    target_group: TargetGroup | None = None,
) -> Intake:
    """Register an application or a report of need; opens the client's case at the unit if none is open.
    `new_client`: the arguments of `clients.services.client_create` (personnummer, names …) for a person
    not yet in Bistå. The case goes to `officer` (default: the actor) in `team`, in `target_group` (målgrupp,
    in force on the day received; an intake on a case already open leaves its group as it is)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, unit)
    _purchaser(unit)
    _not_in_future(received_on, "received_on")
    errors = _intake_errors(kind=kind, sender=sender, requested=requested)
    if errors:
        raise ValidationError(errors)
    _team_of(unit, team)
    target_group_check(target_group, received_on)
    officer = officer if officer is not None else _person(actor)
    _officer_of(unit, officer, received_on if received_on <= clock.today() else clock.today())
    client = _intake_client(actor=actor, unit=unit, client=client, new_client=new_client, since=received_on)
    case = _open_case(
        actor=actor,
        client=client,
        unit=unit,
        officer=officer,
        team=team,
        target_group=target_group,
        opened_on=received_on,
    )
    intake = Intake(
        case=case,
        kind=kind,
        sender=sender,
        sender_name=sender_name.strip(),
        received_on=received_on,
        channel=channel,
        requested=requested.strip(),
        registered_by=_person(actor),
    )
    intake.full_clean(exclude=["registered_by"])
    intake.save()
    service_list = list(services)
    intake.services.set(service_list)
    audit.record(
        actor=actor,
        action=AuditAction.INTAKE_REGISTER,
        obj=intake,
        new={**audit.snapshot(intake, INTAKE_AUDITED), "services": sorted(s.pk for s in service_list)},
        unit=unit,
    )
    return intake


@transaction.atomic
def intake_first_contact(*, actor: Any, intake: Intake, on: datetime.date) -> Intake:
    """Record the first contact with the person after the intake (the "skyndsamt" duty)."""
    case = intake.case
    check_perm(actor, Perm.CASEWORK_MANAGE, case.unit)
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    _not_in_future(on, "on")
    if locked.first_contact_on is not None:
        raise ValidationError({"on": "Första kontakten är redan registrerad."})
    _first_contact_check(on, locked.received_on)
    locked.first_contact_on = on
    locked.save(update_fields=["first_contact_on"])
    audit.record(actor=actor, action=AuditAction.INTAKE_FIRST_CONTACT, obj=locked, new={"on": on}, unit=case.unit)
    return locked


@transaction.atomic
def case_assign(*, actor: Any, case: Case, officer: Any, team: Team | None, expected_version: int | None) -> Case:
    """Reassign a case to another case officer and/or group."""
    check_perm(actor, Perm.CASEWORK_ASSIGN, case.unit)
    _team_of(case.unit, team)
    _officer_of(case.unit, officer, clock.today())
    return update_versioned(
        actor=actor,
        obj=case,
        expected_version=expected_version,
        changes={"officer": officer, "team": team},
        editable=("officer", "team"),
        audited=("officer", "team"),
        action=AuditAction.CASE_ASSIGN,
        unit=case.unit,
    )


@transaction.atomic
def case_target_group_set(
    *, actor: Any, case: Case, target_group: TargetGroup | None, expected_version: int | None
) -> Case:
    """Put the case in a målgrupp (or none): the group in force today, as the statistics count it from now on."""
    check_perm(actor, Perm.CASEWORK_MANAGE, case.unit)
    target_group_check(target_group, clock.today())
    return update_versioned(
        actor=actor,
        obj=case,
        expected_version=expected_version,
        changes={"target_group": target_group},
        editable=("target_group",),
        audited=("target_group",),
        action=AuditAction.CASE_TARGET_GROUP,
        unit=case.unit,
    )


# --- Caseload ------------------------------------------------------------------------------------------


@transaction.atomic
def cases_reassign(
    *, actor: Any, unit: Unit, from_officer: Any, to_officer: Any, case_ids: Iterable[int] | None = None
) -> int:
    """Move open cases of one case officer to another (all of them, or those in `case_ids`), each audited as a
    reassignment; the group stays. Returns how many were moved. Either all move or none."""
    check_perm(actor, Perm.CASEWORK_ASSIGN, unit)
    _purchaser(unit)
    if from_officer is None or to_officer is None or from_officer.pk == to_officer.pk:
        raise ValidationError({"to_officer": "Välj en annan handläggare att flytta ärendena till."})
    _officer_of(unit, to_officer, clock.today())
    cases = Case.objects.filter(unit=unit, officer=from_officer, closed_on__isnull=True)
    if case_ids is not None:
        wanted = set(case_ids)
        cases = cases.filter(pk__in=wanted)
        if cases.count() != len(wanted):
            raise ValidationError({"cases": "Ett av ärendena finns inte hos handläggaren."})
    moved = 0
    for case in cases.select_related("team").order_by("pk"):
        case_assign(actor=actor, case=case, officer=to_officer, team=case.team, expected_version=None)
        moved += 1
    if not moved:
        raise ValidationError({"from_officer": "Handläggaren har inga öppna ärenden att flytta."})
    return moved
