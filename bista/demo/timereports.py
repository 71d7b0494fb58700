"""Demo history of worked time (issue 12): ten years of confirmed and attested time, closed months and
Försäkringskassan's time reports, from the shifts `rostering.shifts` made.

For each provider unit, over the demo window:

- **Confirmed time** for every worked shift that has ended before today: most as planned, about 3 % adjusted
  (started later or went home earlier, with a reason; never longer, so no two of a person's times overlap),
  jour and beredskap with some active time inside. A few shifts of the last days are still unconfirmed, so
  *Min tid* and the month close have something to show. Each confirmation is its first revision.
- **Attestation** of every person's ended months a few days after the month; **month close**: every ended
  month but the last is locked (the last is attested and waits for the manager to close it).
- **Corrections after attestation**: a few times a year a confirmed time is shortened after the month was
  attested and closed — a second revision marked `after_attestation`, the month reopened and locked again,
  the person's month attested again, and the FK report sent for it corrected (a new report superseding the
  sent one, sent in its turn).
- **FK time reports** for every ended month, client × assistant, for the clients whose assistance FK pays
  (`fkreports.fk_clients`), with the same content functions as `services.fk_reports_produce`: sent on the
  fifth day after the month, except the last month's, which are attested and not yet sent. The unit's
  provider details (anordnare) are set first.

Like the shifts, these rows are generated history (see `bista.demo.rostering`): worked times and their revisions
through `RowWriter` (plain executemany), the rest through `bulk_create`, and one `demo.history` audit event
with the counts.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from bista.core.access import SYSTEM
from bista.demo import rostering as _rostering  # noqa: F401  (the shifts' step is registered before this one)
from bista.demo.generator import Context, step
from bista.demo.rostering import BATCH, DbTime, RowWriter, record_history
from bista.rostering.models import Shift
from bista.staff.models import Employee
from bista.timereports import fkreports, rules
from bista.timereports import services as timereports_services
from bista.timereports.models import (
    Attestation,
    Basis,
    FkReport,
    MonthClose,
    MonthCloseEvent,
    WorkedTime,
    WorkedTimeRevision,
)

__all__ = ["create_worked_time"]

WORKED_FIELDS = (
    "id",
    "unit_id",
    "employee_id",
    "client_id",
    "shift_id",
    "kind",
    "starts_at",
    "ends_at",
    "active_minutes",
    "waiting_minutes",
    "basis",
    "revision",
    "recorded_by_id",
    "recorded_at",
    "created_at",
)
REVISION_FIELDS = (
    "id",
    "worked_time_id",
    "number",
    "kind",
    "starts_at",
    "ends_at",
    "active_minutes",
    "waiting_minutes",
    "basis",
    "reason",
    "after_attestation",
    "recorded_by_id",
    "recorded_at",
)
ADJUSTED_SHARE = 0.03
UNCONFIRMED_DAYS = 3  # shifts of the last days before today left for the person to confirm
CORRECTIONS_PER_YEAR = 4
ADJUST_REASONS = (
    "Gick hem tidigare efter överenskommelse med brukaren",
    "Började senare, brukaren sov",
    "Brukaren på korttidsvistelse under eftermiddagen",
    "Avlöst tidigare av kollega",
)
CORRECTION_REASONS = (
    "Fel sluttid upptäckt vid avstämning mot schemat",
    "Brukaren var inlagd på sjukhus, tiden ska inte redovisas",
    "Rättelse efter fråga från Försäkringskassan",
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=rules.STOCKHOLM).astimezone(datetime.UTC)


class _Worked:
    """One confirmed time as generated: the values in force and, for a correction, the first ones."""

    __slots__ = ("active", "client_id", "employee_id", "ends_at", "first", "kind", "pk", "shift_id", "starts_at")

    def __init__(
        self, pk: int, shift: tuple[Any, ...], starts_at: datetime.datetime, ends_at: datetime.datetime
    ) -> None:
        self.pk = pk
        self.shift_id, self.client_id, self.employee_id, _s, _e, self.kind = shift
        self.starts_at, self.ends_at = starts_at, ends_at
        self.active = 0
        self.first: tuple[datetime.datetime, datetime.datetime] | None = None  # before a correction

    @property
    def minutes(self) -> int:
        return rules.elapsed_minutes(self.starts_at, self.ends_at)

    def piece(self, *, first: bool = False) -> rules.Piece:
        starts_at, ends_at = self.first if first and self.first else (self.starts_at, self.ends_at)
        return rules.Piece(starts_at, ends_at, self.kind, self.active, 0)


@step("timereports.worked_time")
def create_worked_time(ctx: Context) -> None:
    """Confirmed, attested and closed time, and FK's time reports, from the worked shifts."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    unit = d.provider
    this_month = rules.first_of_month(today)
    last_month = rules.previous_month(this_month)
    # Left unconfirmed: some shifts of the last days of this month (an ended month is attested, so complete).
    cutoff = max(
        rules.local_midnight(today - datetime.timedelta(days=UNCONFIRMED_DAYS)), rules.month_window(this_month)[0]
    )
    ceiling = rules.local_midnight(today)  # nothing is recorded after the start of today
    shifts = list(
        Shift.objects.filter(
            unit=unit, status=Shift.Status.WORKED, employee__isnull=False, ends_at__lte=rules.local_midnight(today)
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "client_id", "employee_id", "starts_at", "ends_at", "kind")
    )
    db_time = DbTime()
    worked_rows = RowWriter(WorkedTime, WORKED_FIELDS)
    revision_rows = RowWriter(WorkedTimeRevision, REVISION_FIELDS)
    worked: list[_Worked] = []
    by_month: dict[datetime.date, list[_Worked]] = defaultdict(list)
    unconfirmed = 0
    for shift in shifts:
        starts_at, ends_at = shift[3], shift[4]
        if starts_at >= cutoff and rng.random() < 0.5:
            unconfirmed += 1
            continue
        basis, reason = Basis.PLANNED, ""
        minutes = rules.elapsed_minutes(starts_at, ends_at)
        if minutes >= 240 and rng.random() < ADJUSTED_SHARE:
            basis, reason = Basis.ADJUSTED, rng.choice(ADJUST_REASONS)
            cut = datetime.timedelta(minutes=rng.choice((15, 30, 45, 60)))
            if rng.random() < 0.5:
                ends_at -= cut
            else:
                starts_at += cut
        item = _Worked(worked_rows.new_id(), shift, starts_at, ends_at)
        if item.kind in rules.PASSIVE_KINDS and rng.random() < 0.4:
            item.active = min(rules.elapsed_minutes(starts_at, ends_at), rng.choice((15, 30, 45, 60, 90)))
        worked.append(item)
        by_month[rules.month_of(starts_at)].append(item)
        recorded = db_time(min(ends_at + datetime.timedelta(minutes=rng.randint(5, 600)), ceiling).timestamp())
        values = (item.kind, db_time(starts_at.timestamp()), db_time(ends_at.timestamp()), item.active, 0, basis)
        worked_rows.add(
            (item.pk, unit.pk, item.employee_id, item.client_id, item.shift_id, *values, 1, None, recorded, recorded)
        )
        revision_rows.add((revision_rows.new_id(), item.pk, 1, *values, reason, False, None, recorded))

    # Corrections after attestation: a few a year, in closed months, each shortening a confirmed time.
    closed = sorted(month for month in by_month if month < last_month)
    corrected_months: dict[datetime.date, list[_Worked]] = defaultdict(list)
    for _ in range(min(len(closed), round(CORRECTIONS_PER_YEAR * ctx.years))):
        month = rng.choice(closed)
        item = rng.choice(by_month[month])
        if item.first is not None or rules.elapsed_minutes(item.starts_at, item.ends_at) < 120:
            continue
        item.first = (item.starts_at, item.ends_at)
        item.ends_at -= datetime.timedelta(minutes=60)
        corrected_months[month].append(item)
    worked_rows.finish()
    revision_rows.finish()
    corrected_at = {month: _at(rules.next_month(month) + datetime.timedelta(days=20), 9) for month in corrected_months}
    for month, items in corrected_months.items():
        for item in items:
            WorkedTime.objects.filter(pk=item.pk).update(
                ends_at=item.ends_at, basis=Basis.REVISED, revision=2, recorded_at=corrected_at[month]
            )
    WorkedTimeRevision.objects.bulk_create(
        [
            WorkedTimeRevision(
                worked_time_id=item.pk,
                number=2,
                kind=item.kind,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                active_minutes=item.active,
                basis=Basis.REVISED,
                reason=rng.choice(CORRECTION_REASONS),
                after_attestation=True,
                recorded_at=corrected_at[month],
            )
            for month, items in corrected_months.items()
            for item in items
        ]
    )

    # Attestation per person and ended month (again after a correction); the month close.
    manager = d.managers.get("provider")
    attestations = []
    for month, items in sorted(by_month.items()):
        if month >= this_month:
            continue
        attested_at = min(_at(rules.next_month(month) + datetime.timedelta(days=3), 10), ceiling)
        per_person: dict[int, list[_Worked]] = defaultdict(list)
        for item in items:
            per_person[item.employee_id].append(item)
        again = {item.employee_id for item in corrected_months.get(month, [])}
        for employee_id, mine in sorted(per_person.items()):
            minutes = sum(rules.elapsed_minutes(i.first[0], i.first[1]) if i.first else i.minutes for i in mine)
            attestations.append(
                Attestation(
                    unit=unit,
                    employee_id=employee_id,
                    month=month,
                    minutes=minutes,
                    entries=len(mine),
                    attested_by=manager,
                    attested_at=attested_at,
                )
            )
            if employee_id in again:
                attestations.append(
                    Attestation(
                        unit=unit,
                        employee_id=employee_id,
                        month=month,
                        minutes=sum(i.minutes for i in mine),
                        entries=len(mine),
                        attested_by=manager,
                        attested_at=corrected_at[month] + datetime.timedelta(hours=2),
                    )
                )
    Attestation.objects.bulk_create(attestations, batch_size=BATCH)
    closes = MonthClose.objects.bulk_create(
        [
            MonthClose(
                unit=unit, month=month, status=MonthClose.Status.LOCKED, version=2 + 2 * (month in corrected_months)
            )
            for month in closed
        ],
        batch_size=BATCH,
    )
    events = []
    for close in closes:
        lock_at = _at(rules.next_month(close.month) + datetime.timedelta(days=6), 14)
        events.append(MonthCloseEvent(month_close=close, action="lock", actor=manager, at=lock_at, checklist={}))
        if close.month in corrected_months:
            at = corrected_at[close.month]
            reason = "Rättelse av arbetad tid efter attest"
            events.append(MonthCloseEvent(month_close=close, action="reopen", reason=reason, actor=manager, at=at))
            relock = at + datetime.timedelta(hours=3)
            events.append(MonthCloseEvent(month_close=close, action="lock", actor=manager, at=relock, checklist={}))
    MonthCloseEvent.objects.bulk_create(events, batch_size=BATCH)

    reports = _fk_reports(ctx, by_month, corrected_months, corrected_at, manager, this_month, ceiling)
    counts = {
        "worked_times": len(worked),
        "unconfirmed_shifts": unconfirmed,
        "corrections_after_attestation": sum(len(items) for items in corrected_months.values()),
        "attestations": len(attestations),
        "closed_months": len(closes),
        "fk_reports": reports,
    }
    record_history(ctx, "timereports.worked_time", counts)


def _content(
    month: datetime.date, client: Any, assistant: Any, provider: dict[str, str], found: list[_Worked], *, first: bool
) -> dict[str, Any]:
    pieces = [item.piece(first=first) for item in found]
    return fkreports.content_of(month=month, client=client, assistant=assistant, provider=provider, pieces=pieces)


def _fk_reports(
    ctx: Context,
    by_month: dict[datetime.date, list[_Worked]],
    corrected_months: dict[datetime.date, list[_Worked]],
    corrected_at: dict[datetime.date, datetime.datetime],
    manager: Any,
    this_month: datetime.date,
    ceiling: datetime.datetime,
) -> int:
    """Every ended month's FK reports (sent; the last month's attested), and the corrections of those sent."""
    d, rng = ctx.current, ctx.rng
    unit = d.provider
    last_month = rules.previous_month(this_month)
    contact = manager.get_full_name() if manager is not None else "Enhetschefen"
    details = timereports_services.provider_details_set(
        actor=SYSTEM,
        unit=unit,
        name=f"Stockholms stad, {unit.name}",
        organisation_number="2120000142",  # Stockholms stad
        contact_name=contact or "Enhetschefen",
        contact_phone="08-508 000 00",
    )
    provider = fkreports.provider_content(details)
    people = {
        pk: (pnr, f"{first} {last}")
        for pk, pnr, first, last in Employee.objects.filter(unit=unit).values_list(
            "pk", "personnummer", "first_name", "last_name"
        )
    }
    from bista.clients.models import Client

    clients = {
        pk: (pnr, f"{first} {last}")
        for pk, pnr, first, last in Client.objects.filter(
            pk__in={item.client_id for items in by_month.values() for item in items}
        ).values_list("pk", "personnummer", "first_name", "last_name")
    }
    rows: list[FkReport] = []
    superseding: list[tuple[int, FkReport]] = []  # (index of the corrected report in rows, its correction)
    for month, items in sorted(by_month.items()):
        if month >= this_month:
            continue
        fk_clients = fkreports.fk_clients(unit.pk, month)
        if not fk_clients:
            continue
        pieces: dict[tuple[int, int], list[_Worked]] = defaultdict(list)
        for item in items:
            if item.client_id in fk_clients:
                pieces[(item.client_id, item.employee_id)].append(item)
        agreements = fkreports._agreements({e for _c, e in pieces}, month)
        ended = rules.last_of_month(month)
        produced_at = min(_at(ended + datetime.timedelta(days=4), 9), ceiling)
        attested_at = produced_at
        sent = month != last_month
        for (client_id, employee_id), found in sorted(pieces.items()):
            pnr, name = people.get(employee_id, ("", ""))
            assistant = (pnr, name, agreements.get(employee_id, ""))
            corrected = any(item.first is not None for item in found)

            first_content = _content(month, clients[client_id], assistant, provider, found, first=True)
            report = FkReport(
                unit=unit,
                client_id=client_id,
                employee_id=employee_id,
                month=month,
                status=FkReport.Status.CORRECTED
                if corrected
                else (FkReport.Status.SENT if sent else FkReport.Status.ATTESTED),
                content=first_content,
                produced_at=produced_at,
                attested_at=attested_at,
                attested_by=manager,
                sent_on=ended + datetime.timedelta(days=5) if sent else None,
                sent_at=produced_at + datetime.timedelta(days=1) if sent else None,
                sent_by=manager if sent else None,
            )
            rows.append(report)
            if corrected:
                again = corrected_at[month] + datetime.timedelta(hours=4)
                final = _content(month, clients[client_id], assistant, provider, found, first=False)
                superseding.append(
                    (
                        len(rows) - 1,
                        FkReport(
                            unit=unit,
                            client_id=client_id,
                            employee_id=employee_id,
                            month=month,
                            status=FkReport.Status.SENT,
                            correction_reason=rng.choice(CORRECTION_REASONS),
                            content=final,
                            produced_at=again,
                            attested_at=again,
                            attested_by=manager,
                            sent_on=(again + datetime.timedelta(days=1)).date(),
                            sent_at=again + datetime.timedelta(days=1),
                            sent_by=manager,
                        ),
                    )
                )
    made = FkReport.objects.bulk_create(rows, batch_size=500)
    for index, correction in superseding:
        correction.supersedes = made[index]
    FkReport.objects.bulk_create([correction for _index, correction in superseding], batch_size=500)
    return len(rows) + len(superseding)
