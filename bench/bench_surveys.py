"""Benchmark the client survey: the results of a city-year, and the answer page.

    .venv/bin/python bench/bench_surveys.py                                   # SQLite temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bista_surveys_bench \\
        .venv/bin/python bench/bench_surveys.py                               # PostgreSQL (the issue's target)

results: thirteen provider units, each with an October survey of the city's seven standard questions, 5,000
         responses in all (about 11,000 clients asked, 45 % answering, 6 % of questions skipped), and
         `selectors.year_results` (every unit's survey of the year, per unit: response rate, each question's
         distribution and share positive, the previous year) plus the same per gender and per service,
         computed `--runs` times. Target (issue 16): < 2 s median on PostgreSQL.
answer:  one respondent's screens through Django's test client (no network): the intro, each question
         screen with its answer, for `--answers` codes of an open survey, without submitting; the time of
         every request. Target: p95 < 100 ms.

The database is made fresh: a temporary SQLite file, or the PostgreSQL database named in DATABASE_URL, which
must contain "bench" (it is dropped and created). Rows are bulk-inserted (clients as bare rows with
placeholder personnummer): this measures reading, not writing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UNITS, RESPONSES, RATE = 13, 5000, 0.45


def _database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise SystemExit("DATABASE_URL must name a database with 'bench' in its name (it is dropped).")
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return url
    path = Path(tempfile.mkdtemp()) / "surveys-bench.sqlite3"
    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    return url


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(year: int) -> list[str]:
    """The city-year (and the year before, for the comparison); returns codes of an open survey for `answer`."""
    from bista.clients.models import Client, ClientUnit
    from bista.core import clock
    from bista.core.access import SYSTEM
    from bista.core.models import Department, District, Municipality, Unit
    from bista.core.services import unit_create
    from bista.surveys import rules, services
    from bista.surveys.models import Answer, Invitation, Question, Response, Survey

    rng = random.Random(2026)
    questions = list(Question.objects.filter(unit__isnull=True).select_related("scale"))
    municipality = Municipality.objects.create(name="Stockholm", code="0180")
    per_unit = RESPONSES // UNITS + 1
    asked_per_unit = int(per_unit / RATE)
    number = 0
    open_codes: list[str] = []
    for index in range(UNITS):
        district = District.objects.create(municipality=municipality, name=f"Stadsdel {index + 1}")
        department = Department.objects.create(district=district, name="Avdelningen för social omsorg")
        unit = unit_create(actor=SYSTEM, department=department, name="Enheten för personligt stöd", kind="provider")
        clients = []
        for _ in range(asked_per_unit):
            number += 1
            clients.append(
                Client(
                    personnummer=f"19{number:010d}",
                    first_name="Bench",
                    last_name=f"Person{number}",
                    gender=rng.choice("KKMMO"),
                    fictitious=True,
                )
            )
        clients = Client.objects.bulk_create(clients, batch_size=2000)
        ClientUnit.objects.bulk_create(
            [ClientUnit(client=c, unit=unit, since=datetime.date(year - 2, 1, 1)) for c in clients], batch_size=2000
        )
        for survey_year in (year - 1, year):
            survey = services.survey_create(
                actor=SYSTEM,
                unit=unit,
                name=f"Brukarundersökning {survey_year}",
                opens_on=datetime.date(survey_year, 10, 1),
                closes_on=datetime.date(survey_year, 10, 31),
                audience=Survey.Audience.ALL_ACTIVE,
                questions=questions,
            )
            invitations: list[Invitation] = []
            responses: list[Response] = []
            answers: list[Answer] = []
            for client in clients:
                used = len(responses) < per_unit and rng.random() < RATE * 1.2
                invitations.append(
                    Invitation(
                        survey=survey,
                        client=client,
                        respondent="client",
                        channel="letter",
                        code_hash=rules.code_hash(f"{survey.pk}:{client.pk}"),
                        gender=client.gender,
                        service_code=rng.choice(["ledsagarservice", "avlosarservice", "kontaktperson"]),
                        issued_at=clock.now(),
                        used=used,
                    )
                )
                if used:
                    response = Response(
                        id=uuid.uuid4(),
                        survey=survey,
                        unit=unit,
                        gender=client.gender,
                        service_code=invitations[-1].service_code,
                        respondent="client",
                    )
                    responses.append(response)
                    answers += [
                        Answer(id=uuid.uuid4(), response=response, question=q, value=rng.randint(1, q.scale.steps))
                        for q in questions
                        if rng.random() > 0.06
                    ]
            Invitation.objects.bulk_create(invitations, batch_size=2000)
            Response.objects.bulk_create(responses, batch_size=2000)
            Answer.objects.bulk_create(answers, batch_size=5000)
            # Answered and closed (written as the data is: results count only closed surveys).
            Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.CLOSED)
    # An open survey today, for the answer page.
    today = clock.today()
    first = Unit.objects.order_by("pk").first()
    assert first is not None
    live = services.survey_create(
        actor=SYSTEM,
        unit=first,
        name="Pågående",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        audience=Survey.Audience.ALL_ACTIVE,
        questions=questions,
    )
    live = services.survey_open(actor=SYSTEM, survey=live, expected_version=live.version)
    for client in Client.objects.filter(unit_links__unit=first).order_by("pk")[:200]:
        open_codes.append(services.invitation_issue(actor=SYSTEM, survey=live, client=client, channel="letter").code)
    return open_codes


def _results(year: int, runs: int) -> None:
    from bista.core.access import SYSTEM
    from bista.surveys import selectors
    from bista.surveys.models import Response

    answered = Response.objects.filter(survey__year=year).count()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for grouping in ("unit", "gender", "service"):
            found = selectors.year_results(SYSTEM, year, grouping)
            assert found.answered == answered
        timings.append(time.perf_counter() - start)
    median = statistics.median(timings)
    print(f"results: {answered} answers, {UNITS} units, per unit, gender and service: median {median:.3f} s (< 2 s)")


def _answer(codes: list[str], count: int) -> None:
    from django.test import Client as HttpClient
    from django.urls import reverse

    from bista.surveys.models import Question

    steps = Question.objects.filter(unit__isnull=True).count()
    timings = []
    for code in codes[:count]:
        page = HttpClient(HTTP_HOST="localhost")
        url = reverse("surveys:answer", args=[code])
        start = time.perf_counter()
        assert page.get(url).status_code == 200
        timings.append(time.perf_counter() - start)
        carried: dict[str, str] = {}
        data = {"steg": "0", "atgard": "nasta"}
        for step in range(1, steps + 2):
            start = time.perf_counter()
            response = page.post(url, {**data, **carried})
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            data = {"steg": str(step), "atgard": "nasta", "svar": "1"}
            carried = dict(re.findall(r'name="(a\d+)" value="(\d+)"', response.content.decode()))
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    median = statistics.median(timings)
    print(f"answer: {len(timings)} screens, median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (< 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--answers", type=int, default=50, help="respondents walked through the answer pages")
    args = parser.parse_args()
    url = _database()
    _setup()
    print(f"{platform.python_implementation()} {platform.python_version()}, {url.split(':', 1)[0]}")
    # The machine may be shared: the load before and after says how much of the time was someone else's.
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    from bista.core import clock

    year = clock.today().year - 1
    start = time.perf_counter()
    codes = _build(year)
    print(f"built in {time.perf_counter() - start:.1f} s")
    _results(year, args.runs)
    _answer(codes, args.answers)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
