"""The client picker (core.pickers): the clients the user may see (need-to-know: their units, or their teams'
clients), active, optionally of one unit (`enhet`); each client named in the matches is logged as read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict

from bista.clients.models import AccessLogEntry, Client, ClientUnit
from bista.clients.selectors import visible_clients
from bista.clients.services import access_log_record_shown
from bista.core import pickers
from bista.core.access import unit_ids_with
from bista.core.forms import MAX_ID
from bista.core.permissions import Perm
from bista.core.personnummer import stored_birth_date

LOG_DETAIL = "sökväljare"


def unit_param(params: QueryDict) -> int | None:
    """The `enhet` parameter narrowing a picker to one unit, or None (absent or not an id)."""
    value = params.get("enhet", "")
    return int(value) if value.isdigit() and 0 < int(value) <= MAX_ID else None


def client_label(client: Client) -> str:
    return f"{client.last_name}, {client.first_name}"


def picker_label(client: Client) -> str:
    """The name and the date of birth ("Lind, Astrid (f. 1984-03-12)"): two clients of the same name are told
    apart without the whole personnummer on the screen (a samordningsnummer's day is the day of birth + 60)."""
    return f"{client_label(client)} (f. {stored_birth_date(client.personnummer):%Y-%m-%d})"


def _choices(actor: Any, params: QueryDict) -> QuerySet[Client]:
    if not unit_ids_with(actor, *Perm.CLIENT_VIEW):
        raise PermissionDenied("Behörighet saknas.")
    clients = visible_clients(actor).filter(is_active=True)
    unit_id = unit_param(params)
    if unit_id is not None:
        clients = clients.filter(unit_links__unit_id=unit_id, unit_links__until__isnull=True)
    return clients.order_by("last_name", "first_name", "id")


def _log(actor: Any, clients: Sequence[Client]) -> None:
    """Each client named, through the first of its current units the actor sees clients in (one query)."""
    units: dict[int, int] = {}
    for client_id, unit_id in (
        ClientUnit.objects.filter(
            client_id__in=[c.pk for c in clients],
            unit_id__in=unit_ids_with(actor, *Perm.CLIENT_VIEW),
            until__isnull=True,
        )
        .order_by("unit_id")
        .values_list("client_id", "unit_id")
    ):
        units.setdefault(client_id, unit_id)
    access_log_record_shown(
        actor=actor,
        shown=[(client, units[client.pk]) for client in clients if client.pk in units],
        action=AccessLogEntry.Action.LIST,
        detail=LOG_DETAIL,
    )


CLIENTS = pickers.register(
    pickers.PickerSource(
        kind="brukare",
        choices=_choices,
        name_fields=("first_name", "last_name"),
        label=picker_label,
        log=_log,
        number_field="personnummer",
    )
)
