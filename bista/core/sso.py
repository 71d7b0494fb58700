"""The seam for single sign-on (SITHS, BankID, Freja … through the municipality's identity provider).

Bistå does not speak SAML or OIDC itself. The municipality's IdP is put in front of Bistå by a reverse
proxy that authenticates the person (e.g. mod_auth_openidc, mod_auth_mellon, oauth2-proxy) and passes the
verified user name in a request header that the proxy always overwrites. Set `BISTA_SSO_HEADER` to that
header as Django sees it (e.g. `HTTP_X_REMOTE_USER`) to turn this on; see docs/adr/0003-sso-seam.md.

Only existing, active users are signed in: accounts and roles are still managed in Bistå, so an IdP
account alone gives no access.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import RemoteUserBackend
from django.contrib.auth.middleware import RemoteUserMiddleware
from django.http import HttpRequest, HttpResponse


class TrustedHeaderBackend(RemoteUserBackend):
    create_unknown_user = False


class TrustedHeaderMiddleware(RemoteUserMiddleware):
    """Like Django's RemoteUserMiddleware, with the header taken from settings and off when unset."""

    force_logout_if_no_header = False

    def __call__(self, request: HttpRequest) -> HttpResponse:  # type: ignore[override]
        if not settings.BISTA_SSO_HEADER:
            return self.get_response(request)  # type: ignore[return-value]
        self.header = settings.BISTA_SSO_HEADER  # type: ignore[misc]
        return super().__call__(request)  # type: ignore[return-value]
