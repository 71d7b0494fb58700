"""Reads of the provider chain, scoped to what the actor may see (the clients context decides which clients
that is). Reads of one client's orders, plans, journal or binders are logged in the access log."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from bista.care.models import (
    Delivery,
    DeliveryGoal,
    HomeBinder,
    ImplementationPlan,
    JournalCategory,
    JournalDraft,
    JournalEntry,
    JournalObjection,
    Order,
    OrderEvent,
    Service,
)
from bista.clients.models import AccessLogEntry, Client, ClientUnit
from bista.clients.selectors import visible_clients
from bista.clients.services import access_log_record
from bista.core import duties as duty_registry
from bista.core.access import has_perm, team_ids_for_user, unit_ids_with, unit_members_with, valid_on
from bista.core.deadlines import Duty, TodoList, todo_list
from bista.core.models import Team
from bista.core.permissions import Perm

DONE_LATE_WINDOW_DAYS = 90  # "done late" on "Att göra" looks back this far
# "Kommande" on "Att göra" looks this far ahead: three months covers a new order's first contact, plan and
# execution deadlines (LSS's three months from the decision), so none is invisible until its warning window.
UPCOMING_DAYS = 92


def _client_units(actor: Any) -> set[int]:
    return unit_ids_with(actor, *Perm.CLIENT_VIEW)


def visible_orders(actor: Any) -> QuerySet[Order]:
    """Orders of clients the actor sees, in units where the actor sees clients."""
    return Order.objects.filter(
        unit_id__in=_client_units(actor), client__in=visible_clients(actor).values("pk")
    ).select_related("client", "service", "unit", "deputy", "team")


def order_search(
    actor: Any,
    *,
    unit_id: int | None = None,
    status: str = "",
    deputy_id: int | None = None,
    team_id: int | None = None,
    open_only: bool = False,
    client_id: int | None = None,
) -> QuerySet[Order]:
    orders = visible_orders(actor)
    if client_id:
        orders = orders.filter(client_id=client_id)
    if unit_id:
        orders = orders.filter(unit_id=unit_id)
    if status:
        orders = orders.filter(status=status)
    if open_only:
        orders = orders.exclude(status=Order.Status.ENDED)
    if deputy_id:
        orders = orders.filter(deputy_id=deputy_id)
    if team_id:
        orders = orders.filter(team_id=team_id)
    return orders.order_by("-received_on", "-id")


def order_get(actor: Any, pk: int) -> Order:
    order = visible_orders(actor).filter(pk=pk).first()
    if order is None:
        raise Http404("Beställningen finns inte eller så saknar du behörighet.")
    access_log_record(
        actor=actor,
        client=order.client,
        action=AccessLogEntry.Action.CARE,
        unit=order.unit,
        detail=f"beställning {order.pk}",
    )
    return order


def order_steps(order_ids: Iterable[int]) -> dict[int, list[OrderEvent]]:
    """Order id → its dated steps (received, first contact, executed, interrupted, resumed, ended), for the
    purchaser that sent the orders (casework): the caller has checked that its actor may see the orders'
    cases. Steps only: never the provider's plans, journal or binders."""
    steps: dict[int, list[OrderEvent]] = {}
    for event in OrderEvent.objects.filter(order_id__in=list(order_ids)).order_by("order_id", "on", "id"):
        steps.setdefault(event.order_id, []).append(event)
    return steps


def visible_plans(actor: Any) -> QuerySet[ImplementationPlan]:
    """Plan versions of the orders the actor sees (no read logged: the caller logs what it shows)."""
    return ImplementationPlan.objects.filter(order__in=visible_orders(actor).values("pk")).select_related(
        "order", "order__service", "order__unit", "client", "unit", "signed_by", "previous"
    )


def plan_get(actor: Any, pk: int, *, action: str = AccessLogEntry.Action.CARE) -> ImplementationPlan:
    plan = visible_plans(actor).filter(pk=pk).first()
    if plan is None:
        raise Http404("Planen finns inte eller så saknar du behörighet.")
    access_log_record(
        actor=actor,
        client=plan.client,
        action=action,
        unit=plan.unit,
        detail=f"genomförandeplan {plan.pk}",
    )
    return plan


def plan_versions(order: Order) -> QuerySet[ImplementationPlan]:
    """All versions of an order's plan, newest first (call only for an order the actor may see)."""
    return order.plans.select_related("signed_by").order_by("-number")


def current_plan(order: Order) -> ImplementationPlan | None:
    return order.plans.filter(status=ImplementationPlan.Status.SIGNED).first()


def order_form_choices(unit_ids: set[int], today: datetime.date, keep_service: Service | None = None) -> dict[str, Any]:
    """Reference reads for the order forms (no client data): who may be the responsible deputy in the units,
    their active teams, and the services valid today (plus the order's own)."""
    services_now = Service.objects.filter(valid_on(today))
    if keep_service is not None:
        services_now = services_now | Service.objects.filter(pk=keep_service.pk)
    return {
        "deputies": responsible_deputies(unit_ids, today),
        "teams": Team.objects.filter(unit_id__in=unit_ids, is_active=True)
        .select_related("unit")
        .order_by("unit__name", "name"),
        "services": services_now.order_by("act", "name"),
    }


def responsible_deputies(unit_ids: Iterable[int], today: datetime.date) -> QuerySet[Any]:
    """The active users who may be an order's responsible deputy in one of the units today: those whose role
    there grants care.responsible (the deputy managers and managers), not everyone with a role in the unit."""
    holders = unit_members_with(Perm.CARE_RESPONSIBLE, unit_ids, today).values("user_id")
    return get_user_model().objects.filter(pk__in=holders, is_active=True).order_by("last_name", "first_name", "id")


def can_manage_care(actor: Any, unit_id: int) -> bool:
    return has_perm(actor, Perm.CARE_MANAGE, unit_id)


# --- Journal ----------------------------------------------------------------------------------------


def journal_entries(
    actor: Any,
    client: Client,
    *,
    query: str = "",
    category_id: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet[JournalEntry]:
    """A client's journal as the actor may read it (entries of units where the actor sees the client).

    The caller got `client` through `client_get`, which checked visibility; the view logs the read.
    """
    if not visible_clients(actor).filter(pk=client.pk).exists():
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    entries = JournalEntry.objects.filter(client=client, unit_id__in=_client_units(actor)).select_related(
        "category", "corrects"
    )
    for word in query.split():
        entries = entries.filter(text__icontains=word)
    if category_id:
        entries = entries.filter(category_id=category_id)
    if start:
        entries = entries.filter(event_date__gte=start)
    if end:
        entries = entries.filter(event_date__lte=end)
    return entries.order_by("-event_date", "-written_at", "-id")


def visible_journal_entries(actor: Any) -> QuerySet[JournalEntry]:
    """Entries of clients the actor sees, written in units where the actor sees clients (no read logged)."""
    return JournalEntry.objects.filter(
        unit_id__in=_client_units(actor), client__in=visible_clients(actor).values("pk")
    ).select_related("client", "category", "corrects", "unit")


def journal_entry_get(actor: Any, pk: int) -> JournalEntry:
    entry = visible_journal_entries(actor).filter(pk=pk).first()
    if entry is None:
        raise Http404("Anteckningen finns inte eller så saknar du behörighet.")
    access_log_record(
        actor=actor,
        client=entry.client,
        action=AccessLogEntry.Action.JOURNAL,
        unit=entry.unit,
        detail=f"anteckning {entry.pk}",
    )
    return entry


def can_print_record(actor: Any, client: Client) -> bool:
    """Whether the actor sees every client of one of the client's current units: who may print the whole
    record for a request for access (registerutdrag)."""
    units = unit_ids_with(actor, Perm.CLIENT_VIEW_ALL)
    return bool(units) and client.unit_links.filter(unit_id__in=units, until__isnull=True).exists()


def my_journal_drafts(actor: Any) -> list[tuple[JournalDraft, int]]:
    """The actor's unsigned journal drafts with text, newest first, each with the unit through which the actor
    writes for its client; drafts for clients the actor can no longer write for are left out."""
    units = unit_ids_with(actor, Perm.JOURNAL_WRITE)
    if not units:
        return []
    drafts = (
        JournalDraft.objects.filter(user=actor, client__in=visible_clients(actor).values("pk"))
        .exclude(text="")
        .select_related("client")
        .order_by("-updated_at")
    )
    links = dict(
        ClientUnit.objects.filter(
            client__in=[d.client_id for d in drafts], unit_id__in=units, until__isnull=True
        ).values_list("client_id", "unit_id")
    )
    return [(draft, links[draft.client_id]) for draft in drafts if draft.client_id in links]


def journal_draft(actor: Any, client: Client) -> JournalDraft | None:
    return JournalDraft.objects.filter(user=actor, client=client).select_related("category", "corrects").first()


def journal_categories(day: datetime.date) -> QuerySet[JournalCategory]:
    return JournalCategory.objects.filter(valid_on(day))


def can_write_journal(actor: Any, client: Client) -> bool:
    units = unit_ids_with(actor, Perm.JOURNAL_WRITE)
    return bool(units) and client.unit_links.filter(unit_id__in=units, until__isnull=True).exists()


# --- Binders and deliveries --------------------------------------------------------------------------


def _binders(actor: Any, client: Client) -> QuerySet[HomeBinder]:
    """A client's binders as the actor may read them: those of units where the actor sees the client, as the
    journal, orders and plans (a purchaser unit sees its client but not the provider's own documentation)."""
    return HomeBinder.objects.filter(client=client, unit_id__in=_client_units(actor))


def binder_current(actor: Any, client: Client, kind: str) -> HomeBinder | None:
    """The current revision, if the actor may read it (call only for a client the actor may see)."""
    return _binders(actor, client).filter(kind=kind, is_current=True).select_related("responsible").first()


def binder_history(actor: Any, client: Client, kind: str) -> QuerySet[HomeBinder]:
    return _binders(actor, client).filter(kind=kind).select_related("created_by").order_by("-number")


def deliveries_for_client(actor: Any, client: Client, year: int) -> QuerySet[Delivery]:
    """A client's deliveries in `year` registered by units where the actor sees the client."""
    return Delivery.objects.filter(client=client, unit_id__in=_client_units(actor), delivered_on__year=year).order_by(
        "-delivered_on", "-id"
    )


def delivery_goal(unit_id: int, day: datetime.date) -> int | None:
    goal = (
        DeliveryGoal.objects.filter(valid_on(day))
        .filter(Q(unit_id=unit_id) | Q(unit__isnull=True))
        .order_by("unit_id")  # a unit's own goal before the general one (NULLs sort last on both databases)
        .first()
    )
    return goal.max_per_year if goal else None


def deliveries_for_unit(actor: Any, unit_id: int, year: int) -> QuerySet[Delivery]:
    if unit_id not in _client_units(actor):
        raise PermissionDenied("Behörighet saknas.")
    return Delivery.objects.filter(
        unit_id=unit_id, delivered_on__year=year, client__in=visible_clients(actor).values("pk")
    ).select_related("client")


# --- "Att göra" ------------------------------------------------------------------------------------


def todo_units(actor: Any) -> set[int]:
    """Units whose whole duty list the actor may see: where they see every client."""
    return unit_ids_with(actor, Perm.CLIENT_VIEW_ALL)


def todo_teams(actor: Any) -> QuerySet[Team]:
    """Teams whose duty list the actor may see: every team of a unit where they see all clients, and their
    own teams where they see their teams' clients."""
    all_units = unit_ids_with(actor, Perm.CLIENT_VIEW_ALL)
    team_units = unit_ids_with(actor, Perm.CLIENT_VIEW_TEAM)
    own = team_ids_for_user(actor)
    return Team.objects.filter(
        Q(unit_id__in=all_units) | Q(unit_id__in=team_units, pk__in=own), is_active=True
    ).order_by("unit__name", "name")


def todo_for(
    actor: Any,
    *,
    today: datetime.date,
    unit_id: int | None = None,
    team_id: int | None = None,
    mine: bool = False,
) -> TodoList:
    """ "Att göra" for a unit, a team, or the actor's own duties (as responsible) in the units they see."""
    done_since = today - datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)
    if team_id is not None:
        team = todo_teams(actor).filter(pk=team_id).first()
        if team is None:
            raise PermissionDenied("Behörighet saknas.")
        units: set[int] = {team.unit_id}
    elif unit_id is not None:
        if unit_id not in todo_units(actor):
            raise PermissionDenied("Behörighet saknas.")
        units = {unit_id}
    else:
        units = _client_units(actor)
    duties = duty_registry.duties_for(
        units,
        today=today,
        done_since=done_since,
        team_id=team_id,
        responsible_id=actor.pk if mine else None,
        todo_only=True,
        upcoming_days=UPCOMING_DAYS,
    )
    if team_id is None and unit_id is None:
        duties = _visible_duties(actor, duties)
    duties = _staff_duties_for_staff_viewers(actor, duties)
    return todo_list(duties, today, done_since, upcoming_until=today + datetime.timedelta(days=UPCOMING_DAYS))


def todo_overview(actor: Any, *, today: datetime.date, upcoming_days: int = 0) -> tuple[TodoList, dict[int, TodoList]]:
    """The start page's "Att göra": the actor's own duties (as `todo_for(mine=True)`) and each unit's whole list
    (as `todo_for(unit_id=…)` for every unit of `todo_units`), from one computation of the duties. The counts
    are of what needs attention now; "Kommande" holds only what falls due within `upcoming_days` (the case
    officer's panel shows the appeals to forward within the week)."""
    done_since = today - datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)
    whole_units = todo_units(actor)
    duties = duty_registry.duties_for(
        _client_units(actor),
        today=today,
        done_since=done_since,
        # Someone who sees no unit's whole list (an assistant) needs only their own duties: the sources may
        # then leave out the rest of the units' history.
        responsible_id=None if whole_units else actor.pk,
        todo_only=True,
        upcoming_days=upcoming_days,
    )
    duties = _staff_duties_for_staff_viewers(actor, duties)
    mine = _visible_duties(actor, [d for d in duties if d.responsible_id == actor.pk])
    until = today + datetime.timedelta(days=upcoming_days) if upcoming_days else None
    per_unit = {
        unit_id: todo_list([d for d in duties if d.unit_id == unit_id], today, done_since, upcoming_until=until)
        for unit_id in whole_units
    }
    return todo_list(mine, today, done_since, upcoming_until=until), per_unit


def _visible_duties(actor: Any, duties: list[Duty]) -> list[Duty]:
    """Across units the actor may see only some clients of (their teams'): keep the duties about those."""
    visible = set(visible_clients(actor).filter(pk__in={d.client_id for d in duties}).values_list("pk", flat=True))
    return [d for d in duties if d.client_id is None or d.client_id in visible]


def _staff_duties_for_staff_viewers(actor: Any, duties: list[Duty]) -> list[Duty]:
    """Staff duties (delegations, appraisals) concern employees: only for those who see the unit's staff."""
    staff_units = unit_ids_with(actor, Perm.EMPLOYEE_VIEW)
    return [d for d in duties if not d.rule.code.startswith("staff.") or d.unit_id in staff_units]


def journal_entries_with_links(entries: QuerySet[JournalEntry], actor: Any, client: Client) -> QuerySet[JournalEntry]:
    """Entries with their corrections (as far as the actor may read them) and objections, in three queries
    however many entries there are."""
    corrections = journal_entries(actor, client).order_by("written_at", "id")
    return entries.prefetch_related(
        Prefetch("corrections", queryset=corrections),
        Prefetch("objections", queryset=JournalObjection.objects.select_related("recorded_by")),
    )
