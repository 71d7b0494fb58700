"""Sick-leave day counting: pure functions over an employee's sick-leave episodes.

A sick-leave absence (staff.Absence, kind "sick") is one episode (sjukperiod) from its first to its last
day. Its days are numbered from 1, so the sick-pay period (sjuklöneperioden, days 1–14, paid by the
employer, sjuklönelagen (1991:1047) 7 §) can be told apart from day 15 on (sjukpenning from
Försäkringskassan). A new episode that starts within five calendar days after the previous one ended is a
continuation of it (återinsjuknande, sjuklönelagen 7 § andra stycket *verify against the current text*): its
days continue the earlier count instead of starting again at 1.

Nothing here reads the clock or the database: callers pass the episodes and the dates they ask about.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

SICK_PAY_DAYS = 14  # days 1–14: sjuklöneperioden
LINKED_WITHIN_DAYS = 5  # återinsjuknande within five calendar days continues the count (*verify*)

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Episode:
    """One sick-leave episode: `ends_on` None while it is ongoing; `extent` in percent (partial sick leave)."""

    starts_on: datetime.date
    ends_on: datetime.date | None = None
    extent: float = 100.0

    def last_day(self, until: datetime.date) -> datetime.date:
        """The episode's last day, an ongoing one counted up to `until`."""
        return self.ends_on if self.ends_on is not None else until


@dataclass(frozen=True)
class SickDay:
    """One calendar day of sick leave and its number in the (possibly continued) sick-pay count."""

    day: datetime.date
    number: int  # 1 for the first day of the count
    extent: float = 100.0

    @property
    def in_sick_pay_period(self) -> bool:
        """Days 1–14 (sjuklöneperioden)."""
        return self.number <= SICK_PAY_DAYS


@dataclass(frozen=True)
class SickDayCount:
    """Sick days in a period: calendar days and extent-weighted days (50 % sick for a day = 0.5), split into
    days 1–14 and day 15 on."""

    days_1_14: int = 0
    days_15_on: int = 0
    weighted_1_14: float = 0.0
    weighted_15_on: float = 0.0

    @property
    def days(self) -> int:
        return self.days_1_14 + self.days_15_on

    @property
    def weighted(self) -> float:
        return self.weighted_1_14 + self.weighted_15_on


def _date_range(start: datetime.date, end: datetime.date) -> Iterator[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


def _check_range(start: datetime.date, end: datetime.date) -> None:
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")


def first_numbers(
    episodes: Sequence[Episode], *, until: datetime.date, linked_within_days: int = LINKED_WITHIN_DAYS
) -> list[int]:
    """The day number each episode starts with, in the order given (episodes must not overlap).

    An episode starting at most `linked_within_days` days after the previous one's last day continues that
    count (end 1 March, new start 6 March: continued; 7 March: a new count). 0 turns continuation off; a row
    starting the day after the previous one's last day always continues it (one sickness, e.g. a new extent).
    An ongoing episode is counted up to `until`.
    """
    order = sorted(range(len(episodes)), key=lambda i: episodes[i].starts_on)
    numbers = [1] * len(episodes)
    previous: Episode | None = None
    previous_last_number = 0
    for index in order:
        episode = episodes[index]
        if previous is not None:
            previous_end = previous.last_day(until)
            if episode.starts_on <= previous_end:
                raise ValueError(f"episodes overlap: {previous.starts_on} and {episode.starts_on}")
            gap = (episode.starts_on - previous_end).days
            # A row starting the day after the previous one is the same sickness (e.g. a changed extent).
            if gap <= max(linked_within_days, 1):
                numbers[index] = previous_last_number + 1
        length = (episode.last_day(until) - episode.starts_on).days + 1
        previous_last_number = numbers[index] + max(length, 0) - 1
        previous = episode
    return numbers


def episode_days(episode: Episode, start: datetime.date, end: datetime.date, *, first_number: int = 1) -> list[SickDay]:
    """The episode's days within `start`–`end` (both included) with their numbers; an ongoing episode runs
    to `end`. `first_number` is the number of the episode's first day (see `first_numbers`)."""
    _check_range(start, end)
    last = episode.last_day(end)
    begin = max(episode.starts_on, start)
    stop = min(last, end)
    return [
        SickDay(day=day, number=first_number + (day - episode.starts_on).days, extent=episode.extent)
        for day in _date_range(begin, stop)
    ]


def sick_days(
    episodes: Sequence[Episode],
    start: datetime.date,
    end: datetime.date,
    *,
    linked_within_days: int = LINKED_WITHIN_DAYS,
) -> list[SickDay]:
    """All of one employee's sick days within `start`–`end`, numbered per episode (continued across a
    re-sickening within `linked_within_days`), in date order. Episodes before `start` still decide the numbers.
    """
    _check_range(start, end)
    numbers = first_numbers(episodes, until=end, linked_within_days=linked_within_days)
    days: list[SickDay] = []
    for episode, number in zip(episodes, numbers, strict=True):
        if episode.starts_on > end or episode.last_day(end) < start:
            continue
        days.extend(episode_days(episode, start, end, first_number=number))
    days.sort(key=lambda sick_day: sick_day.day)
    return days


def split_sick_pay_period(days: Iterable[SickDay]) -> tuple[list[SickDay], list[SickDay]]:
    """Days 1–14 and days from 15 on."""
    early: list[SickDay] = []
    late: list[SickDay] = []
    for sick_day in days:
        (early if sick_day.in_sick_pay_period else late).append(sick_day)
    return early, late


def count(days: Iterable[SickDay]) -> SickDayCount:
    days_1_14 = days_15_on = 0
    weighted_1_14 = weighted_15_on = 0.0
    for sick_day in days:
        share = sick_day.extent / 100
        if sick_day.in_sick_pay_period:
            days_1_14 += 1
            weighted_1_14 += share
        else:
            days_15_on += 1
            weighted_15_on += share
    return SickDayCount(days_1_14, days_15_on, weighted_1_14, weighted_15_on)


def month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a calendar month."""
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def count_by_month(
    episodes: Sequence[Episode],
    start: datetime.date,
    end: datetime.date,
    *,
    linked_within_days: int = LINKED_WITHIN_DAYS,
) -> dict[tuple[int, int], SickDayCount]:
    """Sick days per calendar month (year, month) within `start`–`end`; months without sick days are left out."""
    by_month: dict[tuple[int, int], list[SickDay]] = {}
    for sick_day in sick_days(episodes, start, end, linked_within_days=linked_within_days):
        by_month.setdefault((sick_day.day.year, sick_day.day.month), []).append(sick_day)
    return {month: count(days) for month, days in sorted(by_month.items())}


def day_number_on(
    episodes: Sequence[Episode], day: datetime.date, *, linked_within_days: int = LINKED_WITHIN_DAYS
) -> int | None:
    """The sick-pay day number of `day`, or None if the employee is not sick that day."""
    found = sick_days(episodes, day, day, linked_within_days=linked_within_days)
    return found[0].number if found else None
