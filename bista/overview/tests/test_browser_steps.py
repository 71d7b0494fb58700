"""Issue 13's table walked in a real Chromium (Debian's package, driven by Playwright) as a new user would:
signed in through the sign-in page, then only clicking links and buttons by their visible names, counting
every page the browser loads after the start page (a form whose answer redirects is one load, as the user
sees it).

| Task | Goal |
|---|---|
| Write and sign a journal entry (assistant, for a client of today's shift) | ≤ 2 |
| Report a deviation (assistant) | ≤ 2 |
| Report oneself sick (assistant) | ≤ 2 |
| Take an open shift (assistant) | ≤ 2 |
| Sick call → cover each open shift (manager) | ≤ 3 for the first, + 1 per further shift |
| Generate the VB and download DOCX and PDF (manager) | ≤ 3 (the downloads load no page) |

`test_steps.py` walks the same tasks with Django's test client (fast, no browser); this file proves the
counts hold in a browser, where a link hidden by CSS or a button that needs a script would show.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bista.care.models import JournalEntry
from bista.core.clock import STOCKHOLM
from bista.core.testing import Organisation
from bista.core.tests.browser_support import BROWSER_TEST, launched
from bista.governance.models import GeneratedDocument
from bista.governance.tests.factories import make_plan
from bista.overview.tests.test_steps import sick_call_of_three_shifts
from bista.quality.models import Deviation
from bista.rostering.models import Shift
from bista.rostering.tests import factories as f
from bista.staff.models import Absence, Employee

pytestmark = [
    *BROWSER_TEST,
    pytest.mark.usefixtures("no_two_factor"),
]
PASSWORD = "korrekt-hast-batteri-42"


@pytest.fixture(autouse=True)
def _monday_morning(frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime.combine(f.MONDAY, datetime.time(9), tzinfo=STOCKHOLM))


@pytest.fixture
def chromium(live_server: Any) -> Iterator[Any]:
    with launched() as browser:
        yield browser


def _starting(name: str) -> re.Pattern[str]:
    """An accessible name that starts with `name` (Playwright's plain string matches anywhere in the name)."""
    return re.compile(f"^{re.escape(name)}")


class Walk:
    """One user in the browser: `loads` counts the pages loaded since the start page."""

    def __init__(self, chromium: Any, base: str, user: Any) -> None:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        self.page = chromium.new_page(locale="sv-SE", viewport={"width": 1366, "height": 900})
        self.page.goto(f"{base}/konto/logga-in/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.press("#id_password", "Enter")
        self.page.wait_for_url(f"{base}/")
        self.loads = 0
        self.page.on("load", lambda _page: self._loaded())

    def _loaded(self) -> None:
        self.loads += 1

    def click(self, name: str) -> None:
        """Follow the first link whose accessible name starts with `name`."""
        self.page.get_by_role("link", name=_starting(name)).first.click()
        self.page.wait_for_load_state()

    def press(self, name: str) -> None:
        """Press the first button whose accessible name starts with `name` (its form is submitted)."""
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=_starting(name)).first.click()

    def text(self) -> str:
        return str(self.page.inner_text("main"))


@pytest.fixture
def wilma(org: Organisation, staffer: Any) -> Employee:
    return Employee.objects.get(user=staffer)


def test_journal_entry_in_two_page_loads(chromium: Any, live_server: Any, staffer: Any, wilma: Employee, astrid: Any):
    f.make_order(astrid, wilma.unit)
    f.shift(wilma, astrid, f.at(0, 7), 8)
    walk = Walk(chromium, live_server.url, staffer)
    walk.click("Skriv i journalen")
    walk.page.locator("#id_category").select_option(index=1)
    walk.page.locator("#id_text").fill("Astrid ville gå till parken; vi gick en halvtimme.")
    walk.press("Signera och spara")
    assert walk.loads <= 2
    entry = JournalEntry.objects.get(client=astrid)
    assert entry.text.startswith("Astrid ville gå till parken")


def test_deviation_in_two_page_loads(chromium: Any, live_server: Any, staffer: Any, wilma: Employee, astrid: Any):
    f.make_order(astrid, wilma.unit)
    f.shift(wilma, astrid, f.at(0, 7), 8)
    walk = Walk(chromium, live_server.url, staffer)
    walk.click("Rapportera avvikelse")  # on today's shift: the client is already chosen
    walk.page.get_by_label("Vad hände").fill("Medicinen gavs en timme för sent.")
    walk.press("Rapportera")
    assert walk.loads <= 2
    deviation = Deviation.objects.get()
    assert deviation.client == astrid and f"Referensnummer: {deviation.pk}" in walk.text()


def test_report_oneself_sick_in_two_page_loads(chromium: Any, live_server: Any, staffer: Any, wilma: Employee, astrid):
    f.make_order(astrid, wilma.unit)
    f.shift(wilma, astrid, f.at(1, 7), 8)
    walk = Walk(chromium, live_server.url, staffer)
    walk.click("Sjukanmäl dig")
    walk.page.get_by_label("Sjuk från och med").fill("2030-03-05")
    walk.press("Sjukanmäl mig")
    assert walk.loads <= 2
    assert "Du är sjukanmäld" in walk.text()
    assert Absence.objects.filter(employee=wilma, kind="sick", starts_on=f.day(1)).exists()


def test_take_an_open_shift_in_two_page_loads(chromium: Any, live_server: Any, staffer: Any, wilma: Employee, astrid):
    f.make_order(astrid, wilma.unit)
    free = f.shift(None, astrid, f.at(2, 7), 8)
    walk = Walk(chromium, live_server.url, staffer)
    walk.click("Mitt schema")
    walk.press("Begär passet")
    assert walk.loads <= 2
    assert "Din begäran är skickad" in walk.text()
    assert free.requests.filter(employee=wilma, status="pending").exists()


def test_sick_call_in_three_page_loads_and_one_per_further_shift(
    chromium: Any, live_server: Any, org: Organisation, manager: Any, astrid: Any
) -> None:
    opened = sick_call_of_three_shifts(org, manager, astrid)
    walk = Walk(chromium, live_server.url, manager)
    walk.click("Sigge Sjuk")  # Sjukanmälningar att hantera
    walk.press("Tilldela")  # the first candidate of the first shift
    assert walk.loads <= 3
    assert Shift.objects.get(pk=opened[0].pk).employee_id is not None
    for further in opened[1:]:
        before = walk.loads
        walk.press("Tilldela")
        assert walk.loads == before + 1
        assert Shift.objects.get(pk=further.pk).employee_id is not None
    assert "Alla pass är tillsatta." in walk.text()


def test_vb_as_docx_and_pdf_in_three_page_loads(
    chromium: Any, live_server: Any, org: Organisation, manager: Any, settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    make_plan(org.provider, f.MONDAY.year - 1)
    walk = Walk(chromium, live_server.url, manager)
    # The test's task backend makes both files inside the request that asks for them: allow it time.
    walk.page.set_default_timeout(180_000)
    walk.page.set_default_navigation_timeout(180_000)
    walk.click("Mål och uppföljning")
    walk.click(org.provider.name)  # the unit's plans, newest first
    walk.press("Skapa dokument")  # Verksamhetsberättelse, Word och PDF: the defaults
    assert walk.loads <= 3
    walk.page.get_by_text("PDF: Klar").wait_for()  # made in the background; the page asks until both are done
    names = []
    for suffix in (".docx", ".pdf"):
        with walk.page.expect_download() as download:
            walk.page.get_by_role("link", name=re.compile(rf"^Ladda ner VB-.*{re.escape(suffix)}$")).click()
        names.append(download.value.suggested_filename)
    assert walk.loads <= 3
    assert names == [f"VB-{f.MONDAY.year - 1}-enheten-for-personligt-stod{s}" for s in (".docx", ".pdf")]
    made = GeneratedDocument.objects.order_by("pk")
    assert [(d.kind, d.format, d.status) for d in made] == [("VB", "docx", "done"), ("VB", "pdf", "done")]
