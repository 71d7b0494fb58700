"""Hours per month (the contract period): each employee against the contract, each client against what the
decisions grant, with the 80/90/100 % alert written out in text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bista.core import clock
from bista.core.models import Unit
from bista.rostering import rules, selectors
from bista.rostering.forms import MonthForm
from bista.rostering.views.common import add_months, month_label, roster_unit_ids, section

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
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "period": period,
        "month": month_label(first),
        "previous_url": _month_url(request, add_months(first, -1), unit),
        "next_url": _month_url(request, add_months(first, 1), unit),
        "employees": employees,
        "employee_totals": Totals(
            contracted=sum(e.contracted_hours for e in employees),
            scheduled=sum(e.scheduled_hours for e in employees),
            worked=sum(e.worked_hours for e in employees),
            draft=sum(e.draft_hours for e in employees),
            overtime=sum(e.overtime_hours for e in employees),
            hourly_paid=sum(e.hourly_paid_hours for e in employees),
            absent=sum(e.absent_hours for e in employees),
        ),
        "clients": [
            (
                c,
                ALERTS.get(c.alert) if c.alert else None,
                labels[c.client.pk],
                labels[c.client.pk] == c.client.full_name,
            )
            for c in clients
        ],
        "section": section(request.user),
        "current": "hours",
    }
    return render(request, "rostering/hours.html", context)


def _month_url(request: HttpRequest, first: Any, unit: Unit) -> str:
    query = request.GET.copy()
    query["manad"] = f"{first:%Y-%m}"
    query["enhet"] = str(unit.pk)
    return f"?{query.urlencode()}"
