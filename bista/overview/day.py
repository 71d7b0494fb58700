"""The start page's day: what the signed-in person works with today, by role, each row linking to where the
work is done.

- Whoever works shifts (an assistant): today's and tomorrow's shifts with the client and a direct "Skriv i
  journalen", the journal drafts they have not signed, and the open shifts of their unit the working-time rules
  let them take (requested under Mitt schema).
- Whoever manages a roster (a manager): sick calls with shifts still to cover (each a link to the one-pass sick
  call page), employees' requests for open shifts (approve or decline in one click), the shifts today and tonight
  that nobody works, new deviations and open Lex Sarah reports, clients near their granted hours this month, and
  delegations about to expire.
- Whoever has cases on their desk (a case officer, the purchaser's managers): the purchaser's duties that need
  them (first contacts, appeals to forward within the week, time-limited decisions running out, follow-ups,
  with the most urgent rows), investigations still to be communicated, new intakes, and their caseload.

Every panel reads through its context's selectors, so it shows only what the person may see; each client
named in full is logged as read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import get_script_prefix, reverse
from django.utils.text import Truncator

from bista.care import selectors as care_selectors
from bista.casework import selectors as casework_selectors
from bista.clients.selectors import visible_clients
from bista.core import clock, datacache
from bista.core.access import has_perm, has_perm_anywhere, unit_ids_with
from bista.core.deadlines import Duty, DutyState, TodoList, add_months
from bista.core.format import antal
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.quality import selectors as quality_selectors
from bista.rostering import selectors as rostering_selectors
from bista.rostering.facts import Period
from bista.staff import selectors as staff_selectors

# How far ahead an assistant sees the open shifts of their unit.
OPEN_SHIFT_DAYS = 14
# Tonight ends in the morning: the unstaffed shifts shown start before this hour tomorrow.
TONIGHT_ENDS = datetime.time(8)
# A client is "near" their granted hours this month from this share (the 80/90/100 % steps of the hours page).
NEAR_GRANTED = 0.8
# Delegations that expire within this many days.
DELEGATION_DAYS = 30
# New deviations are those reported in the last week.
NEW_DEVIATION_DAYS = 7
# The case officer's desk: duties falling due within this many days (an appeal is forwarded within a week),
# and intakes received in the last this many days.
DESK_UPCOMING_DAYS = 7
NEW_INTAKE_DAYS = 14
ROWS = 5  # rows per panel; each panel links to its full list
LOG_DETAIL = "startsidan"  # what the access log says the clients named here were read for


@dataclass(frozen=True)
class ShiftLine:
    when: str
    client_name: str
    client_url: str | None = None
    journal_url: str | None = None
    deviation_url: str | None = None  # report a deviation about this client, the client already chosen
    url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class RequestLine:
    """An employee's request for an open shift, with the manager's one-click decisions."""

    pk: int
    when: str
    employee_name: str
    client_name: str


@dataclass
class MyDay:
    """An employee's panel: their shifts, unsigned drafts and the open shifts they could take."""

    shifts: list[ShiftLine] = field(default_factory=list)
    drafts: list[ShiftLine] = field(default_factory=list)
    open_shifts: list[ShiftLine] = field(default_factory=list)
    open_shift_count: int = 0
    # Whether the general "Rapportera en avvikelse" link shows: quality.report in at least one unit (the
    # per-shift links check the shift's own unit).
    can_report: bool = False


@dataclass
class UnitDay:
    """A manager's panel for one unit."""

    unit: Unit
    unstaffed: list[ShiftLine] = field(default_factory=list)
    deviations: list[ShiftLine] = field(default_factory=list)
    deviation_count: int = 0
    lex_sarah_open: int = 0
    near_granted: list[ShiftLine] = field(default_factory=list)
    delegations: list[ShiftLine] = field(default_factory=list)
    sick_calls: list[ShiftLine] = field(default_factory=list)
    requests: list[RequestLine] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.unstaffed
            or self.deviations
            or self.lex_sarah_open
            or self.near_granted
            or self.delegations
            or self.sick_calls
            or self.requests
        )


def _when(starts_at: datetime.datetime, ends_at: datetime.datetime, today: datetime.date) -> str:
    start = starts_at.astimezone(clock.STOCKHOLM)
    day = start.date()
    label = "Idag" if day == today else "I morgon" if day == today + datetime.timedelta(days=1) else str(day)
    return f"{label} {start:%H:%M}–{ends_at.astimezone(clock.STOCKHOLM):%H:%M}"


def my_day(user: Any, today: datetime.date) -> MyDay | None:
    """The employee's own day, or None for a user who is not an employee."""
    employee = staff_selectors.own_employee(user)
    if employee is None:
        return None
    day = MyDay(can_report=has_perm_anywhere(user, Perm.QUALITY_REPORT))
    tomorrow = today + datetime.timedelta(days=1)
    shifts = rostering_selectors.my_shifts(user, today, tomorrow)
    free = rostering_selectors.takeable_open_shifts(user, employee, today, today + datetime.timedelta(OPEN_SHIFT_DAYS))
    drafts = care_selectors.my_journal_drafts(user)
    shown = [(s.client, s.unit_id) for s in [*shifts, *free]] + [(d.client, unit_id) for d, unit_id in drafts]
    names = rostering_selectors.client_names(user, shown, log=LOG_DETAIL)
    labels, seen = names.labels, names.seen
    for shift in shifts:
        client_id = shift.client_id
        writes = client_id in seen and has_perm(user, Perm.JOURNAL_WRITE, shift.unit_id)
        reports = client_id in seen and has_perm(user, Perm.QUALITY_REPORT, shift.unit_id)
        day.shifts.append(
            ShiftLine(
                when=_when(shift.starts_at, shift.ends_at, today),
                client_name=labels[client_id],
                client_url=reverse("clients:card", args=[client_id]) if client_id in seen else None,
                journal_url=reverse("care:journal", args=[client_id]) + "#skriv" if writes else None,
                deviation_url=f"{reverse('quality:deviation_report')}?client={client_id}" if reports else None,
                note=shift.get_status_display() if shift.status != shift.Status.PUBLISHED else "",
            )
        )
    for draft, _unit_id in drafts:
        day.drafts.append(
            ShiftLine(
                when=f"Sparat {clock.local_date(draft.updated_at)}",
                client_name=labels[draft.client_id],
                journal_url=reverse("care:journal", args=[draft.client_id]) + "#skriv",
            )
        )
    day.open_shift_count = len(free)
    day.open_shifts = [
        ShiftLine(when=_when(s.starts_at, s.ends_at, today), client_name=labels[s.client_id]) for s in free[:ROWS]
    ]
    return day


def unit_days(user: Any, today: datetime.date) -> list[UnitDay]:
    """For each unit whose roster the user manages: what needs them today."""
    units = Unit.objects.filter(pk__in=unit_ids_with(user, Perm.ROSTER_MANAGE)).order_by("name")
    return [_unit_day(user, unit, today) for unit in units]


def _unit_day(user: Any, unit: Unit, today: datetime.date) -> UnitDay:
    panel = UnitDay(unit=unit)
    now = clock.now()
    tonight_ends = datetime.datetime.combine(today + datetime.timedelta(days=1), TONIGHT_ENDS, tzinfo=clock.STOCKHOLM)
    unstaffed = [
        s
        for s in rostering_selectors.open_shifts(user, unit, today, today + datetime.timedelta(days=1))
        if s.ends_at > now and s.starts_at < tonight_ends
    ]
    first = today.replace(day=1)
    month = Period(first, add_months(first, 1) - datetime.timedelta(days=1))
    near = rostering_selectors.clients_near_granted(user, unit, month, NEAR_GRANTED * 100)
    requests = rostering_selectors.pending_requests(user, unit)[:ROWS]
    shown = (
        [(s.client, unit.pk) for s in unstaffed]
        + [(row.client, unit.pk) for row in near[:ROWS]]
        + [(r.shift.client, unit.pk) for r in requests]
    )
    names = rostering_selectors.client_names(user, shown, log=LOG_DETAIL)
    labels, seen = names.labels, names.seen
    panel.unstaffed = [
        ShiftLine(
            when=_when(s.starts_at, s.ends_at, today),
            client_name=labels[s.client_id],
            url=reverse("rostering:open_shift", args=[s.pk]),
            note="ersätter sjuk" if s.replaces_id else "",
        )
        for s in unstaffed[:ROWS]
    ]
    panel.near_granted = [
        ShiftLine(
            when=f"{row.percent_used:.0f} % av {row.granted_hours:.0f} h",
            client_name=labels[row.client.pk],
            client_url=reverse("clients:card", args=[row.client.pk]) if row.client.pk in seen else None,
            url=f"{reverse('rostering:hours')}?enhet={unit.pk}",
        )
        for row in near[:ROWS]
    ]
    panel.requests = [
        RequestLine(
            pk=r.pk,
            when=_when(r.shift.starts_at, r.shift.ends_at, today),
            employee_name=r.employee.full_name,
            client_name=labels[r.shift.client_id],
        )
        for r in requests
    ]
    panel.sick_calls = [
        ShiftLine(
            when=f"sjuk från {call.absence.starts_on}",
            client_name=call.absence.employee.full_name,
            url=reverse("rostering:sick_call_result", args=[call.absence.pk]),
            note=antal(call.open_count, "öppet pass,öppna pass")
            + (", sjukanmälde sig själv" if call.self_reported else ""),
        )
        for call in rostering_selectors.sick_calls_to_cover(user, unit)[:ROWS]
    ]
    # The quality rows and the delegations depend on the date only (no client is named in them, so no read is
    # logged): kept per data version, date and viewer (`bista.core.datacache`), they are read once per write.
    (panel.deviation_count, panel.deviations, panel.lex_sarah_open), panel.delegations = datacache.cached(
        "unit-day-dated",
        (today, datacache.viewer(user), unit.pk, get_script_prefix()),
        lambda: (_quality_rows(user, unit, today), _delegations(user, unit, today)),
    )
    return panel


def _delegations(user: Any, unit: Unit, today: datetime.date) -> list[ShiftLine]:
    return [
        ShiftLine(
            when=f"t.o.m. {delegation.valid_until}",
            client_name=f"{delegation.employee.first_name} {delegation.employee.last_name}: {delegation.kind.name}",
            url=reverse("staff:card", args=[delegation.employee_id]),
        )
        for delegation in staff_selectors.delegations_expiring(
            user, unit, today, today + datetime.timedelta(days=DELEGATION_DAYS)
        )[:ROWS]
    ]


def _quality_rows(user: Any, unit: Unit, today: datetime.date) -> tuple[int, list[ShiftLine], int]:
    """The new deviations (how many, the newest rows) and how many Lex Sarah reports are open."""
    since = clock.start_of_day(today - datetime.timedelta(days=NEW_DEVIATION_DAYS))
    new = quality_selectors.visible_deviations(user).filter(unit=unit, reported_at__gte=since).order_by("-reported_at")
    rows = [
        ShiftLine(
            when=str(clock.local_date(deviation.reported_at)),
            client_name=Truncator(deviation.what_happened).chars(70),
            url=reverse("quality:deviation_detail", args=[deviation.pk]),
            note=deviation.get_status_display(),
        )
        for deviation in new[:ROWS]
    ]
    return new.count(), rows, quality_selectors.open_lex_sarah_reports(user).filter(unit=unit).count()


# --- The case officer's desk -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyCount:
    label: str
    count: int


@dataclass
class CaseDesk:
    """A case officer's panel: the cases on their desk and what they must do in them."""

    open_cases: int = 0
    unassigned: int = 0
    groups: list[DutyCount] = field(default_factory=list)
    duties: list[ShiftLine] = field(default_factory=list)
    communication: list[ShiftLine] = field(default_factory=list)
    communication_count: int = 0
    intakes: list[ShiftLine] = field(default_factory=list)
    intake_count: int = 0


def _desk_duties(user: Any, mine: TodoList, per_unit: dict[int, TodoList]) -> list[Duty]:
    """The purchaser's duties of the desk's cases needing attention now or within the week: the user's own, and,
    where they assign cases, those of cases assigned to nobody."""
    codes = set(casework_selectors.DESK_DUTY_RULES)
    assigning = casework_selectors.casework_units(user, Perm.CASEWORK_ASSIGN)
    lists = [mine] + [todo for unit_id, todo in per_unit.items() if unit_id in assigning]
    duties = {
        id(duty): duty
        for todo in lists
        for duty in [*todo.overdue, *todo.due_soon, *todo.upcoming]
        if duty.rule.code in codes and (todo is mine or duty.responsible_id is None)
    }
    return sorted(duties.values(), key=lambda duty: (duty.due_on, duty.subject))


def _due_text(duty: Duty, today: datetime.date) -> str:
    if duty.state(today) is DutyState.OVERDUE:
        return f"skulle vara klart {duty.due_on}"
    return f"senast {duty.due_on}"


def case_desk(user: Any, today: datetime.date, mine: TodoList, per_unit: dict[int, TodoList]) -> CaseDesk | None:
    """The desk of whoever works with cases (a casework role in a purchaser unit), or None. `mine` and
    `per_unit` are the start page's "Att göra" (computed once, with `DESK_UPCOMING_DAYS` of "Kommande")."""
    if not casework_selectors.casework_units(user):
        return None
    counts = casework_selectors.desk_case_counts(user)
    desk = CaseDesk(open_cases=counts["mine"], unassigned=counts["unassigned"])
    duties = _desk_duties(user, mine, per_unit)
    desk.groups = [
        DutyCount(label, sum(1 for duty in duties if duty.rule.code == code))
        for code, label in casework_selectors.DESK_DUTY_RULES.items()
    ]
    investigations = list(casework_selectors.desk_communication_pending(user))
    intakes = list(casework_selectors.desk_new_intakes(user, since=today - datetime.timedelta(days=NEW_INTAKE_DAYS)))
    shown_duties = duties[:ROWS]
    clients = visible_clients(user).filter(pk__in={d.client_id for d in shown_duties if d.client_id}).in_bulk()
    names = rostering_selectors.client_names(
        user,
        [(clients[d.client_id], d.unit_id) for d in shown_duties if d.client_id in clients]
        + [(i.case.client, i.case.unit_id) for i in investigations[:ROWS]]
        + [(i.case.client, i.case.unit_id) for i in intakes[:ROWS]],
        log=LOG_DETAIL,
    )
    desk.duties = [
        ShiftLine(
            when=_due_text(duty, today),
            client_name=names.labels.get(duty.client_id or 0, ""),
            url=duty.url,
            note=duty.subject,
        )
        for duty in shown_duties
    ]
    desk.communication_count = len(investigations)
    desk.communication = [
        ShiftLine(
            when=f"kommunicerad {inv.communicated_on}, inväntar avslut"
            if inv.communicated_on
            else f"påbörjad {inv.started_on}, ej kommunicerad",
            client_name=names.labels[inv.case.client_id],
            url=reverse("casework:investigation_edit", args=[inv.pk]),
        )
        for inv in investigations[:ROWS]
    ]
    desk.intake_count = len(intakes)
    desk.intakes = [
        ShiftLine(
            when=f"inkom {intake.received_on}",
            client_name=names.labels[intake.case.client_id],
            url=reverse("casework:case_detail", args=[intake.case_id]),
            note=intake.get_kind_display() + ("" if intake.case.officer_id else ", ej fördelad"),
        )
        for intake in intakes[:ROWS]
    ]
    return desk
