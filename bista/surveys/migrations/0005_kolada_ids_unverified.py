"""The standard questions' Kolada counterparts were placeholders (the Bistå indicator codes, not Kolada KPI ids).
No Kolada KPI id for the city's brukarbedömning could be verified, so they are emptied: a question without one is
left out of the Kolada-style export rather than exported under an invented id. The real KPI ids must be filled
in (`Question.kolada_kpi`, by a data migration like this one) once they are verified at Kolada and the city
confirms which measure it reports (ADR 0013)."""

from django.db import migrations

PLACEHOLDERS = {
    "survey_safe",
    "survey_treated",
    "survey_influence",
    "survey_information",
    "survey_understood",
    "survey_choice",
    "survey_satisfied",
}


def empty_placeholders(apps, schema_editor):  # type: ignore[no-untyped-def]
    Question = apps.get_model("surveys", "Question")
    Question.objects.filter(unit__isnull=True, kolada_kpi__in=PLACEHOLDERS).update(kolada_kpi="")


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_code_guesses")]

    operations = [migrations.RunPython(empty_placeholders, migrations.RunPython.noop)]
