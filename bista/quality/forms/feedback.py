"""Forms of the feedback pages (synpunkter, klagomål, beröm): the list's filters, registering, recording the
answer and actions, closing. The forms only parse input; whether it holds together is the service's job."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.core.forms import MAX_ID, DateInput, RecordChoiceField, set_unit_choices
from bista.core.pickers import PickerField
from bista.core.validation import PlausibleDatesMixin
from bista.quality.models import Feedback, QualityCategory

OPEN, CLOSED = "oppna", "avslutade"


def grouped_category_choices(categories: Any) -> list[tuple[str, list[tuple[int, str]]]]:
    """Categories as optgroups named for their group of the VB table, in the table's order."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for category in categories:
        groups.setdefault(category.group, []).append((category.pk, category.name))
    return [(str(QualityCategory.Group(group).label), items) for group, items in groups.items()]


class CategoryChoiceField(forms.TypedChoiceField):
    """A category among the given ones, offered in optgroups; cleans to the QualityCategory (or None)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.by_pk: dict[int, QualityCategory] = {}

    def set_categories(self, categories: Any) -> None:
        found = list(categories)
        self.by_pk = {c.pk: c for c in found}
        self.choices = [("", "Välj kategori"), *grouped_category_choices(found)]

    def to_python(self, value: Any) -> Any:
        text = "" if value in self.empty_values else str(value).strip()
        if text and not (text.isdigit() and 0 < int(text) <= MAX_ID):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
            )
        return text

    def clean(self, value: Any) -> Any:
        pk = super().clean(value)
        return None if pk is None else self.by_pk[pk]

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, QualityCategory) else value


class FeedbackFilterForm(PlausibleDatesMixin, forms.Form):
    """The list's filters (GET). Unknown values are invalid input, never an error page."""

    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    typ = forms.ChoiceField(label="Typ", required=False, choices=[("", "Alla"), *Feedback.Kind.choices])
    kalla = forms.ChoiceField(label="Inkom från", required=False, choices=[("", "Alla"), *Feedback.Source.choices])
    kategori = forms.TypedChoiceField(label="Kategori", required=False, coerce=int, empty_value=None)
    fran = forms.DateField(label="Inkom från och med", required=False, widget=DateInput())
    till = forms.DateField(label="Inkom till och med", required=False, widget=DateInput())
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Alla"), (OPEN, "Pågående"), (CLOSED, "Avslutade")]
    )

    def __init__(self, *args: Any, units: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")
        self.fields["kategori"].choices = [  # type: ignore[attr-defined]
            ("", "Alla"),
            *grouped_category_choices(categories),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


class FeedbackCreateForm(PlausibleDatesMixin, forms.Form):
    unit = RecordChoiceField(label="Enhet", queryset=None)
    kind = forms.ChoiceField(label="Typ", choices=Feedback.Kind.choices, widget=forms.RadioSelect)
    source = forms.ChoiceField(label="Inkom från", choices=[("", "Välj"), *Feedback.Source.choices])
    sender_name = forms.CharField(
        label="Avsändarens namn",
        required=False,
        max_length=200,
        help_text="Lämna tomt om synpunkten är anonym. En anonym synpunkt har varken avsändare eller brukare.",
    )
    client = PickerField(
        label="Brukare",
        queryset=None,
        required=False,
        kind="brukare",
        help_text="Frivilligt: den brukare som ärendet gäller.",
    )
    category = CategoryChoiceField(
        label="Kategori", required=False, help_text="Behövs för synpunkter och klagomål, inte för beröm."
    )
    description = forms.CharField(label="Vad gäller det", widget=forms.Textarea(attrs={"rows": 5}))
    received_on = forms.DateField(label="Inkom", widget=DateInput())
    other_provider = forms.CharField(
        label="Gäller annan utförare",
        required=False,
        max_length=200,
        help_text="Namnet på utföraren om klagomålet gäller någon annan än enheten.",
    )

    def __init__(self, *args: Any, units: Any, clients: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["client"].narrow(enhet=unit_list[0].pk)  # type: ignore[attr-defined]
        self.fields["category"].set_categories(categories)  # type: ignore[attr-defined]


FEEDBACK_EDIT_FIELDS = (
    "category",
    "description",
    "answer",
    "answered_on",
    "action_taken",
    "action_taken_on",
    "other_provider",
    "forwarded_on",
    "other_provider_answer",
    "other_provider_answered_on",
)


class FeedbackEditForm(PlausibleDatesMixin, forms.ModelForm):
    category = CategoryChoiceField(label="Kategori", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    class Meta:
        model = Feedback
        fields = FEEDBACK_EDIT_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "answer": forms.Textarea(attrs={"rows": 3}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
            "other_provider_answer": forms.Textarea(attrs={"rows": 3}),
            "answered_on": DateInput(),
            "action_taken_on": DateInput(),
            "forwarded_on": DateInput(),
            "other_provider_answered_on": DateInput(),
        }
        labels = {
            "description": "Vad gäller det",
            "answer": "Återkoppling till avsändaren",
            "answered_on": "Återkoppling lämnad",
            "action_taken": "Vidtagen åtgärd",
            "action_taken_on": "Åtgärd vidtagen",
            "other_provider": "Gäller annan utförare",
            "forwarded_on": "Vidarebefordrad till den andra utföraren",
            "other_provider_answer": "Den andra utförarens svar om vidtagna åtgärder",
            "other_provider_answered_on": "Svar från den andra utföraren",
        }

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].set_categories(categories)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # Validation of the whole record is the service's job; the form only parses input.
        pass


class FeedbackCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
