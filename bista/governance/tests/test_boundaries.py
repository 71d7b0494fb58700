"""Governance reads the other contexts only through what they publish for it (their selectors, indicators and
self-checks), never their models, rules or renderers: a context can then change its tables and documents
without breaking the indicator registry or the VP/VB."""

from __future__ import annotations

import ast
from pathlib import Path

GOVERNANCE = Path(__file__).resolve().parents[1]
PUBLISHED = {"selectors", "indicators", "selfchecks"}
OWN = {"core", "governance"}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every `bista.*` module a file imports, including `from bista.x import y` as bista.x.y."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("bista.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bista"):
            parts = node.module.split(".")
            if len(parts) == 2:  # from bista.quality import indicators → the modules imported
                found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _sources() -> list[Path]:
    return [p for p in GOVERNANCE.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def test_governance_imports_only_what_other_contexts_publish() -> None:
    offending = []
    for path in _sources():
        for line, module in _imports(path):
            parts = module.split(".")
            context = parts[1]
            if context in OWN or len(parts) < 3:
                continue
            if parts[2] not in PUBLISHED:
                offending.append(f"{path.relative_to(GOVERNANCE.parent)}:{line} imports {module}")
    assert offending == []


def test_the_check_sees_the_imports_it_must_refuse(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from bista.quality.models import Deviation\nfrom bista.quality import vbdocs\n"
        "from bista.care import indicators\nimport bista.care.models\n"
    )
    modules = [module for _, module in _imports(sample)]
    assert modules == ["bista.quality.models", "bista.quality.vbdocs", "bista.care.indicators", "bista.care.models"]
