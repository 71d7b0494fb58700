"""Forms of the personal data incident pages. Moments are typed as date and time in Swedish time
(Europe/Stockholm, the site's time zone); whether they hold together is the service's job."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.core.forms import MAX_ID, RecordChoiceField, set_unit_choices
from bista.core.validation import PlausibleDatesMixin
from bista.quality.models import DataIncident

DATETIME_HELP = "Datum och klockslag, svensk tid."


class DateTimeInput(forms.DateTimeInput):
    """One input for date and time (the browser's date-time picker; typed text works too)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class StockholmDateTimeField(forms.DateTimeField):
    """A moment typed in local time. Django makes it aware in the current time zone (Europe/Stockholm) and
    refuses a time that does not exist or is ambiguous at a daylight-saving change."""

    widget = DateTimeInput
    default_error_messages = {
        "invalid": "Ange datum och klockslag, till exempel 2026-03-27 10:00.",
        "overflow": "Ange ett giltigt datum och klockslag.",
    }

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except OverflowError as error:  # pragma: no cover - defensive, a year far out of range
            raise forms.ValidationError(self.error_messages["overflow"], code="overflow") from error


INCIDENT_FIELDS = (
    "what_happened",
    "happened_at",
    "discovered_at",
    "ended_at",
    "data_affected",
    "people_affected",
    "people_affected_count",
    "consequences",
    "actions",
    "people_informed_on",
)


class IncidentForm(PlausibleDatesMixin, forms.ModelForm):
    happened_at = StockholmDateTimeField(label="Inträffade", help_text=DATETIME_HELP)
    discovered_at = StockholmDateTimeField(
        label="Upptäcktes", help_text=f"{DATETIME_HELP} Fristen på 72 timmar räknas härifrån."
    )
    ended_at = StockholmDateTimeField(
        label="Upphörde", required=False, help_text=f"{DATETIME_HELP} Lämna tomt om incidenten pågår."
    )
    people_affected_count = forms.IntegerField(label="Antal berörda", required=False, min_value=0, max_value=10**9)

    class Meta:
        model = DataIncident
        fields = INCIDENT_FIELDS
        widgets = {
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "data_affected": forms.Textarea(attrs={"rows": 3}),
            "people_affected": forms.Textarea(attrs={"rows": 3}),
            "consequences": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "people_informed_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        }
        labels = {
            "what_happened": "Vad hände",
            "data_affected": "Vilka personuppgifter berörs",
            "people_affected": "Vilka personer berörs",
            "consequences": "Konsekvenser för de berörda",
            "actions": "Vidtagna åtgärder",
            "people_informed_on": "De berörda informerades",
        }
        help_texts = {"people_informed_on": "Lämna tomt om de berörda inte har informerats."}

    def _post_clean(self) -> None:
        # Validation of the whole record is the service's job; the form only parses input.
        pass


class IncidentCreateForm(IncidentForm):
    unit = RecordChoiceField(label="Enhet", queryset=None)
    field_order = ["unit", *INCIDENT_FIELDS]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk


class IncidentEditForm(IncidentForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class ImyDecisionForm(PlausibleDatesMixin, forms.Form):
    """The decision whether IMY is notified: notified (when, IMY's reference) or not (why)."""

    imy_decision = forms.ChoiceField(label="Beslut", choices=DataIncident.ImyDecision.choices, widget=forms.RadioSelect)
    imy_notified_at = StockholmDateTimeField(
        label="Anmäld till IMY", required=False, help_text=f"{DATETIME_HELP} Fylls i om incidenten anmäls."
    )
    imy_reference = forms.CharField(label="IMY:s diarienummer", required=False, max_length=60)
    imy_decision_reason = forms.CharField(
        label="Motivering",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Varför det är osannolikt att incidenten medför en risk för de berördas rättigheter och friheter.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


OPEN, DECIDED = "utan_beslut", "beslutade"


class IncidentFilterForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Beslut om anmälan",
        required=False,
        choices=[("", "Alla"), (OPEN, "Inte fattat"), (DECIDED, "Fattat")],
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")
