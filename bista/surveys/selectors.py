"""Reads of the client survey, scoped to the actor (surveys.view in the survey's unit). Results are only
aggregates: counts per question, step and group, computed in the database from `Response`/`Answer` rows
that carry no link to a person; a group under the minimum size shows only that it is too small."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from bista.core.access import SYSTEM, unit_ids_with
from bista.core.models import Unit
from bista.core.people import Gender
from bista.surveys import rules
from bista.surveys.models import Answer, Invitation, Question, Response, Survey, SurveyQuestion
from bista.surveys.services import SURVEY_MANAGE, SURVEY_VIEW, min_group

GROUPINGS = {"": "Alla", "gender": "Kön", "service": "Insats", "unit": "Enhet"}
_COLUMN = {"gender": "gender", "service": "service_code", "unit": "unit_id"}


def visible_surveys(actor: Any) -> QuerySet[Survey]:
    surveys = Survey.objects.select_related("unit")
    if actor is SYSTEM:
        return surveys
    return surveys.filter(unit_id__in=unit_ids_with(actor, SURVEY_VIEW))


def survey_for(actor: Any, pk: int) -> Survey:
    survey = visible_surveys(actor).filter(pk=pk).first()
    if survey is None:
        raise Http404("Undersökningen finns inte eller så saknar du behörighet.")
    return survey


def can_manage(actor: Any, survey: Survey) -> bool:
    return actor is SYSTEM or survey.unit_id in unit_ids_with(actor, SURVEY_MANAGE)


def manageable_units(actor: Any) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=unit_ids_with(actor, SURVEY_MANAGE)).order_by("name")


def questions_of(survey: Survey) -> list[Question]:
    return [
        item.question
        for item in SurveyQuestion.objects.filter(survey=survey).select_related("question__scale").order_by("position")
    ]


def invitation_counts(survey: Survey) -> dict[str, int]:
    current = Invitation.objects.filter(survey=survey, replaced=False)
    return current.aggregate(invited=Count("id"), answered=Count("id", filter=Q(used=True)))  # type: ignore[no-any-return]


def invitations(survey: Survey) -> QuerySet[Invitation]:
    """The survey's current invitations (whether each is answered: not what was answered)."""
    return (
        Invitation.objects.filter(survey=survey, replaced=False).select_related("client").order_by("client__last_name")
    )


# --- Results ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    invited: int
    answered: int
    shown: bool

    @property
    def response_rate(self) -> Decimal | None:
        return rules.ratio(self.answered, self.invited) if self.shown else None


@dataclass
class QuestionResult:
    question: Question
    labels: list[str]
    total: rules.Distribution
    groups: dict[str, rules.Distribution] = field(default_factory=dict)
    previous: Decimal | None = None  # share positive last year (same question, same unit)


@dataclass
class Results:
    surveys: list[Survey]
    grouping: str
    min_group: int
    invited: int
    answered: int
    helped: int
    groups: list[Group]
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> Decimal | None:
        return rules.ratio(self.answered, self.invited)

    @property
    def shown(self) -> bool:
        return self.answered >= self.min_group


def _label(grouping: str, key: Any, units: dict[int, str]) -> str:
    if grouping == "gender":
        return str(dict(Gender.choices).get(key, key))
    if grouping == "unit":
        return units.get(key, str(key))
    if grouping == "service":
        return key or "Insats saknas"
    return "Alla"


def aggregate(
    surveys: Iterable[Survey], grouping: str = "", *, questions: list[Question] | None = None, previous: bool = True
) -> Results:
    """The results of one or more surveys (e.g. a city-year), grouped by `grouping` ("", gender, service,
    unit). Four queries whatever the number of answers, plus the previous year's shares when asked.

    Only closed surveys count: while one is open, its results before and after one invitation is used would
    give that person's answers, whatever the minimum group."""
    surveys = [s for s in surveys if s.status == Survey.Status.CLOSED]
    if grouping not in GROUPINGS:
        grouping = ""
    ids = [s.pk for s in surveys]
    limit = min_group()
    column = _COLUMN.get(grouping)
    if questions is None:
        seen: dict[int, Question] = {}
        for item in (
            SurveyQuestion.objects.filter(survey_id__in=ids).select_related("question__scale").order_by("position")
        ):
            seen.setdefault(item.question_id, item.question)
        questions = list(seen.values())
    # Invited and answered per group (the invitations say who was asked; the responses who answered).
    invited_rows = Invitation.objects.filter(survey_id__in=ids, replaced=False)
    answered_rows = Response.objects.filter(survey_id__in=ids)
    if column:
        invited_column = "survey__unit_id" if column == "unit_id" else column
        invited_by = dict(invited_rows.values_list(invited_column).annotate(n=Count("pk")).order_by())
        answered_by = dict(answered_rows.values_list(column).annotate(n=Count("pk")).order_by())
    else:
        invited_by = {"": invited_rows.count()}
        answered_by = {"": answered_rows.count()}
    helped = answered_rows.filter(helped_by_staff=True).count()
    units = dict(Unit.objects.filter(pk__in={s.unit_id for s in surveys}).values_list("pk", "name"))
    hidden_groups = rules.suppressed_groups({str(k): n for k, n in answered_by.items()}, limit)
    groups = [
        Group(
            key=str(key),
            label=_label(grouping, key, units),
            invited=invited_by.get(key, 0),
            answered=answered_by.get(key, 0),
            shown=str(key) not in hidden_groups,
        )
        for key in sorted(set(invited_by) | set(answered_by), key=lambda k: _label(grouping, k, units))
    ]
    # Counts per question, step (and group): one query.
    values: list[str] = ["question_id", "value"] + ([f"response__{column}"] if column else [])
    counts: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    totals: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        Answer.objects.filter(response__survey_id__in=ids).values_list(*values).annotate(n=Count("pk")).order_by()
    ):
        question_id, value = row[0], row[1]
        key = str(row[2]) if column else ""
        number = row[-1]
        counts[(question_id, key)][value] = number
        totals[question_id][value] += number
    before = _previous_shares(surveys, questions) if previous else {}
    results = []
    for question in questions:
        scale = question.scale
        result = QuestionResult(
            question=question,
            labels=list(scale.labels),
            total=rules.distribution(totals.get(question.pk, {}), scale.steps, scale.positive_from, limit),
            previous=before.get(question.pk),
        )
        if column:
            # Per question (someone may skip one), the groups hidden so that none can be worked out from the total.
            sizes = {g.key: sum(counts.get((question.pk, g.key), {}).values()) for g in groups}
            hidden = rules.suppressed_groups(sizes, limit) | {g.key for g in groups if not g.shown}
            for group in groups:
                shown_counts = {} if group.key in hidden else counts.get((question.pk, group.key), {})
                result.groups[group.key] = rules.distribution(shown_counts, scale.steps, scale.positive_from, limit)
        results.append(result)
    return Results(
        surveys=surveys,
        grouping=grouping,
        min_group=limit,
        invited=sum(invited_by.values()),
        answered=sum(answered_by.values()),
        helped=helped if sum(answered_by.values()) >= limit else 0,
        groups=groups,
        questions=results,
    )


def _previous_shares(surveys: list[Survey], questions: list[Question]) -> dict[int, Decimal | None]:
    """Each question's share positive in the same units' surveys of the year before."""
    if not surveys:
        return {}
    years = {s.year for s in surveys}
    earlier = Survey.objects.filter(
        unit_id__in={s.unit_id for s in surveys}, year__in=[y - 1 for y in years], status=Survey.Status.CLOSED
    )
    return share_positive_by_question(list(earlier), questions)


def share_positive_by_question(surveys: list[Survey], questions: list[Question]) -> dict[int, Decimal | None]:
    if not surveys:
        return {}
    limit = min_group()
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, value, number in (
        Answer.objects.filter(response__survey__in=surveys, question__in=questions)
        .values_list("question_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        totals[question_id][value] = number
    return {
        q.pk: rules.distribution(totals.get(q.pk, {}), q.scale.steps, q.scale.positive_from, limit).share_positive
        for q in questions
    }


def survey_results(actor: Any, survey: Survey, grouping: str = "") -> Results:
    """One survey's results for a reader with surveys.view in its unit (the caller has it from survey_for)."""
    survey_for(actor, survey.pk)
    return aggregate([survey], grouping)


def year_results(actor: Any, year: int, grouping: str = "unit") -> Results:
    """Every visible unit's surveys of a year together (the city-year), grouped by unit by default."""
    return aggregate(visible_surveys(actor).filter(year=year), grouping)


def trend(survey: Survey, years: int = 5) -> list[tuple[int, dict[int, Decimal | None]]]:
    """The survey unit's share positive per question for the last `years` years (for the comparison chart)."""
    questions = questions_of(survey)
    rows = []
    for year in range(survey.year - years + 1, survey.year + 1):
        same = list(Survey.objects.filter(unit_id=survey.unit_id, year=year, status=Survey.Status.CLOSED))
        rows.append((year, share_positive_by_question(same, questions)))
    return rows


def kolada_rows(results: Results) -> list[dict[str, Any]]:
    """The questions with a Kolada counterpart as Kolada-style rows (as governance's open data): kpi, unit,
    period and the share positive per gender T/K/M; a group under the minimum is left out (null)."""
    rows = []
    by_unit: dict[int, list[Survey]] = defaultdict(list)
    for survey in results.surveys:
        by_unit[survey.unit_id].append(survey)
    for unit in Unit.objects.filter(pk__in=list(by_unit)).select_related("department__district__municipality"):
        per_gender = aggregate(by_unit[unit.pk], "gender", previous=False)
        for result in per_gender.questions:
            if not result.question.kolada_kpi:
                continue
            values = [{"gender": "T", "value": _float(result.total.share_positive)}]
            for gender in (Gender.WOMAN, Gender.MAN):
                distribution = result.groups.get(gender)
                values.append(
                    {"gender": gender, "value": _float(distribution.share_positive if distribution else None)}
                )
            rows.append(
                {
                    "kpi": result.question.kolada_kpi,
                    "kpi_title": result.question.text,
                    "unit_of_measure": "%",
                    "municipality": unit.department.district.municipality.code,
                    "municipality_name": unit.department.district.municipality.name,
                    "ou": unit.pk,
                    "ou_title": unit.name,
                    "period": min(s.year for s in by_unit[unit.pk]),
                    "answers": result.total.answers,
                    "values": values,
                }
            )
    return rows


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def drilldown_rows(actor: Any, survey_ids: Iterable[int]) -> list[tuple[datetime.date, str, str, str]]:
    """For governance's drill-down: (closing day, title, results page, answers) of each visible survey."""
    from django.urls import reverse

    surveys = visible_surveys(actor).filter(pk__in=list(survey_ids)).annotate(answers=Count("responses"))
    return [
        (s.closes_on, str(s), reverse("surveys:results", args=[s.pk]), f"{s.answers} svar")  # type: ignore[attr-defined]
        for s in surveys.order_by("opens_on", "pk")
    ]
