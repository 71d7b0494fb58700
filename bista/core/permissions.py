"""Permission and role codes used in code. The grants themselves are reference data (core.RoleGrant),
seeded by migration 0002 and editable by an administrator, with validity dates."""

from __future__ import annotations


class Perm:
    ORG_VIEW = "org.view"
    ORG_MANAGE = "org.manage"
    CLIENT_VIEW_ALL = "client.view_all"
    CLIENT_VIEW_TEAM = "client.view_team"
    CLIENT_MANAGE = "client.manage"
    CLIENT_EXPORT = "client.export"
    EMPLOYEE_VIEW = "employee.view"
    EMPLOYEE_MANAGE = "employee.manage"
    LOG_REVIEW = "log.review"
    API_TOKEN = "api.token"
    REFERENCE_MANAGE = "reference.manage"
    CARE_MANAGE = "care.manage"
    JOURNAL_WRITE = "journal.write"
    CARE_SELF_CHECK = "care.self_check"
    QUALITY_REPORT = "quality.report"
    QUALITY_VIEW = "quality.view"
    QUALITY_MANAGE = "quality.manage"
    QUALITY_INCIDENT = "quality.incident"
    ABSENCE_MANAGE = "absence.manage"
    ROSTER_VIEW = "roster.view"
    ROSTER_MANAGE = "roster.manage"
    GOVERNANCE_VIEW = "governance.view"
    GOVERNANCE_EDIT = "governance.edit"
    # Casework (the purchaser): a case officer sees the cases of their groups, a manager the unit's.
    CASEWORK_VIEW = "casework.view"
    CASEWORK_VIEW_ALL = "casework.view_all"
    CASEWORK_MANAGE = "casework.manage"
    CASEWORK_DECIDE = "casework.decide"
    CASEWORK_ASSIGN = "casework.assign"
    TIME_ATTEST = "time.attest"
    ECONOMY = "economy.manage"  # wages, budget, invoices and payroll: only holders see money

    # Who may be named the responsible deputy (ansvarig) of a provider's order.
    CARE_RESPONSIBLE = "care.responsible"

    CLIENT_VIEW = (CLIENT_VIEW_ALL, CLIENT_VIEW_TEAM)
    CASEWORK_READ = (CASEWORK_VIEW, CASEWORK_VIEW_ALL)
    CASEWORK = (CASEWORK_VIEW, CASEWORK_VIEW_ALL, CASEWORK_MANAGE, CASEWORK_DECIDE, CASEWORK_ASSIGN)


class RoleCode:
    UNIT_MANAGER = "enhetschef"
    DEPUTY_MANAGER = "bitradande_enhetschef"
    ADMINISTRATOR = "administrator"
    EMPLOYEE = "medarbetare"
    CASE_OFFICER = "handlaggare"
    CONTROLLER = "controller"
    SYSTEM_ADMINISTRATOR = "systemforvaltare"
