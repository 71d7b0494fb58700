"""The working-time rule checker on hand-made cases: each rule, its boundaries, midnight and daylight saving.

Pure: no database. Times are written in Europe/Stockholm (as a manager reads them); elapsed time decides.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace

import pytest

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

BILAGA_J = Limits(
    daily_rest=11 * H,
    weekly_rest=36 * H,
    max_pass=20 * H,
    max_pass_with_exception=24 * H,
    ordinary_hours_per_week=40,
    max_average_hours_per_week=48,
    averaging_period_months=4,
    max_overtime_hours_per_year=200,
)
AB = replace(BILAGA_J, max_pass=13 * H)
# Limits under which only the rule a test is about can fire (no hours rules).
ROOMY = replace(BILAGA_J, ordinary_hours_per_week=168, max_average_hours_per_week=168)

ANNA = 1
BO = 2
CLIENT = 10
OTHER_CLIENT = 11

# Week 10 of 2026: Monday 2 March to Sunday 8 March.
WEEK_10 = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))
MARCH = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM, fold=fold)


def mar(day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return at(2026, 3, day, hour, minute)


def shift(
    key: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    employee: int | None = ANNA,
    client: int = CLIENT,
    kind: Kind = Kind.ACTIVE,
    overtime: bool = False,
) -> ShiftFact:
    return ShiftFact(key, client, employee, starts_at, ends_at, kind=kind, is_overtime=overtime)


def person(employee_id: int = ANNA, name: str = "Anna Berg", limits: Limits = ROOMY, **kwargs: object) -> EmployeeFacts:
    values: dict[str, object] = {
        "gender": "K",
        "employment_rate": 100.0,
        "hourly_paid": False,
        "team_ids": frozenset({1}),
    }
    values.update(kwargs)
    return EmployeeFacts(employee_id=employee_id, name=name, limits=limits, **values)  # type: ignore[arg-type]


def customer(client_id: int = CLIENT, name: str = "AB", **kwargs: object) -> ClientFacts:
    return ClientFacts(client_id=client_id, name=name, team_ids=frozenset({1}), **kwargs)  # type: ignore[arg-type]


def check(
    shifts: Sequence[ShiftFact],
    employee: EmployeeFacts | None = None,
    period: Period = WEEK_10,
    clients: Sequence[ClientFacts] = (),
    employees: Sequence[EmployeeFacts] = (),
) -> list[Violation]:
    people = {e.employee_id: e for e in (*employees, employee or person())}
    known = {c.client_id: c for c in (customer(), customer(OTHER_CLIENT, "CD"), *clients)}
    return rules.check_roster(shifts, people, known, period)


def of_rule(violations: Sequence[Violation], rule: str) -> list[Violation]:
    return [v for v in violations if v.rule == rule]


def codes(violations: Sequence[Violation]) -> list[str]:
    return [v.rule for v in violations]


# --- formatting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (7.5, "7 h 30 min"),
        (9, "9 h"),
        (0.75, "45 min"),
        (0, "0 min"),
        (1 / 60, "1 min"),
        (10 + 59 / 60, "10 h 59 min"),
        (24, "24 h"),
        (-1.5, "−1 h 30 min"),
        (11 - 1e-9, "11 h"),
    ],
)
def test_explain_hours(hours: float, text: str) -> None:
    assert rules.explain_hours(hours) == text


def test_format_when_is_local_time_whatever_the_input_zone() -> None:
    assert rules.format_when(mar(3, 22)) == "tis 3 mar 22:00"
    assert rules.format_when(datetime.datetime(2026, 3, 3, 21, tzinfo=UTC)) == "tis 3 mar 22:00"
    assert rules.format_when(datetime.datetime(2026, 7, 1, 20, tzinfo=UTC)) == "ons 1 jul 22:00"
    assert rules.format_when(at(2026, 10, 25, 2, 30, fold=1)) == "sön 25 okt 02:30"


def test_format_span_and_period() -> None:
    assert rules.format_span(mar(3, 7), mar(3, 15)) == "tis 3 mar 07:00–15:00"
    assert rules.format_span(mar(3, 22), mar(4, 7)) == "tis 3 mar 22:00–ons 4 mar 07:00"
    assert rules.format_period(MARCH) == "1 mar–31 mar 2026"
    assert rules.format_period(Period(datetime.date(2026, 12, 28), datetime.date(2027, 1, 3))) == (
        "28 dec 2026–3 jan 2027"
    )
    assert rules.format_day(datetime.date(2028, 2, 29)) == "tis 29 feb"


def test_rules_are_the_agreed_codes() -> None:
    assert set(rules.RULES) == {
        "overlap",
        "pass_length",
        "daily_rest",
        "pass_rest",
        "weekly_rest",
        "ordinary_hours",
        "average_hours",
        "overtime_year",
        "competence",
        "delegation",
        "absence",
        "excluded",
        "decision_hours",
    }


# --- a valid week ---------------------------------------------------------------------------------------


def test_an_ordinary_week_keeps_every_rule() -> None:
    week = [shift(f"d{day}", mar(day, 7), mar(day, 15)) for day in range(2, 7)]
    assert check(week, person(limits=BILAGA_J)) == []


def test_no_shifts_no_violations() -> None:
    assert check([]) == []


# --- overlap --------------------------------------------------------------------------------------------


def test_overlapping_shifts_are_reported_with_both_times() -> None:
    found = check([shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 14), mar(3, 22))])
    assert codes(found) == ["overlap"]
    assert found[0].shift_keys == ("a", "b")
    assert found[0].employee_id == ANNA
    assert found[0].hard
    assert found[0].message == "Anna Berg: passet tis 3 mar 14:00–22:00 överlappar passet tis 3 mar 07:00–15:00."


def test_shifts_that_touch_do_not_overlap() -> None:
    assert check([shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 15), mar(3, 22))]) == []


def test_standby_overlapping_work_is_an_overlap() -> None:
    found = check([shift("a", mar(3, 7), mar(3, 15)), shift("s", mar(3, 12), mar(3, 20), kind=Kind.STANDBY)])
    assert codes(found) == ["overlap"]


def test_other_peoples_shifts_do_not_overlap_hers() -> None:
    found = check(
        [shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 7), mar(3, 15), employee=BO)],
        employees=[person(BO, "Bo Ek")],
    )
    assert found == []


def test_every_overlapping_pair_is_reported() -> None:
    found = check(
        [shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 8), mar(3, 12)), shift("c", mar(3, 9), mar(3, 10))]
    )
    assert sorted(v.shift_keys for v in of_rule(found, "overlap")) == [("a", "b"), ("a", "c"), ("b", "c")]


def test_identical_shifts_overlap() -> None:
    assert codes(check([shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 7), mar(3, 15))])) == ["overlap"]


def test_overlap_in_the_repeated_autumn_hour_is_judged_on_elapsed_time() -> None:
    # 02:30 the first time (summer time) is before 02:15 the second time (winter time).
    first = shift("a", at(2026, 10, 25, 0), at(2026, 10, 25, 2, 30, fold=0))
    second = shift("b", at(2026, 10, 25, 2, 15, fold=1), at(2026, 10, 25, 6))
    period = Period(datetime.date(2026, 10, 19), datetime.date(2026, 10, 25))
    assert of_rule(check([first, second], period=period), "overlap") == []
    third = shift("c", at(2026, 10, 25, 2, 15, fold=0), at(2026, 10, 25, 3))
    assert [v.shift_keys for v in of_rule(check([first, third], period=period), "overlap")] == [("a", "c")]


def test_overlap_of_an_employee_without_facts_is_still_found() -> None:
    found = rules.check_roster(
        [shift("a", mar(3, 7), mar(3, 15), employee=7), shift("b", mar(3, 14), mar(3, 16), employee=7)],
        {},
        {},
        WEEK_10,
    )
    assert codes(found) == ["overlap"]
    assert found[0].message.startswith("Medarbetare 7:")


def test_violations_wholly_outside_the_period_are_not_reported() -> None:
    before = [shift("a", at(2026, 2, 24, 7), at(2026, 2, 24, 15)), shift("b", at(2026, 2, 24, 14), at(2026, 2, 24, 16))]
    assert check(before) == []
    # …but one reaching into the period is.
    into = [shift("a", mar(1, 20), mar(2, 4)), shift("b", mar(2, 3), mar(2, 6))]
    assert "overlap" in codes(check(into))


# --- pass length ----------------------------------------------------------------------------------------


def test_a_twenty_hour_pass_is_allowed() -> None:
    assert check([shift("p", mar(3, 7), mar(4, 3))]) == []


def test_a_pass_one_minute_over_twenty_hours_needs_an_exception() -> None:
    found = check([shift("p", mar(3, 7), mar(4, 3, 1))])
    assert codes(found) == ["pass_length"]
    assert found[0].shift_keys == ("p",)
    assert found[0].message == (
        "Anna Berg: passet tis 3 mar 07:00–ons 4 mar 03:01 är 20 h 1 min (högst 20 h utan registrerat undantag)."
    )


def exception(
    client: int | None = None, valid_from: datetime.date = MARCH.start, valid_to: datetime.date = MARCH.end
) -> ExceptionFact:
    return ExceptionFact(id=1, client_id=client, valid_from=valid_from, valid_to=valid_to)


def test_a_24_hour_pass_with_an_exception_for_every_client_is_allowed() -> None:
    assert check([shift("p", mar(3, 7), mar(4, 7))], person(exceptions=(exception(),))) == []


def test_a_24_hour_pass_with_an_exception_for_this_client_is_allowed() -> None:
    assert check([shift("p", mar(3, 7), mar(4, 7))], person(exceptions=(exception(CLIENT),))) == []


def test_a_24_hour_pass_without_an_exception_is_not() -> None:
    assert codes(check([shift("p", mar(3, 7), mar(4, 7))])) == ["pass_length"]


def test_an_exception_for_another_client_does_not_cover() -> None:
    found = check([shift("p", mar(3, 7), mar(4, 7))], person(exceptions=(exception(OTHER_CLIENT),)))
    assert codes(found) == ["pass_length"]


def test_the_exception_must_be_valid_on_the_start_date() -> None:
    night = [shift("p", mar(3, 7), mar(4, 7))]
    starts_next_day = exception(valid_from=datetime.date(2026, 3, 4))
    ends_on_start_day = exception(valid_to=datetime.date(2026, 3, 3))
    ended_day_before = exception(valid_to=datetime.date(2026, 3, 2))
    assert codes(check(night, person(exceptions=(starts_next_day,)))) == ["pass_length"]
    assert check(night, person(exceptions=(ends_on_start_day,))) == []
    assert codes(check(night, person(exceptions=(ended_day_before,)))) == ["pass_length"]


def test_with_an_exception_a_pass_may_not_exceed_24_hours() -> None:
    found = check([shift("p", mar(3, 7), mar(4, 7, 1))], person(exceptions=(exception(),)))
    assert codes(found) == ["pass_length"]
    assert "(högst 24 h även med registrerat undantag)" in found[0].message


def test_a_25_hour_pass_is_never_allowed() -> None:
    found = check([shift("p", mar(3, 7), mar(4, 8))], person(exceptions=(exception(),)))
    assert codes(found) == ["pass_length"]
    assert "25 h" in found[0].message


def test_the_ab_regime_allows_13_hours() -> None:
    assert check([shift("p", mar(3, 7), mar(3, 20))], person(limits=replace(ROOMY, max_pass=13 * H))) == []
    found = check([shift("p", mar(3, 7), mar(3, 20, 30))], person(limits=replace(ROOMY, max_pass=13 * H)))
    assert codes(found) == ["pass_length"]
    assert "högst 13 h" in found[0].message


def test_jour_counts_towards_the_pass() -> None:
    day_and_night = [shift("a", mar(3, 7), mar(3, 15)), shift("j", mar(3, 15), mar(4, 7), kind=Kind.ON_CALL)]
    found = check(day_and_night)
    assert codes(found) == ["daily_rest"]
    assert found[0].shift_keys == ("a", "j")
    assert "utan vila" in found[0].message
    assert check(day_and_night, person(exceptions=(exception(),))) == []


def test_standby_does_not_count_towards_the_pass() -> None:
    assert check([shift("a", mar(3, 7), mar(3, 19)), shift("s", mar(3, 19), mar(4, 7), kind=Kind.STANDBY)]) == []


# --- daylight saving: lengths are elapsed time ----------------------------------------------------------

SPRING_WEEK = Period(datetime.date(2026, 3, 23), datetime.date(2026, 3, 29))
AUTUMN_WEEK = Period(datetime.date(2026, 10, 19), datetime.date(2026, 10, 25))


def test_the_night_the_clocks_go_forward_is_eight_hours() -> None:
    night = shift("n", at(2026, 3, 28, 22), at(2026, 3, 29, 7))
    [period] = rules.work_periods([night], 11 * H)
    assert period.span == 8 * H


def test_the_night_the_clocks_go_back_is_ten_hours() -> None:
    night = shift("n", at(2026, 10, 24, 22), at(2026, 10, 25, 7))
    [period] = rules.work_periods([night], 11 * H)
    assert period.span == 10 * H


def test_the_nights_around_the_changes_are_nine_hours() -> None:
    for start in (at(2026, 3, 27, 22), at(2026, 3, 29, 22), at(2026, 10, 23, 22), at(2026, 10, 25, 22)):
        night = shift("n", start, start + datetime.timedelta(days=1) - 15 * H)
        [period] = rules.work_periods([night], 11 * H)
        assert period.span == 9 * H


def test_a_21_hour_wall_clock_pass_over_the_spring_change_is_20_hours() -> None:
    assert check([shift("p", at(2026, 3, 28, 10), at(2026, 3, 29, 7))], period=SPRING_WEEK) == []


def test_a_19_and_a_half_hour_wall_clock_pass_over_the_autumn_change_is_too_long() -> None:
    assert check([shift("p", at(2026, 10, 24, 12), at(2026, 10, 25, 7))], period=AUTUMN_WEEK) == []
    found = check([shift("p", at(2026, 10, 24, 11, 30), at(2026, 10, 25, 7))], period=AUTUMN_WEEK)
    assert codes(found) == ["pass_length"]
    assert "20 h 30 min" in found[0].message


def test_utc_and_local_input_give_the_same_answer() -> None:
    local = [shift("p", at(2026, 10, 24, 11, 30), at(2026, 10, 25, 7))]
    utc = [replace(s, starts_at=s.starts_at.astimezone(UTC), ends_at=s.ends_at.astimezone(UTC)) for s in local]
    assert check(local, period=AUTUMN_WEEK) == check(utc, period=AUTUMN_WEEK)


# --- daily rest -----------------------------------------------------------------------------------------


def test_exactly_eleven_hours_of_rest_is_enough() -> None:
    assert check([shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(4, 2), mar(4, 10))]) == []


def test_ten_hours_59_minutes_of_rest_is_not() -> None:
    found = check([shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(4, 1, 59), mar(4, 9, 59))])
    assert codes(found) == ["daily_rest"]
    assert found[0].shift_keys == ("a", "b")
    assert found[0].message == (
        "Anna Berg: dygnsvilan mellan passet som slutar tis 3 mar 15:00 och passet som börjar ons 4 mar 01:59 "
        "blir 10 h 59 min (minst 11 h), så arbetspasset tis 3 mar 07:00–ons 4 mar 09:59 blir 26 h 59 min "
        "(högst 24 h även med registrerat undantag)."
    )


def test_a_short_rest_after_a_night_across_midnight() -> None:
    found = check([shift("n", mar(3, 22), mar(4, 7)), shift("e", mar(4, 14), mar(4, 22))])
    assert codes(found) == ["daily_rest"]
    assert "slutar ons 4 mar 07:00 och passet som börjar ons 4 mar 14:00 blir 7 h (minst 11 h)" in found[0].message


def test_a_split_shift_within_the_longest_pass_is_one_work_period() -> None:
    split = [shift("a", mar(3, 7), mar(3, 11)), shift("b", mar(3, 16), mar(3, 21))]
    assert check(split) == []
    [period] = rules.work_periods(split, 11 * H)
    assert period.span == 14 * H
    assert [s.key for s in period.shifts] == ["a", "b"]
    found = check(split, person(limits=replace(ROOMY, max_pass=13 * H)))
    assert codes(found) == ["daily_rest"]
    assert "blir 5 h (minst 11 h)" in found[0].message


def test_the_message_names_the_longest_rest_of_the_work_period() -> None:
    shifts = [shift("a", mar(3, 7), mar(3, 11)), shift("b", mar(3, 13), mar(3, 15)), shift("c", mar(3, 22), mar(4, 7))]
    [violation] = check(shifts)
    assert violation.shift_keys == ("a", "b", "c")
    assert "slutar tis 3 mar 15:00 och passet som börjar tis 3 mar 22:00 blir 7 h" in violation.message


def test_several_shifts_up_to_24_hours_are_allowed_with_an_exception() -> None:
    shifts = [shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 17), mar(4, 7))]
    assert codes(check(shifts)) == ["daily_rest"]
    assert check(shifts, person(exceptions=(exception(CLIENT),))) == []


def test_an_exception_for_one_client_does_not_cover_a_work_period_at_two() -> None:
    shifts = [shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 17), mar(4, 7), client=OTHER_CLIENT)]
    assert codes(check(shifts, person(exceptions=(exception(CLIENT),)))) == ["daily_rest"]
    assert check(shifts, person(exceptions=(exception(),))) == []


def test_rest_over_the_spring_change_is_one_hour_shorter_than_the_clock_says() -> None:
    shifts = [shift("a", at(2026, 3, 28, 12), at(2026, 3, 28, 22)), shift("b", at(2026, 3, 29, 9), at(2026, 3, 29, 19))]
    found = check(shifts, period=SPRING_WEEK)
    assert codes(found) == ["daily_rest"]
    assert "blir 10 h (minst 11 h)" in found[0].message


def test_rest_over_the_autumn_change_is_one_hour_longer_than_the_clock_says() -> None:
    shifts = [
        shift("a", at(2026, 10, 24, 12), at(2026, 10, 24, 22)),
        shift("b", at(2026, 10, 25, 8), at(2026, 10, 25, 18)),
    ]
    assert check(shifts, period=AUTUMN_WEEK) == []


def test_work_periods_ignore_standby_and_sort_by_start() -> None:
    shifts = [
        shift("c", mar(5, 7), mar(5, 15)),
        shift("s", mar(4, 0), mar(4, 12), kind=Kind.STANDBY),
        shift("a", mar(3, 7), mar(3, 15)),
    ]
    periods = rules.work_periods(shifts, 11 * H)
    assert [[s.key for s in p.shifts] for p in periods] == [["a"], ["c"]]
    assert periods[0].starts_at == mar(3, 7)
    assert periods[0].starts_at.tzinfo == UTC


def test_work_periods_merge_on_the_latest_end_so_far() -> None:
    # b lies inside a; c starts 11 h after b but only 3 h after a: one period.
    shifts = [shift("a", mar(3, 0), mar(3, 20)), shift("b", mar(3, 1), mar(3, 12)), shift("c", mar(3, 23), mar(4, 1))]
    [period] = rules.work_periods(shifts, 11 * H)
    assert period.span == 25 * H


# --- rest after a long pass -----------------------------------------------------------------------------


def test_after_a_24_hour_pass_the_rest_must_be_24_hours() -> None:
    employee = person(exceptions=(exception(),))
    long_pass = shift("p", mar(3, 7), mar(4, 7))
    assert check([long_pass, shift("n", mar(5, 7), mar(5, 15))], employee) == []
    found = check([long_pass, shift("n", mar(5, 6, 59), mar(5, 15))], employee)
    assert codes(found) == ["pass_rest"]
    assert found[0].shift_keys == ("p", "n")
    assert found[0].message == (
        "Anna Berg: vilan efter arbetspasset tis 3 mar 07:00–ons 4 mar 07:00 (24 h) blir 23 h 59 min före passet "
        "som börjar tors 5 mar 06:59 (minst lika lång som passet, 24 h)."
    )


def test_after_a_22_hour_pass_22_hours_of_rest_is_enough() -> None:
    employee = person(exceptions=(exception(),))
    long_pass = shift("p", mar(3, 7), mar(4, 5))
    assert check([long_pass, shift("n", mar(5, 3), mar(5, 11))], employee) == []
    assert codes(check([long_pass, shift("n", mar(5, 2), mar(5, 11))], employee)) == ["pass_rest"]


def test_no_longer_rest_is_needed_after_a_pass_within_the_limit() -> None:
    assert check([shift("p", mar(3, 7), mar(4, 3)), shift("n", mar(4, 14), mar(4, 22))]) == []


def test_the_rest_after_a_long_pass_over_the_autumn_change_is_elapsed_time() -> None:
    employee = person(
        exceptions=(exception(valid_from=datetime.date(2026, 10, 1), valid_to=datetime.date(2026, 10, 31)),)
    )
    long_pass = shift("p", at(2026, 10, 24, 7), at(2026, 10, 25, 6))  # 23 h on the clock, 24 h elapsed
    period = Period(datetime.date(2026, 10, 19), datetime.date(2026, 11, 1))
    assert check([long_pass, shift("n", at(2026, 10, 26, 6), at(2026, 10, 26, 14))], employee, period) == []
    found = check([long_pass, shift("n", at(2026, 10, 26, 5, 59), at(2026, 10, 26, 14))], employee, period)
    assert codes(found) == ["pass_rest"]


def test_a_long_work_period_of_several_shifts_also_needs_the_rest() -> None:
    employee = person(exceptions=(exception(),))
    shifts = [shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 17), mar(4, 7)), shift("n", mar(4, 20), mar(5, 4))]
    found = check(shifts, employee)
    assert codes(found) == ["pass_rest"]
    assert found[0].shift_keys == ("a", "b", "n")


# --- weekly rest ----------------------------------------------------------------------------------------


def daily(days: range, start: int, end: int, month: int = 3, year: int = 2026) -> list[ShiftFact]:
    return [shift(f"d{day}", at(year, month, day, start), at(year, month, day, end)) for day in days]


def test_a_shift_every_day_leaves_no_weekly_rest() -> None:
    found = of_rule(check(daily(range(2, 9), 7, 15)), "weekly_rest")
    assert len(found) == 1
    assert found[0].shift_keys == tuple(f"d{day}" for day in range(2, 9))
    assert found[0].message == (
        "Anna Berg: veckovilan vecka 10 (mån 2 mar–sön 8 mar 2026) blir som längst 16 h (minst 36 h)."
    )


def test_exactly_36_hours_of_weekly_rest_is_enough() -> None:
    # Monday to Friday 07–19, Saturday 07–12: free from Saturday 12:00 to Monday 00:00.
    week = [*daily(range(2, 7), 7, 19), shift("sat", mar(7, 7), mar(7, 12))]
    assert of_rule(check(week), "weekly_rest") == []
    shorter = [*daily(range(2, 7), 7, 19), shift("sat", mar(7, 7), mar(7, 12, 1))]
    [violation] = of_rule(check(shorter), "weekly_rest")
    assert "blir som längst 35 h 59 min (minst 36 h)" in violation.message


def test_weekly_rest_is_clipped_to_the_calendar_week() -> None:
    # Free from Saturday 15:00 to Monday 03:00 (36 h), but only 33 h of it in week 10.
    week = [*daily(range(2, 8), 3, 15), shift("mon", mar(9, 3), mar(9, 15))]
    found = of_rule(check(week), "weekly_rest")
    assert len(found) == 1
    assert "vecka 10" in found[0].message
    assert "33 h" in found[0].message


def test_the_spring_week_has_167_hours() -> None:
    # Free from Saturday 12:00 to Monday 00:00: 36 h on the clock, 35 h elapsed.
    week = [*daily(range(23, 28), 7, 19), shift("sat", at(2026, 3, 28, 7), at(2026, 3, 28, 12))]
    [violation] = of_rule(check(week, period=SPRING_WEEK), "weekly_rest")
    assert "vecka 13" in violation.message
    assert "35 h (minst 36 h)" in violation.message
    assert sum(((hi - lo) for _, lo, hi in rules._Window.of(SPRING_WEEK).weeks()), datetime.timedelta()) == 167 * H


def test_the_autumn_week_has_169_hours() -> None:
    # Free from Saturday 13:00 to Monday 00:00: 35 h on the clock, 36 h elapsed.
    week = [*daily(range(19, 24), 7, 19, month=10), shift("sat", at(2026, 10, 24, 7), at(2026, 10, 24, 13))]
    assert of_rule(check(week, period=AUTUMN_WEEK), "weekly_rest") == []
    assert sum(((hi - lo) for _, lo, hi in rules._Window.of(AUTUMN_WEEK).weeks()), datetime.timedelta()) == 169 * H


def test_every_week_the_period_touches_is_checked() -> None:
    wednesday_to_tuesday = Period(datetime.date(2026, 3, 4), datetime.date(2026, 3, 10))
    shifts = daily(range(2, 16), 7, 15)
    found = of_rule(check(shifts, period=wednesday_to_tuesday), "weekly_rest")
    assert [v.message.split("vecka ")[1][:2] for v in found] == ["10", "11"]


def test_standby_does_not_break_the_weekly_rest() -> None:
    week = [*daily(range(2, 7), 7, 19), shift("s", mar(7, 7), mar(8, 19), kind=Kind.STANDBY)]
    assert of_rule(check(week), "weekly_rest") == []


def test_jour_breaks_the_weekly_rest() -> None:
    week = [*daily(range(2, 7), 7, 19), shift("j", mar(7, 19), mar(8, 7), kind=Kind.ON_CALL)]
    assert len(of_rule(check(week), "weekly_rest")) == 1


def test_the_leap_day_week() -> None:
    leap_week = Period(datetime.date(2028, 2, 28), datetime.date(2028, 3, 5))
    shifts = [
        *daily(range(28, 30), 7, 19, month=2, year=2028),
        *daily(range(1, 6), 7, 19, month=3, year=2028),
    ]
    [violation] = of_rule(check(shifts, period=leap_week), "weekly_rest")
    assert violation.message == (
        "Anna Berg: veckovilan vecka 9 (mån 28 feb–sön 5 mar 2028) blir som längst 12 h (minst 36 h)."
    )
    assert len(violation.shift_keys) == 7
    # Free from Monday 19:00 to Wednesday 07:00 across the leap day: 36 h.
    free_leap_day = [s for s in shifts if s.starts_at.date() != datetime.date(2028, 2, 29)]
    assert of_rule(check(free_leap_day, period=leap_week), "weekly_rest") == []


# --- ordinary hours, the 48 h average and overtime a year -----------------------------------------------


def test_hours_within_the_contract_are_fine() -> None:
    assert check(daily(range(2, 7), 7, 15), person(limits=BILAGA_J)) == []


def test_hours_above_the_contract_are_a_soft_violation() -> None:
    found = check([*daily(range(2, 7), 7, 15), shift("x", mar(7, 7), mar(7, 8))], person(limits=BILAGA_J))
    assert codes(found) == ["ordinary_hours"]
    assert not found[0].hard
    assert found[0].message == (
        "Anna Berg: 41 h ordinarie tid 2 mar–8 mar 2026 är mer än avtalets 40 h; 1 h blir övertid eller mertid."
    )


def test_part_time_contract() -> None:
    employee = person(limits=BILAGA_J, employment_rate=75.0)
    assert check([*daily(range(2, 6), 7, 14), shift("f", mar(6, 7), mar(6, 9))], employee) == []
    found = check(daily(range(2, 7), 7, 14), employee)
    assert codes(found) == ["ordinary_hours"]
    assert "35 h ordinarie tid" in found[0].message
    assert "avtalets 30 h; 5 h blir" in found[0].message


def test_overtime_and_jour_are_not_ordinary_hours() -> None:
    shifts = [
        *daily(range(2, 7), 7, 15),
        shift("o", mar(6, 16), mar(6, 19), overtime=True),
        shift("j", mar(6, 19), mar(6, 22), kind=Kind.ON_CALL),
    ]
    assert check(shifts, person(limits=BILAGA_J)) == []


def test_hourly_paid_staff_are_measured_against_full_time() -> None:
    employee = person(limits=BILAGA_J, employment_rate=0.0, hourly_paid=True)
    assert check(daily(range(2, 7), 7, 15), employee) == []
    found = check([*daily(range(2, 7), 7, 15), shift("x", mar(7, 7), mar(7, 8))], employee)
    assert codes(found) == ["ordinary_hours"]
    assert "mer än heltid 40 h" in found[0].message


def test_hours_are_counted_inside_the_period_only() -> None:
    # A night from Sunday into the next week counts only until midnight.
    shifts = [*daily(range(2, 6), 7, 15), shift("n", mar(8, 16), mar(9, 7))]
    assert check(shifts, person(limits=BILAGA_J)) == []
    later = [*daily(range(2, 6), 7, 15), shift("n", mar(8, 15), mar(9, 7))]
    assert codes(check(later, person(limits=BILAGA_J))) == ["ordinary_hours"]


def test_48_hours_a_week_including_overtime_and_jour() -> None:
    limits = replace(BILAGA_J, ordinary_hours_per_week=168)
    week = [*daily(range(2, 6), 7, 17), shift("o", mar(6, 7), mar(6, 13), overtime=True)]
    forty_eight = [*week, shift("j", mar(6, 18), mar(6, 20), kind=Kind.ON_CALL)]
    assert check(forty_eight, person(limits=limits)) == []
    forty_eight_and_a_bit = [*week, shift("j", mar(6, 18), mar(6, 20, 1), kind=Kind.ON_CALL)]
    found = check(forty_eight_and_a_bit, person(limits=limits))
    assert codes(found) == ["average_hours"]
    assert found[0].hard
    assert found[0].message == (
        "Anna Berg: 48 h 1 min arbetstid 2 mar–8 mar 2026 är i genomsnitt 48 h 1 min per vecka "
        "(högst 48 h per vecka inklusive övertid)."
    )


def test_standby_does_not_count_towards_the_average() -> None:
    limits = replace(BILAGA_J, ordinary_hours_per_week=168)
    week = [*daily(range(2, 6), 7, 19), shift("s", mar(6, 7), mar(7, 7), kind=Kind.STANDBY)]
    assert check(week, person(limits=limits)) == []


def test_the_average_over_four_weeks() -> None:
    four_weeks = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 29))
    limits = replace(BILAGA_J, ordinary_hours_per_week=168)
    # 16 shifts of 12 h = 192 h = 4 × 48 h; the weeks are uneven but the average holds.
    shifts = [
        shift(f"s{day}", mar(day, 7), mar(day, 19))
        for day in (2, 3, 4, 5, 6, 9, 10, 11, 12, 16, 17, 18, 23, 24, 25, 26)
    ]
    assert of_rule(check(shifts, person(limits=limits), four_weeks), "average_hours") == []
    more = [*shifts, shift("x", mar(27, 7), mar(27, 8))]
    assert codes(of_rule(check(more, person(limits=limits), four_weeks), "average_hours")) == ["average_hours"]


def test_overtime_up_to_200_hours_a_year() -> None:
    shifts = [shift("o", mar(3, 7), mar(3, 17), overtime=True)]
    assert check(shifts, person(overtime_hours_before=190.0)) == []
    found = check(shifts, person(overtime_hours_before=190.5))
    assert codes(found) == ["overtime_year"]
    assert found[0].message == "Anna Berg: övertiden 2026 blir 200 h 30 min (högst 200 h per år)."


def test_ordinary_shifts_do_not_add_to_the_overtime() -> None:
    assert check([shift("a", mar(3, 7), mar(3, 17))], person(overtime_hours_before=199.0)) == []


def test_overtime_across_new_year() -> None:
    period = Period(datetime.date(2026, 12, 28), datetime.date(2027, 1, 3))
    night = shift("n", at(2026, 12, 31, 22), at(2027, 1, 1, 7), overtime=True)  # 2 h in 2026, 7 h in 2027
    assert check([night], person(overtime_hours_before=198.0), period) == []
    found = check([night], person(overtime_hours_before=198.5), period)
    assert codes(found) == ["overtime_year"]
    assert "övertiden 2026 blir 200 h 30 min" in found[0].message
    # The year before's hours do not carry into the new year.
    january = [shift(f"j{day}", at(2027, 1, day, 7), at(2027, 1, day, 17), overtime=True) for day in (1, 2)]
    assert check(january, person(overtime_hours_before=199.0), period) == []


def test_overtime_in_the_new_year_alone_can_break_the_limit() -> None:
    period = Period(datetime.date(2026, 12, 28), datetime.date(2027, 1, 3))
    shifts = [shift("n", at(2027, 1, 1, 0), at(2027, 1, 1, 10), overtime=True)]
    low = replace(ROOMY, max_overtime_hours_per_year=9)
    found = check(shifts, person(limits=low, overtime_hours_before=0.0), period)
    assert codes(found) == ["overtime_year"]
    assert "övertiden 2027 blir 10 h (högst 9 h per år)" in found[0].message


# --- overtime for one shift and the contract period -----------------------------------------------------


def test_contract_period_is_the_calendar_month() -> None:
    assert rules.contract_period(datetime.date(2026, 2, 15)) == Period(
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)
    )
    assert rules.contract_period(datetime.date(2028, 2, 29)) == Period(
        datetime.date(2028, 2, 1), datetime.date(2028, 2, 29)
    )
    assert rules.contract_period(datetime.date(2026, 12, 31)) == Period(
        datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    )
    assert rules.contract_period(datetime.date(2026, 1, 1)) == Period(
        datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)
    )


def test_overtime_hours_for_a_shift() -> None:
    employee = person(limits=BILAGA_J)
    others = daily(range(2, 6), 7, 16)  # 36 h
    new = shift("new", mar(6, 7), mar(6, 15))
    assert rules.overtime_hours_for(new, others, employee, WEEK_10) == pytest.approx(4.0)
    assert rules.overtime_hours_for(new, others[:3], employee, WEEK_10) == 0.0
    # Shifts already marked as overtime, jour, others' shifts and an old version of the shift do not count.
    extra = [
        shift("o", mar(7, 7), mar(7, 17), overtime=True),
        shift("j", mar(7, 19), mar(7, 23), kind=Kind.ON_CALL),
        shift("b", mar(7, 7), mar(7, 17), employee=BO),
        shift("new", mar(7, 7), mar(7, 17)),
    ]
    assert rules.overtime_hours_for(new, [*others[:3], *extra], employee, WEEK_10) == 0.0
    # Never more than the shift's own hours.
    assert rules.overtime_hours_for(new, daily(range(2, 8), 7, 17), employee, WEEK_10) == pytest.approx(8.0)


def test_overtime_hours_for_jour_and_shifts_outside_the_period() -> None:
    employee = person(limits=BILAGA_J)
    others = daily(range(2, 7), 7, 16)
    assert (
        rules.overtime_hours_for(shift("j", mar(7, 7), mar(7, 15), kind=Kind.ON_CALL), others, employee, WEEK_10) == 0
    )
    assert rules.overtime_hours_for(shift("x", mar(10, 7), mar(10, 15)), others, employee, WEEK_10) == 0
    # Only the part inside the period.
    assert rules.overtime_hours_for(shift("n", mar(8, 22), mar(9, 7)), others, employee, WEEK_10) == pytest.approx(2.0)


def test_overtime_hours_for_hourly_paid_and_part_time() -> None:
    others = daily(range(2, 6), 7, 15)  # 32 h
    new = shift("new", mar(6, 7), mar(6, 15))
    assert (
        rules.overtime_hours_for(new, others, person(employment_rate=0.0, hourly_paid=True, limits=BILAGA_J), WEEK_10)
        == 0
    )
    assert rules.overtime_hours_for(new, others, person(employment_rate=75.0, limits=BILAGA_J), WEEK_10) == 8.0
    assert rules.overtime_hours_for(
        new, others, person(employment_rate=90.0, limits=BILAGA_J), WEEK_10
    ) == pytest.approx(4.0)


def test_ordinary_hours_limit() -> None:
    assert rules.ordinary_hours_limit(person(limits=BILAGA_J), MARCH) == pytest.approx(40 * 31 / 7)
    assert rules.ordinary_hours_limit(person(limits=BILAGA_J, employment_rate=50.0), WEEK_10) == pytest.approx(20)
    hourly = person(limits=BILAGA_J, employment_rate=0.0, hourly_paid=True)
    assert rules.ordinary_hours_limit(hourly, WEEK_10) == pytest.approx(40)


def test_covering_exception() -> None:
    first = ExceptionFact(2, CLIENT, MARCH.start, MARCH.end)
    second = ExceptionFact(1, None, MARCH.start, datetime.date(2026, 3, 10))
    employee = person(exceptions=(first, second))
    assert rules.covering_exception(employee, datetime.date(2026, 3, 5), [CLIENT]) == second
    assert rules.covering_exception(employee, datetime.date(2026, 3, 15), [CLIENT]) == first
    assert rules.covering_exception(employee, datetime.date(2026, 3, 15), [CLIENT, OTHER_CLIENT]) is None
    assert rules.covering_exception(employee, datetime.date(2026, 4, 1), [CLIENT]) is None


# --- competence, delegation, absence, exclusion ---------------------------------------------------------


def test_missing_competence() -> None:
    needing = customer(required_competences=frozenset({"epilepsi", "lyft"}))
    shifts = [shift("a", mar(3, 7), mar(3, 15))]
    found = check(shifts, person(competence_codes=frozenset({"lyft"})), clients=[needing])
    assert codes(found) == ["competence"]
    assert found[0].client_id == CLIENT
    assert found[0].message == "Anna Berg saknar kompetens som AB behöver (epilepsi) för passet tis 3 mar 07:00–15:00."
    assert check(shifts, person(competence_codes=frozenset({"lyft", "epilepsi", "autism"})), clients=[needing]) == []


def test_competence_is_needed_for_standby_too() -> None:
    needing = customer(required_competences=frozenset({"epilepsi"}))
    assert codes(check([shift("s", mar(3, 7), mar(3, 15), kind=Kind.STANDBY)], clients=[needing])) == ["competence"]


def delegation(kind: str = "insulin", client: int | None = None, until: datetime.date = MARCH.end) -> DelegationFact:
    return DelegationFact(kind_code=kind, client_id=client, valid_from=MARCH.start, valid_until=until)


def test_delegation_valid_on_the_start_date() -> None:
    needing = customer(required_delegations=frozenset({"insulin"}))
    night = [shift("n", mar(3, 22), mar(4, 7))]
    assert check(night, person(delegations=(delegation(until=datetime.date(2026, 3, 3)),)), clients=[needing]) == []
    found = check(night, person(delegations=(delegation(until=datetime.date(2026, 3, 2)),)), clients=[needing])
    assert codes(found) == ["delegation"]
    assert found[0].message == (
        "Anna Berg har ingen giltig delegering (insulin) hos AB tis 3 mar för passet tis 3 mar 22:00–ons 4 mar 07:00."
    )


def test_delegation_for_another_client_does_not_count() -> None:
    needing = customer(required_delegations=frozenset({"insulin"}))
    shifts = [shift("a", mar(3, 7), mar(3, 15))]
    assert codes(check(shifts, person(delegations=(delegation(client=OTHER_CLIENT),)), clients=[needing])) == [
        "delegation"
    ]
    assert check(shifts, person(delegations=(delegation(client=CLIENT),)), clients=[needing]) == []
    assert check(shifts, person(delegations=(delegation(client=None),)), clients=[needing]) == []


def test_every_required_delegation_kind_is_needed() -> None:
    needing = customer(required_delegations=frozenset({"insulin", "sondmatning"}))
    found = check([shift("a", mar(3, 7), mar(3, 15))], person(delegations=(delegation(),)), clients=[needing])
    assert codes(found) == ["delegation"]
    assert "(sondmatning)" in found[0].message


def sick(starts_on: datetime.date, ends_on: datetime.date | None, extent: float = 100.0) -> AbsenceFact:
    return AbsenceFact(starts_on=starts_on, ends_on=ends_on, kind="sick", extent=extent)


def test_absence_spanning_months_forbids_shifts_in_it() -> None:
    employee = person(absences=(sick(datetime.date(2026, 1, 20), datetime.date(2026, 3, 10)),))
    found = check([shift("a", mar(3, 7), mar(3, 15))], employee)
    assert codes(found) == ["absence"]
    assert found[0].hard
    assert found[0].message == (
        "Anna Berg är frånvarande (sjukfrånvaro) 20 jan–10 mar 2026; passet tis 3 mar 07:00–15:00 kan inte läggas."
    )
    assert check([shift("a", mar(11, 7), mar(11, 15))], employee, MARCH) == []


def test_a_night_touching_an_absence_is_forbidden() -> None:
    employee = person(absences=(sick(datetime.date(2026, 3, 4), datetime.date(2026, 3, 4)),))
    assert codes(check([shift("n", mar(3, 22), mar(4, 7))], employee)) == ["absence"]
    assert codes(check([shift("n", mar(4, 22), mar(5, 7))], employee)) == ["absence"]
    # A shift ending at midnight does not touch the next day.
    assert check([shift("e", mar(3, 16), mar(4, 0))], employee) == []
    assert check([shift("m", mar(5, 0), mar(5, 8))], employee) == []


def test_an_ongoing_absence() -> None:
    employee = person(absences=(sick(datetime.date(2026, 2, 1), None),))
    found = check([shift("a", mar(6, 7), mar(6, 15))], employee)
    assert codes(found) == ["absence"]
    assert "från 1 feb 2026" in found[0].message


def test_a_partial_absence_is_a_warning() -> None:
    employee = person(absences=(AbsenceFact(MARCH.start, MARCH.end, "vacation", 50.0),))
    found = check([shift("a", mar(3, 7), mar(3, 11))], employee)
    assert codes(found) == ["absence"]
    assert not found[0].hard
    assert "delvis frånvarande (semester, 50 %)" in found[0].message


def test_an_absence_on_the_autumn_change() -> None:
    employee = person(absences=(sick(datetime.date(2026, 10, 25), datetime.date(2026, 10, 25)),))
    # Ends at midnight in winter time: does not touch 25 October.
    assert check([shift("n", at(2026, 10, 24, 16), at(2026, 10, 25, 0))], employee, AUTUMN_WEEK) == []
    assert codes(check([shift("n", at(2026, 10, 24, 22), at(2026, 10, 25, 2, 30, fold=1))], employee, AUTUMN_WEEK)) == [
        "absence"
    ]


def test_an_excluded_employee() -> None:
    excluding = customer(excluded_employee_ids=frozenset({ANNA}))
    found = check([shift("a", mar(3, 7), mar(3, 15))], clients=[excluding])
    assert codes(found) == ["excluded"]
    assert found[0].message == "AB har valt bort Anna Berg; passet tis 3 mar 07:00–15:00 kan inte läggas hos AB."
    assert check([shift("a", mar(3, 7), mar(3, 15), client=OTHER_CLIENT)], clients=[excluding]) == []
    bo = person(BO, "Bo Ek")
    assert check([shift("b", mar(3, 7), mar(3, 15), employee=BO)], bo, clients=[excluding]) == []


# --- decision hours -------------------------------------------------------------------------------------


def test_hours_within_the_decision() -> None:
    granted = customer(granted_hours=16.0)
    two = [shift("a", mar(3, 7), mar(3, 15)), shift("open", mar(4, 7), mar(4, 15), employee=None)]
    assert check(two, clients=[granted]) == []
    found = check([*two, shift("c", mar(5, 7), mar(5, 8))], clients=[granted])
    assert codes(found) == ["decision_hours"]
    assert found[0].hard
    assert found[0].client_id == CLIENT
    assert found[0].employee_id is None
    assert found[0].shift_keys == ("a", "open", "c")
    assert found[0].message == "AB: 17 h schemalagd tid 2 mar–8 mar 2026 är mer än besluten ger (16 h)."


def test_double_staffing_counts_per_person() -> None:
    granted = customer(granted_hours=10.0)
    shifts = [shift("a", mar(3, 7), mar(3, 13)), shift("b", mar(3, 7), mar(3, 13), employee=BO)]
    assert codes(check(shifts, clients=[granted], employees=[person(BO, "Bo Ek")])) == ["decision_hours"]


def test_decision_hours_count_inside_the_period_and_at_the_client() -> None:
    granted = customer(granted_hours=8.0)
    shifts = [
        shift("a", mar(8, 16), mar(9, 7)),  # 8 h inside week 10
        shift("b", mar(1, 7), mar(1, 15)),  # before the period
        shift("c", mar(3, 7), mar(3, 15), client=OTHER_CLIENT, employee=BO),
    ]
    assert check(shifts, clients=[granted], employees=[person(BO, "Bo Ek")]) == []


def test_no_granted_hours_no_limit() -> None:
    assert check([shift("a", mar(3, 7), mar(3, 15), employee=None)]) == []


# --- one shift ------------------------------------------------------------------------------------------


def test_check_shift_reports_only_what_the_shift_takes_part_in() -> None:
    others = [shift("a", mar(3, 7), mar(3, 15)), shift("b", mar(3, 14), mar(3, 22))]
    new = shift("new", mar(5, 7), mar(5, 15))
    assert rules.check_shift(new, others, person(), customer(), WEEK_10) == []
    clash = shift("new", mar(3, 20), mar(3, 23))
    found = rules.check_shift(clash, others, person(), customer(), WEEK_10)
    assert [v.shift_keys for v in found] == [("b", "new")]


def test_check_shift_ignores_the_old_version_of_the_same_shift() -> None:
    old = shift("s1", mar(3, 7), mar(3, 15))
    moved = shift("s1", mar(3, 9), mar(3, 17))
    assert rules.check_shift(moved, [old], person(), customer(), WEEK_10) == []


def test_check_shift_makes_the_decision_a_warning() -> None:
    granted = customer(granted_hours=8.0)
    others = [shift("a", mar(3, 7), mar(3, 15), employee=BO)]
    found = rules.check_shift(shift("new", mar(4, 7), mar(4, 9)), others, person(), granted, WEEK_10)
    assert codes(found) == ["decision_hours"]
    assert not found[0].hard
    assert found[0].shift_keys == ("a", "new")


def test_check_shift_for_an_open_shift() -> None:
    granted = customer(granted_hours=8.0, excluded_employee_ids=frozenset({ANNA}))
    open_shift = shift("open", mar(4, 7), mar(4, 16), employee=None)
    found = rules.check_shift(open_shift, [], None, granted, WEEK_10)
    assert codes(found) == ["decision_hours"]


def test_check_shift_sees_rest_and_pass_rules() -> None:
    employee = person(limits=BILAGA_J, absences=(sick(datetime.date(2026, 3, 5), None),))
    needing = customer(required_competences=frozenset({"epilepsi"}), excluded_employee_ids=frozenset({ANNA}))
    others = [shift("a", mar(3, 7), mar(3, 15))]
    found = rules.check_shift(shift("new", mar(4, 1), mar(4, 9)), others, employee, needing, WEEK_10)
    assert codes(found) == ["daily_rest", "competence", "excluded"]
    found = rules.check_shift(shift("new", mar(5, 1), mar(5, 9)), others, employee, needing, WEEK_10)
    assert codes(found) == ["competence", "absence", "excluded"]


def test_check_shift_is_check_roster_restricted_to_the_shift() -> None:
    employee = person(limits=BILAGA_J)
    others = daily(range(2, 8), 7, 13)
    new = shift("new", mar(8, 7), mar(8, 13))
    roster = [v for v in check([*others, new], employee) if "new" in v.shift_keys]
    assert {v.rule for v in roster} == {"weekly_rest", "ordinary_hours"}
    assert rules.check_shift(new, others, employee, customer(), WEEK_10) == roster


# --- order and size -------------------------------------------------------------------------------------


def test_results_do_not_depend_on_the_input_order() -> None:
    shifts = [
        *daily(range(2, 9), 7, 19),
        shift("x", mar(3, 18), mar(3, 23)),
        shift("y", mar(5, 22), mar(6, 7), employee=BO),
        shift("z", mar(5, 23), mar(6, 8), employee=BO),
    ]
    clients = [customer(granted_hours=20.0)]
    employees = [person(BO, "Bo Ek", limits=BILAGA_J)]
    forward = check(shifts, person(limits=BILAGA_J), clients=clients, employees=employees)
    backward = check(shifts[::-1], person(limits=BILAGA_J), clients=clients, employees=employees)
    assert forward == backward
    assert {v.rule for v in forward} >= {"overlap", "weekly_rest", "average_hours", "decision_hours"}


def test_a_unit_roster_of_four_weeks() -> None:
    """A realistic size (240 people, 5,040 shifts) goes through; every person works the same valid rhythm."""
    period = Period(datetime.date(2026, 3, 2), datetime.date(2026, 3, 29))
    employees = {i: person(i, f"Person {i}", limits=BILAGA_J) for i in range(240)}
    clients = {c: customer(c, f"K{c}") for c in range(150)}
    shifts = [
        shift(f"{i}-{day}", mar(day, 7), mar(day, 15), employee=i, client=i % 150)
        for i in range(240)
        for day in range(2, 30)
        if datetime.date(2026, 3, day).weekday() < 5
        or (datetime.date(2026, 3, day).weekday() == 6 and (i + day) % 7 < 3)
    ]
    assert len(shifts) > 5000
    found = rules.check_roster(shifts, employees, clients, period)
    assert {v.rule for v in found} <= {"ordinary_hours"}
