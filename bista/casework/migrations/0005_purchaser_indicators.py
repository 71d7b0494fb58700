"""The purchaser's indicators (casework.indicators) as governance reference data, so the purchaser's VP/VB can
follow them up like the provider's. Seeded from casework's own table; marked for review like the rest."""

import datetime

from django.db import migrations

START = datetime.date(2020, 1, 1)


def seed(apps, schema_editor):
    from bista.casework.indicators import INDICATORS

    IndicatorDefinition = apps.get_model("governance", "IndicatorDefinition")
    for key, _kind, text, name, measure, gender, higher, decimals, _fn in INDICATORS:
        IndicatorDefinition.objects.update_or_create(
            code=key.replace(".", "_"),
            defaults={
                "name": name,
                "description": text,
                "unit_of_measure": measure,
                "source": "computed",
                "computed_key": key,
                "gender_split": gender,
                "period_type": "tertial",
                "higher_is_better": higher,
                "decimals": decimals,
                "valid_from": START,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_ivo_reports_delays_follow_ups"),
        ("governance", "0003_follow_up_revisions_append_only"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
