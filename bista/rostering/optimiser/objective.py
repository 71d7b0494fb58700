"""The roster optimiser's objective, written once: each of the manager's goals (`facts.Weights`) as one term,
with its weight and how it is counted, in the two forms it takes side by side —

- its **value** on a concrete roster (Python integers): summed by `evaluate` (what the neighbourhood search
  compares and what is reported), differenced by the constructive start (`employee_cost` over a `Load`, in
  greedy.py) and by the open-shift ranking (`open_shift_cost`, in rostering/selectors.py);
- its **CP-SAT form** (the `*_cp` functions): `(weight, linear expression)` terms, with the auxiliary
  variables the term needs, that `model.ComponentModel` minimises.

`test_objective.py` holds them together: `evaluate` equals CP-SAT's objective value on random solved
instances, the constructive start's prices add up to `evaluate`, and the open-shift cost is the marginal
objective. To add a term: docs/architecture.md, "Checklist: an objective term".

Units: the model counts minutes, so every term is in weight × minutes: an hour goal weighs its weight per
minute, a per-shift or per-person goal its weight × SHIFT (a shift weighs as much as an hour of an hour goal).
Divided by 60 the objective is in the weights' own units, as the manager sees it (and as the open-shift
ranking counts).

What is priced are the choices being made. Published shifts enter as constants (the `fixed_*` minutes of
`EmployeeData`): they count for hours, overtime and contract deviation, but nobody is priced for continuity
or per-shift goals for them. A neighbourhood's sub-model (neighbourhood.overlay) holds the kept choices fixed
the same way; its objective is then `evaluate` of the whole component less a constant, as long as continuity
does not price again the people who already work at a client through a kept choice — `serving` below.

Pure: no Django, and CP-SAT only through the model it is handed (the open-shift ranking imports this module).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

    from bista.rostering.facts import ClientFacts, EmployeeFacts, Weights
    from bista.rostering.optimiser.prepare import Component, EmployeeData, Prepared, SlotData

    Term = tuple[int, cp_model.LinearExprT]  # (weight, expression), minimised as weight × expression

# Per-shift goals are weighed per shift, hour goals per hour; the model counts minutes, so a shift weighs
# as much as an hour of the corresponding goal.
SHIFT = 60


# --- Uncovered staff places ---------------------------------------------------------------------------------
# Per staff place of a slot that someone could take (at most one per eligible person) and nobody does: a
# penalty per minute of the slot larger than any combination of the goals.


def uncovered_penalty_per_minute(prepared: Prepared) -> int:
    """Large enough that no combination of goals makes leaving a coverable slot empty worthwhile: the sum
    of every weight (a new weight is added here too)."""
    w = prepared.instance.weights
    total = (
        w.chosen_staff
        + w.continuity
        + w.contract_deviation
        + w.hourly_paid
        + w.overtime
        + w.fairness
        + w.gender_preference
    )
    return 100 * max(1, total)


def coverable(slot: SlotData) -> int:
    """The staff places of the slot the model may fill (distinct people)."""
    return min(slot.count, len(slot.eligible))


def uncovered(per_minute: int, slot: SlotData, placed: int) -> int:
    return per_minute * max(slot.length, 1) * max(0, coverable(slot) - placed)


def uncovered_cp(per_minute: int, slot: SlotData, slack: cp_model.IntVar) -> Term:
    """`slack`: the places left empty (the model's `sum(x) + slack == coverable`)."""
    return (per_minute * max(slot.length, 1), slack)


# --- Overtime -------------------------------------------------------------------------------------------------
# Per minute of ordinary (active) time beyond the contract — full time for hourly-paid staff — published
# ordinary time included. The model's variable also carries the year's overtime rule as its upper bound.


def overtime(w: Weights, emp: EmployeeData, active: int) -> int:
    return w.overtime * max(0, emp.fixed_ordinary_minutes + active - emp.ordinary_limit)


def overtime_cp(
    model: cp_model.CpModel, w: Weights, emp: EmployeeData, active: list[tuple[int, cp_model.IntVar]]
) -> list[Term]:
    """`active`: (minutes inside the period, literal) of the employee's active slots."""
    if not active:
        # Nothing to choose: what the published shifts alone are beyond the contract, a constant.
        beyond_already = max(0, emp.fixed_ordinary_minutes - emp.ordinary_limit)
        return [(w.overtime, beyond_already)] if beyond_already else []
    beyond = emp.fixed_ordinary_minutes + sum(m for m, _ in active) - emp.ordinary_limit
    if beyond <= 0:
        return []
    var = model.new_int_var(0, min(beyond, emp.overtime_allowance), f"ot{emp.index}")
    model.add(var >= sum(m * v for m, v in active) + emp.fixed_ordinary_minutes - emp.ordinary_limit)
    return [(w.overtime, var)]


# --- Hourly pay -------------------------------------------------------------------------------------------------
# Per minute of work (active time and jour) inside the period by hourly-paid staff.


def hourly_pay(w: Weights, emp: EmployeeData, work: int) -> int:
    return w.hourly_paid * work if emp.hourly_paid else 0


def hourly_pay_cp(w: Weights, emp: EmployeeData, work: list[tuple[int, cp_model.IntVar]]) -> list[Term]:
    if not emp.hourly_paid or not work:
        return []
    return [(w.hourly_paid, sum(m * v for m, v in work))]


# --- Contract deviation ---------------------------------------------------------------------------------------
# Per minute a salaried employee's active time (published included) is below or above the contract's target
# for the days not absent. Hourly-paid staff have no target.


def contract_deviation(w: Weights, emp: EmployeeData, active: int) -> int:
    if emp.hourly_paid:
        return 0
    return w.contract_deviation * abs(active + emp.fixed_active_minutes - emp.target)


def contract_deviation_cp(
    model: cp_model.CpModel, w: Weights, emp: EmployeeData, active: list[tuple[int, cp_model.IntVar]]
) -> list[Term]:
    if emp.hourly_paid:
        return []
    total = emp.fixed_active_minutes
    active_expr = sum(m * v for m, v in active)
    bound = max(emp.target, total + sum(m for m, _ in active))
    var = model.new_int_var(0, bound, f"dev{emp.index}")
    model.add(var >= active_expr + total - emp.target)
    model.add(var >= emp.target - total - active_expr)
    return [(w.contract_deviation, var)]


# --- Fairness ------------------------------------------------------------------------------------------------------
# Per night (and per weekend) work shift beyond the employee's fair share (prepare._fair_shares; a
# neighbourhood's kept choices are already taken off it).


def fairness(w: Weights, count: int, fair: int) -> int:
    return w.fairness * SHIFT * max(0, count - fair)


def fairness_cp(model: cp_model.CpModel, w: Weights, name: str, lits: list[cp_model.IntVar], fair: int) -> list[Term]:
    if len(lits) <= fair:
        return []
    excess = model.new_int_var(0, len(lits) - fair, name)
    model.add(excess >= sum(lits) - fair)
    return [(w.fairness * SHIFT, excess)]


# --- Continuity -------------------------------------------------------------------------------------------------
# Per distinct employee at a client among the choices, × SHIFT. `serving` (client id → employee indexes):
# those who already work at the client through choices held fixed — a neighbourhood's kept choices — cost
# nothing more there; `evaluate` of a whole component has none. (The open-shift ranking's `continues` is the
# same idea: worked at the client lately.)


def continuity(w: Weights, newcomers: int) -> int:
    return w.continuity * SHIFT * newcomers


def continuity_cp(
    model: cp_model.CpModel, w: Weights, client_id: int, e: int, lits: list[cp_model.IntVar]
) -> tuple[cp_model.IntVar, Term]:
    """y[client, e], 1 as soon as e works one of the client's slots (`lits`), and its term."""
    worked = model.new_bool_var(f"y{client_id}_{e}")
    for lit in lits:
        model.add_implication(lit, worked)
    return worked, (w.continuity * SHIFT, worked)


# --- The client's wishes per shift -----------------------------------------------------------------------------
# Per shift at a client by someone the client has not chosen (when it has chosen anyone), and per shift by
# someone of another gender than the client prefers; × SHIFT.


def not_chosen(client: ClientFacts, facts: EmployeeFacts) -> bool:
    return bool(client.chosen_employee_ids) and facts.employee_id not in client.chosen_employee_ids


def other_gender(client: ClientFacts, facts: EmployeeFacts) -> bool:
    return client.preferred_gender in ("K", "M") and facts.gender != client.preferred_gender


def client_wishes(w: Weights, client: ClientFacts, facts: EmployeeFacts) -> int:
    """The weight of one shift at the client by this employee (model units)."""
    per_shift = 0
    if not_chosen(client, facts):
        per_shift += w.chosen_staff
    if other_gender(client, facts):
        per_shift += w.gender_preference
    return per_shift * SHIFT


def client_wishes_cp(w: Weights, client: ClientFacts, facts: EmployeeFacts, lits: list[cp_model.IntVar]) -> list[Term]:
    weight = client_wishes(w, client, facts)
    return [(weight, sum(lits))] if weight else []


# --- One employee's terms together ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What an employee's chosen slots add up to, as the employee's terms count it (published shifts are in
    `EmployeeData`)."""

    work: int = 0  # minutes of work (active time and jour) inside the period
    active: int = 0  # minutes of active (ordinary) time inside the period
    nights: int = 0  # work shifts touching the night
    weekends: int = 0  # work shifts touching a weekend

    def plus(self, slot: SlotData) -> Load:
        return Load(
            work=self.work + (slot.clipped if slot.work else 0),
            active=self.active + (slot.clipped if slot.active else 0),
            nights=self.nights + (1 if slot.work and slot.night else 0),
            weekends=self.weekends + (1 if slot.work and slot.weekend else 0),
        )


def employee_cost(prepared: Prepared, e: int, load: Load) -> int:
    """Overtime, hourly pay or contract deviation, and fairness, of employee e with this load."""
    w = prepared.instance.weights
    emp = prepared.employees[e]
    return (
        overtime(w, emp, load.active)
        + hourly_pay(w, emp, load.work)
        + contract_deviation(w, emp, load.active)
        + fairness(w, load.nights, prepared.fair_nights[e])
        + fairness(w, load.weekends, prepared.fair_weekends[e])
    )


def employee_cp(
    model: cp_model.CpModel, prepared: Prepared, emp: EmployeeData, chosen: list[tuple[SlotData, cp_model.IntVar]]
) -> list[Term]:
    """The same terms over the employee's candidate slots (slot, literal)."""
    w = prepared.instance.weights
    e = emp.index
    work = [(slot.clipped, lit) for slot, lit in chosen if slot.work and slot.clipped]
    active = [(slot.clipped, lit) for slot, lit in chosen if slot.active and slot.clipped]
    nights = [lit for slot, lit in chosen if slot.night and slot.work]
    weekends = [lit for slot, lit in chosen if slot.weekend and slot.work]
    return [
        *overtime_cp(model, w, emp, active),
        *hourly_pay_cp(w, emp, work),
        *contract_deviation_cp(model, w, emp, active),
        *fairness_cp(model, w, f"night{e}", nights, prepared.fair_nights[e]),
        *fairness_cp(model, w, f"weekend{e}", weekends, prepared.fair_weekends[e]),
    ]


# --- A whole roster ---------------------------------------------------------------------------------------------------


def evaluate(
    prepared: Prepared,
    component: Component,
    pairs: set[tuple[int, int]],
    serving: dict[int, set[int]] | None = None,
) -> int:
    """The objective of the choices (slot, employee) in `pairs` that fall in the component, computed
    directly: CP-SAT's objective value of the same choices in `model.ComponentModel(prepared, component,
    serving=serving)`."""
    p = prepared
    w = p.instance.weights
    serving = serving or {}
    slots = set(component.slots)
    mine = [pair for pair in pairs if pair[0] in slots]
    placed: dict[int, int] = defaultdict(int)
    loads: dict[int, Load] = defaultdict(Load)
    staff: dict[int, set[int]] = defaultdict(set)
    for s, e in mine:
        slot = p.slots[s]
        placed[s] += 1
        loads[e] = loads[e].plus(slot)
        staff[slot.client.client_id].add(e)
    per_minute = uncovered_penalty_per_minute(p)
    total = sum(uncovered(per_minute, p.slots[s], placed[s]) for s in component.slots)
    total += sum(employee_cost(p, e, loads[e]) for e in component.employees)
    total += sum(continuity(w, len(people - serving.get(cid, set()))) for cid, people in staff.items())
    total += sum(client_wishes(w, p.slots[s].client, p.employees[e].facts) for s, e in mine)
    return total


def uncovered_cost(prepared: Prepared, component: Component, pairs: set[tuple[int, int]]) -> int:
    """The part of `evaluate` that is the penalty for coverable slots left uncovered."""
    per_minute = uncovered_penalty_per_minute(prepared)
    placed: dict[int, int] = defaultdict(int)
    for s, _ in pairs:
        placed[s] += 1
    return sum(uncovered(per_minute, prepared.slots[s], placed[s]) for s in component.slots)


# --- One open shift ------------------------------------------------------------------------------------------------


def open_shift_cost(
    w: Weights,
    *,
    client: ClientFacts,
    employee: EmployeeFacts,
    hours: float,
    overtime_hours: float,
    continues: bool,
) -> float:
    """What giving one shift to the employee adds to the objective, in the weights' units (the model's ÷ 60),
    for the terms that depend on who takes it: overtime (`overtime_hours` of it beyond the contract), hourly
    pay (`hours`), continuity (nothing if the employee `continues` at the client, i.e. is serving there) and
    the client's wishes. Contract deviation and fairness, which weigh a whole roster's spread, are not part
    of the ranking. (The ranking passes the whole shift's `hours`, of any kind; the model counts hourly pay
    on work — active time and jour — inside the period. The two agree for a work shift inside the period.)"""
    return (
        overtime_hours * w.overtime
        + (hours * w.hourly_paid if employee.hourly_paid else 0)
        + (0 if continues else w.continuity)
        + (w.chosen_staff if not_chosen(client, employee) else 0)
        + (w.gender_preference if other_gender(client, employee) else 0)
    )
