"""What was reported to IVO is kept as it was sent: the reports and their rows are append-only (a correction is
a new revision)."""

from django.db import migrations

from bista.core.appendonly import make_append_only

append_only, drop_append_only = make_append_only("casework_ivoreport", "casework_ivoreportrow")


class Migration(migrations.Migration):
    dependencies = [("casework", "0005_purchaser_indicators")]
    operations = [migrations.RunPython(append_only, drop_append_only)]
