"""Forms of the journal: writing (and correcting) an entry, its autosaved draft, searching the journal and
recording the client's objection. The forms only parse input; the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.care.models import JournalCategory
from bista.core.forms import MAX_ID, DateInput, RecordChoiceField
from bista.core.validation import PlausibleDatesMixin

TEXT_ROWS = 8
BAD_CORRECTS = "Anteckningen som skulle rättas kunde inte läsas. Öppna den igen och välj Rätta."


def parse_id(value: Any) -> int | None:
    """A record id from user input, or None when it is missing or no possible id."""
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


class JournalEntryForm(PlausibleDatesMixin, forms.Form):
    """Write and sign an entry. `rattar` (hidden) is the id of the entry a correction corrects."""

    event_date = forms.DateField(
        label="Händelsedatum", widget=DateInput(), help_text="Dagen då det du skriver om hände."
    )
    category = RecordChoiceField(label="Kategori", queryset=JournalCategory.objects.none(), empty_label="Välj kategori")
    text = forms.CharField(label="Anteckning", widget=forms.Textarea(attrs={"rows": TEXT_ROWS}), strip=False)
    rattar = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: Any, draft_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        if draft_url:
            # Autosave with htmx: a second after typing stops, the whole form goes to the draft URL and the
            # answer ("Utkast sparat 14:02") replaces the status line. Without JavaScript nothing happens here;
            # the "Spara utkast" button does the same with a plain POST.
            self.fields["text"].widget.attrs.update(
                {
                    "hx-post": draft_url,
                    "hx-trigger": "input changed delay:1s",
                    "hx-include": "closest form",
                    "hx-target": "#utkast-status",
                    "hx-select": "#utkast-svar",
                    "hx-swap": "innerHTML",
                    "aria-describedby": "utkast-status",
                }
            )

    def clean_rattar(self) -> int | None:
        value = self.cleaned_data.get("rattar")
        if not value:
            return None
        number = parse_id(value)
        if number is None:
            # A hidden field: the message goes on top of the form, where the user can see it.
            self.add_error(None, BAD_CORRECTS)
        return number


class JournalDraftForm(JournalEntryForm):
    """The same fields, none required: a draft keeps whatever has been typed so far."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def draft_values(self) -> dict[str, Any]:
        """What can be kept of the input: a field that did not parse (a half-typed date) is left empty."""
        data = getattr(self, "cleaned_data", {})
        return {
            "event_date": data.get("event_date"),
            "category": data.get("category"),
            "corrects_id": data.get("rattar"),
            "text": data.get("text") or "",
        }


class JournalSearchForm(PlausibleDatesMixin, forms.Form):
    q = forms.CharField(
        label="Sök i texten",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kategori = RecordChoiceField(
        label="Kategori", required=False, queryset=JournalCategory.objects.none(), empty_label="Alla kategorier"
    )
    fran = forms.DateField(label="Händelsedatum från", required=False, widget=DateInput())
    till = forms.DateField(label="Händelsedatum till", required=False, widget=DateInput())

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kategori"].queryset = categories  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fran") and data.get("till") and data["till"] < data["fran"]:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


class JournalObjectionForm(forms.Form):
    text = forms.CharField(
        label="Brukarens invändning",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Skriv med brukarens egna ord vad brukaren menar är fel i anteckningen.",
    )
