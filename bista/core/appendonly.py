"""Append-only tables on PostgreSQL: triggers refuse changes to what must never change.

Used by migrations. Two kinds:

- `make_append_only`: every UPDATE and DELETE is refused (audit, access log, journal, objections, order
  events, …). The application role also has no UPDATE/DELETE privilege on these tables (see
  bista/core/dbroles.py, which finds them by their `<table>_append_only` trigger).
- `make_guarded`: rows that are written in steps (a plan draft that is signed, a Lex Sarah report that
  moves from step to step): a per-table function refuses DELETE and any change to what is already
  recorded, while the next step may still be written.

Neither stops the tables' owner (who can disable triggers); that is why the application connects as a
role that owns nothing (docs/operations-backup.md). On SQLite (the single-user demo database) the
guarantee rests on the code alone: no service updates or deletes these rows.
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


# --- Guarded tables: what is recorded stays, the next step may be written -----------------------------

# Raised by every guard, with the same wording as the append-only refusal so callers can match on it.
_REFUSE = (
    "RAISE EXCEPTION 'bista: %% is append-only; %% of a recorded step refused', TG_TABLE_NAME, TG_OP "
    "USING ERRCODE = 'insufficient_privilege';"
)


def _frozen_once(marker: str, *columns: str) -> str:
    """Once `marker` is set, it and `columns` keep their values."""
    cols = (marker, *columns)
    new = ", ".join(f"NEW.{c}" for c in cols)
    old = ", ".join(f"OLD.{c}" for c in cols)
    return f"IF OLD.{marker} IS NOT NULL AND ROW({new}) IS DISTINCT FROM ROW({old}) THEN {_REFUSE} END IF;"


def _always_frozen(*columns: str) -> str:
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    return f"IF ROW({new}) IS DISTINCT FROM ROW({old}) THEN {_REFUSE} END IF;"


# The body of each guarded table's trigger function, run BEFORE UPDATE OR DELETE (and INSERT where noted).
# Built from constants only (no input reaches them), hence the S608 exemptions.
GUARDS: dict[str, str] = {
    # A plan version is edited freely as a draft. Once signed it never changes, except that signing its
    # successor marks it superseded (care.services.plan_sign): that one column, from signed, nothing else.
    "care_implementationplan": f"""
        IF TG_OP = 'DELETE' THEN {_REFUSE} END IF;
        IF OLD.status = 'draft' THEN RETURN NEW; END IF;
        IF OLD.status = 'signed' AND NEW.status = 'superseded'
           AND (to_jsonb(NEW) - 'status') = (to_jsonb(OLD) - 'status') THEN RETURN NEW; END IF;
        {_REFUSE}
    """,
    # A signed plan's activities are part of what was signed (INSERT, UPDATE and DELETE are guarded).
    "care_planactivity": f"""
        IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
            SELECT 1 FROM care_implementationplan WHERE id = OLD.plan_id AND status <> 'draft'
        ) THEN {_REFUSE} END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
            SELECT 1 FROM care_implementationplan WHERE id = NEW.plan_id AND status <> 'draft'
        ) THEN {_REFUSE} END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    """,  # noqa: S608
    # Lex Sarah: the report as made never changes; each step, once taken, keeps what it recorded; a closed
    # report is frozen (quality.services.lex_sarah_step).
    "quality_lexsarahreport": f"""
        IF TG_OP = 'DELETE' OR OLD.status = 'closed' THEN {_REFUSE} END IF;
        {
        _always_frozen(
            "unit_id", "client_id", "deviation_id", "reported_by_id", "reported_at", "occurred_at", "what_happened"
        )
    }
        {_frozen_once("registered_at", "registered_by_id")}
        {_frozen_once("remedied_at", "remedy")}
        {
        _frozen_once(
            "investigated_at",
            "investigated_by_id",
            "investigation_events",
            "client_view",
            "causes",
            "preventive_actions",
            "client_informed_on",
        )
    }
        {_frozen_once("assessed_at", "assessed_by_id", "assessment", "serious", "assessment_reason")}
        {_frozen_once("ivo_notified_on", "ivo_reference")}
        RETURN NEW;
    """,
    # A deviation is worked on until closed, then frozen; what was reported never changes.
    "quality_deviation": f"""
        IF TG_OP = 'DELETE' OR OLD.status = 'closed' THEN {_REFUSE} END IF;
        {_always_frozen("unit_id", "client_id", "reported_by_id", "reported_at", "occurred_at", "what_happened")}
        RETURN NEW;
    """,
    # A deviation's action is recorded once and marked done once (quality.services.deviation_action_done).
    "quality_deviationaction": f"""
        IF TG_OP = 'DELETE' OR OLD.done_on IS NOT NULL THEN {_REFUSE} END IF;
        IF (to_jsonb(NEW) - 'done_on') <> (to_jsonb(OLD) - 'done_on') THEN {_REFUSE} END IF;
        RETURN NEW;
    """,
}

# Tables whose guard also runs on INSERT.
_GUARD_INSERTS = {"care_planactivity"}


def guard_sql(table: str) -> str:
    events = "INSERT OR UPDATE OR DELETE" if table in _GUARD_INSERTS else "UPDATE OR DELETE"
    return (
        f"CREATE OR REPLACE FUNCTION bista_guard_{table}() RETURNS trigger AS $$\n"
        f"BEGIN\n{GUARDS[table]}\nEND;\n$$ LANGUAGE plpgsql;\n"
        f"DROP TRIGGER IF EXISTS {table}_guard ON {table};\n"
        f"CREATE TRIGGER {table}_guard BEFORE {events} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION bista_guard_{table}();"
    )


def make_guarded(*tables: str) -> Any:
    """A RunPython operation pair that installs (and on reverse removes) the guards on PostgreSQL."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(guard_sql(table), params=())

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS bista_guard_{table}();")

    return forward, backward
