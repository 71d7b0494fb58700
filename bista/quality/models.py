"""The management system for systematic quality work (SOSFS 2011:9): deviations, Lex Sarah reports,
feedback, personal data incidents, routines and the self-check plan. Categories are reference data with
validity dates; each one names the row of the VB table "Redovisning av synpunkter och klagomål" it counts in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from bista.clients.models import Client
from bista.core.models import Unit, ValidityPeriod
from bista.core.people import NeverDeleted
from bista.core.versioning import Versioned

USER = settings.AUTH_USER_MODEL


class QualityCategory(ValidityPeriod):
    """A category of deviations or feedback (reference data), in the VB table's group and row."""

    class Group(models.TextChoices):
        DEVIATION = "deviation", "Avvikelse - SOL/LSS"
        FEEDBACK_STAFF = "feedback_staff", "Synpunkter och klagomål - som gäller verksamhet och personal"
        FEEDBACK_OTHER = "feedback_other", "Synpunkter och klagomål - ej personalrelaterade"

    group = models.CharField("grupp", max_length=20, choices=Group.choices)
    code = models.CharField("kod", max_length=40)
    name = models.CharField("namn", max_length=120)
    position = models.PositiveIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "kategori"
        verbose_name_plural = "kategorier"
        ordering = ["group", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="qualitycategory_unique_code")]

    def __str__(self) -> str:
        return self.name


class IdentifiedBy(models.TextChoices):
    STAFF = "staff", "Medarbetare (inom den egna verksamheten/enheten)"
    EXTERNAL = "external", "Extern samverkanspart"


class Concerns(models.TextChoices):
    OWN = "own", "Den egna verksamheten"
    OTHER = "other", "Annan verksamhet"


class Deviation(NeverDeleted, Versioned):
    """Avvikelse: reported by anyone in a minute, then classified, analysed, acted on and closed."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Rapporterad"
        IN_PROGRESS = "in_progress", "Under utredning"
        CLOSED = "closed", "Avslutad"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="deviations", verbose_name="enhet")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="deviations", verbose_name="brukare"
    )
    occurred_at = models.DateTimeField("när det hände")
    what_happened = models.TextField("vad hände")
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    reported_at = models.DateTimeField("rapporterad", db_index=True)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.REPORTED)
    category = models.ForeignKey(
        QualityCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kategori"
    )
    identified_by = models.CharField(
        "vem identifierade avvikelsen", max_length=10, choices=IdentifiedBy.choices, default=IdentifiedBy.STAFF
    )
    concerns = models.CharField("vem avser avvikelsen", max_length=10, choices=Concerns.choices, default=Concerns.OWN)
    concerned_unit_name = models.CharField("annan verksamhet", max_length=200, blank=True)
    immediate_action = models.TextField("omedelbar åtgärd", blank=True)
    analysis = models.TextField("orsaksanalys", blank=True)
    feedback_to_reporter_on = models.DateField("återkoppling till rapportören", null=True, blank=True)
    feedback_to_client_on = models.DateField("återkoppling till brukaren", null=True, blank=True)
    closed_at = models.DateTimeField("avslutad", null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closing_note = models.TextField("kommentar vid avslut", blank=True)

    class Meta:
        verbose_name = "avvikelse"
        verbose_name_plural = "avvikelser"
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["unit", "reported_at"], name="deviation_unit_reported_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(occurred_at__lte=F("reported_at")), name="deviation_occurred_first")
        ]

    def __str__(self) -> str:
        return f"Avvikelse {self.pk} ({self.reported_at:%Y-%m-%d})"


class DeviationAction(models.Model):
    """An action decided on a deviation, with its owner and due date."""

    deviation = models.ForeignKey(Deviation, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField("åtgärd")
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="ansvarig")
    due_on = models.DateField("klar senast")
    done_on = models.DateField("klar", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "åtgärd"
        verbose_name_plural = "åtgärder"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class LexSarahReport(NeverDeleted, Versioned):
    """Lex Sarah: report → registered → remedy → investigation → assessment → (IVO) → decision and closure."""

    class Status(models.TextChoices):
        REPORTED = "reported", "Rapporterad"
        REGISTERED = "registered", "Registrerad"
        REMEDIED = "remedied", "Åtgärdad omedelbart"
        INVESTIGATED = "investigated", "Utredd"
        ASSESSED = "assessed", "Bedömd"
        NOTIFIED = "notified", "Anmäld till IVO"
        CLOSED = "closed", "Avslutad"

    class Assessment(models.TextChoices):
        NOT_IMPROPRIETY = "none", "Inte ett missförhållande eller en påtaglig risk"
        IMPROPRIETY = "impropriety", "Missförhållande"
        RISK = "risk", "Påtaglig risk för missförhållande"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="lex_sarah_reports", verbose_name="enhet")
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lex_sarah_reports",
        verbose_name="brukare",
    )
    deviation = models.OneToOneField(
        Deviation, on_delete=models.PROTECT, null=True, blank=True, related_name="lex_sarah_report"
    )
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.REPORTED)
    # The report (genast)
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    reported_at = models.DateTimeField("rapporterad", db_index=True)
    occurred_at = models.DateTimeField("när det hände")
    what_happened = models.TextField("vad har hänt")
    # Registration by the unit manager
    registered_at = models.DateTimeField("registrerad", null=True, blank=True)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Remedy without delay
    remedy = models.TextField("omedelbara åtgärder", blank=True)
    remedied_at = models.DateTimeField("åtgärdat", null=True, blank=True)
    # Investigation (DOMAIN §4)
    investigation_events = models.TextField("vad har hänt enligt utredningen", blank=True)
    client_view = models.TextField("brukarens uppfattning", blank=True)
    causes = models.TextField("orsaker", blank=True)
    preventive_actions = models.TextField("åtgärder för att förhindra att det händer igen", blank=True)
    client_informed_on = models.DateField("brukaren informerad", null=True, blank=True)
    investigated_at = models.DateTimeField("utredning klar", null=True, blank=True)
    investigated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Assessment
    assessment = models.CharField("bedömning", max_length=12, choices=Assessment.choices, blank=True)
    serious = models.BooleanField("allvarligt", null=True, blank=True)
    assessment_reason = models.TextField("motivering", blank=True)
    assessed_at = models.DateTimeField("bedömd", null=True, blank=True)
    assessed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # IVO
    ivo_notified_on = models.DateField("anmäld till IVO", null=True, blank=True)
    ivo_reference = models.CharField("IVO:s diarienummer", max_length=60, blank=True)
    # Decision and closure
    decision = models.TextField("beslut", blank=True)
    decided_on = models.DateField("beslutsdatum", null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "lex Sarah-rapport"
        verbose_name_plural = "lex Sarah-rapporter"
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ivo_notified_on__isnull=True) | Q(serious=True), name="lexsarah_ivo_only_if_serious"
            )
        ]

    def __str__(self) -> str:
        return f"Lex Sarah {self.pk} ({self.reported_at:%Y-%m-%d})"


class Feedback(NeverDeleted, Versioned):
    """Synpunkt, klagomål or beröm; from the client, a relative, anonymous, another body or someone else."""

    class Kind(models.TextChoices):
        OPINION = "opinion", "Synpunkt"
        COMPLAINT = "complaint", "Klagomål"
        PRAISE = "praise", "Beröm"

    class Source(models.TextChoices):
        CLIENT = "client", "Brukare/patient"
        RELATIVE = "relative", "Anhörig eller företrädare"
        ANONYMOUS = "anonymous", "Anonym"
        OTHER_BODY = "other_body", "Annan instans (t ex Patientnämnden)"
        OTHER = "other", "Annan"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="feedback", verbose_name="enhet")
    kind = models.CharField("typ", max_length=10, choices=Kind.choices)
    source = models.CharField("från", max_length=12, choices=Source.choices)
    sender_name = models.CharField("avsändare", max_length=200, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback", verbose_name="brukare"
    )
    category = models.ForeignKey(
        QualityCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kategori"
    )
    received_on = models.DateField("inkom", db_index=True)
    description = models.TextField("vad gäller det")
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    # A complaint about another provider is forwarded there; its written answer is recorded.
    other_provider = models.CharField("gäller annan utförare", max_length=200, blank=True)
    forwarded_on = models.DateField("vidarebefordrad", null=True, blank=True)
    other_provider_answer = models.TextField("den andra utförarens svar om åtgärder", blank=True)
    other_provider_answered_on = models.DateField("svar från den andra utföraren", null=True, blank=True)
    answer = models.TextField("återkoppling", blank=True)
    answered_on = models.DateField("återkoppling lämnad", null=True, blank=True)
    action_taken = models.TextField("vidtagen åtgärd", blank=True)
    action_taken_on = models.DateField("åtgärd vidtagen", null=True, blank=True)
    closed_at = models.DateTimeField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "synpunkt eller klagomål"
        verbose_name_plural = "synpunkter och klagomål"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["unit", "received_on"], name="feedback_unit_received_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"


class DataIncident(NeverDeleted, Versioned):
    """Personuppgiftsincident: always recorded; IMY within 72 hours of discovery unless unlikely to harm."""

    class ImyDecision(models.TextChoices):
        NOTIFY = "notify", "Anmäls till IMY"
        NO_RISK = "no_risk", "Anmäls inte: osannolikt att den medför risk"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="data_incidents", verbose_name="enhet")
    what_happened = models.TextField("vad hände")
    happened_at = models.DateTimeField("inträffade")
    discovered_at = models.DateTimeField("upptäcktes")
    ended_at = models.DateTimeField("upphörde", null=True, blank=True)
    data_affected = models.TextField("vilka personuppgifter")
    people_affected = models.TextField("vilka personer berörs")
    people_affected_count = models.PositiveIntegerField("antal berörda", null=True, blank=True)
    consequences = models.TextField("konsekvenser", blank=True)
    actions = models.TextField("åtgärder", blank=True)
    imy_decision = models.CharField("beslut om anmälan", max_length=10, choices=ImyDecision.choices, blank=True)
    imy_decision_reason = models.TextField("motivering", blank=True)
    imy_decided_at = models.DateTimeField("beslut fattat", null=True, blank=True)
    imy_notified_at = models.DateTimeField("anmäld till IMY", null=True, blank=True)
    imy_reference = models.CharField("IMY:s diarienummer", max_length=60, blank=True)
    people_informed_on = models.DateField("de berörda informerade", null=True, blank=True)
    registered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "personuppgiftsincident"
        verbose_name_plural = "personuppgiftsincidenter"
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(discovered_at__gte=F("happened_at")), name="incident_discovered_after"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("happened_at")), name="incident_ended_after"
            ),
        ]

    def __str__(self) -> str:
        return f"Personuppgiftsincident {self.pk} ({self.discovered_at:%Y-%m-%d})"


class Routine(NeverDeleted, Versioned):
    """A process or routine of the management system, with owner, version and review date."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="routines", verbose_name="enhet")
    name = models.CharField("namn", max_length=200)
    process = models.CharField("process", max_length=200, blank=True)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="ägare")
    version_label = models.CharField("version", max_length=20)
    content = models.TextField("innehåll eller länk")
    adopted_on = models.DateField("fastställd")
    reviewed_on = models.DateField("senast reviderad")
    is_active = models.BooleanField("gällande", default=True)

    class Meta:
        verbose_name = "rutin"
        verbose_name_plural = "rutiner"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version_label})"


class SelfCheckPlanItem(NeverDeleted):
    """A line of the self-check plan (egenkontrollplan): what is checked, how often, how, by whom."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Varje månad"
        TERTIAL = "tertial", "Varje tertial"
        YEARLY = "yearly", "En gång per år"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="self_check_plan", verbose_name="enhet")
    what = models.CharField("vad kontrolleras", max_length=200)
    method = models.TextField("hur")
    frequency = models.CharField("hur ofta", max_length=10, choices=Frequency.choices)
    responsible = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name="ansvarig")
    computed_check = models.CharField(
        "beräknas ur registreringarna", max_length=60, blank=True, help_text="Kod för en beräknad egenkontroll."
    )
    is_active = models.BooleanField("gällande", default=True)

    class Meta:
        verbose_name = "egenkontroll i plan"
        verbose_name_plural = "egenkontrollplan"
        ordering = ["what"]

    def __str__(self) -> str:
        return self.what


class SelfCheckResult(models.Model):
    """A recorded result of a planned self-check (append-only)."""

    item = models.ForeignKey(SelfCheckPlanItem, on_delete=models.PROTECT, related_name="results")
    performed_on = models.DateField("genomförd")
    result = models.TextField("resultat")
    actions = models.TextField("åtgärder", blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-performed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.performed_on}"


class VbAssessment(Versioned):
    """The VB table's "Bedömning och planerade åtgärder" for one row, unit and year (editable, versioned)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("år")
    row_key = models.CharField(max_length=80)
    text = models.TextField("bedömning och planerade åtgärder", blank=True)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "row_key"], name="vbassessment_unique_row")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.row_key}"
