"""Order pages: the list, registering an order, its card (timeline, deadlines, plan versions), correcting
it and recording its steps."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.care import selectors, services
from bista.care.duties import Rule
from bista.care.forms.orders import (
    ORDER_DETAIL_FIELDS,
    OrderCreateForm,
    OrderEditForm,
    OrderListForm,
    OrderStepForm,
    steps_for,
)
from bista.care.models import ImplementationPlan, Order
from bista.clients.selectors import visible_clients
from bista.core import clock
from bista.core.access import require_any_unit, unit_ids_with
from bista.core.deadlines import STATE_LABELS, DutyState, duty_state
from bista.core.duties import load_rule_book
from bista.core.forms import MAX_ID, apply_service_errors, edit_versioned, refreshed
from bista.core.models import Unit
from bista.core.permissions import Perm

PAGE_SIZE = 50


# --- Reference reads for the forms (no client data) --------------------------------------------------


def _int_param(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


# --- List -------------------------------------------------------------------------------------------


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, Perm.CLIENT_VIEW)
    today = clock.today()
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    choices = selectors.order_form_choices(unit_ids, today)
    deputies = list(choices["deputies"])
    teams = list(choices["teams"])
    form = OrderListForm(request.GET or None, units=units, deputies=deputies, teams=teams)
    filters: dict[str, Any] = {}
    client_id = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "unit_id": data["enhet"],
            "status": data["status"],
            "deputy_id": data["ansvarig"],
            "team_id": data["arbetsgrupp"],
            "open_only": data["oppna"],
        }
        client_id = data["client"]
    orders = selectors.order_search(request.user, client_id=client_id, **filters)
    client_name = ""
    if client_id:
        client = visible_clients(request.user).filter(pk=client_id).first()
        client_name = client.full_name if client else ""
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "form": form,
        "page": page,
        "client_id": client_id,
        "client_name": client_name,
        "can_create": bool(unit_ids_with(request.user, Perm.CARE_MANAGE)),
    }
    return render(request, "care/order_list.html", context)


# --- Register ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.CARE_MANAGE])
    today = clock.today()
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    clients = (
        visible_clients(request.user)
        .filter(is_active=True, unit_links__unit_id__in=unit_ids, unit_links__until__isnull=True)
        .order_by("last_name", "first_name", "id")
    )
    initial: dict[str, Any] = {"received_on": today}
    wanted = _int_param(request.GET.get("client"))
    if wanted is not None:
        client = clients.filter(pk=wanted).first()
        if client is not None:
            initial["client"] = client.pk
            linked = [u.pk for u in units if client.unit_links.filter(unit_id=u.pk, until__isnull=True).exists()]
            if len(linked) == 1:
                initial["unit"] = linked[0]
    form = OrderCreateForm(
        request.POST or None,
        initial=initial,
        clients=clients,
        units=units,
        **selectors.order_form_choices(unit_ids, today),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.order_create(
                actor=request.user, **{name: data[name] for name in ("client", "unit", *ORDER_DETAIL_FIELDS)}
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Beställningen är registrerad.")
            return redirect("care:order_detail", pk=order.pk)
    return render(request, "care/order_form.html", {"form": form, "title": "Registrera beställning"})


# --- Card -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    name: str
    anchor_label: str
    anchor_on: datetime.date
    due_on: datetime.date
    done_on: datetime.date | None
    state: DutyState | None  # None: the order ended before it was done
    legal_reference: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state] if self.state else "Avslutad utan att utföras"

    @property
    def urgent(self) -> bool:
        return self.state in (DutyState.OVERDUE, DutyState.DUE_SOON, DutyState.DONE_LATE)


def order_deadlines(order: Order, today: datetime.date) -> list[Deadline]:
    """The order's three deadlines under the rule versions in force on their anchor dates."""
    book = load_rule_book()
    steps = [
        (Rule.FIRST_CONTACT, "beställningen mottogs", order.received_on, order.first_contact_on),
        (
            Rule.PLAN,
            "första kontakt" if order.first_contact_on else "beställningen mottogs",
            order.first_contact_on or order.received_on,
            order.plan_established_on,
        ),
        (Rule.EXECUTION, "beslutsdatum", order.decision_date, order.executed_on),
    ]
    deadlines = []
    for code, anchor_label, anchor, done in steps:
        rule = book.rule(code, anchor)
        if rule is None:
            continue
        due = rule.due_on(anchor)
        state = None if done is None and not order.is_open else duty_state(due, done, today, rule.warn_days)
        deadlines.append(Deadline(rule.name, anchor_label, anchor, due, done, state, rule.legal_reference))
    return deadlines


def _detail_context(request: HttpRequest, order: Order, step_form: OrderStepForm | None = None) -> dict[str, Any]:
    today = clock.today()
    can_manage = selectors.can_manage_care(request.user, order.unit_id)
    versions = list(selectors.plan_versions(order))
    steps = steps_for(order, services.MANUAL_STEPS)
    if step_form is None and can_manage and steps:
        step_form = OrderStepForm(steps=steps, initial={"on": today, "version": order.version})
    return {
        "order": order,
        "client": order.client,
        "events": order.events.select_related("recorded_by").order_by("on", "id"),
        "deadlines": order_deadlines(order, today),
        "versions": versions,
        "current_plan": next((p for p in versions if p.status == ImplementationPlan.Status.SIGNED), None),
        "draft": next((p for p in versions if p.status == ImplementationPlan.Status.DRAFT), None),
        "can_manage": can_manage,
        "step_form": step_form if can_manage else None,
    }


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(request.user, pk)
    return render(request, "care/order_detail.html", _detail_context(request, order))


def _managed_order(request: HttpRequest, pk: int) -> Order:
    """The order, if the user sees it (else 404) and may manage its unit (else 403)."""
    order = selectors.order_get(request.user, pk)
    if not selectors.can_manage_care(request.user, order.unit_id):
        raise PermissionDenied("Behörighet saknas: care.manage")
    return order


# --- Correct ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = _managed_order(request, pk)
    today = clock.today()
    unit_ids = {order.unit_id}
    form_kwargs: dict[str, Any] = {
        **selectors.order_form_choices(unit_ids, today, keep_service=order.service),
        "several_units": False,
    }
    form = OrderEditForm(request.POST or None, instance=order, initial={"version": order.version}, **form_kwargs)
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.order_update(
                actor=request.user,
                order=order,
                expected_version=data["version"],
                **{name: data[name] for name in ORDER_DETAIL_FIELDS},
            ),
            reload=lambda: Order.objects.select_related("service", "deputy", "team").get(pk=order.pk),
            rebind=lambda current: {"instance": current, **form_kwargs},
            compare=ORDER_DETAIL_FIELDS,
        )
        if edit.done:
            messages.success(request, "Ändringarna är sparade.")
            return redirect("care:order_detail", pk=order.pk)
        form, saved = edit.form, edit.saved
    return render(
        request,
        "care/order_form.html",
        {"form": form, "title": "Ändra beställning", "order": order, "client": order.client, "saved": saved},
    )


# --- Steps ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["POST"])
def order_step(request: HttpRequest, pk: int) -> HttpResponse:
    order = _managed_order(request, pk)
    steps = steps_for(order, services.MANUAL_STEPS)
    form = OrderStepForm(request.POST, steps=steps)
    if form.is_valid():
        # After a conflict the page shows the order as it stands; the user's input is kept for a second try.
        edit = edit_versioned(
            request,
            form,
            lambda data: services.order_record_step(
                actor=request.user,
                order=order,
                step=data["step"],
                on=data["on"],
                note=data["note"],
                expected_version=data["version"],
            ),
            reload=lambda: refreshed(order),
            rebind=lambda current: {"steps": steps_for(current, services.MANUAL_STEPS)},
            hint="Kontrollera händelserna nedan innan du sparar igen.",
        )
        if edit.done:
            messages.success(request, "Steget är registrerat.")
            return redirect("care:order_detail", pk=order.pk)
        form = edit.form
    elif not steps:
        form.add_error(None, "Beställningen är avslutad. Inga fler steg kan registreras.")
    return render(request, "care/order_detail.html", _detail_context(request, order, step_form=form))
