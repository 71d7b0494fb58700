"""Building blocks for tests and the demo: an organisation and users with roles, made through services."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from bista.core import services
from bista.core.access import SYSTEM
from bista.core.models import Department, District, Municipality, Role, Team, Unit


@dataclass
class Organisation:
    municipality: Municipality
    district: District
    department: Department
    provider: Unit
    purchaser: Unit
    team: Team
    other_team: Team
    other_district: District
    other_unit: Unit
    other_unit_team: Team


def make_organisation(suffix: str = "") -> Organisation:
    municipality, _ = Municipality.objects.get_or_create(name=f"Teststad{suffix}", defaults={"code": "0180"})
    district = District.objects.create(municipality=municipality, name=f"Norrby{suffix}")
    department = Department.objects.create(district=district, name="Avdelningen för social omsorg")
    provider = services.unit_create(
        actor=SYSTEM, department=department, name="Enheten för personligt stöd", kind=Unit.Kind.PROVIDER
    )
    purchaser = services.unit_create(
        actor=SYSTEM, department=department, name="Beställarenheten funktionsnedsättning", kind=Unit.Kind.PURCHASER
    )
    team = services.team_create(actor=SYSTEM, unit=provider, name="Team Ek", kind=Team.Kind.ASSISTANCE)
    other_team = services.team_create(actor=SYSTEM, unit=provider, name="Team Björk", kind=Team.Kind.ASSISTANCE)
    other_district = District.objects.create(municipality=municipality, name=f"Söderby{suffix}")
    other_department = Department.objects.create(district=other_district, name="Avdelningen för social omsorg")
    other_unit = services.unit_create(
        actor=SYSTEM, department=other_department, name="Enheten för personligt stöd", kind=Unit.Kind.PROVIDER
    )
    other_unit_team = services.team_create(actor=SYSTEM, unit=other_unit, name="Team Lönn", kind=Team.Kind.ASSISTANCE)
    return Organisation(
        municipality,
        district,
        department,
        provider,
        purchaser,
        team,
        other_team,
        other_district,
        other_unit,
        other_unit_team,
    )


def make_user(
    username: str,
    role_code: str | None = None,
    unit: Unit | None = None,
    *,
    district: District | None = None,
    password: str = "korrekt-hast-batteri-42",  # noqa: S107 - test accounts only,
) -> Any:
    """A user with one role in `unit` (or in the whole `district` when no unit is given)."""
    user = get_user_model().objects.create_user(username=username, password=password, first_name=username.title())
    if role_code is not None:
        target_district = district or (unit.department.district if unit else None)
        assert target_district is not None
        services.membership_grant(
            actor=SYSTEM,
            user=user,
            role=Role.objects.get(code=role_code),
            district=target_district,
            unit=unit,
            valid_from=datetime.date(2020, 1, 1),
        )
    return user
