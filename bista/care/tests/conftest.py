"""The care tests' three clients (a module that needs one with more details defines its own)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from bista.care.tests import factories as f
from bista.clients.models import Client
from bista.core.testing import Organisation


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the provider unit in Team Ek (the staffer's team)."""
    return f.make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team])


@pytest.fixture
def bertil(org: Organisation) -> Client:
    """A client of the provider unit in Team Björk (not the staffer's team)."""
    return f.make_client(org.provider, first_name="Bertil", last_name="Berglund", teams=[org.other_team])


@pytest.fixture
def cecilia(org: Organisation) -> Client:
    """A client of the unit in the other district."""
    return f.make_client(org.other_unit, first_name="Cecilia", last_name="Carlsson", teams=[org.other_unit_team])


@pytest.fixture
def fetch_print(settings: Any, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Ask for a print as a user would (the POST), let the worker make it at once, open its page and fetch the
    file: returns the download's response (or the POST's, if the request was refused)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    def fetch(browser: Any, path: str, data: dict[str, Any] | None = None) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(path, data or {})
        if response.status_code != 302:
            return response
        page = browser.get(response["Location"])
        assert page.status_code == 200, page.status_code
        match = re.search(r'href="(/utskrifter/\d+/fil/)"', page.content.decode())
        assert match, page.content.decode()
        return browser.get(match.group(1))

    return fetch
