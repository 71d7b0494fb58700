"""Pure rules of the economy: revenue of worked time by time band, the wage cost of a person's month, sick-pay
days, budget deviation and the full-year forecast (personal assistance's split between the municipality's first
hours of each week and Försäkringskassan is timereports' `rules.assistance_split`). No database: the services and
selectors load the reference data (`models`) and pass it in. Money is `Decimal` kronor, rounded to öre at the
end of each sum.

Rates, supplements and sick-pay terms are reference data with validity dates (*verify* where marked there).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bista.core.format import round_half_up
from bista.timereports import rules as time_rules

ZERO = Decimal("0")
ORE = Decimal("0.01")
SIXTY = Decimal("60")
HUNDRED = Decimal("100")
DAY = "day"
# Hours of a full-time month used to turn a monthly salary into an hourly pay (*verify* against the agreement).
MONTH_HOURS = Decimal("165")
ASSISTANCE = "lss_9_2"  # personal assistance: the first hours of each week from the municipality, the rest FK


def money(value: Decimal) -> Decimal:
    """Kronor to öre, halves up (`core.format.round_half_up`, as everywhere)."""
    return round_half_up(value, 2)


def hours(minutes: Decimal | float | int) -> Decimal:
    return Decimal(str(minutes)) / SIXTY


# --- Time by band ------------------------------------------------------------------------------------------


def band_minutes(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    bands: list[time_rules.Band],
    holidays_: frozenset[datetime.date],
) -> dict[str, Decimal]:
    """Elapsed minutes of an interval per band (day, evening, night, weekend, holiday), from timereports' split
    (cut at local midnights and band edges in UTC: a daylight-saving night has its real length)."""
    if ends_at <= starts_at:
        return {}
    split = time_rules.split_by_band(starts_at, ends_at, bands, holidays_)
    return {band: Decimal(str(round(minutes, 4))) for band, minutes in split.items() if minutes > 0}


def add_minutes(total: dict[str, Decimal], more: Mapping[str, Decimal]) -> dict[str, Decimal]:
    for band, minutes in more.items():
        total[band] = total.get(band, ZERO) + minutes
    return total


def revenue(minutes_by_band: Mapping[str, Decimal], rates: Mapping[str, Decimal]) -> Decimal:
    """Kronor for minutes per band at the hourly rate of each band (a band without a rate takes the day rate;
    none at all earns nothing)."""
    total = ZERO
    for band, minutes in minutes_by_band.items():
        rate = rates.get(band, rates.get(DAY, ZERO))
        total += hours(minutes) * rate
    return money(total)


def cap_minutes(
    minutes: Mapping[tuple, Decimal], granted_minutes: Decimal | None
) -> tuple[dict[tuple, Decimal], Decimal]:
    """A client's billable minutes (per line key) within what the decisions grant for the period, and the
    minutes beyond: hours delivered past the order's scope earn nothing (the invoice is delivered hours *within
    the order* × rate). Over the grant, every line is cut by the same share, so each band and payer keeps its
    part. None: no limit in hours (a scope in occasions)."""
    total = sum(minutes.values(), ZERO)
    if granted_minutes is None:
        return dict(minutes), ZERO
    granted = max(granted_minutes, ZERO)  # a negative grant (a bad reference row) grants nothing, never less
    if total <= granted:  # also when nothing was delivered: there is nothing to cut (and no 0/0)
        return dict(minutes), ZERO
    share = granted / total
    return {key: m * share for key, m in minutes.items()}, total - granted


# --- Wage cost -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pay:
    """A person's pay in a month: monthly salary at full time × employment rate, or an hourly pay."""

    monthly: bool
    amount: Decimal  # the monthly salary at full time, or the hourly pay
    employment_rate: Decimal = HUNDRED  # per cent

    @property
    def hourly(self) -> Decimal:
        """The hourly pay (for a monthly salary: salary at full time / MONTH_HOURS)."""
        return self.amount / MONTH_HOURS if self.monthly else self.amount

    @property
    def monthly_salary(self) -> Decimal:
        return self.amount * self.employment_rate / HUNDRED if self.monthly else ZERO


@dataclass(frozen=True)
class Supplements:
    """Supplement rates in force (*verify*): OB kronor per hour by band, overtime and mertid in per cent of the
    hourly pay, jour and beredskap kronor per passive hour."""

    ob: Mapping[str, Decimal] = field(default_factory=dict)
    overtime_percent: Decimal = ZERO
    mertid_percent: Decimal = ZERO
    on_call_per_hour: Decimal = ZERO
    standby_per_hour: Decimal = ZERO


@dataclass(frozen=True)
class SickTerms:
    percent: Decimal = Decimal("80")
    karens_percent: Decimal = Decimal("20")  # of a week's sick pay (*verify*)
    employer_days: int = 14


@dataclass
class MonthTime:
    """A person's worked time in a month: worked minutes per band (active and waiting time, and the active
    time inside jour/beredskap), minutes on overtime shifts, passive jour and beredskap minutes."""

    by_band: dict[str, Decimal] = field(default_factory=dict)
    overtime: Decimal = ZERO
    on_call: Decimal = ZERO
    standby: Decimal = ZERO

    @property
    def worked(self) -> Decimal:
        return sum(self.by_band.values(), ZERO)


@dataclass(frozen=True)
class WageCost:
    base: Decimal = ZERO
    ob: Decimal = ZERO
    overtime: Decimal = ZERO
    mertid: Decimal = ZERO
    on_call: Decimal = ZERO
    sick: Decimal = ZERO  # sick pay less the salary deducted for sick days (negative: the employer saves)
    social_fees: Decimal = ZERO

    @property
    def wages(self) -> Decimal:
        return self.base + self.ob + self.overtime + self.mertid + self.on_call + self.sick

    @property
    def total(self) -> Decimal:
        return self.wages + self.social_fees


@dataclass(frozen=True)
class SickDays:
    karens: int = 0  # the first day of a period (karensavdrag)
    employer: int = 0  # days 2–14: the employer pays sick pay
    after: int = 0  # day 15 on: FK's sjukpenning, not the employer's


def sick_days(first: datetime.date, last: datetime.date, month: datetime.date, terms: SickTerms) -> SickDays:
    """The calendar days of one sick period (`first`–`last`) that fall in `month`, by who pays them: day 1
    (karensavdrag), days 2–`employer_days` (the employer's sick pay) and later days (not the employer's)."""
    month_first = time_rules.first_of_month(month)
    month_last = time_rules.last_of_month(month_first)
    start, end = max(first, month_first), min(last, month_last)
    if end < start:
        return SickDays()
    karens = employer = after = 0
    day = start
    while day <= end:
        number = (day - first).days + 1
        if number == 1:
            karens += 1
        elif number <= terms.employer_days:
            employer += 1
        else:
            after += 1
        day += datetime.timedelta(days=1)
    return SickDays(karens, employer, after)


def sick_cost(pay: Pay, days: SickDays, terms: SickTerms) -> Decimal:
    """What sickness changes in a monthly-paid person's wage: the salary of the sick days is deducted
    (daily salary = monthly × 12 / 365, *verify*), sick pay of `percent` is paid for days 1–14 and the
    karensavdrag (`karens_percent` of a week's sick pay) taken once for day 1. Hourly-paid: sick pay on the
    daily pay of their average (not known here: zero)."""
    if not pay.monthly:
        return ZERO
    daily = pay.monthly_salary * 12 / Decimal("365")
    deducted = daily * (days.karens + days.employer + days.after)
    sick_pay = daily * terms.percent / HUNDRED * (days.karens + days.employer)
    karens = daily * terms.percent / HUNDRED * 7 * terms.karens_percent / HUNDRED if days.karens else ZERO
    return money(sick_pay - min(karens, sick_pay) - deducted)


def wage_cost(
    pay: Pay,
    time: MonthTime,
    supplements: Supplements,
    po_percent: Decimal,
    sick: Decimal = ZERO,
) -> WageCost:
    """The wage cost of a person's month: base pay (monthly salary × rate, or hourly pay × worked hours), OB
    by band, overtime (or mertid for part-timers) on the hours of overtime shifts — paid hours at the hourly
    pay plus the supplement for the monthly-paid, the supplement on top for the hourly-paid — jour and
    beredskap per passive hour, the sickness adjustment, and PO-pålägg on it all."""
    worked_hours = hours(time.worked)
    base = pay.monthly_salary if pay.monthly else pay.hourly * worked_hours
    ob = sum((hours(m) * supplements.ob.get(band, ZERO) for band, m in time.by_band.items()), ZERO)
    extra_hours = hours(time.overtime)
    part_time = pay.monthly and pay.employment_rate < HUNDRED
    percent = supplements.mertid_percent if part_time else supplements.overtime_percent
    extra = extra_hours * pay.hourly * percent / HUNDRED + (extra_hours * pay.hourly if pay.monthly else ZERO)
    on_call = hours(time.on_call) * supplements.on_call_per_hour + hours(time.standby) * supplements.standby_per_hour
    parts = {
        "base": money(base),
        "ob": money(ob),
        "overtime": ZERO if part_time else money(extra),
        "mertid": money(extra) if part_time else ZERO,
        "on_call": money(on_call),
        "sick": money(sick),
    }
    wages = sum(parts.values(), ZERO)
    return WageCost(social_fees=money(wages * po_percent / HUNDRED), **parts)


# --- Budget, outcome and forecast -------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    month: datetime.date
    budget: Decimal | None  # the budgeted result (revenue − cost), None without a budget
    revenue: Decimal
    cost: Decimal

    @property
    def outcome(self) -> Decimal:
        return self.revenue - self.cost

    @property
    def deviation(self) -> Decimal | None:
        return None if self.budget is None else self.outcome - self.budget


def forecast(done: list[MonthFigures], ahead: Mapping[datetime.date, Decimal]) -> Decimal:
    """The full-year result: the outcome of the months done plus the expected outcome of each month ahead
    (`ahead`: from what is known of it — the orders in force, the published roster; see figures.ahead)."""
    return money(sum((m.outcome for m in done), ZERO) + sum(ahead.values(), ZERO))
