"""Helpers for worked-time tests: an assistant with a user account, a client of the unit, published shifts in
March 2030 (rostering's test week), and the clock frozen after that month unless a test wants otherwise."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.rostering.models import Shift
from bista.rostering.tests import factories as rostering
from bista.rostering.tests.factories import at, day
from bista.staff.models import Employee

__all__ = ["AFTER_MARCH", "World", "at", "day", "make_world", "shift"]

# The moment most tests run at: the March 2030 of rostering's test week has ended.
AFTER_MARCH = datetime.datetime(2030, 4, 2, 10, 0, tzinfo=datetime.UTC)


@dataclass
class World:
    org: Organisation
    user: Any  # the assistant's account
    employee: Employee
    other_employee: Employee
    client: Client
    manager: Any


def make_world(org: Organisation, manager: Any, astrid: Client) -> World:
    user = make_user("assistenten", RoleCode.EMPLOYEE, org.provider)
    employee = rostering.make_employee(org.provider, "Anna", "Assistent", teams=[org.team], user=user)
    other = rostering.make_employee(org.provider, "Bodil", "Biträde", teams=[org.team])
    rostering.make_order(astrid, org.provider)
    return World(org, user, employee, other, astrid, manager)


def shift(world: World, on: int, hour: int, hours: float, *, kind: str = "active", employee: Any = None) -> Shift:
    return rostering.shift(employee or world.employee, world.client, at(on, hour), hours, actor=SYSTEM, kind=kind)
