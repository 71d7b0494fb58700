"""The own view (Min sida), end to end through the pages: signing in with a one-time code (expiry, reuse, wrong
code, lockout, no enumeration), only the signed-in client's data, names only with consent, feedback as a quality
case, every read logged, the idle timeout and sign-out, e-legitimation through the SSO seam, and the staff page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.test import TestCase, override_settings

from bista.care.tests import factories as care
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.api_support import session_client
from bista.ownview import rules, services
from bista.ownview.models import OwnViewContact, OwnViewSettings, OwnViewSignIn, SignInAttempt, SignInCode
from bista.ownview.tests.support import EMAIL, enable, last_code, request_code, signed_in
from bista.quality.models import Feedback
from bista.rostering.tests import factories as rostering

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2030, 3, 4)
NOON = datetime.datetime(2030, 3, 5, 12, tzinfo=STOCKHOLM)  # a Tuesday


@pytest.fixture
def client_a(org: Organisation) -> Any:
    client = care.make_client(org.provider, first_name="Alva", last_name="Ahlgren", teams=[org.team])
    enable(client)
    return client


@pytest.fixture
def client_b(org: Organisation) -> Any:
    client = care.make_client(org.provider, first_name="Bruno", last_name="Bergkvist", teams=[org.team])
    enable(client, address="bruno@example.se")
    return client


def _same_answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


# --- Signing in ---------------------------------------------------------------------------------------------


def test_a_code_is_sent_only_to_a_contact_on_file_and_the_answer_never_tells(client_a: Any, org: Organisation) -> None:
    known = request_code(HttpClient(), client_a)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    body = mail.outbox[0].body
    assert client_a.first_name not in body and client_a.last_name not in body and org.provider.name not in body
    other = care.make_client(org.provider, first_name="Utan", last_name="Minsida")  # own view not turned on
    answers = [
        request_code(HttpClient(), client_a, "inte.registrerad@example.se"),
        request_code(HttpClient(), other, EMAIL),
        request_code(HttpClient(), care.fake_personnummer()),
    ]
    assert len(mail.outbox) == 1  # nothing more was sent
    assert {_same_answer(r) for r in answers} == {_same_answer(known)} == {(302, "/min-sida/logga-in/kod/")}
    page = HttpClient()
    request_code(page, other, EMAIL)
    text = page.get("/min-sida/logga-in/kod/").content.decode()
    assert "Om uppgifterna stämmer" in text


def test_signing_in_with_the_code_opens_the_own_view(client_a: Any) -> None:
    browser = signed_in(client_a)
    response = browser.get("/min-sida/")
    assert response.status_code == 200 and "Hej Alva" in response.content.decode()
    assert OwnViewSignIn.objects.filter(client=client_a, method="code", signed_out_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="ownview.sign_in", object_type="ownview.ownviewsignin").exists()
    assert "_auth_user_id" not in browser.session  # never a Django user


def test_a_code_cannot_be_used_twice(client_a: Any) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        pending = services.code_request(personnummer=client_a.personnummer, contact=EMAIL, ip="10.0.0.1")
    code = last_code()
    services.code_verify(pending=pending, code=code, ip="10.0.0.1")
    with pytest.raises(services.SignInRefused) as refused:
        services.code_verify(pending=pending, code=code, ip="10.0.0.1")
    assert refused.value.message == services.WRONG_CODE
    assert OwnViewSignIn.objects.filter(client=client_a).count() == 1


def test_a_code_expires_after_ten_minutes(client_a: Any, frozen_clock: Any) -> None:
    frozen_clock(NOON)
    browser = HttpClient()
    request_code(browser, client_a)
    code = last_code()
    frozen_clock(NOON + rules.CODE_TTL + datetime.timedelta(seconds=1))
    response = browser.post("/min-sida/logga-in/kod/", {"kod": code})
    assert response.status_code == 400
    assert services.WRONG_CODE in response.content.decode()
    assert not OwnViewSignIn.objects.exists()


def test_a_wrong_code_is_refused_on_the_field_and_counted(client_a: Any) -> None:
    browser = HttpClient()
    request_code(browser, client_a)
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    response = browser.post("/min-sida/logga-in/kod/", {"kod": wrong})
    assert response.status_code == 400 and services.WRONG_CODE in response.content.decode()
    assert SignInCode.objects.get().attempts == 1
    response = browser.post("/min-sida/logga-in/kod/", {"kod": "12ab"})
    assert response.status_code == 400 and "Koden är sex siffror." in response.content.decode()
    assert browser.post("/min-sida/logga-in/kod/", {"kod": right}).status_code == 302


@pytest.mark.parametrize("known", [True, False], ids=["known personnummer", "unknown personnummer"])
def test_wrong_codes_lock_the_personnummer_out_known_or_not(client_a: Any, known: bool) -> None:
    personnummer = client_a.personnummer if known else care.fake_personnummer()
    statuses = []
    for attempt in range(rules.FAILURES_PER_SUBJECT + 1):
        browser = HttpClient(REMOTE_ADDR=f"10.0.1.{attempt}")  # a new address each time: the lock is per person
        request_code(browser, personnummer)
        right = last_code() if known and mail.outbox else ""
        guess = "999999" if right != "999999" else "888888"
        if attempt == rules.FAILURES_PER_SUBJECT:
            guess = right or guess  # even the right code is refused now
        statuses.append(browser.post("/min-sida/logga-in/kod/", {"kod": guess}).status_code)
        mail.outbox.clear()
    assert statuses == [400] * rules.FAILURES_PER_SUBJECT + [429]
    assert not OwnViewSignIn.objects.exists()


def test_many_requests_from_one_address_are_refused(client_a: Any) -> None:
    browser = HttpClient(REMOTE_ADDR="10.9.9.9")
    for _ in range(rules.REQUESTS_PER_ADDRESS):
        browser.post("/min-sida/logga-in/", {"personnummer": care.fake_personnummer(), "kontakt": EMAIL})
    response = request_code(browser, client_a)
    assert response.status_code == 429 and services.TOO_MANY_FROM_ADDRESS in response.content.decode()
    assert not mail.outbox


def test_codes_for_one_personnummer_are_limited_silently(client_a: Any) -> None:
    """Past the limit no more codes are sent for the personnummer, from any address, and the answer is the same."""
    answers = [
        _same_answer(request_code(HttpClient(REMOTE_ADDR=f"10.0.2.{n}"), client_a))
        for n in range(rules.REQUESTS_PER_SUBJECT + 2)
    ]
    assert set(answers) == {(302, "/min-sida/logga-in/kod/")}
    assert len(mail.outbox) == rules.REQUESTS_PER_SUBJECT


def test_bad_input_gets_a_swedish_message_on_the_field_and_nothing_is_saved(client_a: Any) -> None:
    browser = HttpClient()
    response = browser.post("/min-sida/logga-in/", {"personnummer": "12345", "kontakt": "inte en adress"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "personnummer" in text.lower() and 'id="id_personnummer_fel"' in text
    response = browser.post("/min-sida/logga-in/", {"personnummer": client_a.personnummer, "kontakt": "inte en adress"})
    assert response.status_code == 400 and "Skriv en e-postadress eller ett mobilnummer." in response.content.decode()
    assert not SignInAttempt.objects.exists() and not SignInCode.objects.exists() and not mail.outbox
    assert browser.get("/min-sida/logga-in/kod/").status_code == 302  # no pending request


# --- What is shown --------------------------------------------------------------------------------------------


def _week(org: Organisation, client: Any, marker: str, employee: Any) -> None:
    order = care.make_order(client, org.provider, team=org.team)
    order = care.step(order, "first_contact", care.RECEIVED)
    care.signed_plan(order, datetime.date(2024, 2, 1), goals=f"Mål {marker}")
    rostering.shift(employee, client, datetime.datetime.combine(MONDAY, datetime.time(8), tzinfo=STOCKHOLM), 4)


def test_the_own_view_shows_only_the_signed_in_clients_plan_and_visits(
    org: Organisation, client_a: Any, client_b: Any, frozen_clock: Any
) -> None:
    anna = rostering.make_employee(org.provider, "Annika", "Alm", teams=[org.team])
    bertil = rostering.make_employee(org.provider, "Bertil", "Bok", teams=[org.team])
    _week(org, client_a, "AAA-plan", anna)
    _week(org, client_b, "BBB-plan", bertil)
    rostering.shift(bertil, client_b, datetime.datetime.combine(MONDAY, datetime.time(14), tzinfo=STOCKHOLM), 2)
    services.settings_update(actor=SYSTEM, client=client_b, enabled=True, show_staff_names=True, expected_version=None)
    frozen_clock(NOON)
    text = signed_in(client_a).get("/min-sida/").content.decode()
    assert "AAA-plan" in text and "BBB-plan" not in text
    assert "Kl. 08:00–12:00" in text and "14:00" not in text
    assert "Annika" not in text and "Bertil" not in text  # no consent: times only
    text = signed_in(client_b, "bruno@example.se").get("/min-sida/").content.decode()
    assert "BBB-plan" in text and "AAA-plan" not in text
    assert "Bertil Bok" in text and "Annika" not in text  # consent: names
    assert "Kl. 14:00–16:00" in text


def test_the_own_view_shows_this_week_and_next_and_no_further(
    org: Organisation, client_a: Any, frozen_clock: Any
) -> None:
    anna = rostering.make_employee(org.provider, "Annika", "Alm", teams=[org.team])
    services.settings_update(actor=SYSTEM, client=client_a, enabled=True, show_staff_names=True, expected_version=None)
    at = lambda day, hour: datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)  # noqa: E731
    rostering.shift(anna, client_a, at(MONDAY - datetime.timedelta(days=1), 9), 1)  # last Sunday: not shown
    rostering.shift(anna, client_a, at(MONDAY + datetime.timedelta(days=8), 10), 2)  # next Tuesday
    rostering.shift(anna, client_a, at(MONDAY + datetime.timedelta(days=13), 18), 3)  # next Sunday
    rostering.shift(anna, client_a, at(MONDAY + datetime.timedelta(days=14), 7), 1)  # the week after: not shown
    frozen_clock(NOON)
    text = signed_in(client_a).get("/min-sida/").content.decode()
    assert "Den här veckan" in text and "Nästa vecka" in text
    assert "Kl. 10:00–12:00: Annika Alm" in text and "Kl. 18:00–21:00: Annika Alm" in text
    assert "Kl. 09:00" not in text and "Kl. 07:00" not in text
    assert text.index("Den här veckan") < text.index("Nästa vecka") < text.index("Kl. 10:00")
    assert "Söndag 17 mars" in text  # fourteen days shown, Monday 4 to Sunday 17 March


def test_next_weeks_visits_show_names_only_with_consent(org: Organisation, client_a: Any, frozen_clock: Any) -> None:
    anna = rostering.make_employee(org.provider, "Annika", "Alm", teams=[org.team])
    next_week = datetime.datetime.combine(MONDAY + datetime.timedelta(days=9), datetime.time(8), tzinfo=STOCKHOLM)
    rostering.shift(anna, client_a, next_week, 4)
    frozen_clock(NOON)
    text = signed_in(client_a).get("/min-sida/").content.decode()
    assert "Kl. 08:00–12:00" in text and "Annika" not in text


def test_the_easy_read_summary_comes_first_with_the_plan_below_it(org: Organisation, client_a: Any) -> None:
    order = care.step(care.make_order(client_a, org.provider, team=org.team), "first_contact", care.RECEIVED)
    plan = care.signed_plan(order, datetime.date(2024, 2, 1), goals="Mål som personalen skrev")
    text = signed_in(client_a).get("/min-sida/").content.decode()
    assert "Din plan i korthet" not in text and "Mål som personalen skrev" in text  # none written: the plan only
    care.review(plan, datetime.date(2024, 8, 1), easy_read="Du vill gå på bio. Vi följer med dig.")
    text = signed_in(client_a).get("/min-sida/").content.decode()
    summary = text.index("Du vill gå på bio. Vi följer med dig.")
    assert text.index("Din plan i korthet") < summary < text.index("Det här vill du uppnå")
    assert text.index("Mål som personalen skrev") > summary


def test_the_own_view_tells_how_to_reach_the_unit(org: Organisation, client_a: Any) -> None:
    from bista.timereports import services as timereports

    browser = signed_in(client_a)
    text = browser.get("/min-sida/").content.decode()
    assert f"Ring kommunens växel och fråga efter {org.provider.name}" in text  # no contact details kept yet
    timereports.provider_details_set(
        actor=SYSTEM,
        unit=org.provider,
        name="Enheten",
        organisation_number="2120000142",
        contact_name="Karin Kontakt",
        contact_phone="08-123 456",
        contact_email="enheten@example.se",
    )
    text = browser.get("/min-sida/").content.decode()
    assert "Karin Kontakt" in text and 'href="tel:08-123 456"' in text and "mailto:enheten@example.se" in text
    assert "kommunens växel" not in text


def test_every_read_is_logged_with_the_sign_in_and_no_staff_user(client_a: Any) -> None:
    browser = signed_in(client_a)
    signin = OwnViewSignIn.objects.get(client=client_a)
    for path in ("/min-sida/", "/min-sida/tyck-till/"):
        before = AccessLogEntry.objects.filter(client=client_a).count()
        assert browser.get(path).status_code == 200
        rows = AccessLogEntry.objects.filter(client=client_a).order_by("-id")
        assert rows.count() == before + 1
        row = rows.first()
        assert row.actor_id is None and row.action == "ownview" and f"inloggning {signin.pk}" in row.detail
        assert "brukaren" in row.detail


def test_a_representative_signs_in_with_their_own_contact_and_is_named(org: Organisation) -> None:
    client = care.make_client(org.provider, first_name="Cilla", last_name="Cederlund")
    godman = client_services.client_contact_add(actor=SYSTEM, client=client, kind="god_man", name="Gustav Godman")
    enable(client, address="070-111 22 33", representative=godman)
    with override_settings(BISTA_SMS_BACKEND="bista.ownview.tests.test_views.capture_sms"):
        CAPTURED.clear()
        browser = HttpClient()
        request_code(browser, client, "0701112233")
        sent = list(CAPTURED)
    assert [to for to, _ in sent] == ["+46701112233"]
    code = sent[0][1].split("är ")[1][:6]
    assert browser.post("/min-sida/logga-in/kod/", {"kod": code}).status_code == 302
    assert "Gustav Godman" in browser.get("/min-sida/").content.decode()
    assert "företrädare Gustav Godman" in AccessLogEntry.objects.filter(client=client).latest("id").detail


CAPTURED: list[tuple[str, str]] = []


def capture_sms(to: str, text: str) -> None:
    CAPTURED.append((to, text))


# --- Feedback -------------------------------------------------------------------------------------------------


def test_feedback_creates_a_quality_case_of_the_clients_unit(client_a: Any, org: Organisation) -> None:
    browser = signed_in(client_a)
    response = browser.post("/min-sida/tyck-till/", {"kind": "complaint", "description": "Ingen kom i tisdags."})
    assert response.status_code == 200 and "Tack" in response.content.decode()
    feedback = Feedback.objects.get()
    assert feedback.unit == org.provider and feedback.client == client_a and feedback.kind == "complaint"
    assert feedback.source == "client" and feedback.sender_name == client_a.full_name
    assert "Ingen kom i tisdags." in feedback.description
    assert AuditEvent.objects.filter(action="feedback.register", object_id=str(feedback.pk)).exists()


def test_feedback_with_bad_input_is_refused_on_the_field_and_nothing_is_saved(client_a: Any) -> None:
    browser = signed_in(client_a)
    response = browser.post("/min-sida/tyck-till/", {"kind": "complaint", "description": "   "})
    assert response.status_code == 400 and "Skriv vad du vill säga." in response.content.decode()
    response = browser.post("/min-sida/tyck-till/", {"kind": "hot", "description": "Hej"})
    assert response.status_code == 400 and "Välj ett av alternativen." in response.content.decode()
    assert not Feedback.objects.exists()


# --- Sessions ---------------------------------------------------------------------------------------------------


def test_a_staff_session_does_not_open_the_own_view(client_a: Any, manager: Any) -> None:
    response = session_client(manager).get("/min-sida/")
    assert response.status_code == 302 and response["Location"] == "/min-sida/logga-in/"
    assert HttpClient().get("/min-sida/tyck-till/")["Location"] == "/min-sida/logga-in/"


def test_an_own_view_session_opens_no_staff_page(client_a: Any) -> None:
    browser = signed_in(client_a)
    for path in (f"/brukare/{client_a.pk}/", f"/brukare/{client_a.pk}/min-sida/", "/", "/brukarundersokning/"):
        response = browser.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/"), path
    assert browser.get("/api/v1/clients").status_code == 401


def test_an_idle_session_is_signed_out(client_a: Any, frozen_clock: Any, settings: Any) -> None:
    frozen_clock(NOON)
    browser = signed_in(client_a)
    frozen_clock(NOON + datetime.timedelta(seconds=settings.BISTA_OWNVIEW_IDLE_SECONDS - 1))
    assert browser.get("/min-sida/").status_code == 200  # a request pushes the idle time forward
    frozen_clock(NOON + datetime.timedelta(seconds=2 * settings.BISTA_OWNVIEW_IDLE_SECONDS))
    response = browser.get("/min-sida/")
    assert response.status_code == 302 and response["Location"] == "/min-sida/logga-in/"
    assert OwnViewSignIn.objects.get().signed_out_at is not None
    assert AuditEvent.objects.filter(action="ownview.sign_out").exists()


def test_signing_out_ends_the_session(client_a: Any) -> None:
    browser = signed_in(client_a)
    assert browser.post("/min-sida/logga-ut/").status_code == 302
    assert browser.get("/min-sida/").status_code == 302
    assert OwnViewSignIn.objects.get().signed_out_at is not None


def test_turning_the_own_view_off_ends_open_sessions(client_a: Any) -> None:
    browser = signed_in(client_a)
    current = OwnViewSettings.objects.get(client=client_a)
    services.settings_update(
        actor=SYSTEM, client=client_a, enabled=False, show_staff_names=False, expected_version=current.version
    )
    assert browser.get("/min-sida/").status_code == 302


# --- E-legitimation through the SSO seam ------------------------------------------------------------------------


def test_e_legitimation_signs_the_client_in_by_personnummer(client_a: Any, org: Organisation, settings: Any) -> None:
    assert HttpClient().get("/min-sida/logga-in/e-legitimation/").status_code == 404  # off unless configured
    settings.BISTA_OWNVIEW_SSO_HEADER = "HTTP_X_CLIENT_PERSONNUMMER"
    browser = HttpClient(HTTP_X_CLIENT_PERSONNUMMER=client_a.personnummer)
    assert browser.get("/min-sida/logga-in/e-legitimation/")["Location"] == "/min-sida/"
    assert "Hej Alva" in browser.get("/min-sida/").content.decode()
    assert OwnViewSignIn.objects.get().method == "sso"
    other = care.make_client(org.provider, first_name="Utan", last_name="Minsida")
    for value in (other.personnummer, "", "nonsens"):
        response = HttpClient(HTTP_X_CLIENT_PERSONNUMMER=value).get("/min-sida/logga-in/e-legitimation/")
        assert response.status_code == 403, value


# --- The staff page ---------------------------------------------------------------------------------------------


def test_staff_turn_the_own_view_on_register_a_contact_and_record_consent(
    org: Organisation, manager: Any, other_manager: Any, nobody: Any
) -> None:
    client = care.make_client(org.provider, first_name="Doris", last_name="Dahl")
    url = f"/brukare/{client.pk}/min-sida/"
    assert HttpClient().get(url).status_code == 302
    assert session_client(nobody).get(url).status_code == 404
    assert session_client(other_manager).get(url).status_code == 404
    browser = session_client(manager)
    assert browser.get(url).status_code == 200
    response = browser.post(url, {"atgard": "installningar", "enabled": "on", "show_staff_names": "on", "version": 0})
    assert response.status_code == 302
    saved = OwnViewSettings.objects.get(client=client)
    assert saved.enabled and saved.show_staff_names and saved.updated_by == manager
    assert AuditEvent.objects.filter(action="ownview.settings", actor=manager).exists()
    response = browser.post(url, {"atgard": "kontakt", "address": "inte-en-adress"})
    assert response.status_code == 400 and "Ange en e-postadress eller ett mobilnummer" in response.content.decode()
    assert not OwnViewContact.objects.exists()
    assert browser.post(url, {"atgard": "kontakt", "address": "doris@example.se"}).status_code == 302
    contact = OwnViewContact.objects.get(client=client)
    assert contact.address == "doris@example.se" and contact.created_by == manager
    event = AuditEvent.objects.get(action="ownview_contact.add")
    assert "doris" not in str(event.new_values)  # the address is not copied into the trail
    assert browser.post(url, {"atgard": "ta-bort", "kontakt": contact.pk}).status_code == 302
    contact.refresh_from_db()
    assert not contact.is_active and AuditEvent.objects.filter(action="ownview_contact.end").exists()
    stale = browser.post(url, {"atgard": "installningar", "version": 0})
    assert stale.status_code == 400 and "Någon annan har just ändrat" in stale.content.decode()


def test_a_protected_clients_contact_is_only_for_the_protected_group(org: Organisation, manager: Any) -> None:
    client = care.make_client(org.provider, first_name="Eva", last_name="Ek", protected_identity=True)
    enable(client, address="eva@example.se")
    url = f"/brukare/{client.pk}/min-sida/"
    browser = session_client(manager)
    text = browser.get(url).content.decode()
    assert "eva@example.se" not in text and "e…@example.se" in text
    response = browser.post(url, {"atgard": "kontakt", "address": "annan@example.se"})
    assert response.status_code == 400 and "skyddade personuppgifter" in response.content.decode()
    client_services.protected_access_grant(actor=SYSTEM, unit=org.provider, user=manager)
    assert "eva@example.se" in browser.get(url).content.decode()
    request_code(HttpClient(), client, "eva@example.se")
    assert "Eva" not in mail.outbox[-1].body and "Ek" not in mail.outbox[-1].body.replace("Kod", "")
