"""The first-fit baseline: need slots in time order, each given to the first employee (in the instance's
order) who may take it and breaks no hard rule according to `rules.check_shift`.

It is what a hurried person does by hand, and what the optimiser is measured against; the optimiser also
starts its search from it (a hint).
"""

from __future__ import annotations

import dataclasses

from bista.rostering import rules
from bista.rostering.facts import ShiftFact
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
        self.active = {e.index: e.fixed_active_minutes for e in prepared.employees}
        self.ordinary = {e.index: e.fixed_ordinary_minutes for e in prepared.employees}
        self.work = {e.index: 0 for e in prepared.employees}
        self.nights = {e.index: 0 for e in prepared.employees}
        self.weekends = {e.index: 0 for e in prepared.employees}
        self.serves: dict[int, set[int]] = {e.index: set() for e in prepared.employees}
        self.client_minutes = dict(prepared.fixed_client_minutes)

    def cost(self, slot: SlotData, e: int) -> tuple[int, float]:
        """The objective's increase if e takes the slot (model units), and a tie-break: the share of the
        contract still open (more open first, so hours spread over the contracted staff)."""
        p = self.p
        w = p.instance.weights
        emp = p.employees[e]
        facts = emp.facts
        client = slot.client
        m = slot.clipped
        cost = 0
        if slot.client.client_id not in self.serves[e]:
            cost += w.continuity * 60
        if client.chosen_employee_ids and facts.employee_id not in client.chosen_employee_ids:
            cost += w.chosen_staff * 60
        if client.preferred_gender in ("K", "M") and facts.gender != client.preferred_gender:
            cost += w.gender_preference * 60
        if slot.work and emp.hourly_paid:
            cost += w.hourly_paid * m
        if slot.active:
            a = self.active[e]
            if not emp.hourly_paid:
                cost += w.contract_deviation * (abs(a + m - emp.target) - abs(a - emp.target))
            o = self.ordinary[e]
            cost += w.overtime * (max(0, o + m - emp.ordinary_limit) - max(0, o - emp.ordinary_limit))
        if slot.work and slot.night and self.nights[e] >= p.fair_nights[e]:
            cost += w.fairness * 60
        if slot.work and slot.weekend and self.weekends[e] >= p.fair_weekends[e]:
            cost += w.fairness * 60
        open_share = 0.0 if emp.target <= 0 else (emp.target - self.active[e]) / emp.target
        return cost, -open_share

    def place(self, slot: SlotData, e: int, shift: ShiftFact) -> None:
        self.own[e].append(shift)
        self.spans[e].append((slot.start, slot.end))
        if slot.active:
            self.active[e] += slot.clipped
            self.ordinary[e] += slot.clipped
        if slot.work:
            self.work[e] += slot.clipped
            self.nights[e] += slot.night
            self.weekends[e] += slot.weekend
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
