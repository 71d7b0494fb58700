"""Answers cannot be joined back to a person: the schema has no path from a response or an answer to an
invitation, a client or a user; nothing orders or times them; no query the survey makes joins them; and no
other table points at them (an audit event names the invitation, never the response)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from bista.core.access import SYSTEM
from bista.surveys import selectors
from bista.surveys.models import Answer, Invitation, Response
from bista.surveys.tests import factories as f

# Forward relations an answer may have: to the survey and unit (grouping) and its question.
ALLOWED = {
    Response: {"survey": "surveys.Survey", "unit": "core.Unit"},
    Answer: {"response": "surveys.Response", "question": "surveys.Question"},
}


@pytest.mark.parametrize("model", [Response, Answer], ids=["response", "answer"])
def test_a_response_and_an_answer_relate_to_nothing_personal(model: type[models.Model]) -> None:
    relations = {
        field.name: field.related_model._meta.label  # type: ignore[union-attr]
        for field in model._meta.get_fields()
        if field.is_relation and (field.many_to_one or field.one_to_one or field.many_to_many) and field.concrete
    }
    assert relations == ALLOWED[model]
    # No moment of submission and no sequential key: the order of rows says nothing.
    assert not [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateField | models.TimeField)]
    assert isinstance(model._meta.pk, models.UUIDField)


def test_no_model_points_at_a_response_or_an_answer_except_an_answer_at_its_response() -> None:
    pointing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in (Response, Answer)
    ]
    assert pointing == ["surveys.Answer.response"]
    # And the invitation has nothing that leads to a response either.
    assert not [f for f in Invitation._meta.get_fields() if f.is_relation and f.related_model in (Response, Answer)]


@pytest.mark.django_db
def test_no_query_of_answering_or_the_results_joins_answers_with_invitations(org: Any, frozen_clock: Any) -> None:
    frozen_clock(f.TODAY)
    made = f.survey(org.provider, codes=["trygghet", "nojd"])
    with CaptureQueriesContext(connection) as captured:
        for client in f.clients(org.provider, 6):
            f.answer_all(made, client, 3)
        for grouping in selectors.GROUPINGS:
            selectors.aggregate([made], grouping)
        selectors.kolada_rows(selectors.aggregate([made]))
        selectors.year_results(SYSTEM, 2026)
    for query in captured.captured_queries:
        sql = query["sql"]
        tables = set(re.findall(r'"(surveys_\w+)"', sql))
        assert not (
            {"surveys_response", "surveys_answer"} & tables and {"surveys_invitation", "clients_client"} & tables
        ), sql
