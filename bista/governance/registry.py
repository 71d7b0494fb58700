"""The computed indicators: one function per indicator over the records, all in this one registry.

Each function takes a `Source` (the day the figures are computed on, and a cache shared by the indicators
of one computation), a unit and a period, and returns an `Outcome`: the value, the split by the clients'
recorded gender where people are counted ("K" women, "M" men; anyone else only in the total), the
numerator and denominator, and the records behind the figure for the drill-down (`record_kind` and
`record_ids`; `unmet_ids` are those that did not meet the requirement).

An `IndicatorDefinition` (reference data) with source "computed" names its function by `computed_key`.
Access is not checked here: the selectors that call the registry check governance.view in the unit, and
the drill-down shows only the records the reader may see.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bista.care import indicators as care_indicators
from bista.care.selfchecks import Check, SelfCheck, self_checks
from bista.economy import indicators as economy
from bista.governance import rules
from bista.governance.rules import COUNT, SHARE, PeriodRange
from bista.quality import indicators as quality
from bista.rostering.indicators import Code as StaffCode
from bista.surveys import indicators as surveys

WOMEN, MEN = "K", "M"


@dataclass(frozen=True)
class Outcome:
    value: Decimal | None
    women: Decimal | None = None
    men: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    record_kind: str = ""  # client, delivery, deviation, lex_sarah, feedback, employee
    record_ids: tuple[int, ...] = ()
    unmet_ids: frozenset[int] = frozenset()
    note: str = ""


@dataclass
class Source:
    """What one computation shares: the day it runs on, and results several indicators read (the care
    self-checks are computed once per unit and period for all six indicators built on them)."""

    today: datetime.date
    cache: dict[Any, Any] = field(default_factory=dict)

    def self_checks(self, unit_id: int, rng: PeriodRange) -> dict[str, SelfCheck]:
        key = ("self_checks", unit_id, rng.start, rng.end)
        if key not in self.cache:
            end = min(rng.end, self.today)
            if end < rng.start:
                self.cache[key] = {}
            else:
                checks = self_checks(None, unit_id=unit_id, start=rng.start, end=end, today=self.today)
                self.cache[key] = {check.code: check for check in checks}
        return self.cache[key]  # type: ignore[no-any-return]


Compute = Callable[[Source, int, PeriodRange], Outcome]


@dataclass(frozen=True)
class Computed:
    key: str
    kind: str  # rules.SHARE or rules.COUNT (decides the forecast)
    description: str
    compute: Compute


REGISTRY: dict[str, Computed] = {}


def register(key: str, kind: str, description: str) -> Callable[[Compute], Compute]:
    def add(fn: Compute) -> Compute:
        if key in REGISTRY:
            raise ValueError(f"indicator {key!r} is already registered")
        REGISTRY[key] = Computed(key=key, kind=kind, description=description, compute=fn)
        return fn

    return add


def compute(key: str, source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
    """The outcome of indicator `key`; KeyError for a key no function is registered under."""
    return REGISTRY[key].compute(source, unit_id, rng)


# --- From the care self-checks -------------------------------------------------------------------------


def _from_self_check(code: str) -> Compute:
    def run(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
        check = source.self_checks(unit_id, rng).get(code)
        if check is None:
            return Outcome(value=None, note="Perioden har inte börjat.")
        women_met, women_total = check.by_gender["K"]
        men_met, men_total = check.by_gender["M"]
        return Outcome(
            value=rules.ratio(check.numerator, check.denominator, percent=True),
            women=rules.ratio(women_met, women_total, percent=True),
            men=rules.ratio(men_met, men_total, percent=True),
            numerator=Decimal(check.numerator),
            denominator=Decimal(check.denominator),
            record_kind="client",
            record_ids=tuple(sorted(check.client_ids)),
            unmet_ids=frozenset(check.unmet_client_ids),
        )

    return run


_SELF_CHECK_TEXT = {
    "care.plan_current": (
        Check.PLAN_CURRENT,
        "Andel av brukarna med en verkställd, pågående beställning vid periodens slut som har en undertecknad "
        "genomförandeplan för varje sådan beställning (egenkontrollen i Bistå).",
    ),
    "care.plan_reviewed": (
        Check.PLAN_REVIEWED,
        "Andel av de gällande genomförandeplanerna vid periodens slut vars uppföljning inte är försenad "
        "enligt tidsfristen för uppföljning (räknas per brukare och plan).",
    ),
    "care.first_contact": (
        Check.FIRST_CONTACT,
        "Andel av beställningarna mottagna under perioden där första kontakten togs inom tidsfristen "
        "(två veckor). Beställningar som ännu är inom sin frist räknas inte.",
    ),
    "care.execution": (
        Check.EXECUTION,
        "Andel av beställningarna mottagna under perioden som verkställdes inom tidsfristen från beslutsdagen "
        "(tre månader). Beställningar som ännu är inom sin frist räknas inte.",
    ),
    "care.risk_assessment": (
        Check.RISK_ASSESSMENT,
        "Andel av de aktiva brukarna vid periodens slut vars risk- och konsekvensanalys är genomgången inom "
        "tidsfristen.",
    ),
    "care.crisis_binder": (
        Check.CRISIS_BINDER,
        "Andel av de aktiva brukarna vid periodens slut vars krispärm och kontinuitetsplan är genomgången inom "
        "tidsfristen.",
    ),
}
for _key, (_code, _text) in _SELF_CHECK_TEXT.items():
    register(_key, SHARE, _text)(_from_self_check(_code))


@register(
    "care.deliveries_per_client",
    COUNT,
    "Antal leveranser av arbetsskyddsmaterial under perioden delat med antalet brukare som fick någon sådan "
    "leverans (per kön: leveranserna till kvinnor respektive män delat med antalet kvinnor respektive män).",
)
def deliveries_per_client(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
    rows = care_indicators.protective_deliveries(unit_id=unit_id, first=rng.start, last=rng.end)
    per_client: Counter[int] = Counter(client_id for _, client_id, _ in rows)
    gender_of = {client_id: gender for _, client_id, gender in rows}

    def per(gender: str | None) -> Decimal | None:
        clients = [c for c in per_client if gender is None or gender_of[c] == gender]
        return rules.ratio(sum(per_client[c] for c in clients), len(clients), percent=False)

    return Outcome(
        value=per(None),
        women=per(WOMEN),
        men=per(MEN),
        numerator=Decimal(len(rows)),
        denominator=Decimal(len(per_client)),
        record_kind="delivery",
        record_ids=tuple(sorted(pk for pk, _, _ in rows)),
    )


# --- From the quality system ------------------------------------------------------------------------


def _count(kind: str, ids: list[int]) -> Outcome:
    return Outcome(value=Decimal(len(ids)), numerator=Decimal(len(ids)), record_kind=kind, record_ids=tuple(ids))


@register(
    "quality.deviations",
    COUNT,
    "Antal avvikelser rapporterade under perioden (räknas på rapporteringsdagen, svensk tid).",
)
def deviations(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
    return _count("deviation", quality.deviation_ids(unit_id=unit_id, first=rng.start, last=rng.end))


@register(
    "quality.lex_sarah",
    COUNT,
    "Antal lex Sarah-rapporter som kom in under perioden (räknas på rapporteringsdagen, svensk tid).",
)
def lex_sarah(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
    return _count("lex_sarah", quality.lex_sarah_ids(unit_id=unit_id, first=rng.start, last=rng.end))


def _feedback(kind: str) -> Compute:
    def run(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
        return _count("feedback", quality.feedback_ids(unit_id=unit_id, kind=kind, first=rng.start, last=rng.end))

    return run


for _key, _kind, _label in quality.FEEDBACK_KINDS:
    register(_key, COUNT, f"Antal {_label} som kom in under perioden (räknas på mottagningsdagen).")(_feedback(_kind))


# --- From the rostering context (working time) ----------------------------------------------------------


def staff_periods(rng: PeriodRange) -> list[Any]:
    """The rostering context's periods that make up one of ours: T1 is its tertial 1, T2 its tertials 1 and 2
    (ours is cumulative), the VB its whole year."""
    from bista.rostering.indicators import ReportPeriod

    if rng.period == "VB":
        return [ReportPeriod.whole_year(rng.year)]
    return [ReportPeriod.tertial(rng.year, number) for number in range(1, 2 if rng.period == "T1" else 3)]


def _staff_figures(source: Source, unit_id: int, rng: PeriodRange, code: str) -> list[Any]:
    """The rostering figures that make up our period, from its year overview (every figure of a year in three
    queries), computed once per unit and year for all five staff indicators."""
    from bista.rostering import indicators

    key = ("staff_year", unit_id, rng.year)
    if key not in source.cache:
        source.cache[key] = indicators.year_overview([unit_id], rng.year)
    overview = source.cache[key]
    return [overview.figure(code, period) for period in staff_periods(rng)]


def _from_staff(code: str, percent: bool) -> Compute:
    """Sum the rostering figures' numerators and denominators over the periods, per gender, and divide."""

    def run(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
        figures = _staff_figures(source, unit_id, rng, code)

        def combined(gender: str | None) -> tuple[Decimal, Decimal | None]:
            parts = [figure if gender is None else figure.by_gender[gender] for figure in figures]
            numerator = sum((Decimal(str(part.numerator)) for part in parts), Decimal(0))
            denominators = [part.denominator for part in parts]
            if any(d is None for d in denominators):
                return numerator, None
            return numerator, sum((Decimal(str(d)) for d in denominators if d is not None), Decimal(0))

        def value(gender: str | None) -> Decimal | None:
            numerator, denominator = combined(gender)
            if denominator is None:
                return numerator  # a sum (overtime hours)
            return rules.ratio(numerator, denominator, percent=percent)

        numerator, denominator = combined(None)
        return Outcome(
            value=value(None),
            women=value(WOMEN),
            men=value(MEN),
            numerator=numerator,
            denominator=denominator,
            record_kind=f"staff:{code}",
        )

    return run


for _key, _code, _figure, _percent, _text in (
    (
        "staff.sick_leave",
        StaffCode.SICK_LEAVE,
        SHARE,
        True,
        "Sjuktimmar delat med schemalagda ordinarie timmar (pass i schemat, ej övertid), per medarbetarnas kön.",
    ),
    (
        "staff.sick_leave_days_1_14",
        StaffCode.SICK_LEAVE_DAYS_1_14,
        SHARE,
        True,
        "Sjuktimmar under dag 1–14 av varje sjukperiod delat med schemalagda ordinarie timmar.",
    ),
    (
        "staff.hourly_paid_share",
        StaffCode.HOURLY_PAID_SHARE,
        SHARE,
        True,
        "Arbetade timmar av timavlönad personal delat med samtliga arbetade timmar.",
    ),
    (
        "staff.overtime_hours",
        StaffCode.OVERTIME_HOURS,
        COUNT,
        False,
        "Arbetade timmar på övertidspass under perioden.",
    ),
    (
        "staff.continuity",
        StaffCode.STAFF_CONTINUITY,
        SHARE,
        False,
        "Genomsnittligt antal olika medarbetare som arbetat hos varje brukare per månad (per brukarnas kön).",
    ),
):
    register(_key, _figure, _text)(_from_staff(_code, _percent))


# --- From the client survey (aggregates only; the drill-down lists the surveys, never a person) --------------


def _from_survey(question_code: str) -> Compute:
    def run(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
        f = surveys.figure(question_code, unit_id, rng.year, rng.end)
        numerator, denominator = (Decimal(f.positive), Decimal(f.answers)) if f.answers else (None, None)
        return Outcome(f.value, f.women, f.men, numerator, denominator, "survey", f.survey_ids)

    return run


for _key, _question, _text in surveys.INDICATORS:
    register(_key, SHARE, _text + surveys.DESCRIPTION_SUFFIX)(_from_survey(_question))


# --- The economy's indicators (bista.economy.indicators publishes them; plain figures wrapped here) ----------


def _from_economy(fn: economy.Compute) -> Compute:
    def run(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
        figure = fn(source.cache, unit_id, rng.start, rng.end, source.today)
        return Outcome(figure.value, numerator=figure.numerator, denominator=figure.denominator)

    return run


for _economy_key, _economy_kind, _economy_text, _economy_fn in economy.INDICATORS:
    register(_economy_key, _economy_kind, _economy_text)(_from_economy(_economy_fn))


# --- From timereports: FK reports sent on time (the clients behind it in the drill-down) ---------------------

from bista.timereports import indicators as timereports_indicators  # noqa: E402


@register("timereports.fk_reports_on_time", SHARE, timereports_indicators.DESCRIPTION)
def fk_reports_on_time(source: Source, unit_id: int, rng: PeriodRange) -> Outcome:
    figure = timereports_indicators.fk_reports_on_time(unit_id, rng.start, rng.end, source.today)
    return Outcome(
        value=rules.ratio(figure.on_time, figure.total, percent=True),
        numerator=Decimal(figure.on_time),
        denominator=Decimal(figure.total),
        record_kind="client",
        record_ids=tuple(sorted(figure.client_ids)),
        unmet_ids=figure.late_client_ids,
    )


# --- From the purchaser's casework ----------------------------------------------------------------------

from bista.casework import indicators as casework  # noqa: E402 (the purchaser's block, self-contained)


def _from_casework(fn: Any) -> Compute:
    return lambda source, unit_id, rng: Outcome(**vars(fn(unit_id, rng.start, rng.end, source.today)))


for _ckey, _ckind, _ctext, *_seed, _fn in casework.INDICATORS:
    register(_ckey, _ckind, _ctext)(_from_casework(_fn))
