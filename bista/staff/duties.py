"""Where the staff duties come from: renewing a health-care delegation before it expires, and the yearly
appraisal (medarbetarsamtal).

Rule codes are the `core.DutyRule` codes seeded by migration staff/0003. The duties belong to the employee's
unit; the responsible person is the unit's manager (enhetschef), so the duty shows in their own list and in
the unit's. Sources read plain rows, not model instances (see bista.care.duties).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import NamedTuple

from django.db.models import Exists, FilteredRelation, OuterRef, Q, Subquery

from bista.core.access import valid_on
from bista.core.deadlines import Duty
from bista.core.duties import DutyQuery, make_duty, register
from bista.core.models import Membership
from bista.core.permissions import RoleCode
from bista.staff.models import Appraisal, Delegation, Employee

ONE_DAY = datetime.timedelta(days=1)


class Rule:
    DELEGATION_RENEWAL = "staff.delegation_renewal"
    APPRAISAL = "staff.appraisal"


def unit_managers(query: DutyQuery) -> dict[int, int]:
    """Unit → the user id of its manager (the enhetschef with a role in the unit today; the first by id if
    there are several), read once per query."""
    key = "staff.unit_managers"
    if key not in query.memo:
        managers: dict[int, int] = {}
        for unit_id, user_id in (
            Membership.objects.filter(
                valid_on(query.today),
                role__code=RoleCode.UNIT_MANAGER,
                unit_id__in=query.unit_ids,
                user__is_active=True,
            )
            .order_by("unit_id", "user_id")
            .values_list("unit_id", "user_id")
        ):
            managers.setdefault(unit_id, user_id)
        query.memo[key] = managers
    return query.memo[key]  # type: ignore[no-any-return]


def employee_teams(query: DutyQuery) -> dict[int, tuple[int, ...]]:
    """Employee → their teams, for the employees of the queried units (read once per query)."""
    key = "staff.employee_teams"
    if key not in query.memo:
        teams: dict[int, list[int]] = defaultdict(list)
        for employee_id, team_id in Employee.teams.through.objects.filter(
            employee__unit_id__in=query.unit_ids
        ).values_list("employee_id", "team_id"):
            teams[employee_id].append(team_id)
        query.memo[key] = {employee_id: tuple(sorted(ids)) for employee_id, ids in teams.items()}
    return query.memo[key]  # type: ignore[no-any-return]


def _assigned(query: DutyQuery, duty: Duty, teams: tuple[int, ...] = ()) -> Duty:
    """The duty with its responsible manager and teams, read only once a source keeps a duty (a unit with
    nothing to do costs one query per source)."""
    return dataclasses.replace(duty, responsible_id=unit_managers(query).get(duty.unit_id), team_ids=teams)


class _Employee(NamedTuple):
    pk: int
    unit_id: int
    start_date: datetime.date
    end_date: datetime.date | None
    first_name: str
    last_name: str


class _Delegation(NamedTuple):
    pk: int
    employee_id: int
    kind_id: int
    client_id: int | None
    valid_from: datetime.date
    valid_until: datetime.date
    revoked_on: datetime.date | None
    unit_id: int
    end_date: datetime.date | None
    first_name: str
    last_name: str
    kind_name: str
    client_first_name: str | None
    client_last_name: str | None


def renewal_done(delegation: _Delegation, later_starts: list[datetime.date]) -> datetime.date | None:
    """When the delegation's renewal was taken care of, or None while it is still owed.

    Done by a newer delegation of the same kind (and client) for the employee: in time if it starts by the
    day after the last day (the day it starts, at the latest the last day), late if it starts later (that
    day). Done by a revocation (no renewal wanted) on its date, or by the employee leaving by the last day.
    """
    candidates: list[datetime.date] = []
    if later_starts:
        start = min(later_starts)
        candidates.append(min(start, delegation.valid_until) if start <= delegation.valid_until + ONE_DAY else start)
    if delegation.revoked_on is not None:
        candidates.append(delegation.revoked_on)
    if delegation.end_date is not None and delegation.end_date <= delegation.valid_until:
        candidates.append(delegation.end_date)
    return min(candidates) if candidates else None


def _renewed_before(done_since: datetime.date) -> Q:
    """Delegations followed by another of the same kind (and client) for the employee that started before
    `done_since`: renewed (in time or late) before the window, so `renewal_done` is before it and "Att göra"
    drops the duty. Whatever such a delegation is later than is excluded too (that later one started before
    `done_since`), so every delegation kept still has all its later ones, and `renewal_done` sees the same
    start dates: the lists are unchanged (`test_att_gora_reads_only_candidate_delegations_and_appraisals`)."""
    later = Delegation.objects.filter(
        Q(valid_from__gt=OuterRef("valid_from")) | Q(valid_from=OuterRef("valid_from"), pk__gt=OuterRef("pk")),
        employee=OuterRef("employee"),
        kind=OuterRef("kind"),
        valid_from__lt=done_since,
    )
    return Q(client__isnull=True) & Exists(later.filter(client__isnull=True)) | Q(client__isnull=False) & Exists(
        later.filter(client=OuterRef("client"))
    )


def _someone_elses(query: DutyQuery) -> bool:
    """Whether the query wants only the duties of a person who manages none of the units (staff duties are the
    unit manager's)."""
    return query.responsible_id is not None and query.responsible_id not in unit_managers(query).values()


@register("staff.delegations")
def delegation_renewal_duties(query: DutyQuery) -> Iterator[Duty]:
    """Each delegation is due for renewal on its last day (warned 30 days before, per the rule)."""
    if _someone_elses(query):
        return
    delegations = Delegation.objects.filter(employee__unit_id__in=query.unit_ids)
    if query.todo_only:
        delegations = delegations.exclude(_renewed_before(query.done_since))
    rows = [
        _Delegation(*row)
        for row in delegations.order_by("valid_from", "id").values_list(
            "pk",
            "employee_id",
            "kind_id",
            "client_id",
            "valid_from",
            "valid_until",
            "revoked_on",
            "employee__unit_id",
            "employee__end_date",
            "employee__first_name",
            "employee__last_name",
            "kind__name",
            "client__first_name",
            "client__last_name",
        )
    ]
    # Per employee, kind and client: the start dates of the delegations, to find each one's renewal.
    starts: dict[tuple[int, int, int | None], list[tuple[datetime.date, int]]] = defaultdict(list)
    for row in rows:
        starts[(row.employee_id, row.kind_id, row.client_id)].append((row.valid_from, row.pk))
    for row in rows:
        key = (row.employee_id, row.kind_id, row.client_id)
        later = [start for start, pk in starts[key] if (start, pk) > (row.valid_from, row.pk)]
        done = renewal_done(row, later)
        if done is not None and done < query.done_since:
            continue  # renewed or ended long ago (as make_duty would drop it, before the names are formatted)
        if done is None and row.end_date is not None and row.end_date < query.today:
            continue  # left after it expired without a renewal: nothing left to do
        client_name = f"{row.client_first_name} {row.client_last_name}" if row.client_id else ""
        duty = make_duty(
            query,
            Rule.DELEGATION_RENEWAL,
            row.valid_until,
            done,
            subject=f"Förnya delegering {row.kind_name}: {row.first_name} {row.last_name}",
            url=("staff:card", (row.employee_id,)),
            unit_id=row.unit_id,
            client_id=row.client_id,
            client_name=client_name,
        )
        if duty is not None:
            yield _assigned(query, duty, teams=employee_teams(query).get(row.employee_id, ()))


@register("staff.appraisals")
def appraisal_duties(query: DutyQuery) -> Iterator[Duty]:
    """An appraisal is due 12 months after the last one (or after the employment started); the next one held
    fulfils it. No appraisal is owed once the employee has left."""
    if _someone_elses(query):
        return
    # One row per employee and appraisal (held_on None for an employee without any), in one query. For "Att
    # göra" only the appraisals held since `done_since` and, per employee, the last one before (`before`): an
    # appraisal fulfilled before the window is dropped anyway, so the years before it are not read.
    employees: dict[int, _Employee] = {}
    held: dict[int, list[datetime.date]] = defaultdict(list)
    before: dict[int, datetime.date | None] = {}
    fields: tuple[str, ...]
    rows = Employee.objects.filter(unit_id__in=query.unit_ids).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=query.done_since)
    )
    if query.todo_only:
        rows = rows.alias(
            recent=FilteredRelation("appraisals", condition=Q(appraisals__held_on__gte=query.done_since))
        ).annotate(
            before=Subquery(
                Appraisal.objects.filter(
                    employee=OuterRef("pk"), held_on__lt=query.done_since, held_on__gte=OuterRef("start_date")
                )
                .order_by("-held_on")
                .values("held_on")[:1]
            )
        )
        held_field, fields = "recent__held_on", ("before",)
    else:  # every appraisal
        held_field, fields = "appraisals__held_on", ()
    for row in rows.values_list(
        "pk", "unit_id", "start_date", "end_date", "first_name", "last_name", held_field, *fields
    ):
        employee = _Employee(*row[:6])
        employees.setdefault(employee.pk, employee)
        if row[6] is not None:
            held[employee.pk].append(row[6])
        if fields:
            before[employee.pk] = row[7]
    for employee in employees.values():
        dates = [employee.start_date, *sorted(d for d in held[employee.pk] if d >= employee.start_date)]
        if query.todo_only:
            # The dates from `done_since` on, after the last one before it (the start, or an appraisal).
            last_before = max(d for d in (employee.start_date, before[employee.pk]) if d is not None)
            dates = [d for d in dates if d >= query.done_since]
            if last_before < query.done_since:
                dates.insert(0, last_before)
        left = employee.end_date is not None and employee.end_date <= query.today
        for index, anchor in enumerate(dates):
            done = dates[index + 1] if index + 1 < len(dates) else None
            if (done is None and left) or (done is not None and done < query.done_since):
                continue  # as make_duty would drop it, before the subject is formatted
            duty = make_duty(
                query,
                Rule.APPRAISAL,
                anchor,
                done,
                subject=f"Medarbetarsamtal: {employee.first_name} {employee.last_name}",
                url=("staff:card", (employee.pk,)),
                unit_id=employee.unit_id,
            )
            if duty is not None:
                yield _assigned(query, duty)
