"""The absences API: list (with filters and a pinned query budget), create, read, patch (versioned), end and
cancel, each four ways, with machine-readable 4xx errors and nothing saved on a refusal."""

from typing import Any

import pytest
from django.test import Client

from bista.core.testing import Organisation
from bista.core.tests.api_support import error, get, patch, post, session_client, text, token_client
from bista.staff import services
from bista.staff.models import Absence, Employee
from bista.staff.tests.support import D, add_absence, hire, staff_state

pytestmark = pytest.mark.django_db

# Session, user, two-factor device and check, access map, count and page: the same for 1 or 31 absences.
QUERIES_PER_ABSENCE_LIST = 7


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team])


@pytest.fixture
def olle(org: Organisation) -> Employee:
    return hire(org.other_unit, "Olle", "Olsson", teams=[org.other_unit_team])


@pytest.fixture
def sick(eva: Employee) -> Absence:
    return add_absence(eva, D(2025, 3, 3))


def test_list_four_ways(
    org: Organisation, sick: Absence, olle: Employee, nobody: Any, manager: Any, other_manager: Any
) -> None:
    add_absence(olle, D(2025, 4, 1), D(2025, 4, 2))
    assert get(Client(), "/absences").status_code == 401
    response = get(session_client(nobody), "/absences")
    assert response.status_code == 200 and response.json() == {"count": 0, "items": []}
    mine = get(session_client(manager), "/absences").json()
    assert [a["employee_id"] for a in mine["items"]] == [sick.employee_id]
    assert mine["items"][0] == {
        "id": sick.pk,
        "employee_id": sick.employee_id,
        "kind": "sick",
        "starts_on": "2025-03-03",
        "ends_on": None,
        "extent": "100.00",
        "note": "",
        "cancelled_at": None,
        "version": 1,
    }
    theirs = session_client(other_manager)
    assert [a["employee_id"] for a in get(theirs, "/absences").json()["items"]] == [olle.pk]
    for params in ({"unit_id": org.provider.pk}, {"team_id": org.team.pk}):
        response = get(theirs, "/absences", **params)
        assert response.status_code == 404 and "2025-03-03" not in text(response)


def test_an_employee_lists_only_their_own(staffer: Any, sick: Absence) -> None:
    own = add_absence(Employee.objects.get(user=staffer), D(2025, 5, 5), D(2025, 5, 6))
    response = get(session_client(staffer), "/absences")
    assert [a["id"] for a in response.json()["items"]] == [own.pk]


def test_list_filters(org: Organisation, eva: Employee, manager: Any) -> None:
    bo = hire(org.provider, "Bo", "Björk", teams=[org.other_team])
    add_absence(eva, D(2025, 3, 3), D(2025, 3, 7))
    add_absence(eva, D(2025, 6, 1), D(2025, 6, 20), kind="vacation")
    ongoing = add_absence(bo, D(2025, 3, 10))
    services.absence_cancel(actor=manager, absence=add_absence(bo, D(2024, 1, 1), D(2024, 1, 2)))
    client = session_client(manager)

    def ids(**params: Any) -> list[tuple[int, str]]:
        response = get(client, "/absences", **params)
        assert response.status_code == 200, response.json()
        return [(a["employee_id"], a["starts_on"]) for a in response.json()["items"]]

    assert len(ids()) == 3
    assert ids(kind="vacation") == [(eva.pk, "2025-06-01")]
    assert ids(team_id=org.other_team.pk) == [(bo.pk, "2025-03-10")]
    assert ids(employee_id=bo.pk, include_cancelled=True) == [(bo.pk, "2025-03-10"), (bo.pk, "2024-01-01")]
    assert ids(start="2025-05-01") == [(eva.pk, "2025-06-01"), (bo.pk, ongoing.starts_on.isoformat())]
    assert ids(start="2025-03-08", end="2025-03-31") == [(bo.pk, "2025-03-10")]
    response = get(client, "/absences", kind="ledig")
    assert response.status_code == 422 and error(response)["fields"]["kind"][0]["code"] == "invalid_choice"


def test_list_query_budget(org: Organisation, manager: Any, django_assert_num_queries: Any) -> None:
    client = session_client(manager)
    add_absence(hire(org.provider, "Först", "Test"), D(2025, 1, 1), D(2025, 1, 2))
    get(client, "/absences")
    with django_assert_num_queries(QUERIES_PER_ABSENCE_LIST):
        assert get(client, "/absences").json()["count"] == 1
    for number in range(30):
        add_absence(hire(org.provider, f"Person{number}", "Test"), D(2025, 2, 1), D(2025, 2, 1 + number % 20))
    with django_assert_num_queries(QUERIES_PER_ABSENCE_LIST):
        assert len(get(client, "/absences").json()["items"]) == 31


def new_body(employee: Employee, **overrides: Any) -> dict[str, Any]:
    return {"employee_id": employee.pk, "kind": "sick", "starts_on": "2025-03-03", **overrides}


def test_create_four_ways(eva: Employee, nobody: Any, manager: Any, other_manager: Any, staffer: Any) -> None:
    before = staff_state()
    assert post(Client(), "/absences", new_body(eva)).status_code == 401
    for user in (nobody, other_manager, staffer):
        response = post(session_client(user), "/absences", new_body(eva))
        assert response.status_code == 422  # the employee is not one they see: the field is invalid
        assert error(response)["fields"]["employee_id"][0]["code"] == "does_not_exist"
    assert staff_state() == before
    response = post(
        session_client(manager), "/absences", new_body(eva, ends_on="2025-03-07", extent="50", note="Intyg")
    )
    assert response.status_code == 201
    assert (response.json()["ends_on"], response.json()["extent"], response.json()["version"]) == (
        "2025-03-07",
        "50.00",
        1,
    )


def test_an_employee_cannot_register_their_own_absence(staffer: Any) -> None:
    own = Employee.objects.get(user=staffer)
    before = staff_state()
    response = post(session_client(staffer), "/absences", new_body(own))
    assert response.status_code == 403 and error(response)["code"] == "forbidden"
    assert staff_state() == before


def test_a_controller_sees_employees_but_registers_no_absences(
    org: Organisation, eva: Employee, user_factory: Any
) -> None:
    from bista.core.permissions import RoleCode

    controller = user_factory("controller", RoleCode.CONTROLLER, district=org.district)
    before = staff_state()
    assert post(session_client(controller), "/absences", new_body(eva)).status_code == 403
    assert staff_state() == before


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"starts_on": "2025-03-05"}, "starts_on", "overlap"),
        ({"starts_on": "2025-02-01", "ends_on": "2025-01-31"}, "ends_on", "end_before_start"),
        ({"extent": "0", "starts_on": "2024-06-01", "ends_on": "2024-06-02"}, "extent", "min_value"),
        ({"extent": "1000"}, "extent", "decimal_whole_digits"),
        ({"kind": "ledig", "starts_on": "2024-06-01", "ends_on": "2024-06-02"}, "kind", "invalid_choice"),
        ({"starts_on": "2019-06-01", "ends_on": "2019-06-02"}, "starts_on", "before_employment"),
        ({"employee_id": 0}, "employee_id", "greater_than_equal"),
        ({"starts_on": "3 mars"}, "starts_on", "date_from_datetime_parsing"),
    ],
)
def test_create_bad_input(eva: Employee, sick: Absence, manager: Any, changes: Any, field: str, code: str) -> None:
    before = staff_state()
    response = post(session_client(manager), "/absences", new_body(eva) | changes)
    assert response.status_code == 422
    assert [e["code"] for e in error(response)["fields"][field]] == [code], error(response)
    assert staff_state() == before


def test_get_four_ways(sick: Absence, nobody: Any, manager: Any, other_manager: Any, staffer: Any) -> None:
    path = f"/absences/{sick.pk}"
    assert get(Client(), path).status_code == 401
    for user in (nobody, other_manager, staffer):
        assert get(session_client(user), path).status_code == 404
    assert get(session_client(manager), path).json()["id"] == sick.pk


def write_calls(sick: Absence) -> list[tuple[Any, str, dict[str, Any]]]:
    return [
        (patch, f"/absences/{sick.pk}", {"version": 1, "extent": "50", "note": "Halvtid"}),
        (post, f"/absences/{sick.pk}/end", {"ends_on": "2025-03-20", "version": 1}),
        (post, f"/absences/{sick.pk}/cancel", {"version": 1}),
    ]


def test_writes_four_ways(sick: Absence, nobody: Any, manager: Any, other_manager: Any) -> None:
    before = staff_state()
    for method, path, body in write_calls(sick):
        assert method(Client(), path, body).status_code == 401
        for user in (nobody, other_manager):
            assert method(session_client(user), path, body).status_code == 404
    assert staff_state() == before
    client = session_client(manager)
    patched = patch(client, f"/absences/{sick.pk}", {"version": 1, "extent": "50", "note": "Halvtid"})
    assert patched.status_code == 200 and (patched.json()["extent"], patched.json()["version"]) == ("50.00", 2)
    ended = post(client, f"/absences/{sick.pk}/end", {"ends_on": "2025-03-20", "version": 2})
    assert ended.status_code == 200 and ended.json()["ends_on"] == "2025-03-20"
    cancelled = post(client, f"/absences/{sick.pk}/cancel", {})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"] is not None
    assert Absence.objects.filter(pk=sick.pk).exists()


def test_the_employee_can_read_but_not_change_their_own(staffer: Any) -> None:
    own = add_absence(Employee.objects.get(user=staffer), D(2025, 3, 3))
    client = session_client(staffer)
    assert get(client, f"/absences/{own.pk}").status_code == 200
    before = staff_state()
    for method, path, body in write_calls(own):
        assert method(client, path, body).status_code == 403
    assert staff_state() == before


def test_stale_versions_are_conflicts(sick: Absence, manager: Any) -> None:
    client = session_client(manager)
    assert patch(client, f"/absences/{sick.pk}", {"version": 1, "note": "Först"}).status_code == 200
    before = staff_state()
    for method, path, body in write_calls(sick):
        response = method(client, path, body)
        assert response.status_code == 409
        assert error(response)["code"] == "conflict" and error(response)["current_version"] == 2
    assert staff_state() == before


def test_patch_and_end_bad_input(eva: Employee, sick: Absence, manager: Any) -> None:
    add_absence(eva, D(2025, 1, 1), D(2025, 1, 31), kind="vacation")
    client = session_client(manager)
    before = staff_state()
    cases = [
        (patch, f"/absences/{sick.pk}", {"version": 1, "starts_on": "2025-01-30"}, "starts_on", "overlap"),
        (patch, f"/absences/{sick.pk}", {"version": 1, "kind": None}, "kind", "value_error"),
        (patch, f"/absences/{sick.pk}", {"version": 1, "employee_id": 3}, "employee_id", "extra_forbidden"),
        (post, f"/absences/{sick.pk}/end", {"ends_on": "2025-03-01"}, "ends_on", "end_before_start"),
        (post, f"/absences/{sick.pk}/end", {}, "ends_on", "missing"),
    ]
    for method, path, body, field, code in cases:
        response = method(client, path, body)
        assert response.status_code == 422, (body, response.json())
        assert [e["code"] for e in error(response)["fields"][field]] == [code], error(response)
    assert staff_state() == before


def test_a_token_without_the_scope_sees_nothing(eva: Employee, sick: Absence, manager: Any) -> None:
    client, _token = token_client(manager, ["employee.view"])
    assert get(client, "/absences").json()["count"] == 0
    assert get(client, f"/absences/{sick.pk}").status_code == 404
    client, _token = token_client(manager, ["absence.manage"])
    assert get(client, "/absences").json()["count"] == 1
