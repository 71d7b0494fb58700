"""Optimistic concurrency for editable records: a save names the version it started from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from bista.core import audit
from bista.core.errors import ConflictError
from bista.core.models import Unit

M = TypeVar("M", bound=models.Model)


def update_versioned(
    *,
    actor: Any,
    obj: M,
    expected_version: int | None,
    changes: Mapping[str, Any],
    editable: Iterable[str],
    audited: Iterable[str],
    action: str,
    unit: Unit | None,
) -> M:
    """Lock the row, refuse a stale version, apply `changes` to `editable` fields, validate, save, audit.

    Must run inside the calling service's transaction. `expected_version=None` is only for the SYSTEM actor.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    current = locked.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise ConflictError(current_version=current)
    audited = tuple(audited)
    old = audit.snapshot(locked, audited)
    allowed = set(editable)
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.version = current + 1  # type: ignore[attr-defined]
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, audited))
    if after:
        audit.record(actor=actor, action=action, obj=locked, old=before, new=after, unit=unit)
    return locked
