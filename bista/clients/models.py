"""Clients (brukare), their contacts, their links to units and teams, and the log of every read."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bista.clients.actions import ACCESS_ACTIONS, AccessAction
from bista.core.models import Team, Unit
from bista.core.people import Gender, NeverDeleted, format_personnummer, validate_stored_personnummer
from bista.core.versioning import Versioned


class StaffGenderPreference(models.TextChoices):
    NONE = "", "Ingen preferens"
    WOMAN = "K", "Kvinna"
    MAN = "M", "Man"


class Client(NeverDeleted, Versioned):
    personnummer = models.CharField(
        "personnummer", max_length=12, unique=True, validators=[validate_stored_personnummer]
    )
    first_name = models.CharField("förnamn", max_length=100)
    last_name = models.CharField("efternamn", max_length=100)
    gender = models.CharField("kön", max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    street_address = models.CharField("gatuadress", max_length=200, blank=True)
    postal_code = models.CharField("postnummer", max_length=6, blank=True)
    city = models.CharField("postort", max_length=100, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    email = models.EmailField("e-post", blank=True)
    preferred_staff_gender = models.CharField(
        "önskat kön på personal", max_length=1, choices=StaffGenderPreference.choices, blank=True, default=""
    )
    language = models.CharField("språk", max_length=60, blank=True, default="svenska")
    interpreter_needed = models.BooleanField("behöver tolk", default=False)
    protected_identity = models.BooleanField("skyddade personuppgifter", default=False)
    is_active = models.BooleanField("aktiv", default=True)
    fictitious = models.BooleanField("fiktiv person (demo/test)", default=False)
    teams = models.ManyToManyField(Team, related_name="clients", blank=True, verbose_name="arbetsgrupper")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "brukare"
        verbose_name_plural = "brukare"
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="client_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def personnummer_formatted(self) -> str:
        return format_personnummer(self.personnummer)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ClientUnit(models.Model):
    """That a unit has a client: the purchaser unit that decides, or a provider unit that carries out."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="client_links")
    since = models.DateField("från")
    until = models.DateField("till", null=True, blank=True)

    class Meta:
        verbose_name = "brukare i enhet"
        verbose_name_plural = "brukare i enhet"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="clientunit_valid_period",
            ),
            models.UniqueConstraint(
                fields=["client", "unit"], condition=models.Q(until__isnull=True), name="clientunit_one_open_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} i enhet {self.unit_id} från {self.since}"


class ClientContact(NeverDeleted):
    """A legal representative (god man, förvaltare, vårdnadshavare) or a relative."""

    class Kind(models.TextChoices):
        GOOD_MAN = "god_man", "God man"
        ADMINISTRATOR = "forvaltare", "Förvaltare"
        GUARDIAN = "vardnadshavare", "Vårdnadshavare"
        RELATIVE = "anhorig", "Anhörig"
        OTHER = "annan", "Annan kontakt"

    LEGAL_REPRESENTATIVES = (Kind.GOOD_MAN, Kind.ADMINISTRATOR, Kind.GUARDIAN)

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField("typ", max_length=20, choices=Kind.choices)
    name = models.CharField("namn", max_length=200)
    relation = models.CharField("relation", max_length=100, blank=True)
    phone = models.CharField("telefon", max_length=30, blank=True)
    email = models.EmailField("e-post", blank=True)
    is_active = models.BooleanField("aktiv", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "kontakt"
        verbose_name_plural = "kontakter"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_legal_representative(self) -> bool:
        return self.kind in self.LEGAL_REPRESENTATIVES


class ProtectedIdentityAccess(models.Model):
    """The named access group of a unit that may see protected clients' addresses."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="protected_identity_access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "behörighet till skyddade personuppgifter"
        verbose_name_plural = "behörighetsgrupp för skyddade personuppgifter"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user"], condition=models.Q(revoked_at__isnull=True), name="protected_access_once"
            )
        ]

    def __str__(self) -> str:
        return f"Användare {self.user_id} i enhet {self.unit_id}"


class AccessLogEntry(models.Model):
    """One read of a client's data. Append-only (see migration); kept at least five years."""

    # The clients context's own actions; every context declares its own in ACCESS_ACTIONS (a plain CharField,
    # checked by the service, so that a new action needs no migration here).
    Action = AccessAction

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="access_log")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=20)
    detail = models.CharField(max_length=200, blank=True)
    protected_identity = models.BooleanField(default=False)
    request_id = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "åtkomstlogg"
        verbose_name_plural = "åtkomstlogg"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["client", "at"], name="accesslog_client_idx"),
            models.Index(fields=["actor", "at"], name="accesslog_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} brukare {self.client_id}"

    def get_action_display(self) -> str:
        """The action's Swedish label (as Django's choices gave it): for the log review page and its CSV."""
        return ACCESS_ACTIONS.label(self.action)


class LogReview(models.Model):
    """Loggkontroll: a manager's review of a random sample of the access log."""

    class Outcome(models.TextChoices):
        PENDING = "", "Ej granskad"
        OK = "ok", "Ingen anmärkning"
        FINDING = "finding", "Avvikelse funnen"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="log_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("från")
    period_end = models.DateField("till")
    sample_size = models.PositiveIntegerField("urvalsstorlek")
    seed = models.CharField(max_length=40)
    entries = models.ManyToManyField(AccessLogEntry, related_name="reviews")
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField("bedömning", max_length=10, choices=Outcome.choices, blank=True, default="")
    findings = models.TextField("iakttagelser", blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "loggkontroll"
        verbose_name_plural = "loggkontroller"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="logreview_period"
            )
        ]

    def __str__(self) -> str:
        return f"Loggkontroll {self.period_start}–{self.period_end}"
