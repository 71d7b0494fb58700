"""What every page's navigation needs to know about the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bista.core.access import access_map
from bista.core.permissions import Perm

# Set at sign-in (by rostering's login receiver) to the user's employee id, or None: whether the menu offers
# "Mitt schema", known without a query on every page. A link made later shows from the next sign-in.
EMPLOYEE_SESSION_KEY = "bista_employee_id"


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    perms: set[str] = set().union(*access_map(user).values()) if access_map(user) else set()
    return {
        "nav": {
            "clients": bool(perms & set(Perm.CLIENT_VIEW)),
            "care": bool(perms & set(Perm.CLIENT_VIEW)),
            "self_checks": Perm.CARE_SELF_CHECK in perms,
            "quality": bool(perms & {Perm.QUALITY_REPORT, Perm.QUALITY_VIEW, Perm.QUALITY_INCIDENT}),
            "employees": Perm.EMPLOYEE_VIEW in perms,
            "roster": bool(perms & {Perm.ROSTER_VIEW, Perm.ROSTER_MANAGE}),
            "governance": Perm.GOVERNANCE_VIEW in perms,
            "time_attest": Perm.TIME_ATTEST in perms,
            "economy": Perm.ECONOMY in perms,
            "my_schedule": bool(_session_value(request, EMPLOYEE_SESSION_KEY)),
            "log_review": Perm.LOG_REVIEW in perms,
            "api_tokens": Perm.API_TOKEN in perms,
            "two_factor_codes": Perm.ORG_MANAGE in perms,
            "reference": Perm.REFERENCE_MANAGE in perms,
            "casework": bool(perms & set(Perm.CASEWORK_READ)),
        }
    }


def _session_value(request: HttpRequest, key: str) -> Any:
    session = getattr(request, "session", None)
    return session.get(key) if session is not None else None
