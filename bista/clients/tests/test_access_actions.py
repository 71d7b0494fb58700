"""The access log's actions are a registry: a context declares its own (with the label loggkontroll shows) from its
`ready()`, without a migration of `clients`; the service refuses an action nobody declared."""

import csv
import io
from typing import Any

import pytest
from django.db import models
from django.test import Client as HttpClient

from bista.clients import services
from bista.clients.actions import ACCESS_ACTIONS, AccessAction
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.actions import ActionRegistry
from bista.core.testing import Organisation
from bista.core.tests.api_support import session_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


class BudgetAccess(models.TextChoices):
    """What a future context (the purchaser's budget, say) would declare in its own actions.py."""

    BUDGET = "budget", "Läste budgetunderlag"


@pytest.fixture
def budget_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """BudgetAccess declared for this test only (a copy of the registry, as a context's ready() would leave it)."""
    registry = ActionRegistry(ACCESS_ACTIONS.kind, max_length=ACCESS_ACTIONS.max_length)
    for actions in ACCESS_ACTIONS.enums():
        registry.declare(actions)
    registry.declare(BudgetAccess)
    monkeypatch.setattr(ACCESS_ACTIONS, "_labels", registry._labels)
    monkeypatch.setattr(ACCESS_ACTIONS, "_enums", registry._enums)


def log_page(user: Any, **params: Any) -> Any:
    client: HttpClient = session_client(user, verified=False)
    return client.get("/loggkontroll/", params)


def csv_actions(response: Any) -> list[str]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Åtgärd")
    return [row[column] for row in rows[1:]]


def test_the_stored_values_and_labels_are_those_of_the_former_choices() -> None:
    assert AccessLogEntry.Action is AccessAction
    assert [(a.value, a.label) for a in AccessAction] == [
        ("card", "Öppnade brukarkort"),
        ("search", "Sökte på personnummer"),
        ("export", "Export"),
        ("api", "Läste via API"),
        ("list", "Öppnade rad i lista"),
        ("care", "Läste beställning, plan eller pärm"),
        ("journal", "Läste journal"),
        ("write", "Skrev i akten"),
        ("print", "Skrev ut (PDF)"),
        ("quality", "Läste avvikelse, lex Sarah-rapport eller synpunkt"),
    ]
    assert all(action in ACCESS_ACTIONS for action in AccessAction)


def test_the_action_column_has_no_choices_to_migrate() -> None:
    field = AccessLogEntry._meta.get_field("action")
    assert not field.choices
    assert ACCESS_ACTIONS.max_length == field.max_length


@pytest.mark.parametrize(
    "write",
    [
        lambda org, client, action: services.access_log_record(
            actor=SYSTEM, client=client, action=action, unit=org.provider
        ),
        lambda org, client, action: services.access_log_record_many(
            actor=SYSTEM, clients=[client], action=action, unit=org.provider
        ),
        lambda org, client, action: services.access_log_record_shown(
            actor=SYSTEM, shown=[(client, org.provider.pk)], action=action
        ),
    ],
    ids=["one", "many", "shown"],
)
def test_an_undeclared_action_is_refused(org: Organisation, astrid: Client, write: Any) -> None:
    reads = AccessLogEntry.objects.count()
    with pytest.raises(ValueError, match="undeclared access-log action: 'budget'"):
        write(org, astrid, "budget")
    assert AccessLogEntry.objects.count() == reads


def test_a_declared_action_is_logged_with_its_label_on_the_page_and_in_the_csv(
    org: Organisation, astrid: Client, manager: Any, budget_declared: None
) -> None:
    entry = services.access_log_record(
        actor=manager, client=astrid, action=BudgetAccess.BUDGET, unit=org.provider, detail="budget"
    )
    services.access_log_record(actor=manager, client=astrid, action=AccessAction.CARD, unit=org.provider)
    entry.refresh_from_db()
    assert entry.action == "budget"
    assert entry.get_action_display() == "Läste budgetunderlag"
    html = log_page(manager).content.decode()
    assert "Läste budgetunderlag" in html
    assert "Öppnade brukarkort" in html
    assert sorted(csv_actions(log_page(manager, format="csv"))) == ["Läste budgetunderlag", "Öppnade brukarkort"]


def test_a_row_whose_action_is_no_longer_declared_shows_its_stored_value(
    org: Organisation, astrid: Client, manager: Any, budget_declared: None
) -> None:
    services.access_log_record(actor=manager, client=astrid, action="budget", unit=org.provider)
    ACCESS_ACTIONS._labels.pop("budget")
    assert csv_actions(log_page(manager, format="csv")) == ["budget"]


def test_the_clients_context_declares_its_actions_from_ready() -> None:
    assert AccessAction in ACCESS_ACTIONS.enums()
    assert ACCESS_ACTIONS.label("journal") == "Läste journal"
