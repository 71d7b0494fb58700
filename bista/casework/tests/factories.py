"""Helpers for tests of the purchaser chain, built through the services as users would. Dates are fixed and
in the past (the services refuse future dates)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from bista.care.models import Service
from bista.casework import services
from bista.casework.models import Decision, Intake, Investigation
from bista.core.access import SYSTEM
from bista.core.models import Unit
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import fake_personnummer

APPLIED = datetime.date(2024, 3, 4)
DECIDED = datetime.date(2024, 4, 2)

APPLICATION: dict[str, Any] = {
    "kind": Intake.Kind.APPLICATION,
    "sender": Intake.From.PERSON,
    "received_on": APPLIED,
    "channel": Intake.Channel.E_SERVICE,
    "requested": "Ledsagarservice för att kunna gå på bio och träffa vänner.",
}


def service(code: str = "lss_9_3") -> Service:
    return Service.objects.get(code=code)


def officer(org: Organisation, name: str = "handlaggare", role: str = RoleCode.CASE_OFFICER) -> Any:
    return make_user(name, role, org.purchaser)


def new_client(birth: str = "19800512", number: int = 982, **extra: Any) -> dict[str, Any]:
    return {
        "personnummer": fake_personnummer(birth, number),
        "first_name": "Sigrid",
        "last_name": "Berglund",
        "fictitious": True,
        **extra,  # may replace the personnummer
    }


def register(unit: Unit, *, actor: Any = SYSTEM, **overrides: Any) -> Intake:
    values = {**APPLICATION, **overrides}
    if "client" not in values and "new_client" not in values:
        values["new_client"] = new_client()
    return services.intake_register(actor=actor, unit=unit, **values)


def communicated(intake: Intake, *, actor: Any, on: datetime.date | None = None) -> Investigation:
    """The case's investigation, started and communicated with the person on `on` (the intake's day unless
    given): what a decision that goes against the person needs first (FL 25 §)."""
    on = on or intake.received_on
    investigation = intake.case.investigations.filter(status=Investigation.Status.DRAFT).first()
    if investigation is None:
        investigation = services.investigation_start(actor=actor, case=intake.case, intake=intake, started_on=on)
    return services.communication_record(
        actor=actor,
        investigation=investigation,
        communicated_on=on,
        response="Jag har läst utredningen och har inget att tillägga.",
        expected_version=investigation.version,
    )


def decide(intake: Intake, *, actor: Any, **overrides: Any) -> Decision:
    """A decision on the intake; one that goes against the person (avslag, delvis bifall) is made on a
    communicated investigation unless the test passes its own `investigation`."""
    values: dict[str, Any] = {
        "service": service(),
        "outcome": Decision.Outcome.GRANTED,
        "decision_date": DECIDED,
        "reasons": "Du behöver stöd för att kunna delta i samhällets liv. Därför får du ledsagarservice.",
        "scope_amount": Decimal("10"),
        "scope_unit": "month",
        "period_start": DECIDED,
        "period_end": datetime.date(2025, 4, 1),
        **overrides,
    }
    if "investigation" not in values and values["outcome"] in (Decision.Outcome.REFUSED, Decision.Outcome.PARTLY):
        values["investigation"] = communicated(intake, actor=actor)
    return services.decision_make(actor=actor, case=intake.case, intake=intake, **values)
