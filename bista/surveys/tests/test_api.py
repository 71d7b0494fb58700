"""The survey API (/api/v1/surveys/…) four ways, bad input naming the field with nothing saved, the code
returned once, and results that are aggregates only (no endpoint returns an answer)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from bista.core.tests.api_support import API, error, get, post, session_client
from bista.surveys.models import Invitation, Question, Survey
from bista.surveys.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(frozen_clock: Any) -> None:
    frozen_clock(f.TODAY)


@pytest.fixture
def made(org: Any) -> Survey:
    return f.survey(org.provider, codes=["trygghet", "nojd"])


@pytest.mark.parametrize("path", ["/surveys/{pk}", "/surveys/{pk}/invitations", "/surveys/{pk}/results"])
def test_reads_four_ways(made: Survey, nobody: Any, manager: Any, other_manager: Any, path: str) -> None:
    url = path.format(pk=made.pk)
    assert HttpClient().get(API + url).status_code == 401
    assert get(session_client(nobody), url).status_code == 404
    assert get(session_client(other_manager), url).status_code == 404
    assert get(session_client(manager), url).status_code == 200


def test_the_list_four_ways(made: Survey, nobody: Any, manager: Any, other_manager: Any, org: Any) -> None:
    assert HttpClient().get(API + "/surveys").status_code == 401
    assert get(session_client(nobody), "/surveys").status_code == 403
    assert get(session_client(other_manager), "/surveys").json()["items"] == []
    assert get(session_client(other_manager), "/surveys", unit_id=org.provider.pk).status_code == 404
    assert [s["id"] for s in get(session_client(manager), "/surveys").json()["items"]] == [made.pk]


def test_creating_and_opening_a_survey(manager: Any, org: Any, other_manager: Any) -> None:
    body = {
        "unit_id": org.provider.pk,
        "name": "Hösten",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "audience": "all",
        "question_ids": [Question.objects.get(code="nojd").pk],
    }
    assert post(session_client(other_manager), "/surveys", body).status_code == 403
    created = post(session_client(manager), "/surveys", body)
    assert created.status_code == 201, created.content
    survey_id, version = created.json()["id"], created.json()["version"]
    opened = post(session_client(manager), f"/surveys/{survey_id}/open", {"version": version})
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    stale = post(session_client(manager), f"/surveys/{survey_id}/close", {"version": version})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"closes_on": "2026-02-01"}, "closes_on"),
        ({"question_ids": []}, "questions"),
        ({"question_ids": [999999]}, "question_ids"),
        ({"name": "\x00"}, "name"),
        ({"opens_on": "0001-01-01"}, "opens_on"),
        ({"audience": "services"}, "services"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(manager: Any, org: Any, bad: dict[str, Any], field: str) -> None:
    body = {
        "unit_id": org.provider.pk,
        "name": "Hösten",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "audience": "all",
        "question_ids": [Question.objects.get(code="nojd").pk],
        **bad,
    }
    response = post(session_client(manager), "/surveys", body)
    assert 400 <= response.status_code < 500
    assert any(field in key for key in error(response).get("fields", {})), error(response)
    assert not Survey.objects.exists()


def test_issuing_returns_the_code_once_and_results_are_aggregates(made: Survey, manager: Any, org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    issued = post(
        session_client(manager), f"/surveys/{made.pk}/invitations", {"client_id": client.pk, "channel": "letter"}
    )
    assert issued.status_code == 201 and len(issued.json()["code"]) == 11
    listed = get(session_client(manager), f"/surveys/{made.pk}/invitations").json()["items"]
    assert listed == [
        {
            "id": Invitation.objects.get().pk,
            "survey_id": made.pk,
            "client_id": client.pk,
            "respondent": "client",
            "channel": "letter",
            "used": False,
        }
    ]
    for other in f.clients(org.provider, 5, first_name="Fler"):
        f.answer_all(made, other, 2)
    # While the survey is open nothing is shown (one more answer would tell whose it was).
    assert get(session_client(manager), f"/surveys/{made.pk}/results").json()["answered"] == 0
    f.close(made)
    results = get(session_client(manager), f"/surveys/{made.pk}/results", grouping="gender").json()
    assert results["answered"] == 5 and results["invited"] == 6
    trygghet = next(q for q in results["questions"] if q["question"].startswith("Känner"))
    assert trygghet["groups"][0] == {"group": "", "answers": 5, "counts": [0, 5, 0, 0], "share_positive": "0.0"}
    bad = get(session_client(manager), f"/surveys/{made.pk}/results", grouping="person")
    assert bad.status_code == 422


def test_a_group_under_the_minimum_gets_no_figures_only_the_minimum(made: Survey, manager: Any, org: Any) -> None:
    for gender, count in (("K", 6), ("M", 5), ("O", 3)):
        for client in f.clients(org.provider, count, gender=gender, first_name=f"Person{gender}"):
            f.answer_all(made, client, 2)
    f.close(made)
    results = get(session_client(manager), f"/surveys/{made.pk}/results", grouping="gender").json()
    assert results["min_group"] == 5 and results["answered"] == 14
    groups = {g["key"]: g for g in results["groups"]}
    assert groups["K"]["answered"] == 6
    # O (3) is under the minimum; M is hidden with it, or O would be the total minus K and M.
    assert groups["O"]["answered"] is None and groups["M"]["answered"] is None
    trygghet = next(q for q in results["questions"] if q["question"].startswith("Känner"))
    by_group = {g["group"]: g for g in trygghet["groups"]}
    assert by_group["O"] == {"group": "O", "answers": None, "counts": None, "share_positive": None}
    assert by_group["K"]["answers"] == 6 and by_group["K"]["counts"] == [0, 6, 0, 0]
    assert "Person" not in str(results)  # no person, ever


def test_issuing_refuses_a_client_not_asked(made: Survey, manager: Any, org: Any) -> None:
    (stranger,) = f.clients(org.other_unit, 1)
    response = post(
        session_client(manager), f"/surveys/{made.pk}/invitations", {"client_id": stranger.pk, "channel": "letter"}
    )
    assert response.status_code == 422 and "client" in error(response)["fields"]
    assert not Invitation.objects.exists()


def test_the_list_has_a_pinned_query_budget(org: Any, manager: Any, django_assert_num_queries: Any) -> None:
    """The question and service ids of every survey on the page come from two prefetches, not two queries per
    survey: the same pinned budget for one survey and for four."""
    f.survey(org.provider, codes=["trygghet", "nojd"])
    browser = session_client(manager)
    get(browser, "/surveys")  # warm the session and the permission cache
    with django_assert_num_queries(LIST_QUERIES):
        assert len(get(browser, "/surveys").json()["items"]) == 1
    for _ in range(3):
        f.survey(org.provider, codes=["trygghet"])
    with django_assert_num_queries(LIST_QUERIES):
        items = get(browser, "/surveys").json()["items"]
    assert len(items) == 4 and all(item["question_ids"] for item in items)


LIST_QUERIES = 9  # the session, the user and their roles, the count, the page and its two prefetches
