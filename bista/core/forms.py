"""Form helpers shared by every context's views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages[0] if hasattr(item, "messages") else str(item))
    else:
        form.add_error(None, error)


def set_unit_choices(form: forms.BaseForm, units: Any, *, field: str = "enhet", all_label: str | None = None) -> None:
    """Fill a unit filter's choices with the units the user may see (optionally with an "all" choice first)."""
    choices: list[tuple[Any, str]] = [(unit.pk, unit.name) for unit in units]
    if all_label is not None:
        choices.insert(0, ("", all_label))
    form.fields[field].choices = choices  # type: ignore[attr-defined]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


class TwoFactorForm(forms.Form):
    token = forms.CharField(
        label="Engångskod",
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Sex siffror från din autentiseringsapp.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Namn", max_length=100, help_text="Till exempel integrationens namn.")
    scopes = forms.MultipleChoiceField(label="Behörigheter", widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label="Giltig till och med", required=False, widget=DateInput())

    def __init__(self, *args: object, scope_choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scopes"].choices = scope_choices  # type: ignore[attr-defined]
