"""The plain, immutable facts the pure rostering code works on: no ORM objects, no database.

`bista.rostering.loaders` builds them from the records; the rule checker (`rules.py`), the needs
expansion (`needs.py`) and the optimiser (`optimiser.py`) take only these. Times are aware datetimes;
a length of time is always elapsed time (so a 22–07 night across a daylight-saving change is 8 or 10 hours).
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field

from bista.core.clock import STOCKHOLM


class Kind(enum.StrEnum):
    """Kinds of time (the values of rostering.models.ShiftKind)."""

    ACTIVE = "active"  # aktiv tid: ordinary working time
    ON_CALL = "on_call"  # jour at the workplace: counts for pass length and rest, not as ordinary hours
    STANDBY = "standby"  # beredskap elsewhere: only never overlapping another shift


@dataclass(frozen=True)
class Limits:
    """The limits of a working-time regime version (staff.WorkingTimeRegime)."""

    daily_rest: datetime.timedelta
    weekly_rest: datetime.timedelta
    max_pass: datetime.timedelta
    max_pass_with_exception: datetime.timedelta
    ordinary_hours_per_week: float  # at full time (100 %)
    max_average_hours_per_week: float  # including overtime, over `averaging_period_months`
    averaging_period_months: int
    max_overtime_hours_per_year: float


@dataclass(frozen=True)
class Period:
    """Dates from `start` to `end`, both included, in Europe/Stockholm."""

    start: datetime.date
    end: datetime.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def weeks(self) -> float:
        return self.days / 7

    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.start, datetime.time(0), tzinfo=STOCKHOLM)

    def ends_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time(0), tzinfo=STOCKHOLM)


@dataclass(frozen=True)
class AbsenceFact:
    starts_on: datetime.date
    ends_on: datetime.date | None  # None: ongoing
    kind: str  # staff.Absence.Kind value
    extent: float = 100.0  # percent; a partial absence does not forbid work

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class DelegationFact:
    kind_code: str
    client_id: int | None  # None: all the employee's clients
    valid_from: datetime.date
    valid_until: datetime.date  # inclusive; revocation already applied by the loader


@dataclass(frozen=True)
class ExceptionFact:
    """A registered local exception allowing passes up to Limits.max_pass_with_exception."""

    id: int
    client_id: int | None  # None: at every client
    valid_from: datetime.date
    valid_to: datetime.date  # inclusive


@dataclass(frozen=True)
class EmployeeFacts:
    employee_id: int
    name: str
    gender: str  # "K", "M", "X" or "" (core.people.Gender values)
    limits: Limits
    employment_rate: float  # percent of full time; an hourly-paid employee's contract is 0
    hourly_paid: bool
    team_ids: frozenset[int]
    competence_codes: frozenset[str] = frozenset()
    delegations: tuple[DelegationFact, ...] = ()
    absences: tuple[AbsenceFact, ...] = ()
    exceptions: tuple[ExceptionFact, ...] = ()
    # Overtime already worked this calendar year before the checked shifts (for the 200 h a year).
    overtime_hours_before: float = 0.0
    introduced_client_ids: frozenset[int] = frozenset()

    def contracted_hours(self, period: Period) -> float:
        """Ordinary hours the contract gives for the period (40 h × rate × weeks at full time)."""
        return self.limits.ordinary_hours_per_week * self.employment_rate / 100 * period.weeks


@dataclass(frozen=True)
class ClientFacts:
    client_id: int
    name: str  # initials in explanations shown outside the client's team
    team_ids: frozenset[int]
    required_competences: frozenset[str] = frozenset()
    required_delegations: frozenset[str] = frozenset()
    excluded_employee_ids: frozenset[int] = frozenset()
    chosen_employee_ids: frozenset[int] = frozenset()
    preferred_gender: str = ""  # "K", "M" or "" (no preference)
    # Hours the decisions grant for the period (all orders, double staffing counted per person); None: no limit.
    granted_hours: float | None = None


@dataclass(frozen=True)
class ShiftFact:
    """A shift, stored or proposed. `key` identifies it in violations (the shift id, or a proposal key)."""

    key: str
    client_id: int
    employee_id: int | None  # None: an open (unassigned) shift
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    kind: Kind = Kind.ACTIVE
    is_overtime: bool = False
    published: bool = False  # published shifts are frozen: the optimiser keeps them as they are

    @property
    def duration(self) -> datetime.timedelta:
        # Subtract in UTC: two Stockholm wall-clock times would be subtracted on the wall clock across DST.
        return self.ends_at.astimezone(datetime.UTC) - self.starts_at.astimezone(datetime.UTC)

    @property
    def hours(self) -> float:
        return self.duration.total_seconds() / 3600

    @property
    def counts_as_work(self) -> bool:
        """Work for rest and pass length: active time and jour, not beredskap."""
        return self.kind in (Kind.ACTIVE, Kind.ON_CALL)


@dataclass(frozen=True)
class NeedSlot:
    """One piece of a client's staffing need to be covered by `staff_count` shifts of the same times."""

    key: str
    client_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    staff_count: int = 1
    kind: Kind = Kind.ACTIVE
    source: str = ""  # "pattern:<id>" or "occasion:<id>"

    @property
    def hours(self) -> float:
        return (self.ends_at.astimezone(datetime.UTC) - self.starts_at.astimezone(datetime.UTC)).total_seconds() / 3600


@dataclass(frozen=True)
class Violation:
    """A rule a shift or roster does not keep, explained in Swedish for the person who must act."""

    rule: str  # one of rules.RULES
    message: str
    employee_id: int | None = None
    client_id: int | None = None
    shift_keys: tuple[str, ...] = ()
    hard: bool = True  # a hard rule refuses a save unless a registered exception covers it


@dataclass(frozen=True)
class Weights:
    """The optimiser's soft goals; a manager tunes them per job (RosterJob.weights). Higher = matters more."""

    chosen_staff: int = 5  # per shift at a client by someone the client has not chosen (when choices exist)
    continuity: int = 20  # per distinct employee at a client in the period
    contract_deviation: int = 2  # per hour below or above an employee's contracted hours
    hourly_paid: int = 6  # per hour worked by hourly-paid staff
    overtime: int = 8  # per overtime hour
    fairness: int = 3  # per night or weekend shift above the fair share
    gender_preference: int = 10  # per shift by staff of another gender than the client prefers

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> Weights:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{k: int(v) for k, v in values.items() if k in known})  # type: ignore[call-overload]


@dataclass(frozen=True)
class Instance:
    """Everything the optimiser needs for one unit and period."""

    period: Period
    needs: tuple[NeedSlot, ...]
    employees: tuple[EmployeeFacts, ...]
    clients: tuple[ClientFacts, ...]
    fixed_shifts: tuple[ShiftFact, ...] = ()  # published (frozen) shifts in and around the period
    weights: Weights = field(default_factory=Weights)
