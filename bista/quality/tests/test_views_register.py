"""The routines register and the self-check plan: each page four ways (anonymous, without permission, with
permission, with permission in another unit), the yearly review of routines, the link to the computed care
self-checks, results, bad input, conflicts and the lists' query budgets."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bista.core import clock
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import LOGIN, browser
from bista.quality import services
from bista.quality.models import Routine, SelfCheckPlanItem, SelfCheckResult
from bista.quality.views.register import next_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

# The clock stands still for this module's tests at the moment it was imported: TODAY is computed once, and a
# run that crossed Stockholm's midnight would otherwise have the services' today move a day past it.
NOW = clock.now()
TODAY = clock.local_date(NOW)
RECENT = TODAY - datetime.timedelta(days=30)


@pytest.fixture(autouse=True)
def _clock_stands_at_import(frozen_clock: Any) -> None:
    frozen_clock(NOW)


@pytest.fixture
def controller(org: Organisation) -> Any:
    """Reads the unit's quality work (quality.view), handles nothing."""
    return make_user("controller", RoleCode.CONTROLLER, district=org.district)


def make_routine(actor: Any, unit: Any, owner: Any, **overrides: Any) -> Routine:
    values: dict[str, Any] = {
        "name": "Rutin för avvikelsehantering",
        "process": "Systematiskt kvalitetsarbete",
        "owner": owner,
        "version_label": "2.1",
        "content": "Alla medarbetare rapporterar avvikelser samma dag.",
        "adopted_on": datetime.date(2023, 1, 10),
        "reviewed_on": RECENT,
        **overrides,
    }
    return services.routine_create(actor=actor, unit=unit, **values)


@pytest.fixture
def routine(org: Organisation, manager: Any) -> Routine:
    return make_routine(manager, org.provider, manager)


@pytest.fixture
def overdue(org: Organisation, manager: Any) -> Routine:
    return make_routine(
        manager,
        org.provider,
        manager,
        name="Rutin för nyckelhantering",
        content="https://intranat.example/rutiner/nycklar.pdf",
        reviewed_on=datetime.date(2024, 2, 29),
    )


@pytest.fixture
def elsewhere(org: Organisation, other_manager: Any) -> Routine:
    return make_routine(other_manager, org.other_unit, other_manager, name="Söderbys rutin för larm")


def make_item(actor: Any, unit: Any, responsible: Any, **overrides: Any) -> SelfCheckPlanItem:
    values: dict[str, Any] = {
        "what": "Planer för alla aktiva brukare",
        "method": "Beräknas ur beställningar och planer",
        "frequency": SelfCheckPlanItem.Frequency.TERTIAL,
        "responsible": responsible,
        "computed_check": "plan_current",
        **overrides,
    }
    return services.self_check_item_create(actor=actor, unit=unit, **values)


@pytest.fixture
def item(org: Organisation, manager: Any) -> SelfCheckPlanItem:
    return make_item(manager, org.provider, manager)


@pytest.fixture
def manual_item(org: Organisation, manager: Any) -> SelfCheckPlanItem:
    return make_item(
        manager,
        org.provider,
        manager,
        what="Krispärmar i hemmen",
        method="Stickprov i fem hem",
        frequency=SelfCheckPlanItem.Frequency.YEARLY,
        computed_check="",
    )


@pytest.fixture
def other_item(org: Organisation, other_manager: Any) -> SelfCheckPlanItem:
    return make_item(other_manager, org.other_unit, other_manager, what="Söderbys larmkontroll", computed_check="")


def body(response: Any) -> str:
    return response.content.decode()


def db_state() -> list[Any]:
    return [
        sorted(Routine.objects.values_list("pk", "name", "version", "reviewed_on", "is_active")),
        sorted(SelfCheckPlanItem.objects.values_list("pk", "what", "unit_id")),
        SelfCheckResult.objects.count(),
        AuditEvent.objects.count(),
    ]


def routine_data(org: Organisation, owner: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "unit": org.provider.pk,
        "name": "Rutin för delegering",
        "process": "Hälso- och sjukvård",
        "owner": owner.pk,
        "version_label": "1.0",
        "content": "Delegeringar förnyas varje år.",
        "adopted_on": "2025-01-15",
        "reviewed_on": "2025-06-01",
    }
    data.update(overrides)
    return data


def routine_edit_data(routine: Routine, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": routine.name,
        "process": routine.process,
        "owner": routine.owner_id,
        "version_label": routine.version_label,
        "content": routine.content,
        "adopted_on": routine.adopted_on.isoformat(),
        "reviewed_on": routine.reviewed_on.isoformat(),
        "version": routine.version,
    }
    if routine.is_active:
        data["is_active"] = "on"
    data.update(overrides)
    return data


def item_data(org: Organisation, responsible: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "unit": org.provider.pk,
        "what": "Risk- och konsekvensanalyser",
        "method": "Beräknas ur hemmapärmarna",
        "frequency": "yearly",
        "responsible": responsible.pk,
        "computed_check": "risk_assessment",
    }
    data.update(overrides)
    return data


def result_data(**overrides: Any) -> dict[str, Any]:
    return {
        "performed_on": TODAY.isoformat(),
        "result": "18 av 20 brukare har en gällande plan.",
        "actions": "",
        **overrides,
    }


def all_paths(routine: Routine, item: SelfCheckPlanItem) -> dict[str, str]:
    return {
        "routine_list": "/rutiner/",
        "routine_create": "/rutiner/ny/",
        "routine_edit": f"/rutiner/{routine.pk}/andra/",
        "plan": "/egenkontrollplan/",
        "item_create": "/egenkontrollplan/ny/",
        "result": f"/egenkontrollplan/{item.pk}/resultat/",
    }


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["routine_list", "routine_create", "routine_edit", "plan", "item_create", "result"])
def test_anonymous_goes_to_login(routine: Routine, item: SelfCheckPlanItem, page: str) -> None:
    path = all_paths(routine, item)[page]
    response = HttpClient().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert routine.name not in body(response)


def test_anonymous_posts_change_nothing(
    org: Organisation, routine: Routine, item: SelfCheckPlanItem, manager: Any
) -> None:
    before = db_state()
    anonymous = HttpClient()
    for path, data in [
        ("/rutiner/ny/", routine_data(org, manager)),
        (f"/rutiner/{routine.pk}/andra/", routine_edit_data(routine, name="x")),
        ("/egenkontrollplan/ny/", item_data(org, manager)),
        (f"/egenkontrollplan/{item.pk}/resultat/", result_data()),
    ]:
        response = anonymous.post(path, data)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")
    assert db_state() == before


# --- Signed in without permission -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("routine_list", 403),
        ("routine_create", 403),
        ("routine_edit", 404),
        ("plan", 403),
        ("item_create", 403),
        ("result", 404),  # an item of a plan one may not see looks the same as no item
    ],
)
def test_no_role_is_refused(routine: Routine, item: SelfCheckPlanItem, nobody: Any, page: str, status: int) -> None:
    response = browser(nobody).get(all_paths(routine, item)[page])
    assert response.status_code == status
    assert routine.name not in body(response)
    assert item.what not in body(response)


@pytest.mark.parametrize(
    ("page", "status"),
    [("routine_create", 403), ("routine_edit", 403), ("plan", 403), ("item_create", 403), ("result", 404)],
)
def test_medarbetare_cannot_reach_manager_pages(
    routine: Routine, item: SelfCheckPlanItem, staffer: Any, page: str, status: int
) -> None:
    response = browser(staffer).get(all_paths(routine, item)[page])
    assert response.status_code == status
    assert item.what not in body(response)


def test_medarbetare_reads_the_routines_without_edit_links(routine: Routine, staffer: Any) -> None:
    response = browser(staffer).get("/rutiner/")
    assert response.status_code == 200
    html = body(response)
    assert routine.name in html
    assert f"/rutiner/{routine.pk}/andra/" not in html
    assert 'href="/rutiner/ny/"' not in html


@pytest.mark.parametrize("who", ["nobody", "staffer", "controller"])
def test_without_manage_permission_posts_change_nothing(
    org: Organisation,
    routine: Routine,
    item: SelfCheckPlanItem,
    manager: Any,
    nobody: Any,
    staffer: Any,
    controller: Any,
    who: str,
) -> None:
    user = {"nobody": nobody, "staffer": staffer, "controller": controller}[who]
    before = db_state()
    client = browser(user)
    assert client.post("/rutiner/ny/", routine_data(org, manager)).status_code == 403
    edit = client.post(f"/rutiner/{routine.pk}/andra/", routine_edit_data(routine, name="x"))
    assert edit.status_code == (404 if who == "nobody" else 403)
    assert client.post("/egenkontrollplan/ny/", item_data(org, manager)).status_code == 403
    result = client.post(f"/egenkontrollplan/{item.pk}/resultat/", result_data()).status_code
    assert result == (403 if who == "controller" else 404)  # the controller sees the plan, the others do not
    assert db_state() == before


def test_view_permission_sees_the_plan_without_forms(
    org: Organisation, item: SelfCheckPlanItem, controller: Any
) -> None:
    client = browser(controller)
    plan = client.get("/egenkontrollplan/", {"enhet": org.provider.pk})
    assert plan.status_code == 200
    assert item.what in body(plan)
    assert 'action="/egenkontrollplan/ny/"' not in body(plan)
    assert "Visa resultat" in body(plan)
    result = client.get(f"/egenkontrollplan/{item.pk}/resultat/")
    assert result.status_code == 200
    assert 'name="result"' not in body(result)


# --- Routines with permission ---------------------------------------------------------------------


def test_routine_list_shows_next_review_and_flags_overdue(
    routine: Routine, overdue: Routine, elsewhere: Routine, manager: Any
) -> None:
    response = browser(manager).get("/rutiner/")
    assert response.status_code == 200
    html = body(response)
    assert routine.name in html
    assert next_review(RECENT).isoformat() in html
    # Reviewed on 29 February 2024: due a year later, on 28 February 2025, and overdue since.
    assert "2025-02-28" in html
    assert "1 med försenad revidering" in html
    assert html.count("Försenad</strong>") == 1
    assert 'href="https://intranat.example/rutiner/nycklar.pdf"' in html
    assert f'href="/rutiner/{routine.pk}/andra/"' in html
    assert 'href="/rutiner/ny/"' in html
    assert elsewhere.name not in html


def test_routine_list_filters(org: Organisation, routine: Routine, overdue: Routine, manager: Any) -> None:
    client = browser(manager)
    only_overdue = body(client.get("/rutiner/", {"forsenade": "on"}))
    assert overdue.name in only_overdue
    assert routine.name not in only_overdue
    services.routine_update(actor=manager, routine=routine, expected_version=None, is_active=False)
    assert routine.name not in body(client.get("/rutiner/"))
    with_inactive = body(client.get("/rutiner/", {"inaktuella": "on", "enhet": org.provider.pk}))
    assert routine.name in with_inactive
    assert "Gäller inte" in with_inactive
    assert client.get("/rutiner/", {"enhet": "abc", "sida": "999"}).status_code == 200


def test_routine_create_with_permission(org: Organisation, manager: Any) -> None:
    client = browser(manager)
    assert client.get("/rutiner/ny/").status_code == 200
    response = client.post("/rutiner/ny/", routine_data(org, manager))
    assert response.status_code == 302
    assert response["Location"] == "/rutiner/"
    routine = Routine.objects.get()
    assert (routine.name, routine.owner, routine.unit, routine.version_label) == (
        "Rutin för delegering",
        manager,
        org.provider,
        "1.0",
    )
    assert routine.reviewed_on == datetime.date(2025, 6, 1)
    assert AuditEvent.objects.filter(action="routine.create", actor=manager).count() == 1


def test_routine_edit_with_permission(routine: Routine, manager: Any) -> None:
    client = browser(manager)
    form = client.get(f"/rutiner/{routine.pk}/andra/")
    assert form.status_code == 200
    assert 'name="version" value="1"' in body(form)
    response = client.post(
        f"/rutiner/{routine.pk}/andra/", routine_edit_data(routine, version_label="3.0", reviewed_on=TODAY.isoformat())
    )
    assert response.status_code == 302
    routine.refresh_from_db()
    assert (routine.version_label, routine.reviewed_on, routine.version) == ("3.0", TODAY, 2)
    event = AuditEvent.objects.get(action="routine.update")
    assert event.actor == manager
    assert set(event.new_values) == {"version_label", "reviewed_on"}


def test_routine_reviewed_before_adopted_is_refused(org: Organisation, manager: Any) -> None:
    before = db_state()
    response = browser(manager).post("/rutiner/ny/", routine_data(org, manager, reviewed_on="2024-01-01"))
    assert response.status_code == 200
    assert "Senast reviderad: Revideringen kan inte vara före fastställandet." in body(response)
    assert db_state() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Namn:"),
        ({"adopted_on": "2025-02-30"}, "Fastställd:"),
        ({"owner": "99999999999999999999999"}, "Ägare:"),
        ({"content": " "}, "Innehåll eller länk:"),
        ({"unit": "x"}, "Enhet:"),
    ],
)
def test_routine_bad_input_names_the_field(
    org: Organisation, manager: Any, overrides: dict[str, Any], message: str
) -> None:
    before = db_state()
    response = browser(manager).post("/rutiner/ny/", {**routine_data(org, manager), **overrides})
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_routine_stale_edit_is_a_conflict(routine: Routine, manager: Any) -> None:
    services.routine_update(actor=manager, routine=routine, expected_version=1, version_label="2.2")
    before = db_state()
    response = browser(manager).post(f"/rutiner/{routine.pk}/andra/", routine_edit_data(routine, version_label="9.9"))
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert 'value="9.9"' in html
    assert "2.2" in html
    assert 'name="version" value="2"' in html
    assert db_state() == before


# --- The self-check plan with permission ----------------------------------------------------------


def test_plan_with_permission_links_computed_checks(
    org: Organisation,
    item: SelfCheckPlanItem,
    manual_item: SelfCheckPlanItem,
    other_item: SelfCheckPlanItem,
    manager: Any,
) -> None:
    services.self_check_result_record(
        actor=manager, item=manual_item, performed_on=RECENT, result="Alla fem pärmar var aktuella."
    )
    response = browser(manager).get("/egenkontrollplan/")
    assert response.status_code == 200
    html = body(response)
    assert item.what in html
    assert manual_item.what in html
    assert "Varje tertial" in html
    assert f'href="/egenkontroller/?enhet={org.provider.pk}"' in html
    assert html.count('href="/egenkontroller/?enhet=') == 1  # only the computed item links
    assert f"{RECENT:%Y-%m-%d}</time>: Alla fem pärmar var aktuella." in html
    assert "Inget resultat ännu" in html
    assert 'action="/egenkontrollplan/ny/"' in html
    assert other_item.what not in html


def test_item_create_with_permission(org: Organisation, manager: Any) -> None:
    client = browser(manager)
    assert client.get("/egenkontrollplan/ny/").status_code == 200
    response = client.post("/egenkontrollplan/ny/", item_data(org, manager))
    assert response.status_code == 302
    assert response["Location"] == f"/egenkontrollplan/?enhet={org.provider.pk}"
    created = SelfCheckPlanItem.objects.get()
    assert (created.what, created.frequency, created.computed_check, created.responsible) == (
        "Risk- och konsekvensanalyser",
        "yearly",
        "risk_assessment",
        manager,
    )
    assert AuditEvent.objects.filter(action="self_check_plan.create", actor=manager).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"what": ""}, "Vad kontrolleras:"),
        ({"frequency": "daily"}, "Hur ofta:"),
        ({"computed_check": "nonsense"}, "Beräknas ur registreringarna:"),
        ({"responsible": "0"}, "Ansvarig:"),
    ],
)
def test_item_bad_input_names_the_field(
    org: Organisation, manager: Any, overrides: dict[str, Any], message: str
) -> None:
    before = db_state()
    response = browser(manager).post("/egenkontrollplan/ny/", {**item_data(org, manager), **overrides})
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_result_with_permission(org: Organisation, item: SelfCheckPlanItem, manager: Any) -> None:
    client = browser(manager)
    page = client.get(f"/egenkontrollplan/{item.pk}/resultat/")
    assert page.status_code == 200
    assert f'href="/egenkontroller/?enhet={org.provider.pk}"' in body(page)
    response = client.post(f"/egenkontrollplan/{item.pk}/resultat/", result_data(actions="Två planer följs upp."))
    assert response.status_code == 302
    entry = SelfCheckResult.objects.get()
    assert (entry.item, entry.performed_on, entry.recorded_by, entry.actions) == (
        item,
        TODAY,
        manager,
        "Två planer följs upp.",
    )
    assert "18 av 20 brukare har en gällande plan." in body(client.get("/egenkontrollplan/"))
    assert "Två planer följs upp." in body(client.get(f"/egenkontrollplan/{item.pk}/resultat/"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"performed_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "Genomförd: Datumet kan inte ligga i"),
        ({"performed_on": "igår"}, "Genomförd:"),
        ({"result": "  "}, "Resultat:"),
    ],
)
def test_result_bad_input_names_the_field(
    item: SelfCheckPlanItem, manager: Any, overrides: dict[str, Any], message: str
) -> None:
    before = db_state()
    response = browser(manager).post(f"/egenkontrollplan/{item.pk}/resultat/", result_data(**overrides))
    assert response.status_code == 200
    assert message in body(response)
    assert db_state() == before


def test_unknown_item_is_not_found(manager: Any) -> None:
    assert browser(manager).get("/egenkontrollplan/987654/resultat/").status_code == 404


# --- With permission, but in another unit -----------------------------------------------------------


def test_pages_in_another_unit_show_nothing_of_ours(
    org: Organisation, routine: Routine, item: SelfCheckPlanItem, other_item: SelfCheckPlanItem, other_manager: Any
) -> None:
    client = browser(other_manager)
    routines = client.get("/rutiner/", {"enhet": org.provider.pk})
    assert routines.status_code == 200
    assert routine.name not in body(routines)
    plan = client.get("/egenkontrollplan/")
    assert plan.status_code == 200
    assert other_item.what in body(plan)
    assert item.what not in body(plan)
    ours = client.get("/egenkontrollplan/", {"enhet": org.provider.pk})
    assert ours.status_code == 403
    assert item.what not in body(ours)
    assert client.get(f"/rutiner/{routine.pk}/andra/").status_code == 404
    result = client.get(f"/egenkontrollplan/{item.pk}/resultat/")
    assert result.status_code == 404
    assert item.what not in body(result)


def test_posts_in_another_unit_change_nothing(
    org: Organisation, routine: Routine, item: SelfCheckPlanItem, manager: Any, other_manager: Any
) -> None:
    before = db_state()
    client = browser(other_manager)
    assert client.post(f"/rutiner/{routine.pk}/andra/", routine_edit_data(routine, name="x")).status_code == 404
    assert client.post(f"/egenkontrollplan/{item.pk}/resultat/", result_data()).status_code == 404
    # Our unit and our people are not among the choices, so the forms refuse them.
    response = client.post("/rutiner/ny/", routine_data(org, manager))
    assert response.status_code == 200
    assert "Enhet:" in body(response)
    assert "Ägare:" in body(response)
    response = client.post("/egenkontrollplan/ny/", item_data(org, manager))
    assert response.status_code == 200
    assert "Enhet:" in body(response)
    assert db_state() == before


# --- Query budgets --------------------------------------------------------------------------------

ROUTINE_LIST_QUERIES = 6
PLAN_QUERIES = 9  # the add form's responsible person is a picker: no list of the unit's people is read


def test_routine_list_query_budget(org: Organisation, manager: Any, django_assert_num_queries: Any) -> None:
    client = browser(manager)
    for number in range(3):
        make_routine(manager, org.provider, manager, name=f"Rutin {number}")
    with django_assert_num_queries(ROUTINE_LIST_QUERIES):
        assert client.get("/rutiner/").status_code == 200
    for number in range(3, 25):
        make_routine(manager, org.provider, manager, name=f"Rutin {number}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/rutiner/").status_code == 200
    assert len(queries) == ROUTINE_LIST_QUERIES


def test_plan_query_budget(org: Organisation, manager: Any, django_assert_num_queries: Any) -> None:
    client = browser(manager)

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            added = make_item(manager, org.provider, manager, what=f"Kontroll {number}", computed_check="")
            services.self_check_result_record(actor=manager, item=added, performed_on=RECENT, result="Bra")

    add(3, 0)
    with django_assert_num_queries(PLAN_QUERIES):
        assert client.get("/egenkontrollplan/").status_code == 200
    add(20, 3)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/egenkontrollplan/").status_code == 200
    assert len(queries) == PLAN_QUERIES
