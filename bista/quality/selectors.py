"""Reads of the quality system, scoped by need-to-know: a unit's managers see everything of their unit; an
assistant sees the deviations and Lex Sarah reports they reported or that concern their clients; incidents
only those who handle them."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from bista.clients.models import AccessLogEntry
from bista.clients.selectors import visible_clients
from bista.clients.services import access_log_record
from bista.core import clock
from bista.core.access import unit_ids_with
from bista.core.permissions import Perm
from bista.quality import rules
from bista.quality.models import (
    DataIncident,
    Deviation,
    Feedback,
    LexSarahReport,
    QualityCategory,
    Routine,
    SelfCheckPlanItem,
    VbAssessment,
)


def log_client_read(actor: Any, record: Any, detail: str, action: str = AccessLogEntry.Action.QUALITY) -> None:
    """A quality record about a client is a read of that client's data: log it (views call this on the pages
    that show the record, not on every lookup before a write)."""
    if record.client_id is not None:
        access_log_record(actor=actor, client=record.client, action=action, unit=record.unit, detail=detail)


def clients_in_units(actor: Any, unit_ids: set[int], *, active_only: bool = True) -> QuerySet[Any]:
    """The clients currently linked to the units that the actor sees, by name: who a report may name (active), or
    whom a list may be filtered on (also those no longer active but still linked). Distinct: a client of two units
    once."""
    clients = visible_clients(actor).filter(unit_links__unit_id__in=unit_ids, unit_links__until__isnull=True)
    if active_only:
        clients = clients.filter(is_active=True)
    return clients.distinct().order_by("last_name", "first_name", "id")


def _own_or_clients(actor: Any) -> Q:
    """Reported by the actor, or about a client the actor sees, in a unit where the actor may report."""
    units = unit_ids_with(actor, Perm.QUALITY_REPORT)
    mine = Q(reported_by=actor) if getattr(actor, "pk", None) else Q(pk__in=[])
    return Q(unit_id__in=units) & (mine | Q(client__in=visible_clients(actor).values("pk")))


def _managed(actor: Any) -> Q:
    """The records of units where the actor sees the quality work (quality.view) — those about a client only
    where the actor also sees that client there: quality.view alone (a controller) shows the unit's records
    without a client, and the figures, not the people."""
    managed = unit_ids_with(actor, Perm.QUALITY_VIEW)
    client_units = unit_ids_with(actor, *Perm.CLIENT_VIEW)
    about_seen_client = Q(client__in=visible_clients(actor).values("pk"), unit_id__in=client_units)
    return Q(unit_id__in=managed) & (Q(client__isnull=True) | about_seen_client)


def visible_deviations(actor: Any) -> QuerySet[Deviation]:
    return Deviation.objects.filter(_managed(actor) | _own_or_clients(actor)).select_related(
        "unit", "client", "category", "reported_by"
    )


def deviation_get(actor: Any, pk: int) -> Deviation:
    deviation = visible_deviations(actor).filter(pk=pk).first()
    if deviation is None:
        raise Http404("Avvikelsen finns inte eller så saknar du behörighet.")
    return deviation


def visible_lex_sarah_reports(actor: Any) -> QuerySet[LexSarahReport]:
    return LexSarahReport.objects.filter(_managed(actor) | _own_or_clients(actor)).select_related(
        "unit", "client", "deviation"
    )


def open_lex_sarah_reports(actor: Any) -> QuerySet[LexSarahReport]:
    """The Lex Sarah reports the actor sees that are not closed."""
    return visible_lex_sarah_reports(actor).exclude(status=LexSarahReport.Status.CLOSED)


def lex_sarah_get(actor: Any, pk: int) -> LexSarahReport:
    report = visible_lex_sarah_reports(actor).filter(pk=pk).first()
    if report is None:
        raise Http404("Rapporten finns inte eller så saknar du behörighet.")
    return report


def visible_feedback(actor: Any) -> QuerySet[Feedback]:
    return Feedback.objects.filter(_managed(actor)).select_related("unit", "client", "category")


def feedback_get(actor: Any, pk: int) -> Feedback:
    item = visible_feedback(actor).filter(pk=pk).first()
    if item is None:
        raise Http404("Ärendet finns inte eller så saknar du behörighet.")
    return item


def visible_incidents(actor: Any) -> QuerySet[DataIncident]:
    return DataIncident.objects.filter(unit_id__in=unit_ids_with(actor, Perm.QUALITY_INCIDENT)).select_related("unit")


def incident_get(actor: Any, pk: int) -> DataIncident:
    incident = visible_incidents(actor).filter(pk=pk).first()
    if incident is None:
        raise Http404("Incidenten finns inte eller så saknar du behörighet.")
    return incident


def visible_routines(actor: Any) -> QuerySet[Routine]:
    return Routine.objects.filter(unit_id__in=unit_ids_with(actor, Perm.QUALITY_VIEW, Perm.QUALITY_REPORT))


def self_check_plan(actor: Any, unit_id: int) -> QuerySet[SelfCheckPlanItem]:
    _require_view(actor, unit_id)
    return SelfCheckPlanItem.objects.filter(unit_id=unit_id, is_active=True).prefetch_related("results")


def self_check_item_get(actor: Any, pk: int) -> SelfCheckPlanItem:
    """One item of the self-check plan: for the unit's managers, and for the person responsible for it."""
    units = unit_ids_with(actor, Perm.QUALITY_VIEW)
    mine = Q(responsible=actor) if getattr(actor, "pk", None) else Q(pk__in=[])
    item = (
        SelfCheckPlanItem.objects.filter(Q(unit_id__in=units) | mine, pk=pk, is_active=True)
        .select_related("unit", "responsible")
        .first()
    )
    if item is None:
        raise Http404("Egenkontrollen finns inte eller så saknar du behörighet.")
    return item


def categories(group: str | None = None, day: datetime.date | None = None) -> QuerySet[QualityCategory]:
    found = QualityCategory.objects.all()
    if group:
        found = found.filter(group=group)
    if day:
        found = found.filter(Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day)))
    return found.order_by("group", "position", "name")


def _require_view(actor: Any, unit_id: int) -> None:
    if unit_id not in unit_ids_with(actor, Perm.QUALITY_VIEW):
        raise PermissionDenied("Behörighet saknas: quality.view")


# --- The VB table --------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime(year, 1, 1, tzinfo=clock.STOCKHOLM)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=clock.STOCKHOLM)


def vb_table_for(actor: Any, *, unit_id: int, year: int) -> rules.VbTable:
    """The table "Redovisning av synpunkter och klagomål" for a unit and year, counted from the records."""
    _require_view(actor, unit_id)
    return vb_table_unchecked(unit_id=unit_id, year=year)


def vb_table_unchecked(*, unit_id: int, year: int) -> rules.VbTable:
    """The same, for callers that checked access themselves (document generation, the API)."""
    start, end = _year_bounds(year)
    category_refs = [rules.CategoryRef(c.group, c.code, c.name) for c in categories()]
    deviations = [
        rules.DeviationFact(clock.local_date(reported_at), code, identified_by, concerns)
        for reported_at, code, identified_by, concerns in Deviation.objects.filter(
            unit_id=unit_id, reported_at__gte=start, reported_at__lt=end
        ).values_list("reported_at", "category__code", "identified_by", "concerns")
    ]
    lex_sarah = [
        rules.LexSarahFact(clock.local_date(reported_at), ivo_day)
        for reported_at, ivo_day in LexSarahReport.objects.filter(unit_id=unit_id)
        .filter(
            Q(reported_at__gte=start, reported_at__lt=end)
            | Q(ivo_notified_on__gte=start.date(), ivo_notified_on__lt=end.date())
        )
        .values_list("reported_at", "ivo_notified_on")
    ]
    feedback = [
        rules.FeedbackFact(day, kind, source, group, code, answered is not None, action is not None)
        for day, kind, source, group, code, answered, action in Feedback.objects.filter(
            unit_id=unit_id, received_on__year=year
        ).values_list(
            "received_on", "kind", "source", "category__group", "category__code", "answered_on", "action_taken_on"
        )
    ]
    incident_days = [
        clock.local_date(moment)
        for moment in DataIncident.objects.filter(
            unit_id=unit_id, discovered_at__gte=start, discovered_at__lt=end
        ).values_list("discovered_at", flat=True)
    ]
    return rules.vb_table(
        year=year,
        categories=category_refs,
        deviations=deviations,
        lex_sarah=lex_sarah,
        feedback=feedback,
        incident_days=incident_days,
    )


def vb_assessments(*, unit_id: int, year: int) -> dict[str, VbAssessment]:
    return {a.row_key: a for a in VbAssessment.objects.filter(unit_id=unit_id, year=year)}


# --- Trends ----------------------------------------------------------------------------------------


def trend_counts(
    actor: Any, *, unit_id: int, start_year: int, end_year: int, kind: str = "deviation"
) -> dict[tuple[int, int], Counter[str]]:
    """Per (year, tertial), how many events of `kind` by category name: the data behind the trend charts."""
    _require_view(actor, unit_id)
    start, _ = _year_bounds(start_year)
    _, end = _year_bounds(end_year)
    result: dict[tuple[int, int], Counter[str]] = {}
    if kind == "deviation":
        rows = [
            (clock.local_date(at), name or "Ej klassificerad")
            for at, name in Deviation.objects.filter(
                unit_id=unit_id, reported_at__gte=start, reported_at__lt=end
            ).values_list("reported_at", "category__name")
        ]
    elif kind == "feedback":
        rows = [
            (day, label)
            for day, label in Feedback.objects.filter(
                unit_id=unit_id, received_on__gte=start.date(), received_on__lt=end.date()
            ).values_list("received_on", "kind")
        ]
        labels = dict(Feedback.Kind.choices)
        rows = [(day, str(labels.get(label, label))) for day, label in rows]
    elif kind == "lex_sarah":
        rows = [
            (clock.local_date(at), "Lex Sarah-rapporter")
            for at in LexSarahReport.objects.filter(
                unit_id=unit_id, reported_at__gte=start, reported_at__lt=end
            ).values_list("reported_at", flat=True)
        ]
    else:
        raise ValueError(f"unknown trend kind: {kind}")
    for day, label in rows:
        result.setdefault((day.year, rules.tertial_of(day)), Counter())[label] += 1
    return result
