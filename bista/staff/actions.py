"""The staff context's declared actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    """Staff's audit actions: employees, their terms, competences, delegations, absences and appraisals."""

    ABSENCE_CANCEL = "absence.cancel"
    ABSENCE_CREATE = "absence.create"
    ABSENCE_END = "absence.end"
    ABSENCE_SELF_REPORT = "absence.self_report"
    ABSENCE_UPDATE = "absence.update"
    APPRAISAL_RECORD = "appraisal.record"
    CLIENT_COMPETENCE_NEED_ADD = "client_competence_need.add"
    CLIENT_COMPETENCE_NEED_END = "client_competence_need.end"
    CLIENT_STAFF_CHOICE_ADD = "client_staff_choice.add"
    CLIENT_STAFF_CHOICE_END = "client_staff_choice.end"
    DELEGATION_ADD = "delegation.add"
    DELEGATION_REVOKE = "delegation.revoke"
    EMPLOYEE_CREATE = "employee.create"
    EMPLOYEE_TEAMS = "employee.teams"
    EMPLOYEE_UPDATE = "employee.update"
    EMPLOYEE_COMPETENCE_ADD = "employee_competence.add"
    EMPLOYEE_COMPETENCE_REVOKE = "employee_competence.revoke"
    EMPLOYMENT_TERM_ADD = "employment_term.add"
    EMPLOYMENT_TERM_END = "employment_term.end"
    INTRODUCTION_RECORD = "introduction.record"
