"""Demo goals and follow-up of each provider unit: the goal chain of the seeds' VP 2024 and VB 2025 (texts
shortened), a plan for every year of the demo window copied forward from the year before, indicators with
targets, activities, manual indicator values (aktivt medskapandeindex, ecological food share, climate
impact of food) with their sources, and assessments and analyses for
every tertial and year that has ended. The VB 2025's analyses are the seed's.

Everything goes through `bista.governance.services` with the SYSTEM actor, so each write is audited as if
typed by hand. Registered as the step "governance.plans" (imported by `bista.demo.generator.registered_steps`), after
the care and quality history, whose records the computed indicators read.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from bista.core.access import SYSTEM
from bista.demo import texts
from bista.demo.generator import Context, step
from bista.governance import rules, services
from bista.governance.models import DocumentKind, Goal, IndicatorDefinition, OperationalPlan, SectionText
from bista.governance.services import GOAL_TEXTS

SEED_VB_YEAR = 2025  # from this year on the unit goals carry the VB 2025's titles

# The Swedish sample texts are data: bista/demo/texts/governance.toml (see bista.demo.texts).
TEXTS = "governance"


class Measured(NamedTuple):
    code: str  # the indicator's code (reference data)
    target: Any  # an int, a Decimal or None
    council_target: Any
    council_text: str


class GoalText(NamedTuple):
    key: str
    level: str
    parent: str | None  # the key of the goal above
    number: str
    title: str
    texts: dict[str, str]  # the goal's texts (services.GOAL_TEXTS)
    indicators: tuple[Measured, ...]


class _GoalEntry(NamedTuple):
    key: str
    level: str
    title: str
    parent: str | None = None
    number: str = ""
    texts: dict[str, str] = {}
    indicators: tuple[Measured, ...] = ()


def _number(value: Any) -> Any:
    """A target: an integer, or a decimal written as a string ("1.61")."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("a target is an integer or a decimal in a string")
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number") from None
    return value


def _goal_field(field: str, value: Any) -> Any:
    if field == "level":
        return Goal.Level(value).value
    if field == "texts":
        unknown = set(value) - set(GOAL_TEXTS)
        if unknown:
            raise ValueError(f"unknown goal texts {sorted(unknown)} (known: {', '.join(GOAL_TEXTS)})")
        return dict(value)
    if field == "indicators":
        measured = []
        for item in value:
            unknown = set(item) - {"code", "target", "council_target", "council_text"}
            if unknown or "code" not in item:
                raise ValueError(f"an indicator has a code and may have target, council_target, council_text: {item}")
            target, council = item.get("target"), item.get("council_target")
            measured.append(
                Measured(
                    item["code"],
                    None if target is None else _number(target),
                    None if council is None else _number(council),
                    item.get("council_text", ""),
                )
            )
        return tuple(measured)
    return value


def _chain() -> tuple[GoalText, ...]:
    chain: list[GoalText] = []
    for i, entry in enumerate(texts.records(TEXTS, "chain", _GoalEntry, convert=_goal_field), start=1):
        if entry.parent is not None and entry.parent not in {goal.key for goal in chain}:
            raise texts.TextDataError(
                f"{texts.where(TEXTS, 'chain', i)}: parent {entry.parent!r} is not an earlier goal"
            )
        chain.append(
            GoalText(entry.key, entry.level, entry.parent, entry.number, entry.title, entry.texts, entry.indicators)
        )
    return tuple(chain)


# The goal chain of the seeds' VP 2024, parents first.
CHAIN = _chain()
_KEYS = [goal.key for goal in CHAIN]

# Titles of the VB 2025 where they differ from the VP 2024.
VB_TITLES = texts.mapping(TEXTS, "vb_titles", keys=_KEYS)


class Activity(NamedTuple):
    goal: str  # the goal's key
    title: str
    first_month: int
    last_month: int
    years: int  # 1, or 2: starts in even years (copied into the odd year)


def _activity_field(field: str, value: Any) -> Any:
    if field == "goal" and value not in _KEYS:
        raise ValueError("not a goal of the chain")
    if field in ("first_month", "last_month") and value not in range(1, 13):
        raise ValueError("a month is 1–12")
    if field == "years" and value not in (1, 2):
        raise ValueError("an activity runs 1 or 2 years")
    return value


ACTIVITIES = texts.records(TEXTS, "activities", Activity, convert=_activity_field)
SEED_ANALYSES = texts.mapping(
    TEXTS, "seed_analyses", keys=[goal.key for goal in CHAIN if goal.level == Goal.Level.UNIT]
)
ANALYSIS_TEMPLATES = texts.mapping(
    TEXTS, "analysis_templates", keys=("fulfilled", "partly", "not"), all_keys=True, placeholders=("period",)
)
SECTIONS = {
    document: {
        SectionText.Key(key): text
        for key, text in texts.mapping(TEXTS, f"{document.lower()}_sections", keys=SectionText.Key.values).items()
    }
    for document in (DocumentKind.VP, DocumentKind.VB)
}


def _indicators() -> dict[str, IndicatorDefinition]:
    return {i.code: i for i in IndicatorDefinition.objects.all()}


def _first_plan(unit: Any, year: int, officer: str) -> OperationalPlan:
    plan = services.plan_create(actor=SYSTEM, unit=unit, year=year, officer_name=officer, officer_phone="08-508 22 000")
    goals: dict[str, Goal] = {}
    indicators = _indicators()
    for key, level, parent, number, title, goal_texts, measured in CHAIN:
        goal = services.goal_create(
            actor=SYSTEM,
            plan=plan,
            level=level,
            parent=goals[parent] if parent else None,
            number=number,
            title=title,
            **dict[str, Any](goal_texts),
        )
        goals[key] = goal
        for code, target, council, council_text in measured:
            services.goal_indicator_add(
                actor=SYSTEM,
                goal=goal,
                indicator=indicators[code],
                target=None if target is None else Decimal(target),
                council_target=None if council is None else Decimal(council),
                council_target_text=council_text,
            )
    return plan


def _goal_keys(plan: OperationalPlan) -> dict[str, Goal]:
    """The plan's goals by the chain's keys (the plans are copies, so the order is the chain's)."""
    goals = list(plan.goals.order_by("position", "pk"))
    return {key: goal for (key, *_rest), goal in zip(CHAIN, goals, strict=True)}


def _activities(rng: random.Random, plan: OperationalPlan, goals: dict[str, Goal], today: datetime.date) -> None:
    year = plan.year
    for key, title, first_month, last_month, span in ACTIVITIES:
        if span == 2 and year % 2 == 1:
            continue  # a two-year activity starts in even years and is copied into the odd year
        ends_on = datetime.date(year + span - 1, last_month, 28 if last_month == 2 else 30 if last_month != 12 else 31)
        done = ends_on < today and rng.random() < 0.85
        services.activity_create(
            actor=SYSTEM,
            goal=goals[key],
            title=title,
            starts_on=datetime.date(year, first_month, 1),
            ends_on=ends_on,
            completed_on=ends_on - datetime.timedelta(days=rng.randint(0, 40)) if done else None,
            deviation_note="" if done or ends_on >= today else "Aktiviteten blev inte klar under året.",
        )


def _manual_values(rng: random.Random, unit: Any, year: int, today: datetime.date) -> None:
    """The year's manual values once the year is over (the surveys report in the autumn and at year end)."""
    if datetime.date(year, 12, 31) >= today:
        return
    indicators = _indicators()
    trend = year - 2016
    ami = 56 if year == SEED_VB_YEAR else min(85, 62 + trend + rng.randint(-4, 4))
    eco = Decimal("83.73") if year == SEED_VB_YEAR else Decimal(55 + 2 * trend + rng.randint(-3, 3))
    values: list[tuple[str, Decimal, Decimal | None, Decimal | None, str]] = [
        ("ami", Decimal(ami), None, None, f"Medarbetarenkäten {year}"),
        ("eco_food", eco, None, None, f"Inköpsstatistik från avtalade leverantörer {year}"),
        ("climate_food", Decimal(f"1.{rng.randint(50, 85)}"), None, None, f"Klimatberäkning av livsmedelsinköp {year}"),
    ]
    # The client survey's indicators are computed from its answers (bista.demo.surveys), not typed in; the
    # draws that made their values are kept so that the rest of this step's stream stays as it was.
    for _ in range(3):
        rng.randint(74, 96), rng.randint(72, 95)
    for code, value, women, men, source in values:
        services.indicator_value_save(
            actor=SYSTEM,
            indicator=indicators[code],
            unit=unit,
            year=year,
            period="VB",
            value=value,
            value_women=women,
            value_men=men,
            source=source,
        )


def _follow_ups(rng: random.Random, plan: OperationalPlan, goals: dict[str, Goal], today: datetime.date) -> None:
    """Assessments and analyses of the unit goals for every period of the year that has ended."""
    for period in rules.PERIODS:
        if rules.period_range(plan.year, period).end >= today:
            continue
        label = "helåret" if period == "VB" else period
        for key, goal in goals.items():
            if goal.level != Goal.Level.UNIT:
                continue
            draw = rng.random()
            assessment = "fulfilled" if draw < 0.7 else "partly" if draw < 0.95 else "not"
            analysis = ANALYSIS_TEMPLATES[assessment].format(period=f"{label} {plan.year}")
            if plan.year == SEED_VB_YEAR and period == "VB" and key in SEED_ANALYSES:
                assessment, analysis = "fulfilled", SEED_ANALYSES[key]
            services.follow_up_save(
                actor=SYSTEM,
                goal=goal,
                period=period,
                assessment=assessment,
                analysis=analysis,
                expected_version=None,
            )
    if rules.period_range(plan.year, "VB").end < today:
        ami = goals["kf34"].indicators.filter(indicator__code="ami").first()
        if ami is not None:
            services.follow_up_save(
                actor=SYSTEM,
                goal=goals["kf34"],
                goal_indicator=ami,
                period="VB",
                assessment="",
                analysis="Perioden som medarbetarenkäten skickades sammanföll med en period då flera medarbetare "
                "avslutade sina tjänster, varför flera inte svarade på enkäten.",
                expected_version=None,
            )


def _sections(plan: OperationalPlan, today: datetime.date) -> None:
    for key, text in SECTIONS[DocumentKind.VP].items():
        if not plan.sections.filter(document=DocumentKind.VP, key=key).exists():
            services.section_save(
                actor=SYSTEM, plan=plan, document=DocumentKind.VP, key=key, text=text, expected_version=None
            )
    if datetime.date(plan.year, 12, 31) < today:
        for key, text in SECTIONS[DocumentKind.VB].items():
            services.section_save(
                actor=SYSTEM, plan=plan, document=DocumentKind.VB, key=key, text=text, expected_version=None
            )


@step("governance.plans")
def create_plans(ctx: Context) -> None:
    """A plan per year of the window for the district's provider unit, each copied from the year before."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    manager = d.managers.get("provider")
    officer = manager.get_full_name() if manager is not None else "Enhetschef"
    plan: OperationalPlan | None = None
    for year in range(ctx.window_start.year, today.year + 1):
        if plan is None:
            plan = _first_plan(d.provider, year, officer)
        else:
            plan = services.plan_copy_forward(actor=SYSTEM, plan=plan)
        goals = _goal_keys(plan)
        if year == SEED_VB_YEAR:
            for key, title in VB_TITLES.items():
                services.goal_update(actor=SYSTEM, goal=goals[key], expected_version=None, title=title)
        _activities(rng, plan, goals, today)
        _sections(plan, today)
        _manual_values(rng, d.provider, year, today)
        _follow_ups(rng, plan, goals, today)
