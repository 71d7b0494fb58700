"""A client's staffing: the staff the client has chosen or does not want, the competences the client's needs
require, and who has been introduced. Seeing it needs the client visible and employee.view in one of the
client's units; changing it employee.manage. Every read is logged as a read of the client's data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bista.core import clock
from bista.core.forms import apply_service_errors
from bista.staff import selectors, services
from bista.staff.forms import CompetenceNeedForm, EndForm, StaffChoiceForm

CHOICE_PREFIX = "val"
NEED_PREFIX = "krav"


def _choice_form(request: HttpRequest, client: Any, data: Any = None) -> StaffChoiceForm:
    employees = selectors.staffing_employees(request.user, client)
    if data is not None:
        return StaffChoiceForm(data, prefix=CHOICE_PREFIX, employees=employees)
    return StaffChoiceForm(
        prefix=CHOICE_PREFIX, employees=employees, initial={"since": clock.today(), "kind": "chosen"}
    )


def _need_form(data: Any = None) -> CompetenceNeedForm:
    today = clock.today()
    choices = {
        "competences": selectors.competences_in_force(today),
        "kinds": selectors.delegation_kinds_in_force(today),
    }
    if data is not None:
        return CompetenceNeedForm(data, prefix=NEED_PREFIX, **choices)
    return CompetenceNeedForm(prefix=NEED_PREFIX, initial={"since": today}, **choices)


def _render(
    request: HttpRequest, client_id: int, *, choice_form: forms.Form | None = None, need_form: forms.Form | None = None
) -> HttpResponse:
    staffing = selectors.client_staffing(request.user, client_id)
    context: dict[str, Any] = {"staffing": staffing, "client": staffing.client}
    if staffing.can_manage:
        context["choice_form"] = choice_form or _choice_form(request, staffing.client)
        context["need_form"] = need_form or _need_form()
        context["open_form"] = "choice" if choice_form else "need" if need_form else ""
    return render(request, "staff/client_staffing.html", context)


@login_required
def client_staffing(request: HttpRequest, client_id: int) -> HttpResponse:
    return _render(request, client_id)


def _back(client_id: int, anchor: str) -> HttpResponse:
    return redirect(f"{reverse('staff:client_staffing', args=[client_id])}#{anchor}")


@login_required
@require_POST
def staff_choice_add(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.staffing_client(request.user, client_id, to_manage=True, detail="ändra val av personal")
    form = _choice_form(request, client, request.POST)
    if form.is_valid():
        try:
            services.client_staff_choice_add(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Valet är registrerat.")
            return _back(client_id, "val")
    return _render(request, client_id, choice_form=form)


@login_required
@require_POST
def competence_need_add(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.staffing_client(request.user, client_id, to_manage=True, detail="ändra kompetenskrav")
    form = _need_form(request.POST)
    if form.is_valid():
        try:
            services.client_competence_need_add(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Kravet är registrerat.")
            return _back(client_id, "krav")
    return _render(request, client_id, need_form=form)


def _end(request: HttpRequest, client_id: int, end: Any, done: str, failed: str, anchor: str) -> HttpResponse:
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{failed}: ange ett giltigt datum.")
    else:
        try:
            end(form.cleaned_data["until"])
        except ValidationError as error:
            messages.error(request, f"{failed}: {' '.join(error.messages)}")
        else:
            messages.success(request, done)
    return _back(client_id, anchor)


@login_required
@require_POST
def staff_choice_end(request: HttpRequest, client_id: int, pk: int) -> HttpResponse:
    client = selectors.staffing_client(request.user, client_id, to_manage=True, detail="avsluta val av personal")
    choice = selectors.staff_choice_get(request.user, client, pk)
    return _end(
        request,
        client_id,
        lambda until: services.client_staff_choice_end(actor=request.user, choice=choice, until=until),
        "Valet är avslutat.",
        "Valet kunde inte avslutas",
        "val",
    )


@login_required
@require_POST
def competence_need_end(request: HttpRequest, client_id: int, pk: int) -> HttpResponse:
    client = selectors.staffing_client(request.user, client_id, to_manage=True, detail="avsluta kompetenskrav")
    need = selectors.competence_need_get(request.user, client, pk)
    return _end(
        request,
        client_id,
        lambda until: services.client_competence_need_end(actor=request.user, need=need, until=until),
        "Kravet är avslutat.",
        "Kravet kunde inte avslutas",
        "krav",
    )
