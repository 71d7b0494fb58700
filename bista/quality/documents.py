"""The Lex Sarah notification to IVO as a DOCX, built with the shared helpers of `bista.core.docx`.

Documents about a client name them only as "brukaren": no name, no personnummer. Building a document reads
no database row the caller has not already fetched through a selector.
"""

from __future__ import annotations

import datetime
from typing import Any

from docx.document import Document as DocumentType

from bista.core.docx import EMPTY, add_field, add_text_section, format_date, format_moment, new_document
from bista.quality.models import LexSarahReport

IVO_HEADING = "Anmälan enligt lex Sarah till Inspektionen för vård och omsorg (IVO)"


# --- The Lex Sarah notification to IVO ----------------------------------------------------------------


class NotSerious(ValueError):
    """Only a report assessed as a serious impropriety (or serious risk of one) is notified to IVO."""


def _person(user: Any) -> str:
    if user is None:
        return EMPTY
    return user.get_full_name().strip() or user.username


def _provider_lines(report: LexSarahReport) -> list[tuple[str, str]]:
    unit = report.unit
    department = unit.department
    district = department.district
    return [
        ("Vårdgivare/huvudman", f"{district.municipality.name}, {district.name}"),
        ("Förvaltning/avdelning", department.name),
        ("Verksamhet (enhet)", unit.name),
    ]


def ivo_notification(report: LexSarahReport, *, today: datetime.date) -> DocumentType:
    """The notification of a serious Lex Sarah report, with the investigation attached ("Bilaga: Utredning").

    The client is named only as "brukaren". Raises NotSerious for a report not assessed as serious.
    """
    if report.serious is not True:
        raise NotSerious("Rapporten är inte bedömd som ett allvarligt missförhållande.")
    document = new_document(IVO_HEADING)
    document.add_paragraph(
        "Anmälan görs enligt 14 kap. 7 § socialtjänstlagen respektive 24 f § LSS. "
        "Den enskilde benämns i anmälan endast som brukaren."
    )

    document.add_heading("Vårdgivare och verksamhet", level=1)
    for label, value in _provider_lines(report):
        add_field(document, label, value)

    document.add_heading("Anmälan", level=1)
    add_field(document, "Datum för anmälan", format_date(report.ivo_notified_on or today))
    add_field(document, "Rapportens nummer hos verksamheten", f"Lex Sarah nr {report.pk}")
    if report.ivo_reference:
        add_field(document, "IVO:s diarienummer", report.ivo_reference)
    add_field(document, "Rapporten mottogs", format_moment(report.reported_at))
    add_field(document, "Registrerad", format_moment(report.registered_at))
    add_field(document, "Berör en enskild brukare", "Ja, brukaren" if report.client_id else "Nej")

    document.add_heading("Händelsen", level=1)
    add_field(document, "När inträffade det", format_moment(report.occurred_at))
    add_text_section(document, "Vad har hänt", report.what_happened)
    add_text_section(document, "Omedelbara åtgärder", report.remedy)
    add_field(document, "Åtgärdat", format_moment(report.remedied_at))

    document.add_heading("Bedömning", level=1)
    add_field(document, "Bedömning", report.get_assessment_display() if report.assessment else EMPTY)
    add_field(document, "Allvarligt", "Ja")
    add_field(document, "Bedömd", format_moment(report.assessed_at))
    add_field(document, "Bedömd av", _person(report.assessed_by))
    add_text_section(document, "Motivering", report.assessment_reason)

    document.add_page_break()
    document.add_heading("Bilaga: Utredning", level=1)
    add_field(document, "Utredningen klar", format_moment(report.investigated_at))
    add_field(document, "Utredd av", _person(report.investigated_by))
    add_text_section(document, "Vad har hänt enligt utredningen", report.investigation_events)
    add_text_section(document, "Brukarens uppfattning", report.client_view)
    add_text_section(document, "Orsaker", report.causes)
    add_text_section(document, "Åtgärder för att förhindra att det händer igen", report.preventive_actions)
    add_field(document, "Brukaren informerad", format_date(report.client_informed_on))
    if report.decision:
        add_text_section(document, "Beslut", report.decision)
        add_field(document, "Beslutsdatum", format_date(report.decided_on))
    return document
