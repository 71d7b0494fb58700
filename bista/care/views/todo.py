""" "Att göra": the duties needing attention — mine, a team's or a unit's — in three sections: overdue,
due soon and done late (last 90 days). Each row links to the record that fulfils the duty."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bista.care import selectors
from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.deadlines import STATE_LABELS, Duty, DutyState, TodoList
from bista.core.forms import MAX_ID
from bista.core.models import Unit
from bista.core.permissions import Perm


@dataclass(frozen=True)
class Row:
    """One duty as the page shows it (the texts are made here: a template loop over a unit's list is slow)."""

    duty: Duty
    due_on: datetime.date
    state_text: str
    client_url: str


def _days(count: int) -> str:
    return f"{count} dag" if count == 1 else f"{count} dagar"


def _state_text(duty: Duty, today: datetime.date, due_on: datetime.date) -> str:
    state = duty.state(today)
    label = STATE_LABELS[state]
    if state is DutyState.OPEN:
        return f"Om {_days((due_on - today).days)}"
    if state is DutyState.DUE_SOON:
        days_left = (due_on - today).days
        return f"{label}: förfaller i dag" if days_left == 0 else f"{label}: om {_days(days_left)}"
    days_late = duty.days_late(today)
    if not days_late:
        return label
    text = f"{label}, {_days(days_late)} för sent"
    return f"{text} (utfört {duty.done_on:%Y-%m-%d})" if duty.done_on else text


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    caption: str
    rows: list[Row]
    empty: str
    # A collapsed section (what is done or not yet due) shows its rows behind this line: "Visa 3 uppgifter som …".
    collapsed_as: str = ""


def _id_param(request: HttpRequest, name: str) -> int | None:
    """An id from the query string; a malformed or out-of-range one is a missing page, not a server error."""
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise Http404("Sidan finns inte.")
    return int(value)


def _rows(duties: list[Duty], today: datetime.date) -> list[Row]:
    rows = []
    for duty in duties:
        due_on = duty.due_on
        rows.append(
            Row(
                duty=duty,
                due_on=due_on,
                state_text=_state_text(duty, today, due_on),
                client_url=reverse("clients:card", args=[duty.client_id]) if duty.client_id else "",
            )
        )
    return rows


def sections(todo: TodoList, today: datetime.date) -> list[Section]:
    return [
        Section(
            "forsenade",
            "Försenade",
            "Försenade uppgifter: förfallodag passerad och inte utförd",
            _rows(todo.overdue, today),
            "Inga försenade uppgifter.",
        ),
        Section(
            "forfaller",
            "Förfaller snart",
            "Uppgifter som förfaller inom regelns varningstid",
            _rows(todo.due_soon, today),
            "Inget förfaller de närmaste dagarna.",
        ),
        Section(
            "for-sent",
            "Utfört för sent",
            f"Uppgifter utförda efter förfallodagen de senaste {selectors.DONE_LATE_WINDOW_DAYS} dagarna",
            _rows(todo.done_late, today),
            f"Inget har utförts för sent de senaste {selectors.DONE_LATE_WINDOW_DAYS} dagarna.",
            collapsed_as="som utfördes efter förfallodagen",
        ),
        Section(
            "kommande",
            "Kommande",
            f"Uppgifter som förfaller inom {selectors.UPCOMING_DAYS} dagar, före varningstiden",
            _rows(todo.upcoming, today),
            f"Inget mer förfaller de närmaste {selectors.UPCOMING_DAYS} dagarna.",
            collapsed_as="som förfaller de närmaste månaderna",
        ),
    ]


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """Scope "Mina" (default), "Arbetsgrupp" (?team=<id>) or "Enhet" (?unit=<id>)."""
    user: Any = request.user
    require_any_unit(user, Perm.CLIENT_VIEW)
    team_id = _id_param(request, "team")
    unit_id = None if team_id is not None else _id_param(request, "unit")
    today = clock.today()
    todo_list = selectors.todo_for(user, today=today, team_id=team_id, unit_id=unit_id, mine=not (team_id or unit_id))
    teams = list(selectors.todo_teams(user).select_related("unit"))
    units = list(Unit.objects.filter(pk__in=selectors.todo_units(user)).order_by("name"))
    if team_id is not None:
        scope = "team"
        team = next(t for t in teams if t.pk == team_id)  # todo_for refused teams outside todo_teams
        heading = f"Att göra för {team.name}"
        subtitle = f"Arbetsgrupp i {team.unit.name}"
    elif unit_id is not None:
        scope = "unit"
        unit = next(u for u in units if u.pk == unit_id)
        heading = f"Att göra för {unit.name}"
        subtitle = "Hela enheten"
    else:
        scope = "mine"
        heading = "Att göra"
        subtitle = "Uppgifter där du är ansvarig"
    context = {
        "heading": heading,
        "subtitle": subtitle,
        "scope": scope,
        "team_id": team_id,
        "unit_id": unit_id,
        "teams": teams,
        "units": units,
        "today": today,
        "sections": sections(todo_list, today),
        "counts": todo_list.counts,
    }
    return render(request, "care/todo.html", context)
