"""Mitt schema: the signed-in employee's own coming shifts, as a list by day that reads well on a phone.

It shows only the employee's own published, worked and absent shifts (the selector decides), and of each
client only the name the employee may see (through their teams) or else the initials.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bista.core import clock
from bista.core.context_processors import EMPLOYEE_SESSION_KEY
from bista.rostering import selectors
from bista.rostering.views.common import ShiftRow, long_day_label, placed_days, shift_row
from bista.staff.models import Employee

DEFAULT_WEEKS = 2
MAX_WEEKS = 6


@receiver(user_logged_in, dispatch_uid="rostering.remember_employee_link")
def remember_employee_link(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Note at sign-in whether the user is an employee, so that every page's menu can offer "Mitt schema"
    without asking the database on each request."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[EMPLOYEE_SESSION_KEY] = Employee.objects.filter(user=user).values_list("pk", flat=True).first()


@dataclass(frozen=True)
class ScheduleDay:
    date: datetime.date
    label: str
    is_today: bool
    shifts: list[ShiftRow]


def _weeks(request: HttpRequest) -> int:
    try:
        weeks = int(request.GET.get("veckor", DEFAULT_WEEKS))
    except ValueError:
        return DEFAULT_WEEKS
    return min(max(weeks, 1), MAX_WEEKS)


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    own = Employee.objects.filter(user_id=request.user.pk or 0)
    employee = own.only("pk", "first_name", "last_name", "unit_id").first()
    if employee is None:
        return render(request, "rostering/my_schedule.html", {"employee": None}, status=404)
    today = clock.today()
    weeks = _weeks(request)
    last = today + datetime.timedelta(days=7 * weeks - 1)
    shifts = selectors.my_shifts(request.user, today, last)
    labels = selectors.client_labels(request.user, ((shift.client, shift.unit_id) for shift in shifts))
    days: dict[datetime.date, list[ShiftRow]] = {}
    for shift in shifts:
        for day in placed_days(shift, today, last):
            days.setdefault(day, []).append(shift_row(shift, day, client_name=lambda c: labels[c.pk]))
    context = {
        "employee": employee,
        "days": [ScheduleDay(d, long_day_label(d), d == today, rows) for d, rows in sorted(days.items())],
        "weeks": weeks,
        "more_weeks": weeks + 2 if weeks + 2 <= MAX_WEEKS else None,
        "last": last,
    }
    return render(request, "rostering/my_schedule.html", context)
