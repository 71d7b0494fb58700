"""What timereports publishes for governance: "FK reports sent on time" as a plain figure with the clients behind
it (governance's registry wraps it in its `Outcome` and lists the clients in the drill-down). No access check
here: governance's selectors check governance.view in the unit before they call the registry.

Counted per client × assistant × month, for the months of the period whose deadline (`FkReportDeadline`,
reference data) has passed before `today`: each pair with confirmed time at a client whose assistance FK pays, or with
a report. On time: the pair's first report (not a correction) was sent on or before the deadline. A pair without a
report, or whose report was not sent by then, is late. A correction sent later does not make a report late.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from bista.timereports import rules
from bista.timereports.fkreports import fk_clients
from bista.timereports.models import FkReport, WorkedTime, fk_report_due


@dataclass(frozen=True)
class OnTime:
    on_time: int = 0
    total: int = 0
    client_ids: frozenset[int] = field(default_factory=frozenset)
    late_client_ids: frozenset[int] = field(default_factory=frozenset)  # a client with any pair late


def fk_reports_on_time(unit_id: int, start: datetime.date, end: datetime.date, today: datetime.date) -> OnTime:
    """The unit's FK reports of the months `start`–`end` whose deadline has passed by `today`: how many of the
    expected reports were sent on time, of how many."""
    on_time = total = 0
    clients: set[int] = set()
    late: set[int] = set()
    month = rules.first_of_month(start)
    while month <= end:
        due = fk_report_due(month)
        if due is None or due >= today:  # on the last day itself a report can still be sent
            month = rules.next_month(month)
            continue
        window_start, window_end = rules.month_window(month)
        fk = fk_clients(unit_id, month)
        pairs: set[tuple[int, int]] = set(
            WorkedTime.objects.filter(
                unit_id=unit_id, client_id__in=fk, starts_at__gte=window_start, starts_at__lt=window_end
            )
            .values_list("client_id", "employee_id")
            .distinct()
        )
        sent: dict[tuple[int, int], datetime.date | None] = defaultdict(lambda: None)
        for client_id, employee_id, sent_on in FkReport.objects.filter(
            unit_id=unit_id, month=month, supersedes__isnull=True
        ).values_list("client_id", "employee_id", "sent_on"):
            pairs.add((client_id, employee_id))
            sent[(client_id, employee_id)] = sent_on
        for pair in pairs:
            total += 1
            clients.add(pair[0])
            sent_on = sent[pair]
            if sent_on is not None and sent_on <= due:
                on_time += 1
            else:
                late.add(pair[0])
        month = rules.next_month(month)
    return OnTime(on_time, total, frozenset(clients), frozenset(late))


DESCRIPTION = (
    "Andel av tidredovisningarna till Försäkringskassan (brukare × assistent × månad, för periodens månader vars "
    "sista inlämningsdag har passerat) som skickades senast sista dagen (referensdata: den 5:e månaden efter, "
    "att verifiera). En redovisning som saknas eller skickades senare räknas som för sen; en senare rättelse "
    "gör inte den första redovisningen för sen."
)
