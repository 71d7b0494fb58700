"""Purging the sign-in bookkeeping: the own view's code requests, wrong codes and codes, and the survey's unknown
codes, older than the retention, are deleted by `bista purge_sign_in_records`; newer rows, the sign-ins and the
contacts stay; the lockout still works on what is left."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from bista.care.tests import factories as care
from bista.core.clock import STOCKHOLM
from bista.core.testing import Organisation
from bista.ownview import rules, services
from bista.ownview.models import OwnViewContact, OwnViewSignIn, SignInAttempt, SignInCode
from bista.ownview.tests.support import EMAIL, enable, request_code, signed_in
from bista.surveys.models import CodeGuess

pytestmark = pytest.mark.django_db
MAY = datetime.datetime(2030, 5, 2, 9, tzinfo=STOCKHOLM)


def _sign_in_and_guess(org: Organisation, when: datetime.datetime, frozen_clock: Any) -> None:
    """At `when`: a code request and sign-in for a client, a wrong code for an unknown personnummer, an unknown
    survey code."""
    frozen_clock(when)
    client = care.make_client(org.provider, first_name="Alva", last_name=f"Ahlgren{when:%m%d}", teams=[org.team])
    enable(client, address=f"alva{when:%m%d}@example.se")
    signed_in(client, f"alva{when:%m%d}@example.se")
    browser = HttpClient()
    request_code(browser, "19121212-1212", EMAIL)
    browser.post("/min-sida/logga-in/kod/", {"kod": "000000"})
    assert HttpClient().get("/enkat/ABCDEFGHJK/").status_code == 404


def test_rows_older_than_the_retention_are_purged_and_newer_ones_kept(
    org: Organisation, frozen_clock: Any, settings: Any
) -> None:
    settings.BISTA_SIGN_IN_RECORDS_RETENTION_DAYS = 30
    _sign_in_and_guess(org, MAY, frozen_clock)
    _sign_in_and_guess(org, MAY + datetime.timedelta(days=25), frozen_clock)
    assert SignInAttempt.objects.count() == 6 and SignInCode.objects.count() == 2 and CodeGuess.objects.count() == 2
    frozen_clock(MAY + datetime.timedelta(days=31))
    purged = services.sign_in_records_purge()
    assert (purged.attempts, purged.codes, purged.guesses) == (3, 1, 1)
    cutoff = MAY + datetime.timedelta(days=1)
    assert not SignInAttempt.objects.filter(at__lt=cutoff).exists() and SignInAttempt.objects.count() == 3
    assert SignInCode.objects.get().created_at > cutoff and CodeGuess.objects.get().at > cutoff
    assert OwnViewSignIn.objects.count() == 2 and OwnViewContact.objects.count() == 2  # the records stay
    assert services.sign_in_records_purge() == services.Purged(attempts=0, codes=0, guesses=0)


def test_the_command_purges_with_the_setting_and_says_how_many(
    org: Organisation, frozen_clock: Any, settings: Any
) -> None:
    _sign_in_and_guess(org, MAY, frozen_clock)
    settings.BISTA_SIGN_IN_RECORDS_RETENTION_DAYS = 7
    frozen_clock(MAY + datetime.timedelta(days=6))
    out = io.StringIO()
    call_command("purge_sign_in_records", stdout=out)
    assert "0 inloggningsförsök" in out.getvalue() and SignInAttempt.objects.count() == 3
    frozen_clock(MAY + datetime.timedelta(days=8))
    out = io.StringIO()
    call_command("purge_sign_in_records", stdout=out)
    assert out.getvalue().startswith("Borttaget: 3 inloggningsförsök, 1 engångskoder, 1 felaktiga enkätkoder")
    assert "äldre än 7 dagar" in out.getvalue()
    assert not SignInAttempt.objects.exists() and not SignInCode.objects.exists() and not CodeGuess.objects.exists()


def test_the_lockout_still_counts_what_the_purge_keeps(org: Organisation, frozen_clock: Any, settings: Any) -> None:
    settings.BISTA_SIGN_IN_RECORDS_RETENTION_DAYS = 0  # below the minimum: a day is kept
    frozen_clock(MAY)
    browser = HttpClient()
    for _ in range(rules.FAILURES_PER_SUBJECT):
        request_code(browser, "19121212-1212", EMAIL)
        browser.post("/min-sida/logga-in/kod/", {"kod": "000000"})
    frozen_clock(MAY + datetime.timedelta(minutes=5))
    services.sign_in_records_purge()
    assert SignInAttempt.objects.filter(kind=SignInAttempt.Kind.FAILURE).count() == rules.FAILURES_PER_SUBJECT


@pytest.mark.parametrize(("days", "kept"), [(30, 30), (1, 1), (0, 1), (-5, 1), ("x", 30), (None, 30), (400, 400)])
def test_the_retention_is_whole_days_and_at_least_one(days: Any, kept: int) -> None:
    assert rules.retention(days) == datetime.timedelta(days=kept)
