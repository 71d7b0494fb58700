"""The client survey (brukarundersökning), ADR 0013.

A `Question` of the bank (the city's standard questions have no unit; a unit adds its own) is asked on an
`AnswerScale` of 2–5 steps, in easy Swedish, optionally with a pictogram (a local SVG). A `Survey` is composed
from the bank for a unit and a period and asks the clients of some services or every active client; each
asked client gets an `Invitation` with a one-time code (stored only as its hash), answered by the client or,
when the client cannot answer, by a representative or relative (recorded on the invitation).

Anonymity by design: a `Response` (one submitted questionnaire) and its `Answer`s have no column that leads
back to an invitation or a person — no foreign key to `Invitation` or `Client`, a random UUID as key (so the
order of ids says nothing about the order the invitations were used in) and no time of submission. What
they keep is what the results are grouped by (unit, service, recorded gender, who answered, whether staff
helped), shown only for groups of at least the minimum size (`rules.MIN_GROUP`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from bista.care.models import Service
from bista.clients.models import Client
from bista.core.models import Unit
from bista.core.people import Gender
from bista.core.versioning import Versioned

USER = settings.AUTH_USER_MODEL

PICTOGRAMS = [
    ("", "Ingen bild"),
    ("trygg", "Trygg (ett hus med ett hjärta)"),
    ("bemotande", "Bemötande (två personer som pratar)"),
    ("inflytande", "Inflytande (en hand som räcks upp)"),
    ("information", "Information (ett i i en cirkel)"),
    ("beslut", "Beslut (ett papper med en bock)"),
    ("valja", "Välja (två vägar)"),
    ("nojd", "Nöjd (en glad mun)"),
]


class AnswerScale(models.Model):
    """A scale of 2–5 steps, from the most negative to the most positive; steps from `positive_from` on
    count as positive ("andel positiva")."""

    code = models.CharField("kod", max_length=40, unique=True)
    name = models.CharField("namn", max_length=120)
    labels = models.JSONField("svarsalternativ")  # list of 2–5 short easy-Swedish labels, negative first
    positive_from = models.PositiveSmallIntegerField("positivt från steg")

    class Meta:
        verbose_name = "svarsskala"
        verbose_name_plural = "svarsskalor"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def steps(self) -> int:
        return len(self.labels)


class Question(models.Model):
    """A question of the bank. `unit` empty: one of the city's standard questions (seeded by migration)."""

    code = models.CharField("kod", max_length=40, unique=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="enhetens egen fråga"
    )
    text = models.CharField("fråga", max_length=300)
    easy_text = models.CharField("fråga på lätt svenska", max_length=300)
    scale = models.ForeignKey(AnswerScale, on_delete=models.PROTECT, related_name="+", verbose_name="svarsskala")
    pictogram = models.CharField("bild", max_length=20, blank=True, choices=PICTOGRAMS)
    kolada_kpi = models.CharField("Kolada-nyckeltal", max_length=20, blank=True)
    is_active = models.BooleanField("aktiv", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "fråga"
        verbose_name_plural = "frågebank"
        ordering = ["unit_id", "code"]

    def __str__(self) -> str:
        return self.text


class Survey(Versioned):
    """A survey of a unit for a period: draft → open (invitations may be answered) → closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Utkast"
        OPEN = "open", "Pågår"
        CLOSED = "closed", "Avslutad"

    class Audience(models.TextChoices):
        SERVICES = "services", "Brukare med vissa insatser"
        ALL_ACTIVE = "all", "Alla aktiva brukare"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="surveys", verbose_name="enhet")
    name = models.CharField("namn", max_length=200)
    year = models.PositiveSmallIntegerField("år", db_index=True)
    opens_on = models.DateField("svar från")
    closes_on = models.DateField("svar till och med")
    audience = models.CharField("vilka som tillfrågas", max_length=10, choices=Audience.choices)
    services = models.ManyToManyField(Service, blank=True, related_name="+", verbose_name="insatser")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "brukarundersökning"
        verbose_name_plural = "brukarundersökningar"
        ordering = ["-year", "unit_id", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="survey_period"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField("ordning")

    class Meta:
        ordering = ["survey_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="surveyquestion_once"),
            models.UniqueConstraint(fields=["survey", "position"], name="surveyquestion_position"),
        ]

    def __str__(self) -> str:
        return f"Fråga {self.position}"


class Invitation(models.Model):
    """One asked client's one-time code (only its SHA-256 is stored). `used` is set when an answer comes in;
    nothing here says which answer."""

    class Respondent(models.TextChoices):
        CLIENT = "client", "Brukaren själv"
        REPRESENTATIVE = "representative", "Företrädare (god man, förvaltare, vårdnadshavare)"
        RELATIVE = "relative", "Anhörig"

    class Channel(models.TextChoices):
        LETTER = "letter", "Brev med QR-kod"
        EMAIL = "email", "E-post"
        SMS = "sms", "Sms"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", verbose_name="brukare")
    respondent = models.CharField("svarande", max_length=20, choices=Respondent.choices)
    respondent_name = models.CharField("företrädarens eller anhörigas namn", max_length=200, blank=True)
    channel = models.CharField("kanal", max_length=10, choices=Channel.choices)
    code_hash = models.CharField(max_length=64, unique=True)
    # For the response rate per group (kept as they were when asked, like the answers').
    gender = models.CharField("kön", max_length=1, choices=Gender.choices)
    service_code = models.CharField("insats", max_length=40, blank=True)
    issued_at = models.DateTimeField("skickad")
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    used = models.BooleanField("besvarad", default=False)
    replaced = models.BooleanField("ersatt av en ny kod", default=False)

    class Meta:
        verbose_name = "inbjudan"
        verbose_name_plural = "inbjudningar"
        ordering = ["survey_id", "id"]

    def __str__(self) -> str:
        return f"Inbjudan {self.pk}"


class Response(models.Model):
    """One submitted questionnaire. No link to the invitation or the client (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    gender = models.CharField("kön", max_length=1, choices=Gender.choices)
    service_code = models.CharField("insats", max_length=40, blank=True)
    respondent = models.CharField("svarande", max_length=20, choices=Invitation.Respondent.choices)
    helped_by_staff = models.BooleanField("besvarad med hjälp av personal", default=False)

    class Meta:
        verbose_name = "svar"
        verbose_name_plural = "svar"
        indexes = [models.Index(fields=["survey", "gender"], name="response_survey_gender_idx")]

    def __str__(self) -> str:
        return "Svar"  # nothing that tells one response from another


class Answer(models.Model):
    """The step chosen for one question (1 = the scale's first label); a question left out has no row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # no order of submission
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField("svar")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(condition=models.Q(value__gte=1, value__lte=5), name="answer_value_1_5"),
        ]

    def __str__(self) -> str:
        return "Svar på en fråga"


class CodeGuess(models.Model):
    """An unknown code typed from an address: counted to slow down guessing (`services.GUESSES_PER_ADDRESS`).
    Only refused codes are kept, never a used one, and nothing that leads to an invitation or an answer."""

    at = models.DateTimeField(db_index=True)
    address = models.CharField(max_length=64)

    class Meta:
        verbose_name = "felaktig kod"
        verbose_name_plural = "felaktiga koder"
        indexes = [models.Index(fields=["address", "at"], name="survey_guess_address_idx")]

    def __str__(self) -> str:
        return f"Felaktig kod {self.at:%Y-%m-%d %H:%M}"
