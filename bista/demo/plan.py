"""How much the demo generator makes: a pure function of scale, years and size, testable without a database.

The figures at size 1 follow the seed documents (DOMAIN.md §1): the provider unit has about 200 clients
(10 personal-assistance cases, each with its own team of 8–12 assistants; ledsagning, avlösning and
kontaktperson) and 240 staff, of whom 1 unit manager, 3 deputies and 2 administrators; the purchaser unit
has 1,564 current clients (290 children 0–20, 812 adults 21–65, 462 in socialpsykiatri) and 33 case
officers. The provider's clients are among the purchaser's (they were decided there). On top of the
current records come those that ended during the `years` of history.
"""

from __future__ import annotations

from dataclasses import dataclass

from bista.demo.names import STOCKHOLM_DISTRICTS

SCALES = ("unit", "city")

# Per year of history, the share of today's records that ended during that year (turnover).
CLIENT_TURNOVER_PER_YEAR = 0.05
ASSISTANCE_TURNOVER_PER_YEAR = 0.03
EMPLOYEE_TURNOVER_PER_YEAR = 0.06
PROTECTED_SHARE = 0.01

# Provider clients by service and age group (children 0–20, adults 21–65+): respite (avlösning) is mostly
# for children cared for by their parents, ledsagning mostly for adults.
PROVIDER_CHILD_SHARE = {"assistance": 0.3, "escort": 0.1, "respite": 0.8, "contact_person": 0.25}


def scaled(count: int, size: float, minimum: int = 1) -> int:
    """`count` × `size`, rounded, but never below `minimum` (so that every kind of record exists)."""
    return max(minimum, round(count * size))


@dataclass(frozen=True)
class DistrictPlan:
    """Counts for one district committee with one provider and one purchaser unit."""

    # Provider unit (Enheten för personligt stöd): current clients by service.
    assistance_clients: int
    team_size_min: int
    team_size_max: int
    escort_clients: int
    escort_groups: int
    respite_clients: int
    contact_person_clients: int
    # Provider staff employed today, managers included.
    provider_staff: int
    deputy_managers: int
    administrators: int
    # Purchaser unit (Beställarenheten funktionsnedsättning): current clients by group, provider's included.
    purchaser_children: int
    purchaser_adults: int
    purchaser_psychiatry: int
    case_officers: int
    # History: records that ended during the years.
    ended_assistance_clients: int
    ended_provider_clients: int
    ended_purchaser_clients: int
    ended_provider_staff: int
    ended_case_officers: int
    # Provider-chain history (bista.demo.care): the one client whose journal has thousands of entries, and how
    # many orders (first contact), plans and home binders are overdue today.
    busy_journal_entries: int
    overdue_first_contacts: int
    overdue_plan_reviews: int
    overdue_binder_reviews: int
    # Quality history (bista.demo.quality): events a year as (low, high).
    deviations_per_year: tuple[int, int]
    lex_sarah_per_year: tuple[int, int]
    feedback_per_year: tuple[int, int]
    # Staff and rostering history (bista.demo.rostering): what "Att göra" shows today (current employees whose
    # yearly appraisal is overdue, delegations expiring within 30 days, a delegation that ran out and was not
    # renewed) and how many times a client has said that an employee is not to work with them.
    overdue_appraisals: int = 0
    expiring_delegations: int = 0
    expired_delegations: int = 0
    staff_exclusions: int = 0

    @property
    def provider_clients(self) -> int:
        return self.assistance_clients + self.escort_clients + self.respite_clients + self.contact_person_clients

    @property
    def purchaser_clients(self) -> int:
        return self.purchaser_children + self.purchaser_adults + self.purchaser_psychiatry

    @property
    def provider_managers(self) -> int:
        return 1 + self.deputy_managers + self.administrators

    def provider_children(self) -> dict[str, int]:
        """Current provider clients aged 0–20, by service."""
        counts = {
            "assistance": self.assistance_clients,
            "escort": self.escort_clients,
            "respite": self.respite_clients,
            "contact_person": self.contact_person_clients,
        }
        return {service: round(n * PROVIDER_CHILD_SHARE[service]) for service, n in counts.items()}


@dataclass(frozen=True)
class Plan:
    scale: str
    years: int
    size: float
    districts: tuple[str, ...]
    district: DistrictPlan

    @property
    def current_clients(self) -> int:
        """Clients active today, over all districts (provider clients are counted once)."""
        return len(self.districts) * self.district.purchaser_clients

    @property
    def ended_clients(self) -> int:
        d = self.district
        return len(self.districts) * (d.ended_assistance_clients + d.ended_provider_clients + d.ended_purchaser_clients)

    @property
    def current_employees(self) -> int:
        return len(self.districts) * (self.district.provider_staff + 1 + self.district.case_officers)


def make_plan(*, scale: str = "unit", years: int = 10, size: float = 1.0) -> Plan:
    """The counts for a run. `size` scales every count (tests use e.g. 0.05); at 1 they match the seeds."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    if years < 1:
        raise ValueError("years must be at least 1")
    if size <= 0:
        raise ValueError("size must be positive")
    districts = tuple(g.name for g in (STOCKHOLM_DISTRICTS[:1] if scale == "unit" else STOCKHOLM_DISTRICTS))

    assistance = scaled(10, size)
    escort = scaled(100, size)
    respite = scaled(50, size)
    contact = scaled(40, size)
    team_min = scaled(8, size, minimum=2)
    team_max = max(team_min, scaled(12, size, minimum=2))
    deputies = scaled(3, size)
    administrators = scaled(2, size)
    escort_groups = 2 if escort >= 60 else 1
    # Enough staff for every team at its largest and one in each ledsagning/avlösning group.
    provider_staff = max(scaled(240, size), 1 + deputies + administrators + assistance * team_max + escort_groups + 1)

    children = scaled(290, size)
    adults = scaled(812, size)
    psychiatry = scaled(462, size)
    district = DistrictPlan(
        assistance_clients=assistance,
        team_size_min=team_min,
        team_size_max=team_max,
        escort_clients=escort,
        escort_groups=escort_groups,
        respite_clients=respite,
        contact_person_clients=contact,
        provider_staff=provider_staff,
        deputy_managers=deputies,
        administrators=administrators,
        purchaser_children=children,
        purchaser_adults=adults,
        purchaser_psychiatry=psychiatry,
        case_officers=scaled(33, size, minimum=3),
        ended_assistance_clients=round(assistance * ASSISTANCE_TURNOVER_PER_YEAR * years),
        ended_provider_clients=round((escort + respite + contact) * CLIENT_TURNOVER_PER_YEAR * years),
        ended_purchaser_clients=round((children + adults + psychiatry) * CLIENT_TURNOVER_PER_YEAR * years),
        ended_provider_staff=round(provider_staff * EMPLOYEE_TURNOVER_PER_YEAR * years),
        ended_case_officers=round(scaled(33, size, minimum=3) * EMPLOYEE_TURNOVER_PER_YEAR * years),
        busy_journal_entries=scaled(3000, size, minimum=30),
        overdue_first_contacts=scaled(3, size),
        overdue_plan_reviews=scaled(3, size),
        overdue_binder_reviews=scaled(2, size),
        # At size 1 about 25–45 deviations a year (seed 002 counts 32), 2–5 Lex Sarah reports and 15–30
        # synpunkter; never so few that a small demo lacks a kind of record.
        deviations_per_year=(scaled(25, size, minimum=8), scaled(45, size, minimum=12)),
        lex_sarah_per_year=(scaled(2, size), scaled(5, size, minimum=2)),
        feedback_per_year=(scaled(15, size, minimum=8), scaled(30, size, minimum=12)),
        # "A few" of each today; about one exclusion per personal-assistance client.
        overdue_appraisals=scaled(4, size),
        expiring_delegations=scaled(4, size),
        expired_delegations=1,
        staff_exclusions=scaled(10, size),
    )
    provider_children = sum(district.provider_children().values())
    if provider_children > children or district.provider_clients - provider_children > adults:
        raise ValueError("size too small: the provider's clients do not fit in the purchaser's age groups")
    return Plan(scale=scale, years=years, size=size, districts=districts, district=district)
