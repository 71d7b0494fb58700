"""Pure rules of the purchaser chain: age on the decision date, the appeal period, the delegation check, the
follow-up and reassessment dates, the first-contact duty and what makes a decision well formed.

Nothing here reads the clock or the database: callers pass dates, rule amounts (core.DutyRule) and the
delegation order (casework.DelegationRule) as plain facts.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import holidays

from bista.core.deadlines import PeriodUnit, add_months, add_period

ADULT_AGE = 18
FAVOURABLE = ("granted", "partly")
REFUSED = "refused"


# --- Age ------------------------------------------------------------------------------------------


def birthday_in(birth: datetime.date, year: int) -> datetime.date:
    """The day someone born on `birth` becomes a year older in `year`. Born on 29 February: 1 March in a
    common year (the Swedish reading of a leap-day birthday; verify against the authority's practice)."""
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return datetime.date(year, 3, 1)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    """Completed years on `day` (negative is impossible: a day before birth counts as age 0)."""
    if day < birth:
        return 0
    years = day.year - birth.year
    return years if day >= birthday_in(birth, day.year) else years - 1


def is_child_on(birth: datetime.date, day: datetime.date) -> bool:
    """A child (under 18) on `day`: the child's perspective is due in the investigation."""
    return age_on(birth, day) < ADULT_AGE


def birth_date(personnummer_digits: str) -> datetime.date:
    """The birth date of a stored 12-digit number; a samordningsnummer's day has 60 added."""
    day = int(personnummer_digits[6:8])
    return datetime.date(int(personnummer_digits[0:4]), int(personnummer_digits[4:6]), day - 60 if day > 60 else day)


# --- The appeal period ------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def closed_days(year: int) -> frozenset[datetime.date]:
    """Public holidays and the days treated as such (midsommarafton, julafton, nyårsafton) in `year`."""
    calendar = holidays.Sweden(years=year, categories=("public", "de_facto"))  # type: ignore[attr-defined]
    return frozenset(calendar.keys())


def is_closed(day: datetime.date, extra: Collection[datetime.date] = ()) -> bool:
    return day.weekday() >= 5 or day in closed_days(day.year) or day in extra


def appeal_deadline(received_on: datetime.date, amount: int = 3, unit: str = PeriodUnit.WEEKS) -> datetime.date:
    """The last day to appeal: `amount` (three weeks, FL 44 §) from the day the person received the decision;
    if it falls on a Saturday, Sunday or public holiday, the next working day (lag 1930:173, 2 §)."""
    last = add_period(received_on, amount, unit)
    while is_closed(last):
        last += datetime.timedelta(days=1)
    return last


def appeal_is_timely(received_on: datetime.date | None, appealed_on: datetime.date, amount: int = 3) -> bool:
    """Whether an appeal arrived in time. Without a receipt date the period has not begun: in time."""
    return received_on is None or appealed_on <= appeal_deadline(received_on, amount)


# --- Delegation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delegation:
    """One row of the delegation order as a plain fact (blank act/service/outcome: any)."""

    role: str
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    act: str = ""
    service: str = ""
    outcome: str = ""

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def covers(self, *, act: str, service: str, outcome: str) -> bool:
        return (
            (not self.act or self.act == act)
            and (not self.service or self.service == service)
            and (not self.outcome or self.outcome == outcome)
        )


def may_decide(
    delegations: Iterable[Delegation],
    *,
    roles: Collection[str],
    act: str,
    service: str,
    outcome: str,
    on: datetime.date,
) -> bool:
    """Whether someone holding `roles` on the decision date may make this decision under the order in force."""
    return any(
        rule.role in roles and rule.in_force(on) and rule.covers(act=act, service=service, outcome=outcome)
        for rule in delegations
    )


# --- Follow-up, reassessment and first contact ------------------------------------------------------


def follow_up_due(last: datetime.date, months: int = 12) -> datetime.date:
    """A decision is followed up at least every `months` from its decision date or the last follow-up."""
    return add_months(last, months)


def expiring_soon(
    period_end: datetime.date | None, today: datetime.date, *, window_days: int = 60, reinvestigated: bool = False
) -> bool:
    """A time-limited decision ending within `window_days` (or already ended) with no new investigation."""
    if period_end is None or reinvestigated:
        return False
    return (period_end - today).days <= window_days


def first_contact_due(received_on: datetime.date, days: int = 7) -> datetime.date:
    """The first contact with the person is due "skyndsamt": `days` after the intake arrived."""
    return received_on + datetime.timedelta(days=days)


# --- A well-formed decision -------------------------------------------------------------------------


def decision_errors(
    *,
    outcome: str,
    decision_date: datetime.date,
    applied_on: datetime.date,
    scope_amount: Decimal | None,
    scope_unit: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    superseded_date: datetime.date | None = None,
) -> dict[str, str]:
    """Field → Swedish message for every way a decision does not hold together (empty when it does)."""
    errors: dict[str, str] = {}
    if decision_date < applied_on:
        errors["decision_date"] = f"Beslutet kan inte fattas före ansökan/anmälan ({applied_on:%Y-%m-%d})."
    if superseded_date is not None and decision_date < superseded_date:
        errors["decision_date"] = (
            f"Ett nytt beslut kan inte dateras före det det ersätter ({superseded_date:%Y-%m-%d})."
        )
    if outcome in FAVOURABLE:
        if scope_amount is None or scope_amount <= 0:
            errors["scope_amount"] = "Omfattningen måste vara större än noll."
        if not scope_unit:
            errors["scope_unit"] = "Ange vad omfattningen avser."
        if period_start is None:
            errors["period_start"] = "Ange från vilket datum beslutet gäller."
    elif scope_amount is not None and scope_amount <= 0:
        errors["scope_amount"] = "Omfattningen måste vara större än noll."
    if period_start is not None and period_end is not None and period_end < period_start:
        errors["period_end"] = "Periodens slut kan inte vara före dess början."
    return errors
