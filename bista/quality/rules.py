"""Pure rules of the quality system: tertials, the VB table "Redovisning av synpunkter och klagomål", the
72-hour clock of a personal data incident, and the Lex Sarah state machine. No database, no clock."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bista.core.clock import STOCKHOLM

TERTIAL_LABELS = ("Utfall T1", "Utfall T2", "Utfall VB (T3)", "Totalt ack")


def tertial_of(day: datetime.date) -> int:
    """T1 January–April, T2 May–August, T3 (the VB) September–December."""
    return 1 if day.month <= 4 else 2 if day.month <= 8 else 3


def tertial_bounds(year: int, tertial: int) -> tuple[datetime.date, datetime.date]:
    start_month = {1: 1, 2: 5, 3: 9}[tertial]
    end = (
        datetime.date(year, start_month + 4, 1) - datetime.timedelta(days=1)
        if tertial < 3
        else datetime.date(year, 12, 31)
    )
    return datetime.date(year, start_month, 1), end


def imy_deadline(discovered_at: datetime.datetime) -> datetime.datetime:
    """72 real hours after discovery (GDPR art. 33), across daylight-saving changes, shown in Stockholm time.

    Aware-datetime arithmetic in Python adds to the wall clock; going through UTC adds elapsed time.
    """
    if discovered_at.tzinfo is None:
        raise ValueError("discovered_at must be aware")
    return (discovered_at.astimezone(datetime.UTC) + datetime.timedelta(hours=72)).astimezone(STOCKHOLM)


# --- Lex Sarah ---------------------------------------------------------------------------------------

LEX_SARAH_STEPS = ("reported", "registered", "remedied", "investigated", "assessed", "notified", "closed")


def lex_sarah_next_steps(status: str, *, serious: bool | None) -> tuple[str, ...]:
    """The steps that may follow `status`. No step is skipped; IVO only after an assessment that it is
    serious, and a serious report cannot close before IVO has been notified."""
    if status == "assessed":
        return ("notified",) if serious else ("closed",)
    if status == "closed":
        return ()
    index = LEX_SARAH_STEPS.index(status)
    return (LEX_SARAH_STEPS[index + 1],)


# --- The VB table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VbRow:
    key: str
    group: str
    label: str


@dataclass(frozen=True)
class CategoryRef:
    group: str  # QualityCategory.Group value
    code: str
    name: str


# Where each feedback source is counted. A relative counts under "Annan" (verify: the city's goal system
# has no row of its own for relatives).
SOURCE_ROWS = {
    "other": ("feedback.source.other", "Annan"),
    "relative": ("feedback.source.other", "Annan"),
    "other_body": ("feedback.source.other_body", "Annan instans (t ex Patientnämnden)"),
    "anonymous": ("feedback.source.anonymous", "Anonym"),
    "client": ("feedback.source.client", "Brukare/patient"),
}

GROUP_LEX_SARAH = "Avvikelse - Lex Sarah"
GROUP_DEVIATION = "Avvikelse - SOL/LSS"
GROUP_IDENTIFIED = "Avvikelser enligt SOL/LSS - Vem har identifierat avvikelsen?"
GROUP_PRAISE = "Beröm"
GROUP_SOURCE = "Från vem har klagomål eller synpunkt inkommit?"
GROUP_INCIDENT = "Personuppgiftsincidenter"
GROUP_FEEDBACK_OTHER = "Synpunkter och klagomål - ej personalrelaterade"
GROUP_FEEDBACK_STAFF = "Synpunkter och klagomål - som gäller verksamhet och personal"
GROUP_CONCERNS = "Vem avser avvikelser - SOL/LSS"
GROUP_FOLLOW_UP = "Vilken återkoppling och vilka åtgärder har gjorts?"


def vb_layout(categories: Sequence[CategoryRef]) -> list[VbRow]:
    """The table's groups and rows in the order of the city's report (DOMAIN §4); category rows from the
    reference data, so a new category is a new row."""

    def category_rows(group_code: str, group: str) -> list[VbRow]:
        return [VbRow(f"{group_code}.{c.code}", group, c.name) for c in categories if c.group == group_code]

    sources = list(dict.fromkeys(SOURCE_ROWS.values()))
    return [
        VbRow("lex_sarah.ivo", GROUP_LEX_SARAH, "Antal anmälningar till IVO"),
        VbRow("lex_sarah.reports", GROUP_LEX_SARAH, "Antal inkomna rapporter"),
        *category_rows("deviation", GROUP_DEVIATION),
        VbRow("identified.external", GROUP_IDENTIFIED, "Extern samverkanspart"),
        VbRow("identified.staff", GROUP_IDENTIFIED, "Medarbetare (inom den egna verksamheten/enheten)"),
        VbRow("praise", GROUP_PRAISE, "Beröm"),
        *[VbRow(key, GROUP_SOURCE, label) for key, label in sorted(sources, key=lambda s: s[1])],
        VbRow("incident", GROUP_INCIDENT, "Hantering av personuppgifter"),
        *category_rows("feedback_other", GROUP_FEEDBACK_OTHER),
        *category_rows("feedback_staff", GROUP_FEEDBACK_STAFF),
        VbRow("concerns.other", GROUP_CONCERNS, "Annan verksamhet"),
        VbRow("concerns.own", GROUP_CONCERNS, "Den egna verksamheten"),
        VbRow("follow_up.answered", GROUP_FOLLOW_UP, "Antal synpunkter/klagomål där återkoppling har lämnats"),
        VbRow("follow_up.action", GROUP_FOLLOW_UP, "Antal synpunkter/klagomål där åtgärder vidtagits"),
    ]


@dataclass(frozen=True)
class DeviationFact:
    day: datetime.date  # the day it was reported (Stockholm)
    category_code: str | None
    identified_by: str  # "staff" / "external"
    concerns: str  # "own" / "other"


@dataclass(frozen=True)
class LexSarahFact:
    reported_day: datetime.date
    ivo_day: datetime.date | None


@dataclass(frozen=True)
class FeedbackFact:
    day: datetime.date
    kind: str  # "opinion" / "complaint" / "praise"
    source: str
    category_group: str | None
    category_code: str | None
    answered: bool
    action_taken: bool


@dataclass
class VbTable:
    year: int
    rows: list[VbRow]
    counts: dict[str, list[int]] = field(default_factory=dict)  # row key → [T1, T2, T3, total]
    unclassified: dict[str, int] = field(default_factory=dict)  # events not yet classified, per kind

    def values(self, key: str) -> list[int]:
        return self.counts.get(key, [0, 0, 0, 0])


def vb_table(
    *,
    year: int,
    categories: Sequence[CategoryRef],
    deviations: Iterable[DeviationFact],
    lex_sarah: Iterable[LexSarahFact],
    feedback: Iterable[FeedbackFact],
    incident_days: Iterable[datetime.date],
) -> VbTable:
    """Count every event of `year` into its rows, per tertial and accumulated. A deviation counts in each of
    its three groups (category, who identified it, whom it concerns), so each group adds up to the number of
    classified deviations; synpunkter and klagomål likewise by source and by category."""
    table = VbTable(year=year, rows=vb_layout(categories))
    known = {row.key for row in table.rows}

    def add(key: str, day: datetime.date) -> None:
        if key not in known or day.year != year:
            return
        values = table.counts.setdefault(key, [0, 0, 0, 0])
        values[tertial_of(day) - 1] += 1
        values[3] += 1

    for report in lex_sarah:
        add("lex_sarah.reports", report.reported_day)
        if report.ivo_day is not None:
            add("lex_sarah.ivo", report.ivo_day)
    for deviation in deviations:
        if deviation.day.year != year:
            continue
        if deviation.category_code is None:
            table.unclassified["deviation"] = table.unclassified.get("deviation", 0) + 1
            continue
        add(f"deviation.{deviation.category_code}", deviation.day)
        add(f"identified.{deviation.identified_by}", deviation.day)
        add(f"concerns.{deviation.concerns}", deviation.day)
    for item in feedback:
        if item.day.year != year:
            continue
        if item.kind == "praise":
            add("praise", item.day)
            continue
        if item.category_code is None or item.category_group is None:
            table.unclassified["feedback"] = table.unclassified.get("feedback", 0) + 1
            continue
        add(SOURCE_ROWS[item.source][0], item.day)
        add(f"{item.category_group}.{item.category_code}", item.day)
        if item.answered:
            add("follow_up.answered", item.day)
        if item.action_taken:
            add("follow_up.action", item.day)
    for day in incident_days:
        add("incident", day)
    return table
