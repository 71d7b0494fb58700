"""The audit trail: every write records who changed what, from what, to what, in the same transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from bista.core.actions import AUDIT_ACTIONS
from bista.core.models import AuditEvent, Unit
from bista.core.requestid import current_request_id, set_request_id

__all__ = ["changed", "current_request_id", "record", "save_new", "set_request_id", "snapshot"]


def _json_safe(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of `fields` (foreign keys by id) for old/new values in the audit event."""
    result: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        value = getattr(obj, attname)
        if isinstance(field, models.DecimalField) and value is not None:
            # 100 and 100.00 are the same amount: quantize so that only real changes show up as changes.
            value = decimal.Decimal(value).quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        result[name] = _json_safe(value)
    return result


def changed(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, for a compact old/new pair."""
    keys = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    unit: Unit | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the writing service's transaction.

    `action` is a declared audit action (a context's `AuditAction` member or its value): an undeclared one is
    refused, so that a typo cannot start a new kind of event in the trail."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the write's transaction")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=AUDIT_ACTIONS.check(action),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        old_values=_json_safe(old or {}),
        new_values=_json_safe(new or {}),
        request_id=current_request_id(),
        unit=unit,
    )


M = TypeVar("M", bound=models.Model)


def save_new(
    obj: M,
    *,
    actor: Any,
    action: str,
    fields: Iterable[str],
    unit: Unit | None,
    exclude: Iterable[str] = (),
) -> M:
    """Validate, save and audit a new record: the create step of most services. `exclude` names fields that
    `full_clean` must not check (e.g. the author, set from the actor)."""
    obj.full_clean(exclude=list(exclude))
    obj.save()
    record(actor=actor, action=action, obj=obj, new=snapshot(obj, fields), unit=unit)
    return obj
