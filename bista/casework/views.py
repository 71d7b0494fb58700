"""The purchaser's pages: the caseload, registering an intake, the case (intake, investigations, decisions,
orders with the provider's steps), editing an investigation, making a decision and its letter, ordering from
a decision, and reassigning a case. Views parse input, call one service or the selectors, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from bista.casework import forms, letters, reports, rules, selectors, services
from bista.casework.actions import AccessAction
from bista.casework.models import Case, Decision, Investigation
from bista.clients.selectors import visible_clients
from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.csvexport import CsvDownload
from bista.core.errors import ConflictError
from bista.core.format import antal
from bista.core.forms import CONFLICT_HINT, MAX_ID, apply_service_errors, rebound, saved_values
from bista.core.models import Unit
from bista.core.permissions import Perm

PAGE_SIZE = 50


def _int_param(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def _units(request: HttpRequest, *codes: str) -> set[int]:
    units = selectors.casework_units(request.user, *codes)
    if not units:
        raise PermissionDenied("Behörighet saknas.")
    return units


# --- The caseload -----------------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    # The access map gives casework permissions only in purchaser units: a provider's manager is refused.
    require_any_unit(request.user, Perm.CASEWORK_READ)
    unit_ids = selectors.casework_units(request.user)
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))
    today = clock.today()
    officers = [o for unit in units for o in selectors.officers(unit, today)]
    teams = list(selectors.casework_teams(unit_ids))
    form = forms.CaseListForm(request.GET or None, units=units, officers=officers, teams=teams)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "unit_id": data["enhet"],
            "officer_id": data["handlaggare"],
            "team_id": data["grupp"],
            "open_only": not data["avslutade"],
        }
    elif not form.is_bound:
        filters = {"officer_id": request.user.pk} if any(o.pk == request.user.pk for o in officers) else {}
    cases = selectors.case_list(request.user, **filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(
        request,
        "casework/case_list.html",
        {
            "form": form,
            "page": page,
            "mine": filters.get("officer_id") == request.user.pk and not form.is_bound,
            "can_register": bool(selectors.casework_units(request.user, Perm.CASEWORK_MANAGE)),
        },
    )


# --- Intake -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake_create(request: HttpRequest) -> HttpResponse:
    unit_ids = _units(request, Perm.CASEWORK_MANAGE)
    today = clock.today()
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    clients = (
        visible_clients(request.user)
        .filter(is_active=True, unit_links__unit_id__in=unit_ids, unit_links__until__isnull=True)
        .order_by("last_name", "first_name", "id")
    )
    form = forms.IntakeForm(
        request.POST or None,
        initial={"received_on": today, "kind": "application"},
        units=units,
        clients=clients,
        services=selectors.services_in_force(today),
        teams=selectors.casework_teams(unit_ids),
        target_groups=selectors.target_groups_in_force(today),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intake = services.intake_register(
                actor=request.user,
                unit=data["unit"],
                kind=data["kind"],
                sender=data["sender"],
                sender_name=data["sender_name"],
                received_on=data["received_on"],
                channel=data["channel"],
                requested=data["requested"],
                services=data["services"],
                client=data["client"],
                new_client=form.new_client(),
                team=data["team"],
                target_group=data["target_group"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Aktualiseringen är registrerad.")
            return redirect("casework:case_detail", pk=intake.case_id)
    return render(request, "casework/form.html", {"form": form, "title": "Registrera aktualisering"})


# --- The case ---------------------------------------------------------------------------------------


def _case_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    decisions = list(selectors.case_decisions(case))
    weeks = {d.pk: services.appeal_period_amount(d.decision_date) for d in decisions if d.received_on}
    return {
        "case": case,
        "client": case.client,
        "intakes": list(selectors.case_intakes(case)),
        "investigations": list(selectors.case_investigations(case)),
        "decisions": [
            (d, rules.appeal_deadline(d.received_on, weeks[d.pk]) if d.received_on else None) for d in decisions
        ],
        "orders": selectors.case_orders(case),
        "appeals": list(selectors.case_appeals(case)),
        "can_manage": selectors.can_manage(request.user, case),
        "can_decide": selectors.can_decide(request.user, case),
        "can_assign": selectors.can_assign(request.user, case),
        "has_draft": any(i.status == Investigation.Status.DRAFT for i in case.investigations.all()),
        "date_form": forms.DateForm(initial={"on": clock.today()}),
        "target_group_form": forms.TargetGroupForm(
            initial={"target_group": case.target_group_id, "version": case.version},
            target_groups=selectors.target_groups_in_force(clock.today()),
        ),
    }


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    return render(request, "casework/case_detail.html", _case_context(request, case))


def _managed_case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_get(request.user, pk)
    if not selectors.can_manage(request.user, case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    return case


@login_required
@require_POST
def case_target_group(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the case in a målgrupp from the case page (casework.manage); as the page's dated steps, a refusal or a
    conflict shows on the page's form."""
    case = _managed_case(request, pk)
    groups = selectors.target_groups_in_force(clock.today())
    form = forms.TargetGroupForm(request.POST, target_groups=groups)
    if form.is_valid():
        try:
            services.case_target_group_set(
                actor=request.user,
                case=case,
                target_group=form.cleaned_data["target_group"],
                expected_version=form.cleaned_data["version"],
            )
        except ConflictError as error:
            form = rebound(forms.TargetGroupForm, request, Case.objects.get(pk=case.pk).version, target_groups=groups)
            form.add_error(None, f"{error} {CONFLICT_HINT}")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Målgruppen är sparad.")
            return redirect("casework:case_detail", pk=case.pk)
    context = _case_context(request, case)
    context["target_group_form"] = form
    return render(request, "casework/case_detail.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if not selectors.can_assign(request.user, case):
        raise PermissionDenied("Behörighet saknas: casework.assign")
    kwargs = {
        "officers": selectors.officers(case.unit, clock.today()),
        "teams": selectors.casework_teams({case.unit_id}),
    }
    form = forms.AssignForm(
        request.POST or None,
        initial={"officer": case.officer_id, "team": case.team_id, "version": case.version},
        **kwargs,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_assign(
                actor=request.user,
                case=case,
                officer=data["officer"],
                team=data["team"],
                expected_version=data["version"],
            )
        except ConflictError as error:
            form = rebound(forms.AssignForm, request, Case.objects.get(pk=case.pk).version, **kwargs)
            form.add_error(None, f"{error} {CONFLICT_HINT}")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Ärendet är fördelat.")
            return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/form.html", {"form": form, "title": "Fördela ärendet", "case": case})


def _date_step(request: HttpRequest, case: Case, call: Any, success: str) -> HttpResponse:
    """A small dated step posted from the case page: on a refusal the page shows it on the date field."""
    form = forms.DateForm(request.POST)
    if form.is_valid():
        try:
            call(form.cleaned_data["on"])
        except ValidationError as error:
            apply_service_errors(form, ValidationError({"on": [m for ms in error.message_dict.values() for m in ms]}))
        else:
            messages.success(request, success)
            return redirect("casework:case_detail", pk=case.pk)
    context = _case_context(request, case)
    context["date_form"] = form
    return render(request, "casework/case_detail.html", context, status=400)


@login_required
@require_POST
def intake_first_contact(request: HttpRequest, pk: int) -> HttpResponse:
    intake = selectors.intake_get(request.user, pk)
    case = _managed_case(request, intake.case_id)
    return _date_step(
        request,
        case,
        lambda on: services.intake_first_contact(actor=request.user, intake=intake, on=on),
        "Första kontakten är registrerad.",
    )


@login_required
@require_POST
def decision_received(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, pk)
    case = _managed_case(request, decision.case_id)
    return _date_step(
        request,
        case,
        lambda on: services.decision_receipt_record(actor=request.user, decision=decision, received_on=on),
        "Datumet då beslutet togs emot är registrerat.",
    )


@login_required
@require_POST
def appeal_register(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, pk)
    case = _managed_case(request, decision.case_id)
    return _date_step(
        request,
        case,
        lambda on: services.appeal_register(actor=request.user, decision=decision, received_on=on),
        "Överklagandet är registrerat.",
    )


@login_required
@require_POST
def appeal_forward(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(request.user, pk)
    case = _managed_case(request, appeal.decision.case_id)
    return _date_step(
        request,
        case,
        lambda on: services.appeal_forward(actor=request.user, appeal=appeal, on=on),
        "Överklagandet är överlämnat till förvaltningsrätten.",
    )


@login_required
@require_POST
def order_executed(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.case_order_get(request.user, pk)
    case = _managed_case(request, order.case_id)
    return _date_step(
        request,
        case,
        lambda on: services.external_execution_record(actor=request.user, order=order, executed_on=on),
        "Verkställigheten är registrerad.",
    )


# --- Investigation ----------------------------------------------------------------------------------


@login_required
@require_POST
def investigation_start(request: HttpRequest, pk: int) -> HttpResponse:
    case = _managed_case(request, pk)
    try:
        investigation = services.investigation_start(actor=request.user, case=case, intake=case.intakes.first())
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.message_dict.values() for m in ms))
        return redirect("casework:case_detail", pk=case.pk)
    return redirect("casework:investigation_edit", pk=investigation.pk)


def _investigation_context(request: HttpRequest, investigation: Investigation, **forms_: Any) -> dict[str, Any]:
    case = investigation.case
    birth = rules.birth_date(case.client.personnummer)
    return {
        "investigation": investigation,
        "case": case,
        "client": case.client,
        "is_child": rules.is_child_on(birth, clock.today()),
        "sources": list(investigation.sources.all()),
        "can_manage": selectors.can_manage(request.user, case) and investigation.status == Investigation.Status.DRAFT,
        **forms_,
    }


@login_required
@require_http_methods(["GET", "POST"])
def investigation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = selectors.investigation_get(request.user, pk)
    editable = selectors.can_manage(request.user, investigation.case)
    form = forms.InvestigationForm(
        request.POST or None, instance=investigation, initial={"version": investigation.version}
    )
    saved: list[tuple[str, str]] = []
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Behörighet saknas: casework.manage")
        if form.is_valid():
            data = form.cleaned_data
            fields = forms.InvestigationForm.Meta.fields
            try:
                services.investigation_save(
                    actor=request.user,
                    investigation=investigation,
                    expected_version=data["version"],
                    **{name: data[name] for name in fields},
                )
            except ConflictError as error:
                current = Investigation.objects.get(pk=investigation.pk)
                saved = saved_values(form, current, fields)
                form = rebound(forms.InvestigationForm, request, current.version, instance=current)
                form.add_error(None, f"{error} {CONFLICT_HINT}")
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Utredningen är sparad.")
                return redirect("casework:investigation_edit", pk=investigation.pk)
    draft = selectors.investigation_draft(request.user, investigation) if editable and not form.is_bound else None
    if draft is not None:  # what was typed but not saved comes back (autosave)
        form = forms.InvestigationForm(
            instance=investigation, initial={"version": investigation.version, **draft.values}
        )
    _autosaved(form, investigation)
    version = {"version": investigation.version}
    context = _investigation_context(
        request,
        investigation,
        form=form,
        saved=saved,
        draft=draft,
        consent_form=forms.ConsentForm(initial={"consent_on": clock.today()}),
        communication_form=forms.CommunicationForm(initial={"communicated_on": clock.today(), **version}),
        complete_form=forms.CompleteForm(initial={"completed_on": clock.today(), **version}),
    )
    return render(request, "casework/investigation.html", context)


def _autosaved(form: forms.InvestigationForm, investigation: Investigation) -> None:
    """Each field posts the form a second after typing stops (htmx), to the draft view."""
    url = reverse("casework:investigation_draft", args=[investigation.pk])
    for field in form.fields.values():
        field.widget.attrs.update(
            {
                "hx-post": url,
                "hx-trigger": "input changed delay:1s, change",
                "hx-include": "closest form",
                "hx-target": "#utkast-status",
                "hx-select": "#utkast-svar",
                "hx-swap": "innerHTML",
            }
        )


@login_required
@require_POST
def investigation_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Autosave (htmx) and, without JavaScript, "Kasta utkast": the case officer's own unsaved copy."""
    investigation = selectors.investigation_get(request.user, pk)
    if not selectors.can_manage(request.user, investigation.case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    if request.POST.get("action") == "kasta":
        services.investigation_draft_discard(actor=request.user, investigation=investigation)
        messages.success(request, "Utkastet är kastat.")
        return redirect("casework:investigation_edit", pk=investigation.pk)
    try:
        draft = services.investigation_draft_save(
            actor=request.user, investigation=investigation, values=request.POST.dict()
        )
    except ValidationError as error:
        reasons = " ".join(m for ms in error.message_dict.values() for m in ms)
        response = HttpResponse(f"Utkastet kunde inte sparas: {reasons}", content_type="text/plain", status=400)
        response["X-Bista-Draft"] = "refused"
        return response
    response = render(
        request,
        "casework/draft_status.html",
        {"message": f"Utkast sparat {timezone.localtime(draft.updated_at):%H:%M}"},
    )
    response["X-Bista-Draft"] = "saved"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def investigation_versions(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = selectors.investigation_get(request.user, pk)
    return render(
        request,
        "casework/investigation_versions.html",
        {
            "investigation": investigation,
            "case": investigation.case,
            "client": investigation.case.client,
            "versions": selectors.investigation_versions(investigation),
        },
    )


def _investigation_step(request: HttpRequest, pk: int, form_class: Any, name: str, call: Any) -> HttpResponse:
    investigation = selectors.investigation_get(request.user, pk)
    if not selectors.can_manage(request.user, investigation.case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(investigation, form.cleaned_data)
        except ConflictError as error:
            form.add_error(None, f"{error}")
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Sparat.")
            return redirect("casework:investigation_edit", pk=investigation.pk)
    version = {"version": investigation.version}
    context = _investigation_context(
        request,
        investigation,
        form=forms.InvestigationForm(instance=investigation, initial=version),
        consent_form=forms.ConsentForm(),
        communication_form=forms.CommunicationForm(initial=version),
        complete_form=forms.CompleteForm(initial=version),
    )
    context[name] = form
    return render(request, "casework/investigation.html", context, status=400)


@login_required
@require_POST
def investigation_consent(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation_step(
        request,
        pk,
        forms.ConsentForm,
        "consent_form",
        lambda inv, data: services.consent_record(actor=request.user, investigation=inv, **data),
    )


@login_required
@require_POST
def investigation_communicate(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation_step(
        request,
        pk,
        forms.CommunicationForm,
        "communication_form",
        lambda inv, data: services.communication_record(
            actor=request.user,
            investigation=inv,
            communicated_on=data["communicated_on"],
            response=data["response"],
            expected_version=data["version"],
        ),
    )


@login_required
@require_POST
def investigation_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _investigation_step(
        request,
        pk,
        forms.CompleteForm,
        "complete_form",
        lambda inv, data: services.investigation_complete(
            actor=request.user, investigation=inv, completed_on=data["completed_on"], expected_version=data["version"]
        ),
    )


@login_required
@require_POST
def source_contacted(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = selectors.investigation_get(request.user, pk)
    if not selectors.can_manage(request.user, investigation.case):
        raise PermissionDenied("Behörighet saknas: casework.manage")
    source_id = _int_param(request.POST.get("source"))
    source = investigation.sources.filter(pk=source_id).first() if source_id else None
    form = forms.DateForm(request.POST)
    if source is None:
        form.add_error(None, "Välj en källa.")
    elif form.is_valid():
        try:
            services.source_contact_record(actor=request.user, source=source, contacted_on=form.cleaned_data["on"])
        except ValidationError as error:
            apply_service_errors(form, ValidationError({"on": [m for ms in error.message_dict.values() for m in ms]}))
        else:
            messages.success(request, "Kontakten med källan är registrerad.")
            return redirect("casework:investigation_edit", pk=investigation.pk)
    version = {"version": investigation.version}
    context = _investigation_context(
        request,
        investigation,
        form=forms.InvestigationForm(instance=investigation, initial=version),
        consent_form=forms.ConsentForm(),
        communication_form=forms.CommunicationForm(initial=version),
        complete_form=forms.CompleteForm(initial=version),
        contact_form=form,
    )
    return render(request, "casework/investigation.html", context, status=400)


# --- Decisions --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(request.user, pk)
    if not selectors.can_decide(request.user, case):
        raise PermissionDenied("Behörighet saknas: casework.decide")
    today = clock.today()
    form = forms.DecisionForm(
        request.POST or None,
        initial={"decision_date": today, "period_start": today},
        intakes=case.intakes.order_by("-received_on"),
        services=selectors.services_in_force(today),
        decisions=case.decisions.filter(superseded_by__isnull=True).select_related("service"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_make(
                actor=request.user,
                case=case,
                investigation=case.investigations.order_by("-started_on", "-id").first(),
                **{name: data[name] for name in form.fields},
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Beslutet är fattat: {decision.get_outcome_display().lower()}.")
            return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/form.html", {"form": form, "title": "Fatta beslut", "case": case})


def _letter(request: HttpRequest, pk: int) -> tuple[Decision, letters.Letter]:
    decision = selectors.decision_get(request.user, pk, action=AccessAction.DECISION_LETTER)
    weeks = services.appeal_period_amount(decision.decision_date)
    return decision, letters.letter_for(decision, appeal_weeks=weeks)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def decision_docx(request: HttpRequest, pk: int) -> HttpResponse:
    decision, letter = _letter(request, pk)
    return _download(
        letters.letter_docx(letter),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"beslut-{decision.pk}.docx",
    )


@login_required
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    decision, letter = _letter(request, pk)
    return _download(letters.letter_pdf(letter), "application/pdf", f"beslut-{decision.pk}.pdf")


# --- Orders -----------------------------------------------------------------------------------------


@login_required
def order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The order on paper, for a provider outside Bistå (one in Bistå has it as its own order already)."""
    order = selectors.case_order_get(request.user, pk, action=AccessAction.ORDER_SHEET)
    return _download(
        letters.order_pdf(letters.order_sheet_for(order)), "application/pdf", f"bestallning-{order.pk}.pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, pk)
    case = _managed_case(request, decision.case_id)
    form = forms.CaseOrderForm(
        request.POST or None,
        initial={"ordered_on": clock.today()},
        providers=selectors.provider_units(case.unit),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.order_from_decision(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Beställningen är skickad till utföraren.")
            return redirect("casework:case_detail", pk=case.pk)
    return render(
        request,
        "casework/form.html",
        {"form": form, "title": f"Beställ {decision.service.name.lower()}", "case": case},
    )


# --- Ej verkställda beslut ----------------------------------------------------------------------------


def _quarter_form(request: HttpRequest, data: Any) -> tuple[forms.QuarterForm, Unit | None, rules.Quarter | None]:
    """The unit and quarter of a report from the query (default: the first unit, the previous quarter)."""
    units = selectors.report_units(request.user)
    if not units.exists():
        raise PermissionDenied("Behörighet saknas: casework.view_all")
    today = clock.today()
    default_unit, default_quarter = units.first(), rules.Quarter.of(today).previous()
    initial = {"enhet": default_unit, "kvartal": default_quarter.code}
    form = forms.QuarterForm(data or None, units=units, today=today, initial=initial)
    if not form.is_bound:
        return form, default_unit, default_quarter
    if form.is_valid():
        return form, form.cleaned_data["enhet"], form.cleaned_data["kvartal"]
    return form, None, None


def _bad_status(form: forms.QuarterForm) -> int:
    """A bad quarter is a 400; a unit that is not the actor's only shows the form again (as the caseload's
    filters do)."""
    return 400 if "kvartal" in form.errors else 200


@login_required
def ivo_report(request: HttpRequest) -> HttpResponse:
    form, unit, quarter = _quarter_form(request, request.GET)
    if unit is None or quarter is None:
        return render(request, "casework/ivo_report.html", {"form": form}, status=_bad_status(form))
    rows = selectors.ivo_rows(unit, quarter)
    return render(
        request,
        "casework/ivo_report.html",
        {
            "form": form,
            "unit": unit,
            "quarter": quarter,
            "rows": rows,
            "kept": list(selectors.ivo_reports_kept(unit, quarter).select_related("reported_by")),
            "query": f"enhet={unit.pk}&kvartal={quarter.code}",
        },
    )


@login_required
@require_POST
def ivo_report_keep(request: HttpRequest) -> HttpResponse:
    form, unit, quarter = _quarter_form(request, request.POST)
    if unit is None or quarter is None:
        return render(request, "casework/ivo_report.html", {"form": form}, status=400)
    try:
        report = services.ivo_report_keep(actor=request.user, unit=unit, quarter=quarter)
    except ValidationError as error:
        apply_service_errors(form, ValidationError({"kvartal": [m for ms in error.message_dict.values() for m in ms]}))
        return render(request, "casework/ivo_report.html", {"form": form}, status=400)
    messages.success(request, f"Rapporten för {quarter.label} är sparad som version {report.revision}.")
    response = redirect("casework:ivo_report")
    response["Location"] += f"?enhet={unit.pk}&kvartal={quarter.code}"
    return response


EXPORTS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@login_required
def ivo_report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The quarter's report as a file: today's rows, or with `version` a kept revision as it was reported."""
    form, unit, quarter = _quarter_form(request, request.GET)
    if fmt not in EXPORTS:
        raise Http404("Okänt format.")
    if unit is None or quarter is None:
        return render(request, "casework/ivo_report.html", {"form": form}, status=400)
    name = f"ej-verkstallda-{quarter.code}"
    version = request.GET.get("version", "")
    if version:
        if not version.isdecimal() or not 0 < int(version) <= MAX_ID:
            raise Http404("Okänd version.")
        report = selectors.ivo_report_kept(unit, quarter, int(version))
        cells = [reports.kept_row_cells(row) for row in report.rows.all()]
        kept = f"Version {report.revision}, rapporterad till IVO {report.reported_on:%Y-%m-%d}"
        name += f"-version-{report.revision}"
    else:
        cells = [reports.row_cells(row) for row in selectors.ivo_rows(unit, quarter)]
        kept = ""
    if fmt == "csv":
        download = CsvDownload(name, reports.HEADER)
        for row_cells in cells:
            download.row(row_cells)
        download.response["Cache-Control"] = "no-store"
        return download.response
    if fmt == "xlsx":
        content = reports.ivo_xlsx(cells, unit_name=unit.name, quarter=quarter, kept=kept)
    else:
        content = reports.ivo_pdf(cells, unit_name=unit.name, quarter=quarter, kept=kept)
    return _download(content, EXPORTS[fmt], f"{name}.{fmt}")


@login_required
def council_statistics(request: HttpRequest) -> HttpResponse:
    form, unit, quarter = _quarter_form(request, request.GET)
    if unit is None or quarter is None:
        return render(request, "casework/statistics.html", {"form": form}, status=_bad_status(form))
    rows = selectors.council_statistics(unit, quarter)
    if request.GET.get("format") == "pdf":
        return _download(
            reports.statistics_pdf(rows, unit_name=unit.name, quarter=quarter),
            "application/pdf",
            f"statistik-{quarter.code}.pdf",
        )
    return render(
        request,
        "casework/statistics.html",
        {
            "form": form,
            "unit": unit,
            "quarter": quarter,
            "rows": rows,
            "query": f"enhet={unit.pk}&kvartal={quarter.code}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_delay(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(request.user, pk)
    case = _managed_case(request, decision.case_id)
    form = forms.DelayForm(request.POST or None, initial={"recorded_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.delay_record(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Skälet till dröjsmålet är sparat.")
            return redirect("casework:case_detail", pk=case.pk)
    status = 400 if form.is_bound else 200
    title = f"Skäl till dröjsmål: {decision.service.name.lower()}"
    return render(request, "casework/form.html", {"form": form, "title": title, "case": case}, status=status)


# --- Follow-up and ending a decision ---------------------------------------------------------------------


def _decision_form(request: HttpRequest, pk: int, form_class: Any, title: str, call: Any, done: str) -> HttpResponse:
    decision = selectors.decision_get(request.user, pk)
    case = _managed_case(request, decision.case_id)
    form = form_class(request.POST or None, initial={"on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            call(decision, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("casework:case_detail", pk=case.pk)
    status = 400 if form.is_bound else 200
    title = f"{title}: {decision.service.name.lower()} ({decision.decision_date:%Y-%m-%d})"
    return render(request, "casework/form.html", {"form": form, "title": title, "case": case}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_form(
        request,
        pk,
        forms.FollowUpForm,
        "Följ upp beslut",
        lambda decision, data: services.follow_up_record(actor=request.user, decision=decision, **data),
        "Uppföljningen är registrerad.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _decision_form(
        request,
        pk,
        forms.DecisionEndForm,
        "Avsluta beslut",
        lambda decision, data: services.decision_end(actor=request.user, decision=decision, **data),
        "Beslutet har upphört; utförarens beställning är avslutad.",
    )


# --- Reconsideration and judgment on an appeal ----------------------------------------------------------

NEW_DECISION_FIELDS = {
    "outcome": "new_outcome",
    "scope_amount": "scope_amount",
    "scope_unit": "scope_unit",
    "period_start": "period_start",
    "period_end": "period_end",
    "reasons": "reasons",
    "decision_date": "on",
    "decided_by": "new_outcome",
    "service": "new_outcome",
    "supersedes": "new_outcome",
}


def _appeal_form(request: HttpRequest, pk: int, form_class: Any, title: str, call: Any, done: str) -> HttpResponse:
    appeal = selectors.appeal_get(request.user, pk)
    case = _managed_case(request, appeal.decision.case_id)
    form = form_class(request.POST or None, initial={"on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            call(appeal, form.cleaned_data, form.new_decision())
        except ValidationError as error:
            # The new decision's errors name its fields as the form does.
            renamed: dict[str, list[str]] = {}
            for field, messages_ in error.message_dict.items():
                target = field if field in form.fields else NEW_DECISION_FIELDS.get(field, "new_outcome")
                renamed.setdefault(target, []).extend(messages_)
            apply_service_errors(form, ValidationError(renamed))
        else:
            messages.success(request, done)
            return redirect("casework:case_detail", pk=case.pk)
    status = 400 if form.is_bound else 200
    title = f"{title}: {appeal.decision.service.name.lower()} ({appeal.decision.decision_date:%Y-%m-%d})"
    return render(request, "casework/form.html", {"form": form, "title": title, "case": case}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_reconsider(request: HttpRequest, pk: int) -> HttpResponse:
    return _appeal_form(
        request,
        pk,
        forms.ReconsiderationForm,
        "Omprövning",
        lambda appeal, data, new: services.appeal_reconsider_with_decision(
            actor=request.user, appeal=appeal, outcome=data["outcome"], on=data["on"], new_decision=new
        ),
        "Omprövningen är registrerad.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_judgment(request: HttpRequest, pk: int) -> HttpResponse:
    return _appeal_form(
        request,
        pk,
        forms.JudgmentForm,
        "Dom",
        lambda appeal, data, new: services.appeal_judgment_with_decision(
            actor=request.user,
            appeal=appeal,
            judgment=data["judgment"],
            on=data["on"],
            further_appeal_on=data["further_appeal_on"],
            new_decision=new,
        ),
        "Domen är registrerad.",
    )


# --- Caseload per case officer and reassigning -------------------------------------------------------------


def _assign_unit(request: HttpRequest, value: str | None) -> Unit:
    units = selectors.assign_units(request.user)
    if not units.exists():
        raise PermissionDenied("Behörighet saknas: casework.assign")
    unit_id = _int_param(value)
    # A unit that is not the actor's is ignored, as the caseload's filters ignore it: their first unit shows.
    unit = (units.filter(pk=unit_id).first() if unit_id else None) or units.first()
    assert unit is not None
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def caseload(request: HttpRequest) -> HttpResponse:
    unit = _assign_unit(request, request.POST.get("enhet") if request.method == "POST" else request.GET.get("enhet"))
    people = selectors.officers(unit, clock.today())
    form = forms.ReassignForm(request.POST or None, officers=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.cases_reassign(
                actor=request.user,
                unit=unit,
                from_officer=data["from_officer"],
                to_officer=data["to_officer"],
                case_ids=data["cases"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{antal(moved, 'ärende,ärenden')} är flyttade.")
            response = redirect("casework:caseload")
            response["Location"] += f"?enhet={unit.pk}"
            return response
    return render(
        request,
        "casework/caseload.html",
        {
            "unit": unit,
            "units": selectors.assign_units(request.user),
            "rows": selectors.caseload(request.user, unit),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )
