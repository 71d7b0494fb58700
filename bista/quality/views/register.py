"""The management system's registers: routines (with owner, version and the yearly review) and the
self-check plan (egenkontrollplan) with its recorded results. Where a self-check is computed from the
records, the plan links to the care context's self-check page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bista.care.selfchecks import NAMES as CARE_SELF_CHECKS
from bista.core import clock
from bista.core.access import has_perm, require_any_unit, unit_ids_with, valid_on
from bista.core.forms import MAX_ID, apply_service_errors, edit_versioned
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm
from bista.quality import selectors, services
from bista.quality.forms.register import (
    ROUTINE_FIELDS,
    PlanUnitForm,
    RoutineCreateForm,
    RoutineEditForm,
    RoutineFilterForm,
    SelfCheckItemForm,
    SelfCheckResultForm,
)
from bista.quality.models import Routine, SelfCheckPlanItem, SelfCheckResult

PAGE_SIZE = 50
ITEM_FIELDS = ("what", "method", "frequency", "responsible", "computed_check")


def _members(unit_ids: set[int], keep: Any = None) -> QuerySet[Any]:
    """Users with a current role in one of the units (owners and responsible persons); `keep` stays a choice."""
    user_ids = Membership.objects.filter(valid_on(clock.today()), unit_id__in=unit_ids).values("user_id")
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    if keep is not None:
        users = users | get_user_model().objects.filter(pk=keep.pk)
    return users.distinct().order_by("last_name", "first_name", "id")


def _int_param(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


# --- Routines ---------------------------------------------------------------------------------------


def next_review(reviewed_on: datetime.date) -> datetime.date:
    """A routine is reviewed at least once a year: a year after the last review (28 February after a 29th)."""
    try:
        return reviewed_on.replace(year=reviewed_on.year + 1)
    except ValueError:
        return reviewed_on.replace(year=reviewed_on.year + 1, day=28)


@dataclass(frozen=True)
class RoutineRow:
    routine: Routine
    next_review: datetime.date
    overdue: bool

    @property
    def is_link(self) -> bool:
        content = self.routine.content.strip()
        return content.startswith(("https://", "http://")) and not any(c.isspace() for c in content)


@login_required
def routine_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_VIEW, Perm.QUALITY_REPORT])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    form = RoutineFilterForm(request.GET or None, units=units)
    routines = selectors.visible_routines(request.user).select_related("owner", "unit")
    only_overdue = False
    include_inactive = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["enhet"]:
            routines = routines.filter(unit_id=data["enhet"])
        include_inactive = data["inaktuella"]
        only_overdue = data["forsenade"]
    if not include_inactive:
        routines = routines.filter(is_active=True)
    today = clock.today()
    rows = []
    for routine in routines.order_by("name", "id"):
        due = next_review(routine.reviewed_on)
        row = RoutineRow(routine, due, routine.is_active and due < today)
        if row.overdue or not only_overdue:
            rows.append(row)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("sida"))
    managed = unit_ids_with(request.user, Perm.QUALITY_MANAGE)
    return render(
        request,
        "quality/routine_list.html",
        {
            "form": form,
            "page": page,
            "overdue_count": sum(1 for row in rows if row.overdue),
            "several_units": len(units) > 1,
            "managed_unit_ids": managed,
            "can_create": bool(managed),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def routine_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_MANAGE])
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    today = clock.today()
    form = RoutineCreateForm(
        request.POST or None,
        initial={"owner": request.user.pk, "adopted_on": today, "reviewed_on": today, "version_label": "1.0"},
        units=units,
        people=_members(unit_ids),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            routine = services.routine_create(
                actor=request.user,
                unit=data["unit"],
                **{name: data[name] for name in ROUTINE_FIELDS if name != "is_active"},
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Rutinen {routine.name} är registrerad.")
            return redirect("quality:routine_list")
    return render(request, "quality/routine_form.html", {"form": form, "title": "Ny rutin"})


@login_required
@require_http_methods(["GET", "POST"])
def routine_edit(request: HttpRequest, pk: int) -> HttpResponse:
    routine = selectors.visible_routines(request.user).select_related("owner").filter(pk=pk).first()
    if routine is None:
        raise Http404("Rutinen finns inte eller så saknar du behörighet.")
    if not has_perm(request.user, Perm.QUALITY_MANAGE, routine.unit_id):
        raise PermissionDenied("Behörighet saknas: quality.manage")
    people = _members({routine.unit_id}, keep=routine.owner)
    form = RoutineEditForm(
        request.POST or None,
        instance=routine,
        initial={"version": routine.version},
        people=people,
        unit_id=routine.unit_id,
    )
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.routine_update(
                actor=request.user,
                routine=routine,
                expected_version=data["version"],
                **{name: data[name] for name in ROUTINE_FIELDS},
            ),
            reload=lambda: selectors.visible_routines(request.user).select_related("owner").get(pk=pk),
            rebind=lambda current: {"instance": current, "people": people, "unit_id": routine.unit_id},
            compare=ROUTINE_FIELDS,
        )
        if edit.done:
            messages.success(request, f"Rutinen {routine.name} är sparad.")
            return redirect("quality:routine_list")
        form, saved = edit.form, edit.saved
    return render(
        request,
        "quality/routine_form.html",
        {"form": form, "title": f"Ändra rutin: {routine.name}", "routine": routine, "saved": saved},
    )


# --- The self-check plan ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    item: SelfCheckPlanItem
    latest: SelfCheckResult | None
    computed_name: str  # the care self-check it is computed by, if any
    can_record: bool


def _plan_unit(request: HttpRequest, units: list[Unit]) -> Unit:
    """The unit asked for (one where the user may see the plan; another is refused), else the first one the
    user manages, else the first one."""
    raw = request.GET.get("enhet", "")
    if raw:
        wanted = _int_param(raw)
        unit = next((u for u in units if u.pk == wanted), None)
        if unit is None:
            raise PermissionDenied("Behörighet saknas: quality.view")
        return unit
    managed = unit_ids_with(request.user, Perm.QUALITY_MANAGE)
    return next((u for u in units if u.pk in managed), units[0])


def _item_form(request: HttpRequest, data: Any = None, unit: Unit | None = None) -> SelfCheckItemForm:
    unit_ids = unit_ids_with(request.user, Perm.QUALITY_MANAGE)
    return SelfCheckItemForm(
        data,
        initial={"unit": unit.pk} if unit else {},
        units=Unit.objects.filter(pk__in=unit_ids).order_by("name"),
        people=_members(unit_ids),
        computed_checks=CARE_SELF_CHECKS,
    )


@login_required
def self_check_plan(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_VIEW])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    unit = _plan_unit(request, units)
    can_manage = has_perm(request.user, Perm.QUALITY_MANAGE, unit.pk)
    items = selectors.self_check_plan(request.user, unit.pk).select_related("responsible").order_by("what", "id")
    rows = [
        PlanRow(
            item=item,
            latest=next(iter(item.results.all()), None),
            computed_name=CARE_SELF_CHECKS.get(item.computed_check, ""),
            can_record=can_manage or item.responsible_id == request.user.pk,
        )
        for item in items
    ]
    return render(
        request,
        "quality/self_check_plan.html",
        {
            "unit": unit,
            "unit_form": PlanUnitForm(initial={"enhet": unit.pk}, units=units) if len(units) > 1 else None,
            "rows": rows,
            "item_form": _item_form(request, unit=unit) if can_manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_check_item_create(request: HttpRequest) -> HttpResponse:
    require_any_unit(request.user, [Perm.QUALITY_MANAGE])
    wanted = _int_param(request.GET.get("enhet"))
    unit = (
        Unit.objects.filter(pk=wanted).first() if wanted in unit_ids_with(request.user, Perm.QUALITY_MANAGE) else None
    )
    form = _item_form(request, request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.self_check_item_create(
                actor=request.user, unit=data["unit"], **{name: data[name] for name in ITEM_FIELDS}
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Egenkontrollen {item.what} är tillagd i planen.")
            return redirect(f"{reverse('quality:self_check_plan')}?enhet={item.unit_id}")
    return render(
        request,
        "quality/self_check_plan_item_form.html",
        {"form": form, "title": "Lägg till egenkontroll i planen"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def self_check_result(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.self_check_item_get(request.user, pk)
    can_record = has_perm(request.user, Perm.QUALITY_MANAGE, item.unit_id) or item.responsible_id == request.user.pk
    if request.method == "POST" and not can_record:
        raise PermissionDenied("Behörighet saknas: quality.manage")
    form = SelfCheckResultForm(request.POST or None, initial={"performed_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.self_check_result_record(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Resultatet är registrerat.")
            return redirect(f"{reverse('quality:self_check_plan')}?enhet={item.unit_id}")
    return render(
        request,
        "quality/self_check_plan_result.html",
        {
            "item": item,
            "form": form if can_record else None,
            "results": item.results.select_related("recorded_by").order_by("-performed_on", "-id"),
            "computed_name": CARE_SELF_CHECKS.get(item.computed_check, ""),
        },
    )
