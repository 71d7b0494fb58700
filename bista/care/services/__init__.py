"""Writes of the provider chain. Each validates, saves and audits in one transaction; nothing about a
person is deleted; plans and binders are versioned, the journal is append-only."""

# The services are split by what they act on (as views/ is); import them from here.
from bista.care.services.binders import (
    BINDER_REQUIRED,
    BINDER_TEXTS,
    RISK_FIELDS,
    binder_save,
    delivery_create,
)
from bista.care.services.journal import (
    SIGNATURE_VERSION,
    ImportedEntry,
    journal_draft_discard,
    journal_draft_save,
    journal_entry_create,
    journal_history_import,
    journal_objection_record,
    journal_signature_valid,
)
from bista.care.services.orders import (
    MANUAL_STEPS,
    ORDER_AUDITED,
    ORDER_EDITABLE,
    order_create,
    order_end_from_purchaser,
    order_receive,
    order_record_step,
    order_update,
)
from bista.care.services.plans import (
    ACTIVITY_FIELDS,
    ACTIVITY_REQUIRED,
    PLAN_EDITABLE,
    PLAN_REQUIRED,
    PLAN_TEXTS,
    plan_changes,
    plan_create,
    plan_sign,
    plan_start_review,
    plan_update,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "ACTIVITY_REQUIRED",
    "BINDER_REQUIRED",
    "BINDER_TEXTS",
    "MANUAL_STEPS",
    "ORDER_AUDITED",
    "ORDER_EDITABLE",
    "PLAN_EDITABLE",
    "PLAN_REQUIRED",
    "PLAN_TEXTS",
    "RISK_FIELDS",
    "SIGNATURE_VERSION",
    "ImportedEntry",
    "binder_save",
    "delivery_create",
    "journal_draft_discard",
    "journal_draft_save",
    "journal_entry_create",
    "journal_history_import",
    "journal_objection_record",
    "journal_signature_valid",
    "order_create",
    "order_end_from_purchaser",
    "order_receive",
    "order_record_step",
    "order_update",
    "plan_changes",
    "plan_create",
    "plan_sign",
    "plan_start_review",
    "plan_update",
]
