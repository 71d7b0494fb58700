"""Home binder and delivery pages, four ways each (anonymous, no permission, permission, another unit's
manager), plus revisions, the conflict of two edits from the same revision, bad input, logging and the
delivery list's query budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from bista.care.models import Delivery, HomeBinder, RiskItem
from bista.care.services import delivery_create
from bista.care.tests.factories import RISK, make_client, save_binder
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.pages import LOGIN, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

D = datetime.date
KINDS = [k.value for k in HomeBinder.Kind]


@pytest.fixture
def astrid(org: Organisation) -> Client:
    return make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team], gender="K")


def body(response: Any) -> str:
    return response.content.decode()


def paths(client: Client) -> dict[str, str]:
    return {
        "binders": f"/brukare/{client.pk}/parmar/",
        "binder": f"/brukare/{client.pk}/parmar/crisis_binder/",
        "binder_edit": f"/brukare/{client.pk}/parmar/crisis_binder/andra/",
        "risk_edit": f"/brukare/{client.pk}/parmar/risk_assessment/andra/",
        "delivery_create": f"/brukare/{client.pk}/leveranser/ny/",
        "deliveries": "/leveranser/",
    }


def crisis_post(expected: int | None, **overrides: Any) -> dict[str, Any]:
    return {
        "expected_number": "" if expected is None else str(expected),
        "reviewed_on": "2026-01-10",
        "responsible": "",
        "contacts": "Dottern Lisa: 070-111 11 11",
        "instructions": "Vid brand: ring 112.",
        "continuity": "",
        "wishes": "",
        "notes": "",
        **overrides,
    }


def risk_post(expected: int | None, rows: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "expected_number": "" if expected is None else str(expected),
        "reviewed_on": "2026-01-10",
        "responsible": "",
        "notes": "",
        "risker-TOTAL_FORMS": str(len(rows)),
        "risker-INITIAL_FORMS": "0",
        "risker-MIN_NUM_FORMS": "0",
        "risker-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"risker-{i}-{key}"] = value
    data.update(overrides)
    return data


def state() -> tuple[int, int, int, int]:
    return HomeBinder.objects.count(), RiskItem.objects.count(), Delivery.objects.count(), AuditEvent.objects.count()


def reads(client: Client) -> int:
    return AccessLogEntry.objects.filter(client=client).count()


# --- Anonymous ---------------------------------------------------------------------------------------


def test_anonymous_goes_to_login_and_changes_nothing(astrid: Client) -> None:
    anonymous = HttpClient()
    before = state()
    for path in paths(astrid).values():
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    for key in ("binder_edit", "delivery_create"):
        response = anonymous.post(paths(astrid)[key], crisis_post(None) | {"delivered_on": "2026-01-01", "items": "x"})
        assert response.status_code == 302
    assert state() == before
    assert reads(astrid) == 0


# --- Without permission ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("binders", 404),
        ("binder", 404),
        ("binder_edit", 404),
        ("risk_edit", 404),
        ("delivery_create", 404),
        ("deliveries", 403),
    ],
)
def test_no_role_is_refused(astrid: Client, nobody: Any, page: str, status: int) -> None:
    save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2026, 1, 1))
    response = browser(nobody).get(paths(astrid)[page])
    assert response.status_code == status
    assert "Astrid" not in body(response)
    assert reads(astrid) == 0


def test_no_role_posts_change_nothing(astrid: Client, nobody: Any) -> None:
    before = state()
    client = browser(nobody)
    assert client.post(paths(astrid)["binder_edit"], crisis_post(None)).status_code == 404
    data = {"delivered_on": "2026-01-01", "kind": "protective", "items": "Handskar"}
    assert client.post(paths(astrid)["delivery_create"], data).status_code == 404
    assert state() == before


def test_medarbetare_reads_but_cannot_edit(astrid: Client, staffer: Any) -> None:
    save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2026, 1, 1))
    client = browser(staffer)
    index = client.get(paths(astrid)["binders"])
    assert index.status_code == 200
    assert "/andra/" not in body(index)
    assert "leveranser/ny/" not in body(index)
    detail = client.get(paths(astrid)["binder"])
    assert detail.status_code == 200
    assert "Vid brand" in body(detail)
    assert "/andra/" not in body(detail)
    before, logged = state(), reads(astrid)
    assert client.get(paths(astrid)["binder_edit"]).status_code == 403
    assert client.post(paths(astrid)["binder_edit"], crisis_post(1)).status_code == 403
    data = {"delivered_on": "2026-01-01", "kind": "protective", "items": "Handskar"}
    assert client.post(paths(astrid)["delivery_create"], data).status_code == 403
    assert client.get(paths(astrid)["deliveries"]).status_code == 403
    assert state() == before
    assert reads(astrid) == logged  # refused before anything more was read


# --- With permission ---------------------------------------------------------------------------------


def test_index_shows_each_kind_with_its_state(astrid: Client, manager: Any) -> None:
    today = timezone.localdate()
    save_binder(astrid, HomeBinder.Kind.RISK_ASSESSMENT, today - datetime.timedelta(days=400))
    save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, today)
    response = browser(manager).get(paths(astrid)["binders"])
    assert response.status_code == 200
    html = body(response)
    for kind in HomeBinder.Kind:
        assert kind.label in html
    assert "Försenad" in html  # the risk analysis, reviewed over a year ago
    assert "I tid" in html  # the crisis binder
    assert "Saknas" in html  # the routine binder
    due = today.replace(year=today.year + 1) if not (today.month == 2 and today.day == 29) else None
    if due:
        assert due.isoformat() in html
    assert f'href="/brukare/{astrid.pk}/parmar/crisis_binder/andra/"' in html
    entry = AccessLogEntry.objects.get(client=astrid)
    assert (entry.action, entry.actor) == (AccessLogEntry.Action.CARE, manager)


def test_index_counts_deliveries_against_the_goal(astrid: Client, manager: Any) -> None:
    today = timezone.localdate()
    for _ in range(5):
        delivery_create(actor=SYSTEM, client=astrid, delivered_on=today, items="Handskar")
    html = body(browser(manager).get(paths(astrid)["binders"]))
    assert "5 leveranser i år" in html
    assert "högst 4 per år" in html
    assert "Över målet" in html


def test_risk_assessment_table_and_versions(astrid: Client, manager: Any) -> None:
    first = save_binder(astrid, HomeBinder.Kind.RISK_ASSESSMENT, D(2025, 1, 1))
    save_binder(
        astrid,
        HomeBinder.Kind.RISK_ASSESSMENT,
        D(2026, 1, 1),
        expected_number=first.number,
        risks=[{**RISK, "risk": "Brännskada vid spisen", "likelihood": 3, "consequence": 4}],
    )
    client = browser(manager)
    html = body(client.get(f"/brukare/{astrid.pk}/parmar/risk_assessment/"))
    assert "Brännskada vid spisen" in html
    assert '<td data-label="Riskvärde">12</td>' in html
    assert "Fall i badrummet" not in html
    assert "?version=1" in html
    old = body(client.get(f"/brukare/{astrid.pk}/parmar/risk_assessment/", {"version": 1}))
    assert "Fall i badrummet" in old
    assert '<td data-label="Riskvärde">6</td>' in old
    assert "har ersatts" in old
    for bad in ("9", "x", str(2**70), "-1"):
        assert client.get(f"/brukare/{astrid.pk}/parmar/risk_assessment/", {"version": bad}).status_code == 404
    assert client.get(f"/brukare/{astrid.pk}/parmar/nonsens/").status_code == 404


def test_edit_creates_a_new_revision(org: Organisation, astrid: Client, manager: Any) -> None:
    client = browser(manager)
    form = client.get(paths(astrid)["binder_edit"])
    assert form.status_code == 200
    assert "Flyttar du fram datumet registreras en genomgång" in body(form)
    response = client.post(paths(astrid)["binder_edit"], crisis_post(None, responsible=str(manager.pk)))
    assert response.status_code == 302
    assert response["Location"] == paths(astrid)["binder"]
    binder = HomeBinder.objects.get(client=astrid, kind=HomeBinder.Kind.CRISIS_BINDER)
    assert (binder.number, binder.reviewed_on, binder.responsible, binder.created_by) == (
        1,
        D(2026, 1, 10),
        manager,
        manager,
    )
    assert binder.contacts == "Dottern Lisa: 070-111 11 11"
    # The edit form of the next revision starts from the current one.
    again = body(client.get(paths(astrid)["binder_edit"]))
    assert 'name="expected_number" value="1"' in again
    assert 'value="2026-01-10"' in again
    response = client.post(paths(astrid)["binder_edit"], crisis_post(1, reviewed_on="2026-02-01"))
    assert response.status_code == 302
    assert list(HomeBinder.objects.filter(client=astrid).values_list("number", "is_current").order_by("number")) == [
        (1, False),
        (2, True),
    ]


def test_risk_edit_with_formset(astrid: Client, manager: Any) -> None:
    client = browser(manager)
    form = body(client.get(paths(astrid)["risk_edit"]))
    assert 'name="risker-TOTAL_FORMS" value="3"' in form
    rows = [
        {"risk": "Fall", "likelihood": "2", "consequence": "3", "action": "Matta", "owner": "Kontaktman"},
        {"risk": "", "likelihood": "", "consequence": "", "action": "", "owner": ""},
    ]
    response = client.post(paths(astrid)["risk_edit"], risk_post(None, rows))
    assert response.status_code == 302
    binder = HomeBinder.objects.get(client=astrid, kind=HomeBinder.Kind.RISK_ASSESSMENT)
    assert [(r.risk, r.score) for r in binder.risks.all()] == [("Fall", 6)]
    # The next edit shows the saved row and three blank ones.
    assert 'name="risker-TOTAL_FORMS" value="4"' in body(client.get(paths(astrid)["risk_edit"]))


def test_bad_input_saves_nothing(astrid: Client, manager: Any) -> None:
    client = browser(manager)
    before = state()
    half = [{"risk": "Fall", "likelihood": "", "consequence": "3", "action": "Matta", "owner": "X"}]
    response = client.post(paths(astrid)["risk_edit"], risk_post(None, half))
    assert response.status_code == 200
    assert "sannolikhet" in body(response)
    response = client.post(
        paths(astrid)["binder_edit"], crisis_post(None, contacts="", reviewed_on=f"{LATER_YEAR}-01-01")
    )
    assert response.status_code == 200
    assert "Senast genomgången" in body(response)
    response = client.post(paths(astrid)["binder_edit"], crisis_post(None, contacts=""))
    assert "Kontakter: Kontakter måste fyllas i." in body(response)
    response = client.post(paths(astrid)["binder_edit"], crisis_post(None, responsible="99999999999999999999"))
    assert response.status_code == 200
    response = client.post(paths(astrid)["risk_edit"], {"reviewed_on": "2026-01-01"})  # no management form
    assert response.status_code == 200
    response = client.post(paths(astrid)["delivery_create"], {"delivered_on": "nej", "kind": "x", "items": ""})
    assert response.status_code == 200
    assert "Leveransdatum" in body(response)
    assert state() == before


def test_two_edits_from_the_same_revision_conflict_and_nothing_is_lost(astrid: Client, manager: Any) -> None:
    first = save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2026, 1, 1))
    tab_a, tab_b = browser(manager), browser(manager)
    assert 'name="expected_number" value="1"' in body(tab_a.get(paths(astrid)["binder_edit"]))
    assert 'name="expected_number" value="1"' in body(tab_b.get(paths(astrid)["binder_edit"]))
    saved = tab_a.post(paths(astrid)["binder_edit"], crisis_post(first.number, instructions="Version från A"))
    assert saved.status_code == 302
    stale = tab_b.post(paths(astrid)["binder_edit"], crisis_post(first.number, instructions="Min text från B"))
    assert stale.status_code == 409
    html = body(stale)
    assert "Någon annan sparade pärmen medan du redigerade" in html
    assert "Min text från B" in html  # the user's input is kept
    assert 'name="expected_number" value="2"' in html
    current = HomeBinder.objects.get(client=astrid, kind=HomeBinder.Kind.CRISIS_BINDER, is_current=True)
    assert (current.number, current.instructions) == (2, "Version från A")
    # Saving again from the conflict page is deliberate: B's text becomes revision 3, A's stays readable.
    again = tab_b.post(paths(astrid)["binder_edit"], crisis_post(2, instructions="Min text från B"))
    assert again.status_code == 302
    texts = list(
        HomeBinder.objects.filter(client=astrid, kind=HomeBinder.Kind.CRISIS_BINDER)
        .order_by("number")
        .values_list("instructions", flat=True)
    )
    assert texts == [first.instructions, "Version från A", "Min text från B"]


def test_delivery_create(astrid: Client, manager: Any) -> None:
    client = browser(manager)
    assert client.get(paths(astrid)["delivery_create"]).status_code == 200
    data = {"delivered_on": "2026-03-01", "kind": "protective", "items": "Handskar, förkläden"}
    response = client.post(paths(astrid)["delivery_create"], data)
    assert response.status_code == 302
    assert response["Location"] == paths(astrid)["binders"]
    delivery = Delivery.objects.get(client=astrid)
    assert (delivery.delivered_on, delivery.items, delivery.registered_by) == (D(2026, 3, 1), data["items"], manager)
    assert AuditEvent.objects.filter(action="delivery.create", actor=manager).count() == 1


def test_delivery_list(org: Organisation, astrid: Client, manager: Any) -> None:
    bo = make_client(org.provider, first_name="Bo", last_name="Berg")
    for _ in range(5):
        delivery_create(actor=SYSTEM, client=astrid, delivered_on=D(2025, 3, 1), items="Handskar")
    delivery_create(actor=SYSTEM, client=bo, delivered_on=D(2025, 4, 1), items="Papper", kind="office")
    delivery_create(actor=SYSTEM, client=bo, delivered_on=D(2024, 4, 1), items="Förra året")
    response = browser(manager).get("/leveranser/", {"ar": 2025})
    assert response.status_code == 200
    html = body(response)
    assert "Totalt 6 leveranser till 2 brukare" in html
    assert "1 brukare ligger över målet" in html
    assert "Lindqvist, Astrid" in html
    assert "Förra året" not in html
    assert AccessLogEntry.objects.count() == 0


def test_delivery_list_query_budget(org: Organisation, manager: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(12):
        person = make_client(org.provider, first_name=f"P{i}", last_name="Lista")
        for month in (1, 2, 3):
            delivery_create(actor=SYSTEM, client=person, delivered_on=D(2025, month, 1), items="Handskar")
    client = browser(manager)
    client.get("/leveranser/", {"ar": 2025})
    with django_assert_max_num_queries(12):
        response = client.get("/leveranser/", {"ar": 2025})
    assert "Totalt 36 leveranser" in body(response)


@pytest.mark.parametrize("params", [{"ar": "x"}, {"ar": "99999"}, {"enhet": "abc"}, {"enhet": str(2**70)}])
def test_delivery_list_bad_filters(astrid: Client, manager: Any, params: dict[str, str]) -> None:
    assert browser(manager).get("/leveranser/", params).status_code == 200


# --- With permission, but in another unit -------------------------------------------------------------


@pytest.mark.parametrize("page", ["binders", "binder", "binder_edit", "risk_edit", "delivery_create"])
def test_other_unit_manager_cannot_reach_our_client(astrid: Client, other_manager: Any, page: str) -> None:
    save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2026, 1, 1))
    response = browser(other_manager).get(paths(astrid)[page])
    assert response.status_code == 404
    assert "Lindqvist" not in body(response)
    assert "Vid brand" not in body(response)
    assert reads(astrid) == 0


def test_other_unit_manager_posts_change_nothing(astrid: Client, other_manager: Any) -> None:
    first = save_binder(astrid, HomeBinder.Kind.CRISIS_BINDER, D(2026, 1, 1))
    before = state()
    client = browser(other_manager)
    assert client.post(paths(astrid)["binder_edit"], crisis_post(first.number)).status_code == 404
    data = {"delivered_on": "2026-01-01", "kind": "protective", "items": "Handskar"}
    assert client.post(paths(astrid)["delivery_create"], data).status_code == 404
    assert state() == before


def test_other_unit_manager_delivery_list(
    org: Organisation, astrid: Client, cecilia: Client, other_manager: Any
) -> None:
    delivery_create(actor=SYSTEM, client=astrid, delivered_on=D(2025, 3, 1), items="Handskar")
    delivery_create(actor=SYSTEM, client=cecilia, delivered_on=D(2025, 3, 1), items="Papper")
    client = browser(other_manager)
    assert client.get("/leveranser/", {"enhet": org.provider.pk, "ar": 2025}).status_code == 403
    html = body(client.get("/leveranser/", {"ar": 2025}))
    assert "Carlsson, Cecilia" in html
    assert "Lindqvist" not in html


# --- A client shared with the purchaser unit (issue 14, defect 1) ----------------------------------------

SECRETS = {"risk_assessment": "Riskord", "crisis_binder": "Krisord", "routine_binder": "Rutinord"}


@pytest.fixture
def shared(org: Organisation, astrid: Client, manager: Any) -> Client:
    """Astrid, also linked to the purchaser unit, with the provider's three binders and a delivery."""
    from bista.clients import services as client_services

    client_services.client_link_unit(actor=SYSTEM, client=astrid, unit=org.purchaser, since=D(2023, 1, 1))
    for kind, word in SECRETS.items():
        save_binder(astrid, kind, D(2026, 1, 10), actor=manager, notes=f"{word} om hälsan")
    delivery_create(actor=manager, client=astrid, delivered_on=D(2026, 1, 12), items="Leveransord")
    return astrid


def purchaser_people(org: Organisation) -> list[Any]:
    from bista.core.permissions import RoleCode
    from bista.core.testing import make_user

    return [
        make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser),
        make_user("handlaggare", RoleCode.CASE_OFFICER, org.purchaser),
    ]


def test_the_purchaser_does_not_read_the_providers_binders(org: Organisation, shared: Client, manager: Any) -> None:
    """Binders follow the journal's rule: the unit that wrote them (the provider) reads them; the purchaser
    unit sees the client, not the provider's documentation — on the pages and in the record PDF."""
    from bista.care import record
    from bista.care.tests.test_emergency import pdf_text

    own = body(browser(manager).get(f"/brukare/{shared.pk}/parmar/crisis_binder/"))
    assert "Krisord" in own  # the provider's manager reads it: the check below can fail
    for user in purchaser_people(org):
        pages = [paths(shared)["binders"]] + [f"/brukare/{shared.pk}/parmar/{kind}/" for kind in SECRETS]
        for path in pages:
            response = browser(user).get(path)
            assert response.status_code == 200, path
            shown = body(response)
            assert not [word for word in [*SECRETS.values(), "Leveransord"] if word in shown], (user, path)
        assert browser(user).get(f"/brukare/{shared.pk}/parmar/risk_assessment/?version=1").status_code == 404
        # The record print is made by the worker (care.record.record_pdf, as the user who asked).
        printed = pdf_text(record.record_pdf(user, shared.pk, lambda *_: None))
        assert shared.last_name in printed and not [word for word in SECRETS.values() if word in printed]
    manager_print = pdf_text(record.record_pdf(manager, shared.pk, lambda *_: None))
    assert all(word in manager_print for word in SECRETS.values())


def test_the_purchaser_units_emergency_export_has_no_provider_binder(
    org: Organisation, shared: Client, tmp_path: Any
) -> None:
    from bista.care.emergency import write_emergency_export
    from bista.care.tests.test_emergency import pdf_text

    purchaser_manager = purchaser_people(org)[0]
    written = write_emergency_export(actor=purchaser_manager, unit=org.purchaser, directory=tmp_path)
    texts = "\n".join(pdf_text(path) for path in written if str(path).endswith(".pdf"))
    assert shared.last_name in texts and "Krisord" not in texts
