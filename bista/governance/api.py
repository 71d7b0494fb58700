"""The governance API: plans and their goals, indicator definitions, the indicator table of a goal, follow-ups,
manual values (in and, Kolada-style, out) and document generation. The same services and selectors as the UI:
governance.view in the unit to read (404 for a unit the caller cannot see), governance.edit to write."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.api import ERRORS, Id, InputSchema, PatchSchema, Text, actor, existing, one_of
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.governance import selectors, services
from bista.governance.models import (
    Assessment,
    DocumentKind,
    GeneratedDocument,
    Goal,
    GoalIndicator,
    IndicatorDefinition,
    Period,
)
from bista.governance.registry import Source

router = Router()

Year = Annotated[int, Field(ge=2000, le=2100)]
PeriodCode = Annotated[str, Field(json_schema_extra=one_of(Period))]
LevelCode = Annotated[str, Field(json_schema_extra=one_of(Goal.Level))]
AssessmentCode = Annotated[str, Field(json_schema_extra={"enum": ["", *Assessment.values]})]
KindCode = Annotated[str, Field(json_schema_extra=one_of(DocumentKind))]
FormatCode = Annotated[str, Field(json_schema_extra=one_of(GeneratedDocument.Format))]
Number = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


def _unit(user: Any, unit_id: int) -> Unit:
    """A unit the caller may see (governance.view), else 404 (or 403 without the permission anywhere)."""
    require_any_unit(user, [Perm.GOVERNANCE_VIEW])
    if not selectors.may_view(user, unit_id):
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    return Unit.objects.get(pk=unit_id)


# --- Plans and goals ----------------------------------------------------------------------------------


class OperationalPlanOut(Schema):
    id: int
    unit_id: int
    year: int
    officer_name: str
    officer_phone: str
    recipient: str
    copied_from_id: int | None
    version: int


class OperationalPlanIn(InputSchema):
    unit_id: Id
    year: Year
    officer_name: Text = ""
    officer_phone: Text = ""
    recipient: Text = ""


class GoalIndicatorOut(Schema):
    id: int
    indicator_code: str
    target: Decimal | None
    council_target: Decimal | None
    council_target_text: str

    @staticmethod
    def resolve_indicator_code(obj: GoalIndicator) -> str:
        return obj.indicator.code


class GoalOut(Schema):
    id: int
    plan_id: int
    level: str
    parent_id: int | None
    number: str
    title: str
    description: str
    expected_result: str
    working_method: str
    resource_use: str
    follow_up_method: str
    development: str
    position: int
    version: int
    indicators: list[GoalIndicatorOut] = []

    @staticmethod
    def resolve_indicators(obj: Goal) -> list[Any]:
        return list(obj.indicators.all())


class GoalIn(InputSchema):
    level: LevelCode
    title: Text
    parent_id: Id | None = None
    number: Text = ""
    description: Text = ""
    expected_result: Text = ""
    working_method: Text = ""
    resource_use: Text = ""
    follow_up_method: Text = ""
    development: Text = ""


class GoalPatch(PatchSchema):
    version: int
    number: Text | None = None
    title: Text | None = None
    description: Text | None = None
    expected_result: Text | None = None
    working_method: Text | None = None
    resource_use: Text | None = None
    follow_up_method: Text | None = None
    development: Text | None = None


@router.get("/governance/plans", response={200: list[OperationalPlanOut], **ERRORS}, summary="Verksamhetsplaner")
def list_plans(request: HttpRequest, unit_id: Id | None = None, year: Year | None = None) -> Any:
    user = actor(request)
    require_any_unit(user, [Perm.GOVERNANCE_VIEW])
    plans = selectors.visible_plans(user)
    if unit_id:
        plans = plans.filter(unit_id=unit_id)
    if year:
        plans = plans.filter(year=year)
    return plans.order_by("unit_id", "-year")


@router.post("/governance/plans", response={201: OperationalPlanOut, **ERRORS}, summary="Skapa verksamhetsplan")
def create_plan(request: HttpRequest, payload: OperationalPlanIn) -> Any:
    user = actor(request)
    unit = _unit(user, payload.unit_id)
    plan = services.plan_create(actor=user, **{**payload.model_dump(exclude={"unit_id"}), "unit": unit})
    return Status(201, plan)


@router.post(
    "/governance/plans/{plan_id}/copy",
    response={201: OperationalPlanOut, **ERRORS},
    summary="Kopiera målen till nästa år",
)
def copy_plan(request: HttpRequest, plan_id: Id) -> Any:
    user = actor(request)
    return Status(201, services.plan_copy_forward(actor=user, plan=selectors.plan_get(user, plan_id)))


@router.get("/governance/plans/{plan_id}/goals", response={200: list[GoalOut], **ERRORS}, summary="Planens mål")
def list_goals(request: HttpRequest, plan_id: Id) -> Any:
    plan = selectors.plan_get(actor(request), plan_id)
    return [goal for goal, _depth in selectors.goal_tree(plan)]


@router.post("/governance/plans/{plan_id}/goals", response={201: GoalOut, **ERRORS}, summary="Nytt mål")
def create_goal(request: HttpRequest, plan_id: Id, payload: GoalIn) -> Any:
    user = actor(request)
    plan = selectors.plan_get(user, plan_id)
    values = payload.model_dump(exclude={"parent_id"})
    parent = None
    if payload.parent_id:
        parent = Goal.objects.filter(pk=payload.parent_id, plan=plan).first()
        if parent is None:
            raise ValidationError({"parent_id": "Det överordnade målet finns inte i planen."})
    return Status(201, services.goal_create(actor=user, plan=plan, parent=parent, **values))


@router.get("/governance/goals/{goal_id}", response={200: GoalOut, **ERRORS}, summary="Ett mål")
def get_goal(request: HttpRequest, goal_id: Id) -> Any:
    return selectors.goal_get(actor(request), goal_id)


@router.patch("/governance/goals/{goal_id}", response={200: GoalOut, **ERRORS}, summary="Ändra mål")
def update_goal(request: HttpRequest, goal_id: Id, payload: GoalPatch) -> Any:
    user = actor(request)
    goal = selectors.goal_get(user, goal_id)
    return services.goal_update(
        actor=user, goal=goal, expected_version=payload.version, **payload.changes(exclude={"version"})
    )


# --- Indicators ----------------------------------------------------------------------------------------


class IndicatorOut(Schema):
    code: str
    name: str
    description: str
    unit_of_measure: str
    source: str
    computed_key: str
    gender_split: bool
    period_type: str
    higher_is_better: bool
    decimals: int
    valid_from: datetime.date
    valid_to: datetime.date | None


class GoalIndicatorIn(InputSchema):
    indicator_code: Annotated[str, Field(max_length=60)]
    target: Number | None = None
    council_target: Number | None = None
    council_target_text: Text = ""


class IndicatorRowOut(Schema):
    goal_indicator_id: int
    indicator_code: str
    name: str
    unit_of_measure: str
    period: str
    period_label: str
    value: Decimal | None
    men: Decimal | None
    women: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    previous_year: Decimal | None
    forecast: Decimal | None
    target: Decimal | None
    council_target: Decimal | None
    council_target_text: str
    meets_target: bool | None
    source: str
    drill_url: str


@router.get("/governance/indicators", response={200: list[IndicatorOut], **ERRORS}, summary="Indikatorer")
def list_indicators(request: HttpRequest) -> Any:
    require_any_unit(actor(request), [Perm.GOVERNANCE_VIEW])
    return IndicatorDefinition.objects.order_by("code")


@router.post(
    "/governance/goals/{goal_id}/indicators",
    response={201: GoalIndicatorOut, **ERRORS},
    summary="Följ upp med indikator",
)
def add_goal_indicator(request: HttpRequest, goal_id: Id, payload: GoalIndicatorIn) -> Any:
    user = actor(request)
    goal = selectors.goal_get(user, goal_id)
    indicator = IndicatorDefinition.objects.filter(code=payload.indicator_code).first()
    if indicator is None:
        raise ValidationError({"indicator_code": "Indikatorn finns inte."})
    values = payload.model_dump(exclude={"indicator_code"})
    return Status(201, services.goal_indicator_add(actor=user, goal=goal, indicator=indicator, **values))


@router.get(
    "/governance/goals/{goal_id}/indicator-table",
    response={200: list[IndicatorRowOut], **ERRORS},
    summary="Målets indikatortabell för en period",
)
def indicator_table(request: HttpRequest, goal_id: Id, period: PeriodCode = "VB") -> Any:
    user = actor(request)
    goal = selectors.goal_get(user, goal_id)
    if period not in Period.values:
        raise ValidationError({"period": "Välj T1, T2 eller VB."})
    rows = selectors.indicator_rows(user, goal, period, source=Source(today=clock.today()))
    return [
        {
            "goal_indicator_id": row.goal_indicator.pk,
            "indicator_code": row.indicator.code,
            "name": row.indicator.name,
            "unit_of_measure": row.indicator.unit_of_measure,
            "period": row.period,
            "period_label": row.period_label,
            "value": row.outcome.value,
            "men": row.outcome.men,
            "women": row.outcome.women,
            "numerator": row.outcome.numerator,
            "denominator": row.outcome.denominator,
            "previous_year": row.previous,
            "forecast": row.forecast,
            "target": row.goal_indicator.target,
            "council_target": row.goal_indicator.council_target,
            "council_target_text": row.goal_indicator.council_target_text,
            "meets_target": row.meets_target,
            "source": row.source_text,
            "drill_url": row.drill_url,
        }
        for row in rows
    ]


# --- Follow-ups ----------------------------------------------------------------------------------------


class FollowUpIn(InputSchema):
    period: PeriodCode
    assessment: AssessmentCode = ""
    analysis: Text = ""
    version: int = Field(0, ge=0)
    goal_indicator_id: Id | None = None


class FollowUpOut(Schema):
    id: int
    goal_id: int
    goal_indicator_id: int | None
    period: str
    assessment: str
    analysis: str
    version: int
    updated_at: datetime.datetime


@router.post(
    "/governance/goals/{goal_id}/follow-ups", response={200: FollowUpOut, **ERRORS}, summary="Bedöm och analysera"
)
def save_follow_up(request: HttpRequest, goal_id: Id, payload: FollowUpIn) -> Any:
    user = actor(request)
    goal = selectors.goal_get(user, goal_id)
    goal_indicator = None
    if payload.goal_indicator_id:
        goal_indicator = existing(
            GoalIndicator, payload.goal_indicator_id, "goal_indicator_id", "Indikatorn finns inte."
        )
    return services.follow_up_save(
        actor=user,
        goal=goal,
        goal_indicator=goal_indicator,
        period=payload.period,
        assessment=payload.assessment,
        analysis=payload.analysis,
        expected_version=payload.version,
    )


# --- Values ------------------------------------------------------------------------------------------------


class ValueIn(InputSchema):
    indicator_code: Annotated[str, Field(max_length=60)]
    unit_id: Id
    year: Year
    period: PeriodCode
    value: Number
    value_women: Number | None = None
    value_men: Number | None = None
    source: Text
    version: int | None = Field(None, ge=1)


class ValueOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    year: int
    period: str
    value: Decimal
    value_women: Decimal | None
    value_men: Decimal | None
    source: str
    version: int


class KoladaValue(Schema):
    gender: str
    value: float | None


class KoladaRow(Schema):
    kpi: str
    kpi_title: str
    unit_of_measure: str
    municipality: str
    municipality_name: str
    ou: int
    ou_title: str
    period: int | str
    values: list[KoladaValue]


class KoladaOut(Schema):
    values: list[KoladaRow]


@router.post("/governance/values", response={200: ValueOut, **ERRORS}, summary="Registrera manuellt indikatorvärde")
def save_value(request: HttpRequest, payload: ValueIn) -> Any:
    user = actor(request)
    unit = _unit(user, payload.unit_id)
    indicator = IndicatorDefinition.objects.filter(code=payload.indicator_code).first()
    if indicator is None:
        raise ValidationError({"indicator_code": "Indikatorn finns inte."})
    return services.indicator_value_save(
        actor=user,
        indicator=indicator,
        unit=unit,
        year=payload.year,
        period=payload.period,
        value=payload.value,
        value_women=payload.value_women,
        value_men=payload.value_men,
        source=payload.source,
        expected_version=payload.version,
    )


@router.get("/governance/values", response={200: KoladaOut, **ERRORS}, summary="Indikatorvärden (Kolada-format)")
def list_values(request: HttpRequest, unit_id: Id, year: Year) -> Any:
    user = actor(request)
    _unit(user, unit_id)
    return {"values": selectors.open_data(user, unit_ids=[unit_id], year=year)}


# --- Documents ---------------------------------------------------------------------------------------------


class DocumentIn(InputSchema):
    unit_id: Id
    year: Year
    kind: KindCode
    format: FormatCode


class DocumentOut(Schema):
    id: int
    plan_id: int
    kind: str
    format: str
    status: str
    progress: int
    message: str
    sha256: str
    size: int
    requested_by_id: int | None
    requested_at: datetime.datetime
    finished_at: datetime.datetime | None
    download_url: str | None

    @staticmethod
    def resolve_download_url(obj: GeneratedDocument) -> str | None:
        if obj.status != GeneratedDocument.Status.DONE:
            return None
        return f"/api/v1/governance/documents/{obj.pk}/file"


@router.post(
    "/governance/documents", response={202: DocumentOut, **ERRORS}, summary="Skapa VP, tertialrapport eller VB"
)
def request_document(request: HttpRequest, payload: DocumentIn) -> Any:
    user = actor(request)
    unit = _unit(user, payload.unit_id)
    document = services.document_request(
        actor=user, unit=unit, year=payload.year, kind=payload.kind, format=payload.format
    )
    return Status(202, GeneratedDocument.objects.defer("content").get(pk=document.pk))


@router.get("/governance/documents/{document_id}", response={200: DocumentOut, **ERRORS}, summary="Dokumentets status")
def get_document(request: HttpRequest, document_id: Id) -> Any:
    return selectors.document_get(actor(request), document_id)


@router.get(
    "/governance/documents/{document_id}/file",
    response={200: None, **ERRORS},
    summary="Ladda ner dokumentet",
)
def download_document(request: HttpRequest, document_id: Id) -> HttpResponse:
    document = selectors.document_get(actor(request), document_id)
    if document.status != GeneratedDocument.Status.DONE or document.content is None:
        raise Http404("Dokumentet är inte klart.")
    content_type = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
    }[document.format]
    response = HttpResponse(bytes(document.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Checksum-SHA256"] = document.sha256
    return response
