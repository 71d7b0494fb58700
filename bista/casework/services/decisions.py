"""Writes of decisions: making one (checked against the delegation order), its receipt, follow-ups and its end."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.care import services as care_services
from bista.care.models import Service
from bista.casework import rules
from bista.casework.actions import AuditAction
from bista.casework.models import (
    Case,
    CaseOrder,
    Decision,
    DelegationRule,
    FollowUp,
    Intake,
    Investigation,
)
from bista.casework.services.common import _not_in_future, _person, _roles_in
from bista.core import audit
from bista.core.access import check_perm, valid_on
from bista.core.models import DutyRule, Role, Unit
from bista.core.permissions import Perm

DECISION_AUDITED = (
    "case",
    "intake",
    "investigation",
    "service",
    "outcome",
    "scope_amount",
    "scope_unit",
    "period_start",
    "period_end",
    "reasons",
    "decision_date",
    "decided_by",
    "decided_by_role",
    "supersedes",
)


# --- Decisions --------------------------------------------------------------------------------------


def delegation_facts(on: datetime.date) -> list[rules.Delegation]:
    """The delegation order in force on `on`, as plain facts for `rules.may_decide`."""
    return [
        rules.Delegation(
            role=row.role.code,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            act=row.act,
            service=row.service.code if row.service else "",
            outcome=row.outcome,
        )
        for row in DelegationRule.objects.filter(valid_on(on)).select_related("role", "service")
    ]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"scope_amount": "Ange omfattningen som ett tal."}) from None
    if not amount.is_finite():
        raise ValidationError({"scope_amount": "Ange omfattningen som ett tal."})
    return amount


def _check_delegation(
    *,
    decided_by: Any,
    unit: Unit,
    service: Service,
    outcome: str,
    on: datetime.date,
    delegations: list[rules.Delegation] | None = None,
    roles: set[str] | None = None,
) -> set[str]:
    """The decider's role codes on the decision date, if the delegation order lets them decide this.
    `delegations`: the order's rows already read (an import checks many decisions), else those in force;
    `roles`: likewise the decider's roles in the unit on `on` already read, else read here."""
    if roles is None:
        roles = _roles_in(decided_by, unit, on)
    facts = delegation_facts(on) if delegations is None else delegations
    if not rules.may_decide(facts, roles=roles, act=service.act, service=service.code, outcome=outcome, on=on):
        raise ValidationError(
            {"decided_by": "Beslutsfattaren har inte delegation att fatta det här beslutet (se delegationsordningen)."}
        )
    return roles


def _decision_scope(
    outcome: str,
    scope_amount: Any,
    scope_unit: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
) -> tuple[Decimal | None, str, datetime.date | None, datetime.date | None]:
    """The decision's scope and period as saved: none for a refusal."""
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": "Välj bifall, delvis bifall eller avslag."})
    amount = _decimal(scope_amount)
    if outcome == Decision.Outcome.REFUSED:
        return None, "", None, None
    return amount, scope_unit, period_start, period_end


def _decision_errors(
    *,
    service: Service,
    outcome: str,
    decision_date: datetime.date,
    applied_on: datetime.date,
    reasons: str,
    scope: tuple[Decimal | None, str, datetime.date | None, datetime.date | None],
    superseded_date: datetime.date | None,
) -> dict[str, str]:
    """What is wrong with a decision (its dates, scope, period, legal basis and reasons), field by field."""
    amount, scope_unit, period_start, period_end = scope
    errors = rules.decision_errors(
        outcome=outcome,
        decision_date=decision_date,
        applied_on=applied_on,
        scope_amount=amount,
        scope_unit=scope_unit,
        period_start=period_start,
        period_end=period_end,
        superseded_date=superseded_date,
    )
    if not service.in_force(decision_date):
        errors["service"] = "Lagrummet gällde inte på beslutsdatum."
    if not reasons.strip():
        errors["reasons"] = "Skriv beslutets motivering."
    return errors


def _communication_check(
    *, investigation: Investigation | None, outcome: str, decision_date: datetime.date, by_court: bool
) -> None:
    """Kommunicering before the decision (FL 25 §): the investigation's row is locked so that the date read is the
    one saved, and a decision that goes against the person is refused until it is recorded."""
    communicated_on = None
    if investigation is not None:
        communicated_on = (
            Investigation.objects.select_for_update().values_list("communicated_on", flat=True).get(pk=investigation.pk)
        )
    errors = rules.communication_errors(
        outcome=outcome,
        decision_date=decision_date,
        has_investigation=investigation is not None,
        communicated_on=communicated_on,
        by_court=by_court,
    )
    if errors:
        raise ValidationError({field: ValidationError(message, code=code) for field, (code, message) in errors.items()})


def _decider_name(decided_by: Any) -> str:
    return str(decided_by.get_full_name() or decided_by.username)[:200]


@transaction.atomic
def decision_make(
    *,
    actor: Any,
    case: Case,
    intake: Intake,
    service: Service,
    outcome: str,
    decision_date: datetime.date,
    reasons: str,
    scope_amount: Decimal | int | str | None = None,
    scope_unit: str = "",
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    investigation: Investigation | None = None,
    supersedes: Decision | None = None,
    decided_by: Any = None,
    by_court: bool = False,
) -> Decision:
    """Make a decision on one applied service. Refused: dated before the application, a scope of zero or
    less, a period ending before it starts, a decider without delegation, and one that goes against the person
    (avslag, delvis bifall) before the investigation was communicated with them (rules.communication_errors;
    `by_court`: the decision records a court's change, which the court decided). Superseding (omprövning) makes
    a new decision; the old one stays as it was."""
    check_perm(actor, Perm.CASEWORK_DECIDE, case.unit)
    decided_by = decided_by if decided_by is not None else _person(actor)
    if decided_by is None:
        raise ValidationError({"decided_by": "Ange vem som fattar beslutet."})
    scope = _decision_scope(outcome, scope_amount, scope_unit, period_start, period_end)
    if intake.case_id != case.pk:
        raise ValidationError({"intake": "Ansökan hör inte till ärendet."})
    if investigation is not None and investigation.case_id != case.pk:
        raise ValidationError({"investigation": "Utredningen hör inte till ärendet."})
    superseded_date = None
    if supersedes is not None:
        supersedes = Decision.objects.select_for_update().get(pk=supersedes.pk)
        if supersedes.case_id != case.pk:
            raise ValidationError({"supersedes": "Beslutet som ersätts hör inte till ärendet."})
        if Decision.objects.filter(supersedes=supersedes).exists():
            raise ValidationError({"supersedes": "Beslutet är redan ersatt av ett annat beslut."})
        superseded_date = supersedes.decision_date
    _not_in_future(decision_date, "decision_date")
    errors = _decision_errors(
        service=service,
        outcome=outcome,
        decision_date=decision_date,
        applied_on=intake.received_on,
        reasons=reasons,
        scope=scope,
        superseded_date=superseded_date,
    )
    if errors:
        raise ValidationError(errors)
    _communication_check(investigation=investigation, outcome=outcome, decision_date=decision_date, by_court=by_court)
    roles = _check_delegation(decided_by=decided_by, unit=case.unit, service=service, outcome=outcome, on=decision_date)
    role_names = ", ".join(Role.objects.filter(code__in=roles).order_by("name").values_list("name", flat=True))
    amount, scope_unit, period_start, period_end = scope
    decision = Decision(
        case=case,
        intake=intake,
        investigation=investigation,
        service=service,
        outcome=outcome,
        scope_amount=amount,
        scope_unit=scope_unit,
        period_start=period_start,
        period_end=period_end,
        reasons=reasons.strip(),
        decision_date=decision_date,
        decided_by=decided_by,
        decided_by_name=_decider_name(decided_by),
        decided_by_role=role_names[:100],
        supersedes=supersedes,
    )
    return audit.save_new(
        decision, actor=actor, action=AuditAction.DECISION_MAKE, fields=DECISION_AUDITED, unit=case.unit
    )


def _receipt_check(received_on: datetime.date, decision_date: datetime.date) -> None:
    if received_on < decision_date:
        raise ValidationError({"received_on": "Beslutet kan inte ha tagits emot före beslutsdatum."})


@transaction.atomic
def decision_receipt_record(*, actor: Any, decision: Decision, received_on: datetime.date) -> Decision:
    """The date the person received (tog del av) the decision: it starts the appeal period. Recorded once;
    the decision itself is never changed."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    _not_in_future(received_on, "received_on")
    if locked.received_on is not None:
        raise ValidationError({"received_on": "Datumet då beslutet togs emot är redan registrerat."})
    _receipt_check(received_on, locked.decision_date)
    locked.received_on = received_on
    locked.save(update_fields=["received_on"])
    audit.record(
        actor=actor,
        action=AuditAction.DECISION_RECEIVED,
        obj=locked,
        new={"received_on": received_on},
        unit=decision.case.unit,
    )
    return locked


def appeal_period_amount(on: datetime.date) -> int:
    """The appeal period in weeks under the rule in force on `on` (reference data casework.appeal)."""
    rule = DutyRule.objects.filter(valid_on(on), code="casework.appeal").order_by("-valid_from").first()
    return rule.amount if rule else 3


# --- Follow-up and ending a decision ---------------------------------------------------------------------


def _in_force(decision: Decision) -> None:
    errors = {}
    if not decision.is_favourable:
        errors["decision"] = "Ett avslagsbeslut följs inte upp och avslutas inte."
    elif Decision.objects.filter(supersedes=decision).exists():
        errors["decision"] = "Beslutet är ersatt av ett nytt beslut."
    elif Decision.objects.filter(pk=decision.pk, ended_on__isnull=False).exists():
        errors["decision"] = "Beslutet har redan upphört."
    if errors:
        raise ValidationError(errors)


def _follow_up_errors(
    decision_date: datetime.date, *, on: datetime.date, own_view: str, outcome: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not own_view.strip():
        errors["own_view"] = "Skriv den enskildes egen uppfattning."
    if outcome not in FollowUp.Outcome.values:
        errors["outcome"] = "Välj resultatet av uppföljningen."
    if on < decision_date:
        errors["on"] = f"Uppföljningen kan inte vara före beslutsdatum ({decision_date:%Y-%m-%d})."
    return errors


@transaction.atomic
def follow_up_record(
    *,
    actor: Any,
    decision: Decision,
    on: datetime.date,
    own_view: str,
    outcome: str,
    notes: str = "",
    done_by: Any = None,
) -> FollowUp:
    """Uppföljning of a decision in force: the person's own view and the outcome. It satisfies the yearly
    follow-up duty (casework.follow_up) from this date on."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    _in_force(decision)
    errors = _follow_up_errors(decision.decision_date, on=on, own_view=own_view, outcome=outcome)
    if errors:
        raise ValidationError(errors)
    _not_in_future(on, "on")
    done_by = done_by if done_by is not None else _person(actor)
    follow_up = FollowUp(
        decision=decision,
        on=on,
        own_view=own_view.strip(),
        outcome=outcome,
        notes=notes.strip(),
        done_by=done_by,
        done_by_name=((done_by.get_full_name() or done_by.username) if done_by else "")[:200],
    )
    return audit.save_new(
        follow_up,
        actor=actor,
        action=AuditAction.FOLLOW_UP_RECORD,
        fields=("decision", "on", "own_view", "outcome", "notes", "done_by"),
        unit=decision.case.unit,
        exclude=["done_by"],
    )


def _end_errors(decision_date: datetime.date, *, on: datetime.date, reason: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Ange varför beslutet upphör."
    if on < decision_date:
        errors["on"] = f"Beslutet kan inte upphöra före beslutsdatum ({decision_date:%Y-%m-%d})."
    return errors


@transaction.atomic
def decision_end(*, actor: Any, decision: Decision, on: datetime.date, reason: str) -> Decision:
    """End a decision in force (the need has ended, the person declines, moves …): the decision records the
    day and the reason (nothing else of it changes), and every open order from it at a provider in Bistå ends
    the same day through care.services.order_end_from_purchaser. A refusal there leaves nothing saved."""
    check_perm(actor, Perm.CASEWORK_MANAGE, decision.case.unit)
    locked = Decision.objects.select_for_update().select_related("case__unit").get(pk=decision.pk)
    _in_force(locked)
    errors = _end_errors(locked.decision_date, on=on, reason=reason)
    if errors:
        raise ValidationError(errors)
    _not_in_future(on, "on")
    locked.ended_on, locked.end_reason = on, reason.strip()[:200]
    locked.save(update_fields=["ended_on", "end_reason"])
    for order in CaseOrder.objects.filter(decision=locked, care_order__isnull=False).select_related("care_order"):
        care_order = order.care_order
        if care_order is not None and care_order.is_open:
            care_services.order_end_from_purchaser(
                actor=actor,
                purchaser=locked.case.unit,
                order=care_order,
                on=on,
                note=f"Beslutet upphör: {reason.strip()}",
            )
    audit.record(
        actor=actor,
        action=AuditAction.DECISION_END,
        obj=locked,
        new={"ended_on": on, "end_reason": locked.end_reason},
        unit=locked.case.unit,
    )
    return locked
