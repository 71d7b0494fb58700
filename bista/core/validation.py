"""Plausibility checks every input passes, in the API and in the forms alike: dates within a sensible range
for the field, no NUL characters, times of day without a zone and UTC offsets that exist.

A date in year 0001 or 9999 is a typing mistake (or a probe), never a record about a person: left through, it
is stored as nonsense, or it overflows the date arithmetic and the database (a 500). Each field has a range:
most dates lie between 1900 and a few years ahead; birth dates may be older; future-planning dates (the end
of a decision, an agreement, a validity) may lie further ahead. The API applies the checks to every value it
has parsed (bista.core.api.checked_view), and every form with dates through PlausibleDatesMixin. In forms, a
NUL in any text is refused by Django's own CharField (with the field's message in the form); a view that reads
a raw parameter instead of a form uses check_text.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from bista.core import clock

EARLIEST = datetime.date(1900, 1, 1)
# The widest UTC offsets in use anywhere (Kiribati +14:00, Baker Island -12:00); PostgreSQL refuses > 15:59.
MAX_UTC_OFFSET = datetime.timedelta(hours=14)
NUL = "\x00"
NUL_MESSAGE = "Texten innehåller otillåtna tecken."


@dataclass(frozen=True)
class DateRange:
    """The plausible dates of a field: from `earliest` to `years_ahead` years after today (Stockholm)."""

    earliest: datetime.date = EARLIEST
    years_ahead: int = 5

    def latest(self) -> datetime.date:
        """Today when no years ahead are allowed; else the end of the year that many years ahead."""
        today = clock.today()
        return today if self.years_ahead == 0 else datetime.date(today.year + self.years_ahead, 12, 31)

    def message(self) -> str:
        return f"Ange ett datum mellan {self.earliest:%Y-%m-%d} och {self.latest():%Y-%m-%d}."


DEFAULT_RANGE = DateRange()
# A person alive today can have been born in the 1880s at the earliest; nobody is born in the future.
BIRTH_RANGE = DateRange(earliest=datetime.date(1880, 1, 1), years_ahead=0)
# The end of a decision, agreement or validity: a child's decision may run until adulthood.
PLANNING_RANGE = DateRange(years_ahead=20)

# Fields named like this are birth dates or future-planning dates wherever they occur (API and forms);
# every other date field has the default range. A field can also name its range explicitly (see `Plausible`).
BIRTH_FIELDS = frozenset({"birth_date", "date_of_birth", "fodelsedatum"})
PLANNING_FIELDS = frozenset(
    {
        "valid_to",
        "valid_until",
        "expires_on",
        "expires_at",
        "ends_on",
        "until",
        "end_date",
        "period_end",
        "decision_valid_to",
    }
)


# The "from" and "to" of the pages' search forms (Swedish names: the API's filters are checked as usual).
SEARCH_FIELDS = frozenset({"fran", "till"})


@dataclass(frozen=True)
class Plausible:
    """Annotated metadata naming a field's range explicitly: `Annotated[date, Plausible(PLANNING_RANGE)]`."""

    range: DateRange


def range_for(field: str) -> DateRange | None:
    """The field's range; None for the pages' search filters, where any date only narrows a search (their
    views take "till 9999-12-31" as "no end", and nothing is stored)."""
    if field in SEARCH_FIELDS:
        return None
    if field in BIRTH_FIELDS:
        return BIRTH_RANGE
    if field in PLANNING_FIELDS:
        return PLANNING_RANGE
    return DEFAULT_RANGE


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_date(value: datetime.date, field: str, date_range: DateRange | None = None) -> None:
    """Refuse a date (or the local date of a moment) outside the field's plausible range."""
    if isinstance(value, datetime.datetime):
        check_offset(value, field)
    rng = date_range or range_for(field)
    if rng is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not rng.earliest <= day <= rng.latest():
        raise _invalid(field, rng.message(), "out_of_range")


def check_offset(value: datetime.datetime | datetime.time, field: str) -> None:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise _invalid(field, "Tidszonen måste ligga mellan -14:00 och +14:00.", "bad_offset")


def check_time_of_day(value: datetime.time, field: str) -> None:
    """A clock time (a need's start, a shift's end) is Swedish local time: an offset would be silently lost."""
    if value.tzinfo is not None:
        raise _invalid(field, "Ange klockslaget utan tidszon (TT:MM).", "time_with_zone")


def check_text(value: str, field: str) -> None:
    """NUL cannot be stored in PostgreSQL text and is never meant: refuse it instead of failing later."""
    if NUL in value:
        raise _invalid(field, NUL_MESSAGE, "null_characters")


def check_value(value: Any, field: str, date_range: DateRange | None = None) -> None:
    """Apply the check that fits the value's type (dates, moments, clock times, text); others pass."""
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, datetime.date):  # also datetime.datetime
        check_date(value, field, date_range=date_range)
    elif isinstance(value, datetime.time):
        check_time_of_day(value, field)


# --- Forms ------------------------------------------------------------------------------------------


def plausible_form_dates(form: forms.BaseForm) -> None:
    """Give every date and date-time field of a form the plausible range its name implies, or the one set on
    the field as `plausible_range` (the fields are the form's own copies, so nothing accumulates)."""
    for name, field in form.fields.items():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            rng = getattr(field, "plausible_range", None) or range_for(name)
            if rng is not None:
                field.validators.append(_field_validator(name, rng))


class PlausibleDatesMixin:
    """For every form with date or date-time fields (a test checks that none lacks it): each such field, declared
    or made from a model field, refuses a date outside the range its name implies, naming the field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plausible_form_dates(self)  # type: ignore[arg-type]


def _field_validator(name: str, rng: DateRange) -> Callable[[Any], None]:
    """The form shows the field's label before the message, so the message itself does not repeat it."""

    def validate(value: Any) -> None:
        try:
            check_date(value, name, rng)
        except ValidationError as error:
            raise ValidationError(error.error_dict[name][0].message, code="out_of_range") from error

    return validate
