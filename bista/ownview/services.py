"""Writes of the own view. Staff: the client's own-view settings (on/off, consent to show staff names) and the
contacts a code may be sent to — each audited in its transaction. The client or representative: requesting and
using a sign-in code, signing in through e-legitimation (the SSO seam), signing out, sending feedback (a
`quality` feedback case through `quality.services.feedback_register`).

The sign-in never tells whether a personnummer exists: a request for an unknown one, one without own view or
with a contact not on file is answered, counted and locked out exactly like one that sent a code."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.clients.models import Client, ClientContact, ClientUnit
from bista.clients.selectors import can_manage_client, can_see_protected_address
from bista.core import audit, clock, messaging
from bista.core.access import SYSTEM
from bista.core.models import Unit
from bista.core.personnummer import PersonnummerError, parse
from bista.core.versioning import update_versioned
from bista.ownview import rules
from bista.ownview.actions import AuditAction
from bista.ownview.models import OwnViewContact, OwnViewSettings, OwnViewSignIn, SignInAttempt, SignInCode
from bista.surveys.services import code_guesses_purge

SETTINGS_EDITABLE = ("enabled", "show_staff_names", "updated_by")
SETTINGS_AUDITED = ("enabled", "show_staff_names")
CONTACT_AUDITED = ("client_id", "representative_id", "channel", "is_active")  # never the address itself

TOO_MANY_FROM_ADDRESS = "För många försök från den här anslutningen. Vänta en kvart och försök igen."
LOCKED = "För många felaktiga försök. Vänta en kvart och begär sedan en ny kod."
WRONG_CODE = "Koden stämmer inte, eller så har den slutat gälla. Kontrollera koden eller begär en ny."
SSO_REFUSED = "Det gick inte att logga in med e-legitimation. Kontakta enheten om du vill använda Min sida."


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _secret() -> str:
    return str(settings.SECRET_KEY)


def _check_manage(actor: Any, client: Client) -> None:
    if actor is not SYSTEM and not can_manage_client(actor, client):
        raise PermissionDenied("Behörighet saknas: client.manage")


def provider_unit(client: Client) -> Unit | None:
    """The unit that carries out the client's support (the earliest open link to a provider unit)."""
    link = (
        ClientUnit.objects.filter(client=client, until__isnull=True, unit__kind=Unit.Kind.PROVIDER)
        .select_related("unit")
        .order_by("since", "unit_id")
        .first()
    )
    return link.unit if link else None


# --- Staff: settings and contacts ---------------------------------------------------------------------


def settings_for(client: Client) -> OwnViewSettings:
    """The client's settings (unsaved defaults when none are kept: no own view, no names)."""
    return OwnViewSettings.objects.filter(client=client).first() or OwnViewSettings(client=client)


@transaction.atomic
def settings_update(
    *, actor: Any, client: Client, enabled: bool, show_staff_names: bool, expected_version: int | None
) -> OwnViewSettings:
    """Turn the client's own view on or off and record whether the client agrees that staff names are shown."""
    _check_manage(actor, client)
    current, created = OwnViewSettings.objects.get_or_create(client=client)
    if created:
        expected_version = current.version if expected_version in (None, 0) else expected_version
    return update_versioned(
        actor=actor,
        obj=current,
        expected_version=expected_version,
        changes={"enabled": bool(enabled), "show_staff_names": bool(show_staff_names), "updated_by": _person(actor)},
        editable=SETTINGS_EDITABLE,
        audited=SETTINGS_AUDITED,
        action=AuditAction.SETTINGS_UPDATE,
        unit=provider_unit(client),
    )


@transaction.atomic
def contact_add(
    *, actor: Any, client: Client, address: str, representative: ClientContact | None = None
) -> OwnViewContact:
    """An e-mail address or mobile number where the client's (or the representative's) sign-in code may be sent.
    For a client with protected identity, only the unit's protected-identity group may register one."""
    _check_manage(actor, client)
    errors: dict[str, str] = {}
    found = rules.normalise_contact(address)
    if found is None:
        errors["address"] = "Ange en e-postadress eller ett mobilnummer (till exempel 070-123 45 67)."
    if representative is not None and (representative.client_id != client.pk or not representative.is_active):
        errors["representative"] = "Företrädaren finns inte hos brukaren."
    if client.protected_identity and actor is not SYSTEM and not can_see_protected_address(actor, client):
        errors["address"] = (
            "Brukaren har skyddade personuppgifter. Bara den behöriga gruppen får registrera kontaktuppgifter."
        )
    if errors:
        raise ValidationError(errors)
    assert found is not None
    channel, normalised = found
    if OwnViewContact.objects.filter(client=client, channel=channel, address=normalised, is_active=True).exists():
        raise ValidationError({"address": "Kontakten är redan registrerad."})
    contact = OwnViewContact(
        client=client, representative=representative, channel=channel, address=normalised, created_by=_person(actor)
    )
    return audit.save_new(
        contact,
        actor=actor,
        action=AuditAction.CONTACT_ADD,
        fields=CONTACT_AUDITED,
        unit=provider_unit(client),
        exclude=["created_by"],
    )


@transaction.atomic
def contact_end(*, actor: Any, contact: OwnViewContact) -> OwnViewContact:
    """No more codes to this contact (the row stays, inactive)."""
    _check_manage(actor, contact.client)
    locked = OwnViewContact.objects.select_for_update().get(pk=contact.pk)
    if not locked.is_active:
        raise ValidationError({"contact": "Kontakten är redan borttagen."})
    locked.is_active = False
    locked.ended_at = clock.now()
    locked.save(update_fields=["is_active", "ended_at"])
    audit.record(
        actor=actor,
        action=AuditAction.CONTACT_END,
        obj=locked,
        old={"is_active": True},
        new={"is_active": False},
        unit=provider_unit(locked.client),
    )
    return locked


# --- The client: signing in ---------------------------------------------------------------------------


class SignInRefused(Exception):
    """The sign-in step is refused: `message` in Swedish, `field` the form field it belongs to."""

    def __init__(self, message: str, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


@dataclass(frozen=True)
class Pending:
    """What the code page needs from the request page (kept in the session): the lockout's key and the code
    row, if one was sent (None for an unknown personnummer, a contact not on file, a request over the limit)."""

    subject: str
    code_id: int | None

    def as_session(self) -> dict[str, Any]:
        return {"subject": self.subject, "code": self.code_id}

    @classmethod
    def from_session(cls, value: Any) -> Pending | None:
        if not isinstance(value, dict) or not isinstance(value.get("subject"), str):
            return None
        code = value.get("code")
        return cls(subject=value["subject"], code_id=code if isinstance(code, int) else None)


def _count(kind: str, **where: str) -> int:
    since = clock.now() - rules.WINDOW
    return SignInAttempt.objects.filter(kind=kind, at__gte=since, **where).count()


def parse_personnummer(raw: str) -> str:
    try:
        return parse(raw or "").digits
    except PersonnummerError as error:
        raise SignInRefused(str(error), "personnummer") from None


def _enabled_client(digits: str) -> Client | None:
    client = Client.objects.filter(personnummer=digits, is_active=True).first()
    if client is None or not OwnViewSettings.objects.filter(client=client, enabled=True).exists():
        return None
    return client


CODE_TEXT = "Din kod till Min sida är {code}. Den gäller i 10 minuter. Har du inte bett om en kod? Strunta i det här."


@transaction.atomic
def code_request(*, personnummer: str, contact: str, ip: str) -> Pending:
    """Send a one-time code to `contact` if it is on file for the client with this personnummer (or their
    representative). The answer is the same whether or not anything was sent. Refused (SignInRefused) only
    for a malformed personnummer or contact, or too many requests from the address."""
    digits = parse_personnummer(personnummer)
    found = rules.normalise_contact(contact)
    if found is None:
        raise SignInRefused("Skriv en e-postadress eller ett mobilnummer.", "kontakt")
    if _count(SignInAttempt.Kind.REQUEST, address=ip) >= rules.REQUESTS_PER_ADDRESS:
        raise SignInRefused(TOO_MANY_FROM_ADDRESS, status=429)
    subject = rules.subject_hash(_secret(), digits)
    over_limit = _count(SignInAttempt.Kind.REQUEST, subject=subject) >= rules.REQUESTS_PER_SUBJECT
    SignInAttempt.objects.create(at=clock.now(), kind=SignInAttempt.Kind.REQUEST, address=ip[:64], subject=subject)
    client = _enabled_client(digits)
    channel, address = found
    on_file = (
        OwnViewContact.objects.filter(client=client, channel=channel, address=address, is_active=True)
        .select_related("representative")
        .first()
        if client is not None
        else None
    )
    if on_file is None or over_limit or (on_file.representative_id and not on_file.representative.is_active):  # type: ignore[union-attr]
        return Pending(subject=subject, code_id=None)
    now = clock.now()
    code = rules.new_code()
    row = SignInCode.objects.create(contact=on_file, code_hash="", created_at=now, expires_at=now + rules.CODE_TTL)
    row.code_hash = rules.code_hash(_secret(), row.pk, code)
    row.save(update_fields=["code_hash"])
    # Only the code: never a name, an address or the unit (protected identity; a shared phone).
    text = CODE_TEXT.format(code=code)

    transaction.on_commit(lambda: messaging.send(channel, address, text, subject="Din kod till Min sida"))
    return Pending(subject=subject, code_id=row.pk)


def _start(client: Client, contact: OwnViewContact | None, method: str) -> OwnViewSignIn:
    signin = OwnViewSignIn.objects.create(client=client, contact=contact, method=method, signed_in_at=clock.now())
    audit.record(
        actor=SYSTEM,
        action=AuditAction.SIGN_IN,
        obj=signin,
        new={"client": client.pk, "method": method, "who": signin.who},
        unit=provider_unit(client),
    )
    return signin


def code_verify(*, pending: Pending, code: str, ip: str) -> OwnViewSignIn:
    """Sign in with the code of a pending request: SignInRefused if it is wrong, used, expired, tried too often,
    or the personnummer or the address is locked out. A wrong code is counted (committed) before refusing."""
    with transaction.atomic():
        refusal, signin = _verify(pending, code, ip)
    if refusal:
        raise refusal
    assert signin is not None
    return signin


def _verify(pending: Pending, raw: str, ip: str) -> tuple[SignInRefused | None, OwnViewSignIn | None]:
    if (
        _count(SignInAttempt.Kind.FAILURE, subject=pending.subject) >= rules.FAILURES_PER_SUBJECT
        or _count(SignInAttempt.Kind.FAILURE, address=ip) >= rules.FAILURES_PER_ADDRESS
    ):
        return SignInRefused(LOCKED, "kod", status=429), None
    code = rules.normalise_code(raw)
    if code is None:
        return SignInRefused("Koden är sex siffror.", "kod"), None
    row = (
        SignInCode.objects.select_for_update().select_related("contact__client").filter(pk=pending.code_id).first()
        if pending.code_id is not None
        else None
    )
    now = clock.now()
    good = (
        row is not None
        and rules.code_usable(now=now, expires_at=row.expires_at, used=row.used_at is not None, attempts=row.attempts)
        and row.contact.is_active
        and hmac.compare_digest(rules.code_hash(_secret(), row.pk, code), row.code_hash)
    )
    if not good:
        if row is not None:
            row.attempts += 1
            row.save(update_fields=["attempts"])
        SignInAttempt.objects.create(at=now, kind=SignInAttempt.Kind.FAILURE, address=ip[:64], subject=pending.subject)
        return SignInRefused(WRONG_CODE, "kod"), None
    assert row is not None
    row.used_at = now
    row.save(update_fields=["used_at"])
    client = row.contact.client
    if not client.is_active or not OwnViewSettings.objects.filter(client=client, enabled=True).exists():
        return SignInRefused(WRONG_CODE, "kod"), None
    return None, _start(client, row.contact, OwnViewSignIn.Method.CODE)


@transaction.atomic
def sso_sign_in(*, personnummer: str) -> OwnViewSignIn:
    """Sign the client in from the identity provider's verified personnummer (the SSO seam's header, set only by
    the municipality's proxy). Only the client themself (a representative's e-legitimation names the
    representative, whom Bistå does not know by personnummer), and only with own view turned on."""
    try:
        digits = parse(personnummer or "").digits
    except PersonnummerError:
        raise SignInRefused(SSO_REFUSED, status=403) from None
    client = _enabled_client(digits)
    if client is None:
        raise SignInRefused(SSO_REFUSED, status=403)
    return _start(client, None, OwnViewSignIn.Method.SSO)


@transaction.atomic
def sign_out(*, signin_id: int, reason: str = "utloggad") -> None:
    signin = OwnViewSignIn.objects.select_for_update().filter(pk=signin_id, signed_out_at__isnull=True).first()
    if signin is None:
        return
    signin.signed_out_at = clock.now()
    signin.save(update_fields=["signed_out_at"])
    audit.record(
        actor=SYSTEM,
        action=AuditAction.SIGN_OUT,
        obj=signin,
        new={"reason": reason},
        unit=provider_unit(signin.client),
    )


# --- The client: feedback -----------------------------------------------------------------------------


@transaction.atomic
def feedback_send(*, signin: OwnViewSignIn, kind: str, description: str) -> Any:
    """A synpunkt, klagomål or beröm from the own view: a `quality` feedback case of the client's unit, from the
    client or (signed in by a representative) from the representative, received today."""
    from bista.quality.models import Feedback
    from bista.quality.services import feedback_register

    client = signin.client
    unit = provider_unit(client)
    errors: dict[str, str] = {}
    if kind not in Feedback.Kind.values:
        errors["kind"] = "Välj vad du vill lämna: en synpunkt, ett klagomål eller beröm."
    text = (description or "").strip()
    if not text:
        errors["description"] = "Skriv vad du vill säga."
    elif len(text) > 5000:
        errors["description"] = "Skriv högst 5 000 tecken."
    if unit is None:
        errors["kind"] = "Du har ingen enhet hos oss just nu. Ring kommunen i stället."
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    representative = signin.contact.representative if signin.contact_id else None  # type: ignore[union-attr]
    return feedback_register(
        actor=SYSTEM,
        unit=unit,
        kind=kind,
        source=Feedback.Source.RELATIVE if representative else Feedback.Source.CLIENT,
        received_on=clock.today(),
        description=f"{text}\n\n(Lämnat i Min sida.)",
        sender_name=representative.name if representative else client.full_name,
        client=client,
    )


# --- Purging the sign-in bookkeeping ---------------------------------------------------------------------


@dataclass(frozen=True)
class Purged:
    attempts: int  # SignInAttempt rows
    codes: int  # SignInCode rows
    guesses: int  # the survey's CodeGuess rows


def retention() -> datetime.timedelta:
    return rules.retention(getattr(settings, "BISTA_SIGN_IN_RECORDS_RETENTION_DAYS", rules.RETENTION_DAYS))


@transaction.atomic
def sign_in_records_purge(*, now: datetime.datetime | None = None) -> Purged:
    """Delete the code requests, wrong codes and sign-in codes of the own view, and the survey's unknown-code
    guesses, older than the retention (BISTA_SIGN_IN_RECORDS_RETENTION_DAYS). They are bookkeeping for the
    lockouts, which look back fifteen minutes, and hold addresses and hashed personnummer that should not be
    kept longer than needed; they are not records about a person (the sign-ins themselves, `OwnViewSignIn`,
    and their audit events stay), so nothing is audited — the command prints the counts."""
    before = (now or clock.now()) - retention()
    attempts, _ = SignInAttempt.objects.filter(at__lt=before).delete()
    codes, _ = SignInCode.objects.filter(created_at__lt=before).delete()
    guesses = code_guesses_purge(before=before)
    return Purged(attempts=attempts, codes=codes, guesses=guesses)
