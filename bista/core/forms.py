"""Form helpers shared by every context's views."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from bista.core.errors import ConflictError
from bista.core.models import DutyRule
from bista.core.people import person_label
from bista.core.validation import PlausibleDatesMixin


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


MAX_TOKEN_YEAR = 2100
# The largest id a database row can have (64-bit); a larger number is refused before any query.
MAX_ID = 2**63 - 1


def valid_id(value: Any) -> bool:
    try:
        return 0 < int(str(value)) <= MAX_ID
    except ValueError:
        return False


class RecordChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of one record that answers an out-of-range id as an invalid choice, not a database error."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not valid_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PersonChoiceField(RecordChoiceField):
    """A choice of one staff member, named by `core.people.person_label`."""

    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class RecordsChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """A choice of several records; out-of-range ids are invalid choices, not database errors."""

    def _check_values(self, value: Any) -> Any:
        for item in value:
            if not valid_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)  # type: ignore[misc]


class TwoFactorForm(forms.Form):
    token = forms.CharField(
        label="Engångskod",
        max_length=8,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="Sex siffror från din autentiseringsapp.",
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label="Engångskod för registrering",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text="Koden du har fått av en administratör, till exempel ABCD-EFGH-JKMN.",
    )


class IssueEnrolmentCodeForm(forms.Form):
    user = RecordChoiceField(label="Användare", queryset=None, empty_label="Välj användare")

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.queryset = users  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: (  # type: ignore[attr-defined]
            f"{user.get_full_name() or user.username} ({user.username})"
        )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label="Nuvarande lösenord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="Nytt lösenord",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Minst 12 tecken. Undvik vanliga lösenord och sådant som liknar ditt namn eller användarnamn.",
    )
    new_password_again = forms.CharField(
        label="Nytt lösenord igen",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("new_password"), data.get("new_password_again")
        if first and second and first != second:
            self.add_error(
                "new_password_again", "Lösenorden stämmer inte överens. Skriv samma nya lösenord två gånger."
            )
        return data


class ApiTokenForm(PlausibleDatesMixin, forms.Form):
    name = forms.CharField(label="Namn", max_length=100, help_text="Till exempel integrationens namn.")
    scopes = forms.MultipleChoiceField(label="Behörigheter", widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label="Giltig till och med", required=False, widget=DateInput())

    def clean_expires_on(self) -> Any:
        expires = self.cleaned_data.get("expires_on")
        if expires is not None and expires.year > MAX_TOKEN_YEAR:
            raise forms.ValidationError(f"En nyckel kan gälla högst till och med {MAX_TOKEN_YEAR}.")
        return expires

    def __init__(self, *args: object, scope_choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scopes"].choices = scope_choices  # type: ignore[attr-defined]


class DutyRuleVersionForm(PlausibleDatesMixin, forms.Form):
    name = forms.CharField(label="Namn", max_length=200)
    amount = forms.IntegerField(label="Antal", min_value=0, max_value=1000)
    unit = forms.ChoiceField(label="Enhet", choices=DutyRule.Unit.choices)
    warn_days = forms.IntegerField(
        label="Varna dagar före",
        min_value=0,
        max_value=365,
        help_text="Så många dagar före förfallodagen visas uppgiften under Förfaller snart.",
    )
    legal_reference = forms.CharField(label="Författning eller källa", max_length=200, required=False)
    description = forms.CharField(label="Beskrivning", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    valid_from = forms.DateField(
        label="Gäller från",
        widget=DateInput(),
        help_text="Uppgifter med startdatum före detta följer den tidigare versionen.",
    )


# --- After a conflict (a stale save): keep the user's input, show what is saved now ---------------------

CONFLICT_HINT = (
    "Dina uppgifter finns kvar i formuläret. Jämför med de sparade uppgifterna nedan; "
    "sparar du igen ersätter dina uppgifter de sparade."
)


def saved_values(form: forms.BaseForm, saved: Any, fields: Iterable[str]) -> list[tuple[str, str]]:
    """The saved values of the fields where the user's input differs, to compare after a conflict."""
    rows = []
    data = getattr(form, "cleaned_data", {}) or {}
    for name in fields:
        if name not in form.fields or name not in data:
            continue
        value = getattr(saved, name)
        if data[name] != value:
            display = getattr(saved, f"get_{name}_display", None)
            shown = display() if display else value
            rows.append((str(form.fields[name].label), "–" if shown in (None, "") else str(shown)))
    return rows


def rebound(form_class: Any, request: HttpRequest, version: int, **kwargs: Any) -> Any:
    """The form bound to what the user sent, with the version of the record as it is now saved, so that saving
    again is a deliberate choice to replace what someone else saved."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)


@dataclass
class VersionedEdit(Generic[T]):
    """What came of saving a versioned form: saved (`done`, with the service's `result`), refused as stale
    (`current` is the record as now saved, `saved` its values that differ from the input), or invalid."""

    form: Any
    done: bool = False
    result: T | None = None
    current: Any = None
    saved: list[tuple[str, str]] = field(default_factory=list)

    @property
    def conflict(self) -> bool:
        return self.current is not None


def refreshed(obj: Any) -> Any:
    """`obj` re-read from the database (a `reload` for `edit_versioned` when the view holds the record)."""
    obj.refresh_from_db()
    return obj


def edit_versioned(
    request: HttpRequest,
    form: F,
    save: Callable[[dict[str, Any]], T],
    *,
    reload: Callable[[], Any],
    rebind: Callable[[Any], dict[str, Any]] | None = None,
    compare: Iterable[str] | Callable[[F, Any], list[tuple[str, str]]] = (),
    hint: str = CONFLICT_HINT,
    invalid: Callable[[F, ValidationError], Any] = apply_service_errors,
) -> VersionedEdit[T]:
    """Save a valid form of a versioned record through `save(cleaned_data)`: the one "edit with conflict
    detection" of every page.

    A stale save (ConflictError) reloads the record, compares the user's input with what is saved (`compare`:
    field names, or a function), and binds the user's input again with the saved version (`rebind(current)`
    gives the form's other arguments), so that saving again is a deliberate choice; the conflict message and
    `hint` head the form. A refused save (ValidationError) goes to `invalid(form, error)`.
    """
    try:
        result = save(form.cleaned_data)
    except ConflictError as error:
        current = reload()
        saved = compare(form, current) if callable(compare) else saved_values(form, current, compare)
        again = rebound(type(form), request, current.version, **(rebind(current) if rebind else {}))
        again.add_error(None, f"{error} {hint}" if hint else str(error))
        return VersionedEdit(form=again, current=current, saved=saved)
    except ValidationError as error:
        invalid(form, error)
        return VersionedEdit(form=form)
    return VersionedEdit(form=form, done=True, result=result)
