"""A routine of the management system is reviewed at least once a year (SOSFS 2011:9, 5 kap.): the review
falls due in "Att göra" twelve months after the last one."""

import datetime

from django.db import migrations

START = datetime.date(2020, 1, 1)


def seed(apps, schema_editor):
    DutyRule = apps.get_model("core", "DutyRule")
    DutyRule.objects.update_or_create(
        code="quality.routine_review",
        valid_from=START,
        defaults={
            "name": "Rutin reviderad",
            "amount": 12,
            "unit": "months",
            "warn_days": 30,
            "legal_reference": "SOSFS 2011:9 (enhetens rutin: minst en gång per år)",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("quality", "0002_reference_data")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
