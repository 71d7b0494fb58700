"""Writes of rostering: shifts, sick calls and open shifts, needs, exceptions and roster jobs.

Each service checks the actor's permission, validates, saves and audits in one transaction; nothing is
deleted (a shift is cancelled, a pattern ended, an occasion cancelled, a job's proposal discarded).

Saving a shift runs the working-time rules (`rules.check_shift`) on facts loaded around it. A hard
violation refuses the save: `ValidationError(code="rule_violation")`, the messages under the field they
concern (`employee`, `ends_at`) or `__all__`. Soft violations (hours beyond the contract, hours beyond the
decision) do not refuse it: the returned shift carries them as `shift.warnings` (a list of `Violation`;
read them with `warnings_of(shift)`). Concurrent saves for one employee are serialised by locking the
employee's row, so two overlapping shifts cannot both pass the check. A stale `version` raises
`ShiftConflict`: a `ConflictError` (409 in the API) that is also a `ValidationError(code="conflict")`.
"""

# The services are split by what they act on (as views/ is); import them from here.
from bista.rostering.services.common import (
    AUTHOR_FIELDS,
    WARNINGS_ATTR,
    ShiftConflict,
    warnings_of,
)
from bista.rostering.services.exceptions import (
    EXCEPTION_AUDITED,
    exception_register,
    exception_revoke,
)
from bista.rostering.services.jobs import (
    JOB_AUDITED,
    JOB_MAX_DAYS,
    JOB_MAX_SECONDS,
    JOB_MIN_DAYS,
    JOB_MIN_SECONDS,
    STALE_AFTER,
    STALE_MESSAGE,
    WEIGHT_MAX,
    roster_job_discard,
    roster_job_fail,
    roster_job_finish,
    roster_job_publish,
    roster_job_start,
    roster_job_stop,
)
from bista.rostering.services.needs import (
    DAY_BLOCKS,
    FULL_WEEK_HOURS,
    OCCASION_AUDITED,
    PATTERN_AUDITED,
    WEEKS_PER_MONTH,
    booked_occasion_cancel,
    booked_occasion_create,
    need_pattern_create,
    need_pattern_end,
    needs_from_order,
)
from bista.rostering.services.selfservice import (
    OFFER_MAX_RECIPIENTS,
    auto_assigns,
    offer_recipient,
    offer_text,
    offer_tokens,
    roster_setting_update,
    shift_offer_accept,
    shift_offer_send,
    shift_request_approve,
    shift_request_create,
    shift_request_decline,
    sick_self_report,
)
from bista.rostering.services.shifts import (
    AROUND,
    MAX_OPEN_SHIFT,
    RULE_FIELDS,
    SHIFT_AUDITED,
    SHIFT_EDITABLE,
    SOFT_ON_SAVE,
    check_taker,
    open_shift_assign,
    shift_cancel,
    shift_create,
    shift_publish,
    shift_update,
    sick_call,
)

__all__ = [
    "AROUND",
    "AUTHOR_FIELDS",
    "DAY_BLOCKS",
    "EXCEPTION_AUDITED",
    "FULL_WEEK_HOURS",
    "JOB_AUDITED",
    "JOB_MAX_DAYS",
    "JOB_MAX_SECONDS",
    "JOB_MIN_DAYS",
    "JOB_MIN_SECONDS",
    "MAX_OPEN_SHIFT",
    "OCCASION_AUDITED",
    "OFFER_MAX_RECIPIENTS",
    "PATTERN_AUDITED",
    "RULE_FIELDS",
    "SHIFT_AUDITED",
    "SHIFT_EDITABLE",
    "SOFT_ON_SAVE",
    "STALE_AFTER",
    "STALE_MESSAGE",
    "WARNINGS_ATTR",
    "WEEKS_PER_MONTH",
    "WEIGHT_MAX",
    "ShiftConflict",
    "auto_assigns",
    "booked_occasion_cancel",
    "booked_occasion_create",
    "check_taker",
    "exception_register",
    "exception_revoke",
    "need_pattern_create",
    "need_pattern_end",
    "needs_from_order",
    "offer_recipient",
    "offer_text",
    "offer_tokens",
    "open_shift_assign",
    "roster_job_discard",
    "roster_job_fail",
    "roster_job_finish",
    "roster_job_publish",
    "roster_job_start",
    "roster_job_stop",
    "roster_setting_update",
    "shift_cancel",
    "shift_create",
    "shift_offer_accept",
    "shift_offer_send",
    "shift_publish",
    "shift_request_approve",
    "shift_request_create",
    "shift_request_decline",
    "shift_update",
    "sick_call",
    "sick_self_report",
    "warnings_of",
]
