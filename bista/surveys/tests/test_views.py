"""The survey's pages four ways (anonymous, no permission, permission, another unit), the answer pages
without sign-in (one question per screen, refusals with a Swedish message and nothing stored), the results
(aggregates only, small groups hidden) and the exports."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bista.core.tests.pages import assert_login_redirect, browser
from bista.surveys import rules, services
from bista.surveys.models import Answer, Invitation, Question, Response, Survey
from bista.surveys.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(frozen_clock: Any, no_two_factor: Any) -> None:
    frozen_clock(f.TODAY)


@pytest.fixture
def made(org: Any) -> Survey:
    return f.survey(org.provider)


STAFF_PAGES = [
    ("surveys:detail", True),
    ("surveys:results", True),
    ("surveys:invite", True),
]


@pytest.mark.parametrize("name", ["surveys:index", "surveys:bank", "surveys:create", "surveys:year"])
def test_list_pages_four_ways(four_ways: Any, name: str) -> None:
    url = reverse(name)
    assert_login_redirect(four_ways.anonymous.get(url), url)
    assert four_ways.no_permission.get(url).status_code == 403
    assert four_ways.permission.get(url).status_code == 200
    assert four_ways.other_unit.get(url).status_code == 200  # their own unit's (none of the provider's)


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("surveys:detail", {}),
        ("surveys:results", {}),
        ("surveys:invite", {}),
        ("surveys:results_export", {"fmt": "xlsx"}),
        ("surveys:results_export", {"fmt": "json"}),
    ],
    ids=["detail", "results", "invite", "xlsx", "json"],
)
def test_survey_pages_four_ways(four_ways: Any, made: Survey, name: str, kwargs: dict[str, str]) -> None:
    url = reverse(name, kwargs={"pk": made.pk, **kwargs})
    assert_login_redirect(four_ways.anonymous.get(url), url)
    assert four_ways.no_permission.get(url).status_code == 404
    assert four_ways.permission.get(url).status_code == 200
    assert four_ways.other_unit.get(url).status_code == 404


def test_the_index_has_a_pinned_query_budget(manager: Any, org: Any, django_assert_max_num_queries: Any) -> None:
    for year in range(2022, 2026):
        f.survey(org.provider, opens_on=f.OPENS.replace(year=year), closes_on=f.CLOSES.replace(year=year))
    page = browser(manager)
    with django_assert_max_num_queries(12):
        assert page.get(reverse("surveys:index")).status_code == 200


def test_composing_a_survey_from_the_bank(manager: Any, org: Any) -> None:
    questions = Question.objects.filter(code__in=["trygghet", "nojd"])
    data = {
        "enhet": org.provider.pk,
        "name": "Våren 2026",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "audience": "all",
        "questions": [q.pk for q in questions],
    }
    response = browser(manager).post(reverse("surveys:create"), data)
    survey = Survey.objects.get()
    assert response.status_code == 302 and survey.items.count() == 2 and survey.status == "draft"


@pytest.mark.parametrize(
    "bad", [{"closes_on": "2026-02-01"}, {"opens_on": "1066-01-01"}, {"name": "\x00"}, {"questions": ["99999999999"]}]
)
def test_composing_refuses_bad_input_with_nothing_saved(manager: Any, org: Any, bad: dict[str, Any]) -> None:
    data = {
        "enhet": org.provider.pk,
        "name": "Våren 2026",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-31",
        "audience": "all",
        "questions": [Question.objects.get(code="nojd").pk],
        **bad,
    }
    response = browser(manager).post(reverse("surveys:create"), data)
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not Survey.objects.exists()


def test_letters_print_a_qr_code_and_the_code_once(manager: Any, org: Any, made: Survey) -> None:
    clients = f.clients(org.provider, 2)
    response = browser(manager).post(
        reverse("surveys:invite", args=[made.pk]),
        {"clients": [c.pk for c in clients], "channel": "letter", "respondent": "client"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.count("<svg") >= 2
    codes = re.findall(r'class="code">([A-Z0-9-]+)<', page)
    assert len(codes) == 2 and Invitation.objects.count() == 2
    assert all(
        Invitation.objects.filter(code_hash=rules.code_hash(rules.normalise_code(c) or "")).exists() for c in codes
    )


def test_issuing_to_many_reads_who_is_asked_a_constant_number_of_times(
    manager: Any, org: Any, made: Survey, monkeypatch: Any
) -> None:
    """The invite page reads the audience for its form and once more for the whole batch, not once per client."""
    clients = f.clients(org.provider, 4)
    calls: list[int] = []
    real = services.audience

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "audience", counted)
    response = browser(manager).post(
        reverse("surveys:invite", args=[made.pk]),
        {"clients": [c.pk for c in clients], "channel": "letter", "respondent": "client"},
    )
    assert response.status_code == 200 and Invitation.objects.count() == 4
    assert len(calls) == 2


def _answer_through_pages(code: str, choices: list[str], helped: str = "nej", page: Any = None) -> Any:
    page = page or browser(None)
    url = reverse("surveys:answer", args=[code])
    assert page.get(url).status_code == 200
    response = page.post(url, {"steg": "0", "atgard": "nasta"})
    carried: dict[str, str] = {}
    for step, choice in enumerate(choices, start=1):
        assert response.status_code == 200
        assert f"Fråga {step} av {len(choices)}" in response.content.decode()
        data = {"steg": str(step), "atgard": "nasta", "svar": choice, **carried}
        response = page.post(url, data)
        carried = dict(re.findall(r'name="(a\d+)" value="(\d+)"', response.content.decode()))
    return page.post(url, {"steg": str(len(choices) + 1), "atgard": "skicka", "hjalp": helped, **carried})


def test_answering_one_question_per_screen_without_sign_in(org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet", "valfrihet"])
    code = f.invite(made, client)
    response = _answer_through_pages(code, ["4", "2"])
    assert response.status_code == 200 and "Tack för dina svar" in response.content.decode()
    assert sorted(Answer.objects.values_list("value", flat=True)) == [2, 4]
    again = browser(None).get(reverse("surveys:answer", args=[code]))
    assert again.status_code == 410 and rules.Refusal.USED in again.content.decode()


def test_the_answer_page_reads_aloud_only_as_an_extra_and_is_light(
    org: Any, django_assert_max_num_queries: Any
) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client)
    page = browser(None)
    with django_assert_max_num_queries(4):
        response = page.post(reverse("surveys:answer", args=[code]), {"steg": "0", "atgard": "nasta"})
    text = response.content.decode()
    assert "Känner du dig trygg?" in text and 'class="say"' in text and " hidden " in text
    assert "read-aloud.js" in text and "<script>" not in text


def test_a_second_answer_through_the_same_code_is_refused_with_nothing_stored(org: Any) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client)
    url = reverse("surveys:answer", args=[code])
    question = Question.objects.get(code="trygghet")
    first, second = browser(None), browser(None)
    final = {"steg": "2", "atgard": "skicka", "hjalp": "nej", f"a{question.pk}": "3"}
    assert second.post(url, {"steg": "0", "atgard": "nasta"}).status_code == 200  # both opened it
    assert first.post(url, final).status_code == 200
    refused = second.post(url, {**final, f"a{question.pk}": "1"})
    assert refused.status_code == 410 and rules.Refusal.USED in refused.content.decode()
    assert list(Answer.objects.values_list("value", flat=True)) == [3]


@pytest.mark.parametrize("case", ["forged", "garbage", "expired"])
def test_forged_and_expired_links_are_refused_in_swedish(org: Any, frozen_clock: Any, case: str) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client)
    if case == "forged":
        code, status, message = rules.new_code(), 404, rules.Refusal.UNKNOWN
    elif case == "garbage":
        code, status, message = "x" * 300 + "%00", 404, rules.Refusal.UNKNOWN
    else:
        frozen_clock(f.TODAY.replace(month=5))
        status, message = 410, "Tiden för att svara är slut"
    page = browser(None)
    url = reverse("surveys:answer", args=[code])
    for response in (page.get(url), page.post(url, {"steg": "2", "atgard": "skicka"})):
        assert response.status_code == status and message in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"steg": "99999999999999999999", "atgard": "nasta"},
        {"steg": "1", "atgard": "nasta", "svar": "\x00"},
        {"steg": "2", "atgard": "skicka", "aQ": "1"},
        {"steg": "2", "atgard": "skicka", "a{pk}": "9"},
        {"steg": "2", "atgard": "skicka", "a{pk}": "-1"},
    ],
    ids=["huge step", "nul", "junk field", "off scale", "negative"],
)
def test_bad_answer_input_is_refused_and_nothing_stored(org: Any, data: dict[str, str]) -> None:
    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    code = f.invite(made, client)
    pk = Question.objects.get(code="trygghet").pk
    data = {key.replace("{pk}", str(pk)): value for key, value in data.items()}
    response = browser(None).post(reverse("surveys:answer", args=[code]), data)
    assert response.status_code in (200, 400) and not Response.objects.exists()
    assert not Invitation.objects.get().used


def test_staff_supporting_the_client_cannot_submit_as_helper(org: Any, staffer: Any) -> None:
    import datetime

    from bista.rostering.models import Shift
    from bista.staff.models import Employee

    (client,) = f.clients(org.provider, 1)
    made = f.survey(org.provider, codes=["trygghet"])
    start = f.TODAY - datetime.timedelta(days=2)
    Shift.objects.create(
        unit=org.provider,
        client=client,
        employee=Employee.objects.get(user=staffer),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )
    code = f.invite(made, client)
    response = _answer_through_pages(code, ["3"], helped="ja", page=browser(staffer))
    assert response.status_code == 403 and "får därför inte hjälpa till" in response.content.decode()
    assert not Response.objects.exists()


def test_the_code_page_sends_a_typed_code_on_and_refuses_junk(org: Any) -> None:
    page = browser(None)
    assert page.get(reverse("surveys:answer_start")).status_code == 200
    refused = page.post(reverse("surveys:answer_start"), {"kod": "nope"})
    assert refused.status_code == 400 and rules.Refusal.UNKNOWN in refused.content.decode()
    assert page.post(reverse("surveys:answer_start"), {"kod": "ABCDE\x00FGHJK"}).status_code == 400
    sent = page.post(reverse("surveys:answer_start"), {"kod": "abcde-fghjk"})
    assert sent.status_code == 302 and sent["Location"].endswith("/enkat/ABCDEFGHJK/")


def test_results_hide_groups_under_five_and_compare_with_last_year(org: Any, manager: Any) -> None:
    women = f.clients(org.provider, 5, gender="K", first_name="Kvinna")
    men = f.clients(org.provider, 3, gender="M", first_name="Man")
    last_year = f.survey(
        org.provider, codes=["trygghet"], opens_on=f.OPENS.replace(year=2025), closes_on=f.CLOSES.replace(year=2025)
    )
    del last_year  # no answers last year: the comparison shows none
    made = f.survey(org.provider, codes=["trygghet"])
    for client in women:
        f.answer_all(made, client, 4)
    for client in men:
        f.answer_all(made, client, 1)
    assert (
        "Resultaten visas när undersökningen är avslutad"
        in browser(manager).get(reverse("surveys:results", args=[made.pk])).content.decode()
    )
    f.close(made)
    page = browser(manager).get(reverse("surveys:results", args=[made.pk]) + "?grupp=gender")
    text = page.content.decode()
    assert page.status_code == 200
    assert re.search(r"62[.,]5 %", text)  # 5 of 8 positive, all together
    assert "För få svar för att visa" in text  # the men (3)
    assert "Kvinna" in text and "Man" in text and "Svarsdotter" not in text
    workbook = load_workbook(
        io.BytesIO(browser(manager).get(reverse("surveys:results_export", args=[made.pk, "xlsx"])).content)
    )
    sheet_rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    header = next(i for i, row in enumerate(sheet_rows) if row[0] == "Fråga")
    by_group = {row[1]: row for row in sheet_rows[header + 1 :]}
    assert by_group["Alla"][3] == 62.5
    # The women (5) are hidden too: shown, the total minus the women would give the three men's answers.
    assert [row[2] for label, row in by_group.items() if label != "Alla"] == ["för få svar", "för få svar"]
    export = reverse("surveys:results_export", args=[made.pk, "json"])
    assert json.loads(browser(manager).get(export).content) == {"values": []}  # no verified Kolada id: none exported
    Question.objects.filter(code="trygghet").update(kolada_kpi="U99999")  # as a data migration will once verified
    kolada = json.loads(browser(manager).get(export).content)
    row = kolada["values"][0]
    assert row["kpi"] == "U99999"
    assert row["values"] == [
        {"gender": "T", "value": 62.5},
        {"gender": "K", "value": None},
        {"gender": "M", "value": None},
    ]


def test_opening_and_closing_a_survey(manager: Any, org: Any, other_manager: Any) -> None:
    made = f.survey(org.provider, open_it=False)
    url = reverse("surveys:status", args=[made.pk, "oppna"])
    assert browser(other_manager).post(url, {"version": made.version}).status_code == 404
    assert browser(manager).post(url, {"version": made.version}).status_code == 302
    made.refresh_from_db()
    assert made.status == "open"
    assert browser(manager).post(reverse("surveys:status", args=[made.pk, "x"])).status_code == 400


def test_writes_four_ways_save_nothing_without_the_right(
    four_ways: Any, org: Any, made: Survey, nobody: Any, other_manager: Any
) -> None:
    (client,) = f.clients(org.provider, 1)
    question = Question.objects.get(code="nojd")
    writes = [
        (reverse("surveys:create"), {"enhet": org.provider.pk, "name": "X", "opens_on": "2026-03-01",
                                     "closes_on": "2026-03-31", "audience": "all", "questions": [question.pk]}),
        (reverse("surveys:bank"), {"enhet": org.provider.pk, "text": "X", "easy_text": "X",
                                   "scale": question.scale_id}),
        (reverse("surveys:invite", args=[made.pk]), {"clients": [client.pk], "channel": "letter",
                                                     "respondent": "client"}),
        (reverse("surveys:status", args=[made.pk, "avsluta"]), {"version": made.version}),
    ]  # fmt: skip
    before = (Survey.objects.count(), Question.objects.count(), Invitation.objects.count())
    for url, data in writes:
        assert_login_redirect(four_ways.anonymous.post(url, data), url)
        assert four_ways.no_permission.post(url, data).status_code in (403, 404)
        other = four_ways.other_unit.post(url, data)
        assert other.status_code in (200, 403, 404)  # 200: the form refuses another unit's id
    assert (Survey.objects.count(), Question.objects.count(), Invitation.objects.count()) == before
    made.refresh_from_db()
    assert made.status == "open"


def test_guessing_codes_from_one_address_is_slowed_down(org: Any, settings: Any) -> None:
    """Unknown codes from one address are counted; past the limit even a real code is refused there (429), while
    another address still answers. Nothing about the invitation is stored."""
    settings.BISTA_SURVEY_GUESSES_PER_ADDRESS = 3
    asked = f.clients(org.provider, 1)[0]
    real = f.invite(f.survey(org.provider, codes=["nojd"]), asked)
    guesser = browser(None)
    for guess in ("AAAAAAAAAA", "BBBBBBBBBB", "CCCCCCCCCC"):
        assert guesser.get(reverse("surveys:answer", args=[guess])).status_code == 404
    blocked = guesser.get(reverse("surveys:answer", args=[real]))
    assert blocked.status_code == 429 and "Vänta en kvart" in blocked.content.decode()
    other = browser(None)
    other.defaults["REMOTE_ADDR"] = "10.1.2.3"
    assert other.get(reverse("surveys:answer", args=[real])).status_code == 200
    assert not Invitation.objects.filter(used=True).exists()


def test_the_trend_chart_leaves_a_gap_for_a_year_without_results(manager: Any, made: Survey) -> None:
    from bista.core import charts

    svg = charts.line_chart(
        chart_id="t",
        title="Andel positiva",
        description="Test",
        periods=["2022", "2023", "2024", "2025"],
        series=[charts.Series(label="Trygg", values=[60, None, 70, 80])],
    )
    assert re.findall(r"<title>([^<]*)</title>", svg) == ["Trygg, 2022: 60", "Trygg, 2024: 70", "Trygg, 2025: 80"]
    # The series' line starts over after the gap (two move-tos): nothing is drawn across 2023.
    lines = re.findall(r'<path d="([^"]*)"[^>]*stroke="#0072b2" stroke-width="2.5"', svg)
    assert lines[0].count("M") == 2
    with pytest.raises(ValueError):
        charts.bar_chart(chart_id="b", title="t", description="d", periods=["a"], series=[charts.Series("x", [None])])
    page = browser(manager).get(reverse("surveys:results", args=[made.pk])).content.decode()
    trend = page[page.index('id="trend') :]
    assert f", {made.year - 1}: 0<" not in trend  # no closed survey earlier: not drawn as 0
