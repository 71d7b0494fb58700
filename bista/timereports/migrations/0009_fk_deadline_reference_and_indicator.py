"""Reference data (verify): FK's time reports of a month are due on the 5th of the month after (the ordinary
payment cycle); and the governance indicator "FK reports sent on time" (its function: timereports/indicators.py,
registered in governance's registry)."""

import datetime

from django.db import migrations

START = datetime.date(2010, 1, 1)


def seed(apps, schema_editor):
    FkReportDeadline = apps.get_model("timereports", "FkReportDeadline")
    FkReportDeadline.objects.get_or_create(
        valid_from=START,
        defaults={
            "months_after": 1,
            "day": 5,
            "source": "Försäkringskassan, efterskottsbetalning: underlaget in senast den 5:e (verifiera)",
        },
    )
    IndicatorDefinition = apps.get_model("governance", "IndicatorDefinition")
    IndicatorDefinition.objects.update_or_create(
        code="fk_reports_on_time",
        defaults={
            "name": "Tidredovisningar till Försäkringskassan skickade i tid",
            "unit_of_measure": "%",
            "source": "computed",
            "computed_key": "timereports.fk_reports_on_time",
            "gender_split": False,
            "period_type": "tertial",
            "higher_is_better": True,
            "decimals": 0,
            "valid_from": START,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("timereports", "0008_fk_report_deadline"),
        ("governance", "0003_follow_up_revisions_append_only"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
