"""Audit actions are declared: every action the code writes is in its context's `AuditAction` enum (read from the
source, so that a branch no test reaches is checked too), every declared action is written somewhere, and
`audit.record` refuses an undeclared one at run time."""

from __future__ import annotations

import ast
import enum
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import models, transaction

from bista.core import audit
from bista.core.access import SYSTEM
from bista.core.actions import AUDIT_ACTIONS, ActionRegistry, AuditAction
from bista.core.models import AuditEvent
from bista.core.testing import Organisation

BISTA = Path(__file__).resolve().parents[2]

# The writers of audit events are `audit.record` and every function that passes its own `action` parameter on to
# one (core's `save_new` and `update_versioned`, a service module's private `_save`): found, not listed by hand.

# Declared actions no code writes any more, kept so that older events still name a declared action. Empty: a
# declared action nobody writes is removed.
KEPT_FOR_OLD_EVENTS: set[str] = set()


@dataclass(frozen=True)
class Use:
    where: str
    value: str | None = None  # a literal action
    pattern: str | None = None  # an f-string's shape, as a regular expression
    problem: str | None = None


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(BISTA.rglob("*.py"))
        if "tests" not in path.parts and "migrations" not in path.parts and ".venv" not in path.parts
    ]


def _context(path: Path) -> str:
    return path.relative_to(BISTA).parts[0]


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return call.func.id if isinstance(call.func, ast.Name) else None


def _is_sink(call: ast.Call, path: Path, local_sinks: dict[str, int | None]) -> bool:
    name = _callee(call)
    if name == "record":  # audit.record, or record() inside the audit module itself
        audit_attr = isinstance(call.func, ast.Attribute) and getattr(call.func.value, "id", None) == "audit"
        return audit_attr or (path.name == "audit.py" and _context(path) == "core" and isinstance(call.func, ast.Name))
    return name in local_sinks


def _action_arg(call: ast.Call, position: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "action":
            return keyword.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _pass_throughs(tree: ast.Module, path: Path, known: dict[str, int | None]) -> dict[str, int | None]:
    """Functions of this module that hand their own `action` parameter to an audit writer (to a fixed point)."""
    found = dict(known)
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef) or node.name in found:
                continue
            params = [a.arg for a in node.args.posonlyargs + node.args.args]
            if "action" not in params and "action" not in [a.arg for a in node.args.kwonlyargs]:
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and _is_sink(call, path, found):
                    arg = _action_arg(call, found.get(_callee(call) or ""))
                    if isinstance(arg, ast.Name) and arg.id == "action":
                        found[node.name] = params.index("action") if "action" in params else None
                        changed = True
                        break
    return found


def _uses_of(value: ast.expr, where: str) -> list[Use]:
    if isinstance(value, ast.IfExp):
        return _uses_of(value.body, where) + _uses_of(value.orelse, where)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [Use(where, value=value.value)]
    if isinstance(value, ast.JoinedStr):
        parts = [re.escape(p.value) if isinstance(p, ast.Constant) else "[a-z_]+" for p in value.values]
        return [Use(where, pattern="".join(parts))]
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == "AuditAction":
        return [Use(where, value=f"AuditAction.{value.attr}")]
    return [Use(where, problem=f"cannot read the action {ast.unparse(value)!r}: use a literal or an AuditAction")]


def _audit_uses() -> dict[str, list[Use]]:
    """Per context, each action written to the audit trail, read from the source."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in _sources()}
    core_helpers: dict[str, int | None] = {}
    for path, tree in trees.items():
        if _context(path) == "core":
            core_helpers |= _pass_throughs(tree, path, {})
    # A context's pass-throughs serve its whole package (services split into modules share a private `_save`).
    context_helpers: dict[str, dict[str, int | None]] = {}
    for path, tree in trees.items():
        helpers = context_helpers.setdefault(_context(path), dict(core_helpers))
        helpers |= _pass_throughs(tree, path, helpers)
    uses: dict[str, list[Use]] = {}
    for path, tree in trees.items():
        sinks = _pass_throughs(tree, path, context_helpers[_context(path)])
        for call, function in _calls_with_their_function(tree).items():
            if not _is_sink(call, path, sinks):
                continue
            arg = _action_arg(call, sinks.get(_callee(call) or ""))
            where = f"{path.relative_to(BISTA.parent)}:{call.lineno}"
            if arg is None:
                found = [Use(where, problem="no action argument found")]
            elif isinstance(arg, ast.Name) and arg.id == "action" and function in sinks:
                continue  # a pass-through: its callers' actions are checked
            else:
                found = _uses_of(arg, where)
            uses.setdefault(_context(path), []).extend(found)
    return uses


def _calls_with_their_function(tree: ast.Module) -> dict[ast.Call, str | None]:
    """Every call, with the name of the innermost function it is in."""
    calls: dict[ast.Call, str | None] = {node: None for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for function in ast.walk(tree):  # outer functions first: an inner one overwrites its own calls
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    calls[node] = function.name
    return calls


def _declared_by(context: str) -> set[str]:
    return {
        str(member.value)
        for actions in AUDIT_ACTIONS.enums()
        if actions.__module__ == f"bista.{context}.actions"
        for member in actions
    }


def _enum_of(context: str) -> type[enum.Enum] | None:
    found = [e for e in AUDIT_ACTIONS.enums() if e.__module__ == f"bista.{context}.actions"]
    return found[0] if found else None


@pytest.fixture(scope="module")
def uses() -> dict[str, list[Use]]:
    return _audit_uses()


def test_the_scan_finds_the_audit_writes(uses: dict[str, list[Use]]) -> None:
    # A scan that found nothing would pass every check below: make sure it reads every context's writes.
    assert sum(len(found) for found in uses.values()) > 100
    assert {"core", "clients", "care", "quality", "staff", "rostering", "governance", "demo"} <= set(uses)


def test_every_action_written_is_declared_by_its_context(uses: dict[str, list[Use]]) -> None:
    problems = []
    for context, found in uses.items():
        declared = _declared_by(context)
        for use in found:
            if use.problem:
                problems.append(f"{use.where}: {use.problem}")
            elif use.value and use.value.startswith("AuditAction."):
                actions = _enum_of(context)
                if actions is None or use.value.removeprefix("AuditAction.") not in actions.__members__:
                    problems.append(f"{use.where}: {use.value} is not in bista.{context}.actions")
            elif use.value is not None and use.value not in declared:
                problems.append(f"{use.where}: {use.value!r} is not declared in bista/{context}/actions.py")
            elif use.pattern is not None and not any(re.fullmatch(use.pattern, v) for v in declared):
                problems.append(f"{use.where}: no declared action in bista/{context}/actions.py fits {use.pattern}")
    assert not problems, "\n".join(problems)


def test_every_declared_action_is_written_somewhere(uses: dict[str, list[Use]]) -> None:
    unused = []
    for actions in AUDIT_ACTIONS.enums():
        context = actions.__module__.split(".")[1]
        found = uses.get(context, [])
        for member in actions:
            value = str(member.value)
            written = any(
                use.value in (value, f"AuditAction.{member.name}") or (use.pattern and re.fullmatch(use.pattern, value))
                for use in found
            )
            if not written and value not in KEPT_FOR_OLD_EVENTS:
                unused.append(f"{actions.__module__}.{actions.__name__}.{member.name}")
    assert not unused, f"declared but never written (remove, or keep in KEPT_FOR_OLD_EVENTS): {unused}"


def test_every_context_declares_its_actions_from_ready() -> None:
    modules = {actions.__module__ for actions in AUDIT_ACTIONS.enums()}
    assert {f"bista.{context}.actions" for context in ("core", "clients", "care", "quality")} <= modules
    assert {f"bista.{context}.actions" for context in ("staff", "rostering", "governance", "demo")} <= modules


@pytest.mark.django_db
def test_record_refuses_an_undeclared_action(org: Organisation) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValueError, match=r"undeclared audit action: 'unit\.renamed'"), transaction.atomic():
        audit.record(actor=SYSTEM, action="unit.renamed", obj=org.provider, new={}, unit=org.provider)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_record_takes_the_enum_and_stores_its_value(org: Organisation) -> None:
    with transaction.atomic():
        event = audit.record(actor=SYSTEM, action=AuditAction.UNIT_UPDATE, obj=org.provider, unit=org.provider)
    event.refresh_from_db()
    assert event.action == "unit.update"
    assert type(event.action) is str
    assert AuditEvent.objects.filter(action="unit.update", object_id=str(org.provider.pk)).exists()


def test_a_registry_refuses_a_value_declared_twice_with_another_label() -> None:
    registry = ActionRegistry("test action", max_length=20)

    class First(enum.StrEnum):
        READ = "read"

    class Same(enum.StrEnum):
        READ = "read"

    class Labelled(models.TextChoices):
        READ = "read", "Läste"

    registry.declare(First)
    registry.declare(Same)  # the same value and label from another context: one action
    assert list(registry) == ["read"]
    with pytest.raises(ValueError, match="'read' is already declared as 'read'"):
        registry.declare(Labelled)
    assert registry.label("read") == "read"
    assert registry.check("read") == "read"
    assert registry.check(First.READ) == "read"
    with pytest.raises(ValueError, match="undeclared test action: 'write'"):
        registry.check("write")


def test_a_registry_refuses_a_value_longer_than_its_column() -> None:
    registry = ActionRegistry("test action", max_length=5)

    class TooLong(enum.StrEnum):
        FIVE = "fivee"
        SIX = "sixsix"

    with pytest.raises(ValueError, match="longer than 5"):
        registry.declare(TooLong)
    assert list(registry) == []  # nothing of a refused enum is declared
    assert registry.enums() == ()


def test_the_audit_actions_fit_the_audit_column() -> None:
    assert AUDIT_ACTIONS.max_length == AuditEvent._meta.get_field("action").max_length
