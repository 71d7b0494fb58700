"""The survey's writes: composing, inviting, answering once through a one-time code, and every refusal
leaving nothing stored."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.rostering.models import Shift
from bista.staff.models import Employee
from bista.surveys import rules, services
from bista.surveys.models import Answer, AnswerScale, Invitation, Question, Response, Survey
from bista.surveys.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(frozen_clock: Any) -> None:
    frozen_clock(f.TODAY)


def _stored() -> tuple[int, int, int]:
    return Response.objects.count(), Answer.objects.count(), Invitation.objects.filter(used=True).count()


def test_the_standard_questions_are_seeded_with_easy_swedish_and_scales_of_two_to_five_steps() -> None:
    standard = Question.objects.filter(unit__isnull=True)
    assert set(f.STANDARD) <= set(standard.values_list("code", flat=True))
    for question in standard:
        assert question.easy_text and question.pictogram
        assert rules.scale_errors(question.scale.labels, question.scale.positive_from) == {}


def test_a_unit_adds_its_own_question_and_another_unit_cannot(org: Any, manager: Any, other_manager: Any) -> None:
    scale = AnswerScale.objects.get(code="tre")
    own = services.question_create(
        actor=manager, unit=org.provider, text="Är maten god?", easy_text="Är maten god?", scale=scale
    )
    assert own.unit == org.provider and services.bank_for(org.provider).filter(pk=own.pk).exists()
    assert not services.bank_for(org.other_unit).filter(pk=own.pk).exists()
    with pytest.raises(PermissionDenied):
        services.question_create(actor=other_manager, unit=org.provider, text="x", easy_text="x", scale=scale)
    with pytest.raises(ValidationError) as error:
        services.question_create(actor=manager, unit=org.provider, text=" ", easy_text="", scale=scale)
    assert set(error.value.message_dict) == {"text", "easy_text"}


def test_composing_refuses_bad_input_naming_the_field(org: Any) -> None:
    bad = {
        "actor": SYSTEM,
        "unit": org.provider,
        "name": "",
        "opens_on": f.CLOSES,
        "closes_on": f.OPENS,
        "audience": Survey.Audience.SERVICES,
        "questions": [],
    }
    with pytest.raises(ValidationError) as error:
        services.survey_create(**bad)
    assert {"name", "closes_on", "questions", "services"} <= set(error.value.message_dict)
    assert Survey.objects.count() == 0


def test_an_invitation_by_email_sends_the_code_and_stores_only_its_hash(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider)
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.invitation_issue(
            actor=SYSTEM, survey=made, client=client, channel="email", address="astrid@example.org"
        )
    assert rules.display_code(issued.code) in mail.outbox[0].body
    stored = Invitation.objects.get()
    assert stored.code_hash == rules.code_hash(issued.code) and issued.code not in str(stored.__dict__)


def test_an_invitation_needs_an_address_and_a_named_representative(org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider)
    with pytest.raises(ValidationError) as error:
        services.invitation_issue(actor=SYSTEM, survey=made, client=client, channel="sms", respondent="relative")
    assert {"address", "respondent_name"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.invitation_issue(actor=SYSTEM, survey=made, client=client, channel="sms", address="abc")
    assert "address" in error.value.message_dict
    assert not Invitation.objects.exists()


def test_a_client_of_another_unit_is_not_asked(org: Any) -> None:
    (stranger,) = f.clients(org.other_unit, 1)
    made = f.survey(org.provider)
    with pytest.raises(ValidationError) as error:
        f.invite(made, stranger)
    assert "client" in error.value.message_dict


def test_a_representative_answers_for_the_client_and_it_is_recorded(org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client, respondent="representative", respondent_name="God Man")
    question = Question.objects.get(code="trygghet")
    services.answer_submit(code=code, answers={question.pk: 4}, helped_by_staff=False)
    response = Response.objects.get()
    assert response.respondent == "representative" and response.gender == "K"
    assert list(response.answers.values_list("value", flat=True)) == [4]


def test_a_code_answers_once_then_a_second_answer_is_refused_with_nothing_stored(org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client)
    question = Question.objects.get(code="trygghet")
    services.answer_submit(code=code, answers={question.pk: 3}, helped_by_staff=False)
    before = _stored()
    with pytest.raises(services.CodeRefused) as refused:
        services.answer_submit(code=code, answers={question.pk: 1}, helped_by_staff=False)
    assert refused.value.message == rules.Refusal.USED
    assert _stored() == before


@pytest.mark.parametrize("case", ["forged", "expired", "replaced", "closed", "bad_value", "other_question", "empty"])
def test_refused_answers_store_nothing(org: Any, frozen_clock: Any, case: str) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client)
    question = Question.objects.get(code="trygghet")
    answers: dict[int, Any] = {question.pk: 2}
    if case == "forged":
        code = rules.new_code()
    elif case == "expired":
        frozen_clock(f.TODAY + datetime.timedelta(days=30))
    elif case == "replaced":
        f.invite(made, client)
    elif case == "closed":
        services.survey_close(actor=SYSTEM, survey=made, expected_version=made.version)
    elif case == "bad_value":
        answers = {question.pk: 9}
    elif case == "other_question":
        answers = {Question.objects.get(code="nojd").pk: 2}
    elif case == "empty":
        answers = {}
    with pytest.raises((services.CodeRefused, ValidationError)):
        services.answer_submit(code=code, answers=answers, helped_by_staff=False)
    assert _stored()[:2] == (0, 0)


def test_staff_may_help_but_never_the_staff_member_who_supports_the_client(
    org: Any, staffer: Any, manager: Any
) -> None:
    clients = f.clients(org.provider, 2)
    made = f.survey(org.provider, codes=["trygghet"])
    question = Question.objects.get(code="trygghet")
    employee = Employee.objects.get(user=staffer)
    start = f.TODAY - datetime.timedelta(days=3)
    Shift.objects.create(
        unit=org.provider,
        client=clients[0],
        employee=employee,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
    )
    code = f.invite(made, clients[0])
    with pytest.raises(PermissionDenied):
        services.answer_submit(code=code, answers={question.pk: 2}, helped_by_staff=True, helper=staffer)
    with pytest.raises(ValidationError):
        services.answer_submit(code=code, answers={question.pk: 2}, helped_by_staff=True, helper=None)
    assert _stored()[:2] == (0, 0)
    services.answer_submit(code=code, answers={question.pk: 2}, helped_by_staff=True, helper=manager)
    assert Response.objects.get().helped_by_staff


def test_submitting_audits_the_invitation_never_the_response(org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    f.answer_all(made, client)
    response = Response.objects.get()
    used = AuditEvent.objects.get(action="invitation.used")
    assert str(response.pk) not in str(used.new_values) and used.object_type == "surveys.invitation"
    assert not AuditEvent.objects.filter(object_type__in=["surveys.response", "surveys.answer"]).exists()
