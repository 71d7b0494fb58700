"""Benchmark worked time on the unit demo (ten years of confirmed time, closed months and FK reports).

    .venv/bin/python bench/bench_timereports.py                     # SQLite: a temporary file, generated first
    .venv/bin/python bench/bench_timereports.py --sqlite /tmp/demo.sqlite3   # a file that holds the demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bista_fk_bench .venv/bin/python bench/bench_timereports.py

The database is prepared as in `bench_care.py` (fresh, migrated, `bista demo --scale unit`, timed; or reused).
Then, in this process:

(a) the month close of the demo unit for the last closed month, as the unit manager `chef`: the checklist
    with every check (unconfirmed shifts, attestations, time outside orders, granted hours, working-time
    rules, FK reports not produced), the FK reconciliation, and producing the month's FK reports — in a
    transaction rolled back after each run, so every run does the same work (issue 12's target: < 2 s);
(b) confirming a shift from *Mitt schema*: `POST /tid/pass/<id>/bekrafta/` by the assistant whose shift it
    is, through the Django test client, rolled back after each run (target: p95 < 100 ms).

The median, 95th percentile, CPU time and queries per run are printed (see `bench_care._measure`).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_care import ROOT, _measure, _prepare

TARGETS_MS = {"month_close": 2000.0, "confirm": 100.0}


def _bench(runs: int) -> list[str]:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from bista.core import clock
    from bista.core.models import Unit
    from bista.timereports import fkreports, rules, services
    from bista.timereports.checklist import month_checklist

    notes: list[str] = []
    chef = get_user_model().objects.get(username="chef")
    unit = Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk").first()
    assert unit is not None
    month = rules.previous_month(rules.previous_month(rules.first_of_month(clock.today())))

    def month_close() -> Any:
        with transaction.atomic():
            checklist = month_checklist(unit, month)
            rows = fkreports.reconciliation(unit, month)
            reports = services.fk_reports_produce(actor=chef, unit=unit, month=month)
            transaction.set_rollback(True)
        return checklist, rows, reports

    checklist, rows, reports = month_close()
    print(f"month close {month:%Y-%m}: {checklist.summary()}; {len(rows)} FK clients, {len(reports)} reports")
    _measure(f"month close {month:%Y-%m} (checklist, reconciliation, FK reports)", month_close, max(5, runs // 10))

    note = measure_confirm(unit, runs)
    return notes + ([note] if note else [])


def measure_confirm(unit: Any, runs: int) -> str | None:
    """(b): the latest unconfirmed past shift of an employee with an account, confirmed as planned by them and
    rolled back after each run; a note when there is none (then nothing is measured)."""
    from django.db import transaction
    from django.test import Client as TestClient

    from bista.core import clock
    from bista.rostering.models import Shift

    shift = (
        Shift.objects.filter(
            unit=unit,
            status__in=(Shift.Status.PUBLISHED, Shift.Status.WORKED),
            employee__user__isnull=False,
            worked_time__isnull=True,
            starts_at__lt=clock.now(),
        )
        .select_related("employee__user")
        .order_by("-starts_at")
        .first()
    )
    if shift is None or shift.employee is None:
        return "no unconfirmed shift of an employee with an account: confirming was not measured"
    browser = TestClient(HTTP_HOST="127.0.0.1")
    browser.force_login(shift.employee.user)
    url = f"/tid/pass/{shift.pk}/bekrafta/"

    def confirm() -> Any:
        with transaction.atomic():
            response = browser.post(url)
            if response.status_code != 302:
                raise RuntimeError(f"POST {url}: {response.status_code}")
            transaction.set_rollback(True)
        return response

    _measure(f"POST {url} (confirm as planned)", confirm, runs)
    return None


def run_bench(script: str, description: str, name: str, bench: Callable[[int], list[str]], targets: str) -> int:
    """The command line of a demo benchmark: the database prepared (as `bench_care._prepare`) in this process,
    then `bench` run in a new one (`--measure-only`), so its Django settings see the prepared DATABASE_URL."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the demo")
    parser.add_argument("--sqlite", default=None, help="SQLite file to use (default: a temporary file)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        for note in bench(args.runs):
            print(f"note:     {note}")
        return 0
    with tempfile.TemporaryDirectory(prefix=f"bista-bench-{name}-") as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{args.sqlite or Path(tmp) / f'{name}.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "BISTA_REQUIRE_2FA": "0", "DEBUG": "0"}
        generation = _prepare(url, args.reuse or bool(args.sqlite and Path(args.sqlite).exists()), env)
        print(f"database: {url}", flush=True)
        if generation is not None:
            print(f"demo generated in {generation:.1f} s", flush=True)
        command = [sys.executable, script, "--measure-only", "--runs", str(args.runs)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    print()
    print(f"machine:  {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.platform()}")
    print(f"load:     {os.getloadavg()}")
    print(f"targets:  {targets}")
    return 0


def main() -> int:
    targets = f"month close < {TARGETS_MS['month_close']:.0f} ms, confirm p95 < {TARGETS_MS['confirm']:.0f} ms"
    return run_bench(__file__, __doc__ or "", "time", _bench, targets)


if __name__ == "__main__":
    sys.exit(main())
