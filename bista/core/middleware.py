"""Request id for the audit trail, two-factor enforcement and the headers django-csp does not set."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bista.core.access import requires_two_factor
from bista.core.audit import set_request_id

Handler = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Tags every request with an id, kept in audit events and access-log rows and sent back as a header."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        request_id = set_request_id(incoming[:40] if incoming.isalnum() else None)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-Id"] = request_id
        return response


# Paths a signed-in user may reach before completing two-factor sign-in.
TWO_FACTOR_EXEMPT_PREFIXES = ("/konto/logga-in/", "/konto/logga-ut/", "/konto/tvafaktor/", "/static/", "/api/")


class TwoFactorRequiredMiddleware:
    """Sends a user whose role requires two-factor to set it up or verify it before anything else.

    The API is exempt here because it authenticates every request itself (tokens, or a session that has
    passed this middleware on the UI side: see bista.api).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.BISTA_REQUIRE_2FA
            and user.is_authenticated
            and not request.path.startswith(TWO_FACTOR_EXEMPT_PREFIXES)
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and requires_two_factor(user)
        ):
            return redirect("core:two_factor")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages about people must not linger in shared caches or the browser's back-forward cache.
            response.setdefault("Cache-Control", "no-store")
        return response
