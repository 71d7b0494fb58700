"""The feedback pages (synpunkter, klagomål, beröm): list with filters, register, card, answer and actions,
close. Each four ways: anonymous, signed in without permission, with permission, and with permission but in
another unit. Plus the anonymous rule, the categories in the VB table's groups, optimistic concurrency, bad
input and the list's query budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import fake_personnummer
from bista.core.tests.pages import assert_login_redirect, browser
from bista.quality import services
from bista.quality.models import Feedback, QualityCategory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

# The clock stands still for this module's tests at the moment it was imported: TODAY is computed once, and a
# run that crossed Stockholm's midnight would otherwise have the services' today move a day past it.
NOW = clock.now()
TODAY = clock.local_date(NOW)
RECEIVED = TODAY - datetime.timedelta(days=20)
SECRET = "Personalen var otrevlig vid morgonbesöket"


@pytest.fixture(autouse=True)
def _clock_stands_at_import(frozen_clock: Any) -> None:
    frozen_clock(NOW)


def category(group: str, code: str) -> QualityCategory:
    return QualityCategory.objects.get(group=group, code=code)


@pytest.fixture
def astrid(org: Organisation) -> Client:
    return client_services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=fake_personnummer("19450307", 982),
        first_name="Astrid",
        last_name="Lindqvist",
        teams=[org.team],
        fictitious=True,
    )


@pytest.fixture
def complaint(org: Organisation, astrid: Client, manager: Any) -> Feedback:
    return services.feedback_register(
        actor=manager,
        unit=org.provider,
        kind=Feedback.Kind.COMPLAINT,
        source=Feedback.Source.CLIENT,
        received_on=RECEIVED,
        description=SECRET,
        sender_name="Astrid Lindqvist",
        client=astrid,
        category=category("feedback_staff", "bemotande"),
    )


@pytest.fixture
def elsewhere(org: Organisation, other_manager: Any) -> Feedback:
    """Feedback of the unit in the other district."""
    return services.feedback_register(
        actor=other_manager,
        unit=org.other_unit,
        kind=Feedback.Kind.OPINION,
        source=Feedback.Source.OTHER,
        received_on=RECEIVED,
        description="Önskemål om fler aktiviteter i Söderby",
        category=category("feedback_staff", "fraga_ide"),
    )


@pytest.fixture
def controller(org: Organisation) -> Any:
    """Ekonomicontroller of the district: may read the unit's feedback (quality.view), not handle it."""
    return make_user("controller", RoleCode.CONTROLLER, district=org.district)


def body(response: Any) -> str:
    return response.content.decode()


def db_state() -> list[Any]:
    return [
        sorted(Feedback.objects.values_list("pk", "version", "answer", "closed_at", "category_id", "description")),
        AuditEvent.objects.count(),
    ]


def paths(item: Feedback) -> dict[str, str]:
    return {
        "list": "/synpunkter/",
        "create": "/synpunkter/ny/",
        "detail": f"/synpunkter/{item.pk}/",
        "edit": f"/synpunkter/{item.pk}/andra/",
    }


def create_data(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit": org.provider.pk,
        "kind": "complaint",
        "source": "relative",
        "sender_name": "Bo Lindqvist",
        "client": "",
        "category": category("feedback_staff", "utebliven_insats").pk,
        "description": "Assistenten kom inte på lördagen",
        "received_on": (TODAY - datetime.timedelta(days=2)).isoformat(),
        "other_provider": "",
        **overrides,
    }


def edit_data(item: Feedback, **overrides: Any) -> dict[str, Any]:
    """The edit form as the browser sends it for `item` unchanged."""
    data: dict[str, Any] = {
        "category": item.category_id or "",
        "description": item.description,
        "answer": item.answer,
        "answered_on": item.answered_on.isoformat() if item.answered_on else "",
        "action_taken": item.action_taken,
        "action_taken_on": item.action_taken_on.isoformat() if item.action_taken_on else "",
        "other_provider": item.other_provider,
        "forwarded_on": item.forwarded_on.isoformat() if item.forwarded_on else "",
        "other_provider_answer": item.other_provider_answer,
        "other_provider_answered_on": (
            item.other_provider_answered_on.isoformat() if item.other_provider_answered_on else ""
        ),
        "version": item.version,
    }
    data.update(overrides)
    return data


def answered(item: Feedback, actor: Any = SYSTEM) -> Feedback:
    return services.feedback_update(
        actor=actor,
        feedback=item,
        expected_version=None,
        answer="Vi har pratat med personalen och ber om ursäkt.",
        answered_on=TODAY - datetime.timedelta(days=1),
    )


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "create", "detail", "edit"])
def test_anonymous_goes_to_login(complaint: Feedback, page: str) -> None:
    path = paths(complaint)[page]
    response = HttpClient().get(path)
    assert_login_redirect(response, path)
    assert SECRET not in body(response)


def test_anonymous_posts_change_nothing(org: Organisation, complaint: Feedback) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path, data in [
        ("/synpunkter/ny/", create_data(org)),
        (f"/synpunkter/{complaint.pk}/andra/", edit_data(complaint, answer="x")),
        (f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version}),
    ]:
        assert_login_redirect(anonymous.post(path, data), path)
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(("page", "status"), [("list", 403), ("create", 403), ("detail", 404), ("edit", 404)])
@pytest.mark.parametrize("who", ["nobody", "staffer"])
def test_without_permission_is_refused(
    complaint: Feedback, nobody: Any, staffer: Any, page: str, status: int, who: str
) -> None:
    user = {"nobody": nobody, "staffer": staffer}[who]
    response = browser(user).get(paths(complaint)[page])
    assert response.status_code == status
    assert SECRET not in body(response)
    assert AccessLogEntry.objects.count() == 0


@pytest.mark.parametrize("who", ["nobody", "staffer"])
def test_without_permission_posts_change_nothing(
    org: Organisation, complaint: Feedback, nobody: Any, staffer: Any, who: str
) -> None:
    user = {"nobody": nobody, "staffer": staffer}[who]
    before = db_state()
    client = browser(user)
    assert client.post("/synpunkter/ny/", create_data(org)).status_code == 403
    assert client.post(f"/synpunkter/{complaint.pk}/andra/", edit_data(complaint, answer="x")).status_code == 404
    assert client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": 1}).status_code == 404
    assert client.get(f"/synpunkter/{complaint.pk}/avsluta/").status_code in (404, 405)
    assert db_state() == before


def test_view_permission_reads_but_does_not_handle(
    org: Organisation, complaint: Feedback, controller: Any, manager: Any
) -> None:
    """quality.view alone (a controller) reads the unit's feedback that is not about a client; a complaint
    about a client needs a client-view permission for the client's unit (issue 14, defect 11)."""
    general = services.feedback_register(
        actor=manager,
        unit=org.provider,
        kind=Feedback.Kind.OPINION,
        source=Feedback.Source.RELATIVE,
        received_on=RECEIVED,
        description="Fler utflykter på helgerna.",
        sender_name="Karin Karlsson",
        category=category("feedback_staff", "bemotande"),
    )
    client = browser(controller)
    listing = client.get("/synpunkter/")
    assert listing.status_code == 200
    assert f'href="/synpunkter/{general.pk}/"' in body(listing)
    assert f'href="/synpunkter/{complaint.pk}/"' not in body(listing) and "Lindqvist" not in body(listing)
    assert 'href="/synpunkter/ny/"' not in body(listing)
    detail = client.get(f"/synpunkter/{general.pk}/")
    assert detail.status_code == 200
    assert "Fler utflykter" in body(detail)
    assert f"/synpunkter/{general.pk}/andra/" not in body(detail)
    assert "Avsluta ärendet" not in body(detail)
    about_client = client.get(f"/synpunkter/{complaint.pk}/")
    assert about_client.status_code == 404 and SECRET not in body(about_client)
    before = db_state()
    assert client.get("/synpunkter/ny/").status_code == 403
    assert client.get(f"/synpunkter/{general.pk}/andra/").status_code == 403
    assert client.get(f"/synpunkter/{complaint.pk}/andra/").status_code == 404
    assert client.post(f"/synpunkter/{general.pk}/andra/", edit_data(general, answer="x")).status_code == 403
    assert client.post(f"/synpunkter/{general.pk}/avsluta/", {"version": 1}).status_code == 403
    assert client.post("/synpunkter/ny/", create_data(org)).status_code == 403
    assert db_state() == before


# --- With permission --------------------------------------------------------------------------------


def test_list_with_permission(complaint: Feedback, elsewhere: Feedback, manager: Any) -> None:
    response = browser(manager).get("/synpunkter/")
    assert response.status_code == 200
    html = body(response)
    assert f'href="/synpunkter/{complaint.pk}/"' in html
    assert "Klagomål" in html
    assert "Bemötande" in html
    assert f'href="/synpunkter/{elsewhere.pk}/"' not in html
    assert "Söderby" not in html
    assert 'href="/synpunkter/ny/"' in html


def test_list_filters(org: Organisation, complaint: Feedback, manager: Any) -> None:
    praise = services.feedback_register(
        actor=manager,
        unit=org.provider,
        kind=Feedback.Kind.PRAISE,
        source=Feedback.Source.ANONYMOUS,
        received_on=TODAY - datetime.timedelta(days=3),
        description="Tack för en fin sommar",
    )
    client = browser(manager)

    def shown(**params: Any) -> set[int]:
        html = body(client.get("/synpunkter/", params))
        return {item.pk for item in (complaint, praise) if f'href="/synpunkter/{item.pk}/"' in html}

    assert shown() == {complaint.pk, praise.pk}
    assert shown(typ="praise") == {praise.pk}
    assert shown(kalla="client") == {complaint.pk}
    assert shown(kalla="anonymous") == {praise.pk}
    assert shown(kategori=complaint.category_id) == {complaint.pk}
    assert shown(fran=(TODAY - datetime.timedelta(days=5)).isoformat()) == {praise.pk}
    assert shown(till=(TODAY - datetime.timedelta(days=10)).isoformat()) == {complaint.pk}
    assert shown(enhet=org.provider.pk, status="oppna") == {complaint.pk, praise.pk}
    services.feedback_close(actor=SYSTEM, feedback=praise, expected_version=None)
    assert shown(status="avslutade") == {praise.pk}
    assert shown(status="oppna") == {complaint.pk}


def test_list_bad_filters_are_form_errors(complaint: Feedback, manager: Any) -> None:
    client = browser(manager)
    for params in (
        {"kategori": "99999999999999999999999"},
        {"fran": "2026-02-30"},
        {"enhet": "-1"},
        {"typ": "<script>"},
        {"fran": "2026-05-01", "till": "2026-04-01"},
        {"sida": "x"},
    ):
        response = client.get("/synpunkter/", params)
        assert response.status_code == 200, params
        assert "<script>" not in body(response)


def test_create_form_offers_feedback_categories_in_vb_groups(manager: Any) -> None:
    html = body(browser(manager).get("/synpunkter/ny/"))
    assert '<optgroup label="Synpunkter och klagomål - som gäller verksamhet och personal">' in html
    assert '<optgroup label="Synpunkter och klagomål - ej personalrelaterade">' in html
    assert f'value="{category("feedback_other", "teknik_it").pk}"' in html
    assert f'value="{category("feedback_staff", "kompetens").pk}"' in html
    deviation_category = category("deviation", "fysisk_miljo")
    # Within the category's select (another select's option may share the number: a unit's id).
    categories = html.split('name="category"', 1)[1].split("</select>", 1)[0]
    assert f'value="{deviation_category.pk}"' not in categories
    assert "Fysisk miljö" not in html


def test_create_with_permission(org: Organisation, astrid: Client, manager: Any) -> None:
    response = browser(manager).post(
        "/synpunkter/ny/", create_data(org, client=astrid.pk, other_provider="Assistansbolaget AB")
    )
    item = Feedback.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/synpunkter/{item.pk}/"
    assert (item.kind, item.source, item.sender_name, item.client, item.unit) == (
        "complaint",
        "relative",
        "Bo Lindqvist",
        astrid,
        org.provider,
    )
    assert item.category == category("feedback_staff", "utebliven_insats")
    assert item.other_provider == "Assistansbolaget AB"
    assert item.registered_by == manager
    assert AuditEvent.objects.filter(action="feedback.register", actor=manager, object_id=str(item.pk)).count() == 1


def test_create_praise_needs_no_category(org: Organisation, manager: Any) -> None:
    response = browser(manager).post(
        "/synpunkter/ny/", create_data(org, kind="praise", source="client", category="", sender_name="")
    )
    assert response.status_code == 302
    assert Feedback.objects.get().kind == "praise"


def test_detail_with_permission_logs_the_client_read(complaint: Feedback, astrid: Client, manager: Any) -> None:
    response = browser(manager).get(f"/synpunkter/{complaint.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert SECRET in html
    assert "Astrid Lindqvist" in html
    assert "Bemötande" in html
    assert f'href="/synpunkter/{complaint.pk}/andra/"' in html
    assert f'action="/synpunkter/{complaint.pk}/avsluta/"' in html
    entry = AccessLogEntry.objects.get(client=astrid)
    assert (entry.actor, entry.action) == (manager, AccessLogEntry.Action.QUALITY)


def test_edit_with_permission(complaint: Feedback, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/synpunkter/{complaint.pk}/andra/")
    assert form.status_code == 200
    assert 'name="version" value="1"' in body(form)
    answered_on = TODAY - datetime.timedelta(days=1)
    response = client.post(
        f"/synpunkter/{complaint.pk}/andra/",
        edit_data(
            complaint,
            answer="Vi ber om ursäkt.",
            answered_on=answered_on.isoformat(),
            action_taken="Samtal med personalgruppen om bemötande.",
            action_taken_on=answered_on.isoformat(),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/synpunkter/{complaint.pk}/"
    complaint.refresh_from_db()
    assert (complaint.answer, complaint.answered_on, complaint.version) == ("Vi ber om ursäkt.", answered_on, 2)
    assert complaint.action_taken_on == answered_on
    event = AuditEvent.objects.get(action="feedback.update", object_id=str(complaint.pk))
    assert event.actor == manager
    assert set(event.new_values) == {"answer", "answered_on", "action_taken", "action_taken_on"}


def test_forwarding_to_another_provider_and_its_answer(complaint: Feedback, manager: Any) -> None:
    client = browser(manager)
    day = TODAY - datetime.timedelta(days=5)
    response = client.post(
        f"/synpunkter/{complaint.pk}/andra/",
        edit_data(complaint, other_provider="Assistansbolaget AB", forwarded_on=day.isoformat()),
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    answered(complaint)
    complaint.refresh_from_db()
    refused = client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version})
    assert refused.status_code == 200
    assert "Den andra utförarens svar om åtgärder saknas." in body(refused)
    complaint.refresh_from_db()
    assert complaint.closed_at is None
    response = client.post(
        f"/synpunkter/{complaint.pk}/andra/",
        edit_data(
            complaint,
            other_provider_answer="Vi har bytt assistent hos brukaren.",
            other_provider_answered_on=TODAY.isoformat(),
        ),
    )
    assert response.status_code == 302
    html = body(client.get(f"/synpunkter/{complaint.pk}/"))
    assert "Assistansbolaget AB" in html
    assert "Vi har bytt assistent hos brukaren." in html
    complaint.refresh_from_db()
    assert client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.closed_at is not None


def test_other_provider_answer_without_text_names_the_field(complaint: Feedback, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        f"/synpunkter/{complaint.pk}/andra/",
        edit_data(complaint, other_provider="Bolaget", other_provider_answered_on=TODAY.isoformat()),
    )
    assert response.status_code == 200
    assert "Den andra utförarens svar om vidtagna åtgärder: Skriv in den andra utförarens svar." in body(response)
    assert db_state() == before


def test_close_requires_an_answer_then_closes(complaint: Feedback, manager: Any) -> None:
    client = browser(manager)
    before = db_state()
    refused = client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version})
    assert refused.status_code == 200
    assert "Ärendet kunde inte avslutas" in body(refused)
    assert "Återkoppling måste ha lämnats innan ärendet avslutas." in body(refused)
    assert db_state() == before
    answered(complaint)
    complaint.refresh_from_db()
    response = client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.closed_at is not None
    assert AuditEvent.objects.filter(action="feedback.close", actor=manager).count() == 1
    html = body(client.get(f"/synpunkter/{complaint.pk}/"))
    assert "Avslutad" in html
    assert f'href="/synpunkter/{complaint.pk}/andra/"' not in html
    # A closed case is no longer edited: the edit page sends the user back with a message.
    edit = client.get(f"/synpunkter/{complaint.pk}/andra/")
    assert edit.status_code == 302
    assert edit["Location"] == f"/synpunkter/{complaint.pk}/"
    state = db_state()
    assert client.post(f"/synpunkter/{complaint.pk}/andra/", edit_data(complaint, answer="ny")).status_code == 302
    assert client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version}).status_code == 302
    assert db_state() == state


def test_close_without_version_changes_nothing(complaint: Feedback, manager: Any) -> None:
    answered(complaint)
    before = db_state()
    for data in ({}, {"version": "abc"}, {"version": "99999999999999999999999"}):
        response = browser(manager).post(f"/synpunkter/{complaint.pk}/avsluta/", data)
        assert response.status_code == 200
    assert db_state() == before


# --- The anonymous rule ---------------------------------------------------------------------------


def test_anonymous_feedback_with_a_sender_name_is_refused(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post("/synpunkter/ny/", create_data(org, source="anonymous", sender_name="Bo"))
    assert response.status_code == 200
    assert "Avsändarens namn: En anonym synpunkt har ingen namngiven avsändare." in body(response)
    assert 'value="Bo"' in body(response)  # the user's input is kept
    assert db_state() == before


def test_anonymous_feedback_about_a_named_client_is_refused(org: Organisation, astrid: Client, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        "/synpunkter/ny/", create_data(org, source="anonymous", sender_name="", client=astrid.pk)
    )
    assert response.status_code == 200
    assert "En anonym synpunkt kan inte knytas till en brukare." in body(response)
    assert db_state() == before


def test_anonymous_feedback_is_registered_and_closes_without_an_answer(org: Organisation, manager: Any) -> None:
    client = browser(manager)
    response = client.post("/synpunkter/ny/", create_data(org, source="anonymous", sender_name=""))
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert (item.source, item.sender_name, item.client) == ("anonymous", "", None)
    assert "Anonym" in body(client.get(f"/synpunkter/{item.pk}/"))
    assert client.post(f"/synpunkter/{item.pk}/avsluta/", {"version": item.version}).status_code == 302
    item.refresh_from_db()
    assert item.closed_at is not None


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"received_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "Inkom: Datumet kan inte ligga i framtiden.",
        ),
        ({"received_on": "2026-02-30"}, "Inkom:"),
        ({"description": "   "}, "Vad gäller det:"),
        ({"kind": "klagovisa"}, "Typ:"),
        ({"source": ""}, "Inkom från:"),
        ({"category": "99999999999999999999999"}, "Kategori:"),
        ({"category": "abc"}, "Kategori:"),
        ({"client": "99999999999999999999999"}, "Brukare:"),
        ({"unit": "0"}, "Enhet:"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    org: Organisation, manager: Any, overrides: dict[str, Any], message: str
) -> None:
    before = db_state()
    response = browser(manager).post("/synpunkter/ny/", create_data(org, **overrides))
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_a_deviation_category_is_refused(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        "/synpunkter/ny/", create_data(org, category=category("deviation", "bemotande").pk)
    )
    assert response.status_code == 200
    assert "Kategori:" in body(response)
    assert db_state() == before


def test_a_client_of_another_unit_is_refused(org: Organisation, manager: Any) -> None:
    cecilia = client_services.client_create(
        actor=SYSTEM,
        unit=org.other_unit,
        personnummer=fake_personnummer("19610405", 986),
        first_name="Cecilia",
        last_name="Carlsson",
        teams=[org.other_unit_team],
        fictitious=True,
    )
    before = db_state()
    create = browser(manager).get("/synpunkter/ny/")
    assert "Cecilia" not in body(create)
    response = browser(manager).post("/synpunkter/ny/", create_data(org, client=cecilia.pk))
    assert response.status_code == 200
    assert "Brukare:" in body(response)
    assert db_state() == before


def test_answer_date_before_received_names_the_field(complaint: Feedback, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        f"/synpunkter/{complaint.pk}/andra/",
        edit_data(complaint, answer="Svar", answered_on=(RECEIVED - datetime.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200
    assert "Återkoppling lämnad: Datumet kan inte vara före det att synpunkten kom in." in body(response)
    assert db_state() == before


# --- Concurrency ----------------------------------------------------------------------------------


def test_stale_edit_is_a_conflict_and_keeps_the_input(complaint: Feedback, manager: Any) -> None:
    client = browser(manager)
    assert 'name="version" value="1"' in body(client.get(f"/synpunkter/{complaint.pk}/andra/"))
    services.feedback_update(actor=SYSTEM, feedback=complaint, expected_version=1, answer="Svar från kollegan")
    response = client.post(f"/synpunkter/{complaint.pk}/andra/", edit_data(complaint, answer="Mitt svar"))
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert "Mitt svar" in html  # the user's input is kept
    assert "Sparade uppgifter just nu" in html
    assert "Svar från kollegan" in html
    assert 'name="version" value="2"' in html
    complaint.refresh_from_db()
    assert (complaint.answer, complaint.version) == ("Svar från kollegan", 2)
    # Saving again on purpose replaces the colleague's answer.
    again = client.post(f"/synpunkter/{complaint.pk}/andra/", edit_data(complaint, answer="Mitt svar", version=2))
    assert again.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.answer, complaint.version) == ("Mitt svar", 3)


def test_stale_close_is_a_conflict(complaint: Feedback, manager: Any) -> None:
    answered(complaint)
    complaint.refresh_from_db()
    stale = complaint.version
    services.feedback_update(actor=SYSTEM, feedback=complaint, expected_version=stale, action_taken="Samtal")
    response = browser(manager).post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": stale})
    assert response.status_code == 200
    assert "Någon annan har ändrat uppgifterna" in body(response)
    assert f'name="version" value="{stale + 1}"' in body(response)
    complaint.refresh_from_db()
    assert complaint.closed_at is None


# --- With permission, but in another unit -----------------------------------------------------------


def test_list_in_another_unit_shows_nothing_of_ours(
    org: Organisation, complaint: Feedback, elsewhere: Feedback, other_manager: Any
) -> None:
    client = browser(other_manager)
    for params in ({}, {"enhet": org.provider.pk}, {"kategori": complaint.category_id}):
        response = client.get("/synpunkter/", params)
        assert response.status_code == 200
        assert f'href="/synpunkter/{complaint.pk}/"' not in body(response)
        assert SECRET not in body(response)
    assert f'href="/synpunkter/{elsewhere.pk}/"' in body(client.get("/synpunkter/"))


@pytest.mark.parametrize("page", ["detail", "edit"])
def test_pages_in_another_unit_are_not_found(
    complaint: Feedback, astrid: Client, other_manager: Any, page: str
) -> None:
    response = browser(other_manager).get(paths(complaint)[page])
    assert response.status_code == 404
    assert SECRET not in body(response)
    assert "Astrid" not in body(response)
    assert AccessLogEntry.objects.filter(client=astrid).count() == 0


def test_posts_in_another_unit_change_nothing(org: Organisation, complaint: Feedback, other_manager: Any) -> None:
    answered(complaint)
    complaint.refresh_from_db()
    before = db_state()
    client = browser(other_manager)
    assert client.post(f"/synpunkter/{complaint.pk}/andra/", edit_data(complaint, answer="x")).status_code == 404
    assert client.post(f"/synpunkter/{complaint.pk}/avsluta/", {"version": complaint.version}).status_code == 404
    # Registering in our unit: the unit is not among the choices, so the form refuses it.
    response = client.post("/synpunkter/ny/", create_data(org))
    assert response.status_code == 200
    assert "Enhet:" in body(response)
    assert db_state() == before


# --- Query budget ---------------------------------------------------------------------------------

FEEDBACK_LIST_QUERIES = 9


def test_list_query_budget(org: Organisation, astrid: Client, manager: Any, django_assert_num_queries: Any) -> None:
    def add(count: int) -> None:
        for number in range(count):
            services.feedback_register(
                actor=manager,
                unit=org.provider,
                kind=Feedback.Kind.COMPLAINT,
                source=Feedback.Source.CLIENT,
                received_on=RECEIVED,
                description=f"Klagomål {number}",
                client=astrid,
                category=category("feedback_other", "teknik_it"),
            )

    client = browser(manager)
    add(3)
    with django_assert_num_queries(FEEDBACK_LIST_QUERIES):
        assert client.get("/synpunkter/", {"typ": "complaint"}).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/synpunkter/", {"typ": "complaint"}).status_code == 200
    assert len(queries) == FEEDBACK_LIST_QUERIES
