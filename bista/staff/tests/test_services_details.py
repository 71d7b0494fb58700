"""The staff detail services: terms, competences, delegations, introductions, appraisals, and what clients ask
of the staff. Each happy path, and every refusal with nothing saved."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.staff import services
from bista.staff.models import ClientStaffChoice, Employee, EmploymentTerm, WorkingTimeRegime
from bista.staff.tests.support import (
    D,
    add_delegation,
    add_term,
    client_in,
    competence,
    delegation_kind,
    hire,
    regime,
    staff_state,
)

pytestmark = pytest.mark.django_db


def refused(call: Any, field: str, code: str) -> ValidationError:
    """Call a service expecting a refusal on `field` with `code`, and check that nothing was saved."""
    before = staff_state()
    with pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    assert field in error.error_dict, error
    assert [e.code for e in error.error_dict[field]] == [code], error
    assert staff_state() == before
    return error


def denied(call: Any) -> None:
    before = staff_state()
    with pytest.raises(PermissionDenied):
        call()
    assert staff_state() == before


@pytest.fixture
def eva(org: Organisation) -> Employee:
    return hire(org.provider, "Eva", "Berg", teams=[org.team], start=D(2020, 1, 1))


# --- Terms --------------------------------------------------------------------------------------------------


def test_a_new_term_ends_the_running_one_and_updates_the_employee(eva: Employee, manager: Any) -> None:
    first = add_term(eva, D(2020, 1, 1), actor=manager)
    second = add_term(
        eva, D(2024, 7, 1), employment_type="vikariat", employment_rate=Decimal("75"), note="Vikariat", actor=manager
    )
    first.refresh_from_db()
    assert first.ends_on == D(2024, 6, 30)
    assert second.ends_on is None and second.recorded_by == manager
    eva.refresh_from_db()
    assert (eva.employment_type, eva.employment_rate) == ("vikariat", Decimal("75"))
    assert AuditEvent.objects.filter(action="employment_term.end", object_id=str(first.pk)).exists()
    assert AuditEvent.objects.filter(action="employment_term.add").count() == 2
    assert AuditEvent.objects.filter(action="employee.update", object_id=str(eva.pk)).exists()


def test_a_future_term_leaves_the_current_values(eva: Employee, manager: Any) -> None:
    add_term(eva, D(2020, 1, 1))
    future = timezone.localdate() + datetime.timedelta(days=40)
    add_term(eva, future, employment_rate=Decimal("50"), actor=manager)
    eva.refresh_from_db()
    assert eva.employment_rate == Decimal("100")
    assert EmploymentTerm.objects.get(employee=eva, starts_on=D(2020, 1, 1)).ends_on == future - datetime.timedelta(
        days=1
    )


def test_a_substitute_term_with_an_end_date_fills_a_gap(eva: Employee) -> None:
    add_term(eva, D(2020, 1, 1), ends_on=D(2020, 12, 31))
    add_term(eva, D(2022, 1, 1))
    term = add_term(eva, D(2021, 3, 1), employment_type="vikariat", ends_on=D(2021, 8, 31))
    assert term.ends_on == D(2021, 8, 31)
    assert EmploymentTerm.objects.filter(employee=eva).count() == 3


@pytest.mark.parametrize(
    ("starts_on", "extra", "field", "code"),
    [
        (D(2023, 1, 1), {"ends_on": D(2022, 12, 31)}, "ends_on", "end_before_start"),
        (D(2019, 12, 31), {}, "starts_on", "before_employment"),
        (D(2021, 6, 1), {}, "starts_on", "overlap"),  # before the term of 2022 and open-ended
        (D(2022, 1, 1), {}, "starts_on", "overlap"),  # the same day as an existing term
        (D(2021, 6, 1), {"ends_on": D(2022, 1, 1)}, "starts_on", "overlap"),
        (D(2023, 1, 1), {"employment_rate": Decimal("120")}, "employment_rate", "max_value"),
        (D(2023, 1, 1), {"employment_type": "fast"}, "employment_type", "invalid_choice"),
    ],
)
def test_terms_refused(eva: Employee, starts_on: Any, extra: Any, field: str, code: str) -> None:
    add_term(eva, D(2020, 1, 1), ends_on=D(2020, 12, 31))
    add_term(eva, D(2022, 1, 1))
    refused(lambda: add_term(eva, starts_on, **extra), field, code)


def test_a_term_under_a_regime_not_in_force_is_refused(eva: Employee) -> None:
    old = WorkingTimeRegime.objects.create(
        code="gammal",
        name="Gammalt avtal",
        daily_rest_hours=11,
        weekly_rest_hours=36,
        max_pass_hours=13,
        max_pass_hours_with_exception=13,
        ordinary_hours_per_week=40,
        max_average_hours_per_week=48,
        averaging_period_months=4,
        max_overtime_hours_per_year=200,
        valid_from=D(2010, 1, 1),
        valid_to=D(2021, 1, 1),
    )
    refused(lambda: add_term(eva, D(2022, 1, 1), regime=old), "regime", "not_in_force")


def test_a_term_after_the_employment_ended_is_refused(org: Organisation) -> None:
    gone = hire(org.provider, "Gus", "Gone", end_date=D(2022, 12, 31))
    refused(lambda: add_term(gone, D(2023, 1, 1)), "starts_on", "after_employment")


def test_terms_need_the_manage_permission_in_the_employees_unit(
    eva: Employee, other_manager: Any, staffer: Any
) -> None:
    denied(lambda: add_term(eva, D(2023, 1, 1), actor=other_manager))
    denied(lambda: add_term(eva, D(2023, 1, 1), actor=staffer))


# --- Competences --------------------------------------------------------------------------------------------


def test_competence_add_and_revoke(eva: Employee, manager: Any) -> None:
    held = services.competence_add(
        actor=manager, employee=eva, competence=competence(), evidence=" Kurs hos regionen ", acquired_on=D(2024, 3, 1)
    )
    assert held.evidence == "Kurs hos regionen" and held.recorded_by == manager
    revoked = services.competence_revoke(actor=manager, competence=held, revoked_on=D(2025, 1, 1))
    assert revoked.revoked_on == D(2025, 1, 1)
    again = services.competence_add(
        actor=manager, employee=eva, competence=competence(), evidence="Ny kurs", acquired_on=D(2025, 6, 1)
    )
    assert again.pk != held.pk
    assert AuditEvent.objects.filter(action="employee_competence.revoke", object_id=str(held.pk)).count() == 1


def test_competence_refusals(eva: Employee, manager: Any, other_manager: Any) -> None:
    def add(**overrides: Any) -> Any:
        values = {"competence": competence(), "evidence": "Kurs", "acquired_on": D(2024, 3, 1), **overrides}
        return lambda: services.competence_add(actor=overrides.pop("actor", manager), employee=eva, **values)

    refused(add(evidence="  "), "evidence", "required")
    refused(add(acquired_on=timezone.localdate() + datetime.timedelta(days=1)), "acquired_on", "in_future")
    held = add()()
    refused(add(), "competence", "duplicate")
    denied(
        lambda: services.competence_add(
            actor=other_manager,
            employee=eva,
            competence=competence("autism"),
            evidence="Kurs",
            acquired_on=D(2024, 3, 1),
        )
    )
    refused(
        lambda: services.competence_revoke(actor=manager, competence=held, revoked_on=D(2024, 2, 1)),
        "revoked_on",
        "before_start",
    )
    denied(lambda: services.competence_revoke(actor=other_manager, competence=held, revoked_on=D(2025, 1, 1)))
    services.competence_revoke(actor=manager, competence=held, revoked_on=D(2025, 1, 1))
    refused(
        lambda: services.competence_revoke(actor=manager, competence=held, revoked_on=D(2025, 2, 1)),
        "revoked_on",
        "already_revoked",
    )


# --- Delegations --------------------------------------------------------------------------------------------


def test_a_delegation_may_run_one_year_at_most(eva: Employee, manager: Any) -> None:
    delegation = add_delegation(eva, D(2025, 1, 15), D(2026, 1, 14), actor=manager)
    assert delegation.recorded_by == manager and delegation.covers(D(2026, 1, 14))
    leap = add_delegation(eva, D(2024, 2, 29), D(2025, 2, 27), kind="lakemedel")
    assert leap.valid_until == services.delegation_latest_end(D(2024, 2, 29))
    refused(lambda: add_delegation(eva, D(2025, 1, 15), D(2026, 1, 15)), "valid_until", "too_long")
    refused(lambda: add_delegation(eva, D(2025, 1, 15), D(2025, 1, 14)), "valid_until", "end_before_start")


def test_a_delegation_for_a_client_needs_the_client_in_the_employees_unit(
    org: Organisation, eva: Employee, manager: Any
) -> None:
    kim = client_in(org.provider)
    delegation = add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30), client=kim, actor=manager)
    assert delegation.client == kim
    elsewhere = client_in(org.other_unit, "Ulla", "Utanför")
    refused(lambda: add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30), client=elsewhere), "client", "not_in_unit")


def test_delegation_refusals(eva: Employee, manager: Any, other_manager: Any, staffer: Any) -> None:
    refused(
        lambda: services.delegation_add(
            actor=manager,
            employee=eva,
            kind=delegation_kind(),
            delegated_by=" ",
            valid_from=D(2025, 1, 1),
            valid_until=D(2025, 6, 30),
        ),
        "delegated_by",
        "required",
    )
    denied(lambda: add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30), actor=other_manager))
    denied(lambda: add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30), actor=staffer))
    delegation = add_delegation(eva, D(2025, 1, 1), D(2025, 6, 30))
    refused(
        lambda: services.delegation_revoke(actor=manager, delegation=delegation, revoked_on=D(2024, 12, 31)),
        "revoked_on",
        "before_start",
    )
    denied(lambda: services.delegation_revoke(actor=other_manager, delegation=delegation, revoked_on=D(2025, 3, 1)))
    revoked = services.delegation_revoke(actor=manager, delegation=delegation, revoked_on=D(2025, 3, 1))
    assert not revoked.covers(D(2025, 3, 1)) and revoked.covers(D(2025, 2, 28))
    refused(
        lambda: services.delegation_revoke(actor=manager, delegation=delegation, revoked_on=D(2025, 4, 1)),
        "revoked_on",
        "already_revoked",
    )


# --- Introductions and appraisals ---------------------------------------------------------------------------


def test_introduction_once_per_client(org: Organisation, eva: Employee, manager: Any) -> None:
    kim = client_in(org.provider)
    done = services.introduction_record(
        actor=manager, employee=eva, client=kim, completed_on=D(2025, 2, 1), introduced_by=" Kalle "
    )
    assert done.introduced_by == "Kalle"

    def again(**overrides: Any) -> Any:
        values = {"client": kim, "completed_on": D(2025, 3, 1), **overrides}
        return lambda: services.introduction_record(actor=manager, employee=eva, **values)

    refused(again(), "client", "duplicate")
    refused(again(client=client_in(org.other_unit, "Ulla")), "client", "not_in_unit")
    refused(
        again(client=client_in(org.provider, "Lisa"), completed_on=timezone.localdate() + datetime.timedelta(days=1)),
        "completed_on",
        "in_future",
    )


def test_appraisal_keeps_the_plan_out_of_the_audit_trail(eva: Employee, manager: Any, other_manager: Any) -> None:
    appraisal = services.appraisal_record(
        actor=manager, employee=eva, held_on=D(2025, 5, 5), development_plan="Gå kurs i lågaffektivt bemötande."
    )
    assert appraisal.held_by == manager
    event = AuditEvent.objects.get(action="appraisal.record")
    assert "lågaffektivt" not in str(event.new_values)

    def record(**overrides: Any) -> Any:
        values = {"held_on": D(2025, 6, 1), "development_plan": "Plan", **overrides}
        return lambda: services.appraisal_record(actor=manager, employee=eva, **values)

    refused(record(development_plan=""), "development_plan", "required")
    refused(record(held_on=timezone.localdate() + datetime.timedelta(days=1)), "held_on", "in_future")
    refused(record(held_on=D(2019, 12, 1)), "held_on", "before_employment")
    denied(
        lambda: services.appraisal_record(
            actor=other_manager, employee=eva, held_on=D(2025, 6, 1), development_plan="Plan"
        )
    )


# --- What a client asks of the staff ------------------------------------------------------------------------


def test_client_staff_choices(org: Organisation, eva: Employee, manager: Any, other_manager: Any) -> None:
    kim = client_in(org.provider)
    chosen = services.client_staff_choice_add(
        actor=manager, client=kim, employee=eva, kind=ClientStaffChoice.Kind.CHOSEN, since=D(2025, 1, 1)
    )

    def add(**overrides: Any) -> Any:
        values = {"client": kim, "employee": eva, "kind": "excluded", "since": D(2025, 3, 1), **overrides}
        return lambda: services.client_staff_choice_add(actor=manager, **values)

    refused(add(), "employee", "overlap")
    refused(add(until=D(2025, 2, 1)), "until", "end_before_start")
    refused(add(kind="kanske", since=D(2024, 1, 1), until=D(2024, 6, 1)), "kind", "invalid_choice")
    olle = hire(org.other_unit, "Olle", "Olsson")
    denied(add(employee=olle))  # the manager has no say in the other unit
    refused(
        lambda: services.client_staff_choice_add(
            actor=SYSTEM, client=kim, employee=olle, kind="chosen", since=D(2025, 1, 1)
        ),
        "employee",
        "not_in_unit",
    )
    denied(lambda: services.client_staff_choice_end(actor=other_manager, choice=chosen, until=D(2025, 2, 28)))
    refused(
        lambda: services.client_staff_choice_end(actor=manager, choice=chosen, until=D(2024, 12, 31)),
        "until",
        "end_before_start",
    )
    services.client_staff_choice_end(actor=manager, choice=chosen, until=D(2025, 2, 28))
    refused(
        lambda: services.client_staff_choice_end(actor=manager, choice=chosen, until=D(2025, 3, 1)),
        "until",
        "already_ended",
    )
    excluded = add()()
    assert excluded.kind == "excluded" and excluded.recorded_by == manager


def test_client_competence_needs(org: Organisation, manager: Any, other_manager: Any, staffer: Any) -> None:
    kim = client_in(org.provider)
    need = services.client_competence_need_add(actor=manager, client=kim, competence=competence(), since=D(2025, 1, 1))
    insulin = services.client_competence_need_add(
        actor=manager, client=kim, delegation_kind=delegation_kind(), since=D(2025, 1, 1)
    )
    assert need.competence is not None and insulin.delegation_kind is not None

    def add(**overrides: Any) -> Any:
        values = {"client": kim, "since": D(2025, 6, 1), **overrides}
        return lambda: services.client_competence_need_add(actor=manager, **values)

    refused(add(), "competence", "one_kind")
    refused(add(competence=competence("autism"), delegation_kind=delegation_kind()), "competence", "one_kind")
    refused(add(competence=competence()), "competence", "duplicate")
    refused(add(delegation_kind=delegation_kind()), "delegation_kind", "duplicate")
    refused(add(competence=competence("autism"), until=D(2025, 5, 1)), "until", "end_before_start")
    denied(
        lambda: services.client_competence_need_add(
            actor=other_manager, client=kim, competence=competence("autism"), since=D(2025, 1, 1)
        )
    )
    denied(
        lambda: services.client_competence_need_add(
            actor=staffer, client=kim, competence=competence("autism"), since=D(2025, 1, 1)
        )
    )
    denied(lambda: services.client_competence_need_end(actor=other_manager, need=need, until=D(2025, 3, 1)))
    ended = services.client_competence_need_end(actor=manager, need=need, until=D(2025, 3, 1))
    assert ended.until == D(2025, 3, 1)
    refused(
        lambda: services.client_competence_need_end(actor=manager, need=need, until=D(2025, 4, 1)),
        "until",
        "already_ended",
    )
    assert services.client_competence_need_add(
        actor=manager, client=kim, competence=competence(), since=D(2025, 3, 2)
    ).pk


def test_regime_fixture_is_seeded() -> None:
    assert regime("ab").max_pass_hours == 13
