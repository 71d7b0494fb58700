"""Declared actions: the audit trail's and the access log's action names, each declared by the context that uses it.

A context declares its actions as an enum (a `StrEnum` for audit actions, a `TextChoices` with Swedish labels for
access-log actions) and registers it from its app's `ready()`. The writers refuse an action nobody declared, and
`core/tests/test_audit_actions.py` checks the code for undeclared (and unused) ones. Core imports no other context:
contexts register into the registries, as with the duty sources (`bista.core.duties`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any


class ActionRegistry:
    """The declared values of one kind of action, with their labels and the enums that declared them."""

    def __init__(self, kind: str, *, max_length: int) -> None:
        self.kind = kind
        self.max_length = max_length  # the column's
        self._labels: dict[str, str] = {}
        self._enums: list[type[enum.Enum]] = []

    def declare(self, actions: type[enum.Enum]) -> None:
        """Register an enum of actions. Two contexts may declare the same value only with the same label
        (e.g. "plan.create" for a care plan and for a governance plan: the audit event's object type tells them
        apart)."""
        if actions in self._enums:
            return
        labels = {str(member.value): _label(member) for member in actions}
        for value, label in labels.items():  # all checked before any is registered
            if len(value) > self.max_length:
                raise ValueError(f"{self.kind} {value!r} is longer than {self.max_length} characters")
            if self._labels.get(value, label) != label:
                raise ValueError(f"{self.kind} {value!r} is already declared as {self._labels[value]!r}")
        self._labels.update(labels)
        self._enums.append(actions)

    def check(self, action: str) -> str:
        """`action` as a plain string, if declared; a ValueError otherwise (a typo, or a missing declaration)."""
        value = str(action.value) if isinstance(action, enum.Enum) else action
        if value not in self._labels:
            raise ValueError(f"undeclared {self.kind}: {value!r} (declare it in the context's actions.py)")
        return value

    def label(self, action: str) -> str:
        """The label to show (the value itself for an action no longer declared, as Django's choices do)."""
        return self._labels.get(action, action)

    def enums(self) -> tuple[type[enum.Enum], ...]:
        return tuple(self._enums)

    def __contains__(self, action: object) -> bool:
        return action in self._labels

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._labels))


def _label(member: Any) -> str:
    return str(getattr(member, "label", member.value))


# Every audit event's action (`bista.core.audit.record`).
AUDIT_ACTIONS = ActionRegistry("audit action", max_length=80)


class AuditAction(enum.StrEnum):
    """Core's audit actions: the organisation, memberships, reference data and sign-in."""

    API_TOKEN_CREATE = "api_token.create"
    API_TOKEN_REVOKE = "api_token.revoke"
    DUTY_RULE_CREATE = "duty_rule.create"
    DUTY_RULE_END = "duty_rule.end"
    MEMBERSHIP_END = "membership.end"
    MEMBERSHIP_GRANT = "membership.grant"
    TEAM_CREATE = "team.create"
    TEAM_UPDATE = "team.update"
    TWO_FACTOR_CODE_ISSUE = "two_factor.code_issue"
    TWO_FACTOR_CODE_REDEEM = "two_factor.code_redeem"
    TWO_FACTOR_ENROL = "two_factor.enrol"
    UNIT_CREATE = "unit.create"
    UNIT_UPDATE = "unit.update"
    USER_PASSWORD_CHANGE = "user.password_change"
