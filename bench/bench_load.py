"""Load benchmark: many signed-in users on a mix of pages, against the production server shape.

    .venv/bin/pip install -e '.[bench]'                     # locust (not needed for make test or make demo)
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/bench_load.py --users 100 --duration 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bista_demo_bench .venv/bin/python bench/bench_load.py

The database must already hold the unit demo (`bista demo --scale unit`). The script starts `bista serve
--production` (gunicorn, BISTA_WORKERS processes, persistent connections) on 127.0.0.1:<port> with two-factor
sign-in off (the demo's setting), waits for /halsa/, then runs locust headless in this process: `--users`
users, each signed in once as a demo account of its role (managers: `chef`, `bitradande1-3`; assistants: the
demo's medarbetare), spawned at `--spawn-rate` a second, for `--duration` seconds, each waiting 0.5–1.5 s
between pages. It prints requests per second, p50/p95/p99, errors, the pages' own medians and the load average
before and after, then stops the server. Everything stays on 127.0.0.1 and is bounded in time.

The mix (weights) follows what the issue measured: the start page, Att göra, the roster week, a client's
journal, the VB table, the client card, Mitt schema and an API list.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PASSWORD_DEFAULT = "bista-demo"


def _ids() -> dict[str, Any]:
    """What the users need from the demo: the provider unit, its managers, assistants with their clients."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model

    from bista.core.models import Membership, Unit
    from bista.core.permissions import RoleCode

    unit = Unit.objects.filter(kind=Unit.Kind.PROVIDER).order_by("pk").first()
    if unit is None:
        raise SystemExit("Databasen saknar demodata: kör `bista demo --scale unit` först.")
    users = get_user_model().objects.filter(is_active=True)
    managers = [u for u in ("chef", "bitradande1", "bitradande2", "bitradande3") if users.filter(username=u).exists()]
    assistants = list(
        Membership.objects.filter(unit=unit, role__code=RoleCode.EMPLOYEE, user__is_active=True)
        .order_by("user__username")
        .values_list("user__username", flat=True)[:200]
    )
    from bista.clients.models import Client

    clients = list(
        Client.objects.filter(unit_links__unit=unit, unit_links__until__isnull=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    return {"unit": unit.pk, "managers": managers, "assistants": assistants, "clients": clients}


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"Servern svarade inte på {url} inom {seconds:.0f} s.")


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BISTA_REQUIRE_2FA": "0",
        "DEBUG": "0",
        "BISTA_BIND": f"127.0.0.1:{port}",
        "BISTA_WORKERS": str(workers),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    bista = Path(sys.executable).with_name("bista")
    return subprocess.Popen(
        [str(bista), "serve", "--production"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


SIGNED_IN: list[str] = []  # usernames of the users whose sign-in finished (to start measuring after them)


def _user_classes(ids: dict[str, Any], password: str) -> list[type]:
    from locust import HttpUser, between, task

    unit = ids["unit"]
    clients = ids["clients"] or [0]

    class Signed(HttpUser):
        abstract = True
        wait_time = between(0.5, 1.5)
        accounts: list[str] = []

        def on_start(self) -> None:
            username = random.choice(self.accounts)
            self.client.get("/konto/logga-in/", name="sign-in form")
            token = self.client.cookies.get("csrftoken", "")
            self.client.post(
                "/konto/logga-in/",
                {"username": username, "password": password, "csrfmiddlewaretoken": token},
                headers={"Referer": self.host or ""},
                name="sign-in",
            )
            SIGNED_IN.append(username)

    class Manager(Signed):
        weight = 1
        accounts = ids["managers"]

        @task(4)
        def start_page(self) -> None:
            self.client.get("/", name="/ (start page)")

        @task(3)
        def todo(self) -> None:
            self.client.get(f"/att-gora/?unit={unit}", name="/att-gora/?unit")

        @task(3)
        def roster(self) -> None:
            self.client.get("/schema/", name="/schema/ (roster week)")

        @task(1)
        def vb_table(self) -> None:
            self.client.get(f"/kvalitet/vb-tabell/?enhet={unit}", name="/kvalitet/vb-tabell/")

        @task(2)
        def card(self) -> None:
            self.client.get(f"/brukare/{random.choice(clients)}/", name="/brukare/<id>/")

        @task(2)
        def api_list(self) -> None:
            self.client.get(f"/api/v1/clients?unit={unit}", name="/api/v1/clients")

    class Assistant(Signed):
        weight = 3
        accounts = ids["assistants"] or ids["managers"]

        @task(4)
        def start_page(self) -> None:
            self.client.get("/", name="/ (start page)")

        @task(3)
        def my_schedule(self) -> None:
            self.client.get("/schema/mitt/", name="/schema/mitt/")

        @task(3)
        def journal(self) -> None:
            # An assistant sees their teams' clients; another client's journal is a 403/404, not an error.
            with self.client.get(
                f"/brukare/{random.choice(clients)}/journal/", name="/brukare/<id>/journal/", catch_response=True
            ) as response:
                if response.status_code in (200, 403, 404):
                    response.success()

    return [Manager, Assistant]


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=20.0)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load after all users are spawned")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--password", default=PASSWORD_DEFAULT)
    parser.add_argument("--url", default=None, help="use a running server instead of starting one")
    args = parser.parse_args()
    try:
        import gevent  # noqa: F401  (locust's own dependency: imported first, it patches the standard library)
        from locust.env import Environment
    except ImportError:
        raise SystemExit("locust saknas: installera med `.venv/bin/pip install -e '.[bench]'`.") from None

    ids = _ids()
    host = args.url or f"http://127.0.0.1:{args.port}"
    server = None if args.url else _start_server(args.port, args.workers)
    load_before = _load_average()
    try:
        _wait_for(f"{host}/halsa/", 60)
        environment = Environment(user_classes=_user_classes(ids, args.password), host=host)
        runner = environment.create_local_runner()
        runner.start(args.users, spawn_rate=args.spawn_rate)
        deadline = time.monotonic() + 300
        while len(SIGNED_IN) < args.users and time.monotonic() < deadline:
            time.sleep(0.5)  # every user signed in (a password hash each) before measuring
        environment.stats.reset_all()  # measure the steady state, not the sign-ins
        started = time.monotonic()
        time.sleep(args.duration)
        elapsed = time.monotonic() - started
        runner.quit()
        load_after = _load_average()
        total = environment.stats.total
        print(f"machine:  {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
        print(f"server:   {'given: ' + host if args.url else f'bista serve --production, {args.workers} workers'}")
        print(f"database: {os.environ.get('DATABASE_URL', 'var/bista.sqlite3')}")
        print(f"users:    {args.users} (spawn {args.spawn_rate}/s), {elapsed:.0f} s measured")
        print(f"load:     before {load_before}, after {load_after}")
        p50, p95, p99 = (total.get_response_time_percentile(share) for share in (0.5, 0.95, 0.99))
        p50, p95, p99 = (total.get_response_time_percentile(share) for share in (0.5, 0.95, 0.99))
        print(
            f"total:    {total.num_requests} requests, {total.num_requests / elapsed:.1f} req/s, "
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, errors {total.num_failures}"
        )
        for entry in sorted(environment.stats.entries.values(), key=lambda e: -e.num_requests):
            print(
                f"  {entry.name:32s} {entry.num_requests:6d}  p50 {entry.get_response_time_percentile(0.5):6.0f} ms  "
                f"p95 {entry.get_response_time_percentile(0.95):6.0f} ms  errors {entry.num_failures}"
            )
        return 1 if total.num_failures else 0
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
