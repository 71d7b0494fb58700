"""Roster jobs: start an optimisation (period, weights, time limit), follow its progress, stop it, then
review the proposal (statistics, uncovered needs, the proposed shifts per team and week) and publish or
discard it.

The job page refreshes itself every 2 seconds while the job runs: with a meta refresh inside <noscript>
when JavaScript is off, and by htmx polling a status fragment when it is on (the fragment asks for a full
reload when the job is finished, so the proposal appears).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.clients.models import Client
from bista.core import clock
from bista.core.errors import ConflictError
from bista.core.models import Team, Unit
from bista.rostering import extensions, rules, selectors, services
from bista.rostering.forms import WEIGHT_TEXTS, RosterFilterForm, RosterJobForm, VersionForm
from bista.rostering.models import RosterJob
from bista.rostering.views.common import (
    build_weeks,
    manage_link,
    manage_unit_ids,
    monday_of,
    navigation,
    section,
)
from bista.rostering.views.shifts import show_service_errors, split_rule_violations

POLL_SECONDS = 2
JOB_FIELD_MAP = {"period_end": "weeks", "weights": NON_FIELD_ERRORS}
RECENT_JOBS = 20


def _manage_units(request: HttpRequest) -> list[Unit]:
    unit_ids = manage_unit_ids(request.user)
    if not unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.manage")
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))


def _next_monday(today: datetime.date) -> datetime.date:
    return monday_of(today) + datetime.timedelta(days=7)


@login_required
@require_http_methods(["GET", "POST"])
def jobs(request: HttpRequest) -> HttpResponse:
    """The start form and the recent jobs of the user's units."""
    units = _manage_units(request)
    initial = {"period_start": _next_monday(clock.today()), "weeks": 4, "unit": units[0].pk}
    form = RosterJobForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.pk == data["unit"])
        start = data["period_start"]
        try:
            job = services.roster_job_start(
                actor=request.user,
                unit=unit,
                period_start=start,
                period_end=start + datetime.timedelta(days=7 * data["weeks"] - 1),
                weights=form.weights(),
                time_limit_seconds=data["time_limit_seconds"],
            )
        except ValidationError as error:
            show_service_errors(form, error, JOB_FIELD_MAP)
        else:
            messages.success(request, "Schemaoptimeringen är startad.")
            return redirect("rostering:job", pk=job.pk)
    recent = [(unit, list(selectors.roster_jobs(request.user, unit)[:RECENT_JOBS])) for unit in units]
    context = {
        "form": form,
        "recent": recent,
        "several_units": len(units) > 1,
        "section": section(request.user),
        "current": "jobs",
    }
    return render(request, "rostering/jobs.html", context)


# --- One job --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UncoveredRow:
    client: str
    span: str
    missing: int
    reason: str


# The solver's own status words, as the job page says them.
SOLVER_STATUS = {
    "optimal": "bevisat bästa möjliga schema",
    "feasible": "ett schema som håller reglerna, inte bevisat bästa möjliga",
    "stopped": "stoppad i förtid, bästa schemat hittills sparat",
    "infeasible": "inget schema håller reglerna",
}


def _gap(job: RosterJob) -> float | None:
    """How far the best roster may be from the best possible, in per cent of the objective."""
    if job.objective is None or job.best_bound is None or not job.objective:
        return None
    return round(100 * abs(job.objective - job.best_bound) / abs(job.objective), 1)


def _uncovered_rows(uncovered: list[dict[str, Any]], names: dict[int, str]) -> list[UncoveredRow]:
    rows = []
    for item in uncovered:
        try:
            span = rules.format_span(
                datetime.datetime.fromisoformat(item["starts_at"]), datetime.datetime.fromisoformat(item["ends_at"])
            )
        except (KeyError, TypeError, ValueError):
            span = "–"
        client_id = item.get("client_id")
        rows.append(
            UncoveredRow(
                client=names.get(client_id, f"Brukare {client_id}") if isinstance(client_id, int) else "–",
                span=span,
                missing=int(item.get("missing") or 1),
                reason=str(item.get("reason") or ""),
            )
        )
    return rows


def _weights(job: RosterJob) -> list[tuple[str, Any]]:
    return [(label, job.weights.get(name, "–")) for name, (label, _) in WEIGHT_TEXTS.items()]


def _job_context(request: HttpRequest, job: RosterJob) -> dict[str, Any]:
    can_manage = selectors.can_manage_roster(request.user, job.unit_id)
    return {
        "job": job,
        "running": not job.is_finished,
        "gap": _gap(job),
        "can_manage": can_manage,
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    job = selectors.roster_job(request.user, pk)
    context = _job_context(request, job)
    context.update(
        {
            "weights": _weights(job),
            "section": section(request.user),
            "current": "jobs",
            "stats": None,
            "uncovered": None,
        }
    )
    if job.status in (RosterJob.Status.DONE, RosterJob.Status.STOPPED, RosterJob.Status.PUBLISHED):
        context.update(_proposal_context(request, job, can_manage=context["can_manage"]))
    elif job.status == RosterJob.Status.FAILED:
        context["uncovered"] = _uncovered_rows(list(job.uncovered), {})
    return render(request, "rostering/job.html", context)


def _proposal_context(request: HttpRequest, job: RosterJob, *, can_manage: bool) -> dict[str, Any]:
    proposal = selectors.job_proposal(request.user, job)
    stats = proposal.statistics
    # Every client the proposal names (shifts, uncovered needs, statistics), named as the reader may see them;
    # the statistics' own stored names are never shown.
    mentioned = {item.get("client_id") for item in [*proposal.uncovered, *stats.get("clients", [])]}
    others = Client.objects.filter(pk__in=[i for i in mentioned if isinstance(i, int)])
    clients = [*(shift.client for shift in proposal.shifts), *others]
    names = selectors.client_labels(request.user, ((c, job.unit_id) for c in clients), log=f"schemaförslag {job.pk}")
    teams = list(Team.objects.filter(unit_id=job.unit_id, is_active=True).order_by("name"))
    form = RosterFilterForm(request.GET or None, teams=teams, row_choice=False)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # Unless asked for another, the first team with proposed shifts.
    proposed = set(Team.objects.filter(unit_id=job.unit_id, clients__in=names.keys()).values_list("pk", flat=True))
    default = next((t for t in teams if t.pk in proposed), teams[0] if teams else None)
    team = next((t for t in teams if t.pk == data.get("arbetsgrupp")), default)
    day = data.get("datum") or job.period_start
    day = min(max(day, job.period_start), job.period_end)
    monday = monday_of(day)
    weeks_asked = data.get("veckor") or 1
    weeks = []
    if team is not None:
        in_team = set(Client.objects.filter(teams=team).values_list("pk", flat=True))
        shown = [s for s in proposal.shifts if s.client_id in in_team]
        editable = manage_link(lambda shift: can_manage)
        weeks = build_weeks(
            shown,
            monday,
            weeks_asked,
            today=clock.today(),
            rows=[],
            row_of=lambda s: (
                (s.employee_id, f"{s.employee.last_name}, {s.employee.first_name}", None)
                if s.employee is not None
                else ("open", "Öppna pass", None)
            ),
            client_name=lambda c: names[c.pk],
            link=editable,
        )
        for week in weeks:
            week.rows.sort(key=lambda row: (row.key == "open", row.label))
    client_rows = [{**row, "name": names.get(row.get("client_id"), "–")} for row in stats.get("clients", [])]
    # The proposal's cost and revenue come from economy, registered there (money only for economy.manage).
    figures = extensions.proposal_figures(request.user, job.unit_id, proposal.shifts)
    return {
        "stats": stats,
        "economy": figures.get("economy"),
        "solver": stats.get("solver", {}),
        "solver_status": SOLVER_STATUS.get(stats.get("solver", {}).get("status", ""), "–"),
        "hourly_reasons": stats.get("hourly_paid_reasons", []),
        "employee_rows": stats.get("employees", []),
        "client_rows": client_rows,
        "uncovered": _uncovered_rows(proposal.uncovered, names),
        "shift_count": len(proposal.shifts),
        "team": team,
        "form": form,
        "weeks": weeks,
        "navigation": navigation(request, monday, weeks_asked, clock.today()),
        "row_heading": "Medarbetare",
        "version_form": VersionForm(initial={"version": job.version}),
        "can_publish": can_manage and job.status in (RosterJob.Status.DONE, RosterJob.Status.STOPPED),
    }


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls; when the job is finished it asks htmx to reload the whole page."""
    job = selectors.roster_job(request.user, pk)
    response = render(request, "rostering/_job_status.html", _job_context(request, job))
    if job.is_finished and getattr(request, "htmx", False):
        response["HX-Refresh"] = "true"
    return response


def _managed_job(request: HttpRequest, pk: int) -> RosterJob:
    job = selectors.roster_job(request.user, pk)
    if not selectors.can_manage_roster(request.user, job.unit_id):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    return job


def _error_text(error: ValidationError) -> str:
    violations, rest = split_rule_violations(error)
    texts = violations + (list(rest.messages) if rest is not None else [])
    return " ".join(texts)


@login_required
@require_POST
def job_stop(request: HttpRequest, pk: int) -> HttpResponse:
    job = _managed_job(request, pk)
    try:
        services.roster_job_stop(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Optimeringen stoppas. Det bästa schemat som hittats sparas.")
    return redirect("rostering:job", pk=job.pk)


@login_required
@require_POST
def job_publish(request: HttpRequest, pk: int) -> HttpResponse:
    job = _managed_job(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Förslaget kunde inte publiceras: ladda om sidan och försök igen.")
        return redirect("rostering:job", pk=job.pk)
    try:
        count = services.roster_job_publish(actor=request.user, job=job, version=form.cleaned_data["version"])
    except ConflictError:
        messages.error(request, "Förslaget har ändrats sedan sidan visades. Granska det igen innan du publicerar.")
    except ValidationError as error:
        messages.error(request, f"Förslaget kunde inte publiceras. {_error_text(error)}")
    else:
        messages.success(request, f"Schemat är publicerat: {count} pass.")
    return redirect("rostering:job", pk=job.pk)


@login_required
@require_POST
def job_discard(request: HttpRequest, pk: int) -> HttpResponse:
    job = _managed_job(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Förslaget kunde inte förkastas: ladda om sidan och försök igen.")
        return redirect("rostering:job", pk=job.pk)
    try:
        services.roster_job_discard(actor=request.user, job=job, version=form.cleaned_data["version"])
    except ConflictError:
        messages.error(request, "Förslaget har ändrats sedan sidan visades. Granska det igen.")
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "Förslaget är förkastat. Dess pass är inställda.")
    return redirect("rostering:job", pk=job.pk)
