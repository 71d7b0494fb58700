"""The purchaser chain: a case (ärende) per client and purchaser unit, its intakes (ansökan, anmälan), its
investigations (utredning, DUR-structured, versioned), its decisions (beslut, never edited: a new decision
supersedes) and its orders to providers (beställning). Who may decide what is reference data
(`DelegationRule`, with validity dates). A Bistå provider receives the order as a `care.Order`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from bista.care.models import Order, Service
from bista.clients.models import Client
from bista.core.models import Role, Team, Unit, ValidityPeriod
from bista.core.people import NeverDeleted
from bista.core.versioning import Versioned


class TargetGroup(ValidityPeriod):
    """Målgrupp (reference data): the group of people a case belongs to in the purchaser's organisation and
    statistics. Seed 001 counts its clients as children 0–20, adults 21–65 and socialpsykiatri (adults with
    psychiatric problems, whatever the law of their decisions: SoL boendestöd as well as LSS daglig verksamhet)."""

    SOCIAL_PSYCHIATRY = "social_psychiatry"

    code = models.SlugField("kod", max_length=40)
    name = models.CharField("namn", max_length=100)

    class Meta:
        verbose_name = "målgrupp"
        verbose_name_plural = "målgrupper"
        ordering = ["name", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="target_group_code_from")]

    def __str__(self) -> str:
        return self.name


class Case(Versioned, NeverDeleted):
    """Ärende: one client at one purchaser unit, with the case officer responsible and their group."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases", verbose_name="brukare")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name="enhet")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name="handläggare",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="handläggargrupp"
    )
    target_group = models.ForeignKey(
        TargetGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="cases", verbose_name="målgrupp"
    )
    opened_on = models.DateField("öppnat")
    closed_on = models.DateField("avslutat", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ärende"
        verbose_name_plural = "ärenden"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "unit"], condition=Q(closed_on__isnull=True), name="case_one_open_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")), name="case_closed_after_opened"
            ),
        ]
        indexes = [models.Index(fields=["unit", "officer"], name="case_unit_officer_idx")]

    def __str__(self) -> str:
        return f"Ärende {self.pk} för {self.client}"


class Intake(NeverDeleted):
    """Aktualisering: an application from the person or their representative, or a report of need from
    someone else. The first contact with the person is a duty ("skyndsamt")."""

    class Kind(models.TextChoices):
        APPLICATION = "application", "Ansökan"
        REPORT = "report", "Anmälan"

    class From(models.TextChoices):
        PERSON = "person", "Den enskilde"
        GUARDIAN = "guardian", "Vårdnadshavare"
        GOOD_MAN = "good_man", "God man"
        ADMINISTRATOR = "administrator", "Förvaltare"
        CARE = "care", "Hälso- och sjukvården"
        SCHOOL = "school", "Skola eller förskola"
        RELATIVE = "relative", "Anhörig"
        OTHER = "other", "Annan"

    class Channel(models.TextChoices):
        LETTER = "letter", "Brev"
        E_SERVICE = "e_service", "E-tjänst"
        EMAIL = "email", "E-post"
        PHONE = "phone", "Telefon"
        VISIT = "visit", "Besök"

    # Who may apply (the person and their legal representatives); everyone else reports a need.
    APPLICANTS = (From.PERSON, From.GUARDIAN, From.GOOD_MAN, From.ADMINISTRATOR)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="intakes", verbose_name="ärende")
    kind = models.CharField("typ", max_length=12, choices=Kind.choices)
    sender = models.CharField("från", max_length=15, choices=From.choices)
    sender_name = models.CharField("avsändarens namn", max_length=200, blank=True)
    received_on = models.DateField("inkom")
    channel = models.CharField("hur den kom in", max_length=10, choices=Channel.choices)
    requested = models.TextField("vad som söks eller anmäls")
    services = models.ManyToManyField(Service, related_name="+", blank=True, verbose_name="sökta insatser")
    first_contact_on = models.DateField("första kontakt med den enskilde", null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "aktualisering"
        verbose_name_plural = "aktualiseringar"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_contact_on__isnull=True) | Q(first_contact_on__gte=F("received_on")),
                name="intake_contact_after_received",
            ),
            models.CheckConstraint(
                condition=Q(kind="report") | Q(sender__in=["person", "guardian", "good_man", "administrator"]),
                name="intake_application_from_applicant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"


class Investigation(Versioned, NeverDeleted):
    """Utredning, structured as case officers write it (DUR/IBIC). Edited as a versioned draft until it is
    completed; the child's perspective is recorded when the person is a child on the decision date."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        COMPLETED = "completed", "Avslutad"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations", verbose_name="ärende")
    intake = models.ForeignKey(
        Intake,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigations",
        verbose_name="aktualisering",
    )
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_on = models.DateField("påbörjad")
    completed_on = models.DateField("avslutad", null=True, blank=True)
    own_description = models.TextField("den enskildes egen beskrivning", blank=True)
    life_areas = models.TextField("livsområden", blank=True)
    needs = models.TextField("behov", blank=True)
    goals = models.TextField("mål", blank=True)
    wishes = models.TextField("vad den enskilde vill", blank=True)
    child_view = models.TextField("barnets egen uppfattning", blank=True)
    child_impact_analysis = models.TextField("barnkonsekvensanalys", blank=True)
    child_took_part = models.BooleanField("barnet har deltagit", null=True, blank=True)
    child_got_feedback = models.BooleanField("barnet har fått återkoppling", null=True, blank=True)
    school_contacted = models.BooleanField("skola eller förskola kontaktad", null=True, blank=True)
    communicated_on = models.DateField("kommunicerad", null=True, blank=True)
    communication_response = models.TextField("den enskildes synpunkter vid kommuniceringen", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "utredning"
        verbose_name_plural = "utredningar"
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="draft"), name="investigation_one_draft"),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="investigation_completed_after_start",
            ),
        ]
        # "Att göra" reads each decision's latest later investigation of its case (casework.duties).
        indexes = [
            models.Index(fields=["case", "started_on"], name="investigation_case_started_idx"),
            models.Index(fields=["started_on"], name="investigation_started_idx"),
        ]

    def __str__(self) -> str:
        return f"Utredning {self.started_on}"


class InvestigationDraft(models.Model):
    """What a case officer is typing in an investigation, saved as they type (autosave). Not part of the record
    and not audited: "Spara utredningen" saves the investigation itself, as a new version, and drops this copy."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "investigation"], name="investigation_draft_per_user"),
        ]

    def __str__(self) -> str:
        return f"Utkast till utredning {self.investigation_id}"


class InvestigationSource(NeverDeleted):
    """Someone the case officer wants to ask (school, care, habilitation …): only after recorded consent."""

    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="sources")
    name = models.CharField("källa", max_length=200)
    purpose = models.TextField("vad som ska inhämtas", blank=True)
    consent_on = models.DateField("samtycke lämnat", null=True, blank=True)
    consent_by = models.CharField("samtycke lämnat av", max_length=200, blank=True)
    contacted_on = models.DateField("kontaktad", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "källa i utredning"
        verbose_name_plural = "källor i utredningar"
        ordering = ["investigation_id", "id"]
        constraints = [
            # The database's guard behind the service's check: no contact before consent.
            models.CheckConstraint(
                condition=Q(contacted_on__isnull=True) | Q(consent_on__isnull=False, contacted_on__gte=F("consent_on")),
                name="source_contact_after_consent",
            )
        ]

    def __str__(self) -> str:
        return self.name


class DelegationRule(ValidityPeriod):
    """Delegationsordning (reference data): a role may decide a service (or any, blank) with an outcome (or
    any, blank), in force between its dates. A decision is allowed if any rule in force matches."""

    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+", verbose_name="roll")
    act = models.CharField("lag", max_length=3, blank=True, choices=Service.Act.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="insats"
    )
    outcome = models.CharField("utfall", max_length=10, blank=True)
    verify = models.BooleanField("ska verifieras mot nämndens delegationsordning", default=True)
    note = models.CharField("anmärkning", max_length=200, blank=True)

    class Meta:
        verbose_name = "delegering"
        verbose_name_plural = "delegationsordning"
        ordering = ["role_id", "valid_from", "id"]

    def __str__(self) -> str:
        return f"{self.role} får besluta {self.service or self.act or 'alla insatser'}"


class Decision(NeverDeleted):
    """Beslut om en insats. Never edited: a reassessment (omprövning) is a new decision that supersedes
    this one. Only the date the person received it is recorded afterwards (it starts the appeal period)."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Bifall"
        PARTLY = "partly", "Delvis bifall"
        REFUSED = "refused", "Avslag"

    FAVOURABLE = (Outcome.GRANTED, Outcome.PARTLY)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions", verbose_name="ärende")
    intake = models.ForeignKey(Intake, on_delete=models.PROTECT, related_name="decisions", verbose_name="ansökan")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name="insats (lagrum)")
    outcome = models.CharField("beslut", max_length=10, choices=Outcome.choices)
    scope_amount = models.DecimalField("omfattning", max_digits=7, decimal_places=2, null=True, blank=True)
    scope_unit = models.CharField("omfattning avser", max_length=10, choices=Order.ScopeUnit.choices, blank=True)
    period_start = models.DateField("gäller från", null=True, blank=True)
    period_end = models.DateField("gäller till", null=True, blank=True)
    reasons = models.TextField("motivering")
    decision_date = models.DateField("beslutsdatum")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="beslutsfattare"
    )
    decided_by_name = models.CharField("beslutsfattarens namn", max_length=200)
    decided_by_role = models.CharField("beslutsfattarens roll", max_length=100)
    received_on = models.DateField("den enskilde tog del av beslutet", null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name="ersätter beslut",
    )
    ended_on = models.DateField("beslutet upphör", null=True, blank=True)
    end_reason = models.CharField("skäl till att beslutet upphör", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "beslut"
        verbose_name_plural = "beslut"
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_start__isnull=False, period_end__gte=F("period_start")),
                name="decision_period",
            ),
            models.CheckConstraint(
                condition=Q(outcome="refused") | Q(scope_amount__gt=0, period_start__isnull=False),
                name="decision_favourable_has_scope",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("decision_date")),
                name="decision_received_after_decided",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("decision_date")),
                name="decision_ended_after_decided",
            ),
        ]
        indexes = [models.Index(fields=["case", "decision_date"], name="decision_case_date_idx")]

    def __str__(self) -> str:
        return f"Beslut {self.decision_date}: {self.get_outcome_display()} {self.service.name}"

    @property
    def is_favourable(self) -> bool:
        return self.outcome in self.FAVOURABLE


class CaseOrder(NeverDeleted):
    """Beställning from a favourable decision to the provider the person chose: a Bistå unit (which then
    holds it as a `care.Order`, linked here) or an external provider, whose execution date the case officer
    enters."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="orders", verbose_name="beslut")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="orders")
    provider_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="utförare i Bistå"
    )
    external_provider = models.CharField("extern utförare", max_length=200, blank=True)
    care_order = models.OneToOneField(
        Order,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_order",
        verbose_name="utförarens beställning",
    )
    ordered_on = models.DateField("beställd")
    free_choice_informed_on = models.DateField("information om valfrihet (LOV) lämnad", null=True, blank=True)
    goals = models.TextField("mål med insatsen", blank=True)
    special_considerations = models.TextField("särskilda hänsyn", blank=True)
    external_executed_on = models.DateField("verkställd hos extern utförare", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "beställning till utförare"
        verbose_name_plural = "beställningar till utförare"
        ordering = ["-ordered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(provider_unit__isnull=False) & Q(external_provider=""))
                | (Q(provider_unit__isnull=True) & ~Q(external_provider="")),
                name="case_order_one_provider",
            ),
            models.CheckConstraint(
                condition=Q(external_executed_on__isnull=True) | Q(provider_unit__isnull=True),
                name="case_order_external_execution_only",
            ),
        ]

    def __str__(self) -> str:
        return f"Beställning {self.ordered_on} ({self.provider_name})"

    @property
    def provider_name(self) -> str:
        return self.provider_unit.name if self.provider_unit_id and self.provider_unit else self.external_provider


class Appeal(NeverDeleted):
    """Överklagande of a decision: received (date), in time or not (three weeks from the day the person
    received the decision; a late appeal is still registered and marked), the purchaser's own
    reconsideration (omprövning), forwarding to the administrative court, and the judgment. A change — by
    reconsideration or by the court — is a new decision that supersedes the appealed one."""

    class Reconsideration(models.TextChoices):
        CHANGED = "changed", "Beslutet ändras"
        UNCHANGED = "unchanged", "Beslutet ändras inte"

    class Judgment(models.TextChoices):
        UPHELD = "upheld", "Avslag på överklagandet (beslutet står fast)"
        CHANGED = "changed", "Bifall: domstolen ändrar beslutet"
        REMANDED = "remanded", "Återförvisat för ny handläggning"
        DISMISSED = "dismissed", "Avvisat (t.ex. för sent inkommet)"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="appeals", verbose_name="beslut")
    received_on = models.DateField("överklagandet inkom")
    timely = models.BooleanField("inkom i rätt tid")
    reconsideration = models.CharField("omprövning", max_length=10, choices=Reconsideration.choices, blank=True)
    reconsidered_on = models.DateField("omprövat", null=True, blank=True)
    forwarded_on = models.DateField("överlämnat till förvaltningsrätten", null=True, blank=True)
    judgment = models.CharField("dom", max_length=10, choices=Judgment.choices, blank=True)
    judgment_on = models.DateField("domsdatum", null=True, blank=True)
    further_appeal_on = models.DateField("dom överklagad vidare", null=True, blank=True)
    new_decision = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_appeal",
        verbose_name="nytt beslut",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "överklagande"
        verbose_name_plural = "överklaganden"
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reconsidered_on__isnull=True) | Q(reconsidered_on__gte=F("received_on")),
                name="appeal_reconsidered_after_received",
            ),
            models.CheckConstraint(
                condition=Q(forwarded_on__isnull=True) | Q(forwarded_on__gte=F("received_on")),
                name="appeal_forwarded_after_received",
            ),
            models.CheckConstraint(
                condition=Q(judgment_on__isnull=True)
                | Q(forwarded_on__isnull=False, judgment_on__gte=F("forwarded_on")),
                name="appeal_judgment_after_forwarded",
            ),
        ]

    def __str__(self) -> str:
        return f"Överklagande {self.received_on}"


class ExecutionDelay(NeverDeleted):
    """Why a favourable decision is not executed (or an interruption not resumed), as the case officer records
    it for IVO's report; the latest note counts, earlier ones are kept. An offer the person declined is dated."""

    class Reason(models.TextChoices):
        RESOURCES = "resources", "Brist på resurser (plats eller personal)"
        DECLINED = "declined", "Den enskilde har tackat nej till erbjudande"
        WAITING = "waiting", "Den enskilde vill avvakta"
        PROVIDER = "provider", "Vald utförare kan inte verkställa ännu"
        OTHER = "other", "Annan orsak"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="delays", verbose_name="beslut")
    recorded_on = models.DateField("noterat")
    reason = models.CharField("skäl till dröjsmålet", max_length=10, choices=Reason.choices)
    note = models.TextField("beskrivning", blank=True)
    offer_declined_on = models.DateField("erbjudande avböjt", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "skäl till dröjsmål"
        verbose_name_plural = "skäl till dröjsmål"
        ordering = ["decision_id", "-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.recorded_on})"


class IvoReport(NeverDeleted):
    """What was reported to IVO for a purchaser unit and quarter, kept as it was sent. A correction is a new
    revision; earlier revisions stay."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="enhet")
    year = models.PositiveSmallIntegerField("år")
    quarter = models.PositiveSmallIntegerField("kvartal")
    revision = models.PositiveSmallIntegerField("version", default=1)
    reported_on = models.DateField("rapporterat")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rapport till IVO"
        verbose_name_plural = "rapporter till IVO"
        ordering = ["unit_id", "-year", "-quarter", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "quarter", "revision"], name="ivo_report_revision"),
            models.CheckConstraint(condition=Q(quarter__gte=1, quarter__lte=4), name="ivo_report_quarter"),
        ]

    def __str__(self) -> str:
        return f"IVO-rapport kvartal {self.quarter} {self.year} (version {self.revision})"


class IvoReportRow(models.Model):
    """One individual report as sent (a copy of the facts, so the record does not change with later edits)."""

    report = models.ForeignKey(IvoReport, on_delete=models.PROTECT, related_name="rows")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="ivo_rows")
    kind = models.CharField("avser", max_length=15)
    pseudonym = models.CharField("kod", max_length=20)
    gender = models.CharField("kön", max_length=1)
    service_code = models.CharField("insats", max_length=40)
    service_name = models.CharField("insatsens namn", max_length=200)
    legal_reference = models.CharField("lagrum", max_length=100)
    decision_date = models.DateField("beslutsdatum")
    interrupted_on = models.DateField("avbrott från", null=True, blank=True)
    reason = models.CharField("skäl", max_length=10, blank=True)
    note = models.TextField("beskrivning", blank=True)
    offer_declined_on = models.DateField("erbjudande avböjt", null=True, blank=True)
    final_on = models.DateField("verkställt/avslutat", null=True, blank=True)
    final_kind = models.CharField("slutrapport", max_length=10, blank=True)

    class Meta:
        verbose_name = "rad i rapport till IVO"
        verbose_name_plural = "rader i rapporter till IVO"
        ordering = ["report_id", "id"]

    def __str__(self) -> str:
        return self.pseudonym


class FollowUp(NeverDeleted):
    """Uppföljning av ett beslut: when, the person's own view, the outcome and who did it. The yearly duty is
    satisfied by the latest follow-up (or a new investigation)."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Insatsen fortsätter oförändrad"
        CHANGE = "change", "Behovet har ändrats: ny utredning"
        END = "end", "Insatsen ska upphöra"

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="beslut")
    on = models.DateField("uppföljningsdatum")
    own_view = models.TextField("den enskildes egen uppfattning")
    outcome = models.CharField("resultat", max_length=10, choices=Outcome.choices)
    notes = models.TextField("anteckningar", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="uppföljd av",
    )
    done_by_name = models.CharField("uppföljd av", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "uppföljning"
        verbose_name_plural = "uppföljningar"
        ordering = ["decision_id", "-on", "-id"]
        indexes = [
            models.Index(fields=["decision", "on"], name="follow_up_decision_on_idx"),
            # "Att göra" reads the follow-ups of its window by date (casework.duties).
            models.Index(fields=["on"], name="follow_up_on_idx"),
        ]

    def __str__(self) -> str:
        return f"Uppföljning {self.on}"
