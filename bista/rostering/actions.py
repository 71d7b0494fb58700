"""The rostering context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """Rostering's audit actions: needs, occasions, shifts and their exceptions, the roster jobs."""

    NEED_PATTERN_CREATE = "need_pattern.create"
    NEED_PATTERN_END = "need_pattern.end"
    OCCASION_CANCEL = "occasion.cancel"
    OCCASION_CREATE = "occasion.create"
    ROSTER_JOB_DISCARD = "roster_job.discard"
    ROSTER_JOB_FAIL = "roster_job.fail"
    ROSTER_JOB_FINISH = "roster_job.finish"
    ROSTER_JOB_PUBLISH = "roster_job.publish"
    ROSTER_JOB_START = "roster_job.start"
    ROSTER_JOB_STOP = "roster_job.stop"
    SHIFT_ABSENT = "shift.absent"
    SHIFT_ASSIGN = "shift.assign"
    SHIFT_CANCEL = "shift.cancel"
    SHIFT_CREATE = "shift.create"
    SHIFT_OPEN = "shift.open"
    SHIFT_PUBLISH = "shift.publish"
    SHIFT_UNASSIGN = "shift.unassign"
    SHIFT_UPDATE = "shift.update"
    SHIFT_EXCEPTION_REGISTER = "shift_exception.register"
    SHIFT_EXCEPTION_REVOKE = "shift_exception.revoke"
    ROSTER_SETTING_UPDATE = "roster_setting.update"
    SHIFT_OFFER_ANSWER = "shift_offer.answer"
    SHIFT_OFFER_SEND = "shift_offer.send"
    SHIFT_REQUEST_APPROVE = "shift_request.approve"
    SHIFT_REQUEST_CREATE = "shift_request.create"
    SHIFT_REQUEST_DECLINE = "shift_request.decline"
