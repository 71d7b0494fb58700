"""Writes of the quality system. Each validates, saves and audits in one transaction. Nothing is deleted:
a deviation, report, feedback or incident is followed to closure and stays in the register."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.clients.models import Client, ClientUnit
from bista.core import audit, clock
from bista.core.access import SYSTEM, check_perm, valid_on
from bista.core.errors import ConflictError
from bista.core.models import Membership, Unit
from bista.core.permissions import Perm
from bista.core.versioning import check_version, lock_for_edit
from bista.quality import rules
from bista.quality.models import (
    Concerns,
    DataIncident,
    Deviation,
    DeviationAction,
    Feedback,
    IdentifiedBy,
    LexSarahReport,
    QualityCategory,
    Routine,
    SelfCheckPlanItem,
    SelfCheckResult,
    VbAssessment,
)

M = Any


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _strip(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _save(actor: Any, obj: M, old: dict[str, Any], fields: Iterable[str], action: str) -> M:
    obj.full_clean(exclude=["reported_by", "registered_by"])  # empty when the SYSTEM actor registered it
    obj.version += 1
    obj.save()
    before, after = audit.changed(old, audit.snapshot(obj, fields))
    audit.record(actor=actor, action=action, obj=obj, old=before, new=after, unit=obj.unit)
    return obj


def _not_in_future(moment: datetime.datetime | datetime.date | None, field: str) -> None:
    if moment is None:
        return
    if isinstance(moment, datetime.datetime):
        if moment > clock.now():
            raise ValidationError({field: "Tidpunkten kan inte ligga i framtiden."})
    elif moment > clock.today():
        raise ValidationError({field: "Datumet kan inte ligga i framtiden."})


def _required(values: dict[str, Any], labels: dict[str, str]) -> None:
    errors = {f: f"{label} måste fyllas i." for f, label in labels.items() if not str(values.get(f) or "").strip()}
    if errors:
        raise ValidationError(errors)


def _check_client(actor: Any, client: Client | None, unit: Unit) -> None:
    """A client named in a quality record must be one of the unit's, and one the reporter may see."""
    if client is None:
        return
    if not ClientUnit.objects.filter(client=client, unit=unit, until__isnull=True).exists():
        raise ValidationError({"client": "Brukaren hör inte till enheten."})
    if actor is not SYSTEM:
        from bista.clients.selectors import visible_clients

        if not visible_clients(actor).filter(pk=client.pk).exists():
            raise ValidationError({"client": "Brukaren hör inte till enheten."})


def _check_category(category: QualityCategory | None, groups: Iterable[str], day: datetime.date) -> None:
    if category is None:
        return
    if category.group not in set(groups):
        raise ValidationError({"category": "Kategorin passar inte för den här typen av ärende."})
    if not category.in_force(day):
        raise ValidationError({"category": "Kategorin gällde inte vid den tidpunkten."})


# --- Deviations -------------------------------------------------------------------------------------

DEVIATION_EDITABLE = (
    "category",
    "identified_by",
    "concerns",
    "concerned_unit_name",
    "immediate_action",
    "analysis",
    "feedback_to_reporter_on",
    "feedback_to_client_on",
)
DEVIATION_AUDITED = ("status", *DEVIATION_EDITABLE, "closing_note", "closed_at")


@transaction.atomic
def deviation_report(
    *,
    actor: Any,
    unit: Unit,
    what_happened: str,
    occurred_at: datetime.datetime,
    client: Client | None = None,
    reported_at: datetime.datetime | None = None,
) -> Deviation:
    """Anyone in the unit reports a deviation: what happened and when (the client is optional).
    `reported_at` is for the demo's history only."""
    check_perm(actor, Perm.QUALITY_REPORT, unit)
    reported_at = reported_at or clock.now()
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise ValidationError({"what_happened": "Beskriv vad som hände."})
    if occurred_at > reported_at:
        raise ValidationError({"occurred_at": "Händelsen kan inte ha inträffat efter att den rapporterades."})
    _check_client(actor, client, unit)
    deviation = Deviation(
        unit=unit,
        client=client,
        occurred_at=occurred_at,
        what_happened=what_happened,
        reported_by=_person(actor),
        reported_at=reported_at,
    )
    deviation.full_clean(exclude=["reported_by"])  # empty for the SYSTEM actor (the demo, imports)
    deviation.save()
    audit.record(
        actor=actor,
        action="deviation.report",
        obj=deviation,
        new={"client": client and client.pk, "occurred_at": occurred_at},
        unit=unit,
    )
    return deviation


@transaction.atomic
def deviation_update(*, actor: Any, deviation: Deviation, expected_version: int | None, **changes: Any) -> Deviation:
    """Classify, record the immediate action, the analysis and the feedback given."""
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    locked = lock_for_edit(Deviation, deviation.pk, expected_version)
    if locked.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad.")
    unknown = set(changes) - set(DEVIATION_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    old = audit.snapshot(locked, DEVIATION_AUDITED)
    for name, value in _strip(changes).items():
        setattr(locked, name, value)
    _check_category(locked.category, [QualityCategory.Group.DEVIATION], clock.local_date(locked.reported_at))
    if locked.identified_by not in IdentifiedBy.values:
        raise ValidationError({"identified_by": "Ogiltigt val."})
    if locked.concerns not in Concerns.values:
        raise ValidationError({"concerns": "Ogiltigt val."})
    if locked.concerns == Concerns.OTHER and not locked.concerned_unit_name:
        raise ValidationError({"concerned_unit_name": "Ange vilken verksamhet avvikelsen gäller."})
    for name in ("feedback_to_reporter_on", "feedback_to_client_on"):
        _not_in_future(getattr(locked, name), name)
    locked.status = Deviation.Status.IN_PROGRESS
    return _save(actor, locked, old, DEVIATION_AUDITED, "deviation.update")  # type: ignore[no-any-return]


@transaction.atomic
def deviation_action_add(
    *, actor: Any, deviation: Deviation, description: str, owner: Any, due_on: datetime.date
) -> DeviationAction:
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    if deviation.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad.")
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Beskriv åtgärden."})
    if (
        owner is None
        or not Membership.objects.filter(valid_on(clock.today()), user=owner, unit=deviation.unit).exists()
    ):
        raise ValidationError({"owner": "Den ansvariga har ingen roll i enheten."})
    action = DeviationAction.objects.create(deviation=deviation, description=description, owner=owner, due_on=due_on)
    audit.record(
        actor=actor,
        action="deviation.action_add",
        obj=deviation,
        new={"action": action.pk, "owner": owner.pk, "due_on": due_on},
        unit=deviation.unit,
    )
    return action


@transaction.atomic
def deviation_action_done(*, actor: Any, action: DeviationAction, done_on: datetime.date) -> DeviationAction:
    deviation = action.deviation
    if deviation.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad.")
    if actor is not SYSTEM and actor.pk != action.owner_id:
        check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    _not_in_future(done_on, "done_on")
    action = DeviationAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        raise ValidationError({"done_on": "Åtgärden är redan klarmarkerad."})
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    audit.record(
        actor=actor,
        action="deviation.action_done",
        obj=deviation,
        new={"action": action.pk, "done_on": done_on},
        unit=deviation.unit,
    )
    return action


@transaction.atomic
def deviation_close(
    *,
    actor: Any,
    deviation: Deviation,
    expected_version: int | None,
    closing_note: str = "",
    closed_at: datetime.datetime | None = None,
) -> Deviation:
    """A manager closes a deviation once it is classified, analysed and every action is done.
    `closed_at` is for the demo's history and imports only."""
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    locked = lock_for_edit(Deviation, deviation.pk, expected_version)
    if locked.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är redan avslutad.")
    errors = {}
    if locked.category_id is None:
        errors["category"] = "Avvikelsen måste ha en kategori innan den avslutas."
    if not locked.analysis.strip():
        errors["analysis"] = "Avvikelsen kan inte avslutas utan en orsaksanalys."
    if locked.actions.filter(done_on__isnull=True).exists():
        errors["actions"] = "Alla åtgärder måste vara klara innan avvikelsen avslutas."
    if errors:
        raise ValidationError(errors)
    closed_at = closed_at or clock.now()
    _not_in_future(closed_at, "closed_at")
    if closed_at < locked.reported_at:
        raise ValidationError({"closed_at": "Avvikelsen kan inte avslutas innan den rapporterades."})
    old = audit.snapshot(locked, DEVIATION_AUDITED)
    locked.status = Deviation.Status.CLOSED
    locked.closed_at = closed_at
    locked.closed_by = _person(actor)
    locked.closing_note = (closing_note or "").strip()
    return _save(actor, locked, old, DEVIATION_AUDITED, "deviation.close")  # type: ignore[no-any-return]


@transaction.atomic
def deviation_escalate(
    *, actor: Any, deviation: Deviation, reported_at: datetime.datetime | None = None
) -> LexSarahReport:
    """Turn a deviation into a Lex Sarah report, keeping the link both ways. `reported_at` is for the demo's
    history and imports only."""
    check_perm(actor, Perm.QUALITY_MANAGE, deviation.unit)
    locked = Deviation.objects.select_for_update().get(pk=deviation.pk)
    if locked.status == Deviation.Status.CLOSED:
        raise ValidationError("Avvikelsen är avslutad; rapportera i stället en ny lex Sarah-rapport.")
    if LexSarahReport.objects.filter(deviation=locked).exists():
        raise ValidationError("Avvikelsen är redan rapporterad enligt lex Sarah.")
    reported_at = reported_at or clock.now()
    _not_in_future(reported_at, "reported_at")
    if reported_at < locked.reported_at:
        raise ValidationError({"reported_at": "Rapporten kan inte vara äldre än avvikelsen."})
    report = LexSarahReport.objects.create(
        unit=locked.unit,
        client=locked.client,
        deviation=locked,
        reported_by=_person(actor),
        reported_at=reported_at,
        occurred_at=locked.occurred_at,
        what_happened=locked.what_happened,
    )
    audit.record(actor=actor, action="lex_sarah.report", obj=report, new={"deviation": locked.pk}, unit=locked.unit)
    return report


# --- Lex Sarah -------------------------------------------------------------------------------------

LEX_SARAH_AUDITED = (
    "status",
    "registered_at",
    "remedy",
    "remedied_at",
    "investigation_events",
    "client_view",
    "causes",
    "preventive_actions",
    "client_informed_on",
    "assessment",
    "serious",
    "assessment_reason",
    "ivo_notified_on",
    "ivo_reference",
    "decision",
    "decided_on",
    "closed_at",
)


@transaction.atomic
def lex_sarah_report(
    *,
    actor: Any,
    unit: Unit,
    what_happened: str,
    occurred_at: datetime.datetime,
    client: Client | None = None,
    reported_at: datetime.datetime | None = None,
) -> LexSarahReport:
    """Anyone who works in the unit reports a missförhållande or a risk of one, genast."""
    check_perm(actor, Perm.QUALITY_REPORT, unit)
    reported_at = reported_at or clock.now()
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise ValidationError({"what_happened": "Beskriv vad som har hänt."})
    if occurred_at > reported_at:
        raise ValidationError({"occurred_at": "Händelsen kan inte ha inträffat efter att den rapporterades."})
    _check_client(actor, client, unit)
    report = LexSarahReport.objects.create(
        unit=unit,
        client=client,
        reported_by=_person(actor),
        reported_at=reported_at,
        occurred_at=occurred_at,
        what_happened=what_happened,
    )
    audit.record(actor=actor, action="lex_sarah.report", obj=report, new={"client": client and client.pk}, unit=unit)
    return report


def _advance(report: LexSarahReport, step: str) -> None:
    allowed = rules.lex_sarah_next_steps(report.status, serious=report.serious)
    if step not in allowed:
        current = LexSarahReport.Status(report.status).label
        raise ValidationError(
            {"status": f"Steget kan inte tas nu: rapporten är {current.lower()}. Inget steg får hoppas över."}
        )
    report.status = step


@transaction.atomic
def lex_sarah_step(
    *,
    actor: Any,
    report: LexSarahReport,
    step: str,
    expected_version: int | None,
    at: datetime.datetime | None = None,
    **values: Any,
) -> LexSarahReport:
    """Take the next step of a report: registered, remedied, investigated, assessed, notified, closed.

    Each step has its own required fields; `at` is for the demo's history only.
    """
    check_perm(actor, Perm.QUALITY_MANAGE, report.unit)
    locked = lock_for_edit(LexSarahReport, report.pk, expected_version)
    at = at or clock.now()
    _not_in_future(at, "at")
    previous = max(
        t
        for t in (
            locked.reported_at,
            locked.registered_at,
            locked.remedied_at,
            locked.investigated_at,
            locked.assessed_at,
        )
        if t
    )
    if at < previous:
        raise ValidationError({"at": "Steget kan inte dateras före föregående steg."})
    old = audit.snapshot(locked, LEX_SARAH_AUDITED)
    values = _strip(values)
    fields = _LEX_SARAH_STEP_FIELDS.get(step)
    if fields is None:
        raise ValidationError({"status": "Okänt steg."})
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"not part of step {step}: {sorted(unknown)}")
    _LEX_SARAH_STEP_CHECKS[step](locked, values)
    for name, value in values.items():
        setattr(locked, name, value)
    _advance(locked, step)
    person = _person(actor)
    if step == "registered":
        locked.registered_at, locked.registered_by = at, person
    elif step == "remedied":
        locked.remedied_at = at
    elif step == "investigated":
        locked.investigated_at, locked.investigated_by = at, person
    elif step == "assessed":
        locked.assessed_at, locked.assessed_by = at, person
    elif step == "closed":
        locked.closed_at, locked.decided_by = at, person
    return _save(actor, locked, old, LEX_SARAH_AUDITED, f"lex_sarah.{step}")  # type: ignore[no-any-return]


def _check_registered(report: LexSarahReport, values: dict[str, Any]) -> None:
    return None


def _check_remedied(report: LexSarahReport, values: dict[str, Any]) -> None:
    _required(values, {"remedy": "Omedelbara åtgärder"})


def _check_investigated(report: LexSarahReport, values: dict[str, Any]) -> None:
    _required(
        values,
        {
            "investigation_events": "Vad har hänt",
            "client_view": "Brukarens uppfattning",
            "causes": "Orsaker",
            "preventive_actions": "Åtgärder för att förhindra att det händer igen",
        },
    )
    _not_in_future(values.get("client_informed_on"), "client_informed_on")


def _check_assessed(report: LexSarahReport, values: dict[str, Any]) -> None:
    assessment = values.get("assessment")
    if assessment not in LexSarahReport.Assessment.values:
        raise ValidationError({"assessment": "Välj en bedömning."})
    if values.get("serious") is None:
        raise ValidationError({"serious": "Ange om missförhållandet eller risken är allvarlig."})
    if assessment == LexSarahReport.Assessment.NOT_IMPROPRIETY and values["serious"]:
        raise ValidationError({"serious": "Det som inte är ett missförhållande kan inte bedömas som allvarligt."})
    _required(values, {"assessment_reason": "Motivering"})


def _check_notified(report: LexSarahReport, values: dict[str, Any]) -> None:
    if not report.serious:
        raise ValidationError({"ivo_notified_on": "Bara en rapport som bedömts som allvarlig anmäls till IVO."})
    if values.get("ivo_notified_on") is None:
        raise ValidationError({"ivo_notified_on": "Ange när anmälan skickades."})
    _not_in_future(values["ivo_notified_on"], "ivo_notified_on")
    if report.assessed_at and values["ivo_notified_on"] < clock.local_date(report.assessed_at):
        raise ValidationError({"ivo_notified_on": "Anmälan kan inte ha skickats före bedömningen."})


def _check_closed(report: LexSarahReport, values: dict[str, Any]) -> None:
    _required(values, {"decision": "Beslut"})
    if values.get("decided_on") is None:
        raise ValidationError({"decided_on": "Ange beslutsdatum."})
    _not_in_future(values["decided_on"], "decided_on")


_LEX_SARAH_STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "registered": (),
    "remedied": ("remedy",),
    "investigated": ("investigation_events", "client_view", "causes", "preventive_actions", "client_informed_on"),
    "assessed": ("assessment", "serious", "assessment_reason"),
    "notified": ("ivo_notified_on", "ivo_reference"),
    "closed": ("decision", "decided_on"),
}
_LEX_SARAH_STEP_CHECKS = {
    "registered": _check_registered,
    "remedied": _check_remedied,
    "investigated": _check_investigated,
    "assessed": _check_assessed,
    "notified": _check_notified,
    "closed": _check_closed,
}


# --- Feedback --------------------------------------------------------------------------------------

FEEDBACK_EDITABLE = (
    "category",
    "description",
    "other_provider",
    "forwarded_on",
    "other_provider_answer",
    "other_provider_answered_on",
    "answer",
    "answered_on",
    "action_taken",
    "action_taken_on",
)
FEEDBACK_AUDITED = ("kind", "source", *FEEDBACK_EDITABLE, "closed_at")
FEEDBACK_GROUPS = (QualityCategory.Group.FEEDBACK_STAFF, QualityCategory.Group.FEEDBACK_OTHER)


def _check_feedback(feedback: Feedback) -> None:
    errors: dict[str, str] = {}
    if feedback.kind not in Feedback.Kind.values:
        errors["kind"] = "Välj synpunkt, klagomål eller beröm."
    if feedback.source not in Feedback.Source.values:
        errors["source"] = "Ange vem det kom från."
    if feedback.source == Feedback.Source.ANONYMOUS and feedback.sender_name:
        errors["sender_name"] = "En anonym synpunkt har ingen namngiven avsändare."
    if feedback.source == Feedback.Source.ANONYMOUS and feedback.client_id:
        errors["client"] = "En anonym synpunkt kan inte knytas till en brukare."
    if feedback.kind == Feedback.Kind.PRAISE and feedback.category_id is not None:
        errors["category"] = "Beröm har ingen kategori."
    if not feedback.description.strip():
        errors["description"] = "Beskriv vad det gäller."
    for name in ("received_on", "forwarded_on", "other_provider_answered_on", "answered_on", "action_taken_on"):
        value = getattr(feedback, name)
        if value is not None and value > clock.today():
            errors[name] = "Datumet kan inte ligga i framtiden."
        elif value is not None and name != "received_on" and value < feedback.received_on:
            errors[name] = "Datumet kan inte vara före det att synpunkten kom in."
    if feedback.forwarded_on and not feedback.other_provider:
        errors["other_provider"] = "Ange vilken utförare synpunkten vidarebefordrades till."
    if feedback.answered_on and not feedback.answer.strip():
        errors["answer"] = "Beskriv återkopplingen."
    if feedback.action_taken_on and not feedback.action_taken.strip():
        errors["action_taken"] = "Beskriv åtgärden."
    if feedback.other_provider_answered_on and not feedback.other_provider_answer.strip():
        errors["other_provider_answer"] = "Skriv in den andra utförarens svar."
    if errors:
        raise ValidationError(errors)
    if feedback.kind != Feedback.Kind.PRAISE:
        _check_category(feedback.category, FEEDBACK_GROUPS, feedback.received_on)


@transaction.atomic
def feedback_register(
    *,
    actor: Any,
    unit: Unit,
    kind: str,
    source: str,
    received_on: datetime.date,
    description: str,
    sender_name: str = "",
    client: Client | None = None,
    category: QualityCategory | None = None,
    other_provider: str = "",
) -> Feedback:
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    _check_client(actor, client, unit)
    feedback = Feedback(
        unit=unit,
        kind=kind,
        source=source,
        received_on=received_on,
        description=(description or "").strip(),
        sender_name=(sender_name or "").strip(),
        client=client,
        category=None if kind == Feedback.Kind.PRAISE else category,
        other_provider=(other_provider or "").strip(),
        registered_by=_person(actor),
    )
    _check_feedback(feedback)
    feedback.full_clean(exclude=["registered_by"])  # empty for the SYSTEM actor (the demo, imports)
    feedback.save()
    audit.record(
        actor=actor, action="feedback.register", obj=feedback, new=audit.snapshot(feedback, FEEDBACK_AUDITED), unit=unit
    )
    return feedback


@transaction.atomic
def feedback_update(*, actor: Any, feedback: Feedback, expected_version: int | None, **changes: Any) -> Feedback:
    """Record the answer, the action, the forwarding to another provider and its answer."""
    check_perm(actor, Perm.QUALITY_MANAGE, feedback.unit)
    locked = lock_for_edit(Feedback, feedback.pk, expected_version)
    if locked.closed_at is not None:
        raise ValidationError("Ärendet är avslutat.")
    unknown = set(changes) - set(FEEDBACK_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    old = audit.snapshot(locked, FEEDBACK_AUDITED)
    for name, value in _strip(changes).items():
        setattr(locked, name, value)
    _check_feedback(locked)
    return _save(actor, locked, old, FEEDBACK_AUDITED, "feedback.update")  # type: ignore[no-any-return]


@transaction.atomic
def feedback_close(
    *, actor: Any, feedback: Feedback, expected_version: int | None, closed_at: datetime.datetime | None = None
) -> Feedback:
    """Close a case once it is categorised and answered. `closed_at` is for the demo's history and imports."""
    check_perm(actor, Perm.QUALITY_MANAGE, feedback.unit)
    locked = lock_for_edit(Feedback, feedback.pk, expected_version)
    if locked.closed_at is not None:
        raise ValidationError("Ärendet är redan avslutat.")
    if locked.kind != Feedback.Kind.PRAISE:
        errors = {}
        if locked.category_id is None:
            errors["category"] = "Ärendet måste ha en kategori innan det avslutas."
        if locked.source != Feedback.Source.ANONYMOUS and locked.answered_on is None:
            errors["answered_on"] = "Återkoppling måste ha lämnats innan ärendet avslutas."
        if locked.forwarded_on and not locked.other_provider_answered_on:
            errors["other_provider_answered_on"] = "Den andra utförarens svar om åtgärder saknas."
        if errors:
            raise ValidationError(errors)
    closed_at = closed_at or clock.now()
    _not_in_future(closed_at, "closed_at")
    if clock.local_date(closed_at) < locked.received_on:
        raise ValidationError({"closed_at": "Ärendet kan inte avslutas innan det kom in."})
    old = audit.snapshot(locked, FEEDBACK_AUDITED)
    locked.closed_at = closed_at
    return _save(actor, locked, old, FEEDBACK_AUDITED, "feedback.close")  # type: ignore[no-any-return]


# --- Personal data incidents ----------------------------------------------------------------------

INCIDENT_EDITABLE = (
    "what_happened",
    "happened_at",
    "discovered_at",
    "ended_at",
    "data_affected",
    "people_affected",
    "people_affected_count",
    "consequences",
    "actions",
    "people_informed_on",
)
INCIDENT_AUDITED = (
    *INCIDENT_EDITABLE,
    "imy_decision",
    "imy_decision_reason",
    "imy_notified_at",
    "imy_reference",
    "closed_at",
)


def _check_incident(incident: DataIncident) -> None:
    errors: dict[str, str] = {}
    now = clock.now()
    if incident.discovered_at and incident.happened_at and incident.discovered_at < incident.happened_at:
        errors["discovered_at"] = "Incidenten kan inte ha upptäckts innan den inträffade."
    if incident.ended_at and incident.happened_at and incident.ended_at < incident.happened_at:
        errors["ended_at"] = "Incidenten kan inte ha upphört innan den inträffade."
    for name in ("happened_at", "discovered_at", "ended_at"):
        value = getattr(incident, name)
        if value is not None and value > now and name not in errors:
            errors[name] = "Tidpunkten kan inte ligga i framtiden."
    if incident.people_informed_on and incident.people_informed_on > clock.today():
        errors["people_informed_on"] = "Datumet kan inte ligga i framtiden."
    if errors:
        raise ValidationError(errors)
    _required(
        {f: getattr(incident, f) for f in ("what_happened", "data_affected", "people_affected")},
        {"what_happened": "Vad hände", "data_affected": "Vilka personuppgifter", "people_affected": "Vilka personer"},
    )


@transaction.atomic
def incident_register(*, actor: Any, unit: Unit, **values: Any) -> DataIncident:
    """Record a personal data incident (always, whatever its size): the 72-hour clock starts at discovery."""
    check_perm(actor, Perm.QUALITY_INCIDENT, unit)
    unknown = set(values) - set(INCIDENT_EDITABLE)
    if unknown:
        raise TypeError(f"unknown incident fields: {sorted(unknown)}")
    incident = DataIncident(unit=unit, registered_by=_person(actor), **_strip(values))
    _check_incident(incident)
    incident.full_clean(exclude=["registered_by"])  # empty for the SYSTEM actor (the demo, imports)
    incident.save()
    audit.record(
        actor=actor, action="incident.register", obj=incident, new=audit.snapshot(incident, INCIDENT_AUDITED), unit=unit
    )
    return incident


@transaction.atomic
def incident_update(
    *, actor: Any, incident: DataIncident, expected_version: int | None, **changes: Any
) -> DataIncident:
    check_perm(actor, Perm.QUALITY_INCIDENT, incident.unit)
    locked = lock_for_edit(DataIncident, incident.pk, expected_version)
    unknown = set(changes) - set(INCIDENT_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    old = audit.snapshot(locked, INCIDENT_AUDITED)
    for name, value in _strip(changes).items():
        setattr(locked, name, value)
    _check_incident(locked)
    return _save(actor, locked, old, INCIDENT_AUDITED, "incident.update")  # type: ignore[no-any-return]


@transaction.atomic
def incident_decide_imy(
    *,
    actor: Any,
    incident: DataIncident,
    expected_version: int | None,
    decision: str,
    reason: str = "",
    notified_at: datetime.datetime | None = None,
    reference: str = "",
    decided_at: datetime.datetime | None = None,
) -> DataIncident:
    """Decide whether IMY is notified; if so, when it was and IMY's reference. `decided_at` for the demo."""
    check_perm(actor, Perm.QUALITY_INCIDENT, incident.unit)
    locked = lock_for_edit(DataIncident, incident.pk, expected_version)
    if locked.imy_decision:
        raise ValidationError({"imy_decision": "Beslutet om anmälan är redan fattat."})
    if decision not in DataIncident.ImyDecision.values:
        raise ValidationError({"imy_decision": "Välj om incidenten anmäls till IMY."})
    decided_at = decided_at or clock.now()
    if decision == DataIncident.ImyDecision.NO_RISK and not reason.strip():
        raise ValidationError({"imy_decision_reason": "Motivera varför incidenten inte anmäls."})
    if decision == DataIncident.ImyDecision.NOTIFY and notified_at is None:
        raise ValidationError({"imy_notified_at": "Ange när anmälan till IMY gjordes."})
    if decision == DataIncident.ImyDecision.NO_RISK and notified_at is not None:
        raise ValidationError({"imy_notified_at": "En incident som inte anmäls har inget anmälningsdatum."})
    if notified_at is not None:
        _not_in_future(notified_at, "imy_notified_at")
        if notified_at < locked.discovered_at:
            raise ValidationError({"imy_notified_at": "Anmälan kan inte ha gjorts innan incidenten upptäcktes."})
    old = audit.snapshot(locked, INCIDENT_AUDITED)
    locked.imy_decision = decision
    locked.imy_decision_reason = reason.strip()
    locked.imy_decided_at = decided_at
    locked.imy_notified_at = notified_at
    locked.imy_reference = reference.strip()
    return _save(actor, locked, old, INCIDENT_AUDITED, "incident.imy_decision")  # type: ignore[no-any-return]


# --- Routines, the self-check plan, the VB assessments ---------------------------------------------

ROUTINE_FIELDS = ("name", "process", "owner", "version_label", "content", "adopted_on", "reviewed_on", "is_active")


def _check_owner(owner: Any, unit: Unit, field: str) -> None:
    if owner is None or not Membership.objects.filter(valid_on(clock.today()), user=owner, unit=unit).exists():
        raise ValidationError({field: "Personen har ingen roll i enheten."})


@transaction.atomic
def routine_create(*, actor: Any, unit: Unit, **values: Any) -> Routine:
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    routine = Routine(unit=unit, **_strip(values))
    _check_owner(routine.owner if routine.owner_id else None, unit, "owner")
    if routine.reviewed_on and routine.adopted_on and routine.reviewed_on < routine.adopted_on:
        raise ValidationError({"reviewed_on": "Revideringen kan inte vara före fastställandet."})
    routine.full_clean()
    routine.save()
    audit.record(
        actor=actor, action="routine.create", obj=routine, new=audit.snapshot(routine, ROUTINE_FIELDS), unit=unit
    )
    return routine


@transaction.atomic
def routine_update(*, actor: Any, routine: Routine, expected_version: int | None, **changes: Any) -> Routine:
    check_perm(actor, Perm.QUALITY_MANAGE, routine.unit)
    locked = lock_for_edit(Routine, routine.pk, expected_version)
    old = audit.snapshot(locked, ROUTINE_FIELDS)
    for name, value in _strip(changes).items():
        if name not in ROUTINE_FIELDS:
            raise TypeError(f"not editable: {name}")
        setattr(locked, name, value)
    _check_owner(locked.owner, locked.unit, "owner")
    if locked.reviewed_on < locked.adopted_on:
        raise ValidationError({"reviewed_on": "Revideringen kan inte vara före fastställandet."})
    return _save(actor, locked, old, ROUTINE_FIELDS, "routine.update")  # type: ignore[no-any-return]


@transaction.atomic
def self_check_item_create(*, actor: Any, unit: Unit, **values: Any) -> SelfCheckPlanItem:
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    item = SelfCheckPlanItem(unit=unit, **_strip(values))
    _check_owner(item.responsible if item.responsible_id else None, unit, "responsible")
    item.full_clean()
    item.save()
    audit.record(
        actor=actor,
        action="self_check_plan.create",
        obj=item,
        new=audit.snapshot(item, ("what", "method", "frequency", "responsible", "computed_check")),
        unit=unit,
    )
    return item


@transaction.atomic
def self_check_result_record(
    *, actor: Any, item: SelfCheckPlanItem, performed_on: datetime.date, result: str, actions: str = ""
) -> SelfCheckResult:
    if actor is SYSTEM:
        raise ValueError("a self-check result is recorded by a person")
    if actor.pk != item.responsible_id:
        check_perm(actor, Perm.QUALITY_MANAGE, item.unit)
    _not_in_future(performed_on, "performed_on")
    if not (result or "").strip():
        raise ValidationError({"result": "Skriv resultatet."})
    entry = SelfCheckResult.objects.create(
        item=item, performed_on=performed_on, result=result.strip(), actions=(actions or "").strip(), recorded_by=actor
    )
    audit.record(actor=actor, action="self_check.result", obj=item, new={"result": entry.pk}, unit=item.unit)
    return entry


@transaction.atomic
def vb_assessment_save(
    *, actor: Any, unit: Unit, year: int, row_key: str, text: str, expected_version: int | None
) -> VbAssessment:
    """The free-text "Bedömning och planerade åtgärder" of one row; a stale save conflicts."""
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    refs = [rules.CategoryRef(c.group, c.code, c.name) for c in QualityCategory.objects.all()]
    if row_key not in {row.key for row in rules.vb_layout(refs)}:
        raise ValidationError({"row_key": "Raden finns inte i tabellen."})
    assessment, created = VbAssessment.objects.select_for_update().get_or_create(
        unit=unit, year=year, row_key=row_key, defaults={"updated_by": _person(actor)}
    )
    if not created:
        check_version(assessment, expected_version)
    if created and expected_version not in (None, 0):
        raise ConflictError(current_version=assessment.version)
    old = {"text": assessment.text}
    assessment.text = (text or "").strip()
    assessment.updated_by = _person(actor)
    if not created:
        assessment.version += 1
    assessment.save()
    audit.record(
        actor=actor, action="vb_assessment.save", obj=assessment, old=old, new={"text": assessment.text}, unit=unit
    )
    return assessment
