"""Demo history of the provider chain: orders, implementation plans, journal, home binders and deliveries.

For each provider unit the steps below write about ten years of records through `bista.care.services`, so
every record has its audit event and passes the same checks as one registered by hand:

- **Orders.** Each provider client has a chain of orders for their service: the first when they came to
  the unit, then a new one at each reassessment (every 1½–4 years), the previous one ended on the day the
  next was received. Mostly LSS, some SoL (the SoL service row valid on the decision date: SoL 2001:453
  before 1 July 2025, SoL 2025:400 after). Dates are mostly in time and some late: first contact within
  two weeks of receipt, the plan within 14 days of first contact, execution within three months of the
  decision. Some orders were interrupted and resumed (a few late), one is interrupted now; the orders of
  clients who left end on the day they left. A decision made before the reference data begins (the
  services are valid from 2020) cannot be registered: such a client's first registered order is the first
  reassessment after that date.
- **Implementation plans.** Signed when established, reviewed roughly yearly (a new signed version each
  time, the previous superseded); some reviews were late, a few are overdue today.
- **Journal.** Entries written by the demo's own staff (assistants of the client's team, the deputy,
  the unit manager) who were employed on the event date and may write in the journal today; a few
  corrections and objections. One personal-assistance client has thousands of entries (to benchmark the
  journal page).
- **Home binders.** All three kinds for every provider client, reviewed roughly yearly; a few overdue.
- **Deliveries.** To homes with assistance or avlösning (and some ledsagning): mostly at most four a year,
  some clients more.
- **Open today** (so "Att göra" has something to show): a few orders received recently with no first
  contact (some overdue), one whose first contact was late within the last months, one with a first
  contact and no plan yet, and one decided more than three months ago and still not executed.

The services refuse a client who is no longer active, so for clients who left during the years the first
step re-opens them (active again, linked to the provider on the day they left) and the last step ends them
again; both are audited like every other write (see the note on `reopen_ended_clients`).

Each step draws from its own random stream (see bista.demo.generator), so the data is deterministic for
the same arguments and `today`.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.utils import timezone

from bista.care import services as care
from bista.care.models import HomeBinder, JournalCategory, JournalEntry, Order, OrderEvent, Service
from bista.clients import services as client_services
from bista.core.access import SYSTEM, has_perm
from bista.core.deadlines import add_months
from bista.core.models import Membership, Team
from bista.core.permissions import Perm, RoleCode
from bista.demo import identities as ids
from bista.demo import texts
from bista.demo.generator import (
    ASSISTANCE,
    CHILDREN,
    CONTACT_PERSON,
    ESCORT,
    RESPITE,
    Context,
    DemoClient,
    DemoEmployee,
    DistrictData,
    step,
)

DAY = datetime.timedelta(days=1)

# --- Reference: which service rows each provider service uses ---------------------------------------------

# provider service -> (LSS service code, SoL service suffix or None, share of clients decided under SoL)
SERVICE_ROWS: dict[str, tuple[str, str | None, float]] = {
    ASSISTANCE: ("lss_9_2", "hemtjanst_assistans", 0.1),
    ESCORT: ("lss_9_3", "ledsagning", 0.2),
    RESPITE: ("lss_9_5", "avlosning", 0.15),
    CONTACT_PERSON: ("lss_9_4", None, 0.0),
}

# Journal entries per client and month, by service (the busy client is on top of this).
JOURNAL_PER_MONTH = {ASSISTANCE: 1.5, ESCORT: 0.3, RESPITE: 0.35, CONTACT_PERSON: 0.2}
CORRECTION_SHARE = 0.004
OBJECTION_SHARE = 0.0015


# --- Texts ---------------------------------------------------------------------------------------------------

# The Swedish sample texts are data: bista/demo/texts/care.toml (see bista.demo.texts).
TEXTS = "care"
SERVICES = (ASSISTANCE, ESCORT, RESPITE, CONTACT_PERSON)
# The placeholders `_fill` supplies (corrections also get {datum}).
PLACEHOLDERS = frozenset(
    {
        "namn",
        "namns",
        "aktivitet",
        "aktivitet2",
        "aktivitet_stor",
        "plats",
        "humor",
        "veckodag",
        "anhorig",
        "anhorig2",
        "klocka",
        "personal",
        "personal_pl",
        "foretradare",
    }
)

ACTIVITIES = texts.strings(TEXTS, "activities")
PLACES = texts.strings(TEXTS, "places")
MOODS = texts.strings(TEXTS, "moods")
WEEKDAYS = texts.strings(TEXTS, "weekdays")
STAFF_WORD: dict[str, tuple[str, str]] = texts.mapping(TEXTS, "staff_word", keys=SERVICES, all_keys=True)
JOURNAL_TEXTS: dict[str, tuple[str, ...]] = texts.mapping(TEXTS, "journal", placeholders=PLACEHOLDERS)
CATEGORY_WEIGHTS = {
    ASSISTANCE: {"handelse": 3, "halsa": 4, "aktivitet": 4, "kontakt": 2, "uppfoljning": 1, "insats": 3, "ovrigt": 1},
    ESCORT: {"handelse": 2, "halsa": 1, "aktivitet": 6, "kontakt": 2, "uppfoljning": 1, "insats": 3, "ovrigt": 1},
    RESPITE: {"handelse": 2, "halsa": 2, "aktivitet": 3, "kontakt": 3, "uppfoljning": 1, "insats": 3, "ovrigt": 1},
    CONTACT_PERSON: {"handelse": 1, "halsa": 1, "aktivitet": 5, "kontakt": 2, "uppfoljning": 2, "insats": 2},
}
texts.check_keys(
    TEXTS,
    "journal",
    JOURNAL_TEXTS,
    {code for weights in CATEGORY_WEIGHTS.values() for code in weights},
    "CATEGORY_WEIGHTS",
)
CORRECTIONS = texts.strings(TEXTS, "corrections", placeholders=PLACEHOLDERS | {"datum"})
OBJECTIONS = texts.strings(TEXTS, "objections", placeholders=PLACEHOLDERS)

ORDER_GOALS: dict[str, tuple[str, ...]] = texts.mapping(
    TEXTS, "order_goals", keys=SERVICES, all_keys=True, placeholders=PLACEHOLDERS
)


class PlanActivityText(NamedTuple):
    """An activity of an implementation plan for clients of `service`."""

    service: str
    goal: str
    how: str
    when: str
    responsible: str


def _plan_activities() -> dict[str, tuple[tuple[str, str, str, str], ...]]:
    """The activities by service, in the file's order: (goal, how, when, responsible)."""
    grouped: dict[str, list[tuple[str, str, str, str]]] = {}
    for entry in texts.records(TEXTS, "plan_activities", PlanActivityText, placeholders=PLACEHOLDERS):
        grouped.setdefault(entry.service, []).append((entry.goal, entry.how, entry.when, entry.responsible))
    texts.check_keys(TEXTS, "plan_activities", grouped, SERVICES, "the provider services")
    return {service: tuple(grouped[service]) for service in SERVICES}


PLAN_ACTIVITIES = _plan_activities()
PARTICIPANTS = texts.text(TEXTS, "participants", placeholders=PLACEHOLDERS)
PARTICIPATION = texts.strings(TEXTS, "participation", placeholders=PLACEHOLDERS)
CLIENT_VIEWS = texts.strings(TEXTS, "client_views", placeholders=PLACEHOLDERS)
COOPERATION = texts.strings(TEXTS, "cooperation")
SPECIAL_CONSIDERATIONS = texts.strings(TEXTS, "special_considerations")
INTERPRETER = texts.text(TEXTS, "interpreter", placeholders=("sprak",))
FIRST_CONTACT_NOTES = texts.strings(TEXTS, "first_contact_notes")
INTERRUPTION_REASONS = texts.strings(TEXTS, "interruption_reasons")
INTERRUPTED_NOW = texts.text(TEXTS, "interrupted_now")
ENDED_LEFT = texts.text(TEXTS, "ended_left")
ENDED_REASSESSED = texts.text(TEXTS, "ended_reassessed")


class RiskText(NamedTuple):
    risk: str
    action: str
    owner: str


RISKS = texts.records(TEXTS, "risks", RiskText)
RISK_ASSESSMENT_NOTES = texts.text(TEXTS, "risk_assessment_notes")
BINDER_REVIEW = texts.text(TEXTS, "binder_review", placeholders=("datum", "fynd"))
BINDER_REVIEW_NOTES = texts.strings(TEXTS, "binder_review_notes")
BINDER_CONTACTS = texts.text(
    TEXTS, "binder_contacts", placeholders=("chef", "chef_telefon", "anhorig", "anhorig_telefon")
)
INSTRUCTIONS = texts.strings(TEXTS, "instructions")
CONTINUITY = texts.strings(TEXTS, "continuity")
ROUTINES = texts.strings(TEXTS, "routines")
WISHES = texts.strings(TEXTS, "wishes")
DELIVERY_ITEMS: dict[str, tuple[str, ...]] = texts.mapping(
    TEXTS, "deliveries", keys=("protective", "office", "other"), all_keys=True
)


def _fill(rng: random.Random, template: str, demo: DemoClient, **extra: str) -> str:
    first = demo.client.first_name
    activity, activity2 = rng.sample(ACTIVITIES, 2)
    relatives = ("mamma", "pappa") if demo.group == CHILDREN else ("god man", "syster", "bror", "mamma")
    relative, relative2 = rng.sample(relatives, 2)
    staff = STAFF_WORD.get(demo.service or ESCORT, STAFF_WORD[ESCORT])
    values = {
        "namn": first,
        "namns": first if first.endswith(("s", "x", "z")) else f"{first}s",  # genitive: Elias, Annas
        "aktivitet": activity,
        "aktivitet2": activity2,
        "aktivitet_stor": activity[0].upper() + activity[1:],
        "plats": rng.choice(PLACES),
        "humor": rng.choice(MOODS),
        "veckodag": rng.choice(WEEKDAYS),
        "anhorig": relative,
        "anhorig2": relative2,
        "klocka": f"{rng.randint(7, 21)}.{rng.choice(('00', '15', '30', '45'))}",
        "personal": staff[0],
        "personal_pl": staff[1],
        "foretradare": "vårdnadshavare" if demo.group == CHILDREN else rng.choice(("god man", "anhörig")),
        **extra,
    }
    text = template.format(**values)
    return text[0].upper() + text[1:]


# --- Dates ---------------------------------------------------------------------------------------------------


def _when(
    rng: random.Random,
    earliest: datetime.date,
    due: datetime.date,
    limit: datetime.date,
    *,
    late_share: float,
    late_days: tuple[int, int],
) -> datetime.date | None:
    """The day a step was done: on or before `due`, or (with `late_share`) some days after it.

    Nothing happens after `limit` (today or the order's end): a step not done by then is still pending, and
    a pending step is never left overdue by chance (the few overdue ones are made on purpose).
    """
    if earliest > limit:
        return None
    if earliest <= due and rng.random() >= late_share:
        day = ids.random_date(rng, earliest, due)
    else:
        day = max(earliest, due) + datetime.timedelta(days=rng.randint(*late_days))
    if day <= limit:
        return day
    if due < limit:  # it fell due before the limit: say it was done in time (or, if already late, by then)
        return (
            ids.random_date(rng, earliest, min(due, limit))
            if earliest <= due
            else ids.random_date(rng, earliest, limit)
        )
    return None


def _yearly(
    rng: random.Random, first: datetime.date, end: datetime.date, *, late_share: float, keep_current: bool
) -> list[datetime.date]:
    """Review dates after `first` up to `end`: each within 12 months of the one before, some later.

    With `keep_current` the last review is never overdue at `end` (today); otherwise it may be.
    """
    dates: list[datetime.date] = []
    last = first
    while True:
        due = add_months(last, 12)
        if rng.random() < late_share:
            day = due + datetime.timedelta(days=rng.randint(5, 80))
        else:
            day = ids.random_date(rng, max(last + DAY, due - datetime.timedelta(days=50)), due)
        if day > end:
            if not (keep_current and due < end):
                break
            day = ids.random_date(rng, max(last + DAY, due - datetime.timedelta(days=50)), due)
        dates.append(day)
        last = day
    return dates


def _overdue(dates: list[datetime.date], first: datetime.date, today: datetime.date) -> list[datetime.date]:
    """`dates` without the latest reviews, so that the next one is overdue today (if the history allows)."""
    kept = list(dates)
    while kept and add_months(kept[-1], 12) >= today - datetime.timedelta(days=5):
        kept.pop()
    return kept


def _written_at(rng: random.Random, day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """When an entry about `day` was written: that day between 7 and 22, sometimes the next morning."""
    if rng.random() < 0.12:
        moment = datetime.datetime.combine(day + DAY, datetime.time(rng.randint(7, 10), rng.randint(0, 59)))
    else:
        moment = datetime.datetime.combine(day, datetime.time(rng.randint(7, 21), rng.randint(0, 59)))
    return min(timezone.make_aware(moment), now)


# --- The people who act --------------------------------------------------------------------------------------


@dataclass
class People:
    """The provider unit's users who sign plans and write the journal, and who is responsible for what."""

    chef: DemoEmployee
    deputies: list[DemoEmployee]
    deputy_by_team: dict[int, DemoEmployee]
    staff_by_team: dict[int, list[DemoEmployee]]
    case_officers: list[DemoEmployee]
    may_write: dict[int, bool] = field(default_factory=dict)

    def deputy_for(self, team: Team | None) -> DemoEmployee:
        if team is None or team.pk not in self.deputy_by_team:
            return self.deputies[0] if self.deputies else self.chef
        return self.deputy_by_team[team.pk]

    def can_write(self, demo: DemoEmployee, provider_id: int) -> bool:
        """Whether the user may write in the provider's journal today (the services check it)."""
        key = demo.user.pk
        if key not in self.may_write:
            self.may_write[key] = has_perm(demo.user, Perm.JOURNAL_WRITE, provider_id)
        return self.may_write[key]


def _employed(demo: DemoEmployee, day: datetime.date) -> bool:
    employee = demo.employee
    return employee.start_date <= day and (employee.end_date is None or employee.end_date >= day)


def _people(d: DistrictData) -> People:
    chef_user = d.managers["provider"]
    with_account = [e for e in d.employees if e.user is not None]
    chef = next(e for e in with_account if e.user.pk == chef_user.pk)
    deputy_ids = set(
        Membership.objects.filter(unit=d.provider, role__code=RoleCode.DEPUTY_MANAGER).values_list("user_id", flat=True)
    )
    deputies = sorted((e for e in with_account if e.user.pk in deputy_ids), key=lambda e: e.user.username)
    provider_teams = sorted((t for t in d.teams.values() if t.unit_id == d.provider.pk), key=lambda t: t.name)
    responsible = deputies or [chef]
    staff: dict[int, list[DemoEmployee]] = {}
    for demo in with_account:
        if demo.employee.unit_id == d.provider.pk:
            for team in demo.teams:
                staff.setdefault(team.pk, []).append(demo)
    return People(
        chef=chef,
        deputies=deputies,
        deputy_by_team={team.pk: responsible[i % len(responsible)] for i, team in enumerate(provider_teams)},
        staff_by_team=staff,
        case_officers=[
            e for e in with_account if e.employee.unit_id == d.purchaser.pk and e.user.pk != d.managers["purchaser"].pk
        ],
    )


def _signer(people: People, order_team: Team | None, day: datetime.date) -> Any:
    """Who signs a plan on `day`: the responsible deputy, else the unit manager, if employed then."""
    for demo in (people.deputy_for(order_team), people.chef):
        if _employed(demo, day):
            return demo.user
    return SYSTEM


def _provider_clients(d: DistrictData) -> list[DemoClient]:
    return [c for c in d.clients if c.service is not None]


def _end(ctx: Context, demo: DemoClient) -> datetime.date:
    return demo.until or ctx.today


def _busy_client(d: DistrictData) -> DemoClient | None:
    """The active personal-assistance client who has been longest with the unit: thousands of journal entries."""
    candidates = [c for c in d.clients if c.service == ASSISTANCE and c.until is None]
    return min(candidates, key=lambda c: (c.since, c.client.personnummer)) if candidates else None


# --- Steps ---------------------------------------------------------------------------------------------------


@step("care.reopen_ended")
def reopen_ended_clients(ctx: Context) -> None:
    """Make the clients who left active again until `care.close_ended`, so their history can be registered.

    The care services take orders, journal entries, binders and deliveries only for an active client with an
    open link to the unit (as a user would register them while the client is served). The link added here
    runs from the day the client left to that same day, so the client's time with the unit is unchanged.
    """
    d = ctx.current
    for demo in _provider_clients(d):
        if demo.until is None:
            continue
        demo.client = client_services.client_update(
            actor=SYSTEM, client=demo.client, expected_version=None, is_active=True
        )
        client_services.client_link_unit(actor=SYSTEM, client=demo.client, unit=d.provider, since=demo.until)


@dataclass
class _Decision:
    decision: datetime.date
    received: datetime.date
    ended: datetime.date | None  # the next order's receipt, the day the client left, or None (open)
    new: bool  # the client's first order for the service (not a reassessment)


class _Services:
    """The service rows (reference data) and the one valid on a day."""

    def __init__(self) -> None:
        self.rows = list(Service.objects.all())

    def valid(self, code: str, day: datetime.date) -> Service | None:
        for row in self.rows:
            if row.code == code and row.valid_from <= day and (row.valid_to is None or day < row.valid_to):
                return row
        return None

    def family(self, service: str, sol: bool) -> list[str]:
        lss, sol_suffix, _share = SERVICE_ROWS[service]
        if sol and sol_suffix:
            return [row.code for row in self.rows if row.act == Service.Act.SOL and row.code.endswith("_" + sol_suffix)]
        return [lss]

    def for_day(self, codes: Sequence[str], day: datetime.date) -> Service | None:
        return next((row for code in codes if (row := self.valid(code, day)) is not None), None)

    def first_day(self, codes: Sequence[str]) -> datetime.date | None:
        days = [row.valid_from for row in self.rows if row.code in codes]
        return min(days) if days else None


def _decisions(
    rng: random.Random, demo: DemoClient, today: datetime.date, first_valid: datetime.date
) -> list[_Decision]:
    """The client's chain of orders: the first decision, then a reassessment every 1½–4 years."""
    end = demo.until or today
    pairs: list[tuple[datetime.date, datetime.date]] = []
    decision, received = demo.decided, demo.since
    while True:
        pairs.append((decision, received))
        following = decision + datetime.timedelta(days=rng.randint(540, 1460))
        if following + datetime.timedelta(days=40) >= end:
            break
        decision, received = following, following + datetime.timedelta(days=rng.randint(1, 12))
    chain = [
        _Decision(decision, received, pairs[i + 1][1] if i + 1 < len(pairs) else demo.until, new=i == 0)
        for i, (decision, received) in enumerate(pairs)
    ]
    # Decisions from before the reference data begins cannot be registered: the first registered order is a
    # reassessment soon after that date (if the client was still there).
    kept: list[_Decision] = []
    for item in chain:
        if item.decision >= first_valid:
            kept.append(item)
            continue
        stop = item.ended or today
        decision = first_valid + datetime.timedelta(days=rng.randint(0, 59))
        received = decision + datetime.timedelta(days=rng.randint(1, 12))
        if received + datetime.timedelta(days=30) < stop:
            kept.append(_Decision(decision, received, item.ended, new=False))
    return kept


def _scope(rng: random.Random, service: str, sol: bool) -> tuple[Decimal, str]:
    if service == ASSISTANCE:
        # LSS assistance is day and night (168 h + an hour for the long daylight-saving night), a second
        # assistant at one or both peaks for some clients.
        hours = rng.choice(range(10, 31, 2)) if sol else rng.choice((170, 184, 198))
        return Decimal(hours), Order.ScopeUnit.WEEK
    if service == CONTACT_PERSON:
        return Decimal(rng.choice((2, 2, 3, 4, 4, 6, 8))), Order.ScopeUnit.OCCASION
    return Decimal(rng.choice((8, 10, 12, 16, 20, 24, 30, 40))), Order.ScopeUnit.MONTH


def _case_officer(rng: random.Random, people: People, day: datetime.date) -> tuple[str, str]:
    if not people.case_officers:
        return "", ""
    employed = [e for e in people.case_officers if _employed(e, day)] or people.case_officers
    officer = rng.choice(employed).employee
    name = f"{officer.first_name} {officer.last_name}"
    return name, f"Biståndshandläggare {name}, {ids.phone_number(rng)}"


def _plan_texts(rng: random.Random, demo: DemoClient, service: str) -> dict[str, Any]:
    activities = rng.sample(PLAN_ACTIVITIES[service], k=min(len(PLAN_ACTIVITIES[service]), rng.randint(2, 3)))
    return {
        "goals": _fill(rng, rng.choice(ORDER_GOALS[service]), demo),
        "participants": _fill(rng, PARTICIPANTS, demo),
        "client_participation": _fill(rng, rng.choice(PARTICIPATION), demo),
        "client_view": _fill(rng, rng.choice(CLIENT_VIEWS), demo),
        "cooperation": rng.choice(COOPERATION),
        "activities": [
            {
                "goal": _fill(rng, goal, demo),
                "how": _fill(rng, how, demo),
                "when": when,
                "responsible": who,
            }
            for goal, how, when, who in activities
        ],
    }


@dataclass
class _OrderPlan:
    """What `_imported_order` is to make of one order."""

    demo: DemoClient
    service: str
    sol: bool
    team: Team | None
    decision: datetime.date
    received: datetime.date
    ended: datetime.date | None
    first_contact: datetime.date | None = None
    plan: datetime.date | None = None
    executed: datetime.date | None = None
    interruption: tuple[datetime.date, datetime.date | None] | None = None
    plan_overdue: bool = False


def _imported_order(
    ctx: Context, people: People, services: _Services, spec: _OrderPlan, rng: random.Random
) -> care.ImportedOrder | None:
    """The order of `spec` as the previous system holds it: its details, steps and signed plan versions."""
    today = ctx.today
    service = services.for_day(services.family(spec.service, spec.sol), spec.decision)
    if service is None:
        return None
    amount, unit = _scope(rng, spec.service, spec.sol)
    officer, contacts = _case_officer(rng, people, spec.decision)
    considerations = rng.choice(SPECIAL_CONSIDERATIONS)
    if spec.demo.client.interpreter_needed:
        considerations = f"{INTERPRETER.format(sprak=spec.demo.client.language)} {considerations}".strip()
    period_end = spec.ended - DAY if spec.ended and spec.ended - DAY >= spec.decision and rng.random() < 0.6 else None
    details = {
        "goals": _fill(rng, rng.choice(ORDER_GOALS[spec.service]), spec.demo),
        "special_considerations": considerations,
        "contacts": contacts,
        "case_officer": officer,
        "follow_up_on": add_months(spec.decision, 12),
    }
    Kind = OrderEvent.Kind
    steps: list[care.ImportedStep] = []
    if spec.first_contact:
        steps.append(care.ImportedStep(Kind.FIRST_CONTACT, spec.first_contact, rng.choice(FIRST_CONTACT_NOTES)))
    plans: list[care.ImportedPlanVersion] = []
    if spec.plan:
        signer = _signer(people, spec.team, spec.plan)
        first = _plan_texts(rng, spec.demo, spec.service)
        activities = first.pop("activities")
        first["follow_up_on"] = add_months(spec.plan, 12)
        plans.append(
            care.ImportedPlanVersion(signed_on=spec.plan, texts=first, activities=activities, signed_by=signer)
        )
    if spec.executed:
        steps.append(care.ImportedStep(Kind.EXECUTED, spec.executed))
    if spec.interruption:
        start, resumed = spec.interruption
        steps.append(care.ImportedStep(Kind.INTERRUPTED, start, rng.choice(INTERRUPTION_REASONS)))
        if resumed:
            steps.append(care.ImportedStep(Kind.RESUMED, resumed))
    if plans and spec.plan is not None:
        is_open = spec.ended is None
        reviews = _yearly(
            rng, spec.plan, spec.ended or today, late_share=0.12, keep_current=is_open and not spec.plan_overdue
        )
        if spec.plan_overdue:
            reviews = _overdue(reviews, spec.plan, today)
        for day in reviews:
            # A review starts from the current version and changes what was discussed.
            texts_now, activities = dict(plans[-1].texts), plans[-1].activities
            texts_now["follow_up_on"] = add_months(day, 12)
            if rng.random() < 0.7:
                texts_now["client_view"] = _fill(rng, rng.choice(CLIENT_VIEWS), spec.demo)
            if rng.random() < 0.3:
                activities = _plan_texts(rng, spec.demo, spec.service)["activities"]
            signer = _signer(people, spec.team, day)
            plans.append(
                care.ImportedPlanVersion(signed_on=day, texts=texts_now, activities=activities, signed_by=signer)
            )
    if spec.ended:
        steps.append(
            care.ImportedStep(Kind.ENDED, spec.ended, ENDED_LEFT if spec.ended == spec.demo.until else ENDED_REASSESSED)
        )
    return care.ImportedOrder(
        service=service,
        decision_date=spec.decision,
        received_on=spec.received,
        scope_amount=amount,
        scope_unit=unit,
        period_start=spec.decision,
        period_end=period_end,
        deputy=people.deputy_for(spec.team).user,
        team=spec.team,
        details=details,
        steps=steps,
        plans=plans,
    )


def _import_orders(ctx: Context, demo: DemoClient, orders: list[care.ImportedOrder]) -> list[Order]:
    """A client's orders brought in as one history import (`care.order_history_import`): ten years of orders
    are history, not ten years of registrations (one audit event per client)."""
    if not orders:
        return []
    return care.order_history_import(actor=SYSTEM, client=demo.client, unit=ctx.current.provider, orders=orders)


def _steps(rng: random.Random, spec: _OrderPlan, new: bool, today: datetime.date) -> None:
    """Fill in the dated steps of an order from its decision, receipt and end: mostly in time, some late."""
    limit = spec.ended or today
    spec.first_contact = _when(
        rng, spec.received, spec.received + datetime.timedelta(days=14), limit, late_share=0.1, late_days=(1, 21)
    )
    if spec.first_contact:
        spec.plan = _when(
            rng,
            spec.first_contact,
            spec.first_contact + datetime.timedelta(days=14),
            limit,
            late_share=0.1,
            late_days=(1, 30),
        )
    if new:
        base = max(spec.decision, spec.plan or spec.first_contact or spec.received)
        spec.executed = _when(rng, base, add_months(spec.decision, 3), limit, late_share=0.08, late_days=(5, 70))
    else:  # a reassessment: the service goes on
        spec.executed = _when(
            rng, spec.received, spec.received + datetime.timedelta(days=3), limit, late_share=0.0, late_days=(0, 0)
        )
    if spec.executed is None:
        return
    latest = max(day for day in (spec.received, spec.first_contact, spec.plan, spec.executed) if day is not None)
    if (limit - latest).days > 400 and rng.random() < 0.12:
        start = ids.random_date(rng, latest + datetime.timedelta(days=30), limit - datetime.timedelta(days=150))
        length = rng.randint(95, 140) if rng.random() < 0.15 else rng.randint(14, 80)
        spec.interruption = (start, start + datetime.timedelta(days=length))


@step("care.orders")
def create_orders(ctx: Context) -> None:
    """Each provider client's chain of orders with their steps and implementation plans; and what is open today."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, services = _people(d), _Services()
    clients = _provider_clients(d)
    busy = _busy_client(d)
    specs: list[_OrderPlan] = []
    # Every district shows both laws: if the draws gave nobody a SoL decision, the last client who may have one has.
    last_sol = max(
        (i for i, demo in enumerate(clients) if SERVICE_ROWS.get(demo.service or "", ("", None, 0.0))[2]), default=None
    )
    any_sol = False
    for i, demo in enumerate(clients):
        assert demo.service is not None
        sol = rng.random() < SERVICE_ROWS[demo.service][2] or (i == last_sol and not any_sol)
        any_sol = any_sol or sol
        first_valid = services.first_day(services.family(demo.service, sol)) or demo.decided
        for item in _decisions(rng, demo, today, first_valid):
            spec = _OrderPlan(
                demo=demo,
                service=demo.service,
                sol=sol,
                team=demo.team,
                decision=item.decision,
                received=item.received,
                ended=item.ended,
            )
            _steps(rng, spec, item.new, today)
            specs.append(spec)
    # A few open orders whose plan has gone more than a year without a review today.
    reviewable = [
        spec
        for spec in specs
        if spec.ended is None and spec.plan is not None and spec.plan <= today - datetime.timedelta(days=400)
    ]
    for spec in rng.sample(reviewable, min(len(reviewable), ctx.plan.district.overdue_plan_reviews)):
        spec.plan_overdue = True
    by_client: dict[int, list[tuple[_OrderPlan, care.ImportedOrder]]] = {}
    for spec in specs:  # the draws in the order of the specs, as when each order was registered in turn
        imported = _imported_order(ctx, people, services, spec, rng)
        if imported is not None:
            by_client.setdefault(id(spec.demo), []).append((spec, imported))
    open_orders: list[tuple[DemoClient, Order]] = []
    for pairs in by_client.values():
        demo = pairs[0][0].demo
        orders = _import_orders(ctx, demo, [item for _spec, item in pairs])
        open_orders += [(demo, order) for (spec, _item), order in zip(pairs, orders, strict=True) if spec.ended is None]
    # One order is interrupted now (resumption due within three months: not yet overdue).
    for demo, order in rng.sample(open_orders, len(open_orders)):
        latest = order.events.order_by("-on").values_list("on", flat=True).first()
        if (
            demo is not busy
            and order.status == Order.Status.EXECUTED
            and latest
            and latest <= today - datetime.timedelta(days=45)
        ):
            care.order_record_step(
                actor=SYSTEM,
                order=order,
                step=OrderEvent.Kind.INTERRUPTED,
                on=today - datetime.timedelta(days=rng.randint(10, 40)),
                note=INTERRUPTED_NOW,
            )
            break
    _open_today(ctx, people, services, [c for c in clients if c.until is None and c is not busy])


def _open_today(ctx: Context, people: People, services: _Services, clients: list[DemoClient]) -> None:
    """Orders for a further service, at each stage of the chain today: a few overdue, one done late."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    scenarios = ["overdue_contact"] * ctx.plan.district.overdue_first_contacts + [
        "due_soon",
        "first_contact",
        "late_contact",
        "not_executed",
    ]
    candidates = [c for c in clients if c.since <= today - datetime.timedelta(days=150)] or clients
    pairs = [
        (demo, service)
        for demo in rng.sample(candidates, len(candidates))
        for service in (CONTACT_PERSON, ESCORT, RESPITE)
        if service != demo.service
    ]
    for scenario, (demo, service) in zip(scenarios, pairs, strict=False):
        spec = _OrderPlan(
            demo=demo, service=service, sol=False, team=d.groups[service][0], decision=today, received=today, ended=None
        )
        if scenario == "overdue_contact":
            spec.decision = today - datetime.timedelta(days=rng.randint(25, 45))
            spec.received = spec.decision + datetime.timedelta(days=rng.randint(2, 6))
        elif scenario == "due_soon":
            spec.decision = today - datetime.timedelta(days=rng.randint(6, 12))
            spec.received = today - datetime.timedelta(days=rng.randint(1, 5))
        elif scenario == "first_contact":
            spec.decision = today - datetime.timedelta(days=rng.randint(14, 20))
            spec.received = today - datetime.timedelta(days=rng.randint(8, 12))
            spec.first_contact = spec.received + datetime.timedelta(days=rng.randint(1, 4))
        elif scenario == "late_contact":
            spec.decision = today - datetime.timedelta(days=rng.randint(70, 80))
            spec.received = spec.decision + datetime.timedelta(days=rng.randint(3, 7))
            spec.first_contact = spec.received + datetime.timedelta(days=rng.randint(16, 22))
            spec.plan = spec.first_contact + datetime.timedelta(days=rng.randint(3, 10))
            spec.executed = spec.plan + datetime.timedelta(days=rng.randint(1, 7))
        else:  # not executed more than three months after the decision: reported to IVO
            spec.decision = today - datetime.timedelta(days=rng.randint(110, 130))
            spec.received = spec.decision + datetime.timedelta(days=rng.randint(3, 8))
            spec.first_contact = spec.received + datetime.timedelta(days=rng.randint(2, 10))
            spec.plan = spec.first_contact + datetime.timedelta(days=rng.randint(3, 12))
        item = _imported_order(ctx, people, services, spec, rng)
        if item is not None:
            _import_orders(ctx, demo, [item])


@step("care.journal")
def create_journal(ctx: Context) -> None:
    """Journal entries by the staff who were there, a few corrections and objections; one busy client."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    categories = {c.code: c for c in JournalCategory.objects.all()}
    now = timezone.now()
    busy = _busy_client(d)
    for demo in _provider_clients(d):
        assert demo.service is not None
        end = min(_end(ctx, demo), today)
        if demo is busy:
            days = [ids.random_date(rng, demo.since, end) for _ in range(ctx.plan.district.busy_journal_entries)]
        else:
            days = []
            month = demo.since.replace(day=1)
            rate = JOURNAL_PER_MONTH[demo.service]
            while month <= end:
                count = int(rate) + (1 if rng.random() < rate - int(rate) else 0)
                following = add_months(month, 1)
                days += [ids.random_date(rng, max(month, demo.since), min(following - DAY, end)) for _ in range(count)]
                month = following
        _write_journal(ctx, people, categories, demo, sorted(days), now, busy=demo is busy, rng=rng)


def _writers(people: People, demo: DemoClient, provider_id: int) -> list[tuple[DemoEmployee, float]]:
    """Who may write about the client, with how often they do: the team most, then its deputy, the manager."""
    team_staff = (
        people.staff_by_team.get(demo.team.pk, []) if demo.team and demo.team.is_active and demo.until is None else []
    )
    deputy = people.deputy_for(demo.team)
    weighted = [(e, 6.0) for e in team_staff] + [(deputy, 2.0)]
    weighted += [(e, 0.3) for e in people.deputies if e is not deputy] + [(people.chef, 0.3)]
    return [(e, w) for e, w in weighted if people.can_write(e, provider_id)]


def _write_journal(
    ctx: Context,
    people: People,
    categories: dict[str, JournalCategory],
    demo: DemoClient,
    days: list[datetime.date],
    now: datetime.datetime,
    *,
    busy: bool,
    rng: random.Random,
) -> None:
    """The client's journal as history brought over in one import (`journal_history_import`): each entry by
    whoever of the client's people wrote it then, some corrected later; then the client's objections."""
    assert demo.service is not None
    d = ctx.current
    writers = _writers(people, demo, d.provider.pk)
    weights = CATEGORY_WEIGHTS[demo.service]
    codes = [code for code in weights if code in categories]
    items: list[care.ImportedEntry] = []
    originals: list[int] = []
    objections: list[int] = []
    for day in days:
        present = [(e, w) for e, w in writers if _employed(e, day)]
        if not present:
            continue  # nobody who is in the system today worked with the client then
        author = rng.choices([e for e, _ in present], weights=[w for _, w in present])[0]
        code = rng.choices(codes, weights=[weights[c] for c in codes])[0]
        items.append(
            care.ImportedEntry(
                author=author.user,
                event_date=day,
                written_at=_written_at(rng, day, now),
                category=categories[code],
                text=_fill(rng, rng.choice(JOURNAL_TEXTS[code]), demo),
            )
        )
        originals.append(len(items) - 1)
        if rng.random() < CORRECTION_SHARE:
            items.append(_correction(rng, demo, items, originals[-1], now))
        if rng.random() < OBJECTION_SHARE:
            objections.append(originals[-1])
    # The busy client's journal always has a correction and an objection, so every demo shows both.
    if busy and originals:
        if len(items) == len(originals):
            items.append(_correction(rng, demo, items, originals[len(originals) // 3], now))
        if not objections:
            objections.append(originals[-1])
    entries = care.journal_history_import(actor=SYSTEM, client=demo.client, entries=items)
    for position in objections:
        _object(rng, people, demo, entries[position], d.provider.pk)


def _correction(
    rng: random.Random, demo: DemoClient, items: list[care.ImportedEntry], position: int, now: datetime.datetime
) -> care.ImportedEntry:
    """A correction by the entry's author, a few hours or days later; the entry itself stays as it was."""
    entry = items[position]
    return care.ImportedEntry(
        author=entry.author,
        event_date=entry.event_date,
        written_at=min(entry.written_at + datetime.timedelta(hours=rng.randint(2, 120)), now),
        category=entry.category,
        text=_fill(rng, rng.choice(CORRECTIONS), demo, datum=entry.event_date.isoformat()),
        corrects=position,
    )


def _object(rng: random.Random, people: People, demo: DemoClient, entry: JournalEntry, provider_id: int) -> None:
    """The client says the entry is wrong; the responsible deputy (or the manager) records it."""
    deputy = people.deputy_for(demo.team)
    recorder = deputy if people.can_write(deputy, provider_id) else people.chef
    care.journal_objection_record(actor=recorder.user, entry=entry, text=_fill(rng, rng.choice(OBJECTIONS), demo))


@step("care.binders")
def create_binders(ctx: Context) -> None:
    """The three home binders of every provider client, reviewed about yearly; a few overdue today. Brought in
    as each client's binder history (`care.binder_history_import`), as a migration from a previous system would."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    clients = _provider_clients(d)
    long_served = [c for c in clients if c.until is None and c.since <= today - datetime.timedelta(days=430)]
    overdue = {
        (id(c), rng.choice(HomeBinder.Kind.values))
        for c in rng.sample(long_served, min(len(long_served), ctx.plan.district.overdue_binder_reviews))
    }
    for demo in clients:
        end = _end(ctx, demo)
        first = min(end, demo.since + datetime.timedelta(days=rng.randint(5, 45)))
        deputy = people.deputy_for(demo.team)
        revisions: list[care.ImportedBinderRevision] = []
        for kind in HomeBinder.Kind.values:
            late = (id(demo), kind) in overdue
            reviews = _yearly(rng, first, end, late_share=0.12, keep_current=demo.until is None and not late)
            if late:
                reviews = _overdue(reviews, first, today)
            binder_texts = _binder_texts(rng, demo, kind, deputy)
            risks = _risks(rng) if kind == HomeBinder.Kind.RISK_ASSESSMENT else []
            for index, day in enumerate([first, *reviews]):
                if index and rng.random() < 0.3:
                    binder_texts["notes"] = BINDER_REVIEW.format(
                        datum=day.isoformat(), fynd=rng.choice(BINDER_REVIEW_NOTES)
                    )
                    if risks and rng.random() < 0.5:
                        risks = _risks(rng)
                revisions.append(
                    care.ImportedBinderRevision(
                        kind=kind, reviewed_on=day, responsible=deputy.user, risks=risks, texts=dict(binder_texts)
                    )
                )
        # One import per client: its ten years of binders are history, not ten years of saves (one audit event).
        care.binder_history_import(actor=SYSTEM, client=demo.client, revisions=revisions)


def _binder_texts(rng: random.Random, demo: DemoClient, kind: str, deputy: DemoEmployee) -> dict[str, str]:
    manager = f"{deputy.employee.first_name} {deputy.employee.last_name}"
    contacts = BINDER_CONTACTS.format(
        chef=manager,
        chef_telefon=ids.phone_number(rng),
        anhorig="Vårdnadshavare" if demo.group == CHILDREN else "Anhörig",
        anhorig_telefon=ids.phone_number(rng),
    )
    if kind == HomeBinder.Kind.CRISIS_BINDER:
        return {"contacts": contacts, "instructions": rng.choice(INSTRUCTIONS), "continuity": rng.choice(CONTINUITY)}
    if kind == HomeBinder.Kind.ROUTINE_BINDER:
        return {"routines": rng.choice(ROUTINES), "wishes": rng.choice(WISHES), "contacts": contacts}
    return {"notes": RISK_ASSESSMENT_NOTES}


def _risks(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "risk": risk,
            "likelihood": rng.randint(1, 3),
            "consequence": rng.randint(2, 4),
            "action": action,
            "owner": owner,
        }
        for risk, action, owner in rng.sample(RISKS, rng.randint(2, 4))
    ]


@step("care.deliveries")
def create_deliveries(ctx: Context) -> None:
    """Protective and office material to homes with assistance or avlösning (some ledsagning): mostly at most
    four a year, some clients more."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    for demo in _provider_clients(d):
        if demo.service == CONTACT_PERSON or (demo.service == ESCORT and rng.random() < 0.7):
            continue
        heavy = rng.random() < 0.1
        end = min(_end(ctx, demo), today)
        for year in range(demo.since.year, end.year + 1):
            start, stop = max(demo.since, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
            share = ((stop - start).days + 1) / 365
            per_year = rng.randint(5, 7) if heavy else rng.choices((0, 1, 2, 3, 4), weights=(5, 20, 30, 30, 15))[0]
            for day in sorted(ids.random_date(rng, start, stop) for _ in range(round(per_year * share))):
                kind = rng.choices(("protective", "office", "other"), weights=(8, 1, 1))[0]
                care.delivery_create(
                    actor=SYSTEM,
                    client=demo.client,
                    delivered_on=day,
                    kind=kind,
                    items=rng.choice(DELIVERY_ITEMS[kind]),
                )


@step("care.close_ended")
def close_ended_clients(ctx: Context) -> None:
    """End the clients re-opened by `care.reopen_ended` again, on the day they left."""
    d = ctx.current
    for demo in _provider_clients(d):
        if demo.until is None:
            continue
        client_services.client_unlink_unit(actor=SYSTEM, client=demo.client, unit=d.provider, until=demo.until)
        demo.client = client_services.client_update(
            actor=SYSTEM, client=demo.client, expected_version=None, is_active=False
        )
