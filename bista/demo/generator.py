"""The deterministic demo data generator behind `bista demo`.

`generate(scale=..., years=..., seed=..., today=...)` fills an empty database with a fictitious Stockholm:
one district committee (`unit`) or thirteen (`city`), each with a provider unit (Enheten för personligt
stöd) and a purchaser unit (Beställarenheten funktionsnedsättning), their teams, clients, contacts, staff
and user accounts. How many of each is decided by `bista.demo.plan.make_plan` (a pure function).

Every record about a person goes through the services (`client_create`, `client_link_unit`,
`client_contact_add`, `employee_create`, `membership_grant`, …) with the SYSTEM actor, so each has its
audit event, exactly as if it had been registered by hand. Only Municipality, District, Department and
User rows are created directly (no service exists for them). Every Client and Employee is
`fictitious=True`; their personnummer follow the convention in `bista.demo.identities`.

Determinism
-----------
Same arguments (and the same `today`) give the same data. Nothing reads the global `random` or the clock:
each step gets its own `random.Random` seeded from (seed, district, step name), so a step added later
draws from its own stream and leaves the data of the existing steps unchanged. Database ids, audit
timestamps and password salts are not part of the promise.

Steps: how later contexts add data
----------------------------------
The generator is a list of steps, `STEPS`, run in order. A step is a function `(ctx: Context) -> None`
with a scope: "setup" steps run once first, "district" steps once per district committee (each district
in one transaction, `ctx.current` is its `DistrictData`), "finish" steps once at the end. Steps find what
earlier steps made on the context (`ctx.current.clients`, `.employees`, `.teams`, `.managers` …) and
add their own records there for the steps after them.

A context (care, casework, quality, rostering …) adds its history in a module `bista/demo/<context>.py`
that registers steps with the decorator::

    from bista.demo.generator import Context, step

    @step("care.orders")
    def orders(ctx: Context) -> None:
        for demo_client in ctx.current.clients:
            ...  # use ctx.rng, ctx.today, ctx.years; call the context's services with actor=SYSTEM

and is named in `DEMO_MODULES`, at the place where the records it reads already exist: the modules are
imported in that order, and a module's steps run in the order they are defined in it, after the built-in ones
of this file. Per-year history (orders, journals, deviations, time reports …) belongs in such steps, spread over
`ctx.window_start` … `ctx.today`.
"""

from __future__ import annotations

import contextvars
import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import import_module
from typing import Any, Literal, cast

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bista.clients import services as client_services
from bista.clients.models import Client, ClientContact, ClientUnit
from bista.core import audit
from bista.core import services as core_services
from bista.core.access import SYSTEM
from bista.core.models import AuditEvent, Department, District, Membership, Municipality, Role, Team, Unit
from bista.core.permissions import RoleCode
from bista.demo import identities as ids
from bista.demo import names
from bista.demo.plan import Plan, make_plan
from bista.staff import services as staff_services
from bista.staff.models import Employee, EmploymentType

MUNICIPALITY_NAME = "Stockholms stad"
MUNICIPALITY_CODE = "0180"
DEPARTMENT_NAME = "Avdelningen för social omsorg"
PROVIDER_NAME = "Enheten för personligt stöd"
PURCHASER_NAME = "Beställarenheten funktionsnedsättning"
DEFAULT_PASSWORD = "bista-demo"
DEFAULT_SEED = 2026
DEFAULT_YEARS = 10

# Provider services (the client's group at the provider) and the purchaser's casework groups.
ASSISTANCE, ESCORT, RESPITE, CONTACT_PERSON = "assistance", "escort", "respite", "contact_person"
CHILDREN, ADULTS, PSYCHIATRY = "children", "adults", "psychiatry"
CASEWORK_TEAM_NAMES = {CHILDREN: "Barn och unga", ADULTS: "Vuxna", PSYCHIATRY: "Socialpsykiatri"}
# Seed 001: 290 children, 812 adults, 462 socialpsykiatri.
PURCHASER_GROUP_WEIGHTS = {CHILDREN: 290, ADULTS: 812, PSYCHIATRY: 462}
# Personal assistance is a long commitment: most of today's cases began before the history (their first
# decision in the history is in its first year).
LONG_RUNNING_ASSISTANCE = 0.8
# Employment types of the provider's field staff (tillsvidare, vikariat, timavlönad, allmän visstid) by where
# they work, today and among those who left. An assistance team is a core of monthly-paid assistants, most of
# them full time, scheduled near their contracted hours, and hourly-paid ones (timavlönade) for the rest, the
# summer and the sick; ledsagning and avlösning are a few hours a week per client, worked mostly by
# hourly-paid staff, with a few monthly-paid ledsagare/avlösare. Monthly-paid staff cost their salary whether
# or not the decisions need their hours; hourly-paid staff cost only the hours they work.
TEAM_KINDS = {"current": (34, 2, 62, 2), "ended": (30, 14, 48, 8)}
GROUP_KINDS = {"current": (9, 2, 87, 2), "ended": (8, 4, 85, 3)}
# A long-running case's team: this share of today's assistants has been there since the case's first year.
TEAM_VETERANS = 0.5
LONG_TERM_KINDS = (EmploymentType.PERMANENT, EmploymentType.HOURLY_PAID)  # the others are recent contracts
POST_GAP = datetime.timedelta(days=60)  # a shorter vacancy in a team's post is covered by hourly-paid staff

Scope = Literal["setup", "district", "finish"]


# --- The step registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], None]
    scope: Scope = "district"


STEPS: list[Step] = []


def step(name: str, scope: Scope = "district") -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    """Register `fn` as a generator step (appended to STEPS, so steps run in the order they are defined)."""

    def register(fn: Callable[[Context], None]) -> Callable[[Context], None]:
        if any(existing.name == name for existing in STEPS):
            raise ValueError(f"a demo step named {name!r} is already registered")
        STEPS.append(Step(name=name, run=fn, scope=scope))
        return fn

    return register


# --- What the steps share ------------------------------------------------------------------------------


@dataclass
class DemoClient:
    client: Client
    group: str  # the purchaser's casework group: children, adults or psychiatry
    service: str | None  # the provider service, or None for a client of the purchaser only
    team: Team | None  # the provider team or group
    decided: datetime.date  # since when the purchaser has the client
    since: datetime.date  # since when the client's home unit (provider, or purchaser) has the client
    until: datetime.date | None  # when the client ended (None: active today)


@dataclass
class DemoEmployee:
    employee: Employee
    user: Any  # the user account (current employees), else None
    teams: list[Team]


@dataclass
class DistrictData:
    index: int
    geography: names.DistrictGeography
    district: District
    department: Department
    provider: Unit
    purchaser: Unit
    teams: dict[str, Team] = field(default_factory=dict)  # every team by name
    groups: dict[str, list[Team]] = field(default_factory=dict)  # service or casework group -> its teams
    clients: list[DemoClient] = field(default_factory=list)
    employees: list[DemoEmployee] = field(default_factory=list)
    managers: dict[str, Any] = field(default_factory=dict)  # "provider"/"purchaser" -> the unit manager's user

    @property
    def slug(self) -> str:
        return "-".join(ids.ascii_slug(part) for part in self.geography.name.split("-"))


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    where: str


@dataclass
class Context:
    plan: Plan
    seed: int
    today: datetime.date
    password_hash: str
    password: str
    roles: dict[str, Role]
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    municipality: Municipality | None = None
    districts: list[DistrictData] = field(default_factory=list)
    district_index: int = 0
    used_personnummer: set[str] = field(default_factory=set)
    used_usernames: set[str] = field(default_factory=set)
    logins: list[Login] = field(default_factory=list)
    # (personnummer, e-mail) of the clients who may sign in to the own view (bista.demo.ownview).
    own_view: list[tuple[str, str]] = field(default_factory=list)
    # Seconds spent in each step, summed over districts (`bista demo -v 2` prints them; bench_demo reads them).
    step_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def years(self) -> int:
        return self.plan.years

    @property
    def window_start(self) -> datetime.date:
        """The first day of the history: `years` before `today`."""
        return ids.add_years(self.today, -self.plan.years)

    @property
    def current(self) -> DistrictData:
        """The district being generated (district steps), made by the `organisation` step."""
        return self.districts[self.district_index]

    def geography(self) -> names.DistrictGeography:
        return names.STOCKHOLM_DISTRICTS[self.district_index]

    def rng_for(self, step_name: str, district_index: int | None = None) -> random.Random:
        return random.Random(f"bista-demo:{self.seed}:{district_index}:{step_name}")


# --- Generating ----------------------------------------------------------------------------------------


# The modules whose steps follow the built-in ones, in the order they run: each reads what the ones before it
# made (quality's self-checks read the care records, rostering reads the orders, governance's computed
# indicators read all of them).
DEMO_MODULES = (
    "bista.demo.care",
    "bista.demo.casework",  # the purchaser's decisions behind the provider's orders (read from the database)
    "bista.demo.quality",
    "bista.demo.rostering",
    "bista.demo.timereports",  # worked time from the worked shifts
    "bista.demo.economy",  # wage terms, budgets and invoices, after the attested time they are made from
    "bista.demo.surveys",  # before governance, whose survey indicators read the answers
    "bista.demo.ownview",  # a few clients with the own view on (Min sida)
    "bista.demo.governance",
)


def registered_steps() -> list[Step]:
    """Every step, in the order it runs: the built-in ones of this module, then those of `DEMO_MODULES`."""
    for module in DEMO_MODULES:
        import_module(module)  # registers the module's steps the first time it is imported
    order = {module: index for index, module in enumerate(DEMO_MODULES)}
    return sorted(STEPS, key=lambda registered: order.get(registered.run.__module__, -1))


def generate(
    *,
    scale: str = "unit",
    years: int = DEFAULT_YEARS,
    seed: int = DEFAULT_SEED,
    today: datetime.date | None = None,
    size: float = 1.0,
    password: str = DEFAULT_PASSWORD,
    progress: Callable[[str], None] | None = None,
) -> Context:
    """Generate the demo data into the (empty) database and return the context with what was made."""
    plan = make_plan(scale=scale, years=years, size=size)
    today = today or timezone.localdate()
    if today > timezone.localdate():
        raise ValueError("today must not be in the future (personnummer of people not yet born)")
    if Municipality.objects.exists():
        raise ValueError("the database already has an organisation; the demo needs an empty database")
    roles = {role.code: role for role in Role.objects.all()}
    missing = {getattr(RoleCode, name) for name in dir(RoleCode) if name.isupper()} - set(roles)
    if missing:
        raise ValueError(f"reference data missing (run migrate): roles {sorted(missing)}")
    ctx = Context(
        plan=plan, seed=seed, today=today, password=password, password_hash=make_password(password), roles=roles
    )
    steps = registered_steps()
    # The audit events of the run share one request id, so they can be told apart from real work.
    contextvars.copy_context().run(_run, ctx, steps, progress or (lambda message: None))
    return ctx


def _run(ctx: Context, steps: list[Step], progress: Callable[[str], None]) -> None:
    audit.set_request_id(f"demo-{ctx.plan.scale}-{ctx.seed}")
    _run_scope(ctx, steps, "setup", None)
    for index, geography in enumerate(names.STOCKHOLM_DISTRICTS[: len(ctx.plan.districts)]):
        ctx.district_index = index
        _run_scope(ctx, steps, "district", index)
        progress(f"{geography.name}: klar")
    _run_scope(ctx, steps, "finish", None)


def _run_scope(ctx: Context, steps: Iterable[Step], scope: Scope, district_index: int | None) -> None:
    with transaction.atomic():
        for current in steps:
            if current.scope == scope:
                ctx.rng = ctx.rng_for(current.name, district_index)
                started = time.perf_counter()
                current.run(ctx)
                elapsed = time.perf_counter() - started
                ctx.step_seconds[current.name] = ctx.step_seconds.get(current.name, 0.0) + elapsed


# --- Helpers for people --------------------------------------------------------------------------------


def _role_username(ctx: Context, base: str) -> str:
    """The district's account name for a role: `chef` in the first district, `chef.bromma` elsewhere."""
    name = base if ctx.district_index == 0 else f"{base}.{ctx.current.slug}"
    return ids.unique_username(name, ctx.used_usernames)


def _create_user(ctx: Context, username: str, first: str, last: str) -> Any:
    return get_user_model().objects.create(
        username=username,
        password=ctx.password_hash,
        first_name=first,
        last_name=last,
        email=f"{username}@{names.EMAIL_DOMAIN}",
    )


def _grant(
    ctx: Context,
    user: Any,
    role_code: str,
    unit: Unit | None,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
) -> Membership:
    """A role in `unit` (or, with no unit, district-wide) from `valid_from`, ending after `valid_until`."""
    membership = core_services.membership_grant(
        actor=SYSTEM,
        user=user,
        role=ctx.roles[role_code],
        district=ctx.current.district,
        unit=unit,
        valid_from=valid_from,
    )
    if valid_until is not None:
        membership = core_services.membership_end(
            actor=SYSTEM, membership=membership, valid_to=valid_until + datetime.timedelta(days=1)
        )
    return membership


def _person(ctx: Context, woman: float, man: float, min_age: int, max_age: int) -> tuple[str, str, str, str]:
    """(gender, first name, surname, personnummer) of a new fictitious adult."""
    rng = ctx.rng
    gender = ids.pick_gender(rng, woman, man)
    birth = ids.birth_date_for_age(rng, ctx.today, min_age, max_age)
    pnr = ids.fictitious_personnummer(rng, birth, gender, ctx.used_personnummer)
    return gender, ids.first_name(rng, gender), ids.surname(rng), pnr


def _birth_date(pnr: str) -> datetime.date:
    return datetime.date(int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8]))


def _new_employee(
    ctx: Context,
    *,
    unit: Unit,
    teams: list[Team],
    employment_type: str,
    start: datetime.date,
    end: datetime.date | None,
    role_code: str | None,
    username: str | None = None,
    person: tuple[str, str, str, str] | None = None,
    rate: Decimal | None = None,
) -> DemoEmployee:
    """An employee, and for someone employed today a user account with `role_code` in `unit`."""
    rng = ctx.rng
    gender, first, last, pnr = person or _person(ctx, 0.7, 0.28, 19, 66)
    if rate is None:
        rate = _employment_rate(rng, employment_type)
    user = None
    if role_code is not None:
        username = username or ids.username_for(first, last, ctx.used_usernames)
        user = _create_user(ctx, username, first, last)
    employee = staff_services.employee_create(
        actor=SYSTEM,
        unit=unit,
        first_name=first,
        last_name=last,
        employment_type=employment_type,
        employment_rate=rate,
        start_date=start,
        end_date=end,
        personnummer=pnr,
        gender=gender,
        email=f"{username}@{names.EMAIL_DOMAIN}" if username else "",
        phone=ids.phone_number(rng),
        teams=teams,
        user=user,
        fictitious=True,
    )
    if user is not None and role_code is not None:
        _grant(ctx, user, role_code, unit, start, end)
    demo = DemoEmployee(employee=employee, user=user, teams=list(teams))
    ctx.current.employees.append(demo)
    return demo


def _employment_period(
    ctx: Context, employment_type: str, birth: datetime.date, ended: bool, case: DemoClient | None = None
) -> tuple[datetime.date, datetime.date | None]:
    """Start and end of an employment within the history; fixed-term ones employed today end in the future.
    An assistant of a personal-assistance `case` starts once the case runs; about half of a team has been
    there since the case's first year, and those of an ended case left within a month of its end."""
    rng, today = ctx.rng, ctx.today
    earliest = max(ctx.window_start, ids.add_years(birth, 18))
    if case is not None and (not ended or case.since <= today - datetime.timedelta(days=90)):
        earliest = max(earliest, case.since)
        if ended and case.until is not None and earliest <= case.until - datetime.timedelta(days=30):
            start = ids.random_date(rng, earliest, case.until - datetime.timedelta(days=30))
            after = case.until + datetime.timedelta(days=1)
            end = ids.random_date(rng, after, case.until + datetime.timedelta(days=30))
            return start, min(end, today - datetime.timedelta(days=1))
        if not ended and employment_type in LONG_TERM_KINDS and rng.random() < TEAM_VETERANS:
            return ids.random_date(rng, earliest, min(today, earliest + datetime.timedelta(days=365))), None
    if ended:
        start = ids.random_date(rng, earliest, today - datetime.timedelta(days=60))
        return start, ids.random_date(rng, start + datetime.timedelta(days=30), today - datetime.timedelta(days=1))
    if employment_type in (EmploymentType.SUBSTITUTE, EmploymentType.FIXED_TERM):
        start = ids.random_date(rng, max(earliest, today - datetime.timedelta(days=700)), today)
        return start, today + datetime.timedelta(days=rng.randint(30, 365))
    return ids.random_date(rng, earliest, today), None


def _manager(ctx: Context, unit: Unit, role_code: str, username_base: str, label: str) -> Any:
    """A manager or administrator: a permanent full-time employee with a role account."""
    person = _person(ctx, 0.65, 0.33, 30, 62)
    start = ids.random_date(ctx.rng, max(ctx.window_start, ids.add_years(_birth_date(person[3]), 25)), ctx.today)
    username = _role_username(ctx, username_base)
    demo = _new_employee(
        ctx,
        unit=unit,
        teams=[],
        employment_type=EmploymentType.PERMANENT,
        start=start,
        end=None,
        role_code=role_code,
        username=username,
        person=person,
        rate=Decimal("100"),
    )
    ctx.logins.append(Login(username, label, f"{unit.name}, {ctx.current.district.name}"))
    return demo.user


_AGE_RANGES = {CHILDREN: (0, 20), ADULTS: (21, 65), PSYCHIATRY: (21, 65)}


def _new_client(
    ctx: Context,
    *,
    group: str,
    service: str | None,
    team: Team | None,
    ended: bool,
    protected: bool,
    identity: tuple[str, str, str] | None = None,
) -> DemoClient:
    """A client of the purchaser unit and, with a `service`, of the provider in `team`; ended or active."""
    rng, today, d = ctx.rng, ctx.today, ctx.current
    gender, first, last = identity or _identity(rng)
    min_age, max_age = _AGE_RANGES[group]
    if group != CHILDREN and rng.random() < 0.05:
        min_age, max_age = 66, 90  # older people in group homes stay with the unit
    birth = ids.birth_date_for_age(rng, today, min_age, max_age, min_days_old=150)
    pnr = ids.fictitious_personnummer(rng, birth, gender, ctx.used_personnummer)
    street, postal_code, town = ids.address(rng, d.geography)

    earliest = max(ctx.window_start, birth + datetime.timedelta(days=30))
    latest = today - datetime.timedelta(days=90 if ended else 0)
    if service == ASSISTANCE and rng.random() < LONG_RUNNING_ASSISTANCE:
        latest = min(latest, earliest + datetime.timedelta(days=365))  # a case that began before the history
    decided = ids.random_date(rng, earliest, latest)
    since = min(today, decided + datetime.timedelta(days=rng.randint(7, 60))) if service else decided
    until = _client_end(ctx, service, since) if ended else None

    if rng.random() < 0.9:
        language, interpreter = "svenska", False
    elif rng.random() < 0.1:
        language, interpreter = names.SIGN_LANGUAGE, True
    else:
        language, interpreter = rng.choice(names.OTHER_LANGUAGES), rng.random() < 0.5
    # Some clients ask for staff of a given gender, most often their own.
    preference_draw = rng.random()
    if gender == ids.MAN:
        preferred = ids.MAN if preference_draw < 0.15 else ids.WOMAN if preference_draw < 0.25 else ""
    elif gender == ids.WOMAN:
        preferred = ids.WOMAN if preference_draw < 0.25 else ids.MAN if preference_draw < 0.28 else ""
    else:
        preferred = ids.WOMAN if preference_draw < 0.05 else ids.MAN if preference_draw < 0.1 else ""
    casework_team = d.groups[group][0]
    home_unit = d.provider if service else d.purchaser
    client = client_services.client_create(
        actor=SYSTEM,
        unit=home_unit,
        personnummer=pnr,
        first_name=first,
        last_name=last,
        since=since,
        teams=[team] if team is not None else [casework_team],
        fictitious=True,
        gender=gender,
        street_address=street,
        postal_code=postal_code,
        city=town,
        phone=ids.phone_number(rng) if rng.random() < 0.8 else "",
        email=ids.email_address(first, last, names.PRIVATE_EMAIL_DOMAIN) if rng.random() < 0.1 else "",
        preferred_staff_gender=preferred,
        language=language,
        interpreter_needed=interpreter,
        protected_identity=protected,
    )
    if service:
        # The purchaser decided the service; the client chose this provider.
        client_services.client_link_unit(actor=SYSTEM, client=client, unit=d.purchaser, since=decided)
        client_services.client_set_teams(
            actor=SYSTEM, client=client, teams=[t for t in (team, casework_team) if t is not None]
        )
    _add_contacts(ctx, client, group, last)
    if until is not None:
        client = client_services.client_update(actor=SYSTEM, client=client, expected_version=None, is_active=False)
        for unit in (d.provider, d.purchaser) if service else (d.purchaser,):
            client_services.client_unlink_unit(actor=SYSTEM, client=client, unit=unit, until=until)
    demo = DemoClient(client=client, group=group, service=service, team=team, decided=decided, since=since, until=until)
    d.clients.append(demo)
    return demo


def _client_end(ctx: Context, service: str | None, since: datetime.date) -> datetime.date:
    """The last day of an ended client: any day of the history, except that the personal-assistance cases that
    ended did so in the last full year (seed 002: the unit's assistance cases went from 13 to 10 during 2025)."""
    first, last = since + datetime.timedelta(days=14), ctx.today - datetime.timedelta(days=1)
    if service == ASSISTANCE:
        year = ctx.today.year - 1
        first, last = max(first, datetime.date(year, 1, 1)), min(last, datetime.date(year, 12, 31))
        if first > last:
            first, last = since + datetime.timedelta(days=14), ctx.today - datetime.timedelta(days=1)
    return ids.random_date(ctx.rng, first, last)


def _identity(rng: random.Random, woman: float = 0.44, man: float = 0.54) -> tuple[str, str, str]:
    """(gender, first name, surname); by default with the gender mix of the clients."""
    gender = ids.pick_gender(rng, woman, man)
    return gender, ids.first_name(rng, gender), ids.surname(rng)


def _add_contacts(ctx: Context, client: Client, group: str, family_name: str) -> None:
    """Guardians for children; god man or förvaltare for some adults; relatives."""
    rng = ctx.rng

    def add(kind: str, relation: str, gender: str, same_family: bool) -> None:
        first = ids.first_name(rng, gender)
        last = family_name if same_family else ids.surname(rng)
        client_services.client_contact_add(
            actor=SYSTEM,
            client=client,
            kind=kind,
            name=f"{first} {last}",
            relation=relation,
            phone=ids.phone_number(rng),
            email=ids.email_address(first, last, names.PRIVATE_EMAIL_DOMAIN) if rng.random() < 0.5 else "",
        )

    if group == CHILDREN and _birth_date(client.personnummer) > ids.add_years(ctx.today, -18):
        parents = ["mamma", "pappa"] if rng.random() < 0.7 else [rng.choice(names.PARENT_RELATIONS)]
        for relation in parents:
            add(ClientContact.Kind.GUARDIAN, relation, "K" if relation == "mamma" else "M", rng.random() < 0.85)
        return
    draw = rng.random()
    representative_share = 0.15 if group == PSYCHIATRY else 0.3
    if draw < representative_share * 0.8:
        add(ClientContact.Kind.GOOD_MAN, "god man", ids.pick_gender(rng, 0.5, 0.5), False)
    elif draw < representative_share:
        add(ClientContact.Kind.ADMINISTRATOR, "förvaltare", ids.pick_gender(rng, 0.5, 0.5), False)
    if rng.random() < (0.4 if group == PSYCHIATRY else 0.55):
        relation = rng.choice(names.ADULT_RELATIONS)
        gender = "K" if relation in ("mamma", "syster", "dotter", "maka", "moster") else "M"
        add(ClientContact.Kind.RELATIVE, relation, gender, relation not in ("vän", "sambo"))


def _protected_flags(rng: random.Random, count: int) -> list[bool]:
    """About 1 % of `count` (at least one) marked as protected identity, at random positions."""
    if count == 0:
        return []
    chosen = set(rng.sample(range(count), max(1, round(count * 0.01))))
    return [i in chosen for i in range(count)]


def _shuffled(rng: random.Random, counts: dict[str, int]) -> list[str]:
    items = [key for key, n in counts.items() for _ in range(n)]
    rng.shuffle(items)
    return items


# --- The built-in steps --------------------------------------------------------------------------------


@step("municipality", scope="setup")
def create_municipality(ctx: Context) -> None:
    ctx.municipality = Municipality.objects.create(name=MUNICIPALITY_NAME, code=MUNICIPALITY_CODE)


@step("organisation")
def create_organisation(ctx: Context) -> None:
    """The district committee, its department, the two units and their groups (not the assistance teams)."""
    assert ctx.municipality is not None
    plan, geography = ctx.plan.district, ctx.geography()
    district = District.objects.create(municipality=ctx.municipality, name=f"{geography.name} stadsdelsnämnd")
    department = Department.objects.create(district=district, name=DEPARTMENT_NAME)
    provider = core_services.unit_create(
        actor=SYSTEM, department=department, name=PROVIDER_NAME, kind=Unit.Kind.PROVIDER
    )
    purchaser = core_services.unit_create(
        actor=SYSTEM, department=department, name=PURCHASER_NAME, kind=Unit.Kind.PURCHASER
    )
    d = DistrictData(
        index=ctx.district_index,
        geography=geography,
        district=district,
        department=department,
        provider=provider,
        purchaser=purchaser,
    )
    assert len(ctx.districts) == ctx.district_index
    ctx.districts.append(d)

    def team(unit: Unit, name: str, kind: str, group: str) -> None:
        created = core_services.team_create(actor=SYSTEM, unit=unit, name=name, kind=kind)
        d.teams[name] = created
        d.groups.setdefault(group, []).append(created)

    towns = sorted({area.postal_town for area in geography.areas})
    if plan.escort_groups > 1 and len(towns) > 1:
        escort_names = [f"Ledsagning {town}" for town in towns[: plan.escort_groups]]
    else:
        escort_names = (
            ["Ledsagning"] if plan.escort_groups == 1 else [f"Ledsagning {i}" for i in range(1, plan.escort_groups + 1)]
        )
    for name in escort_names:
        team(provider, name, Team.Kind.ESCORT, ESCORT)
    team(provider, "Avlösning", Team.Kind.RESPITE, RESPITE)
    team(provider, "Kontaktpersoner", Team.Kind.CONTACT_PERSON, CONTACT_PERSON)
    for group, name in CASEWORK_TEAM_NAMES.items():
        team(purchaser, name, Team.Kind.CASEWORK, group)


@step("managers")
def create_managers(ctx: Context) -> None:
    """Enhetschef, biträdande enhetschefer and administratörer of the provider; the purchaser's enhetschef."""
    d, plan = ctx.current, ctx.plan.district
    d.managers["provider"] = _manager(ctx, d.provider, RoleCode.UNIT_MANAGER, "chef", "Enhetschef")
    for i in range(1, plan.deputy_managers + 1):
        _manager(ctx, d.provider, RoleCode.DEPUTY_MANAGER, f"bitradande{i}", "Biträdande enhetschef")
    for i in range(1, plan.administrators + 1):
        _manager(ctx, d.provider, RoleCode.ADMINISTRATOR, f"admin{i}", "Administratör")
    d.managers["purchaser"] = _manager(ctx, d.purchaser, RoleCode.UNIT_MANAGER, "bestallarchef", "Enhetschef")


@step("assistance_clients")
def create_assistance_clients(ctx: Context) -> None:
    """Personal-assistance clients, each with a team of their own; ended cases leave an inactive team."""
    d, plan, rng = ctx.current, ctx.plan.district, ctx.rng
    total = plan.assistance_clients + plan.ended_assistance_clients
    ended = [False] * plan.assistance_clients + [True] * plan.ended_assistance_clients
    children = plan.provider_children()[ASSISTANCE]
    groups = _shuffled(rng, {CHILDREN: children, ADULTS: plan.assistance_clients - children})
    groups += [CHILDREN if rng.random() < 0.3 else ADULTS for _ in range(plan.ended_assistance_clients)]
    protected = _protected_flags(rng, plan.assistance_clients) + [False] * plan.ended_assistance_clients
    for i in range(total):
        # The team is named for the client (by initials), so it is made before the client.
        identity = _identity(rng)
        initials = identity[1][0] + identity[2][0]
        name, n = f"Assistans {initials}", 1
        while name in d.teams:
            n += 1
            name = f"Assistans {initials} {n}"
        team = core_services.team_create(actor=SYSTEM, unit=d.provider, name=name, kind=Team.Kind.ASSISTANCE)
        d.teams[name] = team
        d.groups.setdefault(ASSISTANCE, []).append(team)
        demo = _new_client(
            ctx,
            group=groups[i],
            service=ASSISTANCE,
            team=team,
            ended=ended[i],
            protected=protected[i],
            identity=identity,
        )
        if demo.until is not None:
            core_services.team_update(actor=SYSTEM, team=team, is_active=False)
            team.is_active = False  # keep the shared object in step with the database


@step("provider_staff")
def create_provider_staff(ctx: Context) -> None:
    """Assistants in each active assistance team (8–12 at size 1); ledsagare and avlösare in their groups;
    staff who left during the years. Everyone employed today has a `medarbetare` account."""
    d, plan, rng = ctx.current, ctx.plan.district, ctx.rng
    active_teams = [t for t in d.groups.get(ASSISTANCE, []) if t.is_active]
    field_staff = plan.provider_staff - plan.provider_managers
    sizes = [rng.randint(plan.team_size_min, plan.team_size_max) for _ in active_teams]
    groups = d.groups[ESCORT] + d.groups[RESPITE]
    others = max(len(groups), field_staff - sum(sizes))
    weights = [plan.escort_clients / len(d.groups[ESCORT])] * len(d.groups[ESCORT]) + [plan.respite_clients]
    placements = list(groups) + rng.choices(groups, weights=weights, k=others - len(groups))
    kinds = list(EmploymentType.values)  # tillsvidare, vikariat, timavlönad, allmän visstid
    cases = {demo.team.pk: demo for demo in d.clients if demo.service == ASSISTANCE and demo.team is not None}

    def employment_type(team: Team, current: bool) -> str:
        weights = TEAM_KINDS if team.pk in cases else GROUP_KINDS
        return rng.choices(kinds, weights=weights["current" if current else "ended"])[0]

    # A case's team has its posts since the case began: the part of a post before today's holder came is a
    # vacancy (team pk -> [first day, last day] per post) that one who left had held.
    vacancies: dict[int, list[list[datetime.date]]] = defaultdict(list)
    for team, size in zip(active_teams, sizes, strict=True):
        monthly = 0
        for member in range(size):
            case = cases.get(team.pk)
            kind = employment_type(team, True)
            if member == size - 1 and not monthly:
                kind = EmploymentType.PERMANENT  # every team has a monthly-paid core, however small
            monthly += kind != EmploymentType.HOURLY_PAID
            holder = _provider_employee(ctx, [team], kind, case=case)
            if case is not None and holder.employee.start_date - case.since > POST_GAP:
                vacancies[team.pk].append([case.since, holder.employee.start_date - datetime.timedelta(days=1)])
    for team in placements:
        kind = employment_type(team, True)
        teams = [team]
        if kind == EmploymentType.HOURLY_PAID and len(groups) > 1 and rng.random() < 0.3:
            teams.append(rng.choice([g for g in groups if g is not team]))
        _provider_employee(ctx, teams, kind)
    # Those who left worked where the staff are, and in the teams of ended assistance cases.
    former_teams = [demo.teams[0] for demo in d.employees if demo.teams and demo.employee.unit_id == d.provider.pk]
    for team in d.groups.get(ASSISTANCE, []):
        if not team.is_active:
            former_teams += [team] * plan.team_size_max
    leavers: list[_Leaver] = []
    for _ in range(plan.ended_provider_staff):
        team = rng.choice(former_teams)
        post = max(vacancies.get(team.pk, []), key=lambda gap: gap[1] - gap[0], default=None)
        period = None
        if post is not None and post[1] - post[0] > POST_GAP:
            # The leaver held the post until today's holder came; before them, the post may have been vacant.
            first = post[0] + datetime.timedelta(days=rng.randint(0, 30))
            period = (first, post[1] - datetime.timedelta(days=rng.randint(0, 14)))
            post[1] = first - datetime.timedelta(days=1)
        kind = employment_type(team, False)
        person, start, end = _provider_person(ctx, kind, ended=True, case=cases.get(team.pk), period=period)
        assert end is not None  # one who left has a last day
        leavers.append(_Leaver(team, kind, person, start, end, _employment_rate(rng, kind)))
    _staffing_strategy(ctx, leavers)
    for leaver in leavers:
        _new_employee(
            ctx,
            unit=d.provider,
            teams=[leaver.team],
            employment_type=leaver.kind,
            start=leaver.start,
            end=leaver.end,
            role_code=None,
            person=leaver.person,
            rate=leaver.rate,
        )


@dataclass
class _Leaver:
    """A field employee who left during the history, before they are created (the staffing strategy may move
    their last day)."""

    team: Team
    kind: str
    person: tuple[str, str, str, str]
    start: datetime.date
    end: datetime.date
    rate: Decimal

    def monthly_on(self, day: datetime.date) -> Decimal:
        """Their monthly-paid posts (full-time equivalents) on `day`."""
        employed = self.start <= day <= self.end and self.kind != EmploymentType.HOURLY_PAID
        return self.rate / 100 if employed else Decimal(0)


def _staffing_strategy(ctx: Context, leavers: list[_Leaver]) -> None:
    """Seed 002's staffing strategy in the last full year: when a personal-assistance case ends, the unit's
    monthly-paid staff are cut to the decisions that remain within a month ("personal schemaläggs inte längre
    för fler timmar än vad besluten genererar intäkter för"; the assistance cases went from 13 to 10). The case
    carried its share of the monthly-paid posts of the unit's field staff (the posts of the day divided by the
    cases running); its own team leaves with it (`_employment_period`), and as many of the monthly-paid staff of
    the other teams and groups who covered it (those who would have left later) leave within a month of its end
    as make up that share. Earlier years keep the turnover the draws give."""
    d, rng = ctx.current, ctx.rng
    year = ctx.today.year - 1
    assistance = [c for c in d.clients if c.service == ASSISTANCE]
    ending = sorted(
        (c for c in assistance if c.until is not None and c.until.year == year), key=lambda c: (c.until, c.client.pk)
    )
    current = [
        demo.employee
        for demo in d.employees
        if demo.teams and demo.employee.unit_id == d.provider.pk and demo.employee.end_date is None
    ]
    for case in ending:
        day = cast(datetime.date, case.until)
        within = day + datetime.timedelta(days=30)
        running = sum(1 for c in assistance if c.since <= day and (c.until is None or c.until >= day))
        posts = sum(
            (
                e.employment_rate / 100
                for e in current
                if e.start_date <= day and e.employment_type != EmploymentType.HOURLY_PAID
            ),
            Decimal(0),
        ) + sum((leaver.monthly_on(day) for leaver in leavers), Decimal(0))
        share = posts / max(1, running)
        gone = sum((leaver.monthly_on(day) for leaver in leavers if leaver.end <= within), Decimal(0))
        staying = [leaver for leaver in leavers if leaver.monthly_on(day) and leaver.end > within]
        rng.shuffle(staying)
        for leaver in staying:
            if gone >= share:
                break
            leaver.end = day + datetime.timedelta(days=rng.randint(1, 30))
            gone += leaver.monthly_on(day)


def _employment_rate(rng: random.Random, kind: str) -> Decimal:
    """A new employee's employment rate (per cent): hourly-paid none, most others full time (heltid som norm)."""
    if kind == EmploymentType.HOURLY_PAID:
        return Decimal("0")
    if rng.random() < 0.6:
        return Decimal("100")
    return Decimal(rng.choice((75, 80, 85, 90, 95)))


def _provider_person(
    ctx: Context,
    kind: str,
    ended: bool = False,
    case: DemoClient | None = None,
    period: tuple[datetime.date, datetime.date] | None = None,
) -> tuple[tuple[str, str, str, str], datetime.date, datetime.date | None]:
    """A field employee's person and employment: in a personal-assistance team (`case`), employed while the
    case runs, or for the `period` of the post they held (if they were of age then)."""
    person = (
        _person(ctx, 0.7, 0.28, 19, 35)
        if kind == EmploymentType.HOURLY_PAID and ctx.rng.random() < 0.7
        else _person(ctx, 0.7, 0.28, 19, 66)
    )
    end: datetime.date | None
    if period is not None and period[0] >= ids.add_years(_birth_date(person[3]), 18):
        start, end = period
    else:
        start, end = _employment_period(ctx, kind, _birth_date(person[3]), ended, case)
    return person, start, end


def _provider_employee(
    ctx: Context,
    teams: list[Team],
    kind: str,
    case: DemoClient | None = None,
) -> DemoEmployee:
    """A field employee employed today (`_provider_person`)."""
    person, start, end = _provider_person(ctx, kind, case=case)
    return _new_employee(
        ctx,
        unit=ctx.current.provider,
        teams=teams,
        employment_type=kind,
        start=start,
        end=end,
        role_code=RoleCode.EMPLOYEE,
        person=person,
    )


@step("provider_group_clients")
def create_provider_group_clients(ctx: Context) -> None:
    """Ledsagning, avlösning and kontaktperson clients in their groups, current and ended."""
    d, plan, rng = ctx.current, ctx.plan.district, ctx.rng
    children = plan.provider_children()
    counts = {ESCORT: plan.escort_clients, RESPITE: plan.respite_clients, CONTACT_PERSON: plan.contact_person_clients}
    current: list[tuple[str, str]] = []
    for service, n in counts.items():
        groups = _shuffled(rng, {CHILDREN: children[service], ADULTS: n - children[service]})
        current += [(service, group) for group in groups]
    protected = _protected_flags(rng, len(current))
    for (service, group), is_protected in zip(current, protected, strict=True):
        _new_client(
            ctx, group=group, service=service, team=rng.choice(d.groups[service]), ended=False, protected=is_protected
        )
    services = list(counts)
    for _ in range(plan.ended_provider_clients):
        service = rng.choices(services, weights=list(counts.values()))[0]
        group = CHILDREN if rng.random() < children[service] / max(1, counts[service]) else ADULTS
        _new_client(ctx, group=group, service=service, team=rng.choice(d.groups[service]), ended=True, protected=False)


@step("case_officers")
def create_case_officers(ctx: Context) -> None:
    """Biståndshandläggare of the purchaser unit, in casework groups by the groups' share of clients."""
    d, plan, rng = ctx.current, ctx.plan.district, ctx.rng
    total_weight = sum(PURCHASER_GROUP_WEIGHTS.values())
    per_group = {
        group: max(1, round(plan.case_officers * weight / total_weight))
        for group, weight in PURCHASER_GROUP_WEIGHTS.items()
        if group != ADULTS
    }
    per_group[ADULTS] = max(1, plan.case_officers - sum(per_group.values()))
    for group, n in per_group.items():
        for _ in range(n):
            kind = EmploymentType.PERMANENT if rng.random() < 0.85 else EmploymentType.SUBSTITUTE
            person = _person(ctx, 0.8, 0.19, 25, 64)
            start, end = _employment_period(ctx, kind, _birth_date(person[3]), ended=False)
            _new_employee(
                ctx,
                unit=d.purchaser,
                teams=d.groups[group],
                employment_type=kind,
                start=start,
                end=end,
                role_code=RoleCode.CASE_OFFICER,
                person=person,
            )
    for _ in range(plan.ended_case_officers):
        kind = EmploymentType.PERMANENT if rng.random() < 0.6 else EmploymentType.SUBSTITUTE
        person = _person(ctx, 0.8, 0.19, 25, 64)
        start, end = _employment_period(ctx, kind, _birth_date(person[3]), ended=True)
        group = rng.choice(list(PURCHASER_GROUP_WEIGHTS))
        _new_employee(
            ctx,
            unit=d.purchaser,
            teams=d.groups[group],
            employment_type=kind,
            start=start,
            end=end,
            role_code=None,
            person=person,
        )


@step("purchaser_clients")
def create_purchaser_clients(ctx: Context) -> None:
    """The purchaser's other clients, so that its current clients per group match the plan; and ended ones."""
    d, plan, rng = ctx.current, ctx.plan.district, ctx.rng
    have = {
        group: sum(1 for c in d.clients if c.group == group and c.until is None) for group in PURCHASER_GROUP_WEIGHTS
    }
    wanted = {CHILDREN: plan.purchaser_children, ADULTS: plan.purchaser_adults, PSYCHIATRY: plan.purchaser_psychiatry}
    groups = _shuffled(rng, {group: max(0, wanted[group] - have[group]) for group in wanted})
    protected = _protected_flags(rng, len(groups))
    for group, is_protected in zip(groups, protected, strict=True):
        _new_client(ctx, group=group, service=None, team=None, ended=False, protected=is_protected)
    for _ in range(plan.ended_purchaser_clients):
        group = rng.choices(list(PURCHASER_GROUP_WEIGHTS), weights=list(PURCHASER_GROUP_WEIGHTS.values()))[0]
        _new_client(ctx, group=group, service=None, team=None, ended=True, protected=False)


@step("district_roles")
def create_district_roles(ctx: Context) -> None:
    """A controller and a systemförvaltare for the whole district (membership without a unit)."""
    d = ctx.current
    for base, role_code, label in (
        ("controller", RoleCode.CONTROLLER, "Controller"),
        ("forvaltare", RoleCode.SYSTEM_ADMINISTRATOR, "Systemförvaltare"),
    ):
        _gender, first, last = _identity(ctx.rng, 0.5, 0.5)
        username = _role_username(ctx, base)
        user = _create_user(ctx, username, first, last)
        _grant(ctx, user, role_code, None, ctx.window_start)
        ctx.logins.append(Login(username, label, f"hela {d.district.name}"))


@step("protected_access")
def grant_protected_access(ctx: Context) -> None:
    """The unit managers join their unit's access group for clients with protected identity."""
    d = ctx.current
    protected = [c for c in d.clients if c.client.protected_identity]
    if any(c.service for c in protected):
        client_services.protected_access_grant(actor=SYSTEM, unit=d.provider, user=d.managers["provider"])
    if protected:
        client_services.protected_access_grant(actor=SYSTEM, unit=d.purchaser, user=d.managers["purchaser"])


# --- Reporting -----------------------------------------------------------------------------------------


def record_counts(today: datetime.date | None = None) -> dict[str, int]:
    """How many records of each kind the database holds (for the command's summary and the benchmark)."""
    day = today or timezone.localdate()
    employed = Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
    return {
        "districts": District.objects.count(),
        "units": Unit.objects.count(),
        "teams": Team.objects.count(),
        "clients": Client.objects.count(),
        "clients_active": Client.objects.filter(is_active=True).count(),
        "clients_protected": Client.objects.filter(protected_identity=True).count(),
        "client_unit_links": ClientUnit.objects.count(),
        "contacts": ClientContact.objects.count(),
        "employees": Employee.objects.count(),
        "employees_current": Employee.objects.filter(employed).count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }
