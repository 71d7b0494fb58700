"""The implementation plan pages (start, edit a draft, sign, follow up, read, compare, PDF), each four ways:
anonymous, signed in without permission, with permission, and with permission but in another unit. Plus a
medarbetare who reads but may not change, bad input, two people saving the same draft, versions and the PDF."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client as HttpClient
from pypdf import PdfReader

from bista.care import services
from bista.care.models import ImplementationPlan, Order, OrderEvent, PlanActivity
from bista.care.tests.factories import ACTIVITY, PLAN_TEXTS, make_client, make_order, make_plan, signed_plan
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.core.tests.pages import assert_login_redirect, browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
# A date in the future that is still within the plausible range (2999 is refused before the form's own check).
# A year after next: a date in it stays in the future even for a run that crosses New Year (next year's
# 1 January would then be today). Read from the project's clock, as the forms are.
LATER_YEAR = clock.today().year + 2

SIGNED_ON = datetime.date(2024, 1, 25)


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the provider unit, in Team Ek (the staffer's team), with an address."""
    return make_client(
        org.provider,
        first_name="Astrid",
        last_name="Lindqvist",
        teams=[org.team],
        street_address="Storgatan 1",
        postal_code="12345",
        city="Norrby",
    )


@pytest.fixture
def order(org: Organisation, astrid: Client) -> Order:
    return make_order(astrid, org.provider, goals="Att kunna gå på bio.")


@pytest.fixture
def draft(order: Order) -> ImplementationPlan:
    return make_plan(order)


@pytest.fixture
def signed(order: Order) -> ImplementationPlan:
    return signed_plan(order, SIGNED_ON)


def body(response: Any) -> str:
    return response.content.decode()


def db_state() -> dict[str, Any]:
    """Everything a plan page could change, to compare before and after a refused request."""
    return {
        "plans": sorted(
            ImplementationPlan.objects.values_list(
                "pk", "number", "status", "goals", "client_participation", "signed_on", "version"
            )
        ),
        "activities": sorted(PlanActivity.objects.values_list("plan_id", "goal", "how", "when", "responsible")),
        "orders": sorted(Order.objects.values_list("pk", "status", "plan_established_on", "version")),
        "events": OrderEvent.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def reads(client: Client, action: str | None = None) -> int:
    entries = AccessLogEntry.objects.filter(client=client)
    return entries.filter(action=action).count() if action else entries.count()


def plan_data(
    *, version: int | None = None, activities: list[dict[str, str]] | None = None, initial: int = 0, **texts: Any
) -> dict[str, Any]:
    """The plan form as the browser sends it: texts, the hidden version, and the activity rows."""
    rows = [ACTIVITY] if activities is None else activities
    rows = [*rows, *[{}] * 3]  # the three blank rows the page always offers
    data: dict[str, Any] = {
        **PLAN_TEXTS,
        "cooperation": "",
        "follow_up_on": "2025-01-25",
        **texts,
        "aktiviteter-TOTAL_FORMS": str(len(rows)),
        "aktiviteter-INITIAL_FORMS": str(initial),
        "aktiviteter-MIN_NUM_FORMS": "0",
        "aktiviteter-MAX_NUM_FORMS": "200",
    }
    if version is not None:
        data["version"] = version
    for index, row in enumerate(rows):
        for field in ("goal", "how", "when", "responsible"):
            data[f"aktiviteter-{index}-{field}"] = row.get(field, "")
    return data


def edit_data(plan: ImplementationPlan, **overrides: Any) -> dict[str, Any]:
    activities = [{f: getattr(a, f) for f in ("goal", "how", "when", "responsible")} for a in plan.activities.all()]
    texts = {f: getattr(plan, f) for f in PLAN_TEXTS}
    return plan_data(version=plan.version, activities=activities, initial=len(activities), **{**texts, **overrides})


def pages(draft: ImplementationPlan) -> dict[str, str]:
    return {
        "create": f"/bestallningar/{draft.order_id}/plan/ny/",
        "detail": f"/planer/{draft.pk}/",
        "edit": f"/planer/{draft.pk}/andra/",
        "diff": f"/planer/{draft.pk}/jamfor/",
        "pdf": f"/planer/{draft.pk}/pdf/",
    }


def posts(draft: ImplementationPlan) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"/bestallningar/{draft.order_id}/plan/ny/", plan_data()),
        (f"/planer/{draft.pk}/andra/", edit_data(draft, goals="Ändrat")),
        (f"/planer/{draft.pk}/underteckna/", {"signed_on": "2024-01-25", "version": draft.version}),
        (f"/planer/{draft.pk}/uppfoljning/", {}),
    ]


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["create", "detail", "edit", "diff", "pdf"])
def test_anonymous_get_goes_to_login(draft: ImplementationPlan, page: str) -> None:
    path = pages(draft)[page]
    response = HttpClient().get(path)
    assert_login_redirect(response, path)
    assert "Astrid" not in body(response)
    assert reads(draft.client) == 0


def test_anonymous_posts_change_nothing(draft: ImplementationPlan) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path, data in posts(draft):
        assert_login_redirect(anonymous.post(path, data), path)
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize("page", ["create", "detail", "edit", "diff", "pdf"])
def test_no_role_is_not_found(draft: ImplementationPlan, nobody: Any, page: str) -> None:
    response = browser(nobody).get(pages(draft)[page])
    assert response.status_code == 404
    assert "Astrid" not in body(response)
    assert PLAN_TEXTS["client_view"] not in body(response)
    assert reads(draft.client) == 0


def test_no_role_posts_change_nothing(draft: ImplementationPlan, nobody: Any) -> None:
    before = db_state()
    client = browser(nobody)
    for path, data in posts(draft):
        assert client.post(path, data).status_code == 404
    assert db_state() == before


@pytest.mark.parametrize("page", ["detail", "diff", "pdf"])
def test_medarbetare_reads_plans_of_team_clients(draft: ImplementationPlan, staffer: Any, page: str) -> None:
    response = browser(staffer).get(pages(draft)[page])
    assert response.status_code == 200


def test_medarbetare_sees_no_edit_buttons(signed: ImplementationPlan, staffer: Any) -> None:
    html = body(browser(staffer).get(f"/planer/{signed.pk}/"))
    assert PLAN_TEXTS["client_view"] in html
    assert "/andra/" not in html
    assert "/underteckna/" not in html
    assert "/uppfoljning/" not in html
    assert f"/planer/{signed.pk}/pdf/" in html


@pytest.mark.parametrize("page", ["create", "edit"])
def test_medarbetare_cannot_reach_edit_pages(draft: ImplementationPlan, staffer: Any, page: str) -> None:
    assert browser(staffer).get(pages(draft)[page]).status_code == 403


def test_medarbetare_posts_are_forbidden_and_change_nothing(draft: ImplementationPlan, staffer: Any) -> None:
    before = db_state()
    client = browser(staffer)
    for path, data in posts(draft):
        assert client.post(path, data).status_code == 403, path
    assert db_state() == before


def test_medarbetare_cannot_see_plans_of_other_teams(org: Organisation, staffer: Any) -> None:
    bertil = make_client(org.provider, first_name="Bertil", teams=[org.other_team])
    plan = make_plan(make_order(bertil, org.provider))
    response = browser(staffer).get(f"/planer/{plan.pk}/")
    assert response.status_code == 404
    assert reads(bertil) == 0


# --- With permission --------------------------------------------------------------------------------


def test_create_form_carries_the_orders_goals(order: Order, manager: Any) -> None:
    response = browser(manager).get(f"/bestallningar/{order.pk}/plan/ny/")
    assert response.status_code == 200
    html = body(response)
    assert "Att kunna gå på bio.</textarea>" in html
    assert 'name="aktiviteter-TOTAL_FORMS" value="3"' in html
    assert html.count("<legend>Aktivitet ") == 3


def test_create_with_permission(order: Order, manager: Any) -> None:
    second = {"goal": "Handla själv", "how": "Med stöd", "when": "Varje fredag", "responsible": "Kontaktman"}
    response = browser(manager).post(f"/bestallningar/{order.pk}/plan/ny/", plan_data(activities=[ACTIVITY, second]))
    plan = ImplementationPlan.objects.get(order=order)
    assert response.status_code == 302
    assert response["Location"] == f"/planer/{plan.pk}/"
    assert (plan.number, plan.status, plan.created_by) == (1, ImplementationPlan.Status.DRAFT, manager)
    assert plan.client_participation == PLAN_TEXTS["client_participation"]
    assert [a.goal for a in plan.activities.order_by("position")] == ["Gå på bio", "Handla själv"]
    assert AuditEvent.objects.filter(action="plan.create", actor=manager).count() == 1


def test_create_when_a_plan_exists_goes_to_it(draft: ImplementationPlan, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(f"/bestallningar/{draft.order_id}/plan/ny/", plan_data())
    assert response.status_code == 302
    assert response["Location"] == f"/planer/{draft.pk}/"
    assert db_state() == before


def test_create_without_client_participation_is_a_form_error(order: Order, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        f"/bestallningar/{order.pk}/plan/ny/", plan_data(client_participation="  ", client_view="Min egen text")
    )
    assert response.status_code == 200
    html = body(response)
    assert "Hur brukaren har varit delaktig:" in html
    assert 'id="id_client_participation_fel"' in html
    assert "Min egen text" in html
    assert db_state() == before


def test_create_with_a_half_filled_activity_is_refused(order: Order, manager: Any) -> None:
    before = db_state()
    half = {"goal": "Simma", "how": "", "when": "", "responsible": ""}
    response = browser(manager).post(f"/bestallningar/{order.pk}/plan/ny/", plan_data(activities=[ACTIVITY, half]))
    assert response.status_code == 200
    assert "Aktivitet 2: Hur, När, Ansvarig måste fyllas i." in body(response)
    assert "Simma</textarea>" in body(response)
    assert db_state() == before


def test_create_with_a_broken_formset_is_not_a_server_error(order: Order, manager: Any) -> None:
    before = db_state()
    data = plan_data()
    data["aktiviteter-TOTAL_FORMS"] = "999999"
    response = browser(manager).post(f"/bestallningar/{order.pk}/plan/ny/", data)
    assert response.status_code == 200
    del data["aktiviteter-TOTAL_FORMS"]
    assert browser(manager).post(f"/bestallningar/{order.pk}/plan/ny/", data).status_code == 200
    assert db_state() == before


def test_edit_with_permission(draft: ImplementationPlan, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/planer/{draft.pk}/andra/")
    assert form.status_code == 200
    html = body(form)
    assert f'name="version" value="{draft.version}"' in html
    assert 'name="aktiviteter-TOTAL_FORMS" value="4"' in html  # one activity and three blank rows
    new_activity = {"goal": "Laga mat", "how": "Tillsammans", "when": "Tisdagar", "responsible": "Kontaktman"}
    data = edit_data(draft, goals="Nya mål")
    data.update({f"aktiviteter-1-{k}": v for k, v in new_activity.items()})
    response = client.post(f"/planer/{draft.pk}/andra/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.goals, draft.version) == ("Nya mål", 2)
    assert [a.goal for a in draft.activities.order_by("position")] == ["Gå på bio", "Laga mat"]


def test_edit_of_a_signed_plan_goes_back_to_it(signed: ImplementationPlan, manager: Any) -> None:
    before = db_state()
    client = browser(manager)
    assert client.get(f"/planer/{signed.pk}/andra/")["Location"] == f"/planer/{signed.pk}/"
    # Signed while the user was writing: nothing is saved, and their text is still on the page.
    response = client.post(f"/planer/{signed.pk}/andra/", edit_data(signed, goals="Ändrat i efterhand"))
    assert response.status_code == 200
    assert "Planen har undertecknats medan du skrev" in body(response)
    assert "Ändrat i efterhand</textarea>" in body(response)
    assert db_state() == before


def test_signing_a_signed_plan_changes_nothing(signed: ImplementationPlan, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post(
        f"/planer/{signed.pk}/underteckna/", {"signed_on": "2024-02-01", "version": signed.version}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/planer/{signed.pk}/"
    assert db_state() == before


def test_two_people_save_the_same_draft(
    org: Organisation, draft: ImplementationPlan, manager: Any, user_factory: Any
) -> None:
    colleague = user_factory("kollega", "bitradande_enhetschef", org.provider)
    first, second = browser(colleague), browser(manager)
    # Both open version N of the draft.
    assert f'name="version" value="{draft.version}"' in body(first.get(f"/planer/{draft.pk}/andra/"))
    assert f'name="version" value="{draft.version}"' in body(second.get(f"/planer/{draft.pk}/andra/"))
    loaded = edit_data(draft)
    # The first saves.
    saved = first.post(f"/planer/{draft.pk}/andra/", {**loaded, "client_view": "Kollegans text om brukarens syn."})
    assert saved.status_code == 302
    # The second's save conflicts: the message, their text kept in the form, the saved text shown beside it.
    response = second.post(f"/planer/{draft.pk}/andra/", {**loaded, "client_view": "Min egen långa text."})
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna medan du redigerade." in html
    assert "Min egen långa text.</textarea>" in html
    assert "Kollegans text om brukarens syn." in html
    draft.refresh_from_db()
    assert draft.client_view == "Kollegans text om brukarens syn."
    assert draft.version == 2
    # The form now carries the saved version: a deliberate second save goes through.
    assert f'name="version" value="{draft.version}"' in html
    again = second.post(
        f"/planer/{draft.pk}/andra/", {**loaded, "version": draft.version, "client_view": "Min egen långa text."}
    )
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.client_view == "Min egen långa text."


def test_sign_makes_the_plan_current_and_the_previous_superseded(signed: ImplementationPlan, manager: Any) -> None:
    client = browser(manager)
    review = client.post(f"/planer/{signed.pk}/uppfoljning/")
    new = ImplementationPlan.objects.get(order=signed.order, number=2)
    assert review.status_code == 302
    assert review["Location"] == f"/planer/{new.pk}/andra/"
    assert (new.status, new.previous) == (ImplementationPlan.Status.DRAFT, signed)
    assert client.post(f"/planer/{new.pk}/andra/", edit_data(new, goals="Gå på bio varje vecka.")).status_code == 302
    new.refresh_from_db()
    detail = body(client.get(f"/planer/{new.pk}/"))
    assert f'action="/planer/{new.pk}/underteckna/"' in detail
    response = client.post(f"/planer/{new.pk}/underteckna/", {"signed_on": "2025-01-20", "version": new.version})
    assert response.status_code == 302
    new.refresh_from_db()
    signed.refresh_from_db()
    assert (new.status, new.signed_on, new.signed_by) == (
        ImplementationPlan.Status.SIGNED,
        datetime.date(2025, 1, 20),
        manager,
    )
    assert signed.status == ImplementationPlan.Status.SUPERSEDED
    html = body(client.get(f"/planer/{new.pk}/"))
    assert "Gällande" in html
    assert f'href="/planer/{signed.pk}/"' in html
    assert "Jämför med föregående" in html
    assert "Ersatt" in html


def test_first_signature_establishes_the_plan_on_the_order(draft: ImplementationPlan, manager: Any) -> None:
    response = browser(manager).post(
        f"/planer/{draft.pk}/underteckna/", {"signed_on": "2024-01-25", "version": draft.version}
    )
    assert response.status_code == 302
    order = Order.objects.get(pk=draft.order_id)
    assert (order.status, order.plan_established_on) == (Order.Status.PLAN_ESTABLISHED, SIGNED_ON)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"signed_on": f"{LATER_YEAR}-01-01"}, "Datumet kan inte ligga i framtiden."),
        ({"signed_on": "2024-01-01"}, "Planen kan inte undertecknas före det att beställningen togs emot."),
        ({"signed_on": "inte ett datum"}, "Undertecknad datum:"),
        ({"signed_on": "2024-01-25", "version": "0"}, "Rätta följande"),
    ],
)
def test_sign_bad_input_is_a_form_error(
    draft: ImplementationPlan, manager: Any, data: dict[str, str], message: str
) -> None:
    before = db_state()
    response = browser(manager).post(f"/planer/{draft.pk}/underteckna/", {"version": draft.version, **data})
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_sign_a_changed_draft_is_a_conflict(draft: ImplementationPlan, manager: Any) -> None:
    stale = draft.version
    services.plan_update(actor=SYSTEM, plan=draft, expected_version=stale, goals="Ändrat av någon annan")
    before = db_state()
    response = browser(manager).post(f"/planer/{draft.pk}/underteckna/", {"signed_on": "2024-01-25", "version": stale})
    assert response.status_code == 200
    assert "Någon annan har ändrat uppgifterna" in body(response)
    assert "Ändrat av någon annan" in body(response)
    assert db_state() == before


def test_review_of_a_draft_is_refused_with_a_message(draft: ImplementationPlan, manager: Any) -> None:
    before = db_state()
    # A draft is its own review draft: following it up returns it rather than making another.
    response = browser(manager).post(f"/planer/{draft.pk}/uppfoljning/")
    assert response.status_code == 302
    assert response["Location"] == f"/planer/{draft.pk}/andra/"
    assert db_state() == before


def test_the_easy_read_summary_is_written_through_the_edit_form_and_shown_and_printed(
    draft: ImplementationPlan, manager: Any
) -> None:
    client = browser(manager)
    assert 'name="easy_read"' in body(client.get(f"/planer/{draft.pk}/andra/"))
    summary = "Du vill gå på bio. Vi följer med dig en gång i månaden."
    response = client.post(f"/planer/{draft.pk}/andra/", edit_data(draft, easy_read=summary))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.easy_read == summary
    assert AuditEvent.objects.filter(action="plan.update", object_id=str(draft.pk)).exists()
    assert summary in body(client.get(f"/planer/{draft.pk}/"))
    signed = services.plan_sign(
        actor=SYSTEM, plan=draft, expected_version=draft.version, signed_on=draft.order.received_on
    )
    text = " ".join(_pdf_text(client.get(f"/planer/{signed.pk}/pdf/")).split())
    assert "Lättläst sammanfattning" in text and "Vi följer med dig" in text


def test_detail_with_permission(signed: ImplementationPlan, manager: Any) -> None:
    response = browser(manager).get(f"/planer/{signed.pk}/")
    assert response.status_code == 200
    html = body(response)
    for text in (*PLAN_TEXTS.values(), "Gå på bio", "Med ledsagare, kollektivtrafik", "Ledsagaren", "2024-01-25"):
        assert text in html
    assert '<th scope="col">Delmål</th>' in html
    assert f'action="/planer/{signed.pk}/uppfoljning/"' in html
    assert "Jämför med föregående" not in html  # the first version has nothing before it
    assert reads(signed.client, AccessLogEntry.Action.CARE) == 1


def test_detail_is_short_first_and_loses_nothing(signed: ImplementationPlan, manager: Any) -> None:
    """Summary and actions first; the participation texts, the activities and the versions collapsed in
    <details> (readable without JavaScript), with every text of the plan still on the page."""
    html = body(browser(manager).get(f"/planer/{signed.pk}/"))
    summary, rest = html.split('<details class="group"', 1)
    assert "Sammanfattning" in summary and signed.goals in summary and "Följ upp planen" in summary
    assert signed.client_view not in summary and "Gå på bio" not in summary  # behind the disclosures
    assert '<summary><h2 class="inline-heading">Aktiviteter</h2> – 1 aktivitet</summary>' in html
    assert '<summary><h2 class="inline-heading">Alla versioner</h2> – 1 version</summary>' in html
    assert " open>" not in rest.split("</details>")[0]  # a signed plan: collapsed
    for text in (
        signed.participants,
        signed.client_participation,
        signed.client_view,
        "Med ledsagare, kollektivtrafik",
    ):
        assert text in rest


def test_a_draft_to_sign_shows_the_whole_plan_open(draft: ImplementationPlan, manager: Any) -> None:
    html = body(browser(manager).get(f"/planer/{draft.pk}/"))
    assert html.index("Underteckna") < html.index('<details class="group"')
    assert html.count('<details class="group" id="planen" open>') == 1
    assert html.count('<details class="group" id="aktiviteter" open>') == 1
    assert '<details class="group" id="versioner">' in html


def test_diff_shows_the_change(signed: ImplementationPlan, manager: Any) -> None:
    draft = services.plan_start_review(actor=SYSTEM, plan=signed)
    services.plan_update(
        actor=SYSTEM,
        plan=draft,
        expected_version=draft.version,
        goals="Att kunna gå på konsert.",
        activities=[{**ACTIVITY, "when": "Varannan vecka"}],
    )
    response = browser(manager).get(f"/planer/{draft.pk}/jamfor/")
    assert response.status_code == 200
    html = body(response)
    assert "<h2" in html and "Mål</h2>" in html
    assert "<del>" in html and "Borttaget: </span>" + PLAN_TEXTS["goals"] in html
    assert "<ins>" in html and "Tillagt: </span>Att kunna gå på konsert." in html
    assert "Varannan vecka" in html
    assert "Brukarens egen uppfattning</h2>" not in html  # unchanged fields are left out


def test_diff_of_the_first_version_says_so(draft: ImplementationPlan, manager: Any) -> None:
    response = browser(manager).get(f"/planer/{draft.pk}/jamfor/")
    assert response.status_code == 200
    assert "Det här är den första versionen" in body(response)


def _pdf_text(response: Any) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_with_permission(signed: ImplementationPlan, manager: Any) -> None:
    response = browser(manager).get(f"/planer/{signed.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response)
    assert "Astrid Lindqvist" in text
    assert "Att kunna delta i aktiviteter" in text
    assert "Storgatan 1" in text
    assert reads(signed.client, AccessLogEntry.Action.PRINT) == 1


def test_pdf_of_a_protected_client_has_no_address(signed: ImplementationPlan, manager: Any) -> None:
    client = signed.client
    client_services.client_update(actor=SYSTEM, client=client, expected_version=None, protected_identity=True)
    response = browser(manager).get(f"/planer/{signed.pk}/pdf/")
    assert response.status_code == 200
    text = _pdf_text(response)
    assert "Astrid Lindqvist" in text
    assert "Skyddade personuppgifter" in text
    assert "Storgatan" not in text
    assert "12345" not in text
    assert reads(client, AccessLogEntry.Action.PRINT) == 1


# --- With permission, but in another unit -----------------------------------------------------------


@pytest.mark.parametrize("page", ["create", "detail", "edit", "diff", "pdf"])
def test_plan_pages_in_another_unit_are_not_found(draft: ImplementationPlan, other_manager: Any, page: str) -> None:
    response = browser(other_manager).get(pages(draft)[page])
    assert response.status_code == 404
    assert "Astrid" not in body(response)
    assert PLAN_TEXTS["client_view"] not in body(response)
    assert reads(draft.client) == 0


def test_posts_in_another_unit_change_nothing(draft: ImplementationPlan, other_manager: Any) -> None:
    before = db_state()
    client = browser(other_manager)
    for path, data in posts(draft):
        assert client.post(path, data).status_code == 404, path
    assert db_state() == before
    assert reads(draft.client) == 0
