"""Lockout after failed sign-ins (django-axes' database handler, with one limit per account and another per
address).

AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]] makes axes count failures per account (whatever the
address: an attacker cannot move to another address) and per address (whatever the account: password spraying
over many accounts). Axes compares both counts with one limit; an address is shared by everyone behind one NAT
or office, so it gets its own, higher limit (BISTA_LOGIN_FAILURE_LIMIT_PER_ADDRESS) here.

A successful sign-in clears only that account's failures: clearing the address's too would let an attacker
who holds one valid account wipe the spraying count by signing in to it now and then.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def _counts(self, request: Any, credentials: dict[str, Any] | None) -> tuple[int, int]:
        """(failures for this account, failures from this address) within the cool-off period."""
        by_account = by_address = 0
        for filters, attempts in zip(
            get_client_parameters(
                get_client_username(request, credentials),
                request.axes_ip_address,
                request.axes_user_agent,
                request,
                credentials,
            ),
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if set(filters) == {"username"}:
                by_account = failures
            elif set(filters) == {"ip_address"}:
                by_address = failures
        return by_account, by_address

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """Failures as axes compares them with AXES_FAILURE_LIMIT: the account's, or the limit itself once the
        address has reached its own limit."""
        by_account, by_address = self._counts(request, credentials)
        if by_address >= settings.BISTA_LOGIN_FAILURE_LIMIT_PER_ADDRESS:
            return max(by_account, get_failure_limit(request, credentials))
        return by_account

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
