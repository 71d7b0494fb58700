"""The working-time indicators page (/schema/nyckeltal/): a unit's (or team's) figures for a year, and the
drill-down to the shifts behind each figure on the same page (query parameter `underlag`).

Access: roster.view in the unit. The sick-leave drill-down names who was sick, so its shifts are listed
only for those who also hold absence.manage; others see the figures. Clients are named only where the
reader may see them and never when their identity is protected; the reads are logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bista.clients.models import AccessLogEntry, Client
from bista.clients.selectors import visible_clients
from bista.clients.services import access_log_record_many
from bista.core import charts, clock
from bista.core.access import require_any_unit
from bista.core.format import one_decimal
from bista.core.forms import MAX_ID, set_unit_choices
from bista.core.models import Team, Unit
from bista.core.permissions import Perm
from bista.rostering import indicators
from bista.rostering.indicators import Code, Figure, ReportPeriod, YearOverview

PAGE_SIZE = 100
GENDER_COLUMNS = (("K", "Kvinnor"), ("M", "Män"))
GENDER_NAMES = {"K": "kvinnor", "M": "män"}
CLIENT_GENDERS = {"K": "kvinna", "M": "man"}
PART_CHOICES = (("taljare", "Täljaren"), ("namnare", "Nämnaren"))
DEFINITIONS = {
    Code.SICK_LEAVE: "Sjukfrånvaro är sjuktimmar delat med schemalagd ordinarie tid: timmarna i publicerade, "
    "arbetade och frånvaromarkerade pass med aktiv tid som inte är övertid. Sjuktimmar är timmarna i de pass som "
    "markerats som frånvaro på grund av sjukdom.",
    Code.SICK_LEAVE_DAYS_1_14: "Dag 1–14 räknar bara sjuktimmar i pass som börjar under de första 14 dagarna av "
    "sjukperioden, delat med samma schemalagda tid.",
    Code.HOURLY_PAID_SHARE: "Arbetade timmar (aktiv tid och jour) av timavlönad personal delat med alla arbetade "
    "timmar.",
    Code.OVERTIME_HOURS: "Arbetade timmar i pass markerade som övertid eller mertid.",
    Code.STAFF_CONTINUITY: "Antal olika medarbetare som arbetat hos en brukare under en månad, i genomsnitt över "
    "brukarna som fick stöd den månaden; uppdelat efter brukarens kön. Färre är bättre.",
}
COMMON_NOTE = (
    "Ett pass räknas till den månad det börjar (svensk tid) och med sin faktiska längd, även över midnatt och "
    "sommartidsomställning. Kön är det registrerade; övriga ingår bara i totalen."
)


# --- Forms ------------------------------------------------------------------------------------------------------


class IndicatorFilterForm(forms.Form):
    enhet = forms.TypedChoiceField(label="Enhet", coerce=int)
    arbetsgrupp = forms.TypedChoiceField(label="Arbetsgrupp", required=False, coerce=int, empty_value=None)
    ar = forms.IntegerField(
        label="År",
        min_value=indicators.MIN_YEAR,
        max_value=indicators.MAX_YEAR,
        error_messages={
            "invalid": "Ange ett år med fyra siffror.",
            "min_value": f"Ange ett år från {indicators.MIN_YEAR}.",
            "max_value": f"Ange ett år till och med {indicators.MAX_YEAR}.",
        },
    )

    def __init__(self, *args: Any, units: list[Unit], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit_choices(self, units)
        names = {unit.pk: unit.name for unit in units}
        groups: dict[int, list[tuple[int, str]]] = {}
        for team in teams:
            groups.setdefault(team.unit_id, []).append((team.pk, team.name))
        self.team_units = {team.pk: team.unit_id for team in teams}
        self.fields["arbetsgrupp"].choices = [  # type: ignore[attr-defined]
            ("", "Hela enheten"),
            *[(names[unit_id], choices) for unit_id, choices in groups.items()],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        team_id, unit_id = data.get("arbetsgrupp"), data.get("enhet")
        if team_id is not None and unit_id is not None and self.team_units.get(team_id) != unit_id:
            self.add_error("arbetsgrupp", "Arbetsgruppen hör inte till den valda enheten.")
        return data


class DrillDownForm(forms.Form):
    """Which figure's records to list: the indicator, the period (key), optionally a gender and the part."""

    underlag = forms.ChoiceField(label="Nyckeltal", choices=[(code, code) for code in indicators.CODES])
    period = forms.CharField(label="Period", max_length=20)
    kon = forms.ChoiceField(label="Kön", required=False, choices=[("", "Alla"), *GENDER_COLUMNS])
    del_ = forms.ChoiceField(label="Del", required=False, choices=PART_CHOICES)

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        data = data.copy()
        data["del_"] = data.get("del", "")  # "del" is the parameter's name in the address
        super().__init__(data, *args, **kwargs)

    def clean_period(self) -> ReportPeriod:
        try:
            return ReportPeriod.parse(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError("Ange en period som 2024, 2024-T1, 2024-03 eller 2024-03-R12.") from None


# --- Formatting -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    label: str  # the column's name, for the narrow-screen layout
    text: str
    url: str = ""


def _format(value: float | None, measure: str) -> str:
    if value is None:
        return "–"
    if measure == "andel":
        return f"{one_decimal(100 * value)} %"
    if measure == "timmar":
        return f"{one_decimal(value)} h"
    return one_decimal(value)


def _hours(value: float | None) -> str:
    return "–" if value is None else f"{one_decimal(value)} h"


class _Links:
    """Links from a figure to its drill-down, keeping the unit, team and year."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.base = {key: value for key, value in base.items() if value not in (None, "")}

    @property
    def overview(self) -> str:
        return "?" + urlencode(self.base)

    def drill(self, code: str, period: ReportPeriod, gender: str | None = None, part: str = "") -> str:
        params = {**self.base, "underlag": code, "period": period.key}
        if gender:
            params["kon"] = gender
        if part:
            params["del"] = part
        return "?" + urlencode(params)


def _cells(figure: Figure, title: str, links: _Links) -> list[Cell]:
    """Women, men and all for one figure, each linked to its records."""
    cells = [
        Cell(
            f"{title}: {label}",
            _format(figure.by_gender[key].value, figure.measure),
            links.drill(figure.code, figure.period, key),
        )
        for key, label in GENDER_COLUMNS
    ]
    cells.append(
        Cell(f"{title}: Totalt", _format(figure.value, figure.measure), links.drill(figure.code, figure.period))
    )
    return cells


def _row_label(period: ReportPeriod) -> str:
    if period.kind == indicators.PeriodKind.MONTH:
        return indicators.MONTH_NAMES[period.number - 1].capitalize()
    if period.kind == indicators.PeriodKind.TERTIAL:
        return f"Tertial {period.number}"
    return f"Helår {period.year}"


def _sections(overview: YearOverview, links: _Links) -> list[dict[str, Any]]:
    """The four tables of the page: one row per month, tertial and the year."""
    sick, hourly, overtime, continuity = [], [], [], []
    for period in overview.periods:
        label, summary = _row_label(period), period.kind != indicators.PeriodKind.MONTH
        figure = overview.figure
        rolling: list[Cell] = [Cell("Rullande 12 månader", "")]
        if not summary:
            twelve = figure(Code.SICK_LEAVE, ReportPeriod.rolling_12(period.year, period.number))
            rolling = [
                Cell("Rullande 12 månader", _format(twelve.value, "andel"), links.drill(Code.SICK_LEAVE, twelve.period))
            ]
        sick.append(
            {
                "label": label,
                "summary": summary,
                "cells": [
                    *_cells(figure(Code.SICK_LEAVE, period), "Sjukfrånvaro", links),
                    *_cells(figure(Code.SICK_LEAVE_DAYS_1_14, period), "Dag 1–14", links),
                    *rolling,
                ],
            }
        )
        share = figure(Code.HOURLY_PAID_SHARE, period)
        verdict = "–"
        if share.value is not None:
            verdict = "Inom målet" if share.value <= indicators.HOURLY_PAID_TARGET else "Över målet"
        hourly.append(
            {
                "label": label,
                "summary": summary,
                "cells": [
                    *_cells(share, "Andel", links),
                    Cell("Arbetade timmar", _hours(share.denominator), links.drill(share.code, period, part="namnare")),
                    Cell("Jämfört med målet", verdict),
                ],
            }
        )
        overtime.append(
            {"label": label, "summary": summary, "cells": _cells(figure(Code.OVERTIME_HOURS, period), "Övertid", links)}
        )
        kept = figure(Code.STAFF_CONTINUITY, period)
        continuity.append(
            {
                "label": label,
                "summary": summary,
                "cells": [
                    *_cells(kept, "Medelvärde", links),
                    Cell("Median", _format(kept.median, kept.measure)),
                    Cell("Brukarmånader", str(int(kept.denominator or 0))),
                ],
            }
        )
    target = _format(indicators.HOURLY_PAID_TARGET, "andel")
    sections = [
        {
            "id": "sjukfranvaro",
            "title": "Sjukfrånvaro",
            "intro": DEFINITIONS[Code.SICK_LEAVE] + " " + DEFINITIONS[Code.SICK_LEAVE_DAYS_1_14],
            "head": [
                [
                    _th("Period", rows=2),
                    _th("Sjukfrånvaro", cols=3),
                    _th("Dag 1–14", cols=3),
                    _th("Rullande 12 månader", rows=2),
                ],
                [*_gender_heads(), *_gender_heads()],
            ],
            "rows": sick,
        },
        {
            "id": "timavlonade",
            "title": "Andel arbetade timmar av timavlönad personal",
            "intro": DEFINITIONS[Code.HOURLY_PAID_SHARE] + f" Målet är högst {target}.",
            "head": [[_th("Period"), *_gender_heads(), _th("Arbetade timmar"), _th(f"Jämfört med målet {target}")]],
            "rows": hourly,
        },
        {
            "id": "overtid",
            "title": "Övertid per månad",
            "intro": DEFINITIONS[Code.OVERTIME_HOURS],
            "head": [[_th("Period"), *_gender_heads()]],
            "rows": overtime,
        },
        {
            "id": "kontinuitet",
            "title": "Personalkontinuitet",
            "intro": DEFINITIONS[Code.STAFF_CONTINUITY],
            "head": [
                [
                    _th("Period", rows=2),
                    _th("Antal olika personal per brukare och månad (medelvärde)", cols=3),
                    _th("Median", rows=2),
                    _th("Brukarmånader", rows=2),
                ],
                _gender_heads(),
            ],
            "rows": continuity,
        },
    ]
    charted = {
        "sjukfranvaro": Code.SICK_LEAVE,
        "timavlonade": Code.HOURLY_PAID_SHARE,
        "overtid": Code.OVERTIME_HOURS,
        "kontinuitet": Code.STAFF_CONTINUITY,
    }
    for section in sections:
        section["chart"] = _month_chart(overview, links, charted[str(section["id"])], str(section["title"]))
    return sections


def _chart_value(value: float | None, measure: str) -> float | None:
    """The figure as the chart draws it: a share in per cent, others as they are."""
    if value is None:
        return None
    return 100 * value if measure == "andel" else value


def _month_chart(overview: YearOverview, links: _Links, code: str, title: str) -> Any:
    """The figure month by month for women, men and all, each point linked to its records (the table above
    the chart has the same figures)."""
    months = [p for p in overview.periods if p.kind == indicators.PeriodKind.MONTH]
    figures = [overview.figure(code, period) for period in months]
    measure = figures[0].measure if figures else ""
    unit = {"andel": " %", "timmar": " h"}.get(measure, "")
    series = [
        charts.Series(
            label,
            [_chart_value(f.by_gender[key].value, measure) for f in figures],
            [links.drill(code, f.period, key) for f in figures],
        )
        for key, label in GENDER_COLUMNS
    ]
    series.append(
        charts.Series(
            "Totalt",
            [_chart_value(f.value, measure) for f in figures],
            [links.drill(code, f.period) for f in figures],
        )
    )
    return charts.line_chart(
        chart_id=f"diagram-{code}",
        title=f"{title} per månad",
        description=f"{title} per månad för kvinnor, män och totalt. Samma siffror finns i tabellen ovan.",
        periods=[indicators.MONTH_NAMES[p.number - 1][:3] for p in months],
        series=series,
        empty_message="Inget underlag ännu.",
        value_text=lambda value: f"{one_decimal(value)}{unit}",
    )


def _th(text: str, *, cols: int = 1, rows: int = 1) -> dict[str, Any]:
    return {"text": text, "scope": "colgroup" if cols > 1 else "col", "cols": cols, "rows": rows}


def _gender_heads() -> list[dict[str, Any]]:
    return [_th(label) for _, label in GENDER_COLUMNS] + [_th("Totalt")]


# --- The page ---------------------------------------------------------------------------------------------------


def _units_and_teams(request: HttpRequest) -> tuple[list[Unit], list[Team]]:
    unit_ids = require_any_unit(request.user, [Perm.ROSTER_VIEW])
    units = list(Unit.objects.filter(pk__in=unit_ids).order_by("name", "pk"))
    teams = list(Team.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("unit_id", "name"))
    return units, teams


def _filter_form(request: HttpRequest, units: list[Unit], teams: list[Team]) -> IndicatorFilterForm:
    """Default: the first unit, the whole unit, this year. A unit the user may not view is refused (403),
    not silently replaced."""
    raw_unit = request.GET.get("enhet", "")
    if raw_unit.isdigit() and int(raw_unit) <= MAX_ID and int(raw_unit) not in {unit.pk for unit in units}:
        raise PermissionDenied("Behörighet saknas: roster.view")
    data = request.GET.copy()
    data.setdefault("enhet", str(units[0].pk))
    data.setdefault("ar", str(clock.today().year))
    return IndicatorFilterForm(data, units=units, teams=teams)


@login_required
@require_GET
def indicator_page(request: HttpRequest) -> HttpResponse:
    """Sick leave (total and days 1–14, rolling 12 months), hourly-paid share, overtime and continuity of a
    unit or team per month, tertial and year; with `underlag`, the records behind one figure."""
    units, teams = _units_and_teams(request)
    form = _filter_form(request, units, teams)
    context: dict[str, Any] = {"form": form, "note": COMMON_NOTE}
    if not form.is_valid():
        return render(request, "rostering/indicators.html", context, status=400)
    data = form.cleaned_data
    unit = next(u for u in units if u.pk == data["enhet"])
    team = next((t for t in teams if t.pk == data["arbetsgrupp"]), None)
    links = _Links({"enhet": unit.pk, "arbetsgrupp": data["arbetsgrupp"], "ar": data["ar"]})
    context.update({"unit": unit, "team": team, "year": data["ar"], "overview_url": links.overview})
    if "underlag" in request.GET:
        return _drill_down_page(request, context, unit, team, links)
    overview = indicators.unit_overview(request.user, unit_id=unit.pk, year=data["ar"], team_id=data["arbetsgrupp"])
    context["sections"] = _sections(overview, links)
    return render(request, "rostering/indicators.html", context)


# --- The drill-down ---------------------------------------------------------------------------------------------


def _client_labels(actor: Any, unit: Unit, clients: list[Client], detail: str) -> dict[int, str]:
    """How each client is shown: by name where the reader may see the client and the identity is not
    protected. The clients the reader may see are logged as read (their shifts are shown)."""
    unique = {client.pk: client for client in clients}
    visible = set(visible_clients(actor).filter(pk__in=list(unique)).values_list("pk", flat=True))
    labels = {}
    for pk, client in unique.items():
        if pk not in visible:
            labels[pk] = "Brukare utanför din behörighet"
        elif client.protected_identity:
            labels[pk] = "Skyddade personuppgifter"
        else:
            labels[pk] = f"{client.last_name}, {client.first_name}"
    seen = [unique[pk] for pk in sorted(visible)]
    if seen:
        access_log_record_many(actor=actor, clients=seen, action=AccessLogEntry.Action.LIST, unit=unit, detail=detail)
    return labels


def _drill_down_page(
    request: HttpRequest, context: dict[str, Any], unit: Unit, team: Team | None, links: _Links
) -> HttpResponse:
    form = DrillDownForm(request.GET)
    context["drill_form"] = form
    if not form.is_valid():
        return render(request, "rostering/indicators.html", context, status=400)
    data = form.cleaned_data
    gender = data["kon"] or None
    drill = indicators.drill_down(
        request.user,
        code=data["underlag"],
        unit_id=unit.pk,
        period=data["period"],
        team_id=team.pk if team else None,
        gender=gender,
        denominator=data["del_"] == "namnare",
    )
    figure = drill.figure
    title = f"{figure.name}, {figure.period.label}" + (f", {GENDER_NAMES[gender]}" if gender else "")
    detail = f"Nyckeltal: underlag för {figure.name.lower()}, {figure.period.label}"
    context.update(
        {
            "drill": drill,
            "figure": figure,
            "title": title,
            "value": _format(figure.value if gender is None else figure.by_gender[gender].value, figure.measure),
            "figures": _figure_parts(figure),
            "part_links": _part_links(figure, gender, links),
            "definition": DEFINITIONS[figure.code],
            "is_sick": figure.code in indicators.SICK_CODES,
            "is_continuity": figure.code == Code.STAFF_CONTINUITY,
        }
    )
    context["listing"] = figure.code == Code.STAFF_CONTINUITY or drill.shifts is not None
    if figure.code == Code.STAFF_CONTINUITY:
        page = Paginator(drill.client_months, PAGE_SIZE).get_page(request.GET.get("sida"))
        clients = list(Client.objects.filter(pk__in={row.client_id for row in page}))
        labels = _client_labels(request.user, unit, clients, detail)
        context["page"] = page
        context["rows"] = [
            {
                "month": indicators.MONTH_NAMES[row.month.month - 1],
                "year": row.month.year,
                "client": labels[row.client_id],
                "gender": CLIENT_GENDERS.get(row.gender, "annat eller uppgift saknas"),
                "staff": row.staff,
            }
            for row in page
        ]
    elif drill.shifts is not None:
        shift_page = Paginator(drill.shifts, PAGE_SIZE).get_page(request.GET.get("sida"))
        labels = _client_labels(request.user, unit, [shift.client for shift in shift_page], detail)
        context["page"] = shift_page
        context["rows"] = [_shift_row(shift, labels) for shift in shift_page]
    return render(request, "rostering/indicators.html", context)


def _figure_parts(figure: Figure) -> list[dict[str, str]]:
    """Numerator, denominator and value for women, men and everyone (the aggregate every reader may see)."""

    def line(label: str, value: float | None, numerator: float, denominator: float | None) -> dict[str, str]:
        if figure.measure == "timmar":
            return {"label": label, "value": _hours(value), "numerator": _hours(numerator), "denominator": ""}
        if figure.code == Code.STAFF_CONTINUITY:
            return {
                "label": label,
                "value": _format(value, figure.measure),
                "numerator": str(int(numerator)),
                "denominator": str(int(denominator or 0)),
            }
        return {
            "label": label,
            "value": _format(value, figure.measure),
            "numerator": _hours(numerator),
            "denominator": _hours(denominator),
        }

    parts = [
        line(label, figure.by_gender[key].value, figure.by_gender[key].numerator, figure.by_gender[key].denominator)
        for key, label in GENDER_COLUMNS
    ]
    parts.append(line("Totalt", figure.value, figure.numerator, figure.denominator))
    return parts


def _part_links(figure: Figure, gender: str | None, links: _Links) -> list[dict[str, Any]]:
    """Switch between the shifts behind the numerator and the denominator (ratios of hours only)."""
    if figure.base_shifts is None or figure.code == Code.STAFF_CONTINUITY:
        return []
    return [
        {"label": "Passen bakom täljaren", "url": links.drill(figure.code, figure.period, gender)},
        {"label": "Passen bakom nämnaren", "url": links.drill(figure.code, figure.period, gender, "namnare")},
    ]


def _shift_row(shift: Any, labels: dict[int, str]) -> dict[str, Any]:
    starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
    flags = [text for on, text in ((shift.is_overtime, "övertid"), (shift.is_hourly_paid, "timavlönad")) if on]
    absence = ""
    if shift.absence is not None:
        day = indicators.episode_day(shift)
        absence = f"{shift.absence.get_kind_display()} från {shift.absence.starts_on:%Y-%m-%d}, dag {day}"
    return {
        "starts": starts,
        "ends": ends,
        "hours": _hours(shift.hours),
        "employee": shift.employee.full_name if shift.employee else "–",
        "client": labels[shift.client_id],
        "kind": shift.get_kind_display(),
        "status": shift.get_status_display(),
        "flags": ", ".join(flags),
        "absence": absence,
    }
