"""Writes of the client survey. Each validates, saves and audits in one transaction.

`answer_submit` is the one write without a signed-in actor: the one-time code is the authority. It stores
the `Response` and its `Answer`s and marks the invitation used, in one transaction, and audits only the
invitation's use (never which response it gave)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.care.models import Order, Service
from bista.clients.models import Client, ClientContact, ClientUnit
from bista.core import audit, clock, messaging
from bista.core.access import SYSTEM, check_perm
from bista.core.models import Unit
from bista.core.versioning import lock_for_edit
from bista.surveys import rules, sending
from bista.surveys.actions import AuditAction
from bista.surveys.models import Answer, AnswerScale, CodeGuess, Invitation, Question, Response, Survey, SurveyQuestion

SURVEY_MANAGE = "surveys.manage"
SURVEY_VIEW = "surveys.view"
SURVEY_AUDITED = ("unit_id", "name", "year", "opens_on", "closes_on", "audience", "status")
QUESTION_AUDITED = ("code", "unit_id", "text", "easy_text", "scale_id", "pictogram")


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- Question bank ------------------------------------------------------------------------------------


@transaction.atomic
def question_create(
    *, actor: Any, unit: Unit, text: str, easy_text: str, scale: AnswerScale, pictogram: str = ""
) -> Question:
    """A unit's own question for the bank."""
    check_perm(actor, SURVEY_MANAGE, unit)
    text, easy_text = (text or "").strip(), (easy_text or "").strip()
    errors = {}
    if not text:
        errors["text"] = "Frågan måste fyllas i."
    if not easy_text:
        errors["easy_text"] = "Frågan på lätt svenska måste fyllas i."
    if errors:
        raise ValidationError(errors)
    number = Question.objects.filter(unit=unit).count() + 1
    question = Question(
        code=f"u{unit.pk}_{number}", unit=unit, text=text, easy_text=easy_text, scale=scale, pictogram=pictogram
    )
    while Question.objects.filter(code=question.code).exists():
        number += 1
        question.code = f"u{unit.pk}_{number}"
    return audit.save_new(question, actor=actor, action=AuditAction.QUESTION_CREATE, fields=QUESTION_AUDITED, unit=unit)


def bank_for(unit: Unit) -> Any:
    """The questions a unit may compose from: the city's standard ones and its own."""
    from django.db.models import Q

    return Question.objects.filter(Q(unit__isnull=True) | Q(unit=unit), is_active=True).select_related("scale")


# --- Surveys ------------------------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    actor: Any,
    unit: Unit,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    audience: str,
    questions: Iterable[Question],
    services: Iterable[Service] = (),
) -> Survey:
    check_perm(actor, SURVEY_MANAGE, unit)
    questions, services = list(questions), list(services)
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = "Namnet måste fyllas i."
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = "Sista svarsdagen kan inte vara före första."
    elif opens_on and closes_on and (closes_on - opens_on).days > 366:
        errors["closes_on"] = "En undersökning kan pågå högst ett år."
    if not questions:
        errors["questions"] = "Välj minst en fråga."
    allowed = set(bank_for(unit).values_list("pk", flat=True))
    if any(q.pk not in allowed for q in questions):
        errors["questions"] = "En fråga hör till en annan enhet eller är inte längre aktiv."
    if audience == Survey.Audience.SERVICES and not services:
        errors["services"] = "Välj minst en insats, eller fråga alla aktiva brukare."
    if errors:
        raise ValidationError(errors)
    survey = Survey(
        unit=unit,
        name=name.strip(),
        year=opens_on.year,
        opens_on=opens_on,
        closes_on=closes_on,
        audience=audience,
        created_by=_person(actor),
    )
    survey.full_clean(exclude=["created_by"])
    survey.save()
    if audience == Survey.Audience.SERVICES:
        survey.services.set(services)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, question=q, position=i) for i, q in enumerate(questions, start=1)
    )
    audit.record(
        actor=actor,
        action=AuditAction.SURVEY_CREATE,
        obj=survey,
        new={**audit.snapshot(survey, SURVEY_AUDITED), "questions": [q.code for q in questions]},
        unit=unit,
    )
    return survey


def _set_status(actor: Any, survey: Survey, expected_version: int | None, status: str, action: str) -> Survey:
    check_perm(actor, SURVEY_MANAGE, survey.unit)
    locked = lock_for_edit(Survey, survey.pk, expected_version)
    old = audit.snapshot(locked, ("status",))
    locked.status = status
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    audit.record(actor=actor, action=action, obj=locked, old=old, new={"status": status}, unit=locked.unit)
    return locked


@transaction.atomic
def survey_open(*, actor: Any, survey: Survey, expected_version: int | None) -> Survey:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError({"status": "Bara ett utkast kan öppnas."})
    return _set_status(actor, survey, expected_version, Survey.Status.OPEN, AuditAction.SURVEY_OPEN)


@transaction.atomic
def survey_close(*, actor: Any, survey: Survey, expected_version: int | None) -> Survey:
    if survey.status != Survey.Status.OPEN:
        raise ValidationError({"status": "Bara en pågående undersökning kan avslutas."})
    return _set_status(actor, survey, expected_version, Survey.Status.CLOSED, AuditAction.SURVEY_CLOSE)


# --- Who is asked -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    client: Client
    service_code: str


def audience(survey: Survey, day: datetime.date | None = None) -> list[Asked]:
    """The clients the survey asks: the unit's active clients (on the opening day, or `day`), with the
    service of their earliest open order at the unit; for a survey of some services, only clients with one."""
    day = day or survey.opens_on
    links = ClientUnit.objects.filter(unit=survey.unit, since__lte=day).exclude(until__lt=day)
    client_ids = set(links.values_list("client_id", flat=True))
    orders = (
        Order.objects.filter(unit=survey.unit, client_id__in=client_ids, period_start__lte=day)
        .exclude(period_end__lt=day)
        .exclude(status__in=[Order.Status.ENDED])
        .order_by("period_start", "pk")
        .values_list("client_id", "service_id", "service__code")
    )
    wanted = set(survey.services.values_list("pk", flat=True)) if survey.audience == Survey.Audience.SERVICES else None
    service_of: dict[int, str] = {}
    for client_id, service_id, code in orders:
        if wanted is not None and service_id not in wanted:
            continue
        service_of.setdefault(client_id, code)
    chosen = client_ids if wanted is None else set(service_of)
    clients = Client.objects.filter(pk__in=chosen, is_active=True).order_by("last_name", "first_name", "pk")
    return [Asked(client=c, service_code=service_of.get(c.pk, "")) for c in clients]


@dataclass(frozen=True)
class Issued:
    invitation: Invitation
    code: str  # the plain code: shown once (the letter), sent once (e-mail, sms), never stored


@transaction.atomic
def invitation_issue(
    *,
    actor: Any,
    survey: Survey,
    client: Client,
    channel: str,
    respondent: str = Invitation.Respondent.CLIENT,
    respondent_name: str = "",
    address: str = "",
) -> Issued:
    """A one-time code for one asked client. A client who already has a code gets a new one and the old is
    replaced (a lost letter). E-mail and sms are sent through the configured backends; a letter is printed
    from the answer (the plain code exists only now)."""
    check_perm(actor, SURVEY_MANAGE, survey.unit)
    asked = {a.client.pk: a for a in audience(survey)}
    return _issue(actor, survey, client, asked, channel, respondent, respondent_name, address)


@transaction.atomic
def invitations_issue(
    *,
    actor: Any,
    survey: Survey,
    clients: Iterable[Client],
    channel: str,
    respondent: str = Invitation.Respondent.CLIENT,
    respondent_name: str = "",
    address: str = "",
) -> list[Issued]:
    """`invitation_issue` for several clients at once (the invite page), reading who is asked once: all or none."""
    check_perm(actor, SURVEY_MANAGE, survey.unit)
    asked = {a.client.pk: a for a in audience(survey)}
    return [_issue(actor, survey, c, asked, channel, respondent, respondent_name, address) for c in clients]


def _issue(
    actor: Any,
    survey: Survey,
    client: Client,
    asked: Mapping[int, Asked],
    channel: str,
    respondent: str,
    respondent_name: str,
    address: str,
) -> Issued:
    errors: dict[str, str] = {}
    if survey.status == Survey.Status.CLOSED:
        errors["survey"] = "Undersökningen är avslutad."
    if client.pk not in asked:
        errors["client"] = "Brukaren tillfrågas inte i den här undersökningen."
    if respondent not in Invitation.Respondent.values:
        errors["respondent"] = "Välj vem som svarar."
    elif respondent != Invitation.Respondent.CLIENT and not (respondent_name or "").strip():
        errors["respondent_name"] = "Ange namnet på företrädaren eller den anhöriga som svarar."
    if channel not in Invitation.Channel.values:
        errors["channel"] = "Välj hur inbjudan skickas."
    elif channel != Invitation.Channel.LETTER and not (address or "").strip():
        errors["address"] = "Ange e-postadress eller mobilnummer."
    if channel == Invitation.Channel.EMAIL and address and "@" not in address:
        errors["address"] = "Ange en giltig e-postadress."
    if channel == Invitation.Channel.SMS and address and not messaging.plausible_phone(address):
        errors["address"] = "Ange ett giltigt mobilnummer."
    if errors:
        raise ValidationError(errors)
    if Invitation.objects.filter(survey=survey, client=client, used=True).exists():
        raise ValidationError({"client": "Brukaren har redan svarat."})
    Invitation.objects.filter(survey=survey, client=client, replaced=False).update(replaced=True)
    code = rules.new_code()
    invitation = Invitation.objects.create(
        survey=survey,
        client=client,
        respondent=respondent,
        respondent_name=(respondent_name or "").strip() if respondent != Invitation.Respondent.CLIENT else "",
        channel=channel,
        code_hash=rules.code_hash(code),
        gender=client.gender,
        service_code=asked[client.pk].service_code,
        issued_at=clock.now(),
        issued_by=_person(actor),
    )
    audit.record(
        actor=actor,
        action=AuditAction.INVITATION_ISSUE,
        obj=invitation,
        new={"survey": survey.pk, "client": client.pk, "channel": channel, "respondent": respondent},
        unit=survey.unit,
    )
    if channel != Invitation.Channel.LETTER:
        text = sending.invitation_text(survey, code)
        transaction.on_commit(lambda: sending.send_invitation(channel, address.strip(), text))
    return Issued(invitation=invitation, code=code)


def representative_names(client: Client) -> list[str]:
    return [c.name for c in ClientContact.objects.filter(client=client, is_active=True).order_by("pk")]


# --- Answering ----------------------------------------------------------------------------------------


class CodeRefused(Exception):
    """The code cannot be used: `message` says why, in Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def invitation_for_code(raw: str, *, lock: bool = False) -> Invitation:
    """The invitation a code belongs to, if it may be used today; CodeRefused otherwise."""
    code = rules.normalise_code(raw)
    if code is None:
        raise CodeRefused(rules.Refusal.UNKNOWN)
    found = Invitation.objects.select_related("survey")
    if lock:
        found = found.select_for_update()
    invitation = found.filter(code_hash=rules.code_hash(code)).first()
    if invitation is None:
        raise CodeRefused(rules.Refusal.UNKNOWN)
    survey = invitation.survey
    refusal = rules.code_refusal(
        today=clock.today(),
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
        status=survey.status,
        used=invitation.used,
        replaced=invitation.replaced,
    )
    if refusal:
        raise CodeRefused(refusal)
    return invitation


def supports_client(user: Any, client_id: int, day: datetime.date) -> bool:
    """Whether a signed-in staff member supports the client: a shift with the client in the last 90 days or
    the coming 30, or chosen staff. Such a person may not help the client answer (the answer would not be
    free)."""
    if not getattr(user, "is_authenticated", False):
        return False
    from bista.rostering.models import Shift
    from bista.staff.models import ClientStaffChoice

    start = clock.start_of_day(day - datetime.timedelta(days=90))
    end = clock.start_of_day(day + datetime.timedelta(days=30))
    if Shift.objects.filter(client_id=client_id, employee__user=user, starts_at__gte=start, starts_at__lt=end).exists():
        return True
    return ClientStaffChoice.objects.filter(
        client_id=client_id, employee__user=user, kind=ClientStaffChoice.Kind.CHOSEN, until__isnull=True
    ).exists()


HELPER_NOT_SIGNED_IN = "Personal som hjälper till att svara ska vara inloggad i Bistå, så att vi vet vem som hjälpt."
HELPER_SUPPORTS = (
    "Du stöttar den här brukaren och får därför inte hjälpa till att svara. Be en kollega som inte arbetar hos "
    "brukaren att hjälpa till."
)


@transaction.atomic
def answer_submit(*, code: str, answers: Mapping[int, int], helped_by_staff: bool, helper: Any = None) -> None:
    """Store one questionnaire for a one-time code: every value on its question's scale, at least one
    answer, and a helping staff member who is signed in and does not support the client. Refused with
    CodeRefused (the code) or ValidationError (the answers), nothing stored."""
    invitation = invitation_for_code(code, lock=True)
    survey = invitation.survey
    items = {
        item.question_id: item.question
        for item in SurveyQuestion.objects.filter(survey=survey).select_related("question__scale")
    }
    clean: dict[int, int] = {}
    for question_id, value in answers.items():
        question = items.get(question_id)
        if question is None:
            raise ValidationError({"answers": "Svaret gäller en fråga som inte finns i undersökningen."})
        if not isinstance(value, int) or not 1 <= value <= question.scale.steps:
            raise ValidationError({f"q{question_id}": "Välj ett av svarsalternativen."})
        clean[question_id] = value
    if not clean:
        raise ValidationError({"answers": "Svara på minst en fråga innan du skickar."})
    if helped_by_staff:
        if not getattr(helper, "is_authenticated", False):
            raise ValidationError({"helped_by_staff": HELPER_NOT_SIGNED_IN})
        if supports_client(helper, invitation.client_id, clock.today()):
            raise PermissionDenied(HELPER_SUPPORTS)
    response = Response.objects.create(
        survey=survey,
        unit_id=survey.unit_id,
        gender=invitation.gender,
        service_code=invitation.service_code,
        respondent=invitation.respondent,
        helped_by_staff=helped_by_staff,
    )
    Answer.objects.bulk_create(Answer(response=response, question_id=q, value=v) for q, v in clean.items())
    invitation.used = True
    invitation.save(update_fields=["used"])
    audit.record(actor=SYSTEM, action=AuditAction.INVITATION_USED, obj=invitation, new={"used": True}, unit=survey.unit)


# Unknown codes from one address within GUESS_WINDOW before its code lookups are refused (a code is one of
# 31^10, so guessing is hopeless anyway; this keeps a script from trying).
GUESSES_PER_ADDRESS = 20
GUESS_WINDOW = datetime.timedelta(minutes=15)
TOO_MANY_GUESSES = "Du har skrivit fel kod för många gånger. Vänta en kvart och försök sedan igen."


def guessing_blocked(address: str) -> bool:
    since = clock.now() - GUESS_WINDOW
    limit = int(getattr(settings, "BISTA_SURVEY_GUESSES_PER_ADDRESS", GUESSES_PER_ADDRESS))
    return CodeGuess.objects.filter(address=address[:64], at__gte=since).count() >= limit


def code_guess_record(address: str) -> None:
    """Count an unknown code from the address (bookkeeping for the limit, like the staff sign-in's lockout:
    not audited)."""
    CodeGuess.objects.create(at=clock.now(), address=address[:64])


def code_guesses_purge(*, before: datetime.datetime) -> int:
    """Delete the counted unknown codes older than `before` (the own view's purge calls it with the retention
    of BISTA_SIGN_IN_RECORDS_RETENTION_DAYS; the limit looks back only GUESS_WINDOW). Returns how many."""
    deleted, _ = CodeGuess.objects.filter(at__lt=before).delete()
    return deleted


def min_group() -> int:
    return rules.effective_min_group(getattr(settings, "BISTA_SURVEY_MIN_GROUP", rules.MIN_GROUP))
