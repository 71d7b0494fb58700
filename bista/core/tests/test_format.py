"""The `antal` filter: a count with its noun in the right number, available in every template."""

from __future__ import annotations

import pytest
from django.template import engines

from bista.core.format import antal, one_decimal


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 beställningar"),
        (1, "1 beställning"),
        (2, "2 beställningar"),
        ("1", "1 beställning"),
        (-1, "-1 beställningar"),
    ],
)
def test_antal_picks_singular_only_for_one(count: object, expected: str) -> None:
    assert antal(count, "beställning,beställningar") == expected


def test_one_form_serves_both_numbers() -> None:
    assert antal(1, "medarbetare") == "1 medarbetare"
    assert antal(5, "medarbetare") == "5 medarbetare"


def test_a_count_that_is_not_a_number_is_shown_as_it_is() -> None:
    assert antal(None, "rad,rader") == "None rader"


def test_every_template_has_the_filter_without_loading_it() -> None:
    template = engines["django"].from_string('{{ n|antal:"avvikelse,avvikelser" }}')
    assert template.render({"n": 1}) == "1 avvikelse"
    assert template.render({"n": 3}) == "3 avvikelser"


def test_kronor_and_figures_round_half_up_never_to_even() -> None:
    from decimal import Decimal

    from bista.core.format import round_half_up
    from bista.economy import indicators, rules
    from bista.governance.rules import rounded

    assert round_half_up(Decimal("2.5")) == 3 and round_half_up(Decimal("-2.5")) == -3  # half-even: 2 and −2
    assert rules.money(Decimal("0.125")) == Decimal("0.13") and rounded(Decimal("0.125"), 2) == Decimal("0.13")
    assert indicators._kr(Decimal("2500")) == "3" and indicators._kr(Decimal("-2500")) == "−3"


@pytest.mark.parametrize(
    ("value", "text"), [(12.25, "12,3"), (0.05, "0,1"), (2.0, "2,0"), (-1.25, "-1,3"), (47.0588, "47,1")]
)
def test_one_decimal_rounds_half_up_with_a_decimal_comma(value: float, text: str) -> None:
    assert one_decimal(value) == text
