"""The results as an XLSX workbook (aggregates only: per question, group and step; groups under the minimum
are written as "för få svar"). Written through core.xlsx.write_cell (never a formula)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from bista.core.xlsx import write_cell
from bista.surveys.selectors import Results

TOO_FEW = "för få svar"


def _cell(value: Decimal | None) -> float | str:
    return TOO_FEW if value is None else float(value)


def results_xlsx(results: Results) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Resultat"
    names = ", ".join(str(s) for s in results.surveys)
    rows: list[list[object]] = [
        ["Brukarundersökning", names],
        ["Tillfrågade", results.invited],
        ["Svar", results.answered],
        ["Svarsfrekvens (%)", _cell(results.response_rate)],
        [f"Grupper med färre än {results.min_group} svar visas inte."],
        [],
        ["Fråga", "Grupp", "Antal svar", "Andel positiva (%)", "Föregående år (%)", "Svarsalternativ", "Antal"],
    ]
    for result in results.questions:
        groups = [("Alla", result.total)] + [
            (g.label, result.groups[g.key]) for g in results.groups if g.key in result.groups
        ]
        for label, dist in groups:
            previous = _cell(result.previous) if label == "Alla" else ""
            answers: object = dist.answers if dist.shown else TOO_FEW
            for index, option in enumerate(result.labels):
                count: object = dist.counts[index] if dist.shown else TOO_FEW
                rows.append([result.question.text, label, answers, _cell(dist.share_positive), previous, option, count])
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            write_cell(sheet, r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
