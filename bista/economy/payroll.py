"""The payroll basis (löneunderlag) per person and month, and its two formats: PAXml and CSV.

PAXml is the Swedish open format for time and salary transactions that payroll systems import. **The format
lives only in this module and is *verify*:** the namespace, element order and the codes below follow PAXml 2.0
as commonly published (paxml > header > format/version; tidtransaktioner > tidtrans[anstid] > tidkod, datum,
timmar; lonetransaktioner > lonetrans[anstid] > lonart, benamning, antal, apris), and the time codes and wage
types (lönearter) must be mapped to the payroll system's before real use. Quantities only: the payroll system
prices them (our amounts are estimates for the budget).
"""

from __future__ import annotations

import csv
import datetime
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from bista.core import clock
from bista.core.csvexport import spreadsheet_safe
from bista.core.models import Unit
from bista.economy import figures, rules
from bista.staff.models import Employee
from bista.timereports import rules as time_rules

PAXML_NAMESPACE = "http://www.paxml.se/2.0/paxml.xsd"  # verify against the published schema
PAXML_VERSION = "2.0"
TIME_WORKED = "ARB"  # arbetad tid (verify)
TIME_SICK = "SJK"  # sjukfrånvaro (verify)
# Wage types (lönearter) of the quantities: verify/map to the payroll system's.
WAGE_TYPES = {
    "ob_evening": ("310", "OB kväll"),
    "ob_night": ("320", "OB natt"),
    "ob_weekend": ("330", "OB helg"),
    "ob_holiday": ("340", "OB storhelg"),
    "overtime": ("410", "Övertid"),
    "on_call": ("510", "Jour, passiv tid"),
    "standby": ("520", "Beredskap"),
    "karens": ("610", "Karensavdrag, dagar"),
    "sick_employer": ("620", "Sjuklön dag 2–14, dagar"),
}
CSV_COLUMNS = [
    "anstallningsid",
    "personnummer",
    "namn",
    "arbetade_timmar",
    "ob_kvall",
    "ob_natt",
    "ob_helg",
    "ob_storhelg",
    "overtid",
    "jour",
    "beredskap",
    "karensdagar",
    "sjukdagar_2_14",
    "sjukdagar_15_",
]


@dataclass
class PersonBasis:
    employee_id: int
    personnummer: str
    name: str
    days: dict[datetime.date, Decimal] = field(default_factory=dict)  # worked hours per day
    time: rules.MonthTime = field(default_factory=rules.MonthTime)
    sick: rules.SickDays = field(default_factory=rules.SickDays)

    def band_hours(self, band: str) -> Decimal:
        return rules.money(rules.hours(self.time.by_band.get(band, rules.ZERO)))

    @property
    def worked_hours(self) -> Decimal:
        return rules.money(rules.hours(self.time.worked))

    def quantities(self) -> dict[str, Decimal]:
        return {
            "ob_evening": self.band_hours("evening"),
            "ob_night": self.band_hours("night"),
            "ob_weekend": self.band_hours("weekend"),
            "ob_holiday": self.band_hours("holiday"),
            "overtime": rules.money(rules.hours(self.time.overtime)),
            "on_call": rules.money(rules.hours(self.time.on_call)),
            "standby": rules.money(rules.hours(self.time.standby)),
            "karens": Decimal(self.sick.karens),
            "sick_employer": Decimal(self.sick.employer),
        }


def basis(unit: Unit, month: datetime.date) -> list[PersonBasis]:
    """Per person with time or a wage term in the unit's month: worked hours per day, OB hours by band,
    overtime, jour and beredskap hours, sick days (from the same figures as the wage cost)."""
    month = time_rules.first_of_month(month)
    ref = figures.reference(month)
    time = figures.time_of(unit.pk, month)
    people = figures.people_costs(unit.pk, month, time, ref)
    days: dict[int, dict[datetime.date, Decimal]] = defaultdict(lambda: defaultdict(lambda: rules.ZERO))
    for piece in time.pieces:
        minutes = Decimal(piece.minutes)
        if piece.kind in time_rules.PASSIVE_KINDS:
            minutes = Decimal(min(piece.active_minutes, piece.minutes))
        days[piece.employee_id][clock.local_date(piece.starts_at)] += rules.hours(minutes)
    numbers = dict(Employee.objects.filter(pk__in=[p.employee_id for p in people]).values_list("pk", "personnummer"))
    return [
        PersonBasis(
            p.employee_id,
            numbers.get(p.employee_id, ""),
            p.name,
            {day: rules.money(h) for day, h in sorted(days.get(p.employee_id, {}).items())},
            p.time,
            p.sick,
        )
        for p in people
    ]


def _text(parent: ET.Element, tag: str, value: object) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(value)
    return element


def to_paxml(unit: Unit, month: datetime.date, people: list[PersonBasis]) -> bytes:
    ET.register_namespace("", PAXML_NAMESPACE)
    ns = f"{{{PAXML_NAMESPACE}}}"
    root = ET.Element(f"{ns}paxml")
    header = ET.SubElement(root, f"{ns}header")
    _text(header, f"{ns}format", "LÖNIN")
    _text(header, f"{ns}version", PAXML_VERSION)
    _text(header, f"{ns}datum", clock.now().astimezone(clock.STOCKHOLM).strftime("%Y-%m-%dT%H:%M:%S"))
    _text(header, f"{ns}foretagnamn", unit.name)
    times = ET.SubElement(root, f"{ns}tidtransaktioner")
    for person in people:
        for day, worked in person.days.items():
            trans = ET.SubElement(times, f"{ns}tidtrans", {"anstid": str(person.employee_id)})
            _text(trans, f"{ns}tidkod", TIME_WORKED)
            _text(trans, f"{ns}datum", day.isoformat())
            _text(trans, f"{ns}timmar", worked)
        sick_days = person.sick.karens + person.sick.employer + person.sick.after
        if sick_days:
            trans = ET.SubElement(times, f"{ns}tidtrans", {"anstid": str(person.employee_id)})
            _text(trans, f"{ns}tidkod", TIME_SICK)
            _text(trans, f"{ns}datum", month.isoformat())
            _text(trans, f"{ns}dagar", sick_days)
    wages = ET.SubElement(root, f"{ns}lonetransaktioner")
    for person in people:
        for key, quantity in person.quantities().items():
            if not quantity:
                continue
            code, label = WAGE_TYPES[key]
            trans = ET.SubElement(wages, f"{ns}lonetrans", {"anstid": str(person.employee_id)})
            _text(trans, f"{ns}lonart", code)
            _text(trans, f"{ns}benamning", label)
            _text(trans, f"{ns}antal", quantity)
            _text(trans, f"{ns}period", f"{month:%Y-%m}")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def read_paxml(data: bytes) -> dict[str, dict[str, Decimal]]:
    """Read a PAXml file back: per anstid, worked hours (ARB) and each wage type's quantity (tests, checks)."""
    ns = {"p": PAXML_NAMESPACE}
    root = ET.fromstring(data)  # noqa: S314 — our own export read back, never outside input
    result: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: rules.ZERO))
    for trans in root.findall("p:tidtransaktioner/p:tidtrans", ns):
        if trans.findtext("p:tidkod", namespaces=ns) == TIME_WORKED:
            result[trans.attrib["anstid"]][TIME_WORKED] += Decimal(trans.findtext("p:timmar", "0", ns))
    for trans in root.findall("p:lonetransaktioner/p:lonetrans", ns):
        result[trans.attrib["anstid"]][trans.findtext("p:lonart", "", ns)] += Decimal(
            trans.findtext("p:antal", "0", ns)
        )
    return {key: dict(value) for key, value in result.items()}


def to_csv(people: list[PersonBasis]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for p in people:
        q = p.quantities()
        row = [
            p.employee_id,
            p.personnummer,
            p.name,
            p.worked_hours,
            q["ob_evening"],
            q["ob_night"],
            q["ob_weekend"],
            q["ob_holiday"],
            q["overtime"],
            q["on_call"],
            q["standby"],
            p.sick.karens,
            p.sick.employer,
            p.sick.after,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])  # a name like "=…" is text, not a formula
    return ("\ufeff" + out.getvalue()).encode("utf-8")
