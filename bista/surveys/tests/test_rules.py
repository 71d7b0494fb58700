"""The pure rules: codes, when a code may be used, scales, and the minimum group."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from bista.surveys import rules

D = datetime.date


@given(st.integers(min_value=0, max_value=50))
def test_a_new_code_normalises_to_itself_and_reads_back_from_its_display(_: int) -> None:
    code = rules.new_code()
    assert rules.normalise_code(code) == code
    assert rules.normalise_code(rules.display_code(code).lower()) == code
    assert rules.normalise_code(" " + rules.display_code(code) + " ") == code


@given(st.text(max_size=30))
def test_any_text_is_a_code_or_refused_never_an_error(raw: str) -> None:
    code = rules.normalise_code(raw)
    assert code is None or (len(code) == rules.CODE_LENGTH and set(code) <= set(rules.CODE_ALPHABET))


def test_confusable_characters_and_nul_are_not_codes() -> None:
    assert rules.normalise_code("O0I1LO0I1L") is None
    assert rules.normalise_code("ABCDE\x00FGHJ") is None


def _refusal(**changes: object) -> str | None:
    values: dict[str, object] = {
        "today": D(2026, 3, 10),
        "opens_on": D(2026, 3, 1),
        "closes_on": D(2026, 3, 31),
        "status": "open",
        "used": False,
        "replaced": False,
    }
    values.update(changes)
    return rules.code_refusal(**values)  # type: ignore[arg-type]


def test_when_a_code_may_be_used() -> None:
    assert _refusal() is None
    assert _refusal(today=D(2026, 3, 31)) is None
    assert _refusal(used=True) == rules.Refusal.USED
    assert _refusal(replaced=True) == rules.Refusal.REPLACED
    assert _refusal(today=D(2026, 4, 1)) == rules.Refusal.EXPIRED.format(closes="2026-03-31")
    assert _refusal(today=D(2026, 2, 28)) == rules.Refusal.NOT_YET.format(opens="2026-03-01")
    assert _refusal(status="draft") == rules.Refusal.NOT_YET.format(opens="2026-03-01")
    assert _refusal(status="closed") == rules.Refusal.CLOSED


@given(
    st.dictionaries(st.integers(min_value=1, max_value=5), st.integers(min_value=0, max_value=40)),
    st.integers(min_value=2, max_value=5),
    st.integers(min_value=2, max_value=10),
)
def test_a_group_under_the_minimum_shows_nothing_but_its_size(counts: dict[int, int], steps: int, limit: int) -> None:
    counts = {k: v for k, v in counts.items() if k <= steps}
    positive_from = steps
    result = rules.distribution(counts, steps, positive_from, limit)
    assert result.answers == sum(counts.values())
    if result.answers < limit:
        assert not result.shown and result.share_positive is None and set(result.counts) <= {0}
        assert all(share is None for share in result.shares())
    else:
        assert result.shown and result.positive == counts.get(steps, 0)
        assert result.share_positive is not None and 0 <= result.share_positive <= 100


def test_scales_have_two_to_five_steps_with_a_positive_step() -> None:
    assert rules.scale_errors(["Nej", "Ja"], 2) == {}
    assert "labels" in rules.scale_errors(["Ja"], 1)
    assert "labels" in rules.scale_errors(["a", "b", "c", "d", "e", "f"], 4)
    assert "labels" in rules.scale_errors(["a", " "], 2)
    assert "positive_from" in rules.scale_errors(["a", "b", "c"], 4)


def test_the_minimum_group_setting_is_kept_sensible() -> None:
    assert rules.effective_min_group(5) == 5
    assert rules.effective_min_group(1) == 2
    assert rules.effective_min_group("x") == rules.MIN_GROUP
    assert rules.effective_min_group(10**9) == 100


def test_a_small_group_cannot_be_worked_out_from_the_total() -> None:
    # 10 women, 10 men, 1 of other gender: hiding the one alone would leave total − women − men = that person.
    assert rules.suppressed_groups({"K": 10, "M": 10, "A": 1}, 5) == {"A", "K"}
    # The hidden together reach the minimum: nothing more is hidden.
    assert rules.suppressed_groups({"K": 10, "M": 10, "A": 3, "O": 2}, 5) == {"A", "O"}
    assert rules.suppressed_groups({"K": 10, "M": 10}, 5) == set()
    assert rules.suppressed_groups({"K": 0, "M": 8}, 5) == {"K"}


@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.integers(0, 30), min_size=1), st.integers(2, 10))
def test_what_is_hidden_is_nothing_or_at_least_the_minimum(sizes: dict[str, int], limit: int) -> None:
    hidden = rules.suppressed_groups(sizes, limit)
    assert {key for key, size in sizes.items() if size < limit} <= hidden
    hidden_answers = sum(sizes[key] for key in hidden)
    assert hidden_answers == 0 or hidden_answers >= limit or hidden == set(sizes)
