"""The client survey's history: one survey per year for the last five years (October, the city's standard
questions, every active client of the provider asked), with response rates of 30–60 % and answers that
drift a little from year to year, so that the results page has a previous year to compare with and
governance's survey indicators (computed from the answers) have values.

The survey itself goes through the services (composed, opened, closed: audited). Its invitations, responses
and answers are written with bulk_create (precomputed rows, as the rostering history; ADR 0007), with one
summary audit event per district: an invitation answered in the demo is simply marked used, and the
response it gave has, as always, no link back to it.
"""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

from bista.core import audit
from bista.core.access import SYSTEM
from bista.demo.generator import Context, DemoClient, step
from bista.surveys import rules, services
from bista.surveys.models import Answer, Invitation, Question, Response, Survey

YEARS = 5
BATCH = 2000
RESPONDENTS = [("client", 0.78), ("representative", 0.15), ("relative", 0.07)]


def _survey_years(today: datetime.date, years: int) -> list[int]:
    """The years whose October survey is over by `today`, the last `years` of them within the history."""
    last = today.year if today >= datetime.date(today.year, 11, 1) else today.year - 1
    return [year for year in range(last - YEARS + 1, last + 1) if year > today.year - years - 1]


def _active(demo: DemoClient, day: datetime.date) -> bool:
    return demo.service is not None and demo.since <= day and (demo.until is None or demo.until >= day)


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    draw, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if draw < total:
            return value
    return weighted[-1][0]


def _value(rng: random.Random, question: Question, positive: float) -> int:
    """A step of the question's scale: positive with probability `positive`."""
    scale = question.scale
    if rng.random() < positive:
        return rng.randint(scale.positive_from, scale.steps)
    return rng.randint(1, scale.positive_from - 1)


def _insert(model: Any, rows: list[Any]) -> None:
    for i in range(0, len(rows), BATCH):
        model._default_manager.bulk_create(rows[i : i + BATCH])


@step("surveys.history")
def create_survey_history(ctx: Context) -> None:
    d, rng = ctx.current, ctx.rng
    questions = list(Question.objects.filter(unit__isnull=True).select_related("scale").order_by("code"))
    if not questions:
        return
    # Each question has its own level, and the unit improves a little from year to year (with noise).
    level = {q.pk: rng.uniform(0.62, 0.82) for q in questions}
    counts = {"surveys": 0, "invitations": 0, "responses": 0, "answers": 0}
    for index, year in enumerate(_survey_years(ctx.today, ctx.years)):
        opens, closes = datetime.date(year, 10, 1), datetime.date(year, 10, 31)
        asked = [demo for demo in d.clients if _active(demo, opens) and demo.client.is_active]
        if not asked:
            continue
        survey = services.survey_create(
            actor=SYSTEM,
            unit=d.provider,
            name=f"Brukarundersökning hösten {year}",
            opens_on=opens,
            closes_on=closes,
            audience=Survey.Audience.ALL_ACTIVE,
            questions=questions,
        )
        survey = services.survey_open(actor=SYSTEM, survey=survey, expected_version=survey.version)
        # Exactly the year's response rate (30–60 %) of those asked answer, whoever they are.
        answering = set(rng.sample(range(len(asked)), round(rng.uniform(0.30, 0.60) * len(asked))))
        invitations, responses, answers = [], [], []
        for number, demo in enumerate(asked):
            respondent = _pick(rng, RESPONDENTS)
            code = "".join(rng.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))
            used = number in answering
            invitations.append(
                Invitation(
                    survey=survey,
                    client=demo.client,
                    respondent=respondent,
                    respondent_name="Anhörig"
                    if respondent == "relative"
                    else "God man"
                    if respondent != "client"
                    else "",
                    channel="letter" if rng.random() < 0.7 else "email",
                    code_hash=rules.code_hash(f"{code}:{survey.pk}:{demo.client.pk}"),
                    gender=demo.client.gender,
                    service_code=demo.service or "",
                    issued_at=datetime.datetime(year, 9, 25, 9, tzinfo=datetime.UTC),
                    used=used,
                )
            )
            if not used:
                continue
            response = Response(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                survey=survey,
                unit=d.provider,
                gender=demo.client.gender,
                service_code=demo.service or "",
                respondent=respondent,
                helped_by_staff=respondent == "client" and rng.random() < 0.35,
            )
            responses.append(response)
            for question in questions:
                if rng.random() < 0.06:
                    continue  # skipped
                positive = min(0.97, level[question.pk] + 0.015 * index + rng.uniform(-0.05, 0.05))
                answers.append(
                    Answer(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        response=response,
                        question=question,
                        value=_value(rng, question, positive),
                    )
                )
        rng.shuffle(responses)  # the order of rows says nothing about who was asked first
        _insert(Invitation, invitations)
        _insert(Response, responses)
        _insert(Answer, answers)
        services.survey_close(actor=SYSTEM, survey=survey, expected_version=survey.version)
        counts["surveys"] += 1
        counts["invitations"] += len(invitations)
        counts["responses"] += len(responses)
        counts["answers"] += len(answers)
    audit.record(
        actor=SYSTEM, action="demo.history", obj=d.provider, new={"step": "surveys.history", **counts}, unit=d.provider
    )
