"""Append-only tables on PostgreSQL: a trigger refuses UPDATE and DELETE on the audit and access logs.

Used by migrations. On SQLite (the single-user demo database) the guarantee rests on the code alone:
no service updates or deletes these rows.
"""

from __future__ import annotations

from typing import Any

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION bista_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'bista: %% is append-only; %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_sql(table: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION bista_refuse_change();"
    )


def make_append_only(*tables: str) -> Any:
    """A RunPython operation pair that installs (and on reverse removes) the triggers on PostgreSQL."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(FUNCTION_SQL, params=())
        for table in tables:
            schema_editor.execute(trigger_sql(table))

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")

    return forward, backward
