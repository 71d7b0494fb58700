"""A client's staffing needs: the recurring need patterns and the booked occasions of the client's orders,
with forms to add a pattern, end one, book or cancel an occasion, and a proposal of patterns from an order
("Föreslå behov från beställningen") that the manager adjusts and saves one by one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bista.care.models import Order
from bista.clients.models import AccessLogEntry, Client, ClientUnit
from bista.clients.selectors import visible_clients
from bista.clients.services import access_log_record
from bista.core import clock
from bista.core.access import unit_ids_with
from bista.core.permissions import Perm
from bista.rostering import rules, services
from bista.rostering.forms import (
    NeedPatternForm,
    OccasionCancelForm,
    OccasionForm,
    PatternEndForm,
    order_label,
    pattern_initial,
)
from bista.rostering.models import BookedOccasion, NeedPattern
from bista.rostering.views.common import int_param, manage_unit_ids, roster_unit_ids, section
from bista.rostering.views.shifts import show_service_errors

PAGE_SIZE = 50
OCCASIONS_SHOWN = 100
WEEKDAY_SHORT = dict(zip("1234567", rules.WEEKDAY_NAMES, strict=True))


def weekdays_text(weekdays: str) -> str:
    """ "1234567" → "alla dagar", "12345" → "mån–fre", "16" → "mån, lör"."""
    days = "".join(sorted(set(weekdays)))
    if days == "1234567":
        return "alla dagar"
    if len(days) > 2 and days == "1234567"[int(days[0]) - 1 : int(days[-1])]:
        return f"{WEEKDAY_SHORT[days[0]]}–{WEEKDAY_SHORT[days[-1]]}"
    return ", ".join(WEEKDAY_SHORT[d] for d in days)


# --- The list of clients --------------------------------------------------------------------------------


@login_required
@require_GET
def needs_index(request: HttpRequest) -> HttpResponse:
    """The clients of the user's units with how many need patterns and coming occasions they have."""
    unit_ids = _client_roster_units(request.user)
    today, now = clock.today(), clock.now()
    clients = (
        visible_clients(request.user)
        .filter(is_active=True, unit_links__unit_id__in=unit_ids, unit_links__until__isnull=True)
        .annotate(
            patterns=Count(
                "need_patterns",
                filter=Q(need_patterns__order__unit_id__in=unit_ids)
                & (Q(need_patterns__valid_to__isnull=True) | Q(need_patterns__valid_to__gte=today)),
                distinct=True,
            ),
            occasions=Count(
                "booked_occasions",
                filter=Q(
                    booked_occasions__order__unit_id__in=unit_ids,
                    booked_occasions__cancelled_at__isnull=True,
                    booked_occasions__ends_at__gte=now,
                ),
                distinct=True,
            ),
        )
        .order_by("last_name", "first_name", "pk")
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {"page": page, "section": section(request.user), "current": "needs"}
    return render(request, "rostering/needs_index.html", context)


# --- One client -----------------------------------------------------------------------------------------


def _client_roster_units(user: Any) -> set[int]:
    """Units whose clients' needs the user sees: roster.view (or manage) and a client-view permission there.
    The needs pages are about clients; roster.view alone (a controller) shows the roster's shape, not the
    people (403 without it anywhere)."""
    unit_ids = roster_unit_ids(user)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.view")
    unit_ids &= unit_ids_with(user, *Perm.CLIENT_VIEW)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: client.view_all")
    return unit_ids


def _client(request: HttpRequest, client_pk: int) -> tuple[Client, set[int]]:
    """The client if the user sees them and they are linked to a unit whose roster and clients the user sees
    (else 404), and those units."""
    unit_ids = _client_roster_units(request.user)
    client = visible_clients(request.user).filter(pk=client_pk).first()
    linked = set(
        ClientUnit.objects.filter(client_id=client_pk, unit_id__in=unit_ids, until__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    if client is None or not linked:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    return client, linked


def _orders(client: Client, unit_ids: set[int]) -> QuerySet[Order]:
    return Order.objects.filter(client=client, unit_id__in=unit_ids).select_related("service")


def _open_orders(client: Client, unit_ids: set[int]) -> QuerySet[Order]:
    return _orders(client, unit_ids).exclude(status=Order.Status.ENDED).order_by("-period_start", "pk")


def _page(
    request: HttpRequest,
    client: Client,
    linked: set[int],
    *,
    pattern_form: NeedPatternForm | None = None,
    occasion_form: OccasionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    manage_ids = linked & manage_unit_ids(request.user)
    orders = _open_orders(client, manage_ids)
    today, now = clock.today(), clock.now()
    if manage_ids:
        pattern_form = pattern_form or NeedPatternForm(orders=orders, initial={"valid_from": today})
        occasion_form = occasion_form or OccasionForm(orders=orders, initial={"day": today})
    patterns = list(
        NeedPattern.objects.filter(client=client, order__unit_id__in=linked)
        .select_related("order__service")
        .order_by("valid_from", "start_time", "pk")
    )
    occasions = list(
        BookedOccasion.objects.filter(client=client, order__unit_id__in=linked, ends_at__gte=now)
        .select_related("order__service")
        .order_by("starts_at", "pk")[:OCCASIONS_SHOWN]
    )
    context: dict[str, Any] = {
        "client": client,
        "can_manage": bool(manage_ids),
        "patterns": [(p, weekdays_text(p.weekdays), p.valid_to is not None and p.valid_to < today) for p in patterns],
        "occasions": [(o, rules.format_span(o.starts_at, o.ends_at)) for o in occasions],
        "pattern_form": pattern_form,
        "occasion_form": occasion_form,
        "orders": list(orders) if manage_ids else [],
        "proposals": _proposals(request, client, orders) if manage_ids else None,
        "end_form": PatternEndForm(initial={"last_day": today}),
        "cancel_form": OccasionCancelForm(),
        "section": section(request.user),
        "current": "needs",
    }
    return render(request, "rostering/needs.html", context, status=status)


def _proposals(request: HttpRequest, client: Client, orders: QuerySet[Order]) -> dict[str, Any] | None:
    """The patterns proposed from the order asked for (?forslag=<order>), as prefilled forms."""
    order_id = int_param(request.GET.get("forslag"))
    if order_id is None:
        return None
    order = orders.filter(pk=order_id).first()
    if order is None:
        return {"order": None, "forms": []}
    proposed = services.needs_from_order(actor=request.user, order=order)
    forms = [
        (
            NeedPatternForm(orders=orders, initial=pattern_initial(pattern), auto_id=f"id_forslag{index}_%s"),
            weekdays_text(pattern.weekdays),
            pattern,
        )
        for index, pattern in enumerate(proposed, start=1)
    ]
    return {"order": order, "label": order_label(order), "forms": forms}


@login_required
@require_GET
def needs(request: HttpRequest, client_pk: int) -> HttpResponse:
    client, linked = _client(request, client_pk)
    access_log_record(actor=request.user, client=client, action=AccessLogEntry.Action.CARE, detail="behov")
    return _page(request, client, linked)


def _managed_client(request: HttpRequest, client_pk: int) -> tuple[Client, set[int]]:
    client, linked = _client(request, client_pk)
    manage_ids = linked & manage_unit_ids(request.user)
    if not manage_ids:
        raise PermissionDenied("Behörighet saknas: roster.manage")
    return client, manage_ids


@login_required
@require_POST
def pattern_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client, manage_ids = _managed_client(request, client_pk)
    form = NeedPatternForm(request.POST, orders=_open_orders(client, manage_ids))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.need_pattern_create(
                actor=request.user,
                order=data["order"],
                weekdays="".join(sorted(data["weekdays"])),
                start_time=data["start_time"],
                end_time=data["end_time"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                staff_count=data["staff_count"],
                kind=data["kind"],
            )
        except ValidationError as error:
            show_service_errors(form, error, {})
        else:
            messages.success(request, "Behovsmönstret är sparat.")
            return redirect("rostering:needs", client_pk=client.pk)
    return _page(request, client, manage_ids, pattern_form=form, status=400)


@login_required
@require_POST
def pattern_end(request: HttpRequest, pk: int) -> HttpResponse:
    pattern = NeedPattern.objects.select_related("order").filter(pk=pk).first()
    if pattern is None:
        raise Http404("Behovsmönstret finns inte.")
    client, _ = _managed_client(request, pattern.client_id)
    if pattern.order.unit_id not in manage_unit_ids(request.user):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    form = PatternEndForm(request.POST)
    if not form.is_valid():
        problems = [str(text) for text in form.errors.get("last_day", [])] or ["Ange ett datum."]
        messages.error(request, f"Sista dag: {' '.join(problems)}")
        return redirect("rostering:needs", client_pk=client.pk)
    try:
        services.need_pattern_end(actor=request.user, pattern=pattern, last_day=form.cleaned_data["last_day"])
    except ValidationError as error:
        messages.error(request, f"Sista dag: {' '.join(error.messages)}")
    else:
        messages.success(request, "Behovsmönstret är avslutat.")
    return redirect("rostering:needs", client_pk=client.pk)


@login_required
@require_POST
def occasion_create(request: HttpRequest, client_pk: int) -> HttpResponse:
    client, manage_ids = _managed_client(request, client_pk)
    form = OccasionForm(request.POST, orders=_open_orders(client, manage_ids))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.booked_occasion_create(
                actor=request.user,
                order=data["order"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                staff_count=data["staff_count"],
                note=data["note"],
            )
        except ValidationError as error:
            show_service_errors(form, error, {"starts_at": "day", "ends_at": "end_time"})
        else:
            messages.success(request, "Tillfället är bokat.")
            return redirect("rostering:needs", client_pk=client.pk)
    return _page(request, client, manage_ids, occasion_form=form, status=400)


@login_required
@require_POST
def occasion_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    occasion = BookedOccasion.objects.select_related("order").filter(pk=pk).first()
    if occasion is None:
        raise Http404("Tillfället finns inte.")
    client, _ = _managed_client(request, occasion.client_id)
    if occasion.order.unit_id not in manage_unit_ids(request.user):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    form = OccasionCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.booked_occasion_cancel(actor=request.user, occasion=occasion, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Tillfället är avbokat.")
    return redirect("rostering:needs", client_pk=client.pk)
