"""Sign-in, start page, organisation pages, API tokens and error pages."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from bista.core import clock, pickers, selectors, services
from bista.core.access import access_map, has_perm_anywhere, require_any_unit
from bista.core.forms import (
    ApiTokenForm,
    DutyRuleVersionForm,
    EnrolmentCodeForm,
    IssueEnrolmentCodeForm,
    PasswordChangeForm,
    TwoFactorForm,
    apply_service_errors,
)
from bista.core.models import ApiToken, Permission, TwoFactorEnrolmentCode
from bista.core.permissions import Perm
from bista.core.validation import NUL, NUL_MESSAGE


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, "Du är utloggad.")
    return redirect("core:login")


# The pending device whose secret this session may see, after the user redeemed an enrolment code.
ENROLMENT_SESSION_KEY = "bista_2fa_enrolment_device"


def _enrolment_permit(request: HttpRequest) -> tuple[Any, str] | None:
    """(the pending device to enrol, how enrolment is allowed) or None: the secret is shown only after an
    administrator's one-time code was redeemed in this session, or while the account is new."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device_id = request.session.get(ENROLMENT_SESSION_KEY)
    if device_id is not None:
        device = TOTPDevice.objects.filter(pk=device_id, user_id=request.user.pk, confirmed=False).first()
        if device is not None:
            return device, "code"
    if services.two_factor_enrolment_open(request.user):
        return services.two_factor_device_for(request.user), "window"
    return None


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify the second factor; with no confirmed device yet, enrol one (QR code and secret) — but only with an
    administrator's one-time enrolment code, or within the window after the account was created."""
    device = services.two_factor_confirmed_device(request.user)
    via = ""
    if device is None:
        permit = _enrolment_permit(request)
        if permit is None:
            return _enrolment_code(request)
        device, via = permit
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(actor=request.user, device=device, token=form.cleaned_data["token"], via=via):
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och försök igen.")
    context: dict[str, Any] = {"form": form, "enrolling": not device.confirmed}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR-kod")
        context["secret"] = _base32(device.bin_key)
    return render(request, "core/two_factor.html", context)


def _enrolment_code(request: HttpRequest) -> HttpResponse:
    """No second factor and no right to enrol yet: ask for the administrator's one-time enrolment code."""
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.two_factor_code_redeem(actor=request.user, code=form.cleaned_data["enrolment_code"])
        if device is not None:
            request.session[ENROLMENT_SESSION_KEY] = device.pk
            return redirect(request.get_full_path())
        form.add_error(
            "enrolment_code",
            "Koden stämmer inte, har redan använts eller har gått ut. Be en administratör om en ny engångskod.",
        )
    return render(request, "core/two_factor.html", {"form": form, "needs_code": True})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """For administrators: issue a one-time enrolment code for a user of their units (shown once)."""
    require_any_unit(request.user, [Perm.ORG_MANAGE])
    users = services.two_factor_code_issuable_users(request.user)
    form = IssueEnrolmentCodeForm(request.POST or None, users=users)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            record, code = services.two_factor_code_issue(actor=request.user, user=form.cleaned_data["user"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            issued = {"code": code, "user": record.user, "expires_at": record.expires_at}
            form = IssueEnrolmentCodeForm(users=users)
    recent = (
        TwoFactorEnrolmentCode.objects.filter(user__in=users)
        .select_related("user", "issued_by")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request,
        "core/two_factor_codes.html",
        {"form": form, "issued": issued, "recent": recent, "now": clock.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the session stays signed in (and verified) afterwards."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_change(
                actor=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Ditt lösenord är bytt.")
            return redirect("core:password_change")
    return render(request, "core/password_change.html", {"form": form})


def _safe_next(request: HttpRequest) -> str:
    """The `next` page if it is on this site, else the start page (no open redirect)."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """An integration's keys: create (the secret is shown once), list, revoke."""
    require_any_unit(request.user, [Perm.API_TOKEN])
    held = sorted(set().union(*access_map(request.user).values()))
    names = dict(Permission.objects.filter(code__in=held).values_list("code", "name"))
    form = ApiTokenForm(request.POST or None, scope_choices=[(code, names.get(code, code)) for code in held])
    secret = None
    if request.method == "POST" and form.is_valid():
        expires = form.cleaned_data["expires_on"]
        expires_at = timezone.make_aware(datetime.datetime.combine(expires, datetime.time.max)) if expires else None
        try:
            _, secret = services.api_token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=expires_at,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            form = ApiTokenForm(scope_choices=form.fields["scopes"].choices)  # type: ignore[attr-defined]
    tokens = list(ApiToken.objects.filter(user_id=request.user.pk or 0))
    # Each key's scopes by the permissions' names: a permission's code is for the API, not for people to read.
    codes = {code for token in tokens for code in token.scopes}
    named = dict(Permission.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = [(token, [named.get(code, "okänd behörighet") for code in token.scopes]) for token in tokens]
    return render(request, "core/api_tokens.html", {"form": form, "tokens": rows, "secret": secret})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk, user_id=request.user.pk or 0).first()
    if token is not None:
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"Nyckeln ”{token.name}” är återkallad.")
    return redirect("core:api_tokens")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "Behörighet saknas", "text": "Du har inte behörighet till den här sidan."},
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "Sidan finns inte", "text": "Sidan finns inte, eller så saknar du behörighet."},
        status=404,
    )


@login_required
def duty_rules(request: HttpRequest) -> HttpResponse:
    """The deadlines behind "Att göra", every version with its dates; a förvaltare adds new versions."""
    return render(
        request,
        "core/duty_rules.html",
        {
            "rules": selectors.duty_rules_by_code(),
            "can_manage": has_perm_anywhere(request.user, Perm.REFERENCE_MANAGE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_rule_new_version(request: HttpRequest, code: str) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.REFERENCE_MANAGE):
        raise PermissionDenied("Behörighet saknas: reference.manage")
    versions = selectors.duty_rules_by_code().get(code)
    if not versions:
        raise Http404("Tidsfristen finns inte.")
    latest = versions[-1]
    initial = {f: getattr(latest, f) for f in ("name", "amount", "unit", "warn_days", "legal_reference", "description")}
    form = DutyRuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_rule_add_version(actor=request.user, code=code, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Den nya versionen av tidsfristen är sparad.")
            return redirect("core:duty_rules")
    return render(request, "core/duty_rule_form.html", {"form": form, "latest": latest, "versions": versions})


@login_required
@require_GET
def picker_search(request: HttpRequest, kind: str) -> HttpResponse:
    """The matches of a searchable picker as JSON (bista/picker.js): the records of the registered source the
    user may pick whose names contain every typed word, at most `pickers.MAX_MATCHES`; client names shown are
    logged as read by the source. Fewer than two characters: no search, an empty list."""
    source = pickers.source_for(kind)
    if source is None:
        raise Http404("Det finns ingen sådan väljare.")
    records = source.choices(request.user, request.GET)  # PermissionDenied (403) if the user may pick none
    text = request.GET.get("q", "").strip()[: pickers.MAX_TEXT]
    if NUL in text:
        return JsonResponse({"error": "null_characters", "message": NUL_MESSAGE}, status=400)
    found = list(source.search(records, text)[: pickers.MAX_MATCHES]) if len(text) >= 2 else []
    pickers.log_named(kind, found)
    return JsonResponse({"results": [{"id": record.pk, "label": source.label(record)} for record in found]})
