"""Forms of the client survey (labels and messages in Swedish; the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.care.models import Service
from bista.core.forms import DateInput, RecordChoiceField, RecordsChoiceField
from bista.core.validation import PlausibleDatesMixin
from bista.surveys import rules
from bista.surveys.models import PICTOGRAMS, AnswerScale, Invitation, Survey


class QuestionForm(forms.Form):
    enhet = RecordChoiceField(queryset=None, label="Enhet")  # type: ignore[arg-type]
    text = forms.CharField(label="Fråga", max_length=300)
    easy_text = forms.CharField(label="Fråga på lätt svenska", max_length=300, help_text="Korta ord, en sak i taget.")
    scale = RecordChoiceField(queryset=AnswerScale.objects.all(), label="Svarsskala")
    pictogram = forms.ChoiceField(label="Bild", choices=PICTOGRAMS, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].queryset = units  # type: ignore[attr-defined]


class SurveyForm(PlausibleDatesMixin, forms.Form):
    enhet = RecordChoiceField(queryset=None, label="Enhet")  # type: ignore[arg-type]
    name = forms.CharField(label="Namn", max_length=200)
    opens_on = forms.DateField(label="Svar från", widget=DateInput())
    closes_on = forms.DateField(label="Svar till och med", widget=DateInput())
    audience = forms.ChoiceField(
        label="Vilka som tillfrågas", choices=Survey.Audience.choices, widget=forms.RadioSelect
    )
    services = RecordsChoiceField(
        queryset=Service.objects.all(), label="Insatser", required=False, widget=forms.CheckboxSelectMultiple
    )
    questions = RecordsChoiceField(queryset=None, label="Frågor", widget=forms.CheckboxSelectMultiple)  # type: ignore[arg-type]

    def __init__(self, *args: Any, units: Any, questions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].queryset = units  # type: ignore[attr-defined]
        self.fields["questions"].queryset = questions  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    clients = forms.TypedMultipleChoiceField(
        label="Brukare", coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    channel = forms.ChoiceField(label="Hur inbjudan skickas", choices=Invitation.Channel.choices)
    respondent = forms.ChoiceField(label="Vem svarar", choices=Invitation.Respondent.choices)
    respondent_name = forms.CharField(label="Företrädarens eller den anhörigas namn", max_length=200, required=False)
    address = forms.CharField(
        label="E-postadress eller mobilnummer",
        max_length=200,
        required=False,
        help_text="Lämna tomt för brev. Används bara för att skicka koden och sparas inte.",
    )

    def __init__(self, *args: Any, clients: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clients"].choices = clients  # type: ignore[attr-defined]


class CodeForm(forms.Form):
    kod = forms.CharField(label="Din kod", max_length=40, help_text="Koden står i brevet, e-posten eller sms:et.")

    def clean_kod(self) -> str:
        code = rules.normalise_code(self.cleaned_data["kod"])
        if code is None:
            raise forms.ValidationError(rules.Refusal.UNKNOWN)
        return code
