"""Page links replace the page parameter in the query instead of repeating it (Django's querystring tag), keeping
the filters; a page that drops one-off parameters passes its own query (`page_query`)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import QueryDict
from django.template.loader import render_to_string


def test_page_links_replace_the_page_parameter(rf: Any) -> None:
    request = rf.get("/brukare/", {"q": "Lund", "sida": "2"})
    html = render_to_string("core/_pagination.html", {"page": Paginator(range(100), 10).get_page(2)}, request=request)
    assert 'href="?q=Lund&amp;sida=1"' in html and 'href="?q=Lund&amp;sida=3"' in html
    assert html.count("sida=") == 2


def test_a_page_query_stands_in_for_the_request(rf: Any) -> None:
    request = rf.get("/journal/", {"q": "mat", "rattar": "7", "sida": "1"})
    html = render_to_string(
        "core/_pagination.html",
        {"page": Paginator(range(100), 10).get_page(1), "page_query": QueryDict("q=mat&sida=1")},
        request=request,
    )
    assert 'href="?q=mat&amp;sida=2"' in html and "rattar" not in html
