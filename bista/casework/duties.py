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

from bista.casework.models import Appeal, Decision, FollowUp, Intake, Investigation
from bista.core.deadlines import Duty
from bista.core.duties import DutyQuery, make_duty, register


class Rule:
    FIRST_CONTACT = "casework.first_contact"
    FOLLOW_UP = "casework.follow_up"
    REASSESSMENT = "casework.reassessment"
    APPEAL_FORWARD = "casework.appeal_forward"


@register("casework.intakes")
def intake_duties(query: DutyQuery) -> Iterator[Duty]:
    intakes = (
        Intake.objects.filter(case__unit_id__in=query.unit_ids)
        .exclude(first_contact_on__lt=query.done_since)
        .values_list(
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
    )
    for row in intakes:
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
    for case_id, day in Investigation.objects.filter(case_id__in=case_ids).values_list("case_id", "started_on"):
        started[case_id].append(day)
    return started


@register("casework.decisions")
def decision_duties(query: DutyQuery) -> Iterator[Duty]:
    """Favourable decisions not superseded and not ended before today: follow-up, and reassessment if
    time-limited."""
    decisions = list(
        Decision.objects.filter(
            case__unit_id__in=query.unit_ids, outcome__in=Decision.FAVOURABLE, superseded_by__isnull=True
        )
        .exclude(period_end__lt=query.done_since)
        .exclude(ended_on__lt=query.done_since)
        .values_list(
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
            named=True,
        )
    )
    started = _investigations_started({d.case_id for d in decisions})
    followed: dict[int, list[datetime.date]] = defaultdict(list)
    for decision_id, day in FollowUp.objects.filter(decision_id__in=[d.pk for d in decisions]).values_list(
        "decision_id", "on"
    ):
        followed[decision_id].append(day)
    for row in decisions:
        later = sorted(day for day in started.get(row.case_id, []) if day > row.decision_date)
        # Each follow-up (or new investigation) closes one year's duty and anchors the next.
        anchors = sorted({row.decision_date, *later, *followed.get(row.pk, [])})
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
            # Only an investigation started within the warning window counts as the reassessment.
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


@register("casework.appeals")
def appeal_duties(query: DutyQuery) -> Iterator[Duty]:
    """Forward an appeal to the court without delay, unless the reconsideration changed the decision."""
    appeals = (
        Appeal.objects.filter(decision__case__unit_id__in=query.unit_ids)
        .exclude(reconsideration=Appeal.Reconsideration.CHANGED)
        .exclude(forwarded_on__lt=query.done_since)
        .values_list(
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
    )
    for row in appeals:
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
