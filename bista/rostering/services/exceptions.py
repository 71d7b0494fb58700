"""Writes of shift exceptions: a documented exception from a working-time rule for one employee (and client)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from bista.clients.models import Client
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.permissions import Perm
from bista.rostering.models import ShiftException
from bista.rostering.services.common import AUTHOR_FIELDS, _error, _person
from bista.staff.models import Employee

EXCEPTION_AUDITED = ("employee", "client", "reference", "valid_from", "valid_to", "revoked_at")


@transaction.atomic
def exception_register(
    *,
    actor: Any,
    employee: Employee,
    reference: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    client: Client | None = None,
) -> ShiftException:
    """Register a local exception letting the employee work passes up to the regime's longer limit."""
    check_perm(actor, Perm.ROSTER_MANAGE, employee.unit_id)
    reference = (reference or "").strip()
    if not reference:
        raise _error("reference", "Ange avtalet eller diarienumret.", "required")
    if valid_to < valid_from:
        raise _error("valid_to", "Slutdatum får inte vara före startdatum.", "end_before_start")
    exception = ShiftException(
        employee=employee,
        client=client,
        reference=reference,
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=_person(actor),
    )
    audit.save_new(
        exception,
        actor=actor,
        action="shift_exception.register",
        fields=EXCEPTION_AUDITED,
        unit=employee.unit,
        exclude=AUTHOR_FIELDS,
    )
    return exception


@transaction.atomic
def exception_revoke(*, actor: Any, exception: ShiftException) -> ShiftException:
    check_perm(actor, Perm.ROSTER_MANAGE, exception.employee.unit_id)
    locked = (
        ShiftException.objects.select_for_update(of=("self",)).select_related("employee__unit").get(pk=exception.pk)
    )
    if locked.revoked_at is not None:
        raise _error("status", "Undantaget är redan återkallat.", "revoked")
    locked.revoked_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="shift_exception.revoke",
        obj=locked,
        new={"revoked_at": locked.revoked_at},
        unit=locked.employee.unit,
    )
    return locked
