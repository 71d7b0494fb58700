"""The quality context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """Quality's audit actions: deviations, lex Sarah steps, feedback, incidents, routines, self-checks."""

    DEVIATION_ACTION_ADD = "deviation.action_add"
    DEVIATION_ACTION_DONE = "deviation.action_done"
    DEVIATION_CLOSE = "deviation.close"
    DEVIATION_REPORT = "deviation.report"
    DEVIATION_UPDATE = "deviation.update"
    FEEDBACK_CLOSE = "feedback.close"
    FEEDBACK_REGISTER = "feedback.register"
    FEEDBACK_UPDATE = "feedback.update"
    INCIDENT_IMY_DECISION = "incident.imy_decision"
    INCIDENT_REGISTER = "incident.register"
    INCIDENT_UPDATE = "incident.update"
    LEX_SARAH_REPORT = "lex_sarah.report"
    # The steps of lex_sarah_step, audited as f"lex_sarah.{step}" (the lex Sarah view reads them back).
    LEX_SARAH_REGISTERED = "lex_sarah.registered"
    LEX_SARAH_REMEDIED = "lex_sarah.remedied"
    LEX_SARAH_INVESTIGATED = "lex_sarah.investigated"
    LEX_SARAH_ASSESSED = "lex_sarah.assessed"
    LEX_SARAH_NOTIFIED = "lex_sarah.notified"
    LEX_SARAH_CLOSED = "lex_sarah.closed"
    ROUTINE_CREATE = "routine.create"
    ROUTINE_UPDATE = "routine.update"
    SELF_CHECK_RESULT = "self_check.result"
    SELF_CHECK_PLAN_CREATE = "self_check_plan.create"
    VB_ASSESSMENT_SAVE = "vb_assessment.save"
