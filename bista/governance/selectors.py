"""Reads of goals, indicators and documents, scoped to what the actor may see: a unit's managers see their
unit's plans (governance.view), a district-wide role (controller) every unit of the district.

The indicator table of a goal (DOMAIN §7) is built here: for each indicator of the goal, the period's
outcome (computed by the registry or entered by hand), women and men where people are counted, the previous
year's full-year outcome, the full-year forecast (`rules.forecast`), the targets and the period.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from bista.clients.selectors import clients_by_ids, visible_clients
from bista.core import clock
from bista.core.access import SYSTEM, has_perm, unit_ids_with
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.governance import registry, rules
from bista.governance.models import (
    Activity,
    FollowUp,
    FollowUpDraft,
    FollowUpRevision,
    GeneratedDocument,
    Goal,
    GoalIndicator,
    IndicatorDefinition,
    IndicatorValue,
    OperationalPlan,
    SectionText,
    YearOutcome,
)
from bista.governance.registry import Outcome, Source

HISTORY_YEARS = 6  # years in each indicator's chart


def may_view(actor: Any, unit_id: int) -> bool:
    return actor is SYSTEM or has_perm(actor, Perm.GOVERNANCE_VIEW, unit_id)


def may_edit(actor: Any, unit_id: int) -> bool:
    return actor is SYSTEM or has_perm(actor, Perm.GOVERNANCE_EDIT, unit_id)


def require_view(actor: Any, unit_id: int) -> None:
    if not may_view(actor, unit_id):
        raise PermissionDenied(f"Behörighet saknas: {Perm.GOVERNANCE_VIEW}")


def visible_units(actor: Any) -> QuerySet[Unit]:
    units = Unit.objects.select_related("department__district").order_by("department__district__name", "name")
    if actor is SYSTEM:
        return units
    return units.filter(pk__in=unit_ids_with(actor, Perm.GOVERNANCE_VIEW))


def visible_plans(actor: Any) -> QuerySet[OperationalPlan]:
    plans = OperationalPlan.objects.select_related("unit__department__district")
    if actor is SYSTEM:
        return plans
    return plans.filter(unit_id__in=unit_ids_with(actor, Perm.GOVERNANCE_VIEW))


def plan_get(actor: Any, pk: int) -> OperationalPlan:
    plan = visible_plans(actor).filter(pk=pk).first()
    if plan is None:
        raise Http404("Verksamhetsplanen finns inte eller så saknar du behörighet.")
    return plan


def plan_for(actor: Any, unit_id: int, year: int) -> OperationalPlan | None:
    """The unit's plan for the year, if the actor may see the unit (PermissionDenied otherwise)."""
    require_view(actor, unit_id)
    return OperationalPlan.objects.select_related("unit").filter(unit_id=unit_id, year=year).first()


def visible_goals(actor: Any) -> QuerySet[Goal]:
    goals = Goal.objects.select_related("plan__unit", "parent")
    if actor is SYSTEM:
        return goals
    return goals.filter(plan__unit_id__in=unit_ids_with(actor, Perm.GOVERNANCE_VIEW))


def goal_get(actor: Any, pk: int) -> Goal:
    goal = visible_goals(actor).filter(pk=pk).first()
    if goal is None:
        raise Http404("Målet finns inte eller så saknar du behörighet.")
    return goal


def activity_get(actor: Any, pk: int) -> Activity:
    activity = Activity.objects.select_related("goal__plan__unit").filter(pk=pk).first()
    if activity is None or not may_view(actor, activity.goal.plan.unit_id):
        raise Http404("Aktiviteten finns inte eller så saknar du behörighet.")
    return activity


def goal_tree(plan: OperationalPlan) -> list[tuple[Goal, int]]:
    """The plan's goals in document order, each with its depth (0 for a council goal), in two queries.
    A goal whose parent is missing from the plan is shown at the top level rather than lost."""
    goals = list(
        plan.goals.prefetch_related(
            Prefetch("indicators", queryset=GoalIndicator.objects.select_related("indicator")),
            "activities",
        ).order_by("position", "pk")
    )
    children: dict[int | None, list[Goal]] = {}
    ids = {goal.pk for goal in goals}
    for goal in goals:
        parent = goal.parent_id if goal.parent_id in ids else None
        children.setdefault(parent, []).append(goal)
    ordered: list[tuple[Goal, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for goal in children.get(parent, []):
            ordered.append((goal, depth))
            walk(goal.pk, depth + 1)

    walk(None, 0)
    return ordered


def indicators_in_force(day: datetime.date) -> QuerySet[IndicatorDefinition]:
    return IndicatorDefinition.objects.filter(valid_from__lte=day).exclude(valid_to__lte=day).order_by("name")


# --- Values -------------------------------------------------------------------------------------------------


def _manual_values(source: Source, unit_id: int) -> dict[tuple[int, int, str], IndicatorValue]:
    key = ("manual", unit_id)
    if key not in source.cache:
        source.cache[key] = {
            (v.indicator_id, v.year, v.period): v for v in IndicatorValue.objects.filter(unit_id=unit_id)
        }
    return source.cache[key]  # type: ignore[no-any-return]


def outcome(
    source: Source, indicator: IndicatorDefinition, unit_id: int, year: int, period: str
) -> tuple[Outcome, str]:
    """The indicator's outcome for the unit and period, and where a manual value comes from ("" if computed).
    ValueError for a period the indicator has no values for. No access check: callers check the unit."""
    if not rules.period_allowed(period, indicator.period_type):
        raise ValueError(f"{indicator.name} redovisas per år, inte per {period}.")
    rng = rules.period_range(year, period)
    if indicator.source == IndicatorDefinition.Source.COMPUTED:
        cache_key = ("outcome", indicator.computed_key, unit_id, year, period)
        if cache_key not in source.cache:
            if indicator.computed_key not in registry.REGISTRY:
                source.cache[cache_key] = Outcome(value=None, note="Beräkningen finns inte i den här versionen.")
            elif rng.start > source.today:
                source.cache[cache_key] = Outcome(value=None, note="Perioden har inte börjat.")
            else:
                source.cache[cache_key] = registry.compute(indicator.computed_key, source, unit_id, rng)
        return source.cache[cache_key], ""
    value = _manual_values(source, unit_id).get((indicator.pk, year, period))
    if value is None:
        return Outcome(value=None), ""
    return (
        Outcome(value=value.value, women=value.value_women, men=value.value_men, record_kind="manual"),
        value.source,
    )


def _stored_outcomes(source: Source, unit_id: int) -> dict[tuple[int, int], YearOutcome]:
    key = ("stored", unit_id)
    if key not in source.cache:
        source.cache[key] = {(o.indicator_id, o.year): o for o in YearOutcome.objects.filter(unit_id=unit_id)}
    return source.cache[key]  # type: ignore[no-any-return]


def closed_year_outcome(source: Source, indicator: IndicatorDefinition, unit_id: int, year: int) -> Outcome:
    """The full-year outcome of a year before the one being reported: the stored figure of a closed year
    (`YearOutcome`, kept by `services.year_outcomes_store`) where there is one, else computed now. Only the
    value and its split (no records behind it: the drill-down computes afresh)."""
    if indicator.source == IndicatorDefinition.Source.COMPUTED and year < source.today.year:
        stored = _stored_outcomes(source, unit_id).get((indicator.pk, year))
        if stored is not None:
            return Outcome(
                value=stored.value,
                women=stored.women,
                men=stored.men,
                numerator=stored.numerator,
                denominator=stored.denominator,
                note=stored.note,
            )
    return outcome(source, indicator, unit_id, year, "VB")[0]


def forecast_kind(indicator: IndicatorDefinition) -> str:
    if indicator.source == IndicatorDefinition.Source.COMPUTED and indicator.computed_key in registry.REGISTRY:
        return registry.REGISTRY[indicator.computed_key].kind
    return rules.SHARE  # a manual value is a level (an index, a share): the latest one is the forecast


@dataclass(frozen=True)
class IndicatorRow:
    """One row of a goal's indicator table (DOMAIN §7)."""

    goal_indicator: GoalIndicator
    indicator: IndicatorDefinition
    year: int
    period: str
    period_label: str
    outcome: Outcome
    source_text: str
    previous: Decimal | None
    forecast: Decimal | None
    meets_target: bool | None
    follow_up: FollowUp | None = None

    def fmt(self, value: Decimal | None) -> str:
        return rules.format_value(value, self.indicator.decimals, self.indicator.unit_of_measure)

    @property
    def value_text(self) -> str:
        return self.fmt(self.outcome.value)

    @property
    def women_text(self) -> str:
        return self.fmt(self.outcome.women) if self.indicator.gender_split else ""

    @property
    def men_text(self) -> str:
        return self.fmt(self.outcome.men) if self.indicator.gender_split else ""

    @property
    def previous_text(self) -> str:
        return self.fmt(self.previous)

    @property
    def forecast_text(self) -> str:
        return self.fmt(self.forecast)

    @property
    def target_text(self) -> str:
        return self.fmt(self.goal_indicator.target) if self.goal_indicator.target is not None else ""

    @property
    def council_target_text(self) -> str:
        gi = self.goal_indicator
        if gi.council_target is not None:
            return self.fmt(gi.council_target)
        return gi.council_target_text

    @property
    def drill_url(self) -> str:
        if self.indicator.source != IndicatorDefinition.Source.COMPUTED or self.outcome.value is None:
            return ""
        unit_id = self.goal_indicator.goal.plan.unit_id
        return reverse("governance:drilldown", args=[unit_id, self.indicator.code, self.year, self.period])


def effective_period(indicator: IndicatorDefinition, period: str) -> str:
    """A yearly indicator shows its year's value in every report (T1 and T2 included): there is no other."""
    return period if rules.period_allowed(period, indicator.period_type) else "VB"


def indicator_row(source: Source, goal_indicator: GoalIndicator, unit_id: int, year: int, period: str) -> IndicatorRow:
    indicator = goal_indicator.indicator
    shown = effective_period(indicator, period)
    result, source_text = outcome(source, indicator, unit_id, year, shown)
    previous = closed_year_outcome(source, indicator, unit_id, year - 1)
    rng = rules.period_range(year, shown)
    return IndicatorRow(
        goal_indicator=goal_indicator,
        indicator=indicator,
        year=year,
        period=shown,
        period_label=rules.period_label(year, shown, indicator.period_type),
        outcome=result,
        source_text=source_text,
        previous=previous.value,
        forecast=rules.forecast(result.value, kind=forecast_kind(indicator), rng=rng, today=source.today),
        meets_target=rules.meets_target(
            result.value, goal_indicator.target, higher_is_better=indicator.higher_is_better
        ),
    )


def indicator_rows(
    actor: Any, goal: Goal, period: str, *, source: Source | None = None, today: datetime.date | None = None
) -> list[IndicatorRow]:
    """The goal's indicator table for a period of its plan's year."""
    unit_id = goal.plan.unit_id
    require_view(actor, unit_id)
    source = source or Source(today=today or clock.today())
    follow_ups = {
        (f.goal_indicator_id, f.period): f
        for f in FollowUp.objects.filter(goal=goal, goal_indicator__isnull=False, period__in={period, "VB"})
    }
    rows = []
    for goal_indicator in goal.indicators.all():
        row = indicator_row(source, goal_indicator, unit_id, goal.plan.year, period)
        rows.append(with_follow_up(row, follow_ups.get((goal_indicator.pk, row.period))))
    return rows


def with_follow_up(row: IndicatorRow, follow_up: FollowUp | None) -> IndicatorRow:
    return replace(row, follow_up=follow_up)


def history(
    source: Source, indicator: IndicatorDefinition, unit_id: int, year: int, years: int = HISTORY_YEARS
) -> list[tuple[int, Decimal | None]]:
    """The indicator's full-year outcome for the last `years` years up to `year` (the chart's data); the
    running year's value is the latest period's so far. The years before `year` are read from the stored
    yearly outcomes where the year is closed and stored (`closed_year_outcome`); `year` itself is computed."""
    points = []
    for each in rules.years_back(year, years):
        if each < year:
            points.append((each, closed_year_outcome(source, indicator, unit_id, each).value))
        else:
            points.append((each, outcome(source, indicator, unit_id, each, "VB")[0].value))
    return points


def history_years_to_store(plan_year: int, today: datetime.date, years: int = HISTORY_YEARS) -> list[int]:
    """The closed years a document of `plan_year` shows as history (its charts and "Utfall VB" column)."""
    return [each for each in rules.years_back(plan_year - 1, years - 1) if each < today.year]


# --- Follow-ups ---------------------------------------------------------------------------------------------


def follow_up_for(goal: Goal, period: str) -> FollowUp | None:
    return FollowUp.objects.filter(goal=goal, period=period, goal_indicator__isnull=True).first()


def follow_ups_by_goal(plan: OperationalPlan, period: str) -> dict[int, FollowUp]:
    return {f.goal_id: f for f in FollowUp.objects.filter(goal__plan=plan, period=period, goal_indicator__isnull=True)}


def follow_up_revisions(follow_up: FollowUp) -> QuerySet[FollowUpRevision]:
    return follow_up.revisions.select_related("saved_by").order_by("-number")


def follow_up_draft(actor: Any, goal: Goal, period: str) -> FollowUpDraft | None:
    if not getattr(actor, "pk", None):
        return None
    return FollowUpDraft.objects.filter(user=actor, goal=goal, period=period).first()


def sections(plan: OperationalPlan, document: str) -> dict[str, SectionText]:
    return {s.key: s for s in plan.sections.filter(document=document)}


def documents(actor: Any, plan: OperationalPlan) -> QuerySet[GeneratedDocument]:
    require_view(actor, plan.unit_id)
    return plan.documents.select_related("requested_by").defer("content")


def document_get(actor: Any, pk: int) -> GeneratedDocument:
    document = GeneratedDocument.objects.select_related("plan__unit").filter(pk=pk).first()
    if document is None or not may_view(actor, document.plan.unit_id):
        raise Http404("Dokumentet finns inte eller så saknar du behörighet.")
    return document


def document_group(actor: Any, document: GeneratedDocument) -> list[GeneratedDocument]:
    """The document and the others made in the same request (DOCX and PDF), first the one they were made with."""
    require_view(actor, document.plan.unit_id)
    first_id = document.made_with_id or document.pk
    return list(
        GeneratedDocument.objects.select_related("plan__unit")
        .defer("content")
        .filter(Q(pk=first_id) | Q(made_with_id=first_id))
        .order_by("pk")
    )


# --- The drill-down -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    day: datetime.date | None
    title: str
    url: str
    detail: str
    met: bool | None  # for the shares: whether this record met the requirement


@dataclass(frozen=True)
class Drilldown:
    indicator: IndicatorDefinition
    unit: Unit
    year: int
    period: str
    outcome: Outcome
    description: str
    records: list[Record]
    hidden: int  # behind the figure but not visible to the reader
    staff_periods: list[Any]


def drilldown(
    actor: Any, *, unit_id: int, code: str, year: int, period: str, today: datetime.date | None = None
) -> Drilldown:
    """The records behind one computed figure. Http404 for an unknown or manual indicator; ValueError for a
    period the indicator has no values for. Only records the reader may see are listed (the others are
    counted in `hidden`)."""
    require_view(actor, unit_id)
    indicator = IndicatorDefinition.objects.filter(code=code, source=IndicatorDefinition.Source.COMPUTED).first()
    if indicator is None or indicator.computed_key not in registry.REGISTRY:
        raise Http404("Indikatorn finns inte eller beräknas inte ur registreringarna.")
    unit = Unit.objects.get(pk=unit_id)
    source = Source(today=today or clock.today())
    result, _ = outcome(source, indicator, unit_id, year, period)
    records, hidden = _records(actor, result)
    staff = registry.staff_periods(rules.period_range(year, period)) if result.record_kind.startswith("staff:") else []
    return Drilldown(
        indicator=indicator,
        unit=unit,
        year=year,
        period=period,
        outcome=result,
        description=registry.REGISTRY[indicator.computed_key].description,
        records=records,
        hidden=hidden,
        staff_periods=staff,
    )


def _records(actor: Any, result: Outcome) -> tuple[list[Record], int]:
    kind, ids = result.record_kind, list(result.record_ids)
    if not ids:
        return [], 0
    if kind == "client":
        clients = clients_by_ids(actor, ids)
        found = [
            Record(
                None,
                client.full_name,
                reverse("clients:card", args=[client.pk]),
                client.get_gender_display(),
                client.pk not in result.unmet_ids,
            )
            for client in clients.order_by("last_name", "first_name", "pk")
        ]
        return found, len(ids) - len(found)
    if kind == "delivery":
        from bista.care import indicators as care_indicators

        visible = set(visible_clients(actor).values_list("pk", flat=True)) if actor is not SYSTEM else None
        found = [
            Record(d.delivered_on, d.client_name, reverse("clients:card", args=[d.client_id]), d.items, None)
            for d in care_indicators.deliveries_by_ids(ids)
            if visible is None or d.client_id in visible
        ]
        return found, len(ids) - len(found)
    if kind == "survey":  # the surveys' results pages: aggregates, never a person
        from bista.surveys import selectors as surveys

        found = [Record(*row, None) for row in surveys.drilldown_rows(actor, ids)]
        return found, len(ids) - len(found)
    return _quality_records(actor, kind, ids)


def _quality_records(actor: Any, kind: str, ids: list[int]) -> tuple[list[Record], int]:
    from bista.quality import selectors as quality

    found: list[Record] = []
    if kind == "deviation":
        items = quality.visible_deviations(actor).filter(pk__in=ids).order_by("reported_at", "pk")
        found = [
            Record(
                clock.local_date(d.reported_at),
                f"Avvikelse {d.pk}",
                reverse("quality:deviation_detail", args=[d.pk]),
                d.category.name if d.category else "Ej klassificerad",
                None,
            )
            for d in items
        ]
    elif kind == "lex_sarah":
        reports = quality.visible_lex_sarah_reports(actor).filter(pk__in=ids).order_by("reported_at", "pk")
        found = [
            Record(
                clock.local_date(r.reported_at),
                f"Lex Sarah-rapport {r.pk}",
                reverse("quality:lex_sarah_detail", args=[r.pk]),
                r.get_status_display(),
                None,
            )
            for r in reports
        ]
    elif kind == "feedback":
        feedback = quality.visible_feedback(actor).filter(pk__in=ids).order_by("received_on", "pk")
        found = [
            Record(
                f.received_on,
                f"{f.get_kind_display()} {f.pk}",
                reverse("quality:feedback_detail", args=[f.pk]),
                f.category.name if f.category else "",
                None,
            )
            for f in feedback
        ]
    return found, len(ids) - len(found)


# --- Open data ----------------------------------------------------------------------------------------------


def open_data(
    actor: Any, *, unit_ids: Iterable[int], year: int, today: datetime.date | None = None
) -> list[dict[str, Any]]:
    """Every indicator used in the units' plans for the year, as Kolada-style rows: kpi, municipality, unit,
    period and values per gender T (total), K, M. Only units the actor may see."""
    source = Source(today=today or clock.today())
    rows: list[dict[str, Any]] = []
    for unit in Unit.objects.filter(pk__in=list(unit_ids)).select_related("department__district__municipality"):
        require_view(actor, unit.pk)
        goal_indicators = (
            GoalIndicator.objects.filter(goal__plan__unit=unit, goal__plan__year=year)
            .select_related("indicator")
            .order_by("indicator__code")
        )
        seen: set[int] = set()
        for goal_indicator in goal_indicators:
            indicator = goal_indicator.indicator
            if indicator.pk in seen:
                continue
            seen.add(indicator.pk)
            for period in rules.PERIODS:
                if not rules.period_allowed(period, indicator.period_type):
                    continue
                result, _ = outcome(source, indicator, unit.pk, year, period)
                if result.value is None:
                    continue
                values = [{"gender": "T", "value": _number(result.value, indicator.decimals)}]
                if indicator.gender_split:
                    values += [
                        {"gender": "K", "value": _number(result.women, indicator.decimals)},
                        {"gender": "M", "value": _number(result.men, indicator.decimals)},
                    ]
                rows.append(
                    {
                        "kpi": indicator.code,
                        "kpi_title": indicator.name,
                        "unit_of_measure": indicator.unit_of_measure,
                        "municipality": unit.department.district.municipality.code,
                        "municipality_name": unit.department.district.municipality.name,
                        "ou": unit.pk,
                        "ou_title": unit.name,
                        "period": year if indicator.period_type == "year" else f"{year}{period}",
                        "values": values,
                    }
                )
    return rows


def _number(value: Decimal | None, decimals: int) -> float | None:
    number = rules.rounded(value, decimals)
    return None if number is None else float(number)
