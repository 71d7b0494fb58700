"""Reference data (verify against the current agreement and law): the time bands of AB's OB supplements as
commonly applied to municipal assistants — evening weekdays 19–22, night 22–06, weekend Friday 19 to Monday
07 — and the municipality's first 20 hours a week of personal assistance (SFB 51 kap.)."""

import datetime

from django.db import migrations

START = datetime.date(2010, 1, 1)
SOURCE = "AB/PAN, OB-tider (verifiera mot gällande avtal)"
# code, weekdays, start, end, priority
BANDS = [
    ("evening", "12345", datetime.time(19), datetime.time(22), 1),
    ("night", "1234567", datetime.time(22), datetime.time(6), 2),
    ("weekend", "5", datetime.time(19), datetime.time(0), 3),
    ("weekend", "67", datetime.time(0), datetime.time(0), 3),
    ("weekend", "1", datetime.time(0), datetime.time(7), 3),
]


def seed(apps, schema_editor):
    TimeBand = apps.get_model("timereports", "TimeBand")
    MunicipalShareRule = apps.get_model("timereports", "MunicipalShareRule")
    for code, weekdays, start, end, priority in BANDS:
        TimeBand.objects.get_or_create(
            code=code,
            weekdays=weekdays,
            start_time=start,
            end_time=end,
            valid_from=START,
            defaults={"priority": priority, "source": SOURCE},
        )
    MunicipalShareRule.objects.get_or_create(
        valid_from=START, defaults={"hours_per_week": 20, "source": "SFB 51 kap. 2 § (verifiera)"}
    )


class Migration(migrations.Migration):
    dependencies = [("timereports", "0004_time_bands_municipal_share")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
