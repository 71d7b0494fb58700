"""The audit trail and the access log are append-only: on PostgreSQL a trigger refuses UPDATE and DELETE
(migrations core 0003 and clients 0002). And records about people are never hard-deleted, on any database."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from bista.clients import selectors, services
from bista.clients.models import AccessLogEntry, Client, ClientContact
from bista.core import audit
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation
from bista.core.tests.api_support import fake_personnummer
from bista.staff.models import Employee

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only triggers exist on PostgreSQL only"
)

APPEND_ONLY_TABLES = ["core_auditevent", "clients_accesslogentry"]


@pytest.fixture
def astrid(org: Organisation) -> Client:
    return services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=fake_personnummer("19450307", 982),
        first_name="Astrid",
        last_name="Lindqvist",
        fictitious=True,
    )


@pytest.fixture
def read(org: Organisation, astrid: Client, user_factory: Any) -> AccessLogEntry:
    """One logged read of Astrid's card by her manager."""
    manager = user_factory("chef", RoleCode.UNIT_MANAGER, org.provider)
    selectors.client_get(manager, astrid.pk)
    return AccessLogEntry.objects.get(client=astrid)


@pytest.fixture
def event(astrid: Client) -> AuditEvent:
    return AuditEvent.objects.get(action="client.create", object_id=str(astrid.pk))


def row_id(table: str, event: AuditEvent, read: AccessLogEntry) -> int:
    return event.pk if table == "core_auditevent" else read.pk


def raw(sql: str, params: list[Any]) -> None:
    """Run one statement in its own savepoint, so that a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def row(table: str, pk: int) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # the table names are constants
        return cursor.fetchone()


# --- PostgreSQL: the database refuses changes -------------------------------------------------------


@postgresql_only
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_update_is_refused(table: str, event: AuditEvent, read: AccessLogEntry) -> None:
    pk = row_id(table, event, read)
    before = row(table, pk)
    column = "action" if table == "core_auditevent" else "detail"
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["förfalskad", pk])
    assert row(table, pk) == before


@postgresql_only
@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_delete_is_refused(table: str, event: AuditEvent, read: AccessLogEntry) -> None:
    pk = row_id(table, event, read)
    before = row(table, pk)
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert row(table, pk) == before


@postgresql_only
def test_the_orm_is_refused_too(event: AuditEvent, read: AccessLogEntry) -> None:
    for queryset, change in [
        (AuditEvent.objects.filter(pk=event.pk), {"actor": None, "object_repr": "ändrad"}),
        (AccessLogEntry.objects.filter(pk=read.pk), {"actor": None, "protected_identity": True}),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.update(**change)
        with pytest.raises(DatabaseError), transaction.atomic():
            queryset.delete()
        assert queryset.exists()
    read.refresh_from_db()
    assert read.actor is not None
    assert read.protected_identity is False


@postgresql_only
def test_inserts_still_work_after_a_refusal(org: Organisation, astrid: Client, event: AuditEvent) -> None:
    with pytest.raises(DatabaseError):
        raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    events, reads = AuditEvent.objects.count(), AccessLogEntry.objects.count()
    with transaction.atomic():
        audit.record(actor=SYSTEM, action="client.update", obj=astrid, new={"ok": True}, unit=org.provider)
    services.access_log_record(actor=SYSTEM, client=astrid, action=AccessLogEntry.Action.CARD, unit=org.provider)
    assert (AuditEvent.objects.count(), AccessLogEntry.objects.count()) == (events + 1, reads + 1)


@postgresql_only
def test_the_triggers_are_installed() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
            "WHERE trigger_name LIKE %s ORDER BY 1, 2",
            ["%_append_only"],
        )
        installed = cursor.fetchall()
    tables = [
        "care_journalentry",
        "care_journalobjection",
        "care_orderevent",
        "casework_ivoreport",
        "casework_ivoreportrow",
        "clients_accesslogentry",
        "core_auditevent",
        "governance_followuprevision",
        "quality_selfcheckresult",
        "timereports_attestation",
        "timereports_monthcloseevent",
        "timereports_workedtimerevision",
    ]
    assert installed == [(table, op) for table in tables for op in ("DELETE", "UPDATE")]


# --- Any database: records about people are never deleted ------------------------------------------


def test_a_client_cannot_be_deleted(astrid: Client) -> None:
    with pytest.raises(ValidationError, match="tas aldrig bort"):
        astrid.delete()
    assert Client.objects.filter(pk=astrid.pk).exists()


def test_an_employee_cannot_be_deleted(anna: Employee) -> None:
    with pytest.raises(ValidationError, match="tas aldrig bort"):
        anna.delete()
    assert Employee.objects.filter(pk=anna.pk).exists()
    assert anna.teams.exists()


def test_a_contact_cannot_be_deleted(astrid: Client) -> None:
    contact = services.client_contact_add(actor=SYSTEM, client=astrid, kind="anhorig", name="Bo Lindqvist")
    with pytest.raises(ValidationError):
        contact.delete()
    assert ClientContact.objects.filter(pk=contact.pk).exists()


def test_a_client_cannot_be_bulk_deleted_either(astrid: Client) -> None:
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        Client.objects.filter(pk=astrid.pk).delete()
    assert Client.objects.filter(pk=astrid.pk).exists()


def test_an_employee_cannot_be_bulk_deleted_either(anna: Employee) -> None:
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        Employee.objects.filter(pk=anna.pk).delete()
    assert Employee.objects.filter(pk=anna.pk).exists()
