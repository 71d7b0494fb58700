"""Reference data of the client survey: the answer scales, the city's standard questions (with their easy-
Swedish wording and pictogram), the permissions surveys.view and surveys.manage and which roles hold them.

The standard questions follow the seeds' goals (trygghet, bemötande, inflytande, information, förstod beslutet,
valfrihet) and the satisfaction question behind the manual indicator "Brukare som är nöjda med sina insatser".
`kolada_kpi` is the counterpart used in the Kolada-style export: today the Bistå indicator code *(verify:
replace with the Kolada KPI id when the city confirms which of its brukarbedömning measures it reports)*.
"""

import datetime

from django.db import migrations

START = datetime.date(2020, 1, 1)

SCALES = [
    # code, name, labels (negative first), positive from step
    ("ja_nej", "Ja eller nej", ["Nej", "Ja"], 2),
    ("tre", "Tre steg", ["Nej", "Ibland", "Ja"], 3),
    ("fyra", "Fyra steg", ["Aldrig", "Sällan", "Oftast", "Alltid"], 3),
    ("fem", "Fem steg", ["Mycket dåligt", "Dåligt", "Varken bra eller dåligt", "Bra", "Mycket bra"], 4),
]

QUESTIONS = [
    # code, text, easy text, scale, pictogram, kolada counterpart
    ("trygghet", "Känner du dig trygg med ditt stöd?", "Känner du dig trygg?", "fyra", "trygg", "survey_safe"),
    (
        "bemotande",
        "Upplever du att personalen bemöter dig på ett bra sätt?",
        "Är personalen snälla mot dig och lyssnar på dig?",
        "fyra",
        "bemotande",
        "survey_treated",
    ),
    (
        "inflytande",
        "Kan du påverka hur ditt stöd utförs?",
        "Får du bestämma hur du vill ha ditt stöd?",
        "fyra",
        "inflytande",
        "survey_influence",
    ),
    (
        "information",
        "Får du den information du behöver om ditt stöd?",
        "Får du veta det du behöver veta?",
        "tre",
        "information",
        "survey_information",
    ),
    (
        "forstod_beslutet",
        "Förstod du beslutet om ditt stöd?",
        "Förstod du vad beslutet betyder för dig?",
        "tre",
        "beslut",
        "survey_understood",
    ),
    (
        "valfrihet",
        "Har du fått information om att du kan välja utförare?",
        "Vet du att du får välja vem som ger dig stöd?",
        "ja_nej",
        "valja",
        "survey_choice",
    ),
    ("nojd", "Är du nöjd med ditt stöd som helhet?", "Är du nöjd med ditt stöd?", "fem", "nojd", "survey_satisfied"),
]

PERMISSIONS = {
    "surveys.view": "Se brukarundersökningarnas resultat (bara sammanställningar)",
    "surveys.manage": "Skapa brukarundersökningar och skicka inbjudningar",
}
GRANTS = {
    "enhetschef": ["surveys.view", "surveys.manage"],
    "bitradande_enhetschef": ["surveys.view", "surveys.manage"],
    "administrator": ["surveys.view", "surveys.manage"],
    "controller": ["surveys.view"],
}


def seed(apps, schema_editor):
    AnswerScale = apps.get_model("surveys", "AnswerScale")
    Question = apps.get_model("surveys", "Question")
    scales = {}
    for code, name, labels, positive_from in SCALES:
        scales[code], _ = AnswerScale.objects.update_or_create(
            code=code, defaults={"name": name, "labels": labels, "positive_from": positive_from}
        )
    for code, text, easy, scale, pictogram, kolada in QUESTIONS:
        Question.objects.update_or_create(
            code=code,
            defaults={
                "unit": None,
                "text": text,
                "easy_text": easy,
                "scale": scales[scale],
                "pictogram": pictogram,
                "kolada_kpi": kolada,
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
        ("surveys", "0001_surveys_questions_invitations_answers"),
        ("core", "0002_reference_roles_permissions"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
