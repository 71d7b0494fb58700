"""Lex Sarah pages (SOSFS 2011:5): the register, the report (anyone, genast), the record with every step, its
deadlines and the next step's form, and the notification to IVO as a DOCX."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.clients.models import AccessLogEntry
from bista.core import clock, docx
from bista.core.access import has_perm, require_any_unit
from bista.core.deadlines import duty_state
from bista.core.duties import load_rule_book
from bista.core.forms import apply_service_errors, edit_versioned
from bista.core.models import AuditEvent, Unit
from bista.core.permissions import Perm
from bista.quality import documents, rules, selectors, services
from bista.quality.duties import Rule
from bista.quality.forms.lex_sarah import (
    STEP_BUTTONS,
    STEP_FORMS,
    STEP_TITLES,
    LexSarahListForm,
    LexSarahReportForm,
    StepForm,
)
from bista.quality.models import LexSarahReport
from bista.quality.views.deviations import (
    PAGE_SIZE,
    Deadline,
    event_form_setup,
    period_bounds,
    quality_nav,
    rename_occurred_error,
)

# --- List --------------------------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.QUALITY_REPORT, Perm.QUALITY_VIEW])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    clients = selectors.clients_in_units(request.user, unit_ids, active_only=False)
    form = LexSarahListForm(request.GET or None, units=units, clients=clients)
    reports = selectors.visible_lex_sarah_reports(request.user)
    if form.is_bound and form.is_valid():
        reports = _filtered(reports, form.cleaned_data)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "quality/lex_sarah_list.html",
        {"form": form, "page": page, "quality_nav": quality_nav(request.user)},
    )


def _filtered(reports: QuerySet[LexSarahReport], data: dict[str, Any]) -> QuerySet[LexSarahReport]:
    if data["enhet"]:
        reports = reports.filter(unit_id=data["enhet"])
    if data["status"] == "open":
        reports = reports.exclude(status=LexSarahReport.Status.CLOSED)
    elif data["status"]:
        reports = reports.filter(status=data["status"])
    if data["bedomning"] == "serious":
        reports = reports.filter(serious=True)
    elif data["bedomning"] == "ivo":
        reports = reports.filter(ivo_notified_on__isnull=False)
    elif data["bedomning"] == "unassessed":
        reports = reports.filter(Q(assessed_at__isnull=True))
    if data["brukare"]:
        reports = reports.filter(client=data["brukare"])
    start, end = period_bounds(data["fran"], data["till"])
    if start is not None:
        reports = reports.filter(reported_at__gte=start)
    if end is not None:
        reports = reports.filter(reported_at__lt=end)
    return reports


# --- Report ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    _, units, clients, initial = event_form_setup(request)
    form = LexSarahReportForm(request.POST or None, initial=initial, units=units, clients=clients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.lex_sarah_report(
                actor=request.user,
                unit=data["unit"],
                client=data["client"],
                occurred_at=form.occurred_at,
                what_happened=data["what_happened"],
            )
        except ValidationError as error:
            rename_occurred_error(error)
            apply_service_errors(form, error)
        else:
            messages.success(
                request, f"Tack! Rapporten enligt lex Sarah är lämnad till enhetschefen. Referensnummer: {report.pk}."
            )
            return redirect("quality:lex_sarah_detail", pk=report.pk)
    return render(
        request,
        "quality/lex_sarah_form.html",
        {"form": form, "title": "Rapportera enligt lex Sarah", "quality_nav": quality_nav(request.user)},
    )


# --- Detail ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    at: datetime.datetime | datetime.date | None
    who: Any

    @property
    def done(self) -> bool:
        return self.at is not None

    @property
    def is_date(self) -> bool:
        return not isinstance(self.at, datetime.datetime)


def _step_actors(report: LexSarahReport) -> dict[str, Any]:
    """Who took each step, from the audit trail (for the steps the record itself has no person for)."""
    events = (
        AuditEvent.objects.filter(
            object_type=LexSarahReport._meta.label_lower, object_id=str(report.pk), action__startswith="lex_sarah."
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    return {event.action.removeprefix("lex_sarah."): event.actor for event in events}


def _steps(report: LexSarahReport) -> list[Step]:
    actors = _step_actors(report)
    steps = [
        Step("reported", "Rapporterad", report.reported_at, report.reported_by or actors.get("report")),
        Step("registered", "Registrerad", report.registered_at, report.registered_by or actors.get("registered")),
        Step("remedied", "Avhjälpt utan dröjsmål", report.remedied_at, actors.get("remedied")),
        Step("investigated", "Utredd", report.investigated_at, report.investigated_by or actors.get("investigated")),
        Step("assessed", "Bedömd", report.assessed_at, report.assessed_by or actors.get("assessed")),
    ]
    if report.serious is not False:
        steps.append(Step("notified", "Anmäld till IVO", report.ivo_notified_on, actors.get("notified")))
    steps.append(Step("closed", "Beslut och avslut", report.closed_at, report.decided_by or actors.get("closed")))
    return steps


def _deadlines(report: LexSarahReport, today: datetime.date) -> list[Deadline]:
    """The deadlines of the report's steps, under the rule versions in force on their anchor dates (the same
    rules as "Att göra")."""
    book = load_rule_book()

    def day(moment: datetime.datetime | None) -> datetime.date | None:
        return clock.local_date(moment) if moment else None

    reported = clock.local_date(report.reported_at)
    steps: list[tuple[str, str, datetime.date, datetime.date | None]] = [
        (Rule.LEX_SARAH_REGISTRATION, "rapporten kom in", reported, day(report.registered_at))
    ]
    if report.registered_at:
        registered = clock.local_date(report.registered_at)
        steps.append((Rule.LEX_SARAH_REMEDY, "registrerad", registered, day(report.remedied_at)))
        steps.append((Rule.LEX_SARAH_INVESTIGATION, "registrerad", registered, day(report.investigated_at)))
    if report.assessed_at and report.serious:
        steps.append((Rule.LEX_SARAH_IVO, "bedömd", clock.local_date(report.assessed_at), report.ivo_notified_on))
    closed = report.status == LexSarahReport.Status.CLOSED
    deadlines = []
    for code, anchor_label, anchor, done in steps:
        rule = book.rule(code, anchor)
        if rule is None:
            continue
        due = rule.due_on(anchor)
        state = None if done is None and closed else duty_state(due, done, today, rule.warn_days)
        deadlines.append(Deadline(rule.name, anchor_label, anchor, due, done, state, rule.legal_reference))
    return deadlines


def _next_steps(report: LexSarahReport) -> tuple[str, ...]:
    return rules.lex_sarah_next_steps(report.status, serious=report.serious)


def _detail_context(
    request: HttpRequest, report: LexSarahReport, *, step: str | None = None, step_form: StepForm | None = None
) -> dict[str, Any]:
    today = clock.today()
    can_manage = has_perm(request.user, Perm.QUALITY_MANAGE, report.unit_id)
    if can_manage and step_form is None:
        following = _next_steps(report)
        if following:
            step = following[0]
            step_form = STEP_FORMS[step](initial=_step_initial(report, step, today))
    return {
        "report": report,
        "client": report.client,
        "steps": _steps(report),
        "deadlines": _deadlines(report, today),
        "can_manage": can_manage,
        "step": step if can_manage else None,
        "step_form": step_form if can_manage else None,
        "step_title": STEP_TITLES.get(step or "", ""),
        "step_button": STEP_BUTTONS.get(step or "", "Spara"),
        "can_notify": can_manage and report.serious is True,
        "quality_nav": quality_nav(request.user),
    }


def _step_initial(report: LexSarahReport, step: str, today: datetime.date) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": report.version}
    if step == "notified":
        initial["ivo_notified_on"] = today
    elif step == "closed":
        initial["decided_on"] = today
    elif step == "investigated":
        initial["investigation_events"] = report.what_happened
    return initial


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.lex_sarah_get(request.user, pk)
    selectors.log_client_read(request.user, report, f"lex Sarah {report.pk}")
    return render(request, "quality/lex_sarah_detail.html", _detail_context(request, report))


def _managed(request: HttpRequest, pk: int) -> LexSarahReport:
    report = selectors.lex_sarah_get(request.user, pk)
    if not has_perm(request.user, Perm.QUALITY_MANAGE, report.unit_id):
        raise PermissionDenied("Behörighet saknas: quality.manage")
    return report


# --- Steps -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    form_class = STEP_FORMS.get(step)
    if form_class is None:
        raise Http404("Steget finns inte.")
    report = _managed(request, pk)
    if request.method == "GET":
        return redirect("quality:lex_sarah_detail", pk=report.pk)
    form = form_class(request.POST)
    if form.is_valid():
        values = form.values()
        edit = edit_versioned(
            request,
            form,
            lambda data: services.lex_sarah_step(
                actor=request.user, report=report, step=step, expected_version=data["version"], **values
            ),
            reload=lambda: selectors.lex_sarah_get(request.user, pk),
            hint="Kontrollera rapporten nedan innan du sparar igen.",
        )
        if edit.done:
            messages.success(request, f"{LexSarahReport.Status(step).label}: steget är registrerat.")
            return redirect("quality:lex_sarah_detail", pk=report.pk)
        form, report = edit.form, edit.current or report
    selectors.log_client_read(request.user, report, f"lex Sarah {report.pk}")
    return render(request, "quality/lex_sarah_detail.html", _detail_context(request, report, step=step, step_form=form))


# --- The notification to IVO -------------------------------------------------------------------------


@login_required
def ivo_notification(request: HttpRequest, pk: int) -> HttpResponse:
    report = _managed(request, pk)
    try:
        document = documents.ivo_notification(report, today=clock.today())
    except documents.NotSerious:
        return render(
            request,
            "quality/lex_sarah_ivo_refused.html",
            {"report": report, "quality_nav": quality_nav(request.user)},
            status=400,
        )
    selectors.log_client_read(
        request.user, report, f"lex Sarah {report.pk}: anmälan till IVO (DOCX)", AccessLogEntry.Action.EXPORT
    )
    return docx.docx_response(document, f"lex-sarah-{report.pk}-anmalan-ivo")
