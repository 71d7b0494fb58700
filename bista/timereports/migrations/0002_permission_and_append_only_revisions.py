"""The permission time.attest (attest worked time, and later close the month) for the unit's managers; and
the revisions of worked time and the attestations made append-only on PostgreSQL (core/appendonly.py)."""

import datetime

from django.db import migrations

from bista.core.appendonly import make_append_only

append_only, drop_append_only = make_append_only("timereports_workedtimerevision", "timereports_attestation")

PERMISSIONS = {"time.attest": "Attestera medarbetarnas arbetade tid och stänga månaden"}
GRANTS = {"enhetschef": ["time.attest"], "bitradande_enhetschef": ["time.attest"]}


def seed(apps, schema_editor):
    Permission = apps.get_model("core", "Permission")
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    for code, name in PERMISSIONS.items():
        Permission.objects.update_or_create(code=code, defaults={"name": name})
    for role_code, codes in GRANTS.items():
        role = Role.objects.filter(code=role_code).first()
        if role is None:
            continue
        for code in codes:
            RoleGrant.objects.get_or_create(
                role=role, permission=Permission.objects.get(code=code), valid_from=datetime.date(2020, 1, 1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("timereports", "0001_worked_time_attestation"),
        ("core", "0008_idempotency_record"),
    ]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
