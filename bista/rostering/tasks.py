"""Background work of rostering (django-tasks; the worker is `bista db_worker`).

`run_roster_job` runs the optimiser for a queued RosterJob: it reports progress on the job row at most
about once a second, reads the job's stop flag, and hands the best roster found to
`services.roster_job_finish`, which saves it as draft shifts of the job in one transaction. Whatever goes
wrong ends with the job marked failed and a Swedish message (`services.roster_job_fail`); nothing escapes
the worker unrecorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django_tasks import task

from bista.core import clock
from bista.rostering import loaders, optimiser, services
from bista.rostering.facts import Period, Weights
from bista.rostering.models import RosterJob

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0  # seconds between progress writes
STOP_POLL_INTERVAL = 0.5  # seconds between reads of the stop flag

FAILED_MESSAGE = (
    "Schemaoptimeringen misslyckades på grund av ett oväntat fel. Försök igen; om felet kvarstår, "
    "kontakta systemförvaltaren."
)


def _throttled(interval: float, action: Callable[..., Any]) -> Callable[..., Any]:
    """Call `action` at most once per `interval` seconds (the first call always goes through)."""
    last = [float("-inf")]

    def call(*args: Any, force: bool = False) -> Any:
        now = time.monotonic()
        if force or now - last[0] >= interval:
            last[0] = now
            return action(*args)
        return None

    return call


def _progress_writer(job_id: int) -> Callable[[optimiser.Progress], None]:
    def write(progress: optimiser.Progress) -> None:
        RosterJob.objects.filter(pk=job_id, status=RosterJob.Status.RUNNING).update(
            progress=max(0, min(99, int(progress.fraction * 100))),
            objective=progress.objective,
            best_bound=progress.bound,
            message=(progress.message or "")[:500],
        )

    throttled = _throttled(PROGRESS_INTERVAL, write)
    return lambda progress: throttled(progress)


def _stop_reader(job_id: int) -> Callable[[], bool]:
    state = {"stop": False}

    def read() -> None:
        state["stop"] = RosterJob.objects.filter(pk=job_id, stop_requested=True).exists()

    throttled = _throttled(STOP_POLL_INTERVAL, read)

    def should_stop() -> bool:
        throttled()
        return state["stop"]

    return should_stop


def execute(job_id: int) -> str:
    """Run the job now (the task's body; also callable directly). Returns the job's final status."""
    started = RosterJob.objects.filter(pk=job_id, status=RosterJob.Status.QUEUED, stop_requested=False).update(
        status=RosterJob.Status.RUNNING, started_at=clock.now(), message="Läser in behov och personal …"
    )
    if not started:  # stopped while queued, already run, or unknown
        return str(RosterJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing")
    try:
        job = RosterJob.objects.select_related("unit").get(pk=job_id)
        period = Period(job.period_start, job.period_end)
        instance = loaders.load_instance(job.unit, period, Weights.from_mapping(job.weights))
        RosterJob.objects.filter(pk=job_id).update(message="Söker schema …")
        result = optimiser.solve(
            instance,
            time_limit=float(job.time_limit_seconds),
            on_progress=_progress_writer(job_id),
            should_stop=_stop_reader(job_id),
        )
        services.roster_job_finish(job=job, instance=instance, result=result)
    except Exception:
        logger.exception("Roster job %s failed", job_id)
        services.roster_job_fail(job_id=job_id, message=FAILED_MESSAGE)
    return str(RosterJob.objects.filter(pk=job_id).values_list("status", flat=True).first())


@task()
def run_roster_job(job_id: int) -> str:
    """Background task: optimise the roster of a queued RosterJob (see `execute`)."""
    return execute(job_id)
