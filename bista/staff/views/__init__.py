"""The staff pages: employees (`employees`), the employee's card and details (`details`), the absence register
(`absences`) and a client's staffing (`staffing`)."""

from bista.staff.views.absences import absence_cancel, absence_create, absence_edit, absence_end, absence_list
from bista.staff.views.details import (
    appraisal_add,
    competence_add,
    competence_revoke,
    delegation_add,
    delegation_revoke,
    employee_card,
    introduction_add,
    term_add,
)
from bista.staff.views.employees import employee_create, employee_edit, employee_list
from bista.staff.views.staffing import (
    client_staffing,
    competence_need_add,
    competence_need_end,
    staff_choice_add,
    staff_choice_end,
)

__all__ = [
    "absence_cancel",
    "absence_create",
    "absence_edit",
    "absence_end",
    "absence_list",
    "appraisal_add",
    "client_staffing",
    "competence_add",
    "competence_need_add",
    "competence_need_end",
    "competence_revoke",
    "delegation_add",
    "delegation_revoke",
    "employee_card",
    "employee_create",
    "employee_edit",
    "employee_list",
    "introduction_add",
    "staff_choice_add",
    "staff_choice_end",
    "term_add",
]
