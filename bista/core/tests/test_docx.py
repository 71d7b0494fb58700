"""The shared Word helpers: what every Bistå document gets without asking (A4, page numbers, rows kept whole,
repeated headers), read back from the saved file."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn

from bista.core import docx


def _reopened(document) -> object:
    return Document(io.BytesIO(docx.document_bytes(document)))


def _instructions(paragraph) -> list[str]:
    return [element.text.strip() for element in paragraph._p.iter(qn("w:instrText"))]


def test_a_new_document_is_a4_with_page_n_of_m_in_the_footer():
    document = _reopened(docx.new_document("Verksamhetsberättelse"))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    footer = section.footer.paragraphs[0]
    assert _instructions(footer) == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Sida ") and " av " in footer.text


def test_a_landscape_section_keeps_the_page_numbers():
    document = docx.new_document()
    docx.add_landscape_section(document)
    reopened = _reopened(document)
    landscape = reopened.sections[-1]
    assert landscape.footer.is_linked_to_previous
    assert _instructions(landscape.footer.paragraphs[0]) == ["PAGE", "NUMPAGES"]


def _row_flags(table) -> list[tuple[bool, bool]]:
    flags = []
    for row in table.rows:
        properties = row._tr.trPr
        names = [child.tag for child in properties] if properties is not None else []
        flags.append((qn("w:cantSplit") in names, qn("w:tblHeader") in names))
    return flags


def test_table_rows_never_split_and_only_the_header_repeats():
    document = docx.new_document()
    docx.add_table(document, ["Månad", "Utfall"], [["Januari", "1 000"], ["Februari", "2 000"]])
    table = _reopened(document).tables[0]
    assert _row_flags(table) == [(True, True), (True, False), (True, False)]


def test_grouped_table_rows_never_split_either():
    document = docx.new_document()
    docx.add_grouped_table(document, ["Ärende", "Status"], [("Grupp A", [["1", "Öppen"]]), ("Grupp B", [])])
    table = _reopened(document).tables[0]
    assert [can_split for can_split, _ in _row_flags(table)] == [True, True, True, True]


def test_keep_row_together_comes_before_the_header_mark_as_the_schema_orders_them():
    document = docx.new_document()
    table = docx.add_table(document, ["A"], [])
    names = [child.tag for child in table.rows[0]._tr.trPr]
    assert names.index(qn("w:cantSplit")) < names.index(qn("w:tblHeader"))


def test_column_widths_keep_the_longest_word_of_each_column_whole():
    headers = ["Klagomål/synpunkter/kategorier", "Utfall T1", "Bedömning och planerade åtgärder"]
    rows = [["Medarbetare", "−1 234 567", "Gruppsamtal om avvikelserna och en lång text " * 4]]
    widths = docx.column_widths(headers, rows, total_cm=23.0)
    assert sum(widths) <= 23.0
    minima = [
        docx.longest_word_cm(headers[0], bold=True),
        docx.longest_word_cm("−1 234 567"),  # a number with spaces between its thousands is one word
        docx.longest_word_cm("planerade", bold=True),
    ]
    for width, minimum in zip(widths, minima, strict=True):
        assert width >= minimum + docx.CELL_MARGINS_CM - 0.01
    # the long text takes the room that is left
    assert widths[2] == max(widths)


def test_column_widths_never_go_below_the_words_even_when_the_page_is_too_narrow():
    widths = docx.column_widths(["Ackumulerad", "avvikelse"], [], total_cm=1.0)
    assert widths[0] >= docx.longest_word_cm("Ackumulerad", bold=True) + docx.CELL_MARGINS_CM - 0.01


def test_a_table_with_widths_is_fixed_in_word():
    document = docx.new_document()
    docx.add_table(document, ["A", "B"], [["1", "2"]], widths_cm=[3.0, 4.0])
    table = _reopened(document).tables[0]
    assert [round(column.width.cm, 1) for column in table.columns] == [3.0, 4.0]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
