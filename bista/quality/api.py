"""API for the quality system: create and list deviations, Lex Sarah reports, feedback and personal data
incidents, take their steps, and get the VB table. The same services and selectors as the UI."""

import datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator

from bista.clients.models import Client
from bista.core.access import require_any_unit
from bista.core.api import ERRORS, Id, InputSchema, Pagination, PatchSchema, Text, actor, existing, one_of
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.quality import selectors, services, vbdocs
from bista.quality.models import Concerns, DataIncident, Feedback, IdentifiedBy, LexSarahReport, QualityCategory

router = Router()


def _aware(value: datetime.datetime) -> datetime.datetime:
    """A time without an offset is Stockholm time (the unit's clock)."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


Moment = Annotated[datetime.datetime, AfterValidator(_aware)]

FeedbackKind = Annotated[str, Field(json_schema_extra=one_of(Feedback.Kind))]
FeedbackSource = Annotated[str, Field(json_schema_extra=one_of(Feedback.Source))]
LexSarahStep = Annotated[str, Field(json_schema_extra={"enum": list(services.LEX_SARAH_STEP_FIELDS)})]


def _client(client_id: int | None) -> Client | None:
    return existing(Client, client_id, "client_id", "Brukaren finns inte.") if client_id else None


def _category(category_id: int | None) -> QualityCategory | None:
    return existing(QualityCategory, category_id, "category_id", "Kategorin finns inte.") if category_id else None


class PeriodFilter(Schema):
    unit_id: Id | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


# --- Deviations ------------------------------------------------------------------------------------


class DeviationOut(Schema):
    id: int
    unit_id: int
    client_id: int | None
    occurred_at: datetime.datetime
    reported_at: datetime.datetime
    what_happened: str
    status: str
    category_id: int | None
    identified_by: str
    concerns: str
    concerned_unit_name: str
    immediate_action: str
    analysis: str
    feedback_to_reporter_on: datetime.date | None
    feedback_to_client_on: datetime.date | None
    closed_at: datetime.datetime | None
    lex_sarah_report_id: int | None
    version: int

    @staticmethod
    def resolve_lex_sarah_report_id(obj: Any) -> int | None:
        try:
            return obj.lex_sarah_report.pk  # type: ignore[no-any-return]
        except LexSarahReport.DoesNotExist:
            return None


class DeviationIn(InputSchema):
    unit_id: Id
    occurred_at: Moment
    what_happened: Text
    client_id: Id | None = None


class DeviationPatch(PatchSchema):
    nullable = frozenset({"category_id", "feedback_to_reporter_on", "feedback_to_client_on"})
    version: int
    category_id: Id | None = None
    identified_by: Annotated[str, Field(json_schema_extra=one_of(IdentifiedBy))] | None = None
    concerns: Annotated[str, Field(json_schema_extra=one_of(Concerns))] | None = None
    concerned_unit_name: Text | None = None
    immediate_action: Text | None = None
    analysis: Text | None = None
    feedback_to_reporter_on: datetime.date | None = None
    feedback_to_client_on: datetime.date | None = None


class CloseIn(InputSchema):
    version: int
    closing_note: Text = ""


def _in_period(items: Any, filters: PeriodFilter, field: str, user: Any, *perms: str) -> Any:
    """A list as the clients API answers: 403 without the permission anywhere, 404 for another unit."""
    units = require_any_unit(user, perms)
    if filters.unit_id and filters.unit_id not in units:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    if filters.unit_id:
        items = items.filter(unit_id=filters.unit_id)
    if filters.start:
        items = items.filter(**{f"{field}__gte": filters.start})
    if filters.end:
        items = items.filter(**{f"{field}__lte": filters.end})
    return items


@router.get("/quality/deviations", response={200: list[DeviationOut], **ERRORS}, summary="Avvikelser")
@paginate(Pagination)
def list_deviations(request: HttpRequest, filters: Query[PeriodFilter]) -> Any:
    user = actor(request)
    items = selectors.visible_deviations(user).select_related("lex_sarah_report")
    return _in_period(items, filters, "reported_at__date", user, Perm.QUALITY_VIEW, Perm.QUALITY_REPORT).order_by(
        "-reported_at", "-id"
    )


@router.post("/quality/deviations", response={201: DeviationOut, **ERRORS}, summary="Rapportera avvikelse")
def report_deviation(request: HttpRequest, payload: DeviationIn) -> Any:
    deviation = services.deviation_report(
        actor=actor(request),
        unit=existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte."),
        occurred_at=payload.occurred_at,
        what_happened=payload.what_happened,
        client=_client(payload.client_id),
    )
    return Status(201, deviation)


@router.get("/quality/deviations/{deviation_id}", response={200: DeviationOut, **ERRORS}, summary="En avvikelse")
def get_deviation(request: HttpRequest, deviation_id: Id) -> Any:
    user = actor(request)
    deviation = selectors.deviation_get(user, deviation_id)
    selectors.log_client_read(user, deviation, f"avvikelse {deviation.pk} via API")
    return deviation


@router.patch(
    "/quality/deviations/{deviation_id}", response={200: DeviationOut, **ERRORS}, summary="Handlägg avvikelse"
)
def update_deviation(request: HttpRequest, deviation_id: Id, payload: DeviationPatch) -> Any:
    user = actor(request)
    deviation = selectors.deviation_get(user, deviation_id)
    changes = payload.changes(exclude={"version"})
    if "category_id" in changes:
        changes["category"] = _category(changes.pop("category_id"))
    return services.deviation_update(actor=user, deviation=deviation, expected_version=payload.version, **changes)


@router.post("/quality/deviations/{deviation_id}/close", response={200: DeviationOut, **ERRORS}, summary="Avsluta")
def close_deviation(request: HttpRequest, deviation_id: Id, payload: CloseIn) -> Any:
    user = actor(request)
    deviation = selectors.deviation_get(user, deviation_id)
    return services.deviation_close(
        actor=user, deviation=deviation, expected_version=payload.version, closing_note=payload.closing_note
    )


# --- Lex Sarah -------------------------------------------------------------------------------------


class LexSarahOut(Schema):
    id: int
    unit_id: int
    client_id: int | None
    deviation_id: int | None
    status: str
    reported_at: datetime.datetime
    occurred_at: datetime.datetime
    what_happened: str
    registered_at: datetime.datetime | None
    remedy: str
    remedied_at: datetime.datetime | None
    investigation_events: str
    client_view: str
    causes: str
    preventive_actions: str
    client_informed_on: datetime.date | None
    investigated_at: datetime.datetime | None
    assessment: str
    serious: bool | None
    assessment_reason: str
    assessed_at: datetime.datetime | None
    ivo_notified_on: datetime.date | None
    ivo_reference: str
    decision: str
    decided_on: datetime.date | None
    closed_at: datetime.datetime | None
    version: int


class LexSarahIn(InputSchema):
    unit_id: Id
    occurred_at: Moment
    what_happened: Text
    client_id: Id | None = None


class LexSarahStepIn(InputSchema):
    step: LexSarahStep
    version: int
    remedy: Text | None = None
    investigation_events: Text | None = None
    client_view: Text | None = None
    causes: Text | None = None
    preventive_actions: Text | None = None
    client_informed_on: datetime.date | None = None
    assessment: Annotated[str, Field(json_schema_extra=one_of(LexSarahReport.Assessment))] | None = None
    serious: bool | None = None
    assessment_reason: Text | None = None
    ivo_notified_on: datetime.date | None = None
    ivo_reference: Text | None = None
    decision: Text | None = None
    decided_on: datetime.date | None = None


@router.get("/quality/lex-sarah", response={200: list[LexSarahOut], **ERRORS}, summary="Lex Sarah-rapporter")
@paginate(Pagination)
def list_lex_sarah(request: HttpRequest, filters: Query[PeriodFilter]) -> Any:
    user = actor(request)
    items = selectors.visible_lex_sarah_reports(user)
    return _in_period(items, filters, "reported_at__date", user, Perm.QUALITY_VIEW, Perm.QUALITY_REPORT).order_by(
        "-reported_at", "-id"
    )


@router.post("/quality/lex-sarah", response={201: LexSarahOut, **ERRORS}, summary="Rapportera enligt lex Sarah")
def report_lex_sarah(request: HttpRequest, payload: LexSarahIn) -> Any:
    report = services.lex_sarah_report(
        actor=actor(request),
        unit=existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte."),
        occurred_at=payload.occurred_at,
        what_happened=payload.what_happened,
        client=_client(payload.client_id),
    )
    return Status(201, report)


@router.get("/quality/lex-sarah/{report_id}", response={200: LexSarahOut, **ERRORS}, summary="En lex Sarah-rapport")
def get_lex_sarah(request: HttpRequest, report_id: Id) -> Any:
    user = actor(request)
    report = selectors.lex_sarah_get(user, report_id)
    selectors.log_client_read(user, report, f"lex Sarah {report.pk} via API")
    return report


@router.post(
    "/quality/lex-sarah/{report_id}/steps", response={200: LexSarahOut, **ERRORS}, summary="Nästa steg i rapporten"
)
def lex_sarah_step(request: HttpRequest, report_id: Id, payload: LexSarahStepIn) -> Any:
    user = actor(request)
    report = selectors.lex_sarah_get(user, report_id)
    values = payload.model_dump(exclude={"step", "version"}, exclude_unset=True)
    allowed = set(services.LEX_SARAH_STEP_FIELDS.get(payload.step, ()))
    stray = sorted(set(values) - allowed)
    if stray:
        from django.core.exceptions import ValidationError

        raise ValidationError({name: "Fältet hör inte till det här steget." for name in stray})
    return services.lex_sarah_step(
        actor=user, report=report, step=payload.step, expected_version=payload.version, **values
    )


# --- Feedback ---------------------------------------------------------------------------------------


class FeedbackOut(Schema):
    id: int
    unit_id: int
    kind: FeedbackKind
    source: FeedbackSource
    sender_name: str
    client_id: int | None
    category_id: int | None
    received_on: datetime.date
    description: str
    other_provider: str
    forwarded_on: datetime.date | None
    other_provider_answer: str
    other_provider_answered_on: datetime.date | None
    answer: str
    answered_on: datetime.date | None
    action_taken: str
    action_taken_on: datetime.date | None
    closed_at: datetime.datetime | None
    version: int


class FeedbackIn(InputSchema):
    unit_id: Id
    kind: FeedbackKind
    source: FeedbackSource
    received_on: datetime.date
    description: Text
    sender_name: Text = ""
    client_id: Id | None = None
    category_id: Id | None = None
    other_provider: Text = ""


class FeedbackPatch(PatchSchema):
    nullable = frozenset(
        {"category_id", "forwarded_on", "other_provider_answered_on", "answered_on", "action_taken_on"}
    )
    version: int
    category_id: Id | None = None
    description: Text | None = None
    other_provider: Text | None = None
    forwarded_on: datetime.date | None = None
    other_provider_answer: Text | None = None
    other_provider_answered_on: datetime.date | None = None
    answer: Text | None = None
    answered_on: datetime.date | None = None
    action_taken: Text | None = None
    action_taken_on: datetime.date | None = None


@router.get("/quality/feedback", response={200: list[FeedbackOut], **ERRORS}, summary="Synpunkter och klagomål")
@paginate(Pagination)
def list_feedback(request: HttpRequest, filters: Query[PeriodFilter]) -> Any:
    user = actor(request)
    items = selectors.visible_feedback(user)
    return _in_period(items, filters, "received_on", user, Perm.QUALITY_VIEW).order_by("-received_on", "-id")


@router.post("/quality/feedback", response={201: FeedbackOut, **ERRORS}, summary="Registrera synpunkt")
def create_feedback(request: HttpRequest, payload: FeedbackIn) -> Any:
    feedback = services.feedback_register(
        actor=actor(request),
        unit=existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte."),
        kind=payload.kind,
        source=payload.source,
        received_on=payload.received_on,
        description=payload.description,
        sender_name=payload.sender_name,
        client=_client(payload.client_id),
        category=_category(payload.category_id),
        other_provider=payload.other_provider,
    )
    return Status(201, feedback)


@router.get("/quality/feedback/{feedback_id}", response={200: FeedbackOut, **ERRORS}, summary="Ett ärende")
def get_feedback(request: HttpRequest, feedback_id: Id) -> Any:
    user = actor(request)
    feedback = selectors.feedback_get(user, feedback_id)
    selectors.log_client_read(user, feedback, f"synpunkt {feedback.pk} via API")
    return feedback


@router.patch("/quality/feedback/{feedback_id}", response={200: FeedbackOut, **ERRORS}, summary="Uppdatera ärende")
def update_feedback(request: HttpRequest, feedback_id: Id, payload: FeedbackPatch) -> Any:
    user = actor(request)
    feedback = selectors.feedback_get(user, feedback_id)
    changes = payload.changes(exclude={"version"})
    if "category_id" in changes:
        changes["category"] = _category(changes.pop("category_id"))
    return services.feedback_update(actor=user, feedback=feedback, expected_version=payload.version, **changes)


# --- Personal data incidents ----------------------------------------------------------------------


class IncidentOut(Schema):
    id: int
    unit_id: int
    what_happened: str
    happened_at: datetime.datetime
    discovered_at: datetime.datetime
    ended_at: datetime.datetime | None
    imy_deadline: datetime.datetime
    data_affected: str
    people_affected: str
    people_affected_count: int | None
    consequences: str
    actions: str
    imy_decision: str
    imy_decision_reason: str
    imy_decided_at: datetime.datetime | None
    imy_notified_at: datetime.datetime | None
    imy_reference: str
    people_informed_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_imy_deadline(obj: DataIncident) -> datetime.datetime:
        from bista.quality.rules import imy_deadline

        return imy_deadline(obj.discovered_at)


class IncidentIn(InputSchema):
    unit_id: Id
    what_happened: Text
    happened_at: Moment
    discovered_at: Moment
    ended_at: Moment | None = None
    data_affected: Text
    people_affected: Text
    people_affected_count: int | None = Field(None, ge=0)
    consequences: Text = ""
    actions: Text = ""
    people_informed_on: datetime.date | None = None


class ImyDecisionIn(InputSchema):
    version: int
    decision: Annotated[str, Field(json_schema_extra=one_of(DataIncident.ImyDecision))]
    reason: Text = ""
    notified_at: Moment | None = None
    reference: Text = ""


@router.get("/quality/incidents", response={200: list[IncidentOut], **ERRORS}, summary="Personuppgiftsincidenter")
@paginate(Pagination)
def list_incidents(request: HttpRequest, filters: Query[PeriodFilter]) -> Any:
    user = actor(request)
    items = selectors.visible_incidents(user)
    return _in_period(items, filters, "discovered_at__date", user, Perm.QUALITY_INCIDENT).order_by(
        "-discovered_at", "-id"
    )


@router.post("/quality/incidents", response={201: IncidentOut, **ERRORS}, summary="Registrera incident")
def create_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    values = payload.model_dump(exclude={"unit_id"}, exclude_unset=True)
    incident = services.incident_register(
        actor=actor(request), unit=existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte."), **values
    )
    return Status(201, incident)


@router.get("/quality/incidents/{incident_id}", response={200: IncidentOut, **ERRORS}, summary="En incident")
def get_incident(request: HttpRequest, incident_id: Id) -> Any:
    return selectors.incident_get(actor(request), incident_id)


@router.post("/quality/incidents/{incident_id}/imy", response={200: IncidentOut, **ERRORS}, summary="Beslut om IMY")
def decide_imy(request: HttpRequest, incident_id: Id, payload: ImyDecisionIn) -> Any:
    user = actor(request)
    incident = selectors.incident_get(user, incident_id)
    return services.incident_decide_imy(
        actor=user,
        incident=incident,
        expected_version=payload.version,
        decision=payload.decision,
        reason=payload.reason,
        notified_at=payload.notified_at,
        reference=payload.reference,
    )


# --- The VB table ----------------------------------------------------------------------------------


class VbRowOut(Schema):
    key: str
    label: str
    t1: int
    t2: int
    t3: int
    total: int
    assessment: str


class VbGroupOut(Schema):
    group: str
    rows: list[VbRowOut]


class VbTableOut(Schema):
    title: str
    unit: str
    unit_id: int
    year: int
    columns: list[str]
    groups: list[VbGroupOut]
    unclassified: dict[str, int]


@router.get("/quality/vb-table", response={200: VbTableOut, **ERRORS}, summary="VB-tabellen för en enhet och ett år")
def get_vb_table(request: HttpRequest, unit_id: Id, year: Annotated[int, Field(ge=2000, le=2100)]) -> Any:
    table = selectors.vb_table_for(actor(request), unit_id=unit_id, year=year)
    unit = Unit.objects.get(pk=unit_id)
    return vbdocs.table_data(table, selectors.vb_assessments(unit_id=unit_id, year=year), unit)
