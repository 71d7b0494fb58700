"""Writes of the purchaser chain. Each checks the actor's permission in the purchaser unit, validates (a
Swedish message per field), saves and audits in one transaction: a refusal leaves nothing half-saved.

Decisions are never edited: a reassessment is a new decision that supersedes the old one. An order to a
provider unit in Bistå is created there through `care.services.order_receive`.
"""

# The services are split by what they act on (as care's are); import them from here.
from bista.casework.services.appeals import (
    appeal_forward,
    appeal_judgment,
    appeal_judgment_with_decision,
    appeal_reconsider,
    appeal_reconsider_with_decision,
    appeal_register,
)
from bista.casework.services.cases import (
    CASE_AUDITED,
    INTAKE_AUDITED,
    case_assign,
    case_target_group_set,
    cases_reassign,
    intake_first_contact,
    intake_register,
)
from bista.casework.services.decisions import (
    DECISION_AUDITED,
    appeal_period_amount,
    decision_end,
    decision_make,
    decision_receipt_record,
    delegation_facts,
    follow_up_record,
)
from bista.casework.services.history import (
    ImportedAppeal,
    ImportedDecision,
    ImportedDelay,
    ImportedFollowUp,
    ImportedHistory,
    ImportedIntake,
    ImportedInvestigation,
    ImportedOrder,
    history_import,
)
from bista.casework.services.investigations import (
    INVESTIGATION_AUDITED,
    INVESTIGATION_DRAFTED,
    INVESTIGATION_EDITABLE,
    INVESTIGATION_TEXTS,
    communication_record,
    consent_record,
    investigation_complete,
    investigation_draft_discard,
    investigation_draft_save,
    investigation_save,
    investigation_start,
    source_contact_record,
)
from bista.casework.services.ivo import delay_record, ivo_report_keep
from bista.casework.services.orders import ORDER_AUDITED, external_execution_record, order_from_decision

__all__ = [
    "CASE_AUDITED",
    "DECISION_AUDITED",
    "INTAKE_AUDITED",
    "INVESTIGATION_AUDITED",
    "INVESTIGATION_DRAFTED",
    "INVESTIGATION_EDITABLE",
    "INVESTIGATION_TEXTS",
    "ORDER_AUDITED",
    "ImportedAppeal",
    "ImportedDecision",
    "ImportedDelay",
    "ImportedFollowUp",
    "ImportedHistory",
    "ImportedIntake",
    "ImportedInvestigation",
    "ImportedOrder",
    "appeal_forward",
    "appeal_judgment",
    "appeal_judgment_with_decision",
    "appeal_period_amount",
    "appeal_reconsider",
    "appeal_reconsider_with_decision",
    "appeal_register",
    "case_assign",
    "case_target_group_set",
    "cases_reassign",
    "communication_record",
    "consent_record",
    "decision_end",
    "decision_make",
    "decision_receipt_record",
    "delay_record",
    "delegation_facts",
    "external_execution_record",
    "follow_up_record",
    "history_import",
    "intake_first_contact",
    "intake_register",
    "investigation_complete",
    "investigation_draft_discard",
    "investigation_draft_save",
    "investigation_save",
    "investigation_start",
    "ivo_report_keep",
    "order_from_decision",
    "source_contact_record",
]
