"""The client's own view (Min sida), ADR 0014.

`OwnViewSettings` (one per client, kept by staff): whether the client may use the own view at all and whether
the client has agreed that staff names are shown (default: no names, only times). `OwnViewContact`: an e-mail
address or mobile number registered by staff for the client or one of their recorded representatives — the
only places a sign-in code is ever sent. `SignInCode`: a one-time code, stored only as a keyed hash, valid
ten minutes, for one use and a few attempts. `SignInAttempt`: code requests and wrong codes per address and
per (hashed) personnummer, for the lockout — keyed by the hash so an unknown personnummer is counted like a
known one. `OwnViewSignIn`: one signed-in session (who, how, from when to when), named in the access log.
An own-view session is a key in Django's session, never a Django user: it grants no staff page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from bista.clients.models import Client, ClientContact
from bista.core.people import NeverDeleted
from bista.core.versioning import Versioned

USER = settings.AUTH_USER_MODEL


class OwnViewSettings(Versioned):
    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="+", verbose_name="brukare")
    enabled = models.BooleanField("brukaren får använda Min sida", default=False)
    show_staff_names = models.BooleanField("brukaren har samtyckt till att personalens namn visas", default=False)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "inställning för Min sida"
        verbose_name_plural = "inställningar för Min sida"

    def __str__(self) -> str:
        return f"Min sida för brukare {self.client_id}"


class Channel(models.TextChoices):
    EMAIL = "email", "E-post"
    SMS = "sms", "Sms"


class OwnViewContact(NeverDeleted):
    """Where a sign-in code may be sent: the client's own, or a recorded representative's."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name="brukare")
    representative = models.ForeignKey(
        ClientContact, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="företrädare"
    )
    channel = models.CharField("kanal", max_length=5, choices=Channel.choices)
    address = models.CharField("e-postadress eller mobilnummer", max_length=254)  # normalised (rules.normalise_contact)
    is_active = models.BooleanField("aktiv", default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "kontakt för Min sida"
        verbose_name_plural = "kontakter för Min sida"
        ordering = ["client_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "channel", "address"], condition=Q(is_active=True), name="ownview_contact_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} för brukare {self.client_id}"

    @property
    def who(self) -> str:
        return f"företrädare {self.representative.name}" if self.representative_id else "brukaren"  # type: ignore[union-attr]


class SignInCode(models.Model):
    contact = models.ForeignKey(OwnViewContact, on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "inloggningskod"
        verbose_name_plural = "inloggningskoder"

    def __str__(self) -> str:
        return f"Inloggningskod {self.pk}"


class SignInAttempt(models.Model):
    class Kind(models.TextChoices):
        REQUEST = "request", "Begärde kod"
        FAILURE = "failure", "Fel kod"

    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    address = models.CharField(max_length=64, blank=True)  # the IP address
    subject = models.CharField(max_length=64)  # rules.subject_hash(personnummer): no client link, same for unknown

    class Meta:
        verbose_name = "inloggningsförsök"
        verbose_name_plural = "inloggningsförsök"
        indexes = [
            models.Index(fields=["subject", "at"], name="ownview_attempt_subject_idx"),
            models.Index(fields=["address", "at"], name="ownview_attempt_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class OwnViewSignIn(models.Model):
    class Method(models.TextChoices):
        CODE = "code", "Engångskod"
        SSO = "sso", "E-legitimation"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(OwnViewContact, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    method = models.CharField(max_length=5, choices=Method.choices)
    signed_in_at = models.DateTimeField()
    signed_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "inloggning i Min sida"
        verbose_name_plural = "inloggningar i Min sida"

    def __str__(self) -> str:
        return f"Inloggning {self.pk} i Min sida"

    @property
    def who(self) -> str:
        return self.contact.who if self.contact_id else "brukaren"  # type: ignore[union-attr]
