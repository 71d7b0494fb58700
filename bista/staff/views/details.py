"""The employee's card with its details (terms, competences, delegations, introductions, appraisals, absences)
and the forms that add to them. Each form posts to its own address; a refusal shows the card again with the
form open and its errors, a success returns to the card's section."""

from __future__ import annotations

from collections.abc import Callable
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
from bista.staff.forms import (
    AppraisalForm,
    CompetenceForm,
    DelegationForm,
    IntroductionForm,
    RevokeForm,
    TermForm,
)
from bista.staff.models import Employee

# Form name on the card → (prefix, section anchor).
SECTIONS = {
    "term_form": ("villkor", "villkor"),
    "competence_form": ("kompetens", "kompetenser"),
    "delegation_form": ("delegering", "delegeringar"),
    "introduction_form": ("introduktion", "introduktioner"),
    "appraisal_form": ("samtal", "medarbetarsamtal"),
}


def _forms(request: HttpRequest, employee: Employee, data: Any = None, only: str = "") -> dict[str, forms.Form]:
    """The card's add forms, unbound; `only` (with `data`) is bound to what the user sent."""
    today = clock.today()
    clients = selectors.delegation_clients(request.user, employee)
    builders: dict[str, Callable[..., forms.Form]] = {
        "term_form": lambda **kw: TermForm(regimes=selectors.regimes_in_force(today), **kw),
        "competence_form": lambda **kw: CompetenceForm(competences=selectors.competences_in_force(today), **kw),
        "delegation_form": lambda **kw: DelegationForm(
            kinds=selectors.delegation_kinds_in_force(today), clients=clients, **kw
        ),
        "introduction_form": lambda **kw: IntroductionForm(clients=clients, **kw),
        "appraisal_form": lambda **kw: AppraisalForm(**kw),
    }
    initial = {
        "term_form": {
            "starts_on": today,
            "employment_type": employee.employment_type,
            "employment_rate": employee.employment_rate,
        },
        "competence_form": {"acquired_on": today},
        "delegation_form": {"valid_from": today},
        "introduction_form": {"completed_on": today},
        "appraisal_form": {"held_on": today},
    }
    result = {}
    for name, build in builders.items():
        prefix = SECTIONS[name][0]
        if name == only:
            result[name] = build(data=data, prefix=prefix)
        else:
            result[name] = build(prefix=prefix, initial=initial[name])
    return result


def _render_card(request: HttpRequest, pk: int, *, only: str = "", form: forms.Form | None = None) -> HttpResponse:
    detail = selectors.employee_detail(request.user, pk)
    context: dict[str, Any] = {"detail": detail, "employee": detail.employee, "open_form": only}
    if detail.can_manage:
        context.update(_forms(request, detail.employee))
        if form is not None:
            context[only] = form
    return render(request, "staff/card.html", context)


@login_required
def employee_card(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_card(request, pk)


def _card_section(pk: int, form_name: str) -> HttpResponse:
    return redirect(f"{reverse('staff:card', args=[pk])}#{SECTIONS[form_name][1]}")


def _add(
    request: HttpRequest, pk: int, form_name: str, save: Callable[[Employee, dict[str, Any]], Any], done: str
) -> HttpResponse:
    """Bind the named form, call the service, and return to the card (or show the card with the errors)."""
    employee = selectors.managed_employee(request.user, pk)
    form = _forms(request, employee, request.POST, only=form_name)[form_name]
    if form.is_valid():
        try:
            save(employee, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return _card_section(pk, form_name)
    return _render_card(request, pk, only=form_name, form=form)


@login_required
@require_POST
def term_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(
        request,
        pk,
        "term_form",
        lambda employee, data: services.employment_term_add(actor=request.user, employee=employee, **data),
        "Anställningsvillkoren är sparade.",
    )


@login_required
@require_POST
def competence_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(
        request,
        pk,
        "competence_form",
        lambda employee, data: services.competence_add(actor=request.user, employee=employee, **data),
        "Kompetensen är registrerad.",
    )


@login_required
@require_POST
def delegation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(
        request,
        pk,
        "delegation_form",
        lambda employee, data: services.delegation_add(actor=request.user, employee=employee, **data),
        "Delegeringen är registrerad.",
    )


@login_required
@require_POST
def introduction_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(
        request,
        pk,
        "introduction_form",
        lambda employee, data: services.introduction_record(actor=request.user, employee=employee, **data),
        "Introduktionen är registrerad.",
    )


@login_required
@require_POST
def appraisal_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _add(
        request,
        pk,
        "appraisal_form",
        lambda employee, data: services.appraisal_record(actor=request.user, employee=employee, **data),
        "Medarbetarsamtalet är registrerat.",
    )


def _first_error(error: ValidationError) -> str:
    return " ".join(error.messages)


def _revoke(
    request: HttpRequest, row: Any, form_name: str, revoke: Callable[[Any], Any], done: str, failed: str
) -> HttpResponse:
    """A revocation from a table row: the outcome is a message on the card (the row has no room for errors)."""
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{failed}: ange ett giltigt datum.")
    else:
        try:
            revoke(form.cleaned_data["revoked_on"])
        except ValidationError as error:
            messages.error(request, f"{failed}: {_first_error(error)}")
        else:
            messages.success(request, done)
    return _card_section(row.employee_id, form_name)


@login_required
@require_POST
def competence_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    held = selectors.employee_competence_get(request.user, pk)
    return _revoke(
        request,
        held,
        "competence_form",
        lambda day: services.competence_revoke(actor=request.user, competence=held, revoked_on=day),
        "Kompetensen är återkallad.",
        "Kompetensen kunde inte återkallas",
    )


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_get(request.user, pk)
    return _revoke(
        request,
        delegation,
        "delegation_form",
        lambda day: services.delegation_revoke(actor=request.user, delegation=delegation, revoked_on=day),
        "Delegeringen är återkallad.",
        "Delegeringen kunde inte återkallas",
    )
