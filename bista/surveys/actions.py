"""The surveys context's declared audit actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """Surveys' audit actions. An answer is never audited with the invitation it came through (anonymity):
    submitting writes only `invitation.used`, which names the invitation and not the answer."""

    QUESTION_CREATE = "survey_question.create"
    SURVEY_CREATE = "survey.create"
    SURVEY_OPEN = "survey.open"
    SURVEY_CLOSE = "survey.close"
    INVITATION_ISSUE = "invitation.issue"
    INVITATION_USED = "invitation.used"
