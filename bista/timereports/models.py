"""Worked time (arbetad tid): the time a person confirms they worked, shift by shift, and the manager's
attestation of a person's month.

A `WorkedTime` is the current state of one piece of worked time — the confirmation of a published shift, or
time worked without a shift (unplanned). Every version of it, the first included, is a `WorkedTimeRevision`
that is never changed or deleted (append-only on PostgreSQL): the current values are a copy of the latest
revision, so that overlap checks and sums read one row. A shift without a `WorkedTime` is unconfirmed and
counts as nothing; it is listed as such wherever worked time is summed.

Times are aware datetimes (stored in UTC); a worked time belongs to the month of its start in Stockholm.
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from bista.clients.models import Client
from bista.core.access import valid_on
from bista.core.models import Unit
from bista.core.people import NeverDeleted
from bista.rostering.models import Shift, ShiftKind
from bista.staff.models import Employee
from bista.timereports.rules import Minutes, first_of_month, hours_decimal, report_due, row_totals

# The shift statuses that are confirmed: published (and "worked", set by the demo's history).
CONFIRMABLE = (Shift.Status.PUBLISHED, Shift.Status.WORKED)


class Basis(models.TextChoices):
    """Where a revision's times come from."""

    PLANNED = "planned", "Bekräftad som planerat"
    ADJUSTED = "adjusted", "Justerad"
    UNPLANNED = "unplanned", "Oplanerad tid"
    REVISED = "revised", "Ändrad"


class WorkedTime(NeverDeleted):
    """The confirmed time of one shift (or of unplanned work) by the person who worked it: its current values.

    For jour and beredskap, `active_minutes` is the active work done inside the passive time; for active time,
    `waiting_minutes` is the waiting time (väntetid) inside it. The rest follows (`rules.split_minutes`)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="worked_times", verbose_name="medarbetare"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="worked_times", verbose_name="brukare")
    shift = models.OneToOneField(
        Shift, on_delete=models.PROTECT, null=True, blank=True, related_name="worked_time", verbose_name="pass"
    )
    kind = models.CharField("typ av tid", max_length=10, choices=ShiftKind.choices, default=ShiftKind.ACTIVE)
    starts_at = models.DateTimeField("började")
    ends_at = models.DateTimeField("slutade")
    active_minutes = models.PositiveIntegerField("aktiv tid inom jour/beredskap (minuter)", default=0)
    waiting_minutes = models.PositiveIntegerField("väntetid (minuter)", default=0)
    basis = models.CharField("grund", max_length=10, choices=Basis.choices)
    revision = models.PositiveIntegerField("revision", default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField("registrerad")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "arbetad tid"
        verbose_name_plural = "arbetad tid"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="worked_time_end_after_start",
                violation_error_message="Sluttiden måste vara efter starttiden.",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "starts_at"]),
            models.Index(fields=["unit", "starts_at"]),
            models.Index(fields=["client", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"Arbetad tid {self.starts_at:%Y-%m-%d}"

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)


class WorkedTimeRevision(models.Model):
    """One version of a worked time, in order: who recorded it, when, from what, and why. Never changed."""

    worked_time = models.ForeignKey(WorkedTime, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField("revision")
    kind = models.CharField("typ av tid", max_length=10, choices=ShiftKind.choices)
    starts_at = models.DateTimeField("började")
    ends_at = models.DateTimeField("slutade")
    active_minutes = models.PositiveIntegerField("aktiv tid inom jour/beredskap (minuter)", default=0)
    waiting_minutes = models.PositiveIntegerField("väntetid (minuter)", default=0)
    basis = models.CharField("grund", max_length=10, choices=Basis.choices)
    reason = models.CharField("anledning", max_length=300, blank=True)
    after_attestation = models.BooleanField("efter attest", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField("registrerad")

    class Meta:
        verbose_name = "revision av arbetad tid"
        verbose_name_plural = "revisioner av arbetad tid"
        ordering = ["worked_time_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["worked_time", "number"], name="worked_time_revision_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="worked_time_revision_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number}"

    @property
    def span(self) -> str:
        from bista.timereports.rules import local_span

        return local_span(self.starts_at, self.ends_at)


class Attestation(models.Model):
    """The manager's attestation of one person's worked time in one month (in one unit). Never changed: a
    month changed after its attestation is attested again, as a new row; the latest row is the one in force."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="attestations", verbose_name="medarbetare"
    )
    month = models.DateField("månad", help_text="Månadens första dag.")
    minutes = models.PositiveIntegerField("attesterad tid (minuter)")
    entries = models.PositiveIntegerField("antal poster")
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    attested_at = models.DateTimeField("attesterad")

    class Meta:
        verbose_name = "attest"
        verbose_name_plural = "attester"
        ordering = ["month", "employee_id", "attested_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="attestation_month_first_day"),
        ]
        indexes = [models.Index(fields=["unit", "month"]), models.Index(fields=["employee", "month"])]

    def __str__(self) -> str:
        return f"Attest {self.month:%Y-%m}"


class MonthClose(models.Model):
    """A unit's month close (månadsavslut): open until the manager locks it after the checklist; a locked month
    refuses changes of its worked time except a correction with a reason, which reopens it. Every lock and
    reopening is a `MonthCloseEvent`."""

    class Status(models.TextChoices):
        OPEN = "open", "Öppen"
        LOCKED = "locked", "Stängd"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    month = models.DateField("månad", help_text="Månadens första dag.")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "månadsavslut"
        verbose_name_plural = "månadsavslut"
        ordering = ["unit_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="month_close_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="month_close_first_day"),
        ]

    def __str__(self) -> str:
        return f"Månadsavslut {self.month:%Y-%m}"


class MonthCloseEvent(models.Model):
    """One lock or reopening of a unit's month: who, when, why, and the checklist as it stood. Never changed."""

    class Action(models.TextChoices):
        LOCK = "lock", "Stängd"
        REOPEN = "reopen", "Öppnad för rättelse"

    month_close = models.ForeignKey(MonthClose, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("händelse", max_length=10, choices=Action.choices)
    reason = models.CharField("anledning", max_length=300, blank=True)
    checklist = models.JSONField("kontrollista", default=dict)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField("tidpunkt")

    class Meta:
        verbose_name = "händelse i månadsavslut"
        verbose_name_plural = "händelser i månadsavslut"
        ordering = ["month_close_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


class TimeBand(models.Model):
    """Reference data: one row of a time band (OB-tid) in force from `valid_from`: the weekdays and clock times
    it covers (`rules.Band` says how), and which band wins where rows overlap. Holidays (computed, with the
    great eves) win over every band; time in no band is day time. *Verify against the current agreement.*"""

    class Code(models.TextChoices):
        EVENING = "evening", "Kväll"
        NIGHT = "night", "Natt"
        WEEKEND = "weekend", "Helg"

    code = models.CharField("tidsband", max_length=10, choices=Code.choices)
    weekdays = models.CharField("veckodagar", max_length=7, help_text="ISO-veckodagar, 1 = måndag … 7 = söndag.")
    start_time = models.TimeField("från klockan")
    end_time = models.TimeField("till klockan", help_text="00:00 = dygnets slut; före starttiden = nästa dag.")
    priority = models.PositiveSmallIntegerField("företräde", default=1)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    source = models.CharField("källa", max_length=200, blank=True)

    class Meta:
        verbose_name = "tidsband"
        verbose_name_plural = "tidsband"
        ordering = ["valid_from", "priority", "code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name="timeband_to_after_from"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.weekdays} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class MunicipalShareRule(models.Model):
    """Reference data: the hours of personal assistance per week that the municipality pays before FK's
    assistance compensation (SFB 51 kap. — *verify*), in force from `valid_from`."""

    hours_per_week = models.DecimalField("timmar per vecka", max_digits=5, decimal_places=2)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    source = models.CharField("källa", max_length=200, blank=True)

    class Meta:
        verbose_name = "kommunens andel av personlig assistans"
        verbose_name_plural = "kommunens andel av personlig assistans"
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_week__gte=0), name="municipalshare_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.hours_per_week} h/vecka från {self.valid_from}"


def municipal_minutes_per_week(day: datetime.date) -> float:
    """The municipality's first hours of personal assistance per week in force on `day`, in minutes (0 when no
    rule is in force): one place for the FK reports, the reconciliation and the economy."""
    rule = MunicipalShareRule.objects.filter(valid_on(day)).order_by("-valid_from").first()
    return float(rule.hours_per_week) * 60 if rule is not None else 0.0


class FkReportDeadline(models.Model):
    """Reference data: by when a month's time reports must have reached Försäkringskassan — day `day` of the
    `months_after`-th month after the month reported (*verify*: FK pays in arrears on the 5th and the 20th, and
    a report in by the 5th of the month after is paid in the ordinary cycle; from 2027 FK's outer limit for
    any payment is the 5th of the second month after). In force from `valid_from`."""

    months_after = models.PositiveSmallIntegerField("månader efter", default=1)
    day = models.PositiveSmallIntegerField("dag i månaden", default=5)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)
    source = models.CharField("källa", max_length=200, blank=True)

    class Meta:
        verbose_name = "sista dag för tidredovisning till Försäkringskassan"
        verbose_name_plural = "sista dagar för tidredovisning till Försäkringskassan"
        ordering = ["valid_from", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=28), name="fkdeadline_day_1_28"),
            models.CheckConstraint(
                condition=Q(months_after__gte=1, months_after__lte=3), name="fkdeadline_months_after_1_3"
            ),
        ]

    def __str__(self) -> str:
        return f"Dag {self.day}, {self.months_after} månad(er) efter, från {self.valid_from}"


def fk_report_due(month: datetime.date) -> datetime.date | None:
    """The last day to send the month's FK reports (the deadline in force on the month's first day; None
    without one)."""
    first = first_of_month(month)
    rule = FkReportDeadline.objects.filter(valid_on(first)).order_by("-valid_from").first()
    return report_due(first, rule.months_after, rule.day) if rule is not None else None


class ProviderDetails(models.Model):
    """The provider (anordnare) as Försäkringskassan's time reports name it: one row per unit, kept up to date
    by the unit (a change is an update of this row; each report keeps the details it was produced with)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    name = models.CharField("anordnarens namn", max_length=200)
    organisation_number = models.CharField("organisationsnummer", max_length=10, help_text="Tio siffror.")
    contact_name = models.CharField("kontaktperson", max_length=200)
    contact_phone = models.CharField("telefon", max_length=30, blank=True)
    contact_email = models.EmailField("e-post", blank=True)

    class Meta:
        verbose_name = "anordnaruppgifter"
        verbose_name_plural = "anordnaruppgifter"
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation_number__regex=r"^[0-9]{10}$"), name="provider_orgnr_ten_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FkReport(models.Model):
    """Försäkringskassan's time report (tidredovisning) for one client × assistant × month: the content as it
    was produced (`content`, the same dict the ELT XML and the PDF are written from) and its status.

    A draft follows the records (producing again rewrites it); an attested or sent report is never changed:
    a correction is a new report that supersedes it (the old one becomes *corrected*)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        ATTESTED = "attested", "Attesterad"
        SENT = "sent", "Skickad"
        CORRECTED = "corrected", "Rättad (ersatt)"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="fk_reports", verbose_name="brukare")
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="fk_reports", verbose_name="assistent"
    )
    month = models.DateField("månad", help_text="Månadens första dag.")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by", verbose_name="ersätter"
    )
    correction_reason = models.CharField("anledning till rättelse", max_length=300, blank=True)
    content = models.JSONField("innehåll", default=dict)
    produced_at = models.DateTimeField("framtagen")
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    attested_at = models.DateTimeField("attesterad", null=True, blank=True)
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_on = models.DateField("skickad datum", null=True, blank=True)
    sent_at = models.DateTimeField("registrerad som skickad", null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "tidredovisning till Försäkringskassan"
        verbose_name_plural = "tidredovisningar till Försäkringskassan"
        ordering = ["month", "client_id", "employee_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="fk_report_month_first_day"),
            # One report in force (not corrected) per client × assistant × month.
            models.UniqueConstraint(
                fields=["client", "employee", "month"],
                condition=~Q(status="corrected"),
                name="fk_report_one_current",
            ),
        ]
        indexes = [models.Index(fields=["unit", "month"]), models.Index(fields=["client", "month"])]

    def __str__(self) -> str:
        return f"Tidredovisning {self.month:%Y-%m}"

    @cached_property
    def totals(self) -> Minutes:
        """The minutes of the report's rows (active, waiting, jour, beredskap): computed from `content`, the
        one record of what was reported, never stored beside it."""
        return row_totals(self.content.get("rows", []))

    @property
    def active_minutes(self) -> int:
        return self.totals.active

    @property
    def waiting_minutes(self) -> int:
        return self.totals.waiting

    @property
    def on_call_minutes(self) -> int:
        return self.totals.on_call

    @property
    def standby_minutes(self) -> int:
        return self.totals.standby

    @property
    def minutes(self) -> int:
        return self.totals.total

    @property
    def hours(self) -> str:
        return hours_decimal(self.minutes)
