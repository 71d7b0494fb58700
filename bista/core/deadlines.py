"""Deadline arithmetic: pure functions applying duty rules (reference data) to dates.

A legal deadline counted in months ends on the day of the last month with the same number as the start day,
or on that month's last day if it has no such day (lag (1930:173) om beräkning av lagstadgad tid, 2 §):
31 January + 1 month = 28 (29) February. Weeks are seven days. Saturdays, Sundays and public holidays do
not move a duty's due date: the unit must act in time, not file with an authority. Nothing here reads the
clock or the database; callers pass `today` and the rule versions.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


class PeriodUnit(enum.StrEnum):
    HOURS = "hours"  # elapsed hours from a moment (e.g. the 72 hours of a personal data incident)
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class DutyState(enum.StrEnum):
    OVERDUE = "overdue"  # not done, due date passed
    DUE_SOON = "due_soon"  # not done, due within the rule's warning window
    OPEN = "open"  # not done, due later
    DONE_LATE = "done_late"
    DONE = "done"  # done on or before the due date


STATE_LABELS = {
    DutyState.OVERDUE: "Försenad",
    DutyState.DUE_SOON: "Förfaller snart",
    DutyState.OPEN: "Planerad",
    DutyState.DONE_LATE: "Utförd för sent",
    DutyState.DONE: "Utförd i tid",
}


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The same day number `months` later, or the last day of that month if it is shorter."""
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(start.day, last_day))


def add_hours(start: datetime.datetime, hours: int) -> datetime.datetime:
    """`hours` of elapsed time after an aware moment, in the moment's own time zone.

    Adding a timedelta to an aware datetime moves the wall clock, which is wrong across a daylight-saving
    change; going through UTC adds elapsed time.
    """
    if start.tzinfo is None:
        raise ValueError("an hour deadline needs an aware moment")
    return (start.astimezone(datetime.UTC) + datetime.timedelta(hours=hours)).astimezone(start.tzinfo)


def add_period(start: datetime.date, amount: int, unit: PeriodUnit | str) -> datetime.date:
    """`start` plus a period counted in days, weeks or months (hours need a moment: `add_hours`)."""
    unit = PeriodUnit(unit)
    if unit is PeriodUnit.HOURS:
        raise ValueError("hours are counted from a moment, not a date: use add_hours")
    if unit is PeriodUnit.MONTHS:
        return add_months(start, amount)
    days = amount * 7 if unit is PeriodUnit.WEEKS else amount
    return start + datetime.timedelta(days=days)


@dataclass(frozen=True)
class RuleVersion:
    """One version of a duty rule as it is in force from `valid_from` until (not including) `valid_to`."""

    code: str
    name: str
    amount: int
    unit: PeriodUnit
    warn_days: int
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    legal_reference: str = ""

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def due_on(self, anchor: datetime.date) -> datetime.date:
        return add_period(anchor, self.amount, self.unit)

    def due_at(self, anchor_at: datetime.datetime) -> datetime.datetime:
        """The due moment of an hour rule (for day rules: the end of the due day is not modelled)."""
        return add_hours(anchor_at, self.amount)


class RuleBook:
    """The duty rules, all versions; a duty is governed by the version in force on its anchor date."""

    def __init__(self, versions: Iterable[RuleVersion]) -> None:
        self._by_code: dict[str, list[RuleVersion]] = {}
        for version in versions:
            self._by_code.setdefault(version.code, []).append(version)
        for versions_of_code in self._by_code.values():
            versions_of_code.sort(key=lambda v: v.valid_from)

    def rule(self, code: str, anchor: datetime.date) -> RuleVersion | None:
        for version in reversed(self._by_code.get(code, [])):
            if version.in_force(anchor):
                return version
        return None

    def codes(self) -> list[str]:
        return sorted(self._by_code)

    def latest_open_anchor(self, code: str, today: datetime.date) -> datetime.date | None:
        """The latest anchor date whose open duty can be due soon or overdue on `today`, under any version of
        the rule (each over the anchors it governs): candidate rows are those anchored on or before it. Exact
        for day, week and month rules, month ends and leap years included; None when no version can have one."""
        limits = []
        for version in self._by_code.get(code, []):
            latest = latest_anchor_due_by(version, today + datetime.timedelta(days=version.warn_days))
            if version.valid_to is not None:
                latest = min(latest, version.valid_to - datetime.timedelta(days=1))
            if latest >= version.valid_from:
                limits.append(latest)
        return max(limits) if limits else None


def _months_back(day: datetime.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    return year, month + 1


def latest_anchor_due_by(rule: RuleVersion, last_due: datetime.date) -> datetime.date:
    """The latest anchor whose due day under `rule` is on or before `last_due` (due days never fall as the
    anchor moves later, so every earlier anchor is due by then too).

    Months: `add_months` clamps to the month's end, so when `last_due` is its month's last day every day of the
    month `amount` months back is due by then (31 January + 1 month = 28 February); otherwise the same day number
    there, or that month's last day if it is shorter (30 March − 1 month: 28 or 29 February). Hours: the due day
    is the day of the due moment in the anchor's zone; a duty anchored at midnight on the day the clocks go back
    is due an hour earlier by the wall clock, so the fewest whole days is (amount − 1) // 24."""
    if rule.unit is PeriodUnit.MONTHS:
        year, month = _months_back(last_due, rule.amount)
        month_end = calendar.monthrange(year, month)[1]
        if last_due.day == calendar.monthrange(last_due.year, last_due.month)[1]:
            return datetime.date(year, month, month_end)
        return datetime.date(year, month, min(last_due.day, month_end))
    if rule.unit is PeriodUnit.WEEKS:
        return last_due - datetime.timedelta(days=rule.amount * 7)
    if rule.unit is PeriodUnit.HOURS:
        return last_due - datetime.timedelta(days=max(0, (rule.amount - 1) // 24))
    return last_due - datetime.timedelta(days=rule.amount)


def due_date(rule: RuleVersion, anchor_on: datetime.date, anchor_at: datetime.datetime | None = None) -> datetime.date:
    """The due day of a duty: for an hour rule, the day of the due moment in the anchor's time zone (pass
    Stockholm time); without a moment, whole days rounded up."""
    if rule.unit is PeriodUnit.HOURS:
        if anchor_at is not None:
            return rule.due_at(anchor_at).date()
        return anchor_on + datetime.timedelta(days=-(-rule.amount // 24))
    return rule.due_on(anchor_on)


def duty_state(due_on: datetime.date, done_on: datetime.date | None, today: datetime.date, warn_days: int) -> DutyState:
    """Where a duty stands today. Due on the day itself is still in time."""
    if done_on is not None:
        return DutyState.DONE_LATE if done_on > due_on else DutyState.DONE
    if today > due_on:
        return DutyState.OVERDUE
    if (due_on - today).days <= warn_days:
        return DutyState.DUE_SOON
    return DutyState.OPEN


@dataclass(frozen=True)
class Duty:
    """Something someone must do by a computed date, and the record that fulfils it (`url`)."""

    rule: RuleVersion
    anchor_on: datetime.date
    done_on: datetime.date | None
    subject: str  # what it is about, e.g. "Beställning ledsagarservice"
    url: str  # the record that fulfils it, or where it is done
    unit_id: int
    client_id: int | None = None
    client_name: str = ""
    responsible_id: int | None = None
    team_ids: tuple[int, ...] = field(default=())
    anchor_at: datetime.datetime | None = None  # for hour rules: the moment the clock started (aware)

    @property
    def due_at(self) -> datetime.datetime | None:
        if self.rule.unit is PeriodUnit.HOURS and self.anchor_at is not None:
            return self.rule.due_at(self.anchor_at)
        return None

    @functools.cached_property
    def due_on(self) -> datetime.date:
        # Computed once per duty: a unit's list sorts and classifies thousands of them (the fields it depends
        # on are frozen).
        return due_date(self.rule, self.anchor_on, self.anchor_at)

    def state(self, today: datetime.date) -> DutyState:
        return duty_state(self.due_on, self.done_on, today, self.rule.warn_days)

    def days_late(self, today: datetime.date) -> int:
        """How many days past the due date it was done (or, if not done, is by today); 0 if in time."""
        end = self.done_on or today
        return max(0, (end - self.due_on).days)


@dataclass
class TodoList:
    """ "Att göra": the duties needing attention, grouped the way the page shows them."""

    overdue: list[Duty]
    due_soon: list[Duty]
    done_late: list[Duty]
    # Open duties not yet in their warning window but due by `upcoming_until` ("Kommande"): a new order's
    # deadlines show at once instead of appearing only days before they fall due.
    upcoming: list[Duty] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"overdue": len(self.overdue), "due_soon": len(self.due_soon), "done_late": len(self.done_late)}


def todo_list(
    duties: Sequence[Duty],
    today: datetime.date,
    done_since: datetime.date,
    upcoming_until: datetime.date | None = None,
) -> TodoList:
    """Sort duties into overdue (most late first), due soon (soonest first), done late since `done_since`, and,
    if `upcoming_until` is given, open duties due by then (soonest first)."""
    overdue: list[Duty] = []
    due_soon: list[Duty] = []
    done_late: list[Duty] = []
    upcoming: list[Duty] = []
    for duty in duties:
        state = duty.state(today)
        if state is DutyState.OVERDUE:
            overdue.append(duty)
        elif state is DutyState.DUE_SOON:
            due_soon.append(duty)
        elif state is DutyState.DONE_LATE and duty.done_on is not None and duty.done_on >= done_since:
            done_late.append(duty)
        elif state is DutyState.OPEN and upcoming_until is not None and duty.due_on <= upcoming_until:
            upcoming.append(duty)
    overdue.sort(key=lambda d: (d.due_on, d.subject))
    due_soon.sort(key=lambda d: (d.due_on, d.subject))
    done_late.sort(key=lambda d: (d.done_on or d.due_on, d.subject), reverse=True)
    upcoming.sort(key=lambda d: (d.due_on, d.subject))
    return TodoList(overdue=overdue, due_soon=due_soon, done_late=done_late, upcoming=upcoming)
