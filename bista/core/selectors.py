"""Reads of the organisation, scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from bista.core import clock
from bista.core.access import access_map, unit_ids_with, valid_on
from bista.core.models import DutyRule, Membership, Team, Unit
from bista.core.permissions import Perm


def visible_units(actor: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=unit_ids_with(actor, Perm.ORG_VIEW)).select_related("department__district")


def unit_get(actor: Any, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("department__district"), pk=pk)
    if Perm.ORG_VIEW not in access_map(actor).get(unit.pk, frozenset()):
        raise PermissionDenied("Behörighet saknas.")
    return unit


def visible_teams(actor: Any, unit_id: int | None = None) -> QuerySet[Team]:
    teams = Team.objects.filter(unit_id__in=unit_ids_with(actor, Perm.ORG_VIEW)).select_related("unit")
    if unit_id is not None:
        teams = teams.filter(unit_id=unit_id)
    return teams


def teams_with_counts(actor: Any, unit_id: int) -> QuerySet[Team]:
    return visible_teams(actor, unit_id).annotate(
        client_count=Count("clients", filter=Q(clients__is_active=True), distinct=True),
        employee_count=Count("employees", distinct=True),
    )


def team_get(actor: Any, pk: int) -> Team:
    team = get_object_or_404(Team.objects.select_related("unit"), pk=pk)
    if Perm.ORG_VIEW not in access_map(actor).get(team.unit_id, frozenset()):
        raise PermissionDenied("Behörighet saknas.")
    return team


def current_memberships(actor: Any) -> list[Membership]:
    return list(
        Membership.objects.filter(valid_on(clock.today()), user=actor)
        .select_related("role", "unit", "district")
        .order_by("district__name", "unit__name")
    )


def duty_rules_by_code() -> dict[str, list[DutyRule]]:
    """Every deadline with all its versions, oldest first (reference data: readable by every signed-in user)."""
    rules: dict[str, list[DutyRule]] = {}
    for rule in DutyRule.objects.order_by("code", "valid_from"):
        rules.setdefault(rule.code, []).append(rule)
    return rules
