"""Benchmark `bista demo`: generate into a fresh database N times and report the median.

    .venv/bin/python bench/bench_demo.py                       # unit scale on SQLite, 3 runs
    .venv/bin/python bench/bench_demo.py --scale city          # city scale on PostgreSQL, 1 run
    .venv/bin/python bench/bench_demo.py --database postgres   # unit scale on PostgreSQL

Each run gets a new database (a temporary SQLite file, or a PostgreSQL database created and dropped on the
server of --pg-url), is migrated, and then the demo command is timed as a user would run it (a new process,
Django start-up included). The record counts of the last run are printed with the machine it ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = [sys.executable, str(ROOT / "manage.py")]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/bista_demo_bench"
COUNT_SCRIPT = "import json; from bista.demo.generator import record_counts; print(json.dumps(record_counts()))"


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    conninfo = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)  # type: ignore[arg-type]


def _pg_name(url: str) -> str:
    import psycopg

    name = psycopg.conninfo.conninfo_to_dict(url).get("dbname")
    if not name or not str(name).replace("_", "").isalnum():
        raise SystemExit(f"--pg-url needs a plain database name, got {name!r}")
    return str(name)


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{shlex.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


VERSION_SCRIPT = """
import sqlite3
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print("PostgreSQL", cursor.fetchone()[0])
else:
    print("SQLite", sqlite3.sqlite_version)
"""


def _server_version(env: dict[str, str]) -> str:
    return _run([*MANAGE, "shell", "--no-imports", "-c", VERSION_SCRIPT], env).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=("unit", "city"), default="unit")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=None, help="default: 3 for unit, 1 for city")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default=None, help="default: sqlite for unit, postgres for city"
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="database created and dropped for each run")
    parser.add_argument(
        "--steps", action="store_true", help="run the command with --verbosity 2 and print its time per step"
    )
    args = parser.parse_args()
    runs = args.runs or (3 if args.scale == "unit" else 1)
    database = args.database or ("sqlite" if args.scale == "unit" else "postgres")

    # --skip-checks: the benchmark measures the generator, not the system checks (which import every URLconf).
    demo = [
        *MANAGE,
        "demo",
        "--scale",
        args.scale,
        "--years",
        str(args.years),
        "--seed",
        str(args.seed),
        "--verbosity",
        "2" if args.steps else "0",
        "--skip-checks",
    ]
    timings: list[float] = []
    cpu: list[float] = []
    steps = ""
    counts: dict[str, int] = {}
    server = ""
    with tempfile.TemporaryDirectory(prefix="bista-bench-") as tmp:
        for run in range(1, runs + 1):
            env = {**os.environ, "BISTA_REQUIRE_2FA": "0"}
            if database == "sqlite":
                url = f"sqlite:///{tmp}/demo-{run}.sqlite3"
            else:
                url, name = args.pg_url, _pg_name(args.pg_url)
                _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = url
            _run([*MANAGE, "migrate", "--verbosity", "0", "--skip-checks"], env)
            load = os.getloadavg()[0]
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            output = _run(demo, env)
            timings.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            # The CPU time of the demo process (user + system): on a shared machine the wall time also counts the
            # time spent waiting for a core, so compare runs by this.
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            steps = next((line for line in output.splitlines() if line.startswith("Tid per steg:")), steps)
            print(
                f"run {run}/{runs}: {timings[-1]:.1f} s wall, {cpu[-1]:.1f} s CPU "
                f"(load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)",
                flush=True,
            )
            if run == runs:
                counts = json.loads(
                    _run([*MANAGE, "shell", "--no-imports", "-c", COUNT_SCRIPT], env).strip().splitlines()[-1]
                )
                server = _server_version(env)
            if database == "postgres":
                _pg_admin(url, f'DROP DATABASE IF EXISTS "{_pg_name(url)}"')

    print()
    print(
        f"command:  DATABASE_URL={'<temporary sqlite file>' if database == 'sqlite' else args.pg_url} "
        f"{shlex.join(['python', 'manage.py', *demo[2:]])}"
    )
    print(f"database: {database} ({server})")
    print(f"machine:  {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.platform()}")
    print(f"runs:     {', '.join(f'{t:.1f}' for t in timings)} s")
    print(f"median:   {statistics.median(timings):.1f} s wall, {statistics.median(cpu):.1f} s CPU")
    if steps:
        print(f"steps:    {steps.removeprefix('Tid per steg: ')} (wall, last run)")
    print("records:  " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
