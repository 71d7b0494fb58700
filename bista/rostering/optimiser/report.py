"""What a roster proposal says about itself: which shifts are overtime, why a need is left uncovered, and
the figures a manager reviews (hours against contract, hourly-paid hours, overtime, continuity, nights and
weekends, the clients' choices)."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from bista.core.clock import STOCKHOLM
from bista.rostering import rules
from bista.rostering.facts import Instance, Kind, ShiftFact
from bista.rostering.optimiser.greedy import Pair, proposed_shift
from bista.rostering.optimiser.prepare import (
    ABSENT,
    BUSY,
    COMPETENCE,
    DELEGATION,
    EXCLUDED,
    PASS_REST,
    TEAM,
    TOO_LONG,
    Prepared,
    SlotData,
    Timeline,
    basic_ineligibility,
    ineligibility,
    touches_night,
    touches_weekend,
)

# Names of the reference data's codes (staff/0003), for explanations.
COMPETENCE_NAMES = {
    "autism": "autism",
    "epilepsi": "epilepsi",
    "lagaffektivt": "lågaffektivt bemötande",
    "lyft": "lyft och förflyttning",
    "akk": "AKK",
    "teckensprak": "teckenspråk",
    "diabetes": "diabetes",
    "korkort": "körkort",
}
DELEGATION_NAMES = {
    "lakemedel": "överlämnande av läkemedel",
    "insulin": "insulin",
    "sondmatning": "sondmatning",
    "stomi": "stomivård",
    "sar": "såromläggning",
    "inhalation": "inhalation och syrgas",
}
# What a candidate would break, as the end of "… skulle bryta …".
RULE_PHRASES = {
    rules.PASS_LENGTH: "den längsta passlängden",
    rules.DAILY_REST: "dygnsvilan",
    rules.PASS_REST: "vilan efter ett långt pass",
    rules.WEEKLY_REST: "veckovilan",
    rules.AVERAGE_HOURS: "48 timmar i veckan i genomsnitt",
    rules.OVERTIME_YEAR: "årets övertidsgräns",
}


def _names(codes: Iterable[str], names: dict[str, str]) -> str:
    listed = [names.get(code, code) for code in sorted(codes)]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " och " + listed[-1]


def _join_or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " eller " + parts[-1]


# --- Overtime ------------------------------------------------------------------------------------------


def overtime_flags(prepared: Prepared, pairs: Iterable[Pair]) -> dict[Pair, bool]:
    """Whole shifts as overtime: each employee's new active shifts in time order after the published ones; a
    shift is overtime once it reaches beyond the contract (full time for hourly-paid staff). A shift only
    partly beyond is marked only if the year's overtime allows all of it (otherwise it stays ordinary and the
    checker's soft warning says by how much the contract is exceeded)."""
    by_employee: dict[int, list[Pair]] = defaultdict(list)
    for pair in pairs:
        by_employee[pair[1]].append(pair)
    flags: dict[Pair, bool] = {}
    for e, own in by_employee.items():
        emp = prepared.employees[e]
        used, flagged = emp.fixed_ordinary_minutes, 0
        for pair in sorted(own, key=lambda p: (prepared.slots[p[0]].start, prepared.slots[p[0]].end)):
            slot = prepared.slots[pair[0]]
            if not slot.active or not slot.clipped:
                flags[pair] = False
                continue
            beyond = used + slot.clipped > emp.ordinary_limit
            if beyond and flagged + slot.clipped <= emp.overtime_allowance:
                flags[pair] = True
                flagged += slot.clipped
            else:
                flags[pair] = False
                used += slot.clipped
    return flags


# --- Why a need is left uncovered ----------------------------------------------------------------------


def uncovered_reason(
    prepared: Prepared, slot: SlotData, roster: dict[int, list[ShiftFact]], client_minutes: int, placed: set[int]
) -> str:
    """A Swedish explanation of why (more of) the slot could not be staffed, given the final roster."""
    client = slot.client
    day = slot.need.starts_at.astimezone(STOCKHOLM).date()
    if not client.team_ids:
        return f"{client.name} har ingen arbetsgrupp med personal."
    basic = {e.index: basic_ineligibility(e.facts, client, slot.need) for e in prepared.employees}
    team = [e for e, why in basic.items() if why != TEAM]
    if not team:
        return "Ingen personal finns i brukarens arbetsgrupp."
    if all(basic[e] == COMPETENCE for e in team):
        return f"Ingen i arbetsgruppen har kompetensen {_names(client.required_competences, COMPETENCE_NAMES)}."
    qualified = [e for e in team if basic[e] not in (COMPETENCE, DELEGATION)]
    if not qualified:
        kinds = _names(client.required_delegations, DELEGATION_NAMES)
        return f"Ingen i arbetsgruppen har giltig delegering för {kinds} {rules.format_day(day)}."
    granted = client.granted_hours
    if granted is not None and slot.clipped and client_minutes + slot.clipped > granted * 60 + 1e-6:
        return (
            f"Beslutets timmar räcker inte: {rules.explain_hours(client_minutes / 60)} av "
            f"{rules.explain_hours(granted)} beviljade timmar är redan schemalagda."
        )
    obstacles: Counter[str] = Counter()
    free = 0
    for e in qualified:
        if e in placed:
            continue
        found = _obstacle(basic[e] or ineligibility(prepared, prepared.employees[e], slot))
        if found is not None:
            obstacles[found] += 1
        else:
            broken = _broken_rules(prepared, slot, e, roster)
            if not broken:
                free += 1
            obstacles.update(_rule_obstacle(rule) for rule in broken)
    needed = slot.need.staff_count
    prefix = ""
    if len(qualified) < needed:
        prefix = f"Bara {len(qualified)} i arbetsgruppen kan ta passet men {needed} behövs. "
    if free:
        return prefix + f"{free} behöriga var lediga men hann inte sättas in inom tidsgränsen."
    if not obstacles:
        return prefix.strip() or "Ingen behörig kunde ta passet."
    return prefix + _obstacle_sentence(obstacles, "Alla behöriga")


def _obstacle_sentence(obstacles: Counter[str], subject: str) -> str:
    """ "<subject> är frånvarande, upptagna … eller skulle bryta …", the commonest obstacle first."""
    parts = [text for text, _ in obstacles.most_common()]
    plain = [p for p in parts if not p.startswith("skulle ")]
    breaking = [p.removeprefix("skulle bryta ") for p in parts if p.startswith("skulle bryta ")]
    other = [p for p in parts if p.startswith("skulle ") and not p.startswith("skulle bryta ")]
    would = [*other, *([f"skulle bryta {_join_or(breaking)}"] if breaking else [])]
    if not plain:
        return f"{subject} {_join_or(would)}."
    return f"{subject} är {_join_or(plain + would)}."


def _rule_obstacle(rule: str) -> str:
    """A broken working-time rule as the end of "Alla behöriga är …"."""
    return "upptagna på ett annat pass" if rule == rules.OVERLAP else f"skulle bryta {RULE_PHRASES.get(rule, rule)}"


def _obstacle(why: str | None) -> str | None:
    """The obstacle that `ineligibility` names, as the end of "Alla behöriga är …" (None: no such obstacle)."""
    return {
        ABSENT: "frånvarande",
        EXCLUDED: "bortvalda av brukaren",
        BUSY: "upptagna på ett annat pass",
        TOO_LONG: "skulle bryta den längsta passlängden (inget registrerat undantag)",
        PASS_REST: "skulle bryta vilan efter ett långt pass",
    }.get(why or "")


# --- Why hourly-paid staff were needed -----------------------------------------------------------------


def hourly_paid_reasons(
    prepared: Prepared, flags: dict[Pair, bool], roster: dict[int, list[ShiftFact]]
) -> list[dict[str, Any]]:
    """Why the proposal gives shifts to hourly-paid staff: per such shift, what kept every permanent employee of
    the client's team from it in the final roster (no competence or delegation, absent, busy, beyond their
    contracted time, a working-time rule) — summed by reason as {reason, shifts, hours}, most hours first."""
    ordinary = {emp.index: emp.fixed_ordinary_minutes for emp in prepared.employees}
    placed: dict[int, set[int]] = defaultdict(set)
    for (s, e), overtime in flags.items():
        placed[s].add(e)
        slot = prepared.slots[s]
        if slot.active and not overtime:
            ordinary[e] += slot.clipped
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for s, e in flags:
        if not prepared.employees[e].facts.hourly_paid:
            continue
        slot = prepared.slots[s]
        reason = _why_not_permanent(prepared, slot, roster, ordinary, placed[s])
        totals[reason][0] += 1
        totals[reason][1] += slot.clipped / 60
    rows = [{"reason": r, "shifts": int(n), "hours": round(h, 2)} for r, (n, h) in totals.items()]
    return sorted(rows, key=lambda row: (-row["hours"], row["reason"]))


def _why_not_permanent(
    prepared: Prepared, slot: SlotData, roster: dict[int, list[ShiftFact]], ordinary: dict[int, int], placed: set[int]
) -> str:
    client = slot.client
    permanent = [emp for emp in prepared.employees if not emp.facts.hourly_paid]
    basic = {emp.index: basic_ineligibility(emp.facts, client, slot.need) for emp in permanent}
    team = [e for e, why in basic.items() if why != TEAM]
    if not team:
        return "Arbetsgruppen har ingen fast anställd personal."
    if all(basic[e] == COMPETENCE for e in team):
        competences = _names(client.required_competences, COMPETENCE_NAMES)
        return f"Ingen fast anställd i arbetsgruppen har kompetensen {competences}."
    qualified = [e for e in team if basic[e] not in (COMPETENCE, DELEGATION)]
    if not qualified:
        kinds = _names(client.required_delegations, DELEGATION_NAMES)
        return f"Ingen fast anställd i arbetsgruppen har giltig delegering för {kinds}."
    obstacles: Counter[str] = Counter()
    for e in qualified:
        if e in placed:
            obstacles["redan på samma pass"] += 1
            continue
        emp = prepared.employees[e]
        found = _obstacle(basic[e] or ineligibility(prepared, emp, slot))
        if found is None and slot.active and ordinary[e] + slot.clipped > emp.ordinary_limit:
            found = "skulle få mertid eller övertid"
        if found is None:
            broken = [r for r in _broken_rules(prepared, slot, e, roster) if r != rules.OVERTIME_YEAR]
            if not broken:
                return (
                    "Fast personal var ledig inom sin avtalade tid; förslaget valde den timavlönade för "
                    "kontinuitet, brukarens val eller en jämn fördelning av nätter och helger."
                )
            # Coarse on purpose: the page sums hours per reason, so a reason per combination of rules
            # would list every shift on its own row.
            obstacles.update(
                "upptagna på ett annat pass" if rule == rules.OVERLAP else "skulle bryta vilo- eller arbetstidsreglerna"
                for rule in broken
            )
            continue
        obstacles[found] += 1
    # The same obstacles in the same order give the same reason (counts do not reorder them).
    return _obstacle_sentence(Counter(dict.fromkeys(sorted(obstacles), 1)), "All fast personal i arbetsgruppen")


def _broken_rules(prepared: Prepared, slot: SlotData, e: int, roster: dict[int, list[ShiftFact]]) -> list[str]:
    emp = prepared.employees[e]
    shift = proposed_shift(prepared, (slot.index, e))
    own = roster.get(e, [])
    if rules.overtime_hours_for(shift, own, emp.facts, prepared.period) > 0:
        shift = dataclasses.replace(shift, is_overtime=True)
    found = rules.check_shift(shift, own, emp.facts, slot.client, prepared.period)
    return sorted({v.rule for v in found if v.hard and v.rule != rules.DECISION_HOURS})


# --- Statistics ----------------------------------------------------------------------------------------


def roster_statistics(instance: Instance, shifts: Sequence[ShiftFact]) -> dict[str, Any]:
    """The figures of a roster for the period: the given shifts and the published ones touching the period.

    Hours are inside the period (a night across its end counts its part). JSON-serialisable.
    """
    period = instance.period
    tl = Timeline.of(period)
    keys = {s.key for s in shifts}
    all_shifts = list(shifts) + [s for s in instance.fixed_shifts if s.key not in keys]
    clients = {c.client_id: c for c in instance.clients}
    employees = {e.employee_id: e for e in instance.employees}
    per_employee: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    per_client: dict[int, dict[str, Any]] = defaultdict(lambda: {"hours": 0.0, "shifts": 0, "staff": set()})
    chosen_total = chosen_ok = gender_total = gender_ok = 0
    for s in all_shifts:
        minutes = tl.clipped(tl.minute(s.starts_at), tl.minute(s.ends_at))
        if minutes <= 0:
            continue
        hours = minutes / 60
        c = per_client[s.client_id]
        c["hours"] += hours
        c["shifts"] += 1
        if s.employee_id is None:
            continue
        c["staff"].add(s.employee_id)
        row = per_employee[s.employee_id]
        row["shifts"] += 1
        if s.counts_as_work:
            row["hours"] += hours
            row["nights"] += touches_night(s.starts_at, s.ends_at)
            row["weekends"] += touches_weekend(s.starts_at, s.ends_at)
        if s.kind == Kind.ACTIVE:
            row["active_hours"] += hours
            if s.is_overtime:
                row["overtime_hours"] += hours
            else:
                row["ordinary_hours"] += hours
        client = clients.get(s.client_id)
        if client is not None and client.chosen_employee_ids:
            chosen_total += 1
            chosen_ok += s.employee_id in client.chosen_employee_ids
        facts = employees.get(s.employee_id)
        if client is not None and client.preferred_gender in ("K", "M"):
            gender_total += 1
            gender_ok += facts is not None and facts.gender == client.preferred_gender
    employee_rows: list[dict[str, Any]] = []
    total = hourly_hours = overtime = beyond = 0.0
    nights: list[int] = []
    weekends: list[int] = []
    for employee_id, row in sorted(per_employee.items()):
        facts = employees.get(employee_id)
        hourly = bool(facts and facts.hourly_paid)
        contract = 0.0 if facts is None or hourly else facts.contracted_hours(period)
        limit = rules.ordinary_hours_limit(facts, period) if facts is not None else 0.0
        active = row["active_hours"]
        over_contract = max(0.0, active - limit) if facts is not None else 0.0
        total += row["hours"]
        hourly_hours += row["hours"] if hourly else 0.0
        overtime += row["overtime_hours"]
        beyond += over_contract
        if not hourly:
            nights.append(int(row["nights"]))
            weekends.append(int(row["weekends"]))
        employee_rows.append(
            {
                "employee_id": employee_id,
                "name": facts.name if facts else str(employee_id),
                "hourly_paid": hourly,
                "shifts": int(row["shifts"]),
                "hours": round(row["hours"], 2),
                "active_hours": round(active, 2),
                "contracted_hours": round(contract, 2),
                "deviation_hours": round(active - contract, 2) if not hourly else None,
                "overtime_hours": round(row["overtime_hours"], 2),
                "beyond_contract_hours": round(over_contract, 2),
                "nights": int(row["nights"]),
                "weekends": int(row["weekends"]),
            }
        )
    client_rows: list[dict[str, Any]] = []
    staffed: list[int] = []
    for client_id, c in sorted(per_client.items()):
        facts_c = clients.get(client_id)
        client_rows.append(
            {
                "client_id": client_id,
                "name": facts_c.name if facts_c else str(client_id),
                "shifts": c["shifts"],
                "hours": round(c["hours"], 2),
                "granted_hours": facts_c.granted_hours if facts_c else None,
                "distinct_staff": len(c["staff"]),
            }
        )
        if c["staff"]:
            staffed.append(len(c["staff"]))
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "shifts": len(all_shifts),
        "hours": round(total, 2),
        "hourly_paid_hours": round(hourly_hours, 2),
        "hourly_paid_share": round(hourly_hours / total, 4) if total else 0.0,
        "overtime_hours": round(overtime, 2),
        "beyond_contract_hours": round(beyond, 2),
        "hourly_paid_and_overtime_hours": round(hourly_hours + overtime, 2),
        "contract_deviation_hours": round(
            sum(
                abs(e.contracted_hours(period) - per_employee.get(e.employee_id, {}).get("active_hours", 0.0))
                for e in instance.employees
                if not e.hourly_paid
            ),
            2,
        ),
        "distinct_staff_per_client": round(sum(staffed) / len(staffed), 2) if staffed else 0.0,
        "chosen_staff_share": round(chosen_ok / chosen_total, 4) if chosen_total else None,
        "gender_preference_share": round(gender_ok / gender_total, 4) if gender_total else None,
        "nights_per_employee": {"min": min(nights, default=0), "max": max(nights, default=0)},
        "weekends_per_employee": {"min": min(weekends, default=0), "max": max(weekends, default=0)},
        "employees": employee_rows,
        "clients": client_rows,
    }
