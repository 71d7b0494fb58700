"""The duty registry: each context registers a source that turns its records into duties.

`duties_for` loads the rule book (reference data) once and asks every source for the duties of the given
units; `bista.core.deadlines` sorts them into "Att göra". Core imports no other context: sources register
themselves from their app's `ready()`.

"Att göra"'s duties (`todo_only`) are kept in the per-process cache of `bista.core.datacache` under a key that
changes with everything they are computed from, so an entry is never stale:

- the records: every service write records an audit event in its own transaction (CONVENTIONS), so the
  newest audit events change whenever a record a source reads changes;
- the reference data the sources read: the rule book is part of the key (it is read per request anyway);
- time: the sources judge a duty by the date only (`query.today`, Stockholm's), never the time of day, and the
  date is in the key;
- the query: units, dates, window, the responsible-person hint and the script prefix of the duties' URLs.

Access checks and access logging stay with the callers (they filter what the cache returns per actor), so a
cached list is shared only between requests that would compute the same one.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import get_script_prefix, reverse

from bista.core import datacache
from bista.core.deadlines import Duty, DutyState, PeriodUnit, RuleBook, RuleVersion, due_date, duty_state
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
    # Only what "Att göra" shows (overdue, due soon, done late): sources drop planned and done-in-time duties
    # before building them, which keeps a unit's list fast however long its history.
    todo_only: bool = False
    # With `todo_only`: also keep open duties due up to this many days ahead ("Kommande" in Att göra).
    upcoming_days: int = 0
    # Only this person's duties are wanted (their "Att göra"): a hint, so a source may leave out rows whose duty
    # would be someone else's (`duties_for` keeps only this person's duties whatever the sources return).
    responsible_id: int | None = None
    # What several sources of one context read alike (e.g. the clients' teams), read once per query.
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def horizon(self) -> datetime.date:
        """The last day whose duties the query wants to see coming: today, or today + `upcoming_days`. Sources
        bound their candidate rows with `rules.latest_open_anchor(code, query.horizon)`."""
        return self.today + datetime.timedelta(days=self.upcoming_days)


UrlRef = tuple[str, tuple[object, ...]]


def make_duty(
    query: DutyQuery,
    code: str,
    anchor: datetime.date,
    done: datetime.date | None,
    *,
    subject: str,
    url: UrlRef,
    unit_id: int,
    client_id: int | None = None,
    client_name: str = "",
    responsible_id: int | None = None,
    team_ids: tuple[int, ...] = (),
    anchor_at: datetime.datetime | None = None,
) -> Duty | None:
    """The duty under the rule version in force on its anchor date, or None if the query does not want it:
    no rule then, done before `done_since`, or (for "Att göra") not yet due soon or done in time.

    `url` is a view name and its arguments, reversed only for a duty that is kept.
    """
    if done is not None and done < query.done_since:
        return None  # before the rule lookup: most of a long history is done and long past
    rule = query.rules.rule(code, anchor)
    if rule is None:
        return None
    if query.todo_only:
        due_on = due_date(rule, anchor, anchor_at)
        state = duty_state(due_on, done, query.today, rule.warn_days)
        if state is DutyState.DONE or (state is DutyState.OPEN and due_on > query.horizon):
            return None
    return Duty(
        rule=rule,
        anchor_on=anchor,
        done_on=done,
        subject=subject,
        url=duty_url(url),
        unit_id=unit_id,
        client_id=client_id,
        client_name=client_name,
        responsible_id=responsible_id,
        team_ids=team_ids,
        anchor_at=anchor_at,
    )


# A stand-in id, reversed once per view name (and script prefix); a list of thousands of duties then costs a
# string split per duty instead of a URL resolver walk (reverse() was a fifth of "Att göra"'s time).
_ID_MARK = "987654321987"


@functools.lru_cache(maxsize=256)
def _url_parts(name: str, arity: int, prefix: str) -> tuple[str, ...]:
    return tuple(reverse(name, args=[int(_ID_MARK)] * arity).split(_ID_MARK))


def duty_url(url: UrlRef) -> str:
    """The path of a view name and its arguments: from a cached pattern when every argument is an int."""
    name, args = url
    if args and all(type(arg) is int for arg in args):
        parts = _url_parts(name, len(args), get_script_prefix())
        if len(parts) == len(args) + 1:
            return parts[0] + "".join(f"{arg}{part}" for arg, part in zip(args, parts[1:], strict=True))
    return reverse(name, args=args)


DutySource = Callable[[DutyQuery], Iterable[Duty]]
_sources: dict[str, DutySource] = {}


def register(name: str) -> Callable[[DutySource], DutySource]:
    def decorator(source: DutySource) -> DutySource:
        _sources[name] = source
        return source

    return decorator


def load_rule_book() -> RuleBook:
    return RuleBook(rule_versions())


def rule_versions() -> tuple[RuleVersion, ...]:
    """The rule book's rows (one query). A cache of anything computed from duties puts them in its key: a rule
    edited outside the services (a data migration, by hand) writes no audit event."""
    return tuple(
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
        for rule in DutyRule.objects.order_by("code", "valid_from", "pk")
    )


DUTY_CACHE = datacache.CACHE


def _cache_parts(query: DutyQuery, versions: tuple[RuleVersion, ...], team_id: int | None) -> object:
    return (
        repr(versions),
        get_script_prefix(),
        sorted(query.unit_ids),
        query.today,
        query.done_since,
        query.upcoming_days,
        query.responsible_id,
        team_id,
        sorted(_sources),
    )


def duties_for(
    unit_ids: Iterable[int],
    *,
    today: datetime.date,
    done_since: datetime.date,
    team_id: int | None = None,
    responsible_id: int | None = None,
    todo_only: bool = False,
    upcoming_days: int = 0,
    cached: bool = True,
) -> list[Duty]:
    """All duties of the units (open, or done since `done_since`), narrowed to a team or a person if given.

    The caller has checked that its actor may see these units. `cached=False` computes from the records even
    for an Att göra list (what the cache is tested against).
    """
    versions = rule_versions()
    query = DutyQuery(
        unit_ids=frozenset(unit_ids),
        today=today,
        done_since=done_since,
        rules=RuleBook(versions),
        todo_only=todo_only,
        upcoming_days=upcoming_days,
        responsible_id=responsible_id,
    )
    if not query.unit_ids:
        return []
    if not todo_only or not cached:
        # A whole history (self-checks, tests) is computed fresh: large, rarely asked for twice.
        return _compute(query, team_id, responsible_id)
    return datacache.cached(
        "duties", _cache_parts(query, versions, team_id), lambda: _compute(query, team_id, responsible_id)
    )


def _compute(query: DutyQuery, team_id: int | None, responsible_id: int | None) -> list[Duty]:
    duties: list[Duty] = []
    for source in _sources.values():
        duties.extend(source(query))
    if team_id is not None:
        duties = [d for d in duties if team_id in d.team_ids]
    if responsible_id is not None:
        duties = [d for d in duties if d.responsible_id == responsible_id]
    return duties
