"""`bista economy_store_months`: store the economy figures of every closed month that has none (or all again with
`--om-igen`), for databases whose months were closed before the figures were stored at the close
(bista.economy.figures.store_closed_months; ADR 0012). Safe to run again: a month already stored for the close
that holds is skipped."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from bista.core.models import Unit
from bista.economy import figures
from bista.timereports.models import MonthClose


class Command(BaseCommand):
    help = (
        "Sparar ekonomisiffrorna för varje stängd månad som saknar dem (ekonomiöversikten läser de sparade "
        "siffrorna för stängda månader), för alla enheter eller en (--enhet). --om-igen räknar om alla stängda "
        "månader, t.ex. efter en ändrad lönenivå bakåt i tiden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enhet", type=int, default=None, help="enhetens id (standard: alla enheter)")
        parser.add_argument("--om-igen", dest="recompute", action="store_true", help="räkna om sparade månader")

    def handle(self, *args: Any, **options: Any) -> None:
        unit_ids = MonthClose.objects.filter(status=MonthClose.Status.LOCKED).values_list("unit_id", flat=True)
        units = Unit.objects.filter(pk__in=unit_ids).order_by("pk")
        if options["enhet"] is not None:
            if not Unit.objects.filter(pk=options["enhet"]).exists():
                raise CommandError(f"Enheten {options['enhet']} finns inte.")
            units = units.filter(pk=options["enhet"])
        total = 0
        started = time.perf_counter()
        for unit in units:
            with transaction.atomic():  # one unit at a time: an interrupted run keeps the units done
                count = figures.store_closed_months(unit.pk, only_missing=not options["recompute"])
            total += count
            if options["verbosity"] >= 1:
                self.stdout.write(f"{unit.name}: {count} månader sparade")
        self.stdout.write(f"Klart: {total} månader sparade på {time.perf_counter() - started:.1f} s.")
