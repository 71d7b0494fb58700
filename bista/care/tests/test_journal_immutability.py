"""The journal is never edited or deleted (SOSFS 2014:5): no URL changes or removes an entry, a correction
is a new entry linked to the original which stays as it was, PostgreSQL refuses UPDATE and DELETE on the
journal tables, no code in bista/ updates or deletes entries, and every saved entry's signature verifies."""

from __future__ import annotations

import ast
import datetime
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from bista.care import services
from bista.care.models import JournalEntry, JournalObjection
from bista.care.tests import factories as f
from bista.clients.models import Client
from bista.core.tests.api_support import session_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

BISTA = Path(__file__).resolve().parents[2]
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only triggers on the journal exist on PostgreSQL only"
)
# Every URL that has to do with the journal, and what each may do. None of them edits or deletes an entry.
JOURNAL_URL_NAMES = {"journal", "journal_draft", "journal_entry", "journal_objection"}


@pytest.fixture
def entry(astrid: Client, manager: Any) -> JournalEntry:
    return f.write_journal(manager, astrid, text="Brukaren var på teater.", event_date=datetime.date(2024, 3, 1))


def snapshot(entry: JournalEntry) -> tuple[Any, ...]:
    """Every column of the entry as the database holds it now."""
    values = JournalEntry.objects.filter(pk=entry.pk).values_list(
        *(field.attname for field in JournalEntry._meta.concrete_fields)
    )
    return values.get()


def raw(sql: str, params: list[Any]) -> None:
    """One statement in its own savepoint, so that a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- (a) No URL edits or deletes an entry ---------------------------------------------------------------


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or ""


def journal_routes() -> set[tuple[str, str]]:
    """Every URL (pages and API) whose path or name is about the journal."""
    return {
        (route, name)
        for route, name in _patterns(get_resolver())
        if "journal" in route.lower() or "journal" in name.lower()
    }


def _concrete(route: str, client: Client, entry: JournalEntry) -> str:
    """The route with its parameters filled in: the client's id where it names a client, else the entry's."""
    path = re.sub(r"<(?:\w+:)?(\w*client\w*)>", str(client.pk), route)
    path = re.sub(r"<(?:\w+:)?\w+>", str(entry.pk), path)
    return "/" + path.lstrip("^").rstrip("$")


def test_no_journal_url_is_named_for_editing_or_deleting() -> None:
    routes = journal_routes()
    assert {name for _route, name in routes} >= JOURNAL_URL_NAMES  # the pages are found (the check looks)
    for route, name in routes:
        words = f"{route} {name}".lower()
        assert not any(w in words for w in ("andra", "ta-bort", "radera", "redigera", "delete", "edit", "update")), (
            route,
            name,
        )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_no_journal_url_changes_or_removes_an_entry(
    astrid: Client, entry: JournalEntry, manager: Any, method: str
) -> None:
    """PUT, PATCH and DELETE on every journal URL, pages and API alike, are refused; the entry stays."""
    before = snapshot(entry)
    client = session_client(manager, verified=False)
    data = json.dumps({"text": "Ändrad i efterhand", "event_date": "2024-01-01"})
    tried = []
    for route, _name in sorted(journal_routes()):
        path = _concrete(route, astrid, entry)
        response = getattr(client, method)(path, data, content_type="application/json")
        assert not 200 <= response.status_code < 300, (path, response.status_code)
        tried.append(path)
    assert f"/journal/{entry.pk}/" in tried
    assert snapshot(entry) == before
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_entry_url_refuses_every_change(entry: JournalEntry, manager: Any, method: str) -> None:
    before = snapshot(entry)
    client = session_client(manager, verified=False)
    data = {"text": "Ändrad i efterhand", "event_date": "2024-01-01"}
    response = getattr(client, method)(f"/journal/{entry.pk}/", data)
    assert response.status_code == 405
    assert snapshot(entry) == before
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_other_journal_urls_refuse_put_patch_delete(
    astrid: Client, entry: JournalEntry, manager: Any, method: str
) -> None:
    before = snapshot(entry)
    client = session_client(manager, verified=False)
    for path in (
        f"/brukare/{astrid.pk}/journal/",
        f"/brukare/{astrid.pk}/journal/utkast/",
        f"/journal/{entry.pk}/invandning/",
        f"/brukare/{astrid.pk}/akt.pdf",
    ):
        assert getattr(client, method)(path).status_code == 405, path
    assert snapshot(entry) == before


def test_an_objection_leaves_the_entry_as_it_was(entry: JournalEntry, manager: Any) -> None:
    before = snapshot(entry)
    client = session_client(manager, verified=False)
    assert client.post(f"/journal/{entry.pk}/invandning/", {"text": "Det var bio."}).status_code == 302
    assert snapshot(entry) == before
    assert JournalObjection.objects.get().entry_id == entry.pk


# --- (b) A correction is a new entry; the original stays, linked ----------------------------------------


def test_a_correction_through_the_page_leaves_the_original_unchanged_and_linked(
    astrid: Client, entry: JournalEntry, manager: Any
) -> None:
    before = snapshot(entry)
    client = session_client(manager, verified=False)
    response = client.post(
        f"/brukare/{astrid.pk}/journal/",
        {
            "event_date": "2024-03-01",
            "category": f.category().pk,
            "text": "Rättelse: det var bio, inte teater.",
            "rattar": str(entry.pk),
        },
    )
    assert response.status_code == 302
    assert snapshot(entry) == before
    correction = JournalEntry.objects.exclude(pk=entry.pk).get()
    assert correction.corrects_id == entry.pk
    assert list(JournalEntry.objects.get(pk=entry.pk).corrections.all()) == [correction]
    html = client.get(f"/journal/{entry.pk}/").content.decode()
    assert "Brukaren var på teater." in html
    assert "Rättelse: det var bio, inte teater." in html


# --- (c) PostgreSQL refuses UPDATE and DELETE -------------------------------------------------------------


@postgresql_only
@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("UPDATE care_journalentry SET text = %s WHERE id = %s", ["Ändrad i efterhand"]),
        ("DELETE FROM care_journalentry WHERE id = %s", []),
    ],
)
def test_the_database_refuses_changes_to_an_entry(entry: JournalEntry, sql: str, params: list[Any]) -> None:
    before = snapshot(entry)
    with pytest.raises(DatabaseError, match="append-only"):
        raw(sql, [*params, entry.pk])
    assert snapshot(entry) == before


@postgresql_only
def test_the_database_refuses_changes_to_an_objection(entry: JournalEntry, manager: Any) -> None:
    objection = services.journal_objection_record(actor=manager, entry=entry, text="Det var bio.")
    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE care_journalobjection SET text = %s WHERE id = %s", ["Ändrad", objection.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM care_journalobjection WHERE id = %s", [objection.pk])
    assert JournalObjection.objects.get(pk=objection.pk).text == "Det var bio."


@postgresql_only
def test_entries_can_still_be_written_after_a_refusal(astrid: Client, entry: JournalEntry, manager: Any) -> None:
    with pytest.raises(DatabaseError):
        raw("DELETE FROM care_journalentry WHERE id = %s", [entry.pk])
    f.write_journal(manager, astrid, text="Nästa anteckning.")
    assert JournalEntry.objects.count() == 2


# --- (d) No code in bista/ updates or deletes journal rows --------------------------------------------------

# Names that, anywhere in a call chain, mean the chain works on journal rows (the models and the reverse
# relations to them).
JOURNAL_NAMES = {"JournalEntry", "JournalObjection", "journal_entries", "corrections", "objections"}
FORBIDDEN_METHODS = {"update", "delete", "bulk_update", "update_or_create", "get_or_create", "raw"}
ALLOWED_AFTER_OBJECTS = {
    "bulk_create",
    "create",
    "filter",
    "exclude",
    "get",
    "all",
    "none",
    "select_related",
    "prefetch_related",
    "order_by",
    "values",
    "values_list",
    "count",
    "exists",
    "first",
    "aggregate",
    "annotate",
    "using",  # which database to read: `bista restore` checks the restored one (a later .update() is still caught)
}


def _chain_names(node: ast.AST) -> set[str]:
    """The names and attributes along a call chain such as JournalEntry.objects.filter(...).update(...)."""
    names: set[str] = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.add(node.id)
            return names
        else:
            return names


def journal_violations(source: str, filename: str = "<source>") -> list[str]:
    """Calls that update or delete journal rows, or use the manager for anything but creating and reading."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        receiver = node.func.value
        if node.func.attr in FORBIDDEN_METHODS and _chain_names(receiver) & JOURNAL_NAMES:
            found.append(f"{filename}:{node.lineno}: .{node.func.attr}() on journal rows")
        # bulk_create inserts (the history import); with update_conflicts it would overwrite.
        if node.func.attr == "bulk_create" and any(k.arg == "update_conflicts" for k in node.keywords):
            found.append(f"{filename}:{node.lineno}: bulk_create(update_conflicts=…) on journal rows")
        if (
            isinstance(receiver, ast.Attribute)
            and receiver.attr in ("objects", "_default_manager", "_base_manager")
            and isinstance(receiver.value, ast.Name)
            and receiver.value.id in ("JournalEntry", "JournalObjection")
            and node.func.attr not in ALLOWED_AFTER_OBJECTS
        ):
            found.append(f"{filename}:{node.lineno}: {receiver.value.id}.objects.{node.func.attr}()")
    if "care_journal" in source:
        for number, line in enumerate(source.splitlines(), start=1):
            upper = line.upper()
            if "CARE_JOURNAL" in upper and ("UPDATE " in upper or "DELETE " in upper):
                found.append(f"{filename}:{number}: SQL changing a journal table")
    return found


def _application_sources() -> Iterator[Path]:
    for path in sorted(BISTA.rglob("*.py")):
        parts = set(path.relative_to(BISTA).parts)
        if "tests" in parts or "migrations" in parts:
            continue  # tests try the refusals on purpose; migrations install the triggers
        yield path


def test_the_checker_finds_what_it_looks_for() -> None:
    """The source check below would catch an update or a delete, however it is spelled."""
    bad = """
JournalEntry.objects.filter(pk=1).update(text="x")
JournalEntry.objects.all().delete()
client.journal_entries.filter(category=c).delete()
entry.corrections.update(text="x")
JournalObjection.objects.update_or_create(entry=e, defaults={})
JournalEntry.objects.raw("SELECT 1")
cursor.execute("UPDATE care_journalentry SET text = 'x'")
"""
    flagged_lines = {int(violation.split(":")[1]) for violation in journal_violations(bad)}
    assert flagged_lines == set(range(2, 9))  # every line of the sample (it starts with a newline)
    good = """
JournalEntry.objects.create(text="x")
JournalEntry.objects.filter(client=c).select_related("category")
JournalDraft.objects.filter(user=u).delete()
ImplementationPlan.objects.filter(order=o).update(status="superseded")
"""
    assert journal_violations(good) == []


def test_no_code_in_bista_updates_or_deletes_journal_rows() -> None:
    sources = list(_application_sources())
    assert any(path.parent.name == "services" and path.parent.parent.name == "care" for path in sources)
    violations = [
        violation
        for path in sources
        for violation in journal_violations(path.read_text(encoding="utf-8"), str(path.relative_to(BISTA)))
    ]
    assert violations == []


# --- (e) Every saved entry's signature verifies ---------------------------------------------------------


def test_saved_entries_have_valid_signatures(astrid: Client, entry: JournalEntry, manager: Any, staffer: Any) -> None:
    client = session_client(staffer, verified=False)
    for text in ("Första anteckningen via sidan.", "Andra, med å, ä och ö.\nOch en ny rad."):
        data = {"event_date": "2024-04-01", "category": f.category("halsa").pk, "text": text}
        assert client.post(f"/brukare/{astrid.pk}/journal/", data).status_code == 302
    f.write_journal(manager, astrid, text="Rättelse.", corrects=entry)
    entries = list(JournalEntry.objects.all())
    assert len(entries) == 4
    assert all(services.journal_signature_valid(saved) for saved in entries)
    changed = JournalEntry.objects.get(pk=entry.pk)
    changed.text += " (tillägg)"
    assert not services.journal_signature_valid(changed)  # the check would notice a change
