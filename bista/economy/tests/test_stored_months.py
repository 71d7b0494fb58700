"""Months stored at their close (ADR 0012): the figures stored when a month is locked read back as the figures
computed from the records, a correction in a closed month is computed live until the month is locked again
(which stores the new figures), and the command fills the months closed before figures were stored."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command

from bista.economy import figures
from bista.economy.models import Budget, OtherCost, StoredMonth
from bista.economy.tests.factories import World, make_world, shift, wages
from bista.timereports import services as time_services
from bista.timereports.models import MonthClose

MARCH, APRIL = datetime.date(2030, 3, 1), datetime.date(2030, 4, 1)
AFTER_APRIL = datetime.datetime(2030, 5, 3, 10, 0, tzinfo=datetime.UTC)
APRIL_MONDAY = 35  # days after rostering's test Monday (4 March 2030): Monday 8 April


@pytest.fixture
def world(org: Any, manager: Any, astrid: Any, frozen_clock: Any) -> World:
    frozen_clock(AFTER_APRIL)
    made = make_world(org, manager, astrid)
    wages(made)
    return made


def _work(world: World) -> list[Any]:
    """Both assistants in March and April, days, evenings, a night across midnight and a weekend; attested."""
    worked = []
    for first in (0, APRIL_MONDAY):
        for offset, hour, hours, employee in (
            (0, 7, 8, world.employee),
            (1, 15, 7, world.employee),
            (2, 22, 9, world.other_employee),
            (5, 9, 6, world.other_employee),  # Saturday
            (8, 7, 10, world.employee),
        ):
            planned = shift(world, first + offset, hour, hours, employee=employee)
            worked.append(time_services.worked_time_confirm(actor=world.manager, shift=planned, reason="Demo"))
    for month in (MARCH, APRIL):
        for employee in (world.employee, world.other_employee):
            time_services.attestation_create(actor=world.manager, employee=employee, month=month)
    return worked


def _worked(month: figures.Month, world: World) -> Any:
    return next(p.time.worked for p in month.people if p.employee_id == world.employee.pk)


def _lock(world: World, month: datetime.date) -> MonthClose:
    return time_services.month_lock(actor=world.manager, unit=world.org.provider, month=month)


def test_the_month_close_stores_what_the_records_compute(world: World) -> None:
    _work(world)
    unit = world.org.provider
    for month in (MARCH, APRIL):
        close = _lock(world, month)
        assert StoredMonth.objects.get(unit=unit, month=month).close_version == close.version
    # Budget and other costs entered after the close are read live beside the stored figures.
    Budget.objects.create(unit=unit, month=MARCH, revenue=100000, cost=90000)
    OtherCost.objects.create(unit=unit, month=APRIL, category="premises", amount=5000)
    stored = figures.stored_months(unit.pk, [MARCH, APRIL])
    assert set(stored) == {MARCH, APRIL}
    for month in (MARCH, APRIL):
        computed = figures.month(unit.pk, month)
        assert computed.revenue > 0 and len(computed.people) == 2 and computed.lines
        assert stored[month] == computed
    year = figures.months(unit.pk, 2030, until=APRIL)  # January and February open, computed
    assert year == [figures.month(unit.pk, datetime.date(2030, n, 1)) for n in range(1, 5)]


def test_a_correction_in_a_closed_month_is_computed_live_then_stored_anew(world: World, frozen_clock: Any) -> None:
    worked = _work(world)
    unit = world.org.provider
    _lock(world, MARCH)
    before = figures.stored_months(unit.pk, [MARCH])[MARCH]
    frozen_clock(AFTER_APRIL + datetime.timedelta(minutes=5))
    monday = worked[0]
    time_services.worked_time_revise(
        actor=world.manager,
        worked_time=monday,
        revision=monday.revision,
        starts_at=monday.starts_at,
        ends_at=monday.ends_at - datetime.timedelta(hours=3),
        reason="Gick hem tidigare",
    )
    # Reopened by the correction: the stored figures no longer hold, the month is computed from the records.
    assert figures.stored_months(unit.pk, [MARCH]) == {}
    live = figures.months(unit.pk, 2030, until=MARCH)[-1]
    assert live != before and live.revenue != before.revenue  # the week's first 20 h (municipality) move
    assert _worked(live, world) == _worked(before, world) - 180
    time_services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    close = _lock(world, MARCH)
    row = StoredMonth.objects.get(unit=unit, month=MARCH)
    assert row.close_version == close.version
    again = figures.stored_months(unit.pk, [MARCH])[MARCH]
    assert again == figures.month(unit.pk, MARCH)
    assert (again.lines, again.people, again.unattested) == (live.lines, live.people, 0)  # attested again
    assert again.revenue != before.revenue and _worked(again, world) == _worked(before, world) - 180


def test_the_command_stores_months_closed_without_figures(world: World) -> None:
    _work(world)
    unit = world.org.provider
    for month in (MARCH, APRIL):
        _lock(world, month)
    StoredMonth.objects.all().delete()  # as in a database whose months were closed before figures were stored
    MonthClose.objects.filter(month=APRIL).update(status=MonthClose.Status.OPEN)
    call_command("economy_store_months", verbosity=0)
    assert list(StoredMonth.objects.values_list("month", flat=True)) == [MARCH]
    assert figures.stored_months(unit.pk, [MARCH])[MARCH] == figures.month(unit.pk, MARCH)
    StoredMonth.objects.update(
        data={"source": "x", "unattested": 0, "outside": "0", "beyond": "0", "lines": [], "people": []}
    )
    call_command("economy_store_months", verbosity=0)  # a month stored for the close that holds is kept
    assert figures.stored_months(unit.pk, [MARCH])[MARCH].revenue == 0
    call_command("economy_store_months", "--om-igen", verbosity=0)
    assert figures.stored_months(unit.pk, [MARCH])[MARCH] == figures.month(unit.pk, MARCH)
