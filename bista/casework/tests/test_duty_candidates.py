""" "Att göra" reads only the candidate rows of the casework duty sources (`todo_only`): on a generated history of
ten years (intakes left without contact, follow-ups early and late, new investigations within and outside the
reassessment window, ended and superseded decisions, appeals waiting to be forwarded), on every sampled day
its lists are those sorted from every duty of the whole chains."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

import pytest

from bista.casework.models import Appeal, Decision, FollowUp, Intake
from bista.casework.services import (
    ImportedAppeal,
    ImportedDecision,
    ImportedFollowUp,
    ImportedHistory,
    ImportedIntake,
    ImportedInvestigation,
    history_import,
)
from bista.casework.tests import factories as f
from bista.clients import services as client_services
from bista.core.access import SYSTEM
from bista.core.deadlines import todo_list
from bista.core.duties import duties_for
from bista.core.testing import Organisation
from bista.core.tests.api_support import fake_personnummer

D = datetime.date
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db
FIRST, LAST = D(2016, 1, 1), D(2025, 11, 30)  # the history's days (the services refuse future dates)


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _decision(rng: random.Random, officer: Any, decided: datetime.date, key: str, supersedes: str) -> ImportedDecision:
    granted = rng.random() < 0.85
    period_end = decided + _days(rng, 60, 900) if granted and rng.random() < 0.5 else None
    ended_on = None
    if granted and rng.random() < 0.25 and decided + _days(rng, 30, 30) < LAST:
        ended_on = min(LAST, decided + _days(rng, 30, 1500))
    follow_ups = []
    day = decided
    while granted:
        # Mostly within the year, sometimes late (a duty done late), sometimes never again.
        day += _days(rng, 150, 480)
        if day > min(LAST, ended_on or LAST) or rng.random() < 0.1:
            break
        follow_ups.append(ImportedFollowUp(on=day, own_view="Jag är nöjd med stödet.", outcome="continue"))
    appeals = []
    if rng.random() < 0.2 and decided + _days(rng, 25, 25) < LAST:
        received = decided + _days(rng, 1, 20)
        forwarded = received + _days(rng, 0, 20) if rng.random() < 0.7 else None
        appeals.append(
            ImportedAppeal(
                received_on=received,
                reconsideration=Appeal.Reconsideration.UNCHANGED if forwarded else "",
                reconsidered_on=received if forwarded else None,
                forwarded_on=min(forwarded, LAST) if forwarded else None,
            )
        )
    return ImportedDecision(
        service=f.service("lss_9_3"),
        outcome=Decision.Outcome.GRANTED if granted else Decision.Outcome.REFUSED,
        decision_date=decided,
        reasons="Du behöver stöd för att delta i samhällets liv.",
        decided_by=officer,
        scope_amount=Decimal("10") if granted else None,
        scope_unit="month" if granted else "",
        period_start=decided if granted else None,
        period_end=period_end,
        ended_on=ended_on,
        end_reason="Behovet har upphört." if ended_on else "",
        key=key,
        supersedes=supersedes,
        follow_ups=follow_ups,
        appeals=appeals,
    )


def _history(org: Organisation, officer: Any, number: int) -> ImportedHistory:
    """One client's case: up to four intakes in turn, each investigated (the last one possibly still a draft)
    and decided; a later decision often supersedes the earlier one, and a later intake often comes in the
    warning window before a time-limited decision ends (its investigation is the reassessment)."""
    rng = random.Random(number)
    client = client_services.client_create(
        actor=SYSTEM,
        unit=org.purchaser,
        personnummer=fake_personnummer(f"{D(1950, 1, 1) + datetime.timedelta(days=97 * number):%Y%m%d}"),
        first_name=f"Klient{number}",
        last_name="Historik",
        since=D(2015, 1, 1),
        fictitious=True,
    )
    intakes = []
    received = FIRST + _days(rng, 0, 2500)
    previous: ImportedDecision | None = None
    for n in range(rng.randint(1, 4)):
        if received > LAST:
            break
        contact = received + _days(rng, 0, 14) if rng.random() < 0.85 else None
        started = received + _days(rng, 0, 20)
        completed = started + _days(rng, 5, 60)
        last = n == 3 or completed > LAST or rng.random() < 0.15
        decided = completed + _days(rng, 0, 10)
        if last and (completed > LAST or decided > LAST or rng.random() < 0.5):
            intakes.append(
                ImportedIntake(
                    kind=Intake.Kind.APPLICATION,
                    sender=Intake.From.PERSON,
                    received_on=received,
                    channel=Intake.Channel.E_SERVICE,
                    requested="Ledsagarservice.",
                    first_contact_on=min(contact, LAST) if contact else None,
                    investigation=ImportedInvestigation(started_on=min(started, LAST)),
                )
            )
            break
        supersedes = previous.key if previous and previous.ended_on is None and rng.random() < 0.6 else ""
        decision = _decision(rng, officer, decided, f"d{n}", supersedes)
        intakes.append(
            ImportedIntake(
                kind=Intake.Kind.APPLICATION,
                sender=Intake.From.PERSON,
                received_on=received,
                channel=Intake.Channel.E_SERVICE,
                requested="Ledsagarservice.",
                first_contact_on=contact,
                investigation=ImportedInvestigation(started_on=started, completed_on=completed),
                decisions=[decision],
            )
        )
        previous = decision
        if decision.period_end is not None and rng.random() < 0.6:
            received = decision.period_end - _days(rng, 0, 90)  # around the reassessment window
        else:
            received = decided + _days(rng, 200, 1400)
        received = max(received, decided + DAY)
    return ImportedHistory(client=client, intakes=intakes, officer=officer)


def _lists(org: Organisation, today: datetime.date, window: int, upcoming: int, todo_only: bool) -> dict[str, Any]:
    since = today - datetime.timedelta(days=window)
    duties = [
        d
        for d in duties_for(
            [org.purchaser.pk], today=today, done_since=since, todo_only=todo_only, upcoming_days=upcoming
        )
        if d.rule.code.startswith("casework.")
    ]
    todo = todo_list(duties, today, since, upcoming_until=today + datetime.timedelta(days=upcoming))
    return {
        name: sorted((d.rule.code, d.anchor_on, d.done_on, d.client_id, d.subject, d.url) for d in getattr(todo, name))
        for name in ("overdue", "due_soon", "done_late", "upcoming")
    }


def test_att_gora_reads_only_candidates_and_misses_nothing(org: Organisation) -> None:
    officer = f.officer(org)
    history_import(actor=SYSTEM, unit=org.purchaser, histories=[_history(org, officer, n) for n in range(40)])
    # The history has what each candidate rule must keep (or the comparison would prove little).
    assert Intake.objects.filter(first_contact_on__isnull=True).exists()
    assert Decision.objects.filter(superseded_by__isnull=False).exists()
    assert Decision.objects.filter(ended_on__isnull=False).exists()
    assert Decision.objects.filter(period_end__isnull=False, superseded_by__isnull=True).count() >= 5
    assert FollowUp.objects.count() >= 40
    assert Appeal.objects.filter(forwarded_on__isnull=True).exists()
    shown = 0
    day = FIRST
    while day < D(2027, 1, 1):
        # As the page asks (done late in the last 90 days, what is coming in 92), and the narrowest query.
        for window, upcoming in ((90, 92), (0, 0)):
            fast = _lists(org, day, window, upcoming, todo_only=True)
            assert fast == _lists(org, day, window, upcoming, todo_only=False), (day, window, upcoming)
            shown += sum(len(rows) for rows in fast.values())
        day += datetime.timedelta(days=31)
    assert shown > 300  # the lists were not empty


def _mine(org: Organisation, today: datetime.date, officer_id: int, hint: bool) -> list[Any]:
    since = today - datetime.timedelta(days=90)
    duties = duties_for(
        [org.purchaser.pk],
        today=today,
        done_since=since,
        todo_only=True,
        upcoming_days=92,
        responsible_id=officer_id if hint else None,
    )
    return sorted(
        (d.rule.code, d.anchor_on, d.done_on, d.client_id, d.url)
        for d in duties
        if d.rule.code.startswith("casework.") and d.responsible_id == officer_id
    )


def test_a_case_officer_s_own_list_reads_only_their_cases(org: Organisation) -> None:
    """The responsible person's hint (their own "Att göra") leaves out other officers' cases and nothing else."""
    first, second = f.officer(org), f.officer(org, "handlaggare2")
    history_import(
        actor=SYSTEM,
        unit=org.purchaser,
        histories=[_history(org, first if n % 2 else second, n) for n in range(16)],
    )
    shown = 0
    day = FIRST
    while day < D(2027, 1, 1):
        for officer in (first, second):
            mine = _mine(org, day, officer.pk, hint=True)
            assert mine == _mine(org, day, officer.pk, hint=False), (day, officer.username)
            shown += len(mine)
        day += datetime.timedelta(days=122)
    assert shown > 30
