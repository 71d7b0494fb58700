"""What the rostering pages share: dates and weeks in Europe/Stockholm, a shift as the pages show it, and
the week grid (seven columns, Monday to Sunday) the team, person and proposal views are built from."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from bista.core.access import unit_ids_with
from bista.core.clock import STOCKHOLM
from bista.core.forms import MAX_ID
from bista.core.permissions import Perm
from bista.rostering import rules
from bista.rostering.models import Shift

WEEKDAY_SHORT = rules.WEEKDAY_NAMES  # "mån" … "sön", as the rules' explanations write them
WEEKDAY_LONG = ("Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag")
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_LONG = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

# The Swedish name of each working-time rule (rules.RULES), shown before its explanation.
RULE_NAMES = {
    "overlap": "Överlappande pass",
    "pass_length": "Längsta pass",
    "daily_rest": "Dygnsvila",
    "pass_rest": "Vila efter långt pass",
    "weekly_rest": "Veckovila",
    "ordinary_hours": "Avtalad arbetstid",
    "average_hours": "Genomsnittlig arbetstid",
    "overtime_year": "Övertid per år",
    "competence": "Kompetens",
    "delegation": "Delegering",
    "absence": "Frånvaro",
    "excluded": "Brukarens önskemål",
    "decision_hours": "Beslutade timmar",
}


def int_param(value: str | None) -> int | None:
    """A positive id from a query string, or None (never a database error)."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(STOCKHOLM)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def day_label(day: datetime.date) -> str:
    """ "mån 3 mar"."""
    return f"{WEEKDAY_SHORT[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def long_day_label(day: datetime.date) -> str:
    """ "Måndag 3 mars"."""
    return f"{WEEKDAY_LONG[day.weekday()]} {day.day} {MONTHS_LONG[day.month - 1]}"


def month_label(first: datetime.date) -> str:
    return f"{MONTHS_LONG[first.month - 1]} {first.year}"


def week_number(day: datetime.date) -> int:
    return day.isocalendar().week


def add_months(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_of_month(first: datetime.date) -> datetime.date:
    return add_months(first, 1) - datetime.timedelta(days=1)


def hours_text(hours: float | None) -> str:
    """ "7,5" with a decimal comma, "–" for none."""
    if hours is None:
        return "–"
    rounded = round(hours, 1)
    text = f"{rounded:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def rule_name(code: str) -> str:
    return RULE_NAMES.get(code, code)


# --- A shift as the pages show it ----------------------------------------------------------------------


def status_label(shift: Shift) -> str:
    """The status in words (never only a colour): an unassigned live shift is an open shift."""
    if shift.employee_id is None and shift.status in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
        return "Öppet pass (utkast)" if shift.status == Shift.Status.DRAFT else "Öppet pass"
    return str(shift.get_status_display())


def status_class(shift: Shift) -> str:
    if shift.employee_id is None and shift.status in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
        return "status-open"
    return f"status-{shift.status}"


@dataclass(frozen=True)
class ShiftRow:
    """One shift placed on one day of a grid or list: its times as read on that day."""

    shift: Shift
    time_text: str  # "07:00–15:00", "22:00 → tis 07:00", or "(från sön 22:00) → 07:00"
    status: str
    css: str
    person: str
    client: str
    kind: str
    url: str | None = None

    @property
    def is_open(self) -> bool:
        return self.css == "status-open"


def time_text(shift: Shift, day: datetime.date) -> str:
    """The shift's times as read on `day`, marking where it crosses midnight."""
    start, end = local(shift.starts_at), local(shift.ends_at)
    last_day = local(shift.ends_at - datetime.timedelta(microseconds=1)).date()
    if start.date() < day:
        return f"(från {WEEKDAY_SHORT[start.weekday()]} {start:%H:%M}) → {end:%H:%M}"
    if last_day == start.date():
        return f"{start:%H:%M}–{end:%H:%M}"
    end_day = WEEKDAY_SHORT[end.weekday()] if (end.date() - start.date()).days < 7 else day_label(end.date())
    return f"{start:%H:%M} → {end_day} {end:%H:%M}"


def shift_row(
    shift: Shift,
    day: datetime.date,
    *,
    client_name: Callable[[Any], str],
    link: Callable[[Shift], str | None] | None = None,
) -> ShiftRow:
    employee = shift.employee
    return ShiftRow(
        shift=shift,
        time_text=time_text(shift, day),
        status=status_label(shift),
        css=status_class(shift),
        person=employee.full_name if employee is not None else "Öppet pass",
        client=client_name(shift.client),
        kind=str(shift.get_kind_display()),
        url=link(shift) if link else None,
    )


def manage_link(can_manage: Callable[[Shift], bool]) -> Callable[[Shift], str | None]:
    """Where a shift links to for a manager: an open shift to its candidates, a draft to its form, others
    to the shift's page."""

    def link(shift: Shift) -> str | None:
        if not can_manage(shift):
            return None
        if shift.employee_id is None and shift.status in (Shift.Status.DRAFT, Shift.Status.PUBLISHED):
            return reverse("rostering:open_shift", args=[shift.pk])
        return reverse("rostering:shift", args=[shift.pk])

    return link


# --- The week grid -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    date: datetime.date
    label: str
    long_label: str
    is_today: bool
    is_weekend: bool


@dataclass
class GridRow:
    key: Hashable
    label: str
    url: str | None
    cells: list[list[ShiftRow]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.cells)


@dataclass
class Week:
    number: int
    monday: datetime.date
    days: list[Day]
    rows: list[GridRow]

    @property
    def label(self) -> str:
        sunday = self.monday + datetime.timedelta(days=6)
        return f"Vecka {self.number}, {day_label(self.monday)}–{day_label(sunday)} {sunday.year}"


def days_of(monday: datetime.date, today: datetime.date) -> list[Day]:
    return [
        Day(d, day_label(d), long_day_label(d), d == today, d.weekday() >= 5)
        for d in (monday + datetime.timedelta(days=i) for i in range(7))
    ]


def placed_days(shift: Shift, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The days in [first, last] a shift is shown on: its start day, or the first day shown when it began
    before it (a night from Sunday into the Monday a week starts with)."""
    start = local(shift.starts_at).date()
    if first <= start <= last:
        return [start]
    end = local(shift.ends_at - datetime.timedelta(microseconds=1)).date()
    if start < first <= end:
        return [first]
    return []


def build_weeks(
    shifts: Iterable[Shift],
    first_monday: datetime.date,
    weeks: int,
    *,
    today: datetime.date,
    rows: Sequence[tuple[Hashable, str, str | None]],
    row_of: Callable[[Shift], tuple[Hashable, str, str | None]],
    client_name: Callable[[Any], str],
    link: Callable[[Shift], str | None] | None = None,
) -> list[Week]:
    """One table per week: the given rows (in order) and any further row a shift needs (in order of
    appearance), each with seven cells of shifts sorted by start."""
    shifts = sorted(shifts, key=lambda s: (s.starts_at, s.pk))
    result: list[Week] = []
    for index in range(weeks):
        monday = first_monday + datetime.timedelta(days=7 * index)
        sunday = monday + datetime.timedelta(days=6)
        grid: dict[Hashable, GridRow] = {
            key: GridRow(key, label, url, [[] for _ in range(7)]) for key, label, url in rows
        }
        for shift in shifts:
            for day in placed_days(shift, monday, sunday):
                key, label, url = row_of(shift)
                row = grid.setdefault(key, GridRow(key, label, url, [[] for _ in range(7)]))
                row.cells[(day - monday).days].append(shift_row(shift, day, client_name=client_name, link=link))
        result.append(Week(week_number(monday), monday, days_of(monday, today), list(grid.values())))
    return result


@dataclass(frozen=True)
class Navigation:
    """Previous/next links and the range shown, for a page showing `weeks` weeks from `monday`."""

    monday: datetime.date
    weeks: int
    previous_url: str
    next_url: str
    today_url: str
    range_label: str


def navigation(request: HttpRequest, monday: datetime.date, weeks: int, today: datetime.date) -> Navigation:
    def url(day: datetime.date) -> str:
        query = request.GET.copy()
        query["datum"] = day.isoformat()
        query["veckor"] = str(weeks)
        return f"?{query.urlencode()}"

    step = datetime.timedelta(days=7 * weeks)
    last = monday + step - datetime.timedelta(days=1)
    label = f"{day_label(monday)} {monday.year}–{day_label(last)} {last.year}"
    if weeks == 1:
        label = f"Vecka {week_number(monday)}: {label}"
    else:
        label = f"Vecka {week_number(monday)}–{week_number(last)}: {label}"
    return Navigation(monday, weeks, url(monday - step), url(monday + step), url(monday_of(today)), label)


def period_bounds(monday: datetime.date, weeks: int) -> tuple[datetime.date, datetime.date]:
    return monday, monday + datetime.timedelta(days=7 * weeks - 1)


# --- Who may do what here ------------------------------------------------------------------------------


def roster_unit_ids(user: Any) -> set[int]:
    """Units whose roster the user sees (roster.view or roster.manage)."""
    return unit_ids_with(user, Perm.ROSTER_VIEW, Perm.ROSTER_MANAGE)


def manage_unit_ids(user: Any) -> set[int]:
    return unit_ids_with(user, Perm.ROSTER_MANAGE)


def section(user: Any) -> dict[str, bool]:
    """What the rostering section's sub-navigation offers the user (no query: the access map is cached)."""
    return {"can_view": bool(roster_unit_ids(user)), "can_manage": bool(manage_unit_ids(user))}
