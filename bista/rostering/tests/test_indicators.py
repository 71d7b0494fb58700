"""The working-time indicators against hand-computed fixtures.

Employees and clients are made through the services (staff, clients). Shifts and absences — the indicators'
inputs — are created directly with the ORM: these tests are about the arithmetic of the figures (which
shifts count, how many hours, in which month), not about the rules the rostering services enforce when a
shift is saved, and those services may refuse some deliberately odd rows used here (open shifts, cancelled
absences with absent shifts).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from bista.care.tests.factories import make_client
from bista.clients.models import Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import Team, Unit
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.rostering import indicators
from bista.rostering.indicators import Code, ReportPeriod
from bista.rostering.models import Shift
from bista.staff import services as staff_services
from bista.staff.models import Absence, Employee

STOCKHOLM = clock.STOCKHOLM


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A local (Europe/Stockholm) moment."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def make_employee(unit: Unit, first_name: str, gender: str, teams: list[Team] = ()) -> Employee:  # type: ignore[assignment]
    return staff_services.employee_create(
        actor=SYSTEM,
        unit=unit,
        first_name=first_name,
        last_name="Testsson",
        gender=gender,
        employment_type="tillsvidare",
        start_date=datetime.date(2020, 1, 1),
        teams=list(teams),
        fictitious=True,
    )


def sick(employee: Employee, starts_on: datetime.date, **fields: Any) -> Absence:
    """A sick-leave episode (ORM: see the module docstring)."""
    return Absence.objects.create(employee=employee, kind=Absence.Kind.SICK, starts_on=starts_on, **fields)


def add_shift(
    employee: Employee | None,
    client: Client,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    status: str = Shift.Status.WORKED,
    unit: Unit | None = None,
    **fields: Any,
) -> Shift:
    """A shift as the indicators read it (ORM: see the module docstring)."""
    return Shift.objects.create(
        unit=unit or client.unit_links.first().unit,  # type: ignore[union-attr]
        client=client,
        employee=employee,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        **fields,
    )


def hours(start: datetime.datetime, length: float) -> tuple[datetime.datetime, datetime.datetime]:
    return start, start + datetime.timedelta(hours=length)


class People:
    """Karin (K, Team Ek), Mats (M, Team Björk), Alex (recorded as "annat", Team Ek), Bo (M, no team), and
    Lena (K) of the other unit; clients Klara (K, Team Ek), Måns (M, Team Björk), a protected client (no
    recorded gender, Team Ek) and one client of the other unit."""

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.karin = make_employee(org.provider, "Karin", "K", [org.team])
        self.mats = make_employee(org.provider, "Mats", "M", [org.other_team])
        self.alex = make_employee(org.provider, "Alex", "A", [org.team])
        self.bo = make_employee(org.provider, "Bo", "M")
        self.lena = make_employee(org.other_unit, "Lena", "K", [org.other_unit_team])
        self.klara = make_client(org.provider, first_name="Klara", gender="K", teams=[org.team])
        self.mans = make_client(org.provider, first_name="Måns", gender="M", teams=[org.other_team])
        self.hidden = make_client(
            org.provider, first_name="Skyddad", last_name="Hemlig", protected_identity=True, teams=[org.team]
        )
        self.elsewhere = make_client(org.other_unit, first_name="Annan", gender="K")


@pytest.fixture
def people(org: Organisation) -> People:
    return People(org)


def make_sick_leave_data(p: People) -> dict[str, Shift]:
    """January–February 2024. Karin's episode runs 25 January – 20 February, so its days 1–14 end on
    7 February: January's sick shifts are days 5 and 7, February's days 14 and 15.

    January: K scheduled 8 + 8 + 9 = 25, sick 17 (all days 1–14); M scheduled 8 + 8 = 16, sick 0;
    Alex ("annat") scheduled 6, sick 6 → total scheduled 47, sick 23, days 1–14 23.
    February: K scheduled 8 + 8 + 8 = 24, sick 16, days 1–14 8; M scheduled 10, sick 0 → total
    scheduled 34, sick 16, days 1–14 8.
    """
    episode = sick(p.karin, datetime.date(2024, 1, 25), ends_on=datetime.date(2024, 2, 20))
    vacation = Absence.objects.create(employee=p.mats, kind=Absence.Kind.VACATION, starts_on=datetime.date(2024, 1, 20))
    cancelled = sick(p.mats, datetime.date(2024, 2, 2), cancelled_at=at(2024, 2, 3, 9))
    alex_episode = sick(p.alex, datetime.date(2024, 1, 12))
    absent = Shift.Status.ABSENT
    s = {
        "k_worked": add_shift(p.karin, p.klara, *hours(at(2024, 1, 10, 8), 8)),
        "k_day5": add_shift(p.karin, p.klara, *hours(at(2024, 1, 29, 8), 8), status=absent, absence=episode),
        # Across midnight at the month end: January's shift (its local start date), day 7.
        "k_day7_night": add_shift(
            p.karin, p.klara, at(2024, 1, 31, 22), at(2024, 2, 1, 7), status=absent, absence=episode
        ),
        # Day 14 starts 23:30 on 7 February; day 15 starts the next morning.
        "k_day14": add_shift(p.karin, p.klara, *hours(at(2024, 2, 7, 23, 30), 8), status=absent, absence=episode),
        "k_day15": add_shift(p.karin, p.klara, *hours(at(2024, 2, 8, 8), 8), status=absent, absence=episode),
        "k_published": add_shift(p.karin, p.klara, *hours(at(2024, 2, 21, 8), 8), status=Shift.Status.PUBLISHED),
        "m_worked": add_shift(p.mats, p.mans, *hours(at(2024, 1, 15, 7), 8)),
        "m_vacation": add_shift(p.mats, p.mans, *hours(at(2024, 1, 20, 7), 8), status=absent, absence=vacation),
        "m_cancelled_sick": add_shift(p.mats, p.mans, *hours(at(2024, 2, 2, 7), 10), status=absent, absence=cancelled),
        "a_sick": add_shift(p.alex, p.klara, *hours(at(2024, 1, 12, 8), 6), status=absent, absence=alex_episode),
    }
    # Not scheduled ordinary hours: draft, cancelled, overtime, on call, standby, an open shift, another unit.
    add_shift(p.karin, p.klara, *hours(at(2024, 1, 11, 8), 8), status=Shift.Status.DRAFT)
    add_shift(p.karin, p.klara, *hours(at(2024, 1, 12, 8), 8), status=Shift.Status.CANCELLED)
    add_shift(p.karin, p.klara, *hours(at(2024, 1, 13, 8), 10), is_overtime=True)
    add_shift(p.karin, p.klara, *hours(at(2024, 1, 14, 8), 8), kind="on_call")
    add_shift(p.mats, p.mans, *hours(at(2024, 1, 16, 8), 8), kind="standby", status=absent, absence=vacation)
    add_shift(None, p.klara, *hours(at(2024, 1, 29, 8), 8), status=Shift.Status.PUBLISHED)
    lena_episode = sick(p.lena, datetime.date(2024, 1, 10))
    add_shift(p.lena, p.elsewhere, *hours(at(2024, 1, 10, 8), 8), status=absent, absence=lena_episode)
    return s


def parts(figure: indicators.Figure) -> dict[str, tuple[float, float | None]]:
    return {gender: (part.numerator, part.denominator) for gender, part in figure.by_gender.items()}


def shift_ids(condition: Any) -> set[int]:
    return set(Shift.objects.filter(condition).values_list("pk", flat=True))


# --- Periods ----------------------------------------------------------------------------------------------------


def test_periods_and_their_months() -> None:
    t1 = ReportPeriod.tertial(2024, 1)
    assert (t1.start, t1.end) == (datetime.date(2024, 1, 1), datetime.date(2024, 4, 30))
    t2 = ReportPeriod.tertial(2024, 2)
    assert (t2.start, t2.end) == (datetime.date(2024, 5, 1), datetime.date(2024, 8, 31))
    assert ReportPeriod.tertial(2024, 3).months[0] == datetime.date(2024, 9, 1)
    rolling = ReportPeriod.rolling_12(2024, 3)
    assert (rolling.start, rolling.end) == (datetime.date(2023, 4, 1), datetime.date(2024, 3, 31))
    assert len(rolling.months) == 12
    assert ReportPeriod.rolling_12(2024, 12).start == datetime.date(2024, 1, 1)
    assert ReportPeriod.month(2024, 2).end == datetime.date(2024, 2, 29)
    # Local midnights: the tertial boundary is 1 May 00:00 in Stockholm, 30 April 22:00 UTC.
    assert t1.ends_at() == t2.starts_at() == at(2024, 5, 1)
    assert t1.ends_at().astimezone(datetime.UTC) == datetime.datetime(2024, 4, 30, 22, tzinfo=datetime.UTC)
    assert [indicators.tertial_of(m) for m in (1, 4, 5, 8, 9, 12)] == [1, 1, 2, 2, 3, 3]
    assert [p.key for p in indicators.year_periods(2024)][11:] == ["2024-12", "2024-T1", "2024-T2", "2024-T3", "2024"]


@pytest.mark.parametrize("key", ["2024", "2024-T1", "2024-T3", "2024-03", "2024-12", "2024-03-R12"])
def test_period_keys_round_trip(key: str) -> None:
    assert ReportPeriod.parse(key).key == key


@pytest.mark.parametrize("key", ["", "abcd", "1999", "2024-13", "2024-00", "2024-T4", "2024-T0", "2024-3", "2024-R12"])
def test_bad_period_keys_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        ReportPeriod.parse(key)


def test_period_labels_are_swedish() -> None:
    assert ReportPeriod.month(2024, 3).label == "mars 2024"
    assert ReportPeriod.tertial(2024, 2).label == "T2 2024"
    assert ReportPeriod.rolling_12(2024, 12).label == "12 månader t.o.m. december 2024"


# --- Sick leave -------------------------------------------------------------------------------------------------


def test_sick_leave_per_month_with_gender_split(people: People) -> None:
    make_sick_leave_data(people)
    unit = [people.org.provider.pk]
    january = indicators.sick_leave(unit, ReportPeriod.month(2024, 1))
    assert (january.numerator, january.denominator) == (23, 47)
    assert january.value == pytest.approx(23 / 47)
    assert parts(january) == {"K": (17, 25), "M": (0, 16)}
    assert january.by_gender["K"].value == pytest.approx(17 / 25)
    assert january.by_gender["M"].value == 0

    february = indicators.sick_leave(unit, ReportPeriod.month(2024, 2))
    assert (february.numerator, february.denominator) == (16, 34)
    assert parts(february) == {"K": (16, 24), "M": (0, 10)}


def test_sick_leave_days_1_14_split_across_the_months_of_one_episode(people: People) -> None:
    make_sick_leave_data(people)
    unit = [people.org.provider.pk]
    january = indicators.sick_leave_days_1_14(unit, ReportPeriod.month(2024, 1))
    assert (january.numerator, january.denominator) == (23, 47)
    assert parts(january) == {"K": (17, 25), "M": (0, 16)}
    february = indicators.sick_leave_days_1_14(unit, ReportPeriod.month(2024, 2))
    # Day 14 (starting 23:30 on 7 February) counts, day 15 does not.
    assert (february.numerator, february.denominator) == (8, 34)
    assert parts(february) == {"K": (8, 24), "M": (0, 10)}


def test_sick_leave_over_a_tertial_and_a_year(people: People) -> None:
    make_sick_leave_data(people)
    unit = [people.org.provider.pk]
    for period in (ReportPeriod.tertial(2024, 1), ReportPeriod.whole_year(2024)):
        total = indicators.sick_leave(unit, period)
        assert (total.numerator, total.denominator) == (39, 81)
        assert parts(total) == {"K": (33, 49), "M": (0, 26)}
        early = indicators.sick_leave_days_1_14(unit, period)
        assert (early.numerator, early.denominator) == (31, 81)
    empty = indicators.sick_leave(unit, ReportPeriod.tertial(2024, 2))
    assert (empty.value, empty.numerator, empty.denominator) == (None, 0, 0)
    assert empty.by_gender["K"].value is None


def test_sick_leave_rolling_12_months(people: People) -> None:
    make_sick_leave_data(people)
    episode = sick(people.karin, datetime.date(2023, 1, 15))
    add_shift(people.karin, people.klara, *hours(at(2023, 1, 15, 8), 8), status="absent", absence=episode)  # outside
    add_shift(people.karin, people.klara, *hours(at(2023, 3, 10, 8), 8))  # inside both windows
    unit = [people.org.provider.pk]
    january = indicators.sick_leave(unit, ReportPeriod.rolling_12(2024, 1))  # February 2023 – January 2024
    assert (january.numerator, january.denominator) == (23, 55)
    february = indicators.sick_leave(unit, ReportPeriod.rolling_12(2024, 2))
    assert (february.numerator, february.denominator) == (39, 89)
    assert parts(february) == {"K": (33, 57), "M": (0, 26)}


def test_sick_leave_of_a_team_counts_its_employees_once(people: People) -> None:
    make_sick_leave_data(people)
    org = people.org
    unit = [org.provider.pk]
    ek = indicators.sick_leave(unit, ReportPeriod.month(2024, 1), team_ids=[org.team.pk])  # Karin and Alex
    assert (ek.numerator, ek.denominator) == (23, 31)
    assert parts(ek) == {"K": (17, 25), "M": (0, 0)}
    people.karin.teams.add(org.other_team)  # in both teams now: still counted once
    both = indicators.sick_leave(unit, ReportPeriod.month(2024, 1), team_ids=[org.team.pk, org.other_team.pk])
    assert (both.numerator, both.denominator) == (23, 47)
    other = indicators.sick_leave([org.other_unit.pk], ReportPeriod.month(2024, 1))
    assert (other.numerator, other.denominator) == (8, 8)


def test_sick_hours_are_elapsed_hours_across_daylight_saving(people: People) -> None:
    spring = sick(people.karin, datetime.date(2024, 3, 30))
    autumn = sick(people.mats, datetime.date(2024, 10, 26))
    add_shift(people.karin, people.klara, at(2024, 3, 30, 22), at(2024, 3, 31, 7), status="absent", absence=spring)
    add_shift(people.mats, people.mans, at(2024, 10, 26, 22), at(2024, 10, 27, 7), status="absent", absence=autumn)
    unit = [people.org.provider.pk]
    assert parts(indicators.sick_leave(unit, ReportPeriod.month(2024, 3))) == {"K": (8, 8), "M": (0, 0)}
    assert parts(indicators.sick_leave(unit, ReportPeriod.month(2024, 10))) == {"K": (0, 0), "M": (10, 10)}


def test_sick_leave_drill_down_filters_select_the_shifts_behind_it(people: People) -> None:
    s = make_sick_leave_data(people)
    unit = [people.org.provider.pk]
    january = indicators.sick_leave(unit, ReportPeriod.month(2024, 1))
    assert shift_ids(january.shifts) == {s["k_day5"].pk, s["k_day7_night"].pk, s["a_sick"].pk}
    assert january.base_shifts is not None
    assert shift_ids(january.base_shifts) == {
        s[k].pk for k in ("k_worked", "k_day5", "k_day7_night", "m_worked", "m_vacation", "a_sick")
    }
    february = indicators.sick_leave_days_1_14(unit, ReportPeriod.month(2024, 2))
    assert shift_ids(february.shifts) == {s["k_day14"].pk}
    assert shift_ids(february.shifts & february.gender_filter("M")) == set()
    shift = Shift.objects.select_related("absence").get(pk=s["k_day14"].pk)
    assert indicators.episode_day(shift) == 14


# --- Worked hours: hourly-paid share and overtime ---------------------------------------------------------------


def make_worked_data(p: People) -> None:
    """2024. March: Karin 8 h (the night the clocks go forward). April: Karin 8 h (30 April 23:30 → T1),
    Mats hourly-paid 4 h active + 4 h on call, Alex hourly-paid 8 h → worked 24, hourly-paid 16 (K 0/8,
    M 8/8). May: Mats hourly-paid 8 h from 00:30 on 1 May (30 April in UTC → T2) and 3 h overtime →
    worked 11, hourly-paid 8, overtime 3 (M). October: Karin 10 h overtime (the night the clocks go back).
    """
    add_shift(p.karin, p.klara, at(2024, 3, 30, 22), at(2024, 3, 31, 7))
    add_shift(p.karin, p.klara, *hours(at(2024, 4, 30, 23, 30), 8))
    add_shift(p.mats, p.mans, *hours(at(2024, 4, 29, 8), 4), is_hourly_paid=True)
    add_shift(p.mats, p.mans, *hours(at(2024, 4, 28, 8), 4), is_hourly_paid=True, kind="on_call")
    add_shift(p.alex, p.klara, *hours(at(2024, 4, 10, 8), 8), is_hourly_paid=True)
    add_shift(p.mats, p.mans, *hours(at(2024, 5, 1, 0, 30), 8), is_hourly_paid=True)
    add_shift(p.mats, p.mans, *hours(at(2024, 5, 2, 8), 3), is_overtime=True)
    add_shift(p.karin, p.klara, at(2024, 10, 26, 22), at(2024, 10, 27, 7), is_overtime=True)
    # Not worked hours: standby, published, absent, draft, an open shift, another unit.
    add_shift(p.mats, p.mans, *hours(at(2024, 4, 27, 8), 4), is_hourly_paid=True, kind="standby")
    add_shift(p.mats, p.mans, *hours(at(2024, 4, 26, 8), 4), is_hourly_paid=True, status="published")
    add_shift(p.mats, p.mans, *hours(at(2024, 4, 25, 8), 4), is_overtime=True, status="absent")
    add_shift(p.mats, p.mans, *hours(at(2024, 4, 24, 8), 4), is_overtime=True, status="draft")
    add_shift(None, p.mans, *hours(at(2024, 4, 23, 8), 4), is_hourly_paid=True, status="worked")
    add_shift(p.lena, p.elsewhere, *hours(at(2024, 4, 22, 8), 4), is_hourly_paid=True, is_overtime=True)


def test_hourly_paid_share_per_month_tertial_and_year(people: People) -> None:
    make_worked_data(people)
    unit = [people.org.provider.pk]
    expected = {
        ReportPeriod.month(2024, 3): (0, 8, {"K": (0, 8), "M": (0, 0)}),
        ReportPeriod.month(2024, 4): (16, 24, {"K": (0, 8), "M": (8, 8)}),
        ReportPeriod.month(2024, 5): (8, 11, {"K": (0, 0), "M": (8, 11)}),
        ReportPeriod.tertial(2024, 1): (16, 32, {"K": (0, 16), "M": (8, 8)}),
        ReportPeriod.tertial(2024, 2): (8, 11, {"K": (0, 0), "M": (8, 11)}),
        ReportPeriod.tertial(2024, 3): (0, 10, {"K": (0, 10), "M": (0, 0)}),
        ReportPeriod.whole_year(2024): (24, 53, {"K": (0, 26), "M": (16, 19)}),
    }
    for period, (numerator, denominator, by_gender) in expected.items():
        figure = indicators.hourly_paid_share(unit, period)
        assert (figure.numerator, figure.denominator, parts(figure)) == (numerator, denominator, by_gender), period
    assert indicators.hourly_paid_share(unit, ReportPeriod.tertial(2024, 1)).value == 0.5
    assert indicators.INDICATORS[Code.HOURLY_PAID_SHARE].target == 0.19


def test_overtime_hours_per_month_and_year(people: People) -> None:
    make_worked_data(people)
    unit = [people.org.provider.pk]
    may = indicators.overtime_hours(unit, ReportPeriod.month(2024, 5))
    assert (may.value, may.numerator, may.denominator) == (3, 3, None)
    assert {g: p.value for g, p in may.by_gender.items()} == {"K": 0, "M": 3}
    october = indicators.overtime_hours(unit, ReportPeriod.month(2024, 10))
    assert october.value == 10  # 22:00–07:00 on the night the clocks go back
    year = indicators.overtime_hours(unit, ReportPeriod.whole_year(2024))
    assert (year.value, {g: p.value for g, p in year.by_gender.items()}) == (13, {"K": 10, "M": 3})
    assert indicators.overtime_hours(unit, ReportPeriod.month(2024, 4)).value == 0
    assert Shift.objects.filter(year.shifts).count() == 2


def test_worked_hours_of_a_team(people: People) -> None:
    make_worked_data(people)
    figure = indicators.hourly_paid_share(
        [people.org.provider.pk], ReportPeriod.month(2024, 4), team_ids=[people.org.team.pk]
    )
    assert (figure.numerator, figure.denominator) == (8, 16)  # Karin 8 h, Alex 8 h hourly-paid


# --- Staff continuity -------------------------------------------------------------------------------------------


def make_continuity_data(p: People) -> None:
    """March 2024: Klara (K) had Karin twice and Mats → 2; Måns (M) had Alex and Mats (31 March 23:30) → 2.
    April: Klara had Karin → 1; the protected client (no recorded gender) had four people → 4."""
    add_shift(p.karin, p.klara, *hours(at(2024, 3, 4, 8), 8))
    add_shift(p.karin, p.klara, *hours(at(2024, 3, 5, 8), 8))
    add_shift(p.mats, p.klara, *hours(at(2024, 3, 6, 8), 8), kind="on_call")
    add_shift(p.alex, p.klara, *hours(at(2024, 3, 7, 8), 8), status="cancelled")
    add_shift(p.bo, p.klara, *hours(at(2024, 3, 8, 8), 8), kind="standby")
    add_shift(p.alex, p.mans, *hours(at(2024, 3, 9, 8), 8))
    add_shift(p.mats, p.mans, *hours(at(2024, 3, 31, 23, 30), 8))
    add_shift(p.karin, p.klara, *hours(at(2024, 4, 2, 8), 8))
    add_shift(p.bo, p.klara, *hours(at(2024, 4, 3, 8), 8), status="published")
    for employee, day in ((p.karin, 10), (p.mats, 11), (p.alex, 12), (p.bo, 13)):
        add_shift(employee, p.hidden, *hours(at(2024, 4, day, 8), 8))
    add_shift(p.lena, p.elsewhere, *hours(at(2024, 4, 2, 8), 8))


def test_staff_continuity_per_month_and_tertial(people: People) -> None:
    make_continuity_data(people)
    unit = [people.org.provider.pk]
    march = indicators.staff_continuity(unit, ReportPeriod.month(2024, 3))
    assert (march.value, march.median, march.numerator, march.denominator) == (2, 2, 4, 2)
    assert parts(march) == {"K": (2, 1), "M": (2, 1)}
    assert march.client_ids == {people.klara.pk, people.mans.pk}
    april = indicators.staff_continuity(unit, ReportPeriod.month(2024, 4))
    assert (april.value, april.median) == (2.5, 2.5)
    assert parts(april) == {"K": (1, 1), "M": (0, 0)}
    assert april.by_gender["M"].value is None
    t1 = indicators.staff_continuity(unit, ReportPeriod.tertial(2024, 1))
    assert (t1.value, t1.median, t1.numerator, t1.denominator) == (2.25, 2, 9, 4)
    assert {g: p.value for g, p in t1.by_gender.items()} == {"K": 1.5, "M": 2}
    assert len(Shift.objects.filter(t1.shifts)) == 10
    may = indicators.staff_continuity(unit, ReportPeriod.month(2024, 5))
    assert (may.value, may.median, may.client_months) == (None, None, ())


def test_staff_continuity_of_a_team_follows_the_clients_teams(people: People) -> None:
    make_continuity_data(people)
    figure = indicators.staff_continuity(
        [people.org.provider.pk], ReportPeriod.tertial(2024, 1), team_ids=[people.org.other_team.pk]
    )
    assert [(row.client_id, row.staff) for row in figure.client_months] == [(people.mans.pk, 2)]


# --- A whole year -----------------------------------------------------------------------------------------------


def test_year_overview_matches_the_single_figures_in_three_queries(
    people: People, django_assert_num_queries: Any
) -> None:
    make_sick_leave_data(people)
    make_worked_data(people)
    make_continuity_data(people)
    unit = [people.org.provider.pk]
    with django_assert_num_queries(3):
        overview = indicators.year_overview(unit, 2024)
    periods = [*overview.periods, *(ReportPeriod.rolling_12(2024, m) for m in range(1, 13))]
    for period in periods:
        codes = indicators.CODES if period.kind != "rolling_12" else (Code.SICK_LEAVE, Code.SICK_LEAVE_DAYS_1_14)
        for code in codes:
            single = indicators.compute(code, unit, period)
            mine = overview.figure(code, period)
            assert (mine.value, mine.numerator, mine.denominator, parts(mine), mine.median) == (
                single.value,
                single.numerator,
                single.denominator,
                parts(single),
                single.median,
            ), (code, period)
    assert overview.figure(Code.SICK_LEAVE, ReportPeriod.month(2024, 1)).numerator == 23
    team = indicators.year_overview(unit, 2024, team_ids=[people.org.team.pk])
    assert team.figure(Code.SICK_LEAVE, ReportPeriod.month(2024, 1)).denominator == 31


# --- Entry points with access -----------------------------------------------------------------------------------


def test_unit_overview_and_drill_down_check_access(people: People, manager: Any, nobody: Any) -> None:
    make_sick_leave_data(people)
    make_worked_data(people)
    org = people.org
    controller = make_user("kontroll", RoleCode.CONTROLLER, org.provider)
    january = ReportPeriod.month(2024, 1)
    with pytest.raises(PermissionDenied):
        indicators.unit_overview(nobody, unit_id=org.provider.pk, year=2024)
    with pytest.raises(PermissionDenied):
        indicators.drill_down(nobody, code=Code.SICK_LEAVE, unit_id=org.provider.pk, period=january)
    assert indicators.unit_overview(controller, unit_id=org.provider.pk, year=2024).year == 2024

    # The controller sees the sick-leave figure but not who was sick; the manager sees the shifts.
    figures_only = indicators.drill_down(controller, code=Code.SICK_LEAVE, unit_id=org.provider.pk, period=january)
    assert figures_only.shifts is None and figures_only.figure.numerator == 23
    detailed = indicators.drill_down(manager, code=Code.SICK_LEAVE, unit_id=org.provider.pk, period=january, gender="K")
    assert detailed.shifts is not None and detailed.shifts.count() == 2
    denominator = indicators.drill_down(
        manager, code=Code.SICK_LEAVE, unit_id=org.provider.pk, period=january, denominator=True
    )
    assert denominator.shifts is not None and denominator.shifts.count() == 6
    hourly = indicators.drill_down(
        controller, code=Code.HOURLY_PAID_SHARE, unit_id=org.provider.pk, period=ReportPeriod.month(2024, 4)
    )
    assert hourly.shifts is not None and hourly.shifts.count() == 3

    with pytest.raises(KeyError):
        indicators.drill_down(manager, code="nonsense", unit_id=org.provider.pk, period=january)
    with pytest.raises(ValueError):
        indicators.drill_down(manager, code=Code.SICK_LEAVE, unit_id=org.provider.pk, period=january, gender="X")
