"""Writes of appeals (överklagande): registration, reconsideration, forwarding to the court, the judgment and
the new decision a change leads to."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.casework import rules
from bista.casework.actions import AuditAction
from bista.casework.models import (
    Appeal,
    Decision,
)
from bista.casework.services.common import _not_in_future, _person
from bista.casework.services.decisions import appeal_period_amount, decision_make
from bista.core import audit
from bista.core.access import check_perm
from bista.core.permissions import Perm

# --- Appeals ----------------------------------------------------------------------------------------


def _appeal_step_date(on: datetime.date, field: str, after: datetime.date, label: str) -> None:
    _not_in_future(on, field)
    if on < after:
        raise ValidationError({field: f"Datumet kan inte vara före {label} ({after:%Y-%m-%d})."})


def _changed_by(appeal: Appeal, new_decision: Decision | None, field: str) -> None:
    """A change is a new decision that supersedes the appealed one (made with decision_make first)."""
    if new_decision is None or new_decision.supersedes_id != appeal.decision_id:
        raise ValidationError({field: "Ange det nya beslut som ersätter det överklagade beslutet."})


@transaction.atomic
def appeal_register(*, actor: Any, decision: Decision, received_on: datetime.date) -> Appeal:
    """Register an appeal. Its timeliness is checked against the date the person received the decision; a
    late appeal is still registered, marked as late."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    _appeal_step_date(received_on, "received_on", decision.decision_date, "beslutet")
    weeks = appeal_period_amount(decision.decision_date)
    appeal = Appeal(
        decision=decision,
        received_on=received_on,
        timely=rules.appeal_is_timely(decision.received_on, received_on, weeks),
        registered_by=_person(actor),
    )
    return audit.save_new(
        appeal,
        actor=actor,
        action=AuditAction.APPEAL_REGISTER,
        fields=("decision", "received_on", "timely"),
        unit=decision.case.unit,
        exclude=["registered_by"],
    )


def _locked_appeal(actor: Any, appeal: Appeal) -> Appeal:
    check_perm(actor, Perm.CASEWORK_MANAGE, appeal.decision.case.unit)
    return Appeal.objects.select_for_update().select_related("decision__case__unit").get(pk=appeal.pk)


def _save_appeal(actor: Any, appeal: Appeal, action: str, fields: tuple[str, ...]) -> Appeal:
    appeal.save(update_fields=list(fields))
    audit.record(
        actor=actor, action=action, obj=appeal, new=audit.snapshot(appeal, fields), unit=appeal.decision.case.unit
    )
    return appeal


@transaction.atomic
def appeal_reconsider(
    *, actor: Any, appeal: Appeal, outcome: str, on: datetime.date, new_decision: Decision | None = None
) -> Appeal:
    """The purchaser's own reconsideration (omprövning, FL 39 §): changed (with the new decision) or not."""
    locked = _locked_appeal(actor, appeal)
    if locked.reconsideration:
        raise ValidationError({"outcome": "Omprövningen är redan registrerad."})
    if outcome not in Appeal.Reconsideration.values:
        raise ValidationError({"outcome": "Välj om beslutet ändras eller inte."})
    _appeal_step_date(on, "on", locked.received_on, "överklagandet")
    if outcome == Appeal.Reconsideration.CHANGED:
        _changed_by(locked, new_decision, "new_decision")
        locked.new_decision = new_decision
    locked.reconsideration, locked.reconsidered_on = outcome, on
    return _save_appeal(
        actor, locked, AuditAction.APPEAL_RECONSIDER, ("reconsideration", "reconsidered_on", "new_decision")
    )


@transaction.atomic
def appeal_forward(*, actor: Any, appeal: Appeal, on: datetime.date) -> Appeal:
    """The appeal sent on to the administrative court (a duty: without delay)."""
    locked = _locked_appeal(actor, appeal)
    if locked.forwarded_on is not None:
        raise ValidationError({"on": "Överklagandet är redan överlämnat."})
    _appeal_step_date(on, "on", locked.reconsidered_on or locked.received_on, "föregående steg")
    locked.forwarded_on = on
    return _save_appeal(actor, locked, AuditAction.APPEAL_FORWARD, ("forwarded_on",))


@transaction.atomic
def appeal_judgment(
    *,
    actor: Any,
    appeal: Appeal,
    judgment: str,
    on: datetime.date,
    new_decision: Decision | None = None,
    further_appeal_on: datetime.date | None = None,
) -> Appeal:
    """The court's judgment; a change by the court is recorded as the new decision it led to. A further
    appeal of the judgment (to kammarrätten) is recorded by its date."""
    locked = _locked_appeal(actor, appeal)
    if locked.forwarded_on is None:
        raise ValidationError({"judgment": "Överklagandet har inte överlämnats till domstolen."})
    if locked.judgment:
        raise ValidationError({"judgment": "Domen är redan registrerad."})
    if judgment not in Appeal.Judgment.values:
        raise ValidationError({"judgment": "Välj domens utfall."})
    _appeal_step_date(on, "on", locked.forwarded_on, "överlämnandet")
    if further_appeal_on is not None:
        _appeal_step_date(further_appeal_on, "further_appeal_on", on, "domen")
    if judgment == Appeal.Judgment.CHANGED:
        if locked.new_decision_id is not None:
            raise ValidationError({"judgment": "Beslutet är redan ändrat vid omprövningen."})
        _changed_by(locked, new_decision, "new_decision")
        locked.new_decision = new_decision
    locked.judgment, locked.judgment_on, locked.further_appeal_on = judgment, on, further_appeal_on
    return _save_appeal(
        actor, locked, AuditAction.APPEAL_JUDGMENT, ("judgment", "judgment_on", "further_appeal_on", "new_decision")
    )


# --- A change on appeal: a new decision superseding the appealed one ---------------------------------------


def _changed_decision(
    *, actor: Any, appeal: Appeal, decision_date: datetime.date, values: Mapping[str, Any], by_court: bool = False
) -> Decision:
    """The new decision a change leads to (reconsideration or judgment), on the same service and application,
    superseding the appealed decision; the decider's delegation is checked as for any decision."""
    old = appeal.decision
    return decision_make(
        actor=actor,
        case=old.case,
        intake=old.intake,
        investigation=old.investigation,
        service=old.service,
        supersedes=old,
        decision_date=decision_date,
        by_court=by_court,
        **values,
    )


@transaction.atomic
def appeal_reconsider_with_decision(
    *, actor: Any, appeal: Appeal, outcome: str, on: datetime.date, new_decision: Mapping[str, Any] | None = None
) -> Appeal:
    """Omprövning recorded from the page or API: changed (the new decision made now from `new_decision`:
    outcome, scope, period, reasons) or not changed. Either everything is saved or nothing."""
    new = None
    if outcome == Appeal.Reconsideration.CHANGED:
        if not new_decision:
            raise ValidationError({"new_decision": "Ange det nya beslutet när beslutet ändras."})
        new = _changed_decision(actor=actor, appeal=appeal, decision_date=on, values=new_decision)
    return appeal_reconsider(actor=actor, appeal=appeal, outcome=outcome, on=on, new_decision=new)


@transaction.atomic
def appeal_judgment_with_decision(
    *,
    actor: Any,
    appeal: Appeal,
    judgment: str,
    on: datetime.date,
    further_appeal_on: datetime.date | None = None,
    new_decision: Mapping[str, Any] | None = None,
) -> Appeal:
    """The court's judgment recorded from the page or API; a change by the court creates the new decision
    (dated the judgment's day) that supersedes the appealed one. Either everything is saved or nothing."""
    new = None
    if judgment == Appeal.Judgment.CHANGED:
        if not new_decision:
            raise ValidationError({"new_decision": "Ange det nya beslutet enligt domen."})
        locked = Appeal.objects.get(pk=appeal.pk)
        if locked.forwarded_on is None:
            raise ValidationError({"judgment": "Överklagandet har inte överlämnats till domstolen."})
        new = _changed_decision(actor=actor, appeal=appeal, decision_date=on, values=new_decision, by_court=True)
    return appeal_judgment(
        actor=actor, appeal=appeal, judgment=judgment, on=on, new_decision=new, further_appeal_on=further_appeal_on
    )
