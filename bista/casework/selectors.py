"""Reads of the purchaser chain, need-to-know: a case officer sees the cases assigned to them and those of
their case-officer groups; whoever holds casework.view_all in a purchaser unit (its managers) sees the unit's.
A provider sees none of this: it sees its care order. Every read of one case writes an access-log row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from bista.care import selectors as care_selectors
from bista.care.models import OrderEvent, Service
from bista.casework.actions import AccessAction
from bista.casework.models import Appeal, Case, CaseOrder, Decision, Intake, Investigation
from bista.clients.services import access_log_record
from bista.core.access import team_ids_for_user, unit_ids_with, valid_on
from bista.core.models import Membership, Team, Unit
from bista.core.permissions import Perm

PURCHASER_CACHE_ATTR = "_bista_casework_purchasers"


def casework_units(actor: Any, *codes: str) -> set[int]:
    """The purchaser units where the actor holds one of `codes` (default: any casework read)."""
    ids = unit_ids_with(actor, *(codes or Perm.CASEWORK_READ))
    if not ids:
        return set()
    # Which units are purchasers, read once per request (like the access map, cached on the user object).
    purchasers: set[int] | None = getattr(actor, PURCHASER_CACHE_ATTR, None)
    if purchasers is None:
        every = unit_ids_with(
            actor, *Perm.CASEWORK_READ, Perm.CASEWORK_MANAGE, Perm.CASEWORK_DECIDE, Perm.CASEWORK_ASSIGN
        )
        purchasers = set(Unit.objects.filter(pk__in=every, kind=Unit.Kind.PURCHASER).values_list("pk", flat=True))
        if getattr(actor, "pk", None):
            setattr(actor, PURCHASER_CACHE_ATTR, purchasers)
    return ids & purchasers


def visibility_filter(actor: Any) -> Q:
    all_units = casework_units(actor, Perm.CASEWORK_VIEW_ALL)
    own_units = casework_units(actor, Perm.CASEWORK_VIEW) - all_units
    condition = Q(unit_id__in=all_units)
    if own_units and getattr(actor, "pk", None):
        mine = Q(officer_id=actor.pk)
        teams = team_ids_for_user(actor)
        if teams:
            mine |= Q(team_id__in=teams)
        condition |= Q(unit_id__in=own_units) & mine
    return condition


def visible_cases(actor: Any) -> QuerySet[Case]:
    return Case.objects.filter(visibility_filter(actor))


def case_list(
    actor: Any,
    *,
    unit_id: int | None = None,
    officer_id: int | None = None,
    team_id: int | None = None,
    open_only: bool = True,
) -> QuerySet[Case]:
    """The caseload: cases the actor sees, optionally of one unit, officer or group (no client data read
    beyond names: the list is not logged per row, as the clients' list is not)."""
    cases = visible_cases(actor).select_related("client", "officer", "team", "unit")
    if unit_id:
        cases = cases.filter(unit_id=unit_id)
    if officer_id:
        cases = cases.filter(officer_id=officer_id)
    if team_id:
        cases = cases.filter(team_id=team_id)
    if open_only:
        cases = cases.filter(closed_on__isnull=True)
    return cases.annotate(decision_count=Count("decisions")).order_by("client__last_name", "client__first_name", "id")


def case_get(actor: Any, pk: int, *, action: str = AccessAction.CASE, detail: str = "") -> Case:
    """One case the actor may see; the read is logged. Unknown and not visible look the same (404)."""
    case = visible_cases(actor).select_related("client", "unit", "officer", "team").filter(pk=pk).first()
    if case is None:
        raise Http404("Ärendet finns inte eller så saknar du behörighet.")
    access_log_record(actor=actor, client=case.client, action=action, unit=case.unit, detail=detail or f"ärende {pk}")
    return case


def _in_visible_case(actor: Any, model: Any, pk: int, label: str, *, action: str = AccessAction.CASE) -> Any:
    obj = model.objects.filter(pk=pk, case__in=visible_cases(actor)).select_related("case", "case__client").first()
    if obj is None:
        raise Http404(f"{label} finns inte eller så saknar du behörighet.")
    access_log_record(
        actor=actor,
        client=obj.case.client,
        action=action,
        unit=obj.case.unit,
        detail=f"{model._meta.verbose_name} {pk}",
    )
    return obj


def investigation_get(actor: Any, pk: int) -> Investigation:
    return _in_visible_case(actor, Investigation, pk, "Utredningen")  # type: ignore[no-any-return]


def decision_get(actor: Any, pk: int, *, action: str = AccessAction.CASE) -> Decision:
    return _in_visible_case(actor, Decision, pk, "Beslutet", action=action)  # type: ignore[no-any-return]


def intake_get(actor: Any, pk: int) -> Intake:
    return _in_visible_case(actor, Intake, pk, "Aktualiseringen")  # type: ignore[no-any-return]


def case_order_get(actor: Any, pk: int) -> CaseOrder:
    return _in_visible_case(actor, CaseOrder, pk, "Beställningen")  # type: ignore[no-any-return]


def appeal_get(actor: Any, pk: int) -> Appeal:
    appeal = (
        Appeal.objects.filter(pk=pk, decision__case__in=visible_cases(actor)).select_related("decision__case").first()
    )
    if appeal is None:
        raise Http404("Överklagandet finns inte eller så saknar du behörighet.")
    case = appeal.decision.case
    access_log_record(
        actor=actor, client=case.client, action=AccessAction.CASE, unit=case.unit, detail=f"överklagande {pk}"
    )
    return appeal


def can_manage(actor: Any, case: Case) -> bool:
    return case.unit_id in casework_units(actor, Perm.CASEWORK_MANAGE)


def can_decide(actor: Any, case: Case) -> bool:
    return case.unit_id in casework_units(actor, Perm.CASEWORK_DECIDE)


def can_assign(actor: Any, case: Case) -> bool:
    return case.unit_id in casework_units(actor, Perm.CASEWORK_ASSIGN)


# --- What a case page shows (call only for a case the actor may see) -------------------------------


@dataclass(frozen=True)
class OrderView:
    """A case order with the provider's dated steps, read through care's published selector."""

    order: CaseOrder
    steps: list[OrderEvent]

    @property
    def executed_on(self) -> datetime.date | None:
        if self.order.external_executed_on:
            return self.order.external_executed_on
        return next((s.on for s in self.steps if s.kind == OrderEvent.Kind.EXECUTED), None)


def case_intakes(case: Case) -> QuerySet[Intake]:
    return case.intakes.prefetch_related("services").order_by("-received_on", "-id")


def case_investigations(case: Case) -> QuerySet[Investigation]:
    return case.investigations.prefetch_related("sources").order_by("-started_on", "-id")


def case_decisions(case: Case) -> QuerySet[Decision]:
    return case.decisions.select_related("service", "supersedes", "superseded_by").order_by("-decision_date", "-id")


def case_appeals(case: Case) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(decision__case=case).select_related("decision__service").order_by("-received_on", "-id")
    )


def case_orders(case: Case) -> list[OrderView]:
    orders = list(case.orders.select_related("decision__service", "provider_unit").order_by("-ordered_on", "-id"))
    steps = care_selectors.order_steps(o.care_order_id for o in orders if o.care_order_id)
    return [OrderView(o, steps.get(o.care_order_id, []) if o.care_order_id else []) for o in orders]


def order_view(order: CaseOrder) -> OrderView:
    steps = care_selectors.order_steps([order.care_order_id]) if order.care_order_id else {}
    return OrderView(order, steps.get(order.care_order_id or 0, []))


# --- Form choices (reference reads, no client data) -------------------------------------------------


def officers(unit: Unit, on: datetime.date) -> QuerySet[Any]:
    """The people with a casework role in the unit on `on` (who a case can be assigned to)."""
    holders = Membership.objects.filter(valid_on(on), unit=unit, role__grants__permission__code__in=Perm.CASEWORK_READ)
    return get_user_model().objects.filter(pk__in=holders.values("user_id")).order_by("last_name", "first_name")


def casework_teams(unit_ids: set[int]) -> QuerySet[Team]:
    return Team.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("name")


def provider_units(unit: Unit) -> QuerySet[Unit]:
    """Provider units of the same municipality the purchaser can order from."""
    return Unit.objects.filter(
        kind=Unit.Kind.PROVIDER, department__district__municipality_id=unit.department.district.municipality_id
    ).order_by("name")


def services_in_force(on: datetime.date) -> QuerySet[Service]:
    return Service.objects.filter(valid_on(on)).order_by("act", "code")
