"""Reads of the purchaser chain, need-to-know: a case officer sees the cases assigned to them and those of
their case-officer groups; whoever holds casework.view_all in a purchaser unit (its managers) sees the unit's.
A provider sees none of this: it sees its care order. Every read of one case writes an access-log row."""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404

from bista.care import selectors as care_selectors
from bista.care.models import OrderEvent, Service
from bista.casework import rules
from bista.casework.actions import AccessAction, AuditAction
from bista.casework.duties import Rule
from bista.casework.models import (
    Appeal,
    Case,
    CaseOrder,
    Decision,
    ExecutionDelay,
    Intake,
    Investigation,
    InvestigationDraft,
    IvoReport,
    TargetGroup,
)
from bista.clients.services import access_log_record
from bista.core import clock
from bista.core.access import team_ids_for_user, unit_ids_with, valid_on
from bista.core.models import AuditEvent, Membership, Team, Unit
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


def investigation_draft(actor: Any, investigation: Investigation) -> InvestigationDraft | None:
    """The actor's autosaved copy of the investigation, if it is newer than the saved investigation (an older
    copy was overtaken by a save from elsewhere and is not offered)."""
    if not getattr(actor, "pk", None):
        return None
    return InvestigationDraft.objects.filter(
        user=actor, investigation=investigation, updated_at__gt=investigation.updated_at
    ).first()


@dataclass(frozen=True)
class InvestigationVersion:
    """One saved version of an investigation: when, by whom, and each field it changed (before → after)."""

    at: datetime.datetime
    by: str
    action: str
    changes: list[tuple[str, str, str]]


VERSION_ACTIONS = {
    AuditAction.INVESTIGATION_START: "Påbörjad",
    AuditAction.INVESTIGATION_SAVE: "Sparad",
    AuditAction.INVESTIGATION_COMMUNICATE: "Kommunicerad",
}


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    return str(value)


def investigation_versions(investigation: Investigation) -> list[InvestigationVersion]:
    """Every saved version of the investigation, newest first, from the audit log (each save is audited with
    the fields it changed, so the log is the version history; nothing is kept twice)."""
    labels = {f.name: str(f.verbose_name) for f in Investigation._meta.get_fields() if hasattr(f, "verbose_name")}
    events = (
        AuditEvent.objects.filter(
            object_type=Investigation._meta.label_lower, object_id=str(investigation.pk), action__in=VERSION_ACTIONS
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
    versions = []
    for event in events:
        names = [n for n in (event.new_values or {}) if n in labels]
        changes = [
            (labels[n].capitalize(), _shown((event.old_values or {}).get(n)), _shown(event.new_values[n]))
            for n in names
        ]
        by = event.actor.get_full_name() or event.actor.username if event.actor else "Systemet"
        # Completing is a save that sets the status (investigation_complete audits it so).
        completed = (event.new_values or {}).get("status") == Investigation.Status.COMPLETED
        action = "Avslutad" if completed else VERSION_ACTIONS[AuditAction(event.action)]
        versions.append(InvestigationVersion(event.at, by, action, changes))
    return versions


def decision_get(actor: Any, pk: int, *, action: str = AccessAction.CASE) -> Decision:
    return _in_visible_case(actor, Decision, pk, "Beslutet", action=action)  # type: ignore[no-any-return]


def intake_get(actor: Any, pk: int) -> Intake:
    return _in_visible_case(actor, Intake, pk, "Aktualiseringen")  # type: ignore[no-any-return]


def case_order_get(actor: Any, pk: int, *, action: str = AccessAction.CASE) -> CaseOrder:
    return _in_visible_case(actor, CaseOrder, pk, "Beställningen", action=action)  # type: ignore[no-any-return]


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
    return (
        case.decisions.select_related("service", "supersedes", "superseded_by")
        .prefetch_related("follow_ups")
        .order_by("-decision_date", "-id")
    )


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


def target_groups_in_force(day: datetime.date) -> QuerySet[TargetGroup]:
    """The målgrupper (reference data) a case can be put in on `day`."""
    return TargetGroup.objects.filter(valid_on(day)).order_by("name")


def services_in_force(on: datetime.date) -> QuerySet[Service]:
    return Service.objects.filter(valid_on(on)).order_by("act", "code")


# --- Ej verkställda beslut: IVO's quarterly report and the council's statistics ---------------------------


def report_unit(actor: Any, unit_id: int | None) -> Unit:
    """A purchaser unit whose reports the actor may see (casework.view_all: the unit's managers)."""
    units = casework_units(actor, Perm.CASEWORK_VIEW_ALL)
    if not units:
        raise PermissionDenied("Behörighet saknas: casework.view_all")
    if unit_id is None:
        unit_id = min(units)
    if unit_id not in units:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    return Unit.objects.get(pk=unit_id)


def report_units(actor: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=casework_units(actor, Perm.CASEWORK_VIEW_ALL)).order_by("name")


@dataclass(frozen=True)
class IvoRow:
    """One individual report of a quarter: the decision, what is reported and the latest delay note."""

    decision: Decision
    report: rules.Reportable
    pseudonym: str
    gender: str
    delay: ExecutionDelay | None

    @property
    def is_final(self) -> bool:
        return self.report.final_on is not None

    @property
    def final_label(self) -> str:
        return {"executed": "Verkställt", "resumed": "Återupptaget", "ended": "Upphört"}.get(self.report.final_kind, "")


def _ended_on(decision: Decision) -> datetime.date | None:
    """The day a decision stopped being in force: ended, its period over, or superseded by a new decision."""
    superseded = getattr(decision, "superseded_on", None)
    days = [d for d in (decision.ended_on, decision.period_end, superseded) if d is not None]
    return min(days) if days else None


def executions(decisions: Sequence[Decision]) -> dict[int, rules.Execution]:
    """Decision id → its execution as plain facts, from the provider's own steps when the provider is in
    Bistå (care.selectors.order_steps) and from the case officer's entry for an external provider."""
    orders = list(
        CaseOrder.objects.filter(decision__in=[d.pk for d in decisions]).values_list(
            "decision_id", "care_order_id", "external_executed_on"
        )
    )
    steps = care_selectors.order_steps(care for _d, care, _e in orders if care)
    executed: dict[int, datetime.date] = {}
    interruptions: dict[int, list[rules.Interruption]] = {}
    for decision_id, care_id, external in orders:
        days = [external] if external else []
        open_since: datetime.date | None = None
        for step in steps.get(care_id, []) if care_id else []:
            if step.kind == OrderEvent.Kind.EXECUTED:
                days.append(step.on)
            elif step.kind == OrderEvent.Kind.INTERRUPTED and open_since is None:
                open_since = step.on
            elif step.kind == OrderEvent.Kind.RESUMED and open_since is not None:
                interruptions.setdefault(decision_id, []).append(rules.Interruption(open_since, step.on))
                open_since = None
            elif step.kind == OrderEvent.Kind.ENDED and open_since is not None:  # ended, never resumed
                interruptions.setdefault(decision_id, []).append(rules.Interruption(open_since, ended_on=step.on))
                open_since = None
        if open_since is not None:
            interruptions.setdefault(decision_id, []).append(rules.Interruption(open_since))
        if days:
            executed[decision_id] = min([*days, executed.get(decision_id, max(days))])
    return {
        d.pk: rules.Execution(
            decision_date=d.decision_date,
            executed_on=executed.get(d.pk),
            ended_on=_ended_on(d),
            interruptions=tuple(interruptions.get(d.pk, ())),
        )
        for d in decisions
    }


def _favourable(unit: Unit, until: datetime.date, since: datetime.date) -> QuerySet[Decision]:
    """The unit's favourable decisions made by `until` and still in force on `since`."""
    return (
        Decision.objects.filter(case__unit=unit, outcome__in=Decision.FAVOURABLE, decision_date__lte=until)
        .exclude(ended_on__lt=since)
        .exclude(period_end__lt=since)
        .exclude(superseded_by__decision_date__lt=since)
        .annotate(superseded_on=Min("superseded_by__decision_date"))
        .select_related("service", "case__client")
    )


def _unexecuted_candidates(unit: Unit, quarter: rules.Quarter) -> list[Decision]:
    # Executed before the quarter and never interrupted: nothing to report (the bulk of ten years' decisions).
    start = quarter.start
    interrupted = CaseOrder.objects.filter(
        decision=OuterRef("pk"), care_order__events__kind=OrderEvent.Kind.INTERRUPTED
    )
    latest_possible = rules.reportable_from(quarter.end, -rules.UNEXECUTED_MONTHS)
    return list(
        _favourable(unit, latest_possible, start)
        .annotate(
            care_executed=Min("orders__care_order__executed_on"), ext_executed=Min("orders__external_executed_on")
        )
        .filter(
            (Q(care_executed__isnull=True) | Q(care_executed__gte=start))
            & (Q(ext_executed__isnull=True) | Q(ext_executed__gte=start))
            | Q(Exists(interrupted))
        )
        .order_by("decision_date", "id")
    )


def _latest_delays(decision_ids: list[int], until: datetime.date) -> dict[int, ExecutionDelay]:
    latest: dict[int, ExecutionDelay] = {}
    for delay in ExecutionDelay.objects.filter(decision_id__in=decision_ids, recorded_on__lte=until).order_by(
        "decision_id", "recorded_on", "id"
    ):
        latest[delay.decision_id] = delay
    return latest


def _pseudonym_serials(unit_id: int, decisions: Sequence[Decision]) -> dict[int, int]:
    """Each decision's place among the unit's decisions for people with the same birth date and gender (oldest
    first): a decision's pk alone would give two people the same code once pks differ by 500. Decisions are
    never deleted, so the place, and the code, stay the same every quarter. One query for all the decisions
    (the unit's decisions of those birth dates), not one per decision."""
    births = {decision.case.client.personnummer[:8] for decision in decisions}
    if not births:
        return {}
    same: dict[tuple[str, str], list[int]] = defaultdict(list)
    rows = (
        Decision.objects.filter(case__unit_id=unit_id)
        .annotate(birth=Substr("case__client__personnummer", 1, 8))
        .filter(birth__in=births)
        .values_list("pk", "birth", "case__client__gender")
    )
    for pk, birth, gender in rows:
        same[(birth, gender)].append(pk)
    for pks in same.values():
        pks.sort()
    return {
        decision.pk: bisect.bisect_left(
            same[(decision.case.client.personnummer[:8], decision.case.client.gender)], decision.pk
        )
        for decision in decisions
    }


def ivo_rows(unit: Unit, quarter: rules.Quarter, upto: datetime.date | None = None) -> list[IvoRow]:
    """The quarter's individual reports for a purchaser unit (the caller has checked the actor may see the
    unit's reports: report_unit). One row per decision not executed, and per interruption not resumed,
    within three months; final rows carry the date it was executed, resumed or ended. Of a quarter still
    running, what holds on `upto` (default today)."""
    decisions = _unexecuted_candidates(unit, quarter)
    facts = executions(decisions)
    delays = _latest_delays([d.pk for d in decisions], quarter.end)
    serials = _pseudonym_serials(unit.pk, decisions)
    rows = []
    for decision in decisions:
        client = decision.case.client
        for report in rules.reportable_in(facts[decision.pk], quarter, today=upto or clock.today()):
            rows.append(
                IvoRow(
                    decision=decision,
                    report=report,
                    pseudonym=rules.ivo_pseudonym(
                        rules.birth_date(client.personnummer), client.gender, serials[decision.pk]
                    ),
                    gender=client.gender,
                    delay=delays.get(decision.pk),
                )
            )
    return rows


def ivo_reports_kept(unit: Unit, quarter: rules.Quarter) -> QuerySet[IvoReport]:
    return IvoReport.objects.filter(unit=unit, year=quarter.year, quarter=quarter.number).order_by("-revision")


def ivo_report_kept(unit: Unit, quarter: rules.Quarter, revision: int) -> IvoReport:
    """One kept revision of the quarter's report, with its rows as they were reported."""
    report = ivo_reports_kept(unit, quarter).filter(revision=revision).select_related("reported_by").first()
    if report is None:
        raise Http404("Det finns ingen sparad rapport med den versionen för kvartalet.")
    return report


GENDERS = (("K", "Kvinnor"), ("M", "Män"), ("", "Övriga"))


@dataclass
class StatCell:
    decided: int = 0
    executed: int = 0
    waits: list[int] | None = None
    waiting: int = 0
    reported: int = 0

    @property
    def median_wait(self) -> float | None:
        return rules.median_days(self.waits or [])


@dataclass
class StatRow:
    """One service's figures for the quarter, per gender (K, M, others) and in total."""

    service: str
    legal_reference: str
    cells: dict[str, StatCell]

    @property
    def ordered(self) -> list[tuple[str, StatCell]]:
        return [(label, self.cells[code]) for code, label in (*GENDERS, ("*", "Totalt"))]


def council_statistics(unit: Unit, quarter: rules.Quarter) -> list[StatRow]:
    """The statistics to the council and the auditors for a quarter, per service and gender: favourable
    decisions made, executed in the quarter with the median waiting time (decision → executed, days), still
    waiting at the quarter's end, and individual reports to IVO."""
    start, end = quarter.start, quarter.end
    decisions = list(
        _favourable(unit, end, start)
        .annotate(
            care_executed=Min("orders__care_order__executed_on"), ext_executed=Min("orders__external_executed_on")
        )
        .filter(
            (Q(care_executed__isnull=True) | Q(care_executed__gte=start))
            & (Q(ext_executed__isnull=True) | Q(ext_executed__gte=start))
        )
    )
    facts = executions(decisions)
    rows: dict[int, StatRow] = {}

    def cells(decision: Decision) -> tuple[StatCell, StatCell]:
        gender = decision.case.client.gender
        row = rows.setdefault(
            decision.service_id,
            StatRow(
                decision.service.name,
                decision.service.legal_reference,
                {c: StatCell(waits=[]) for c in ("K", "M", "", "*")},
            ),
        )
        return row.cells[gender if gender in ("K", "M") else ""], row.cells["*"]

    for report in ivo_rows(unit, quarter):
        for cell in cells(report.decision):
            cell.reported += 1
    for decision in decisions:
        fact = facts[decision.pk]
        for cell in cells(decision):
            if start <= decision.decision_date <= end:
                cell.decided += 1
            if fact.executed_on is not None and start <= fact.executed_on <= end:
                cell.executed += 1
                assert cell.waits is not None
                cell.waits.append((fact.executed_on - decision.decision_date).days)
            ended = fact.ended_on is not None and fact.ended_on <= end
            if (fact.executed_on is None or fact.executed_on > end) and not ended:
                cell.waiting += 1
    return sorted(rows.values(), key=lambda r: (r.legal_reference, r.service))


# --- Caseload per case officer -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Caseload:
    officer_id: int | None
    name: str
    open_cases: int


def caseload(actor: Any, unit: Unit) -> list[Caseload]:
    """Open cases per case officer of a unit the actor may assign in (casework.assign), with those not
    assigned to anyone; everyone holding a casework role in the unit is listed, with none."""
    if unit.pk not in casework_units(actor, Perm.CASEWORK_ASSIGN):
        raise PermissionDenied("Behörighet saknas: casework.assign")
    counts = dict(
        Case.objects.filter(unit=unit, closed_on__isnull=True)
        .values("officer_id")
        .annotate(n=Count("id"))
        .values_list("officer_id", "n")
    )
    people = {u.pk: u for u in officers(unit, clock.today())}
    people.update({u.pk: u for u in get_user_model().objects.filter(pk__in=[k for k in counts if k])})
    rows = [Caseload(pk, (user.get_full_name() or user.username), counts.get(pk, 0)) for pk, user in people.items()]
    rows.sort(key=lambda row: (-row.open_cases, row.name))
    if counts.get(None):
        rows.append(Caseload(None, "Ej fördelade", counts[None]))
    return rows


def assign_units(actor: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=casework_units(actor, Perm.CASEWORK_ASSIGN)).order_by("name")


# --- The case officer's desk (the start page) ----------------------------------------------------------------

# The duties of the purchaser chain (casework/duties.py) and how the start page names each group of them.
DESK_DUTY_RULES = {
    Rule.FIRST_CONTACT: "Första kontakt efter aktualisering",
    Rule.APPEAL_FORWARD: "Överklaganden att överlämna",
    Rule.REASSESSMENT: "Tidsbegränsade beslut som löper ut",
    Rule.FOLLOW_UP: "Beslut att följa upp",
}


def desk_filter(actor: Any) -> Q:
    """The cases on the actor's desk: those they are the case officer of, and, in units where they assign
    cases (the purchaser's managers), those assigned to nobody yet. Within what the actor may see."""
    if not getattr(actor, "pk", None):
        return Q(pk__in=[])
    condition = Q(officer_id=actor.pk)
    assigning = casework_units(actor, Perm.CASEWORK_ASSIGN)
    if assigning:
        condition |= Q(officer__isnull=True, unit_id__in=assigning)
    return visibility_filter(actor) & condition


def desk_case_counts(actor: Any) -> dict[str, int]:
    """Open cases on the desk: the actor's own caseload (`mine`) and those not yet assigned (`unassigned`),
    counted in one query."""
    counts = Case.objects.filter(desk_filter(actor), closed_on__isnull=True).aggregate(
        mine=Count("pk", filter=Q(officer_id=actor.pk)),
        unassigned=Count("pk", filter=Q(officer__isnull=True)),
    )
    return {key: value or 0 for key, value in counts.items()}


def desk_new_intakes(actor: Any, *, since: datetime.date) -> QuerySet[Intake]:
    """Intakes received since `since` in the desk's open cases, newest first (the caller logs the clients it
    names)."""
    return (
        Intake.objects.filter(
            received_on__gte=since,
            case__in=Case.objects.filter(desk_filter(actor), closed_on__isnull=True).values("pk"),
        )
        .select_related("case__client")
        .order_by("-received_on", "-id")
    )


def desk_communication_pending(actor: Any) -> QuerySet[Investigation]:
    """Investigations of the actor's own cases still being written: those not yet communicated to the person
    (kommunicering before the decision) first, then those communicated and awaiting completion, oldest first
    (the caller logs the clients it names)."""
    return (
        Investigation.objects.filter(
            status=Investigation.Status.DRAFT,
            case__in=Case.objects.filter(desk_filter(actor), officer_id=actor.pk).values("pk"),
        )
        .select_related("case__client")
        .order_by(F("communicated_on").asc(nulls_first=True), "started_on", "id")
    )
