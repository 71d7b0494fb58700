""" "Att göra": the duties needing attention — mine, a team's or a unit's — in four sections: overdue, due
soon, done late (last 90 days) and coming. Each row links to the record that fulfils the duty.

Each section shows its most urgent `ROWS_SHOWN` rows (the lists are sorted by urgency) and links to the whole
section (`?alla=<section>`), a plain link that works without JavaScript: a purchaser unit's list holds hundreds
of duties, and a page of hundreds of rows is read by nobody and was most of the page's time.

The sections' HTML is kept per process (`bista.core.datacache`) under the data version, the date, the rule book,
the scope and the viewer's access, so a list is built and rendered once per write, not once per request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from bista.care import selectors
from bista.core import clock, datacache
from bista.core import duties as duty_registry
from bista.core.access import access_map, require_any_unit, team_ids_for_user
from bista.core.deadlines import STATE_LABELS, Duty, DutyState, TodoList
from bista.core.forms import MAX_ID
from bista.core.models import Unit
from bista.core.permissions import Perm

# Rows shown per section before "Visa alla": the most urgent ones (every section is sorted by urgency).
ROWS_SHOWN = 25


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
    rows: list[Row]  # the rows shown: all, or the first ROWS_SHOWN
    empty: str
    # A collapsed section (what is done or not yet due) shows its rows behind this line: "Visa 3 uppgifter som …".
    collapsed_as: str = ""
    total: int = 0  # how many duties the section holds
    all_url: str = ""  # the page with this section in full, if `rows` is cut short
    expanded: bool = False  # asked for in full (`?alla=`): a collapsed section opens


def _id_param(request: HttpRequest, name: str) -> int | None:
    """An id from the query string; a malformed or out-of-range one is a missing page, not a server error."""
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise Http404("Sidan finns inte.")
    return int(value)


def _rows(duties: list[Duty], today: datetime.date, limit: int | None = None) -> list[Row]:
    rows = []
    for duty in duties[:limit]:
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


def sections(todo: TodoList, today: datetime.date, *, show_all: str = "", base_url: str = "") -> list[Section]:
    """The page's sections, each cut to its `ROWS_SHOWN` most urgent rows unless it is `show_all` (a section key,
    or "*" for every section); a cut section links to itself in full (`base_url` + `alla=<key>`)."""
    specs = [
        (
            "forsenade",
            "Försenade",
            "Försenade uppgifter: förfallodag passerad och inte utförd",
            todo.overdue,
            "Inga försenade uppgifter.",
            "",
        ),
        (
            "forfaller",
            "Förfaller snart",
            "Uppgifter som förfaller inom regelns varningstid",
            todo.due_soon,
            "Inget förfaller de närmaste dagarna.",
            "",
        ),
        (
            "for-sent",
            "Utfört för sent",
            f"Uppgifter utförda efter förfallodagen de senaste {selectors.DONE_LATE_WINDOW_DAYS} dagarna",
            todo.done_late,
            f"Inget har utförts för sent de senaste {selectors.DONE_LATE_WINDOW_DAYS} dagarna.",
            "som utfördes efter förfallodagen",
        ),
        (
            "kommande",
            "Kommande",
            f"Uppgifter som förfaller inom {selectors.UPCOMING_DAYS} dagar, före varningstiden",
            todo.upcoming,
            f"Inget mer förfaller de närmaste {selectors.UPCOMING_DAYS} dagarna.",
            "som förfaller de närmaste månaderna",
        ),
    ]
    separator = "&" if "?" in base_url else "?"
    result = []
    for key, title, caption, duties, empty, collapsed_as in specs:
        whole = show_all in {key, "*"}
        rows = _rows(duties, today, None if whole else ROWS_SHOWN)
        cut = len(rows) < len(duties)
        result.append(
            Section(
                key,
                title,
                caption,
                rows,
                empty,
                collapsed_as=collapsed_as,
                total=len(duties),
                all_url=f"{base_url}{separator}alla={key}#{key}" if cut else "",
                expanded=whole,
            )
        )
    return result


SECTION_KEYS = frozenset({"forsenade", "forfaller", "for-sent", "kommande"})


@login_required
@require_GET
def todo(request: HttpRequest) -> HttpResponse:
    """Scope "Mina" (default), "Arbetsgrupp" (?team=<id>) or "Enhet" (?unit=<id>); `?alla=<section>` shows that
    section in full."""
    user: Any = request.user
    require_any_unit(user, Perm.CLIENT_VIEW)
    team_id = _id_param(request, "team")
    unit_id = None if team_id is not None else _id_param(request, "unit")
    show_all = request.GET.get("alla", "")
    if show_all not in SECTION_KEYS:
        show_all = ""
    today = clock.today()
    teams = list(selectors.todo_teams(user).select_related("unit"))
    units = list(Unit.objects.filter(pk__in=selectors.todo_units(user)).order_by("name"))
    base_url = reverse("care:todo")
    if team_id is not None:
        scope = "team"
        team = next((t for t in teams if t.pk == team_id), None)
        if team is None:
            raise PermissionDenied("Behörighet saknas.")
        heading = f"Att göra för {team.name}"
        subtitle = f"Arbetsgrupp i {team.unit.name}"
        base_url += f"?team={team_id}"
    elif unit_id is not None:
        scope = "unit"
        unit = next((u for u in units if u.pk == unit_id), None)
        if unit is None:
            raise PermissionDenied("Behörighet saknas.")
        heading = f"Att göra för {unit.name}"
        subtitle = "Hela enheten"
        base_url += f"?unit={unit_id}"
    else:
        scope = "mine"
        heading = "Att göra"
        subtitle = "Uppgifter där du är ansvarig"

    def compute() -> tuple[dict[str, int], SafeString]:
        todo_list = selectors.todo_for(
            user, today=today, team_id=team_id, unit_id=unit_id, mine=not (team_id or unit_id)
        )
        shown = sections(todo_list, today, show_all=show_all, base_url=base_url)
        return todo_list.counts, render_to_string("care/todo_sections.html", {"sections": shown})

    # What the sections depend on besides the records: the date, the rule book and the URLs' prefix (as the
    # duties themselves), the scope, and who asks: the access map decides the staff duties and the units and
    # teams listed, and "Mina" is the person's own duties among the clients they see (their teams).
    viewer: tuple[object, ...] = (sorted((unit, sorted(perms)) for unit, perms in access_map(user).items()),)
    if scope == "mine":
        viewer += (user.pk, sorted(team_ids_for_user(user)))
    counts, sections_html = datacache.cached(
        "todo-page",
        (
            today,
            repr(duty_registry.rule_versions()),
            get_script_prefix(),
            scope,
            team_id,
            unit_id,
            show_all,
            viewer,
        ),
        compute,
    )
    context = {
        "heading": heading,
        "subtitle": subtitle,
        "scope": scope,
        "team_id": team_id,
        "unit_id": unit_id,
        "teams": teams,
        "units": units,
        "today": today,
        "sections_html": sections_html,
        "counts": counts,
    }
    return render(request, "care/todo.html", context)
