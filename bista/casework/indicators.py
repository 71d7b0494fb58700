"""The purchaser's indicators (nyckeltal, seed 001), published for the governance registry.

Each function takes a purchaser unit id, the period's first and last day and the day computed on, and returns
a `Figure` with the same fields as governance's `Outcome` (the value, women's and men's values, numerator,
denominator, and the clients behind it for the drill-down: `record_kind` "client", `unmet_ids` those that
did not meet the requirement). Nothing here checks access: governance calls them for a unit it has checked.

Definitions:

* **Processing time**: median days from the application (intake received) to the decision, over decisions
  made in the period (one per intake: its first decision); lower is better.
* **Child investigations**: investigations completed in the period for a person under 18 on the day it was
  completed. Shares of them with a child impact analysis written (goal 90 %), where the child took part
  and got feedback (both recorded yes), and where school or preschool was contacted.
* **Follow-ups on time**: yearly follow-ups due in the period (12 months after the decision or the previous
  follow-up, decisions in force then) done by the due day, by a follow-up record or a new investigation.
* **Open ej verkställda beslut**: the individual reports of the quarter of the period's last day (or today,
  if earlier) that are not final; lower is better.
* **Active clients**: clients with a favourable decision in force on the period's last day (or today): all,
  and split into seed 001's three groups, which add up to the total (1,564 = 290 + 812 + 462 in December 2021):
  socialpsykiatri, clients with a case in force in the målgrupp socialpsykiatri (casework.TargetGroup, adults
  with psychiatric problems) whatever the law of the decision — a SoL decision alone says nothing of the group
  (children get SoL avlösning, a psychiatric client gets LSS daglig verksamhet); then children and young people
  0–20 (age on that day); and the rest, adults 21–65 "samt även alla äldre personer som bor på våra grupp- och
  servicebostäder" — the over-65s the unit still has are counted with the adults, as the seed does.
* **Caseload per case officer**: open cases on that day divided by the case officers holding them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from bista.casework import rules
from bista.casework.models import Case, Decision, FollowUp, Investigation, TargetGroup
from bista.core.models import Unit

WOMEN, MEN = "K", "M"
SHARE, COUNT = "share", "count"


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    women: Decimal | None = None
    men: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    record_kind: str = "client"
    record_ids: tuple[int, ...] = ()
    unmet_ids: frozenset[int] = frozenset()
    note: str = ""


def _share(met: int, total: int) -> Decimal | None:
    return (Decimal(met) * 100 / Decimal(total)).quantize(Decimal("0.1")) if total else None


def _shares(items: list[tuple[int, str, bool]]) -> Figure:
    """(client id, gender, met) per counted item → the share met, per gender, with the clients behind it."""

    def share(gender: str | None) -> Decimal | None:
        part = [met for _c, g, met in items if gender is None or g == gender]
        return _share(sum(part), len(part))

    met = sum(1 for *_x, ok in items if ok)
    return Figure(
        value=share(None),
        women=share(WOMEN),
        men=share(MEN),
        numerator=Decimal(met),
        denominator=Decimal(len(items)),
        record_ids=tuple(sorted({c for c, _g, _m in items})),
        unmet_ids=frozenset(c for c, _g, ok in items if not ok),
    )


def _median(values: Iterable[int]) -> Decimal | None:
    median = rules.median_days(values)
    return None if median is None else Decimal(str(median))


def processing_days(unit_id: int, first: datetime.date, last: datetime.date, today: datetime.date) -> Figure:
    rows = (
        Decision.objects.filter(case__unit_id=unit_id, decision_date__range=(first, last), supersedes__isnull=True)
        .order_by("intake_id", "decision_date", "id")
        .values_list("intake_id", "intake__received_on", "decision_date", "case__client_id", "case__client__gender")
    )
    per_intake: dict[int, tuple[int, int, str]] = {}
    for intake_id, received, decided, client_id, gender in rows:
        per_intake.setdefault(intake_id, ((decided - received).days, client_id, gender))
    days = list(per_intake.values())
    return Figure(
        value=_median(d for d, _c, _g in days),
        women=_median(d for d, _c, g in days if g == WOMEN),
        men=_median(d for d, _c, g in days if g == MEN),
        numerator=None,
        denominator=Decimal(len(days)),
        record_ids=tuple(sorted({c for _d, c, _g in days})),
    )


def _child_investigations(unit_id: int, first: datetime.date, last: datetime.date) -> list[Any]:
    rows = Investigation.objects.filter(
        case__unit_id=unit_id, status=Investigation.Status.COMPLETED, completed_on__range=(first, last)
    ).values_list(
        "case__client_id",
        "case__client__gender",
        "case__client__personnummer",
        "completed_on",
        "child_impact_analysis",
        "child_took_part",
        "child_got_feedback",
        "school_contacted",
        named=True,
    )
    return [r for r in rows if rules.is_child_on(rules.birth_date(r.case__client__personnummer), r.completed_on)]


def _child_share(test: Callable[[Any], bool]) -> Callable[[int, datetime.date, datetime.date, datetime.date], Figure]:
    def run(unit_id: int, first: datetime.date, last: datetime.date, today: datetime.date) -> Figure:
        rows = _child_investigations(unit_id, first, last)
        return _shares([(r.case__client_id, r.case__client__gender, test(r)) for r in rows])

    return run


child_impact_analysis = _child_share(lambda r: bool(r.child_impact_analysis.strip()))
child_participation = _child_share(lambda r: bool(r.child_took_part) and bool(r.child_got_feedback))
school_contacted = _child_share(lambda r: bool(r.school_contacted))


def follow_ups_on_time(unit_id: int, first: datetime.date, last: datetime.date, today: datetime.date) -> Figure:
    end = min(last, today)
    decisions = list(
        Decision.objects.filter(
            case__unit_id=unit_id, outcome__in=Decision.FAVOURABLE, decision_date__lte=rules.follow_up_due(end, -12)
        )
        .exclude(ended_on__lt=first)
        .exclude(period_end__lt=first)
        .values_list(
            "pk", "case_id", "decision_date", "ended_on", "period_end", "case__client_id", "case__client__gender"
        )
    )
    done: dict[int, list[datetime.date]] = {}
    for decision_id, day in FollowUp.objects.filter(decision_id__in=[d[0] for d in decisions]).values_list(
        "decision_id", "on"
    ):
        done.setdefault(decision_id, []).append(day)
    started: dict[int, list[datetime.date]] = {}
    for case_id, day in Investigation.objects.filter(case_id__in={d[1] for d in decisions}).values_list(
        "case_id", "started_on"
    ):
        started.setdefault(case_id, []).append(day)
    items: list[tuple[int, str, bool]] = []
    for pk, case_id, decided, ended, period_end, client_id, gender in decisions:
        stop = min(d for d in (ended, period_end, end) if d is not None)
        marks = sorted(d for d in (*done.get(pk, []), *started.get(case_id, [])) if d > decided)
        anchor = decided
        while True:
            due = rules.follow_up_due(anchor)
            if due > stop:
                break
            met = next((m for m in marks if anchor < m <= due), None)
            if first <= due <= end:
                items.append((client_id, gender, met is not None))
            later = [m for m in marks if m > anchor]
            anchor = met if met is not None else (later[0] if later else due)
    return _shares(items)


def open_unexecuted(unit_id: int, first: datetime.date, last: datetime.date, today: datetime.date) -> Figure:
    from bista.casework.selectors import ivo_rows

    unit = Unit.objects.get(pk=unit_id)
    rows = [r for r in ivo_rows(unit, rules.Quarter.of(min(last, today)), upto=min(last, today)) if not r.is_final]
    women = sum(1 for r in rows if r.gender == WOMEN)
    men = sum(1 for r in rows if r.gender == MEN)
    return Figure(
        value=Decimal(len(rows)),
        women=Decimal(women),
        men=Decimal(men),
        numerator=Decimal(len(rows)),
        record_ids=tuple(sorted({r.decision.case.client_id for r in rows})),
    )


def _active(unit_id: int, day: datetime.date) -> list[Any]:
    in_force = (
        Decision.objects.filter(
            case__unit_id=unit_id,
            outcome__in=Decision.FAVOURABLE,
            decision_date__lte=day,
            period_start__lte=day,
        )
        .filter(Q(period_end__isnull=True) | Q(period_end__gte=day))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        .exclude(superseded_by__decision_date__lte=day)
    )
    return list(
        in_force.values_list(
            "case__client_id", "case__client__gender", "case__client__personnummer", "case__target_group__code"
        )
    )


def _active_count(keep: Callable[[str, frozenset[str | None], datetime.date], bool]) -> Callable[..., Figure]:
    """Clients with a decision in force that `keep(personnummer, the målgrupp codes of their cases with such a
    decision, day)` counts: a client is judged once, on all their cases together."""

    def run(unit_id: int, first: datetime.date, last: datetime.date, today: datetime.date) -> Figure:
        day = min(last, today)
        people: dict[int, tuple[str, str, set[str | None]]] = {}
        for client_id, gender, number, group in _active(unit_id, day):
            people.setdefault(client_id, (gender, number, set()))[2].add(group)
        clients = {
            client_id: gender
            for client_id, (gender, number, groups) in people.items()
            if keep(number, frozenset(groups), day)
        }
        women = sum(1 for g in clients.values() if g == WOMEN)
        men = sum(1 for g in clients.values() if g == MEN)
        return Figure(
            value=Decimal(len(clients)),
            women=Decimal(women),
            men=Decimal(men),
            numerator=Decimal(len(clients)),
            record_ids=tuple(sorted(clients)),
        )

    return run


def _age(number: str, day: datetime.date) -> int:
    return rules.age_on(rules.birth_date(number), day)


def _psychiatric(groups: frozenset[str | None]) -> bool:
    return TargetGroup.SOCIAL_PSYCHIATRY in groups


active_clients = _active_count(lambda number, groups, day: True)
active_social_psychiatry = _active_count(lambda number, groups, day: _psychiatric(groups))
active_children = _active_count(lambda number, groups, day: not _psychiatric(groups) and _age(number, day) <= 20)
active_adults = _active_count(lambda number, groups, day: not _psychiatric(groups) and _age(number, day) >= 21)


def caseload_per_officer(unit_id: int, first: datetime.date, last: datetime.date, today: datetime.date) -> Figure:
    day = min(last, today)
    cases = list(
        Case.objects.filter(unit_id=unit_id, opened_on__lte=day, officer__isnull=False)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        .values_list("officer_id", "client_id")
    )
    officers = {officer for officer, _c in cases}
    return Figure(
        value=(Decimal(len(cases)) / len(officers)).quantize(Decimal("0.1")) if officers else None,
        numerator=Decimal(len(cases)),
        denominator=Decimal(len(officers)),
        record_ids=tuple(sorted({c for _o, c in cases})),
    )


Compute = Callable[[int, datetime.date, datetime.date, datetime.date], Figure]

# key, kind, description (the registry's), name, unit of measure, gender split, higher is better, decimals, fn
INDICATORS: tuple[tuple[str, str, str, str, str, bool, bool, int, Compute], ...] = (
    (
        "casework.processing_days",
        COUNT,
        "Median antal dagar från ansökan till beslut, för beslut fattade under perioden.",
        "Handläggningstid ansökan–beslut (median)",
        "dagar",
        True,
        False,
        0,
        processing_days,
    ),
    (
        "casework.child_impact_analysis",
        SHARE,
        "Andel av utredningarna som avslutats under perioden för barn (under 18 år) som har en barnkonsekvensanalys.",
        "Barnutredningar med barnkonsekvensanalys",
        "%",
        True,
        True,
        1,
        child_impact_analysis,
    ),
    (
        "casework.child_participation",
        SHARE,
        "Andel av barnutredningarna under perioden där barnet har deltagit och fått återkoppling.",
        "Barnet har deltagit och fått återkoppling",
        "%",
        True,
        True,
        1,
        child_participation,
    ),
    (
        "casework.school_contacted",
        SHARE,
        "Andel av barnutredningarna under perioden där skola eller förskola har kontaktats.",
        "Skola eller förskola kontaktad i barnutredningar",
        "%",
        True,
        True,
        1,
        school_contacted,
    ),
    (
        "casework.follow_ups_on_time",
        SHARE,
        "Andel av de årliga uppföljningarna av beslut med förfallodag under perioden som gjordes i tid.",
        "Uppföljningar av beslut i tid",
        "%",
        True,
        True,
        1,
        follow_ups_on_time,
    ),
    (
        "casework.open_unexecuted",
        COUNT,
        "Antal ej verkställda beslut och avbrott som rapporteras till IVO för kvartalet (ej slutrapporterade).",
        "Ej verkställda beslut",
        "antal",
        True,
        False,
        0,
        open_unexecuted,
    ),
    (
        "casework.active_clients",
        COUNT,
        "Antal brukare med gällande beslut om bifall vid periodens slut.",
        "Aktiva brukare",
        "antal",
        True,
        True,
        0,
        active_clients,
    ),
    (
        "casework.active_children",
        COUNT,
        "Antal barn och unga 0–20 år med gällande beslut vid periodens slut (utom socialpsykiatri).",
        "Aktiva brukare 0–20 år",
        "antal",
        True,
        True,
        0,
        active_children,
    ),
    (
        "casework.active_adults",
        COUNT,
        "Antal vuxna från 21 år med gällande beslut vid periodens slut, utom socialpsykiatri: 21–65 år och de"
        " äldre som enheten har kvar (som i verksamhetsplanen, där äldre i grupp- och servicebostad räknas hit).",
        "Aktiva brukare 21–65 år",
        "antal",
        True,
        True,
        0,
        active_adults,
    ),
    (
        "casework.active_social_psychiatry",
        COUNT,
        "Antal brukare i målgruppen socialpsykiatri med gällande beslut vid periodens slut.",
        "Aktiva brukare socialpsykiatri",
        "antal",
        True,
        True,
        0,
        active_social_psychiatry,
    ),
    (
        "casework.caseload_per_officer",
        COUNT,
        "Antal öppna ärenden vid periodens slut delat med antalet handläggare som har ärenden.",
        "Ärenden per handläggare",
        "antal",
        False,
        False,
        1,
        caseload_per_officer,
    ),
)
