"""Swedish text for counts, the same in pages (the `antal` template filter) and in documents."""

from __future__ import annotations

from typing import Any


def antal(count: Any, forms: str) -> str:
    """A count with its noun in Swedish singular or plural: `antal(n, "beställning,beställningar")` gives
    "1 beställning", "0 beställningar", "2 beställningar". One form ("medarbetare") serves both."""
    singular, _, plural = forms.partition(",")
    try:
        number = int(count)
    except (TypeError, ValueError):
        return f"{count} {plural or singular}"
    return f"{number} {singular if number == 1 else (plural or singular)}"
