"""The daily "Att göra" e-mail: each person responsible for a duty that is overdue or falls due soon gets
their own list, and each unit manager (enhetschef) a summary of the unit in counts.

E-mail leaves the municipality's systems, so it carries no personnummer and no names of clients: a duty
shows the client's initials (nothing at all for a protected identity) and the path of the record to open
in Bistå. Run once a day by `bista duty_digest` (cron); mail goes through Django's mail backend.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from bista.care.selectors import DONE_LATE_WINDOW_DAYS
from bista.clients.models import Client
from bista.clients.selectors import visible_clients
from bista.core.access import has_perm, valid_on
from bista.core.deadlines import Duty, TodoList, todo_list
from bista.core.duties import duties_for
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm, RoleCode

logger = logging.getLogger(__name__)

PROTECTED = "brukare med skyddade personuppgifter"


@dataclass
class _Digest:
    """What one recipient gets: their own open duties and the summaries of the units they manage."""

    user: Any
    overdue: list[Duty] = field(default_factory=list)
    due_soon: list[Duty] = field(default_factory=list)
    units: list[tuple[Unit, dict[str, int]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.units)


def subject(today: datetime.date) -> str:
    return f"Bistå: att göra {today:%Y-%m-%d}"


def initials(first_name: str, last_name: str) -> str:
    """ "Astrid Maria Lindqvist" → "A. M. L." (every part of the name, hyphenated parts too)."""
    parts = f"{first_name} {last_name}".replace("-", " ").split()
    return " ".join(f"{part[0].upper()}." for part in parts if part) or "–"


def _link(path: str) -> str:
    return f"{getattr(settings, 'BISTA_BASE_URL', '').rstrip('/')}{path}"


def _client_labels(duties: Iterable[Duty]) -> dict[int, str]:
    """Client id → what the e-mail may say about the client (initials, or that the identity is protected)."""
    ids = {d.client_id for d in duties if d.client_id is not None}
    rows = Client.objects.filter(pk__in=ids).values_list("pk", "first_name", "last_name", "protected_identity")
    return {pk: PROTECTED if protected else initials(first, last) for pk, first, last, protected in rows}


def _duty_line(duty: Duty, today: datetime.date, labels: dict[int, str]) -> str:
    who = labels.get(duty.client_id, "–") if duty.client_id is not None else "–"
    late = duty.days_late(today)
    if late:
        when = f"{late} dag{'ar' if late != 1 else ''} för sent"
    else:
        left = (duty.due_on - today).days
        when = "förfaller i dag" if left == 0 else f"förfaller om {left} dag{'ar' if left != 1 else ''}"
    return f"- {duty.due_on:%Y-%m-%d} {duty.subject} ({who}), {when}\n  {_link(duty.url)}"


def _body(digest: _Digest, today: datetime.date, labels: dict[int, str]) -> str:
    user = digest.user
    lines = [f"Hej {user.first_name or user.get_username()}!", "", f"Så här ser det ut i Bistå {today:%Y-%m-%d}.", ""]
    if digest.overdue or digest.due_soon:
        lines += ["DINA UPPGIFTER", ""]
        for title, duties in (("Försenade", digest.overdue), ("Förfaller snart", digest.due_soon)):
            if duties:
                lines.append(f"{title} ({len(duties)}):")
                lines += [_duty_line(duty, today, labels) for duty in duties]
                lines.append("")
        lines += [f"Alla dina uppgifter: {_link(reverse('care:todo'))}", ""]
    if digest.units:
        lines += ["ENHETER DÄR DU ÄR ENHETSCHEF", ""]
        for unit, counts in digest.units:
            lines.append(
                f"{unit.name}: {counts['overdue']} försenade, {counts['due_soon']} förfaller snart, "
                f"{counts['done_late']} utförda för sent (senaste {DONE_LATE_WINDOW_DAYS} dagarna)."
            )
            lines.append(f"  {_link(reverse('care:todo'))}?unit={unit.pk}")
        lines.append("")
    lines += [
        "Brevet innehåller inga personnummer eller namn. Logga in i Bistå för att se uppgifterna.",
        "Det här brevet skickas automatiskt en gång om dagen och går inte att svara på.",
    ]
    return "\n".join(lines) + "\n"


def _unit_counts(todo: TodoList) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"overdue": 0, "due_soon": 0, "done_late": 0})
    for key, duties in (("overdue", todo.overdue), ("due_soon", todo.due_soon), ("done_late", todo.done_late)):
        for duty in duties:
            counts[duty.unit_id][key] += 1
    return counts


def collect_digests(*, today: datetime.date) -> list[_Digest]:
    """Who gets what today, without sending anything (each recipient once, in a stable order)."""
    done_since = today - datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)
    units = {unit.pk: unit for unit in Unit.objects.filter(is_active=True)}
    todo = todo_list(duties_for(units, today=today, done_since=done_since, todo_only=True), today, done_since)
    by_user: dict[int, _Digest] = {}
    users = get_user_model().objects.filter(is_active=True).exclude(email="")

    def digest_for(user_id: int) -> _Digest | None:
        if user_id not in by_user:
            user = users.filter(pk=user_id).first()
            if user is None:
                return None
            by_user[user_id] = _Digest(user)
        return by_user[user_id]

    responsible = {d.responsible_id for d in [*todo.overdue, *todo.due_soon] if d.responsible_id is not None}
    for user in users.filter(pk__in=responsible):
        by_user[user.pk] = _Digest(user)
    for digest in list(by_user.values()):
        # Only duties about clients the person still sees, in units where they still see clients.
        mine = [d for d in [*todo.overdue, *todo.due_soon] if d.responsible_id == digest.user.pk]
        seen = set(visible_clients(digest.user).filter(pk__in={d.client_id for d in mine}).values_list("pk", flat=True))
        allowed = {
            id(d)
            for d in mine
            if any(has_perm(digest.user, code, d.unit_id) for code in Perm.CLIENT_VIEW)
            and (d.client_id is None or d.client_id in seen)
        }
        digest.overdue = [d for d in todo.overdue if id(d) in allowed]
        digest.due_soon = [d for d in todo.due_soon if id(d) in allowed]

    counts = _unit_counts(todo)
    managers = (
        Membership.objects.filter(valid_on(today), role__code=RoleCode.UNIT_MANAGER, unit_id__in=list(counts))
        .order_by("unit__name", "unit_id", "user_id")
        .values_list("user_id", "unit_id")
        .distinct()
    )
    for user_id, unit_id in managers:
        unit_counts = counts[unit_id]
        if not (unit_counts["overdue"] or unit_counts["due_soon"]):
            continue
        found = digest_for(user_id)
        if found is not None and has_perm(found.user, Perm.CLIENT_VIEW_ALL, unit_id):
            found.units.append((units[unit_id], dict(unit_counts)))
    return sorted((d for d in by_user.values() if not d.empty), key=lambda d: d.user.pk)


def send_duty_digests(*, today: datetime.date) -> int:
    """Send today's digests; returns the number of e-mails sent."""
    digests = collect_digests(today=today)
    labels = _client_labels(d for digest in digests for d in [*digest.overdue, *digest.due_soon])
    messages = [
        EmailMessage(
            subject=subject(today),
            body=_body(digest, today, labels),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[digest.user.email],
        )
        for digest in digests
    ]
    if not messages:
        return 0
    with get_connection() as connection:
        sent = connection.send_messages(messages) or 0
    logger.info("duty digest %s: %d of %d e-mails sent", today, sent, len(messages))
    return sent
