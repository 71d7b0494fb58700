"""Feedback pages (synpunkter, klagomål och beröm): the list with filters, registering, the card, recording
the answer, the action and a forwarding to another provider, and closing. For the unit's managers
(quality.view to read, quality.manage to write)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from bista.core import clock
from bista.core.access import has_perm, require_any_unit
from bista.core.errors import ConflictError
from bista.core.forms import apply_service_errors, edit_versioned
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.quality import selectors, services
from bista.quality.forms.feedback import (
    CLOSED,
    FEEDBACK_EDIT_FIELDS,
    OPEN,
    FeedbackCloseForm,
    FeedbackCreateForm,
    FeedbackEditForm,
    FeedbackFilterForm,
)
from bista.quality.models import Feedback, QualityCategory

PAGE_SIZE = 50


def feedback_categories(day: datetime.date | None = None, keep: QualityCategory | None = None) -> list[QualityCategory]:
    """The categories of synpunkter and klagomål (valid on `day`, if given), in the VB table's groups; the
    record's own category is kept even if it has since gone out of force."""
    found = [c for group in services.FEEDBACK_GROUPS for c in selectors.categories(group, day)]
    if keep is not None and keep.pk not in {c.pk for c in found}:
        found.append(keep)
    return found


# --- List -------------------------------------------------------------------------------------------


@login_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_VIEW])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    categories = feedback_categories()
    form = FeedbackFilterForm(request.GET or None, units=units, categories=categories)
    items = selectors.visible_feedback(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["enhet"]:
            items = items.filter(unit_id=data["enhet"])
        if data["typ"]:
            items = items.filter(kind=data["typ"])
        if data["kalla"]:
            items = items.filter(source=data["kalla"])
        if data["kategori"]:
            items = items.filter(category_id=data["kategori"])
        if data["fran"]:
            items = items.filter(received_on__gte=data["fran"])
        if data["till"]:
            items = items.filter(received_on__lte=data["till"])
        if data["status"] == OPEN:
            items = items.filter(closed_at__isnull=True)
        elif data["status"] == CLOSED:
            items = items.filter(closed_at__isnull=False)
    page = Paginator(items.order_by("-received_on", "-id"), PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "form": form,
        "page": page,
        "several_units": len(units) > 1,
        "can_create": any(has_perm(request.user, Perm.QUALITY_MANAGE, unit.pk) for unit in units),
    }
    return render(request, "quality/feedback_list.html", context)


# --- Register ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feedback_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_MANAGE])
    today = clock.today()
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    clients = selectors.clients_in_units(request.user, unit_ids)
    form = FeedbackCreateForm(
        request.POST or None,
        initial={"received_on": today},
        units=units,
        clients=clients,
        categories=feedback_categories(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_register(
                actor=request.user,
                unit=data["unit"],
                kind=data["kind"],
                source=data["source"],
                received_on=data["received_on"],
                description=data["description"],
                sender_name=data["sender_name"],
                client=data["client"],
                category=data["category"],
                other_provider=data["other_provider"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{feedback.get_kind_display()} är registrerat.")
            return redirect("quality:feedback_detail", pk=feedback.pk)
    return render(
        request, "quality/feedback_form.html", {"form": form, "title": "Registrera synpunkt, klagomål eller beröm"}
    )


# --- Card -------------------------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, feedback: Feedback, close_form: FeedbackCloseForm | None = None
) -> dict[str, Any]:
    can_manage = has_perm(request.user, Perm.QUALITY_MANAGE, feedback.unit_id)
    if close_form is None and can_manage and feedback.closed_at is None:
        close_form = FeedbackCloseForm(initial={"version": feedback.version})
    return {
        "feedback": feedback,
        "client": feedback.client,
        "can_manage": can_manage and feedback.closed_at is None,
        "close_form": close_form if can_manage else None,
    }


@login_required
def feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = selectors.feedback_get(request.user, pk)
    selectors.log_client_read(request.user, feedback, "synpunkt eller klagomål")
    return render(request, "quality/feedback_detail.html", _detail_context(request, feedback))


def _managed(request: HttpRequest, pk: int) -> Feedback:
    """The feedback, if the user sees it (else 404) and may handle its unit's (else 403)."""
    feedback = selectors.feedback_get(request.user, pk)
    if not has_perm(request.user, Perm.QUALITY_MANAGE, feedback.unit_id):
        raise PermissionDenied("Behörighet saknas: quality.manage")
    return feedback


# --- Answer, action, forwarding ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feedback_edit(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _managed(request, pk)
    if feedback.closed_at is not None:
        messages.error(request, "Ärendet är avslutat och kan inte ändras.")
        return redirect("quality:feedback_detail", pk=feedback.pk)
    categories = feedback_categories(feedback.received_on, keep=feedback.category)
    form = FeedbackEditForm(
        request.POST or None, instance=feedback, initial={"version": feedback.version}, categories=categories
    )
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.feedback_update(
                actor=request.user,
                feedback=feedback,
                expected_version=data["version"],
                **{name: data[name] for name in FEEDBACK_EDIT_FIELDS},
            ),
            reload=lambda: selectors.feedback_get(request.user, pk),
            rebind=lambda current: {"instance": current, "categories": categories},
            compare=FEEDBACK_EDIT_FIELDS,
        )
        if edit.done:
            messages.success(request, "Ändringarna är sparade.")
            return redirect("quality:feedback_detail", pk=feedback.pk)
        form, saved = edit.form, edit.saved
    elif request.method == "GET":
        selectors.log_client_read(request.user, feedback, "synpunkt eller klagomål: handläggning")
    return render(
        request,
        "quality/feedback_form.html",
        {
            "form": form,
            "title": f"Handlägg: {feedback.get_kind_display().lower()} som inkom {feedback.received_on:%Y-%m-%d}",
            "feedback": feedback,
            "saved": saved,
        },
    )


# --- Close ------------------------------------------------------------------------------------------


@login_required
@require_POST
def feedback_close(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _managed(request, pk)
    form = FeedbackCloseForm(request.POST)
    if feedback.closed_at is not None:
        messages.error(request, "Ärendet är redan avslutat.")
        return redirect("quality:feedback_detail", pk=feedback.pk)
    if form.is_valid():
        try:
            services.feedback_close(
                actor=request.user, feedback=feedback, expected_version=form.cleaned_data["version"]
            )
        except ConflictError as error:
            # The page now shows the feedback as it stands, with a form for the version now saved.
            feedback = selectors.feedback_get(request.user, pk)
            messages.error(request, f"{error} Kontrollera uppgifterna nedan innan du avslutar ärendet.")
            return render(request, "quality/feedback_detail.html", _detail_context(request, feedback))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Ärendet är avslutat.")
            return redirect("quality:feedback_detail", pk=feedback.pk)
    return render(request, "quality/feedback_detail.html", _detail_context(request, feedback, close_form=form))
