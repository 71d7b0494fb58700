"""Staff self-service and the one-pass sick call.

An employee reports themself sick from Mitt schema (the absence registered, their shifts opened, the manager's
start page and sick-call page showing it as new) and requests open shifts the rules allow (approved by the
manager in one click, or assigned at once where the unit allows it). The manager clears the sick call on one
page: ranked candidates inline, one click to assign, a conflict when someone else got there first, and an offer
by SMS/e-mail to several where the first to accept gets the shift (one-time links, no client name in the text).
Each four ways; nothing changes on a refused request; query budgets pinned."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client as HttpClient

from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.pages import assert_login_redirect, browser
from bista.rostering import services
from bista.rostering.models import Shift, ShiftOfferRecipient, ShiftRequest
from bista.rostering.tests import factories as f
from bista.rostering.tests.test_views_common import (  # noqa: F401 - fixtures
    Unit,
    at,
    body,
    controller_fixture,
    text,
    unit_fixture,
)
from bista.staff import services as staff_services
from bista.staff.models import Absence, Employee

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

MINE = "/schema/mitt/"
SICK_REPORT = "/schema/mitt/sjukanmalan/"
START = "/"
SENT_SMS: list[tuple[str, str]] = []


def capture_sms(to: str, text: str) -> None:
    """The SMS backend of these tests (BISTA_SMS_BACKEND): keeps what would have been sent."""
    SENT_SMS.append((to, text))


@pytest.fixture(autouse=True)
def _monday_morning(frozen_clock: Any, settings: Any) -> None:
    frozen_clock(datetime.datetime.combine(f.MONDAY, datetime.time(9), tzinfo=STOCKHOLM))
    settings.BISTA_SMS_BACKEND = "bista.rostering.tests.test_selfservice.capture_sms"
    SENT_SMS.clear()


def state() -> dict[str, Any]:
    return {
        "shifts": sorted(Shift.objects.values_list("pk", "employee_id", "status", "version")),
        "absences": sorted(Absence.objects.values_list("pk", "ends_on", "cancelled_at")),
        "requests": sorted(ShiftRequest.objects.values_list("pk", "status")),
        "offers": ShiftOfferRecipient.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _greta(org: Organisation) -> Employee:
    greta = f.make_employee(org.provider, "Greta", "Gran", teams=[org.team])
    return staff_services.employee_update(
        actor=SYSTEM, employee=greta, expected_version=greta.version, email="greta@example.org"
    )


def _with_phone(employee: Employee, phone: str = "070-111 22 33") -> Employee:
    return staff_services.employee_update(
        actor=SYSTEM, employee=employee, expected_version=employee.version, phone=phone
    )


# --- Reporting oneself sick -------------------------------------------------------------------------------


def test_self_sick_report_opens_the_shifts_and_the_manager_sees_it(manager: Any, unit: Unit) -> None:
    first = f.shift(unit.worker, unit.client, at(1, 7), 8)
    second = f.shift(unit.worker, unit.client, at(2, 7), 8)
    later = f.shift(unit.worker, unit.client, at(4, 7), 8)  # Friday: after the expected return
    http = browser(unit.worker_user)
    assert 'id="sjuk"' in body(http.get(MINE))

    response = http.post(
        SICK_REPORT, {"starts_on": "2030-03-05", "back_on": "2030-03-07", "note": "Feber"}, follow=True
    )
    assert response.status_code == 200
    assert "Du är sjukanmäld från och med 2030-03-05. 2 pass blev lediga" in text(response)
    absence = Absence.objects.get(employee=unit.worker)
    assert (absence.kind, absence.starts_on, absence.ends_on) == ("sick", f.day(1), f.day(2))
    assert absence.recorded_by == unit.worker_user
    assert AuditEvent.objects.filter(action="absence.self_report", actor=unit.worker_user).count() == 1
    for shift in (first, second):
        shift.refresh_from_db()
        assert shift.status == "absent" and shift.absence == absence
        assert Shift.objects.filter(replaces=shift, employee__isnull=True, status="published").exists()
    later.refresh_from_db()
    assert later.status == "published"

    start = text(browser(manager).get(START))
    assert "Sjukanmälningar att hantera" in start
    assert "Wilma Wiklund" in start and "2 öppna pass, sjukanmälde sig själv" in start
    form_page = text(browser(manager).get("/schema/sjukanmalan/"))
    assert "Sjukanmälningar med pass att tillsätta" in form_page and "Wilma Wiklund" in form_page
    page = text(browser(manager).get(f"/schema/sjukanmalan/{absence.pk}/"))
    assert "Medarbetaren sjukanmälde sig själv: ”Feber”" in page
    assert "2 pass är öppna" in page


def test_self_sick_report_bad_input_saves_nothing(unit: Unit, nobody: Any) -> None:
    Absence.objects.none()
    staff_services.absence_create(
        actor=SYSTEM, employee=unit.worker, kind="vacation", starts_on=f.day(10), ends_on=f.day(12)
    )
    before = state()
    http = browser(unit.worker_user)
    cases = [
        ({"starts_on": "2030-03-01"}, "bakåt i tiden"),
        ({"starts_on": "2030-03-05", "back_on": "2030-03-05"}, "måste vara efter första sjukdagen"),
        ({"starts_on": "2030-04-30"}, "högst 14 dagar framåt"),
        ({"starts_on": "2030-03-14"}, "redan frånvaro som överlappar"),
        ({"starts_on": "inte ett datum"}, "Fyll i ett giltigt datum"),
        ({"starts_on": "9999-01-01"}, "Ange ett datum mellan"),
    ]
    for data, message in cases:
        response = http.post(SICK_REPORT, data)
        assert response.status_code == 400, data
        assert message in text(response), (data, text(response)[-1500:])
    assert state() == before
    assert_login_redirect(HttpClient().post(SICK_REPORT, {"starts_on": "2030-03-05"}))
    # A user who is not an employee has nobody to report sick.
    assert browser(nobody).post(SICK_REPORT, {"starts_on": "2030-03-05"}).status_code == 404
    assert state() == before


def test_sick_calls_are_seen_only_by_the_units_managers(
    manager: Any, other_manager: Any, controller: Any, unit: Unit
) -> None:
    f.shift(unit.anna, unit.client, at(1, 7), 8)
    absence, _opened = services.sick_call(actor=manager, employee=unit.anna, starts_on=f.day(1))
    url = f"/schema/sjukanmalan/{absence.pk}/"
    assert_login_redirect(HttpClient().get(url))
    for user in (unit.worker_user, other_manager, controller):
        response = browser(user).get(url)
        assert response.status_code in (403, 404)
        assert "Anna Berg" not in text(response)
        assert "Anna Berg" not in text(browser(user).get(START))
    assert browser(manager).get(url).status_code == 200


# --- Requests for open shifts -----------------------------------------------------------------------------


def test_request_an_open_shift_and_the_manager_approves(manager: Any, unit: Unit) -> None:
    free = f.shift(None, unit.client, at(2, 7), 8)
    http = browser(unit.worker_user)
    page = body(http.get(MINE))
    assert f"/schema/mitt/pass/{free.pk}/begar/" in page and "Din chef godkänner din begäran" in page

    response = http.post(f"/schema/mitt/pass/{free.pk}/begar/", follow=True)
    assert "Din begäran är skickad" in text(response)
    assert "Begärt – väntar på din chef" in text(response)
    request = ShiftRequest.objects.get(shift=free, employee=unit.worker)
    assert request.status == "pending"
    again = http.post(f"/schema/mitt/pass/{free.pk}/begar/")
    assert again.status_code == 400 and "Du har redan begärt passet." in text(again)

    start = text(browser(manager).get(START))
    assert "Begärda pass" in start and "Wilma Wiklund" in start
    done = browser(manager).post(f"/schema/oppna-pass/begaran/{request.pk}/godkann/", {"tillbaka": "start"})
    assert done.status_code == 302 and done["Location"] == "/"
    free.refresh_from_db()
    request.refresh_from_db()
    assert free.employee == unit.worker and request.status == "approved" and request.decided_by == manager
    assert AuditEvent.objects.filter(action="shift_request.approve", actor=manager).exists()
    assert "onsdag 6 mars" in text(http.get(MINE)).lower()


def test_a_request_the_rules_refuse(manager: Any, unit: Unit) -> None:
    staff_services.absence_create(actor=SYSTEM, employee=unit.worker, kind="vacation", starts_on=f.day(2))
    free = f.shift(None, unit.client, at(2, 7), 8)  # during the vacation: the rules refuse it
    http = browser(unit.worker_user)
    assert f"/schema/mitt/pass/{free.pk}/begar/" not in body(http.get(MINE))
    before = state()
    response = http.post(f"/schema/mitt/pass/{free.pk}/begar/")
    assert response.status_code == 400 and "Du kan inte ta passet" in text(response)
    assert state() == before


def test_a_unit_that_assigns_requests_at_once(manager: Any, unit: Unit) -> None:
    free = f.shift(None, unit.client, at(2, 7), 8)
    saved = browser(manager).post("/schema/oppna-pass/installningar/", {"enhet": unit.anna.unit_id, "direkt": "1"})
    assert saved.status_code == 302
    response = browser(unit.worker_user).post(f"/schema/mitt/pass/{free.pk}/begar/", follow=True)
    assert "Passet är ditt" in text(response)
    free.refresh_from_db()
    assert free.employee == unit.worker
    assert ShiftRequest.objects.get(shift=free).status == "approved"


def test_requests_four_ways(manager: Any, other_manager: Any, nobody: Any, org: Organisation, unit: Unit) -> None:
    free = f.shift(None, unit.client, at(2, 7), 8)
    request = services.shift_request_create(actor=unit.worker_user, shift=free)
    approve = f"/schema/oppna-pass/begaran/{request.pk}/godkann/"
    decline = f"/schema/oppna-pass/begaran/{request.pk}/avsla/"
    # An employee of another unit (here the other unit's manager) cannot ask for the unit's shift.
    outsider = f.make_employee(org.other_unit, "Olle", "Ute", user=other_manager)
    assert outsider.unit_id != free.unit_id
    before = state()
    assert_login_redirect(HttpClient().post(approve))
    for user in (nobody, other_manager, unit.worker_user):
        assert browser(user).post(approve).status_code in (403, 404)
        assert browser(user).post(decline).status_code in (403, 404)
    assert browser(other_manager).post(f"/schema/mitt/pass/{free.pk}/begar/").status_code == 404
    assert (
        browser(other_manager)
        .post("/schema/oppna-pass/installningar/", {"enhet": free.unit_id, "direkt": "1"})
        .status_code
        == 403
    )
    assert state() == before
    assert browser(manager).post(decline).status_code == 302
    request.refresh_from_db()
    assert request.status == "declined"
    again = browser(manager).post(approve, follow=True)
    assert "Begäran är redan hanterad" in text(again)


# --- The sick call cleared in one pass --------------------------------------------------------------------


@pytest.fixture
def sick_call(manager: Any, unit: Unit, org: Organisation) -> tuple[Absence, list[Shift]]:
    """Anna is sick Tuesday–Thursday: her three day shifts are open, Wilma (with a phone) and Greta can take them."""
    for offset in (1, 2, 3):
        f.shift(unit.anna, unit.client, at(offset, 7), 8)
    f.shift(unit.worker, unit.other_team_client, at(1, 16), 7)  # Wilma works Tuesday evening: 15 h that day
    _with_phone(unit.worker)
    _greta(org)
    return services.sick_call(actor=manager, employee=unit.anna, starts_on=f.day(1), ends_on=f.day(3))


def test_the_sick_call_page_shows_every_shift_with_ranked_candidates(
    manager: Any, unit: Unit, sick_call: tuple[Absence, list[Shift]]
) -> None:
    absence, opened = sick_call
    response = browser(manager).get(f"/schema/sjukanmalan/{absence.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "3 pass är öppna" in page
    for shift in opened:
        assert f"/schema/sjukanmalan/{absence.pk}/pass/{shift.pk}/tilldela/" in body(response)
        assert f"/schema/sjukanmalan/{absence.pk}/pass/{shift.pk}/erbjud/" in body(response)
    assert "070-111 22 33" in page
    assert "blir 15 h den dagen" in page  # Wilma's evening shift plus the day shift on Tuesday
    assert "blir 8 h den dagen" in page


def test_assign_from_the_sick_call_page_stays_there(
    manager: Any, unit: Unit, sick_call: tuple[Absence, list[Shift]]
) -> None:
    absence, opened = sick_call
    http = browser(manager)
    url = f"/schema/sjukanmalan/{absence.pk}/"
    response = http.post(
        f"{url}pass/{opened[2].pk}/tilldela/", {"employee": unit.worker.pk, "version": opened[2].version}
    )
    assert response.status_code == 302 and response["Location"].startswith(url)
    page = text(http.get(response["Location"]))
    assert "Passet tors 7 mar 07:00–15:00 är tillsatt: Wilma Wiklund." in page
    assert "Tillsatt: Wilma Wiklund" in page and "2 pass är öppna" in page
    opened[2].refresh_from_db()
    assert opened[2].employee == unit.worker
    # Wednesday follows Wilma's Tuesday evening too closely: the rules refuse it, shown at the shift, nothing saved.
    refused = http.post(
        f"{url}pass/{opened[1].pk}/tilldela/", {"employee": unit.worker.pk, "version": opened[1].version}
    )
    assert refused.status_code == 400 and "Dygnsvila" in text(refused)
    opened[1].refresh_from_db()
    assert opened[1].employee is None


def test_two_managers_assigning_the_same_shift_conflict(
    manager: Any, unit: Unit, org: Organisation, sick_call: tuple[Absence, list[Shift]]
) -> None:
    from bista.core.permissions import RoleCode
    from bista.core.testing import make_user

    second_manager = make_user("chef2", RoleCode.UNIT_MANAGER, org.provider)
    absence, opened = sick_call
    shift = opened[0]
    greta = Employee.objects.get(last_name="Gran")
    url = f"/schema/sjukanmalan/{absence.pk}/pass/{shift.pk}/tilldela/"
    version = shift.version  # both pages were shown with this version
    assert browser(manager).post(url, {"employee": unit.worker.pk, "version": version}).status_code == 302
    late = browser(second_manager).post(url, {"employee": greta.pk, "version": version})
    assert late.status_code == 409
    assert "hann tillsättas av Wilma Wiklund" in text(late)
    shift.refresh_from_db()
    assert shift.employee == unit.worker
    assert Shift.objects.filter(starts_at=shift.starts_at, client=shift.client, status="published").count() == 1
    # Without a version the service still refuses a second person on an assigned shift.
    with pytest.raises(Exception, match="redan tillsatt"):
        services.open_shift_assign(actor=manager, shift=shift, employee=greta, version=None)


def test_sick_call_writes_four_ways(
    manager: Any, other_manager: Any, nobody: Any, unit: Unit, sick_call: tuple[Absence, list[Shift]]
) -> None:
    absence, opened = sick_call
    assign = f"/schema/sjukanmalan/{absence.pk}/pass/{opened[0].pk}/tilldela/"
    offer = f"/schema/sjukanmalan/{absence.pk}/pass/{opened[0].pk}/erbjud/"
    data = {"employee": unit.worker.pk, "version": opened[0].version, "employees": [unit.worker.pk]}
    before = state()
    assert_login_redirect(HttpClient().post(assign, data))
    for user in (nobody, other_manager, unit.worker_user):
        assert browser(user).post(assign, data).status_code in (403, 404)
        assert browser(user).post(offer, data).status_code in (403, 404)
    # A shift of another sick call, or an employee of another unit, is refused too.
    assert browser(manager).post(assign, {"employee": 0, "version": 1}).status_code == 400
    assert browser(manager).post(offer, {"employees": ["x"]}).status_code == 400
    assert state() == before
    assert not SENT_SMS and not mail.outbox


def _link(message: str) -> str:
    found = re.search(r"/schema/erbjudande/([A-Za-z0-9_\-]+)/", message)
    assert found, message
    return found.group(0)


def test_offer_to_several_first_to_accept_wins(
    manager: Any,
    unit: Unit,
    sick_call: tuple[Absence, list[Shift]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    absence, opened = sick_call
    shift = opened[2]
    greta = Employee.objects.get(last_name="Gran")
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(manager).post(
            f"/schema/sjukanmalan/{absence.pk}/pass/{shift.pk}/erbjud/", {"employees": [unit.worker.pk, greta.pk]}
        )
    assert response.status_code == 302
    assert len(SENT_SMS) == 1 and SENT_SMS[0][0] == "070-111 22 33"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["greta@example.org"]
    messages = [SENT_SMS[0][1], mail.outbox[0].body]
    for message in messages:
        assert "tors 7 mar 07:00–15:00" in message
        assert "Astrid" not in message and "Lindqvist" not in message
    wilma_link, greta_link = (_link(m) for m in messages)
    assert "Erbjudet till: Greta Gran (E-post), Wilma Wiklund (SMS)" in text(
        browser(manager).get(f"/schema/sjukanmalan/{absence.pk}/")
    )

    shown = HttpClient().get(greta_link)
    assert shown.status_code == 200 and "Ja, jag tar passet" in text(shown)
    assert "Astrid" not in text(shown) and "Lindqvist" not in text(shown)
    first = HttpClient().post(greta_link)
    assert first.status_code == 200 and "Passet är ditt" in text(first)
    shift.refresh_from_db()
    assert shift.employee == greta

    second = HttpClient().post(wilma_link)
    assert second.status_code == 409 and "Passet är redan tillsatt" in text(second)
    shift.refresh_from_db()
    assert shift.employee == greta
    reused = HttpClient().post(greta_link)
    assert reused.status_code == 409 and "Länken är redan använd" in text(reused)
    assert HttpClient().get("/schema/erbjudande/fel-kod/").status_code == 404
    assert HttpClient().post("/schema/erbjudande/fel-kod/").status_code == 404
    outcomes = dict(ShiftOfferRecipient.objects.values_list("employee_id", "outcome"))
    assert outcomes == {greta.pk: "accepted", unit.worker.pk: "too_late"}
    assert AuditEvent.objects.filter(action="shift_offer.answer").count() == 2


def test_offer_refuses_who_cannot_be_reached(
    manager: Any, unit: Unit, org: Organisation, sick_call: tuple[Absence, list[Shift]]
) -> None:
    absence, opened = sick_call
    silent = f.make_employee(org.provider, "Sture", "Tyst", teams=[org.team])
    before = state()
    response = browser(manager).post(
        f"/schema/sjukanmalan/{absence.pk}/pass/{opened[0].pk}/erbjud/", {"employees": [silent.pk]}
    )
    assert response.status_code == 400 and "Saknar mobilnummer och e-post: Sture Tyst" in text(response)
    assert state() == before


# --- Query budgets ----------------------------------------------------------------------------------------


def test_the_new_pages_keep_their_query_budgets(
    manager: Any, unit: Unit, sick_call: tuple[Absence, list[Shift]], django_assert_max_num_queries: Any
) -> None:
    absence, _opened = sick_call
    http = browser(manager)
    http.get(f"/schema/sjukanmalan/{absence.pk}/")
    with django_assert_max_num_queries(SICK_CALL_QUERIES):
        assert http.get(f"/schema/sjukanmalan/{absence.pk}/").status_code == 200
    f.shift(None, unit.client, at(5, 7), 8)
    f.shift(None, unit.client, at(6, 7), 8)
    mine = browser(unit.worker_user)
    mine.get(MINE)
    with django_assert_max_num_queries(MY_SCHEDULE_QUERIES):
        assert mine.get(MINE).status_code == 200
    f.shift(None, unit.client, at(8, 7), 8)  # more open shifts in the same month: no more queries
    f.shift(None, unit.client, at(9, 7), 8)
    with django_assert_max_num_queries(MY_SCHEDULE_QUERIES):
        assert mine.get(MINE).status_code == 200


# The sick call with three open shifts: the page's own reads, then per shift the candidates' facts in bulk (a
# fixed number per shift, whatever the size of the staff).
SICK_CALL_QUERIES = 69
# Mitt schema: the shifts, the open shifts and the rules' facts for each calendar month they fall in, names; the
# data version of the kept verdicts (after a write the facts are read as before; until the next, not at all).
MY_SCHEDULE_QUERIES = 30
