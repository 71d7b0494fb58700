"""The demo's quality history (bista.demo.quality): a small demo, generated through the quality services once
for the module (the `demo` fixture, conftest.py)."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from typing import Any

import pytest

from bista.care import selfchecks
from bista.care.selectors import todo_for
from bista.core import clock
from bista.core.access import has_perm
from bista.core.deadlines import DutyState, add_months
from bista.core.models import AuditEvent
from bista.core.permissions import Perm
from bista.demo import generator
from bista.demo.plan import make_plan
from bista.quality import rules
from bista.quality.models import (
    Concerns,
    DataIncident,
    Deviation,
    DeviationAction,
    Feedback,
    IdentifiedBy,
    LexSarahReport,
    QualityCategory,
    Routine,
    SelfCheckPlanItem,
    SelfCheckResult,
)
from bista.quality.selectors import vb_table_unchecked
from bista.staff.models import Employee

TODAY = datetime.date(2025, 11, 30)
SMALL: dict[str, Any] = {"scale": "unit", "years": 3, "seed": 3, "size": 0.05, "today": TODAY}
MIDNIGHT = datetime.datetime.combine(TODAY, datetime.time(), tzinfo=clock.STOCKHOLM)


def quality_fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """What the quality steps wrote, without database ids or the run's own timestamps."""
    return {
        "deviations": sorted(
            Deviation.objects.values_list(
                "reported_at",
                "occurred_at",
                "what_happened",
                "reported_by__username",
                "client__personnummer",
                "status",
                "category__code",
                "identified_by",
                "concerns",
                "analysis",
                "closed_at",
                "closed_by__username",
            )
        ),
        "actions": sorted(
            DeviationAction.objects.values_list("deviation__reported_at", "description", "due_on", "done_on")
        ),
        "lex_sarah": sorted(
            LexSarahReport.objects.values_list(
                "reported_at", "status", "registered_at", "investigated_at", "assessment", "serious", "ivo_reference"
            )
        ),
        "feedback": sorted(
            Feedback.objects.values_list(
                "received_on", "kind", "source", "sender_name", "category__code", "answered_on", "closed_at"
            )
        ),
        "incidents": sorted(DataIncident.objects.values_list("discovered_at", "imy_decision", "imy_decided_at")),
        "routines": sorted(Routine.objects.values_list("name", "owner__username", "version_label", "reviewed_on")),
        "self_checks": sorted(
            SelfCheckResult.objects.values_list("item__what", "performed_on", "result", "recorded_by__username")
        ),
    }


def employed_on(user: Any, day: datetime.date) -> bool:
    employee = Employee.objects.get(user=user)
    return employee.start_date <= day and (employee.end_date is None or employee.end_date >= day)


@pytest.mark.django_db
def test_small_demo_has_deviations_of_every_status_and_classification(demo: generator.Context) -> None:
    ctx = demo
    provider = ctx.districts[0].provider
    deviations = Deviation.objects.filter(unit=provider).select_related("category", "reported_by")

    assert set(deviations.values_list("status", flat=True)) == set(Deviation.Status.values)
    classified = deviations.exclude(status=Deviation.Status.REPORTED)
    assert not classified.filter(category__isnull=True).exists()
    assert set(classified.values_list("identified_by", flat=True)) == set(IdentifiedBy.values)
    assert set(classified.values_list("concerns", flat=True)) == set(Concerns.values)
    assert not classified.filter(concerns=Concerns.OTHER, concerned_unit_name="").exists()
    # Mostly "Utförande av insats" and "Bemötande"; most identified by own staff, about the unit itself.
    by_category = Counter(classified.values_list("category__code", flat=True)).most_common()
    assert {code for code, _ in by_category[:2]} == {"utforande", "bemotande"}
    assert classified.filter(identified_by=IdentifiedBy.STAFF).count() > 0.75 * classified.count()
    assert classified.filter(concerns=Concerns.OWN).count() > 0.75 * classified.count()

    for deviation in deviations:
        assert deviation.occurred_at <= deviation.reported_at < MIDNIGHT
        if deviation.reported_by is not None:  # a real demo user, employed then, who may report today
            assert employed_on(deviation.reported_by, clock.local_date(deviation.reported_at))
            assert has_perm(deviation.reported_by, Perm.QUALITY_REPORT, provider)
    for deviation in deviations.filter(status=Deviation.Status.CLOSED):
        assert deviation.analysis and deviation.closed_at is not None
        assert deviation.reported_at < deviation.closed_at < MIDNIGHT
        assert not deviation.actions.filter(done_on__isnull=True).exists()
        assert all(
            action.done_on is not None and action.done_on <= clock.local_date(deviation.closed_at)
            for action in deviation.actions.all()
        )
    # Closed by the unit manager or a deputy when one of them was employed then.
    closers = set(deviations.exclude(closed_by__isnull=True).values_list("closed_by__username", flat=True))
    assert closers and closers <= {"chef", "bitradande1"}
    assert DeviationAction.objects.filter(deviation__unit=provider, done_on__isnull=False).exists()
    # The current year is partly open, the years before closed.
    open_days = [clock.local_date(d.reported_at) for d in deviations.exclude(status=Deviation.Status.CLOSED)]
    assert open_days and all(day >= TODAY - datetime.timedelta(days=60) for day in open_days)

    # Every write went through the services.
    events = AuditEvent.objects.filter(request_id="demo-unit-3")
    assert events.filter(action="deviation.report").count() == deviations.count()
    assert events.filter(action="deviation.close").count() == deviations.filter(status="closed").count()


@pytest.mark.django_db
def test_small_demo_has_lex_sarah_reports_in_several_states(demo: generator.Context) -> None:
    ctx = demo
    reports = LexSarahReport.objects.filter(unit=ctx.districts[0].provider)

    statuses = Counter(reports.values_list("status", flat=True))
    assert {LexSarahReport.Status.CLOSED, LexSarahReport.Status.NOTIFIED, LexSarahReport.Status.REMEDIED} <= set(
        statuses
    )
    assert reports.filter(deviation__isnull=False).exists()  # escalated from a deviation
    notified = reports.filter(ivo_notified_on__isnull=False)
    assert notified.filter(status=LexSarahReport.Status.CLOSED).exists()
    for report in notified:
        assert report.serious is True
        assert re.fullmatch(r"3\.1\.2-\d{5}/\d{4}", report.ivo_reference)
        assert report.assessed_at is not None and clock.local_date(report.assessed_at) <= report.ivo_notified_on
    # Most are assessed as not serious.
    assessed = reports.exclude(assessed_at__isnull=True)
    assert assessed.filter(serious=False).count() > assessed.filter(serious=True).count() / 2
    for report in reports.filter(status=LexSarahReport.Status.CLOSED):
        steps = [
            report.reported_at,
            report.registered_at,
            report.remedied_at,
            report.investigated_at,
            report.assessed_at,
            report.closed_at,
        ]
        assert all(step is not None for step in steps)
        assert steps == sorted(steps) and steps[-1] < MIDNIGHT
        assert report.decision and report.decided_on == clock.local_date(report.closed_at)
        assert report.causes and report.client_view and report.preventive_actions
    for report in reports.filter(deviation__isnull=False).select_related("deviation"):
        assert report.deviation.reported_at <= report.reported_at


@pytest.mark.django_db
def test_small_demo_has_feedback_of_every_kind_and_source_and_a_forwarded_complaint(demo: generator.Context) -> None:
    ctx = demo
    feedback = Feedback.objects.filter(unit=ctx.districts[0].provider)

    assert set(feedback.values_list("kind", flat=True)) == set(Feedback.Kind.values)
    assert set(feedback.values_list("source", flat=True)) == set(Feedback.Source.values)
    assert not feedback.filter(kind=Feedback.Kind.PRAISE, category__isnull=False).exists()
    assert not feedback.exclude(kind=Feedback.Kind.PRAISE).filter(category__isnull=True).exists()
    anonymous = feedback.filter(source=Feedback.Source.ANONYMOUS)
    assert not anonymous.exclude(sender_name="").exists() and not anonymous.filter(client__isnull=False).exists()
    # Answered and acted on.
    complaints = feedback.exclude(kind=Feedback.Kind.PRAISE).exclude(source=Feedback.Source.ANONYMOUS)
    assert complaints.filter(answered_on__isnull=False).count() >= 0.9 * complaints.count()
    assert feedback.filter(action_taken_on__isnull=False).exists()
    for item in feedback.filter(answered_on__isnull=False):
        assert item.received_on <= item.answered_on < TODAY and item.answer
    # A complaint about another provider, forwarded there, with that provider's written answer.
    forwarded = feedback.filter(forwarded_on__isnull=False)
    assert forwarded.exists()
    for item in forwarded:
        assert item.kind == Feedback.Kind.COMPLAINT and item.other_provider
        assert item.other_provider_answer and item.other_provider_answered_on is not None
        assert item.received_on <= item.forwarded_on <= item.other_provider_answered_on
        assert item.answered_on is not None and item.answered_on >= item.other_provider_answered_on


@pytest.mark.django_db
def test_small_demo_has_incidents_routines_and_the_self_check_plan(demo: generator.Context) -> None:
    ctx = demo
    provider = ctx.districts[0].provider

    # Incidents: decided within 72 hours of discovery, one decided late, and one from yesterday undecided.
    incidents = DataIncident.objects.filter(unit=provider)
    undecided = incidents.filter(imy_decision="")
    assert undecided.count() == 1
    assert clock.local_date(undecided.get().discovered_at) == TODAY - datetime.timedelta(days=1)
    decided = incidents.exclude(imy_decision="")
    assert set(decided.values_list("imy_decision", flat=True)) == set(DataIncident.ImyDecision.values)
    late = [i for i in decided if i.imy_decided_at > rules.imy_deadline(i.discovered_at)]
    assert len(late) == 1
    for incident in decided.filter(imy_decision=DataIncident.ImyDecision.NOTIFY):
        assert incident.imy_reference and incident.imy_notified_at >= incident.discovered_at
    assert not decided.filter(imy_decision=DataIncident.ImyDecision.NO_RISK, imy_decision_reason="").exists()

    # Routines: owned by the unit's managers, reviewed (new versions); one or two overdue for review.
    routines = Routine.objects.filter(unit=provider, is_active=True)
    assert 8 <= routines.count() <= 12
    assert {"Avvikelsehantering", "Lex Sarah", "Loggkontroll"} <= set(routines.values_list("name", flat=True))
    assert routines.exclude(version_label="1.0").exists()
    overdue = [r for r in routines if add_months(r.reviewed_on, 12) < TODAY]
    assert 1 <= len(overdue) <= 2
    assert all(has_perm(r.owner, Perm.QUALITY_MANAGE, provider) for r in routines)

    # The self-check plan: some items computed from the care records, results recorded by people.
    items = SelfCheckPlanItem.objects.filter(unit=provider)
    assert 6 <= items.count() <= 8
    computed = set(items.exclude(computed_check="").values_list("computed_check", flat=True))
    assert computed and computed <= set(selfchecks.CODES)
    assert items.filter(computed_check="").exists()
    results = SelfCheckResult.objects.filter(item__unit=provider)
    assert results.filter(item__computed_check__in=computed).exists()
    assert results.filter(item__computed_check="").exists()
    assert all(result.performed_on < TODAY for result in results)


@pytest.mark.django_db
def test_vb_table_groups_add_up(demo: generator.Context) -> None:
    ctx = demo
    provider = ctx.districts[0].provider
    codes = {group: [] for group in QualityCategory.Group.values}
    for group, code in QualityCategory.objects.values_list("group", "code"):
        codes[group].append(code)

    for year in range(TODAY.year - 2, TODAY.year + 1):
        table = vb_table_unchecked(unit_id=provider.pk, year=year)

        def total(keys: list[str], table: rules.VbTable = table) -> int:
            return sum(table.values(key)[3] for key in keys)

        start = datetime.datetime(year, 1, 1, tzinfo=clock.STOCKHOLM)
        end = datetime.datetime(year + 1, 1, 1, tzinfo=clock.STOCKHOLM)
        deviations = Deviation.objects.filter(unit=provider, reported_at__gte=start, reported_at__lt=end)
        classified = deviations.filter(category__isnull=False).count()
        assert classified > 0
        assert total([f"deviation.{c}" for c in codes["deviation"]]) == classified
        assert total(["identified.staff", "identified.external"]) == classified
        assert total(["concerns.own", "concerns.other"]) == classified
        assert table.unclassified.get("deviation", 0) == deviations.count() - classified

        feedback = Feedback.objects.filter(unit=provider, received_on__year=year)
        other = feedback.exclude(kind=Feedback.Kind.PRAISE)
        sources = sorted({rules.SOURCE_ROWS[s][0] for s in Feedback.Source.values})
        category_rows = [f"feedback_staff.{c}" for c in codes["feedback_staff"]]
        category_rows += [f"feedback_other.{c}" for c in codes["feedback_other"]]
        assert total(sources) == total(category_rows) == other.count() > 0
        assert total(["praise"]) == feedback.filter(kind=Feedback.Kind.PRAISE).count()
        assert total(["follow_up.answered"]) == other.filter(answered_on__isnull=False).count()
        assert (
            total(["lex_sarah.reports"])
            == LexSarahReport.objects.filter(unit=provider, reported_at__gte=start, reported_at__lt=end).count()
        )
        # Each row's tertials add up to its total.
        for values in table.counts.values():
            assert sum(values[:3]) == values[3]
    assert vb_table_unchecked(unit_id=provider.pk, year=TODAY.year).values("lex_sarah.ivo")[3] >= 1


@pytest.mark.django_db
def test_att_gora_shows_the_open_quality_duties(demo: generator.Context) -> None:
    ctx = demo
    d = ctx.districts[0]
    todo = todo_for(d.managers["provider"], today=TODAY, unit_id=d.provider.pk)
    overdue = Counter(duty.rule.code for duty in todo.overdue)
    assert overdue["quality.lex_sarah_investigation"] == 1
    assert overdue["quality.deviation_handling"] == 1
    assert 1 <= overdue["quality.routine_review"] <= 2
    assert {duty.rule.code for duty in todo.due_soon} >= {"quality.incident_imy"}
    assert all(duty.state(TODAY) is DutyState.OVERDUE for duty in todo.overdue)
    # The history was handled in time or late long ago: few quality duties were done late lately.
    assert sum(1 for duty in todo.done_late if duty.rule.code.startswith("quality.")) <= 5


def test_plan_sizes_the_quality_history_from_the_seeds() -> None:
    full, small = make_plan(size=1.0).district, make_plan(size=0.05).district
    assert full.deviations_per_year == (25, 45)
    assert full.lex_sarah_per_year == (2, 5)
    assert full.feedback_per_year == (15, 30)
    assert small.deviations_per_year[0] >= 8 and small.feedback_per_year[0] >= 8


FINGERPRINT = quality_fingerprint  # what conftest.py's `generated_apart` records


@pytest.mark.django_db
def test_same_seed_gives_the_same_quality_history(
    generated_apart: dict[str, list[tuple[Any, ...]]], demo: generator.Context
) -> None:
    """Two generations with the same seed, each into the empty database: one rolled back before the module's
    shared demo was made (conftest.py), and the shared demo itself."""
    first = generated_apart
    assert first["deviations"] and first["lex_sarah"] and first["feedback"] and first["self_checks"]
    assert quality_fingerprint() == first
