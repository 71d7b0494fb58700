"""Writes of orders (beställningar): register or receive an order, edit it, record its steps (first contact,
executed, interrupted, resumed, ended)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.care import rules
from bista.care.models import (
    Order,
    OrderEvent,
    Service,
)
from bista.care.services.common import _not_in_future, _person
from bista.clients.models import Client, ClientUnit
from bista.clients.services import client_link_unit
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, unit_members_with
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit, update_versioned

ORDER_EDITABLE = (
    "service",
    "decision_date",
    "received_on",
    "scope_amount",
    "scope_unit",
    "period_start",
    "period_end",
    "goals",
    "special_considerations",
    "contacts",
    "case_officer",
    "follow_up_on",
    "deputy",
    "team",
)
ORDER_AUDITED = ("client", "unit", "status", *ORDER_EDITABLE)
# Steps recorded by hand; "received" is the order's creation and "plan established" the first signed plan.
MANUAL_STEPS = (
    OrderEvent.Kind.FIRST_CONTACT,
    OrderEvent.Kind.EXECUTED,
    OrderEvent.Kind.INTERRUPTED,
    OrderEvent.Kind.RESUMED,
    OrderEvent.Kind.ENDED,
)


def _validate_order(order: Order, deputies: dict[int, bool] | None = None) -> None:
    """Check an order's fields against each other and the reference data. `deputies` (deputy id -> whether
    they are responsible (care.responsible) in the unit) keeps the answers across the orders of one import."""
    errors: dict[str, str] = {}
    deputies = {} if deputies is None else deputies
    if order.decision_date and order.received_on and order.received_on < order.decision_date:
        errors["received_on"] = "Beställningen kan inte ha tagits emot före beslutsdatum."
    if order.period_start and order.period_end and order.period_end < order.period_start:
        errors["period_end"] = "Periodens slut kan inte vara före dess början."
    if order.scope_amount is not None and Decimal(order.scope_amount) <= 0:
        errors["scope_amount"] = "Omfattningen måste vara större än noll."
    if order.first_contact_on and order.received_on and order.received_on > order.first_contact_on:
        errors.setdefault(
            "received_on", f"Mottagningsdatum kan inte vara efter första kontakten ({order.first_contact_on:%Y-%m-%d})."
        )
    if order.executed_on and order.decision_date and order.decision_date > order.executed_on:
        errors["decision_date"] = f"Beslutsdatum kan inte vara efter verkställigheten ({order.executed_on:%Y-%m-%d})."
    if order.team is not None and order.team.unit_id != order.unit_id:
        errors["team"] = "Arbetsgruppen hör inte till enheten."
    if order.deputy_id and order.deputy_id not in deputies:
        deputies[order.deputy_id] = (
            unit_members_with(Perm.CARE_RESPONSIBLE, [order.unit_id], clock.today())
            .filter(user_id=order.deputy_id)
            .exists()
        )
    if order.deputy_id and not deputies[order.deputy_id]:
        errors["deputy"] = "Den ansvariga är inte biträdande enhetschef eller enhetschef i enheten."
    if order.service_id and order.decision_date:
        service = order.service
        if not service.in_force(order.decision_date):
            errors["service"] = "Insatsen gällde inte på beslutsdatum."
    if "received_on" not in errors and order.received_on and order.received_on > clock.today():
        errors["received_on"] = "Datumet kan inte ligga i framtiden."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def order_create(
    *,
    actor: Any,
    client: Client,
    unit: Unit,
    service: Service,
    decision_date: datetime.date,
    received_on: datetime.date,
    scope_amount: Decimal | int | str,
    scope_unit: str,
    period_start: datetime.date,
    period_end: datetime.date | None = None,
    deputy: Any = None,
    team: Team | None = None,
    **details: Any,
) -> Order:
    """Register an incoming order for a client of the unit. `details`: goals, contacts, follow-up date …"""
    check_perm(actor, Perm.CARE_MANAGE, unit)
    return _order_new(
        actor=actor,
        client=client,
        unit=unit,
        service=service,
        decision_date=decision_date,
        received_on=received_on,
        scope_amount=scope_amount,
        scope_unit=scope_unit,
        period_start=period_start,
        period_end=period_end,
        deputy=deputy,
        team=team,
        **details,
    )


@transaction.atomic
def order_receive(*, actor: Any, purchaser: Unit, client: Client, unit: Unit, **order: Any) -> Order:
    """An order sent from a purchaser unit in Bistå (casework's decision): it arrives at the provider `unit`
    as an order in state received, the same record the provider registers by hand for outside purchasers.

    The actor is the purchaser's case officer, who holds casework.manage in `purchaser`, not care.manage at
    the provider. The client is linked to the provider unit if not already (that link's audit event names no
    person; the order's own event names the case officer)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, purchaser)
    if unit.kind != Unit.Kind.PROVIDER:
        raise ValidationError({"provider_unit": "Enheten är ingen utförarenhet."})
    client_link_unit(actor=SYSTEM, client=client, unit=unit, since=order["received_on"])
    return _order_new(actor=actor, client=client, unit=unit, **order)


def _order_new(
    *,
    actor: Any,
    client: Client,
    unit: Unit,
    service: Service,
    decision_date: datetime.date,
    received_on: datetime.date,
    scope_amount: Decimal | int | str,
    scope_unit: str,
    period_start: datetime.date,
    period_end: datetime.date | None = None,
    deputy: Any = None,
    team: Team | None = None,
    **details: Any,
) -> Order:
    unknown = set(details) - set(ORDER_EDITABLE)
    if unknown:
        raise TypeError(f"unknown order fields: {sorted(unknown)}")
    if not ClientUnit.objects.filter(client=client, unit=unit, until__isnull=True).exists():
        raise ValidationError({"client": "Brukaren är inte kopplad till enheten."})
    if not Client.objects.filter(pk=client.pk, is_active=True).exists():  # the caller's copy may be stale
        raise ValidationError({"client": "Brukaren är inte aktiv."})
    order = Order(
        client=client,
        unit=unit,
        service=service,
        decision_date=decision_date,
        received_on=received_on,
        scope_amount=Decimal(str(scope_amount)),
        scope_unit=scope_unit,
        period_start=period_start,
        period_end=period_end,
        deputy=deputy,
        team=team,
        **{k: v.strip() if isinstance(v, str) else v for k, v in details.items()},
    )
    _validate_order(order)
    order.full_clean()
    order.save()
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.RECEIVED, on=received_on, recorded_by=_person(actor))
    audit.record(actor=actor, action="order.create", obj=order, new=audit.snapshot(order, ORDER_AUDITED), unit=unit)
    return order


@transaction.atomic
def order_update(*, actor: Any, order: Order, expected_version: int | None, **changes: Any) -> Order:
    """Correct an order's details (not its steps). A stale version raises ConflictError."""
    check_perm(actor, Perm.CARE_MANAGE, order.unit)
    candidate = Order.objects.get(pk=order.pk)
    for field, value in changes.items():
        if field not in ORDER_EDITABLE:
            raise TypeError(f"not editable: {field}")
        setattr(candidate, field, value.strip() if isinstance(value, str) else value)
    _validate_order(candidate)
    return update_versioned(
        actor=actor,
        obj=order,
        expected_version=expected_version,
        changes={k: getattr(candidate, k) for k in changes},
        editable=ORDER_EDITABLE,
        audited=ORDER_AUDITED,
        action="order.update",
        unit=order.unit,
    )


def _refresh_status(order: Order) -> None:
    last = (
        order.events.filter(kind__in=[OrderEvent.Kind.INTERRUPTED, OrderEvent.Kind.RESUMED])
        .order_by("-on", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    order.status = rules.order_status(
        first_contact_on=order.first_contact_on,
        plan_established_on=order.plan_established_on,
        executed_on=order.executed_on,
        interrupted=last == OrderEvent.Kind.INTERRUPTED,
        ended_on=order.ended_on,
    )


def _latest_event_on(order: Order) -> Callable[[str | None], datetime.date | None]:
    """The date of the order's latest stored event of a kind (or of any kind, for None)."""

    def latest(kind: str | None) -> datetime.date | None:
        events = order.events.all() if kind is None else order.events.filter(kind=kind)
        return events.order_by("-on", "-id").values_list("on", flat=True).first()

    return latest


def _check_step(
    order: Order, step: str, on: datetime.date, latest_on: Callable[[str | None], datetime.date | None]
) -> None:
    """Refuse a step that does not follow from where the order stands, with a message naming the date.
    `latest_on(kind)` is the date of the order's latest event of that kind (None: of any kind) so far."""
    Kind = OrderEvent.Kind
    if order.status == Order.Status.ENDED:
        raise ValidationError({"step": "Beställningen är avslutad."})
    if on < order.received_on and step != Kind.EXECUTED:
        raise ValidationError({"on": "Datumet kan inte vara före det att beställningen togs emot."})
    if step == Kind.FIRST_CONTACT and order.first_contact_on is not None:
        raise ValidationError({"step": "Första kontakt är redan registrerad."})
    if step == Kind.EXECUTED:
        if order.executed_on is not None:
            raise ValidationError({"step": "Insatsen är redan verkställd."})
        if on < order.decision_date:
            raise ValidationError({"on": "Insatsen kan inte ha verkställts före beslutsdatum."})
    if step == Kind.INTERRUPTED and order.status != Order.Status.EXECUTED:
        raise ValidationError({"step": "Bara en verkställd insats kan få avbrott."})
    if step == Kind.RESUMED:
        if order.status != Order.Status.INTERRUPTED:
            raise ValidationError({"step": "Insatsen har inget pågående avbrott."})
        interrupted_on = latest_on(Kind.INTERRUPTED)
        if interrupted_on and on < interrupted_on:
            raise ValidationError({"on": "Insatsen kan inte återupptas före avbrottet."})
    if step in (Kind.INTERRUPTED, Kind.ENDED):
        latest = latest_on(None)
        if latest and on < latest:
            raise ValidationError({"on": f"Datumet kan inte vara före föregående steg ({latest:%Y-%m-%d})."})


@transaction.atomic
def order_record_step(
    *, actor: Any, order: Order, step: str, on: datetime.date, note: str = "", expected_version: int | None = None
) -> Order:
    """Record a dated step in the order's life: first contact, executed, interrupted, resumed, ended."""
    check_perm(actor, Perm.CARE_MANAGE, order.unit)
    if step not in MANUAL_STEPS:
        raise ValidationError({"step": "Okänt steg."})
    return _record_step(actor=actor, order=order, step=step, on=on, note=note, expected_version=expected_version)


@transaction.atomic
def order_end_from_purchaser(*, actor: Any, purchaser: Unit, order: Order, on: datetime.date, note: str = "") -> Order:
    """The purchaser (casework) ended the decision behind the order: the order ends on the same day, as if the
    provider had recorded the step. The actor holds casework.manage in `purchaser`, not care.manage."""
    check_perm(actor, Perm.CASEWORK_MANAGE, purchaser)
    # Only the purchaser whose decision the order came from may end it (read through the reverse link casework
    # keeps on the order, so care imports nothing of casework).
    if not Order.objects.filter(pk=order.pk, case_order__case__unit=purchaser).exists():
        raise ValidationError({"order": "Beställningen kommer inte från den här beställarenheten."})
    return _record_step(actor=actor, order=order, step=OrderEvent.Kind.ENDED, on=on, note=note, expected_version=None)


def _record_step(
    *, actor: Any, order: Order, step: str, on: datetime.date, note: str, expected_version: int | None
) -> Order:
    locked = lock_for_edit(Order, order.pk, expected_version)
    _not_in_future(on, "on")
    _check_step(locked, step, on, _latest_event_on(locked))
    old = audit.snapshot(locked, ("status", "first_contact_on", "executed_on", "ended_on"))
    if step == OrderEvent.Kind.FIRST_CONTACT:
        locked.first_contact_on = on
    elif step == OrderEvent.Kind.EXECUTED:
        locked.executed_on = on
    elif step == OrderEvent.Kind.ENDED:
        locked.ended_on = on
    OrderEvent.objects.create(order=locked, kind=step, on=on, note=note.strip(), recorded_by=_person(actor))
    _refresh_status(locked)
    locked.version += 1
    locked.save()
    before, after = audit.changed(
        old, audit.snapshot(locked, ("status", "first_contact_on", "executed_on", "ended_on"))
    )
    audit.record(
        actor=actor,
        action=f"order.{step}",
        obj=locked,
        old=before,
        new={**after, "on": on, "note": note},
        unit=locked.unit,
    )
    return locked
