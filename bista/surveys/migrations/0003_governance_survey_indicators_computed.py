"""Governance's survey indicators become computed from the survey's answers (bista.surveys.indicators,
registered in governance's registry): the three that were typed in (nöjd, bemötande, inflytande) change
source, and four more of the seeds' goals (trygghet, information, förstått beslutet, välja utförare) are
added. Values typed in before stay as they were; a computed definition simply no longer reads them.

This migration lives in the surveys app because it is the survey that makes the figures exist; it writes
only governance's reference table, through apps.get_model."""

import datetime

from django.db import migrations

START = datetime.date(2010, 1, 1)

# code, name, computed key
COMPUTED = [
    ("survey_satisfied", "Brukare som är nöjda med sina insatser (brukarundersökning)", "surveys.satisfied"),
    ("survey_treated", "Brukare som upplever att de bemöts väl (brukarundersökning)", "surveys.treated"),
    ("survey_influence", "Brukare som kan påverka insatsens utformning (brukarundersökning)", "surveys.influence"),
    ("survey_safe", "Brukare som känner sig trygga (brukarundersökning)", "surveys.safe"),
    ("survey_information", "Brukare som får den information de behöver (brukarundersökning)", "surveys.information"),
    ("survey_understood", "Brukare som förstått sitt beslut (brukarundersökning)", "surveys.understood"),
    (
        "survey_choice",
        "Brukare som fått information om möjligheten att välja utförare (brukarundersökning)",
        "surveys.choice",
    ),
]


def computed(apps, schema_editor):
    IndicatorDefinition = apps.get_model("governance", "IndicatorDefinition")
    for code, name, key in COMPUTED:
        IndicatorDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": "%",
                "source": "computed",
                "computed_key": key,
                "gender_split": True,
                "period_type": "year",
                "higher_is_better": True,
                "decimals": 0,
                "valid_from": START,
            },
        )


def manual(apps, schema_editor):
    IndicatorDefinition = apps.get_model("governance", "IndicatorDefinition")
    IndicatorDefinition.objects.filter(code__in=[c for c, _, _ in COMPUTED[:3]]).update(
        source="manual", computed_key=""
    )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_reference_questions_permissions"),
        ("governance", "0003_follow_up_revisions_append_only"),
    ]
    operations = [migrations.RunPython(computed, manual)]
