"""The CP-SAT model of one component: who takes which need slot, the working-time rules as constraints and
the manager's weighted goals as the objective (each term's CP-SAT form is in objective.py, beside its value
on a concrete roster).

Variables: x[slot, employee] for every eligible pair (an employee takes a slot at most once; the slot's
staff count is covered by distinct people or left uncovered by a slack with a very large penalty).

The rules, exactly as `rules.py` reads them (integer minutes of elapsed time):
- overlap: at most one of the slots running at any moment (maximal cliques of overlapping slots).
- pass length and daily rest, for chains of short shifts too: z_j says "shift j is worked and begins a work
  period" (no worked shift ends less than the daily rest before it); every worked shift b needs some z_j
  with j starting at most the longest pass before b ends. Linear in the number of shifts, and exact: the
  work period containing b began at the latest such j, so its span up to b is within the longest pass.
- a slot longer than the longest pass needs a registered exception and then stands alone: no work within
  the daily rest before it and none within max(its length, daily rest) after it (the rest after a long pass).
- weekly rest: per calendar week a boolean per possible 36-hour free window (starting on Monday 00:00 or
  when a shift ends: the longest free time always starts at one of those), at least one of them free.
- the 48-hour average, the year's overtime, the decision's hours: linear sums of minutes inside the period.
Published shifts are constants in all of these.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from bista.rostering.optimiser import objective
from bista.rostering.optimiser.prepare import Component, EmployeeData, Prepared, weeks_of


def largest_subset_sum(lengths: list[int], limit: int) -> int:
    """The most minutes a selection of the slots can add up to without passing `limit` (a bitset of the
    reachable sums): the decision's hours can seldom be used to the last minute, and saying so exactly
    keeps the linear relaxation honest."""
    if limit <= 0:
        return 0
    mask = (1 << (limit + 1)) - 1
    reachable = 1
    for length in lengths:
        reachable |= (reachable << length) & mask
    return reachable.bit_length() - 1


@dataclass
class _Item:
    """A work shift of one employee in the model: a candidate slot (lit set) or a published shift."""

    start: int
    end: int
    slot: int | None  # slot index, None for a published shift
    lit: cp_model.IntVar | None = None

    @property
    def fixed(self) -> bool:
        return self.lit is None


def _overlapping_groups(spans: list[tuple[int, int, int]]) -> list[list[int]]:
    """The maximal sets of intervals (start, end, id) that all run at one moment."""
    events = sorted([(start, 1, n) for start, _, n in spans] + [(end, 0, n) for _, end, n in spans])
    running: set[int] = set()
    groups: list[list[int]] = []
    grew = False
    for _, is_start, n in events:
        if is_start:
            running.add(n)
            grew = True
        else:
            if grew:
                groups.append(sorted(running))
            grew = False
            running.discard(n)
    return groups


def _literals(items: Iterable[_Item]) -> list[cp_model.IntVar]:
    return [item.lit for item in items if item.lit is not None]


@dataclass
class ComponentModel:
    prepared: Prepared
    component: Component
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    uncovered: dict[int, cp_model.IntVar] = field(default_factory=dict)
    coverable: dict[int, int] = field(default_factory=dict)  # slot -> staff the model may place
    objective_terms: list[tuple[int, cp_model.LinearExprT]] = field(default_factory=list)
    cuts: int = 0
    # Per client, who already works there through a choice kept fixed (a neighbourhood's sub-model).
    serving: dict[int, set[int]] = field(default_factory=dict)

    # --- building ---

    def build(self) -> ComponentModel:
        p = self.prepared
        by_employee: dict[int, list[int]] = defaultdict(list)
        for s in self.component.slots:
            slot = p.slots[s]
            lits = []
            for e in slot.eligible:
                var = self.model.new_bool_var(f"x{s}_{e}")
                self.x[(s, e)] = var
                lits.append(var)
                by_employee[e].append(s)
            need = min(slot.count, len(lits))
            self.coverable[s] = need
            slack = self.model.new_int_var(0, need, f"u{s}")
            self.uncovered[s] = slack
            self.model.add(sum(lits) + slack == need)
        for e in self.component.employees:
            self._employee(p.employees[e], sorted(by_employee[e], key=lambda s: (p.slots[s].start, p.slots[s].end)))
        self._clients()
        self._objective()
        return self

    def _employee(self, emp: EmployeeData, slots: list[int]) -> None:
        p = self.prepared
        e = emp.index
        self._no_overlap(e, slots)
        items = [_Item(p.slots[s].start, p.slots[s].end, s, self.x[(s, e)]) for s in slots if p.slots[s].work]
        items += [_Item(start, end, None) for start, end in emp.fixed_work]
        items.sort(key=lambda i: (i.start, i.end))
        self._long_passes(emp, items)
        self._work_periods(emp, items)
        self._weekly_rest(emp, items)
        self._hours(emp, slots)

    def _no_overlap(self, e: int, slots: list[int]) -> None:
        """At most one of the slots running at each moment: the maximal cliques of the interval graph."""
        p = self.prepared
        events = []
        for s in slots:
            events.append((p.slots[s].start, 1, s))
            events.append((p.slots[s].end, 0, s))  # ends sort before starts at the same minute
        events.sort()
        running: set[int] = set()
        grew = False
        for _, is_start, s in events:
            if is_start:
                running.add(s)
                grew = True
            else:
                if grew and len(running) > 1:
                    self.model.add_at_most_one(self.x[(r, e)] for r in running)
                grew = False
                running.discard(s)

    def _long_passes(self, emp: EmployeeData, items: list[_Item]) -> None:
        """A slot longer than the longest pass (allowed by an exception) is a work period of its own, followed
        by a rest at least as long as it."""
        for long in items:
            if long.fixed or long.end - long.start <= emp.max_pass:
                continue
            assert long.lit is not None
            rest_after = max(long.end - long.start, emp.daily_rest)
            for other in items:
                if other is long:
                    continue
                before = other.start < long.start and other.end > long.start - emp.daily_rest
                after = long.end <= other.start < long.end + rest_after
                if not (before or after):
                    continue
                if other.lit is None:
                    self.model.add(long.lit == 0)
                else:
                    self.model.add_bool_or([long.lit.Not(), other.lit.Not()])

    def _work_periods(self, emp: EmployeeData, items: list[_Item]) -> None:
        """Pass length and daily rest. z_j: item j is worked and starts a work period (no worked item ends
        less than the daily rest before it). Every worked item b must then lie in a period that started at
        most the longest pass before b ends: x_b → ∨ z_j over the items j starting in [end(b) − longest pass,
        start(b)]. That is exact for any chain of shifts, and linear in the number of items."""
        rest, max_pass = emp.daily_rest, emp.max_pass
        by_end = sorted(range(len(items)), key=lambda n: items[n].end)
        ends = [items[n].end for n in by_end]
        starts = [i.start for i in items]
        starting: dict[int, cp_model.IntVar | bool] = {}

        def starts_period(n: int) -> cp_model.IntVar | bool:
            if n in starting:
                return starting[n]
            j = items[n]
            lo = bisect.bisect_right(ends, j.start - rest)
            hi = bisect.bisect_right(ends, j.start)
            blockers = [items[k] for k in by_end[lo:hi] if k != n]
            value: cp_model.IntVar | bool
            if any(b.fixed for b in blockers):
                value = False
            elif not blockers and j.fixed:
                value = True
            else:
                var = self.model.new_bool_var(f"z{emp.index}_{j.start}")
                if j.lit is not None:
                    self.model.add_implication(var, j.lit)
                if blockers:
                    self.model.add_bool_and([b.lit.Not() for b in blockers if b.lit is not None]).only_enforce_if(var)
                value = var
            starting[n] = value
            return value

        for n, b in enumerate(items):
            if b.end - b.start > max_pass:
                continue  # a long pass under an exception stands alone (see _long_passes)
            first = bisect.bisect_left(starts, b.end - max_pass)
            options: list[cp_model.IntVar] = []
            certain = False
            for m in range(first, n + 1):
                if items[m].start > b.start:
                    break
                value = starts_period(m)
                if value is True:
                    certain = True
                    break
                if value is not False:
                    options.append(value)
            if certain:
                continue
            if b.lit is None:
                if options:
                    self.model.add_bool_or(options)
                # else: the published shifts alone already make too long a period: not ours to mend
            else:
                self.model.add_bool_or([b.lit.Not(), *options])

    def _weekly_rest(self, emp: EmployeeData, items: list[_Item]) -> None:
        """Per calendar week, one of the possible free windows of the weekly rest (starting on Monday 00:00 or
        when a shift ends) has no work. A window blocked by a published shift is no option; one that only
        shifts the model may leave out could block is left out if another window is blocked by fewer."""
        tl = self.prepared.timeline
        length = emp.weekly_rest
        starts = [i.start for i in items]
        longest = max((i.end - i.start for i in items), default=0)
        for _, lo_dt, hi_dt in weeks_of(self.prepared.period):
            lo, hi = tl.minute(lo_dt), tl.minute(hi_dt)
            if not any(i.lit is not None and i.start < hi and i.end > lo for i in items):
                continue
            windows: dict[frozenset[int], int] = {}
            certain = False
            for t in sorted({lo} | {i.end for i in items if lo <= i.end <= hi - length}):
                first = bisect.bisect_left(starts, t - longest)
                last = bisect.bisect_left(starts, t + length)
                inside = [n for n in range(first, last) if items[n].end > t]
                if any(items[n].fixed for n in inside):
                    continue
                if not inside:
                    certain = True  # nothing could be there: the rest is certain
                    break
                windows.setdefault(frozenset(inside), t)
            if certain:
                continue
            kept: list[frozenset[int]] = []
            for key in sorted(windows, key=len):
                if not any(k <= key for k in kept):
                    kept.append(key)
            if not kept:
                continue  # published shifts alone already leave no weekly rest: not ours to mend
            options = []
            for key in kept:
                var = self.model.new_bool_var(f"w{emp.index}_{windows[key]}")
                self.model.add_bool_and([lit.Not() for lit in _literals(items[n] for n in key)]).only_enforce_if(var)
                options.append(var)
            self.model.add_bool_or(options)

    def _hours(self, emp: EmployeeData, slots: list[int]) -> None:
        p = self.prepared
        e = emp.index
        work = [(p.slots[s].clipped, self.x[(s, e)]) for s in slots if p.slots[s].work and p.slots[s].clipped]
        if work:
            self.model.add(sum(m * v for m, v in work) <= max(0, emp.average_limit - emp.fixed_work_minutes))
        # Overtime (whose variable also keeps the year's overtime rule), hourly pay or contract deviation, fairness.
        self.objective_terms += objective.employee_cp(self.model, p, emp, [(p.slots[s], self.x[(s, e)]) for s in slots])

    def _clients(self) -> None:
        p = self.prepared
        w = p.instance.weights
        by_client: dict[int, list[int]] = defaultdict(list)
        for s in self.component.slots:
            by_client[p.slots[s].client.client_id].append(s)
        for client_id, slots in by_client.items():
            client = p.clients[client_id]
            if client.granted_hours is not None:
                allowed = int(client.granted_hours * 60 + 1e-6) - p.fixed_client_minutes.get(client_id, 0)
                lengths = [p.slots[s].clipped for s in slots for _ in range(self.coverable[s]) if p.slots[s].clipped]
                if sum(lengths) > allowed:
                    terms = [(p.slots[s].clipped, self.x[(s, e)]) for s in slots for e in p.slots[s].eligible]
                    self.model.add(sum(m * v for m, v in terms if m) <= largest_subset_sum(lengths, allowed))
            staff: dict[int, list[cp_model.IntVar]] = defaultdict(list)
            for s in slots:
                for e in p.slots[s].eligible:
                    staff[e].append(self.x[(s, e)])
            already = self.serving.get(client_id, set())
            works_there: dict[int, cp_model.IntVar] = {}
            for e, lits in staff.items():
                if e not in already:
                    worked, term = objective.continuity_cp(self.model, w, client_id, e, lits)
                    self.objective_terms.append(term)
                    works_there[e] = worked
                self.objective_terms += objective.client_wishes_cp(w, client, p.employees[e].facts, lits)
            if works_there and not already:
                # Implied (x ≤ y, nobody on two overlapping slots), stated for the linear relaxation: at
                # least as many people work at the client as its slots running at one moment are given.
                for group in _overlapping_groups([(p.slots[s].start, p.slots[s].end, s) for s in slots]):
                    people = {e for s in group for e in p.slots[s].eligible}
                    if len(people) > 1:
                        placed = sum(self.coverable[s] - self.uncovered[s] for s in group)
                        self.model.add(sum(works_there[e] for e in people) >= placed)

    def _objective(self) -> None:
        p = self.prepared
        per_minute = objective.uncovered_penalty_per_minute(p)
        for s, slack in self.uncovered.items():
            self.objective_terms.append(objective.uncovered_cp(per_minute, p.slots[s], slack))
        self.model.minimize(sum(weight * term for weight, term in self.objective_terms if weight))

    # --- use ---

    def forbid(self, pairs: Iterable[tuple[int, int]]) -> None:
        """A cut: these (slot, employee) choices may not all be made together."""
        lits = [self.x[pair] for pair in pairs if pair in self.x]
        if lits:
            self.model.add_bool_or([lit.Not() for lit in lits])
            self.cuts += 1

    def hint(self, chosen: set[tuple[int, int]], time_limit: float = 5.0) -> bool:
        """Start the search from these choices. A complete hint (every variable, found by solving the model
        with the choices fixed) lets CP-SAT take it as its first solution at once; if the choices break the
        model, only they are hinted and CP-SAT repairs them. Returns whether the hint is complete."""
        self.model.clear_hints()
        fixed = self.model.clone()
        for pair, var in self.x.items():
            fixed.add(var == int(pair in chosen))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 1
        status = solver.solve(fixed)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            proto = self.model.proto
            for index in range(len(proto.variables)):
                var = self.model.get_int_var_from_proto_index(index)
                self.model.add_hint(var, solver.value(var))
            return True
        placed: dict[int, int] = defaultdict(int)
        for pair, var in self.x.items():
            value = pair in chosen
            self.model.add_hint(var, value)
            placed[pair[0]] += value
        for s, slack in self.uncovered.items():
            self.model.add_hint(slack, max(0, self.coverable[s] - placed[s]))
        return False

    def assignment(self, value: cp_model.CpSolver) -> set[tuple[int, int]]:
        return {pair for pair, var in self.x.items() if value.boolean_value(var)}
