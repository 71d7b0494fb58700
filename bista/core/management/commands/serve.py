"""`bista serve`: run Bistå.

Without options it runs waitress (one process, several threads), static files from WhiteNoise: the demo and a
single small machine. With `--with-worker` it also runs `bista worker` beside it (a child process that ends
with the server), so that background jobs run without a second terminal.

`bista serve --production` replaces itself with gunicorn and the settings in `config/gunicorn.py` (several
worker processes, the trusted proxies, JSON access log): the production shape, see
docs/operations-deployment.md. The background worker then runs as its own process (`bista worker`).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _start_worker() -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from bista.cli import main; main(['bista', 'worker'])"]
    return subprocess.Popen(command)  # noqa: S603 - fixed argument list


def gunicorn_command(host: str | None, port: int | None) -> list[str]:
    """The gunicorn command line of `--production`; --host/--port, when given, override BISTA_BIND."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn"]
    if host is not None or port is not None:
        command += ["--bind", f"{host or DEFAULT_HOST}:{port or DEFAULT_PORT}"]
    return [*command, "config.wsgi:application"]


class Command(BaseCommand):
    help = "Startar Bistå-servern (waitress; med --production gunicorn med flera processer)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None, help=f"Adress att lyssna på (standard {DEFAULT_HOST}).")
        parser.add_argument("--port", type=int, default=None, help=f"Port (standard {DEFAULT_PORT}).")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--with-worker", action="store_true", help="Kör även bakgrundsjobben (bista worker) i en egen process."
        )
        parser.add_argument(
            "--production",
            action="store_true",
            help="Kör gunicorn med config/gunicorn.py (flera processer); bakgrundsjobben körs då som egen tjänst.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["production"]:
            if options["with_worker"]:
                raise CommandError("I produktion körs bista worker som en egen tjänst; utelämna --with-worker.")
            if importlib.util.find_spec("gunicorn") is None:
                raise CommandError("gunicorn är inte installerat.")
            command = gunicorn_command(options["host"], options["port"])
            os.execv(command[0], command)  # noqa: S606 - fixed argument list; gunicorn takes over the process
        self._serve_waitress(options)

    def _serve_waitress(self, options: dict[str, Any]) -> None:
        from waitress import serve  # type: ignore[import-untyped]

        from config.wsgi import application

        host, port = options["host"] or DEFAULT_HOST, options["port"] or DEFAULT_PORT
        worker = _start_worker() if options["with_worker"] else None
        self.stdout.write(f"Bistå körs på http://{host}:{port}/  (avsluta med Ctrl-C)")
        try:
            # Forwarded headers reach Django untouched: bista.core.proxy decides, by BISTA_TRUSTED_PROXIES,
            # whether they count (waitress would otherwise drop X-Forwarded-Proto and the https redirect loop).
            serve(application, host=host, port=port, threads=options["threads"], clear_untrusted_proxy_headers=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
