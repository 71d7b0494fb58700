"""The VB table "Redovisning av synpunkter och klagomål" as data, JSON, DOCX and XLSX; the draft quality
report (kvalitetsberättelse) as DOCX; and the events behind each figure (the drill-down).

Every figure comes from `selectors.vb_table_for` (counted by `rules.vb_table`). The drill-down decides which
events lie behind a figure by running each event through the same `rules.vb_table`, so a list always holds
exactly the events its figure counted (less any the reader may not see, which are counted, not shown).
"""

from __future__ import annotations

import datetime
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from bista.core import clock, docx
from bista.core.access import has_perm
from bista.core.format import antal
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.xlsx import write_cell
from bista.quality import rules, selectors
from bista.quality.models import DataIncident, Deviation, Feedback, LexSarahReport, VbAssessment

ASSESSMENT_LABEL = "Bedömning och planerade åtgärder"
ROW_LABEL = "Klagomål/synpunkter/kategorier"
COLUMNS = (*rules.TERTIAL_LABELS, ASSESSMENT_LABEL)
TABLE_TITLE = "Redovisning av synpunkter och klagomål"
DEVIATION_FORMS = "avvikelse,avvikelser"
FEEDBACK_FORMS = "synpunkt eller klagomål,synpunkter eller klagomål"
UNCLASSIFIED = "Ej klassificerad"

# Keys of the drill-down besides the VB table's own rows (the notice of unclassified events, the trends).
DEVIATION_UNCLASSIFIED = "deviation.unclassified"
FEEDBACK_UNCLASSIFIED = "feedback.unclassified"
FEEDBACK_KIND = "feedback.kind."
EXTRA_KEYS = {
    DEVIATION_UNCLASSIFIED: ("Avvikelser", "Avvikelser som ännu inte är klassificerade"),
    FEEDBACK_UNCLASSIFIED: ("Synpunkter och klagomål", "Synpunkter och klagomål som ännu inte är klassificerade"),
    **{
        f"{FEEDBACK_KIND}{kind}": ("Synpunkter, klagomål och beröm", str(label))
        for kind, label in Feedback.Kind.choices
    },
}


# --- The table as data -------------------------------------------------------------------------------


def table_data(table: rules.VbTable, assessments: dict[str, VbAssessment], unit: Unit) -> dict[str, Any]:
    """The table as plain data: the JSON export, and the source of the DOCX and XLSX."""
    groups: list[dict[str, Any]] = []
    for row in table.rows:
        if not groups or groups[-1]["group"] != row.group:
            groups.append({"group": row.group, "rows": []})
        t1, t2, t3, total = table.values(row.key)
        assessment = assessments.get(row.key)
        groups[-1]["rows"].append(
            {
                "key": row.key,
                "label": row.label,
                "t1": t1,
                "t2": t2,
                "t3": t3,
                "total": total,
                "assessment": assessment.text if assessment else "",
            }
        )
    return {
        "title": TABLE_TITLE,
        "unit": unit.name,
        "unit_id": unit.pk,
        "year": table.year,
        "columns": list(COLUMNS),
        "groups": groups,
        "unclassified": dict(table.unclassified),
    }


def table_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


# --- DOCX -----------------------------------------------------------------------------------------------


def docx_layout(data: dict[str, Any], *, total_cm: float) -> docx.GroupedLayout:
    """The VB table (as `table_data` gives it) as a grouped Word table: header, groups of rows, and column widths
    filling `total_cm` in which no word is broken (`core.docx.column_widths`)."""
    groups = [
        (
            group["group"],
            [[row["label"], row["t1"], row["t2"], row["t3"], row["total"], row["assessment"]] for row in group["rows"]],
        )
        for group in data["groups"]
    ]
    headers = [ROW_LABEL, *data["columns"]]
    # The group titles span the table: they do not decide a column's width.
    rows = [row for _title, group_rows in groups for row in group_rows]
    return headers, groups, tuple(docx.column_widths(headers, rows, total_cm=total_cm))


def add_vb_table(document: Any, data: dict[str, Any]) -> Any:
    """The VB table: a header row, then per group a header row spanning the table and its rows."""
    headers, groups, widths = docx_layout(data, total_cm=docx.usable_width_cm(document))
    return docx.add_grouped_table(document, headers, groups, widths_cm=widths)


def _caption(data: dict[str, Any]) -> str:
    return f"{data['unit']}, {data['year']}"


def _unclassified_note(document: Any, data: dict[str, Any]) -> None:
    note = unclassified_text(data["unclassified"])
    if note:
        document.add_paragraph(note).runs[0].italic = True


def unclassified_text(unclassified: dict[str, int]) -> str:
    parts = []
    if unclassified.get("deviation"):
        parts.append(antal(unclassified["deviation"], DEVIATION_FORMS))
    if unclassified.get("feedback"):
        parts.append(antal(unclassified["feedback"], FEEDBACK_FORMS))
    if not parts:
        return ""
    one = unclassified.get("deviation", 0) + unclassified.get("feedback", 0) == 1
    participle, pronoun = ("klassificerad", "den") if one else ("klassificerade", "dem")
    return (
        f"Observera: {' och '.join(parts)} är ännu inte {participle} och räknas därför inte i tabellens "
        f"grupper. Klassificera {pronoun} så att grupperna går ihop."
    )


def table_docx(data: dict[str, Any]) -> bytes:
    document = docx.new_document()
    docx.set_landscape(document.sections[0], margin_cm=1.8)
    document.add_heading(TABLE_TITLE, level=1)
    document.add_paragraph(_caption(data))
    _unclassified_note(document, data)
    add_vb_table(document, data)
    return docx.document_bytes(document)


# --- XLSX -----------------------------------------------------------------------------------------------


def table_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet: title, unit and year, the header row, then the groups (bold, shaded) and their rows. Every cell
    goes through `write_cell`: the assessments and names are users' text, never formulas."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "VB-tabell"
    write_cell(sheet, 1, 1, TABLE_TITLE).font = Font(bold=True, size=14)
    write_cell(sheet, 2, 1, "Enhet")
    write_cell(sheet, 2, 2, data["unit"])
    write_cell(sheet, 3, 1, "År")
    write_cell(sheet, 3, 2, data["year"])
    header_row = 5
    bold = Font(bold=True)
    for column, text in enumerate((ROW_LABEL, *COLUMNS), start=1):
        cell = write_cell(sheet, header_row, column, text)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
    row_number = header_row
    for group in data["groups"]:
        row_number += 1
        write_cell(sheet, row_number, 1, group["group"]).font = bold
        for column in range(1, len(COLUMNS) + 2):
            sheet.cell(row=row_number, column=column).fill = PatternFill("solid", fgColor="F2F2F2")
        for row in group["rows"]:
            row_number += 1
            values = (row["label"], row["t1"], row["t2"], row["t3"], row["total"], row["assessment"])
            for column, value in enumerate(values, start=1):
                write_cell(sheet, row_number, column, value)
            sheet.cell(row=row_number, column=6).alignment = Alignment(wrap_text=True, vertical="top")
    note = unclassified_text(data["unclassified"])
    if note:
        write_cell(sheet, row_number + 2, 1, note)
    for letter, width in zip("ABCDEF", (55, 12, 12, 15, 12, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The drill-down ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event behind a figure, as the list shows it (no client data: the link leads to the record)."""

    day: datetime.date
    kind: str
    title: str
    url: str
    category: str
    status: str


@dataclass
class Drilldown:
    key: str
    group: str
    label: str
    year: int
    tertial: int | None
    events: list[Event] = field(default_factory=list)
    hidden: int = 0  # counted in the figure but not visible to the reader


FAMILIES = {
    "lex_sarah": "lex_sarah",
    "deviation": "deviation",
    "identified": "deviation",
    "concerns": "deviation",
    "praise": "feedback",
    "feedback": "feedback",
    "feedback_other": "feedback",
    "feedback_staff": "feedback",
    "follow_up": "feedback",
    "incident": "incident",
}


def drilldown_keys(table: rules.VbTable) -> dict[str, tuple[str, str]]:
    """Every key the drill-down answers: the table's rows and the extra keys → (group, label)."""
    return {**{row.key: (row.group, row.label) for row in table.rows}, **EXTRA_KEYS}


def _year_range(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime(year, 1, 1, tzinfo=clock.STOCKHOLM),
        datetime.datetime(year + 1, 1, 1, tzinfo=clock.STOCKHOLM),
    )


def _in_tertial(day: datetime.date, year: int, tertial: int | None) -> bool:
    return day.year == year and (tertial is None or rules.tertial_of(day) == tertial)


def _counted(categories: list[rules.CategoryRef], year: int, key: str, tertial: int | None, **facts: Any) -> bool:
    """Whether `rules.vb_table` counts this one event in row `key` (and tertial): the table's own logic."""
    arguments: dict[str, Any] = {"deviations": (), "lex_sarah": (), "feedback": (), "incident_days": ()}
    arguments.update(facts)
    counts = rules.vb_table(year=year, categories=categories, **arguments).counts.get(key)
    if not counts:
        return False
    return counts[3 if tertial is None else tertial - 1] > 0


def _deviation_event(deviation: Deviation, day: datetime.date) -> Event:
    return Event(
        day=day,
        kind="Avvikelse",
        title=f"Avvikelse {deviation.pk}",
        url=reverse("quality:deviation_detail", args=[deviation.pk]),
        category=deviation.category.name if deviation.category else UNCLASSIFIED,
        status=deviation.get_status_display(),
    )


def _feedback_event(item: Feedback) -> Event:
    category = item.category.name if item.category else ("–" if item.kind == Feedback.Kind.PRAISE else UNCLASSIFIED)
    return Event(
        day=item.received_on,
        kind=item.get_kind_display(),
        title=f"{item.get_kind_display()} {item.pk}",
        url=reverse("quality:feedback_detail", args=[item.pk]),
        category=f"{category} ({item.get_source_display()})",
        status="Avslutad" if item.closed_at else "Öppen",
    )


def _deviations(actor: Any, unit_id: int, year: int, key: str, tertial: int | None, categories: Any) -> list[Event]:
    start, end = _year_range(year)
    events = []
    for deviation in visible_events(actor, "deviation").filter(
        unit_id=unit_id, reported_at__gte=start, reported_at__lt=end
    ):
        day = clock.local_date(deviation.reported_at)
        if key == DEVIATION_UNCLASSIFIED:
            matches = deviation.category_id is None and _in_tertial(day, year, tertial)
        else:
            fact = rules.DeviationFact(
                day,
                deviation.category.code if deviation.category else None,
                deviation.identified_by,
                deviation.concerns,
            )
            matches = _counted(categories, year, key, tertial, deviations=[fact])
        if matches:
            events.append(_deviation_event(deviation, day))
    return events


def _lex_sarah(actor: Any, unit_id: int, year: int, key: str, tertial: int | None, categories: Any) -> list[Event]:
    start, end = _year_range(year)
    reports = visible_events(actor, "lex_sarah").filter(unit_id=unit_id)
    if key == "lex_sarah.ivo":
        reports = reports.filter(ivo_notified_on__year=year)
    else:
        reports = reports.filter(reported_at__gte=start, reported_at__lt=end)
    events = []
    for report in reports:
        reported_day = clock.local_date(report.reported_at)
        fact = rules.LexSarahFact(reported_day, report.ivo_notified_on)
        if _counted(categories, year, key, tertial, lex_sarah=[fact]):
            day = report.ivo_notified_on if key == "lex_sarah.ivo" and report.ivo_notified_on else reported_day
            events.append(
                Event(
                    day=day,
                    kind="Lex Sarah",
                    title=f"Lex Sarah-rapport {report.pk}",
                    url=reverse("quality:lex_sarah_detail", args=[report.pk]),
                    category=report.get_assessment_display() if report.assessment else "Ej bedömd",
                    status=report.get_status_display(),
                )
            )
    return events


def _feedback(actor: Any, unit_id: int, year: int, key: str, tertial: int | None, categories: Any) -> list[Event]:
    events = []
    for item in visible_events(actor, "feedback").filter(unit_id=unit_id, received_on__year=year):
        if key == FEEDBACK_UNCLASSIFIED:
            matches = (
                item.kind != Feedback.Kind.PRAISE
                and item.category_id is None
                and _in_tertial(item.received_on, year, tertial)
            )
        elif key.startswith(FEEDBACK_KIND):
            matches = item.kind == key.removeprefix(FEEDBACK_KIND) and _in_tertial(item.received_on, year, tertial)
        else:
            fact = rules.FeedbackFact(
                item.received_on,
                item.kind,
                item.source,
                item.category.group if item.category else None,
                item.category.code if item.category else None,
                item.answered_on is not None,
                item.action_taken_on is not None,
            )
            matches = _counted(categories, year, key, tertial, feedback=[fact])
        if matches:
            events.append(_feedback_event(item))
    return events


def _incidents(actor: Any, unit_id: int, year: int, key: str, tertial: int | None, categories: Any) -> list[Event]:
    start, end = _year_range(year)
    events = []
    for incident in visible_events(actor, "incident").filter(
        unit_id=unit_id, discovered_at__gte=start, discovered_at__lt=end
    ):
        day = clock.local_date(incident.discovered_at)
        if _counted(categories, year, key, tertial, incident_days=[day]):
            imy = incident.get_imy_decision_display() if incident.imy_decision else "Inget beslut om IMY ännu"
            events.append(
                Event(
                    day=day,
                    kind="Personuppgiftsincident",
                    title=f"Personuppgiftsincident {incident.pk}",
                    url=reverse("quality:incident_detail", args=[incident.pk]),
                    category=imy,
                    status="Avslutad" if incident.closed_at else "Öppen",
                )
            )
    return events


def visible_events(actor: Any, family: str) -> Any:
    """The records of one family the actor may see (the selectors decide)."""
    return {
        "deviation": selectors.visible_deviations,
        "lex_sarah": selectors.visible_lex_sarah_reports,
        "feedback": selectors.visible_feedback,
        "incident": selectors.visible_incidents,
    }[family](actor)


COLLECTORS: dict[str, Callable[..., list[Event]]] = {
    "deviation": _deviations,
    "lex_sarah": _lex_sarah,
    "feedback": _feedback,
    "incident": _incidents,
}


def events_behind(actor: Any, *, unit_id: int, year: int, key: str, tertial: int | None) -> Drilldown:
    """The events counted in row `key` of the unit's table for `year` (and `tertial`, None: the whole year).

    Needs quality.view in the unit (PermissionDenied otherwise); an unknown key raises KeyError; a tertial
    other than 1–3 or None raises ValueError.
    """
    if tertial not in (None, 1, 2, 3):
        raise ValueError("tertial must be 1, 2 or 3")
    table = selectors.vb_table_for(actor, unit_id=unit_id, year=year)
    group, label = drilldown_keys(table)[key]
    categories = [rules.CategoryRef(c.group, c.code, c.name) for c in selectors.categories()]
    events = COLLECTORS[FAMILIES[key.split(".")[0]]](actor, unit_id, year, key, tertial, categories)
    events.sort(key=lambda event: (event.day, event.title))
    hidden = 0
    if key in table.counts:
        hidden = max(table.values(key)[3 if tertial is None else tertial - 1] - len(events), 0)
    return Drilldown(key=key, group=group, label=label, year=year, tertial=tertial, events=events, hidden=hidden)


# --- The quality report (kvalitetsberättelse) --------------------------------------------------------------

PLACEHOLDER = "[Fyll i: {}]"


@dataclass
class ReportFacts:
    """What the quality report says, gathered through the selectors."""

    unit: Unit
    year: int
    table: dict[str, Any]
    deviation_total: int = 0
    deviation_by_category: list[tuple[str, int]] = field(default_factory=list)
    lessons: list[tuple[str, str]] = field(default_factory=list)  # (category, the analysis' first line)
    lessons_withheld: int = 0  # analyses of deviations about people with protected identity
    lessons_not_readable: int = 0  # analyses of deviations about clients the reader may not see
    actions_decided: int = 0
    actions_done: int = 0
    lex_sarah_reports: int = 0
    lex_sarah_ivo: int = 0
    lex_sarah_serious: int = 0
    lex_sarah_open: int = 0
    feedback_by_kind: list[tuple[str, int]] = field(default_factory=list)
    feedback_by_source: list[tuple[str, int]] = field(default_factory=list)
    feedback_by_category: list[tuple[str, int]] = field(default_factory=list)
    feedback_answered: int = 0
    feedback_action: int = 0
    feedback_forwarded: int = 0
    incidents: int = 0
    incidents_imy: int | None = None  # None: the reader may not see the incidents themselves
    self_checks: list[Any] | None = None  # None: not available (module missing or no permission)
    self_checks_note: str = ""
    plan_items: list[tuple[str, str, list[str]]] = field(default_factory=list)
    routines: list[tuple[str, str, datetime.date]] = field(default_factory=list)
    external_identified: int = 0
    other_concerned: int = 0


def _rows(data: dict[str, Any], prefix: str) -> list[tuple[str, int]]:
    return [
        (row["label"], row["total"])
        for group in data["groups"]
        for row in group["rows"]
        if row["key"].startswith(prefix)
    ]


def _total(data: dict[str, Any], key: str) -> int:
    for group in data["groups"]:
        for row in group["rows"]:
            if row["key"] == key:
                return int(row["total"])
    return 0


def _first_line(text: str, limit: int = 200) -> str:
    line = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _self_checks(actor: Any, unit_id: int, year: int, today: datetime.date) -> tuple[list[Any] | None, str]:
    try:
        from bista.care.selfchecks import self_checks
    except ImportError:
        return None, "Egenkontrollerna i Bistå är inte tillgängliga."
    end = min(datetime.date(year, 12, 31), today)
    start = datetime.date(year, 1, 1)
    if end < start:
        return None, "Året har inte börjat."
    try:
        return list(self_checks(actor, unit_id=unit_id, start=start, end=end, today=today)), ""
    except PermissionDenied:
        return None, "Du saknar behörighet att se enhetens egenkontroller; be en chef att ta fram rapporten."


def report_facts(actor: Any, *, unit: Unit, year: int, today: datetime.date) -> ReportFacts:
    """Everything the draft says about `year`, read through the selectors (quality.view in the unit)."""
    table = selectors.vb_table_for(actor, unit_id=unit.pk, year=year)
    data = table_data(table, selectors.vb_assessments(unit_id=unit.pk, year=year), unit)
    facts = ReportFacts(unit=unit, year=year, table=data)
    start, end = _year_range(year)

    # The figures count all the unit's records (quality.view in the unit, checked above); the texts come only
    # from records the reader may read (a controller does not read deviations about clients).
    deviations = list(
        Deviation.objects.filter(unit_id=unit.pk, reported_at__gte=start, reported_at__lt=end)
        .select_related("category", "client")
        .prefetch_related("actions")
        .order_by("reported_at", "pk")
    )
    readable = set(
        selectors.visible_deviations(actor).filter(pk__in=[d.pk for d in deviations]).values_list("pk", flat=True)
    )
    facts.deviation_total = len(deviations)
    by_category = Counter(d.category.name if d.category else UNCLASSIFIED for d in deviations)
    facts.deviation_by_category = [
        *[(label, count) for label, count in _rows(data, "deviation.")],
        *([(UNCLASSIFIED, by_category[UNCLASSIFIED])] if by_category[UNCLASSIFIED] else []),
    ]
    for deviation in deviations:
        if deviation.analysis.strip():
            if deviation.client is not None and deviation.client.protected_identity:
                facts.lessons_withheld += 1
            elif deviation.pk not in readable:
                facts.lessons_not_readable += 1
            else:
                category = deviation.category.name if deviation.category else UNCLASSIFIED
                facts.lessons.append((category, _first_line(deviation.analysis)))
        actions = list(deviation.actions.all())
        facts.actions_decided += len(actions)
        facts.actions_done += sum(1 for action in actions if action.done_on is not None)
    facts.external_identified = _total(data, "identified.external")
    facts.other_concerned = _total(data, "concerns.other")

    reports = list(LexSarahReport.objects.filter(unit_id=unit.pk, reported_at__gte=start, reported_at__lt=end))
    facts.lex_sarah_reports = _total(data, "lex_sarah.reports")
    facts.lex_sarah_ivo = _total(data, "lex_sarah.ivo")
    facts.lex_sarah_serious = sum(1 for report in reports if report.serious)
    facts.lex_sarah_open = sum(1 for report in reports if report.status != LexSarahReport.Status.CLOSED)

    feedback = list(Feedback.objects.filter(unit_id=unit.pk, received_on__year=year))
    kinds = Counter(item.kind for item in feedback)
    facts.feedback_by_kind = [(str(label), kinds[kind]) for kind, label in Feedback.Kind.choices]
    facts.feedback_by_source = _rows(data, "feedback.source.")
    facts.feedback_by_category = [
        *[(f"{label} (verksamhet och personal)", n) for label, n in _rows(data, "feedback_staff.")],
        *[(f"{label} (ej personalrelaterade)", n) for label, n in _rows(data, "feedback_other.")],
    ]
    facts.feedback_answered = _total(data, "follow_up.answered")
    facts.feedback_action = _total(data, "follow_up.action")
    facts.feedback_forwarded = sum(1 for item in feedback if item.forwarded_on)

    facts.incidents = _total(data, "incident")
    if has_perm(actor, Perm.QUALITY_INCIDENT, unit.pk):
        facts.incidents_imy = (
            selectors.visible_incidents(actor)
            .filter(unit_id=unit.pk, discovered_at__gte=start, discovered_at__lt=end)
            .filter(imy_decision=DataIncident.ImyDecision.NOTIFY)
            .count()
        )

    facts.self_checks, facts.self_checks_note = _self_checks(actor, unit.pk, year, today)
    for item in selectors.self_check_plan(actor, unit.pk):
        results = [
            f"{result.performed_on:%Y-%m-%d}: {_first_line(result.result)}"
            for result in item.results.all()
            if result.performed_on.year == year
        ]
        facts.plan_items.append((item.what, item.get_frequency_display(), results))
    facts.routines = [
        (routine.name, routine.version_label, routine.reviewed_on)
        for routine in selectors.visible_routines(actor).filter(unit_id=unit.pk, is_active=True).order_by("name")
    ]
    return facts


def _placeholder(document: Any, what: str) -> None:
    document.add_paragraph().add_run(PLACEHOLDER.format(what)).italic = True


def _figure_table(document: Any, headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> Any:
    table = docx.add_table(document, list(headers), [list(values) for values in rows])
    document.add_paragraph()
    return table


def _share(numerator: int, denominator: int) -> str:
    return "–" if not denominator else f"{round(100 * numerator / denominator)} %"


def quality_report_docx(facts: ReportFacts, *, generated_on: datetime.date) -> bytes:
    """The draft kvalitetsberättelse: the sections units use, as Word headings, with the year's figures."""
    document = docx.new_document()
    unit, year = facts.unit, facts.year
    document.add_heading(f"Kvalitetsberättelse {year}", level=0)
    document.add_paragraph(f"{unit.name}. Utkast framtaget ur Bistå {generated_on:%Y-%m-%d}.")
    docx.add_toc_field(document)

    document.add_heading("Inledning", level=1)
    document.add_paragraph(
        f"Kvalitetsberättelsen beskriver hur {unit.name} har arbetat med systematiskt kvalitetsarbete under "
        f"{year} enligt Socialstyrelsens föreskrifter och allmänna råd om ledningssystem för systematiskt "
        "kvalitetsarbete (SOSFS 2011:9). Siffrorna är hämtade ur det som har registrerats i Bistå."
    )
    _placeholder(document, "kort beskrivning av verksamheten, dess uppdrag och årets viktigaste händelser")

    document.add_heading("Övergripande mål och strategier", level=1)
    _placeholder(document, "nämndens och enhetens mål för kvalitetsarbetet och hur de har följts upp")

    document.add_heading("Organisatoriskt ansvar", level=1)
    _placeholder(document, "vem som ansvarar för vad i kvalitetsarbetet: nämnd, förvaltning, enhetschef, medarbetare")

    document.add_heading("Samverkan", level=1)
    document.add_paragraph(
        f"Under året identifierades {antal(facts.external_identified, DEVIATION_FORMS)} av en extern "
        "samverkanspart och "
        f"{antal(facts.other_concerned, DEVIATION_FORMS)} avsåg en annan verksamhet. "
        f"{antal(facts.feedback_forwarded, FEEDBACK_FORMS)} vidarebefordrades till en annan utförare."
    )
    _placeholder(document, "vilka processer som kräver samverkan och med vilka (intern och extern samverkan)")

    document.add_heading("Egenkontroller", level=1)
    if facts.self_checks:
        document.add_paragraph("Egenkontroller beräknade ur registreringarna i Bistå för året:")
        _figure_table(
            document,
            ("Egenkontroll", "Uppfyllt", "Totalt", "Andel"),
            (
                (check.name, check.numerator, check.denominator, _share(check.numerator, check.denominator))
                for check in facts.self_checks
            ),
        )
    elif facts.self_checks_note:
        document.add_paragraph(facts.self_checks_note)
    if facts.plan_items:
        document.add_heading("Egenkontrollplanen", level=2)
        for what, frequency, results in facts.plan_items:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{what} ({frequency.lower()}): ").bold = True
            paragraph.add_run("; ".join(results) if results else "inget resultat registrerat under året")
    _placeholder(document, "vilka egenkontroller som har gjorts, vad de visade och vad det ledde till")

    document.add_heading("Riskanalys", level=1)
    _placeholder(document, "hur risker har identifierats och bedömts och vilka åtgärder det har lett till")

    document.add_heading("Avvikelser", level=1)
    document.add_paragraph(f"Under {year} rapporterades {antal(facts.deviation_total, DEVIATION_FORMS)}.")
    _figure_table(document, ("Kategori", "Antal"), facts.deviation_by_category)
    document.add_heading("Vad vi har lärt oss", level=2)
    if facts.lessons:
        for category, line in facts.lessons:
            document.add_paragraph(f"{category}: {line}", style="List Bullet")
    else:
        document.add_paragraph("Inga orsaksanalyser är registrerade för årets avvikelser.")
    if facts.lessons_withheld:
        document.add_paragraph(
            f"{facts.lessons_withheld} analyser gäller personer med skyddade personuppgifter och redovisas inte här."
        )
    if facts.lessons_not_readable:
        document.add_paragraph(
            f"{facts.lessons_not_readable} analyser gäller brukare som du inte har behörighet att se och redovisas "
            "inte här."
        )
    _placeholder(document, "analys av avvikelserna: mönster, orsaker och vad verksamheten har förändrat")

    document.add_heading("Lex Sarah", level=1)
    document.add_paragraph(
        f"Under {year} inkom {facts.lex_sarah_reports} lex Sarah-rapporter. {facts.lex_sarah_serious} bedömdes "
        f"som allvarliga och {facts.lex_sarah_ivo} anmälningar gjordes till IVO under året (en anmälan räknas "
        "det år den gjordes, även om rapporten kom in tidigare). "
        f"{facts.lex_sarah_open} av årets rapporter är ännu inte avslutade."
    )
    _placeholder(document, "vad rapporterna gällde och vilka åtgärder utredningarna ledde till")

    document.add_heading("Synpunkter och klagomål", level=1)
    document.add_heading("Per typ", level=2)
    _figure_table(document, ("Typ", "Antal"), facts.feedback_by_kind)
    document.add_heading("Från vem", level=2)
    _figure_table(document, ("Från", "Antal"), facts.feedback_by_source)
    document.add_heading("Per kategori", level=2)
    _figure_table(document, ("Kategori", "Antal"), facts.feedback_by_category)
    document.add_paragraph(
        f"Återkoppling har lämnats på {facts.feedback_answered} och åtgärder har vidtagits för "
        f"{facts.feedback_action} av de klassificerade synpunkterna och klagomålen."
    )
    _placeholder(document, "vad synpunkterna och klagomålen handlade om och vad de ledde till")

    document.add_heading("Personuppgiftsincidenter", level=1)
    imy = (
        f", varav {facts.incidents_imy} anmäldes till IMY"
        if facts.incidents_imy is not None
        else " (uppgift om anmälan till IMY visas för den som handlägger incidenter)"
    )
    document.add_paragraph(f"Under {year} registrerades {facts.incidents} personuppgiftsincidenter{imy}.")
    _placeholder(document, "vilka slags incidenter och vilka åtgärder de ledde till")

    document.add_heading("Åtgärder för att säkra kvaliteten", level=1)
    document.add_paragraph(
        f"Efter årets avvikelser beslutades {antal(facts.actions_decided, 'åtgärd,åtgärder')}, "
        f"varav {facts.actions_done} är klara."
    )
    if facts.routines:
        document.add_heading("Gällande rutiner", level=2)
        _figure_table(
            document,
            ("Rutin", "Version", "Senast reviderad"),
            ((name, version, f"{reviewed:%Y-%m-%d}") for name, version, reviewed in facts.routines),
        )
    _placeholder(document, "vilka förbättringar som har genomförts och hur de har följts upp")

    document.add_heading("Mål och strategier för kommande år", level=1)
    _placeholder(document, f"mål och prioriteringar för kvalitetsarbetet {year + 1}")

    docx.set_landscape(document.add_section(), margin_cm=1.8)
    document.add_heading(TABLE_TITLE, level=1)
    document.add_paragraph(_caption(facts.table))
    _unclassified_note(document, facts.table)
    add_vb_table(document, facts.table)
    return docx.document_bytes(document)
