"""The VB table "Redovisning av synpunkter och klagomål": its layout (DOMAIN §4), the pure count
(rules.vb_table) and the count from the database (selectors.vb_table_for) against a hand-counted year built
through the quality services; the drill-down lists exactly the events behind each figure."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given
from hypothesis import strategies as st

from bista.core.clock import STOCKHOLM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.quality import rules, selectors, services, vbdocs
from bista.quality.models import DataIncident, Deviation, Feedback, LexSarahReport, QualityCategory
from bista.quality.rules import CategoryRef, DeviationFact, FeedbackFact, LexSarahFact

YEAR = 2024
UTC = datetime.UTC

# --- The layout ------------------------------------------------------------------------------------

DOMAIN_TABLE = [
    ("Avvikelse - Lex Sarah", ["Antal anmälningar till IVO", "Antal inkomna rapporter"]),
    (
        "Avvikelse - SOL/LSS",
        [
            "Annat",
            "Bemötande",
            "Fysisk miljö, utrustning och teknik",
            "Rättsäkerhet vid handläggning och utförande",
            "Utförande av insats",
        ],
    ),
    (
        "Avvikelser enligt SOL/LSS - Vem har identifierat avvikelsen?",
        ["Extern samverkanspart", "Medarbetare (inom den egna verksamheten/enheten)"],
    ),
    ("Beröm", ["Beröm"]),
    (
        "Från vem har klagomål eller synpunkt inkommit?",
        ["Annan", "Annan instans (t ex Patientnämnden)", "Anonym", "Brukare/patient"],
    ),
    ("Personuppgiftsincidenter", ["Hantering av personuppgifter"]),
    (
        "Synpunkter och klagomål - ej personalrelaterade",
        ["Annat", "Teknik, verksamhetssystem eller IT-relaterade frågor"],
    ),
    (
        "Synpunkter och klagomål - som gäller verksamhet och personal",
        [
            "Annat",
            "Bemötande",
            "Beslut",
            "Fråga/idé",
            "Hälsa- och sjukvård",
            "Information",
            "Kompetens",
            "Tillgänglighet",
            "Utebliven/försenad insats",
        ],
    ),
    ("Vem avser avvikelser - SOL/LSS", ["Annan verksamhet", "Den egna verksamheten"]),
    (
        "Vilken återkoppling och vilka åtgärder har gjorts?",
        [
            "Antal synpunkter/klagomål där återkoppling har lämnats",
            "Antal synpunkter/klagomål där åtgärder vidtagits",
        ],
    ),
]


def grouped(rows: list[rules.VbRow]) -> list[tuple[str, list[str]]]:
    result: list[tuple[str, list[str]]] = []
    for row in rows:
        if not result or result[-1][0] != row.group:
            result.append((row.group, []))
        result[-1][1].append(row.label)
    return result


@pytest.mark.django_db
def test_the_layout_from_the_reference_data_is_the_domain_table() -> None:
    refs = [CategoryRef(c.group, c.code, c.name) for c in selectors.categories()]
    layout = rules.vb_layout(refs)
    assert grouped(layout) == DOMAIN_TABLE
    assert len({row.key for row in layout}) == len(layout)


# --- The pure count ------------------------------------------------------------------------------------

CATEGORIES = [
    CategoryRef("deviation", "annat", "Annat"),
    CategoryRef("deviation", "bemotande", "Bemötande"),
    CategoryRef("feedback_staff", "bemotande", "Bemötande"),
    CategoryRef("feedback_other", "teknik_it", "Teknik"),
]


def d(month: int, day: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, day)


def test_pure_count_at_the_tertial_boundaries_and_the_year_ends() -> None:
    deviations = [
        DeviationFact(d(4, 30), "annat", "staff", "own"),  # T1
        DeviationFact(d(5, 1), "annat", "external", "other"),  # T2
        DeviationFact(d(8, 31), "bemotande", "staff", "own"),  # T2
        DeviationFact(d(9, 1), "bemotande", "staff", "own"),  # T3
        DeviationFact(d(12, 31, YEAR - 1), "annat", "staff", "own"),  # last year
        DeviationFact(d(1, 1, YEAR + 1), "annat", "staff", "own"),  # next year
        DeviationFact(d(6, 1), None, "staff", "own"),  # not classified
    ]
    table = rules.vb_table(
        year=YEAR, categories=CATEGORIES, deviations=deviations, lex_sarah=[], feedback=[], incident_days=[]
    )
    assert table.values("deviation.annat") == [1, 1, 0, 2]
    assert table.values("deviation.bemotande") == [0, 1, 1, 2]
    assert table.values("identified.staff") == [1, 1, 1, 3]
    assert table.values("identified.external") == [0, 1, 0, 1]
    assert table.values("concerns.own") == [1, 1, 1, 3]
    assert table.values("concerns.other") == [0, 1, 0, 1]
    assert table.unclassified == {"deviation": 1}


def test_pure_count_of_lex_sarah_counts_the_ivo_notification_in_its_own_year() -> None:
    table = rules.vb_table(
        year=YEAR,
        categories=CATEGORIES,
        deviations=[],
        lex_sarah=[
            LexSarahFact(d(12, 20, YEAR - 1), d(1, 10)),  # reported last year, IVO this year
            LexSarahFact(d(4, 30), d(5, 1)),
            LexSarahFact(d(9, 1), None),
            LexSarahFact(d(12, 31), d(1, 2, YEAR + 1)),  # IVO next year
        ],
        feedback=[],
        incident_days=[],
    )
    assert table.values("lex_sarah.reports") == [1, 0, 2, 3]
    assert table.values("lex_sarah.ivo") == [1, 1, 0, 2]


def test_pure_count_of_feedback_by_source_category_and_follow_up() -> None:
    feedback = [
        FeedbackFact(d(4, 30), "complaint", "client", "feedback_staff", "bemotande", True, True),
        FeedbackFact(d(5, 1), "opinion", "relative", "feedback_other", "teknik_it", True, False),
        FeedbackFact(d(9, 1), "opinion", "other_body", "feedback_staff", "bemotande", False, False),
        FeedbackFact(d(9, 2), "praise", "relative", None, None, False, False),
        FeedbackFact(d(10, 1), "complaint", "anonymous", None, None, False, False),  # not classified
    ]
    table = rules.vb_table(
        year=YEAR, categories=CATEGORIES, deviations=[], lex_sarah=[], feedback=feedback, incident_days=[]
    )
    assert table.values("feedback.source.client") == [1, 0, 0, 1]
    assert table.values("feedback.source.other") == [0, 1, 0, 1]  # a relative counts under "Annan"
    assert table.values("feedback.source.other_body") == [0, 0, 1, 1]
    assert table.values("feedback.source.anonymous") == [0, 0, 0, 0]
    assert table.values("feedback_staff.bemotande") == [1, 0, 1, 2]
    assert table.values("feedback_other.teknik_it") == [0, 1, 0, 1]
    assert table.values("praise") == [0, 0, 1, 1]
    assert table.values("follow_up.answered") == [1, 1, 0, 2]
    assert table.values("follow_up.action") == [1, 0, 0, 1]
    assert table.unclassified == {"feedback": 1}


def group_totals(table: rules.VbTable, prefix: str) -> list[int]:
    """The sum of a group's rows, per column."""
    rows = [table.values(row.key) for row in table.rows if row.key.startswith(prefix)]
    return [sum(column) for column in zip(*rows, strict=True)] if rows else [0, 0, 0, 0]


deviation_facts = st.builds(
    DeviationFact,
    st.dates(min_value=d(1, 1, YEAR - 1), max_value=d(12, 31, YEAR + 1)),
    st.sampled_from(["annat", "bemotande", None]),
    st.sampled_from(["staff", "external"]),
    st.sampled_from(["own", "other"]),
)
feedback_facts = st.builds(
    FeedbackFact,
    st.dates(min_value=d(1, 1, YEAR - 1), max_value=d(12, 31, YEAR + 1)),
    st.sampled_from(["opinion", "complaint", "praise"]),
    st.sampled_from(list(rules.SOURCE_ROWS)),
    st.sampled_from(["feedback_staff", "feedback_other"]),
    st.sampled_from(["bemotande", "teknik_it"]),
    st.booleans(),
    st.booleans(),
).filter(
    lambda f: (f.category_group, f.category_code) in {("feedback_staff", "bemotande"), ("feedback_other", "teknik_it")}
)


@given(st.lists(deviation_facts, max_size=30), st.lists(feedback_facts, max_size=30))
def test_every_group_adds_up_to_the_events_it_classifies(
    deviations: list[DeviationFact], feedback: list[FeedbackFact]
) -> None:
    table = rules.vb_table(
        year=YEAR, categories=CATEGORIES, deviations=deviations, lex_sarah=[], feedback=feedback, incident_days=[]
    )
    classified = [x for x in deviations if x.day.year == YEAR and x.category_code is not None]
    expected = [sum(1 for x in classified if rules.tertial_of(x.day) == t) for t in (1, 2, 3)]
    expected.append(len(classified))
    assert group_totals(table, "deviation.") == expected
    assert group_totals(table, "identified.") == expected
    assert group_totals(table, "concerns.") == expected
    assert table.unclassified.get("deviation", 0) == sum(
        1 for x in deviations if x.day.year == YEAR and x.category_code is None
    )
    opinions = [x for x in feedback if x.day.year == YEAR and x.kind != "praise"]
    expected = [sum(1 for x in opinions if rules.tertial_of(x.day) == t) for t in (1, 2, 3)] + [len(opinions)]
    assert group_totals(table, "feedback.source.") == expected
    by_category = [
        a + b
        for a, b in zip(group_totals(table, "feedback_staff."), group_totals(table, "feedback_other."), strict=True)
    ]
    assert by_category == expected
    assert table.values("praise")[3] == sum(1 for x in feedback if x.day.year == YEAR and x.kind == "praise")
    for row in table.rows:
        t1, t2, t3, total = table.values(row.key)
        assert t1 + t2 + t3 == total


# --- The count from the database ------------------------------------------------------------------------


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def category(group: str, code: str) -> QualityCategory:
    return QualityCategory.objects.get(group=group, code=code)


def report_deviation(
    actor: Any,
    unit: Any,
    reported_at: datetime.datetime,
    code: str | None,
    identified_by: str = "staff",
    concerns: str = "own",
    analysis: str = "",
) -> Deviation:
    deviation = services.deviation_report(
        actor=actor,
        unit=unit,
        what_happened="Dokumentationen gjordes inte enligt rutinen.",
        occurred_at=reported_at - datetime.timedelta(hours=1),
        reported_at=reported_at,
    )
    if code is not None:
        deviation = services.deviation_update(
            actor=actor,
            deviation=deviation,
            expected_version=None,
            category=category("deviation", code),
            identified_by=identified_by,
            concerns=concerns,
            concerned_unit_name="Hemtjänsten Norr" if concerns == "other" else "",
            analysis=analysis,
        )
    return deviation


def lex_sarah(
    actor: Any, unit: Any, reported_at: datetime.datetime, *, ivo_on: datetime.date | None = None, serious: bool = False
) -> LexSarahReport:
    report = services.lex_sarah_report(
        actor=actor,
        unit=unit,
        what_happened="Brukaren fick inte sin medicin.",
        occurred_at=reported_at - datetime.timedelta(hours=2),
        reported_at=reported_at,
    )
    if ivo_on is None and not serious:
        return report
    moment = reported_at
    steps: list[tuple[str, dict[str, Any]]] = [
        ("registered", {}),
        ("remedied", {"remedy": "Medicinen gavs."}),
        (
            "investigated",
            {
                "investigation_events": "Signeringslistan saknades.",
                "client_view": "Brukaren var orolig.",
                "causes": "Rutinen var okänd.",
                "preventive_actions": "Genomgång av rutinen.",
            },
        ),
        ("assessed", {"assessment": "impropriety", "serious": serious, "assessment_reason": "Allvarligt."}),
    ]
    if ivo_on is not None:
        steps.append(("notified", {"ivo_notified_on": ivo_on, "ivo_reference": "IVO 1.2.3"}))
    for step, values in steps:
        moment = moment + datetime.timedelta(hours=1)
        report = services.lex_sarah_step(
            actor=actor, report=report, step=step, expected_version=None, at=moment, **values
        )
    return report


def feedback(
    actor: Any,
    unit: Any,
    received_on: datetime.date,
    kind: str,
    source: str,
    group_code: tuple[str, str] | None,
    *,
    answered: bool = False,
    action: bool = False,
) -> Feedback:
    item = services.feedback_register(
        actor=actor,
        unit=unit,
        kind=kind,
        source=source,
        received_on=received_on,
        description="Assistenten kom för sent.",
        category=category(*group_code) if group_code else None,
    )
    changes: dict[str, Any] = {}
    if answered:
        changes.update(answer="Vi har pratat med assistenten.", answered_on=received_on + datetime.timedelta(days=2))
    if action:
        changes.update(action_taken="Nytt schema.", action_taken_on=received_on + datetime.timedelta(days=3))
    if changes:
        item = services.feedback_update(actor=actor, feedback=item, expected_version=None, **changes)
    return item


def incident(actor: Any, unit: Any, discovered_at: datetime.datetime) -> DataIncident:
    return services.incident_register(
        actor=actor,
        unit=unit,
        what_happened="Ett mejl med en genomförandeplan skickades till fel mottagare.",
        happened_at=discovered_at - datetime.timedelta(hours=3),
        discovered_at=discovered_at,
        data_affected="Namn och hälsouppgifter",
        people_affected="En brukare",
    )


@dataclass
class Year:
    """The hand-counted year of the provider unit (see `build_year`), and the events around it."""

    deviations: dict[str, Deviation]
    reports: dict[str, LexSarahReport]
    feedback: dict[str, Feedback]
    incidents: dict[str, DataIncident]
    other_unit_deviation: Deviation
    other_unit_feedback: Feedback


def build_year(org: Organisation, reporter: Any, other_reporter: Any) -> Year:
    """Built by the units' managers (the services need a person: a record names who reported it)."""
    unit = org.provider
    deviations = {
        # 23:30 on 30 April in Stockholm is 21:30 UTC: T1.
        "apr30": report_deviation(
            reporter,
            unit,
            local(YEAR, 4, 30, 23, 30),
            "bemotande",
            analysis="Rutinen för överlämning var okänd.\nMer text.",
        ),
        # 00:10 on 1 May in Stockholm is 22:10 UTC on 30 April: T2.
        "may1": report_deviation(reporter, unit, local(YEAR, 5, 1, 0, 10), "utforande", "external", "other"),
        "aug31": report_deviation(reporter, unit, local(YEAR, 8, 31, 23, 50), "annat"),
        "sep1": report_deviation(reporter, unit, local(YEAR, 9, 1, 0, 5), "bemotande"),
        "unclassified": report_deviation(reporter, unit, local(YEAR, 10, 10), None),
        # The year's edges in winter time: neither counts in YEAR.
        "last_year": report_deviation(reporter, unit, local(YEAR - 1, 12, 31, 23, 30), "annat"),
        "next_year": report_deviation(reporter, unit, local(YEAR + 1, 1, 1, 0, 30), "annat"),
    }
    reports = {
        "serious": lex_sarah(reporter, unit, local(YEAR, 2, 10), ivo_on=datetime.date(YEAR, 3, 1), serious=True),
        "minor": lex_sarah(reporter, unit, local(YEAR, 6, 1)),
        "from_last_year": lex_sarah(
            reporter, unit, local(YEAR - 1, 12, 20), ivo_on=datetime.date(YEAR, 1, 10), serious=True
        ),
    }
    items = {
        "complaint": feedback(
            reporter,
            unit,
            datetime.date(YEAR, 4, 30),
            "complaint",
            "client",
            ("feedback_staff", "bemotande"),
            answered=True,
            action=True,
        ),
        "opinion": feedback(
            reporter, unit, datetime.date(YEAR, 5, 1), "opinion", "anonymous", ("feedback_other", "teknik_it")
        ),
        "praise": feedback(reporter, unit, datetime.date(YEAR, 9, 1), "praise", "relative", None),
        "unclassified": feedback(reporter, unit, datetime.date(YEAR, 12, 31), "complaint", "relative", None),
        "last_year": feedback(
            reporter, unit, datetime.date(YEAR - 1, 12, 31), "complaint", "client", ("feedback_staff", "bemotande")
        ),
    }
    incidents = {
        "aug31": incident(reporter, unit, local(YEAR, 8, 31, 23, 30)),
        "sep1": incident(reporter, unit, local(YEAR, 9, 1, 0, 30)),
    }
    return Year(
        deviations=deviations,
        reports=reports,
        feedback=items,
        incidents=incidents,
        other_unit_deviation=report_deviation(other_reporter, org.other_unit, local(YEAR, 3, 1), "bemotande"),
        other_unit_feedback=feedback(
            other_reporter,
            org.other_unit,
            datetime.date(YEAR, 3, 1),
            "complaint",
            "client",
            ("feedback_staff", "bemotande"),
        ),
    )


# Hand-counted from build_year: key → [T1, T2, T3, total]; every other row is zero.
EXPECTED = {
    "lex_sarah.ivo": [2, 0, 0, 2],
    "lex_sarah.reports": [1, 1, 0, 2],
    "deviation.bemotande": [1, 0, 1, 2],
    "deviation.utforande": [0, 1, 0, 1],
    "deviation.annat": [0, 1, 0, 1],
    "identified.external": [0, 1, 0, 1],
    "identified.staff": [1, 1, 1, 3],
    "praise": [0, 0, 1, 1],
    "feedback.source.client": [1, 0, 0, 1],
    "feedback.source.anonymous": [0, 1, 0, 1],
    "incident": [0, 1, 1, 2],
    "feedback_other.teknik_it": [0, 1, 0, 1],
    "feedback_staff.bemotande": [1, 0, 0, 1],
    "concerns.other": [0, 1, 0, 1],
    "concerns.own": [1, 1, 1, 3],
    "follow_up.answered": [1, 0, 0, 1],
    "follow_up.action": [1, 0, 0, 1],
}


@pytest.fixture
def year(org: Organisation, manager: Any, other_manager: Any) -> Year:
    return build_year(org, manager, other_manager)


def test_the_table_from_the_database_is_the_hand_count(org: Organisation, year: Year, manager: Any) -> None:
    table = selectors.vb_table_for(manager, unit_id=org.provider.pk, year=YEAR)
    for row in table.rows:
        assert table.values(row.key) == EXPECTED.get(row.key, [0, 0, 0, 0]), row.key
    assert table.unclassified == {"deviation": 1, "feedback": 1}


def test_the_groups_add_up_to_the_classified_events(org: Organisation, year: Year, manager: Any) -> None:
    table = selectors.vb_table_for(manager, unit_id=org.provider.pk, year=YEAR)
    classified_deviations = [1, 2, 1, 4]  # apr30 | may1, aug31 | sep1
    assert group_totals(table, "deviation.") == classified_deviations
    assert group_totals(table, "identified.") == classified_deviations
    assert group_totals(table, "concerns.") == classified_deviations
    classified_feedback = [1, 1, 0, 2]  # complaint | opinion
    assert group_totals(table, "feedback.source.") == classified_feedback
    by_category = [
        a + b
        for a, b in zip(group_totals(table, "feedback_staff."), group_totals(table, "feedback_other."), strict=True)
    ]
    assert by_category == classified_feedback


def test_the_other_unit_and_other_years_count_separately(org: Organisation, year: Year, other_manager: Any) -> None:
    table = selectors.vb_table_for(other_manager, unit_id=org.other_unit.pk, year=YEAR)
    assert table.values("deviation.bemotande") == [1, 0, 0, 1]
    assert table.values("feedback_staff.bemotande") == [1, 0, 0, 1]
    # One deviation in its three groups, one complaint by source and by category: nothing else.
    assert sum(table.values(row.key)[3] for row in table.rows) == 5
    last = selectors.vb_table_for(other_manager, unit_id=org.other_unit.pk, year=YEAR - 1)
    assert all(last.values(row.key) == [0, 0, 0, 0] for row in last.rows)


def test_last_and_next_year_hold_the_edge_events(org: Organisation, year: Year, manager: Any) -> None:
    last = selectors.vb_table_for(manager, unit_id=org.provider.pk, year=YEAR - 1)
    assert last.values("deviation.annat") == [0, 0, 1, 1]
    assert last.values("lex_sarah.reports") == [0, 0, 1, 1]
    assert last.values("lex_sarah.ivo") == [0, 0, 0, 0]
    assert last.values("feedback_staff.bemotande") == [0, 0, 1, 1]
    following = selectors.vb_table_for(manager, unit_id=org.provider.pk, year=YEAR + 1)
    assert following.values("deviation.annat") == [1, 0, 0, 1]


def test_the_table_needs_quality_view_in_the_unit(org: Organisation, year: Year, other_manager: Any) -> None:
    with pytest.raises(PermissionDenied):
        selectors.vb_table_for(other_manager, unit_id=org.provider.pk, year=YEAR)


# --- The drill-down ---------------------------------------------------------------------------------------


def titles(drilldown: vbdocs.Drilldown) -> list[str]:
    return [event.title for event in drilldown.events]


def test_every_figure_lists_exactly_its_events(org: Organisation, year: Year, manager: Any) -> None:
    table = selectors.vb_table_for(manager, unit_id=org.provider.pk, year=YEAR)
    for row in table.rows:
        for index, tertial in enumerate((1, 2, 3, None)):
            drilldown = vbdocs.events_behind(manager, unit_id=org.provider.pk, year=YEAR, key=row.key, tertial=tertial)
            assert len(drilldown.events) == table.values(row.key)[index], (row.key, tertial)
            assert drilldown.hidden == 0


def test_the_drill_down_names_the_right_events(org: Organisation, year: Year, manager: Any) -> None:
    def behind(key: str, tertial: int | None) -> list[str]:
        return titles(vbdocs.events_behind(manager, unit_id=org.provider.pk, year=YEAR, key=key, tertial=tertial))

    dev = year.deviations
    assert behind("deviation.bemotande", 1) == [f"Avvikelse {dev['apr30'].pk}"]
    assert behind("deviation.bemotande", 3) == [f"Avvikelse {dev['sep1'].pk}"]
    assert behind("identified.staff", 2) == [f"Avvikelse {dev['aug31'].pk}"]
    assert behind("concerns.other", None) == [f"Avvikelse {dev['may1'].pk}"]
    assert behind(vbdocs.DEVIATION_UNCLASSIFIED, None) == [f"Avvikelse {dev['unclassified'].pk}"]
    assert behind("lex_sarah.ivo", 1) == [  # by the day of the IVO notification: 10 January, 1 March
        f"Lex Sarah-rapport {year.reports['from_last_year'].pk}",
        f"Lex Sarah-rapport {year.reports['serious'].pk}",
    ]
    assert behind("follow_up.answered", None) == [f"Klagomål {year.feedback['complaint'].pk}"]
    assert behind(vbdocs.FEEDBACK_UNCLASSIFIED, 3) == [f"Klagomål {year.feedback['unclassified'].pk}"]
    assert behind("feedback.kind.praise", None) == [f"Beröm {year.feedback['praise'].pk}"]
    assert behind("incident", 2) == [f"Personuppgiftsincident {year.incidents['aug31'].pk}"]


def test_the_drill_down_counts_what_the_reader_may_not_see(org: Organisation, year: Year) -> None:
    controller = make_user("controller", RoleCode.CONTROLLER, district=org.district)
    drilldown = vbdocs.events_behind(controller, unit_id=org.provider.pk, year=YEAR, key="incident", tertial=None)
    assert drilldown.events == []
    assert drilldown.hidden == 2


def test_the_drill_down_refuses_another_unit_unknown_rows_and_tertials(
    org: Organisation, year: Year, manager: Any, other_manager: Any
) -> None:
    with pytest.raises(PermissionDenied):
        vbdocs.events_behind(other_manager, unit_id=org.provider.pk, year=YEAR, key="incident", tertial=None)
    with pytest.raises(KeyError):
        vbdocs.events_behind(manager, unit_id=org.provider.pk, year=YEAR, key="nonsense", tertial=None)
    with pytest.raises(ValueError):
        vbdocs.events_behind(manager, unit_id=org.provider.pk, year=YEAR, key="incident", tertial=4)


def test_table_data_has_the_promised_shape(org: Organisation, year: Year, manager: Any) -> None:
    table = selectors.vb_table_for(manager, unit_id=org.provider.pk, year=YEAR)
    services.vb_assessment_save(
        actor=manager, unit=org.provider, year=YEAR, row_key="praise", text="Bra!", expected_version=0
    )
    data = vbdocs.table_data(table, selectors.vb_assessments(unit_id=org.provider.pk, year=YEAR), org.provider)
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
    rows = {row["key"]: row for group in data["groups"] for row in group["rows"]}
    assert rows["praise"] == {
        "key": "praise",
        "label": "Beröm",
        "t1": 0,
        "t2": 0,
        "t3": 1,
        "total": 1,
        "assessment": "Bra!",
    }
    for key, values in EXPECTED.items():
        assert [rows[key][c] for c in ("t1", "t2", "t3", "total")] == values
