"""Helpers for tests of the provider chain: clients, orders, plans, journal entries and binders, all built
through the services as users would. Dates are explicit so deadlines can be computed by hand; they lie in
the past because the services refuse future dates."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from bista.care import services
from bista.care.models import HomeBinder, ImplementationPlan, JournalCategory, JournalEntry, Order, Service
from bista.clients import services as client_services
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.models import Team, Unit
from bista.core.personnummer import luhn_check_digit

# Fixed past dates used throughout: an order decided on DECIDED and received on RECEIVED.
DECIDED = datetime.date(2024, 1, 10)
RECEIVED = datetime.date(2024, 1, 15)

PLAN_TEXTS: dict[str, str] = {
    "goals": "Att kunna delta i aktiviteter utanför hemmet.",
    "participants": "Brukaren, god man och biträdande enhetschef.",
    "client_participation": "Brukaren deltog i mötet och valde själv aktiviteterna.",
    "client_view": "Brukaren vill gå på bio en gång i månaden.",
}
ACTIVITY: dict[str, str] = {
    "goal": "Gå på bio",
    "how": "Med ledsagare, kollektivtrafik",
    "when": "En gång i månaden",
    "responsible": "Ledsagaren",
}
RISK: dict[str, Any] = {
    "risk": "Fall i badrummet",
    "likelihood": 2,
    "consequence": 3,
    "action": "Halkmatta och stödhandtag",
    "owner": "Kontaktman",
}
CRISIS_TEXTS: dict[str, str] = {
    "contacts": "God man: 070-000 00 01",
    "instructions": "Vid brand: ring 112 och följ brukaren ut.",
}

_numbers = itertools.count()


def fake_personnummer() -> str:
    """A new formally valid personnummer in the 980-999 birth-number series kept for fictitious people."""
    n = next(_numbers)
    birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=37 * ((n // 20) % 700))
    birth_number = 980 + (n % 20)
    head = f"{birth:%y%m%d}{birth_number:03d}"
    return f"{birth:%Y}"[:2] + head + str(luhn_check_digit(head))


def make_client(
    unit: Unit,
    *,
    first_name: str = "Test",
    last_name: str = "Person",
    teams: Iterable[Team] = (),
    since: datetime.date | None = datetime.date(2023, 1, 1),
    **details: Any,
) -> Client:
    """A fictitious client linked to `unit` (and `teams`)."""
    return client_services.client_create(
        actor=SYSTEM,
        unit=unit,
        personnummer=fake_personnummer(),
        first_name=first_name,
        last_name=last_name,
        since=since,
        teams=list(teams),
        fictitious=True,
        **details,
    )


def service(code: str = "lss_9_3") -> Service:
    """A service (reference data); LSS 9 § 3 ledsagarservice unless another code is given."""
    return Service.objects.get(code=code)


def category(code: str = "handelse") -> JournalCategory:
    return JournalCategory.objects.get(code=code)


def make_order(
    client: Client,
    unit: Unit,
    *,
    actor: Any = SYSTEM,
    decision_date: datetime.date = DECIDED,
    received_on: datetime.date = RECEIVED,
    service_code: str = "lss_9_3",
    scope_amount: Any = 10,
    scope_unit: str = Order.ScopeUnit.WEEK,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    **details: Any,
) -> Order:
    """An order as registered by `actor` (SYSTEM by default); `details`: deputy, team, goals …"""
    return services.order_create(
        actor=actor,
        client=client,
        unit=unit,
        service=service(service_code),
        decision_date=decision_date,
        received_on=received_on,
        scope_amount=scope_amount,
        scope_unit=scope_unit,
        period_start=period_start or decision_date,
        period_end=period_end,
        **details,
    )


def step(order: Order, kind: str, on: datetime.date, *, actor: Any = SYSTEM, note: str = "") -> Order:
    """Record a step of the order and return the fresh order."""
    return services.order_record_step(actor=actor, order=order, step=kind, on=on, note=note)


def make_plan(
    order: Order,
    *,
    actor: Any = SYSTEM,
    activities: Iterable[Mapping[str, Any]] | None = None,
    **texts: Any,
) -> ImplementationPlan:
    """A first plan draft with the required texts and one activity."""
    return services.plan_create(
        actor=actor,
        order=order,
        activities=[ACTIVITY] if activities is None else activities,
        **{**PLAN_TEXTS, **texts},
    )


def sign(plan: ImplementationPlan, on: datetime.date, *, actor: Any = SYSTEM) -> ImplementationPlan:
    return services.plan_sign(actor=actor, plan=plan, expected_version=plan.version, signed_on=on)


def signed_plan(order: Order, on: datetime.date, *, actor: Any = SYSTEM, **texts: Any) -> ImplementationPlan:
    """The order's first plan, created and signed on `on`."""
    return sign(make_plan(order, actor=actor, **texts), on, actor=actor)


def review(plan: ImplementationPlan, on: datetime.date, *, actor: Any = SYSTEM, **changes: Any) -> ImplementationPlan:
    """Follow up a signed plan: a new version, optionally changed, signed on `on`."""
    draft = services.plan_start_review(actor=actor, plan=plan)
    if changes:
        draft = services.plan_update(actor=actor, plan=draft, expected_version=draft.version, **changes)
    return sign(draft, on, actor=actor)


def write_journal(
    actor: Any,
    client: Client,
    *,
    text: str = "Brukaren var på bio.",
    event_date: datetime.date = RECEIVED,
    category_code: str = "handelse",
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    return services.journal_entry_create(
        actor=actor,
        client=client,
        event_date=event_date,
        category=category(category_code),
        text=text,
        corrects=corrects,
    )


def save_binder(
    client: Client,
    kind: str,
    reviewed_on: datetime.date,
    *,
    actor: Any = SYSTEM,
    expected_number: int | None = None,
    responsible: Any = None,
    risks: Iterable[Mapping[str, Any]] | None = None,
    **texts: Any,
) -> HomeBinder:
    """A new revision of a binder with what its kind requires (a risk row, contacts and instructions …)."""
    defaults: dict[str, Any] = {}
    if kind == HomeBinder.Kind.CRISIS_BINDER:
        defaults = dict(CRISIS_TEXTS)
    elif kind == HomeBinder.Kind.ROUTINE_BINDER:
        defaults = {"routines": "Morgonrutin: väckning 07.30."}
    if risks is None:
        risks = [RISK] if kind == HomeBinder.Kind.RISK_ASSESSMENT else []
    return services.binder_save(
        actor=actor,
        client=client,
        kind=kind,
        reviewed_on=reviewed_on,
        expected_number=expected_number,
        responsible=responsible,
        risks=risks,
        **{**defaults, **texts},
    )
