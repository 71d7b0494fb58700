"""A permanent probe of the whole API (issue 14): schemathesis generates requests for every operation in the
OpenAPI document at /api/v1/openapi.json, valid ones and invalid ones, and sends them in-process through the
WSGI application, authenticated with a token of a user who holds every role in the district of a small
generated demo. No answer may be a server error, and every answer must conform to the document (status
code, content type, body schema).

Bounded and deterministic: a few examples per operation and mode (derandomized, no deadline, no shrinking,
no example database), each request in a savepoint that is rolled back, so every example meets the same
world and the run takes about a minute on either database. A failure names the operation and the request
to reproduce it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.formats import STRING_FORMATS, unregister_string_format

from bista.care.models import ImplementationPlan, JournalEntry, Order
from bista.clients.models import Client
from bista.core import services as core_services
from bista.core.access import SYSTEM, access_map
from bista.core.models import Role, Team, Unit
from bista.core.permissions import RoleCode
from bista.core.testing import make_user
from bista.demo import generator
from bista.governance.models import Goal, OperationalPlan
from bista.quality.models import DataIncident, Deviation, Feedback, LexSarahReport
from bista.rostering import services as rostering_services
from bista.rostering.models import BookedOccasion, NeedPattern, RosterJob, Shift
from bista.staff.models import (
    Absence,
    ClientCompetenceNeed,
    ClientStaffChoice,
    Delegation,
    Employee,
    EmployeeCompetence,
)

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation, drawn from three kinds: valid with the world's ids, valid, invalid
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
PROBE_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


# Dates and moments as a hostile client sends them: half of them at the edges the outside probe found (year
# 0001, 0070, 9999; offsets of +14:00, +16:00, -15:30), the rest ordinary, so a bounded run meets both.
EDGE_DATES = ["0001-01-01", "0070-02-03", "1899-12-31", "9999-12-30", "9999-12-31"]
OFFSETS = ["Z", "+01:00", "+02:00", "+14:00", "+16:00", "-15:30", "+23:59"]


def _dates() -> Any:
    ordinary = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2031, 12, 31)).map(str)
    return st.one_of(st.sampled_from(EDGE_DATES), ordinary)


def _moments() -> Any:
    clock = st.times().map(lambda t: t.strftime("%H:%M:%S"))
    return st.builds("{}T{}{}".format, _dates(), clock, st.sampled_from(OFFSETS))


@pytest.fixture
def hostile_formats() -> Iterator[None]:
    previous = {name: STRING_FORMATS.get(name) for name in ("date", "date-time")}
    schemathesis.openapi.format("date", _dates())
    schemathesis.openapi.format("date-time", _moments())
    try:
        yield
    finally:
        for name, strategy in previous.items():
            unregister_string_format(name)
            if strategy is not None:
                schemathesis.openapi.format(name, strategy)


@pytest.fixture
def in_process() -> Iterator[None]:
    """The requests run in the test's own transaction (as Django's test client arranges): the handler must not
    close the connection at the start and end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """A small demo (one unit, a year) plus a roster job, and a token of a user with every role district-wide."""
    today = min(datetime.date(2026, 11, 2), timezone.localdate())  # the demo refuses a future "today"
    generator.generate(scale="unit", years=1, seed=3, size=0.05, today=today)
    provider = Unit.objects.filter(kind=Unit.Kind.PROVIDER).first()
    assert provider is not None
    district = provider.department.district
    user = make_user("fuzz")
    for role in Role.objects.all():
        core_services.membership_grant(actor=SYSTEM, user=user, role=role, district=district)
    manager = make_user("fuzzchef", RoleCode.UNIT_MANAGER, provider)
    now = timezone.localdate()
    monday = now + datetime.timedelta(days=7 - now.weekday())
    job = rostering_services.roster_job_start(
        actor=manager,
        unit=provider,
        period_start=monday,
        period_end=monday + datetime.timedelta(days=13),
        weights={},
        time_limit_seconds=10,
    )
    scopes = sorted(set().union(*access_map(user).values()))
    _token, secret = core_services.api_token_create(actor=SYSTEM, owner=user, name="Sond", scopes=scopes)
    return {"headers": {"Authorization": f"Bearer {secret}"}, "ids": _ids(provider, job)}


def _first(model: Any, **filters: Any) -> int:
    row = model._default_manager.filter(**filters).order_by("pk").values_list("pk", flat=True).first()
    return int(row) if row is not None else 1


def _ids(provider: Unit, job: RosterJob) -> dict[str, Any]:
    """Path parameters that name existing records, so that the probe also reaches past the 404s."""
    client = _first(Client, unit_links__unit=provider, unit_links__until__isnull=True)
    return {
        "unit_id": provider.pk,
        "team_id": _first(Team, unit=provider),
        "client_id": client,
        "employee_id": _first(Employee, unit=provider),
        "order_id": _first(Order, unit=provider),
        "care_plan_id": _first(ImplementationPlan),
        "governance_plan_id": _first(OperationalPlan),
        "goal_id": _first(Goal),
        "entry_id": _first(JournalEntry),
        "shift_id": _first(Shift, unit=provider),
        "job_id": job.pk,
        "pattern_id": _first(NeedPattern),
        "occasion_id": _first(BookedOccasion),
        "absence_id": _first(Absence),
        "deviation_id": _first(Deviation),
        "report_id": _first(LexSarahReport),
        "feedback_id": _first(Feedback),
        "incident_id": _first(DataIncident),
        "competence_id": _first(EmployeeCompetence),
        "delegation_id": _first(Delegation),
        "choice_id": _first(ClientStaffChoice),
        "need_id": _first(ClientCompetenceNeed),
        "document_id": 1,
    }


def _path_ids(operation: Any, ids: dict[str, Any]) -> dict[str, Any]:
    names = {parameter.name for parameter in operation.path_parameters}
    kind = "care" if operation.path.startswith("/api/v1/care/") else "governance"
    return {name: ids.get(f"{kind}_{name}", ids.get(name)) for name in names}


# Fields of a body or query that name a record: set to the world's records in the first kind of example, so
# that a request gets past "does not exist" to the dates, times and texts behind it.
REFERENCES = ("unit_id", "client_id", "order_id", "employee_id", "team_id")


def _with_world_ids(case: Any, ids: dict[str, Any]) -> Any:
    for container in (case.body, case.query):
        if isinstance(container, dict):
            for name in REFERENCES:
                if name in container:
                    container[name] = ids[name]
            if "team_ids" in container:
                container["team_ids"] = [ids["team_id"]]
    return case


def _strategy(operation: Any, ids: dict[str, Any]) -> Any:
    in_world = operation.as_strategy(GenerationMode.POSITIVE, path_parameters=_path_ids(operation, ids) or None)
    strategies = [
        in_world.map(lambda case: _with_world_ids(case, ids)),
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    return st.one_of(strategies)


def _probe(operation: Any, world: dict[str, Any], app: Any) -> None:
    @PROBE_SETTINGS
    @given(case=_strategy(operation, world["ids"]))
    def run(case: Any) -> None:
        with transaction.atomic():
            response = case.call(headers=world["headers"], app=app)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=world["headers"])

    run()


def test_every_operation_answers_without_server_errors_and_as_documented(
    world: dict[str, Any], in_process: None, hostile_formats: None
) -> None:
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        count += 1
        try:
            _probe(operation, world, app)
        except (Exception, BaseExceptionGroup) as failure:  # every operation is probed, then all failures reported
            failures.append(f"{operation.label}: {type(failure).__name__}: {failure}"[:3000])
    assert count >= 100, "the OpenAPI document lost its operations"
    assert not failures, f"{len(failures)} of {count} operations failed:\n\n" + "\n\n".join(failures)
