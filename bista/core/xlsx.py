"""Cells of XLSX files for people to open in a spreadsheet: every XLSX writer writes through `write_cell`.

openpyxl stores a string that starts with "=" as a formula, so a user's text "=HYPERLINK(...)" would be a live
formula in the file (formula injection; the CSV side is `bista.core.csvexport`). Here text is always stored as
text, marked with Excel's quote prefix so that editing the cell does not turn it into a formula either, and the
control characters XLSX cannot hold (openpyxl raises on them: a 500 on export) are dropped.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

from bista.core.csvexport import FORMULA_STARTS


def write_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write `value` to the cell at (row, column) and return the cell; text is never a formula."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        cell.data_type = "s"  # openpyxl made it "f" if it starts with "="
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell
