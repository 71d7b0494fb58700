"""The provider chain: orders and their lifecycle, implementation plans, the journal, home binders and
deliveries. Reference data (services, journal categories, the delivery goal) carries validity dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from bista.clients.models import Client
from bista.core.models import GeneratedFile, Team, Unit, ValidityPeriod
from bista.core.people import NeverDeleted
from bista.core.versioning import Versioned


class Service(ValidityPeriod):
    """Insats (reference data): LSS 9 § 1–10 and the SoL services, with their legal reference."""

    class Act(models.TextChoices):
        LSS = "LSS", "LSS"
        SOL = "SoL", "SoL"

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=120)
    act = models.CharField("lag", max_length=3, choices=Act.choices)
    legal_reference = models.CharField("lagrum", max_length=120)

    class Meta:
        verbose_name = "insats"
        verbose_name_plural = "insatser"
        ordering = ["act", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.legal_reference})"


class Order(NeverDeleted, Versioned):
    """Beställning: the purchaser unit's order to the provider unit to carry out a decided service."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Mottagen"
        FIRST_CONTACT = "first_contact", "Första kontakt tagen"
        PLAN_ESTABLISHED = "plan_established", "Genomförandeplan upprättad"
        EXECUTED = "executed", "Verkställd"
        INTERRUPTED = "interrupted", "Avbrott"
        ENDED = "ended", "Avslutad"

    class ScopeUnit(models.TextChoices):
        WEEK = "week", "timmar per vecka"
        MONTH = "month", "timmar per månad"
        OCCASION = "occasion", "tillfällen per månad"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="orders", verbose_name="brukare")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="orders", verbose_name="enhet")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="orders", verbose_name="insats")
    decision_date = models.DateField("beslutsdatum")
    received_on = models.DateField("beställning mottagen")
    scope_amount = models.DecimalField("omfattning", max_digits=7, decimal_places=2)
    scope_unit = models.CharField("omfattning avser", max_length=10, choices=ScopeUnit.choices)
    period_start = models.DateField("beslutsperiod från")
    period_end = models.DateField("beslutsperiod till", null=True, blank=True)
    goals = models.TextField("mål med insatsen", blank=True)
    special_considerations = models.TextField("särskilda hänsyn", blank=True)
    contacts = models.TextField("kontaktuppgifter", blank=True, help_text="Handläggare, företrädare och andra.")
    case_officer = models.CharField("biståndshandläggare", max_length=200, blank=True)
    follow_up_on = models.DateField("uppföljningsdatum", null=True, blank=True)
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_orders",
        verbose_name="ansvarig biträdande enhetschef",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name="arbetsgrupp"
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    first_contact_on = models.DateField("första kontakt", null=True, blank=True)
    plan_established_on = models.DateField("genomförandeplan upprättad", null=True, blank=True)
    executed_on = models.DateField("verkställd", null=True, blank=True)
    ended_on = models.DateField("avslutad", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "beställning"
        verbose_name_plural = "beställningar"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["unit", "status"], name="order_unit_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__gte=F("decision_date")), name="order_received_after_decision"
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")), name="order_period"
            ),
            models.CheckConstraint(condition=Q(scope_amount__gt=0), name="order_scope_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service.name} för {self.client}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.ENDED


class OrderEvent(models.Model):
    """One dated step in an order's life (first contact, executed, interrupted, resumed, ended …)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Mottagen"
        FIRST_CONTACT = "first_contact", "Första kontakt"
        PLAN_ESTABLISHED = "plan_established", "Genomförandeplan upprättad"
        EXECUTED = "executed", "Verkställd"
        INTERRUPTED = "interrupted", "Avbrott"
        RESUMED = "resumed", "Återupptagen"
        ENDED = "ended", "Avslutad"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("steg", max_length=20, choices=Kind.choices)
    on = models.DateField("datum")
    note = models.TextField("anteckning", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "händelse i beställning"
        verbose_name_plural = "händelser i beställningar"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class ImplementationPlan(NeverDeleted, Versioned):
    """Genomförandeplan: one version of the plan for an order. Draft → signed (current) → superseded."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        SIGNED = "signed", "Gällande"
        SUPERSEDED = "superseded", "Ersatt"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="plans", verbose_name="beställning")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="plans")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plans")
    number = models.PositiveIntegerField("version")
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="föregående version"
    )
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.DRAFT)
    goals = models.TextField("mål")
    cooperation = models.TextField("samverkan med andra", blank=True)
    participants = models.TextField("deltagare vid upprättandet")
    client_participation = models.TextField("hur brukaren har varit delaktig")
    client_view = models.TextField("brukarens egen uppfattning")
    # Written by staff together with the client, in easy Swedish; shown first on the client's own view
    # (ownview), above the plan's own texts. Optional: not every plan has one yet.
    easy_read = models.TextField("lättläst sammanfattning", blank=True)
    follow_up_on = models.DateField("uppföljningsdatum", null=True, blank=True)
    signed_on = models.DateField("undertecknad", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "genomförandeplan"
        verbose_name_plural = "genomförandeplaner"
        ordering = ["order_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="plan_unique_number"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="draft"), name="plan_one_draft"),
            models.UniqueConstraint(fields=["order"], condition=Q(status="signed"), name="plan_one_current"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False), name="plan_signed_has_date"
            ),
        ]
        indexes = [models.Index(fields=["client", "status"], name="plan_client_status_idx")]

    def __str__(self) -> str:
        return f"Genomförandeplan {self.number} för {self.client}"


class PlanActivity(models.Model):
    """An activity of a plan version: its goal, who is responsible, when and how."""

    plan = models.ForeignKey(ImplementationPlan, on_delete=models.PROTECT, related_name="activities")
    position = models.PositiveIntegerField(default=0)
    goal = models.TextField("delmål")
    how = models.TextField("hur")
    when = models.CharField("när", max_length=200)
    responsible = models.CharField("ansvarig", max_length=200)

    class Meta:
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        ordering = ["plan_id", "position", "id"]

    def __str__(self) -> str:
        return self.goal[:60]


class JournalCategory(ValidityPeriod):
    """Journal category (reference data)."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=100)

    class Meta:
        verbose_name = "journalkategori"
        verbose_name_plural = "journalkategorier"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JournalEntry(models.Model):
    """Social dokumentation: signed when saved, never edited or deleted (append-only on PostgreSQL).

    A correction is a new entry pointing at the one it corrects, which stays readable.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="journal_entries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="journal_entries")
    event_date = models.DateField("händelsedatum")
    written_at = models.DateTimeField("skriven", db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField("signatur", max_length=200)
    author_role = models.CharField("roll", max_length=100)
    category = models.ForeignKey(JournalCategory, on_delete=models.PROTECT, related_name="+", verbose_name="kategori")
    text = models.TextField("text")
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name="rättar"
    )
    content_hash = models.CharField("kontrollsumma", max_length=64)
    # How content_hash was computed (care.services.SIGNATURE_VERSION): 1 hashed written_at's ISO text with its
    # microseconds, which a dumpdata/loaddata round trip truncates; 2 hashes whole seconds since the epoch.
    # Old entries keep version 1 and verify as they were signed: a signature is never re-made.
    signature_version = models.PositiveSmallIntegerField("signaturversion")

    class Meta:
        verbose_name = "journalanteckning"
        verbose_name_plural = "journalanteckningar"
        ordering = ["-event_date", "-written_at", "-id"]
        indexes = [
            # The journal page's order, to the last column, so deep pages walk the index instead of sorting.
            models.Index(fields=["client", "-event_date", "-written_at", "-id"], name="journal_client_order_idx")
        ]

    def __str__(self) -> str:
        return f"Journal {self.event_date} ({self.author_name})"


class JournalObjection(models.Model):
    """The client's statement that an entry is wrong, recorded against it (append-only)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField("brukarens invändning")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "invändning mot journalanteckning"
        verbose_name_plural = "invändningar mot journalanteckningar"
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"Invändning {self.recorded_at:%Y-%m-%d}"


class JournalDraft(models.Model):
    """What a user is typing for a client, saved as they type, so a closed tab loses nothing. One per user
    and client; removed when the entry is signed (a draft is not part of the record)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField(null=True, blank=True)
    category = models.ForeignKey(JournalCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    corrects = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="journaldraft_one_per_user_client")]

    def __str__(self) -> str:
        return f"Utkast {self.updated_at:%Y-%m-%d %H:%M}"


class HomeBinder(NeverDeleted):
    """One revision of a binder kept in the client's home. Each save is a new revision; `reviewed_on` is
    the date of the last review, from which the next review falls due."""

    class Kind(models.TextChoices):
        RISK_ASSESSMENT = "risk_assessment", "Risk- och konsekvensanalys"
        CRISIS_BINDER = "crisis_binder", "Krispärm och kontinuitetsplan"
        ROUTINE_BINDER = "routine_binder", "Rutinpärm"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="binders")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("pärm", max_length=20, choices=Kind.choices)
    number = models.PositiveIntegerField("version")
    is_current = models.BooleanField(default=True)
    reviewed_on = models.DateField("senast genomgången")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ansvarig",
    )
    contacts = models.TextField("kontakter", blank=True)
    instructions = models.TextField("vad gör vi när …", blank=True)
    continuity = models.TextField("kontinuitetsplan", blank=True)
    wishes = models.TextField("brukarens önskemål", blank=True)
    routines = models.TextField("rutiner", blank=True)
    notes = models.TextField("övrigt", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "hemmapärm"
        verbose_name_plural = "hemmapärmar"
        ordering = ["client_id", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "number"], name="binder_unique_number"),
            models.UniqueConstraint(fields=["client", "kind"], condition=Q(is_current=True), name="binder_one_current"),
        ]
        # "Att göra": the reviews of a unit since a date, and whether a binder's review date is repeated.
        indexes = [
            models.Index(fields=["unit", "reviewed_on"], name="binder_unit_reviewed_idx"),
            models.Index(fields=["client", "kind", "reviewed_on"], name="binder_kind_reviewed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number} för {self.client}"


class RiskItem(models.Model):
    """A row of the risk and consequence analysis: a risk, how likely, how bad, what is done, by whom."""

    class Level(models.IntegerChoices):
        LOW = 1, "Låg"
        MEDIUM = 2, "Medel"
        HIGH = 3, "Hög"
        VERY_HIGH = 4, "Mycket hög"

    binder = models.ForeignKey(HomeBinder, on_delete=models.PROTECT, related_name="risks")
    position = models.PositiveIntegerField(default=0)
    risk = models.TextField("risk")
    likelihood = models.PositiveSmallIntegerField("sannolikhet", choices=Level.choices)
    consequence = models.PositiveSmallIntegerField("konsekvens", choices=Level.choices)
    action = models.TextField("åtgärd")
    owner = models.CharField("ansvarig", max_length=200)

    class Meta:
        ordering = ["binder_id", "position", "id"]

    def __str__(self) -> str:
        return self.risk[:60]

    @property
    def score(self) -> int:
        return self.likelihood * self.consequence


class Delivery(NeverDeleted):
    """A delivery of protective or office material to a client's home."""

    class Kind(models.TextChoices):
        PROTECTIVE = "protective", "Arbetsskyddsmaterial"
        OFFICE = "office", "Kontorsmaterial"
        OTHER = "other", "Övrigt"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="deliveries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField("leveransdatum")
    kind = models.CharField("typ", max_length=12, choices=Kind.choices, default=Kind.PROTECTIVE)
    items = models.TextField("artiklar")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "leverans"
        verbose_name_plural = "leveranser"
        ordering = ["-delivered_on", "-id"]
        indexes = [models.Index(fields=["unit", "delivered_on"], name="delivery_unit_date_idx")]

    def __str__(self) -> str:
        return f"Leverans {self.delivered_on} till {self.client}"


class DeliveryGoal(ValidityPeriod):
    """The most deliveries a client should get per year (reference data; per unit or, blank, for all)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    max_per_year = models.PositiveIntegerField("högst leveranser per brukare och år")

    class Meta:
        verbose_name = "mål för leveranser"
        verbose_name_plural = "mål för leveranser"
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return f"Högst {self.max_per_year} leveranser per år från {self.valid_from}"


class CareExport(GeneratedFile):
    """A print made in the background for the user who asked: a client's whole record (registerutdrag) or a
    unit's emergency export (nödrutin, a ZIP of PDFs). Only the asker may fetch it, until it expires; then its
    bytes are cleared and the row stays as the trace of what was made."""

    class Kind(models.TextChoices):
        RECORD = "record", "Registerutdrag (PDF)"
        EMERGENCY = "emergency", "Nödrutin (ZIP)"

    kind = models.CharField("utskrift", max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    client_ids = models.JSONField("brukare i filen", default=list, blank=True)  # whose data the file holds
    expires_at = models.DateTimeField("kan hämtas till", null=True, blank=True)

    class Meta:
        verbose_name = "utskrift"
        verbose_name_plural = "utskrifter"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="record", client__isnull=False) | Q(kind="emergency", unit__isnull=False),
                name="careexport_has_its_subject",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="careexport_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requested_at:%Y-%m-%d %H:%M}"
