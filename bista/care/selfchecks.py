"""Self-checks (egenkontroller) of a provider unit, computed from what was recorded, never typed in.

Each check is a share `numerator / denominator` for one unit and one period (`start`–`end`, both days
included), optionally for one responsible deputy (`Order.deputy`), split by the clients' recorded gender
(`Client.gender`: "K" women, "M" men, "other" everyone else). Deadlines come from the rule book (reference
data, `core.DutyRule`), in the version in force on each anchor date; nothing here hard-codes a period.

Two kinds of check:

* **At the period end** (counted in clients or plans): a client is *active* at `end` when they have an
  order of the unit (of the deputy, if given) with `executed_on <= end` and not ended by then
  (`ended_on` empty or after `end`).
* **Over the orders received in the period** (counted in orders): orders of the unit with
  `start <= received_on <= end`. An order counts as *met* if the step was done on or before its due date
  (done after the period end is fine), *not met* if it was done late, or is not done and its due date has
  passed by `today`. An order still within its time (not done, due date not passed), or ended before its
  due date without the step, cannot be judged yet and is left out of both figures.

Everything for a unit is computed with a handful of queries (one per source, none per client).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet

from bista.care.duties import Rule
from bista.care.models import HomeBinder, ImplementationPlan, Order
from bista.clients.models import Client
from bista.clients.selectors import visible_clients
from bista.core import clock
from bista.core.access import has_perm
from bista.core.deadlines import RuleBook
from bista.core.duties import load_rule_book
from bista.core.permissions import Perm

WOMEN, MEN, OTHER = "K", "M", "other"
GENDER_KEYS = (WOMEN, MEN, OTHER)


class Check:
    """The codes of the self-checks (also their order on the page)."""

    PLAN_CURRENT = "plan_current"
    PLAN_REVIEWED = "plan_reviewed"
    FIRST_CONTACT = "first_contact"
    EXECUTION = "execution"
    RISK_ASSESSMENT = "risk_assessment"
    CRISIS_BINDER = "crisis_binder"


NAMES = {
    Check.PLAN_CURRENT: "Aktiva brukare med gällande genomförandeplan",
    Check.PLAN_REVIEWED: "Gällande genomförandeplaner uppföljda inom tidsgränsen",
    Check.FIRST_CONTACT: "Första kontakt i tid efter mottagen beställning",
    Check.EXECUTION: "Insatsen verkställd i tid efter beslut",
    Check.RISK_ASSESSMENT: "Aktiva brukare med aktuell risk- och konsekvensanalys",
    Check.CRISIS_BINDER: "Aktiva brukare med aktuell krispärm och kontinuitetsplan",
}
CODES = tuple(NAMES)


@dataclass(frozen=True)
class SelfCheck:
    """One self-check's result.

    `numerator` of `denominator` units (clients, plans or orders, see the check) met the requirement;
    `share` is their ratio (None when there is nothing to count). `by_gender` maps "K", "M" and "other"
    to (met, total). `client_ids` are the clients behind the denominator, `met_client_ids` those behind
    the numerator and `unmet_client_ids` those with something not met (a client with two orders can be
    in both).
    """

    code: str
    name: str
    numerator: int
    denominator: int
    share: float | None
    by_gender: dict[str, tuple[int, int]]
    client_ids: frozenset[int] = field(default_factory=frozenset)
    met_client_ids: frozenset[int] = field(default_factory=frozenset)
    unmet_client_ids: frozenset[int] = field(default_factory=frozenset)
    unit: str = ""  # what is counted: "brukare", "planer", "beställningar"


def _gender_key(gender: str) -> str:
    return gender if gender in (WOMEN, MEN) else OTHER


class _Tally:
    """Counts (met, total) overall and per gender, and who is behind each figure."""

    def __init__(self) -> None:
        self.met = 0
        self.total = 0
        self.by_gender: dict[str, list[int]] = {key: [0, 0] for key in GENDER_KEYS}
        self.clients: set[int] = set()
        self.met_clients: set[int] = set()
        self.unmet_clients: set[int] = set()

    def add(self, client_id: int, gender: str, met: bool) -> None:
        key = _gender_key(gender)
        self.total += 1
        self.by_gender[key][1] += 1
        self.clients.add(client_id)
        if met:
            self.met += 1
            self.by_gender[key][0] += 1
            self.met_clients.add(client_id)
        else:
            self.unmet_clients.add(client_id)

    def result(self, code: str, unit: str) -> SelfCheck:
        return SelfCheck(
            code=code,
            name=NAMES[code],
            numerator=self.met,
            denominator=self.total,
            share=self.met / self.total if self.total else None,
            by_gender={key: (met, total) for key, (met, total) in self.by_gender.items()},
            client_ids=frozenset(self.clients),
            met_client_ids=frozenset(self.met_clients),
            unmet_client_ids=frozenset(self.unmet_clients),
            unit=unit,
        )


def _check_access(actor: Any, unit_id: int) -> None:
    if actor is not None and not has_perm(actor, Perm.CARE_SELF_CHECK, unit_id):
        raise PermissionDenied("Behörighet saknas: care.self_check")


def _unit_orders(unit_id: int, deputy_id: int | None) -> QuerySet[Order]:
    orders = Order.objects.filter(unit_id=unit_id)
    if deputy_id is not None:
        orders = orders.filter(deputy_id=deputy_id)
    return orders


def _active_orders(unit_id: int, end: datetime.date, deputy_id: int | None) -> QuerySet[Order]:
    """Orders executed by `end` and not ended by then."""
    return _unit_orders(unit_id, deputy_id).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=end), executed_on__isnull=False, executed_on__lte=end
    )


def _period_end_checks(book: RuleBook, unit_id: int, end: datetime.date, deputy_id: int | None) -> list[SelfCheck]:
    """The checks evaluated at the period end (three queries besides the rule book).

    * plan_current — per active client: met when every active order of the client has a signed plan
      version in force at `end` (signed on or before `end`; the latest such version is the one in force).
    * plan_reviewed — per plan in force at `end` for an active order: met when its review is not overdue
      at `end`, i.e. `end` is on or before the due date of rule care.plan_review counted from `signed_on`
      (12 months in the seeded rule: signed within the 12 months before `end`).
    * risk_assessment, crisis_binder — per active client: met when the binder's last review on or before
      `end` (its `reviewed_on`) is within the rule care.risk_assessment / care.crisis_binder of `end`.
    """
    active = list(
        _active_orders(unit_id, end, deputy_id).values_list("pk", "client_id", "client__gender").order_by("pk")
    )
    signed_by_order: dict[int, datetime.date] = dict(
        ImplementationPlan.objects.filter(
            order_id__in=_active_orders(unit_id, end, deputy_id).values("pk"),
            status__in=[ImplementationPlan.Status.SIGNED, ImplementationPlan.Status.SUPERSEDED],
            signed_on__lte=end,
        )
        .values("order_id")
        .annotate(last=Max("signed_on"))
        .values_list("order_id", "last")
    )
    kinds = [HomeBinder.Kind.RISK_ASSESSMENT, HomeBinder.Kind.CRISIS_BINDER]
    reviewed: dict[tuple[int, str], datetime.date] = {
        (client_id, kind): last
        for client_id, kind, last in HomeBinder.objects.filter(
            client_id__in=_active_orders(unit_id, end, deputy_id).values("client_id"),
            kind__in=kinds,
            reviewed_on__lte=end,
        )
        .values("client_id", "kind")
        .annotate(last=Max("reviewed_on"))
        .values_list("client_id", "kind", "last")
    }

    clients: dict[int, str] = {}
    client_has_plans: dict[int, bool] = {}
    plan_reviewed = _Tally()
    for order_id, client_id, gender in active:
        clients[client_id] = gender
        signed_on = signed_by_order.get(order_id)
        client_has_plans[client_id] = client_has_plans.get(client_id, True) and signed_on is not None
        if signed_on is not None:
            rule = book.rule(Rule.PLAN_REVIEW, signed_on)
            plan_reviewed.add(client_id, gender, rule is None or rule.due_on(signed_on) >= end)

    plan_current = _Tally()
    binder_tallies = {kind: _Tally() for kind in kinds}
    for client_id, gender in clients.items():
        plan_current.add(client_id, gender, client_has_plans[client_id])
        for kind, tally in binder_tallies.items():
            last = reviewed.get((client_id, kind))
            rule = book.rule(Rule.BINDER_REVIEW[kind], last) if last else None
            tally.add(client_id, gender, last is not None and (rule is None or rule.due_on(last) >= end))
    return [
        plan_current.result(Check.PLAN_CURRENT, "brukare"),
        plan_reviewed.result(Check.PLAN_REVIEWED, "planer"),
        binder_tallies[HomeBinder.Kind.RISK_ASSESSMENT].result(Check.RISK_ASSESSMENT, "brukare"),
        binder_tallies[HomeBinder.Kind.CRISIS_BINDER].result(Check.CRISIS_BINDER, "brukare"),
    ]


def _judge(
    book: RuleBook,
    code: str,
    anchor: datetime.date,
    done: datetime.date | None,
    ended_on: datetime.date | None,
    today: datetime.date,
) -> bool | None:
    """Met (True), not met (False) or not yet to be judged (None) for one order's step."""
    rule = book.rule(code, anchor)
    if rule is None:
        return None
    due = rule.due_on(anchor)
    if done is not None:
        return done <= due
    if ended_on is not None and ended_on <= due:
        return None  # ended in time without the step: nothing was owed any more
    return None if due >= today else False


def _order_checks(
    book: RuleBook,
    unit_id: int,
    start: datetime.date,
    end: datetime.date,
    deputy_id: int | None,
    today: datetime.date,
) -> list[SelfCheck]:
    """The checks over the orders received in the period (one query).

    * first_contact — first contact (`first_contact_on`) by the due date of rule care.first_contact
      counted from `received_on` (two weeks in the seeded rule).
    * execution — executed (`executed_on`) by the due date of rule care.execution counted from the
      decision date (three months in the seeded rule).
    """
    rows = (
        _unit_orders(unit_id, deputy_id)
        .filter(received_on__gte=start, received_on__lte=end)
        .values_list(
            "client_id",
            "client__gender",
            "received_on",
            "decision_date",
            "first_contact_on",
            "executed_on",
            "ended_on",
        )
        .order_by("pk")
    )
    first_contact, execution = _Tally(), _Tally()
    for client_id, gender, received_on, decision_date, first_contact_on, executed_on, ended_on in rows:
        for tally, code, anchor, done in (
            (first_contact, Rule.FIRST_CONTACT, received_on, first_contact_on),
            (execution, Rule.EXECUTION, decision_date, executed_on),
        ):
            met = _judge(book, code, anchor, done, ended_on, today)
            if met is not None:
                tally.add(client_id, gender, met)
    return [
        first_contact.result(Check.FIRST_CONTACT, "beställningar"),
        execution.result(Check.EXECUTION, "beställningar"),
    ]


def self_checks(
    actor: Any,
    *,
    unit_id: int,
    start: datetime.date,
    end: datetime.date,
    deputy_id: int | None = None,
    today: datetime.date | None = None,
) -> list[SelfCheck]:
    """All self-checks of the unit for the period, in the order of `CODES`.

    The actor needs care.self_check in the unit (PermissionDenied otherwise; the SYSTEM actor may always).
    Nothing is logged: the figures name no client. `today` (default: the local date) decides which
    orders' deadlines have passed.
    """
    _check_access(actor, unit_id)
    if end < start:
        raise ValueError("end before start")
    today = today or clock.today()
    book = load_rule_book()
    results = {
        check.code: check
        for check in (
            *_period_end_checks(book, unit_id, end, deputy_id),
            *_order_checks(book, unit_id, start, end, deputy_id, today),
        )
    }
    return [results[code] for code in CODES]


def self_check_clients(
    actor: Any,
    *,
    unit_id: int,
    code: str,
    start: datetime.date,
    end: datetime.date,
    deputy_id: int | None = None,
    met: bool | None = None,
    today: datetime.date | None = None,
) -> list[Client]:
    """The clients behind one check's figure: those met (`met=True`), not met (`False`) or all (`None`),
    by name. Only clients the actor may see are returned (a controller sees the figures, not the people).
    Unknown `code` raises KeyError. The list is not logged: it names the clients, it shows none of their data.
    """
    if code not in NAMES:
        raise KeyError(code)
    check = next(
        c
        for c in self_checks(actor, unit_id=unit_id, start=start, end=end, deputy_id=deputy_id, today=today)
        if c.code == code
    )
    ids: Iterable[int]
    if met is None:
        ids = check.client_ids
    elif met:
        ids = check.met_client_ids
    else:
        ids = check.unmet_client_ids
    clients = Client.objects.filter(pk__in=list(ids))
    if actor is not None:
        clients = clients.filter(pk__in=visible_clients(actor).values("pk"))
    return list(clients.order_by("last_name", "first_name", "pk"))


def deputies(unit_ids: Iterable[int]) -> QuerySet[Any]:
    """The people named as responsible deputy on some order of the units (for the filter)."""
    deputy_ids = Order.objects.filter(unit_id__in=list(unit_ids), deputy__isnull=False).values("deputy_id")
    return get_user_model().objects.filter(pk__in=deputy_ids).order_by("last_name", "first_name", "username")


__all__ = ["CODES", "NAMES", "Check", "SelfCheck", "deputies", "self_check_clients", "self_checks"]
