"""Plausibility checks every input passes, in the API and in the forms alike: dates within a sensible range
for the field, no NUL characters, times of day without a zone and UTC offsets that exist.

A date in year 0001 or 9999 is a typing mistake (or a probe), never a record about a person: left through, it
is stored as nonsense, or it overflows the date arithmetic and the database (a 500). Each field has a range:
most dates lie between 1900 and a few years ahead; birth dates may be older; future-planning dates (the end
of a decision, an agreement, a validity) may lie further ahead. The API applies the checks to every value it
has parsed (bista.core.api.plausible_values), the forms through PlausibleDateField and friends, and a NUL in
any query string or form body is refused before any view runs (RefuseNulMiddleware).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import timezone
from django.utils.html import escape

EARLIEST = datetime.date(1900, 1, 1)
# The widest UTC offsets in use anywhere (Kiribati +14:00, Baker Island -12:00); PostgreSQL refuses > 15:59.
MAX_UTC_OFFSET = datetime.timedelta(hours=14)
NUL = "\x00"


@dataclass(frozen=True)
class DateRange:
    """The plausible dates of a field: from `earliest` to `years_ahead` years after today (Stockholm)."""

    earliest: datetime.date = EARLIEST
    years_ahead: int = 5

    def latest(self) -> datetime.date:
        today = timezone.localdate()
        return datetime.date(today.year + self.years_ahead, 12, 31)

    def message(self, label: str) -> str:
        return f"{label}: ange ett datum mellan {self.earliest:%Y-%m-%d} och {self.latest():%Y-%m-%d}."


DEFAULT_RANGE = DateRange()
# A person alive today can have been born in the 1880s at the earliest; nobody is born in the future.
BIRTH_RANGE = DateRange(earliest=datetime.date(1880, 1, 1), years_ahead=0)
# The end of a decision, agreement or validity: a child's decision may run until adulthood.
PLANNING_RANGE = DateRange(years_ahead=20)

# Fields named like this are birth dates or future-planning dates wherever they occur (API and forms);
# every other date field has the default range. A field can also name its range explicitly (see `Plausible`).
BIRTH_FIELDS = frozenset({"birth_date", "date_of_birth", "fodelsedatum"})
PLANNING_FIELDS = frozenset(
    {"valid_to", "valid_until", "expires_on", "expires_at", "ends_on", "until", "end_date", "decision_valid_to"}
)


@dataclass(frozen=True)
class Plausible:
    """Annotated metadata naming a field's range explicitly: `Annotated[date, Plausible(PLANNING_RANGE)]`."""

    range: DateRange


def range_for(field: str) -> DateRange:
    if field in BIRTH_FIELDS:
        return BIRTH_RANGE
    if field in PLANNING_FIELDS:
        return PLANNING_RANGE
    return DEFAULT_RANGE


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_date(value: datetime.date, field: str, label: str | None = None, date_range: DateRange | None = None) -> None:
    """Refuse a date (or the local date of a moment) outside the field's plausible range."""
    rng = date_range or range_for(field)
    day = value
    if isinstance(value, datetime.datetime):
        check_offset(value, field, label)
        day = value.date()
    if not rng.earliest <= day <= rng.latest():
        raise _invalid(field, rng.message(label or field), "out_of_range")


def check_offset(value: datetime.datetime | datetime.time, field: str, label: str | None = None) -> None:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise _invalid(field, f"{label or field}: tidszonen måste ligga mellan -14:00 och +14:00.", "bad_offset")


def check_time_of_day(value: datetime.time, field: str, label: str | None = None) -> None:
    """A clock time (a need's start, a shift's end) is Swedish local time: an offset would be silently lost."""
    if value.tzinfo is not None:
        raise _invalid(field, f"{label or field}: ange klockslaget utan tidszon (TT:MM).", "time_with_zone")


def check_text(value: str, field: str, label: str | None = None) -> None:
    """NUL cannot be stored in PostgreSQL text and is never meant: refuse it instead of failing later."""
    if NUL in value:
        raise _invalid(field, f"{label or field}: texten innehåller otillåtna tecken.", "null_characters")


def check_value(value: Any, field: str, date_range: DateRange | None = None) -> None:
    """Apply the check that fits the value's type (dates, moments, clock times, text); others pass."""
    if isinstance(value, str):
        check_text(value, field)
    elif isinstance(value, datetime.date):  # also datetime.datetime
        check_date(value, field, date_range=date_range)
    elif isinstance(value, datetime.time):
        check_time_of_day(value, field)


# --- Forms ------------------------------------------------------------------------------------------


class PlausibleDateMixin:
    """For a form's date and date-time fields: refuse a value outside the field's range with a Swedish message
    naming the field. The range comes from `date_range=` or else from the field's name (see range_for)."""

    date_range: DateRange | None

    def __init__(self, *args: Any, date_range: DateRange | None = None, **kwargs: Any) -> None:
        self.date_range = date_range
        super().__init__(*args, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)  # type: ignore[misc]
        if value in (None, ""):
            return
        label = str(getattr(self, "label", None) or "Datumet")
        rng = self.date_range or DEFAULT_RANGE
        try:
            check_date(value, "value", label, rng)
        except ValidationError as error:
            raise forms.ValidationError(error.error_dict["value"][0].message, code="out_of_range") from error


class PlausibleDateField(PlausibleDateMixin, forms.DateField):
    pass


class PlausibleDateTimeField(PlausibleDateMixin, forms.DateTimeField):
    pass


def plausible_form_dates(form: forms.BaseForm) -> None:
    """Give every plain date field of a form the plausible range its name implies (call in __init__), so a
    form with many date fields need not declare them one by one."""
    for name, field in form.fields.items():
        if isinstance(field, PlausibleDateMixin):
            if field.date_range is None:
                field.date_range = range_for(name)
            continue
        if isinstance(field, forms.DateField | forms.DateTimeField):
            field.validators.append(_field_validator(name, str(field.label or name), range_for(name)))


def _field_validator(name: str, label: str, rng: DateRange) -> Callable[[Any], None]:
    def validate(value: Any) -> None:
        try:
            check_date(value, name, label, rng)
        except ValidationError as error:
            raise ValidationError(error.error_dict[name][0].message, code="out_of_range") from error

    return validate


# --- Requests ---------------------------------------------------------------------------------------

Handler = Callable[[HttpRequest], HttpResponse]


def _nul_fields(items: Iterable[tuple[str, list[str]]]) -> list[str]:
    return [key.replace(NUL, "") or "?" for key, values in items if NUL in key or any(NUL in v for v in values)]


class RefuseNulMiddleware:
    """A NUL character in any query parameter or form field is refused before any view runs, on every page
    and API path (a 400 naming the field; the API's JSON error shape under /api/). Without this, PostgreSQL
    fails on the first query that uses the value (a 500)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = _nul_fields(request.GET.lists())
        if not fields and request.method == "POST" and request.content_type != "application/json":
            fields = _nul_fields(request.POST.lists())
        if fields:
            return _nul_response(request, fields)
        return self.get_response(request)


def _nul_response(request: HttpRequest, fields: list[str]) -> HttpResponse:
    message = "Uppgifterna innehåller otillåtna tecken (NUL)."
    if request.path.startswith("/api/"):
        body = {
            "error": {
                "code": "validation",
                "message": message,
                "fields": {
                    f: [{"code": "null_characters", "message": "Texten innehåller otillåtna tecken."}] for f in fields
                },
            }
        }
        return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
    names = ", ".join(fields)
    return HttpResponseBadRequest(
        f"<!doctype html><title>Ogiltiga tecken</title><p>{message} Fält: {escape(names)}.</p>",
        content_type="text/html; charset=utf-8",
    )
