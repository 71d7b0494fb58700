"""Properties of the rule checker on random shift sets (hypothesis): valid rosters pass, overlaps are found,
one shift's check agrees with the roster's, and nothing depends on the order the shifts come in."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bista.core.clock import STOCKHOLM
from bista.rostering import rules
from bista.rostering.facts import (
    AbsenceFact,
    ClientFacts,
    DelegationFact,
    EmployeeFacts,
    ExceptionFact,
    Kind,
    Limits,
    Period,
    ShiftFact,
    Violation,
)

H = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)
UTC = datetime.UTC

LIMITS = Limits(
    daily_rest=11 * H,
    weekly_rest=36 * H,
    max_pass=20 * H,
    max_pass_with_exception=24 * H,
    ordinary_hours_per_week=40,
    max_average_hours_per_week=48,
    averaging_period_months=4,
    max_overtime_hours_per_year=200,
)
# Only the time rules can fire: hours limits out of reach.
ROOMY = replace(LIMITS, ordinary_hours_per_week=168, max_average_hours_per_week=168)

# Mondays of ordinary weeks and of weeks with a daylight-saving change, a leap day and New Year.
MONDAYS = [
    datetime.date(2026, 3, 2),
    datetime.date(2026, 3, 23),
    datetime.date(2026, 10, 19),
    datetime.date(2026, 12, 28),
    datetime.date(2028, 2, 28),
    datetime.date(2027, 3, 22),
]
# Hours limits a few shifts can reach.
SMALL = replace(LIMITS, ordinary_hours_per_week=10, max_average_hours_per_week=15, max_overtime_hours_per_year=20)
PERIOD_DAYS = 21
CLIENT_IDS = (10, 11)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=STOCKHOLM).astimezone(UTC)


def period_from(monday: datetime.date) -> Period:
    return Period(monday, monday + datetime.timedelta(days=PERIOD_DAYS - 1))


def as_given(moment: datetime.datetime, local: bool) -> datetime.datetime:
    """The same instant written in Europe/Stockholm or in UTC: the checker must not care."""
    return moment.astimezone(STOCKHOLM) if local else moment


def person(employee_id: int, limits: Limits = ROOMY, **kwargs: object) -> EmployeeFacts:
    return EmployeeFacts(
        employee_id=employee_id,
        name=f"Person {employee_id}",
        gender="",
        limits=limits,
        employment_rate=100.0,
        hourly_paid=False,
        team_ids=frozenset({1}),
        **kwargs,  # type: ignore[arg-type]
    )


def plain_clients() -> dict[int, ClientFacts]:
    return {c: ClientFacts(client_id=c, name=f"K{c}", team_ids=frozenset({1})) for c in CLIENT_IDS}


# --- valid rosters ---------------------------------------------------------------------------------------

work_step = st.tuples(
    st.integers(30, 20 * 60),  # length in minutes, at most the longest pass
    st.integers(11 * 60, 40 * 60),  # rest before the next shift, at least the daily rest
    st.sampled_from([Kind.ACTIVE, Kind.ACTIVE, Kind.ON_CALL, Kind.STANDBY]),
    st.sampled_from(CLIENT_IDS),
    st.booleans(),  # written in local time
)


@st.composite
def valid_rosters(draw: st.DrawFn) -> tuple[list[ShiftFact], dict[int, EmployeeFacts], Period]:
    """Non-overlapping shifts of at most 20 h, 11 h apart, each calendar week with two free days (≥ 46 h)."""
    monday = draw(st.sampled_from(MONDAYS))
    period = period_from(monday)
    weeks = range(-1, PERIOD_DAYS // 7 + 2)
    free_days = {week: draw(st.integers(0, 5)) for week in weeks}
    free_blocks = [
        (
            local_midnight(monday + datetime.timedelta(days=7 * week + day)),
            local_midnight(monday + datetime.timedelta(days=7 * week + day + 2)),
        )
        for week, day in free_days.items()
    ]
    shifts: list[ShiftFact] = []
    employees = {}
    for employee_id in range(1, draw(st.integers(1, 3)) + 1):
        employees[employee_id] = person(employee_id)
        moment = local_midnight(monday) + draw(st.integers(-2 * 24 * 60, 3 * 24 * 60)) * MIN
        for length, rest, kind, client, local in draw(st.lists(work_step, max_size=25)):
            start, end = moment, moment + length * MIN
            moment = end + rest * MIN
            if any(start < hi and end > lo for lo, hi in free_blocks):
                continue  # dropping a shift only lengthens the rests
            key = f"{employee_id}-{len(shifts)}"
            shifts.append(ShiftFact(key, client, employee_id, as_given(start, local), as_given(end, local), kind=kind))
    return shifts, employees, period


@PROPERTY_SETTINGS
@given(valid_rosters())
def test_a_roster_built_within_the_rules_has_no_violations(roster: tuple) -> None:
    shifts, employees, period = roster
    assert rules.check_roster(shifts, employees, plain_clients(), period) == []


@PROPERTY_SETTINGS
@given(valid_rosters(), st.data())
def test_an_overlapping_shift_is_always_an_overlap(roster: tuple, data: st.DataObject) -> None:
    shifts, employees, period = roster
    lo, hi = local_midnight(period.start), local_midnight(period.end + datetime.timedelta(days=1))
    inside = [s for s in shifts if s.starts_at < hi and s.ends_at > lo]
    if not inside:
        return
    target = data.draw(st.sampled_from(inside))
    # Elapsed minutes (ShiftFact.duration subtracts on the wall clock when both ends are in Stockholm time).
    minutes = int((target.ends_at.astimezone(UTC) - target.starts_at.astimezone(UTC)).total_seconds() // 60)
    offset = data.draw(st.integers(-600, minutes - 1))
    length = max(-offset + 1, data.draw(st.integers(1, 26 * 60)))
    start = target.starts_at.astimezone(UTC) + offset * MIN
    kind = data.draw(st.sampled_from(list(Kind)))
    new = ShiftFact(
        "new", data.draw(st.sampled_from(CLIENT_IDS)), target.employee_id, start, start + length * MIN, kind=kind
    )
    pair = sorted([target, new], key=lambda s: (s.starts_at.astimezone(UTC), s.ends_at.astimezone(UTC), s.key))
    expected = tuple(s.key for s in pair)

    found = rules.check_roster([*shifts, new], employees, plain_clients(), period)
    assert expected in [v.shift_keys for v in found if v.rule == "overlap"]
    assert target.employee_id is not None
    one = rules.check_shift(new, shifts, employees[target.employee_id], plain_clients()[new.client_id], period)
    assert expected in [v.shift_keys for v in one if v.rule == "overlap"]


# --- arbitrary shift sets --------------------------------------------------------------------------------


@st.composite
def random_shift(
    draw: st.DrawFn, key: str, monday: datetime.date, employee_ids: list[int], days: int = 27
) -> ShiftFact:
    # Quarter hours from the Sunday before, so that ends and starts often meet.
    start = local_midnight(monday) + draw(st.integers(-4 * 24, days * 24 * 4)) * 15 * MIN
    length = draw(st.integers(1, 26 * 4)) * 15 * MIN
    return ShiftFact(
        key,
        draw(st.sampled_from(CLIENT_IDS)),
        draw(st.sampled_from([*employee_ids, None])),
        as_given(start, draw(st.booleans())),
        as_given(start + length, draw(st.booleans())),
        kind=draw(st.sampled_from([Kind.ACTIVE, Kind.ACTIVE, Kind.ON_CALL, Kind.STANDBY])),
        is_overtime=draw(st.integers(0, 4)) == 0,
    )


@st.composite
def facts_for(draw: st.DrawFn, monday: datetime.date, employee_id: int) -> EmployeeFacts:
    def day() -> datetime.date:
        return monday + datetime.timedelta(days=draw(st.integers(-3, 24)))

    limits = draw(st.sampled_from([LIMITS, ROOMY, replace(LIMITS, max_pass=13 * H), SMALL]))
    exceptions = tuple(
        ExceptionFact(
            i,
            draw(st.sampled_from([None, *CLIENT_IDS])),
            first,
            first + datetime.timedelta(days=draw(st.integers(0, 10))),
        )
        for i, first in enumerate(day() for _ in range(draw(st.integers(0, 2))))
    )
    absences = tuple(
        AbsenceFact(
            first,
            draw(st.sampled_from([None, first, first + datetime.timedelta(days=5)])),
            "sick",
            draw(st.sampled_from([100.0, 50.0])),
        )
        for first in (day() for _ in range(draw(st.integers(0, 2))))
    )
    delegations = tuple(
        DelegationFact("insulin", draw(st.sampled_from([None, *CLIENT_IDS])), first, first + datetime.timedelta(days=7))
        for first in (day() for _ in range(draw(st.integers(0, 2))))
    )
    return person(
        employee_id,
        limits,
        competence_codes=draw(st.sets(st.sampled_from(["epilepsi", "lyft"]))),
        exceptions=exceptions,
        absences=absences,
        delegations=delegations,
        overtime_hours_before=draw(st.sampled_from([0.0, 190.0, 199.5])),
    )


@st.composite
def client_facts(draw: st.DrawFn, client_id: int, employee_ids: list[int]) -> ClientFacts:
    return ClientFacts(
        client_id=client_id,
        name=f"K{client_id}",
        team_ids=frozenset({1}),
        required_competences=draw(st.sets(st.sampled_from(["epilepsi", "lyft"]), max_size=1)),
        required_delegations=draw(st.sets(st.just("insulin"))),
        excluded_employee_ids=draw(st.sets(st.sampled_from(employee_ids))),
        granted_hours=draw(st.sampled_from([None, 20.0, 100.0])),
    )


@st.composite
def random_rosters(
    draw: st.DrawFn,
) -> tuple[list[ShiftFact], dict[int, EmployeeFacts], dict[int, ClientFacts], Period, datetime.date]:
    monday = draw(st.sampled_from(MONDAYS))
    employee_ids = list(range(1, draw(st.integers(1, 3)) + 1))
    # Facts for some employees only: the others get the overlap rule alone.
    employees = {e: draw(facts_for(monday, e)) for e in employee_ids if draw(st.integers(0, 4)) > 0}
    clients = {c: draw(client_facts(c, employee_ids)) for c in CLIENT_IDS}
    count = draw(st.integers(0, 30))
    days = draw(st.sampled_from([4, 10, 27]))  # crowded or sparse
    shifts = [draw(random_shift(f"s{i}", monday, employee_ids, days)) for i in range(count)]
    return shifts, employees, clients, period_from(monday), monday


def as_roster_reports(violations: list[Violation]) -> list[Violation]:
    """check_shift warns where check_roster refuses: the decision's hours."""
    return [replace(v, hard=True) if v.rule == "decision_hours" else v for v in violations]


@PROPERTY_SETTINGS
@given(random_rosters(), st.data())
def test_check_shift_is_what_the_roster_reports_about_the_shift(roster: tuple, data: st.DataObject) -> None:
    shifts, employees, clients, period, monday = roster
    employee_ids = sorted(employees) or [1]
    new = data.draw(random_shift("new", monday, employee_ids))
    employee = employees.get(new.employee_id) if new.employee_id is not None else None

    whole = rules.check_roster([*shifts, new], employees, clients, period)
    one = rules.check_shift(new, shifts, employee, clients[new.client_id], period)

    assert all("new" in v.shift_keys for v in one)
    assert all(not v.hard for v in one if v.rule == "decision_hours")
    about_new = [v for v in whole if "new" in v.shift_keys]
    assert sorted(as_roster_reports(one), key=repr) == sorted(about_new, key=repr)
    # …so it is a subset, and what it leaves out does not involve the shift.
    assert set(as_roster_reports(one)) <= set(whole)


@PROPERTY_SETTINGS
@given(random_rosters(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_input_order(roster: tuple, random: object) -> None:
    shifts, employees, clients, period, _ = roster
    shuffled = list(shifts)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rules.check_roster(shuffled, employees, clients, period) == rules.check_roster(
        shifts, employees, clients, period
    )


@PROPERTY_SETTINGS
@given(random_rosters())
def test_every_violation_is_well_formed(roster: tuple) -> None:
    shifts, employees, clients, period, _ = roster
    keys = {s.key for s in shifts}
    for violation in rules.check_roster(shifts, employees, clients, period):
        assert violation.rule in rules.RULES
        assert violation.message.endswith(".")
        assert violation.shift_keys
        assert set(violation.shift_keys) <= keys
        assert violation.hard or violation.rule in {"ordinary_hours", "absence"}


@PROPERTY_SETTINGS
@given(random_rosters())
def test_local_and_utc_times_give_the_same_answer(roster: tuple) -> None:
    shifts, employees, clients, period, _ = roster
    utc = [replace(s, starts_at=s.starts_at.astimezone(UTC), ends_at=s.ends_at.astimezone(UTC)) for s in shifts]
    local = [
        replace(s, starts_at=s.starts_at.astimezone(STOCKHOLM), ends_at=s.ends_at.astimezone(STOCKHOLM)) for s in shifts
    ]
    assert rules.check_roster(utc, employees, clients, period) == rules.check_roster(local, employees, clients, period)


@PROPERTY_SETTINGS
@given(random_rosters(), st.sampled_from([11 * H, 8 * H]))
def test_work_periods_partition_the_work(roster: tuple, daily_rest: datetime.timedelta) -> None:
    shifts, *_ = roster
    own = [s for s in shifts if s.employee_id == 1]
    periods = rules.work_periods(own, daily_rest)
    assert sorted(s.key for p in periods for s in p.shifts) == sorted(s.key for s in own if s.counts_as_work)
    for before, after in itertools.pairwise(periods):
        assert after.starts_at - before.ends_at >= daily_rest
    for period in periods:
        latest = period.shifts[0].ends_at.astimezone(UTC)
        for s in period.shifts[1:]:
            assert s.starts_at.astimezone(UTC) - latest < daily_rest
            latest = max(latest, s.ends_at.astimezone(UTC))
        assert period.ends_at == latest
        assert period.span == period.ends_at - period.shifts[0].starts_at.astimezone(UTC)
