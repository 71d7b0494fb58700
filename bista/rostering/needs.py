"""A client's staffing needs expanded to dated slots, and the hours the decisions grant for a period.

Pure: the loader turns `NeedPattern` and `BookedOccasion` rows into `PatternFact` and `OccasionFact`.
Patterns are wall-clock times in Europe/Stockholm; the slots carry UTC instants, so `NeedSlot.hours` is the
elapsed length (a 22:00–07:00 night is 8 h when the clocks go forward and 10 h when they go back).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import SupportsFloat

from bista.core.clock import STOCKHOLM
from bista.rostering.facts import Kind, NeedSlot, Period

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
SCOPE_UNITS = ("week", "month", "occasion")  # the values of care.models.Order.ScopeUnit


@dataclass(frozen=True)
class PatternFact:
    """A recurring need: on the ISO weekdays in `weekdays` ("1234567", 1 = Monday) from `start_time` to
    `end_time` (not after the start time: the next day), `staff_count` people, from `valid_from` to
    `valid_to` (inclusive; None: until further notice)."""

    id: int
    client_id: int
    weekdays: str
    start_time: datetime.time
    end_time: datetime.time
    staff_count: int
    kind: Kind
    valid_from: datetime.date
    valid_to: datetime.date | None


@dataclass(frozen=True)
class OccasionFact:
    """A booked occasion (ledsagning, avlösning, …) at aware times."""

    id: int
    client_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    staff_count: int


def expand_needs(
    patterns: Sequence[PatternFact], occasions: Sequence[OccasionFact], period: Period
) -> tuple[NeedSlot, ...]:
    """Every slot starting on a date of the period (a night starting on the period's last day runs past it;
    one starting the day before belongs to the previous period), sorted by start."""
    slots = [slot for pattern in patterns for slot in _pattern_slots(pattern, period)]
    slots += [slot for occasion in occasions if (slot := _occasion_slot(occasion, period)) is not None]
    return tuple(sorted(slots, key=lambda s: (s.starts_at, s.client_id, s.key)))


def _pattern_slots(pattern: PatternFact, period: Period) -> Iterator[NeedSlot]:
    first = max(period.start, pattern.valid_from)
    last = period.end if pattern.valid_to is None else min(period.end, pattern.valid_to)
    day = first
    while day <= last:
        if str(day.isoweekday()) in pattern.weekdays:
            slot = _pattern_slot(pattern, day)
            if slot is not None:
                yield slot
        day += ONE_DAY


def _pattern_slot(pattern: PatternFact, day: datetime.date) -> NeedSlot | None:
    """The slot on one day; None when the clock change swallows it (e.g. 02:15–02:45 on spring-forward day)."""
    end_day = day if pattern.end_time > pattern.start_time else day + ONE_DAY
    starts_at = local_instant(day, pattern.start_time)
    ends_at = local_instant(end_day, pattern.end_time)
    if ends_at <= starts_at:
        return None
    return NeedSlot(
        key=f"pattern:{pattern.id}:{day.isoformat()}",
        client_id=pattern.client_id,
        starts_at=starts_at,
        ends_at=ends_at,
        staff_count=pattern.staff_count,
        kind=Kind(pattern.kind),
        source=f"pattern:{pattern.id}",
    )


def _occasion_slot(occasion: OccasionFact, period: Period) -> NeedSlot | None:
    starts_at = occasion.starts_at.astimezone(UTC)
    ends_at = occasion.ends_at.astimezone(UTC)
    if not period.start <= starts_at.astimezone(STOCKHOLM).date() <= period.end or ends_at <= starts_at:
        return None
    return NeedSlot(
        key=f"occasion:{occasion.id}",
        client_id=occasion.client_id,
        starts_at=starts_at,
        ends_at=ends_at,
        staff_count=occasion.staff_count,
        kind=Kind.ACTIVE,
        source=f"occasion:{occasion.id}",
    )


def local_instant(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The UTC instant of a wall-clock time in Europe/Stockholm. A time the spring change skips (02:30)
    moves forward to the first valid time (03:00); a time the autumn change repeats takes its first
    occurrence (fold=0, still summer time)."""
    wall = datetime.datetime.combine(day, time.replace(tzinfo=None, fold=0), tzinfo=STOCKHOLM)
    instant = wall.astimezone(UTC)
    if instant.astimezone(STOCKHOLM).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return instant
    return _end_of_gap(wall)


def _end_of_gap(wall: datetime.datetime) -> datetime.datetime:
    """The first instant after the clock change whose gap contains the non-existent wall time.

    The instant lies between reading the wall time with the offset after the change (fold=1) and with the
    one before (fold=0); the offset changes once in between (on a whole second), so a binary search finds it."""
    low = int(wall.replace(fold=1).timestamp())  # still before the change
    high = int(wall.replace(fold=0).timestamp())  # already after it
    after = _offset_at(high)
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle) == after:
            high = middle
        else:
            low = middle
    return datetime.datetime.fromtimestamp(high, UTC)


def _offset_at(timestamp: int) -> datetime.timedelta | None:
    return datetime.datetime.fromtimestamp(timestamp, STOCKHOLM).utcoffset()


def granted_hours(
    scope_amount: SupportsFloat,
    scope_unit: str,
    decision_start: datetime.date,
    decision_end: datetime.date | None,
    period: Period,
) -> float | None:
    """Hours a decision grants within the period: hours a week × days / 7, or hours a month prorated by the
    days of each calendar month the decision and the period share. None for a scope in occasions a month
    (the occasions are booked one by one and each booking is the grant)."""
    if scope_unit not in SCOPE_UNITS:
        raise ValueError(f"Okänd enhet för omfattning: {scope_unit!r}.")
    if scope_unit == "occasion":
        return None
    first = max(decision_start, period.start)
    last = period.end if decision_end is None else min(decision_end, period.end)
    if last < first:
        return 0.0
    amount = float(scope_amount)
    if scope_unit == "week":
        return amount * ((last - first).days + 1) / 7
    return sum(amount * days / month_days for days, month_days in _month_shares(first, last))


def _month_shares(first: datetime.date, last: datetime.date) -> Iterator[tuple[int, int]]:
    """For each calendar month from `first` to `last` (inclusive): the days inside, the days of the month."""
    day = first
    while day <= last:
        month_days = calendar.monthrange(day.year, day.month)[1]
        month_last = day.replace(day=month_days)
        yield (min(month_last, last) - day).days + 1, month_days
        day = month_last + ONE_DAY
