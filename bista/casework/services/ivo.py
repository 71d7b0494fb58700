"""Writes of ej verkställda beslut: why a decision is not executed yet, and the quarterly report to IVO kept as sent."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.casework import rules, selectors
from bista.casework.actions import AuditAction
from bista.casework.models import (
    Decision,
    ExecutionDelay,
    IvoReport,
    IvoReportRow,
)
from bista.casework.services.common import _not_in_future, _person, _purchaser
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm

# --- Ej verkställda beslut ----------------------------------------------------------------------------


def _delay_errors(
    decision: Decision, *, reason: str, recorded_on: datetime.date, offer_declined_on: datetime.date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not decision.is_favourable:
        errors["decision"] = "Ett avslagsbeslut verkställs inte."
    if reason not in ExecutionDelay.Reason.values:
        errors["reason"] = "Välj skälet till dröjsmålet."
    if recorded_on < decision.decision_date:
        errors["recorded_on"] = f"Datumet kan inte vara före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
    if offer_declined_on is not None and offer_declined_on < decision.decision_date:
        errors["offer_declined_on"] = (
            f"Erbjudandet kan inte ha avböjts före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
        )
    if reason == ExecutionDelay.Reason.DECLINED and offer_declined_on is None:
        errors["offer_declined_on"] = "Ange när den enskilde tackade nej till erbjudandet."
    return errors


@transaction.atomic
def delay_record(
    *,
    actor: Any,
    decision: Decision,
    reason: str,
    recorded_on: datetime.date,
    note: str = "",
    offer_declined_on: datetime.date | None = None,
) -> ExecutionDelay:
    """Why a favourable decision is not executed yet (for IVO's report); the latest note counts."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    errors = _delay_errors(decision, reason=reason, recorded_on=recorded_on, offer_declined_on=offer_declined_on)
    if errors:
        raise ValidationError(errors)
    _not_in_future(recorded_on, "recorded_on")
    _not_in_future(offer_declined_on, "offer_declined_on")
    delay = ExecutionDelay(
        decision=decision,
        recorded_on=recorded_on,
        reason=reason,
        note=note.strip(),
        offer_declined_on=offer_declined_on,
        recorded_by=_person(actor),
    )
    return audit.save_new(
        delay,
        actor=actor,
        action=AuditAction.DECISION_DELAY,
        fields=("decision", "recorded_on", "reason", "note", "offer_declined_on"),
        unit=decision.case.unit,
        exclude=["recorded_by"],
    )


@transaction.atomic
def ivo_report_keep(*, actor: Any, unit: Unit, quarter: rules.Quarter) -> IvoReport:
    """Keep what is reported to IVO for the quarter, as reported: a copy of each individual report. Reporting
    the same quarter again makes a new revision (the earlier one stays). A quarter not yet begun is refused."""
    check_perm(actor, Perm.CASEWORK_VIEW_ALL, unit)
    _purchaser(unit)
    today = clock.today()
    if not rules.quarter_is_reportable(quarter, today):
        raise ValidationError({"quarter": f"Kvartalet {quarter.label} har inte börjat: det kan inte rapporteras."})
    # Lock the unit, not the reports: before the first revision there is no report row to lock, and two first
    # saves would both take revision 1.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    previous = IvoReport.objects.filter(unit=unit, year=quarter.year, quarter=quarter.number)
    revision = (max((r.revision for r in previous), default=0)) + 1
    report = IvoReport(
        unit=unit,
        year=quarter.year,
        quarter=quarter.number,
        revision=revision,
        reported_on=today,
        reported_by=_person(actor),
    )
    report.save()
    rows = selectors.ivo_rows(unit, quarter)
    IvoReportRow.objects.bulk_create(
        IvoReportRow(
            report=report,
            decision=row.decision,
            kind=row.report.kind,
            pseudonym=row.pseudonym,
            gender=row.gender,
            service_code=row.decision.service.code,
            service_name=row.decision.service.name[:200],
            legal_reference=row.decision.service.legal_reference[:100],
            decision_date=row.decision.decision_date,
            interrupted_on=row.report.since if row.report.kind == rules.INTERRUPTED else None,
            reason=row.delay.reason if row.delay else "",
            note=row.delay.note if row.delay else "",
            offer_declined_on=row.delay.offer_declined_on if row.delay else None,
            final_on=row.report.final_on,
            final_kind=row.report.final_kind,
        )
        for row in rows
    )
    audit.record(
        actor=actor,
        action=AuditAction.IVO_REPORT_KEEP,
        obj=report,
        new={"year": quarter.year, "quarter": quarter.number, "revision": revision, "rows": len(rows)},
        unit=unit,
    )
    return report
