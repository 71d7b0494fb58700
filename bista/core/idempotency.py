"""API writes: atomic with their answer, and repeatable with an `Idempotency-Key` header.

Every API write (POST, PUT, PATCH, DELETE) runs in one transaction together with the shaping of its answer:
an answer that is an error (4xx or 5xx) rolls everything back, so a write is never committed and then
answered with a server error (which a client would retry, duplicating it).

A client that may retry sends `Idempotency-Key: <1–255 visible ASCII characters>` (e.g. a UUID). The first
successful answer (status and body) is stored in the same transaction as the write, scoped to the user the
request authenticated as; a retry with the same key, method, path and body gets that answer back, marked
`Idempotent-Replayed: true`, without the write running again. The same key with another method, path or body
is refused (422, code `idempotency_key_reused`). Keys are kept for KEY_LIFETIME (24 hours), then forgotten.
An error answer is not stored: nothing was written, so a retry simply runs again. Two requests with the same
key at the same moment: the second waits for the first (the key's unique constraint) and then gets its
answer, its own write rolled back.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException

from bista.core import clock
from bista.core.errors import IdempotencyKeyError
from bista.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Set on the request by the view-level check, read by the transaction around the whole operation.
_PENDING = "_bista_idempotency"
_REPLAYED = "_bista_idempotency_replayed"


class _KeyTaken(Exception):
    """Another request stored an answer under this key while this one ran: its write must be undone."""


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= ch <= "~" for ch in key):
        raise IdempotencyKeyError(
            "idempotency_key_invalid",
            f"{HEADER} ska vara 1–{MAX_KEY_LENGTH} synliga ASCII-tecken, till exempel ett UUID.",
        )
    return key


def _fingerprint(request: HttpRequest) -> str:
    try:
        body = request.body
    except RawPostDataException:  # a multipart body already read as a form
        body = repr(sorted(request.POST.lists())).encode()
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\x00")
    digest.update(body)
    return digest.hexdigest()


def _live(user: Any, key: str) -> IdempotencyRecord | None:
    cutoff = clock.now() - KEY_LIFETIME
    return IdempotencyRecord.objects.filter(user=user, key=key, created_at__gte=cutoff).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyError(
            "idempotency_key_reused",
            f"{HEADER} har redan använts för en annan begäran. Använd en ny nyckel för en ny ändring.",
        )
    response = HttpResponse(record.body, status=record.status_code, content_type=record.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def replay_or_continue(request: HttpRequest, user: Any) -> HttpResponse | None:
    """Before a write runs (its user known): the stored answer for a retry, or None to go on (noting the key
    so that the answer is stored). Raises IdempotencyKeyError for a malformed or reused key."""
    if request.method not in WRITE_METHODS or user is None or not getattr(user, "pk", None):
        return None
    key = _key(request)
    if key is None:
        return None
    fingerprint = _fingerprint(request)
    record = _live(user, key)
    if record is not None:
        setattr(request, _REPLAYED, True)
        return _replay(record, fingerprint)
    setattr(request, _PENDING, (user, key, fingerprint))
    return None


def _remember(request: HttpRequest, response: HttpResponse) -> None:
    """Store a successful answer (inside the write's transaction)."""
    pending = getattr(request, _PENDING, None)
    if pending is None or getattr(request, _REPLAYED, False) or not 200 <= response.status_code < 300:
        return
    if getattr(response, "streaming", False):
        return  # a file or a stream: nothing small to keep (no API write answers with one today)
    try:
        body = response.content.decode("utf-8")
    except UnicodeDecodeError:
        return
    user, key, fingerprint = pending
    now = clock.now()
    IdempotencyRecord.objects.filter(created_at__lt=now - KEY_LIFETIME).delete()
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                fingerprint=fingerprint,
                status_code=response.status_code,
                content_type=response.get("Content-Type", "application/json"),
                body=body,
                created_at=now,
            )
    except IntegrityError as error:
        raise _KeyTaken from error


ExceptionHandler = Callable[[HttpRequest, Exception], HttpResponse]


def atomic_writes(
    on_exception: ExceptionHandler,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A decorator for an API operation's run (authentication, parsing, the view and the shaping of its
    answer): a write and its answer commit together, an error answer rolls the write back, a successful one
    is stored under its idempotency key in the same transaction. `on_exception` turns an error raised while
    replaying (a reused key) into the API's error answer."""

    def decorate(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return _atomic_write(run, on_exception)

    return decorate


def _atomic_write(run: Callable[..., HttpResponse], on_exception: ExceptionHandler) -> Callable[..., HttpResponse]:
    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in WRITE_METHODS:
            return run(request, *args, **kwargs)
        try:
            with transaction.atomic():
                response = run(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)
                else:
                    _remember(request, response)
        except _KeyTaken:
            user, key, fingerprint = getattr(request, _PENDING)
            record = _live(user, key)
            if record is None:  # pragma: no cover - the winner's record expired within the same second
                raise
            try:
                return _replay(record, fingerprint)
            except IdempotencyKeyError as error:
                return on_exception(request, error)
        return response

    return wrapper
