"""Forms of the routines register and the self-check plan (egenkontrollplan)."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.core.forms import MAX_ID, DateInput, RecordChoiceField, set_unit_choices
from bista.core.pickers import PickerField
from bista.core.validation import PlausibleDatesMixin
from bista.quality.models import Routine, SelfCheckPlanItem

ROUTINE_FIELDS = ("name", "process", "owner", "version_label", "content", "adopted_on", "reviewed_on", "is_active")


class RoutineForm(PlausibleDatesMixin, forms.ModelForm):
    owner = PickerField(label="Ägare", queryset=None, kind="person")

    class Meta:
        model = Routine
        fields = ROUTINE_FIELDS
        widgets = {
            "content": forms.Textarea(attrs={"rows": 6}),
            "adopted_on": DateInput(),
            "reviewed_on": DateInput(),
        }
        labels = {
            "name": "Namn",
            "process": "Process",
            "version_label": "Version",
            "content": "Innehåll eller länk",
            "adopted_on": "Fastställd",
            "reviewed_on": "Senast reviderad",
            "is_active": "Gällande",
        }
        help_texts = {
            "content": "Rutinens text, eller en länk (https://…) till dokumentet.",
            "reviewed_on": "Nästa revidering ska göras senast ett år efter den senaste.",
            "version_label": "Till exempel 1.0 eller 2026-1.",
        }

    def __init__(self, *args: Any, people: Any, unit_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        if unit_id is not None:
            self.fields["owner"].narrow(enhet=unit_id)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # Validation of the whole record is the service's job; the form only parses input.
        pass


class RoutineCreateForm(RoutineForm):
    unit = RecordChoiceField(label="Enhet", queryset=None)
    field_order = ["unit", *ROUTINE_FIELDS]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk
        self.fields.pop("is_active")


class RoutineEditForm(RoutineForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class RoutineFilterForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    inaktuella = forms.BooleanField(label="Visa även rutiner som inte längre gäller", required=False)
    forsenade = forms.BooleanField(label="Endast rutiner där revideringen är försenad", required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")


class PlanUnitForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)


class SelfCheckItemForm(forms.Form):
    unit = RecordChoiceField(label="Enhet", queryset=None)
    what = forms.CharField(label="Vad kontrolleras", max_length=200)
    method = forms.CharField(label="Hur", widget=forms.Textarea(attrs={"rows": 3}))
    frequency = forms.ChoiceField(label="Hur ofta", choices=[("", "Välj"), *SelfCheckPlanItem.Frequency.choices])
    responsible = PickerField(label="Ansvarig", queryset=None, kind="person")
    computed_check = forms.ChoiceField(
        label="Beräknas ur registreringarna",
        required=False,
        help_text="Välj en beräknad egenkontroll om resultatet kan räknas fram ur det som registrerats.",
    )

    def __init__(self, *args: Any, units: Any, people: Any, computed_checks: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk
            self.fields["responsible"].narrow(enhet=unit_list[0].pk)  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = people  # type: ignore[attr-defined]
        self.fields["computed_check"].choices = [  # type: ignore[attr-defined]
            ("", "Nej, resultatet registreras för hand"),
            *computed_checks.items(),
        ]


class SelfCheckResultForm(PlausibleDatesMixin, forms.Form):
    performed_on = forms.DateField(label="Genomförd", widget=DateInput())
    result = forms.CharField(label="Resultat", widget=forms.Textarea(attrs={"rows": 4}))
    actions = forms.CharField(
        label="Åtgärder", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Om något behöver göras."
    )
