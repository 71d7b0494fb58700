"""Sign-in security: lockout after failed logins, two-factor sign-in for the roles that require it, the idle
timeout, the response headers, CSRF, and the single sign-on seam (a trusted header from the identity proxy)."""

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import config.settings as config_settings
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import audit_count, fake_personnummer, session_client

pytestmark = pytest.mark.django_db

LOGIN = "/konto/logga-in/"
TWO_FACTOR = "/konto/tvafaktor/"
PASSWORD = "korrekt-hast-batteri-42"  # make_user's test password


def body(response: Any) -> str:
    return response.content.decode()


def signed_in_user_id(client: HttpClient) -> Any:
    return client.session.get("_auth_user_id")


def login(client: HttpClient, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


# --- Lockout (django-axes) --------------------------------------------------------------------------


def test_lockout_after_five_failed_logins(settings: Any, manager: Any) -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    client = HttpClient()
    statuses = [login(client, "chef", f"fel-{attempt}").status_code for attempt in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429  # the fifth failure locks
    response = login(client, "chef", PASSWORD)
    assert response.status_code == 429
    assert "Inloggningen är tillfälligt spärrad" in body(response)
    assert signed_in_user_id(client) is None


def test_a_locked_account_stays_locked_from_another_address(manager: Any) -> None:
    client = HttpClient()
    for attempt in range(5):
        login(client, "chef", f"fel-{attempt}")
    elsewhere = HttpClient(REMOTE_ADDR="10.0.0.7")
    response = login(elsewhere, "chef", PASSWORD)
    assert response.status_code == 429
    assert signed_in_user_id(elsewhere) is None


def test_another_account_from_the_same_address_still_signs_in(manager: Any, staffer: Any) -> None:
    client = HttpClient()
    for attempt in range(5):
        login(client, "chef", f"fel-{attempt}")
    other = HttpClient()
    assert login(other, "assistent", PASSWORD).status_code == 302  # below the address's own limit
    assert signed_in_user_id(other) == str(staffer.pk)


def _spray(address: str, accounts: int, *, headers: dict[str, str] | None = None) -> list[int]:
    """One wrong password for each of `accounts` different usernames, from one address."""
    client = HttpClient(REMOTE_ADDR=address)
    return [
        client.post(LOGIN, {"username": f"anvandare{n}", "password": "fel"}, headers=headers or {}).status_code
        for n in range(accounts)
    ]


def test_wrong_passwords_spread_over_many_accounts_lock_the_address(settings: Any, manager: Any) -> None:
    assert settings.BISTA_LOGIN_FAILURE_LIMIT_PER_ADDRESS == 20
    statuses = _spray("10.0.0.9", 40)
    assert statuses[:19] == [200] * 19
    assert set(statuses[19:]) == {429}  # the 20th failure locks the address
    locked = HttpClient(REMOTE_ADDR="10.0.0.9")
    assert login(locked, "chef", PASSWORD).status_code == 429  # even a right password, from there
    assert signed_in_user_id(locked) is None
    elsewhere = HttpClient(REMOTE_ADDR="10.0.0.10")
    assert login(elsewhere, "chef", PASSWORD).status_code == 302  # the account itself is not locked


def test_a_sign_in_does_not_clear_the_address_count(settings: Any, manager: Any, staffer: Any) -> None:
    """An attacker holding one valid account cannot wipe the spraying count by signing in to it."""
    _spray("10.0.0.11", 19)
    insider = HttpClient(REMOTE_ADDR="10.0.0.11")
    assert login(insider, "assistent", PASSWORD).status_code == 302
    assert _spray("10.0.0.11", 1) == [429]


def test_behind_a_trusted_proxy_each_client_address_counts_apart(settings: Any, manager: Any) -> None:
    settings.BISTA_TRUSTED_PROXIES = ["10.1.0.0/16"]
    proxy_headers = {"X-Forwarded-For": "192.0.2.50"}
    assert set(_spray("10.1.0.5", 20, headers=proxy_headers)[19:]) == {429}
    other_client = HttpClient(REMOTE_ADDR="10.1.0.5")
    response = other_client.post(
        LOGIN, {"username": "chef", "password": PASSWORD}, headers={"X-Forwarded-For": "192.0.2.51"}
    )
    assert response.status_code == 302  # the proxy's address is not one shared lockout


def test_an_untrusted_peer_cannot_dodge_the_address_lockout(settings: Any, manager: Any) -> None:
    settings.BISTA_TRUSTED_PROXIES = ["10.1.0.0/16"]
    statuses = [
        HttpClient(REMOTE_ADDR="198.51.100.7")
        .post(LOGIN, {"username": f"anvandare{n}", "password": "fel"}, headers={"X-Forwarded-For": f"192.0.2.{n}"})
        .status_code
        for n in range(20)
    ]
    assert statuses[-1] == 429  # a made-up X-Forwarded-For from a client is ignored


def test_success_before_the_limit_resets_the_count(manager: Any) -> None:
    client = HttpClient()
    for attempt in range(4):
        login(client, "chef", f"fel-{attempt}")
    assert login(client, "chef", PASSWORD).status_code == 302
    client.post("/konto/logga-ut/")
    for attempt in range(4):
        assert login(client, "chef", f"fel-igen-{attempt}").status_code == 200
    assert login(client, "chef", PASSWORD).status_code == 302


# --- Two-factor sign-in -----------------------------------------------------------------------------


@pytest.fixture
def require_2fa(settings: Any) -> None:
    settings.BISTA_REQUIRE_2FA = True


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/brukare/",
        "/brukare/ny/",
        "/medarbetare/",
        "/loggkontroll/",
        "/konto/api-nycklar/",
        "/konto/engangskoder-tvafaktor/",  # issuing enrolment codes needs a verified administrator
        "/konto/byt-losenord/",
        "/x/",
    ],
)
def test_manager_must_set_up_two_factor_first(require_2fa: None, manager: Any, path: str) -> None:
    response = session_client(manager, verified=False).get(path)
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR


def test_password_sign_in_leads_to_two_factor(require_2fa: None, manager: Any) -> None:
    client = HttpClient()
    assert login(client, "chef", PASSWORD)["Location"] == "/"
    assert client.get("/")["Location"] == TWO_FACTOR


def test_enrolment_page_shows_a_qr_code(require_2fa: None, manager: Any) -> None:
    response = session_client(manager, verified=False).get(TWO_FACTOR)
    assert response.status_code == 200
    html = body(response)
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=manager)
    assert device.confirmed is False
    assert response.context["secret"] in html
    assert 'name="token"' in html


def test_a_correct_code_confirms_the_device_and_opens_the_system(
    require_2fa: None, org: Organisation, manager: Any
) -> None:
    client = session_client(manager, verified=False)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=manager)
    response = client.post(TWO_FACTOR, {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert audit_count("two_factor.enrol", actor=manager) == 1
    assert client.get("/").status_code == 200
    assert client.get(f"/enheter/{org.provider.pk}/").status_code == 200


def test_a_wrong_code_is_refused(require_2fa: None, manager: Any) -> None:
    client = session_client(manager, verified=False)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=manager)
    wrong = f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"
    response = client.post(TWO_FACTOR, {"token": wrong})
    assert response.status_code == 200
    assert "Koden stämmer inte." in body(response)
    device.refresh_from_db()
    assert device.confirmed is False
    assert audit_count("two_factor.enrol") == 0
    assert client.get("/")["Location"] == TWO_FACTOR


@pytest.mark.parametrize("token", ["", "12", "abcdef", "1234567890"])
def test_a_malformed_code_is_refused(require_2fa: None, manager: Any, token: str) -> None:
    client = session_client(manager, verified=False)
    response = client.post(TWO_FACTOR, {"token": token})
    assert response.status_code == 200
    assert "Engångskod" in body(response)
    assert client.get("/")["Location"] == TWO_FACTOR


def test_after_enrolment_the_secret_is_never_shown_again(require_2fa: None, manager: Any) -> None:
    first = session_client(manager, verified=False)
    first.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=manager)
    secret = first.get(TWO_FACTOR).context["secret"]
    first.post(TWO_FACTOR, {"token": current_code(device)})
    second = session_client(manager, verified=False)  # a later sign-in
    assert second.get("/")["Location"] == TWO_FACTOR
    response = second.get(TWO_FACTOR)
    assert "<svg" not in body(response)
    assert secret not in body(response)
    assert "Skriv in koden från din autentiseringsapp." in body(response)


def test_medarbetare_is_not_asked_for_two_factor(require_2fa: None, staffer: Any) -> None:
    client = session_client(staffer, verified=False)
    assert client.get("/").status_code == 200
    assert client.get("/brukare/").status_code == 200


def test_two_factor_is_off_when_configured_so(settings: Any, manager: Any) -> None:
    settings.BISTA_REQUIRE_2FA = False
    assert session_client(manager, verified=False).get("/").status_code == 200


def test_two_factor_does_not_redirect_off_site(require_2fa: None, manager: Any) -> None:
    client = session_client(manager, verified=False)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=manager)
    response = client.post(f"{TWO_FACTOR}?next=https://evil.example/", {"token": current_code(device)})
    assert response.status_code == 302
    assert not response["Location"].startswith(("http://", "https://", "//"))


# --- Idle timeout -----------------------------------------------------------------------------------


def test_idle_timeout_settings(settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is False  # IdleTimeoutMiddleware refreshes it instead
    assert config_settings.BISTA_SESSION_REFRESH_SECONDS == 60  # (the tests' fixture raises it; production's value)
    assert "bista.core.middleware.IdleTimeoutMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def _session(client: HttpClient) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_request_pushes_the_idle_timeout_forward(staffer: Any, frozen_clock: Any, settings: Any) -> None:
    settings.BISTA_SESSION_REFRESH_SECONDS = 60
    start = timezone.now()
    frozen_clock(start)
    client = session_client(staffer, verified=False)  # signing in writes the session: the first refresh
    frozen_clock(start + datetime.timedelta(seconds=61))
    almost_expired = timezone.now() + datetime.timedelta(seconds=60)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=almost_expired)
    assert client.get("/").status_code == 200
    assert _session(client).expire_date > almost_expired + datetime.timedelta(minutes=20)


def test_the_session_is_written_at_most_once_a_minute(staffer: Any, frozen_clock: Any, settings: Any) -> None:
    settings.BISTA_SESSION_REFRESH_SECONDS = 60
    start = timezone.now()
    frozen_clock(start)
    client = session_client(staffer, verified=False)
    signed_in = _session(client).expire_date
    assert client.get("/").status_code == 200
    frozen_clock(start + datetime.timedelta(seconds=59))
    assert client.get("/").status_code == 200
    assert _session(client).expire_date == signed_in  # within a minute of signing in: no write

    frozen_clock(start + datetime.timedelta(seconds=61))
    almost_expired = timezone.now() + datetime.timedelta(seconds=30)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=almost_expired)
    assert client.get("/").status_code == 200
    assert _session(client).expire_date > almost_expired + datetime.timedelta(minutes=20)  # refreshed

    frozen_clock(start + datetime.timedelta(seconds=90))
    refreshed = _session(client).expire_date
    assert client.get("/").status_code == 200
    assert _session(client).expire_date == refreshed  # and not again within the next minute


def test_an_idle_session_has_expired(staffer: Any) -> None:
    client = session_client(staffer, verified=False)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/brukare/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


def test_session_cookie_flags(manager: Any) -> None:
    client = HttpClient()
    response = login(client, "chef", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # ends with the browser; the server ends it after the idle timeout


# --- Response headers -------------------------------------------------------------------------------


def test_security_headers_on_a_signed_in_page(staffer: Any) -> None:
    response = session_client(staffer, verified=False).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_headers_on_the_public_login_page() -> None:
    response = HttpClient().get(LOGIN)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_lockout_page_has_the_headers_too(manager: Any) -> None:
    client = HttpClient()
    for attempt in range(5):
        response = login(client, "chef", f"fel-{attempt}")
    assert response.status_code == 429
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    """The test client's 127.0.0.1 is the trusted TLS proxy."""
    settings.BISTA_TRUSTED_PROXIES = ["127.0.0.1"]


def test_request_id_is_echoed(behind_proxy: None, staffer: Any) -> None:
    client = session_client(staffer, verified=False)
    assert client.get("/", headers={"X-Request-Id": "abc123XYZ"})["X-Request-Id"] == "abc123XYZ"
    uuid = "0b0e6f4a-5c1d-4f7e-9a43-6a1f0c2d9e11"
    assert client.get("/", headers={"X-Request-Id": uuid})["X-Request-Id"] == uuid
    long_id = "a" * 60
    assert client.get("/", headers={"X-Request-Id": long_id})["X-Request-Id"] == "a" * 40


def test_request_id_from_an_untrusted_peer_is_replaced(staffer: Any) -> None:
    response = session_client(staffer, verified=False).get("/", headers={"X-Request-Id": "abc123XYZ"})
    assert response["X-Request-Id"] != "abc123XYZ"
    assert len(response["X-Request-Id"]) == 32


@pytest.mark.parametrize("incoming", [None, "", "-abc", "<script>", "a b", "a_b", "å123"])
def test_request_id_is_made_when_missing_or_unsafe(behind_proxy: None, staffer: Any, incoming: str | None) -> None:
    headers = {} if incoming is None else {"X-Request-Id": incoming}
    request_id = session_client(staffer, verified=False).get("/", headers=headers)["X-Request-Id"]
    assert request_id != incoming
    assert len(request_id) == 32
    assert request_id.isalnum()


def test_request_id_is_kept_in_the_audit_and_access_log(
    behind_proxy: None, org: Organisation, user_factory: Any, settings: Any
) -> None:
    settings.BISTA_REQUIRE_2FA = False
    officer = user_factory("handlaggare", RoleCode.CASE_OFFICER, org.purchaser)
    client = session_client(officer, verified=False)
    response = client.post(
        "/brukare/ny/",
        {
            "personnummer_input": fake_personnummer("19800101", 988),
            "first_name": "Doris",
            "last_name": "Dahl",
            "unit": org.purchaser.pk,
            "gender": "K",
        },
        headers={"X-Request-Id": "skapa42"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="client.create").request_id == "skapa42"
    created = Client.objects.get()
    client.get(f"/brukare/{created.pk}/", headers={"X-Request-Id": "las42"})
    assert AccessLogEntry.objects.get(client=created).request_id == "las42"


def test_csrf_is_enforced(org: Organisation, user_factory: Any, settings: Any) -> None:
    settings.BISTA_REQUIRE_2FA = False
    officer = user_factory("handlaggare", RoleCode.CASE_OFFICER, org.purchaser)
    client = HttpClient(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(
        "/brukare/ny/",
        {
            "personnummer_input": fake_personnummer("19800101", 988),
            "first_name": "Doris",
            "last_name": "Dahl",
            "unit": org.purchaser.pk,
            "gender": "K",
        },
    )
    assert response.status_code == 403
    assert not Client.objects.exists()


# --- Single sign-on through a trusted header --------------------------------------------------------


@pytest.fixture
def sso(settings: Any) -> None:
    settings.BISTA_SSO_HEADER = "HTTP_X_REMOTE_USER"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "bista.core.sso.TrustedHeaderBackend"]


def test_sso_signs_in_an_existing_user(sso: None, staffer: Any) -> None:
    client = HttpClient()
    response = client.get("/", headers={"X-Remote-User": "assistent"})
    assert response.status_code == 200
    assert "Välkommen, Assistent" in body(response)
    assert signed_in_user_id(client) == str(staffer.pk)


def test_sso_does_not_create_unknown_users(sso: None, staffer: Any) -> None:
    users = get_user_model().objects.count()
    client = HttpClient()
    response = client.get("/", headers={"X-Remote-User": "okand.person"})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert signed_in_user_id(client) is None
    assert get_user_model().objects.count() == users


def test_sso_does_not_sign_in_an_inactive_user(sso: None, staffer: Any) -> None:
    staffer.is_active = False
    staffer.save(update_fields=["is_active"])
    client = HttpClient()
    assert client.get("/", headers={"X-Remote-User": "assistent"}).status_code == 302
    assert signed_in_user_id(client) is None


def test_sso_still_requires_two_factor(sso: None, require_2fa: None, manager: Any) -> None:
    response = HttpClient().get("/", headers={"X-Remote-User": "chef"})
    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR


def test_header_is_ignored_when_sso_is_off(settings: Any, staffer: Any) -> None:
    assert settings.BISTA_SSO_HEADER == ""
    client = HttpClient()
    response = client.get("/", headers={"X-Remote-User": "assistent"})
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def test_protected_reads_through_sso_are_logged_as_the_user(sso: None, org: Organisation, user_factory: Any) -> None:
    officer = user_factory("handlaggare", RoleCode.CASE_OFFICER, org.purchaser)
    client = client_services.client_create(
        actor=SYSTEM,
        unit=org.purchaser,
        personnummer=fake_personnummer("19700101", 992),
        first_name="Hemlig",
        last_name="Person",
        protected_identity=True,
        fictitious=True,
    )
    response = HttpClient().get(f"/brukare/{client.pk}/", headers={"X-Remote-User": "handlaggare"})
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(client=client)
    assert (entry.actor, entry.protected_identity) == (officer, True)
