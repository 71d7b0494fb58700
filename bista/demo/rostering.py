"""Demo history of staff and rostering (issue 5): employment terms, competences, delegations, introductions,
appraisals, what clients ask of their staff, staffing needs, absences and ten years of shifts.

For each provider unit, over the demo window (`ctx.window_start` … `ctx.today`):

- **Employment terms** for every employee of the district: regime AB with Bilaga J for the staff of a
  personal-assistance team, AB for everyone else. The last term is the employee's current type and rate;
  some permanent staff started as substitutes or hourly-paid or at a lower rate (heltidsresan), and a
  substitute's employment is a chain of contract periods; a monthly-paid employee who began in the last full
  year (seed 002's staffing strategy) worked by the hour until the new year. Terms change on the first of a
  month.
- **Competences** with evidence, acquired before the first day: each assistance client's needs are known
  by the client's team and by those who may fill in there (about a third of the hourly-paid staff and a
  few ledsagare/avlösare); about half of a group knows what its clients need. **Delegations** (one year,
  renewed without a gap, revoked when the employee or the client leaves) for a client's required
  delegation to the same people, and for medication to many assistants; a few expire within 30 days today
  and one ran out a few weeks ago without renewal, so "Att göra" shows them. **Appraisals** about yearly
  (the last one within the year), a few overdue.
- **The client's word**: each assistance client has chosen most of their team; some clients have excluded
  an employee (one of them a former assistant). **Competence needs** of assistance clients (epilepsy,
  lifting, autism …; insulin or tube feeding as a delegation) and of a few ledsagning/avlösning clients.
- **Needs**: the personal-assistance orders become need patterns sized to the decision: a decision of at
  least a day and night (168 h a week) gives 07–15, 15–22 and 22–07 every day (the night as jour or as
  active time, per client) and a second assistant 07–09 and/or 20–22 when the decision pays for it; a
  smaller decision gives day patterns within its hours (never more than the decision grants, a daylight-
  saving night included; the last night is not worked past the decision's end). The patterns run from
  execution (a reassessment: from receipt) to the order's end, and no shift is worked while the order is
  interrupted. Ledsagning, avlösning and kontaktperson orders get booked occasions: a weekly (or
  fortnightly) booking of 2–5 hours that stays within the granted hours in every week, month and period of
  14 days or more, in the order's period but not its first and last week, up to six weeks ahead; some
  cancelled.
- **Absences**: 4–5 weeks of summer vacation, some parental leave, sick-leave episodes (most 1–5 days, some
  15–150 days; about 6–8 % of scheduled hours, days 1–14 about 3 %, women somewhat higher, slowly falling)
  and a few days of care of a sick child. One employee fell ill two days ago and is still sick.
- **Shifts**, month by month: every need slot and booked occasion goes to someone who may take it without
  breaking a rule (employment dates, planned absences, the client's competences, delegations and
  exclusions, no overlap, 11 h daily rest with passes within the regime's limit, 36 h weekly rest in every
  calendar week, at most 46 h in a week and 48 h a week on average over a month, overtime well under 200 h a
  year). Own team first, the hours spread so that each regular employee gets the same share of their
  contract (rate) and nobody more than the contract, monthly-paid ledsagare/avlösare before hourly-paid
  staff at an assistance client; hourly-paid staff take a share of the hours, 25 % until the staffing
  strategy of the last full year and falling through it to 19 % (more in the summer), and fill what the
  others cannot; when nobody else can, a colleague works overtime. A ledsagning or avlösning client keeps the
  same one or two staff where possible. A shift that falls in a sick episode is `absent` (linked to the absence) and a
  replacement shift (`replaces=`) goes to someone else: mostly hourly-paid staff, else a colleague, for
  whom the extra pass is overtime if they work full time (beyond their schedule, AB) or beyond their
  contract. Past shifts are `worked`, those from today to the end of next week `published` (an uncovered
  one stays open, as do this week's replacements for the employee who is sick today); later weeks are left
  for the optimiser. Kontaktpersoner are commissioned laypeople, not employees: their occasions have no
  shifts. Everyone who works at a client has an introduction there, before the first shift.

How full the contracts are is decided by the data the earlier steps made, not here: at size 1 the unit has
about 240 staff, most of the ledsagare/avlösare and half of the assistants hourly-paid (generator's
TEAM_KINDS, GROUP_KINDS), and an assistance team's posts are held in turn since the case began, so the
monthly-paid staff's contracts are about what the decisions need beyond the hourly-paid share; the staff of
the first years are fewer than the clients then, so some early needs stay uncovered (nobody to work them).

Why not through the services
----------------------------
The care and quality steps write every record through the services, each with its audit event (about
30,000 events; some 5 ms of CPU a write). This history is of another order: at size 1 some 65,000–100,000
shifts (depending on the hours the assistance decisions grant), 50,000 booked occasions and 4,500
absences. Through `shift_create` each shift would also be rule-checked against its neighbours: a quarter
of an hour or more of generation, and 150,000 audit events that say nothing anyone entered. So these rows
are *generated history*, not registrations: consistent by construction (the checks above; the tests run
`rules.check_roster` over samples through the loaders), written in batches, and each step records one
summary audit event (action `demo.history`, the unit, the counts) so the log shows where they came from.
The small tables go through `bulk_create`; shifts and occasions through `RowWriter` (plain `executemany`:
`bulk_create` spent three quarters of the step building and adapting model instances). Memory stays flat:
the shifts are made one month at a time for the whole unit (an assistant may work at several clients) and
only the last week of each person's shifts is kept for the rest rules. At size 1 the five steps take about
6 s of CPU (the unit demo's other steps about 95 s).

Each step draws from its own random stream (see bista.demo.generator): same arguments and `today`, same data.
"""

from __future__ import annotations

import bisect
import calendar
import datetime
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

from bista.care.models import Order, OrderEvent
from bista.core import audit
from bista.core.access import SYSTEM
from bista.core.clock import STOCKHOLM
from bista.core.deadlines import add_months
from bista.core.models import Membership
from bista.core.permissions import RoleCode
from bista.demo import care as _care
from bista.demo import identities as ids
from bista.demo import names, texts
from bista.demo.generator import (
    ASSISTANCE,
    CONTACT_PERSON,
    ESCORT,
    RESPITE,
    Context,
    DemoClient,
    DemoEmployee,
    DistrictData,
    step,
)
from bista.rostering.models import BookedOccasion, NeedPattern, Shift, ShiftKind
from bista.staff.models import (
    Absence,
    Appraisal,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Competence,
    Delegation,
    DelegationKind,
    Employee,
    EmployeeCompetence,
    EmploymentTerm,
    EmploymentType,
    Introduction,
    WorkingTimeRegime,
)

DAY = datetime.timedelta(days=1)
HOUR = 3600.0
BATCH = 2000  # rows per bulk_create call (SQLite splits further by its variable limit)

ASSISTANCE_REGIME = "ab_bilaga_j"
OTHER_REGIME = "ab"

# --- The rules the generated roster keeps (the regimes' limits, with margins) -------------------------------

DAILY_REST = 11 * HOUR
WEEKLY_REST = 36 * HOUR
MAX_MERGED_PASS = 15 * HOUR  # a work period of several shifts (e.g. 07–15 and 15–22) under Bilaga J
MAX_PASS_AB = 13 * HOUR  # AB: 11 h daily rest leaves at most 13 h
WEEK_CAP = 46 * HOUR  # work in a calendar week (48 h is the 4-month average; kept below in every week)
MONTH_MARGIN_HOURS = 12.0  # a month's work stays 12 h below 48 h × weeks (a night at each edge)
OVERTIME_YEAR_CAP = 150.0  # well under the 200 h a year
OVERTIME_MONTH_CAP = 24.0
LONGEST_SHIFT = 24 * HOUR  # for finding the shifts that reach into a week

# The share of worked hours by hourly-paid staff the unit aims at: 25 % until the staffing strategy of the last
# full year (seed 002's bemanningsstrategi: the monthly-paid staff scheduled to their contracted hours before
# hourly-paid staff are called in), falling through that year to 19 % (the VP target, seed 000); a few points
# more in the summer when the regular staff are on leave.
HOURLY_SHARE_START = 0.25
HOURLY_SHARE_TODAY = 0.19
HOURLY_SHARE_SUMMER = 0.05

REPLACEMENT_HOURLY = 0.75  # the share of sick shifts replaced by hourly-paid staff first

OCCASION_WEEKS_AHEAD = 6
EDGE_DAYS = 7  # no occasion in an order's first and last week (see _booking)
EXCLUSION_LEAD_DAYS = 42  # an employee a client excludes has not worked there for six weeks before
PUBLISHED_WEEKS = 2  # this week and next are published; later ones are left for the optimiser

# Sick leave per employee and year (seeds: about 7–9 % in total, days 1–14 about 3 %, women higher).
SHORT_SICK_PER_YEAR = {"K": 3.0, "M": 2.4}
SHORT_SICK_LENGTHS = (1, 2, 3, 4, 5)
SHORT_SICK_WEIGHTS = (30, 25, 20, 15, 10)
LONG_SICK_PER_YEAR = {"K": 0.4, "M": 0.28}
LONG_SICK_DAYS = (15, 45, 150)  # at least, on average beyond the least, at most
SICK_TREND = (1.1, 0.9)  # factor at the start of the history and today: sick leave falls slowly
HOURLY_SICK_FACTOR = 0.6
CHILD_CARE_PER_YEAR = 0.8  # vård av barn, for employees aged 25–45
PARENTAL_PER_YEAR = 0.03

# --- Texts -----------------------------------------------------------------------------------------------

# The Swedish sample texts are data: bista/demo/texts/rostering.toml (see bista.demo.texts).
TEXTS = "rostering"
COMPETENCE_EVIDENCE: dict[str, tuple[str, ...]] = texts.mapping(TEXTS, "competence_evidence")
# How often each competence is among an assistance client's needs.
ASSISTANCE_NEEDS = {"epilepsi": 0.4, "lyft": 0.45, "autism": 0.25, "lagaffektivt": 0.25, "akk": 0.15}
GROUP_NEEDS = {ESCORT: ("autism", "lagaffektivt", "korkort"), RESPITE: ("autism", "lagaffektivt", "epilepsi")}

DEVELOPMENT_PLANS = texts.strings(TEXTS, "development_plans")
EXCLUSION_NOTES = texts.strings(TEXTS, "exclusion_notes")
NURSES = texts.strings(TEXTS, "nurses")


# --- Small helpers ---------------------------------------------------------------------------------------


def _bulk(model: type[Model], rows: Sequence[Model]) -> list[Any]:
    """Insert `rows` in batches (the primary keys are set on the objects, SQLite and PostgreSQL alike)."""
    created: list[Any] = []
    for i in range(0, len(rows), BATCH):
        created += model._default_manager.bulk_create(rows[i : i + BATCH])
    return created


def record_history(ctx: Context, step_name: str, counts: dict[str, int]) -> None:
    """One audit event for a step's generated rows (see the module's note on bulk_create)."""
    d = ctx.current
    audit.record(
        actor=SYSTEM, action="demo.history", obj=d.provider, new={"step": step_name, **counts}, unit=d.provider
    )


class RowWriter:
    """Inserts generated rows of one model with `executemany`, numbering them itself.

    Django's bulk_create spends some 20 µs a row building and adapting model instances (70 % of this step
    for 250,000 rows); shifts and booked occasions are therefore written as plain tuples in the columns'
    order. The ids are taken from the table's maximum (the demo runs alone on its database, in one
    transaction), so a shift can point to its occasion or to the shift it replaces before either is
    written; PostgreSQL's sequence is moved past them at the end. The column list is checked against the
    model, so a changed schema fails here rather than writing wrong rows.
    """

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        concrete = {f.attname: f for f in model._meta.concrete_fields}
        if set(fields) != set(concrete) or len(fields) != len(concrete):
            raise RuntimeError(f"{model.__name__}: the demo writes {sorted(fields)}, the model has {sorted(concrete)}")
        quote = connection.ops.quote_name
        columns = ", ".join(quote(concrete[name].column) for name in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.model = model
        # Table and column names come from the model's metadata (quoted); the values are parameters.
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.next_id = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []

    def finish(self) -> None:
        self.flush()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cursor.execute(sql)


class DbTime:
    """Epoch seconds as the database stores an aware datetime (checked against Django's own adaptation)."""

    def __init__(self) -> None:
        self.sqlite = connection.vendor == "sqlite"
        probe = datetime.datetime(2024, 10, 27, 1, 30, 15, tzinfo=datetime.UTC)
        if self.sqlite and connection.ops.adapt_datetimefield_value(probe) != self(probe.timestamp()):
            self.sqlite = False  # unexpected storage: let the driver adapt aware datetimes

    def __call__(self, moment: float) -> Any:
        value = datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)
        return str(value.replace(tzinfo=None)) if self.sqlite else value

    def now(self) -> Any:
        return connection.ops.adapt_datetimefield_value(datetime.datetime.now(tz=datetime.UTC))


SHIFT_FIELDS = (
    "id",
    "unit_id",
    "client_id",
    "employee_id",
    "starts_at",
    "ends_at",
    "kind",
    "status",
    "is_overtime",
    "is_hourly_paid",
    "absence_id",
    "replaces_id",
    "job_id",
    "need_pattern_id",
    "booked_occasion_id",
    "exception_id",
    "note",
    "created_by_id",
    "created_at",
    "updated_at",
    "version",
)
OCCASION_FIELDS = (
    "id",
    "client_id",
    "order_id",
    "starts_at",
    "ends_at",
    "staff_count",
    "note",
    "recorded_by_id",
    "recorded_at",
    "cancelled_at",
)


def _employed(employee: Employee, day: datetime.date) -> bool:
    return employee.start_date <= day and (employee.end_date is None or employee.end_date >= day)


def _birth_date(employee: Employee) -> datetime.date | None:
    pnr = employee.personnummer
    return datetime.date(int(pnr[:4]), int(pnr[4:6]), int(pnr[6:8])) if len(pnr) == 12 else None


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _first_of_month_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date | None:
    """A first day of a month in `first` … `last`, or None if there is none."""
    candidate = _month_start(first) if first.day == 1 else add_months_first(first)
    options = []
    while candidate <= last:
        options.append(candidate)
        candidate = add_months_first(candidate)
    return rng.choice(options) if options else None


def add_months_first(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s month."""
    return _month_end(day) + DAY


def _service_of(code: str) -> str | None:
    """The provider service (assistance, escort …) of a service row code (LSS or SoL)."""
    for service, (lss, sol_suffix, _share) in _care.SERVICE_ROWS.items():
        if code == lss or (sol_suffix and code.endswith("_" + sol_suffix)):
            return service
    return None


def _team_services(d: DistrictData) -> dict[int, str]:
    return {
        team.pk: service
        for service, teams in d.groups.items()
        if service in (ASSISTANCE, ESCORT, RESPITE, CONTACT_PERSON)
        for team in teams
    }


def _field_staff(d: DistrictData) -> list[DemoEmployee]:
    """The provider's staff who work with clients (managers and administrators have no team)."""
    return [e for e in d.employees if e.employee.unit_id == d.provider.pk and e.teams]


def _home_service(demo: DemoEmployee, services: dict[int, str]) -> str | None:
    return services.get(demo.teams[0].pk) if demo.teams else None


def _provider_clients(d: DistrictData, *kinds: str) -> list[DemoClient]:
    return [c for c in d.clients if c.service in kinds and c.team is not None]


# --- Step 1: the client's word and the competences the client's needs require --------------------------------


@step("rostering.client_needs")
def create_client_needs(ctx: Context) -> None:
    """Competence and delegation needs, each assistance client's chosen staff, and a few exclusions."""
    d, rng = ctx.current, ctx.rng
    competences = {c.code: c for c in Competence.objects.all()}
    kinds = {k.code: k for k in DelegationKind.objects.all()}
    team_staff = _staff_by_team(d)
    needs: list[ClientCompetenceNeed] = []
    assistance = _provider_clients(d, ASSISTANCE)
    for i, demo in enumerate(assistance):
        codes = [code for code, share in ASSISTANCE_NEEDS.items() if rng.random() < share] or ["lyft"]
        if demo.client.language == names.SIGN_LANGUAGE:
            codes.append("teckensprak")
        delegation = "insulin" if i == 0 or rng.random() < 0.2 else "sondmatning" if rng.random() < 0.1 else None
        if delegation == "insulin":
            codes.append("diabetes")
        for code in codes:
            needs.append(_need(demo, competence=competences[code]))
        if delegation:
            needs.append(_need(demo, delegation_kind=kinds[delegation]))
    for demo in _provider_clients(d, ESCORT, RESPITE):
        assert demo.service is not None
        if demo.client.language == names.SIGN_LANGUAGE:
            needs.append(_need(demo, competence=competences["teckensprak"]))
        elif rng.random() < 0.15:
            needs.append(_need(demo, competence=competences[rng.choice(GROUP_NEEDS[demo.service])]))
    choices = _chosen_staff(rng, assistance, team_staff) + _exclusions(ctx, assistance, team_staff)
    _bulk(ClientCompetenceNeed, needs)
    _bulk(ClientStaffChoice, choices)
    record_history(ctx, "rostering.client_needs", {"competence_needs": len(needs), "staff_choices": len(choices)})


def _need(demo: DemoClient, **what: Any) -> ClientCompetenceNeed:
    return ClientCompetenceNeed(client=demo.client, since=demo.since, until=demo.until, **what)


def _staff_by_team(d: DistrictData) -> dict[int, list[DemoEmployee]]:
    staff: dict[int, list[DemoEmployee]] = defaultdict(list)
    for demo in _field_staff(d):
        for team in demo.teams:
            staff[team.pk].append(demo)
    return staff


def _overlap(
    a: tuple[datetime.date, datetime.date | None], b: tuple[datetime.date, datetime.date | None]
) -> tuple[datetime.date, datetime.date | None] | None:
    """The common part of two periods (None: open), or None if they do not meet."""
    start = max(a[0], b[0])
    ends = [end for end in (a[1], b[1]) if end is not None]
    end = min(ends) if ends else None
    return (start, end) if end is None or end >= start else None


def _chosen_staff(
    rng: random.Random, assistance: list[DemoClient], team_staff: dict[int, list[DemoEmployee]]
) -> list[ClientStaffChoice]:
    """Most of each assistance client's team is chosen by the client, while both are there."""
    rows = []
    for demo in assistance:
        assert demo.team is not None
        for staff in team_staff.get(demo.team.pk, []):
            employee = staff.employee
            common = _overlap((demo.since, demo.until), (employee.start_date, employee.end_date))
            if common is None or rng.random() > 0.8:
                continue
            rows.append(
                ClientStaffChoice(
                    client=demo.client,
                    employee=employee,
                    kind=ClientStaffChoice.Kind.CHOSEN,
                    since=common[0],
                    until=common[1],
                )
            )
    return rows


def _exclusions(
    ctx: Context, assistance: list[DemoClient], team_staff: dict[int, list[DemoEmployee]]
) -> list[ClientStaffChoice]:
    """Staff a client does not want: mostly someone from outside the team, once a former assistant of theirs."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    rows: list[ClientStaffChoice] = []
    clients = [c for c in assistance if c.until is None] or assistance
    if not clients:
        return rows
    services = _team_services(d)
    # Those who might otherwise come: hourly-paid staff and other teams' assistants.
    staff = sorted(
        (
            e
            for e in _field_staff(d)
            if e.employee.employment_type == EmploymentType.HOURLY_PAID or _home_service(e, services) == ASSISTANCE
        ),
        key=lambda e: e.employee.pk,
    )
    for n in range(ctx.plan.district.staff_exclusions):
        demo = clients[n % len(clients)]
        assert demo.team is not None
        own = {e.employee.pk for e in team_staff.get(demo.team.pk, [])}
        former_assistant = n == 0
        pool = [e for e in staff if (e.employee.pk in own) == former_assistant]
        rng.shuffle(pool)
        for candidate in pool:
            employee = candidate.employee
            common = _overlap((demo.since, demo.until), (employee.start_date, employee.end_date))
            if common is None or any(r.employee_id == employee.pk and r.client_id == demo.client.pk for r in rows):
                continue
            last = min(common[1] or today, today)
            if (last - common[0]).days < 60:
                continue
            since = ids.random_date(rng, common[0] + datetime.timedelta(days=30), last)
            if former_assistant:
                # The client's choice of this assistant ends and the exclusion begins the next day.
                rows.append(
                    ClientStaffChoice(
                        client=demo.client,
                        employee=employee,
                        kind=ClientStaffChoice.Kind.CHOSEN,
                        since=common[0],
                        until=since - DAY,
                    )
                )
            rows.append(
                ClientStaffChoice(
                    client=demo.client,
                    employee=employee,
                    kind=ClientStaffChoice.Kind.EXCLUDED,
                    since=since,
                    until=demo.until,
                    note=rng.choice(EXCLUSION_NOTES),
                )
            )
            break
    return rows


# --- Step 2: terms, competences, delegations and appraisals -------------------------------------------------


@step("rostering.staff_details")
def create_staff_details(ctx: Context) -> None:
    """Employment terms of every employee, competences, delegations and yearly appraisals."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    services = _team_services(d)
    regimes = {r.code: r for r in WorkingTimeRegime.objects.order_by("valid_from")}  # the latest version per code
    terms: list[EmploymentTerm] = []
    for demo in d.employees:
        regime = regimes[ASSISTANCE_REGIME if _home_service(demo, services) == ASSISTANCE else OTHER_REGIME]
        for kind, rate, start, end, note in _term_phases(rng, demo.employee, today):
            terms.append(
                EmploymentTerm(
                    employee=demo.employee,
                    employment_type=kind,
                    employment_rate=rate,
                    regime=regime,
                    starts_on=start,
                    ends_on=end,
                    note=note,
                )
            )
    covering = _covering_staff(ctx, services)
    competences = _competences(ctx, services, covering)
    delegations = _delegations(ctx, services, covering)
    appraisals = _appraisals(ctx, services)
    _bulk(EmploymentTerm, terms)
    _bulk(EmployeeCompetence, competences)
    _bulk(Delegation, delegations)
    _bulk(Appraisal, appraisals)
    record_history(
        ctx,
        "rostering.staff_details",
        {
            "terms": len(terms),
            "competences": len(competences),
            "delegations": len(delegations),
            "appraisals": len(appraisals),
        },
    )


TermPhase = tuple[str, Decimal, datetime.date, datetime.date | None, str]


def _term_phases(rng: random.Random, employee: Employee, today: datetime.date) -> list[TermPhase]:
    """The employee's terms, the last one with the current type and rate; changes on the first of a month."""
    kind, rate = employee.employment_type, Decimal(employee.employment_rate)
    start, end = employee.start_date, employee.end_date
    review = datetime.date(today.year, 1, 1)  # the staffing strategy's year ends (see _STRATEGY_HIRES)
    if (
        kind != EmploymentType.HOURLY_PAID
        and start.year == today.year - 1
        and (end is None or end >= review + datetime.timedelta(days=60))
    ):
        later = _term_phases(rng, _starting(employee, review), today)
        return [(EmploymentType.HOURLY_PAID, Decimal("0"), start, review - DAY, _STRATEGY_HIRES), *later]
    if kind == EmploymentType.SUBSTITUTE:
        return _contract_periods(rng, rate, start, end)
    if kind != EmploymentType.PERMANENT:
        return [(kind, rate, start, end, "")]
    last = min(end or today, today) - datetime.timedelta(days=60)
    change = _first_of_month_between(rng, start + datetime.timedelta(days=120), last)
    draw = rng.random()
    if change is None or draw > 0.5:
        return [(kind, rate, start, end, "")]
    if draw < 0.2:
        earlier: TermPhase = (
            EmploymentType.SUBSTITUTE,
            rate,
            start,
            change - DAY,
            "Vikariat före tillsvidareanställning",
        )
    elif draw < 0.3:
        earlier = (EmploymentType.HOURLY_PAID, Decimal("0"), start, change - DAY, "Timavlönad före anställningen")
    else:
        lower = max(Decimal("50"), rate - Decimal(rng.choice((10, 15, 20, 25))))
        if lower == rate:
            return [(kind, rate, start, end, "")]
        earlier = (kind, lower, start, change - DAY, "")
    note = "Höjd tjänstgöringsgrad (heltid som norm)" if earlier[0] == kind else "Tillsvidareanställd"
    return [earlier, (kind, rate, change, end, note)]


# Seed 002's staffing strategy in the last full year: the posts the ended assistance cases freed are not filled
# with monthly-paid staff again; whoever the unit takes on that year works by the hour until the new year.
_STRATEGY_HIRES = "Timavlönad under bemanningsstrategin"


def _starting(employee: Employee, day: datetime.date) -> Employee:
    """A copy of `employee` (not saved) whose employment begins on `day`, for the terms from then on."""
    copy = Employee(
        pk=employee.pk,
        employment_type=employee.employment_type,
        employment_rate=employee.employment_rate,
        start_date=day,
        end_date=employee.end_date,
    )
    return copy


def _contract_periods(
    rng: random.Random, rate: Decimal, start: datetime.date, end: datetime.date | None
) -> list[TermPhase]:
    """A substitute's consecutive contract periods of 3–12 months, the last ending with the employment."""
    phases: list[TermPhase] = []
    begin = start
    while True:
        until = add_months(begin, rng.choice((3, 6, 6, 12))) - DAY
        if end is None or until >= end - datetime.timedelta(days=30):
            phases.append((EmploymentType.SUBSTITUTE, rate, begin, end, "Vikariat"))
            return phases
        phases.append((EmploymentType.SUBSTITUTE, rate, begin, until, "Vikariat"))
        begin = until + DAY


def _client_needs(d: DistrictData) -> dict[int, list[ClientCompetenceNeed]]:
    needs: dict[int, list[ClientCompetenceNeed]] = defaultdict(list)
    client_ids = [c.client.pk for c in d.clients if c.service]
    for need in ClientCompetenceNeed.objects.filter(client_id__in=client_ids).select_related(
        "competence", "delegation_kind"
    ):
        needs[need.client_id].append(need)
    return needs


def _covering_staff(ctx: Context, services: dict[int, str]) -> dict[int, list[DemoEmployee]]:
    """Who is trained for each assistance client's needs: the client's team, about a third of the unit's
    hourly-paid staff and a few ledsagare/avlösare (vikarier who may fill the team's gaps)."""
    d, rng = ctx.current, ctx.rng
    staff_by_team = _staff_by_team(d)
    extra = [e for e in _field_staff(d) if _home_service(e, services) != ASSISTANCE]
    covering: dict[int, list[DemoEmployee]] = {}
    for demo in _provider_clients(d, ASSISTANCE):
        assert demo.team is not None
        team = staff_by_team.get(demo.team.pk, [])
        share = {True: 0.35, False: 0.08}
        others = [
            e
            for e in extra
            if rng.random() < share[e.employee.employment_type == EmploymentType.HOURLY_PAID] and e not in team
        ]
        covering[demo.client.pk] = team + others
    return covering


def _competences(
    ctx: Context, services: dict[int, str], covering: dict[int, list[DemoEmployee]]
) -> list[EmployeeCompetence]:
    """What each employee knows: what the clients they cover need, then some more; acquired by their first day."""
    d, rng = ctx.current, ctx.rng
    competences = {c.code: c for c in Competence.objects.all()}
    needs = _client_needs(d)
    required_by_team: dict[int, set[str]] = defaultdict(set)
    for client in d.clients:
        if client.team is not None and client.service != ASSISTANCE:
            required_by_team[client.team.pk] |= {
                n.competence.code for n in needs.get(client.client.pk, []) if n.competence is not None
            }
    required_by_employee: dict[int, set[str]] = defaultdict(set)
    for client_id, staff in covering.items():
        codes = {n.competence.code for n in needs.get(client_id, []) if n.competence is not None}
        for member in staff:
            required_by_employee[member.employee.pk] |= codes
    rows = []
    for demo in _field_staff(d):
        employee = demo.employee
        codes = set(required_by_employee.get(employee.pk, set()))
        for team in demo.teams:  # half of a group knows what some of its clients need; sign language is rarer
            required = required_by_team.get(team.pk, set())
            codes |= {c for c in sorted(required) if rng.random() < (0.3 if c == "teckensprak" else 0.55)}
        codes |= {c for c in ("autism", "lagaffektivt", "lyft", "korkort", "akk") if rng.random() < 0.15}
        for code in sorted(codes):
            rows.append(
                EmployeeCompetence(
                    employee=employee,
                    competence=competences[code],
                    evidence=rng.choice(COMPETENCE_EVIDENCE[code]),
                    acquired_on=employee.start_date - datetime.timedelta(days=rng.randint(0, 400)),
                )
            )
    return rows


def _delegations(ctx: Context, services: dict[int, str], covering: dict[int, list[DemoEmployee]]) -> list[Delegation]:
    """Yearly delegations, renewed without a gap while needed: for each required delegation of a client to
    the client's team, and for medication to many assistants. A few expire soon; one ran out unrenewed."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    kinds = {k.code: k for k in DelegationKind.objects.all()}
    needs = _client_needs(d)
    # (employee, kind, client or None, from, until): one chain each.
    chains: list[tuple[Employee, DelegationKind, DemoClient | None, datetime.date, datetime.date | None]] = []
    for demo in _provider_clients(d, ASSISTANCE):
        assert demo.team is not None
        for need in needs.get(demo.client.pk, []):
            if need.delegation_kind is None:
                continue
            for staff in covering.get(demo.client.pk, []):
                employee = staff.employee
                common = _overlap((need.since, need.until), (employee.start_date, employee.end_date))
                if common is not None:
                    chains.append((employee, need.delegation_kind, demo, common[0], common[1]))
    for staff in _field_staff(d):
        service = _home_service(staff, services)
        if rng.random() < {ASSISTANCE: 0.4, RESPITE: 0.2}.get(service or "", 0.0):
            employee = staff.employee
            first = employee.start_date + datetime.timedelta(days=rng.randint(0, 60))
            if employee.end_date is None or first <= employee.end_date:
                chains.append((employee, kinds["lakemedel"], None, first, employee.end_date))
    current = [
        i for i, chain in enumerate(chains) if chain[4] is None and chain[3] <= today - datetime.timedelta(days=60)
    ]
    rng.shuffle(current)
    plan = ctx.plan.district
    expired = set(current[: plan.expired_delegations])
    expiring = set(current[plan.expired_delegations : plan.expired_delegations + plan.expiring_delegations])
    rows: list[Delegation] = []
    for i, (employee, kind, client, first, last) in enumerate(chains):
        if i in expired:  # ran out a few weeks ago and was not renewed
            anchor = today - datetime.timedelta(days=rng.randint(5, 25))
            rows += _delegation_chain(rng, employee, kind, client, first, anchor, anchor, today, revoke=False)
        elif i in expiring:
            anchor = today + datetime.timedelta(days=rng.randint(3, 28))
            rows += _delegation_chain(rng, employee, kind, client, first, None, anchor, today)
        else:
            anchor = ids.random_date(rng, first, first + datetime.timedelta(days=364))
            rows += _delegation_chain(rng, employee, kind, client, first, last, anchor, today)
    return rows


def _delegation_chain(
    rng: random.Random,
    employee: Employee,
    kind: DelegationKind,
    demo: DemoClient | None,
    first: datetime.date,
    stop: datetime.date | None,
    anchor: datetime.date,
    today: datetime.date,
    *,
    revoke: bool = True,
) -> list[Delegation]:
    """Consecutive one-year delegations from `first` whose ends fall on `anchor`'s day of the year; the chain
    ends at `stop` (revoked the day after, when the employee or the client left, unless it simply ran out) or,
    with no stop, covers today."""
    nurse = f"Leg. sjuksköterska {rng.choice(NURSES)}"
    # The first end on or after `first` that is an anniversary of `anchor`.
    years = first.year - anchor.year - 1
    end = ids.add_years(anchor, years)
    while end < first:
        years += 1
        end = ids.add_years(anchor, years)
    rows = []
    begin = first
    while True:
        # Revoked the day after the stop, once that day has come (a fixed-term employee leaving next year still has it).
        revoked = stop + DAY if revoke and stop is not None and stop <= end and stop < today else None
        rows.append(
            Delegation(
                employee=employee,
                kind=kind,
                client=demo.client if demo else None,
                delegated_by=nurse,
                valid_from=begin,
                valid_until=end,
                revoked_on=revoked,
            )
        )
        if revoked is not None or (stop is not None and end >= stop) or (stop is None and end >= today):
            return rows
        begin = end + DAY
        years += 1
        end = ids.add_years(anchor, years)


def _appraisals(ctx: Context, services: dict[int, str]) -> list[Appraisal]:
    """About yearly medarbetarsamtal from half a year after the start; for a few current employees the last
    one was more than a year ago (overdue today)."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    holders = _appraisal_holders(d, services)
    long_serving = [
        e
        for e in d.employees
        if e.employee.end_date is None
        and e.employee.employment_type == EmploymentType.PERMANENT
        and e.employee.start_date <= today - datetime.timedelta(days=600)
        and e.user is not None
        and e.user.pk not in {u.pk for u in d.managers.values()}
    ]
    overdue = {
        e.employee.pk for e in rng.sample(long_serving, min(len(long_serving), ctx.plan.district.overdue_appraisals))
    }
    rows = []
    for demo in d.employees:
        employee = demo.employee
        first_due = employee.start_date + datetime.timedelta(days=rng.randint(150, 300))
        last_day = min(employee.end_date or today, today)
        if first_due > last_day:
            continue
        if employee.end_date is None or employee.end_date >= today:
            # Backwards from the last one, so that today's state is as intended: the last one within the
            # year (on or after the first one's day), or, for the few overdue, more than a year ago.
            span = (today - first_due).days
            back = rng.randint(380, 480) if employee.pk in overdue else rng.randint(0, min(330, span))
            days = []
            day = today - datetime.timedelta(days=back)
            while day >= first_due:
                days.append(day)
                day -= _appraisal_gap(rng)
            days.reverse()
        else:
            days = []
            day = first_due
            while day <= last_day:
                days.append(day)
                day += _appraisal_gap(rng)
        for held_on in days:
            rows.append(
                Appraisal(
                    employee=employee,
                    held_on=held_on,
                    held_by=holders(demo, held_on),
                    development_plan=rng.choice(DEVELOPMENT_PLANS),
                )
            )
    return rows


def _appraisal_gap(rng: random.Random) -> datetime.timedelta:
    """Days from one appraisal to the next: within the year, now and then a few weeks late."""
    return datetime.timedelta(days=rng.randint(366, 400) if rng.random() < 0.08 else rng.randint(320, 364))


def _appraisal_holders(d: DistrictData, services: dict[int, str]) -> Any:
    """Who holds an employee's appraisal on a day: the team's deputy, else the unit manager, if employed then."""
    with_account = {e.user.pk: e for e in d.employees if e.user is not None}
    deputy_ids = sorted(
        Membership.objects.filter(unit=d.provider, role__code=RoleCode.DEPUTY_MANAGER).values_list("user_id", flat=True)
    )
    deputies = [with_account[pk] for pk in deputy_ids if pk in with_account]
    chef = with_account.get(d.managers["provider"].pk)
    purchaser_chef = with_account.get(d.managers["purchaser"].pk)
    team_ids = sorted(services)

    def holder(demo: DemoEmployee, day: datetime.date) -> Any:
        employee = demo.employee
        if employee.unit_id == d.purchaser.pk:
            candidates = [purchaser_chef] if purchaser_chef is not demo else []
        elif demo.teams and deputies:
            index = team_ids.index(demo.teams[0].pk) if demo.teams[0].pk in team_ids else 0
            candidates = [deputies[index % len(deputies)], chef]
        else:
            candidates = [chef] if chef is not demo else []
        for candidate in candidates:
            if candidate is not None and candidate is not demo and _employed(candidate.employee, day):
                return candidate.user
        return None

    return holder


# --- Step 3: needs from the personal-assistance orders --------------------------------------------------------


@dataclass(frozen=True)
class PatternSpec:
    weekdays: str
    start: datetime.time
    end: datetime.time
    kind: str
    staff_count: int = 1


def _t(hour: int) -> datetime.time:
    return datetime.time(hour % 24)


def patterns_for(hours_per_week: float, night_kind: str) -> list[PatternSpec]:
    """Need patterns that a decision of `hours_per_week` pays for (an hour a week is kept for the longer
    night at the end of daylight-saving time): 24/7 from 168 h, with a second assistant 07–09 and 20–22 as far
    as the hours allow; below that, day and evening passes within the hours."""
    every = "1234567"
    hours = hours_per_week - 1
    day, evening, night = (
        PatternSpec(every, _t(7), _t(15), ShiftKind.ACTIVE),
        PatternSpec(every, _t(15), _t(22), ShiftKind.ACTIVE),
        PatternSpec(every, _t(22), _t(7), night_kind),
    )
    morning_double, evening_double = (
        PatternSpec(every, _t(7), _t(9), ShiftKind.ACTIVE),
        PatternSpec(every, _t(20), _t(22), ShiftKind.ACTIVE),
    )
    if hours >= 168:
        specs, extra = [day, evening, night], hours - 168
    elif hours >= 105:
        specs, extra = [day, evening], hours - 105
    elif hours >= 56:
        evening_hours = int((hours - 56) // 7)
        return [day] + ([PatternSpec(every, _t(15), _t(15 + evening_hours), ShiftKind.ACTIVE)] if evening_hours else [])
    elif hours >= 21:
        return [PatternSpec(every, _t(8), _t(8 + int(hours // 7)), ShiftKind.ACTIVE)]
    else:
        days = max(1, int(0.9 * hours // 3))
        return [PatternSpec(every[:days], _t(10), _t(13), ShiftKind.ACTIVE)]
    if extra >= 14:
        specs.append(morning_double)
    if extra >= 28:
        specs.append(evening_double)
    return specs


def _weekly_hours(order: Order) -> float:
    amount = float(order.scope_amount)
    return amount if order.scope_unit == Order.ScopeUnit.WEEK else amount * 12 / 52


@dataclass
class OrderWindow:
    """When an order's service runs: from execution (or the previous order's end) to its end, less interruptions."""

    order: Order
    service: str
    first: datetime.date
    last: datetime.date | None
    interruptions: list[tuple[datetime.date, datetime.date | None]] = field(default_factory=list)
    followed: bool = False  # the next order for the service starts the day after: the service goes on

    def runs(self, day: datetime.date) -> bool:
        if day < self.first or (self.last is not None and day > self.last):
            return False
        return not any(start <= day and (until is None or day < until) for start, until in self.interruptions)


def _order_windows(d: DistrictData) -> list[OrderWindow]:
    """The provider's orders that were carried out, with the days they ran."""
    orders = list(
        Order.objects.filter(unit=d.provider, executed_on__isnull=False)
        .select_related("service")
        .order_by("client_id", "received_on", "pk")
    )
    events: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    for order_id, kind, on in (
        OrderEvent.objects.filter(order__in=orders, kind__in=[OrderEvent.Kind.INTERRUPTED, OrderEvent.Kind.RESUMED])
        .order_by("on", "pk")
        .values_list("order_id", "kind", "on")
    ):
        events[order_id].append((kind, on))
    windows: list[OrderWindow] = []
    previous: dict[tuple[int, str], OrderWindow] = {}
    ended_on: dict[tuple[int, str], datetime.date | None] = {}
    for order in orders:
        service = _service_of(order.service.code)
        if service is None:
            continue
        assert order.executed_on is not None
        previous_end = ended_on.get((order.client_id, service))
        first = order.received_on if previous_end == order.received_on else order.executed_on
        last = order.ended_on - DAY if order.ended_on else order.period_end
        if last is not None and last < first:
            continue
        ended_on[(order.client_id, service)] = order.ended_on
        window = OrderWindow(order=order, service=service, first=first, last=last)
        before = previous.get((order.client_id, service))
        if before is not None and before.last is not None and before.last + DAY == first:
            before.followed = True
        previous[(order.client_id, service)] = window
        for kind, on in events.get(order.pk, []):
            if kind == OrderEvent.Kind.INTERRUPTED:
                window.interruptions.append((on, None))
            elif window.interruptions and window.interruptions[-1][1] is None:
                window.interruptions[-1] = (window.interruptions[-1][0], on)
        windows.append(window)
    return windows


@step("rostering.needs")
def create_need_patterns(ctx: Context) -> None:
    """Need patterns for each personal-assistance order, sized to the hours it grants."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    night_kind: dict[int, str] = {}
    rows = []
    for window in _order_windows(d):
        if window.service != ASSISTANCE:
            continue
        client_id = window.order.client_id
        if client_id not in night_kind:
            night_kind[client_id] = ShiftKind.ON_CALL if rng.random() < 0.6 else ShiftKind.ACTIVE
        ended_at = (
            datetime.datetime.combine(window.last + DAY, datetime.time(8), tzinfo=STOCKHOLM)
            if window.last is not None and window.last < today
            else None
        )
        for spec in patterns_for(_weekly_hours(window.order), night_kind[client_id]):
            rows.append(
                NeedPattern(
                    client_id=client_id,
                    order=window.order,
                    weekdays=spec.weekdays,
                    start_time=spec.start,
                    end_time=spec.end,
                    staff_count=spec.staff_count,
                    kind=spec.kind,
                    valid_from=window.first,
                    valid_to=window.last,
                    ended_at=ended_at,
                )
            )
    _bulk(NeedPattern, rows)
    record_history(ctx, "rostering.needs", {"need_patterns": len(rows)})


# --- Step 4: absences ----------------------------------------------------------------------------------------


@step("rostering.absences")
def create_absences(ctx: Context) -> None:
    """Vacation every summer, some parental leave, sick-leave episodes and care of a sick child, per employee
    of the provider's field staff; one employee has been sick since two days ago and still is."""
    d, rng = ctx.current, ctx.rng
    rows: list[Absence] = []
    for demo in _field_staff(d):
        rows += _absences_of(ctx, rng, demo.employee)
    ongoing = _ongoing_sick(ctx, rows)
    if ongoing is not None:
        rows.append(ongoing)
    _bulk(Absence, rows)
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.kind] += 1
    record_history(ctx, "rostering.absences", dict(counts))


def _free(taken: list[tuple[datetime.date, datetime.date]], start: datetime.date, end: datetime.date) -> bool:
    return all(end < a or start > b for a, b in taken)


def _absences_of(ctx: Context, rng: random.Random, employee: Employee) -> list[Absence]:
    today, window_start = ctx.today, ctx.window_start
    first = max(employee.start_date, window_start)
    last = min(employee.end_date or today, today)
    if first > last:
        return []
    hourly = employee.employment_type == EmploymentType.HOURLY_PAID
    woman = employee.gender == "K"
    birth = _birth_date(employee)
    taken: list[tuple[datetime.date, datetime.date]] = []
    rows: list[Absence] = []

    def add(kind: str, start: datetime.date, end: datetime.date, note: str = "") -> None:
        taken.append((start, end))
        rows.append(Absence(employee=employee, kind=kind, starts_on=start, ends_on=end, note=note))

    for year in range(first.year, last.year + 1):
        # Vacation: four or five weeks from a Monday between mid-June and late July (not for hourly-paid staff).
        monday = datetime.date(year, 6, 15) + datetime.timedelta(days=(7 - datetime.date(year, 6, 15).weekday()) % 7)
        start = monday + datetime.timedelta(weeks=rng.randint(0, 5))
        end = start + datetime.timedelta(weeks=rng.choice((4, 4, 5))) - DAY
        if not hourly and employee.start_date <= start - datetime.timedelta(days=60) and end <= last:
            add(Absence.Kind.VACATION, start, end)
        age = (datetime.date(year, 7, 1) - birth).days / 365.25 if birth else 40.0
        if not hourly and 25 <= age <= 42 and rng.random() < PARENTAL_PER_YEAR * (1.5 if woman else 1.0):
            start = ids.random_date(rng, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
            end = start + datetime.timedelta(days=rng.randint(90, 270))
            if first <= start and end <= last and _free(taken, start, end):
                add(Absence.Kind.PARENTAL, start, end)
    # Sick leave and care of a child, year by year with the trend (drawn after the planned leave).
    span_days = max(1, (today - window_start).days)
    gender = "K" if woman else "M"
    for year in range(first.year, last.year + 1):
        year_first = max(first, datetime.date(year, 1, 1))
        year_last = min(last, datetime.date(year, 12, 31))
        share = ((year_last - year_first).days + 1) / 365
        position = ((year_first - window_start).days) / span_days
        trend = SICK_TREND[0] + (SICK_TREND[1] - SICK_TREND[0]) * position
        factor = share * trend * (HOURLY_SICK_FACTOR if hourly else 1.0)
        episodes: list[tuple[str, int]] = []
        if rng.random() < LONG_SICK_PER_YEAR[gender] * factor:  # the long one first: it is the hardest to place
            least, mean, most = LONG_SICK_DAYS
            episodes.append((Absence.Kind.SICK, min(most, least + int(rng.expovariate(1 / mean)))))
        episodes += [
            (Absence.Kind.SICK, rng.choices(SHORT_SICK_LENGTHS, weights=SHORT_SICK_WEIGHTS)[0])
            for _ in range(_poisson(rng, SHORT_SICK_PER_YEAR[gender] * factor))
        ]
        age = (datetime.date(year, 7, 1) - birth).days / 365.25 if birth else 40.0
        if 25 <= age <= 45:
            episodes += [
                (Absence.Kind.CARE_OF_CHILD, rng.randint(1, 3))
                for _ in range(_poisson(rng, CHILD_CARE_PER_YEAR * share))
            ]
        latest = min(today + datetime.timedelta(days=60), employee.end_date or datetime.date.max)
        for kind, length in episodes:
            for _attempt in range(8):  # away from the vacation and the other episodes (a day apart would be one)
                start = ids.random_date(rng, year_first, year_last)
                end = start + datetime.timedelta(days=length - 1)
                if end <= latest and _free(taken, start - DAY, end + DAY):
                    add(kind, start, end)
                    break
    return rows


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; the means here are small)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _ongoing_sick(ctx: Context, rows: list[Absence]) -> Absence | None:
    """A permanent assistant who called in sick two days ago, with no end date yet."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    services = _team_services(d)
    start = today - datetime.timedelta(days=2)
    busy = {
        row.employee.pk
        for row in rows
        if row.starts_on <= today + datetime.timedelta(days=14) and (row.ends_on is None or row.ends_on >= start)
    }
    candidates = [
        e.employee
        for e in _field_staff(d)
        if _home_service(e, services) == ASSISTANCE
        and e.employee.employment_type == EmploymentType.PERMANENT
        and e.employee.end_date is None
        and e.employee.start_date <= start - datetime.timedelta(days=90)
        and e.employee.pk not in busy
    ]
    if not candidates:
        return None
    employee = rng.choice(sorted(candidates, key=lambda e: e.pk))
    return Absence(
        employee=employee, kind=Absence.Kind.SICK, starts_on=start, ends_on=None, note="Sjukanmäld per telefon."
    )


# --- Step 5: shifts, booked occasions and introductions ---------------------------------------------------------


@dataclass(eq=False, slots=True)
class Slot:
    """One person's part of a need: a pattern's pass on a day, or a booked occasion."""

    start: float  # epoch seconds
    end: float
    first: int  # the local dates the shift touches, as ordinals
    last: int
    week: int  # the calendar week of the start (index into the week table)
    weeks: tuple[int, ...]  # every calendar week the shift touches
    client_id: int
    team_id: int | None  # the team or group that serves the need
    service: str
    kind: str
    pattern_id: int | None = None
    occasion_id: int | None = None

    @property
    def hours(self) -> float:
        return (self.end - self.start) / HOUR


class Weeks:
    """Monday 00:00 Europe/Stockholm of every week in the history, as epoch seconds."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        monday = first - datetime.timedelta(days=first.weekday() + 7)
        self.mondays: list[float] = []
        while monday <= last + datetime.timedelta(days=14):
            self.mondays.append(_epoch(monday, datetime.time(0)))
            monday += datetime.timedelta(days=7)

    def of(self, moment: float) -> int:
        return bisect.bisect_right(self.mondays, moment) - 1

    def touched(self, start: float, end: float) -> tuple[int, ...]:
        first, last = self.of(start), self.of(end - 1)
        return (first,) if first == last else tuple(range(first, last + 1))


def _epoch(day: datetime.date, time: datetime.time) -> float:
    return datetime.datetime.combine(day, time, tzinfo=STOCKHOLM).timestamp()


@dataclass(frozen=True)
class Term:
    starts_on: datetime.date
    ends_on: datetime.date | None
    hourly: bool
    rate: float
    max_pass: float


@dataclass(eq=False)
class Worker:
    """An employee's state while the months are rostered: what they may do and what they already do."""

    pk: int
    name: str
    gender: str
    teams: frozenset[int]
    service: str
    start: int  # ordinals of the employment's first and last day
    end: int
    terms: list[Term]
    competences: dict[str, datetime.date]
    delegations: list[tuple[str, int | None, datetime.date, datetime.date]]
    blocked: set[int] = field(default_factory=set)  # vacation, parental leave: not rostered
    sick: set[int] = field(default_factory=set)  # sick or care of child: not a replacement
    starts: list[float] = field(default_factory=list)
    ends: list[float] = field(default_factory=list)
    week_hours: dict[int, float] = field(default_factory=dict)
    # This month:
    active_month: bool = False
    hourly: bool = False
    full_time: bool = False
    max_pass: float = MAX_MERGED_PASS
    ordinary_cap: float = 0.0
    target: float = 1.0
    month_cap: float = 0.0
    month_work: float = 0.0
    month_ordinary: float = 0.0
    month_overtime: float = 0.0
    year_overtime: float = 0.0
    jitter: float = 0.0

    def term_on(self, day: datetime.date) -> Term | None:
        for term in self.terms:
            if term.starts_on <= day and (term.ends_on is None or day <= term.ends_on):
                return term
        return self.terms[-1] if self.terms else None

    def start_month(self, first: datetime.date, last: datetime.date, rng: random.Random) -> None:
        lo, hi = max(first.toordinal(), self.start), min(last.toordinal(), self.end)
        self.active_month = lo <= hi
        self.month_work = self.month_ordinary = self.month_overtime = 0.0
        if first.month == 1:
            self.year_overtime = 0.0
        if not self.active_month:
            return
        term = self.term_on(datetime.date.fromordinal(lo))
        self.hourly = term.hourly if term else False
        rate = term.rate if term else 100.0
        self.full_time = not self.hourly and rate >= 100
        self.max_pass = term.max_pass if term else MAX_PASS_AB
        employed = hi - lo + 1
        available = sum(1 for o in range(lo, hi + 1) if o not in self.blocked) or 1
        full_time = 40.0 * employed / 7
        if self.hourly:
            self.ordinary_cap = 0.85 * full_time
            self.target = 0.45 * full_time * available / employed
        else:
            self.ordinary_cap = full_time * rate / 100
            self.target = max(1.0, self.ordinary_cap * available / employed)
        self.month_cap = max(0.0, 48.0 * employed / 7 - MONTH_MARGIN_HOURS)
        self.jitter = rng.random() * 0.08
        # Forget what no rule looks at any more (more than a week before the month).
        keep = bisect.bisect_left(self.ends, _epoch(first, datetime.time(0)) - 8 * 24 * HOUR)
        if keep:
            del self.starts[:keep], self.ends[:keep]

    def fill(self) -> float:
        return self.month_work / self.target + self.jitter

    def eligible(self, client: ClientRules, first: datetime.date, last: datetime.date) -> bool:
        """May work at the client on every day of `first` … `last` (a month): needs, delegations, exclusions."""
        lo = max(first, datetime.date.fromordinal(self.start))
        hi = min(last, datetime.date.fromordinal(self.end))
        if lo > hi:
            return False
        for code, kind, since, until in client.needs:
            if since > hi or (until is not None and until < lo):
                continue
            if code is not None and (code not in self.competences or self.competences[code] > lo):
                return False
            if kind is not None and not self._delegated(kind, client.client_id, lo, hi):
                return False
        # The facts of a period do not date an exclusion, so the employee stopped working there well before.
        lead = datetime.timedelta(days=EXCLUSION_LEAD_DAYS)
        return not any(
            since - lead <= hi and (until is None or until >= lo) for since, until in client.excluded.get(self.pk, ())
        )

    def _delegated(self, kind: str, client_id: int, lo: datetime.date, hi: datetime.date) -> bool:
        links = sorted(
            (start, until) for code, cid, start, until in self.delegations if code == kind and cid in (None, client_id)
        )
        covered = lo
        for start, until in links:
            if start <= covered <= until:
                covered = until + DAY
            if covered > hi:
                return True
        return False

    def fits(self, slot: Slot, weeks: Weeks, *, replacement: bool = False) -> bool:
        """Whether the shift can be added without breaking a rule (see the module docstring)."""
        if slot.first < self.start or slot.last > self.end:
            return False
        for day in range(slot.first, slot.last + 1):
            if day in self.blocked or (replacement and day in self.sick):
                return False
        hours = slot.end - slot.start
        if self.month_work + hours / HOUR > self.month_cap or self.week_hours.get(slot.week, 0.0) + hours > WEEK_CAP:
            return False
        starts, ends, s, e = self.starts, self.ends, slot.start, slot.end
        n = len(starts)
        i = bisect.bisect_left(starts, s)
        if (i and ends[i - 1] > s) or (i < n and starts[i] < e):
            return False
        period_start, j = s, i - 1
        while j >= 0 and period_start - ends[j] < DAILY_REST:
            period_start, j = starts[j], j - 1
        period_end, k = e, i
        while k < n and starts[k] - period_end < DAILY_REST:
            period_end, k = ends[k], k + 1
        if period_end - period_start > self.max_pass:
            return False
        return all(self._week_ok(w, weeks, i, s, e) for w in slot.weeks)

    def _week_ok(self, week: int, weeks: Weeks, i: int, s: float, e: float) -> bool:
        """The week still has 36 h without work, and at most WEEK_CAP of work, with the new shift at `i`."""
        week_start, week_end = weeks.mondays[week], weeks.mondays[week + 1]
        starts, ends = self.starts, self.ends
        lo = bisect.bisect_left(starts, week_start - LONGEST_SHIFT)
        hi = bisect.bisect_left(starts, week_end)
        previous, longest, total = week_start, 0.0, 0.0
        for a, b in zip([*starts[lo:i], s, *starts[i:hi]], [*ends[lo:i], e, *ends[i:hi]], strict=True):
            if b <= week_start or a >= week_end:
                continue
            a, b = max(a, week_start), min(b, week_end)
            if a - previous > longest:
                longest = a - previous
            previous = max(previous, b)
            total += b - a
        longest = max(longest, week_end - previous)
        return longest >= WEEKLY_REST and total <= WEEK_CAP

    def add(self, slot: Slot, overtime: bool) -> None:
        i = bisect.bisect_left(self.starts, slot.start)
        self.starts.insert(i, slot.start)
        self.ends.insert(i, slot.end)
        seconds = slot.end - slot.start
        self.week_hours[slot.week] = self.week_hours.get(slot.week, 0.0) + seconds
        hours = seconds / HOUR
        self.month_work += hours
        if overtime:
            self.month_overtime += hours
            self.year_overtime += hours
        elif slot.kind == ShiftKind.ACTIVE:
            self.month_ordinary += hours

    def extra_pass_is_overtime(self, slot: Slot) -> bool:
        """A pass taken on short notice beyond the schedule: overtime for a full-time employee (AB), and for
        a part-time one beyond the contract (below it, it is mertid)."""
        return not self.hourly and slot.kind == ShiftKind.ACTIVE and (self.full_time or self.would_be_overtime(slot))

    def would_be_overtime(self, slot: Slot) -> bool:
        return slot.kind == ShiftKind.ACTIVE and self.month_ordinary + slot.hours > self.ordinary_cap

    def may_work_overtime(self, slot: Slot) -> bool:
        hours = slot.hours
        return (
            not self.hourly
            and self.year_overtime + hours <= OVERTIME_YEAR_CAP
            and self.month_overtime + hours <= OVERTIME_MONTH_CAP
        )


@dataclass
class ClientRules:
    client_id: int
    team_id: int | None
    service: str
    preferred_gender: str
    needs: list[tuple[str | None, str | None, datetime.date, datetime.date | None]] = field(default_factory=list)
    excluded: dict[int, list[tuple[datetime.date, datetime.date | None]]] = field(default_factory=dict)
    regulars: list[Worker] = field(default_factory=list)  # who usually serves the client (occasions)


@dataclass(eq=False)
class Planned:
    """A shift to be written: its slot, who works it, and what became of it."""

    slot: Slot
    worker: Worker | None
    overtime: bool = False
    hourly: bool = False
    absence: Absence | None = None
    replaces: Planned | None = None
    id: int | None = None  # set when written


@dataclass
class Roster:
    """The unit's rostering state across the months."""

    ctx: Context
    rng: random.Random
    weeks: Weeks
    workers: list[Worker]
    clients: dict[int, ClientRules]
    published_end: datetime.date
    occasion_end: datetime.date
    episodes: dict[int, list[tuple[int, int, Absence]]]
    shifts: RowWriter
    occasions: RowWriter
    db_time: DbTime
    first_shift: dict[tuple[int, int], int] = field(default_factory=dict)  # (worker, client) -> first day
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # This month:
    month_first: datetime.date = datetime.date.min
    month_last: datetime.date = datetime.date.min
    hourly_share: float = 0.0
    hourly_hours: float = 0.0
    total_hours: float = 0.0
    replacement_hours: float = 0.0
    replaced_share: float = 0.05  # of last month's hours, replacements (mostly hourly-paid) for the sick
    by_team: dict[int, list[Worker]] = field(default_factory=dict)
    hourly: list[Worker] = field(default_factory=list)
    nonhourly: dict[str, list[Worker]] = field(default_factory=dict)
    tiers: dict[tuple[int, int | None, str, str], list[Worker]] = field(default_factory=dict)

    def start_month(self, first: datetime.date, last: datetime.date) -> None:
        self.month_first, self.month_last, self.tiers = first, last, {}
        if self.total_hours:
            self.replaced_share = self.replacement_hours / self.total_hours
        # The rostered shifts leave room for the hourly-paid replacements that will follow.
        self.hourly_share = self.target_share(first) - REPLACEMENT_HOURLY * self.replaced_share
        self.hourly_hours = self.total_hours = self.replacement_hours = 0.0
        self.by_team, self.hourly, self.nonhourly = defaultdict(list), [], defaultdict(list)
        for worker in self.workers:
            worker.start_month(first, last, self.rng)
            if not worker.active_month:
                continue
            for team in sorted(worker.teams):
                self.by_team[team].append(worker)
            if worker.hourly:
                self.hourly.append(worker)
            else:
                self.nonhourly[worker.service].append(worker)

    def target_share(self, day: datetime.date) -> float:
        """The hourly-paid share of the hours aimed at in the month starting `day` (summer months more)."""
        strategy = datetime.date(self.ctx.today.year - 1, 1, 1)  # the staffing strategy's year begins
        position = min(1.0, max(0.0, ((day - strategy).days + 31) / 365))
        share = HOURLY_SHARE_START + (HOURLY_SHARE_TODAY - HOURLY_SHARE_START) * position
        return share + (HOURLY_SHARE_SUMMER if day.month in (6, 7, 8) else 0.0)

    # -- who may work where this month --

    def tier(self, client: ClientRules, slot: Slot, name: str) -> list[Worker]:
        """The workers of one tier for the slot's team this month who may work at the client (computed once a
        month; shared by the clients of a team who have no needs or exclusions)."""
        restricted = bool(client.needs or client.excluded)
        key = (client.client_id if restricted else 0, slot.team_id, slot.service, name)
        if key not in self.tiers:
            members = self._members(slot.team_id, slot.service, name)
            if restricted:
                members = [w for w in members if w.eligible(client, self.month_first, self.month_last)]
            self.tiers[key] = members
        return self.tiers[key]

    def _members(self, team: int | None, service: str, name: str) -> list[Worker]:
        own = self.by_team.get(team, []) if team is not None else []
        if name == "own_nonhourly":
            return [w for w in own if not w.hourly]
        if name == "own_hourly":
            return [w for w in own if w.hourly]
        if name == "pool_hourly":
            return [w for w in self.hourly if team not in w.teams]
        if name == "other_nonhourly":
            services = (ASSISTANCE,) if service == ASSISTANCE else (ESCORT, RESPITE)
            return [w for s in services for w in self.nonhourly.get(s, []) if team not in w.teams]
        if name == "group_nonhourly" and service == ASSISTANCE:  # ledsagare and avlösare as assistants
            return [w for s in (ESCORT, RESPITE) for w in self.nonhourly.get(s, [])]
        return []

    # -- choosing --

    def choose(self, slot: Slot, *, replacement: bool = False) -> tuple[Worker, bool] | None:
        """Who takes the slot (and whether as overtime), trying the tiers in the unit's order of preference:
        hourly-paid staff first while the month is below the hourly-paid share aimed at, else regular staff
        within their contract; a colleague's overtime last."""
        client = self.clients[slot.client_id]
        if replacement:
            want_hourly = self.rng.random() < REPLACEMENT_HOURLY
        else:
            want_hourly = self.hourly_hours < self.hourly_share * (self.total_hours + slot.hours)
        if want_hourly:
            order = ("own_hourly", "pool_hourly", "own_nonhourly", "other_nonhourly", "group_nonhourly")
        else:
            # Monthly-paid ledsagare/avlösare before hourly-paid staff (seed 002: staff work across the services).
            order = ("own_nonhourly", "other_nonhourly", "group_nonhourly", "own_hourly", "pool_hourly")
        if slot.service != ASSISTANCE and client.regulars and not replacement:
            day = datetime.date.fromordinal(slot.first)
            for w in client.regulars:
                if w.hourly != want_hourly and len(client.regulars) > 1:
                    continue  # the client's other regular, of the kind the unit wants more of
                if w.active_month and self._can(w, slot) and w.eligible(client, day, day):
                    return w, False
        for name in order:
            for w in self._ranked(self.tier(client, slot, name), client):
                if replacement and w.extra_pass_is_overtime(slot):
                    if w.may_work_overtime(slot) and w.fits(slot, self.weeks, replacement=True):
                        return w, True
                elif self._can(w, slot, replacement=replacement):
                    return w, False
        # Nobody within their contract: a colleague works overtime (own team first).
        for name in ("own_nonhourly", "other_nonhourly"):
            for w in self._ranked(self.tier(client, slot, name), client):
                if w.may_work_overtime(slot) and w.fits(slot, self.weeks, replacement=replacement):
                    return w, w.would_be_overtime(slot)
        return None

    def _can(self, w: Worker, slot: Slot, *, replacement: bool = False) -> bool:
        if slot.kind == ShiftKind.ACTIVE and w.month_ordinary + slot.hours > w.ordinary_cap:
            return False
        return w.fits(slot, self.weeks, replacement=replacement)

    def _ranked(self, workers: list[Worker], client: ClientRules) -> list[Worker]:
        preferred = client.preferred_gender
        if preferred:
            return sorted(workers, key=lambda w: w.fill() + (0.0 if w.gender == preferred else 0.3))
        return sorted(workers, key=Worker.fill)

    def assign(self, slot: Slot, *, replacement: bool = False) -> Planned:
        chosen = self.choose(slot, replacement=replacement)
        if chosen is None:
            self.counts["uncovered_replacements" if replacement else "uncovered_needs"] += 1
            return Planned(slot=slot, worker=None)
        worker, overtime = chosen
        worker.add(slot, overtime)
        hours = slot.hours
        self.total_hours += hours
        if worker.hourly:
            self.hourly_hours += hours
        if replacement:
            self.replacement_hours += hours
        key = (worker.pk, slot.client_id)
        if slot.first < self.first_shift.get(key, slot.first + 1):  # a replacement may precede the month's shifts
            self.first_shift[key] = slot.first
        client = self.clients[slot.client_id]
        if slot.service != ASSISTANCE and worker not in client.regulars:
            client.regulars = [worker, *client.regulars[:1]]
        return Planned(slot=slot, worker=worker, overtime=overtime, hourly=worker.hourly)


def _load_workers(d: DistrictData, services: dict[int, str]) -> list[Worker]:
    """The field staff with their terms, competences, delegations and absences, from the earlier steps."""
    staff = sorted(_field_staff(d), key=lambda e: e.employee.pk)
    ids_ = [e.employee.pk for e in staff]
    regimes = {r.pk: float(r.max_pass_hours) * HOUR for r in WorkingTimeRegime.objects.all()}
    terms: dict[int, list[Term]] = defaultdict(list)
    for t in EmploymentTerm.objects.filter(employee_id__in=ids_).order_by("employee_id", "starts_on"):
        terms[t.employee_id].append(
            Term(
                starts_on=t.starts_on,
                ends_on=t.ends_on,
                hourly=t.employment_type == EmploymentType.HOURLY_PAID,
                rate=float(t.employment_rate),
                max_pass=min(regimes[t.regime_id], MAX_MERGED_PASS),
            )
        )
    competences: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    for employee_id, code, acquired in EmployeeCompetence.objects.filter(
        employee_id__in=ids_, revoked_on__isnull=True
    ).values_list("employee_id", "competence__code", "acquired_on"):
        competences[employee_id][code] = acquired
    delegations: dict[int, list[tuple[str, int | None, datetime.date, datetime.date]]] = defaultdict(list)
    for row in Delegation.objects.filter(employee_id__in=ids_).select_related("kind"):
        until = row.valid_until if row.revoked_on is None else min(row.valid_until, row.revoked_on - DAY)
        if until >= row.valid_from:
            delegations[row.employee_id].append((row.kind.code, row.client_id, row.valid_from, until))
    far = datetime.date.max.toordinal()
    workers = []
    for demo in staff:
        e = demo.employee
        workers.append(
            Worker(
                pk=e.pk,
                name=e.full_name,
                gender=e.gender,
                teams=frozenset(t.pk for t in demo.teams),
                service=_home_service(demo, services) or ESCORT,
                start=e.start_date.toordinal(),
                end=e.end_date.toordinal() if e.end_date else far,
                terms=terms.get(e.pk, []),
                competences=competences.get(e.pk, {}),
                delegations=delegations.get(e.pk, []),
            )
        )
    return workers


def _load_absences(workers: list[Worker]) -> dict[int, list[tuple[int, int, Absence]]]:
    """Planned leave blocks the roster; sick episodes (and care of a child) make rostered shifts absent."""
    by_pk = {w.pk: w for w in workers}
    episodes: dict[int, list[tuple[int, int, Absence]]] = defaultdict(list)
    far = datetime.date.max.toordinal()
    for absence in Absence.objects.filter(employee_id__in=list(by_pk), cancelled_at__isnull=True).order_by(
        "employee_id", "starts_on"
    ):
        worker = by_pk[absence.employee_id]
        first = absence.starts_on.toordinal()
        last = absence.ends_on.toordinal() if absence.ends_on else far
        if absence.kind in (Absence.Kind.SICK, Absence.Kind.CARE_OF_CHILD):
            episodes[worker.pk].append((first, last, absence))
            worker.sick.update(range(first, min(last, first + 400) + 1))
        else:
            worker.blocked.update(range(first, last + 1))
    return episodes


def _load_clients(d: DistrictData) -> dict[int, ClientRules]:
    clients: dict[int, ClientRules] = {}
    for demo in d.clients:
        if demo.service is None or demo.team is None:
            continue
        clients[demo.client.pk] = ClientRules(
            client_id=demo.client.pk,
            team_id=demo.team.pk,
            service=demo.service,
            preferred_gender=demo.client.preferred_staff_gender,
        )
    for need in ClientCompetenceNeed.objects.filter(client_id__in=list(clients)).select_related(
        "competence", "delegation_kind"
    ):
        clients[need.client_id].needs.append(
            (
                need.competence.code if need.competence else None,
                need.delegation_kind.code if need.delegation_kind else None,
                need.since,
                need.until,
            )
        )
    for choice in ClientStaffChoice.objects.filter(client_id__in=list(clients), kind=ClientStaffChoice.Kind.EXCLUDED):
        clients[choice.client_id].excluded.setdefault(choice.employee_id, []).append((choice.since, choice.until))
    return clients


@dataclass
class Booking:
    """How an order's occasions recur: on fixed weekdays every week or every other week, at a time, for hours."""

    weekdays: tuple[int, ...]
    every: int  # weeks
    start: datetime.time
    minutes: int
    per_month: int | None  # kontaktperson: at most this many a month


def _booking(rng: random.Random, order: Order, service: str, child: bool) -> Booking:
    """A booking within the granted hours of every calendar week, calendar month and period of 14 days or
    more. A monthly scope S is prorated by days, so D days get at least S × D / 31; a weekly booking puts at
    most ceil(D / 7) occasions of each weekday in D days, which stays within that while its hours a week are
    at most S / 6.2 (the worst case is 15 days); an every-other-week booking at most S / 4.5. Near the ends
    of the order no occasion is booked (see `EDGE_DAYS`)."""
    per_month: int | None = None
    if order.scope_unit == Order.ScopeUnit.OCCASION:
        occasions = max(1, int(order.scope_amount))
        per_month = occasions
        count = max(1, min(3, round(occasions / 4.4)))
        every, minutes = (1 if occasions >= 4 else 2), rng.choice((120, 150, 180, 240))
    else:
        budget = float(order.scope_amount) * 0.97  # hours a month, with a little to spare
        count, every = rng.choice((1, 1, 2, 2, 3)), 1
        while count > 1 and _half_hours(budget / (6.2 * count)) < 120:
            count -= 1
        minutes = _half_hours(budget / (6.2 * count))
        if minutes < 120:
            every, minutes = 2, _half_hours(budget / 4.5)
        minutes = max(60, min(300, minutes))
    if service == RESPITE and child:
        days = sorted(rng.sample((4, 5, 6), min(count, 3)))  # Friday–Sunday
        start = datetime.time(rng.choice((10, 11, 13, 15)))
    elif service == CONTACT_PERSON:
        days = sorted(rng.sample(range(7), count))
        start = datetime.time(rng.choice((14, 15, 16, 17, 18)))
    else:
        days = sorted(rng.sample(range(7), count))
        start = datetime.time(rng.choice((9, 10, 11, 13, 14, 15, 16, 17)), rng.choice((0, 30)))
    return Booking(weekdays=tuple(days), every=every, start=start, minutes=minutes, per_month=per_month)


def _half_hours(hours: float) -> int:
    """`hours` rounded down to whole half hours, in minutes."""
    return int(hours * 2) * 30


@step("rostering.shifts")
def create_shifts(ctx: Context) -> None:
    """Booked occasions and shifts month by month; then the introductions of everyone who worked somewhere."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    services = _team_services(d)
    workers = _load_workers(d, services)
    episodes = _load_absences(workers)
    clients = _load_clients(d)
    windows = [w for w in _order_windows(d) if w.order.client_id in clients]
    patterns: dict[int, list[NeedPattern]] = defaultdict(list)
    for pattern in NeedPattern.objects.filter(client_id__in=list(clients)).order_by("pk"):
        patterns[pattern.order_id].append(pattern)
    monday = today - datetime.timedelta(days=today.weekday())
    roster = Roster(
        ctx=ctx,
        rng=rng,
        weeks=Weeks(ctx.window_start, today + datetime.timedelta(weeks=OCCASION_WEEKS_AHEAD + 6)),
        workers=workers,
        clients=clients,
        published_end=monday + datetime.timedelta(weeks=PUBLISHED_WEEKS),
        occasion_end=today + datetime.timedelta(weeks=OCCASION_WEEKS_AHEAD),
        episodes=episodes,
        shifts=RowWriter(Shift, SHIFT_FIELDS),
        occasions=RowWriter(BookedOccasion, OCCASION_FIELDS),
        db_time=DbTime(),
    )
    children = {c.client.pk for c in d.clients if c.group == "children"}
    bookings: dict[int, Booking] = {}
    month = _month_start(ctx.window_start)
    while month <= roster.occasion_end:
        _roster_month(roster, d, month, windows, patterns, bookings, children)
        month = add_months_first(month)
    roster.occasions.finish()
    roster.shifts.finish()
    introductions = _introductions(roster)
    _bulk(Introduction, introductions)
    counts = dict(roster.counts)
    counts["introductions"] = len(introductions)
    record_history(ctx, "rostering.shifts", counts)


def _roster_month(
    roster: Roster,
    d: DistrictData,
    month: datetime.date,
    windows: list[OrderWindow],
    patterns: dict[int, list[NeedPattern]],
    bookings: dict[int, Booking],
    children: set[int],
) -> None:
    first, last = month, _month_end(month)
    roster.start_month(first, last)
    slots = _occasion_slots(roster, windows, bookings, children, first, last)
    if first >= roster.published_end:
        return
    slots += _pattern_slots(roster, windows, patterns, first, min(last, roster.published_end - DAY))
    slots = [s for s in slots if s.first < roster.published_end.toordinal()]
    slots.sort(key=lambda s: (s.start, s.client_id))
    planned = [roster.assign(slot) for slot in slots]
    replacements = _sick_shifts(roster, planned)
    _write_shifts(roster, d, planned, replacements)


def _pattern_slots(
    roster: Roster,
    windows: list[OrderWindow],
    patterns: dict[int, list[NeedPattern]],
    first: datetime.date,
    last: datetime.date,
) -> list[Slot]:
    slots: list[Slot] = []
    weeks = roster.weeks
    days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    for window in windows:
        order_patterns = patterns.get(window.order.pk)
        if not order_patterns:
            continue
        client = roster.clients[window.order.client_id]
        for day in days:
            if not window.runs(day):
                continue
            weekday = str(day.isoweekday())
            for pattern in order_patterns:
                if weekday not in pattern.weekdays:
                    continue
                end_day = day + DAY if pattern.end_time <= pattern.start_time else day
                if window.last is not None and end_day > window.last and not window.followed:
                    continue  # the last night would reach past the decision's end
                start, end = _epoch(day, pattern.start_time), _epoch(end_day, pattern.end_time)
                last_day = end_day if pattern.end_time != datetime.time(0) else end_day - DAY
                for _ in range(pattern.staff_count):
                    slots.append(
                        Slot(
                            start=start,
                            end=end,
                            first=day.toordinal(),
                            last=last_day.toordinal(),
                            week=weeks.of(start),
                            weeks=weeks.touched(start, end),
                            client_id=client.client_id,
                            team_id=window.order.team_id or client.team_id,
                            service=ASSISTANCE,
                            kind=pattern.kind,
                            pattern_id=pattern.pk,
                        )
                    )
    return slots


def _occasion_slots(
    roster: Roster,
    windows: list[OrderWindow],
    bookings: dict[int, Booking],
    children: set[int],
    first: datetime.date,
    last: datetime.date,
) -> list[Slot]:
    """The month's booked occasions (written now, so that shifts can point to them) and the slots of those
    that are not cancelled and are served by staff (kontaktpersoner are not employees)."""
    ctx, rng, weeks, db_time = roster.ctx, roster.rng, roster.weeks, roster.db_time
    now = datetime.datetime.combine(ctx.today, datetime.time(12), tzinfo=STOCKHOLM).timestamp()
    recorded = db_time.now()
    published_end = roster.published_end.toordinal()
    slots = []
    for window in windows:
        if window.service == ASSISTANCE:
            continue
        order = window.order
        if order.pk not in bookings:
            bookings[order.pk] = _booking(rng, order, window.service, order.client_id in children)
        booking = bookings[order.pk]
        client = roster.clients[order.client_id]
        count = 0
        for offset in range((last - first).days + 1):
            day = first + datetime.timedelta(days=offset)
            if day > roster.occasion_end or not window.runs(day) or day.weekday() not in booking.weekdays:
                continue
            if (day - window.first).days // 7 % booking.every:
                continue
            if booking.per_month is not None and count >= booking.per_month:
                break
            if (day - window.first).days < EDGE_DAYS or (window.last and (window.last - day).days < EDGE_DAYS):
                continue  # a period reaching past the order's ends would get only a few days' hours
            count += 1
            start = _epoch(day, booking.start)
            end = start + booking.minutes * 60
            cancelled = None
            if rng.random() < 0.07:
                cancelled = min(now, start - rng.randint(2, 96) * HOUR)
            occasion_id = roster.occasions.new_id()
            roster.occasions.add(
                (
                    occasion_id,
                    order.client_id,
                    order.pk,
                    db_time(start),
                    db_time(end),
                    1,
                    "",
                    None,
                    recorded,
                    db_time(cancelled) if cancelled is not None else None,
                )
            )
            roster.counts["booked_occasions"] += 1
            if cancelled is not None or window.service == CONTACT_PERSON or day.toordinal() >= published_end:
                continue  # kontaktpersoner are not employees; later weeks are the optimiser's
            slots.append(
                Slot(
                    start=start,
                    end=end,
                    first=day.toordinal(),
                    last=day.toordinal(),
                    week=weeks.of(start),
                    weeks=weeks.touched(start, end),
                    client_id=client.client_id,
                    team_id=order.team_id or client.team_id,
                    service=window.service,
                    kind=ShiftKind.ACTIVE,
                    occasion_id=occasion_id,
                )
            )
    return slots


def _sick_shifts(roster: Roster, planned: list[Planned]) -> list[Planned]:
    """Rostered shifts in a sick episode become absent; someone else (mostly hourly-paid) replaces each. For
    the sickness reported two days ago, this week's replacements are still open."""
    today_ordinal = roster.ctx.today.toordinal()
    by_worker: dict[int, list[Planned]] = defaultdict(list)
    for p in planned:
        if p.worker is not None and p.worker.pk in roster.episodes:
            by_worker[p.worker.pk].append(p)
    absent: list[Planned] = []
    for pk, shifts in by_worker.items():
        for first, last, absence in roster.episodes[pk]:
            for p in shifts:
                if p.absence is None and p.slot.first <= last and p.slot.last >= first:
                    p.absence = absence
                    absent.append(p)
    absent.sort(key=lambda p: (p.slot.start, p.slot.client_id))
    replacements = []
    for p in absent:
        assert p.absence is not None
        leave_open = p.absence.ends_on is None and today_ordinal <= p.slot.first < today_ordinal + 7
        replacement = Planned(slot=p.slot, worker=None) if leave_open else roster.assign(p.slot, replacement=True)
        replacement.replaces = p
        replacements.append(replacement)
    roster.counts["absent_shifts"] += len(absent)
    return replacements


def _write_shifts(roster: Roster, d: DistrictData, planned: list[Planned], replacements: list[Planned]) -> None:
    """The month's shifts: the rostered ones (an absent one keeps its employee), then their replacements."""
    today = roster.ctx.today.toordinal()
    writer, db_time, counts = roster.shifts, roster.db_time, roster.counts
    now = db_time.now()
    for p in [*planned, *replacements]:
        slot = p.slot
        if p.worker is None and slot.first < today:
            continue  # a need nobody covered in the past leaves no shift; from today on it is an open shift
        if p.absence is not None:
            status = Shift.Status.ABSENT
        else:
            status = Shift.Status.WORKED if slot.first < today else Shift.Status.PUBLISHED
        p.id = writer.new_id()
        writer.add(
            (
                p.id,
                d.provider.pk,
                slot.client_id,
                p.worker.pk if p.worker else None,
                db_time(slot.start),
                db_time(slot.end),
                slot.kind,
                status,
                p.overtime,
                p.hourly,
                p.absence.pk if p.absence is not None else None,
                p.replaces.id if p.replaces is not None else None,
                None,
                slot.pattern_id,
                slot.occasion_id,
                None,
                "",
                None,
                now,
                now,
                1,
            )
        )
        counts["shifts"] += 1
        counts["overtime_shifts"] += p.overtime
        if p.replaces is not None:
            counts["replacement_shifts"] += 1
            counts["open_shifts"] += p.worker is None


def _introductions(roster: Roster) -> list[Introduction]:
    """Everyone who worked at a client was introduced there before the first shift."""
    rng = roster.rng
    by_pk = {w.pk: w for w in roster.workers}
    first_worker: dict[int, Worker] = {}
    for (worker_pk, client_id), _first in sorted(roster.first_shift.items(), key=lambda item: (item[1], item[0])):
        first_worker.setdefault(client_id, by_pk[worker_pk])
    rows = []
    for (worker_pk, client_id), first in sorted(roster.first_shift.items()):
        worker = by_pk[worker_pk]
        day = max(worker.start, first - rng.randint(0, 5))
        introducer = first_worker[client_id]
        rows.append(
            Introduction(
                employee_id=worker_pk,
                client_id=client_id,
                completed_on=datetime.date.fromordinal(min(day, first)),
                introduced_by=introducer.name if introducer is not worker else "Biträdande enhetschef",
            )
        )
    return rows
