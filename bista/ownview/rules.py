"""Pure rules of the own view's sign-in: codes, contacts, the lockout, the week. No database, no clock."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

CODE_LENGTH = 6  # digits: typed from an sms on a phone
CODE_TTL = datetime.timedelta(minutes=10)
ATTEMPTS_PER_CODE = 5
WINDOW = datetime.timedelta(minutes=15)
# Within WINDOW: wrong codes for one personnummer, and from one address, before sign-in is locked; code
# requests for one personnummer before no more codes are sent (the answer looks the same), and from one
# address before it is refused.
FAILURES_PER_SUBJECT = 5
FAILURES_PER_ADDRESS = 20
REQUESTS_PER_SUBJECT = 3
REQUESTS_PER_ADDRESS = 10

# How long the sign-in bookkeeping (code requests, wrong codes, codes, the survey's unknown codes) is kept before
# `bista purge_sign_in_records` deletes it; BISTA_SIGN_IN_RECORDS_RETENTION_DAYS overrides it. Never under a day:
# the lockouts look back WINDOW, and a day's rows are what an operator reads after an attack.
RETENTION_DAYS = 30
MIN_RETENTION_DAYS = 1

PHONE = re.compile(r"\+?[0-9]{7,15}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"bista.ownview.{purpose}:{secret}".encode()).digest()


def code_hash(secret: str, code_id: int, code: str) -> str:
    """Keyed with the secret key and the row (a leaked table of six-digit codes cannot be looked up)."""
    return hmac.new(_key(secret, "code"), f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def subject_hash(secret: str, digits: str) -> str:
    """The lockout's key for a personnummer (known or not): keyed, so the table does not list personnummer."""
    return hmac.new(_key(secret, "subject"), digits.encode(), hashlib.sha256).hexdigest()


def normalise_code(raw: str) -> str | None:
    code = "".join(ch for ch in (raw or "") if ch not in " -\t")
    return code if len(code) == CODE_LENGTH and code.isdigit() else None


def normalise_contact(raw: str) -> tuple[str, str] | None:
    """(channel, address) of a typed e-mail address or mobile number, as stored; None if it is neither.
    A Swedish mobile number 07… is stored as +467…."""
    value = (raw or "").strip()
    if "@" in value:
        return ("email", value.lower()) if EMAIL.fullmatch(value) and len(value) <= 254 else None
    digits = re.sub(r"[\s\-()]", "", value)
    if not PHONE.fullmatch(digits):
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+46" + digits[1:]
    elif not digits.startswith("+"):
        return None
    return "sms", digits


def masked(address: str) -> str:
    """An address as shown to staff outside the protected access group, and on the sign-in pages."""
    if "@" in address:
        name, _, domain = address.partition("@")
        return f"{name[:1]}…@{domain}"
    return f"…{address[-4:]}"


def code_usable(*, now: datetime.datetime, expires_at: datetime.datetime, used: bool, attempts: int) -> bool:
    return not used and now < expires_at and attempts < ATTEMPTS_PER_CODE


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and the following Monday of the day's week."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


WEEKS_SHOWN = 2  # this week and next: "who comes when" the client can plan for


def weeks_from(day: datetime.date, count: int = WEEKS_SHOWN) -> list[datetime.date]:
    """The Mondays of the day's week and the `count - 1` weeks after it."""
    monday = week_of(day)[0]
    return [monday + datetime.timedelta(weeks=i) for i in range(count)]


def retention(days: object) -> datetime.timedelta:
    """The retention of the sign-in bookkeeping: the setting's whole days, at least MIN_RETENTION_DAYS; a value
    that is not a whole number falls back to RETENTION_DAYS."""
    try:
        whole = int(str(days))
    except ValueError:
        whole = RETENTION_DAYS
    return datetime.timedelta(days=max(whole, MIN_RETENTION_DAYS))


def idle_expired(*, now: float, last: object, idle_seconds: int) -> bool:
    return not isinstance(last, (int, float)) or not 0 <= now - last < idle_seconds
