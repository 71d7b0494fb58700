"""Benchmark the purchaser chain's read paths on a generated demo (ten years of the purchaser unit's work).

    env -u DATABASE_URL DATABASE_URL=sqlite:////tmp/case_demo.sqlite3 .venv/bin/python bench/bench_casework.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db holding a demo> .venv/bin/python bench/bench_casework.py

The database named by DATABASE_URL must already hold a demo (`bista demo --scale unit` or `--scale city`);
nothing is generated or changed here. For the first purchaser unit, in this process:

(a) the quarterly ej verkställda report of the last full quarter: `selectors.ivo_rows(unit, quarter)`;
(b) the council statistics of that quarter: `selectors.council_statistics(unit, quarter)`;
(c) the purchaser's "Att göra" (the duties the casework sources give the unit):
    `core.duties.duties_for([unit], todo_only=True)`.

Each runs twice to warm up, then `--runs` times (default 10; the machine is shared, keep it small); the
median and 95th percentile are printed with the load average.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _timed(run: Callable[[], Any], runs: int) -> tuple[float, float]:
    for _ in range(2):
        run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from bista.casework import rules, selectors
    from bista.core.duties import duties_for
    from bista.core.models import Unit

    unit = Unit.objects.filter(kind=Unit.Kind.PURCHASER).order_by("pk").first()
    if unit is None:
        sys.exit("no purchaser unit: generate a demo first (bista demo)")
    today = datetime.date.today()
    quarter = rules.Quarter.of(today).previous()
    rows = len(selectors.ivo_rows(unit, quarter))
    results = {
        "ivo_report": _timed(lambda: selectors.ivo_rows(unit, quarter), args.runs),
        "council_statistics": _timed(lambda: selectors.council_statistics(unit, quarter), args.runs),
        "att_gora": _timed(
            lambda: duties_for([unit.pk], today=today, done_since=today, todo_only=True), max(args.runs, 20)
        ),
    }
    print(f"{connection.vendor}, {unit.name}, {quarter.label}: {rows} IVO rows; load average {os.getloadavg()}")
    for name, (median, p95) in results.items():
        print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
