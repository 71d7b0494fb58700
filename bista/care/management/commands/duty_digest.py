"""`bista duty_digest [--date YYYY-MM-DD]`: the daily "Att göra" e-mail (see bista.care.digest)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bista.care.digest import send_duty_digests
from bista.core import clock


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Ogiltigt datum: {value!r}. Ange ÅÅÅÅ-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Skickar dagens e-post om Att göra: till varje ansvarig med försenade uppgifter eller uppgifter som "
        "förfaller snart (förfallodag, vad, brukarens initialer och länk; aldrig personnummer eller namn), "
        "och till varje enhetschef en sammanfattning av enheten i antal. Tänkt att köras av cron en gång om "
        "dagen, t.ex. '15 6 * * * bista duty_digest'. E-posten går genom Djangos e-postbackend "
        "(EMAIL_BACKEND; i demon skrivs den till konsolen)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", type=str, default=None, help="Dagen att räkna från (ÅÅÅÅ-MM-DD). Standard: i dag."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = _date(options["date"]) if options["date"] else clock.today()
        sent = send_duty_digests(today=today)
        self.stdout.write(f"{sent} e-postmeddelanden skickade för {today:%Y-%m-%d}.")
