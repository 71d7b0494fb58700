"""The person picker of the quality pages (core.pickers): an action's owner, a routine's owner, a self-check's
responsible person — the active users with a current role in the units where the user handles quality work
(quality.manage), or in one of them (`enhet`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import QueryDict

from bista.clients.pickers import unit_param
from bista.core import clock, pickers
from bista.core.access import unit_ids_with, valid_on
from bista.core.models import Membership
from bista.core.people import person_label
from bista.core.permissions import Perm


def members(unit_ids: set[int]) -> QuerySet[Any]:
    """Active users with a current role in one of the units."""
    user_ids = Membership.objects.filter(valid_on(clock.today()), unit_id__in=unit_ids).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("last_name", "first_name", "id")


def _choices(actor: Any, params: QueryDict) -> QuerySet[Any]:
    unit_ids = unit_ids_with(actor, Perm.QUALITY_MANAGE)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas.")
    unit_id = unit_param(params)
    if unit_id is not None:
        unit_ids &= {unit_id}
    return members(unit_ids)


PEOPLE = pickers.register(
    pickers.PickerSource(
        kind="person", choices=_choices, name_fields=("first_name", "last_name", "username"), label=person_label
    )
)
