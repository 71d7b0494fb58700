"""Large-neighbourhood search around the current roster of a component.

CP-SAT's own neighbourhoods are generic; the roster has a structure they do not see: a client's occasions
belong together (continuity), and an uncovered slot is freed by moving the people who could take it. Here a
neighbourhood is a set of need slots — a few clients with the clients their staff also serve, or a few days
of an assistance team — whose choices are made again while every other choice stays as it is. The other
choices enter the small model exactly as published shifts do (constants for overlap, rest, hours and the
decision's hours), so a better sub-roster is a better roster that keeps every rule.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict

from bista.rostering.optimiser.greedy import Pair
from bista.rostering.optimiser.prepare import Component, EmployeeData, Prepared, SlotData

# How many slots a neighbourhood frees (a small model solves in well under a second).
TARGET_SLOTS = 48


def overlay(
    prepared: Prepared, component: Component, assignment: set[Pair], free: set[int]
) -> tuple[Prepared, Component, dict[int, set[int]]]:
    """The prepared instance as the sub-model sees it: the choices outside `free` fixed like published
    shifts. Returns it, the sub-component (the free slots, the people who may take them) and, per client,
    who already works there through a fixed choice (no continuity cost for them)."""
    p = prepared
    kept = [(s, e) for s, e in assignment if s not in free]
    by_employee: dict[int, list[int]] = defaultdict(list)
    client_minutes = dict(p.fixed_client_minutes)
    serving: dict[int, set[int]] = defaultdict(set)
    for s, e in kept:
        by_employee[e].append(s)
        cid = p.slots[s].client.client_id
        client_minutes[cid] = client_minutes.get(cid, 0) + p.slots[s].clipped
        serving[cid].add(e)
    slots = list(p.slots)
    employees = list(p.employees)
    fair_nights = list(p.fair_nights)
    fair_weekends = list(p.fair_weekends)
    involved: set[int] = set()
    for s in free:
        involved.update(p.slots[s].eligible)
    for e in involved:
        own = [p.slots[s] for s in by_employee.get(e, [])]
        if not own:
            continue
        emp = employees[e]
        spans = [(slot.start, slot.end) for slot in own]
        work = [(slot.start, slot.end) for slot in own if slot.work]
        employees[e] = dataclasses.replace(
            emp,
            fixed_spans=sorted(emp.fixed_spans + spans),
            fixed_work=sorted(emp.fixed_work + work),
            fixed_work_minutes=emp.fixed_work_minutes + sum(slot.clipped for slot in own if slot.work),
            fixed_ordinary_minutes=emp.fixed_ordinary_minutes + sum(slot.clipped for slot in own if slot.active),
            fixed_active_minutes=emp.fixed_active_minutes + sum(slot.clipped for slot in own if slot.active),
        )
        fair_nights[e] -= sum(1 for slot in own if slot.work and slot.night)
        fair_weekends[e] -= sum(1 for slot in own if slot.work and slot.weekend)
    size = 0
    people: set[int] = set()
    for s in free:
        slot = p.slots[s]
        eligible = [e for e in slot.eligible if _still_free(p, employees[e], by_employee.get(e, []), slot)]
        slots[s] = dataclasses.replace(slot, eligible=eligible)
        size += len(eligible)
        people.update(eligible)
    view = dataclasses.replace(
        p,
        slots=slots,
        employees=employees,
        fixed_client_minutes=client_minutes,
        fair_nights=fair_nights,
        fair_weekends=fair_weekends,
    )
    sub = Component(sorted(s for s in free if slots[s].eligible), sorted(people), size)
    return view, sub, dict(serving)


def _still_free(p: Prepared, emp: EmployeeData, kept: list[int], slot: SlotData) -> bool:
    """Whether the employee may take the free slot beside the kept choices: no overlap, and not inside the
    rest that must follow a kept pass longer than the longest pass (registered exception)."""
    if any(a < slot.end and slot.start < b for a, b in emp.fixed_spans):
        return False
    for s in kept:
        long = p.slots[s]
        span = long.end - long.start
        if long.work and slot.work and span > emp.max_pass:
            if long.end <= slot.start < long.end + max(span, emp.daily_rest):
                return False
            if long.start - emp.daily_rest < slot.end <= long.start:
                return False
    return True


def choose(prepared: Prepared, component: Component, assignment: set[Pair], rng: random.Random) -> set[int]:
    """The slots to free next: around an uncovered slot (half the time, if there is one), else around a
    random client: that client, the clients its staff also work at, and so on until about TARGET_SLOTS
    slots; a component of one client (an assistance team) frees a few consecutive days instead."""
    p = prepared
    slots_of: dict[int, list[int]] = defaultdict(list)
    for s in component.slots:
        slots_of[p.slots[s].client.client_id].append(s)
    if len(slots_of) == 1:
        ordered = sorted(component.slots, key=lambda s: p.slots[s].start)
        if len(ordered) <= TARGET_SLOTS:
            return set(ordered)
        first = rng.randrange(len(ordered) - TARGET_SLOTS + 1)
        return set(ordered[first : first + TARGET_SLOTS])
    placed: dict[int, int] = defaultdict(int)
    clients_of: dict[int, set[int]] = defaultdict(set)
    for s, e in assignment:
        placed[s] += 1
        clients_of[e].add(p.slots[s].client.client_id)
    open_slots = [s for s in component.slots if placed[s] < min(p.slots[s].count, len(p.slots[s].eligible))]
    if open_slots and rng.random() < 0.5:
        seed = p.slots[rng.choice(open_slots)]
        people = list(seed.eligible)
    else:
        client = rng.choice(sorted(slots_of))
        people = sorted({e for s, e in assignment if p.slots[s].client.client_id == client})
        seed = p.slots[slots_of[client][0]]
    chosen_clients = {seed.client.client_id}
    free = set(slots_of[seed.client.client_id])
    staff_of: dict[int, set[int]] = defaultdict(set)
    for s, e in assignment:
        staff_of[p.slots[s].client.client_id].add(e)
    rng.shuffle(people)
    queue, seen = list(people), set(people)
    while queue and len(free) < TARGET_SLOTS:
        e = queue.pop(0)
        for client in sorted(clients_of[e] - chosen_clients, key=lambda c: rng.random()):
            chosen_clients.add(client)
            free.update(slots_of[client])
            for other in sorted(staff_of[client] - seen):
                seen.add(other)
                queue.append(other)
            if len(free) >= TARGET_SLOTS:
                break
    return free
