"""Writes about clients: registration, corrections, contacts, the protected-identity group, the access log
and log reviews. Each validated and audited in one transaction; nothing about a person is deleted."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.clients.actions import ACCESS_ACTIONS
from bista.clients.models import AccessLogEntry, Client, ClientContact, ClientUnit, LogReview, ProtectedIdentityAccess
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, has_perm, unit_ids_with
from bista.core.audit import current_request_id
from bista.core.models import Team, Unit
from bista.core.people import parse_personnummer_field
from bista.core.permissions import Perm
from bista.core.versioning import update_versioned

CLIENT_EDITABLE = (
    "first_name",
    "last_name",
    "gender",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "preferred_staff_gender",
    "language",
    "interpreter_needed",
    "protected_identity",
    "is_active",
)
CLIENT_AUDITED = ("personnummer", *CLIENT_EDITABLE)
CONTACT_FIELDS = ("client", "kind", "name", "relation", "phone", "email", "is_active")

MAX_LOG_SAMPLE = 500


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _managing_unit(actor: Any, client: Client) -> Unit | None:
    """A unit through which the actor may change this client (raises if there is none)."""
    links = ClientUnit.objects.filter(client=client, until__isnull=True).select_related("unit")
    if actor is SYSTEM:
        first = links.first()
        return first.unit if first else None
    for link in links:
        if has_perm(actor, Perm.CLIENT_MANAGE, link.unit):
            return link.unit
    raise PermissionDenied("Behörighet saknas: client.manage")


def _check_teams(unit_ids: set[int], teams: Iterable[Team]) -> list[Team]:
    team_list = list(teams)
    if any(team.unit_id not in unit_ids for team in team_list):
        raise ValidationError({"teams": "Arbetsgruppen hör inte till någon av brukarens enheter."})
    return team_list


@transaction.atomic
def client_create(
    *,
    actor: Any,
    unit: Unit,
    personnummer: str,
    first_name: str,
    last_name: str,
    since: datetime.date | None = None,
    teams: Iterable[Team] = (),
    fictitious: bool = False,
    **details: Any,
) -> Client:
    """Register a client in a unit. `details` are the other editable fields (address, phone …)."""
    check_perm(actor, Perm.CLIENT_MANAGE, unit)
    unknown = set(details) - set(CLIENT_EDITABLE)
    if unknown:
        raise TypeError(f"unknown client fields: {sorted(unknown)}")
    digits = parse_personnummer_field(personnummer)
    if Client.objects.filter(personnummer=digits).exists():
        raise ValidationError(
            {"personnummer": ValidationError("Det finns redan en brukare med det personnumret.", code="duplicate")}
        )
    client = Client(
        personnummer=digits,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        fictitious=fictitious,
        **_strip(details),
    )
    client.full_clean()
    client.save()
    ClientUnit.objects.create(client=client, unit=unit, since=since or clock.today())
    team_list = _check_teams({unit.pk}, teams)
    client.teams.set(team_list)
    audit.record(
        actor=actor,
        action="client.create",
        obj=client,
        new={**audit.snapshot(client, CLIENT_AUDITED), "unit": unit.pk, "teams": sorted(t.pk for t in team_list)},
        unit=unit,
    )
    return client


@transaction.atomic
def client_update(*, actor: Any, client: Client, expected_version: int | None, **changes: Any) -> Client:
    """Correct a client's details. A stale `expected_version` raises ConflictError; nothing is saved."""
    unit = _managing_unit(actor, client)
    return update_versioned(
        actor=actor,
        obj=client,
        expected_version=expected_version,
        changes=_strip(changes),
        editable=CLIENT_EDITABLE,
        audited=CLIENT_AUDITED,
        action="client.update",
        unit=unit,
    )


@transaction.atomic
def client_set_teams(*, actor: Any, client: Client, teams: Iterable[Team]) -> Client:
    unit = _managing_unit(actor, client)
    unit_ids = set(ClientUnit.objects.filter(client=client, until__isnull=True).values_list("unit_id", flat=True))
    team_list = _check_teams(unit_ids, teams)
    old_ids = sorted(client.teams.values_list("id", flat=True))
    new_ids = sorted(t.pk for t in team_list)
    if old_ids != new_ids:
        client.teams.set(team_list)
        audit.record(
            actor=actor, action="client.teams", obj=client, old={"teams": old_ids}, new={"teams": new_ids}, unit=unit
        )
    return client


@transaction.atomic
def client_link_unit(*, actor: Any, client: Client, unit: Unit, since: datetime.date | None = None) -> ClientUnit:
    """Let another unit (e.g. the provider the client chose) have the client."""
    check_perm(actor, Perm.CLIENT_MANAGE, unit)
    existing = ClientUnit.objects.filter(client=client, unit=unit, until__isnull=True).first()
    if existing:
        return existing
    link = ClientUnit.objects.create(client=client, unit=unit, since=since or clock.today())
    audit.record(
        actor=actor, action="client.link_unit", obj=client, new={"unit": unit.pk, "since": link.since}, unit=unit
    )
    return link


@transaction.atomic
def client_unlink_unit(*, actor: Any, client: Client, unit: Unit, until: datetime.date | None = None) -> None:
    """End a unit's link to a client (the record and its history stay)."""
    check_perm(actor, Perm.CLIENT_MANAGE, unit)
    link = ClientUnit.objects.select_for_update().filter(client=client, unit=unit, until__isnull=True).first()
    if link is None:
        raise ValidationError({"unit": "Brukaren är inte kopplad till enheten."})
    end = until or clock.today()
    if end < link.since:
        raise ValidationError({"until": "Slutdatum får inte vara före startdatum."})
    link.until = end
    link.save(update_fields=["until"])
    client.teams.remove(*client.teams.filter(unit=unit))
    audit.record(actor=actor, action="client.unlink_unit", obj=client, new={"unit": unit.pk, "until": end}, unit=unit)


@transaction.atomic
def client_contact_add(*, actor: Any, client: Client, kind: str, name: str, **details: Any) -> ClientContact:
    unit = _managing_unit(actor, client)
    contact = ClientContact(client=client, kind=kind, name=name.strip(), **_strip(details))
    contact.full_clean()
    contact.save()
    audit.record(
        actor=actor, action="client_contact.add", obj=contact, new=audit.snapshot(contact, CONTACT_FIELDS), unit=unit
    )
    return contact


@transaction.atomic
def client_contact_deactivate(*, actor: Any, contact: ClientContact) -> ClientContact:
    unit = _managing_unit(actor, contact.client)
    if contact.is_active:
        contact.is_active = False
        contact.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="client_contact.deactivate",
            obj=contact,
            old={"is_active": True},
            new={"is_active": False},
            unit=unit,
        )
    return contact


@transaction.atomic
def protected_access_grant(*, actor: Any, unit: Unit, user: Any) -> ProtectedIdentityAccess:
    check_perm(actor, Perm.LOG_REVIEW, unit)
    access, created = ProtectedIdentityAccess.objects.get_or_create(unit=unit, user=user, revoked_at=None)
    if created:
        audit.record(actor=actor, action="protected_access.grant", obj=access, new={"user": user.pk}, unit=unit)
    return access


@transaction.atomic
def protected_access_revoke(*, actor: Any, access: ProtectedIdentityAccess) -> ProtectedIdentityAccess:
    check_perm(actor, Perm.LOG_REVIEW, access.unit_id)
    if access.revoked_at is None:
        access.revoked_at = clock.now()
        access.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, action="protected_access.revoke", obj=access, new={"user": access.user_id}, unit=access.unit
        )
    return access


def access_log_record(
    *, actor: Any, client: Client, action: str, unit: Unit | None = None, detail: str = ""
) -> AccessLogEntry:
    """Append one row to the access log: who read which client's data, when, through which unit."""
    if unit is None:
        unit_ids = unit_ids_with(actor, *Perm.CLIENT_VIEW)
        unit_id = (
            ClientUnit.objects.filter(client=client, unit_id__in=unit_ids, until__isnull=True)
            .order_by("unit_id")
            .values_list("unit_id", flat=True)
            .first()
        )
    else:
        unit_id = unit.pk
    entry = _access_log_entry(actor=actor, client=client, unit_id=unit_id, action=action, detail=detail)
    entry.save()
    return entry


def access_log_record_many(
    *, actor: Any, clients: Iterable[Client], action: str, unit: Unit, detail: str = ""
) -> list[AccessLogEntry]:
    """One access-log row per client, written in one statement (an export reads many clients at once)."""
    entries = [
        _access_log_entry(actor=actor, client=client, unit_id=unit.pk, action=action, detail=detail)
        for client in clients
    ]
    return AccessLogEntry.objects.bulk_create(entries, batch_size=1000)


def access_log_record_shown(
    *, actor: Any, shown: Iterable[tuple[Client, int]], action: str, detail: str = ""
) -> list[AccessLogEntry]:
    """One row per client shown, through the unit its data was shown from (a page of an API list)."""
    by_unit: dict[int, dict[int, Client]] = {}
    for client, unit_id in shown:
        by_unit.setdefault(unit_id, {})[client.pk] = client
    entries = [
        _access_log_entry(actor=actor, client=client, unit_id=unit_id, action=action, detail=detail)
        for unit_id, clients in by_unit.items()
        for client in clients.values()
    ]
    return AccessLogEntry.objects.bulk_create(entries, batch_size=1000)


def _access_log_entry(*, actor: Any, client: Client, unit_id: int | None, action: str, detail: str) -> AccessLogEntry:
    return AccessLogEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        client=client,
        unit_id=unit_id,
        action=ACCESS_ACTIONS.check(action),  # declared by a context (bista.clients.actions), else refused
        detail=detail[:200],
        protected_identity=client.protected_identity,
        request_id=current_request_id(),
    )


@transaction.atomic
def log_review_draw(
    *,
    actor: Any,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
    sample_size: int,
    user_id: int | None = None,
    client_id: int | None = None,
) -> LogReview:
    """Draw a random sample of the unit's access log for loggkontroll. Protected clients' reads always join."""
    if actor is SYSTEM:
        raise ValueError("a log review is drawn by a person, who becomes its reviewer")
    check_perm(actor, Perm.LOG_REVIEW, unit)
    if period_end < period_start:
        raise ValidationError({"period_end": "Slutdatum får inte vara före startdatum."})
    if not 1 <= sample_size <= MAX_LOG_SAMPLE:
        raise ValidationError({"sample_size": f"Urvalet ska vara mellan 1 och {MAX_LOG_SAMPLE} rader."})
    entries = AccessLogEntry.objects.filter(unit=unit, at__date__gte=period_start, at__date__lte=period_end)
    if user_id:
        entries = entries.filter(actor_id=user_id)
    if client_id:
        entries = entries.filter(client_id=client_id)
    ids = list(entries.values_list("id", flat=True).order_by("id"))
    if not ids:
        raise ValidationError({"period_start": "Det finns inga loggrader för enheten under perioden."})
    seed = secrets.token_hex(8)
    # A recorded seed makes the draw reproducible for whoever audits the review.
    chosen = set(random.Random(seed).sample(ids, min(sample_size, len(ids))))
    chosen.update(entries.filter(protected_identity=True).values_list("id", flat=True)[:MAX_LOG_SAMPLE])
    review = LogReview.objects.create(
        unit=unit,
        reviewer=actor,
        period_start=period_start,
        period_end=period_end,
        sample_size=sample_size,
        seed=seed,
    )
    review.entries.set(sorted(chosen))
    audit.record(
        actor=actor,
        action="log_review.draw",
        obj=review,
        new={
            "period_start": period_start,
            "period_end": period_end,
            "sample_size": sample_size,
            "entries": len(chosen),
            "seed": seed,
        },
        unit=unit,
    )
    return review


@transaction.atomic
def log_review_complete(*, actor: Any, review: LogReview, outcome: str, findings: str) -> LogReview:
    check_perm(actor, Perm.LOG_REVIEW, review.unit_id)
    review = LogReview.objects.select_for_update().get(pk=review.pk)
    if review.reviewed_at is not None:
        raise ValidationError({"outcome": "Loggkontrollen är redan avslutad."})
    if outcome not in (LogReview.Outcome.OK, LogReview.Outcome.FINDING):
        raise ValidationError({"outcome": "Välj en bedömning."})
    if outcome == LogReview.Outcome.FINDING and not findings.strip():
        raise ValidationError({"findings": "Beskriv vad som hittades."})
    review.outcome = outcome
    review.findings = findings.strip()
    review.reviewed_at = clock.now()
    review.save(update_fields=["outcome", "findings", "reviewed_at"])
    audit.record(
        actor=actor,
        action="log_review.complete",
        obj=review,
        new={"outcome": outcome, "findings": review.findings},
        unit=review.unit,
    )
    return review
