"""Reference data of the provider chain (services and duty rules from the laws' dates, the rest from 2020-01-01): services (LSS 9 § 1–10 and SoL), journal
categories, the duty rules behind "Att göra", the delivery goal (seed 000: at most four a year), the care
permissions and which roles hold them. The journal and objections become append-only on PostgreSQL.

SoL 2001:453 was replaced by SoL 2025:400 on 2025-07-01: SoL services carry one row per law.
"""

import datetime

from django.db import migrations

from bista.core.appendonly import make_append_only

START = datetime.date(2020, 1, 1)
LSS_START = datetime.date(1994, 1, 1)  # LSS (1993:387) came into force on 1 January 1994
SOL_START = datetime.date(2002, 1, 1)  # SoL (2001:453) came into force on 1 January 2002
NEW_SOL = datetime.date(2025, 7, 1)

LSS_SERVICES = [
    (1, "Råd och stöd"),
    (2, "Personlig assistans"),
    (3, "Ledsagarservice"),
    (4, "Kontaktperson"),
    (5, "Avlösarservice i hemmet"),
    (6, "Korttidsvistelse utanför det egna hemmet"),
    (7, "Korttidstillsyn för skolungdom över 12 år"),
    (8, "Boende i familjehem eller bostad med särskild service för barn eller ungdomar"),
    (9, "Bostad med särskild service för vuxna"),
    (10, "Daglig verksamhet"),
]
SOL_SERVICES = [
    ("hemtjanst", "Hemtjänst"),
    ("hemtjanst_assistans", "Hemtjänst i assistansliknande form"),
    ("boendestod", "Boendestöd"),
    ("ledsagning", "Ledsagning"),
    ("avlosning", "Avlösning"),
]
SOL_LAWS = [("sol2001", "SoL (2001:453) 4 kap. 1 §", SOL_START, NEW_SOL), ("sol2025", "SoL (2025:400)", NEW_SOL, None)]

JOURNAL_CATEGORIES = [
    ("handelse", "Händelse"),
    ("halsa", "Hälsa och välbefinnande"),
    ("aktivitet", "Aktivitet och delaktighet"),
    ("kontakt", "Kontakt med anhöriga, företrädare eller andra"),
    ("uppfoljning", "Uppföljning av genomförandeplan"),
    ("insats", "Insatsens genomförande"),
    ("ovrigt", "Övrigt"),
]

# code, name, amount, unit, warn_days, legal reference / source
DUTY_RULES = [
    ("care.first_contact", "Första kontakt med brukaren", 2, "weeks", 7, "Enhetens mål (VP): inom två veckor"),
    ("care.implementation_plan", "Genomförandeplan upprättad", 14, "days", 7, "SOSFS 2014:5; enhetens mål"),
    ("care.execution", "Insatsen verkställd", 3, "months", 14, "LSS 28 f §, SoL: inom tre månader från beslut"),
    ("care.resumption", "Insatsen återupptagen efter avbrott", 3, "months", 14, "LSS 28 f §"),
    ("care.plan_review", "Genomförandeplanen följd upp", 12, "months", 30, "Enhetens rutin: minst en gång per år"),
    ("care.risk_assessment", "Risk- och konsekvensanalys genomgången", 12, "months", 30, "Enhetens rutin: årligen"),
    ("care.crisis_binder", "Krispärm och kontinuitetsplan genomgången", 12, "months", 30, "Enhetens rutin"),
    ("care.routine_binder", "Rutinpärm genomgången", 12, "months", 30, "Enhetens rutin"),
]

PERMISSIONS = {
    "care.manage": "Registrera beställningar, genomförandeplaner, hemmapärmar och leveranser",
    "journal.write": "Skriva i journalen (social dokumentation)",
    "care.self_check": "Se egenkontroller och exportera nödrutinens utskrifter",
}
GRANTS = {
    "enhetschef": ["care.manage", "journal.write", "care.self_check"],
    "bitradande_enhetschef": ["care.manage", "journal.write", "care.self_check"],
    "administrator": ["care.manage"],
    "medarbetare": ["journal.write"],
    "controller": ["care.self_check"],
}


def seed(apps, schema_editor):
    Service = apps.get_model("care", "Service")
    for number, name in LSS_SERVICES:
        Service.objects.update_or_create(
            code=f"lss_9_{number}",
            defaults={"name": name, "act": "LSS", "legal_reference": f"LSS 9 § {number}", "valid_from": LSS_START},
        )
    for law, reference, valid_from, valid_to in SOL_LAWS:
        for code, name in SOL_SERVICES:
            Service.objects.update_or_create(
                code=f"{law}_{code}",
                defaults={
                    "name": name,
                    "act": "SoL",
                    "legal_reference": reference,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                },
            )
    JournalCategory = apps.get_model("care", "JournalCategory")
    for code, name in JOURNAL_CATEGORIES:
        JournalCategory.objects.update_or_create(code=code, defaults={"name": name, "valid_from": START})
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
    DeliveryGoal = apps.get_model("care", "DeliveryGoal")
    DeliveryGoal.objects.get_or_create(unit=None, valid_from=START, defaults={"max_per_year": 4})
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


append_only, drop_append_only = make_append_only("care_journalentry", "care_journalobjection")


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_orders_plans_journal_binders"),
        ("core", "0004_duty_rules"),
        ("core", "0002_reference_roles_permissions"),
    ]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
