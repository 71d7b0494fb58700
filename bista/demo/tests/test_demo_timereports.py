"""The demo's worked time (bista.demo.timereports): confirmed, attested, closed months and FK reports that agree
with the records — a small demo, generated once for the module (the `demo` fixture, conftest.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bista.demo import generator
from bista.rostering.models import Shift
from bista.timereports import elt, fkreports, rules
from bista.timereports.checklist import month_checklist
from bista.timereports.models import FkReport, MonthClose, WorkedTime, WorkedTimeRevision

TODAY = datetime.date(2025, 11, 30)
SMALL: dict[str, Any] = {"scale": "unit", "years": 2, "seed": 12, "size": 0.1, "today": TODAY}
LAST_CLOSED = datetime.date(2025, 9, 1)
pytestmark = pytest.mark.django_db


def test_worked_shifts_are_confirmed_with_their_revisions(demo: generator.Context) -> None:
    unit = demo.districts[0].provider
    before = rules.local_midnight(datetime.date(2025, 11, 1))
    worked = Shift.objects.filter(unit=unit, status=Shift.Status.WORKED, employee__isnull=False, ends_at__lte=before)
    assert worked.exists() and not worked.filter(worked_time__isnull=True).exists()
    assert WorkedTimeRevision.objects.filter(number=1).count() == WorkedTime.objects.count()
    corrected = WorkedTimeRevision.objects.filter(number=2, after_attestation=True)
    assert corrected.exists() and corrected.count() == WorkedTime.objects.filter(revision=2).count()


def test_closed_months_pass_their_checklist_and_reports_match_the_records(demo: generator.Context) -> None:
    unit = demo.districts[0].provider
    assert MonthClose.objects.filter(unit=unit, month=LAST_CLOSED, status="locked").exists()
    assert not MonthClose.objects.filter(unit=unit, month=datetime.date(2025, 10, 1)).exists()
    for month in (LAST_CLOSED, datetime.date(2024, 12, 1)):
        checklist = month_checklist(unit, month)
        assert not checklist.blocking, checklist.summary()
        assert checklist.summary()["fk_reports"] == 0
        rows = fkreports.reconciliation(unit, month)
        assert rows and all(row.reported == row.confirmed and not row.missing for row in rows)


def test_reports_are_sent_corrected_and_valid(demo: generator.Context) -> None:
    assert FkReport.objects.filter(month=LAST_CLOSED, status=FkReport.Status.SENT).exists()
    assert set(FkReport.objects.filter(month=datetime.date(2025, 10, 1)).values_list("status", flat=True)) == {
        FkReport.Status.ATTESTED
    }
    corrected = FkReport.objects.filter(status=FkReport.Status.CORRECTED)
    assert corrected.exists() and all(report.superseded_by.status == "sent" for report in corrected)
    report = FkReport.objects.filter(status=FkReport.Status.SENT).order_by("pk").first()
    assert report is not None
    elt.validate(elt.to_xml(report.content))
