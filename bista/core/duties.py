"""The duty registry: each context registers a source that turns its records into duties.

`duties_for` loads the rule book (reference data) once and asks every source for the duties of the given
units; `bista.core.deadlines` sorts them into "Att göra". Core imports no other context: sources register
themselves from their app's `ready()`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bista.core.deadlines import Duty, PeriodUnit, RuleBook, RuleVersion
from bista.core.models import DutyRule


@dataclass(frozen=True)
class DutyQuery:
    """Which duties to compute: those of `unit_ids`, optionally only a team's or a responsible person's.

    Sources return every open duty and those done since `done_since`; narrowing by team or person happens
    here, so each source only filters by unit.
    """

    unit_ids: frozenset[int]
    today: datetime.date
    done_since: datetime.date
    rules: RuleBook


DutySource = Callable[[DutyQuery], Iterable[Duty]]
_sources: dict[str, DutySource] = {}


def register(name: str) -> Callable[[DutySource], DutySource]:
    def decorator(source: DutySource) -> DutySource:
        _sources[name] = source
        return source

    return decorator


def load_rule_book() -> RuleBook:
    return RuleBook(
        RuleVersion(
            code=rule.code,
            name=rule.name,
            amount=rule.amount,
            unit=PeriodUnit(rule.unit),
            warn_days=rule.warn_days,
            valid_from=rule.valid_from,
            valid_to=rule.valid_to,
            legal_reference=rule.legal_reference,
        )
        for rule in DutyRule.objects.all()
    )


def duties_for(
    unit_ids: Iterable[int],
    *,
    today: datetime.date,
    done_since: datetime.date,
    team_id: int | None = None,
    responsible_id: int | None = None,
) -> list[Duty]:
    """All duties of the units (open, or done since `done_since`), narrowed to a team or a person if given.

    The caller has checked that its actor may see these units.
    """
    query = DutyQuery(unit_ids=frozenset(unit_ids), today=today, done_since=done_since, rules=load_rule_book())
    if not query.unit_ids:
        return []
    duties: list[Duty] = []
    for source in _sources.values():
        duties.extend(source(query))
    if team_id is not None:
        duties = [d for d in duties if team_id in d.team_ids]
    if responsible_id is not None:
        duties = [d for d in duties if d.responsible_id == responsible_id]
    return duties
