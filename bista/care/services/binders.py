"""Writes of home binders (pärmar i hemmet) and deliveries of protective and office material."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.care.actions import AuditAction
from bista.care.models import (
    Delivery,
    HomeBinder,
    RiskItem,
)
from bista.care.services.common import _client_unit, _not_in_future, _person, _required
from bista.clients.models import AccessLogEntry, Client
from bista.clients.services import access_log_record
from bista.core import audit, clock
from bista.core.access import SYSTEM, valid_on
from bista.core.errors import ConflictError
from bista.core.models import Membership
from bista.core.permissions import Perm

BINDER_TEXTS = ("contacts", "instructions", "continuity", "wishes", "routines", "notes")
RISK_FIELDS = ("risk", "likelihood", "consequence", "action", "owner")
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


@dataclass(frozen=True)
class ImportedBinderRevision:
    """One revision of a client's home binder as the previous system holds it, oldest first per kind."""

    kind: str
    reviewed_on: datetime.date
    responsible: Any = None
    risks: Sequence[Mapping[str, Any]] = ()
    texts: Mapping[str, str] = field(default_factory=dict)


def _checked_revisions(
    revisions: Sequence[ImportedBinderRevision], unit: Any, today: datetime.date
) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    """Each revision checked as `binder_save` checks a new one (an error names its position), before anything is
    saved; returns each revision's texts and risks, cleaned."""
    errors: list[str] = []
    cleaned: list[tuple[dict[str, str], list[dict[str, Any]]]] = []
    last_review: dict[str, datetime.date] = {}
    members: dict[int, bool] = {}
    for index, item in enumerate(revisions, start=1):
        try:
            if item.kind not in HomeBinder.Kind.values:
                raise ValidationError({"kind": "Okänd pärm."})
            unknown = set(item.texts) - set(BINDER_TEXTS)
            if unknown:
                raise ValidationError({"texts": f"Okända fält: {', '.join(sorted(unknown))}."})
            if item.reviewed_on > today:
                raise ValidationError({"reviewed_on": "Genomgångsdatum ligger i framtiden."})
            if item.reviewed_on < last_review.get(item.kind, item.reviewed_on):
                raise ValidationError({"reviewed_on": "Genomgångsdatum kan inte vara före den förra genomgången."})
            responsible = item.responsible
            if responsible is not None and responsible.pk not in members:
                members[responsible.pk] = Membership.objects.filter(
                    valid_on(today), user=responsible, unit=unit
                ).exists()
            if responsible is not None and not members[responsible.pk]:
                raise ValidationError({"responsible": "Den ansvariga har ingen roll i enheten."})
            values = {f: str(item.texts.get(f) or "").strip() for f in BINDER_TEXTS}
            _required(values, BINDER_REQUIRED[HomeBinder.Kind(item.kind)])
            risks = _clean_risks(item.risks)
            if item.kind == HomeBinder.Kind.RISK_ASSESSMENT and not risks:
                raise ValidationError({"risks": "Analysen måste ha minst en risk."})
        except ValidationError as error:
            errors.append(f"Version {index}: {' '.join(error.messages)}")
            continue
        last_review[item.kind] = item.reviewed_on
        cleaned.append((values, risks))
    if errors:
        raise ValidationError({"revisions": errors})
    return cleaned


@transaction.atomic
def binder_history_import(
    *, actor: Any, client: Client, revisions: Sequence[ImportedBinderRevision]
) -> list[HomeBinder]:
    """Bring a client's home binders over from the previous system (a migration, and the demo's ten years):
    every revision of each kind, oldest first, numbered 1, 2, … with the last one current. The client must
    have no binder of an imported kind yet: an import starts a binder's history, it does not continue one. All
    revisions are checked as `binder_save` checks a new one before any is saved. One event in the audit trail
    and the access log for the whole import (by the SYSTEM actor; no page offers it), not one per revision."""
    if actor is not SYSTEM:
        raise PermissionDenied("Pärmhistorik importeras bara av systemets migrering.")
    unit = _client_unit(SYSTEM, client, Perm.CARE_MANAGE)
    Client.objects.select_for_update().filter(pk=client.pk).first()
    kinds = {item.kind for item in revisions}
    if HomeBinder.objects.filter(client=client, kind__in=kinds).exists():
        raise ValidationError({"revisions": "Brukaren har redan pärmar av det slaget: de sparas som nya versioner."})
    cleaned = _checked_revisions(revisions, unit, clock.today())
    last = {item.kind: index for index, item in enumerate(revisions)}
    numbers: dict[str, int] = {}
    binders = []
    for index, (item, (values, _risks)) in enumerate(zip(revisions, cleaned, strict=True)):
        numbers[item.kind] = numbers.get(item.kind, 0) + 1
        binders.append(
            HomeBinder(
                client=client,
                unit=unit,
                kind=item.kind,
                number=numbers[item.kind],
                is_current=last[item.kind] == index,
                reviewed_on=item.reviewed_on,
                responsible=item.responsible,
                created_by=_person(actor),
                **values,
            )
        )
    HomeBinder.objects.bulk_create(binders, batch_size=500)
    RiskItem.objects.bulk_create(
        (
            RiskItem(binder=binder, position=position, **risk)
            for binder, (_values, risks) in zip(binders, cleaned, strict=True)
            for position, risk in enumerate(risks)
        ),
        batch_size=500,
    )
    if binders:
        access_log_record(actor=SYSTEM, client=client, action=AccessLogEntry.Action.WRITE, unit=unit, detail="pärmar")
        audit.record(
            actor=SYSTEM,
            action=AuditAction.BINDER_IMPORT,
            obj=client,
            new={"revisions": len(binders), "kinds": sorted(kinds), "current": len(last)},
            unit=unit,
        )
    return binders


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
