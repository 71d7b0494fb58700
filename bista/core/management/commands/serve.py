"""`bista serve`: run Bistå with a production WSGI server (waitress), static files from WhiteNoise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Startar Bistå-servern (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve  # type: ignore[import-untyped]

        from config.wsgi import application

        self.stdout.write(f"Bistå körs på http://{options['host']}:{options['port']}/  (avsluta med Ctrl-C)")
        serve(application, host=options["host"], port=options["port"], threads=options["threads"])
