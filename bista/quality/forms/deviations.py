"""Forms of the deviation pages: reporting one in a minute, the list's filters, handling (classification,
analysis, feedback), actions and closing. Forms only parse input; the services decide what holds together."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from bista.core.clock import STOCKHOLM
from bista.core.forms import MAX_ID, DateInput, RecordChoiceField, set_unit_choices
from bista.core.pickers import PickerField
from bista.core.validation import PlausibleDatesMixin
from bista.quality.models import Concerns, Deviation, IdentifiedBy

# The earliest year an event may be dated: anything before is a typing error (and year 1 cannot be stored
# in every time zone).
MIN_YEAR = 1900
MAX_TEXT = 20_000


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%H:%M", **kwargs)  # type: ignore[arg-type]


def _check_year(form: forms.BaseForm, field: str, value: datetime.date | None) -> None:
    if value is not None and value.year < MIN_YEAR:
        form.add_error(field, f"Datumet kan inte vara före år {MIN_YEAR}.")


def client_filter_field() -> PickerField:
    """A list's filter on one client: typed part of a name or personnummer (a select of every client the user
    sees would be hundreds of names); a link may still carry the id alone (`?brukare=<id>`)."""
    return PickerField(
        label="Brukare",
        queryset=None,
        required=False,
        kind="brukare",
        help_text="Skriv en del av namnet eller personnumret. Tomt: alla brukare.",
    )


class EventReportForm(PlausibleDatesMixin, forms.Form):
    """What happened, when, where and (optionally) to whom: shared by deviations and Lex Sarah reports."""

    unit = RecordChoiceField(label="Enhet", queryset=None)
    client = PickerField(
        label="Brukare",
        queryset=None,
        required=False,
        kind="brukare",
        help_text="Lämna tomt om händelsen inte gäller en viss brukare.",
    )
    occurred_on = forms.DateField(label="Datum då det hände", widget=DateInput())
    occurred_time = forms.TimeField(label="Klockslag då det hände", widget=TimeInput())
    what_happened = forms.CharField(label="Vad hände?", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, units: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["client"].narrow(enhet=unit_list[0].pk)  # type: ignore[attr-defined]
            if "unit" not in self.initial:
                self.fields["unit"].initial = unit_list[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_year(self, "occurred_on", data.get("occurred_on"))
        return data

    @property
    def occurred_at(self) -> datetime.datetime:
        """The moment it happened, read as Stockholm wall-clock time."""
        data = self.cleaned_data
        return datetime.datetime.combine(data["occurred_on"], data["occurred_time"], tzinfo=STOCKHOLM)


def event_report_initial(now: datetime.datetime) -> dict[str, Any]:
    """The form's defaults: now, in Stockholm (to the minute)."""
    local = now.astimezone(STOCKHOLM)
    return {"occurred_on": local.date(), "occurred_time": local.time().replace(second=0, microsecond=0)}


class DeviationReportForm(EventReportForm):
    pass


class DeviationListForm(PlausibleDatesMixin, forms.Form):
    """The list's filters (GET). Unknown or out-of-range values are invalid, never an error page."""

    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Alla"), *Deviation.Status.choices])
    kategori = forms.TypedChoiceField(label="Kategori", required=False, coerce=int, empty_value=None)
    brukare = client_filter_field()
    fran = forms.DateField(label="Rapporterad från", required=False, widget=DateInput())
    till = forms.DateField(label="Rapporterad till och med", required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Any, categories: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")
        self.fields["kategori"].choices = [  # type: ignore[attr-defined]
            ("", "Alla kategorier"),
            ("0", "Ej klassificerad"),
            *[(c.pk, c.name) for c in categories],
        ]
        self.fields["brukare"].queryset = clients  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_year(self, "fran", data.get("fran"))
        _check_year(self, "till", data.get("till"))
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


DEVIATION_DATE_FIELDS = ("feedback_to_reporter_on", "feedback_to_client_on")
DEVIATION_TEXT_FIELDS = ("immediate_action", "analysis")


class DeviationEditForm(PlausibleDatesMixin, forms.Form):
    """Classification, immediate action, analysis and feedback given (quality.manage)."""

    category = RecordChoiceField(label="Kategori", queryset=None, required=False, empty_label="Ej klassificerad")
    identified_by = forms.ChoiceField(
        label="Vem identifierade avvikelsen?", choices=IdentifiedBy.choices, widget=forms.RadioSelect
    )
    concerns = forms.ChoiceField(label="Vem avser avvikelsen?", choices=Concerns.choices, widget=forms.RadioSelect)
    concerned_unit_name = forms.CharField(
        label="Annan verksamhet",
        max_length=200,
        required=False,
        help_text="Fyll i vilken verksamhet det gäller om avvikelsen avser en annan verksamhet.",
    )
    immediate_action = forms.CharField(
        label="Omedelbar åtgärd", max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    analysis = forms.CharField(
        label="Orsaksanalys",
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Varför hände det? Krävs innan avvikelsen kan avslutas.",
    )
    feedback_to_reporter_on = forms.DateField(
        label="Återkoppling till den som rapporterade", required=False, widget=DateInput()
    )
    feedback_to_client_on = forms.DateField(label="Återkoppling till brukaren", required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in DEVIATION_DATE_FIELDS:
            _check_year(self, name, data.get(name))
        return data

    @staticmethod
    def initial_for(deviation: Deviation) -> dict[str, Any]:
        return {
            "category": deviation.category_id,
            "identified_by": deviation.identified_by,
            "concerns": deviation.concerns,
            "concerned_unit_name": deviation.concerned_unit_name,
            "immediate_action": deviation.immediate_action,
            "analysis": deviation.analysis,
            "feedback_to_reporter_on": deviation.feedback_to_reporter_on,
            "feedback_to_client_on": deviation.feedback_to_client_on,
            "version": deviation.version,
        }


DEVIATION_EDIT_FIELDS = (
    "category",
    "identified_by",
    "concerns",
    "concerned_unit_name",
    "immediate_action",
    "analysis",
    *DEVIATION_DATE_FIELDS,
)


class DeviationActionForm(PlausibleDatesMixin, forms.Form):
    description = forms.CharField(label="Åtgärd", max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    owner = PickerField(label="Ansvarig", queryset=None, kind="person")
    due_on = forms.DateField(label="Klar senast", widget=DateInput())

    def __init__(self, *args: Any, people: Any, unit_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        if unit_id is not None:
            self.fields["owner"].narrow(enhet=unit_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_year(self, "due_on", data.get("due_on"))
        return data


class DeviationActionDoneForm(PlausibleDatesMixin, forms.Form):
    done_on = forms.DateField(label="Klar den", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_year(self, "done_on", data.get("done_on"))
        return data


class DeviationCloseForm(forms.Form):
    closing_note = forms.CharField(
        label="Kommentar vid avslut", max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
