"""Employees (medarbetare): identity, employment and the teams they work in."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from bista.core.models import Team, Unit
from bista.core.people import Gender, NeverDeleted, format_personnummer, validate_stored_personnummer


class EmploymentType(models.TextChoices):
    PERMANENT = "tillsvidare", "Tillsvidareanställning"
    SUBSTITUTE = "vikariat", "Vikariat"
    HOURLY_PAID = "timavlonad", "Timavlönad"
    FIXED_TERM = "allman_visstid", "Allmän visstidsanställning"


class Employee(NeverDeleted):
    personnummer = models.CharField(
        "personnummer", max_length=12, blank=True, validators=[validate_stored_personnummer]
    )
    first_name = models.CharField("förnamn", max_length=100)
    last_name = models.CharField("efternamn", max_length=100)
    gender = models.CharField("kön", max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    email = models.EmailField("e-post", blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employees", verbose_name="enhet")
    teams = models.ManyToManyField(Team, related_name="employees", blank=True, verbose_name="arbetsgrupper")
    employment_type = models.CharField("anställningsform", max_length=20, choices=EmploymentType.choices)
    employment_rate = models.DecimalField(
        "tjänstgöringsgrad (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    start_date = models.DateField("anställd från")
    end_date = models.DateField("anställd till", null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name="användarkonto",
    )
    fictitious = models.BooleanField("fiktiv person (demo/test)", default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "medarbetare"
        verbose_name_plural = "medarbetare"
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="employee_end_after_start",
                violation_error_message="Slutdatum får inte vara före startdatum.",
            ),
            models.CheckConstraint(
                condition=models.Q(employment_rate__gte=0) & models.Q(employment_rate__lte=100),
                name="employee_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def personnummer_formatted(self) -> str:
        return format_personnummer(self.personnummer)

    @property
    def is_employed(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)
