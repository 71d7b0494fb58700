"""API of the economy (economy.manage in the unit; another unit is a 404): the year's budget and outcome,
a month's budget, the invoice bases (list, one with its lines — the clients named are logged — and producing
or correcting one), the payroll basis (quantities as JSON; the PAXml/CSV export is a logged write). Bad input
is a 422 on the field (ADR 0008), nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from bista.core.api import ERRORS, Id, InputSchema, Text, actor, one_of
from bista.core.models import Unit
from bista.economy import selectors, services
from bista.economy.models import Band, Invoice, PayrollExport
from bista.timereports import rules as time_rules

router = Router()

Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])]
Year = Annotated[int, Field(ge=2000, le=2100)]
Amount = Annotated[Decimal, Field(examples=["4900000.00"])]
Reason = Annotated[Text, Field(max_length=300)]
Format = Annotated[str, Field(json_schema_extra=one_of(PayrollExport.Format))]


def _month(value: str, field: str = "month") -> datetime.date:
    month = time_rules.parse_month(value)
    if month is None:
        raise ValidationError({field: ValidationError("Ange månaden som ÅÅÅÅ-MM.", code="invalid")})
    return month


def _unit(user: Any, unit_id: int) -> Unit:
    unit = next((u for u in selectors.economy_units(user) if u.pk == unit_id), None)
    if unit is None:
        raise Http404
    return unit


# --- Budget and outcome ---------------------------------------------------------------------------------


class MonthOut(Schema):
    month: str
    budget: Decimal | None
    revenue: Decimal | None
    cost: Decimal | None
    outcome: Decimal | None
    deviation: Decimal | None


class DriverOut(Schema):
    label: str
    amount: Decimal
    note: str


class YearOut(Schema):
    unit_id: int
    year: int
    months: list[MonthOut]
    budget_year: Decimal | None
    outcome_so_far: Decimal
    deviation_so_far: Decimal | None
    forecast: Decimal
    drivers: list[DriverOut]


class BudgetIn(InputSchema):
    revenue: Amount
    cost: Amount


class BudgetOut(Schema):
    unit_id: int
    month: str
    revenue: Decimal
    cost: Decimal


@router.get("/economy/units/{unit_id}/years/{year}", response={200: YearOut, **ERRORS}, summary="Budget och utfall")
def get_year(request: HttpRequest, unit_id: Id, year: Year) -> Any:
    user = actor(request)
    data = selectors.year_overview(user, _unit(user, unit_id), year)
    return {
        "unit_id": unit_id,
        "year": year,
        "months": [{**row, "month": f"{row['month']:%Y-%m}"} for row in data.rows()],
        "budget_year": data.budget_year,
        "outcome_so_far": data.outcome,
        "deviation_so_far": data.deviation,
        "forecast": data.forecast,
        "drivers": data.drivers,
    }


@router.put("/economy/units/{unit_id}/budgets/{month}", response={200: BudgetOut, **ERRORS}, summary="Månadens budget")
def put_budget(request: HttpRequest, unit_id: Id, month: Month, payload: BudgetIn) -> Any:
    """Refused (422) for a negative or absurd amount and for a closed unit."""
    user = actor(request)
    budget = services.budget_save(
        actor=user, unit=_unit(user, unit_id), month=_month(month), revenue=payload.revenue, cost=payload.cost
    )
    return {"unit_id": unit_id, "month": f"{budget.month:%Y-%m}", "revenue": budget.revenue, "cost": budget.cost}


# --- Invoices ---------------------------------------------------------------------------------------------


class InvoiceOut(Schema):
    id: int
    number: str
    month: str
    kind: str
    credits_id: int | None
    total: Decimal
    reason: str
    created_at: datetime.datetime


class InvoiceLineOut(Schema):
    client_id: int
    client: str
    service_code: str
    band: Annotated[str, Field(json_schema_extra=one_of(Band))]
    hours: Decimal
    rate: Decimal
    amount: Decimal


class InvoiceDetailOut(InvoiceOut):
    lines: list[InvoiceLineOut]


class InvoiceIn(InputSchema):
    month: Month
    reason: Reason = ""


def _invoice_out(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "month": f"{invoice.month:%Y-%m}",
        "kind": invoice.kind,
        "credits_id": invoice.credits_id,
        "total": invoice.total,
        "reason": invoice.reason,
        "created_at": invoice.created_at,
    }


@router.get(
    "/economy/units/{unit_id}/invoices", response={200: list[InvoiceOut], **ERRORS}, summary="Årets fakturaunderlag"
)
def list_invoices(request: HttpRequest, unit_id: Id, year: Year) -> Any:
    user = actor(request)
    return [_invoice_out(i) for i in selectors.invoice_list(user, _unit(user, unit_id), year)]


@router.get(
    "/economy/units/{unit_id}/invoices/{invoice_id}",
    response={200: InvoiceDetailOut, **ERRORS},
    summary="Ett fakturaunderlag med rader (loggas per brukare)",
)
def get_invoice(request: HttpRequest, unit_id: Id, invoice_id: Id) -> Any:
    user = actor(request)
    unit = _unit(user, unit_id)
    invoice = Invoice.objects.filter(pk=invoice_id, unit=unit).first()
    if invoice is None:
        raise Http404
    view = next(v for v in selectors.invoices(user, unit, invoice.month) if v.invoice.pk == invoice.pk)
    return {
        **_invoice_out(invoice),
        "lines": [
            {
                "client_id": line.client_id,
                "client": label,
                "service_code": line.service_code,
                "band": line.band,
                "hours": line.hours,
                "rate": line.rate,
                "amount": line.amount,
            }
            for line, label in view.lines
        ],
    }


@router.post(
    "/economy/units/{unit_id}/invoices", response={201: InvoiceOut, **ERRORS}, summary="Ta fram fakturaunderlag"
)
def create_invoice(request: HttpRequest, unit_id: Id, payload: InvoiceIn) -> Any:
    """A correction (figures changed since the invoice in force) needs a `reason`: the invoice is credited and a
    new one made. Unchanged figures, a month not ended or nothing to invoice: 422 on `month`."""
    user = actor(request)
    invoice = services.invoice_produce(
        actor=user, unit=_unit(user, unit_id), month=_month(payload.month), reason=payload.reason
    )
    return Status(201, _invoice_out(invoice))


# --- Payroll basis ----------------------------------------------------------------------------------------


class PayrollPersonOut(Schema):
    employee_id: int
    name: str
    worked_hours: Decimal
    quantities: dict[str, Decimal]
    sick_days_karens: int
    sick_days_employer: int
    sick_days_after: int


class PayrollExportIn(InputSchema):
    format: Format


@router.get(
    "/economy/units/{unit_id}/payroll/{month}",
    response={200: list[PayrollPersonOut], **ERRORS},
    summary="Löneunderlag (antal, utan personnummer)",
)
def get_payroll(request: HttpRequest, unit_id: Id, month: Month) -> Any:
    user = actor(request)
    return [
        {
            "employee_id": p.employee_id,
            "name": p.name,
            "worked_hours": p.worked_hours,
            "quantities": p.quantities(),
            "sick_days_karens": p.sick.karens,
            "sick_days_employer": p.sick.employer,
            "sick_days_after": p.sick.after,
        }
        for p in selectors.payroll_basis(user, _unit(user, unit_id), _month(month))
    ]


@router.post(
    "/economy/units/{unit_id}/payroll/{month}/export",
    response={200: None, **ERRORS},
    summary="Exportera löneunderlag som PAXml eller CSV (loggas)",
)
def export_payroll(request: HttpRequest, unit_id: Id, month: Month, payload: PayrollExportIn) -> Any:
    user = actor(request)
    if payload.format not in PayrollExport.Format.values:
        raise ValidationError({"format": ValidationError("Välj paxml eller csv.", code="invalid")})
    data, _log = services.payroll_export(actor=user, unit=_unit(user, unit_id), month=_month(month), fmt=payload.format)
    content_type = "application/xml" if payload.format == "paxml" else "text/csv; charset=utf-8"
    return HttpResponse(data, content_type=content_type)
