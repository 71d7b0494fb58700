"""Files made by a background task (Django's Tasks API) for the user who asked — the VP/VB, the client record
print, the emergency export: one way to run them. The request is checked and audited by the context's service,
which creates the row (a `core.models.GeneratedFile`) and enqueues its task on commit; the task calls `run`,
which reports progress on the row (its own short writes, so the status page can show them while the work
goes on), keeps the bytes with their checksum, or the reason it failed — never half a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet

from bista.core import clock
from bista.core.models import GeneratedFile

F = TypeVar("F", bound=GeneratedFile)
Progress = Callable[[int, str], None]


def record_progress(queryset: QuerySet[Any], pk: int, progress: int, message: str = "") -> None:
    """How far the task has come, 0–99 (100 is only for a kept file)."""
    queryset.filter(pk=pk).update(
        status=GeneratedFile.Status.RUNNING, progress=min(max(progress, 0), 99), message=message[:300]
    )


def fail(queryset: QuerySet[F], pk: int, message: str) -> F:
    queryset.filter(pk=pk).update(
        status=GeneratedFile.Status.FAILED, message=message[:300], content=None, finished_at=clock.now()
    )
    return queryset.get(pk=pk)


def run(queryset: QuerySet[F], pk: int, build: Callable[[F, Progress], bytes], *, on_done: Callable[[F], None]) -> F:
    """Make the file's bytes with `build(file, progress)` and keep them; `on_done(file)` (the audit event, an
    expiry) runs in the same transaction as the save. A file already made is not made again. A refusal
    (PermissionDenied: the asker lost the access meanwhile) or a ValidationError keeps its message; any other
    error a generic one, so that nothing of the data leaks into the message."""
    generated = queryset.get(pk=pk)
    if generated.status == GeneratedFile.Status.DONE:
        return generated
    record_progress(queryset, pk, 1, "Startar")
    try:
        content = build(generated, lambda progress, message: record_progress(queryset, pk, progress, message))
    except ValidationError as error:
        return fail(queryset, pk, "; ".join(error.messages))
    except PermissionDenied:
        return fail(queryset, pk, "Behörighet saknas för att skapa filen.")
    except Exception as error:  # the reason is kept for the user; the task must not crash silently
        return fail(queryset, pk, f"Filen kunde inte skapas ({type(error).__name__}).")
    with transaction.atomic():
        # Locked without the queryset's joins: a nullable join cannot be locked on PostgreSQL.
        generated = queryset.model._default_manager.select_for_update().get(pk=pk)
        generated.content = content
        generated.sha256 = hashlib.sha256(content).hexdigest()
        generated.size = len(content)
        generated.status = GeneratedFile.Status.DONE
        generated.progress = 100
        generated.message = ""
        generated.finished_at = clock.now()
        on_done(generated)
        generated.save()
    return generated
