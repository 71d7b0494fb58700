"""The purchaser's pages, four ways (anonymous, no permission, permission, another district), the flow from
intake to order through the forms, the investigation's conflict on a stale version, the letters, and what
the provider sees: its care order, never the investigation."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client as HttpClient
from docx import Document
from pypdf import PdfReader

from bista.care.models import Order
from bista.casework import services
from bista.casework.models import Case, Decision, Intake, Investigation, InvestigationDraft, TargetGroup
from bista.casework.tests import factories as f
from bista.clients.models import AccessLogEntry
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import session_client

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
SECRET = "Utredningshemlis"


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def world(org: Organisation, officer: Any) -> dict[str, Any]:
    intake = f.register(org.purchaser, actor=officer)
    inv = services.investigation_start(actor=officer, case=intake.case, intake=intake, started_on=D(2024, 3, 6))
    inv = services.investigation_save(actor=officer, investigation=inv, expected_version=1, needs=SECRET)
    decision = f.decide(intake, actor=officer, investigation=inv)
    order = services.order_from_decision(
        actor=officer, decision=decision, ordered_on=D(2024, 4, 3), provider_unit=org.provider
    )
    return {"case": intake.case, "intake": intake, "investigation": inv, "decision": decision, "order": order}


def _pages(w: dict[str, Any]) -> list[str]:
    case, inv, decision = w["case"], w["investigation"], w["decision"]
    return [
        f"/arenden/{case.pk}/",
        f"/utredningar/{inv.pk}/",
        f"/beslut/{decision.pk}/beslut.docx",
        f"/beslut/{decision.pk}/beslut.pdf",
        f"/arenden/{case.pk}/beslut/",
        f"/beslut/{decision.pk}/bestall/",
    ]


def test_anonymous_is_sent_to_sign_in(world: dict[str, Any]) -> None:
    for url in ["/arenden/", "/arenden/aktualisering/", *_pages(world)]:
        response = HttpClient().get(url)
        assert response.status_code == 302 and "next=" in response["Location"], url


@pytest.mark.parametrize("who", ["nobody", "provider_manager", "other_district", "other_officer"])
def test_others_see_nothing(org: Organisation, world: dict[str, Any], who: str, nobody: Any, manager: Any) -> None:
    user = {
        "nobody": nobody,
        "provider_manager": manager,
        "other_district": make_user("annan", RoleCode.UNIT_MANAGER, org.other_unit),
        "other_officer": f.officer(org, "kollega"),  # same unit, not their case nor their group
    }[who]
    browser = session_client(user)
    logged = AccessLogEntry.objects.count()
    for url in _pages(world):
        response = browser.get(url)
        assert response.status_code in (403, 404), url
        assert SECRET not in response.content.decode(errors="ignore")
    assert AccessLogEntry.objects.count() == logged
    listing = browser.get("/arenden/")
    assert listing.status_code in (200, 403)
    assert "Berglund" not in listing.content.decode()


def test_the_officer_and_the_purchasers_manager_see_the_case(
    org: Organisation, world: dict[str, Any], officer: Any
) -> None:
    chief = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    for user in (officer, chief):
        browser = session_client(user)
        before = AccessLogEntry.objects.filter(actor=user).count()
        page = browser.get(f"/arenden/{world['case'].pk}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "Ledsagarservice" in text and "Mottagen" in text  # the provider's received step
        assert AccessLogEntry.objects.filter(actor=user, action="case").count() == before + 1
        assert SECRET in browser.get(f"/utredningar/{world['investigation'].pk}/").content.decode()
        assert "Berglund" in browser.get("/arenden/?handlaggare=").content.decode()


def test_the_provider_sees_the_order_never_the_investigation(
    org: Organisation, world: dict[str, Any], manager: Any
) -> None:
    browser = session_client(manager)
    care_order = world["order"].care_order
    page = browser.get(f"/bestallningar/{care_order.pk}/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert browser.get(f"/utredningar/{world['investigation'].pk}/").status_code == 404


@pytest.mark.parametrize("cases", [2, 8])
def test_caseload_query_budget(org: Organisation, officer: Any, django_assert_num_queries: Any, cases: int) -> None:
    for number in range(cases):
        f.register(org.purchaser, actor=officer, new_client=f.new_client(number=980 + number))
    browser = session_client(officer)
    browser.get("/arenden/")  # warm the session
    # session, user, device, memberships, grants, purchaser units, units, officers, teams, the user's teams,
    # count, page (no session write: the idle timeout is refreshed at most once a minute)
    with django_assert_num_queries(12):
        response = browser.get("/arenden/?handlaggare=")
    assert response.content.decode().count("Berglund") == cases


def test_the_intake_form_puts_the_case_in_a_target_group(org: Organisation, officer: Any) -> None:
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    browser = session_client(officer)
    page = browser.get("/arenden/aktualisering/").content.decode()
    assert "Målgrupp" in page and "Socialpsykiatri" in page
    response = browser.post(
        "/arenden/aktualisering/",
        {
            "unit": org.purchaser.pk,
            "personnummer": f.new_client()["personnummer"],
            "first_name": "Sigrid",
            "last_name": "Berglund",
            "kind": "application",
            "sender": "person",
            "received_on": "2024-03-04",
            "channel": "letter",
            "requested": "Boendestöd",
            "target_group": psychiatry.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert Case.objects.get().target_group == psychiatry


def test_the_case_page_sets_the_target_group(org: Organisation, officer: Any) -> None:
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    case = f.register(org.purchaser, actor=officer).case
    browser = session_client(officer)
    page = browser.get(f"/arenden/{case.pk}/").content.decode()
    assert "<dt>Målgrupp</dt><dd>Ingen målgrupp</dd>" in page and "Spara målgrupp" in page
    url = f"/arenden/{case.pk}/malgrupp/"
    assert browser.post(url, {"target_group": psychiatry.pk, "version": case.version}).status_code == 302
    assert Case.objects.get(pk=case.pk).target_group == psychiatry
    page = browser.get(f"/arenden/{case.pk}/").content.decode()
    assert "<dt>Målgrupp</dt><dd>Socialpsykiatri</dd>" in page and "Målgruppen är sparad." in page
    # A stale version is a conflict, an unknown group an error on the field: nothing changes.
    stale = browser.post(url, {"target_group": "", "version": case.version})
    assert stale.status_code == 400 and "Dina uppgifter finns kvar i formuläret." in stale.content.decode()
    unknown = browser.post(url, {"target_group": "99999999", "version": case.version + 1})
    assert unknown.status_code == 400 and "Målgrupp: " in unknown.content.decode()
    assert Case.objects.get(pk=case.pk).target_group == psychiatry


def test_from_intake_to_order_through_the_pages(org: Organisation, officer: Any, frozen_clock: Any) -> None:
    frozen_clock(datetime.datetime(2024, 4, 10, 9, tzinfo=datetime.UTC))
    browser = session_client(officer)
    response = browser.post(
        "/arenden/aktualisering/",
        {
            "unit": org.purchaser.pk,
            "personnummer": f.new_client()["personnummer"],
            "first_name": "Sigrid",
            "last_name": "Berglund",
            "kind": "application",
            "sender": "person",
            "received_on": "2024-03-04",
            "channel": "letter",
            "requested": "Ledsagarservice",
        },
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get()
    bad = browser.post(
        f"/arenden/{case.pk}/beslut/",
        {
            "intake": case.intakes.get().pk,
            "service": f.service().pk,
            "outcome": "granted",
            "scope_amount": "0",
            "scope_unit": "month",
            "period_start": "2024-04-02",
            "decision_date": "2024-03-01",
            "reasons": "Motivering",
        },
    )
    assert bad.status_code == 200 and Decision.objects.count() == 0
    text = bad.content.decode()
    assert "Omfattningen måste vara större än noll." in text and "före ansökan" in text
    good = browser.post(
        f"/arenden/{case.pk}/beslut/",
        {
            "intake": case.intakes.get().pk,
            "service": f.service().pk,
            "outcome": "granted",
            "scope_amount": "8",
            "scope_unit": "month",
            "period_start": "2024-04-02",
            "decision_date": "2024-04-02",
            "reasons": "Du behöver stöd.",
        },
    )
    assert good.status_code == 302
    decision = Decision.objects.get()
    received = browser.post(f"/beslut/{decision.pk}/delgivning/", {"on": "2024-04-05"})
    assert received.status_code == 302
    assert "2024-04-26" in browser.get(f"/arenden/{case.pk}/").content.decode()  # appeal by 5 Apr + 3 weeks
    ordered = browser.post(
        f"/beslut/{decision.pk}/bestall/",
        {"provider_unit": org.provider.pk, "ordered_on": "2024-04-08", "free_choice_informed_on": "2024-04-02"},
    )
    assert ordered.status_code == 302
    assert Order.objects.get().status == Order.Status.RECEIVED


def test_a_refusal_on_the_form_waits_for_the_communication(org: Organisation, officer: Any) -> None:
    """The form decides on the case's latest investigation: until it is communicated a refusal is shown an error
    naming the field to fill in (Kommunicerad), and nothing is saved."""
    intake = f.register(org.purchaser, actor=officer)
    inv = services.investigation_start(actor=officer, case=intake.case, intake=intake, started_on=D(2024, 3, 6))
    browser = session_client(officer)
    refusal = {
        "intake": intake.pk,
        "service": f.service().pk,
        "outcome": "refused",
        "decision_date": "2024-04-02",
        "reasons": "Du har inte rätt till insatsen.",
    }
    bad = browser.post(f"/arenden/{intake.case_id}/beslut/", refusal)
    assert bad.status_code == 200 and Decision.objects.count() == 0
    assert "Utredningen har inte kommunicerats: fyll i Kommunicerad" in bad.content.decode()
    page = browser.post(
        f"/utredningar/{inv.pk}/kommunicering/",
        {"version": inv.version, "communicated_on": "2024-03-25", "response": "Inget att tillägga."},
    )
    assert page.status_code == 302, page.content.decode()
    assert browser.post(f"/arenden/{intake.case_id}/beslut/", refusal).status_code == 302
    assert Decision.objects.get().outcome == "refused"


def test_investigation_conflict_keeps_the_input(officer: Any, world: dict[str, Any]) -> None:
    inv: Investigation = world["investigation"]
    browser = session_client(officer)
    services.investigation_save(actor=officer, investigation=inv, expected_version=inv.version, goals="Någon annans")
    response = browser.post(f"/utredningar/{inv.pk}/", {"version": inv.version, "needs": "Mitt nya", "goals": ""})
    text = response.content.decode()
    assert response.status_code == 200 and "Någon annan har ändrat" in text and "Mitt nya" in text
    inv.refresh_from_db()
    assert inv.goals == "Någon annans" and inv.needs == SECRET


def test_autosave_keeps_what_is_typed_until_it_is_saved(org: Organisation, officer: Any, world: dict[str, Any]) -> None:
    inv: Investigation = world["investigation"]
    version = inv.version
    browser = session_client(officer)
    events = AuditEvent.objects.count()
    htmx = {"HTTP_HX_REQUEST": "true"}
    response = browser.post(f"/utredningar/{inv.pk}/utkast/", {"version": inv.version, "needs": "Halvskrivet"}, **htmx)
    assert response.status_code == 200 and response["X-Bista-Draft"] == "saved"
    assert "Utkast sparat" in response.content.decode()
    inv.refresh_from_db()
    assert inv.needs == SECRET and inv.version == version  # the record is untouched, no version made
    assert AuditEvent.objects.count() == events  # a draft is not part of the record
    # The typed text comes back on the next visit, to its writer only.
    page = browser.get(f"/utredningar/{inv.pk}/").content.decode()
    assert "Halvskrivet" in page and "har återställts" in page
    chief = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    assert "Halvskrivet" not in session_client(chief).get(f"/utredningar/{inv.pk}/").content.decode()
    # A NUL byte is refused, and the copy stays as it was.
    bad = browser.post(f"/utredningar/{inv.pk}/utkast/", {"needs": "a\x00b"}, **htmx)
    assert bad.status_code == 400 and bad["X-Bista-Draft"] == "refused"
    assert InvestigationDraft.objects.get().values["needs"] == "Halvskrivet"
    # Saving the investigation makes a version and drops the copy.
    saved = browser.post(f"/utredningar/{inv.pk}/", {"version": version, "needs": "Halvskrivet och klart"})
    assert saved.status_code == 302 and not InvestigationDraft.objects.exists()
    page = browser.get(f"/utredningar/{inv.pk}/").content.decode()
    assert "har återställts" not in page and f"version {version + 1}" in page
    # Kasta utkastet, without JavaScript.
    browser.post(f"/utredningar/{inv.pk}/utkast/", {"needs": "Ett nytt försök"}, **htmx)
    assert browser.post(f"/utredningar/{inv.pk}/utkast/", {"action": "kasta"}).status_code == 302
    assert not InvestigationDraft.objects.exists()
    # Someone who may not edit cannot autosave.
    assert (
        session_client(f.officer(org, "annan")).post(f"/utredningar/{inv.pk}/utkast/", {"needs": "x"}).status_code
        == 404
    )


def test_the_versions_of_an_investigation(org: Organisation, officer: Any, world: dict[str, Any]) -> None:
    inv: Investigation = world["investigation"]
    services.investigation_save(actor=officer, investigation=inv, expected_version=inv.version, needs="Andra texten")
    browser = session_client(officer)
    page = browser.get(f"/utredningar/{inv.pk}/versioner/").content.decode()
    assert page.count("Sparad ") == 2 and "Påbörjad" in page
    assert SECRET in page and "Andra texten" in page  # the earlier text stays, before → after
    assert page.index("Andra texten") < page.index("Påbörjad")  # newest first
    assert AccessLogEntry.objects.filter(client=world["case"].client, detail__contains=str(inv.pk)).exists()
    assert session_client(f.officer(org, "annan")).get(f"/utredningar/{inv.pk}/versioner/").status_code == 404
    services.investigation_complete(
        actor=officer, investigation=inv, completed_on=D(2024, 3, 20), expected_version=inv.version + 1
    )
    assert "Avslutad " in browser.get(f"/utredningar/{inv.pk}/versioner/").content.decode()


def test_the_decision_letters(officer: Any, world: dict[str, Any]) -> None:
    browser = session_client(officer)
    decision: Decision = world["decision"]
    docx = browser.get(f"/beslut/{decision.pk}/beslut.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Du får ledsagarservice." in text
    assert "inom tre veckor från den dag du fick del av beslutet" in text
    assert "förvaltningsrätten" in text and "LSS 9 § 3" in text
    assert round(document.sections[0].page_width.mm) == 210
    pdf = browser.get(f"/beslut/{decision.pk}/beslut.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(action="decision_letter").count() == 2


def test_a_protected_address_is_not_in_the_letter(org: Organisation, officer: Any) -> None:
    intake = f.register(
        org.purchaser,
        actor=officer,
        new_client=f.new_client(protected_identity=True, street_address="Hemliga gatan 1", city="Stockholm"),
    )
    decision = f.decide(intake, actor=officer)
    content = session_client(officer).get(f"/beslut/{decision.pk}/beslut.docx").content
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Hemliga gatan" not in text and "Sigrid Berglund" in text


def test_the_order_to_an_external_provider_as_pdf(org: Organisation, officer: Any) -> None:
    intake = f.register(
        org.purchaser,
        actor=officer,
        new_client=f.new_client(protected_identity=True, street_address="Hemliga gatan 1", city="Stockholm"),
    )
    decision = f.decide(intake, actor=officer)
    order = services.order_from_decision(
        actor=officer,
        decision=decision,
        ordered_on=D(2024, 4, 3),
        external_provider="Assistansbolaget AB",
        goals="Att kunna gå på konserter.",
    )
    browser = session_client(officer)
    assert (
        f"/utforarbestallningar/{order.pk}/bestallning.pdf"
        in browser.get(f"/arenden/{intake.case_id}/").content.decode()
    )
    response = browser.get(f"/utforarbestallningar/{order.pk}/bestallning.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "Till Assistansbolaget AB" in text and "Sigrid Berglund" in text
    assert "Att kunna gå på konserter." in text and "LSS 9 § 3" in text
    assert "Hemliga gatan" not in text  # a protected address is never printed
    assert AccessLogEntry.objects.filter(action="order_sheet", client=intake.case.client).count() == 1
    # Nobody outside the case's group gets it.
    stranger = f.officer(org, "annan")
    assert session_client(stranger).get(f"/utforarbestallningar/{order.pk}/bestallning.pdf").status_code == 404


def test_reassigning_through_the_page(org: Organisation, officer: Any, world: dict[str, Any]) -> None:
    chief = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    other = f.officer(org, "kollega")
    case: Case = world["case"]
    assert session_client(officer).get(f"/arenden/{case.pk}/fordela/").status_code == 403
    response = session_client(chief).post(
        f"/arenden/{case.pk}/fordela/", {"officer": other.pk, "version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == other
    # The first officer no longer sees it (not theirs, no group).
    assert session_client(officer).get(f"/arenden/{case.pk}/").status_code == 404


def test_a_refused_small_step_is_shown_on_the_case(officer: Any, world: dict[str, Any]) -> None:
    intake: Intake = world["intake"]
    response = session_client(officer).post(f"/aktualiseringar/{intake.pk}/forsta-kontakt/", {"on": "2024-03-01"})
    assert response.status_code == 400
    assert "Kontakten kan inte vara före aktualiseringen" in response.content.decode()
    intake.refresh_from_db()
    assert intake.first_contact_on is None


def test_a_late_appeal_is_registered_and_marked(officer: Any, world: dict[str, Any]) -> None:
    decision: Decision = world["decision"]
    services.decision_receipt_record(actor=officer, decision=decision, received_on=D(2024, 4, 5))
    browser = session_client(officer)
    assert browser.post(f"/beslut/{decision.pk}/overklagande/", {"on": "2024-04-29"}).status_code == 302
    page = browser.get(f"/arenden/{world['case'].pk}/").content.decode()
    assert "Nej, för sent" in page and "2024-04-29" in page
    appeal = decision.appeals.get()
    assert browser.post(f"/overklaganden/{appeal.pk}/overlamnat/", {"on": "2024-04-28"}).status_code == 400
    assert browser.post(f"/overklaganden/{appeal.pk}/overlamnat/", {"on": "2024-04-30"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.forwarded_on == D(2024, 4, 30) and appeal.timely is False
