"""gunicorn settings for production: `gunicorn -c python:config.gunicorn config.wsgi:application`, which is what
`bista serve --production` runs. Every value comes from the environment; see docs/operations-deployment.md.

- BISTA_BIND (default 127.0.0.1:8000): where to listen; in a container 0.0.0.0:8000.
- BISTA_WORKERS (default 2 × CPUs + 1): worker processes, each serving one request at a time.
- BISTA_TRUSTED_PROXIES: the same addresses/networks Django trusts (config/settings.py); gunicorn believes
  X-Forwarded-Proto only from them. Empty: from no one.
- BISTA_TIMEOUT (default 120 s): a worker silent for longer is restarted (the largest PDFs take tens of seconds).
- DB_CONN_MAX_AGE (default here 60 s, in Django's settings 0): persistent database connections per worker.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger

from bista.core.logs import JsonFormatter, RequestIdFilter


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Production keeps each worker's database connection between requests (opening one per request cost a few
# milliseconds of every page on PostgreSQL); set before the workers load Django's settings. DB_CONN_MAX_AGE=0
# in the environment turns it off.
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

bind = [os.environ.get("BISTA_BIND", "127.0.0.1:8000")]
workers = _int("BISTA_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = _int("BISTA_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter, not all at once): memory does not creep up.
max_requests = _int("BISTA_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# Only the configured proxies may say the request came over https; an empty list trusts no one (gunicorn's own
# default would trust 127.0.0.1). Django applies the same list to X-Forwarded-For and X-Request-Id.
forwarded_allow_ips = ",".join(
    entry.strip() for entry in os.environ.get("BISTA_TRUSTED_PROXIES", "").split(",") if entry.strip()
)
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# gunicorn's runtime control socket (a file under the user's home) is not used: the service manager or the
# container runtime starts and stops the server, and two servers on one machine would fight over the path.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("BISTA_GUNICORN_LOG_LEVEL", "info")


class JsonLogger(Logger):
    """gunicorn's logs as JSON lines like the application's: the access log carries the request id (from the
    response's X-Request-Id), the client address as Django established it and the proxy's address."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())
                handler.addFilter(RequestIdFilter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta) -> None:
        if not self.access_log_enabled:
            return
        headers = dict((name.lower(), value) for name, value in (resp.headers or []))
        status = str(resp.status).split(None, 1)[0]
        fields = {
            "request_id": headers.get("x-request-id", ""),
            "client": environ.get("REMOTE_ADDR", ""),
            "peer": environ.get("BISTA_PEER_ADDR", environ.get("REMOTE_ADDR", "")),
            "method": environ.get("REQUEST_METHOD", ""),
            "path": environ.get("PATH_INFO", ""),
            "status": int(status) if status.isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info("%s %s %s", fields["method"], fields["path"], status, extra=fields)
        except Exception:  # a broken log line must never fail the request
            self.error_log.exception("Could not write the access log")


logger_class = JsonLogger
