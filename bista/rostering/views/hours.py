"""Hours per month (the contract period): each employee against the contract, each client against what the
decisions grant, with the 80/90/100 % alert written out in text."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bista.clients.models import Client
from bista.core import clock
from bista.core.models import Team, Unit
from bista.rostering import rules, selectors
from bista.rostering.forms import MonthForm
from bista.rostering.views.common import add_months, month_label, roster_unit_ids, section
from bista.staff.models import Employee

# The alert levels as text (the icon only repeats it; never colour alone).
ALERTS = {
    100: ("⛔", "100 % eller mer av beviljad tid använd"),
    90: ("⚠", "Minst 90 % av beviljad tid använd"),
    80: ("⚠", "Minst 80 % av beviljad tid använd"),
}


@dataclass(frozen=True)
class Totals:
    contracted: float
    scheduled: float
    worked: float
    draft: float
    overtime: float
    hourly_paid: float
    absent: float


NO_TEAM = "Utan arbetsgrupp"


@dataclass
class TeamGroup:
    """One team's rows on the page, collapsed unless something in it needs the reader (an alert)."""

    name: str
    employees: list[Any] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return _totals(self.employees)

    @property
    def alerts(self) -> int:
        return sum(1 for _row, alert, _label, _named in self.clients if alert)

    @property
    def granted(self) -> float:
        return sum(row.granted_hours or 0.0 for row, *_ in self.clients)

    @property
    def client_scheduled(self) -> float:
        return sum(row.scheduled_hours for row, *_ in self.clients)


def _totals(employees: list[Any]) -> Totals:
    return Totals(
        contracted=sum(e.contracted_hours for e in employees),
        scheduled=sum(e.scheduled_hours for e in employees),
        worked=sum(e.worked_hours for e in employees),
        draft=sum(e.draft_hours for e in employees),
        overtime=sum(e.overtime_hours for e in employees),
        hourly_paid=sum(e.hourly_paid_hours for e in employees),
        absent=sum(e.absent_hours for e in employees),
    )


def _first_team(memberships: Any) -> dict[int, str]:
    """Each member's first team of the unit by name (a person in two teams is listed once, under the first)."""
    first: dict[int, str] = {}
    for member_id, name in memberships.order_by("team__name"):
        first.setdefault(member_id, name)
    return first


def _team_groups(unit: Unit, employees: list[Any], clients: list[Any]) -> list[TeamGroup]:
    """The page's rows grouped by team, teams by name, those without a team last."""
    teams = Team.objects.filter(unit=unit)
    employee_team = _first_team(
        Employee.teams.through.objects.filter(
            team__in=teams, employee_id__in=[e.employee.pk for e in employees]
        ).values_list("employee_id", "team__name")
    )
    client_team = _first_team(
        Client.teams.through.objects.filter(
            team__in=teams, client_id__in=[c[0].client.pk for c in clients]
        ).values_list("client_id", "team__name")
    )
    groups: dict[str, TeamGroup] = defaultdict(lambda: TeamGroup(""))
    for row in employees:
        name = employee_team.get(row.employee.pk, NO_TEAM)
        groups[name].employees.append(row)
    for item in clients:
        name = client_team.get(item[0].client.pk, NO_TEAM)
        groups[name].clients.append(item)
    for name, group in groups.items():
        group.name = name
    return sorted(groups.values(), key=lambda g: (g.name == NO_TEAM, g.name))


@login_required
@require_GET
def hours(request: HttpRequest) -> HttpResponse:
    unit_ids = roster_unit_ids(request.user)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.view")
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    form = MonthForm(request.GET or None, units=units)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit = next((u for u in units if u.pk == data.get("enhet")), units[0])
    first = data.get("manad") or clock.today().replace(day=1)
    period = rules.contract_period(first)
    employees = selectors.hours_per_employee(request.user, unit, period)
    clients = selectors.hours_per_client(request.user, unit, period)
    # A list of the unit's clients' hours: not logged (as other lists), but named only to who sees the client.
    labels = selectors.client_labels(request.user, ((c.client, unit.pk) for c in clients))
    client_items = [
        (
            c,
            ALERTS.get(c.alert) if c.alert else None,
            labels[c.client.pk],
            labels[c.client.pk] == c.client.full_name,
        )
        for c in clients
    ]
    groups = _team_groups(unit, employees, client_items)
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "period": period,
        "month": month_label(first),
        "previous_url": _month_url(request, add_months(first, -1), unit),
        "next_url": _month_url(request, add_months(first, 1), unit),
        "employees": employees,
        "employee_totals": _totals(employees),
        "clients": client_items,
        "groups": groups,
        # One team is shown open; with many, each is a collapsed summary line that opens on an alert.
        "open_all": len(groups) == 1,
        "section": section(request.user),
        "current": "hours",
    }
    return render(request, "rostering/hours.html", context)


def _month_url(request: HttpRequest, first: Any, unit: Unit) -> str:
    query = request.GET.copy()
    query["manad"] = f"{first:%Y-%m}"
    query["enhet"] = str(unit.pk)
    return f"?{query.urlencode()}"
