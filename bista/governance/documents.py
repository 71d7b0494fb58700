"""The VP, tertial reports (T1, T2) and the VB of a unit and year as DOCX (python-docx) and PDF (WeasyPrint),
with the seeds' structure: the heading block (date, handläggare, till), the title, a table of contents,
Sammanfattande analys (the VP: Inledning), one section per goal of the chain with its indicator table,
activity table, assessment and analysis, charts of each indicator over the last years, Uppföljning av
ekonomi, Systematiskt kvalitetsarbete with the quality context's figures, Agenda 2030 and, in the reports,
the table Redovisning av synpunkter och klagomål (the quality context's VB table).

`report_data` gathers everything once through the selectors; `to_docx` and `to_pdf` only lay it out, so the
two formats say the same thing.
"""

from __future__ import annotations

import base64
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from docx.shared import Cm

from bista.core import docx, pdf
from bista.economy import indicators as economy_indicators
from bista.governance import charts, rules, selectors
from bista.governance.models import (
    Activity,
    Assessment,
    DocumentKind,
    FollowUp,
    Goal,
    IndicatorDefinition,
    OperationalPlan,
    SectionText,
)
from bista.governance.registry import Source
from bista.governance.selectors import IndicatorRow

Progress = Callable[[int, str], None]

FOLLOW_UP_COLUMNS = (
    "Indikator",
    "Periodens utfall",
    "Utfall män/ pojkar",
    "Utfall kvinnor/ flickor",
    "Utfall VB {previous}",
    "Prognos helår",
    "Årsmål",
    "KF:s årsmål",
    "Period",
)
PLAN_COLUMNS = ("Indikator", "Årsmål", "KF:s årsmål år {year}", "Periodicitet")
ACTIVITY_COLUMNS = ("Aktivitet", "Startdatum", "Slutdatum", "Genomförd", "Avvikelse")
VP_TEXTS = (
    ("description", "Beskrivning"),
    ("expected_result", "Förväntat resultat"),
    ("working_method", "Arbetssätt"),
    ("resource_use", "Resursanvändning"),
    ("follow_up_method", "Uppföljning"),
    ("development", "Utveckling"),
)
QUALITY_KEYS = (
    "quality.deviations",
    "quality.lex_sarah",
    "quality.complaints",
    "quality.opinions",
    "quality.praise",
    "care.plan_current",
    "care.first_contact",
    "care.execution",
)
NO_TEXT = "Ingen text är skriven ännu."


@dataclass
class GoalSection:
    goal: Goal
    depth: int
    heading: str
    texts: list[tuple[str, str]]
    rows: list[IndicatorRow]
    activities: list[Activity]
    follow_up: FollowUp | None
    assessment_label: str


@dataclass
class ReportData:
    plan: OperationalPlan
    kind: str
    period: str
    title: str
    date: datetime.date
    sections: dict[str, str]
    goals: list[GoalSection]
    charts: dict[str, bytes]  # indicator code → PNG
    chart_titles: dict[str, str]
    quality_figures: list[tuple[str, str]] = field(default_factory=list)
    vb_table: dict[str, Any] | None = None
    economy: Any = None  # economy.indicators.EconomyTable: budget/outcome/deviation by month (T1, T2, VB)
    economy_chart: bytes = b""

    @property
    def is_plan(self) -> bool:
        return self.kind == DocumentKind.VP

    @property
    def unit_name(self) -> str:
        return self.plan.unit.name

    @property
    def year(self) -> int:
        return self.plan.year

    def toc(self) -> list[tuple[int, str]]:
        """(level, heading) of every heading after the contents, in order."""
        entries: list[tuple[int, str]] = []
        if self.is_plan:
            entries.append((1, "Inledning"))
        else:
            entries += [(1, "Sammanfattande analys"), (1, "Uppföljning av Kommunfullmäktiges inriktningsmål")]
        for section in self.goals:
            if section.goal.level in (Goal.Level.COUNCIL, Goal.Level.COUNCIL_AREA):
                entries.append((2, section.heading))
        entries.append((1, "Redovisning av ekonomi" if self.is_plan else "Uppföljning av ekonomi"))
        entries += [(1, "Övrigt"), (2, "Systematiskt kvalitetsarbete"), (2, "Agenda 2030")]
        if self.vb_table is not None:
            entries.append((1, "Redovisning av synpunkter och klagomål"))
        return entries


def _title(plan: OperationalPlan, kind: str) -> str:
    unit = plan.unit.name
    return {
        DocumentKind.VP: f"Verksamhetsplan {plan.year} för {unit}",
        DocumentKind.T1: f"Tertialrapport 1 {plan.year} för {unit}",
        DocumentKind.T2: f"Tertialrapport 2 {plan.year} för {unit}",
        DocumentKind.VB: f"Verksamhetsberättelse VB {plan.year} för {unit}",
    }[DocumentKind(kind)]


def _goal_texts(goal: Goal, is_plan: bool) -> list[tuple[str, str]]:
    texts = [(label, getattr(goal, name)) for name, label in VP_TEXTS if getattr(goal, name).strip()]
    if is_plan or goal.level != Goal.Level.UNIT:
        return texts
    return [(label, text) for label, text in texts if label in ("Beskrivning", "Förväntat resultat")]


def report_data(
    plan: OperationalPlan, kind: str, *, today: datetime.date, progress: Progress | None = None
) -> ReportData:
    """Everything the document says, read once. Access is the caller's: the request was checked."""
    report = progress or (lambda _p, _m: None)
    period = "VB" if kind in (DocumentKind.VP, DocumentKind.VB) else kind
    source = Source(today=today)
    tree = selectors.goal_tree(plan)
    follow_ups = selectors.follow_ups_by_goal(plan, period)
    indicator_follow_ups = {
        (f.goal_indicator_id, f.period): f
        for f in FollowUp.objects.filter(goal__plan=plan, goal_indicator__isnull=False)
    }
    sections = {
        s.key: s.text for s in plan.sections.filter(document=DocumentKind.VP if kind == DocumentKind.VP else kind)
    }
    goal_sections: list[GoalSection] = []
    indicators: dict[str, tuple[IndicatorDefinition, Decimal | None]] = {}
    for index, (goal, depth) in enumerate(tree):
        rows = []
        for goal_indicator in goal.indicators.all():
            row = selectors.indicator_row(source, goal_indicator, plan.unit_id, plan.year, period)
            follow_up = indicator_follow_ups.get((goal_indicator.pk, row.period))
            rows.append(selectors.with_follow_up(row, follow_up))
            indicators.setdefault(goal_indicator.indicator.code, (goal_indicator.indicator, goal_indicator.target))
        follow_up = None if kind == DocumentKind.VP else follow_ups.get(goal.pk)
        goal_sections.append(
            GoalSection(
                goal=goal,
                depth=depth,
                heading=goal.heading,
                texts=_goal_texts(goal, kind == DocumentKind.VP),
                rows=rows,
                activities=list(goal.activities.all()),
                follow_up=follow_up,
                assessment_label=Assessment(follow_up.assessment).label if follow_up and follow_up.assessment else "",
            )
        )
        report(5 + int(45 * (index + 1) / max(len(tree), 1)), "Mål och indikatorer")
    chart_images: dict[str, bytes] = {}
    chart_titles: dict[str, str] = {}
    for index, (code, (indicator, target)) in enumerate(indicators.items()):
        points = selectors.history(source, indicator, plan.unit_id, plan.year)
        chart_titles[code] = f"{indicator.name} {points[0][0]}–{points[-1][0]}"
        chart_images[code] = charts.line_chart_png(
            title=chart_titles[code],
            points=[(str(year), value) for year, value in points],
            target=target,
            decimals=indicator.decimals,
            unit_of_measure=indicator.unit_of_measure,
        )
        report(50 + int(30 * (index + 1) / max(len(indicators), 1)), "Diagram")
    data = ReportData(
        plan=plan,
        kind=kind,
        period=period,
        title=_title(plan, kind),
        date=today,
        sections=sections,
        goals=goal_sections,
        charts=chart_images,
        chart_titles=chart_titles,
    )
    if kind != DocumentKind.VP:
        data.quality_figures = _quality_figures(source, plan, period)
        data.vb_table = _vb_table(plan)
        # The months of the report's period only: a T1 made in October shows January–April, as its other figures.
        period_end = rules.period_range(plan.year, period).end + datetime.timedelta(days=1)
        data.economy = economy_indicators.vb_table(plan.unit, plan.year, min(today, period_end), source.cache)
        data.economy_chart = charts.line_chart_png(
            title=data.economy.title, points=data.economy.points, decimals=0, unit_of_measure="tkr"
        )
    report(85, "Kvalitetsarbete")
    return data


def _quality_figures(source: Source, plan: OperationalPlan, period: str) -> list[tuple[str, str]]:
    """The quality context's figures for the period, through the same registry as the indicators."""
    by_key = {i.computed_key: i for i in IndicatorDefinition.objects.filter(computed_key__in=QUALITY_KEYS)}
    figures = []
    for key in QUALITY_KEYS:
        indicator = by_key.get(key)
        if indicator is None:
            continue
        result, _ = selectors.outcome(source, indicator, plan.unit_id, plan.year, period)
        text = rules.format_value(result.value, indicator.decimals, indicator.unit_of_measure)
        if result.denominator is not None and indicator.unit_of_measure == "%":
            text += f" ({result.numerator} av {result.denominator})"
        figures.append((indicator.name, text))
    return figures


def _vb_table(plan: OperationalPlan) -> dict[str, Any]:
    from bista.quality import indicators as quality

    return quality.vb_table(unit=plan.unit, year=plan.year)


def indicator_table(data: ReportData, rows: list[IndicatorRow]) -> tuple[list[str], list[list[str]]]:
    """The indicator table's header and rows as text (the same for DOCX, PDF and the tests)."""
    if data.is_plan:
        header = [c.format(year=data.year) for c in PLAN_COLUMNS]
        body = [
            [
                row.indicator.name,
                row.target_text,
                row.council_target_text,
                row.indicator.get_period_type_display(),
            ]
            for row in rows
        ]
        return header, body
    header = [c.format(previous=data.year - 1) for c in FOLLOW_UP_COLUMNS]
    body = [
        [
            row.indicator.name,
            row.value_text,
            row.men_text,
            row.women_text,
            row.previous_text,
            row.forecast_text,
            row.target_text,
            row.council_target_text,
            row.period_label,
        ]
        for row in rows
    ]
    return header, body


def activity_rows(activities: list[Activity]) -> list[list[str]]:
    return [
        [
            activity.title,
            f"{activity.starts_on:%Y-%m-%d}",
            f"{activity.ends_on:%Y-%m-%d}",
            f"{activity.completed_on:%Y-%m-%d}" if activity.completed_on else "",
            activity.deviation_note,
        ]
        for activity in activities
    ]


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


# --- DOCX --------------------------------------------------------------------------------------------------


def _text_block(document: Any, text: str) -> None:
    parts = _paragraphs(text)
    if not parts:
        document.add_paragraph().add_run(NO_TEXT).italic = True
    for part in parts:
        document.add_paragraph(part)


GOAL_HEADING_LEVEL = {Goal.Level.COUNCIL: 2, Goal.Level.COUNCIL_AREA: 3, Goal.Level.COMMITTEE: 4, Goal.Level.UNIT: 4}


def _docx_goal(document: Any, data: ReportData, section: GoalSection) -> None:
    document.add_heading(section.heading, level=GOAL_HEADING_LEVEL[Goal.Level(section.goal.level)])
    if section.goal.level == Goal.Level.UNIT and not data.is_plan:
        document.add_paragraph().add_run(section.assessment_label or "Ej bedömt").bold = True
    for label, text in section.texts:
        document.add_heading(label, level=5)
        _text_block(document, text)
    if section.rows:
        header, rows = indicator_table(data, section.rows)
        docx.add_table(document, header, rows)
        for row in section.rows:
            if row.follow_up is not None and row.follow_up.analysis.strip():
                paragraph = document.add_paragraph()
                paragraph.add_run(f"Analys {row.indicator.name}: ").bold = True
                paragraph.add_run(row.follow_up.analysis.strip())
        for row in section.rows:
            image = data.charts.get(row.indicator.code)
            if image is not None and not data.is_plan:
                document.add_picture(io.BytesIO(image), width=Cm(15))
                document.add_paragraph(f"Diagram: {data.chart_titles[row.indicator.code]}").runs[0].italic = True
    if section.activities:
        docx.add_table(document, list(ACTIVITY_COLUMNS), activity_rows(section.activities))
        for activity in section.activities:
            if activity.analysis.strip() and not data.is_plan:
                paragraph = document.add_paragraph()
                paragraph.add_run("Analys: ").bold = True
                paragraph.add_run(activity.analysis.strip())
    if section.goal.level == Goal.Level.UNIT and not data.is_plan:
        document.add_heading("Analys", level=5)
        _text_block(document, section.follow_up.analysis if section.follow_up else "")


def to_docx(data: ReportData) -> bytes:
    document = docx.new_document()
    plan = data.plan
    document.add_paragraph(f"{data.date:%Y-%m-%d}")
    for label, value in (("Handläggare", plan.officer_name), ("Telefon", plan.officer_phone)):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    paragraph = document.add_paragraph()
    paragraph.add_run("Till: ").bold = True
    paragraph.add_run(plan.recipient or plan.unit.name)
    document.add_heading(data.title, level=0)
    document.add_heading("Innehållsförteckning", level=1)
    docx.add_toc(document, data.toc(), levels="1-2")
    if data.is_plan:
        document.add_heading("Inledning", level=1)
        _text_block(document, data.sections.get(SectionText.Key.INTRODUCTION, ""))
    else:
        document.add_heading("Sammanfattande analys", level=1)
        _text_block(document, data.sections.get(SectionText.Key.SUMMARY, ""))
        document.add_heading("Uppföljning av Kommunfullmäktiges inriktningsmål", level=1)
    for section in data.goals:
        _docx_goal(document, data, section)
    document.add_heading("Redovisning av ekonomi" if data.is_plan else "Uppföljning av ekonomi", level=1)
    _text_block(document, data.sections.get(SectionText.Key.ECONOMY, ""))
    if data.economy is not None:
        docx.add_table(document, data.economy.header, data.economy.rows)
        document.add_picture(io.BytesIO(data.economy_chart), width=Cm(15))
        document.add_paragraph(f"Diagram: {data.economy.title}").runs[0].italic = True
    document.add_heading("Övrigt", level=1)
    document.add_heading("Systematiskt kvalitetsarbete", level=2)
    _text_block(document, data.sections.get(SectionText.Key.QUALITY, ""))
    if data.quality_figures:
        document.add_paragraph(f"Ur Bistås registreringar, {rules.period_label(data.year, data.period, 'tertial')}:")
        docx.add_table(document, ["Uppgift", "Utfall"], [list(item) for item in data.quality_figures])
    document.add_heading("Agenda 2030", level=2)
    _text_block(document, data.sections.get(SectionText.Key.AGENDA_2030, ""))
    if data.vb_table is not None:
        from bista.quality import indicators as quality

        docx.add_landscape_section(document)
        document.add_heading("Redovisning av synpunkter och klagomål", level=1)
        headers, groups, widths = quality.vb_table_docx_layout(data.vb_table)
        docx.add_grouped_table(document, headers, groups, widths_cm=widths)
    return docx.document_bytes(document)


# --- PDF ---------------------------------------------------------------------------------------------------


def to_pdf(data: ReportData) -> bytes:
    toc = data.toc()
    anchor_of = {heading: f"rubrik-{index}" for index, (_level, heading) in enumerate(toc)}
    anchors = {
        "intro": anchor_of.get("Inledning", ""),
        "summary": anchor_of.get("Sammanfattande analys", ""),
        "goals": anchor_of.get("Uppföljning av Kommunfullmäktiges inriktningsmål", ""),
        "economy": anchor_of.get("Redovisning av ekonomi" if data.is_plan else "Uppföljning av ekonomi", ""),
        "other": anchor_of.get("Övrigt", ""),
        "quality": anchor_of.get("Systematiskt kvalitetsarbete", ""),
        "agenda": anchor_of.get("Agenda 2030", ""),
        "vb_table": anchor_of.get("Redovisning av synpunkter och klagomål", ""),
    }
    goals = []
    for section in data.goals:
        header, rows = indicator_table(data, section.rows)
        goals.append(
            {
                "section": section,
                "anchor": anchor_of.get(section.heading, "")
                if section.goal.level in (Goal.Level.COUNCIL, Goal.Level.COUNCIL_AREA)
                else "",
                "tag": f"h{min(GOAL_HEADING_LEVEL[Goal.Level(section.goal.level)] + 1, 6)}",
                "is_unit": section.goal.level == Goal.Level.UNIT,
                "header": header,
                "rows": rows,
                "activities": activity_rows(section.activities),
                "charts": [
                    (
                        data.chart_titles[row.indicator.code],
                        base64.b64encode(data.charts[row.indicator.code]).decode(),
                    )
                    for row in section.rows
                    if row.indicator.code in data.charts and not data.is_plan
                ],
            }
        )
    # Whole fonts are embedded: one font family is used, and subsetting it costs more than the rest.
    return pdf.render_pdf(
        "governance/report_print.html",
        {
            "data": data,
            "plan": data.plan,
            "goals": goals,
            "toc": [(level, heading, anchor_of[heading]) for level, heading in toc],
            "anchors": anchors,
            "sections": {key: _paragraphs(text) for key, text in data.sections.items()},
            "activity_columns": ACTIVITY_COLUMNS,
            "period_label": rules.period_label(data.year, data.period, "tertial"),
            "economy_chart": base64.b64encode(data.economy_chart).decode() if data.economy_chart else "",
        },
        full_fonts=True,
    )


def build(
    plan: OperationalPlan, kind: str, fmt: str, *, today: datetime.date, progress: Progress | None = None
) -> bytes:
    """The document's bytes (DOCX or PDF)."""
    data = report_data(plan, kind, today=today, progress=progress)
    content = to_docx(data) if fmt == "docx" else to_pdf(data)
    if progress:
        progress(98, "Sparar")
    return content


__all__ = ["ReportData", "build", "indicator_table", "report_data", "to_docx", "to_pdf"]
