"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL set.

It runs in parallel (pytest-xdist, `-n auto --dist loadfile`, see the Makefile): each worker process has its
own test database and runs whole files, so a module's shared state (a module-scoped demo) stays in one worker.
A worker runs its files one after another, so the ordering pytest-django gives a single process (transactional
tests after all others) holds only within a file; the hooks below keep the reference data the migrations
seeded present for every test that follows a transactional one.
"""

from __future__ import annotations

import datetime
from collections.abc import Generator
from typing import Any

import pytest

from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_organisation, make_user
from bista.staff import services as staff_services

# The files that take longest, heaviest first, as measured on SQLite (issue 15, item 8: a full run's per-file
# sums of setup + call with --durations=0). Under xdist they are handed out first; see pytest_collection_modifyitems.
# A stale list costs only time, never a result: every file still runs whole, in one worker.
HEAVY_FIRST = (
    "bista/core/tests/test_route_access.py",
    "bista/demo/tests/test_generator.py",
    "bista/core/tests/test_api_fuzz.py",
    "bista/demo/tests/test_restart.py",
    "bista/quality/tests/test_views_vb.py",
    "bista/care/tests/test_emergency.py",
    "bista/rostering/tests/test_rules_properties.py",
    "bista/rostering/tests/test_api.py",
    "bista/care/tests/test_views_journal.py",
    "bista/demo/tests/test_demo_rostering.py",
    "bista/care/tests/test_duties.py",
    "bista/demo/tests/test_demo_quality.py",
    "bista/staff/tests/test_duties.py",
    "bista/demo/tests/test_demo_care.py",
    "bista/governance/tests/test_documents.py",
    "bista/casework/tests/test_duty_candidates.py",
    "bista/quality/tests/test_api_quality.py",
    "bista/demo/tests/test_demo_casework.py",
    "bista/demo/tests/test_demo_surveys.py",
    "bista/core/tests/test_bad_query_pages.py",
)


def pytest_configure(config: pytest.Config) -> None:
    """xdist's --dist loadfile hands out files by their number of tests, most first, unless told not to: the
    slowest files here have one to three tests each (a fuzzing probe, a demo generation, a ten-year comparison),
    so they came last and one worker ran them alone at the end. The order below is used instead."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def _file_order(items: list[pytest.Item]) -> None:
    """In an xdist worker, put the files in the order they are handed out: HEAVY_FIRST, then the rest by number
    of tests, most first (xdist's own default). A stable sort: each file keeps its tests' order."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.nodeid.split("::", 1)[0]] = counts.get(item.nodeid.split("::", 1)[0], 0) + 1
    rank = {path: index for index, path in enumerate(HEAVY_FIRST)}

    def key(item: pytest.Item) -> tuple[int, int, str]:
        path = item.nodeid.split("::", 1)[0]
        return rank.get(path, len(rank)), -counts[path], path

    items.sort(key=key)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return marker is not None and bool(marker.kwargs.get("transaction"))


@pytest.hookimpl(trylast=True)  # after pytest-django's ordering, whose order within each file this keeps
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A transactional test empties the database when it ends; only one that serialised the reference data
    first (serialized_rollback=True) leaves something the hook below can put back. In an xdist worker the files
    are put in the order they should be handed out (`_file_order`); a run in one process keeps pytest-django's."""
    if hasattr(config, "workerinput"):
        _file_order(items)
    for item in items:
        marker = item.get_closest_marker("django_db")
        if _transactional(item) and marker is not None and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    """After a transactional test has flushed the database, put the migrations' reference data (roles,
    categories, rules…) back before a test that expects it: in a worker, files of ordinary tests follow."""
    result = yield
    if _transactional(item) and nextitem is not None and not _transactional(nextitem):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        from bista.core.models import Role

        with item.config.stash[blocking_manager_key].unblock():
            if Role.objects.exists():  # skipped before its database was set up: nothing was flushed
                return result
            for connection in connections.all():
                if hasattr(connection, "_test_serialized_contents"):
                    connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
    return result


@pytest.fixture
def org(db: Any) -> Organisation:
    return make_organisation()


@pytest.fixture
def user_factory(db: Any) -> Any:
    return make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_session_refresh_during_tests(settings: Any) -> None:
    """A signed-in session is refreshed once a minute in production; in tests only where a test asks for it
    (core/tests/test_security.py), so that a pinned query budget never depends on how long a test took."""
    settings.BISTA_SESSION_REFRESH_SECONDS = 24 * 3600


@pytest.fixture(autouse=True)
def _empty_data_cache() -> None:
    """Each test starts with an empty per-process cache of computed figures (core.datacache): its key is the
    newest audit events, and on SQLite a rolled-back test's ids come back in the next one — under a frozen clock
    with the same moment — so two tests could otherwise share a version while their records differ."""
    from django.core.cache import caches

    from bista.core.datacache import CACHE

    caches[CACHE].clear()


@pytest.fixture
def no_two_factor(settings: Any) -> None:
    """Two-factor sign-in off, for tests of pages (two-factor itself is tested in core/tests/test_account.py)."""
    settings.BISTA_REQUIRE_2FA = False


@pytest.fixture
def astrid(org: Organisation) -> Any:
    """A client of the provider unit in Team Ek (modules that need another Astrid define their own)."""
    from bista.clients import services as client_services
    from bista.core.tests.api_support import fake_personnummer

    return client_services.client_create(
        actor=SYSTEM,
        unit=org.provider,
        personnummer=fake_personnummer("19450307", 982),
        first_name="Astrid",
        last_name="Lindqvist",
        teams=[org.team],
        fictitious=True,
    )


@pytest.fixture
def manager(org: Organisation) -> Any:
    """Enhetschef of the provider unit: sees, manages and exports all its clients and staff."""
    return make_user("chef", RoleCode.UNIT_MANAGER, org.provider)


@pytest.fixture
def other_manager(org: Organisation) -> Any:
    """Enhetschef of the unit in the other district."""
    return make_user("annanchef", RoleCode.UNIT_MANAGER, org.other_unit)


@pytest.fixture
def nobody(db: Any) -> Any:
    """Signed in, with no role anywhere."""
    return make_user("ingen")


@pytest.fixture
def staffer(org: Organisation) -> Any:
    """A medarbetare of the provider unit working in Team Ek (sees that team's clients, manages nobody)."""
    user = make_user("assistent", RoleCode.EMPLOYEE, org.provider)
    staff_services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        first_name="Assi",
        last_name="Stent",
        employment_type="tillsvidare",
        start_date=datetime.date(2020, 1, 1),
        teams=[org.team],
        user=user,
        fictitious=True,
    )
    return user


@pytest.fixture
def anna(org: Organisation) -> Any:
    """An employee of the provider unit in Team Ek, with no user account."""
    return staff_services.employee_create(
        actor=SYSTEM,
        unit=org.provider,
        first_name="Anna",
        last_name="Andersson",
        employment_type="tillsvidare",
        start_date=datetime.date(2021, 3, 1),
        teams=[org.team],
        fictitious=True,
    )


@pytest.fixture
def four_ways(nobody: Any, manager: Any, other_manager: Any) -> Any:
    """Browsers for the four ways a page is probed: anonymous, signed in with no role (`nobody`), the provider
    unit's manager, and the other district's manager (pages.FourWays; a module whose permission lies elsewhere
    builds its own with pages.four_ways)."""
    from bista.core.tests.pages import four_ways as build

    return build(no_permission=nobody, permission=manager, other_unit=other_manager)


@pytest.fixture
def frozen_clock() -> Any:
    """Freeze bista.core.clock at a moment: `frozen_clock(datetime)` (aware) sets it; restored after the test."""
    from bista.core import clock

    def freeze(moment: datetime.datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("frozen_clock needs an aware datetime")
        clock.set_source(lambda: moment)

    yield freeze
    clock.set_source(None)


def _hypothesis_profiles() -> None:
    """CI replays a fixed set of generated examples (derandomize), so that a landing never depends on the draw;
    a developer's `make test` draws new ones each run and keeps the failures it finds (they are then added as
    `@example`s). .ci/run sets BISTA_HYPOTHESIS_PROFILE=ci."""
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    settings.register_profile("dev", print_blob=True)
    settings.load_profile(os.environ.get("BISTA_HYPOTHESIS_PROFILE", "dev"))


_hypothesis_profiles()
