"""Employee pages: list and search, register, change. The card with its details is in `details`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.core.access import has_perm, require_any_unit, unit_ids_with
from bista.core.errors import ConflictError
from bista.core.forms import apply_service_errors
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.staff import selectors, services
from bista.staff.forms import EMPLOYEE_FIELDS, EmployeeCreateForm, EmployeeEditForm, EmployeeSearchForm

PAGE_SIZE = 50


@login_required
def employee_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.EMPLOYEE_VIEW])
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    form = EmployeeSearchForm(request.GET or None, units=units)
    query, unit_id, everyone = "", None, False
    if form.is_valid():
        query, unit_id, everyone = form.cleaned_data["q"], form.cleaned_data["enhet"], form.cleaned_data["alla"]
    employees = selectors.employee_search(request.user, query, unit_id=unit_id, current_only=not everyone)
    page = Paginator(employees.prefetch_related("teams"), PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "form": form,
        "page": page,
        "can_create": bool(unit_ids_with(request.user, Perm.EMPLOYEE_MANAGE)),
        "can_manage_absences": bool(unit_ids_with(request.user, Perm.ABSENCE_MANAGE)),
    }
    template = "staff/_results.html" if request.htmx else "staff/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.EMPLOYEE_MANAGE])
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    teams = Team.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("unit__name", "name")
    form = EmployeeCreateForm(request.POST or None, units=units, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employee = services.employee_create(
                actor=request.user,
                unit=data["unit"],
                personnummer=data["personnummer_input"],
                teams=data["teams"],
                **{name: data[name] for name in EMPLOYEE_FIELDS},
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "personnummer" in error.error_dict:
                error.error_dict["personnummer_input"] = error.error_dict.pop("personnummer")
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{employee.full_name} är registrerad.")
            return redirect("staff:card", pk=employee.pk)
    return render(request, "staff/form.html", {"form": form, "title": "Registrera medarbetare"})


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = selectors.employee_get(request.user, pk)
    if not has_perm(request.user, Perm.EMPLOYEE_MANAGE, employee.unit_id):
        raise PermissionDenied
    teams = Team.objects.filter(unit_id=employee.unit_id, is_active=True).order_by("name")
    form = EmployeeEditForm(request.POST or None, instance=employee, teams=teams, initial={"version": employee.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.employee_update(
                actor=request.user,
                employee=employee,
                expected_version=data["version"],
                teams=data["teams"],
                **{name: data[name] for name in EMPLOYEE_FIELDS},
            )
        except ConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Ändringarna är sparade.")
            return redirect("staff:card", pk=employee.pk)
    return render(
        request, "staff/form.html", {"form": form, "title": f"Ändra {employee.full_name}", "employee": employee}
    )
