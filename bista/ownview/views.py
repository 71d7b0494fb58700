"""Pages of the own view (Min sida) and the staff page that keeps its settings.

The client or representative (never a staff user): `/min-sida/logga-in/` (personnummer and contact → a code is
sent if the contact is on file), `/min-sida/logga-in/kod/`, `/min-sida/logga-in/e-legitimation/` (the SSO seam,
only with BISTA_OWNVIEW_SSO_HEADER), `/min-sida/` (plan, this week, how to reach the unit), `/min-sida/tyck-till/`
(feedback), `/min-sida/logga-ut/`. Plain Swedish, phone first, no JavaScript.

Staff: `/brukare/<pk>/min-sida/` — turn the own view on, record the consent to show staff names, register and
remove the contacts codes may be sent to (client.manage on the client's unit)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bista.core.errors import ConflictError
from bista.core.forms import apply_service_errors
from bista.ownview import selectors, services, session
from bista.ownview.forms import CodeForm, ContactForm, FeedbackForm, RequestCodeForm, SettingsForm
from bista.ownview.models import OwnViewContact

# --- The client -----------------------------------------------------------------------------------------


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = RequestCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                pending = services.code_request(
                    personnummer=form.cleaned_data["personnummer"],
                    contact=form.cleaned_data["kontakt"],
                    ip=_ip(request),
                )
            except services.SignInRefused as refusal:
                form.add_error(refusal.field or None, refusal.message)
                status = refusal.status
            else:
                request.session[session.PENDING_KEY] = pending.as_session()
                return redirect("ownview:sign_in_code")
    sso = bool(getattr(settings, "BISTA_OWNVIEW_SSO_HEADER", ""))
    return render(request, "ownview/sign_in.html", {"form": form, "sso": sso}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    pending = services.Pending.from_session(request.session.get(session.PENDING_KEY))
    if pending is None:
        return redirect("ownview:sign_in")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                signin = services.code_verify(pending=pending, code=form.cleaned_data["kod"], ip=_ip(request))
            except services.SignInRefused as refusal:
                form.add_error("kod", refusal.message)
                status = refusal.status
            else:
                session.start(request, signin)
                return redirect("ownview:home")
    return render(request, "ownview/sign_in_code.html", {"form": form}, status=status)


@never_cache
@require_GET
def sign_in_sso(request: HttpRequest) -> HttpResponse:
    header = getattr(settings, "BISTA_OWNVIEW_SSO_HEADER", "")
    if not header:
        raise Http404("Inloggning med e-legitimation är inte påslagen.")
    try:
        signin = services.sso_sign_in(personnummer=str(request.META.get(header, "")))
    except services.SignInRefused as refusal:
        return render(request, "ownview/refused.html", {"message": refusal.message}, status=refusal.status)
    session.start(request, signin)
    return redirect("ownview:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.end(request)
    messages.info(request, "Du är utloggad från Min sida.")
    return redirect("ownview:sign_in")


@never_cache
@require_GET
@session.own_view_required
def home(request: HttpRequest) -> HttpResponse:
    found = selectors.own_view(request.ownview)  # type: ignore[attr-defined]
    return render(request, "ownview/home.html", {"view": found, "signin": request.ownview})  # type: ignore[attr-defined]


@never_cache
@require_http_methods(["GET", "POST"])
@session.own_view_required
def feedback(request: HttpRequest) -> HttpResponse:
    signin = request.ownview  # type: ignore[attr-defined]
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_send(
                signin=signin, kind=form.cleaned_data["kind"], description=form.cleaned_data["description"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return render(request, "ownview/feedback_thanks.html", {"signin": signin})
    selectors.log_read(signin, "tyck till")
    unit = services.provider_unit(signin.client)
    context = {"form": form, "signin": signin, "unit": unit}
    return render(request, "ownview/feedback.html", context, status=400 if form.errors else 200)


# --- Staff ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.management(request.user, pk)
    client = found.client
    settings_form = SettingsForm(
        initial={
            "enabled": found.settings.enabled,
            "show_staff_names": found.settings.show_staff_names,
            "version": found.settings.version if found.settings.pk else 0,
        }
    )
    contact_form = ContactForm(representatives=found.representatives)
    status = 200
    if request.method == "POST":
        action = request.POST.get("atgard", "")
        if action == "installningar":
            settings_form = SettingsForm(request.POST)
            if settings_form.is_valid():
                data = settings_form.cleaned_data
                try:
                    services.settings_update(
                        actor=request.user,
                        client=client,
                        enabled=data["enabled"],
                        show_staff_names=data["show_staff_names"],
                        expected_version=data["version"],
                    )
                except ConflictError:
                    settings_form.add_error(None, "Någon annan har just ändrat inställningarna. Ladda om sidan.")
                except ValidationError as error:
                    apply_service_errors(settings_form, error)
                else:
                    messages.success(request, "Inställningarna för Min sida är sparade.")
                    return redirect("ownview:manage", pk=client.pk)
        elif action == "kontakt":
            contact_form = ContactForm(request.POST, representatives=found.representatives)
            if contact_form.is_valid():
                data = contact_form.cleaned_data
                representative = next((c for c in found.representatives if c.pk == data["representative"]), None)
                if data["representative"] is not None and representative is None:
                    contact_form.add_error("representative", "Företrädaren finns inte hos brukaren.")
                else:
                    try:
                        services.contact_add(
                            actor=request.user, client=client, address=data["address"], representative=representative
                        )
                    except ValidationError as error:
                        apply_service_errors(contact_form, error)
                    else:
                        messages.success(request, "Kontakten är registrerad.")
                        return redirect("ownview:manage", pk=client.pk)
        elif action == "ta-bort":
            raw = request.POST.get("kontakt", "")
            contact = (
                OwnViewContact.objects.filter(pk=int(raw), client=client, is_active=True).first()
                if raw.isdigit() and len(raw) < 10
                else None
            )
            if contact is None:
                messages.error(request, "Kontakten finns inte.")
                return redirect("ownview:manage", pk=client.pk)
            services.contact_end(actor=request.user, contact=contact)
            messages.success(request, "Kontakten är borttagen. Inga fler koder skickas dit.")
            return redirect("ownview:manage", pk=client.pk)
        else:
            messages.error(request, "Okänd åtgärd.")
            return redirect("ownview:manage", pk=client.pk)
        status = 400
    context = {"found": found, "client": client, "settings_form": settings_form, "contact_form": contact_form}
    return render(request, "ownview/manage.html", context, status=status)
