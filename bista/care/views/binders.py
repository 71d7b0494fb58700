"""Home binders (risk and consequence analysis, crisis binder, routine binder) and deliveries of material."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.care import rules, selectors, services
from bista.care.duties import Rule
from bista.care.forms.binders import (
    BINDER_KIND_TEXTS,
    TEXT_LABELS,
    BinderForm,
    DeliveryFilterForm,
    DeliveryForm,
    RiskFormSet,
)
from bista.care.models import Delivery, HomeBinder
from bista.clients import selectors as client_selectors
from bista.clients.models import AccessLogEntry, Client
from bista.clients.services import access_log_record
from bista.core import clock
from bista.core.access import unit_ids_with, valid_on
from bista.core.deadlines import STATE_LABELS, DutyState, duty_state
from bista.core.duties import load_rule_book
from bista.core.errors import ConflictError
from bista.core.forms import MAX_ID, apply_service_errors
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm

CONFLICT_MESSAGE = (
    "Någon annan sparade pärmen medan du redigerade. Din text finns kvar nedan och har inte sparats. "
    "Jämför med den senaste versionen och spara igen om din version ska gälla – den andra versionen finns "
    "kvar bland tidigare versioner."
)


def _kind(kind: str) -> HomeBinder.Kind:
    if kind not in HomeBinder.Kind.values:
        raise Http404("Okänd pärm.")
    return HomeBinder.Kind(kind)


def _visible_client(request: HttpRequest, pk: int) -> Client:
    """The client if the user may see them (404 otherwise); nothing is logged yet."""
    client = client_selectors.visible_clients(request.user).filter(pk=pk).first()
    if client is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    return client


def _manage_units(user: Any, client: Client) -> list[int]:
    """The client's units (as the user sees them) where the user may register binders and deliveries."""
    return [
        unit_id
        for unit_id in client_selectors.client_units_for(user, client)
        if selectors.can_manage_care(user, unit_id)
    ]


def _managed_client(request: HttpRequest, pk: int, detail: str) -> tuple[Client, list[int]]:
    """A client the user may manage care for: 404 if not seen, 403 if only seen; then the read is logged."""
    client = _visible_client(request, pk)
    units = _manage_units(request.user, client)
    if not units:
        raise PermissionDenied("Behörighet saknas: care.manage")
    access_log_record(
        actor=request.user, client=client, action=AccessLogEntry.Action.CARE, unit=Unit(pk=units[0]), detail=detail
    )
    return client, units


def _binder_state(binder: HomeBinder | None, kind: str, book: Any, today: datetime.date) -> dict[str, Any]:
    if binder is None:
        return {"due_on": None, "state": "missing", "state_label": "Saknas"}
    rule = book.rule(Rule.BINDER_REVIEW[HomeBinder.Kind(kind)], binder.reviewed_on)
    if rule is None:
        return {"due_on": None, "state": "", "state_label": "–"}
    due_on = rule.due_on(binder.reviewed_on)
    state = duty_state(due_on, None, today, rule.warn_days)
    label = "I tid" if state is DutyState.OPEN else STATE_LABELS[state]
    return {"due_on": due_on, "state": state.value, "state_label": label}


@login_required
def binder_index(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client's three binders with their review state, and this year's deliveries against the goal."""
    client = client_selectors.client_get(
        request.user, client_pk, action=AccessLogEntry.Action.CARE, detail="hemmapärmar"
    )
    today = clock.today()
    book = load_rule_book()
    binders = []
    for kind in HomeBinder.Kind:
        current = selectors.binder_current(request.user, client, kind)
        binders.append({"kind": kind, "binder": current, **_binder_state(current, kind, book, today)})
    manage_units = _manage_units(request.user, client)
    seen_units = client_selectors.client_units_for(request.user, client)
    goal = selectors.delivery_goal(seen_units[0], today) if seen_units else None
    deliveries = list(selectors.deliveries_for_client(request.user, client, today.year))
    count, over = rules.deliveries_over_goal([d.delivered_on for d in deliveries], today.year, goal or 0)
    context = {
        "client": client,
        "binders": binders,
        "can_manage": bool(manage_units),
        "deliveries": deliveries,
        "delivery_count": count,
        "delivery_goal": goal,
        "over_goal": goal is not None and over,
        "year": today.year,
        "delivery_form": DeliveryForm(initial={"delivered_on": today}) if manage_units else None,
    }
    return render(request, "care/binder_index.html", context)


def _version_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("version") or ""
    if not raw:
        return None
    try:
        number = int(raw)
    except ValueError:
        raise Http404("Versionen finns inte.") from None
    if not 0 < number <= MAX_ID:
        raise Http404("Versionen finns inte.")
    return number


@login_required
def binder_detail(request: HttpRequest, client_pk: int, kind: str) -> HttpResponse:
    """The current revision (or `?version=N`) of one binder, and the list of its revisions."""
    binder_kind = _kind(kind)
    number = _version_number(request)
    client = client_selectors.client_get(
        request.user, client_pk, action=AccessLogEntry.Action.CARE, detail=f"pärm {binder_kind.label}"
    )
    history = list(selectors.binder_history(request.user, client, binder_kind))
    if number is None:
        binder = next((b for b in history if b.is_current), None)
    else:
        binder = next((b for b in history if b.number == number), None)
        if binder is None:
            raise Http404("Versionen finns inte.")
    risks = list(binder.risks.all()) if binder and binder_kind == HomeBinder.Kind.RISK_ASSESSMENT else []
    today = clock.today()
    context = {
        "client": client,
        "kind": binder_kind,
        "binder": binder,
        "texts": [(name, TEXT_LABELS[name][0], getattr(binder, name)) for name in BINDER_KIND_TEXTS[binder_kind]]
        if binder
        else [],
        "risks": risks,
        "history": history,
        "can_manage": bool(_manage_units(request.user, client)),
        **_binder_state(binder if binder and binder.is_current else None, binder_kind, load_rule_book(), today),
    }
    return render(request, "care/binder_detail.html", context)


def _responsible_choices(unit_ids: list[int], current: HomeBinder | None) -> QuerySet[Any]:
    """People with a role in the client's units today (and whoever is responsible now)."""
    members = Membership.objects.filter(valid_on(clock.today()), unit_id__in=unit_ids).values("user_id")
    condition = Q(pk__in=members, is_active=True)
    if current is not None and current.responsible_id:
        condition |= Q(pk=current.responsible_id)
    return get_user_model().objects.filter(condition).order_by("last_name", "first_name", "username")


def _risk_initial(binder: HomeBinder | None) -> list[dict[str, Any]]:
    if binder is None:
        return []
    return [
        {
            "risk": r.risk,
            "likelihood": str(r.likelihood),
            "consequence": str(r.consequence),
            "action": r.action,
            "owner": r.owner,
        }
        for r in binder.risks.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def binder_edit(request: HttpRequest, client_pk: int, kind: str) -> HttpResponse:
    """A new revision of the binder. A save from a stale revision is refused with the user's input kept."""
    binder_kind = _kind(kind)
    client, units = _managed_client(request, client_pk, f"ändra pärm {binder_kind.label}")
    current = selectors.binder_current(request.user, client, binder_kind)
    users = _responsible_choices(units, current)
    is_risk = binder_kind == HomeBinder.Kind.RISK_ASSESSMENT
    if request.method == "POST":
        form = BinderForm(request.POST, kind=binder_kind, users=users)
        formset = RiskFormSet(request.POST, prefix="risker") if is_risk else None
    else:
        initial: dict[str, Any] = {
            "expected_number": current.number if current else None,
            "reviewed_on": current.reviewed_on if current else clock.today(),
            "responsible": current.responsible_id if current else None,
        }
        if current:
            initial.update({name: getattr(current, name) for name in BINDER_KIND_TEXTS[binder_kind]})
        form = BinderForm(initial=initial, kind=binder_kind, users=users)
        formset = RiskFormSet(initial=_risk_initial(current), prefix="risker") if is_risk else None
    conflict = False
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        data = form.cleaned_data
        try:
            services.binder_save(
                actor=request.user,
                client=client,
                kind=binder_kind,
                reviewed_on=data["reviewed_on"],
                expected_number=data["expected_number"],
                responsible=data["responsible"],
                risks=[row for row in formset.cleaned_data if row] if formset is not None else (),
                **form.text_values(binder_kind),
            )
        except ConflictError:
            conflict = True
            form.add_error(None, CONFLICT_MESSAGE)
            current = selectors.binder_current(request.user, client, binder_kind)
            # Keep everything typed; saving again from here is a deliberate save over the newer revision.
            data_copy = request.POST.copy()
            data_copy["expected_number"] = str(current.number) if current else ""
            form.data = data_copy
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{binder_kind.label} är sparad.")
            return redirect("care:binder", client_pk=client.pk, kind=binder_kind.value)
    context = {
        "client": client,
        "kind": binder_kind,
        "current": current,
        "form": form,
        "formset": formset,
        "conflict": conflict,
        "title": f"{binder_kind.label} för {client.full_name}",
    }
    return render(request, "care/binder_form.html", context, status=409 if conflict else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Register a delivery of protective or office material to the client's home."""
    client, _units = _managed_client(request, client_pk, "ny leverans")
    form = DeliveryForm(request.POST or None, initial={"delivered_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.delivery_create(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Leveransen är registrerad.")
            return redirect("care:binders", client_pk=client.pk)
    return render(request, "care/delivery_form.html", {"client": client, "form": form})


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    """A unit's deliveries in a year: per client the count against the goal, the total, and every delivery."""
    unit_ids = unit_ids_with(request.user, Perm.CLIENT_VIEW_ALL)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas.")
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    today = clock.today()
    data = request.GET.copy()
    data.setdefault("enhet", str(units[0].pk))
    data.setdefault("ar", str(today.year))
    raw_unit = data.get("enhet", "")
    if raw_unit.isdigit() and int(raw_unit) <= MAX_ID and int(raw_unit) not in unit_ids:
        raise PermissionDenied("Behörighet saknas.")
    form = DeliveryFilterForm(data, units=units)
    context: dict[str, Any] = {"form": form, "rows": [], "deliveries": [], "total": 0, "goal": None}
    if form.is_valid():
        unit_id, year = form.cleaned_data["enhet"], form.cleaned_data["ar"]
        deliveries = list(selectors.deliveries_for_unit(request.user, unit_id, year).order_by("delivered_on", "id"))
        goal = selectors.delivery_goal(unit_id, datetime.date(year, 12, 31))
        per_client: dict[int, list[Delivery]] = {}
        for delivery in deliveries:
            per_client.setdefault(delivery.client_id, []).append(delivery)
        rows: list[dict[str, Any]] = []
        for client_deliveries in per_client.values():
            count, over = rules.deliveries_over_goal([d.delivered_on for d in client_deliveries], year, goal or 0)
            rows.append({"client": client_deliveries[0].client, "count": count, "over": goal is not None and over})
        rows.sort(key=lambda row: (row["client"].last_name, row["client"].first_name, row["client"].pk))
        context.update(
            {
                "rows": rows,
                "deliveries": deliveries,
                "total": len(deliveries),
                "goal": goal,
                "over_count": sum(1 for row in rows if row["over"]),
                "unit": next(unit for unit in units if unit.pk == unit_id),
                "year": year,
            }
        )
    return render(request, "care/delivery_list.html", context)
