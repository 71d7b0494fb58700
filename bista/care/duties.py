"""Where the provider chain's duties come from: orders (first contact, plan, execution, resumption after an
interruption), implementation plans (yearly review) and home binders (yearly review).

Each source reads only the units asked for and yields open duties plus those done since `done_since`.
Rule codes are the `core.DutyRule` codes seeded by migration care/0002.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

from django.db.models import Q

from bista.care.models import HomeBinder, ImplementationPlan, Order, OrderEvent
from bista.clients.models import Client
from bista.core.deadlines import Duty
from bista.core.duties import DutyQuery, make_duty, register

# The columns the sources read: the rows also carry long texts the duties never need.
ORDER_FIELDS = (
    "client_id",
    "unit_id",
    "deputy_id",
    "team_id",
    "status",
    "decision_date",
    "received_on",
    "first_contact_on",
    "plan_established_on",
    "executed_on",
    "ended_on",
    "client__first_name",
    "client__last_name",
    "service__name",
)
PLAN_FIELDS = (
    "unit_id",
    "client_id",
    "status",
    "signed_on",
    "client__first_name",
    "client__last_name",
    "order__client_id",
    "order__deputy_id",
    "order__team_id",
    "order__status",
    "order__service__name",
    "previous__signed_on",
)


class Rule:
    FIRST_CONTACT = "care.first_contact"
    PLAN = "care.implementation_plan"
    EXECUTION = "care.execution"
    RESUMPTION = "care.resumption"
    PLAN_REVIEW = "care.plan_review"
    BINDER_REVIEW = {
        HomeBinder.Kind.RISK_ASSESSMENT: "care.risk_assessment",
        HomeBinder.Kind.CRISIS_BINDER: "care.crisis_binder",
        HomeBinder.Kind.ROUTINE_BINDER: "care.routine_binder",
    }


def _duty(
    query: DutyQuery,
    code: str,
    anchor: datetime.date,
    done: datetime.date | None,
    *,
    client: Client,
    **details: Any,
) -> Duty | None:
    return make_duty(query, code, anchor, done, client_id=client.pk, client_name=client.full_name, **details)


def _client_teams(client_ids: set[int]) -> dict[int, tuple[int, ...]]:
    teams: dict[int, list[int]] = defaultdict(list)
    for client_id, team_id in Client.teams.through.objects.filter(client_id__in=client_ids).values_list(
        "client_id", "team_id"
    ):
        teams[client_id].append(team_id)
    return {client_id: tuple(sorted(ids)) for client_id, ids in teams.items()}


def _teams(order: Order, client_teams: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    ids = set(client_teams.get(order.client_id, ()))
    if order.team_id:
        ids.add(order.team_id)
    return tuple(sorted(ids))


@register("care.orders")
def order_duties(query: DutyQuery) -> Iterator[Duty]:
    since = query.done_since
    orders = list(
        Order.objects.filter(unit_id__in=query.unit_ids)
        .filter(
            ~Q(status=Order.Status.ENDED)
            | Q(first_contact_on__gte=since)
            | Q(plan_established_on__gte=since)
            | Q(executed_on__gte=since)
        )
        .select_related("client", "service")
        .only(*ORDER_FIELDS)
    )
    client_teams = _client_teams({o.client_id for o in orders})
    interruptions = _interruptions({o.pk for o in orders})
    for order in orders:
        common = {
            "url": ("care:order_detail", (order.pk,)),
            "unit_id": order.unit_id,
            "client": order.client,
            "responsible_id": order.deputy_id,
            "team_ids": _teams(order, client_teams),
        }
        service = order.service.name
        steps = [
            (Rule.FIRST_CONTACT, order.received_on, order.first_contact_on, f"Första kontakt: {service}"),
            (
                Rule.PLAN,
                order.first_contact_on or order.received_on,
                order.plan_established_on,
                f"Genomförandeplan: {service}",
            ),
            (Rule.EXECUTION, order.decision_date, order.executed_on, f"Verkställighet: {service}"),
        ]
        steps += [
            (Rule.RESUMPTION, interrupted_on, resumed_on, f"Återuppta efter avbrott: {service}")
            for interrupted_on, resumed_on in interruptions.get(order.pk, [])
        ]
        for code, anchor, done, subject in steps:
            if done is None and not order.is_open:
                continue  # ended before it was done: nothing left to do
            duty = _duty(query, code, anchor, done, subject=subject, **common)  # type: ignore[arg-type]
            if duty is not None:
                yield duty


def _interruptions(order_ids: set[int]) -> dict[int, list[tuple[datetime.date, datetime.date | None]]]:
    """Per order, each interruption's date and the date it was resumed (None while it lasts)."""
    result: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    events = OrderEvent.objects.filter(
        order_id__in=order_ids, kind__in=[OrderEvent.Kind.INTERRUPTED, OrderEvent.Kind.RESUMED]
    ).order_by("order_id", "on", "id")
    open_since: dict[int, datetime.date] = {}
    for order_id, kind, on in events.values_list("order_id", "kind", "on"):
        if kind == OrderEvent.Kind.INTERRUPTED:
            open_since.setdefault(order_id, on)
        elif order_id in open_since:
            result[order_id].append((open_since.pop(order_id), on))
    for order_id, since in open_since.items():
        result[order_id].append((since, None))
    return result


@register("care.plans")
def plan_review_duties(query: DutyQuery) -> Iterator[Duty]:
    """A signed plan is due for review 12 months after it was signed; the next signed version fulfils it."""
    plans = (
        ImplementationPlan.objects.filter(unit_id__in=query.unit_ids)
        .filter(
            Q(status=ImplementationPlan.Status.SIGNED) & ~Q(order__status=Order.Status.ENDED)
            | Q(status__in=[ImplementationPlan.Status.SIGNED, ImplementationPlan.Status.SUPERSEDED])
            & Q(previous__isnull=False, signed_on__gte=query.done_since)
        )
        .select_related("client", "order", "order__service", "previous")
        .only(*PLAN_FIELDS)
    )
    plan_list = list(plans)
    client_teams = _client_teams({p.client_id for p in plan_list})
    for plan in plan_list:
        common = {
            "unit_id": plan.unit_id,
            "client": plan.client,
            "responsible_id": plan.order.deputy_id,
            "team_ids": _teams(plan.order, client_teams),
        }
        subject = f"Uppföljning av genomförandeplan: {plan.order.service.name}"
        reviews = []
        if plan.status == ImplementationPlan.Status.SIGNED and plan.order.is_open:
            reviews.append((plan.signed_on, None, ("care:plan_detail", (plan.pk,))))
        if plan.previous is not None and plan.previous.signed_on is not None:
            reviews.append((plan.previous.signed_on, plan.signed_on, ("care:plan_detail", (plan.pk,))))
        for anchor, done, url in reviews:
            duty = _duty(query, Rule.PLAN_REVIEW, anchor, done, subject=subject, url=url, **common)  # type: ignore[arg-type]
            if duty is not None:
                yield duty


class _Revision(NamedTuple):
    reviewed_on: datetime.date
    is_current: bool
    unit_id: int
    responsible_id: int | None


@register("care.binders")
def binder_review_duties(query: DutyQuery) -> Iterator[Duty]:
    """Each binder is due for review 12 months after its last review. A client with a running service
    but no binder of a kind owes one, counted from when the service started."""
    window_start = query.done_since - datetime.timedelta(days=800)
    by_binder: dict[tuple[int, str], list[_Revision]] = defaultdict(list)
    for client_id, kind, unit_id, reviewed_on, is_current, responsible_id in (
        HomeBinder.objects.filter(unit_id__in=query.unit_ids)
        .filter(Q(is_current=True) | Q(reviewed_on__gte=window_start))
        .order_by("client_id", "kind", "number")
        .values_list("client_id", "kind", "unit_id", "reviewed_on", "is_current", "responsible_id")
    ):
        by_binder[(client_id, kind)].append(_Revision(reviewed_on, is_current, unit_id, responsible_id))
    # A binder is kept while the unit serves the client: with every order ended, no review is owed. A client
    # whose service is running but who has no binder of a kind owes one, counted from the first execution.
    served: set[int] = set()
    first_order: dict[int, Order] = {}
    for order in (
        Order.objects.filter(unit_id__in=query.unit_ids, client__is_active=True)
        .exclude(status=Order.Status.ENDED)
        .order_by("executed_on", "id")
        .only("client_id", "unit_id", "status", "executed_on", "deputy_id")
    ):
        served.add(order.client_id)
        if order.status == Order.Status.EXECUTED:
            first_order.setdefault(order.client_id, order)
    client_ids = {client_id for client_id, _ in by_binder} | set(first_order)
    clients = {
        c.pk: c for c in Client.objects.filter(pk__in=client_ids, is_active=True).only("first_name", "last_name")
    }
    client_teams = _client_teams(set(clients))
    for client_id, client in clients.items():
        order = first_order.get(client_id)
        for kind, code in Rule.BINDER_REVIEW.items():
            url = ("care:binder", (client_id, kind))
            subject = f"{HomeBinder.Kind(kind).label}: genomgång"
            rows = by_binder.get((client_id, kind), [])
            # (anchor, done, unit, responsible): each review that moved the date forward fulfilled the one before
            pairs: list[tuple[datetime.date, datetime.date | None, int, int | None]] = [
                (earlier.reviewed_on, later.reviewed_on, later.unit_id, later.responsible_id)
                for earlier, later in itertools.pairwise(rows)
                if later.reviewed_on != earlier.reviewed_on
            ]
            current = next((r for r in rows if r.is_current), None)
            if current is not None and client_id in served:
                pairs.append((current.reviewed_on, None, current.unit_id, current.responsible_id))
            elif order is not None and order.executed_on is not None:
                subject = f"{HomeBinder.Kind(kind).label}: upprätta"
                pairs.append((order.executed_on, None, order.unit_id, order.deputy_id))
            for anchor, done, unit_id, responsible_id in pairs:
                if responsible_id is None and order is not None:
                    responsible_id = order.deputy_id
                duty = _duty(
                    query,
                    code,
                    anchor,
                    done,
                    subject=subject,
                    url=url,
                    unit_id=unit_id,
                    client=client,
                    responsible_id=responsible_id,
                    team_ids=client_teams.get(client_id, ()),
                )
                if duty is not None:
                    yield duty
