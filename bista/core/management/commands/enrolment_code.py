"""`bista enrolment_code <username>`: a one-time code for enrolling an authenticator app, issued on the server.

For the first administrator (no one can issue them a code in the application) and for accounts outside every
unit. Audited like a code issued on the page (with no actor: the server).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bista.core import services
from bista.core.access import SYSTEM


class Command(BaseCommand):
    help = "Utfärdar en engångskod för att registrera en autentiseringsapp (tvåfaktor)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Användarnamnet.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Användaren {options['username']!r} finns inte.")
        try:
            issued, code = services.two_factor_code_issue(actor=SYSTEM, user=user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"Engångskod för {user.username}: {code}")
        self.stdout.write(f"Giltig till och med {issued.expires_at:%Y-%m-%d %H:%M} (UTC). Koden visas bara nu.")
