"""Writes of orders to providers (beställning): a Bistå provider receives a care order, an external one a letter."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.care import services as care_services
from bista.casework.actions import AuditAction
from bista.casework.models import (
    CaseOrder,
    Decision,
)
from bista.casework.services.common import _not_in_future, _person
from bista.core import audit
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm

ORDER_AUDITED = (
    "decision",
    "provider_unit",
    "external_provider",
    "care_order",
    "ordered_on",
    "free_choice_informed_on",
    "goals",
    "special_considerations",
)


# --- Orders to providers ----------------------------------------------------------------------------


def _order_errors(
    decision: Decision,
    *,
    superseded: bool,
    ordered_on: datetime.date,
    provider_unit: Unit | None,
    external_provider: str,
    free_choice_informed_on: datetime.date | None,
) -> dict[str, str]:
    """What is wrong with ordering the decided service (`superseded`: the decision was superseded by then)."""
    errors: dict[str, str] = {}
    if not decision.is_favourable:
        errors["decision"] = "Ett avslagsbeslut kan inte beställas."
    elif superseded:
        errors["decision"] = "Beslutet är ersatt av ett nytt beslut: beställ utifrån det."
    if (provider_unit is None) == (not external_provider):
        errors["provider_unit"] = "Välj en utförare i Bistå eller ange en extern utförare."
    if ordered_on < decision.decision_date:
        errors["ordered_on"] = f"Beställningen kan inte göras före beslutsdatum ({decision.decision_date:%Y-%m-%d})."
    if free_choice_informed_on is not None and free_choice_informed_on > ordered_on:
        errors["free_choice_informed_on"] = "Informationen om valfrihet lämnas före beställningen."
    if provider_unit is not None and provider_unit.kind != Unit.Kind.PROVIDER:
        errors["provider_unit"] = "Enheten är ingen utförarenhet."
    return errors


@transaction.atomic
def order_from_decision(
    *,
    actor: Any,
    decision: Decision,
    ordered_on: datetime.date,
    provider_unit: Unit | None = None,
    external_provider: str = "",
    free_choice_informed_on: datetime.date | None = None,
    goals: str = "",
    special_considerations: str = "",
) -> CaseOrder:
    """Order the decided service from the provider the person chose. A Bistå provider unit receives it as a
    care order in state received; an external provider gets the order letter and its execution date is
    entered here later. Refused for a refused or superseded decision."""
    case = decision.case
    check_perm(actor, Perm.CASEWORK_MANAGE, case.unit)
    external_provider = external_provider.strip()
    errors = _order_errors(
        decision,
        superseded=Decision.objects.filter(supersedes=decision).exists(),
        ordered_on=ordered_on,
        provider_unit=provider_unit,
        external_provider=external_provider,
        free_choice_informed_on=free_choice_informed_on,
    )
    if errors:
        raise ValidationError(errors)
    _not_in_future(ordered_on, "ordered_on")
    _not_in_future(free_choice_informed_on, "free_choice_informed_on")
    care_order = None
    if provider_unit is not None:
        assert decision.scope_amount is not None and decision.period_start is not None  # favourable
        officer = case.officer or _person(actor)
        care_order = care_services.order_receive(
            actor=actor,
            purchaser=case.unit,
            client=case.client,
            unit=provider_unit,
            service=decision.service,
            decision_date=decision.decision_date,
            received_on=ordered_on,
            scope_amount=decision.scope_amount,
            scope_unit=decision.scope_unit,
            period_start=decision.period_start,
            period_end=decision.period_end,
            goals=goals.strip(),
            special_considerations=special_considerations.strip(),
            case_officer=(officer.get_full_name() or officer.username) if officer else "",
        )
    order = CaseOrder(
        decision=decision,
        case=case,
        provider_unit=provider_unit,
        external_provider=external_provider,
        care_order=care_order,
        ordered_on=ordered_on,
        free_choice_informed_on=free_choice_informed_on,
        goals=goals.strip(),
        special_considerations=special_considerations.strip(),
        created_by=_person(actor),
    )
    return audit.save_new(
        order,
        actor=actor,
        action=AuditAction.CASE_ORDER_CREATE,
        fields=ORDER_AUDITED,
        unit=case.unit,
        exclude=["created_by"],
    )


def _executed_check(executed_on: datetime.date, decision_date: datetime.date) -> None:
    if executed_on < decision_date:
        raise ValidationError({"executed_on": "Insatsen kan inte ha verkställts före beslutsdatum."})


@transaction.atomic
def external_execution_record(*, actor: Any, order: CaseOrder, executed_on: datetime.date) -> CaseOrder:
    """The date an external provider started the service, entered by the case officer (a Bistå provider
    records its own steps on its care order)."""
    check_perm(actor, Perm.CASEWORK_MANAGE, order.case.unit)
    locked = CaseOrder.objects.select_for_update().select_related("decision").get(pk=order.pk)
    if locked.provider_unit_id is not None:
        raise ValidationError({"executed_on": "Utföraren i Bistå registrerar själv när insatsen verkställs."})
    if locked.external_executed_on is not None:
        raise ValidationError({"executed_on": "Verkställigheten är redan registrerad."})
    _not_in_future(executed_on, "executed_on")
    _executed_check(executed_on, locked.decision.decision_date)
    locked.external_executed_on = executed_on
    locked.save(update_fields=["external_executed_on"])
    audit.record(
        actor=actor,
        action=AuditAction.CASE_ORDER_EXECUTED,
        obj=locked,
        new={"external_executed_on": executed_on},
        unit=order.case.unit,
    )
    return locked
