"""The demo's provider-chain history (bista.demo.care): a small demo, generated through the services once for
the module (the `demo` fixture, conftest.py)."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.db.models import F

from bista.care import services as care_services
from bista.care.models import (
    Delivery,
    HomeBinder,
    ImplementationPlan,
    JournalEntry,
    JournalObjection,
    Order,
    OrderEvent,
)
from bista.care.selectors import todo_for
from bista.clients.models import Client, ClientUnit
from bista.core.access import has_perm
from bista.core.deadlines import DutyState
from bista.core.models import AuditEvent
from bista.core.permissions import Perm
from bista.demo import generator
from bista.demo.plan import make_plan
from bista.staff.models import Employee

# After SoL 2025:400 came into force (1 July 2025), so orders under both SoL rows appear.
TODAY = datetime.date(2025, 11, 30)
SMALL: dict[str, Any] = {"scale": "unit", "years": 3, "seed": 3, "size": 0.05, "today": TODAY}


def care_fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """What the care steps wrote, without database ids or timestamps of the run."""
    return {
        "orders": sorted(
            Order.objects.values_list(
                "client__personnummer",
                "service__code",
                "decision_date",
                "received_on",
                "first_contact_on",
                "plan_established_on",
                "executed_on",
                "ended_on",
                "status",
                "scope_amount",
                "deputy__username",
            )
        ),
        "events": sorted(OrderEvent.objects.values_list("order__client__personnummer", "kind", "on")),
        "plans": sorted(
            ImplementationPlan.objects.values_list("client__personnummer", "number", "status", "signed_on", "goals")
        ),
        "journal": sorted(
            JournalEntry.objects.values_list("client__personnummer", "event_date", "author__username", "text")
        ),
        "objections": sorted(JournalObjection.objects.values_list("entry__client__personnummer", "text")),
        "binders": sorted(HomeBinder.objects.values_list("client__personnummer", "kind", "number", "reviewed_on")),
        "deliveries": sorted(Delivery.objects.values_list("client__personnummer", "delivered_on", "kind", "items")),
    }


@pytest.mark.django_db
def test_small_demo_has_the_whole_provider_chain(demo: generator.Context) -> None:
    ctx = demo
    provider = ctx.districts[0].provider

    # Orders in every status, each under the service row valid on its decision date, with dates in order.
    assert set(Order.objects.values_list("status", flat=True)) == set(Order.Status.values)
    for order in Order.objects.select_related("service"):
        service = order.service
        assert service.valid_from <= order.decision_date
        assert service.valid_to is None or order.decision_date < service.valid_to
        assert order.decision_date <= order.received_on <= TODAY
        assert order.first_contact_on is None or order.received_on <= order.first_contact_on <= TODAY
        assert order.executed_on is None or order.decision_date <= order.executed_on <= TODAY
        assert order.ended_on is None or order.ended_on <= TODAY
    codes = set(Order.objects.values_list("service__code", flat=True))
    assert {"lss_9_3", "lss_9_4", "lss_9_5"} <= codes
    assert any(code.startswith("sol") for code in codes)

    # Clients who left are inactive again, with no open link, and every order of theirs has ended.
    ended = Client.objects.filter(is_active=False, unit_links__unit=provider).distinct()
    assert ended.exists()
    assert not ClientUnit.objects.filter(client__in=ended, until__isnull=True).exists()
    assert not Order.objects.filter(client__in=ended).exclude(status=Order.Status.ENDED).exists()
    assert Order.objects.filter(client__in=ended).exists()

    # Plans: signed and superseded versions; each superseded one was followed by a later signed version.
    statuses = Counter(ImplementationPlan.objects.values_list("status", flat=True))
    assert statuses[ImplementationPlan.Status.SIGNED] and statuses[ImplementationPlan.Status.SUPERSEDED]
    for plan in ImplementationPlan.objects.filter(status=ImplementationPlan.Status.SUPERSEDED):
        later = ImplementationPlan.objects.get(previous=plan)
        assert later.signed_on is not None and plan.signed_on is not None and later.signed_on >= plan.signed_on
    assert not ImplementationPlan.objects.filter(activities__isnull=True).exists()

    # Journal: written by real demo users employed on the event date, who may write in the journal today.
    entries = JournalEntry.objects.select_related("author")
    assert entries.filter(corrects__isnull=False).exists()
    assert JournalObjection.objects.exists()
    assert not entries.filter(written_at__date__lt=F("event_date")).exists()
    for entry in entries.filter(pk__in=entries.values("pk")[:300]):
        employee = Employee.objects.get(user=entry.author)
        assert employee.start_date <= entry.event_date
        assert has_perm(entry.author, Perm.JOURNAL_WRITE, provider)
    busiest = Counter(entries.values_list("client_id", flat=True)).most_common(2)
    assert busiest[0][1] >= make_plan(size=SMALL["size"]).district.busy_journal_entries // 2
    assert busiest[0][1] > 3 * busiest[1][1]

    # Home binders of every kind, one current revision each; deliveries, some clients above four a year.
    assert set(HomeBinder.objects.values_list("kind", flat=True)) == set(HomeBinder.Kind.values)
    current = Counter(HomeBinder.objects.filter(is_current=True).values_list("client_id", "kind"))
    assert set(current.values()) == {1}
    assert HomeBinder.objects.filter(number__gt=1).exists()
    assert Delivery.objects.filter(delivered_on__lte=TODAY).count() == Delivery.objects.count() > 0

    # Every write went through the services: each record has its audit event.
    events = AuditEvent.objects.filter(request_id="demo-unit-3")
    # The orders came in as history (care.order_history_import): one import event per client and import, counting
    # the orders, steps and plan versions it saved; only today's interruption was recorded as a step of its own.
    order_imports = events.filter(action="order.import")
    assert not events.filter(action="order.create").exists()
    assert sum(event.new_values["orders"] for event in order_imports) == Order.objects.count()
    assert order_imports.values("object_id").distinct().count() == Order.objects.values("client").distinct().count()
    steps = events.filter(action__in=[f"order.{kind}" for kind in OrderEvent.Kind.values])
    assert steps.count() == 1 and steps.get().action == "order.interrupted"
    assert sum(event.new_values["events"] for event in order_imports) + 1 == OrderEvent.objects.count()
    # The journal's ten years came in as history, one import event per client, each entry signed as Bistå signs.
    imports = events.filter(action="journal.import")
    assert sum(event.new_values["entries"] for event in imports) == JournalEntry.objects.count()
    assert imports.count() == JournalEntry.objects.values("client").distinct().count()
    assert all(care_services.journal_signature_valid(entry) for entry in JournalEntry.objects.all())
    assert JournalEntry.objects.filter(corrects__isnull=False).exists()
    # The binders likewise: one import per client, numbered per kind with the last current.
    binder_imports = events.filter(action="binder.import")
    assert sum(event.new_values["revisions"] for event in binder_imports) == HomeBinder.objects.count()
    assert binder_imports.count() == HomeBinder.objects.values("client").distinct().count()
    assert events.filter(action="delivery.create").count() == Delivery.objects.count()


@pytest.mark.django_db
def test_att_gora_shows_overdue_and_late_duties_for_the_unit(demo: generator.Context) -> None:
    ctx = demo
    d = ctx.districts[0]
    todo = todo_for(d.managers["provider"], today=TODAY, unit_id=d.provider.pk)
    overdue = Counter(duty.rule.code for duty in todo.overdue)
    assert overdue["care.first_contact"] >= make_plan(size=SMALL["size"]).district.overdue_first_contacts
    assert overdue["care.execution"] >= 1  # decided more than three months ago, not executed
    assert all(duty.state(TODAY) is DutyState.OVERDUE for duty in todo.overdue)
    assert todo.done_late
    assert any(duty.rule.code == "care.first_contact" for duty in todo.done_late)
    # "A few": the rest of the unit is in time.
    assert len(todo.overdue) <= 12


FINGERPRINT = care_fingerprint  # what conftest.py's `generated_apart` records


@pytest.mark.django_db
def test_same_seed_gives_the_same_provider_chain(
    generated_apart: dict[str, list[tuple[Any, ...]]], demo: generator.Context
) -> None:
    """Two generations with the same seed, each into the empty database: one rolled back before the module's
    shared demo was made (conftest.py), and the shared demo itself."""
    first = generated_apart
    assert first["orders"] and first["journal"] and first["binders"]
    assert care_fingerprint() == first
