"""Loggkontroll: the access log filtered and exported, a random sample drawn and its review recorded. Each page
four ways (anonymous, no permission, permission, permission in another unit), plus bad input."""

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from bista.clients import selectors, services
from bista.clients.models import AccessLogEntry, Client, LogReview
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.api_support import audit_count, fake_personnummer
from bista.core.tests.pages import LOGIN, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


def make_client(unit: Any, day: str, first: str, last: str, team: Any, **extra: Any) -> Client:
    return services.client_create(
        actor=SYSTEM,
        unit=unit,
        personnummer=fake_personnummer(day, 982),
        first_name=first,
        last_name=last,
        teams=[team],
        fictitious=True,
        **extra,
    )


@pytest.fixture
def clients(org: Organisation) -> dict[str, Client]:
    return {
        "astrid": make_client(org.provider, "19450307", "Astrid", "Lindqvist", org.team),
        "bertil": make_client(org.provider, "19520612", "Bertil", "Berglund", org.team),
        "hemlig": make_client(org.provider, "19700101", "Hemlig", "Skyddad", org.team, protected_identity=True),
        "cecilia": make_client(org.other_unit, "19610405", "Cecilia", "Carlsson", org.other_unit_team),
    }


@pytest.fixture
def reads(org: Organisation, clients: dict[str, Client], manager: Any, staffer: Any, other_manager: Any) -> None:
    """Who read what, as it happens in the pages: cards opened through the client selector (each one logged)."""
    for name in ("astrid", "astrid", "bertil", "hemlig"):
        selectors.client_get(manager, clients[name].pk)
    for name in ("astrid", "hemlig"):
        selectors.client_get(staffer, clients[name].pk)
    selectors.client_get(other_manager, clients["cecilia"].pk)


def body(response: Any) -> str:
    return response.content.decode()


def shown(response: Any) -> int:
    """The number of log rows the page says it found."""
    return int(response.context["page"].paginator.count)


def state() -> dict[str, Any]:
    return {
        "reviews": sorted(LogReview.objects.values_list("pk", "outcome", "findings", "reviewed_at")),
        "entries": AccessLogEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def today() -> datetime.date:
    return timezone.localdate()


def sample_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    """The sample form's fields, as posted (the form has the prefix `urval`)."""
    fields = {"enhet": org.provider.pk, "fran": today().isoformat(), "till": today().isoformat(), "antal": 1}
    return {f"urval-{name}": value for name, value in {**fields, **overrides}.items()}


@pytest.fixture
def review(org: Organisation, reads: None, manager: Any) -> LogReview:
    """A sample drawn by the manager (a review needs a person as reviewer)."""
    return services.log_review_draw(
        actor=manager, unit=org.provider, period_start=today(), period_end=today(), sample_size=2
    )


# --- Anonymous --------------------------------------------------------------------------------------


def test_anonymous_goes_to_login(org: Organisation, review: LogReview) -> None:
    before = state()
    anonymous = HttpClient()
    for method, path, data in [
        ("get", "/loggkontroll/", None),
        ("get", "/loggkontroll/?format=csv", None),
        ("get", f"/loggkontroll/{review.pk}/", None),
        ("post", "/loggkontroll/urval/", sample_data(org)),
        ("post", f"/loggkontroll/{review.pk}/", {"outcome": "ok"}),
    ]:
        response = getattr(anonymous, method)(path, data)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
        assert "Lindqvist" not in body(response)
    assert state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nobody", "staffer"])
def test_without_log_review_permission_is_refused(
    org: Organisation, review: LogReview, who: str, nobody: Any, staffer: Any
) -> None:
    user = {"nobody": nobody, "staffer": staffer}[who]
    client = browser(user)
    before = state()
    for response in [
        client.get("/loggkontroll/"),
        client.get("/loggkontroll/", {"format": "csv"}),
        client.get(f"/loggkontroll/{review.pk}/"),
        client.post("/loggkontroll/urval/", sample_data(org)),
        client.post(f"/loggkontroll/{review.pk}/", {"outcome": "ok"}),
    ]:
        assert response.status_code == 403
        assert "Lindqvist" not in body(response)
        assert "text/csv" not in response["Content-Type"]
    assert state() == before


# --- With permission --------------------------------------------------------------------------------


def test_index_lists_the_units_reads(reads: None, manager: Any) -> None:
    response = browser(manager).get("/loggkontroll/")
    assert response.status_code == 200
    assert shown(response) == 6
    html = body(response)
    assert "Lindqvist" in html
    assert "Öppnade brukarkort" in html
    assert "Carlsson" not in html  # read in the other district's unit


def test_filter_by_user(org: Organisation, reads: None, manager: Any, staffer: Any) -> None:
    client = browser(manager)
    assert shown(client.get("/loggkontroll/", {"anvandare": staffer.pk})) == 2
    assert shown(client.get("/loggkontroll/", {"anvandare": manager.pk})) == 4


def test_user_filter_offers_the_units_people_by_name(
    org: Organisation, manager: Any, staffer: Any, other_manager: Any
) -> None:
    html = body(browser(manager).get("/loggkontroll/"))
    assert f'<option value="{staffer.pk}">' in html and "(assistent)" in html
    assert "(annanchef)" not in html  # a manager in another district is not offered
    response = browser(manager).get("/loggkontroll/", {"anvandare": other_manager.pk})
    assert "Välj ett giltigt alternativ" in body(response)  # nor accepted when typed into the URL
    assert shown(response) == 0


def test_filter_by_client(reads: None, clients: dict[str, Client], manager: Any) -> None:
    client = browser(manager)
    assert shown(client.get("/loggkontroll/", {"brukare": clients["astrid"].pk})) == 3
    response = client.get("/loggkontroll/", {"brukare": clients["bertil"].pk})
    assert shown(response) == 1
    assert "Lindqvist" not in body(response)


def test_filter_by_period(reads: None, manager: Any) -> None:
    client = browser(manager)
    day = datetime.timedelta(days=1)
    assert shown(client.get("/loggkontroll/", {"fran": today().isoformat(), "till": today().isoformat()})) == 6
    assert shown(client.get("/loggkontroll/", {"fran": (today() + day).isoformat()})) == 0
    assert shown(client.get("/loggkontroll/", {"till": (today() - day).isoformat()})) == 0


def test_filter_protected_only(reads: None, manager: Any) -> None:
    response = browser(manager).get("/loggkontroll/", {"skyddade": "on"})
    assert shown(response) == 2
    assert "Skyddad" in body(response)


def test_csv_export(reads: None, clients: dict[str, Client], manager: Any, staffer: Any) -> None:
    response = browser(manager).get("/loggkontroll/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="atkomstlogg-')
    rows = csv_rows(response)
    assert rows[0][:4] == ["Tidpunkt", "Användare", "Brukar-id", "Brukare"]
    assert len(rows) == 1 + 6
    assert sorted(row[1] for row in rows[1:]) == ["assistent"] * 2 + ["chef"] * 4
    protected_rows = [row for row in rows[1:] if row[2] == str(clients["hemlig"].pk)]
    assert len(protected_rows) == 2
    assert all(row[3] == "(skyddad)" and row[7] == "ja" for row in protected_rows)
    assert "Hemlig" not in response.content.decode("utf-8-sig")
    assert "Carlsson" not in response.content.decode("utf-8-sig")


def test_csv_export_keeps_the_filter(reads: None, staffer: Any, manager: Any) -> None:
    rows = csv_rows(browser(manager).get("/loggkontroll/", {"format": "csv", "anvandare": staffer.pk}))
    assert [row[1] for row in rows[1:]] == ["assistent", "assistent"]


def test_draw_a_sample(org: Organisation, reads: None, manager: Any) -> None:
    response = browser(manager).post("/loggkontroll/urval/", sample_data(org, antal=1))
    review = LogReview.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/loggkontroll/{review.pk}/"
    assert (review.unit, review.reviewer, review.sample_size) == (org.provider, manager, 1)
    assert (review.period_start, review.period_end, review.outcome) == (today(), today(), "")
    chosen = set(review.entries.values_list("pk", flat=True))
    protected_reads = set(
        AccessLogEntry.objects.filter(unit=org.provider, protected_identity=True).values_list("pk", flat=True)
    )
    assert len(protected_reads) == 2
    assert protected_reads <= chosen  # every read of a protected client joins the sample
    assert len(chosen - protected_reads) <= 1
    assert not review.entries.exclude(unit=org.provider).exists()
    event = AuditEvent.objects.get(action="log_review.draw")
    assert (event.actor, event.unit, event.new_values["seed"]) == (manager, org.provider, review.seed)


def test_review_page_shows_the_sample(review: LogReview, manager: Any) -> None:
    response = browser(manager).get(f"/loggkontroll/{review.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert review.seed in html
    assert "Registrera granskningen" in html
    assert html.count('<td data-label="Tidpunkt">') == review.entries.count()


def test_complete_without_remark(review: LogReview, manager: Any) -> None:
    client = browser(manager)
    response = client.post(f"/loggkontroll/{review.pk}/", {"outcome": "ok", "findings": ""})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.outcome, review.findings) == ("ok", "")
    assert review.reviewed_at is not None
    assert audit_count("log_review.complete", actor=manager, object_id=str(review.pk)) == 1
    assert "Ingen anmärkning" in body(client.get(f"/loggkontroll/{review.pk}/"))


def test_complete_with_a_finding(review: LogReview, manager: Any) -> None:
    response = browser(manager).post(
        f"/loggkontroll/{review.pk}/", {"outcome": "finding", "findings": "  Assistenten läste utan uppdrag.  "}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.outcome, review.findings) == ("finding", "Assistenten läste utan uppdrag.")


@pytest.mark.parametrize("findings", ["", "   "])
def test_finding_without_text_is_refused(review: LogReview, manager: Any, findings: str) -> None:
    before = state()
    response = browser(manager).post(f"/loggkontroll/{review.pk}/", {"outcome": "finding", "findings": findings})
    assert response.status_code == 200
    assert "Iakttagelser: Beskriv vad som hittades." in body(response)
    assert state() == before


def test_a_completed_review_cannot_be_completed_again(review: LogReview, manager: Any) -> None:
    services.log_review_complete(actor=manager, review=review, outcome="ok", findings="")
    before = state()
    response = browser(manager).post(
        f"/loggkontroll/{review.pk}/", {"outcome": "finding", "findings": "Ändrat"}, follow=True
    )
    assert response.status_code == 200
    assert state() == before
    assert "Ändrat" not in body(response)


def test_a_refused_second_completion_says_so(review: LogReview, manager: Any) -> None:
    services.log_review_complete(actor=manager, review=review, outcome="ok", findings="")
    response = browser(manager).post(
        f"/loggkontroll/{review.pk}/", {"outcome": "finding", "findings": "Ändrat"}, follow=True
    )
    assert "Loggkontrollen är redan avslutad." in body(response)


@pytest.mark.parametrize("outcome", ["", "pending", "x" * 50])
def test_outcome_must_be_chosen(review: LogReview, manager: Any, outcome: str) -> None:
    before = state()
    response = browser(manager).post(f"/loggkontroll/{review.pk}/", {"outcome": outcome})
    assert response.status_code == 200
    assert "Bedömning:" in body(response)
    assert state() == before


# --- With permission, in another unit ---------------------------------------------------------------


def test_index_in_another_unit_shows_only_its_reads(org: Organisation, reads: None, other_manager: Any) -> None:
    client = browser(other_manager)
    response = client.get("/loggkontroll/")
    assert response.status_code == 200
    assert shown(response) == 1
    assert "Carlsson" in body(response)
    assert "Lindqvist" not in body(response)
    for params in ({"enhet": org.provider.pk}, {"enhet": org.provider.pk, "skyddade": "on"}):
        response = client.get("/loggkontroll/", params)
        assert response.status_code == 200
        assert shown(response) == 0
        assert "Lindqvist" not in body(response)
        assert "Skyddad" not in body(response)


def test_csv_of_another_unit_is_not_exported(org: Organisation, reads: None, other_manager: Any) -> None:
    response = browser(other_manager).get("/loggkontroll/", {"format": "csv", "enhet": org.provider.pk})
    assert "text/csv" not in response["Content-Type"]
    assert "Lindqvist" not in body(response)
    rows = csv_rows(browser(other_manager).get("/loggkontroll/", {"format": "csv"}))
    assert [row[3] for row in rows[1:]] == ["Cecilia Carlsson"]


def test_manager_of_another_unit_cannot_open_or_complete_a_review(review: LogReview, other_manager: Any) -> None:
    before = state()
    client = browser(other_manager)
    response = client.get(f"/loggkontroll/{review.pk}/")
    assert response.status_code == 403
    assert "Lindqvist" not in body(response)
    assert review.seed not in body(response)
    assert client.post(f"/loggkontroll/{review.pk}/", {"outcome": "ok"}).status_code == 403
    assert state() == before


def test_manager_of_another_unit_cannot_draw_our_sample(org: Organisation, reads: None, other_manager: Any) -> None:
    before = state()
    response = browser(other_manager).post("/loggkontroll/urval/", sample_data(org))
    assert response.status_code == 400
    assert "Lindqvist" not in body(response)
    assert state() == before


def test_unknown_review_is_not_found(manager: Any) -> None:
    assert browser(manager).get("/loggkontroll/987654/").status_code == 404


# --- Bad input --------------------------------------------------------------------------------------


def test_filter_with_end_before_start(reads: None, manager: Any) -> None:
    response = browser(manager).get("/loggkontroll/", {"fran": "2025-02-01", "till": "2025-01-31"})
    assert response.status_code == 200
    assert "Slutdatum får inte vara före startdatum." in body(response)
    assert shown(response) == 0


@pytest.mark.parametrize(
    "params", [{"fran": "igår"}, {"anvandare": "abc"}, {"brukare": "-1"}, {"enhet": "x"}, {"sida": "999"}]
)
def test_filter_with_nonsense_is_answered(reads: None, manager: Any, params: dict[str, str]) -> None:
    response = browser(manager).get("/loggkontroll/", params)
    assert response.status_code == 200


@pytest.mark.parametrize("field", ["anvandare", "brukare"])
def test_filter_with_a_huge_id_is_answered(reads: None, manager: Any, field: str) -> None:
    response = browser(manager).get("/loggkontroll/", {field: "99999999999999999999"})
    assert response.status_code in (200, 400)


def test_sample_with_end_before_start(org: Organisation, reads: None, manager: Any) -> None:
    before = state()
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    response = browser(manager).post("/loggkontroll/urval/", sample_data(org, till=yesterday))
    assert response.status_code == 400
    assert "Slutdatum får inte vara före startdatum." in body(response)
    assert state() == before


def test_sample_of_an_empty_period(org: Organisation, reads: None, manager: Any) -> None:
    before = state()
    response = browser(manager).post("/loggkontroll/urval/", sample_data(org, fran="2021-01-01", till="2021-01-31"))
    assert response.status_code == 400
    assert "Det finns inga loggrader för enheten under perioden." in body(response)
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "label"),
    [
        ({"antal": 0}, "Antal loggrader i urvalet"),
        ({"antal": 501}, "Antal loggrader i urvalet"),
        ({"antal": "många"}, "Antal loggrader i urvalet"),
        ({"fran": ""}, "Från"),
        ({"till": "2025-02-30"}, "Till"),
        ({"enhet": "abc"}, "Enhet"),
    ],
)
def test_sample_bad_input_names_the_field(
    org: Organisation, reads: None, manager: Any, overrides: dict[str, Any], label: str
) -> None:
    before = state()
    response = browser(manager).post("/loggkontroll/urval/", sample_data(org, **overrides))
    assert response.status_code == 400
    assert f"{label}:" in body(response)
    assert state() == before


def test_sample_needs_post(manager: Any) -> None:
    assert browser(manager).get("/loggkontroll/urval/").status_code == 405
