"""The pure rules of the quality system (bista/quality/rules.py): tertials and their boundaries, the local day
of a moment, the 72-hour clock of a personal data incident across daylight-saving changes, and the Lex Sarah
state machine (no step skipped, IVO only if serious). No database."""

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bista.core import clock
from bista.core.clock import STOCKHOLM
from bista.quality import rules
from bista.quality.rules import LEX_SARAH_STEPS, imy_deadline, lex_sarah_next_steps

UTC = datetime.UTC


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


# --- Tertials ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "tertial"),
    [
        (datetime.date(2024, 1, 1), 1),
        (datetime.date(2024, 4, 30), 1),
        (datetime.date(2024, 5, 1), 2),
        (datetime.date(2024, 8, 31), 2),
        (datetime.date(2024, 9, 1), 3),
        (datetime.date(2024, 12, 31), 3),
        (datetime.date(2024, 2, 29), 1),
    ],
)
def test_tertial_of_at_its_boundaries(day: datetime.date, tertial: int) -> None:
    assert rules.tertial_of(day) == tertial


@pytest.mark.parametrize(
    ("tertial", "start", "end"),
    [
        (1, datetime.date(2024, 1, 1), datetime.date(2024, 4, 30)),
        (2, datetime.date(2024, 5, 1), datetime.date(2024, 8, 31)),
        (3, datetime.date(2024, 9, 1), datetime.date(2024, 12, 31)),
    ],
)
def test_tertial_bounds(tertial: int, start: datetime.date, end: datetime.date) -> None:
    assert rules.tertial_bounds(2024, tertial) == (start, end)


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_every_day_lies_within_the_bounds_of_its_tertial(day: datetime.date) -> None:
    start, end = rules.tertial_bounds(day.year, rules.tertial_of(day))
    assert start <= day <= end


@given(st.integers(min_value=2000, max_value=2100))
def test_the_three_tertials_cover_the_year_without_gap_or_overlap(year: int) -> None:
    bounds = [rules.tertial_bounds(year, t) for t in (1, 2, 3)]
    assert bounds[0][0] == datetime.date(year, 1, 1)
    assert bounds[2][1] == datetime.date(year, 12, 31)
    for (_, end), (start, _) in itertools.pairwise(bounds):
        assert start - end == datetime.timedelta(days=1)
    assert (
        sum((end - start).days + 1 for start, end in bounds)
        == (datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days
    )


def test_local_date_is_the_stockholm_day_not_the_utc_day() -> None:
    # 23:30 on 30 April in Stockholm (summer time, UTC+2) is 21:30 UTC: still 30 April, so T1.
    moment = datetime.datetime(2024, 4, 30, 21, 30, tzinfo=UTC)
    assert clock.local_date(moment) == datetime.date(2024, 4, 30)
    assert rules.tertial_of(clock.local_date(moment)) == 1
    # 00:30 on 1 May in Stockholm is 22:30 UTC on 30 April: already 1 May, so T2.
    moment = datetime.datetime(2024, 4, 30, 22, 30, tzinfo=UTC)
    assert clock.local_date(moment) == datetime.date(2024, 5, 1)
    assert rules.tertial_of(clock.local_date(moment)) == 2
    # New Year's Eve in winter time (UTC+1): 23:30 UTC on 31 December is 00:30 on 1 January next year.
    assert clock.local_date(datetime.datetime(2024, 12, 31, 23, 30, tzinfo=UTC)) == datetime.date(2025, 1, 1)


# --- The 72-hour clock ------------------------------------------------------------------------------


def test_imy_deadline_is_72_hours_on_an_ordinary_week() -> None:
    deadline = imy_deadline(at(2024, 6, 10, 9, 15))
    assert deadline == at(2024, 6, 13, 9, 15)
    assert deadline.utcoffset() == datetime.timedelta(hours=2)


def test_imy_deadline_across_the_march_change_is_72_elapsed_hours() -> None:
    # Summer time begins 31 March 2024 at 02:00 (clocks go forward an hour): the wall clock shows 73 hours.
    discovered = at(2024, 3, 29, 12, 0)
    deadline = imy_deadline(discovered)
    assert deadline.astimezone(UTC) - discovered.astimezone(UTC) == datetime.timedelta(hours=72)
    assert (deadline.replace(tzinfo=None) - discovered.replace(tzinfo=None)) == datetime.timedelta(hours=73)
    assert (deadline.year, deadline.month, deadline.day, deadline.hour, deadline.minute) == (2024, 4, 1, 13, 0)
    assert deadline.utcoffset() == datetime.timedelta(hours=2)


def test_imy_deadline_across_the_october_change_is_72_elapsed_hours() -> None:
    # Winter time begins 27 October 2024 at 03:00 (clocks go back an hour): the wall clock shows 71 hours.
    discovered = at(2024, 10, 25, 12, 0)
    deadline = imy_deadline(discovered)
    assert deadline.astimezone(UTC) - discovered.astimezone(UTC) == datetime.timedelta(hours=72)
    assert (deadline.replace(tzinfo=None) - discovered.replace(tzinfo=None)) == datetime.timedelta(hours=71)
    assert (deadline.month, deadline.day, deadline.hour) == (10, 28, 11)
    assert deadline.utcoffset() == datetime.timedelta(hours=1)


def test_imy_deadline_from_inside_the_repeated_october_hour() -> None:
    # 02:30 happens twice on 27 October 2024; the second one (fold=1) is 01:30 UTC.
    discovered = datetime.datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=STOCKHOLM)
    assert discovered.astimezone(UTC).hour == 1
    deadline = imy_deadline(discovered)
    assert deadline.astimezone(UTC) == datetime.datetime(2024, 10, 30, 1, 30, tzinfo=UTC)
    assert (deadline.day, deadline.hour, deadline.minute) == (30, 2, 30)


def test_imy_deadline_in_utc_input_is_shown_in_stockholm_time() -> None:
    deadline = imy_deadline(datetime.datetime(2024, 3, 30, 23, 0, tzinfo=UTC))
    assert deadline.tzinfo == STOCKHOLM
    assert deadline.astimezone(UTC) == datetime.datetime(2024, 4, 2, 23, 0, tzinfo=UTC)


def test_imy_deadline_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        imy_deadline(datetime.datetime(2024, 3, 29, 12, 0))


@given(
    st.datetimes(
        min_value=datetime.datetime(2000, 1, 1),
        max_value=datetime.datetime(2099, 12, 31),
        timezones=st.just(STOCKHOLM),
    )
)
def test_imy_deadline_is_always_72_elapsed_hours(discovered: datetime.datetime) -> None:
    deadline = imy_deadline(discovered)
    assert deadline.astimezone(UTC) - discovered.astimezone(UTC) == datetime.timedelta(hours=72)
    assert deadline.tzinfo == STOCKHOLM


# --- Lex Sarah ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("reported", ("registered",)),
        ("registered", ("remedied",)),
        ("remedied", ("investigated",)),
        ("investigated", ("assessed",)),
        ("notified", ("closed",)),
        ("closed", ()),
    ],
)
@pytest.mark.parametrize("serious", [None, False, True])
def test_each_step_has_exactly_one_successor_until_the_assessment(
    status: str, expected: tuple[str, ...], serious: bool | None
) -> None:
    assert lex_sarah_next_steps(status, serious=serious) == expected


def test_after_the_assessment_ivo_only_if_serious() -> None:
    assert lex_sarah_next_steps("assessed", serious=True) == ("notified",)
    assert lex_sarah_next_steps("assessed", serious=False) == ("closed",)
    assert lex_sarah_next_steps("assessed", serious=None) == ("closed",)


def test_a_serious_report_cannot_close_before_ivo_is_notified() -> None:
    assert "closed" not in lex_sarah_next_steps("assessed", serious=True)


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError):
        lex_sarah_next_steps("archived", serious=False)


def walk(serious: bool) -> list[str]:
    path = ["reported"]
    while steps := lex_sarah_next_steps(path[-1], serious=serious):
        assert len(steps) == 1
        path.append(steps[0])
    return path


def test_the_walk_of_a_serious_report_passes_every_step_including_ivo() -> None:
    assert walk(True) == list(LEX_SARAH_STEPS)


def test_the_walk_of_a_report_that_is_not_serious_skips_only_ivo() -> None:
    assert walk(False) == [step for step in LEX_SARAH_STEPS if step != "notified"]


@given(st.sampled_from(LEX_SARAH_STEPS), st.sampled_from([None, False, True]))
def test_no_step_is_ever_skipped(status: str, serious: bool | None) -> None:
    for step in lex_sarah_next_steps(status, serious=serious):
        gap = LEX_SARAH_STEPS.index(step) - LEX_SARAH_STEPS.index(status)
        # Forward only, one step at a time; the only jump is over IVO for a report that is not serious.
        assert gap == 1 or (gap == 2 and status == "assessed" and not serious and step == "closed")
        if step == "notified":
            assert serious is True
