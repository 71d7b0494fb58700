"""Writes of the journal: signed entries that can never be changed (a correction is a new entry), drafts
and objections."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.care.actions import AuditAction
from bista.care.models import (
    JournalCategory,
    JournalDraft,
    JournalEntry,
    JournalObjection,
)
from bista.care.services.common import _client_unit
from bista.clients.models import AccessLogEntry, Client
from bista.clients.services import access_log_record
from bista.core import audit, clock
from bista.core.access import SYSTEM, valid_on
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm


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


@dataclass(frozen=True)
class ImportedEntry:
    """One signed entry of a client's journal as the previous system holds it. `corrects` is the position,
    in the same import, of the entry this one corrects (which must come before it)."""

    author: Any
    event_date: datetime.date
    written_at: datetime.datetime
    category: JournalCategory
    text: str
    corrects: int | None = None


def _check_imported(entries: Sequence[ImportedEntry], now: datetime.datetime) -> None:
    """Every entry checked as a new one is, before anything is saved; an error names the entry's position."""
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(entries):
        problems = []
        if item.written_at > now:
            problems.append("Skriven-tiden ligger i framtiden.")
        if item.event_date > clock.local_date(item.written_at):
            problems.append("Händelsedatum ligger efter det att anteckningen skrevs.")
        if not (item.text or "").strip():
            problems.append("Texten är tom.")
        # Not in_force(event_date): the categories may have been entered into Bistå after the history began;
        # what matters is that the category had not been retired when the event happened.
        if item.category.valid_to is not None and item.category.valid_to <= item.event_date:
            problems.append("Kategorin hade upphört på händelsedatum.")
        if item.corrects is not None and not 0 <= item.corrects < index:
            problems.append("Rättelsen måste komma efter anteckningen den rättar.")
        if problems:
            errors.setdefault("entries", []).append(f"Anteckning {index + 1}: {' '.join(problems)}")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def journal_history_import(*, actor: Any, client: Client, entries: Sequence[ImportedEntry]) -> list[JournalEntry]:
    """Bring a client's signed journal history over from the previous system (a migration, and the demo's ten
        years). Each entry keeps its author, the time it was written and its text, and is signed as Bistå signs
        a new one, so it verifies like any other; corrections keep their link. All entries are checked before any
        is saved. The import is one event in the audit trail and the access log, not one per entry: it is one act,
        by the one running the migration (the SYSTEM actor; no page offers it). Returns the entries in the order
    given."""
    if actor is not SYSTEM:
        raise PermissionDenied("Journalhistorik importeras bara av systemets migrering.")
    unit = _client_unit(SYSTEM, client, Perm.JOURNAL_WRITE)
    _check_imported(entries, clock.now())
    roles: dict[int, str] = {}
    by_index: dict[int, JournalEntry] = {}
    # Inserted in rounds by how deep in a chain of corrections an entry is, so that a correction is signed with
    # the id of the entry it corrects (the signature covers it, and the journal is append-only: nothing can be
    # filled in after the insert).
    depth: list[int] = []
    for item in entries:
        depth.append(0 if item.corrects is None else depth[item.corrects] + 1)
    for level in range(max(depth, default=-1) + 1):
        batch = []
        for index, item in enumerate(entries):
            if depth[index] != level:
                continue
            if item.author.pk not in roles:
                roles[item.author.pk] = _role_name(item.author, unit)[:100]
            entry = JournalEntry(
                client=client,
                unit=unit,
                event_date=item.event_date,
                written_at=item.written_at,
                author=item.author,
                author_name=(item.author.get_full_name() or item.author.get_username())[:200],
                author_role=roles[item.author.pk],
                category=item.category,
                text=item.text.strip(),
                corrects=None if item.corrects is None else by_index[item.corrects],
                signature_version=SIGNATURE_VERSION,
            )
            entry.content_hash = _content_hash(entry)
            batch.append((index, entry))
        JournalEntry.objects.bulk_create([entry for _, entry in batch], batch_size=500)
        by_index.update(batch)
    created = [by_index[index] for index in range(len(entries))]
    if created:
        access_log_record(actor=SYSTEM, client=client, action=AccessLogEntry.Action.WRITE, unit=unit, detail="journal")
        audit.record(
            actor=SYSTEM,
            action=AuditAction.JOURNAL_IMPORT,
            obj=client,
            new={"entries": len(created), "first": min(e.pk for e in created), "last": max(e.pk for e in created)},
            unit=unit,
        )
    return created


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
