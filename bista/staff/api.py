"""API for employees (medarbetare), their details (terms, competences, delegations, introductions,
appraisals), absences, and a client's staffing (chosen and excluded staff, competence needs)."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bista.clients import selectors as client_selectors
from bista.clients.models import Client
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
    api_field_names,
    existing,
    existing_teams,
    one_of,
)
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.staff import selectors, services
from bista.staff.models import (
    Absence,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Competence,
    Delegation,
    DelegationKind,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    EmploymentType,
    WorkingTimeRegime,
)

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


# --- The employee's details ---------------------------------------------------------------------------------

AbsenceKind = Annotated[str, Field(json_schema_extra=one_of(Absence.Kind))]
ChoiceKind = Annotated[str, Field(json_schema_extra=one_of(ClientStaffChoice.Kind))]
Percent = Annotated[Decimal, Field(max_digits=5, decimal_places=2)]

# Service error keys as the API calls the fields.
FIELD_NAMES = {
    "client": "client_id",
    "employee": "employee_id",
    "regime": "regime_id",
    "competence": "competence_id",
    "kind": "kind_id",
    "delegation_kind": "delegation_kind_id",
}


# An absence's or a staff choice's "kind" is a value (sick, chosen …), not a reference.
KIND_VALUE_NAMES = {name: api for name, api in FIELD_NAMES.items() if name != "kind"}


def _visible_client(user: Any, client_id: int | None, field: str = "client_id") -> Client | None:
    """The client a request body names, among those the user sees (otherwise the field is invalid)."""
    if client_id is None:
        return None
    client = client_selectors.visible_clients(user).filter(pk=client_id).first()
    if client is None:
        raise ValidationError({field: ValidationError("Brukaren finns inte.", code="does_not_exist")})
    return client  # type: ignore[no-any-return]


class TermOut(Schema):
    id: int
    employee_id: int
    employment_type: EmploymentTypeCode
    employment_rate: Decimal
    regime_id: int
    regime_code: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    note: str

    @staticmethod
    def resolve_regime_code(obj: EmploymentTerm) -> str:
        return obj.regime.code


class TermIn(InputSchema):
    employment_type: EmploymentTypeCode
    employment_rate: Percent
    regime_id: Id
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    note: Text = ""


class CompetenceOut(Schema):
    id: int
    employee_id: int
    competence_id: int
    competence_code: str
    evidence: str
    acquired_on: datetime.date
    revoked_on: datetime.date | None

    @staticmethod
    def resolve_competence_code(obj: EmployeeCompetence) -> str:
        return obj.competence.code


class CompetenceIn(InputSchema):
    competence_id: Id
    evidence: Text
    acquired_on: datetime.date


class RevokeIn(InputSchema):
    revoked_on: datetime.date


class DelegationOut(Schema):
    id: int
    employee_id: int
    kind_id: int
    kind_code: str
    client_id: int | None
    delegated_by: str
    valid_from: datetime.date
    valid_until: datetime.date
    revoked_on: datetime.date | None

    @staticmethod
    def resolve_kind_code(obj: Delegation) -> str:
        return obj.kind.code


class DelegationIn(InputSchema):
    kind_id: Id
    client_id: Id | None = None
    delegated_by: Text
    valid_from: datetime.date
    valid_until: datetime.date


class IntroductionOut(Schema):
    id: int
    employee_id: int
    client_id: int
    completed_on: datetime.date
    introduced_by: str


class IntroductionIn(InputSchema):
    client_id: Id
    completed_on: datetime.date
    introduced_by: Text = ""


class AppraisalOut(Schema):
    id: int
    employee_id: int
    held_on: datetime.date
    held_by_id: int | None
    development_plan: str | None = Field(description="Only for managers of the unit and the employee; else null.")


class AppraisalIn(InputSchema):
    held_on: datetime.date
    development_plan: Text


class ReferenceOut(Schema):
    id: int
    code: str
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None


def _employee(request: HttpRequest, employee_id: int) -> tuple[Any, Employee]:
    """The employee of a read: 404 unless the user sees them."""
    user = actor(request)
    return user, selectors.employee_get(user, employee_id)


def _managed(request: HttpRequest, employee_id: int) -> tuple[Any, Employee]:
    """The employee of a write: 404 unless the user sees them, 403 unless the user may change their details
    (checked before the body's references are looked up)."""
    user = actor(request)
    return user, selectors.managed_employee(user, employee_id)


@router.get("/employees/{employee_id}/terms", response={200: list[TermOut], **ERRORS}, summary="Anställningsvillkor")
def list_terms(request: HttpRequest, employee_id: Id) -> Any:
    user, employee = _employee(request, employee_id)
    return selectors.employee_terms(user, employee)


@router.post(
    "/employees/{employee_id}/terms",
    response={201: TermOut, **ERRORS},
    summary="Nya anställningsvillkor från ett datum",
)
def add_term(request: HttpRequest, employee_id: Id, payload: TermIn) -> Any:
    user, employee = _managed(request, employee_id)
    regime = existing(WorkingTimeRegime, payload.regime_id, "regime_id", "Arbetstidsregimen finns inte.")
    with api_field_names(FIELD_NAMES):
        term = services.employment_term_add(
            actor=user, employee=employee, regime=regime, **payload.model_dump(exclude={"regime_id"})
        )
    return Status(201, term)


@router.get(
    "/employees/{employee_id}/competences", response={200: list[CompetenceOut], **ERRORS}, summary="Kompetenser"
)
def list_competences(request: HttpRequest, employee_id: Id) -> Any:
    user, employee = _employee(request, employee_id)
    return selectors.employee_competences(user, employee)


@router.post(
    "/employees/{employee_id}/competences", response={201: CompetenceOut, **ERRORS}, summary="Registrera kompetens"
)
def add_competence(request: HttpRequest, employee_id: Id, payload: CompetenceIn) -> Any:
    user, employee = _managed(request, employee_id)
    competence = existing(Competence, payload.competence_id, "competence_id", "Kompetensen finns inte.")
    with api_field_names(FIELD_NAMES):
        held = services.competence_add(
            actor=user,
            employee=employee,
            competence=competence,
            evidence=payload.evidence,
            acquired_on=payload.acquired_on,
        )
    return Status(201, held)


@router.post(
    "/employees/{employee_id}/competences/{competence_id}/revoke",
    response={200: CompetenceOut, **ERRORS},
    summary="Återkalla kompetens",
)
def revoke_competence(request: HttpRequest, employee_id: Id, competence_id: Id, payload: RevokeIn) -> Any:
    user, employee = _managed(request, employee_id)
    held = get_object_or_404(
        EmployeeCompetence.objects.select_related("competence"), pk=competence_id, employee=employee
    )
    return services.competence_revoke(actor=user, competence=held, revoked_on=payload.revoked_on)


@router.get(
    "/employees/{employee_id}/delegations", response={200: list[DelegationOut], **ERRORS}, summary="Delegeringar"
)
def list_delegations(request: HttpRequest, employee_id: Id) -> Any:
    user, employee = _employee(request, employee_id)
    return selectors.employee_delegations(user, employee)


@router.post(
    "/employees/{employee_id}/delegations",
    response={201: DelegationOut, **ERRORS},
    summary="Registrera delegering (högst ett år)",
)
def add_delegation(request: HttpRequest, employee_id: Id, payload: DelegationIn) -> Any:
    user, employee = _managed(request, employee_id)
    kind = existing(DelegationKind, payload.kind_id, "kind_id", "Delegeringstypen finns inte.")
    client = _visible_client(user, payload.client_id)
    with api_field_names(FIELD_NAMES):
        delegation = services.delegation_add(
            actor=user,
            employee=employee,
            kind=kind,
            client=client,
            delegated_by=payload.delegated_by,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
        )
    return Status(201, delegation)


@router.post(
    "/employees/{employee_id}/delegations/{delegation_id}/revoke",
    response={200: DelegationOut, **ERRORS},
    summary="Återkalla delegering",
)
def revoke_delegation(request: HttpRequest, employee_id: Id, delegation_id: Id, payload: RevokeIn) -> Any:
    user, employee = _managed(request, employee_id)
    delegation = get_object_or_404(Delegation.objects.select_related("kind"), pk=delegation_id, employee=employee)
    return services.delegation_revoke(actor=user, delegation=delegation, revoked_on=payload.revoked_on)


@router.get(
    "/employees/{employee_id}/introductions",
    response={200: list[IntroductionOut], **ERRORS},
    summary="Introduktioner hos brukare",
)
def list_introductions(request: HttpRequest, employee_id: Id) -> Any:
    user, employee = _employee(request, employee_id)
    return selectors.employee_introductions(user, employee)


@router.post(
    "/employees/{employee_id}/introductions",
    response={201: IntroductionOut, **ERRORS},
    summary="Registrera introduktion",
)
def add_introduction(request: HttpRequest, employee_id: Id, payload: IntroductionIn) -> Any:
    user, employee = _managed(request, employee_id)
    client = _visible_client(user, payload.client_id)
    assert client is not None
    with api_field_names(FIELD_NAMES):
        introduction = services.introduction_record(
            actor=user,
            employee=employee,
            client=client,
            completed_on=payload.completed_on,
            introduced_by=payload.introduced_by,
        )
    return Status(201, introduction)


@router.get(
    "/employees/{employee_id}/appraisals", response={200: list[AppraisalOut], **ERRORS}, summary="Medarbetarsamtal"
)
def list_appraisals(request: HttpRequest, employee_id: Id) -> Any:
    user, employee = _employee(request, employee_id)
    show_plans = selectors.can_see_plans(user, employee)
    return [
        AppraisalOut(
            id=a.pk,
            employee_id=a.employee_id,
            held_on=a.held_on,
            held_by_id=a.held_by_id,
            development_plan=a.development_plan if show_plans else None,
        )
        for a in selectors.employee_appraisals(user, employee)
    ]


@router.post(
    "/employees/{employee_id}/appraisals", response={201: AppraisalOut, **ERRORS}, summary="Registrera medarbetarsamtal"
)
def add_appraisal(request: HttpRequest, employee_id: Id, payload: AppraisalIn) -> Any:
    user, employee = _managed(request, employee_id)
    appraisal = services.appraisal_record(
        actor=user, employee=employee, held_on=payload.held_on, development_plan=payload.development_plan
    )
    return Status(201, appraisal)


@router.get("/working-time-regimes", response={200: list[ReferenceOut], **ERRORS}, summary="Arbetstidsregimer")
def list_regimes(request: HttpRequest) -> Any:
    return WorkingTimeRegime.objects.order_by("code", "valid_from")


@router.get("/competences", response={200: list[ReferenceOut], **ERRORS}, summary="Kompetenser (referensdata)")
def list_competence_kinds(request: HttpRequest) -> Any:
    return Competence.objects.order_by("code")


@router.get("/delegation-kinds", response={200: list[ReferenceOut], **ERRORS}, summary="Delegeringstyper")
def list_delegation_kinds(request: HttpRequest) -> Any:
    return DelegationKind.objects.order_by("code")


# --- Absences -----------------------------------------------------------------------------------------------


class AbsenceOut(Schema):
    id: int
    employee_id: int
    kind: AbsenceKind
    starts_on: datetime.date
    ends_on: datetime.date | None
    extent: Decimal
    note: str
    cancelled_at: datetime.datetime | None
    version: int


class AbsenceFilter(Schema):
    unit_id: Id | None = None
    team_id: Id | None = None
    employee_id: Id | None = None
    kind: AbsenceKind = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    include_cancelled: bool = False


class AbsenceIn(InputSchema):
    employee_id: Id
    kind: AbsenceKind
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    extent: Percent = Decimal("100")
    note: Text = ""


class AbsencePatch(PatchSchema):
    nullable = frozenset({"ends_on"})

    version: int
    kind: AbsenceKind | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    extent: Percent | None = None
    note: Text | None = None


class AbsenceEndIn(InputSchema):
    ends_on: datetime.date
    version: int | None = Field(None, description="The version the decision was made on (409 if stale).")


class AbsenceCancelIn(InputSchema):
    version: int | None = Field(None, description="The version the decision was made on (409 if stale).")


def visible_or_invalid(user: Any, employee_id: int) -> Employee:
    """The employee a request body names, among those the user sees (otherwise the field is invalid)."""
    employee = selectors.visible_employees(user).filter(pk=employee_id).first()
    if employee is None:
        raise ValidationError({"employee_id": ValidationError("Medarbetaren finns inte.", code="does_not_exist")})
    return employee


def _check_absence_filter(user: Any, filters: AbsenceFilter) -> None:
    """A unit or team filter outside the units where the user manages absences is refused (404)."""
    unit_ids = selectors.absence_unit_ids(user)
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    if filters.team_id is not None and not Team.objects.filter(pk=filters.team_id, unit_id__in=unit_ids).exists():
        raise Http404("Arbetsgruppen finns inte eller så saknar du behörighet.")
    if filters.kind and filters.kind not in Absence.Kind.values:
        raise ValidationError({"kind": ValidationError("Välj en typ av frånvaro.", code="invalid_choice")})


@router.get(
    "/absences",
    response={200: list[AbsenceOut], **ERRORS},
    summary="Frånvaro (de enheter där du hanterar frånvaro, och din egen)",
)
@paginate(Pagination)
def list_absences(request: HttpRequest, filters: Query[AbsenceFilter]) -> Any:
    user = actor(request)
    _check_absence_filter(user, filters)
    return selectors.absence_search(user, **filters.model_dump())


@router.post("/absences", response={201: AbsenceOut, **ERRORS}, summary="Registrera frånvaro")
def create_absence(request: HttpRequest, payload: AbsenceIn) -> Any:
    user = actor(request)
    employee = visible_or_invalid(user, payload.employee_id)
    with api_field_names(KIND_VALUE_NAMES):
        absence = services.absence_create(actor=user, employee=employee, **payload.model_dump(exclude={"employee_id"}))
    return Status(201, absence)


@router.get("/absences/{absence_id}", response={200: AbsenceOut, **ERRORS}, summary="En frånvaro")
def get_absence(request: HttpRequest, absence_id: Id) -> Any:
    return selectors.absence_get(actor(request), absence_id)


@router.patch("/absences/{absence_id}", response={200: AbsenceOut, **ERRORS}, summary="Ändra frånvaro")
def update_absence(request: HttpRequest, absence_id: Id, payload: AbsencePatch) -> Any:
    user = actor(request)
    absence = selectors.absence_get(user, absence_id)
    with api_field_names(KIND_VALUE_NAMES):
        return services.absence_update(
            actor=user, absence=absence, version=payload.version, **payload.changes(exclude={"version"})
        )


@router.post("/absences/{absence_id}/end", response={200: AbsenceOut, **ERRORS}, summary="Avsluta pågående frånvaro")
def end_absence(request: HttpRequest, absence_id: Id, payload: AbsenceEndIn) -> Any:
    user = actor(request)
    absence = selectors.absence_get(user, absence_id)
    return services.absence_end(actor=user, absence=absence, ends_on=payload.ends_on, version=payload.version)


@router.post("/absences/{absence_id}/cancel", response={200: AbsenceOut, **ERRORS}, summary="Makulera frånvaro")
def cancel_absence(request: HttpRequest, absence_id: Id, payload: AbsenceCancelIn) -> Any:
    user = actor(request)
    absence = selectors.absence_get(user, absence_id)
    return services.absence_cancel(actor=user, absence=absence, version=payload.version)


# --- A client's staffing ------------------------------------------------------------------------------------


class StaffChoiceOut(Schema):
    id: int
    client_id: int
    employee_id: int
    kind: ChoiceKind
    since: datetime.date
    until: datetime.date | None
    note: str


class CompetenceNeedOut(Schema):
    id: int
    client_id: int
    competence_id: int | None
    delegation_kind_id: int | None
    since: datetime.date
    until: datetime.date | None


class StaffingOut(Schema):
    client_id: int
    preferred_staff_gender: str
    choices: list[StaffChoiceOut]
    competence_needs: list[CompetenceNeedOut]
    introduced_employee_ids: list[int]


class StaffChoiceIn(InputSchema):
    employee_id: Id
    kind: ChoiceKind
    since: datetime.date
    until: datetime.date | None = None
    note: Text = ""


class CompetenceNeedIn(InputSchema):
    competence_id: Id | None = None
    delegation_kind_id: Id | None = None
    since: datetime.date
    until: datetime.date | None = None


class EndIn(InputSchema):
    until: datetime.date


@router.get(
    "/clients/{client_id}/staffing",
    response={200: StaffingOut, **ERRORS},
    summary="Brukarens val av personal, kompetenskrav och introducerad personal",
)
def get_staffing(request: HttpRequest, client_id: Id) -> Any:
    staffing = selectors.client_staffing(actor(request), client_id, action="api")
    return {
        "client_id": staffing.client.pk,
        "preferred_staff_gender": staffing.client.preferred_staff_gender,
        "choices": [*staffing.chosen, *staffing.excluded, *staffing.ended_choices],
        "competence_needs": [*staffing.needs, *staffing.ended_needs],
        "introduced_employee_ids": sorted(staffing.introduced_ids),
    }


def _staffing_client(request: HttpRequest, client_id: int, detail: str) -> tuple[Any, Any]:
    user = actor(request)
    return user, selectors.staffing_client(user, client_id, to_manage=True, detail=detail, action="api")


@router.post(
    "/clients/{client_id}/staff-choices", response={201: StaffChoiceOut, **ERRORS}, summary="Registrera val av personal"
)
def add_staff_choice(request: HttpRequest, client_id: Id, payload: StaffChoiceIn) -> Any:
    user, client = _staffing_client(request, client_id, "val av personal via API")
    employee = visible_or_invalid(user, payload.employee_id)
    with api_field_names(KIND_VALUE_NAMES):
        choice = services.client_staff_choice_add(
            actor=user, client=client, employee=employee, **payload.model_dump(exclude={"employee_id"})
        )
    return Status(201, choice)


@router.post(
    "/clients/{client_id}/staff-choices/{choice_id}/end",
    response={200: StaffChoiceOut, **ERRORS},
    summary="Avsluta val av personal",
)
def end_staff_choice(request: HttpRequest, client_id: Id, choice_id: Id, payload: EndIn) -> Any:
    user, client = _staffing_client(request, client_id, "avsluta val av personal via API")
    choice = get_object_or_404(ClientStaffChoice, pk=choice_id, client=client)
    return services.client_staff_choice_end(actor=user, choice=choice, until=payload.until)


@router.post(
    "/clients/{client_id}/competence-needs",
    response={201: CompetenceNeedOut, **ERRORS},
    summary="Registrera kompetenskrav",
)
def add_competence_need(request: HttpRequest, client_id: Id, payload: CompetenceNeedIn) -> Any:
    user, client = _staffing_client(request, client_id, "kompetenskrav via API")
    competence = (
        existing(Competence, payload.competence_id, "competence_id", "Kompetensen finns inte.")
        if payload.competence_id
        else None
    )
    kind = (
        existing(DelegationKind, payload.delegation_kind_id, "delegation_kind_id", "Delegeringstypen finns inte.")
        if payload.delegation_kind_id
        else None
    )
    with api_field_names(FIELD_NAMES):
        need = services.client_competence_need_add(
            actor=user,
            client=client,
            competence=competence,
            delegation_kind=kind,
            since=payload.since,
            until=payload.until,
        )
    return Status(201, need)


@router.post(
    "/clients/{client_id}/competence-needs/{need_id}/end",
    response={200: CompetenceNeedOut, **ERRORS},
    summary="Avsluta kompetenskrav",
)
def end_competence_need(request: HttpRequest, client_id: Id, need_id: Id, payload: EndIn) -> Any:
    user, client = _staffing_client(request, client_id, "avsluta kompetenskrav via API")
    need = get_object_or_404(ClientCompetenceNeed, pk=need_id, client=client)
    return services.client_competence_need_end(actor=user, need=need, until=payload.until)
