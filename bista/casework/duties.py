"""Where the purchaser's duties come from, for "Att göra" (the engine of `bista.core.duties`, ADR 0004):

- the first contact after an intake, "skyndsamt" (casework.first_contact, anchored on the day it arrived);
- the yearly follow-up of every favourable decision in force (casework.follow_up, from the decision date);
- a time-limited decision ending with no new investigation (casework.reassessment, due on the period's
  last day, warned 60 days before).

The yearly follow-up is done by a follow-up record (casework.FollowUp) or a new investigation of the case
started after the decision; each one starts the next year's duty. A reassessment is done when an
investigation was started within the rule's warning window before the period ends. A decision that has
ended has no more duties. Each duty is the case officer's, on their group's list.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from bista.casework.models import Appeal, Decision, FollowUp, Intake, Investigation
from bista.core.deadlines import Duty
from bista.core.duties import DutyQuery, make_duty, register


class Rule:
    FIRST_CONTACT = "casework.first_contact"
    FOLLOW_UP = "casework.follow_up"
    REASSESSMENT = "casework.reassessment"
    APPEAL_FORWARD = "casework.appeal_forward"


def _cases_of(query: DutyQuery, prefix: str = "") -> Q:
    """The query's units' cases, and only the responsible person's when the query asks for theirs (the hint of
    `DutyQuery.responsible_id`: every duty here is the case officer's, so other officers' rows need not be read)."""
    q = Q(**{f"{prefix}case__unit_id__in": query.unit_ids})
    if query.responsible_id is not None:
        q &= Q(**{f"{prefix}case__officer_id": query.responsible_id})
    return q


def _waiting_or_done_in_window(rows: QuerySet[Any], query: DutyQuery, rule: str, done: str) -> QuerySet[Any]:
    """Rows received on `received_on` whose one step (`done`) answers `rule`. For Att göra only those still
    waiting long enough to be due by the horizon, or done in the window; else every row not done before it."""
    if not query.todo_only:
        return rows.exclude(**{f"{done}__lt": query.done_since})
    latest = query.rules.latest_open_anchor(rule, query.horizon) or datetime.date.min
    return rows.filter(
        Q(**{f"{done}__gte": query.done_since}) | Q(**{f"{done}__isnull": True, "received_on__lte": latest})
    )


@register("casework.intakes")
def intake_duties(query: DutyQuery) -> Iterator[Duty]:
    intakes = _waiting_or_done_in_window(
        Intake.objects.filter(_cases_of(query)), query, Rule.FIRST_CONTACT, "first_contact_on"
    )
    rows = intakes.values_list(
        "received_on",
        "first_contact_on",
        "case_id",
        "case__unit_id",
        "case__officer_id",
        "case__team_id",
        "case__client_id",
        "case__client__first_name",
        "case__client__last_name",
        named=True,
    )
    for row in rows:
        duty = make_duty(
            query,
            Rule.FIRST_CONTACT,
            row.received_on,
            row.first_contact_on,
            subject="Första kontakt efter aktualisering",
            url=("casework:case_detail", (row.case_id,)),
            unit_id=row.case__unit_id,
            client_id=row.case__client_id,
            client_name=f"{row.case__client__first_name} {row.case__client__last_name}",
            responsible_id=row.case__officer_id,
            team_ids=(row.case__team_id,) if row.case__team_id else (),
        )
        if duty is not None:
            yield duty


def _investigations_started(case_ids: set[int]) -> dict[int, list[datetime.date]]:
    started: dict[int, list[datetime.date]] = defaultdict(list)
    if case_ids:
        for case_id, day in Investigation.objects.filter(case_id__in=case_ids).values_list("case_id", "started_on"):
            started[case_id].append(day)
    return started


def _follow_ups_done(decision_ids: set[int]) -> dict[int, list[datetime.date]]:
    followed: dict[int, list[datetime.date]] = defaultdict(list)
    if decision_ids:
        for decision_id, day in FollowUp.objects.filter(decision_id__in=decision_ids).values_list("decision_id", "on"):
            followed[decision_id].append(day)
    return followed


_DECISION_FIELDS = (
    "pk",
    "decision_date",
    "period_end",
    "ended_on",
    "case_id",
    "case__unit_id",
    "case__officer_id",
    "case__team_id",
    "case__client_id",
    "case__client__first_name",
    "case__client__last_name",
    "service__name",
)


def _decisions_in_force(query: DutyQuery) -> QuerySet[Decision]:
    """Favourable decisions not superseded, and neither ended nor run out before the window."""
    return (
        Decision.objects.filter(_cases_of(query), outcome__in=Decision.FAVOURABLE, superseded_by__isnull=True)
        .exclude(period_end__lt=query.done_since)
        .exclude(ended_on__lt=query.done_since)
    )


@register("casework.decisions")
def decision_duties(query: DutyQuery) -> Iterator[Duty]:
    """Favourable decisions not superseded and not ended before the window: follow-up, and reassessment if
    time-limited. Every duty of a decision's chain of anchors (the decision, each follow-up and each later
    investigation) is built from the whole chain; "Att göra" (`todo_only`) reads fewer rows, with the same
    result (`_candidate_decision_duties`)."""
    if query.todo_only:
        yield from _candidate_decision_duties(query)
        return
    decisions = list(_decisions_in_force(query).values_list(*_DECISION_FIELDS, named=True))
    started = _investigations_started({d.case_id for d in decisions})
    followed = _follow_ups_done({d.pk for d in decisions})
    for row in decisions:
        later = sorted(day for day in started.get(row.case_id, []) if day > row.decision_date)
        yield from _chain_duties(query, row, later, followed.get(row.pk, []))


def _chain_duties(
    query: DutyQuery, row: Any, later: list[datetime.date], followed: list[datetime.date]
) -> Iterator[Duty]:
    """The duties of one decision, from its later investigations (sorted) and its follow-ups: each follow-up (or
    new investigation) closes one year's duty and anchors the next; a time-limited decision's reassessment is
    done by the first investigation started within the rule's warning window before the period ends."""
    anchors = sorted({row.decision_date, *later, *followed})
    common = {
        "url": ("casework:case_detail", (row.case_id,)),
        "unit_id": row.case__unit_id,
        "client_id": row.case__client_id,
        "client_name": f"{row.case__client__first_name} {row.case__client__last_name}",
        "responsible_id": row.case__officer_id,
        "team_ids": (row.case__team_id,) if row.case__team_id else (),
    }
    for anchor, done in zip(anchors, [*anchors[1:], row.ended_on], strict=True):
        follow_up = make_duty(
            query,
            Rule.FOLLOW_UP,
            anchor,
            done,
            subject=f"Följ upp beslut: {row.service__name}",
            **common,  # type: ignore[arg-type]
        )
        if follow_up is not None:
            yield follow_up
    rule = query.rules.rule(Rule.REASSESSMENT, row.period_end) if row.period_end else None
    if row.period_end is not None and rule is not None and row.ended_on is None:
        window_start = row.period_end - datetime.timedelta(days=rule.warn_days)
        renewed = next((day for day in later if day >= window_start), None)
        reassessment = make_duty(
            query,
            Rule.REASSESSMENT,
            row.period_end,
            renewed,
            subject=f"Tidsbegränsat beslut löper ut: {row.service__name}",
            **common,  # type: ignore[arg-type]
        )
        if reassessment is not None:
            yield reassessment


def _candidate_decision_duties(query: DutyQuery) -> Iterator[Duty]:
    """ "Att göra": the same duties as the whole chains give, read from the candidate decisions only.

    A duty done before the window is dropped, so of a decision's chain only its anchors in the window and the
    last one before it matter. A decision in force is read only if a duty of it can be shown: an anchor in the
    window, its latest anchor old enough for the yearly follow-up to fall due by the horizon, ended in the
    window, or a period ending soon enough for the reassessment (index lookups: `follow_up_decision_on_idx`,
    `investigation_case_started_idx`). It is read with its latest follow-up and latest later investigation
    before the window; the follow-ups and investigations in the window are read by date. The latest later
    investigation before the window stands for all of them in the reassessment: if one falls in the warning
    window, the first such one is before the window too, and the duty is dropped alike."""
    since = query.done_since
    follow_ups = FollowUp.objects.filter(decision_id=OuterRef("pk"))
    later = Investigation.objects.filter(case_id=OuterRef("case_id"), started_on__gt=OuterRef("decision_date"))
    follow_up_by = query.rules.latest_open_anchor(Rule.FOLLOW_UP, query.horizon) or datetime.date.min
    reassess_by = query.rules.latest_open_anchor(Rule.REASSESSMENT, query.horizon) or datetime.date.min
    in_window = (
        Q(decision_date__gte=since)
        | Q(Exists(follow_ups.filter(on__gte=since)))
        | Q(Exists(later.filter(started_on__gte=since)))
    )
    falls_due = (
        Q(decision_date__lte=follow_up_by)
        & ~Q(Exists(follow_ups.filter(on__gt=follow_up_by)))
        & ~Q(Exists(later.filter(started_on__gt=follow_up_by)))
    )
    candidates = list(
        _decisions_in_force(query)
        .filter(in_window | falls_due | Q(ended_on__isnull=False) | Q(period_end__lte=reassess_by))
        .annotate(
            follow_up_before=Subquery(follow_ups.filter(on__lt=since).order_by("-on").values("on")[:1]),
            investigation_before=Subquery(
                later.filter(started_on__lt=since).order_by("-started_on").values("started_on")[:1]
            ),
        )
        .values_list(*_DECISION_FIELDS, "follow_up_before", "investigation_before", named=True)
    )
    if not candidates:
        return
    # Those in the window, of the candidates only (by key: no join to the case, no ordering needed).
    followed: dict[int, list[datetime.date]] = defaultdict(list)
    for decision_id, day in (
        FollowUp.objects.filter(decision_id__in=[row.pk for row in candidates], on__gte=since)
        .order_by()
        .values_list("decision_id", "on")
    ):
        followed[decision_id].append(day)
    started: dict[int, list[datetime.date]] = defaultdict(list)
    for case_id, day in (
        Investigation.objects.filter(case_id__in={row.case_id for row in candidates}, started_on__gte=since)
        .order_by()
        .values_list("case_id", "started_on")
    ):
        started[case_id].append(day)
    for row in candidates:
        before = [row.investigation_before] if row.investigation_before else []
        later_days = before + sorted(day for day in started.get(row.case_id, ()) if day > row.decision_date)
        follow_up_days = followed.get(row.pk, [])
        if row.follow_up_before:
            follow_up_days = [row.follow_up_before, *follow_up_days]
        yield from _chain_duties(query, row, later_days, follow_up_days)


@register("casework.appeals")
def appeal_duties(query: DutyQuery) -> Iterator[Duty]:
    """Forward an appeal to the court without delay, unless the reconsideration changed the decision."""
    appeals = _waiting_or_done_in_window(
        Appeal.objects.filter(_cases_of(query, "decision__")).exclude(reconsideration=Appeal.Reconsideration.CHANGED),
        query,
        Rule.APPEAL_FORWARD,
        "forwarded_on",
    )
    rows = appeals.values_list(
        "received_on",
        "forwarded_on",
        "decision__case_id",
        "decision__case__unit_id",
        "decision__case__officer_id",
        "decision__case__team_id",
        "decision__case__client_id",
        "decision__case__client__first_name",
        "decision__case__client__last_name",
        named=True,
    )
    for row in rows:
        duty = make_duty(
            query,
            Rule.APPEAL_FORWARD,
            row.received_on,
            row.forwarded_on,
            subject="Överlämna överklagande till förvaltningsrätten",
            url=("casework:case_detail", (row.decision__case_id,)),
            unit_id=row.decision__case__unit_id,
            client_id=row.decision__case__client_id,
            client_name=f"{row.decision__case__client__first_name} {row.decision__case__client__last_name}",
            responsible_id=row.decision__case__officer_id,
            team_ids=(row.decision__case__team_id,) if row.decision__case__team_id else (),
        )
        if duty is not None:
            yield duty
