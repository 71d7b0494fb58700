"""Accessibility of the main pages, checked by axe-core in a real Chromium against a small generated demo: no
WCAG 2.1 A/AA violation on any of them, for a manager, an assistant and a case officer.

axe-core is vendored (`assets/axe.min.js`, version 4.14.1 from the npm registry, MPL-2.0): the test injects it
into each page after load and runs it with the WCAG 2.0/2.1 A and AA tags. A violation is reported with its
rule, the page and the first offending elements, so the failure says what to fix.

Like the other browser tests, it needs Playwright (the `browser` extra) and /usr/bin/chromium, and is skipped
with the reason without them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bista.care.models import ImplementationPlan, Order
from bista.core import clock
from bista.core.models import Membership
from bista.core.permissions import RoleCode
from bista.core.tests.browser_support import BROWSER_TEST, launched
from bista.demo import generator

pytestmark = BROWSER_TEST
AXE = Path(__file__).parent / "assets" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def district(settings: Any) -> generator.Context:
    """A small demo district made through the services, with today's date so its duties and shifts are current."""
    settings.BISTA_REQUIRE_2FA = False
    today = clock.today() - datetime.timedelta(days=1)
    return generator.generate(scale="unit", years=1, seed=13, size=0.05, today=today)


@pytest.fixture
def chromium(live_server: Any) -> Iterator[Any]:
    with launched() as browser:
        yield browser


def _username(role: str) -> str:
    today = clock.today()
    membership = (
        Membership.objects.filter(role__code=role, valid_from__lte=today, valid_to__isnull=True, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    assert membership is not None, role
    return str(membership.user.username)


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return list(result["violations"])


def test_the_check_finds_a_violation_when_there_is_one(chromium: Any) -> None:
    """The harness itself: an image without a text alternative and a field without a label are found."""
    page = chromium.new_page()
    page.set_content('<html lang="sv"><title>t</title><main><img src="x.png"><input type="text"></main></html>')
    assert {"image-alt", "label"} <= {violation["id"] for violation in _axe(page)}
    page.close()


def _violations(chromium: Any, base: str, username: str, paths: list[str]) -> list[str]:
    # The site's Content Security Policy forbids inline scripts, axe's included: this test page may run it.
    page = chromium.new_page(locale="sv-SE", bypass_csp=True)
    page.goto(f"{base}/konto/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", generator.DEFAULT_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/")
    found = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        for violation in _axe(page):
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{username} {path}: {violation['id']} ({violation['impact']}) {targets}")
    page.close()
    return found


def test_main_pages_have_no_wcag_violations(live_server: Any, district: generator.Context, chromium: Any) -> None:
    plan = ImplementationPlan.objects.filter(order__status=Order.Status.EXECUTED).order_by("pk").first()
    assert plan is not None
    order = plan.order
    client = order.client_id
    manager_pages = [
        "/",
        "/att-gora/",
        "/brukare/",
        f"/brukare/{client}/",
        f"/brukare/{client}/journal/",
        "/bestallningar/",
        f"/bestallningar/{order.pk}/",
        f"/planer/{plan.pk}/",
        "/avvikelser/",
        "/avvikelser/ny/",
        "/synpunkter/ny/",
        "/kvalitet/trender/",
        "/schema/nyckeltal/",
        "/lex-sarah/",
        "/medarbetare/",
        "/schema/",
        "/schema/timmar/",
        "/tid/manadsavslut/",
        "/mal/",
    ]
    found = _violations(chromium, live_server.url, "chef", manager_pages)
    found += _violations(chromium, live_server.url, _username(RoleCode.EMPLOYEE), ["/", "/schema/mitt/", "/tid/min/"])
    found += _violations(
        chromium, live_server.url, _username(RoleCode.CASE_OFFICER), ["/", "/arenden/", "/arenden/aktualisering/"]
    )
    assert found == []
