"""Building own-view clients in tests through the services, and signing a browser in as staff would not."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client as HttpClient
from django.test import TestCase

from bista.clients.models import Client, ClientContact
from bista.core.access import SYSTEM
from bista.ownview import services

EMAIL = "brukaren@example.se"


def enable(
    client: Client, *, names: bool = False, address: str = EMAIL, representative: ClientContact | None = None
) -> Any:
    services.settings_update(actor=SYSTEM, client=client, enabled=True, show_staff_names=names, expected_version=None)
    return services.contact_add(actor=SYSTEM, client=client, address=address, representative=representative)


def request_code(browser: HttpClient, client: Client | str, contact: str = EMAIL) -> Any:
    """Ask for a code (for a client, or a typed personnummer); the sending (on commit) runs at once."""
    personnummer = client if isinstance(client, str) else client.personnummer
    with TestCase.captureOnCommitCallbacks(execute=True):
        return browser.post("/min-sida/logga-in/", {"personnummer": personnummer, "kontakt": contact})


def last_code() -> str:
    assert mail.outbox, "no code was sent"
    found = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert found
    return found.group(1)


def signed_in(client: Client, contact: str = EMAIL) -> HttpClient:
    """A browser signed in to the client's own view with a code sent to `contact`."""
    browser = HttpClient()
    request_code(browser, client, contact)
    response = browser.post("/min-sida/logga-in/kod/", {"kod": last_code()})
    assert response.status_code == 302 and response["Location"] == "/min-sida/", response.status_code
    return browser
