"""Pages of the economy (ekonomi), for holders of `economy.manage`: the year (budget, outcome, deviation,
forecast and its drivers), a month (revenue per client, wage cost per person, other costs), budget (entered or
CSV), the economy per client, invoice bases (produce, correct, export), the payroll basis (export) and wage
terms. The unit is chosen with `enhet`, the month with `manad` (ÅÅÅÅ-MM), the year with `ar`."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.core import charts, clock
from bista.core.format import round_half_up
from bista.core.models import Unit
from bista.economy import exports, selectors, services
from bista.economy.forms import (
    BudgetForm,
    BudgetImportForm,
    InvoiceForm,
    OtherCostForm,
    PayrollExportForm,
    WageTermForm,
)
from bista.economy.models import PayrollExport
from bista.timereports import rules as time_rules

MONTH_PARAM = "manad"
MAX_UPLOAD = 200_000  # bytes: a budget file is a few kilobytes


def _units(request: HttpRequest) -> list[Unit]:
    units = selectors.economy_units(request.user)
    if not units:
        raise PermissionDenied(selectors.DENIED)
    return units


def _unit(request: HttpRequest, *, post: bool = False) -> tuple[list[Unit], Unit]:
    """The unit asked for: on a page the first of the reader's units if none (or an unknown one) is asked for;
    on a write, a unit the actor may not manage is a 404."""
    units = _units(request)
    wanted = (request.POST if post else request.GET).get("enhet", "")
    unit = next((u for u in units if str(u.pk) == wanted), None)
    if unit is None:
        if post:
            raise Http404("Enheten finns inte eller så saknar du behörighet.")
        unit = units[0]
    return units, unit


def _month(request: HttpRequest) -> datetime.date:
    default = time_rules.previous_month(time_rules.first_of_month(clock.today()))
    return time_rules.parse_month(request.GET.get(MONTH_PARAM, "")) or default


def _year(request: HttpRequest) -> int:
    text = request.GET.get("ar", "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return clock.today().year


def _nav(month: datetime.date) -> dict[str, str]:
    return {
        "month_text": f"{time_rules.MONTH_NAMES[month.month - 1]} {month.year}",
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{time_rules.previous_month(month):%Y-%m}",
        "next_month": f"{time_rules.next_month(month):%Y-%m}",
    }


def _url(name: str, unit: Unit, **query: Any) -> str:
    params = "&".join([f"enhet={unit.pk}", *(f"{key}={value}" for key, value in query.items())])
    return f"{reverse(name)}?{params}"


def _errors(request: HttpRequest, error: ValidationError, form: Any = None) -> None:
    for field, problems in error.message_dict.items():
        for problem in problems:
            if form is not None and field in form.fields:
                form.add_error(field, problem)
            else:
                messages.error(request, problem)


# --- The year and the month -----------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    units, unit = _unit(request)
    year = _year(request)
    data = selectors.year_overview(request.user, unit, year)
    rows = data.rows()
    context = {
        "units": units,
        "unit": unit,
        "year": year,
        "data": data,
        "rows": rows,
        "chart": _result_chart(unit, rows),
    }
    return render(request, "economy/overview.html", context)


def _accumulated_tkr(values: list[Decimal | None]) -> list[float | None]:
    """The running sum in thousands of kronor, a gap (None) from the first month without a figure: a month not
    yet come has no outcome, and a sum that skipped it would draw a false line."""
    points: list[float | None] = []
    total = Decimal(0)
    for value in values:
        if value is None or (points and points[-1] is None):
            points.append(None)
            continue
        total += value
        points.append(float(round_half_up(total / 1000)))
    return points


def _result_chart(unit: Unit, rows: list[dict[str, Any]]) -> SafeString:
    """The year's result month by month, accumulated: the budget's line against the outcome's, each point a
    link to its month. The table below the chart carries the same figures."""
    links = [_url("economy:month", unit, manad=f"{row['month']:%Y-%m}") for row in rows]
    return charts.line_chart(
        chart_id="resultat",
        title="Ackumulerat resultat mot budget (tkr)",
        description="Budgeterat och utfallet resultat (intäkter minus kostnader) summerat månad för månad, i tusental "
        "kronor. Samma siffror per månad finns i tabellen.",
        periods=[time_rules.MONTH_NAMES[row["month"].month - 1][:3] for row in rows],
        series=[
            charts.Series("Budget", _accumulated_tkr([row["budget"] for row in rows]), links),
            charts.Series("Utfall", _accumulated_tkr([row["outcome"] for row in rows]), links),
        ],
        empty_message="Ingen budget och inget utfall ännu.",
        value_text=_tkr_text,
    )


def _tkr_text(value: float) -> str:
    """ "−1 500 tkr": grouped, whole thousands, the minus sign a screen reader reads as minus (not a hyphen)."""
    text = number_format(round_half_up(Decimal(repr(float(value)))), 0, force_grouping=True)
    return f"{text.replace('-', '−')} tkr"


@login_required
@require_GET
def month(request: HttpRequest) -> HttpResponse:
    units, unit = _unit(request)
    month_ = _month(request)
    view = selectors.month_detail(request.user, unit, month_)
    form = OtherCostForm(initial={"month": f"{month_:%Y-%m}"})
    context = {"units": units, "unit": unit, "view": view, "data": view.month, "form": form, **_nav(month_)}
    return render(request, "economy/month.html", context)


@login_required
@require_POST
def other_cost_add(request: HttpRequest) -> HttpResponse:
    _, unit = _unit(request, post=True)
    form = OtherCostForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.other_cost_create(
                actor=request.user,
                unit=unit,
                month=data["month"],
                category=data["category"],
                amount=data["amount"],
                note=data["note"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, "Kostnaden är registrerad.")
        return redirect(_url("economy:month", unit, manad=f"{data['month']:%Y-%m}"))
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
    return redirect(_url("economy:month", unit))


# --- Budget -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    post = request.method == "POST"
    units, unit = _unit(request, post=post)
    year = _year(request)
    form = BudgetForm(request.POST if post else None, initial={"month": f"{year}-01"})
    if post and form.is_valid():
        data = form.cleaned_data
        try:
            services.budget_save(
                actor=request.user, unit=unit, month=data["month"], revenue=data["revenue"], cost=data["cost"]
            )
        except ValidationError as error:
            _errors(request, error, form)
        else:
            messages.success(request, f"Budgeten för {data['month']:%Y-%m} är sparad.")
            return redirect(_url("economy:budget", unit, ar=data["month"].year))
    context = {
        "units": units,
        "unit": unit,
        "year": year,
        "form": form,
        "import_form": BudgetImportForm(),
        "budgets": sorted(selectors.budgets(request.user, unit, year).values(), key=lambda b: b.month),
    }
    return render(request, "economy/budget.html", context, status=422 if post else 200)


@login_required
@require_POST
def budget_import(request: HttpRequest) -> HttpResponse:
    _, unit = _unit(request, post=True)
    form = BudgetImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect(_url("economy:budget", unit))
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        messages.error(request, "CSV-fil: filen är för stor.")
        return redirect(_url("economy:budget", unit))
    try:
        text = upload.read().decode("utf-8-sig")
        saved = services.budget_import(actor=request.user, unit=unit, text=text)
    except UnicodeDecodeError:
        messages.error(request, "CSV-fil: filen ska vara UTF-8-kodad text.")
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"{len(saved)} månaders budget är inläst.")
        return redirect(_url("economy:budget", unit, ar=saved[0].month.year))
    return redirect(_url("economy:budget", unit))


# --- Per client --------------------------------------------------------------------------------------------


@login_required
@require_GET
def clients(request: HttpRequest) -> HttpResponse:
    units, unit = _unit(request)
    month_ = _month(request)
    rows = selectors.client_economy(request.user, unit, month_)
    return render(request, "economy/clients.html", {"units": units, "unit": unit, "rows": rows, **_nav(month_)})


# --- Invoices ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def invoices(request: HttpRequest) -> HttpResponse:
    units, unit = _unit(request)
    month_ = _month(request)
    context = {
        "units": units,
        "unit": unit,
        "invoices": selectors.invoices(request.user, unit, month_),
        "form": InvoiceForm(initial={"month": f"{month_:%Y-%m}"}),
        "month_ended": time_rules.next_month(month_) <= clock.today(),
        **_nav(month_),
    }
    return render(request, "economy/invoices.html", context)


@login_required
@require_POST
def invoice_produce(request: HttpRequest) -> HttpResponse:
    _, unit = _unit(request, post=True)
    form = InvoiceForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect(_url("economy:invoices", unit))
    month_ = form.cleaned_data["month"]
    try:
        invoice = services.invoice_produce(
            actor=request.user, unit=unit, month=month_, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"Fakturaunderlag {invoice.number} är framtaget.")
    return redirect(_url("economy:invoices", unit, manad=f"{month_:%Y-%m}"))


@login_required
@require_GET
def invoice_export(request: HttpRequest) -> HttpResponse:
    _, unit = _unit(request)
    month_ = _month(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404("Okänt format.")
    rows = selectors.invoices(request.user, unit, month_)
    return exports.invoice_response(unit, month_, rows, fmt)


# --- Payroll basis and wage terms ------------------------------------------------------------------------


@login_required
@require_GET
def payroll(request: HttpRequest) -> HttpResponse:
    units, unit = _unit(request)
    month_ = _month(request)
    context = {
        "units": units,
        "unit": unit,
        "people": selectors.payroll_basis(request.user, unit, month_),
        "exports": selectors.payroll_exports(request.user, unit, month_),
        "form": PayrollExportForm(initial={"month": f"{month_:%Y-%m}", "format": PayrollExport.Format.PAXML}),
        **_nav(month_),
    }
    return render(request, "economy/payroll.html", context)


@login_required
@require_POST
def payroll_export(request: HttpRequest) -> HttpResponse:
    _, unit = _unit(request, post=True)
    form = PayrollExportForm(request.POST)
    if not form.is_valid():
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
        return redirect(_url("economy:payroll", unit))
    month_, fmt = form.cleaned_data["month"], form.cleaned_data["format"]
    data, _log = services.payroll_export(actor=request.user, unit=unit, month=month_, fmt=fmt)
    extension, content_type = ("xml", "application/xml") if fmt == "paxml" else ("csv", "text/csv; charset=utf-8")
    response = HttpResponse(io.BytesIO(data).getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="loneunderlag-{unit.pk}-{month_:%Y-%m}.{extension}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def wage_terms(request: HttpRequest) -> HttpResponse:
    post = request.method == "POST"
    units, unit = _unit(request, post=post)
    rows = selectors.wage_terms(request.user, unit)
    form = WageTermForm(request.POST if post else None)
    form.fields["employee"].choices = [(e.pk, e.full_name) for e, _terms in rows]  # type: ignore[attr-defined]
    if post and form.is_valid():
        data = form.cleaned_data
        employee = next(e for e, _terms in rows if e.pk == data["employee"])
        try:
            services.wage_term_create(
                actor=request.user,
                employee=employee,
                pay_type=data["pay_type"],
                amount=data["amount"],
                valid_from=data["valid_from"],
            )
        except ValidationError as error:
            _errors(request, error, form)
        else:
            messages.success(request, f"Lönevillkoren för {employee.full_name} är sparade.")
            return redirect(_url("economy:wage_terms", unit))
    context = {"units": units, "unit": unit, "rows": rows, "form": form}
    return render(request, "economy/wage_terms.html", context, status=422 if post else 200)
