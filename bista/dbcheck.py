"""`python -m bista.dbcheck URL`: exit 0 when the PostgreSQL server of URL answers, else 1.

Used by `make test` to decide whether the PostgreSQL run can happen.
"""

from __future__ import annotations

import sys


def main(url: str) -> int:
    import psycopg

    # Connect to the maintenance database: the test run creates its own test database.
    try:
        conninfo = psycopg.conninfo.make_conninfo(url, dbname="postgres", connect_timeout=3)
        with psycopg.connect(conninfo):
            return 0
    except psycopg.Error:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
