"""Small things users notice (issue 13, item 10): a favicon served from the project itself and linked from
every page, and no permission code (``org.view``, ``roster.manage`` …) in the text of a page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from bista.core import services
from bista.core.models import Permission
from bista.core.tests.pages import browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_favicon_is_local_and_linked(manager: Any) -> None:
    html = browser(manager).get("/").content.decode()
    link = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert link is not None and link.group(1).startswith(settings.STATIC_URL)
    found = finders.find("bista/favicon.svg")
    assert found and Path(str(found)).read_text().lstrip().startswith("<svg")


def test_no_permission_code_in_the_pages_text(manager: Any) -> None:
    services.api_token_create(actor=manager, name="Lönesystemet", scopes=["org.view"])
    codes = set(Permission.objects.values_list("code", flat=True))
    assert "org.view" in codes
    for path in ("/", "/konto/api-nycklar/", "/schema/", "/schema/oppna-pass/", "/schema/sjukanmalan/"):
        text = _visible_text(browser(manager).get(path).content.decode())
        shown = sorted(code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text))
        assert not shown, (path, shown)
