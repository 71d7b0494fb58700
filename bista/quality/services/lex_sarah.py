"""Writes of Lex Sarah reports: report, then each step of the investigation in its order, each step's own checks."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.clients.models import Client
from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.quality import rules
from bista.quality.models import (
    LexSarahReport,
)
from bista.quality.services.common import _check_client, _not_in_future, _person, _required, _save, _strip

LEX_SARAH_AUDITED = (
    "status",
    "registered_at",
    "remedy",
    "remedied_at",
    "investigation_events",
    "client_view",
    "causes",
    "preventive_actions",
    "client_informed_on",
    "assessment",
    "serious",
    "assessment_reason",
    "ivo_notified_on",
    "ivo_reference",
    "decision",
    "decided_on",
    "closed_at",
)


@transaction.atomic
def lex_sarah_report(
    *,
    actor: Any,
    unit: Unit,
    what_happened: str,
    occurred_at: datetime.datetime,
    client: Client | None = None,
    reported_at: datetime.datetime | None = None,
) -> LexSarahReport:
    """Anyone who works in the unit reports a missförhållande or a risk of one, genast."""
    check_perm(actor, Perm.QUALITY_REPORT, unit)
    reported_at = reported_at or clock.now()
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise ValidationError({"what_happened": "Beskriv vad som har hänt."})
    if occurred_at > reported_at:
        raise ValidationError({"occurred_at": "Händelsen kan inte ha inträffat efter att den rapporterades."})
    _check_client(actor, client, unit)
    report = LexSarahReport.objects.create(
        unit=unit,
        client=client,
        reported_by=_person(actor),
        reported_at=reported_at,
        occurred_at=occurred_at,
        what_happened=what_happened,
    )
    audit.record(actor=actor, action="lex_sarah.report", obj=report, new={"client": client and client.pk}, unit=unit)
    return report


def _advance(report: LexSarahReport, step: str) -> None:
    allowed = rules.lex_sarah_next_steps(report.status, serious=report.serious)
    if step not in allowed:
        current = LexSarahReport.Status(report.status).label
        raise ValidationError(
            {"status": f"Steget kan inte tas nu: rapporten är {current.lower()}. Inget steg får hoppas över."}
        )
    report.status = step


@transaction.atomic
def lex_sarah_step(
    *,
    actor: Any,
    report: LexSarahReport,
    step: str,
    expected_version: int | None,
    at: datetime.datetime | None = None,
    **values: Any,
) -> LexSarahReport:
    """Take the next step of a report: registered, remedied, investigated, assessed, notified, closed.

    Each step has its own required fields; `at` is for the demo's history only.
    """
    check_perm(actor, Perm.QUALITY_MANAGE, report.unit)
    locked = lock_for_edit(LexSarahReport, report.pk, expected_version)
    at = at or clock.now()
    _not_in_future(at, "at")
    previous = max(
        t
        for t in (
            locked.reported_at,
            locked.registered_at,
            locked.remedied_at,
            locked.investigated_at,
            locked.assessed_at,
        )
        if t
    )
    if at < previous:
        raise ValidationError({"at": "Steget kan inte dateras före föregående steg."})
    old = audit.snapshot(locked, LEX_SARAH_AUDITED)
    values = _strip(values)
    fields = LEX_SARAH_STEP_FIELDS.get(step)
    if fields is None:
        raise ValidationError({"status": "Okänt steg."})
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"not part of step {step}: {sorted(unknown)}")
    _LEX_SARAH_STEP_CHECKS[step](locked, values)
    for name, value in values.items():
        setattr(locked, name, value)
    _advance(locked, step)
    person = _person(actor)
    if step == "registered":
        locked.registered_at, locked.registered_by = at, person
    elif step == "remedied":
        locked.remedied_at = at
    elif step == "investigated":
        locked.investigated_at, locked.investigated_by = at, person
    elif step == "assessed":
        locked.assessed_at, locked.assessed_by = at, person
    elif step == "closed":
        locked.closed_at, locked.decided_by = at, person
    return _save(actor, locked, old, LEX_SARAH_AUDITED, f"lex_sarah.{step}")  # type: ignore[no-any-return]


def _check_registered(report: LexSarahReport, values: dict[str, Any]) -> None:
    return None


def _check_remedied(report: LexSarahReport, values: dict[str, Any]) -> None:
    _required(values, {"remedy": "Omedelbara åtgärder"})


def _check_investigated(report: LexSarahReport, values: dict[str, Any]) -> None:
    _required(
        values,
        {
            "investigation_events": "Vad har hänt",
            "client_view": "Brukarens uppfattning",
            "causes": "Orsaker",
            "preventive_actions": "Åtgärder för att förhindra att det händer igen",
        },
    )
    _not_in_future(values.get("client_informed_on"), "client_informed_on")


def _check_assessed(report: LexSarahReport, values: dict[str, Any]) -> None:
    assessment = values.get("assessment")
    if assessment not in LexSarahReport.Assessment.values:
        raise ValidationError({"assessment": "Välj en bedömning."})
    if values.get("serious") is None:
        raise ValidationError({"serious": "Ange om missförhållandet eller risken är allvarlig."})
    if assessment == LexSarahReport.Assessment.NOT_IMPROPRIETY and values["serious"]:
        raise ValidationError({"serious": "Det som inte är ett missförhållande kan inte bedömas som allvarligt."})
    _required(values, {"assessment_reason": "Motivering"})


def _check_notified(report: LexSarahReport, values: dict[str, Any]) -> None:
    if not report.serious:
        raise ValidationError({"ivo_notified_on": "Bara en rapport som bedömts som allvarlig anmäls till IVO."})
    if values.get("ivo_notified_on") is None:
        raise ValidationError({"ivo_notified_on": "Ange när anmälan skickades."})
    _not_in_future(values["ivo_notified_on"], "ivo_notified_on")
    if report.assessed_at and values["ivo_notified_on"] < clock.local_date(report.assessed_at):
        raise ValidationError({"ivo_notified_on": "Anmälan kan inte ha skickats före bedömningen."})


def _check_closed(report: LexSarahReport, values: dict[str, Any]) -> None:
    _required(values, {"decision": "Beslut"})
    if values.get("decided_on") is None:
        raise ValidationError({"decided_on": "Ange beslutsdatum."})
    _not_in_future(values["decided_on"], "decided_on")


LEX_SARAH_STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "registered": (),
    "remedied": ("remedy",),
    "investigated": ("investigation_events", "client_view", "causes", "preventive_actions", "client_informed_on"),
    "assessed": ("assessment", "serious", "assessment_reason"),
    "notified": ("ivo_notified_on", "ivo_reference"),
    "closed": ("decision", "decided_on"),
}
_LEX_SARAH_STEP_CHECKS = {
    "registered": _check_registered,
    "remedied": _check_remedied,
    "investigated": _check_investigated,
    "assessed": _check_assessed,
    "notified": _check_notified,
    "closed": _check_closed,
}
