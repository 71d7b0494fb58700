"""Stored yearly outcomes (`YearOutcome`): kept once a year is closed, equal to the figures computed afresh,
read by the documents' history instead of recomputing it, computed again on correction; and one request
making the DOCX and the PDF of a document from the same figures."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bista.care.models import OrderEvent
from bista.care.tests.factories import make_client, make_order, signed_plan, step
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent
from bista.core.testing import Organisation
from bista.governance import documents, registry, rules, selectors, services, tasks
from bista.governance.models import GeneratedDocument, IndicatorDefinition, YearOutcome
from bista.governance.registry import Source
from bista.governance.tests.factories import PlanWorld, indicator, make_plan
from bista.quality.models import Feedback
from bista.quality.tests.factories import at, register_feedback, report_deviation

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 6, 1)
FOUR = Decimal("0.0001")


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR)


@pytest.fixture
def records(org: Organisation) -> None:
    """Two years of care, deviation and feedback records in the provider unit (and one in another unit)."""
    p = org.provider
    for year in (2023, 2024):
        a = make_client(p, first_name="Anna", last_name=f"Ahl{year}", gender="K")
        b = make_client(p, first_name="Bo", last_name=f"Berg{year}", gender="M")
        o1 = make_order(a, p, decision_date=D(year, 1, 10), received_on=D(year, 1, 15))
        step(o1, OrderEvent.Kind.FIRST_CONTACT, D(year, 1, 20))
        signed_plan(o1, D(year, 2, 1))
        step(o1, OrderEvent.Kind.EXECUTED, D(year, 3, 1))
        o2 = make_order(b, p, decision_date=D(year, 4, 20), received_on=D(year, 4, 30))
        step(o2, OrderEvent.Kind.FIRST_CONTACT, D(year, 5, 20))
        for month in range(1, 4 + year - 2023):
            report_deviation(p, occurred_at=at(year, month, 3), reported_at=at(year, month, 3))
        register_feedback(p, kind=Feedback.Kind.COMPLAINT, received_on=D(year, 4, 30))
    report_deviation(org.other_unit, occurred_at=at(2024, 2, 1), reported_at=at(2024, 2, 1))


def test_stored_outcomes_equal_the_figures_computed_afresh(org: Organisation, records: None) -> None:
    for year in (2023, 2024):
        services.year_outcomes_store(actor=SYSTEM, unit=org.provider, year=year, today=TODAY)
    computed = IndicatorDefinition.objects.filter(source=IndicatorDefinition.Source.COMPUTED)
    expected = [
        i for i in computed if i.computed_key in registry.REGISTRY and rules.period_allowed("VB", i.period_type)
    ]
    stored = {(o.indicator_id, o.year): o for o in YearOutcome.objects.filter(unit=org.provider)}
    assert len(stored) == 2 * len(expected) > 0
    with_value = 0
    for (indicator_id, year), row in stored.items():
        definition = next(i for i in expected if i.pk == indicator_id)
        fresh = registry.compute(
            definition.computed_key, Source(today=TODAY), org.provider.pk, rules.period_range(year, "VB")
        )
        row.refresh_from_db()
        assert (row.value, row.women, row.men, row.numerator, row.denominator) == (
            _q(fresh.value),
            _q(fresh.women),
            _q(fresh.men),
            _q(fresh.numerator),
            _q(fresh.denominator),
        ), definition.code
        with_value += row.value is not None
    assert with_value >= 8  # the care self-checks, deviations and complaints of both years have figures
    assert stored[(indicator("deviations").pk, 2023)].value == 3
    assert stored[(indicator("deviations").pk, 2024)].value == 4
    assert AuditEvent.objects.filter(action="year_outcomes.store").count() == 2


def test_a_year_not_yet_closed_is_not_stored(org: Organisation, manager: Any, other_manager: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.year_outcomes_store(actor=SYSTEM, unit=org.provider, year=2025, today=TODAY)
    assert "inte avslutat" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.year_outcomes_store(actor=other_manager, unit=org.provider, year=2024, today=TODAY)
    assert not YearOutcome.objects.exists()


def test_history_reads_stored_years_and_a_correction_is_recomputed(
    org: Organisation, manager: Any, records: None
) -> None:
    world = make_plan(org.provider, 2024)
    deviations = indicator("deviations")
    services.goal_indicator_add(actor=SYSTEM, goal=world.unit_goal, indicator=deviations, target=None)
    assert services.history_store(plan=world.plan, today=TODAY) > 0
    assert not services.history_store(plan=world.plan, today=TODAY)  # kept: nothing computed again
    # The year is corrected afterwards: a deviation of 2023 reported late.
    report_deviation(org.provider, occurred_at=at(2023, 11, 5), reported_at=at(2023, 11, 5))
    points = dict(selectors.history(Source(today=TODAY), deviations, org.provider.pk, 2024))
    assert points[2023] == 3  # the stored figure, not recomputed
    assert points[2024] == 4  # the document's own year is always computed
    row = selectors.indicator_row(Source(today=TODAY), world.first_contact, org.provider.pk, 2024, "VB")
    assert row.previous == YearOutcome.objects.get(indicator=indicator("first_contact"), year=2023).value
    services.history_store(plan=world.plan, today=TODAY, actor=manager, recompute=True)
    points = dict(selectors.history(Source(today=TODAY), deviations, org.provider.pk, 2024))
    assert (
        points[2023]
        == 4
        == registry.compute(
            "quality.deviations", Source(today=TODAY), org.provider.pk, rules.period_range(2023, "VB")
        ).value
    )
    assert AuditEvent.objects.filter(action="year_outcomes.store", actor=manager).exists()


def test_a_closed_year_without_a_stored_figure_is_computed(org: Organisation, records: None) -> None:
    points = dict(selectors.history(Source(today=TODAY), indicator("deviations"), org.provider.pk, 2024))
    assert points == {2019: 0, 2020: 0, 2021: 0, 2022: 0, 2023: 3, 2024: 4}
    assert not YearOutcome.objects.exists()  # a read keeps nothing


def test_one_request_makes_docx_and_pdf_from_one_reading(
    org: Organisation, manager: Any, records: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    world: PlanWorld = make_plan(org.provider, 2024)
    made = services.documents_request(actor=manager, unit=org.provider, year=2024, kind="VB", formats=("docx", "pdf"))
    assert [d.format for d in made] == ["docx", "pdf"] and made[1].made_with == made[0]
    assert AuditEvent.objects.filter(action="document.request").count() == 2
    readings = []
    real = documents.report_data

    def counted(*args: Any, **kwargs: Any) -> Any:
        readings.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(documents, "report_data", counted)
    tasks.make_documents([d.pk for d in made], today=TODAY)
    docx, pdf = (GeneratedDocument.objects.get(pk=d.pk) for d in made)
    assert docx.status == pdf.status == GeneratedDocument.Status.DONE, (docx.message, pdf.message)
    assert bytes(docx.content)[:2] == b"PK" and bytes(pdf.content)[:4] == b"%PDF"
    assert len(readings) == 1
    # The closed years of the VB's history were kept by the task: the next VB reads them.
    assert YearOutcome.objects.filter(unit=org.provider, year=2023).exists()
    assert world.plan.pk == docx.plan_id


def test_a_failed_reading_fails_every_format(org: Organisation, manager: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    make_plan(org.provider, 2024)
    made = services.documents_request(actor=manager, unit=org.provider, year=2024, kind="VB", formats=("docx", "pdf"))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(documents, "report_data", broken)
    tasks.make_documents([d.pk for d in made], today=TODAY)
    for document in made:
        document.refresh_from_db()
        assert document.status == GeneratedDocument.Status.FAILED and document.content is None


@pytest.mark.parametrize("formats", [(), ("docx", "docx"), ("odt",)])
def test_bad_formats_are_refused(org: Organisation, manager: Any, formats: tuple[str, ...]) -> None:
    make_plan(org.provider, 2024)
    with pytest.raises(ValidationError) as error:
        services.documents_request(actor=manager, unit=org.provider, year=2024, kind="VB", formats=formats)
    assert "format" in error.value.message_dict
    assert not GeneratedDocument.objects.exists()
