"""The demo generator: its plan (pure), its identities (pure) and what it writes (small size, real database; the
tests that only read it share one generated for the module, the `demo` fixture in conftest.py)."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q

from bista.clients.models import Client, ClientContact, ClientUnit, ProtectedIdentityAccess
from bista.core.access import access_map
from bista.core.models import AuditEvent, District, Membership, Municipality, Team
from bista.core.permissions import Perm, RoleCode
from bista.core.personnummer import parse
from bista.demo import generator, identities
from bista.demo.plan import make_plan
from bista.staff.models import Employee, EmploymentType

TODAY = datetime.date(2025, 6, 30)
SMALL: dict[str, Any] = {"scale": "unit", "years": 2, "seed": 1, "size": 0.05, "today": TODAY}


def employed_on(day: datetime.date) -> Q:
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """What the generator wrote, without database ids or timestamps."""
    return {
        "clients": sorted(
            Client.objects.values_list(
                "personnummer",
                "first_name",
                "last_name",
                "gender",
                "street_address",
                "postal_code",
                "city",
                "phone",
                "email",
                "preferred_staff_gender",
                "language",
                "interpreter_needed",
                "protected_identity",
                "is_active",
            )
        ),
        "links": sorted(ClientUnit.objects.values_list("client__personnummer", "unit__name", "since", "until")),
        "contacts": sorted(ClientContact.objects.values_list("client__personnummer", "kind", "name", "relation")),
        "employees": sorted(
            Employee.objects.values_list(
                "personnummer",
                "first_name",
                "last_name",
                "employment_type",
                "employment_rate",
                "start_date",
                "end_date",
                "user__username",
            )
        ),
        "teams": sorted(Team.objects.values_list("unit__name", "name", "kind", "is_active")),
        "users": sorted(get_user_model().objects.values_list("username", "first_name", "last_name")),
    }


def generate_and_roll_back(**arguments: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Generate into the test's database, take the fingerprint, and undo the generation."""
    with transaction.atomic():
        generator.generate(**arguments)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


# --- The plan: counts at size 1 follow the seed documents ------------------------------------------------


def test_unit_plan_matches_the_seed_figures() -> None:
    plan = make_plan(scale="unit", years=10)
    d = plan.district
    assert plan.districts == ("Hägersten-Älvsjö",)
    assert d.assistance_clients == 10
    assert (d.team_size_min, d.team_size_max) == (8, 12)
    assert (d.escort_clients, d.respite_clients, d.contact_person_clients) == (100, 50, 40)
    assert d.provider_clients == 200
    assert d.provider_staff == 240
    assert (d.deputy_managers, d.administrators) == (3, 2)
    assert (d.purchaser_children, d.purchaser_adults, d.purchaser_psychiatry) == (290, 812, 462)
    assert d.purchaser_clients == 1564
    assert d.case_officers == 33
    assert plan.current_clients == 1564
    assert plan.current_employees == 240 + 1 + 33


def test_history_grows_with_the_years() -> None:
    one, ten = make_plan(years=1), make_plan(years=10)
    assert 0 < one.ended_clients < ten.ended_clients
    assert 0 < one.district.ended_provider_staff < ten.district.ended_provider_staff
    assert one.current_clients == ten.current_clients


def test_city_plan_has_thirteen_districts_and_about_twenty_thousand_clients() -> None:
    plan = make_plan(scale="city")
    assert len(plan.districts) == len(set(plan.districts)) == 13
    assert plan.districts[0] == "Hägersten-Älvsjö"
    assert 19_000 <= plan.current_clients <= 21_000


def test_small_plan_keeps_every_kind_of_record() -> None:
    d = make_plan(size=0.01).district
    assert min(d.assistance_clients, d.escort_clients, d.respite_clients, d.contact_person_clients) >= 1
    assert min(d.purchaser_children, d.purchaser_adults, d.purchaser_psychiatry, d.deputy_managers) >= 1
    assert d.team_size_min >= 2
    assert d.provider_staff >= d.provider_managers + d.assistance_clients * d.team_size_max + d.escort_groups + 1


@pytest.mark.parametrize("arguments", [{"scale": "town"}, {"years": 0}, {"size": 0}])
def test_plan_refuses_bad_arguments(arguments: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_plan(**arguments)


# --- Identities ------------------------------------------------------------------------------------------


def test_fictitious_personnummer_are_valid_unique_and_in_the_demo_range() -> None:
    rng, used = random.Random(7), set[str]()
    born = datetime.date(1990, 5, 17)
    # 25 people per gender born the same day: more than the ten birth numbers per day, so later days are used.
    numbers = [(g, identities.fictitious_personnummer(rng, born, g, used)) for g in "KMAO" for _ in range(25)]
    assert len({digits for _, digits in numbers}) == len(numbers) == len(used)
    for gender, digits in numbers:
        parsed = parse(digits, today=TODAY)
        assert parsed.digits == digits
        assert parsed.birth_date <= born
        assert 980 <= int(digits[8:11]) <= 999
        if gender in "KM":
            assert int(digits[10]) % 2 == (0 if gender == "K" else 1)


def test_birth_dates_give_the_asked_age() -> None:
    rng = random.Random(3)
    for _ in range(500):
        born = identities.birth_date_for_age(rng, TODAY, 21, 65)
        age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
        assert 21 <= age <= 65


def test_usernames_are_ascii_and_unique() -> None:
    used: set[str] = set()
    assert identities.username_for("Linnéa", "Åberg", used) == "linnea.aberg"
    assert identities.username_for("Linnéa", "Åberg", used) == "linnea.aberg2"
    assert identities.username_for("Piotr", "Jovanović", used) == "piotr.jovanovic"


# --- What the generator writes ---------------------------------------------------------------------------


FINGERPRINT = fingerprint  # what conftest.py's `generated_apart` records: SMALL generated once and rolled back


@pytest.mark.django_db
def test_same_seed_gives_the_same_data(generated_apart: dict[str, list[tuple[Any, ...]]], demo: Any) -> None:
    """Two generations with the same seed, each into the empty database: one rolled back before the module's
    shared demo was made (conftest.py), and the shared demo itself."""
    assert generated_apart["clients"]
    assert fingerprint() == generated_apart


@pytest.mark.django_db
def test_another_seed_gives_other_data(generated_apart: dict[str, list[tuple[Any, ...]]]) -> None:
    assert not Client.objects.exists()  # the generation before was rolled back
    other = generate_and_roll_back(**{**SMALL, "seed": 2})
    assert generated_apart["clients"] != other["clients"]
    assert generated_apart["employees"] != other["employees"]


@pytest.mark.django_db
def test_a_later_step_does_not_change_what_earlier_steps_make(
    generated_apart: dict[str, list[tuple[Any, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = generated_apart
    seen: list[int] = []

    def extra(ctx: generator.Context) -> None:
        seen.append(len(ctx.current.clients))
        ctx.rng.random()

    # An added step in the middle, drawing from its own stream, as a later context's step would.
    steps = list(generator.STEPS)
    steps.insert(2, generator.Step("test.extra", extra))
    monkeypatch.setattr(generator, "STEPS", steps)
    assert generate_and_roll_back(**SMALL) == before
    assert seen == [0]


@pytest.mark.django_db
def test_every_person_is_fictitious_with_a_demo_personnummer(demo: generator.Context) -> None:
    people = list(Client.objects.values_list("personnummer", "fictitious")) + list(
        Employee.objects.values_list("personnummer", "fictitious")
    )
    assert len(people) > 100
    for digits, fictitious in people:
        assert fictitious
        assert parse(digits, today=TODAY).digits == digits
        assert 980 <= int(digits[8:11]) <= 999
    assert len({digits for digits, _ in people}) == len(people)


@pytest.mark.django_db
def test_counts_follow_the_plan(demo: generator.Context) -> None:
    plan = make_plan(scale="unit", years=2, size=0.05).district
    open_links = Counter(ClientUnit.objects.filter(until__isnull=True).values_list("unit__kind", flat=True))
    assert open_links["provider"] == plan.provider_clients
    assert open_links["purchaser"] == plan.purchaser_clients
    casework = {t.name: t.clients.filter(is_active=True).count() for t in Team.objects.filter(kind=Team.Kind.CASEWORK)}
    assert casework == {
        "Barn och unga": plan.purchaser_children,
        "Vuxna": plan.purchaser_adults,
        "Socialpsykiatri": plan.purchaser_psychiatry,
    }
    ended = Client.objects.filter(is_active=False)
    assert ended.count() == plan.ended_assistance_clients + plan.ended_provider_clients + plan.ended_purchaser_clients
    assert not ClientUnit.objects.filter(client__in=ended, until__isnull=True).exists()
    current = Employee.objects.filter(employed_on(TODAY))
    assert current.filter(unit__kind="provider").count() == plan.provider_staff
    assert current.filter(unit__kind="purchaser").count() == plan.case_officers + 1
    assert Employee.objects.exclude(employed_on(TODAY)).count() == plan.ended_provider_staff + plan.ended_case_officers
    assert current.filter(employment_type=EmploymentType.HOURLY_PAID, employment_rate=0).exists()


@pytest.mark.django_db
def test_history_lies_within_the_years(demo: generator.Context) -> None:
    window_start = datetime.date(2023, 6, 30)
    assert not ClientUnit.objects.filter(Q(since__lt=window_start) | Q(since__gt=TODAY)).exists()
    assert not ClientUnit.objects.filter(until__gte=TODAY).exists()
    assert not Employee.objects.filter(Q(start_date__lt=window_start) | Q(start_date__gt=TODAY)).exists()
    assert Employee.objects.filter(end_date__lt=TODAY).exists()


@pytest.mark.django_db
def test_each_active_assistance_team_has_its_client_and_scaled_staff() -> None:
    # Six years at this size: one assistance case has ended, so an inactive team exists too.
    generator.generate(**{**SMALL, "size": 0.3, "years": 6})
    plan = make_plan(scale="unit", years=6, size=0.3).district
    teams = Team.objects.filter(kind=Team.Kind.ASSISTANCE)
    assert teams.filter(is_active=True).count() == plan.assistance_clients
    assert teams.filter(is_active=False).count() == plan.ended_assistance_clients == 1
    for team in teams.filter(is_active=True):
        assert team.name.startswith("Assistans ")
        assert team.clients.filter(is_active=True).count() == 1
        staff = team.employees.filter(employed_on(TODAY)).count()
        assert plan.team_size_min <= staff <= plan.team_size_max
    for team in teams.filter(is_active=False):
        assert not team.employees.filter(employed_on(TODAY)).exists()


@pytest.mark.django_db
def test_managers_and_district_roles_can_sign_in_where_they_belong(demo: generator.Context) -> None:
    ctx = demo
    d = ctx.districts[0]
    users = get_user_model().objects
    chef = users.get(username="chef")
    assert Membership.objects.filter(user=chef, role__code=RoleCode.UNIT_MANAGER, unit=d.provider).exists()
    assert Perm.ORG_MANAGE in access_map(chef)[d.provider.pk]
    assert chef.check_password("bista-demo")
    assert Membership.objects.filter(user__username="bestallarchef", unit=d.purchaser).exists()
    for username in ("controller", "forvaltare"):
        assert Membership.objects.get(user__username=username).unit is None
    assert ctx.logins[0].username == "chef"
    # Everyone employed today has an account with a role in their unit; those who left have none.
    for employee in Employee.objects.filter(employed_on(TODAY)):
        assert employee.user is not None
        assert Membership.objects.filter(user=employee.user, unit=employee.unit).exists()
    assert not Employee.objects.exclude(employed_on(TODAY)).filter(user__isnull=False).exists()
    case_officers = Membership.objects.filter(role__code=RoleCode.CASE_OFFICER, unit=d.purchaser)
    assert case_officers.count() == make_plan(size=0.05).district.case_officers


@pytest.mark.django_db
def test_protected_clients_contacts_and_preferences(demo: generator.Context) -> None:
    ctx = demo
    d = ctx.districts[0]
    protected = Client.objects.filter(protected_identity=True)
    assert protected.exists()
    assert ProtectedIdentityAccess.objects.filter(unit=d.purchaser, user__username="bestallarchef").exists()
    if protected.filter(unit_links__unit=d.provider).exists():
        assert ProtectedIdentityAccess.objects.filter(unit=d.provider, user__username="chef").exists()
    minors = [c for c in Client.objects.all() if parse(c.personnummer, today=TODAY).birth_date.year > TODAY.year - 17]
    assert minors
    for client in minors:
        assert client.contacts.filter(kind=ClientContact.Kind.GUARDIAN).exists()
    assert ClientContact.objects.filter(kind__in=[ClientContact.Kind.GOOD_MAN, ClientContact.Kind.ADMINISTRATOR])
    assert ClientContact.objects.filter(kind=ClientContact.Kind.RELATIVE).exists()
    assert Client.objects.exclude(preferred_staff_gender="").exists()


@pytest.mark.django_db
def test_a_few_clients_may_use_the_own_view_with_an_address_on_file(demo: generator.Context) -> None:
    from bista.ownview.models import OwnViewContact, OwnViewSettings

    assert 1 <= len(demo.own_view) <= 5
    enabled = OwnViewSettings.objects.filter(enabled=True)
    assert enabled.count() == len(demo.own_view) and enabled.filter(show_staff_names=True).exists()
    assert enabled.filter(show_staff_names=False).exists()
    for personnummer, address in demo.own_view:
        client = Client.objects.get(personnummer=personnummer.replace("-", ""))
        assert not client.protected_identity
        assert OwnViewContact.objects.filter(client=client, address=address, is_active=True).exists()


@pytest.mark.django_db
def test_the_own_view_clients_current_plans_have_an_easy_read_summary(demo: generator.Context) -> None:
    from bista.care.models import ImplementationPlan

    shown = [Client.objects.get(personnummer=p.replace("-", "")) for p, _ in demo.own_view]
    current = ImplementationPlan.objects.filter(client__in=shown, status=ImplementationPlan.Status.SIGNED)
    assert current.exists()
    for plan in current:
        assert plan.easy_read.startswith("Det här är din plan för ") and "Säg till" in plan.easy_read
        assert plan.previous is not None and plan.previous.easy_read == ""  # written in a new signed version
        assert plan.signed_on == plan.previous.signed_on
    assert not ImplementationPlan.objects.exclude(client__in=shown).exclude(easy_read="").exists()


@pytest.mark.django_db
def test_every_record_about_a_person_has_its_audit_event(demo: generator.Context) -> None:
    events = AuditEvent.objects.filter(request_id="demo-unit-1")
    created_clients = set(events.filter(action="client.create").values_list("object_id", flat=True))
    created_employees = set(events.filter(action="employee.create").values_list("object_id", flat=True))
    assert created_clients == {str(pk) for pk in Client.objects.values_list("pk", flat=True)}
    assert created_employees == {str(pk) for pk in Employee.objects.values_list("pk", flat=True)}
    assert events.filter(action="client_contact.add").count() == ClientContact.objects.count()
    assert events.filter(action="membership.grant").count() == Membership.objects.count()


@pytest.mark.django_db
def test_city_scale_has_thirteen_districts_with_their_own_accounts() -> None:
    generator.generate(**{**SMALL, "scale": "city", "size": 0.01, "years": 1})
    assert District.objects.count() == 13
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert {"chef", "chef.bromma", "chef.enskede-arsta-vantor", "bestallarchef.skarholmen"} <= usernames
    assert Client.objects.filter(city="Bromma").exists()


# --- The command -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_generates_and_prints_the_login() -> None:
    out = io.StringIO()
    call_command("demo", "--size", "0.05", "--years", "2", "--seed", "5", "--today", "2025-06-30", stdout=out)
    assert "chef / bista-demo" in out.getvalue()
    assert "Min sida (brukarens egen vy, /min-sida/): personnummer" in out.getvalue()
    assert Client.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_database_that_has_data() -> None:
    Municipality.objects.create(name="Befintlig kommun")
    with pytest.raises(CommandError, match="redan data"):
        call_command("demo", "--size", "0.05", stdout=io.StringIO())
    assert not Client.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--today", "2999-01-01"], "framtiden"),
        (["--today", "30/6 2025"], "ÅÅÅÅ-MM-DD"),
        (["--years", "0"], "--years"),
    ],
)
def test_command_refuses_bad_options(arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("demo", "--size", "0.05", *arguments, stdout=io.StringIO())
    assert not Municipality.objects.exists()
