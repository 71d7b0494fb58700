"""Swedish text for counts, the same in pages (the `antal` template filter) and in documents, and the one
rounding rule for figures and kronor."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format


def round_half_up(value: Decimal, decimals: int = 0) -> Decimal:
    """`value` to `decimals` places, halves away from zero (0,5 → 1; −2,5 → −3) as Swedish accounting rounds
    kronor and öre — governance's figures and the economy's money both round here (never banker's rounding)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def one_decimal(value: float) -> str:
    """A figure with one decimal, rounded half up, with the Swedish decimal comma ("12,5"): tables and charts
    write shares, hours and averages alike (Django's number_format alone truncates)."""
    return str(number_format(round_half_up(Decimal(repr(float(value))), 1), 1))


def antal(count: Any, forms: str) -> str:
    """A count with its noun in Swedish singular or plural: `antal(n, "beställning,beställningar")` gives
    "1 beställning", "0 beställningar", "2 beställningar". One form ("medarbetare") serves both."""
    singular, _, plural = forms.partition(",")
    try:
        number = int(count)
    except (TypeError, ValueError):
        return f"{count} {plural or singular}"
    return f"{number} {singular if number == 1 else (plural or singular)}"
