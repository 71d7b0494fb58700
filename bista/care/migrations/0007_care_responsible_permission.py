"""The permission care.responsible: who may be named the responsible deputy (ansvarig) of an order — the unit's
managers and deputy managers, not everyone with a role in the unit. The order form offers only them and the
order service refuses anyone else."""

import datetime

from django.db import migrations

PERMISSIONS = {"care.responsible": "Kan vara ansvarig för en beställning"}
GRANTS = {"enhetschef": ["care.responsible"], "bitradande_enhetschef": ["care.responsible"]}


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
        ("care", "0006_journal_signature_version"),
        ("core", "0008_idempotency_record"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
