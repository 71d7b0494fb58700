"""Benchmark the governance context: the VB as DOCX and PDF, and every computed indicator of a whole city.

    .venv/bin/python bench/bench_governance.py vb                       # SQLite temp file, unit demo made first
    .venv/bin/python bench/bench_governance.py vb --sqlite /tmp/demo.sqlite3        # reuse a unit demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h8_bista_bench \\
        .venv/bin/python bench/bench_governance.py city [--reuse]       # PostgreSQL, city demo made first

vb:   on the ten-year unit demo (`bista demo --scale unit --years 10 --seed 2026`), the provider unit's VB for
      the last full year, made as the background task makes it (`documents.build`: every figure read from the
      records, the charts drawn, the document laid out): DOCX and PDF, `--runs` times each after one warm-up
      run (the first PDF in a process loads the fonts). Targets: DOCX < 2 s, PDF < 5 s (medians).
city: on the thirteen-district city demo (`bista demo --scale city`) on PostgreSQL, every computed indicator
      (the registry's functions named by the reference data) for every unit of every district for the last full
      year (T1, T2 and the year), computed fresh each run (a new cache). Target < 10 s (median of `--runs`).

The database is made fresh unless reused: a temporary SQLite file, or the PostgreSQL database named in
DATABASE_URL (dropped and created, so its name must contain "bench"). Measurements run in a child process so
that Django is set up for that database.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
TARGETS_S = {"docx": 2.0, "pdf": 5.0, "city": 10.0}


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")


def _has_demo(env: dict[str, str]) -> bool:
    check = "from bista.core.models import Municipality; print(Municipality.objects.exists())"
    result = subprocess.run(
        [*MANAGE, "shell", "--no-imports", "-c", check], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return result.stdout.strip().endswith("True")


def _prepare(url: str, scale: str, reuse: bool, env: dict[str, str]) -> None:
    if reuse:
        _run([*MANAGE, "migrate", "--verbosity", "0", "--skip-checks"], env)
        if _has_demo(env):
            print("demo: reused", flush=True)
            return
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = str(psycopg.conninfo.conninfo_to_dict(url).get("dbname") or "")
        if "bench" not in name or not name.replace("_", "").isalnum():
            raise SystemExit(f"the database is dropped and created: its name must contain 'bench', not {name!r}")
        conninfo = psycopg.conninfo.make_conninfo(url, dbname="postgres")
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')  # type: ignore[arg-type]
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    _run([*MANAGE, "migrate", "--verbosity", "0", "--skip-checks"], env)
    started = time.perf_counter()
    _run(
        [*MANAGE, "demo", "--scale", scale, "--years", "10", "--seed", "2026", "--verbosity", "0", "--skip-checks"], env
    )
    print(f"demo --scale {scale} generated in {time.perf_counter() - started:.0f} s", flush=True)


def _timed(label: str, fn: Any, runs: int, target: float) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    verdict = "ok" if median < target else "OVER TARGET"
    print(
        f"{label:52s} median {median:6.2f} s   min {min(timings):6.2f} s   max {max(timings):6.2f} s   "
        f"({runs} runs, target < {target:g} s: {verdict}; load average {load})",
        flush=True,
    )
    return median


def _setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()


def _server() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"server:   PostgreSQL {cursor.fetchone()[0]}", flush=True)
            cursor.execute("ANALYZE")
    else:
        import sqlite3

        print(f"server:   SQLite {sqlite3.sqlite_version}", flush=True)


def bench_vb(runs: int) -> None:
    _setup()
    from django.utils import timezone

    from bista.core.models import Unit
    from bista.governance import documents, services
    from bista.governance.models import OperationalPlan, YearOutcome

    _server()
    today = timezone.localdate()
    unit = Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk").first()
    plan = OperationalPlan.objects.filter(unit=unit, year=today.year - 1).first()
    if plan is None:
        raise SystemExit(f"no plan for {today.year - 1}: is the governance demo step in the demo?")
    print(f"VB {plan.year} for {unit} ({plan.goals.count()} goals)", flush=True)
    # As the task does first: keep the closed years the VB shows as history (once; later VBs read them).
    YearOutcome.objects.filter(unit=unit).delete()  # the bench's own database: measure the first VB too
    started = time.perf_counter()
    services.history_store(plan=plan, today=today)
    print(
        f"history_store (first VB only: {YearOutcome.objects.filter(unit=unit).count()} yearly outcomes kept): "
        f"{time.perf_counter() - started:.2f} s",
        flush=True,
    )
    for fmt in ("docx", "pdf"):
        content = documents.build(plan, "VB", fmt, today=today)  # warm-up (fonts, templates)
        print(f"{fmt}: {len(content) / 1024:.0f} KiB", flush=True)

        def made(fmt: str = fmt) -> None:
            services.history_store(plan=plan, today=today)  # nothing to compute: every closed year is kept
            documents.build(plan, "VB", fmt, today=today)

        _timed(f"history_store + documents.build(plan, 'VB', '{fmt}')", made, runs, TARGETS_S[fmt])


def bench_city(runs: int) -> None:
    _setup()
    from django.db import connection
    from django.utils import timezone

    from bista.core.models import Unit
    from bista.governance import registry, rules, selectors
    from bista.governance.models import IndicatorDefinition

    _server()
    year = timezone.localdate().year - 1
    units = list(Unit.objects.order_by("pk").values_list("pk", flat=True))
    districts = Unit.objects.values("department__district").distinct().count()
    if districts < 13:
        print(f"note:     the database holds {districts} of the city's 13 districts (generation not finished)")
    indicators = [
        i
        for i in IndicatorDefinition.objects.filter(source=IndicatorDefinition.Source.COMPUTED)
        if i.computed_key in registry.REGISTRY
    ]
    periods = [p for p in rules.PERIODS]
    print(f"{len(units)} units, {len(indicators)} computed indicators, {year} ({', '.join(periods)})", flush=True)

    def all_indicators() -> int:
        source = registry.Source(today=timezone.localdate())
        count = 0
        for unit_id in units:
            for indicator in indicators:
                for period in periods:
                    selectors.outcome(source, indicator, unit_id, year, period)
                    count += 1
        return count

    figures = all_indicators()
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        all_indicators()
    print(f"{figures} figures, {len(captured)} queries a run", flush=True)
    _timed("every computed indicator, every unit, one year", all_indicators, runs, TARGETS_S["city"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=["vb", "city"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the demo")
    parser.add_argument("--sqlite", default=None, help="SQLite file to use (vb; default: a temporary file)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        (bench_vb if args.part == "vb" else bench_city)(args.runs)
        return 0
    with tempfile.TemporaryDirectory(prefix="bista-bench-governance-") as tmp:
        url = os.environ.get("DATABASE_URL") or ""
        if args.part == "city" and not url.startswith(("postgres://", "postgresql://")):
            raise SystemExit("the city benchmark runs on PostgreSQL: set DATABASE_URL (a database named *bench*)")
        if args.part == "vb" and not url:
            url = f"sqlite:///{args.sqlite or Path(tmp) / 'governance.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "BISTA_REQUIRE_2FA": "0", "DEBUG": "0"}
        reuse = args.reuse or bool(args.sqlite and Path(args.sqlite).exists())
        _prepare(url, "city" if args.part == "city" else "unit", reuse, env)
        print(f"database: {url}", flush=True)
        command = [sys.executable, __file__, args.part, "--measure-only", "--runs", str(args.runs)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    print(f"machine:  {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.platform()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
