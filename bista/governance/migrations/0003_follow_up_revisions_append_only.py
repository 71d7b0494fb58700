"""A follow-up's saved versions are append-only: every earlier text stays readable as it was saved."""

from django.db import migrations

from bista.core.appendonly import make_append_only

forward, backward = make_append_only("governance_followuprevision")


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_reference_indicators_permissions")]
    operations = [migrations.RunPython(forward, backward)]
