"""The roster of a client team and of one person: a week (seven columns, Monday to Sunday) or a period of
2–6 weeks, with previous/next links and a date picker (a GET form, so it works without JavaScript)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bista.clients.models import Client
from bista.core import clock
from bista.core.models import Team
from bista.rostering import selectors
from bista.rostering.forms import RosterFilterForm
from bista.rostering.models import Shift
from bista.rostering.views.common import (
    WEEKDAY_LONG,
    Week,
    build_weeks,
    manage_link,
    monday_of,
    navigation,
    period_bounds,
    roster_unit_ids,
    section,
)
from bista.staff.models import Employee

OPEN_ROW = "open"


def _choices(request: HttpRequest, form: RosterFilterForm, teams: list[Team] | None) -> tuple[Any, datetime.date, int]:
    """The team, Monday and number of weeks asked for; what was not (or wrongly) given falls back to the
    first team and the current week."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    team = None
    if teams:
        wanted = data.get("arbetsgrupp")
        team = next((t for t in teams if t.pk == wanted), teams[0])
    day = data.get("datum") or clock.today()
    return team, monday_of(day), data.get("veckor") or 1


@login_required
@require_GET
def roster(request: HttpRequest) -> HttpResponse:
    """A client team's roster: one table per week, a row per employee (or per client) and day columns."""
    unit_ids = roster_unit_ids(request.user)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.view")
    teams = list(
        Team.objects.filter(unit_id__in=unit_ids, is_active=True).select_related("unit").order_by("unit__name", "name")
    )
    form = RosterFilterForm(request.GET or None, teams=teams)
    team, monday, weeks = _choices(request, form, teams)
    today = clock.today()
    context: dict[str, Any] = {
        "form": form,
        "team": team,
        "section": section(request.user),
        "current": "roster",
    }
    if team is None:
        return render(request, "rostering/roster.html", context)
    start, end = period_bounds(monday, weeks)
    shifts = selectors.roster_for_team(request.user, team, start, end)
    can_manage = selectors.can_manage_roster(request.user, team.unit_id)
    by_client = form.is_bound and form.is_valid() and form.cleaned_data.get("rader") == "brukare"
    weeks_shown = _team_weeks(
        request.user, team, shifts, monday, weeks, today, by_client=by_client, can_manage=can_manage
    )
    context.update(
        {
            "weeks": weeks_shown,
            "navigation": navigation(request, monday, weeks, today),
            "by_client": by_client,
            "can_manage": can_manage,
            "row_heading": "Brukare" if by_client else "Medarbetare",
            "new_shift_url": f"{reverse('rostering:shift_create')}?datum={monday.isoformat()}",
        }
    )
    return render(request, "rostering/roster.html", context)


def _team_weeks(
    user: Any,
    team: Team,
    shifts: list[Shift],
    monday: datetime.date,
    weeks: int,
    today: datetime.date,
    *,
    by_client: bool,
    can_manage: bool,
) -> list[Week]:
    link = manage_link(lambda shift: can_manage)
    if by_client:
        clients = list(Client.objects.filter(teams=team, is_active=True).order_by("last_name", "first_name", "pk"))
        labels = selectors.client_labels(user, ((c, team.unit_id) for c in [*clients, *(s.client for s in shifts)]))
        return build_weeks(
            shifts,
            monday,
            weeks,
            today=today,
            rows=[(c.pk, labels[c.pk], _needs_url(c.pk)) for c in clients],
            row_of=lambda s: (s.client_id, labels[s.client_id], _needs_url(s.client_id)),
            client_name=lambda c: labels[c.pk],
            link=link,
        )
    labels = selectors.client_labels(user, ((s.client, s.unit_id) for s in shifts))
    start, end = period_bounds(monday, weeks)
    members = Employee.objects.filter(teams=team, start_date__lte=end).exclude(end_date__lt=start)
    rows: list[tuple[Any, str, str | None]] = [
        (e.pk, f"{e.last_name}, {e.first_name}", _person_url(e.pk))
        for e in members.order_by("last_name", "first_name", "pk")
    ]
    rows.append((OPEN_ROW, "Öppna pass", None))

    def row_of(shift: Shift) -> tuple[Any, str, str | None]:
        if shift.employee is None:
            return (OPEN_ROW, "Öppna pass", None)
        e = shift.employee
        return (e.pk, f"{e.last_name}, {e.first_name}", _person_url(e.pk))

    result = build_weeks(
        shifts, monday, weeks, today=today, rows=rows, row_of=row_of, client_name=lambda c: labels[c.pk], link=link
    )
    # The open-shift row goes last, after anyone not in the team who works there.
    for week in result:
        week.rows.sort(key=lambda row: row.key == OPEN_ROW)
    return result


def _person_url(employee_id: int) -> str:
    return reverse("rostering:person", args=[employee_id])


def _needs_url(client_id: int) -> str:
    return reverse("rostering:needs", args=[client_id])


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """One employee's roster: a table with a row per week. A manager of the employee's unit sees every
    shift; the employee themself sees their published, worked and absent ones."""
    employee = Employee.objects.select_related("unit").filter(pk=pk).first()
    own = employee is not None and employee.user_id is not None and employee.user_id == request.user.pk
    if employee is None or not (own or selectors.can_view_roster(request.user, employee.unit_id)):
        raise Http404("Medarbetaren finns inte eller så saknar du behörighet.")
    form = RosterFilterForm(request.GET or None)
    _, monday, weeks = _choices(request, form, None)
    today = clock.today()
    start, end = period_bounds(monday, weeks)
    shifts = selectors.roster_for_employee(request.user, employee, start, end)
    can_manage = selectors.can_manage_roster(request.user, employee.unit_id)
    labels = selectors.client_labels(
        request.user, ((shift.client, shift.unit_id) for shift in shifts), log=f"schema för {employee.full_name}"
    )
    row = [(employee.pk, employee.full_name, None)]
    weeks_shown = build_weeks(
        shifts,
        monday,
        weeks,
        today=today,
        rows=row,
        row_of=lambda s: row[0],
        client_name=lambda c: labels[c.pk],
        link=manage_link(lambda shift: can_manage),
    )
    context = {
        "employee": employee,
        "form": form,
        "weeks": [(week, list(zip(week.days, week.rows[0].cells, strict=True))) for week in weeks_shown],
        "weekday_names": WEEKDAY_LONG,
        "navigation": navigation(request, monday, weeks, today),
        "can_manage": can_manage,
        "section": section(request.user),
        "current": "roster",
        "new_shift_url": f"{reverse('rostering:shift_create')}?medarbetare={employee.pk}&datum={monday.isoformat()}",
    }
    return render(request, "rostering/person.html", context)
