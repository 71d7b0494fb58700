"""Helpers for rostering tests: employees, clients with orders, shifts and needs, all built through the
services as users would. Times are aware datetimes in Europe/Stockholm on fixed dates, far from a
daylight-saving change unless a test wants one."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from bista.care.models import Order
from bista.care.tests import factories as care
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import Team, Unit
from bista.rostering import services
from bista.rostering.models import NeedPattern, Shift
from bista.staff import services as staff_services
from bista.staff.models import Employee, WorkingTimeRegime

# A Monday in a month without a daylight-saving change: hand-made shifts are laid in this week.
MONDAY = datetime.date(2030, 3, 4)


def day(offset: int) -> datetime.date:
    """MONDAY + `offset` days."""
    return MONDAY + datetime.timedelta(days=offset)


def at(on: datetime.date | int, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware Stockholm time on a date (or on MONDAY + n days)."""
    date = day(on) if isinstance(on, int) else on
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=STOCKHOLM)


def make_employee(
    unit: Unit,
    first_name: str = "Anna",
    last_name: str = "Berg",
    *,
    teams: list[Team] | None = None,
    employment_type: str = "tillsvidare",
    employment_rate: int = 100,
    gender: str = "K",
    user: Any = None,
    regime: str | None = "ab_bilaga_j",
    start_date: datetime.date = datetime.date(2020, 1, 1),
) -> Employee:
    """An employee of `unit`; with `regime`, an employment term under it from the start date."""
    employee = staff_services.employee_create(
        actor=SYSTEM,
        unit=unit,
        first_name=first_name,
        last_name=last_name,
        employment_type=employment_type,
        employment_rate=Decimal(employment_rate),
        start_date=start_date,
        gender=gender,
        teams=teams or [],
        user=user,
        fictitious=True,
    )
    if regime is not None:
        staff_services.employment_term_add(
            actor=SYSTEM,
            employee=employee,
            employment_type=employment_type,
            employment_rate=Decimal(employment_rate),
            regime=WorkingTimeRegime.objects.filter(code=regime).order_by("-valid_from").first(),
            starts_on=start_date,
        )
        employee.refresh_from_db()
    return employee


def make_client(unit: Unit, first_name: str = "Astrid", last_name: str = "Lindqvist", **details: Any) -> Client:
    return care.make_client(unit, first_name=first_name, last_name=last_name, **details)


def make_order(
    client: Client,
    unit: Unit,
    *,
    scope_amount: Any = 168,
    scope_unit: str = Order.ScopeUnit.WEEK,
    service_code: str = "lss_9_2",
    **details: Any,
) -> Order:
    """An open order (personlig assistans, 168 h a week unless told) decided in the past, without end."""
    return care.make_order(
        client, unit, scope_amount=scope_amount, scope_unit=scope_unit, service_code=service_code, **details
    )


def shift(
    employee: Employee | None,
    client: Client,
    starts_at: datetime.datetime,
    hours: float,
    *,
    actor: Any = SYSTEM,
    status: str = Shift.Status.PUBLISHED,
    kind: str = "active",
    note: str = "",
) -> Shift:
    """A shift of `hours` elapsed hours laid through the service (published unless told)."""
    starts_at = starts_at.astimezone(datetime.UTC)  # added on the wall clock, a DST night would be off by one
    return services.shift_create(
        actor=actor,
        client=client,
        employee=employee,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        kind=kind,
        note=note,
        status=status,
    )


def pattern(
    order: Order,
    start: int,
    end: int,
    *,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    weekdays: str = "1234567",
    staff_count: int = 1,
    actor: Any = SYSTEM,
) -> NeedPattern:
    return services.need_pattern_create(
        actor=actor,
        order=order,
        weekdays=weekdays,
        start_time=datetime.time(start),
        end_time=datetime.time(end),
        valid_from=valid_from,
        valid_to=valid_to,
        staff_count=staff_count,
    )
