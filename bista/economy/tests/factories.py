"""Helpers for economy tests: timereports' March 2030 world with confirmed and attested time, wage terms."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from bista.core.access import SYSTEM
from bista.economy import services
from bista.economy.models import PayType
from bista.timereports import services as time_services
from bista.timereports.tests.factories import AFTER_MARCH, World, at, make_world, shift

__all__ = ["AFTER_MARCH", "MARCH", "World", "at", "attested_week", "make_world", "shift", "wages"]

MARCH = datetime.date(2030, 3, 1)


def wages(world: World) -> None:
    services.wage_term_create(
        actor=SYSTEM,
        employee=world.employee,
        pay_type=PayType.MONTHLY,
        amount="30000",
        valid_from=datetime.date(2029, 1, 1),
    )
    services.wage_term_create(
        actor=SYSTEM,
        employee=world.other_employee,
        pay_type=PayType.HOURLY,
        amount="180",
        valid_from=datetime.date(2029, 1, 1),
    )


def attested_week(world: World, *, hours: float = 8, days: int = 5) -> list[Any]:
    """Monday–Friday 4–8 March 2030, 07:00 for `hours`, confirmed by the assistant and attested."""
    worked = [time_services.worked_time_confirm(actor=world.user, shift=shift(world, d, 7, hours)) for d in range(days)]
    time_services.attestation_create(actor=world.manager, employee=world.employee, month=MARCH)
    return worked


def amount(value: str) -> Decimal:
    return Decimal(value)
