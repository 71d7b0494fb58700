"""Forms of the staff pages: employees, their details, absences and a client's staffing. They parse input;
whether it holds together (overlaps, periods, units) is the services' job."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from bista.core.forms import DateInput, RecordChoiceField, RecordsChoiceField, set_unit_choices
from bista.core.models import Team, Unit
from bista.core.validation import PlausibleDatesMixin
from bista.staff.models import (
    Absence,
    ClientStaffChoice,
    Competence,
    DelegationKind,
    Employee,
    EmploymentType,
    WorkingTimeRegime,
)

EMPLOYEE_FIELDS = (
    "first_name",
    "last_name",
    "gender",
    "email",
    "phone",
    "employment_type",
    "employment_rate",
    "start_date",
    "end_date",
)


class EmployeeForm(PlausibleDatesMixin, forms.ModelForm):
    teams = RecordsChoiceField(
        label="Arbetsgrupper", queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Employee
        fields = EMPLOYEE_FIELDS
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["teams"].initial = list(self.instance.teams.all())

    def _post_clean(self) -> None:
        # The service validates the whole record (full_clean) and reports errors per field.
        pass


class EmployeeCreateForm(EmployeeForm):
    personnummer_input = forms.CharField(
        label="Personnummer", max_length=13, required=False, help_text="ÅÅÅÅMMDD-NNNN (frivilligt)."
    )
    unit = RecordChoiceField(label="Enhet", queryset=Unit.objects.none())
    field_order = ["personnummer_input", "first_name", "last_name", "unit"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if units.count() == 1:
            self.fields["unit"].initial = units.first()


class EmployeeEditForm(EmployeeForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class EmployeeSearchForm(forms.Form):
    q = forms.CharField(
        label="Sök på namn",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    alla = forms.BooleanField(label="Visa även avslutade anställningar", required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")


# --- The employee's details ---------------------------------------------------------------------------------


def client_label(client: Any) -> str:
    return f"{client.last_name}, {client.first_name}"


def employee_label(employee: Any) -> str:
    return f"{employee.last_name}, {employee.first_name}"


class ClientChoiceField(RecordChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return client_label(obj)


class EmployeeChoiceField(RecordChoiceField):
    def __init__(self, *args: Any, with_unit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_unit = with_unit

    def label_from_instance(self, obj: Any) -> str:
        return f"{employee_label(obj)} ({obj.unit.name})" if self.with_unit else employee_label(obj)


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


class TermForm(PlausibleDatesMixin, forms.Form):
    employment_type = forms.ChoiceField(label="Anställningsform", choices=EmploymentType.choices)
    employment_rate = forms.DecimalField(
        label="Tjänstgöringsgrad (%)", min_value=Decimal("0"), max_value=Decimal("100"), decimal_places=2
    )
    regime = RecordChoiceField(label="Arbetstidsregim", queryset=WorkingTimeRegime.objects.none())
    starts_on = _date("Från", help_text="Villkoren som gäller då slutar dagen före.")
    ends_on = _date("Till och med", required=False, help_text="Lämna tomt om villkoren gäller tills vidare.")
    note = forms.CharField(label="Anteckning", max_length=200, required=False)

    def __init__(self, *args: Any, regimes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regime"].queryset = regimes  # type: ignore[attr-defined]


class CompetenceForm(PlausibleDatesMixin, forms.Form):
    competence = RecordChoiceField(label="Kompetens", queryset=Competence.objects.none())
    evidence = forms.CharField(label="Underlag", max_length=300, help_text="Till exempel kurs eller intyg.")
    acquired_on = _date("Datum")

    def __init__(self, *args: Any, competences: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = competences  # type: ignore[attr-defined]


class DelegationForm(PlausibleDatesMixin, forms.Form):
    kind = RecordChoiceField(label="Delegering", queryset=DelegationKind.objects.none())
    client = ClientChoiceField(
        label="Gäller brukare",
        queryset=None,
        required=False,
        empty_label="Alla brukare i arbetsgruppen",
    )
    delegated_by = forms.CharField(label="Delegerad av (legitimerad personal)", max_length=200)
    valid_from = _date("Gäller från")
    valid_until = _date("Gäller till och med", help_text="Högst ett år från startdatum.")

    def __init__(self, *args: Any, kinds: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds  # type: ignore[attr-defined]
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]


class IntroductionForm(PlausibleDatesMixin, forms.Form):
    client = ClientChoiceField(label="Brukare", queryset=None)
    completed_on = _date("Genomförd")
    introduced_by = forms.CharField(label="Introducerad av", max_length=200, required=False)

    def __init__(self, *args: Any, clients: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]


class AppraisalForm(PlausibleDatesMixin, forms.Form):
    held_on = _date("Datum")
    development_plan = forms.CharField(label="Utvecklingsplan", widget=forms.Textarea(attrs={"rows": 4}))


class RevokeForm(PlausibleDatesMixin, forms.Form):
    revoked_on = _date("Gäller inte från")


class EndForm(PlausibleDatesMixin, forms.Form):
    until = _date("Till och med")


# --- Absences -----------------------------------------------------------------------------------------------


class AbsenceForm(PlausibleDatesMixin, forms.Form):
    kind = forms.ChoiceField(label="Frånvaro", choices=Absence.Kind.choices)
    starts_on = _date("Från")
    ends_on = _date("Till och med", required=False, help_text="Lämna tomt för en pågående sjukfrånvaro.")
    extent = forms.DecimalField(
        label="Omfattning (%)", min_value=Decimal("1"), max_value=Decimal("100"), decimal_places=2, initial=100
    )
    note = forms.CharField(label="Anteckning", max_length=200, required=False)


class AbsenceCreateForm(AbsenceForm):
    employee = EmployeeChoiceField(label="Medarbetare", queryset=Employee.objects.none())
    field_order = ["employee"]

    def __init__(self, *args: Any, employees: Any, several_units: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employee"]
        field.queryset = employees  # type: ignore[attr-defined]
        field.with_unit = several_units  # type: ignore[attr-defined]


class AbsenceEditForm(AbsenceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AbsenceEndForm(PlausibleDatesMixin, forms.Form):
    ends_on = _date("Sista frånvarodag", help_text="Medarbetaren är tillbaka dagen efter.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class AbsenceCancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AbsenceFilterForm(PlausibleDatesMixin, forms.Form):
    """The register's filters (GET): a value out of range is simply invalid, never an error page."""

    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    arbetsgrupp = forms.TypedChoiceField(label="Arbetsgrupp", required=False, coerce=int, empty_value=None)
    typ = forms.ChoiceField(label="Frånvaro", required=False, choices=[("", "Alla"), *Absence.Kind.choices])
    fran = _date("Från", required=False)
    till = _date("Till och med", required=False)
    makulerade = forms.BooleanField(label="Visa även makulerade", required=False)

    def __init__(self, *args: Any, units: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")
        several = len(units) > 1
        self.fields["arbetsgrupp"].choices = [  # type: ignore[attr-defined]
            ("", "Alla"),
            *[(team.pk, f"{team.name} ({team.unit.name})" if several else team.name) for team in teams],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("fran"), data.get("till")
        if start and end and end < start:
            self.add_error("till", "Slutdatum får inte vara före startdatum.")
        return data


# --- A client's staffing ------------------------------------------------------------------------------------


class StaffChoiceForm(PlausibleDatesMixin, forms.Form):
    employee = EmployeeChoiceField(label="Medarbetare", queryset=Employee.objects.none())
    kind = forms.ChoiceField(label="Val", choices=ClientStaffChoice.Kind.choices, widget=forms.RadioSelect)
    since = _date("Från")
    until = _date("Till och med", required=False)
    note = forms.CharField(label="Anteckning", max_length=200, required=False)

    def __init__(self, *args: Any, employees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees  # type: ignore[attr-defined]


class CompetenceNeedForm(PlausibleDatesMixin, forms.Form):
    competence = RecordChoiceField(
        label="Kompetens", queryset=Competence.objects.none(), required=False, empty_label="Ingen"
    )
    delegation_kind = RecordChoiceField(
        label="eller delegering", queryset=DelegationKind.objects.none(), required=False, empty_label="Ingen"
    )
    since = _date("Från")
    until = _date("Till och med", required=False)

    def __init__(self, *args: Any, competences: Any, kinds: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competence"].queryset = competences  # type: ignore[attr-defined]
        self.fields["delegation_kind"].queryset = kinds  # type: ignore[attr-defined]
