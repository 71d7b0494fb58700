"""history_import: a client's whole purchaser history at once (a migration, the demo's ten years), each record
checked as the hand-made one is, all or nothing, one audit event and one access-log row per client."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care import services as care_services
from bista.care.models import Order
from bista.casework import services
from bista.casework.models import (
    Appeal,
    Case,
    CaseOrder,
    Decision,
    ExecutionDelay,
    FollowUp,
    Intake,
    Investigation,
)
from bista.casework.services import (
    ImportedAppeal,
    ImportedDecision,
    ImportedDelay,
    ImportedFollowUp,
    ImportedHistory,
    ImportedIntake,
    ImportedInvestigation,
    ImportedOrder,
)
from bista.casework.tests import factories as f
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import fake_personnummer

D = datetime.date
pytestmark = pytest.mark.django_db
SAVED = (Case, Intake, Investigation, Decision, CaseOrder, FollowUp, Appeal, ExecutionDelay)


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def child(org: Organisation) -> Client:
    """A child (born 2012) of the purchaser, served by the provider since 2019."""
    client = client_services.client_create(
        actor=SYSTEM,
        unit=org.purchaser,
        personnummer=fake_personnummer("20120305", 982),
        first_name="Ella",
        last_name="Lind",
        since=D(2018, 1, 10),
        fictitious=True,
    )
    client_services.client_link_unit(actor=SYSTEM, client=client, unit=org.provider, since=D(2019, 1, 1))
    return client


def _care_order(org: Organisation, client: Client, decided: datetime.date, received: datetime.date) -> Order:
    return care_services.order_create(
        actor=SYSTEM,
        client=client,
        unit=org.provider,
        service=f.service("lss_9_3"),
        decision_date=decided,
        received_on=received,
        scope_amount=Decimal("10"),
        scope_unit="month",
        period_start=decided,
        period_end=None,
    )


def _granted(officer: Any, decided: datetime.date, **extra: Any) -> ImportedDecision:
    values: dict[str, Any] = {
        "service": f.service("lss_9_3"),
        "outcome": Decision.Outcome.GRANTED,
        "decision_date": decided,
        "reasons": "Du behöver stöd för att delta i samhällets liv.",
        "decided_by": officer,
        "scope_amount": Decimal("10"),
        "scope_unit": "month",
        "period_start": decided,
        **extra,
    }
    return ImportedDecision(**values)


def _history(org: Organisation, officer: Any, child: Client) -> ImportedHistory:
    """Ledsagarservice since 2019 (before the delegation order Bistå knows), reassessed in 2022 with the
    provider's orders; a refused application for assistance appealed, changed by the court, not executed."""
    first_order = _care_order(org, child, D(2019, 1, 1), D(2019, 1, 8))
    second_order = _care_order(org, child, D(2022, 2, 1), D(2022, 2, 3))
    manager = make_user("chef", RoleCode.UNIT_MANAGER, org.purchaser)
    investigation = ImportedInvestigation(
        started_on=D(2021, 11, 1),
        completed_on=D(2022, 1, 20),
        communicated_on=D(2022, 1, 10),
        texts={"needs": "Stöd att ta sig till aktiviteter.", "child_view": "Jag vill gå på fotboll."},
        child_took_part=True,
        child_got_feedback=True,
        school_contacted=True,
    )
    first = _granted(
        officer,
        D(2019, 1, 1),
        key="first",
        received_on=D(2019, 1, 4),
        orders=[ImportedOrder(ordered_on=D(2019, 1, 8), care_order=first_order)],
        follow_ups=[ImportedFollowUp(on=D(2020, 1, 15), own_view="Bra stöd.", outcome="continue", done_by=officer)],
    )
    second = _granted(
        officer,
        D(2022, 2, 1),
        supersedes="first",
        orders=[ImportedOrder(ordered_on=D(2022, 2, 3), care_order=second_order)],
    )
    court_change = ImportedDecision(
        service=f.service("lss_9_2"),
        outcome=Decision.Outcome.PARTLY,
        decision_date=D(2023, 3, 1),
        reasons="Förvaltningsrätten har beslutat om assistans i mindre omfattning.",
        decided_by=manager,
        scope_amount=Decimal("20"),
        scope_unit="week",
        period_start=D(2023, 3, 1),
        orders=[
            ImportedOrder(
                ordered_on=D(2023, 3, 10),
                external_provider="Assistansbolaget AB",
                free_choice_informed_on=D(2023, 3, 5),
            )
        ],
        delays=[
            ImportedDelay(recorded_on=D(2023, 6, 5), reason="declined", offer_declined_on=D(2023, 5, 20), note="Nej.")
        ],
    )
    refusal = ImportedDecision(
        service=f.service("lss_9_2"),
        outcome=Decision.Outcome.REFUSED,
        decision_date=D(2022, 9, 1),
        reasons="Behoven är inte så stora att de ger rätt till personlig assistans.",
        decided_by=manager,
        received_on=D(2022, 9, 3),
        appeals=[
            ImportedAppeal(
                received_on=D(2022, 9, 20),
                reconsideration="unchanged",
                reconsidered_on=D(2022, 9, 25),
                forwarded_on=D(2022, 9, 27),
                judgment="changed",
                judgment_on=D(2023, 3, 1),
                new_decision=court_change,
            )
        ],
    )
    return ImportedHistory(
        client=child,
        officer=officer,
        intakes=[
            ImportedIntake(
                kind="application",
                sender="guardian",
                received_on=D(2018, 12, 1),
                channel="letter",
                requested="Ledsagarservice.",
                services=[f.service("lss_9_3")],
                first_contact_on=D(2018, 12, 3),
                decisions=[first],
            ),
            ImportedIntake(
                kind="application",
                sender="guardian",
                received_on=D(2021, 10, 20),
                channel="e_service",
                requested="Fortsatt ledsagarservice.",
                investigation=investigation,
                decisions=[second],
            ),
            ImportedIntake(
                kind="report",
                sender="school",
                received_on=D(2022, 6, 1),
                channel="email",
                requested="Skolan anmäler behov av assistans.",
                decisions=[refusal],
            ),
        ],
    )


def test_a_history_is_imported_whole(org: Organisation, officer: Any, child: Client) -> None:
    history = _history(org, officer, child)
    (case,) = services.history_import(actor=SYSTEM, unit=org.purchaser, histories=[history])
    assert (case.opened_on, case.officer, case.closed_on) == (D(2018, 12, 1), officer, None)
    first, second = Decision.objects.filter(service__code="lss_9_3").order_by("decision_date")
    assert second.supersedes == first and second.investigation.child_view == "Jag vill gå på fotboll."
    assert first.decided_by_role == ""  # before the delegation order: kept as made
    assert second.decided_by_role == "Biståndshandläggare"
    care_orders = Order.objects.filter(client=child).order_by("decision_date")
    assert [o.case_order.decision for o in care_orders] == [first, second]
    appeal = Appeal.objects.get()
    changed = Decision.objects.get(outcome="partly")
    assert appeal.timely and appeal.new_decision == changed and changed.supersedes == appeal.decision
    assert changed.intake == appeal.decision.intake
    assert CaseOrder.objects.get(decision=changed).external_provider == "Assistansbolaget AB"
    assert ExecutionDelay.objects.get().decision == changed
    assert FollowUp.objects.get().done_by_name == officer.get_full_name()
    assert Investigation.objects.get().status == Investigation.Status.COMPLETED
    assert list(Intake.objects.get(kind="application", received_on=D(2018, 12, 1)).services.all()) == [
        f.service("lss_9_3")
    ]
    (event,) = AuditEvent.objects.filter(action="case.import")
    assert event.new_values["decisions"] == 4 and event.new_values["orders"] == 3
    assert AccessLogEntry.objects.filter(client=child, action="write", detail="ärendehistorik").count() == 1


def _replace(history: ImportedHistory, intake: int, **changes: Any) -> ImportedHistory:
    intakes = list(history.intakes)
    intakes[intake] = dataclasses.replace(intakes[intake], **changes)
    return dataclasses.replace(history, intakes=intakes)


def _decision(history: ImportedHistory, intake: int, **changes: Any) -> ImportedHistory:
    (decision,) = history.intakes[intake].decisions
    return _replace(history, intake, decisions=[dataclasses.replace(decision, **changes)])


BAD: dict[str, Any] = {
    "application from a school": lambda h, o: _replace(h, 0, sender="school"),
    "first contact before the intake": lambda h, o: _replace(h, 0, first_contact_on=D(2018, 11, 1)),
    "investigation completed before it began": lambda h, o: _replace(
        h, 1, investigation=dataclasses.replace(h.intakes[1].investigation, completed_on=D(2021, 10, 1))
    ),
    "decision before its application": lambda h, o: _decision(h, 1, decision_date=D(2021, 10, 1)),
    "zero hours": lambda h, o: _decision(h, 1, scope_amount=Decimal("0")),
    "no delegation (assistance by a case officer)": lambda h, o: _decision(h, 2, decided_by=o),
    "case officer without a role in the unit": lambda h, o: dataclasses.replace(h, officer=make_user("utan.roll")),
    "supersedes an unknown decision": lambda h, o: _decision(h, 1, supersedes="nowhere"),
    "order not matching the care order": lambda h, o: _decision(h, 1, scope_amount=Decimal("12")),
    "order from a refusal": lambda h, o: _decision(
        h, 2, orders=[ImportedOrder(ordered_on=D(2022, 9, 2), external_provider="X")]
    ),
    "care order linked twice": lambda h, o: _decision(
        h, 1, orders=[*h.intakes[1].decisions[0].orders, *h.intakes[1].decisions[0].orders]
    ),
    "follow-up of a refusal": lambda h, o: _decision(
        h, 2, follow_ups=[ImportedFollowUp(on=D(2022, 10, 1), own_view="Nej.", outcome="continue")]
    ),
    "appeal before the decision": lambda h, o: _decision(
        h, 2, appeals=[dataclasses.replace(h.intakes[2].decisions[0].appeals[0], received_on=D(2022, 8, 1))]
    ),
    "court change without the new decision": lambda h, o: _decision(
        h, 2, appeals=[dataclasses.replace(h.intakes[2].decisions[0].appeals[0], new_decision=None)]
    ),
    "judgment before forwarding": lambda h, o: _decision(
        h, 2, appeals=[dataclasses.replace(h.intakes[2].decisions[0].appeals[0], forwarded_on=None)]
    ),
    "declined offer without its date": lambda h, o: _decision(
        h, 0, delays=[ImportedDelay(recorded_on=D(2019, 5, 1), reason="declined")]
    ),
    "a decision in the future": lambda h, o: _decision(h, 1, decision_date=D(2999, 1, 1)),
}


@pytest.mark.parametrize("bad", list(BAD))
def test_a_bad_record_saves_nothing(org: Organisation, officer: Any, child: Client, bad: str) -> None:
    history = BAD[bad](_history(org, officer, child), officer)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.history_import(actor=SYSTEM, unit=org.purchaser, histories=[history])
    assert refused.value.message_dict["history"]  # each message names the record ("Ansökan 2, beslut 1: …")
    assert all(not model.objects.exists() for model in SAVED)
    assert AuditEvent.objects.count() == events
    assert not AccessLogEntry.objects.filter(detail="ärendehistorik").exists()


def test_a_client_with_a_case_and_a_person_are_refused(org: Organisation, officer: Any, child: Client) -> None:
    history = _history(org, officer, child)
    with pytest.raises(PermissionDenied):
        services.history_import(actor=officer, unit=org.purchaser, histories=[history])
    f.register(org.purchaser, actor=officer, client=child)
    with pytest.raises(ValidationError, match="redan ett ärende"):
        services.history_import(actor=SYSTEM, unit=org.purchaser, histories=[history])
    assert Decision.objects.count() == 0
