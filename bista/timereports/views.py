"""Pages of worked time.

For the person who worked ("Min tid", reached from Mitt schema): the month's shifts, each confirmed in one
tap ("Bekräfta som planerat") or through a small form when the time differed; unplanned time; a change of a
confirmed time until the month is attested. For the manager ("Attest"): the unit's month per person, one
person's month with every revision, and the attestation.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.clients.models import Client
from bista.core import clock
from bista.core.errors import ConflictError
from bista.core.forms import CONFLICT_HINT
from bista.core.models import Unit
from bista.rostering.loaders import initials
from bista.staff.models import Employee
from bista.timereports import rules, selectors, services
from bista.timereports.forms import (
    FIELD_MAP,
    AttestForm,
    CorrectionForm,
    MonthReopenForm,
    ProviderForm,
    ReviseForm,
    SentForm,
    TimesForm,
    UnplannedForm,
    times_initial,
)

MONTH_PARAM = "manad"


def _month(request: HttpRequest) -> datetime.date:
    return rules.parse_month(request.GET.get(MONTH_PARAM, "")) or rules.first_of_month(clock.today())


def _month_nav(month: datetime.date) -> dict[str, str]:
    return {
        "month_text": f"{rules.MONTH_NAMES[month.month - 1]} {month.year}",
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{rules.previous_month(month):%Y-%m}",
        "next_month": f"{rules.next_month(month):%Y-%m}",
    }


def _show_errors(form: Any, error: ValidationError) -> None:
    """A service's field errors onto the form's fields (the time fields for starts_at/ends_at)."""
    for field, messages_ in error.message_dict.items():
        target = FIELD_MAP.get(field, field)
        target = target if target in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def _my_time_url(month: datetime.date) -> str:
    return f"{reverse('timereports:my_time')}?{MONTH_PARAM}={month:%Y-%m}"


def _person_url(employee: Employee, month: datetime.date) -> str:
    return f"{reverse('timereports:person', args=[employee.pk])}?{MONTH_PARAM}={month:%Y-%m}"


def _back(request: HttpRequest, employee: Employee, month: datetime.date) -> str:
    """Back to Min tid for the person themself, to the person's month for the manager."""
    if employee.user_id == request.user.pk:
        return _my_time_url(month)
    return _person_url(employee, month)


# --- Min tid -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_time(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    person = selectors.my_month(request.user, month)
    if person is None:
        return render(request, "timereports/my_time.html", {"person": None}, status=404)
    attested = services.is_attested(person.employee, month)
    context = {"person": person, "attested": attested, **_month_nav(month)}
    return render(request, "timereports/my_time.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap: the shift's time as planned."""
    shift = selectors.own_shift(request.user, pk)
    assert shift.employee is not None
    month = rules.month_of(shift.starts_at)
    try:
        services.worked_time_confirm(actor=request.user, shift=shift)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Passet {rules.local_span(shift.starts_at, shift.ends_at)} är bekräftat.")
    return redirect(_back(request, shift.employee, month))


def _client_label(actor: Any, client: Client, employee: Employee) -> str:
    """The client as the reader may see them; a manager reading someone else's time is logged (the person
    reading their own shift is not, as on Mitt schema)."""
    from bista.rostering import selectors as rostering_selectors

    log = "" if employee.user_id == getattr(actor, "pk", None) else f"arbetad tid för {employee.full_name}"
    return rostering_selectors.client_labels(actor, [(client, employee.unit_id)], log=log).get(client.pk, "")


@login_required
@require_http_methods(["GET", "POST"])
def adjust(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a shift with other times than planned (a reason required), or the active time inside jour."""
    shift = selectors.own_shift(request.user, pk)
    assert shift.employee is not None
    month = rules.month_of(shift.starts_at)
    form = TimesForm(request.POST or None, initial=times_initial(shift.starts_at, shift.ends_at))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.worked_time_confirm(
                actor=request.user,
                shift=shift,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                active_minutes=data["active_minutes"],
                waiting_minutes=data["waiting_minutes"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Tiden är bekräftad.")
            return redirect(_back(request, shift.employee, month))
    context = {
        "form": form,
        "shift": shift,
        "planned": rules.local_span(shift.starts_at, shift.ends_at),
        "client_label": _client_label(request.user, shift.client, shift.employee),
        "back": _back(request, shift.employee, month),
    }
    return render(request, "timereports/adjust.html", context, status=400 if form.errors else 200)


def _unit_clients(employee: Employee) -> QuerySet[Client]:
    return (
        Client.objects.filter(is_active=True, unit_links__unit_id=employee.unit_id, unit_links__until__isnull=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def unplanned(request: HttpRequest) -> HttpResponse:
    """Time the person worked without a shift (stayed on, was called in)."""
    employee = selectors.own_employee(request.user)
    if employee is None:
        raise Http404("Ditt konto är inte kopplat till någon medarbetare.")
    clients = _unit_clients(employee)
    labels = _labels(request.user, list(clients), employee)
    form = UnplannedForm(request.POST or None, clients=clients, client_label=lambda c: labels.get(c.pk, ""))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            worked = services.worked_time_add_unplanned(
                actor=request.user,
                employee=employee,
                client=data["client"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                active_minutes=data["active_minutes"],
                waiting_minutes=data["waiting_minutes"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Den oplanerade tiden är registrerad.")
            return redirect(_my_time_url(rules.month_of(worked.starts_at)))
    context = {"form": form, "back": _my_time_url(_month(request))}
    return render(request, "timereports/unplanned.html", context, status=400 if form.errors else 200)


def _labels(actor: Any, clients: list[Client], employee: Employee) -> dict[int, str]:
    """Client id → the name the person may see (in full through their teams, else initials)."""
    from bista.rostering import selectors as rostering_selectors

    names = rostering_selectors.client_labels(actor, [(c, employee.unit_id) for c in clients]) if clients else {}
    return {c.pk: names.get(c.pk, initials(c.first_name, c.last_name)) for c in clients}


@login_required
@require_http_methods(["GET", "POST"])
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version of a confirmed time, with the reason."""
    worked = selectors.worked_time_get(request.user, pk)
    month = rules.month_of(worked.starts_at)
    initial = {
        **times_initial(worked.starts_at, worked.ends_at),
        "active_minutes": worked.active_minutes or None,
        "waiting_minutes": worked.waiting_minutes or None,
        "revision": worked.revision,
    }
    form = ReviseForm(request.POST or None, initial=initial)
    form.fields["reason"].required = True
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.worked_time_revise(
                actor=request.user,
                worked_time=worked,
                revision=data["revision"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                active_minutes=data["active_minutes"],
                waiting_minutes=data["waiting_minutes"],
                reason=data["reason"],
            )
        except ConflictError:
            conflict = True
            form.add_error(None, f"Tiden har ändrats av någon annan under tiden. {CONFLICT_HINT}")
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, "Tiden är ändrad. Den tidigare versionen finns kvar.")
            return redirect(_back(request, worked.employee, month))
    context = {
        "form": form,
        "worked": worked,
        "current": rules.local_span(worked.starts_at, worked.ends_at),
        "client_label": _client_label(request.user, worked.client, worked.employee),
        "back": _back(request, worked.employee, month),
        "conflict": conflict,
    }
    return render(request, "timereports/revise.html", context, status=400 if form.errors else 200)


# --- Attest ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def unit_month(request: HttpRequest) -> HttpResponse:
    """The manager's month: per person, shifts, confirmed, unconfirmed, hours and attestation."""
    units = selectors.visible_attest_units(request.user)
    if not units:
        raise PermissionDenied("Behörighet saknas: time.attest")
    wanted = request.GET.get("enhet", "")
    unit: Unit = next((u for u in units if str(u.pk) == wanted), units[0])
    month = _month(request)
    people = selectors.unit_month(request.user, unit, month)
    context = {
        "units": units,
        "unit": unit,
        "people": people,
        "unconfirmed": sum(p.unconfirmed for p in people),
        **_month_nav(month),
    }
    return render(request, "timereports/unit_month.html", context)


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    employee = selectors.employee_for_attest(request.user, pk)
    month = _month(request)
    person_month = selectors.person_month(request.user, employee, month)
    context = {
        "person": person_month,
        "attest_form": AttestForm(initial={"month": f"{month:%Y-%m}"}),
        "month_ended": rules.month_window(month)[1] <= clock.now(),
        **_month_nav(month),
    }
    return render(request, "timereports/person.html", context)


def _month_action(
    request: HttpRequest,
    action: Callable[[datetime.date], object],
    success: Callable[[datetime.date], str],
    back: Callable[[datetime.date], str],
) -> HttpResponse:
    """A POST naming a month (attest it, lock it): run the service, show its refusals or the success, go back."""
    form = AttestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Ange månaden som ÅÅÅÅ-MM.")
        return redirect(back(rules.first_of_month(clock.today())))
    month = form.cleaned_data["month"]
    try:
        action(month)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success(month))
    return redirect(back(month))


@login_required
@require_POST
def attest(request: HttpRequest, pk: int) -> HttpResponse:
    employee = selectors.employee_for_attest(request.user, pk)
    return _month_action(
        request,
        lambda month: services.attestation_create(actor=request.user, employee=employee, month=month),
        lambda month: f"{employee.full_name}s tid för {month:%Y-%m} är attesterad.",
        lambda month: _person_url(employee, month),
    )


# --- Month close -------------------------------------------------------------------------------------------


def _close_url(unit: Unit, month: datetime.date) -> str:
    return f"{reverse('timereports:month_close')}?enhet={unit.pk}&{MONTH_PARAM}={month:%Y-%m}"


def _attest_unit(request: HttpRequest, pk: int | str) -> Unit:
    unit = next((u for u in selectors.visible_attest_units(request.user) if str(u.pk) == str(pk)), None)
    if unit is None:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    return unit


@login_required
@require_GET
def month_close(request: HttpRequest) -> HttpResponse:
    """The month close: the checklist with a link to where each finding is fixed, then lock (or reopen)."""
    units = selectors.visible_attest_units(request.user)
    if not units:
        raise PermissionDenied("Behörighet saknas: time.attest")
    wanted = request.GET.get("enhet", "")
    unit: Unit = next((u for u in units if str(u.pk) == wanted), units[0])
    month = _month(request)
    checklist = selectors.month_checklist(request.user, unit, month)
    locked, events = selectors.month_close_state(unit, month)
    context = {
        "units": units,
        "unit": unit,
        "checklist": checklist,
        "locked": locked,
        "events": events,
        "month_ended": rules.month_window(month)[1] <= clock.now(),
        "reopen_form": MonthReopenForm(initial={"month": f"{month:%Y-%m}"}),
        **_month_nav(month),
    }
    return render(request, "timereports/month_close.html", context)


@login_required
@require_POST
def month_lock(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _attest_unit(request, unit_pk)
    return _month_action(
        request,
        lambda month: services.month_lock(actor=request.user, unit=unit, month=month),
        lambda month: f"{month:%Y-%m} är stängd för {unit.name}.",
        lambda month: _close_url(unit, month),
    )


@login_required
@require_POST
def month_reopen(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _attest_unit(request, unit_pk)
    form = MonthReopenForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            services.month_reopen(actor=request.user, unit=unit, month=month, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{month:%Y-%m} är öppnad för rättelse.")
        return redirect(_close_url(unit, month))
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
    month = form.cleaned_data.get("month") or rules.first_of_month(clock.today())
    return redirect(_close_url(unit, month))


# --- Försäkringskassan's time reports -----------------------------------------------------------------------


def _fk_url(unit: Unit, month: datetime.date) -> str:
    return f"{reverse('timereports:fk_reports')}?enhet={unit.pk}&{MONTH_PARAM}={month:%Y-%m}"


def _report_url(report: Any) -> str:
    return reverse("timereports:fk_report", args=[report.pk])


def _provider_initial(provider: Any) -> dict[str, str]:
    if provider is None:
        return {}
    return {field: getattr(provider, field) for field in services.PROVIDER_AUDITED}


@login_required
@require_GET
def fk_reports(request: HttpRequest) -> HttpResponse:
    """The unit's FK time reports of a month: the reconciliation per client, the reports, producing them."""
    units = selectors.visible_attest_units(request.user)
    if not units:
        raise PermissionDenied("Behörighet saknas: time.attest")
    wanted = request.GET.get("enhet", "")
    unit: Unit = next((u for u in units if str(u.pk) == wanted), units[0])
    month = _month(request)
    fk = selectors.fk_month(request.user, unit, month)
    context = {
        "units": units,
        "unit": unit,
        "fk": fk,
        "provider_form": ProviderForm(initial=_provider_initial(fk.provider)),
        "month_started": rules.month_window(month)[0] <= clock.now(),
        **_month_nav(month),
    }
    return render(request, "timereports/fk_reports.html", context)


@login_required
@require_POST
def fk_produce(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _attest_unit(request, unit_pk)
    return _month_action(
        request,
        lambda month: services.fk_reports_produce(actor=request.user, unit=unit, month=month),
        lambda month: f"Tidredovisningarna för {month:%Y-%m} är framtagna.",
        lambda month: _fk_url(unit, month),
    )


@login_required
@require_POST
def fk_provider(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """The provider details the reports carry; errors shown as messages on the reports' page."""
    unit = _attest_unit(request, unit_pk)
    month = rules.parse_month(request.POST.get("month", "")) or rules.first_of_month(clock.today())
    form = ProviderForm(request.POST)
    if form.is_valid():
        try:
            services.provider_details_set(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "Anordnaruppgifterna är sparade.")
    else:
        for field, problems in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for problem in problems:
                messages.error(request, f"{label}: {problem}" if label else str(problem))
    return redirect(_fk_url(unit, month))


@login_required
@require_GET
def fk_report(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.fk_report_get(request.user, pk)
    context = {
        "report": report,
        "history": selectors.fk_report_history(report),
        "sent_form": SentForm(initial={"sent_on": clock.today()}),
        "correction_form": CorrectionForm(),
        "back": _fk_url(report.unit, report.month),
        **services.print_context(report),
    }
    return render(request, "timereports/fk_report.html", context)


def _report_action(request: HttpRequest, pk: int, action: Callable[[Any], Any], success: str) -> HttpResponse:
    report = selectors.fk_report_get(request.user, pk, log=False)
    try:
        result = action(report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_report_url(report))
    messages.success(request, success)
    return redirect(_report_url(result))


@login_required
@require_POST
def fk_report_attest(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_action(
        request, pk, lambda report: services.fk_report_attest(actor=request.user, report=report), "Attesterad."
    )


@login_required
@require_POST
def fk_report_sent(request: HttpRequest, pk: int) -> HttpResponse:
    form = SentForm(request.POST)
    if not form.is_valid():
        report = selectors.fk_report_get(request.user, pk, log=False)
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, f"Skickad datum: {problem}")
        return redirect(_report_url(report))
    sent_on = form.cleaned_data["sent_on"]
    return _report_action(
        request,
        pk,
        lambda report: services.fk_report_mark_sent(actor=request.user, report=report, sent_on=sent_on),
        "Markerad som skickad.",
    )


@login_required
@require_POST
def fk_report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        report = selectors.fk_report_get(request.user, pk, log=False)
        messages.error(request, "Ange varför tidredovisningen rättas.")
        return redirect(_report_url(report))
    reason = form.cleaned_data["reason"]
    return _report_action(
        request,
        pk,
        lambda report: services.fk_report_correct(actor=request.user, report=report, reason=reason),
        "En rättad tidredovisning är framtagen som utkast; den tidigare finns kvar.",
    )


def _download(request: HttpRequest, pk: int, format: str) -> HttpResponse:
    report = selectors.fk_report_get(request.user, pk, log=False)
    data = services.fk_report_export(actor=request.user, report=report, format=format)
    content_type = "application/xml" if format == "xml" else "application/pdf"
    response = HttpResponse(data, content_type=content_type)
    name = f"tidredovisning-{report.month:%Y-%m}-{report.pk}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def fk_report_xml(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "xml")


@login_required
@require_GET
def fk_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, "pdf")
