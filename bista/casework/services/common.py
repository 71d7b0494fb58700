"""What the casework services share: who acts, and small checks of dates, units and case officers."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from bista.core import clock
from bista.core.access import valid_on
from bista.core.models import Membership, Team, Unit


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _not_in_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > clock.today():
        raise ValidationError({field: "Datumet kan inte ligga i framtiden."})


def _purchaser(unit: Unit) -> None:
    if unit.kind != Unit.Kind.PURCHASER:
        raise ValidationError({"unit": "Enheten är ingen beställarenhet."})


def _team_of(unit: Unit, team: Team | None) -> None:
    if team is not None and team.unit_id != unit.pk:
        raise ValidationError({"team": "Handläggargruppen hör inte till enheten."})


def _officer_of(unit: Unit, officer: Any, on: datetime.date) -> None:
    """The case officer must hold casework permissions in the unit on `on`."""
    if officer is None:
        return
    if not _roles_in(officer, unit, on):
        raise ValidationError({"officer": "Handläggaren har ingen roll i enheten."})


def _roles_in(user: Any, unit: Unit, on: datetime.date) -> set[str]:
    """The codes of the roles `user` holds in `unit` on `on` (a district-wide role counts everywhere)."""
    district_id = unit.department.district_id
    return set(
        Membership.objects.filter(valid_on(on), user=user)
        .filter(Q(unit=unit) | Q(unit__isnull=True, district_id=district_id))
        .values_list("role__code", flat=True)
    )
