"""Every write of the governance context: plans and their goal chain, indicator targets, activities, the
follow-up (assessment and analysis per goal and period, each save a revision), autosaved drafts, manual
indicator values, section texts, copying a year's plan forward, and generated documents.

Each service checks governance.edit in the plan's unit (the SYSTEM actor may always), validates with
Swedish messages per field, saves and audits in one transaction. Editable records carry a version: a stale
save is refused with ConflictError and nothing is lost.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.core import audit, generated
from bista.core.access import SYSTEM, check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import check_version, update_versioned
from bista.governance import rules
from bista.governance.models import (
    Activity,
    Assessment,
    DocumentKind,
    FollowUp,
    FollowUpDraft,
    FollowUpRevision,
    GeneratedDocument,
    Goal,
    GoalIndicator,
    IndicatorDefinition,
    IndicatorValue,
    OperationalPlan,
    Period,
    SectionText,
    YearOutcome,
)

PLAN_EDITABLE = ("officer_name", "officer_phone", "recipient")
GOAL_TEXTS = ("description", "expected_result", "working_method", "resource_use", "follow_up_method", "development")
GOAL_EDITABLE = ("number", "title", "position", *GOAL_TEXTS)
ACTIVITY_EDITABLE = ("title", "starts_on", "ends_on", "completed_on", "deviation_note", "analysis", "position")
PARENT_LEVEL = {
    Goal.Level.COUNCIL_AREA: Goal.Level.COUNCIL,
    Goal.Level.COMMITTEE: Goal.Level.COUNCIL_AREA,
    Goal.Level.UNIT: Goal.Level.COMMITTEE,
}


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _edit(actor: Any, unit: Unit | int) -> None:
    check_perm(actor, Perm.GOVERNANCE_EDIT, unit)


def _text(value: Any) -> str:
    return (value or "").strip()


# --- Plans and goals --------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, actor: Any, unit: Unit, year: int, officer_name: str = "", officer_phone: str = "", recipient: str = ""
) -> OperationalPlan:
    _edit(actor, unit)
    if OperationalPlan.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": f"Enheten har redan en verksamhetsplan för {year}."})
    plan = OperationalPlan(
        unit=unit,
        year=year,
        officer_name=_text(officer_name),
        officer_phone=_text(officer_phone),
        recipient=_text(recipient) or unit.name,
    )
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, action="plan.create", obj=plan, new={"year": year}, unit=unit)
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: OperationalPlan, expected_version: int | None, **changes: Any) -> OperationalPlan:
    _edit(actor, plan.unit_id)
    return update_versioned(
        actor=actor,
        obj=plan,
        expected_version=expected_version,
        changes={k: _text(v) for k, v in changes.items()},
        editable=PLAN_EDITABLE,
        audited=PLAN_EDITABLE,
        action="plan.update",
        unit=plan.unit,
    )


def _check_parent(plan: OperationalPlan, level: str, parent: Goal | None) -> None:
    if level not in Goal.Level.values:
        raise ValidationError({"level": "Välj en nivå i målkedjan."})
    if level == Goal.Level.COUNCIL:
        if parent is not None:
            raise ValidationError({"parent": "KF:s inriktningsmål har inget överordnat mål."})
        return
    wanted = PARENT_LEVEL[Goal.Level(level)]
    if parent is None or parent.plan_id != plan.pk or parent.level != wanted:
        raise ValidationError(
            {"parent": f"Ett {Goal.Level(level).label.lower()} ska höra till ett {wanted.label.lower()} i samma plan."}
        )


@transaction.atomic
def goal_create(
    *,
    actor: Any,
    plan: OperationalPlan,
    level: str,
    title: str,
    parent: Goal | None = None,
    number: str = "",
    position: int | None = None,
    **texts: Any,
) -> Goal:
    _edit(actor, plan.unit_id)
    unknown = set(texts) - set(GOAL_TEXTS)
    if unknown:
        raise ValueError(f"unknown goal texts: {sorted(unknown)}")
    _check_parent(plan, level, parent)
    if not _text(title):
        raise ValidationError({"title": "Skriv målet."})
    if position is None:
        position = plan.goals.count()
    goal = Goal(
        plan=plan,
        level=level,
        parent=parent,
        number=_text(number),
        title=_text(title),
        position=position,
        **{k: _text(v) for k, v in texts.items()},
    )
    goal.full_clean()
    goal.save()
    audit.record(
        actor=actor,
        action="goal.create",
        obj=goal,
        new=audit.snapshot(goal, ("level", "parent", "title")),
        unit=plan.unit,
    )
    return goal


@transaction.atomic
def goal_update(*, actor: Any, goal: Goal, expected_version: int | None, **changes: Any) -> Goal:
    _edit(actor, goal.plan.unit_id)
    if "title" in changes and not _text(changes["title"]):
        raise ValidationError({"title": "Skriv målet."})
    cleaned = {k: (_text(v) if isinstance(v, str) else v) for k, v in changes.items()}
    return update_versioned(
        actor=actor,
        obj=goal,
        expected_version=expected_version,
        changes=cleaned,
        editable=GOAL_EDITABLE,
        audited=GOAL_EDITABLE,
        action="goal.update",
        unit=goal.plan.unit,
    )


# --- Indicators ------------------------------------------------------------------------------------------


def _check_target(indicator: IndicatorDefinition, target: Decimal | None, council_target: Decimal | None) -> None:
    """A target is a number in the indicator's unit of measure: a manual indicator without one cannot have it."""
    if (
        indicator.source == IndicatorDefinition.Source.MANUAL
        and not indicator.unit_of_measure.strip()
        and (target is not None or council_target is not None)
    ):
        field = "target" if target is not None else "council_target"
        raise ValidationError(
            {
                field: f"Indikatorn {indicator.name} saknar enhet (t.ex. % eller antal). "
                "Ange enheten i indikatorns definition innan ett årsmål sätts."
            }
        )


@transaction.atomic
def goal_indicator_add(
    *,
    actor: Any,
    goal: Goal,
    indicator: IndicatorDefinition,
    target: Decimal | None = None,
    council_target: Decimal | None = None,
    council_target_text: str = "",
) -> GoalIndicator:
    _edit(actor, goal.plan.unit_id)
    year_start = datetime.date(goal.plan.year, 1, 1)
    if not indicator.in_force(year_start) and not indicator.in_force(datetime.date(goal.plan.year, 12, 31)):
        raise ValidationError({"indicator": f"Indikatorn gäller inte {goal.plan.year}."})
    if GoalIndicator.objects.filter(goal=goal, indicator=indicator).exists():
        raise ValidationError({"indicator": "Målet följs redan upp med den indikatorn."})
    _check_target(indicator, target, council_target)
    goal_indicator = GoalIndicator(
        goal=goal,
        indicator=indicator,
        target=target,
        council_target=council_target,
        council_target_text=_text(council_target_text),
        position=goal.indicators.count(),
    )
    goal_indicator.full_clean()
    goal_indicator.save()
    audit.record(
        actor=actor,
        action="goal_indicator.add",
        obj=goal_indicator,
        new=audit.snapshot(goal_indicator, ("goal", "indicator", "target", "council_target", "council_target_text")),
        unit=goal.plan.unit,
    )
    return goal_indicator


@transaction.atomic
def goal_indicator_update(
    *,
    actor: Any,
    goal_indicator: GoalIndicator,
    target: Decimal | None,
    council_target: Decimal | None,
    council_target_text: str = "",
) -> GoalIndicator:
    goal = goal_indicator.goal
    _edit(actor, goal.plan.unit_id)
    locked = GoalIndicator.objects.select_for_update().select_related("indicator").get(pk=goal_indicator.pk)
    _check_target(locked.indicator, target, council_target)
    fields = ("target", "council_target", "council_target_text")
    old = audit.snapshot(locked, fields)
    locked.target, locked.council_target, locked.council_target_text = (
        target,
        council_target,
        _text(council_target_text),
    )
    locked.full_clean()
    locked.save()
    before, after = audit.changed(old, audit.snapshot(locked, fields))
    if after:
        audit.record(
            actor=actor, action="goal_indicator.update", obj=locked, old=before, new=after, unit=goal.plan.unit
        )
    return locked


@transaction.atomic
def indicator_value_save(
    *,
    actor: Any,
    indicator: IndicatorDefinition,
    unit: Unit,
    year: int,
    period: str,
    value: Decimal,
    source: str,
    value_women: Decimal | None = None,
    value_men: Decimal | None = None,
    expected_version: int | None = None,
) -> IndicatorValue:
    """Enter (or correct) a manual indicator's value for a unit and period, with where it comes from.
    A correction names the version it started from; the earlier value stays in the audit trail."""
    _edit(actor, unit)
    errors: dict[str, str] = {}
    if indicator.source != IndicatorDefinition.Source.MANUAL:
        errors["indicator"] = f"{indicator.name} beräknas ur registreringarna och kan inte registreras för hand."
    if period not in Period.values:
        errors["period"] = "Välj T1, T2 eller VB."
    elif not rules.period_allowed(period, indicator.period_type):
        errors["period"] = f"{indicator.name} redovisas per år: välj helår (VB), inte {period}."
    if not indicator.in_force(datetime.date(year, 12, 31)) and not indicator.in_force(datetime.date(year, 1, 1)):
        errors["year"] = f"Indikatorn gäller inte {year}."
    if not indicator.gender_split and (value_women is not None or value_men is not None):
        errors["value_women"] = f"{indicator.name} redovisas inte per kön."
    if not _text(source):
        errors["source"] = "Ange varifrån värdet kommer (t.ex. medarbetarenkäten 2025)."
    if errors:
        raise ValidationError(errors)
    existing = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, unit=unit, year=year, period=period)
        .first()
    )
    fields = ("value", "value_women", "value_men", "source")
    if existing is None:
        item = IndicatorValue(
            indicator=indicator,
            unit=unit,
            year=year,
            period=period,
            value=value,
            value_women=value_women,
            value_men=value_men,
            source=_text(source),
            entered_by=_person(actor),
        )
        item.full_clean()
        item.save()
        audit.record(
            actor=actor, action="indicator_value.create", obj=item, new=audit.snapshot(item, fields), unit=unit
        )
        return item
    check_version(existing, expected_version)
    old = audit.snapshot(existing, fields)
    existing.value, existing.value_women, existing.value_men = value, value_women, value_men
    existing.source, existing.entered_by = _text(source), _person(actor)
    existing.full_clean()
    existing.version += 1
    existing.save()
    before, after = audit.changed(old, audit.snapshot(existing, fields))
    if after:
        audit.record(actor=actor, action="indicator_value.update", obj=existing, old=before, new=after, unit=unit)
    return existing


# --- Activities -------------------------------------------------------------------------------------------


def _check_activity(values: dict[str, Any]) -> None:
    if not _text(values.get("title")):
        raise ValidationError({"title": "Beskriv aktiviteten."})
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": "Slutdatum kan inte vara före startdatum."})


@transaction.atomic
def activity_create(
    *,
    actor: Any,
    goal: Goal,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    completed_on: datetime.date | None = None,
    deviation_note: str = "",
    analysis: str = "",
) -> Activity:
    _edit(actor, goal.plan.unit_id)
    values = {"title": title, "starts_on": starts_on, "ends_on": ends_on}
    _check_activity(values)
    activity = Activity(
        goal=goal,
        title=_text(title),
        starts_on=starts_on,
        ends_on=ends_on,
        completed_on=completed_on,
        deviation_note=_text(deviation_note),
        analysis=_text(analysis),
        position=goal.activities.count(),
    )
    activity.full_clean()
    activity.save()
    audit.record(
        actor=actor,
        action="activity.create",
        obj=activity,
        new=audit.snapshot(activity, ACTIVITY_EDITABLE),
        unit=goal.plan.unit,
    )
    return activity


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, expected_version: int | None, **changes: Any) -> Activity:
    unit = activity.goal.plan.unit
    _edit(actor, unit)
    merged = {field: getattr(activity, field) for field in ACTIVITY_EDITABLE} | changes
    _check_activity(merged)
    cleaned = {k: (_text(v) if isinstance(v, str) else v) for k, v in changes.items()}
    return update_versioned(
        actor=actor,
        obj=activity,
        expected_version=expected_version,
        changes=cleaned,
        editable=ACTIVITY_EDITABLE,
        audited=ACTIVITY_EDITABLE,
        action="activity.update",
        unit=unit,
    )


# --- The follow-up ------------------------------------------------------------------------------------------


def _check_follow_up(goal: Goal, period: str, assessment: str, goal_indicator: GoalIndicator | None) -> None:
    errors = {}
    if period not in Period.values:
        errors["period"] = "Välj T1, T2 eller VB."
    if assessment and assessment not in Assessment.values:
        errors["assessment"] = "Välj Uppfylls helt, Uppfylls delvis eller Uppfylls inte."
    if goal_indicator is not None:
        if goal_indicator.goal_id != goal.pk:
            errors["goal_indicator"] = "Indikatorn hör inte till målet."
        elif period in Period.values and not rules.period_allowed(period, goal_indicator.indicator.period_type):
            errors["period"] = f"{goal_indicator.indicator.name} redovisas per år: analysera den i VB."
        if assessment:
            errors["assessment"] = "En indikator bedöms inte; skriv en analys."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def follow_up_save(
    *,
    actor: Any,
    goal: Goal,
    period: str,
    assessment: str,
    analysis: str,
    expected_version: int | None,
    goal_indicator: GoalIndicator | None = None,
) -> FollowUp:
    """Save the assessment and analysis of a goal (or of one of its indicators) for a period as a new
    revision. The first save names no version (`expected_version=None` or 0); later saves name the version
    they started from. The user's autosaved draft is removed."""
    unit = goal.plan.unit
    _edit(actor, unit)
    assessment, analysis = _text(assessment), (analysis or "").strip()
    _check_follow_up(goal, period, assessment, goal_indicator)
    existing = (
        FollowUp.objects.select_for_update().filter(goal=goal, period=period, goal_indicator=goal_indicator).first()
    )
    check_version(existing, expected_version)
    if existing is None:
        follow_up = FollowUp(
            goal=goal,
            goal_indicator=goal_indicator,
            period=period,
            assessment=assessment,
            analysis=analysis,
            updated_by=_person(actor),
        )
        follow_up.full_clean()
        follow_up.save()
        old: dict[str, Any] = {}
    else:
        old = audit.snapshot(existing, ("assessment", "analysis"))
        if old == {"assessment": assessment, "analysis": analysis}:
            _discard_draft(actor, goal, period)
            return existing
        existing.assessment, existing.analysis, existing.updated_by = assessment, analysis, _person(actor)
        existing.version += 1
        existing.full_clean()
        existing.save()
        follow_up = existing
    FollowUpRevision.objects.create(
        follow_up=follow_up,
        number=follow_up.version,
        assessment=assessment,
        analysis=analysis,
        saved_by=_person(actor),
    )
    audit.record(
        actor=actor,
        action="follow_up.save",
        obj=follow_up,
        old=old,
        new={"assessment": assessment, "analysis": analysis, "version": follow_up.version},
        unit=unit,
    )
    _discard_draft(actor, goal, period)
    return follow_up


def _discard_draft(actor: Any, goal: Goal, period: str) -> None:
    if _person(actor) is not None:
        FollowUpDraft.objects.filter(user=actor, goal=goal, period=period).delete()


@transaction.atomic
def follow_up_draft_save(*, actor: Any, goal: Goal, period: str, assessment: str, analysis: str) -> FollowUpDraft:
    """Keep what the user is typing (autosave). A draft is not part of the record and is not audited."""
    _edit(actor, goal.plan.unit_id)
    if _person(actor) is None:
        raise ValueError("only a person has drafts")
    if period not in Period.values:
        raise ValidationError({"period": "Välj T1, T2 eller VB."})
    if assessment and assessment not in Assessment.values:
        assessment = ""
    draft, _ = FollowUpDraft.objects.update_or_create(
        user=actor, goal=goal, period=period, defaults={"assessment": assessment, "analysis": analysis or ""}
    )
    return draft


@transaction.atomic
def follow_up_draft_discard(*, actor: Any, goal: Goal, period: str) -> None:
    check_perm(actor, Perm.GOVERNANCE_VIEW, goal.plan.unit_id)
    _discard_draft(actor, goal, period)


# --- Section texts ------------------------------------------------------------------------------------------


@transaction.atomic
def section_save(
    *, actor: Any, plan: OperationalPlan, document: str, key: str, text: str, expected_version: int | None
) -> SectionText:
    _edit(actor, plan.unit_id)
    if document not in DocumentKind.values:
        raise ValidationError({"document": "Okänt dokument."})
    if key not in SectionText.Key.values:
        raise ValidationError({"key": "Okänt avsnitt."})
    section = SectionText.objects.select_for_update().filter(plan=plan, document=document, key=key).first()
    text = (text or "").strip()
    check_version(section, expected_version)
    if section is None:
        section = SectionText.objects.create(
            plan=plan, document=document, key=key, text=text, updated_by=_person(actor)
        )
        audit.record(actor=actor, action="section.save", obj=section, new={"text": text}, unit=plan.unit)
        return section
    if section.text == text:
        return section
    old = {"text": section.text}
    section.text, section.updated_by = text, _person(actor)
    section.version += 1
    section.save()
    audit.record(actor=actor, action="section.save", obj=section, old=old, new={"text": text}, unit=plan.unit)
    return section


# --- Copying a year forward ---------------------------------------------------------------------------------


@transaction.atomic
def plan_copy_forward(*, actor: Any, plan: OperationalPlan, year: int | None = None) -> OperationalPlan:
    """A new plan for the next year (or `year`) with the same goal chain, VP texts, indicators and targets,
    the activities not completed by the end of the year, and the VP's section texts. Follow-ups are not
    copied: they belong to the year they account for."""
    _edit(actor, plan.unit_id)
    target_year = year or plan.year + 1
    if target_year <= plan.year:
        raise ValidationError({"year": "Välj ett senare år än planens."})
    if OperationalPlan.objects.filter(unit_id=plan.unit_id, year=target_year).exists():
        raise ValidationError({"year": f"Enheten har redan en verksamhetsplan för {target_year}."})
    new_plan = OperationalPlan.objects.create(
        unit_id=plan.unit_id,
        year=target_year,
        officer_name=plan.officer_name,
        officer_phone=plan.officer_phone,
        recipient=plan.recipient,
        copied_from=plan,
    )
    year_end = datetime.date(plan.year, 12, 31)
    copies: dict[int, Goal] = {}
    for goal in plan.goals.order_by("position", "pk"):
        copies[goal.pk] = _copy_goal(goal, new_plan)
    for goal in plan.goals.filter(parent__isnull=False):
        copy = copies[goal.pk]
        copy.parent = copies.get(goal.parent_id) if goal.parent_id is not None else None
        copy.save(update_fields=["parent"])
    for goal_indicator in GoalIndicator.objects.filter(goal__plan=plan):
        GoalIndicator.objects.create(
            goal=copies[goal_indicator.goal_id],
            indicator=goal_indicator.indicator,
            target=goal_indicator.target,
            council_target=goal_indicator.council_target,
            council_target_text=goal_indicator.council_target_text,
            position=goal_indicator.position,
        )
    for activity in Activity.objects.filter(goal__plan=plan):
        if activity.completed_on is not None and activity.completed_on <= year_end:
            continue
        if activity.ends_on <= year_end:
            continue
        Activity.objects.create(
            goal=copies[activity.goal_id],
            title=activity.title,
            starts_on=activity.starts_on,
            ends_on=activity.ends_on,
            deviation_note="",
            position=activity.position,
        )
    for section in plan.sections.filter(document=DocumentKind.VP):
        SectionText.objects.create(plan=new_plan, document=DocumentKind.VP, key=section.key, text=section.text)
    audit.record(
        actor=actor,
        action="plan.copy_forward",
        obj=new_plan,
        new={"from_plan": plan.pk, "year": target_year, "goals": len(copies)},
        unit=plan.unit,
    )
    return new_plan


def _copy_goal(goal: Goal, plan: OperationalPlan) -> Goal:
    return Goal.objects.create(
        plan=plan,
        level=goal.level,
        number=goal.number,
        title=goal.title,
        position=goal.position,
        **{field: getattr(goal, field) for field in GOAL_TEXTS},
    )


# --- Generated documents --------------------------------------------------------------------------------------


def check_document_possible(plan: OperationalPlan | None, unit: Unit, year: int, kind: str) -> OperationalPlan:
    """A document needs the year's plan with at least one unit goal; the error says what is missing."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "Välj VP, T1, T2 eller VB."})
    label = DocumentKind(kind).label.lower()
    if plan is None:
        raise ValidationError(
            {"year": f"{unit.name} har ingen verksamhetsplan för {year}. Skapa planen innan en {label} tas fram."}
        )
    if not plan.goals.filter(level=Goal.Level.UNIT).exists():
        raise ValidationError(
            {"year": f"Verksamhetsplanen {year} har inga enhetsmål. Lägg till enhetsmål innan en {label} tas fram."}
        )
    return plan


@transaction.atomic
def document_request(*, actor: Any, unit: Unit, year: int, kind: str, format: str) -> GeneratedDocument:
    """Ask for a document in one format (see `documents_request`)."""
    return documents_request(actor=actor, unit=unit, year=year, kind=kind, formats=(format,))[0]


@transaction.atomic
def documents_request(
    *, actor: Any, unit: Unit, year: int, kind: str, formats: tuple[str, ...]
) -> list[GeneratedDocument]:
    """Ask for a document in one or more formats: checked now (a year with no plan is refused, nothing is
    queued), made by one background task after the transaction commits, which reads the figures once for
    every format. The first document is the one the others were made with (`made_with`)."""
    check_perm(actor, Perm.GOVERNANCE_VIEW, unit)
    if (
        not formats
        or len(set(formats)) != len(formats)
        or any(f not in GeneratedDocument.Format.values for f in formats)
    ):
        raise ValidationError({"format": "Välj DOCX, PDF eller båda."})
    plan = check_document_possible(OperationalPlan.objects.filter(unit=unit, year=year).first(), unit, year, kind)
    made: list[GeneratedDocument] = []
    for fmt in formats:
        document = GeneratedDocument.objects.create(
            plan=plan, kind=kind, format=fmt, requested_by=_person(actor), made_with=made[0] if made else None
        )
        audit.record(actor=actor, action="document.request", obj=document, new={"kind": kind, "format": fmt}, unit=unit)
        made.append(document)
    from bista.governance.tasks import generate_documents

    document_ids = [document.pk for document in made]
    transaction.on_commit(lambda: generate_documents.enqueue(document_ids))
    return made


def history_store(
    *,
    plan: OperationalPlan,
    today: datetime.date,
    progress: Callable[[int, str], None] | None = None,
    actor: Any = SYSTEM,
    recompute: bool = False,
) -> int:
    """Keep the closed years a document of the plan shows as history (the plan's computed indicators): those
    not kept yet as the document task's first step, so that later documents read them; all of them again with
    `recompute` (the plan page's "Räkna om", after a correction). Returns how many figures were computed."""
    from bista.governance import selectors

    indicators = list(
        IndicatorDefinition.objects.filter(
            pk__in=GoalIndicator.objects.filter(goal__plan=plan).values("indicator_id"),
            source=IndicatorDefinition.Source.COMPUTED,
        ).order_by("pk")
    )
    years = selectors.history_years_to_store(plan.year, today)
    count = 0
    for index, year in enumerate(years if indicators else []):
        count += len(
            year_outcomes_store(
                actor=actor, unit=plan.unit, year=year, today=today, indicators=indicators, recompute=recompute
            )
        )
        if progress:
            progress(1 + int(4 * (index + 1) / len(years)), "Tidigare års utfall")
    return count


def document_progress(document_id: int, progress: int, message: str = "") -> None:
    """Record how far the task has come (its own short write, so the page can show it while it runs)."""
    generated.record_progress(GeneratedDocument.objects.all(), document_id, progress, message)


def document_run(
    document_id: int, build: Callable[[GeneratedDocument, Callable[[int, str], None]], bytes]
) -> GeneratedDocument:
    """Make the document's bytes with `build` and keep them with their checksum (`core.generated.run`: nothing
    half-made is kept; on any error the document is marked failed with the reason and has no file)."""

    def audited(document: GeneratedDocument) -> None:
        audit.record(
            actor=SYSTEM,
            action="document.generate",
            obj=document,
            new={"sha256": document.sha256, "size": document.size},
            unit=document.plan.unit,
        )

    return generated.run(
        GeneratedDocument.objects.select_related("plan__unit", "requested_by"), document_id, build, on_done=audited
    )


# --- Stored yearly outcomes ------------------------------------------------------------------------------


def _stored_decimal(value: Decimal | None) -> Decimal | None:
    """As the field keeps it (4 decimals): what is read back equals what was stored, on both databases."""
    return None if value is None else Decimal(value).quantize(Decimal("0.0001"))


@transaction.atomic
def year_outcomes_store(
    *,
    actor: Any,
    unit: Unit,
    year: int,
    today: datetime.date,
    indicators: list[IndicatorDefinition] | None = None,
    recompute: bool = False,
) -> list[YearOutcome]:
    """Compute and keep the full-year outcome of a closed year for the unit's computed indicators (all of the
    registry's, or `indicators`), so the documents read their history instead of recomputing it. A year is
    closed once its last day has passed. Without `recompute` only missing figures are computed (what the
    document task does when a year is first shown); with it every figure is computed again (after a correction
    of the year's records: the plan page's "Räkna om", `bista governance_year_close --recompute`).
    The SYSTEM actor (the document task) may always; a person needs governance.edit in the unit."""
    from bista.governance import registry, selectors

    _edit(actor, unit)
    if year >= today.year:
        raise ValidationError({"year": f"År {year} är inte avslutat: årsutfall sparas först när året är slut."})
    candidates = (
        indicators
        if indicators is not None
        else list(IndicatorDefinition.objects.filter(source=IndicatorDefinition.Source.COMPUTED).order_by("pk"))
    )
    wanted = [
        i
        for i in candidates
        if i.source == IndicatorDefinition.Source.COMPUTED
        and i.computed_key in registry.REGISTRY
        and rules.period_allowed("VB", i.period_type)
    ]
    existing = {o.indicator_id: o for o in YearOutcome.objects.filter(unit=unit, year=year)}
    todo = wanted if recompute else [i for i in wanted if i.pk not in existing]
    if not todo:
        return []
    source = registry.Source(today=today)
    stored = []
    for indicator in todo:
        result, _ = selectors.outcome(source, indicator, unit.pk, year, "VB")
        values = {
            "value": _stored_decimal(result.value),
            "women": _stored_decimal(result.women),
            "men": _stored_decimal(result.men),
            "numerator": _stored_decimal(result.numerator),
            "denominator": _stored_decimal(result.denominator),
            "note": result.note[:300],
            "computed_on": today,
        }
        row, _ = YearOutcome.objects.update_or_create(indicator=indicator, unit=unit, year=year, defaults=values)
        stored.append(row)
    audit.record(
        actor=actor,
        action="year_outcomes.store",
        obj=stored[0],
        new={"year": year, "indicators": [i.code for i in todo], "recompute": recompute},
        unit=unit,
    )
    return stored
