"""Self-checks (egenkontroller) of a unit with a drill-down to the clients behind each figure, and the
emergency routine's export (nödrutin) as a ZIP of PDFs."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bista.care import selfchecks, services
from bista.care.emergency import may_export
from bista.care.forms.binders import EmergencyExportForm, SelfCheckFilterForm
from bista.care.models import CareExport
from bista.core import clock
from bista.core.access import require_any_unit
from bista.core.forms import MAX_ID
from bista.core.models import Unit
from bista.core.permissions import Perm

GENDER_COLUMNS = (("K", "Kvinnor"), ("M", "Män"), ("other", "Övriga"))


def _self_check_units(request: HttpRequest) -> list[Unit]:
    unit_ids = require_any_unit(request.user, [Perm.CARE_SELF_CHECK])
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))


def _filter_form(request: HttpRequest, units: list[Unit]) -> SelfCheckFilterForm:
    """The unit/period/deputy filter; default: the first unit, this year up to today. A unit the user has
    no self-check permission in is refused (403), not silently replaced."""
    unit_ids = {unit.pk for unit in units}
    raw_unit = request.GET.get("enhet", "")
    if raw_unit.isdigit() and int(raw_unit) <= MAX_ID and int(raw_unit) not in unit_ids:
        raise PermissionDenied("Behörighet saknas: care.self_check")
    today = clock.today()
    data = request.GET.copy()
    data.setdefault("enhet", str(units[0].pk))
    data.setdefault("fran", today.replace(month=1, day=1).isoformat())
    data.setdefault("till", today.isoformat())
    return SelfCheckFilterForm(data, units=units, deputies=selfchecks.deputies(unit_ids))


def _query_string(data: dict[str, Any]) -> str:
    params = {"enhet": data["enhet"], "fran": data["fran"].isoformat(), "till": data["till"].isoformat()}
    if data.get("ansvarig"):
        params["ansvarig"] = data["ansvarig"]
    return urlencode(params)


@login_required
def self_checks(request: HttpRequest) -> HttpResponse:
    """The unit's self-checks for a period: met/total, share, and the split by gender."""
    units = _self_check_units(request)
    form = _filter_form(request, units)
    rows: list[dict[str, Any]] = []
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        query = _query_string(data)
        for check in selfchecks.self_checks(
            request.user, unit_id=data["enhet"], start=data["fran"], end=data["till"], deputy_id=data["ansvarig"]
        ):
            rows.append(
                {
                    "check": check,
                    "genders": [(key, label, *check.by_gender[key]) for key, label in GENDER_COLUMNS],
                }
            )
    return render(
        request,
        "care/self_checks.html",
        {"form": form, "rows": rows, "query": query, "gender_columns": GENDER_COLUMNS},
    )


@login_required
def self_check_detail(request: HttpRequest, check: str) -> HttpResponse:
    """The clients behind one figure: met and not met (a list of names, not a read of their records)."""
    if check not in selfchecks.NAMES:
        raise Http404("Egenkontrollen finns inte.")
    units = _self_check_units(request)
    form = _filter_form(request, units)
    met_param = request.GET.get("uppfyllt", "")
    met = {"ja": True, "nej": False}.get(met_param)
    context: dict[str, Any] = {"form": form, "name": selfchecks.NAMES[check], "code": check, "sections": []}
    if form.is_valid():
        data = form.cleaned_data
        arguments = {
            "unit_id": data["enhet"],
            "code": check,
            "start": data["fran"],
            "end": data["till"],
            "deputy_id": data["ansvarig"],
        }
        result = next(
            c
            for c in selfchecks.self_checks(
                request.user,
                unit_id=data["enhet"],
                start=data["fran"],
                end=data["till"],
                deputy_id=data["ansvarig"],
            )
            if c.code == check
        )
        sections = []
        for value, title, ids in (
            (True, "Uppfyllt", result.met_client_ids),
            (False, "Inte uppfyllt", result.unmet_client_ids),
        ):
            if met is not None and met != value:
                continue
            clients = selfchecks.self_check_clients(request.user, met=value, **arguments)
            sections.append(
                {
                    "title": title,
                    "clients": [c for c in clients if not c.protected_identity],
                    "protected": sum(1 for c in clients if c.protected_identity),
                    "hidden": len(ids) - len(clients),
                }
            )
        context.update({"sections": sections, "result": result, "query": _query_string(data)})
    return render(request, "care/self_check_detail.html", context)


def _export_units(request: HttpRequest) -> list[Unit]:
    unit_ids = require_any_unit(request.user, [Perm.CARE_SELF_CHECK])
    units = [unit for unit in Unit.objects.filter(pk__in=unit_ids).order_by("name") if may_export(request.user, unit)]
    if not units:
        raise PermissionDenied("Behörighet saknas.")
    return units


@login_required
@require_http_methods(["GET", "POST"])
def emergency_export(request: HttpRequest) -> HttpResponse:
    """GET explains the emergency routine; POST asks for the ZIP of PDFs, made in the background (the export's
    page shows its progress and hands it over)."""
    units = _export_units(request)
    form = EmergencyExportForm(request.POST or None, units=units, initial={"enhet": units[0].pk})
    if request.method == "POST":
        raw_unit = request.POST.get("enhet", "")
        if raw_unit.isdigit() and int(raw_unit) <= MAX_ID and int(raw_unit) not in {u.pk for u in units}:
            raise PermissionDenied("Behörighet saknas.")
        if form.is_valid():
            unit = next(u for u in units if u.pk == form.cleaned_data["enhet"])
            export = services.export_request(actor=request.user, kind=CareExport.Kind.EMERGENCY, unit=unit)
            return redirect("care:export", pk=export.pk)
    return render(request, "care/emergency_export.html", {"form": form}, status=400 if form.errors else 200)
