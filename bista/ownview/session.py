"""How an own-view session is represented: a key in Django's session (`ownview`: the sign-in's id and the time
of the last request), never a Django user — `request.user` stays anonymous, so no staff page (all behind
`login_required` and the permission checks) opens for it. A browser also signed in as staff is refused the own
view (one person per session). Idle for BISTA_OWNVIEW_IDLE_SECONDS (default 15 minutes): signed out."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bista.core import clock
from bista.ownview import rules, selectors, services
from bista.ownview.models import OwnViewSignIn

SESSION_KEY = "ownview"
PENDING_KEY = "ownview_pending"


def idle_seconds() -> int:
    return int(getattr(settings, "BISTA_OWNVIEW_IDLE_SECONDS", 15 * 60))


def start(request: HttpRequest, signin: OwnViewSignIn) -> None:
    """A new session (a new key: no fixation; any staff sign-in in the browser ends) holding only the sign-in."""
    request.session.flush()
    request.session[SESSION_KEY] = {"signin": signin.pk, "last": int(clock.now().timestamp())}


def end(request: HttpRequest, reason: str = "utloggad") -> None:
    value = request.session.get(SESSION_KEY)
    if isinstance(value, dict) and isinstance(value.get("signin"), int):
        services.sign_out(signin_id=value["signin"], reason=reason)
    request.session.flush()


def current(request: HttpRequest) -> OwnViewSignIn | None:
    """The open own-view sign-in of this request, or None (none, idle too long, signed in as staff too)."""
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, dict) or not isinstance(value.get("signin"), int):
        return None
    if request.user.is_authenticated:
        return None
    now = int(clock.now().timestamp())
    if rules.idle_expired(now=now, last=value.get("last"), idle_seconds=idle_seconds()):
        end(request, reason="tiden gick ut")
        messages.info(request, "Du var inaktiv en stund och har loggats ut. Logga in igen.")
        return None
    signin = selectors.signin_get(value["signin"])
    if signin is None:
        request.session.flush()
        return None
    request.session[SESSION_KEY] = {"signin": signin.pk, "last": now}
    return signin


def own_view_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        signin = current(request)
        if signin is None:
            return redirect("ownview:sign_in")
        request.ownview = signin  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
