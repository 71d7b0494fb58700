"""The month close's checklist for a unit: what must be fixed before the month is locked, and what the manager
should look at. Computed from the records (no access check here: `selectors.month_checklist` checks and logs;
`services.month_lock` asks for the blocking items).

Blocking: shifts nobody confirmed, people whose month is not attested (or changed after it). Warnings: worked
time at a client with no order of the unit that day, clients whose confirmed hours reach 80/90/100 % of what
their orders grant, confirmed time that breaks the working-time rules of the person's agreement (the
rostering checker, `rostering.rules.check_roster`, over the confirmed time instead of the planned), and FK time
reports not produced, not sent or older than the time they report (`fkreports.not_produced`).

Other contexts add items without timereports importing them: `register_check(fn)` from their app's `ready()`,
where `fn(unit, month)` returns an `Item` or None (economy: "invoices not produced").
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bista.care.models import Order
from bista.core import clock
from bista.core.models import Unit
from bista.rostering import loaders
from bista.rostering import rules as rostering_rules
from bista.rostering.facts import Kind, Period, ShiftFact
from bista.rostering.models import Shift
from bista.staff.models import Employee
from bista.timereports import rules
from bista.timereports.models import CONFIRMABLE, Attestation, WorkedTime

ALERT_LEVELS = (100, 90, 80)  # per cent of the granted hours used (DOMAIN §6)
# The rostering rules that are about a person's working time (not competence, delegation or the client).
WORKING_TIME_RULES = frozenset(
    {"overlap", "pass_length", "daily_rest", "pass_rest", "weekly_rest", "ordinary_hours", "average_hours"}
    | {"overtime_year", "absence"}
)

UNCONFIRMED = "unconfirmed"
NOT_ATTESTED = "not_attested"
OUTSIDE_ORDER = "outside_order"
GRANTED_HOURS = "granted_hours"
WORKING_TIME = "working_time"
FK_REPORTS = "fk_reports"


@dataclass
class Finding:
    """One line under a checklist item: what, and whom it is about (for the link that fixes it)."""

    text: str
    employee_id: int | None = None
    client_id: int | None = None
    moment: datetime.datetime | None = None


@dataclass
class Item:
    key: str
    title: str
    blocking: bool
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass
class Checklist:
    unit: Unit
    month: datetime.date
    items: list[Item]

    @property
    def blocking(self) -> list[Item]:
        return [item for item in self.items if item.blocking and not item.ok]

    def summary(self) -> dict[str, int]:
        """Item key → number of findings (kept with each lock and reopening)."""
        return {item.key: len(item.findings) for item in self.items}


EXTRA_CHECKS: list[Callable[[Unit, datetime.date], Item | None]] = []


def register_check(check: Callable[[Unit, datetime.date], Item | None]) -> None:
    """Add a checklist item computed by another context (registered once, from its `ready()`)."""
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


def _period(month: datetime.date) -> Period:
    return Period(month, rules.last_of_month(month))


def _unconfirmed(unit: Unit, month: datetime.date, now: datetime.datetime) -> list[Finding]:
    start, end = rules.month_window(month)
    shifts = (
        Shift.objects.filter(
            unit=unit,
            status__in=CONFIRMABLE,
            employee__isnull=False,
            starts_at__gte=start,
            starts_at__lt=min(end, now),
            worked_time__isnull=True,
        )
        .select_related("employee")
        .order_by("starts_at", "pk")
    )
    return [
        Finding(
            f"{shift.employee.full_name if shift.employee else ''}: {rules.local_span(shift.starts_at, shift.ends_at)}",
            employee_id=shift.employee_id,
            client_id=shift.client_id,
            moment=shift.starts_at,
        )
        for shift in shifts
    ]


def _not_attested(unit: Unit, month: datetime.date, worked: list[WorkedTime]) -> list[Finding]:
    latest_change: dict[int, datetime.datetime] = {}
    for w in worked:
        latest_change[w.employee_id] = max(w.recorded_at, latest_change.get(w.employee_id, w.recorded_at))
    attested: dict[int, datetime.datetime] = {}
    for employee_id, attested_at in Attestation.objects.filter(unit=unit, month=month).values_list(
        "employee_id", "attested_at"
    ):
        attested[employee_id] = max(attested_at, attested.get(employee_id, attested_at))
    missing = sorted(
        employee_id
        for employee_id, changed in latest_change.items()
        if employee_id not in attested or changed > attested[employee_id]
    )
    names = {e.pk: e.full_name for e in Employee.objects.filter(pk__in=missing)}
    return [
        Finding(f"{names[pk]}: " + ("ändrad efter attest" if pk in attested else "inte attesterad"), employee_id=pk)
        for pk in missing
    ]


def _outside_order(unit: Unit, month: datetime.date, worked: list[WorkedTime]) -> list[Finding]:
    """Worked time on a day the client had no order of the unit (from the period start to its end or ending)."""
    period = _period(month)
    spans: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    orders = Order.objects.filter(
        unit=unit, client_id__in={w.client_id for w in worked}, period_start__lte=period.end
    ).values_list("client_id", "period_start", "period_end", "ended_on")
    for client_id, first, last, ended in orders:
        end = min(d for d in (last, ended) if d is not None) if (last or ended) else None
        spans[client_id].append((first, end))
    findings = []
    for w in worked:
        day = clock.local_date(w.starts_at)
        if not any(first <= day and (end is None or day <= end) for first, end in spans.get(w.client_id, [])):
            findings.append(
                Finding(
                    f"{w.employee.full_name}: {rules.local_span(w.starts_at, w.ends_at)}",
                    employee_id=w.employee_id,
                    client_id=w.client_id,
                    moment=w.starts_at,
                )
            )
    return findings


def _granted_hours(unit: Unit, month: datetime.date, worked: list[WorkedTime]) -> list[Finding]:
    """Clients whose confirmed hours reach 80, 90 or 100 % of what the unit's orders grant in the month
    (double staffing counts per person, as the orders are per person)."""
    used: dict[int, int] = defaultdict(int)
    for w in worked:
        used[w.client_id] += w.minutes
    granted = loaders.granted_hours(set(used), _period(month), unit_id=unit.pk)
    findings = []
    for client_id, minutes in sorted(used.items()):
        hours = granted.get(client_id)
        if not hours:
            continue
        percent = 100 * minutes / 60 / hours
        level = next((lvl for lvl in ALERT_LEVELS if percent >= lvl), None)
        if level is not None:
            findings.append(
                Finding(
                    f"{rules.hours_decimal(minutes)} av {rules.hours_decimal(round(hours * 60))} beviljade timmar "
                    f"({percent:.0f} %, minst {level} %)",
                    client_id=client_id,
                )
            )
    return findings


def _working_time(month: datetime.date, worked: list[WorkedTime]) -> list[Finding]:
    period = _period(month)
    facts = [
        ShiftFact(
            key=f"w{w.pk}",
            client_id=w.client_id,
            employee_id=w.employee_id,
            starts_at=w.starts_at,
            ends_at=w.ends_at,
            kind=Kind(w.kind),
            published=True,
        )
        for w in worked
    ]
    employees = loaders.employee_facts({w.employee_id for w in worked}, period)
    violations = rostering_rules.check_roster(facts, employees, {}, period)
    return [
        Finding(violation.message, employee_id=violation.employee_id)
        for violation in violations
        if violation.rule in WORKING_TIME_RULES
    ]


def _fk_reports(unit: Unit, month: datetime.date) -> list[Finding]:
    """FK time reports of the month missing, not sent, or older than the time they report."""
    from bista.timereports import fkreports

    found = fkreports.not_produced(unit, month)
    names = {e.pk: e.full_name for e in Employee.objects.filter(pk__in={e for _c, e, _w in found})}
    return [Finding(f"{names[e]}: {why}", client_id=c) for c, e, why in found]


def month_checklist(unit: Unit, month: datetime.date) -> Checklist:
    month = rules.first_of_month(month)
    start, end = rules.month_window(month)
    now = clock.now()
    worked = list(
        WorkedTime.objects.filter(unit=unit, starts_at__gte=start, starts_at__lt=end)
        .select_related("employee")
        .order_by("starts_at", "pk")
    )
    items = [
        Item(UNCONFIRMED, "Obekräftade pass", True, _unconfirmed(unit, month, now)),
        Item(NOT_ATTESTED, "Medarbetare vars månad inte är attesterad", True, _not_attested(unit, month, worked)),
        Item(OUTSIDE_ORDER, "Arbetad tid utan beslut eller beställning", False, _outside_order(unit, month, worked)),
        Item(GRANTED_HOURS, "Brukare nära eller över beviljade timmar", False, _granted_hours(unit, month, worked)),
        Item(WORKING_TIME, "Arbetad tid utanför arbetstidsreglerna", False, _working_time(month, worked)),
        Item(FK_REPORTS, "Tidredovisningar till Försäkringskassan inte klara", False, _fk_reports(unit, month)),
    ]
    items += [item for item in (check(unit, month) for check in EXTRA_CHECKS) if item is not None]
    return Checklist(unit, month, items)
