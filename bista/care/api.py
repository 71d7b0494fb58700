"""API for the provider chain: orders and their steps, implementation plans, the journal, and "Att göra".

Endpoints parse input, look up what the actor may see, call bista.care.services and shape the output.
Every read of one client's data (an order, a plan, a journal entry, a client's journal) is logged in the
access log as an API read; lists across clients are not, as in the UI. A token works with the scopes its
user holds: reading needs client.view_all or client.view_team, writing care.manage or journal.write.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bista.care import selectors, services
from bista.care.models import ImplementationPlan, JournalCategory, JournalEntry, Order, OrderEvent, Service
from bista.clients.models import AccessLogEntry, Client
from bista.clients.selectors import client_get, visible_clients
from bista.clients.services import access_log_record, access_log_record_shown
from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.api import (
    ERRORS,
    Id,
    InputSchema,
    Pagination,
    PatchSchema,
    SearchText,
    Text,
    actor,
    api_field_names,
    existing,
    one_of,
)
from bista.core.deadlines import Duty
from bista.core.models import Team, Unit
from bista.core.permissions import Perm

router = Router()

OrderStatus = Annotated[str, Field(json_schema_extra=one_of(Order.Status))]
ScopeUnit = Annotated[str, Field(json_schema_extra=one_of(Order.ScopeUnit))]
StepKind = Annotated[str, Field(json_schema_extra={"enum": list(services.MANUAL_STEPS)})]
PlanStatus = Annotated[str, Field(json_schema_extra=one_of(ImplementationPlan.Status))]

# Service error keys as the API calls the fields.
FIELD_NAMES = {
    "client": "client_id",
    "unit": "unit_id",
    "service": "service_id",
    "deputy": "deputy_id",
    "team": "team_id",
    "category": "category_id",
    "corrects": "corrects_id",
    "order": "order_id",
}


def _log(user: Any, client: Client, unit: Unit, detail: str) -> None:
    access_log_record(actor=user, client=client, action=AccessLogEntry.Action.API, unit=unit, detail=detail)


# --- Schemas ----------------------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    client_id: int
    unit_id: int
    service_id: int
    service_code: str
    service_name: str
    decision_date: datetime.date
    received_on: datetime.date
    scope_amount: Decimal
    scope_unit: ScopeUnit
    period_start: datetime.date
    period_end: datetime.date | None
    goals: str
    special_considerations: str
    contacts: str
    case_officer: str
    follow_up_on: datetime.date | None
    deputy_id: int | None
    team_id: int | None
    status: OrderStatus
    first_contact_on: datetime.date | None
    plan_established_on: datetime.date | None
    executed_on: datetime.date | None
    ended_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_service_code(obj: Order) -> str:
        return obj.service.code

    @staticmethod
    def resolve_service_name(obj: Order) -> str:
        return obj.service.name


class OrderFilter(Schema):
    unit_id: Id | None = None
    team_id: Id | None = None
    deputy_id: Id | None = None
    client_id: Id | None = None
    status: OrderStatus = ""
    open_only: bool = False


class OrderIn(InputSchema):
    client_id: Id
    unit_id: Id
    service_id: Id
    decision_date: datetime.date
    received_on: datetime.date
    scope_amount: Decimal = Field(..., max_digits=7, decimal_places=2)
    scope_unit: ScopeUnit
    period_start: datetime.date
    period_end: datetime.date | None = None
    goals: Text = ""
    special_considerations: Text = ""
    contacts: Text = ""
    case_officer: Text = ""
    follow_up_on: datetime.date | None = None
    deputy_id: Id | None = None
    team_id: Id | None = None


class OrderPatch(PatchSchema):
    nullable = frozenset({"period_end", "follow_up_on", "deputy_id", "team_id"})

    version: int
    service_id: Id | None = None
    decision_date: datetime.date | None = None
    received_on: datetime.date | None = None
    scope_amount: Decimal | None = Field(None, max_digits=7, decimal_places=2)
    scope_unit: ScopeUnit | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    goals: Text | None = None
    special_considerations: Text | None = None
    contacts: Text | None = None
    case_officer: Text | None = None
    follow_up_on: datetime.date | None = None
    deputy_id: Id | None = None
    team_id: Id | None = None


class StepIn(InputSchema):
    step: StepKind
    on: datetime.date
    note: Text = ""
    version: int | None = Field(None, description="The order's version the step was decided on (409 if stale).")


class ActivityIn(InputSchema):
    goal: Text = ""
    how: Text = ""
    when: Text = ""
    responsible: Text = ""


class ActivityOut(Schema):
    goal: str
    how: str
    when: str
    responsible: str


class PlanSummary(Schema):
    id: int
    order_id: int
    client_id: int
    unit_id: int
    number: int
    previous_id: int | None
    status: PlanStatus
    follow_up_on: datetime.date | None
    signed_on: datetime.date | None
    signed_by_id: int | None
    version: int


class CarePlanOut(PlanSummary):
    goals: str
    cooperation: str
    participants: str
    client_participation: str
    client_view: str
    easy_read: str
    activities: list[ActivityOut]

    @staticmethod
    def resolve_activities(obj: ImplementationPlan) -> list[Any]:
        return list(obj.activities.all())


class CarePlanIn(InputSchema):
    goals: Text | None = Field(None, description="Carried over from the order when left out.")
    cooperation: Text = ""
    participants: Text = ""
    client_participation: Text = ""
    client_view: Text = ""
    easy_read: Text = Field(
        "", description="Lättläst sammanfattning, written with the client; shown first on Min sida."
    )
    follow_up_on: datetime.date | None = None
    activities: list[ActivityIn] = []


class PlanPatch(PatchSchema):
    nullable = frozenset({"follow_up_on"})

    version: int
    goals: Text | None = None
    cooperation: Text | None = None
    participants: Text | None = None
    client_participation: Text | None = None
    client_view: Text | None = None
    easy_read: Text | None = None
    follow_up_on: datetime.date | None = None
    activities: list[ActivityIn] | None = None


class SignIn(InputSchema):
    version: int
    signed_on: datetime.date | None = None


class ObjectionOut(Schema):
    id: int
    entry_id: int
    text: str
    recorded_by_id: int
    recorded_at: datetime.datetime


class EntryOut(Schema):
    id: int
    client_id: int
    unit_id: int
    event_date: datetime.date
    written_at: datetime.datetime
    author_id: int
    author_name: str
    author_role: str
    category_id: int
    category: str
    text: str
    corrects_id: int | None

    @staticmethod
    def resolve_category(obj: JournalEntry) -> str:
        return obj.category.name


class EntryDetail(EntryOut):
    signature_valid: bool
    corrected_by: list[int]
    objections: list[ObjectionOut]

    @staticmethod
    def resolve_signature_valid(obj: JournalEntry) -> bool:
        return services.journal_signature_valid(obj)

    @staticmethod
    def resolve_corrected_by(obj: JournalEntry) -> list[int]:
        return list(obj.corrections.order_by("written_at", "id").values_list("id", flat=True))

    @staticmethod
    def resolve_objections(obj: JournalEntry) -> list[Any]:
        return list(obj.objections.all())


class JournalFilter(Schema):
    q: SearchText = ""
    category_id: Id | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


class EntryIn(InputSchema):
    event_date: datetime.date
    category_id: Id
    text: Text
    corrects_id: Id | None = None


class ObjectionIn(InputSchema):
    text: Text


class DutyOut(Schema):
    rule: str
    rule_name: str
    subject: str
    due_on: datetime.date
    done_on: datetime.date | None
    state: str
    days_late: int
    client_id: int | None
    unit_id: int
    responsible_id: int | None
    url: str


class DutiesOut(Schema):
    today: datetime.date
    overdue: list[DutyOut]
    due_soon: list[DutyOut]
    done_late: list[DutyOut]
    upcoming: list[DutyOut]  # open, due within the next three months ("Kommande")


# --- Lookups (no read logged: for writes, and before the read is logged) -------------------------------


def _visible_order(user: Any, order_id: int) -> Order:
    order = selectors.visible_orders(user).filter(pk=order_id).first()
    if order is None:
        raise Http404("Beställningen finns inte eller så saknar du behörighet.")
    return order


def _visible_plan(user: Any, plan_id: int) -> ImplementationPlan:
    plan = selectors.visible_plans(user).filter(pk=plan_id).prefetch_related("activities").first()
    if plan is None:
        raise Http404("Planen finns inte eller så saknar du behörighet.")
    return plan


def _visible_entry(user: Any, entry_id: int) -> JournalEntry:
    require_any_unit(user, Perm.CLIENT_VIEW)  # no client-view role at all: 403, as the other endpoints
    entry = selectors.visible_journal_entries(user).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("Anteckningen finns inte eller så saknar du behörighet.")
    return entry


def _visible_client(user: Any, client_id: int) -> Client:
    client = visible_clients(user).filter(pk=client_id).first()
    if client is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    return client


def _order_refs(user: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Replace the ids of a body by the records, each unknown one a validation error naming its field."""
    refs: dict[str, Any] = {}
    for key, value in values.items():
        if key == "service_id":
            refs["service"] = existing(Service, value, key, "Insatsen finns inte.")
        elif key == "deputy_id":
            refs["deputy"] = None if value is None else existing(get_user_model(), value, key, "Användaren finns inte.")
        elif key == "team_id":
            refs["team"] = None if value is None else existing(Team, value, key, "Arbetsgruppen finns inte.")
        else:
            refs[key] = value
    return refs


# --- Orders -----------------------------------------------------------------------------------------


class LoggedOrderPage(Pagination):
    """A page of orders: each order shown is a read of its client's order, logged through the order's unit."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page["items"])
        access_log_record_shown(
            actor=actor(request),
            shown=((order.client, order.unit_id) for order in items),
            action=AccessLogEntry.Action.API,
            detail="beställningar via API",
        )
        return {**page, "items": items}


@router.get("/care/orders", response={200: list[OrderOut], **ERRORS}, summary="Beställningar")
@paginate(LoggedOrderPage)
def list_orders(request: HttpRequest, filters: Query[OrderFilter]) -> Any:
    user = actor(request)
    unit_ids = require_any_unit(user, Perm.CLIENT_VIEW)
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    if filters.team_id is not None and not Team.objects.filter(pk=filters.team_id, unit_id__in=unit_ids).exists():
        raise Http404("Arbetsgruppen finns inte eller så saknar du behörighet.")
    orders = selectors.order_search(
        user,
        unit_id=filters.unit_id,
        status=filters.status,
        deputy_id=filters.deputy_id,
        team_id=filters.team_id,
        open_only=filters.open_only,
    )
    if filters.client_id is not None:
        orders = orders.filter(client_id=filters.client_id)
    return orders


@router.post("/care/orders", response={201: OrderOut, **ERRORS}, summary="Registrera beställning")
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    user = actor(request)
    client = visible_clients(user).filter(pk=payload.client_id).first()
    if client is None:
        raise ValidationError({"client_id": ValidationError("Brukaren finns inte.", code="does_not_exist")})
    unit = existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte.")
    values = _order_refs(user, payload.model_dump(exclude={"client_id", "unit_id"}))
    with api_field_names(FIELD_NAMES):
        order = services.order_create(actor=user, client=client, unit=unit, **values)
    return Status(201, order)


@router.get("/care/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="En beställning (loggas)")
def get_order(request: HttpRequest, order_id: Id) -> Any:
    user = actor(request)
    order = _visible_order(user, order_id)
    _log(user, order.client, order.unit, f"beställning {order.pk} via API")
    return order


@router.patch("/care/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="Rätta beställning")
def update_order(request: HttpRequest, order_id: Id, payload: OrderPatch) -> Any:
    user = actor(request)
    order = _visible_order(user, order_id)
    changes = _order_refs(user, payload.changes(exclude={"version"}))
    with api_field_names(FIELD_NAMES):
        order = services.order_update(actor=user, order=order, expected_version=payload.version, **changes)
    return _visible_order(user, order.pk)


@router.post("/care/orders/{order_id}/steps", response={200: OrderOut, **ERRORS}, summary="Registrera steg")
def record_step(request: HttpRequest, order_id: Id, payload: StepIn) -> Any:
    user = actor(request)
    order = _visible_order(user, order_id)
    if payload.step not in OrderEvent.Kind.values:
        raise ValidationError({"step": "Okänt steg."})
    with api_field_names(FIELD_NAMES):
        services.order_record_step(
            actor=user,
            order=order,
            step=payload.step,
            on=payload.on,
            note=payload.note,
            expected_version=payload.version,
        )
    return _visible_order(user, order.pk)


# --- Implementation plans ---------------------------------------------------------------------------


@router.get(
    "/care/orders/{order_id}/plans", response={200: list[PlanSummary], **ERRORS}, summary="Planversioner (loggas)"
)
def list_plans(request: HttpRequest, order_id: Id) -> Any:
    user = actor(request)
    order = _visible_order(user, order_id)
    _log(user, order.client, order.unit, f"planer för beställning {order.pk} via API")
    return list(selectors.plan_versions(order))


@router.post("/care/orders/{order_id}/plans", response={201: CarePlanOut, **ERRORS}, summary="Upprätta plan (utkast)")
def create_plan(request: HttpRequest, order_id: Id, payload: CarePlanIn) -> Any:
    user = actor(request)
    order = _visible_order(user, order_id)
    values = payload.model_dump(exclude={"activities"})
    if values["goals"] is None:
        values.pop("goals")
    with api_field_names(FIELD_NAMES):
        plan = services.plan_create(
            actor=user, order=order, activities=[a.model_dump() for a in payload.activities], **values
        )
    return Status(201, _visible_plan(user, plan.pk))


@router.get("/care/plans/{plan_id}", response={200: CarePlanOut, **ERRORS}, summary="En planversion (loggas)")
def get_plan(request: HttpRequest, plan_id: Id) -> Any:
    user = actor(request)
    plan = _visible_plan(user, plan_id)
    _log(user, plan.client, plan.unit, f"genomförandeplan {plan.pk} via API")
    return plan


@router.patch("/care/plans/{plan_id}", response={200: CarePlanOut, **ERRORS}, summary="Spara utkast")
def update_plan(request: HttpRequest, plan_id: Id, payload: PlanPatch) -> Any:
    user = actor(request)
    plan = _visible_plan(user, plan_id)
    changes = payload.changes(exclude={"version", "activities"})
    activities = None if payload.activities is None else [a.model_dump() for a in payload.activities]
    with api_field_names(FIELD_NAMES):
        services.plan_update(actor=user, plan=plan, expected_version=payload.version, activities=activities, **changes)
    return _visible_plan(user, plan.pk)


@router.post("/care/plans/{plan_id}/sign", response={200: CarePlanOut, **ERRORS}, summary="Underteckna utkast")
def sign_plan(request: HttpRequest, plan_id: Id, payload: SignIn) -> Any:
    user = actor(request)
    plan = _visible_plan(user, plan_id)
    with api_field_names(FIELD_NAMES):
        services.plan_sign(actor=user, plan=plan, expected_version=payload.version, signed_on=payload.signed_on)
    return _visible_plan(user, plan.pk)


@router.post(
    "/care/plans/{plan_id}/review", response={201: CarePlanOut, **ERRORS}, summary="Börja uppföljning (nytt utkast)"
)
def start_review(request: HttpRequest, plan_id: Id) -> Any:
    user = actor(request)
    plan = _visible_plan(user, plan_id)
    with api_field_names(FIELD_NAMES):
        draft = services.plan_start_review(actor=user, plan=plan)
    return Status(201, _visible_plan(user, draft.pk))


# --- Journal ----------------------------------------------------------------------------------------


@router.get("/care/clients/{client_id}/journal", response={200: list[EntryOut], **ERRORS}, summary="Journal (loggas)")
@paginate(Pagination)
def list_journal(request: HttpRequest, client_id: Id, filters: Query[JournalFilter]) -> Any:
    user = actor(request)
    client = client_get(user, client_id, action=AccessLogEntry.Action.API, detail="journal via API")
    return selectors.journal_entries(
        user, client, query=filters.q, category_id=filters.category_id, start=filters.start, end=filters.end
    )


@router.post(
    "/care/clients/{client_id}/journal", response={201: EntryDetail, **ERRORS}, summary="Skriv journalanteckning"
)
def create_entry(request: HttpRequest, client_id: Id, payload: EntryIn) -> Any:
    user = actor(request)
    client = _visible_client(user, client_id)
    category = existing(JournalCategory, payload.category_id, "category_id", "Kategorin finns inte.")
    corrects = None
    if payload.corrects_id is not None:
        corrects = JournalEntry.objects.filter(pk=payload.corrects_id, client=client).first()
        if corrects is None:
            raise ValidationError(
                {"corrects_id": ValidationError("Anteckningen finns inte för brukaren.", code="does_not_exist")}
            )
    with api_field_names(FIELD_NAMES):
        entry = services.journal_entry_create(
            actor=user,
            client=client,
            event_date=payload.event_date,
            category=category,
            text=payload.text,
            corrects=corrects,
        )
    return Status(201, _visible_entry(user, entry.pk))


@router.get("/care/journal/{entry_id}", response={200: EntryDetail, **ERRORS}, summary="En anteckning (loggas)")
def get_entry(request: HttpRequest, entry_id: Id) -> Any:
    user = actor(request)
    entry = _visible_entry(user, entry_id)
    _log(user, entry.client, entry.unit, f"anteckning {entry.pk} via API")
    return entry


@router.post(
    "/care/journal/{entry_id}/objections", response={201: ObjectionOut, **ERRORS}, summary="Registrera invändning"
)
def create_objection(request: HttpRequest, entry_id: Id, payload: ObjectionIn) -> Any:
    user = actor(request)
    entry = _visible_entry(user, entry_id)
    objection = services.journal_objection_record(actor=user, entry=entry, text=payload.text)
    return Status(201, objection)


# --- "Att göra" -------------------------------------------------------------------------------------


def _duty_out(duty: Duty, today: datetime.date) -> dict[str, Any]:
    return {
        "rule": duty.rule.code,
        "rule_name": duty.rule.name,
        "subject": duty.subject,
        "due_on": duty.due_on,
        "done_on": duty.done_on,
        "state": str(duty.state(today)),
        "days_late": duty.days_late(today),
        "client_id": duty.client_id,
        "unit_id": duty.unit_id,
        "responsible_id": duty.responsible_id,
        "url": duty.url,
    }


@router.get("/care/duties", response={200: DutiesOut, **ERRORS}, summary="Att göra")
def list_duties(request: HttpRequest, unit: Id | None = None, team: Id | None = None, mine: bool = False) -> Any:
    """A unit's duties (`unit`), a team's (`team`), only the caller's own (`mine`), or, with none of them,
    those of every client the caller sees. Overdue, due soon, done late within the last 90 days, and upcoming
    (open, due within the next three months)."""
    user = actor(request)
    require_any_unit(user, Perm.CLIENT_VIEW)
    if unit is not None and team is not None:
        raise ValidationError({NON_FIELD_ERRORS: ["Ange antingen unit eller team, inte båda."]})
    today = clock.today()
    todo = selectors.todo_for(user, today=today, unit_id=unit, team_id=team, mine=mine)
    return {
        "today": today,
        "overdue": [_duty_out(d, today) for d in todo.overdue],
        "due_soon": [_duty_out(d, today) for d in todo.due_soon],
        "done_late": [_duty_out(d, today) for d in todo.done_late],
        "upcoming": [_duty_out(d, today) for d in todo.upcoming],
    }
