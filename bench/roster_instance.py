"""A realistic roster instance of the demo unit's shape, generated without a database (pure, seedable).

The shape follows the demo unit (bista/demo/plan.py) and issue 5's benchmark:
- ~10 personal-assistance clients with a 24/7 need as the patterns 07–15, 15–22 and 22–07 (the night as
  active time or jour) and a second assistant 07–09 and 20–22, each with its own team of 8–12 assistants
  (AB with Bilaga J: passes up to 20 h); one client's decision pays for somewhat less than the need.
- ~150 clients with booked ledsagning/avlösning occasions (1–3 a week, 2–5 h, daytime, evenings, weekends;
  a few with two staff), served by ~120 staff in 4 groups (AB: passes up to 13 h); decisions grant the
  booked hours with some margin, a couple of clients have booked more than granted.
- Staff as in the demo generator: 60 % full time, the rest 75–95 %, ~20 % hourly-paid; 70 % women.
- Some clients require a competence (lift, epilepsy, sign language, driving licence) or a delegation
  (insulin, tube feeding, medicines); clients choose some staff, prefer a gender, exclude someone.
- A few absences (vacation weeks, sick days, a partial parental leave), one registered exception, overtime
  already worked this year (one person close to the 200 h), and the published roster of the days before
  the period and of its first days (made by the first-fit baseline, so it keeps the rules).
The period defaults to the four weeks from Monday 16 March 2026, across the change to summer time.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from dataclasses import dataclass, field

from bista.rostering.facts import (
    STOCKHOLM,
    AbsenceFact,
    ClientFacts,
    DelegationFact,
    EmployeeFacts,
    ExceptionFact,
    Instance,
    Kind,
    Limits,
    NeedSlot,
    Period,
    ShiftFact,
    Weights,
)

H = datetime.timedelta(hours=1)
# staff/0003: AB with Bilaga J (PAN) for personal assistants, AB for everyone else.
BILAGA_J = Limits(11 * H, 36 * H, 20 * H, 24 * H, 40.0, 48.0, 4, 200.0)
AB = Limits(11 * H, 36 * H, 13 * H, 13 * H, 40.0, 48.0, 4, 200.0)
DEFAULT_START = datetime.date(2026, 3, 16)

ASSISTANT_COMPETENCES = {"lyft": 0.6, "epilepsi": 0.35, "lagaffektivt": 0.4, "autism": 0.3, "akk": 0.2}
ESCORT_COMPETENCES = {"korkort": 0.6, "autism": 0.3, "lagaffektivt": 0.3, "teckensprak": 0.04}

# (first id, …) per unit, so that the 13 units of a city never share an id.
UNIT_STRIDE = 100_000


@dataclass
class _Pattern:
    id: int
    client_id: int
    start: datetime.time
    end: datetime.time
    kind: Kind = Kind.ACTIVE
    staff_count: int = 1


@dataclass
class _Occasion:
    id: int
    client_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    staff_count: int = 1


@dataclass
class _Draft:
    employees: list[EmployeeFacts] = field(default_factory=list)
    clients: list[ClientFacts] = field(default_factory=list)
    patterns: list[_Pattern] = field(default_factory=list)
    occasions: list[_Occasion] = field(default_factory=list)
    grant_factor: dict[int, float] = field(default_factory=dict)


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=STOCKHOLM)


def _elapsed_hours(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end.timestamp() - start.timestamp()) / 3600


def _contract(rng: random.Random) -> tuple[float, bool]:
    """(rate, hourly-paid) as the demo generator draws them."""
    if rng.random() < 0.2:
        return 0.0, True
    if rng.random() < 0.6:
        return 100.0, False
    return float(rng.choice((75, 80, 85, 90, 95))), False


def _gender(rng: random.Random) -> str:
    r = rng.random()
    return "K" if r < 0.7 else ("M" if r < 0.98 else "X")


def _competences(rng: random.Random, odds: dict[str, float]) -> set[str]:
    return {code for code, p in odds.items() if rng.random() < p}


def _assistance(rng: random.Random, draft: _Draft, base: int, start: datetime.date, end: datetime.date, n: int) -> None:
    for c in range(n):
        team = base + 1 + c
        client_id = base + 5000 + c
        size = rng.randint(8, 12)
        required = {rng.choice(("lyft", "epilepsi", "lagaffektivt"))} if rng.random() < 0.4 else set()
        delegation = {1: "insulin", 4: "sondmatning"}.get(c)
        members = []
        for _ in range(size):
            employee_id = base + 1000 + len(draft.employees)
            rate, hourly = _contract(rng)
            skills = _competences(rng, ASSISTANT_COMPETENCES)
            if required and rng.random() < 0.85:
                skills |= required
            delegations: tuple[DelegationFact, ...] = ()
            if delegation and rng.random() < 0.7:
                until = end + datetime.timedelta(days=180)
                if not members:  # one delegation runs out in the middle of the period
                    until = start + datetime.timedelta(days=12)
                delegations = (DelegationFact(delegation, client_id, start - datetime.timedelta(days=200), until),)
            facts = EmployeeFacts(
                employee_id=employee_id,
                name=f"Assistent {employee_id}",
                gender=_gender(rng),
                limits=BILAGA_J,
                employment_rate=rate,
                hourly_paid=hourly,
                team_ids=frozenset({team}),
                competence_codes=frozenset(skills),
                delegations=delegations,
            )
            draft.employees.append(facts)
            members.append(facts)
        chosen = (
            frozenset(e.employee_id for e in rng.sample(members, rng.randint(3, 6)))
            if rng.random() < 0.7
            else frozenset()
        )
        excluded = frozenset({rng.choice(members).employee_id}) if c in (2, 7) else frozenset()
        r = rng.random()
        draft.clients.append(
            ClientFacts(
                client_id=client_id,
                name=f"A.{c + 1}.",
                team_ids=frozenset({team}),
                required_competences=frozenset(required),
                required_delegations=frozenset({delegation} if delegation else set()),
                excluded_employee_ids=excluded - chosen,
                chosen_employee_ids=chosen,
                preferred_gender="K" if r < 0.3 else ("M" if r < 0.4 else ""),
            )
        )
        night = Kind.ON_CALL if rng.random() < 0.5 else Kind.ACTIVE
        pid = client_id * 10
        draft.patterns += [
            _Pattern(pid + 1, client_id, datetime.time(7), datetime.time(15)),
            _Pattern(pid + 2, client_id, datetime.time(15), datetime.time(22)),
            _Pattern(pid + 3, client_id, datetime.time(22), datetime.time(7), night),
            _Pattern(pid + 4, client_id, datetime.time(7), datetime.time(9)),
            _Pattern(pid + 5, client_id, datetime.time(20), datetime.time(22)),
        ]
        draft.grant_factor[client_id] = 0.95 if c == 3 else 1.0


def _escort(
    rng: random.Random,
    draft: _Draft,
    base: int,
    start: datetime.date,
    days: int,
    n_clients: int,
    n_staff: int,
    n_groups: int,
) -> None:
    groups = [base + 100 + g for g in range(n_groups)]
    staff_by_group: dict[int, list[EmployeeFacts]] = {g: [] for g in groups}
    for i in range(n_staff):
        group = groups[i % n_groups]
        employee_id = base + 1000 + len(draft.employees)
        rate, hourly = _contract(rng)
        facts = EmployeeFacts(
            employee_id=employee_id,
            name=f"Ledsagare {employee_id}",
            gender=_gender(rng),
            limits=AB,
            employment_rate=rate,
            hourly_paid=hourly,
            team_ids=frozenset({group}),
            competence_codes=frozenset(_competences(rng, ESCORT_COMPETENCES)),
            delegations=(
                (
                    DelegationFact(
                        "lakemedel", None, start - datetime.timedelta(days=100), start + datetime.timedelta(days=265)
                    ),
                )
                if rng.random() < 0.4
                else ()
            ),
        )
        draft.employees.append(facts)
        staff_by_group[group].append(facts)
    occasion_id = base + 50_000
    for c in range(n_clients):
        client_id = base + 6000 + c
        group = groups[c % n_groups]
        members = staff_by_group[group]
        respite = c % 3 == 2  # a third avlösning, the rest ledsagning
        r = rng.random()
        required = {"korkort"} if r < 0.1 else ({"teckensprak"} if r < 0.13 else set())
        delegations = {"lakemedel"} if rng.random() < 0.05 else set()
        chosen = (
            frozenset(e.employee_id for e in rng.sample(members, rng.randint(1, 3)))
            if rng.random() < 0.4
            else frozenset()
        )
        g = rng.random()
        draft.clients.append(
            ClientFacts(
                client_id=client_id,
                name=f"{'AV' if respite else 'L'}.{c + 1}.",
                team_ids=frozenset({group}),
                required_competences=frozenset(required),
                required_delegations=frozenset(delegations),
                excluded_employee_ids=frozenset({rng.choice(members).employee_id}) if c % 50 == 7 else frozenset(),
                chosen_employee_ids=chosen,
                preferred_gender="K" if g < 0.15 else ("M" if g < 0.2 else ""),
            )
        )
        for week in range(days // 7):
            for day_offset in sorted(rng.sample(range(7), rng.randint(1, 3))):
                day = start + datetime.timedelta(days=7 * week + day_offset)
                if day.weekday() >= 5:
                    begin = datetime.time(rng.randint(9, 15))
                elif respite and rng.random() < 0.6:
                    begin = datetime.time(rng.randint(16, 18))
                else:
                    begin = datetime.time(rng.randint(8, 15), rng.choice((0, 30)))
                hours = rng.choice((2, 2.5, 3, 3.5, 4, 4.5, 5) if respite else (2, 2.5, 3, 3.5, 4))
                starts_at = _local(day, begin)
                ends_at = (starts_at.astimezone(datetime.UTC) + datetime.timedelta(hours=hours)).astimezone(STOCKHOLM)
                occasion_id += 1
                draft.occasions.append(
                    _Occasion(occasion_id, client_id, starts_at, ends_at, 2 if rng.random() < 0.05 else 1)
                )
        draft.grant_factor[client_id] = 0.8 if c in (11, 97) else rng.choice((1.0, 1.1, 1.25))


def _slots(draft: _Draft, first: datetime.date, last: datetime.date) -> list[NeedSlot]:
    """The patterns' and occasions' slots starting on the days first…last (local)."""
    slots = []
    day = first
    while day <= last:
        for p in draft.patterns:
            starts_at = _local(day, p.start)
            ends_at = _local(day + datetime.timedelta(days=1) if p.end <= p.start else day, p.end)
            slots.append(
                NeedSlot(
                    key=f"p{p.id}:{day.isoformat()}",
                    client_id=p.client_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    staff_count=p.staff_count,
                    kind=p.kind,
                    source=f"pattern:{p.id}",
                )
            )
        day += datetime.timedelta(days=1)
    for o in draft.occasions:
        if first <= o.starts_at.date() <= last:
            slots.append(
                NeedSlot(
                    key=f"o{o.id}",
                    client_id=o.client_id,
                    starts_at=o.starts_at,
                    ends_at=o.ends_at,
                    staff_count=o.staff_count,
                    source=f"occasion:{o.id}",
                )
            )
    return slots


def _people_events(rng: random.Random, draft: _Draft, start: datetime.date, days: int) -> None:
    """Absences, an exception and this year's overtime so far."""
    employees = draft.employees
    for i, e in enumerate(employees):
        absences: list[AbsenceFact] = []
        r = rng.random()
        if r < 0.04:
            monday = start + datetime.timedelta(days=7 * rng.randrange(days // 7))
            absences.append(AbsenceFact(monday, monday + datetime.timedelta(days=6), "vacation"))
        elif r < 0.07:
            first = start + datetime.timedelta(days=rng.randrange(days))
            absences.append(AbsenceFact(first, first + datetime.timedelta(days=rng.randint(1, 6)), "sick"))
        elif r < 0.08:
            absences.append(AbsenceFact(start - datetime.timedelta(days=30), None, "parental", 50.0))
        before = 0.0
        if not e.hourly_paid and rng.random() < 0.1:
            before = float(rng.randint(20, 150))
        if i == 5:
            before = 195.0
        exceptions: tuple[ExceptionFact, ...] = ()
        if i == 3:
            client = next(c for c in draft.clients if c.team_ids & e.team_ids)
            exceptions = (ExceptionFact(1, client.client_id, start, start + datetime.timedelta(days=days)),)
        employees[i] = dataclasses.replace(
            e, absences=tuple(absences), overtime_hours_before=before, exceptions=exceptions
        )


def generate(
    *,
    seed: int = 2026,
    start: datetime.date = DEFAULT_START,
    weeks: int = 4,
    unit: int = 0,
    assistance_clients: int = 10,
    escort_clients: int = 150,
    escort_staff: int = 120,
    escort_groups: int = 4,
    published_days_before: int = 2,
    published_days_in_period: int = 2,
    weights: Weights | None = None,
) -> Instance:
    """The instance for one unit (unit 0–12 for a city) and the `weeks` from `start` (a Monday)."""
    rng = random.Random(f"{seed}:{unit}")
    base = unit * UNIT_STRIDE
    days = 7 * weeks
    period = Period(start, start + datetime.timedelta(days=days - 1))
    draft = _Draft()
    _assistance(rng, draft, base, start, period.end, assistance_clients)
    _escort(rng, draft, base, start, days, escort_clients, escort_staff, escort_groups)
    _people_events(rng, draft, start, days)
    needs = _slots(draft, period.start, period.end)
    # The decisions grant the need's hours inside the period (the night into its first day included).
    hours: dict[int, float] = {}
    lo, hi = period.starts_at().timestamp(), period.ends_at().timestamp()
    for slot in _slots(draft, period.start - datetime.timedelta(days=1), period.end):
        inside = min(slot.ends_at.timestamp(), hi) - max(slot.starts_at.timestamp(), lo)
        if inside > 0:
            hours[slot.client_id] = hours.get(slot.client_id, 0.0) + slot.staff_count * inside / 3600
    clients = [
        dataclasses.replace(c, granted_hours=round(hours.get(c.client_id, 0.0) * draft.grant_factor[c.client_id], 2))
        for c in draft.clients
    ]
    fixed = _published(draft, clients, period, published_days_before, published_days_in_period)
    return Instance(
        period=period,
        needs=tuple(needs),
        employees=tuple(draft.employees),
        clients=tuple(clients),
        fixed_shifts=fixed,
        weights=weights or Weights(),
    )


def _published(
    draft: _Draft, clients: list[ClientFacts], period: Period, before: int, inside: int
) -> tuple[ShiftFact, ...]:
    """The published roster around the period's start: the first-fit roster of those days."""
    if before <= 0 and inside <= 0:
        return ()
    from bista.rostering.optimiser import first_fit

    window = Period(period.start - datetime.timedelta(days=before), period.start + datetime.timedelta(days=inside - 1))
    earlier = Instance(
        period=window,
        needs=tuple(_slots(draft, window.start, window.end)),
        employees=tuple(draft.employees),
        clients=tuple(dataclasses.replace(c, granted_hours=None) for c in clients),
    )
    result = first_fit(earlier)
    return tuple(dataclasses.replace(s, key=f"published:{n}", published=True) for n, s in enumerate(result.shifts))
