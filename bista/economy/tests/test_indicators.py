"""The economy's indicators through governance's registry, and the VB table "Uppföljning av ekonomi"."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from bista.core.access import SYSTEM
from bista.economy import indicators, services
from bista.economy.tests.factories import AFTER_MARCH, MARCH, World, attested_week, make_world, wages
from bista.governance import registry
from bista.governance.models import IndicatorDefinition
from bista.governance.rules import period_range


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_MARCH)
    return make_world(org, manager, astrid)


def test_every_economy_indicator_is_seeded_and_registered(db: Any) -> None:
    keys = {key for key, *_ in indicators.INDICATORS}
    assert keys <= set(registry.REGISTRY)
    assert (
        set(
            IndicatorDefinition.objects.filter(computed_key__startswith="economy.").values_list(
                "computed_key", flat=True
            )
        )
        == keys
    )


def test_the_indicators_from_the_records(world: World) -> None:
    wages(world)
    attested_week(world)
    services.budget_save(actor=SYSTEM, unit=world.org.provider, month=MARCH, revenue="10000", cost="20000")
    source = registry.Source(today=AFTER_MARCH.date())
    rng = period_range(2030, "T1")
    unit_id = world.org.provider.pk
    deviation = registry.compute("economy.budget_deviation", source, unit_id, rng)
    assert deviation.value is not None and deviation.denominator == Decimal("-10000")
    share = registry.compute("economy.hourly_paid_cost_share", source, unit_id, rng)
    assert share.value == Decimal("0.00")  # only the monthly-paid assistant worked
    per_hour = registry.compute("economy.revenue_per_granted_hour", source, unit_id, rng)
    assert per_hour.value is not None and per_hour.value > 0
    assert registry.compute("economy.overtime_cost", source, unit_id, rng).value == Decimal("0.00")
    # no month of the period has ended: no figure
    assert (
        registry.compute("economy.overtime_cost", registry.Source(today=datetime.date(2030, 1, 15)), unit_id, rng).value
        is None
    )


def test_the_vb_table_by_month_with_the_accumulated_deviation(world: World) -> None:
    attested_week(world)
    for month in (1, 2, 3):
        services.budget_save(
            actor=SYSTEM, unit=world.org.provider, month=datetime.date(2030, month, 1), revenue="1000", cost="2000"
        )
    table = indicators.vb_table(world.org.provider, 2030, AFTER_MARCH.date())
    assert len(table.rows) == 12 and table.rows[0][0] == "Jan"
    assert table.rows[0][1] == "−1" and table.rows[3][2] == "–"
    assert [p[1] for p in table.points[3:]] == [None] * 9
    assert table.points[2][1] is not None
