"""Writes of roster jobs: start the optimiser, stop it, publish or discard its proposal, fail a stale run."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F

from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.rostering import loaders, optimiser, rules
from bista.rostering.facts import (
    Instance,
    NeedSlot,
    Period,
    Violation,
    Weights,
)
from bista.rostering.models import RosterJob, Shift
from bista.rostering.services.common import ShiftConflict, _error, _lock_employees
from bista.rostering.services.shifts import SOFT_ON_SAVE, _refuse
from bista.staff.models import Employee

JOB_AUDITED = ("unit", "period_start", "period_end", "weights", "time_limit_seconds", "status")
JOB_MIN_DAYS = 14
JOB_MAX_DAYS = 42
JOB_MIN_SECONDS = 10
JOB_MAX_SECONDS = 600
WEIGHT_MAX = 100


def _clean_weights(weights: Any) -> dict[str, int]:
    """Known weights as integers 0–100, the defaults filling in the ones not given."""
    if not isinstance(weights, dict):
        raise _error("weights", "Ange vikterna som namn och heltal.", "invalid")
    known = set(Weights.__dataclass_fields__)
    unknown = sorted(set(weights) - known)
    if unknown:
        raise _error("weights", f"Okänd vikt: {', '.join(map(str, unknown))}.", "unknown_weight")
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= WEIGHT_MAX:
            raise _error("weights", f"Vikten {name} ska vara ett heltal 0–{WEIGHT_MAX}.", "out_of_range")
    return {**Weights().__dict__, **weights}


@transaction.atomic
def roster_job_start(
    *,
    actor: Any,
    unit: Unit,
    period_start: datetime.date,
    period_end: datetime.date,
    weights: dict[str, Any] | None = None,
    time_limit_seconds: int = 60,
) -> RosterJob:
    """Queue an optimiser run for the unit's needs in the period (14–42 days, not in the past); the
    task starts when this transaction commits."""
    check_perm(actor, Perm.ROSTER_MANAGE, unit)
    errors: dict[str, ValidationError] = {}
    if period_end < period_start:
        errors["period_end"] = ValidationError(
            "Periodens slut kan inte vara före dess början.", code="end_before_start"
        )
    elif not JOB_MIN_DAYS <= (period_end - period_start).days + 1 <= JOB_MAX_DAYS:
        errors["period_end"] = ValidationError(
            f"Perioden ska vara {JOB_MIN_DAYS}–{JOB_MAX_DAYS} dagar (2–6 veckor).", code="period_length"
        )
    if period_start < clock.today():
        errors["period_start"] = ValidationError("Perioden kan inte börja i det förflutna.", code="past")
    if (
        isinstance(time_limit_seconds, bool)
        or not isinstance(time_limit_seconds, int)
        or not (JOB_MIN_SECONDS <= time_limit_seconds <= JOB_MAX_SECONDS)
    ):
        errors["time_limit_seconds"] = ValidationError(
            f"Tidsgränsen ska vara {JOB_MIN_SECONDS}–{JOB_MAX_SECONDS} sekunder.", code="out_of_range"
        )
    try:
        cleaned = _clean_weights(weights if weights is not None else {})
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.error_dict.items()})
    if errors:
        raise ValidationError(errors)
    list(Unit.objects.select_for_update().filter(pk=unit.pk).values_list("pk", flat=True))  # one job at a time
    _expire_stale_jobs(unit)
    if RosterJob.objects.filter(unit=unit, status__in=(RosterJob.Status.QUEUED, RosterJob.Status.RUNNING)).exists():
        raise _error(NON_FIELD_ERRORS, "En schemaoptimering för enheten pågår redan.", "busy")
    if not loaders.unit_needs(unit, Period(period_start, period_end)):
        raise _error(
            NON_FIELD_ERRORS,
            "Enheten har inga behov under perioden. Lägg in behovsmönster eller bokade tillfällen först.",
            "no_needs",
        )
    job = RosterJob.objects.create(
        unit=unit,
        period_start=period_start,
        period_end=period_end,
        weights=cleaned,
        time_limit_seconds=time_limit_seconds,
        created_by=actor,
        message="I kö.",
    )
    audit.record(actor=actor, action="roster_job.start", obj=job, new=audit.snapshot(job, JOB_AUDITED), unit=unit)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


# A running job not finished this long after its own time limit lost its worker (a restart, a crash).
STALE_AFTER = datetime.timedelta(minutes=10)
STALE_MESSAGE = "Körningen avbröts oväntat (bakgrundsprocessen stannade). Starta en ny optimering."


def _is_stale(job: RosterJob) -> bool:
    return (
        job.status == RosterJob.Status.RUNNING
        and job.started_at is not None
        and job.started_at + datetime.timedelta(seconds=job.time_limit_seconds) + STALE_AFTER < clock.now()
    )


def _fail_stale(job: RosterJob) -> None:
    job.status = RosterJob.Status.FAILED
    job.message = STALE_MESSAGE
    job.finished_at = clock.now()
    job.version += 1
    job.save()
    audit.record(actor=None, action="roster_job.fail", obj=job, new={"message": STALE_MESSAGE}, unit=job.unit)


def _expire_stale_jobs(unit: Unit) -> None:
    """Mark the unit's running jobs whose worker is gone as failed, so they do not block new ones."""
    for job in RosterJob.objects.select_for_update().filter(unit=unit, status=RosterJob.Status.RUNNING):
        if _is_stale(job):
            _fail_stale(job)


def _enqueue(job_id: int) -> None:
    from bista.rostering.tasks import run_roster_job  # the task module imports the services' helpers

    run_roster_job.enqueue(job_id)


def _locked_job(job: RosterJob, version: int | None = None) -> RosterJob:
    return lock_for_edit(RosterJob, job.pk, version, related=("unit",), conflict=ShiftConflict)


@transaction.atomic
def roster_job_stop(*, actor: Any, job: RosterJob) -> RosterJob:
    """Ask a running job to stop (it keeps the best roster found); a queued one stops at once."""
    check_perm(actor, Perm.ROSTER_MANAGE, job.unit_id)
    locked = _locked_job(job)
    if _is_stale(locked):
        _fail_stale(locked)
        return locked
    if locked.is_finished:
        raise _error("status", "Körningen är redan avslutad.", "finished")
    old = audit.snapshot(locked, ("status", "stop_requested"))
    locked.stop_requested = True
    if locked.status == RosterJob.Status.QUEUED:
        locked.status = RosterJob.Status.STOPPED
        locked.finished_at = clock.now()
        locked.message = "Avbruten innan den startade."
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="roster_job.stop",
        obj=locked,
        old=old,
        new=audit.snapshot(locked, ("status", "stop_requested")),
        unit=locked.unit,
    )
    return locked


def _publish_violations(job: RosterJob, drafts: list[Shift]) -> list[Violation]:
    """Hard violations the job's drafts take part in, checked against what is published now (a shift
    published after the job ran, a new absence …)."""
    period = Period(job.period_start, job.period_end)
    employee_ids = {s.employee_id for s in drafts if s.employee_id is not None}
    window = loaders.widened(period)
    fixed = list(
        Shift.objects.filter(
            employee_id__in=employee_ids,
            status__in=loaders.FIXED_STATUSES,
            starts_at__lt=window.ends_at(),
            ends_at__gt=window.starts_at(),
        ).only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
    )
    facts = [loaders.shift_fact(s) for s in drafts] + [loaders.shift_fact(s) for s in fixed]
    employees = loaders.employee_facts(employee_ids, period)
    clients = loaders.client_facts({s.client_id for s in drafts} | {s.client_id for s in fixed}, period)
    keys = {str(s.pk) for s in drafts}
    return [
        v
        for v in rules.check_roster(facts, employees, clients, period)
        if v.hard and v.rule not in SOFT_ON_SAVE and keys & set(v.shift_keys)
    ]


@transaction.atomic
def roster_job_publish(*, actor: Any, job: RosterJob, version: int | None) -> int:
    """Publish the job's proposal: its draft shifts become published (frozen). Returns how many."""
    check_perm(actor, Perm.ROSTER_MANAGE, job.unit_id)
    locked = _locked_job(job, version)
    if locked.status not in (RosterJob.Status.DONE, RosterJob.Status.STOPPED):
        raise _error("status", "Bara ett färdigt schemaförslag kan publiceras.", "invalid_status")
    later = RosterJob.objects.filter(
        unit_id=locked.unit_id,
        status=RosterJob.Status.PUBLISHED,
        published_at__gt=locked.created_at,
        period_start__lte=locked.period_end,
        period_end__gte=locked.period_start,
    ).exclude(pk=locked.pk)
    if later.exists():
        raise _error(
            NON_FIELD_ERRORS,
            "Ett annat schema för perioden har publicerats efter att det här togs fram. Kör en ny optimering.",
            "superseded",
        )
    employee_ids = set(
        Shift.objects.filter(job=locked, status=Shift.Status.DRAFT, employee__isnull=False).values_list(
            "employee_id", flat=True
        )
    )
    _lock_employees(*Employee.objects.filter(pk__in=employee_ids).only("pk"))
    drafts = list(
        Shift.objects.select_for_update()
        .filter(job=locked, status=Shift.Status.DRAFT)
        .only("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind", "is_overtime", "status")
    )
    violations = _publish_violations(locked, drafts)
    if violations:
        raise _refuse(violations[:20])
    count = Shift.objects.filter(pk__in=[s.pk for s in drafts]).update(
        status=Shift.Status.PUBLISHED, version=F("version") + 1, updated_at=clock.now()
    )
    old = audit.snapshot(locked, ("status",))
    locked.status = RosterJob.Status.PUBLISHED
    locked.published_at = clock.now()
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="roster_job.publish",
        obj=locked,
        old=old,
        new={"status": locked.status, "shifts": count, "shift_ids": [s.pk for s in drafts]},
        unit=locked.unit,
    )
    return count


@transaction.atomic
def roster_job_discard(*, actor: Any, job: RosterJob, version: int | None = None) -> RosterJob:
    """Discard a finished job's proposal: its draft shifts are cancelled (kept, never deleted)."""
    check_perm(actor, Perm.ROSTER_MANAGE, job.unit_id)
    locked = _locked_job(job, version)
    if locked.status not in (RosterJob.Status.DONE, RosterJob.Status.STOPPED, RosterJob.Status.FAILED):
        raise _error(
            "status",
            "Stoppa körningen först, eller så är förslaget redan publicerat eller förkastat.",
            "invalid_status",
        )
    drafts = Shift.objects.filter(job=locked, status=Shift.Status.DRAFT)
    ids = list(drafts.values_list("pk", flat=True))
    drafts.update(status=Shift.Status.CANCELLED, version=F("version") + 1, updated_at=clock.now())
    old = audit.snapshot(locked, ("status",))
    locked.status = RosterJob.Status.DISCARDED
    locked.version += 1
    locked.save()
    audit.record(
        actor=actor,
        action="roster_job.discard",
        obj=locked,
        old=old,
        new={"status": locked.status, "cancelled_shift_ids": ids},
        unit=locked.unit,
    )
    return locked


# --- The worker's finishing writes (called from tasks.execute) ---------------------------------------

STATUS_MESSAGES = {
    "optimal": "Klar: bästa möjliga schema hittades.",
    "feasible": "Klar: tidsgränsen nåddes, det bästa schemat som hittades är sparat.",
    "stopped": "Avbruten: det bästa schemat som hittades är sparat.",
    "infeasible": "Det finns inget schema som håller alla regler för perioden.",
    "timeout_without_solution": "Inget schema hittades inom tidsgränsen. Försök med en längre tidsgräns.",
}


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


def roster_job_finish(*, job: RosterJob, instance: Instance, result: optimiser.RosterResult) -> int:
    """Store the optimiser's proposal as the job's draft shifts and finish the job, in one transaction (the
    worker's last write; no actor: the audit event is the system's). Returns the number of draft shifts."""
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


def roster_job_fail(*, job_id: int, message: str) -> None:
    """Mark the job failed with `message` (the worker's write when the run raised)."""
    with transaction.atomic():
        job = RosterJob.objects.select_for_update(of=("self",)).filter(pk=job_id).select_related("unit").first()
        if job is None:
            return
        job.status = RosterJob.Status.FAILED
        job.message = message
        job.finished_at = clock.now()
        job.save(update_fields=["status", "message", "finished_at"])
        audit.record(actor=None, action="roster_job.fail", obj=job, new={"message": message}, unit=job.unit)
