"""Bringing purchaser history over at once: a client's case with its intakes, investigations, decisions, orders,
follow-ups, appeals and delays, as the previous system holds them (a migration, and the demo's ten years).

Every record is checked as the service that registers it by hand checks it (the same check functions), before
anything is saved; then everything is saved in a few statements, with one audit event and one access-log row
per client. Two checks of the hand-made path are different here, on purpose:

- The delegation order is checked only from the first day Bistå's reference data holds one (DelegationRule
  rows, from 2020-01-01 in the default order). An older decision was made under an order Bistå never had:
  checking it against today's order would refuse decisions that were lawful then (or accept ones that were
  not), so the decision is kept as made, with the decider's role as Bistå knows it.
- An order from a decision that was later superseded is accepted if it was made before the superseding
  decision: history is imported after the fact, when the decision is no longer in force.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.care.models import Order, Service
from bista.casework import rules
from bista.casework.actions import AuditAction
from bista.casework.models import (
    Appeal,
    Case,
    CaseOrder,
    Decision,
    DelegationRule,
    ExecutionDelay,
    FollowUp,
    Intake,
    Investigation,
    TargetGroup,
)
from bista.casework.services.appeals import _appeal_step_date
from bista.casework.services.cases import _first_contact_check, _intake_errors, target_group_check
from bista.casework.services.common import (
    _not_in_future,
    _officer_of,
    _purchaser,
    _team_of,
    roles_on,
    unit_memberships,
)
from bista.casework.services.decisions import (
    _check_delegation,
    _decider_name,
    _decision_errors,
    _decision_scope,
    _end_errors,
    _follow_up_errors,
    _receipt_check,
    appeal_period_amount,
)
from bista.casework.services.investigations import INVESTIGATION_TEXTS, _communication_check, _completion_check
from bista.casework.services.ivo import _delay_errors
from bista.casework.services.orders import _executed_check, _order_errors
from bista.clients.models import AccessLogEntry, Client, ClientUnit
from bista.clients.services import access_log_record_many
from bista.core import audit, clock
from bista.core.access import SYSTEM
from bista.core.models import Role, Team, Unit

# --- What an import is made of ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedInvestigation:
    """An investigation; without `completed_on` it is the case's draft (at most one)."""

    started_on: datetime.date
    completed_on: datetime.date | None = None
    communicated_on: datetime.date | None = None
    texts: Mapping[str, str] = field(default_factory=dict)  # INVESTIGATION_TEXTS
    child_took_part: bool | None = None
    child_got_feedback: bool | None = None
    school_contacted: bool | None = None


@dataclass(frozen=True)
class ImportedOrder:
    """An order from the decision: to an existing care order of a Bistå provider (`care_order`, the record the
    provider already works with) or to an external provider, whose execution date the case officer entered."""

    ordered_on: datetime.date
    care_order: Order | None = None
    external_provider: str = ""
    free_choice_informed_on: datetime.date | None = None
    goals: str = ""
    special_considerations: str = ""
    external_executed_on: datetime.date | None = None


@dataclass(frozen=True)
class ImportedFollowUp:
    on: datetime.date
    own_view: str
    outcome: str
    notes: str = ""
    done_by: Any = None


@dataclass(frozen=True)
class ImportedDelay:
    recorded_on: datetime.date
    reason: str
    note: str = ""
    offer_declined_on: datetime.date | None = None


@dataclass(frozen=True)
class ImportedAppeal:
    """An appeal of the decision and its steps; a change (by reconsideration or by the court) is `new_decision`,
    which supersedes the appealed decision (same application, investigation and service)."""

    received_on: datetime.date
    reconsideration: str = ""
    reconsidered_on: datetime.date | None = None
    forwarded_on: datetime.date | None = None
    judgment: str = ""
    judgment_on: datetime.date | None = None
    further_appeal_on: datetime.date | None = None
    new_decision: ImportedDecision | None = None


@dataclass(frozen=True)
class ImportedDecision:
    """A decision on the intake (with the intake's investigation). `key` names it within the history so that a
    later decision (a reassessment) can say which one it `supersedes`."""

    service: Service
    outcome: str
    decision_date: datetime.date
    reasons: str
    decided_by: Any
    scope_amount: Decimal | int | str | None = None
    scope_unit: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    received_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    end_reason: str = ""
    key: str = ""
    supersedes: str = ""
    orders: Sequence[ImportedOrder] = ()
    follow_ups: Sequence[ImportedFollowUp] = ()
    delays: Sequence[ImportedDelay] = ()
    appeals: Sequence[ImportedAppeal] = ()


@dataclass(frozen=True)
class ImportedIntake:
    kind: str
    sender: str
    received_on: datetime.date
    channel: str
    requested: str
    sender_name: str = ""
    services: Sequence[Service] = ()
    first_contact_on: datetime.date | None = None
    investigation: ImportedInvestigation | None = None
    decisions: Sequence[ImportedDecision] = ()


@dataclass(frozen=True)
class ImportedHistory:
    """One client's case at the purchaser unit: opened on the first intake's date, closed on `closed_on`."""

    client: Client
    intakes: Sequence[ImportedIntake]
    officer: Any = None
    team: Team | None = None
    target_group: TargetGroup | None = None
    closed_on: datetime.date | None = None


# --- Checking -------------------------------------------------------------------------------------------


def _raise(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


class _Refusals:
    """The messages of every refused record, each prefixed with where it is in the import."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    @contextmanager
    def at(self, label: str) -> Iterator[None]:
        try:
            yield
        except ValidationError as error:
            self.messages.append(f"{label[:1].upper()}{label[1:]}: {' '.join(error.messages)}")


@dataclass
class _Built:
    """The unsaved rows of one history, in the order they are saved; `superseded` maps a decision to the row
    of the imported decision it supersedes."""

    case: Case
    intakes: list[tuple[Intake, list[Service]]] = field(default_factory=list)
    investigations: list[Investigation] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    superseded: dict[int, Decision] = field(default_factory=dict)
    orders: list[CaseOrder] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    delays: list[ExecutionDelay] = field(default_factory=list)
    appeals: list[Appeal] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "intakes": len(self.intakes),
            "investigations": len(self.investigations),
            "decisions": len(self.decisions),
            "orders": len(self.orders),
            "follow_ups": len(self.follow_ups),
            "delays": len(self.delays),
            "appeals": len(self.appeals),
        }


class _Checker:
    """Checks the histories of one import and builds their rows. What the checks read once (the delegation
    order, role names, the care orders and which of them are already ordered) is read here, not per record."""

    def __init__(self, unit: Unit, histories: Sequence[ImportedHistory], today: datetime.date) -> None:
        self.unit, self.today, self.refusals = unit, today, _Refusals()
        rows = DelegationRule.objects.select_related("role", "service")
        self.delegations = [
            rules.Delegation(
                role=row.role.code,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                act=row.act,
                service=row.service.code if row.service else "",
                outcome=row.outcome,
            )
            for row in rows
        ]
        self.delegation_begins = min((rule.valid_from for rule in self.delegations), default=None)
        self.role_names = dict(Role.objects.values_list("code", "name"))
        self.roles: dict[tuple[int, datetime.date], set[str]] = {}
        self.memberships = unit_memberships(unit)  # an import adds no memberships: read once, not per decision
        care_ids = [
            order.care_order.pk
            for history in histories
            for intake in history.intakes
            for decision in _all_decisions(intake.decisions)
            for order in decision.orders
            if order.care_order is not None
        ]
        self.care_orders = {order.pk: order for order in Order.objects.filter(pk__in=care_ids).select_related("unit")}
        self.ordered = set(CaseOrder.objects.filter(care_order__in=care_ids).values_list("care_order_id", flat=True))
        self.seen_care_orders: set[int] = set()
        # The orders of the history being checked: checked once all its decisions are (a later decision may
        # supersede the ordered one).
        self.orders: list[tuple[ImportedOrder, Decision, str]] = []

    def _roles(self, user: Any, on: datetime.date) -> set[str]:
        key = (user.pk, on)
        if key not in self.roles:
            self.roles[key] = roles_on(self.memberships.get(user.pk, []), on)
        return self.roles[key]

    def history(self, history: ImportedHistory, label: str) -> _Built:
        unit, at = self.unit, self.refusals.at
        opened_on = min((intake.received_on for intake in history.intakes), default=self.today)
        case = Case(
            client=history.client,
            unit=unit,
            officer=history.officer,
            team=history.team,
            target_group=history.target_group,
            opened_on=opened_on,
            closed_on=history.closed_on,
        )
        built = _Built(case=case)
        with at(label.rstrip(", ") or "ärendet"):
            if not history.intakes:
                raise ValidationError({"intakes": "Ärendet har ingen aktualisering."})
            _team_of(unit, history.team)
            target_group_check(history.target_group, opened_on)
            officer_on = min(history.closed_on or self.today, self.today)
            officer_roles = self._roles(history.officer, officer_on) if history.officer is not None else None
            _officer_of(unit, history.officer, officer_on, roles=officer_roles)
            if history.closed_on is not None and history.closed_on < opened_on:
                raise ValidationError({"closed_on": "Ärendet kan inte avslutas före sin första aktualisering."})
            _not_in_future(history.closed_on, "closed_on")
        keys: dict[str, Decision] = {}
        for number, item in enumerate(history.intakes, start=1):
            self._intake(item, built, keys, f"{label}ansökan {number}")
        for order, decision, order_label in self.orders:
            self._order(order, built, decision, order_label)
        self.orders.clear()
        drafts = sum(1 for investigation in built.investigations if investigation.completed_on is None)
        with at(label.rstrip(", ") or "ärendet"):
            _raise({"investigations": "Ärendet kan ha högst en pågående utredning."} if drafts > 1 else {})
        return built

    def _intake(self, item: ImportedIntake, built: _Built, keys: dict[str, Decision], label: str) -> None:
        at = self.refusals.at
        intake = Intake(
            case=built.case,
            kind=item.kind,
            sender=item.sender,
            sender_name=item.sender_name.strip(),
            received_on=item.received_on,
            channel=item.channel,
            requested=item.requested.strip(),
            first_contact_on=item.first_contact_on,
        )
        with at(label):
            _not_in_future(item.received_on, "received_on")
            errors = _intake_errors(kind=item.kind, sender=item.sender, requested=item.requested)
            if item.kind not in Intake.Kind.values:
                errors["kind"] = "Välj ansökan eller anmälan."
            if item.sender not in Intake.From.values:
                errors.setdefault("sender", "Välj vem aktualiseringen kommer från.")
            if item.channel not in Intake.Channel.values:
                errors["channel"] = "Välj hur aktualiseringen kom in."
            _raise(errors)
            if item.first_contact_on is not None:
                _not_in_future(item.first_contact_on, "on")
                _first_contact_check(item.first_contact_on, item.received_on)
        built.intakes.append((intake, list(item.services)))
        investigation = None
        if item.investigation is not None:
            investigation = self._investigation(item.investigation, built, intake, f"{label}, utredning")
        for number, decision in enumerate(item.decisions, start=1):
            self._decision(decision, built, keys, intake, investigation, None, f"{label}, beslut {number}")

    def _investigation(
        self, item: ImportedInvestigation, built: _Built, intake: Intake, label: str
    ) -> Investigation | None:
        texts = {name: str(value).strip() for name, value in item.texts.items()}
        with self.refusals.at(label):
            unknown = set(texts) - set(INVESTIGATION_TEXTS)
            _raise({"texts": f"Okända fält: {', '.join(sorted(unknown))}."} if unknown else {})
            _not_in_future(item.started_on, "started_on")
            if item.completed_on is not None:
                _not_in_future(item.completed_on, "completed_on")
                _completion_check(item.completed_on, item.started_on)
            if item.communicated_on is not None:
                _not_in_future(item.communicated_on, "communicated_on")
                _communication_check(item.communicated_on, item.started_on)
            investigation = Investigation(
                case=built.case,
                intake=intake,
                status=Investigation.Status.COMPLETED if item.completed_on else Investigation.Status.DRAFT,
                started_on=item.started_on,
                completed_on=item.completed_on,
                communicated_on=item.communicated_on,
                child_took_part=item.child_took_part,
                child_got_feedback=item.child_got_feedback,
                school_contacted=item.school_contacted,
                **texts,
            )
            built.investigations.append(investigation)
            return investigation
        return None

    def _decision(
        self,
        item: ImportedDecision,
        built: _Built,
        keys: dict[str, Decision],
        intake: Intake,
        investigation: Investigation | None,
        appealed: Decision | None,
        label: str,
    ) -> None:
        """Check one decision (`appealed`: the decision a change on appeal supersedes) and what hangs on it."""
        accepted: Decision | None = None
        superseded = appealed
        with self.refusals.at(label):
            if item.supersedes:
                superseded = keys.get(item.supersedes)
                if superseded is None or appealed is not None:
                    raise ValidationError({"supersedes": "Beslutet som ersätts finns inte tidigare i historiken."})
            if superseded is not None and any(old is superseded for old in built.superseded.values()):
                raise ValidationError({"supersedes": "Beslutet är redan ersatt av ett annat beslut."})
            if item.key and item.key in keys:
                raise ValidationError({"key": f"Två beslut har namnet {item.key}."})
            decision = self._decision_row(item, built.case, intake, investigation, superseded)
            if item.received_on is not None:
                _not_in_future(item.received_on, "received_on")
                _receipt_check(item.received_on, item.decision_date)
            if item.ended_on is not None:
                if not decision.is_favourable:
                    raise ValidationError({"decision": "Ett avslagsbeslut följs inte upp och avslutas inte."})
                _not_in_future(item.ended_on, "on")
                _raise(_end_errors(item.decision_date, on=item.ended_on, reason=item.end_reason))
            accepted = decision
        if accepted is None:
            return  # refused: what hangs on it is checked once the decision is right
        decision = accepted
        built.decisions.append(decision)
        if item.key:
            keys[item.key] = decision
        if superseded is not None:
            built.superseded[id(decision)] = superseded
        self.orders += [(order, decision, f"{label}, beställning {n}") for n, order in enumerate(item.orders, start=1)]
        for number, follow_up in enumerate(item.follow_ups, start=1):
            self._follow_up(follow_up, built, decision, f"{label}, uppföljning {number}")
        for number, delay in enumerate(item.delays, start=1):
            with self.refusals.at(f"{label}, dröjsmål {number}"):
                _raise(
                    _delay_errors(
                        decision,
                        reason=delay.reason,
                        recorded_on=delay.recorded_on,
                        offer_declined_on=delay.offer_declined_on,
                    )
                )
                _not_in_future(delay.recorded_on, "recorded_on")
                _not_in_future(delay.offer_declined_on, "offer_declined_on")
                built.delays.append(
                    ExecutionDelay(
                        decision=decision,
                        recorded_on=delay.recorded_on,
                        reason=delay.reason,
                        note=delay.note.strip(),
                        offer_declined_on=delay.offer_declined_on,
                    )
                )
        for number, appeal in enumerate(item.appeals, start=1):
            self._appeal(appeal, built, keys, decision, f"{label}, överklagande {number}")

    def _decision_row(
        self,
        item: ImportedDecision,
        case: Case,
        intake: Intake,
        investigation: Investigation | None,
        superseded: Decision | None,
    ) -> Decision:
        if item.decided_by is None:
            raise ValidationError({"decided_by": "Ange vem som fattade beslutet."})
        scope = _decision_scope(item.outcome, item.scope_amount, item.scope_unit, item.period_start, item.period_end)
        _not_in_future(item.decision_date, "decision_date")
        _raise(
            _decision_errors(
                service=item.service,
                outcome=item.outcome,
                decision_date=item.decision_date,
                applied_on=intake.received_on,
                reasons=item.reasons,
                scope=scope,
                superseded_date=superseded.decision_date if superseded is not None else None,
            )
        )
        on = item.decision_date
        if self.delegation_begins is not None and on >= self.delegation_begins:
            roles = _check_delegation(
                decided_by=item.decided_by,
                unit=self.unit,
                service=item.service,
                outcome=item.outcome,
                on=on,
                delegations=self.delegations,
                roles=self._roles(item.decided_by, on),
            )
        else:  # before the delegation order Bistå knows (see the module's docstring)
            roles = self._roles(item.decided_by, on)
        amount, scope_unit, period_start, period_end = scope
        return Decision(
            case=case,
            intake=intake,
            investigation=investigation,
            service=item.service,
            outcome=item.outcome,
            scope_amount=amount,
            scope_unit=scope_unit,
            period_start=period_start,
            period_end=period_end,
            reasons=item.reasons.strip(),
            decision_date=on,
            decided_by=item.decided_by,
            decided_by_name=_decider_name(item.decided_by),
            decided_by_role=", ".join(sorted(self.role_names.get(code, code) for code in roles))[:100],
            received_on=item.received_on,
            ended_on=item.ended_on,
            end_reason=item.end_reason.strip()[:200],
        )

    def _order(self, item: ImportedOrder, built: _Built, decision: Decision, label: str) -> None:
        with self.refusals.at(label):
            care_order = self.care_orders.get(item.care_order.pk) if item.care_order is not None else None
            if item.care_order is not None and care_order is None:
                raise ValidationError({"care_order": "Utförarens beställning finns inte."})
            # Ordered after a later decision superseded this one: the hand-made path refuses that too.
            superseded = any(
                old is decision and item.ordered_on >= row.decision_date
                for row in built.decisions
                if (old := built.superseded.get(id(row))) is not None
            )
            external = item.external_provider.strip()
            _raise(
                _order_errors(
                    decision,
                    superseded=superseded,
                    ordered_on=item.ordered_on,
                    provider_unit=care_order.unit if care_order is not None else None,
                    external_provider=external,
                    free_choice_informed_on=item.free_choice_informed_on,
                )
            )
            _not_in_future(item.ordered_on, "ordered_on")
            _not_in_future(item.free_choice_informed_on, "free_choice_informed_on")
            if care_order is not None:
                _raise(self._care_order_errors(care_order, built.case, decision, item.ordered_on))
                self.seen_care_orders.add(care_order.pk)
            if item.external_executed_on is not None:
                if care_order is not None:
                    raise ValidationError(
                        {"executed_on": "Utföraren i Bistå registrerar själv när insatsen verkställs."}
                    )
                _not_in_future(item.external_executed_on, "executed_on")
                _executed_check(item.external_executed_on, decision.decision_date)
            built.orders.append(
                CaseOrder(
                    decision=decision,
                    case=built.case,
                    provider_unit=care_order.unit if care_order is not None else None,
                    external_provider=external,
                    care_order=care_order,
                    ordered_on=item.ordered_on,
                    free_choice_informed_on=item.free_choice_informed_on,
                    goals=item.goals.strip(),
                    special_considerations=item.special_considerations.strip(),
                    external_executed_on=item.external_executed_on,
                )
            )

    def _care_order_errors(
        self, care_order: Order, case: Case, decision: Decision, ordered_on: datetime.date
    ) -> dict[str, str]:
        """The provider's existing order must be the one this decision led to: same client, service, decision
        date, scope and period, received the day it was ordered, and not yet linked to another decision."""
        if care_order.pk in self.ordered or care_order.pk in self.seen_care_orders:
            return {"care_order": "Utförarens beställning hör redan till ett annat beslut."}
        if care_order.client_id != case.client.pk:
            return {"care_order": "Utförarens beställning gäller en annan brukare."}
        differs = [
            label
            for label, ours, theirs in (
                ("insats", decision.service.pk, care_order.service_id),
                ("beslutsdatum", decision.decision_date, care_order.decision_date),
                ("omfattning", decision.scope_amount, care_order.scope_amount),
                ("omfattning avser", decision.scope_unit, care_order.scope_unit),
                ("period från", decision.period_start, care_order.period_start),
                ("period till", decision.period_end, care_order.period_end),
                ("beställningsdatum", ordered_on, care_order.received_on),
            )
            if ours != theirs
        ]
        if differs:
            return {"care_order": f"Utförarens beställning stämmer inte med beslutet: {', '.join(differs)}."}
        return {}

    def _follow_up(self, item: ImportedFollowUp, built: _Built, decision: Decision, label: str) -> None:
        with self.refusals.at(label):
            if not decision.is_favourable:
                raise ValidationError({"decision": "Ett avslagsbeslut följs inte upp och avslutas inte."})
            _raise(_follow_up_errors(decision.decision_date, on=item.on, own_view=item.own_view, outcome=item.outcome))
            _not_in_future(item.on, "on")
            done_by = item.done_by
            built.follow_ups.append(
                FollowUp(
                    decision=decision,
                    on=item.on,
                    own_view=item.own_view.strip(),
                    outcome=item.outcome,
                    notes=item.notes.strip(),
                    done_by=done_by,
                    done_by_name=_decider_name(done_by) if done_by is not None else "",
                )
            )

    def _appeal(
        self, item: ImportedAppeal, built: _Built, keys: dict[str, Decision], decision: Decision, label: str
    ) -> None:
        accepted = False
        with self.refusals.at(label):
            _appeal_step_date(item.received_on, "received_on", decision.decision_date, "beslutet")
            if item.reconsideration:
                if item.reconsideration not in Appeal.Reconsideration.values or item.reconsidered_on is None:
                    raise ValidationError({"outcome": "Välj om beslutet ändras eller inte, och när."})
                _appeal_step_date(item.reconsidered_on, "on", item.received_on, "överklagandet")
            if item.forwarded_on is not None:
                _appeal_step_date(item.forwarded_on, "on", item.reconsidered_on or item.received_on, "föregående steg")
            if item.judgment:
                if item.forwarded_on is None:
                    raise ValidationError({"judgment": "Överklagandet har inte överlämnats till domstolen."})
                if item.judgment not in Appeal.Judgment.values or item.judgment_on is None:
                    raise ValidationError({"judgment": "Välj domens utfall och ange domsdatum."})
                _appeal_step_date(item.judgment_on, "on", item.forwarded_on, "överlämnandet")
                if item.further_appeal_on is not None:
                    _appeal_step_date(item.further_appeal_on, "further_appeal_on", item.judgment_on, "domen")
            changes = [
                item.reconsideration == Appeal.Reconsideration.CHANGED,
                item.judgment == Appeal.Judgment.CHANGED,
            ]
            if all(changes):
                raise ValidationError({"judgment": "Beslutet är redan ändrat vid omprövningen."})
            if any(changes) != (item.new_decision is not None):
                raise ValidationError({"new_decision": "Ett ändrat beslut anges som det nya beslutet, och bara då."})
            if item.new_decision is not None and item.new_decision.service.pk != decision.service.pk:
                raise ValidationError({"new_decision": "Det nya beslutet gäller samma insats som det överklagade."})
            weeks = appeal_period_amount(decision.decision_date)
            appeal = Appeal(
                decision=decision,
                received_on=item.received_on,
                timely=rules.appeal_is_timely(decision.received_on, item.received_on, weeks),
                reconsideration=item.reconsideration,
                reconsidered_on=item.reconsidered_on,
                forwarded_on=item.forwarded_on,
                judgment=item.judgment,
                judgment_on=item.judgment_on,
                further_appeal_on=item.further_appeal_on,
            )
            built.appeals.append(appeal)
            accepted = True
        if accepted and item.new_decision is not None:
            count = len(built.decisions)
            self._decision(
                item.new_decision,
                built,
                keys,
                decision.intake,
                decision.investigation,
                decision,
                f"{label}, nytt beslut",
            )
            if len(built.decisions) > count:
                appeal.new_decision = built.decisions[count]


def _all_decisions(decisions: Sequence[ImportedDecision]) -> Iterator[ImportedDecision]:
    """The decisions and the new decisions their appeals led to."""
    for decision in decisions:
        yield decision
        for appeal in decision.appeals:
            if appeal.new_decision is not None:
                yield from _all_decisions((appeal.new_decision,))


# --- Saving ---------------------------------------------------------------------------------------------


def _save_decisions(all_built: Sequence[_Built]) -> None:
    """The decisions in rounds: one that supersedes another is created once the other has its id."""
    pending = [(built, decision) for built in all_built for decision in built.decisions]
    while pending:
        ready = [
            (built, decision)
            for built, decision in pending
            if id(decision) not in built.superseded or built.superseded[id(decision)].pk is not None
        ]
        for built, decision in ready:
            decision.supersedes = built.superseded.get(id(decision))
        Decision.objects.bulk_create([decision for _built, decision in ready], batch_size=500)
        pending = [item for item in pending if item[1].pk is None]


@transaction.atomic
def history_import(
    *, actor: Any, unit: Unit, histories: Sequence[ImportedHistory], today: datetime.date | None = None
) -> list[Case]:
    """Import the purchaser history of one or more clients at `unit` (each client's case starts here: a client
    with a case at the unit already is refused). Everything is checked before anything is saved; a refused
    record names its place ("ansökan 2, beslut 1, beställning 1: …") and nothing is saved. By the SYSTEM actor
    only (no page offers it): one audit event per client's case and one access-log row per client."""
    if actor is not SYSTEM:
        raise PermissionDenied("Ärendehistorik importeras bara av systemets migrering.")
    _purchaser(unit)
    clients = [history.client for history in histories]
    # Lock the clients: two imports of the same client cannot both start its case.
    list(Client.objects.select_for_update().filter(pk__in=[client.pk for client in clients]).values_list("pk"))
    linked = set(ClientUnit.objects.filter(unit=unit, client__in=clients).values_list("client_id", flat=True))
    with_case = set(Case.objects.filter(unit=unit, client__in=clients).values_list("client_id", flat=True))
    # The day the history runs to (the import's "now"): an open case's officer must hold a role in the unit then.
    # A demo generated for an earlier day passes its own; otherwise it is today.
    checker = _Checker(unit, histories, today or clock.today())
    all_built: list[_Built] = []
    seen: set[int] = set()
    for number, history in enumerate(histories, start=1):
        label = f"Brukare {number}, " if len(histories) > 1 else ""
        with checker.refusals.at(label.rstrip(", ") or "Brukaren"):
            client = history.client
            if client.pk in seen:
                raise ValidationError({"client": "Brukaren finns två gånger i importen."})
            if client.pk not in linked:
                raise ValidationError({"client": "Brukaren är inte kopplad till enheten."})
            if client.pk in with_case:
                raise ValidationError(
                    {"client": "Brukaren har redan ett ärende vid enheten: historiken importeras inte."}
                )
        seen.add(history.client.pk)
        all_built.append(checker.history(history, label))
    if checker.refusals.messages:
        raise ValidationError({"history": checker.refusals.messages})
    _save(all_built)
    access_log_record_many(
        actor=SYSTEM, clients=clients, action=AccessLogEntry.Action.WRITE, unit=unit, detail="ärendehistorik"
    )
    for built in all_built:
        audit.record(actor=SYSTEM, action=AuditAction.CASE_IMPORT, obj=built.case, new=built.counts(), unit=unit)
    return [built.case for built in all_built]


def _save(all_built: Sequence[_Built]) -> None:
    """Every row in a few statements, parents first (bulk_create takes a saved parent's id from the object)."""
    Case.objects.bulk_create([built.case for built in all_built], batch_size=500)
    intakes = [intake for built in all_built for intake, _services in built.intakes]
    Intake.objects.bulk_create(intakes, batch_size=500)
    Intake.services.through.objects.bulk_create(
        [
            Intake.services.through(intake_id=intake.pk, service_id=service.pk)
            for built in all_built
            for intake, services in built.intakes
            for service in services
        ],
        batch_size=500,
    )
    investigations = [row for built in all_built for row in built.investigations]
    Investigation.objects.bulk_create(investigations, batch_size=500)
    _save_decisions(all_built)
    orders = [row for built in all_built for row in built.orders]
    CaseOrder.objects.bulk_create(orders, batch_size=500)
    follow_ups = [row for built in all_built for row in built.follow_ups]
    FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    delays = [row for built in all_built for row in built.delays]
    ExecutionDelay.objects.bulk_create(delays, batch_size=500)
    appeals = [row for built in all_built for row in built.appeals]
    Appeal.objects.bulk_create(appeals, batch_size=500)
