"""Item 5: the follow-up record (the person's own view, outcome, by whom) satisfying the yearly duty, and
ending a decision, which ends the provider's care order; pages and API four ways, bad input saving nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from bista.care.models import Order, OrderEvent
from bista.casework import services
from bista.casework.models import Decision, FollowUp
from bista.casework.tests import factories as f
from bista.core.duties import duties_for
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.api_support import error, get, post, session_client

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]


@pytest.fixture
def officer(org: Organisation) -> Any:
    return f.officer(org)


@pytest.fixture
def decision(org: Organisation, officer: Any) -> Decision:
    decision = f.decide(f.register(org.purchaser, actor=officer), actor=officer, period_end=None)
    services.order_from_decision(actor=officer, decision=decision, ordered_on=D(2024, 4, 3), provider_unit=org.provider)
    return decision


def _follow_up_duties(org: Organisation, today: datetime.date) -> list[Any]:
    duties = duties_for([org.purchaser.pk], today=today, done_since=D(2000, 1, 1))
    return [d for d in duties if d.rule.code == "casework.follow_up"]


def test_a_follow_up_satisfies_the_yearly_duty(org: Organisation, officer: Any, decision: Decision) -> None:
    (open_duty,) = _follow_up_duties(org, D(2025, 5, 1))
    assert open_duty.done_on is None and open_duty.due_on == D(2025, 4, 2)
    services.follow_up_record(
        actor=officer, decision=decision, on=D(2025, 3, 20), own_view="Jag är nöjd med stödet.", outcome="continue"
    )
    first, second = sorted(_follow_up_duties(org, D(2025, 5, 1)), key=lambda d: d.anchor_on)
    assert first.done_on == D(2025, 3, 20)
    assert (second.anchor_on, second.done_on, second.due_on) == (D(2025, 3, 20), None, D(2026, 3, 20))
    follow_up = FollowUp.objects.get()
    assert follow_up.done_by == officer and follow_up.own_view == "Jag är nöjd med stödet."


def test_bad_follow_ups_save_nothing(org: Organisation, officer: Any, decision: Decision) -> None:
    refused = f.decide(
        f.register(org.purchaser, actor=officer, client=decision.case.client), actor=officer, outcome="refused"
    )
    bad = [
        ({"on": D(2024, 1, 1), "own_view": "x", "outcome": "continue"}, "on"),
        ({"on": D(2999, 1, 1), "own_view": "x", "outcome": "continue"}, "on"),
        ({"on": D(2025, 1, 1), "own_view": "  ", "outcome": "continue"}, "own_view"),
        ({"on": D(2025, 1, 1), "own_view": "x", "outcome": "nonsense"}, "outcome"),
    ]
    for values, field in bad:
        with pytest.raises(ValidationError) as caught:
            services.follow_up_record(actor=officer, decision=decision, **values)
        assert field in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.follow_up_record(actor=officer, decision=refused, on=D(2025, 1, 1), own_view="x", outcome="continue")
    assert FollowUp.objects.count() == 0


def test_ending_a_decision_ends_the_providers_order(org: Organisation, officer: Any, decision: Decision) -> None:
    ended = services.decision_end(actor=officer, decision=decision, on=D(2024, 9, 1), reason="Flyttat")
    assert (ended.ended_on, ended.end_reason) == (D(2024, 9, 1), "Flyttat")
    order = Order.objects.get()
    assert order.status == Order.Status.ENDED and order.ended_on == D(2024, 9, 1)
    assert order.events.filter(kind=OrderEvent.Kind.ENDED).count() == 1
    # The open follow-up is closed by the end, on its day; no later one comes.
    assert [d.done_on for d in _follow_up_duties(org, D(2025, 5, 1))] == [D(2024, 9, 1)]
    with pytest.raises(ValidationError, match="redan upphört"):
        services.decision_end(actor=officer, decision=decision, on=D(2024, 9, 2), reason="Igen")


def test_a_refused_end_leaves_the_decision_and_order_as_they_were(
    org: Organisation, officer: Any, decision: Decision, manager: Any
) -> None:
    from bista.care import services as care_services

    care_order = Order.objects.get()
    care_services.order_record_step(actor=manager, order=care_order, step="executed", on=D(2024, 6, 1))
    for values, field in (
        ({"on": D(2024, 5, 1), "reason": "Före utförarens senaste steg"}, "on"),
        ({"on": D(2024, 1, 1), "reason": "x"}, "on"),
        ({"on": D(2024, 9, 1), "reason": " "}, "reason"),
    ):
        with pytest.raises(ValidationError) as caught:
            services.decision_end(actor=officer, decision=decision, **values)
        assert field in caught.value.message_dict
    decision.refresh_from_db()
    assert decision.ended_on is None and Order.objects.get().status == Order.Status.EXECUTED


def test_pages_and_api_four_ways(
    org: Organisation, officer: Any, decision: Decision, nobody: Any, manager: Any
) -> None:
    pages = [f"/beslut/{decision.pk}/uppfoljning/", f"/beslut/{decision.pk}/avsluta/"]
    other = make_user("annan", RoleCode.UNIT_MANAGER, org.other_unit)
    for url in pages:
        assert HttpClient().get(url).status_code == 302
        for user in (nobody, manager, other):
            assert session_client(user).get(url).status_code in (403, 404), url
        assert session_client(officer).get(url).status_code == 200
    browser = session_client(officer)
    bad = browser.post(pages[0], {"on": "2024-04-10", "own_view": "", "outcome": "continue"})
    assert bad.status_code == 400 and FollowUp.objects.count() == 0
    good = browser.post(pages[0], {"on": "2024-10-10", "own_view": "Bra", "outcome": "continue"})
    assert good.status_code == 302 and FollowUp.objects.count() == 1
    assert "Uppföljd 2024-10-10" in browser.get(f"/arenden/{decision.case_id}/").content.decode()
    path = f"/casework/decisions/{decision.pk}/follow-ups"
    assert HttpClient().get("/api/v1" + path).status_code == 401
    assert get(session_client(nobody), path).status_code in (403, 404)
    assert get(session_client(manager), path).status_code in (403, 404)
    assert len(get(browser, path).json()) == 1
    refused = post(browser, path, {"on": "2024-01-01", "own_view": "x", "outcome": "continue"})
    assert refused.status_code == 422 and "on" in error(refused)["fields"]
    assert post(browser, path, {"on": "2024-11-01", "own_view": "x", "outcome": "change"}).status_code == 201
    end = f"/casework/decisions/{decision.pk}/end"
    assert post(session_client(manager), end, {"on": "2024-12-01", "reason": "x"}).status_code in (403, 404)
    assert post(browser, end, {"on": "2024-01-01", "reason": "x"}).status_code == 422
    ended = post(browser, end, {"on": "2024-12-01", "reason": "Behovet har upphört"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2024-12-01"
    assert Order.objects.get().status == Order.Status.ENDED
    page = browser.post(pages[1], {"on": "2024-12-02", "reason": "Igen"})
    assert page.status_code == 400 and "redan upphört" in page.content.decode()


def test_only_the_ordering_purchaser_ends_the_care_order(org: Organisation, decision: Decision) -> None:
    from bista.care import services as care_services
    from bista.core.testing import make_organisation

    other = make_organisation("-2")
    care_order = decision.orders.get().care_order
    with pytest.raises(ValidationError, match="beställarenheten"):
        care_services.order_end_from_purchaser(
            actor=None, purchaser=other.purchaser, order=care_order, on=D(2024, 6, 1)
        )
    assert Order.objects.get(pk=care_order.pk).ended_on is None
