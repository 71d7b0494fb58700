"""Reference data: permissions, roles and what each role may do, valid from 2020-01-01.

An administrator changes grants by ending one (valid_to) and adding another, so history stays readable.
"""

import datetime

from django.db import migrations

PERMISSIONS = {
    "org.view": "Se enheter och arbetsgrupper",
    "org.manage": "Ändra enheter, arbetsgrupper och roller",
    "client.view_all": "Se alla enhetens brukare",
    "client.view_team": "Se brukarna i sina arbetsgrupper",
    "client.manage": "Registrera och ändra brukaruppgifter",
    "client.export": "Exportera brukaruppgifter",
    "employee.view": "Se enhetens medarbetare",
    "employee.manage": "Registrera och ändra medarbetare",
    "log.review": "Granska åtkomstloggen (loggkontroll)",
    "api.token": "Skapa API-nycklar för integrationer",
}

# code: (name, requires_two_factor, permissions)
ROLES = {
    "enhetschef": (
        "Enhetschef",
        True,
        [
            "org.view",
            "org.manage",
            "client.view_all",
            "client.manage",
            "client.export",
            "employee.view",
            "employee.manage",
            "log.review",
            "api.token",
        ],
    ),
    "bitradande_enhetschef": (
        "Biträdande enhetschef",
        True,
        [
            "org.view",
            "client.view_all",
            "client.manage",
            "client.export",
            "employee.view",
            "employee.manage",
            "log.review",
        ],
    ),
    "administrator": (
        "Administratör",
        True,
        [
            "org.view",
            "client.view_all",
            "client.manage",
            "employee.view",
            "employee.manage",
            "api.token",
        ],
    ),
    "medarbetare": ("Medarbetare", False, ["org.view", "client.view_team"]),
    "handlaggare": ("Biståndshandläggare", False, ["org.view", "client.view_all", "client.manage"]),
    "controller": ("Controller", False, ["org.view", "employee.view"]),
    "systemforvaltare": ("Systemförvaltare", True, ["org.view", "org.manage", "api.token"]),
}

VALID_FROM = datetime.date(2020, 1, 1)


def seed(apps, schema_editor):
    Permission = apps.get_model("core", "Permission")
    Role = apps.get_model("core", "Role")
    RoleGrant = apps.get_model("core", "RoleGrant")
    permissions = {}
    for code, name in PERMISSIONS.items():
        permissions[code], _ = Permission.objects.update_or_create(code=code, defaults={"name": name})
    for code, (name, two_factor, grants) in ROLES.items():
        role, _ = Role.objects.update_or_create(code=code, defaults={"name": name, "requires_two_factor": two_factor})
        for permission_code in grants:
            RoleGrant.objects.get_or_create(role=role, permission=permissions[permission_code], valid_from=VALID_FROM)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_organisation_roles_audit")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
