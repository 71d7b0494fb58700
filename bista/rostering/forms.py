"""Forms of the rostering pages. They parse what the user typed (dates and clock times in Europe/Stockholm)
into the aware datetimes the services take; whether a shift keeps the working-time rules is the services'
job, never the form's."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django import forms

from bista.core.clock import STOCKHOLM
from bista.core.forms import MAX_ID, DateInput, RecordChoiceField, set_unit_choices
from bista.core.pickers import PickerField
from bista.core.validation import PlausibleDatesMixin
from bista.rostering.facts import Weights
from bista.rostering.models import ShiftKind

UTC = datetime.UTC
# Dates outside these years are typing mistakes; refusing them keeps date arithmetic far from its limits.
FIRST_YEAR = 2000
LAST_YEAR = 2100
WEEKDAY_CHOICES = [
    ("1", "Måndag"),
    ("2", "Tisdag"),
    ("3", "Onsdag"),
    ("4", "Torsdag"),
    ("5", "Fredag"),
    ("6", "Lördag"),
    ("7", "Söndag"),
]
WEEKS_CHOICES = [(1, "1 vecka"), *[(n, f"{n} veckor") for n in range(2, 7)]]
JOB_WEEKS_CHOICES = [(n, f"{n} veckor") for n in range(2, 7)]
# A shift or occasion typed by hand may end at most this many days after it starts (the rules refuse
# anything longer than a 24-hour pass anyway; this only catches a wrong year or month).
MAX_DAYS_LONG = 2

# The optimiser's weights as a manager reads them (Weights in facts.py holds the defaults).
WEIGHT_TEXTS: dict[str, tuple[str, str]] = {
    "continuity": (
        "Kontinuitet hos brukaren",
        "Kostnad för varje ytterligare medarbetare hos samma brukare under perioden. "
        "Högre värde ger färre olika personer hos varje brukare.",
    ),
    "chosen_staff": (
        "Brukarens valda personal",
        "Kostnad för varje pass som görs av någon brukaren inte har valt (gäller brukare som valt personal).",
    ),
    "gender_preference": (
        "Brukarens önskemål om personalens kön",
        "Kostnad för varje pass som görs av personal av annat kön än brukaren önskar.",
    ),
    "contract_deviation": (
        "Nära avtalad arbetstid",
        "Kostnad för varje timme en medarbetare schemaläggs under eller över sin avtalade arbetstid.",
    ),
    "hourly_paid": (
        "Färre timmar för timavlönade",
        "Kostnad för varje timme som timavlönad personal arbetar. Högre värde ger fler pass till månadsanställda.",
    ),
    "overtime": (
        "Mindre övertid och mertid",
        "Kostnad för varje timme utöver en medarbetares avtalade arbetstid.",
    ),
    "fairness": (
        "Rättvis fördelning av natt- och helgpass",
        "Kostnad för varje natt- eller helgpass utöver en medarbetares rättvisa andel.",
    ),
}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class _BoundedDateField(forms.DateField):
    """A date within FIRST_YEAR–LAST_YEAR, with a Swedish message naming the range."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(f"Ange ett datum mellan år {FIRST_YEAR} och {LAST_YEAR}.", code="range")


def local_moment(day: datetime.date, clock: datetime.time) -> datetime.datetime:
    """The aware moment a date and clock time mean in Europe/Stockholm. An ambiguous time (the autumn hour
    that occurs twice) is its first occurrence; a time that does not exist (the spring hour skipped) is
    refused, because guessing would move the shift by an hour."""
    wall = datetime.datetime.combine(day, clock)
    moment = wall.replace(tzinfo=STOCKHOLM, fold=0)
    if moment.astimezone(UTC).astimezone(STOCKHOLM).replace(tzinfo=None) != wall:
        raise forms.ValidationError(
            f"Klockslaget {clock:%H:%M} finns inte den {day:%Y-%m-%d} (klockan ställs fram till sommartid).",
            code="nonexistent_time",
        )
    return moment


class _OrderChoiceField(RecordChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return order_label(obj)


def order_label(order: Any) -> str:
    until = f"–{order.period_end:%Y-%m-%d}" if order.period_end else " tills vidare"
    scope = f"{decimal.Decimal(order.scope_amount).normalize():f} {order.get_scope_unit_display()}"
    return f"{order.service.name}, {scope}, {order.period_start:%Y-%m-%d}{until}"


# --- The roster's filters (GET) -------------------------------------------------------------------------


class RosterFilterForm(PlausibleDatesMixin, forms.Form):
    """Which team, from which date and how many weeks. Unknown values are simply invalid (the page shows the
    current week), never an error page."""

    arbetsgrupp = forms.TypedChoiceField(label="Arbetsgrupp", coerce=int, required=False, empty_value=None)
    datum = _BoundedDateField(label="Vecka med datum", required=False)
    veckor = forms.TypedChoiceField(label="Visa", coerce=int, choices=WEEKS_CHOICES, required=False, empty_value=None)
    rader = forms.ChoiceField(
        label="En rad per",
        required=False,
        choices=[("personal", "Medarbetare"), ("brukare", "Brukare")],
    )

    def __init__(self, *args: Any, teams: Any = None, row_choice: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if teams is None or not row_choice:
            del self.fields["rader"]
        if teams is None:
            del self.fields["arbetsgrupp"]
        else:
            several_units = len({team.unit_id for team in teams}) > 1
            self.fields["arbetsgrupp"].choices = [  # type: ignore[attr-defined]
                (team.pk, f"{team.name} ({team.unit.name})" if several_units else team.name) for team in teams
            ]


class MonthForm(forms.Form):
    """A calendar month (the contract period) and, when the user sees several, the unit."""

    enhet = forms.TypedChoiceField(label="Enhet", coerce=int, required=False, empty_value=None)
    manad = forms.RegexField(
        label="Månad",
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM", "inputmode": "numeric"}),
        error_messages={"invalid": "Ange månaden som ÅÅÅÅ-MM, till exempel 2025-03."},
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)
        if len(units) < 2:
            self.fields["enhet"].widget = forms.HiddenInput()

    def clean_manad(self) -> datetime.date | None:
        value = self.cleaned_data.get("manad")
        if not value:
            return None
        year, month = (int(part) for part in value.split("-"))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(f"Ange en månad mellan år {FIRST_YEAR} och {LAST_YEAR}.", code="range")
        return datetime.date(year, month, 1)


class UnitPeriodForm(PlausibleDatesMixin, forms.Form):
    """The open shifts' filters: the unit and a date range."""

    enhet = forms.TypedChoiceField(label="Enhet", coerce=int, required=False, empty_value=None)
    fran = _BoundedDateField(label="Från", required=False)
    till = _BoundedDateField(label="Till och med", required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)
        if len(units) < 2:
            self.fields["enhet"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fran"), data.get("till")
        if start and end and end < start:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        elif start and end and (end - start).days > 93:
            self.add_error("till", "Välj högst tre månader åt gången.")
        return data


# --- Shifts ---------------------------------------------------------------------------------------------


class ShiftForm(PlausibleDatesMixin, forms.Form):
    """A shift typed by hand: the start as date and clock time, the end as clock time (with an end date when
    it is not obvious) or as a length. `cleaned_data` gets `starts_at` and `ends_at` as aware datetimes."""

    client = PickerField(label="Brukare", queryset=None, kind="brukare")
    employee = PickerField(
        label="Medarbetare",
        queryset=None,
        required=False,
        kind="medarbetare",
        help_text="Lämna tomt för ett öppet pass.",
    )
    starts_on = _BoundedDateField(label="Datum")
    starts_time = forms.TimeField(label="Börjar klockan", widget=TimeInput())
    ends_time = forms.TimeField(
        label="Slutar klockan",
        required=False,
        widget=TimeInput(),
        help_text="En sluttid före starttiden betyder nästa dag (passet går över midnatt).",
    )
    ends_on = _BoundedDateField(
        label="Slutdatum", required=False, help_text="Behövs bara om passet slutar en annan dag än vanligt."
    )
    duration = forms.DecimalField(
        label="Eller längd i timmar",
        required=False,
        min_value=decimal.Decimal("0.25"),
        max_value=decimal.Decimal(24 * MAX_DAYS_LONG),
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="I stället för sluttid, till exempel 8 eller 7,5. Räknas i verklig tid, även över sommartidens "
        "början och slut.",
    )
    kind = forms.ChoiceField(label="Typ av tid", choices=ShiftKind.choices, initial=ShiftKind.ACTIVE)
    note = forms.CharField(label="Anteckning", required=False, max_length=300)

    def __init__(self, *args: Any, clients: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        self.fields["employee"].queryset = employees  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start_clock = data.get("starts_on"), data.get("starts_time")
        end_clock, end_day, duration = data.get("ends_time"), data.get("ends_on"), data.get("duration")
        if day is None or start_clock is None:
            return data
        try:
            starts_at = local_moment(day, start_clock)
        except forms.ValidationError as error:
            self.add_error("starts_time", error)
            return data
        if end_clock is None and duration is None:
            if "ends_time" not in self.errors and "duration" not in self.errors:
                self.add_error("ends_time", "Ange när passet slutar, eller dess längd i timmar.")
            return data
        if end_clock is not None and duration is not None:
            self.add_error("duration", "Ange sluttid eller längd, inte båda.")
            return data
        if duration is not None:
            # Elapsed time: add in UTC, so a night across a daylight-saving change keeps its real length.
            ends_at = (starts_at.astimezone(UTC) + datetime.timedelta(hours=float(duration))).astimezone(STOCKHOLM)
        else:
            assert end_clock is not None
            if end_day is None:
                end_day = day if end_clock > start_clock else day + datetime.timedelta(days=1)
            try:
                ends_at = local_moment(end_day, end_clock)
            except forms.ValidationError as error:
                self.add_error("ends_time", error)
                return data
            if ends_at.astimezone(UTC) <= starts_at.astimezone(UTC):
                self.add_error("ends_time", "Passet måste sluta efter att det börjar.")
                return data
            if (end_day - day).days > MAX_DAYS_LONG:
                self.add_error("ends_on", f"Ett pass kan inte sluta mer än {MAX_DAYS_LONG} dagar efter att det börjar.")
                return data
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


class ShiftEditForm(ShiftForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The client of a shift is fixed; a different client is a new shift.
        self.fields["client"].disabled = True


def shift_initial(shift: Any) -> dict[str, Any]:
    """The edit form's initial values: the shift's local start and end."""
    start, end = shift.starts_at.astimezone(STOCKHOLM), shift.ends_at.astimezone(STOCKHOLM)
    next_day = start.date() + datetime.timedelta(days=1)
    obvious_end = end.date() == start.date() if end.time() > start.time() else end.date() == next_day
    return {
        "client": shift.client_id,
        "employee": shift.employee_id,
        "starts_on": start.date(),
        "starts_time": start.time(),
        "ends_time": end.time(),
        "ends_on": None if obvious_end else end.date(),
        "kind": shift.kind,
        "note": shift.note,
        "version": shift.version,
    }


class ShiftCancelForm(forms.Form):
    reason = forms.CharField(
        label="Anledning", max_length=200, required=False, help_text="Krävs för ett publicerat pass."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class SickCallForm(PlausibleDatesMixin, forms.Form):
    employee = PickerField(label="Medarbetare", queryset=None, kind="medarbetare")
    starts_on = _BoundedDateField(label="Sjuk från och med")
    ends_on = _BoundedDateField(
        label="Till och med", required=False, help_text="Lämna tomt om det inte är känt när sjukfrånvaron slutar."
    )
    note = forms.CharField(label="Anteckning", required=False, max_length=200)

    def __init__(self, *args: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "Slutdatum får inte vara före startdatum.")
        return data


class SelfSickForm(PlausibleDatesMixin, forms.Form):
    """Mitt schema's "Sjukanmäl dig": from which day, and (if known) the day one expects to be back."""

    starts_on = _BoundedDateField(label="Sjuk från och med")
    back_on = _BoundedDateField(
        label="Räknar med att vara tillbaka",
        required=False,
        help_text="Lämna tomt om du inte vet. Din chef ser sjukanmälan direkt.",
    )
    note = forms.CharField(label="Meddelande till din chef (frivilligt)", required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, back = data.get("starts_on"), data.get("back_on")
        if start and back and back <= start:
            self.add_error("back_on", "Dagen du räknar med att vara tillbaka måste vara efter första sjukdagen.")
        return data


class OfferForm(forms.Form):
    """The sick-call page's "Erbjud flera": the candidates (employee ids) the open shift is offered to."""

    employees = forms.TypedMultipleChoiceField(label="Erbjud till", coerce=int, choices=())

    def __init__(self, *args: Any, candidates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employees"].choices = candidates  # type: ignore[attr-defined]
        self.fields["employees"].error_messages["required"] = "Välj minst en medarbetare att erbjuda passet."
        self.fields["employees"].error_messages["invalid_choice"] = "Välj bland de föreslagna medarbetarna."


class AssignForm(forms.Form):
    """One row's "Tilldela" button: the employee and the open shift's version the page was shown with."""

    employee = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


# --- Roster jobs ----------------------------------------------------------------------------------------


class RosterJobForm(PlausibleDatesMixin, forms.Form):
    unit = forms.TypedChoiceField(label="Enhet", coerce=int)
    period_start = _BoundedDateField(label="Perioden börjar", help_text="Helst en måndag.")
    weeks = forms.TypedChoiceField(label="Antal veckor", coerce=int, choices=JOB_WEEKS_CHOICES, initial=4)
    time_limit_seconds = forms.IntegerField(
        label="Tidsgräns (sekunder)",
        min_value=10,
        max_value=600,
        initial=60,
        help_text="Optimeringen stannar senast då och behåller det bästa schemat den hittat. 10–600 sekunder.",
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, field="unit")
        if len(units) < 2:
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].initial = units[0].pk if units else None
        defaults = Weights()
        for name, (label, help_text) in WEIGHT_TEXTS.items():
            self.fields[f"weight_{name}"] = forms.IntegerField(
                label=label,
                help_text=f"{help_text} 0 = spelar ingen roll, 100 = viktigast.",
                min_value=0,
                max_value=100,
                initial=getattr(defaults, name),
            )

    @property
    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{name}"] for name in WEIGHT_TEXTS]

    @property
    def setting_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("unit", "period_start", "weeks", "time_limit_seconds")]

    def weights(self) -> dict[str, int]:
        return {name: self.cleaned_data[f"weight_{name}"] for name in WEIGHT_TEXTS}


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


# --- Needs ----------------------------------------------------------------------------------------------


class NeedPatternForm(PlausibleDatesMixin, forms.Form):
    order = _OrderChoiceField(label="Beställning", queryset=None)
    weekdays = forms.MultipleChoiceField(
        label="Veckodagar", choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    start_time = forms.TimeField(label="Från klockan", widget=TimeInput())
    end_time = forms.TimeField(
        label="Till klockan", widget=TimeInput(), help_text="Samma som eller före starttiden betyder över midnatt."
    )
    staff_count = forms.IntegerField(label="Antal personal", min_value=1, max_value=4, initial=1)
    kind = forms.ChoiceField(label="Typ av tid", choices=ShiftKind.choices, initial=ShiftKind.ACTIVE)
    valid_from = _BoundedDateField(label="Gäller från")
    valid_to = _BoundedDateField(label="Gäller till och med", required=False, help_text="Lämna tomt: tills vidare.")

    def __init__(self, *args: Any, orders: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_monster_%s")  # unique ids beside the occasion form on one page
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", "Slutdatum får inte vara före startdatum.")
        return data


def pattern_initial(pattern: Any) -> dict[str, Any]:
    """A proposed (unsaved) pattern as the form's initial values."""
    return {
        "order": pattern.order_id,
        "weekdays": list(pattern.weekdays),
        "start_time": pattern.start_time,
        "end_time": pattern.end_time,
        "staff_count": pattern.staff_count,
        "kind": pattern.kind,
        "valid_from": pattern.valid_from,
        "valid_to": pattern.valid_to,
    }


class PatternEndForm(PlausibleDatesMixin, forms.Form):
    last_day = _BoundedDateField(label="Sista dag")


class OccasionForm(PlausibleDatesMixin, forms.Form):
    order = _OrderChoiceField(label="Beställning", queryset=None)
    day = _BoundedDateField(label="Datum")
    start_time = forms.TimeField(label="Från klockan", widget=TimeInput())
    end_time = forms.TimeField(
        label="Till klockan", widget=TimeInput(), help_text="En tid före starttiden betyder nästa dag."
    )
    staff_count = forms.IntegerField(label="Antal personal", min_value=1, max_value=4, initial=1)
    note = forms.CharField(label="Anteckning", required=False, max_length=200)

    def __init__(self, *args: Any, orders: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_tillfalle_%s")
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = orders  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        if end == start:
            self.add_error("end_time", "Tillfället måste sluta efter att det börjar.")
            return data
        try:
            data["starts_at"] = local_moment(day, start)
        except forms.ValidationError as error:
            self.add_error("start_time", error)
            return data
        end_day = day if end > start else day + datetime.timedelta(days=1)
        try:
            data["ends_at"] = local_moment(end_day, end)
        except forms.ValidationError as error:
            self.add_error("end_time", error)
        return data


class OccasionCancelForm(forms.Form):
    reason = forms.CharField(label="Anledning", required=False, max_length=200)
