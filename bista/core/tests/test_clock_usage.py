"""One clock: outside `bista/core/clock.py` no module reads the time or names the Stockholm zone itself.

The test reads the source (the AST, so comments and strings do not count) and refuses:
- calls that read the wall clock: `timezone.now()`, `timezone.localdate()` / `timezone.localtime()` without an
  argument, `datetime.now()`, `datetime.utcnow()`, `date.today()` (however `datetime` is spelled);
- importing `now`, `localdate` or `localtime` from `django.utils.timezone` (a read in disguise);
- a private `_now` / `_today` function;
- `ZoneInfo("Europe/Stockholm")`: the zone is `clock.STOCKHOLM`.

Converting an existing moment (`timezone.localtime(moment)`) is not a read and is allowed. So is a *reference* to
`timezone.now`: Django's `auto_now`/`auto_now_add` and `default=timezone.now` fields call it, and pointing them at
the clock would change every migration that names them; those timestamps record when a row was written, which a
frozen test clock has no reason to move.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CLOCK = Path("bista/core/clock.py")

# Allowed for now, each for a reason:
# - migrations are frozen history: they must keep running as written, whatever the code later does;
# - the demo generator is being reworked on its own (issue 15, item 10); it takes an explicit `today` and its
#   own reads of the present only refuse a future `today` and stamp its run;
# - tests build their data relative to the day they run, and freeze time through the `frozen_clock` fixture,
#   which is the seam this rule protects.
ALLOWED_PARTS = ("migrations", "demo", "tests")

READS = {"now", "utcnow", "today"}
ZONE_READS = {"localdate", "localtime"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _offences(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = _dotted(node.func)
            owner, _, attr = name.rpartition(".")
            last_owner = owner.rpartition(".")[2]
            if attr in READS and last_owner in {"timezone", "datetime", "date"}:
                found.append(f"line {node.lineno}: {name}()")
            elif attr in ZONE_READS and last_owner == "timezone" and not node.args:
                found.append(f"line {node.lineno}: {name}() without a moment")
            elif attr == "ZoneInfo":
                found.append(f"line {node.lineno}: ZoneInfo(...)")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "ZoneInfo":
            found.append(f"line {node.lineno}: ZoneInfo(...)")
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils.timezone":
            names = {alias.name for alias in node.names} & ({"now"} | ZONE_READS)
            if names:
                found.append(f"line {node.lineno}: from django.utils.timezone import {', '.join(sorted(names))}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in {"_now", "_today"}:
            found.append(f"line {node.lineno}: a private {node.name}()")
    return found


def _checked_files() -> list[Path]:
    files = []
    for top in ("bista", "config"):
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative == CLOCK or set(relative.parts) & set(ALLOWED_PARTS):
                continue
            files.append(relative)
    return files


def test_no_clock_reads_outside_the_clock_module() -> None:
    files = _checked_files()
    assert len(files) > 100  # the walk found the code (a wrong ROOT would pass with nothing to check)
    offences = {
        str(path): found for path in files if (found := _offences(ast.parse((ROOT / path).read_text(), str(path))))
    }
    assert offences == {}, "read the time through bista.core.clock (now, today, local_now, STOCKHOLM)"


def test_the_rule_sees_every_kind_of_read() -> None:
    """The checker itself: each forbidden form is caught, the allowed ones are not."""
    forbidden = [
        "timezone.now()",
        "django.utils.timezone.localdate()",
        "timezone.localtime()",
        "datetime.datetime.now(tz=datetime.UTC)",
        "datetime.now()",
        "datetime.date.today()",
        "date.today()",
        "datetime.datetime.utcnow()",
        'ZoneInfo("Europe/Stockholm")',
        'zoneinfo.ZoneInfo("Europe/Stockholm")',
        "from django.utils.timezone import now",
        "def _now():\n    return 1",
        "def _today():\n    return 1",
    ]
    for source in forbidden:
        assert _offences(ast.parse(source)), source
    allowed = [
        "clock.now()",
        "clock.today()",
        "timezone.localtime(moment)",
        "timezone.localdate(moment)",
        "models.DateTimeField(default=timezone.now)",
        "datetime.datetime.combine(day, datetime.time(), tzinfo=clock.STOCKHOLM)",
        "from django.utils import timezone",
    ]
    for source in allowed:
        assert not _offences(ast.parse(source)), source
