"""Figures computed from the records, kept per process under a key that changes with every committed write.

Every service write records an audit event in its own transaction (CONVENTIONS), so `data_version` (the newest
audit events) changes whenever a record changes: an entry cached under an older version is never read again.
What a cached value must depend on besides the records goes into its key (the date, reference data that is
edited outside the services, the arguments). Callers check access and log reads themselves, before and after
asking: the cache holds figures, not decisions about who may see them.

The cache is Django's `duties` alias (settings.CACHES): local memory per process, so a restart (deploy,
migration, restore) starts empty and no cache server is needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import connections, router

from bista.core.access import access_map, team_ids_for_user
from bista.core.models import AuditEvent

CACHE = "duties"
# How many of the newest audit event ids the version counts (see `data_version`): far more than the writes that
# can be in flight at once (a service writes a few events; an import one per client), so a transaction that
# commits after later-numbered ones still changes the version. Counting them costs ~0.3 ms at 2,000 (SQLite,
# 2 ms at 10,000). Only a transaction left open while more than this many newer events commit could go
# unseen, and then for at most the cache's TIMEOUT (settings.CACHES).
VERSION_WINDOW = 2_000

T = TypeVar("T")


def data_version() -> str:
    """A version of every record the services write: among the audit events of the last VERSION_WINDOW ids, the
    highest id, how many there are and the latest moment, read in one indexed query.

    Any committed write changes it: a new newest id, or (on PostgreSQL, where ids are handed out before commit)
    an older id that commits after a newer one and so raises the count. The moment guards against an id reused
    after a rollback (SQLite hands out max + 1 again), so a value computed inside a transaction that was rolled
    back is never found again.
    """
    connection = connections[router.db_for_read(AuditEvent)]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(id), COUNT(*), MAX(at) FROM {table} "  # noqa: S608 (the table name is the model's)
            f"WHERE id > (SELECT COALESCE(MAX(id), 0) FROM {table}) - %s",
            [VERSION_WINDOW],
        )
        latest, count, moment = cursor.fetchone()
    return f"{latest}:{count}:{moment}"


def cached(name: str, parts: object, compute: Callable[[], T]) -> T:
    """`compute()`, or the value it gave for the same `name`, `parts` and data version. `parts` must hold
    everything the value depends on besides the records the services write (its repr is hashed)."""
    cache = caches[CACHE]
    key = f"{name}:" + hashlib.sha256(repr((data_version(), parts)).encode()).hexdigest()
    value: T | None = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value


def viewer(user: object) -> tuple[object, ...]:
    """What a value computed for `user` depends on besides the records: who they are, the permissions they hold
    today per unit (grants are reference data, editable without an audit event) and their teams. Read per
    request anyway (the access map is kept on the user for the request)."""
    perms = sorted((unit, sorted(codes)) for unit, codes in access_map(user).items())
    return (getattr(user, "pk", None), perms, sorted(team_ids_for_user(user)))
