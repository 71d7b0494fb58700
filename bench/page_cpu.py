"""CPU time per page request on a generated demo, in-process (Django's test client: middleware, view, template;
no network), as a signed-in user: the measure behind issue 17's "pages at ≤ 20 ms of CPU".

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/page_cpu.py chef / "/att-gora/?unit=1"
    PROFILE=1 DATABASE_URL=... .venv/bin/python bench/page_cpu.py chef /      # also a cProfile of Bistå's code

Each page is warmed up three times, then timed 15 times with `time.process_time()` (CPU of this process, so
less sensitive to other load than wall time); the median, the 95th percentile and the minimum are printed with
the page's query count. "Warm" is a request whose "Att göra" duties are in the per-process cache (no write since
the last request); "cold" empties that cache before each timed request (not timed), as the first request after
any write finds it.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["BISTA_REQUIRE_2FA"] = "0"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bista.core.duties import DUTY_CACHE  # noqa: E402


def _timed(client: Client, url: str, *, cold: bool) -> list[float]:
    cpu = []
    for _ in range(15):
        if cold:
            caches[DUTY_CACHE].clear()
        started = time.process_time()
        client.get(url)
        cpu.append((time.process_time() - started) * 1000)
    return cpu


def main() -> None:
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(get_user_model().objects.get(username=sys.argv[1] if len(sys.argv) > 1 else "chef"))
    for url in sys.argv[2:] or ["/", "/att-gora/"]:
        for _ in range(3):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        for cold in (False, True):
            cpu = _timed(client, url, cold=cold)
            if cold:
                caches[DUTY_CACHE].clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            p95 = statistics.quantiles(cpu, n=20, method="inclusive")[18]
            print(
                f"{url} {'cold' if cold else 'warm'}: CPU median {statistics.median(cpu):.1f} ms, p95 {p95:.1f} ms,"
                f" min {min(cpu):.1f} ms, {len(queries)} queries"
            )
        if os.environ.get("PROFILE"):
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(r"bista/", 45)


if __name__ == "__main__":
    main()
