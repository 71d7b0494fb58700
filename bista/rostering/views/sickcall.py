"""The sick call a manager clears in one pass: every shift the sick leave opened on one page, each with its
ranked candidates inline (phone, and what taking it would mean: "blir 15 h den dagen", övertid or mertid,
timavlönad), one click to assign (a plain POST form; the page comes back with the next shift still there), and
"Erbjud flera": an SMS/e-mail offer to several where the first to accept gets the shift (the public `offer`
page, reached by the one-time link). Also the manager's decisions on requests for open shifts and the unit's
setting for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.core import clock
from bista.core.errors import ConflictError
from bista.core.models import Unit
from bista.rostering import rules, selectors, services
from bista.rostering.forms import AssignForm, OfferForm
from bista.rostering.models import Shift, ShiftOfferRecipient, ShiftRequest
from bista.rostering.selectors import Candidate
from bista.rostering.views.common import manage_unit_ids, section, status_label
from bista.rostering.views.shifts import split_rule_violations, warning_texts
from bista.staff.models import Absence, Employee

LOG_DETAIL = "sjukanmälan: ersättare"


@dataclass
class SickRow:
    """One shift of the sick call as the page shows it."""

    shift: Shift
    span: str
    client: str
    status: str
    is_open: bool
    candidates: list[tuple[Candidate, list[str]]] = field(default_factory=list)
    offers: list[ShiftOfferRecipient] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _is_open(shift: Shift) -> bool:
    return shift.employee_id is None and shift.status == Shift.Status.PUBLISHED and shift.ends_at > clock.now()


def _sick_page(
    request: HttpRequest, absence: Absence, *, status: int = 200, errors: dict[int, list[str]] | None = None
) -> HttpResponse:
    shifts = selectors.sick_call_shifts(request.user, absence)
    labels = selectors.client_labels(
        request.user, ((s.client, s.unit_id) for s in shifts), log=LOG_DETAIL if request.method == "GET" else ""
    )
    offers = selectors.offers_sent(s.pk for s in shifts)
    rows = []
    for shift in shifts:
        is_open = _is_open(shift)
        candidates = selectors.open_shift_candidates(request.user, shift) if is_open else []
        rows.append(
            SickRow(
                shift=shift,
                span=rules.format_span(shift.starts_at, shift.ends_at),
                client=labels[shift.client_id],
                status=status_label(shift),
                is_open=is_open,
                candidates=[(c, warning_texts(c.warnings)) for c in candidates],
                offers=offers.get(shift.pk, []),
                errors=(errors or {}).get(shift.pk, []),
            )
        )
    context = {
        "absence": absence,
        "self_reported": absence.recorded_by_id is not None and absence.recorded_by_id == absence.employee.user_id,
        "rows": rows,
        "open_count": sum(1 for row in rows if row.is_open),
        "section": section(request.user),
        "current": "sick_call",
    }
    return render(request, "rostering/sick_call_result.html", context, status=status)


@login_required
@require_GET
def sick_call_result(request: HttpRequest, pk: int) -> HttpResponse:
    """All the shifts the sick leave opened, each with who can take it, best first."""
    return _sick_page(request, selectors.sick_call_get(request.user, pk))


def _sick_shift(request: HttpRequest, pk: int, shift_pk: int) -> tuple[Absence, Shift]:
    absence = selectors.sick_call_get(request.user, pk)
    shift = selectors.shift_get(request.user, shift_pk)
    if shift.replaces is None or shift.replaces.absence_id != absence.pk:
        raise Http404("Passet hör inte till sjukanmälan.")
    return absence, shift


def _back(pk: int, shift: Shift) -> str:
    return reverse("rostering:sick_call_result", args=[pk]) + "#oppna"


@login_required
@require_POST
def sick_call_assign(request: HttpRequest, pk: int, shift_pk: int) -> HttpResponse:
    """One click: the candidate gets the shift; back to the same page, where the next shift waits."""
    absence, shift = _sick_shift(request, pk, shift_pk)
    form = AssignForm(request.POST)
    employee = None
    if form.is_valid():
        employee = Employee.objects.filter(pk=form.cleaned_data["employee"], unit_id=shift.unit_id).first()
    span = rules.format_span(shift.starts_at, shift.ends_at)
    if employee is None:
        return _sick_page(request, absence, status=400, errors={shift.pk: ["Välj en medarbetare i listan."]})
    try:
        assigned = services.open_shift_assign(
            actor=request.user, shift=shift, employee=employee, version=form.cleaned_data["version"]
        )
    except ConflictError:
        current = Shift.objects.select_related("employee").get(pk=shift.pk)
        taken = f" av {current.employee.full_name}" if current.employee is not None else ""
        messages.error(request, f"Passet {span} hann tillsättas{taken} eller ändras av någon annan. Se läget nedan.")
        return _sick_page(request, absence, status=409)
    except ValidationError as error:
        violations, rest = split_rule_violations(error)
        texts = violations + (list(rest.messages) if rest is not None else [])
        return _sick_page(request, absence, status=400, errors={shift.pk: texts})
    messages.success(request, f"Passet {span} är tillsatt: {employee.full_name}.")
    for text in warning_texts(services.warnings_of(assigned)):
        messages.warning(request, f"Varning – {text}")
    return redirect(_back(pk, shift))


@login_required
@require_POST
def sick_call_offer(request: HttpRequest, pk: int, shift_pk: int) -> HttpResponse:
    """Erbjud flera: the chosen candidates get a one-time link by SMS or e-mail; the first to accept gets it."""
    absence, shift = _sick_shift(request, pk, shift_pk)
    if not selectors.can_manage_roster(request.user, shift.unit_id):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    candidates = selectors.open_shift_candidates(request.user, shift) if _is_open(shift) else []
    form = OfferForm(request.POST, candidates=[(c.employee.pk, c.employee.full_name) for c in candidates])
    if not form.is_valid():
        texts = [str(e) for errors in form.errors.values() for e in errors]
        if not candidates:
            texts = ["Passet är inte längre öppet."]
        return _sick_page(request, absence, status=400, errors={shift.pk: texts})
    chosen = [c.employee for c in candidates if c.employee.pk in set(form.cleaned_data["employees"])]
    try:
        services.shift_offer_send(actor=request.user, shift=shift, employees=chosen)
    except ConflictError:
        messages.error(request, "Passet ändrades samtidigt. Se läget nedan.")
        return _sick_page(request, absence, status=409)
    except ValidationError as error:
        return _sick_page(request, absence, status=400, errors={shift.pk: list(error.messages)})
    span = rules.format_span(shift.starts_at, shift.ends_at)
    messages.success(
        request,
        f"Passet {span} är erbjudet till {', '.join(e.full_name for e in chosen)}. Den som först tackar ja får det.",
    )
    return redirect(_back(pk, shift))


# --- The offer's one-time link (no sign-in: the token is the key; the page names no client) ---------------

OUTCOME_TEXTS = {
    ShiftOfferRecipient.Outcome.ACCEPTED: "Tack! Passet är ditt. Det syns i ditt schema.",
    ShiftOfferRecipient.Outcome.TOO_LATE: "Passet är redan tillsatt. Tack ändå för att du svarade!",
    ShiftOfferRecipient.Outcome.REFUSED: "Du kan inte ta passet enligt arbetstidsreglerna. Kontakta din chef.",
}


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token: str) -> HttpResponse:
    """An offered shift: when and where (the unit, never the client), and "Ja, jag tar passet"."""
    recipient = services.offer_recipient(token)
    if recipient is None:
        return render(request, "rostering/offer.html", {"state": "invalid"}, status=404)
    shift = recipient.offer.shift
    context: dict[str, Any] = {
        "span": rules.format_span(shift.starts_at, shift.ends_at),
        "length": rules.explain_duration(shift.duration),
        "unit": shift.unit.name,
        "name": recipient.employee.first_name,
    }
    if request.method == "POST":
        try:
            answered = services.shift_offer_accept(token=token)
        except ValidationError as error:
            return render(
                request, "rostering/offer.html", {**context, "state": "used", "text": error.messages[0]}, status=409
            )
        status = 200 if answered.outcome == ShiftOfferRecipient.Outcome.ACCEPTED else 409
        context.update(state="answered", text=OUTCOME_TEXTS[ShiftOfferRecipient.Outcome(answered.outcome)])
        return render(request, "rostering/offer.html", context, status=status)
    if recipient.answered_at is not None:
        context.update(state="used", text="Länken är redan använd.")
    elif not _is_open(shift) or shift.starts_at <= clock.now():
        context.update(state="answered", text="Passet är redan tillsatt.")
    else:
        context.update(state="open")
    return render(request, "rostering/offer.html", context)


# --- Requests for open shifts: the manager's decision -----------------------------------------------------

RETURN_TO = {"start": "overview:start", "oppna": "rostering:open_shifts"}


def _request(request: HttpRequest, pk: int) -> ShiftRequest:
    found = ShiftRequest.objects.select_related("shift__unit", "employee").filter(pk=pk).first()
    if found is None or not selectors.can_view_roster(request.user, found.shift.unit_id):
        raise Http404("Begäran finns inte eller så saknar du behörighet.")
    if not selectors.can_manage_roster(request.user, found.shift.unit_id):
        raise PermissionDenied("Behörighet saknas: roster.manage")
    return found


def _return(request: HttpRequest) -> HttpResponse:
    return redirect(RETURN_TO.get(request.POST.get("tillbaka", ""), "rostering:open_shifts"))


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request(request, pk)
    span = rules.format_span(found.shift.starts_at, found.shift.ends_at)
    try:
        services.shift_request_approve(actor=request.user, request=found)
    except ConflictError:
        messages.error(request, f"Passet {span} ändrades samtidigt. Se läget och försök igen.")
    except ValidationError as error:
        violations, rest = split_rule_violations(error)
        texts = violations + (list(rest.messages) if rest is not None else [])
        messages.error(request, f"Begäran kunde inte godkännas: {' '.join(texts)}")
    else:
        messages.success(request, f"Passet {span} är tillsatt: {found.employee.full_name}.")
    return _return(request)


@login_required
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    found = _request(request, pk)
    try:
        services.shift_request_decline(actor=request.user, request=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Begäran från {found.employee.full_name} är avslagen.")
    return _return(request)


@login_required
@require_POST
def roster_settings(request: HttpRequest) -> HttpResponse:
    """The unit's choice: assign a requested open shift at once when the rules pass, or approve each."""
    unit_ids = manage_unit_ids(request.user)
    try:
        unit_id = int(request.POST.get("enhet", ""))
    except ValueError:
        unit_id = 0
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or unit.pk not in unit_ids:
        raise PermissionDenied("Behörighet saknas: roster.manage")
    auto = request.POST.get("direkt") == "1"
    services.roster_setting_update(actor=request.user, unit=unit, auto_assign_requests=auto)
    messages.success(
        request,
        "Begärda pass tillsätts nu direkt när reglerna tillåter."
        if auto
        else "Begärda pass väntar nu på ditt godkännande.",
    )
    return redirect(f"{reverse('rostering:open_shifts')}?enhet={unit.pk}")
