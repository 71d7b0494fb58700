"""API for the organisation (units and teams), and the building blocks every context's API shares.

Endpoints parse input, look up what the actor may see, call the services and shape the output; the
permission rules live in bista.core.access, the writes in bista.core.services.
"""

import contextlib
import datetime
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationInfo, WithJsonSchema, field_validator

from bista.core import idempotency, services
from bista.core.access import require_any_unit, unit_ids_with
from bista.core.models import Department, Team, Unit
from bista.core.people import Gender
from bista.core.permissions import Perm
from bista.core.validation import DateRange, Plausible, check_text, check_value

# --- Shared building blocks -------------------------------------------------------------------------

MAX_PAGE_SIZE = 200
MAX_OFFSET = 1_000_000


def _clean_text(value: str) -> str:
    """Refuse text no database can store (NUL, lone surrogates): a clear 422 instead of a server error."""
    if "\x00" in value:
        raise ValueError("Texten innehåller otillåtna tecken.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("Texten innehåller otillåtna tecken.") from error
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
SearchText = Annotated[str, Field(max_length=200), AfterValidator(_clean_text)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
# A clock time of day in Swedish local time (a need's start, an end), without a zone. Documented as a pattern:
# OpenAPI's "time" format is RFC 3339's full-time, which demands an offset (a zone would be silently lost).
ClockTime = Annotated[
    datetime.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "Klockslag i svensk tid utan tidszon, TT:MM eller TT:MM:SS.",
            "examples": ["07:00"],
        }
    ),
]


def one_of(choices: type[models.Choices]) -> dict[str, Any]:
    """The allowed values for the OpenAPI document; the model's own validation checks them (in Swedish)."""
    return {"enum": list(choices.values)}


GenderCode = Annotated[str, Field(json_schema_extra=one_of(Gender))]
UnitKind = Annotated[str, Field(json_schema_extra=one_of(Unit.Kind))]
TeamKind = Annotated[str, Field(json_schema_extra=one_of(Team.Kind))]


def _field_range(model: type[BaseModel], name: str) -> DateRange | None:
    metadata = model.model_fields[name].metadata
    return next((item.range for item in metadata if isinstance(item, Plausible)), None)


def _check_parsed(value: Any, field: str, date_range: DateRange | None = None) -> None:
    """Walk a parsed request value (schemas, lists, dicts, scalars) and apply the shared plausibility checks
    (bista.core.validation) to every date, moment, clock time and text, naming the innermost field."""
    if isinstance(value, BaseModel):
        model = type(value)
        for name in model.model_fields:
            _check_parsed(getattr(value, name), name, _field_range(model, name))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_parsed(item, field, date_range)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(key, field)
            _check_parsed(item, field, date_range)
    else:
        check_value(value, field, date_range)


def checked_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Applied to every API view once its input is parsed and its user authenticated (bista.api): a retried
    write with a known idempotency key gets its first answer back; any implausible date, moment, clock time
    or text in the path, query or body is refused (422 naming the field) before the view can store it or
    trip over it."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **values: Any) -> Any:
        replay = idempotency.replay_or_continue(request, getattr(request, "auth", None))
        if replay is not None:
            return replay
        for name, value in values.items():
            _check_parsed(value, name)
        return view(request, *args, **values)

    return wrapper


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorBody(Schema):
    code: str = Field(..., examples=["validation"])
    message: str
    fields: dict[str, list[ErrorDetail]] = Field(default_factory=dict)
    current_version: int | None = None


class ErrorOut(Schema):
    """Every 4xx answer: a machine-readable code, a Swedish message and, for bad input, the fields."""

    error: ErrorBody


ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


class InputSchema(Schema):
    """Request bodies: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PatchSchema(InputSchema):
    """A partial update: only the fields sent change; null is refused except for `nullable` fields."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _not_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("Fältet får inte vara tomt.")
        return value

    def changes(self, *, exclude: set[str] | None = None) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude=exclude)


class Pagination(LimitOffsetPagination):
    class Input(LimitOffsetPagination.Input):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


@contextlib.contextmanager
def api_field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Re-raise a service's ValidationError with the fields named as in the request body (`names`: the model's
    field name → the body's, e.g. "client" → "client_id"); anything else passes through unchanged."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({names.get(field, field): items for field, items in error.error_dict.items()}) from error


def actor(request: HttpRequest) -> Any:
    """The authenticated user of an API request (a session user, or a token's user limited to its scopes)."""
    return request.auth  # type: ignore[attr-defined]


def existing(model: type[Any], pk: int, field: str, message: str) -> Any:
    """The object a request body refers to, or a validation error naming the field."""
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: ValidationError(message, code="does_not_exist")})
    return obj


def existing_teams(team_ids: list[int], field: str = "team_ids") -> list[Team]:
    teams = list(Team.objects.filter(pk__in=set(team_ids)))
    if len(teams) != len(set(team_ids)):
        raise ValidationError({field: ValidationError("Arbetsgruppen finns inte.", code="does_not_exist")})
    return teams


# --- Organisation -----------------------------------------------------------------------------------

router = Router()


class UnitOut(Schema):
    id: int
    name: str
    kind: UnitKind
    is_active: bool
    department_id: int
    district_id: int

    @staticmethod
    def resolve_district_id(obj: Unit) -> int:
        return obj.department.district_id


class UnitIn(InputSchema):
    department_id: Id
    name: Text
    kind: UnitKind


class UnitPatch(PatchSchema):
    name: Text | None = None
    is_active: bool | None = None


class TeamOut(Schema):
    id: int
    unit_id: int
    name: str
    kind: TeamKind
    is_active: bool


class TeamIn(InputSchema):
    unit_id: Id
    name: Text
    kind: TeamKind = Team.Kind.OTHER


class TeamPatch(PatchSchema):
    name: Text | None = None
    kind: TeamKind | None = None
    is_active: bool | None = None


def _visible_unit(user: Any, unit_id: int) -> Unit:
    if unit_id not in unit_ids_with(user, Perm.ORG_VIEW):
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    return Unit.objects.select_related("department").get(pk=unit_id)


def _visible_team(user: Any, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id, unit_id__in=unit_ids_with(user, Perm.ORG_VIEW)).first()
    if team is None:
        raise Http404("Arbetsgruppen finns inte eller så saknar du behörighet.")
    return team


@router.get("/units", response={200: list[UnitOut], **ERRORS}, summary="Enheter du kan se")
def list_units(request: HttpRequest) -> Any:
    unit_ids = require_any_unit(actor(request), [Perm.ORG_VIEW])
    return Unit.objects.filter(pk__in=unit_ids).select_related("department")


@router.post("/units", response={201: UnitOut, **ERRORS}, summary="Skapa enhet")
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    department = existing(Department, payload.department_id, "department_id", "Avdelningen finns inte.")
    unit = services.unit_create(actor=actor(request), department=department, name=payload.name, kind=payload.kind)
    return Status(201, unit)


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="En enhet")
def get_unit(request: HttpRequest, unit_id: Id) -> Any:
    return _visible_unit(actor(request), unit_id)


@router.patch("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="Ändra enhet")
def update_unit(request: HttpRequest, unit_id: Id, payload: UnitPatch) -> Any:
    user = actor(request)
    unit = services.unit_update(actor=user, unit=_visible_unit(user, unit_id), **payload.changes())
    return Unit.objects.select_related("department").get(pk=unit.pk)


@router.get("/teams", response={200: list[TeamOut], **ERRORS}, summary="Arbetsgrupper du kan se")
def list_teams(request: HttpRequest, unit_id: Id | None = None, include_inactive: bool = False) -> Any:
    unit_ids = require_any_unit(actor(request), [Perm.ORG_VIEW])
    if unit_id is not None:
        if unit_id not in unit_ids:
            raise Http404("Enheten finns inte eller så saknar du behörighet.")
        unit_ids = {unit_id}
    teams = Team.objects.filter(unit_id__in=unit_ids)
    return teams if include_inactive else teams.filter(is_active=True)


@router.post("/teams", response={201: TeamOut, **ERRORS}, summary="Skapa arbetsgrupp")
def create_team(request: HttpRequest, payload: TeamIn) -> Any:
    unit = existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte.")
    team = services.team_create(actor=actor(request), unit=unit, name=payload.name, kind=payload.kind)
    return Status(201, team)


@router.get("/teams/{team_id}", response={200: TeamOut, **ERRORS}, summary="En arbetsgrupp")
def get_team(request: HttpRequest, team_id: Id) -> Any:
    return _visible_team(actor(request), team_id)


@router.patch("/teams/{team_id}", response={200: TeamOut, **ERRORS}, summary="Ändra arbetsgrupp")
def update_team(request: HttpRequest, team_id: Id, payload: TeamPatch) -> Any:
    user = actor(request)
    return services.team_update(actor=user, team=_visible_team(user, team_id), **payload.changes())
