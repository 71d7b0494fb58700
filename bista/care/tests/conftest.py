"""The care tests' three clients (a module that needs one with more details defines its own)."""

from __future__ import annotations

import pytest

from bista.care.tests import factories as f
from bista.clients.models import Client
from bista.core.testing import Organisation


@pytest.fixture
def astrid(org: Organisation) -> Client:
    """A client of the provider unit in Team Ek (the staffer's team)."""
    return f.make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team])


@pytest.fixture
def bertil(org: Organisation) -> Client:
    """A client of the provider unit in Team Björk (not the staffer's team)."""
    return f.make_client(org.provider, first_name="Bertil", last_name="Berglund", teams=[org.other_team])


@pytest.fixture
def cecilia(org: Organisation) -> Client:
    """A client of the unit in the other district."""
    return f.make_client(org.other_unit, first_name="Cecilia", last_name="Carlsson", teams=[org.other_unit_team])
