"""The demo context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """The demo generator's audit action: one summary event per bulk-written history step (ADR 0007)."""

    DEMO_HISTORY = "demo.history"
