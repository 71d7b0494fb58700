"""What the browser tests share: Debian's Chromium driven by Playwright, never a downloaded browser.

Importing this module skips the importing test module when Playwright is missing (the `browser` extra);
`BROWSER_TEST` skips it when /usr/bin/chromium is missing, and asks for the committed data a live server
needs (a transactional database, with serialized rollback restoring the roles seeded by migrations).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright saknas (pip install -e '.[browser]')")
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium saknas (apt-get install chromium)"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def launched() -> Iterator[Any]:
    """The browser, for a test that has a live server. Started after the database is set up and stopped
    before it is torn down: while Playwright's sync API runs its event loop in this thread, Django's
    per-context connection handling sees another context. The ORM calls the tests make are synchronous and
    sequential, so the async-safety guard is relaxed meanwhile."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
