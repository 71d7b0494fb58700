"""Backup and restore that keep every record exactly (and so every journal signature valid).

PostgreSQL: `pg_dump` in custom format, taken in the snapshot in which the rows are counted, and
`pg_restore` into a new, empty database. SQLite: the online backup API (a consistent copy while the
server runs). Next to each backup a manifest (`<file>.json`) records the row count of every table; a
restore compares against it and runs every registered integrity check (bista/core/integrity.py).

Not `dumpdata`/`loaddata`: they keep timestamps to the millisecond only, and a restore through them is
slow and loses nothing but that is not exact. See docs/operations-backup.md.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections, transaction

from bista.core import clock, integrity

MANIFEST_SUFFIX = ".json"


class BackupError(Exception):
    """What went wrong, in Swedish, for the operator."""


@dataclass
class RestoreReport:
    counts: dict[str, int]
    expected: dict[str, int] | None
    checks: list[integrity.CheckResult] = field(default_factory=list)
    migrated: int = 0  # migrations run after loading a backup from an earlier release

    @property
    def count_mismatches(self) -> dict[str, tuple[int | None, int | None]]:
        if self.expected is None:
            return {}
        tables = set(self.counts) | set(self.expected)
        return {
            t: (self.expected.get(t), self.counts.get(t))
            for t in sorted(tables)
            if self.expected.get(t) != self.counts.get(t)
        }

    @property
    def ok(self) -> bool:
        return not self.count_mismatches and all(check.ok for check in self.checks)


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def default_path(vendor: str, directory: Path) -> Path:
    stamp = clock.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return directory / f"bista-{stamp}.{'dump' if vendor == 'postgresql' else 'sqlite3'}"


def table_counts(alias: str) -> dict[str, int]:
    """Rows per table, as the connection sees them (inside a snapshot if one is open)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        quote = connection.ops.quote_name
        counts = {}
        for name in sorted(names):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608  (names from the catalogue)
            counts[name] = cursor.fetchone()[0]
    return counts


def _sqlite_counts(database: sqlite3.Connection) -> dict[str, int]:
    """The same count for a raw SQLite file, with the tables Django's introspection lists."""
    names = [
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence' ORDER BY name"
        )
    ]
    return {name: database.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}  # noqa: S608


def libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection for pg_dump/pg_restore, through the environment (a password never on a command line)."""
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} saknas: installera PostgreSQL:s klientprogram (t.ex. paketet postgresql-client).")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} misslyckades: {result.stderr.strip() or result.returncode}")


def _write_manifest(path: Path, vendor: str, counts: dict[str, int]) -> None:
    manifest = {"format": vendor, "created": clock.now().isoformat(), "tables": counts}
    manifest_path(path).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(path: Path) -> dict[str, int] | None:
    candidate = manifest_path(path)
    if not candidate.exists():
        return None
    return {str(k): int(v) for k, v in json.loads(candidate.read_text(encoding="utf-8"))["tables"].items()}


def backup(alias: str, path: Path) -> dict[str, int]:
    """Write the backup to `path` (through a temporary file, so a half-written backup never looks complete)
    and its manifest; returns the row counts."""
    connection = connections[alias]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if connection.vendor == "postgresql":
        counts = _backup_postgresql(alias, partial)
    elif connection.vendor == "sqlite":
        counts = _backup_sqlite(alias, partial)
    else:
        raise BackupError(f"Säkerhetskopiering stöds inte för {connection.vendor}.")
    partial.replace(path)
    _write_manifest(path, connection.vendor, counts)
    return counts


def _backup_postgresql(alias: str, target: Path) -> dict[str, int]:
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("Säkerhetskopian måste tas utanför en transaktion.")
    # Count and dump in one snapshot: the manifest describes exactly what the dump holds, writes or not.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(alias)
        _run(
            [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            libpq_env(connection.settings_dict),
        )
    return counts


def _backup_sqlite(alias: str, target: Path) -> dict[str, int]:
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # the online backup API: a consistent copy, writers or not
        return _sqlite_counts(copy)
    finally:
        copy.close()


def restore(alias: str, path: Path) -> RestoreReport:
    """Load the backup at `path` into the (new, empty) database of `alias`, then count and check."""
    if not path.is_file():
        raise BackupError(f"Säkerhetskopian {path} finns inte.")
    connection = connections[alias]
    _check_format(path, connection.vendor)
    expected = read_manifest(path)
    if connection.vendor == "postgresql":
        _restore_postgresql(alias, path)
    elif connection.vendor == "sqlite":
        _restore_sqlite(alias, path)
    else:
        raise BackupError(f"Återställning stöds inte för {connection.vendor}.")
    counts = table_counts(alias)  # what the backup held, before any migration adds to it
    migrated = _migrate_if_behind(alias)
    return RestoreReport(counts=counts, expected=expected, checks=integrity.run_all(alias), migrated=migrated)


# How each kind of backup file begins: pg_dump's custom format, and every SQLite database file.
_MAGIC = {"postgresql": b"PGDMP", "sqlite": b"SQLite format 3\x00"}
_KIND = {"postgresql": "en PostgreSQL-säkerhetskopia (pg_dump)", "sqlite": "en SQLite-databas"}


def _check_format(path: Path, vendor: str) -> None:
    with path.open("rb") as file:
        head = file.read(16)
    if vendor in _MAGIC and not head.startswith(_MAGIC[vendor]):
        found = next((_KIND[v] for v, magic in _MAGIC.items() if head.startswith(magic)), "okänt format")
        raise BackupError(
            f"{path} är inte {_KIND[vendor]} (filen är {found}). "
            "Återställ till samma sorts databas som kopian togs från."
        )


def _migrate_if_behind(alias: str) -> int:
    """A backup from an earlier release is brought up to this one's schema (as `bista migrate` would), so the
    checks can read it. Returns how many migrations ran."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    return len(plan)


def _not_empty(alias: str) -> None:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        name = connection.settings_dict["NAME"]
        raise BackupError(
            f"Databasen {name} är inte tom ({len(tables)} tabeller). Återställ till en ny, tom databas "
            "och peka DATABASE_URL (och MIGRATE_DATABASE_URL) på den."
        )


def _restore_postgresql(alias: str, path: Path) -> None:
    _not_empty(alias)
    connection = connections[alias]
    connection.close()
    # Objects become the connecting role's (the owner's, through MIGRATE_DATABASE_URL); privileges are
    # granted afresh (dbroles), since the roles of the machine the backup came from need not exist here.
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        ],
        libpq_env(connection.settings_dict),
    )


def _restore_sqlite(alias: str, path: Path) -> None:
    # is_in_memory_db is on SQLite's wrapper only, which the stubs type as the base class.
    connection = connections[alias]
    name = str(connection.settings_dict["NAME"])
    in_memory = bool(connection.is_in_memory_db())  # type: ignore[attr-defined]
    if in_memory or Path(name).exists():
        _not_empty(alias)
    if in_memory:
        raise BackupError("Kan inte återställa till en databas i minnet.")
    connection.close()
    source, target = sqlite3.connect(f"file:{path}?mode=ro", uri=True), sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
