"""The demo's staff and rostering history (bista.demo.rostering): a small demo, generated once for the module
(the `demo` fixture, conftest.py)."""

from __future__ import annotations

import datetime
import itertools
import random
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Max, Q

from bista.care.models import Order
from bista.care.selectors import todo_for
from bista.clients.models import Client
from bista.core.clock import STOCKHOLM
from bista.core.models import AuditEvent, Team
from bista.demo import generator
from bista.demo import rostering as demo_rostering
from bista.demo.plan import make_plan
from bista.rostering import loaders, needs, rules
from bista.rostering.facts import Period
from bista.rostering.models import BookedOccasion, NeedPattern, Shift, ShiftKind
from bista.staff.models import (
    Absence,
    Appraisal,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Delegation,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    EmploymentType,
    Introduction,
)

TODAY = datetime.date(2025, 11, 30)  # a Sunday: the published weeks are the next two
SMALL: dict[str, Any] = {"scale": "unit", "years": 3, "seed": 11, "size": 0.1, "today": TODAY}


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def last_date(shift: Shift) -> datetime.date:
    return local_date(shift.ends_at - datetime.timedelta(microseconds=1))


# --- Pure parts --------------------------------------------------------------------------------------------


def test_need_patterns_fit_the_decision() -> None:
    """24/7 from 168 h a week with a second assistant at the peaks as the hours allow; never more than granted."""
    night = ShiftKind.ON_CALL
    for hours in (170, 184, 198, 140, 116, 84, 52, 24, 10):
        specs = demo_rostering.patterns_for(hours, night)
        facts = [
            needs.PatternFact(
                id=i,
                client_id=1,
                weekdays=spec.weekdays,
                start_time=spec.start,
                end_time=spec.end,
                staff_count=spec.staff_count,
                kind=spec.kind,
                valid_from=datetime.date(2024, 1, 1),
                valid_to=None,
            )
            for i, spec in enumerate(specs)
        ]
        # October 2024 has the long night of the daylight-saving change.
        for period in (
            Period(datetime.date(2024, 10, 1), datetime.date(2024, 10, 31)),
            Period(datetime.date(2024, 10, 21), datetime.date(2024, 11, 3)),
        ):
            slots = needs.expand_needs(facts, [], period)
            total = sum(slot.hours * slot.staff_count for slot in slots)
            granted = needs.granted_hours(hours, "week", datetime.date(2024, 1, 1), None, period)
            assert granted is not None and total <= granted, (hours, period)
    around_the_clock = {(s.start.hour, s.end.hour, s.kind) for s in demo_rostering.patterns_for(198, night)}
    assert around_the_clock == {
        (7, 15, ShiftKind.ACTIVE),
        (15, 22, ShiftKind.ACTIVE),
        (22, 7, ShiftKind.ON_CALL),
        (7, 9, ShiftKind.ACTIVE),
        (20, 22, ShiftKind.ACTIVE),
    }
    assert len(demo_rostering.patterns_for(184, night)) == 4
    assert len(demo_rostering.patterns_for(170, night)) == 3


def test_plan_has_the_rostering_counts() -> None:
    district = make_plan(size=1).district
    assert district.overdue_appraisals >= 3
    assert district.expiring_delegations >= 3
    assert district.expired_delegations == 1
    assert district.staff_exclusions >= 5


@pytest.mark.django_db
def test_same_seed_gives_the_same_history() -> None:
    """Runs before the module's demo is made (conftest.py orders it first): the generator needs an empty
    database."""
    arguments = {**SMALL, "years": 1, "size": 0.05}

    def generate_and_roll_back() -> list[tuple[Any, ...]]:
        with transaction.atomic():
            generator.generate(**arguments)
            result = sorted(
                Shift.objects.values_list(
                    "client__personnummer", "employee__personnummer", "starts_at", "ends_at", "status", "kind"
                ),
                key=repr,
            )
            result += sorted(
                Absence.objects.values_list("employee__personnummer", "kind", "starts_on", "ends_on"), key=repr
            )
            transaction.set_rollback(True)
        return result

    first = generate_and_roll_back()
    assert first
    assert generate_and_roll_back() == first


# --- The generated history -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_steps_write_every_kind_of_record(demo: generator.Context) -> None:
    for model in (
        EmploymentTerm,
        EmployeeCompetence,
        Delegation,
        Introduction,
        Appraisal,
        ClientStaffChoice,
        ClientCompetenceNeed,
        NeedPattern,
        BookedOccasion,
    ):
        assert model.objects.exists(), model.__name__
    statuses = Counter(Shift.objects.values_list("status", flat=True))
    assert statuses[Shift.Status.WORKED] and statuses[Shift.Status.PUBLISHED] and statuses[Shift.Status.ABSENT]
    assert not statuses[Shift.Status.DRAFT]  # later weeks are left for the optimiser
    kinds = set(Absence.objects.values_list("kind", flat=True))
    assert {Absence.Kind.SICK, Absence.Kind.VACATION} <= kinds
    assert set(ClientStaffChoice.objects.values_list("kind", flat=True)) == set(ClientStaffChoice.Kind.values)
    assert BookedOccasion.objects.filter(cancelled_at__isnull=False).exists()
    # One summary audit event per step (the rows are generated history, not registrations).
    steps = {e.new_values["step"] for e in AuditEvent.objects.filter(action="demo.history")}
    assert {step for step in steps if step.startswith("rostering.")} == {
        "rostering.client_needs",
        "rostering.staff_details",
        "rostering.needs",
        "rostering.absences",
        "rostering.shifts",
    }


@pytest.mark.django_db
def test_generated_rows_pass_model_validation(demo: generator.Context) -> None:
    """bulk_create skips full_clean: a sample of every kind is validated here (who recorded it is empty, as for
    anything the SYSTEM actor writes)."""
    for model in (
        EmploymentTerm,
        EmployeeCompetence,
        Delegation,
        Introduction,
        Appraisal,
        ClientStaffChoice,
        ClientCompetenceNeed,
        Absence,
        NeedPattern,
        BookedOccasion,
        Shift,
    ):
        rows = list(model.objects.order_by("?")[:40])
        assert rows, model.__name__
        for row in rows:
            row.full_clean(exclude=["recorded_by", "created_by", "held_by"])


@pytest.mark.django_db
def test_terms_follow_the_employee(demo: generator.Context) -> None:
    """Terms without gaps or overlaps from the first day to the last, ending with today's type and rate;
    Bilaga J for assistance teams."""
    assistance = set(
        Employee.teams.through.objects.filter(team__kind=Team.Kind.ASSISTANCE).values_list("employee_id", flat=True)
    )
    changed = 0
    for employee in Employee.objects.prefetch_related("terms__regime"):
        terms = sorted(employee.terms.all(), key=lambda t: t.starts_on)
        assert terms, employee
        assert terms[0].starts_on == employee.start_date
        assert terms[-1].ends_on == employee.end_date
        assert terms[-1].employment_type == employee.employment_type
        assert terms[-1].employment_rate == employee.employment_rate
        for earlier, later in itertools.pairwise(terms):
            assert earlier.ends_on is not None and earlier.ends_on + datetime.timedelta(days=1) == later.starts_on
        expected = "ab_bilaga_j" if employee.pk in assistance else "ab"
        assert {t.regime.code for t in terms} == {expected}
        changed += len(terms) > 1
    assert changed


@pytest.mark.django_db
def test_sample_of_generated_periods_keeps_the_rules(demo: generator.Context) -> None:
    """Calendar weeks and months and 14-day periods, through the loaders: no hard violation anywhere."""
    unit = demo.districts[0].provider
    rng = random.Random(5)
    first = local_date(Shift.objects.order_by("starts_at").first().starts_at)  # type: ignore[union-attr]
    last = TODAY + datetime.timedelta(days=14)
    months = sorted(
        {(first + datetime.timedelta(days=rng.randint(0, (last - first).days))).replace(day=1) for _ in range(8)}
    )
    periods = [rules.contract_period(month) for month in months]
    for month in months:
        monday = month - datetime.timedelta(days=month.weekday()) + datetime.timedelta(days=7)
        periods += [
            Period(monday, monday + datetime.timedelta(days=6)),
            Period(monday, monday + datetime.timedelta(days=13)),
        ]
    periods.append(Period(TODAY - datetime.timedelta(days=TODAY.weekday()), TODAY + datetime.timedelta(days=14)))
    checked = 0
    for period in periods:
        around = datetime.timedelta(days=8)
        shifts = list(
            Shift.objects.filter(
                unit=unit,
                status__in=loaders.LIVE_STATUSES,
                starts_at__lt=loaders.local_start(period.end) + around,
                ends_at__gt=loaders.local_start(period.start) - around,
            )
        )
        employees = loaders.employee_facts({s.employee_id for s in shifts if s.employee_id}, period)
        clients = loaders.client_facts({s.client_id for s in shifts}, period)
        violations = rules.check_roster([loaders.shift_fact(s) for s in shifts], employees, clients, period)
        hard = [v.message for v in violations if v.hard]
        assert not hard, (period, hard[:5])
        checked += len(shifts)
    assert checked > 500


@pytest.mark.django_db
def test_each_employee_keeps_the_rules_in_their_busiest_weeks(demo: generator.Context) -> None:
    """Per employee: the calendar week in which they worked most, with everything around it."""
    busiest: dict[int, tuple[float, datetime.date]] = {}
    hours: Counter[tuple[int, datetime.date]] = Counter()
    for employee_id, starts_at, ends_at in Shift.objects.filter(
        status__in=loaders.LIVE_STATUSES, employee__isnull=False
    ).values_list("employee_id", "starts_at", "ends_at"):
        day = local_date(starts_at)
        hours[(employee_id, day - datetime.timedelta(days=day.weekday()))] += (ends_at - starts_at).total_seconds()
    for (employee_id, monday), seconds in hours.items():
        if seconds > busiest.get(employee_id, (0.0, monday))[0]:
            busiest[employee_id] = (seconds, monday)
    assert len(busiest) > 10
    for employee_id, (seconds, monday) in busiest.items():
        assert seconds / 3600 <= 48
        period = Period(monday, monday + datetime.timedelta(days=6))
        shifts = list(
            Shift.objects.filter(
                Q(employee_id=employee_id)
                | Q(client_id__in=Shift.objects.filter(employee_id=employee_id).values("client_id")),
                status__in=loaders.LIVE_STATUSES,
                starts_at__lt=loaders.local_start(period.end) + datetime.timedelta(days=8),
                ends_at__gt=loaders.local_start(period.start) - datetime.timedelta(days=8),
            )
        )
        employees = loaders.employee_facts({s.employee_id for s in shifts if s.employee_id}, period)
        clients = loaders.client_facts({s.client_id for s in shifts}, period)
        violations = rules.check_roster([loaders.shift_fact(s) for s in shifts], employees, clients, period)
        assert not [v.message for v in violations if v.hard and v.employee_id == employee_id]


@pytest.mark.django_db
def test_sick_shifts_are_absent_and_replaced(demo: generator.Context) -> None:
    absent = list(Shift.objects.filter(status=Shift.Status.ABSENT).select_related("absence"))
    assert absent
    replacements = {s.replaces_id: s for s in Shift.objects.filter(replaces__isnull=False)}
    hourly = 0
    for shift in absent:
        absence = shift.absence
        assert absence is not None and absence.employee_id == shift.employee_id
        assert absence.kind in (Absence.Kind.SICK, Absence.Kind.CARE_OF_CHILD)
        assert absence.starts_on <= last_date(shift) and (
            absence.ends_on is None or local_date(shift.starts_at) <= absence.ends_on
        )
        replacement = replacements.pop(shift.pk, None)
        if replacement is None:  # only a need nobody could cover in the past leaves none
            assert local_date(shift.starts_at) < TODAY
            continue
        assert (replacement.client_id, replacement.starts_at, replacement.ends_at, replacement.kind) == (
            shift.client_id,
            shift.starts_at,
            shift.ends_at,
            shift.kind,
        )
        assert replacement.status != Shift.Status.ABSENT or replacement.absence_id is not None
        if replacement.employee_id is None:  # still open: the sickness reported this week
            assert local_date(replacement.starts_at) >= TODAY and absence.ends_on is None
            continue
        assert replacement.employee_id != shift.employee_id
        hourly += replacement.is_hourly_paid
        other = Absence.objects.filter(
            employee_id=replacement.employee_id,
            cancelled_at__isnull=True,
            starts_on__lte=last_date(replacement),
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=local_date(replacement.starts_at)))
        assert not other.exists()
    assert not replacements  # every replacement replaces an absent shift
    assert hourly >= len(absent) / 3  # mostly hourly-paid staff
    # Today: someone is sick since two days ago, with published shifts left open.
    ongoing = Absence.objects.get(kind=Absence.Kind.SICK, ends_on__isnull=True)
    assert ongoing.starts_on == TODAY - datetime.timedelta(days=2)


@pytest.mark.django_db
def test_no_shift_outside_employment_or_in_planned_leave(demo: generator.Context) -> None:
    employees = {e.pk: e for e in Employee.objects.all()}
    leave = [
        (a.employee_id, a.starts_on, a.ends_on)
        for a in Absence.objects.exclude(kind__in=[Absence.Kind.SICK, Absence.Kind.CARE_OF_CHILD])
    ]
    assert leave  # otherwise "not in planned leave" would hold of any shift
    shifts = Shift.objects.filter(employee__isnull=False)
    assert shifts.exists()
    for shift in shifts:
        employee = employees[shift.employee_id]  # type: ignore[index]
        first, last = local_date(shift.starts_at), last_date(shift)
        assert employee.start_date <= first
        assert employee.end_date is None or last <= employee.end_date
        assert not any(
            pk == employee.pk and start <= last and (end is None or first <= end) for pk, start, end in leave
        )
        if shift.status != Shift.Status.ABSENT:
            assert shift.absence_id is None


@pytest.mark.django_db
def test_statuses_follow_today(demo: generator.Context) -> None:
    """Past shifts worked (or absent), the current two weeks published, nothing later; occasions 6 weeks on."""
    published_end = TODAY - datetime.timedelta(days=TODAY.weekday()) + datetime.timedelta(weeks=2)
    for status, starts_at in Shift.objects.values_list("status", "starts_at"):
        day = local_date(starts_at)
        assert day < published_end
        if day < TODAY:
            assert status in (Shift.Status.WORKED, Shift.Status.ABSENT)
        else:
            assert status in (Shift.Status.PUBLISHED, Shift.Status.ABSENT)
    latest = BookedOccasion.objects.aggregate(latest=Max("starts_at"))["latest"]
    assert latest is not None and local_date(latest) > published_end
    assert local_date(latest) <= TODAY + datetime.timedelta(weeks=6)


@pytest.mark.django_db
def test_shifts_follow_the_needs(demo: generator.Context) -> None:
    """Assistance shifts come from the patterns of an order running that day; occasion shifts from their
    occasion (not cancelled, not kontaktperson); the hourly-paid flag is the employee's term that day."""
    checked: Counter[str] = Counter()
    for shift in Shift.objects.filter(need_pattern__isnull=False).select_related("need_pattern")[:500]:
        checked["pattern"] += 1
        pattern = shift.need_pattern
        assert pattern is not None and pattern.client_id == shift.client_id
        day = local_date(shift.starts_at)
        assert pattern.valid_from <= day and (pattern.valid_to is None or day <= pattern.valid_to)
        assert shift.starts_at.astimezone(STOCKHOLM).time() == pattern.start_time
        assert shift.kind == pattern.kind
    for shift in Shift.objects.filter(booked_occasion__isnull=False).select_related("booked_occasion__order__service")[
        :500
    ]:
        checked["occasion"] += 1
        occasion = shift.booked_occasion
        assert occasion is not None and occasion.cancelled_at is None
        assert (occasion.starts_at, occasion.ends_at, occasion.client_id) == (
            shift.starts_at,
            shift.ends_at,
            shift.client_id,
        )
        assert occasion.order.service.code != "lss_9_4"
    terms = list(EmploymentTerm.objects.all())
    for shift in Shift.objects.filter(employee__isnull=False).order_by("?")[:300]:
        checked["term"] += 1
        day = local_date(shift.starts_at)
        term = next(
            t
            for t in terms
            if t.employee_id == shift.employee_id and t.starts_on <= day and (t.ends_on is None or day <= t.ends_on)
        )
        assert shift.is_hourly_paid == (term.employment_type == EmploymentType.HOURLY_PAID)
    # Every occasion lies in its order's decision period.
    for occasion in BookedOccasion.objects.select_related("order")[:500]:
        checked["decision period"] += 1
        order: Order = occasion.order
        day = local_date(occasion.starts_at)
        assert order.period_start <= day
        assert order.ended_on is None or day < order.ended_on
    # Each loop above checked something: an empty demo would otherwise pass.
    assert set(checked) == {"pattern", "occasion", "term", "decision period"}, checked


@pytest.mark.django_db
def test_introduced_before_the_first_shift(demo: generator.Context) -> None:
    introductions = {(i.employee_id, i.client_id): i.completed_on for i in Introduction.objects.all()}
    first: dict[tuple[int, int], datetime.date] = {}
    for employee_id, client_id, starts_at in Shift.objects.filter(employee__isnull=False).values_list(
        "employee_id", "client_id", "starts_at"
    ):
        key = (employee_id, client_id)
        first[key] = min(first.get(key, datetime.date.max), local_date(starts_at))
    assert first  # without shifts the comparison below would hold of nothing
    assert set(first) == set(introductions)
    assert all(introductions[key] <= day for key, day in first.items())


@pytest.mark.django_db
def test_att_gora_has_delegations_and_appraisals_to_act_on(demo: generator.Context) -> None:
    plan = make_plan(size=SMALL["size"]).district
    current = [d for d in Delegation.objects.filter(revoked_on__isnull=True) if d.valid_from <= TODAY]
    latest: dict[tuple[int, int, int | None], Delegation] = {}
    for delegation in current:
        key = (delegation.employee_id, delegation.kind_id, delegation.client_id)
        if key not in latest or latest[key].valid_until < delegation.valid_until:
            latest[key] = delegation
    employed = {e.pk for e in Employee.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=TODAY))}
    expiring = [d for d in latest.values() if TODAY <= d.valid_until <= TODAY + datetime.timedelta(days=30)]
    expired = [d for d in latest.values() if d.valid_until < TODAY and d.employee_id in employed]
    assert len(expiring) >= min(plan.expiring_delegations, 1)
    assert len(expired) == plan.expired_delegations
    # Delegations follow one another without gaps, one year at most.
    for delegation in Delegation.objects.all():
        assert delegation.valid_until <= delegation.valid_from.replace(year=delegation.valid_from.year + 1)
    last_appraisal: dict[int, datetime.date] = {}
    for employee_id, held_on in Appraisal.objects.values_list("employee_id", "held_on"):
        last_appraisal[employee_id] = max(last_appraisal.get(employee_id, held_on), held_on)
    overdue = [
        pk for pk, day in last_appraisal.items() if pk in employed and day < TODAY - datetime.timedelta(days=366)
    ]
    assert 1 <= len(overdue) <= plan.overdue_appraisals


@pytest.mark.django_db
def test_clients_needs_and_choices_are_consistent_with_the_staff(demo: generator.Context) -> None:
    """The team has what its client needs; exclusions are respected six weeks before they were registered."""
    assert ClientCompetenceNeed.objects.filter(delegation_kind__code="insulin").exists()
    exclusions = ClientStaffChoice.objects.filter(kind=ClientStaffChoice.Kind.EXCLUDED)
    needs_of_a_competence = ClientCompetenceNeed.objects.filter(competence__isnull=False)
    assert exclusions.exists() and needs_of_a_competence.exists()  # the loops below check each of them
    for choice in exclusions:
        since = choice.since - datetime.timedelta(days=demo_rostering.EXCLUSION_LEAD_DAYS)
        worked = Shift.objects.filter(
            client=choice.client, employee=choice.employee, starts_at__gte=loaders.local_start(since)
        )
        if choice.until is not None:
            worked = worked.filter(starts_at__lt=loaders.local_start(choice.until + datetime.timedelta(days=1)))
        assert not worked.exists()
    for need in needs_of_a_competence:
        workers = Shift.objects.filter(client=need.client, employee__isnull=False).values("employee_id").distinct()
        assert not workers.exclude(employee__competences__competence=need.competence).exists(), need.competence


@pytest.mark.django_db
def test_fictitious_flags_are_kept(demo: generator.Context) -> None:
    assert not Employee.objects.filter(fictitious=False).exists()
    assert not Client.objects.filter(fictitious=False).exists()
    worked_by = Employee.objects.filter(pk__in=Shift.objects.values("employee_id"))
    assert worked_by.exists() and not worked_by.filter(fictitious=False).exists()


@pytest.mark.django_db
def test_new_rows_get_fresh_ids_after_the_generated_ones(demo: generator.Context) -> None:
    """Shifts and occasions were numbered by the generator; the database's own numbering goes on after them."""
    shift = Shift.objects.order_by("-pk").first()
    occasion = BookedOccasion.objects.order_by("-pk").first()
    assert shift is not None and occasion is not None
    new_occasion = BookedOccasion.objects.create(
        client_id=occasion.client_id, order_id=occasion.order_id, starts_at=occasion.starts_at, ends_at=occasion.ends_at
    )
    new_shift = Shift.objects.create(
        unit_id=shift.unit_id, client_id=shift.client_id, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    assert new_occasion.pk > occasion.pk and new_shift.pk > shift.pk


@pytest.mark.django_db
def test_att_gora_shows_the_staff_duties(demo: generator.Context) -> None:
    """Through the duty engine: the unrenewed delegation and the few overdue appraisals are overdue, expiring
    delegations are due soon, and nothing else of staff is overdue (ended chains were revoked)."""
    d = demo.districts[0]
    todo = todo_for(d.managers["provider"], today=TODAY, unit_id=d.provider.pk)
    plan = make_plan(size=SMALL["size"]).district
    overdue = Counter(duty.rule.code for duty in todo.overdue)
    soon = Counter(duty.rule.code for duty in todo.due_soon)
    assert overdue["staff.delegation_renewal"] == plan.expired_delegations
    assert 1 <= overdue["staff.appraisal"] <= plan.overdue_appraisals
    assert soon["staff.delegation_renewal"] >= 1
