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
    client_gender: str
    client_name: str
    items: str


def protective_deliveries(*, unit_id: int, first: datetime.date, last: datetime.date) -> list[DeliveryRow]:
    """The unit's deliveries of protective material on the days `first`–`last`."""
    rows = Delivery.objects.filter(
        unit_id=unit_id, kind=Delivery.Kind.PROTECTIVE, delivered_on__gte=first, delivered_on__lte=last
    )
    return _rows(rows)


def deliveries_by_ids(ids: list[int]) -> list[DeliveryRow]:
    """Deliveries by id, in date order (for the drill-down behind a figure)."""
    return _rows(Delivery.objects.filter(pk__in=ids))


def _rows(deliveries: object) -> list[DeliveryRow]:
    queryset = deliveries.select_related("client").order_by("delivered_on", "pk")  # type: ignore[attr-defined]
    return [
        DeliveryRow(d.pk, d.delivered_on, d.client_id, d.client.gender, d.client.full_name, d.items) for d in queryset
    ]
