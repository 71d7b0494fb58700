"""DOCX documents of the quality system, built with python-docx: the Lex Sarah notification to IVO, and the
small helpers the VB exports share (a document with Bistå's defaults, labelled fields, tables, the download).

Documents about a client name them only as "brukaren": no name, no personnummer. Building a document reads
no database row the caller has not already fetched through a selector.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.document import Document as DocumentType
from docx.oxml import OxmlElement
from docx.shared import Pt

from bista.core.clock import STOCKHOLM
from bista.quality.models import LexSarahReport

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IVO_HEADING = "Anmälan enligt lex Sarah till Inspektionen för vård och omsorg (IVO)"
EMPTY = "–"
# Characters XML 1.0 cannot hold (python-docx refuses them): control characters other than tab and newline.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# --- Helpers shared by every quality document ---------------------------------------------------------


def clean_text(value: Any) -> str:
    """A value as text a DOCX can hold (control characters and lone surrogates dropped)."""
    if value is None:
        return ""
    return _XML_INVALID.sub("", str(value))


def format_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else EMPTY


def format_moment(value: datetime.datetime | None) -> str:
    """An aware moment as Stockholm wall-clock time, e.g. 2025-03-30 14:05."""
    return value.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") if value else EMPTY


def new_document(title: str) -> DocumentType:
    """An empty document with Bistå's defaults: Swedish-friendly font and the title as the first heading."""
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    document.core_properties.title = clean_text(title)
    document.core_properties.language = "sv-SE"
    document.add_heading(clean_text(title), level=0)
    return document


def add_field(document: DocumentType, label: str, value: Any) -> None:
    """A labelled value: the label in bold, then the text (line breaks kept; empty shown as a dash)."""
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{clean_text(label)}: ").bold = True
    text = clean_text(value).strip() or EMPTY
    lines = text.splitlines() or [EMPTY]
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        if index < len(lines) - 1:
            run.add_break()


def add_text_section(document: DocumentType, heading: str, value: Any, *, level: int = 2) -> None:
    """A heading and its free text, one paragraph per paragraph of the text."""
    document.add_heading(clean_text(heading), level=level)
    text = clean_text(value).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()] or [EMPTY]
    for part in paragraphs:
        document.add_paragraph(part.strip())


def add_table(document: DocumentType, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Any:
    """A table with a header row (marked as such, so it repeats on every page and screen readers know it)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = clean_text(header)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    header_row = table.rows[0]._tr
    properties = header_row.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    properties.append(marker)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = clean_text(value)
    return table


def document_bytes(document: DocumentType) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def safe_filename(name: str) -> str:
    """A file name that survives every browser and file system: ASCII letters, digits, dash, dot."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9.\-]+", "-", ascii_name).strip("-.")
    return ascii_name or "dokument"


def docx_response(document: DocumentType, filename: str) -> HttpResponse:
    """The document as a download; `filename` with or without .docx."""
    name = safe_filename(filename.removesuffix(".docx"))
    response = HttpResponse(document_bytes(document), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    response["Cache-Control"] = "no-store"
    return response


# --- The Lex Sarah notification to IVO ----------------------------------------------------------------


class NotSerious(ValueError):
    """Only a report assessed as a serious impropriety (or serious risk of one) is notified to IVO."""


def _person(user: Any) -> str:
    if user is None:
        return EMPTY
    return user.get_full_name().strip() or user.username


def _provider_lines(report: LexSarahReport) -> list[tuple[str, str]]:
    unit = report.unit
    department = unit.department
    district = department.district
    return [
        ("Vårdgivare/huvudman", f"{district.municipality.name}, {district.name}"),
        ("Förvaltning/avdelning", department.name),
        ("Verksamhet (enhet)", unit.name),
    ]


def ivo_notification(report: LexSarahReport, *, today: datetime.date) -> DocumentType:
    """The notification of a serious Lex Sarah report, with the investigation attached ("Bilaga: Utredning").

    The client is named only as "brukaren". Raises NotSerious for a report not assessed as serious.
    """
    if report.serious is not True:
        raise NotSerious("Rapporten är inte bedömd som ett allvarligt missförhållande.")
    document = new_document(IVO_HEADING)
    document.add_paragraph(
        "Anmälan görs enligt 14 kap. 7 § socialtjänstlagen respektive 24 f § LSS. "
        "Den enskilde benämns i anmälan endast som brukaren."
    )

    document.add_heading("Vårdgivare och verksamhet", level=1)
    for label, value in _provider_lines(report):
        add_field(document, label, value)

    document.add_heading("Anmälan", level=1)
    add_field(document, "Datum för anmälan", format_date(report.ivo_notified_on or today))
    add_field(document, "Rapportens nummer hos verksamheten", f"Lex Sarah nr {report.pk}")
    if report.ivo_reference:
        add_field(document, "IVO:s diarienummer", report.ivo_reference)
    add_field(document, "Rapporten mottogs", format_moment(report.reported_at))
    add_field(document, "Registrerad", format_moment(report.registered_at))
    add_field(document, "Berör en enskild brukare", "Ja, brukaren" if report.client_id else "Nej")

    document.add_heading("Händelsen", level=1)
    add_field(document, "När inträffade det", format_moment(report.occurred_at))
    add_text_section(document, "Vad har hänt", report.what_happened)
    add_text_section(document, "Omedelbara åtgärder", report.remedy)
    add_field(document, "Åtgärdat", format_moment(report.remedied_at))

    document.add_heading("Bedömning", level=1)
    add_field(document, "Bedömning", report.get_assessment_display() if report.assessment else EMPTY)
    add_field(document, "Allvarligt", "Ja")
    add_field(document, "Bedömd", format_moment(report.assessed_at))
    add_field(document, "Bedömd av", _person(report.assessed_by))
    add_text_section(document, "Motivering", report.assessment_reason)

    document.add_page_break()
    document.add_heading("Bilaga: Utredning", level=1)
    add_field(document, "Utredningen klar", format_moment(report.investigated_at))
    add_field(document, "Utredd av", _person(report.investigated_by))
    add_text_section(document, "Vad har hänt enligt utredningen", report.investigation_events)
    add_text_section(document, "Brukarens uppfattning", report.client_view)
    add_text_section(document, "Orsaker", report.causes)
    add_text_section(document, "Åtgärder för att förhindra att det händer igen", report.preventive_actions)
    add_field(document, "Brukaren informerad", format_date(report.client_informed_on))
    if report.decision:
        add_text_section(document, "Beslut", report.decision)
        add_field(document, "Beslutsdatum", format_date(report.decided_on))
    return document
