"""The governance context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """Governance's audit actions: the operational plan, goals, indicators, follow-ups and documents."""

    ACTIVITY_CREATE = "activity.create"
    ACTIVITY_UPDATE = "activity.update"
    DOCUMENT_GENERATE = "document.generate"
    DOCUMENT_REQUEST = "document.request"
    FOLLOW_UP_SAVE = "follow_up.save"
    GOAL_CREATE = "goal.create"
    GOAL_UPDATE = "goal.update"
    GOAL_INDICATOR_ADD = "goal_indicator.add"
    GOAL_INDICATOR_UPDATE = "goal_indicator.update"
    INDICATOR_VALUE_CREATE = "indicator_value.create"
    INDICATOR_VALUE_UPDATE = "indicator_value.update"
    PLAN_COPY_FORWARD = "plan.copy_forward"
    PLAN_CREATE = "plan.create"
    PLAN_UPDATE = "plan.update"
    SECTION_SAVE = "section.save"
    YEAR_OUTCOMES_STORE = "year_outcomes.store"
