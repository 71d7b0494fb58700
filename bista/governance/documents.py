"""The VP, tertial reports (T1, T2) and the VB of a unit and year as DOCX (python-docx) and PDF (WeasyPrint),
with the seeds' structure: the heading block (date, handläggare, till), the title, Förslag till beslut, a table
of contents, Sammanfattande analys (the VP: Inledning), one section per goal of the chain with its indicator
table, activity table, assessment and analysis, charts of each indicator over the last years, then the parts of
`PLAN_PARTS` / `REPORT_PARTS` (economy, Övrigt with Systematiskt kvalitetsarbete and its sub-sections, Agenda
2030), each with the manager's text (`SectionText`) and, where Bistå has the data, its figures beside it
(the economy table, the quality context's counts, the care self-checks, the survey results) and, in the
reports, the table Redovisning av synpunkter och klagomål (the quality context's VB table with its written
assessments). The outline is the one list of which texts each document has: the plan page links to them.

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
from bista.surveys import indicators as survey_indicators

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
Key = SectionText.Key


@dataclass(frozen=True)
class Part:
    """A heading of the document outside the goal chain: its level (1 is in the contents with the goals'
    top levels, 2 under it, 3 not in the contents), the manager's text under it (a `SectionText` key, or none
    for a heading over other parts) and the figures Bistå adds after that text (a key of `FIGURES`, or
    "economy"). `optional`: an empty text shows nothing (the seeds keep such headings empty)."""

    level: int
    heading: str
    key: str = ""
    figures: str = ""
    optional: bool = False


PLAN_PARTS = (
    Part(1, "Redovisning av ekonomi"),
    Part(2, "Resursanvändning", Key.ECONOMY),
    Part(2, "Budget {year}", Key.BUDGET),
    Part(1, "Övrigt"),
    Part(2, "Systematiskt kvalitetsarbete", Key.QUALITY),
    Part(2, "Agenda 2030", Key.AGENDA_2030),
)
REPORT_PARTS = (
    Part(1, "Uppföljning av ekonomi"),
    Part(2, "Analys av resultaträkning - uppföljning av driftbudget", Key.ECONOMY, figures="economy"),
    Part(2, "Investeringar", Key.INVESTMENTS, optional=True),
    Part(2, "Medel för lokaländamål", Key.PREMISES, optional=True),
    Part(1, "Övrigt"),
    Part(2, "Systematiskt kvalitetsarbete"),
    Part(3, "Systematiskt kvalitetsarbete enligt SOSFS 2011:9", Key.QUALITY),
    Part(3, "Synpunkter och klagomål", Key.QUALITY_FEEDBACK, figures="feedback"),
    Part(3, "Avvikelse och lex Sarah/lex Maria", Key.QUALITY_DEVIATIONS, figures="deviations"),
    Part(3, "Extern granskning/tillsyn/brukarundersökningar", Key.QUALITY_REVIEW, figures="surveys"),
    Part(3, "Resultat av genomförda egenkontroller", Key.QUALITY_SELF_CHECKS, figures="self_checks"),
    Part(3, "Övrigt utvecklingsarbete", Key.QUALITY_DEVELOPMENT),
    Part(2, "Övrigt", Key.OTHER, optional=True),
    Part(3, "Agenda 2030", Key.AGENDA_2030),
)
DECISION_HEADING = "Förslag till beslut"
# The computed indicators (registry keys) shown beside the manager's text of a quality sub-section; the
# deviations and Lex Sarah counts come from quality.indicators, the self-checks from care.selfchecks, the
# survey results from surveys.indicators, all through the registry (the definitions' names and formats).
FIGURES = {
    "feedback": ("quality.complaints", "quality.opinions", "quality.praise"),
    "deviations": ("quality.deviations", "quality.lex_sarah"),
    "surveys": tuple(key for key, _question, _text in survey_indicators.INDICATORS),
    "self_checks": (
        "care.plan_current",
        "care.plan_reviewed",
        "care.first_contact",
        "care.execution",
        "care.risk_assessment",
        "care.crisis_binder",
    ),
}
NO_FIGURES = {
    "surveys": "Bistå har inga resultat från brukarundersökningar för perioden.",
    "self_checks": "Bistå har inga egenkontroller att redovisa för perioden.",
}
FIGURE_COLUMNS = ("Uppgift", "Utfall")


def outline(kind: str) -> tuple[Part, ...]:
    return PLAN_PARTS if kind == DocumentKind.VP else REPORT_PARTS


def front_heading(kind: str) -> tuple[str, str]:
    """(heading, section key) of the text right after the contents: the VP's Inledning, else the summary."""
    if kind == DocumentKind.VP:
        return "Inledning", Key.INTRODUCTION
    return "Sammanfattande analys", Key.SUMMARY


def section_headings(kind: str, year: int) -> list[tuple[str, str]]:
    """(section key, heading) of every text the manager writes for a document, in the document's order."""
    texts = [(str(Key.DECISION), DECISION_HEADING), tuple(reversed(front_heading(kind)))]
    texts += [(part.key, part.heading.format(year=year)) for part in outline(kind) if part.key]
    return [(str(key), heading) for key, heading in texts]


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
    figures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # FIGURES key → (name, value)
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

    @property
    def front(self) -> tuple[str, str]:
        return front_heading(self.kind)

    def parts(self) -> list[PartView]:
        """The parts after the goals, with the manager's text as blocks and the figures beside it."""
        views = []
        for part in outline(self.kind):
            text = self.sections.get(part.key, "") if part.key else ""
            views.append(
                PartView(
                    level=part.level,
                    heading=part.heading.format(year=self.year),
                    blocks=rules.text_blocks(text),
                    placeholder=bool(part.key) and not part.optional and not text.strip(),
                    figures=self.figures.get(part.figures, []),
                    figures_kind=part.figures,
                )
            )
        return views

    def toc(self) -> list[tuple[int, str]]:
        """(level, heading) of every heading after the contents, in order."""
        entries: list[tuple[int, str]] = [(1, self.front[0])]
        if not self.is_plan:
            entries.append((1, "Uppföljning av Kommunfullmäktiges inriktningsmål"))
        for section in self.goals:
            if section.goal.level in (Goal.Level.COUNCIL, Goal.Level.COUNCIL_AREA):
                entries.append((2, section.heading))
        entries += [(part.level, part.heading.format(year=self.year)) for part in outline(self.kind) if part.level <= 2]
        if self.vb_table is not None:
            entries.append((1, "Redovisning av synpunkter och klagomål"))
        return entries


@dataclass
class PartView:
    level: int
    heading: str
    blocks: list[tuple[str, str | list[str]]]
    placeholder: bool  # no text written where the document expects one
    figures: list[tuple[str, str]]
    figures_kind: str


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
        data.figures = {name: _figures(source, plan, period, keys) for name, keys in FIGURES.items()}
        data.vb_table = _vb_table(plan)
        # The months of the report's period only: a T1 made in October shows January–April, as its other figures.
        period_end = rules.period_range(plan.year, period).end + datetime.timedelta(days=1)
        data.economy = economy_indicators.vb_table(plan.unit, plan.year, min(today, period_end), source.cache)
        data.economy_chart = charts.line_chart_png(
            title=data.economy.title, points=data.economy.points, decimals=0, unit_of_measure="tkr"
        )
    report(85, "Kvalitetsarbete")
    return data


def _figures(source: Source, plan: OperationalPlan, period: str, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """Computed indicators for the period, through the same registry as the goals' indicators, named as
    their definitions (in force or not: a figure of the past stays in the report)."""
    by_key = {i.computed_key: i for i in IndicatorDefinition.objects.filter(computed_key__in=keys)}
    figures = []
    known = False
    for key in keys:
        indicator = by_key.get(key)
        # A yearly figure (the survey's) is not given for a tertial.
        if indicator is None or not rules.period_allowed(period, indicator.period_type):
            continue
        result, _ = selectors.outcome(source, indicator, plan.unit_id, plan.year, period)
        known = known or result.value is not None
        text = rules.format_value(result.value, indicator.decimals, indicator.unit_of_measure)
        if result.denominator is not None and indicator.unit_of_measure == "%":
            text += f" ({result.numerator} av {result.denominator})"
        figures.append((indicator.name, text))
    # A table of dashes says nothing: the document says instead that Bistå has no figures for the period.
    return figures if known else []


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


def sub_heading_level(level: int) -> int:
    """The level of a sub-heading the manager wrote in a text under a heading of `level`: below it, and never
    1 or 2, which the contents list."""
    return min(max(level + 1, 3), 6)


# --- DOCX --------------------------------------------------------------------------------------------------


def _docx_blocks(document: Any, blocks: list[tuple[str, str | list[str]]], heading_level: int) -> None:
    for kind, content in blocks:
        if kind == rules.HEADING:
            document.add_heading(str(content), level=heading_level)
        elif kind == rules.BULLETS:
            for item in content:
                document.add_paragraph(item, style="List Bullet")
        else:
            document.add_paragraph(str(content))


def _text_block(document: Any, text: str, *, level: int = 1, placeholder: bool = True) -> None:
    blocks = rules.text_blocks(text)
    if not blocks and placeholder:
        document.add_paragraph().add_run(NO_TEXT).italic = True
    _docx_blocks(document, blocks, sub_heading_level(level))


def _docx_figures(document: Any, data: ReportData, part: PartView) -> None:
    if part.figures_kind == "economy" and data.economy is not None:
        widths = docx.column_widths(data.economy.header, data.economy.rows, total_cm=docx.usable_width_cm(document))
        docx.add_table(document, data.economy.header, data.economy.rows, widths_cm=widths)
        document.add_picture(io.BytesIO(data.economy_chart), width=Cm(14))
        document.add_paragraph(f"Diagram: {data.economy.title}").runs[0].italic = True
    elif part.figures:
        document.add_paragraph(f"Ur Bistås registreringar, {rules.period_label(data.year, data.period, 'tertial')}:")
        rows = [list(item) for item in part.figures]
        widths = docx.column_widths(FIGURE_COLUMNS, rows, total_cm=docx.usable_width_cm(document))
        docx.add_table(document, FIGURE_COLUMNS, rows, widths_cm=widths)
    elif part.figures_kind in NO_FIGURES and not data.is_plan:
        document.add_paragraph().add_run(NO_FIGURES[part.figures_kind]).italic = True


GOAL_HEADING_LEVEL = {Goal.Level.COUNCIL: 2, Goal.Level.COUNCIL_AREA: 3, Goal.Level.COMMITTEE: 4, Goal.Level.UNIT: 4}


def _docx_goal(document: Any, data: ReportData, section: GoalSection) -> None:
    document.add_heading(section.heading, level=GOAL_HEADING_LEVEL[Goal.Level(section.goal.level)])
    if section.goal.level == Goal.Level.UNIT and not data.is_plan:
        document.add_paragraph().add_run(section.assessment_label or "Ej bedömt").bold = True
    for label, text in section.texts:
        document.add_heading(label, level=5)
        _text_block(document, text, level=5)
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
        _text_block(document, section.follow_up.analysis if section.follow_up else "", level=5)


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
    # Before the contents, as in the seeds, and not listed in them (level 3).
    document.add_heading(DECISION_HEADING, level=3)
    _text_block(document, data.sections.get(Key.DECISION, ""), level=3)
    document.add_heading("Innehållsförteckning", level=1)
    docx.add_toc(document, data.toc(), levels="1-2")
    heading, key = data.front
    document.add_heading(heading, level=1)
    _text_block(document, data.sections.get(key, ""))
    if not data.is_plan:
        document.add_heading("Uppföljning av Kommunfullmäktiges inriktningsmål", level=1)
    for section in data.goals:
        _docx_goal(document, data, section)
    for part in data.parts():
        document.add_heading(part.heading, level=part.level)
        if part.placeholder:
            document.add_paragraph().add_run(NO_TEXT).italic = True
        _docx_blocks(document, part.blocks, sub_heading_level(part.level))
        _docx_figures(document, data, part)
    if data.vb_table is not None:
        from bista.quality import indicators as quality

        docx.add_landscape_section(document)
        document.add_heading("Redovisning av synpunkter och klagomål", level=1)
        headers, groups, widths = quality.vb_table_docx_layout(data.vb_table, total_cm=docx.usable_width_cm(document))
        docx.add_grouped_table(document, headers, groups, widths_cm=widths)
    return docx.document_bytes(document)


# --- PDF ---------------------------------------------------------------------------------------------------


def to_pdf(data: ReportData) -> bytes:
    toc = data.toc()
    # The contents' links: the n-th entry of `toc` is the n-th heading listed, in document order (headings
    # repeat, "Övrigt" twice, so the anchors go by position, not by text).
    anchors = iter(f"rubrik-{index}" for index in range(len(toc)))
    front_anchor = next(anchors)
    goals_anchor = "" if data.is_plan else next(anchors)
    goals = []
    for section in data.goals:
        header, rows = indicator_table(data, section.rows)
        goals.append(
            {
                "section": section,
                "anchor": next(anchors) if section.goal.level in (Goal.Level.COUNCIL, Goal.Level.COUNCIL_AREA) else "",
                "tag": f"h{min(GOAL_HEADING_LEVEL[Goal.Level(section.goal.level)] + 1, 6)}",
                "is_unit": section.goal.level == Goal.Level.UNIT,
                "header": header,
                "rows": rows,
                "activities": activity_rows(section.activities),
                "texts": [(label, rules.text_blocks(text)) for label, text in section.texts],
                "analysis": rules.text_blocks(section.follow_up.analysis) if section.follow_up else [],
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
    parts = [
        {
            "part": part,
            "anchor": next(anchors) if part.level <= 2 else "",
            "tag": f"h{part.level + 1}",
            "sub_tag": f"h{sub_heading_level(part.level) + 1}",
            "no_figures": "" if data.is_plan else NO_FIGURES.get(part.figures_kind, ""),
        }
        for part in data.parts()
    ]
    economy_widths = (
        _percentages(docx.column_widths(data.economy.header, data.economy.rows, total_cm=17.4))
        if data.economy is not None
        else []
    )
    # Whole fonts are embedded: one font family is used, and subsetting it costs more than the rest.
    return pdf.render_pdf(
        "governance/report_print.html",
        {
            "data": data,
            "plan": data.plan,
            "goals": goals,
            "parts": parts,
            "toc": [(level, heading, f"rubrik-{index}") for index, (level, heading) in enumerate(toc)],
            "front": {"heading": data.front[0], "anchor": front_anchor, "blocks": _blocks(data, data.front[1])},
            "goals_anchor": goals_anchor,
            "vb_anchor": next(anchors, ""),
            "decision": {"heading": DECISION_HEADING, "blocks": _blocks(data, Key.DECISION)},
            "activity_columns": ACTIVITY_COLUMNS,
            "figure_columns": FIGURE_COLUMNS,
            "no_figures": NO_FIGURES,
            "period_label": rules.period_label(data.year, data.period, "tertial"),
            "economy_chart": base64.b64encode(data.economy_chart).decode() if data.economy_chart else "",
            "economy_widths": economy_widths,
        },
        full_fonts=True,
    )


def _blocks(data: ReportData, key: str) -> list[tuple[str, str | list[str]]]:
    return rules.text_blocks(data.sections.get(key, ""))


def _percentages(widths: list[float]) -> list[str]:
    """Column widths as shares of the table, for the print template's `<col>`s."""
    total = sum(widths) or 1.0
    return [f"{100 * width / total:.1f}%" for width in widths]


def render(data: ReportData, fmt: str) -> bytes:
    """The document laid out as DOCX or PDF."""
    return to_docx(data) if fmt == "docx" else to_pdf(data)


def build(
    plan: OperationalPlan, kind: str, fmt: str, *, today: datetime.date, progress: Progress | None = None
) -> bytes:
    """The document's bytes (DOCX or PDF)."""
    data = report_data(plan, kind, today=today, progress=progress)
    content = render(data, fmt)
    if progress:
        progress(98, "Sparar")
    return content


__all__ = ["ReportData", "build", "indicator_table", "render", "report_data", "to_docx", "to_pdf"]
