"""Forms of the goals pages. They only parse input; the services validate and save (their messages are shown
on the named field)."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.core.forms import DateInput, RecordChoiceField
from bista.core.validation import PlausibleDatesMixin
from bista.governance.models import Assessment, DocumentKind, GeneratedDocument, Goal, IndicatorDefinition, Period

MIN_YEAR, MAX_YEAR = 2000, 2100
TEXT = {"rows": 6}


class UnitYearForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    ar = forms.IntegerField(label="År", min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].choices = [(unit.pk, f"{unit.name} ({unit.department.district.name})") for unit in units]  # type: ignore[attr-defined]


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="Period", choices=Period.choices, initial=Period.VB)


class PlanForm(forms.Form):
    officer_name = forms.CharField(label="Handläggare", max_length=200, required=False)
    officer_phone = forms.CharField(label="Telefon", max_length=40, required=False)
    recipient = forms.CharField(label="Till", max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class GoalForm(forms.Form):
    level = forms.ChoiceField(label="Nivå", choices=Goal.Level.choices)
    parent = RecordChoiceField(label="Överordnat mål", queryset=Goal.objects.none(), required=False)
    number = forms.CharField(label="Nummer", max_length=10, required=False, help_text="T.ex. 1 eller 1.3.")
    title = forms.CharField(label="Mål", widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(label="Beskrivning", widget=forms.Textarea(attrs=TEXT), required=False)
    expected_result = forms.CharField(label="Förväntat resultat", widget=forms.Textarea(attrs=TEXT), required=False)
    working_method = forms.CharField(label="Arbetssätt", widget=forms.Textarea(attrs=TEXT), required=False)
    resource_use = forms.CharField(label="Resursanvändning", widget=forms.Textarea(attrs=TEXT), required=False)
    follow_up_method = forms.CharField(label="Uppföljning", widget=forms.Textarea(attrs=TEXT), required=False)
    development = forms.CharField(label="Utveckling", widget=forms.Textarea(attrs=TEXT), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, plan: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = plan.goals.exclude(level=Goal.Level.UNIT).order_by("position")
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if editing:
            del self.fields["level"]
            del self.fields["parent"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]


class GoalIndicatorForm(forms.Form):
    indicator = RecordChoiceField(label="Indikator", queryset=IndicatorDefinition.objects.none())
    target = forms.DecimalField(label="Årsmål", required=False, max_digits=12, decimal_places=2)
    council_target = forms.DecimalField(label="KF:s årsmål", required=False, max_digits=12, decimal_places=2)
    council_target_text = forms.CharField(
        label="KF:s årsmål som text", max_length=100, required=False, help_text="T.ex. Tas fram av nämnd/styrelse."
    )

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class ActivityForm(PlausibleDatesMixin, forms.Form):
    title = forms.CharField(label="Aktivitet", widget=forms.Textarea(attrs={"rows": 2}))
    starts_on = forms.DateField(label="Startdatum", widget=DateInput())
    ends_on = forms.DateField(label="Slutdatum", widget=DateInput())
    completed_on = forms.DateField(label="Genomförd", widget=DateInput(), required=False)
    deviation_note = forms.CharField(label="Avvikelse", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    analysis = forms.CharField(label="Analys", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class FollowUpForm(forms.Form):
    assessment = forms.ChoiceField(
        label="Bedömning",
        choices=[("", "Ej bedömt"), *Assessment.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    analysis = forms.CharField(label="Analys", widget=forms.Textarea(attrs={"rows": 10}), required=False, strip=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, draft_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if draft_url:
            # Autosave with htmx a second after typing stops; without JavaScript "Spara utkast" does the same.
            self.fields["analysis"].widget.attrs.update(
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


class IndicatorAnalysisForm(forms.Form):
    analysis = forms.CharField(label="Analys", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class IndicatorValueForm(forms.Form):
    indicator = RecordChoiceField(label="Indikator", queryset=IndicatorDefinition.objects.none())
    period = forms.ChoiceField(label="Period", choices=Period.choices, initial=Period.VB)
    value = forms.DecimalField(label="Utfall", max_digits=12, decimal_places=2)
    value_women = forms.DecimalField(label="Utfall kvinnor", max_digits=12, decimal_places=2, required=False)
    value_men = forms.DecimalField(label="Utfall män", max_digits=12, decimal_places=2, required=False)
    source = forms.CharField(label="Källa", max_length=300, help_text="T.ex. Medarbetarenkäten 2025.")

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class SectionForm(forms.Form):
    text = forms.CharField(label="Text", widget=forms.Textarea(attrs={"rows": 14}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


BOTH = "both"


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Dokument", choices=DocumentKind.choices, initial=DocumentKind.VB)
    format = forms.ChoiceField(
        label="Format", choices=[(BOTH, "Word (DOCX) och PDF"), *GeneratedDocument.Format.choices], initial=BOTH
    )

    def formats(self) -> tuple[str, ...]:
        """The formats asked for: both, or the one chosen."""
        chosen = self.cleaned_data["format"]
        return tuple(GeneratedDocument.Format.values) if chosen == BOTH else (chosen,)
