"""The contexts depend on each other in one direction: no cycle, and core depends on none of them.

The graph is built from the source (every `import`, also those inside functions: a deferred import is still a
dependency). Tests are left out — route_world and the factories build a world from every context on purpose —
and so are migrations, which depend on other apps through their `dependencies`, not through imports.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

BISTA = Path(__file__).resolve().parents[2]
SKIPPED_PARTS = {"tests", "migrations"}


def contexts() -> set[str]:
    """Every Django app under bista/ (a directory with an apps.py)."""
    return {path.parent.name for path in BISTA.glob("*/apps.py")}


def _imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from bista import staff`
                yield node.lineno, f"{node.module}.{alias.name}"


def import_graph() -> dict[str, dict[str, list[str]]]:
    """context → the other contexts it imports → where (file:line)."""
    names = contexts()
    graph: dict[str, dict[str, list[str]]] = {name: {} for name in names}
    for name in names:
        for path in sorted((BISTA / name).rglob("*.py")):
            relative = path.relative_to(BISTA.parent)
            if SKIPPED_PARTS & set(relative.parts):
                continue
            for line, module in _imported_modules(ast.parse(path.read_text(), str(path))):
                parts = module.split(".")
                if len(parts) > 1 and parts[0] == "bista" and parts[1] in names and parts[1] != name:
                    graph[name].setdefault(parts[1], []).append(f"{relative}:{line}")
    return graph


def find_cycle(graph: dict[str, dict[str, list[str]]]) -> list[str] | None:
    """A cycle as a path of contexts (first == last), or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for successor in sorted(graph.get(node, {})):
            if cycle := visit(successor, [*path, node]):
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return None


def test_the_graph_is_built_from_the_code() -> None:
    graph = import_graph()
    assert {"core", "clients", "care", "staff", "quality", "rostering", "governance"} <= set(graph)
    assert "core" in graph["care"]  # a known dependency is seen, so an empty graph cannot pass


def test_no_cycle_between_contexts() -> None:
    graph = import_graph()
    cycle = find_cycle(graph)
    where = {f"{a} → {b}": graph[a][b][:3] for a, b in itertools.pairwise(cycle)} if cycle else {}
    assert cycle is None, f"import cycle between contexts: {' → '.join(cycle or [])}; {where}"


def test_core_imports_no_other_context() -> None:
    assert import_graph()["core"] == {}


def test_find_cycle_sees_a_cycle() -> None:
    """The cycle finder itself: a long cycle is found, a diamond is not a cycle."""
    assert find_cycle({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": [], "c": []}, "b": {"d": []}, "c": {"d": []}, "d": {}}) is None


def test_team_ids_come_from_the_registered_staff_source(monkeypatch: Any) -> None:
    """core.access answers "which teams" through the source the staff app registered, not by importing staff."""
    from bista.core import access
    from bista.staff.selectors import employee_team_ids

    assert access._team_source is employee_team_ids
    signed_in = SimpleNamespace(is_authenticated=True)
    monkeypatch.setattr(access, "_team_source", lambda user: {7} if user is signed_in else set())
    assert access.team_ids_for_user(signed_in) == {7}
    assert access.team_ids_for_user(SimpleNamespace(is_authenticated=False)) == set()
    monkeypatch.setattr(access, "_team_source", None)
    assert access.team_ids_for_user(signed_in) == set()  # no source: team access denied, never widened
