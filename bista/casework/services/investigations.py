"""Writes of investigations (utredning): the versioned draft, kommunicering, completion, sources and consent."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.casework.actions import AuditAction
from bista.casework.models import (
    Case,
    Intake,
    Investigation,
    InvestigationDraft,
    InvestigationSource,
)
from bista.casework.services.common import _not_in_future, _person
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.permissions import Perm
from bista.core.versioning import update_versioned

INVESTIGATION_TEXTS = (
    "own_description",
    "life_areas",
    "needs",
    "goals",
    "wishes",
    "child_view",
    "child_impact_analysis",
    "communication_response",
)
INVESTIGATION_EDITABLE = (
    *INVESTIGATION_TEXTS,
    "child_took_part",
    "child_got_feedback",
    "school_contacted",
    "communicated_on",
)
INVESTIGATION_AUDITED = (*INVESTIGATION_EDITABLE, "status", "completed_on")
# What autosave keeps: the fields of the investigation's own form (kommunicering has its own form and step).
INVESTIGATION_DRAFTED = tuple(
    f for f in INVESTIGATION_EDITABLE if f not in ("communicated_on", "communication_response")
)
DRAFT_TEXT_LIMIT = 100_000


# --- Investigations ---------------------------------------------------------------------------------


@transaction.atomic
def investigation_start(
    *, actor: Any, case: Case, intake: Intake | None = None, started_on: datetime.date | None = None
) -> Investigation:
    """Open a draft investigation for the case (one draft at a time)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, case.unit)
    started_on = started_on or clock.today()
    _not_in_future(started_on, "started_on")
    if intake is not None and intake.case_id != case.pk:
        raise ValidationError({"intake": "Aktualiseringen hör inte till ärendet."})
    if Investigation.objects.filter(case=case, status=Investigation.Status.DRAFT).exists():
        raise ValidationError({"case": "Ärendet har redan en pågående utredning."})
    investigation = Investigation(case=case, intake=intake, started_on=started_on, created_by=_person(actor))
    return audit.save_new(
        investigation,
        actor=actor,
        action=AuditAction.INVESTIGATION_START,
        fields=("case", "intake", "started_on"),
        unit=case.unit,
        exclude=["created_by"],
    )


def _draft(investigation: Investigation) -> None:
    if Investigation.objects.filter(pk=investigation.pk, status=Investigation.Status.COMPLETED).exists():
        raise ValidationError({"status": "Utredningen är avslutad och kan inte ändras."})


@transaction.atomic
def investigation_save(
    *, actor: Any, investigation: Investigation, expected_version: int | None, **changes: Any
) -> Investigation:
    """Save the draft (also what autosave sends). A stale version raises ConflictError; nothing is saved."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    unknown = set(changes) - set(INVESTIGATION_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _not_in_future(changes.get("communicated_on"), "communicated_on")
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    saved = update_versioned(
        actor=actor,
        obj=investigation,
        expected_version=expected_version,
        changes=cleaned,
        editable=INVESTIGATION_EDITABLE,
        audited=INVESTIGATION_AUDITED,
        action=AuditAction.INVESTIGATION_SAVE,
        unit=investigation.case.unit,
    )
    _drop_draft(actor, investigation)  # the autosaved copy is now in the record
    return saved


def _drop_draft(actor: Any, investigation: Investigation) -> None:
    if _person(actor) is not None:
        InvestigationDraft.objects.filter(user=actor, investigation=investigation).delete()


def investigation_draft_save(*, actor: Any, investigation: Investigation, values: dict[str, Any]) -> InvestigationDraft:
    """Keep what the case officer is typing (autosave), as typed: the form's own fields only, each text cut at
    `DRAFT_TEXT_LIMIT`. A draft is not part of the record and is not audited; saving the investigation drops it."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    if _person(actor) is None:
        raise ValueError("only a person has drafts")
    kept = {name: str(values[name])[:DRAFT_TEXT_LIMIT] for name in INVESTIGATION_DRAFTED if name in values}
    bad = [name for name, text in kept.items() if "\x00" in text]
    if bad:
        raise ValidationError({name: "Texten innehåller otillåtna tecken." for name in bad})
    draft, _ = InvestigationDraft.objects.update_or_create(
        user=actor, investigation=investigation, defaults={"values": kept}
    )
    return draft


@transaction.atomic
def investigation_draft_discard(*, actor: Any, investigation: Investigation) -> None:
    """Drop the actor's own autosaved copy (only theirs: a draft is never shared)."""
    _drop_draft(actor, investigation)


def _communication_check(communicated_on: datetime.date, started_on: datetime.date) -> None:
    if communicated_on < started_on:
        raise ValidationError({"communicated_on": "Kommuniceringen kan inte vara före utredningens början."})


def _completion_check(completed_on: datetime.date, started_on: datetime.date) -> None:
    if completed_on < started_on:
        raise ValidationError({"completed_on": "Utredningen kan inte avslutas före sin början."})


@transaction.atomic
def communication_record(
    *,
    actor: Any,
    investigation: Investigation,
    communicated_on: datetime.date,
    response: str,
    expected_version: int | None,
) -> Investigation:
    """Kommunicering: the draft was shared with the person on a date; their response is recorded."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    _not_in_future(communicated_on, "communicated_on")
    _communication_check(communicated_on, investigation.started_on)
    return update_versioned(
        actor=actor,
        obj=investigation,
        expected_version=expected_version,
        changes={"communicated_on": communicated_on, "communication_response": response.strip()},
        editable=("communicated_on", "communication_response"),
        audited=("communicated_on", "communication_response"),
        action=AuditAction.INVESTIGATION_COMMUNICATE,
        unit=investigation.case.unit,
    )


@transaction.atomic
def investigation_complete(
    *, actor: Any, investigation: Investigation, completed_on: datetime.date, expected_version: int | None
) -> Investigation:
    """Close the investigation; from then on it is read-only (a new need is a new investigation)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    _not_in_future(completed_on, "completed_on")
    _completion_check(completed_on, investigation.started_on)
    return update_versioned(
        actor=actor,
        obj=investigation,
        expected_version=expected_version,
        changes={"status": Investigation.Status.COMPLETED, "completed_on": completed_on},
        editable=("status", "completed_on"),
        audited=("status", "completed_on"),
        action=AuditAction.INVESTIGATION_SAVE,
        unit=investigation.case.unit,
    )


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    investigation: Investigation,
    name: str,
    consent_on: datetime.date,
    consent_by: str,
    purpose: str = "",
) -> InvestigationSource:
    """Record the person's consent to contact a source (school, care, habilitation …)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, investigation.case.unit)
    _draft(investigation)
    _not_in_future(consent_on, "consent_on")
    errors = {}
    if not name.strip():
        errors["name"] = "Ange vilken källa samtycket gäller."
    if not consent_by.strip():
        errors["consent_by"] = "Ange vem som lämnade samtycket."
    if errors:
        raise ValidationError(errors)
    source = InvestigationSource(
        investigation=investigation,
        name=name.strip(),
        purpose=purpose.strip(),
        consent_on=consent_on,
        consent_by=consent_by.strip(),
    )
    return audit.save_new(
        source,
        actor=actor,
        action=AuditAction.SOURCE_CONSENT,
        fields=("investigation", "name", "purpose", "consent_on", "consent_by"),
        unit=investigation.case.unit,
    )


@transaction.atomic
def source_contact_record(
    *, actor: Any, source: InvestigationSource, contacted_on: datetime.date
) -> InvestigationSource:
    """Record that the source was contacted: refused without consent given on or before that day."""
    unit = source.investigation.case.unit
    check_perm(actor, Perm.CASEWORK_MANAGE, unit)
    locked = InvestigationSource.objects.select_for_update().get(pk=source.pk)
    _not_in_future(contacted_on, "contacted_on")
    if locked.consent_on is None:
        raise ValidationError({"contacted_on": "Samtycke saknas: källan får inte kontaktas."})
    if contacted_on < locked.consent_on:
        raise ValidationError(
            {"contacted_on": f"Källan kan inte kontaktas före samtycket ({locked.consent_on:%Y-%m-%d})."}
        )
    locked.contacted_on = contacted_on
    locked.save(update_fields=["contacted_on"])
    audit.record(
        actor=actor, action=AuditAction.SOURCE_CONTACT, obj=locked, new={"contacted_on": contacted_on}, unit=unit
    )
    return locked
