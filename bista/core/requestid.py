"""The current request's id (a context variable): set by RequestIdMiddleware, read by the audit trail and the
logs. Imports nothing from Django, so that the log formatter may be loaded before Django is set up."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("bista_request_id", default="")


def set_request_id(value: str | None = None) -> str:
    request_id = value or uuid.uuid4().hex
    _request_id.set(request_id)
    return request_id


def current_request_id() -> str:
    return _request_id.get()
