"""Every page without path parameters, asked with hostile query parameters (a NUL byte, the years 0001 and
9999, huge numbers), answers without a server error (issue 14, defect 6: on PostgreSQL a NUL reached a query
and failed there). Generated from the URL configuration, so a new page is probed too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from bista.core.tests.api_support import session_client

pytestmark = pytest.mark.django_db

# The query parameters the pages read (their filter forms and raw parameters).
NAMES = [
    "q", "sok", "fran", "till", "datum", "status", "enhet", "brukare", "client", "medarbetare", "sida", "typ",
    "kategori", "year", "ar", "period", "rad", "tertial", "bedom", "version", "bedomning", "niva", "brukare_sok",
    "brukare_val",
]  # fmt: skip
HOSTILE = {
    "nul": "x\x00",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31",
    "huge": "99999999999999999999999",
}


def _pages(resolver: Any, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _pages(pattern, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and not route.startswith("api/"):
            yield "/" + route


PAGES = sorted(set(_pages(get_resolver())))


def test_the_pages_were_found() -> None:
    assert len(PAGES) >= 30


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_page_fails_on_hostile_query_parameters(manager: Any, value: str) -> None:
    client = session_client(manager)
    client.raise_request_exception = False
    failed = []
    for path in PAGES:
        response = client.get(path, dict.fromkeys(NAMES, value))
        if response.status_code >= 500:
            failed.append(path)
    assert not failed
