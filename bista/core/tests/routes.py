"""The routes of the system, as the generated access probes see them: every page of the URL configuration
(walked with django.urls.get_resolver) and every GET operation of the API (from its OpenAPI document), with
the ids to fill in and what a GET of it may answer. A route is described by a `Route`; a page whose
parameters cannot be filled becomes a route with `unfillable` set, and the probes fail on it by name."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

Spec = Mapping[str, Any]


@dataclass(frozen=True)
class Route:
    """One GET to probe: a named page with its kwargs (values "@key" are the world's ids), or an API path."""

    name: str  # the URL name ("care:binder") or "GET /api/v1/…"
    kwargs: tuple[tuple[str, Any], ...] = ()
    query: str = ""
    variant: str = ""
    api: bool = False
    unfillable: str = ""

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    @property
    def has_ids(self) -> bool:
        """Whether the route names a record of the world (a client, an order …) rather than a list."""
        return any(isinstance(value, str) and value.startswith("@") for _key, value in self.kwargs)

    def path(self, ids: Mapping[str, Any]) -> str:
        values = {key: resolve(value, ids) for key, value in self.kwargs}
        if self.api:
            path = self.name.removeprefix("GET ")
            for key, value in values.items():
                path = path.replace("{" + key + "}", str(value))
        else:
            path = reverse(self.name, kwargs=values)
        query = resolve(self.query, ids) if self.query else ""
        return f"{path}?{query}" if query else path


def resolve(value: Any, ids: Mapping[str, Any]) -> Any:
    """ "@order" → the world's order id; "enhet=@provider&ar=@year" → with the ids put in."""
    if not isinstance(value, str):
        return value
    if re.fullmatch(r"@\w+", value):
        return ids[value[1:]]
    return re.sub(r"@(\w+)", lambda match: str(ids[match.group(1)]), value)


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            if str(pattern.pattern).startswith("api/"):
                continue  # the API is probed operation by operation, from its OpenAPI document
            yield from _walk(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, sorted(pattern.pattern.converters)


def _expand(
    name: str, kwarg_names: list[str], spec: Any, routes_api: bool = False, unit_query: str = ""
) -> list[Route]:
    if spec is None:
        if kwarg_names:
            return [Route(name, api=routes_api, unfillable=f"no ids for {kwarg_names}: add it to the fill table")]
        # A list: as it opens, and for the world's unit (a district-wide reader opens on another unit first).
        plain = Route(name, api=routes_api)
        return [plain, Route(name, query=unit_query, variant="unit", api=routes_api)] if unit_query else [plain]
    variants = spec if isinstance(spec, list) else [spec]
    routes = []
    for variant in variants:
        kwargs = {k: v for k, v in variant.items() if k not in ("?", "#")}
        missing = sorted(set(kwarg_names) - set(kwargs))
        extra = sorted(set(kwargs) - set(kwarg_names))
        if missing or extra:
            routes.append(
                Route(name, api=routes_api, unfillable=f"fill table out of date: missing {missing}, extra {extra}")
            )
            continue
        routes.append(
            Route(
                name,
                kwargs=tuple(sorted(kwargs.items())),
                query=variant.get("?", ""),
                variant=variant.get("#", ""),
                api=routes_api,
            )
        )
    return routes


def page_routes(fill: Mapping[str, Any]) -> list[Route]:
    """Every named page of the URL configuration, filled from `fill` (url name → kwargs or a list of them)."""
    routes: list[Route] = []
    seen = set()
    for name, kwarg_names in _walk(get_resolver()):
        seen.add(name)
        routes.extend(_expand(name, kwarg_names, fill.get(name), unit_query="enhet=@provider"))
    for stale in sorted(set(fill) - seen):
        routes.append(Route(stale, unfillable="in the fill table but no longer a page: remove it"))
    return routes


def api_routes(fill: Mapping[str, Any]) -> list[Route]:
    """Every GET operation of the API (its OpenAPI document), filled from `fill` ("GET /api/v1/…" → params)."""
    from bista.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    routes: list[Route] = []
    seen = set()
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        name = f"GET {path}"
        seen.add(name)
        parameters = operation.get("parameters", [])
        in_path = sorted(p["name"] for p in parameters if p["in"] == "path")
        required_query = sorted(p["name"] for p in parameters if p["in"] == "query" and p.get("required"))
        spec = fill.get(name)
        if spec is None and required_query:
            routes.append(Route(name, api=True, unfillable=f"no values for the required query {required_query}"))
            continue
        takes_unit = any(p["name"] == "unit_id" and p["in"] == "query" for p in parameters)
        unit_query = "unit_id=@provider" if takes_unit and not in_path else ""
        routes.extend(_expand(name, in_path, spec, routes_api=True, unit_query=unit_query))
    for stale in sorted(set(fill) - seen):
        routes.append(Route(stale, api=True, unfillable="in the fill table but no longer an API GET: remove it"))
    return routes


def body_text(response: Any) -> str:
    """What a person would read in the answer: the page, the JSON (unescaped), the text inside a DOCX/XLSX,
    the HTML a PDF was made from (the probes render PDFs as their HTML, see `html_instead_of_pdf`)."""
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(
                archive.read(member).decode("utf-8", "replace")
                for member in archive.namelist()
                if member.endswith((".xml", ".rels"))
            )
    text = raw.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


class FakeHTML:
    """Stands in for weasyprint.HTML: the "PDF" is the HTML it was made from, so the probes can read it."""

    def __init__(self, string: str = "", **_kwargs: Any) -> None:
        self.string = string

    def write_pdf(self, target: Any = None, **_kwargs: Any) -> bytes | None:
        data = b"%PDF-fake\n" + self.string.encode()
        if target is None:
            return data
        target.write(data)
        return None


def html_instead_of_pdf(monkeypatch: Any) -> Callable[[], None]:
    import weasyprint

    monkeypatch.setattr(weasyprint, "HTML", FakeHTML)
    return monkeypatch.undo  # type: ignore[no-any-return]
