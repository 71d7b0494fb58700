"""`bista serve`: run Bistå with a production WSGI server (waitress), static files from WhiteNoise.

With `--with-worker` it also runs `bista worker` beside it (a child process that ends with the server), so
that background jobs — roster optimisation, document generation — run on a single machine such as the
demo's without a second terminal.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def _start_worker() -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from bista.cli import main; main(['bista', 'worker'])"]
    return subprocess.Popen(command)  # noqa: S603 - fixed argument list


class Command(BaseCommand):
    help = "Startar Bistå-servern (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--with-worker", action="store_true", help="Kör även bakgrundsjobben (bista worker) i en egen process."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve  # type: ignore[import-untyped]

        from config.wsgi import application

        worker = _start_worker() if options["with_worker"] else None
        self.stdout.write(f"Bistå körs på http://{options['host']}:{options['port']}/  (avsluta med Ctrl-C)")
        try:
            serve(application, host=options["host"], port=options["port"], threads=options["threads"])
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
