"""The timereports context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """Worked time: a confirmation (as planned, adjusted or unplanned), a later revision, an attestation."""

    WORKED_TIME_CONFIRM = "worked_time.confirm"
    WORKED_TIME_UNPLANNED = "worked_time.unplanned"
    WORKED_TIME_REVISE = "worked_time.revise"
    ATTESTATION_CREATE = "attestation.create"
    MONTH_CLOSE_LOCK = "month_close.lock"
    MONTH_CLOSE_REOPEN = "month_close.reopen"
