"""Reference data of the economy (every figure *verify* unless confirmed): FK's schablonbelopp per year (2025
and 2026 from FK's decisions), the municipality's hourly rates by time band, OB/overtime/mertid/jour/beredskap
supplements, sick pay (sjuklönelagen) and PO-pålägg; and the permission economy.manage for the unit manager."""

import datetime
from decimal import Decimal

from django.db import migrations

START = datetime.date(2015, 1, 1)
VERIFY = "verifiera mot gällande beslut/avtal"
# year: FK:s schablonbelopp per timme (2025 and 2026 confirmed in issue 12; the others to verify)
FK_AMOUNTS = {
    2015: "280.00",
    2016: "284.00",
    2017: "290.00",
    2018: "295.40",
    2019: "300.50",
    2020: "305.00",
    2021: "305.40",
    2022: "317.90",
    2023: "327.60",
    2024: "336.30",
    2025: "342.60",
    2026: "347.70",
}
CONFIRMED = {2025, 2026}
BANDS = ("day", "evening", "night", "weekend", "holiday")
# service code: rates per band (day, evening, night, weekend, holiday) — the municipality's price list (verify)
RATES = {
    "lss_9_2": ("340.00", "370.00", "390.00", "390.00", "450.00"),  # the first 20 hours of each week
    "lss_9_3": ("380.00", "420.00", "450.00", "450.00", "520.00"),
    "lss_9_5": ("380.00", "420.00", "450.00", "450.00", "520.00"),
    "sol2001_ledsagning": ("380.00", "420.00", "450.00", "450.00", "520.00"),
    "sol2025_ledsagning": ("380.00", "420.00", "450.00", "450.00", "520.00"),
    "sol2001_avlosning": ("380.00", "420.00", "450.00", "450.00", "520.00"),
    "sol2025_avlosning": ("380.00", "420.00", "450.00", "450.00", "520.00"),
    "sol2001_hemtjanst_assistans": ("420.00", "460.00", "480.00", "480.00", "560.00"),
    "sol2025_hemtjanst_assistans": ("420.00", "460.00", "480.00", "480.00", "560.00"),
}
OB = {"evening": "24.50", "night": "55.40", "weekend": "62.00", "holiday": "135.00"}  # kr/h (AB, verify)
PERCENT = {"overtime": "80.00", "mertid": "35.00"}  # per cent of the hourly pay (verify)
PER_HOUR = {"on_call": "55.00", "standby": "30.00"}  # kr per passive hour (verify)

PERMISSIONS = {"economy.manage": "Se och hantera ekonomi: löner, budget, fakturaunderlag och löneunderlag"}
GRANTS = {"enhetschef": ["economy.manage"]}


def seed(apps, schema_editor):
    FkHourlyAmount = apps.get_model("economy", "FkHourlyAmount")
    MunicipalRate = apps.get_model("economy", "MunicipalRate")
    WageSupplement = apps.get_model("economy", "WageSupplement")
    SickPayRule = apps.get_model("economy", "SickPayRule")
    SocialFeeRate = apps.get_model("economy", "SocialFeeRate")
    for year, amount in FK_AMOUNTS.items():
        FkHourlyAmount.objects.get_or_create(
            valid_from=datetime.date(year, 1, 1),
            defaults={
                "valid_to": datetime.date(year + 1, 1, 1),
                "amount": Decimal(amount),
                "source": "Försäkringskassan, schablonbelopp" + ("" if year in CONFIRMED else f" ({VERIFY})"),
            },
        )
    for code, amounts in RATES.items():
        for band, amount in zip(BANDS, amounts, strict=True):
            MunicipalRate.objects.get_or_create(
                service_code=code,
                band=band,
                valid_from=START,
                defaults={"amount": Decimal(amount), "source": f"Kommunens prislista ({VERIFY})"},
            )
    for band, amount in OB.items():
        WageSupplement.objects.get_or_create(
            code="ob", band=band, valid_from=START, defaults={"amount_per_hour": Decimal(amount), "source": VERIFY}
        )
    for code, percent in PERCENT.items():
        WageSupplement.objects.get_or_create(
            code=code, band="", valid_from=START, defaults={"percent": Decimal(percent), "source": VERIFY}
        )
    for code, amount in PER_HOUR.items():
        WageSupplement.objects.get_or_create(
            code=code, band="", valid_from=START, defaults={"amount_per_hour": Decimal(amount), "source": VERIFY}
        )
    SickPayRule.objects.get_or_create(
        valid_from=START,
        defaults={
            "percent": Decimal("80"),
            "karens_percent": Decimal("20"),
            "employer_days": 14,
            "source": f"Sjuklönelagen (1991:1047) ({VERIFY})",
        },
    )
    SocialFeeRate.objects.get_or_create(
        valid_from=START, defaults={"percent": Decimal("41.50"), "source": f"PO-pålägg ({VERIFY})"}
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
        ("economy", "0001_economy_reference_wages_budget_invoices"),
        ("core", "0008_idempotency_record"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
