"""Helpers for the governance tests: a unit's plan with the chain of seed 003 (shortened), built through the
services as a manager would."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bista.core.access import SYSTEM
from bista.core.models import Unit
from bista.governance import services
from bista.governance.models import Goal, GoalIndicator, IndicatorDefinition, OperationalPlan


def indicator(code: str) -> IndicatorDefinition:
    return IndicatorDefinition.objects.get(code=code)


@dataclass
class PlanWorld:
    plan: OperationalPlan
    council: Goal
    area: Goal
    committee: Goal
    unit_goal: Goal
    first_contact: GoalIndicator
    ami: GoalIndicator


def make_plan(unit: Unit, year: int = 2024, *, actor: Any = SYSTEM) -> PlanWorld:
    plan = services.plan_create(
        actor=actor, unit=unit, year=year, officer_name="Kamran Ronaghi", officer_phone="08-508 22 000"
    )
    council = services.goal_create(
        actor=actor,
        plan=plan,
        level=Goal.Level.COUNCIL,
        number="1",
        title="Ett Stockholm som håller samman med en stark och jämlik välfärd i hela staden",
    )
    area = services.goal_create(
        actor=actor,
        plan=plan,
        level=Goal.Level.COUNCIL_AREA,
        parent=council,
        number="1.3",
        title="Stockholms stad ska ge stöd och omsorg där behoven är som störst",
    )
    committee = services.goal_create(
        actor=actor,
        plan=plan,
        level=Goal.Level.COMMITTEE,
        parent=area,
        title="Personer med funktionsnedsättning tillförsäkras självbestämmande",
        description="Målet uppnås genom individuella stödinsatser av god kvalitet.",
    )
    unit_goal = services.goal_create(
        actor=actor,
        plan=plan,
        level=Goal.Level.UNIT,
        parent=committee,
        title="Enheten erbjuder ett personligt utformat stöd efter brukarens önskemål och behov.",
        expected_result="Kontakt inom två veckor; verkställt inom tre månader.",
        working_method="Brukaren deltar i framtagandet av genomförandeplanen.",
        resource_use="Biträdande enhetschefer planerar insatserna.",
        follow_up_method="Uppföljningsmöten och brukarenkät.",
        development="Kompetenskartläggning vid rekrytering.",
    )
    first_contact = services.goal_indicator_add(
        actor=actor, goal=unit_goal, indicator=indicator("first_contact"), target=Decimal(100)
    )
    ami = services.goal_indicator_add(
        actor=actor, goal=area, indicator=indicator("ami"), target=Decimal(72), council_target=Decimal(83)
    )
    services.activity_create(
        actor=actor,
        goal=committee,
        title="Genomförandeplaner ska finnas i alla ärenden",
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
    )
    return PlanWorld(plan, council, area, committee, unit_goal, first_contact, ami)
