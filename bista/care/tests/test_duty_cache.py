"""The cached "Att göra" duties (`bista.core.duties.duties_for` with `todo_only`) equal the duties computed fresh
from the records, after every kind of write that changes duties and on every day across the history.

Each check first asks through the cache (so the entry of the state before the next write is there), then the
next write happens, then the cache must give what a fresh computation gives: an entry the write did not make
unreachable would show as a difference. Every write below is asserted to change some fresh list, so no step
compares two unchanged states.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction

from bista.care.models import HomeBinder
from bista.care.tests import factories as f
from bista.clients import services as client_services
from bista.core import audit
from bista.core import services as core_services
from bista.core.access import SYSTEM
from bista.core.datacache import data_version
from bista.core.duties import DUTY_CACHE, duties_for
from bista.core.models import DutyRule, Unit
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user

pytestmark = pytest.mark.django_db

D = datetime.date
# Days from before the first record to after the last one, a little over a month apart (not a divisor of a
# week or a month, so the days fall on different weekdays and month days).
DAYS = [D(2023, 12, 1) + datetime.timedelta(days=37 * n) for n in range(26)]  # to 2026-07
UPCOMING = 92

Lists = dict[tuple[Any, ...], list[str]]
fresh_duties_for = functools.partial(duties_for, cached=False)  # from the records, past the cache


def _shapes(org: Organisation, people: list[int]) -> list[dict[str, Any]]:
    """The queries the pages make: the units' whole lists (start page and Att göra, with and without what is
    coming), one team's, and each person's own."""
    units = [org.provider.pk, org.purchaser.pk]
    shapes: list[dict[str, Any]] = [
        {"unit_ids": units, "upcoming_days": UPCOMING},
        {"unit_ids": units, "upcoming_days": 0},
        {"unit_ids": [org.provider.pk], "upcoming_days": UPCOMING, "team_id": org.team.pk},
    ]
    shapes += [{"unit_ids": units, "upcoming_days": UPCOMING, "responsible_id": person} for person in people]
    return shapes


def _lists(shapes: list[dict[str, Any]], compute: Callable[..., list[Any]]) -> Lists:
    result: Lists = {}
    for day in DAYS:
        since = day - datetime.timedelta(days=90)
        for n, shape in enumerate(shapes):
            duties = compute(today=day, done_since=since, todo_only=True, **shape)
            result[(day, n)] = sorted(map(repr, duties))
    return result


def test_cached_duties_equal_fresh_ones_after_every_kind_of_write(org: Organisation, manager: Any) -> None:
    from bista.casework.tests import factories as cw
    from bista.quality.tests import factories as q
    from bista.staff.tests.support import add_delegation, hire

    caches[DUTY_CACHE].clear()
    deputy = make_user("bitr", RoleCode.DEPUTY_MANAGER, org.provider)
    shapes = _shapes(org, [manager.pk, deputy.pk])
    state: dict[str, Any] = {}

    def new_client() -> None:
        state["client"] = f.make_client(org.provider, first_name="Astrid", last_name="Lind", teams=[org.team])
        state["order"] = f.make_order(state["client"], org.provider, deputy=deputy)

    def first_contact() -> None:
        state["order"] = f.step(state["order"], "first_contact", D(2024, 2, 5))  # late: due 29 January

    def executed() -> None:
        state["order"] = f.step(state["order"], "executed", D(2024, 2, 20))

    def plan_signed() -> None:
        state["plan"] = f.signed_plan(state["order"], D(2024, 2, 25))

    def plan_reviewed() -> None:
        f.review(state["plan"], D(2025, 3, 20))

    def binder_saved() -> None:
        f.save_binder(state["client"], HomeBinder.Kind.RISK_ASSESSMENT, D(2024, 3, 1))

    def binder_with_responsible() -> None:
        f.save_binder(state["client"], HomeBinder.Kind.CRISIS_BINDER, D(2024, 3, 1), responsible=manager)

    def interrupted() -> None:
        state["order"] = f.step(state["order"], "interrupted", D(2025, 6, 1))

    def renamed() -> None:  # the client's name is in every duty about them
        client = state["client"]
        state["client"] = client_services.client_update(
            actor=SYSTEM, client=client, expected_version=client.version, last_name="Lindgren"
        )

    def teams_changed() -> None:  # a team's list narrows by the client's teams
        state["client"] = client_services.client_set_teams(actor=SYSTEM, client=state["client"], teams=[org.other_team])

    def rule_version() -> None:  # reference data, through its service
        core_services.duty_rule_add_version(
            actor=SYSTEM,
            code="care.first_contact",
            valid_from=D(2024, 1, 2),
            amount=3,
            unit=DutyRule.Unit.WEEKS,
            warn_days=5,
            name="Första kontakt",
        )

    def delegation() -> None:
        add_delegation(hire(org.provider, "Eva", "Berg", start=D(2023, 1, 1)), D(2024, 1, 1), D(2024, 12, 31))

    def intake() -> None:
        state["intake"] = cw.register(org.purchaser, received_on=D(2024, 3, 4))

    def decision() -> None:
        cw.decide(state["intake"], actor=cw.officer(org), decision_date=D(2024, 4, 20))

    def deviation() -> None:
        q.report_deviation(org.provider, client=state["client"])

    def lex_sarah() -> None:
        q.report_lex_sarah(org.provider)

    def feedback() -> None:
        q.register_feedback(org.provider)

    def incident() -> None:
        q.register_incident(org.provider)

    def routine() -> None:
        q.make_routine(org.provider, manager, reviewed_on=D(2025, 6, 1))

    writes = [
        new_client,
        first_contact,
        executed,
        plan_signed,
        plan_reviewed,
        binder_saved,
        binder_with_responsible,
        interrupted,
        renamed,
        teams_changed,
        rule_version,
        delegation,
        intake,
        decision,
        deviation,
        lex_sarah,
        feedback,
        incident,
        routine,
    ]
    before = _lists(shapes, fresh_duties_for)
    assert _lists(shapes, duties_for) == before  # and the cache now holds every list of this state
    for write in writes:
        write()
        after = _lists(shapes, fresh_duties_for)
        assert after != before, f"{write.__name__} changed no duty: the step proves nothing"
        assert _lists(shapes, duties_for) == after, write.__name__
        before = after


def test_reference_data_changed_without_an_audit_event_is_seen(org: Organisation, astrid: Any) -> None:
    """The rule book is part of the key: a rule edited outside the services (a data migration, the database by
    hand) changes the duties at once, though no audit event was written."""
    caches[DUTY_CACHE].clear()
    f.make_order(astrid, org.provider)
    day = D(2024, 1, 25)
    since = day - datetime.timedelta(days=90)
    ask = {"today": day, "done_since": since, "todo_only": True}
    cached = duties_for([org.provider.pk], **ask)
    DutyRule.objects.filter(code="care.first_contact").update(amount=1, warn_days=1)
    assert sorted(map(repr, duties_for([org.provider.pk], **ask))) != sorted(map(repr, cached))
    assert sorted(map(repr, duties_for([org.provider.pk], **ask))) == sorted(
        map(repr, fresh_duties_for([org.provider.pk], **ask))
    )


def test_the_version_changes_with_every_audit_event_and_after_a_rollback(org: Organisation) -> None:
    """A new audit event changes the version; so does an event that reuses the id of one rolled back (SQLite
    hands out max + 1 again), so a list computed inside a rolled-back transaction is never found again."""
    unit = Unit.objects.get(pk=org.provider.pk)
    start = data_version()
    with transaction.atomic():
        audit.record(actor=SYSTEM, action="unit.update", obj=unit)
    first = data_version()
    assert first != start

    class Undo(Exception):
        pass

    inside = ""
    with pytest.raises(Undo), transaction.atomic():
        audit.record(actor=SYSTEM, action="unit.update", obj=unit)
        inside = data_version()
        raise Undo
    assert data_version() == first
    with transaction.atomic():
        audit.record(actor=SYSTEM, action="unit.update", obj=unit)
    assert data_version() not in {start, first, inside}
