"""Writes of deviations (avvikelser): report, edit, actions, close, escalate to Lex Sarah."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.clients.models import Client
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, valid_on
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.quality.models import (
    Concerns,
    Deviation,
    DeviationAction,
    IdentifiedBy,
    LexSarahReport,
    QualityCategory,
)
from bista.quality.services.common import _check_category, _check_client, _not_in_future, _person, _save, _strip

DEVIATION_EDITABLE = (
    "category",
    "identified_by",
    "concerns",
    "concerned_unit_name",
    "immediate_action",
    "analysis",
    "feedback_to_reporter_on",
    "feedback_to_client_on",
)
DEVIATION_AUDITED = ("status", *DEVIATION_EDITABLE, "closing_note", "closed_at")


@transaction.atomic
def deviation_report(
    *,
    actor: Any,
    unit: Unit,
    what_happened: str,
    occurred_at: datetime.datetime,
    client: Client | None = None,
    reported_at: datetime.datetime | None = None,
) -> Deviation:
    """Anyone in the unit reports a deviation: what happened and when (the client is optional).
    `reported_at` is for the demo's history only."""
    check_perm(actor, Perm.QUALITY_REPORT, unit)
    reported_at = reported_at or clock.now()
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise ValidationError({"what_happened": "Beskriv vad som hände."})
    if occurred_at > reported_at:
        raise ValidationError({"occurred_at": "Händelsen kan inte ha inträffat efter att den rapporterades."})
    _check_client(actor, client, unit)
    deviation = Deviation(
        unit=unit,
        client=client,
        occurred_at=occurred_at,
        what_happened=what_happened,
        reported_by=_person(actor),
        reported_at=reported_at,
    )
    deviation.full_clean(exclude=["reported_by"])  # empty for the SYSTEM actor (the demo, imports)
    deviation.save()
    audit.record(
        actor=actor,
        action="deviation.report",
        obj=deviation,
        new={"client": client and client.pk, "occurred_at": occurred_at},
        unit=unit,
    )
    return deviation


@transaction.atomic
def deviation_update(*, actor: Any, deviation: Deviation, expected_version: int | None, **changes: Any) -> Deviation:
    """Classify, record the immediate action, the analysis and the feedback given."""
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    locked = lock_for_edit(Deviation, deviation.pk, expected_version)
    if locked.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad.")
    unknown = set(changes) - set(DEVIATION_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    old = audit.snapshot(locked, DEVIATION_AUDITED)
    for name, value in _strip(changes).items():
        setattr(locked, name, value)
    _check_category(locked.category, [QualityCategory.Group.DEVIATION], clock.local_date(locked.reported_at))
    if locked.identified_by not in IdentifiedBy.values:
        raise ValidationError({"identified_by": "Ogiltigt val."})
    if locked.concerns not in Concerns.values:
        raise ValidationError({"concerns": "Ogiltigt val."})
    if locked.concerns == Concerns.OTHER and not locked.concerned_unit_name:
        raise ValidationError({"concerned_unit_name": "Ange vilken verksamhet avvikelsen gäller."})
    for name in ("feedback_to_reporter_on", "feedback_to_client_on"):
        _not_in_future(getattr(locked, name), name)
    locked.status = Deviation.Status.IN_PROGRESS
    return _save(actor, locked, old, DEVIATION_AUDITED, "deviation.update")  # type: ignore[no-any-return]


@transaction.atomic
def deviation_action_add(
    *, actor: Any, deviation: Deviation, description: str, owner: Any, due_on: datetime.date
) -> DeviationAction:
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    if deviation.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad.")
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Beskriv åtgärden."})
    if (
        owner is None
        or not Membership.objects.filter(valid_on(clock.today()), user=owner, unit=deviation.unit).exists()
    ):
        raise ValidationError({"owner": "Den ansvariga har ingen roll i enheten."})
    action = DeviationAction.objects.create(deviation=deviation, description=description, owner=owner, due_on=due_on)
    audit.record(
        actor=actor,
        action="deviation.action_add",
        obj=deviation,
        new={"action": action.pk, "owner": owner.pk, "due_on": due_on},
        unit=deviation.unit,
    )
    return action


@transaction.atomic
def deviation_action_done(*, actor: Any, action: DeviationAction, done_on: datetime.date) -> DeviationAction:
    deviation = action.deviation
    if deviation.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad.")
    if actor is not SYSTEM and actor.pk != action.owner_id:
        check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    _not_in_future(done_on, "done_on")
    action = DeviationAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        raise ValidationError({"done_on": "Åtgärden är redan klarmarkerad."})
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    audit.record(
        actor=actor,
        action="deviation.action_done",
        obj=deviation,
        new={"action": action.pk, "done_on": done_on},
        unit=deviation.unit,
    )
    return action


@transaction.atomic
def deviation_close(
    *,
    actor: Any,
    deviation: Deviation,
    expected_version: int | None,
    closing_note: str = "",
    closed_at: datetime.datetime | None = None,
) -> Deviation:
    """A manager closes a deviation once it is classified, analysed and every action is done.
    `closed_at` is for the demo's history and imports only."""
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    locked = lock_for_edit(Deviation, deviation.pk, expected_version)
    if locked.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är redan avslutad.")
    errors = {}
    if locked.category_id is None:
        errors["category"] = "Avvikelsen måste ha en kategori innan den avslutas."
    if not locked.analysis.strip():
        errors["analysis"] = "Avvikelsen kan inte avslutas utan en orsaksanalys."
    if locked.actions.filter(done_on__isnull=True).exists():
        errors["actions"] = "Alla åtgärder måste vara klara innan avvikelsen avslutas."
    if errors:
        raise ValidationError(errors)
    closed_at = closed_at or clock.now()
    _not_in_future(closed_at, "closed_at")
    if closed_at < locked.reported_at:
        raise ValidationError({"closed_at": "Avvikelsen kan inte avslutas innan den rapporterades."})
    old = audit.snapshot(locked, DEVIATION_AUDITED)
    locked.status = Deviation.Status.CLOSED
    locked.closed_at = closed_at
    locked.closed_by = _person(actor)
    locked.closing_note = (closing_note or "").strip()
    return _save(actor, locked, old, DEVIATION_AUDITED, "deviation.close")  # type: ignore[no-any-return]


@transaction.atomic
def deviation_escalate(
    *, actor: Any, deviation: Deviation, reported_at: datetime.datetime | None = None
) -> LexSarahReport:
    """Turn a deviation into a Lex Sarah report, keeping the link both ways. `reported_at` is for the demo's
    history and imports only."""
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    locked = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if locked.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad; rapportera i stället en ny lex Sarah-rapport.")
    if LexSarahReport.objects.filter(deviation=locked).exists():
        raise ValidationError("Avvikelsen är redan rapporterad enligt lex Sarah.")
    reported_at = reported_at or clock.now()
    _not_in_future(reported_at, "reported_at")
    if reported_at < locked.reported_at:
        raise ValidationError({"reported_at": "Rapporten kan inte vara äldre än avvikelsen."})
    report = LexSarahReport.objects.create(
        unit=locked.unit,
        client=locked.client,
        deviation=locked,
        reported_by=_person(actor),
        reported_at=reported_at,
        occurred_at=locked.occurred_at,
        what_happened=locked.what_happened,
    )
    audit.record(actor=actor, action="lex_sarah.report", obj=report, new={"deviation": locked.pk}, unit=locked.unit)
    return report
