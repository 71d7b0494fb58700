"""Open shifts: the unit's shifts without anyone, and for one of them the ranked list of who can take it
without breaking a rule, each with a one-click "Tilldela" (a plain POST form: it works without JavaScript)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bista.core import clock
from bista.core.errors import ConflictError
from bista.core.models import Unit
from bista.rostering import rules, selectors, services
from bista.rostering.forms import AssignForm, UnitPeriodForm
from bista.rostering.models import Shift
from bista.rostering.views.common import roster_unit_ids, section, status_label
from bista.rostering.views.shifts import split_rule_violations, warning_texts
from bista.staff.models import Employee

DEFAULT_DAYS = 28


@login_required
@require_GET
def open_shift_list(request: HttpRequest) -> HttpResponse:
    unit_ids = roster_unit_ids(request.user)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.view")
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    form = UnitPeriodForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit = next((u for u in units if u.pk == data.get("enhet")), units[0])
    start = data.get("fran") or clock.today()
    end = data.get("till") or start + datetime.timedelta(days=DEFAULT_DAYS - 1)
    shifts = selectors.open_shifts(request.user, unit, start, end)
    labels = selectors.client_labels(request.user, ((shift.client, shift.unit_id) for shift in shifts))
    rows = [
        (shift, rules.format_span(shift.starts_at, shift.ends_at), status_label(shift), labels[shift.client_id])
        for shift in shifts
    ]
    can_manage = selectors.can_manage_roster(request.user, unit)
    requests = selectors.pending_requests(request.user, unit) if can_manage else []
    request_labels = selectors.client_labels(request.user, ((r.shift.client, unit.pk) for r in requests))
    context = {
        "form": form,
        "unit": unit,
        "start": start,
        "end": end,
        "rows": rows,
        "requests": [
            (r, rules.format_span(r.shift.starts_at, r.shift.ends_at), request_labels[r.shift.client_id])
            for r in requests
        ],
        "auto_assign": services.auto_assigns(unit) if can_manage else False,
        "can_manage": can_manage,
        "section": section(request.user),
        "current": "open_shifts",
    }
    return render(request, "rostering/open_shifts.html", context)


def _page(
    request: HttpRequest, shift: Shift, *, violations: list[str] | None = None, status: int = 200, log: str = ""
) -> HttpResponse:
    can_manage = selectors.can_manage_roster(request.user, shift.unit_id)
    is_open = shift.employee_id is None and shift.status in (Shift.Status.DRAFT, Shift.Status.PUBLISHED)
    candidates = selectors.open_shift_candidates(request.user, shift) if is_open else []
    context: dict[str, Any] = {
        "shift": shift,
        "client_label": selectors.client_labels(request.user, [(shift.client, shift.unit_id)], log=log)[
            shift.client_id
        ],
        "span": rules.format_span(shift.starts_at, shift.ends_at),
        "length": rules.explain_duration(shift.duration),
        "status": status_label(shift),
        "is_open": is_open,
        "candidates": [
            (c, rules.explain_hours(c.overtime_hours) if c.overtime_hours else "Ingen", warning_texts(c.warnings))
            for c in candidates
        ],
        "can_manage": can_manage,
        "violations": violations or [],
        "section": section(request.user),
        "current": "open_shifts",
    }
    return render(request, "rostering/open_shift.html", context, status=status)


@login_required
@require_GET
def open_shift(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(request.user, pk)
    if not selectors.can_view_roster(request.user, shift.unit_id):
        raise PermissionDenied("Behörighet saknas: roster.view")
    return _page(request, shift, log="öppet pass")


@login_required
@require_POST
def open_shift_assign(request: HttpRequest, pk: int) -> HttpResponse:
    shift = selectors.shift_get(request.user, pk)
    if not selectors.can_manage_roster(request.user, shift.unit_id):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    form = AssignForm(request.POST)
    employee = None
    if form.is_valid():
        employee = Employee.objects.filter(pk=form.cleaned_data["employee"], unit_id=shift.unit_id).first()
    if employee is None:
        messages.error(request, "Välj en medarbetare i listan.")
        return _page(request, shift, status=400)
    try:
        assigned = services.open_shift_assign(
            actor=request.user, shift=shift, employee=employee, version=form.cleaned_data["version"]
        )
    except ConflictError:
        messages.error(
            request,
            "Passet har ändrats sedan sidan visades (kanske tillsatt av någon annan). Se läget nedan och försök igen.",
        )
        return _page(request, selectors.shift_get(request.user, pk), status=409)
    except ValidationError as error:
        violations, rest = split_rule_violations(error)
        if rest is not None:
            violations += [m for m in rest.messages]
        return _page(request, shift, violations=violations, status=400)
    messages.success(request, f"Passet är tilldelat {employee.full_name}.")
    for text in warning_texts(services.warnings_of(assigned)):
        messages.warning(request, f"Varning – {text}")
    return redirect("rostering:shift", pk=assigned.pk)
