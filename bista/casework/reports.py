"""The quarterly report on ej verkställda beslut as files the municipality's reporter keys into IVO's
e-service (CSV, XLSX, PDF), and the council's statistics as PDF. One row per individual report, in IVO's
terms: the pseudonymised code, gender, service and legal basis, decision date, the interruption's date,
the reason for the delay, an offer declined, and — in the final report — the date executed or ended."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from bista.casework import rules
from bista.casework.models import ExecutionDelay, IvoReportRow
from bista.casework.selectors import IvoRow, StatRow
from bista.core.pdf import render_pdf
from bista.core.xlsx import write_cell

HEADER = (
    "Kod",
    "Kön",
    "Insats",
    "Lagrum",
    "Beslutsdatum",
    "Avser",
    "Avbrott från",
    "Skäl till dröjsmål",
    "Beskrivning",
    "Erbjudande avböjt",
    "Slutrapport",
    "Datum verkställt/avslutat",
)
KINDS = {rules.NOT_EXECUTED: "Ej verkställt beslut", rules.INTERRUPTED: "Avbrott i verkställighet"}
FINALS = {"executed": "Verkställt", "resumed": "Återupptaget", "ended": "Avslutat/upphört", "": ""}
GENDERS = {"K": "Kvinna", "M": "Man"}


def row_cells(row: IvoRow) -> list[Any]:
    delay = row.delay
    return [
        row.pseudonym,
        GENDERS.get(row.gender, "Uppgift saknas"),
        row.decision.service.name,
        row.decision.service.legal_reference,
        f"{row.decision.decision_date:%Y-%m-%d}",
        KINDS[row.report.kind],
        f"{row.report.since:%Y-%m-%d}" if row.report.kind == rules.INTERRUPTED else "",
        ExecutionDelay.Reason(delay.reason).label if delay else "Ej angivet",
        delay.note if delay else "",
        f"{delay.offer_declined_on:%Y-%m-%d}" if delay and delay.offer_declined_on else "",
        FINALS[row.report.final_kind],
        f"{row.report.final_on:%Y-%m-%d}" if row.report.final_on else "",
    ]


def kept_row_cells(row: IvoReportRow) -> list[Any]:
    """A row of a kept report, as it was reported (the copy, not today's facts)."""
    return [
        row.pseudonym,
        GENDERS.get(row.gender, "Uppgift saknas"),
        row.service_name,
        row.legal_reference,
        f"{row.decision_date:%Y-%m-%d}",
        KINDS[row.kind],
        f"{row.interrupted_on:%Y-%m-%d}" if row.interrupted_on else "",
        ExecutionDelay.Reason(row.reason).label if row.reason in ExecutionDelay.Reason.values else "Ej angivet",
        row.note,
        f"{row.offer_declined_on:%Y-%m-%d}" if row.offer_declined_on else "",
        FINALS.get(row.final_kind, ""),
        f"{row.final_on:%Y-%m-%d}" if row.final_on else "",
    ]


def ivo_xlsx(cells: Sequence[list[Any]], *, unit_name: str, quarter: rules.Quarter, kept: str = "") -> bytes:
    """`cells` from `row_cells` (today's report) or `kept_row_cells` (a kept one, `kept` saying which)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Ej verkställda beslut"
    write_cell(sheet, 1, 1, f"Ej verkställda beslut, {quarter.label}").font = Font(bold=True, size=14)
    write_cell(sheet, 2, 1, "Enhet")
    write_cell(sheet, 2, 2, unit_name)
    if kept:
        write_cell(sheet, 3, 1, kept)
    for column, title in enumerate(HEADER, start=1):
        write_cell(sheet, 4, column, title).font = Font(bold=True)
    for index, row in enumerate(cells, start=5):
        for column, value in enumerate(row, start=1):
            write_cell(sheet, index, column, value)
    sheet.freeze_panes = sheet.cell(row=5, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ivo_pdf(cells: Sequence[list[Any]], *, unit_name: str, quarter: rules.Quarter, kept: str = "") -> bytes:
    return render_pdf(
        "casework/ivo_print.html",
        {"header": HEADER, "rows": cells, "unit_name": unit_name, "quarter": quarter, "kept": kept},
    )


def statistics_pdf(rows: Sequence[StatRow], *, unit_name: str, quarter: rules.Quarter) -> bytes:
    return render_pdf("casework/statistics_print.html", {"rows": rows, "unit_name": unit_name, "quarter": quarter})
