"""The pages that bring the contexts together: the start page per role, and unit and team pages.

They live outside `core` because they show clients and staff, and `core` imports no other context.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from bista.care import selectors as care_selectors
from bista.clients.selectors import visible_clients
from bista.core import clock, selectors
from bista.core.access import access_map, has_perm, team_ids_for_user, unit_ids_with
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.overview import day
from bista.staff.selectors import employee_search


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """The start page: the person's day (their shifts, drafts and open shifts; for a manager what needs them
    today), their "Att göra", then what they work with."""
    today = clock.today()
    units = []
    amap = access_map(request.user)
    for unit in selectors.visible_units(request.user):
        perms = amap.get(unit.pk, frozenset())
        units.append({"unit": unit, "perms": perms})
    my_teams = selectors.visible_teams(request.user).filter(pk__in=team_ids_for_user(request.user))
    context = {
        "memberships": selectors.current_memberships(request.user),
        "units": units,
        "my_teams": my_teams,
        "client_count": visible_clients(request.user).filter(is_active=True).count(),
        **_todo(request.user, today),
        "my_day": day.my_day(request.user, today),
        "unit_days": [panel for panel in day.unit_days(request.user, today) if not panel.is_empty],
    }
    return render(request, "overview/start.html", context)


def _todo(user: Any, today: datetime.date) -> dict[str, Any]:
    """The "Att göra" counts (the user's own duties, and each unit whose every client the user sees; the duties
    computed once for all of them), the most overdue rows among them, and a case officer's desk built from the
    same duties."""
    if not unit_ids_with(user, *Perm.CLIENT_VIEW):
        return {"todo_boxes": [], "urgent": [], "case_desk": None}
    mine, per_unit = care_selectors.todo_overview(user, today=today, upcoming_days=day.DESK_UPCOMING_DAYS)
    url = reverse("care:todo")
    boxes = [{"label": "Mina uppgifter", "url": url, "counts": mine.counts}]
    for unit in Unit.objects.filter(pk__in=per_unit).order_by("name"):
        boxes.append({"label": unit.name, "url": f"{url}?unit={unit.pk}", "counts": per_unit[unit.pk].counts})
    overdue = {id(duty): duty for todo in [mine, *per_unit.values()] for duty in todo.overdue}
    urgent = sorted(overdue.values(), key=lambda duty: (duty.due_on, duty.subject))[: day.ROWS]
    return {"todo_boxes": boxes, "urgent": urgent, "case_desk": day.case_desk(user, today, mine, per_unit)}


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    context = {
        "unit": unit,
        "teams": selectors.teams_with_counts(request.user, unit.pk),
        "can_see_clients": has_perm(request.user, Perm.CLIENT_VIEW_ALL, unit),
        "can_see_employees": has_perm(request.user, Perm.EMPLOYEE_VIEW, unit),
        "client_count": visible_clients(request.user)
        .filter(unit_links__unit=unit, unit_links__until__isnull=True, is_active=True)
        .count(),
        "employee_count": employee_search(request.user, unit_id=unit.pk, current_only=True).count(),
    }
    return render(request, "overview/unit_detail.html", context)


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(request.user, pk)
    context = {
        "team": team,
        "clients": visible_clients(request.user).filter(teams=team, is_active=True).order_by("last_name"),
        "employees": employee_search(request.user, team_id=team.pk, current_only=True),
    }
    return render(request, "overview/team_detail.html", context)
