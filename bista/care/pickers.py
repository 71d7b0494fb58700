"""The responsible-deputy picker (core.pickers): only people whose role grants care.responsible (deputy managers
and managers) in the units where the user manages orders, or in one of them (`enhet`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict

from bista.care.selectors import responsible_deputies
from bista.clients.pickers import unit_param
from bista.core import clock, pickers
from bista.core.access import unit_ids_with
from bista.core.people import person_label
from bista.core.permissions import Perm


def _choices(actor: Any, params: QueryDict) -> QuerySet[Any]:
    unit_ids = unit_ids_with(actor, Perm.CARE_MANAGE)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: care.manage")
    unit_id = unit_param(params)
    if unit_id is not None:
        unit_ids &= {unit_id}
    return responsible_deputies(unit_ids, clock.today())


DEPUTIES = pickers.register(
    pickers.PickerSource(
        kind="ansvarig", choices=_choices, name_fields=("first_name", "last_name", "username"), label=person_label
    )
)
