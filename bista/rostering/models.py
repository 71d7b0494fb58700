"""Rostering: the staffing needs an order gives, shifts (arbetspass), registered exceptions and roster jobs.

Times are aware datetimes (stored in UTC, shown in Europe/Stockholm), so a shift may cross midnight and
a daylight-saving change; its length is always the elapsed time.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from bista.care.models import Order
from bista.clients.models import Client
from bista.core.models import Unit
from bista.core.people import NeverDeleted
from bista.core.versioning import Versioned
from bista.staff.models import Absence, Employee


class ShiftKind(models.TextChoices):
    ACTIVE = "active", "Aktiv tid"
    ON_CALL = "on_call", "Jour"  # at the workplace, counts as working time for rest and pass length
    STANDBY = "standby", "Beredskap"  # reachable elsewhere; not ordinary working time


class NeedPattern(NeverDeleted):
    """A recurring staffing need of a client from an order: e.g. every day 00–24 one assistant and, on
    weekdays, a second one 07–09. A pattern whose end time is not after its start time runs past midnight.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="need_patterns", verbose_name="brukare")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="need_patterns", verbose_name="beställning")
    weekdays = models.CharField(
        "veckodagar", max_length=7, default="1234567", help_text="ISO-veckodagar, 1 = måndag … 7 = söndag."
    )
    start_time = models.TimeField("från klockan")
    end_time = models.TimeField("till klockan", help_text="Samma som eller före starttiden = över midnatt.")
    staff_count = models.PositiveSmallIntegerField(
        "antal personal", default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    kind = models.CharField("typ av tid", max_length=10, choices=ShiftKind.choices, default=ShiftKind.ACTIVE)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till och med", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "behovsmönster"
        verbose_name_plural = "behovsmönster"
        ordering = ["client_id", "valid_from", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="needpattern_to_after_from",
                violation_error_message="Slutdatum får inte vara före startdatum.",
            ),
            models.CheckConstraint(
                condition=Q(staff_count__gte=1) & Q(staff_count__lte=4), name="needpattern_staff_count_range"
            ),
        ]


class BookedOccasion(NeverDeleted):
    """A booked occasion (ledsagning, avlösning, kontaktperson) with date and time; cancelled, never deleted."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="booked_occasions", verbose_name="brukare"
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="booked_occasions", verbose_name="beställning"
    )
    starts_at = models.DateTimeField("börjar")
    ends_at = models.DateTimeField("slutar")
    staff_count = models.PositiveSmallIntegerField(
        "antal personal", default=1, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    note = models.CharField("anteckning", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField("avbokad", null=True, blank=True)

    class Meta:
        verbose_name = "bokat tillfälle"
        verbose_name_plural = "bokade tillfällen"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="occasion_end_after_start",
                violation_error_message="Sluttiden måste vara efter starttiden.",
            ),
        ]
        indexes = [models.Index(fields=["client", "starts_at"])]


class ShiftException(NeverDeleted):
    """A registered local exception (lokalt kollektivavtal) allowing passes up to the regime's
    `max_pass_hours_with_exception` for an employee, optionally only at one client, for a period."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="shift_exceptions")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reference = models.CharField("avtal/diarienummer", max_length=200)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till och med")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "registrerat undantag"
        verbose_name_plural = "registrerade undantag"
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="shiftexception_to_after_from"),
        ]


class RosterJob(Versioned):
    """One run of the roster optimiser for a unit and period: its settings, progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "I kö"
        RUNNING = "running", "Pågår"
        DONE = "done", "Klar"
        STOPPED = "stopped", "Avbruten (bästa schemat sparat)"
        FAILED = "failed", "Misslyckades"
        PUBLISHED = "published", "Publicerad"
        DISCARDED = "discarded", "Förkastad"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="roster_jobs", verbose_name="enhet")
    period_start = models.DateField("period från")
    period_end = models.DateField("period till och med")
    weights = models.JSONField("vikter", default=dict)
    time_limit_seconds = models.PositiveIntegerField("tidsgräns (sekunder)", default=60)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("förlopp (%)", default=0)
    message = models.TextField("meddelande", blank=True)
    stop_requested = models.BooleanField(default=False)
    objective = models.FloatField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    statistics = models.JSONField("statistik", default=dict)
    uncovered = models.JSONField("ej täckta behov", default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "schemaoptimering"
        verbose_name_plural = "schemaoptimeringar"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="rosterjob_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"Schemaoptimering {self.period_start}–{self.period_end}"

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.QUEUED, self.Status.RUNNING}


class Shift(NeverDeleted, Versioned):
    """Ett arbetspass: a client, an employee (none = an open shift), start and end, kind and status.

    Status: a draft (proposed by the optimiser or entered by hand) → published (frozen; changed only by
    cancelling or re-assigning with an explanation) → worked. A published shift whose employee fell ill
    becomes *absent* (linked to the absence, counted in sick hours) and an open shift takes its place.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        PUBLISHED = "published", "Publicerat"
        WORKED = "worked", "Arbetat"
        ABSENT = "absent", "Frånvaro"
        CANCELLED = "cancelled", "Inställt"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="shifts", verbose_name="enhet")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="shifts", verbose_name="brukare")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts", verbose_name="medarbetare"
    )
    starts_at = models.DateTimeField("börjar")
    ends_at = models.DateTimeField("slutar")
    kind = models.CharField("typ av tid", max_length=10, choices=ShiftKind.choices, default=ShiftKind.ACTIVE)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_overtime = models.BooleanField("övertid", default=False)
    is_hourly_paid = models.BooleanField("timavlönad", default=False)
    absence = models.ForeignKey(
        Absence, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts", verbose_name="frånvaro"
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name="ersätter"
    )
    job = models.ForeignKey(RosterJob, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts")
    need_pattern = models.ForeignKey(NeedPattern, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    booked_occasion = models.ForeignKey(
        BookedOccasion, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts"
    )
    exception = models.ForeignKey(ShiftException, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField("anteckning", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "arbetspass"
        verbose_name_plural = "arbetspass"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_end_after_start",
                violation_error_message="Passet måste sluta efter att det börjar.",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "starts_at"]),
            models.Index(fields=["client", "starts_at"]),
            models.Index(fields=["unit", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            # "Shifts touching a period" is `starts_at < end AND ends_at > start`: through (unit, starts_at) that
            # reads the unit's whole history before the end; from (unit, ends_at) only what ends after the start
            # — for the current month or week (the start page, the open shifts, the hours page) a few hundred rows.
            models.Index(fields=["unit", "ends_at"], name="shift_unit_ends_idx"),
        ]

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def hours(self) -> float:
        return self.duration.total_seconds() / 3600


class RosterSetting(models.Model):
    """A unit's rostering settings the manager chooses: whether an employee's request for an open shift is
    assigned at once when the working-time rules allow it (otherwise the manager approves each request)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="roster_setting", verbose_name="enhet")
    auto_assign_requests = models.BooleanField(
        "tillsätt begärda pass direkt",
        default=False,
        help_text="En medarbetare som begär ett öppet pass får det direkt om arbetstidsreglerna tillåter.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "schemainställning"
        verbose_name_plural = "schemainställningar"

    def __str__(self) -> str:
        return f"Schemainställning för enhet {self.unit_id}"


class ShiftRequest(NeverDeleted):
    """An employee's request to take an open shift (from Mitt schema); the manager approves it (which assigns
    the shift) or declines it. Never deleted: a request the shift outlived is marked void."""

    class Status(models.TextChoices):
        PENDING = "pending", "Väntar på beslut"
        APPROVED = "approved", "Godkänd"
        DECLINED = "declined", "Avslagen"
        VOID = "void", "Passet tillsattes på annat sätt"

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="requests", verbose_name="pass")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="shift_requests", verbose_name="medarbetare"
    )
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField("begärd", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("beslutad", null=True, blank=True)

    class Meta:
        verbose_name = "begäran om pass"
        verbose_name_plural = "begäranden om pass"
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "employee"],
                condition=Q(status="pending"),
                name="shiftrequest_one_pending_per_person",
                violation_error_message="Du har redan begärt passet.",
            ),
        ]

    def __str__(self) -> str:
        return f"Begäran om pass {self.shift_id} från medarbetare {self.employee_id}"


class ShiftOffer(NeverDeleted):
    """An offer of an open shift sent by SMS or e-mail to several employees at once: the first to accept
    through their link gets the shift; the others are told it is taken."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="offers", verbose_name="pass")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    sent_at = models.DateTimeField("skickat", auto_now_add=True)

    class Meta:
        verbose_name = "erbjudande om pass"
        verbose_name_plural = "erbjudanden om pass"
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Erbjudande om pass {self.shift_id}"


class ShiftOfferRecipient(NeverDeleted):
    """One employee an offer went to, with the hash of their one-time link's token (the token itself is only
    in the message) and what became of it."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "E-post"

    class Outcome(models.TextChoices):
        SENT = "sent", "Skickat"
        ACCEPTED = "accepted", "Tackade ja och fick passet"
        TOO_LATE = "too_late", "Tackade ja men passet var redan tillsatt"
        REFUSED = "refused", "Tackade ja men arbetstidsreglerna tillät det inte"

    offer = models.ForeignKey(ShiftOffer, on_delete=models.PROTECT, related_name="recipients")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", verbose_name="medarbetare")
    channel = models.CharField("kanal", max_length=5, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    outcome = models.CharField("utfall", max_length=10, choices=Outcome.choices, default=Outcome.SENT)
    answered_at = models.DateTimeField("svarade", null=True, blank=True)

    class Meta:
        verbose_name = "mottagare av erbjudande"
        verbose_name_plural = "mottagare av erbjudanden"
        ordering = ["offer_id", "id"]

    def __str__(self) -> str:
        return f"Erbjudande {self.offer_id} till medarbetare {self.employee_id}"
