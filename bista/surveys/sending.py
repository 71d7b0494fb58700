"""What a survey invitation says and where it points; it is sent through `bista.core.messaging` (e-mail or SMS,
as the invitation's channel). The plain code is in the text only."""

from __future__ import annotations

from typing import Any

from bista.core import messaging
from bista.surveys import rules

SUBJECT = "Vad tycker du om ditt stöd?"


def answer_url(code: str = "") -> str:
    """The answer page of a code (or, without one, the page where a code is typed), absolute when the
    setting BISTA_PUBLIC_URL is set."""
    from django.urls import reverse

    return messaging.public_url(reverse("surveys:answer", args=[code]) if code else reverse("surveys:answer_start"))


def invitation_text(survey: Any, code: str) -> str:
    return (
        f"Hej! Vi vill veta vad du tycker om ditt stöd. Svara på frågorna här: {answer_url(code)} "
        f"eller skriv koden {rules.display_code(code)} på sidan {answer_url()}. "
        f"Du kan svara till och med {survey.closes_on.isoformat()}. Dina svar är anonyma."
    )


def send_invitation(channel: str, address: str, text: str) -> None:
    messaging.send(channel, address, text, subject=SUBJECT)
