"""The economy computed from the records, for a unit and a month (no access check here: `selectors` checks
`economy.view` and logs the reads of clients' data).

Time: the unit's confirmed `WorkedTime` (timereports) of the month; for a person with none that month, the
roster's worked shifts (months before time was confirmed in Bistå), which count in the outcome but are never
attested, so never invoiced — `Time.source` says whether the month uses any. Revenue: each piece of time at
a client with an order of the unit that day, priced by the order's
service — the municipality's hourly rate by time band, or for personal assistance the first hours of each
week at the municipality's rate and the rest at FK's hourly amount (the client's raised amount if granted).
Cost: each person's wage cost (`rules.wage_cost`) from their wage terms, plus the other costs entered.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Q, Sum

from bista.care.models import Order
from bista.core import clock
from bista.core.access import valid_on
from bista.economy import rules
from bista.economy.models import (
    Budget,
    FkHourlyAmount,
    MunicipalRate,
    OtherCost,
    PayType,
    RaisedAmount,
    SickPayRule,
    SocialFeeRate,
    StoredMonth,
    Supplement,
    WageSupplement,
    WageTerm,
)
from bista.rostering import loaders
from bista.rostering.facts import Period
from bista.rostering.models import Shift
from bista.staff.models import Absence, Employee
from bista.timereports import rules as time_rules
from bista.timereports import selectors as time_selectors
from bista.timereports.models import Attestation, MonthClose, WorkedTime, municipal_minutes_per_week

ZERO = rules.ZERO
MUNICIPALITY, FK = "municipality", "fk"
WORKED, ROSTER = "worked", "roster"
LEAD_DAYS = 7  # a month's time is read with the week before it (the weeks crossing into the month)


@dataclass(frozen=True)
class Piece:
    employee_id: int
    client_id: int
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    active_minutes: int = 0
    is_overtime: bool = False
    attested: bool = True

    @property
    def minutes(self) -> int:
        return time_rules.elapsed_minutes(self.starts_at, self.ends_at)


@dataclass
class Time:
    pieces: list[Piece]
    source: str  # WORKED or ROSTER
    unattested: int = 0


@dataclass(frozen=True)
class Line:
    """Revenue of one client, service, payer and band in the month."""

    client_id: int
    service_code: str
    payer: str
    band: str
    minutes: Decimal
    rate: Decimal

    @property
    def amount(self) -> Decimal:
        return rules.money(rules.hours(self.minutes) * self.rate)


@dataclass
class PersonCost:
    employee_id: int
    name: str
    monthly: bool
    time: rules.MonthTime
    cost: rules.WageCost
    sick: rules.SickDays = field(default_factory=rules.SickDays)


@dataclass
class Month:
    unit_id: int
    month: datetime.date
    source: str
    lines: list[Line]
    people: list[PersonCost]
    other_costs: Decimal
    budget_revenue: Decimal | None
    budget_cost: Decimal | None
    unattested: int = 0
    outside_order_minutes: Decimal = ZERO
    beyond_grant_minutes: Decimal = ZERO

    # Computed once: a year's overview reads them several times a month over ~2,000 lines a month (a Month is
    # not changed once made).
    @cached_property
    def revenue(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @cached_property
    def wage_cost(self) -> Decimal:
        return sum((person.cost.total for person in self.people), ZERO)

    @property
    def cost(self) -> Decimal:
        return self.wage_cost + self.other_costs

    @property
    def outcome(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def budget(self) -> Decimal | None:
        if self.budget_revenue is None or self.budget_cost is None:
            return None
        return self.budget_revenue - self.budget_cost

    @property
    def deviation(self) -> Decimal | None:
        return None if self.budget is None else self.outcome - self.budget

    @property
    def overtime_cost(self) -> Decimal:
        return sum((p.cost.overtime + p.cost.mertid for p in self.people), ZERO)

    @property
    def hourly_paid_cost(self) -> Decimal:
        return sum((p.cost.total for p in self.people if not p.monthly), ZERO)

    def figures(self) -> rules.MonthFigures:
        return rules.MonthFigures(self.month, self.budget, self.revenue, self.cost)


# --- Time --------------------------------------------------------------------------------------------------


def _window(month: datetime.date, lead_days: int = 0) -> tuple[datetime.datetime, datetime.datetime]:
    start, end = time_rules.month_window(month)
    return start - datetime.timedelta(days=lead_days), end


def time_of(unit_id: int, month: datetime.date, lead_days: int = 0) -> Time:
    """The unit's time of the month (and `lead_days` before it, for the weeks crossing into the month)."""
    start, end = _window(month, lead_days)
    return _rows_time(_TimeRows.load(unit_id, start, end), start, end)


def times_of(unit_id: int, months: list[datetime.date], lead_days: int = 0) -> dict[datetime.date, Time]:
    """`time_of` of each of `months`, from one read of the records of all of them (many months at once, as
    when the demo makes ten years of invoices)."""
    if not months:
        return {}
    windows = {month: _window(month, lead_days) for month in months}
    rows = _TimeRows.load(unit_id, min(w[0] for w in windows.values()), max(w[1] for w in windows.values()))
    return {month: _rows_time(rows, start, end) for month, (start, end) in windows.items()}


@dataclass
class _TimeRows:
    """The confirmed time, attestations and worked shifts of a period, each list ordered by start."""

    worked: list[tuple]
    attested: dict[tuple[int, datetime.date], datetime.datetime]
    shifts: list[tuple]

    @classmethod
    def load(cls, unit_id: int, start: datetime.datetime, end: datetime.datetime) -> _TimeRows:
        worked = list(
            WorkedTime.objects.filter(unit_id=unit_id, starts_at__gte=start, starts_at__lt=end)
            .order_by("starts_at", "pk")
            .values_list(
                "starts_at",
                "employee_id",
                "client_id",
                "kind",
                "ends_at",
                "active_minutes",
                "shift__is_overtime",
                "recorded_at",
            )
        )
        attested: dict[tuple[int, datetime.date], datetime.datetime] = {}
        for employee_id, month_, at in Attestation.objects.filter(
            unit_id=unit_id,
            month__gte=time_rules.first_of_month(start.astimezone(clock.STOCKHOLM).date()),
            month__lt=end.astimezone(clock.STOCKHOLM).date(),
        ).values_list("employee_id", "month", "attested_at"):
            key = (employee_id, month_)
            attested[key] = max(at, attested.get(key, at))
        # A confirmed shift is counted as its confirmed time, never also as the roster's.
        shifts = list(
            Shift.objects.filter(
                unit_id=unit_id,
                status=Shift.Status.WORKED,
                employee__isnull=False,
                worked_time__isnull=True,
                starts_at__gte=start,
                starts_at__lt=end,
            )
            .order_by("starts_at", "pk")
            .values_list("starts_at", "employee_id", "client_id", "kind", "ends_at", "is_overtime")
        )
        return cls(worked, attested, shifts)


def _between(rows: list[tuple], start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    """The rows (ordered by their first value, the start) that start in [start, end)."""

    def first(row: tuple) -> datetime.datetime:
        return row[0]  # type: ignore[no-any-return]

    return rows[bisect.bisect_left(rows, start, key=first) : bisect.bisect_left(rows, end, key=first)]


def _rows_time(rows: _TimeRows, start: datetime.datetime, end: datetime.datetime) -> Time:
    pieces = []
    confirmed: set[tuple[int, datetime.date]] = set()  # (employee, month) whose time is confirmed in Bistå
    for starts_at, employee_id, client_id, kind, ends_at, active, overtime, recorded_at in _between(
        rows.worked, start, end
    ):
        key = (employee_id, time_rules.month_of(starts_at))
        confirmed.add(key)
        attested_at = rows.attested.get(key)
        pieces.append(
            Piece(
                employee_id,
                client_id,
                kind,
                starts_at,
                ends_at,
                active,
                bool(overtime),
                attested_at is not None and attested_at >= recorded_at,
            )
        )
    unattested = sum(1 for p in pieces if not p.attested)
    # Per person and month: confirmed time where there is any, else the roster's worked shifts — never attested,
    # so they count in the outcome but are never invoiced.
    roster = [
        Piece(e, c, k, s, t, 0, o, attested=False)
        for s, e, c, k, t, o in _between(rows.shifts, start, end)
        if e is not None and (e, time_rules.month_of(s)) not in confirmed
    ]
    month_start = time_rules.month_window(time_rules.month_of(end - datetime.timedelta(seconds=1)))[0]
    from_roster = any(p.starts_at >= month_start for p in roster)
    return Time(pieces + roster, ROSTER if from_roster else WORKED, unattested)


def has_attested_time(unit_id: int, month: datetime.date) -> bool:
    """Whether any of the unit's confirmed time of the month is attested (what an invoice is made from)."""
    start, end = time_rules.month_window(month)
    employees = Attestation.objects.filter(unit_id=unit_id, month=month).values("employee_id")
    return WorkedTime.objects.filter(
        unit_id=unit_id, starts_at__gte=start, starts_at__lt=end, employee_id__in=employees
    ).exists()


# --- Reference data in force ----------------------------------------------------------------------------


@dataclass
class Reference:
    day: datetime.date
    bands: list[time_rules.Band]
    holidays: frozenset[datetime.date]
    rates: dict[str, dict[str, Decimal]]  # service code → band → kr/h
    fk_amount: Decimal
    raised: dict[int, Decimal]
    first_minutes_per_week: float
    supplements: rules.Supplements
    sick: rules.SickTerms
    po_percent: Decimal
    splits: dict[tuple[datetime.datetime, datetime.datetime], dict[str, Decimal]] = field(default_factory=dict)

    def split(self, starts_at: datetime.datetime, ends_at: datetime.datetime) -> dict[str, Decimal]:
        """`rules.band_minutes` of an interval, computed once per month's reference (revenue and cost both
        split the same pieces)."""
        key = (starts_at, ends_at)
        found = self.splits.get(key)
        if found is None:
            found = self.splits[key] = rules.band_minutes(starts_at, ends_at, self.bands, self.holidays)
        return found


def reference(month: datetime.date, cache: dict | None = None) -> Reference:
    day = time_rules.first_of_month(month)
    key = ("reference", day)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    rates: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for code, band, amount in MunicipalRate.objects.filter(valid_on(day)).values_list("service_code", "band", "amount"):
        rates[code][band] = amount
    fk = FkHourlyAmount.objects.filter(valid_on(day)).order_by("-valid_from").first()
    raised = dict(RaisedAmount.objects.filter(valid_on(day)).values_list("client_id", "amount"))
    ob: dict[str, Decimal] = {}
    values: dict[str, Decimal] = {}
    for code, band, per_hour, percent in WageSupplement.objects.filter(valid_on(day)).values_list(
        "code", "band", "amount_per_hour", "percent"
    ):
        if code == Supplement.OB:
            ob[band] = per_hour or ZERO
        else:
            values[code] = (percent if percent is not None else per_hour) or ZERO
    sick = SickPayRule.objects.filter(valid_on(day)).order_by("-valid_from").first()
    po = SocialFeeRate.objects.filter(valid_on(day)).order_by("-valid_from").first()
    ref = Reference(
        day=day,
        bands=time_selectors.bands_on(day),
        holidays=time_rules.holiday_dates([day.year - 1, day.year, day.year + 1]),
        rates=dict(rates),
        fk_amount=fk.amount if fk else ZERO,
        raised=raised,
        first_minutes_per_week=municipal_minutes_per_week(day),
        supplements=rules.Supplements(
            ob=ob,
            overtime_percent=values.get(Supplement.OVERTIME, ZERO),
            mertid_percent=values.get(Supplement.MERTID, ZERO),
            on_call_per_hour=values.get(Supplement.ON_CALL, ZERO),
            standby_per_hour=values.get(Supplement.STANDBY, ZERO),
        ),
        sick=rules.SickTerms(sick.percent, sick.karens_percent, sick.employer_days) if sick else rules.SickTerms(),
        po_percent=po.percent if po else ZERO,
    )
    if cache is not None:
        cache[key] = ref
    return ref


# --- Revenue ----------------------------------------------------------------------------------------------


def _orders(
    unit_id: int, client_ids: set[int], month: datetime.date
) -> dict[int, list[tuple[str, datetime.date, datetime.date | None]]]:
    last = time_rules.last_of_month(month)
    first = time_rules.first_of_month(month) - datetime.timedelta(days=7)
    result: dict[int, list[tuple[str, datetime.date, datetime.date | None]]] = defaultdict(list)
    rows = (
        Order.objects.filter(unit_id=unit_id, client_id__in=client_ids, period_start__lte=last)
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=first))
        .values_list("client_id", "service__code", "period_start", "period_end", "ended_on")
        .order_by("period_start", "pk")
    )
    for client_id, code, start, end, ended in rows:
        ends = [d for d in (end, ended) if d is not None]
        result[client_id].append((code, start, min(ends) if ends else None))
    return result


def _service(orders: list[tuple[str, datetime.date, datetime.date | None]], day: datetime.date) -> str | None:
    codes = [code for code, start, end in orders if start <= day and (end is None or day <= end)]
    if rules.ASSISTANCE in codes:
        return rules.ASSISTANCE
    return codes[0] if codes else None


def revenue_lines(
    unit_id: int, month: datetime.date, time: Time, ref: Reference, attested_only: bool = False
) -> tuple[list[Line], Decimal, Decimal]:
    """Revenue lines of the month (client × service × payer × band) within what the orders grant, the minutes
    outside any order and the minutes beyond the orders' granted hours (neither earns anything)."""
    month = time_rules.first_of_month(month)
    orders = _orders(unit_id, {p.client_id for p in time.pieces}, month)
    minutes: dict[tuple[int, str, str, str], Decimal] = defaultdict(lambda: ZERO)
    assistance: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = defaultdict(list)
    outside = ZERO
    for piece in time.pieces:
        if attested_only and not piece.attested:
            continue
        day = clock.local_date(piece.starts_at)
        code = _service(orders.get(piece.client_id, []), day)
        if code is None:
            if time_rules.month_of(piece.starts_at) == month:
                outside += piece.minutes
            continue
        if code == rules.ASSISTANCE:
            assistance[piece.client_id].append((piece.starts_at, piece.ends_at))
            continue
        if time_rules.month_of(piece.starts_at) != month:
            continue
        for band, m in ref.split(piece.starts_at, piece.ends_at).items():
            minutes[(piece.client_id, code, MUNICIPALITY, band)] += m
    start, end = time_rules.month_window(month)
    for client_id, intervals in assistance.items():
        municipal, fk = time_rules.assistance_split(intervals, ref.first_minutes_per_week)
        for begin, finish in municipal:
            if start <= begin < end:
                for band, m in ref.split(begin, finish).items():
                    minutes[(client_id, rules.ASSISTANCE, MUNICIPALITY, band)] += m
        for begin, finish in fk:
            if start <= begin < end:
                minutes[(client_id, rules.ASSISTANCE, FK, rules.DAY)] += Decimal(
                    str(round((finish - begin).total_seconds() / 60, 4))
                )
    minutes, beyond = _within_grants(unit_id, month, minutes)
    lines = []
    for (client_id, code, payer, band), m in sorted(minutes.items()):
        if payer == FK:
            rate = ref.raised.get(client_id, ref.fk_amount)
        else:
            table = ref.rates.get(code, {})
            rate = table.get(band, table.get(rules.DAY, ZERO))
        lines.append(Line(client_id, code, payer, band, m, rate))
    return lines, outside, beyond


def _within_grants(
    unit_id: int, month: datetime.date, minutes: dict[tuple[int, str, str, str], Decimal]
) -> tuple[dict[tuple[int, str, str, str], Decimal], Decimal]:
    """Each client's minutes of the month cut to the hours the unit's orders grant the month (a scope a week
    prorated by the month's days, a scope a month as it is: `loaders.granted_hours`), and the minutes beyond."""
    per_client: dict[int, dict[tuple[int, str, str, str], Decimal]] = defaultdict(dict)
    for key, m in minutes.items():
        per_client[key[0]][key] = m
    if not per_client:
        return {}, ZERO
    granted = loaders.granted_hours(set(per_client), Period(month, time_rules.last_of_month(month)), unit_id=unit_id)
    within: dict[tuple[int, str, str, str], Decimal] = {}
    beyond = ZERO
    for client_id, lines in per_client.items():
        hours = granted.get(client_id)
        cap = None if hours is None else Decimal(str(hours)) * rules.SIXTY
        kept, over = rules.cap_minutes(lines, cap)
        within.update(kept)
        beyond += over
    return within, beyond


# --- Cost -----------------------------------------------------------------------------------------------


def _terms(employee_ids: set[int], unit_id: int, month: datetime.date) -> dict[int, WageTerm]:
    first, last = time_rules.first_of_month(month), time_rules.last_of_month(month)
    terms: dict[int, WageTerm] = {}
    rows = (
        WageTerm.objects.filter(Q(employee_id__in=employee_ids) | Q(employee__unit_id=unit_id), valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .order_by("valid_from", "pk")
    )
    for term in rows:
        terms[term.employee_id] = term  # the latest in force in the month
    return terms


def people_costs(unit_id: int, month: datetime.date, time: Time, ref: Reference) -> list[PersonCost]:
    month = time_rules.first_of_month(month)
    per_person: dict[int, rules.MonthTime] = defaultdict(rules.MonthTime)
    for piece in time.pieces:
        if time_rules.month_of(piece.starts_at) != month:
            continue
        split = ref.split(piece.starts_at, piece.ends_at)
        total = sum(split.values(), ZERO)
        mt = per_person[piece.employee_id]
        if piece.kind in time_rules.PASSIVE_KINDS and total:
            active = min(Decimal(piece.active_minutes), total)
            split = {band: m * active / total for band, m in split.items()}
            passive = total - active
            if piece.kind == "on_call":
                mt.on_call += passive
            else:
                mt.standby += passive
        rules.add_minutes(mt.by_band, split)
        if piece.is_overtime:
            mt.overtime += sum(split.values(), ZERO)
    terms = _terms(set(per_person), unit_id, month)
    employees = {
        e.pk: e
        for e in Employee.objects.filter(pk__in=set(per_person) | set(terms)).only(
            "pk", "first_name", "last_name", "unit_id", "employment_rate"
        )
    }
    first, last = month, time_rules.last_of_month(month)
    sick_periods: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for employee_id, starts_on, ends_on in (
        Absence.objects.filter(employee_id__in=set(employees), kind=Absence.Kind.SICK, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .values_list("employee_id", "starts_on", "ends_on")
    ):
        sick_periods[employee_id].append((starts_on, ends_on or last))
    result = []
    for employee_id, employee in sorted(employees.items(), key=lambda kv: (kv[1].last_name, kv[1].first_name, kv[0])):
        term = terms.get(employee_id)
        if term is None:
            continue
        monthly = term.pay_type == PayType.MONTHLY
        if monthly and employee.unit_id != unit_id and employee_id not in per_person:
            continue
        pay = rules.Pay(
            monthly=monthly,
            amount=(term.monthly_salary if monthly else term.hourly_pay) or ZERO,
            employment_rate=employee.employment_rate
            if monthly and employee.unit_id == unit_id
            else (Decimal("0") if monthly else rules.HUNDRED),
        )
        days = rules.SickDays()
        sick = ZERO
        for start, end in sick_periods.get(employee_id, []):
            d = rules.sick_days(start, end, month, ref.sick)
            days = rules.SickDays(days.karens + d.karens, days.employer + d.employer, days.after + d.after)
            sick += rules.sick_cost(pay, d, ref.sick)
        mt = per_person.get(employee_id, rules.MonthTime())
        cost = rules.wage_cost(pay, mt, ref.supplements, ref.po_percent, sick)
        result.append(PersonCost(employee_id, employee.full_name, monthly, mt, cost, days))
    return result


# --- The month --------------------------------------------------------------------------------------------


def month(unit_id: int, month_: datetime.date, cache: dict | None = None, time: Time | None = None) -> Month:
    """The unit's month computed from the records (`time`: the month's `time_of` with LEAD_DAYS, when the
    caller has read it already)."""
    month_ = time_rules.first_of_month(month_)
    ref = reference(month_, cache)
    time = time if time is not None else time_of(unit_id, month_, lead_days=LEAD_DAYS)
    lines, outside, beyond = revenue_lines(unit_id, month_, time, ref)
    people = people_costs(unit_id, month_, time, ref)
    other = OtherCost.objects.filter(unit_id=unit_id, month=month_).aggregate(s=Sum("amount"))["s"] or ZERO
    budget = Budget.objects.filter(unit_id=unit_id, month=month_).first()
    return Month(
        unit_id,
        month_,
        time.source,
        lines,
        people,
        other,
        budget.revenue if budget else None,
        budget.cost if budget else None,
        time.unattested,
        outside,
        beyond,
    )


def months(unit_id: int, year: int, until: datetime.date | None = None) -> list[Month]:
    """The unit's months of `year` up to `until` (default: today's month): a closed month from the figures
    stored at its close (`stored_months`), the others computed from the records."""
    until = until or clock.today()
    wanted = [datetime.date(year, m, 1) for m in range(1, 13) if datetime.date(year, m, 1) <= until]
    stored = stored_months(unit_id, wanted)
    cache: dict = {}
    return [stored[m] if m in stored else month(unit_id, m, cache) for m in wanted]


# --- Months stored at their close -------------------------------------------------------------------------
# Computing a month splits each piece of its time by band in Python (~20,000 pieces a year for a unit), too slow
# for a city's year on every read. A closed month's figures do not change while it stays closed (a correction
# reopens it), so they are computed once when the month is locked and read back; budget and other costs, which
# may be entered after the close, are always read live. ADR 0012.


def _dec(value: str) -> Decimal:
    return Decimal(value)


def month_data(m: Month) -> dict:
    """The parts of `m` computed from time (revenue lines, each person's time and wage cost) as JSON: Decimal as
    text, which reads back to the same value. Names are not stored (read live from staff)."""
    return {
        "source": m.source,
        "unattested": m.unattested,
        "outside": str(m.outside_order_minutes),
        "beyond": str(m.beyond_grant_minutes),
        "lines": [
            [line.client_id, line.service_code, line.payer, line.band, str(line.minutes), str(line.rate)]
            for line in m.lines
        ],
        "people": [
            [
                p.employee_id,
                p.monthly,
                {band: str(v) for band, v in p.time.by_band.items()},
                [str(p.time.overtime), str(p.time.on_call), str(p.time.standby)],
                [
                    str(v)
                    for v in (
                        p.cost.base,
                        p.cost.ob,
                        p.cost.overtime,
                        p.cost.mertid,
                        p.cost.on_call,
                        p.cost.sick,
                        p.cost.social_fees,
                    )
                ],
                [p.sick.karens, p.sick.employer, p.sick.after],
            ]
            for p in m.people
        ],
    }


def _from_data(
    unit_id: int,
    month_: datetime.date,
    data: dict,
    names: dict[int, str],
    other: Decimal,
    budget: Budget | None,
) -> Month:
    people = [
        PersonCost(
            employee_id,
            names.get(employee_id, ""),
            monthly,
            rules.MonthTime({band: _dec(v) for band, v in by_band.items()}, *(_dec(v) for v in extra)),
            rules.WageCost(*(_dec(v) for v in cost)),
            rules.SickDays(*sick),
        )
        for employee_id, monthly, by_band, extra, cost, sick in data["people"]
    ]
    return Month(
        unit_id,
        month_,
        data["source"],
        [Line(c, code, payer, band, _dec(m), _dec(rate)) for c, code, payer, band, m, rate in data["lines"]],
        people,
        other,
        budget.revenue if budget else None,
        budget.cost if budget else None,
        data["unattested"],
        _dec(data["outside"]),
        _dec(data["beyond"]),
    )


def stored_months(unit_id: int, wanted: list[datetime.date]) -> dict[datetime.date, Month]:
    """The months of `wanted` whose figures were stored at the close that still holds (the month locked at the
    stored version), with their budget and other costs read live; in four queries whatever the number."""
    if not wanted:
        return {}
    locked = dict(
        MonthClose.objects.filter(unit_id=unit_id, month__in=wanted, status=MonthClose.Status.LOCKED).values_list(
            "month", "version"
        )
    )
    rows = [
        (m, data)
        for m, version, data in StoredMonth.objects.filter(unit_id=unit_id, month__in=list(locked)).values_list(
            "month", "close_version", "data"
        )
        if locked.get(m) == version
    ]
    if not rows:
        return {}
    found = [m for m, _data in rows]
    other: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    for m, amount in OtherCost.objects.filter(unit_id=unit_id, month__in=found).values_list("month", "amount"):
        other[m] += amount
    budgets = {b.month: b for b in Budget.objects.filter(unit_id=unit_id, month__in=found)}
    employee_ids = {person[0] for _m, data in rows for person in data["people"]}
    names = {e.pk: e.full_name for e in Employee.objects.filter(pk__in=employee_ids).only("first_name", "last_name")}
    return {m: _from_data(unit_id, m, data, names, other[m], budgets.get(m)) for m, data in rows}


def store_month(
    unit_id: int, month_: datetime.date, *, version: int, cache: dict | None = None, time: Time | None = None
) -> StoredMonth:
    """Compute the unit's month and store it for the close at `version` (replacing what was stored before)."""
    month_ = time_rules.first_of_month(month_)
    data = month_data(month(unit_id, month_, cache, time))
    stored, _created = StoredMonth.objects.update_or_create(
        unit_id=unit_id,
        month=month_,
        defaults={"close_version": version, "data": data, "stored_at": clock.now()},
    )
    return stored


def store_closed_months(unit_id: int, *, only_missing: bool = True) -> int:
    """Store the figures of each locked month of the unit (those without valid stored figures, or all): for
    databases whose months were closed before figures were stored. The months' time is read in one go."""
    locked = dict(
        MonthClose.objects.filter(unit_id=unit_id, status=MonthClose.Status.LOCKED).values_list("month", "version")
    )
    if only_missing:
        valid = {
            m
            for m, version in StoredMonth.objects.filter(unit_id=unit_id).values_list("month", "close_version")
            if locked.get(m) == version
        }
        locked = {m: v for m, v in locked.items() if m not in valid}
    cache: dict = {}
    months_ = sorted(locked)
    for start in range(0, len(months_), 12):  # a year's time at a time: memory stays small
        chunk = months_[start : start + 12]
        times = times_of(unit_id, chunk, lead_days=LEAD_DAYS)
        for m in chunk:
            store_month(unit_id, m, version=locked[m], cache=cache, time=times[m])
    return len(months_)


def on_month_lock(unit: Any, month_: datetime.date, close: MonthClose) -> None:
    """timereports' month close, once the month is locked: store its figures for the close's version."""
    store_month(unit.pk, month_, version=close.version)


def budgets(unit_id: int, year: int) -> dict[datetime.date, Budget]:
    return {b.month: b for b in Budget.objects.filter(unit_id=unit_id, month__year=year)}


# --- A set of shifts: what it costs and earns (the roster optimiser's proposal, the months ahead) ----------


@dataclass(frozen=True)
class ShiftsEconomy:
    hours: Decimal
    revenue: Decimal
    cost: Decimal

    @property
    def result(self) -> Decimal:
        return self.revenue - self.cost


def shifts_economy(
    unit_id: int,
    shifts: list[tuple[int | None, int, str, datetime.datetime, datetime.datetime, bool]],
    cache: dict | None = None,
) -> ShiftsEconomy:
    """Cost and revenue of a set of shifts (employee id or None, client id, kind, start, end, overtime) by the
    economy's rules: revenue as a month's (`revenue_lines`: orders, bands, the municipality's first hours of
    each week, FK's amount); cost per person at their hourly pay (a monthly salary / `rules.MONTH_HOURS`) with
    OB, overtime, jour/beredskap and PO-pålägg (`rules.wage_cost`). An unstaffed shift costs at the unit's
    average hourly pay. One function for the optimiser's proposal and the forecast's roster ahead."""
    pieces = [Piece(e or 0, c, k, s, t, 0, bool(o), attested=False) for e, c, k, s, t, o in shifts]
    if not pieces:
        return ShiftsEconomy(ZERO, ZERO, ZERO)
    time = Time(pieces, ROSTER)
    months = sorted({time_rules.month_of(p.starts_at) for p in pieces})
    revenue = ZERO
    cost = ZERO
    hours = sum((Decimal(p.minutes) for p in pieces), ZERO) / rules.SIXTY
    for month_ in months:
        ref = reference(month_, cache)
        lines, _outside, _beyond = revenue_lines(unit_id, month_, time, ref)
        revenue += sum((line.amount for line in lines), ZERO)
        per_person: dict[int, rules.MonthTime] = defaultdict(rules.MonthTime)
        for piece in pieces:
            if time_rules.month_of(piece.starts_at) != month_:
                continue
            split = ref.split(piece.starts_at, piece.ends_at)
            mt = per_person[piece.employee_id]
            if piece.kind in time_rules.PASSIVE_KINDS:
                passive = sum(split.values(), ZERO)
                if piece.kind == "on_call":
                    mt.on_call += passive
                else:
                    mt.standby += passive
                continue
            rules.add_minutes(mt.by_band, split)
            if piece.is_overtime:
                mt.overtime += sum(split.values(), ZERO)
        # The listed people's terms and the unit's (for an unstaffed shift: the unit's average hourly pay).
        hourly = {
            e: rules.Pay(t.pay_type == PayType.MONTHLY, t.monthly_salary or t.hourly_pay or ZERO).hourly
            for e, t in _terms({e for e in per_person if e}, unit_id, month_).items()
        }
        average = sum(hourly.values(), ZERO) / len(hourly) if hourly else ZERO
        for employee_id, mt in per_person.items():
            pay = rules.Pay(monthly=False, amount=hourly.get(employee_id, average))
            cost += rules.wage_cost(pay, mt, ref.supplements, ref.po_percent).total
    return ShiftsEconomy(rules.money(hours), rules.money(revenue), rules.money(cost))


# --- The months ahead: what is known of them ----------------------------------------------------------------


@dataclass(frozen=True)
class Ahead:
    """A month not yet ended, from what is known of it: the hours the orders in force grant (decisions ending,
    new orders starting) and their revenue; the hours of the published roster when there is one for the month,
    else the granted hours; the cost of those hours at the months done's cost per worked hour."""

    month: datetime.date
    granted_hours: Decimal
    revenue: Decimal
    hours: Decimal
    from_roster: bool
    cost: Decimal

    @property
    def outcome(self) -> Decimal:
        return self.revenue - self.cost


def granted_revenue(unit_id: int, month_: datetime.date, cache: dict | None = None) -> tuple[Decimal, Decimal]:
    """(hours, kronor) the unit's orders in force in the month grant: each client's granted hours at the day
    rate of the order's service, personal assistance's first hours a week at the municipality's rate and the
    rest at FK's amount (the client's raised amount if granted)."""
    month_ = time_rules.first_of_month(month_)
    first, last = month_, time_rules.last_of_month(month_)
    client_ids = set(
        Order.objects.filter(unit_id=unit_id, period_start__lte=last)
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=first))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .values_list("client_id", flat=True)
    )
    if not client_ids:
        return ZERO, ZERO
    granted = loaders.granted_hours(client_ids, Period(first, last), unit_id=unit_id)
    orders = _orders(unit_id, client_ids, month_)
    ref = reference(month_, cache)
    weeks = Decimal((last - first).days + 1) / 7
    municipal_per_month = Decimal(str(ref.first_minutes_per_week)) / rules.SIXTY * weeks
    total_hours = revenue = ZERO
    for client_id, value in granted.items():
        if not value:
            continue
        hours = Decimal(str(value))
        code = _service(orders.get(client_id, []), first) or _service(orders.get(client_id, []), last)
        total_hours += hours
        if code == rules.ASSISTANCE:
            municipal = min(hours, municipal_per_month)
            day_rate = ref.rates.get(code, {}).get(rules.DAY, ZERO)
            revenue += municipal * day_rate + (hours - municipal) * ref.raised.get(client_id, ref.fk_amount)
        else:
            revenue += hours * ref.rates.get(code or "", {}).get(rules.DAY, ZERO)
    return rules.money(total_hours), rules.money(revenue)


def ahead(unit_id: int, month_: datetime.date, cost_per_hour: Decimal, cache: dict | None = None) -> Ahead:
    """What is known of a month ahead (see `Ahead`)."""
    month_ = time_rules.first_of_month(month_)
    granted, revenue = granted_revenue(unit_id, month_, cache)
    start, end = time_rules.month_window(month_)
    minutes = sum(
        (
            time_rules.elapsed_minutes(s, t)
            for s, t in Shift.objects.filter(
                # The running month's days already worked count too (a worked shift is no longer "published").
                unit_id=unit_id,
                status__in=(Shift.Status.PUBLISHED, Shift.Status.WORKED),
                starts_at__gte=start,
                starts_at__lt=end,
            ).values_list("starts_at", "ends_at")
        ),
        0,
    )
    from_roster = minutes > 0
    hours = rules.hours(minutes) if from_roster else granted
    return Ahead(month_, granted, revenue, rules.money(hours), from_roster, rules.money(hours * cost_per_hour))
