"""The month's invoice bases as files: CSV and XLSX (one row per line, invoices and credits) and a PDF for
the purchaser (core/pdf.py). The rows come from `selectors.invoices`, which checks access and logs the
clients named."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.http import HttpResponse

from bista.core import clock
from bista.core.csvexport import CsvDownload
from bista.core.models import Unit
from bista.core.pdf import render_pdf
from bista.core.xlsx import write_cell
from bista.economy.models import Band

FORMATS = ("csv", "xlsx", "pdf")
HEADER = ["Fakturanummer", "Typ", "Krediterar", "Månad", "Brukare", "Insats", "Tidsband", "Timmar", "Timpris", "Belopp"]
BAND_LABELS = dict(Band.choices)


def _rows(rows: list[Any]) -> list[list[Any]]:
    result = []
    for view in rows:
        invoice = view.invoice
        for line, label in view.lines:
            result.append(
                [
                    invoice.number,
                    invoice.get_kind_display(),
                    invoice.credits.number if invoice.credits else "",
                    f"{invoice.month:%Y-%m}",
                    label,
                    line.service_code,
                    BAND_LABELS.get(line.band, line.band),
                    line.hours,
                    line.rate,
                    line.amount,
                ]
            )
    return result


def invoice_response(unit: Unit, month: datetime.date, rows: list[Any], fmt: str) -> HttpResponse:
    basename = f"fakturaunderlag-{unit.pk}-{month:%Y-%m}"
    if fmt == "csv":
        download = CsvDownload(basename, HEADER)
        for row in _rows(rows):
            download.row(row)
        return download.response
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "Fakturaunderlag"  # type: ignore[union-attr]
        for r, row in enumerate([HEADER, *_rows(rows)], start=1):
            for c, value in enumerate(row, start=1):
                write_cell(sheet, r, c, value)  # type: ignore[arg-type]
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{basename}.xlsx"'
        return response
    data = render_pdf(
        "economy/invoice_print.html",
        {"unit": unit, "month": month, "invoices": rows, "printed": clock.now(), "band_labels": BAND_LABELS},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{basename}.pdf"'
    return response
