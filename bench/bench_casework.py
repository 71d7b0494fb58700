"""Benchmark the purchaser chain's read paths on a generated demo (ten years of the purchaser unit's work).

    env -u DATABASE_URL DATABASE_URL=sqlite:////tmp/case_demo.sqlite3 .venv/bin/python bench/bench_casework.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db holding a demo> .venv/bin/python bench/bench_casework.py

The database named by DATABASE_URL must already hold a demo (`bista demo --scale unit` or `--scale city`);
nothing is generated or changed here. For the first purchaser unit, in this process:

(a) the quarterly ej verkställda report of the last full quarter: `selectors.ivo_rows(unit, quarter)`;
(b) the council statistics of that quarter: `selectors.council_statistics(unit, quarter)`;
(c) the purchaser's "Att göra" as the page asks for it (`care.selectors.todo_for`): the duties of the unit
    done late in the last 90 days, due soon or late, and coming within 92 days,
    `core.duties.duties_for([unit], todo_only=True, ...)`, and the narrowest query (done since today, nothing
    coming) that earlier measurements used;

and, on a city (more than one purchaser unit), (a) and (b) for every purchaser unit of the city in turn (what
the city's thirteen reporters run each quarter), timed as one.

Each runs twice to warm up, then `--runs` times (default 10, 20 for Att göra; the machine is shared, keep it
small); the median and 95th percentile of the wall-clock time and the median CPU time of this process are
printed with the load average before and after.
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


def _timed(run: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """Median and 95th percentile of the wall-clock time, and the median CPU time of this process (ms): on a
    loaded machine the CPU time is the steadier figure (on SQLite it includes the database's work, on
    PostgreSQL not the server's)."""
    for _ in range(2):
        run()
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from bista.care.selectors import DONE_LATE_WINDOW_DAYS, UPCOMING_DAYS
    from bista.casework import rules, selectors
    from bista.core.duties import duties_for
    from bista.core.models import Unit

    units = list(Unit.objects.filter(kind=Unit.Kind.PURCHASER).order_by("pk"))
    if not units:
        sys.exit("no purchaser unit: generate a demo first (bista demo)")
    unit = units[0]
    load_before = os.getloadavg()
    today = datetime.date.today()
    since = today - datetime.timedelta(days=DONE_LATE_WINDOW_DAYS)
    quarter = rules.Quarter.of(today).previous()
    rows = len(selectors.ivo_rows(unit, quarter))
    duties = len(duties_for([unit.pk], today=today, done_since=since, todo_only=True, upcoming_days=UPCOMING_DAYS))
    results = {
        "ivo_report": _timed(lambda: selectors.ivo_rows(unit, quarter), args.runs),
        "council_statistics": _timed(lambda: selectors.council_statistics(unit, quarter), args.runs),
        "att_gora (page: 90 d done late, 92 d coming)": _timed(
            lambda: duties_for([unit.pk], today=today, done_since=since, todo_only=True, upcoming_days=UPCOMING_DAYS),
            max(args.runs, 20),
        ),
        "att_gora (done since today, nothing coming)": _timed(
            lambda: duties_for([unit.pk], today=today, done_since=today, todo_only=True), max(args.runs, 20)
        ),
    }
    city_rows = 0
    if len(units) > 1:
        city_rows = sum(len(selectors.ivo_rows(u, quarter)) for u in units)
        results[f"ivo_report, all {len(units)} units"] = _timed(
            lambda: [selectors.ivo_rows(u, quarter) for u in units], args.runs
        )
        results[f"council_statistics, all {len(units)} units"] = _timed(
            lambda: [selectors.council_statistics(u, quarter) for u in units], args.runs
        )
    print(
        f"{connection.vendor}, {unit.name}, {quarter.label}: {rows} IVO rows"
        + (f" ({city_rows} in the city's {len(units)} units)" if city_rows else "")
        + f", {duties} duties on the page's Att göra"
    )
    print(f"load average before {load_before}, after {os.getloadavg()}")
    for name, (median, p95, cpu) in results.items():
        print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, CPU median {cpu:.1f} ms")


if __name__ == "__main__":
    main()
