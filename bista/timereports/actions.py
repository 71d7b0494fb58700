"""The timereports context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum

from django.db import models


class AuditAction(enum.StrEnum):
    """Worked time: a confirmation (as planned, adjusted or unplanned), a later revision, an attestation, the
    month close; Försäkringskassan's time reports and the provider details they carry."""

    WORKED_TIME_CONFIRM = "worked_time.confirm"
    WORKED_TIME_UNPLANNED = "worked_time.unplanned"
    WORKED_TIME_REVISE = "worked_time.revise"
    ATTESTATION_CREATE = "attestation.create"
    MONTH_CLOSE_LOCK = "month_close.lock"
    MONTH_CLOSE_REOPEN = "month_close.reopen"
    PROVIDER_DETAILS_SET = "provider_details.set"
    FK_REPORT_PRODUCE = "fk_report.produce"
    FK_REPORT_ATTEST = "fk_report.attest"
    FK_REPORT_SEND = "fk_report.send"
    FK_REPORT_CORRECT = "fk_report.correct"
    FK_REPORT_EXPORT = "fk_report.export"


class AccessAction(models.TextChoices):
    """Reads of a client logged by this context (the access log's action)."""

    FK_REPORT = "fk_report", "Läste tidredovisning till FK"
