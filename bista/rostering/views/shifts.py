"""One shift: lay it by hand, see it, change a draft, cancel it; and the sick call that frees a person's
shifts as open shifts.

A rule the shift would break is shown as a list naming the rule; a rule that only warns (hours beyond the
contract or the decision) is shown after saving. A stale save keeps what the user typed and shows what is
saved now.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.clients.models import Client
from bista.core import clock
from bista.core.errors import ConflictError
from bista.core.forms import edit_versioned
from bista.rostering import rules, selectors, services
from bista.rostering.facts import Violation
from bista.rostering.forms import (
    ShiftCancelForm,
    ShiftEditForm,
    ShiftForm,
    SickCallForm,
    shift_initial,
)
from bista.rostering.models import Shift
from bista.rostering.views.common import (
    int_param,
    local,
    manage_unit_ids,
    monday_of,
    rule_name,
    section,
    status_label,
)
from bista.staff.models import Employee

# Where a service's field errors are shown on the shift form.
SHIFT_FIELD_MAP = {"starts_at": "starts_time", "ends_at": "ends_time", "employee": "employee", "kind": "kind"}
# How far back an ended employee still shows in the shift form's list (to correct last month's drafts).
ENDED_EMPLOYEES_DAYS = 62


def _require_manage(user: Any) -> set[int]:
    unit_ids = manage_unit_ids(user)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.manage")
    return unit_ids


def _clients(unit_ids: set[int]) -> QuerySet[Client]:
    """Active clients linked to the units (what a manager may lay shifts for)."""
    return (
        Client.objects.filter(is_active=True, unit_links__unit_id__in=unit_ids, unit_links__until__isnull=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _employees(unit_ids: set[int]) -> QuerySet[Employee]:
    since = clock.today() - datetime.timedelta(days=ENDED_EMPLOYEES_DAYS)
    return (
        Employee.objects.filter(unit_id__in=unit_ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .order_by("last_name", "first_name", "pk")
    )


# --- Errors from the services ---------------------------------------------------------------------------


def split_rule_violations(error: ValidationError) -> tuple[list[str], ValidationError | None]:
    """The rule violations in a service's error, each as "Rule: explanation", and the rest of the error."""
    violations: list[str] = []
    rest: dict[str, list[ValidationError]] = {}
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.error_list)]
    for field, errors in items:
        for item in errors:
            if item.code == "rule_violation":
                rule = (item.params or {}).get("rule")
                text = item.messages[0] if hasattr(item, "messages") else str(item)
                violations.append(f"{rule_name(rule)}: {text}" if rule else text)
            else:
                rest.setdefault(field, []).append(item)
    return violations, (ValidationError(rest) if rest else None)  # type: ignore[arg-type]


def show_service_errors(form: forms.BaseForm, error: ValidationError, field_map: dict[str, str]) -> None:
    """A service's field errors on the form's matching field, the others on top."""
    items = error.error_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.error_list)]
    for field, errors in items:
        target = field_map.get(field, field)
        target_field = target if target in form.fields else None
        for item in errors:
            form.add_error(target_field, item.messages[0] if hasattr(item, "messages") else str(item))


def warning_texts(warnings: list[Violation]) -> list[str]:
    return [f"{rule_name(v.rule)}: {v.message}" for v in warnings]


def _flash_warnings(request: HttpRequest, shift: Shift) -> None:
    for text in warning_texts(services.warnings_of(shift)):
        messages.warning(request, f"Varning – {text}")


def _save_errors(form: forms.BaseForm, error: ValidationError) -> list[str]:
    violations, rest = split_rule_violations(error)
    if rest is not None:
        show_service_errors(form, rest, SHIFT_FIELD_MAP)
    return violations


# --- Create ---------------------------------------------------------------------------------------------


def _create_initial(request: HttpRequest, clients: QuerySet[Client], employees: QuerySet[Employee]) -> dict[str, Any]:
    initial: dict[str, Any] = {"starts_on": clock.today()}
    with contextlib.suppress(ValueError):
        initial["starts_on"] = datetime.date.fromisoformat(request.GET.get("datum", ""))
    client_id, employee_id = int_param(request.GET.get("brukare")), int_param(request.GET.get("medarbetare"))
    if client_id and clients.filter(pk=client_id).exists():
        initial["client"] = client_id
    if employee_id and employees.filter(pk=employee_id).exists():
        initial["employee"] = employee_id
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def shift_create(request: HttpRequest) -> HttpResponse:
    unit_ids = _require_manage(request.user)
    clients, employees = _clients(unit_ids), _employees(unit_ids)
    if request.method == "POST":
        form = ShiftForm(request.POST, clients=clients, employees=employees)
    else:
        form = ShiftForm(initial=_create_initial(request, clients, employees), clients=clients, employees=employees)
    violations: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.shift_create(
                actor=request.user,
                client=data["client"],
                employee=data["employee"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                kind=data["kind"],
                note=data["note"],
            )
        except ValidationError as error:
            violations = _save_errors(form, error)
        else:
            messages.success(request, "Passet är sparat som utkast.")
            _flash_warnings(request, shift)
            return redirect("rostering:shift", pk=shift.pk)
    context = {"form": form, "violations": violations, "title": "Lägg till pass", "section": section(request.user)}
    return render(request, "rostering/shift_form.html", context)


# --- One shift ------------------------------------------------------------------------------------------


def _shift(request: HttpRequest, pk: int) -> Shift:
    return selectors.shift_get(request.user, pk)


def _managed_shift(request: HttpRequest, pk: int) -> Shift:
    """The shift, if the user sees it (else 404) and may lay the roster of its unit (else 403)."""
    shift = _shift(request, pk)
    if not selectors.can_manage_roster(request.user, shift.unit_id):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    return shift


def _detail_context(
    request: HttpRequest, shift: Shift, cancel_form: ShiftCancelForm | None = None, *, log: str = ""
) -> dict[str, Any]:
    can_manage = selectors.can_manage_roster(request.user, shift.unit_id)
    live = shift.status in (Shift.Status.DRAFT, Shift.Status.PUBLISHED)
    if cancel_form is None and can_manage and live:
        cancel_form = ShiftCancelForm(initial={"version": shift.version})
    start = local(shift.starts_at)
    return {
        "shift": shift,
        "client_label": selectors.client_labels(request.user, [(shift.client, shift.unit_id)], log=log)[
            shift.client_id
        ],
        "status": status_label(shift),
        "span": rules.format_span(shift.starts_at, shift.ends_at),
        "length": rules.explain_duration(shift.duration),
        "can_manage": can_manage,
        "can_edit": can_manage and shift.status == Shift.Status.DRAFT,
        "is_open": shift.employee_id is None and live,
        "cancel_form": cancel_form if can_manage and live else None,
        "replaced_by": list(shift.replaced_by.select_related("employee").order_by("pk")) if can_manage else [],
        "week_url": f"{reverse('rostering:roster')}?datum={monday_of(start.date()).isoformat()}",
        "section": section(request.user),
    }


@login_required
@require_GET
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _shift(request, pk)
    return render(request, "rostering/shift_detail.html", _detail_context(request, shift, log="arbetspass"))


def _saved_now(shift: Shift) -> list[tuple[str, str]]:
    """The shift as saved now, to compare with the user's input after a conflict."""
    return [
        ("Medarbetare", shift.employee.full_name if shift.employee else "Öppet pass"),
        ("Tid", rules.format_span(shift.starts_at, shift.ends_at)),
        ("Typ av tid", str(shift.get_kind_display())),
        ("Anteckning", shift.note or "–"),
        ("Status", status_label(shift)),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _managed_shift(request, pk)
    clients = Client.objects.filter(pk=shift.client_id)
    employees = _employees({shift.unit_id})
    form_kwargs = {"clients": clients, "employees": employees}
    if shift.status != Shift.Status.DRAFT:
        messages.error(request, "Passet är inte ett utkast och kan inte ändras här. Ställ in det eller tillsätt det.")
        return redirect("rostering:shift", pk=shift.pk)
    if request.method == "POST":
        form = ShiftEditForm(request.POST, initial=shift_initial(shift), **form_kwargs)
    else:
        form = ShiftEditForm(initial=shift_initial(shift), **form_kwargs)
    violations: list[str] = []
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.shift_update(
                actor=request.user,
                shift=shift,
                version=data["version"],
                employee=data["employee"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                kind=data["kind"],
                note=data["note"],
            ),
            reload=lambda: Shift.objects.select_related("employee", "client").get(pk=shift.pk),
            rebind=lambda current: {"initial": shift_initial(current), **form_kwargs},
            compare=lambda form, current: _saved_now(current),
            invalid=lambda form, error: violations.extend(_save_errors(form, error)),
        )
        if edit.done and edit.result is not None:
            messages.success(request, "Ändringarna är sparade.")
            _flash_warnings(request, edit.result)
            return redirect("rostering:shift", pk=shift.pk)
        form, saved = edit.form, edit.saved
    context = {
        "form": form,
        "violations": violations,
        "saved": saved,
        "shift": shift,
        "client_label": selectors.client_labels(
            request.user, [(shift.client, shift.unit_id)], log="ändra arbetspass" if request.method == "GET" else ""
        )[shift.client_id],
        "title": "Ändra pass",
        "section": section(request.user),
    }
    return render(request, "rostering/shift_form.html", context)


@login_required
@require_POST
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _managed_shift(request, pk)
    form = ShiftCancelForm(request.POST)
    if form.is_valid():
        try:
            services.shift_cancel(
                actor=request.user,
                shift=shift,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            shift = _shift(request, pk)
            form = ShiftCancelForm(initial={"version": shift.version, "reason": form.cleaned_data["reason"]})
            form.add_error(None, f"{error} Kontrollera passet nedan innan du ställer in det.")
        except ValidationError as error:
            show_service_errors(form, error, {"status": NON_FIELD_ERRORS})
        else:
            messages.success(request, "Passet är inställt.")
            return redirect("rostering:shift", pk=shift.pk)
    return render(request, "rostering/shift_detail.html", _detail_context(request, shift, cancel_form=form), status=400)


# --- Sick call ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sick_call(request: HttpRequest) -> HttpResponse:
    """Sjukanmälan: register the sick leave; the employee's published shifts in it become open shifts."""
    unit_ids = _require_manage(request.user)
    employees = _employees(unit_ids)
    initial: dict[str, Any] = {"starts_on": clock.today()}
    wanted = int_param(request.GET.get("medarbetare"))
    if wanted and employees.filter(pk=wanted).exists():
        initial["employee"] = wanted
    form = SickCallForm(request.POST or None, initial=initial, employees=employees)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence, opened = services.sick_call(
                actor=request.user,
                employee=data["employee"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as error:
            show_service_errors(form, error, {"kind": NON_FIELD_ERRORS, "extent": NON_FIELD_ERRORS})
        else:
            opened_text = f" {len(opened)} pass blev öppna pass." if opened else ""
            messages.success(request, f"Sjukanmälan är registrerad.{opened_text}")
            return redirect("rostering:sick_call_result", pk=absence.pk)
    to_cover = [call for unit_id in sorted(unit_ids) for call in selectors.sick_calls_to_cover(request.user, unit_id)]
    context = {"form": form, "to_cover": to_cover, "section": section(request.user), "current": "sick_call"}
    return render(request, "rostering/sick_call.html", context)
