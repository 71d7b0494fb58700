"""`bista db_roles --owner X --app Y [--database NAME]`: create the owner and application roles.

Run once, as a PostgreSQL superuser (DATABASE_URL pointing at the superuser for this one command). The
passwords, if the roles sign in with one, come from the environment (BISTA_DB_OWNER_PASSWORD,
BISTA_DB_APP_PASSWORD), never from the command line. See docs/operations-backup.md.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from bista.core import dbroles


class Command(BaseCommand):
    help = "Skapar ägarrollen (migreringar) och applikationsrollen (drift) i PostgreSQL med rätt behörigheter."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", required=True, help="Rollen som äger tabellerna och kör migreringar.")
        parser.add_argument("--app", required=True, help="Rollen som applikationen ansluter som.")
        parser.add_argument("--database", help="Databasens namn (standard: databasen i DATABASE_URL).")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError("Roller finns bara i PostgreSQL; SQLite-databasen är en fil utan roller.")
        database = options["database"] or connection.settings_dict["NAME"]
        try:
            with dbroles.swapped_connection(NAME=database), transaction.atomic(), connection.cursor() as cursor:
                result = dbroles.setup_roles(
                    cursor,
                    owner=options["owner"],
                    app=options["app"],
                    database=database,
                    owner_password=os.environ.get("BISTA_DB_OWNER_PASSWORD"),
                    app_password=os.environ.get("BISTA_DB_APP_PASSWORD"),
                )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Databasen {database}: ägare {options['owner']}, applikation {options['app']}. "
            f"{result['moved']} objekt bytte ägare; {len(result['append_only'])} append-only-tabeller "
            "utan UPDATE/DELETE för applikationen."
        )
