"""Governance's survey indicators are computed from the answers: the share positive per gender, nothing
under the minimum group, and the drill-down lists the survey (an aggregate), never a person."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from bista.core.access import SYSTEM
from bista.core.tests.pages import browser
from bista.governance import registry
from bista.governance import selectors as governance
from bista.governance.rules import period_range
from bista.surveys import indicators
from bista.surveys.tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_published_survey_indicator_is_registered() -> None:
    assert {key for key, _, _ in indicators.INDICATORS} <= set(registry.REGISTRY)


def test_the_treated_indicator_is_the_share_positive_per_gender(org: Any, frozen_clock: Any, settings: Any) -> None:
    frozen_clock(f.TODAY)
    made = f.survey(org.provider, codes=["bemotande"])
    for client in f.clients(org.provider, 4, gender="K", first_name="K"):
        f.answer_all(made, client, 4)
    for client in f.clients(org.provider, 2, gender="M", first_name="M"):
        f.answer_all(made, client, 1)
    source = registry.Source(today=f.TODAY.date())
    open_outcome = registry.compute("surveys.treated", source, org.provider.pk, period_range(2026, "VB"))
    assert open_outcome.value is None  # nothing from a survey still open
    f.close(made)
    outcome = registry.compute("surveys.treated", source, org.provider.pk, period_range(2026, "VB"))
    # Six answers: the total is shown; four women and two men are groups under five, so no split.
    assert (outcome.value, outcome.women, outcome.men) == (Decimal("66.7"), None, None)
    assert outcome.record_kind == "survey" and outcome.record_ids == (made.pk,)
    assert (outcome.numerator, outcome.denominator) == (Decimal(4), Decimal(6))
    settings.BISTA_SURVEY_MIN_GROUP = 2
    outcome = registry.compute("surveys.treated", source, org.provider.pk, period_range(2026, "VB"))
    assert (outcome.value, outcome.women, outcome.men) == (Decimal("66.7"), Decimal("100.0"), Decimal("0.0"))
    settings.BISTA_SURVEY_MIN_GROUP = 7
    outcome = registry.compute("surveys.treated", source, org.provider.pk, period_range(2026, "VB"))
    assert outcome.value is None and outcome.denominator is None
    assert registry.compute("surveys.treated", source, org.provider.pk, period_range(2025, "VB")).value is None


def test_the_drilldown_lists_the_survey_not_a_person(
    org: Any, frozen_clock: Any, manager: Any, no_two_factor: Any
) -> None:
    frozen_clock(f.TODAY)
    made = f.survey(org.provider, codes=["bemotande"])
    for client in f.clients(org.provider, 5):
        f.answer_all(made, client, 4)
    f.close(made)
    drill = governance.drilldown(SYSTEM, unit_id=org.provider.pk, code="survey_treated", year=2026, period="VB")
    assert [(r.title, r.url) for r in drill.records] == [(str(made), reverse("surveys:results", args=[made.pk]))]
    page = browser(manager).get(reverse("governance:drilldown", args=[org.provider.pk, "survey_treated", 2026, "VB"]))
    assert page.status_code == 200 and "Svarsdotter" not in page.content.decode()
