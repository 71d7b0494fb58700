"""Pure rules of the purchaser chain: age on the decision date, the appeal period, the delegation check, the
follow-up and reassessment dates, the first-contact duty, what makes a decision well formed and when it may be made
without kommunicering.

Nothing here reads the clock or the database: callers pass dates, rule amounts (core.DutyRule) and the
delegation order (casework.DelegationRule) as plain facts.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import holidays

from bista.core.deadlines import PeriodUnit, add_months, add_period
from bista.core.personnummer import stored_birth_date

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
    """The birth date of a stored 12-digit number (core.personnummer's rule: a samordningsnummer's day has 60
    added)."""
    return stored_birth_date(personnummer_digits)


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


# --- Kommunicering before a decision (förvaltningslagen) -------------------------------------------------


@dataclass(frozen=True)
class CommunicationExemption:
    """A case where the law lets a decision be made without the person first having seen and answered the
    investigation (kommunicering). `outcomes`: the outcomes it covers (empty: any); `by_court`: it covers only
    a decision that records a court's change, which the court, not the committee, decided."""

    code: str
    reference: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    outcomes: frozenset[str] = frozenset()
    by_court: bool = False

    def applies(self, *, outcome: str, on: datetime.date, by_court: bool) -> bool:
        if on < self.valid_from or (self.valid_to is not None and on >= self.valid_to):
            return False
        if self.by_court and not by_court:
            return False
        return not self.outcomes or outcome in self.outcomes


# Only a full bifall "does not go against" the person; a delvis bifall refuses part of what was applied for, so
# it is communicated like an avslag. FL 25 § andra stycket 2–3 (urgency, a decision that could be thwarted) are
# judgments in the single case, not rules Bistå can apply: such a decision is not made through Bistå's form.
COMMUNICATION_EXEMPTIONS: tuple[CommunicationExemption, ...] = (
    CommunicationExemption(
        code="not_adverse",
        reference="förvaltningslagen (1986:223) 17 § första stycket 1: avgörandet går inte parten emot",
        valid_from=datetime.date(1987, 1, 1),
        valid_to=datetime.date(2018, 7, 1),
        outcomes=frozenset({"granted"}),
    ),
    CommunicationExemption(
        code="not_adverse",
        reference="förvaltningslagen (2017:900) 25 § andra stycket 1: beslutet går inte parten emot",
        valid_from=datetime.date(2018, 7, 1),
        valid_to=None,
        outcomes=frozenset({"granted"}),
    ),
    CommunicationExemption(
        code="court",
        reference="domstolens dom: nämnden verkställer domen och kommunicerar inte domstolens avgörande",
        valid_from=datetime.date(1987, 1, 1),
        valid_to=None,
        by_court=True,
    ),
)


def communication_exemption(
    *,
    outcome: str,
    on: datetime.date,
    by_court: bool = False,
    exemptions: Iterable[CommunicationExemption] = COMMUNICATION_EXEMPTIONS,
) -> CommunicationExemption | None:
    """The exemption from kommunicering that covers a decision with `outcome` on `on`, if any."""
    return next((e for e in exemptions if e.applies(outcome=outcome, on=on, by_court=by_court)), None)


NOT_COMMUNICATED = "not_communicated"
COMMUNICATED_AFTER = "communicated_after_decision"


def communication_errors(
    *,
    outcome: str,
    decision_date: datetime.date,
    has_investigation: bool,
    communicated_on: datetime.date | None,
    by_court: bool = False,
    exemptions: Iterable[CommunicationExemption] = COMMUNICATION_EXEMPTIONS,
) -> dict[str, tuple[str, str]]:
    """Field → (machine code, Swedish message) when a decision would be made without the investigation having
    been communicated with the person on or before the decision date (empty when it may be made)."""
    if communication_exemption(outcome=outcome, on=decision_date, by_court=by_court, exemptions=exemptions):
        return {}
    if not has_investigation:
        return {
            "investigation": (
                NOT_COMMUNICATED,
                "Ett beslut som helt eller delvis går den enskilde emot kräver en utredning som har kommunicerats "
                "med den enskilde (förvaltningslagen 25 §).",
            )
        }
    if communicated_on is None:
        return {
            "investigation": (
                NOT_COMMUNICATED,
                "Utredningen har inte kommunicerats: fyll i Kommunicerad (datum) och den enskildes synpunkter "
                "under Kommunicering i utredningen innan beslutet fattas (förvaltningslagen 25 §).",
            )
        }
    if communicated_on > decision_date:
        return {
            "decision_date": (
                COMMUNICATED_AFTER,
                f"Utredningen kommunicerades {communicated_on:%Y-%m-%d}, efter beslutsdatum: beslutet kan "
                "fattas tidigast den dag utredningen kommunicerades.",
            )
        }
    return {}


# --- Ej verkställda beslut (LSS 28 f–h §, SoL 16 kap. 6 f–h §) ------------------------------------------

UNEXECUTED_MONTHS = 3  # statutory: "inom tre månader från dagen för beslutet" (verify against IVO's guidance)
MAN = "M"


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter: IVO's reporting periods end on 31 March, 30 June, 30 September and 31 December."""

    year: int
    number: int

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        """ "2026-3", "2026K3" or "2026 kv 3" → the quarter; anything else (or an absurd year) → None."""
        match = re.fullmatch(r"\s*(\d{4})\s*(?:-|[kKqQ]|kv\.?|kvartal)?\s*([1-4])\s*", str(text)[:40])
        if match is None:
            return None
        year = int(match.group(1))
        return cls(year, int(match.group(2))) if 1900 <= year <= 9998 else None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        return add_months(self.start, 3) - datetime.timedelta(days=1)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.number}"

    @property
    def label(self) -> str:
        return f"kvartal {self.number} {self.year}"

    def previous(self) -> Quarter:
        return Quarter(self.year, self.number - 1) if self.number > 1 else Quarter(self.year - 1, 4)

    def next(self) -> Quarter:
        return Quarter(self.year, self.number + 1) if self.number < 4 else Quarter(self.year + 1, 1)


def quarter_is_reportable(quarter: Quarter, today: datetime.date) -> bool:
    """A quarter can be reported once it has begun; a quarter in the future is refused."""
    return quarter.start <= today


@dataclass(frozen=True)
class Interruption:
    """An executed service interrupted on `start`, resumed on `resumed` (None: not yet), or never resumed because
    the order ended on `ended_on` while interrupted (its final report says ended, not resumed)."""

    start: datetime.date
    resumed: datetime.date | None = None
    ended_on: datetime.date | None = None


@dataclass(frozen=True)
class Execution:
    """What happened to a favourable decision, as plain facts: the first day it was executed (by the provider
    in Bistå or an external one), the day it ended (ended, expired or superseded) and its interruptions."""

    decision_date: datetime.date
    executed_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    interruptions: tuple[Interruption, ...] = ()


@dataclass(frozen=True)
class Reportable:
    """One individual report for a quarter: a decision not executed (`since` = the decision date) or an
    interruption not resumed (`since` = the day of the interruption) within three months. `final_on` is set
    when it was executed, resumed or ended within the quarter: the final report, with that date."""

    kind: str  # "not_executed" or "interrupted"
    since: datetime.date
    reportable_from: datetime.date
    final_on: datetime.date | None = None
    final_kind: str = ""  # "executed", "resumed" or "ended"


NOT_EXECUTED = "not_executed"
INTERRUPTED = "interrupted"


def reportable_from(since: datetime.date, months: int = UNEXECUTED_MONTHS) -> datetime.date:
    """The first day a decision (or an interruption) counts as not executed: the day after three months."""
    return add_months(since, months) + datetime.timedelta(days=1)


def _first(*days: datetime.date | None) -> tuple[datetime.date | None, int]:
    present = [(day, index) for index, day in enumerate(days) if day is not None]
    return min(present) if present else (None, -1)


def _report(
    kind: str,
    since: datetime.date,
    closed_on: datetime.date | None,
    closed_kind: str,
    ended_on: datetime.date | None,
    quarter: Quarter,
    months: int,
    upto: datetime.date,
) -> Reportable | None:
    start = reportable_from(since, months)
    closing, which = _first(closed_on, ended_on)
    if closing is not None and closing < start:
        return None  # executed (resumed) or ended within three months: nothing to report
    if start > upto or (closing is not None and closing < quarter.start):
        return None  # not yet reportable, or its final report was made in an earlier quarter
    final = closing if closing is not None and closing <= upto else None
    return Reportable(kind, since, start, final, ("ended" if which == 1 else closed_kind) if final else "")


def reportable_in(
    execution: Execution, quarter: Quarter, months: int = UNEXECUTED_MONTHS, today: datetime.date | None = None
) -> list[Reportable]:
    """The individual reports a favourable decision makes in `quarter`: not executed within `months` of the
    decision date, and each interruption not resumed within `months`, reported every quarter until executed
    (resumed) or ended — in the quarter that happens, a final report with the date. For the quarter still
    running, as of `today`: only what is already overdue, and only what has happened by then."""
    upto = quarter.end if today is None else min(quarter.end, today)
    reports = []
    first = _report(
        NOT_EXECUTED,
        execution.decision_date,
        execution.executed_on,
        "executed",
        execution.ended_on,
        quarter,
        months,
        upto,
    )
    if first is not None:
        reports.append(first)
    for interruption in execution.interruptions:
        ended, _which = _first(execution.ended_on, interruption.ended_on)
        report = _report(INTERRUPTED, interruption.start, interruption.resumed, "resumed", ended, quarter, months, upto)
        if report is not None:
            reports.append(report)
    return reports


def ivo_pseudonym(birth: datetime.date, gender: str, serial: int) -> str:
    """The individual's code in IVO's report, `YYYYMMDD-T123`: the birth date, a T, and three digits of which
    the last is odd for a man and even for a woman (IVO's rule for the pseudonymised number; verify). Derived
    from the decision's own number, so the same decision has the same code every quarter."""
    number = (serial % 500) * 2 + (1 if gender == MAN else 0)
    return f"{birth:%Y%m%d}-T{number:03d}"


def median_days(values: Iterable[int]) -> float | None:
    """The median of whole days (None for none): the council's waiting time."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
