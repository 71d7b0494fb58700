"""API for the purchaser chain: cases, intakes, investigations, decisions and orders to providers.

Endpoints parse input, look up what the actor may see (bista.casework.selectors: need-to-know), call
bista.casework.services and shape the output. Every read of one case's data is logged in the access log;
bad input is a 4xx with the shared error shape; writes honour Idempotency-Key (bista.core.api.checked_view).
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from bista.care.models import Order, Service
from bista.casework import rules, selectors, services
from bista.casework.models import (
    Appeal,
    Case,
    CaseOrder,
    Decision,
    ExecutionDelay,
    FollowUp,
    Intake,
    Investigation,
    TargetGroup,
)
from bista.clients.models import Client
from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.api import ERRORS, Id, InputSchema, PatchSchema, Text, actor, api_field_names, existing, one_of
from bista.core.models import Team, Unit
from bista.core.permissions import Perm

router = Router()

IntakeKind = Annotated[str, Field(json_schema_extra=one_of(Intake.Kind))]
Sender = Annotated[str, Field(json_schema_extra=one_of(Intake.From))]
Channel = Annotated[str, Field(json_schema_extra=one_of(Intake.Channel))]
Outcome = Annotated[str, Field(json_schema_extra=one_of(Decision.Outcome))]
ScopeUnit = Annotated[str, Field(json_schema_extra=one_of(Order.ScopeUnit))]

# Service error keys as the API calls the fields.
FIELD_NAMES = {
    "client": "client_id",
    "unit": "unit_id",
    "service": "service_id",
    "team": "team_id",
    "target_group": "target_group_id",
    "intake": "intake_id",
    "investigation": "investigation_id",
    "supersedes": "supersedes_id",
    "provider_unit": "provider_unit_id",
    "decided_by": "decided_by",
    "officer": "officer_id",
    "from_officer": "from_officer_id",
    "to_officer": "to_officer_id",
    "cases": "case_ids",
}


# --- Schemas ----------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: int
    client_id: int
    unit_id: int
    officer_id: int | None
    team_id: int | None
    target_group_id: int | None
    opened_on: datetime.date
    closed_on: datetime.date | None
    version: int


class CasePatch(PatchSchema):
    """Reassign a case (officer and/or group) or move it to another målgrupp; `version` as last read."""

    nullable = frozenset({"officer_id", "team_id", "target_group_id"})
    version: int
    officer_id: Id | None = None
    team_id: Id | None = None
    target_group_id: Id | None = None


class ReassignIn(InputSchema):
    from_officer_id: Id
    to_officer_id: Id
    case_ids: list[Id] | None = Field(None, max_length=500)


class ReassignOut(Schema):
    moved: int


class IntakeOut(Schema):
    id: int
    case_id: int
    kind: str
    sender: str
    sender_name: str
    received_on: datetime.date
    channel: str
    requested: str
    first_contact_on: datetime.date | None


class NewClientIn(InputSchema):
    personnummer: Text = Field(..., max_length=20)
    first_name: Text = Field(..., max_length=100)
    last_name: Text = Field(..., max_length=100)
    protected_identity: bool = False


class IntakeIn(InputSchema):
    unit_id: Id
    client_id: Id | None = None
    new_client: NewClientIn | None = None
    kind: IntakeKind
    sender: Sender
    sender_name: Text = Field("", max_length=200)
    received_on: datetime.date
    channel: Channel
    requested: Text
    service_ids: list[Id] = Field(default_factory=list, max_length=20)
    team_id: Id | None = None
    target_group_id: Id | None = None


class InvestigationOut(Schema):
    id: int
    case_id: int
    intake_id: int | None
    status: str
    started_on: datetime.date
    completed_on: datetime.date | None
    own_description: str
    life_areas: str
    needs: str
    goals: str
    wishes: str
    child_view: str
    child_impact_analysis: str
    child_took_part: bool | None
    child_got_feedback: bool | None
    school_contacted: bool | None
    communicated_on: datetime.date | None
    communication_response: str
    version: int


class InvestigationIn(InputSchema):
    intake_id: Id | None = None
    started_on: datetime.date | None = None


class InvestigationPatch(PatchSchema):
    nullable = frozenset({"child_took_part", "child_got_feedback", "school_contacted", "communicated_on"})
    version: int
    own_description: Text = ""
    life_areas: Text = ""
    needs: Text = ""
    goals: Text = ""
    wishes: Text = ""
    child_view: Text = ""
    child_impact_analysis: Text = ""
    communication_response: Text = ""
    child_took_part: bool | None = None
    child_got_feedback: bool | None = None
    school_contacted: bool | None = None
    communicated_on: datetime.date | None = None


class ConsentIn(InputSchema):
    name: Text = Field(..., max_length=200)
    purpose: Text = ""
    consent_on: datetime.date
    consent_by: Text = Field(..., max_length=200)


class SourceOut(Schema):
    id: int
    name: str
    purpose: str
    consent_on: datetime.date | None
    consent_by: str
    contacted_on: datetime.date | None


class SourceContactIn(InputSchema):
    contacted_on: datetime.date


class DecisionOut(Schema):
    id: int
    case_id: int
    intake_id: int
    investigation_id: int | None
    service_id: int
    service_code: str
    legal_reference: str
    outcome: str
    scope_amount: Decimal | None
    scope_unit: str
    period_start: datetime.date | None
    period_end: datetime.date | None
    reasons: str
    decision_date: datetime.date
    decided_by_name: str
    decided_by_role: str
    received_on: datetime.date | None
    supersedes_id: int | None

    @staticmethod
    def resolve_service_code(obj: Decision) -> str:
        return obj.service.code

    @staticmethod
    def resolve_legal_reference(obj: Decision) -> str:
        return obj.service.legal_reference


class DecisionIn(InputSchema):
    intake_id: Id
    investigation_id: Id | None = None
    service_id: Id
    outcome: Outcome
    scope_amount: Decimal | None = Field(None, max_digits=7, decimal_places=2)
    scope_unit: ScopeUnit | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    decision_date: datetime.date
    reasons: Text
    supersedes_id: Id | None = None


class ReceiptIn(InputSchema):
    received_on: datetime.date


class StepOut(Schema):
    kind: str
    on: datetime.date


class CaseOrderOut(Schema):
    id: int
    decision_id: int
    provider_unit_id: int | None
    external_provider: str
    care_order_id: int | None
    ordered_on: datetime.date
    free_choice_informed_on: datetime.date | None
    external_executed_on: datetime.date | None
    steps: list[StepOut] = Field(default_factory=list, description="The provider's steps, when it is in Bistå.")


class CaseOrderIn(InputSchema):
    provider_unit_id: Id | None = None
    external_provider: Text = Field("", max_length=200)
    ordered_on: datetime.date
    free_choice_informed_on: datetime.date | None = None
    goals: Text = ""
    special_considerations: Text = ""


class ExecutedIn(InputSchema):
    executed_on: datetime.date


class AppealOut(Schema):
    id: int
    decision_id: int
    received_on: datetime.date
    timely: bool
    reconsideration: str
    reconsidered_on: datetime.date | None
    forwarded_on: datetime.date | None
    judgment: str
    judgment_on: datetime.date | None
    further_appeal_on: datetime.date | None
    new_decision_id: int | None


class AppealIn(InputSchema):
    received_on: datetime.date


# --- Helpers ----------------------------------------------------------------------------------------


def _case(user: Any, case_id: int) -> Case:
    return selectors.case_get(user, case_id, detail=f"ärende {case_id} via API")


def _officer(pk: int | None, field: str = "officer_id") -> Any:
    if pk is None:
        return None
    return existing(get_user_model(), pk, field, "Handläggaren finns inte.")


def _in_case(case: Case, model: Any, pk: int | None, field: str, message: str) -> Any:
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, case=case).first()
    if obj is None:
        raise ValidationError({field: ValidationError(message, code="does_not_exist")})
    return obj


def _order_out(view: selectors.OrderView) -> dict[str, Any]:
    order = view.order
    return {
        **{name: getattr(order, name) for name in CaseOrderOut.model_fields if name != "steps"},
        "steps": [{"kind": step.kind, "on": step.on} for step in view.steps],
    }


# --- Cases and intakes ------------------------------------------------------------------------------


@router.get("/casework/cases", response={200: list[CaseOut], **ERRORS}, summary="Ärenden (ärendebalans)")
def list_cases(
    request: HttpRequest, unit_id: Id | None = None, officer_id: Id | None = None, team_id: Id | None = None
) -> Any:
    user = actor(request)
    require_any_unit(user, Perm.CASEWORK_READ)
    return list(selectors.case_list(user, unit_id=unit_id, officer_id=officer_id, team_id=team_id)[:500])


@router.get("/casework/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="Ett ärende (loggas)")
def get_case(request: HttpRequest, case_id: Id) -> Any:
    return _case(actor(request), case_id)


@router.patch(
    "/casework/cases/{case_id}",
    response={200: CaseOut, **ERRORS},
    summary="Flytta ärendet (handläggare, grupp, målgrupp; versionerat, 409 om någon annan hunnit ändra)",
)
def update_case(request: HttpRequest, case_id: Id, payload: CasePatch) -> Any:
    """Both kinds of change in one request are one transaction: a refused second leaves the first unsaved."""
    user = actor(request)
    case = _case(user, case_id)
    changes = payload.changes(exclude={"version"})
    version = payload.version
    with transaction.atomic(), api_field_names(FIELD_NAMES):
        if "officer_id" in changes or "team_id" in changes:
            officer = _officer(changes["officer_id"]) if "officer_id" in changes else case.officer
            team = (
                existing(Team, changes["team_id"], "team_id", "Gruppen finns inte.")
                if changes.get("team_id")
                else (None if "team_id" in changes else case.team)
            )
            case = services.case_assign(actor=user, case=case, officer=officer, team=team, expected_version=version)
            version = case.version
        if "target_group_id" in changes:
            target_group = (
                existing(TargetGroup, changes["target_group_id"], "target_group_id", "Målgruppen finns inte.")
                if changes["target_group_id"]
                else None
            )
            case = services.case_target_group_set(
                actor=user, case=case, target_group=target_group, expected_version=version
            )
    return case


@router.post(
    "/casework/units/{unit_id}/reassign",
    response={200: ReassignOut, **ERRORS},
    summary="Flytta en handläggares öppna ärenden (alla eller de angivna) till en annan",
)
def reassign_cases(request: HttpRequest, unit_id: Id, payload: ReassignIn) -> Any:
    unit = existing(Unit, unit_id, "unit_id", "Enheten finns inte.")
    with api_field_names({**FIELD_NAMES, "officer": "to_officer_id"}):
        moved = services.cases_reassign(
            actor=actor(request),
            unit=unit,
            from_officer=_officer(payload.from_officer_id, "from_officer_id"),
            to_officer=_officer(payload.to_officer_id, "to_officer_id"),
            case_ids=payload.case_ids,
        )
    return {"moved": moved}


@router.post("/casework/intakes", response={201: IntakeOut, **ERRORS}, summary="Registrera aktualisering")
def create_intake(request: HttpRequest, payload: IntakeIn) -> Any:
    user = actor(request)
    unit = existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte.")
    client = existing(Client, payload.client_id, "client_id", "Brukaren finns inte.") if payload.client_id else None
    services_ = list(Service.objects.filter(pk__in=set(payload.service_ids)))
    if len(services_) != len(set(payload.service_ids)):
        raise ValidationError({"service_ids": ValidationError("Insatsen finns inte.", code="does_not_exist")})
    team = existing(Team, payload.team_id, "team_id", "Gruppen finns inte.") if payload.team_id else None
    target_group = (
        existing(TargetGroup, payload.target_group_id, "target_group_id", "Målgruppen finns inte.")
        if payload.target_group_id
        else None
    )
    with api_field_names(FIELD_NAMES):
        intake = services.intake_register(
            actor=user,
            unit=unit,
            client=client,
            new_client=payload.new_client.model_dump() if payload.new_client else None,
            kind=payload.kind,
            sender=payload.sender,
            sender_name=payload.sender_name,
            received_on=payload.received_on,
            channel=payload.channel,
            requested=payload.requested,
            services=services_,
            team=team,
            target_group=target_group,
        )
    return Status(201, intake)


@router.get("/casework/cases/{case_id}/intakes", response={200: list[IntakeOut], **ERRORS}, summary="Aktualiseringar")
def list_intakes(request: HttpRequest, case_id: Id) -> Any:
    return list(selectors.case_intakes(_case(actor(request), case_id)))


# --- Investigations ---------------------------------------------------------------------------------


@router.get(
    "/casework/cases/{case_id}/investigations", response={200: list[InvestigationOut], **ERRORS}, summary="Utredningar"
)
def list_investigations(request: HttpRequest, case_id: Id) -> Any:
    return list(selectors.case_investigations(_case(actor(request), case_id)))


@router.post(
    "/casework/cases/{case_id}/investigations", response={201: InvestigationOut, **ERRORS}, summary="Påbörja utredning"
)
def create_investigation(request: HttpRequest, case_id: Id, payload: InvestigationIn) -> Any:
    user = actor(request)
    case = _case(user, case_id)
    intake = _in_case(case, Intake, payload.intake_id, "intake_id", "Aktualiseringen finns inte i ärendet.")
    with api_field_names(FIELD_NAMES):
        investigation = services.investigation_start(
            actor=user, case=case, intake=intake, started_on=payload.started_on
        )
    return Status(201, investigation)


@router.get(
    "/casework/investigations/{investigation_id}", response={200: InvestigationOut, **ERRORS}, summary="En utredning"
)
def get_investigation(request: HttpRequest, investigation_id: Id) -> Any:
    return selectors.investigation_get(actor(request), investigation_id)


@router.patch(
    "/casework/investigations/{investigation_id}",
    response={200: InvestigationOut, **ERRORS},
    summary="Spara utkast (versionerat, 409 om någon annan hunnit spara)",
)
def update_investigation(request: HttpRequest, investigation_id: Id, payload: InvestigationPatch) -> Any:
    user = actor(request)
    investigation = selectors.investigation_get(user, investigation_id)
    with api_field_names(FIELD_NAMES):
        return services.investigation_save(
            actor=user,
            investigation=investigation,
            expected_version=payload.version,
            **payload.changes(exclude={"version"}),
        )


@router.post(
    "/casework/investigations/{investigation_id}/sources",
    response={201: SourceOut, **ERRORS},
    summary="Registrera samtycke till en källa",
)
def create_source(request: HttpRequest, investigation_id: Id, payload: ConsentIn) -> Any:
    user = actor(request)
    investigation = selectors.investigation_get(user, investigation_id)
    with api_field_names(FIELD_NAMES):
        source = services.consent_record(actor=user, investigation=investigation, **payload.model_dump())
    return Status(201, source)


@router.post(
    "/casework/investigations/{investigation_id}/sources/{source_id}/contact",
    response={200: SourceOut, **ERRORS},
    summary="Källan kontaktad (kräver samtycke)",
)
def contact_source(request: HttpRequest, investigation_id: Id, source_id: Id, payload: SourceContactIn) -> Any:
    user = actor(request)
    investigation: Investigation = selectors.investigation_get(user, investigation_id)
    source = investigation.sources.filter(pk=source_id).first()
    if source is None:
        raise ValidationError({"source_id": ValidationError("Källan finns inte.", code="does_not_exist")})
    with api_field_names(FIELD_NAMES):
        return services.source_contact_record(actor=user, source=source, contacted_on=payload.contacted_on)


# --- Decisions --------------------------------------------------------------------------------------


@router.get("/casework/cases/{case_id}/decisions", response={200: list[DecisionOut], **ERRORS}, summary="Beslut")
def list_decisions(request: HttpRequest, case_id: Id) -> Any:
    return list(selectors.case_decisions(_case(actor(request), case_id)))


@router.post("/casework/cases/{case_id}/decisions", response={201: DecisionOut, **ERRORS}, summary="Fatta beslut")
def create_decision(request: HttpRequest, case_id: Id, payload: DecisionIn) -> Any:
    user = actor(request)
    case = _case(user, case_id)
    intake = _in_case(case, Intake, payload.intake_id, "intake_id", "Ansökan finns inte i ärendet.")
    investigation = _in_case(
        case, Investigation, payload.investigation_id, "investigation_id", "Utredningen finns inte i ärendet."
    )
    supersedes = _in_case(case, Decision, payload.supersedes_id, "supersedes_id", "Beslutet finns inte i ärendet.")
    service = existing(Service, payload.service_id, "service_id", "Insatsen finns inte.")
    with api_field_names(FIELD_NAMES):
        decision = services.decision_make(
            actor=user,
            case=case,
            intake=intake,
            investigation=investigation,
            supersedes=supersedes,
            service=service,
            outcome=payload.outcome,
            scope_amount=payload.scope_amount,
            scope_unit=payload.scope_unit or "",
            period_start=payload.period_start,
            period_end=payload.period_end,
            decision_date=payload.decision_date,
            reasons=payload.reasons,
        )
    return Status(201, decision)


@router.get("/casework/decisions/{decision_id}", response={200: DecisionOut, **ERRORS}, summary="Ett beslut")
def get_decision(request: HttpRequest, decision_id: Id) -> Any:
    return selectors.decision_get(actor(request), decision_id)


@router.post(
    "/casework/decisions/{decision_id}/received",
    response={200: DecisionOut, **ERRORS},
    summary="Den enskilde tog del av beslutet",
)
def record_receipt(request: HttpRequest, decision_id: Id, payload: ReceiptIn) -> Any:
    user = actor(request)
    decision = selectors.decision_get(user, decision_id)
    with api_field_names(FIELD_NAMES):
        return services.decision_receipt_record(actor=user, decision=decision, received_on=payload.received_on)


# --- Orders -----------------------------------------------------------------------------------------


@router.get(
    "/casework/cases/{case_id}/orders",
    response={200: list[CaseOrderOut], **ERRORS},
    summary="Beställningar med utförarens steg",
)
def list_case_orders(request: HttpRequest, case_id: Id) -> Any:
    return [_order_out(view) for view in selectors.case_orders(_case(actor(request), case_id))]


@router.post(
    "/casework/decisions/{decision_id}/orders",
    response={201: CaseOrderOut, **ERRORS},
    summary="Beställ från beslut (utförare i Bistå eller extern)",
)
def create_case_order(request: HttpRequest, decision_id: Id, payload: CaseOrderIn) -> Any:
    user = actor(request)
    decision = selectors.decision_get(user, decision_id)
    provider = (
        existing(Unit, payload.provider_unit_id, "provider_unit_id", "Enheten finns inte.")
        if payload.provider_unit_id
        else None
    )
    with api_field_names(FIELD_NAMES):
        order = services.order_from_decision(
            actor=user,
            decision=decision,
            provider_unit=provider,
            **payload.model_dump(exclude={"provider_unit_id"}),
        )
    return Status(201, _order_out(selectors.order_view(order)))


@router.post(
    "/casework/orders/{order_id}/executed",
    response={200: CaseOrderOut, **ERRORS},
    summary="Verkställd hos extern utförare",
)
def record_external_execution(request: HttpRequest, order_id: Id, payload: ExecutedIn) -> Any:
    user = actor(request)
    order: CaseOrder = selectors.case_order_get(user, order_id)
    with api_field_names(FIELD_NAMES):
        order = services.external_execution_record(actor=user, order=order, executed_on=payload.executed_on)
    return _order_out(selectors.order_view(order))


# --- Appeals ----------------------------------------------------------------------------------------


@router.get("/casework/cases/{case_id}/appeals", response={200: list[AppealOut], **ERRORS}, summary="Överklaganden")
def list_appeals(request: HttpRequest, case_id: Id) -> Any:
    return list(selectors.case_appeals(_case(actor(request), case_id)))


@router.post(
    "/casework/decisions/{decision_id}/appeals",
    response={201: AppealOut, **ERRORS},
    summary="Registrera överklagande (för sent inkomna markeras)",
)
def create_appeal(request: HttpRequest, decision_id: Id, payload: AppealIn) -> Any:
    user = actor(request)
    decision = selectors.decision_get(user, decision_id)  # a decision that does not exist: 404
    with api_field_names(FIELD_NAMES):
        appeal = services.appeal_register(actor=user, decision=decision, received_on=payload.received_on)
    return Status(201, appeal)


# --- Ej verkställda beslut ----------------------------------------------------------------------------

QuarterText = Annotated[str, Field(max_length=20, description="Kvartal som år-kvartal, t.ex. 2026-3.")]
DelayReason = Annotated[str, Field(json_schema_extra=one_of(ExecutionDelay.Reason))]


class IvoRowOut(Schema):
    decision_id: int
    case_id: int
    pseudonym: str
    gender: str
    service_code: str
    legal_reference: str
    decision_date: datetime.date
    kind: str = Field(..., description="not_executed eller interrupted")
    interrupted_on: datetime.date | None
    reason: str
    offer_declined_on: datetime.date | None
    final_on: datetime.date | None = Field(None, description="Slutrapport: verkställt, återupptaget eller upphört.")
    final_kind: str


class IvoReportOut(Schema):
    id: int
    unit_id: int
    year: int
    quarter: int
    revision: int
    reported_on: datetime.date
    rows: int


class IvoReportIn(InputSchema):
    unit_id: Id
    quarter: QuarterText


class StatCellOut(Schema):
    gender: str
    decided: int
    executed: int
    median_wait_days: float | None
    waiting: int
    reported: int


class StatRowOut(Schema):
    service: str
    legal_reference: str
    cells: list[StatCellOut]


class DelayIn(InputSchema):
    reason: DelayReason
    recorded_on: datetime.date
    note: Text = ""
    offer_declined_on: datetime.date | None = None


class DelayOut(Schema):
    id: int
    decision_id: int
    reason: str
    recorded_on: datetime.date
    note: str
    offer_declined_on: datetime.date | None


def _unit_quarter(user: Any, unit_id: int | None, text: str) -> tuple[Unit, rules.Quarter]:
    unit = selectors.report_unit(user, unit_id)
    quarter = rules.Quarter.parse(text)
    if quarter is None:
        raise ValidationError(
            {"quarter": ValidationError("Ange kvartalet som år-kvartal, t.ex. 2026-3.", code="invalid")}
        )
    if not rules.quarter_is_reportable(quarter, clock.today()):
        raise ValidationError(
            {
                "quarter": ValidationError(
                    f"{quarter.label.capitalize()} har inte börjat och kan inte rapporteras.", code="future"
                )
            }
        )
    return unit, quarter


def _ivo_row_out(row: selectors.IvoRow) -> dict[str, Any]:
    decision, report, delay = row.decision, row.report, row.delay
    return {
        "decision_id": decision.pk,
        "case_id": decision.case_id,
        "pseudonym": row.pseudonym,
        "gender": row.gender,
        "service_code": decision.service.code,
        "legal_reference": decision.service.legal_reference,
        "decision_date": decision.decision_date,
        "kind": report.kind,
        "interrupted_on": report.since if report.kind == rules.INTERRUPTED else None,
        "reason": delay.reason if delay else "",
        "offer_declined_on": delay.offer_declined_on if delay else None,
        "final_on": report.final_on,
        "final_kind": report.final_kind,
    }


@router.get(
    "/casework/ivo-report",
    response={200: list[IvoRowOut], **ERRORS},
    summary="Ej verkställda beslut: kvartalets individrapporter till IVO",
)
def ivo_report(request: HttpRequest, quarter: QuarterText, unit_id: Id | None = None) -> Any:
    unit, parsed = _unit_quarter(actor(request), unit_id, quarter)
    return [_ivo_row_out(row) for row in selectors.ivo_rows(unit, parsed)]


@router.post(
    "/casework/ivo-report",
    response={201: IvoReportOut, **ERRORS},
    summary="Spara kvartalets rapport som rapporterad (ny version om den redan finns)",
)
def keep_ivo_report(request: HttpRequest, payload: IvoReportIn) -> Any:
    user = actor(request)
    unit, quarter = _unit_quarter(user, payload.unit_id, payload.quarter)
    report = services.ivo_report_keep(actor=user, unit=unit, quarter=quarter)
    return Status(
        201,
        {
            **{k: getattr(report, k) for k in ("id", "unit_id", "year", "quarter", "revision", "reported_on")},
            "rows": report.rows.count(),
        },
    )


@router.get(
    "/casework/statistics",
    response={200: list[StatRowOut], **ERRORS},
    summary="Statistik till nämnd och revisorer per kvartal, insats och kön",
)
def council_statistics(request: HttpRequest, quarter: QuarterText, unit_id: Id | None = None) -> Any:
    unit, parsed = _unit_quarter(actor(request), unit_id, quarter)
    return [
        {
            "service": row.service,
            "legal_reference": row.legal_reference,
            "cells": [
                {
                    "gender": code or "övriga",
                    "decided": cell.decided,
                    "executed": cell.executed,
                    "median_wait_days": cell.median_wait,
                    "waiting": cell.waiting,
                    "reported": cell.reported,
                }
                for code, cell in row.cells.items()
            ],
        }
        for row in selectors.council_statistics(unit, parsed)
    ]


@router.post(
    "/casework/decisions/{decision_id}/delays",
    response={201: DelayOut, **ERRORS},
    summary="Skäl till att ett beslut inte verkställts",
)
def create_delay(request: HttpRequest, decision_id: Id, payload: DelayIn) -> Any:
    user = actor(request)
    decision = selectors.decision_get(user, decision_id)
    if not selectors.can_manage(user, decision.case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    delay = services.delay_record(actor=user, decision=decision, **payload.dict())
    return Status(201, delay)


# --- Follow-up and ending a decision ---------------------------------------------------------------------

FollowUpOutcome = Annotated[str, Field(json_schema_extra=one_of(FollowUp.Outcome))]


class DecisionFollowUpIn(InputSchema):
    on: datetime.date
    own_view: Text
    outcome: FollowUpOutcome
    notes: Text = ""


class DecisionFollowUpOut(Schema):
    id: int
    decision_id: int
    on: datetime.date
    own_view: str
    outcome: str
    notes: str
    done_by_name: str


class DecisionEndIn(InputSchema):
    on: datetime.date
    reason: Text = Field(..., max_length=200)


class DecisionEndedOut(Schema):
    id: int
    ended_on: datetime.date | None
    end_reason: str


def _managed_decision(user: Any, decision_id: int) -> Decision:
    decision = selectors.decision_get(user, decision_id)
    if not selectors.can_manage(user, decision.case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    return decision


@router.get(
    "/casework/decisions/{decision_id}/follow-ups",
    response={200: list[DecisionFollowUpOut], **ERRORS},
    summary="Uppföljningar av ett beslut",
)
def list_follow_ups(request: HttpRequest, decision_id: Id) -> Any:
    return list(selectors.decision_get(actor(request), decision_id).follow_ups.order_by("-on", "-id"))


@router.post(
    "/casework/decisions/{decision_id}/follow-ups",
    response={201: DecisionFollowUpOut, **ERRORS},
    summary="Registrera uppföljning (den enskildes uppfattning, resultat)",
)
def create_follow_up(request: HttpRequest, decision_id: Id, payload: DecisionFollowUpIn) -> Any:
    user = actor(request)
    follow_up = services.follow_up_record(actor=user, decision=_managed_decision(user, decision_id), **payload.dict())
    return Status(201, follow_up)


@router.post(
    "/casework/decisions/{decision_id}/end",
    response={200: DecisionEndedOut, **ERRORS},
    summary="Avsluta ett beslut (utförarens beställning avslutas samma dag)",
)
def end_decision(request: HttpRequest, decision_id: Id, payload: DecisionEndIn) -> Any:
    user = actor(request)
    return services.decision_end(actor=user, decision=_managed_decision(user, decision_id), **payload.dict())


# --- Reconsideration and judgment ------------------------------------------------------------------------

Reconsideration = Annotated[str, Field(json_schema_extra=one_of(Appeal.Reconsideration))]
Judgment = Annotated[str, Field(json_schema_extra=one_of(Appeal.Judgment))]


class NewDecisionIn(InputSchema):
    outcome: Outcome
    scope_amount: Decimal | None = Field(None, max_digits=7, decimal_places=2)
    scope_unit: ScopeUnit | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    reasons: Text


class ReconsiderationIn(InputSchema):
    outcome: Reconsideration
    on: datetime.date
    new_decision: NewDecisionIn | None = Field(None, description="Det nya beslutet när beslutet ändras.")


class JudgmentIn(InputSchema):
    judgment: Judgment
    on: datetime.date
    further_appeal_on: datetime.date | None = None
    new_decision: NewDecisionIn | None = Field(None, description="Det nya beslutet när domstolen ändrar beslutet.")


def _managed_appeal(user: Any, appeal_id: int) -> Appeal:
    appeal = selectors.appeal_get(user, appeal_id)
    if not selectors.can_manage(user, appeal.decision.case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    return appeal


def _new_decision(payload: NewDecisionIn | None) -> dict[str, Any] | None:
    if payload is None:
        return None
    return {**payload.dict(), "scope_unit": payload.scope_unit or ""}


NEW_DECISION_NAMES = {**FIELD_NAMES, "outcome": "new_decision.outcome", "reasons": "new_decision.reasons"}


@router.post(
    "/casework/appeals/{appeal_id}/reconsideration",
    response={200: AppealOut, **ERRORS},
    summary="Omprövning: ändras (med det nya beslutet) eller inte",
)
def reconsider_appeal(request: HttpRequest, appeal_id: Id, payload: ReconsiderationIn) -> Any:
    user = actor(request)
    appeal = _managed_appeal(user, appeal_id)
    with api_field_names(NEW_DECISION_NAMES):
        return services.appeal_reconsider_with_decision(
            actor=user,
            appeal=appeal,
            outcome=payload.outcome,
            on=payload.on,
            new_decision=_new_decision(payload.new_decision),
        )


@router.post(
    "/casework/appeals/{appeal_id}/judgment",
    response={200: AppealOut, **ERRORS},
    summary="Dom (en ändring blir ett nytt beslut som ersätter det överklagade) och vidare överklagande",
)
def record_judgment(request: HttpRequest, appeal_id: Id, payload: JudgmentIn) -> Any:
    user = actor(request)
    appeal = _managed_appeal(user, appeal_id)
    with api_field_names(NEW_DECISION_NAMES):
        return services.appeal_judgment_with_decision(
            actor=user,
            appeal=appeal,
            judgment=payload.judgment,
            on=payload.on,
            further_appeal_on=payload.further_appeal_on,
            new_decision=_new_decision(payload.new_decision),
        )
