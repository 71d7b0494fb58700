"""Request id for the audit trail and the logs, the health check, two-factor enforcement and the headers
django-csp does not set."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from bista.core import clock
from bista.core.access import requires_two_factor
from bista.core.audit import set_request_id
from bista.core.requestid import set_current_request

Handler = Callable[[HttpRequest], HttpResponse]


# A request id a proxy may hand on: letters, digits and hyphens (a UUID fits); kept to the audit column's 40.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
REQUEST_ID_LENGTH = 40


class RequestIdMiddleware:
    """Tags every request with an id, kept in audit events, access-log rows and every log record, and sent back
    as a header. An incoming X-Request-Id is kept only from a trusted proxy (TrustedProxyMiddleware drops it
    from anyone else) and only when it is sane; otherwise a new one is made."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")[:REQUEST_ID_LENGTH]
        request_id = set_request_id(incoming if SANE_REQUEST_ID.fullmatch(incoming) else None)
        request.request_id = request_id  # type: ignore[attr-defined]
        set_current_request(request)  # its user is read lazily, after AuthenticationMiddleware has set it
        try:
            response = self.get_response(request)
        finally:
            set_current_request(None)  # a thread's next work (outside a request) reads nobody
        response["X-Request-Id"] = request_id
        return response


HEALTH_PATH = "/halsa/"
health_log = logging.getLogger("bista.health")


class HealthCheckMiddleware:
    """`GET /halsa/`: 200 when the database answers, else 503; JSON, no sign-in, nothing about anyone.

    A middleware ahead of the host check and the https redirect, so that the proxy, a container health check or
    a load balancer may ask over plain http by the server's own address; it touches no session."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != HEALTH_PATH or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # any failure to reach the database is "unavailable"; the detail goes to the log only
            health_log.exception("Health check: the database does not answer")
            connection.close()
            response = JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        response["Cache-Control"] = "no-store"
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


SESSION_REFRESHED_KEY = "_bista_refreshed_at"


def stamp_session_refresh(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """At sign-in the session is written anyway: record that as its latest refresh (connected in CoreConfig)."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_REFRESHED_KEY] = int(clock.now().timestamp())


class IdleTimeoutMiddleware:
    """Pushes a signed-in session's expiry (the idle timeout, SESSION_COOKIE_AGE) forward at most once every
    BISTA_SESSION_REFRESH_SECONDS (60): the session is marked modified, so SessionMiddleware saves it with a new
    expiry. Writing it on every request (SESSION_SAVE_EVERY_REQUEST) cost a database write per page."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and user.is_authenticated and session.session_key:
            now = int(clock.now().timestamp())
            last = session.get(SESSION_REFRESHED_KEY)
            if not isinstance(last, int) or not 0 <= now - last < settings.BISTA_SESSION_REFRESH_SECONDS:
                session[SESSION_REFRESHED_KEY] = now
        return response
