"""Writes of the economy: wage terms, raised FK amounts, budgets (one month, or a CSV of months), other costs,
invoice bases (a correction credits the invoice in force and makes a new one — never an edit) and payroll
exports (each logged). Every write requires `economy.manage` in the unit, validates (Swedish message on the
field; nothing saved), saves and audits in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.clients.models import Client
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.economy import figures, payroll, rules
from bista.economy.actions import AuditAction
from bista.economy.models import (
    Budget,
    CostCategory,
    FkHourlyAmount,
    Invoice,
    InvoiceLine,
    OtherCost,
    PayrollExport,
    PayType,
    RaisedAmount,
    WageTerm,
)
from bista.staff.models import Employee
from bista.timereports import rules as time_rules

MAX_AMOUNT = Decimal("999999999999")  # kronor: larger is a typing error
MAX_RATE = Decimal("99999999")
MAX_RAISE = Decimal("1.12")  # a raised FK amount is at most 12 % over the schablon (verify)
FIRST_MONTH = datetime.date(2000, 1, 1)


def _error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def parse_amount(value: Any, field: str, *, maximum: Decimal = MAX_AMOUNT) -> Decimal:
    """A kronor amount from a form, CSV or API value: not negative, at most two decimals, not absurd."""
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _error(field, "Ange ett belopp i kronor, t.ex. 1234,50.") from None
    if not amount.is_finite():
        raise _error(field, "Ange ett belopp i kronor, t.ex. 1234,50.")
    if amount < 0:
        raise _error(field, "Beloppet får inte vara negativt.", "negative")
    if amount > maximum:
        raise _error(field, "Beloppet är orimligt stort.", "max_value")
    if amount != amount.quantize(rules.ORE):
        raise _error(field, "Ange högst två decimaler.")
    return amount.quantize(rules.ORE)


def _month(value: datetime.date, field: str = "month") -> datetime.date:
    if not isinstance(value, datetime.date) or not FIRST_MONTH <= value <= datetime.date(2100, 12, 31):
        raise _error(field, "Ange en månad mellan 2000 och 2100.")
    return time_rules.first_of_month(value)


def _open_unit(unit: Unit, field: str = "month") -> None:
    if not unit.is_active:
        raise _error(field, "Enheten är avslutad: ingen budget eller kostnad kan registreras.", "closed_unit")


# --- Wage terms and raised amounts --------------------------------------------------------------------------


@transaction.atomic
def wage_term_create(
    *,
    actor: Any,
    employee: Employee,
    pay_type: str,
    amount: Any,
    valid_from: datetime.date,
) -> WageTerm:
    """A new wage term from `valid_from` (monthly salary at full time, or hourly pay); the term in force
    before it ends the day the new one starts. A term starting on or before a later one's start is refused."""
    check_perm(actor, Perm.ECONOMY, employee.unit_id)
    if pay_type not in PayType.values:
        raise _error("pay_type", "Välj månadslön eller timlön.")
    value = parse_amount(amount, "amount", maximum=MAX_RATE)
    if not isinstance(valid_from, datetime.date) or not FIRST_MONTH <= valid_from <= datetime.date(2100, 12, 31):
        raise _error("valid_from", "Ange ett datum mellan 2000 och 2100.")
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if WageTerm.objects.filter(employee=employee, valid_from__gte=valid_from).exists():
        raise _error("valid_from", "Det finns redan lönevillkor från detta datum eller senare.", "overlap")
    for previous in WageTerm.objects.filter(employee=employee, valid_to__isnull=True):
        old = audit.snapshot(previous, ["valid_to"])
        previous.valid_to = valid_from
        previous.save(update_fields=["valid_to"])
        audit.record(
            actor=actor, action=AuditAction.WAGE_TERM_CREATE, obj=previous, old=old, new={"valid_to": valid_from}
        )
    term = WageTerm(
        employee=employee,
        pay_type=pay_type,
        monthly_salary=value if pay_type == PayType.MONTHLY else None,
        hourly_pay=value if pay_type == PayType.HOURLY else None,
        valid_from=valid_from,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return audit.save_new(
        term,
        actor=actor,
        action=AuditAction.WAGE_TERM_CREATE,
        fields=["employee_id", "pay_type", "monthly_salary", "hourly_pay", "valid_from"],
        unit=employee.unit,
        exclude=["recorded_by"],
    )


@transaction.atomic
def raised_amount_create(
    *, actor: Any, client: Client, unit: Unit, amount: Any, valid_from: datetime.date, note: str = ""
) -> RaisedAmount:
    """FK's raised hourly amount for a client, at most 12 % over the schablon in force (verify)."""
    check_perm(actor, Perm.ECONOMY, unit)
    value = parse_amount(amount, "amount", maximum=MAX_RATE)
    base = FkHourlyAmount.objects.filter(valid_from__lte=valid_from).order_by("-valid_from").first()
    if base is not None and value > rules.money(base.amount * MAX_RAISE):
        raise _error(
            "amount", f"Förhöjt timbelopp får vara högst 12 % över schablonen ({base.amount} kr).", "max_value"
        )
    raised = RaisedAmount(
        client=client,
        amount=value,
        valid_from=valid_from,
        note=(note or "")[:200],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return audit.save_new(
        raised,
        actor=actor,
        action=AuditAction.RAISED_AMOUNT_CREATE,
        fields=["client_id", "amount", "valid_from"],
        unit=unit,
        exclude=["recorded_by"],
    )


# --- Budget and other costs ---------------------------------------------------------------------------------


@transaction.atomic
def budget_save(*, actor: Any, unit: Unit, month: datetime.date, revenue: Any, cost: Any) -> Budget:
    """The unit's budget of a month (revenue and cost); a new figure replaces the old (audited, old kept in the
    audit trail). Refused for a closed unit."""
    check_perm(actor, Perm.ECONOMY, unit)
    month = _month(month)
    _open_unit(unit)
    values = {"revenue": parse_amount(revenue, "revenue"), "cost": parse_amount(cost, "cost")}
    budget = Budget.objects.select_for_update().filter(unit=unit, month=month).first()
    old = audit.snapshot(budget, ["revenue", "cost"]) if budget else None
    if budget is None:
        budget = Budget(unit=unit, month=month, **values)
    else:
        budget.revenue, budget.cost = values["revenue"], values["cost"]
    budget.recorded_by = actor if getattr(actor, "pk", None) else None
    budget.save()
    audit.record(
        actor=actor,
        action=AuditAction.BUDGET_SAVE,
        obj=budget,
        old=old,
        new={"month": month, **values},
        unit=unit,
    )
    return budget


CSV_HEADERS = ("manad", "intakter", "kostnader")


def parse_budget_csv(text: str) -> list[tuple[datetime.date, str, str]]:
    """Rows "månad;intäkter;kostnader" (e.g. 2026-01;4 900 000;4 950 000), with or without a header row; a
    comma or semicolon separates. Raises a ValidationError on the field "file" naming the row."""
    if "\x00" in text:
        raise _error("file", "Filen är inte en textfil (CSV).")
    rows = []
    dialect = ";" if text.count(";") >= text.count("\t") and ";" in text else ","
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=dialect), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and cells[0].lower().replace("å", "a") in {"manad", "month"}:
            continue
        if len(cells) != 3:
            raise _error("file", f"Rad {number}: ange månad, intäkter och kostnader (tre kolumner).")
        month = time_rules.parse_month(cells[0])
        if month is None:
            raise _error("file", f"Rad {number}: ange månaden som ÅÅÅÅ-MM.")
        rows.append((month, cells[1], cells[2]))
    if not rows:
        raise _error("file", "Filen innehåller inga rader.")
    if len(rows) > 120:
        raise _error("file", "Högst 120 månader per fil.")
    return rows


@transaction.atomic
def budget_import(*, actor: Any, unit: Unit, text: str) -> list[Budget]:
    """Budgets of several months from CSV: all rows or none (a bad row refuses the file, naming the row)."""
    check_perm(actor, Perm.ECONOMY, unit)
    rows = parse_budget_csv(text)
    saved = []
    for number, (month, revenue, cost) in enumerate(rows, start=1):
        try:
            saved.append(budget_save(actor=actor, unit=unit, month=month, revenue=revenue, cost=cost))
        except ValidationError as error:
            messages = "; ".join(str(m) for ms in error.message_dict.values() for m in ms)
            raise _error("file", f"Rad {number}: {messages}") from None
    return saved


@transaction.atomic
def other_cost_create(
    *, actor: Any, unit: Unit, month: datetime.date, category: str, amount: Any, note: str = ""
) -> OtherCost:
    check_perm(actor, Perm.ECONOMY, unit)
    month = _month(month)
    _open_unit(unit)
    if category not in CostCategory.values:
        raise _error("category", "Välj ett kostnadsslag.")
    note = (note or "").strip()
    if len(note) > 200 or "\x00" in note:
        raise _error("note", "Skriv högst 200 tecken.")
    cost = OtherCost(
        unit=unit,
        month=month,
        category=category,
        amount=parse_amount(amount, "amount"),
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return audit.save_new(
        cost,
        actor=actor,
        action=AuditAction.OTHER_COST_CREATE,
        fields=["month", "category", "amount", "note"],
        unit=unit,
        exclude=["recorded_by"],
    )


# --- Invoices --------------------------------------------------------------------------------------------


def invoice_lines(
    unit: Unit, month: datetime.date, *, time: figures.Time | None = None, cache: dict | None = None
) -> list[figures.Line]:
    """The invoice basis: the municipality's lines of the month from attested time within the orders. `time`
    (the month's `figures.time_of` with `figures.LEAD_DAYS`) and `cache` (of `figures.reference`) are for
    making many months' bases at once."""
    month = time_rules.first_of_month(month)
    ref = figures.reference(month, cache)
    time = time or figures.time_of(unit.pk, month, lead_days=figures.LEAD_DAYS)
    lines, _outside, _beyond = figures.revenue_lines(unit.pk, month, time, ref, attested_only=True)
    return [line for line in lines if line.payer == figures.MUNICIPALITY and line.minutes > 0]


def _key(lines: list[tuple[int, str, str, Decimal, Decimal, Decimal]]) -> list[tuple[Any, ...]]:
    return sorted(lines)


def current_invoice(unit: Unit, month: datetime.date) -> Invoice | None:
    """The invoice in force for the month: the latest not credited."""
    return (
        Invoice.objects.filter(unit=unit, month=month, kind=Invoice.Kind.INVOICE, credited_by__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def _number(unit: Unit, month: datetime.date) -> str:
    count = Invoice.objects.filter(unit=unit, month=month).count()
    return f"{unit.pk}-{month:%Y%m}-{count + 1:02d}"


@transaction.atomic
def invoice_produce(*, actor: Any, unit: Unit, month: datetime.date, reason: str = "") -> Invoice:
    """Produce the month's invoice basis. If one is in force and the figures changed, it is credited (a credit
    invoice with the same lines negated) and a new one made — with a reason; never edited. Unchanged figures,
    a month not yet ended, or no invoiceable time are refused."""
    check_perm(actor, Perm.ECONOMY, unit)
    month = _month(month)
    if time_rules.next_month(month) > clock.today():
        raise _error("month", "Månaden är inte slut än.", "not_ended")
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    reason = (reason or "").strip()[:300]
    lines = invoice_lines(unit, month)
    rows = [
        (line.client_id, line.service_code, line.band, rules.money(rules.hours(line.minutes)), line.rate, line.amount)
        for line in lines
    ]
    current = current_invoice(unit, month)
    now = clock.now()
    person = actor if getattr(actor, "pk", None) else None
    if current is not None:
        existing = [
            (line.client_id, line.service_code, line.band, line.hours, line.rate, line.amount)
            for line in current.lines.all()
        ]
        if _key(existing) == _key(rows):
            raise _error("month", "Fakturaunderlaget är redan framtaget och oförändrat.", "unchanged")
        if not reason and actor is not None:
            raise _error(
                "reason", "Ange varför underlaget rättas (en kreditfaktura och ett nytt underlag skapas).", "required"
            )
        credit = Invoice.objects.create(
            unit=unit,
            month=month,
            number=_number(unit, month),
            kind=Invoice.Kind.CREDIT,
            credits=current,
            total=-current.total,
            reason=reason,
            created_by=person,
            created_at=now,
        )
        InvoiceLine.objects.bulk_create(
            [
                InvoiceLine(
                    invoice=credit,
                    client_id=c,
                    service_code=s,
                    band=b,
                    hours=-h,
                    rate=r,
                    amount=-a,
                )
                for c, s, b, h, r, a in existing
            ]
        )
        audit.record(
            actor=actor,
            action=AuditAction.INVOICE_CREDIT,
            obj=credit,
            new={"credits": current.number, "total": credit.total, "reason": reason},
            unit=unit,
        )
    elif not rows:
        raise _error("month", "Det finns ingen attesterad tid inom beställningarna att fakturera för månaden.", "empty")
    invoice = Invoice.objects.create(
        unit=unit,
        month=month,
        number=_number(unit, month),
        total=sum((row[5] for row in rows), rules.ZERO),
        reason=reason,
        created_by=person,
        created_at=now,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(invoice=invoice, client_id=c, service_code=s, band=b, hours=h, rate=r, amount=a)
            for c, s, b, h, r, a in rows
        ]
    )
    audit.record(
        actor=actor,
        action=AuditAction.INVOICE_CREATE,
        obj=invoice,
        new={"month": month, "total": invoice.total, "lines": len(rows)},
        unit=unit,
    )
    return invoice


# --- Payroll basis -------------------------------------------------------------------------------------------


@transaction.atomic
def payroll_export(*, actor: Any, unit: Unit, month: datetime.date, fmt: str) -> tuple[bytes, PayrollExport]:
    """The month's payroll basis as PAXml or CSV (personnummer included), logged with who, when and a hash."""
    check_perm(actor, Perm.ECONOMY, unit)
    month = _month(month)
    if fmt not in PayrollExport.Format.values:
        raise _error("format", "Välj PAXml eller CSV.")
    basis = payroll.basis(unit, month)
    data = payroll.to_paxml(unit, month, basis) if fmt == PayrollExport.Format.PAXML else payroll.to_csv(basis)
    log = PayrollExport.objects.create(
        unit=unit,
        month=month,
        format=fmt,
        employees=len(basis),
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.PAYROLL_EXPORT,
        obj=log,
        new={"month": month, "format": fmt, "employees": len(basis), "sha256": log.sha256},
        unit=unit,
    )
    return data, log
