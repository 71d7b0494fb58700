"""The optimiser's objective is one function in its every form (optimiser/objective.py): on random small
instances rich in goals, `evaluate` equals CP-SAT's objective value of the same roster (whole components and
a neighbourhood's sub-model), the constructive start's prices add up to `evaluate`, and the open-shift
ranking's cost is the objective's increase.

Pure: no database. Seeded random instances, each solved in well under a second.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections import defaultdict

import pytest
from ortools.sat.python import cp_model

from bista.core.clock import STOCKHOLM
from bista.rostering import rules
from bista.rostering.facts import ClientFacts, Instance, Kind, Period, ShiftFact, Weights
from bista.rostering.optimiser import neighbourhood
from bista.rostering.optimiser.greedy import Pair, _State, constructive_pairs, proposed_shift
from bista.rostering.optimiser.model import ComponentModel
from bista.rostering.optimiser.objective import evaluate, open_shift_cost, uncovered_cost
from bista.rostering.optimiser.prepare import Component, Prepared, prepare
from bista.rostering.tests.test_optimiser import (
    AB,
    BILAGA_J,
    TEAM,
    H,
    _random_instance,
    at,
    day,
    employee,
    instance,
    slot,
)

SEEDS = range(16)


def _rich_instance(rng: random.Random) -> Instance:
    """A fortnight of random slots of every kind at one to three clients (chosen staff, a preferred gender,
    granted hours), two to four people (hourly-paid, part-time, near the year's overtime, of any gender), a
    few published shifts, and random weights (zero included)."""
    start = rng.choice([datetime.date(2026, 3, 23), datetime.date(2026, 10, 19), datetime.date(2026, 6, 1)])
    period = Period(start, start + datetime.timedelta(days=13))
    limits = rng.choice([AB, BILAGA_J])
    people = [
        employee(
            i,
            gender=rng.choice(["K", "M", "X"]),
            rate=rng.choice([0.0, 10.0, 50.0, 100.0]),
            limits=limits,
            overtime_hours_before=rng.choice([0.0, 0.0, 195.0]),
        )
        for i in range(1, rng.randint(2, 4) + 1)
    ]
    ids = [e.employee_id for e in people]
    clients = [
        ClientFacts(
            client_id=c,
            name=f"K{c}",
            team_ids=frozenset({TEAM}),
            chosen_employee_ids=frozenset(rng.sample(ids, rng.randint(0, 2))),
            preferred_gender=rng.choice(["", "K", "M"]),
            granted_hours=rng.choice([None, None, 30.0]),
        )
        for c in range(100, 100 + rng.randint(1, 3))
    ]
    needs = []
    for k in range(rng.randint(6, 18)):
        starts_at = at(start + datetime.timedelta(days=rng.randrange(14)), rng.randrange(24), rng.choice([0, 30]))
        ends_at = (starts_at.astimezone(datetime.UTC) + rng.choice([1, 2, 3, 4, 6, 8, 10]) * H).astimezone(STOCKHOLM)
        kind = rng.choice([Kind.ACTIVE, Kind.ACTIVE, Kind.ON_CALL, Kind.STANDBY])
        client_id = rng.choice(clients).client_id
        needs.append(slot(f"s{k}", starts_at, ends_at, client_id, staff_count=rng.choice([1, 1, 2]), kind=kind))
    published: list[ShiftFact] = []
    for k in range(rng.randint(0, 4)):
        starts_at = at(start + datetime.timedelta(days=rng.randrange(-3, 16)), rng.randrange(24))
        ends_at = (starts_at.astimezone(datetime.UTC) + rng.choice([3, 8, 10]) * H).astimezone(STOCKHOLM)
        client_id = rng.choice(clients).client_id
        shift = ShiftFact(f"f{k}", client_id, rng.choice(people).employee_id, starts_at, ends_at, published=True)
        if not any(v.hard for v in rules.check_roster([*published, shift], {}, {}, period)):
            published.append(shift)
    weights = Weights(**{name: rng.choice([0, 1, 3, 7, 20]) for name in Weights.__dataclass_fields__})
    return Instance(
        period=period,
        needs=tuple(needs),
        employees=tuple(people),
        clients=tuple(clients),
        fixed_shifts=tuple(published),
        weights=weights,
    )


def _instances() -> list[tuple[str, Instance]]:
    found = [(f"rich {seed}", _rich_instance(random.Random(seed))) for seed in SEEDS]
    return found + [(f"plain {seed}", _random_instance(random.Random(seed))) for seed in SEEDS]


def _solve(model: ComponentModel) -> cp_model.CpSolver | None:
    """The model solved to proven optimality (every auxiliary variable then at its least), else None."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver if solver.solve(model.model) == cp_model.OPTIMAL else None


def _objective(solver: cp_model.CpSolver) -> int:
    """CP-SAT's objective value: an integer, reported as a float that may be off in the last digits."""
    value = solver.objective_value
    assert value == pytest.approx(round(value), abs=1e-6)
    return round(value)


def _without_costs(prepared: Prepared, component: Component, pairs: set[Pair]) -> int:
    """`evaluate` without the penalty for uncovered places (which no choice of person changes)."""
    return evaluate(prepared, component, pairs) - uncovered_cost(prepared, component, pairs)


# --- evaluate is CP-SAT's objective ---------------------------------------------------------------------------


def test_evaluate_is_the_models_objective_on_solved_instances() -> None:
    checked = 0
    for name, inst in _instances():
        prepared = prepare(inst)
        for component in prepared.components:
            model = ComponentModel(prepared, component).build()
            solver = _solve(model)
            if solver is None:
                continue
            assert _objective(solver) == evaluate(prepared, component, model.assignment(solver)), name
            checked += 1
    assert checked >= 20


def test_evaluate_is_the_models_objective_of_any_allowed_roster() -> None:
    """Random choices, fixed in the model: where the rules allow them, the model's least objective (its
    auxiliary variables free) is what `evaluate` says of them."""
    checked = 0
    for name, inst in _instances():
        rng = random.Random(name)
        prepared = prepare(inst)
        for component in prepared.components:
            for _ in range(3):
                chosen = {
                    (s, e)
                    for s in component.slots
                    for e in rng.sample(prepared.slots[s].eligible, k=len(prepared.slots[s].eligible))[
                        : prepared.slots[s].count
                    ]
                    if rng.random() < 0.6
                }
                model = ComponentModel(prepared, component).build()
                for pair, var in model.x.items():
                    model.model.add(var == int(pair in chosen))
                solver = _solve(model)
                if solver is None:
                    continue  # the rules refuse these choices
                assert _objective(solver) == evaluate(prepared, component, chosen), name
                checked += 1
    assert checked >= 20


def test_a_neighbourhoods_objective_is_the_rosters_less_a_constant() -> None:
    """The sub-model of a neighbourhood (the other choices kept as fixed) prices its choices as `evaluate`
    with `serving` does — continuity not again for those already at the client through a kept choice — and
    that differs from `evaluate` of the whole component by a constant, so the sub-model's best is the best
    whole roster among those it may reach."""
    checked = 0
    for name, inst in _instances():
        rng = random.Random(name)
        prepared = prepare(inst)
        start = constructive_pairs(prepared)
        for component in prepared.components:
            current = {pair for pair in start if pair[0] in set(component.slots)}
            free = neighbourhood.choose(prepared, component, current, rng)
            view, sub, serving = neighbourhood.overlay(prepared, component, current, free)
            if not sub.slots:
                continue
            kept = {pair for pair in current if pair[0] not in free}
            differences = set()
            for fix in (True, False):  # the current choices, and the sub-model's best
                model = ComponentModel(view, sub, serving=serving).build()
                if fix:
                    for pair, var in model.x.items():
                        model.model.add(var == int(pair in current))
                solver = _solve(model)
                if solver is None:
                    continue
                chosen = model.assignment(solver)
                assert _objective(solver) == evaluate(view, sub, chosen, serving), name
                differences.add(evaluate(prepared, component, kept | chosen) - _objective(solver))
                checked += 1
            assert len(differences) <= 1, name
    assert checked >= 20


# --- The constructive start prices shifts by the same objective -----------------------------------------------


def test_the_constructive_starts_prices_add_up_to_evaluate() -> None:
    """Replaying the start's choices in the order it made them: each price is what the choice adds to
    `evaluate` (less the penalty for the place it fills)."""
    for name, inst in _instances():
        prepared = prepare(inst)
        chosen = constructive_pairs(prepared)
        state = _State(prepared)
        made: set[Pair] = set()
        component_of = {s: c for c in prepared.components for s in c.slots}
        for pair, is_overtime in chosen.items():
            s, e = pair
            component = component_of[s]
            before = _without_costs(prepared, component, made)
            price, _ = state.cost(prepared.slots[s], e)
            state.place(prepared.slots[s], e, proposed_shift(prepared, pair, is_overtime))
            made.add(pair)
            assert _without_costs(prepared, component, made) - before == price, (name, pair)


# --- The open-shift ranking prices a shift by the same objective -----------------------------------------------


def test_the_open_shift_cost_is_the_objectives_increase() -> None:
    """For one more work shift inside the period: what the ranking's cost says (in the weights' units, the
    overtime from `rules.overtime_hours_for` as the ranking has it) is what the shift adds to `evaluate`,
    for the goals the ranking weighs (contract deviation and fairness weighed zero)."""
    checked = 0
    for name, inst in _instances():
        rng = random.Random(name)
        weights = dataclasses.replace(inst.weights, contract_deviation=0, fairness=0)
        prepared = prepare(dataclasses.replace(inst, weights=weights))
        start = constructive_pairs(prepared)
        roster = {pair for pair in start if rng.random() < 0.7}
        component_of = {s: c for c in prepared.components for s in c.slots}
        own: dict[int, list[ShiftFact]] = defaultdict(list)
        staff: dict[int, set[int]] = defaultdict(set)
        for s, e in roster:
            own[e].append(proposed_shift(prepared, (s, e)))
            staff[prepared.slots[s].client.client_id].add(e)
        for s, component in component_of.items():
            slot_data = prepared.slots[s]
            if not slot_data.work or slot_data.clipped != slot_data.length:
                continue  # the ranking prices hourly pay on the whole shift, the model work inside the period
            for e in slot_data.eligible:
                pair = (s, e)
                if pair in roster:
                    continue
                emp = prepared.employees[e]
                shift = proposed_shift(prepared, pair)
                increase = _without_costs(prepared, component, roster | {pair}) - _without_costs(
                    prepared, component, roster
                )
                cost = open_shift_cost(
                    weights,
                    client=slot_data.client,
                    employee=emp.facts,
                    hours=shift.hours,
                    overtime_hours=rules.overtime_hours_for(shift, [*emp.fixed, *own[e]], emp.facts, inst.period),
                    continues=e in staff[slot_data.client.client_id],
                )
                assert cost * 60 == pytest.approx(increase, abs=1e-6), (name, pair)
                checked += 1
    assert checked >= 100


def test_overtime_of_the_published_shifts_alone_is_counted_by_both() -> None:
    """Someone whose published shifts already pass the contract and who may only take a jour slot: the
    overtime is a constant of the model, and `evaluate` counts the same."""
    published = ShiftFact("f", 100, 1, at(day(0), 7), at(day(0), 17), published=True)
    inst = instance(
        [slot("jour", at(day(2), 22), at(day(3), 7), kind=Kind.ON_CALL)],
        [employee(1, rate=10.0)],
        fixed=(published,),
        weights=Weights(contract_deviation=0),
    )
    prepared = prepare(inst)
    (component,) = prepared.components
    assert prepared.employees[0].fixed_ordinary_minutes > prepared.employees[0].ordinary_limit
    model = ComponentModel(prepared, component).build()
    solver = _solve(model)
    assert solver is not None
    assert _objective(solver) == evaluate(prepared, component, model.assignment(solver)) > 0
