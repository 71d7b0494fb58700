"""Issue 14, defect 13: a crash during `bista demo` left the demo's first row behind, so every later
`make demo` refused until var/ was deleted, and on PostgreSQL the refusal named the SQLite file.

Now the generation is marked unfinished in its own transaction first and finished last; a later run finds
the unfinished mark, empties the database and generates again. Refusals name the database in use.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bista.clients.models import Client
from bista.core.models import District, Municipality
from bista.demo import generator, marker
from bista.demo.generator import MUNICIPALITY_CODE, MUNICIPALITY_NAME
from bista.demo.models import DemoGeneration

SMALL = ["--size", "0.05", "--years", "2", "--seed", "5", "--today", "2025-06-30"]


def demo(*arguments: str) -> str:
    out = io.StringIO()
    call_command("demo", *SMALL, *arguments, stdout=out)
    return out.getvalue()


class Crash(Exception):
    pass


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_crashed_generation_is_emptied_and_generated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    steps = generator.registered_steps()  # every context's steps imported before the list is replaced

    def crash(ctx: generator.Context) -> None:
        raise Crash("kill -9")

    # The crash comes after the district's records are committed: the worst case, much half-made data.
    monkeypatch.setattr(generator, "STEPS", [*steps, generator.Step("test.crash", crash, scope="finish")])
    with pytest.raises(Crash):
        demo()
    made_before_the_crash = set(Client.objects.values_list("personnummer", flat=True))
    assert made_before_the_crash and Municipality.objects.exists()
    assert list(DemoGeneration.objects.values_list("finished_at", flat=True)) == [None]
    assert marker.state() is marker.State.INCOMPLETE

    monkeypatch.setattr(generator, "STEPS", steps)
    output = demo("--unless-generated")  # what `make demo` runs

    assert "blev inte klar: databasen töms och demon skapas om" in output
    assert "chef / bista-demo" in output
    assert Municipality.objects.count() == 1
    assert set(Client.objects.values_list("personnummer", flat=True)) == made_before_the_crash  # no duplicates
    generation = DemoGeneration.objects.get()
    assert generation.finished_at is not None and (generation.scale, generation.seed) == ("unit", 5)
    assert marker.state() is marker.State.COMPLETE


@pytest.mark.django_db
def test_a_finished_demo_is_left_alone() -> None:
    demo()
    clients = Client.objects.count()
    assert "Demodata finns redan i" in demo("--unless-generated")
    with pytest.raises(CommandError, match="Demodata finns redan i"):
        demo()
    assert Client.objects.count() == clients
    assert DemoGeneration.objects.count() == 1


@pytest.mark.django_db
def test_the_refusal_names_the_database_in_use(settings: Any) -> None:
    Municipality.objects.create(name="Befintlig kommun", code="9999")
    with pytest.raises(CommandError) as refused:
        demo("--unless-generated")
    message = str(refused.value)
    name = str(connection.settings_dict["NAME"])
    assert "innehåller redan data" in message and name in message
    assert "var/bista.sqlite3" not in message  # the old message's fixed path, wrong on PostgreSQL
    assert ("PostgreSQL-databasen" if connection.vendor == "postgresql" else "SQLite-filen") in message
    assert not Client.objects.exists() and not District.objects.exists()


@pytest.mark.django_db
def test_a_crash_from_before_the_marker_is_recognised_but_real_data_is_not() -> None:
    assert marker.state() is marker.State.EMPTY
    municipality = Municipality.objects.create(name=MUNICIPALITY_NAME, code=MUNICIPALITY_CODE)
    assert marker.state() is marker.State.INCOMPLETE  # the one row a crashed run used to leave
    District.objects.create(municipality=municipality, name="Hägersten-Älvsjö stadsdelsnämnd")
    assert marker.state() is marker.State.OTHER_DATA
