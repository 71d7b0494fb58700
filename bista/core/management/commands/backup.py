"""`bista backup [--output FIL]`: an exact backup of the database, with a manifest of row counts.

PostgreSQL: pg_dump in custom format (as the owner role when MIGRATE_DATABASE_URL is set); SQLite: the
online backup API. See bista/core/backup.py and docs/operations-backup.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from bista.core import backup, dbroles


class Command(BaseCommand):
    help = "Tar en exakt säkerhetskopia av databasen (pg_dump eller SQLite:s backup-API) med radantal per tabell."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Filen att skriva (standard: BISTA_BACKUP_DIR/bista-<tid>.dump).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Databasalias (standard: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        directory = Path(os.environ.get("BISTA_BACKUP_DIR") or settings.BASE_DIR / "var" / "backups")
        path = (
            Path(options["output"]) if options["output"] else backup.default_path(connections[alias].vendor, directory)
        )
        try:
            with dbroles.owner_connection(alias):
                counts = backup.backup(alias, path)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Säkerhetskopia: {path} ({path.stat().st_size:,} byte), {len(counts)} tabeller, "
            f"{sum(counts.values()):,} rader. Radantal: {backup.manifest_path(path)}".replace(",", " ")
        )
