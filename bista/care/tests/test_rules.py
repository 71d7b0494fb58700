"""The pure rules of the provider chain (bista.care.rules): an order's status from its steps, the differences
between two plan versions, deliveries against the yearly goal."""

from __future__ import annotations

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bista.care import rules
from bista.care.models import Order

D = datetime.date
DAY = D(2025, 2, 1)


def test_status_codes_are_the_model_values() -> None:
    assert {
        rules.RECEIVED,
        rules.FIRST_CONTACT,
        rules.PLAN_ESTABLISHED,
        rules.EXECUTED,
        rules.INTERRUPTED,
        rules.ENDED,
    } == set(Order.Status.values)


@pytest.mark.parametrize(
    ("first_contact", "plan", "executed", "interrupted", "ended", "expected"),
    [
        (False, False, False, False, False, rules.RECEIVED),
        (True, False, False, False, False, rules.FIRST_CONTACT),
        (True, True, False, False, False, rules.PLAN_ESTABLISHED),
        (False, True, False, False, False, rules.PLAN_ESTABLISHED),  # plan without a recorded first contact
        (True, True, True, False, False, rules.EXECUTED),
        (False, False, True, False, False, rules.EXECUTED),  # executed before anything else was recorded
        (True, True, True, True, False, rules.INTERRUPTED),
        (False, False, False, True, False, rules.INTERRUPTED),
        (True, True, True, True, True, rules.ENDED),  # ended wins over an ongoing interruption
        (False, False, False, False, True, rules.ENDED),  # ended before anything happened
    ],
)
def test_order_status_precedence(
    first_contact: bool, plan: bool, executed: bool, interrupted: bool, ended: bool, expected: str
) -> None:
    assert (
        rules.order_status(
            first_contact_on=DAY if first_contact else None,
            plan_established_on=DAY if plan else None,
            executed_on=DAY if executed else None,
            interrupted=interrupted,
            ended_on=DAY if ended else None,
        )
        == expected
    )


def test_order_status_furthest_step_wins_in_every_combination() -> None:
    order = [
        rules.RECEIVED,
        rules.FIRST_CONTACT,
        rules.PLAN_ESTABLISHED,
        rules.EXECUTED,
        rules.INTERRUPTED,
        rules.ENDED,
    ]
    for first_contact, plan, executed, interrupted, ended in itertools.product([False, True], repeat=5):
        reached = [
            rules.RECEIVED,
            *([rules.FIRST_CONTACT] if first_contact else []),
            *([rules.PLAN_ESTABLISHED] if plan else []),
            *([rules.EXECUTED] if executed else []),
            *([rules.INTERRUPTED] if interrupted else []),
            *([rules.ENDED] if ended else []),
        ]
        status = rules.order_status(
            first_contact_on=DAY if first_contact else None,
            plan_established_on=DAY if plan else None,
            executed_on=DAY if executed else None,
            interrupted=interrupted,
            ended_on=DAY if ended else None,
        )
        assert status == max(reached, key=order.index)


# --- text_changes -------------------------------------------------------------------------------------

LABELS = {"goals": "Mål", "client_view": "Brukarens egen uppfattning", "follow_up_on": "Uppföljningsdatum"}


def test_text_changes_only_where_different_in_label_order() -> None:
    old = {"goals": "Gå på bio\nTräffa vänner", "client_view": "Nöjd", "follow_up_on": "2025-06-01"}
    new = {"goals": "Gå på bio\nSimma", "client_view": "Nöjd", "follow_up_on": "2025-09-01"}
    changes = rules.text_changes(LABELS, old, new)
    assert [c.label for c in changes] == ["Mål", "Uppföljningsdatum"]
    goals = changes[0]
    assert (goals.old, goals.new) == (old["goals"], new["goals"])
    assert goals.diff == [(" ", "Gå på bio"), ("-", "Träffa vänner"), ("+", "Simma")]
    assert changes[1].diff == [("-", "2025-06-01"), ("+", "2025-09-01")]


def test_text_changes_none_when_equal() -> None:
    same = {"goals": "A\nB", "client_view": "", "follow_up_on": ""}
    assert rules.text_changes(LABELS, same, dict(same)) == []


def test_text_changes_missing_and_none_count_as_empty() -> None:
    assert rules.text_changes(LABELS, {"goals": None}, {}) == []  # type: ignore[dict-item]
    added = rules.text_changes(LABELS, {}, {"client_view": "Vill ha fler aktiviteter"})
    assert len(added) == 1
    assert added[0].label == "Brukarens egen uppfattning"
    assert added[0].old == ""
    assert added[0].diff == [("+", "Vill ha fler aktiviteter")]
    removed = rules.text_changes(LABELS, {"goals": "Rad 1\nRad 2"}, {"goals": ""})
    assert removed[0].diff == [("-", "Rad 1"), ("-", "Rad 2")]


def test_text_changes_ignores_keys_without_a_label() -> None:
    assert rules.text_changes(LABELS, {"secret": "a"}, {"secret": "b"}) == []


def test_text_changes_diff_has_no_hint_lines() -> None:
    # ndiff adds "? " lines pointing at changed characters; they are not shown
    changes = rules.text_changes(LABELS, {"goals": "Gå på bio varje vecka"}, {"goals": "Gå på bio varannan vecka"})
    assert all(marker in {" ", "-", "+"} for marker, _ in changes[0].diff)
    assert changes[0].diff == [("-", "Gå på bio varje vecka"), ("+", "Gå på bio varannan vecka")]


@given(
    old=st.lists(st.text(alphabet="abcåäö \t", max_size=12), max_size=6),
    new=st.lists(st.text(alphabet="abcåäö \t", max_size=12), max_size=6),
)
def test_text_changes_diff_rebuilds_both_versions(old: list[str], new: list[str]) -> None:
    before, after = "\n".join(old), "\n".join(new)
    changes = rules.text_changes({"goals": "Mål"}, {"goals": before}, {"goals": after})
    if before == after:
        assert changes == []
        return
    (change,) = changes
    assert [line for marker, line in change.diff if marker in {" ", "-"}] == before.splitlines()
    assert [line for marker, line in change.diff if marker in {" ", "+"}] == after.splitlines()


# --- deliveries_over_goal ------------------------------------------------------------------------------


def test_deliveries_counts_only_the_year() -> None:
    days = [D(2024, 12, 31), D(2025, 1, 1), D(2025, 6, 1), D(2025, 12, 31), D(2026, 1, 1)]
    assert rules.deliveries_over_goal(days, 2025, 4) == (3, False)
    assert rules.deliveries_over_goal(days, 2024, 0) == (1, True)


def test_deliveries_at_and_over_the_goal() -> None:
    four = [D(2025, m, 1) for m in (1, 4, 7, 10)]
    assert rules.deliveries_over_goal(four, 2025, 4) == (4, False)  # at the goal is fine
    assert rules.deliveries_over_goal([*four, D(2025, 12, 1)], 2025, 4) == (5, True)
    assert rules.deliveries_over_goal([], 2025, 4) == (0, False)
    # two deliveries on the same day are two deliveries
    assert rules.deliveries_over_goal([D(2025, 3, 3)] * 2, 2025, 1) == (2, True)
