"""Writes of complaints and feedback (klagomål och synpunkter): register, edit, close."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.clients.models import Client
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.quality.models import (
    Feedback,
    QualityCategory,
)
from bista.quality.services.common import _check_category, _check_client, _not_in_future, _person, _save, _strip

FEEDBACK_EDITABLE = (
    "category",
    "description",
    "other_provider",
    "forwarded_on",
    "other_provider_answer",
    "other_provider_answered_on",
    "answer",
    "answered_on",
    "action_taken",
    "action_taken_on",
)
FEEDBACK_AUDITED = ("kind", "source", *FEEDBACK_EDITABLE, "closed_at")
FEEDBACK_GROUPS = (QualityCategory.Group.FEEDBACK_STAFF, QualityCategory.Group.FEEDBACK_OTHER)


def _check_feedback(feedback: Feedback) -> None:
    errors: dict[str, str] = {}
    if feedback.kind not in Feedback.Kind.values:
        errors["kind"] = "Välj synpunkt, klagomål eller beröm."
    if feedback.source not in Feedback.Source.values:
        errors["source"] = "Ange vem det kom från."
    if feedback.source == Feedback.Source.ANONYMOUS and feedback.sender_name:
        errors["sender_name"] = "En anonym synpunkt har ingen namngiven avsändare."
    if feedback.source == Feedback.Source.ANONYMOUS and feedback.client_id:
        errors["client"] = "En anonym synpunkt kan inte knytas till en brukare."
    if feedback.kind == Feedback.Kind.PRAISE and feedback.category_id is not None:
        errors["category"] = "Beröm har ingen kategori."
    if not feedback.description.strip():
        errors["description"] = "Beskriv vad det gäller."
    for name in ("received_on", "forwarded_on", "other_provider_answered_on", "answered_on", "action_taken_on"):
        value = getattr(feedback, name)
        if value is not None and value > clock.today():
            errors[name] = "Datumet kan inte ligga i framtiden."
        elif value is not None and name != "received_on" and value < feedback.received_on:
            errors[name] = "Datumet kan inte vara före det att synpunkten kom in."
    if feedback.forwarded_on and not feedback.other_provider:
        errors["other_provider"] = "Ange vilken utförare synpunkten vidarebefordrades till."
    if feedback.answered_on and not feedback.answer.strip():
        errors["answer"] = "Beskriv återkopplingen."
    if feedback.action_taken_on and not feedback.action_taken.strip():
        errors["action_taken"] = "Beskriv åtgärden."
    if feedback.other_provider_answered_on and not feedback.other_provider_answer.strip():
        errors["other_provider_answer"] = "Skriv in den andra utförarens svar."
    if errors:
        raise ValidationError(errors)
    if feedback.kind != Feedback.Kind.PRAISE:
        _check_category(feedback.category, FEEDBACK_GROUPS, feedback.received_on)


@transaction.atomic
def feedback_register(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    source: str,
    received_on: datetime.date,
    description: str,
    sender_name: str = "",
    client: Client | None = None,
    category: QualityCategory | None = None,
    other_provider: str = "",
) -> Feedback:
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    _check_client(actor, client, unit)
    feedback = Feedback(
        unit=unit,
        kind=kind,
        source=source,
        received_on=received_on,
        description=(description or "").strip(),
        sender_name=(sender_name or "").strip(),
        client=client,
        category=None if kind == Feedback.Kind.PRAISE else category,
        other_provider=(other_provider or "").strip(),
        registered_by=_person(actor),
    )
    _check_feedback(feedback)
    feedback.full_clean(exclude=["registered_by"])  # empty for the SYSTEM actor (the demo, imports)
    feedback.save()
    audit.record(
        actor=actor, action="feedback.register", obj=feedback, new=audit.snapshot(feedback, FEEDBACK_AUDITED), unit=unit
    )
    return feedback


@transaction.atomic
def feedback_update(*, actor: Any, feedback: Feedback, expected_version: int | None, **changes: Any) -> Feedback:
    """Record the answer, the action, the forwarding to another provider and its answer."""
    check_perm(actor, Perm.QUALITY_MANAGE, feedback.unit)
    locked = lock_for_edit(Feedback, feedback.pk, expected_version)
    if locked.closed_at is not None:
        raise ValidationError("Ärendet är avslutat.")
    unknown = set(changes) - set(FEEDBACK_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    old = audit.snapshot(locked, FEEDBACK_AUDITED)
    for name, value in _strip(changes).items():
        setattr(locked, name, value)
    _check_feedback(locked)
    return _save(actor, locked, old, FEEDBACK_AUDITED, "feedback.update")  # type: ignore[no-any-return]


@transaction.atomic
def feedback_close(
    *, actor: Any, feedback: Feedback, expected_version: int | None, closed_at: datetime.datetime | None = None
) -> Feedback:
    """Close a case once it is categorised and answered. `closed_at` is for the demo's history and imports."""
    check_perm(actor, Perm.QUALITY_MANAGE, feedback.unit)
    locked = lock_for_edit(Feedback, feedback.pk, expected_version)
    if locked.closed_at is not None:
        raise ValidationError("Ärendet är redan avslutat.")
    if locked.kind != Feedback.Kind.PRAISE:
        errors = {}
        if locked.category_id is None:
            errors["category"] = "Ärendet måste ha en kategori innan det avslutas."
        if locked.source != Feedback.Source.ANONYMOUS and locked.answered_on is None:
            errors["answered_on"] = "Återkoppling måste ha lämnats innan ärendet avslutas."
        if locked.forwarded_on and not locked.other_provider_answered_on:
            errors["other_provider_answered_on"] = "Den andra utförarens svar om åtgärder saknas."
        if errors:
            raise ValidationError(errors)
    closed_at = closed_at or clock.now()
    _not_in_future(closed_at, "closed_at")
    if clock.local_date(closed_at) < locked.received_on:
        raise ValidationError({"closed_at": "Ärendet kan inte avslutas innan det kom in."})
    old = audit.snapshot(locked, FEEDBACK_AUDITED)
    locked.closed_at = closed_at
    return _save(actor, locked, old, FEEDBACK_AUDITED, "feedback.close")  # type: ignore[no-any-return]
