"""API of worked time: one's own month, confirming a shift, unplanned time, a revision, the unit's month and
the attestation, the month close, and Försäkringskassan's time reports (list with the reconciliation,
produce, attest, mark sent, correct, the ELT XML). The same services and selectors as the pages; every write
is atomic and honours Idempotency-Key (bista/api.py). A time without a zone is Swedish time.

Reads of one worked time by someone other than the person who worked it are logged as an API read of the
client; one's own time is not (as on Mitt schema).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from bista.clients.models import AccessLogEntry, Client
from bista.clients.services import access_log_record
from bista.core.api import ERRORS, Id, InputSchema, Text, actor, api_field_names, one_of
from bista.core.clock import STOCKHOLM
from bista.rostering.models import ShiftKind
from bista.staff.models import Employee
from bista.timereports import rules, selectors, services
from bista.timereports.models import Attestation, Basis, FkReport, WorkedTime, WorkedTimeRevision

router = Router()

Kind = Annotated[str, Field(json_schema_extra=one_of(ShiftKind))]
BasisValue = Annotated[str, Field(json_schema_extra=one_of(Basis))]
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])]
Minutes = Annotated[int, Field(ge=0, le=int(rules.MAX_WORKED.total_seconds() // 60))]
Reason = Annotated[Text, Field(max_length=services.REASON_MAX)]

FIELD_NAMES = {"client": "client_id", "shift": "shift_id", "revision": "revision"}


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """A time without a zone is Stockholm time (the first of two on the autumn night)."""
    if value is None:
        return None
    return value.replace(tzinfo=STOCKHOLM) if value.tzinfo is None else value


def _month(value: str, field: str = "month") -> datetime.date:
    month = rules.parse_month(value)
    if month is None:
        raise ValidationError({field: ValidationError("Ange månaden som ÅÅÅÅ-MM.", code="invalid")})
    return month


# --- Schemas ----------------------------------------------------------------------------------------


class RevisionOut(Schema):
    number: int
    kind: Kind
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    active_minutes: int
    waiting_minutes: int
    basis: BasisValue
    reason: str
    after_attestation: bool
    recorded_by_id: int | None
    recorded_at: datetime.datetime


class WorkedTimeOut(Schema):
    id: int
    unit_id: int
    employee_id: int
    client_id: int
    shift_id: int | None
    kind: Kind
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    minutes: int
    active_minutes: int
    waiting_minutes: int
    basis: BasisValue
    revision: int
    recorded_by_id: int | None
    recorded_at: datetime.datetime


class WorkedTimeDetailOut(WorkedTimeOut):
    revisions: list[RevisionOut]

    @staticmethod
    def resolve_revisions(obj: WorkedTime) -> list[WorkedTimeRevision]:
        return list(obj.revisions.order_by("number"))


class MonthRowOut(Schema):
    shift_id: int | None
    client_id: int
    state: str
    planned_starts_at: datetime.datetime | None
    planned_ends_at: datetime.datetime | None
    worked: WorkedTimeOut | None


class MyMonthOut(Schema):
    employee_id: int
    month: str
    minutes: int
    unconfirmed: int
    attested: bool
    rows: list[MonthRowOut]


class PersonSummaryOut(Schema):
    employee_id: int
    name: str
    shifts: int
    confirmed: int
    unconfirmed: int
    minutes: int
    attested_at: datetime.datetime | None
    changed_since_attestation: bool


class AttestationOut(Schema):
    id: int
    unit_id: int
    employee_id: int
    month: datetime.date
    minutes: int
    entries: int
    attested_by_id: int | None
    attested_at: datetime.datetime


class ConfirmIn(InputSchema):
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    active_minutes: Minutes = 0
    waiting_minutes: Minutes = 0
    reason: Reason = ""


class UnplannedIn(InputSchema):
    employee_id: Id | None = None
    client_id: Id
    kind: Kind = ShiftKind.ACTIVE
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    active_minutes: Minutes = 0
    waiting_minutes: Minutes = 0
    reason: Reason


class RevisionIn(InputSchema):
    revision: Id
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    active_minutes: Minutes = 0
    waiting_minutes: Minutes = 0
    reason: Reason


class AttestationIn(InputSchema):
    employee_id: Id
    month: Month


# --- One's own month ---------------------------------------------------------------------------------


def _row(row: selectors.Row) -> dict[str, Any]:
    return {
        "shift_id": row.shift.pk if row.shift else None,
        "client_id": row.client_id,
        "state": row.state,
        "planned_starts_at": row.shift.starts_at if row.shift else None,
        "planned_ends_at": row.shift.ends_at if row.shift else None,
        "worked": row.worked,
    }


@router.get("/timereports/mine", response={200: MyMonthOut, **ERRORS}, summary="Min tid en månad")
def my_month(request: HttpRequest, month: Month) -> Any:
    """The caller's own shifts of the month with their confirmed time (404 for a user who is not an employee)."""
    user = actor(request)
    parsed = _month(month)
    person = selectors.my_month(user, parsed)
    if person is None:
        raise Http404
    return {
        "employee_id": person.employee.pk,
        "month": month,
        "minutes": person.minutes,
        "unconfirmed": len(person.unconfirmed),
        "attested": services.is_attested(person.employee, parsed),
        "rows": [_row(row) for row in person.rows],
    }


@router.post(
    "/timereports/shifts/{shift_id}/confirm", response={201: WorkedTimeOut, **ERRORS}, summary="Bekräfta ett pass"
)
def confirm_shift(request: HttpRequest, shift_id: Id, payload: ConfirmIn) -> Any:
    """Without times: as planned. With other times: adjusted (a reason required)."""
    user = actor(request)
    shift = selectors.own_shift(user, shift_id)
    with api_field_names(FIELD_NAMES):
        worked = services.worked_time_confirm(
            actor=user,
            shift=shift,
            starts_at=_aware(payload.starts_at),
            ends_at=_aware(payload.ends_at),
            active_minutes=payload.active_minutes,
            waiting_minutes=payload.waiting_minutes,
            reason=payload.reason,
        )
    return Status(201, worked)


def _employee_for(user: Any, employee_id: int | None) -> Employee:
    if employee_id is None:
        own = selectors.own_employee(user)
        if own is None:
            raise ValidationError({"employee_id": ValidationError("Ange medarbetaren.", code="required")})
        return own
    own = selectors.own_employee(user)
    if own is not None and own.pk == employee_id:
        return own
    return selectors.employee_for_attest(user, employee_id)


def _client(client_id: int) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise ValidationError({"client_id": ValidationError("Brukaren finns inte.", code="not_found")})
    return client


@router.post("/timereports/worked-times", response={201: WorkedTimeOut, **ERRORS}, summary="Oplanerad tid")
def add_unplanned(request: HttpRequest, payload: UnplannedIn) -> Any:
    """Time worked without a shift: one's own (no employee_id), or by the manager for someone of the unit."""
    user = actor(request)
    employee = _employee_for(user, payload.employee_id)
    client = _client(payload.client_id)
    with api_field_names(FIELD_NAMES):
        worked = services.worked_time_add_unplanned(
            actor=user,
            employee=employee,
            client=client,
            kind=payload.kind,
            starts_at=_aware(payload.starts_at),  # type: ignore[arg-type]
            ends_at=_aware(payload.ends_at),  # type: ignore[arg-type]
            active_minutes=payload.active_minutes,
            waiting_minutes=payload.waiting_minutes,
            reason=payload.reason,
        )
    return Status(201, worked)


@router.get(
    "/timereports/worked-times/{worked_time_id}",
    response={200: WorkedTimeDetailOut, **ERRORS},
    summary="En arbetad tid med alla versioner",
)
def get_worked_time(request: HttpRequest, worked_time_id: Id) -> Any:
    user = actor(request)
    worked = selectors.worked_time_get(user, worked_time_id)
    if worked.employee.user_id != user.pk:
        access_log_record(
            actor=user,
            client=worked.client,
            action=AccessLogEntry.Action.API,
            unit=worked.unit,
            detail=f"arbetad tid {worked.pk} via API",
        )
    return worked


@router.post(
    "/timereports/worked-times/{worked_time_id}/revisions",
    response={201: WorkedTimeDetailOut, **ERRORS},
    summary="Ändra en bekräftad tid (ny version)",
)
def revise_worked_time(request: HttpRequest, worked_time_id: Id, payload: RevisionIn) -> Any:
    user = actor(request)
    worked = selectors.worked_time_get(user, worked_time_id)
    with api_field_names(FIELD_NAMES):
        revised = services.worked_time_revise(
            actor=user,
            worked_time=worked,
            revision=payload.revision,
            starts_at=_aware(payload.starts_at),  # type: ignore[arg-type]
            ends_at=_aware(payload.ends_at),  # type: ignore[arg-type]
            active_minutes=payload.active_minutes,
            waiting_minutes=payload.waiting_minutes,
            reason=payload.reason,
        )
    return Status(201, revised)


# --- The manager -------------------------------------------------------------------------------------


@router.get(
    "/timereports/units/{unit_id}/months/{month}",
    response={200: list[PersonSummaryOut], **ERRORS},
    summary="Enhetens månad per medarbetare",
)
def unit_month(request: HttpRequest, unit_id: Id, month: Month) -> Any:
    user = actor(request)
    unit = next((u for u in selectors.visible_attest_units(user) if u.pk == unit_id), None)
    if unit is None:
        raise Http404
    return [
        {
            "employee_id": p.employee.pk,
            "name": p.employee.full_name,
            "shifts": p.shifts,
            "confirmed": p.confirmed,
            "unconfirmed": p.unconfirmed,
            "minutes": p.minutes,
            "attested_at": p.attestation.attested_at if p.attestation else None,
            "changed_since_attestation": p.changed_since_attestation,
        }
        for p in selectors.unit_month(user, unit, _month(month))
    ]


@router.post("/timereports/attestations", response={201: AttestationOut, **ERRORS}, summary="Attestera en månad")
def create_attestation(request: HttpRequest, payload: AttestationIn) -> Any:
    """Refused (422 on `month`, with the list) while a shift of the month is unconfirmed."""
    user = actor(request)
    employee = selectors.employee_for_attest(user, payload.employee_id)
    attestation: Attestation = services.attestation_create(actor=user, employee=employee, month=_month(payload.month))
    return Status(201, attestation)


# --- Month close -------------------------------------------------------------------------------------


class FindingOut(Schema):
    text: str
    employee_id: int | None
    client_id: int | None


class ChecklistItemOut(Schema):
    key: str
    title: str
    blocking: bool
    findings: list[FindingOut]


class MonthCloseOut(Schema):
    unit_id: int
    month: str
    locked: bool
    items: list[ChecklistItemOut]


class ReopenIn(InputSchema):
    reason: Reason


def _attest_unit(user: Any, unit_id: int) -> Any:
    unit = next((u for u in selectors.visible_attest_units(user) if u.pk == unit_id), None)
    if unit is None:
        raise Http404
    return unit


def _close_out(user: Any, unit: Any, month: datetime.date) -> dict[str, Any]:
    checklist = selectors.month_checklist(user, unit, month)
    locked, _events = selectors.month_close_state(unit, month)
    return {"unit_id": unit.pk, "month": f"{month:%Y-%m}", "locked": locked, "items": checklist.items}


@router.get(
    "/timereports/units/{unit_id}/months/{month}/close",
    response={200: MonthCloseOut, **ERRORS},
    summary="Månadsavslutets kontrollista (loggas per brukare)",
)
def get_month_close(request: HttpRequest, unit_id: Id, month: Month) -> Any:
    user = actor(request)
    return _close_out(user, _attest_unit(user, unit_id), _month(month))


@router.post(
    "/timereports/units/{unit_id}/months/{month}/lock",
    response={200: MonthCloseOut, **ERRORS},
    summary="Stäng månaden",
)
def lock_month(request: HttpRequest, unit_id: Id, month: Month) -> Any:
    """Refused (422 on `month`, with the list) while the checklist has blocking items."""
    user = actor(request)
    unit = _attest_unit(user, unit_id)
    parsed = _month(month)
    services.month_lock(actor=user, unit=unit, month=parsed)
    return _close_out(user, unit, parsed)


@router.post(
    "/timereports/units/{unit_id}/months/{month}/reopen",
    response={200: MonthCloseOut, **ERRORS},
    summary="Öppna en stängd månad för rättelse",
)
def reopen_month(request: HttpRequest, unit_id: Id, month: Month, payload: ReopenIn) -> Any:
    user = actor(request)
    unit = _attest_unit(user, unit_id)
    parsed = _month(month)
    services.month_reopen(actor=user, unit=unit, month=parsed, reason=payload.reason)
    return _close_out(user, unit, parsed)


# --- Försäkringskassan's time reports -------------------------------------------------------------------

FkStatus = Annotated[str, Field(json_schema_extra=one_of(FkReport.Status))]


class FkRowOut(Schema):
    date: datetime.date
    from_time: str = Field(alias="from")
    to_time: str = Field(alias="to")
    active: int
    waiting: int
    on_call: int
    standby: int


class FkReportOut(Schema):
    """A report in a list: whose, which month, its totals and status (no personnummer)."""

    id: int
    unit_id: int
    client_id: int
    employee_id: int
    month: datetime.date
    status: FkStatus
    minutes: int
    active_minutes: int
    waiting_minutes: int
    on_call_minutes: int
    standby_minutes: int
    supersedes_id: int | None
    produced_at: datetime.datetime
    attested_at: datetime.datetime | None
    sent_on: datetime.date | None
    sent_by_id: int | None


class FkReportDetailOut(FkReportOut):
    """One report with its content as produced (the personnummer included: the read is logged)."""

    correction_reason: str
    content: dict[str, Any]


class ReconciliationOut(Schema):
    client_id: int
    reported_minutes: int
    confirmed_minutes: int
    scheduled_minutes: int
    granted_hours: float | None
    municipal_minutes: int
    fk_minutes: int
    differences: list[str]


class FkMonthOut(Schema):
    unit_id: int
    month: str
    reports: list[FkReportOut]
    reconciliation: list[ReconciliationOut]


class SentIn(InputSchema):
    sent_on: datetime.date


class CorrectionIn(InputSchema):
    reason: Reason


class ProviderIn(InputSchema):
    name: Annotated[Text, Field(max_length=200)]
    organisation_number: Annotated[Text, Field(max_length=11)]
    contact_name: Annotated[Text, Field(max_length=200)]
    contact_phone: Annotated[Text, Field(max_length=30)] = ""
    contact_email: Annotated[Text, Field(max_length=254)] = ""


class ProviderOut(Schema):
    unit_id: int
    name: str
    organisation_number: str
    contact_name: str
    contact_phone: str
    contact_email: str


def _fk_month_out(user: Any, unit: Any, month: datetime.date) -> dict[str, Any]:
    fk = selectors.fk_month(user, unit, month)
    return {
        "unit_id": unit.pk,
        "month": f"{month:%Y-%m}",
        "reports": fk.reports,
        "reconciliation": [
            {
                "client_id": row.client_id,
                "reported_minutes": row.reported,
                "confirmed_minutes": row.confirmed,
                "scheduled_minutes": row.scheduled,
                "granted_hours": row.granted_hours,
                "municipal_minutes": row.municipal,
                "fk_minutes": row.fk,
                "differences": row.differences,
            }
            for row in fk.reconciliation
        ],
    }


@router.get(
    "/timereports/units/{unit_id}/months/{month}/fk-reports",
    response={200: FkMonthOut, **ERRORS},
    summary="Månadens tidredovisningar till FK och avstämningen (loggas per brukare)",
)
def list_fk_reports(request: HttpRequest, unit_id: Id, month: Month) -> Any:
    user = actor(request)
    return _fk_month_out(user, _attest_unit(user, unit_id), _month(month))


@router.post(
    "/timereports/units/{unit_id}/months/{month}/fk-reports",
    response={200: FkMonthOut, **ERRORS},
    summary="Ta fram månadens tidredovisningar (utkast)",
)
def produce_fk_reports(request: HttpRequest, unit_id: Id, month: Month) -> Any:
    """Drafts from the confirmed time; attested and sent reports are left (a change is a correction)."""
    user = actor(request)
    unit = _attest_unit(user, unit_id)
    parsed = _month(month)
    services.fk_reports_produce(actor=user, unit=unit, month=parsed)
    return _fk_month_out(user, unit, parsed)


@router.put(
    "/timereports/units/{unit_id}/provider",
    response={200: ProviderOut, **ERRORS},
    summary="Anordnaruppgifterna i tidredovisningarna",
)
def set_provider(request: HttpRequest, unit_id: Id, payload: ProviderIn) -> Any:
    user = actor(request)
    unit = _attest_unit(user, unit_id)
    return services.provider_details_set(actor=user, unit=unit, **payload.dict())


@router.get(
    "/timereports/fk-reports/{report_id}",
    response={200: FkReportDetailOut, **ERRORS},
    summary="En tidredovisning med innehåll (loggas)",
)
def get_fk_report(request: HttpRequest, report_id: Id) -> Any:
    return selectors.fk_report_get(actor(request), report_id)


@router.post(
    "/timereports/fk-reports/{report_id}/attest",
    response={200: FkReportOut, **ERRORS},
    summary="Attestera en tidredovisning",
)
def attest_fk_report(request: HttpRequest, report_id: Id) -> Any:
    user = actor(request)
    return services.fk_report_attest(actor=user, report=selectors.fk_report_get(user, report_id, log=False))


@router.post(
    "/timereports/fk-reports/{report_id}/sent",
    response={200: FkReportOut, **ERRORS},
    summary="Markera en tidredovisning som skickad",
)
def send_fk_report(request: HttpRequest, report_id: Id, payload: SentIn) -> Any:
    user = actor(request)
    report = selectors.fk_report_get(user, report_id, log=False)
    return services.fk_report_mark_sent(actor=user, report=report, sent_on=payload.sent_on)


@router.post(
    "/timereports/fk-reports/{report_id}/corrections",
    response={201: FkReportOut, **ERRORS},
    summary="Rätta en tidredovisning (en ny som ersätter den)",
)
def correct_fk_report(request: HttpRequest, report_id: Id, payload: CorrectionIn) -> Any:
    user = actor(request)
    report = selectors.fk_report_get(user, report_id, log=False)
    return Status(201, services.fk_report_correct(actor=user, report=report, reason=payload.reason))


@router.get(
    "/timereports/fk-reports/{report_id}/xml",
    response={200: None, **ERRORS},
    summary="Tidredovisningen som ELT-XML (loggas)",
)
def fk_report_xml(request: HttpRequest, report_id: Id) -> HttpResponse:
    user = actor(request)
    report = selectors.fk_report_get(user, report_id, log=False)
    response = HttpResponse(
        services.fk_report_export(actor=user, report=report, format="xml"), content_type="application/xml"
    )
    response["Content-Disposition"] = f'attachment; filename="tidredovisning-{report.month:%Y-%m}-{report.pk}.xml"'
    return response
