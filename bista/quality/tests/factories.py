"""Helpers for tests of the quality system: clients, deviations, Lex Sarah reports taken step by step,
feedback, personal data incidents, routines and the self-check plan, all built through the services as
users would. Moments are aware Stockholm times in the past (the services refuse the future). The default
actor is the unit's quality manager (`quality_manager`: an enhetschef made for the purpose); pass `actor=`
to act as someone else. (Not SYSTEM: a record reported by SYSTEM cannot be updated yet, see
test_services.test_the_system_actor_can_*.)"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from bista.clients import services as client_services
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.models import Team, Unit
from bista.core.permissions import RoleCode
from bista.core.personnummer import luhn_check_digit
from bista.core.testing import Organisation, make_user
from bista.quality import services
from bista.quality.models import (
    DataIncident,
    Deviation,
    Feedback,
    LexSarahReport,
    QualityCategory,
    Routine,
    SelfCheckPlanItem,
)
from bista.quality.rules import LEX_SARAH_STEPS

D = datetime.date


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware moment on Stockholm's wall clock."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


# A fixed past day on which things happen unless a test says otherwise (a Tuesday, winter time).
OCCURRED = at(2026, 2, 3, 9)
REPORTED = at(2026, 2, 3, 14)
DECIDED = D(2026, 2, 20)  # IVO notified and the decision taken
RECEIVED = D(2026, 2, 2)  # feedback received
ANSWERED = D(2026, 2, 9)  # and answered

_numbers = itertools.count()


def quality_manager(unit: Unit) -> Any:
    """An enhetschef of `unit` who acts when a test does not say who (made once per unit)."""
    from django.contrib.auth import get_user_model

    username = f"kvalitetschef{unit.pk}"
    existing = get_user_model().objects.filter(username=username).first()
    return existing or make_user(username, RoleCode.UNIT_MANAGER, unit)


def _actor(actor: Any, unit: Unit) -> Any:
    return quality_manager(unit) if actor is None else actor


def fake_personnummer() -> str:
    """A new formally valid personnummer in the 980-999 birth-number series kept for fictitious people
    (born in the 1930s, so as not to collide with the other contexts' test helpers)."""
    n = next(_numbers)
    birth = D(1930, 1, 1) + datetime.timedelta(days=29 * ((n // 20) % 120))
    head = f"{birth:%y%m%d}{980 + n % 20:03d}"
    return f"{birth:%Y}"[:2] + head + str(luhn_check_digit(head))


def make_client(unit: Unit, *, first_name: str = "Test", last_name: str = "Person", teams: Any = ()) -> Client:
    """A fictitious client of `unit` (and `teams`) since 2023."""
    return client_services.client_create(
        actor=SYSTEM,
        unit=unit,
        personnummer=fake_personnummer(),
        first_name=first_name,
        last_name=last_name,
        since=D(2023, 1, 1),
        teams=list(teams),
        fictitious=True,
    )


def client_in_team(unit: Unit, team: Team, first_name: str = "Astrid") -> Client:
    return make_client(unit, first_name=first_name, last_name="Lindqvist", teams=[team])


# --- Categories (reference data seeded by the migration) -------------------------------------------------


def category(group: str, code: str) -> QualityCategory:
    return QualityCategory.objects.get(group=group, code=code)


def deviation_category(code: str = "bemotande") -> QualityCategory:
    return category(QualityCategory.Group.DEVIATION, code)


def feedback_category(code: str = "bemotande", group: str = QualityCategory.Group.FEEDBACK_STAFF) -> QualityCategory:
    return category(group, code)


# --- Deviations --------------------------------------------------------------------------------------


def report_deviation(
    unit: Unit,
    *,
    actor: Any = None,
    what_happened: str = "Brukaren fick fel medicin vid lunch.",
    occurred_at: datetime.datetime = OCCURRED,
    reported_at: datetime.datetime | None = REPORTED,
    client: Client | None = None,
) -> Deviation:
    return services.deviation_report(
        actor=_actor(actor, unit),
        unit=unit,
        what_happened=what_happened,
        occurred_at=occurred_at,
        reported_at=reported_at,
        client=client,
    )


def classify_deviation(
    deviation: Deviation,
    *,
    actor: Any = None,
    code: str = "bemotande",
    analysis: str = "Rutinen för överlämning följdes inte.",
    **changes: Any,
) -> Deviation:
    """Give the deviation a category and an analysis (what closing it needs)."""
    return services.deviation_update(
        actor=_actor(actor, deviation.unit),
        deviation=deviation,
        expected_version=None,
        category=deviation_category(code),
        analysis=analysis,
        **changes,
    )


def closed_deviation(unit: Unit, **kw: Any) -> Deviation:
    deviation = classify_deviation(report_deviation(unit, **kw))
    return services.deviation_close(actor=quality_manager(unit), deviation=deviation, expected_version=None)


# --- Lex Sarah ---------------------------------------------------------------------------------------


def report_lex_sarah(
    unit: Unit,
    *,
    actor: Any = None,
    what_happened: str = "Brukaren lämnades ensam under ett dygn.",
    occurred_at: datetime.datetime = OCCURRED,
    reported_at: datetime.datetime | None = REPORTED,
    client: Client | None = None,
) -> LexSarahReport:
    return services.lex_sarah_report(
        actor=_actor(actor, unit),
        unit=unit,
        what_happened=what_happened,
        occurred_at=occurred_at,
        reported_at=reported_at,
        client=client,
    )


def step_values(step: str, *, serious: bool = True, day: datetime.date = DECIDED) -> dict[str, Any]:
    """Valid values for a step (`day`: the IVO notification and decision dates)."""
    return {
        "registered": {},
        "remedied": {"remedy": "Ny personal sattes in direkt."},
        "investigated": {
            "investigation_events": "Schemat hade ett glapp på ett dygn.",
            "client_view": "Brukaren var orolig och rädd.",
            "causes": "Ingen kontroll av schemat vid sjukfrånvaro.",
            "preventive_actions": "Schemat kontrolleras varje morgon.",
            "client_informed_on": D(2026, 2, 10),
        },
        "assessed": {
            "assessment": LexSarahReport.Assessment.IMPROPRIETY if serious else LexSarahReport.Assessment.RISK,
            "serious": serious,
            "assessment_reason": "Brukaren var utan stöd i ett dygn.",
        },
        "notified": {"ivo_notified_on": day, "ivo_reference": "IVO 3.5-12345/2026"},
        "closed": {"decision": "Utredningen avslutas med åtgärderna ovan.", "decided_on": day},
    }[step]


# When each step is taken unless the test says otherwise (after REPORTED, in the past).
STEP_TIMES = {
    "registered": at(2026, 2, 4, 9),
    "remedied": at(2026, 2, 4, 10),
    "investigated": at(2026, 2, 12, 15),
    "assessed": at(2026, 2, 16, 10),
    "notified": at(2026, 2, 20, 10),
    "closed": at(2026, 2, 25, 10),
}


def lex_sarah_step(
    report: LexSarahReport,
    step: str,
    *,
    actor: Any = None,
    moment: datetime.datetime | None = None,
    serious: bool = True,
    **overrides: Any,
) -> LexSarahReport:
    values = {**step_values(step, serious=serious), **overrides}
    return services.lex_sarah_step(
        actor=_actor(actor, report.unit),
        report=report,
        step=step,
        expected_version=None,
        at=moment or STEP_TIMES[step],
        **values,
    )


def lex_sarah_until(
    report: LexSarahReport, last_step: str, *, serious: bool = True, actor: Any = None
) -> LexSarahReport:
    """Take every step up to and including `last_step`, none skipped (IVO only for a serious report)."""
    for step in LEX_SARAH_STEPS[1:]:
        if step == "notified" and not serious:
            continue
        report = lex_sarah_step(report, step, actor=actor, serious=serious)
        if step == last_step:
            break
    return report


# --- Feedback ----------------------------------------------------------------------------------------


def register_feedback(
    unit: Unit,
    *,
    actor: Any = None,
    kind: str = Feedback.Kind.COMPLAINT,
    source: str = Feedback.Source.CLIENT,
    received_on: datetime.date = RECEIVED,
    description: str = "Assistenten kom en timme för sent.",
    sender_name: str = "Karin Lindqvist",
    client: Client | None = None,
    category: QualityCategory | None = None,
    other_provider: str = "",
) -> Feedback:
    return services.feedback_register(
        actor=_actor(actor, unit),
        unit=unit,
        kind=kind,
        source=source,
        received_on=received_on,
        description=description,
        sender_name=sender_name,
        client=client,
        category=category,
        other_provider=other_provider,
    )


def answer_feedback(feedback: Feedback, *, actor: Any = None, day: datetime.date = ANSWERED) -> Feedback:
    return services.feedback_update(
        actor=_actor(actor, feedback.unit),
        feedback=feedback,
        expected_version=None,
        answer="Vi har pratat med assistenten och bett om ursäkt.",
        answered_on=day,
    )


# --- Personal data incidents --------------------------------------------------------------------------


def incident_values(**overrides: Any) -> dict[str, Any]:
    return {
        "what_happened": "Ett mejl med genomförandeplanen skickades till fel mottagare.",
        "happened_at": at(2026, 2, 3, 9),
        "discovered_at": at(2026, 2, 3, 11),
        "data_affected": "Namn, personnummer och hälsouppgifter.",
        "people_affected": "En brukare.",
        "people_affected_count": 1,
        **overrides,
    }


def register_incident(unit: Unit, *, actor: Any = None, **overrides: Any) -> DataIncident:
    return services.incident_register(actor=_actor(actor, unit), unit=unit, **incident_values(**overrides))


# --- Routines and the self-check plan ------------------------------------------------------------------


def make_routine(unit: Unit, owner: Any, *, actor: Any = None, **overrides: Any) -> Routine:
    values: dict[str, Any] = {
        "name": "Rutin för avvikelsehantering",
        "process": "Systematiskt kvalitetsarbete",
        "owner": owner,
        "version_label": "1.0",
        "content": "Avvikelser rapporteras samma dag i Bistå.",
        "adopted_on": D(2025, 1, 15),
        "reviewed_on": D(2026, 1, 15),
        **overrides,
    }
    return services.routine_create(actor=_actor(actor, unit), unit=unit, **values)


def make_self_check_item(unit: Unit, responsible: Any, *, actor: Any = None, **overrides: Any) -> SelfCheckPlanItem:
    values: dict[str, Any] = {
        "what": "Alla brukare har en aktuell genomförandeplan",
        "method": "Stickprov i Bistå",
        "frequency": SelfCheckPlanItem.Frequency.TERTIAL,
        "responsible": responsible,
        **overrides,
    }
    return services.self_check_item_create(actor=_actor(actor, unit), unit=unit, **values)


# API bodies (a deviation and a personal data incident as a client would post them).
def deviation_body(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": org.provider.pk,
        "occurred_at": "2026-02-03T09:00:00+01:00",
        "what_happened": "Brukaren fick fel medicin.",
        **overrides,
    }


def incident_body(org: Organisation, **overrides: Any) -> dict[str, Any]:
    return {
        "unit_id": org.provider.pk,
        "what_happened": "Mejl till fel mottagare.",
        "happened_at": "2026-02-03T09:00:00+01:00",
        "discovered_at": "2026-02-03T11:00:00+01:00",
        "data_affected": "Namn och personnummer.",
        "people_affected": "En brukare.",
        **overrides,
    }
