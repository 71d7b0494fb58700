"""Economy's item on timereports' month-close checklist: "Fakturaunderlag inte framtaget" — the unit has
attested time of the month but no invoice basis for it (registered from `EconomyConfig.ready()`)."""

from __future__ import annotations

import datetime

from bista.core.models import Unit
from bista.economy.models import Invoice
from bista.timereports.checklist import Finding, Item

INVOICES_NOT_PRODUCED = "invoices_not_produced"


def invoices_not_produced(unit: Unit, month: datetime.date) -> Item:
    from bista.economy import figures

    findings = []
    if figures.has_attested_time(unit.pk, month) and not Invoice.objects.filter(unit=unit, month=month).exists():
        findings.append(Finding(f"Inget fakturaunderlag för {month:%Y-%m} har tagits fram."))
    return Item(INVOICES_NOT_PRODUCED, "Fakturaunderlag inte framtaget", False, findings)
