"""Benchmark the provider chain's read paths on the unit demo (ten years of history).

    .venv/bin/python bench/bench_care.py                     # SQLite: a temporary file, generated first
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bista_h_e_bench .venv/bin/python bench/bench_care.py

The database is made fresh (a temporary SQLite file; on PostgreSQL the database named in DATABASE_URL is
dropped and created, so its name must contain "bench"), migrated and filled with `bista demo --scale unit`
(timed as a user runs it: a new process). `--reuse` keeps a PostgreSQL database (or the SQLite file given
with `--sqlite PATH`) that already holds the demo. Then, in this process, as the unit manager `chef`:

(0) the start page `/`, which carries the Att göra counts;
(a) "Att göra" for the unit: `bista.care.selectors.todo_for(chef, today=..., unit_id=...)`, and the page
    `/att-gora/?unit=<id>` through the Django test client;
(b) the journal page of the client with the most entries: page 1 and a middle page;
(c) all self-checks of the unit for the last full year: `bista.care.selfchecks.self_checks(...)`.

Each is run a few times to warm up, then `--runs` times (default 50); the median, 95th percentile and
queries per run are printed with the machine. Server time only: the test client calls the WSGI handler in
this process (middleware, view, template), no network or browser.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
TARGETS_MS = {"todo": 50.0, "journal": 100.0, "self_checks": 1000.0}


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{shlex.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    conninfo = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _pg_name(url: str) -> str:
    import psycopg

    name = str(psycopg.conninfo.conninfo_to_dict(url).get("dbname") or "")
    if not name.replace("_", "").isalnum() or "bench" not in name:
        raise SystemExit(f"the PostgreSQL database is dropped and created: its name must contain 'bench', not {name!r}")
    return name


def _prepare(url: str, reuse: bool, env: dict[str, str]) -> float | None:
    """Make the database hold the unit demo; the generation time in seconds (None if reused)."""
    postgres = url.startswith(("postgres://", "postgresql://"))
    if reuse:
        _run([*MANAGE, "migrate", "--verbosity", "0", "--skip-checks"], env)  # the tree may have new migrations
        check = "from bista.core.models import Municipality; print(Municipality.objects.exists())"
        if _run([*MANAGE, "shell", "--no-imports", "-c", check], env).strip().endswith("True"):
            return None
    if postgres:
        name = _pg_name(url)
        _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    _run([*MANAGE, "migrate", "--verbosity", "0", "--skip-checks"], env)
    started = time.perf_counter()
    _run(
        [*MANAGE, "demo", "--scale", "unit", "--years", "10", "--seed", "2026", "--verbosity", "0", "--skip-checks"],
        env,
    )
    return time.perf_counter() - started


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _measure(label: str, fn: Callable[[], Any], runs: int, warmup: int = 3) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        fn()
    timings: list[float] = []
    cpu: list[float] = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            fn()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        queries = len(captured)
    result = {
        "label": label,
        "runs": runs,
        "p50": statistics.median(timings),
        "p95": _percentile(timings, 0.95),
        "max": max(timings),
        "cpu": statistics.median(cpu),
        "queries": queries,
    }
    # CPU time of this process (the database's own work on PostgreSQL runs in the server, not here) tells a
    # busy machine's waiting apart from the work a request costs.
    print(
        f"{label:58s} p50 {result['p50']:8.1f} ms   p95 {result['p95']:8.1f} ms   max {result['max']:8.1f} ms   "
        f"cpu {result['cpu']:6.1f} ms   {queries:4d} queries   ({runs} runs)",
        flush=True,
    )
    return result


def _bench(runs: int) -> list[str]:
    """The measurements, in this process (Django set up for DATABASE_URL). Returns notes for the report."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client as TestClient
    from django.utils import timezone

    from bista.care import selectors
    from bista.care.models import JournalEntry
    from bista.core.models import Unit

    notes: list[str] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            print(f"server:   PostgreSQL {cursor.fetchone()[0]}", flush=True)
            # Right after a bulk load the planner's statistics are stale until autovacuum gets to the tables
            # (it then sorts a client's whole journal for page 1); measure the steady state.
            cursor.execute("ANALYZE")
    else:
        import sqlite3

        print(f"server:   SQLite {sqlite3.sqlite_version}", flush=True)
    chef = get_user_model().objects.get(username="chef")
    unit = Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk").first()
    assert unit is not None
    today = timezone.localdate()
    browser = TestClient(HTTP_HOST="127.0.0.1")
    browser.force_login(chef)

    def get(url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = browser.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")
            return response

        return call

    def page_works(url: str) -> bool:
        try:
            get(url)()
        except Exception as error:  # the page may not exist yet (another helper writes it)
            notes.append(f"{url} not measured: {error}")
            print(f"{url}: not measured ({error})", flush=True)
            return False
        return True

    # (0) The start page (what everyone lands on: the Att göra counts of the user and their units).
    if page_works("/"):
        _measure("GET / (start page)", get("/"), runs)

    # (a) "Att göra" for the unit.
    todo = selectors.todo_for(chef, today=today, unit_id=unit.pk)
    print(f"Att göra for {unit}: {todo.counts}", flush=True)
    _measure("todo_for(chef, unit)", lambda: selectors.todo_for(chef, today=today, unit_id=unit.pk), runs)
    url = f"/att-gora/?unit={unit.pk}"
    if page_works(url):
        _measure(f"GET {url}", get(url), runs)

    # (b) The journal page of the client with the most entries: page 1 and a middle page.
    busiest = JournalEntry.objects.values("client_id").annotate(n=Count("id")).order_by("-n").first()
    if busiest is None:
        notes.append("no journal entries: the journal page was not measured")
    else:
        client_id, entries = busiest["client_id"], busiest["n"]
        try:
            from bista.care.views.journal import PAGE_SIZE
        except ImportError:
            PAGE_SIZE = 25
        middle = max(1, (entries // PAGE_SIZE) // 2)
        print(f"journal: client {client_id} with {entries} entries, {PAGE_SIZE} a page", flush=True)
        for page in (1, middle):
            url = f"/brukare/{client_id}/journal/?sida={page}"
            if page_works(url):
                _measure(f"GET {url}", get(url), runs)
        # The read itself (the page's entries from the selector, no view or template), for comparison.
        from django.core.paginator import Paginator

        from bista.clients.models import Client

        client = Client.objects.get(pk=client_id)
        for page in (1, middle):

            def read(page: int = page) -> list[Any]:
                entries = selectors.journal_entries(chef, client)
                return list(Paginator(entries, PAGE_SIZE).get_page(page).object_list)

            _measure(f"journal_entries(chef, client) page {page}", read, runs)

    # (c) All self-checks of the unit for the last full year.
    try:
        from bista.care.selfchecks import self_checks
    except ImportError as error:
        notes.append(f"self-checks not measured: {error}")
        print(f"self-checks: not measured ({error})", flush=True)
    else:
        year = today.year - 1
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        results = self_checks(chef, unit_id=unit.pk, start=start, end=end, today=today)
        print(f"self-checks {year}: {len(results)} checks", flush=True)
        _measure(
            f"self_checks(chef, unit, {year})",
            lambda: self_checks(chef, unit_id=unit.pk, start=start, end=end, today=today),
            max(10, runs // 5),
        )
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the demo")
    parser.add_argument("--sqlite", default=None, help="SQLite file to use (default: a temporary file)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:  # the child process: DATABASE_URL is set and the demo is there
        for note in _bench(args.runs):
            print(f"note:     {note}")
        return 0

    with tempfile.TemporaryDirectory(prefix="bista-bench-care-") as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{args.sqlite or Path(tmp) / 'care.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "BISTA_REQUIRE_2FA": "0", "DEBUG": "0"}
        generation = _prepare(url, args.reuse or bool(args.sqlite and Path(args.sqlite).exists()), env)
        print(f"database: {url}", flush=True)
        if generation is not None:
            print(f"demo generated in {generation:.1f} s (bista demo --scale unit --years 10 --seed 2026)", flush=True)
        else:
            print("demo: reused", flush=True)
        # Measure in a new process, so that Django is set up for this database (settings read DATABASE_URL).
        command = [sys.executable, __file__, "--measure-only", "--runs", str(args.runs)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    print()
    print(f"machine:  {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.platform()}")
    print(
        f"targets:  todo p95 < {TARGETS_MS['todo']:.0f} ms, journal page p95 < {TARGETS_MS['journal']:.0f} ms, "
        f"self-checks < {TARGETS_MS['self_checks']:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
