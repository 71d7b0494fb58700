"""Forms of the Lex Sarah pages: the report (anyone, genast), the register's filters and one form per step
of the handling (registered, remedied, investigated, assessed, notified, closed)."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.core.forms import MAX_ID, DateInput, set_unit_choices
from bista.core.validation import PlausibleDatesMixin
from bista.quality.forms.deviations import MAX_TEXT, EventReportForm, _check_year, client_filter_field
from bista.quality.models import LexSarahReport


class LexSarahReportForm(EventReportForm):
    what_happened = forms.CharField(
        label="Vad har hänt?",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Beskriv missförhållandet eller risken för missförhållande så konkret du kan.",
    )


class LexSarahListForm(PlausibleDatesMixin, forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Alla"), ("open", "Pågående"), *LexSarahReport.Status.choices]
    )
    bedomning = forms.ChoiceField(
        label="Bedömning",
        required=False,
        choices=[("", "Alla"), ("serious", "Allvarlig"), ("ivo", "Anmäld till IVO"), ("unassessed", "Ej bedömd")],
    )
    brukare = client_filter_field()
    fran = forms.DateField(label="Rapporterad från", required=False, widget=DateInput())
    till = forms.DateField(label="Rapporterad till och med", required=False, widget=DateInput())

    def __init__(self, *args: Any, units: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")
        self.fields["brukare"].queryset = clients  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_year(self, "fran", data.get("fran"))
        _check_year(self, "till", data.get("till"))
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


# --- The steps -------------------------------------------------------------------------------------

STEP_TITLES = {
    "reported": "Rapporterad",
    "registered": "Registrera rapporten",
    "remedied": "Avhjälp eller undanröj missförhållandet",
    "investigated": "Utred rapporten",
    "assessed": "Bedöm om missförhållandet är allvarligt",
    "notified": "Anmäl till IVO",
    "closed": "Beslut och avslut",
}
STEP_BUTTONS = {
    "registered": "Registrera",
    "remedied": "Spara omedelbara åtgärder",
    "investigated": "Spara utredningen",
    "assessed": "Spara bedömningen",
    "notified": "Registrera anmälan till IVO",
    "closed": "Fatta beslut och avsluta",
}


def _text(label: str, *, required: bool = True, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=MAX_TEXT,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StepForm(forms.Form):
    """A step's form: its own fields and the version the user saw. `values()` is what the service takes."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    date_fields: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.date_fields:
            _check_year(self, name, data.get(name))
        return data

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class RegisteredForm(StepForm):
    pass


class RemediedForm(StepForm):
    remedy = _text("Omedelbara åtgärder", help_text="Vad gjordes för att avhjälpa eller undanröja det som hänt?")


class InvestigatedForm(PlausibleDatesMixin, StepForm):
    investigation_events = _text("Vad har hänt enligt utredningen", rows=5)
    client_view = _text("Brukarens uppfattning", help_text="Vad säger brukaren eller brukarens företrädare?")
    causes = _text("Orsaker")
    preventive_actions = _text("Åtgärder för att förhindra att det händer igen")
    client_informed_on = forms.DateField(
        label="Brukaren informerad", required=False, widget=DateInput(), help_text="Datum då brukaren informerades."
    )
    date_fields = ("client_informed_on",)


class AssessedForm(StepForm):
    assessment = forms.ChoiceField(
        label="Bedömning", choices=LexSarahReport.Assessment.choices, widget=forms.RadioSelect
    )
    serious = forms.TypedChoiceField(
        label="Är missförhållandet eller risken allvarlig?",
        choices=[("ja", "Ja, allvarligt: ska anmälas till IVO"), ("nej", "Nej, inte allvarligt")],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
    )
    assessment_reason = _text("Motivering")


class NotifiedForm(PlausibleDatesMixin, StepForm):
    ivo_notified_on = forms.DateField(label="Anmälan skickad till IVO", widget=DateInput())
    ivo_reference = forms.CharField(label="IVO:s diarienummer", max_length=60, required=False)
    date_fields = ("ivo_notified_on",)


class ClosedForm(PlausibleDatesMixin, StepForm):
    decision = _text("Beslut", help_text="Beslutet med anledning av utredningen.")
    decided_on = forms.DateField(label="Beslutsdatum", widget=DateInput())
    date_fields = ("decided_on",)


STEP_FORMS: dict[str, type[StepForm]] = {
    "registered": RegisteredForm,
    "remedied": RemediedForm,
    "investigated": InvestigatedForm,
    "assessed": AssessedForm,
    "notified": NotifiedForm,
    "closed": ClosedForm,
}
