"""Tests for bista.core.personnummer (pure Python, no database needed)."""

from __future__ import annotations

import calendar
import datetime
import pickle

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bista.core.personnummer import (
    FORMAT_MESSAGE,
    Personnummer,
    PersonnummerError,
    is_valid,
    luhn_check_digit,
    parse,
)

TODAY = datetime.date(2026, 11, 23)

MIN_DATE = datetime.date(1890, 1, 1)
MAX_DATE = datetime.date(2025, 12, 31)
LEAP_YEARS = [year for year in range(MIN_DATE.year, MAX_DATE.year + 1) if calendar.isleap(year)]

birth_dates = st.one_of(
    st.dates(min_value=MIN_DATE, max_value=MAX_DATE),
    st.sampled_from(LEAP_YEARS).map(lambda year: datetime.date(year, 2, 29)),
)
birth_numbers = st.integers(min_value=1, max_value=999).map(lambda n: f"{n:03d}")


def reference_luhn_is_valid(number: str) -> bool:
    """Independent textbook Luhn: double every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def with_check_digit(nine_digits: str) -> str:
    """Append the check digit, found with the independent reference implementation."""
    for check in "0123456789":
        if reference_luhn_is_valid(nine_digits + check):
            return nine_digits + check
    raise AssertionError("unreachable")


def make_digits(birth_date: datetime.date, birth_number: str, *, coordination: bool = False) -> str:
    """The 12-digit form for a birth date and birth number."""
    day = birth_date.day + (60 if coordination else 0)
    ten = with_check_digit(f"{birth_date:%y%m}{day:02d}{birth_number}")
    return f"{birth_date.year:04d}"[:2] + ten


def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def ten_digit_forms(digits: str, birth_date: datetime.date, today: datetime.date) -> list[str]:
    """The 10-digit forms that must parse back to ``digits`` on ``today``."""
    short = digits[2:]
    if age_on(birth_date, today) >= 100:
        return [f"{short[:6]}+{short[6:]}"]
    return [f"{short[:6]}-{short[6:]}", short]


def twelve_digit_forms(digits: str) -> list[str]:
    return [digits, f"{digits[:8]}-{digits[8:]}"]


def assert_error(value: str, code: str, *, today: datetime.date = TODAY) -> PersonnummerError:
    with pytest.raises(PersonnummerError) as excinfo:
        parse(value, today=today)
    assert excinfo.value.code == code
    assert not is_valid(value, today=today)
    return excinfo.value


# --- Luhn -------------------------------------------------------------------------------------------


def test_luhn_anchor_skatteverket_test_number() -> None:
    assert luhn_check_digit("121212121") == 2
    assert luhn_check_digit("811218987") == 6
    assert luhn_check_digit("701063239") == 1  # samordningsnummer


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_luhn_matches_reference(nine_digits: str) -> None:
    check = luhn_check_digit(nine_digits)
    assert 0 <= check <= 9
    assert reference_luhn_is_valid(nine_digits + str(check))


@pytest.mark.parametrize("bad", ["", "12345678", "1234567890", "12345678a", "١٢٣٤٥٦٧٨٩", "1234-5678"])
def test_luhn_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="9 ASCII digits"):
        luhn_check_digit(bad)


# --- Known numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["19121212-1212", "191212121212", "121212+1212"])
def test_classic_test_number(value: str) -> None:
    pnr = parse(value, today=TODAY)
    assert pnr.digits == "191212121212"
    assert pnr.formatted() == "19121212-1212"
    assert str(pnr) == "19121212-1212"
    assert pnr.birth_date == datetime.date(1912, 12, 12)
    assert not pnr.is_coordination_number


@pytest.mark.parametrize("value", ["121212-1212", "1212121212"])
def test_classic_test_number_ten_digit_minus_is_most_recent_century(value: str) -> None:
    assert parse(value, today=TODAY).digits == "201212121212"


def test_known_coordination_number() -> None:
    pnr = parse("701063-2391", today=TODAY)
    assert pnr.digits == "197010632391"
    assert pnr.formatted() == "19701063-2391"
    assert pnr.is_coordination_number
    assert pnr.birth_date == datetime.date(1970, 10, 3)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse("  19121212-1212\n", today=TODAY).digits == "191212121212"
    assert parse("\t121212+1212 ", today=TODAY).digits == "191212121212"


def test_default_today() -> None:
    assert parse("19121212-1212").digits == "191212121212"
    assert is_valid("19121212-1212")
    assert not is_valid("19121212-1213")


def test_personnummer_is_value_object() -> None:
    assert parse("19121212-1212", today=TODAY) == Personnummer("191212121212")
    assert len({parse("191212121212", today=TODAY), parse("121212+1212", today=TODAY)}) == 1
    with pytest.raises(AttributeError):
        parse("19121212-1212", today=TODAY).digits = "201212121212"  # type: ignore[misc]


def test_no_gender_is_derived() -> None:
    pnr = parse("19121212-1212", today=TODAY)
    for name in ("gender", "sex", "kon", "kön", "is_female", "is_male"):
        assert not hasattr(pnr, name)


@pytest.mark.parametrize(
    ("digits", "code"),
    [
        ("191212121213", "checksum"),
        ("19121212121", "format"),
        ("19121212-1212", "format"),
        ("191213321212", "date"),
        ("19" + with_check_digit("121212000"), "format"),  # birth number 000
    ],
)
def test_direct_construction_validates(digits: str, code: str) -> None:
    with pytest.raises(PersonnummerError) as excinfo:
        Personnummer(digits)
    assert excinfo.value.code == code


# --- Century inference --------------------------------------------------------------------------------


def number(yymmdd: str, separator: str, birth_number: str = "123") -> str:
    ten = with_check_digit(yymmdd + birth_number)
    return f"{ten[:6]}{separator}{ten[6:]}"


@pytest.mark.parametrize(
    ("yymmdd", "separator", "year"),
    [
        ("261123", "-", 2026),  # born today
        ("261123", "", 2026),
        ("261124", "-", 1926),  # tomorrow's date last happened in 1926 (age 99)
        ("261124", "", 1926),
        ("261122", "-", 2026),
        ("261123", "+", 1926),  # turns 100 today
        ("261124", "+", 1826),  # 1926-11-24 is only 99 today, so the person must be from 1826
        ("261122", "+", 1926),
        ("251124", "+", 1925),  # 1925-11-24 is 100 today
        ("251124", "-", 2025),
        ("270101", "-", 1927),
        ("270101", "+", 1827),
        ("991231", "-", 1999),
        ("991231", "+", 1899),
        ("000101", "-", 2000),
        ("000101", "+", 1900),
    ],
)
def test_century_inference(yymmdd: str, separator: str, year: int) -> None:
    pnr = parse(number(yymmdd, separator), today=TODAY)
    assert pnr.birth_date == datetime.date(year, int(yymmdd[2:4]), int(yymmdd[4:6]))
    assert pnr.digits[:4] == str(year)


def test_century_inference_for_coordination_number_uses_real_day() -> None:
    # Day 83 = the 23rd: born today.
    assert parse(number("261183", "-"), today=TODAY).birth_date == datetime.date(2026, 11, 23)
    # Day 84 = the 24th: not yet happened this year.
    pnr = parse(number("261184", "-"), today=TODAY)
    assert pnr.birth_date == datetime.date(1926, 11, 24)
    assert pnr.digits.startswith("19261184")
    assert parse(number("261184", "+"), today=TODAY).birth_date == datetime.date(1826, 11, 24)


# --- Dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["20000229", "20240229", "19960229", "19040229"])
def test_valid_leap_days(date: str) -> None:
    digits = date[:2] + with_check_digit(date[2:] + "123")
    pnr = parse(digits, today=TODAY)
    assert pnr.birth_date == datetime.date(int(date[:4]), 2, 29)


@pytest.mark.parametrize("date", ["19000229", "20230229", "21000229", "20250229"])
def test_invalid_leap_days(date: str) -> None:
    digits = date[:2] + with_check_digit(date[2:] + "123")
    assert_error(digits, "date", today=datetime.date(2200, 1, 1))


def test_leap_day_century_matters_for_ten_digit_form() -> None:
    assert parse(number("000229", "-"), today=TODAY).birth_date == datetime.date(2000, 2, 29)
    assert_error(number("000229", "+"), "date")  # would be 1900-02-29


@pytest.mark.parametrize(
    "date",
    ["20261124", "20261231", "20270101", "20300615", "20261184"],  # last one: samordningsnummer 24th
)
def test_future_dates_are_rejected(date: str) -> None:
    digits = date[:2] + with_check_digit(date[2:] + "123")
    error = assert_error(digits, "date")
    assert "framtiden" in str(error)
    assert_error(f"{digits[:8]}-{digits[8:]}", "date")


def test_ten_digit_plus_form_before_year_one_is_a_date_error() -> None:
    assert_error(number("500101", "+"), "date", today=datetime.date(120, 1, 1))


@pytest.mark.parametrize(
    "yymmdd",
    [
        "121300",  # month 13 and day 00
        "120012",  # month 00
        "121200",  # day 00
        "121232",  # day 32
        "121131",  # 31 November
        "121160",  # day 60 (= day 0 of a samordningsnummer)
        "121192",  # day 92
    ],
)
def test_impossible_dates(yymmdd: str) -> None:
    assert_error(number(yymmdd, "-"), "date")
    assert_error("19" + number(yymmdd, "-"), "date")


def test_coordination_number_for_31st_is_valid_only_when_month_has_31_days() -> None:
    assert parse(number("121291", "-"), today=TODAY).birth_date == datetime.date(2012, 12, 31)
    assert_error(number("121191", "-"), "date")  # 31 November


# --- Format and checksum errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "abc",
        "12121212",
        "12121-21212",
        "121212--1212",
        "121212 1212",
        "1912121-21212",
        "19121212 1212",
        "19121212_1212",
        "191212121212x",
        "1912121212123",
        "12121212121",
        "121212/1212",
        "١٢١٢١٢-١٢١٢",  # non-ASCII digits
        "\uff11\uff12\uff11\uff12\uff11\uff12-\uff11\uff12\uff11\uff12",  # full-width digits
        "121212-1212\n1",
    ],
)
def test_format_errors(value: str) -> None:
    error = assert_error(value, "format")
    assert str(error) == FORMAT_MESSAGE
    assert error.args[0] == "Personnumret ska skrivas ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."


def test_twelve_digit_form_with_plus_is_a_format_error() -> None:
    error = assert_error("19121212+1212", "format")
    assert "Plustecken" in str(error)


def test_birth_number_000_is_a_format_error() -> None:
    error = assert_error("19" + with_check_digit("121212000"), "format")
    assert "000" in str(error)
    assert_error(number("121212", "-", "000"), "format")


def test_checksum_error() -> None:
    error = assert_error("19121212-1213", "checksum")
    assert str(error) == "Ogiltigt personnummer: kontrollsiffran stämmer inte."
    error = assert_error("701063-2392", "checksum")
    assert str(error) == "Ogiltigt samordningsnummer: kontrollsiffran stämmer inte."


def test_error_is_value_error_and_picklable() -> None:
    error = assert_error("19121212-1213", "checksum")
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, PersonnummerError)
    assert copy.code == "checksum"
    assert str(copy) == str(error)


# --- Properties ---------------------------------------------------------------------------------------


@given(birth_date=birth_dates, birth_number=birth_numbers)
def test_round_trip_of_all_forms(birth_date: datetime.date, birth_number: str) -> None:
    digits = make_digits(birth_date, birth_number)
    formatted = f"{digits[:8]}-{digits[8:]}"
    for value in twelve_digit_forms(digits) + ten_digit_forms(digits, birth_date, TODAY):
        pnr = parse(value, today=TODAY)
        assert pnr.digits == digits, value
        assert pnr.formatted() == formatted
        assert str(pnr) == formatted
        assert pnr.birth_date == birth_date
        assert not pnr.is_coordination_number
        assert is_valid(value, today=TODAY)
        # The display form is itself accepted and stable.
        assert parse(pnr.formatted(), today=TODAY) == pnr


@given(birth_date=birth_dates, birth_number=birth_numbers)
def test_coordination_number_round_trip(birth_date: datetime.date, birth_number: str) -> None:
    digits = make_digits(birth_date, birth_number, coordination=True)
    assert int(digits[6:8]) == birth_date.day + 60
    for value in twelve_digit_forms(digits) + ten_digit_forms(digits, birth_date, TODAY):
        pnr = parse(value, today=TODAY)
        assert pnr.digits == digits, value
        assert pnr.formatted() == f"{digits[:8]}-{digits[8:]}"
        assert pnr.is_coordination_number
        assert pnr.birth_date == birth_date


@given(birth_date=birth_dates, birth_number=birth_numbers)
def test_wrong_separator_shifts_century_by_100_years(birth_date: datetime.date, birth_number: str) -> None:
    digits = make_digits(birth_date, birth_number)
    short = digits[2:]
    if age_on(birth_date, TODAY) >= 100:
        # Read as under 100: the same date a century later (always valid in 1990-2025).
        assert parse(f"{short[:6]}-{short[6:]}", today=TODAY).birth_date.year == birth_date.year + 100
    else:
        # Read as 100 or older: a century earlier, unless that makes 29 February impossible.
        plus_form = f"{short[:6]}+{short[6:]}"
        if (birth_date.month, birth_date.day) == (2, 29) and not calendar.isleap(birth_date.year - 100):
            assert_error(plus_form, "date")
        else:
            assert parse(plus_form, today=TODAY).birth_date.year == birth_date.year - 100


@given(data=st.data())
def test_round_trip_with_random_today(data: st.DataObject) -> None:
    today = data.draw(st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2150, 12, 31)))
    birth_date = data.draw(
        st.dates(min_value=datetime.date(today.year - 199, 1, 1), max_value=today), label="birth_date"
    )
    coordination = data.draw(st.booleans(), label="coordination")
    digits = make_digits(birth_date, data.draw(birth_numbers), coordination=coordination)
    for value in twelve_digit_forms(digits) + ten_digit_forms(digits, birth_date, today):
        pnr = parse(value, today=today)
        assert pnr.digits == digits, value
        assert pnr.birth_date == birth_date


@given(birth_date=birth_dates, birth_number=birth_numbers, coordination=st.booleans(), new=st.integers(0, 9))
def test_changed_check_digit_always_fails(
    birth_date: datetime.date, birth_number: str, coordination: bool, new: int
) -> None:
    digits = make_digits(birth_date, birth_number, coordination=coordination)
    assume(str(new) != digits[-1])
    changed = digits[:-1] + str(new)
    for value in twelve_digit_forms(changed) + ten_digit_forms(changed, birth_date, TODAY):
        assert_error(value, "checksum")


@given(
    birth_date=birth_dates,
    birth_number=birth_numbers,
    position=st.integers(min_value=2, max_value=11),
    new=st.integers(0, 9),
)
def test_any_single_digit_change_outside_century_fails(
    birth_date: datetime.date, birth_number: str, position: int, new: int
) -> None:
    # Luhn detects every single-digit substitution in YYMMDDNNNC, so the changed number is
    # never silently accepted (the error may be about format, date or checksum).
    digits = make_digits(birth_date, birth_number)
    assume(str(new) != digits[position])
    changed = digits[:position] + str(new) + digits[position + 1 :]
    with pytest.raises(PersonnummerError):
        parse(changed, today=TODAY)
    assert not is_valid(f"{changed[:8]}-{changed[8:]}", today=TODAY)
