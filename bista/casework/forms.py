"""Forms of the purchaser's pages. They parse what the user typed; whether it holds together (dates in order,
delegation, consent) is the services' job, whose errors are shown on the named field."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.care.models import Order
from bista.casework.models import Appeal, Decision, ExecutionDelay, FollowUp, Intake, Investigation
from bista.casework.services import INVESTIGATION_EDITABLE
from bista.core.forms import MAX_ID, DateInput, PersonChoiceField, RecordChoiceField, RecordsChoiceField
from bista.core.people import person_label
from bista.core.pickers import PickerField
from bista.core.validation import PlausibleDatesMixin


class CaseListForm(forms.Form):
    """The caseload's filters (GET); a malformed value is simply invalid, never an error page."""

    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    handlaggare = forms.TypedChoiceField(label="Handläggare", required=False, coerce=int, empty_value=None)
    grupp = forms.TypedChoiceField(label="Handläggargrupp", required=False, coerce=int, empty_value=None)
    avslutade = forms.BooleanField(label="Visa även avslutade ärenden", required=False)

    def __init__(self, *args: Any, units: Any, officers: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].choices = [("", "Alla enheter"), *[(u.pk, u.name) for u in units]]  # type: ignore[attr-defined]
        self.fields["handlaggare"].choices = [("", "Alla"), *[(u.pk, person_label(u)) for u in officers]]  # type: ignore[attr-defined]
        self.fields["grupp"].choices = [("", "Alla"), *[(t.pk, t.name) for t in teams]]  # type: ignore[attr-defined]


class IntakeForm(PlausibleDatesMixin, forms.Form):
    """An application or report of need, for a client already at the unit or a person registered now."""

    unit = RecordChoiceField(label="Enhet", queryset=None)
    client = PickerField(
        label="Befintlig brukare",
        queryset=None,
        required=False,
        kind="brukare",
        help_text="Eller fyll i personnummer och namn nedan.",
    )
    personnummer = forms.CharField(label="Personnummer", max_length=20, required=False)
    first_name = forms.CharField(label="Förnamn", max_length=100, required=False)
    last_name = forms.CharField(label="Efternamn", max_length=100, required=False)
    protected_identity = forms.BooleanField(label="Skyddade personuppgifter", required=False)
    kind = forms.ChoiceField(label="Typ", choices=Intake.Kind.choices, widget=forms.RadioSelect)
    sender = forms.ChoiceField(label="Från", choices=Intake.From.choices)
    sender_name = forms.CharField(label="Avsändarens namn", max_length=200, required=False)
    received_on = forms.DateField(label="Inkom", widget=DateInput())
    channel = forms.ChoiceField(label="Hur den kom in", choices=Intake.Channel.choices)
    requested = forms.CharField(label="Vad som söks eller anmäls", widget=forms.Textarea(attrs={"rows": 4}))
    services = RecordsChoiceField(
        label="Sökta insatser", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    team = RecordChoiceField(label="Handläggargrupp", queryset=None, required=False)
    target_group = RecordChoiceField(
        label="Målgrupp",
        queryset=None,
        required=False,
        help_text="Den grupp ärendet räknas till i statistiken, t.ex. socialpsykiatri.",
    )

    def __init__(
        self, *args: Any, units: Any, clients: Any, services: Any, teams: Any, target_groups: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        if len(unit_list := list(units)) == 1:
            self.fields["client"].narrow(enhet=unit_list[0].pk)  # type: ignore[attr-defined]
        self.fields["services"].queryset = services  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["target_group"].queryset = target_groups  # type: ignore[attr-defined]
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("client") is None and "client" not in self.errors:  # not a search still to settle
            for name, label in (
                ("personnummer", "Personnummer"),
                ("first_name", "Förnamn"),
                ("last_name", "Efternamn"),
            ):
                if not (data.get(name) or "").strip():
                    self.add_error(name, f"{label} måste fyllas i för en ny brukare (eller välj en befintlig).")
        return data

    def new_client(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if data.get("client") is not None:
            return None
        return {
            "personnummer": data["personnummer"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "protected_identity": data["protected_identity"],
        }


class InvestigationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    class Meta:
        model = Investigation
        fields = [f for f in INVESTIGATION_EDITABLE if f not in ("communicated_on", "communication_response")]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 4})
                for name in (
                    "own_description",
                    "life_areas",
                    "needs",
                    "goals",
                    "wishes",
                    "child_view",
                    "child_impact_analysis",
                )
            },
        }
        labels = {
            "own_description": "Den enskildes egen beskrivning",
            "life_areas": "Livsområden",
            "needs": "Behov",
            "goals": "Mål",
            "wishes": "Vad den enskilde vill",
            "child_view": "Barnets egen uppfattning",
            "child_impact_analysis": "Barnkonsekvensanalys",
            "child_took_part": "Barnet har deltagit",
            "child_got_feedback": "Barnet har fått återkoppling",
            "school_contacted": "Skola eller förskola kontaktad",
        }

    def _post_clean(self) -> None:
        pass  # the service validates and saves


class CommunicationForm(PlausibleDatesMixin, forms.Form):
    communicated_on = forms.DateField(label="Kommunicerad", widget=DateInput())
    response = forms.CharField(
        label="Den enskildes synpunkter", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class CompleteForm(PlausibleDatesMixin, forms.Form):
    completed_on = forms.DateField(label="Utredningen avslutad", widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


class ConsentForm(PlausibleDatesMixin, forms.Form):
    name = forms.CharField(label="Källa", max_length=200, help_text="Till exempel skolan, habiliteringen.")
    purpose = forms.CharField(label="Vad som ska inhämtas", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    consent_on = forms.DateField(label="Samtycke lämnat", widget=DateInput())
    consent_by = forms.CharField(label="Samtycke lämnat av", max_length=200)


class DateForm(PlausibleDatesMixin, forms.Form):
    """One date for a small step (first contact, receipt of a decision, contact with a source, execution)."""

    on = forms.DateField(label="Datum", widget=DateInput())


class TargetGroupForm(forms.Form):
    """The case's målgrupp, set or changed on the case page (the version guards a concurrent change)."""

    target_group = RecordChoiceField(label="Målgrupp", queryset=None, required=False, empty_label="Ingen målgrupp")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, target_groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_group"].queryset = target_groups  # type: ignore[attr-defined]


class DecisionForm(PlausibleDatesMixin, forms.Form):
    intake = RecordChoiceField(label="Ansökan eller anmälan", queryset=None)
    service = RecordChoiceField(label="Insats (lagrum)", queryset=None)
    outcome = forms.ChoiceField(label="Beslut", choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    scope_amount = forms.DecimalField(
        label="Omfattning", required=False, max_digits=7, decimal_places=2, help_text="Lämnas tomt vid avslag."
    )
    scope_unit = forms.ChoiceField(
        label="Omfattningen avser", required=False, choices=[("", "–"), *Order.ScopeUnit.choices]
    )
    period_start = forms.DateField(label="Gäller från", required=False, widget=DateInput())
    period_end = forms.DateField(
        label="Gäller till", required=False, widget=DateInput(), help_text="Lämna tomt om beslutet gäller tills vidare."
    )
    decision_date = forms.DateField(label="Beslutsdatum", widget=DateInput())
    reasons = forms.CharField(label="Motivering (i klarspråk)", widget=forms.Textarea(attrs={"rows": 6}))
    supersedes = RecordChoiceField(label="Ersätter beslut (omprövning)", queryset=None, required=False)

    def __init__(self, *args: Any, intakes: Any, services: Any, decisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intake"].queryset = intakes  # type: ignore[attr-defined]
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["supersedes"].queryset = decisions  # type: ignore[attr-defined]
        self.fields["scope_amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.25"})


class CaseOrderForm(PlausibleDatesMixin, forms.Form):
    provider_unit = RecordChoiceField(label="Utförare i Bistå", queryset=None, required=False)
    external_provider = forms.CharField(
        label="Eller extern utförare",
        max_length=200,
        required=False,
        help_text="Utförarens namn om den inte finns i Bistå.",
    )
    free_choice_informed_on = forms.DateField(
        label="Information om valfrihet (LOV) lämnad", required=False, widget=DateInput()
    )
    ordered_on = forms.DateField(label="Beställningsdatum", widget=DateInput())
    goals = forms.CharField(label="Mål med insatsen", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    special_considerations = forms.CharField(
        label="Särskilda hänsyn", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider_unit"].queryset = providers  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    officer = PersonChoiceField(label="Handläggare", queryset=None)
    team = RecordChoiceField(label="Handläggargrupp", queryset=None, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, officers: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]


class QuarterForm(forms.Form):
    """Which unit and quarter a report is for: `kvartal` as 2026-3; a quarter not yet begun is refused."""

    enhet = RecordChoiceField(label="Enhet", queryset=None, required=False)
    kvartal = forms.CharField(label="Kvartal (år-kvartal, t.ex. 2026-3)", max_length=20, required=False)

    def __init__(self, *args: Any, units: Any, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enhet"].queryset = units  # type: ignore[attr-defined]
        self.today = today
        self.units = units

    def clean_enhet(self) -> Any:
        return self.cleaned_data["enhet"] or self.units.first()

    def clean_kvartal(self) -> Any:
        from bista.casework import rules

        if not self.cleaned_data["kvartal"]:
            return rules.Quarter.of(self.today).previous()
        quarter = rules.Quarter.parse(self.cleaned_data["kvartal"])
        if quarter is None:
            raise forms.ValidationError("Ange kvartalet som år-kvartal, till exempel 2026-3.")
        if not rules.quarter_is_reportable(quarter, self.today):
            raise forms.ValidationError(f"{quarter.label.capitalize()} har inte börjat och kan inte rapporteras.")
        return quarter


class DelayForm(PlausibleDatesMixin, forms.Form):
    reason = forms.ChoiceField(label="Skäl till dröjsmålet", choices=ExecutionDelay.Reason.choices)
    note = forms.CharField(label="Beskrivning", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    offer_declined_on = forms.DateField(label="Erbjudande avböjt (datum)", required=False, widget=DateInput())
    recorded_on = forms.DateField(label="Noterat", widget=DateInput())


class FollowUpForm(PlausibleDatesMixin, forms.Form):
    on = forms.DateField(label="Uppföljningsdatum", widget=DateInput())
    own_view = forms.CharField(label="Den enskildes egen uppfattning", widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.ChoiceField(label="Resultat", choices=FollowUp.Outcome.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label="Anteckningar", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionEndForm(PlausibleDatesMixin, forms.Form):
    on = forms.DateField(label="Beslutet upphör från och med", widget=DateInput())
    reason = forms.CharField(label="Skäl", max_length=200)


class _NewDecisionFields(PlausibleDatesMixin, forms.Form):
    """The new decision when the appealed one is changed (left empty otherwise)."""

    new_outcome = forms.ChoiceField(label="Nytt beslut", required=False, choices=[("", "–"), *Decision.Outcome.choices])
    scope_amount = forms.DecimalField(label="Omfattning", required=False, max_digits=7, decimal_places=2)
    scope_unit = forms.ChoiceField(
        label="Omfattningen avser", required=False, choices=[("", "–"), *Order.ScopeUnit.choices]
    )
    period_start = forms.DateField(label="Gäller från", required=False, widget=DateInput())
    period_end = forms.DateField(label="Gäller till", required=False, widget=DateInput())
    reasons = forms.CharField(label="Motivering", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def new_decision(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("new_outcome"):
            return None
        return {
            "outcome": data["new_outcome"],
            "scope_amount": data["scope_amount"],
            "scope_unit": data["scope_unit"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "reasons": data["reasons"],
        }


class ReconsiderationForm(_NewDecisionFields):
    outcome = forms.ChoiceField(label="Omprövning", choices=Appeal.Reconsideration.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="Omprövat", widget=DateInput())
    field_order = ["outcome", "on"]


class JudgmentForm(_NewDecisionFields):
    judgment = forms.ChoiceField(label="Dom", choices=Appeal.Judgment.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="Domsdatum", widget=DateInput())
    further_appeal_on = forms.DateField(label="Domen överklagad vidare (datum)", required=False, widget=DateInput())
    field_order = ["judgment", "on", "further_appeal_on"]


class ReassignForm(forms.Form):
    """Move open cases from one case officer to another (all, or the numbers given)."""

    from_officer = PersonChoiceField(label="Från handläggare", queryset=None)
    to_officer = PersonChoiceField(label="Till handläggare", queryset=None)
    cases = forms.CharField(label="Ärendenummer (lämna tomt för alla öppna ärenden)", required=False, max_length=2000)

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["to_officer"].queryset = officers  # type: ignore[attr-defined]

    def clean_cases(self) -> list[int] | None:
        text = self.cleaned_data["cases"].replace(",", " ").split()
        if not text:
            return None
        if not all(part.isdigit() and 0 < int(part) <= MAX_ID for part in text):
            raise forms.ValidationError("Ange ärendenummer som heltal, åtskilda med mellanslag eller komma.")
        return sorted({int(part) for part in text})
