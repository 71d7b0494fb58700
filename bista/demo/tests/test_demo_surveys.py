"""The survey history of the demo: one closed survey a year for the last five years, response rates of
30–60 %, a previous year to compare with, and governance's survey indicators computed from the answers."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.core.access import SYSTEM
from bista.demo import generator
from bista.governance import registry
from bista.governance.rules import period_range
from bista.surveys import selectors
from bista.surveys.models import Survey

SMALL: dict[str, Any] = {"scale": "unit", "years": 5, "seed": 7, "size": 0.1, "today": datetime.date(2026, 12, 5)}

pytestmark = pytest.mark.django_db


def test_a_closed_survey_a_year_for_five_years_with_realistic_response_rates(demo: generator.Context) -> None:
    surveys = list(Survey.objects.order_by("year"))
    assert [s.year for s in surveys] == [2022, 2023, 2024, 2025, 2026]
    assert {s.status for s in surveys} == {"closed"}
    for survey in surveys:
        results = selectors.aggregate([survey])
        assert results.response_rate is not None and 20 <= results.response_rate <= 70, results.response_rate
    last = selectors.aggregate([surveys[-1]])
    assert any(q.previous is not None for q in last.questions)


def test_governance_reads_the_survey_indicators_from_the_answers(demo: generator.Context) -> None:
    unit = demo.districts[0].provider
    outcome = registry.compute(
        "surveys.treated", registry.Source(today=SMALL["today"]), unit.pk, period_range(2025, "VB")
    )  # type: ignore[arg-type]
    assert outcome.value is not None and outcome.record_kind == "survey"
    assert selectors.drilldown_rows(SYSTEM, outcome.record_ids)
