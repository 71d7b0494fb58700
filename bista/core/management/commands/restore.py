"""`bista restore FIL`: load a backup into a new, empty database, then verify it.

Every table's row count is compared with the backup's manifest and every integrity check runs (each
journal signature among them); any failure ends the command with a non-zero exit status. See
bista/core/backup.py and docs/operations-backup.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from bista.core import backup, dbroles


class Command(BaseCommand):
    help = "Återställer en säkerhetskopia till en ny, tom databas och kontrollerar radantal och journalsignaturer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Säkerhetskopian (från bista backup).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Databasalias (standard: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        alias = options["database"]
        app = dbroles.app_role()  # before the connection becomes the owner's
        try:
            with dbroles.owner_connection(alias):
                report = backup.restore(alias, Path(options["path"]))
                dbroles.grant_after_migrate(app, alias)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.print_report(report, options["verbosity"])
        if not report.ok:
            raise CommandError("Återställningen klarade inte kontrollen (se ovan). Använd inte databasen.")

    def print_report(self, report: backup.RestoreReport, verbosity: int) -> None:
        mismatches = report.count_mismatches
        for table, count in report.counts.items():  # the empty tables only when asked (-v 2)
            if count or verbosity >= 2 or table in mismatches:
                mark = f"  AVVIKER: väntade {mismatches[table][0]}" if table in mismatches else ""
                self.stdout.write(f"  {table}: {count}{mark}")
        for table in sorted(set(mismatches) - set(report.counts)):
            self.stdout.write(f"  {table}: saknas  AVVIKER: väntade {mismatches[table][0]}")
        compared = "jämfört med manifestet" if report.expected is not None else "inget manifest att jämföra med"
        self.stdout.write(
            f"Tabeller: {len(report.counts)}, rader: {sum(report.counts.values())} ({compared}; "
            f"{len(mismatches)} avviker)."
        )
        if report.migrated:
            self.stdout.write(f"Kopian var från en tidigare version: {report.migrated} migreringar kördes efteråt.")
        for check in report.checks:
            failed = (
                f", {len(check.failed)} FELAKTIGA (id {', '.join(map(str, check.failed[:20]))})" if check.failed else ""
            )
            self.stdout.write(f"{check.label}: {check.checked} kontrollerade{failed}.")
