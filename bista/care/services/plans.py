"""Writes of implementation plans (genomförandeplaner): create, edit, sign, start a review; each signed
version stays."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from bista.care import rules
from bista.care.models import (
    ImplementationPlan,
    Order,
    OrderEvent,
    PlanActivity,
)
from bista.care.services.common import _not_in_future, _person, _required
from bista.care.services.orders import _refresh_status
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit

PLAN_TEXTS = ("goals", "cooperation", "participants", "client_participation", "client_view", "easy_read")
PLAN_EDITABLE = (*PLAN_TEXTS, "follow_up_on")
ACTIVITY_FIELDS = ("goal", "how", "when", "responsible")
PLAN_REQUIRED = {
    "goals": "Mål",
    "participants": "Deltagare",
    "client_participation": "Hur brukaren har varit delaktig",
    "client_view": "Brukarens egen uppfattning",
}
ACTIVITY_REQUIRED = {"goal": "Delmål", "how": "Hur", "when": "När", "responsible": "Ansvarig"}


def _clean_activities(activities: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Activities as given, blank rows dropped; a half-filled row is an error naming the row and field."""
    cleaned = []
    for index, activity in enumerate(activities, start=1):
        values = {f: str(activity.get(f) or "").strip() for f in ACTIVITY_FIELDS}
        if not any(values.values()):
            continue
        missing = [label for f, label in ACTIVITY_REQUIRED.items() if not values[f]]
        if missing:
            raise ValidationError({"activities": f"Aktivitet {index}: {', '.join(missing)} måste fyllas i."})
        cleaned.append(values)
    return cleaned


def _save_activities(plan: ImplementationPlan, activities: Sequence[Mapping[str, str]]) -> None:
    # Activities of a draft are replaced wholesale; a signed version's activities are never touched.
    PlanActivity.objects.filter(plan=plan).delete()
    PlanActivity.objects.bulk_create(
        PlanActivity(plan=plan, position=index, **activity) for index, activity in enumerate(activities)
    )


def _activity_snapshot(plan: ImplementationPlan) -> list[dict[str, str]]:
    return [{f: getattr(a, f) for f in ACTIVITY_FIELDS} for a in plan.activities.order_by("position", "id")]


def _check_plan_unit(actor: Any, order: Order) -> None:
    check_perm(actor, Perm.CARE_MANAGE, order.unit)


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    order: Order,
    activities: Iterable[Mapping[str, Any]] = (),
    goals: str | None = None,
    **texts: Any,
) -> ImplementationPlan:
    """Start the first plan of an order as a draft, with the order's goals carried over unless given."""
    _check_plan_unit(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not order.is_open:
        raise ValidationError({"order": "Beställningen är avslutad."})
    if order.plans.exists():
        raise ValidationError({"order": "Beställningen har redan en genomförandeplan; gör en uppföljning i stället."})
    values = {"goals": order.goals if goals is None else goals, **texts}
    unknown = set(values) - set(PLAN_EDITABLE)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    _required(values, PLAN_REQUIRED)
    cleaned = _clean_activities(activities)
    plan = ImplementationPlan(
        order=order, client=order.client, unit=order.unit, number=1, created_by=_person(actor), **values
    )
    plan.full_clean()
    plan.save()
    _save_activities(plan, cleaned)
    audit.record(
        actor=actor,
        action="plan.create",
        obj=plan,
        new={**audit.snapshot(plan, ("order", "number", *PLAN_EDITABLE)), "activities": cleaned},
        unit=order.unit,
    )
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: Any,
    plan: ImplementationPlan,
    expected_version: int | None,
    activities: Iterable[Mapping[str, Any]] | None = None,
    **changes: Any,
) -> ImplementationPlan:
    """Save a draft. A signed version is never changed (a review makes a new one); a stale save conflicts."""
    _check_plan_unit(actor, plan.order)
    locked = lock_for_edit(ImplementationPlan, plan.pk, expected_version)
    if locked.status != ImplementationPlan.Status.DRAFT:
        raise ValidationError("En undertecknad genomförandeplan kan inte ändras. Gör en uppföljning för en ny version.")
    values = {f: getattr(locked, f) for f in PLAN_EDITABLE}
    values.update({k: v.strip() if isinstance(v, str) else v for k, v in changes.items()})
    unknown = set(changes) - set(PLAN_EDITABLE)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    _required(values, PLAN_REQUIRED)
    cleaned = _clean_activities(activities) if activities is not None else None
    old = {**audit.snapshot(locked, PLAN_EDITABLE), "activities": _activity_snapshot(locked)}
    for field, value in values.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.version += 1
    locked.save()
    if cleaned is not None:
        _save_activities(locked, cleaned)
    before, after = audit.changed(
        old, {**audit.snapshot(locked, PLAN_EDITABLE), "activities": _activity_snapshot(locked)}
    )
    if after:
        audit.record(actor=actor, action="plan.update", obj=locked, old=before, new=after, unit=locked.unit)
    return locked


@transaction.atomic
def plan_sign(
    *, actor: Any, plan: ImplementationPlan, expected_version: int | None, signed_on: datetime.date | None = None
) -> ImplementationPlan:
    """Sign a draft: it becomes the current plan, the previous current version is superseded, and the
    order's first signed plan marks the step "plan established"."""
    _check_plan_unit(actor, plan.order)
    locked = lock_for_edit(ImplementationPlan, plan.pk, expected_version)
    if locked.status != ImplementationPlan.Status.DRAFT:
        raise ValidationError("Planen är redan undertecknad.")
    signed_on = signed_on or clock.today()
    _not_in_future(signed_on, "signed_on")
    order = Order.objects.select_for_update().get(pk=locked.order_id)
    if not order.is_open:
        raise ValidationError({"order": "Beställningen är avslutad; planen kan inte undertecknas."})
    if signed_on < order.received_on:
        raise ValidationError({"signed_on": "Planen kan inte undertecknas före det att beställningen togs emot."})
    if locked.previous is not None and locked.previous.signed_on and signed_on < locked.previous.signed_on:
        raise ValidationError({"signed_on": "Planen kan inte undertecknas före den version den ersätter."})
    _required({f: getattr(locked, f) for f in PLAN_REQUIRED}, PLAN_REQUIRED)
    if not locked.activities.exists():
        raise ValidationError({"activities": "Planen måste ha minst en aktivitet."})
    ImplementationPlan.objects.filter(order=order, status=ImplementationPlan.Status.SIGNED).update(
        status=ImplementationPlan.Status.SUPERSEDED
    )
    locked.status = ImplementationPlan.Status.SIGNED
    locked.signed_on = signed_on
    locked.signed_by = _person(actor)
    locked.signed_at = clock.now()
    locked.version += 1
    locked.save()
    if order.plan_established_on is None:
        order.plan_established_on = signed_on
        OrderEvent.objects.create(
            order=order, kind=OrderEvent.Kind.PLAN_ESTABLISHED, on=signed_on, recorded_by=_person(actor)
        )
        _refresh_status(order)
        order.version += 1
        order.save()
        audit.record(
            actor=actor,
            action="order.plan_established",
            obj=order,
            new={"plan_established_on": signed_on, "status": order.status},
            unit=order.unit,
        )
    audit.record(
        actor=actor,
        action="plan.sign",
        obj=locked,
        new={"status": locked.status, "signed_on": signed_on},
        unit=locked.unit,
    )
    return locked


@transaction.atomic
def plan_start_review(*, actor: Any, plan: ImplementationPlan) -> ImplementationPlan:
    """Begin the follow-up of the current plan: a new draft version, copied from it, that replaces it once
    signed. If a review draft already exists it is returned, so two people end up in the same draft."""
    _check_plan_unit(actor, plan.order)
    order = Order.objects.select_for_update().get(pk=plan.order_id)
    plan = ImplementationPlan.objects.get(pk=plan.pk)  # the caller's copy may be stale: trust the database
    draft = order.plans.filter(status=ImplementationPlan.Status.DRAFT).first()
    if draft is not None:
        return draft
    if plan.status != ImplementationPlan.Status.SIGNED:
        raise ValidationError("Bara den gällande planen kan följas upp.")
    if not order.is_open:
        raise ValidationError({"order": "Beställningen är avslutad."})
    number = (order.plans.aggregate(m=Max("number"))["m"] or 0) + 1
    draft = ImplementationPlan.objects.create(
        order=order,
        client=plan.client,
        unit=plan.unit,
        number=number,
        previous=plan,
        created_by=_person(actor),
        **{f: getattr(plan, f) for f in PLAN_EDITABLE},
    )
    _save_activities(draft, _activity_snapshot(plan))
    audit.record(
        actor=actor, action="plan.review", obj=draft, new={"previous": plan.pk, "number": number}, unit=plan.unit
    )
    return draft


def plan_changes(old: ImplementationPlan, new: ImplementationPlan) -> list[rules.FieldChange]:
    """What changed from one plan version to another, field by field (activities as text)."""
    labels = {
        f: str(getattr(ImplementationPlan._meta.get_field(f), "verbose_name", f)).capitalize() for f in PLAN_TEXTS
    }
    labels["follow_up_on"] = "Uppföljningsdatum"
    labels["activities"] = "Aktiviteter"

    def texts(plan: ImplementationPlan) -> dict[str, str]:
        values = {f: getattr(plan, f) for f in PLAN_TEXTS}
        values["follow_up_on"] = plan.follow_up_on.isoformat() if plan.follow_up_on else ""
        values["activities"] = "\n".join(
            f"{a['goal']} — {a['how']} — {a['when']} — {a['responsible']}" for a in _activity_snapshot(plan)
        )
        return values

    return rules.text_changes(labels, texts(old), texts(new))
