"""Writes of the purchaser chain. Each checks the actor's permission in the purchaser unit, validates (a
Swedish message per field), saves and audits in one transaction: a refusal leaves nothing half-saved.

Decisions are never edited: a reassessment is a new decision that supersedes the old one. An order to a
provider unit in Bistå is created there through `care.services.order_receive`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from bista.care import services as care_services
from bista.care.models import Service
from bista.casework import rules, selectors
from bista.casework.actions import AuditAction
from bista.casework.models import (
    Appeal,
    Case,
    CaseOrder,
    Decision,
    DelegationRule,
    ExecutionDelay,
    FollowUp,
    Intake,
    Investigation,
    InvestigationSource,
    IvoReport,
    IvoReportRow,
)
from bista.clients import services as client_services
from bista.clients.models import Client, ClientUnit
from bista.clients.selectors import visible_clients
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, valid_on
from bista.core.models import DutyRule, Membership, Role, Team, Unit
from bista.core.people import parse_personnummer_field
from bista.core.permissions import Perm
from bista.core.versioning import update_versioned

CASE_AUDITED = ("client", "unit", "officer", "team", "opened_on")
INTAKE_AUDITED = ("case", "kind", "sender", "sender_name", "received_on", "channel", "requested")
INVESTIGATION_TEXTS = (
    "own_description",
    "life_areas",
    "needs",
    "goals",
    "wishes",
    "child_view",
    "child_impact_analysis",
    "communication_response",
)
INVESTIGATION_EDITABLE = (
    *INVESTIGATION_TEXTS,
    "child_took_part",
    "child_got_feedback",
    "school_contacted",
    "communicated_on",
)
INVESTIGATION_AUDITED = (*INVESTIGATION_EDITABLE, "status", "completed_on")
DECISION_AUDITED = (
    "case",
    "intake",
    "investigation",
    "service",
    "outcome",
    "scope_amount",
    "scope_unit",
    "period_start",
    "period_end",
    "reasons",
    "decision_date",
    "decided_by",
    "decided_by_role",
    "supersedes",
)
ORDER_AUDITED = (
    "decision",
    "provider_unit",
    "external_provider",
    "care_order",
    "ordered_on",
    "free_choice_informed_on",
    "goals",
    "special_considerations",
)


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _not_in_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: "Datumet kan inte ligga i framtiden."})


def _purchaser(unit: Unit) -> None:
    if unit.kind != Unit.Kind.PURCHASER:
        raise ValidationError({"unit": "Enheten är ingen beställarenhet."})


def _team_of(unit: Unit, team: Team | None) -> None:
    if team is not None and team.unit_id != unit.pk:
        raise ValidationError({"team": "Handläggargruppen hör inte till enheten."})


def _officer_of(unit: Unit, officer: Any, on: datetime.date) -> None:
    """The case officer must hold casework permissions in the unit on `on`."""
    if officer is None:
        return
    if not _roles_in(officer, unit, on):
        raise ValidationError({"officer": "Handläggaren har ingen roll i enheten."})


def _roles_in(user: Any, unit: Unit, on: datetime.date) -> set[str]:
    """The codes of the roles `user` holds in `unit` on `on` (a district-wide role counts everywhere)."""
    district_id = unit.department.district_id
    return set(
        Membership.objects.filter(valid_on(on), user=user)
        .filter(Q(unit=unit) | Q(unit__isnull=True, district_id=district_id))
        .values_list("role__code", flat=True)
    )


# --- Cases and intakes ------------------------------------------------------------------------------


def _open_case(
    *, actor: Any, client: Client, unit: Unit, officer: Any, team: Team | None, opened_on: datetime.date
) -> Case:
    case = Case.objects.select_for_update().filter(client=client, unit=unit, closed_on__isnull=True).first()
    if case is not None:
        return case
    case = Case(client=client, unit=unit, officer=officer, team=team, opened_on=opened_on)
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
) -> Intake:
    """Register an application or a report of need; opens the client's case at the unit if none is open.
    `new_client`: the arguments of `clients.services.client_create` (personnummer, names …) for a person
    not yet in Bistå. The case goes to `officer` (default: the actor) in `team`."""
    check_perm(actor, Perm.CASEWORK_MANAGE, unit)
    _purchaser(unit)
    _not_in_future(received_on, "received_on")
    errors: dict[str, str] = {}
    if kind == Intake.Kind.APPLICATION and sender not in Intake.APPLICANTS:
        errors["sender"] = "En ansökan kommer från den enskilde eller dennes företrädare; annars är det en anmälan."
    if not requested.strip():
        errors["requested"] = "Beskriv vad som söks eller anmäls."
    if errors:
        raise ValidationError(errors)
    _team_of(unit, team)
    officer = officer if officer is not None else _person(actor)
    _officer_of(unit, officer, received_on if received_on <= clock.today() else clock.today())
    client = _intake_client(actor=actor, unit=unit, client=client, new_client=new_client, since=received_on)
    case = _open_case(actor=actor, client=client, unit=unit, officer=officer, team=team, opened_on=received_on)
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
    if on < locked.received_on:
        raise ValidationError({"on": f"Kontakten kan inte vara före aktualiseringen ({locked.received_on:%Y-%m-%d})."})
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


# --- Investigations ---------------------------------------------------------------------------------


@transaction.atomic
def investigation_start(
    *, actor: Any, case: Case, intake: Intake | None = None, started_on: datetime.date | None = None
) -> Investigation:
    """Open a draft investigation for the case (one draft at a time)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, case.unit)
    started_on = started_on or clock.today()
    _not_in_future(started_on, "started_on")
    if intake is not None and intake.case_id != case.pk:
        raise ValidationError({"intake": "Aktualiseringen hör inte till ärendet."})
    if Investigation.objects.filter(case=case, status=Investigation.Status.DRAFT).exists():
        raise ValidationError({"case": "Ärendet har redan en pågående utredning."})
    investigation = Investigation(case=case, intake=intake, started_on=started_on, created_by=_person(actor))
    return audit.save_new(
        investigation,
        actor=actor,
        action=AuditAction.INVESTIGATION_START,
        fields=("case", "intake", "started_on"),
        unit=case.unit,
        exclude=["created_by"],
    )


def _draft(investigation: Investigation) -> None:
    if Investigation.objects.filter(pk=investigation.pk, status=Investigation.Status.COMPLETED).exists():
        raise ValidationError({"status": "Utredningen är avslutad och kan inte ändras."})


@transaction.atomic
def investigation_save(
    *, actor: Any, investigation: Investigation, expected_version: int | None, **changes: Any
) -> Investigation:
    """Save the draft (also what autosave sends). A stale version raises ConflictError; nothing is saved."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    unknown = set(changes) - set(INVESTIGATION_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _not_in_future(changes.get("communicated_on"), "communicated_on")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    return update_versioned(
        actor=actor,
        obj=investigation,
        expected_version=expected_version,
        changes=cleaned,
        editable=INVESTIGATION_EDITABLE,
        audited=INVESTIGATION_AUDITED,
        action=AuditAction.INVESTIGATION_SAVE,
        unit=investigation.case.unit,
    )


@transaction.atomic
def communication_record(
    *,
    actor: Any,
    investigation: Investigation,
    communicated_on: datetime.date,
    response: str,
    expected_version: int | None,
) -> Investigation:
    """Kommunicering: the draft was shared with the person on a date; their response is recorded."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    _not_in_future(communicated_on, "communicated_on")
    if communicated_on < investigation.started_on:
        raise ValidationError({"communicated_on": "Kommuniceringen kan inte vara före utredningens början."})
    return update_versioned(
        actor=actor,
        obj=investigation,
        expected_version=expected_version,
        changes={"communicated_on": communicated_on, "communication_response": response.strip()},
        editable=("communicated_on", "communication_response"),
        audited=("communicated_on", "communication_response"),
        action=AuditAction.INVESTIGATION_COMMUNICATE,
        unit=investigation.case.unit,
    )


@transaction.atomic
def investigation_complete(
    *, actor: Any, investigation: Investigation, completed_on: datetime.date, expected_version: int | None
) -> Investigation:
    """Close the investigation; from then on it is read-only (a new need is a new investigation)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    _not_in_future(completed_on, "completed_on")
    if completed_on < investigation.started_on:
        raise ValidationError({"completed_on": "Utredningen kan inte avslutas före sin början."})
    return update_versioned(
        actor=actor,
        obj=investigation,
        expected_version=expected_version,
        changes={"status": Investigation.Status.COMPLETED, "completed_on": completed_on},
        editable=("status", "completed_on"),
        audited=("status", "completed_on"),
        action=AuditAction.INVESTIGATION_SAVE,
        unit=investigation.case.unit,
    )


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    investigation: Investigation,
    name: str,
    consent_on: datetime.date,
    consent_by: str,
    purpose: str = "",
) -> InvestigationSource:
    """Record the person's consent to contact a source (school, care, habilitation …)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    _not_in_future(consent_on, "consent_on")
    errors = {}
    if not name.strip():
        errors["name"] = "Ange vilken källa samtycket gäller."
    if not consent_by.strip():
        errors["consent_by"] = "Ange vem som lämnade samtycket."
    if errors:
        raise ValidationError(errors)
    source = InvestigationSource(
        investigation=investigation,
        name=name.strip(),
        purpose=purpose.strip(),
        consent_on=consent_on,
        consent_by=consent_by.strip(),
    )
    return audit.save_new(
        source,
        actor=actor,
        action=AuditAction.SOURCE_CONSENT,
        fields=("investigation", "name", "purpose", "consent_on", "consent_by"),
        unit=investigation.case.unit,
    )


@transaction.atomic
def source_contact_record(
    *, actor: Any, source: InvestigationSource, contacted_on: datetime.date
) -> InvestigationSource:
    """Record that the source was contacted: refused without consent given on or before that day."""
    unit = source.investigation.case.unit
    check_perm(actor, Perm.CASEWORK_MANAGE, unit)
    locked = InvestigationSource.objects.select_for_update().get(pk=source.pk)
    _not_in_future(contacted_on, "contacted_on")
    if locked.consent_on is None:
        raise ValidationError({"contacted_on": "Samtycke saknas: källan får inte kontaktas."})
    if contacted_on < locked.consent_on:
        raise ValidationError(
            {"contacted_on": f"Källan kan inte kontaktas före samtycket ({locked.consent_on:%Y-%m-%d})."}
        )
    locked.contacted_on = contacted_on
    locked.save(update_fields=["contacted_on"])
    audit.record(
        actor=actor, action=AuditAction.SOURCE_CONTACT, obj=locked, new={"contacted_on": contacted_on}, unit=unit
    )
    return locked


# --- Decisions --------------------------------------------------------------------------------------


def delegation_facts(on: datetime.date) -> list[rules.Delegation]:
    """The delegation order in force on `on`, as plain facts for `rules.may_decide`."""
    return [
        rules.Delegation(
            role=row.role.code,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            act=row.act,
            service=row.service.code if row.service else "",
            outcome=row.outcome,
        )
        for row in DelegationRule.objects.filter(valid_on(on)).select_related("role", "service")
    ]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"scope_amount": "Ange omfattningen som ett tal."}) from None
    if not amount.is_finite():
        raise ValidationError({"scope_amount": "Ange omfattningen som ett tal."})
    return amount


def _check_delegation(*, decided_by: Any, case: Case, service: Service, outcome: str, on: datetime.date) -> str:
    """The decider's role name(s) on the decision date, if the delegation order lets them decide this."""
    roles = _roles_in(decided_by, case.unit, on)
    if not rules.may_decide(
        delegation_facts(on), roles=roles, act=service.act, service=service.code, outcome=outcome, on=on
    ):
        raise ValidationError(
            {"decided_by": "Beslutsfattaren har inte delegation att fatta det här beslutet (se delegationsordningen)."}
        )
    return ", ".join(Role.objects.filter(code__in=roles).order_by("name").values_list("name", flat=True))


@transaction.atomic
def decision_make(
    *,
    actor: Any,
    case: Case,
    intake: Intake,
    service: Service,
    outcome: str,
    decision_date: datetime.date,
    reasons: str,
    scope_amount: Decimal | int | str | None = None,
    scope_unit: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    investigation: Investigation | None = None,
    supersedes: Decision | None = None,
    decided_by: Any = None,
) -> Decision:
    """Make a decision on one applied service. Refused: dated before the application, a scope of zero or
    less, a period ending before it starts, a decider without delegation. Superseding (omprövning) makes a
    new decision; the old one stays as it was."""
    check_perm(actor, Perm.CASEWORK_DECIDE, case.unit)
    decided_by = decided_by if decided_by is not None else _person(actor)
    if decided_by is None:
        raise ValidationError({"decided_by": "Ange vem som fattar beslutet."})
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": "Välj bifall, delvis bifall eller avslag."})
    amount = _decimal(scope_amount)
    if outcome == Decision.Outcome.REFUSED:
        amount, scope_unit, period_start, period_end = None, "", None, None
    if intake.case_id != case.pk:
        raise ValidationError({"intake": "Ansökan hör inte till ärendet."})
    if investigation is not None and investigation.case_id != case.pk:
        raise ValidationError({"investigation": "Utredningen hör inte till ärendet."})
    superseded_date = None
    if supersedes is not None:
        supersedes = Decision.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.case_id != case.pk:
            raise ValidationError({"supersedes": "Beslutet som ersätts hör inte till ärendet."})
        if Decision.objects.filter(supersedes=supersedes).exists():
            raise ValidationError({"supersedes": "Beslutet är redan ersatt av ett annat beslut."})
        superseded_date = supersedes.decision_date
    _not_in_future(decision_date, "decision_date")
    errors = rules.decision_errors(
        outcome=outcome,
        decision_date=decision_date,
        applied_on=intake.received_on,
        scope_amount=amount,
        scope_unit=scope_unit,
        period_start=period_start,
        period_end=period_end,
        superseded_date=superseded_date,
    )
    if not service.in_force(decision_date):
        errors["service"] = "Lagrummet gällde inte på beslutsdatum."
    if not reasons.strip():
        errors["reasons"] = "Skriv beslutets motivering."
    if errors:
        raise ValidationError(errors)
    role_names = _check_delegation(decided_by=decided_by, case=case, service=service, outcome=outcome, on=decision_date)
    decision = Decision(
        case=case,
        intake=intake,
        investigation=investigation,
        service=service,
        outcome=outcome,
        scope_amount=amount,
        scope_unit=scope_unit,
        period_start=period_start,
        period_end=period_end,
        reasons=reasons.strip(),
        decision_date=decision_date,
        decided_by=decided_by,
        decided_by_name=(decided_by.get_full_name() or decided_by.username)[:200],
        decided_by_role=role_names[:100],
        supersedes=supersedes,
    )
    return audit.save_new(
        decision, actor=actor, action=AuditAction.DECISION_MAKE, fields=DECISION_AUDITED, unit=case.unit
    )


@transaction.atomic
def decision_receipt_record(*, actor: Any, decision: Decision, received_on: datetime.date) -> Decision:
    """The date the person received (tog del av) the decision: it starts the appeal period. Recorded once;
    the decision itself is never changed."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    _not_in_future(received_on, "received_on")
    if locked.received_on is not None:
        raise ValidationError({"received_on": "Datumet då beslutet togs emot är redan registrerat."})
    if received_on < locked.decision_date:
        raise ValidationError({"received_on": "Beslutet kan inte ha tagits emot före beslutsdatum."})
    locked.received_on = received_on
    locked.save(update_fields=["received_on"])
    audit.record(
        actor=actor,
        action=AuditAction.DECISION_RECEIVED,
        obj=locked,
        new={"received_on": received_on},
        unit=decision.case.unit,
    )
    return locked


def appeal_period_amount(on: datetime.date) -> int:
    """The appeal period in weeks under the rule in force on `on` (reference data casework.appeal)."""
    rule = DutyRule.objects.filter(valid_on(on), code="casework.appeal").order_by("-valid_from").first()
    return rule.amount if rule else 3


# --- Orders to providers ----------------------------------------------------------------------------


@transaction.atomic
def order_from_decision(
    *,
    actor: Any,
    decision: Decision,
    ordered_on: datetime.date,
    provider_unit: Unit | None = None,
    external_provider: str = "",
    free_choice_informed_on: datetime.date | None = None,
    goals: str = "",
    special_considerations: str = "",
) -> CaseOrder:
    """Order the decided service from the provider the person chose. A Bistå provider unit receives it as a
    care order in state received; an external provider gets the order letter and its execution date is
    entered here later. Refused for a refused or superseded decision."""
    case = decision.case
    check_perm(actor, Perm.CASEWORK_MANAGE, case.unit)
    errors: dict[str, str] = {}
    if not decision.is_favourable:
        errors["decision"] = "Ett avslagsbeslut kan inte beställas."
    elif Decision.objects.filter(supersedes=decision).exists():
        errors["decision"] = "Beslutet är ersatt av ett nytt beslut: beställ utifrån det."
    external_provider = external_provider.strip()
    if (provider_unit is None) == (not external_provider):
        errors["provider_unit"] = "Välj en utförare i Bistå eller ange en extern utförare."
    if ordered_on < decision.decision_date:
        errors["ordered_on"] = f"Beställningen kan inte göras före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
    if free_choice_informed_on is not None and free_choice_informed_on > ordered_on:
        errors["free_choice_informed_on"] = "Informationen om valfrihet lämnas före beställningen."
    if provider_unit is not None and provider_unit.kind != Unit.Kind.PROVIDER:
        errors["provider_unit"] = "Enheten är ingen utförarenhet."
    if errors:
        raise ValidationError(errors)
    _not_in_future(ordered_on, "ordered_on")
    _not_in_future(free_choice_informed_on, "free_choice_informed_on")
    care_order = None
    if provider_unit is not None:
        assert decision.scope_amount is not None and decision.period_start is not None  # favourable
        officer = case.officer or _person(actor)
        care_order = care_services.order_receive(
            actor=actor,
            purchaser=case.unit,
            client=case.client,
            unit=provider_unit,
            service=decision.service,
            decision_date=decision.decision_date,
            received_on=ordered_on,
            scope_amount=decision.scope_amount,
            scope_unit=decision.scope_unit,
            period_start=decision.period_start,
            period_end=decision.period_end,
            goals=goals.strip(),
            special_considerations=special_considerations.strip(),
            case_officer=(officer.get_full_name() or officer.username) if officer else "",
        )
    order = CaseOrder(
        decision=decision,
        case=case,
        provider_unit=provider_unit,
        external_provider=external_provider,
        care_order=care_order,
        ordered_on=ordered_on,
        free_choice_informed_on=free_choice_informed_on,
        goals=goals.strip(),
        special_considerations=special_considerations.strip(),
        created_by=_person(actor),
    )
    return audit.save_new(
        order,
        actor=actor,
        action=AuditAction.CASE_ORDER_CREATE,
        fields=ORDER_AUDITED,
        unit=case.unit,
        exclude=["created_by"],
    )


@transaction.atomic
def external_execution_record(*, actor: Any, order: CaseOrder, executed_on: datetime.date) -> CaseOrder:
    """The date an external provider started the service, entered by the case officer (a Bistå provider
    records its own steps on its care order)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, order.case.unit)
    locked = CaseOrder.objects.select_for_update().select_related("decision").get(pk=order.pk)
    if locked.provider_unit_id is not None:
        raise ValidationError({"executed_on": "Utföraren i Bistå registrerar själv när insatsen verkställs."})
    if locked.external_executed_on is not None:
        raise ValidationError({"executed_on": "Verkställigheten är redan registrerad."})
    _not_in_future(executed_on, "executed_on")
    if executed_on < locked.decision.decision_date:
        raise ValidationError({"executed_on": "Insatsen kan inte ha verkställts före beslutsdatum."})
    locked.external_executed_on = executed_on
    locked.save(update_fields=["external_executed_on"])
    audit.record(
        actor=actor,
        action=AuditAction.CASE_ORDER_EXECUTED,
        obj=locked,
        new={"external_executed_on": executed_on},
        unit=order.case.unit,
    )
    return locked


# --- Appeals ----------------------------------------------------------------------------------------


def _appeal_step_date(on: datetime.date, field: str, after: datetime.date, label: str) -> None:
    _not_in_future(on, field)
    if on < after:
        raise ValidationError({field: f"Datumet kan inte vara före {label} ({after:%Y-%m-%d})."})


def _changed_by(appeal: Appeal, new_decision: Decision | None, field: str) -> None:
    """A change is a new decision that supersedes the appealed one (made with decision_make first)."""
    if new_decision is None or new_decision.supersedes_id != appeal.decision_id:
        raise ValidationError({field: "Ange det nya beslut som ersätter det överklagade beslutet."})


@transaction.atomic
def appeal_register(*, actor: Any, decision: Decision, received_on: datetime.date) -> Appeal:
    """Register an appeal. Its timeliness is checked against the date the person received the decision; a
    late appeal is still registered, marked as late."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    _appeal_step_date(received_on, "received_on", decision.decision_date, "beslutet")
    weeks = appeal_period_amount(decision.decision_date)
    appeal = Appeal(
        decision=decision,
        received_on=received_on,
        timely=rules.appeal_is_timely(decision.received_on, received_on, weeks),
        registered_by=_person(actor),
    )
    return audit.save_new(
        appeal,
        actor=actor,
        action=AuditAction.APPEAL_REGISTER,
        fields=("decision", "received_on", "timely"),
        unit=decision.case.unit,
        exclude=["registered_by"],
    )


def _locked_appeal(actor: Any, appeal: Appeal) -> Appeal:
    check_perm(actor, Perm.CASEWORK_MANAGE, appeal.decision.case.unit)
    return Appeal.objects.select_for_update().select_related("decision__case__unit").get(pk=appeal.pk)


def _save_appeal(actor: Any, appeal: Appeal, action: str, fields: tuple[str, ...]) -> Appeal:
    appeal.save(update_fields=list(fields))
    audit.record(
        actor=actor, action=action, obj=appeal, new=audit.snapshot(appeal, fields), unit=appeal.decision.case.unit
    )
    return appeal


@transaction.atomic
def appeal_reconsider(
    *, actor: Any, appeal: Appeal, outcome: str, on: datetime.date, new_decision: Decision | None = None
) -> Appeal:
    """The purchaser's own reconsideration (omprövning, FL 39 §): changed (with the new decision) or not."""
    locked = _locked_appeal(actor, appeal)
    if locked.reconsideration:
        raise ValidationError({"outcome": "Omprövningen är redan registrerad."})
    if outcome not in Appeal.Reconsideration.values:
        raise ValidationError({"outcome": "Välj om beslutet ändras eller inte."})
    _appeal_step_date(on, "on", locked.received_on, "överklagandet")
    if outcome == Appeal.Reconsideration.CHANGED:
        _changed_by(locked, new_decision, "new_decision")
        locked.new_decision = new_decision
    locked.reconsideration, locked.reconsidered_on = outcome, on
    return _save_appeal(
        actor, locked, AuditAction.APPEAL_RECONSIDER, ("reconsideration", "reconsidered_on", "new_decision")
    )


@transaction.atomic
def appeal_forward(*, actor: Any, appeal: Appeal, on: datetime.date) -> Appeal:
    """The appeal sent on to the administrative court (a duty: without delay)."""
    locked = _locked_appeal(actor, appeal)
    if locked.forwarded_on is not None:
        raise ValidationError({"on": "Överklagandet är redan överlämnat."})
    _appeal_step_date(on, "on", locked.reconsidered_on or locked.received_on, "föregående steg")
    locked.forwarded_on = on
    return _save_appeal(actor, locked, AuditAction.APPEAL_FORWARD, ("forwarded_on",))


@transaction.atomic
def appeal_judgment(
    *,
    actor: Any,
    appeal: Appeal,
    judgment: str,
    on: datetime.date,
    new_decision: Decision | None = None,
    further_appeal_on: datetime.date | None = None,
) -> Appeal:
    """The court's judgment; a change by the court is recorded as the new decision it led to. A further
    appeal of the judgment (to kammarrätten) is recorded by its date."""
    locked = _locked_appeal(actor, appeal)
    if locked.forwarded_on is None:
        raise ValidationError({"judgment": "Överklagandet har inte överlämnats till domstolen."})
    if locked.judgment:
        raise ValidationError({"judgment": "Domen är redan registrerad."})
    if judgment not in Appeal.Judgment.values:
        raise ValidationError({"judgment": "Välj domens utfall."})
    _appeal_step_date(on, "on", locked.forwarded_on, "överlämnandet")
    if further_appeal_on is not None:
        _appeal_step_date(further_appeal_on, "further_appeal_on", on, "domen")
    if judgment == Appeal.Judgment.CHANGED:
        if locked.new_decision_id is not None:
            raise ValidationError({"judgment": "Beslutet är redan ändrat vid omprövningen."})
        _changed_by(locked, new_decision, "new_decision")
        locked.new_decision = new_decision
    locked.judgment, locked.judgment_on, locked.further_appeal_on = judgment, on, further_appeal_on
    return _save_appeal(
        actor, locked, AuditAction.APPEAL_JUDGMENT, ("judgment", "judgment_on", "further_appeal_on", "new_decision")
    )


# --- Ej verkställda beslut ----------------------------------------------------------------------------


@transaction.atomic
def delay_record(
    *,
    actor: Any,
    decision: Decision,
    reason: str,
    recorded_on: datetime.date,
    note: str = "",
    offer_declined_on: datetime.date | None = None,
) -> ExecutionDelay:
    """Why a favourable decision is not executed yet (for IVO's report); the latest note counts."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    errors: dict[str, str] = {}
    if not decision.is_favourable:
        errors["decision"] = "Ett avslagsbeslut verkställs inte."
    if reason not in ExecutionDelay.Reason.values:
        errors["reason"] = "Välj skälet till dröjsmålet."
    if recorded_on < decision.decision_date:
        errors["recorded_on"] = f"Datumet kan inte vara före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
    if offer_declined_on is not None and offer_declined_on < decision.decision_date:
        errors["offer_declined_on"] = (
            f"Erbjudandet kan inte ha avböjts före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
        )
    if reason == ExecutionDelay.Reason.DECLINED and offer_declined_on is None:
        errors["offer_declined_on"] = "Ange när den enskilde tackade nej till erbjudandet."
    if errors:
        raise ValidationError(errors)
    _not_in_future(recorded_on, "recorded_on")
    _not_in_future(offer_declined_on, "offer_declined_on")
    delay = ExecutionDelay(
        decision=decision,
        recorded_on=recorded_on,
        reason=reason,
        note=note.strip(),
        offer_declined_on=offer_declined_on,
        recorded_by=_person(actor),
    )
    return audit.save_new(
        delay,
        actor=actor,
        action=AuditAction.DECISION_DELAY,
        fields=("decision", "recorded_on", "reason", "note", "offer_declined_on"),
        unit=decision.case.unit,
        exclude=["recorded_by"],
    )


@transaction.atomic
def ivo_report_keep(*, actor: Any, unit: Unit, quarter: rules.Quarter) -> IvoReport:
    """Keep what is reported to IVO for the quarter, as reported: a copy of each individual report. Reporting
    the same quarter again makes a new revision (the earlier one stays). A quarter not yet begun is refused."""
    check_perm(actor, Perm.CASEWORK_VIEW_ALL, unit)
    _purchaser(unit)
    today = clock.today()
    if not rules.quarter_is_reportable(quarter, today):
        raise ValidationError({"quarter": f"Kvartalet {quarter.label} har inte börjat: det kan inte rapporteras."})
    # Lock the unit, not the reports: before the first revision there is no report row to lock, and two first
    # saves would both take revision 1.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    previous = IvoReport.objects.filter(unit=unit, year=quarter.year, quarter=quarter.number)
    revision = (max((r.revision for r in previous), default=0)) + 1
    report = IvoReport(
        unit=unit,
        year=quarter.year,
        quarter=quarter.number,
        revision=revision,
        reported_on=today,
        reported_by=_person(actor),
    )
    report.save()
    rows = selectors.ivo_rows(unit, quarter)
    IvoReportRow.objects.bulk_create(
        IvoReportRow(
            report=report,
            decision=row.decision,
            kind=row.report.kind,
            pseudonym=row.pseudonym,
            gender=row.gender,
            service_code=row.decision.service.code,
            service_name=row.decision.service.name[:200],
            legal_reference=row.decision.service.legal_reference[:100],
            decision_date=row.decision.decision_date,
            interrupted_on=row.report.since if row.report.kind == rules.INTERRUPTED else None,
            reason=row.delay.reason if row.delay else "",
            note=row.delay.note if row.delay else "",
            offer_declined_on=row.delay.offer_declined_on if row.delay else None,
            final_on=row.report.final_on,
            final_kind=row.report.final_kind,
        )
        for row in rows
    )
    audit.record(
        actor=actor,
        action=AuditAction.IVO_REPORT_KEEP,
        obj=report,
        new={"year": quarter.year, "quarter": quarter.number, "revision": revision, "rows": len(rows)},
        unit=unit,
    )
    return report


# --- Follow-up and ending a decision ---------------------------------------------------------------------


def _in_force(decision: Decision) -> None:
    errors = {}
    if not decision.is_favourable:
        errors["decision"] = "Ett avslagsbeslut följs inte upp och avslutas inte."
    elif Decision.objects.filter(supersedes=decision).exists():
        errors["decision"] = "Beslutet är ersatt av ett nytt beslut."
    elif Decision.objects.filter(pk=decision.pk, ended_on__isnull=False).exists():
        errors["decision"] = "Beslutet har redan upphört."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def follow_up_record(
    *,
    actor: Any,
    decision: Decision,
    on: datetime.date,
    own_view: str,
    outcome: str,
    notes: str = "",
    done_by: Any = None,
) -> FollowUp:
    """Uppföljning of a decision in force: the person's own view and the outcome. It satisfies the yearly
    follow-up duty (casework.follow_up) from this date on."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    _in_force(decision)
    errors: dict[str, str] = {}
    if not own_view.strip():
        errors["own_view"] = "Skriv den enskildes egen uppfattning."
    if outcome not in FollowUp.Outcome.values:
        errors["outcome"] = "Välj resultatet av uppföljningen."
    if on < decision.decision_date:
        errors["on"] = f"Uppföljningen kan inte vara före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
    if errors:
        raise ValidationError(errors)
    _not_in_future(on, "on")
    done_by = done_by if done_by is not None else _person(actor)
    follow_up = FollowUp(
        decision=decision,
        on=on,
        own_view=own_view.strip(),
        outcome=outcome,
        notes=notes.strip(),
        done_by=done_by,
        done_by_name=((done_by.get_full_name() or done_by.username) if done_by else "")[:200],
    )
    return audit.save_new(
        follow_up,
        actor=actor,
        action=AuditAction.FOLLOW_UP_RECORD,
        fields=("decision", "on", "own_view", "outcome", "notes", "done_by"),
        unit=decision.case.unit,
        exclude=["done_by"],
    )


@transaction.atomic
def decision_end(*, actor: Any, decision: Decision, on: datetime.date, reason: str) -> Decision:
    """End a decision in force (the need has ended, the person declines, moves …): the decision records the
    day and the reason (nothing else of it changes), and every open order from it at a provider in Bistå ends
    the same day through care.services.order_end_from_purchaser. A refusal there leaves nothing saved."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    locked = Decision.objects.select_for_update().select_related("case__unit").get(pk=decision.pk)
    _in_force(locked)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Ange varför beslutet upphör."
    if on < locked.decision_date:
        errors["on"] = f"Beslutet kan inte upphöra före beslutsdatum ({locked.decision_date:%Y-%m-%d})."
    if errors:
        raise ValidationError(errors)
    _not_in_future(on, "on")
    locked.ended_on, locked.end_reason = on, reason.strip()[:200]
    locked.save(update_fields=["ended_on", "end_reason"])
    for order in CaseOrder.objects.filter(decision=locked, care_order__isnull=False).select_related("care_order"):
        care_order = order.care_order
        if care_order is not None and care_order.is_open:
            care_services.order_end_from_purchaser(
                actor=actor,
                purchaser=locked.case.unit,
                order=care_order,
                on=on,
                note=f"Beslutet upphör: {reason.strip()}",
            )
    audit.record(
        actor=actor,
        action=AuditAction.DECISION_END,
        obj=locked,
        new={"ended_on": on, "end_reason": locked.end_reason},
        unit=locked.case.unit,
    )
    return locked


# --- A change on appeal: a new decision superseding the appealed one ---------------------------------------


def _changed_decision(
    *, actor: Any, appeal: Appeal, decision_date: datetime.date, values: Mapping[str, Any]
) -> Decision:
    """The new decision a change leads to (reconsideration or judgment), on the same service and application,
    superseding the appealed decision; the decider's delegation is checked as for any decision."""
    old = appeal.decision
    return decision_make(
        actor=actor,
        case=old.case,
        intake=old.intake,
        investigation=old.investigation,
        service=old.service,
        supersedes=old,
        decision_date=decision_date,
        **values,
    )


@transaction.atomic
def appeal_reconsider_with_decision(
    *, actor: Any, appeal: Appeal, outcome: str, on: datetime.date, new_decision: Mapping[str, Any] | None = None
) -> Appeal:
    """Omprövning recorded from the page or API: changed (the new decision made now from `new_decision`:
    outcome, scope, period, reasons) or not changed. Either everything is saved or nothing."""
    new = None
    if outcome == Appeal.Reconsideration.CHANGED:
        if not new_decision:
            raise ValidationError({"new_decision": "Ange det nya beslutet när beslutet ändras."})
        new = _changed_decision(actor=actor, appeal=appeal, decision_date=on, values=new_decision)
    return appeal_reconsider(actor=actor, appeal=appeal, outcome=outcome, on=on, new_decision=new)


@transaction.atomic
def appeal_judgment_with_decision(
    *,
    actor: Any,
    appeal: Appeal,
    judgment: str,
    on: datetime.date,
    further_appeal_on: datetime.date | None = None,
    new_decision: Mapping[str, Any] | None = None,
) -> Appeal:
    """The court's judgment recorded from the page or API; a change by the court creates the new decision
    (dated the judgment's day) that supersedes the appealed one. Either everything is saved or nothing."""
    new = None
    if judgment == Appeal.Judgment.CHANGED:
        if not new_decision:
            raise ValidationError({"new_decision": "Ange det nya beslutet enligt domen."})
        locked = Appeal.objects.get(pk=appeal.pk)
        if locked.forwarded_on is None:
            raise ValidationError({"judgment": "Överklagandet har inte överlämnats till domstolen."})
        new = _changed_decision(actor=actor, appeal=appeal, decision_date=on, values=new_decision)
    return appeal_judgment(
        actor=actor, appeal=appeal, judgment=judgment, on=on, new_decision=new, further_appeal_on=further_appeal_on
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
