"""Forms of the order pages: the list's filters, registering and correcting an order, recording a step."""

from __future__ import annotations

from typing import Any

from django import forms

from bista.care.models import Order, OrderEvent
from bista.care.services import ORDER_EDITABLE
from bista.core.forms import MAX_ID, DateInput, RecordChoiceField, set_unit_choices
from bista.core.people import person_label
from bista.core.pickers import PickerField
from bista.core.validation import PlausibleDatesMixin

# The order's details as the forms edit them (client and unit are chosen only when registering): exactly
# what the service lets a correction change.
ORDER_DETAIL_FIELDS = ORDER_EDITABLE
DATE_FIELDS = ("decision_date", "received_on", "period_start", "period_end", "follow_up_on")
TEXT_FIELDS = ("goals", "special_considerations", "contacts")


class _TeamChoiceField(RecordChoiceField):
    def __init__(self, *args: Any, with_unit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.with_unit = with_unit

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.unit.name})" if self.with_unit else str(obj.name)


class OrderListForm(forms.Form):
    """The list's filters (GET). Unknown or out-of-range values are simply invalid, never an error page."""

    enhet = forms.TypedChoiceField(label="Enhet", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Alla"), *Order.Status.choices])
    ansvarig = forms.TypedChoiceField(label="Ansvarig", required=False, coerce=int, empty_value=None)
    arbetsgrupp = forms.TypedChoiceField(label="Arbetsgrupp", required=False, coerce=int, empty_value=None)
    oppna = forms.BooleanField(label="Endast pågående", required=False)
    client = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Any, deputies: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units, all_label="Alla enheter")
        several_units = len(units) > 1
        self.fields["ansvarig"].choices = [  # type: ignore[attr-defined]
            ("", "Alla"),
            *[(user.pk, person_label(user)) for user in deputies],
        ]
        self.fields["arbetsgrupp"].choices = [  # type: ignore[attr-defined]
            ("", "Alla"),
            *[(team.pk, f"{team.name} ({team.unit.name})" if several_units else team.name) for team in teams],
        ]


class OrderDetailsForm(PlausibleDatesMixin, forms.ModelForm):
    """What the user types about an order; whether it holds together is the service's job."""

    deputy = PickerField(label="Ansvarig biträdande enhetschef", queryset=None, required=False, kind="ansvarig")
    team = _TeamChoiceField(label="Arbetsgrupp", queryset=None, required=False)
    service = RecordChoiceField(label="Insats", queryset=None)

    class Meta:
        model = Order
        fields = ORDER_DETAIL_FIELDS
        widgets = {
            **{name: DateInput() for name in DATE_FIELDS},
            **{name: forms.Textarea(attrs={"rows": 3}) for name in TEXT_FIELDS},
        }
        labels = {
            "decision_date": "Beslutsdatum",
            "received_on": "Beställningen mottagen",
            "scope_amount": "Omfattning",
            "scope_unit": "Omfattningen avser",
            "period_start": "Beslutsperiod från",
            "period_end": "Beslutsperiod till",
            "goals": "Mål med insatsen",
            "special_considerations": "Särskilda hänsyn",
            "contacts": "Kontaktuppgifter",
            "case_officer": "Biståndshandläggare",
            "follow_up_on": "Uppföljningsdatum",
        }
        help_texts = {"period_end": "Lämna tomt om beslutet gäller tills vidare."}

    def __init__(self, *args: Any, services: Any, deputies: Any, teams: Any, several_units: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["deputy"].queryset = deputies  # type: ignore[attr-defined]
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].with_unit = several_units  # type: ignore[attr-defined]
        self.fields["scope_amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.25"})

    def _post_clean(self) -> None:
        pass


class OrderCreateForm(OrderDetailsForm):
    client = PickerField(label="Brukare", queryset=None, kind="brukare")
    unit = RecordChoiceField(label="Enhet", queryset=None)
    field_order = ["client", "unit", *ORDER_DETAIL_FIELDS]

    def __init__(self, *args: Any, clients: Any, units: Any, **kwargs: Any) -> None:
        unit_list = list(units)
        super().__init__(*args, several_units=len(unit_list) > 1, **kwargs)
        self.fields["client"].queryset = clients  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if len(unit_list) == 1 and "unit" not in self.initial:
            self.fields["unit"].initial = unit_list[0].pk


class OrderEditForm(OrderDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)


STEP_LABELS = {
    OrderEvent.Kind.FIRST_CONTACT: "Första kontakt tagen",
    OrderEvent.Kind.EXECUTED: "Insatsen verkställd",
    OrderEvent.Kind.INTERRUPTED: "Avbrott",
    OrderEvent.Kind.RESUMED: "Insatsen återupptagen",
    OrderEvent.Kind.ENDED: "Beställningen avslutad",
}


def steps_for(order: Order, manual_steps: Any) -> list[tuple[str, str]]:
    """The steps that can follow from where the order stands (the service checks again)."""
    status = order.status
    if status == Order.Status.ENDED:
        return []
    possible = {
        OrderEvent.Kind.FIRST_CONTACT: order.first_contact_on is None,
        OrderEvent.Kind.EXECUTED: order.executed_on is None,
        OrderEvent.Kind.INTERRUPTED: status == Order.Status.EXECUTED,
        OrderEvent.Kind.RESUMED: status == Order.Status.INTERRUPTED,
        OrderEvent.Kind.ENDED: True,
    }
    return [(step.value, STEP_LABELS[step]) for step in manual_steps if possible.get(step)]


class OrderStepForm(PlausibleDatesMixin, forms.Form):
    step = forms.ChoiceField(label="Steg")
    on = forms.DateField(label="Datum", widget=DateInput())
    note = forms.CharField(label="Anteckning", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = steps  # type: ignore[attr-defined]
