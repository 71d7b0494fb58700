"""Order events are append-only; a signed plan version (and its activities) can no longer be changed in the
database, while drafts stay editable and signing the next version may mark it superseded."""

from django.db import migrations

from bista.core.appendonly import make_append_only, make_guarded

append_only, drop_append_only = make_append_only("care_orderevent")
guarded, drop_guarded = make_guarded("care_implementationplan", "care_planactivity")


class Migration(migrations.Migration):
    dependencies = [("care", "0004_binder_review_indexes")]
    operations = [
        migrations.RunPython(append_only, drop_append_only),
        migrations.RunPython(guarded, drop_guarded),
    ]
