"""Bringing a client's orders over from the previous system: each order with its dated steps and every signed
version of its implementation plan, checked as the services check them one at a time, saved in bulk, and one
event in the audit trail and the access log for the whole import (a migration, and the demo's ten years)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.care import rules
from bista.care.actions import AuditAction
from bista.care.models import ImplementationPlan, Order, OrderEvent, PlanActivity, Service
from bista.care.services.common import _not_in_future, _person, _required
from bista.care.services.orders import MANUAL_STEPS, ORDER_EDITABLE, _check_step, _validate_order
from bista.care.services.plans import PLAN_EDITABLE, PLAN_REQUIRED, _clean_activities
from bista.clients.models import AccessLogEntry, Client, ClientUnit
from bista.clients.services import access_log_record
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm
from bista.core.models import Team, Unit
from bista.core.permissions import Perm

# The fields an order is checked on field by field; its links (client, unit, service …) are given as records.
_ORDER_LINKS = ("client", "unit", "service", "deputy", "team")


@dataclass(frozen=True)
class ImportedStep:
    """A dated step of an order as `order_record_step` records it: first contact, executed, interrupted,
    resumed or ended."""

    kind: str
    on: datetime.date
    note: str = ""


@dataclass(frozen=True)
class ImportedPlanVersion:
    """One signed version of an order's implementation plan: the texts of `PLAN_EDITABLE` (goals, participants,
    follow_up_on …), its activities, when and by whom it was signed (None: by the migration)."""

    signed_on: datetime.date
    texts: Mapping[str, Any]
    activities: Sequence[Mapping[str, Any]]
    signed_by: Any = None


@dataclass(frozen=True)
class ImportedOrder:
    """An order as `order_create` registers it (`details`: goals, contacts, case_officer, follow_up_on …), its
    steps in the order they were recorded, and its plan versions, oldest first."""

    service: Service
    decision_date: datetime.date
    received_on: datetime.date
    scope_amount: Decimal | int | str
    scope_unit: str
    period_start: datetime.date
    period_end: datetime.date | None = None
    deputy: Any = None
    team: Team | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    steps: Sequence[ImportedStep] = ()
    plans: Sequence[ImportedPlanVersion] = ()


@dataclass
class _Checked:
    """An imported order checked and ready to save: the order, its events and its plan versions."""

    order: Order
    events: list[OrderEvent]
    plans: list[tuple[ImplementationPlan, list[dict[str, str]]]]


def _new_order(client: Client, unit: Unit, item: ImportedOrder) -> Order:
    unknown = set(item.details) - set(ORDER_EDITABLE)
    if unknown:
        raise TypeError(f"unknown order fields: {sorted(unknown)}")
    return Order(
        client=client,
        unit=unit,
        service=item.service,
        decision_date=item.decision_date,
        received_on=item.received_on,
        scope_amount=Decimal(str(item.scope_amount)),
        scope_unit=item.scope_unit,
        period_start=item.period_start,
        period_end=item.period_end,
        deputy=item.deputy,
        team=item.team,
        **{k: v.strip() if isinstance(v, str) else v for k, v in item.details.items()},
    )


def _replay_steps(order: Order, item: ImportedOrder) -> list[OrderEvent]:
    """The order's events as the services would record them — received; the steps up to the first contact; the
    first plan's signing (plan established); the other steps — each checked against where the order stands
    then, as `order_record_step` checks it. Sets the order's dates and status."""
    Kind = OrderEvent.Kind
    events = [OrderEvent(order=order, kind=Kind.RECEIVED, on=order.received_on)]

    def latest_on(kind: str | None) -> datetime.date | None:
        days = [event.on for event in events if kind is None or event.kind == kind]
        return max(days, default=None)

    def refresh() -> None:
        pauses = [(event.on, index, event.kind) for index, event in enumerate(events)]
        last = max((p for p in pauses if p[2] in (Kind.INTERRUPTED, Kind.RESUMED)), default=None)
        order.status = rules.order_status(
            first_contact_on=order.first_contact_on,
            plan_established_on=order.plan_established_on,
            executed_on=order.executed_on,
            interrupted=last is not None and last[2] == Kind.INTERRUPTED,
            ended_on=order.ended_on,
        )

    def establish() -> None:
        first = item.plans[0]
        order.plan_established_on = first.signed_on
        events.append(
            OrderEvent(
                order=order, kind=Kind.PLAN_ESTABLISHED, on=first.signed_on, recorded_by=_person(first.signed_by)
            )
        )
        refresh()

    refresh()
    for step in item.steps:
        if item.plans and order.plan_established_on is None and step.kind != Kind.FIRST_CONTACT:
            establish()
        if step.kind not in MANUAL_STEPS:
            raise ValidationError({"step": "Okänt steg."})
        _not_in_future(step.on, "on")
        _check_step(order, step.kind, step.on, latest_on)
        if step.kind == Kind.FIRST_CONTACT:
            order.first_contact_on = step.on
        elif step.kind == Kind.EXECUTED:
            order.executed_on = step.on
        elif step.kind == Kind.ENDED:
            order.ended_on = step.on
        events.append(OrderEvent(order=order, kind=step.kind, on=step.on, note=step.note.strip()))
        refresh()
    if item.plans and order.plan_established_on is None:
        establish()
    return events


def _plan_versions(order: Order, item: ImportedOrder) -> list[tuple[ImplementationPlan, list[dict[str, str]]]]:
    """Each version checked as `plan_update` and `plan_sign` check it; numbered 1, 2 … with the last current."""
    versions: list[tuple[ImplementationPlan, list[dict[str, str]]]] = []
    now = clock.now()
    for number, version in enumerate(item.plans, start=1):
        unknown = set(version.texts) - set(PLAN_EDITABLE)
        if unknown:
            raise TypeError(f"unknown plan fields: {sorted(unknown)}")
        values = {k: v.strip() if isinstance(v, str) else v for k, v in version.texts.items()}
        _required(values, PLAN_REQUIRED)
        activities = _clean_activities(version.activities)
        if not activities:
            raise ValidationError({"activities": "Planen måste ha minst en aktivitet."})
        _not_in_future(version.signed_on, "signed_on")
        if version.signed_on < order.received_on:
            raise ValidationError({"signed_on": "Planen kan inte undertecknas före det att beställningen togs emot."})
        if item.plans[: number - 1] and version.signed_on < item.plans[number - 2].signed_on:
            raise ValidationError({"signed_on": "Planen kan inte undertecknas före den version den ersätter."})
        if order.ended_on is not None and version.signed_on > order.ended_on:
            raise ValidationError({"order": "Beställningen är avslutad; planen kan inte undertecknas."})
        signer = _person(version.signed_by)
        plan = ImplementationPlan(
            order=order,
            client=order.client,
            unit=order.unit,
            number=number,
            status=ImplementationPlan.Status.SIGNED
            if number == len(item.plans)
            else ImplementationPlan.Status.SUPERSEDED,
            signed_on=version.signed_on,
            signed_by=signer,
            signed_at=now,
            created_by=signer,
            **values,
        )
        plan.clean_fields(exclude=["order", "client", "unit", "previous", "signed_by", "created_by"])
        versions.append((plan, activities))
    return versions


def _checked(client: Client, unit: Unit, orders: Sequence[ImportedOrder]) -> list[_Checked]:
    """Every order, its steps and its plans checked before anything is saved; an error names the order."""
    errors: list[str] = []
    checked: list[_Checked] = []
    deputies: dict[int, bool] = {}
    for number, item in enumerate(orders, start=1):
        try:
            order = _new_order(client, unit, item)
            _validate_order(order, deputies)
            order.clean_fields(exclude=list(_ORDER_LINKS))
            events = _replay_steps(order, item)
            plans = _plan_versions(order, item)
        except ValidationError as error:
            errors.append(f"Beställning {number}: {' '.join(error.messages)}")
            continue
        checked.append(_Checked(order=order, events=events, plans=plans))
    if errors:
        raise ValidationError({"orders": errors})
    return checked


@transaction.atomic
def order_history_import(*, actor: Any, client: Client, unit: Unit, orders: Sequence[ImportedOrder]) -> list[Order]:
    """Bring a client's orders at `unit` over from the previous system (a migration, and the demo's ten
    years): each order with its steps and its signed plan versions (the last one current), as if registered
    with `order_create`, `order_record_step`, `plan_create`/`plan_start_review` and `plan_sign` in turn, and
    checked as they check it, every order before any is saved. One event in the audit trail and the access log
    for the whole import (by the SYSTEM actor; no page offers it), not one per order, step and plan. Returns
    the orders in the order given."""
    if actor is not SYSTEM:
        raise PermissionDenied("Beställningshistorik importeras bara av systemets migrering.")
    check_perm(actor, Perm.CARE_MANAGE, unit)
    Client.objects.select_for_update().filter(pk=client.pk).first()
    if not ClientUnit.objects.filter(client=client, unit=unit, until__isnull=True).exists():
        raise ValidationError({"client": "Brukaren är inte kopplad till enheten."})
    if not Client.objects.filter(pk=client.pk, is_active=True).exists():  # the caller's copy may be stale
        raise ValidationError({"client": "Brukaren är inte aktiv."})
    checked = _checked(client, unit, orders)
    if not checked:
        return []
    created = Order.objects.bulk_create([item.order for item in checked], batch_size=500)
    OrderEvent.objects.bulk_create([event for item in checked for event in item.events], batch_size=500)
    _save_plans(checked)
    access_log_record(
        actor=SYSTEM, client=client, action=AccessLogEntry.Action.WRITE, unit=unit, detail="beställningar"
    )
    audit.record(
        actor=SYSTEM,
        action=AuditAction.ORDER_IMPORT,
        obj=client,
        new={
            "orders": len(created),
            "events": sum(len(item.events) for item in checked),
            "plans": sum(len(item.plans) for item in checked),
            "first": min(order.pk for order in created),
            "last": max(order.pk for order in created),
        },
        unit=unit,
    )
    return created


def _save_plans(checked: Sequence[_Checked]) -> None:
    """The plan versions in rounds by number, so each points to the version it replaced (saved in the round
    before). Each round is saved as drafts with their activities and then given its status, as signing does: a
    signed version's activities can no longer be written (on PostgreSQL a trigger refuses it)."""
    rounds = max((len(item.plans) for item in checked), default=0)
    for index in range(rounds):
        batch = [
            (item.plans[index], item.plans[index - 1][0] if index else None)
            for item in checked
            if index < len(item.plans)
        ]
        final: dict[str, list[ImplementationPlan]] = {}
        for (plan, _activities), previous in batch:
            plan.previous = previous
            final.setdefault(plan.status, []).append(plan)
            plan.status = ImplementationPlan.Status.DRAFT
        ImplementationPlan.objects.bulk_create([plan for (plan, _activities), _previous in batch], batch_size=500)
        PlanActivity.objects.bulk_create(
            (
                PlanActivity(plan=plan, position=position, **activity)
                for (plan, activities), _previous in batch
                for position, activity in enumerate(activities)
            ),
            batch_size=500,
        )
        for status, plans in final.items():
            ImplementationPlan.objects.filter(pk__in=[plan.pk for plan in plans]).update(status=status)
            for plan in plans:
                plan.status = status
