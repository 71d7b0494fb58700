"""How `solve` spends its time.

1. The constructive start (greedy.py): a complete roster that keeps every rule, in about a second.
2. Two searches side by side until the time limit, one per core:
   - in a helper thread, CP-SAT on each component's full model (one worker, every constraint in the linear
     relaxation): it proves a lower bound on what any roster can cost and sometimes finds a better roster;
   - in the caller's thread, large-neighbourhood search (neighbourhood.py): a few clients' or days' choices
     made again by CP-SAT on a small model, kept when the whole roster gets cheaper. The time goes to the
     components furthest from their bound.
3. The checker (`rules.check_roster`) has the last word (see `_checked`).

`on_progress` and `should_stop` are only ever called in the caller's thread, so they may use the database.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from bista.rostering.facts import Instance, Violation
from bista.rostering.optimiser import neighbourhood
from bista.rostering.optimiser.greedy import Pair, constructive_pairs
from bista.rostering.optimiser.model import ComponentModel
from bista.rostering.optimiser.objective import evaluate, uncovered_cost
from bista.rostering.optimiser.prepare import prepare
from bista.rostering.optimiser.report import overtime_flags
from bista.rostering.optimiser.results import Progress, RosterResult, Status, build_result, hard_violations

PROGRESS_EVERY_SECONDS = 1.0
MAX_REPAIR_ROUNDS = 5
# A neighbourhood's small model gets this long (measured: many short tries beat few long ones).
NEIGHBOURHOOD_SECONDS = 0.3
# The bound search's first pass over the components takes at most this share of the time.
BOUND_FIRST_PASS_SHARE = 1.0
MIN_BOUND_SECONDS = 1.0


class _BoundCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, run: Run) -> None:
        super().__init__()
        self.run = run

    def on_solution_callback(self) -> None:
        with self.run.lock:
            self.run.solutions += 1
        if self.run.stopping:
            self.stop_search()


class Run:
    def __init__(
        self,
        instance: Instance,
        time_limit: float,
        workers: int,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
        seed: int = 0,
    ) -> None:
        self.started = time.monotonic()
        self.instance = instance
        self.time_limit = max(0.1, float(time_limit))
        self.workers = max(1, workers)
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.stop_requested = False  # the caller asked to stop
        self.stopping = False  # the searches are to end (stop or time)
        self.lock = threading.Lock()
        self.rng = random.Random(seed)
        self.solutions = 0
        self.last_progress = -PROGRESS_EVERY_SECONDS
        self.bound_solver: cp_model.CpSolver | None = None
        self.thread_error: BaseException | None = None

    # --- time and stop ---

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        return self.time_limit - self.elapsed()

    def _poll(self) -> bool:
        """Whether to go on (asks `should_stop`, here in the caller's thread)."""
        if not self.stop_requested and self.should_stop is not None and self.should_stop():
            self.stop_requested = True
        return not self.stop_requested and self.remaining() > 0.05

    # --- the run ---

    def execute(self) -> RosterResult:
        self.prepared = p = prepare(self.instance)
        n = len(p.components)
        self.best: list[set[Pair]] = []
        self.objective: list[float] = []
        start = constructive_pairs(p)
        for component in p.components:
            slots = set(component.slots)
            chosen = {pair for pair in start if pair[0] in slots}
            self.best.append(chosen)
            self.objective.append(float(evaluate(p, component, chosen)))
        self.start_objective = sum(self.objective) / 60
        self.first_solution_time = self.elapsed()
        self.bound = [0.0] * n
        self.bound_known = [False] * n
        self.optimal = [False] * n
        self.models: list[ComponentModel | None] = [None] * n
        self.improvements = [0] * n
        self.tries = [0] * n
        self.bound_seconds = [0.0] * n
        self._report("Ett första schema är klart; det förbättras nu.", force=True)
        helper = threading.Thread(target=self._bounds, name="roster-bounds", daemon=True)
        helper.start()
        try:
            self._neighbourhoods()
        finally:
            self.stopping = True
            with self.lock:
                if self.bound_solver is not None:
                    self.bound_solver.stop_search()
            helper.join()
        if self.thread_error is not None:
            raise self.thread_error
        flags, dropped = self._checked()
        return self._finish(flags, dropped)

    # --- the bound search (helper thread) ---

    def _model(self, i: int) -> ComponentModel:
        model = self.models[i]
        if model is None:
            model = ComponentModel(self.prepared, self.prepared.components[i]).build()
            self.models[i] = model
        return model

    def _bounds(self) -> None:
        try:
            sizes = [c.size for c in self.prepared.components]
            # The costliest first (a bound matters in proportion to what it bounds), each given time by size.
            with self.lock:
                order = sorted(range(len(sizes)), key=lambda i: -self.objective[i])
            first_pass_end = self.elapsed() + self.remaining() * BOUND_FIRST_PASS_SHARE
            for k, i in enumerate(order):
                if self.stopping:
                    return
                left = first_pass_end - self.elapsed()
                share = left * sizes[i] / max(1, sum(sizes[j] for j in order[k:]))
                self._full_solve(i, max(MIN_BOUND_SECONDS, share))
            while not self.stopping:
                gaps = {i: self.objective[i] - self.bound[i] for i in order if not self.optimal[i]}
                widest = max(gaps, key=lambda i: gaps[i], default=None)
                if widest is None or gaps[widest] <= 0:
                    return
                self._full_solve(widest, max(MIN_BOUND_SECONDS, min(10.0, self.remaining())))
        except BaseException as error:  # surfaced in the caller's thread
            self.thread_error = error

    def _full_solve(self, i: int, budget: float) -> None:
        began = self.elapsed()
        model = self._model(i)
        with self.lock:
            start = set(self.best[i])
        if self.stopping:
            return
        model.hint(start, time_limit=min(1.0, budget / 2))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, min(budget, self.remaining()))
        solver.parameters.num_workers = max(1, self.workers - 1)
        # Every constraint in the linear relaxation, all of it from the start (not added lazily as the search
        # finds it violated): on these models that proves much tighter bounds, whatever the hint.
        solver.parameters.linearization_level = 2
        solver.parameters.add_lp_constraints_lazily = False
        with self.lock:
            if self.stopping:
                return
            self.bound_solver = solver
        status = solver.solve(model.model, _BoundCallback(self))
        with self.lock:
            self.bound_solver = None
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                value = float(solver.objective_value)
                if value < self.objective[i]:
                    self.best[i] = model.assignment(solver)
                    self.objective[i] = value
                    self.improvements[i] += 1
                if status == cp_model.OPTIMAL:
                    self.optimal[i] = True
                    self.bound[i] = min(value, self.objective[i])
            if status != cp_model.INFEASIBLE and not self.optimal[i]:
                self.bound[i] = max(self.bound[i], float(solver.best_objective_bound))
                if self.bound[i] >= self.objective[i]:
                    self.optimal[i] = True  # the roster found is as good as any can be
            self.bound_known[i] = self.bound_known[i] or status != cp_model.UNKNOWN or self.bound[i] > 0
            self.bound_seconds[i] += self.elapsed() - began

    # --- the neighbourhood search (caller's thread) ---

    def _weights(self) -> list[float]:
        """Where the next neighbourhood goes: to a component in proportion to its distance from its proven
        bound (absolute: a unit of the objective is worth the same everywhere; before a bound is known, the
        trivial bound 0)."""
        with self.lock:
            triples = zip(self.objective, self.bound, self.optimal, strict=True)
            return [0.0 if done else max(0.0, objective - bound) for objective, bound, done in triples]

    def _neighbourhoods(self) -> None:
        p = self.prepared
        while self._poll():
            weights = self._weights()
            if not any(weights):
                if all(self.optimal):
                    return
                time.sleep(0.05)
                continue
            i = self.rng.choices(range(len(weights)), weights=weights)[0]
            component = p.components[i]
            with self.lock:
                current = set(self.best[i])
            free = neighbourhood.choose(p, component, current, self.rng)
            view, sub, serving = neighbourhood.overlay(p, component, current, free)
            self.tries[i] += 1
            if not sub.slots:
                continue
            model = ComponentModel(view, sub, serving=serving).build()
            model.hint({pair for pair in current if pair[0] in free}, time_limit=NEIGHBOURHOOD_SECONDS)
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(0.05, min(NEIGHBOURHOOD_SECONDS, self.remaining()))
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = self.rng.randrange(1 << 20)
            status = solver.solve(model.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                candidate = {pair for pair in current if pair[0] not in free} | model.assignment(solver)
                value = float(evaluate(p, component, candidate))
                with self.lock:
                    if value < self.objective[i] and self.best[i] == current:
                        self.best[i] = candidate
                        self.objective[i] = value
                        self.improvements[i] += 1
                        self.solutions += 1
            self._report(self._message())

    # --- progress ---

    def _totals(self) -> tuple[float, float | None]:
        """The roster's cost so far and the proven bound — None until every part has a bound of its own: a
        sum with parts still at the trivial 0 would report the roster as up to 100 % from the best, which says
        nothing about it."""
        with self.lock:
            objective = sum(self.objective) / 60
            if not all(known or done for known, done in zip(self.bound_known, self.optimal, strict=True)):
                return objective, None
            bound = sum(self.bound) / 60
        return objective, min(objective, bound)

    def _message(self) -> str:
        objective, bound = self._totals()
        if bound is None:
            with self.lock:
                known = sum(known or done for known, done in zip(self.bound_known, self.optimal, strict=True))
            return (
                f"Förbättrar schemat: {self.solutions} förbättringar. Hur nära bästa möjliga schema det är räknas "
                f"fram ({known} av {len(self.bound_known)} delar klara)."
            )
        gap = (objective - bound) / objective * 100 if objective > 0 else 0.0
        return f"Förbättrar schemat: {self.solutions} förbättringar, högst {gap:.1f} % från bästa möjliga."

    def _report(self, message: str, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = self.elapsed()
        if not force and now - self.last_progress < PROGRESS_EVERY_SECONDS:
            return
        self.last_progress = now
        objective, bound = self._totals()
        self.on_progress(
            Progress(
                fraction=min(1.0, max(0.0, now / self.time_limit)),
                objective=round(objective, 3),
                bound=None if bound is None else round(bound, 3),
                solutions=self.solutions,
                message=message,
            )
        )

    # --- the checker has the last word ---

    def _checked(self) -> tuple[dict[Pair, bool], list[Violation]]:
        """The final choices with their overtime flags, after the checker. Should it find a hard violation
        (the model and the checker disagree), the choices are cut off and the component solved again; what
        is still left is dropped (the slot is then reported uncovered)."""
        p = self.prepared
        component_of = {s: i for i, c in enumerate(p.components) for s in c.slots}
        for _ in range(MAX_REPAIR_ROUNDS):
            flags = overtime_flags(p, set().union(*self.best))
            violations = hard_violations(p, flags)
            if not violations or self.stop_requested:
                break
            touched: set[int] = set()
            for _violation, pairs in violations:
                i = component_of[next(iter(pairs))[0]]
                self._model(i).forbid(pairs)
                touched.add(i)
            for i in sorted(touched):
                self._resolve_after_cut(i)
        flags = overtime_flags(p, set().union(*self.best))
        dropped: list[Violation] = []
        while True:
            violations = hard_violations(p, flags)
            if not violations:
                return flags, dropped
            for violation, pairs in violations:
                latest = max(pairs, key=lambda pair: (p.slots[pair[0]].start, pair))
                if latest in flags:
                    del flags[latest]
                    dropped.append(violation)
            flags = overtime_flags(p, set(flags))

    def _resolve_after_cut(self, i: int) -> None:
        """The component again, with the cut: a few seconds even past the time limit (a rare repair)."""
        model = self._model(i)
        model.hint(self.best[i])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(2.0, self.remaining())
        solver.parameters.num_workers = self.workers
        status = solver.solve(model.model)
        self.optimal[i] = False
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.best[i] = model.assignment(solver)
            self.objective[i] = float(solver.objective_value)

    def _finish(self, flags: dict[Pair, bool], dropped: list[Violation]) -> RosterResult:
        p = self.prepared
        status: Status
        if self.stop_requested:
            status = "stopped"
        elif all(self.optimal):
            status = "optimal"
        else:
            status = "feasible"
        objective, bound = self._totals()
        if dropped:
            objective = sum(evaluate(p, c, set(flags)) for c in p.components) / 60
        models = [m for m in self.models if m is not None]
        chosen = set(flags)
        penalty = sum(uncovered_cost(p, c, chosen) for c in p.components) / 60
        statistics: dict[str, Any] = {
            "method": "cp-sat",
            # The objective's part that is the penalty for coverable needs left uncovered (mostly needs the
            # decision's hours or the rules leave no room for); the rest is the soft goals.
            "uncovered_penalty": round(penalty, 3),
            "start_objective": round(self.start_objective, 3),
            "components": len(p.components),
            "components_optimal": sum(self.optimal),
            "variables": sum(len(m.x) for m in models),
            "improvements": self.solutions,
            "neighbourhoods_tried": sum(self.tries),
            "cuts": sum(m.cuts for m in models),
            "dropped_by_checker": [v.message for v in dropped],
            "workers": self.workers,
            "parts": [
                {
                    "slots": len(c.slots),
                    "employees": len(c.employees),
                    "pairs": c.size,
                    "objective": round(self.objective[i] / 60, 2),
                    "bound": round(self.bound[i] / 60, 2),
                    "optimal": self.optimal[i],
                    "improvements": self.improvements[i],
                    "neighbourhoods": self.tries[i],
                    "bound_seconds": round(self.bound_seconds[i], 2),
                }
                for i, c in enumerate(p.components)
            ],
        }
        self._report("Klart.", force=True)
        return build_result(p, flags, status, objective, bound, self.elapsed(), self.first_solution_time, statistics)
