"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL with DATABASE_URL set."""

from __future__ import annotations

from typing import Any

import pytest

from bista.core.testing import Organisation, make_organisation, make_user


@pytest.fixture
def org(db: Any) -> Organisation:
    return make_organisation()


@pytest.fixture
def user_factory(db: Any) -> Any:
    return make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
