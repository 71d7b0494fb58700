"""Self-check results are append-only; a Lex Sarah report's recorded steps, a deviation as reported (and all
of it once closed) and a deviation's recorded actions can no longer be changed or deleted in the database."""

from django.db import migrations

from bista.core.appendonly import make_append_only, make_guarded

append_only, drop_append_only = make_append_only("quality_selfcheckresult")
guarded, drop_guarded = make_guarded("quality_lexsarahreport", "quality_deviation", "quality_deviationaction")


class Migration(migrations.Migration):
    dependencies = [("quality", "0003_routine_review_rule")]
    operations = [
        migrations.RunPython(append_only, drop_append_only),
        migrations.RunPython(guarded, drop_guarded),
    ]
