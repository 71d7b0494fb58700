"""What the survey publishes for governance's indicator registry: the share of positive answers to a
standard question in a unit's surveys of a year, in total and per recorded gender, suppressed below the
minimum group. The drill-down is the aggregate (the survey's results page), never a person.

`INDICATORS` lists (registry key, question code, description); governance registers each with
`figure` in a loop (governance/registry.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from bista.core.people import Gender
from bista.surveys import rules
from bista.surveys.models import Answer, Question, Survey
from bista.surveys.services import min_group

INDICATORS = [
    ("surveys.satisfied", "nojd", "Andel positiva svar på frågan om brukaren är nöjd med sitt stöd"),
    ("surveys.treated", "bemotande", "Andel positiva svar på frågan om bemötande (personalen är snälla och lyssnar)"),
    ("surveys.influence", "inflytande", "Andel positiva svar på frågan om brukaren kan bestämma över sitt stöd"),
    ("surveys.safe", "trygghet", "Andel positiva svar på frågan om brukaren känner sig trygg"),
    ("surveys.information", "information", "Andel positiva svar på frågan om brukaren får information"),
    ("surveys.understood", "forstod_beslutet", "Andel positiva svar på frågan om brukaren förstod sitt beslut"),
    ("surveys.choice", "valfrihet", "Andel positiva svar på frågan om brukaren fick veta att man får välja utförare"),
]
DESCRIPTION_SUFFIX = (
    " i enhetens brukarundersökningar som öppnat under året till och med periodens slut. Visas bara när minst "
    "det minsta antalet svar finns (inställning), per kön bara för grupper av den storleken."
)


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    women: Decimal | None
    men: Decimal | None
    positive: int
    answers: int
    survey_ids: tuple[int, ...]


def figure(question_code: str, unit_id: int, year: int, last: datetime.date) -> Figure:
    """The share positive (percent) of one standard question, from the unit's surveys of `year` that opened
    by `last`. Two queries."""
    surveys = tuple(
        Survey.objects.filter(unit_id=unit_id, year=year, opens_on__lte=last, status=Survey.Status.CLOSED).values_list(
            "pk", flat=True
        )
    )
    question = Question.objects.filter(code=question_code).select_related("scale").first()
    if not surveys or question is None:
        return Figure(None, None, None, 0, 0, surveys)
    counts: dict[str, dict[int, int]] = {}
    for gender, value, number in (
        Answer.objects.filter(response__survey_id__in=surveys, question=question)
        .values_list("response__gender", "value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(gender, {})[value] = number
    limit = min_group()
    steps, positive_from = question.scale.steps, question.scale.positive_from
    total: dict[int, int] = {}
    for per_value in counts.values():
        for value, number in per_value.items():
            total[value] = total.get(value, 0) + number

    def dist(values: dict[int, int]) -> rules.Distribution:
        return rules.distribution(values, steps, positive_from, limit)

    whole = dist(total)
    # Women and men shown only where the rest (other or unknown gender) cannot then be worked out from the total.
    sizes = {g: sum(v.values()) for g, v in counts.items()}
    sizes.setdefault(Gender.WOMAN, 0)
    sizes.setdefault(Gender.MAN, 0)
    hidden = rules.suppressed_groups(sizes, limit)

    def by_gender(gender: str) -> Decimal | None:
        return None if gender in hidden else dist(counts.get(gender, {})).share_positive

    return Figure(
        value=whole.share_positive,
        women=by_gender(Gender.WOMAN),
        men=by_gender(Gender.MAN),
        positive=whole.positive,
        answers=whole.answers if whole.shown else 0,
        survey_ids=surveys,
    )
