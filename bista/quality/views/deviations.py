"""Deviation pages (avvikelser, SOSFS 2011:9): report one in a minute, the list, the record with its handling
(classification, analysis, feedback, actions), closing it and escalating it to Lex Sarah."""

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
from django.views.decorators.http import require_http_methods

from bista.clients.models import Client
from bista.core import clock
from bista.core.access import has_perm, require_any_unit, unit_ids_with, valid_on
from bista.core.deadlines import STATE_LABELS, DutyState, duty_state
from bista.core.duties import load_rule_book
from bista.core.forms import MAX_ID, apply_service_errors, edit_versioned
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm
from bista.quality import selectors, services
from bista.quality.duties import Rule
from bista.quality.forms.deviations import (
    DEVIATION_EDIT_FIELDS,
    DeviationActionDoneForm,
    DeviationActionForm,
    DeviationCloseForm,
    DeviationEditForm,
    DeviationListForm,
    DeviationReportForm,
    event_report_initial,
)
from bista.quality.models import Deviation, DeviationAction, QualityCategory

PAGE_SIZE = 50


# --- Shared by the quality pages ---------------------------------------------------------------------


def quality_nav(user: Any) -> dict[str, bool]:
    """Which links of the quality sub-navigation (quality/_nav.html) the user can use."""
    return {
        "report": bool(unit_ids_with(user, Perm.QUALITY_REPORT)),
        "view": bool(unit_ids_with(user, Perm.QUALITY_VIEW)),
        "manage": bool(unit_ids_with(user, Perm.QUALITY_MANAGE)),
        "incident": bool(unit_ids_with(user, Perm.QUALITY_INCIDENT)),
    }


def int_param(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def units_with(user: Any, *codes: str) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=unit_ids_with(user, *codes)).order_by("name")


def unit_people(unit_id: int, today: datetime.date) -> QuerySet[Any]:
    """Users with a current role in the unit (the choices of an action's owner)."""
    user_ids = Membership.objects.filter(valid_on(today), unit_id=unit_id).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("last_name", "first_name", "id")


def event_form_setup(request: HttpRequest) -> tuple[set[int], QuerySet[Unit], QuerySet[Client], dict[str, Any]]:
    """Units and clients a report may name, and the defaults: now, and the `?client=` from a client card."""
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_REPORT])
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    clients = selectors.clients_in_units(request.user, unit_ids)
    initial = event_report_initial(clock.now())
    wanted = int_param(request.GET.get("client"))
    if wanted is not None:
        client = clients.filter(pk=wanted).first()
        if client is not None:
            initial["client"] = client.pk
            linked = sorted(
                set(
                    client.unit_links.filter(unit_id__in=unit_ids, until__isnull=True).values_list("unit_id", flat=True)
                )
            )
            if len(linked) == 1:
                initial["unit"] = linked[0]
    return unit_ids, units, clients, initial


def period_bounds(
    first: datetime.date | None, last: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """A period of whole Stockholm days as [start, end) moments (None: open at that end)."""
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=clock.STOCKHOLM) if first else None
    end = None
    if last is not None and last < datetime.date.max:
        end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=clock.STOCKHOLM)
    return start, end


def rename_occurred_error(error: ValidationError) -> None:
    """The service speaks of `occurred_at`; the form asks for a date and a time: show it on the date."""
    if hasattr(error, "error_dict") and "occurred_at" in error.error_dict:
        error.error_dict["occurred_on"] = error.error_dict.pop("occurred_at")


# --- Report ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deviation_report(request: HttpRequest) -> HttpResponse:
    _, units, clients, initial = event_form_setup(request)
    form = DeviationReportForm(request.POST or None, initial=initial, units=units, clients=clients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deviation = services.deviation_report(
                actor=request.user,
                unit=data["unit"],
                client=data["client"],
                occurred_at=form.occurred_at,
                what_happened=data["what_happened"],
            )
        except ValidationError as error:
            rename_occurred_error(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Tack! Avvikelsen är rapporterad. Referensnummer: {deviation.pk}.")
            return redirect("quality:deviation_detail", pk=deviation.pk)
    return render(
        request,
        "quality/deviation_form.html",
        {
            "form": form,
            "title": "Rapportera avvikelse",
            "intro": "Beskriv kort vad som hände. Den som handlägger avvikelser klassificerar och utreder den.",
            "submit": "Rapportera",
            "quality_nav": quality_nav(request.user),
        },
    )


# --- List --------------------------------------------------------------------------------------------


@login_required
def deviation_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_REPORT, Perm.QUALITY_VIEW])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    today = clock.today()
    categories = list(selectors.categories(QualityCategory.Group.DEVIATION))
    clients = selectors.clients_in_units(request.user, unit_ids, active_only=False)
    form = DeviationListForm(request.GET or None, units=units, categories=categories, clients=clients)
    deviations = selectors.visible_deviations(request.user)
    if form.is_bound and form.is_valid():
        deviations = _filtered(deviations, form.cleaned_data)
    page = Paginator(deviations, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "quality/deviation_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "quality_nav": quality_nav(request.user),
        },
    )


def _filtered(deviations: QuerySet[Deviation], data: dict[str, Any]) -> QuerySet[Deviation]:
    if data["enhet"]:
        deviations = deviations.filter(unit_id=data["enhet"])
    if data["status"]:
        deviations = deviations.filter(status=data["status"])
    if data["kategori"] == 0:
        deviations = deviations.filter(category__isnull=True)
    elif data["kategori"]:
        deviations = deviations.filter(category_id=data["kategori"])
    if data["brukare"]:
        deviations = deviations.filter(client=data["brukare"])
    start, end = period_bounds(data["fran"], data["till"])
    if start is not None:
        deviations = deviations.filter(reported_at__gte=start)
    if end is not None:
        deviations = deviations.filter(reported_at__lt=end)
    return deviations


# --- Detail ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    name: str
    anchor_label: str
    anchor_on: datetime.date
    due_on: datetime.date
    done_on: datetime.date | None
    state: DutyState | None  # None: closed before it was done
    legal_reference: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state] if self.state else "Avslutad utan att utföras"

    @property
    def urgent(self) -> bool:
        return self.state in (DutyState.OVERDUE, DutyState.DUE_SOON, DutyState.DONE_LATE)


def _handling_deadline(deviation: Deviation, today: datetime.date) -> Deadline | None:
    anchor = clock.local_date(deviation.reported_at)
    rule = load_rule_book().rule(Rule.DEVIATION_HANDLING, anchor)
    if rule is None:
        return None
    done = clock.local_date(deviation.closed_at) if deviation.closed_at else None
    due = rule.due_on(anchor)
    return Deadline(
        rule.name, "rapporterad", anchor, due, done, duty_state(due, done, today, rule.warn_days), rule.legal_reference
    )


def _managed(request: HttpRequest, pk: int) -> Deviation:
    """The deviation, if the user sees it (else 404) and may handle it (else 403)."""
    deviation = selectors.deviation_get(request.user, pk)
    if not has_perm(request.user, Perm.QUALITY_MANAGE, deviation.unit_id):
        raise PermissionDenied("Behörighet saknas: quality.manage")
    return deviation


def _detail_context(
    request: HttpRequest,
    deviation: Deviation,
    *,
    action_form: DeviationActionForm | None = None,
    close_form: DeviationCloseForm | None = None,
    done_errors: dict[int, Any] | None = None,
) -> dict[str, Any]:
    today = clock.today()
    can_manage = has_perm(request.user, Perm.QUALITY_MANAGE, deviation.unit_id)
    is_open = deviation.status != Deviation.Status.CLOSED
    actions = list(deviation.actions.select_related("owner"))
    done_forms = {}
    for action in actions:
        if action.done_on is None and is_open and (can_manage or action.owner_id == request.user.pk):
            done_forms[action.pk] = (done_errors or {}).get(action.pk) or DeviationActionDoneForm(
                prefix=f"atgard-{action.pk}", initial={"done_on": today}
            )
    if can_manage and is_open:
        action_form = action_form or DeviationActionForm(
            people=unit_people(deviation.unit_id, today),
            unit_id=deviation.unit_id,
            initial={"due_on": today + datetime.timedelta(days=14)},
        )
        close_form = close_form or DeviationCloseForm(initial={"version": deviation.version})
    else:
        action_form = close_form = None
    lex_sarah = selectors.visible_lex_sarah_reports(request.user).filter(deviation=deviation).first()
    return {
        "deviation": deviation,
        "client": deviation.client,
        "actions": [(action, done_forms.get(action.pk)) for action in actions],
        "deadline": _handling_deadline(deviation, today) if is_open or deviation.closed_at else None,
        "lex_sarah": lex_sarah,
        "can_manage": can_manage,
        "is_open": is_open,
        "action_form": action_form,
        "close_form": close_form,
        "can_escalate": can_manage and lex_sarah is None,
        "quality_nav": quality_nav(request.user),
    }


@login_required
def deviation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = selectors.deviation_get(request.user, pk)
    selectors.log_client_read(request.user, deviation, f"avvikelse {deviation.pk}")
    return render(request, "quality/deviation_detail.html", _detail_context(request, deviation))


# --- Handling ----------------------------------------------------------------------------------------


def _edit_categories(deviation: Deviation) -> QuerySet[QualityCategory]:
    """The deviation categories in force on the day it was reported (and its own, if since retired)."""
    found = selectors.categories(QualityCategory.Group.DEVIATION, clock.local_date(deviation.reported_at))
    if deviation.category_id:
        found = found | QualityCategory.objects.filter(pk=deviation.category_id)
    return found.order_by("position", "name")


@login_required
@require_http_methods(["GET", "POST"])
def deviation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = _managed(request, pk)
    if deviation.status == Deviation.Status.CLOSED:
        messages.error(request, "Avvikelsen är avslutad och kan inte längre ändras.")
        return redirect("quality:deviation_detail", pk=deviation.pk)
    selectors.log_client_read(request.user, deviation, f"avvikelse {deviation.pk} (handläggning)")
    categories = _edit_categories(deviation)
    form = DeviationEditForm(
        request.POST or None, initial=DeviationEditForm.initial_for(deviation), categories=categories
    )
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.deviation_update(
                actor=request.user,
                deviation=deviation,
                expected_version=data["version"],
                **{name: data[name] for name in DEVIATION_EDIT_FIELDS},
            ),
            reload=lambda: Deviation.objects.select_related("category").get(pk=deviation.pk),
            rebind=lambda current: {"categories": categories},
            compare=DEVIATION_EDIT_FIELDS,
        )
        if edit.done:
            messages.success(request, "Ändringarna är sparade.")
            return redirect("quality:deviation_detail", pk=deviation.pk)
        form, saved = edit.form, edit.saved
    return render(
        request,
        "quality/deviation_form.html",
        {
            "form": form,
            "title": f"Handlägg avvikelse {deviation.pk}",
            "deviation": deviation,
            "saved": saved,
            "submit": "Spara",
            "quality_nav": quality_nav(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def deviation_action_add(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = _managed(request, pk)
    selectors.log_client_read(request.user, deviation, f"avvikelse {deviation.pk}: ny åtgärd")
    today = clock.today()
    form = DeviationActionForm(
        request.POST or None,
        people=unit_people(deviation.unit_id, today),
        unit_id=deviation.unit_id,
        initial={"due_on": today + datetime.timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.deviation_action_add(actor=request.user, deviation=deviation, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Åtgärden är tillagd.")
            return redirect("quality:deviation_detail", pk=deviation.pk)
    return render(
        request,
        "quality/deviation_form.html",
        {
            "form": form,
            "title": f"Ny åtgärd för avvikelse {deviation.pk}",
            "deviation": deviation,
            "submit": "Lägg till åtgärd",
            "quality_nav": quality_nav(request.user),
        },
    )


@login_required
@require_http_methods(["POST"])
def deviation_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    action = DeviationAction.objects.filter(pk=pk).first()
    if action is None:
        raise Http404("Åtgärden finns inte eller så saknar du behörighet.")
    deviation = selectors.deviation_get(request.user, action.deviation_id)
    if action.owner_id != request.user.pk and not has_perm(request.user, Perm.QUALITY_MANAGE, deviation.unit_id):
        raise PermissionDenied("Behörighet saknas: quality.manage")
    action.deviation = deviation
    form = DeviationActionDoneForm(request.POST, prefix=f"atgard-{action.pk}")
    if form.is_valid():
        if deviation.status == Deviation.Status.CLOSED:
            form.add_error(None, "Avvikelsen är avslutad.")
        else:
            try:
                services.deviation_action_done(actor=request.user, action=action, done_on=form.cleaned_data["done_on"])
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Åtgärden är markerad som klar.")
                return redirect("quality:deviation_detail", pk=deviation.pk)
    context = _detail_context(request, deviation, done_errors={action.pk: form})
    return render(request, "quality/deviation_detail.html", context)


@login_required
@require_http_methods(["POST"])
def deviation_close(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = _managed(request, pk)
    form = DeviationCloseForm(request.POST)
    if form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.deviation_close(
                actor=request.user,
                deviation=deviation,
                expected_version=data["version"],
                closing_note=data["closing_note"],
            ),
            reload=lambda: selectors.deviation_get(request.user, pk),
            hint="Kontrollera avvikelsen nedan innan du försöker igen.",
            invalid=_close_errors,
        )
        if edit.done:
            messages.success(request, "Avvikelsen är avslutad.")
            return redirect("quality:deviation_detail", pk=deviation.pk)
        form, deviation = edit.form, edit.current or deviation
    return render(request, "quality/deviation_detail.html", _detail_context(request, deviation, close_form=form))


CLOSE_FIELD_LABELS = {"category": "Kategori", "analysis": "Orsaksanalys", "actions": "Åtgärder"}


def _close_errors(form: DeviationCloseForm, error: ValidationError) -> None:
    """What stops the closing is on the record, not in the form: list each reason, named by its field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            label = CLOSE_FIELD_LABELS.get(field)
            for item in errors:
                text = item.messages[0] if hasattr(item, "messages") else str(item)
                form.add_error(None, f"{label}: {text}" if label else text)
    else:
        apply_service_errors(form, error)


@login_required
@require_http_methods(["POST"])
def deviation_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = _managed(request, pk)
    try:
        report = services.deviation_escalate(actor=request.user, deviation=deviation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("quality:deviation_detail", pk=deviation.pk)
    messages.success(request, f"Avvikelsen är rapporterad enligt lex Sarah. Referensnummer: {report.pk}.")
    return redirect("quality:lex_sarah_detail", pk=report.pk)
