"""Sending a short message to a person: e-mail through Django's configured e-mail backend, SMS through the
backend named by the setting BISTA_SMS_BACKEND (a dotted path to a callable `(to, text) -> None`; by default the
message is written to the log without its text, like the console e-mail backend). One seam for everything Bistå
sends (survey invitations, own-view sign-in codes, shift offers): a city configures one SMS gateway for all."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

log = logging.getLogger("bista.messaging")
PHONE = re.compile(r"\+?[0-9][0-9 \-]{6,18}[0-9]")


def plausible_phone(value: str) -> bool:
    return bool(PHONE.fullmatch((value or "").strip()))


def public_url(path: str) -> str:
    """A path made absolute with the setting BISTA_PUBLIC_URL (left relative when it is not set)."""
    return f"{getattr(settings, 'BISTA_PUBLIC_URL', '').rstrip('/')}{path}"


def log_sms(to: str, text: str) -> None:
    log.info("sms to …%s (%d tecken)", to[-4:], len(text))


def send_sms(to: str, text: str) -> None:
    backend = import_string(getattr(settings, "BISTA_SMS_BACKEND", "bista.core.messaging.log_sms"))
    backend(to, text)


def send_email(to: str, subject: str, text: str) -> None:
    send_mail(subject, text, None, [to])


def send(channel: str, to: str, text: str, *, subject: str) -> None:
    """By the channel a person gave: "email" or "sms" (anything else is not sent)."""
    if channel == "email":
        send_email(to, subject, text)
    elif channel == "sms":
        send_sms(to, text)
