"""The shared plausibility checks (bista.core.validation): per-field date ranges, UTC offsets, clock times and
NUL characters, and that every form with a date field applies them (issue 14, defect 6)."""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from bista.care.models import JournalEntry
from bista.care.tests import factories as care_factories
from bista.core.testing import Organisation
from bista.core.tests.api_support import session_client
from bista.core.validation import (
    BIRTH_RANGE,
    DEFAULT_RANGE,
    PLANNING_RANGE,
    PlausibleDatesMixin,
    check_date,
    check_offset,
    check_text,
    check_time_of_day,
    range_for,
)
from bista.quality.models import Deviation

APPS = ["core", "clients", "staff", "care", "quality", "rostering", "governance", "overview"]


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code or "" for e in items] for field, items in error.error_dict.items()}


def test_ranges_per_field() -> None:
    today = timezone.localdate()
    assert range_for("occurred_at") is DEFAULT_RANGE
    assert range_for("birth_date") is BIRTH_RANGE
    assert range_for("valid_to") is PLANNING_RANGE
    assert DEFAULT_RANGE.latest() == datetime.date(today.year + 5, 12, 31)
    assert PLANNING_RANGE.latest() > DEFAULT_RANGE.latest()
    check_date(datetime.date(1920, 5, 1), "birth_date")  # an old person's birth date is plausible
    check_date(datetime.date(today.year + 15, 1, 1), "valid_to")  # a decision until a child is grown up
    for day, field in [
        (datetime.date(1, 1, 1), "event_date"),
        (datetime.date(70, 1, 1), "occurred_on"),
        (datetime.date(1899, 12, 31), "valid_from"),
        (datetime.date(9999, 12, 31), "end"),
        (datetime.date(today.year + 6, 1, 1), "starts_on"),
        (today + datetime.timedelta(days=1), "birth_date"),
        (datetime.date(1879, 12, 31), "birth_date"),
    ]:
        with pytest.raises(ValidationError) as caught:
            check_date(day, field)
        assert codes(caught.value) == {field: ["out_of_range"]}
        assert caught.value.error_dict[field][0].message.startswith("Ange ett datum mellan ")


def test_moments_offsets_clock_times_and_text() -> None:
    plus = datetime.timezone(datetime.timedelta(hours=14))
    check_date(datetime.datetime(2026, 2, 3, 9, 0, tzinfo=plus), "occurred_at")
    for hours in (15, -15, 16):
        with pytest.raises(ValidationError) as caught:
            check_offset(
                datetime.datetime(2026, 2, 3, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=hours))), "at"
            )
        assert codes(caught.value) == {"at": ["bad_offset"]}
    check_time_of_day(datetime.time(10, 0), "start_time")
    with pytest.raises(ValidationError) as caught:
        check_time_of_day(datetime.time(10, 0, tzinfo=datetime.UTC), "start_time")
    assert codes(caught.value) == {"start_time": ["time_with_zone"]}
    check_text("Astrid", "q")
    with pytest.raises(ValidationError):
        check_text("Ast\x00rid", "q")


def _form_classes() -> list[type[forms.BaseForm]]:
    modules = []
    for app in APPS:
        try:
            module = importlib.import_module(f"bista.{app}.forms")
        except ImportError:
            continue
        modules.append(module)
        for sub in pkgutil.iter_modules(getattr(module, "__path__", [])):
            modules.append(importlib.import_module(f"{module.__name__}.{sub.name}"))
    return [
        cls
        for module in modules
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    ]


def test_every_form_with_a_date_field_checks_its_range() -> None:
    """A new form with a date field fails here until it applies the shared checks."""
    classes = _form_classes()
    with_dates = [
        cls
        for cls in classes
        if any(isinstance(f, forms.DateField | forms.DateTimeField) for f in cls.base_fields.values())
    ]
    assert len(with_dates) >= 40, "the forms were not found"
    unchecked = [f"{cls.__module__}.{cls.__name__}" for cls in with_dates if not issubclass(cls, PlausibleDatesMixin)]
    assert not unchecked, unchecked


def test_a_form_refuses_an_implausible_date_naming_nothing_twice() -> None:
    class Probe(PlausibleDatesMixin, forms.Form):
        when = forms.DateField(label="När")
        valid_to = forms.DateField(label="Gäller till")

    far = f"{timezone.localdate().year + 15}-01-01"
    form = Probe(data={"when": "0070-01-01", "valid_to": far})
    assert not form.is_valid()
    assert list(form.errors) == ["when"]
    assert form.errors["when"][0].startswith("Ange ett datum mellan 1900-01-01 och")
    assert Probe(data={"when": "2026-01-01", "valid_to": far}).is_valid()
    # the validators belong to each form's copy of its fields: nothing accumulates on the class
    assert Probe.base_fields["when"].validators == []


@pytest.mark.django_db
def test_journal_entry_in_year_0001_is_refused_on_the_page(org: Organisation, manager: Any) -> None:
    astrid = care_factories.make_client(org.provider, first_name="Astrid", last_name="Lindqvist", teams=[org.team])
    data = {
        "event_date": "0001-01-01",
        "category": care_factories.category().pk,
        "text": "Promenad.",
        "rattar": "",
        "action": "signera",
    }
    response = session_client(manager).post(f"/brukare/{astrid.pk}/journal/", data)
    assert response.status_code == 200
    assert "Ange ett datum mellan 1900-01-01 och" in response.content.decode()
    assert JournalEntry.objects.count() == 0


@pytest.mark.django_db
def test_deviation_in_year_0070_is_refused_on_the_page(org: Organisation, staffer: Any) -> None:
    data = {
        "unit": org.provider.pk,
        "client": "",
        "occurred_on": "0070-02-03",
        "occurred_time": "09:00",
        "what_happened": "Medicinen gavs en timme för sent.",
    }
    response = session_client(staffer, verified=False).post("/avvikelser/ny/", data)
    assert response.status_code == 200
    assert "Datum då det hände: Ange ett datum mellan 1900-01-01 och" in response.content.decode()
    assert Deviation.objects.count() == 0
