"""Employees (medarbetare): identity, employment and the teams they work in."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from bista.core import clock
from bista.core.models import Team, Unit, ValidityPeriod
from bista.core.people import Gender, NeverDeleted, format_personnummer, validate_stored_personnummer
from bista.core.versioning import Versioned


class EmploymentType(models.TextChoices):
    PERMANENT = "tillsvidare", "Tillsvidareanställning"
    SUBSTITUTE = "vikariat", "Vikariat"
    HOURLY_PAID = "timavlonad", "Timavlönad"
    FIXED_TERM = "allman_visstid", "Allmän visstidsanställning"


class Employee(NeverDeleted, Versioned):
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
        today = clock.today()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


# --- Reference data: working-time regimes, competences, delegation kinds -------------------------------------


class WorkingTimeRegime(ValidityPeriod):
    """Arbetstidsregim (AB with Bilaga J/PAN, ATL …) with the limits a roster must keep, as versioned data.

    A new version of a regime is a new row with the same code and a later `valid_from`; the rule checker
    (bista.rostering.rules) takes the limits of the version in force on the day it checks.
    """

    code = models.CharField("kod", max_length=40)
    name = models.CharField("namn", max_length=120)
    description = models.TextField("beskrivning", blank=True)
    daily_rest_hours = models.DecimalField("dygnsvila (timmar)", max_digits=5, decimal_places=2)
    weekly_rest_hours = models.DecimalField("veckovila (timmar per 7 dagar)", max_digits=5, decimal_places=2)
    max_pass_hours = models.DecimalField("längsta pass (timmar, arbete + jour)", max_digits=5, decimal_places=2)
    max_pass_hours_with_exception = models.DecimalField(
        "längsta pass med registrerat undantag (timmar)", max_digits=5, decimal_places=2
    )
    ordinary_hours_per_week = models.DecimalField(
        "ordinarie arbetstid per vecka vid heltid (timmar)", max_digits=5, decimal_places=2
    )
    max_average_hours_per_week = models.DecimalField(
        "högsta genomsnittliga arbetstid inkl. övertid (timmar per vecka)", max_digits=5, decimal_places=2
    )
    averaging_period_months = models.PositiveSmallIntegerField("beräkningsperiod för genomsnittet (månader)")
    max_overtime_hours_per_year = models.DecimalField(
        "allmän övertid per kalenderår (timmar)", max_digits=6, decimal_places=2
    )
    legal_reference = models.CharField("avtal/författning", max_length=200, blank=True)

    class Meta:
        verbose_name = "arbetstidsregim"
        verbose_name_plural = "arbetstidsregimer"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="regime_unique_version"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="regime_valid_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Competence(ValidityPeriod):
    """A competence a client's needs may require (autism, epilepsi, lågaffektivt bemötande, lyft …)."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=120)

    class Meta:
        verbose_name = "kompetens"
        verbose_name_plural = "kompetenser"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DelegationKind(ValidityPeriod):
    """A health-care task that may be delegated (läkemedel, insulin, sondmatning …)."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=120)

    class Meta:
        verbose_name = "delegeringstyp"
        verbose_name_plural = "delegeringstyper"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- An employee's terms, competences and development ----------------------------------------------------------


class EmploymentTerm(NeverDeleted):
    """Employment type, rate and working-time regime from a date: the history behind Employee's current values.

    A substitute's contract period (vikariat) is a term with an end date. Terms of one employee do not
    overlap (checked by the service); a change is a new term from a date, the earlier one ends the day before.
    """

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="terms", verbose_name="medarbetare")
    employment_type = models.CharField("anställningsform", max_length=20, choices=EmploymentType.choices)
    employment_rate = models.DecimalField(
        "tjänstgöringsgrad (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    regime = models.ForeignKey(
        WorkingTimeRegime, on_delete=models.PROTECT, related_name="+", verbose_name="arbetstidsregim"
    )
    starts_on = models.DateField("från")
    ends_on = models.DateField("till och med", null=True, blank=True)
    note = models.CharField("anteckning", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "anställningsvillkor"
        verbose_name_plural = "anställningsvillkor"
        ordering = ["employee_id", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="term_end_after_start",
                violation_error_message="Slutdatum får inte vara före startdatum.",
            ),
            models.CheckConstraint(
                condition=models.Q(employment_rate__gte=0) & models.Q(employment_rate__lte=100),
                name="term_rate_range",
            ),
        ]
        indexes = [models.Index(fields=["employee", "starts_on"])]

    @property
    def is_hourly_paid(self) -> bool:
        return self.employment_type == EmploymentType.HOURLY_PAID


class EmployeeCompetence(NeverDeleted):
    """A competence an employee has, with its evidence (course, certificate) and date; revoked, never deleted."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="competences", verbose_name="medarbetare"
    )
    competence = models.ForeignKey(Competence, on_delete=models.PROTECT, related_name="+", verbose_name="kompetens")
    evidence = models.CharField("underlag", max_length=300)
    acquired_on = models.DateField("datum")
    revoked_on = models.DateField("gäller inte från", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kompetens hos medarbetare"
        verbose_name_plural = "kompetenser hos medarbetare"
        ordering = ["employee_id", "competence__name"]


class Delegation(NeverDeleted):
    """A health-care delegation (HSLF-FS 2017:37) from a registered nurse, for a period; the expiry is a duty."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="delegations", verbose_name="medarbetare"
    )
    kind = models.ForeignKey(DelegationKind, on_delete=models.PROTECT, related_name="+", verbose_name="delegering")
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="gäller brukare",
        help_text="Tomt om delegeringen gäller alla brukare i arbetsgruppen.",
    )
    delegated_by = models.CharField("delegerad av (legitimerad personal)", max_length=200)
    valid_from = models.DateField("gäller från")
    valid_until = models.DateField("gäller till och med")
    revoked_on = models.DateField("återkallad", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "delegering"
        verbose_name_plural = "delegeringar"
        ordering = ["employee_id", "valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="delegation_until_after_from",
                violation_error_message="Slutdatum får inte vara före startdatum.",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"])]

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_until and (self.revoked_on is None or day < self.revoked_on)


class Introduction(NeverDeleted):
    """Introduktion hos en brukare: done before the employee works alone with the client."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="introductions", verbose_name="medarbetare"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+", verbose_name="brukare")
    completed_on = models.DateField("genomförd")
    introduced_by = models.CharField("introducerad av", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "introduktion"
        verbose_name_plural = "introduktioner"
        ordering = ["employee_id", "completed_on"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "client"], name="introduction_once_per_client"),
        ]


class Appraisal(NeverDeleted):
    """Medarbetarsamtal with its development plan; the next one is due through the deadline engine."""

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="appraisals", verbose_name="medarbetare"
    )
    held_on = models.DateField("datum")
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    development_plan = models.TextField("utvecklingsplan")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "medarbetarsamtal"
        verbose_name_plural = "medarbetarsamtal"
        ordering = ["employee_id", "-held_on"]


# --- What a client asks of the staff who work with them -------------------------------------------------------


class ClientStaffChoice(NeverDeleted):
    """The client's word on one employee: chosen (önskad) or excluded (ska inte arbeta hos brukaren)."""

    class Kind(models.TextChoices):
        CHOSEN = "chosen", "Vald av brukaren"
        EXCLUDED = "excluded", "Ska inte arbeta hos brukaren"

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="staff_choices", verbose_name="brukare"
    )
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name="medarbetare")
    kind = models.CharField("typ", max_length=10, choices=Kind.choices)
    since = models.DateField("från")
    until = models.DateField("till och med", null=True, blank=True)
    note = models.CharField("anteckning", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "brukarens val av personal"
        verbose_name_plural = "brukarens val av personal"
        ordering = ["client_id", "kind", "employee_id"]
        indexes = [models.Index(fields=["client", "kind"])]


class ClientCompetenceNeed(NeverDeleted):
    """A competence everyone who works with the client must have (or a delegation they must hold)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="competence_needs", verbose_name="brukare"
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kompetens"
    )
    delegation_kind = models.ForeignKey(
        DelegationKind, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="delegering"
    )
    since = models.DateField("från")
    until = models.DateField("till och med", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kompetenskrav hos brukare"
        verbose_name_plural = "kompetenskrav hos brukare"
        ordering = ["client_id", "since"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(competence__isnull=False) & models.Q(delegation_kind__isnull=True))
                | (models.Q(competence__isnull=True) & models.Q(delegation_kind__isnull=False)),
                name="competence_need_one_kind",
                violation_error_message="Ange antingen en kompetens eller en delegering.",
            ),
        ]


# --- Absences -----------------------------------------------------------------------------------------------


class Absence(NeverDeleted, Versioned):
    """An absence from a date to a date (inclusive). A sick leave row is one episode (sjukperiod):
    its day numbers count from `starts_on`, so days 1–14 (sjuklöneperioden) can be told apart.

    An ongoing sick leave has no end date yet. A wrong absence is cancelled (cancelled_at), never deleted.
    """

    class Kind(models.TextChoices):
        SICK = "sick", "Sjukfrånvaro"
        VACATION = "vacation", "Semester"
        PARENTAL = "parental", "Föräldraledighet"
        CARE_OF_CHILD = "care_of_child", "Vård av barn"
        OTHER = "other", "Annan ledighet"

    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="absences", verbose_name="medarbetare"
    )
    kind = models.CharField("frånvaro", max_length=20, choices=Kind.choices)
    starts_on = models.DateField("från")
    ends_on = models.DateField("till och med", null=True, blank=True)
    extent = models.DecimalField(
        "omfattning (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField("anteckning", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "frånvaro"
        verbose_name_plural = "frånvaro"
        ordering = ["employee_id", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_end_after_start",
                violation_error_message="Slutdatum får inte vara före startdatum.",
            ),
            models.CheckConstraint(
                condition=models.Q(extent__gt=0) & models.Q(extent__lte=100), name="absence_extent_range"
            ),
        ]
        indexes = [models.Index(fields=["employee", "starts_on"]), models.Index(fields=["kind", "starts_on"])]

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def day_number(self, day: datetime.date) -> int:
        """The day of the episode `day` falls on: 1 for the first day."""
        return (day - self.starts_on).days + 1
