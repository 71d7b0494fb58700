"""What the optimiser hands back: the proposal, the needs it could not cover and why, and its figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from bista.rostering import rules
from bista.rostering.facts import NeedSlot, ShiftFact, Violation
from bista.rostering.optimiser.greedy import Pair, proposed_shift
from bista.rostering.optimiser.prepare import Prepared
from bista.rostering.optimiser.report import hourly_paid_reasons, roster_statistics, uncovered_reason

Status = Literal["optimal", "feasible", "infeasible", "stopped", "timeout_without_solution"]


@dataclass(frozen=True)
class Progress:
    fraction: float  # elapsed / time limit, 0–1
    objective: float | None  # the best roster's weighted cost so far
    bound: float | None  # proven: no roster can cost less
    solutions: int
    message: str  # Swedish, for the job page


@dataclass(frozen=True)
class Uncovered:
    need: NeedSlot
    missing: int
    reason: str  # Swedish


@dataclass(frozen=True)
class RosterResult:
    status: Status
    shifts: tuple[ShiftFact, ...]
    uncovered: tuple[Uncovered, ...]
    objective: float | None
    best_bound: float | None
    wall_time: float
    first_solution_time: float | None  # seconds until a complete roster that keeps the rules existed
    statistics: dict[str, Any] = field(default_factory=dict)


def hard_violations(prepared: Prepared, flags: dict[Pair, bool]) -> list[tuple[Violation, set[Pair]]]:
    """The checker's hard violations that involve a proposed shift, each with the proposals taking part."""
    shifts = {}
    for pair, overtime in flags.items():
        shift = proposed_shift(prepared, pair, overtime)
        shifts[shift.key] = pair
    roster = [proposed_shift(prepared, pair, overtime) for pair, overtime in flags.items()]
    instance = prepared.instance
    found = rules.check_roster(
        [*instance.fixed_shifts, *roster],
        {e.employee_id: e for e in instance.employees},
        prepared.clients,
        instance.period,
    )
    result = []
    for violation in found:
        if not violation.hard:
            continue
        pairs = {shifts[key] for key in violation.shift_keys if key in shifts}
        if pairs:
            result.append((violation, pairs))
    return result


# --- The result ------------------------------------------------------------------------------------------


def build_result(
    prepared: Prepared,
    flags: dict[Pair, bool],
    status: Status,
    objective: float | None,
    bound: float | None,
    wall_time: float,
    first_solution_time: float | None,
    statistics: dict[str, Any],
) -> RosterResult:
    shifts = sorted(
        (proposed_shift(prepared, pair, overtime) for pair, overtime in flags.items()),
        key=lambda s: (s.starts_at.timestamp(), s.client_id, s.key),
    )
    roster: dict[int, list[ShiftFact]] = defaultdict(list)
    for e in prepared.employees:
        roster[e.index] = list(e.fixed)
    placed: dict[int, set[int]] = defaultdict(set)
    client_minutes = dict(prepared.fixed_client_minutes)
    for pair, overtime in flags.items():
        roster[pair[1]].append(proposed_shift(prepared, pair, overtime))
        placed[pair[0]].add(pair[1])
        slot = prepared.slots[pair[0]]
        client_minutes[slot.client.client_id] = client_minutes.get(slot.client.client_id, 0) + slot.clipped
    uncovered = []
    uncovered_minutes = 0
    for slot in prepared.slots:
        missing = slot.count - len(placed[slot.index])
        if missing > 0:
            reason = uncovered_reason(
                prepared, slot, roster, client_minutes.get(slot.client.client_id, 0), placed[slot.index]
            )
            uncovered.append(Uncovered(slot.need, missing, reason))
            uncovered_minutes += missing * slot.length
    stats = roster_statistics(prepared.instance, shifts)
    stats.update(statistics)
    stats["uncovered_slots"] = len(uncovered)
    stats["uncovered_hours"] = round(uncovered_minutes / 60, 2)
    stats["hourly_paid_reasons"] = hourly_paid_reasons(prepared, flags, roster)
    return RosterResult(
        status=status,
        shifts=tuple(shifts),
        uncovered=tuple(uncovered),
        objective=None if objective is None else round(objective, 3),
        best_bound=None if bound is None else round(bound, 3),
        wall_time=round(wall_time, 3),
        first_solution_time=None if first_solution_time is None else round(first_solution_time, 3),
        statistics=stats,
    )
