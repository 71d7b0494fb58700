"""The goals pages: a unit's plan for a year (the goal chain), one goal with its indicator table, charts,
activities and the follow-up per period (autosaved, with versions), the records behind a computed figure,
manual values, section texts, copying a plan forward, generating and downloading documents, and the open
data export. Views parse input, call the selectors and services, and render; nothing else.

Access: governance.view in the plan's unit to read (a unit's managers, a district-wide controller),
governance.edit to write. A plan or goal of a unit the user cannot see is a 404; a page needing a permission
the user has nowhere is a 403.
"""

from __future__ import annotations

import datetime
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.csvexport import CsvDownload
from bista.core.errors import ConflictError
from bista.core.forms import apply_service_errors
from bista.core.permissions import Perm
from bista.governance import charts, documents, rules, selectors, services
from bista.governance.forms import (
    ActivityForm,
    DocumentForm,
    FollowUpForm,
    GoalForm,
    GoalIndicatorForm,
    IndicatorAnalysisForm,
    IndicatorValueForm,
    PlanForm,
    SectionForm,
    UnitYearForm,
)
from bista.governance.models import (
    DocumentKind,
    FollowUp,
    GeneratedDocument,
    Goal,
    GoalIndicator,
    IndicatorDefinition,
    IndicatorValue,
    OperationalPlan,
    Period,
)
from bista.governance.registry import Source

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
CSV_HEADER = ("kpi", "kpi_title", "municipality", "ou", "ou_title", "period", "gender", "value", "unit")


def _actor(request: HttpRequest) -> Any:
    return request.user


def _period(request: HttpRequest) -> str:
    value = request.GET.get("period", Period.VB)
    return value if value in Period.values else Period.VB


def _require_edit(request: HttpRequest, unit_id: int) -> None:
    if not selectors.may_edit(_actor(request), unit_id):
        raise PermissionDenied(f"Behörighet saknas: {Perm.GOVERNANCE_EDIT}")


def _plan_url(plan: OperationalPlan, period: str = Period.VB) -> str:
    return f"{reverse('governance:plan', args=[plan.pk])}?period={period}"


def _goal_url(goal: Goal, period: str = Period.VB) -> str:
    return f"{reverse('governance:goal', args=[goal.pk])}?period={period}"


def _conflict(request: HttpRequest, error: ConflictError) -> None:
    messages.error(request, str(error))


# --- The start page: choose a unit and a year ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Choose a unit and year; see its plan, or (with governance.edit) create it."""
    actor = _actor(request)
    require_any_unit(actor, [Perm.GOVERNANCE_VIEW])
    units = list(selectors.visible_units(actor))
    today = clock.today()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = UnitYearForm(data, units=units, initial={"ar": today.year, "enhet": units[0].pk if units else None})
    plan = None
    unit = None
    if form.is_bound and form.is_valid():
        unit = next(u for u in units if u.pk == form.cleaned_data["enhet"])
        year = form.cleaned_data["ar"]
        if request.method == "POST":
            _require_edit(request, unit.pk)
            try:
                plan = services.plan_create(actor=actor, unit=unit, year=year)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Verksamhetsplanen {year} är skapad.")
                return redirect(_plan_url(plan))
        else:
            plan = selectors.plan_for(actor, unit.pk, year)
            if plan is not None:
                return redirect(_plan_url(plan))
    plans = selectors.visible_plans(actor).order_by("-year", "unit__name")[:40]
    return render(
        request,
        "governance/index.html",
        {
            "form": form,
            "unit": unit,
            "missing": form.is_bound and form.is_valid() and plan is None,
            "can_create": unit is not None and selectors.may_edit(actor, unit.pk),
            "plans": plans,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- A plan: the goal chain ---------------------------------------------------------------------------


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    period = _period(request)
    source = Source(today=clock.today())
    follow_ups = selectors.follow_ups_by_goal(plan, period)
    tree = []
    for goal, depth in selectors.goal_tree(plan):
        rows = [selectors.indicator_row(source, gi, plan.unit_id, plan.year, period) for gi in goal.indicators.all()]
        follow_up = follow_ups.get(goal.pk)
        tree.append({"goal": goal, "depth": depth, "rows": rows, "follow_up": follow_up})
    return render(
        request,
        "governance/plan_detail.html",
        {
            "plan": plan,
            "period": period,
            "periods": Period.choices,
            "tree": tree,
            "can_edit": selectors.may_edit(actor, plan.unit_id),
            "documents": selectors.documents(actor, plan)[:20],
            "document_form": DocumentForm(),
            "plan_form": PlanForm(
                initial={**{f: getattr(plan, f) for f in services.PLAN_EDITABLE}, "version": plan.version}
            ),
            "section_links": [
                (
                    kind.label,
                    [
                        (heading, reverse("governance:section", args=[plan.pk, kind.value, key]))
                        for key, heading in documents.section_headings(kind, plan.year)
                    ],
                )
                for kind in DocumentKind
            ],
            "next_year": plan.year + 1,
            "has_next": OperationalPlan.objects.filter(unit_id=plan.unit_id, year=plan.year + 1).exists(),
        },
    )


@login_required
@require_POST
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    _require_edit(request, plan.unit_id)
    form = PlanForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.plan_update(actor=actor, plan=plan, expected_version=form.cleaned_data["version"], **values)
        except ConflictError as error:
            _conflict(request, error)
        else:
            messages.success(request, "Uppgifterna är sparade.")
    return redirect(_plan_url(plan))


@login_required
@require_POST
def plan_copy(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    _require_edit(request, plan.unit_id)
    try:
        new_plan = services.plan_copy_forward(actor=actor, plan=plan)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(_plan_url(plan))
    messages.success(request, f"Målen är kopierade till verksamhetsplanen {new_plan.year}.")
    return redirect(_plan_url(new_plan))


# --- Goals -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    _require_edit(request, plan.unit_id)
    form = GoalForm(request.POST or None, plan=plan, initial={"level": request.GET.get("niva", Goal.Level.UNIT)})
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(actor=actor, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Målet är sparat.")
            return redirect(_goal_url(goal))
    return render(
        request,
        "governance/goal_form.html",
        {"form": form, "plan": plan, "goal": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    _require_edit(request, goal.plan.unit_id)
    initial = {f: getattr(goal, f) for f in services.GOAL_EDITABLE if f != "position"}
    form = GoalForm(request.POST or None, plan=goal.plan, editing=True, initial={**initial, "version": goal.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.goal_update(actor=actor, goal=goal, expected_version=form.cleaned_data["version"], **values)
        except ConflictError as error:
            form.add_error(None, str(error))
            status = 409
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Målet är sparat.")
            return redirect(_goal_url(goal))
    return render(
        request,
        "governance/goal_form.html",
        {"form": form, "plan": goal.plan, "goal": goal},
        status=status if status != 200 else (400 if form.errors else 200),
    )


def _follow_up_form(goal: Goal, period: str, follow_up: FollowUp | None, draft: Any, data: Any = None) -> FollowUpForm:
    initial = {
        "assessment": follow_up.assessment if follow_up else "",
        "analysis": follow_up.analysis if follow_up else "",
        "version": follow_up.version if follow_up else 0,
    }
    if draft is not None:
        initial.update(assessment=draft.assessment, analysis=draft.analysis)
    return FollowUpForm(
        data,
        initial=initial,
        draft_url=reverse("governance:follow_up_draft", args=[goal.pk, period]),
    )


@login_required
@require_GET
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    period = _period(request)
    return _render_goal(request, goal, period)


def _render_goal(
    request: HttpRequest, goal: Goal, period: str, *, form: FollowUpForm | None = None, status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    plan = goal.plan
    source = Source(today=clock.today())
    goal = Goal.objects.prefetch_related("indicators__indicator", "activities").get(pk=goal.pk)
    rows = selectors.indicator_rows(actor, goal, period, source=source)
    follow_up = selectors.follow_up_for(goal, period)
    draft = selectors.follow_up_draft(actor, goal, period)
    can_edit = selectors.may_edit(actor, plan.unit_id)
    histories = [
        {
            "row": row,
            "points": [
                (year, row.fmt(value))
                for year, value in selectors.history(source, row.indicator, plan.unit_id, plan.year)
            ],
            "chart_url": reverse("governance:chart", args=[plan.unit_id, row.indicator.code, plan.year]),
            "analysis_form": IndicatorAnalysisForm(
                initial={
                    "analysis": row.follow_up.analysis if row.follow_up else "",
                    "version": row.follow_up.version if row.follow_up else 0,
                },
                prefix=f"ind{row.goal_indicator.pk}",
            ),
        }
        for row in rows
    ]
    used = goal.indicators.values_list("indicator_id", flat=True)
    context = {
        "goal": goal,
        "plan": plan,
        "period": period,
        "periods": Period.choices,
        "rows": rows,
        "histories": histories,
        "texts": [(label, getattr(goal, name)) for name, label in documents.VP_TEXTS if getattr(goal, name)],
        "follow_up": follow_up,
        "revisions": selectors.follow_up_revisions(follow_up)[:5] if follow_up else [],
        "draft": draft if form is None else None,
        "form": form or _follow_up_form(goal, period, follow_up, draft),
        "can_edit": can_edit,
        "indicator_form": GoalIndicatorForm(
            indicators=selectors.indicators_in_force(datetime.date(plan.year, 12, 31)).exclude(pk__in=used)
        ),
        "activity_form": ActivityForm(
            initial={"starts_on": datetime.date(plan.year, 1, 1), "ends_on": datetime.date(plan.year, 12, 31)}
        ),
        "previous_year": plan.year - 1,
        "caption": f"{period} {plan.year}",
        "children": goal.children.all(),
    }
    return render(request, "governance/goal_detail.html", context, status=status)


@login_required
@require_POST
def goal_indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    _require_edit(request, goal.plan.unit_id)
    form = GoalIndicatorForm(request.POST, indicators=IndicatorDefinition.objects.all())
    if form.is_valid():
        try:
            services.goal_indicator_add(actor=actor, goal=goal, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "Indikatorn kunde inte läggas till: " + "; ".join(error.messages))
        else:
            messages.success(request, "Indikatorn är tillagd.")
    else:
        messages.error(request, "Indikatorn kunde inte läggas till: kontrollera indikator och årsmål.")
    return redirect(_goal_url(goal, _period(request)))


# --- The follow-up: save, autosave, versions -----------------------------------------------------------------


@login_required
@require_POST
def follow_up_save(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    if period not in Period.values:
        raise Http404("Okänd period.")
    _require_edit(request, goal.plan.unit_id)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _render_goal(request, goal, period, form=form, status=400)
    version = form.cleaned_data["version"]
    try:
        services.follow_up_save(
            actor=actor,
            goal=goal,
            period=period,
            assessment=form.cleaned_data["assessment"],
            analysis=form.cleaned_data["analysis"],
            expected_version=version,
        )
    except ConflictError as error:
        form.add_error(None, f"{error} Din text finns kvar i formuläret; den sparade visas under Versioner.")
        data = request.POST.copy()
        data["version"] = str(error.current_version or 0)
        rebound = FollowUpForm(data)
        rebound.is_valid()
        for message in form.non_field_errors():
            rebound.add_error(None, message)
        return _render_goal(request, goal, period, form=rebound, status=409)
    except ValidationError as error:
        apply_service_errors(form, error)
        return _render_goal(request, goal, period, form=form, status=400)
    messages.success(request, "Bedömning och analys är sparade.")
    return redirect(_goal_url(goal, period))


@login_required
@require_POST
def follow_up_draft(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    """Autosave (htmx) or "Spara utkast"/"Kasta utkast" without JavaScript."""
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    if period not in Period.values:
        raise Http404("Okänd period.")
    htmx = bool(getattr(request, "htmx", False))
    if request.POST.get("action") == "kasta":
        services.follow_up_draft_discard(actor=actor, goal=goal, period=period)
        message = "Utkastet är kastat."
    else:
        _require_edit(request, goal.plan.unit_id)
        if any("\x00" in request.POST.get(name, "") for name in ("assessment", "analysis")):
            # read without a form (autosave), so Django's own NUL check does not run; PostgreSQL cannot store it
            return HttpResponseBadRequest("Texten innehåller otillåtna tecken.")
        draft = services.follow_up_draft_save(
            actor=actor,
            goal=goal,
            period=period,
            assessment=request.POST.get("assessment", ""),
            analysis=request.POST.get("analysis", "")[:100_000],
        )
        message = f"Utkast sparat {timezone.localtime(draft.updated_at):%H:%M}"
    if htmx:
        response = render(request, "governance/draft_status.html", {"message": message})
        response["X-Bista-Draft"] = "saved"
        response["Cache-Control"] = "no-store"
        return response
    messages.success(request, message)
    return redirect(_goal_url(goal, period))


@login_required
@require_GET
def follow_up_history(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    follow_up = selectors.follow_up_for(goal, period) if period in Period.values else None
    if follow_up is None:
        raise Http404("Ingen uppföljning är sparad för perioden.")
    return render(
        request,
        "governance/follow_up_history.html",
        {"goal": goal, "period": period, "revisions": selectors.follow_up_revisions(follow_up)},
    )


@login_required
@require_POST
def indicator_analysis(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    """The analysis under one indicator of a goal (the VB's "Analys" row)."""
    actor = _actor(request)
    goal_indicator = GoalIndicator.objects.select_related("goal__plan", "indicator").filter(pk=pk).first()
    if goal_indicator is None or period not in Period.values:
        raise Http404("Indikatorn finns inte.")
    goal = selectors.goal_get(actor, goal_indicator.goal_id)
    _require_edit(request, goal.plan.unit_id)
    form = IndicatorAnalysisForm(request.POST, prefix=f"ind{pk}")
    if form.is_valid():
        try:
            services.follow_up_save(
                actor=actor,
                goal=goal,
                goal_indicator=goal_indicator,
                period=period,
                assessment="",
                analysis=form.cleaned_data["analysis"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            _conflict(request, error)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, f"Analysen av {goal_indicator.indicator.name} är sparad.")
    return redirect(_goal_url(goal, period))


# --- Activities -----------------------------------------------------------------------------------------


@login_required
@require_POST
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    goal = selectors.goal_get(actor, pk)
    _require_edit(request, goal.plan.unit_id)
    form = ActivityForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.activity_create(actor=actor, goal=goal, **values)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Aktiviteten är sparad.")
            return redirect(_goal_url(goal, _period(request)))
    return render(request, "governance/activity_form.html", {"form": form, "goal": goal, "activity": None}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    activity = selectors.activity_get(actor, pk)
    goal = activity.goal
    _require_edit(request, goal.plan.unit_id)
    initial = {f: getattr(activity, f) for f in services.ACTIVITY_EDITABLE if f != "position"}
    form = ActivityForm(request.POST or None, initial={**initial, "version": activity.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.activity_update(
                    actor=actor, activity=activity, expected_version=form.cleaned_data["version"], **values
                )
            except ConflictError as error:
                form.add_error(None, str(error))
                status = 409
            except ValidationError as error:
                apply_service_errors(form, error)
                status = 400
            else:
                messages.success(request, "Aktiviteten är sparad.")
                return redirect(_goal_url(goal))
        else:
            status = 400
    return render(
        request, "governance/activity_form.html", {"form": form, "goal": goal, "activity": activity}, status=status
    )


# --- Manual values and section texts --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def values(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    manual = IndicatorDefinition.objects.filter(source=IndicatorDefinition.Source.MANUAL).order_by("name")
    form = IndicatorValueForm(request.POST or None, indicators=manual)
    status = 200
    if request.method == "POST":
        _require_edit(request, plan.unit_id)
        if form.is_valid():
            try:
                services.indicator_value_save(actor=actor, unit=plan.unit, year=plan.year, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
                status = 400
            else:
                messages.success(request, "Värdet är sparat.")
                return redirect(reverse("governance:values", args=[plan.pk]))
        else:
            status = 400
    saved = (
        IndicatorValue.objects.filter(unit=plan.unit, year__in=[plan.year - 1, plan.year])
        .select_related("indicator", "entered_by")
        .order_by("indicator__name", "-year", "period")
    )
    return render(
        request,
        "governance/values.html",
        {"plan": plan, "form": form, "saved": saved, "can_edit": selectors.may_edit(actor, plan.unit_id)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, document: str, key: str) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    headings = dict(documents.section_headings(document, plan.year)) if document in DocumentKind.values else {}
    if key not in headings:
        raise Http404("Avsnittet finns inte.")
    section = plan.sections.filter(document=document, key=key).first()
    can_edit = selectors.may_edit(actor, plan.unit_id)
    form = SectionForm(
        request.POST or None,
        initial={"text": section.text if section else "", "version": section.version if section else 0},
    )
    status = 200
    if request.method == "POST":
        _require_edit(request, plan.unit_id)
        if form.is_valid():
            try:
                services.section_save(
                    actor=actor,
                    plan=plan,
                    document=document,
                    key=key,
                    text=form.cleaned_data["text"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, "Texten är sparad.")
                return redirect(_plan_url(plan))
        else:
            status = 400
    return render(
        request,
        "governance/section_form.html",
        {
            "plan": plan,
            "form": form,
            "section": section,
            "document_label": DocumentKind(document).label,
            "key_label": headings[key],
            "can_edit": can_edit,
        },
        status=status,
    )


# --- Drill-down and charts -------------------------------------------------------------------------------------


def _year(year: int) -> int:
    if not rules.MIN_YEAR <= year <= rules.MAX_YEAR:
        raise Http404("Året finns inte.")
    return year


@login_required
@require_GET
def drilldown(request: HttpRequest, unit_pk: int, code: str, year: int, period: str) -> HttpResponse:
    actor = _actor(request)
    if period not in Period.values:
        raise Http404("Okänd period.")
    try:
        drill = selectors.drilldown(actor, unit_id=unit_pk, code=code, year=_year(year), period=period)
    except ValueError as error:
        raise Http404(str(error)) from error
    staff_links = []
    if drill.staff_periods and drill.outcome.record_kind.startswith("staff:"):
        # The shifts behind a working-time figure are listed by the rostering context's indicator page.
        code = drill.outcome.record_kind.removeprefix("staff:")
        base = reverse("rostering:indicators")
        staff_links = [
            (
                period.label,
                f"{base}?{urlencode({'enhet': unit_pk, 'ar': year, 'underlag': code, 'period': period.key})}",
            )
            for period in drill.staff_periods
        ]
    return render(
        request,
        "governance/drilldown.html",
        {
            "drill": drill,
            "period_label": rules.period_label(year, period, drill.indicator.period_type),
            "value": rules.format_value(drill.outcome.value, drill.indicator.decimals, drill.indicator.unit_of_measure),
            "staff_links": staff_links,
        },
    )


@login_required
@require_GET
def chart(request: HttpRequest, unit_pk: int, code: str, year: int) -> HttpResponse:
    actor = _actor(request)
    selectors.require_view(actor, unit_pk)
    indicator = IndicatorDefinition.objects.filter(code=code).first()
    if indicator is None:
        raise Http404("Indikatorn finns inte.")
    source = Source(today=clock.today())
    points = selectors.history(source, indicator, unit_pk, _year(year))
    target = (
        GoalIndicator.objects.filter(goal__plan__unit_id=unit_pk, goal__plan__year=year, indicator=indicator)
        .values_list("target", flat=True)
        .first()
    )
    png = charts.line_chart_png(
        title=f"{indicator.name} {points[0][0]}–{points[-1][0]}",
        points=[(str(each), value) for each, value in points],
        target=target,
        decimals=indicator.decimals,
        unit_of_measure=indicator.unit_of_measure,
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Documents -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    form = DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Välj dokument och format.")
        return redirect(_plan_url(plan))
    try:
        made = services.documents_request(
            actor=actor, unit=plan.unit, year=plan.year, kind=form.cleaned_data["kind"], formats=form.formats()
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(_plan_url(plan))
    document = made[0]
    formats = " och ".join(d.format.upper() for d in made)
    messages.success(
        request, f"{document.get_kind_display()} {plan.year} ({formats}) skapas. Sidan visar när den är klar."
    )
    return redirect(reverse("governance:document", args=[document.pk]))


@login_required
@require_POST
def history_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute the earlier years' stored outcomes again (after a correction of their records)."""
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    _require_edit(request, plan.unit_id)
    count = services.history_store(plan=plan, today=clock.today(), actor=actor, recompute=True)
    messages.success(request, f"Tidigare års utfall är omräknade ({count} värden).")
    return redirect(_plan_url(plan))


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document's status, with every format made in the same request (DOCX and PDF: one download each);
    while any is being made, htmx asks again every two seconds (or reload)."""
    actor = _actor(request)
    document = selectors.document_get(actor, pk)
    group = selectors.document_group(actor, document)
    template = "governance/_document_status.html" if getattr(request, "htmx", False) else "governance/document.html"
    return render(
        request,
        template,
        {"document": document, "group": group, "running": any(d.status in ("queued", "running") for d in group)},
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(_actor(request), pk)
    if document.status != GeneratedDocument.Status.DONE or document.content is None:
        raise Http404("Dokumentet är inte klart.")
    response = HttpResponse(bytes(document.content), content_type=CONTENT_TYPES[document.format])
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Checksum-SHA256"] = document.sha256
    return response


@login_required
@require_GET
def preview(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The document as it would look now, as PDF, made on the spot (not kept)."""
    actor = _actor(request)
    plan = selectors.plan_get(actor, pk)
    try:
        services.check_document_possible(plan, plan.unit, plan.year, kind)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(_plan_url(plan))
    data = documents.report_data(plan, kind, today=clock.today())
    response = HttpResponse(documents.to_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="forhandsvisning-{kind}-{plan.year}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- Open data -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    """The indicator values of one unit and year as Kolada-style JSON or as CSV (one row per gender)."""
    actor = _actor(request)
    units = list(selectors.visible_units(actor))
    if not units:
        raise PermissionDenied(f"Behörighet saknas: {Perm.GOVERNANCE_VIEW}")
    form = UnitYearForm(request.GET, units=units)
    if fmt not in ("json", "csv") or not form.is_valid():
        return HttpResponse(
            "Ange enhet och år, t.ex. ?enhet=1&ar=2025.", status=400, content_type="text/plain; charset=utf-8"
        )
    rows = selectors.open_data(actor, unit_ids=[form.cleaned_data["enhet"]], year=form.cleaned_data["ar"])
    name = f"indikatorer-{form.cleaned_data['enhet']}-{form.cleaned_data['ar']}"
    if fmt == "json":
        body = json.dumps({"values": rows}, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    download = CsvDownload(
        name, ["kpi", "kpi_title", "municipality", "ou", "ou_title", "period", "gender", "value", "unit"]
    )
    for row in rows:
        for value in row["values"]:
            number = "" if value["value"] is None else str(value["value"]).replace(".", ",")
            download.row(
                [
                    row["kpi"],
                    row["kpi_title"],
                    row["municipality"],
                    row["ou"],
                    row["ou_title"],
                    row["period"],
                    value["gender"],
                    number,
                    row["unit_of_measure"],
                ]
            )
    return download.response
