"""Reads of employees, scoped to what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bista.core.access import unit_ids_with
from bista.core.permissions import Perm
from bista.staff.models import Employee


def team_ids_for_user(user: Any) -> set[int]:
    """The active teams the user works in, through their employee record."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Employee.objects.filter(user=user, teams__is_active=True).values_list("teams__id", flat=True)) - {None}


def visible_employees(actor: Any) -> QuerySet[Employee]:
    unit_ids = unit_ids_with(actor, Perm.EMPLOYEE_VIEW)
    own = Q(user=actor) if getattr(actor, "is_authenticated", False) else Q(pk__in=[])
    return Employee.objects.filter(Q(unit_id__in=unit_ids) | own).select_related("unit")


def employee_search(
    actor: Any, query: str = "", *, unit_id: int | None = None, team_id: int | None = None, current_only: bool = False
) -> QuerySet[Employee]:
    employees = visible_employees(actor)
    for word in query.split():
        employees = employees.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if unit_id:
        employees = employees.filter(unit_id=unit_id)
    if team_id:
        employees = employees.filter(teams__id=team_id)
    if current_only:
        today = timezone.localdate()
        employees = employees.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)
    return employees.order_by("last_name", "first_name", "id")


def employee_get(actor: Any, pk: int) -> Employee:
    employee = get_object_or_404(Employee.objects.select_related("unit", "user"), pk=pk)
    if employee.unit_id not in unit_ids_with(actor, Perm.EMPLOYEE_VIEW) and employee.user_id != getattr(
        actor, "pk", None
    ):
        raise Http404("Medarbetaren finns inte eller så saknar du behörighet.")
    return employee
