"""Benchmark the economy on a demo database (issue 12's targets).

    .venv/bin/python bench/bench_economy.py --sqlite /tmp/demo.sqlite3    # a file that holds the unit demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bista_econ_bench .venv/bin/python bench/bench_economy.py
    .venv/bin/python bench/bench_economy.py                                # SQLite: the unit demo generated first

The database is prepared as in `bench_care.py` (fresh, migrated, `bista demo --scale unit`, timed; or reused).
The economy's own demo step (`bista.demo.economy`) is run first when the database has no wage terms (it is not
registered in the generator yet). Then, in this process, as the unit manager `chef`:

(a) the month close of each provider unit for the last closed month: the checklist with every check (timereports'
    and economy's "invoice basis not produced"), the FK reconciliation, producing the month's FK reports and
    the invoice basis (`economy.services.invoice_lines`) — in a transaction rolled back after each run
    (target < 2 s);
(b) the economy overview (`GET /ekonomi/?enhet=…&ar=…`: budget, outcome by month, forecast from what is known
    ahead, drivers) of the last full year, for each provider unit — the city's thirteen on the city demo
    (target < 5 s for the whole city on PostgreSQL);
(c) confirming a shift as planned from *Mitt schema* (`POST /tid/pass/<id>/bekrafta/`), rolled back after each
    run (target p95 < 100 ms).

The median, 95th percentile, CPU time and queries per run are printed (see `bench_care._measure`).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_care import ROOT, _measure, _prepare

TARGETS_MS = {"month_close": 2000.0, "overview_city": 5000.0, "confirm": 100.0}


def _economy_demo() -> None:
    """Run the economy's demo step once if the database has none of its data."""
    import datetime
    import random
    from types import SimpleNamespace

    from bista.core import clock
    from bista.core.models import Unit
    from bista.demo import economy as demo_economy
    from bista.demo.plan import make_plan
    from bista.economy.models import WageTerm
    from bista.staff.models import Employee

    if WageTerm.objects.exists():
        return
    started = time.perf_counter()
    today = clock.today()
    for unit in Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk"):
        employees = [SimpleNamespace(employee=e) for e in Employee.objects.filter(unit=unit)]
        ctx = SimpleNamespace(
            current=SimpleNamespace(provider=unit, employees=employees),
            window_start=datetime.date(today.year - 10, today.month, 1),
            today=today,
            rng=random.Random(unit.pk),
            plan=make_plan(scale="unit", years=10, size=1.0),
        )
        demo_economy.economy_history(ctx)  # type: ignore[arg-type]
    print(f"economy demo step run in {time.perf_counter() - started:.1f} s", flush=True)


def _bench(runs: int) -> list[str]:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client as TestClient

    from bista.core import clock
    from bista.core.models import Unit
    from bista.economy import selectors as economy_selectors
    from bista.economy import services as economy_services
    from bista.rostering.models import Shift
    from bista.timereports import fkreports, rules, services
    from bista.timereports.checklist import month_checklist

    _economy_demo()
    notes: list[str] = []
    chef = get_user_model().objects.get(username="chef")
    units = list(Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk"))
    unit = units[0]
    month = rules.previous_month(rules.previous_month(rules.first_of_month(clock.today())))

    def month_close() -> Any:
        with transaction.atomic():
            checklist = month_checklist(unit, month)
            rows = fkreports.reconciliation(unit, month)
            reports = services.fk_reports_produce(actor=chef, unit=unit, month=month)
            lines = economy_services.invoice_lines(unit, month)
            transaction.set_rollback(True)
        return checklist, rows, reports, lines

    checklist, rows, reports, lines = month_close()
    print(
        f"month close {month:%Y-%m}: {checklist.summary()}; {len(rows)} FK clients, {len(reports)} reports, "
        f"{len(lines)} invoice lines"
    )
    _measure(f"month close {month:%Y-%m} (checklist, FK reports, invoice basis)", month_close, max(5, runs // 10))

    browser = TestClient(HTTP_HOST="127.0.0.1")
    browser.force_login(chef)
    year = clock.today().year - 1
    managed = [u for u in units if economy_selectors.can_see(chef, u)] or [unit]

    def overview() -> Any:
        for each in managed:
            response = browser.get(f"/ekonomi/?enhet={each.pk}&ar={year}")
            if response.status_code != 200:
                raise RuntimeError(f"/ekonomi/ {each.pk}: {response.status_code}")

    _measure(f"economy overview {year}, {len(managed)} unit(s)", overview, max(3, runs // 10))
    if len(managed) < len(units):
        notes.append(f"chef manages {len(managed)} of {len(units)} provider units: only those were measured")

    this_year = clock.today().year

    def overview_now() -> Any:
        response = browser.get(f"/ekonomi/?enhet={unit.pk}&ar={this_year}")
        assert response.status_code == 200

    _measure(f"economy overview {this_year} (with the months ahead), 1 unit", overview_now, max(3, runs // 10))

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
        notes.append("no unconfirmed shift of an employee with an account: confirming was not measured")
        return notes
    assistant = TestClient(HTTP_HOST="127.0.0.1")
    assistant.force_login(shift.employee.user)
    url = f"/tid/pass/{shift.pk}/bekrafta/"

    def confirm() -> Any:
        with transaction.atomic():
            response = assistant.post(url)
            if response.status_code != 302:
                raise RuntimeError(f"POST {url}: {response.status_code}")
            transaction.set_rollback(True)
        return response

    _measure(f"POST {url} (confirm as planned)", confirm, runs)
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="keep a database that already holds the demo")
    parser.add_argument("--sqlite", default=None, help="SQLite file to use (default: a temporary file)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        for note in _bench(args.runs):
            print(f"note:     {note}")
        return 0
    with tempfile.TemporaryDirectory(prefix="bista-bench-economy-") as tmp:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{args.sqlite or Path(tmp) / 'economy.sqlite3'}"
        env = {**os.environ, "DATABASE_URL": url, "BISTA_REQUIRE_2FA": "0", "DEBUG": "0"}
        generation = _prepare(url, args.reuse or bool(args.sqlite and Path(args.sqlite).exists()), env)
        print(f"database: {url}", flush=True)
        if generation is not None:
            print(f"demo generated in {generation:.1f} s", flush=True)
        command = [sys.executable, __file__, "--measure-only", "--runs", str(args.runs)]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    print()
    print(f"machine:  {os.cpu_count()} CPUs (nproc), Python {platform.python_version()}, {platform.platform()}")
    print(f"load:     {os.getloadavg()}")
    print(
        f"targets:  month close < {TARGETS_MS['month_close']:.0f} ms, city overview < "
        f"{TARGETS_MS['overview_city']:.0f} ms, confirm p95 < {TARGETS_MS['confirm']:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
