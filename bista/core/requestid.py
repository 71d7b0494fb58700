"""The current request's id (a context variable): set by RequestIdMiddleware, read by the audit trail and the
logs. Imports nothing from Django, so that the log formatter may be loaded before Django is set up."""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("bista_request_id", default="")
# The request itself, for what must know who reads without every form being handed the user: a picker that names
# clients in a form logs them as read by `current_reader()` (core.pickers).
_request: contextvars.ContextVar[Any] = contextvars.ContextVar("bista_request", default=None)


def set_request_id(value: str | None = None) -> str:
    request_id = value or uuid.uuid4().hex
    _request_id.set(request_id)
    return request_id


def current_request_id() -> str:
    return _request_id.get()


def set_current_request(request: Any) -> None:
    _request.set(request)


def current_reader() -> Any:
    """The signed-in user of the current request, or None (outside a request, or nobody signed in)."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
