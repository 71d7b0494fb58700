"""Personal data incident pages (personuppgiftsincidenter): the list, registering, the card with the
72-hour clock and the decision whether IMY is notified, correcting. Only for those who hold quality.incident."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.forms import apply_service_errors, edit_versioned, saved_values
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.quality import rules, selectors, services
from bista.quality.forms.incidents import (
    DECIDED,
    INCIDENT_FIELDS,
    OPEN,
    ImyDecisionForm,
    IncidentCreateForm,
    IncidentEditForm,
    IncidentFilterForm,
)
from bista.quality.models import DataIncident

PAGE_SIZE = 50
MOMENTS = ("happened_at", "discovered_at", "ended_at")


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# --- The 72-hour clock --------------------------------------------------------------------------------


def _hours(count: int) -> str:
    return "1 timme" if count == 1 else f"{count} timmar"


def duration_text(seconds: float) -> str:
    """A length of time in whole hours (rounded down), in days and hours from two days on."""
    hours = int(seconds // 3600)
    if hours < 1:
        return "mindre än en timme"
    if hours < 48:
        return _hours(hours)
    days, rest = divmod(hours, 24)
    return f"{days} dygn" + (f" och {_hours(rest)}" if rest else "")


def clock_text(deadline: datetime.datetime, moment: datetime.datetime) -> str:
    """How much time is left at `moment` before `deadline`, or how late it is: "3 timmar kvar",
    "passerad med 5 timmar"."""
    seconds = (deadline - moment).total_seconds()
    if seconds >= 0:
        return f"{duration_text(seconds)} kvar"
    return f"passerad med {duration_text(-seconds)}"


def lateness_text(deadline: datetime.datetime, done_at: datetime.datetime) -> str:
    """Whether something done at `done_at` was in time for `deadline`."""
    if done_at <= deadline:
        return "i tid"
    return f"{duration_text((done_at - deadline).total_seconds())} efter fristen"


@dataclass(frozen=True)
class ImyClock:
    """The 72 hours from discovery to the decision on notifying IMY (GDPR art. 33), in Stockholm time."""

    discovered_at: datetime.datetime
    deadline: datetime.datetime
    decided_at: datetime.datetime | None
    text: str  # time left or how late, or whether the decision came in time
    late: bool

    @property
    def running(self) -> bool:
        return self.decided_at is None


def imy_clock(incident: DataIncident, now: datetime.datetime) -> ImyClock:
    deadline = rules.imy_deadline(incident.discovered_at)
    decided_at = incident.imy_decided_at if incident.imy_decision else None
    if decided_at is None:
        return ImyClock(incident.discovered_at, deadline, None, clock_text(deadline, now), now > deadline)
    return ImyClock(
        incident.discovered_at, deadline, decided_at, lateness_text(deadline, decided_at), decided_at > deadline
    )


# --- List -------------------------------------------------------------------------------------------


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_INCIDENT])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    form = IncidentFilterForm(request.GET or None, units=units)
    incidents = selectors.visible_incidents(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["enhet"]:
            incidents = incidents.filter(unit_id=data["enhet"])
        if data["status"] == OPEN:
            incidents = incidents.filter(imy_decision="")
        elif data["status"] == DECIDED:
            incidents = incidents.exclude(imy_decision="")
    page = Paginator(incidents.order_by("-discovered_at", "-id"), PAGE_SIZE).get_page(request.GET.get("sida"))
    now = clock.now()
    rows = [(incident, imy_clock(incident, now)) for incident in page]
    return render(
        request,
        "quality/incident_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "several_units": len(units) > 1,
        },
    )


# --- Register ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_INCIDENT])
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    form = IncidentCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_register(
                actor=request.user, unit=data["unit"], **{name: data[name] for name in INCIDENT_FIELDS}
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Personuppgiftsincidenten är registrerad. Fristen på 72 timmar har börjat.")
            return redirect("quality:incident_detail", pk=incident.pk)
    return render(request, "quality/incident_form.html", {"form": form, "title": "Registrera personuppgiftsincident"})


# --- Card -------------------------------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, incident: DataIncident, imy_form: ImyDecisionForm | None = None
) -> dict[str, Any]:
    if imy_form is None and not incident.imy_decision:
        imy_form = ImyDecisionForm(initial={"version": incident.version})
    return {
        "incident": incident,
        "clock": imy_clock(incident, clock.now()),
        "imy_form": None if incident.imy_decision else imy_form,
        "notified_text": (
            lateness_text(rules.imy_deadline(incident.discovered_at), incident.imy_notified_at)
            if incident.imy_notified_at
            else ""
        ),
    }


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(request.user, pk)
    return render(request, "quality/incident_detail.html", _detail_context(request, incident))


# --- Correct ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(request.user, pk)
    form = IncidentEditForm(request.POST or None, instance=incident, initial={"version": incident.version})
    saved: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.incident_update(
                actor=request.user,
                incident=incident,
                expected_version=data["version"],
                **{name: data[name] for name in INCIDENT_FIELDS},
            ),
            reload=lambda: selectors.incident_get(request.user, pk),
            rebind=lambda current: {"instance": current},
            compare=_saved_incident_values,
        )
        if edit.done:
            messages.success(request, "Ändringarna är sparade.")
            return redirect("quality:incident_detail", pk=incident.pk)
        form, saved = edit.form, edit.saved
    return render(
        request,
        "quality/incident_form.html",
        {
            "form": form,
            "title": f"Ändra personuppgiftsincident upptäckt {_local(incident.discovered_at)}",
            "incident": incident,
            "saved": saved,
        },
    )


def _saved_incident_values(form: Any, current: DataIncident) -> list[tuple[str, str]]:
    """As `saved_values`, with the saved moments shown in Stockholm time."""
    moments = {str(form.fields[name].label): getattr(current, name) for name in MOMENTS}
    return [
        (label, _local(moments[label]) if moments.get(label) else value)
        for label, value in saved_values(form, current, INCIDENT_FIELDS)
    ]


# --- The IMY decision -------------------------------------------------------------------------------


@login_required
@require_POST
def incident_imy(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(request.user, pk)
    if incident.imy_decision:
        messages.error(request, "Beslutet om anmälan till IMY är redan fattat.")
        return redirect("quality:incident_detail", pk=incident.pk)
    form = ImyDecisionForm(request.POST)
    if form.is_valid():
        edit = edit_versioned(
            request,
            form,
            lambda data: services.incident_decide_imy(
                actor=request.user,
                incident=incident,
                expected_version=data["version"],
                decision=data["imy_decision"],
                reason=data["imy_decision_reason"],
                notified_at=data["imy_notified_at"],
                reference=data["imy_reference"],
            ),
            reload=lambda: selectors.incident_get(request.user, pk),
            hint="Dina uppgifter finns kvar i formuläret.",
        )
        if edit.done:
            messages.success(request, "Beslutet om anmälan till IMY är registrerat.")
            return redirect("quality:incident_detail", pk=incident.pk)
        if edit.conflict:
            incident = edit.current
            if incident.imy_decision:
                messages.error(request, "Någon annan har redan fattat beslutet om anmälan. Ditt beslut sparades inte.")
                return redirect("quality:incident_detail", pk=incident.pk)
        form = edit.form
    return render(request, "quality/incident_detail.html", _detail_context(request, incident, imy_form=form))
