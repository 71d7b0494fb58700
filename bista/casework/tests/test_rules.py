"""The pure rules of the purchaser chain: age on a date (leap-day birthdays), the appeal period with its
weekend and holiday extension, the delegation check, follow-up, reassessment and first-contact dates, and a
decision's consistency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bista.casework import rules
from bista.casework.rules import Delegation

D = datetime.date
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2040, 12, 31))


# --- Age -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "day", "child"),
    [
        (D(2006, 6, 15), D(2024, 6, 14), True),  # the day before the 18th birthday
        (D(2006, 6, 15), D(2024, 6, 15), False),  # on the birthday: adult
        (D(2008, 2, 29), D(2026, 2, 28), True),  # leap-day child, common year: still 17 on 28 Feb
        (D(2008, 2, 29), D(2026, 3, 1), False),  # … 18 on 1 March
        (D(2004, 2, 29), D(2022, 2, 28), True),
        (D(2004, 2, 29), D(2022, 3, 1), False),
        (D(2006, 2, 28), D(2024, 2, 28), False),  # born 28 Feb: 18 on 28 Feb of a leap year
        (D(2006, 12, 31), D(2024, 12, 31), False),
        (D(2006, 12, 31), D(2024, 12, 30), True),
    ],
)
def test_child_on_the_decision_date(birth: datetime.date, day: datetime.date, child: bool) -> None:
    assert rules.is_child_on(birth, day) is child


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a shared, busy machine
@given(birth=dates, day=dates)
def test_age_grows_by_one_on_each_birthday(birth: datetime.date, day: datetime.date) -> None:
    age = rules.age_on(birth, day)
    assert age >= 0
    if day >= birth:
        assert rules.birthday_in(birth, birth.year + age) <= day
        assert day < rules.birthday_in(birth, birth.year + age + 1)


def test_birth_date_of_a_samordningsnummer_removes_the_sixty() -> None:
    assert rules.birth_date("200805719826") == D(2008, 5, 11)
    assert rules.birth_date("200805119826") == D(2008, 5, 11)


# --- The appeal period -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        (D(2025, 3, 3), D(2025, 3, 24)),  # Monday + 3 weeks = Monday
        (D(2025, 3, 1), D(2025, 3, 24)),  # Saturday + 3 weeks = Saturday → Monday
        (D(2025, 3, 2), D(2025, 3, 24)),  # Sunday → Monday
        (D(2025, 12, 3), D(2025, 12, 29)),  # julafton, juldagen, annandagen, weekend
        (D(2025, 5, 30), D(2025, 6, 23)),  # midsommarafton, midsommardagen, Sunday
        (D(2025, 12, 10), D(2025, 12, 31) + datetime.timedelta(days=2)),  # nyårsafton, nyårsdagen → 2 Jan
        (D(2025, 3, 28), D(2025, 4, 22)),  # långfredag 18 Apr + 3 weeks lands … 18 Apr → Easter → 22 Apr
    ],
)
def test_appeal_deadline(received: datetime.date, last_day: datetime.date) -> None:
    assert rules.appeal_deadline(received) == last_day


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)  # a shared, busy machine
@given(received=dates)
def test_appeal_deadline_is_a_working_day_at_least_three_weeks_on(received: datetime.date) -> None:
    last = rules.appeal_deadline(received)
    assert last >= received + datetime.timedelta(weeks=3)
    assert last.weekday() < 5
    assert last not in holidays.Sweden(years=last.year, categories=("public", "de_facto"))  # type: ignore[attr-defined]
    # Nothing in between was skippable: every day after the plain three weeks up to the last was closed.
    day = received + datetime.timedelta(weeks=3)
    while day < last:
        assert rules.is_closed(day)
        day += datetime.timedelta(days=1)


def test_appeal_timeliness() -> None:
    received = D(2025, 3, 3)
    assert rules.appeal_is_timely(received, D(2025, 3, 24))
    assert not rules.appeal_is_timely(received, D(2025, 3, 25))
    assert rules.appeal_is_timely(None, D(2030, 1, 1))  # not received: the period has not begun


# --- Delegation ------------------------------------------------------------------------------------

ORDER = [
    Delegation(role="handlaggare", valid_from=D(2020, 1, 1), act="SoL"),
    Delegation(role="handlaggare", valid_from=D(2020, 1, 1), service="lss_9_3"),
    Delegation(role="handlaggare", valid_from=D(2020, 1, 1), valid_to=D(2024, 1, 1), service="lss_9_2"),
    Delegation(role="bitradande_enhetschef", valid_from=D(2020, 1, 1), act="LSS"),
    Delegation(role="handlaggare", valid_from=D(2020, 1, 1), service="lss_9_9", outcome="refused"),
]


@pytest.mark.parametrize(
    ("roles", "act", "service", "outcome", "on", "allowed"),
    [
        ({"handlaggare"}, "SoL", "sol2025_hemtjanst", "granted", D(2025, 8, 1), True),
        ({"handlaggare"}, "LSS", "lss_9_3", "partly", D(2025, 8, 1), True),
        ({"handlaggare"}, "LSS", "lss_9_2", "granted", D(2023, 12, 31), True),  # last day in force
        ({"handlaggare"}, "LSS", "lss_9_2", "granted", D(2024, 1, 1), False),  # valid_to excluded
        ({"handlaggare"}, "LSS", "lss_9_9", "refused", D(2025, 8, 1), True),  # only refusals delegated
        ({"handlaggare"}, "LSS", "lss_9_9", "granted", D(2025, 8, 1), False),
        ({"bitradande_enhetschef"}, "LSS", "lss_9_9", "granted", D(2025, 8, 1), True),
        ({"bitradande_enhetschef"}, "SoL", "sol2025_hemtjanst", "granted", D(2025, 8, 1), False),
        ({"handlaggare"}, "LSS", "lss_9_3", "granted", D(2019, 12, 31), False),  # before the order
        (set(), "SoL", "sol2025_hemtjanst", "granted", D(2025, 8, 1), False),
        ({"medarbetare"}, "SoL", "sol2025_hemtjanst", "granted", D(2025, 8, 1), False),
    ],
)
def test_delegation(roles: set[str], act: str, service: str, outcome: str, on: datetime.date, allowed: bool) -> None:
    assert rules.may_decide(ORDER, roles=roles, act=act, service=service, outcome=outcome, on=on) is allowed


# --- Follow-up, reassessment, first contact --------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "due"),
    [
        (D(2024, 2, 29), D(2025, 2, 28)),  # leap day → last day of February
        (D(2024, 1, 31), D(2025, 1, 31)),
        (D(2023, 3, 1), D(2024, 3, 1)),
    ],
)
def test_follow_up_at_least_yearly(last: datetime.date, due: datetime.date) -> None:
    assert rules.follow_up_due(last) == due


@pytest.mark.parametrize(
    ("period_end", "today", "reinvestigated", "expected"),
    [
        (D(2025, 6, 30), D(2025, 5, 1), False, True),  # 60 days left
        (D(2025, 6, 30), D(2025, 4, 30), False, False),  # 61 days left
        (D(2025, 6, 30), D(2025, 7, 15), False, True),  # already ended, still nothing done
        (D(2025, 6, 30), D(2025, 6, 1), True, False),
        (None, D(2025, 6, 1), False, False),  # until further notice
    ],
)
def test_expiring_soon(
    period_end: datetime.date | None, today: datetime.date, reinvestigated: bool, expected: bool
) -> None:
    assert rules.expiring_soon(period_end, today, reinvestigated=reinvestigated) is expected


def test_first_contact_due_counts_calendar_days() -> None:
    assert rules.first_contact_due(D(2025, 12, 29)) == D(2026, 1, 5)
    assert rules.first_contact_due(D(2024, 2, 25), 7) == D(2024, 3, 3)


# --- A decision's consistency ----------------------------------------------------------------------

GOOD = {
    "outcome": "granted",
    "decision_date": D(2025, 2, 1),
    "applied_on": D(2025, 1, 10),
    "scope_amount": Decimal("12"),
    "scope_unit": "week",
    "period_start": D(2025, 2, 1),
    "period_end": D(2026, 1, 31),
}


def test_a_good_decision_has_no_errors() -> None:
    assert rules.decision_errors(**GOOD) == {}  # type: ignore[arg-type]
    assert rules.decision_errors(**{**GOOD, "decision_date": D(2025, 1, 10)}) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"decision_date": D(2025, 1, 9)}, "decision_date"),
        ({"scope_amount": Decimal(0)}, "scope_amount"),
        ({"scope_amount": Decimal("-1")}, "scope_amount"),
        ({"scope_amount": None}, "scope_amount"),
        ({"scope_unit": ""}, "scope_unit"),
        ({"period_start": None, "period_end": None}, "period_start"),
        ({"period_end": D(2025, 1, 31)}, "period_end"),
        ({"outcome": "refused", "scope_amount": Decimal("-3")}, "scope_amount"),
    ],
)
def test_a_bad_decision_names_the_field(change: dict[str, object], field: str) -> None:
    assert field in rules.decision_errors(**{**GOOD, **change})  # type: ignore[arg-type]


def test_a_refusal_needs_no_scope_or_period() -> None:
    refusal = {**GOOD, "outcome": "refused", "scope_amount": None, "scope_unit": "", "period_start": None}
    assert rules.decision_errors(**{**refusal, "period_end": None}) == {}  # type: ignore[arg-type]


def test_a_new_decision_is_not_dated_before_the_one_it_supersedes() -> None:
    errors = rules.decision_errors(**GOOD, superseded_date=D(2025, 3, 1))  # type: ignore[arg-type]
    assert "decision_date" in errors


# --- Kommunicering before a decision ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "on", "code"),
    [
        ("granted", D(2025, 1, 10), "not_adverse"),  # FL 2017:900 25 § andra stycket 1
        ("granted", D(2018, 7, 1), "not_adverse"),  # the new law's first day
        ("granted", D(2018, 6, 30), "not_adverse"),  # the old law's (FL 1986:223 17 §) last day
        ("partly", D(2025, 1, 10), None),  # part of the application is refused: it goes against the person
        ("refused", D(2025, 1, 10), None),
        ("granted", D(1986, 12, 31), None),  # before any rule Bistå knows
    ],
)
def test_only_a_full_bifall_is_exempt_from_communication(outcome: str, on: datetime.date, code: str | None) -> None:
    exemption = rules.communication_exemption(outcome=outcome, on=on)
    assert (exemption.code if exemption else None) == code


def test_the_two_laws_do_not_overlap() -> None:
    not_adverse = [e for e in rules.COMMUNICATION_EXEMPTIONS if e.code == "not_adverse"]
    assert [e.reference[:27] for e in not_adverse] == ["förvaltningslagen (1986:223", "förvaltningslagen (2017:900"]
    assert not_adverse[0].valid_to == not_adverse[1].valid_from  # valid_to is the first day no longer in force


@pytest.mark.parametrize("outcome", ["granted", "partly", "refused"])
def test_a_court_change_needs_no_communication(outcome: str) -> None:
    assert rules.communication_exemption(outcome=outcome, on=D(2025, 1, 10), by_court=True) is not None
    errors = rules.communication_errors(
        outcome=outcome, decision_date=D(2025, 1, 10), has_investigation=False, communicated_on=None, by_court=True
    )
    assert errors == {}


@pytest.mark.parametrize(
    ("has_investigation", "communicated_on", "field", "code"),
    [
        (False, None, "investigation", "not_communicated"),
        (True, None, "investigation", "not_communicated"),
        (True, D(2025, 1, 11), "decision_date", "communicated_after_decision"),
        (True, D(2025, 1, 10), None, None),  # communicated on the decision's day
        (True, D(2024, 12, 1), None, None),
    ],
)
def test_an_adverse_decision_needs_a_communicated_investigation(
    has_investigation: bool, communicated_on: datetime.date | None, field: str | None, code: str | None
) -> None:
    for outcome in ("refused", "partly"):
        errors = rules.communication_errors(
            outcome=outcome,
            decision_date=D(2025, 1, 10),
            has_investigation=has_investigation,
            communicated_on=communicated_on,
        )
        assert {name: c for name, (c, _) in errors.items()} == ({field: code} if field else {})
        assert all("kommunic" in message.lower() for _, message in errors.values())


def test_a_full_bifall_needs_no_communicated_investigation() -> None:
    errors = rules.communication_errors(
        outcome="granted", decision_date=D(2025, 1, 10), has_investigation=False, communicated_on=None
    )
    assert errors == {}


def test_the_exemptions_are_data() -> None:
    """A rule table without the bifall row (say, a future law that drops it) makes a bifall need communication."""
    only_court = [e for e in rules.COMMUNICATION_EXEMPTIONS if e.by_court]
    errors = rules.communication_errors(
        outcome="granted",
        decision_date=D(2025, 1, 10),
        has_investigation=True,
        communicated_on=None,
        exemptions=only_court,
    )
    assert set(errors) == {"investigation"}


def test_an_interruption_ended_by_the_orders_end_is_reported_as_ended() -> None:
    execution = rules.Execution(
        decision_date=datetime.date(2024, 1, 10),
        executed_on=datetime.date(2024, 2, 1),
        interruptions=(rules.Interruption(datetime.date(2024, 3, 1), ended_on=datetime.date(2024, 8, 20)),),
    )
    (report,) = rules.reportable_in(execution, rules.Quarter(2024, 3))
    assert (report.kind, report.final_on, report.final_kind) == (rules.INTERRUPTED, datetime.date(2024, 8, 20), "ended")
    assert rules.reportable_in(execution, rules.Quarter(2024, 4)) == []
