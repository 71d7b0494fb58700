"""Writes of a client's needs: recurring need patterns, booked occasions, and patterns proposed from an order."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.db import transaction

from bista.care.models import Order
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.permissions import Perm
from bista.rostering.models import BookedOccasion, NeedPattern, Shift, ShiftKind
from bista.rostering.services.common import (
    AUTHOR_FIELDS,
    _check_kind,
    _check_times,
    _error,
    _last_local_date,
    _local_date,
    _person,
    _utc,
)
from bista.rostering.services.shifts import MAX_OPEN_SHIFT, shift_cancel

PATTERN_AUDITED = (
    "client",
    "order",
    "weekdays",
    "start_time",
    "end_time",
    "staff_count",
    "kind",
    "valid_from",
    "valid_to",
)
OCCASION_AUDITED = ("client", "order", "starts_at", "ends_at", "staff_count", "note", "cancelled_at")


def _normalised_weekdays(weekdays: str) -> str:
    days = (weekdays or "").replace(",", "").replace(" ", "")
    if not days or any(d not in "1234567" for d in days) or len(set(days)) != len(days):
        raise _error("weekdays", "Ange veckodagar som siffror 1–7 (1 = måndag), var och en en gång.", "invalid")
    return "".join(sorted(days))


def _check_within_order(order: Order, first: datetime.date, last: datetime.date | None, field: str) -> None:
    if first < order.period_start:
        raise _error(field, f"Beslutsperioden börjar {order.period_start:%Y-%m-%d}.", "outside_decision")
    end = order.period_end
    if end is not None and (last is None or last > end):
        field_last = "valid_to" if field == "valid_from" else field
        raise _error(field_last, f"Beslutsperioden slutar {end:%Y-%m-%d}.", "outside_decision")


@transaction.atomic
def need_pattern_create(
    *,
    actor: Any,
    order: Order,
    weekdays: str,
    start_time: datetime.time,
    end_time: datetime.time,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    staff_count: int = 1,
    kind: str = ShiftKind.ACTIVE,
) -> NeedPattern:
    """A recurring need of the order's client (an end time not after the start time runs past midnight)."""
    check_perm(actor, Perm.ROSTER_MANAGE, order.unit_id)
    if order.status == Order.Status.ENDED:
        raise _error("order", "Beställningen är avslutad.", "ended")
    _check_kind(kind)
    if valid_to is not None and valid_to < valid_from:
        raise _error("valid_to", "Slutdatum får inte vara före startdatum.", "end_before_start")
    _check_within_order(order, valid_from, valid_to, "valid_from")
    pattern = NeedPattern(
        client_id=order.client_id,
        order=order,
        weekdays=_normalised_weekdays(weekdays),
        start_time=start_time,
        end_time=end_time,
        staff_count=staff_count,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        recorded_by=_person(actor),
    )
    audit.save_new(
        pattern,
        actor=actor,
        action="need_pattern.create",
        fields=PATTERN_AUDITED,
        unit=order.unit,
        exclude=AUTHOR_FIELDS,
    )
    return pattern


@transaction.atomic
def need_pattern_end(*, actor: Any, pattern: NeedPattern, last_day: datetime.date) -> NeedPattern:
    """End a need pattern after `last_day` (the pattern stays, with its history)."""
    check_perm(actor, Perm.ROSTER_MANAGE, pattern.order.unit_id)
    locked = NeedPattern.objects.select_for_update(of=("self",)).select_related("order__unit").get(pk=pattern.pk)
    if last_day < locked.valid_from:
        raise _error("last_day", f"Mönstret gäller från {locked.valid_from:%Y-%m-%d}.", "before_start")
    if locked.valid_to is not None and last_day > locked.valid_to:
        raise _error("last_day", f"Mönstret slutar redan {locked.valid_to:%Y-%m-%d}.", "after_end")
    old = audit.snapshot(locked, ("valid_to", "ended_at"))
    locked.valid_to = last_day
    locked.ended_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="need_pattern.end",
        obj=locked,
        old=old,
        new=audit.snapshot(locked, ("valid_to", "ended_at")),
        unit=locked.order.unit,
    )
    return locked


@transaction.atomic
def booked_occasion_create(
    *,
    actor: Any,
    order: Order,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    staff_count: int = 1,
    note: str = "",
) -> BookedOccasion:
    """A booked occasion (ledsagning, avlösning …) of the order's client."""
    check_perm(actor, Perm.ROSTER_MANAGE, order.unit_id)
    if order.status == Order.Status.ENDED:
        raise _error("order", "Beställningen är avslutad.", "ended")
    _check_times(starts_at, ends_at)
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    if ends_at - starts_at > MAX_OPEN_SHIFT:
        raise _error("ends_at", "Ett tillfälle kan vara högst 24 timmar.", "too_long")
    _check_within_order(order, _local_date(starts_at), _last_local_date(ends_at), "starts_at")
    occasion = BookedOccasion(
        client_id=order.client_id,
        order=order,
        starts_at=starts_at,
        ends_at=ends_at,
        staff_count=staff_count,
        note=(note or "").strip(),
        recorded_by=_person(actor),
    )
    audit.save_new(
        occasion,
        actor=actor,
        action="occasion.create",
        fields=OCCASION_AUDITED,
        unit=order.unit,
        exclude=AUTHOR_FIELDS,
    )
    return occasion


@transaction.atomic
def booked_occasion_cancel(*, actor: Any, occasion: BookedOccasion, reason: str = "") -> BookedOccasion:
    """Cancel a booked occasion; its draft and published shifts are cancelled with it."""
    check_perm(actor, Perm.ROSTER_MANAGE, occasion.order.unit_id)
    locked = BookedOccasion.objects.select_for_update(of=("self",)).select_related("order__unit").get(pk=occasion.pk)
    if locked.cancelled_at is not None:
        raise _error("status", "Tillfället är redan avbokat.", "cancelled")
    locked.cancelled_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="occasion.cancel",
        obj=locked,
        new={"cancelled_at": locked.cancelled_at, "reason": reason},
        unit=locked.order.unit,
    )
    for shift in Shift.objects.select_for_update().filter(
        booked_occasion=locked, status__in=(Shift.Status.DRAFT, Shift.Status.PUBLISHED)
    ):
        shift_cancel(actor=actor, shift=shift, reason=reason.strip() or "Tillfället är avbokat.")
    return locked


# Shifts of a 24/7 need (DOMAIN §5: 11 h rest; three shifts of at most 9 h each).
DAY_BLOCKS = ((datetime.time(7), 8.0), (datetime.time(15), 7.0), (datetime.time(22), 9.0))
FULL_WEEK_HOURS = 168.0
WEEKS_PER_MONTH = 52 / 12


def needs_from_order(*, actor: Any, order: Order) -> list[NeedPattern]:
    """A proposal of need patterns for the order, not saved: the manager adjusts and saves them with
    `need_pattern_create`. 24/7 assistance (≥ 168 h a week) gives 07–15, 15–22 and 22–07 every day (two
    staff when the decision grants twice that); smaller weekly scopes give daytime patterns within the
    granted hours (every day from 35 h a week, else Monday–Friday). Occasion-based orders give none."""
    check_perm(actor, Perm.ROSTER_MANAGE, order.unit_id)
    if order.scope_unit == Order.ScopeUnit.OCCASION:
        return []
    weekly = float(order.scope_amount) * (1 if order.scope_unit == Order.ScopeUnit.WEEK else 1 / WEEKS_PER_MONTH)
    valid_from = max(order.period_start, clock.today())
    if order.period_end is not None and order.period_end < valid_from:
        return []

    def pattern(weekdays: str, start: datetime.time, hours: float, staff: int) -> NeedPattern:
        end = (datetime.datetime.combine(datetime.date(2000, 1, 1), start) + datetime.timedelta(hours=hours)).time()
        return NeedPattern(
            client_id=order.client_id,
            order=order,
            weekdays=weekdays,
            start_time=start,
            end_time=end,
            staff_count=staff,
            kind=ShiftKind.ACTIVE,
            valid_from=valid_from,
            valid_to=order.period_end,
        )

    if weekly >= FULL_WEEK_HOURS:
        staff = max(1, min(4, int(weekly // FULL_WEEK_HOURS)))
        return [pattern("1234567", start, hours, staff) for start, hours in DAY_BLOCKS]
    weekdays = "1234567" if weekly >= 35 else "12345"
    per_day = math.floor(weekly / len(weekdays) * 4) / 4  # whole quarters of an hour, never above the grant
    proposal: list[NeedPattern] = []
    for start, hours in DAY_BLOCKS:
        if per_day <= 0:
            break
        length = min(hours, per_day)
        proposal.append(pattern(weekdays, start, length, 1))
        per_day -= length
    return proposal
