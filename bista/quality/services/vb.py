"""Writes of the quality report (kvalitetsberättelsen): the manager's assessment per section."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from bista.core import audit
from bista.core.access import check_perm
from bista.core.errors import ConflictError
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import check_version
from bista.quality import rules
from bista.quality.models import (
    QualityCategory,
    VbAssessment,
)
from bista.quality.services.common import _person


@transaction.atomic
def vb_assessment_save(
    *, actor: Any, unit: Unit, year: int, row_key: str, text: str, expected_version: int | None
) -> VbAssessment:
    """The free-text "Bedömning och planerade åtgärder" of one row; a stale save conflicts."""
    check_perm(actor, Perm.QUALITY_MANAGE, unit)
    refs = [rules.CategoryRef(c.group, c.code, c.name) for c in QualityCategory.objects.all()]
    if row_key not in {row.key for row in rules.vb_layout(refs)}:
        raise ValidationError({"row_key": "Raden finns inte i tabellen."})
    assessment, created = VbAssessment.objects.select_for_update().get_or_create(
        unit=unit, year=year, row_key=row_key, defaults={"updated_by": _person(actor)}
    )
    if not created:
        check_version(assessment, expected_version)
    if created and expected_version not in (None, 0):
        raise ConflictError(current_version=assessment.version)
    old = {"text": assessment.text}
    assessment.text = (text or "").strip()
    assessment.updated_by = _person(actor)
    if not created:
        assessment.version += 1
    assessment.save()
    audit.record(
        actor=actor, action="vb_assessment.save", obj=assessment, old=old, new={"text": assessment.text}, unit=unit
    )
    return assessment
