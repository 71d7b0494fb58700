"""Forms of the own view (labels and messages in Swedish; the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.quality.models import Feedback


class RequestCodeForm(forms.Form):
    personnummer = forms.CharField(
        label="Personnummer",
        max_length=20,
        help_text="Brukarens personnummer, till exempel 19900101-1234.",
        error_messages={"required": "Skriv personnumret."},
    )
    kontakt = forms.CharField(
        label="Din e-postadress eller ditt mobilnummer",
        max_length=254,
        help_text="Samma som enheten har fått av dig. Dit skickar vi koden.",
        error_messages={"required": "Skriv din e-postadress eller ditt mobilnummer."},
    )


class CodeForm(forms.Form):
    kod = forms.CharField(
        label="Koden",
        max_length=20,
        help_text="Sex siffror. Koden gäller i 10 minuter.",
        error_messages={"required": "Skriv koden."},
    )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label="Vad vill du lämna?",
        choices=[
            (Feedback.Kind.OPINION, "En synpunkt – något kan bli bättre"),
            (Feedback.Kind.COMPLAINT, "Ett klagomål – något blev fel"),
            (Feedback.Kind.PRAISE, "Beröm – något var bra"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Välj vad du vill lämna.", "invalid_choice": "Välj ett av alternativen."},
    )
    description = forms.CharField(
        label="Berätta",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={"required": "Skriv vad du vill säga.", "max_length": "Skriv högst 5 000 tecken."},
    )


class SettingsForm(forms.Form):
    enabled = forms.BooleanField(label="Brukaren får använda Min sida", required=False)
    show_staff_names = forms.BooleanField(
        label="Brukaren har samtyckt till att personalens namn visas i Min sida (annars visas bara tider)",
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class ContactForm(forms.Form):
    address = forms.CharField(
        label="E-postadress eller mobilnummer",
        max_length=254,
        error_messages={"required": "Ange en e-postadress eller ett mobilnummer."},
    )
    representative = forms.TypedChoiceField(label="Vems kontakt", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, representatives: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative"].choices = [("", "Brukarens egen")] + [  # type: ignore[attr-defined]
            (c.pk, f"{c.name} ({c.get_kind_display()})") for c in representatives
        ]
