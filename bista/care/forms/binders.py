"""Forms of the home binders, deliveries and self-check pages. They parse input; the services validate."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from bista.care.models import Delivery, HomeBinder, RiskItem
from bista.core.forms import DateInput, RecordChoiceField, set_unit_choices
from bista.core.validation import PlausibleDatesMixin

# The texts each kind of binder shows, in order (the services require some of them per kind).
BINDER_KIND_TEXTS: dict[str, tuple[str, ...]] = {
    HomeBinder.Kind.RISK_ASSESSMENT: ("notes",),
    HomeBinder.Kind.CRISIS_BINDER: ("contacts", "instructions", "continuity", "wishes", "notes"),
    HomeBinder.Kind.ROUTINE_BINDER: ("routines", "wishes", "notes"),
}
TEXT_LABELS = {
    "contacts": ("Kontakter", "Vem ringer vi? Anhöriga, god man, sjukvård, jour – med telefonnummer."),
    "instructions": ("Vad gör vi när …", "Vid brand, sjukdom, strömavbrott, om brukaren inte är hemma …"),
    "continuity": ("Kontinuitetsplan", "Hur insatsen fortsätter om personal eller system inte finns tillgängliga."),
    "wishes": ("Brukarens önskemål", ""),
    "routines": ("Rutiner", "Rutiner i hemmet: morgon, måltider, läkemedel, nycklar …"),
    "notes": ("Övrigt", ""),
}
LEVEL_CHOICES = [("", "Välj"), *[(str(value), f"{value} – {label}") for value, label in RiskItem.Level.choices]]
MAX_YEAR = 2100


def _user_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class ResponsibleChoiceField(RecordChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


class BinderForm(PlausibleDatesMixin, forms.Form):
    """The texts of one kind of binder, the review date and the responsible person."""

    expected_number = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    reviewed_on = forms.DateField(
        label="Senast genomgången",
        widget=DateInput(),
        help_text=(
            "Datum då pärmen senast gicks igenom. Flyttar du fram datumet registreras en genomgång, "
            "och nästa genomgång räknas från det nya datumet."
        ),
    )
    responsible = ResponsibleChoiceField(label="Ansvarig", queryset=None, required=False)

    def __init__(self, *args: Any, kind: str, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = users  # type: ignore[attr-defined]
        for name in BINDER_KIND_TEXTS[kind]:
            label, help_text = TEXT_LABELS[name]
            self.fields[name] = forms.CharField(
                label=label, help_text=help_text, required=False, widget=forms.Textarea(attrs={"rows": 5})
            )

    def text_values(self, kind: str) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in BINDER_KIND_TEXTS[kind]}


class RiskForm(forms.Form):
    """One row of the risk and consequence analysis. Blank rows are dropped by the service."""

    risk = forms.CharField(label="Risk", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    likelihood = forms.ChoiceField(label="Sannolikhet", choices=LEVEL_CHOICES, required=False)
    consequence = forms.ChoiceField(label="Konsekvens", choices=LEVEL_CHOICES, required=False)
    action = forms.CharField(label="Åtgärd", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label="Ansvarig för åtgärden", required=False, max_length=200)


RiskFormSet = forms.formset_factory(RiskForm, extra=3, max_num=100, absolute_max=100, validate_max=True)


class DeliveryForm(PlausibleDatesMixin, forms.Form):
    delivered_on = forms.DateField(label="Leveransdatum", widget=DateInput())
    kind = forms.ChoiceField(label="Typ", choices=Delivery.Kind.choices, initial=Delivery.Kind.PROTECTIVE)
    items = forms.CharField(
        label="Artiklar", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), help_text="Vad som levererades."
    )


class DeliveryFilterForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    ar = forms.IntegerField(label="År", min_value=2000, max_value=MAX_YEAR)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)


class SelfCheckFilterForm(PlausibleDatesMixin, forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    fran = forms.DateField(label="Från och med", widget=DateInput())
    till = forms.DateField(label="Till och med", widget=DateInput())
    ansvarig = forms.TypedChoiceField(
        label="Ansvarig biträdande enhetschef", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, units: Any, deputies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)
        self.fields["ansvarig"].choices = [  # type: ignore[attr-defined]
            ("", "Alla"),
            *[(user.pk, _user_label(user)) for user in deputies],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fran"), data.get("till")
        for name in ("fran", "till"):
            day = data.get(name)
            if isinstance(day, datetime.date) and not 2000 <= day.year <= MAX_YEAR:
                self.add_error(name, f"Ange ett datum mellan år 2000 och {MAX_YEAR}.")
        if start and end and end < start:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


class EmergencyExportForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)
