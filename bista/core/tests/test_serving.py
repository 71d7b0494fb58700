"""The production shape, served for real: gunicorn with config/gunicorn.py, several worker processes, behind a
TLS proxy on 127.0.0.1 (trusted) while 127.0.0.2 plays a client that talks to the server directly (untrusted).

One server for the module (started in a subprocess against an empty SQLite file, stopped at the end): no page
used here needs a table. Linux only: it reads /proc and connects from 127.0.0.2.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; connects from 127.0.0.2")

REPO = Path(__file__).resolve().parents[3]
TRUSTED, UNTRUSTED = "127.0.0.1", "127.0.0.2"
WORKERS = 2
START_TIMEOUT = 30


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(self, path: str, *, source: str = TRUSTED, headers: dict[str, str] | None = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            response.body = response.read()
            return response
        finally:
            connection.close()

    def access_log(self) -> list[dict[str, Any]]:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        entries = [json.loads(line) for line in lines if line.startswith("{")]
        return [entry for entry in entries if entry.get("logger") == "gunicorn.access"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _start(command: list[str], folder: Path, **extra_env: str) -> Server:
    """Start a server subprocess against an empty SQLite file and wait (bounded) until /halsa/ answers."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bista.sqlite3'}",
        "BISTA_HTTPS": "1",
        "BISTA_TRUSTED_PROXIES": TRUSTED,
        "BISTA_WORKERS": str(WORKERS),
        "BISTA_BIND": f"127.0.0.1:{port}",
        "DEBUG": "0",
        **extra_env,
    }
    log = folder / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [arg.replace("{port}", str(port)) for arg in command],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Server(process, port, log)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"the server stopped at start:\n{log.read_text()}")
        try:
            if running.get("/halsa/").status == 200:
                return running
        except OSError:
            pass
        if time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"the server did not answer within {START_TIMEOUT} s:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _start(
        [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "config.wsgi:application"],
        tmp_path_factory.mktemp("gunicorn"),
    )
    try:
        yield running
    finally:
        _stop(running.process)


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The fields after the command name (which may hold spaces) start after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def test_several_worker_processes_serve(server: Server) -> None:
    workers = _children(server.process.pid)
    assert len(workers) >= WORKERS
    request_id = server.get("/halsa/").getheader("X-Request-Id")
    assert _logged(server, request_id)["pid"] in workers  # a worker answered, not the master


def test_the_health_endpoint_answers_without_sign_in(server: Server) -> None:
    response = server.get("/halsa/", headers={"Host": "intern-lastbalanserare"})  # any host, plain http
    assert response.status == 200
    assert json.loads(response.body) == {"status": "ok", "database": "ok"}
    assert response.getheader("Content-Type") == "application/json"
    assert "no-store" in response.getheader("Cache-Control")


def test_no_redirect_loop_behind_the_trusted_proxy(server: Server) -> None:
    response = server.get("/konto/logga-in/", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert "max-age=31536000" in response.getheader("Strict-Transport-Security")  # Django saw https
    cookie = response.getheader("Set-Cookie")
    assert cookie is not None
    assert "csrftoken=" in cookie
    assert "secure" in cookie.lower()


def test_plain_http_through_the_proxy_is_sent_to_https(server: Server) -> None:
    response = server.get("/konto/logga-in/")
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{server.port}/konto/logga-in/"


def test_an_untrusted_peer_cannot_claim_https(server: Server) -> None:
    response = server.get("/konto/logga-in/", source=UNTRUSTED, headers={"X-Forwarded-Proto": "https"})
    assert response.status == 301
    assert response.getheader("Location").startswith("https://")


def test_the_request_id_round_trips_from_the_proxy(server: Server) -> None:
    response = server.get("/halsa/", headers={"X-Request-Id": "proxy-id-42"})
    assert response.getheader("X-Request-Id") == "proxy-id-42"


def test_an_untrusted_peer_gets_a_request_id_of_its_own(server: Server) -> None:
    response = server.get("/halsa/", source=UNTRUSTED, headers={"X-Request-Id": "spoofed-id-42"})
    request_id = response.getheader("X-Request-Id")
    assert request_id != "spoofed-id-42"
    assert len(request_id) == 32
    assert request_id.isalnum()


def _logged(server: Server, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [entry for entry in server.access_log() if entry.get("request_id") == request_id]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no access-log line for {request_id}:\n{server.log.read_text()}")


def test_the_access_log_is_json_with_the_client_behind_the_proxy(server: Server) -> None:
    server.get(
        "/konto/logga-in/?personnummer=19121212-1212",
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "198.51.100.4, 203.0.113.9",
            "X-Request-Id": "logg-prov-1",
        },
    )
    entry = _logged(server, "logg-prov-1")
    assert entry["client"] == "203.0.113.9"  # the rightmost hop the trusted proxy added, not the client's claim
    assert entry["peer"] == TRUSTED
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/konto/logga-in/", 200)
    assert "19121212" not in json.dumps(entry)  # the query string (search terms) stays out of the log


def test_an_untrusted_peer_cannot_choose_its_logged_address(server: Server) -> None:
    response = server.get("/halsa/", source=UNTRUSTED, headers={"X-Forwarded-For": "203.0.113.77"})
    entry = _logged(server, response.getheader("X-Request-Id"))
    assert entry["client"] == UNTRUSTED


def test_bista_serve_with_waitress_passes_the_proxys_scheme_on(tmp_path: Path) -> None:
    """The demo's server (waitress, one process) behind the same proxy: no redirect loop either."""
    running = _start(
        [sys.executable, "-c", "from bista.cli import main; main()", "serve", "--port", "{port}"],
        tmp_path,
    )
    try:
        trusted = running.get("/konto/logga-in/", headers={"X-Forwarded-Proto": "https"})
        assert trusted.status == 200
        assert "max-age=31536000" in trusted.getheader("Strict-Transport-Security")
        assert running.get("/konto/logga-in/").status == 301
        spoofed = running.get("/konto/logga-in/", source=UNTRUSTED, headers={"X-Forwarded-Proto": "https"})
        assert spoofed.status == 301
    finally:
        _stop(running.process)


# --- In process: the pieces the server above puts together ---------------------------------------------


@pytest.mark.parametrize(
    ("forwarded_for", "expected"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("198.51.100.4, 203.0.113.9", "203.0.113.9"),  # the left hop is the client's own claim
        ("203.0.113.9, 10.0.0.2", "203.0.113.9"),  # 10.0.0.2: a second trusted proxy
        ("10.0.0.3, 10.0.0.2", "10.0.0.3"),  # every hop trusted: the leftmost
        ("203.0.113.9:4711", "203.0.113.9"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("198.51.100.4, not-an-address", "10.0.0.1"),  # garbage never becomes the address
        ("not-an-address, 10.0.0.2", "10.0.0.2"),
        ("", "10.0.0.1"),
    ],
)
def test_client_address_is_the_rightmost_untrusted_hop(forwarded_for: str, expected: str) -> None:
    from bista.core.proxy import _networks, client_address

    assert client_address("10.0.0.1", forwarded_for, _networks(("10.0.0.0/8",))) == expected


def test_a_bad_trusted_proxy_entry_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.settings import env_networks

    monkeypatch.setenv("BISTA_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example")
    with pytest.raises(RuntimeError, match=r"proxy\.example"):
        env_networks("BISTA_TRUSTED_PROXIES")
    monkeypatch.setenv("BISTA_TRUSTED_PROXIES", " 10.0.0.0/8 ,::1 ")
    assert env_networks("BISTA_TRUSTED_PROXIES") == ["10.0.0.0/8", "::1"]


def test_gunicorn_trusts_no_proxy_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import config.gunicorn

    monkeypatch.delenv("BISTA_TRUSTED_PROXIES", raising=False)
    assert importlib.reload(config.gunicorn).forwarded_allow_ips == ""  # gunicorn's own default trusts 127.0.0.1
    monkeypatch.setenv("BISTA_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
    monkeypatch.setenv("BISTA_WORKERS", "3")
    reloaded = importlib.reload(config.gunicorn)
    assert reloaded.forwarded_allow_ips == "10.0.0.0/8,192.0.2.1"
    assert reloaded.workers == 3


def _database_settings(**env: str) -> dict[str, Any]:
    """DATABASES["default"] as config.settings builds it in a fresh process with `env` (a settings module is
    loaded once per process, so this cannot be a reload here)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DB_CONN_MAX_AGE", "BISTA_PRODUCTION"}}
    environment.update({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://bista@127.0.0.1:5432/bista", **env})
    script = (
        "import json, config.settings as s; d = s.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True, timeout=60
    ).stdout
    max_age, health_checks = json.loads(output.strip().splitlines()[-1])
    return {"CONN_MAX_AGE": max_age, "CONN_HEALTH_CHECKS": health_checks}


def test_production_keeps_database_connections_checked_before_reuse() -> None:
    assert _database_settings(BISTA_PRODUCTION="1") == {"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    assert _database_settings(BISTA_PRODUCTION="1", DB_CONN_MAX_AGE="0")["CONN_MAX_AGE"] == 0
    assert _database_settings()["CONN_MAX_AGE"] == 0  # a local run: a new connection per request


def test_without_trusted_proxies_the_forwarded_scheme_is_ignored(settings: Any, db: Any) -> None:
    from django.test import Client as HttpClient

    settings.SECURE_SSL_REDIRECT = True
    settings.BISTA_TRUSTED_PROXIES = []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # even if someone set it anyway
    assert HttpClient().get("/konto/logga-in/", headers={"X-Forwarded-Proto": "https"}).status_code == 301


def test_health_answers_503_when_the_database_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError, connection
    from django.test import Client as HttpClient

    def broken_cursor(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken_cursor)
        response = HttpClient().get("/halsa/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert "connection refused" not in response.content.decode()


def test_log_records_are_json_with_the_request_id() -> None:
    import logging

    from bista.core.logs import JsonFormatter, RequestIdFilter
    from bista.core.requestid import set_request_id

    set_request_id("logg-id-7")
    record = logging.LogRecord("bista.test", logging.WARNING, __file__, 1, "Svar %s", ("åäö",), None)
    record.unit_id = 4
    assert RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "logg-id-7"
    assert (entry["level"], entry["logger"], entry["message"], entry["unit_id"]) == (
        "WARNING",
        "bista.test",
        "Svar åäö",
        4,
    )


def test_a_logged_request_shows_no_query_string() -> None:
    import logging

    from django.test import RequestFactory

    from bista.core.logs import JsonFormatter

    request = RequestFactory().get("/brukare/", {"q": "19121212-1212"})
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/brukare/",), None)
    record.request = request
    record.status_code = 404
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["request"], entry["status_code"]) == ("GET /brukare/", 404)
    assert "19121212" not in json.dumps(entry)
