"""Reference data of the quality system, valid from 2020-01-01: the categories of deviations and feedback
(the rows of the VB table "Redovisning av synpunkter och klagomål"), the duty rules of Lex Sarah, deviations,
feedback and personal data incidents, the quality permissions and which roles hold them.

Lex Sarah's "genast", "utan dröjsmål" and "snarast" are not numbers in the law; the days below are the unit's
routine *(verify with the unit's Lex Sarah routine)* and are edited as new versions on the deadlines page.
"""

import datetime

from django.db import migrations

START = datetime.date(2010, 1, 1)  # the categories of the city's table, as far back as records are imported

CATEGORIES = {
    "deviation": [
        "Annat",
        "Bemötande",
        "Fysisk miljö, utrustning och teknik",
        "Rättsäkerhet vid handläggning och utförande",
        "Utförande av insats",
    ],
    "feedback_other": ["Annat", "Teknik, verksamhetssystem eller IT-relaterade frågor"],
    "feedback_staff": [
        "Annat",
        "Bemötande",
        "Beslut",
        "Fråga/idé",
        "Hälsa- och sjukvård",
        "Information",
        "Kompetens",
        "Tillgänglighet",
        "Utebliven/försenad insats",
    ],
}
CODES = {
    "Annat": "annat",
    "Bemötande": "bemotande",
    "Fysisk miljö, utrustning och teknik": "fysisk_miljo",
    "Rättsäkerhet vid handläggning och utförande": "rattssakerhet",
    "Utförande av insats": "utforande",
    "Teknik, verksamhetssystem eller IT-relaterade frågor": "teknik_it",
    "Beslut": "beslut",
    "Fråga/idé": "fraga_ide",
    "Hälsa- och sjukvård": "halso_sjukvard",
    "Information": "information",
    "Kompetens": "kompetens",
    "Tillgänglighet": "tillganglighet",
    "Utebliven/försenad insats": "utebliven_insats",
}

# code, name, amount, unit, warn_days, legal reference / source
DUTY_RULES = [
    ("quality.lex_sarah_registration", "Lex Sarah-rapport registrerad", 1, "days", 0, "SOSFS 2011:5: genast"),
    (
        "quality.lex_sarah_remedy",
        "Lex Sarah: missförhållandet avhjälpt",
        1,
        "days",
        0,
        "SoL 14 kap., LSS 24 b §: utan dröjsmål",
    ),
    ("quality.lex_sarah_investigation", "Lex Sarah: utredningen klar", 2, "weeks", 7, "SOSFS 2011:5 (enhetens rutin)"),
    ("quality.lex_sarah_ivo", "Lex Sarah: anmält till IVO", 7, "days", 3, "SoL 14 kap. 7 §, LSS 24 f §: snarast"),
    ("quality.deviation_handling", "Avvikelse utredd och avslutad", 1, "months", 7, "SOSFS 2011:9 (enhetens rutin)"),
    ("quality.deviation_action", "Åtgärd efter avvikelse klar", 0, "days", 7, "Beslutad åtgärd"),
    (
        "quality.feedback_answer",
        "Återkoppling på synpunkt eller klagomål",
        2,
        "weeks",
        5,
        "Stadens riktlinje (verifiera)",
    ),
    (
        "quality.incident_imy",
        "Beslut om anmälan av personuppgiftsincident till IMY",
        72,
        "hours",
        3,
        "GDPR art. 33: 72 timmar",
    ),
]

PERMISSIONS = {
    "quality.report": "Rapportera avvikelser och lex Sarah",
    "quality.view": "Se enhetens avvikelser, lex Sarah-rapporter och synpunkter",
    "quality.manage": "Handlägga avvikelser, lex Sarah, synpunkter, rutiner och VB-tabellen",
    "quality.incident": "Handlägga personuppgiftsincidenter",
}
GRANTS = {
    "enhetschef": ["quality.report", "quality.view", "quality.manage", "quality.incident"],
    "bitradande_enhetschef": ["quality.report", "quality.view", "quality.manage", "quality.incident"],
    "administrator": ["quality.report"],
    "medarbetare": ["quality.report"],
    "controller": ["quality.view"],
    "systemforvaltare": ["quality.incident"],
}


def seed(apps, schema_editor):
    QualityCategory = apps.get_model("quality", "QualityCategory")
    for group, names in CATEGORIES.items():
        for position, name in enumerate(names):
            QualityCategory.objects.update_or_create(
                group=group, code=CODES[name], defaults={"name": name, "position": position, "valid_from": START}
            )
    DutyRule = apps.get_model("core", "DutyRule")
    for code, name, amount, unit, warn_days, reference in DUTY_RULES:
        DutyRule.objects.update_or_create(
            code=code,
            valid_from=START,
            defaults={
                "name": name,
                "amount": amount,
                "unit": unit,
                "warn_days": warn_days,
                "legal_reference": reference,
            },
        )
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


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_deviations_lex_sarah_feedback_incidents"),
        ("core", "0006_duty_rule_hours"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
