from django.db import migrations

from bista.core.appendonly import make_append_only

forward, backward = make_append_only("core_auditevent")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_reference_roles_permissions")]
    operations = [migrations.RunPython(forward, backward)]
