"""The purchaser chain's writes: saved and audited; every refusal names its field and leaves nothing saved;
the order from a decision arrives at the provider as a care order in state received and the provider's steps
come back to the case officer."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care import services as care_services
from bista.care.models import Order
from bista.casework import selectors, services
from bista.casework.models import Case, CaseOrder, Decision, Intake, Investigation, InvestigationSource, TargetGroup
from bista.casework.tests import factories as f
from bista.clients.models import Client, ClientUnit
from bista.core.access import SYSTEM
from bista.core.errors import ConflictError
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def intake(org: Organisation, officer: Any) -> Intake:
    return f.register(org.purchaser, actor=officer)


def _counts() -> tuple[int, ...]:
    return (
        Client.objects.count(),
        Case.objects.count(),
        Intake.objects.count(),
        Investigation.objects.count(),
        InvestigationSource.objects.count(),
        Decision.objects.count(),
        CaseOrder.objects.count(),
        Order.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call: Any, field: str | None = None, error: type[Exception] = ValidationError) -> Exception:
    """Call, expect the error (naming `field`), and check nothing was saved."""
    before = _counts()
    with pytest.raises(error) as info:
        call()
    if field is not None:
        assert field in info.value.message_dict, info.value  # type: ignore[attr-defined]
    assert _counts() == before
    return info.value


# --- Intake ----------------------------------------------------------------------------------------


def test_intake_registers_a_new_client_and_opens_a_case(org: Organisation, officer: Any) -> None:
    intake = f.register(org.purchaser, actor=officer, services=[f.service()])
    case = intake.case
    assert case.unit == org.purchaser and case.officer == officer
    assert ClientUnit.objects.filter(client=case.client, unit=org.purchaser, until__isnull=True).exists()
    assert list(intake.services.all()) == [f.service()]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"client.create", "case.open", "intake.register"} <= actions


def test_the_case_s_target_group_is_reference_data_in_force(org: Organisation, officer: Any) -> None:
    psychiatry = TargetGroup.objects.get(code=TargetGroup.SOCIAL_PSYCHIATRY)
    ended = TargetGroup.objects.create(
        code="old", name="Upphörd grupp", valid_from=D(2000, 1, 1), valid_to=D(2020, 1, 1)
    )
    refused(lambda: f.register(org.purchaser, actor=officer, target_group=ended), "target_group")
    intake = f.register(org.purchaser, actor=officer, target_group=psychiatry)
    assert intake.case.target_group == psychiatry
    opened = AuditEvent.objects.get(action="case.open", object_id=str(intake.case.pk))
    assert opened.new_values["target_group"] == psychiatry.pk
    refused(
        lambda: services.case_target_group_set(
            actor=officer, case=intake.case, target_group=ended, expected_version=intake.case.version
        ),
        "target_group",
    )
    case = services.case_target_group_set(
        actor=officer, case=intake.case, target_group=None, expected_version=intake.case.version
    )
    assert case.target_group is None
    assert AuditEvent.objects.filter(action="case.target_group", object_id=str(case.pk)).exists()


def test_a_second_intake_joins_the_open_case(org: Organisation, officer: Any, intake: Intake) -> None:
    again = f.register(
        org.purchaser, actor=officer, client=intake.case.client, kind="report", sender="school", sender_name="Skolan"
    )
    assert again.case == intake.case


def test_a_second_intake_naming_another_target_group_moves_the_open_case(org: Organisation, officer: Any) -> None:
    children = TargetGroup.objects.get(code="children")
    adults = TargetGroup.objects.get(code="adults")
    first = f.register(org.purchaser, actor=officer, target_group=children)
    again = f.register(org.purchaser, actor=officer, client=first.case.client, target_group=adults)
    assert again.case == first.case and Case.objects.get(pk=first.case.pk).target_group == adults
    moved = AuditEvent.objects.get(action="case.target_group", object_id=str(first.case.pk))
    assert (moved.old_values["target_group"], moved.new_values["target_group"]) == (children.pk, adults.pk)
    # Without a group named, the open case keeps its own.
    f.register(org.purchaser, actor=officer, client=first.case.client)
    assert Case.objects.get(pk=first.case.pk).target_group == adults


def test_intake_links_an_existing_client_of_the_provider(org: Organisation, officer: Any, astrid: Client) -> None:
    # The provider's client is not the purchaser's to see, until an application with her personnummer arrives.
    refused(lambda: f.register(org.purchaser, actor=officer, client=astrid), "client")
    intake = f.register(org.purchaser, actor=officer, new_client=f.new_client(personnummer=astrid.personnummer))
    assert intake.case.client == astrid
    assert ClientUnit.objects.filter(client=astrid, unit=org.purchaser).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "application", "sender": "school"}, "sender"),
        ({"received_on": D(2099, 1, 1)}, "received_on"),
        ({"requested": "   "}, "requested"),
        ({"new_client": f.new_client(number=0)}, "personnummer"),
        ({"new_client": {**f.new_client(), "personnummer": "19801332-9823"}}, "personnummer"),
    ],
)
def test_bad_intakes_are_refused(org: Organisation, officer: Any, overrides: dict[str, Any], field: str) -> None:
    refused(lambda: f.register(org.purchaser, actor=officer, **overrides), field)


def test_intake_needs_casework_in_a_purchaser_unit(org: Organisation, manager: Any, officer: Any) -> None:
    refused(lambda: f.register(org.purchaser, actor=manager), error=PermissionDenied)  # the provider's manager
    refused(lambda: f.register(org.provider, actor=SYSTEM), "unit")


def test_first_contact(officer: Any, intake: Intake) -> None:
    refused(lambda: services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 3)), "on")
    services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 6))
    intake.refresh_from_db()
    assert intake.first_contact_on == D(2024, 3, 6)
    refused(lambda: services.intake_first_contact(actor=officer, intake=intake, on=D(2024, 3, 7)), "on")


# --- Investigation ---------------------------------------------------------------------------------


def test_investigation_is_a_versioned_draft(officer: Any, intake: Intake) -> None:
    inv = services.investigation_start(actor=officer, case=intake.case, intake=intake, started_on=D(2024, 3, 6))
    inv = services.investigation_save(
        actor=officer, investigation=inv, expected_version=1, own_description="Jag vill komma ut mer.", needs="Stöd"
    )
    assert inv.version == 2
    with pytest.raises(ConflictError):
        services.investigation_save(actor=officer, investigation=inv, expected_version=1, needs="Annat")
    inv.refresh_from_db()
    assert inv.needs == "Stöd"
    refused(lambda: services.investigation_start(actor=officer, case=intake.case), "case")  # one draft
    inv = services.communication_record(
        actor=officer,
        investigation=inv,
        communicated_on=D(2024, 3, 20),
        response="Inget att tillägga.",
        expected_version=2,
    )
    inv = services.investigation_complete(
        actor=officer, investigation=inv, completed_on=D(2024, 3, 25), expected_version=inv.version
    )
    assert inv.status == Investigation.Status.COMPLETED
    refused(
        lambda: services.investigation_save(actor=officer, investigation=inv, expected_version=inv.version, needs="x"),
        "status",
    )


def test_a_source_is_contacted_only_after_consent(officer: Any, intake: Intake) -> None:
    inv = services.investigation_start(actor=officer, case=intake.case, started_on=D(2024, 3, 6))
    source = services.consent_record(
        actor=officer, investigation=inv, name="Habiliteringen", consent_on=D(2024, 3, 8), consent_by="Sigrid själv"
    )
    refused(
        lambda: services.source_contact_record(actor=officer, source=source, contacted_on=D(2024, 3, 7)), "contacted_on"
    )
    no_consent = InvestigationSource.objects.create(investigation=inv, name="Skolan")  # as an old import might hold
    refused(
        lambda: services.source_contact_record(actor=officer, source=no_consent, contacted_on=D(2024, 3, 9)),
        "contacted_on",
    )
    services.source_contact_record(actor=officer, source=source, contacted_on=D(2024, 3, 9))
    source.refresh_from_db()
    assert source.contacted_on == D(2024, 3, 9)
    refused(
        lambda: services.consent_record(
            actor=officer, investigation=inv, name="Skolan", consent_on=D(2024, 3, 8), consent_by=""
        ),
        "consent_by",
    )


# --- Decisions -------------------------------------------------------------------------------------


def test_a_decision_is_made_and_audited(officer: Any, intake: Intake) -> None:
    decision = f.decide(intake, actor=officer)
    assert decision.decided_by == officer and decision.decided_by_role == "Biståndshandläggare"
    assert AuditEvent.objects.filter(action="decision.make", object_id=str(decision.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"decision_date": D(2024, 3, 3)}, "decision_date"),  # before the application
        ({"scope_amount": 0}, "scope_amount"),
        ({"scope_amount": "-5"}, "scope_amount"),
        ({"scope_amount": "tio"}, "scope_amount"),
        ({"scope_amount": "NaN"}, "scope_amount"),
        ({"period_end": D(2024, 4, 1)}, "period_end"),
        ({"decision_date": D(2099, 1, 1)}, "decision_date"),
        ({"reasons": " "}, "reasons"),
        ({"outcome": "kanske"}, "outcome"),
        # personal assistance (LSS 9 § 2) is not delegated to the case officer
        ({"service_code": "lss_9_2"}, "decided_by"),
    ],
)
def test_bad_decisions_are_refused(officer: Any, intake: Intake, overrides: dict[str, Any], field: str) -> None:
    if "service_code" in overrides:  # reference data exists only inside the test's database
        overrides = {"service": f.service(overrides["service_code"])}
    refused(lambda: f.decide(intake, actor=officer, **overrides), field)


# Kommunicering before the decision (FL 25 §): only a full bifall may be made without it.
REFUSAL = {"outcome": "refused", "scope_amount": None, "scope_unit": "", "period_start": None, "period_end": None}
PARTLY = {"outcome": "partly", "scope_amount": Decimal("4")}


@pytest.mark.parametrize("adverse", [REFUSAL, PARTLY], ids=["avslag", "delvis bifall"])
def test_an_adverse_decision_waits_for_the_communication(officer: Any, intake: Intake, adverse: dict[str, Any]) -> None:
    error = refused(lambda: f.decide(intake, actor=officer, investigation=None, **adverse), "investigation")
    assert error.error_dict["investigation"][0].code == "not_communicated"  # type: ignore[attr-defined]
    inv = services.investigation_start(actor=officer, case=intake.case, intake=intake, started_on=D(2024, 3, 6))
    error = refused(lambda: f.decide(intake, actor=officer, investigation=inv, **adverse), "investigation")
    assert "Kommunicerad" in error.message_dict["investigation"][0]  # type: ignore[attr-defined]
    inv = services.communication_record(
        actor=officer,
        investigation=inv,
        communicated_on=D(2024, 3, 25),
        response="Inget att tillägga.",
        expected_version=inv.version,
    )
    # communicated after the decision's day: the decision cannot be dated before it
    error = refused(
        lambda: f.decide(intake, actor=officer, investigation=inv, decision_date=D(2024, 3, 20), **adverse),
        "decision_date",
    )
    assert error.error_dict["decision_date"][0].code == "communicated_after_decision"  # type: ignore[attr-defined]
    decision = f.decide(intake, actor=officer, investigation=inv, decision_date=D(2024, 3, 25), **adverse)
    assert decision.investigation == inv and decision.outcome == adverse["outcome"]


def test_a_full_bifall_needs_no_communication(officer: Any, intake: Intake) -> None:
    inv = services.investigation_start(actor=officer, case=intake.case, intake=intake, started_on=D(2024, 3, 6))
    assert f.decide(intake, actor=officer, investigation=inv).outcome == "granted"  # FL 25 § andra stycket 1
    assert f.decide(intake, actor=officer, investigation=None).outcome == "granted"


def test_a_decision_recording_a_court_change_needs_no_communication(officer: Any, intake: Intake) -> None:
    """The court decided it; the committee records it (appeal_judgment_with_decision passes by_court)."""
    decision = services.decision_make(
        actor=officer,
        case=intake.case,
        intake=intake,
        service=f.service(),
        reasons="Förvaltningsrätten har ändrat beslutet.",
        decision_date=f.DECIDED,
        by_court=True,
        **{**PARTLY, "scope_unit": "month", "period_start": f.DECIDED},
    )
    assert decision.outcome == "partly"


def test_the_deputy_manager_may_decide_personal_assistance(org: Organisation, intake: Intake) -> None:
    deputy = make_user("bitr", RoleCode.DEPUTY_MANAGER, org.purchaser)
    decision = f.decide(intake, actor=deputy, service=f.service("lss_9_2"), scope_amount=15, scope_unit="week")
    assert decision.decided_by == deputy


def test_no_decision_without_the_decide_permission(org: Organisation, intake: Intake) -> None:
    staffer = make_user("medarb", RoleCode.EMPLOYEE, org.purchaser)
    refused(lambda: f.decide(intake, actor=staffer), error=PermissionDenied)


def test_a_refusal_keeps_no_scope(officer: Any, intake: Intake) -> None:
    decision = f.decide(intake, actor=officer, outcome="refused")
    assert decision.scope_amount is None and decision.period_start is None


def test_a_new_decision_supersedes_and_the_old_stays(officer: Any, intake: Intake) -> None:
    old = f.decide(intake, actor=officer)
    new = f.decide(intake, actor=officer, supersedes=old, decision_date=D(2024, 6, 3), scope_amount=Decimal("14"))
    old.refresh_from_db()
    assert old.superseded_by == new and old.scope_amount == Decimal("10")
    refused(lambda: f.decide(intake, actor=officer, supersedes=old, decision_date=D(2024, 6, 4)), "supersedes")
    refused(lambda: f.decide(intake, actor=officer, supersedes=new, decision_date=D(2024, 6, 2)), "decision_date")


def test_receipt_date_is_recorded_once(officer: Any, intake: Intake) -> None:
    decision = f.decide(intake, actor=officer)
    refused(
        lambda: services.decision_receipt_record(actor=officer, decision=decision, received_on=D(2024, 4, 1)),
        "received_on",
    )
    services.decision_receipt_record(actor=officer, decision=decision, received_on=D(2024, 4, 5))
    refused(
        lambda: services.decision_receipt_record(actor=officer, decision=decision, received_on=D(2024, 4, 6)),
        "received_on",
    )


# --- Orders ----------------------------------------------------------------------------------------


def test_the_order_arrives_at_the_provider_and_its_steps_come_back(
    org: Organisation, officer: Any, intake: Intake, manager: Any
) -> None:
    decision = f.decide(intake, actor=officer)
    order = services.order_from_decision(
        actor=officer,
        decision=decision,
        ordered_on=D(2024, 4, 3),
        provider_unit=org.provider,
        free_choice_informed_on=D(2024, 4, 2),
        goals="Att träffa vänner.",
    )
    care_order = order.care_order
    assert care_order is not None
    assert (care_order.unit, care_order.status, care_order.client) == (
        org.provider,
        Order.Status.RECEIVED,
        intake.case.client,
    )
    assert care_order.scope_amount == Decimal("10") and care_order.decision_date == f.DECIDED
    assert care_order.case_officer == officer.get_full_name()
    # The provider's manager sees it among the unit's orders and records the steps.
    from bista.care import selectors as care_selectors

    assert care_selectors.order_search(manager).filter(pk=care_order.pk).exists()
    care_order = care_services.order_record_step(
        actor=manager, order=care_order, step="first_contact", on=D(2024, 4, 8)
    )
    care_order = care_services.order_record_step(actor=manager, order=care_order, step="executed", on=D(2024, 5, 2))
    care_order = care_services.order_record_step(actor=manager, order=care_order, step="interrupted", on=D(2024, 8, 1))
    care_services.order_record_step(actor=manager, order=care_order, step="resumed", on=D(2024, 9, 1))
    [view] = selectors.case_orders(intake.case)
    assert [s.kind for s in view.steps] == ["received", "first_contact", "executed", "interrupted", "resumed"]
    assert view.executed_on == D(2024, 5, 2)


def test_an_external_order_gets_its_execution_date_from_the_case_officer(officer: Any, intake: Intake) -> None:
    decision = f.decide(intake, actor=officer)
    order = services.order_from_decision(
        actor=officer, decision=decision, ordered_on=D(2024, 4, 3), external_provider="Assistansbolaget AB"
    )
    assert order.care_order is None
    refused(
        lambda: services.external_execution_record(actor=officer, order=order, executed_on=D(2024, 4, 1)), "executed_on"
    )
    services.external_execution_record(actor=officer, order=order, executed_on=D(2024, 4, 20))
    assert selectors.case_orders(intake.case)[0].executed_on == D(2024, 4, 20)


def test_refused_and_bad_orders(org: Organisation, officer: Any, intake: Intake) -> None:
    refusal = f.decide(intake, actor=officer, outcome="refused")
    refused(
        lambda: services.order_from_decision(
            actor=officer, decision=refusal, ordered_on=D(2024, 4, 3), provider_unit=org.provider
        ),
        "decision",
    )
    decision = f.decide(intake, actor=officer)
    for kwargs, field in [
        ({"ordered_on": D(2024, 4, 1), "provider_unit": org.provider}, "ordered_on"),
        ({"ordered_on": D(2024, 4, 3)}, "provider_unit"),
        ({"ordered_on": D(2024, 4, 3), "provider_unit": org.provider, "external_provider": "X"}, "provider_unit"),
        ({"ordered_on": D(2024, 4, 3), "provider_unit": org.purchaser}, "provider_unit"),
        ({"ordered_on": D(2099, 4, 3), "provider_unit": org.provider}, "ordered_on"),
    ]:
        refused(lambda kwargs=kwargs: services.order_from_decision(actor=officer, decision=decision, **kwargs), field)


# --- Reassigning -----------------------------------------------------------------------------------


def test_a_case_officer_sees_the_cases_of_their_group(org: Organisation, officer: Any, intake: Intake) -> None:
    from bista.core.models import Team
    from bista.rostering.tests.factories import make_employee

    group = Team.objects.create(unit=org.purchaser, name="Barn och unga", kind=Team.Kind.CASEWORK)
    other_group = Team.objects.create(unit=org.purchaser, name="Vuxna", kind=Team.Kind.CASEWORK)
    chief = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    colleague, outsider, alone = (f.officer(org, name) for name in ("kollega", "annangrupp", "ingengrupp"))
    make_employee(org.purchaser, "Kim", teams=[group], user=colleague, regime=None)
    make_employee(org.purchaser, "Ola", teams=[other_group], user=outsider, regime=None)
    make_employee(org.purchaser, "Pia", user=alone, regime=None)
    services.case_assign(actor=chief, case=intake.case, officer=officer, team=group, expected_version=1)
    case_id = intake.case_id
    assert selectors.visible_cases(colleague).filter(pk=case_id).exists()  # the same group
    assert selectors.case_get(colleague, case_id).pk == case_id
    for stranger in (outsider, alone):  # another group, or none
        assert not selectors.visible_cases(stranger).filter(pk=case_id).exists()
    # A group no longer active opens nothing.
    Team.objects.filter(pk=group.pk).update(is_active=False)
    assert not selectors.visible_cases(colleague).filter(pk=case_id).exists()


def test_reassigning_a_case(org: Organisation, officer: Any, intake: Intake) -> None:
    chief = make_user("bestallarchef", RoleCode.UNIT_MANAGER, org.purchaser)
    other = f.officer(org, "handlaggare2")
    case = services.case_assign(actor=chief, case=intake.case, officer=other, team=None, expected_version=1)
    assert case.officer == other and case.version == 2
    refused(
        lambda: services.case_assign(actor=officer, case=case, officer=officer, team=None, expected_version=2),
        error=PermissionDenied,
    )
    refused(
        lambda: services.case_assign(actor=chief, case=case, officer=make_user("x"), team=None, expected_version=2),
        "officer",
    )
    refused(
        lambda: services.case_assign(actor=chief, case=case, officer=other, team=org.team, expected_version=2), "team"
    )
