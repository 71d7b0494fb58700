"""Sign-in, start page, organisation pages, API tokens and error pages."""

from __future__ import annotations

import datetime
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from bista.core import selectors, services
from bista.core.access import access_map, has_perm_anywhere, require_any_unit
from bista.core.forms import ApiTokenForm, DutyRuleVersionForm, TwoFactorForm, apply_service_errors
from bista.core.models import ApiToken, Permission
from bista.core.permissions import Perm


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, "Du är utloggad.")
    return redirect("core:login")


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify the second factor; with no confirmed device yet, enrol one first (QR code and secret)."""
    device = services.two_factor_device_for(request.user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.two_factor_verify(actor=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "Koden stämmer inte. Kontrollera att klockan i telefonen går rätt och försök igen.")
    context: dict[str, Any] = {"form": form, "enrolling": not device.confirmed}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR-kod")
        context["secret"] = _base32(device.bin_key)
    return render(request, "core/two_factor.html", context)


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
    form = ApiTokenForm(
        request.POST or None, scope_choices=[(code, f"{names.get(code, code)} ({code})") for code in held]
    )
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
    tokens = ApiToken.objects.filter(user_id=request.user.pk or 0)
    return render(request, "core/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret})


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
