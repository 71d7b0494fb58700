from django.db import migrations

from bista.core.appendonly import make_append_only

forward, backward = make_append_only("clients_accesslogentry")


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_clients_access_log")]
    operations = [migrations.RunPython(forward, backward)]
