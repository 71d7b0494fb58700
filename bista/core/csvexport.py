"""CSV files for people to open in a spreadsheet (Excel reads the BOM as UTF-8; `;` as the Swedish separator)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

from bista.core import clock

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvDownload:
    """An HTTP response that is a CSV download; `row()` writes one row with every cell made safe."""

    def __init__(self, basename: str, header: Iterable[str]) -> None:
        self.response = HttpResponse(content_type="text/csv; charset=utf-8")
        self.response["Content-Disposition"] = f'attachment; filename="{basename}-{clock.today():%Y%m%d}.csv"'
        self.response.write("\ufeff")
        self._writer = csv.writer(self.response, delimiter=";")
        self._writer.writerow(list(header))

    def row(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in cells])
