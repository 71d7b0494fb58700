"""Self-checks against a small world computed by hand: each check, the gender split, the period boundary,
the deputy filter and access; and the self-check pages four ways with their query budget."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as HttpClient

from bista.care.models import HomeBinder, OrderEvent
from bista.care.selfchecks import Check, SelfCheck, self_check_clients, self_checks
from bista.care.tests.factories import make_client, make_order, review, save_binder, signed_plan, step
from bista.clients.models import AccessLogEntry
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

D = datetime.date
START, END = D(2024, 1, 1), D(2024, 12, 31)
TODAY = D(2025, 6, 1)
K, M, OTHER = "K", "M", "other"


@pytest.fixture
def deputy(org: Organisation) -> Any:
    return make_user("bitrade", RoleCode.DEPUTY_MANAGER, org.provider)


@pytest.fixture
def world(org: Organisation, deputy: Any) -> dict[str, Any]:
    """Six clients of the provider unit and one of the other district's unit.

    A (K): order received 2024-01-15, first contact in time, executed in time, plan signed 2024-02-01,
       risk analysis reviewed 2024-02-01, crisis binder reviewed 2023-06-01 (overdue at the end; its review
       on 2025-02-01 comes after the period). Deputy: `deputy`.
    B (M): order from 2023 (outside the period), executed 2023, plan signed 2023-02-01 (review overdue at
       the end), crisis binder reviewed 2024-01-05 (in time).
    C (M): order received on the last day of the period, first contact late, executed in time in 2025.
    D (K): order received the day after the period.
    E (A, "other"): order received 2024-03-05, no first contact (overdue), executed in time, no plan.
    F (K): order received 2024-05-01 and ended four days later, nothing owed.
    """
    p = org.provider
    a = make_client(p, first_name="Anna", last_name="Ahl", gender="K")
    b = make_client(p, first_name="Bo", last_name="Berg", gender="M")
    c = make_client(p, first_name="Carl", last_name="Ceder", gender="M")
    d = make_client(p, first_name="Dora", last_name="Dahl", gender="K")
    e = make_client(p, first_name="Eli", last_name="Ek", gender="A")
    f = make_client(p, first_name="Fia", last_name="Fors", gender="K")
    x = make_client(org.other_unit, first_name="Xena", last_name="Ext", gender="K")

    o1 = make_order(a, p, decision_date=D(2024, 1, 10), received_on=D(2024, 1, 15), deputy=deputy)
    step(o1, OrderEvent.Kind.FIRST_CONTACT, D(2024, 1, 20))
    signed_plan(o1, D(2024, 2, 1))
    step(o1, OrderEvent.Kind.EXECUTED, D(2024, 3, 1))
    save_binder(a, HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 2, 1))
    crisis = save_binder(a, HomeBinder.Kind.CRISIS_BINDER, D(2023, 6, 1))
    save_binder(a, HomeBinder.Kind.CRISIS_BINDER, D(2025, 2, 1), expected_number=crisis.number)

    o2 = make_order(b, p, decision_date=D(2023, 1, 10), received_on=D(2023, 1, 15))
    step(o2, OrderEvent.Kind.FIRST_CONTACT, D(2023, 1, 16))
    signed_plan(o2, D(2023, 2, 1))
    step(o2, OrderEvent.Kind.EXECUTED, D(2023, 2, 1))
    save_binder(b, HomeBinder.Kind.CRISIS_BINDER, D(2024, 1, 5))

    o3 = make_order(c, p, decision_date=D(2024, 11, 1), received_on=D(2024, 12, 31))
    step(o3, OrderEvent.Kind.FIRST_CONTACT, D(2025, 1, 20))
    step(o3, OrderEvent.Kind.EXECUTED, D(2025, 1, 20))

    make_order(d, p, decision_date=D(2024, 12, 20), received_on=D(2025, 1, 1))

    o5 = make_order(e, p, decision_date=D(2024, 3, 1), received_on=D(2024, 3, 5))
    step(o5, OrderEvent.Kind.EXECUTED, D(2024, 3, 10))

    o6 = make_order(f, p, decision_date=D(2024, 4, 20), received_on=D(2024, 5, 1))
    step(o6, OrderEvent.Kind.ENDED, D(2024, 5, 5))

    ox = make_order(x, org.other_unit, decision_date=D(2024, 1, 10), received_on=D(2024, 1, 15))
    step(ox, OrderEvent.Kind.FIRST_CONTACT, D(2024, 1, 16))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "x": x, "o1": o1}


def by_code(checks: list[SelfCheck]) -> dict[str, SelfCheck]:
    return {check.code: check for check in checks}


def figures(check: SelfCheck) -> tuple[int, int, dict[str, tuple[int, int]]]:
    return check.numerator, check.denominator, check.by_gender


def test_each_check_against_the_hand_computed_world(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    checks = self_checks(manager, unit_id=org.provider.pk, start=START, end=END, today=TODAY)
    assert [c.code for c in checks] == [
        Check.PLAN_CURRENT,
        Check.PLAN_REVIEWED,
        Check.FIRST_CONTACT,
        Check.EXECUTION,
        Check.RISK_ASSESSMENT,
        Check.CRISIS_BINDER,
    ]
    result = by_code(checks)
    a, b, c, e = world["a"].pk, world["b"].pk, world["c"].pk, world["e"].pk
    # Active at the end: A, B, E. A and B have a plan in force, E none.
    assert figures(result[Check.PLAN_CURRENT]) == (2, 3, {K: (1, 1), M: (1, 1), OTHER: (0, 1)})
    assert result[Check.PLAN_CURRENT].share == pytest.approx(2 / 3)
    assert result[Check.PLAN_CURRENT].client_ids == {a, b, e}
    assert result[Check.PLAN_CURRENT].met_client_ids == {a, b}
    assert result[Check.PLAN_CURRENT].unmet_client_ids == {e}
    # Plans in force: A's signed 2024-02-01 (review due 2025-02-01), B's signed 2023-02-01 (due 2024-02-01).
    assert figures(result[Check.PLAN_REVIEWED]) == (1, 2, {K: (1, 1), M: (0, 1), OTHER: (0, 0)})
    # Orders received in 2024: A's in time, C's late (last day of the period), E's overdue; F's ended in time.
    assert figures(result[Check.FIRST_CONTACT]) == (1, 3, {K: (1, 1), M: (0, 1), OTHER: (0, 1)})
    assert result[Check.FIRST_CONTACT].unmet_client_ids == {c, e}
    # Executed within three months of the decision: A, C (2025-01-20 ≤ 2025-02-01), E.
    assert figures(result[Check.EXECUTION]) == (3, 3, {K: (1, 1), M: (1, 1), OTHER: (1, 1)})
    assert figures(result[Check.RISK_ASSESSMENT]) == (1, 3, {K: (1, 1), M: (0, 1), OTHER: (0, 1)})
    # A's crisis binder was overdue at the end (the 2025 review does not count for 2024); B's was in time.
    assert figures(result[Check.CRISIS_BINDER]) == (1, 3, {K: (0, 1), M: (1, 1), OTHER: (0, 1)})
    assert result[Check.CRISIS_BINDER].met_client_ids == {b}
    assert world["x"].pk not in set().union(*(check.client_ids for check in checks))


def test_period_boundary_last_day_counts_the_day_after_not(
    org: Organisation, world: dict[str, Any], manager: Any
) -> None:
    c, d = world["c"].pk, world["d"].pk
    year = by_code(self_checks(manager, unit_id=org.provider.pk, start=START, end=END, today=TODAY))
    assert c in year[Check.FIRST_CONTACT].client_ids
    assert d not in year[Check.FIRST_CONTACT].client_ids
    shorter = by_code(self_checks(manager, unit_id=org.provider.pk, start=START, end=D(2024, 12, 30), today=TODAY))
    assert c not in shorter[Check.FIRST_CONTACT].client_ids
    assert shorter[Check.FIRST_CONTACT].denominator == 2
    next_year = by_code(
        self_checks(manager, unit_id=org.provider.pk, start=D(2025, 1, 1), end=D(2025, 12, 31), today=TODAY)
    )
    assert d in next_year[Check.FIRST_CONTACT].client_ids  # received 2025-01-01, not done, overdue by TODAY
    assert c not in next_year[Check.FIRST_CONTACT].client_ids


def test_an_order_still_within_its_time_is_not_judged(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    # On 2025-01-10 D's first contact (received 2025-01-01, due 2025-01-15) is not yet late.
    early = by_code(
        self_checks(manager, unit_id=org.provider.pk, start=D(2025, 1, 1), end=D(2025, 1, 10), today=D(2025, 1, 10))
    )
    assert early[Check.FIRST_CONTACT].denominator == 0
    assert early[Check.FIRST_CONTACT].share is None


def test_deputy_filter(org: Organisation, world: dict[str, Any], manager: Any, deputy: Any) -> None:
    result = by_code(
        self_checks(manager, unit_id=org.provider.pk, start=START, end=END, deputy_id=deputy.pk, today=TODAY)
    )
    assert figures(result[Check.PLAN_CURRENT]) == (1, 1, {K: (1, 1), M: (0, 0), OTHER: (0, 0)})
    assert figures(result[Check.FIRST_CONTACT]) == (1, 1, {K: (1, 1), M: (0, 0), OTHER: (0, 0)})
    assert result[Check.CRISIS_BINDER].numerator == 0


def test_a_plan_review_moves_the_plan_back_into_time(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    from bista.care.selectors import current_plan

    plan = current_plan(world["o1"])
    assert plan is not None
    # Seen at the end of 2025, A's plan (signed 2024-02-01) is overdue; reviewed on 2025-01-15 it is in time.
    before = by_code(self_checks(manager, unit_id=org.provider.pk, start=D(2025, 1, 1), end=D(2025, 12, 31)))
    review(plan, D(2025, 1, 15))
    after = by_code(self_checks(manager, unit_id=org.provider.pk, start=D(2025, 1, 1), end=D(2025, 12, 31)))
    assert after[Check.PLAN_REVIEWED].numerator == before[Check.PLAN_REVIEWED].numerator + 1
    assert after[Check.PLAN_REVIEWED].denominator == before[Check.PLAN_REVIEWED].denominator


def test_drill_down_lists_the_clients(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    arguments = {"unit_id": org.provider.pk, "code": Check.FIRST_CONTACT, "start": START, "end": END, "today": TODAY}
    assert [c.first_name for c in self_check_clients(manager, met=True, **arguments)] == ["Anna"]
    assert [c.first_name for c in self_check_clients(manager, met=False, **arguments)] == ["Carl", "Eli"]
    assert [c.first_name for c in self_check_clients(manager, met=None, **arguments)] == ["Anna", "Carl", "Eli"]
    assert AccessLogEntry.objects.count() == 0


def test_access(org: Organisation, world: dict[str, Any], nobody: Any, other_manager: Any, staffer: Any) -> None:
    for user in (nobody, other_manager, staffer):
        with pytest.raises(PermissionDenied):
            self_checks(user, unit_id=org.provider.pk, start=START, end=END)
        with pytest.raises(PermissionDenied):
            self_check_clients(user, unit_id=org.provider.pk, code=Check.PLAN_CURRENT, start=START, end=END)


def test_controller_sees_figures_but_no_names(org: Organisation, world: dict[str, Any]) -> None:
    controller = make_user("controller", RoleCode.CONTROLLER, org.provider)
    result = by_code(self_checks(controller, unit_id=org.provider.pk, start=START, end=END, today=TODAY))
    assert result[Check.PLAN_CURRENT].denominator == 3
    arguments = {"unit_id": org.provider.pk, "code": Check.PLAN_CURRENT, "start": START, "end": END}
    assert self_check_clients(controller, **arguments) == []


def test_a_handful_of_queries_however_many_clients(
    org: Organisation, world: dict[str, Any], manager: Any, django_assert_max_num_queries: Any
) -> None:
    self_checks(manager, unit_id=org.provider.pk, start=START, end=END)  # warm the access map
    with django_assert_max_num_queries(8):
        self_checks(manager, unit_id=org.provider.pk, start=START, end=END)


# --- The pages ---------------------------------------------------------------------------------------

PAGES = ["/egenkontroller/", f"/egenkontroller/{Check.PLAN_CURRENT}/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_anonymous_go_to_login(world: dict[str, Any], path: str) -> None:
    response = HttpClient().get(path)
    assert response.status_code == 302
    assert "/konto/logga-in/" in response["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_without_permission_are_refused(world: dict[str, Any], nobody: Any, staffer: Any, path: str) -> None:
    for user in (nobody, staffer):
        response = browser(user).get(path)
        assert response.status_code == 403
        assert "Anna" not in response.content.decode()


def test_page_with_permission(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    response = browser(manager).get("/egenkontroller/", {"fran": "2024-01-01", "till": "2024-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aktiva brukare med gällande genomförandeplan" in html
    assert ">2</a> av <a" in html
    assert f"/egenkontroller/{Check.PLAN_CURRENT}/?enhet={org.provider.pk}&amp;fran=2024-01-01" in html
    assert "Anna" not in html  # the aggregate names nobody
    assert AccessLogEntry.objects.count() == 0


def test_page_default_period_is_this_year(world: dict[str, Any], manager: Any) -> None:
    response = browser(manager).get("/egenkontroller/")
    assert response.status_code == 200
    assert 'name="fran"' in response.content.decode()


def test_page_query_budget(
    org: Organisation, world: dict[str, Any], manager: Any, django_assert_max_num_queries: Any
) -> None:
    client = browser(manager)
    params = {"fran": "2024-01-01", "till": "2024-12-31"}
    client.get("/egenkontroller/", params)
    with django_assert_max_num_queries(20):
        assert client.get("/egenkontroller/", params).status_code == 200


def test_detail_with_permission(org: Organisation, world: dict[str, Any], manager: Any) -> None:
    client = browser(manager)
    params = {"enhet": org.provider.pk, "fran": "2024-01-01", "till": "2024-12-31"}
    html = client.get(f"/egenkontroller/{Check.FIRST_CONTACT}/", params).content.decode()
    assert "Ahl, Anna" in html
    assert "Ceder, Carl" in html
    assert "Ext" not in html
    met_only = client.get(f"/egenkontroller/{Check.FIRST_CONTACT}/", {**params, "uppfyllt": "ja"}).content.decode()
    assert "Ahl, Anna" in met_only
    assert "Ceder, Carl" not in met_only
    assert AccessLogEntry.objects.count() == 0


def test_other_unit_manager_is_refused_our_unit(org: Organisation, world: dict[str, Any], other_manager: Any) -> None:
    client = browser(other_manager)
    for path in PAGES:
        response = client.get(path, {"enhet": org.provider.pk})
        assert response.status_code == 403
        assert "Ahl" not in response.content.decode()
    # Their own unit works and shows nothing of ours.
    own = client.get(f"/egenkontroller/{Check.FIRST_CONTACT}/", {"fran": "2024-01-01", "till": "2024-12-31"})
    assert own.status_code == 200
    assert "Ext, Xena" in own.content.decode()
    assert "Ahl" not in own.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"fran": "2024-12-31", "till": "2024-01-01"},
        {"fran": "nonsens", "till": ""},
        {"fran": "0001-01-01", "till": "9999-12-31"},
        {"enhet": "x" * 30},
        {"enhet": str(2**70)},
        {"ansvarig": "12345678901234567890"},
    ],
)
def test_bad_filters_are_answered_not_crashed(world: dict[str, Any], manager: Any, params: dict[str, str]) -> None:
    for path in PAGES:
        assert browser(manager).get(path, params).status_code in (200, 403)


def test_unknown_check_is_not_found(world: dict[str, Any], manager: Any) -> None:
    assert browser(manager).get("/egenkontroller/nonsens/").status_code == 404
