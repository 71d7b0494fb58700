"""API for employees (medarbetare)."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bista.core.access import require_any_unit
from bista.core.api import (
    ERRORS,
    GenderCode,
    Id,
    InputSchema,
    Pagination,
    PatchSchema,
    SearchText,
    Text,
    actor,
    existing,
    existing_teams,
    one_of,
)
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.staff import selectors, services
from bista.staff.models import Employee, EmploymentType

router = Router()

EmploymentTypeCode = Annotated[str, Field(json_schema_extra=one_of(EmploymentType))]


class EmployeeOut(Schema):
    id: int
    personnummer: str | None
    first_name: str
    last_name: str
    gender: GenderCode
    email: str
    phone: str
    unit_id: int
    team_ids: list[int]
    employment_type: EmploymentTypeCode
    employment_rate: Decimal
    start_date: datetime.date
    end_date: datetime.date | None
    fictitious: bool
    version: int

    @staticmethod
    def resolve_personnummer(obj: Employee) -> str | None:
        return obj.personnummer_formatted if obj.personnummer else None

    @staticmethod
    def resolve_team_ids(obj: Employee) -> list[int]:
        return sorted(team.pk for team in obj.teams.all())


class EmployeeFilter(Schema):
    q: SearchText = ""
    unit_id: Id | None = None
    team_id: Id | None = None
    current_only: bool = False


class EmployeeIn(InputSchema):
    unit_id: Id
    first_name: Text
    last_name: Text
    employment_type: EmploymentTypeCode
    start_date: datetime.date
    end_date: datetime.date | None = None
    employment_rate: Decimal = Decimal("100")
    personnummer: Text = ""
    gender: GenderCode = "O"
    email: Text = ""
    phone: Text = ""
    team_ids: list[Id] = []
    fictitious: bool = False


class EmployeePatch(PatchSchema):
    nullable = frozenset({"end_date"})

    version: int
    first_name: Text | None = None
    last_name: Text | None = None
    gender: GenderCode | None = None
    email: Text | None = None
    phone: Text | None = None
    employment_type: EmploymentTypeCode | None = None
    employment_rate: Decimal | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    team_ids: list[Id] | None = None


def _check_filter(user: Any, filters: EmployeeFilter) -> None:
    """Filtering on a unit or team the user cannot see is refused rather than answered with nothing."""
    unit_ids = require_any_unit(user, [Perm.EMPLOYEE_VIEW])
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    if filters.team_id is not None and not Team.objects.filter(pk=filters.team_id, unit_id__in=unit_ids).exists():
        raise Http404("Arbetsgruppen finns inte eller så saknar du behörighet.")


@router.get("/employees", response={200: list[EmployeeOut], **ERRORS}, summary="Sök medarbetare")
@paginate(Pagination)
def list_employees(request: HttpRequest, filters: Query[EmployeeFilter]) -> Any:
    user = actor(request)
    _check_filter(user, filters)
    return selectors.employee_search(
        user, filters.q, unit_id=filters.unit_id, team_id=filters.team_id, current_only=filters.current_only
    ).prefetch_related("teams")


@router.post("/employees", response={201: EmployeeOut, **ERRORS}, summary="Registrera medarbetare")
def create_employee(request: HttpRequest, payload: EmployeeIn) -> Any:
    unit = existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte.")
    teams = existing_teams(payload.team_ids)
    details = payload.model_dump(exclude={"unit_id", "team_ids"})
    employee = services.employee_create(actor=actor(request), unit=unit, teams=teams, **details)
    return Status(201, employee)


@router.get("/employees/{employee_id}", response={200: EmployeeOut, **ERRORS}, summary="En medarbetare")
def get_employee(request: HttpRequest, employee_id: Id) -> Any:
    return selectors.employee_get(actor(request), employee_id)


@router.patch("/employees/{employee_id}", response={200: EmployeeOut, **ERRORS}, summary="Ändra medarbetare")
def update_employee(request: HttpRequest, employee_id: Id, payload: EmployeePatch) -> Any:
    user = actor(request)
    employee = selectors.employee_get(user, employee_id)
    teams = existing_teams(payload.team_ids) if payload.team_ids is not None else None
    return services.employee_update(
        actor=user,
        employee=employee,
        expected_version=payload.version,
        teams=teams,
        **payload.changes(exclude={"version", "team_ids"}),
    )
