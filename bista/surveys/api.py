"""API of the client survey: surveys (list, read, create, open, close), invitations (who was asked and whether
the code is used; issuing one returns the code once, for the letter) and aggregate results. No endpoint
returns an answer: results are counts per question, step and group, with groups under the minimum hidden.
The same services and selectors as the pages, the same error shape (ADR 0008)."""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from bista.care.models import Service
from bista.clients.models import Client
from bista.core.access import require_any_unit
from bista.core.api import ERRORS, Id, InputSchema, Pagination, Text, actor, existing, one_of
from bista.core.models import Unit
from bista.surveys import rules, selectors, services
from bista.surveys.models import Invitation, Question, Survey

router = Router()


class SurveyOut(Schema):
    id: int
    unit_id: int
    name: str
    year: int
    opens_on: datetime.date
    closes_on: datetime.date
    audience: str
    status: str
    question_ids: list[int]
    service_ids: list[int]
    version: int

    # Both read what the list prefetched (`_with_lists`): no query per survey.
    @staticmethod
    def resolve_question_ids(obj: Survey) -> list[int]:
        return [item.question_id for item in sorted(obj.items.all(), key=lambda item: (item.position, item.pk))]

    @staticmethod
    def resolve_service_ids(obj: Survey) -> list[int]:
        return sorted(service.pk for service in obj.services.all())


class SurveyIn(InputSchema):
    unit_id: Id
    name: Text
    opens_on: datetime.date
    closes_on: datetime.date
    audience: Annotated[str, Field(json_schema_extra=one_of(Survey.Audience))]
    question_ids: list[Id]
    service_ids: list[Id] = []


class SurveyVersionIn(InputSchema):
    version: int


class InvitationOut(Schema):
    id: int
    survey_id: int
    client_id: int
    respondent: str
    channel: str
    used: bool


class InvitationIn(InputSchema):
    client_id: Id
    channel: Annotated[str, Field(json_schema_extra=one_of(Invitation.Channel))]
    respondent: Annotated[str, Field(json_schema_extra=one_of(Invitation.Respondent))] = "client"
    respondent_name: Text = ""
    address: Text = ""


class IssuedOut(InvitationOut):
    code: str = Field(description="The one-time code, returned only now (for a letter); never stored in plain.")


class DistributionOut(Schema):
    group: str
    answers: int | None = Field(description="null when the group is under the minimum")
    counts: list[int] | None
    share_positive: Decimal | None


class QuestionResultOut(Schema):
    question_id: int
    question: str
    labels: list[str]
    previous_year_share_positive: Decimal | None
    groups: list[DistributionOut]


class GroupOut(Schema):
    key: str
    label: str
    invited: int
    answered: int | None
    response_rate: Decimal | None


class ResultsOut(Schema):
    survey_ids: list[int]
    grouping: str
    min_group: int
    invited: int
    answered: int
    response_rate: Decimal | None
    groups: list[GroupOut]
    questions: list[QuestionResultOut]


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    return selectors.survey_for(actor(request), survey_id)


def _distribution(group: str, dist: rules.Distribution) -> dict[str, Any]:
    return {
        "group": group,
        "answers": dist.answers if dist.shown else None,
        "counts": list(dist.counts) if dist.shown else None,
        "share_positive": dist.share_positive,
    }


def _results(found: selectors.Results) -> dict[str, Any]:
    return {
        "survey_ids": [s.pk for s in found.surveys],
        "grouping": found.grouping,
        "min_group": found.min_group,
        "invited": found.invited,
        "answered": found.answered,
        "response_rate": found.response_rate,
        "groups": [
            {
                "key": g.key,
                "label": g.label,
                "invited": g.invited,
                "answered": g.answered if g.shown else None,
                "response_rate": g.response_rate,
            }
            for g in found.groups
        ],
        "questions": [
            {
                "question_id": q.question.pk,
                "question": q.question.text,
                "labels": q.labels,
                "previous_year_share_positive": q.previous,
                "groups": [_distribution("", q.total)] + [_distribution(key, dist) for key, dist in q.groups.items()],
            }
            for q in found.questions
        ],
    }


@router.get("/surveys", response={200: list[SurveyOut], **ERRORS}, summary="Brukarundersökningar")
@paginate(Pagination)
def list_surveys(request: HttpRequest, unit_id: Id | None = None, year: int | None = None) -> Any:
    units = require_any_unit(actor(request), [services.SURVEY_VIEW])
    if unit_id and unit_id not in units:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    found = selectors.visible_surveys(actor(request)).order_by("-year", "pk")
    if unit_id:
        found = found.filter(unit_id=unit_id)
    if year is not None:
        found = found.filter(year=year)
    return found.prefetch_related("items", "services")


@router.post("/surveys", response={201: SurveyOut, **ERRORS}, summary="Skapa en brukarundersökning (utkast)")
def create_survey(request: HttpRequest, payload: SurveyIn) -> Any:
    unit = existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte.")
    questions = [existing(Question, pk, "question_ids", "Frågan finns inte.") for pk in payload.question_ids]
    chosen = [existing(Service, pk, "service_ids", "Insatsen finns inte.") for pk in payload.service_ids]
    survey = services.survey_create(
        actor=actor(request),
        unit=unit,
        name=payload.name,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        audience=payload.audience,
        questions=questions,
        services=chosen,
    )
    return Status(201, survey)


@router.get("/surveys/{survey_id}", response={200: SurveyOut, **ERRORS}, summary="En brukarundersökning")
def get_survey(request: HttpRequest, survey_id: Id) -> Any:
    return _survey(request, survey_id)


@router.post("/surveys/{survey_id}/open", response={200: SurveyOut, **ERRORS}, summary="Öppna för svar")
def open_survey(request: HttpRequest, survey_id: Id, payload: SurveyVersionIn) -> Any:
    survey = _survey(request, survey_id)
    return services.survey_open(actor=actor(request), survey=survey, expected_version=payload.version)


@router.post("/surveys/{survey_id}/close", response={200: SurveyOut, **ERRORS}, summary="Avsluta")
def close_survey(request: HttpRequest, survey_id: Id, payload: SurveyVersionIn) -> Any:
    survey = _survey(request, survey_id)
    return services.survey_close(actor=actor(request), survey=survey, expected_version=payload.version)


@router.get(
    "/surveys/{survey_id}/invitations",
    response={200: list[InvitationOut], **ERRORS},
    summary="Inbjudningar: vilka som tillfrågats och om koden är använd",
)
@paginate(Pagination)
def list_invitations(request: HttpRequest, survey_id: Id) -> Any:
    survey = _survey(request, survey_id)
    if not selectors.can_manage(actor(request), survey):
        raise Http404("Undersökningen finns inte eller så saknar du behörighet.")
    return selectors.invitations(survey)


@router.post(
    "/surveys/{survey_id}/invitations", response={201: IssuedOut, **ERRORS}, summary="Skicka en inbjudan (en kod)"
)
def issue_invitation(request: HttpRequest, survey_id: Id, payload: InvitationIn) -> Any:
    survey = _survey(request, survey_id)
    client = existing(Client, payload.client_id, "client_id", "Brukaren finns inte.")
    issued = services.invitation_issue(
        actor=actor(request),
        survey=survey,
        client=client,
        channel=payload.channel,
        respondent=payload.respondent,
        respondent_name=payload.respondent_name,
        address=payload.address,
    )
    body = InvitationOut.from_orm(issued.invitation).dict()
    return Status(201, {**body, "code": rules.display_code(issued.code)})


Grouping = Annotated[str, Field(json_schema_extra={"enum": list(selectors.GROUPINGS)})]


@router.get(
    "/surveys/{survey_id}/results", response={200: ResultsOut, **ERRORS}, summary="Resultat (bara sammanställningar)"
)
def survey_results(request: HttpRequest, survey_id: Id, grouping: Grouping = "") -> Any:
    survey = _survey(request, survey_id)
    if grouping not in selectors.GROUPINGS:
        raise ValidationError({"grouping": "Okänd gruppering."})
    return _results(selectors.survey_results(actor(request), survey, grouping))
