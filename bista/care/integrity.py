"""The care context's integrity check: every journal entry still reads as it was signed."""

from __future__ import annotations

from bista.care.models import JournalEntry
from bista.care.services import journal_signature_valid
from bista.core.integrity import CheckResult, register


@register("care.journal_signatures")
def journal_signatures(using: str) -> CheckResult:
    checked, failed = 0, []
    for entry in JournalEntry.objects.using(using).order_by("pk").iterator(chunk_size=2000):
        checked += 1
        if not journal_signature_valid(entry):
            failed.append(entry.pk)
    return CheckResult("Journalsignaturer", checked, failed)
