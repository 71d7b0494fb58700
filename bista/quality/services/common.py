"""What the quality services share: the save-and-audit step and the small checks of client, category and dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from bista.clients.models import Client, ClientUnit
from bista.core import audit, clock
from bista.core.access import SYSTEM
from bista.core.models import Unit
from bista.quality.models import (
    QualityCategory,
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
