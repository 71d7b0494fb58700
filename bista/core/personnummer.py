"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

This module is pure Python (no Django imports) so that it can be used from forms, models, the API
layer and management commands alike. Error messages are user-facing and therefore in Swedish.

Accepted input forms (surrounding whitespace is ignored):

* ``YYMMDDNNNC`` and ``YYMMDD-NNNC``: the century is inferred relative to ``today`` so that the
  person is under 100 years old and not born in the future.
* ``YYMMDD+NNNC``: the person is 100 years or older on ``today``.
* ``YYYYMMDDNNNC`` and ``YYYYMMDD-NNNC``: the century is given explicitly.

A samordningsnummer has 60 added to the day of birth (day 61-91). The check digit ``C`` is a Luhn
check digit computed over ``YYMMDDNNN``. The number is always stored and displayed in the 12-digit
form; for a samordningsnummer the day keeps its +60 offset.

Gender is deliberately never derived from the number.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from bista.core import clock

__all__ = [
    "FORMAT_MESSAGE",
    "ErrorCode",
    "Personnummer",
    "PersonnummerError",
    "is_valid",
    "luhn_check_digit",
    "parse",
]

ErrorCode = Literal["format", "date", "checksum"]

FORMAT_MESSAGE = "Personnumret ska skrivas ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."
_PLUS_WITH_CENTURY_MESSAGE = (
    "Plustecken används bara i den tiosiffriga formen ÅÅMMDD+NNNN. Skriv ÅÅÅÅMMDD-NNNN i stället."
)

# Optional century, YYMMDD, optional separator, birth number (NNN) and check digit (C).
# Only ASCII digits are accepted ([0-9], not \d, which would also match other Unicode digits).
_INPUT_PATTERN = re.compile(
    r"(?P<century>[0-9]{2})?(?P<yymmdd>[0-9]{6})(?P<separator>[-+]?)(?P<birth_number>[0-9]{3})(?P<check>[0-9])"
)
_DIGITS_PATTERN = re.compile(r"[0-9]{12}")

_COORDINATION_OFFSET = 60


class PersonnummerError(ValueError):
    """An invalid personnummer or samordningsnummer.

    ``str(error)`` (and ``error.args[0]``) is a Swedish message suitable for showing to users;
    ``error.code`` is one of ``'format'``, ``'date'`` and ``'checksum'``.
    """

    code: ErrorCode

    def __init__(self, message: str, code: ErrorCode = "format") -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[PersonnummerError], tuple[str, ErrorCode]]:
        # Keep ``code`` when the exception is pickled (e.g. when passed between processes).
        return (type(self), (str(self.args[0]), self.code))


def luhn_check_digit(nine_digits: str) -> int:
    """Return the Luhn check digit for ``YYMMDDNNN`` (the 10-digit form without its check digit)."""
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise ValueError(f"Expected exactly 9 ASCII digits, got {nine_digits!r}.")
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _kind(day_field: int) -> str:
    """The Swedish name of the number type, judged from the (possibly +60) day field."""
    return "samordningsnummer" if day_field > _COORDINATION_OFFSET else "personnummer"


def _check_birth_number(birth_number: str, kind: str) -> None:
    if birth_number == "000":
        raise PersonnummerError(f"Ogiltigt {kind}: födelsenumret får inte vara 000.", "format")


def _real_day(day_field: int, kind: str) -> int:
    """Day of month from the day field, removing the samordningsnummer offset."""
    if 1 <= day_field <= 31:
        return day_field
    if _COORDINATION_OFFSET + 1 <= day_field <= _COORDINATION_OFFSET + 31:
        return day_field - _COORDINATION_OFFSET
    raise PersonnummerError(f"Ogiltigt {kind}: födelsedatumet finns inte.", "date")


def stored_birth_date(digits: str) -> datetime.date:
    """The birth date of a stored (valid, 12-digit) number; a samordningsnummer's day has 60 added."""
    return _birth_date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))


def _birth_date(year: int, month: int, day_field: int) -> datetime.date:
    kind = _kind(day_field)
    day = _real_day(day_field, kind)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise PersonnummerError(f"Ogiltigt {kind}: födelsedatumet finns inte.", "date") from None


def _check_luhn(ten_digits: str, kind: str) -> None:
    if luhn_check_digit(ten_digits[:9]) != int(ten_digits[9]):
        raise PersonnummerError(f"Ogiltigt {kind}: kontrollsiffran stämmer inte.", "checksum")


def _infer_year(two_digit_year: int, month: int, day: int, *, centenarian: bool, today: datetime.date) -> int:
    """Full year for a 10-digit number.

    Without '+': the most recent year such that the birth date is not after ``today`` (the person
    is then under 100). With '+': the most recent year such that the person has turned 100 on
    ``today``. Month and day are compared as a tuple, so this also works for dates that turn out
    not to exist in the inferred year (e.g. 29 February); those are rejected afterwards.
    """
    latest = today.year - 100 if centenarian else today.year
    year = latest - (latest - two_digit_year) % 100
    if year == latest and (month, day) > (today.month, today.day):
        year -= 100
    return year


@dataclass(frozen=True, repr=False)
class Personnummer:
    """A validated personnummer or samordningsnummer.

    ``digits`` is always the 12-digit form, e.g. ``'195512310123'``. For a samordningsnummer the
    day keeps its +60 offset, e.g. ``'195512910126'``. Construct instances with :func:`parse`;
    direct construction validates format, date and check digit but (lacking a reference date)
    not that the birth date is in the past.
    """

    digits: str

    def __post_init__(self) -> None:
        if _DIGITS_PATTERN.fullmatch(self.digits) is None:
            raise PersonnummerError(FORMAT_MESSAGE, "format")
        day_field = int(self.digits[6:8])
        kind = _kind(day_field)
        _check_birth_number(self.digits[8:11], kind)
        _birth_date(int(self.digits[0:4]), int(self.digits[4:6]), day_field)
        _check_luhn(self.digits[2:], kind)

    @property
    def is_coordination_number(self) -> bool:
        """True for a samordningsnummer (day of birth 61-91)."""
        return int(self.digits[6:8]) > _COORDINATION_OFFSET

    @property
    def birth_date(self) -> datetime.date:
        """The real birth date (with the samordningsnummer offset removed)."""
        return _birth_date(int(self.digits[0:4]), int(self.digits[4:6]), int(self.digits[6:8]))

    def formatted(self) -> str:
        """The 12-digit display form ``YYYYMMDD-NNNN``."""
        return f"{self.digits[:8]}-{self.digits[8:]}"

    def __repr__(self) -> str:
        # Masked so that a full number never lands in a log line or a traceback.
        return f"Personnummer('{self.digits[:8]}-****')"

    def __str__(self) -> str:
        return self.formatted()


def parse(value: str, *, today: datetime.date | None = None) -> Personnummer:
    """Parse and validate a personnummer or samordningsnummer.

    ``today`` is the reference date for century inference of 10-digit forms and for rejecting
    birth dates in the future; it defaults to today in Stockholm (``bista.core.clock``).

    Raises :class:`PersonnummerError` (a ``ValueError``) with a Swedish message if invalid.
    """
    if today is None:
        today = clock.today()

    match = _INPUT_PATTERN.fullmatch(value.strip())
    if match is None:
        raise PersonnummerError(FORMAT_MESSAGE, "format")
    century: str | None = match["century"]
    yymmdd: str = match["yymmdd"]
    separator: str = match["separator"]
    birth_number: str = match["birth_number"]
    check: str = match["check"]

    if century is not None and separator == "+":
        raise PersonnummerError(_PLUS_WITH_CENTURY_MESSAGE, "format")

    month = int(yymmdd[2:4])
    day_field = int(yymmdd[4:6])
    kind = _kind(day_field)
    _check_birth_number(birth_number, kind)

    if century is not None:
        year = int(century + yymmdd[:2])
    else:
        year = _infer_year(
            int(yymmdd[:2]),
            month,
            _real_day(day_field, kind),
            centenarian=separator == "+",
            today=today,
        )

    birth_date = _birth_date(year, month, day_field)
    if birth_date > today:
        raise PersonnummerError(f"Ogiltigt {kind}: födelsedatumet ligger i framtiden.", "date")

    _check_luhn(yymmdd + birth_number + check, kind)
    return Personnummer(f"{year:04d}{yymmdd[2:]}{birth_number}{check}")


def is_valid(value: str, *, today: datetime.date | None = None) -> bool:
    """True if :func:`parse` accepts ``value``."""
    try:
        parse(value, today=today)
    except PersonnummerError:
        return False
    return True
