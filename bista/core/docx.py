"""Word documents (DOCX, A4) built with python-docx: the helpers every context's documents share — a document
with Bistå's defaults (A4, page numbers in the footer), labelled fields, text sections, tables whose header
repeats on every page (and which screen readers know as headers) and whose rows never split across two pages,
grouped tables, landscape sections, a table of contents, the download.

Why here: the quality system's documents, the VP/VB and the casework letters all write the same kind of
Word file; each context builds its own content from these pieces instead of importing another's renderer.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from PIL import ImageFont

from bista.core import clock

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EMPTY = "–"
# A grouped table's layout: the header, the groups (title, rows) and the column widths in cm.
GroupedLayout = tuple[list[str], list[tuple[str, list[list[Any]]]], tuple[float, ...]]
HEADER_FILL = "D9E2F3"
GROUP_FILL = "F2F2F2"
# Characters XML 1.0 cannot hold (python-docx refuses them): control characters other than tab and newline.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(value: Any) -> str:
    """A value as text a DOCX can hold (control characters and lone surrogates dropped)."""
    if value is None:
        return ""
    return _XML_INVALID.sub("", str(value))


def format_date(value: datetime.date | None) -> str:
    return value.isoformat() if value else EMPTY


def format_moment(value: datetime.datetime | None) -> str:
    """An aware moment as Stockholm wall-clock time, e.g. 2025-03-30 14:05."""
    return value.astimezone(clock.STOCKHOLM).strftime("%Y-%m-%d %H:%M") if value else EMPTY


def new_document(title: str | None = None) -> DocumentType:
    """An empty A4 document with Bistå's defaults (Calibri 11, Swedish); the title, if given, as its first heading."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    style = document.styles["Normal"]
    style.font.name = "Calibri"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    document.core_properties.language = "sv-SE"
    add_page_numbers(section)
    if title is not None:
        document.core_properties.title = clean_text(title)
        document.add_heading(clean_text(title), level=0)
    return document


def _field_runs(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES …) as begin/instruction/separate/result/end runs, so Word and LibreOffice
    both compute it when the page is laid out; the shown result before that is "1"."""
    for tag, attrs, text in (
        ("w:fldChar", {"w:fldCharType": "begin"}, None),
        ("w:instrText", {"xml:space": "preserve"}, f" {instruction} "),
        ("w:fldChar", {"w:fldCharType": "separate"}, None),
        ("w:t", {}, "1"),
        ("w:fldChar", {"w:fldCharType": "end"}, None),
    ):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text:
            element.text = text
        paragraph.add_run()._r.append(element)


def add_page_numbers(section: Any) -> None:
    """ "Sida N av M" centred in the section's footer. Later sections of the document link to this footer (Word's
    default), so a landscape section keeps its page numbers."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Sida ")
    _field_runs(paragraph, "PAGE")
    paragraph.add_run(" av ")
    _field_runs(paragraph, "NUMPAGES")


def keep_row_together(row: Any) -> None:
    """A table row that Word moves whole to the next page instead of splitting it across two."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:cantSplit")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


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


def add_paragraphs(document: DocumentType, value: Any) -> None:
    """Free text, one Word paragraph per paragraph of the text (a dash when empty)."""
    text = clean_text(value).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()] or [EMPTY]
    for part in paragraphs:
        document.add_paragraph(part.strip())


def add_text_section(document: DocumentType, heading: str, value: Any, *, level: int = 2) -> None:
    """A heading and its free text, one paragraph per paragraph of the text."""
    document.add_heading(clean_text(heading), level=level)
    add_paragraphs(document, value)


def repeat_header(row: Any) -> None:
    """Mark a table row as the header row: Word repeats it on every page, screen readers read it as headers."""
    keep_row_together(row)
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def shade(cell: Any, fill: str) -> None:
    """A cell's background colour (hex without #)."""
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def cell_text(cell: Any, text: Any, *, bold: bool = False) -> None:
    """Replace a cell's text with one run."""
    cell.text = ""
    cell.paragraphs[0].add_run(clean_text(text)).bold = bold


def add_table(
    document: DocumentType,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    widths_cm: Sequence[float] | None = None,
    header_fill: str | None = None,
) -> Any:
    """A table with a header row (bold, repeated on every page), then the rows as text."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell_text(cell, header, bold=True)
        if header_fill:
            shade(cell, header_fill)
    for row in rows:
        added = table.add_row()
        keep_row_together(added)
        for cell, value in zip(added.cells, row, strict=True):
            cell.text = clean_text(value)
    _set_widths(table, widths_cm)
    return table


def add_grouped_table(
    document: DocumentType,
    headers: Sequence[str],
    groups: Iterable[tuple[str, Iterable[Sequence[Any]]]],
    *,
    widths_cm: Sequence[float] | None = None,
) -> Any:
    """A table whose rows come in groups: the header row, then per group a shaded row spanning the table with
    the group's title, then its rows."""
    table = add_table(document, headers, [], header_fill=HEADER_FILL)
    for title, rows in groups:
        group_row = table.add_row()
        keep_row_together(group_row)
        merged = group_row.cells[0].merge(group_row.cells[-1])
        cell_text(merged, title, bold=True)
        shade(merged, GROUP_FILL)
        for row in rows:
            added = table.add_row()
            keep_row_together(added)
            for cell, value in zip(added.cells, row, strict=True):
                cell.text = clean_text(value)
    _set_widths(table, widths_cm)
    return table


def _set_widths(table: Any, widths_cm: Sequence[float] | None) -> None:
    if not widths_cm:
        return
    # Fixed widths: Word's autofit would otherwise squeeze a column below the width its widths were chosen for.
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


# --- Column widths that keep words whole ---------------------------------------------------------------------

POINT_CM = 2.54 / 72
CELL_MARGINS_CM = 0.4  # Word's default cell margins (0.19 cm each side) and a little air
# Measured with DejaVu Sans, which sets every letter wider than Calibri (the documents' font): a column wide
# enough for a word in DejaVu is wide enough for it in Word. Without the font, 0.75 em per letter errs wide too.
_MEASURE_FONTS = {False: "DejaVuSans.ttf", True: "DejaVuSans-Bold.ttf"}
_FALLBACK_EM = 0.75
# A word: what lies between spaces, but a number written with spaces between its thousands is one word.
_WORD = re.compile(r"\S+(?:[ \u00a0\u202f]\d{3}(?!\S))*")


@functools.cache
def _measure_font(bold: bool) -> ImageFont.FreeTypeFont | None:
    try:
        return ImageFont.truetype(_MEASURE_FONTS[bold], size=100)
    except OSError:
        return None


def text_width_cm(text: str, *, bold: bool = False, size_pt: float = 11) -> float:
    """The width of `text` on one line at `size_pt` points (an upper bound for Calibri)."""
    font = _measure_font(bold)
    ems = font.getlength(text) / 100 if font is not None else _FALLBACK_EM * len(text)
    return ems * size_pt * POINT_CM


def words(value: Any) -> list[str]:
    return _WORD.findall(clean_text(value))


def longest_word_cm(value: Any, *, bold: bool = False, size_pt: float = 11) -> float:
    return max((text_width_cm(word, bold=bold, size_pt=size_pt) for word in words(value)), default=0.0)


def column_widths(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, total_cm: float, size_pt: float = 11
) -> list[float]:
    """Column widths (cm) filling `total_cm` where no column is narrower than its longest word (the header's in
    bold) with the cell margins, so that Word never breaks a word across lines. The room left is shared in
    proportion to how much wider than that each column's longest text would be on one line. If the words alone
    need more than `total_cm`, the minimum widths are returned: the table then runs into the margin rather than
    breaking words (use a landscape section for such a table)."""
    columns: list[list[tuple[str, bool]]] = [[(str(header), True)] for header in headers]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append((clean_text(value), False))
    minima = [
        max(longest_word_cm(text, bold=bold, size_pt=size_pt) for text, bold in column) + CELL_MARGINS_CM
        for column in columns
    ]
    spare = total_cm - sum(minima)
    if spare <= 0:
        return [round(width, 2) for width in minima]
    natural = [
        max(text_width_cm(text, bold=bold, size_pt=size_pt) for text, bold in column) + CELL_MARGINS_CM
        for column in columns
    ]
    wishes = [max(n - m, 0.0) for n, m in zip(natural, minima, strict=True)]
    if sum(wishes) <= 0:
        wishes = minima
    # Floor, not round: the widths must not add up to more than the room.
    return [int((m + spare * w / sum(wishes)) * 100) / 100 for m, w in zip(minima, wishes, strict=True)]


def usable_width_cm(document: DocumentType) -> float:
    """The width between the margins of the document's last section (where a table added now goes)."""
    section = document.sections[-1]
    width, left, right = section.page_width or 0, section.left_margin or 0, section.right_margin or 0
    return float((width - left - right) / 360000)


def set_landscape(section: Any, *, margin_cm: float | None = None) -> None:
    """Turn a section into A4 landscape (for wide tables), optionally with even margins."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    if margin_cm is not None:
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(margin_cm))


def add_landscape_section(document: DocumentType) -> Any:
    """A new section in A4 landscape, from the next page on."""
    section = document.add_section()
    set_landscape(section)
    return section


def add_toc(document: DocumentType, entries: Sequence[tuple[int, str]], *, levels: str = "1-3") -> None:
    """A Word table-of-contents field whose shown result is already the list of headings (level, text), so it
    reads well before anyone updates fields (Word then adds the page numbers)."""
    begin = document.add_paragraph()
    run = begin.add_run()
    for tag, attrs, text in (
        ("w:fldChar", {"w:fldCharType": "begin"}, None),
        ("w:instrText", {"xml:space": "preserve"}, f'TOC \\o "{levels}" \\h \\z \\u'),
        ("w:fldChar", {"w:fldCharType": "separate"}, None),
    ):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text:
            element.text = text
        run._r.append(element)
    for level, heading in entries:
        paragraph = document.add_paragraph(clean_text(heading))
        paragraph.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        if level == 1:
            paragraph.runs[0].bold = True
    end = document.add_paragraph()
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), "end")
    end.add_run()._r.append(element)


def document_bytes(document: DocumentType) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def safe_filename(name: str) -> str:
    """A file name that survives every browser and file system: ASCII letters, digits, dash, dot."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9.\-]+", "-", ascii_name).strip("-.")
    return ascii_name or "dokument"


def docx_response(document: DocumentType | bytes, filename: str) -> HttpResponse:
    """The document (or its bytes) as a download; `filename` with or without .docx."""
    name = safe_filename(filename.removesuffix(".docx"))
    content = document if isinstance(document, bytes) else document_bytes(document)
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    response["Cache-Control"] = "no-store"
    return response


def add_toc_field(document: DocumentType) -> None:
    """A table-of-contents field over the Word headings that Word fills in when the fields are updated (for
    documents whose headings are not known up front); the document asks Word to update fields on opening."""
    paragraph = document.add_paragraph()
    field_element = OxmlElement("w:fldSimple")
    field_element.set(qn("w:instr"), 'TOC \\o "1-3" \\h \\z \\u')
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "Innehållsförteckningen skapas när fälten uppdateras (högerklicka och välj Uppdatera fält)."
    run.append(text)
    field_element.append(run)
    paragraph._p.append(field_element)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    document.settings.element.append(update)
