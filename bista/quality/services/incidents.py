"""Writes of personal-data incidents: register, edit, the decision whether to report to IMY."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.core import audit, clock
from bista.core.access import check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.quality.models import (
    DataIncident,
)
from bista.quality.services.common import _not_in_future, _person, _required, _save, _strip

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
