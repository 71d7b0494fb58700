"""Writes of the provider chain. Each validates, saves and audits in one transaction; nothing about a
person is deleted; plans and binders are versioned, the journal is append-only."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from bista.care import rules
from bista.care.models import (
    Delivery,
    HomeBinder,
    ImplementationPlan,
    JournalCategory,
    JournalDraft,
    JournalEntry,
    JournalObjection,
    Order,
    OrderEvent,
    PlanActivity,
    RiskItem,
    Service,
)
from bista.clients.models import AccessLogEntry, Client, ClientUnit
from bista.clients.services import access_log_record, client_link_unit
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, has_perm, valid_on
from bista.core.errors import ConflictError
from bista.core.models import Membership, Team, Unit
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
PLAN_TEXTS = ("goals", "cooperation", "participants", "client_participation", "client_view")
PLAN_EDITABLE = (*PLAN_TEXTS, "follow_up_on")
ACTIVITY_FIELDS = ("goal", "how", "when", "responsible")
BINDER_TEXTS = ("contacts", "instructions", "continuity", "wishes", "routines", "notes")
RISK_FIELDS = ("risk", "likelihood", "consequence", "action", "owner")

# Steps recorded by hand; "received" is the order's creation and "plan established" the first signed plan.
MANUAL_STEPS = (
    OrderEvent.Kind.FIRST_CONTACT,
    OrderEvent.Kind.EXECUTED,
    OrderEvent.Kind.INTERRUPTED,
    OrderEvent.Kind.RESUMED,
    OrderEvent.Kind.ENDED,
)


def _not_in_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: "Datumet kan inte ligga i framtiden."})


def _required(values: Mapping[str, Any], labels: Mapping[str, str]) -> None:
    errors = {
        field: f"{label} måste fyllas i." for field, label in labels.items() if not str(values.get(field) or "").strip()
    }
    if errors:
        raise ValidationError(errors)


def _client_unit(actor: Any, client: Client, perm: str) -> Unit:
    """The unit, among the client's current ones, through which the actor holds `perm` for this client.

    An actor who sees the client only through a team must be in one of the client's teams.
    """
    links = list(
        ClientUnit.objects.filter(client=client, until__isnull=True).select_related("unit").order_by("unit_id")
    )
    if actor is SYSTEM:
        providers = [link.unit for link in links if link.unit.kind == Unit.Kind.PROVIDER]
        if providers or links:
            return (providers or [link.unit for link in links])[0]
        raise ValidationError("Brukaren är inte kopplad till någon enhet.")
    from bista.clients.selectors import visible_clients  # the clients context decides who sees whom

    if visible_clients(actor).filter(pk=client.pk).exists():
        for link in links:
            if has_perm(actor, perm, link.unit):
                return link.unit
    raise PermissionDenied(f"Behörighet saknas: {perm}")


# --- Orders ---------------------------------------------------------------------------------------


def _validate_order(order: Order) -> None:
    errors: dict[str, str] = {}
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
    if (
        order.deputy_id
        and not Membership.objects.filter(
            valid_on(clock.today()), user_id=order.deputy_id, unit_id=order.unit_id
        ).exists()
    ):
        errors["deputy"] = "Den ansvariga har ingen roll i enheten."
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


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


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


def _check_step(order: Order, step: str, on: datetime.date) -> None:
    """Refuse a step that does not follow from where the order stands, with a message naming the date."""
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
        interrupted_on = (
            order.events.filter(kind=Kind.INTERRUPTED).order_by("-on", "-id").values_list("on", flat=True).first()
        )
        if interrupted_on and on < interrupted_on:
            raise ValidationError({"on": "Insatsen kan inte återupptas före avbrottet."})
    if step in (Kind.INTERRUPTED, Kind.ENDED):
        latest = order.events.order_by("-on").values_list("on", flat=True).first()
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
    return _record_step(actor=actor, order=order, step=OrderEvent.Kind.ENDED, on=on, note=note, expected_version=None)


def _record_step(
    *, actor: Any, order: Order, step: str, on: datetime.date, note: str, expected_version: int | None
) -> Order:
    locked = lock_for_edit(Order, order.pk, expected_version)
    _not_in_future(on, "on")
    _check_step(locked, step, on)
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


# --- Implementation plans ----------------------------------------------------------------------------

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


# --- Journal ----------------------------------------------------------------------------------------


def _role_name(actor: Any, unit: Unit) -> str:
    membership = (
        Membership.objects.filter(valid_on(clock.today()), user=actor, unit=unit).select_related("role").first()
        or Membership.objects.filter(
            valid_on(clock.today()), user=actor, unit__isnull=True, district=unit.department.district
        )
        .select_related("role")
        .first()
    )
    return membership.role.name if membership else ""


# The signature scheme new entries are signed with (JournalEntry.signature_version).
SIGNATURE_VERSION = 2
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _signed_moment(written_at: datetime.datetime, version: int) -> str:
    """written_at as the signature reads it. Version 2 takes whole seconds since the epoch, in integer
    arithmetic: the same whatever a database, a driver or a serialiser keeps of the fraction (dumpdata keeps
    milliseconds). Version 1, kept to verify the entries signed with it, took the ISO text with microseconds."""
    if version == 1:
        return written_at.astimezone(datetime.UTC).isoformat()
    return str((written_at - _EPOCH) // datetime.timedelta(seconds=1))


def _content_hash(entry: JournalEntry, version: int = SIGNATURE_VERSION) -> str:
    parts = [
        str(entry.client_id),
        entry.event_date.isoformat(),
        _signed_moment(entry.written_at, version),
        str(entry.author_id),
        entry.author_name,
        entry.author_role,
        str(entry.category_id),
        str(entry.corrects_id or ""),
        entry.text,
    ]
    if version >= 2:
        parts.insert(0, f"v{version}")  # a hash of one scheme can never pass for another's
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def journal_signature_valid(entry: JournalEntry) -> bool:
    """Whether the entry still reads as it was signed, under the scheme it was signed with."""
    if entry.signature_version not in (1, SIGNATURE_VERSION):
        return False
    return entry.content_hash == _content_hash(entry, entry.signature_version)


def _check_category(category: JournalCategory | None, day: datetime.date) -> JournalCategory:
    if category is None:
        raise ValidationError({"category": "Välj en kategori."})
    if not category.in_force(day):
        raise ValidationError({"category": "Kategorin gäller inte längre."})
    return category


@transaction.atomic
def journal_entry_create(
    *,
    actor: Any,
    client: Client,
    event_date: datetime.date | None,
    category: JournalCategory | None,
    text: str,
    corrects: JournalEntry | None = None,
    written_at: datetime.datetime | None = None,
) -> JournalEntry:
    """Write and sign a journal entry. It can never be changed; `corrects` links a correction to the
    entry it corrects. The writer's draft for this client is removed. `written_at` is for the demo only."""
    if actor is SYSTEM:
        raise ValueError("a journal entry is written and signed by a person")
    unit = _client_unit(actor, client, Perm.JOURNAL_WRITE)
    if not client.is_active:
        raise ValidationError({"client": "Brukaren är inte aktiv. Journalen tar inte emot nya anteckningar."})
    text = (text or "").strip()
    errors = {}
    if event_date is None:
        errors["event_date"] = "Ange händelsedatum."
    elif event_date > clock.today():
        errors["event_date"] = "Händelsedatum kan inte ligga i framtiden."
    if not text:
        errors["text"] = "Skriv anteckningen."
    if corrects is not None and corrects.client_id != client.pk:
        errors["corrects"] = "Rättelsen måste gälla en anteckning för samma brukare."
    if errors:
        raise ValidationError(errors)
    assert event_date is not None
    category = _check_category(category, clock.today())
    entry = JournalEntry(
        client=client,
        unit=unit,
        event_date=event_date,
        written_at=written_at or clock.now(),
        author=actor,
        author_name=(actor.get_full_name() or actor.get_username())[:200],
        author_role=_role_name(actor, unit)[:100],
        category=category,
        text=text,
        corrects=corrects,
    )
    entry.signature_version = SIGNATURE_VERSION
    entry.content_hash = _content_hash(entry)
    entry.full_clean()
    entry.save()
    JournalDraft.objects.filter(user=actor, client=client).delete()
    access_log_record(actor=actor, client=client, action=AccessLogEntry.Action.WRITE, unit=unit, detail="journal")
    audit.record(
        actor=actor,
        action="journal.correct" if corrects else "journal.create",
        obj=entry,
        new={
            "client": client.pk,
            "event_date": event_date,
            "category": category.pk,
            "corrects": corrects and corrects.pk,
        },
        unit=unit,
    )
    return entry


@transaction.atomic
def journal_draft_save(
    *,
    actor: Any,
    client: Client,
    text: str,
    event_date: datetime.date | None = None,
    category: JournalCategory | None = None,
    corrects: JournalEntry | None = None,
) -> JournalDraft:
    """Keep what the user has typed so far (autosave). A draft is not part of the record: no audit."""
    _client_unit(actor, client, Perm.JOURNAL_WRITE)
    if corrects is not None and corrects.client_id != client.pk:
        corrects = None
    draft, _ = JournalDraft.objects.update_or_create(
        user=actor,
        client=client,
        defaults={"text": text, "event_date": event_date, "category": category, "corrects": corrects},
    )
    return draft


def journal_draft_discard(*, actor: Any, client: Client) -> None:
    JournalDraft.objects.filter(user=actor, client=client).delete()


@transaction.atomic
def journal_objection_record(*, actor: Any, entry: JournalEntry, text: str) -> JournalObjection:
    """Record that the client says an entry is wrong. The entry itself stays as it was."""
    if actor is SYSTEM:
        raise ValueError("an objection is recorded by a person")
    unit = _client_unit(actor, entry.client, Perm.JOURNAL_WRITE)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Skriv vad brukaren invänder."})
    objection = JournalObjection.objects.create(entry=entry, text=text, recorded_by=actor, recorded_at=clock.now())
    audit.record(actor=actor, action="journal.objection", obj=objection, new={"entry": entry.pk}, unit=unit)
    return objection


# --- Home binders and deliveries ---------------------------------------------------------------------

BINDER_REQUIRED = {
    HomeBinder.Kind.RISK_ASSESSMENT: {},
    HomeBinder.Kind.CRISIS_BINDER: {"contacts": "Kontakter", "instructions": "Vad gör vi när …"},
    HomeBinder.Kind.ROUTINE_BINDER: {"routines": "Rutiner"},
}


def _clean_risks(risks: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    levels = {choice.value for choice in RiskItem.Level}
    for index, risk in enumerate(risks, start=1):
        values = {f: risk.get(f) for f in RISK_FIELDS}
        if not any(str(v or "").strip() for v in values.values()):
            continue
        for f in ("risk", "action", "owner"):
            values[f] = str(values[f] or "").strip()
            if not values[f]:
                raise ValidationError({"risks": f"Risk {index}: fältet {f} måste fyllas i."})
        for f in ("likelihood", "consequence"):
            try:
                values[f] = int(str(values[f]))
            except (TypeError, ValueError):
                values[f] = 0
            if values[f] not in levels:
                raise ValidationError(
                    {"risks": f"Risk {index}: välj {'sannolikhet' if f == 'likelihood' else 'konsekvens'} 1–4."}
                )
        cleaned.append(values)
    return cleaned


@transaction.atomic
def binder_save(
    *,
    actor: Any,
    client: Client,
    kind: str,
    reviewed_on: datetime.date,
    expected_number: int | None,
    responsible: Any = None,
    risks: Iterable[Mapping[str, Any]] = (),
    **texts: Any,
) -> HomeBinder:
    """Save a new revision of a client's binder. `expected_number` is the revision the edit started from
    (None for a new binder); if someone saved in between, ConflictError. `reviewed_on` is the date of the
    last review: moving it forward fulfils the yearly review."""
    if kind not in HomeBinder.Kind.values:
        raise ValidationError({"kind": "Okänd pärm."})
    unit = _client_unit(actor, client, Perm.CARE_MANAGE)
    unknown = set(texts) - set(BINDER_TEXTS)
    if unknown:
        raise TypeError(f"unknown binder fields: {sorted(unknown)}")
    # Lock the client row so two first saves of the same binder cannot both become revision 1.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    current = HomeBinder.objects.filter(client=client, kind=kind, is_current=True).first()
    current_number = current.number if current else None
    if expected_number != current_number:
        raise ConflictError(current_version=current_number)
    _not_in_future(reviewed_on, "reviewed_on")
    if (
        responsible is not None
        and not Membership.objects.filter(valid_on(clock.today()), user=responsible, unit=unit).exists()
    ):
        raise ValidationError({"responsible": "Den ansvariga har ingen roll i enheten."})
    if current and reviewed_on < current.reviewed_on:
        raise ValidationError({"reviewed_on": "Genomgångsdatum kan inte vara före den förra genomgången."})
    values = {f: str(texts.get(f) or "").strip() for f in BINDER_TEXTS}
    _required(values, BINDER_REQUIRED[HomeBinder.Kind(kind)])
    cleaned_risks = _clean_risks(risks)
    if kind == HomeBinder.Kind.RISK_ASSESSMENT and not cleaned_risks:
        raise ValidationError({"risks": "Analysen måste ha minst en risk."})
    if current:
        current.is_current = False
        current.save(update_fields=["is_current"])
    binder = HomeBinder(
        client=client,
        unit=unit,
        kind=kind,
        number=(current_number or 0) + 1,
        reviewed_on=reviewed_on,
        responsible=responsible,
        created_by=_person(actor),
        **values,
    )
    binder.full_clean()
    binder.save()
    RiskItem.objects.bulk_create(RiskItem(binder=binder, position=i, **r) for i, r in enumerate(cleaned_risks))
    audit.record(
        actor=actor,
        action="binder.save",
        obj=binder,
        new={"kind": kind, "number": binder.number, "reviewed_on": reviewed_on, "risks": len(cleaned_risks)},
        unit=unit,
    )
    return binder


@transaction.atomic
def delivery_create(
    *, actor: Any, client: Client, delivered_on: datetime.date, items: str, kind: str = Delivery.Kind.PROTECTIVE
) -> Delivery:
    unit = _client_unit(actor, client, Perm.CARE_MANAGE)
    _not_in_future(delivered_on, "delivered_on")
    items = (items or "").strip()
    if not items:
        raise ValidationError({"items": "Ange vad som levererades."})
    delivery = Delivery(
        client=client, unit=unit, delivered_on=delivered_on, kind=kind, items=items, registered_by=_person(actor)
    )
    delivery.full_clean()
    delivery.save()
    audit.record(
        actor=actor,
        action="delivery.create",
        obj=delivery,
        new=audit.snapshot(delivery, ("client", "delivered_on", "kind", "items")),
        unit=unit,
    )
    return delivery
