"""Reads of worked time, scoped to the actor.

Who sees what: the person sees their own shifts and confirmed time (and nothing else); a holder of
`time.attest` in a unit sees the unit's people and their time. The manager's page for one person names the
clients worked for and logs those reads (one row per client shown); the unit's month overview shows counts
and hours per person, no client, and is not logged.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from bista.clients.models import Client
from bista.core import clock
from bista.core.access import has_perm, unit_ids_with
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.rostering import selectors as rostering_selectors
from bista.rostering.models import Shift
from bista.staff.models import Employee
from bista.timereports import checklist as checklist_module
from bista.timereports import fkreports, rules
from bista.timereports.checklist import Checklist
from bista.timereports.models import (
    CONFIRMABLE,
    Attestation,
    Basis,
    FkReport,
    MonthClose,
    MonthCloseEvent,
    ProviderDetails,
    WorkedTime,
    WorkedTimeRevision,
)

UNCONFIRMED = "unconfirmed"
UPCOMING = "upcoming"
STATE_LABELS = {
    UNCONFIRMED: "Ej bekräftat",
    UPCOMING: "Kommande",
    Basis.PLANNED: "Bekräftat som planerat",
    Basis.ADJUSTED: "Bekräftat, justerat",
    Basis.UNPLANNED: "Oplanerad tid",
    Basis.REVISED: "Bekräftat, ändrat",
}


def attest_units(actor: Any) -> set[int]:
    return unit_ids_with(actor, Perm.TIME_ATTEST)


def can_attest(actor: Any, unit: Unit | int) -> bool:
    return has_perm(actor, Perm.TIME_ATTEST, unit)


def own_employee(actor: Any) -> Employee | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Employee.objects.filter(user_id=actor.pk).select_related("unit").first()


def hours_text(minutes: int) -> str:
    """480 → "8 h", 450 → "7 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" + (f" {rest} min" if rest else "")


# --- One person's month --------------------------------------------------------------------------------


@dataclass
class Row:
    """A shift of the month and its confirmed time (none: unconfirmed or still to come), or unplanned time."""

    shift: Shift | None
    worked: WorkedTime | None
    state: str
    client_id: int
    client_label: str = ""
    revisions: list[WorkedTimeRevision] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def starts_at(self) -> datetime.datetime:
        source = self.worked or self.shift
        assert source is not None
        return source.starts_at

    @property
    def planned_span(self) -> str:
        return rules.local_span(self.shift.starts_at, self.shift.ends_at) if self.shift else ""

    @property
    def worked_span(self) -> str:
        return rules.local_span(self.worked.starts_at, self.worked.ends_at) if self.worked else ""

    @property
    def worked_hours(self) -> str:
        return hours_text(self.worked.minutes) if self.worked else ""

    @property
    def is_unconfirmed(self) -> bool:
        return self.state == UNCONFIRMED


@dataclass
class PersonMonth:
    employee: Employee
    month: datetime.date
    rows: list[Row]
    attestation: Attestation | None
    changed_since_attestation: bool

    @property
    def unconfirmed(self) -> list[Row]:
        return [row for row in self.rows if row.is_unconfirmed]

    @property
    def minutes(self) -> int:
        return sum(row.worked.minutes for row in self.rows if row.worked)

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)

    @property
    def is_attested(self) -> bool:
        return self.attestation is not None and not self.changed_since_attestation


def _state(confirmed: WorkedTime | None, shift: Shift, now: datetime.datetime) -> str:
    if confirmed is not None:
        return confirmed.basis
    return UNCONFIRMED if shift.starts_at < now else UPCOMING


def _person_month(employee: Employee, month: datetime.date, *, with_revisions: bool = False) -> PersonMonth:
    start, end = rules.month_window(month)
    now = clock.now()
    shifts = list(
        Shift.objects.filter(employee=employee, status__in=CONFIRMABLE, starts_at__gte=start, starts_at__lt=end)
        .select_related("client")
        .order_by("starts_at", "pk")
    )
    worked = list(
        WorkedTime.objects.filter(employee=employee, starts_at__gte=start, starts_at__lt=end)
        .select_related("client")
        .order_by("starts_at", "pk")
    )
    by_shift = {w.shift_id: w for w in worked if w.shift_id is not None}
    rows = []
    for shift in shifts:
        confirmed = by_shift.get(shift.pk)
        state = _state(confirmed, shift, now)
        rows.append(Row(shift, confirmed, state, shift.client_id))
    # Confirmed time of a shift since moved out of the month's published ones (cancelled later) still counts.
    shown = {row.worked.pk for row in rows if row.worked}
    rows += [Row(w.shift, w, w.basis, w.client_id) for w in worked if w.pk not in shown]
    rows.sort(key=lambda row: (row.starts_at, row.shift.pk if row.shift else 0))
    attestation = Attestation.objects.filter(employee=employee, month=month).order_by("-attested_at", "-pk").first()
    revisions: dict[int, list[WorkedTimeRevision]] = defaultdict(list)
    changed = False
    if worked and (with_revisions or attestation is not None):
        for revision in WorkedTimeRevision.objects.filter(worked_time__in=worked).select_related("recorded_by"):
            revisions[revision.worked_time_id].append(revision)
            if attestation is not None and revision.recorded_at > attestation.attested_at:
                changed = True
    for row in rows:
        if row.worked is not None:
            row.revisions = sorted(revisions.get(row.worked.pk, []), key=lambda r: r.number)
    return PersonMonth(employee, month, rows, attestation, changed)


def _label_clients(actor: Any, person: PersonMonth, *, log: str = "") -> None:
    clients = {}
    for row in person.rows:
        source = row.worked or row.shift
        assert source is not None
        clients[row.client_id] = (source.client, person.employee.unit_id)
    labels = rostering_selectors.client_labels(actor, clients.values(), log=log) if clients else {}
    for row in person.rows:
        row.client_label = labels.get(row.client_id, "")


def my_month(actor: Any, month: datetime.date) -> PersonMonth | None:
    """The actor's own shifts and confirmed time in the month (None for a user who is not an employee)."""
    employee = own_employee(actor)
    if employee is None:
        return None
    person = _person_month(employee, month)
    _label_clients(actor, person)
    return person


def person_month(actor: Any, employee: Employee, month: datetime.date) -> PersonMonth:
    """One person's month for the manager who attests it, with every revision; the clients named are logged."""
    if not can_attest(actor, employee.unit_id):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    person = _person_month(employee, month, with_revisions=True)
    _label_clients(actor, person, log=f"arbetad tid {month:%Y-%m} för {employee.full_name}")
    return person


def employee_for_attest(actor: Any, pk: int) -> Employee:
    employee = Employee.objects.filter(pk=pk, unit_id__in=attest_units(actor)).select_related("unit").first()
    if employee is None:
        raise Http404("Medarbetaren finns inte eller så saknar du behörighet.")
    return employee


def worked_time_get(actor: Any, pk: int) -> WorkedTime:
    """A confirmed time the actor may see: their own, or one of a unit where they attest (404 otherwise)."""
    condition = Q(unit_id__in=attest_units(actor))
    if getattr(actor, "is_authenticated", False):
        condition |= Q(employee__user=actor)
    worked = WorkedTime.objects.filter(condition, pk=pk).select_related("employee", "client", "unit", "shift").first()
    if worked is None:
        raise Http404("Tiden finns inte eller så saknar du behörighet.")
    return worked


def own_shift(actor: Any, pk: int) -> Shift:
    """One of the actor's own published shifts, or one in a unit where the actor attests (404 otherwise)."""
    condition = Q(unit_id__in=attest_units(actor))
    if getattr(actor, "is_authenticated", False):
        condition |= Q(employee__user=actor)
    shift = (
        Shift.objects.filter(condition, pk=pk, status__in=CONFIRMABLE, employee__isnull=False)
        .select_related("client", "employee", "unit")
        .first()
    )
    if shift is None:
        raise Http404("Passet finns inte eller så saknar du behörighet.")
    return shift


# --- A unit's month ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSummary:
    employee: Employee
    shifts: int
    confirmed: int
    unconfirmed: int
    minutes: int
    attestation: Attestation | None
    changed_since_attestation: bool

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)

    @property
    def status(self) -> str:
        if self.attestation is None:
            return "Ej attesterad"
        return "Ändrad efter attest" if self.changed_since_attestation else "Attesterad"


def unit_month(actor: Any, unit: Unit, month: datetime.date) -> list[PersonSummary]:
    """Per person with shifts or worked time in the unit's month: counts, confirmed hours, attestation. A fixed
    number of queries whatever the number of people."""
    if not can_attest(actor, unit):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    start, end = rules.month_window(month)
    now = clock.now()
    shifts = Shift.objects.filter(
        unit=unit, status__in=CONFIRMABLE, employee__isnull=False, starts_at__gte=start, starts_at__lt=end
    ).values_list("employee_id", "starts_at", "worked_time__id")
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for employee_id, starts_at, worked_id in shifts:
        counts[employee_id][0] += 1
        if worked_id is not None:
            counts[employee_id][1] += 1
        elif starts_at < now:
            counts[employee_id][2] += 1
    minutes: dict[int, int] = defaultdict(int)
    last_change: dict[int, datetime.datetime] = {}
    for employee_id, starts_at, ends_at, recorded_at in WorkedTime.objects.filter(
        unit=unit, starts_at__gte=start, starts_at__lt=end
    ).values_list("employee_id", "starts_at", "ends_at", "recorded_at"):
        minutes[employee_id] += rules.elapsed_minutes(starts_at, ends_at)
        last_change[employee_id] = max(recorded_at, last_change.get(employee_id, recorded_at))
    attestations: dict[int, Attestation] = {}
    for made in Attestation.objects.filter(unit=unit, month=month).order_by("attested_at", "pk"):
        attestations[made.employee_id] = made
    people = Employee.objects.filter(pk__in=set(counts) | set(minutes) | set(attestations)).order_by(
        "last_name", "first_name", "pk"
    )
    result = []
    for employee in people:
        shifts_n, confirmed, unconfirmed = counts.get(employee.pk, [0, 0, 0])
        attestation = attestations.get(employee.pk)
        changed = (
            attestation is not None
            and employee.pk in last_change
            and last_change[employee.pk] > attestation.attested_at
        )
        result.append(
            PersonSummary(employee, shifts_n, confirmed, unconfirmed, minutes.get(employee.pk, 0), attestation, changed)
        )
    return result


def visible_attest_units(actor: Any) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=attest_units(actor)).order_by("name", "pk"))


# --- Month close ---------------------------------------------------------------------------------------


def month_checklist(actor: Any, unit: Unit, month: datetime.date) -> Checklist:
    """The unit's month-close checklist for the manager; each client named in a finding is logged as read."""
    if not can_attest(actor, unit):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    checklist = checklist_module.month_checklist(unit, month)
    client_ids = {f.client_id for item in checklist.items for f in item.findings if f.client_id is not None}
    if client_ids:
        clients = Client.objects.filter(pk__in=client_ids)
        labels = rostering_selectors.client_labels(
            actor, [(client, unit.pk) for client in clients], log=f"månadsavslut {month:%Y-%m}"
        )
        for item in checklist.items:
            for finding in item.findings:
                if finding.client_id is not None:
                    finding.text = f"{labels.get(finding.client_id, '')}: {finding.text}"
    return checklist


def month_close_state(unit: Unit, month: datetime.date) -> tuple[bool, list[MonthCloseEvent]]:
    """Whether the month is locked, and its locks and reopenings (latest first)."""
    close = MonthClose.objects.filter(unit=unit, month=month).first()
    if close is None:
        return False, []
    events = list(close.events.select_related("actor").order_by("-at", "-pk"))
    return close.status == MonthClose.Status.LOCKED, events


# --- Reference data ------------------------------------------------------------------------------------


def bands_on(day: datetime.date) -> list[rules.Band]:
    """The time bands in force on `day` (reference data, readable by all)."""
    from bista.core.access import valid_on
    from bista.timereports.models import TimeBand

    return [
        rules.Band(code, weekdays, start, end, priority)
        for code, weekdays, start, end, priority in TimeBand.objects.filter(valid_on(day)).values_list(
            "code", "weekdays", "start_time", "end_time", "priority"
        )
    ]


# --- Försäkringskassan's time reports ------------------------------------------------------------------


@dataclass
class FkMonth:
    """A unit's FK reports of a month, with the reconciliation per client."""

    unit: Unit
    month: datetime.date
    reports: list[FkReport]
    reconciliation: list[fkreports.Reconciliation]
    provider: ProviderDetails | None
    labels: dict[int, str]

    @property
    def differences(self) -> int:
        return sum(1 for row in self.reconciliation if row.differences)

    @property
    def rows(self) -> list[tuple[FkReport, str]]:
        return [(report, self.labels.get(report.client_id, "")) for report in self.reports]


def fk_month(actor: Any, unit: Unit, month: datetime.date) -> FkMonth:
    """The unit's FK reports of the month in force (names only, no personnummer) and the reconciliation; the
    clients named are logged as read (one row each)."""
    if not can_attest(actor, unit):
        raise PermissionDenied(f"Behörighet saknas: {Perm.TIME_ATTEST}")
    reports = list(
        FkReport.objects.filter(unit=unit, month=month)
        .exclude(status=FkReport.Status.CORRECTED)
        .select_related("client", "employee")
        .order_by("client__last_name", "client__first_name", "client_id", "employee__last_name", "employee_id")
    )
    rows = fkreports.reconciliation(unit, month)
    clients = {r.client_id: r.client for r in reports}
    missing = {row.client_id for row in rows} - set(clients)
    clients.update({c.pk: c for c in Client.objects.filter(pk__in=missing)})
    labels = (
        rostering_selectors.client_labels(
            actor, [(c, unit.pk) for c in clients.values()], log=f"tidredovisning FK {month:%Y-%m}"
        )
        if clients
        else {}
    )
    for row in rows:
        row.label = labels.get(row.client_id, "")
    provider = ProviderDetails.objects.filter(unit=unit).first()
    return FkMonth(unit, month, reports, rows, provider, labels)


def fk_report_get(actor: Any, pk: int, *, log: bool = True) -> FkReport:
    """One FK report of a unit where the actor attests (404 otherwise); reading it (with the personnummer) is
    logged for the client."""
    report = (
        FkReport.objects.filter(pk=pk, unit_id__in=attest_units(actor))
        .select_related("client", "employee", "unit", "supersedes", "attested_by", "sent_by")
        .first()
    )
    if report is None:
        raise Http404("Tidredovisningen finns inte eller så saknar du behörighet.")
    if log:
        from bista.clients.services import access_log_record
        from bista.timereports.actions import AccessAction

        access_log_record(
            actor=actor,
            client=report.client,
            action=AccessAction.FK_REPORT,
            unit=report.unit,
            detail=f"tidredovisning FK {pk}",
        )
    return report


def fk_report_history(report: FkReport) -> list[FkReport]:
    """The reports this one superseded, latest first (the one that superseded it, if any, is the report's own
    `superseded_by`). One query: the same client, assistant and month's reports, followed in memory."""
    same = {
        r.pk: r
        for r in FkReport.objects.filter(
            unit_id=report.unit_id, client_id=report.client_id, employee_id=report.employee_id, month=report.month
        )
    }
    chain = []
    earlier = same.get(report.supersedes_id) if report.supersedes_id else None
    while earlier is not None:
        chain.append(earlier)
        earlier = same.get(earlier.supersedes_id) if earlier.supersedes_id else None
    return chain


def provider_contact(unit_id: int) -> ProviderDetails | None:
    """The unit's provider details (contact person, phone, e-mail) as kept for FK's reports: also how a client
    reaches the unit from the own view (`bista.ownview`)."""
    return ProviderDetails.objects.filter(unit_id=unit_id).first()
