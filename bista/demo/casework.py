"""Demo history of the purchaser unit (Beställarenheten funktionsnedsättning): ten years of its casework.

Two kinds of client:

- The demo provider's clients. Every care order the provider holds (made by `bista.demo.care`) was ordered by
  this district's purchaser: each gets the application (or report of need) behind it, the investigation, the
  decision with the order's service, scope, period and decision date, and the purchaser's order linked to the
  existing care order (CaseOrder.care_order) — the provider's orders come from the purchaser's decisions. The
  demo has no purchaser outside Bistå buying from the provider, so no provider order is left unlinked.
- The purchaser's other clients (the `purchaser_clients` step): decisions for services from external providers
  chosen under LOV (the free-choice information dated), refusals (about one in ten), time-limited decisions
  renewed when they run out, reassessments, yearly follow-ups (some late), a few appeals a year (one changed
  by the court), and in every quarter of the years a favourable decision not executed within three months
  (with the reason, some an offer declined), so each quarter's IVO report has content.

Everything is saved through `casework.services.history_import`, once per district (each record checked as a
hand-made one is, one audit event and one access-log row per client): thousands of decisions in seconds.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bista.care.models import Order, Service
from bista.casework import rules
from bista.casework import services as casework
from bista.casework.models import Appeal, Decision, ExecutionDelay, FollowUp, Intake, TargetGroup
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
from bista.core import services as core_services
from bista.core.access import SYSTEM
from bista.core.deadlines import add_months
from bista.core.permissions import RoleCode
from bista.demo.generator import ADULTS, CHILDREN, PSYCHIATRY, Context, DemoClient, DemoEmployee, DistrictData, step

DAY = datetime.timedelta(days=1)

# The services the purchaser's own clients get from external providers, by casework group:
# (service code, or SoL suffix after "sol<year>_"), scope unit and scopes.
EXTERNAL_SERVICES: dict[str, list[tuple[str, str, tuple[int, ...]]]] = {
    CHILDREN: [("lss_9_6", "month", (4, 6, 8, 10)), ("lss_9_1", "occasion", (1, 2)), ("lss_9_7", "month", (20, 40))],
    "adults": [("lss_9_10", "week", (20, 25, 30, 37)), ("lss_9_9", "week", (168,)), ("lss_9_1", "occasion", (1, 2))],
    PSYCHIATRY: [
        ("boendestod", "week", (2, 3, 4, 6)),
        ("hemtjanst", "month", (8, 12, 16)),
        ("lss_9_10", "week", (20,)),
    ],
}
EXTERNAL_PROVIDERS = (
    "Daglig verksamhet Ekbacken AB",
    "Stiftelsen Solgläntan",
    "Omsorgsgruppen Norr AB",
    "Boendestöd i Stockholm AB",
    "Korttidshemmet Lärkan (Humana)",
    "Attendo LSS AB",
    "Kooperativet Vägen",
)
REQUESTS = {
    "lss_9_2": "Personlig assistans för att klara vardagen hemma och ute.",
    "lss_9_3": "Ledsagarservice för att kunna delta i fritidsaktiviteter.",
    "lss_9_4": "En kontaktperson att träffa regelbundet.",
    "lss_9_5": "Avlösarservice i hemmet så att familjen får avlastning.",
    "lss_9_6": "Korttidsvistelse för miljöombyte och avlastning för familjen.",
    "lss_9_1": "Råd och stöd av specialister.",
    "lss_9_7": "Korttidstillsyn efter skoldagen.",
    "lss_9_9": "Bostad med särskild service.",
    "lss_9_10": "Daglig verksamhet.",
    "boendestod": "Stöd i hemmet med struktur i vardagen.",
    "hemtjanst": "Hjälp med städning, inköp och tvätt.",
}
REASONS = (
    "Du har behov av stöd för att kunna leva som andra. Insatsen ger dig det stödet.",
    "Utredningen visar att du behöver insatsen för att dina behov ska tillgodoses i den dagliga livsföringen.",
    "Du tillhör personkretsen i LSS och behöver insatsen för goda levnadsvillkor.",
)
REFUSAL_REASONS = (
    "Dina behov tillgodoses på annat sätt, genom skolan och familjen. Därför får du avslag.",
    "Utredningen visar inte att du har ett sådant behov som insatsen är till för. Därför får du avslag.",
)
OWN_VIEWS = (
    "Jag är nöjd med stödet och vill att det fortsätter.",
    "Det fungerar bra, men jag vill ha fler tillfällen.",
    "Stödet hjälper mig att komma ut och träffa andra.",
    "Familjen tycker att avlastningen gör stor skillnad.",
)
DELAY_NOTES: dict[str, str] = {
    ExecutionDelay.Reason.RESOURCES: "Ingen ledig plats hos vald utförare.",
    ExecutionDelay.Reason.DECLINED: "Den enskilde tackade nej till erbjuden plats.",
    ExecutionDelay.Reason.WAITING: "Den enskilde vill vänta tills efter sommaren.",
    ExecutionDelay.Reason.PROVIDER: "Utföraren har inte kunnat rekrytera personal.",
}
CHILD_IMPACT_SHARE = 0.9  # seed 001's goal is 90 %: most child investigations have the analysis


@dataclass
class _Deciders:
    """Who of the purchaser unit may decide on a day: case officers for everyday LSS and SoL, the group leader
    (biträdande enhetschef under the delegation order) for assistance and housing and whenever no officer was
    employed."""

    officers: list[DemoEmployee]
    leader: Any
    rng: random.Random

    def officer_on(self, day: datetime.date) -> Any:
        employed = [e for e in self.officers if e.employee.start_date <= day and (e.employee.end_date or day) >= day]
        return self.rng.choice(employed).user if employed else None

    def decider(self, service: Service, day: datetime.date) -> Any:
        if service.code in ("lss_9_2", "lss_9_8", "lss_9_9"):
            return self.leader
        return self.officer_on(day) or self.leader


def _deciders(ctx: Context) -> _Deciders:
    """The purchaser's case officers with an account, and a group leader. The senior case officer leads the
    groups and decides under the delegation order from the first day of the history (a demo has no records of
    who decided before its employees' current employment)."""
    d = ctx.current
    officers = sorted(
        (
            e
            for e in d.employees
            if e.user is not None and e.employee.unit_id == d.purchaser.pk and e.user.pk != d.managers["purchaser"].pk
        ),
        key=lambda e: (e.employee.start_date, e.user.username),
    )
    leader = officers[0].user if officers else d.managers["purchaser"]
    core_services.membership_grant(
        actor=SYSTEM,
        user=leader,
        role=ctx.roles[RoleCode.DEPUTY_MANAGER],
        district=d.district,
        unit=d.purchaser,
        valid_from=ctx.window_start,
    )
    return _Deciders(officers=officers, leader=leader, rng=ctx.rng)


def _birth(demo: DemoClient) -> datetime.date:
    return rules.birth_date(demo.client.personnummer)


def _is_child(demo: DemoClient, day: datetime.date) -> bool:
    return rules.is_child_on(_birth(demo), day)


def _intake(
    rng: random.Random, demo: DemoClient, decided: datetime.date, code: str, services: list[Service], **extra: Any
) -> dict[str, Any]:
    """An application (from the person, or a guardian for a child) or a report of need, before the decision."""
    earliest = _birth(demo) + DAY
    received = max(earliest, decided - datetime.timedelta(days=rng.randint(14, 70)))
    child = _is_child(demo, decided)
    if rng.random() < 0.15:
        kind, sender = Intake.Kind.REPORT, rng.choice((Intake.From.CARE, Intake.From.SCHOOL, Intake.From.RELATIVE))
    else:
        kind = Intake.Kind.APPLICATION
        sender = Intake.From.GUARDIAN if child else rng.choice((Intake.From.PERSON,) * 4 + (Intake.From.GOOD_MAN,))
    return {
        "kind": kind,
        "sender": sender,
        "received_on": received,
        "channel": rng.choice(Intake.Channel.values),
        "requested": REQUESTS.get(code, "Stöd enligt LSS."),
        "services": services,
        "first_contact_on": min(decided, received + datetime.timedelta(days=rng.randint(0, 9))),
        **extra,
    }


def _investigation(
    rng: random.Random, demo: DemoClient, received: datetime.date, decided: datetime.date
) -> ImportedInvestigation:
    """The investigation between the intake and the decision; a child's perspective when the person is a child."""
    started = min(decided, received + datetime.timedelta(days=rng.randint(1, 7)))
    completed = max(started, decided - datetime.timedelta(days=rng.randint(0, 5)))
    communicated = max(started, completed - datetime.timedelta(days=rng.randint(0, 7)))
    texts = {
        "own_description": "Jag vill klara mer själv och ha ett aktivt liv.",
        "needs": "Behov av stöd i vardagen och för att delta i aktiviteter.",
        "goals": "Att leva ett självständigt liv med goda levnadsvillkor.",
        "wishes": "Stöd på de tider som passar mig.",
    }
    child = {}
    if rules.is_child_on(_birth(demo), completed):
        if rng.random() < CHILD_IMPACT_SHARE:
            texts["child_impact_analysis"] = "Beslutet bedöms ge barnet bättre möjligheter till fritid och vila."
        texts["child_view"] = "Barnet berättar att det tycker om att träffa kompisar."
        took_part = rng.random() < 0.85
        child = {
            "child_took_part": took_part,
            "child_got_feedback": took_part and rng.random() < 0.9,
            "school_contacted": rng.random() < 0.8,
        }
    return ImportedInvestigation(
        started_on=started, completed_on=completed, communicated_on=communicated, texts=texts, **child
    )


def _follow_ups(
    rng: random.Random, deciders: _Deciders, decided: datetime.date, stop: datetime.date
) -> list[ImportedFollowUp]:
    """Yearly follow-ups while the decision is in force; about one in ten comes late."""
    follow_ups: list[ImportedFollowUp] = []
    last = decided
    while True:
        due = add_months(last, 12)
        on = due + datetime.timedelta(days=rng.randint(30, 90) if rng.random() < 0.1 else -rng.randint(0, 30))
        if on >= stop:
            return follow_ups
        done_by = deciders.officer_on(on)
        outcome = FollowUp.Outcome.CONTINUE
        follow_ups.append(ImportedFollowUp(on=on, own_view=rng.choice(OWN_VIEWS), outcome=outcome, done_by=done_by))
        last = on


def _received(rng: random.Random, decided: datetime.date, today: datetime.date) -> datetime.date | None:
    received = decided + datetime.timedelta(days=rng.randint(1, 6))
    return received if received <= today else None


# --- The provider's orders: from the purchaser's decisions ------------------------------------------------


def _provider_history(ctx: Context, deciders: _Deciders, demo: DemoClient, orders: list[Order]) -> ImportedHistory:
    rng, today = ctx.rng, ctx.today
    intakes: list[ImportedIntake] = []
    last_of_team: dict[int | None, Order] = {}
    for number, order in enumerate(orders):
        # A reassessment: the order follows the previous one of the same group, which ended when it arrived.
        previous = last_of_team.get(order.team_id)
        reassessed = previous is not None and previous.ended_on == order.received_on
        # The client left: the order's end is the decision's end (a reassessment supersedes it instead).
        follows = next((o for o in orders[number + 1 :] if o.team_id == order.team_id), None)
        superseded_on = follows.decision_date if follows and follows.received_on == order.ended_on else None
        ended = order.ended_on if order.ended_on and superseded_on is None else None
        stop = min(day for day in (superseded_on, ended, order.period_end, today) if day is not None)
        not_executed = order.executed_on is None and rules.reportable_from(order.decision_date) <= (ended or today)
        delays = []
        if not_executed:
            recorded = min(today, rules.reportable_from(order.decision_date) - DAY)
            delays.append(ImportedDelay(recorded_on=recorded, reason="provider", note=DELAY_NOTES["provider"]))
        decision = ImportedDecision(
            service=order.service,
            outcome=Decision.Outcome.GRANTED,
            decision_date=order.decision_date,
            reasons=rng.choice(REASONS),
            decided_by=deciders.decider(order.service, order.decision_date),
            scope_amount=order.scope_amount,
            scope_unit=order.scope_unit,
            period_start=order.period_start,
            period_end=order.period_end,
            received_on=_received(rng, order.decision_date, today),
            ended_on=ended,
            end_reason="Brukaren har avslutat insatsen." if ended else "",
            key=f"order-{order.pk}",
            supersedes=f"order-{previous.pk}" if reassessed and previous is not None else "",
            orders=[
                ImportedOrder(
                    ordered_on=order.received_on,
                    care_order=order,
                    free_choice_informed_on=order.decision_date,
                    goals=order.goals,
                    special_considerations=order.special_considerations,
                )
            ],
            follow_ups=_follow_ups(rng, deciders, order.decision_date, stop),
            delays=delays,
        )
        values = _intake(rng, demo, order.decision_date, order.service.code, [order.service])
        values["investigation"] = _investigation(rng, demo, values["received_on"], order.decision_date)
        intakes.append(ImportedIntake(decisions=[decision], **values))
        last_of_team[order.team_id] = order
    return _history(ctx, deciders, demo, intakes)


# The casework group a demo client is drawn for is also the case's målgrupp (seed 001 counts its clients by these).
TARGET_GROUPS = {CHILDREN: "children", ADULTS: "adults", PSYCHIATRY: TargetGroup.SOCIAL_PSYCHIATRY}


def _history(ctx: Context, deciders: _Deciders, demo: DemoClient, intakes: list[ImportedIntake]) -> ImportedHistory:
    d = ctx.current
    closed = demo.until
    officer = deciders.officer_on(closed or ctx.today)
    opened = min((intake.received_on for intake in intakes), default=ctx.today)
    target_group = (
        TargetGroup.objects.filter(code=TARGET_GROUPS[demo.group], valid_from__lte=opened)
        .exclude(valid_to__lte=opened)
        .first()
    )
    return ImportedHistory(
        client=demo.client,
        intakes=intakes,
        officer=officer,
        team=d.groups[demo.group][0],
        target_group=target_group,
        closed_on=closed,
    )


# --- The purchaser's other clients: external providers ----------------------------------------------------


class _Services:
    def __init__(self) -> None:
        self.rows = list(Service.objects.all())

    def on(self, code: str, day: datetime.date) -> Service | None:
        """The service row in force on `day`: an LSS code, or the SoL row of that name (SoL 2001 or 2025)."""
        for row in self.rows:
            sol = row.act == Service.Act.SOL and row.code.endswith("_" + code)
            if (row.code == code or sol) and row.in_force(day):
                return row
        return None


@dataclass
class _Plan:
    """One favourable decision of an external provider's client, to be completed with its execution."""

    demo: DemoClient
    code: str
    decided: datetime.date
    stop: datetime.date  # when it stops being in force (superseded, ended or today)
    delay: tuple[datetime.date | None, str] | None = None  # executed on (None: not yet), reason
    extra: dict[str, Any] = field(default_factory=dict)


def _external_chain(rng: random.Random, demo: DemoClient, today: datetime.date) -> list[tuple[datetime.date, bool]]:
    """The client's decision dates: the first, then reassessments every 1½–4 years (True: time-limited)."""
    end = demo.until or today
    chain, decided = [], demo.decided
    while True:
        limited = rng.random() < 0.3
        chain.append((decided, limited))
        following = decided + datetime.timedelta(days=rng.randint(365, 730) if limited else rng.randint(540, 1460))
        if following + datetime.timedelta(days=30) >= end:
            return chain
        decided = following


def _external_history(
    ctx: Context, deciders: _Deciders, services: _Services, demo: DemoClient, plans: list[_Plan]
) -> ImportedHistory | None:
    rng, today = ctx.rng, ctx.today
    code, scope_unit, scopes = rng.choice(EXTERNAL_SERVICES[demo.group])
    chain = _external_chain(rng, demo, today)
    intakes: list[ImportedIntake] = []
    previous_key = ""
    for number, (decided, limited) in enumerate(chain):
        service = services.on(code, decided)
        if service is None:
            continue
        following = chain[number + 1][0] if number + 1 < len(chain) else None
        refused = number == 0 and rng.random() < 0.1
        ended = demo.until if following is None and demo.until and not refused else None
        values = _intake(rng, demo, decided, code, [service])
        values["investigation"] = _investigation(rng, demo, values["received_on"], decided)
        key = f"{demo.client.pk}-{number}"
        common = {
            "service": service,
            "decision_date": decided,
            "decided_by": deciders.decider(service, decided),
            "received_on": _received(rng, decided, today),
            "key": key,
        }
        if refused:
            decision = ImportedDecision(outcome=Decision.Outcome.REFUSED, reasons=rng.choice(REFUSAL_REASONS), **common)
            intakes.append(ImportedIntake(decisions=[decision], **values))
            continue  # the client applies again: the next decision is a new one, not a reassessment
        # Time-limited: until the reassessment; the last one runs two years (one that ran out long ago, with no new
        # investigation, would be a reassessment duty still open today, so that one is not time-limited).
        period_end = None
        if limited and following:
            period_end = following - DAY
        elif limited and add_months(decided, 24) >= today:
            period_end = add_months(decided, 24)
        stop = min(day for day in (following, ended, period_end, today) if day is not None)
        decision = ImportedDecision(
            outcome=Decision.Outcome.GRANTED if rng.random() < 0.85 else Decision.Outcome.PARTLY,
            reasons=rng.choice(REASONS),
            scope_amount=Decimal(rng.choice(scopes)),
            scope_unit=scope_unit,
            period_start=decided,
            period_end=period_end,
            ended_on=ended,
            end_reason="Brukaren har flyttat från stadsdelen." if ended else "",
            supersedes=previous_key,
            follow_ups=_follow_ups(rng, deciders, decided, stop),
            **common,
        )
        previous_key = key
        plans.append(_Plan(demo=demo, code=code, decided=decided, stop=stop))
        intakes.append(ImportedIntake(decisions=[decision], **values))
    return _history(ctx, deciders, demo, intakes) if intakes else None


def _quarters(first: datetime.date, today: datetime.date) -> list[rules.Quarter]:
    quarter, quarters = rules.Quarter.of(first), []
    while quarter.start <= today:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def _choose_delays(ctx: Context, plans: list[_Plan]) -> None:
    """In every quarter from three months into the history, a decision not executed within three months: the
    case officer records why; it is executed some months later (or not yet), so each IVO report has content."""
    rng, today = ctx.rng, ctx.today
    covered: set[rules.Quarter] = set()
    for quarter in _quarters(rules.reportable_from(ctx.window_start) + datetime.timedelta(days=30), today):
        if quarter in covered:
            continue
        # A decision that becomes reportable in this quarter and stays in force past it.
        candidates = [
            plan
            for plan in plans
            if plan.delay is None
            and quarter.start <= rules.reportable_from(plan.decided) <= min(quarter.end, today)
            and plan.stop > min(quarter.end, today)
        ]
        if not candidates:
            continue
        plan = rng.choice(candidates)
        executed: datetime.date | None = rules.reportable_from(plan.decided) + datetime.timedelta(
            days=rng.randint(20, 200)
        )
        if executed is not None and (executed >= plan.stop or executed > today):
            executed = None
        plan.delay = (executed, rng.choice(list(DELAY_NOTES)))
        for covered_quarter in _quarters(rules.reportable_from(plan.decided), executed or plan.stop):
            covered.add(covered_quarter)


def _executions(ctx: Context, plans: list[_Plan]) -> dict[tuple[int, datetime.date], dict[str, Any]]:
    """Each favourable decision's order to an external provider (free choice under LOV), its execution date and,
    when it was late, the reason recorded for IVO."""
    rng, today = ctx.rng, ctx.today
    result = {}
    for plan in plans:
        ordered = min(today, plan.decided + datetime.timedelta(days=rng.randint(1, 10)))
        informed = plan.decided + datetime.timedelta(days=rng.randint(0, (ordered - plan.decided).days))
        delays: list[ImportedDelay] = []
        if plan.delay is not None:
            executed, reason = plan.delay
            recorded = min(today, rules.reportable_from(plan.decided) - DAY)
            declined = recorded - datetime.timedelta(days=rng.randint(1, 20)) if reason == "declined" else None
            delays.append(
                ImportedDelay(
                    recorded_on=recorded,
                    reason=reason,
                    note=DELAY_NOTES[reason],
                    offer_declined_on=max(declined, plan.decided) if declined else None,
                )
            )
        else:
            executed = ordered + datetime.timedelta(days=rng.randint(3, 45))
            if executed > today or executed >= plan.stop:
                executed = None if executed > today else max(ordered, plan.stop - DAY)
        order = ImportedOrder(
            ordered_on=ordered,
            external_provider=rng.choice(EXTERNAL_PROVIDERS),
            free_choice_informed_on=informed,
            external_executed_on=executed,
        )
        result[(plan.demo.client.pk, plan.decided)] = {"orders": [order], "delays": delays}
    return result


def _with_executions(
    history: ImportedHistory, executions: dict[tuple[int, datetime.date], dict[str, Any]]
) -> ImportedHistory:
    intakes = []
    for intake in history.intakes:
        decisions = [
            replace(decision, **executions.get((history.client.pk, decision.decision_date), {}))
            if decision.outcome != Decision.Outcome.REFUSED
            else decision
            for decision in intake.decisions
        ]
        intakes.append(replace(intake, decisions=decisions))
    return replace(history, intakes=intakes)


# --- Appeals ----------------------------------------------------------------------------------------------------


def _appeals(ctx: Context, deciders: _Deciders, histories: list[ImportedHistory]) -> list[ImportedHistory]:
    """A few refusals a year are appealed; the purchaser does not change them, the court upholds most, and one
    (the latest that can be) is changed by the court: a new decision, ordered from an external provider."""
    rng, today = ctx.rng, ctx.today
    refusals = [
        (h_index, i_index)
        for h_index, history in enumerate(histories)
        for i_index, intake in enumerate(history.intakes)
        for decision in intake.decisions
        if decision.outcome == Decision.Outcome.REFUSED
        and decision.received_on is not None
        and decision.decision_date + datetime.timedelta(days=270) < (history.closed_on or today)
    ]
    appealed = rng.sample(refusals, min(len(refusals), max(1, round(len(refusals) * 0.3))))
    appealed.sort(key=lambda place: histories[place[0]].intakes[place[1]].decisions[0].decision_date)
    changed = appealed[-1] if appealed else None
    result = list(histories)
    for place in appealed:
        h_index, i_index = place
        history = result[h_index]
        intake = history.intakes[i_index]
        (decision,) = intake.decisions
        assert decision.received_on is not None
        late = rng.random() < 0.1
        received = decision.received_on + datetime.timedelta(days=rng.randint(25, 35) if late else rng.randint(5, 20))
        reconsidered = received + datetime.timedelta(days=rng.randint(1, 7))
        forwarded = reconsidered + datetime.timedelta(days=rng.randint(0, 5))
        judged = forwarded + datetime.timedelta(days=rng.randint(60, 150))
        new = None
        judgment = Appeal.Judgment.DISMISSED if late else Appeal.Judgment.UPHELD
        if place == changed and not late:
            judgment = Appeal.Judgment.CHANGED
            stop = history.closed_on or today
            new = ImportedDecision(
                service=decision.service,
                outcome=Decision.Outcome.PARTLY,
                decision_date=judged,
                reasons="Förvaltningsrätten har ändrat beslutet: du har rätt till insatsen i den omfattning domen anger.",  # noqa: E501
                decided_by=deciders.leader,
                scope_amount=Decimal("4"),
                scope_unit="month",
                period_start=judged,
                ended_on=history.closed_on,
                end_reason="Brukaren har flyttat från stadsdelen." if history.closed_on else "",
                orders=[
                    ImportedOrder(
                        ordered_on=judged + DAY,
                        external_provider=EXTERNAL_PROVIDERS[0],
                        free_choice_informed_on=judged,
                        external_executed_on=min(stop, judged + datetime.timedelta(days=20)),
                    )
                ],
                follow_ups=_follow_ups(rng, deciders, judged, stop),
            )
        appeal = ImportedAppeal(
            received_on=received,
            reconsideration=Appeal.Reconsideration.UNCHANGED,
            reconsidered_on=reconsidered,
            forwarded_on=forwarded,
            judgment=judgment,
            judgment_on=judged,
            new_decision=new,
        )
        intakes = list(history.intakes)
        intakes[i_index] = replace(intake, decisions=[replace(decision, appeals=[appeal])])
        result[h_index] = replace(history, intakes=intakes)
    return result


# --- The step ---------------------------------------------------------------------------------------------------


@step("casework.history")
def create_casework_history(ctx: Context) -> None:
    """The purchaser's ten years, imported at once: the provider's orders from its decisions, and the rest."""
    d: DistrictData = ctx.current
    deciders = _deciders(ctx)
    services = _Services()
    by_client: dict[int, list[Order]] = defaultdict(list)
    for order in (
        Order.objects.filter(unit=d.provider).select_related("service").order_by("client_id", "decision_date", "id")
    ):
        by_client[order.client_id].append(order)
    histories: list[ImportedHistory] = []
    plans: list[_Plan] = []
    for demo in d.clients:
        if demo.service is not None:
            orders = by_client.get(demo.client.pk, [])
            if orders:
                histories.append(_provider_history(ctx, deciders, demo, orders))
        else:
            history = _external_history(ctx, deciders, services, demo, plans)
            if history is not None:
                histories.append(history)
    _choose_delays(ctx, plans)
    executions = _executions(ctx, plans)
    histories = [_with_executions(history, executions) for history in histories]
    histories = _appeals(ctx, deciders, histories)
    casework.history_import(actor=SYSTEM, unit=d.purchaser, histories=histories, today=ctx.today)
