"""The generated documents: a VB's DOCX opened and its tables read back and compared with the data; the PDF
made and its text extracted; the VP's own table; and the charts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from bista.care.models import OrderEvent
from bista.care.tests.factories import make_client, make_order, step
from bista.core.access import SYSTEM
from bista.core.testing import Organisation
from bista.governance import charts, documents, selectors, services
from bista.governance.registry import Source
from bista.governance.tests.factories import PlanWorld, indicator, make_plan
from bista.quality.tests.factories import at, report_deviation

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 2, 1)


@pytest.fixture
def world(org: Organisation) -> PlanWorld:
    """The VB 2024 of the provider: two orders received in 2024 (a woman's in time, a man's late), AMI 56
    (2024) and 61 (2023), follow-ups and section texts, two deviations."""
    w = make_plan(org.provider, 2024)
    p = org.provider
    a = make_client(p, first_name="Anna", last_name="Ahl", gender="K")
    b = make_client(p, first_name="Bo", last_name="Berg", gender="M")
    o1 = make_order(a, p, decision_date=D(2024, 3, 1), received_on=D(2024, 3, 4))
    step(o1, OrderEvent.Kind.FIRST_CONTACT, D(2024, 3, 6))
    o2 = make_order(b, p, decision_date=D(2024, 9, 1), received_on=D(2024, 9, 2))
    step(o2, OrderEvent.Kind.FIRST_CONTACT, D(2024, 10, 1))
    for year, value in ((2024, 56), (2023, 61)):
        services.indicator_value_save(
            actor=SYSTEM,
            indicator=indicator("ami"),
            unit=p,
            year=year,
            period="VB",
            value=Decimal(value),
            source=f"Medarbetarenkäten {year}",
        )
    services.follow_up_save(
        actor=SYSTEM,
        goal=w.unit_goal,
        period="VB",
        assessment="fulfilled",
        analysis="Målen är uppnådda.\n\nUppföljning har skett minst en gång per år.",
        expected_version=None,
    )
    services.follow_up_save(
        actor=SYSTEM,
        goal=w.area,
        goal_indicator=w.ami,
        period="VB",
        assessment="",
        analysis="Enkäten sammanföll med att flera slutade.",
        expected_version=None,
    )
    for key, text in (
        ("summary", "Enheten bedömer att årets enhetsmål har uppnåtts."),
        ("economy", "Underskottet har minskat."),
        ("quality", "Vi har byggt kvalitetsarbetet på delaktighet."),
        ("agenda2030", "Mål 3, 5, 10 och 12."),
    ):
        services.section_save(actor=SYSTEM, plan=w.plan, document="VB", key=key, text=text, expected_version=None)
    for day in (at(2024, 2, 1), at(2024, 10, 1)):
        report_deviation(p, occurred_at=day, reported_at=day)
    return w


def _tables(content: bytes) -> list[list[list[str]]]:
    document = Document(io.BytesIO(content))
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


def test_the_vb_docx_tables_hold_the_data(world: PlanWorld) -> None:
    content = documents.build(world.plan, "VB", "docx", today=TODAY)
    tables = _tables(content)
    header = [c.format(previous=2023) for c in documents.FOLLOW_UP_COLUMNS]
    indicator_tables = [t for t in tables if t[0] == header]
    assert len(indicator_tables) == 2  # the area's (AMI) and the unit goal's (first contact)
    rows = {t[1][0]: t[1] for t in indicator_tables}

    ami = rows["Aktivt medskapandeindex"]
    assert ami == ["Aktivt medskapandeindex", "56", "", "", "61", "56", "72", "83", "2024"]
    first = rows["Första kontakt inom två veckor från mottagen beställning"]
    # one of two in time; the man's late, the woman's in time; targets as entered
    assert first[1:5] == ["50,0 %", "0,0 %", "100,0 %", "–"]
    assert first[6:] == ["100,0 %", "", "VB 2024"]
    expected = selectors.indicator_rows(SYSTEM, world.unit_goal, "VB", source=Source(today=TODAY))[0]
    assert first[1] == expected.value_text and first[5] == expected.forecast_text

    activities = [t for t in tables if t[0][:3] == ["Aktivitet", "Startdatum", "Slutdatum"]]
    assert activities[0][1][:3] == ["Genomförandeplaner ska finnas i alla ärenden", "2024-01-01", "2024-12-31"]

    vb_table = next(t for t in tables if t[0][0] == "Klagomål/synpunkter/kategorier")
    assert vb_table[0][1:5] == ["Utfall T1", "Utfall T2", "Utfall VB (T3)", "Totalt ack"]

    figures = [row for t in tables if t[0] == ["Uppgift", "Utfall"] for row in t[1:]]
    assert ["Rapporterade avvikelser", "2"] in figures

    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Verksamhetsberättelse VB 2024 för Enheten för personligt stöd" in text
    assert "Handläggare: Kamran Ronaghi" in text
    assert "Uppfylls helt" in text and "Målen är uppnådda." in text
    assert "Analys Aktivt medskapandeindex: Enkäten sammanföll" in text
    assert "KF:s mål för verksamhetsområdet: 1.3 Stockholms stad ska ge stöd" in text
    for heading in ("Sammanfattande analys", "Uppföljning av ekonomi", "Systematiskt kvalitetsarbete"):
        assert text.count(heading) >= 2  # in the contents and as the heading
    assert "Agenda 2030" in text  # under Övrigt, level 3: not in the contents (as in the seed)
    # one chart per indicator, and the economy's accumulated deviation beside its month table
    assert len(Document(io.BytesIO(content)).inline_shapes) == 3
    economy = next(t for t in tables if t[0][:2] == ["Månad", "Budget (tkr)"])
    assert [row[0] for row in economy[1:]] == [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Maj",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Okt",
        "Nov",
        "Dec",
    ]


def test_the_vp_docx_has_the_plan_table_and_texts(world: PlanWorld) -> None:
    content = documents.build(world.plan, "VP", "docx", today=TODAY)
    tables = _tables(content)
    plan_tables = [t for t in tables if t[0] == ["Indikator", "Årsmål", "KF:s årsmål år 2024", "Periodicitet"]]
    assert ["Aktivt medskapandeindex", "72", "83", "År"] in [row for t in plan_tables for row in t]
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "Verksamhetsplan 2024 för" in text
    for label in ("Arbetssätt", "Resursanvändning", "Uppföljning", "Utveckling", "Inledning"):
        assert label in text
    assert "Uppfylls" not in text


def test_the_vb_pdf_says_the_same(world: PlanWorld) -> None:
    content = documents.build(world.plan, "VB", "pdf", today=TODAY)
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    flat = " ".join(text.split())
    for expected in (
        "Verksamhetsberättelse VB 2024 för Enheten för personligt stöd",
        "Innehållsförteckning",
        "Sammanfattande analys",
        "Enheten bedömer att årets enhetsmål har uppnåtts.",
        "Aktivt medskapandeindex",
        "50,0 %",
        "Uppfylls helt",
        "Redovisning av synpunkter och klagomål",
        "Rapporterade avvikelser",
    ):
        assert expected in flat, expected


def test_a_tertial_report_shows_the_tertial(world: PlanWorld) -> None:
    data = documents.report_data(world.plan, "T1", today=TODAY)
    unit_section = next(s for s in data.goals if s.goal == world.unit_goal)
    _header, rows = documents.indicator_table(data, unit_section.rows)
    assert rows[0][1] == "100,0 %" and rows[0][-1] == "T1 2024"  # only the woman's order is in T1
    area = next(s for s in data.goals if s.goal == world.area)
    assert documents.indicator_table(data, area.rows)[1][0][-1] == "2024"  # yearly: the year's value
    assert data.vb_table is not None and data.title.startswith("Tertialrapport 1 2024")


def test_chart_is_a_png_even_without_values() -> None:
    png = charts.line_chart_png(title="Sjukfrånvaro", points=[("2023", None), ("2024", Decimal("2.3"))])
    assert png.startswith(b"\x89PNG")
    assert charts.line_chart_png(title="Tomt", points=[("2024", None)]).startswith(b"\x89PNG")


def test_document_requires_only_view(org: Organisation, user_factory: Any, world: PlanWorld) -> None:
    """A controller (district-wide, governance.view) may have the VB made; nothing is generated for a unit
    the actor cannot see."""
    from django.core.exceptions import PermissionDenied

    controller = user_factory("controller", "controller", district=org.district)
    document = services.document_request(actor=controller, unit=org.provider, year=2024, kind="VB", format="pdf")
    assert document.pk
    with pytest.raises(PermissionDenied):
        services.document_request(actor=controller, unit=org.other_unit, year=2024, kind="VB", format="pdf")


# --- Every section of the seeds' VB (seed 002), with Bistå's figures beside the manager's text ----------------

SEED_VB_HEADINGS = (
    "Förslag till beslut",
    "Innehållsförteckning",
    "Sammanfattande analys",
    "Uppföljning av Kommunfullmäktiges inriktningsmål",
    "KF:s inriktningsmål: 1 Ett Stockholm som håller samman",
    "KF:s mål för verksamhetsområdet: 1.3 Stockholms stad ska ge stöd",
    "Nämndmål: Personer med funktionsnedsättning",
    "Enhetsmål: Enheten erbjuder ett personligt utformat stöd",
    "KF:s mål för verksamhetsområdet: 3.6 Tryggheten ska öka genom förebyggande insatser",
    "Nämndmål: Stadsdelsnämnden deltar i kraftsamlingen mot välfärdsbrott",
    "Enhetsmål: Regelverk för assistans och redovisning",
    "Enhetsmål: Fler kontroller mot välfärdsbrott",
    "Uppföljning av ekonomi",
    "Analys av resultaträkning - uppföljning av driftbudget",
    "Investeringar",
    "Medel för lokaländamål",
    "Övrigt",
    "Systematiskt kvalitetsarbete",
    "Systematiskt kvalitetsarbete enligt SOSFS 2011:9",
    "Synpunkter och klagomål",
    "Avvikelse och lex Sarah/lex Maria",
    "Extern granskning/tillsyn/brukarundersökningar",
    "Resultat av genomförda egenkontroller",
    "Övrigt utvecklingsarbete",
    "Övrigt",
    "Agenda 2030",
    "Redovisning av synpunkter och klagomål",
)


@pytest.fixture
def seed_world(world: PlanWorld) -> PlanWorld:
    """The world's VB with a KF 3.6 area holding a committee goal and two unit goals (no indicators), every
    section text of seed 002 written (the summary with sub-headings as the manager writes them), and an
    assessment of the complaints table's row of reported deviations."""
    from bista.governance.models import Goal
    from bista.quality.services import vb_assessment_save

    plan = world.plan
    area = services.goal_create(
        actor=SYSTEM,
        plan=plan,
        level=Goal.Level.COUNCIL_AREA,
        parent=world.council,
        number="3.6",
        title="Tryggheten ska öka genom förebyggande insatser",
    )
    committee = services.goal_create(
        actor=SYSTEM,
        plan=plan,
        level=Goal.Level.COMMITTEE,
        parent=area,
        title="Stadsdelsnämnden deltar i kraftsamlingen mot välfärdsbrott",
        expected_result="- Fler kontroller genomförs\n- Noggrannare uppföljningar av avtal.",
    )
    for title in ("Regelverk för assistans och redovisning", "Fler kontroller mot välfärdsbrott"):
        services.goal_create(
            actor=SYSTEM, plan=plan, level=Goal.Level.UNIT, parent=committee, title=title, expected_result="Följsamhet."
        )
    texts = {
        "decision": "Nämnden godkänner verksamhetsberättelsen.",
        "summary": "Enheten bedömer att målen har uppnåtts.\n\nBrukarens inflytande och delaktighet\n\n"
        "Genomförandeplaner har upprättats vid första mötet.",
        "investments": "Inga investeringar.",
        "quality_feedback": "Vi har sett över rutinerna.",
        "quality_deviations": "Avvikelserna rör främst rutiner.",
        "quality_review": "Ingen extern granskning under året.",
        "quality_selfchecks": "Alla ärenden har genomförandeplaner.",
        "quality_development": "Arbetsdatorer till varje grupp.",
    }
    for key, text in texts.items():
        services.section_save(actor=SYSTEM, plan=plan, document="VB", key=key, text=text, expected_version=None)
    vb_assessment_save(
        actor=SYSTEM,
        unit=plan.unit,
        year=2024,
        row_key="identified.staff",
        text="Gruppsamtal om avvikelserna.",
        expected_version=None,
    )
    return world


def _in_order(text: str, headings: tuple[str, ...]) -> None:
    position = 0
    for heading in headings:
        found = text.find(heading, position)
        assert found >= 0, f"{heading!r} missing after position {position}"
        position = found + len(heading)


def test_the_vb_docx_has_every_section_of_the_seed_in_order(seed_world: PlanWorld) -> None:
    document = Document(io.BytesIO(documents.build(seed_world.plan, "VB", "docx", today=TODAY)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    body = "\n".join(headings[headings.index("Sammanfattande analys") :])
    _in_order(body, SEED_VB_HEADINGS[2:])
    # Before the contents, as in the seed.
    assert headings.index("Förslag till beslut") < headings.index("Innehållsförteckning")
    # The manager's sub-heading is a heading below level 2 (not in the contents); the texts are there.
    sub = next(p for p in document.paragraphs if p.text == "Brukarens inflytande och delaktighet")
    assert sub.style.name == "Heading 3"
    text = "\n".join(p.text for p in document.paragraphs)
    for written in (
        "Nämnden godkänner verksamhetsberättelsen.",
        "Avvikelserna rör främst rutiner.",
        "Fler kontroller genomförs",
    ):
        assert written in text
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["Fler kontroller genomförs", "Noggrannare uppföljningar av avtal."]
    # Each unit goal of KF 3.6 is there with its assessment line.
    assert text.count("Ej bedömt") == 2


def test_the_vb_puts_bistas_figures_beside_the_managers_text(seed_world: PlanWorld) -> None:
    document = Document(io.BytesIO(documents.build(seed_world.plan, "VB", "docx", today=TODAY)))
    tables = _tables(documents.build(seed_world.plan, "VB", "docx", today=TODAY))
    figure_tables = [t[1:] for t in tables if t[0] == ["Uppgift", "Utfall"]]
    names = [[row[0] for row in table] for table in figure_tables]
    # feedback, deviations, self-checks (the survey has no results: a sentence says so)
    assert names[0] == ["Klagomål", "Synpunkter", "Beröm"]
    assert names[1] == ["Rapporterade avvikelser", "Lex Sarah-rapporter"]
    assert ["Rapporterade avvikelser", "2"] in figure_tables[1]
    assert len(names[2]) == 6 and any("genomförandeplan" in name for name in names[2])
    text = "\n".join(p.text for p in document.paragraphs)
    assert documents.NO_FIGURES["surveys"] in text
    # The complaints table carries the row's written assessment.
    vb_table = next(t for t in tables if t[0][0] == "Klagomål/synpunkter/kategorier")
    staff_row = next(row for row in vb_table if row[0].startswith("Medarbetare"))
    assert staff_row[-1] == "Gruppsamtal om avvikelserna."


def test_the_vb_pdf_has_every_section_of_the_seed(seed_world: PlanWorld) -> None:
    content = documents.build(seed_world.plan, "VB", "pdf", today=TODAY)
    flat = " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
    # The contents first (each heading once), then the body in the seed's order.
    body = flat[flat.index("Enheten bedömer att målen har uppnåtts.") :]
    _in_order(body, tuple(h for h in SEED_VB_HEADINGS[3:]))
    for written in (
        "Gruppsamtal om avvikelserna.",
        "Nämnden godkänner verksamhetsberättelsen.",
        "Rapporterade avvikelser",
    ):
        assert written in flat


def test_every_section_text_of_a_document_has_a_key_and_a_page(seed_world: PlanWorld) -> None:
    from bista.governance.models import SectionText

    for kind in ("VP", "T1", "T2", "VB"):
        keys = [key for key, _heading in documents.section_headings(kind, 2024)]
        assert len(keys) == len(set(keys)) and set(keys) <= set(SectionText.Key.values)
    assert dict(documents.section_headings("VP", 2024))["budget"] == "Budget 2024"


# --- Columns wide enough for their longest word --------------------------------------------------------------


def _widths_cm(table: Any) -> list[float]:
    return [column.width.cm for column in table.columns]


def test_the_complaints_and_economy_tables_never_break_a_word(seed_world: PlanWorld) -> None:
    from bista.core import docx

    document = Document(io.BytesIO(documents.build(seed_world.plan, "VB", "docx", today=TODAY)))
    by_header = {table.rows[0].cells[0].text: table for table in document.tables}
    for header, section in (("Klagomål/synpunkter/kategorier", -1), ("Månad", 0)):
        table = by_header[header]
        widths = _widths_cm(table)
        room = (
            document.sections[section].page_width
            - document.sections[section].left_margin
            - document.sections[section].right_margin
        ) / 360000
        assert sum(widths) <= room + 0.01
        for index, width in enumerate(widths):
            cells = [row.cells[index] for row in table.rows if len({id(c._tc) for c in row.cells}) > 1]
            longest = max(docx.longest_word_cm(cell.text, bold=row_index == 0) for row_index, cell in enumerate(cells))
            assert width >= longest + docx.CELL_MARGINS_CM - 0.01, (header, index, width, longest)
