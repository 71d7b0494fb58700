"""What the quality system publishes for governance's indicators and VP/VB: the records behind its counts and
the VB table of complaints and opinions, as plain data. Governance reads the quality system only through
here and `selectors` (never its models), so the quality context can change its tables without breaking the
indicator registry.

No access is checked here: the governance registry and documents call these for a unit already checked.
"""

from __future__ import annotations

import datetime
from typing import Any

from bista.core import clock, docx
from bista.core.models import Unit
from bista.quality import selectors, vbdocs
from bista.quality.models import Deviation, Feedback, LexSarahReport

# The kinds of feedback counted as indicators: (indicator key, kind, the word in the definition).
FEEDBACK_KINDS = (
    ("quality.complaints", Feedback.Kind.COMPLAINT, "klagomål"),
    ("quality.opinions", Feedback.Kind.OPINION, "synpunkter"),
    ("quality.praise", Feedback.Kind.PRAISE, "beröm"),
)


def _moments(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The days `first`–`last` as aware moments: from the first midnight to the one after the last, Stockholm."""
    return clock.start_of_day(first), clock.start_of_day(last + datetime.timedelta(days=1))


def deviation_ids(*, unit_id: int, first: datetime.date, last: datetime.date) -> list[int]:
    """Deviations reported on the days `first`–`last` (Stockholm), by id."""
    start, end = _moments(first, last)
    rows = Deviation.objects.filter(unit_id=unit_id, reported_at__gte=start, reported_at__lt=end).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def lex_sarah_ids(*, unit_id: int, first: datetime.date, last: datetime.date) -> list[int]:
    """Lex Sarah reports received on the days `first`–`last` (Stockholm), by id."""
    start, end = _moments(first, last)
    rows = LexSarahReport.objects.filter(unit_id=unit_id, reported_at__gte=start, reported_at__lt=end).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def feedback_ids(*, unit_id: int, kind: str, first: datetime.date, last: datetime.date) -> list[int]:
    """Feedback of a kind received on the days `first`–`last`, by id."""
    rows = Feedback.objects.filter(unit_id=unit_id, kind=kind, received_on__gte=first, received_on__lte=last).order_by(
        "pk"
    )
    return list(rows.values_list("pk", flat=True))


def vb_table(*, unit: Unit, year: int) -> dict[str, Any]:
    """The year's VB table of complaints and opinions with the unit's assessments, as plain data."""
    table = selectors.vb_table_unchecked(unit_id=unit.pk, year=year)
    return vbdocs.table_data(table, selectors.vb_assessments(unit_id=unit.pk, year=year), unit)


def vb_table_docx_layout(data: dict[str, Any], *, total_cm: float) -> docx.GroupedLayout:
    """The VB table as a grouped Word table (header, groups, column widths filling `total_cm` without breaking
    a word) for `bista.core.docx`."""
    return vbdocs.docx_layout(data, total_cm=total_cm)
