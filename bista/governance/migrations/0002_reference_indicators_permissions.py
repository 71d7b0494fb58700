"""Reference data of goals and indicators (valid from 2010-01-01, the start of the demo's history): the
indicator definitions (computed ones name a function of bista.governance.registry; manual ones are entered
with their source), the permissions governance.view and governance.edit and which roles hold them.

A unit's managers see and edit their unit's goals; a controller (a district-wide role) sees every unit's.
"""

import datetime

from django.db import migrations

START = datetime.date(2010, 1, 1)

# code, name, unit of measure, source, computed key, gender split, period type, higher is better, decimals
INDICATORS = [
    (
        "plan_current",
        "Aktiva brukare med gällande genomförandeplan",
        "%",
        "computed",
        "care.plan_current",
        True,
        "tertial",
        True,
        1,
    ),
    (
        "plan_reviewed",
        "Gällande genomförandeplaner uppföljda inom tidsgränsen",
        "%",
        "computed",
        "care.plan_reviewed",
        True,
        "tertial",
        True,
        1,
    ),
    (
        "first_contact",
        "Första kontakt inom två veckor från mottagen beställning",
        "%",
        "computed",
        "care.first_contact",
        True,
        "tertial",
        True,
        1,
    ),
    (
        "execution",
        "Insatsen verkställd inom tre månader från beslut",
        "%",
        "computed",
        "care.execution",
        True,
        "tertial",
        True,
        1,
    ),
    (
        "risk_assessment",
        "Aktiva brukare med aktuell risk- och konsekvensanalys",
        "%",
        "computed",
        "care.risk_assessment",
        True,
        "tertial",
        True,
        1,
    ),
    (
        "crisis_binder",
        "Aktiva brukare med aktuell krispärm och kontinuitetsplan",
        "%",
        "computed",
        "care.crisis_binder",
        True,
        "tertial",
        True,
        1,
    ),
    (
        "deliveries_per_client",
        "Leveranser av arbetsskyddsmaterial per brukare",
        "st",
        "computed",
        "care.deliveries_per_client",
        True,
        "tertial",
        False,
        1,
    ),
    ("deviations", "Rapporterade avvikelser", "st", "computed", "quality.deviations", False, "tertial", False, 0),
    ("lex_sarah", "Lex Sarah-rapporter", "st", "computed", "quality.lex_sarah", False, "tertial", False, 0),
    ("complaints", "Klagomål", "st", "computed", "quality.complaints", False, "tertial", False, 0),
    ("opinions", "Synpunkter", "st", "computed", "quality.opinions", False, "tertial", False, 0),
    ("praise", "Beröm", "st", "computed", "quality.praise", False, "tertial", True, 0),
    ("sick_leave", "Sjukfrånvaro", "%", "computed", "staff.sick_leave", True, "tertial", False, 1),
    (
        "sick_leave_days_1_14",
        "Sjukfrånvaro dag 1–14",
        "%",
        "computed",
        "staff.sick_leave_days_1_14",
        True,
        "tertial",
        False,
        1,
    ),
    (
        "hourly_paid_share",
        "Andelen arbetade timmar av timavlönad personal i förhållande till samtliga arbetade timmar",
        "%",
        "computed",
        "staff.hourly_paid_share",
        True,
        "tertial",
        False,
        1,
    ),
    ("overtime_hours", "Övertid", "timmar", "computed", "staff.overtime_hours", True, "tertial", False, 0),
    (
        "staff_continuity",
        "Personalkontinuitet: olika medarbetare per brukare och månad",
        "personer",
        "computed",
        "staff.continuity",
        True,
        "tertial",
        False,
        1,
    ),
    ("ami", "Aktivt medskapandeindex", "index", "manual", "", False, "year", True, 0),
    ("eco_food", "Andel inköpta ekologiska livsmedel i kronor", "%", "manual", "", False, "year", True, 2),
    (
        "climate_food",
        "Klimatpåverkan från upphandlade livsmedel och måltider",
        "kg CO2e per kg livsmedel",
        "manual",
        "",
        False,
        "year",
        False,
        2,
    ),
    (
        "survey_satisfied",
        "Brukare som är nöjda med sina insatser (brukarundersökning)",
        "%",
        "manual",
        "",
        True,
        "year",
        True,
        0,
    ),
    (
        "survey_treated",
        "Brukare som upplever att de bemöts väl (brukarundersökning)",
        "%",
        "manual",
        "",
        True,
        "year",
        True,
        0,
    ),
    (
        "survey_influence",
        "Brukare som kan påverka insatsens utformning (brukarundersökning)",
        "%",
        "manual",
        "",
        True,
        "year",
        True,
        0,
    ),
]

PERMISSIONS = {
    "governance.view": "Se enhetens mål, indikatorer, tertialrapporter och verksamhetsberättelser",
    "governance.edit": "Skriva verksamhetsplan, analyser och bedömningar, registrera indikatorvärden",
}
GRANTS = {
    "enhetschef": ["governance.view", "governance.edit"],
    "bitradande_enhetschef": ["governance.view", "governance.edit"],
    "administrator": ["governance.view"],
    "controller": ["governance.view"],
}


def seed(apps, schema_editor):
    IndicatorDefinition = apps.get_model("governance", "IndicatorDefinition")
    for code, name, measure, source, key, gender, period_type, higher, decimals in INDICATORS:
        IndicatorDefinition.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit_of_measure": measure,
                "source": source,
                "computed_key": key,
                "gender_split": gender,
                "period_type": period_type,
                "higher_is_better": higher,
                "decimals": decimals,
                "valid_from": START,
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
            RoleGrant.objects.get_or_create(
                role=role, permission=Permission.objects.get(code=code), valid_from=datetime.date(2020, 1, 1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_goals_indicators_documents"),
        ("core", "0002_reference_roles_permissions"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
