"""The economy's computed indicators as governance's reference data (their functions: economy/indicators.py,
registered in governance's registry)."""

import datetime

from django.db import migrations

START = datetime.date(2010, 1, 1)
# code, name, unit of measure, computed key, higher is better, decimals
INDICATORS = [
    ("budget_deviation", "Avvikelse mot budget (resultat)", "kr", "economy.budget_deviation", True, 0),
    ("overtime_cost", "Kostnad för övertid och mertid", "kr", "economy.overtime_cost", False, 0),
    ("hourly_paid_cost_share", "Timavlönades andel av lönekostnaden", "%", "economy.hourly_paid_cost_share", False, 1),
    ("revenue_per_granted_hour", "Intäkt per beviljad timme", "kr", "economy.revenue_per_granted_hour", True, 0),
]


def seed(apps, schema_editor):
    IndicatorDefinition = apps.get_model("governance", "IndicatorDefinition")
    for code, name, measure, key, higher, decimals in INDICATORS:
        IndicatorDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": measure,
                "source": "computed",
                "computed_key": key,
                "gender_split": False,
                "period_type": "tertial",
                "higher_is_better": higher,
                "decimals": decimals,
                "valid_from": START,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("economy", "0002_reference_data_permission"),
        ("governance", "0003_follow_up_revisions_append_only"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
