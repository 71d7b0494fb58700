"""The absence register of a unit (filter by unit, team, kind and period) and registering, correcting, ending
and cancelling an absence. Only for those who manage absences (absence.manage) in the employee's unit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.forms import MAX_ID, apply_service_errors, edit_versioned, refreshed
from bista.core.permissions import Perm
from bista.staff import selectors, services
from bista.staff.forms import AbsenceCancelForm, AbsenceCreateForm, AbsenceEditForm, AbsenceEndForm, AbsenceFilterForm
from bista.staff.models import Absence

PAGE_SIZE = 50
ABSENCE_FIELDS = ("kind", "starts_on", "ends_on", "extent", "note")


def _int_param(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


@login_required
def absence_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.ABSENCE_MANAGE])
    units = list(selectors.absence_units(request.user))
    teams = list(selectors.absence_teams(request.user).select_related("unit"))
    wanted_unit = _int_param(request.GET.get("enhet"))
    if wanted_unit is not None and wanted_unit not in unit_ids:
        raise PermissionDenied("Behörighet saknas.")  # another unit's register: refused, not shown empty
    form = AbsenceFilterForm(request.GET or None, units=units, teams=teams)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "unit_id": data["enhet"],
            "team_id": data["arbetsgrupp"],
            "kind": data["typ"],
            "start": data["fran"],
            "end": data["till"],
            "include_cancelled": data["makulerade"],
        }
    # Only the register of units where the actor manages absences: not the actor's own from elsewhere.
    absences = selectors.absence_search(request.user, **filters).filter(employee__unit_id__in=unit_ids)
    page = Paginator(absences, PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {"form": form, "page": page, "today": clock.today()}
    return render(request, "staff/absence_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def absence_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.ABSENCE_MANAGE])
    employees = selectors.absence_employees(request.user)
    initial: dict[str, Any] = {"starts_on": clock.today(), "kind": Absence.Kind.SICK, "extent": 100}
    wanted = _int_param(request.GET.get("medarbetare"))
    if wanted is not None and employees.filter(pk=wanted).exists():
        initial["employee"] = wanted
    form = AbsenceCreateForm(
        request.POST or None, initial=initial, employees=employees, several_units=len(unit_ids) > 1
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = services.absence_create(
                actor=request.user, employee=data["employee"], **{name: data[name] for name in ABSENCE_FIELDS}
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Frånvaron för {absence.employee.full_name} är registrerad.")
            return redirect("staff:absences")
    return render(request, "staff/absence_form.html", {"form": form, "title": "Registrera frånvaro"})


@login_required
@require_http_methods(["GET", "POST"])
def absence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    absence = selectors.managed_absence(request.user, pk)
    initial = {name: getattr(absence, name) for name in ABSENCE_FIELDS} | {"version": absence.version}
    form = AbsenceEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.absence_update(
                actor=request.user,
                absence=absence,
                version=data["version"],
                **{name: data[name] for name in ABSENCE_FIELDS},
            ),
            reload=lambda: refreshed(absence),
            hint="Dina uppgifter finns kvar i formuläret.",
        )
        if edit.done:
            messages.success(request, "Frånvaron är ändrad.")
            return redirect("staff:absences")
        form, status = edit.form, 409 if edit.conflict else status
    context = {"form": form, "absence": absence, "title": f"Ändra frånvaro för {absence.employee.full_name}"}
    return render(request, "staff/absence_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def absence_end(request: HttpRequest, pk: int) -> HttpResponse:
    absence = selectors.managed_absence(request.user, pk)
    form = AbsenceEndForm(request.POST or None, initial={"ends_on": clock.today(), "version": absence.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.absence_end(
                actor=request.user, absence=absence, ends_on=data["ends_on"], version=data["version"]
            ),
            reload=lambda: refreshed(absence),
            hint="",
        )
        if edit.done:
            messages.success(request, "Frånvaron är avslutad.")
            return redirect("staff:absences")
        form, status = edit.form, 409 if edit.conflict else status
    context = {"form": form, "absence": absence, "title": f"Avsluta frånvaro för {absence.employee.full_name}"}
    return render(request, "staff/absence_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def absence_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    absence = selectors.managed_absence(request.user, pk)
    form = AbsenceCancelForm(request.POST or None, initial={"version": absence.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.absence_cancel(actor=request.user, absence=absence, version=data["version"]),
            reload=lambda: refreshed(absence),
            hint="Kontrollera uppgifterna nedan innan du makulerar.",
        )
        if edit.done:
            messages.success(request, "Frånvaron är makulerad.")
            return redirect("staff:absences")
        form, status = edit.form, 409 if edit.conflict else status
    context = {"form": form, "absence": absence, "title": f"Makulera frånvaro för {absence.employee.full_name}"}
    return render(request, "staff/absence_cancel.html", context, status=status)
