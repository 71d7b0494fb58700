"""Mitt schema: the signed-in employee's own coming shifts, as a list by day that reads well on a phone, with
the employee's self-service: report oneself sick, and request an open shift the working-time rules allow.

It shows only the employee's own published, worked and absent shifts (the selector decides), and of each
client only the name the employee may see (through their teams) or else the initials.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bista.core import clock
from bista.core.access import unit_ids_with
from bista.core.context_processors import EMPLOYEE_SESSION_KEY
from bista.core.errors import ConflictError
from bista.core.format import antal
from bista.core.permissions import Perm
from bista.rostering import rules, selectors, services
from bista.rostering.forms import SelfSickForm
from bista.rostering.models import Shift
from bista.rostering.views.common import ShiftRow, long_day_label, placed_days, shift_row
from bista.rostering.views.shifts import show_service_errors, split_rule_violations
from bista.staff.models import Employee

DEFAULT_WEEKS = 2
MAX_WEEKS = 6
OPEN_SHIFT_DAYS = 14  # how far ahead the open shifts one may request are shown


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
    shifts: list[tuple[ShiftRow, str | None, str | None]]  # the row, the client card's and the journal's link


def _weeks(request: HttpRequest) -> int:
    try:
        weeks = int(request.GET.get("veckor", DEFAULT_WEEKS))
    except ValueError:
        return DEFAULT_WEEKS
    return min(max(weeks, 1), MAX_WEEKS)


@dataclass(frozen=True)
class OpenShiftRow:
    shift: Shift
    span: str
    length: str
    client: str
    requested: bool


def _schedule_page(request: HttpRequest, *, sick_form: SelfSickForm | None = None, status: int = 200) -> HttpResponse:
    own = Employee.objects.filter(user_id=request.user.pk or 0)
    employee = own.only("pk", "first_name", "last_name", "unit_id", "user_id", "start_date", "end_date").first()
    if employee is None:
        return render(request, "rostering/my_schedule.html", {"employee": None}, status=404)
    today = clock.today()
    weeks = _weeks(request)
    last = today + datetime.timedelta(days=7 * weeks - 1)
    shifts = selectors.my_shifts(request.user, today, last)
    free = selectors.takeable_open_shifts(request.user, employee, today, today + datetime.timedelta(OPEN_SHIFT_DAYS))
    names = selectors.client_names(request.user, [(s.client, s.unit_id) for s in [*shifts, *free]])
    journal_units = unit_ids_with(request.user, Perm.JOURNAL_WRITE)
    days: dict[datetime.date, list[ShiftRow]] = {}
    links: dict[int, tuple[str | None, str | None]] = {}
    for shift in shifts:
        seen = shift.client_id in names.seen
        links[shift.pk] = (
            reverse("clients:card", args=[shift.client_id]) if seen else None,
            reverse("care:journal", args=[shift.client_id]) + "#skriv"
            if seen and shift.unit_id in journal_units
            else None,
        )
        for day in placed_days(shift, today, last):
            days.setdefault(day, []).append(shift_row(shift, day, client_name=lambda c: names.labels[c.pk]))
    requested = selectors.my_pending_requests(request.user)
    context = {
        "employee": employee,
        "days": [
            ScheduleDay(d, long_day_label(d), d == today, [(row, *links[row.shift.pk]) for row in rows])
            for d, rows in sorted(days.items())
        ],
        "weeks": weeks,
        "more_weeks": weeks + 2 if weeks + 2 <= MAX_WEEKS else None,
        "last": last,
        "sick_form": sick_form or SelfSickForm(initial={"starts_on": today}),
        "open_rows": [
            OpenShiftRow(
                s,
                rules.format_span(s.starts_at, s.ends_at),
                rules.explain_duration(s.duration),
                names.labels[s.client_id],
                s.pk in requested,
            )
            for s in free
        ],
        "open_shift_days": OPEN_SHIFT_DAYS,
        "auto_assign": services.auto_assigns(employee.unit_id),
    }
    return render(request, "rostering/my_schedule.html", context, status=status)


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    """Mitt schema: the employee's coming shifts (each linking to the client card and journal where they may),
    a form to report oneself sick, and the open shifts the rules let them take, each with "Begär passet"."""
    return _schedule_page(request)


@login_required
@require_POST
def sick_report(request: HttpRequest) -> HttpResponse:
    """Sjukanmäl dig: the absence is registered and the shifts in it become open shifts for the manager."""
    if not Employee.objects.filter(user_id=request.user.pk or 0).exists():
        return _schedule_page(request)
    form = SelfSickForm(request.POST)
    if not form.is_valid():
        return _schedule_page(request, sick_form=form, status=400)
    data = form.cleaned_data
    try:
        _absence, opened = services.sick_self_report(
            actor=request.user, starts_on=data["starts_on"], back_on=data["back_on"], note=data["note"]
        )
    except ValidationError as error:
        show_service_errors(form, error, {"ends_on": "back_on", "kind": NON_FIELD_ERRORS})
        return _schedule_page(request, sick_form=form, status=400)
    freed = f" {antal(len(opened), 'pass')} blev lediga och din chef ser dem nu." if opened else ""
    messages.success(request, f"Du är sjukanmäld från och med {data['starts_on']:%Y-%m-%d}.{freed} Krya på dig!")
    return redirect("rostering:my_schedule")


@login_required
@require_POST
def shift_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Begär passet: the employee asks for an open shift of their unit (assigned at once where the unit allows)."""
    employee = Employee.objects.filter(user_id=request.user.pk or 0).first()
    shift = Shift.objects.filter(pk=pk).select_related("unit").first()
    if employee is None or shift is None or shift.unit_id != employee.unit_id:
        raise Http404("Passet finns inte eller så kan du inte begära det.")
    try:
        made = services.shift_request_create(actor=request.user, shift=shift)
    except ConflictError:
        messages.error(request, "Passet ändrades samtidigt. Se läget nedan.")
        return _schedule_page(request, status=409)
    except ValidationError as error:
        violations, rest = split_rule_violations(error)
        texts = violations + (list(rest.messages) if rest is not None else [])
        messages.error(request, "Du kan inte ta passet: " + " ".join(texts))
        return _schedule_page(request, status=400)
    if made.status == made.Status.APPROVED:
        messages.success(request, "Passet är ditt. Det syns nu bland dina pass.")
    else:
        messages.success(request, "Din begäran är skickad. Din chef godkänner den, och du ser passet i ditt schema då.")
    return redirect("rostering:my_schedule")
