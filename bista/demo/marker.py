"""Whether this database holds a complete demo, a crashed one, someone's real data or nothing yet.

`bista demo` records a DemoGeneration row in its own transaction before the first step and marks it
finished after the last. A later run that finds an unfinished row empties the database (drops every table
and migrates again: the demo may have written to any table, and the append-only ones refuse DELETE) and
starts over, so a crash never blocks the next `make demo`.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from bista.core import dbroles
from bista.core.models import District, Municipality
from bista.demo.models import DemoGeneration


class State(enum.Enum):
    EMPTY = "empty"  # nothing yet: generate
    COMPLETE = "complete"  # a finished demo: nothing to do
    INCOMPLETE = "incomplete"  # a generation that never finished: empty the database and start over
    OTHER_DATA = "other"  # data that is not a demo of ours: never touched


def state() -> State:
    latest = DemoGeneration.objects.order_by("-started_at", "-id").first()
    if latest is not None:
        return State.COMPLETE if latest.finished_at else State.INCOMPLETE
    if not Municipality.objects.exists():
        return State.EMPTY
    # From before the marker existed: a run that crashed in its first district left the demo's municipality
    # alone (committed by the set-up step) and nothing else.
    from bista.demo.generator import MUNICIPALITY_CODE

    only_municipality = Municipality.objects.count() == 1 and not District.objects.exists()
    if only_municipality and Municipality.objects.filter(code=MUNICIPALITY_CODE).exists():
        return State.INCOMPLETE
    return State.OTHER_DATA


def database_label(alias: str = DEFAULT_DB_ALIAS) -> str:
    """The database as the operator knows it (never the SQLite default when it is PostgreSQL)."""
    settings_dict = connections[alias].settings_dict
    name = settings_dict.get("NAME")
    if connections[alias].vendor == "sqlite":
        return f"SQLite-filen {name}"
    host = settings_dict.get("HOST") or "lokal socket"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"{connections[alias].display_name}-databasen {name} på {host}{port}"


def how_to_start_over(alias: str = DEFAULT_DB_ALIAS) -> str:
    if connections[alias].vendor == "sqlite":
        name = connections[alias].settings_dict.get("NAME")
        return f"Ta bort filen {name} och kör `bista migrate` igen, eller använd en tom databas (DATABASE_URL)."
    return "Använd en ny, tom databas (DATABASE_URL) och kör `bista migrate` i den först."


def start(*, scale: str, years: int, seed: int) -> DemoGeneration:
    """The unfinished marker, committed at once (its own transaction) so that a crash leaves it behind."""
    with transaction.atomic():
        return DemoGeneration.objects.create(started_at=timezone.now(), scale=scale, years=years, seed=seed)


def finish(generation: DemoGeneration) -> None:
    with transaction.atomic():
        DemoGeneration.objects.filter(pk=generation.pk).update(finished_at=timezone.now())


def reset_database(alias: str = DEFAULT_DB_ALIAS) -> int:
    """Drop every table (as the owner role, if there is one) and migrate again. Returns the tables dropped."""
    with dbroles.owner_connection(alias):
        connection = connections[alias]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")
        else:
            _drop_sqlite_tables(connection, [quote(table) for table in tables])
    call_command("migrate", database=alias, verbosity=0, interactive=False)
    return len(tables)


def _drop_sqlite_tables(connection: Any, quoted: list[str]) -> None:
    # Foreign keys off for the drop (a PRAGMA that only takes effect outside a transaction).
    enabled = connection.disable_constraint_checking()
    try:
        with connection.cursor() as cursor:
            for table in quoted:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        if enabled:
            connection.enable_constraint_checking()
