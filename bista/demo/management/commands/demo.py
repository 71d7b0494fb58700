"""`bista demo`: fill an empty database with fictitious, deterministic demo data (see bista.demo.generator)."""

from __future__ import annotations

import argparse
import datetime
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from bista.core import dbroles
from bista.core.models import Role
from bista.demo import generator, marker
from bista.demo.plan import SCALES


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today ska vara ett datum ÅÅÅÅ-MM-DD, inte {value!r}.") from None


class Command(BaseCommand):
    help = "Skapar fiktiva demodata (en enhet eller hela staden) i en tom databas. Samma argument ger samma data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="unit",
            help="unit: en stadsdelsnämnd; city: tretton stadsdelsnämnder (standard: unit).",
        )
        parser.add_argument(
            "--years", type=int, default=generator.DEFAULT_YEARS, help="Antal års historik (standard: %(default)s)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=generator.DEFAULT_SEED,
            help="Slumpfrö; samma frö ger samma data (standard: %(default)s).",
        )
        parser.add_argument(
            "--today", default=None, help="Referensdatum ÅÅÅÅ-MM-DD som historiken räknas bakåt från (standard: i dag)."
        )
        parser.add_argument(
            "--password",
            default=generator.DEFAULT_PASSWORD,
            help="Lösenord för alla demoanvändare (standard: %(default)s).",
        )
        parser.add_argument(
            "--unless-generated",
            action="store_true",
            help="Avsluta utan fel om databasen redan har en färdig demo (som `make demo` gör).",
        )
        # Scales every count; for tests and quick trials, not for the demo itself.
        parser.add_argument("--size", type=float, default=1.0, help=argparse.SUPPRESS)

    def ready_to_generate(self, unless_generated: bool) -> bool:
        """Whether to go on: an empty database, or one whose last generation crashed (emptied first)."""
        found = marker.state()
        where = marker.database_label()
        if found is marker.State.COMPLETE:
            if unless_generated:
                self.stdout.write(f"Demodata finns redan i {where}.")
                return False
            raise CommandError(f"Demodata finns redan i {where}. {marker.how_to_start_over()}")
        if found is marker.State.OTHER_DATA:
            raise CommandError(
                f"{where[0].upper()}{where[1:]} innehåller redan data (det finns en kommun), så demodata skapas "
                f"inte. {marker.how_to_start_over()}"
            )
        if found is marker.State.INCOMPLETE:
            self.stdout.write(f"Förra demogenereringen i {where} blev inte klar: databasen töms och demon skapas om.")
            marker.reset_database()
        return True

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        if today > timezone.localdate():
            raise CommandError("--today får inte ligga i framtiden.")
        if not 1 <= options["years"] <= 50:
            raise CommandError("--years ska vara mellan 1 och 50.")
        if not 0 < options["size"] <= 10:
            raise CommandError("--size ska vara större än 0 och högst 10.")
        if not self.ready_to_generate(options["unless_generated"]):
            return
        if not Role.objects.exists():
            raise CommandError("Databasen saknar referensdata. Kör `bista migrate` först.")

        verbosity = options["verbosity"]
        started = time.perf_counter()

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {message} ({time.perf_counter() - started:.1f} s)")
                self.stdout.flush()

        if verbosity >= 1:
            self.stdout.write(
                f"Skapar demodata: {options['scale']}, {options['years']} år, frö {options['seed']}, "
                f"referensdatum {today.isoformat()} …"
            )
        generation = marker.start(scale=options["scale"], years=options["years"], seed=options["seed"])
        ctx = generator.generate(
            scale=options["scale"],
            years=options["years"],
            seed=options["seed"],
            today=today,
            size=options["size"],
            password=options["password"],
            progress=progress,
        )
        marker.finish(generation)
        # Fresh statistics: right after a bulk load the planner would otherwise guess (measured: the journal
        # page's query 16 ms instead of 3 ms until autovacuum gets round to it on PostgreSQL; on SQLite, which has
        # no statistics until ANALYZE, the start page's open shifts read the unit's ten years through
        # (unit, starts_at) instead of the few open ones: 23 ms instead of 1).
        if connection.vendor == "postgresql":
            # As the owner when there is one: PostgreSQL lets only a table's owner analyse it.
            with dbroles.owner_connection(), connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        if verbosity >= 2:
            slowest = sorted(ctx.step_seconds.items(), key=lambda item: -item[1])
            self.stdout.write("Tid per steg: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest))
        counts = generator.record_counts(today)
        self.stdout.write(
            f"Klart på {elapsed:.1f} s: {counts['districts']} stadsdelsnämnd(er), {counts['units']} enheter, "
            f"{counts['teams']} arbetsgrupper, {counts['clients']} brukare ({counts['clients_active']} aktiva), "
            f"{counts['contacts']} kontakter, {counts['employees']} medarbetare "
            f"({counts['employees_current']} anställda i dag), {counts['users']} användare."
        )
        chef = ctx.logins[0]
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Logga in som:  {chef.username} / {options['password']}"))
        self.stdout.write(f"               ({chef.role.lower()}, {chef.where})")
        if verbosity >= 1:
            others = ", ".join(login.username for login in ctx.logins[1:8])
            self.stdout.write(f"Andra konton (samma lösenord): {others} … och varje medarbetare (förnamn.efternamn).")
        if ctx.own_view:
            personnummer, address = ctx.own_view[0]
            self.stdout.write(
                f"Min sida (brukarens egen vy, /min-sida/): personnummer {personnummer}, e-post {address}; "
                "engångskoden skrivs ut i konsolen."
            )
        if getattr(settings, "BISTA_REQUIRE_2FA", False):
            self.stdout.write(
                "Obs: enhetschefer måste logga in med tvåfaktor; starta demon med BISTA_REQUIRE_2FA=0 "
                "(som `make demo` gör)."
            )
