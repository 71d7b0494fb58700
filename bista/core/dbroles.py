"""PostgreSQL roles: migrations run as an owner role, the application connects as a role that owns nothing.

The owner creates and alters the tables (and so could disable a trigger or TRUNCATE). The application role
may only SELECT, INSERT, UPDATE and DELETE; it has no UPDATE or DELETE at all on the append-only tables
(those with a `<table>_append_only` trigger, bista/core/appendonly.py), cannot TRUNCATE, and, owning
nothing, cannot ALTER a table or DISABLE its triggers. The guarded tables (plans, Lex Sarah, deviations)
keep UPDATE for their next steps; their triggers refuse the rest.

Settings: DATABASE_URL is the application's connection; MIGRATE_DATABASE_URL, when set, holds the owner's
credentials for the same database (settings.DATABASE_OWNER). `bista migrate`, `bista restore` and the
demo's reset use it (`owner_connection`), and `bista migrate` grants the application role its privileges
on the tables it created. See docs/operations-backup.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
APP_TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# UPDATE on a sequence is setval(), which the demo's bulk loader needs after inserting with explicit ids; it
# changes no row (at worst later inserts collide), so it is no way round the append-only guarantee.
APP_SEQUENCE_PRIVILEGES = "USAGE, SELECT, UPDATE"


def check_role_name(name: str) -> str:
    if not ROLE_NAME.match(name):
        raise ValueError(f"ogiltigt rollnamn: {name!r} (små bokstäver, siffror och _)")
    return name


def _q(name: str) -> str:
    return '"' + check_role_name(name) + '"'


@contextmanager
def swapped_connection(alias: str = DEFAULT_DB_ALIAS, **changes: Any) -> Iterator[None]:
    """Reconnect `alias` with some settings changed (credentials, database name) for the duration."""
    connection = connections[alias]
    changes = {
        key: value
        for key, value in changes.items()
        if value not in (None, "") and connection.settings_dict.get(key) != value
    }
    if not changes:  # nothing to change: keep the connection (and any transaction it is in)
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in changes}
    connection.close()
    connection.settings_dict.update(changes)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def owner_connection(alias: str = DEFAULT_DB_ALIAS) -> Any:
    """Connect as the owner role (MIGRATE_DATABASE_URL) when one is configured, else as usual."""
    owner = getattr(settings, "DATABASE_OWNER", {}) if alias == DEFAULT_DB_ALIAS else {}
    return swapped_connection(alias, **owner)


def app_role() -> str:
    """The role the application connects as (DATABASE_URL's user)."""
    return str(settings.DATABASES[DEFAULT_DB_ALIAS].get("USER") or "")


def append_only_tables(cursor: Any) -> list[str]:
    """The tables whose every UPDATE and DELETE a trigger refuses, as installed by the migrations."""
    cursor.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgname = c.relname || '_append_only' "
        "ORDER BY c.relname"
    )
    return [row[0] for row in cursor.fetchall()]


def grant_app_privileges(cursor: Any, app: str) -> list[str]:
    """Give the application role what it needs on every table and sequence there is now, and take UPDATE
    and DELETE on the append-only tables. Run by the owner (after each migrate) or a superuser."""
    role = _q(app)
    cursor.execute(f"GRANT {APP_TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA public TO {role}")
    cursor.execute(f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}")
    cursor.execute(f"GRANT {APP_SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA public TO {role}")
    tables = append_only_tables(cursor)
    for table in tables:
        cursor.execute(f'REVOKE UPDATE, DELETE ON "{table}" FROM {role}')
    return tables


def _ensure_role(cursor: Any, name: str, password: str | None) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    # Neither role may bypass anything: the owner is only an owner, the application only a user.
    cursor.execute(f"{verb} ROLE {_q(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
    if password:
        cursor.execute(f"ALTER ROLE {_q(name)} PASSWORD %s", [password])


def _give_ownership(cursor: Any, owner: str) -> int:
    """Hand every table, sequence, view and function of the schema to the owner (an install that ran its
    migrations as the superuser becomes an ordinary one). Returns how many objects changed hands."""
    cursor.execute(
        "SELECT c.relkind, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_roles r ON r.oid = c.relowner "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND r.rolname <> %s "
        # A sequence owned by a table follows its table.
        "AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'a'))",
        [owner],
    )
    kinds = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    objects = cursor.fetchall()
    for kind, name in objects:
        cursor.execute(f'ALTER {kinds[kind]} "{name}" OWNER TO {_q(owner)}')
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "JOIN pg_roles r ON r.oid = p.proowner WHERE n.nspname = 'public' AND r.rolname <> %s",
        [owner],
    )
    functions = [row[0] for row in cursor.fetchall()]
    for signature in functions:
        cursor.execute(f"ALTER FUNCTION {signature} OWNER TO {_q(owner)}")
    return len(objects) + len(functions)


def setup_roles(
    cursor: Any,
    *,
    owner: str,
    app: str,
    database: str,
    owner_password: str | None = None,
    app_password: str | None = None,
) -> dict[str, Any]:
    """Create (or correct) the owner and application roles for `database` (the cursor's database) and give
    each exactly its part. Idempotent; run as a superuser."""
    if owner == app:
        raise ValueError("ägarrollen och applikationsrollen måste vara olika roller")
    _ensure_role(cursor, owner, owner_password)
    _ensure_role(cursor, app, app_password)
    db = '"' + database.replace('"', '""') + '"'
    cursor.execute(f"ALTER DATABASE {db} OWNER TO {_q(owner)}")
    cursor.execute(f"REVOKE ALL ON DATABASE {db} FROM PUBLIC")
    cursor.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {_q(app)}")
    cursor.execute(f"ALTER SCHEMA public OWNER TO {_q(owner)}")
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {_q(app)}")
    moved = _give_ownership(cursor, owner)
    # Tables the owner creates later (the next release's migrations) are usable by the application at once;
    # `bista migrate` also re-grants, and takes UPDATE/DELETE on new append-only tables.
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA public "
        f"GRANT {APP_TABLE_PRIVILEGES} ON TABLES TO {_q(app)}"
    )
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_q(owner)} IN SCHEMA public "
        f"GRANT {APP_SEQUENCE_PRIVILEGES} ON SEQUENCES TO {_q(app)}"
    )
    append_only = grant_app_privileges(cursor, app)
    return {"moved": moved, "append_only": append_only}


def grant_after_migrate(app: str, alias: str = DEFAULT_DB_ALIAS) -> list[str] | None:
    """After `bista migrate` as the owner: the application role `app` (captured before connecting as the
    owner) gets its privileges on any new table. Nothing to do without a separate owner."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or alias != DEFAULT_DB_ALIAS or not getattr(settings, "DATABASE_OWNER", {}):
        return None
    if not app or app == connection.settings_dict.get("USER"):
        return None
    with connection.cursor() as cursor:
        return grant_app_privileges(cursor, app)
