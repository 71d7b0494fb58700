"""Sending an invitation's code: e-mail through Django's configured e-mail backend, sms through the backend
named by the setting BISTA_SMS_BACKEND (a dotted path to a callable `(to, text) -> None`; by default the
message is written to the log, like the console e-mail backend). The plain code is in the text only."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from bista.surveys import rules

log = logging.getLogger("bista.surveys")
PHONE = re.compile(r"\+?[0-9][0-9 \-]{6,18}[0-9]")


def plausible_phone(value: str) -> bool:
    return bool(PHONE.fullmatch((value or "").strip()))


def answer_url(code: str = "") -> str:
    """The answer page of a code (or, without one, the page where a code is typed), absolute when the
    setting BISTA_PUBLIC_URL is set."""
    from django.urls import reverse

    path = reverse("surveys:answer", args=[code]) if code else reverse("surveys:answer_start")
    return f"{getattr(settings, 'BISTA_PUBLIC_URL', '').rstrip('/')}{path}"


def invitation_text(survey: Any, code: str) -> str:
    return (
        f"Hej! Vi vill veta vad du tycker om ditt stöd. Svara på frågorna här: {answer_url(code)} "
        f"eller skriv koden {rules.display_code(code)} på sidan {answer_url()}. "
        f"Du kan svara till och med {survey.closes_on.isoformat()}. Dina svar är anonyma."
    )


def log_sms(to: str, text: str) -> None:
    log.info("sms to %s: %s", to[-4:], f"({len(text)} tecken; texten skrivs inte i loggen)")


def send(channel: str, address: str, text: str, *, subject: str = "Vad tycker du om ditt stöd?") -> None:
    """Also used by the own view (`bista.ownview.services`) for its sign-in codes, with its own subject."""
    if channel == "email":
        send_mail(subject, text, None, [address])
    elif channel == "sms":
        backend = import_string(getattr(settings, "BISTA_SMS_BACKEND", "bista.surveys.sending.log_sms"))
        backend(address, text)
