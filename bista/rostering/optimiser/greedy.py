"""The first-fit baseline: need slots in time order, each given to the first employee (in the instance's
order) who may take it and breaks no hard rule according to `rules.check_shift`.

It is what a hurried person does by hand, and what the optimiser is measured against; the optimiser also
starts its search from it (a hint).
"""

from __future__ import annotations

import dataclasses

from bista.rostering import rules
from bista.rostering.facts import ShiftFact
from bista.rostering.optimiser import objective
from bista.rostering.optimiser.objective import Load
from bista.rostering.optimiser.prepare import Prepared, SlotData

Pair = tuple[int, int]  # (slot index, employee index)
# A slot that at most this many more people than it needs may take is placed before the others.
SCARCE_MARGIN = 3


def shift_key(slot: SlotData, employee_id: int) -> str:
    """A proposal's key: the need slot's key and the employee (an employee takes a slot at most once)."""
    return f"{slot.need.key}@{employee_id}"


def proposed_shift(prepared: Prepared, pair: Pair, is_overtime: bool = False) -> ShiftFact:
    slot = prepared.slots[pair[0]]
    facts = prepared.employees[pair[1]].facts
    return ShiftFact(
        key=shift_key(slot, facts.employee_id),
        client_id=slot.need.client_id,
        employee_id=facts.employee_id,
        starts_at=slot.need.starts_at,
        ends_at=slot.need.ends_at,
        kind=slot.need.kind,
        is_overtime=is_overtime,
    )


def first_fit_pairs(prepared: Prepared, slots: list[int] | None = None) -> dict[Pair, bool]:
    """The first-fit choices, each with whether the shift is overtime (decided as it is placed, in time order)."""
    period = prepared.period
    own: dict[int, list[ShiftFact]] = {e.index: list(e.fixed) for e in prepared.employees}
    spans: dict[int, list[tuple[int, int]]] = {e.index: list(e.fixed_spans) for e in prepared.employees}
    client_minutes = dict(prepared.fixed_client_minutes)
    chosen: dict[Pair, bool] = {}
    order = prepared.slots if slots is None else [prepared.slots[s] for s in sorted(slots)]
    for slot in order:
        client = slot.client
        granted = None if client.granted_hours is None else int(client.granted_hours * 60 + 1e-6)
        placed: set[int] = set()
        for _ in range(slot.count):
            used = client_minutes.get(client.client_id, 0)
            if granted is not None and slot.clipped and used + slot.clipped > granted:
                break  # the decision's hours are spent
            for e in slot.eligible:
                if e in placed or any(a < slot.end and slot.start < b for a, b in spans[e]):
                    continue
                facts = prepared.employees[e].facts
                shift = proposed_shift(prepared, (slot.index, e))
                if rules.overtime_hours_for(shift, own[e], facts, period) > 0:
                    shift = dataclasses.replace(shift, is_overtime=True)
                violations = rules.check_shift(shift, own[e], facts, client, period)
                if any(v.hard for v in violations):
                    continue
                chosen[(slot.index, e)] = shift.is_overtime
                own[e].append(shift)
                spans[e].append((slot.start, slot.end))
                placed.add(e)
                client_minutes[client.client_id] = used + slot.clipped
                break
            else:
                break  # nobody else can take it
    return chosen


class _State:
    """What the constructive heuristic tracks per employee to price the next shift."""

    def __init__(self, prepared: Prepared) -> None:
        self.p = prepared
        self.own: dict[int, list[ShiftFact]] = {e.index: list(e.fixed) for e in prepared.employees}
        self.spans: dict[int, list[tuple[int, int]]] = {e.index: list(e.fixed_spans) for e in prepared.employees}
        self.load = {e.index: Load() for e in prepared.employees}
        self.serves: dict[int, set[int]] = {e.index: set() for e in prepared.employees}
        self.client_minutes = dict(prepared.fixed_client_minutes)

    def cost(self, slot: SlotData, e: int) -> tuple[int, float]:
        """The objective's increase if e takes the slot (model units, objective.py), and a tie-break: the
        share of the contract still open (more open first, so hours spread over the contracted staff)."""
        p = self.p
        w = p.instance.weights
        emp = p.employees[e]
        load = self.load[e]
        cost = objective.employee_cost(p, e, load.plus(slot)) - objective.employee_cost(p, e, load)
        if slot.client.client_id not in self.serves[e]:
            cost += objective.continuity(w, 1)
        cost += objective.client_wishes(w, slot.client, emp.facts)
        active = emp.fixed_active_minutes + load.active
        open_share = 0.0 if emp.target <= 0 else (emp.target - active) / emp.target
        return cost, -open_share

    def place(self, slot: SlotData, e: int, shift: ShiftFact) -> None:
        self.own[e].append(shift)
        self.spans[e].append((slot.start, slot.end))
        self.load[e] = self.load[e].plus(slot)
        self.serves[e].add(slot.client.client_id)
        cid = slot.client.client_id
        self.client_minutes[cid] = self.client_minutes.get(cid, 0) + slot.clipped


def _within_pass(prepared: Prepared, e: int, own: list[ShiftFact], shift: ShiftFact) -> bool:
    """The model never makes a work period of several shifts longer than the longest pass (exceptions are
    for single long passes); keep the constructive start inside the model."""
    emp = prepared.employees[e]
    if not shift.counts_as_work:
        return True
    for period in rules.work_periods([*own, shift], emp.facts.limits.daily_rest):
        if shift in period.shifts and len(period.shifts) > 1 and period.span > emp.facts.limits.max_pass:
            return False
    return True


def constructive_pairs(prepared: Prepared) -> dict[Pair, bool]:
    """The optimiser's start: slots in time order, each to the cheapest employee (by the objective's
    increase) who breaks no hard rule — so a client's next occasion goes to someone who already works there."""
    period = prepared.period
    state = _State(prepared)
    chosen: dict[Pair, bool] = {}
    # Slots few people can take first (a client needing sign language, a delegation), so that those few are
    # not already busy elsewhere when their turn comes; then the rest, each in time order.
    scarce = [s for s in prepared.slots if len(s.eligible) <= s.count + SCARCE_MARGIN]
    common = [s for s in prepared.slots if len(s.eligible) > s.count + SCARCE_MARGIN]
    for slot in scarce + common:
        client = slot.client
        granted = None if client.granted_hours is None else int(client.granted_hours * 60 + 1e-6)
        placed: set[int] = set()
        for _ in range(slot.count):
            used = state.client_minutes.get(client.client_id, 0)
            if granted is not None and slot.clipped and used + slot.clipped > granted:
                break
            candidates = sorted(
                (
                    e
                    for e in slot.eligible
                    if e not in placed and not any(a < slot.end and slot.start < b for a, b in state.spans[e])
                ),
                key=lambda e: (*state.cost(slot, e), e),
            )
            for e in candidates:
                facts = prepared.employees[e].facts
                shift = proposed_shift(prepared, (slot.index, e))
                if rules.overtime_hours_for(shift, state.own[e], facts, period) > 0:
                    shift = dataclasses.replace(shift, is_overtime=True)
                if not _within_pass(prepared, e, state.own[e], shift):
                    continue
                if any(v.hard for v in rules.check_shift(shift, state.own[e], facts, client, period)):
                    continue
                chosen[(slot.index, e)] = shift.is_overtime
                state.place(slot, e, shift)
                placed.add(e)
                break
            else:
                break
    return chosen
