"""The common tasks in page loads from the start page (issue 13's table), walked with the test client as a user
would: only following links and submitting forms found on the pages, counting each page load (a submitted
form whose answer redirects is one load, as in a browser).

- Report oneself sick (assistant): ≤ 2.
- Take an open shift (assistant): ≤ 2.
- Sick call → cover the first shift (manager): ≤ 3; each further shift + 1.
- Record the first contact after an intake (case officer), from the duty on their desk: ≤ 2.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.core.clock import STOCKHOLM
from bista.core.testing import Organisation
from bista.core.tests.pages import browser
from bista.rostering import services
from bista.rostering.models import Shift
from bista.rostering.tests import factories as f
from bista.staff.models import Absence, Employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[str] = field(default_factory=list)


class _Page(HTMLParser):
    """The links (text, href) and forms (action, hidden and prefilled fields, button texts) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.forms: list[Form] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._form: Form | None = None
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self._href, self._text = a["href"], []
        elif tag == "form":
            self._form = Form(a.get("action", ""))
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form.fields[a["name"]] = a.get("value", "")
        elif tag == "button":
            self._button = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            self._href = None
        elif tag == "button" and self._button is not None:
            if self._form is not None:
                self._form.buttons.append(" ".join("".join(self._button).split()))
            self._button = None
        elif tag == "form":
            self._form = None


class Walk:
    """A user's walk through the pages: every GET and POST is a counted page load."""

    def __init__(self, http: HttpClient) -> None:
        self.http = http
        self.loads = 0
        self.html = ""
        self.path = "/"

    def _load(self, response: Any) -> None:
        assert response.status_code == 200, response.status_code
        self.loads += 1
        self.html = response.content.decode()
        self.path = response.request["PATH_INFO"]

    def start(self) -> None:
        response = self.http.get("/")
        assert response.status_code == 200
        self.html, self.path = response.content.decode(), "/"

    def _page(self) -> _Page:
        page = _Page()
        page.feed(self.html)
        return page

    def click(self, text: str) -> None:
        href = next((href for label, href in self._page().links if label.startswith(text)), None)
        assert href is not None, f"no link {text!r} on {self.path}"
        self._load(self.http.get(href.split("#")[0], follow=True))

    def submit(self, button: str, **typed: str) -> None:
        form = next((form for form in self._page().forms if any(b.startswith(button) for b in form.buttons)), None)
        assert form is not None, f"no button {button!r} on {self.path}"
        self._load(self.http.post(form.action or self.path, {**form.fields, **typed}, follow=True))


@pytest.fixture(autouse=True)
def _monday_morning(frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime.combine(f.MONDAY, datetime.time(9), tzinfo=STOCKHOLM))


@pytest.fixture
def wilma(org: Organisation, staffer: Any) -> Employee:
    return Employee.objects.get(user=staffer)


def test_report_oneself_sick_in_two_page_loads(staffer: Any, wilma: Employee, astrid: Any) -> None:
    f.make_order(astrid, wilma.unit)
    f.shift(wilma, astrid, f.at(1, 7), 8)
    walk = Walk(browser(staffer))
    walk.start()
    walk.click("Sjukanmäl dig")
    walk.submit("Sjukanmäl mig", starts_on="2030-03-05")
    assert walk.loads <= 2
    assert "Du är sjukanmäld" in walk.html
    assert Absence.objects.filter(employee=wilma, kind="sick", starts_on=f.day(1)).exists()


def test_take_an_open_shift_in_two_page_loads(staffer: Any, wilma: Employee, astrid: Any) -> None:
    f.make_order(astrid, wilma.unit)
    free = f.shift(None, astrid, f.at(2, 7), 8)
    walk = Walk(browser(staffer))
    walk.start()
    walk.click("Mitt schema")
    walk.submit("Begär passet")
    assert walk.loads <= 2
    assert "Din begäran är skickad" in walk.html
    assert free.requests.filter(employee=wilma, status="pending").exists()


def sick_call_of_three_shifts(org: Organisation, manager: Any, astrid: Any) -> list[Shift]:
    """Sigge Sjuk is sick Tuesday to Thursday: his three shifts with Astrid open, Greta and Hugo free to take
    them (the scenario of the sick-call walks, here and in the browser)."""
    f.make_order(astrid, org.provider)
    sick = f.make_employee(org.provider, "Sigge", "Sjuk", teams=[org.team])
    f.make_employee(org.provider, "Greta", "Gran", teams=[org.team])
    f.make_employee(org.provider, "Hugo", "Hjälp", teams=[org.team])
    for offset in (1, 2, 3):
        f.shift(sick, astrid, f.at(offset, 7), 8)
    _absence, opened = services.sick_call(actor=manager, employee=sick, starts_on=f.day(1), ends_on=f.day(3))
    return list(opened)


def test_sick_call_covered_in_three_page_loads_and_one_per_further_shift(
    org: Organisation, manager: Any, astrid: Any
) -> None:
    opened = sick_call_of_three_shifts(org, manager, astrid)

    walk = Walk(browser(manager))
    walk.start()
    walk.click("Sigge Sjuk")  # Sjukanmälningar att hantera
    walk.submit("Tilldela")  # the first candidate of the first shift
    assert walk.loads <= 3
    assert Shift.objects.get(pk=opened[0].pk).employee_id is not None
    for further in opened[1:]:
        before = walk.loads
        walk.submit("Tilldela")
        assert walk.loads == before + 1
        assert Shift.objects.get(pk=further.pk).employee_id is not None
    assert "Alla pass är tillsatta." in walk.html


def test_first_contact_from_the_case_officers_desk_in_two_page_loads(org: Organisation) -> None:
    from bista.casework.models import Intake
    from bista.casework.tests import factories as casework

    officer = casework.officer(org)
    intake = casework.register(org.purchaser, actor=officer)  # long overdue on the clock of these tests
    walk = Walk(browser(officer))
    walk.start()
    walk.click("Första kontakt efter aktualisering")  # the desk's most urgent duty → the case
    walk.submit("Registrera", on=str(f.MONDAY))
    assert walk.loads <= 2
    assert Intake.objects.get(pk=intake.pk).first_contact_on == f.MONDAY
