"""Försäkringskassan's time reports computed from the records: which clients' assistance FK pays in a month,
each report's content (`elt` describes it), and the reconciliation of reported, granted and scheduled hours.
No access check here: `selectors` check and log, `services` write; the demo builds its reports with the same
functions.

Who FK pays for (*verify*, `rules.fk_paid`): a client with an order of the unit for personal assistance
(LSS 9 § 2) in force in the month, granted more hours a week than the municipality's first hours
(`MunicipalShareRule`, SFB 51 kap.). The report holds all the assistant's confirmed time at the client in the
month; the municipality's share (the first hours of each week, a week crossing months counted whole) is shown
beside it in the reconciliation.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bista.care.models import Order
from bista.clients.models import Client
from bista.core.models import Unit
from bista.rostering import loaders
from bista.rostering.facts import Period
from bista.rostering.models import Shift
from bista.staff.models import Employee, EmploymentTerm
from bista.timereports import rules
from bista.timereports.models import CONFIRMABLE, FkReport, ProviderDetails, WorkedTime, municipal_minutes_per_week


def fk_clients(unit_id: int, month: datetime.date) -> set[int]:
    """The clients whose assistance FK pays in the unit's month (an order in force on any day of it)."""
    first, last = month, rules.last_of_month(month)
    municipal_hours = municipal_minutes_per_week(first) / 60
    orders = Order.objects.filter(
        unit_id=unit_id, service__code__in=rules.FK_SERVICE_CODES, period_start__lte=last
    ).values_list("client_id", "service__code", "scope_amount", "scope_unit", "period_end", "ended_on")
    result = set()
    for client_id, code, amount, scope_unit, period_end, ended_on in orders:
        ends = [d for d in (period_end, ended_on) if d is not None]
        if ends and min(ends) < first:
            continue
        if rules.fk_paid(code, float(amount), scope_unit, municipal_hours):
            result.add(client_id)
    return result


def _agreements(employee_ids: Iterable[int], month: datetime.date) -> dict[int, str]:
    """The name of each assistant's working-time regime (collective agreement) in force at the month's end."""
    day = rules.last_of_month(month)
    result: dict[int, str] = {}
    for employee_id, name in (
        EmploymentTerm.objects.filter(employee_id__in=set(employee_ids), starts_on__lte=day)
        .exclude(ends_on__lt=month)
        .order_by("employee_id", "starts_on")
        .values_list("employee_id", "regime__name")
    ):
        result[employee_id] = name
    return result


def provider_content(details: ProviderDetails) -> dict[str, str]:
    return {
        "name": details.name,
        "organisation_number": details.organisation_number,
        "contact_name": details.contact_name,
        "contact_phone": details.contact_phone,
        "contact_email": details.contact_email,
    }


def content_of(
    *,
    month: datetime.date,
    client: tuple[str, str],
    assistant: tuple[str, str, str],
    provider: dict[str, str],
    pieces: list[rules.Piece],
) -> dict[str, Any]:
    """One report's content (see `elt`) from its parts."""
    first, last = rules.calculation_period(month)
    return {
        "month": f"{month:%Y-%m}",
        "client": {"personnummer": client[0], "name": client[1]},
        "assistant": {"personnummer": assistant[0], "name": assistant[1], "agreement": assistant[2]},
        "period": {"from": first.isoformat(), "to": last.isoformat()},
        "provider": provider,
        "rows": rules.report_rows(pieces),
    }


def month_contents(unit: Unit, month: datetime.date, provider: dict[str, str]) -> dict[tuple[int, int], dict[str, Any]]:
    """(client id, employee id) → the content of the report the records give now, for every FK-paid client
    and assistant with confirmed time in the unit's month (a fixed number of queries)."""
    clients = fk_clients(unit.pk, month)
    if not clients:
        return {}
    start, end = rules.month_window(month)
    pieces: dict[tuple[int, int], list[rules.Piece]] = defaultdict(list)
    for client_id, employee_id, starts_at, ends_at, kind, active, waiting in WorkedTime.objects.filter(
        unit=unit, client_id__in=clients, starts_at__gte=start, starts_at__lt=end
    ).values_list("client_id", "employee_id", "starts_at", "ends_at", "kind", "active_minutes", "waiting_minutes"):
        pieces[(client_id, employee_id)].append(rules.Piece(starts_at, ends_at, kind, active, waiting))
    if not pieces:
        return {}
    people = {
        pk: (pnr, f"{first} {last}")
        for pk, pnr, first, last in Client.objects.filter(pk__in={c for c, _e in pieces}).values_list(
            "pk", "personnummer", "first_name", "last_name"
        )
    }
    staff = {
        pk: (pnr, f"{first} {last}")
        for pk, pnr, first, last in Employee.objects.filter(pk__in={e for _c, e in pieces}).values_list(
            "pk", "personnummer", "first_name", "last_name"
        )
    }
    agreements = _agreements(staff, month)
    return {
        (client_id, employee_id): content_of(
            month=month,
            client=people[client_id],
            assistant=(*staff[employee_id], agreements.get(employee_id, "")),
            provider=provider,
            pieces=found,
        )
        for (client_id, employee_id), found in sorted(pieces.items())
    }


# --- Reconciliation ----------------------------------------------------------------------------------------


@dataclass
class Reconciliation:
    """One FK-paid client's month: minutes in the reports in force, confirmed, scheduled; hours granted; the
    municipality's share of the confirmed time (its first hours of each week) and FK's."""

    client_id: int
    reported: int
    confirmed: int
    scheduled: int
    granted_hours: float | None
    municipal: int
    fk: int
    reports: int
    unsent: int
    missing: int
    label: str = ""

    @property
    def hours(self) -> dict[str, str]:
        granted = "–" if self.granted_hours is None else rules.hours_decimal(round(self.granted_hours * 60))
        return {
            "reported": rules.hours_decimal(self.reported),
            "confirmed": rules.hours_decimal(self.confirmed),
            "scheduled": rules.hours_decimal(self.scheduled),
            "granted": granted,
            "municipal": rules.hours_decimal(self.municipal),
            "fk": rules.hours_decimal(self.fk),
        }

    @property
    def differences(self) -> list[str]:
        hours = self.hours
        found = []
        if self.reported != self.confirmed:
            found.append(f"Rapporterat {hours['reported']} h, bekräftat {hours['confirmed']} h")
        if self.missing:
            found.append(f"{self.missing} assistenter utan tidredovisning")
        if self.granted_hours is not None:
            granted = round(self.granted_hours * 60)
            if self.confirmed > granted:
                found.append(f"Bekräftat {hours['confirmed']} h, över beviljade {hours['granted']} h")
            if self.scheduled > granted:
                found.append(f"Schemalagt {hours['scheduled']} h, över beviljade {hours['granted']} h")
        if self.scheduled != self.confirmed:
            found.append(f"Schemalagt {hours['scheduled']} h, bekräftat {hours['confirmed']} h")
        return found


def reconciliation(unit: Unit, month: datetime.date) -> list[Reconciliation]:
    """Per FK-paid client of the unit's month (a fixed number of queries)."""
    clients = fk_clients(unit.pk, month)
    if not clients:
        return []
    start, end = rules.month_window(month)
    # The municipality's first hours of a week crossing into the month were partly used in the month before.
    week_start = rules.local_midnight(month - datetime.timedelta(days=month.weekday()))
    confirmed: dict[int, int] = defaultdict(int)
    pairs: dict[int, set[int]] = defaultdict(set)
    intervals: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)
    for client_id, employee_id, starts_at, ends_at in WorkedTime.objects.filter(
        unit=unit, client_id__in=clients, starts_at__gte=min(week_start, start), starts_at__lt=end
    ).values_list("client_id", "employee_id", "starts_at", "ends_at"):
        intervals[client_id].append((starts_at, ends_at))
        if starts_at >= start:
            confirmed[client_id] += rules.elapsed_minutes(starts_at, ends_at)
            pairs[client_id].add(employee_id)
    scheduled: dict[int, int] = defaultdict(int)
    for client_id, starts_at, ends_at in Shift.objects.filter(
        unit=unit, client_id__in=clients, status__in=CONFIRMABLE, starts_at__gte=start, starts_at__lt=end
    ).values_list("client_id", "starts_at", "ends_at"):
        scheduled[client_id] += rules.elapsed_minutes(starts_at, ends_at)
    reported: dict[int, int] = defaultdict(int)
    reports: dict[int, int] = defaultdict(int)
    unsent: dict[int, int] = defaultdict(int)
    reported_pairs: dict[int, set[int]] = defaultdict(set)
    for report in FkReport.objects.filter(unit=unit, month=month, client_id__in=clients).exclude(
        status=FkReport.Status.CORRECTED
    ):
        reported[report.client_id] += report.minutes
        reports[report.client_id] += 1
        reported_pairs[report.client_id].add(report.employee_id)
        if report.status != FkReport.Status.SENT:
            unsent[report.client_id] += 1
    granted = loaders.granted_hours(clients, Period(month, rules.last_of_month(month)), unit_id=unit.pk)
    per_week = municipal_minutes_per_week(month)
    result = []
    for client_id in sorted(clients):
        share = rules.municipal_split(intervals.get(client_id, []), per_week).get(month, rules.Share())
        result.append(
            Reconciliation(
                client_id=client_id,
                reported=reported[client_id],
                confirmed=confirmed[client_id],
                scheduled=scheduled[client_id],
                granted_hours=granted.get(client_id),
                municipal=round(share.municipal),
                fk=round(share.fk),
                reports=reports[client_id],
                unsent=unsent[client_id],
                missing=len(pairs[client_id] - reported_pairs[client_id]),
            )
        )
    return result


def not_produced(unit: Unit, month: datetime.date) -> list[tuple[int, int, str]]:
    """(client id, employee id, why) for each FK report of the month that is missing, not sent, or no longer
    matches the records (for the month-close checklist)."""
    provider = ProviderDetails.objects.filter(unit=unit).first()
    contents = month_contents(unit, month, provider_content(provider) if provider else {})
    current = {
        (r.client_id, r.employee_id): r
        for r in FkReport.objects.filter(unit=unit, month=month).exclude(status=FkReport.Status.CORRECTED)
    }
    found = []
    for key, content in contents.items():
        report = current.get(key)
        if report is None:
            found.append((*key, "ingen tidredovisning"))
        elif report.content["rows"] != content["rows"]:
            found.append((*key, "ändrad tid sedan tidredovisningen"))
        elif report.status != FkReport.Status.SENT:
            found.append((*key, f"{report.get_status_display().lower()}, inte skickad"))
    return found
