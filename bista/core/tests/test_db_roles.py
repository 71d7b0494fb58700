"""Issue 14, defect 2: the application's own database role could TRUNCATE the audit trail and disable the
append-only triggers, and signed plans, order events and Lex Sarah steps had no database protection.

On PostgreSQL the application now connects as a role made by `bista db_roles`: it owns nothing and has no
UPDATE/DELETE on the append-only tables; the guarded tables refuse changes to what is recorded. The tests
make the two roles inside the test's transaction (rolled back afterwards) and act as the application role
with SET LOCAL ROLE on the same connection.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from bista.care import services as care
from bista.care.models import ImplementationPlan, JournalEntry, OrderEvent, PlanActivity
from bista.care.tests import factories as cf
from bista.clients import selectors as client_selectors
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.appendonly import trigger_sql
from bista.core.dbroles import append_only_tables, grant_after_migrate
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.quality import services as quality
from bista.quality.models import Deviation, DeviationAction, LexSarahReport
from bista.quality.tests import factories as qf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers exist on PostgreSQL only"),
]

D = datetime.date

# What the issue lists as append-only, every UPDATE and DELETE refused (and two more with the same nature).
APPEND_ONLY = {
    "core_auditevent",
    "clients_accesslogentry",
    "care_journalentry",
    "care_journalobjection",
    "care_orderevent",
    "quality_selfcheckresult",
    "governance_followuprevision",
}
# Written in steps: the next step may be written, what is recorded may not change.
GUARDED = {
    "care_implementationplan",
    "care_planactivity",
    "quality_lexsarahreport",
    "quality_deviation",
    "quality_deviationaction",
}
REFUSED = r"permission denied|must be owner|append-only"


@pytest.fixture
def roles(db: Any) -> tuple[str, str]:
    """An owner and an application role for the test database, made by the command an operator runs."""
    name = connection.settings_dict["NAME"]
    owner, app = f"{name}_owner"[:63], f"{name}_app"[:63]
    call_command("db_roles", owner=owner, app=app, stdout=io.StringIO())
    return owner, app


@contextmanager
def as_role(role: str) -> Iterator[None]:
    """Act as `role` in a savepoint: a refusal rolls the savepoint (and the role) back."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        yield
        cursor.execute("RESET ROLE")


def run(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def refused(role: str, sql: str, params: list[Any] | None = None) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), as_role(role):
        run(sql, params)


def row(table: str, pk: int) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # the table names are constants
        return cursor.fetchone()


@pytest.fixture
def astrid(org: Organisation) -> Client:
    return cf.make_client(org.provider, first_name="Astrid", teams=[org.team])


@pytest.fixture
def signed(astrid: Client, org: Organisation) -> ImplementationPlan:
    """A signed plan, superseded by a second signed version, and a review draft of that one."""
    order = cf.make_order(astrid, org.provider)
    first = cf.signed_plan(order, D(2024, 1, 26))
    cf.review(first, D(2024, 6, 1), client_view="Vill simma.")
    return ImplementationPlan.objects.get(pk=first.pk)


# --- The roles ----------------------------------------------------------------------------------------


def test_the_migrations_made_every_listed_table_append_only() -> None:
    with connection.cursor() as cursor:
        assert set(append_only_tables(cursor)) >= APPEND_ONLY
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_guard'"
        )
        assert {name for (name,) in cursor.fetchall()} >= GUARDED


def test_db_roles_gives_each_role_exactly_its_part(roles: tuple[str, str]) -> None:
    owner, app = roles
    call_command("db_roles", owner=owner, app=app, stdout=io.StringIO())  # idempotent
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname IN (%s, %s)",
            [owner, app],
        )
        assert sorted(cursor.fetchall()) == sorted([(owner, False, False, False), (app, False, False, False)])
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchall() == [(owner,)]
        cursor.execute(
            "SELECT has_table_privilege(%s, 'core_auditevent', 'INSERT'), "
            "has_table_privilege(%s, 'core_auditevent', 'UPDATE'), "
            "has_table_privilege(%s, 'care_implementationplan', 'UPDATE'), "
            "has_table_privilege(%s, 'core_auditevent', 'TRUNCATE')",
            [app, app, app, app],
        )
        assert cursor.fetchone() == (True, False, True, False)


def test_the_command_refuses_one_role_for_both() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="olika roller"):
        call_command("db_roles", owner="bista_db_same", app="bista_db_same")


# --- What the application role cannot do -------------------------------------------------------------


@pytest.mark.parametrize("table", sorted(APPEND_ONLY | GUARDED))
def test_the_app_role_cannot_truncate(roles: tuple[str, str], table: str) -> None:
    refused(roles[1], f"TRUNCATE {table} CASCADE")


@pytest.mark.parametrize("table", sorted(APPEND_ONLY | GUARDED))
def test_the_app_role_cannot_alter_or_disable_triggers(roles: tuple[str, str], table: str) -> None:
    trigger = f"{table}_append_only" if table in APPEND_ONLY else f"{table}_guard"
    for sql in [
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
        f"DROP TRIGGER {trigger} ON {table}",
        f"ALTER TABLE {table} ADD COLUMN bypass integer",
        f"ALTER TABLE {table} OWNER TO CURRENT_USER",
        "SET session_replication_role = replica",  # which would silence every trigger
    ]:
        refused(roles[1], sql)


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_the_app_role_cannot_update_or_delete_append_only_tables(roles: tuple[str, str], table: str) -> None:
    # Refused on privilege before a row is looked at, so an empty table proves it as well as a full one.
    refused(roles[1], f"UPDATE {table} SET id = id")
    refused(roles[1], f"DELETE FROM {table}")


def test_the_app_role_cannot_rewrite_the_records(
    roles: tuple[str, str], org: Organisation, astrid: Client, manager: Any
) -> None:
    app = roles[1]
    entry = cf.write_journal(manager, astrid)
    event = AuditEvent.objects.filter(action="journal.create").latest("id")
    for table, pk, column in [
        ("care_journalentry", entry.pk, "text"),
        ("core_auditevent", event.pk, "action"),
        ("clients_accesslogentry", AccessLogEntry.objects.filter(client=astrid).latest("id").pk, "detail"),
    ]:
        before = row(table, pk)
        refused(app, f"UPDATE {table} SET {column} = %s WHERE id = %s", ["förfalskad", pk])
        refused(app, f"DELETE FROM {table} WHERE id = %s", [pk])
        assert row(table, pk) == before


# --- Guarded tables: refused for everyone, the owner included, short of disabling the trigger -----------


def test_a_signed_plan_and_its_activities_cannot_change(roles: tuple[str, str], signed: ImplementationPlan) -> None:
    app = roles[1]
    current = ImplementationPlan.objects.get(order=signed.order, status=ImplementationPlan.Status.SIGNED)
    activity = PlanActivity.objects.filter(plan=current).first()
    assert signed.status == ImplementationPlan.Status.SUPERSEDED and activity is not None
    for plan in (signed, current):
        before = row("care_implementationplan", plan.pk)
        refused(app, "UPDATE care_implementationplan SET goals = 'ändrat' WHERE id = %s", [plan.pk])
        refused(app, "UPDATE care_implementationplan SET status = 'draft' WHERE id = %s", [plan.pk])
        refused(app, "DELETE FROM care_implementationplan WHERE id = %s", [plan.pk])
        assert row("care_implementationplan", plan.pk) == before
    # Superseding changes the status only: with anything else it is refused.
    refused(app, "UPDATE care_implementationplan SET status = 'superseded', goals = 'x' WHERE id = %s", [current.pk])
    refused(app, "UPDATE care_planactivity SET goal = 'ändrat' WHERE id = %s", [activity.pk])
    refused(app, "DELETE FROM care_planactivity WHERE id = %s", [activity.pk])
    refused(
        app,
        'INSERT INTO care_planactivity (plan_id, position, goal, how, "when", responsible) '
        "VALUES (%s, 9, 'smugglad', '', '', '')",
        [current.pk],
    )


def test_a_closed_lex_sarah_report_and_its_recorded_steps_cannot_change(
    roles: tuple[str, str], org: Organisation
) -> None:
    app = roles[1]
    closed = qf.lex_sarah_until(qf.report_lex_sarah(org.provider), "closed")
    assessed = qf.lex_sarah_until(qf.report_lex_sarah(org.provider, what_happened="Annat."), "assessed")
    before = row("quality_lexsarahreport", closed.pk)
    refused(app, "UPDATE quality_lexsarahreport SET decision = 'annat' WHERE id = %s", [closed.pk])
    refused(app, "DELETE FROM quality_lexsarahreport WHERE id = %s", [assessed.pk])
    assert row("quality_lexsarahreport", closed.pk) == before
    for sql in [
        "UPDATE quality_lexsarahreport SET what_happened = 'annat' WHERE id = %s",
        "UPDATE quality_lexsarahreport SET remedy = 'annat' WHERE id = %s",
        "UPDATE quality_lexsarahreport SET causes = 'annat' WHERE id = %s",
        "UPDATE quality_lexsarahreport SET serious = false WHERE id = %s",
        "UPDATE quality_lexsarahreport SET registered_at = registered_at - interval '1 day' WHERE id = %s",
    ]:
        refused(app, sql, [assessed.pk])
    # The next step is still written, by the service, as the application role.
    with as_role(app):
        notified = qf.lex_sarah_step(assessed, "notified")
    assert notified.status == LexSarahReport.Status.NOTIFIED


def test_a_deviation_as_reported_its_actions_and_once_closed_all_of_it_cannot_change(
    roles: tuple[str, str], org: Organisation
) -> None:
    app = roles[1]
    boss = qf.quality_manager(org.provider)
    open_one = qf.classify_deviation(qf.report_deviation(org.provider))
    action = quality.deviation_action_add(
        actor=boss, deviation=open_one, description="Ny rutin", owner=boss, due_on=D(2026, 3, 1)
    )
    closed = qf.closed_deviation(org.provider, what_happened="Fel dos.")
    refused(app, "UPDATE quality_deviation SET what_happened = 'annat' WHERE id = %s", [open_one.pk])
    refused(app, "UPDATE quality_deviation SET analysis = 'annat' WHERE id = %s", [closed.pk])
    refused(app, "DELETE FROM quality_deviation WHERE id = %s", [open_one.pk])
    refused(app, "UPDATE quality_deviationaction SET description = 'annat' WHERE id = %s", [action.pk])
    refused(app, "DELETE FROM quality_deviationaction WHERE id = %s", [action.pk])
    with as_role(app):
        quality.deviation_action_done(actor=boss, action=action, done_on=D(2026, 2, 20))
    refused(app, "UPDATE quality_deviationaction SET done_on = NULL WHERE id = %s", [action.pk])
    assert DeviationAction.objects.get(pk=action.pk).done_on == D(2026, 2, 20)
    assert Deviation.objects.get(pk=closed.pk).status == Deviation.Status.CLOSED


# --- What the application role still does: every ordinary write, through the services ------------------


def test_the_services_work_as_the_app_role(roles: tuple[str, str], org: Organisation, manager: Any) -> None:
    counts = (AuditEvent.objects.count(), AccessLogEntry.objects.count(), OrderEvent.objects.count())
    with as_role(roles[1]):
        client = cf.make_client(org.provider, first_name="Bertil", teams=[org.team])
        client_selectors.client_get(manager, client.pk)
        order = cf.make_order(client, org.provider)
        cf.step(order, OrderEvent.Kind.FIRST_CONTACT, D(2024, 1, 20))
        first = cf.signed_plan(order, D(2024, 1, 26))
        draft = care.plan_start_review(actor=SYSTEM, plan=first)
        draft = care.plan_update(actor=SYSTEM, plan=draft, expected_version=draft.version, client_view="Simma.")
        second = cf.sign(draft, D(2024, 6, 1))
        entry = cf.write_journal(manager, client)
        care.journal_objection_record(actor=manager, entry=entry, text="Det var teater.")
        deviation = qf.closed_deviation(org.provider)
        report = qf.lex_sarah_until(qf.report_lex_sarah(org.provider), "closed")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (roles[1],)
    first.refresh_from_db()
    assert (first.status, second.status) == (ImplementationPlan.Status.SUPERSEDED, ImplementationPlan.Status.SIGNED)
    assert care.journal_signature_valid(JournalEntry.objects.get(pk=entry.pk))
    assert (deviation.status, report.status) == (Deviation.Status.CLOSED, LexSarahReport.Status.CLOSED)
    after = (AuditEvent.objects.count(), AccessLogEntry.objects.count(), OrderEvent.objects.count())
    assert all(new > old for new, old in zip(after, counts, strict=True))


# --- After an upgrade: tables the owner's migrations create are the application's at once ---------------


def test_a_table_a_later_migration_creates_is_usable_and_append_only_after_migrate(
    roles: tuple[str, str], settings: Any
) -> None:
    owner, app = roles
    with as_role(owner):  # as `bista migrate` would, connected as the owner
        run("CREATE TABLE later_log (id bigint PRIMARY KEY, note text)")
        run(trigger_sql("later_log"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, 'later_log', 'INSERT')", [app])
        assert cursor.fetchone() == (True,)  # the default privileges db_roles set
    settings.DATABASE_OWNER = {"USER": owner}
    assert "later_log" in (grant_after_migrate(app) or [])  # what `bista migrate` runs last
    with as_role(app):
        run("INSERT INTO later_log VALUES (1, 'ny')")
    refused(app, "UPDATE later_log SET note = 'ändrad'")
    refused(app, "DELETE FROM later_log")
    refused(app, "TRUNCATE later_log")
