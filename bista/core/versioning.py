"""Optimistic concurrency for editable records: a save names the version it started from.

Three pieces, from the simplest edit to the most involved:
- `update_versioned`: an edit that is a set of field changes (lock, refuse stale, validate, save, audit);
- `lock_for_edit`: the row locked and refused if stale, for a service whose edit is more than field changes
  (a state change, a signature, child rows) and that then bumps `version` and saves itself;
- `check_version`: only the comparison, for a row the service locked or created itself (a get-or-create).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models

from bista.core import audit
from bista.core.errors import ConflictError
from bista.core.models import Unit


class Versioned(models.Model):
    """A record edited with optimistic concurrency: `version` counts its saved edits, starting at 1."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


V = TypeVar("V", bound=Versioned)


def check_version(
    obj: Versioned | None, expected_version: int | None, *, conflict: type[ConflictError] = ConflictError
) -> None:
    """Refuse an edit that started from another version than the row's. `expected_version=None` skips the check
    (the SYSTEM actor). `obj=None` is a record not yet created (a get-or-create): its version counts as 0, so
    only an edit that started from nothing (0 or None) may create it."""
    current = obj.version if obj is not None else 0
    if expected_version is not None and expected_version != current:
        raise conflict(current_version=current)


def lock_for_edit(
    model: type[V],
    pk: Any,
    expected_version: int | None,
    *,
    related: Sequence[str] = (),
    conflict: type[ConflictError] = ConflictError,
) -> V:
    """The row locked for the rest of the transaction, refused (nothing saved) if the edit began from a stale
    version. `related` joins rows for reading only: on PostgreSQL only the edited row is locked."""
    manager = model._default_manager
    query = manager.select_for_update(of=("self",)).select_related(*related) if related else manager.select_for_update()
    locked = query.get(pk=pk)
    check_version(locked, expected_version, conflict=conflict)
    return locked


def update_versioned(
    *,
    actor: Any,
    obj: V,
    expected_version: int | None,
    changes: Mapping[str, Any],
    editable: Iterable[str],
    audited: Iterable[str],
    action: str,
    unit: Unit | None,
) -> V:
    """Lock the row, refuse a stale version, apply `changes` to `editable` fields, validate, save, audit.

    Must run inside the calling service's transaction. `expected_version=None` is only for the SYSTEM actor.
    """
    locked = lock_for_edit(type(obj), obj.pk, expected_version)
    current = locked.version
    audited = tuple(audited)
    old = audit.snapshot(locked, audited)
    allowed = set(editable)
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.version = current + 1
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, audited))
    if after:
        audit.record(actor=actor, action=action, obj=locked, old=before, new=after, unit=unit)
    return locked
