"""Forms of worked time: small enough for a phone. A time is a date and clock times in Swedish time; an end
clock time before the start means the next day (a night), unless an end date is given."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from bista.core.clock import STOCKHOLM
from bista.core.forms import MAX_ID, DateInput, RecordChoiceField
from bista.core.validation import PlausibleDatesMixin
from bista.rostering.forms import TimeInput, local_moment
from bista.rostering.models import ShiftKind
from bista.timereports.rules import MAX_WORKED

MAX_MINUTES = int(MAX_WORKED.total_seconds() // 60)

# Where a service's field errors are shown on these forms.
FIELD_MAP = {"starts_at": "starts_time", "ends_at": "ends_time", "shift": None, "month": None}


class TimesForm(PlausibleDatesMixin, forms.Form):
    starts_on = forms.DateField(label="Datum", widget=DateInput())
    starts_time = forms.TimeField(label="Började klockan", widget=TimeInput())
    ends_time = forms.TimeField(
        label="Slutade klockan", widget=TimeInput(), help_text="En tid före starttiden betyder nästa dag."
    )
    ends_on = forms.DateField(
        label="Slutdatum", required=False, widget=DateInput(), help_text="Behövs bara om du slutade en annan dag."
    )
    active_minutes = forms.IntegerField(
        label="Aktiv tid inom jour/beredskap (minuter)",
        required=False,
        min_value=0,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Bara för jour och beredskap: hur länge du arbetade aktivt.",
    )
    waiting_minutes = forms.IntegerField(
        label="Väntetid (minuter)",
        required=False,
        min_value=0,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Bara för aktiv tid: tid du väntade, till exempel medan brukaren var i skolan.",
    )
    reason = forms.CharField(label="Anledning", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start_clock, end_clock = data.get("starts_on"), data.get("starts_time"), data.get("ends_time")
        if day is None or start_clock is None or end_clock is None:
            return data
        end_day = data.get("ends_on") or (day if end_clock > start_clock else day + datetime.timedelta(days=1))
        try:
            data["starts_at"] = local_moment(day, start_clock)
        except forms.ValidationError as error:
            self.add_error("starts_time", error)
        try:
            data["ends_at"] = local_moment(end_day, end_clock)
        except forms.ValidationError as error:
            self.add_error("ends_time", error)
        data["active_minutes"] = data.get("active_minutes") or 0
        data["waiting_minutes"] = data.get("waiting_minutes") or 0
        return data


def times_initial(starts_at: datetime.datetime, ends_at: datetime.datetime) -> dict[str, Any]:
    """The form's fields for a time; the end date only where the next-day rule would not give it."""
    start, end = starts_at.astimezone(STOCKHOLM), ends_at.astimezone(STOCKHOLM)
    initial: dict[str, Any] = {"starts_on": start.date(), "starts_time": start.time(), "ends_time": end.time()}
    implied = start.date() if end.time() > start.time() else start.date() + datetime.timedelta(days=1)
    if end.date() != implied:
        initial["ends_on"] = end.date()
    return initial


class ReviseForm(TimesForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    field_order = ["starts_on", "starts_time", "ends_time", "ends_on", "active_minutes", "waiting_minutes", "reason"]


class UnplannedForm(TimesForm):
    client = RecordChoiceField(label="Brukare", queryset=None)
    kind = forms.ChoiceField(label="Typ av tid", choices=ShiftKind.choices, initial=ShiftKind.ACTIVE)
    field_order = ["client", "kind", "starts_on", "starts_time", "ends_time", "ends_on", "active_minutes"]

    def __init__(self, *args: Any, clients: Any, client_label: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        field.queryset = clients  # type: ignore[attr-defined]
        field.label_from_instance = client_label  # type: ignore[attr-defined]
        self.fields["reason"].required = True
        self.fields["reason"].help_text = "Varför tiden inte fanns i schemat."


class MonthField(forms.CharField):
    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        from bista.timereports.rules import parse_month

        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError("Ange månaden som ÅÅÅÅ-MM.", code="invalid")
        return month


class AttestForm(forms.Form):
    """The month of an attestation or a lock."""

    month = MonthField(label="Månad", widget=forms.HiddenInput)


class MonthReopenForm(forms.Form):
    month = MonthField(label="Månad", widget=forms.HiddenInput)
    reason = forms.CharField(label="Varför öppnas månaden?", max_length=300)


class SentForm(PlausibleDatesMixin, forms.Form):
    sent_on = forms.DateField(label="Skickad datum", widget=DateInput())


class CorrectionForm(forms.Form):
    reason = forms.CharField(label="Varför rättas tidredovisningen?", max_length=300)


class ProviderForm(forms.Form):
    name = forms.CharField(label="Anordnarens namn", max_length=200)
    organisation_number = forms.CharField(label="Organisationsnummer", max_length=11, help_text="Tio siffror.")
    contact_name = forms.CharField(label="Kontaktperson", max_length=200)
    contact_phone = forms.CharField(label="Telefon", max_length=30, required=False)
    contact_email = forms.EmailField(label="E-post", required=False)
