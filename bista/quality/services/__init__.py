"""Writes of the quality system. Each validates, saves and audits in one transaction. Nothing is deleted:
a deviation, report, feedback or incident is followed to closure and stays in the register."""

# The services are split by what they act on (as views/ is); import them from here.
from bista.quality.services.common import (
    M,
)
from bista.quality.services.deviations import (
    DEVIATION_AUDITED,
    DEVIATION_EDITABLE,
    deviation_action_add,
    deviation_action_done,
    deviation_close,
    deviation_escalate,
    deviation_report,
    deviation_update,
)
from bista.quality.services.feedback import (
    FEEDBACK_AUDITED,
    FEEDBACK_EDITABLE,
    FEEDBACK_GROUPS,
    feedback_close,
    feedback_register,
    feedback_update,
)
from bista.quality.services.incidents import (
    INCIDENT_AUDITED,
    INCIDENT_EDITABLE,
    incident_decide_imy,
    incident_register,
    incident_update,
)
from bista.quality.services.lex_sarah import (
    LEX_SARAH_AUDITED,
    LEX_SARAH_STEP_FIELDS,
    lex_sarah_report,
    lex_sarah_step,
)
from bista.quality.services.register import (
    ROUTINE_FIELDS,
    routine_create,
    routine_update,
    self_check_item_create,
    self_check_result_record,
)
from bista.quality.services.vb import (
    vb_assessment_save,
)

__all__ = [
    "DEVIATION_AUDITED",
    "DEVIATION_EDITABLE",
    "FEEDBACK_AUDITED",
    "FEEDBACK_EDITABLE",
    "FEEDBACK_GROUPS",
    "INCIDENT_AUDITED",
    "INCIDENT_EDITABLE",
    "LEX_SARAH_AUDITED",
    "LEX_SARAH_STEP_FIELDS",
    "ROUTINE_FIELDS",
    "M",
    "deviation_action_add",
    "deviation_action_done",
    "deviation_close",
    "deviation_escalate",
    "deviation_report",
    "deviation_update",
    "feedback_close",
    "feedback_register",
    "feedback_update",
    "incident_decide_imy",
    "incident_register",
    "incident_update",
    "lex_sarah_report",
    "lex_sarah_step",
    "routine_create",
    "routine_update",
    "self_check_item_create",
    "self_check_result_record",
    "vb_assessment_save",
]
