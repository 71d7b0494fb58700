"""What the rostering pages share, and the fixtures their tests share: a provider unit with a client in Team
Ek (an open 24/7 order), two assistants under Bilaga J (one signed in as an employee), a controller who only
sees the roster, and helpers to read pages. The pure helpers (times across midnight and daylight saving,
the week grid, the form's local times) are tested here too.

The other modules import the fixtures by their function names (`unit_fixture` …); pytest knows them by
their fixture names (`unit` …), so a test's parameter does not shadow an import."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django import forms

from bista.clients.models import Client
from bista.core.clock import STOCKHOLM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.rostering.forms import ShiftForm, local_moment
from bista.rostering.models import Shift
from bista.rostering.tests import factories as f
from bista.rostering.views.common import build_weeks, placed_days, status_label, time_text
from bista.rostering.views.needs import weekdays_text
from bista.staff.models import Employee

MONDAY = f.MONDAY  # Monday 4 March 2030: the week the hand-made shifts lie in


# Two-factor sign-in is tested in core; here it would only redirect.
pytestmark = pytest.mark.usefixtures("no_two_factor")


@dataclass
class Unit:
    """The provider unit's rostering data."""

    client: Client
    other_team_client: Client
    anna: Employee
    worker: Employee  # linked to the `worker_user` account
    worker_user: Any
    order: Any


@pytest.fixture(name="unit")
def unit_fixture(org: Organisation) -> Unit:
    client = f.make_client(org.provider, "Astrid", "Lindqvist", teams=[org.team])
    other = f.make_client(org.provider, "Bertil", "Berglund", teams=[org.other_team])
    order = f.make_order(client, org.provider, team=org.team)
    f.make_order(other, org.provider, team=org.other_team)
    anna = f.make_employee(org.provider, "Anna", "Berg", teams=[org.team])
    worker_user = make_user("arbetare", RoleCode.EMPLOYEE, org.provider)
    worker = f.make_employee(org.provider, "Wilma", "Wiklund", teams=[org.other_team], user=worker_user)
    return Unit(client, other, anna, worker, worker_user, order)


@pytest.fixture(name="controller")
def controller_fixture(org: Organisation) -> Any:
    """Sees the unit's roster (roster.view) but may not change it."""
    return make_user("kontroller", RoleCode.CONTROLLER, org.provider)


@pytest.fixture(name="cecilia")
def cecilia_fixture(org: Organisation) -> Client:
    """A client of the unit in the other district, with a shift there."""
    return f.make_client(org.other_unit, "Cecilia", "Carlsson", teams=[org.other_unit_team])


def body(response: Any) -> str:
    return response.content.decode()


def text(response: Any) -> str:
    """The page's text without tags and with whitespace collapsed, to assert on what a reader sees."""
    plain = re.sub(r"<[^>]+>", " ", body(response))
    return re.sub(r"\s+", " ", plain)


def at(day: datetime.date | int, hour: int, minute: int = 0) -> datetime.datetime:
    return f.at(day, hour, minute)


# --- Times as the pages show them --------------------------------------------------------------------------


def _shift(start: datetime.datetime, end: datetime.datetime, **fields: Any) -> Shift:
    return Shift(starts_at=start, ends_at=end, **fields)


def test_a_night_shift_is_marked_with_the_day_it_ends() -> None:
    night = _shift(at(0, 22), at(1, 7))
    assert time_text(night, MONDAY) == "22:00 → tis 07:00"
    assert time_text(_shift(at(0, 7), at(0, 15)), MONDAY) == "07:00–15:00"
    # Ending at midnight does not touch the next day.
    assert time_text(_shift(at(0, 15), at(1, 0)), MONDAY) == "15:00–00:00"


def test_a_night_from_the_week_before_shows_on_the_first_day() -> None:
    night = _shift(at(-1, 22), at(0, 7))
    assert placed_days(night, MONDAY, MONDAY + datetime.timedelta(days=6)) == [MONDAY]
    assert time_text(night, MONDAY) == "(från sön 22:00) → 07:00"
    assert placed_days(_shift(at(0, 22), at(1, 7)), MONDAY, MONDAY) == [MONDAY]
    assert placed_days(_shift(at(-2, 7), at(-2, 15)), MONDAY, MONDAY) == []


def test_times_are_shown_in_stockholm_time_across_daylight_saving() -> None:
    # The spring-forward night (31 March 2030): 22:00 to 07:00 is 8 hours elapsed.
    start = datetime.datetime(2030, 3, 30, 22, tzinfo=STOCKHOLM)
    end = start.astimezone(datetime.UTC) + datetime.timedelta(hours=8)
    assert time_text(_shift(start, end), start.date()) == "22:00 → sön 07:00"


def test_status_is_text() -> None:
    assert status_label(_shift(at(0, 7), at(0, 15), status="draft", employee_id=None)) == "Öppet pass (utkast)"
    assert status_label(_shift(at(0, 7), at(0, 15), status="published", employee_id=None)) == "Öppet pass"
    assert status_label(_shift(at(0, 7), at(0, 15), status="published", employee_id=1)) == "Publicerat"
    assert status_label(_shift(at(0, 7), at(0, 15), status="absent", employee_id=1)) == "Frånvaro"
    assert status_label(_shift(at(0, 7), at(0, 15), status="worked", employee_id=1)) == "Arbetat"


def test_week_grid_places_shifts_by_local_day_and_row() -> None:
    person = Client(first_name="Astrid", last_name="Lindqvist")
    early = _shift(at(0, 7), at(0, 15), pk=1, client=person, status="published", kind="active")
    late = _shift(at(6, 22), at(7, 7), pk=2, client=person, status="published", kind="active")
    weeks = build_weeks(
        [late, early],
        MONDAY,
        2,
        today=MONDAY,
        rows=[("a", "Rad A", None)],
        row_of=lambda s: ("a", "Rad A", None),
        client_name=lambda c: "",
    )
    assert [w.number for w in weeks] == [10, 11]
    first, second = weeks
    assert [len(cell) for cell in first.rows[0].cells] == [1, 0, 0, 0, 0, 0, 1]
    assert first.rows[0].cells[6][0].time_text == "22:00 → mån 07:00"
    # The Sunday night also opens the next week, marked as continuing.
    assert second.rows[0].cells[0][0].time_text == "(från sön 22:00) → 07:00"
    assert first.days[0].is_today and first.days[5].is_weekend


def test_weekdays_in_words() -> None:
    assert weekdays_text("1234567") == "alla dagar"
    assert weekdays_text("12345") == "mån–fre"
    assert weekdays_text("16") == "mån, lör"


def test_local_moment_refuses_a_time_that_does_not_exist() -> None:
    with pytest.raises(forms.ValidationError) as caught:
        local_moment(datetime.date(2030, 3, 31), datetime.time(2, 30))
    assert "finns inte" in caught.value.messages[0]
    # The autumn hour that occurs twice is its first occurrence (summer time, +02:00).
    autumn = local_moment(datetime.date(2030, 10, 27), datetime.time(2, 30))
    assert autumn.utcoffset() == datetime.timedelta(hours=2)


def _shift_form(**data: Any) -> ShiftForm:
    base = {"client": "", "starts_on": "2030-03-04", "starts_time": "22:00", "kind": "active"}
    form = ShiftForm({**base, **data}, clients=Client.objects.none(), employees=Employee.objects.none())
    form.is_valid()
    return form


@pytest.mark.django_db
def test_shift_form_reads_end_time_end_date_or_duration() -> None:
    night = _shift_form(ends_time="07:00").cleaned_data
    assert night["ends_at"] - night["starts_at"] == datetime.timedelta(hours=9)
    assert night["ends_at"].astimezone(STOCKHOLM).date() == datetime.date(2030, 3, 5)
    by_length = _shift_form(duration="7,5").cleaned_data
    assert by_length["ends_at"] - by_length["starts_at"] == datetime.timedelta(hours=7, minutes=30)
    # Over the spring-forward night, a length is elapsed time: 8 hours end at 07:00 summer time.
    spring = _shift_form(starts_on="2030-03-30", duration="8").cleaned_data
    assert spring["ends_at"].astimezone(STOCKHOLM).hour == 7
    assert _shift_form(ends_time="07:00", ends_on="2030-03-04").errors["ends_time"] == [
        "Passet måste sluta efter att det börjar."
    ]
    assert "ends_time" in _shift_form().errors
    assert "duration" in _shift_form(ends_time="07:00", duration="8").errors
    assert "starts_time" in _shift_form(starts_on="2030-03-31", starts_time="02:30", duration="4").errors
    assert "starts_on" in _shift_form(starts_on="1999-12-31", duration="4").errors


def test_rule_violations_are_named_and_kept_apart() -> None:
    """A service's rule violations become "Rule: explanation" (the rule named when the error carries it);
    its other errors stay for the form's fields."""
    from django.core.exceptions import ValidationError

    from bista.rostering.views.shifts import split_rule_violations

    error = ValidationError(
        {
            "employee": [
                ValidationError("Anna Berg är frånvarande.", code="rule_violation", params={"rule": "absence"}),
                ValidationError("Anna Berg är inte anställd hela passet.", code="not_employed"),
            ],
            "__all__": [ValidationError("Vilan blir 9 h (minst 11 h).", code="rule_violation")],
        }
    )
    violations, rest = split_rule_violations(error)
    assert violations == ["Frånvaro: Anna Berg är frånvarande.", "Vilan blir 9 h (minst 11 h)."]
    assert rest is not None and rest.message_dict == {"employee": ["Anna Berg är inte anställd hela passet."]}
