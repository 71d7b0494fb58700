"""The lock-and-version primitives (core/versioning.py) and the versioned-edit view helper (core/forms.py),
tested directly on a real versioned record (a client) on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import RequestFactory

from bista.clients.models import Client
from bista.core.errors import ConflictError
from bista.core.forms import CONFLICT_HINT, edit_versioned, refreshed
from bista.core.models import AuditEvent
from bista.core.versioning import Versioned, check_version, lock_for_edit, update_versioned
from bista.staff.models import Employee

pytestmark = pytest.mark.django_db


class StaleShift(ConflictError):
    """A context's own conflict type (rostering's ShiftConflict is one)."""


def _rename(client: Client, expected_version: int | None, name: str) -> Client:
    return update_versioned(
        actor=None,
        obj=client,
        expected_version=expected_version,
        changes={"first_name": name},
        editable=("first_name",),
        audited=("first_name",),
        action="client.update",
        unit=None,
    )


def _bump(client: Client, times: int = 1) -> None:
    Client.objects.filter(pk=client.pk).update(version=client.version + times)


def test_every_versioned_record_starts_at_version_one(astrid: Client) -> None:
    assert isinstance(astrid, Versioned)
    assert astrid.version == 1


def test_lock_for_edit_returns_the_saved_row(astrid: Client) -> None:
    Client.objects.filter(pk=astrid.pk).update(first_name="Astrid Maria")
    with transaction.atomic():
        locked = lock_for_edit(Client, astrid.pk, 1)
    assert locked is not astrid
    assert (locked.first_name, locked.version) == ("Astrid Maria", 1)


def test_lock_for_edit_refuses_a_stale_version(astrid: Client) -> None:
    _bump(astrid, 2)
    with pytest.raises(ConflictError) as caught, transaction.atomic():
        lock_for_edit(Client, astrid.pk, 1)
    assert caught.value.current_version == 3
    assert caught.value.code == "conflict"


def test_lock_for_edit_refuses_a_version_from_the_future(astrid: Client) -> None:
    with pytest.raises(ConflictError) as caught, transaction.atomic():
        lock_for_edit(Client, astrid.pk, 2)
    assert caught.value.current_version == 1


def test_lock_for_edit_without_a_version_is_the_system_actor(astrid: Client) -> None:
    _bump(astrid, 4)
    with transaction.atomic():
        assert lock_for_edit(Client, astrid.pk, None).version == 5


def test_lock_for_edit_raises_the_contexts_conflict_type(astrid: Client) -> None:
    _bump(astrid)
    with pytest.raises(StaleShift) as caught, transaction.atomic():
        lock_for_edit(Client, astrid.pk, 1, conflict=StaleShift)
    assert caught.value.current_version == 2


def test_lock_for_edit_joins_related_rows(anna: Employee, django_assert_num_queries: Any) -> None:
    with transaction.atomic():
        locked = lock_for_edit(Employee, anna.pk, 1, related=("unit",))
        with django_assert_num_queries(0):
            assert locked.unit.name == anna.unit.name  # read from the join, no second query


def test_check_version_of_a_row(astrid: Client) -> None:
    check_version(astrid, 1)
    check_version(astrid, None)
    with pytest.raises(ConflictError) as caught:
        check_version(astrid, 0)
    assert caught.value.current_version == 1


def test_check_version_of_a_record_not_yet_created() -> None:
    """A get-or-create: only an edit that started from nothing may create the record."""
    check_version(None, None)
    check_version(None, 0)
    with pytest.raises(ConflictError) as caught:
        check_version(None, 1)
    assert caught.value.current_version == 0


def test_update_versioned_saves_bumps_and_audits(astrid: Client) -> None:
    before = AuditEvent.objects.count()
    with transaction.atomic():
        saved = _rename(astrid, 1, "Asta")
    astrid.refresh_from_db()
    assert (saved.version, astrid.version, astrid.first_name) == (2, 2, "Asta")
    assert AuditEvent.objects.count() == before + 1


def test_update_versioned_stale_saves_nothing(astrid: Client) -> None:
    _bump(astrid)
    before = AuditEvent.objects.count()
    with pytest.raises(ConflictError), transaction.atomic():
        _rename(astrid, 1, "Asta")
    astrid.refresh_from_db()
    assert (astrid.first_name, astrid.version) == ("Astrid", 2)
    assert AuditEvent.objects.count() == before


# --- The view helper ------------------------------------------------------------------------------------


class NameForm(forms.Form):
    first_name = forms.CharField(label="Förnamn")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, greeting: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.greeting = greeting


def _posted(version: int, name: str = "Asta") -> tuple[Any, NameForm]:
    request = RequestFactory().post("/", {"first_name": name, "version": str(version)})
    form = NameForm(request.POST)
    assert form.is_valid()
    return request, form


def _save(client: Client) -> Any:
    return lambda data: _rename(client, data["version"], data["first_name"])


def test_edit_versioned_saved(astrid: Client) -> None:
    request, form = _posted(1)
    edit = edit_versioned(request, form, _save(astrid), reload=lambda: refreshed(astrid), compare=("first_name",))
    assert edit.done and not edit.conflict
    assert edit.result is not None and edit.result.first_name == "Asta"
    assert edit.form is form and edit.saved == []


def test_edit_versioned_conflict_keeps_the_input_with_the_saved_version(astrid: Client) -> None:
    Client.objects.filter(pk=astrid.pk).update(first_name="Astri", version=2)
    request, form = _posted(1)
    edit = edit_versioned(
        request,
        form,
        _save(astrid),
        reload=lambda: refreshed(astrid),
        rebind=lambda current: {"greeting": f"v{current.version}"},
        compare=("first_name",),
    )
    assert not edit.done and edit.conflict and edit.current.version == 2
    assert edit.saved == [("Förnamn", "Astri")]
    again = edit.form
    assert again is not form and isinstance(again, NameForm) and again.greeting == "v2"
    assert again.data["first_name"] == "Asta" and again.data["version"] == "2"
    assert again.non_field_errors() == [f"{ConflictError.default_message} {CONFLICT_HINT}"]
    astrid.refresh_from_db()
    assert astrid.first_name == "Astri"


def test_edit_versioned_conflict_with_own_hint_and_comparison(astrid: Client) -> None:
    _bump(astrid)
    request, form = _posted(1)
    edit = edit_versioned(
        request,
        form,
        _save(astrid),
        reload=lambda: refreshed(astrid),
        compare=lambda form, current: [("Version", str(current.version))],
        hint="",
    )
    assert edit.saved == [("Version", "2")]
    assert edit.form.non_field_errors() == [ConflictError.default_message]


def test_edit_versioned_refused_save_goes_to_the_form(astrid: Client) -> None:
    request, form = _posted(1)

    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError({"first_name": "Fel namn."})

    edit = edit_versioned(request, form, refuse, reload=lambda: refreshed(astrid))
    assert not edit.done and not edit.conflict and edit.form is form
    assert form.errors["first_name"] == ["Fel namn."]

    seen: list[str] = []
    request, form = _posted(1)
    edit_versioned(
        request, form, refuse, reload=lambda: refreshed(astrid), invalid=lambda f, e: seen.extend(e.messages)
    )
    assert seen == ["Fel namn."] and not form.errors
