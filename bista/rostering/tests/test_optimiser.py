"""The roster optimiser on tiny hand-made instances: every roster it returns keeps the rules (asked of
`rules.check_roster`), needs nobody can take are reported with a Swedish reason, published shifts stay as
they are, the client's choices are honoured when someone free fits them, and a stop is obeyed.

Pure: no database. Time limits are a few seconds; nothing here asserts how long anything takes.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterable

from ortools.sat.python import cp_model

from bista.core.clock import STOCKHOLM
from bista.rostering import rules
from bista.rostering.facts import (
    AbsenceFact,
    ClientFacts,
    DelegationFact,
    EmployeeFacts,
    Instance,
    Kind,
    Limits,
    NeedSlot,
    Period,
    ShiftFact,
    Weights,
)
from bista.rostering.optimiser import Progress, RosterResult, first_fit, roster_statistics, solve
from bista.rostering.optimiser.model import ComponentModel
from bista.rostering.optimiser.prepare import Component, prepare
from bista.rostering.optimiser.report import overtime_flags
from bista.rostering.optimiser.results import hard_violations

H = datetime.timedelta(hours=1)
BILAGA_J = Limits(11 * H, 36 * H, 20 * H, 24 * H, 40.0, 48.0, 4, 200.0)
AB = Limits(11 * H, 36 * H, 13 * H, 13 * H, 40.0, 48.0, 4, 200.0)
MONDAY = datetime.date(2026, 3, 2)
TEAM = 1
LIMIT = 3  # seconds per solve


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def day(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


def employee(
    employee_id: int, *, gender: str = "K", rate: float = 100.0, limits: Limits = BILAGA_J, **extra: object
) -> EmployeeFacts:
    return EmployeeFacts(
        employee_id=employee_id,
        name=f"Person {employee_id}",
        gender=gender,
        limits=limits,
        employment_rate=rate,
        hourly_paid=rate == 0,
        team_ids=frozenset({TEAM}),
        **extra,  # type: ignore[arg-type]
    )


def client(client_id: int = 100, **extra: object) -> ClientFacts:
    return ClientFacts(client_id=client_id, name="A.B.", team_ids=frozenset({TEAM}), **extra)  # type: ignore[arg-type]


def slot(key: str, start: datetime.datetime, end: datetime.datetime, client_id: int = 100, **extra: object) -> NeedSlot:
    return NeedSlot(key=key, client_id=client_id, starts_at=start, ends_at=end, **extra)  # type: ignore[arg-type]


def around_the_clock(days: Iterable[int], client_id: int = 100, night: Kind = Kind.ACTIVE) -> list[NeedSlot]:
    """07–15, 15–22 and 22–07 every day."""
    slots = []
    for n in days:
        d = day(n)
        slots += [
            slot(f"d{n}", at(d, 7), at(d, 15), client_id),
            slot(f"e{n}", at(d, 15), at(d, 22), client_id),
            slot(f"n{n}", at(d, 22), at(day(n + 1), 7), client_id, kind=night),
        ]
    return slots


def instance(
    needs: list[NeedSlot],
    employees: list[EmployeeFacts],
    clients: list[ClientFacts] | None = None,
    *,
    days: int = 7,
    fixed: tuple[ShiftFact, ...] = (),
    weights: Weights | None = None,
) -> Instance:
    return Instance(
        period=Period(MONDAY, day(days - 1)),
        needs=tuple(needs),
        employees=tuple(employees),
        clients=tuple(clients or [client()]),
        fixed_shifts=fixed,
        weights=weights or Weights(),
    )


def assert_keeps_the_rules(inst: Instance, result: RosterResult) -> None:
    """What the optimiser promises: no hard violation together with the published shifts, and every slot
    either staffed or reported with a reason."""
    found = rules.check_roster(
        [*inst.fixed_shifts, *result.shifts],
        {e.employee_id: e for e in inst.employees},
        {c.client_id: c for c in inst.clients},
        inst.period,
    )
    hard = [v.message for v in found if v.hard]
    assert hard == []
    staffed: dict[tuple[datetime.datetime, datetime.datetime, int], int] = {}
    for s in [*inst.fixed_shifts, *result.shifts]:
        k = (s.starts_at, s.ends_at, s.client_id)
        staffed[k] = staffed.get(k, 0) + 1
    missing = {u.need.key: u.missing for u in result.uncovered}
    for need in inst.needs:
        have = staffed.get((need.starts_at, need.ends_at, need.client_id), 0)
        assert have + missing.get(need.key, 0) >= need.staff_count, need.key
    for u in result.uncovered:
        assert u.reason and u.missing > 0


def by_need(result: RosterResult) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = {}
    for s in result.shifts:
        found.setdefault(s.key.split("@")[0], []).append(s.employee_id)
    return found


# --- Every roster keeps the rules ------------------------------------------------------------------------


def test_a_week_around_the_clock_is_covered_and_keeps_the_rules() -> None:
    inst = instance(around_the_clock(range(7)), [employee(i) for i in range(1, 7)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert result.uncovered == ()
    assert result.status in ("optimal", "feasible")
    assert result.objective is not None and result.best_bound is not None
    assert result.best_bound <= result.objective + 1e-6
    assert result.first_solution_time is not None


def test_first_fit_keeps_the_rules() -> None:
    inst = instance(around_the_clock(range(7)), [employee(i) for i in range(1, 5)])
    result = first_fit(inst)
    assert_keeps_the_rules(inst, result)
    assert result.statistics["method"] == "first_fit"


def test_a_chain_of_short_shifts_is_one_work_period() -> None:
    """05–06, 12–13 and 18–19: no two of them break the daily rest, all three make a 14-hour work period
    (AB allows 13), so the only person there is can take two of them."""
    d = day(1)
    needs = [
        slot("a", at(d, 5), at(d, 6)),
        slot("b", at(d, 12), at(d, 13)),
        slot("c", at(d, 18), at(d, 19)),
    ]
    inst = instance(needs, [employee(1, limits=AB)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert len(result.shifts) == 2
    assert len(result.uncovered) == 1
    assert "dygnsvilan" in result.uncovered[0].reason


def test_weekly_rest_leaves_a_day_uncovered_for_one_person() -> None:
    """One person, 07–13 every day of the week (42 h): the 36-hour weekly rest takes out a day in the middle
    of the week (a Monday or Sunday off leaves at most 35 hours inside the week)."""
    needs = [slot(f"d{n}", at(day(n), 7), at(day(n), 13)) for n in range(7)]
    inst = instance(needs, [employee(1, limits=AB)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    (uncovered,) = result.uncovered
    assert uncovered.need.key not in ("d0", "d6")
    assert "veckovilan" in uncovered.reason


def test_the_average_hours_limit_the_week() -> None:
    """One person, 07–17 every day (70 h): at most 48 h, so four days."""
    needs = [slot(f"d{n}", at(day(n), 7), at(day(n), 17)) for n in range(7)]
    inst = instance(needs, [employee(1, limits=AB)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert len(result.shifts) == 4
    assert all("48 timmar i veckan" in u.reason for u in result.uncovered)


def test_nights_across_the_change_to_summer_time() -> None:
    """The week of 29 March 2026: the night into Sunday is 8 hours."""
    monday = datetime.date(2026, 3, 23)
    needs = [
        slot(f"n{n}", at(monday + datetime.timedelta(days=n), 22), at(monday + datetime.timedelta(days=n + 1), 7))
        for n in range(7)
    ]
    inst = Instance(
        period=Period(monday, monday + datetime.timedelta(days=6)),
        needs=tuple(needs),
        employees=(employee(1), employee(2), employee(3)),
        clients=(client(),),
    )
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert result.uncovered == ()
    stats = result.statistics
    assert stats["hours"] == 7 * 9 - 1 - 7  # one night an hour shorter; 7 h of the last lie after the period


# --- Needs nobody can take -------------------------------------------------------------------------------


def test_nobody_with_the_delegation_is_reported_with_the_reason() -> None:
    d = day(2)
    inst = instance(
        [slot("a", at(d, 8), at(d, 12))],
        [employee(1), employee(2, delegations=(DelegationFact("lakemedel", None, day(0), day(30)),))],
        [client(required_delegations=frozenset({"insulin"}))],
    )
    result = solve(inst, time_limit=LIMIT)
    assert result.shifts == ()
    (uncovered,) = result.uncovered
    assert uncovered.missing == 1
    assert "delegering för insulin" in uncovered.reason


def test_everyone_absent_is_reported_with_the_reason() -> None:
    d = day(3)
    sick = (AbsenceFact(day(2), day(4), "sick"),)
    inst = instance([slot("a", at(d, 8), at(d, 12))], [employee(1, absences=sick), employee(2, absences=sick)])
    result = solve(inst, time_limit=LIMIT)
    assert result.shifts == ()
    (uncovered,) = result.uncovered
    assert "frånvarande" in uncovered.reason


def test_hours_beyond_the_decision_are_left_uncovered() -> None:
    needs = [slot(f"d{n}", at(day(n), 8), at(day(n), 12)) for n in range(5)]
    inst = instance(needs, [employee(1), employee(2)], [client(granted_hours=12.0)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert len(result.shifts) == 3
    assert all("Beslutets timmar räcker inte" in u.reason for u in result.uncovered)


def test_two_staff_needed_but_one_qualified() -> None:
    d = day(1)
    inst = instance(
        [slot("a", at(d, 9), at(d, 13), staff_count=2)],
        [employee(1, competence_codes=frozenset({"lyft"})), employee(2)],
        [client(required_competences=frozenset({"lyft"}))],
    )
    result = solve(inst, time_limit=LIMIT)
    assert [s.employee_id for s in result.shifts] == [1]
    (uncovered,) = result.uncovered
    assert uncovered.missing == 1
    assert "2 behövs" in uncovered.reason


# --- Published shifts --------------------------------------------------------------------------------------


def test_published_shifts_stay_and_count_for_the_rules() -> None:
    """A published Monday day shift covers its slot; its person (AB, 13 h) cannot also take Monday's
    evening slot (a 15-hour work period) nor a slot overlapping it."""
    monday = day(0)
    published = ShiftFact(
        key="shift-7",
        client_id=100,
        employee_id=1,
        starts_at=at(monday, 7),
        ends_at=at(monday, 15),
        published=True,
    )
    needs = [
        slot("d0", at(monday, 7), at(monday, 15)),  # covered by the published shift
        slot("e0", at(monday, 16), at(monday, 22)),
        slot("x0", at(monday, 12), at(monday, 14), client_id=101),
    ]
    inst = instance(
        needs,
        [employee(1, limits=AB), employee(2, limits=AB), employee(3, limits=AB)],
        [client(), client(101)],
        fixed=(published,),
    )
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert published not in result.shifts and all(s.key != "shift-7" for s in result.shifts)
    assert "d0" not in by_need(result)
    assert 1 not in by_need(result)["e0"] and 1 not in by_need(result)["x0"]
    assert result.uncovered == ()


# --- The client's choices ----------------------------------------------------------------------------------


def test_chosen_staff_and_preferred_gender_are_honoured_when_free() -> None:
    needs = [slot(f"d{n}", at(day(n), 9), at(day(n), 13)) for n in (0, 2, 4)]
    people = [employee(1, gender="M"), employee(2, gender="K"), employee(3, gender="K")]
    inst = instance(needs, people, [client(chosen_employee_ids=frozenset({1, 2}), preferred_gender="K")])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert {s.employee_id for s in result.shifts} == {2}
    stats = result.statistics
    assert stats["chosen_staff_share"] == 1.0
    assert stats["gender_preference_share"] == 1.0
    assert stats["distinct_staff_per_client"] == 1.0


def test_contracted_staff_before_hourly_paid_and_overtime() -> None:
    """Two people at 25 % (10 h a week) and one hourly-paid: 8 h of need goes to the contracted."""
    needs = [slot("a", at(day(1), 8), at(day(1), 12)), slot("b", at(day(3), 8), at(day(3), 12))]
    inst = instance(needs, [employee(1, rate=0.0), employee(2, rate=25.0), employee(3, rate=25.0)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert {s.employee_id for s in result.shifts} <= {2, 3}
    assert not any(s.is_overtime for s in result.shifts)


def test_shifts_beyond_the_contract_are_marked_overtime() -> None:
    """One person at 25 % (10 h in the week) and 3 × 8 h of need: what lies beyond 10 h is overtime."""
    needs = [slot(f"d{n}", at(day(n), 8), at(day(n), 16)) for n in (0, 2, 4)]
    inst = instance(needs, [employee(1, rate=25.0)])
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert [s.is_overtime for s in sorted(result.shifts, key=lambda s: s.starts_at)] == [False, True, True]
    assert result.statistics["overtime_hours"] == 16.0


# --- Running: progress, stop, statistics -------------------------------------------------------------------


def test_progress_is_reported_and_a_stop_is_obeyed() -> None:
    reports: list[Progress] = []
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > 3

    inst = instance(around_the_clock(range(14)), [employee(i) for i in range(1, 9)], days=14)
    result = solve(inst, time_limit=120, on_progress=reports.append, should_stop=stop)
    assert result.status == "stopped"
    assert_keeps_the_rules(inst, result)
    assert result.shifts  # the best roster found so far is kept
    assert reports and all(0.0 <= r.fraction <= 1.0 for r in reports)
    assert all(r.message for r in reports)
    assert reports[-1].objective is not None


def test_statistics_are_json() -> None:
    inst = instance(around_the_clock(range(3)), [employee(1), employee(2, gender="M"), employee(3, rate=0.0)])
    result = solve(inst, time_limit=LIMIT)
    json.dumps(result.statistics)
    stats = roster_statistics(inst, result.shifts)
    json.dumps(stats)
    assert {"hours", "hourly_paid_hours", "overtime_hours", "employees", "clients"} <= set(stats)
    assert stats["clients"][0]["distinct_staff"] >= 1


def test_an_instance_without_needs() -> None:
    result = solve(instance([], [employee(1)]), time_limit=LIMIT)
    assert result.shifts == () and result.uncovered == ()
    assert result.status == "optimal"


# --- The model reads the rules as the checker does -------------------------------------------------------


def _random_instance(rng: random.Random) -> Instance:
    """A fortnight (across a daylight-saving change or not) of random slots of every kind and length, two or
    three people under one regime, a few published shifts that keep the rules, maybe a decision's hours."""
    start = rng.choice([datetime.date(2026, 3, 23), datetime.date(2026, 10, 19), datetime.date(2026, 6, 1)])
    period = Period(start, start + datetime.timedelta(days=13))
    limits = rng.choice([AB, BILAGA_J])
    people = [employee(i, rate=rng.choice([50.0, 100.0]), limits=limits) for i in range(1, rng.randint(2, 3) + 1)]
    needs = []
    for k in range(rng.randint(8, 24)):
        starts_at = at(start + datetime.timedelta(days=rng.randrange(14)), rng.randrange(24), rng.choice([0, 30]))
        hours = rng.choice([1, 2, 3, 4, 6, 8, 9, 10, 12, 14])
        ends_at = (starts_at.astimezone(datetime.UTC) + hours * H).astimezone(STOCKHOLM)
        kind = rng.choice([Kind.ACTIVE, Kind.ACTIVE, Kind.ON_CALL, Kind.STANDBY])
        needs.append(slot(f"s{k}", starts_at, ends_at, staff_count=rng.choice([1, 1, 2]), kind=kind))
    published = []
    for k in range(rng.randint(0, 3)):
        starts_at = at(start + datetime.timedelta(days=rng.randrange(-3, 16)), rng.randrange(24))
        ends_at = (starts_at.astimezone(datetime.UTC) + rng.choice([3, 8, 10]) * H).astimezone(STOCKHOLM)
        shift = ShiftFact(f"f{k}", 101, rng.choice(people).employee_id, starts_at, ends_at, published=True)
        if not any(v.hard for v in rules.check_roster([*published, shift], {}, {}, period)):
            published.append(shift)
    granted = rng.choice([None, None, 40.0])
    return Instance(
        period=period,
        needs=tuple(needs),
        employees=tuple(people),
        clients=(client(granted_hours=granted), ClientFacts(client_id=101, name="C.D.", team_ids=frozenset({2}))),
        fixed_shifts=tuple(published),
    )


def test_the_model_allows_exactly_the_rosters_the_checker_allows() -> None:
    """Random choices on random instances: the model (with the choices fixed) is feasible exactly when
    the checker finds no hard violation — chains of short shifts, weekly rest, hours and DST included."""
    for seed in range(12):
        rng = random.Random(seed)
        inst = _random_instance(rng)
        prepared = prepare(inst)
        everything = Component(
            sorted(s for c in prepared.components for s in c.slots),
            sorted(e for c in prepared.components for e in c.employees),
            0,
        )
        for _ in range(6):
            chosen = {
                (s, e)
                for s in everything.slots
                for e in rng.sample(prepared.slots[s].eligible, k=len(prepared.slots[s].eligible))[
                    : prepared.slots[s].count
                ]
                if rng.random() < 0.6
            }
            model = ComponentModel(prepared, everything).build()
            for pair, var in model.x.items():
                model.model.add(var == int(pair in chosen))
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            feasible = solver.solve(model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            allowed = not hard_violations(prepared, overtime_flags(prepared, chosen))
            assert feasible == allowed, (seed, sorted(chosen))


def test_random_instances_are_solved_within_the_rules() -> None:
    for seed in range(4):
        inst = _random_instance(random.Random(100 + seed))
        result = solve(inst, time_limit=1)
        assert_keeps_the_rules(inst, result)


def test_no_gap_is_reported_until_every_part_has_a_bound() -> None:
    """A part still at the trivial bound 0 would make the roster look "up to 100 % from the best": until every
    part has a bound of its own, the progress carries no bound and says the figure is being worked out."""
    from bista.rostering.optimiser.search import Run

    run = Run(
        instance(around_the_clock(range(1)), [employee(1)], days=1),
        time_limit=1,
        workers=1,
        on_progress=None,
        should_stop=None,
    )
    run.objective, run.bound, run.solutions = [600.0, 1200.0], [540.0, 0.0], 3
    run.bound_known, run.optimal = [True, False], [False, False]
    objective, bound = run._totals()
    assert (objective, bound) == (30.0, None)
    assert "högst" not in run._message() and "1 av 2 delar" in run._message()
    run.bound_known = [True, True]
    run.bound = [540.0, 1140.0]
    assert run._totals() == (30.0, 28.0)
    assert "högst 6.7 % från bästa möjliga" in run._message()
    run.bound_known, run.optimal = [True, False], [False, True]  # a part proven optimal has its bound
    assert run._totals()[1] == 28.0


# --- Why hourly-paid staff were needed ---------------------------------------------------------------------


def test_hourly_paid_hours_are_explained_by_what_kept_the_permanent_staff_away() -> None:
    d = day(2)
    sick = (AbsenceFact(day(1), day(3), "sick"),)
    inst = instance(
        [slot("a", at(d, 8), at(d, 12)), slot("b", at(day(4), 8), at(day(4), 12))],
        [employee(1, absences=sick), employee(2, rate=0)],
    )
    result = solve(inst, time_limit=LIMIT)
    assert_keeps_the_rules(inst, result)
    assert {s.starts_at.date(): s.employee_id for s in result.shifts} == {d: 2, day(4): 1}
    assert result.statistics["hourly_paid_reasons"] == [
        {"reason": "All fast personal i arbetsgruppen är frånvarande.", "shifts": 1, "hours": 4.0}
    ]


def test_hourly_paid_because_nobody_permanent_has_the_competence() -> None:
    d = day(1)
    inst = instance(
        [slot("a", at(d, 9), at(d, 13))],
        [employee(1), employee(2, rate=0, competence_codes=frozenset({"lyft"}))],
        [client(required_competences=frozenset({"lyft"}))],
    )
    result = solve(inst, time_limit=LIMIT)
    assert [s.employee_id for s in result.shifts] == [2]
    assert result.statistics["hourly_paid_reasons"] == [
        {
            "reason": "Ingen fast anställd i arbetsgruppen har kompetensen lyft och förflyttning.",
            "shifts": 1,
            "hours": 4.0,
        }
    ]


def test_no_hourly_paid_shift_no_reasons() -> None:
    d = day(1)
    inst = instance([slot("a", at(d, 9), at(d, 13))], [employee(1)])
    assert solve(inst, time_limit=LIMIT).statistics["hourly_paid_reasons"] == []
