"""`bista migrate`: Django's migrate, run as the owner role when MIGRATE_DATABASE_URL is set.

Afterwards the application role (DATABASE_URL's user) gets its privileges on the tables the migrations
created, and loses UPDATE/DELETE on the append-only ones (bista/core/dbroles.py).
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from bista.core import dbroles


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        database = options["database"]
        app = dbroles.app_role()  # before the connection becomes the owner's
        with dbroles.owner_connection(database):
            super().handle(*args, **options)
            tables = dbroles.grant_after_migrate(app, database)
        if tables is not None and options["verbosity"] >= 1:
            self.stdout.write(f"Rättigheter för {app}: append-only-tabeller {len(tables)}.")
