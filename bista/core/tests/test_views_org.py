"""The organisation and account pages (start, sign-in and out, two-factor page, API keys, unit, team), each
four ways: anonymous, signed in without permission, with permission, with permission but in another unit.
And an accessibility smoke test of every page a manager sees (no browser: the HTML is parsed)."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from bista.clients import services as client_services
from bista.clients.models import Client, LogReview
from bista.core import clock, services
from bista.core.access import SYSTEM
from bista.core.models import ApiToken, AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.api_support import audit_count, fake_personnummer
from bista.core.tests.pages import LOGIN, assert_login_redirect, browser
from bista.staff.models import Employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

PASSWORD = "korrekt-hast-batteri-42"  # make_user's test password


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
def token(manager: Any) -> ApiToken:
    token, _ = services.api_token_create(actor=manager, name="Lönesystemet", scopes=["org.view"])
    return token


def body(response: Any) -> str:
    return response.content.decode()


def signed_in_user_id(client: HttpClient) -> Any:
    return client.session.get("_auth_user_id")


def token_state() -> list[tuple[Any, ...]]:
    return sorted(ApiToken.objects.values_list("pk", "name", "revoked_at"))


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["start", "two_factor", "api_tokens", "unit", "team"])
def test_anonymous_goes_to_login(org: Organisation, page: str) -> None:
    path = {
        "start": "/",
        "two_factor": "/konto/tvafaktor/",
        "api_tokens": "/konto/api-nycklar/",
        "unit": f"/enheter/{org.provider.pk}/",
        "team": f"/arbetsgrupper/{org.team.pk}/",
    }[page]
    response = HttpClient().get(path)
    assert_login_redirect(response)
    assert "Team Ek" not in body(response)


def test_anonymous_posts_change_nothing(token: ApiToken) -> None:
    before = (token_state(), AuditEvent.objects.count())
    anonymous = HttpClient()
    assert_login_redirect(anonymous.post(f"/konto/api-nycklar/{token.pk}/aterkalla/"))
    assert_login_redirect(anonymous.post("/konto/api-nycklar/", {"name": "x", "scopes": ["org.view"]}))
    assert_login_redirect(anonymous.post("/konto/tvafaktor/", {"token": "123456"}))
    assert (token_state(), AuditEvent.objects.count()) == before


def test_login_page_is_public() -> None:
    response = HttpClient().get(LOGIN)
    assert response.status_code == 200
    assert "<h1>Logga in i Bistå</h1>" in body(response)
    assert 'name="username"' in body(response)


def test_logout_when_anonymous_just_goes_to_login() -> None:
    response = HttpClient().post("/konto/logga-ut/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN


# --- Sign-in and sign-out ---------------------------------------------------------------------------


def test_login_with_the_right_password(manager: Any) -> None:
    client = HttpClient()
    response = client.post(LOGIN, {"username": "chef", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(manager.pk)
    assert client.get(LOGIN)["Location"] == "/"  # a signed-in user is sent on


def test_login_with_a_wrong_password(manager: Any) -> None:
    client = HttpClient()
    response = client.post(LOGIN, {"username": "chef", "password": "fel-lösenord"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord." in body(response)
    assert signed_in_user_id(client) is None


def test_failed_login_is_not_called_a_failed_save(manager: Any) -> None:
    response = HttpClient().post(LOGIN, {"username": "chef", "password": "fel-lösenord"})
    assert "Det gick inte att spara" not in body(response)


def test_login_does_not_redirect_off_site(manager: Any) -> None:
    response = HttpClient().post(
        f"{LOGIN}?next=https://evil.example/", {"username": "chef", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout(manager: Any) -> None:
    client = browser(manager)
    assert client.get("/konto/logga-ut/").status_code == 405
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None
    assert_login_redirect(client.get("/"))


# --- Signed in without permission -------------------------------------------------------------------


def test_start_without_a_role(org: Organisation, astrid: Client, nobody: Any) -> None:
    response = browser(nobody).get("/")
    assert response.status_code == 200
    html = body(response)
    assert "Du har ingen roll i någon enhet ännu." in html
    assert f"/enheter/{org.provider.pk}/" not in html
    assert 'href="/brukare/"' not in html
    assert "Norrby" not in html


@pytest.mark.parametrize("page", ["unit", "team"])
def test_organisation_pages_without_a_role(org: Organisation, astrid: Client, nobody: Any, page: str) -> None:
    path = f"/enheter/{org.provider.pk}/" if page == "unit" else f"/arbetsgrupper/{org.team.pk}/"
    response = browser(nobody).get(path)
    assert response.status_code == 403
    html = body(response)
    assert "Behörighet saknas" in html
    for secret in ("Team Ek", "Team Björk", "Astrid", "Norrby"):
        assert secret not in html


@pytest.mark.parametrize("who", ["nobody", "staffer"])
def test_api_tokens_without_permission(org: Organisation, token: ApiToken, who: str, nobody: Any, staffer: Any) -> None:
    client = browser({"nobody": nobody, "staffer": staffer}[who])
    before = (token_state(), AuditEvent.objects.count())
    response = client.get("/konto/api-nycklar/")
    assert response.status_code == 403
    assert "Lönesystemet" not in body(response)
    assert client.post("/konto/api-nycklar/", {"name": "Smyg", "scopes": ["org.view"]}).status_code == 403
    # Someone else's key cannot be revoked either: the request is answered, the key stays.
    response = client.post(f"/konto/api-nycklar/{token.pk}/aterkalla/")
    assert response.status_code == 302
    assert (token_state(), AuditEvent.objects.count()) == before


def test_two_factor_page_is_open_to_any_signed_in_user(nobody: Any) -> None:
    response = browser(nobody).get("/konto/tvafaktor/")
    assert response.status_code == 200
    assert "<svg" in body(response)


# --- With permission --------------------------------------------------------------------------------


def test_start_for_a_manager(org: Organisation, astrid: Client, manager: Any) -> None:
    response = browser(manager).get("/")
    assert response.status_code == 200
    html = body(response)
    assert "Du är enhetschef i Enheten för personligt stöd" in html
    assert f'href="/enheter/{org.provider.pk}/"' in html
    assert f"/enheter/{org.other_unit.pk}/" not in html
    assert "<strong>1</strong> aktiva brukare" in html
    assert 'href="/loggkontroll/"' in html
    assert "Söderby" not in html


def test_start_for_a_medarbetare_shows_their_teams(org: Organisation, staffer: Any) -> None:
    html = body(browser(staffer).get("/"))
    assert "Mina arbetsgrupper" in html
    assert f'href="/arbetsgrupper/{org.team.pk}/"' in html
    assert f'href="/arbetsgrupper/{org.other_team.pk}/"' not in html
    assert 'href="/medarbetare/"' not in html
    assert 'href="/loggkontroll/"' not in html


def test_unit_page(org: Organisation, astrid: Client, anna: Employee, manager: Any) -> None:
    response = browser(manager).get(f"/enheter/{org.provider.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "<h1>Enheten för personligt stöd</h1>" in html
    assert "Team Ek" in html
    assert "Team Björk" in html
    assert "Team Lönn" not in html
    assert f'href="/brukare/?enhet={org.provider.pk}">1</a>' in html
    assert f'href="/medarbetare/?enhet={org.provider.pk}">1</a>' in html


def test_team_page(org: Organisation, astrid: Client, anna: Employee, manager: Any) -> None:
    response = browser(manager).get(f"/arbetsgrupper/{org.team.pk}/")
    assert response.status_code == 200
    html = body(response)
    assert "<h1>Team Ek</h1>" in html
    assert f'href="/brukare/{astrid.pk}/"' in html
    assert f'href="/medarbetare/{anna.pk}/"' in html


def test_team_page_shows_a_medarbetare_only_what_they_may_see(
    org: Organisation, astrid: Client, anna: Employee, staffer: Any
) -> None:
    bertil = client_services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=fake_personnummer("19520612", 984),
        first_name="Bertil",
        last_name="Berglund",
        teams=[org.other_team],
        fictitious=True,
    )
    client = browser(staffer)
    own = body(client.get(f"/arbetsgrupper/{org.team.pk}/"))
    assert "Astrid Lindqvist" in own
    assert "Anna Andersson" not in own  # a medarbetare does not see colleagues' records
    other = client.get(f"/arbetsgrupper/{org.other_team.pk}/")
    assert other.status_code == 200
    assert "Bertil" not in body(other)
    assert f"/brukare/{bertil.pk}/" not in body(other)
    assert "Inga brukare som du har behörighet att se." in body(other)


def test_create_an_api_token(manager: Any) -> None:
    client = browser(manager)
    assert client.get("/konto/api-nycklar/").status_code == 200
    response = client.post(
        "/konto/api-nycklar/", {"name": "Lönesystemet", "scopes": ["org.view", "employee.view"], "expires_on": ""}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scopes, token.expires_at) == (
        manager,
        "Lönesystemet",
        ["employee.view", "org.view"],
        None,
    )
    secret = response.context["secret"]
    assert secret.startswith(f"bista_{token.prefix}_")
    assert secret in body(response)
    assert secret not in token.token_hash
    assert services.api_token_authenticate(secret) == token
    assert audit_count("api_token.create", actor=manager, object_id=str(token.pk)) == 1
    assert secret not in body(client.get("/konto/api-nycklar/"))  # shown once


def test_api_token_with_expiry(manager: Any) -> None:
    browser(manager).post(
        "/konto/api-nycklar/", {"name": "Tillfällig", "scopes": ["org.view"], "expires_on": f"{LATER_YEAR}-12-31"}
    )
    assert ApiToken.objects.get().expires_at is not None


def test_revoke_an_api_token(token: ApiToken, manager: Any) -> None:
    response = browser(manager).post(f"/konto/api-nycklar/{token.pk}/aterkalla/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/api-nycklar/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert audit_count("api_token.revoke", actor=manager, object_id=str(token.pk)) == 1
    assert browser(manager).get(f"/konto/api-nycklar/{token.pk}/aterkalla/").status_code == 405


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"name": "", "scopes": ["org.view"]}, "Namn:"),
        ({"name": "x", "scopes": []}, "Behörigheter:"),
        ({"name": "x", "scopes": ["client.view_team"]}, "Behörigheter:"),  # not held: not a choice
        ({"name": "x", "scopes": ["org.view"], "expires_on": "2020-01-01"}, "Giltighetstiden måste sluta i framtiden."),
        ({"name": "x", "scopes": ["org.view"], "expires_on": "igår"}, "Giltig till och med:"),
    ],
)
def test_api_token_bad_input(manager: Any, data: dict[str, Any], text: str) -> None:
    response = browser(manager).post("/konto/api-nycklar/", data)
    assert response.status_code == 200
    assert text in body(response)
    assert not ApiToken.objects.exists()
    assert audit_count("api_token.create") == 0


def test_api_token_with_the_last_possible_date(manager: Any) -> None:
    response = browser(manager).post(
        "/konto/api-nycklar/", {"name": "Evig", "scopes": ["org.view"], "expires_on": "9999-12-31"}
    )
    assert response.status_code == 200


# --- With permission, in another unit ---------------------------------------------------------------


def test_start_in_another_unit(org: Organisation, astrid: Client, other_manager: Any) -> None:
    html = body(browser(other_manager).get("/"))
    assert f'href="/enheter/{org.other_unit.pk}/"' in html
    assert f"/enheter/{org.provider.pk}/" not in html
    assert "Norrby" not in html
    assert "<strong>0</strong> aktiva brukare" in html


@pytest.mark.parametrize("page", ["unit", "team"])
def test_organisation_pages_of_another_unit(
    org: Organisation, astrid: Client, anna: Employee, other_manager: Any, page: str
) -> None:
    path = f"/enheter/{org.provider.pk}/" if page == "unit" else f"/arbetsgrupper/{org.team.pk}/"
    response = browser(other_manager).get(path)
    assert response.status_code == 403
    for secret in ("Team Ek", "Team Björk", "Astrid", "Andersson", "Norrby"):
        assert secret not in body(response)


def test_unknown_unit_and_team_are_not_found(manager: Any) -> None:
    client = browser(manager)
    assert client.get("/enheter/987654/").status_code == 404
    assert client.get("/arbetsgrupper/987654/").status_code == 404


def test_api_tokens_of_another_unit_manager(token: ApiToken, other_manager: Any) -> None:
    client = browser(other_manager)
    response = client.get("/konto/api-nycklar/")
    assert response.status_code == 200
    assert "Lönesystemet" not in body(response)
    before = (token_state(), AuditEvent.objects.count())
    response = client.post(f"/konto/api-nycklar/{token.pk}/aterkalla/", follow=True)
    assert "återkallad" not in body(response)
    assert (token_state(), AuditEvent.objects.count()) == before


# --- Accessibility smoke test -----------------------------------------------------------------------


class PageStructure(HTMLParser):
    """What the smoke test checks: language, skip link, headings, ids and form labels."""

    IGNORED_INPUTS = frozenset({"hidden", "submit", "button", "reset", "image"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.h1 = 0
        self.ids: list[str] = []
        self.label_targets: set[str] = set()
        self.controls: list[tuple[str, str | None, str | None]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "a" and attributes.get("href") is not None:
            self.links.append(attributes["href"] or "")
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"] or "")
        elif tag in ("select", "textarea") or (
            tag == "input" and (attributes.get("type") or "text") not in self.IGNORED_INPUTS
        ):
            self.controls.append((tag, attributes.get("name"), attributes.get("id")))
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")


def parse(response: Any) -> PageStructure:
    page = PageStructure()
    page.feed(body(response))
    page.close()
    return page


@pytest.fixture
def pages(org: Organisation, manager: Any, astrid: Client, anna: Employee, token: ApiToken) -> dict[str, Any]:
    """Every page a manager can reach (some with errors on their forms), each rendered when asked for."""
    client_services.client_contact_add(actor=SYSTEM, client=astrid, kind="god_man", name="Gunnar Godman")
    today = timezone.localdate().isoformat()
    client = browser(manager)
    client.get(f"/brukare/{astrid.pk}/")  # one logged read, so that the log has a row to sample
    client.post(
        "/loggkontroll/urval/",
        {"urval-enhet": org.provider.pk, "urval-fran": today, "urval-till": today, "urval-antal": 5},
    )
    review = LogReview.objects.get()
    return {
        "start": lambda: client.get("/"),
        "unit": lambda: client.get(f"/enheter/{org.provider.pk}/"),
        "team": lambda: client.get(f"/arbetsgrupper/{org.team.pk}/"),
        "api_tokens": lambda: client.get("/konto/api-nycklar/"),
        "api_tokens_errors": lambda: client.post("/konto/api-nycklar/", {"name": ""}),
        "two_factor": lambda: client.get("/konto/tvafaktor/"),
        "client_list": lambda: client.get("/brukare/"),
        "client_create": lambda: client.get("/brukare/ny/"),
        "client_create_errors": lambda: client.post("/brukare/ny/", {"personnummer_input": "fel"}),
        "client_card": lambda: client.get(f"/brukare/{astrid.pk}/"),
        "client_edit": lambda: client.get(f"/brukare/{astrid.pk}/andra/"),
        "contact_add": lambda: client.get(f"/brukare/{astrid.pk}/kontakter/ny/"),
        "employee_list": lambda: client.get("/medarbetare/"),
        "employee_create": lambda: client.get("/medarbetare/ny/"),
        "employee_card": lambda: client.get(f"/medarbetare/{anna.pk}/"),
        "employee_edit": lambda: client.get(f"/medarbetare/{anna.pk}/andra/"),
        "log_index": lambda: client.get("/loggkontroll/"),
        "log_review": lambda: client.get(f"/loggkontroll/{review.pk}/"),
        "log_sample_errors": lambda: client.post("/loggkontroll/urval/", {"urval-enhet": org.provider.pk}),
        "forbidden": lambda: client.get(f"/enheter/{org.other_unit.pk}/"),
        "not_found": lambda: client.get("/finns-inte/"),
        "login": lambda: HttpClient().get(LOGIN),
        "login_errors": lambda: HttpClient().post(LOGIN, {"username": "chef", "password": "fel"}),
    }


PAGE_NAMES = [
    "start",
    "unit",
    "team",
    "api_tokens",
    "api_tokens_errors",
    "two_factor",
    "client_list",
    "client_create",
    "client_create_errors",
    "client_card",
    "client_edit",
    "contact_add",
    "employee_list",
    "employee_create",
    "employee_card",
    "employee_edit",
    "log_index",
    "log_review",
    "log_sample_errors",
    "forbidden",
    "not_found",
    "login",
    "login_errors",
]


def test_every_page_is_checked(pages: dict[str, Any]) -> None:
    assert sorted(pages) == sorted(PAGE_NAMES)
    expected = {"forbidden": 403, "not_found": 404, "log_sample_errors": 400}
    for name, render in pages.items():
        assert render().status_code == expected.get(name, 200), name


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_structure(pages: dict[str, Any], name: str) -> None:
    page = parse(pages[name]())
    assert page.lang == "sv"
    assert page.links[0] == "#innehall", "the skip link comes first"
    assert "innehall" in page.ids
    assert page.h1 == 1
    unlabelled = [control for control in page.controls if control[2] not in page.label_targets]
    assert unlabelled == []


@pytest.mark.parametrize("name", PAGE_NAMES)
def test_page_ids_are_unique(pages: dict[str, Any], name: str) -> None:
    page = parse(pages[name]())
    duplicates = sorted({element_id for element_id in page.ids if page.ids.count(element_id) > 1})
    assert duplicates == []
