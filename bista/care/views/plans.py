"""Implementation plan pages: start the first plan of an order, edit a draft (texts and activities), sign
it, follow up a signed plan (a new draft version), read a version, compare it with the one it replaced and
print it as PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.care import selectors, services
from bista.care.forms.plans import (
    ACTIVITY_FIELDS,
    PLAN_FIELDS,
    ActivityFormSet,
    PlanEditForm,
    PlanForm,
    PlanSignForm,
    activity_rows,
)
from bista.care.models import ImplementationPlan, Order
from bista.clients.models import AccessLogEntry
from bista.core import clock
from bista.core.forms import apply_service_errors, edit_versioned, refreshed
from bista.core.pdf import render_pdf

ACTIVITIES_PREFIX = "aktiviteter"
CONFLICT_HINT = (
    "Din text finns kvar i formuläret. Jämför med den sparade versionen nedan; "
    "sparar du igen ersätter din text den sparade."
)

SIGNED_MEANWHILE = (
    "Planen har undertecknats medan du skrev och kan inte längre ändras. Din text finns kvar nedan: "
    "kopiera den och gör en uppföljning av planen för att föra in ändringarna i en ny version."
)


def _check_manage(request: HttpRequest, unit_id: int) -> None:
    if not selectors.can_manage_care(request.user, unit_id):
        raise PermissionDenied("Behörighet saknas: care.manage")


def _managed_plan(request: HttpRequest, pk: int) -> ImplementationPlan:
    plan = selectors.plan_get(request.user, pk)
    _check_manage(request, plan.unit_id)
    return plan


def _activities(plan: ImplementationPlan) -> list[dict[str, str]]:
    return [{f: getattr(a, f) for f in ACTIVITY_FIELDS} for a in plan.activities.order_by("position", "id")]


def _form_errors(form: Any, formset: Any) -> bool:
    return bool(form.errors or formset.non_form_errors() or any(f.errors for f in formset.forms))


# --- Start the first plan ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, order_pk: int) -> HttpResponse:
    order = selectors.order_get(request.user, order_pk)
    _check_manage(request, order.unit_id)
    latest = selectors.plan_versions(order).first()
    if latest is not None:
        messages.info(request, "Beställningen har redan en genomförandeplan.")
        return redirect("care:plan_detail", pk=latest.pk)
    form = PlanForm(request.POST or None, initial={"goals": order.goals})
    formset = ActivityFormSet(request.POST or None, prefix=ACTIVITIES_PREFIX)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user,
                order=order,
                activities=activity_rows(formset),
                **{name: form.cleaned_data[name] for name in PLAN_FIELDS},
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Genomförandeplanen är sparad som utkast.")
            return redirect("care:plan_detail", pk=plan.pk)
    return render(
        request,
        "care/plan_form.html",
        {
            "form": form,
            "formset": formset,
            "has_errors": request.method == "POST" and _form_errors(form, formset),
            "order": order,
            "client": order.client,
            "title": "Upprätta genomförandeplan",
        },
    )


# --- Edit a draft -----------------------------------------------------------------------------------


def _saved_plan(plan: ImplementationPlan) -> list[tuple[str, str]]:
    rows = [
        (str(PlanForm.base_fields[name].label), str(getattr(plan, name) or "–"))
        for name in PLAN_FIELDS
        if name in PlanForm.base_fields
    ]
    activities = "\n".join(f"{a['goal']} — {a['how']} — {a['when']} — {a['responsible']}" for a in _activities(plan))
    rows.append(("Aktiviteter", activities or "–"))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    is_draft = plan.status == ImplementationPlan.Status.DRAFT
    if not is_draft and request.method != "POST":
        messages.info(request, "Den här versionen är undertecknad och kan inte ändras. Gör en uppföljning i stället.")
        return redirect("care:plan_detail", pk=plan.pk)
    if request.method == "POST":
        form = PlanEditForm(request.POST, instance=plan)
        formset = ActivityFormSet(request.POST, prefix=ACTIVITIES_PREFIX)
    else:
        form = PlanEditForm(instance=plan, initial={"version": plan.version})
        formset = ActivityFormSet(initial=_activities(plan), prefix=ACTIVITIES_PREFIX)
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and not is_draft:
        # Signed while the user was writing: their text stays on the page, but this version is closed.
        form.is_valid()
        formset.is_valid()
        form.add_error(None, SIGNED_MEANWHILE)
        saved = _saved_plan(plan)
    elif request.method == "POST" and form.is_valid() and formset.is_valid():
        activities = activity_rows(formset)
        edit = edit_versioned(
            request,
            form,
            lambda data: services.plan_update(
                actor=request.user,
                plan=plan,
                expected_version=data["version"],
                activities=activities,
                **{name: data[name] for name in PLAN_FIELDS},
            ),
            reload=lambda: ImplementationPlan.objects.get(pk=plan.pk),
            rebind=lambda current: {"instance": current},
            compare=lambda form, current: _saved_plan(current),
        )
        if edit.done:
            messages.success(request, "Utkastet är sparat.")
            return redirect("care:plan_detail", pk=plan.pk)
        saved = edit.saved
        if edit.conflict and edit.current.status != ImplementationPlan.Status.DRAFT:
            form.add_error(None, SIGNED_MEANWHILE)  # nothing left to save again: the draft is signed
        else:
            form = edit.form  # after a conflict: everything the user typed, with the saved version
    return render(
        request,
        "care/plan_form.html",
        {
            "form": form,
            "formset": formset,
            "has_errors": request.method == "POST" and _form_errors(form, formset),
            "plan": plan,
            "order": plan.order,
            "client": plan.client,
            "saved": saved,
            "title": f"Ändra genomförandeplan, version {plan.number}",
        },
    )


# --- Sign, follow up --------------------------------------------------------------------------------


@login_required
@require_http_methods(["POST"])
def plan_sign(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    if plan.status != ImplementationPlan.Status.DRAFT:
        messages.error(request, "Den här versionen är redan undertecknad.")
        return redirect("care:plan_detail", pk=plan.pk)
    form = PlanSignForm(request.POST)
    if form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.plan_sign(
                actor=request.user, plan=plan, expected_version=data["version"], signed_on=data["signed_on"]
            ),
            reload=lambda: refreshed(plan),
            hint="Läs igenom planen nedan innan du undertecknar.",
        )
        if edit.done:
            messages.success(request, f"Genomförandeplanen version {plan.number} är undertecknad och gäller nu.")
            return redirect("care:plan_detail", pk=plan.pk)
        if edit.conflict and plan.status != ImplementationPlan.Status.DRAFT:
            messages.error(request, "Den här versionen har redan undertecknats av någon annan.")
            return redirect("care:plan_detail", pk=plan.pk)
        form = edit.form
    return render(request, "care/plan_detail.html", _detail_context(request, plan, sign_form=form))


@login_required
@require_http_methods(["POST"])
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    try:
        draft = services.plan_start_review(actor=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("care:plan_detail", pk=plan.pk)
    return redirect("care:plan_edit", pk=draft.pk)


# --- Read -------------------------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, plan: ImplementationPlan, sign_form: PlanSignForm | None = None
) -> dict[str, Any]:
    can_manage = selectors.can_manage_care(request.user, plan.unit_id)
    is_draft = plan.status == ImplementationPlan.Status.DRAFT
    if sign_form is None and can_manage and is_draft:
        sign_form = PlanSignForm(initial={"signed_on": clock.today(), "version": plan.version})
    return {
        "plan": plan,
        "order": plan.order,
        "client": plan.client,
        "activities": plan.activities.order_by("position", "id"),
        "versions": selectors.plan_versions(plan.order),
        "can_manage": can_manage,
        "is_draft": is_draft,
        "sign_form": sign_form if can_manage and is_draft else None,
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    return render(request, "care/plan_detail.html", _detail_context(request, plan))


@login_required
def plan_diff(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    previous = plan.previous
    changes = services.plan_changes(previous, plan) if previous is not None else []
    return render(
        request,
        "care/plan_diff.html",
        {"plan": plan, "previous": previous, "order": plan.order, "client": plan.client, "changes": changes},
    )


@login_required
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk, action=AccessLogEntry.Action.PRINT)
    order: Order = plan.order
    pdf = render_pdf(
        "care/plan_print.html",
        {
            "plan": plan,
            "order": order,
            "client": plan.client,
            "activities": list(plan.activities.order_by("position", "id")),
            # A printed page can end up anywhere: a protected client's address is never printed.
            "show_address": not plan.client.protected_identity,
            "printed_at": clock.local_now(),
            "printed_by": request.user,
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="genomforandeplan-{plan.order_id}-v{plan.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
