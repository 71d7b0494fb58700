from __future__ import annotations

from typing import Any

from django import forms

from bista.clients.models import Client, ClientContact, LogReview
from bista.clients.services import CLIENT_EDITABLE
from bista.core.forms import MAX_ID, DateInput, RecordChoiceField, RecordsChoiceField, set_unit_choices
from bista.core.models import Team, Unit
from bista.core.validation import PlausibleDatesMixin

# The details a form edits besides the name; `is_active` only on the edit form.
CLIENT_DETAIL_FIELDS = tuple(f for f in CLIENT_EDITABLE if f not in ("first_name", "last_name", "is_active"))


class ClientDetailsForm(forms.ModelForm):
    """The editable details; personnummer and unit are handled by the create form."""

    class Meta:
        model = Client
        fields = ("first_name", "last_name", *CLIENT_DETAIL_FIELDS)

    def _post_clean(self) -> None:
        # Validation of the whole record is the service's job (it runs full_clean); the form only parses input.
        pass


class ClientCreateForm(ClientDetailsForm):
    personnummer_input = forms.CharField(
        label="Personnummer", max_length=13, help_text="ÅÅÅÅMMDD-NNNN. Samordningsnummer går också bra."
    )
    unit = RecordChoiceField(label="Enhet", queryset=Unit.objects.none())
    teams = RecordsChoiceField(
        label="Arbetsgrupper", queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["personnummer_input", "first_name", "last_name", "unit", "teams"]

    def __init__(self, *args: Any, units: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        if units.count() == 1:
            self.fields["unit"].initial = units.first()


class ClientEditForm(ClientDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    is_active = forms.BooleanField(label="Aktiv", required=False)

    class Meta(ClientDetailsForm.Meta):
        fields = (*ClientDetailsForm.Meta.fields, "is_active")  # type: ignore[assignment]


class ContactForm(forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ("kind", "name", "relation", "phone", "email")

    def _post_clean(self) -> None:
        pass


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label="Sök på namn eller personnummer",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    inaktiva = forms.BooleanField(label="Visa även inaktiva", required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")


def _user_label(user: Any) -> str:
    name = ", ".join(part for part in (user.last_name, user.first_name) if part)
    return f"{name} ({user.username})" if name else user.username


class LogFilterForm(PlausibleDatesMixin, forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    anvandare = forms.TypedChoiceField(label="Användare", required=False, coerce=int, empty_value=None)
    brukare = forms.IntegerField(label="Brukar-id", required=False, min_value=1, max_value=MAX_ID)
    fran = forms.DateField(label="Från", required=False, widget=DateInput())
    till = forms.DateField(label="Till", required=False, widget=DateInput())
    skyddade = forms.BooleanField(label="Endast skyddade personuppgifter", required=False)

    def __init__(self, *args: Any, units: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)
        self.fields["anvandare"].choices = [  # type: ignore[attr-defined]
            ("", "Alla användare"),
            *[(u.pk, _user_label(u)) for u in users],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


class LogSampleForm(PlausibleDatesMixin, forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    fran = forms.DateField(label="Från", widget=DateInput())
    till = forms.DateField(label="Till", widget=DateInput())
    antal = forms.IntegerField(label="Antal loggrader i urvalet", min_value=1, max_value=500, initial=25)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)


class LogReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Bedömning", choices=[c for c in LogReview.Outcome.choices if c[0]], widget=forms.RadioSelect
    )
    findings = forms.CharField(label="Iakttagelser", required=False, widget=forms.Textarea)
