"""Who may change reference data that holds for the whole municipality (deadlines, categories): the
systemförvaltare. A unit manager's org.manage is about their own unit and does not reach it."""

import datetime

from django.db import migrations

VALID_FROM = datetime.date(2020, 1, 1)


def seed(apps, schema_editor):
    Permission = apps.get_model("core", "Permission")
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    permission, _ = Permission.objects.update_or_create(
        code="reference.manage", defaults={"name": "Ändra referensdata (tidsfrister, kategorier)"}
    )
    role = Role.objects.filter(code="systemforvaltare").first()
    if role is not None:
        RoleGrant.objects.get_or_create(role=role, permission=permission, valid_from=VALID_FROM)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_duty_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
