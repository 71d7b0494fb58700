"""The casework context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum

from django.db import models


class AuditAction(enum.StrEnum):
    """Casework's audit actions: cases, intakes, investigations and their sources, decisions and orders."""

    CASE_OPEN = "case.open"
    CASE_ASSIGN = "case.assign"
    CASE_TARGET_GROUP = "case.target_group"
    INTAKE_REGISTER = "intake.register"
    INTAKE_FIRST_CONTACT = "intake.first_contact"
    INVESTIGATION_START = "investigation.start"
    INVESTIGATION_SAVE = "investigation.save"
    INVESTIGATION_COMMUNICATE = "investigation.communicate"
    SOURCE_CONSENT = "investigation_source.consent"
    SOURCE_CONTACT = "investigation_source.contact"
    DECISION_MAKE = "decision.make"
    DECISION_RECEIVED = "decision.received"
    CASE_ORDER_CREATE = "case_order.create"
    CASE_ORDER_EXECUTED = "case_order.executed"
    APPEAL_REGISTER = "appeal.register"
    APPEAL_RECONSIDER = "appeal.reconsider"
    APPEAL_FORWARD = "appeal.forward"
    APPEAL_JUDGMENT = "appeal.judgment"
    DECISION_DELAY = "decision.delay"
    DECISION_END = "decision.end"
    FOLLOW_UP_RECORD = "follow_up.record"
    IVO_REPORT_KEEP = "ivo_report.keep"
    CASE_IMPORT = "case.import"


class AccessAction(models.TextChoices):
    """Reads of a case (the access log's action values, ≤ 20 characters)."""

    CASE = "case", "Läste ärende"
    DECISION_LETTER = "decision_letter", "Skrev ut beslut"
    ORDER_SHEET = "order_sheet", "Skrev ut beställning"
