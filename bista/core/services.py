"""Writes to the organisation: units, teams, memberships, API tokens. Each one audited, atomically."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bista.core import audit, clock
from bista.core.access import (
    SYSTEM,
    access_map,
    check_perm,
    forget_access,
    has_perm,
    has_perm_anywhere,
    unit_ids_with,
    valid_on,
)
from bista.core.models import (
    ApiToken,
    Department,
    District,
    DutyRule,
    Membership,
    Role,
    Team,
    TwoFactorEnrolmentCode,
    Unit,
)
from bista.core.permissions import Perm

TEAM_FIELDS = ("unit", "name", "kind", "is_active")
UNIT_FIELDS = ("department", "name", "kind", "is_active")


@transaction.atomic
def unit_create(*, actor: Any, department: Department, name: str, kind: str) -> Unit:
    if actor is not SYSTEM and not any(
        has_perm(actor, Perm.ORG_MANAGE, u) for u in Unit.objects.filter(department__district=department.district_id)
    ):
        raise PermissionDenied("Behörighet saknas: org.manage")
    unit = Unit(department=department, name=name.strip(), kind=kind)
    unit.full_clean()
    unit.save()
    audit.record(actor=actor, action="unit.create", obj=unit, new=audit.snapshot(unit, UNIT_FIELDS), unit=unit)
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    check_perm(actor, Perm.ORG_MANAGE, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    old = audit.snapshot(unit, UNIT_FIELDS)
    for field in ("name", "is_active"):
        if field in changes:
            setattr(unit, field, changes[field])
    unit.full_clean()
    unit.save()
    before, after = audit.changed(old, audit.snapshot(unit, UNIT_FIELDS))
    if after:
        audit.record(actor=actor, action="unit.update", obj=unit, old=before, new=after, unit=unit)
    return unit


@transaction.atomic
def team_create(*, actor: Any, unit: Unit, name: str, kind: str = Team.Kind.OTHER) -> Team:
    check_perm(actor, Perm.ORG_MANAGE, unit)
    team = Team(unit=unit, name=name.strip(), kind=kind)
    team.full_clean()
    team.save()
    audit.record(actor=actor, action="team.create", obj=team, new=audit.snapshot(team, TEAM_FIELDS), unit=unit)
    return team


@transaction.atomic
def team_update(*, actor: Any, team: Team, **changes: Any) -> Team:
    check_perm(actor, Perm.ORG_MANAGE, team.unit_id)
    team = Team.objects.select_for_update().get(pk=team.pk)
    old = audit.snapshot(team, TEAM_FIELDS)
    for field in ("name", "kind", "is_active"):
        if field in changes and changes[field] is not None:
            setattr(team, field, changes[field])
    team.full_clean()
    team.save()
    before, after = audit.changed(old, audit.snapshot(team, TEAM_FIELDS))
    if after:
        audit.record(actor=actor, action="team.update", obj=team, old=before, new=after, unit=team.unit)
    return team


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    user: Any,
    role: Role,
    district: District,
    unit: Unit | None = None,
    valid_from: datetime.date | None = None,
) -> Membership:
    """Give `user` a role in a unit (or, with no unit, in the whole district)."""
    scope = [unit] if unit is not None else list(Unit.objects.filter(department__district=district))
    if actor is not SYSTEM and not scope:
        raise PermissionDenied("Behörighet saknas: org.manage")
    for target in scope:
        check_perm(actor, Perm.ORG_MANAGE, target)
    if unit is not None and unit.department.district_id != district.pk:
        raise ValidationError({"unit": "Enheten hör inte till stadsdelsnämnden."})
    membership = Membership(user=user, role=role, district=district, unit=unit, valid_from=valid_from or clock.today())
    membership.full_clean()
    membership.save()
    audit.record(
        actor=actor,
        action="membership.grant",
        obj=membership,
        new={"user": user.pk, "role": role.code, "district": district.pk, "unit": unit.pk if unit else None},
        unit=unit,
    )
    forget_access(user)
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership, valid_to: datetime.date | None = None) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    scope = (
        [membership.unit_id]
        if membership.unit_id is not None
        else list(Unit.objects.filter(department__district=membership.district_id).values_list("id", flat=True))
    )
    if actor is not SYSTEM and not scope:
        raise PermissionDenied("Behörighet saknas: org.manage")
    for unit_id in scope:
        check_perm(actor, Perm.ORG_MANAGE, unit_id)
    end = valid_to or clock.today()
    if end <= membership.valid_from:
        raise ValidationError({"valid_to": "Slutdatum måste vara efter startdatum."})
    if membership.valid_to is not None and end >= membership.valid_to:
        raise ValidationError({"valid_to": "Rolltilldelningen är redan avslutad."})
    old = {"valid_to": membership.valid_to}
    membership.valid_to = end
    membership.save(update_fields=["valid_to"])
    audit.record(actor=actor, action="membership.end", obj=membership, old=old, new={"valid_to": end})
    forget_access(membership.user)
    return membership


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: Any,
    name: str,
    scopes: list[str],
    expires_at: datetime.datetime | None = None,
    owner: Any = None,
) -> tuple[ApiToken, str]:
    """Create a token for `owner` (default: the actor, e.g. an integration's service account signed in).

    Returns the token and its secret, which is shown once and never stored. The scopes may not exceed
    what the owner holds.
    """
    owner = owner if owner is not None else actor
    if actor is not SYSTEM and not has_perm_anywhere(actor, Perm.API_TOKEN):
        raise PermissionDenied("Behörighet saknas: api.token")
    if not name.strip():
        raise ValidationError({"name": "Ange ett namn på nyckeln."})
    held = set().union(*access_map(owner).values()) if access_map(owner) else set()
    if not scopes:
        raise ValidationError({"scopes": "Välj minst en behörighet."})
    beyond = sorted(set(scopes) - held)
    if beyond:
        raise ValidationError({"scopes": f"Du kan inte ge en nyckel behörigheter du inte har: {', '.join(beyond)}."})
    if expires_at is not None and expires_at <= clock.now():
        raise ValidationError({"expires_at": "Giltighetstiden måste sluta i framtiden."})
    prefix = secrets.token_hex(4)
    secret = f"bista_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=owner,
        name=name.strip(),
        prefix=prefix,
        token_hash=_hash_token(secret),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    audit.record(actor=actor, action="api_token.create", obj=token, new={"name": token.name, "scopes": token.scopes})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor is not SYSTEM and token.user_id != actor.pk:
        raise ValidationError({"token": "Du kan bara återkalla dina egna nycklar."})
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api_token.revoke", obj=token, new={"revoked_at": token.revoked_at})
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for `secret`, or None. Compares hashes in constant time."""
    if "\x00" in secret or len(secret) > 200:
        return None
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "bista":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not secrets.compare_digest(token.token_hash, _hash_token(secret)):
        return None
    now = clock.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def two_factor_confirmed_device(user: Any) -> Any:
    """The user's confirmed TOTP device, or None (no second factor enrolled yet)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def two_factor_device_for(user: Any) -> Any:
    """The user's TOTP device: the confirmed one, or a pending one to enrol (created when missing).

    Creating a pending device shows a new secret: callers do so only when `two_factor_enrolment_open` allows,
    or after a redeemed enrolment code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    confirmed = two_factor_confirmed_device(user)
    if confirmed is not None:
        return confirmed
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return pending or TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)


def two_factor_enrolment_open(user: Any, *, now: datetime.datetime | None = None) -> bool:
    """Whether the user may enrol without a code: no second factor yet, and the account is new (created within
    BISTA_2FA_ENROLMENT_WINDOW_HOURS)."""
    now = now or clock.now()
    window = datetime.timedelta(hours=settings.BISTA_2FA_ENROLMENT_WINDOW_HOURS)
    return two_factor_confirmed_device(user) is None and user.date_joined + window > now


@transaction.atomic
def two_factor_verify(*, actor: Any, device: Any, token: str, via: str = "") -> bool:
    """Check a one-time code; the first correct code confirms a pending device (enrolment, audited with how it
    was allowed: `window` or `code`)."""
    if not device.verify_token(token.strip()):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor=actor, action="two_factor.enrol", obj=device, new={"device": device.name, "via": via})
    return True


# An enrolment code: 12 characters without look-alikes (0/O, 1/I/L), shown in groups of four: ~60 bits.
ENROLMENT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ENROLMENT_LENGTH = 12


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash_code(code: str) -> str:
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


def two_factor_code_issuable_users(actor: Any) -> Any:
    """The active users the actor may issue enrolment codes for: current members of a unit where the actor holds
    org.manage, not the actor themselves."""
    from django.contrib.auth import get_user_model

    units = unit_ids_with(actor, Perm.ORG_MANAGE)
    members = Membership.objects.filter(valid_on(clock.today()), unit_id__in=units).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=members)
        .exclude(pk=actor.pk)
        .order_by("last_name", "first_name", "username")
    )


@transaction.atomic
def two_factor_code_issue(*, actor: Any, user: Any) -> tuple[TwoFactorEnrolmentCode, str]:
    """Issue a one-time enrolment code for `user` (returned once, stored hashed); earlier unused codes are
    revoked. An administrator (org.manage in a unit where the user is a member) or the SYSTEM actor (the
    `bista enrolment_code` command on the server) may issue one; nobody for themselves."""
    if actor is not SYSTEM:
        if user.pk == actor.pk:
            raise ValidationError({"user": "Du kan inte utfärda en engångskod åt dig själv."})
        if not two_factor_code_issuable_users(actor).filter(pk=user.pk).exists():
            raise PermissionDenied("Behörighet saknas: org.manage i användarens enhet")
    if not user.is_active:
        raise ValidationError({"user": "Kontot är inte aktivt."})
    now = clock.now()
    TwoFactorEnrolmentCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    raw = "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_LENGTH))
    code = "-".join(raw[i : i + 4] for i in range(0, ENROLMENT_LENGTH, 4))
    issued = TwoFactorEnrolmentCode.objects.create(
        user=user,
        issued_by=actor if actor is not SYSTEM else None,
        code_hash=_hash_code(code),
        expires_at=now + datetime.timedelta(hours=settings.BISTA_2FA_ENROLMENT_CODE_HOURS),
    )
    audit.record(
        actor=actor,
        action="two_factor.code_issue",
        obj=issued,
        new={"user": user.pk, "expires_at": issued.expires_at},
    )
    return issued, code


@transaction.atomic
def two_factor_code_redeem(*, actor: Any, code: str) -> Any:
    """Use the actor's enrolment code: returns a fresh pending device (its secret shown from now on), or None
    when the code is wrong, used, revoked or expired. A secret made earlier for a pending device is discarded,
    so that one shown to someone else before is worth nothing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if len(code) > 40 or len(_normalise_code(code)) != ENROLMENT_LENGTH:
        return None
    issued = (
        TwoFactorEnrolmentCode.objects.select_for_update()
        .filter(user=actor, code_hash=_hash_code(code), used_at__isnull=True, revoked_at__isnull=True)
        .filter(expires_at__gt=clock.now())
        .first()
    )
    if issued is None or two_factor_confirmed_device(actor) is not None:
        return None
    issued.used_at = clock.now()
    issued.save(update_fields=["used_at"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name="Autentiseringsapp", confirmed=False)
    audit.record(actor=actor, action="two_factor.code_redeem", obj=issued, new={"used_at": issued.used_at})
    return device


@transaction.atomic
def password_change(*, actor: Any, current_password: str, new_password: str) -> Any:
    """The signed-in user changes their own password: the current one must match and the new one pass the
    password validators (errors named by field). Audited, without any password in the event."""
    from django.contrib.auth import password_validation

    if not actor.check_password(current_password):
        raise ValidationError({"current_password": "Det nuvarande lösenordet stämmer inte."})
    try:
        password_validation.validate_password(new_password, user=actor)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit.record(actor=actor, action="user.password_change", obj=actor)
    return actor


DUTY_RULE_FIELDS = (
    "code",
    "name",
    "description",
    "legal_reference",
    "amount",
    "unit",
    "warn_days",
    "valid_from",
    "valid_to",
)


@transaction.atomic
def duty_rule_add_version(
    *,
    actor: Any,
    code: str,
    valid_from: datetime.date,
    amount: int,
    unit: str,
    warn_days: int,
    name: str,
    legal_reference: str = "",
    description: str = "",
) -> DutyRule:
    """A new version of a deadline from `valid_from`; the version in force until then ends that day.

    Versions are never edited: duties anchored before `valid_from` keep the rule they were born under.
    """
    if actor is not SYSTEM and not has_perm_anywhere(actor, Perm.REFERENCE_MANAGE):
        raise PermissionDenied("Behörighet saknas: reference.manage")
    versions = DutyRule.objects.select_for_update().filter(code=code).order_by("valid_from")
    latest = versions.last()
    if latest is None:
        raise ValidationError({"code": "Okänd tidsfrist."})
    if valid_from <= latest.valid_from:
        raise ValidationError(
            {"valid_from": f"Den nya versionen måste gälla från ett datum efter {latest.valid_from:%Y-%m-%d}."}
        )
    if latest.valid_to is None or latest.valid_to > valid_from:
        old = audit.snapshot(latest, ("valid_to",))
        latest.valid_to = valid_from
        latest.save(update_fields=["valid_to"])
        audit.record(actor=actor, action="duty_rule.end", obj=latest, old=old, new={"valid_to": valid_from})
    rule = DutyRule(
        code=code,
        name=name.strip(),
        description=description.strip(),
        legal_reference=legal_reference.strip(),
        amount=amount,
        unit=unit,
        warn_days=warn_days,
        valid_from=valid_from,
    )
    rule.full_clean()
    rule.save()
    audit.record(actor=actor, action="duty_rule.create", obj=rule, new=audit.snapshot(rule, DUTY_RULE_FIELDS))
    return rule
