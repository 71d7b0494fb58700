"""Forms of the implementation plan pages: the plan's texts, its activities (a formset with blank rows, so
no JavaScript is needed to add one), signing."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.care.models import ImplementationPlan
from bista.core.forms import MAX_ID, DateInput
from bista.core.validation import PlausibleDatesMixin

PLAN_FIELDS = (
    "goals",
    "cooperation",
    "participants",
    "client_participation",
    "client_view",
    "easy_read",
    "follow_up_on",
)
ACTIVITY_FIELDS = ("goal", "how", "when", "responsible")
EXTRA_ACTIVITY_ROWS = 3


class PlanForm(PlausibleDatesMixin, forms.ModelForm):
    class Meta:
        model = ImplementationPlan
        fields = PLAN_FIELDS
        labels = {
            "goals": "Mål",
            "cooperation": "Samverkan med andra",
            "participants": "Deltagare vid upprättandet",
            "client_participation": "Hur brukaren har varit delaktig",
            "client_view": "Brukarens egen uppfattning",
            "easy_read": "Lättläst sammanfattning",
            "follow_up_on": "Uppföljningsdatum",
        }
        help_texts = {
            "client_participation": "Det ska framgå att brukaren har varit delaktig i planeringen.",
            "client_view": "Brukarens egna ord om insatsen och målen.",
            "easy_read": "Frivillig. Skriv tillsammans med brukaren, med korta meningar och vanliga ord. "
            "Den visas först för brukaren på Min sida.",
        }
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 4}),
            "cooperation": forms.Textarea(attrs={"rows": 3}),
            "participants": forms.Textarea(attrs={"rows": 2}),
            "client_participation": forms.Textarea(attrs={"rows": 3}),
            "client_view": forms.Textarea(attrs={"rows": 3}),
            "easy_read": forms.Textarea(attrs={"rows": 4}),
            "follow_up_on": DateInput(),
        }

    def _post_clean(self) -> None:
        pass


class PlanEditForm(PlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class ActivityForm(forms.Form):
    """One activity; a row left blank is dropped, a half-filled one is an error (the service decides)."""

    goal = forms.CharField(label="Delmål", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    how = forms.CharField(label="Hur", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    when = forms.CharField(label="När", required=False, max_length=200)
    responsible = forms.CharField(label="Ansvarig", required=False, max_length=200)


ActivityFormSet = forms.formset_factory(ActivityForm, extra=EXTRA_ACTIVITY_ROWS, max_num=200, validate_max=True)


def activity_rows(formset: Any) -> list[dict[str, str]]:
    """The activities as typed, in order (blank rows included: the service drops them)."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        rows.append({name: data.get(name, "") for name in ACTIVITY_FIELDS})
    return rows


class PlanSignForm(PlausibleDatesMixin, forms.Form):
    signed_on = forms.DateField(label="Undertecknad datum", widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
