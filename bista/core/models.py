"""Organisation, roles and permissions (reference data), memberships, API tokens and the audit trail."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q


class ValidityPeriod(models.Model):
    """Reference data in force from `valid_from` until (not including) `valid_to`."""

    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)

    class Meta:
        abstract = True

    def in_force(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class Municipality(models.Model):
    """Kommun, e.g. Stockholms stad."""

    name = models.CharField("namn", max_length=200, unique=True)
    code = models.CharField("kommunkod", max_length=4, blank=True)

    class Meta:
        verbose_name = "kommun"
        verbose_name_plural = "kommuner"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """Stadsdelsnämnd (district committee): the body a unit accounts to."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="districts")
    name = models.CharField("namn", max_length=200)

    class Meta:
        verbose_name = "stadsdelsnämnd"
        verbose_name_plural = "stadsdelsnämnder"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="district_unique_name")]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """Avdelning, e.g. Avdelningen för social omsorg."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField("namn", max_length=200)

    class Meta:
        verbose_name = "avdelning"
        verbose_name_plural = "avdelningar"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """Enhet: a provider unit (utförare) or a purchaser unit (beställarenhet)."""

    class Kind(models.TextChoices):
        PROVIDER = "provider", "Utförarenhet"
        PURCHASER = "purchaser", "Beställarenhet"

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("namn", max_length=200)
    kind = models.CharField("typ", max_length=20, choices=Kind.choices)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "enhet"
        verbose_name_plural = "enheter"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def district(self) -> District:
        return self.department.district


class Team(models.Model):
    """Arbetsgrupp: an assistance team around one client, or a ledsagning/avlösning group."""

    class Kind(models.TextChoices):
        ASSISTANCE = "assistance", "Assistansteam"
        ESCORT = "escort", "Ledsagning"
        RESPITE = "respite", "Avlösning"
        CONTACT_PERSON = "contact_person", "Kontaktperson"
        CASEWORK = "casework", "Handläggargrupp"
        OTHER = "other", "Övrigt"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField("namn", max_length=200)
    kind = models.CharField("typ", max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "arbetsgrupp"
        verbose_name_plural = "arbetsgrupper"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Permission(models.Model):
    """Something a role may do (reference data): e.g. `client.view_all`."""

    code = models.CharField("kod", max_length=60, unique=True)
    name = models.CharField("beskrivning", max_length=200)

    class Meta:
        verbose_name = "behörighet"
        verbose_name_plural = "behörigheter"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Role(models.Model):
    """A role held in a unit (reference data): enhetschef, medarbetare, handläggare …"""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=100)
    requires_two_factor = models.BooleanField("kräver tvåfaktorinloggning", default=False)

    class Meta:
        verbose_name = "roll"
        verbose_name_plural = "roller"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoleGrant(models.Model):
    """That a role has a permission, from `valid_from` until (not including) `valid_to`."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="grants")
    permission = models.ForeignKey(Permission, on_delete=models.PROTECT, related_name="grants")
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)

    class Meta:
        verbose_name = "rollbehörighet"
        verbose_name_plural = "rollbehörigheter"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="rolegrant_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role_id}: {self.permission_id} från {self.valid_from}"


class Membership(models.Model):
    """A user's role in a unit; with no unit, in every unit of the district (controller, förvaltare)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)

    class Meta:
        verbose_name = "rolltilldelning"
        verbose_name_plural = "rolltilldelningar"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="membership_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"Användare {self.user_id}: roll {self.role_id} från {self.valid_from}"


class ApiToken(models.Model):
    """A scoped token for an integration; it acts as its user, limited to its scopes.

    Only a hash of the token is stored; the token itself is shown once, when created.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField("namn", max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    scopes = models.JSONField("behörigheter", default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField("giltig till", null=True, blank=True)
    revoked_at = models.DateTimeField("återkallad", null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API-nyckel"
        verbose_name_plural = "API-nycklar"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"


class TwoFactorEnrolmentCode(models.Model):
    """A one-time code an administrator gives a user so that they may enrol an authenticator app.

    Without it (or the short window after the account was created) the two-factor page never shows a new
    secret: a password alone must not be enough to bind a second factor. Only a hash is stored; the code is
    shown once, to the administrator. It expires, is used once, and issuing a new one revokes the old.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("utfärdad", auto_now_add=True)
    expires_at = models.DateTimeField("giltig till")
    used_at = models.DateTimeField("använd", null=True, blank=True)
    revoked_at = models.DateTimeField("återkallad", null=True, blank=True)

    class Meta:
        verbose_name = "engångskod för tvåfaktor"
        verbose_name_plural = "engångskoder för tvåfaktor"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Engångskod {self.pk} för användare {self.user_id}"


class AuditEvent(models.Model):
    """One write, recorded in the same transaction as the write. Append-only (see migration 0002)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=200, blank=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=40, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "ändringslogg"
        verbose_name_plural = "ändringsloggar"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class DutyRule(models.Model):
    """A duty's deadline (reference data): e.g. first contact ≤ 2 weeks after the order was received.

    Contexts add rules by data migration and register where their duties come from (`bista.core.duties`).
    A change in the law is a new row from its date, so older duties keep the rule they were born under.
    """

    class Unit(models.TextChoices):
        HOURS = "hours", "timmar"
        DAYS = "days", "dagar"
        WEEKS = "weeks", "veckor"
        MONTHS = "months", "månader"

    code = models.CharField("kod", max_length=60)
    name = models.CharField("namn", max_length=200)
    description = models.TextField("beskrivning", blank=True)
    legal_reference = models.CharField("författning", max_length=200, blank=True)
    amount = models.PositiveIntegerField("antal")
    unit = models.CharField("enhet", max_length=10, choices=Unit.choices)
    warn_days = models.PositiveIntegerField("varna dagar före", default=14)
    valid_from = models.DateField("gäller från")
    valid_to = models.DateField("gäller till", null=True, blank=True)

    class Meta:
        verbose_name = "tidsfrist"
        verbose_name_plural = "tidsfrister"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="dutyrule_unique_version"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="dutyrule_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount} {self.get_unit_display()})"


class IdempotencyRecord(models.Model):
    """The first answer to an API write sent with an `Idempotency-Key` header, kept for a day so that a
    client's retry gets the same answer instead of a second write (bista.core.idempotency).

    Written in the same transaction as the write it answers: after a crash, either both exist or neither.
    The key is the client's, scoped to the user it authenticated as; the body may name clients, so records
    are deleted once expired."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path and body
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "idempotensnyckel"
        verbose_name_plural = "idempotensnycklar"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"


class GeneratedFile(models.Model):
    """A file a background task makes for the user who asked (a VB, a record print, the emergency export): its
    progress while it is made, then its bytes with their checksum, or why it failed. Abstract: each context
    keeps its files in its own table with what they are of; `core.generated` runs the task's part."""

    class Status(models.TextChoices):
        QUEUED = "queued", "I kö"
        RUNNING = "running", "Skapas"
        DONE = "done", "Klar"
        FAILED = "failed", "Misslyckades"

    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("klart (%)", default=0)
    message = models.CharField("meddelande", max_length=300, blank=True)
    content = models.BinaryField("fil", null=True, blank=True)
    sha256 = models.CharField("kontrollsumma", max_length=64, blank=True)
    size = models.PositiveIntegerField("storlek", default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
