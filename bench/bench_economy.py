"""Benchmark the economy on a demo database (issue 12's targets).

    .venv/bin/python bench/bench_economy.py --sqlite /tmp/demo.sqlite3    # a file that holds the unit demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bista_econ_bench .venv/bin/python bench/bench_economy.py
    .venv/bin/python bench/bench_economy.py                                # SQLite: the unit demo generated first

The database is prepared as in `bench_care.py` (fresh, migrated, `bista demo --scale unit`, timed; or reused).
The economy's own demo step (`bista.demo.economy`) is run first when the database has no wage terms (a demo made
before the step was registered). A database whose closed months have no stored figures is filled first with
`bista economy_store_months`. Then, in this process, as the unit manager `chef` (or the user named by the
environment's BENCH_USER, e.g. one with economy.manage in every provider unit of the city):

(a) the month close of each provider unit for the last closed month: the checklist with every check (timereports'
    and economy's "invoice basis not produced"), the FK reconciliation, producing the month's FK reports and
    the invoice basis (`economy.services.invoice_lines`), and storing the month's figures as the lock does
    (`economy.figures.store_month`) — in a transaction rolled back after each run (target < 2 s);
(b) the economy overview (`GET /ekonomi/?enhet=…&ar=…`: budget, outcome by month, forecast from what is known
    ahead, drivers) of the last full year, for each provider unit — the city's thirteen on the city demo
    (target < 5 s for the whole city on PostgreSQL);
(c) confirming a shift as planned from *Mitt schema* (`POST /tid/pass/<id>/bekrafta/`), rolled back after each
    run (target p95 < 100 ms).

The median, 95th percentile, CPU time and queries per run are printed (see `bench_care._measure`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_care import ROOT, _measure
from bench_timereports import measure_confirm, run_bench

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
    from bista.economy import figures
    from bista.economy import selectors as economy_selectors
    from bista.economy import services as economy_services
    from bista.economy.models import StoredMonth
    from bista.timereports import fkreports, rules, services
    from bista.timereports.checklist import month_checklist

    _economy_demo()
    notes: list[str] = []
    if not StoredMonth.objects.exists():
        from django.core.management import call_command

        call_command("economy_store_months", verbosity=0)
        notes.append("closed months' figures stored first by `bista economy_store_months`")
    chef = get_user_model().objects.get(username=os.environ.get("BENCH_USER", "chef"))
    units = list(Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk"))
    unit = units[0]
    month = rules.previous_month(rules.previous_month(rules.first_of_month(clock.today())))

    def month_close() -> Any:
        with transaction.atomic():
            checklist = month_checklist(unit, month)
            rows = fkreports.reconciliation(unit, month)
            reports = services.fk_reports_produce(actor=chef, unit=unit, month=month)
            lines = economy_services.invoice_lines(unit, month)
            figures.store_month(unit.pk, month, version=1)  # what month_lock's hook adds to the close
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

    note = measure_confirm(unit, runs)
    return notes + ([note] if note else [])


def main() -> int:
    targets = (
        f"month close < {TARGETS_MS['month_close']:.0f} ms, city overview < "
        f"{TARGETS_MS['overview_city']:.0f} ms, confirm p95 < {TARGETS_MS['confirm']:.0f} ms"
    )
    return run_bench(__file__, __doc__ or "", "economy", _bench, targets)


if __name__ == "__main__":
    sys.exit(main())
