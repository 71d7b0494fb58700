"""Generated access probes: every page of the URL configuration and every GET of the API, four ways (anonymous,
signed in with no role, a manager of a unit in another district, the owner), plus the two neighbours who see
the client but not everything about them (the purchaser unit's manager and case officer, who must not read
the provider's own documentation; the district's controller, who sees figures, not people) — and every read
of a client's data writes an access-log row.

The routes come from the URL configuration and the OpenAPI document, so a new page or operation is probed
without anyone remembering to: if its parameters cannot be filled from FILL / API_FILL, its probe fails with
its name. Routes that answer differently on purpose are listed below, each with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django.test import override_settings

from bista.clients.models import AccessLogEntry
from bista.core.tests.route_world import FIRST_NAME, LAST_NAME, PROVIDER_SECRETS, World, build_world
from bista.core.tests.routes import Route, api_routes, body_text, html_instead_of_pdf, page_routes

LOGIN = "/konto/logga-in/"

# --- How to fill each parameterised page (url name → kwargs; a list for several variants; "?" a query) ---

BINDER_KINDS = ["risk_assessment", "crisis_binder", "routine_binder"]
FILL: dict[str, Any] = {
    "core:api_token_revoke": {"pk": "@api_token"},
    "core:duty_rule_new_version": {"code": "@duty_rule"},
    "overview:unit": {"pk": "@provider"},
    "overview:team": {"pk": "@team"},
    "clients:card": {"pk": "@client"},
    "clients:edit": {"pk": "@client"},
    "clients:contact_add": {"pk": "@client"},
    "staff:card": {"pk": "@employee"},
    "staff:edit": {"pk": "@employee"},
    "staff:term_add": {"pk": "@employee"},
    "staff:competence_add": {"pk": "@employee"},
    "staff:competence_revoke": {"pk": "@competence"},
    "staff:delegation_add": {"pk": "@employee"},
    "staff:delegation_revoke": {"pk": "@delegation"},
    "staff:introduction_add": {"pk": "@employee"},
    "staff:appraisal_add": {"pk": "@employee"},
    "staff:absence_edit": {"pk": "@absence"},
    "staff:absence_end": {"pk": "@absence"},
    "staff:absence_cancel": {"pk": "@absence"},
    "staff:client_staffing": {"client_id": "@client"},
    "staff:staff_choice_add": {"client_id": "@client"},
    "staff:staff_choice_end": {"client_id": "@client", "pk": "@staff_choice"},
    "staff:competence_need_add": {"client_id": "@client"},
    "staff:competence_need_end": {"client_id": "@client", "pk": "@competence_need"},
    "rostering:roster": [
        {"#": "default"},
        {"?": "arbetsgrupp=@team&datum=@today", "#": "team"},
        {"?": "arbetsgrupp=@team&datum=@today&rader=brukare", "#": "team by client"},
    ],
    "rostering:hours": [{"#": "default"}, {"?": "enhet=@provider", "#": "unit"}],
    "rostering:person": {"pk": "@employee"},
    "rostering:shift": {"pk": "@shift"},
    "rostering:shift_edit": {"pk": "@shift"},
    "rostering:shift_cancel": {"pk": "@shift"},
    "rostering:sick_call_result": {"pk": "@sick_call"},
    "rostering:sick_call_assign": {"pk": "@sick_call", "shift_pk": "@sick_open_shift"},
    "rostering:sick_call_offer": {"pk": "@sick_call", "shift_pk": "@sick_open_shift"},
    "rostering:offer": {"token": "@offer_token"},
    "rostering:shift_request": {"pk": "@open_shift"},
    "rostering:request_approve": {"pk": "@open_shift"},
    "rostering:request_decline": {"pk": "@open_shift"},
    "rostering:open_shift": {"pk": "@open_shift"},
    "rostering:open_shift_assign": {"pk": "@open_shift"},
    "rostering:job": {"pk": "@job"},
    "rostering:job_status": {"pk": "@job"},
    "rostering:job_stop": {"pk": "@job"},
    "rostering:job_publish": {"pk": "@job"},
    "rostering:job_discard": {"pk": "@job"},
    "rostering:needs": [
        {"client_pk": "@client"},
        {"client_pk": "@client", "?": "forslag=@order", "#": "need proposal"},
    ],
    "rostering:pattern_create": {"client_pk": "@client"},
    "rostering:pattern_end": {"pk": "@pattern"},
    "rostering:occasion_create": {"client_pk": "@client"},
    "rostering:occasion_cancel": {"pk": "@occasion"},
    "timereports:confirm": {"pk": "@shift"},
    "timereports:adjust": {"pk": "@shift"},
    "timereports:revise": {"pk": "@worked_time"},
    "timereports:unit_month": [{"#": "default"}, {"?": "enhet=@provider&manad=@this_month", "#": "unit and month"}],
    "timereports:person": {"pk": "@employee"},
    "timereports:attest": {"pk": "@employee"},
    "timereports:month_close": [{"#": "default"}, {"?": "enhet=@provider&manad=@this_month", "#": "unit and month"}],
    "timereports:month_lock": {"unit_pk": "@provider"},
    "timereports:month_reopen": {"unit_pk": "@provider"},
    "timereports:fk_reports": [{"#": "default"}, {"?": "enhet=@provider&manad=@this_month", "#": "unit and month"}],
    "timereports:fk_produce": {"unit_pk": "@provider"},
    "timereports:fk_provider": {"unit_pk": "@provider"},
    "timereports:fk_report": {"pk": "@fk_report"},
    "timereports:fk_report_attest": {"pk": "@fk_report"},
    "timereports:fk_report_sent": {"pk": "@fk_report"},
    "timereports:fk_report_correct": {"pk": "@fk_report"},
    "timereports:fk_report_xml": {"pk": "@fk_report"},
    "timereports:fk_report_pdf": {"pk": "@fk_report"},
    "log:review": {"pk": "@log_review"},
    "care:order_detail": {"pk": "@order"},
    "care:order_edit": {"pk": "@order"},
    "care:order_step": {"pk": "@order"},
    "care:plan_create": {"order_pk": "@order"},
    "care:plan_detail": {"pk": "@plan"},
    "care:plan_edit": {"pk": "@plan"},
    "care:plan_sign": {"pk": "@plan"},
    "care:plan_review": {"pk": "@plan"},
    "care:plan_diff": {"pk": "@plan"},
    "care:plan_pdf": {"pk": "@plan"},
    "care:journal": {"client_pk": "@client"},
    "care:journal_draft": {"client_pk": "@client"},
    "care:record_pdf": {"client_pk": "@client"},
    "care:export": {"pk": "@export"},
    "care:export_download": {"pk": "@export"},
    "care:journal_entry": {"pk": "@journal"},
    "care:journal_objection": {"pk": "@journal"},
    "care:binders": {"client_pk": "@client"},
    "care:binder": [{"client_pk": "@client", "kind": kind, "#": kind} for kind in BINDER_KINDS],
    "care:binder_edit": [{"client_pk": "@client", "kind": kind, "#": kind} for kind in BINDER_KINDS],
    "care:delivery_create": {"client_pk": "@client"},
    "care:self_check_detail": [
        {"check": check, "#": check}
        for check in ("plan_current", "plan_reviewed", "first_contact", "execution", "risk_assessment", "crisis_binder")
    ],
    "core:picker_search": [
        {"kind": "brukare", "?": "q=Zebulon", "#": "clients"},
        {"kind": "medarbetare", "?": "q=an", "#": "employees"},
        {"kind": "ansvarig", "?": "q=an", "#": "responsible deputies"},
    ],
    "casework:case_detail": {"pk": "@case"},
    "casework:case_assign": {"pk": "@case"},
    "casework:case_target_group": {"pk": "@case"},
    "casework:investigation_start": {"pk": "@case"},
    "casework:decision_create": {"pk": "@case"},
    "casework:intake_first_contact": {"pk": "@intake"},
    "casework:investigation_edit": {"pk": "@investigation"},
    "casework:investigation_draft": {"pk": "@investigation"},
    "casework:investigation_versions": {"pk": "@investigation"},
    "casework:investigation_consent": {"pk": "@investigation"},
    "casework:source_contacted": {"pk": "@investigation"},
    "casework:investigation_communicate": {"pk": "@investigation"},
    "casework:investigation_complete": {"pk": "@investigation"},
    "casework:decision_docx": {"pk": "@decision"},
    "casework:decision_pdf": {"pk": "@decision"},
    "casework:decision_received": {"pk": "@decision"},
    "casework:order_create": {"pk": "@decision"},
    "casework:order_executed": {"pk": "@case_order"},
    "casework:order_pdf": {"pk": "@case_order"},
    "casework:appeal_register": {"pk": "@decision"},
    "casework:appeal_forward": {"pk": "@appeal"},
    "casework:decision_delay": {"pk": "@decision"},
    "casework:appeal_reconsider": {"pk": "@appeal"},
    "casework:appeal_judgment": {"pk": "@appeal"},
    "casework:follow_up_create": {"pk": "@decision"},
    "casework:decision_end": {"pk": "@decision"},
    "casework:ivo_report_export": [{"fmt": fmt, "?": "kvartal=2024-3", "#": fmt} for fmt in ("csv", "xlsx", "pdf")],
    "quality:deviation_detail": {"pk": "@deviation"},
    "quality:deviation_edit": {"pk": "@deviation"},
    "quality:deviation_action_add": {"pk": "@deviation"},
    "quality:deviation_action_done": {"pk": "@deviation_action"},
    "quality:deviation_close": {"pk": "@deviation"},
    "quality:deviation_escalate": {"pk": "@deviation"},
    "quality:lex_sarah_detail": {"pk": "@lex_sarah"},
    "quality:lex_sarah_step": {"pk": "@lex_sarah", "step": "remedied"},
    "quality:lex_sarah_ivo_notification": {"pk": "@lex_sarah"},
    "quality:feedback_detail": {"pk": "@feedback"},
    "quality:feedback_edit": {"pk": "@feedback"},
    "quality:feedback_close": {"pk": "@feedback"},
    "quality:incident_detail": {"pk": "@incident"},
    "quality:incident_edit": {"pk": "@incident"},
    "quality:incident_imy": {"pk": "@incident"},
    "quality:routine_edit": {"pk": "@routine"},
    "quality:self_check_result": {"pk": "@self_check_item"},
    "quality:vb_table_export": [{"fmt": fmt, "#": fmt} for fmt in ("docx", "xlsx", "json")],
    "economy:month": {"?": "enhet=@provider&manad=@last_month", "#": "unit and month"},
    "economy:clients": {"?": "enhet=@provider&manad=@this_month", "#": "unit and month"},
    "economy:invoices": {"?": "enhet=@provider&manad=@last_month", "#": "unit and month"},
    "economy:invoice_export": [
        {"?": f"enhet=@provider&manad=@last_month&format={fmt}", "#": fmt} for fmt in ("csv", "xlsx", "pdf")
    ],
    "governance:index": [{"#": "default"}, {"?": "enhet=@provider&ar=@year", "#": "unit"}],
    "governance:plan": {"pk": "@governance_plan"},
    "governance:plan_edit": {"pk": "@governance_plan"},
    "governance:plan_copy": {"pk": "@governance_plan"},
    "governance:history_recompute": {"pk": "@governance_plan"},
    "governance:goal_create": {"pk": "@governance_plan"},
    "governance:values": {"pk": "@governance_plan"},
    "governance:section": {"pk": "@governance_plan", "document": "VP", "key": "introduction"},
    "governance:document_create": {"pk": "@governance_plan"},
    "governance:preview": {"pk": "@governance_plan", "kind": "VP"},
    "governance:goal": {"pk": "@goal"},
    "governance:goal_edit": {"pk": "@goal"},
    "governance:goal_indicator_add": {"pk": "@goal"},
    "governance:activity_create": {"pk": "@goal"},
    "governance:follow_up_save": {"pk": "@goal", "period": "T1"},
    "governance:follow_up_draft": {"pk": "@goal", "period": "T1"},
    "governance:follow_up_history": {"pk": "@goal", "period": "T1"},
    "governance:indicator_analysis": {"pk": "@goal_indicator", "period": "T1"},
    "governance:activity_edit": {"pk": "@activity"},
    "governance:drilldown": [
        {"unit_pk": "@provider", "code": code, "year": "@year", "period": "VB", "#": code}
        for code in ("first_contact", "plan_current")
    ],
    "governance:chart": {"unit_pk": "@provider", "code": "first_contact", "year": "@year"},
    "governance:document": {"pk": "@document"},
    "governance:document_download": {"pk": "@document"},
    "governance:open_data": [{"fmt": fmt, "?": "enhet=@provider&ar=@year", "#": fmt} for fmt in ("json", "csv")],
    "surveys:detail": {"pk": "@survey"},
    "surveys:status": {"pk": "@survey", "action": "oppna"},
    "surveys:invite": {"pk": "@survey"},
    "surveys:results": [{"pk": "@survey", "#": "default"}, {"pk": "@survey", "?": "grupp=gender", "#": "by gender"}],
    "surveys:results_export": [{"pk": "@survey", "fmt": fmt, "#": fmt} for fmt in ("xlsx", "json")],
    "surveys:answer": {"code": "@survey_code"},
    "ownview:manage": {"pk": "@client"},
}

SHIFT_WINDOW = "start=@today&end=@in_a_week"
API_FILL: dict[str, Any] = {
    "GET /api/v1/units/{unit_id}": {"unit_id": "@provider"},
    "GET /api/v1/teams/{team_id}": {"team_id": "@team"},
    "GET /api/v1/clients/{client_id}": {"client_id": "@client"},
    "GET /api/v1/clients/{client_id}/contacts": {"client_id": "@client"},
    "GET /api/v1/employees/{employee_id}": {"employee_id": "@employee"},
    "GET /api/v1/employees/{employee_id}/terms": {"employee_id": "@employee"},
    "GET /api/v1/employees/{employee_id}/competences": {"employee_id": "@employee"},
    "GET /api/v1/employees/{employee_id}/delegations": {"employee_id": "@employee"},
    "GET /api/v1/employees/{employee_id}/introductions": {"employee_id": "@employee"},
    "GET /api/v1/employees/{employee_id}/appraisals": {"employee_id": "@employee"},
    "GET /api/v1/absences/{absence_id}": {"absence_id": "@absence"},
    "GET /api/v1/clients/{client_id}/staffing": {"client_id": "@client"},
    "GET /api/v1/care/orders": [{"#": "all"}, {"?": "client_id=@client", "#": "one client"}],
    "GET /api/v1/care/orders/{order_id}": {"order_id": "@order"},
    "GET /api/v1/care/orders/{order_id}/plans": {"order_id": "@order"},
    "GET /api/v1/care/plans/{plan_id}": {"plan_id": "@plan"},
    "GET /api/v1/care/clients/{client_id}/journal": {"client_id": "@client"},
    "GET /api/v1/care/journal/{entry_id}": {"entry_id": "@journal"},
    "GET /api/v1/casework/cases/{case_id}": {"case_id": "@case"},
    "GET /api/v1/casework/cases/{case_id}/intakes": {"case_id": "@case"},
    "GET /api/v1/casework/cases/{case_id}/investigations": {"case_id": "@case"},
    "GET /api/v1/casework/cases/{case_id}/decisions": {"case_id": "@case"},
    "GET /api/v1/casework/cases/{case_id}/orders": {"case_id": "@case"},
    "GET /api/v1/casework/investigations/{investigation_id}": {"investigation_id": "@investigation"},
    "GET /api/v1/casework/decisions/{decision_id}": {"decision_id": "@decision"},
    "GET /api/v1/casework/cases/{case_id}/appeals": {"case_id": "@case"},
    "GET /api/v1/casework/ivo-report": {"?": "quarter=2024-3"},
    "GET /api/v1/casework/decisions/{decision_id}/follow-ups": {"decision_id": "@decision"},
    "GET /api/v1/casework/statistics": {"?": "quarter=2024-3"},
    "GET /api/v1/quality/deviations/{deviation_id}": {"deviation_id": "@deviation"},
    "GET /api/v1/quality/lex-sarah/{report_id}": {"report_id": "@lex_sarah"},
    "GET /api/v1/quality/feedback/{feedback_id}": {"feedback_id": "@feedback"},
    "GET /api/v1/quality/incidents/{incident_id}": {"incident_id": "@incident"},
    "GET /api/v1/quality/vb-table": {"?": "unit_id=@provider&year=@year"},
    "GET /api/v1/governance/plans/{plan_id}/goals": {"plan_id": "@governance_plan"},
    "GET /api/v1/governance/goals/{goal_id}": {"goal_id": "@goal"},
    "GET /api/v1/governance/goals/{goal_id}/indicator-table": {"goal_id": "@goal"},
    "GET /api/v1/governance/values": {"?": "unit_id=@provider&year=@year"},
    "GET /api/v1/governance/documents/{document_id}": {"document_id": "@document"},
    "GET /api/v1/governance/documents/{document_id}/file": {"document_id": "@document"},
    "GET /api/v1/rostering/shifts": [
        {"?": SHIFT_WINDOW, "#": "all"},
        {"?": f"{SHIFT_WINDOW}&client_id=@client", "#": "one client"},
    ],
    "GET /api/v1/rostering/shifts/mine": {"?": SHIFT_WINDOW},
    "GET /api/v1/rostering/shifts/{shift_id}": {"shift_id": "@shift"},
    "GET /api/v1/rostering/shifts/{shift_id}/candidates": {"shift_id": "@open_shift"},
    "GET /api/v1/rostering/need-patterns": [{"#": "all"}, {"?": "client_id=@client", "#": "one client"}],
    "GET /api/v1/rostering/orders/{order_id}/need-proposal": {"order_id": "@order"},
    "GET /api/v1/rostering/occasions": [
        {"?": "start=@today&end=@in_a_month", "#": "all"},
        {"?": "start=@today&end=@in_a_month&client_id=@client", "#": "one client"},
    ],
    "GET /api/v1/timereports/mine": {"?": "month=@this_month"},
    "GET /api/v1/economy/units/{unit_id}/years/{year}": {"unit_id": "@provider", "year": "@year"},
    "GET /api/v1/economy/units/{unit_id}/invoices": {"unit_id": "@provider", "?": "year=@year"},
    "GET /api/v1/economy/units/{unit_id}/invoices/{invoice_id}": {"unit_id": "@provider", "invoice_id": "@invoice"},
    "GET /api/v1/economy/units/{unit_id}/payroll/{month}": {"unit_id": "@provider", "month": "@last_month"},
    "GET /api/v1/timereports/worked-times/{worked_time_id}": {"worked_time_id": "@worked_time"},
    "GET /api/v1/timereports/units/{unit_id}/months/{month}": {"unit_id": "@provider", "month": "@this_month"},
    "GET /api/v1/timereports/units/{unit_id}/months/{month}/close": {"unit_id": "@provider", "month": "@this_month"},
    "GET /api/v1/timereports/units/{unit_id}/months/{month}/fk-reports": {
        "unit_id": "@provider",
        "month": "@this_month",
    },
    "GET /api/v1/timereports/fk-reports/{report_id}": {"report_id": "@fk_report"},
    "GET /api/v1/timereports/fk-reports/{report_id}/xml": {"report_id": "@fk_report"},
    "GET /api/v1/rostering/jobs": {"?": "unit_id=@provider"},
    "GET /api/v1/rostering/jobs/{job_id}": {"job_id": "@job"},
    "GET /api/v1/rostering/jobs/{job_id}/proposal": {"job_id": "@job"},
    "GET /api/v1/surveys/{survey_id}": {"survey_id": "@survey"},
    "GET /api/v1/surveys/{survey_id}/invitations": {"survey_id": "@survey"},
    "GET /api/v1/surveys/{survey_id}/results": [
        {"survey_id": "@survey", "#": "default"},
        {"survey_id": "@survey", "?": "grouping=gender", "#": "by gender"},
    ],
}

ROUTES = page_routes(FILL) + api_routes(API_FILL)

# --- What answers differently on purpose -------------------------------------------------------------------

PUBLIC = {
    "core:login": "the sign-in page",
    "surveys:answer_start": "the survey's code page: answering needs no sign-in, the one-time code is the key",
    "surveys:answer": "the survey's answer page: no sign-in, the one-time code is the key (shows no name)",
    "core:logout": "signing out answers everyone (a GET shows the confirmation or redirects)",
    "rostering:offer": "an offered shift's one-time link (SMS/e-mail): no sign-in, the token is the key; "
    "it shows the time and the unit, never the client",
    "ownview:sign_in": "the own view's sign-in page (a client or representative: no staff account)",
    "ownview:sign_in_code": "the own view's code page (without a requested code it sends back to the sign-in)",
    "ownview:sign_in_sso": "the own view's e-legitimation sign-in (404 unless BISTA_OWNVIEW_SSO_HEADER is set)",
    "ownview:sign_out": "signing out of the own view (POST only)",
}
# The client's own view (Min sida): an own-view session only (the "ownview" persona, no Django user). Anonymous
# and every staff persona are sent to the own view's sign-in; the own-view persona reads its own client's data,
# logged with no staff user. The own-view persona, in turn, gets no staff route (test_own_view_session_...).
OWN_VIEW = {
    "ownview:home": "the client's plan, this week's visits and how to reach the unit",
    "ownview:feedback": "the feedback form (names the client's unit)",
}
OWN_VIEW_SIGN_IN = "/min-sida/logga-in/"
# Public routes that answer nobody here: the probe's owner check is skipped (the reason says where it is tested).
NO_OWNER = {
    "ownview:sign_in_sso": "answers only with the identity proxy's header and BISTA_OWNVIEW_SSO_HEADER set "
    "(ownview/tests/test_views.py)",
}
# Pages every signed-in user reaches (they show only the user's own things), so "no role" gets them too.
OPEN_TO_SIGNED_IN = {
    "core:two_factor": "one's own two-factor sign-in",
    "core:api_tokens": "one's own API keys (the page says when one may not create them)",
    "core:password_change": "one's own password",
    "overview:start": "the start page: the user's own units and shortcuts",
    "core:duty_rules": "reference data: the deadlines behind the duty list, for everyone to read",
    "GET /api/v1/absences": "the user's own absences (none without an employee record)",
    "rostering:my_schedule": "one's own shifts (none without an employee record)",
    "timereports:my_time": "one's own worked time (none without an employee record)",
    "timereports:unplanned": "one's own unplanned time (404 without an employee record)",
    "GET /api/v1/rostering/shifts/mine": "one's own shifts",
    "GET /api/v1/timereports/mine": "one's own worked time (404 without an employee record)",
    "GET /api/v1/working-time-regimes": "reference data",
    "GET /api/v1/competences": "reference data",
    "GET /api/v1/delegation-kinds": "reference data",
    "GET /api/v1/governance/indicators": "reference data: the indicator definitions",
    "GET /api/v1/units": "the units the user has a role in (none)",
    "GET /api/v1/teams": "the teams of the units the user has a role in (none)",
}
# Who owns a route when it is not the provider unit's manager.
OWNER = {
    "core:duty_rules": "sysadmin",
    "core:duty_rule_new_version": "sysadmin",
    "rostering:my_schedule": "assistant",
    "timereports:my_time": "assistant",
    "timereports:unplanned": "assistant",
    "GET /api/v1/rostering/shifts/mine": "assistant",
    # The purchaser's casework: its manager sees the unit's cases.
    "casework:case_detail": "purchaser",
    "casework:case_assign": "purchaser",
    "casework:case_target_group": "purchaser",
    "casework:investigation_start": "purchaser",
    "casework:decision_create": "purchaser",
    "casework:intake_first_contact": "purchaser",
    "casework:investigation_edit": "purchaser",
    "casework:investigation_draft": "purchaser",
    "casework:investigation_versions": "purchaser",
    "casework:investigation_consent": "purchaser",
    "casework:source_contacted": "purchaser",
    "casework:investigation_communicate": "purchaser",
    "casework:investigation_complete": "purchaser",
    "casework:decision_docx": "purchaser",
    "casework:decision_pdf": "purchaser",
    "casework:decision_received": "purchaser",
    "casework:order_create": "purchaser",
    "casework:order_executed": "purchaser",
    "casework:order_pdf": "purchaser",
    "casework:case_list": "purchaser",
    "casework:intake_create": "purchaser",
    "casework:appeal_register": "purchaser",
    "casework:appeal_forward": "purchaser",
    "casework:decision_delay": "purchaser",
    "casework:caseload": "purchaser",
    "casework:appeal_reconsider": "purchaser",
    "casework:appeal_judgment": "purchaser",
    "casework:follow_up_create": "purchaser",
    "casework:decision_end": "purchaser",
    "GET /api/v1/casework/decisions/{decision_id}/follow-ups": "purchaser",
    "casework:ivo_report": "purchaser",
    "casework:ivo_report_keep": "purchaser",
    "casework:ivo_report_export": "purchaser",
    "casework:council_statistics": "purchaser",
    "GET /api/v1/casework/ivo-report": "purchaser",
    "GET /api/v1/casework/statistics": "purchaser",
    "GET /api/v1/casework/cases/{case_id}": "purchaser",
    "GET /api/v1/casework/cases/{case_id}/intakes": "purchaser",
    "GET /api/v1/casework/cases/{case_id}/investigations": "purchaser",
    "GET /api/v1/casework/cases/{case_id}/decisions": "purchaser",
    "GET /api/v1/casework/cases/{case_id}/orders": "purchaser",
    "GET /api/v1/casework/investigations/{investigation_id}": "purchaser",
    "GET /api/v1/casework/decisions/{decision_id}": "purchaser",
    "GET /api/v1/casework/cases": "purchaser",
    "GET /api/v1/casework/cases/{case_id}/appeals": "purchaser",
    "GET /api/v1/timereports/mine": "assistant",
}
# GETs that show no client's data (a list of names is not a read of a record; opening one is logged).
NOT_CLIENT_DATA = {
    # A route's variant (its id) where only that variant shows no client's data.
    "core:picker_search[employees]": "the employee picker's matches: employees' names, no client's data",
    "core:picker_search[responsible deputies]": "the responsible-deputy picker's matches: managers' names",
    "core:login": "the sign-in page",
    "core:logout": "signing out",
    "core:two_factor": "two-factor sign-in",
    "core:api_tokens": "the user's API keys",
    "core:api_token_revoke": "a write (POST only)",
    "core:password_change": "one's own password",
    "core:two_factor_codes": "enrolment codes for the unit's users (no client data)",
    "core:duty_rules": "reference data",
    "core:duty_rule_new_version": "reference data",
    "overview:start": "the start page: counts and shortcuts",
    "overview:unit": "a unit: counts, teams and staff",
    "overview:team": "a team: its members and how many clients",
    "clients:list": "the list of names (a search by personnummer is logged in the selector)",
    "clients:create": "an empty form",
    "clients:export": "the export form; the download (POST) logs each client",
    "staff:list": "employees",
    "economy:overview": "the unit's money per month (no client)",
    "GET /api/v1/economy/units/{unit_id}/years/{year}": "the unit's money per month (no client)",
    "GET /api/v1/economy/units/{unit_id}/invoices": "invoice totals (no client)",
    "GET /api/v1/economy/units/{unit_id}/payroll/{month}": "employees' hours (no client)",
    "economy:budget": "the unit's budget",
    "economy:other_cost_add": "a write (POST only)",
    "economy:budget_import": "a write (POST only)",
    "economy:invoice_produce": "a write (POST only)",
    "economy:payroll": "employees' hours (no client)",
    "economy:payroll_export": "a write (POST only)",
    "economy:wage_terms": "employees' wage terms (no client)",
    "staff:create": "an empty form",
    "staff:card": "an employee: terms, competences, delegations (client names, no client data)",
    "staff:edit": "an employee",
    "staff:term_add": "an employee",
    "staff:competence_add": "an employee",
    "staff:competence_revoke": "an employee",
    "staff:delegation_add": "an employee",
    "staff:delegation_revoke": "an employee",
    "staff:introduction_add": "an employee",
    "staff:appraisal_add": "an employee",
    "staff:absences": "employees' absences",
    "staff:absence_create": "employees' absences",
    "staff:absence_edit": "an employee's absence",
    "staff:absence_end": "an employee's absence",
    "staff:absence_cancel": "an employee's absence",
    "rostering:roster": "the week's roster: who works where (each shift opened is logged)",
    "rostering:my_schedule": "the user's own shifts",
    "rostering:hours": "working hours per employee",
    "rostering:shift_create": "an empty form",
    "rostering:sick_call": "an empty form and the employees whose sick leave has shifts to cover",
    "rostering:offer": "an offered shift: its time and unit (no client)",
    "rostering:shift_request": "a write (POST only)",
    "rostering:sick_report": "a write (POST only)",
    "rostering:sick_call_assign": "a write (POST only)",
    "rostering:sick_call_offer": "a write (POST only)",
    "rostering:request_approve": "a write (POST only)",
    "rostering:request_decline": "a write (POST only)",
    "rostering:roster_settings": "a write (POST only)",
    "rostering:open_shifts": "open shifts: times and where",
    "rostering:jobs": "the list of optimiser runs",
    "rostering:job_status": "a run's progress",
    "rostering:job_stop": "a write (POST only)",
    "rostering:job_publish": "a write (POST only)",
    "rostering:job_discard": "a write (POST only)",
    "rostering:needs_index": "the list of names with counts",
    "rostering:indicators": "working-time figures",
    "timereports:my_time": "the user's own shifts and worked time",
    "timereports:unplanned": "the form: the names of the unit's clients, as on the shift form",
    "timereports:confirm": "a write (POST only)",
    "timereports:attest": "a write (POST only)",
    "timereports:unit_month": "figures per employee: no client",
    "timereports:month_lock": "a write (POST only)",
    "timereports:month_close": "the checklist: figures; a client named in a finding is logged by its selector "
    "(timereports/tests/test_month_close.py)",
    "timereports:month_reopen": "a write (POST only)",
    "log:index": "the access log's reviews",
    "log:sample": "the form to draw a sample",
    "care:todo": "the duty list: names and deadlines",
    "care:order_list": "the list of orders: names and dates",
    "care:order_create": "an empty form",
    "casework:case_list": "the caseload: names and dates (opening a case is logged)",
    "casework:intake_create": "an empty form (a choice of the unit's clients by name)",
    "casework:ivo_report": "IVO's report: pseudonymised codes, services and dates (opening a case is logged)",
    "casework:ivo_report_keep": "a write (POST only)",
    "casework:investigation_draft": "a write (POST only): the user's own autosaved copy",
    "casework:ivo_report_export": "IVO's report: pseudonymised codes, services and dates",
    "casework:council_statistics": "figures",
    "casework:caseload": "open cases per case officer: counts, no client",
    "care:deliveries": "the unit's deliveries per client: names and counts",
    "care:self_checks": "figures",
    "care:self_check_detail": "the names behind a figure (selfchecks.self_check_clients: not a read of records)",
    "governance:drilldown": "the names behind a figure, as on the self-check pages",
    "log:review": "the access log's own rows under review (who read whose record), itself audited",
    "care:emergency_export": "the form; the printout (POST) is logged",
    "care:record_pdf": "a write (POST only): the print is logged when the worker makes it",
    "care:export": "a print's progress: its kind and times, no name",
    "quality:deviation_list": "the list: dates, categories and status",
    "quality:deviation_report": "an empty form",
    "quality:lex_sarah_list": "the list: dates and status",
    "quality:lex_sarah_report": "an empty form",
    "quality:feedback_list": "the list: dates and kinds",
    "quality:feedback_create": "an empty form",
    "quality:incident_list": "personal data incidents: about the unit's handling, not a client",
    "quality:incident_create": "an empty form",
    "quality:incident_detail": "an incident (its text names no client)",
    "quality:incident_edit": "an incident",
    "quality:incident_imy": "an incident",
    "quality:routine_list": "the unit's routines",
    "quality:routine_create": "an empty form",
    "quality:routine_edit": "a routine",
    "quality:self_check_plan": "the self-check plan",
    "quality:self_check_item_create": "an empty form",
    "quality:self_check_result": "a self-check item",
    "quality:trends": "figures",
    "quality:vb_table": "figures",
    "quality:vb_assessment": "figures",
    "quality:vb_table_export": "figures",
    "quality:quality_report": "figures and the unit's texts",
    "quality:deviation_action_done": "a write (POST only)",
    "governance:index": "plans and goals",
    "governance:plan": "a plan",
    "governance:plan_edit": "a plan",
    "governance:plan_copy": "a plan",
    "governance:history_recompute": "a write (POST only)",
    "governance:goal_create": "a plan",
    "governance:values": "indicator values",
    "governance:section": "a plan's text",
    "governance:document_create": "a plan",
    "governance:preview": "a plan as PDF",
    "governance:goal": "a goal",
    "governance:goal_edit": "a goal",
    "governance:goal_indicator_add": "a goal",
    "governance:activity_create": "a goal",
    "governance:follow_up_save": "a goal",
    "governance:follow_up_draft": "a goal",
    "governance:follow_up_history": "a goal",
    "governance:indicator_analysis": "an indicator",
    "governance:activity_edit": "an activity",
    "governance:chart": "a chart",
    "governance:document": "a document",
    "governance:document_download": "a document",
    "governance:open_data": "open data: figures",
    "GET /api/v1/units": "units",
    "GET /api/v1/units/{unit_id}": "a unit",
    "GET /api/v1/teams": "teams",
    "GET /api/v1/teams/{team_id}": "a team",
    "GET /api/v1/clients": "the list of names (a search by personnummer is logged)",
    "GET /api/v1/employees": "employees",
    "GET /api/v1/employees/{employee_id}": "an employee",
    "GET /api/v1/employees/{employee_id}/terms": "an employee",
    "GET /api/v1/employees/{employee_id}/competences": "an employee",
    "GET /api/v1/employees/{employee_id}/delegations": "an employee",
    "GET /api/v1/employees/{employee_id}/introductions": "an employee",
    "GET /api/v1/employees/{employee_id}/appraisals": "an employee",
    "GET /api/v1/working-time-regimes": "reference data",
    "GET /api/v1/competences": "reference data",
    "GET /api/v1/delegation-kinds": "reference data",
    "GET /api/v1/absences": "employees' absences",
    "GET /api/v1/absences/{absence_id}": "an employee's absence",
    "GET /api/v1/care/duties": "the duty list: names and deadlines",
    "GET /api/v1/casework/cases": "the caseload: ids and dates (opening a case is logged)",
    "GET /api/v1/casework/ivo-report": "IVO's report: pseudonymised codes, services and dates",
    "GET /api/v1/casework/statistics": "figures",
    "GET /api/v1/quality/deviations": "the list (each record read is logged on its own)",
    "GET /api/v1/quality/lex-sarah": "the list",
    "GET /api/v1/quality/feedback": "the list",
    "GET /api/v1/quality/incidents": "incidents",
    "GET /api/v1/quality/incidents/{incident_id}": "an incident",
    "GET /api/v1/quality/vb-table": "figures",
    "GET /api/v1/governance/plans": "plans",
    "GET /api/v1/governance/plans/{plan_id}/goals": "goals",
    "GET /api/v1/governance/goals/{goal_id}": "a goal",
    "GET /api/v1/governance/indicators": "reference data",
    "GET /api/v1/governance/goals/{goal_id}/indicator-table": "figures",
    "GET /api/v1/governance/values": "figures",
    "GET /api/v1/governance/documents/{document_id}": "a document",
    "GET /api/v1/governance/documents/{document_id}/file": "a document",
    "GET /api/v1/rostering/shifts/mine": "the user's own shifts",
    "GET /api/v1/rostering/jobs": "optimiser runs",
    "GET /api/v1/timereports/mine": "the user's own shifts and worked time",
    "GET /api/v1/timereports/units/{unit_id}/months/{month}": "figures per employee: no client",
    "GET /api/v1/timereports/units/{unit_id}/months/{month}/close": "the checklist, as its page",
    "GET /api/v1/rostering/jobs/{job_id}": "a run's progress",
    "surveys:index": "the surveys: names, periods and status",
    "surveys:bank": "the question bank",
    "surveys:create": "an empty form",
    "surveys:year": "aggregates of a year's surveys (groups under the minimum hidden)",
    "surveys:detail": "a survey; to its managers, who has a code and whether it is used (names, never answers)",
    "surveys:status": "a write (POST only)",
    "surveys:invite": "the form: the names of the clients asked (the letters, a POST, are not a read of records)",
    "surveys:results": "aggregates only (groups under the minimum hidden)",
    "surveys:results_export": "aggregates only",
    "surveys:answer_start": "the code page",
    "surveys:answer": "the questions (no name)",
    "ownview:sign_in": "the sign-in form",
    "ownview:sign_in_code": "the code form",
    "ownview:sign_in_sso": "a sign-in (redirect)",
    "ownview:sign_out": "a write (POST only)",
    "GET /api/v1/surveys": "surveys",
    "GET /api/v1/surveys/{survey_id}": "a survey",
    "GET /api/v1/surveys/{survey_id}/invitations": "client ids asked and whether the code is used (never answers)",
    "GET /api/v1/surveys/{survey_id}/results": "aggregates only",
}
# Routes (or variants) a helper of this issue fixes elsewhere: the probe skips them with the reason.
KNOWN: dict[str, str] = {}


def _key(route: Route) -> str:
    return route.name


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One world for the module's probes, rolled back afterwards; PDFs are rendered as their HTML."""
    patcher = pytest.MonkeyPatch()
    html_instead_of_pdf(patcher)
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        built = build_world()
        yield built
        transaction.set_rollback(True)
    patcher.undo()


def _get(world: World, who: str | None, route: Route) -> Any:
    browser = HttpClient() if who is None else world.browsers[who]
    browser.raise_request_exception = False
    return browser.get(route.path(world.ids))


def _route_or_skip(route: Route) -> None:
    if route.unfillable:
        pytest.fail(f"{route.id}: {route.unfillable}")
    for key in (route.id, route.name):
        if key in KNOWN:
            pytest.skip(KNOWN[key])


def _names_in(text: str) -> bool:
    return FIRST_NAME in text or LAST_NAME in text


def _refused(status: int) -> bool:
    """403/404; 405 (a write-only route reads nothing); 400 (a form refusing another unit's id)."""
    return status in (400, 403, 404, 405)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.id)
def test_access_matrix(world: World, route: Route) -> None:
    """Anonymous → sign in (401 on the API); no role and another unit → refused, the client's name absent;
    the owner → an answer; the purchaser → none of the provider's own documentation; the controller → no
    client's name. Every problem of the route is reported at once."""
    _route_or_skip(route)
    if route.name in OWN_VIEW:
        _own_view_matrix(world, route)
        return
    problems = []

    anonymous = _get(world, None, route)
    if route.name in PUBLIC:
        pass
    elif route.api:
        if anonymous.status_code != 401:
            problems.append(f"anonymous: {anonymous.status_code}, expected 401")
    elif anonymous.status_code != 302 or not anonymous["Location"].startswith(LOGIN):
        problems.append(f"anonymous: {anonymous.status_code} {anonymous.get('Location', '')}, expected sign-in")

    for who in ("nobody", "other_unit"):
        response = _get(world, who, route)
        text = body_text(response)
        if response.status_code >= 500:
            problems.append(f"{who}: {response.status_code}")
        if _names_in(text):
            problems.append(f"{who}: the client's name is shown ({response.status_code})")
        if route.name in PUBLIC or route.name in OPEN_TO_SIGNED_IN:
            continue
        if (who == "nobody" or route.has_ids) and not _refused(response.status_code):
            problems.append(f"{who}: {response.status_code}, expected 403/404")

    owner = OWNER.get(route.name, "owner")
    response = _get(world, owner, route)
    if response.status_code >= 400 and response.status_code != 405 and route.name not in NO_OWNER:
        problems.append(f"{owner} (owner): {response.status_code}")

    for who in ("purchaser", "case_officer"):
        response = _get(world, who, route)
        text = body_text(response)
        if response.status_code >= 500:
            problems.append(f"{who}: {response.status_code}")
        leaked = sorted(word for word in PROVIDER_SECRETS.values() if word in text)
        if leaked:
            problems.append(f"{who}: the provider's documentation is shown: {leaked}")

    response = _get(world, "controller", route)
    if response.status_code >= 500:
        problems.append(f"controller: {response.status_code}")
    if _names_in(body_text(response)):
        problems.append(f"controller: the client's name is shown ({response.status_code})")

    assert not problems, f"{route.id} ({route.path(world.ids)}):\n  " + "\n  ".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.id)
def test_client_data_reads_are_logged(world: World, route: Route) -> None:
    """The owner's GET of a route that shows the client's data writes an access-log row for the client."""
    _route_or_skip(route)
    if route.name in NOT_CLIENT_DATA or route.id in NOT_CLIENT_DATA or route.name in OWN_VIEW:
        return  # the own view's reads: _own_view_matrix
    owner = world.users[OWNER.get(route.name, "owner")]
    before = AccessLogEntry.objects.filter(client=world.client, actor=owner).count()
    response = _get(world, OWNER.get(route.name, "owner"), route)
    if response.status_code == 405 or 300 <= response.status_code < 400:
        return  # a write-only route, or a GET that sends elsewhere: nothing is shown
    assert response.status_code < 400, (route.id, response.status_code)
    after = AccessLogEntry.objects.filter(client=world.client, actor=owner).count()
    assert after > before, f"{route.id} ({route.path(world.ids)}): the read of the client's data is not logged"


def _own_view_matrix(world: World, route: Route) -> None:
    """An own-view route: anonymous and every staff persona → the own view's sign-in, nothing shown; the own-view
    persona → its client's page, and the read logged with no staff user and the sign-in named."""
    problems = []
    for who in (None, "nobody", "other_unit", "owner", "purchaser", "case_officer", "controller", "sysadmin"):
        response = _get(world, who, route)
        if response.status_code != 302 or response["Location"] != OWN_VIEW_SIGN_IN:
            problems.append(f"{who or 'anonymous'}: {response.status_code} {response.get('Location', '')}")
        if _names_in(body_text(response)):
            problems.append(f"{who or 'anonymous'}: the client's name is shown")
    before = AccessLogEntry.objects.filter(client=world.client, actor=None, action="ownview").count()
    response = _get(world, "ownview", route)
    if response.status_code != 200 or (FIRST_NAME not in body_text(response) and route.name == "ownview:home"):
        problems.append(f"ownview: {response.status_code}")
    rows = AccessLogEntry.objects.filter(client=world.client, actor=None, action="ownview")
    if rows.count() != before + 1 or f"inloggning {world.ids['ownview_signin']}" not in rows.latest("id").detail:
        problems.append("ownview: the read is not logged (one row, naming the sign-in)")
    assert not problems, f"{route.id} ({route.path(world.ids)}):\n  " + "\n  ".join(problems)


@pytest.fixture(autouse=True)
def _own_view_never_idle(settings: Any) -> None:
    """The module's own-view session lives as long as the module (the idle timeout: ownview/tests)."""
    settings.BISTA_OWNVIEW_IDLE_SECONDS = 24 * 3600


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.id)
def test_an_own_view_session_opens_no_staff_route(world: World, route: Route) -> None:
    """The own-view persona (an own-view session, no Django user) on every route that is not the own view's or
    public: a page sends it to the staff sign-in, the API answers 401; never the client's name, never a 5xx."""
    _route_or_skip(route)
    if route.name in OWN_VIEW or route.name in PUBLIC:
        return
    response = _get(world, "ownview", route)
    if route.api:
        assert response.status_code == 401, (route.id, response.status_code)
    else:
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), (
            route.id,
            response.status_code,
            response.get("Location", ""),
        )
    assert not _names_in(body_text(response)), route.id


def test_the_fill_tables_name_real_routes() -> None:
    """Exemption lists naming a route that no longer exists are out of date."""
    names = {route.name for route in ROUTES}
    for table in (PUBLIC, OPEN_TO_SIGNED_IN, OWNER, NOT_CLIENT_DATA, KNOWN, OWN_VIEW, NO_OWNER):
        stale = sorted(set(table) - names - {route.id for route in ROUTES})
        assert not stale, stale
