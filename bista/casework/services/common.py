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


def _officer_of(unit: Unit, officer: Any, on: datetime.date, *, roles: set[str] | None = None) -> None:
    """The case officer must hold casework permissions in the unit on `on`. `roles`: the officer's roles there
    on `on` already read (an import checks many cases: `unit_memberships`), else read here."""
    if officer is None:
        return
    if not (_roles_in(officer, unit, on) if roles is None else roles):
        raise ValidationError({"officer": "Handläggaren har ingen roll i enheten."})


def _in_unit(unit: Unit) -> Q:
    """Memberships that count in `unit`: the unit's own and the district-wide ones of its district."""
    return Q(unit=unit) | Q(unit__isnull=True, district_id=unit.department.district_id)


def _roles_in(user: Any, unit: Unit, on: datetime.date) -> set[str]:
    """The codes of the roles `user` holds in `unit` on `on` (a district-wide role counts everywhere)."""
    return set(
        Membership.objects.filter(valid_on(on), user=user).filter(_in_unit(unit)).values_list("role__code", flat=True)
    )


MembershipSpan = tuple[datetime.date, datetime.date | None, str]


def unit_memberships(unit: Unit) -> dict[int, list[MembershipSpan]]:
    """Every membership that counts in `unit` (as `_roles_in` reads them), by user: (valid_from, valid_to, role
    code). One query for an import that checks thousands of decisions instead of one per decision."""
    spans: dict[int, list[MembershipSpan]] = {}
    for user_id, valid_from, valid_to, code in Membership.objects.filter(_in_unit(unit)).values_list(
        "user_id", "valid_from", "valid_to", "role__code"
    ):
        spans.setdefault(user_id, []).append((valid_from, valid_to, code))
    return spans


def roles_on(spans: list[MembershipSpan], on: datetime.date) -> set[str]:
    """The role codes of `spans` (`unit_memberships`) in force on `on`, with the same bounds as `valid_on`."""
    return {code for valid_from, valid_to, code in spans if valid_from <= on and (valid_to is None or valid_to > on)}
