"""Searchable pickers: choosing one person among hundreds (a client, an employee, an order's responsible deputy)
by typing part of the name, instead of scrolling a select list of every name.

Each context registers a `PickerSource` from its AppConfig.ready() (core imports no other context): which
records the user may pick (the context's access rules, need-to-know per unit), how a typed text matches them,
how each is named, and, for client data, how the names shown are logged as read. Two ways use a source:

- `PickerField` in a form works without JavaScript: the user types part of a name and submits; one match is
  taken, several come back as a short list to choose from (nothing is saved meanwhile), none is an error
  naming the field. The form's own queryset decides what is valid.
- `picker_search` (core/views.py) answers the same search as JSON for `bista/picker.js`, which turns the text
  field into an ARIA 1.2 combobox with a listbox as the user types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.urls import reverse

from bista.core.forms import RecordChoiceField, valid_id
from bista.core.requestid import current_reader
from bista.core.validation import NUL, NUL_MESSAGE

# How many matches a search offers at most; more means: type more of the name.
MAX_MATCHES = 20
# A typed text longer than this is cut (no name is longer); it never reaches the database whole.
MAX_TEXT = 100
# The suffixes of the picker's inputs next to the chosen id (`<name>`): the typed text, and a choice among the
# matches offered without JavaScript.
TEXT_SUFFIX = "_sok"
CHOICE_SUFFIX = "_val"
# A typed word of at least this many digits (a hyphen or plus allowed) is part of a number, not of a name.
MIN_NUMBER_DIGITS = 4


@dataclass(frozen=True)
class PickerSource:
    kind: str  # the URL's name for it: /sok/<kind>/
    choices: Callable[[Any, QueryDict], QuerySet[Any]]  # what the user may pick (raise PermissionDenied if none)
    name_fields: Sequence[str]  # every typed word must match one of these (case-insensitive)
    label: Callable[[Any], str]
    log: Callable[[Any, Sequence[Any]], None] | None = None  # record the records named as read (client data)
    # A field of digits a typed number may match (the personnummer, stored as 12 digits): case officers and
    # managers find a person by number as often as by name.
    number_field: str | None = None

    def search(self, records: QuerySet[Any], text: str) -> QuerySet[Any]:
        for word in text[:MAX_TEXT].split():
            digits = word.replace("-", "").replace("+", "")
            if self.number_field and digits.isdigit() and len(digits) >= MIN_NUMBER_DIGITS:
                records = records.filter(**{f"{self.number_field}__contains": digits})
                continue
            match = Q()
            for name in self.name_fields:
                match |= Q(**{f"{name}__icontains": word})
            records = records.filter(match)
        return records


_sources: dict[str, PickerSource] = {}


def register(source: PickerSource) -> PickerSource:
    _sources[source.kind] = source
    return source


def source_for(kind: str) -> PickerSource | None:
    return _sources.get(kind)


def log_named(kind: str, records: Sequence[Any]) -> None:
    """Records a form's picker named on the page (the chosen one's label, the matches offered) logged as read by
    the request's user, as the JSON search logs what it answers: a client's name and date of birth are client
    data, whichever way they reach the screen."""
    source = source_for(kind)
    reader = current_reader()
    if source is not None and source.log is not None and reader is not None and records:
        source.log(reader, records)


def search_url(kind: str, **params: Any) -> str:
    url = reverse("core:picker_search", args=[kind])
    query = QueryDict(mutable=True)
    query.update({key: str(value) for key, value in params.items() if value is not None})
    return f"{url}?{query.urlencode()}" if query else url


class PickerInput(forms.Widget):
    """A text field for part of a name and the chosen record's id; without JavaScript, the matches of the last
    search as radio buttons. `bista/picker.js` adds the listbox."""

    template_name = "core/widgets/picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = ""
        self.params: dict[str, Any] = {}
        self.matches: list[tuple[str, str]] = []  # (id, label) offered after a search with several matches
        self.choices: Any = ()

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return (data.get(name, ""), data.get(name + TEXT_SUFFIX), data.get(name + CHOICE_SUFFIX))

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and name + TEXT_SUFFIX not in data and name + CHOICE_SUFFIX not in data

    def _chosen_label(self, value: Any) -> str:
        field = getattr(self.choices, "field", None)
        if value in (None, "") or field is None:
            return ""
        if not hasattr(value, "pk") and not valid_id(value):  # a posted id that is no id ("x", "1e9"): no name
            return ""
        record = value if hasattr(value, "pk") else field.queryset.filter(pk=value).first()
        if record is None:
            return ""
        log_named(self.kind, [record])
        return str(field.label_from_instance(record))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if isinstance(value, tuple):  # bound: what was posted
            chosen, text, _choice = value
            text = text if text is not None else self._chosen_label(chosen)
        else:
            chosen = getattr(value, "pk", value)
            text = self._chosen_label(value)
        widget = context["widget"]
        widget.update(
            {
                "chosen": "" if self.matches or chosen is None else chosen,
                "text": (text or "")[:MAX_TEXT],
                "text_name": name + TEXT_SUFFIX,
                "choice_name": name + CHOICE_SUFFIX,
                "matches": self.matches,
                "url": search_url(self.kind, **self.params) if self.kind else "",
            }
        )
        return context


class PickerField(RecordChoiceField):
    """One record chosen with a `PickerInput`: by the id chosen (from the listbox, or among the matches), or by
    the typed text when it matches exactly one of the form's queryset."""

    widget = PickerInput

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.widget.kind = kind  # type: ignore[attr-defined]

    def label_from_instance(self, obj: Any) -> str:
        """As the source names it, so that the listbox's names and the form's are the same."""
        source = source_for(self.kind)
        return source.label(obj) if source is not None else str(super().label_from_instance(obj))

    def narrow(self, **params: Any) -> None:
        """Pass query parameters to the JSON search (e.g. enhet=<id>), so that the listbox offers what the
        form accepts."""
        self.widget.params = params  # type: ignore[attr-defined]

    def clean(self, value: Any) -> Any:
        self.widget.matches = []  # type: ignore[attr-defined]
        if not isinstance(value, tuple):  # an id alone (e.g. initial data, a test posting only the id)
            return super().clean(value)
        chosen, text, choice = value
        if choice not in self.empty_values:
            return super().clean(choice)
        if text is None:  # no text input posted: the id alone
            return super().clean(chosen)
        text = text.strip()[:MAX_TEXT]
        if NUL in text:
            raise forms.ValidationError(NUL_MESSAGE, code="null_characters")
        if not text:
            return super().clean("")
        if chosen not in self.empty_values:
            record = super().clean(chosen)
            if self.label_from_instance(record) == text:  # the chosen record's name untouched
                return record
        return self._by_text(text)

    def _by_text(self, text: str) -> Any:
        source = source_for(self.kind)
        if source is None:
            raise LookupError(f"No picker source registered for {self.kind!r}")
        matches = list(source.search(self.queryset, text)[: MAX_MATCHES + 1])  # type: ignore[arg-type]
        log_named(self.kind, matches[:MAX_MATCHES])  # the one taken, or the names offered to choose from
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(
                f"Ingen träff på ”{text}”. Skriv en del av namnet och försök igen.", code="no_match"
            )
        self.widget.matches = [  # type: ignore[attr-defined]
            (str(record.pk), self.label_from_instance(record)) for record in matches[:MAX_MATCHES]
        ]
        if len(matches) > MAX_MATCHES:
            raise forms.ValidationError(
                f"Fler än {MAX_MATCHES} träffar på ”{text}”. Skriv mer av namnet eller välj bland de första.",
                code="too_many",
            )
        raise forms.ValidationError(f"{len(matches)} träffar på ”{text}”. Välj en i listan.", code="several")
