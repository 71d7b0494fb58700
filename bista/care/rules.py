"""Pure rules of the provider chain: an order's status from its dated steps, what changed between two plan
versions, a client's deliveries against the yearly goal. No database, no clock."""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Order status codes (the values of care.models.Order.Status), furthest step wins.
RECEIVED, FIRST_CONTACT, PLAN_ESTABLISHED, EXECUTED, INTERRUPTED, ENDED = (
    "received",
    "first_contact",
    "plan_established",
    "executed",
    "interrupted",
    "ended",
)


def order_status(
    *,
    first_contact_on: datetime.date | None,
    plan_established_on: datetime.date | None,
    executed_on: datetime.date | None,
    interrupted: bool,
    ended_on: datetime.date | None,
) -> str:
    if ended_on is not None:
        return ENDED
    if interrupted:
        return INTERRUPTED
    if executed_on is not None:
        return EXECUTED
    if plan_established_on is not None:
        return PLAN_ESTABLISHED
    if first_contact_on is not None:
        return FIRST_CONTACT
    return RECEIVED


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    diff: list[tuple[str, str]]  # (" ", "-", "+") and the line


def text_changes(labels: Mapping[str, str], old: Mapping[str, str], new: Mapping[str, str]) -> list[FieldChange]:
    """Line-by-line differences between two versions of the same text fields, only where they differ."""
    changes = []
    for key, label in labels.items():
        before, after = old.get(key, "") or "", new.get(key, "") or ""
        if before == after:
            continue
        diff = [
            (line[0], line[2:])
            for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in {" ", "-", "+"}
        ]
        changes.append(FieldChange(label=label, old=before, new=after, diff=diff))
    return changes


def deliveries_over_goal(delivery_dates: Sequence[datetime.date], year: int, max_per_year: int) -> tuple[int, bool]:
    """A client's number of deliveries in `year` and whether it exceeds the goal."""
    count = sum(1 for day in delivery_dates if day.year == year)
    return count, count > max_per_year
