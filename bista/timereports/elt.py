"""The ELT time report (tidredovisning) to Försäkringskassan as XML — the one place that knows the format.

*Verify*: the element names, their order and the value formats below are written from the content FK's
integration description lists for the ELT service (SOAP `SkickaTidredovisning`), not from FK's published XSD,
which was not at hand. When it is: put it in `schemas/` as `XSD_PATH` and run the tests (`validate` and the
round trip) — only this module and its schema change.

A report's `content` (built by `services`, stored with the report) is a plain dict:

    {"month": "2026-11",
     "client": {"personnummer": "YYYYMMDDNNNN", "name": "…"},
     "assistant": {"personnummer": "YYYYMMDDNNNN", "name": "…", "agreement": "…"},  # or samordningsnummer
     "period": {"from": "2026-07-01", "to": "2026-12-31"},
     "provider": {"name": "…", "organisation_number": "NNNNNNNNNN", "contact_name": "…",
                  "contact_phone": "…", "contact_email": "…"},
     "rows": [{"date": "2026-11-03", "from": "07:00", "to": "15:00",
               "active": 480, "waiting": 0, "on_call": 0, "standby": 0}, …]}

Times of day are local (Swedish) wall-clock times, "24:00" ending a day; the minutes are elapsed minutes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

NAMESPACE = "http://schema.forsakringskassan.se/integration/isassistansersattning/tidredovisning/1"
XSD_PATH = Path(__file__).parent / "schemas" / "tidredovisning-1.xsd"

# Element names (verify against FK's integration description); `to_xml` writes them in FK's order.
ROOT = "Tidredovisning"
ROW = "Tidrad"
ROW_FIELDS = (
    ("Datum", "date"),
    ("FranKlockslag", "from"),
    ("TillKlockslag", "to"),
    ("AktivTidMinuter", "active"),
    ("VantetidMinuter", "waiting"),
    ("JourtidMinuter", "on_call"),
    ("BeredskapstidMinuter", "standby"),
)


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: ET.Element, name: str, text: object = None) -> ET.Element:
    element = ET.SubElement(parent, _q(name))
    if text is not None:
        element.text = str(text)
    return element


def to_xml(content: dict[str, Any]) -> bytes:
    """The report as ELT XML (UTF-8, with declaration)."""
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(_q(ROOT))
    _add(root, "Redovisningsmanad", content["month"])
    client = _add(root, "Assistansberattigad")
    _add(client, "Personnummer", content["client"]["personnummer"])
    _add(client, "Namn", content["client"]["name"])
    assistant = _add(root, "Assistent")
    _add(assistant, "Identitetsnummer", content["assistant"]["personnummer"])
    _add(assistant, "Namn", content["assistant"]["name"])
    _add(assistant, "Kollektivavtal", content["assistant"]["agreement"])
    period = _add(root, "Berakningsperiod")
    _add(period, "FromDatum", content["period"]["from"])
    _add(period, "TomDatum", content["period"]["to"])
    provider = _add(root, "Anordnare")
    _add(provider, "Organisationsnummer", content["provider"]["organisation_number"])
    _add(provider, "Namn", content["provider"]["name"])
    contact = _add(provider, "Kontaktperson")
    _add(contact, "Namn", content["provider"]["contact_name"])
    _add(contact, "Telefon", content["provider"].get("contact_phone", ""))
    _add(contact, "Epost", content["provider"].get("contact_email", ""))
    rows = _add(root, "Tidrader")
    for row in content["rows"]:
        element = _add(rows, ROW)
        for name, key in ROW_FIELDS:
            _add(element, name, row[key])
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _text(parent: ET.Element, *path: str) -> str:
    element = parent.find("/".join(_q(name) for name in path))
    return (element.text or "") if element is not None else ""


def from_xml(data: bytes) -> dict[str, Any]:
    """Read an ELT XML back into the content dict (for the tests' round trip, and to check a file)."""
    root = ET.fromstring(data)  # noqa: S314 — our own output, or FK's; no external entities in ElementTree
    if root.tag != _q(ROOT):
        raise ValueError(f"not a {ROOT} in {NAMESPACE}")
    rows = []
    for element in root.iterfind(f"{_q('Tidrader')}/{_q(ROW)}"):
        row: dict[str, Any] = {}
        for name, key in ROW_FIELDS:
            value = _text(element, name)
            row[key] = value if key in ("date", "from", "to") else int(value)
        rows.append(row)
    return {
        "month": _text(root, "Redovisningsmanad"),
        "client": {
            "personnummer": _text(root, "Assistansberattigad", "Personnummer"),
            "name": _text(root, "Assistansberattigad", "Namn"),
        },
        "assistant": {
            "personnummer": _text(root, "Assistent", "Identitetsnummer"),
            "name": _text(root, "Assistent", "Namn"),
            "agreement": _text(root, "Assistent", "Kollektivavtal"),
        },
        "period": {
            "from": _text(root, "Berakningsperiod", "FromDatum"),
            "to": _text(root, "Berakningsperiod", "TomDatum"),
        },
        "provider": {
            "organisation_number": _text(root, "Anordnare", "Organisationsnummer"),
            "name": _text(root, "Anordnare", "Namn"),
            "contact_name": _text(root, "Anordnare", "Kontaktperson", "Namn"),
            "contact_phone": _text(root, "Anordnare", "Kontaktperson", "Telefon"),
            "contact_email": _text(root, "Anordnare", "Kontaktperson", "Epost"),
        },
        "rows": rows,
    }


def validate(data: bytes, xsd: Path = XSD_PATH) -> None:
    """Validate against the schema with `xmlschema` (raises its validation error). A runtime dependency
    (pyproject.toml), not a dev one: checking a report against FK's published schema is for a production
    install too, where the dev extras are absent."""
    import xmlschema  # imported here: importing it takes a second or more, and only validation needs it

    xmlschema.XMLSchema(str(xsd)).validate(data)
