"""Bringing a client's journal history over from the previous system: signed as Bistå signs, corrections linked,
all or nothing, one event in the audit trail and the access log."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care import services
from bista.care.models import JournalEntry
from bista.care.tests import factories as f
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation

D = datetime.date


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=clock.STOCKHOLM)


def _entry(author: Any, day: datetime.date, text: str = "Promenad i parken.", **kwargs: Any) -> services.ImportedEntry:
    values: dict[str, Any] = {"written_at": _at(day), "category": f.category(), **kwargs}
    return services.ImportedEntry(author=author, event_date=day, text=text, **values)


def test_history_is_signed_in_order_with_corrections_linked(
    astrid: Client, manager: Any, staffer: Any, org: Organisation
) -> None:
    items = [
        _entry(staffer, D(2019, 3, 4), "Brukaren var på teater."),
        _entry(manager, D(2019, 3, 5)),
        _entry(staffer, D(2019, 3, 4), "Rättelse: det var bio.", written_at=_at(D(2019, 3, 6)), corrects=0),
        _entry(
            staffer, D(2019, 3, 4), "Rättelse av rättelsen: bio i Kista.", written_at=_at(D(2019, 3, 7)), corrects=2
        ),
    ]
    entries = services.journal_history_import(actor=SYSTEM, client=astrid, entries=items)

    assert [e.text for e in entries] == [item.text for item in items]
    assert entries[2].corrects_id == entries[0].pk and entries[3].corrects_id == entries[2].pk
    stored = JournalEntry.objects.filter(client=astrid).order_by("pk")
    assert stored.count() == 4
    assert all(services.journal_signature_valid(entry) for entry in stored)
    first = stored.get(pk=entries[0].pk)
    assert (first.author_id, first.author_role, first.unit_id) == (staffer.pk, "Medarbetare", org.provider.pk)
    assert first.written_at == _at(D(2019, 3, 4))
    # One event each in the trail and the access log, naming how many and which.
    event = AuditEvent.objects.get(action="journal.import")
    assert event.new_values == {"entries": 4, "first": entries[0].pk, "last": entries[3].pk}
    assert AccessLogEntry.objects.filter(client=astrid, action=AccessLogEntry.Action.WRITE).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"written_at": "future"}, "framtiden"),
        ({"event_date": "after_written"}, "efter det att"),
        ({"text": "   "}, "tom"),
        ({"corrects": 1}, "efter anteckningen"),
        ({"corrects": -1}, "efter anteckningen"),
        ({"category": "expired"}, "Kategorin hade upphört"),
    ],
)
def test_a_bad_entry_refuses_the_whole_import(
    astrid: Client, staffer: Any, change: dict[str, Any], message: str
) -> None:
    day = D(2020, 2, 29)
    bad: dict[str, Any] = dict(change)
    if bad.get("written_at") == "future":
        bad["written_at"] = clock.now() + datetime.timedelta(hours=1)
    if bad.get("event_date") == "after_written":
        bad["event_date"] = day + datetime.timedelta(days=1)
    if bad.get("category") == "expired":
        category = f.category("ovrigt")
        category.valid_to = day - datetime.timedelta(days=1)
        category.save()
        bad["category"] = category
    values = {"author": staffer, "event_date": day, "written_at": _at(day), "category": f.category(), "text": "Text"}
    items = [_entry(staffer, day), services.ImportedEntry(**{**values, **bad})]
    with pytest.raises(ValidationError) as refused:
        services.journal_history_import(actor=SYSTEM, client=astrid, entries=items)
    assert "Anteckning 2:" in refused.value.message_dict["entries"][0]
    assert message in refused.value.message_dict["entries"][0]
    assert not JournalEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="journal.import").exists()


def test_only_the_migration_imports(astrid: Client, manager: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.journal_history_import(actor=manager, client=astrid, entries=[_entry(manager, D(2021, 1, 1))])
    assert not JournalEntry.objects.exists()


def test_an_empty_import_writes_nothing(astrid: Client) -> None:
    assert services.journal_history_import(actor=SYSTEM, client=astrid, entries=[]) == []
    assert not AuditEvent.objects.filter(action="journal.import").exists()
    assert not AccessLogEntry.objects.filter(client=astrid).exists()
