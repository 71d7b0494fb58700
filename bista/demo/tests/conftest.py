"""One small demo per test module, for the tests that only read it.

Generating even a small demo takes seconds, so a module's reading tests share one: the `demo` fixture
generates the module's `SMALL` arguments once, inside a transaction that is rolled back after the module's
last test. Each test still runs in its own savepoint inside it (pytest-django), so a test that writes a row
leaves nothing behind for the next. Tests that generate a demo themselves (same seed, same data) need an
empty database: the hook below runs them before the module's shared demo is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from bista.demo import generator

HERE = Path(__file__).parent
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[generator.Context]:
    """The module's small demo (generator.generate(**SMALL)), made once and rolled back after the module.

    Made before the tests' function-scoped settings apply, so with the same fast password hasher as the root
    conftest's `_fast_passwords` (a hash made otherwise would not verify under it)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        ctx = generator.generate(**request.module.SMALL)
        yield ctx
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def generated_apart(
    request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any
) -> dict[str, list[tuple[Any, ...]]]:
    """The module's `FINGERPRINT()` of its SMALL arguments generated into the empty database and rolled back,
    once per module: a test of determinism compares it with the shared demo (a second, independent generation
    with the same seed) instead of generating twice more itself. The hook below runs the tests that ask for it
    before the shared demo is made; the emptiness check makes a wrong order fail instead of pass."""
    from bista.core.models import Municipality

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        assert not Municipality.objects.exists(), "generated_apart needs the empty database: ask for it first"
        generator.generate(**request.module.SMALL)
        fingerprint: dict[str, list[tuple[Any, ...]]] = request.module.FINGERPRINT()
        transaction.set_rollback(True)
    return fingerprint


def _uses_database(item: pytest.Item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in getattr(item, "fixturenames", ())


def _order(item: pytest.Item) -> tuple[bool, bool]:
    """Tests without the shared demo first, then those comparing it with `generated_apart` (made before the
    demo), then the rest."""
    names = getattr(item, "fixturenames", ())
    return "demo" in names, "generated_apart" not in names


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering, which this keeps
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In each module here, the database tests that do not read the shared demo take the first of the places
    the module's database tests hold: they run while the database is still empty (see `_order`)."""
    places: dict[Path, list[int]] = {}
    for index, item in enumerate(items):
        if item.path.parent == HERE and _uses_database(item):
            places.setdefault(item.path, []).append(index)
    for indexes in places.values():
        module_items = [items[i] for i in indexes]
        ordered = sorted(module_items, key=_order)
        for index, item in zip(indexes, ordered, strict=True):
            items[index] = item
