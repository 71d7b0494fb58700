"""The deadline engine (bista.core.deadlines), pure: month arithmetic by the rule of lag (1930:173) 2 §,
weeks and days over month, year and leap-day ends, public holidays that do not move a due date, the state of
a duty at every boundary, rule versions picked by the anchor date, and the "Att göra" sorting."""

from __future__ import annotations

import calendar
import datetime
import zoneinfo

import holidays
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bista.core.deadlines import (
    STATE_LABELS,
    Duty,
    DutyState,
    PeriodUnit,
    RuleBook,
    RuleVersion,
    add_months,
    add_period,
    due_date,
    duty_state,
    todo_list,
)

D = datetime.date
START = D(2020, 1, 1)
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def rule(
    code: str = "care.first_contact",
    amount: int = 2,
    unit: PeriodUnit = PeriodUnit.WEEKS,
    warn_days: int = 7,
    valid_from: datetime.date = START,
    valid_to: datetime.date | None = None,
    name: str = "Första kontakt",
) -> RuleVersion:
    return RuleVersion(
        code=code, name=name, amount=amount, unit=unit, warn_days=warn_days, valid_from=valid_from, valid_to=valid_to
    )


def duty(
    anchor: datetime.date,
    done: datetime.date | None = None,
    *,
    subject: str = "Första kontakt: Ledsagarservice",
    version: RuleVersion | None = None,
) -> Duty:
    return Duty(rule=version or rule(), anchor_on=anchor, done_on=done, subject=subject, url="/x/", unit_id=1)


# --- Months: the last day of a shorter month ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2000, 1, 31), 1, D(2000, 2, 29)),  # divisible by 400: leap
        (D(2100, 1, 31), 1, D(2100, 2, 28)),  # divisible by 100 only: not leap
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 5, 31), 1, D(2025, 6, 30)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 10, 31), 1, D(2025, 11, 30)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2023, 11, 30), 3, D(2024, 2, 29)),
        (D(2023, 11, 29), 3, D(2024, 2, 29)),
        (D(2024, 11, 28), 3, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 2, 29), 1, D(2024, 3, 29)),
        (D(2024, 2, 28), 12, D(2025, 2, 28)),
        (D(2025, 2, 28), 1, D(2025, 3, 28)),  # the 28th stays the 28th, not the month's end
        (D(2025, 1, 15), 3, D(2025, 4, 15)),
        (D(2025, 10, 31), 3, D(2026, 1, 31)),  # over the year end
        (D(2025, 12, 31), 2, D(2026, 2, 28)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),
        (D(2025, 1, 31), 0, D(2025, 1, 31)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),  # backwards too
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
        (D(2025, 1, 31), 25, D(2027, 2, 28)),
    ],
)
def test_add_months(start: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(start, months) == expected
    assert add_period(start, months, PeriodUnit.MONTHS) == expected
    assert add_period(start, months, "months") == expected


def test_twelve_months_from_leap_day() -> None:
    assert add_period(D(2024, 2, 29), 12, PeriodUnit.MONTHS) == D(2025, 2, 28)
    # a plan signed on the leap day is due for review on 28 February, not 1 March
    assert rule(amount=12, unit=PeriodUnit.MONTHS).due_on(D(2024, 2, 29)) == D(2025, 2, 28)


# --- Weeks and days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        (D(2025, 1, 25), 2, PeriodUnit.WEEKS, D(2025, 2, 8)),
        (D(2025, 12, 25), 2, PeriodUnit.WEEKS, D(2026, 1, 8)),  # over the year end
        (D(2024, 2, 20), 2, PeriodUnit.WEEKS, D(2024, 3, 5)),  # over a leap day
        (D(2025, 2, 20), 2, PeriodUnit.WEEKS, D(2025, 3, 6)),
        (D(2024, 2, 29), 1, PeriodUnit.WEEKS, D(2024, 3, 7)),
        (D(2025, 1, 20), 14, PeriodUnit.DAYS, D(2025, 2, 3)),
        (D(2025, 12, 20), 14, PeriodUnit.DAYS, D(2026, 1, 3)),
        (D(2024, 2, 28), 1, PeriodUnit.DAYS, D(2024, 2, 29)),
        (D(2024, 2, 28), 2, PeriodUnit.DAYS, D(2024, 3, 1)),
        (D(2025, 2, 28), 1, PeriodUnit.DAYS, D(2025, 3, 1)),
        (D(2024, 12, 31), 1, PeriodUnit.DAYS, D(2025, 1, 1)),
        (D(2024, 1, 1), 366, PeriodUnit.DAYS, D(2025, 1, 1)),  # 2024 has 366 days
        (D(2025, 1, 1), 365, PeriodUnit.DAYS, D(2026, 1, 1)),
        (D(2025, 3, 30), 1, PeriodUnit.DAYS, D(2025, 3, 31)),  # the day clocks go forward: still one date
        (D(2025, 1, 10), 0, PeriodUnit.DAYS, D(2025, 1, 10)),
        (D(2025, 1, 10), -14, PeriodUnit.DAYS, D(2024, 12, 27)),
    ],
)
def test_add_weeks_and_days(start: datetime.date, amount: int, unit: PeriodUnit, expected: datetime.date) -> None:
    assert add_period(start, amount, unit) == expected
    assert add_period(start, amount, unit.value) == expected


def test_two_weeks_is_fourteen_days() -> None:
    assert add_period(D(2025, 6, 10), 2, "weeks") == add_period(D(2025, 6, 10), 14, "days")


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError):
        add_period(D(2025, 1, 1), 1, "years")


# --- Public holidays do not move a due date ---------------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "amount", "unit", "holiday_name"),
    [
        (D(2025, 5, 20), 1, PeriodUnit.MONTHS, "Midsommarafton"),  # 20 June 2025
        (D(2025, 6, 6), 14, PeriodUnit.DAYS, "Midsommarafton"),
        (D(2025, 11, 25), 1, PeriodUnit.MONTHS, "Juldagen"),  # 25 December 2025
        (D(2025, 12, 11), 2, PeriodUnit.WEEKS, "Juldagen"),
        (D(2025, 10, 1), 3, PeriodUnit.MONTHS, "Nyårsdagen"),  # 1 January 2026
        (D(2024, 12, 18), 14, PeriodUnit.DAYS, "Nyårsdagen"),
        (D(2025, 3, 6), 3, PeriodUnit.MONTHS, "Nationaldagen"),  # 6 June 2025
        (D(2025, 4, 4), 2, PeriodUnit.WEEKS, "Långfredagen"),  # 18 April 2025
        (D(2025, 6, 7), 2, PeriodUnit.WEEKS, "Midsommardagen"),  # 21 June 2025
        (D(2025, 9, 24), 3, PeriodUnit.MONTHS, "Julafton"),  # 24 December 2025
    ],
)
def test_a_due_date_on_a_public_holiday_stays(
    anchor: datetime.date, amount: int, unit: PeriodUnit, holiday_name: str
) -> None:
    due = rule(amount=amount, unit=unit).due_on(anchor)
    # public holidays, and the de facto ones (midsommarafton, julafton, nyårsafton) when offices close
    swedish = holidays.Sweden(years=due.year, language="sv", categories=("public", "de_facto"))  # type: ignore[attr-defined]
    assert due in swedish, due
    assert holiday_name.lower() in swedish.get(due).lower()
    assert due == add_period(anchor, amount, unit)  # not moved to the next working day


def test_a_due_date_on_a_weekend_stays() -> None:
    due = add_period(D(2025, 1, 4), 2, PeriodUnit.WEEKS)
    assert due == D(2025, 1, 18)
    assert due.weekday() == calendar.SATURDAY


# --- duty_state at the boundaries ---------------------------------------------------------------------

DUE = D(2025, 3, 14)


@pytest.mark.parametrize(
    ("done", "today", "warn_days", "expected"),
    [
        (None, DUE, 7, DutyState.DUE_SOON),  # due today: still in time
        (None, DUE, 0, DutyState.DUE_SOON),  # even with no warning window
        (None, DUE + datetime.timedelta(days=1), 7, DutyState.OVERDUE),  # the day after
        (None, DUE + datetime.timedelta(days=400), 7, DutyState.OVERDUE),
        (None, DUE - datetime.timedelta(days=7), 7, DutyState.DUE_SOON),  # first day of the window
        (None, DUE - datetime.timedelta(days=8), 7, DutyState.OPEN),  # the day before it
        (None, DUE - datetime.timedelta(days=1), 0, DutyState.OPEN),
        (None, DUE - datetime.timedelta(days=30), 30, DutyState.DUE_SOON),
        (None, DUE - datetime.timedelta(days=31), 30, DutyState.OPEN),
        (DUE, DUE, 7, DutyState.DONE),  # done on the due date
        (DUE, DUE + datetime.timedelta(days=100), 7, DutyState.DONE),
        (DUE - datetime.timedelta(days=30), DUE - datetime.timedelta(days=29), 7, DutyState.DONE),
        (DUE + datetime.timedelta(days=1), DUE + datetime.timedelta(days=1), 7, DutyState.DONE_LATE),
        (DUE + datetime.timedelta(days=1), DUE + datetime.timedelta(days=90), 7, DutyState.DONE_LATE),
    ],
)
def test_duty_state(done: datetime.date | None, today: datetime.date, warn_days: int, expected: DutyState) -> None:
    assert duty_state(DUE, done, today, warn_days) is expected


def test_every_state_has_a_swedish_label() -> None:
    assert set(STATE_LABELS) == set(DutyState)
    assert STATE_LABELS[DutyState.OVERDUE] == "Försenad"


def test_duty_due_date_state_and_days_late() -> None:
    d = duty(D(2025, 1, 31))  # first contact within 2 weeks
    assert d.due_on == D(2025, 2, 14)
    assert d.state(D(2025, 2, 14)) is DutyState.DUE_SOON
    assert d.state(D(2025, 2, 15)) is DutyState.OVERDUE
    assert d.days_late(D(2025, 2, 14)) == 0
    assert d.days_late(D(2025, 2, 20)) == 6
    assert d.days_late(D(2025, 1, 1)) == 0
    late = duty(D(2025, 1, 31), D(2025, 2, 17))
    assert late.state(D(2025, 6, 1)) is DutyState.DONE_LATE
    assert late.days_late(D(2025, 6, 1)) == 3  # counted to when it was done, not to today
    assert duty(D(2025, 1, 31), D(2025, 2, 1)).days_late(D(2025, 6, 1)) == 0


# --- RuleBook: the version in force on the anchor date ------------------------------------------------

OLD = rule(code="care.execution", amount=3, unit=PeriodUnit.MONTHS, valid_to=D(2025, 7, 1), name="Gammal")
NEW = rule(code="care.execution", amount=2, unit=PeriodUnit.MONTHS, valid_from=D(2025, 7, 1), name="Ny")


def test_rule_book_picks_the_version_in_force_on_the_anchor() -> None:
    book = RuleBook([NEW, OLD])  # given in any order
    assert book.rule("care.execution", D(2025, 6, 30)) == OLD
    assert book.rule("care.execution", D(2025, 7, 1)) == NEW
    assert book.rule("care.execution", D(2030, 1, 1)) == NEW
    assert book.rule("care.execution", D(2020, 1, 1)) == OLD
    # a duty anchored the day before the change keeps the old rule even when judged after it
    assert Duty(
        rule=book.rule("care.execution", D(2025, 6, 30)),  # type: ignore[arg-type]
        anchor_on=D(2025, 6, 30),
        done_on=None,
        subject="x",
        url="/",
        unit_id=1,
    ).due_on == D(2025, 9, 30)
    assert NEW.due_on(D(2025, 7, 1)) == D(2025, 9, 1)


def test_rule_book_before_the_first_version_and_unknown_codes() -> None:
    book = RuleBook([OLD, NEW, rule()])
    assert book.rule("care.execution", D(2019, 12, 31)) is None
    assert book.rule("care.nothing", D(2025, 1, 1)) is None
    assert book.codes() == ["care.execution", "care.first_contact"]


def test_rule_book_gap_between_versions() -> None:
    first = rule(valid_to=D(2025, 1, 1))
    later = rule(valid_from=D(2025, 2, 1), amount=3)
    book = RuleBook([first, later])
    assert book.rule("care.first_contact", D(2024, 12, 31)) == first
    assert book.rule("care.first_contact", D(2025, 1, 15)) is None
    assert book.rule("care.first_contact", D(2025, 2, 1)) == later


def test_rule_version_in_force_excludes_valid_to() -> None:
    assert OLD.in_force(D(2025, 6, 30))
    assert not OLD.in_force(D(2025, 7, 1))
    assert not NEW.in_force(D(2025, 6, 30))
    assert NEW.in_force(D(2025, 7, 1))


# --- todo_list: sorting and the done-since window ------------------------------------------------------

TODAY = D(2025, 3, 1)
SINCE = D(2025, 1, 1)


def test_todo_list_groups_and_sorts() -> None:
    # due on anchor + 14 days; warn window 7 days
    very_late = duty(D(2025, 1, 1), subject="B")  # due 15 Jan
    late = duty(D(2025, 2, 1), subject="A")  # due 15 Feb
    late_same_day = duty(D(2025, 2, 1), subject="0")
    soon_later = duty(D(2025, 2, 21), subject="C")  # due 7 Mar
    soon_today = duty(D(2025, 2, 15), subject="D")  # due 1 Mar, today
    open_duty = duty(D(2025, 3, 1), subject="E")  # due 15 Mar: outside the window
    in_time = duty(D(2025, 2, 1), D(2025, 2, 10), subject="F")
    done_late_recent = duty(D(2025, 1, 20), D(2025, 2, 20), subject="G")
    done_late_older = duty(D(2025, 1, 1), D(2025, 1, 20), subject="H")
    done_late_on_window_start = duty(D(2024, 12, 1), SINCE, subject="I")
    done_late_before_window = duty(D(2024, 12, 1), SINCE - datetime.timedelta(days=1), subject="J")

    result = todo_list(
        [
            soon_later,
            open_duty,
            late,
            in_time,
            very_late,
            done_late_older,
            soon_today,
            done_late_before_window,
            late_same_day,
            done_late_recent,
            done_late_on_window_start,
        ],
        TODAY,
        SINCE,
    )
    assert result.overdue == [very_late, late_same_day, late]  # most late first, then by subject
    assert result.due_soon == [soon_today, soon_later]  # soonest first
    assert result.done_late == [done_late_recent, done_late_older, done_late_on_window_start]  # newest first
    assert result.counts == {"overdue": 3, "due_soon": 2, "done_late": 3}


def test_todo_list_empty() -> None:
    result = todo_list([], TODAY, SINCE)
    assert result.counts == {"overdue": 0, "due_soon": 0, "done_late": 0}


# --- Properties ---------------------------------------------------------------------------------------

dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31))
month_counts = st.integers(min_value=-240, max_value=240)


@given(start=dates, months=month_counts)
def test_add_months_lands_in_the_target_month_never_after_the_day_number(start: datetime.date, months: int) -> None:
    result = add_months(start, months)
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    assert (result.year, result.month) == (year, month0 + 1)
    assert result.day <= start.day
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last)  # the same day, or the month's last if shorter


@given(start=dates, months=month_counts)
def test_add_months_keeps_the_day_when_the_target_month_has_it(start: datetime.date, months: int) -> None:
    result = add_months(start, months)
    if start.day <= 28:
        assert result.day == start.day


@given(first=dates, second=dates, months=month_counts)
def test_add_months_is_monotonic_within_a_month(first: datetime.date, second: datetime.date, months: int) -> None:
    second = second.replace(year=first.year, month=first.month, day=min(second.day, 28))
    early, late = sorted((first, second))
    assert add_months(early, months) <= add_months(late, months)


@given(start=dates, months=st.integers(min_value=0, max_value=240))
def test_add_months_forward_never_goes_back(start: datetime.date, months: int) -> None:
    assert add_months(start, months) >= start
    if months > 0:
        assert add_months(start, months) > start


@given(start=dates, amount=st.integers(min_value=-3000, max_value=3000))
def test_add_days_has_an_inverse(start: datetime.date, amount: int) -> None:
    later = add_period(start, amount, PeriodUnit.DAYS)
    assert add_period(later, -amount, PeriodUnit.DAYS) == start
    assert (later - start).days == amount


@given(start=dates, weeks=st.integers(min_value=-400, max_value=400))
def test_add_weeks_keeps_the_weekday_and_has_an_inverse(start: datetime.date, weeks: int) -> None:
    later = add_period(start, weeks, PeriodUnit.WEEKS)
    assert later.weekday() == start.weekday()
    assert add_period(later, -weeks, PeriodUnit.WEEKS) == start


@given(
    due=dates,
    today=dates,
    done=st.none() | dates,
    warn_days=st.integers(min_value=0, max_value=60),
)
def test_duty_state_is_consistent(
    due: datetime.date, today: datetime.date, done: datetime.date | None, warn_days: int
) -> None:
    state = duty_state(due, done, today, warn_days)
    if done is not None:
        assert state is (DutyState.DONE if done <= due else DutyState.DONE_LATE)
    elif today > due:
        assert state is DutyState.OVERDUE
    elif (due - today).days <= warn_days:
        assert state is DutyState.DUE_SOON
    else:
        assert state is DutyState.OPEN


def test_duty_urls_from_the_cached_pattern_equal_reverse(db: object) -> None:
    from django.urls import reverse

    from bista.core.duties import duty_url

    for name, args in [("clients:card", (7,)), ("care:order_detail", (123456,)), ("staff:card", (1,))]:
        assert duty_url((name, args)) == reverse(name, args=args)
    assert duty_url(("care:todo", ())) == reverse("care:todo")


# --- The bound on candidate anchors (RuleBook.latest_open_anchor) -----------------------------------------------


def _due_soon_or_overdue(
    version: RuleVersion, anchor: datetime.date, today: datetime.date, at: datetime.datetime | None = None
) -> bool:
    return duty_state(due_date(version, anchor, at), None, today, version.warn_days) in (
        DutyState.DUE_SOON,
        DutyState.OVERDUE,
    )


@given(
    today=st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31)),
    amount=st.integers(min_value=0, max_value=36),
    unit=st.sampled_from([PeriodUnit.DAYS, PeriodUnit.WEEKS, PeriodUnit.MONTHS]),
    warn_days=st.integers(min_value=0, max_value=90),
)
def test_the_latest_open_anchor_is_exact(today: datetime.date, amount: int, unit: PeriodUnit, warn_days: int) -> None:
    """The bound is a candidate itself and the day after it is not: month ends and 29 February included."""
    version = rule(code="x", amount=amount, unit=unit, warn_days=warn_days, valid_from=D(1990, 1, 1))
    bound = RuleBook([version]).latest_open_anchor("x", today)
    assert bound is not None
    assert _due_soon_or_overdue(version, bound, today)
    assert not _due_soon_or_overdue(version, bound + datetime.timedelta(days=1), today)


@pytest.mark.parametrize(
    ("today", "amount", "expected"),
    [
        (D(2025, 2, 28), 1, D(2025, 1, 31)),  # the month's end: 29–31 January are due on 28 February too
        (D(2024, 2, 28), 1, D(2024, 1, 28)),  # a leap year: 29 January is due on 29 February
        (D(2024, 2, 29), 1, D(2024, 1, 31)),
        (D(2025, 3, 30), 1, D(2025, 2, 28)),  # February has no 30th
        (D(2025, 2, 28), 12, D(2024, 2, 29)),  # a year back from a month end reaches the leap day
        (D(2024, 2, 29), 12, D(2023, 2, 28)),
        (D(2025, 4, 30), 2, D(2025, 2, 28)),
    ],
)
def test_the_latest_open_anchor_at_month_ends(today: datetime.date, amount: int, expected: datetime.date) -> None:
    version = rule(code="x", amount=amount, unit=PeriodUnit.MONTHS, warn_days=0, valid_from=D(1990, 1, 1))
    assert RuleBook([version]).latest_open_anchor("x", today) == expected


@given(
    today=st.dates(min_value=D(2015, 1, 1), max_value=D(2030, 12, 31)),
    anchor=st.dates(min_value=D(2010, 1, 1), max_value=D(2031, 12, 31)),
    change=st.dates(min_value=D(2012, 1, 1), max_value=D(2030, 12, 31)),
    first=st.tuples(st.integers(0, 24), st.sampled_from(list(PeriodUnit)), st.integers(0, 60)),
    second=st.tuples(st.integers(0, 24), st.sampled_from(list(PeriodUnit)), st.integers(0, 60)),
)
# The nights the clocks change and the month ends, always tried (CI replays a fixed draw, which seldom lands there).
@example(
    today=D(2025, 3, 31),
    anchor=D(2025, 3, 30),
    change=D(2030, 1, 1),
    first=(24, PeriodUnit.HOURS, 0),
    second=(0, PeriodUnit.DAYS, 0),
)
@example(
    today=D(2025, 3, 30),
    anchor=D(2025, 3, 30),
    change=D(2030, 1, 1),
    first=(1, PeriodUnit.HOURS, 0),
    second=(0, PeriodUnit.DAYS, 0),
)
@example(
    today=D(2025, 10, 27),
    anchor=D(2025, 10, 26),
    change=D(2030, 1, 1),
    first=(23, PeriodUnit.HOURS, 0),
    second=(0, PeriodUnit.DAYS, 0),
)
@example(
    today=D(2024, 3, 29),
    anchor=D(2024, 2, 29),
    change=D(2030, 1, 1),
    first=(1, PeriodUnit.MONTHS, 0),
    second=(0, PeriodUnit.DAYS, 0),
)
@example(
    today=D(2025, 3, 3),
    anchor=D(2025, 1, 31),
    change=D(2025, 2, 1),
    first=(1, PeriodUnit.MONTHS, 0),
    second=(2, PeriodUnit.WEEKS, 3),
)
def test_no_open_duty_is_anchored_after_the_bound(
    today: datetime.date,
    anchor: datetime.date,
    change: datetime.date,
    first: tuple[int, PeriodUnit, int],
    second: tuple[int, PeriodUnit, int],
) -> None:
    """Two versions of a rule, the second from `change`: whichever governs an anchor, a duty that is due soon or
    overdue today is anchored on or before the bound (hours too, with a moment on a day the clocks change)."""
    versions = [
        rule(
            code="x",
            amount=a,
            unit=u,
            warn_days=w,
            valid_from=START if n == 0 else change,
            valid_to=change if n == 0 else None,
        )
        for n, (a, u, w) in enumerate((first, second))
    ]
    book = RuleBook(versions)
    version = book.rule("x", anchor)
    bound = book.latest_open_anchor("x", today)
    if version is None:
        return
    moments = [None] + (
        [datetime.datetime.combine(anchor, datetime.time(0, 0), tzinfo=STOCKHOLM)]
        if version.unit is PeriodUnit.HOURS
        else []
    )
    for at in moments:
        if _due_soon_or_overdue(version, anchor, today, at):
            assert bound is not None and anchor <= bound


def test_an_hour_rule_anchored_as_the_clocks_go_back() -> None:
    """24 hours from midnight on 26 October 2025 end at 23:00 the same day by the wall clock: due that day."""
    version = rule(code="x", amount=24, unit=PeriodUnit.HOURS, warn_days=0)
    at = datetime.datetime(2025, 10, 26, 0, 0, tzinfo=STOCKHOLM)
    assert due_date(version, at.date(), at) == D(2025, 10, 26)
    assert RuleBook([version]).latest_open_anchor("x", D(2025, 10, 26)) == D(2025, 10, 26)
