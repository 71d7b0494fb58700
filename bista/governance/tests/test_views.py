"""The goals pages four ways (anonymous, no permission, permission, permission in another unit), the
district's view of every unit, the follow-up's autosave, versions and conflicts, manual values, the
drill-down, documents, charts and the open data export. Nothing leaks and nothing changes when refused."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from bista.care.models import OrderEvent
from bista.care.tests.factories import make_client, make_order, step
from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import browser
from bista.governance import services
from bista.governance.models import (
    FollowUp,
    FollowUpDraft,
    GeneratedDocument,
    Goal,
    IndicatorValue,
    OperationalPlan,
)
from bista.governance.tests.factories import PlanWorld, indicator, make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]
D = datetime.date


@pytest.fixture
def world(org: Organisation) -> PlanWorld:
    w = make_plan(org.provider, 2024)
    client = make_client(org.provider, first_name="Anna", last_name="Ahl", gender="K")
    order = make_order(client, org.provider, decision_date=D(2024, 3, 1), received_on=D(2024, 3, 4))
    step(order, OrderEvent.Kind.FIRST_CONTACT, D(2024, 3, 6))
    return w


@pytest.fixture
def controller(org: Organisation) -> Any:
    """A controller of the provider's district (district-wide): sees every unit's goals, edits none."""
    return make_user("controller", RoleCode.CONTROLLER, district=org.district)


def goal_url(world: PlanWorld, period: str = "VB") -> str:
    return reverse("governance:goal", args=[world.unit_goal.pk]) + f"?period={period}"


# --- Reading ------------------------------------------------------------------------------------------------


def test_the_plan_page_four_ways(
    world: PlanWorld, manager: Any, other_manager: Any, staffer: Any, controller: Any
) -> None:
    url = reverse("governance:plan", args=[world.plan.pk])
    assert browser(None).get(url).status_code == 302
    assert browser(staffer).get(url).status_code == 404  # a medarbetare has no governance.view
    assert browser(other_manager).get(url).status_code == 404  # another district's unit
    for user in (manager, controller):
        response = browser(user).get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "KF:s mål för verksamhetsområdet: 1.3" in body
        assert "Första kontakt inom två veckor" in body
    assert "Kopiera målen" in browser(manager).get(url).content.decode()
    assert "Kopiera målen" not in browser(controller).get(url).content.decode()


def test_the_start_page_and_creating_a_plan(org: Organisation, world: PlanWorld, manager: Any, staffer: Any) -> None:
    index = reverse("governance:index")
    assert browser(None).get(index).status_code == 302
    assert browser(staffer).get(index).status_code == 403
    response = browser(manager).get(index, {"enhet": org.provider.pk, "ar": 2024})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("governance:plan", args=[world.plan.pk])
    )
    response = browser(manager).get(index, {"enhet": org.provider.pk, "ar": 2026})
    assert "har ingen verksamhetsplan för 2026" in response.content.decode()
    response = browser(manager).post(index, {"enhet": org.provider.pk, "ar": 2026})
    assert response.status_code == 302
    assert OperationalPlan.objects.filter(unit=org.provider, year=2026).exists()
    response = browser(manager).post(index, {"enhet": org.other_unit.pk, "ar": 2026})
    assert response.status_code == 400  # not a unit the manager may choose
    assert not OperationalPlan.objects.filter(unit=org.other_unit).exists()


def test_the_goal_page_shows_the_indicator_table(world: PlanWorld, manager: Any) -> None:
    response = browser(manager).get(goal_url(world))
    body = response.content.decode()
    assert response.status_code == 200
    for column in ("Periodens utfall", "Utfall män", "Utfall kvinnor", "Utfall VB 2023", "Prognos helår", "Årsmål"):
        assert column in body
    assert "100,0 %" in body  # one order, contact in time, a woman
    assert reverse("governance:drilldown", args=[world.plan.unit_id, "first_contact", 2024, "VB"]) in body
    assert reverse("governance:chart", args=[world.plan.unit_id, "first_contact", 2024]) in body


def test_the_drilldown_lists_only_what_the_reader_may_see(
    world: PlanWorld, manager: Any, controller: Any, other_manager: Any
) -> None:
    url = reverse("governance:drilldown", args=[world.plan.unit_id, "first_contact", 2024, "VB"])
    body = browser(manager).get(url).content.decode()
    assert "Ahl" in body and "1 av 1" in body
    body = browser(controller).get(url).content.decode()
    assert "Ahl" not in body and "1 post som du inte har behörighet att se" in body
    assert browser(other_manager).get(url).status_code == 403
    assert browser(manager).get(url.replace("first_contact", "ami")).status_code == 404  # manual: no drill-down
    assert browser(manager).get(url.replace("/VB/", "/Q1/")).status_code == 404


def test_the_chart_is_an_image(world: PlanWorld, manager: Any, other_manager: Any) -> None:
    url = reverse("governance:chart", args=[world.plan.unit_id, "first_contact", 2024])
    response = browser(manager).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert browser(other_manager).get(url).status_code == 403


# --- The follow-up --------------------------------------------------------------------------------------------


def save_url(world: PlanWorld, period: str = "VB") -> str:
    return reverse("governance:follow_up_save", args=[world.unit_goal.pk, period])


def test_saving_the_follow_up_four_ways(
    world: PlanWorld, manager: Any, other_manager: Any, staffer: Any, controller: Any
) -> None:
    data = {"assessment": "fulfilled", "analysis": "Målen är uppnådda.", "version": 0}
    assert browser(None).post(save_url(world), data).status_code == 302
    assert browser(staffer).post(save_url(world), data).status_code == 404
    assert browser(other_manager).post(save_url(world), data).status_code == 404
    assert browser(controller).post(save_url(world), data).status_code == 403
    assert not FollowUp.objects.exists()
    response = browser(manager).post(save_url(world), data)
    assert response.status_code == 302
    saved = FollowUp.objects.get()
    assert (saved.assessment, saved.analysis, saved.version) == ("fulfilled", "Målen är uppnådda.", 1)
    page = browser(controller).get(goal_url(world)).content.decode()
    assert "Uppfylls helt" in page and "Målen är uppnådda." in page


def test_a_stale_save_is_refused_and_the_text_kept(world: PlanWorld, manager: Any) -> None:
    client = browser(manager)
    client.post(save_url(world), {"assessment": "partly", "analysis": "Första.", "version": 0})
    client.post(save_url(world), {"assessment": "fulfilled", "analysis": "Andra.", "version": 1})
    response = client.post(save_url(world), {"assessment": "not", "analysis": "Min gamla text.", "version": 1})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Min gamla text." in body and "Någon annan har ändrat" in body
    assert FollowUp.objects.get().analysis == "Andra."
    history = client.get(reverse("governance:follow_up_history", args=[world.unit_goal.pk, "VB"])).content.decode()
    assert "Version 1" in history and "Version 2" in history and "Första." in history


def test_autosave_with_htmx_and_without_javascript(world: PlanWorld, manager: Any, other_manager: Any) -> None:
    url = reverse("governance:follow_up_draft", args=[world.unit_goal.pk, "T1"])
    response = browser(manager).post(url, {"assessment": "partly", "analysis": "Halvfärdig"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Utkast sparat" in response.content.decode()
    assert response["X-Bista-Draft"] == "saved"
    assert FollowUpDraft.objects.get().analysis == "Halvfärdig"
    page = browser(manager).get(goal_url(world, "T1")).content.decode()
    assert "Halvfärdig" in page and "har återställts" in page
    assert browser(other_manager).post(url, {"analysis": "x"}).status_code == 404
    response = browser(manager).post(url, {"action": "kasta"})
    assert response.status_code == 302 and not FollowUpDraft.objects.exists()
    assert not FollowUp.objects.exists()  # a draft is not a saved follow-up


def test_autosave_with_a_nul_character_is_refused(world: PlanWorld, manager: Any) -> None:
    """Read without a form, the draft once reached PostgreSQL with a NUL and failed there (issue 14)."""
    url = reverse("governance:follow_up_draft", args=[world.unit_goal.pk, "T1"])
    response = browser(manager).post(url, {"analysis": "Halv\x00färdig"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "otillåtna tecken" in response.content.decode()
    assert not FollowUpDraft.objects.exists()


# --- Goals, activities, values, sections ------------------------------------------------------------------


def test_creating_a_goal_with_a_wrong_parent_is_refused(world: PlanWorld, manager: Any) -> None:
    url = reverse("governance:goal_create", args=[world.plan.pk])
    before = Goal.objects.count()
    response = browser(manager).post(url, {"level": "unit", "parent": world.area.pk, "title": "Fel nivå"})
    assert response.status_code == 400 and "ska höra till ett nämndmål" in response.content.decode()
    assert Goal.objects.count() == before
    response = browser(manager).post(url, {"level": "unit", "parent": world.committee.pk, "title": "Rätt nivå"})
    assert response.status_code == 302 and Goal.objects.count() == before + 1


def test_activities(world: PlanWorld, manager: Any, controller: Any) -> None:
    url = reverse("governance:activity_create", args=[world.unit_goal.pk])
    bad = {"title": "Utbildning", "starts_on": "2024-05-01", "ends_on": "2024-04-01"}
    response = browser(manager).post(url, bad)
    assert response.status_code == 400 and "Slutdatum kan inte vara före startdatum" in response.content.decode()
    assert not world.unit_goal.activities.exists()
    assert browser(controller).post(url, {**bad, "ends_on": "2024-06-01"}).status_code == 403
    response = browser(manager).post(url, {**bad, "ends_on": "2024-06-01"})
    assert response.status_code == 302
    activity = world.unit_goal.activities.get()
    edit = reverse("governance:activity_edit", args=[activity.pk])
    response = browser(manager).post(
        edit,
        {
            "title": "Utbildning",
            "starts_on": "2024-05-01",
            "ends_on": "2024-06-01",
            "completed_on": "2024-05-20",
            "deviation_note": "",
            "version": activity.version,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.completed_on == D(2024, 5, 20)


def test_manual_values(org: Organisation, world: PlanWorld, manager: Any, controller: Any) -> None:
    url = reverse("governance:values", args=[world.plan.pk])
    ami = indicator("ami")
    response = browser(manager).post(
        url, {"indicator": ami.pk, "period": "T1", "value": "56", "source": "Medarbetarenkäten"}
    )
    assert response.status_code == 400 and "redovisas per år" in response.content.decode()
    assert (
        browser(controller)
        .post(url, {"indicator": ami.pk, "period": "VB", "value": "56", "source": "Enkät"})
        .status_code
        == 403
    )
    assert not IndicatorValue.objects.exists()
    response = browser(manager).post(url, {"indicator": ami.pk, "period": "VB", "value": "56", "source": "Enkät"})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == Decimal(56)
    assert "Enkät" in browser(controller).get(url).content.decode()


def test_section_texts(world: PlanWorld, manager: Any, controller: Any) -> None:
    url = reverse("governance:section", args=[world.plan.pk, "VB", "summary"])
    assert browser(controller).post(url, {"text": "x", "version": 0}).status_code == 403
    assert browser(manager).post(url, {"text": "Årets analys.", "version": 0}).status_code == 302
    assert browser(manager).post(url, {"text": "Gammal.", "version": 0}).status_code == 409
    assert "Årets analys." in browser(controller).get(url).content.decode()
    assert browser(manager).get(url.replace("summary", "nonsense")).status_code == 404


def test_copy_forward(world: PlanWorld, manager: Any, controller: Any) -> None:
    url = reverse("governance:plan_copy", args=[world.plan.pk])
    assert browser(controller).post(url).status_code == 403
    assert browser(manager).post(url).status_code == 302
    copy = OperationalPlan.objects.get(unit=world.plan.unit, year=2025)
    assert copy.goals.count() == world.plan.goals.count()


# --- Documents and open data ---------------------------------------------------------------------------------


def test_documents_are_made_and_downloaded(
    world: PlanWorld,
    manager: Any,
    other_manager: Any,
    controller: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    url = reverse("governance:document_create", args=[world.plan.pk])
    assert browser(other_manager).post(url, {"kind": "VB", "format": "docx"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = browser(manager).post(url, {"kind": "VB", "format": "docx"})
    document = GeneratedDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("governance:document", args=[document.pk])
    page = browser(controller).get(response["Location"]).content.decode()
    assert "Klar" in page and document.sha256 in page
    download = browser(controller).get(reverse("governance:document_download", args=[document.pk]))
    assert download.status_code == 200 and download.content[:2] == b"PK"
    assert download["X-Checksum-SHA256"] == document.sha256
    assert 'filename="VB-2024-enheten-for-personligt-stod.docx"' in download["Content-Disposition"]
    assert browser(other_manager).get(reverse("governance:document_download", args=[document.pk])).status_code == 404


def test_a_document_for_a_year_without_goals_is_refused(org: Organisation, manager: Any) -> None:
    plan = services.plan_create(actor=SYSTEM, unit=org.provider, year=2025)
    response = browser(manager).post(
        reverse("governance:document_create", args=[plan.pk]), {"kind": "VB", "format": "pdf"}, follow=True
    )
    assert "inga enhetsmål" in response.content.decode()
    assert not GeneratedDocument.objects.exists()


def test_preview_pdf(world: PlanWorld, manager: Any) -> None:
    response = browser(manager).get(reverse("governance:preview", args=[world.plan.pk, "T1"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_open_data(org: Organisation, world: PlanWorld, manager: Any, other_manager: Any, nobody: Any) -> None:
    services.indicator_value_save(
        actor=SYSTEM,
        indicator=indicator("ami"),
        unit=org.provider,
        year=2024,
        period="VB",
        value=Decimal(56),
        source="x",
    )
    url = reverse("governance:open_data", args=["json"])
    response = browser(manager).get(url, {"enhet": org.provider.pk, "ar": 2024})
    rows = json.loads(response.content)["values"]
    ami = next(r for r in rows if r["kpi"] == "ami")
    assert ami["period"] == 2024 and ami["values"] == [{"gender": "T", "value": 56.0}]
    first = next(r for r in rows if r["kpi"] == "first_contact" and r["period"] == "2024VB")
    assert first["values"] == [
        {"gender": "T", "value": 100.0},
        {"gender": "K", "value": 100.0},
        {"gender": "M", "value": None},
    ]
    assert first["municipality"] == org.municipality.code
    csv = browser(manager).get(reverse("governance:open_data", args=["csv"]), {"enhet": org.provider.pk, "ar": 2024})
    text = csv.content.decode("utf-8-sig")
    assert "first_contact;" in text and ";2024VB;K;100,0;%" in text
    assert browser(other_manager).get(url, {"enhet": org.provider.pk, "ar": 2024}).status_code == 400
    assert browser(nobody).get(url, {"enhet": org.provider.pk, "ar": 2024}).status_code == 403
    assert browser(None).get(url).status_code == 302


def test_editing_a_goal_names_its_version(world: PlanWorld, manager: Any, controller: Any) -> None:
    url = reverse("governance:goal_edit", args=[world.unit_goal.pk])
    data = {"title": "Nytt namn", "number": "", "version": world.unit_goal.version}
    assert browser(controller).post(url, data).status_code == 403
    assert browser(manager).post(url, data).status_code == 302
    response = browser(manager).post(url, {**data, "title": "Gammal flik"})  # the same, now stale, version
    assert response.status_code == 409
    world.unit_goal.refresh_from_db()
    assert (world.unit_goal.title, world.unit_goal.version) == ("Nytt namn", 2)


def test_the_analysis_of_an_indicator(world: PlanWorld, manager: Any, other_manager: Any) -> None:
    url = reverse("governance:indicator_analysis", args=[world.ami.pk, "VB"])
    prefix = f"ind{world.ami.pk}"
    data = {f"{prefix}-analysis": "Enkäten skickades till privata mejl.", f"{prefix}-version": 0}
    assert browser(other_manager).post(url, data).status_code == 404
    assert not FollowUp.objects.exists()
    assert browser(manager).post(url, data).status_code == 302
    saved = FollowUp.objects.get()
    assert saved.goal_indicator == world.ami and saved.analysis == "Enkäten skickades till privata mejl."
    # a yearly indicator has no T1 analysis: refused with a message, nothing saved
    response = browser(manager).post(
        reverse("governance:indicator_analysis", args=[world.ami.pk, "T1"]), data, follow=True
    )
    assert "redovisas per år" in response.content.decode()
    assert FollowUp.objects.count() == 1
    page = browser(manager).get(reverse("governance:goal", args=[world.area.pk])).content.decode()
    assert "Enkäten skickades till privata mejl." in page


def test_the_goal_page_has_a_query_budget(world: PlanWorld, manager: Any, django_assert_max_num_queries: Any) -> None:
    """The page reads each indicator's figures with a bounded number of queries, however many records."""
    client = browser(manager)
    client.get(goal_url(world))  # sessions and caches warmed
    with django_assert_max_num_queries(80):
        assert client.get(goal_url(world)).status_code == 200
    with django_assert_max_num_queries(60):
        assert client.get(reverse("governance:plan", args=[world.plan.pk])).status_code == 200


def test_a_working_time_figure_leads_to_the_rostering_records(world: PlanWorld, manager: Any) -> None:
    url = reverse("governance:drilldown", args=[world.plan.unit_id, "sick_leave", 2024, "T2"])
    body = browser(manager).get(url).content.decode()
    base = reverse("rostering:indicators")
    assert f"{base}?enhet={world.plan.unit_id}&amp;ar=2024&amp;underlag=sick_leave&amp;period=2024-T1" in body
    assert "period=2024-T2" in body  # T2 is cumulative: both tertials
