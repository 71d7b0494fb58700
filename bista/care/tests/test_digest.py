"""The daily "Att göra" e-mail: who gets one, what it says (initials and link paths, never a personnummer
or a name), that nobody gets someone else's duties, the unit managers' summaries, and the command."""

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from bista.care.digest import initials, send_duty_digests
from bista.care.models import Order
from bista.care.tests import factories as f
from bista.clients import services as client_services
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.core.models import Membership
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 2, 5)
# Orders received 2024-01-15: first contact due 2024-01-29 (overdue on TODAY), plan due 2024-01-29,
# execution due 2024-04-10 (open). An order received 2024-01-26: first contact due 2024-02-09 (due soon).


@pytest.fixture
def deputy(org: Organisation) -> Any:
    user = make_user("bitr", RoleCode.DEPUTY_MANAGER, org.provider)
    user.email = "bitr@example.invalid"
    user.save()
    return user


@pytest.fixture
def chef(manager: Any) -> Any:
    manager.email = "chef@example.invalid"
    manager.save()
    return manager


@pytest.fixture
def other_chef(other_manager: Any) -> Any:
    other_manager.email = "annan@example.invalid"
    other_manager.save()
    return other_manager


@pytest.fixture
def bertil(org: Organisation) -> Client:
    return f.make_client(org.provider, first_name="Bertil", last_name="Berg-Ström", teams=[org.other_team])


@pytest.fixture
def cecilia(org: Organisation) -> Client:
    return f.make_client(org.other_unit, first_name="Cecilia", last_name="Carlsson")


@pytest.fixture
def world(
    org: Organisation, chef: Any, deputy: Any, other_chef: Any, astrid: Client, bertil: Client, cecilia: Client
) -> dict[str, Order]:
    return {
        # The manager is responsible for Astrid's order (overdue first contact and plan).
        "astrid": f.make_order(astrid, org.provider, deputy=chef),
        # The deputy for Bertil's (first contact and plan due soon).
        "bertil": f.make_order(
            bertil,
            org.provider,
            decision_date=datetime.date(2024, 1, 25),
            received_on=datetime.date(2024, 1, 26),
            deputy=deputy,
        ),
        # The other district's manager for Cecilia's.
        "cecilia": f.make_order(cecilia, org.other_unit, deputy=other_chef),
    }


def mail_to(address: str) -> Any:
    found = [m for m in mail.outbox if address in m.to]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def test_initials() -> None:
    assert initials("Astrid", "Lindqvist") == "A. L."
    assert initials("Bertil Johan", "Berg-Ström") == "B. J. B. S."
    assert initials("", "") == "–"


def test_one_mail_per_responsible_with_only_their_duties(world: dict[str, Order], org: Organisation) -> None:
    sent = send_duty_digests(today=TODAY)
    assert sent == len(mail.outbox) == 3
    assert sorted(a for m in mail.outbox for a in m.to) == [
        "annan@example.invalid",
        "bitr@example.invalid",
        "chef@example.invalid",
    ]
    for message in mail.outbox:
        assert message.subject == "Bistå: att göra 2024-02-05"
        assert len(message.to) == 1
    chef = mail_to("chef@example.invalid").body
    assert "Försenade (2):" in chef
    assert "- 2024-01-29 Första kontakt: Ledsagarservice (A. L.), 7 dagar för sent" in chef
    assert f"/bestallningar/{world['astrid'].pk}/" in chef
    assert "B. B. S." not in chef and "C. C." not in chef
    assert "Förfaller snart" not in chef.split("ENHETER")[0]
    deputy = mail_to("bitr@example.invalid").body
    assert "Förfaller snart (2):" in deputy
    assert "(B. B. S.), förfaller om 4 dagar" in deputy
    assert "A. L." not in deputy and "C. C." not in deputy and "ENHETER" not in deputy
    other = mail_to("annan@example.invalid").body
    assert "(C. C.)" in other
    assert "A. L." not in other and "B. B. S." not in other
    assert f"?unit={org.provider.pk}" not in other


def test_no_personnummer_or_names_in_any_mail(world: dict[str, Order]) -> None:
    send_duty_digests(today=TODAY)
    clients = list(Client.objects.all())
    for message in mail.outbox:
        text = message.subject + message.body
        for client in clients:
            assert client.personnummer not in text
            assert client.personnummer_formatted not in text
            assert client.personnummer[2:8] not in text
            assert client.first_name not in text and client.last_name not in text


def test_unit_manager_gets_counts_of_the_unit(world: dict[str, Order], org: Organisation) -> None:
    send_duty_digests(today=TODAY)
    chef = mail_to("chef@example.invalid").body
    summary = chef.split("ENHETER DÄR DU ÄR ENHETSCHEF")[1]
    assert "Enheten för personligt stöd: 2 försenade, 2 förfaller snart, 0 utförda för sent" in summary
    assert f"/att-gora/?unit={org.provider.pk}" in summary
    assert "B. B. S." not in summary and "A. L." not in summary  # counts only
    # The other district's manager gets the summary of their own unit only.
    other = mail_to("annan@example.invalid").body.split("ENHETER DÄR DU ÄR ENHETSCHEF")[1]
    assert "2 försenade, 0 förfaller snart" in other
    assert f"?unit={org.other_unit.pk}" in other


def test_manager_without_own_duties_gets_the_summary_only(
    org: Organisation, deputy: Any, chef: Any, bertil: Client
) -> None:
    f.make_order(
        bertil,
        org.provider,
        decision_date=datetime.date(2024, 1, 25),
        received_on=datetime.date(2024, 1, 26),
        deputy=deputy,
    )
    send_duty_digests(today=TODAY)
    body = mail_to("chef@example.invalid").body
    assert "DINA UPPGIFTER" not in body
    assert "0 försenade, 2 förfaller snart" in body


def test_nothing_due_sends_nothing(world: dict[str, Order]) -> None:
    assert send_duty_digests(today=datetime.date(2024, 1, 16)) == 0
    assert mail.outbox == []


def test_protected_client_is_not_even_initialled(world: dict[str, Order], astrid: Client) -> None:
    client_services.client_update(actor=SYSTEM, client=astrid, expected_version=None, protected_identity=True)
    send_duty_digests(today=TODAY)
    body = mail_to("chef@example.invalid").body
    assert "A. L." not in body
    assert "(brukare med skyddade personuppgifter)" in body


def test_responsible_who_lost_access_gets_nothing(world: dict[str, Order], deputy: Any) -> None:
    Membership.objects.filter(user=deputy).update(
        valid_to=datetime.date(2024, 1, 31), valid_from=datetime.date(2020, 1, 1)
    )
    send_duty_digests(today=TODAY)
    assert not [m for m in mail.outbox if "bitr@example.invalid" in m.to]


def test_users_without_email_or_inactive_are_skipped(world: dict[str, Order], deputy: Any, chef: Any) -> None:
    deputy.email = ""
    deputy.save()
    chef.is_active = False
    chef.save()
    assert send_duty_digests(today=TODAY) == 1
    assert mail.outbox[0].to == ["annan@example.invalid"]


def test_command(world: dict[str, Order]) -> None:
    out = io.StringIO()
    call_command("duty_digest", "--date", "2024-02-05", stdout=out)
    assert "3 e-postmeddelanden skickade för 2024-02-05" in out.getvalue()
    assert len(mail.outbox) == 3
    with pytest.raises(CommandError):
        call_command("duty_digest", "--date", "2024-02-30")


def test_command_help_mentions_cron() -> None:
    from bista.care.management.commands.duty_digest import Command

    assert "cron" in Command.help and "EMAIL_BACKEND" in Command.help
