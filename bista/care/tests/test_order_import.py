"""Bringing a client's orders over from the previous system: the same records as registering them through the
services one step at a time, checked as those services check them, all or nothing, one audit event."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care import services
from bista.care.models import ImplementationPlan, Order, OrderEvent, PlanActivity
from bista.care.tests import factories as f
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user

D = datetime.date


@pytest.fixture
def deputy(org: Organisation) -> Any:
    return make_user("bitr", RoleCode.DEPUTY_MANAGER, org.provider)


Kind = OrderEvent.Kind
REVIEWED = {**f.PLAN_TEXTS, "client_view": "Brukaren vill också simma.", "follow_up_on": D(2025, 3, 1)}
SECOND_ACTIVITY = {**f.ACTIVITY, "goal": "Simma", "when": "Varje vecka"}


def _chain(deputy: Any, team: Any) -> list[services.ImportedOrder]:
    """Two orders: the first with every step and a reviewed plan, ended by a reassessment; the second open."""
    first = services.ImportedOrder(
        service=f.service(),
        decision_date=f.DECIDED,
        received_on=f.RECEIVED,
        scope_amount=10,
        scope_unit=Order.ScopeUnit.MONTH,
        period_start=f.DECIDED,
        deputy=deputy,
        team=team,
        details={"goals": " Att kunna gå på bio. ", "case_officer": "Kim Handläggare"},
        steps=[
            services.ImportedStep(Kind.FIRST_CONTACT, D(2024, 1, 20), "Hembesök."),
            services.ImportedStep(Kind.EXECUTED, D(2024, 2, 1)),
            services.ImportedStep(Kind.INTERRUPTED, D(2024, 5, 1), "Sjukhusvistelse."),
            services.ImportedStep(Kind.RESUMED, D(2024, 6, 1)),
            services.ImportedStep(Kind.ENDED, D(2025, 4, 1), "Ny beställning efter omprövning."),
        ],
        plans=[
            services.ImportedPlanVersion(
                signed_on=D(2024, 1, 25),
                texts={**f.PLAN_TEXTS, "follow_up_on": D(2025, 1, 25)},
                activities=[f.ACTIVITY],
                signed_by=deputy,
            ),
            services.ImportedPlanVersion(
                signed_on=D(2025, 1, 20), texts=REVIEWED, activities=[f.ACTIVITY, SECOND_ACTIVITY], signed_by=deputy
            ),
        ],
    )
    second = services.ImportedOrder(
        service=f.service(),
        decision_date=D(2025, 3, 25),
        received_on=D(2025, 4, 1),
        scope_amount=12,
        scope_unit=Order.ScopeUnit.MONTH,
        period_start=D(2025, 3, 25),
        period_end=D(2027, 3, 24),
        deputy=deputy,
        steps=[services.ImportedStep(Kind.EXECUTED, D(2025, 4, 2))],
    )
    return [first, second]


def _registered(client: Client, org: Organisation, items: list[services.ImportedOrder]) -> None:
    """The same history registered through the services, one step at a time, in the order a user would."""
    for item in items:
        order = services.order_create(
            actor=SYSTEM,
            client=client,
            unit=org.provider,
            service=item.service,
            decision_date=item.decision_date,
            received_on=item.received_on,
            scope_amount=item.scope_amount,
            scope_unit=item.scope_unit,
            period_start=item.period_start,
            period_end=item.period_end,
            deputy=item.deputy,
            team=item.team,
            **item.details,
        )
        steps = list(item.steps)
        if steps and steps[0].kind == Kind.FIRST_CONTACT:
            order = f.step(order, Kind.FIRST_CONTACT, steps[0].on, note=steps[0].note)
            steps = steps[1:]
        plan = None
        for number, version in enumerate(item.plans):
            signer = version.signed_by
            if number == 0:
                plan = services.plan_create(actor=signer, order=order, activities=version.activities, **version.texts)
            else:
                assert plan is not None
                draft = services.plan_start_review(actor=signer, plan=plan)
                plan = services.plan_update(
                    actor=signer, plan=draft, expected_version=None, activities=version.activities, **version.texts
                )
            plan = services.plan_sign(actor=signer, plan=plan, expected_version=None, signed_on=version.signed_on)
            if number == 0:  # the later steps follow the plan's establishment, as in the import
                for item_step in [s for s in steps if s.kind != Kind.ENDED]:
                    order = f.step(order, item_step.kind, item_step.on, note=item_step.note)
                steps = [s for s in steps if s.kind == Kind.ENDED]
        for item_step in steps:
            order = f.step(Order.objects.get(pk=order.pk), item_step.kind, item_step.on, note=item_step.note)


def _history(client: Client) -> list[Any]:
    """Everything about the client's orders that is not an id or a clock time."""
    rows: list[Any] = []
    for order in Order.objects.filter(client=client).order_by("received_on"):
        rows.append(
            [
                getattr(order, name)
                for name in (
                    "unit_id",
                    "service_id",
                    "decision_date",
                    "received_on",
                    "scope_amount",
                    "scope_unit",
                    "period_start",
                    "period_end",
                    "goals",
                    "case_officer",
                    "deputy_id",
                    "team_id",
                    "status",
                    "first_contact_on",
                    "plan_established_on",
                    "executed_on",
                    "ended_on",
                )
            ]
        )
        rows.append([(e.kind, e.on, e.note, e.recorded_by_id) for e in order.events.order_by("on", "id")])
        for plan in order.plans.order_by("number"):
            previous = plan.previous.number if plan.previous else None
            texts = [getattr(plan, name) for name in services.PLAN_EDITABLE]
            rows.append(
                [plan.number, previous, plan.status, plan.signed_on, plan.signed_by_id, plan.created_by_id, texts]
            )
            rows.append(
                [[getattr(a, n) for n in services.ACTIVITY_FIELDS] for a in plan.activities.order_by("position")]
            )
    return rows


def test_an_import_makes_the_records_the_services_make_one_step_at_a_time(
    org: Organisation, astrid: Client, bertil: Client, deputy: Any
) -> None:
    _registered(astrid, org, _chain(deputy, org.team))
    events_before = AuditEvent.objects.count()
    orders = services.order_history_import(
        actor=SYSTEM, client=bertil, unit=org.provider, orders=_chain(deputy, org.team)
    )

    assert [o.status for o in orders] == [Order.Status.ENDED, Order.Status.EXECUTED]
    assert _history(bertil) == _history(astrid)
    assert len(_history(bertil)) == 8  # two orders with their events, two plan versions with their activities
    assert ImplementationPlan.objects.get(client=bertil, status=ImplementationPlan.Status.SIGNED).number == 2
    event = AuditEvent.objects.get(action="order.import")
    assert event.new_values["orders"] == 2 and event.new_values["events"] == 9 and event.new_values["plans"] == 2
    assert AuditEvent.objects.count() == events_before + 1  # not one per order, step and plan version
    assert AccessLogEntry.objects.filter(client=bertil, detail="beställningar").count() == 1
    # The imported order goes on as any order does.
    services.order_record_step(actor=SYSTEM, order=orders[1], step=Kind.INTERRUPTED, on=D(2025, 5, 1))


def _one(**changes: Any) -> services.ImportedOrder:
    values: dict[str, Any] = {
        "service": f.service(),
        "decision_date": f.DECIDED,
        "received_on": f.RECEIVED,
        "scope_amount": 10,
        "scope_unit": Order.ScopeUnit.MONTH,
        "period_start": f.DECIDED,
    }
    return services.ImportedOrder(**{**values, **changes})


PLAN = services.ImportedPlanVersion(signed_on=D(2024, 2, 1), texts=f.PLAN_TEXTS, activities=[f.ACTIVITY])


STEP = services.ImportedStep
VERSION = services.ImportedPlanVersion


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"received_on": D(2024, 1, 1)}, "före beslutsdatum"),
        ({"scope_amount": 0}, "större än noll"),
        ({"steps": [STEP(Kind.FIRST_CONTACT, D(2024, 1, 2))]}, "före det att beställningen"),
        ({"steps": [STEP(Kind.INTERRUPTED, D(2024, 2, 2))]}, "Bara en verkställd"),
        ({"steps": [STEP("received", D(2024, 2, 2))]}, "Okänt steg"),
        ({"steps": [STEP(Kind.EXECUTED, D(2024, 2, 2))] * 2}, "redan verkställd"),
        ({"steps": [STEP(Kind.ENDED, D(2024, 2, 2)), STEP(Kind.EXECUTED, D(2024, 3, 2))]}, "avslutad"),
        ({"plans": [VERSION(D(2024, 1, 12), f.PLAN_TEXTS, [f.ACTIVITY])]}, "före det att beställningen togs emot"),
        ({"plans": [PLAN, VERSION(D(2024, 1, 20), f.PLAN_TEXTS, [f.ACTIVITY])]}, "före den version"),
        ({"plans": [VERSION(D(2024, 2, 1), f.PLAN_TEXTS, [])]}, "minst en aktivitet"),
        ({"plans": [VERSION(D(2024, 2, 1), {"goals": "x"}, [f.ACTIVITY])]}, "Deltagare"),
        (
            {
                "steps": [STEP(Kind.ENDED, D(2024, 3, 1))],
                "plans": [PLAN, VERSION(D(2024, 4, 1), f.PLAN_TEXTS, [f.ACTIVITY])],
            },
            "planen kan inte undertecknas",
        ),
        ({"steps": "future"}, "framtiden"),
    ],
)
def test_a_bad_order_refuses_the_whole_import_naming_it(
    org: Organisation, astrid: Client, changes: dict[str, Any], message: str
) -> None:
    if changes.get("steps") == "future":
        changes = {"steps": [STEP(Kind.EXECUTED, clock.today() + datetime.timedelta(days=1))]}
    with pytest.raises(ValidationError) as error:
        services.order_history_import(actor=SYSTEM, client=astrid, unit=org.provider, orders=[_one(), _one(**changes)])
    assert any(text.startswith("Beställning 2: ") and message in text for text in error.value.messages), error.value
    assert not Order.objects.exists() and not OrderEvent.objects.exists() and not PlanActivity.objects.exists()
    assert not AuditEvent.objects.filter(action="order.import").exists()


def test_a_deputy_not_responsible_in_the_unit_is_refused(
    org: Organisation, astrid: Client, other_manager: Any, staffer: Any
) -> None:
    # A manager of another unit, and an assistant of this one (a role in the unit, but not care.responsible).
    for deputy in (other_manager, staffer):
        with pytest.raises(ValidationError, match="inte biträdande enhetschef eller enhetschef i enheten"):
            services.order_history_import(actor=SYSTEM, client=astrid, unit=org.provider, orders=[_one(deputy=deputy)])
    assert not Order.objects.exists()


def test_only_the_migration_imports_and_only_for_a_linked_active_client(
    org: Organisation, astrid: Client, cecilia: Client, manager: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.order_history_import(actor=manager, client=astrid, unit=org.provider, orders=[_one()])
    with pytest.raises(ValidationError, match="inte kopplad"):
        services.order_history_import(actor=SYSTEM, client=cecilia, unit=org.provider, orders=[_one()])
    with pytest.raises(TypeError, match="unknown order fields"):
        services.order_history_import(actor=SYSTEM, client=astrid, unit=org.provider, orders=[_one(details={"x": 1})])
    assert services.order_history_import(actor=SYSTEM, client=astrid, unit=org.provider, orders=[]) == []
    assert not Order.objects.exists() and not AuditEvent.objects.filter(action="order.import").exists()
