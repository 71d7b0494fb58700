import datetime

from hypothesis import given
from hypothesis import strategies as st

from bista.ownview import rules


def test_contacts_are_normalised_and_nonsense_refused() -> None:
    assert rules.normalise_contact("070-123 45 67") == ("sms", "+46701234567")
    assert rules.normalise_contact("0046 70 123 45 67") == ("sms", "+46701234567")
    assert rules.normalise_contact(" Karin@Example.SE ") == ("email", "karin@example.se")
    for bad in ("", "abc", "12", "karin@", "@example.se", "70 123", "x" * 300 + "@example.se"):
        assert rules.normalise_contact(bad) is None, bad


def test_codes_are_six_digits_and_hashes_depend_on_the_row_and_the_key() -> None:
    code = rules.new_code()
    assert len(code) == 6 and code.isdigit()
    assert rules.normalise_code(" 123-456 ") == "123456"
    assert rules.normalise_code("12345") is None and rules.normalise_code("abcdef") is None
    assert rules.code_hash("k", 1, "123456") != rules.code_hash("k", 2, "123456")
    assert rules.code_hash("k", 1, "123456") != rules.code_hash("other", 1, "123456")


def test_a_code_is_usable_until_it_expires_is_used_or_tried_too_often() -> None:
    now = datetime.datetime(2030, 3, 4, 10, tzinfo=datetime.UTC)
    later = now + rules.CODE_TTL
    assert rules.code_usable(now=now, expires_at=later, used=False, attempts=0)
    assert not rules.code_usable(now=later, expires_at=later, used=False, attempts=0)
    assert not rules.code_usable(now=now, expires_at=later, used=True, attempts=0)
    assert not rules.code_usable(now=now, expires_at=later, used=False, attempts=rules.ATTEMPTS_PER_CODE)


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2100, 1, 1)))
def test_the_week_runs_monday_to_monday_and_holds_the_day(day: datetime.date) -> None:
    monday, next_monday = rules.week_of(day)
    assert monday.weekday() == 0 and (next_monday - monday).days == 7 and monday <= day < next_monday
    this_week, next_week = rules.weeks_from(day)
    assert (this_week, next_week) == (monday, next_monday)


def test_idle_timeout() -> None:
    assert not rules.idle_expired(now=1000, last=900, idle_seconds=900)
    assert rules.idle_expired(now=1000, last=100, idle_seconds=900)
    assert rules.idle_expired(now=1000, last=None, idle_seconds=900)
    assert rules.idle_expired(now=1000, last=2000, idle_seconds=900)  # from the future: not trusted
