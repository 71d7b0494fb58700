"""What the care context publishes for governance's indicators besides its self-checks: the deliveries of
protective material. Governance reads care only through here, `selfchecks` and `selectors`, never its models.

No access is checked here: the governance registry calls these for a unit already checked, and its drill-down
keeps only the clients the reader may see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from bista.care.models import Delivery


@dataclass(frozen=True)
class DeliveryRow:
    pk: int
    delivered_on: datetime.date
    client_id: int
    client_name: str
    items: str


def protective_deliveries(*, unit_id: int, first: datetime.date, last: datetime.date) -> list[tuple[int, int, str]]:
    """(id, client id, the client's recorded gender) of the unit's deliveries of protective material on the days
    `first`–`last`: plain rows, as the indicator counts them."""
    rows = Delivery.objects.filter(
        unit_id=unit_id, kind=Delivery.Kind.PROTECTIVE, delivered_on__gte=first, delivered_on__lte=last
    )
    return list(rows.values_list("pk", "client_id", "client__gender"))


def deliveries_by_ids(ids: list[int]) -> list[DeliveryRow]:
    """Deliveries by id, in date order, with the client's name (for the drill-down behind a figure)."""
    deliveries = Delivery.objects.filter(pk__in=ids).select_related("client").order_by("delivered_on", "pk")
    return [DeliveryRow(d.pk, d.delivered_on, d.client_id, d.client.full_name, d.items) for d in deliveries]
