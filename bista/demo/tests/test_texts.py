"""The demo's sample texts as data (bista/demo/texts/*.toml, read by bista.demo.texts): every file and
section is read by a module, every entry has the fields of its record, the placeholders are those the
modules fill, the codes are reference data, and a mistake in a file fails at import naming file and entry."""

from __future__ import annotations

import datetime
import random
import tomllib
from importlib import resources
from typing import Any, NamedTuple

import pytest

from bista.care.models import JournalCategory
from bista.clients.models import Client
from bista.demo import care, governance, quality, rostering, texts
from bista.demo.generator import ASSISTANCE, CHILDREN, CONTACT_PERSON, ESCORT, RESPITE
from bista.governance.models import IndicatorDefinition
from bista.quality.models import QualityCategory
from bista.staff.models import Competence

MODULES = {"care": care, "quality": quality, "governance": governance, "rostering": rostering}


def _texts_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _texts_in(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts_in(item)]
    return []


def test_there_is_one_file_per_module_and_each_is_packaged_beside_the_loader():
    assert texts.files() == sorted(MODULES)
    for name in MODULES:
        with (resources.files("bista.demo.texts") / f"{name}.toml").open("rb") as handle:
            assert tomllib.load(handle) == texts.load(name)
        assert name == MODULES[name].TEXTS


def test_every_section_of_every_file_is_read_by_its_module():
    for name in texts.files():
        read = {section for file, section in texts.USED if file == name}
        assert set(texts.load(name)) == read, name


def test_every_entry_has_the_fields_of_its_record_and_only_placeholders_that_are_filled():
    checked = 0
    for (name, section), use in texts.USED.items():
        data = texts.load(name)[section]
        if use.kind == "records":
            assert use.record is not None
            fields = set(use.record._fields)
            required = fields - set(use.record._field_defaults)
            for number, entry in enumerate(data, start=1):
                assert set(entry) <= fields, (name, section, number, set(entry) - fields)
                assert required <= set(entry), (name, section, number, required - set(entry))
        for text in _texts_in(data):
            assert texts.placeholders_in(text) <= use.placeholders, (name, section, text)
            checked += 1
    assert checked > 400  # every text of the four files, not an empty loop


def test_the_placeholders_are_those_the_fill_function_supplies():
    values = quality._values(random.Random(1), None)
    assert set(values) == quality.PLACEHOLDERS
    filled = [
        text
        for (name, section), use in texts.USED.items()
        if name == "quality" and use.placeholders
        for text in _texts_in(texts.load(name)[section])
    ]
    assert any("{Namn}" in text for text in filled) and any("{personal_pl}" in text for text in filled)
    for text in filled:
        result = quality._fill(text, values)
        assert "{" not in result and "}" not in result, text
    for template in governance.ANALYSIS_TEMPLATES.values():
        assert "T1 2024" in template.format(period="T1 2024")


def test_the_care_texts_are_filled_by_fill_with_nothing_left_over():
    demo = care.DemoClient(
        client=Client(first_name="Elias", personnummer="201001019980"),
        group=CHILDREN,
        service=ASSISTANCE,
        team=None,
        decided=datetime.date(2020, 1, 1),
        since=datetime.date(2020, 1, 1),
        until=None,
    )
    filled = 0
    for (name, section), use in texts.USED.items():
        if name != "care" or not use.placeholders:
            continue
        for template in _texts_in(texts.load(name)[section]):
            extra = {p: "x" for p in use.placeholders - care.PLACEHOLDERS}  # {datum}, and the binders' own
            result = care._fill(random.Random(filled), template, demo, **extra)
            assert "{" not in result and "}" not in result, template
            filled += 1
    assert filled > 60
    assert "Elias" in care._fill(random.Random(1), "{namn} och {namns} dag", demo)
    assert care._fill(random.Random(1), "{namns}", demo) == "Elias"  # a genitive of a name ending in s


def test_the_care_sections_cover_every_service_and_category():
    services = {ASSISTANCE, ESCORT, RESPITE, CONTACT_PERSON}
    assert set(care.STAFF_WORD) == set(care.ORDER_GOALS) == set(care.PLAN_ACTIVITIES) == services
    assert all(len(words) == 2 for words in care.STAFF_WORD.values())
    assert all(len(activity) == 4 for rows in care.PLAN_ACTIVITIES.values() for activity in rows)
    assert set(care.JOURNAL_TEXTS) == {code for weights in care.CATEGORY_WEIGHTS.values() for code in weights}
    assert "" in care.COOPERATION and care.SPECIAL_CONSIDERATIONS.count("") == 2  # "none" keeps its weight
    assert "\n" in care.INSTRUCTIONS[0] and all(isinstance(risk, care.RiskText) for risk in care.RISKS)


def test_the_records_are_built_with_their_types():
    assert all(isinstance(text, quality.DeviationText) for text in quality.STAFF_DEVIATIONS)
    assert {text.identified_by for text in quality.EXTERNAL_DEVIATIONS} == {"external"}
    assert {text.concerns for text in quality.OTHER_UNIT_DEVIATIONS} == {"other"}
    assert all(text.other_unit for text in quality.OTHER_UNIT_DEVIATIONS)
    assert {text.serious for text in quality.LEX_SARAH} == {"risk", "impropriety", None}
    assert all(isinstance(text.how_many, int) and isinstance(text.notify, bool) for text in quality.INCIDENTS)
    assert list(quality.ASSESSMENT_REASONS) == ["none", "impropriety", "risk"]  # the order the weights follow
    targets = {m.code: m.target for goal in governance.CHAIN for m in goal.indicators}
    assert str(targets["climate_food"]) == "1.61" and targets["plan_current"] == 100
    assert [goal.key for goal in governance.CHAIN][:2] == ["kf1", "kf13"]
    assert list(governance.SECTIONS) == ["VP", "VB"]
    assert all(len(evidence) == 2 for evidence in rostering.COMPETENCE_EVIDENCE.values())


@pytest.mark.django_db
def test_the_codes_in_the_texts_are_reference_data():
    categories = set(QualityCategory.objects.values_list("group", "code"))
    deviations = quality.STAFF_DEVIATIONS + quality.EXTERNAL_DEVIATIONS + quality.OTHER_UNIT_DEVIATIONS
    for text in (*deviations, *quality.LEX_SARAH):
        assert (QualityCategory.Group.DEVIATION, text.category) in categories, text.category
    assert {(str(group), code) for group, code in quality.FEEDBACK_TEXTS} <= categories
    indicators = set(IndicatorDefinition.objects.values_list("code", flat=True))
    assert {m.code for goal in governance.CHAIN for m in goal.indicators} <= indicators
    journal_categories = set(JournalCategory.objects.values_list("code", flat=True))
    assert set(care.JOURNAL_TEXTS) <= journal_categories
    competences = set(Competence.objects.values_list("code", flat=True))
    assert set(rostering.COMPETENCE_EVIDENCE) == competences


class _Sample(NamedTuple):
    what: str
    how_many: int
    note: str = ""


@pytest.fixture
def data_file(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A text file `sample.toml` made of the returned dict (the real files and USED are left alone)."""
    contents: dict[str, Any] = {}
    real_load = texts.load
    monkeypatch.setattr(texts, "load", lambda name: contents if name == "sample" else real_load(name))
    monkeypatch.setattr(texts, "USED", {})
    return contents


def test_a_well_formed_entry_is_read(data_file):
    data_file["items"] = [{"what": "{namn} ramlade", "how_many": 2}]
    assert texts.records("sample", "items", _Sample, placeholders={"namn"}) == (_Sample("{namn} ramlade", 2),)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"wht": "x", "how_many": 1}, "unknown fields ['wht'], missing fields ['what']"),
        ({"what": "x"}, "missing fields ['how_many']"),
        ({"what": "{nman} ramlade", "how_many": 1}, "unknown placeholder ['nman']"),
        ({"what": "ramlade {", "how_many": 1}, "Single '{' encountered"),
        ({"what": "x", "how_many": "2"}, "how_many: expected int"),
        ({"what": "x", "how_many": True}, "how_many: expected int"),
        ({"what": 3, "how_many": 1}, "what: expected str"),
    ],
)
def test_a_mistake_in_an_entry_fails_naming_the_file_and_the_entry(data_file, entry, message):
    data_file["items"] = [{"what": "rätt", "how_many": 1}, entry]
    with pytest.raises(texts.TextDataError) as error:
        texts.records("sample", "items", _Sample, placeholders={"namn"})
    assert str(error.value).startswith("bista/demo/texts/sample.toml, [items] entry 2")
    assert message in str(error.value)


def test_a_missing_section_an_unknown_key_and_a_wrong_value_fail_naming_the_file(data_file):
    data_file |= {"words": {"a": "x", "b": "y"}, "list": ["x", 3], "one": ["x"]}
    with pytest.raises(texts.TextDataError, match=r"sample.toml: the section \[item\] is missing"):
        texts.records("sample", "item", _Sample)
    with pytest.raises(texts.TextDataError, match=r"sample.toml, \[words\]: unknown keys \['b'\]"):
        texts.mapping("sample", "words", keys=("a",))
    with pytest.raises(texts.TextDataError, match=r"missing keys \['c'\]"):
        texts.mapping("sample", "words", keys=("a", "b", "c"), all_keys=True)
    with pytest.raises(texts.TextDataError, match=r"sample.toml, \[list\] entry 2: expected a text"):
        texts.strings("sample", "list")
    with pytest.raises(texts.TextDataError, match=r"sample.toml, \[one\]: expected a text"):
        texts.text("sample", "one")


def test_a_conversion_that_refuses_a_value_names_the_field(data_file):
    data_file["items"] = [{"what": "x", "how_many": 1, "note": "okänd"}]

    def convert(field: str, value: Any) -> Any:
        if field == "note" and value != "":
            raise ValueError("note must be empty")
        return value

    with pytest.raises(texts.TextDataError, match=r"\[items\] entry 1, note: note must be empty"):
        texts.records("sample", "items", _Sample, convert=convert)


def test_a_file_that_is_not_toml_fails_naming_it(tmp_path, monkeypatch):
    broken = tmp_path / "broken.toml"
    broken.write_text('what = "unterminated\n', encoding="utf-8")
    monkeypatch.setattr(texts.resources, "files", lambda package: tmp_path)
    texts.load.cache_clear()
    try:
        with pytest.raises(texts.TextDataError, match=r"bista/demo/texts/broken.toml: "):
            texts.load("broken")
    finally:
        texts.load.cache_clear()
