"""API for rostering: shifts, open shifts and their candidates, sick calls, needs, and roster jobs.

Endpoints parse input, look up what the actor may see, call bista.rostering.services and shape the output.
Reading needs roster.view (or roster.manage) in the unit; writing roster.manage. An employee reads their own
published shifts at /rostering/shifts/mine. Shifts, need patterns and occasions name clients: every client
in an answer is logged in the access log as an API read (one row per client and unit).

A time without a zone (`2030-03-04T07:00`) is read as Europe/Stockholm. A save that breaks a working-time
rule answers 422 with the code `rule_violation` at the field concerned (`employee_id`, `ends_at`) or
`__all__`; hours beyond the contract or the decision do not refuse a save and come back as `warnings`.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from bista.care.models import Order
from bista.clients.models import AccessLogEntry, Client
from bista.clients.services import access_log_record_shown
from bista.core import clock
from bista.core.access import require_any_unit, unit_ids_with
from bista.core.api import ERRORS, ClockTime, Id, InputSchema, PatchSchema, Text, actor, one_of
from bista.core.clock import STOCKHOLM
from bista.core.errors import ConflictError
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.rostering import selectors, services
from bista.rostering.facts import Violation
from bista.rostering.models import BookedOccasion, NeedPattern, RosterJob, Shift, ShiftKind
from bista.staff.models import Employee

router = Router()

KindCode = Annotated[str, Field(json_schema_extra=one_of(ShiftKind))]
ShiftStatus = Annotated[str, Field(json_schema_extra=one_of(Shift.Status))]
JobStatus = Annotated[str, Field(json_schema_extra=one_of(RosterJob.Status))]
MAX_DAYS = 62  # the longest stretch one list of shifts or occasions covers
MAX_LIMIT = 1000

FIELD_NAMES = {
    "client": "client_id",
    "employee": "employee_id",
    "order": "order_id",
    "unit": "unit_id",
}
VIEW = (Perm.ROSTER_VIEW, Perm.ROSTER_MANAGE)


@contextlib.contextmanager
def _api_field_names() -> Iterator[None]:
    """Re-raise a service's ValidationError with the fields named as in the request body (a version
    conflict passes through as it is: 409)."""
    try:
        yield
    except ConflictError:
        raise
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({FIELD_NAMES.get(f, f): items for f, items in error.error_dict.items()}) from error


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _aware(value: datetime.datetime) -> datetime.datetime:
    """A time without a zone is Stockholm time (the first of two on the autumn night)."""
    return value.replace(tzinfo=STOCKHOLM) if value.tzinfo is None else value


def _check_days(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise _invalid("end", "Slutdatum får inte vara före startdatum.", "end_before_start")
    if (end - start).days + 1 > MAX_DAYS:
        raise _invalid("end", f"Ange högst {MAX_DAYS} dagar åt gången.", "too_long")


def _log(user: Any, pairs: Iterable[tuple[Client, int]], detail: str) -> None:
    """One API read per client shown, through the unit its data was shown from."""
    access_log_record_shown(actor=user, shown=pairs, action=AccessLogEntry.Action.API, detail=detail)


# --- Schemas ----------------------------------------------------------------------------------------


class ViolationOut(Schema):
    rule: str
    message: str
    hard: bool
    employee_id: int | None
    client_id: int | None


class ShiftOut(Schema):
    id: int
    unit_id: int
    client_id: int
    client_name: str
    employee_id: int | None
    employee_name: str | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    hours: float
    kind: KindCode
    status: ShiftStatus
    is_overtime: bool
    is_hourly_paid: bool
    replaces_id: int | None
    job_id: int | None
    need_pattern_id: int | None
    booked_occasion_id: int | None
    exception_id: int | None
    note: str
    version: int
    warnings: list[ViolationOut]

    @staticmethod
    def resolve_client_name(obj: Shift, context: Any) -> str:
        """In full to a reader who sees the client, by initials to one who sees only the roster (a controller).
        Lists name their shifts' clients in one query first (`_shown`)."""
        label = getattr(obj, "client_label", None)
        if label is None:
            reader = getattr((context or {}).get("request"), "auth", None)
            label = selectors.client_labels(reader, [(obj.client, obj.unit_id)])[obj.client_id]
        return str(label)

    @staticmethod
    def resolve_employee_name(obj: Shift) -> str | None:
        return obj.employee.full_name if obj.employee else None

    @staticmethod
    def resolve_hours(obj: Shift) -> float:
        return round(obj.hours, 4)

    @staticmethod
    def resolve_warnings(obj: Shift) -> list[Violation]:
        return services.warnings_of(obj)


class ShiftPage(Schema):
    count: int
    items: list[ShiftOut]


class ShiftFilter(Schema):
    start: datetime.date
    end: datetime.date
    unit_id: Id | None = None
    team_id: Id | None = None
    employee_id: Id | None = None
    client_id: Id | None = None
    status: ShiftStatus | None = None
    open_only: bool = False
    limit: int = Field(500, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


class DaysFilter(Schema):
    start: datetime.date
    end: datetime.date


class ShiftIn(InputSchema):
    client_id: Id
    employee_id: Id | None = None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: KindCode = ShiftKind.ACTIVE
    note: Text = Field("", max_length=300)
    status: ShiftStatus = Shift.Status.DRAFT


class ShiftPatch(PatchSchema):
    nullable = frozenset({"employee_id"})

    version: int
    employee_id: Id | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    kind: KindCode | None = None
    note: Text | None = Field(None, max_length=300)


class CancelIn(InputSchema):
    reason: Text = Field("", max_length=200)
    version: int | None = None


class AssignIn(InputSchema):
    employee_id: Id
    version: int


class CandidateOut(Schema):
    employee_id: int
    employee_name: str
    rank: int
    overtime_hours: float
    hourly_paid: bool
    worked_with_client: bool
    chosen: bool
    in_client_team: bool
    cost: float
    reasons: list[str]
    warnings: list[ViolationOut]


class SickCallIn(InputSchema):
    employee_id: Id
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    note: Text = Field("", max_length=200)


class SickCallOut(Schema):
    absence_id: int
    employee_id: int
    starts_on: datetime.date
    ends_on: datetime.date | None
    open_shifts: list[ShiftOut]


class PatternOut(Schema):
    id: int | None
    client_id: int
    order_id: int
    weekdays: str
    start_time: ClockTime
    end_time: ClockTime
    staff_count: int
    kind: KindCode
    valid_from: datetime.date
    valid_to: datetime.date | None


class PatternFilter(Schema):
    unit_id: Id | None = None
    order_id: Id | None = None
    client_id: Id | None = None
    current_only: bool = False


class PatternIn(InputSchema):
    order_id: Id
    weekdays: str = Field("1234567", max_length=20)
    start_time: ClockTime
    end_time: ClockTime
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    staff_count: int = Field(1, ge=1, le=4)
    kind: KindCode = ShiftKind.ACTIVE


class PatternEndIn(InputSchema):
    last_day: datetime.date


class OccasionOut(Schema):
    id: int
    client_id: int
    order_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    staff_count: int
    note: str
    cancelled_at: datetime.datetime | None


class OccasionFilter(Schema):
    start: datetime.date
    end: datetime.date
    unit_id: Id | None = None
    client_id: Id | None = None


class OccasionIn(InputSchema):
    order_id: Id
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    staff_count: int = Field(1, ge=1, le=4)
    note: Text = Field("", max_length=200)


class OccasionCancelIn(InputSchema):
    reason: Text = Field("", max_length=200)


class JobOut(Schema):
    id: int
    unit_id: int
    period_start: datetime.date
    period_end: datetime.date
    weights: dict[str, int]
    time_limit_seconds: int
    status: JobStatus
    progress: int
    message: str
    stop_requested: bool
    objective: float | None
    best_bound: float | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    published_at: datetime.datetime | None
    version: int


class JobIn(InputSchema):
    unit_id: Id
    period_start: datetime.date
    period_end: datetime.date
    weights: dict[str, Any] = Field(default_factory=dict)
    time_limit_seconds: int = 60


class VersionIn(InputSchema):
    version: int


class OptionalVersionIn(InputSchema):
    version: int | None = None


class ProposalOut(Schema):
    job: JobOut
    shifts: list[ShiftOut]
    uncovered: list[dict[str, Any]]
    statistics: dict[str, Any]


class PublishOut(Schema):
    published: int
    job: JobOut


# --- Lookups ------------------------------------------------------------------------------------------


def _shift(user: Any, shift_id: int) -> Shift:
    """A shift the user may see (404 otherwise); no read logged."""
    return selectors.shift_get(user, shift_id)


def _managed_units(user: Any) -> set[int]:
    return require_any_unit(user, [Perm.ROSTER_MANAGE])


def _client_to_roster(user: Any, client_id: int, units: set[int]) -> Client:
    client = Client.objects.filter(pk=client_id, unit_links__unit_id__in=units, unit_links__until__isnull=True).first()
    if client is None:
        raise _invalid("client_id", "Brukaren finns inte.", "does_not_exist")
    return client


def _employee_to_roster(user: Any, employee_id: int | None, units: set[int]) -> Employee | None:
    if employee_id is None:
        return None
    employee = Employee.objects.filter(pk=employee_id, unit_id__in=units).select_related("unit").first()
    if employee is None:
        raise _invalid("employee_id", "Medarbetaren finns inte.", "does_not_exist")
    return employee


def _order(user: Any, order_id: int, units: set[int]) -> Order:
    order = Order.objects.filter(pk=order_id, unit_id__in=units).select_related("client", "unit").first()
    if order is None:
        raise _invalid("order_id", "Beställningen finns inte.", "does_not_exist")
    return order


def _job(user: Any, job_id: int) -> RosterJob:
    require_any_unit(user, VIEW)
    return selectors.roster_job(user, job_id)


def _shown(user: Any, shifts: list[Shift], detail: str) -> list[Shift]:
    _log(user, ((s.client, s.unit_id) for s in shifts), detail)
    labels = selectors.client_labels(user, ((s.client, s.unit_id) for s in shifts))
    for shift in shifts:
        shift.client_label = labels[shift.client_id]  # type: ignore[attr-defined]
    return shifts


# --- Shifts -------------------------------------------------------------------------------------------


@router.get("/rostering/shifts", response={200: ShiftPage, **ERRORS}, summary="Arbetspass (loggas per brukare)")
def list_shifts(request: HttpRequest, filters: Query[ShiftFilter]) -> Any:
    """Shifts touching the days `start`–`end` (at most 62) in the units whose roster the caller sees."""
    user = actor(request)
    unit_ids = require_any_unit(user, VIEW)
    _check_days(filters.start, filters.end)
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    if filters.team_id is not None and not Team.objects.filter(pk=filters.team_id, unit_id__in=unit_ids).exists():
        raise Http404("Arbetsgruppen finns inte eller så saknar du behörighet.")
    shifts: QuerySet[Shift] = selectors.visible_shifts(user).filter(
        starts_at__lt=datetime.datetime.combine(
            filters.end + datetime.timedelta(days=1), datetime.time(0), tzinfo=STOCKHOLM
        ),
        ends_at__gt=datetime.datetime.combine(filters.start, datetime.time(0), tzinfo=STOCKHOLM),
        unit_id__in=unit_ids,
    )
    for name in ("unit_id", "employee_id", "client_id", "status"):
        value = getattr(filters, name)
        if value is not None:
            shifts = shifts.filter(**{name: value})
    if filters.team_id is not None:
        shifts = shifts.filter(client__teams__id=filters.team_id)
    if filters.open_only:
        shifts = shifts.filter(employee__isnull=True)
    shifts = shifts.order_by("starts_at", "pk")
    count = shifts.count()
    page = list(shifts[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": _shown(user, page, "schema via API")}


@router.get("/rostering/shifts/mine", response={200: list[ShiftOut], **ERRORS}, summary="Mina pass")
def list_my_shifts(request: HttpRequest, filters: Query[DaysFilter]) -> Any:
    """The caller's own published, worked and absent shifts (none for a user who is not an employee)."""
    _check_days(filters.start, filters.end)
    return selectors.my_shifts(actor(request), filters.start, filters.end)


@router.get("/rostering/shifts/{shift_id}", response={200: ShiftOut, **ERRORS}, summary="Ett pass (loggas)")
def get_shift(request: HttpRequest, shift_id: Id) -> Any:
    user = actor(request)
    shift = _shift(user, shift_id)
    if selectors.can_view_roster(user, shift.unit_id):
        _shown(user, [shift], f"pass {shift.pk} via API")
    return shift


@router.post("/rostering/shifts", response={201: ShiftOut, **ERRORS}, summary="Lägg pass")
def create_shift(request: HttpRequest, payload: ShiftIn) -> Any:
    user = actor(request)
    units = _managed_units(user)
    client = _client_to_roster(user, payload.client_id, units)
    employee = _employee_to_roster(user, payload.employee_id, units)
    with _api_field_names():
        shift = services.shift_create(
            actor=user,
            client=client,
            employee=employee,
            starts_at=_aware(payload.starts_at),
            ends_at=_aware(payload.ends_at),
            kind=payload.kind,
            note=payload.note,
            status=payload.status,
        )
    return Status(201, shift)


@router.patch("/rostering/shifts/{shift_id}", response={200: ShiftOut, **ERRORS}, summary="Ändra utkast till pass")
def update_shift(request: HttpRequest, shift_id: Id, payload: ShiftPatch) -> Any:
    user = actor(request)
    shift = _shift(user, shift_id)
    changes = payload.changes(exclude={"version"})
    if "employee_id" in changes:
        changes["employee"] = _employee_to_roster(user, changes.pop("employee_id"), {shift.unit_id})
    for name in ("starts_at", "ends_at"):
        if name in changes:
            changes[name] = _aware(changes[name])
    with _api_field_names():
        return services.shift_update(actor=user, shift=shift, version=payload.version, **changes)


@router.post("/rostering/shifts/{shift_id}/publish", response={200: ShiftOut, **ERRORS}, summary="Publicera utkast")
def publish_shift(request: HttpRequest, shift_id: Id, payload: VersionIn) -> Any:
    """Publish a draft laid by hand (checked against the rules again); a job's proposal is published whole."""
    user = actor(request)
    shift = _shift(user, shift_id)
    with _api_field_names():
        return services.shift_publish(actor=user, shift=shift, version=payload.version)


@router.post("/rostering/shifts/{shift_id}/cancel", response={200: ShiftOut, **ERRORS}, summary="Ställ in pass")
def cancel_shift(request: HttpRequest, shift_id: Id, payload: CancelIn) -> Any:
    user = actor(request)
    shift = _shift(user, shift_id)
    with _api_field_names():
        return services.shift_cancel(actor=user, shift=shift, reason=payload.reason, version=payload.version)


@router.get(
    "/rostering/shifts/{shift_id}/candidates",
    response={200: list[CandidateOut], **ERRORS},
    summary="Vem kan ta det öppna passet",
)
def list_candidates(request: HttpRequest, shift_id: Id) -> Any:
    user = actor(request)
    shift = _shift(user, shift_id)
    candidates = selectors.open_shift_candidates(user, shift)
    _shown(user, [shift], f"kandidater för pass {shift.pk} via API")
    return [
        {
            "employee_id": c.employee.pk,
            "employee_name": c.employee.full_name,
            "rank": c.rank,
            "overtime_hours": c.overtime_hours,
            "hourly_paid": c.hourly_paid,
            "worked_with_client": c.worked_with_client,
            "chosen": c.chosen,
            "in_client_team": c.in_client_team,
            "cost": c.cost,
            "reasons": c.reasons,
            "warnings": c.warnings,
        }
        for c in candidates
    ]


@router.post("/rostering/shifts/{shift_id}/assign", response={200: ShiftOut, **ERRORS}, summary="Tillsätt öppet pass")
def assign_shift(request: HttpRequest, shift_id: Id, payload: AssignIn) -> Any:
    user = actor(request)
    shift = _shift(user, shift_id)
    employee = _employee_to_roster(user, payload.employee_id, {shift.unit_id})
    assert employee is not None
    with _api_field_names():
        return services.open_shift_assign(actor=user, shift=shift, employee=employee, version=payload.version)


@router.post("/rostering/sick-calls", response={201: SickCallOut, **ERRORS}, summary="Sjukanmälan")
def create_sick_call(request: HttpRequest, payload: SickCallIn) -> Any:
    """Register a sick leave: the employee's published shifts in it become absent and open shifts take their
    place (returned, to be filled through the candidates)."""
    user = actor(request)
    employee = _employee_to_roster(user, payload.employee_id, _managed_units(user))
    assert employee is not None
    with _api_field_names():
        absence, open_shifts = services.sick_call(
            actor=user, employee=employee, starts_on=payload.starts_on, ends_on=payload.ends_on, note=payload.note
        )
    return Status(
        201,
        {
            "absence_id": absence.pk,
            "employee_id": employee.pk,
            "starts_on": absence.starts_on,
            "ends_on": absence.ends_on,
            "open_shifts": open_shifts,
        },
    )


# --- Needs --------------------------------------------------------------------------------------------


def _needs_units(user: Any) -> set[int]:
    """Units whose clients' needs the caller reads: a roster permission and a client-view permission there
    (needs are about clients; roster.view alone — a controller — shows the roster's shape). 403 if none."""
    unit_ids = require_any_unit(user, VIEW) & unit_ids_with(user, *Perm.CLIENT_VIEW)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas.")
    return unit_ids


@router.get("/rostering/need-patterns", response={200: list[PatternOut], **ERRORS}, summary="Behovsmönster (loggas)")
def list_patterns(request: HttpRequest, filters: Query[PatternFilter]) -> Any:
    user = actor(request)
    unit_ids = _needs_units(user)
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    patterns = NeedPattern.objects.filter(order__unit_id__in=unit_ids).select_related("client", "order")
    for name, lookup in (("unit_id", "order__unit_id"), ("order_id", "order_id"), ("client_id", "client_id")):
        value = getattr(filters, name)
        if value is not None:
            patterns = patterns.filter(**{lookup: value})
    if filters.current_only:
        patterns = patterns.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=clock.today()))
    result = list(patterns.order_by("client_id", "valid_from", "start_time", "pk")[:MAX_LIMIT])
    _log(user, ((p.client, p.order.unit_id) for p in result), "behovsmönster via API")
    return result


@router.post("/rostering/need-patterns", response={201: PatternOut, **ERRORS}, summary="Lägg in behovsmönster")
def create_pattern(request: HttpRequest, payload: PatternIn) -> Any:
    user = actor(request)
    order = _order(user, payload.order_id, _managed_units(user))
    with _api_field_names():
        pattern = services.need_pattern_create(actor=user, order=order, **payload.model_dump(exclude={"order_id"}))
    return Status(201, pattern)


@router.post(
    "/rostering/need-patterns/{pattern_id}/end", response={200: PatternOut, **ERRORS}, summary="Avsluta behovsmönster"
)
def end_pattern(request: HttpRequest, pattern_id: Id, payload: PatternEndIn) -> Any:
    user = actor(request)
    units = require_any_unit(user, VIEW)
    pattern = NeedPattern.objects.filter(pk=pattern_id, order__unit_id__in=units).select_related("order").first()
    if pattern is None:
        raise Http404("Behovsmönstret finns inte eller så saknar du behörighet.")
    with _api_field_names():
        return services.need_pattern_end(actor=user, pattern=pattern, last_day=payload.last_day)


@router.get(
    "/rostering/orders/{order_id}/need-proposal",
    response={200: list[PatternOut], **ERRORS},
    summary="Förslag på behovsmönster från beställningen (sparas inte)",
)
def propose_patterns(request: HttpRequest, order_id: Id) -> Any:
    user = actor(request)
    units = _needs_units(user)
    order = Order.objects.filter(pk=order_id, unit_id__in=units).select_related("client", "unit").first()
    if order is None:
        raise Http404("Beställningen finns inte eller så saknar du behörighet.")
    proposal = services.needs_from_order(actor=user, order=order)
    _log(user, [(order.client, order.unit_id)], f"behovsförslag från beställning {order.pk} via API")
    return proposal


@router.get("/rostering/occasions", response={200: list[OccasionOut], **ERRORS}, summary="Bokade tillfällen (loggas)")
def list_occasions(request: HttpRequest, filters: Query[OccasionFilter]) -> Any:
    user = actor(request)
    unit_ids = _needs_units(user)
    _check_days(filters.start, filters.end)
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    occasions = BookedOccasion.objects.filter(
        order__unit_id__in=unit_ids,
        starts_at__lt=datetime.datetime.combine(filters.end + datetime.timedelta(days=1), datetime.time(0), STOCKHOLM),
        ends_at__gt=datetime.datetime.combine(filters.start, datetime.time(0), STOCKHOLM),
    ).select_related("client", "order")
    if filters.unit_id is not None:
        occasions = occasions.filter(order__unit_id=filters.unit_id)
    if filters.client_id is not None:
        occasions = occasions.filter(client_id=filters.client_id)
    result = list(occasions.order_by("starts_at", "pk")[:MAX_LIMIT])
    _log(user, ((o.client, o.order.unit_id) for o in result), "bokade tillfällen via API")
    return result


@router.post("/rostering/occasions", response={201: OccasionOut, **ERRORS}, summary="Boka tillfälle")
def create_occasion(request: HttpRequest, payload: OccasionIn) -> Any:
    user = actor(request)
    order = _order(user, payload.order_id, _managed_units(user))
    with _api_field_names():
        occasion = services.booked_occasion_create(
            actor=user,
            order=order,
            starts_at=_aware(payload.starts_at),
            ends_at=_aware(payload.ends_at),
            staff_count=payload.staff_count,
            note=payload.note,
        )
    return Status(201, occasion)


@router.post(
    "/rostering/occasions/{occasion_id}/cancel", response={200: OccasionOut, **ERRORS}, summary="Avboka tillfälle"
)
def cancel_occasion(request: HttpRequest, occasion_id: Id, payload: OccasionCancelIn) -> Any:
    user = actor(request)
    units = require_any_unit(user, VIEW)
    occasion = BookedOccasion.objects.filter(pk=occasion_id, order__unit_id__in=units).select_related("order").first()
    if occasion is None:
        raise Http404("Tillfället finns inte eller så saknar du behörighet.")
    with _api_field_names():
        return services.booked_occasion_cancel(actor=user, occasion=occasion, reason=payload.reason)


# --- Roster jobs ----------------------------------------------------------------------------------------


@router.get("/rostering/jobs", response={200: list[JobOut], **ERRORS}, summary="Schemaoptimeringar")
def list_jobs(request: HttpRequest, unit_id: Id) -> Any:
    user = actor(request)
    if unit_id not in require_any_unit(user, VIEW):
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    return list(selectors.roster_jobs(user, Unit(pk=unit_id))[:100])


@router.post("/rostering/jobs", response={201: JobOut, **ERRORS}, summary="Starta schemaoptimering")
def start_job(request: HttpRequest, payload: JobIn) -> Any:
    """Queue an optimiser run (2–6 weeks from today or later, 10–600 s); poll the job for its progress."""
    user = actor(request)
    unit = Unit.objects.filter(pk=payload.unit_id, pk__in=unit_ids_with(user, *VIEW)).first()
    if unit is None:
        _managed_units(user)  # no roster role at all: 403
        raise _invalid("unit_id", "Enheten finns inte.", "does_not_exist")
    with _api_field_names():
        job = services.roster_job_start(
            actor=user,
            unit=unit,
            period_start=payload.period_start,
            period_end=payload.period_end,
            weights=payload.weights,
            time_limit_seconds=payload.time_limit_seconds,
        )
    return Status(201, job)


@router.get("/rostering/jobs/{job_id}", response={200: JobOut, **ERRORS}, summary="En schemaoptimering (förlopp)")
def get_job(request: HttpRequest, job_id: Id) -> Any:
    return _job(actor(request), job_id)


@router.get(
    "/rostering/jobs/{job_id}/proposal", response={200: ProposalOut, **ERRORS}, summary="Schemaförslaget (loggas)"
)
def get_proposal(request: HttpRequest, job_id: Id) -> Any:
    user = actor(request)
    proposal = selectors.job_proposal(user, _job(user, job_id))
    _shown(user, proposal.shifts, f"schemaförslag {job_id} via API")
    return {
        "job": proposal.job,
        "shifts": proposal.shifts,
        "uncovered": proposal.uncovered,
        "statistics": proposal.statistics,
    }


@router.post("/rostering/jobs/{job_id}/stop", response={200: JobOut, **ERRORS}, summary="Stoppa optimeringen")
def stop_job(request: HttpRequest, job_id: Id) -> Any:
    user = actor(request)
    job = _job(user, job_id)
    with _api_field_names():
        return services.roster_job_stop(actor=user, job=job)


@router.post("/rostering/jobs/{job_id}/publish", response={200: PublishOut, **ERRORS}, summary="Publicera förslaget")
def publish_job(request: HttpRequest, job_id: Id, payload: VersionIn) -> Any:
    user = actor(request)
    job = _job(user, job_id)
    with _api_field_names():
        count = services.roster_job_publish(actor=user, job=job, version=payload.version)
    return {"published": count, "job": selectors.roster_job(user, job_id)}


@router.post("/rostering/jobs/{job_id}/discard", response={200: JobOut, **ERRORS}, summary="Förkasta förslaget")
def discard_job(request: HttpRequest, job_id: Id, payload: OptionalVersionIn) -> Any:
    user = actor(request)
    job = _job(user, job_id)
    with _api_field_names():
        return services.roster_job_discard(actor=user, job=job, version=payload.version)
