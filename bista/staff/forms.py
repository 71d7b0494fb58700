from __future__ import annotations

from typing import Any

from django import forms

from bista.core.forms import DateInput, RecordChoiceField, RecordsChoiceField, set_unit_choices
from bista.core.models import Team, Unit
from bista.staff.models import Employee

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


class EmployeeForm(forms.ModelForm):
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
