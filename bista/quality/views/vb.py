"""The VB table "Redovisning av synpunkter och klagomål" (with the events behind each figure and the editable
assessments), its exports (DOCX, XLSX, JSON), the draft quality report (kvalitetsberättelse) and the trend
charts. Everything is counted from the records; the unit and year are chosen with GET parameters."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bista.core import charts, clock
from bista.core.access import has_perm_anywhere, require_any_unit, unit_ids_with
from bista.core.errors import ConflictError
from bista.core.format import antal
from bista.core.forms import MAX_ID, apply_service_errors
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.quality import rules, selectors, services, vbdocs
from bista.quality.models import Feedback

MIN_YEAR, MAX_YEAR = 2000, 2100
TREND_YEARS = 5
EXPORTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
CONFLICT_HINT = (
    "Din text finns kvar i formuläret och den sparade texten visas under det. "
    "Sparar du igen ersätter din text den sparade."
)
TERTIAL_NAMES = {1: "T1 (januari–april)", 2: "T2 (maj–augusti)", 3: "VB, T3 (september–december)"}


# --- Forms ---------------------------------------------------------------------------------------------


class VbFilterForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    ar = forms.IntegerField(label="År", min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].choices = [(unit.pk, unit.name) for unit in units]  # type: ignore[attr-defined]


class TrendFilterForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    indelning = forms.ChoiceField(label="Indelning", choices=[("tertial", "Per tertial"), ("ar", "Per år")])

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].choices = [(unit.pk, unit.name) for unit in units]  # type: ignore[attr-defined]


class VbAssessmentForm(forms.Form):
    enhet = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    ar = forms.IntegerField(widget=forms.HiddenInput, min_value=MIN_YEAR, max_value=MAX_YEAR)
    rad = forms.CharField(widget=forms.HiddenInput, max_length=80)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    text = forms.CharField(
        label=vbdocs.ASSESSMENT_LABEL,
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, row_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if row_label:
            self.fields["text"].label = f"{vbdocs.ASSESSMENT_LABEL}: {row_label}"


# --- Shared parsing ---------------------------------------------------------------------------------


def _units(request: HttpRequest) -> list[Unit]:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_VIEW])
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))


def _refuse_other_unit(raw: str, units: list[Unit]) -> None:
    """A unit the user has no quality.view in is refused (403), not silently replaced by another."""
    if raw.isdigit() and int(raw) <= MAX_ID and int(raw) not in {unit.pk for unit in units}:
        raise PermissionDenied("Behörighet saknas: quality.view")


def _filter_form(request: HttpRequest, units: list[Unit], default_year: int) -> VbFilterForm:
    data = request.GET.copy()
    if "year" in data and "ar" not in data:
        data["ar"] = request.GET["year"]
    _refuse_other_unit(request.GET.get("enhet", ""), units)
    data.setdefault("enhet", str(units[0].pk))
    data.setdefault("ar", str(default_year))
    return VbFilterForm(data, units=units)


def _unit(units: list[Unit], unit_id: int) -> Unit:
    return next(unit for unit in units if unit.pk == unit_id)


def _query(unit_id: int, year: int, **extra: Any) -> str:
    return urlencode({"enhet": unit_id, "ar": year, **{k: v for k, v in extra.items() if v is not None}})


def drill_url(unit_id: int, year: int, key: str, tertial: int | None = None) -> str:
    return f"{reverse('quality:vb_table')}?{_query(unit_id, year, rad=key, tertial=tertial)}"


def _quality_nav(request: HttpRequest) -> dict[str, bool]:
    return {"view": True, "incident": has_perm_anywhere(request.user, Perm.QUALITY_INCIDENT)}


# --- The VB table -------------------------------------------------------------------------------------


def _table_context(
    request: HttpRequest,
    unit: Unit,
    year: int,
    *,
    editing: str | None = None,
    edit_form: VbAssessmentForm | None = None,
    saved_text: str | None = None,
) -> dict[str, Any]:
    table = selectors.vb_table_for(request.user, unit_id=unit.pk, year=year)
    assessments = selectors.vb_assessments(unit_id=unit.pk, year=year)
    can_manage = Perm.QUALITY_MANAGE in _perms(request, unit.pk)
    groups: list[dict[str, Any]] = []
    for row in table.rows:
        if not groups or groups[-1]["group"] != row.group:
            groups.append({"group": row.group, "rows": []})
        values = table.values(row.key)
        cells = [
            (value, drill_url(unit.pk, year, row.key, tertial) if value else None, label)
            for value, tertial, label in zip(values, (1, 2, 3, None), rules.TERTIAL_LABELS, strict=True)
        ]
        assessment = assessments.get(row.key)
        form = None
        if can_manage and editing == row.key:
            form = edit_form or VbAssessmentForm(
                initial={
                    "enhet": unit.pk,
                    "ar": year,
                    "rad": row.key,
                    "version": assessment.version if assessment else 0,
                    "text": assessment.text if assessment else "",
                },
                auto_id=_auto_id(row.key),
                row_label=row.label,
            )
        groups[-1]["rows"].append(
            {
                "key": row.key,
                "anchor": _anchor(row.key),
                "label": row.label,
                "cells": cells,
                "assessment": assessment,
                "form": form,
                "saved_text": saved_text if form is not None else None,
                "edit_url": f"{reverse('quality:vb_table')}?{_query(unit.pk, year, bedom=row.key)}#{_anchor(row.key)}",
            }
        )
    unclassified = [
        (antal(count, forms), drill_url(unit.pk, year, key))
        for kind, key, forms in (
            ("deviation", vbdocs.DEVIATION_UNCLASSIFIED, vbdocs.DEVIATION_FORMS),
            ("feedback", vbdocs.FEEDBACK_UNCLASSIFIED, vbdocs.FEEDBACK_FORMS),
        )
        if (count := table.unclassified.get(kind, 0))
    ]
    return {
        "unit": unit,
        "year": year,
        "groups": groups,
        "columns": rules.TERTIAL_LABELS,
        "unclassified": unclassified,
        "can_manage": can_manage,
        "query": _query(unit.pk, year),
        "table_url": f"{reverse('quality:vb_table')}?{_query(unit.pk, year)}",
    }


def _perms(request: HttpRequest, unit_id: int) -> set[str]:
    return {code for code in (Perm.QUALITY_MANAGE, Perm.QUALITY_VIEW) if unit_id in unit_ids_with(request.user, code)}


def _tertial(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    if raw in ("1", "2", "3"):
        return int(raw)
    raise Http404("Tertialen finns inte.")


@login_required
@require_GET
def vb_table(request: HttpRequest) -> HttpResponse:
    """The table for a unit and year; with `rad` (and `tertial`) the events behind one figure."""
    units = _units(request)
    form = _filter_form(request, units, clock.today().year)
    context: dict[str, Any] = {"form": form, "quality_nav": _quality_nav(request)}
    if not form.is_valid():
        return render(request, "quality/vb_table.html", context, status=400)
    unit = _unit(units, form.cleaned_data["enhet"])
    year = form.cleaned_data["ar"]
    key = request.GET.get("rad")
    if key:
        return _drilldown(request, context, unit, year, key)
    editing = request.GET.get("bedom") or None
    context.update(_table_context(request, unit, year, editing=editing))
    return render(request, "quality/vb_table.html", context)


def _drilldown(request: HttpRequest, context: dict[str, Any], unit: Unit, year: int, key: str) -> HttpResponse:
    tertial = _tertial(request.GET.get("tertial"))
    try:
        drilldown = vbdocs.events_behind(request.user, unit_id=unit.pk, year=year, key=key, tertial=tertial)
    except KeyError as error:
        raise Http404("Raden finns inte i tabellen.") from error
    context.update(
        {
            "unit": unit,
            "year": year,
            "drilldown": drilldown,
            "period": TERTIAL_NAMES[tertial] if tertial else f"hela {year}",
            "table_url": f"{reverse('quality:vb_table')}?{_query(unit.pk, year)}",
            "trends_url": f"{reverse('quality:trends')}?{urlencode({'enhet': unit.pk})}",
        }
    )
    return render(request, "quality/vb_drilldown.html", context)


def _auto_id(key: str) -> str:
    return f"id_{_anchor(key)}_%s"


def _anchor(key: str) -> str:
    return "rad-" + key.replace(".", "-")


@login_required
@require_POST
def vb_assessment(request: HttpRequest) -> HttpResponse:
    """Save the assessment of one row; a save that started from an older version is refused (conflict)."""
    manage_ids = require_any_unit(request.user, [Perm.QUALITY_MANAGE])
    raw_unit = request.POST.get("enhet", "")
    if raw_unit.isdigit() and int(raw_unit) <= MAX_ID and int(raw_unit) not in manage_ids:
        raise PermissionDenied("Behörighet saknas: quality.manage")
    labels = {row.key: row.label for row in rules.vb_layout(_category_refs())}
    raw_key = request.POST.get("rad", "")
    row_label = labels.get(raw_key, "")
    form = VbAssessmentForm(request.POST, auto_id=_auto_id(raw_key), row_label=row_label)
    valid = form.is_valid()
    if any(name in form.errors for name in ("enhet", "ar", "rad", "version")):
        return HttpResponse("Felaktig begäran: enhet, år, rad och version måste anges.", status=400)
    data = form.cleaned_data
    units = [unit for unit in _units(request) if unit.pk == data["enhet"]]
    if data["enhet"] not in manage_ids or not units:
        raise PermissionDenied("Behörighet saknas: quality.manage")
    unit, year, key = units[0], data["ar"], data["rad"]
    if key not in labels:
        return HttpResponse("Raden finns inte i tabellen.", status=400)
    saved_text = None
    if valid:
        try:
            services.vb_assessment_save(
                actor=request.user,
                unit=unit,
                year=year,
                row_key=key,
                text=data["text"],
                expected_version=data["version"],
            )
        except ConflictError as error:
            # The user's text is kept; the form now carries the saved version, and the saved text is shown.
            current = selectors.vb_assessments(unit_id=unit.pk, year=year).get(key)
            rebound = request.POST.copy()
            rebound["version"] = str(current.version if current else 0)
            form = VbAssessmentForm(rebound, auto_id=_auto_id(key), row_label=row_label)
            form.is_valid()
            form.add_error(None, f"{error} {CONFLICT_HINT}")
            saved_text = current.text if current else ""
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Bedömningen är sparad.")
            return redirect(f"{reverse('quality:vb_table')}?{_query(unit.pk, year)}#{_anchor(key)}")
    filter_form = VbFilterForm(QueryDict(_query(unit.pk, year)), units=_units(request))
    filter_form.is_valid()
    context: dict[str, Any] = {"form": filter_form, "quality_nav": _quality_nav(request)}
    context.update(_table_context(request, unit, year, editing=key, edit_form=form, saved_text=saved_text))
    return render(request, "quality/vb_table.html", context, status=200 if valid else 400)


def _category_refs() -> list[rules.CategoryRef]:
    return [rules.CategoryRef(c.group, c.code, c.name) for c in selectors.categories()]


# --- Exports ------------------------------------------------------------------------------------------


def _download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=EXPORTS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def vb_table_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same table as DOCX, XLSX or JSON, as a download."""
    if fmt not in EXPORTS:
        raise Http404("Formatet finns inte.")
    units = _units(request)
    form = _filter_form(request, units, clock.today().year)
    if not form.is_valid():
        return render(
            request, "quality/vb_table.html", {"form": form, "quality_nav": _quality_nav(request)}, status=400
        )
    unit = _unit(units, form.cleaned_data["enhet"])
    year = form.cleaned_data["ar"]
    table = selectors.vb_table_for(request.user, unit_id=unit.pk, year=year)
    data = vbdocs.table_data(table, selectors.vb_assessments(unit_id=unit.pk, year=year), unit)
    builders = {"docx": vbdocs.table_docx, "xlsx": vbdocs.table_xlsx, "json": vbdocs.table_json}
    return _download(builders[fmt](data), fmt, f"vb-tabell-{unit.pk}-{year}")


@login_required
@require_GET
def quality_report(request: HttpRequest) -> HttpResponse:
    """The draft kvalitetsberättelse for the previous year (or `ar`/`year`), as DOCX."""
    units = _units(request)
    today = clock.today()
    form = _filter_form(request, units, today.year - 1)
    if not form.is_valid():
        return render(
            request, "quality/vb_table.html", {"form": form, "quality_nav": _quality_nav(request)}, status=400
        )
    unit = _unit(units, form.cleaned_data["enhet"])
    year = form.cleaned_data["ar"]
    facts = vbdocs.report_facts(request.user, unit=unit, year=year, today=today)
    content = vbdocs.quality_report_docx(facts, generated_on=today)
    response = _download(content, "docx", f"kvalitetsberattelse-{unit.pk}-{year}")
    return response


# --- Trends ---------------------------------------------------------------------------------------------


def _periods(first_year: int, today: datetime.date, by_tertial: bool) -> list[tuple[int, int | None]]:
    """(year, tertial) from the first year up to the current tertial; tertial None when counting per year."""
    periods: list[tuple[int, int | None]] = []
    for year in range(first_year, today.year + 1):
        if not by_tertial:
            periods.append((year, None))
            continue
        for tertial in (1, 2, 3):
            if rules.tertial_bounds(year, tertial)[0] <= today:
                periods.append((year, tertial))
    return periods


def _count(counts: dict[tuple[int, int], Any], year: int, tertial: int | None, label: str) -> int:
    if tertial is not None:
        return int(counts.get((year, tertial), {}).get(label, 0))
    return sum(int(counts.get((year, t), {}).get(label, 0)) for t in (1, 2, 3))


def _trend(
    *,
    chart_id: str,
    title: str,
    description: str,
    kind: str,
    counts: dict[tuple[int, int], Any],
    series_keys: list[tuple[str, str]],
    periods: list[tuple[int, int | None]],
    unit_id: int,
) -> dict[str, Any]:
    """One chart and its data table: a series per (label, drill-down key), a value and link per period."""
    period_labels = [f"T{tertial}" if tertial else str(year) for year, tertial in periods]
    groups = [str(year) for year, _ in periods] if any(t for _, t in periods) else None
    series = []
    for label, key in series_keys:
        values = [_count(counts, year, tertial, label) for year, tertial in periods]
        links = [
            drill_url(unit_id, year, key, tertial) if value else None
            for (year, tertial), value in zip(periods, values, strict=True)
        ]
        series.append(charts.Series(label, values, links))
    draw = charts.line_chart if kind == "line" else charts.bar_chart
    svg = draw(
        chart_id=chart_id, title=title, description=description, periods=period_labels, series=series, groups=groups
    )
    rows = []
    for index, (year, tertial) in enumerate(periods):
        cells = [(item.values[index], item.link(index)) for item in series]
        rows.append(
            {
                "label": f"{year} T{tertial}" if tertial else str(year),
                "cells": cells,
                "total": sum(value or 0 for value, _ in cells),  # counts: never None here
            }
        )
    return {"id": chart_id, "title": title, "svg": svg, "columns": [item.label for item in series], "rows": rows}


@login_required
@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    """Deviations by category, feedback by kind and Lex Sarah reports over the last five years."""
    units = _units(request)
    data = request.GET.copy()
    _refuse_other_unit(request.GET.get("enhet", ""), units)
    data.setdefault("enhet", str(units[0].pk))
    data.setdefault("indelning", "tertial")
    form = TrendFilterForm(data, units=units)
    context: dict[str, Any] = {"form": form, "quality_nav": _quality_nav(request), "charts": []}
    if not form.is_valid():
        return render(request, "quality/trends.html", context, status=400)
    unit = _unit(units, form.cleaned_data["enhet"])
    by_tertial = form.cleaned_data["indelning"] == "tertial"
    today = clock.today()
    first_year = today.year - TREND_YEARS + 1
    periods = _periods(first_year, today, by_tertial)
    span = f"{first_year}–{today.year}, {'per tertial' if by_tertial else 'per år'}"

    def counts(kind: str) -> dict[tuple[int, int], Any]:
        return selectors.trend_counts(
            request.user, unit_id=unit.pk, start_year=first_year, end_year=today.year, kind=kind
        )

    deviation_counts = counts("deviation")
    present = {label for counter in deviation_counts.values() for label in counter}
    deviation_series = [
        (category.name, f"deviation.{category.code}")
        for category in selectors.categories("deviation")
        if category.name in present
    ]
    if vbdocs.UNCLASSIFIED in present:
        deviation_series.append((vbdocs.UNCLASSIFIED, vbdocs.DEVIATION_UNCLASSIFIED))
    feedback_series = [(str(label), f"{vbdocs.FEEDBACK_KIND}{kind}") for kind, label in Feedback.Kind.choices]
    context["charts"] = [
        _trend(
            chart_id="trend-avvikelser",
            title="Avvikelser per kategori",
            description=f"Staplade staplar: antal rapporterade avvikelser per kategori, {span}.",
            kind="bar",
            counts=deviation_counts,
            series_keys=deviation_series,
            periods=periods,
            unit_id=unit.pk,
        ),
        _trend(
            chart_id="trend-synpunkter",
            title="Synpunkter, klagomål och beröm",
            description=f"Staplade staplar: antal inkomna synpunkter, klagomål och beröm, {span}.",
            kind="bar",
            counts=counts("feedback"),
            series_keys=feedback_series,
            periods=periods,
            unit_id=unit.pk,
        ),
        _trend(
            chart_id="trend-lex-sarah",
            title="Lex Sarah-rapporter",
            description=f"Linjediagram: antal inkomna lex Sarah-rapporter, {span}.",
            kind="line",
            counts=counts("lex_sarah"),
            series_keys=[("Lex Sarah-rapporter", "lex_sarah.reports")],
            periods=periods,
            unit_id=unit.pk,
        ),
    ]
    context.update({"unit": unit, "span": span})
    return render(request, "quality/trends.html", context)
