"""`bista governance_year_close`: keep every unit's computed indicator outcomes of a closed year (see
bista.governance.services.year_outcomes_store), or compute them again after a correction (`--recompute`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bista.core import clock
from bista.core.access import SYSTEM
from bista.core.models import Unit
from bista.governance import services


class Command(BaseCommand):
    help = (
        "Sparar årsutfallen för de beräknade indikatorerna för ett avslutat år (standard: förra året), för alla "
        "enheter eller en (--enhet). --om-igen räknar om dem som redan är sparade, t.ex. efter en rättelse. "
        "Tänkt att köras av cron i början av januari, t.ex. '0 4 2 1 * bista governance_year_close'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ar", type=int, default=None, help="året (standard: förra året)")
        parser.add_argument("--enhet", type=int, default=None, help="enhetens id (standard: alla enheter)")
        parser.add_argument("--om-igen", dest="recompute", action="store_true", help="räkna om sparade utfall")

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        year = options["ar"] or today.year - 1
        units = Unit.objects.order_by("pk")
        if options["enhet"] is not None:
            units = units.filter(pk=options["enhet"])
            if not units.exists():
                raise CommandError(f"Enheten {options['enhet']} finns inte.")
        count = 0
        for unit in units:
            try:
                stored = services.year_outcomes_store(
                    actor=SYSTEM, unit=unit, year=year, today=today, recompute=options["recompute"]
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            count += len(stored)
        self.stdout.write(f"Sparade {count} årsutfall för {year}.")
