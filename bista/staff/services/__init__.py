"""Writes to employees and their details (terms, competences, delegations, introductions, appraisals), to what
clients ask of the staff, and to absences: each validated and audited in one transaction, nothing deleted."""

# The services are split by what they act on (as views/ is); import them from here.
from bista.staff.services.absences import (
    ABSENCE_AUDITED,
    ABSENCE_EDITABLE,
    absence_cancel,
    absence_create,
    absence_end,
    absence_update,
    sick_leave_self_report,
)
from bista.staff.services.common import (
    AUTHOR_FIELDS,
    CENT,
)
from bista.staff.services.details import (
    DELEGATION_AUDITED,
    DELEGATION_MAX_MONTHS,
    TERM_AUDITED,
    appraisal_record,
    competence_add,
    competence_revoke,
    delegation_add,
    delegation_latest_end,
    delegation_revoke,
    employment_term_add,
    introduction_record,
)
from bista.staff.services.employees import (
    EMPLOYEE_AUDITED,
    EMPLOYEE_EDITABLE,
    employee_create,
    employee_update,
)
from bista.staff.services.staffing import (
    CHOICE_AUDITED,
    client_competence_need_add,
    client_competence_need_end,
    client_staff_choice_add,
    client_staff_choice_end,
)

__all__ = [
    "ABSENCE_AUDITED",
    "ABSENCE_EDITABLE",
    "AUTHOR_FIELDS",
    "CENT",
    "CHOICE_AUDITED",
    "DELEGATION_AUDITED",
    "DELEGATION_MAX_MONTHS",
    "EMPLOYEE_AUDITED",
    "EMPLOYEE_EDITABLE",
    "TERM_AUDITED",
    "absence_cancel",
    "absence_create",
    "absence_end",
    "absence_update",
    "appraisal_record",
    "client_competence_need_add",
    "client_competence_need_end",
    "client_staff_choice_add",
    "client_staff_choice_end",
    "competence_add",
    "competence_revoke",
    "delegation_add",
    "delegation_latest_end",
    "delegation_revoke",
    "employee_create",
    "employee_update",
    "employment_term_add",
    "introduction_record",
    "sick_leave_self_report",
]
