"""Goals, indicators and the VP/VB documents (DOMAIN §7).

A unit's plan for a year (`OperationalPlan`, the verksamhetsplan) holds the goal chain KF:s inriktningsmål →
KF:s mål för verksamhetsområdet → nämndmål → enhetsmål (`Goal`, one model with a level and a parent), the
indicators each goal is measured by with their targets (`GoalIndicator`), activities, and the texts of the
document's other sections (`SectionText`). The follow-up (T1, T2 and the VB) is an assessment and an analysis
per goal and period (`FollowUp`), each save a numbered revision (`FollowUpRevision`) so nothing is overwritten
silently; what a manager is typing is autosaved in `FollowUpDraft`.

Indicator definitions are reference data with validity dates (`IndicatorDefinition`): computed ones name a
function in `bista.governance.registry`; manual ones take values entered with their source
(`IndicatorValue`). Generated documents are kept with their bytes, checksum, who and when
(`GeneratedDocument`).
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from bista.core.models import GeneratedFile, Unit, ValidityPeriod
from bista.core.versioning import Versioned


class Period(models.TextChoices):
    """The follow-up periods of a year. Values are cumulative from 1 January: T1 to 30 April, T2 to
    31 August, VB the whole year (the third tertial is reported in the VB)."""

    T1 = "T1", "Tertial 1"
    T2 = "T2", "Tertial 2"
    VB = "VB", "Helår (VB)"


class DocumentKind(models.TextChoices):
    VP = "VP", "Verksamhetsplan"
    T1 = "T1", "Tertialrapport 1"
    T2 = "T2", "Tertialrapport 2"
    VB = "VB", "Verksamhetsberättelse"


class OperationalPlan(Versioned):
    """A unit's verksamhetsplan for a year: the heading block and the root of its goal chain."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="operational_plans", verbose_name="enhet")
    year = models.PositiveSmallIntegerField("år")
    officer_name = models.CharField("handläggare", max_length=200, blank=True)
    officer_phone = models.CharField("telefon", max_length=40, blank=True)
    recipient = models.CharField("till", max_length=200, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="kopierad från"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "verksamhetsplan"
        verbose_name_plural = "verksamhetsplaner"
        ordering = ["unit_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="plan_one_per_unit_year"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="plan_year_range"),
        ]

    def __str__(self) -> str:
        return f"Verksamhetsplan {self.year} för {self.unit}"


class Goal(Versioned):
    """One goal of the chain. Council goals have no parent; every other level's parent is one level up."""

    class Level(models.TextChoices):
        COUNCIL = "council", "KF:s inriktningsmål"
        COUNCIL_AREA = "council_area", "KF:s mål för verksamhetsområdet"
        COMMITTEE = "committee", "Nämndmål"
        UNIT = "unit", "Enhetsmål"

    plan = models.ForeignKey(OperationalPlan, on_delete=models.PROTECT, related_name="goals")
    level = models.CharField("nivå", max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="överordnat mål"
    )
    number = models.CharField("nummer", max_length=10, blank=True, help_text="T.ex. 1 eller 1.3.")
    title = models.TextField("mål")
    description = models.TextField("beskrivning", blank=True)
    expected_result = models.TextField("förväntat resultat", blank=True)
    working_method = models.TextField("arbetssätt", blank=True)
    resource_use = models.TextField("resursanvändning", blank=True)
    follow_up_method = models.TextField("uppföljning", blank=True)
    development = models.TextField("utveckling", blank=True)
    position = models.PositiveIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "mål"
        verbose_name_plural = "mål"
        ordering = ["plan_id", "position", "id"]
        indexes = [models.Index(fields=["plan", "level"], name="goal_plan_level_idx")]

    def __str__(self) -> str:
        prefix = f"{self.number} " if self.number else ""
        return f"{self.get_level_display()}: {prefix}{self.title}"[:200]

    @property
    def heading(self) -> str:
        prefix = f"{self.number} " if self.number else ""
        return f"{self.get_level_display()}: {prefix}{self.title}"


class IndicatorDefinition(ValidityPeriod):
    """An indicator (reference data). Computed: `computed_key` names a function of the registry; manual:
    values are entered per unit and period with their source."""

    class Source(models.TextChoices):
        COMPUTED = "computed", "Beräknas ur registreringarna"
        MANUAL = "manual", "Registreras manuellt"

    class PeriodType(models.TextChoices):
        TERTIAL = "tertial", "Tertial"
        YEAR = "year", "År"

    code = models.CharField("kod", max_length=60, unique=True)
    name = models.CharField("namn", max_length=300)
    description = models.TextField("beskrivning", blank=True)
    unit_of_measure = models.CharField("enhet", max_length=40, blank=True, help_text="T.ex. %, antal, index.")
    source = models.CharField("källa", max_length=10, choices=Source.choices)
    computed_key = models.CharField("beräkning", max_length=60, blank=True)
    gender_split = models.BooleanField("redovisas per kön", default=False)
    period_type = models.CharField("periodicitet", max_length=10, choices=PeriodType.choices)
    higher_is_better = models.BooleanField("högre är bättre", default=True)
    decimals = models.PositiveSmallIntegerField("decimaler", default=1)

    class Meta:
        verbose_name = "indikator"
        verbose_name_plural = "indikatorer"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="manual", computed_key="") | (Q(source="computed") & ~Q(computed_key="")),
                name="indicator_computed_has_key",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name="indicator_valid_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def allows(self, period: str) -> bool:
        """Tertial indicators have values for T1, T2 and the year; yearly ones only for the year."""
        return period == Period.VB or self.period_type == self.PeriodType.TERTIAL


class GoalIndicator(models.Model):
    """That a goal is measured by an indicator in its year, with the unit's and the council's targets."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="indicators")
    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.PROTECT, related_name="+")
    target = models.DecimalField("årsmål", max_digits=12, decimal_places=2, null=True, blank=True)
    council_target = models.DecimalField("KF:s årsmål", max_digits=12, decimal_places=2, null=True, blank=True)
    council_target_text = models.CharField(
        "KF:s årsmål (text)", max_length=100, blank=True, help_text="T.ex. Tas fram av nämnd/styrelse."
    )
    position = models.PositiveIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "indikator för mål"
        verbose_name_plural = "indikatorer för mål"
        ordering = ["goal_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["goal", "indicator"], name="goalindicator_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id} för mål {self.goal_id}"


class IndicatorValue(Versioned):
    """A manually entered value of an indicator for a unit and period, with where it comes from."""

    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("år")
    period = models.CharField("period", max_length=2, choices=Period.choices)
    value = models.DecimalField("utfall", max_digits=12, decimal_places=2)
    value_women = models.DecimalField("utfall kvinnor", max_digits=12, decimal_places=2, null=True, blank=True)
    value_men = models.DecimalField("utfall män", max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField("källa", max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "indikatorvärde"
        verbose_name_plural = "indikatorvärden"
        ordering = ["indicator_id", "unit_id", "year", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year", "period"], name="indicatorvalue_unique"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="indicatorvalue_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.year}: {self.value}"


class YearOutcome(models.Model):
    """A computed indicator's full-year outcome for a unit and a closed year, stored when the year is closed
    (`services.year_outcomes_store`) so that the documents' history (the charts' earlier years, the "Utfall VB"
    column) is read, not recomputed for every document. Recomputed on correction by the same service (the
    plan page's "Räkna om", `bista governance_year_close --recompute`); each store is audited."""

    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.PROTECT, related_name="year_outcomes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("år")
    value = models.DecimalField("utfall", max_digits=14, decimal_places=4, null=True, blank=True)
    women = models.DecimalField("utfall kvinnor", max_digits=14, decimal_places=4, null=True, blank=True)
    men = models.DecimalField("utfall män", max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField("täljare", max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("nämnare", max_digits=16, decimal_places=4, null=True, blank=True)
    note = models.CharField("anmärkning", max_length=300, blank=True)
    computed_on = models.DateField("beräknat per")
    computed_at = models.DateTimeField("beräknat", auto_now=True)

    class Meta:
        verbose_name = "årsutfall"
        verbose_name_plural = "årsutfall"
        ordering = ["unit_id", "indicator_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year"], name="yearoutcome_unique"),
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="yearoutcome_year"),
            # Only a closed year is stored: it was computed after its last day.
            models.CheckConstraint(condition=Q(computed_on__year__gt=F("year")), name="yearoutcome_year_closed"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.unit_id} {self.year}: {self.value}"


class Activity(Versioned):
    """An activity under a goal: start and end, when it was completed, and a deviation note."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="activities")
    title = models.TextField("aktivitet")
    starts_on = models.DateField("startdatum")
    ends_on = models.DateField("slutdatum")
    completed_on = models.DateField("genomförd", null=True, blank=True)
    deviation_note = models.TextField("avvikelse", blank=True)
    analysis = models.TextField("analys", blank=True)
    position = models.PositiveIntegerField("ordning", default=0)

    class Meta:
        verbose_name = "aktivitet"
        verbose_name_plural = "aktiviteter"
        ordering = ["goal_id", "position", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="activity_period"),
        ]

    def __str__(self) -> str:
        return self.title[:80]


class Assessment(models.TextChoices):
    FULFILLED = "fulfilled", "Uppfylls helt"
    PARTLY = "partly", "Uppfylls delvis"
    NOT = "not", "Uppfylls inte"


class FollowUp(Versioned):
    """The assessment and analysis of a goal (or of one of its indicators) for a period. Each save is a new
    revision; this row holds the latest."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="follow_ups")
    goal_indicator = models.ForeignKey(
        GoalIndicator, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    period = models.CharField("period", max_length=2, choices=Period.choices)
    assessment = models.CharField("bedömning", max_length=10, choices=Assessment.choices, blank=True)
    analysis = models.TextField("analys", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "uppföljning"
        verbose_name_plural = "uppföljningar"
        ordering = ["goal_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "period"], condition=Q(goal_indicator__isnull=True), name="followup_one_per_goal"
            ),
            models.UniqueConstraint(
                fields=["goal_indicator", "period"],
                condition=Q(goal_indicator__isnull=False),
                name="followup_one_per_indicator",
            ),
        ]

    def __str__(self) -> str:
        return f"Uppföljning {self.period} av mål {self.goal_id}"


class FollowUpRevision(models.Model):
    """One saved version of a follow-up: never changed, so every earlier text stays readable."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField("version")
    assessment = models.CharField("bedömning", max_length=10, choices=Assessment.choices, blank=True)
    analysis = models.TextField("analys", blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "version av uppföljning"
        verbose_name_plural = "versioner av uppföljningar"
        ordering = ["follow_up_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["follow_up", "number"], name="followuprevision_unique")]

    def __str__(self) -> str:
        return f"Version {self.number}"


class FollowUpDraft(models.Model):
    """What a user is typing for a goal and period, saved as they type (not part of the record)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=2, choices=Period.choices)
    assessment = models.CharField(max_length=10, choices=Assessment.choices, blank=True)
    analysis = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "goal", "period"], name="followupdraft_one_per_user_goal")
        ]

    def __str__(self) -> str:
        return f"Utkast {self.period} mål {self.goal_id}"


class SectionText(Versioned):
    """The text of a section of a document that is not a goal: Inledning, Sammanfattande analys, …"""

    class Key(models.TextChoices):
        DECISION = "decision", "Förslag till beslut"
        INTRODUCTION = "introduction", "Inledning"
        SUMMARY = "summary", "Sammanfattande analys"
        ECONOMY = "economy", "Ekonomi: analys av resultaträkning (VP: resursanvändning)"
        BUDGET = "budget", "Ekonomi: budget"
        INVESTMENTS = "investments", "Ekonomi: investeringar"
        PREMISES = "premises", "Ekonomi: medel för lokaländamål"
        QUALITY = "quality", "Systematiskt kvalitetsarbete (enligt SOSFS 2011:9)"
        QUALITY_FEEDBACK = "quality_feedback", "Kvalitet: synpunkter och klagomål"
        QUALITY_DEVIATIONS = "quality_deviations", "Kvalitet: avvikelse och lex Sarah/lex Maria"
        QUALITY_REVIEW = "quality_review", "Kvalitet: extern granskning, tillsyn, brukarundersökningar"
        QUALITY_SELF_CHECKS = "quality_selfchecks", "Kvalitet: resultat av genomförda egenkontroller"
        QUALITY_DEVELOPMENT = "quality_development", "Kvalitet: övrigt utvecklingsarbete"
        OTHER = "other", "Övrigt"
        AGENDA_2030 = "agenda2030", "Agenda 2030"
        ATTACHMENTS = "attachments", "Bilagor"

    plan = models.ForeignKey(OperationalPlan, on_delete=models.PROTECT, related_name="sections")
    document = models.CharField("dokument", max_length=2, choices=DocumentKind.choices)
    key = models.CharField("avsnitt", max_length=20, choices=Key.choices)
    text = models.TextField("text", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "avsnittstext"
        verbose_name_plural = "avsnittstexter"
        ordering = ["plan_id", "document", "key"]
        constraints = [models.UniqueConstraint(fields=["plan", "document", "key"], name="sectiontext_unique")]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.document})"


class GeneratedDocument(GeneratedFile):
    """A VP, tertial report or VB generated for a unit and year, kept with its bytes and who asked for it."""

    class Format(models.TextChoices):
        DOCX = "docx", "Word (DOCX)"
        PDF = "pdf", "PDF"

    Status = GeneratedFile.Status

    plan = models.ForeignKey(OperationalPlan, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("dokument", max_length=2, choices=DocumentKind.choices)
    format = models.CharField("format", max_length=4, choices=Format.choices)
    # The other formats asked for in the same request point to the first one: one job makes them all from the
    # same figures, and the page of either offers every download.
    made_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="companions",
        verbose_name="skapad tillsammans med",
    )

    class Meta:
        verbose_name = "skapat dokument"
        verbose_name_plural = "skapade dokument"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(content__isnull=False) & ~Q(sha256="")), name="document_done_has_file"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="document_progress_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.plan.year} ({self.format})"

    @property
    def filename(self) -> str:
        ascii_name = unicodedata.normalize("NFKD", self.plan.unit.name.lower()).encode("ascii", "ignore").decode()
        slug = "-".join("".join(c if c.isalnum() else " " for c in ascii_name).split())
        return f"{self.kind}-{self.plan.year}-{slug}.{self.format}"
