"""What the purchaser sends out on paper.

- The decision letter (beslutsbrev) as DOCX (python-docx, A4) and PDF (WeasyPrint), in plain language with the
  appeal notice: how to appeal, where to send it, and within how many weeks of receiving the letter (the
  period is reference data, core.DutyRule "casework.appeal").
- The order to an external provider (beställning) as PDF: a provider outside Bistå gets what it needs to start
  the service — who, what, how much, from when, the goals — and never the investigation.

A protected person's address is never printed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from bista.casework.models import CaseOrder, Decision
from bista.clients.models import Client
from bista.core import docx
from bista.core.pdf import render_pdf

NUMBER_WORDS = {1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex"}


@dataclass(frozen=True)
class Letter:
    """What the letter says, built once for both formats."""

    title: str
    recipient: list[str]
    unit_name: str
    decision_date: datetime.date
    summary: str
    scope: str
    period: str
    reasons: str
    legal_reference: str
    decided_by: str
    appeal: list[str]


def _scope(decision: Decision) -> str:
    if decision.scope_amount is None:
        return ""
    amount = f"{decision.scope_amount.normalize():f}".replace(".", ",")
    return f"{amount} {decision.get_scope_unit_display()}"


def _period(decision: Decision) -> str:
    if decision.period_start is None:
        return ""
    if decision.period_end is None:
        return f"från {decision.period_start:%Y-%m-%d} och tills vidare"
    return f"från {decision.period_start:%Y-%m-%d} till och med {decision.period_end:%Y-%m-%d}"


def _printed_address(client: Client) -> list[str]:
    """The address lines to print; none for a protected person (paper can end up anywhere)."""
    if client.protected_identity:
        return []
    return [line for line in (client.street_address, f"{client.postal_code} {client.city}".strip()) if line]


def _summary(decision: Decision) -> str:
    service = decision.service.name.lower()
    if decision.outcome == Decision.Outcome.GRANTED:
        return f"Du får {service}."
    if decision.outcome == Decision.Outcome.PARTLY:
        return f"Du får {service}, men inte i den omfattning du har ansökt om."
    return f"Du får inte {service}."


def appeal_notice(unit_name: str, weeks: int) -> list[str]:
    words = NUMBER_WORDS.get(weeks, str(weeks))
    return [
        "Om du inte är nöjd med beslutet kan du överklaga det till förvaltningsrätten.",
        f"Skicka överklagandet till oss på {unit_name}, inte direkt till domstolen. Vi ska ha fått det inom "
        f"{words} veckor från den dag du fick del av beslutet. Kommer det in för sent kan det inte prövas.",
        "Skriv vilket beslut du överklagar, hur du vill att det ska ändras och varför. Skriv under med ditt namn, "
        "personnummer, adress och telefonnummer.",
        "Vi prövar först själva om beslutet ska ändras. Om vi inte ändrar det skickar vi överklagandet vidare till "
        "förvaltningsrätten. Din handläggare kan hjälpa dig att överklaga.",
    ]


def letter_for(decision: Decision, *, appeal_weeks: int) -> Letter:
    client = decision.case.client
    recipient = [client.full_name, *_printed_address(client)]
    unit_name = decision.case.unit.name
    return Letter(
        title=f"Beslut om {decision.service.name.lower()}",
        recipient=recipient,
        unit_name=unit_name,
        decision_date=decision.decision_date,
        summary=_summary(decision),
        scope=_scope(decision),
        period=_period(decision),
        reasons=decision.reasons,
        legal_reference=decision.service.legal_reference,
        decided_by=f"{decision.decided_by_name}, {decision.decided_by_role}".strip(", "),
        appeal=appeal_notice(unit_name, appeal_weeks),
    )


def letter_docx(letter: Letter) -> bytes:
    document = docx.new_document()
    document.core_properties.title = docx.clean_text(letter.title)
    for line in letter.recipient:
        document.add_paragraph(docx.clean_text(line))
    document.add_paragraph(f"{docx.clean_text(letter.unit_name)}, {letter.decision_date:%Y-%m-%d}")
    document.add_heading(docx.clean_text(letter.title), level=1)
    document.add_heading("Beslut", level=2)
    document.add_paragraph(docx.clean_text(letter.summary))
    if letter.scope:
        document.add_paragraph(f"Omfattning: {docx.clean_text(letter.scope)}")
    if letter.period:
        document.add_paragraph(f"Beslutet gäller {docx.clean_text(letter.period)}.")
    docx.add_text_section(document, "Därför har vi fattat det här beslutet", letter.reasons)
    document.add_paragraph(f"Beslutet har fattats med stöd av {docx.clean_text(letter.legal_reference)}.")
    document.add_paragraph(f"Beslutet har fattats av {docx.clean_text(letter.decided_by)}.")
    document.add_heading("Om du vill överklaga", level=2)
    for line in letter.appeal:
        document.add_paragraph(docx.clean_text(line))
    return docx.document_bytes(document)


def letter_pdf(letter: Letter) -> bytes:
    return render_pdf("casework/decision_letter.html", {"letter": letter})


@dataclass(frozen=True)
class OrderSheet:
    """The order to an external provider: what it needs to start the service, and whom to ask."""

    title: str
    provider: str
    unit_name: str
    ordered_on: datetime.date
    client_name: str
    personnummer: str
    address: list[str]
    service: str
    legal_reference: str
    decision_date: datetime.date
    scope: str
    period: str
    goals: str
    special_considerations: str
    free_choice_informed_on: datetime.date | None
    officer: str


def order_sheet_for(order: CaseOrder) -> OrderSheet:
    decision = order.decision
    client = order.case.client
    address = _printed_address(client)
    officer = order.case.officer
    return OrderSheet(
        title=f"Beställning av {decision.service.name.lower()}",
        provider=order.provider_name,
        unit_name=order.case.unit.name,
        ordered_on=order.ordered_on,
        client_name=client.full_name,
        personnummer=client.personnummer_formatted,
        address=address,
        service=decision.service.name,
        legal_reference=decision.service.legal_reference,
        decision_date=decision.decision_date,
        scope=_scope(decision),
        period=_period(decision),
        goals=order.goals,
        special_considerations=order.special_considerations,
        free_choice_informed_on=order.free_choice_informed_on,
        officer=officer.get_full_name() if officer is not None else "",
    )


def order_pdf(sheet: OrderSheet) -> bytes:
    return render_pdf("casework/order_sheet.html", {"sheet": sheet})
