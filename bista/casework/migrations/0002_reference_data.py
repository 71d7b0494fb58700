"""Reference data of the purchaser chain: the casework permissions and the roles holding them, the duty rules
behind the purchaser's "Att göra" and the appeal period, and a delegation order (delegationsordning).

The delegation order is a sensible default, marked `verify`: each district committee adopts its own, and a
systemförvaltare replaces these rows from a date. Default: the case officer decides SoL services and the
LSS services of everyday support; decisions on personal assistance and housing (LSS 9 § 2, 8, 9) go to the
deputy manager or the unit manager, as in most Stockholm districts' orders.
"""

import datetime

from django.db import migrations

START = datetime.date(2020, 1, 1)
LSS_START = datetime.date(1994, 1, 1)

PERMISSIONS = {
    "casework.view": "Se ärenden i sina handläggargrupper",
    "casework.view_all": "Se enhetens alla ärenden",
    "casework.manage": "Registrera aktualiseringar, utredningar och beställningar",
    "casework.decide": "Fatta beslut (enligt delegationsordningen)",
    "casework.assign": "Fördela ärenden mellan handläggare",
}
GRANTS = {
    "handlaggare": ["casework.view", "casework.manage", "casework.decide"],
    "bitradande_enhetschef": ["casework.view_all", "casework.manage", "casework.decide", "casework.assign"],
    "enhetschef": ["casework.view_all", "casework.manage", "casework.decide", "casework.assign"],
}

# code, name, amount, unit, warn_days, legal reference / source
DUTY_RULES = [
    (
        "casework.first_contact",
        "Första kontakt efter aktualisering",
        7,
        "days",
        3,
        "FL 9 §: skyndsamt (enhetens rutin: inom en vecka, verifiera)",
    ),
    ("casework.follow_up", "Beslutet följt upp", 12, "months", 30, "Riktlinjer: minst en gång per år"),
    (
        "casework.reassessment",
        "Tidsbegränsat beslut löper ut: ny utredning",
        0,
        "days",
        60,
        "Riktlinjer: ny utredning i god tid före periodens slut",
    ),
    ("casework.appeal", "Tid för överklagande", 3, "weeks", 0, "FL 44 §: inom tre veckor från delfåendet"),
]

# role code → the services (codes; "*LSS"/"*SoL" for a whole act) it may decide, any outcome
DELEGATION = {
    "handlaggare": ["*SoL", "lss_9_1", "lss_9_3", "lss_9_4", "lss_9_5", "lss_9_6", "lss_9_7", "lss_9_10"],
    "bitradande_enhetschef": ["*SoL", "*LSS"],
    "enhetschef": ["*SoL", "*LSS"],
}


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
            RoleGrant.objects.get_or_create(role=role, permission=Permission.objects.get(code=code), valid_from=START)
    DutyRule = apps.get_model("core", "DutyRule")
    for code, name, amount, unit, warn_days, reference in DUTY_RULES:
        DutyRule.objects.update_or_create(
            code=code,
            valid_from=LSS_START,
            defaults={
                "name": name,
                "amount": amount,
                "unit": unit,
                "warn_days": warn_days,
                "legal_reference": reference,
            },
        )
    Service = apps.get_model("care", "Service")
    DelegationRule = apps.get_model("casework", "DelegationRule")
    for role_code, services in DELEGATION.items():
        role = Role.objects.filter(code=role_code).first()
        if role is None:
            continue
        for entry in services:
            if entry.startswith("*"):
                DelegationRule.objects.get_or_create(
                    role=role, act=entry[1:], service=None, outcome="", valid_from=START, defaults={"verify": True}
                )
            else:
                service = Service.objects.filter(code=entry).first()
                if service is not None:
                    DelegationRule.objects.get_or_create(
                        role=role, act="", service=service, outcome="", valid_from=START, defaults={"verify": True}
                    )


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0001_cases_intakes_investigations_decisions_orders"),
        ("care", "0002_reference_data"),
        ("core", "0008_idempotency_record"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
