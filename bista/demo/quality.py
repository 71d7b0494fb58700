"""Demo history of the quality system (SOSFS 2011:9): deviations, Lex Sarah, feedback, personal data
incidents, the routines register and the self-check plan with its results.

For each provider unit the steps below write the history through `bista.quality.services`, so every record
has its audit event and passed the same checks as one registered by hand:

- **Deviations** (25–45 a year at size 1): reported by the unit's own staff (demo users employed on the day
  who hold quality.report today; now and then by a manager), about one of the reporter's clients or none,
  occurring shortly before. Classified with the VB categories (mostly "Utförande av insats" and
  "Bemötande"), most identified by own staff, a few by an external partner, a few concerning another
  unit; analysed, with actions done by their owners, and closed by the unit manager or a deputy (by the
  system when none of today's managers worked there then). Those reported in the last weeks are open
  (reported or under investigation); one from some six weeks ago is overdue, so "Att göra" shows it.
- **Lex Sarah** (2–5 a year): reported by staff, some escalated from a deviation; each taken through its
  steps with plausible dates. Most are assessed as not serious; about one a year is serious and notified to
  IVO (reference like "3.1.2-12345/2024"). Open today: one overdue for investigation, one being
  investigated (escalated from a recent deviation), and a serious one notified to IVO awaiting the decision.
- **Feedback** (15–30 a year): synpunkter, klagomål and beröm from clients, relatives, anonymous senders,
  Patientnämnden and others; categorised, answered and acted on; about one complaint a year concerns another
  provider, is forwarded there and that provider's written answer is recorded. The last two weeks' may be
  open, and a complaint from the last days waits for its answer.
- **Personal data incidents** (0–2 a year): each with an IMY decision within 72 hours, one decided late;
  one discovered yesterday has no decision yet.
- **Routines** (9–12, the management system's processes) with owners and yearly reviews; one or two overdue.
- **The self-check plan** (6–8 items, some computed from the care records by `bista.care.selfchecks`, whose
  figures are then recorded as the result) with a result recorded each period by the person responsible.

History starts at the demo window's start, or when the VB categories (reference data) begin if that is later:
a deviation or complaint dated before its category was valid cannot be classified, so the unit's quality
register begins then.

Closing a deviation, closing feedback and escalating a deviation are given the historical moment
(`closed_at`, `reported_at`), so ten years of deviations are not all closed today.

Each step draws from its own random stream (see bista.demo.generator): the same arguments and `today` give
the same data.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bista.care import selfchecks
from bista.clients.models import ClientContact
from bista.core.access import SYSTEM, has_perm
from bista.core.clock import STOCKHOLM, local_date
from bista.core.deadlines import add_months
from bista.core.permissions import Perm
from bista.demo import identities as ids
from bista.demo import texts
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
from bista.quality import services as quality
from bista.quality.models import (
    Concerns,
    DataIncident,
    Deviation,
    Feedback,
    IdentifiedBy,
    LexSarahReport,
    QualityCategory,
    SelfCheckPlanItem,
)
from bista.quality.rules import tertial_bounds

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)

DEVIATION, FEEDBACK_STAFF, FEEDBACK_OTHER = (
    QualityCategory.Group.DEVIATION,
    QualityCategory.Group.FEEDBACK_STAFF,
    QualityCategory.Group.FEEDBACK_OTHER,
)

# --- Texts -----------------------------------------------------------------------------------------------
# The Swedish sample texts are data: bista/demo/texts/quality.toml (see bista.demo.texts). The records below
# are built from it at import; the weights and codes that say how often each is drawn stay here.

TEXTS = "quality"
# The placeholders of `_values`, each also with a capital first letter ({Namn}); the tests check they agree.
_PLACEHOLDER_NAMES = ("namn", "namns", "personal", "personal_pl", "klocka", "veckodag", "plats")
PLACEHOLDERS = frozenset(_PLACEHOLDER_NAMES) | {name.capitalize() for name in _PLACEHOLDER_NAMES}

STAFF_WORD = texts.mapping(TEXTS, "staff_word", keys=(ASSISTANCE, ESCORT, RESPITE, CONTACT_PERSON))
WEEKDAYS = texts.strings(TEXTS, "weekdays")
PLACES = texts.strings(TEXTS, "places")


class DeviationText(NamedTuple):
    category: str  # the code of the deviation category
    what: str
    immediate: str
    analysis: str
    action: str  # the first action decided ("" for none)
    identified_by: str = IdentifiedBy.STAFF
    concerns: str = Concerns.OWN
    other_unit: str = ""


def _deviation_field(field: str, value: Any) -> Any:
    if field == "identified_by":
        return IdentifiedBy(value)
    if field == "concerns":
        return Concerns(value)
    return value


def _deviations(section: str) -> tuple[DeviationText, ...]:
    return texts.records(TEXTS, section, DeviationText, placeholders=PLACEHOLDERS, convert=_deviation_field)


# Identified by the unit's own staff, concerning the unit itself.
STAFF_DEVIATIONS = _deviations("staff_deviations")
STAFF_CATEGORY_WEIGHTS = {"utforande": 42, "bemotande": 26, "fysisk_miljo": 13, "rattssakerhet": 9, "annat": 10}
# Identified by an external partner (the unit's manager usually takes the call and registers it).
EXTERNAL_DEVIATIONS = _deviations("external_deviations")
# Concerning another unit or organisation (identified by the unit's own staff).
OTHER_UNIT_DEVIATIONS = _deviations("other_unit_deviations")
EXTRA_ACTIONS = texts.strings(TEXTS, "extra_actions", placeholders=PLACEHOLDERS)
CLOSING_NOTES = texts.strings(TEXTS, "closing_notes")


class LexSarahText(NamedTuple):
    category: str  # the deviation category, when the report started as a deviation
    what: str
    remedy: str
    events: str
    client_view: str
    causes: str
    preventive: str
    serious: str | None = None  # the assessment if it is judged serious ("impropriety" or "risk"); None: never


def _lex_sarah_field(field: str, value: Any) -> Any:
    serious = (LexSarahReport.Assessment.IMPROPRIETY, LexSarahReport.Assessment.RISK)
    if field == "serious" and value not in serious:
        raise ValueError(f"serious must be one of {[str(s) for s in serious]} or left out")
    return value


LEX_SARAH = texts.records(TEXTS, "lex_sarah", LexSarahText, placeholders=PLACEHOLDERS, convert=_lex_sarah_field)
_REASONS = texts.mapping(TEXTS, "assessment_reasons", keys=LexSarahReport.Assessment.values, all_keys=True)
# In this order: the weights of the assessments that are not serious follow it (see _lex_sarah).
ASSESSMENT_REASONS = {
    assessment: _REASONS[assessment]
    for assessment in (
        LexSarahReport.Assessment.NOT_IMPROPRIETY,
        LexSarahReport.Assessment.IMPROPRIETY,
        LexSarahReport.Assessment.RISK,
    )
}
_SERIOUS = texts.mapping(TEXTS, "serious_reasons", keys=("impropriety", "risk"), all_keys=True)
SERIOUS_REASONS = {
    assessment: _SERIOUS[assessment]
    for assessment in (LexSarahReport.Assessment.IMPROPRIETY, LexSarahReport.Assessment.RISK)
}
DECISIONS = texts.strings(TEXTS, "decisions")


class FeedbackText(NamedTuple):
    description: str
    answer: str
    action: str  # "" when no action was taken


class _FeedbackEntry(NamedTuple):
    group: str  # feedback_staff or feedback_other
    category: str
    description: str
    answer: str
    action: str


FEEDBACK_CATEGORY_WEIGHTS: dict[tuple[str, str], int] = {
    (FEEDBACK_STAFF, "bemotande"): 20,
    (FEEDBACK_STAFF, "utebliven_insats"): 20,
    (FEEDBACK_STAFF, "information"): 12,
    (FEEDBACK_STAFF, "tillganglighet"): 7,
    (FEEDBACK_STAFF, "kompetens"): 10,
    (FEEDBACK_STAFF, "beslut"): 6,
    (FEEDBACK_STAFF, "fraga_ide"): 8,
    (FEEDBACK_STAFF, "halso_sjukvard"): 4,
    (FEEDBACK_STAFF, "annat"): 4,
    (FEEDBACK_OTHER, "teknik_it"): 5,
    (FEEDBACK_OTHER, "annat"): 4,
}


def _feedback_group(field: str, value: Any) -> Any:
    if field == "group":
        if value not in (FEEDBACK_STAFF, FEEDBACK_OTHER):
            raise ValueError(f"group must be {FEEDBACK_STAFF} or {FEEDBACK_OTHER}")
        return QualityCategory.Group(value)
    return value


def _feedback_texts() -> dict[tuple[str, str], tuple[FeedbackText, ...]]:
    grouped: dict[tuple[str, str], list[FeedbackText]] = {}
    for entry in texts.records(TEXTS, "feedback", _FeedbackEntry, placeholders=PLACEHOLDERS, convert=_feedback_group):
        grouped.setdefault((entry.group, entry.category), []).append(FeedbackText(*entry[2:]))
    texts.check_keys(TEXTS, "feedback", grouped, FEEDBACK_CATEGORY_WEIGHTS, "FEEDBACK_CATEGORY_WEIGHTS")
    return {key: tuple(items) for key, items in grouped.items()}


FEEDBACK_TEXTS = _feedback_texts()
PRAISE = texts.strings(TEXTS, "praise", placeholders=PLACEHOLDERS)
PRAISE_ANSWER = texts.text(TEXTS, "praise_answer")
OTHER_BODIES = texts.strings(TEXTS, "other_bodies")
OTHER_SENDERS = texts.strings(TEXTS, "other_senders")


class OtherProvider(NamedTuple):
    name: str
    complaint: str
    their_answer: str


# Fictitious providers ("Exempel"): complaints about them are forwarded, their written answer recorded.
OTHER_PROVIDERS = texts.records(TEXTS, "other_providers", OtherProvider, placeholders=PLACEHOLDERS)


class IncidentText(NamedTuple):
    what: str
    data: str
    people: str
    how_many: int
    consequences: str
    actions: str
    notify: bool  # notified to IMY, or judged unlikely to create a risk
    reason: str


INCIDENTS = texts.records(TEXTS, "incidents", IncidentText)


class RoutineText(NamedTuple):
    name: str
    process: str
    content: str


ROUTINES_REQUIRED = texts.records(TEXTS, "routines_required", RoutineText)
ROUTINES_EXTRA = texts.records(TEXTS, "routines_extra", RoutineText)


class SelfCheckText(NamedTuple):
    what: str
    method: str
    frequency: str
    computed: str = ""  # a code of bista.care.selfchecks, or ""


_MONTHLY, _TERTIAL, _YEARLY = (
    SelfCheckPlanItem.Frequency.MONTHLY,
    SelfCheckPlanItem.Frequency.TERTIAL,
    SelfCheckPlanItem.Frequency.YEARLY,
)
_COMPUTED = {value for name, value in vars(selfchecks.Check).items() if not name.startswith("_")}


def _self_check_field(field: str, value: Any) -> Any:
    if field == "frequency":
        return SelfCheckPlanItem.Frequency(value)
    if field == "computed" and value not in _COMPUTED:
        raise ValueError(f"computed must be one of {sorted(_COMPUTED)} or left out")
    return value


SELF_CHECKS_CORE = texts.records(TEXTS, "self_checks_core", SelfCheckText, convert=_self_check_field)
SELF_CHECKS_MORE = texts.records(TEXTS, "self_checks_more", SelfCheckText, convert=_self_check_field)


class _ManualResult(NamedTuple):
    check: str  # the `what` of a self-check that is not computed
    result: str
    actions: str


def _manual_results() -> dict[str, tuple[tuple[str, str], ...]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for entry in texts.records(TEXTS, "manual_results", _ManualResult):
        grouped.setdefault(entry.check, []).append((entry.result, entry.actions))
    by_hand = {text.what: None for text in SELF_CHECKS_CORE + SELF_CHECKS_MORE if not text.computed}
    texts.check_keys(TEXTS, "manual_results", grouped, by_hand, "the self-checks recorded by hand")
    return {check: tuple(results) for check, results in grouped.items()}


MANUAL_RESULTS = _manual_results()
texts.check_keys(
    TEXTS,
    "staff_deviations",
    {text.category: None for text in STAFF_DEVIATIONS},
    STAFF_CATEGORY_WEIGHTS,
    "STAFF_CATEGORY_WEIGHTS",
)


# --- People, clients, dates -------------------------------------------------------------------------------


def _employed(demo: DemoEmployee, day: datetime.date) -> bool:
    employee = demo.employee
    return employee.start_date <= day and (employee.end_date is None or employee.end_date >= day)


@dataclass
class People:
    """The provider unit's users who act in the quality system, and the clients records may be about."""

    chef: DemoEmployee
    deputies: list[DemoEmployee]
    deputy_by_team: dict[int, DemoEmployee]
    staff: list[DemoEmployee]  # who may report today (quality.report), with teams
    clients: list[DemoClient]  # current provider clients (not those with protected identity)
    clients_by_team: dict[int, list[DemoClient]] = field(default_factory=dict)

    @property
    def managers(self) -> list[DemoEmployee]:
        return [self.chef, *self.deputies]

    def managers_on(self, day: datetime.date) -> list[DemoEmployee]:
        return [m for m in self.managers if _employed(m, day)]

    def staff_on(self, day: datetime.date) -> list[DemoEmployee]:
        return [e for e in self.staff if _employed(e, day)]

    def handler(self, rng: random.Random, day: datetime.date, demo: DemoClient | None = None) -> Any:
        """Who handles a record on `day`: the client's deputy, else a manager employed then, else SYSTEM."""
        preferred = self.deputy_by_team.get(demo.team.pk) if demo and demo.team else None
        if preferred is not None and _employed(preferred, day):
            return preferred.user
        present = self.managers_on(day)
        return rng.choice(present).user if present else SYSTEM

    def clients_for(self, reporter: DemoEmployee | None, day: datetime.date) -> list[DemoClient]:
        """The clients a reporter worked with on `day` (a manager: all of the unit's)."""
        if reporter is None or not reporter.teams:
            pool = self.clients
        else:
            pool = [c for team in reporter.teams for c in self.clients_by_team.get(team.pk, [])]
        return [c for c in pool if c.since <= day]


def _people(d: DistrictData) -> People:
    chef_user = d.managers["provider"]
    with_account = [e for e in d.employees if e.user is not None and e.employee.unit_id == d.provider.pk]
    chef = next(e for e in with_account if e.user.pk == chef_user.pk)
    managers = [e for e in with_account if not e.teams and has_perm(e.user, Perm.QUALITY_MANAGE, d.provider.pk)]
    deputies = sorted((e for e in managers if e is not chef), key=lambda e: e.user.username)
    staff = [e for e in with_account if e.teams and has_perm(e.user, Perm.QUALITY_REPORT, d.provider.pk)]
    # The deputy responsible for each team, as in bista.demo.care.
    teams = sorted((t for t in d.teams.values() if t.unit_id == d.provider.pk), key=lambda t: t.name)
    responsible = deputies or [chef]
    clients = [c for c in d.clients if c.service is not None and c.until is None and not c.client.protected_identity]
    by_team: dict[int, list[DemoClient]] = {}
    for demo in clients:
        if demo.team is not None:
            by_team.setdefault(demo.team.pk, []).append(demo)
    return People(
        chef=chef,
        deputies=deputies,
        deputy_by_team={team.pk: responsible[i % len(responsible)] for i, team in enumerate(teams)},
        staff=staff,
        clients=clients,
        clients_by_team=by_team,
    )


class Categories:
    """The quality categories (reference data) and the row valid on a day."""

    def __init__(self) -> None:
        self.rows = list(QualityCategory.objects.all())

    def get(self, group: str, code: str, day: datetime.date) -> QualityCategory | None:
        for row in self.rows:
            valid = row.valid_from <= day and (row.valid_to is None or day < row.valid_to)
            if row.group == group and row.code == code and valid:
                return row
        return None

    def first_day(self) -> datetime.date | None:
        """The first day every group has a category (the quality register can classify from then)."""
        firsts: dict[str, datetime.date] = {}
        for row in self.rows:
            firsts[row.group] = min(firsts.get(row.group, row.valid_from), row.valid_from)
        return max(firsts.values()) if firsts else None


def _history_start(ctx: Context, categories: Categories) -> datetime.date:
    first = categories.first_day()
    return max(ctx.window_start, first) if first else ctx.window_start


def _at(rng: random.Random, day: datetime.date, first_hour: int = 7, last_hour: int = 21) -> datetime.datetime:
    """A moment on `day` (Stockholm time) between `first_hour` and `last_hour`:59."""
    moment = datetime.time(rng.randint(first_hour, last_hour), rng.randint(0, 59))
    return datetime.datetime.combine(day, moment, tzinfo=STOCKHOLM)


def _prorated(rng: random.Random, expected: float) -> int:
    whole = int(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _days_by_year(
    rng: random.Random, start: datetime.date, end: datetime.date, per_year: tuple[int, int]
) -> list[list[datetime.date]]:
    """Event days from `start` to `end` (both included), `per_year` (low, high) a year, prorated for the
    first and last (partial) years; one sorted list per year."""
    years: list[list[datetime.date]] = []
    for year in range(start.year, end.year + 1):
        first, last = max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31))
        if last < first:
            continue
        share = ((last - first).days + 1) / ((datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days)
        count = _prorated(rng, rng.randint(*per_year) * share)
        years.append(sorted(ids.random_date(rng, first, last) for _ in range(count)))
    return years


def _squeeze(days: Sequence[datetime.date | None], start: datetime.date, last: datetime.date) -> list[Any]:
    """`days` (on or after `start`) moved proportionally so that the latest falls on `last` at the latest."""
    latest = max((d for d in days if d is not None), default=start)
    if latest <= last:
        return list(days)
    span, total = (last - start).days, (latest - start).days
    return [None if d is None else start + datetime.timedelta(days=(d - start).days * span // total) for d in days]


def _values(rng: random.Random, demo: DemoClient | None) -> dict[str, str]:
    """The words a text template is filled with: the client's first name, the staff word, a time and a day."""
    name = demo.client.first_name if demo else "brukaren"
    genitive = name if name.endswith(("s", "x", "z")) else f"{name}s"
    staff = STAFF_WORD.get(demo.service or "", "medarbetaren") if demo else "medarbetaren"
    plural = {"assistenten": "assistenterna", "ledsagaren": "ledsagarna", "avlösaren": "avlösarna"}
    values = {
        "namn": name,
        "namns": genitive,
        "personal": staff,
        "personal_pl": plural.get(staff, "personalen"),
        "klocka": f"{rng.randint(7, 21)}.{rng.choice(('00', '15', '30', '45'))}",
        "veckodag": rng.choice(WEEKDAYS),
        "plats": rng.choice(PLACES),
    }
    return values | {key.capitalize(): value[0].upper() + value[1:] for key, value in values.items()}


def _fill(template: str, values: dict[str, str]) -> str:
    text = template.format(**values)
    return text[0].upper() + text[1:] if text else text


# --- Deviations ------------------------------------------------------------------------------------------


@dataclass
class _DeviationPlan:
    """The days of one deviation's handling (None: not done by today)."""

    classified: datetime.date | None
    analysed: datetime.date | None
    told_reporter: datetime.date | None
    told_client: datetime.date | None
    actions: list[tuple[datetime.date, datetime.date | None]]  # (due, done)
    closed: datetime.date | None


def _deviation_plan(
    rng: random.Random, day: datetime.date, today: datetime.date, *, with_client: bool, actions: int
) -> _DeviationPlan:
    """Classified within days, analysed within two weeks, actions within about a month, closed after them
    (some late). A deviation that would still be open today although reported four weeks ago or more is
    handled faster; the recent ones stay open at the step they have reached."""
    yesterday = today - DAY
    classified = day + DAY * rng.randint(0, 3)
    analysed = classified + DAY * rng.randint(1, 12)
    told_reporter = analysed + DAY * rng.randint(0, 6)
    told_client = analysed + DAY * rng.randint(0, 10) if with_client and rng.random() < 0.6 else None
    planned: list[tuple[datetime.date, datetime.date]] = []
    for _ in range(actions):
        due = analysed + DAY * rng.randint(7, 30)
        done = due + DAY * rng.randint(1, 20) if rng.random() < 0.1 else ids.random_date(rng, analysed, due)
        planned.append((due, done))
    closed = max([told_reporter, told_client or analysed, *(done for _, done in planned)]) + DAY * rng.randint(0, 5)
    if closed <= yesterday:
        return _DeviationPlan(classified, analysed, told_reporter, told_client, list(planned), closed)
    if day <= today - 28 * DAY:
        dues = [due for due, _ in planned]
        moved = _squeeze(
            [classified, analysed, told_reporter, told_client, *(done for _, done in planned), closed], day, yesterday
        )
        return _DeviationPlan(
            moved[0], moved[1], moved[2], moved[3], list(zip(dues, moved[4:-1], strict=True)), moved[-1]
        )
    # Recent and open: what is not done by yesterday is pending, and a pending action is not yet due.
    open_actions = [
        (due if done <= yesterday else max(due, today + DAY * rng.randint(3, 14)), done if done <= yesterday else None)
        for due, done in planned
    ]
    return _DeviationPlan(
        classified if classified <= yesterday else None,
        analysed if analysed <= yesterday else None,
        told_reporter if told_reporter <= yesterday else None,
        told_client if told_client and told_client <= yesterday else None,
        open_actions if analysed <= yesterday else [],
        None,
    )


def _pick_text(rng: random.Random, kind: str) -> DeviationText:
    if kind == "external":
        return rng.choice(EXTERNAL_DEVIATIONS)
    if kind == "other":
        return rng.choice(OTHER_UNIT_DEVIATIONS)
    codes = list(STAFF_CATEGORY_WEIGHTS)
    code = rng.choices(codes, weights=[STAFF_CATEGORY_WEIGHTS[c] for c in codes])[0]
    return rng.choice([t for t in STAFF_DEVIATIONS if t.category == code])


def _reporter(rng: random.Random, people: People, day: datetime.date, *, manager_share: float) -> DemoEmployee | None:
    """Who reports on `day`: mostly staff employed then; a manager now and then (or when no staff was)."""
    staff = people.staff_on(day)
    managers = people.managers_on(day)
    if managers and (not staff or rng.random() < manager_share):
        return rng.choice(managers)
    return rng.choice(staff) if staff else None


def _client_for(
    rng: random.Random, people: People, reporter: DemoEmployee | None, day: datetime.date, share: float
) -> DemoClient | None:
    pool = people.clients_for(reporter, day)
    return rng.choice(pool) if pool and rng.random() < share else None


def _reporter_and_client(
    rng: random.Random, people: People, day: datetime.date, *, manager_share: float, client_share: float
) -> tuple[DemoEmployee | None, DemoClient | None]:
    """Who reports on `day` and (with `client_share`) about which client: mostly staff employed then, about
    a client of their teams who is still with the unit; now and then (or when no such staff) a manager."""
    if rng.random() >= client_share:
        return _reporter(rng, people, day, manager_share=manager_share), None
    staff = [(e, pool) for e in people.staff_on(day) if (pool := people.clients_for(e, day))]
    managers, everyone = people.managers_on(day), people.clients_for(None, day)
    if staff and (not managers or not everyone or rng.random() >= manager_share):
        reporter, pool = rng.choice(staff)
        return reporter, rng.choice(pool)
    if managers and everyone:
        return rng.choice(managers), rng.choice(everyone)
    return _reporter(rng, people, day, manager_share=manager_share), None


@step("quality.deviations")
def create_deviations(ctx: Context) -> None:
    """Deviations through the years, mostly closed; the last weeks' open; one overdue today."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, categories = _people(d), Categories()
    start = _history_start(ctx, categories)
    for days in _days_by_year(rng, start, today - DAY, ctx.plan.district.deviations_per_year):
        # A few a year identified by an external partner, a few concerning another unit; the rest own staff.
        n = len(days)
        kinds = ["external"] * max(1, round(n * 0.1)) + ["other"] * max(1, round(n * 0.06)) if n >= 4 else []
        kinds += ["staff"] * (n - len(kinds))
        rng.shuffle(kinds)
        for day, kind in zip(days, kinds, strict=True):
            _deviation(ctx, people, categories, day, kind)
    # One deviation reported some six weeks ago is still under investigation (its action is due soon), and
    # one or two from the last days have not been looked at yet.
    day = today - DAY * rng.randint(38, 45)
    if day >= start:
        overdue = _DeviationPlan(
            classified=day + DAY,
            analysed=day + DAY * rng.randint(3, 6),
            told_reporter=None,
            told_client=None,
            actions=[(today + DAY * rng.randint(2, 6), None)],
            closed=None,
        )
        _deviation(ctx, people, categories, day, "staff", plan=overdue)
    for _ in range(rng.randint(1, 2)):
        day = today - DAY * rng.randint(1, 3)
        if day >= start:
            _deviation(ctx, people, categories, day, "staff", plan=_DeviationPlan(None, None, None, None, [], None))


def _deviation(
    ctx: Context,
    people: People,
    categories: Categories,
    day: datetime.date,
    kind: str,
    *,
    plan: _DeviationPlan | None = None,
) -> Deviation:
    d, rng, today = ctx.current, ctx.rng, ctx.today
    text = _pick_text(rng, kind)
    reporter, demo = _reporter_and_client(
        rng, people, day, manager_share=0.7 if kind == "external" else 0.08, client_share=0.85
    )
    values = _values(rng, demo)
    reported_at = _at(rng, day)
    if rng.random() < 0.8:
        occurred_at = reported_at - datetime.timedelta(minutes=rng.randint(10, 600))
    else:
        occurred_at = reported_at - HOUR * rng.randint(12, 96)
    deviation = quality.deviation_report(
        actor=reporter.user if reporter else SYSTEM,
        unit=d.provider,
        what_happened=_fill(text.what, values),
        occurred_at=occurred_at,
        client=demo.client if demo else None,
        reported_at=reported_at,
    )
    n_actions = rng.choices((0, 1, 2), weights=(10, 70, 20))[0] if text.action else 0
    if plan is None:
        plan = _deviation_plan(rng, day, today, with_client=demo is not None, actions=n_actions)
    if plan.classified is None:
        return deviation
    handler = people.handler(rng, plan.classified, demo)
    deviation = quality.deviation_update(
        actor=handler,
        deviation=deviation,
        expected_version=None,
        category=categories.get(DEVIATION, text.category, day),
        identified_by=text.identified_by,
        concerns=text.concerns,
        concerned_unit_name=text.other_unit,
        immediate_action=_fill(text.immediate, values),
    )
    if plan.analysed is None:
        return deviation
    deviation = quality.deviation_update(
        actor=handler,
        deviation=deviation,
        expected_version=None,
        analysis=_fill(text.analysis, values),
        feedback_to_reporter_on=plan.told_reporter if reporter is not None else None,
        feedback_to_client_on=plan.told_client,
    )
    descriptions = [text.action, *rng.sample(EXTRA_ACTIONS, 2)] if text.action else rng.sample(EXTRA_ACTIONS, 2)
    for index, (due, done) in enumerate(plan.actions):
        owner = (
            reporter
            if index and reporter is not None and reporter.teams
            else (people.deputy_by_team.get(demo.team.pk) if demo and demo.team else None) or people.chef
        )
        action = quality.deviation_action_add(
            actor=handler,
            deviation=deviation,
            description=_fill(descriptions[index % len(descriptions)], values),
            owner=owner.user,
            due_on=due,
        )
        if done is not None:
            quality.deviation_action_done(actor=owner.user, action=action, done_on=done)
    if plan.closed is None:
        return deviation
    closer = people.handler(rng, plan.closed, demo)
    closed_at = max(_at(rng, plan.closed, 8, 17), reported_at + HOUR)
    return quality.deviation_close(
        actor=closer,
        deviation=deviation,
        expected_version=None,
        closing_note=rng.choice(CLOSING_NOTES),
        closed_at=closed_at,
    )


# --- Lex Sarah ------------------------------------------------------------------------------------------


@step("quality.lex_sarah")
def create_lex_sarah(ctx: Context) -> None:
    """Two to five reports a year, some escalated from a deviation, about one a year serious and notified to
    IVO; and three open today: one overdue for investigation, one being investigated, one awaiting the
    decision after IVO was notified."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, categories = _people(d), Categories()
    start = _history_start(ctx, categories)
    history_end = today - DAY * 90  # the reports after that are the open ones below
    years = _days_by_year(rng, start, history_end, ctx.plan.district.lex_sarah_per_year)
    plans: list[tuple[datetime.date, bool]] = []  # (day, serious)
    for days in years:
        # About one serious report a year at size 1 (2–5 reports), fewer in a smaller unit.
        serious_index = rng.randrange(len(days)) if days and rng.random() < min(0.9, 0.28 * len(days)) else None
        plans += [(day, i == serious_index) for i, day in enumerate(days)]
    if plans and not any(serious for _, serious in plans):
        plans[0] = (plans[0][0], True)
    for day, serious in plans:
        _lex_sarah(ctx, people, categories, day, serious=serious, escalated=rng.random() < 0.3)
    # Open today.
    if today - DAY * 70 >= start:
        _lex_sarah(ctx, people, categories, today - DAY * rng.randint(50, 70), serious=True, stop_after="notified")
    if today - DAY * 25 >= start:
        _lex_sarah(ctx, people, categories, today - DAY * rng.randint(18, 25), serious=False, stop_after="remedied")
    if today - DAY * 6 >= start:
        _lex_sarah(
            ctx,
            people,
            categories,
            today - DAY * rng.randint(3, 6),
            serious=False,
            escalated=True,
            stop_after="remedied",
        )


def _lex_sarah(
    ctx: Context,
    people: People,
    categories: Categories,
    day: datetime.date,
    *,
    serious: bool,
    escalated: bool = False,
    stop_after: str | None = None,
) -> LexSarahReport:
    d, rng = ctx.current, ctx.rng
    text = rng.choice([t for t in LEX_SARAH if t.serious] if serious else LEX_SARAH)
    reporter, demo = _reporter_and_client(rng, people, day, manager_share=0.05, client_share=0.95)
    values = _values(rng, demo)
    reported_at = _at(rng, day)
    occurred_at = reported_at - datetime.timedelta(minutes=rng.randint(30, 60 * 30))
    actor = reporter.user if reporter else SYSTEM
    handler = people.handler(rng, day, demo)
    deviation: Deviation | None = None
    if escalated:
        # Reported as a deviation; the manager saw that it is a Lex Sarah matter and escalated it.
        deviation = quality.deviation_report(
            actor=actor,
            unit=d.provider,
            what_happened=_fill(text.what, values),
            occurred_at=occurred_at,
            client=demo.client if demo else None,
            reported_at=reported_at,
        )
        deviation = quality.deviation_update(
            actor=handler,
            deviation=deviation,
            expected_version=None,
            category=categories.get(DEVIATION, text.category, day),
            immediate_action=_fill(text.remedy, values),
        )
        reported_at = reported_at + HOUR * rng.randint(1, 5)
        report = quality.deviation_escalate(actor=handler, deviation=deviation, reported_at=reported_at)
    else:
        report = quality.lex_sarah_report(
            actor=actor,
            unit=d.provider,
            what_happened=_fill(text.what, values),
            occurred_at=occurred_at,
            client=demo.client if demo else None,
            reported_at=reported_at,
        )
    # The steps, each at its moment: registered genast, remedied without delay, investigated within about
    # two weeks (some later), assessed, notified to IVO within days if serious, decided.
    if stop_after is not None:  # open today: registered and remedied within hours
        registered = reported_at + HOUR * rng.randint(1, 6)
        remedied = registered + datetime.timedelta(minutes=rng.randint(20, 180))
    else:
        late = rng.random() < 0.1
        registered = reported_at + (HOUR * rng.randint(26, 60) if late else HOUR * rng.randint(1, 18))
        remedied = registered + datetime.timedelta(minutes=rng.randint(20, 600))
    investigated = _at(rng, registered.date() + DAY * rng.randint(6, 14 if rng.random() < 0.85 else 28), 8, 17)
    assessed = max(_at(rng, investigated.date() + DAY * rng.randint(0, 3), 8, 17), investigated + HOUR)
    notified = assessed.date() + DAY * rng.randint(1, 6)
    closed = _at(rng, (notified if serious else assessed.date()) + DAY * rng.randint(1, 10), 8, 17)
    informed = investigated.date() - DAY * rng.randint(0, 3) if demo else None

    def take(step_name: str, at: datetime.datetime, **step_values: Any) -> LexSarahReport:
        return quality.lex_sarah_step(
            actor=people.handler(rng, at.date(), demo),
            report=report,
            step=step_name,
            expected_version=None,
            at=at,
            **step_values,
        )

    steps = ["registered", "remedied", "investigated", "assessed", "notified", "closed"]
    for step_name in steps[: steps.index(stop_after) + 1] if stop_after else steps:
        if step_name == "registered":
            report = take("registered", registered)
        elif step_name == "remedied":
            report = take("remedied", remedied, remedy=_fill(text.remedy, values))
        elif step_name == "investigated":
            report = take(
                "investigated",
                investigated,
                investigation_events=_fill(text.events, values),
                client_view=_fill(text.client_view, values),
                causes=_fill(text.causes, values),
                preventive_actions=_fill(text.preventive, values),
                client_informed_on=informed,
            )
        elif step_name == "assessed":
            if serious:
                assessment = text.serious or LexSarahReport.Assessment.IMPROPRIETY
                reason = SERIOUS_REASONS[LexSarahReport.Assessment(assessment)]
            else:
                assessment = rng.choices(list(ASSESSMENT_REASONS), weights=(55, 25, 20))[0]
                reason = ASSESSMENT_REASONS[LexSarahReport.Assessment(assessment)]
            report = take("assessed", assessed, assessment=assessment, serious=serious, assessment_reason=reason)
        elif step_name == "notified":
            if serious:
                reference = f"3.1.2-{rng.randint(10000, 99999)}/{notified.year}"
                report = take(
                    "notified",
                    _at(rng, notified, 8, 17),
                    ivo_notified_on=notified,
                    ivo_reference=reference,
                )
        else:
            decision = rng.choice(DECISIONS)
            if serious:
                decision += f" Anmält till IVO ({report.ivo_reference})."
            report = take("closed", closed, decision=decision, decided_on=closed.date())
    if deviation is not None and report.investigated_at is not None:
        # The deviation is analysed by the Lex Sarah investigation and closed with it.
        deviation = quality.deviation_update(
            actor=handler,
            deviation=deviation,
            expected_version=None,
            analysis="Utreds som lex Sarah-rapport; orsaker och åtgärder finns i utredningen.",
            feedback_to_reporter_on=local_date(report.investigated_at) if reporter else None,
        )
        quality.deviation_close(
            actor=people.handler(rng, local_date(report.investigated_at), demo),
            deviation=deviation,
            expected_version=None,
            closing_note="Hanterad som lex Sarah-ärende.",
            closed_at=report.investigated_at + HOUR,
        )
    return report


# --- Feedback --------------------------------------------------------------------------------------------


@dataclass
class _FeedbackSpec:
    day: datetime.date
    kind: str
    source: str
    other_provider: OtherProvider | None = None
    pending: bool = False  # received lately and not yet answered


def _feedback_specs(rng: random.Random, years: list[list[datetime.date]]) -> list[_FeedbackSpec]:
    """Kind and source of each item, with every kind and source present and about one complaint a year about
    another provider."""
    specs: list[_FeedbackSpec] = []
    kinds = Feedback.Kind
    sources = Feedback.Source
    for days in years:
        year_specs = []
        for day in days:
            kind = rng.choices((kinds.OPINION, kinds.COMPLAINT, kinds.PRAISE), weights=(35, 40, 25))[0]
            if kind == kinds.PRAISE:
                source = rng.choices(
                    (sources.CLIENT, sources.RELATIVE, sources.OTHER, sources.OTHER_BODY), weights=(35, 45, 15, 5)
                )[0]
            else:
                source = rng.choices(
                    (sources.CLIENT, sources.RELATIVE, sources.ANONYMOUS, sources.OTHER_BODY, sources.OTHER),
                    weights=(25, 40, 12, 10, 13),
                )[0]
            year_specs.append(_FeedbackSpec(day, kind, source))
        # About one complaint a year concerns another provider (from the client or a relative).
        if len(year_specs) >= 4 and rng.random() < 0.8:
            spec = rng.choice(year_specs[: max(1, len(year_specs) - 2)])
            spec.kind, spec.source = kinds.COMPLAINT, rng.choice((sources.CLIENT, sources.RELATIVE))
            spec.other_provider = rng.choice(OTHER_PROVIDERS)
        specs += year_specs
    if len(specs) >= 10:
        settled = specs[:-3]  # the last ones may be open today
        if not any(s.other_provider for s in settled):
            spec = rng.choice(settled)
            spec.kind, spec.source = kinds.COMPLAINT, sources.RELATIVE
            spec.other_provider = rng.choice(OTHER_PROVIDERS)
        plain = [s for s in settled if s.other_provider is None]
        for missing_kind in kinds.values:
            if not any(s.kind == missing_kind for s in specs) and plain:
                spec = plain.pop(rng.randrange(len(plain)))
                spec.kind = missing_kind
                spec.source = sources.RELATIVE
        for missing_source in sources.values:
            if not any(s.source == missing_source for s in specs) and plain:
                spec = plain.pop(rng.randrange(len(plain)))
                spec.source = missing_source
                if missing_source == sources.ANONYMOUS and spec.kind == kinds.PRAISE:
                    spec.kind = kinds.OPINION
    return specs


@step("quality.feedback")
def create_feedback(ctx: Context) -> None:
    """Synpunkter, klagomål and beröm through the years: answered within about two weeks, acted on, closed;
    the last two weeks' still open."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people, categories = _people(d), Categories()
    start = _history_start(ctx, categories)
    years = _days_by_year(rng, start, today - DAY, ctx.plan.district.feedback_per_year)
    contacts: dict[int, list[str]] = {}
    for client_id, name, relation in ClientContact.objects.filter(
        client__in=[c.client for c in people.clients], is_active=True
    ).values_list("client_id", "name", "relation"):
        contacts.setdefault(client_id, []).append(f"{name} ({relation})" if relation else name)
    specs = _feedback_specs(rng, years)
    # A complaint from the last days waits for its answer (due within two weeks).
    day = today - DAY * rng.randint(2, 6)
    if day >= start:
        specs.append(_FeedbackSpec(day, Feedback.Kind.COMPLAINT, Feedback.Source.RELATIVE, pending=True))
    for spec in specs:
        _feedback(ctx, people, categories, spec, contacts)


def _feedback(
    ctx: Context, people: People, categories: Categories, spec: _FeedbackSpec, contacts: dict[int, list[str]]
) -> Feedback:
    d, rng, today = ctx.current, ctx.rng, ctx.today
    yesterday = today - DAY
    kinds, sources = Feedback.Kind, Feedback.Source
    day = spec.day
    actor = people.handler(rng, day)
    share: dict[str, float] = {sources.CLIENT: 0.9, sources.RELATIVE: 0.95, sources.OTHER_BODY: 0.5, sources.OTHER: 0.4}
    demo = _client_for(rng, people, None, day, share.get(spec.source, 0.0))
    if spec.other_provider is not None and demo is None:
        demo = _client_for(rng, people, None, day, 1.0)
    values = _values(rng, demo)
    if spec.source == sources.CLIENT:
        sender = demo.client.full_name if demo else ""
    elif spec.source == sources.RELATIVE:
        sender = rng.choice(contacts.get(demo.client.pk, ["Anhörig"])) if demo else "Anhörig"
    elif spec.source == sources.OTHER_BODY:
        sender = rng.choice(OTHER_BODIES)
    elif spec.source == sources.OTHER:
        sender = rng.choice(OTHER_SENDERS)
    else:
        sender = ""
    category = None
    text: FeedbackText | None = None
    if spec.kind == kinds.PRAISE:
        description = _fill(rng.choice(PRAISE), values)
    elif spec.other_provider is not None:
        category = categories.get(FEEDBACK_STAFF, "utebliven_insats", day)
        description = _fill(spec.other_provider.complaint, values)
    else:
        keys = list(FEEDBACK_CATEGORY_WEIGHTS)
        group, code = rng.choices(keys, weights=[FEEDBACK_CATEGORY_WEIGHTS[k] for k in keys])[0]
        category = categories.get(group, code, day)
        text = rng.choice(FEEDBACK_TEXTS[(group, code)])
        description = _fill(text.description, values)
    feedback = quality.feedback_register(
        actor=actor,
        unit=d.provider,
        kind=spec.kind,
        source=spec.source,
        received_on=day,
        description=description,
        sender_name=sender,
        client=demo.client if demo else None,
        category=category,
        other_provider=spec.other_provider.name if spec.other_provider else "",
    )
    if spec.pending:
        return feedback
    # The days: forwarded and answered by the other provider; our answer within about two weeks; the action.
    forwarded = day + DAY * rng.randint(1, 4) if spec.other_provider else None
    their_answer = forwarded + DAY * rng.randint(7, 25) if forwarded else None
    if spec.source == sources.ANONYMOUS:
        answered = None  # nobody to answer
    elif their_answer is not None:
        answered = their_answer + DAY * rng.randint(1, 5)
    else:
        answered = day + DAY * (rng.randint(1, 13) if rng.random() < 0.9 else rng.randint(15, 30))
    acted = None
    if spec.kind != kinds.PRAISE and (spec.other_provider or (text and text.action and rng.random() < 0.8)):
        acted = (answered or day) + DAY * rng.randint(0, 20)
    last = max(x for x in (day, forwarded, their_answer, answered, acted) if x is not None)
    closed_on = last + DAY * rng.randint(0, 7)
    closed: datetime.date | None = closed_on
    if closed_on > yesterday:
        if day <= today - 14 * DAY:
            forwarded, their_answer, answered, acted, closed = _squeeze(
                [forwarded, their_answer, answered, acted, closed], day, yesterday
            )
        else:  # received in the last two weeks: what is not done by yesterday is pending
            forwarded, their_answer, answered, acted = (
                x if x is not None and x <= yesterday else None for x in (forwarded, their_answer, answered, acted)
            )
            closed = None
    handler = people.handler(rng, day, demo)
    if forwarded is not None:
        feedback = quality.feedback_update(
            actor=handler, feedback=feedback, expected_version=None, forwarded_on=forwarded
        )
    if their_answer is not None and spec.other_provider is not None:
        feedback = quality.feedback_update(
            actor=handler,
            feedback=feedback,
            expected_version=None,
            other_provider_answer=_fill(spec.other_provider.their_answer, values),
            other_provider_answered_on=their_answer,
        )
    changes: dict[str, Any] = {}
    if answered is not None:
        if spec.kind == kinds.PRAISE:
            changes |= {"answer": PRAISE_ANSWER, "answered_on": answered}
        elif spec.other_provider is not None:
            changes |= {
                "answer": f"Vi har vidarebefordrat klagomålet till {spec.other_provider.name}, som har svarat: "
                + _fill(spec.other_provider.their_answer, values),
                "answered_on": answered,
            }
        elif text is not None:
            changes |= {"answer": _fill(text.answer, values), "answered_on": answered}
    if acted is not None:
        action = text.action if text and text.action else "Uppföljning med den andra utföraren om tre månader."
        changes |= {"action_taken": _fill(action, values), "action_taken_on": acted}
    if changes:
        feedback = quality.feedback_update(actor=handler, feedback=feedback, expected_version=None, **changes)
    if closed is not None:
        feedback = quality.feedback_close(
            actor=people.handler(rng, closed, demo),
            feedback=feedback,
            expected_version=None,
            closed_at=_at(rng, closed, 8, 17),
        )
    return feedback


# --- Personal data incidents -------------------------------------------------------------------------------


@step("quality.incidents")
def create_incidents(ctx: Context) -> None:
    """Rare incidents, each with an IMY decision within 72 hours (one late); one from yesterday undecided."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    start = _history_start(ctx, Categories())
    history_end = today - DAY * 14
    days: list[datetime.date] = []
    for year in range(start.year, history_end.year + 1):
        first, last = max(start, datetime.date(year, 1, 1)), min(history_end, datetime.date(year, 12, 31))
        if last < first:
            continue
        share = ((last - first).days + 1) / 365
        count = _prorated(rng, rng.choices((0, 1, 2), weights=(30, 50, 20))[0] * share)
        days += [ids.random_date(rng, first, last) for _ in range(count)]
    while len(days) < 2 and history_end > start:  # at least two, so the history shows both decisions
        days.append(ids.random_date(rng, start, history_end))
    days.sort()
    late = rng.randrange(len(days)) if days else -1
    texts = rng.sample(INCIDENTS, len(INCIDENTS))
    # Both decisions appear in the history: the second incident is of the other kind than the first.
    other = next(i for i, text in enumerate(texts) if text.notify != texts[0].notify)
    texts[1], texts[other] = texts[other], texts[1]
    for index, day in enumerate(days):
        _incident(ctx, people, _at(rng, day), texts[index % len(texts)], late=index == late)
    # Discovered yesterday afternoon: the 72 hours are running.
    discovered = _at(rng, today - DAY, 13, 16)
    _incident(ctx, people, discovered, rng.choice(INCIDENTS), decide=False)


def _incident(
    ctx: Context,
    people: People,
    discovered: datetime.datetime,
    text: IncidentText,
    *,
    late: bool = False,
    decide: bool = True,
) -> DataIncident:
    d, rng = ctx.current, ctx.rng
    day = discovered.date()
    actor = people.handler(rng, day)
    happened = discovered - HOUR * rng.randint(1, 240)
    incident = quality.incident_register(
        actor=actor,
        unit=d.provider,
        what_happened=text.what,
        happened_at=happened,
        discovered_at=discovered,
        ended_at=discovered + HOUR * rng.randint(0, 3) if decide else discovered,
        data_affected=text.data,
        people_affected=text.people,
        people_affected_count=text.how_many,
        consequences=text.consequences,
        actions=text.actions,
    )
    if not decide:
        return incident
    decided = discovered + (HOUR * rng.randint(80, 110) if late else HOUR * rng.randint(2, 60))
    if text.notify:
        notified = decided + datetime.timedelta(minutes=rng.randint(10, 240))
        incident = quality.incident_decide_imy(
            actor=actor,
            incident=incident,
            expected_version=None,
            decision=DataIncident.ImyDecision.NOTIFY,
            reason="Incidenten kan medföra risk för de registrerades rättigheter och friheter.",
            notified_at=notified,
            reference=f"IMY-{notified.year}-{rng.randint(1000, 19999)}",
            decided_at=decided,
        )
        incident = quality.incident_update(
            actor=actor,
            incident=incident,
            expected_version=None,
            people_informed_on=notified.date() + DAY * rng.randint(0, 5),
        )
    else:
        incident = quality.incident_decide_imy(
            actor=actor,
            incident=incident,
            expected_version=None,
            decision=DataIncident.ImyDecision.NO_RISK,
            reason=text.reason,
            decided_at=decided,
        )
    return incident


# --- Routines and the self-check plan ----------------------------------------------------------------------


@step("quality.routines")
def create_routines(ctx: Context) -> None:
    """The routines register: adopted when the quality history begins, reviewed about yearly by their owner;
    one or two overdue for review today."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    start = _history_start(ctx, Categories())
    chosen = list(ROUTINES_REQUIRED) + rng.sample(ROUTINES_EXTRA, rng.randint(0, 3))
    overdue = set(rng.sample(range(len(chosen)), rng.randint(1, 2)))
    for index, text in enumerate(chosen):
        owner = people.chef if index < 4 or not people.deputies else rng.choice(people.managers)
        adopted = min(today - DAY, start + DAY * rng.randint(0, 180))
        reviews: list[datetime.date] = []
        last = adopted
        while True:
            following = ids.random_date(rng, add_months(last, 10), add_months(last, 12) - DAY)
            if following >= today:
                break
            reviews.append(following)
            last = following
        if index in overdue:
            while reviews and add_months(reviews[-1], 12) >= today - DAY * 20:
                reviews.pop()
        routine = quality.routine_create(
            actor=owner.user,
            unit=d.provider,
            name=text.name,
            process=text.process,
            owner=owner.user,
            version_label="1.0",
            content=text.content,
            adopted_on=adopted,
            reviewed_on=adopted,
        )
        major, minor = 1, 0
        for review in reviews:
            if rng.random() < 0.12:
                major, minor = major + 1, 0
                content = f"{text.content}\nReviderad {review.isoformat()}: nya ansvarsfördelningen förtydligad."
            else:
                minor += 1
                content = routine.content
            routine = quality.routine_update(
                actor=owner.user,
                routine=routine,
                expected_version=None,
                reviewed_on=review,
                version_label=f"{major}.{minor}",
                content=content,
            )


@step("quality.self_checks")
def create_self_checks(ctx: Context) -> None:
    """The self-check plan with a result each period, recorded by the person responsible (or another manager
    employed then); computed checks record the figures `bista.care.selfchecks` computes for the period."""
    d, rng, today = ctx.current, ctx.rng, ctx.today
    people = _people(d)
    start = _history_start(ctx, Categories())
    items = list(SELF_CHECKS_CORE) + rng.sample(SELF_CHECKS_MORE, rng.randint(3, 5))
    computed: dict[tuple[datetime.date, datetime.date], dict[str, selfchecks.SelfCheck]] = {}
    for text in items:
        responsible = rng.choice(people.deputies) if people.deputies and text.frequency != _YEARLY else people.chef
        item = quality.self_check_item_create(
            actor=people.chef.user,
            unit=d.provider,
            what=text.what,
            method=text.method,
            frequency=text.frequency,
            responsible=responsible.user,
            computed_check=text.computed,
        )
        for period_start, period_end in _periods(text.frequency, start, today):
            performed = period_end + DAY * rng.randint(1, 12)
            if performed >= today:
                continue
            recorder = responsible if _employed(responsible, performed) else None
            if recorder is None:
                present = people.managers_on(performed)
                if not present:
                    continue  # nobody who is in the system today did the check then
                recorder = rng.choice(present)
            if text.computed:
                key = (period_start, period_end)
                if key not in computed:
                    computed[key] = {
                        check.code: check
                        for check in selfchecks.self_checks(
                            SYSTEM, unit_id=d.provider.pk, start=period_start, end=period_end, today=today
                        )
                    }
                result, actions = _computed_result(computed[key][text.computed], period_end)
            else:
                result, actions = rng.choice(MANUAL_RESULTS[text.what])
            quality.self_check_result_record(
                actor=recorder.user, item=item, performed_on=performed, result=result, actions=actions
            )


def _periods(frequency: str, start: datetime.date, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The whole periods of `frequency` that began on or after `start` and ended before `today`."""
    periods: list[tuple[datetime.date, datetime.date]] = []
    for year in range(start.year, today.year + 1):
        if frequency == _MONTHLY:
            bounds = [(datetime.date(year, m, 1), add_months(datetime.date(year, m, 1), 1) - DAY) for m in range(1, 13)]
        elif frequency == _TERTIAL:
            bounds = [tertial_bounds(year, t) for t in (1, 2, 3)]
        else:
            bounds = [(datetime.date(year, 1, 1), datetime.date(year, 12, 31))]
        periods += [(first, last) for first, last in bounds if first >= start and last < today]
    return periods


def _computed_result(check: selfchecks.SelfCheck, period_end: datetime.date) -> tuple[str, str]:
    if not check.denominator:
        return f"{check.name}: inget att räkna under perioden.", ""
    share = round(100 * check.numerator / check.denominator)
    women, men = check.by_gender[selfchecks.WOMEN], check.by_gender[selfchecks.MEN]
    result = (
        f"{check.name} (t.o.m. {period_end.isoformat()}): {check.numerator} av {check.denominator} "
        f"{check.unit} ({share} %). Kvinnor {women[0]} av {women[1]}, män {men[0]} av {men[1]}."
    )
    if check.numerator == check.denominator:
        return result, ""
    return result, "Genomgång med ansvariga biträdande enhetschefer; det som saknas åtgärdas inom en månad."
