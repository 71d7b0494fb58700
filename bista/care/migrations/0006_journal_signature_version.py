"""Journal signatures get a scheme version. Every existing entry was signed under scheme 1 and keeps it (its
signature is never re-made); new entries are signed under scheme 2, which does not depend on how a
timestamp is serialised (care.services.SIGNATURE_VERSION)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("care", "0005_order_events_append_only_signed_plans_guarded")]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="signature_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="signaturversion"),
            preserve_default=False,
        ),
    ]
