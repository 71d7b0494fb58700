"""`bista emergency_export --unit <id> --out <dir>`: the emergency routine's PDFs, written by the system."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bista.care.emergency import write_emergency_export
from bista.core.access import SYSTEM
from bista.core.models import Unit


class Command(BaseCommand):
    help = (
        "Nödrutin: skriver en PDF per aktiv brukare i enheten (gällande genomförandeplaner, krispärm, "
        "företrädare och anhöriga, beställningens kontakter) och en förteckning (index.pdf, index.txt) "
        "till katalogen --out. Körs som systemet (ingen personlig behörighet prövas): varje brukare loggas "
        "som utskrift utan användare. Adressen till brukare med skyddade personuppgifter tas med och sidan "
        'märks "Skyddade personuppgifter" – förvara utskrifterna inlåsta och radera äldre exemplar.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", type=int, required=True, help="Enhetens id.")
        parser.add_argument("--out", type=Path, required=True, help="Katalog att skriva PDF-filerna till.")

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(pk=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Enheten {options['unit']} finns inte.")
        paths = write_emergency_export(actor=SYSTEM, unit=unit, directory=options["out"])
        self.stdout.write(f"{len(paths) - 2} brukare skrivna till {options['out']} (index.pdf, index.txt).")
