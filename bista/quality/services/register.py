"""Writes of the quality register: routines, self-check plan items and their results."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, valid_on
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.quality.models import (
    Routine,
    SelfCheckPlanItem,
    SelfCheckResult,
)
from bista.quality.services.common import _not_in_future, _save, _strip

ROUTINE_FIELDS = ("name", "process", "owner", "version_label", "content", "adopted_on", "reviewed_on", "is_active")


def _check_owner(owner: Any, unit: Unit, field: str) -> None:
    if owner is None or not Membership.objects.filter(valid_on(clock.today()), user=owner, unit=unit).exists():
        raise ValidationError({field: "Personen har ingen roll i enheten."})


@transaction.atomic
def routine_create(*, actor: Any, unit: Unit, **values: Any) -> Routine:
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    routine = Routine(unit=unit, **_strip(values))
    _check_owner(routine.owner if routine.owner_id else None, unit, "owner")
    if routine.reviewed_on and routine.adopted_on and routine.reviewed_on < routine.adopted_on:
        raise ValidationError({"reviewed_on": "Revideringen kan inte vara före fastställandet."})
    routine.full_clean()
    routine.save()
    audit.record(
        actor=actor, action="routine.create", obj=routine, new=audit.snapshot(routine, ROUTINE_FIELDS), unit=unit
    )
    return routine


@transaction.atomic
def routine_update(*, actor: Any, routine: Routine, expected_version: int | None, **changes: Any) -> Routine:
    check_perm(actor, Perm.QUALITY_MANAGE, routine.unit)
    locked = lock_for_edit(Routine, routine.pk, expected_version)
    old = audit.snapshot(locked, ROUTINE_FIELDS)
    for name, value in _strip(changes).items():
        if name not in ROUTINE_FIELDS:
            raise TypeError(f"not editable: {name}")
        setattr(locked, name, value)
    _check_owner(locked.owner, locked.unit, "owner")
    if locked.reviewed_on < locked.adopted_on:
        raise ValidationError({"reviewed_on": "Revideringen kan inte vara före fastställandet."})
    return _save(actor, locked, old, ROUTINE_FIELDS, "routine.update")  # type: ignore[no-any-return]


@transaction.atomic
def self_check_item_create(*, actor: Any, unit: Unit, **values: Any) -> SelfCheckPlanItem:
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    item = SelfCheckPlanItem(unit=unit, **_strip(values))
    _check_owner(item.responsible if item.responsible_id else None, unit, "responsible")
    item.full_clean()
    item.save()
    audit.record(
        actor=actor,
        action="self_check_plan.create",
        obj=item,
        new=audit.snapshot(item, ("what", "method", "frequency", "responsible", "computed_check")),
        unit=unit,
    )
    return item


@transaction.atomic
def self_check_result_record(
    *, actor: Any, item: SelfCheckPlanItem, performed_on: datetime.date, result: str, actions: str = ""
) -> SelfCheckResult:
    if actor is SYSTEM:
        raise ValueError("a self-check result is recorded by a person")
    if actor.pk != item.responsible_id:
        check_perm(actor, Perm.QUALITY_MANAGE, item.unit)
    _not_in_future(performed_on, "performed_on")
    if not (result or "").strip():
        raise ValidationError({"result": "Skriv resultatet."})
    entry = SelfCheckResult.objects.create(
        item=item, performed_on=performed_on, result=result.strip(), actions=(actions or "").strip(), recorded_by=actor
    )
    audit.record(actor=actor, action="self_check.result", obj=item, new={"result": entry.pk}, unit=item.unit)
    return entry
