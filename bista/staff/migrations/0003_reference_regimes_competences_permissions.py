"""Reference data of staff and rostering: working-time regimes with their limits (DOMAIN §5, *verify
against the current agreement text*), competences, delegation kinds, the staff duty rules, and the
absence and roster permissions with the roles that hold them.

AB with Bilaga J (PAN) lets personal assistants work passes (work + jour) of up to 20 hours, 24 hours only
with a registered local exception and then a rest at least as long as the pass; other staff under AB/ATL
keep an 11-hour daily rest, which limits a pass to 13 hours.
"""

import datetime
from decimal import Decimal

from django.db import migrations

START = datetime.date(2010, 1, 1)

REGIMES = [
    # code, name, daily rest, weekly rest, pass, pass with exception, ordinary/week, max average, months,
    # overtime/year, reference
    (
        "ab_bilaga_j",
        "AB med Bilaga J (PAN) – personlig assistans",
        11,
        36,
        20,
        24,
        40,
        48,
        4,
        200,
        "AB § 13–14, Bilaga J (PAN) § 4–5; lokalt kollektivavtal för pass över 20 timmar",
    ),
    ("ab", "AB (Allmänna bestämmelser)", 11, 36, 13, 13, 40, 48, 4, 200, "AB § 13–14, ATL 10 a, 13–14 §§"),
    ("atl", "Arbetstidslagen", 11, 36, 13, 13, 40, 48, 4, 200, "ATL (1982:673) 5, 8, 10 b, 13, 14 §§"),
]

COMPETENCES = [
    ("autism", "Autism"),
    ("epilepsi", "Epilepsi"),
    ("lagaffektivt", "Lågaffektivt bemötande"),
    ("lyft", "Lyft och förflyttning"),
    ("akk", "Alternativ och kompletterande kommunikation (AKK)"),
    ("teckensprak", "Teckenspråk"),
    ("diabetes", "Diabetes"),
    ("korkort", "Körkort (B)"),
]

DELEGATION_KINDS = [
    ("lakemedel", "Överlämnande av läkemedel"),
    ("insulin", "Insulin"),
    ("sondmatning", "Sondmatning"),
    ("stomi", "Stomivård"),
    ("sar", "Såromläggning"),
    ("inhalation", "Inhalation och syrgas"),
]

# code, name, amount, unit, warn_days, source
DUTY_RULES = [
    (
        "staff.delegation_renewal",
        "Delegering förnyad innan den går ut",
        0,
        "days",
        30,
        "HSLF-FS 2017:37: delegering gäller för viss tid, högst ett år",
    ),
    ("staff.appraisal", "Medarbetarsamtal med utvecklingsplan", 12, "months", 30, "Stadens riktlinjer: årligen"),
]

PERMISSIONS = {
    "absence.manage": "Registrera och se medarbetares frånvaro",
    "roster.view": "Se enhetens schema och arbetstidsnyckeltal",
    "roster.manage": "Lägga schema, köra schemaoptimering, publicera och tillsätta pass",
}

GRANTS = {
    "enhetschef": ["absence.manage", "roster.view", "roster.manage"],
    "bitradande_enhetschef": ["absence.manage", "roster.view", "roster.manage"],
    "administrator": ["absence.manage", "roster.view", "roster.manage"],
    "controller": ["roster.view"],
}


def seed(apps, schema_editor):
    Regime = apps.get_model("staff", "WorkingTimeRegime")
    for code, name, daily, weekly, max_pass, max_exc, ordinary, average, months, overtime, ref in REGIMES:
        Regime.objects.update_or_create(
            code=code,
            valid_from=START,
            defaults={
                "name": name,
                "daily_rest_hours": Decimal(daily),
                "weekly_rest_hours": Decimal(weekly),
                "max_pass_hours": Decimal(max_pass),
                "max_pass_hours_with_exception": Decimal(max_exc),
                "ordinary_hours_per_week": Decimal(ordinary),
                "max_average_hours_per_week": Decimal(average),
                "averaging_period_months": months,
                "max_overtime_hours_per_year": Decimal(overtime),
                "legal_reference": ref,
            },
        )
    Competence = apps.get_model("staff", "Competence")
    for code, name in COMPETENCES:
        Competence.objects.update_or_create(code=code, defaults={"name": name, "valid_from": START})
    DelegationKind = apps.get_model("staff", "DelegationKind")
    for code, name in DELEGATION_KINDS:
        DelegationKind.objects.update_or_create(code=code, defaults={"name": name, "valid_from": START})
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
            RoleGrant.objects.get_or_create(
                role=role, permission=Permission.objects.get(code=code), valid_from=datetime.date(2020, 1, 1)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_staff_details_absences"),
        ("core", "0006_duty_rule_hours"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
