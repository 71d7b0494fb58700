"""The roster optimiser (OR-Tools CP-SAT) and the first-fit baseline it is measured against.

`solve(instance)` proposes shifts for the instance's need slots: every rule of `rules.py` is a constraint
(model.py), the manager's goals (`facts.Weights`) the objective (written once in objective.py), and a slot
nobody can take is reported with the reason (report.py). The instance is split into components that share
no one (an assistance team and its client; a ledsagning group and its clients), see prepare.py; search.py
says how the time is spent. Every roster returned has passed `rules.check_roster` together with the
published shifts.

Pure: no Django. `on_progress` and `should_stop` are called in the caller's thread, so they may use the
database.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bista.rostering.facts import Instance
from bista.rostering.optimiser.greedy import first_fit_pairs
from bista.rostering.optimiser.objective import evaluate
from bista.rostering.optimiser.prepare import prepare
from bista.rostering.optimiser.report import roster_statistics
from bista.rostering.optimiser.results import Progress, RosterResult, Status, Uncovered, build_result
from bista.rostering.optimiser.search import Run

__all__ = ["Progress", "RosterResult", "Status", "Uncovered", "first_fit", "roster_statistics", "solve"]


def solve(
    instance: Instance,
    *,
    time_limit: float = 60,
    workers: int = 2,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RosterResult:
    """The best roster found within `time_limit` seconds (or until `should_stop()` says so) on `workers`
    cores: one searches for better rosters, the others prove how good they are."""
    return Run(instance, time_limit, workers, on_progress, should_stop).execute()


def first_fit(instance: Instance) -> RosterResult:
    """The baseline: slots in time order, each to the first employee (in the instance's order) who may take
    it without breaking a hard rule according to `rules.check_shift`."""
    started = time.monotonic()
    prepared = prepare(instance)
    chosen = first_fit_pairs(prepared)
    objective = sum(evaluate(prepared, c, set(chosen)) for c in prepared.components) / 60
    elapsed = time.monotonic() - started
    return build_result(prepared, chosen, "feasible", objective, None, elapsed, elapsed, {"method": "first_fit"})
