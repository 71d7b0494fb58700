"""Screenshots of the start pages, one per role, at a desktop (1366 px) and a phone (375 px) width, for review
(issue 13: "screenshots of the start pages at 1366 px and 375 px are produced by `make screenshots`").

    make screenshots                                   # the demo database var/bista.sqlite3 (make demo first)
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python scripts/screenshots.py --out /tmp/shots

It starts `bista serve` on a free port of 127.0.0.1 against the database, signs in through the sign-in page
as each role's demo account (password `bista-demo`, two-factor off as in the demo) and saves the whole page as
PNG: var/screenshots/<role>-<width>.png. Each page's height in pixels is printed: a start page that needs
many screens of scrolling is a finding in itself. Chromium is Debian's (/usr/bin/chromium), driven by
Playwright (the `browser` extra); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bista-demo"
WIDTHS = {1366: 900, 375: 812}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"Servern svarade inte på port {port} inom {seconds:.0f} s.")


def _accounts() -> list[tuple[str, str]]:
    """(role label, username) of one demo account per role that has a start page of its own."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Q

    from bista.core import clock
    from bista.core.models import Membership

    today = clock.today()
    from bista.core.permissions import RoleCode

    wanted = [
        ("enhetschef", RoleCode.UNIT_MANAGER),
        ("assistent", RoleCode.EMPLOYEE),
        ("handlaggare", RoleCode.CASE_OFFICER),
    ]
    found = []
    for label, code in wanted:
        membership = (
            Membership.objects.filter(role__code=code, user__is_active=True, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        if membership is not None:
            found.append((label, membership.user.username))
    # The demo's named manager, when it exists, is the one the README points to.
    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(username="chef").exists():
        found = [("enhetschef", "chef") if label == "enhetschef" else (label, name) for label, name in found]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bista.sqlite3'}")
    os.environ["BISTA_REQUIRE_2FA"] = "0"
    os.environ.setdefault("DEBUG", "0")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        raise SystemExit("Chromium saknas (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    accounts = _accounts()
    args.out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    bista = Path(sys.executable).with_name("bista")
    server = subprocess.Popen(
        [str(bista), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for label, username in accounts:
                for width, height in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
                    page = context.new_page()
                    page.goto(f"{base}/konto/logga-in/")
                    page.fill("#id_username", username)
                    page.fill("#id_password", PASSWORD)
                    page.press("#id_password", "Enter")
                    page.wait_for_url(f"{base}/")
                    target = args.out / f"{label}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    tall = page.evaluate("document.documentElement.scrollHeight")
                    print(f"{target}  {label} ({username}), {width} px bred, sidan {tall} px hög")
                    context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
