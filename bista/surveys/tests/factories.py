"""Helpers for the survey tests: clients of a unit, a survey of the standard questions, invitations and
answers, all through the services. Dates are in March 2026; tests freeze the clock on `TODAY`."""

from __future__ import annotations

import datetime
from typing import Any

from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import Unit
from bista.quality.tests.factories import make_client
from bista.surveys import services
from bista.surveys.models import Question, Survey

D = datetime.date
OPENS, CLOSES = D(2026, 3, 1), D(2026, 3, 31)
TODAY = datetime.datetime(2026, 3, 10, 12, tzinfo=STOCKHOLM)
STANDARD = ["trygghet", "bemotande", "inflytande", "information", "forstod_beslutet", "valfrihet", "nojd"]


def clients(unit: Unit, n: int, *, gender: str = "K", first_name: str = "Test") -> list[Client]:
    made = []
    for i in range(n):
        client = make_client(unit, first_name=f"{first_name}{i}", last_name="Svarsdotter")
        client.gender = gender
        client.save(update_fields=["gender"])
        made.append(client)
    return made


def survey(
    unit: Unit,
    *,
    actor: Any = SYSTEM,
    codes: list[str] | None = None,
    opens_on: datetime.date = OPENS,
    closes_on: datetime.date = CLOSES,
    open_it: bool = True,
    name: str = "Brukarundersökning",
) -> Survey:
    questions = [Question.objects.get(code=c) for c in (codes or STANDARD)]
    made = services.survey_create(
        actor=actor,
        unit=unit,
        name=name,
        opens_on=opens_on,
        closes_on=closes_on,
        audience=Survey.Audience.ALL_ACTIVE,
        questions=questions,
    )
    if open_it:
        made = services.survey_open(actor=actor, survey=made, expected_version=made.version)
    return made


def invite(made: Survey, client: Client, *, channel: str = "letter", **kwargs: Any) -> str:
    return services.invitation_issue(actor=SYSTEM, survey=made, client=client, channel=channel, **kwargs).code


def answer_all(made: Survey, client: Client, value: int | dict[str, int] = 2, **kwargs: Any) -> None:
    """Invite `client` and answer every question with `value` (or per question code)."""
    code = invite(made, client)
    questions = list(made.items.select_related("question"))
    answers = {item.question_id: (value if isinstance(value, int) else value[item.question.code]) for item in questions}
    answers = {
        q: min(v, next(i.question.scale.steps for i in questions if i.question_id == q)) for q, v in answers.items()
    }
    services.answer_submit(code=code, answers=answers, helped_by_staff=False, **kwargs)


def close(made: Survey, actor: Any = SYSTEM) -> Survey:
    """Close the survey: its results count only from then (while open they could give away one person's answers)."""
    made.refresh_from_db()
    return services.survey_close(actor=actor, survey=made, expected_version=made.version)
