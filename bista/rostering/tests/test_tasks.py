"""The roster job run end to end on a tiny unit (draft shifts that pass the checker, then published and
frozen), and the task's handling of progress, stop requests and failures."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.rostering import loaders, optimiser, rules, services, tasks
from bista.rostering.facts import Period
from bista.rostering.models import RosterJob, Shift
from bista.rostering.tests import factories as f

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def next_monday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.fixture
def period() -> Period:
    start = next_monday()
    return Period(start, start + datetime.timedelta(days=13))


@pytest.fixture
def tiny_unit(org: Organisation, period: Period) -> dict[str, Any]:
    """One client needing one assistant 07–15 on weekdays, and three assistants in the client's team."""
    client = f.make_client(org.provider, teams=[org.team])
    order = f.make_order(client, org.provider, scope_amount=40, team=org.team)
    pattern = f.pattern(order, 7, 15, valid_from=period.start, weekdays="12345")
    staff = [
        f.make_employee(org.provider, name, "Assistent", teams=[org.team], employment_rate=50)
        for name in ("Alva", "Bea", "Cilla")
    ]
    return {"client": client, "pattern": pattern, "staff": staff}


@pytest.fixture
def immediate(settings: Any) -> None:
    settings.TASKS = IMMEDIATE


def run_job(manager: Any, org: Organisation, period: Period, capture: Any, **overrides: Any) -> RosterJob:
    """Start a job; the task runs when the transaction commits (immediately, with the immediate backend)."""
    with capture(execute=True):
        job = services.roster_job_start(
            actor=manager,
            unit=org.provider,
            period_start=period.start,
            period_end=period.end,
            weights=overrides.pop("weights", {}),
            time_limit_seconds=overrides.pop("time_limit_seconds", 10),
        )
    job.refresh_from_db()
    return job


def test_job_end_to_end(
    org: Organisation,
    tiny_unit: dict[str, Any],
    period: Period,
    manager: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = run_job(manager, org, period, django_capture_on_commit_callbacks)
    assert job.status == RosterJob.Status.DONE, job.message
    assert job.progress == 100 and job.started_at and job.finished_at
    assert job.uncovered == []
    assert job.statistics["solver"]["shifts"] == 10
    drafts = list(Shift.objects.filter(job=job).order_by("starts_at"))
    assert len(drafts) == 10  # ten weekdays, one assistant each
    assert {s.status for s in drafts} == {"draft"}
    assert {s.need_pattern for s in drafts} == {tiny_unit["pattern"]}
    assert all(s.employee in tiny_unit["staff"] and s.hours == 8 for s in drafts)
    assert [s.starts_at.astimezone(f.STOCKHOLM).hour for s in drafts] == [7] * 10
    # The proposal passes the rule checker.
    facts = [loaders.shift_fact(s) for s in drafts]
    employees = loaders.employee_facts({s.employee_id for s in drafts}, period)
    clients = loaders.client_facts({tiny_unit["client"].pk}, period)
    assert [v for v in rules.check_roster(facts, employees, clients, period) if v.hard] == []
    assert AuditEvent.objects.filter(action="roster_job.finish", object_id=str(job.pk)).exists()

    # Publish: the drafts become published, and published shifts are frozen.
    assert services.roster_job_publish(actor=manager, job=job, version=job.version) == 10
    job.refresh_from_db()
    assert job.status == "published" and job.published_at is not None
    assert set(Shift.objects.filter(job=job).values_list("status", flat=True)) == {"published"}
    shift = Shift.objects.filter(job=job).first()
    assert shift is not None
    with pytest.raises(ValidationError) as caught:
        services.shift_update(actor=manager, shift=shift, version=shift.version, note="ändrad")
    assert caught.value.error_dict["status"][0].code == "frozen"
    with pytest.raises(ValidationError):
        services.roster_job_publish(actor=manager, job=job, version=job.version)


def test_publish_with_a_stale_version(
    org: Organisation,
    tiny_unit: dict[str, Any],
    period: Period,
    manager: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = run_job(manager, org, period, django_capture_on_commit_callbacks)
    with pytest.raises(services.ShiftConflict):
        services.roster_job_publish(actor=manager, job=job, version=job.version + 1)
    assert set(Shift.objects.filter(job=job).values_list("status", flat=True)) == {"draft"}


def test_publish_refuses_a_proposal_broken_since(
    org: Organisation,
    tiny_unit: dict[str, Any],
    period: Period,
    manager: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A shift published by hand after the job ran, overlapping a proposed one, stops the publication."""
    job = run_job(manager, org, period, django_capture_on_commit_callbacks)
    draft = Shift.objects.filter(job=job).order_by("starts_at").first()
    assert draft is not None and draft.employee is not None
    other_client = f.make_client(org.provider, "Nora", "Annan", teams=[org.team])
    f.make_order(other_client, org.provider)
    # Drafts count for the check of a hand-made shift too, so the clash is made behind the services' back.
    Shift.objects.create(
        unit=org.provider,
        client=other_client,
        employee=draft.employee,
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        status="published",
    )
    with pytest.raises(ValidationError) as caught:
        services.roster_job_publish(actor=manager, job=job, version=job.version)
    assert caught.value.error_dict["__all__"][0].code == "rule_violation"
    assert Shift.objects.filter(job=job, status="published").count() == 0


def test_discard(
    org: Organisation,
    tiny_unit: dict[str, Any],
    period: Period,
    manager: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = run_job(manager, org, period, django_capture_on_commit_callbacks)
    discarded = services.roster_job_discard(actor=manager, job=job, version=job.version)
    assert discarded.status == "discarded"
    assert set(Shift.objects.filter(job=job).values_list("status", flat=True)) == {"cancelled"}


def test_job_is_enqueued_on_the_database_backend(
    org: Organisation, tiny_unit: dict[str, Any], period: Period, manager: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """With the project's backend the job waits for `bista db_worker`; running it later gives the roster."""
    with django_capture_on_commit_callbacks(execute=True):
        job = services.roster_job_start(
            actor=manager,
            unit=org.provider,
            period_start=period.start,
            period_end=period.end,
            weights={},
            time_limit_seconds=10,
        )
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "bista.rostering.tasks.run_roster_job"
    assert queued.args_kwargs["args"] == [job.pk]
    job.refresh_from_db()
    assert job.status == "queued"
    assert tasks.execute(job.pk) == "done"
    assert tasks.execute(job.pk) == "done"  # a second run of the same job does nothing
    assert Shift.objects.filter(job=job).count() == 10


def test_stop_before_the_run(
    org: Organisation,
    tiny_unit: dict[str, Any],
    period: Period,
    manager: Any,
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = services.roster_job_start(
            actor=manager,
            unit=org.provider,
            period_start=period.start,
            period_end=period.end,
            weights={},
            time_limit_seconds=10,
        )
        services.roster_job_stop(actor=manager, job=job)
    job.refresh_from_db()
    assert job.status == "stopped" and job.started_at is None
    assert not Shift.objects.filter(job=job).exists()


def _queued_job(org: Organisation, period: Period, manager: Any) -> RosterJob:
    return services.roster_job_start(
        actor=manager,
        unit=org.provider,
        period_start=period.start,
        period_end=period.end,
        weights={},
        time_limit_seconds=10,
    )


def test_stop_while_running_keeps_the_best_roster(
    org: Organisation, tiny_unit: dict[str, Any], period: Period, manager: Any, monkeypatch: Any
) -> None:
    job = _queued_job(org, period, manager)
    monkeypatch.setattr(tasks, "STOP_POLL_INTERVAL", 0)
    real_first_fit = optimiser.first_fit

    def solve(instance: Any, *, time_limit: float, on_progress: Any, should_stop: Any, **kwargs: Any) -> Any:
        assert not should_stop()
        services.roster_job_stop(actor=manager, job=RosterJob.objects.get(pk=job.pk))
        assert should_stop()
        best = real_first_fit(instance)
        return optimiser.RosterResult(
            status="stopped",
            shifts=best.shifts,
            uncovered=best.uncovered,
            objective=best.objective,
            best_bound=None,
            wall_time=0.1,
            first_solution_time=None,
            statistics=best.statistics,
        )

    monkeypatch.setattr(optimiser, "solve", solve)
    assert tasks.execute(job.pk) == "stopped"
    job.refresh_from_db()
    assert job.message.startswith("Avbruten")
    assert Shift.objects.filter(job=job, status="draft").count() == 10
    # A stopped job's best roster can be published like a finished one.
    assert services.roster_job_publish(actor=manager, job=job, version=job.version) == 10


def test_progress_is_written_to_the_job(
    org: Organisation, tiny_unit: dict[str, Any], period: Period, manager: Any, monkeypatch: Any
) -> None:
    job = _queued_job(org, period, manager)
    seen: list[tuple[int, float | None, str]] = []

    def solve(instance: Any, *, on_progress: Any, **kwargs: Any) -> Any:
        on_progress(optimiser.Progress(0.4, 120.0, 100.0, 1, "Första schemat hittat."))
        on_progress(optimiser.Progress(0.5, 110.0, 100.0, 2, "Förbättrar …"))  # within a second: not written
        row = RosterJob.objects.get(pk=job.pk)
        seen.append((row.progress, row.objective, row.message))
        return optimiser.RosterResult("feasible", (), (), 110.0, 100.0, 1.0, 0.5, {})

    monkeypatch.setattr(optimiser, "solve", solve)
    assert tasks.execute(job.pk) == "done"
    assert seen == [(40, 120.0, "Första schemat hittat.")]
    job.refresh_from_db()
    assert (job.progress, job.objective, job.best_bound) == (100, 110.0, 100.0)


def test_a_failure_is_recorded_not_raised(
    org: Organisation, tiny_unit: dict[str, Any], period: Period, manager: Any, monkeypatch: Any
) -> None:
    job = _queued_job(org, period, manager)

    def solve(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(optimiser, "solve", solve)
    assert tasks.execute(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "misslyckades" in job.message and "boom" not in job.message
    assert job.finished_at is not None
    assert AuditEvent.objects.filter(action="roster_job.fail", object_id=str(job.pk)).exists()
    assert not Shift.objects.filter(job=job).exists()


def test_no_roster_within_the_time_limit(
    org: Organisation, tiny_unit: dict[str, Any], period: Period, manager: Any, monkeypatch: Any
) -> None:
    job = _queued_job(org, period, manager)
    monkeypatch.setattr(
        optimiser,
        "solve",
        lambda instance, **kwargs: optimiser.RosterResult("timeout_without_solution", (), (), None, None, 10.0, None),
    )
    assert tasks.execute(job.pk) == "failed"
    job.refresh_from_db()
    assert "tidsgränsen" in job.message
