"""Errors the services raise besides Django's ValidationError (bad input) and PermissionDenied."""

from __future__ import annotations


class ConflictError(Exception):
    """Someone else saved the record after this edit began: the stale save is refused, nothing is lost."""

    code = "conflict"
    default_message = "Någon annan har ändrat uppgifterna medan du redigerade. Läs in sidan igen och gör om ändringen."

    def __init__(self, message: str = "", *, current_version: int | None = None) -> None:
        super().__init__(message or self.default_message)
        self.current_version = current_version


class IdempotencyKeyError(Exception):
    """An `Idempotency-Key` header that is malformed, or reused for a different request (422)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
