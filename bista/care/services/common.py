"""What the care services share: the unit through which the actor acts for a client, and small checks."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from bista.clients.models import Client, ClientUnit
from bista.core import clock
from bista.core.access import SYSTEM, has_perm
from bista.core.models import Unit


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


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
