"""The care context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum

from django.db import models


class AuditAction(enum.StrEnum):
    """Care's audit actions: orders and their steps, implementation plans, the journal, binders, deliveries."""

    BINDER_IMPORT = "binder.import"
    EXPORT_DOWNLOAD = "export.download"
    EXPORT_GENERATE = "export.generate"
    EXPORT_REQUEST = "export.request"
    BINDER_SAVE = "binder.save"
    DELIVERY_CREATE = "delivery.create"
    JOURNAL_CORRECT = "journal.correct"
    JOURNAL_CREATE = "journal.create"
    JOURNAL_IMPORT = "journal.import"
    JOURNAL_OBJECTION = "journal.objection"
    ORDER_CREATE = "order.create"
    ORDER_IMPORT = "order.import"
    ORDER_PLAN_ESTABLISHED = "order.plan_established"
    ORDER_UPDATE = "order.update"
    # The dated steps of order_record_step, audited as f"order.{step}" (OrderEvent.Kind values).
    ORDER_FIRST_CONTACT = "order.first_contact"
    ORDER_EXECUTED = "order.executed"
    ORDER_INTERRUPTED = "order.interrupted"
    ORDER_RESUMED = "order.resumed"
    ORDER_ENDED = "order.ended"
    PLAN_CREATE = "plan.create"
    PLAN_REVIEW = "plan.review"
    PLAN_SIGN = "plan.sign"
    PLAN_UPDATE = "plan.update"


class AccessAction(models.TextChoices):
    """Reads of a client logged by this context (the access log's action)."""

    DOWNLOAD = "download", "Hämtade utskrift (registerutdrag, nödrutin)"
