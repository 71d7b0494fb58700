"""What other contexts add to the optimiser proposal's page, registered from their `AppConfig.ready` (as the month
close's checks are): rostering must not import them, since they read rostering (economy prices the proposal's
shifts from the roster's own records)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# name → (actor, unit id, the proposal's shifts) → what the page shows under that name, or None for a reader who
# may not see it
ProposalFigures = Callable[[Any, int, Sequence[Any]], Any]
_PROPOSAL_FIGURES: dict[str, ProposalFigures] = {}


def register_proposal_figures(name: str, figures: ProposalFigures) -> None:
    _PROPOSAL_FIGURES[name] = figures


def proposal_figures(actor: Any, unit_id: int, shifts: Sequence[Any]) -> dict[str, Any]:
    """Every registered context's figures for a proposal (each checks the reader's access itself)."""
    return {name: figures(actor, unit_id, shifts) for name, figures in _PROPOSAL_FIGURES.items()}
