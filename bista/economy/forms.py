"""Forms of the economy. Amounts are text (a Swedish "1 234,50" is fine): the services parse and refuse them
with the message on the field, so the form and the API say the same thing."""

from __future__ import annotations

from django import forms

from bista.core.forms import DateInput
from bista.core.validation import PlausibleDatesMixin
from bista.economy.models import CostCategory, PayrollExport, PayType
from bista.timereports.forms import MonthField

AMOUNT = {"max_length": 40, "widget": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})}


class BudgetForm(forms.Form):
    month = MonthField(label="Månad", help_text="ÅÅÅÅ-MM", widget=forms.TextInput(attrs={"type": "month"}))
    revenue = forms.CharField(label="Budgeterade intäkter (kr)", **AMOUNT)  # type: ignore[arg-type]
    cost = forms.CharField(label="Budgeterade kostnader (kr)", **AMOUNT)  # type: ignore[arg-type]


class BudgetImportForm(forms.Form):
    file = forms.FileField(
        label="CSV-fil",
        help_text=(
            "En rad per månad: månad;intäkter;kostnader (t.ex. 2026-01;4900000;4950000). Alla rader eller ingen sparas."
        ),
    )


class OtherCostForm(forms.Form):
    month = MonthField(label="Månad", widget=forms.HiddenInput)
    category = forms.ChoiceField(label="Kostnadsslag", choices=CostCategory.choices)
    amount = forms.CharField(label="Belopp (kr)", **AMOUNT)  # type: ignore[arg-type]
    note = forms.CharField(label="Anteckning", max_length=200, required=False)


class InvoiceForm(forms.Form):
    month = MonthField(label="Månad", widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Anledning till rättelse",
        max_length=300,
        required=False,
        help_text="Krävs om ett underlag redan finns: det krediteras och ett nytt tas fram.",
    )


class PayrollExportForm(forms.Form):
    month = MonthField(label="Månad", widget=forms.HiddenInput)
    format = forms.ChoiceField(label="Format", choices=PayrollExport.Format.choices, widget=forms.RadioSelect)


class WageTermForm(PlausibleDatesMixin, forms.Form):
    employee = forms.TypedChoiceField(label="Medarbetare", coerce=int, choices=())
    pay_type = forms.ChoiceField(label="Lönform", choices=PayType.choices)
    amount = forms.CharField(label="Månadslön vid heltid eller timlön (kr)", **AMOUNT)  # type: ignore[arg-type]
    valid_from = forms.DateField(label="Gäller från", widget=DateInput())
