"""One's own account: enrolling the second factor only with an administrator's one-time code (or while the account
is new), and changing one's password."""

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bista.core import services
from bista.core.models import AuditEvent, TwoFactorEnrolmentCode
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import audit_count, session_client
from bista.core.tests.test_security import PASSWORD, TWO_FACTOR, body, current_code

pytestmark = pytest.mark.django_db

CODES = "/konto/engangskoder-tvafaktor/"
PASSWORD_PAGE = "/konto/byt-losenord/"
NEW_PASSWORD = "ny-lang-fras-om-vintern-7"


@pytest.fixture(autouse=True)
def require_2fa(settings: Any) -> None:
    settings.BISTA_REQUIRE_2FA = True


def age(user: Any, *, hours: int = 25) -> Any:
    """The account was created `hours` ago: past the 24-hour enrolment window by default."""
    get_user_model().objects.filter(pk=user.pk).update(date_joined=timezone.now() - datetime.timedelta(hours=hours))
    user.refresh_from_db()
    return user


@pytest.fixture
def admin(org: Organisation) -> Any:
    """Another enhetschef of the provider unit: org.manage there, so may issue codes for its members."""
    return make_user("chef2", RoleCode.UNIT_MANAGER, org.provider)


def issue_on_page(admin: Any, user: Any) -> str:
    response = session_client(admin).post(CODES, {"user": user.pk})
    assert response.status_code == 200
    return str(response.context["issued"]["code"])


# --- Two-factor enrolment -------------------------------------------------------------------------------


def test_an_old_account_without_a_device_is_not_shown_a_secret(manager: Any) -> None:
    age(manager)
    client = session_client(manager, verified=False)
    response = client.get(TWO_FACTOR)
    assert response.status_code == 200
    html = body(response)
    assert "<svg" not in html
    assert "secret" not in response.context
    assert "Be en administratör om en engångskod för registrering" in html
    assert "Engångskod för registrering" in html
    assert not TOTPDevice.objects.filter(user=manager).exists()  # no secret was even made
    assert client.get("/")["Location"] == TWO_FACTOR


def test_a_guessed_code_opens_nothing(manager: Any) -> None:
    age(manager)
    client = session_client(manager, verified=False)
    for guess in ("ABCD-EFGH-JKMN", "123456", "", "x" * 500):
        response = client.post(TWO_FACTOR, {"enrolment_code": guess})
        assert response.status_code == 200
        assert "<svg" not in body(response)
        assert "Engångskod för registrering" in body(response)
    assert not TOTPDevice.objects.filter(user=manager).exists()
    assert audit_count("two_factor.code_redeem") == 0


def test_an_administrators_code_opens_enrolment_once(admin: Any, manager: Any) -> None:
    age(manager)
    code = issue_on_page(admin, manager)
    stored = TwoFactorEnrolmentCode.objects.get(user=manager)
    assert code.replace("-", "") not in stored.code_hash  # only a hash is kept
    assert stored.issued_by == admin
    issue_event = AuditEvent.objects.get(action="two_factor.code_issue")
    assert (issue_event.actor, issue_event.new_values["user"]) == (admin, manager.pk)

    client = session_client(manager, verified=False)
    response = client.post(TWO_FACTOR, {"enrolment_code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    page = client.get(TWO_FACTOR)
    assert "<svg" in body(page)
    assert page.context["secret"] in body(page)
    device = TOTPDevice.objects.get(user=manager)
    assert client.post(TWO_FACTOR, {"token": current_code(device)})["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    enrol = AuditEvent.objects.get(action="two_factor.enrol")
    assert (enrol.actor, enrol.new_values["via"]) == (manager, "code")
    assert audit_count("two_factor.code_redeem", actor=manager) == 1
    assert client.get("/").status_code == 200

    again = session_client(manager, verified=False)  # the same code a second time
    assert "Engångskod för registrering" not in body(again.get(TWO_FACTOR))  # the device is enrolled now


def test_a_code_is_single_use(admin: Any, manager: Any) -> None:
    age(manager)
    code = issue_on_page(admin, manager)
    assert session_client(manager, verified=False).post(TWO_FACTOR, {"enrolment_code": code}).status_code == 302
    someone_else = session_client(manager, verified=False)  # another session with the password, same code
    response = someone_else.post(TWO_FACTOR, {"enrolment_code": code})
    assert response.status_code == 200
    assert "har redan använts eller har gått ut" in body(response)
    assert "<svg" not in body(someone_else.get(TWO_FACTOR))


def test_an_expired_or_replaced_code_is_refused(admin: Any, manager: Any) -> None:
    age(manager)
    first = issue_on_page(admin, manager)
    second = issue_on_page(admin, manager)
    client = session_client(manager, verified=False)
    assert client.post(TWO_FACTOR, {"enrolment_code": first}).status_code == 200  # replaced by the second
    TwoFactorEnrolmentCode.objects.filter(used_at__isnull=True, revoked_at__isnull=True).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.post(TWO_FACTOR, {"enrolment_code": second}).status_code == 200
    assert not TOTPDevice.objects.filter(user=manager).exists()


def test_redeeming_a_code_discards_a_secret_shown_before(admin: Any, manager: Any) -> None:
    early = session_client(manager, verified=False)
    old_secret = early.get(TWO_FACTOR).context["secret"]  # shown within the window, never confirmed
    age(manager)
    assert "<svg" not in body(early.get(TWO_FACTOR))  # the window has closed
    client = session_client(manager, verified=False)
    client.post(TWO_FACTOR, {"enrolment_code": issue_on_page(admin, manager)})
    assert client.get(TWO_FACTOR).context["secret"] != old_secret
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_a_new_account_enrols_within_the_window_and_it_is_audited(manager: Any) -> None:
    age(manager, hours=23)
    client = session_client(manager, verified=False)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=manager)
    assert client.post(TWO_FACTOR, {"token": current_code(device)})["Location"] == "/"
    assert AuditEvent.objects.get(action="two_factor.enrol").new_values["via"] == "window"


def test_only_an_administrator_of_the_users_unit_issues_codes(
    manager: Any, staffer: Any, other_manager: Any, nobody: Any
) -> None:
    assert HttpClient().get(CODES)["Location"].startswith("/konto/logga-in/")
    assert session_client(staffer).get(CODES).status_code == 403
    assert session_client(nobody).get(CODES).status_code == 403
    elsewhere = session_client(other_manager)
    assert staffer not in elsewhere.get(CODES).context["form"].fields["user"].queryset
    response = elsewhere.post(CODES, {"user": staffer.pk})
    assert response.status_code == 200
    assert response.context["issued"] is None
    assert "Användare" in body(response)
    own = session_client(manager)
    assert manager not in own.get(CODES).context["form"].fields["user"].queryset  # never for oneself
    assert staffer in own.get(CODES).context["form"].fields["user"].queryset
    assert not TwoFactorEnrolmentCode.objects.exists()
    with pytest.raises(services.PermissionDenied):
        services.two_factor_code_issue(actor=other_manager, user=staffer)
    with pytest.raises(services.ValidationError):
        services.two_factor_code_issue(actor=manager, user=manager)


def test_the_server_command_issues_a_code(manager: Any, capsys: Any) -> None:
    age(manager)
    call_command("enrolment_code", "chef")
    code = capsys.readouterr().out.split("chef: ", 1)[1].split()[0]
    client = session_client(manager, verified=False)
    assert client.post(TWO_FACTOR, {"enrolment_code": code}).status_code == 302
    event = AuditEvent.objects.get(action="two_factor.code_issue")
    assert event.actor is None  # the server, not a person


def test_the_codes_page_is_linked_for_administrators_only(manager: Any, staffer: Any) -> None:
    assert f'href="{CODES}"' in body(session_client(manager).get("/"))
    assert f'href="{CODES}"' not in body(session_client(staffer).get("/"))


# --- Changing one's password ---------------------------------------------------------------------------


def change(client: HttpClient, current: str, new: str, again: str | None = None) -> Any:
    return client.post(
        PASSWORD_PAGE,
        {"current_password": current, "new_password": new, "new_password_again": new if again is None else again},
    )


def test_anonymous_is_sent_to_sign_in() -> None:
    response = HttpClient().get(PASSWORD_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logga-in/?next=")
    assert change(HttpClient(), PASSWORD, NEW_PASSWORD).status_code == 302


def test_the_page_is_linked_from_the_user_menu(staffer: Any) -> None:
    client = session_client(staffer)
    assert f'href="{PASSWORD_PAGE}"' in body(client.get("/"))
    page = client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    for label in ("Nuvarande lösenord", "Nytt lösenord", "Nytt lösenord igen"):
        assert label in body(page)
    assert 'autocomplete="current-password"' in body(page)


def test_a_wrong_current_password_is_named(staffer: Any) -> None:
    client = session_client(staffer)
    response = change(client, "inte-mitt-losenord", NEW_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors["current_password"] == ["Det nuvarande lösenordet stämmer inte."]
    assert "Nuvarande lösenord: Det nuvarande lösenordet stämmer inte." in body(response)
    staffer.refresh_from_db()
    assert staffer.check_password(PASSWORD)
    assert audit_count("user.password_change") == 0


def test_the_new_password_twice_must_match(staffer: Any) -> None:
    response = change(session_client(staffer), PASSWORD, NEW_PASSWORD, again=NEW_PASSWORD + "x")
    assert response.status_code == 200
    assert "Lösenorden stämmer inte överens" in response.context["form"].errors["new_password_again"][0]
    staffer.refresh_from_db()
    assert staffer.check_password(PASSWORD)


@pytest.mark.parametrize("weak", ["kort", "123456789012345", "password1234", "assistent123"])
def test_the_password_validators_apply(staffer: Any, weak: str) -> None:
    response = change(session_client(staffer), PASSWORD, weak)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password"]
    staffer.refresh_from_db()
    assert staffer.check_password(PASSWORD)


def test_a_change_keeps_the_session_and_is_audited(manager: Any) -> None:
    client = session_client(manager)  # two-factor verified
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert "Ditt lösenord är bytt." in body(client.get(response["Location"]))
    manager.refresh_from_db()
    assert manager.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # still signed in and verified
    event = AuditEvent.objects.get(action="user.password_change")
    assert event.actor == manager
    assert NEW_PASSWORD not in str(event.new_values) + str(event.old_values)
    assert HttpClient().post("/konto/logga-in/", {"username": "chef", "password": PASSWORD}).status_code == 200
    assert HttpClient().post("/konto/logga-in/", {"username": "chef", "password": NEW_PASSWORD}).status_code == 302
