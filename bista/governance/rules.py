"""Pure rules of the follow-up: the periods of a year, the full-year forecast, how values are written and
whether a value meets its target. No database, no clock (today is passed in).

Periods are cumulative from 1 January, as the city's goal system reports them: T1 is January–April, T2
January–August and the VB the whole year. (The quality context's VB table counts events per tertial
instead; its T2 column is May–August. Both are right for what they report.)

Forecast for the full year (prognos helår), by what kind of figure an indicator is:
* a share or a level (plan coverage, sick leave, a survey result): the latest value is the forecast, since
  a share does not grow with time;
* a count over the period (deviations, deliveries per client): the count extrapolated linearly from the
  days the period has covered so far to the whole year, value × days in year / days covered. A period that
  is over covers all its days; one still running covers the days up to today.
For the VB the forecast is the outcome itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from bista.core.format import round_half_up

MIN_YEAR, MAX_YEAR = 2000, 2100
PERIODS = ("T1", "T2", "VB")
PERIOD_END_MONTH = {"T1": 4, "T2": 8, "VB": 12}
SHARE, COUNT = "share", "count"
KINDS = (SHARE, COUNT)


@dataclass(frozen=True)
class PeriodRange:
    year: int
    period: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return f"{self.period} {self.year}"


def period_range(year: int, period: str) -> PeriodRange:
    """The days of `period` of `year`, both included. Unknown periods raise ValueError."""
    if period not in PERIOD_END_MONTH:
        raise ValueError(f"okänd period: {period}")
    month = PERIOD_END_MONTH[period]
    end = datetime.date(year, 12, 31) if month == 12 else datetime.date(year, month + 1, 1) - datetime.timedelta(1)
    return PeriodRange(year, period, datetime.date(year, 1, 1), end)


def period_allowed(period: str, period_type: str) -> bool:
    """A tertial indicator has values for T1, T2 and the year; a yearly one only for the year."""
    return period == "VB" or (period in PERIODS and period_type == "tertial")


def period_label(year: int, period: str, period_type: str) -> str:
    """How the table's Period column names it: "T1 2025", "VB 2025", or "2025" for a yearly indicator."""
    return str(year) if period_type == "year" else f"{period} {year}"


def days_covered(rng: PeriodRange, today: datetime.date) -> int:
    """Days of the period that have passed by `today` (0 before it starts)."""
    last = min(rng.end, today)
    return max((last - rng.start).days + 1, 0)


def forecast(value: Decimal | None, *, kind: str, rng: PeriodRange, today: datetime.date) -> Decimal | None:
    """The full-year forecast beside a period's outcome (see the module's docstring)."""
    if value is None:
        return None
    if kind not in KINDS:
        raise ValueError(f"okänd sorts indikator: {kind}")
    if kind == SHARE or (rng.period == "VB" and today >= rng.end):
        return value
    covered = days_covered(rng, today)
    if covered <= 0:
        return None
    year_days = (datetime.date(rng.year, 12, 31) - datetime.date(rng.year, 1, 1)).days + 1
    return value * Decimal(year_days) / Decimal(covered)


def ratio(numerator: int | Decimal, denominator: int | Decimal, *, percent: bool) -> Decimal | None:
    """numerator / denominator (× 100 for a percentage), None when there is nothing to divide by."""
    if not denominator:
        return None
    result = Decimal(numerator) / Decimal(denominator)
    return result * 100 if percent else result


def rounded(value: Decimal | None, decimals: int) -> Decimal | None:
    if value is None:
        return None
    return round_half_up(value, decimals)


def format_value(value: Decimal | None, decimals: int, unit_of_measure: str = "") -> str:
    """Swedish number format: decimal comma, a space before the unit ("83,7 %", "56", "1,61 kg …")."""
    if value is None:
        return "–"
    number = rounded(value, decimals)
    assert number is not None
    text = f"{number:,.{decimals}f}".replace(",", " ").replace(".", ",")
    if text.startswith("-"):
        text = "−" + text[1:]
    measure = unit_of_measure.strip()
    if not measure or measure in ("st", "index", "antal"):
        return text
    return f"{text} {measure}"


def meets_target(value: Decimal | None, target: Decimal | None, *, higher_is_better: bool) -> bool | None:
    """Whether the outcome reaches the target (None when either is missing)."""
    if value is None or target is None:
        return None
    return value >= target if higher_is_better else value <= target


def years_back(year: int, count: int) -> list[int]:
    """The `count` years up to and including `year`, oldest first (a chart's x axis)."""
    return list(range(year - count + 1, year + 1))


# --- The manager's texts in the documents -------------------------------------------------------------------

HEADING, PARAGRAPH, BULLETS = "heading", "paragraph", "bullets"
SUB_HEADING_MAX = 90  # a longer line is a sentence, not a heading
_BULLET = ("- ", "– ", "• ", "* ")
_SENTENCE_END = (".", ":", ";", "!", "?", ",")


def text_blocks(text: str) -> list[tuple[str, str | list[str]]]:
    """The manager's text as the documents lay it out: paragraphs are separated by an empty line; a paragraph
    of one short line that does not end like a sentence is a sub-heading ("Brukarens inflytande och
    delaktighet" in the seeds' Sammanfattande analys); a paragraph whose every line starts with "- ", "– ",
    "• " or "* " is a bulleted list. Returns (HEADING, text), (PARAGRAPH, text) or (BULLETS, [items])."""
    blocks: list[tuple[str, str | list[str]]] = []
    for part in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in part.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(_BULLET) for line in lines):
            blocks.append((BULLETS, [line[2:].strip() for line in lines]))
        elif len(lines) == 1 and len(lines[0]) <= SUB_HEADING_MAX and not lines[0].endswith(_SENTENCE_END):
            blocks.append((HEADING, lines[0]))
        else:
            blocks.append((PARAGRAPH, "\n".join(lines)))
    return blocks
