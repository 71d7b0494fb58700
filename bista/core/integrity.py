"""Integrity checks a restored (or any) database must pass: each context registers its own.

`bista restore` runs every check after loading a backup and fails when one finds a broken record. Core
imports no other context: checks register themselves from their app's `ready()` (as the duty sources do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """How many records a check read, and the ids of those that failed it."""

    label: str
    checked: int
    failed: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


IntegrityCheck = Callable[[str], CheckResult]  # given the database alias to read
_CHECKS: dict[str, IntegrityCheck] = {}


def register(name: str) -> Callable[[IntegrityCheck], IntegrityCheck]:
    def decorator(check: IntegrityCheck) -> IntegrityCheck:
        _CHECKS[name] = check
        return check

    return decorator


def run_all(using: str = "default") -> list[CheckResult]:
    return [check(using) for _, check in sorted(_CHECKS.items())]
