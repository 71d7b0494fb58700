"""Helpers for the page tests: a signed-in browser, the redirect to sign-in, and the four ways every page is
probed (anonymous, signed in without the permission, with it, and with it in another unit only).

Page tests switch two-factor sign-in off (`pytestmark = pytest.mark.usefixtures("no_two_factor")`); two-factor
itself is tested in core/tests/test_account.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client as HttpClient

from bista.core.tests.api_support import session_client

LOGIN = "/konto/logga-in/"


def browser(user: Any | None) -> HttpClient:
    """A test client signed in as `user` (without the two-factor step), or anonymous for None."""
    return HttpClient() if user is None else session_client(user, verified=False)


def assert_login_redirect(response: Any, path: str | None = None) -> None:
    """The answer sends the browser to sign in, and (given `path`) back to that page afterwards."""
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    if path is not None:
        # The query string of `next` is URL-encoded in the Location; the page's path is not.
        assert path.split("?")[0] in response["Location"]


@dataclass(frozen=True)
class FourWays:
    """One browser for each of the four ways a page is probed."""

    anonymous: HttpClient
    no_permission: HttpClient
    permission: HttpClient
    other_unit: HttpClient


def four_ways(*, no_permission: Any, permission: Any, other_unit: Any) -> FourWays:
    return FourWays(
        anonymous=browser(None),
        no_permission=browser(no_permission),
        permission=browser(permission),
        other_unit=browser(other_unit),
    )
