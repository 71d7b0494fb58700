"""Reads of client data, scoped to need-to-know; every read of one client's data is logged."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from bista.clients.models import AccessLogEntry, Client, ClientUnit, ProtectedIdentityAccess
from bista.clients.services import access_log_record
from bista.core import personnummer
from bista.core.access import SYSTEM, team_ids_for_user, unit_ids_with
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm

# Something that looks like a personnummer rather than a name: 6, 8, 10 or 12 digits with an optional - or +.
PERSONNUMMER_QUERY = re.compile(r"^\s*\d{6}(\d{2})?([-+]?\d{4})?\s*$")


def visibility_filter(actor: Any) -> Q:
    """Clients with an open link to a unit where the actor sees all clients, or in the actor's teams."""
    all_units = unit_ids_with(actor, Perm.CLIENT_VIEW_ALL)
    team_units = unit_ids_with(actor, Perm.CLIENT_VIEW_TEAM)
    condition = Q(pk__in=[])
    if all_units:
        condition |= Q(
            Exists(ClientUnit.objects.filter(client=OuterRef("pk"), unit_id__in=all_units, until__isnull=True))
        )
    if team_units:
        team_ids = team_ids_for_user(actor)
        if team_ids:
            condition |= Q(teams__id__in=team_ids, teams__unit_id__in=team_units)
    return condition


def visible_clients(actor: Any) -> QuerySet[Client]:
    return Client.objects.filter(visibility_filter(actor)).distinct()


def clients_by_ids(actor: Any, ids: list[int]) -> QuerySet[Client]:
    """The clients with these ids that the actor may see (all of them for the SYSTEM actor)."""
    clients = Client.objects.filter(pk__in=ids)
    return clients if actor is SYSTEM else clients.filter(pk__in=visible_clients(actor).values("pk"))


def client_units_for(actor: Any, client: Client) -> list[int]:
    """The units through which the actor sees this client (for logging and permission checks)."""
    actor_units = unit_ids_with(actor, *Perm.CLIENT_VIEW)
    return list(
        ClientUnit.objects.filter(client=client, unit_id__in=actor_units, until__isnull=True)
        .values_list("unit_id", flat=True)
        .order_by("unit_id")
    )


def client_search(
    actor: Any,
    query: str = "",
    *,
    unit_id: int | None = None,
    team_id: int | None = None,
    include_inactive: bool = False,
) -> QuerySet[Client]:
    """The clients the actor may see matching a name or personnummer query.

    A search by personnummer is a read of that client's data, so each hit is logged.
    """
    clients = visible_clients(actor)
    if not include_inactive:
        clients = clients.filter(is_active=True)
    if unit_id:
        clients = clients.filter(unit_links__unit_id=unit_id, unit_links__until__isnull=True)
    if team_id:
        clients = clients.filter(teams__id=team_id)
    query = query.strip()
    if query and PERSONNUMMER_QUERY.match(query):
        digits = re.sub(r"\D", "", query)
        with contextlib.suppress(personnummer.PersonnummerError):  # a partial number: search the digits given
            digits = personnummer.parse(query).digits
        clients = clients.filter(personnummer__contains=digits)
        hits = list(clients.order_by("last_name", "first_name", "id")[:50])
        for client in hits:
            access_log_record(actor=actor, client=client, action=AccessLogEntry.Action.SEARCH, detail="sökning")
        return clients.filter(pk__in=[c.pk for c in hits]).order_by("last_name", "first_name", "id")
    for word in query.split():
        clients = clients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return clients.order_by("last_name", "first_name", "id")


def client_get(
    actor: Any, pk: int, *, action: str = AccessLogEntry.Action.CARD, detail: str = "", to_manage: bool = False
) -> Client:
    """One client the actor may see; the read is logged. Unknown and not-visible look the same (404).

    With `to_manage`, an actor who may see but not change the client is refused before anything is read.
    """
    client = visible_clients(actor).filter(pk=pk).first()
    if client is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    if to_manage and not can_manage_client(actor, client):
        raise PermissionDenied("Behörighet saknas: client.manage")
    access_log_record(actor=actor, client=client, action=action, detail=detail)
    return client


def can_see_protected_address(actor: Any, client: Client) -> bool:
    """Protected clients' addresses are shown only to the named access group of one of their units."""
    if not client.protected_identity:
        return True
    user_id = getattr(actor, "pk", None)
    if user_id is None:
        return False
    return ProtectedIdentityAccess.objects.filter(
        user_id=user_id,
        revoked_at__isnull=True,
        unit__client_links__client=client,
        unit__client_links__until__isnull=True,
    ).exists()


def can_manage_client(actor: Any, client: Client) -> bool:
    return bool(set(client_units_for(actor, client)) & unit_ids_with(actor, Perm.CLIENT_MANAGE))


def log_users(actor: Any) -> QuerySet[Any]:
    """The people whose reads a reviewing manager may filter on: everyone who has held a role in a unit the
    manager reviews, or district-wide in its district (expired roles included: the log goes back years)."""
    unit_ids = unit_ids_with(actor, Perm.LOG_REVIEW)
    district_ids = Unit.objects.filter(pk__in=unit_ids).values("department__district_id")
    holders = Membership.objects.filter(Q(unit_id__in=unit_ids) | Q(unit__isnull=True, district_id__in=district_ids))
    return (
        get_user_model()
        .objects.filter(pk__in=holders.values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


def log_entries(
    actor: Any,
    *,
    unit_id: int | None = None,
    user_id: int | None = None,
    client_id: int | None = None,
    start: Any = None,
    end: Any = None,
    protected_only: bool = False,
) -> QuerySet[AccessLogEntry]:
    """The access log as a reviewing manager may see it: reads made through units they review."""
    unit_ids = unit_ids_with(actor, Perm.LOG_REVIEW)
    if unit_id is not None:
        if unit_id not in unit_ids:
            raise PermissionDenied("Behörighet saknas.")
        unit_ids = {unit_id}
    entries = AccessLogEntry.objects.filter(unit_id__in=unit_ids).select_related("actor", "client", "unit")
    if user_id:
        entries = entries.filter(actor_id=user_id)
    if client_id:
        entries = entries.filter(client_id=client_id)
    if start:
        entries = entries.filter(at__date__gte=start)
    if end:
        entries = entries.filter(at__date__lte=end)
    if protected_only:
        entries = entries.filter(protected_identity=True)
    return entries.order_by("-at", "-id")
