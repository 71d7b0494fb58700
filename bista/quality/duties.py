"""Where the quality system's duties come from: Lex Sarah steps (genast, utan dröjsmål, snarast),
deviation actions and handling, answers to feedback, and the 72 hours to decide on notifying IMY."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Q

from bista.core.clock import STOCKHOLM, local_date
from bista.core.deadlines import Duty
from bista.core.duties import DutyQuery, make_duty, register
from bista.quality.models import DataIncident, Deviation, DeviationAction, Feedback, LexSarahReport, Routine


class Rule:
    LEX_SARAH_REGISTRATION = "quality.lex_sarah_registration"
    LEX_SARAH_REMEDY = "quality.lex_sarah_remedy"
    LEX_SARAH_INVESTIGATION = "quality.lex_sarah_investigation"
    LEX_SARAH_IVO = "quality.lex_sarah_ivo"
    DEVIATION_HANDLING = "quality.deviation_handling"
    DEVIATION_ACTION = "quality.deviation_action"
    FEEDBACK_ANSWER = "quality.feedback_answer"
    INCIDENT_IMY = "quality.incident_imy"
    ROUTINE_REVIEW = "quality.routine_review"


def _duty(
    query: DutyQuery, code: str, anchor: datetime.date, done: datetime.date | None, **details: Any
) -> Duty | None:
    anchor_at = details.pop("anchor_at", None)
    return make_duty(
        query, code, anchor, done, anchor_at=anchor_at.astimezone(STOCKHOLM) if anchor_at else None, **details
    )


def _day(moment: datetime.datetime | None) -> datetime.date | None:
    return local_date(moment) if moment else None


@register("quality.lex_sarah")
def lex_sarah_duties(query: DutyQuery) -> Iterator[Duty]:
    if query.responsible_id is not None:
        return  # nobody's own duty: on the unit's list only
    since = datetime.datetime.combine(query.done_since, datetime.time(), tzinfo=STOCKHOLM)
    reports = (
        LexSarahReport.objects.filter(unit_id__in=query.unit_ids)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since))
        .select_related("client")
    )
    for report in reports:
        url = ("quality:lex_sarah_detail", (report.pk,))
        client_id = report.client_id
        name = report.client.full_name if report.client else ""
        reported = local_date(report.reported_at)
        steps = [
            (Rule.LEX_SARAH_REGISTRATION, reported, _day(report.registered_at), "Lex Sarah: registrera rapporten"),
        ]
        if report.registered_at:
            registered = local_date(report.registered_at)
            steps.append(
                (Rule.LEX_SARAH_REMEDY, registered, _day(report.remedied_at), "Lex Sarah: avhjälp utan dröjsmål")
            )
            steps.append(
                (Rule.LEX_SARAH_INVESTIGATION, registered, _day(report.investigated_at), "Lex Sarah: utred rapporten")
            )
        if report.assessed_at and report.serious:
            steps.append(
                (
                    Rule.LEX_SARAH_IVO,
                    local_date(report.assessed_at),
                    report.ivo_notified_on,
                    "Lex Sarah: anmäl till IVO snarast",
                )
            )
        for code, anchor, done, subject in steps:
            if done is None and report.closed_at is not None:
                continue
            duty = _duty(
                query,
                code,
                anchor,
                done,
                subject=subject,
                url=url,
                unit_id=report.unit_id,
                client_id=client_id,
                client_name=name,
            )
            if duty is not None:
                yield duty


@register("quality.deviations")
def deviation_duties(query: DutyQuery) -> Iterator[Duty]:
    since = datetime.datetime.combine(query.done_since, datetime.time(), tzinfo=STOCKHOLM)
    deviations = Deviation.objects.filter(unit_id__in=query.unit_ids)
    actions = DeviationAction.objects.filter(deviation__unit_id__in=query.unit_ids)
    if query.responsible_id is not None:
        deviations = deviations.none()  # handling a deviation is nobody's own duty: on the unit's list only
        actions = actions.filter(owner_id=query.responsible_id)
    for deviation in deviations.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=since)).select_related("client"):
        duty = _duty(
            query,
            Rule.DEVIATION_HANDLING,
            local_date(deviation.reported_at),
            _day(deviation.closed_at),
            subject="Avvikelse: utred och avsluta",
            url=("quality:deviation_detail", (deviation.pk,)),
            unit_id=deviation.unit_id,
            client_id=deviation.client_id,
            client_name=deviation.client.full_name if deviation.client else "",
        )
        if duty is not None:
            yield duty
    for action in actions.filter(Q(done_on__isnull=True) | Q(done_on__gte=query.done_since)).select_related(
        "deviation"
    ):
        duty = _duty(
            query,
            Rule.DEVIATION_ACTION,
            action.due_on,
            action.done_on,
            subject=f"Åtgärd: {action.description[:60]}",
            url=("quality:deviation_detail", (action.deviation_id,)),
            unit_id=action.deviation.unit_id,
            responsible_id=action.owner_id,
        )
        if duty is not None:
            yield duty


@register("quality.feedback")
def feedback_duties(query: DutyQuery) -> Iterator[Duty]:
    if query.responsible_id is not None:
        return  # nobody's own duty: on the unit's list only
    for feedback in (
        Feedback.objects.filter(unit_id__in=query.unit_ids)
        .exclude(kind=Feedback.Kind.PRAISE)
        .exclude(source=Feedback.Source.ANONYMOUS)
        .filter(Q(answered_on__isnull=True, closed_at__isnull=True) | Q(answered_on__gte=query.done_since))
    ):
        duty = _duty(
            query,
            Rule.FEEDBACK_ANSWER,
            feedback.received_on,
            feedback.answered_on,
            subject=f"{feedback.get_kind_display()}: återkoppla",
            url=("quality:feedback_detail", (feedback.pk,)),
            unit_id=feedback.unit_id,
            client_id=feedback.client_id,
        )
        if duty is not None:
            yield duty


@register("quality.incidents")
def incident_duties(query: DutyQuery) -> Iterator[Duty]:
    if query.responsible_id is not None:
        return  # nobody's own duty: on the unit's list only
    since = datetime.datetime.combine(query.done_since, datetime.time(), tzinfo=STOCKHOLM)
    for incident in DataIncident.objects.filter(unit_id__in=query.unit_ids).filter(
        Q(imy_decided_at__isnull=True) | Q(imy_decided_at__gte=since)
    ):
        duty = _duty(
            query,
            Rule.INCIDENT_IMY,
            local_date(incident.discovered_at),
            _day(incident.imy_decided_at),
            subject="Personuppgiftsincident: beslut om anmälan till IMY (72 timmar)",
            url=("quality:incident_detail", (incident.pk,)),
            unit_id=incident.unit_id,
            anchor_at=incident.discovered_at,
        )
        if duty is not None:
            yield duty


@register("quality.routines")
def routine_duties(query: DutyQuery) -> Iterator[Duty]:
    """Each active routine is due for review twelve months after its last review (its owner's duty)."""
    routines = Routine.objects.filter(unit_id__in=query.unit_ids, is_active=True)
    if query.responsible_id is not None:
        routines = routines.filter(owner_id=query.responsible_id)
    for routine in routines:
        duty = _duty(
            query,
            Rule.ROUTINE_REVIEW,
            routine.reviewed_on,
            None,
            subject=f"Revidera rutinen {routine.name}",
            url=("quality:routine_edit", (routine.pk,)),
            unit_id=routine.unit_id,
            responsible_id=routine.owner_id,
        )
        if duty is not None:
            yield duty
