"""Where the provider chain's duties come from: orders (first contact, plan, execution, resumption after an
interruption), implementation plans (yearly review) and home binders (yearly review).

Each source reads only the units asked for and yields open duties plus those done since `done_since`.
Rule codes are the `core.DutyRule` codes seeded by migration care/0002.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Q, Subquery

from bista.care.models import HomeBinder, ImplementationPlan, Order, OrderEvent
from bista.clients.models import Client
from bista.core.deadlines import Duty
from bista.core.duties import DutyQuery, make_duty, register


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
    client_id: int,
    first_name: str,
    last_name: str,
    **details: Any,
) -> Duty | None:
    return make_duty(query, code, anchor, done, client_id=client_id, client_name=f"{first_name} {last_name}", **details)


def _client_teams(query: DutyQuery) -> dict[int, tuple[int, ...]]:
    """Client → the teams of the queried units the client belongs to (read once per query)."""
    if "care.client_teams" not in query.memo:
        teams: dict[int, list[int]] = defaultdict(list)
        for client_id, team_id in Client.teams.through.objects.filter(team__unit_id__in=query.unit_ids).values_list(
            "client_id", "team_id"
        ):
            teams[client_id].append(team_id)
        query.memo["care.client_teams"] = {client_id: tuple(sorted(ids)) for client_id, ids in teams.items()}
    return query.memo["care.client_teams"]  # type: ignore[no-any-return]


def _teams(client_id: int, team_id: int | None, client_teams: dict[int, tuple[int, ...]]) -> tuple[int, ...]:
    """The client's teams and the order's own team: whose list the duty is on."""
    ids = set(client_teams.get(client_id, ()))
    if team_id:
        ids.add(team_id)
    return tuple(sorted(ids))


# Sources read plain rows, not model instances: "Att göra" looks at a unit's whole open history on every
# request, and building a few thousand objects per call was most of its time.


@register("care.orders")
def order_duties(query: DutyQuery) -> Iterator[Duty]:
    since = query.done_since
    recent = Q(first_contact_on__gte=since) | Q(plan_established_on__gte=since) | Q(executed_on__gte=since)
    if query.todo_only:
        # Only orders with a step still to take, an interruption, or something done in the window.
        pending = Q(first_contact_on__isnull=True) | Q(plan_established_on__isnull=True) | Q(executed_on__isnull=True)
        resumed = OrderEvent.objects.filter(order=OuterRef("pk"), kind=OrderEvent.Kind.RESUMED, on__gte=since)
        candidates = (
            pending & ~Q(status=Order.Status.ENDED) | Q(status=Order.Status.INTERRUPTED) | recent | Q(Exists(resumed))
        )
    else:
        candidates = ~Q(status=Order.Status.ENDED) | recent
    rows = Order.objects.filter(unit_id__in=query.unit_ids)
    if query.responsible_id is not None:
        rows = rows.filter(deputy_id=query.responsible_id)
    orders = list(
        rows.filter(candidates).values_list(
            "pk",
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
            "client__first_name",
            "client__last_name",
            "service__name",
            named=True,
        )
    )
    client_teams = _client_teams(query)
    interruptions = _interruptions({o.pk for o in orders})
    for order in orders:
        common = {
            "url": ("care:order_detail", (order.pk,)),
            "unit_id": order.unit_id,
            "client_id": order.client_id,
            "first_name": order.client__first_name,
            "last_name": order.client__last_name,
            "responsible_id": order.deputy_id,
            "team_ids": _teams(order.client_id, order.team_id, client_teams),
        }
        service = order.service__name
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
        is_open = order.status != Order.Status.ENDED
        for code, anchor, done, subject in steps:
            if done is None and not is_open:
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
    current = Q(status=ImplementationPlan.Status.SIGNED) & ~Q(order__status=Order.Status.ENDED)
    if query.todo_only:
        # Only current plans old enough to be due soon or overdue.
        current &= Q(
            signed_on__lte=query.rules.latest_open_anchor(Rule.PLAN_REVIEW, query.horizon) or datetime.date.min
        )
    rows = ImplementationPlan.objects.filter(unit_id__in=query.unit_ids)
    if query.responsible_id is not None:
        rows = rows.filter(order__deputy_id=query.responsible_id)
    plans = list(
        rows.filter(
            current
            | Q(status__in=[ImplementationPlan.Status.SIGNED, ImplementationPlan.Status.SUPERSEDED])
            & Q(previous__isnull=False, signed_on__gte=query.done_since)
        ).values_list(
            "pk",
            "unit_id",
            "client_id",
            "status",
            "signed_on",
            "previous__signed_on",
            "client__first_name",
            "client__last_name",
            "order__deputy_id",
            "order__team_id",
            "order__status",
            "order__service__name",
            named=True,
        )
    )
    client_teams = _client_teams(query)
    for plan in plans:
        common = {
            "url": ("care:plan_detail", (plan.pk,)),
            "unit_id": plan.unit_id,
            "client_id": plan.client_id,
            "first_name": plan.client__first_name,
            "last_name": plan.client__last_name,
            "responsible_id": plan.order__deputy_id,
            "team_ids": _teams(plan.client_id, plan.order__team_id, client_teams),
        }
        subject = f"Uppföljning av genomförandeplan: {plan.order__service__name}"
        reviews = []
        if plan.status == ImplementationPlan.Status.SIGNED and plan.order__status != Order.Status.ENDED:
            reviews.append((plan.signed_on, None))
        if plan.previous__signed_on is not None:
            reviews.append((plan.previous__signed_on, plan.signed_on))
        for anchor, done in reviews:
            duty = _duty(query, Rule.PLAN_REVIEW, anchor, done, subject=subject, **common)  # type: ignore[arg-type]
            if duty is not None:
                yield duty


class _Revision(NamedTuple):
    reviewed_on: datetime.date
    unit_id: int
    responsible_id: int | None


def _responsible_for_binders(query: DutyQuery) -> bool:
    """Whether the person of `query.responsible_id` may have a binder duty in the units: a binder's duty is its
    responsible person's or else the deputy's of the client's order (one query, for someone else's list)."""
    person = query.responsible_id
    return (
        HomeBinder.objects.filter(unit_id__in=query.unit_ids, responsible_id=person).exists()
        or Order.objects.filter(unit_id__in=query.unit_ids, deputy_id=person).exists()
    )


@register("care.binders")
def binder_review_duties(query: DutyQuery) -> Iterator[Duty]:
    """Each binder is due for review 12 months after its last review. A client with a running service
    but no binder of a kind owes one, counted from when the service started."""
    if query.responsible_id is not None and not _responsible_for_binders(query):
        return
    current: dict[tuple[int, str], _Revision] = {}
    for client_id, kind, unit_id, reviewed_on, responsible_id in HomeBinder.objects.filter(
        unit_id__in=query.unit_ids, is_current=True
    ).values_list("client_id", "kind", "unit_id", "reviewed_on", "responsible_id"):
        current[(client_id, kind)] = _Revision(reviewed_on, unit_id, responsible_id)
    # Reviews since `done_since` (a revision that moved the review date forward) and the review each fulfilled.
    same_kind = HomeBinder.objects.filter(
        client=OuterRef("client"), kind=OuterRef("kind"), number__lt=OuterRef("number")
    )
    reviews = (
        HomeBinder.objects.filter(unit_id__in=query.unit_ids, reviewed_on__gte=query.done_since)
        .annotate(
            fulfilled=Subquery(
                same_kind.filter(reviewed_on__lt=OuterRef("reviewed_on")).order_by("-number").values("reviewed_on")[:1]
            ),
            repeated=Exists(same_kind.filter(reviewed_on=OuterRef("reviewed_on"))),
        )
        .filter(fulfilled__isnull=False, repeated=False)
        .values_list("client_id", "kind", "unit_id", "reviewed_on", "responsible_id", "fulfilled")
    )
    done: dict[tuple[int, str], list[tuple[datetime.date, datetime.date, int, int | None]]] = defaultdict(list)
    for client_id, kind, unit_id, reviewed_on, responsible_id, fulfilled in reviews:
        done[(client_id, kind)].append((fulfilled, reviewed_on, unit_id, responsible_id))
    # A binder is kept while the unit serves the client: with every order ended, no review is owed. A client
    # whose service is running but who has no binder of a kind owes one, counted from the first execution.
    served: set[int] = set()
    first_order: dict[int, Any] = {}
    for order in (
        Order.objects.filter(unit_id__in=query.unit_ids, client__is_active=True)
        .exclude(status=Order.Status.ENDED)
        .order_by("executed_on", "id")
        .values_list("client_id", "unit_id", "status", "executed_on", "deputy_id", named=True)
    ):
        served.add(order.client_id)
        if order.status == Order.Status.EXECUTED:
            first_order.setdefault(order.client_id, order)
    # For "Att göra", only binders old enough to be due soon or overdue (the rest would be dropped anyway).
    limits = {
        kind: query.rules.latest_open_anchor(code, query.horizon) if query.todo_only else None
        for kind, code in Rule.BINDER_REVIEW.items()
    }
    # First what each client's binders owe — (kind, anchor, done, unit, responsible, subject) — then names only
    # for the clients that owe something.
    owed: dict[int, list[tuple[str, datetime.date, datetime.date | None, int, int | None, str]]]
    owed = defaultdict(list)
    for client_id in {client_id for client_id, _ in current} | {client_id for client_id, _ in done} | set(first_order):
        order = first_order.get(client_id)
        for kind in Rule.BINDER_REVIEW:
            label = HomeBinder.Kind(kind).label
            review = f"{label}: genomgång"
            for fulfilled, reviewed_on, unit_id, responsible_id in done.get((client_id, kind), []):
                owed[client_id].append((kind, fulfilled, reviewed_on, unit_id, responsible_id, review))
            revision = current.get((client_id, kind))
            limit = limits[kind]
            if revision is not None and client_id in served:
                if limit is None or revision.reviewed_on <= limit:
                    owed[client_id].append(
                        (
                            kind,
                            revision.reviewed_on,
                            None,
                            revision.unit_id,
                            revision.responsible_id,
                            f"{label}: genomgång",
                        )
                    )
            elif revision is None and order is not None and order.executed_on is not None:
                owed[client_id].append(
                    (kind, order.executed_on, None, order.unit_id, order.deputy_id, f"{label}: upprätta")
                )
    names = {
        pk: (first, last)
        for pk, first, last in Client.objects.filter(pk__in=owed, is_active=True).values_list(
            "pk", "first_name", "last_name"
        )
    }
    client_teams = _client_teams(query)
    for client_id, (first_name, last_name) in names.items():
        order = first_order.get(client_id)
        for kind, anchor, done_on, unit_id, responsible_id, subject in owed[client_id]:
            if responsible_id is None and order is not None:
                responsible_id = order.deputy_id
            duty = _duty(
                query,
                Rule.BINDER_REVIEW[HomeBinder.Kind(kind)],
                anchor,
                done_on,
                subject=subject,
                url=("care:binder", (client_id, kind)),
                unit_id=unit_id,
                client_id=client_id,
                first_name=first_name,
                last_name=last_name,
                responsible_id=responsible_id,
                team_ids=client_teams.get(client_id, ()),
            )
            if duty is not None:
                yield duty
