"""Background work of rostering (django-tasks; the worker is `bista db_worker`).

`run_roster_job` runs the optimiser for a queued RosterJob: it reports progress on the job row at most
about once a second, reads the job's stop flag, and saves the best roster found as draft shifts of the job
in one transaction. Whatever goes wrong ends with the job marked failed and a Swedish message; nothing
escapes the worker unrecorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_tasks import task

from bista.core import audit, clock
from bista.rostering import loaders, optimiser
from bista.rostering.facts import NeedSlot, Period, Weights
from bista.rostering.models import RosterJob, Shift

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0  # seconds between progress writes
STOP_POLL_INTERVAL = 0.5  # seconds between reads of the stop flag

FAILED_MESSAGE = (
    "Schemaoptimeringen misslyckades på grund av ett oväntat fel. Försök igen; om felet kvarstår, "
    "kontakta systemförvaltaren."
)
STATUS_MESSAGES = {
    "optimal": "Klar: bästa möjliga schema hittades.",
    "feasible": "Klar: tidsgränsen nåddes, det bästa schemat som hittades är sparat.",
    "stopped": "Avbruten: det bästa schemat som hittades är sparat.",
    "infeasible": "Det finns inget schema som håller alla regler för perioden.",
    "timeout_without_solution": "Inget schema hittades inom tidsgränsen. Försök med en längre tidsgräns.",
}


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


def _sources(needs: tuple[NeedSlot, ...]) -> dict[tuple[int, Any, Any], str]:
    """Need slots by (client, start, end): which pattern or occasion a proposed shift covers."""
    return {(slot.client_id, slot.starts_at, slot.ends_at): slot.source for slot in needs}


def _source_ids(source: str) -> dict[str, int]:
    kind, _, pk = source.partition(":")
    if not pk.isdigit():
        return {}
    return (
        {"need_pattern_id": int(pk)}
        if kind == "pattern"
        else {"booked_occasion_id": int(pk)}
        if kind == "occasion"
        else {}
    )


def _uncovered_json(result: optimiser.RosterResult) -> list[dict[str, Any]]:
    return [
        {
            "client_id": item.need.client_id,
            "starts_at": item.need.starts_at.isoformat(),
            "ends_at": item.need.ends_at.isoformat(),
            "kind": str(item.need.kind),
            "source": item.need.source,
            "missing": item.missing,
            "reason": item.reason,
        }
        for item in result.uncovered
    ]


def _save_result(job: RosterJob, instance: Any, result: optimiser.RosterResult) -> int:
    """Store the proposal as the job's draft shifts and finish the job, in one transaction."""
    hourly = {e.employee_id for e in instance.employees if e.hourly_paid}
    sources = _sources(instance.needs)
    with transaction.atomic():
        locked = RosterJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != RosterJob.Status.RUNNING:  # given up on as stale meanwhile: keep that verdict
            return 0
        shifts = [
            Shift(
                unit_id=locked.unit_id,
                client_id=fact.client_id,
                employee_id=fact.employee_id,
                starts_at=fact.starts_at,
                ends_at=fact.ends_at,
                kind=str(fact.kind),
                status=Shift.Status.DRAFT,
                is_overtime=fact.is_overtime,
                is_hourly_paid=fact.employee_id in hourly,
                job=locked,
                created_by=None,
                **_source_ids(sources.get((fact.client_id, fact.starts_at, fact.ends_at), "")),
            )
            for fact in result.shifts
            if not fact.published
        ]
        Shift.objects.bulk_create(shifts, batch_size=1000)
        has_roster = result.status in ("optimal", "feasible") or (result.status == "stopped" and bool(shifts))
        if result.status == "stopped":
            status = RosterJob.Status.STOPPED
        elif has_roster:
            status = RosterJob.Status.DONE
        else:
            status = RosterJob.Status.FAILED
        locked.status = status
        locked.progress = 100
        locked.objective = result.objective
        locked.best_bound = result.best_bound
        locked.statistics = {
            **result.statistics,
            "solver": {
                "status": result.status,
                "wall_time": result.wall_time,
                "first_solution_time": result.first_solution_time,
                "shifts": len(shifts),
                "uncovered": sum(item.missing for item in result.uncovered),
            },
        }
        locked.uncovered = _uncovered_json(result)
        locked.message = STATUS_MESSAGES.get(result.status, "Klar.")
        locked.finished_at = clock.now()
        locked.save()
        audit.record(
            actor=None,
            action="roster_job.finish",
            obj=locked,
            new={"status": status, "solver_status": result.status, "shifts": len(shifts)},
            unit=locked.unit,
        )
    return len(shifts)


def _fail(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = RosterJob.objects.select_for_update(of=("self",)).filter(pk=job_id).select_related("unit").first()
        if job is None:
            return
        job.status = RosterJob.Status.FAILED
        job.message = message
        job.finished_at = clock.now()
        job.save(update_fields=["status", "message", "finished_at"])
        audit.record(actor=None, action="roster_job.fail", obj=job, new={"message": message}, unit=job.unit)


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
        _save_result(job, instance, result)
    except Exception:
        logger.exception("Roster job %s failed", job_id)
        _fail(job_id, FAILED_MESSAGE)
    return str(RosterJob.objects.filter(pk=job_id).values_list("status", flat=True).first())


@task()
def run_roster_job(job_id: int) -> str:
    """Background task: optimise the roster of a queued RosterJob (see `execute`)."""
    return execute(job_id)
