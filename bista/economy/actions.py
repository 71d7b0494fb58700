"""The economy context's declared audit actions (registered in `apps.py`; see `bista.core.actions`)."""

from __future__ import annotations

import enum


class AuditAction(enum.StrEnum):
    WAGE_TERM_CREATE = "wage_term.create"
    RAISED_AMOUNT_CREATE = "raised_amount.create"
    BUDGET_SAVE = "budget.save"
    OTHER_COST_CREATE = "other_cost.create"
    INVOICE_CREATE = "invoice.create"
    INVOICE_CREDIT = "invoice.credit"
    PAYROLL_EXPORT = "payroll.export"
