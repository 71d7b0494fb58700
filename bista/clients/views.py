"""Client pages: list and search, card, register, correct, contacts, export; and the log review."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bista.clients import selectors, services
from bista.clients.forms import (
    CLIENT_DETAIL_FIELDS,
    ClientCreateForm,
    ClientEditForm,
    ClientSearchForm,
    ContactForm,
    LogFilterForm,
    LogReviewForm,
    LogSampleForm,
)
from bista.clients.models import AccessLogEntry, LogReview
from bista.core import clock
from bista.core.access import has_perm, require_any_unit, unit_ids_with
from bista.core.csvexport import CsvDownload
from bista.core.errors import ConflictError
from bista.core.forms import apply_service_errors
from bista.core.models import Team, Unit
from bista.core.permissions import Perm

PAGE_SIZE = 50
PROTECTED_CONTACT_FIELDS = ("street_address", "postal_code", "city", "phone", "email")


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    """Search by name or personnummer; with htmx only the result table is re-rendered."""
    require_any_unit(request.user, Perm.CLIENT_VIEW)
    units = Unit.objects.filter(pk__in=unit_ids_with(request.user, *Perm.CLIENT_VIEW)).order_by("name")
    form = ClientSearchForm(request.GET or None, units=units)
    query, unit_id, include_inactive = "", None, False
    if form.is_valid():
        query = form.cleaned_data["q"]
        unit_id = form.cleaned_data["enhet"]
        include_inactive = form.cleaned_data["inaktiva"]
    clients = selectors.client_search(request.user, query, unit_id=unit_id, include_inactive=include_inactive)
    page = Paginator(clients.prefetch_related("teams"), PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "form": form,
        "page": page,
        "can_create": bool(unit_ids_with(request.user, Perm.CLIENT_MANAGE)),
        "can_export": bool(unit_ids_with(request.user, Perm.CLIENT_EXPORT)),
    }
    template = "clients/_results.html" if request.htmx else "clients/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def client_card(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(request.user, pk)
    context = {
        "client": client,
        "address_visible": selectors.can_see_protected_address(request.user, client),
        "contacts": client.contacts.filter(is_active=True),
        "teams": client.teams.select_related("unit").order_by("name"),
        "units": Unit.objects.filter(client_links__client=client, client_links__until__isnull=True),
        "can_manage": selectors.can_manage_client(request.user, client),
    }
    return render(request, "clients/card.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    unit_ids = require_any_unit(request.user, [Perm.CLIENT_MANAGE])
    units = Unit.objects.filter(pk__in=unit_ids).order_by("name")
    teams = Team.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("unit__name", "name")
    form = ClientCreateForm(request.POST or None, units=units, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.client_create(
                actor=request.user,
                unit=data["unit"],
                personnummer=data["personnummer_input"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                teams=data["teams"],
                **{name: data[name] for name in CLIENT_DETAIL_FIELDS},
            )
        except ValidationError as error:
            _rename_personnummer_error(error)
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{client.full_name} är registrerad.")
            return redirect("clients:card", pk=client.pk)
    return render(request, "clients/form.html", {"form": form, "title": "Registrera brukare"})


def _rename_personnummer_error(error: ValidationError) -> None:
    if hasattr(error, "error_dict") and "personnummer" in error.error_dict:
        error.error_dict["personnummer_input"] = error.error_dict.pop("personnummer")


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(request.user, pk, detail="redigering", to_manage=True)
    initial = {"version": client.version}
    form = ClientEditForm(request.POST or None, instance=client, initial=initial)
    if not selectors.can_see_protected_address(request.user, client):
        # Outside the protected-identity group the contact details are neither shown nor changeable.
        for name in PROTECTED_CONTACT_FIELDS:
            form.fields.pop(name)
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {k: v for k, v in data.items() if k != "version"}
        try:
            services.client_update(actor=request.user, client=client, expected_version=data["version"], **changes)
        except ConflictError as error:
            conflict = True
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Ändringarna är sparade.")
            return redirect("clients:card", pk=client.pk)
    if conflict:
        client.refresh_from_db()
    return render(
        request,
        "clients/form.html",
        {
            "form": form,
            "title": f"Ändra uppgifter för {client.full_name}",
            "client": client,
            "conflict": conflict,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_get(request.user, pk, detail="ny kontakt", to_manage=True)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_contact_add(actor=request.user, client=client, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Kontakten är sparad.")
            return redirect("clients:card", pk=client.pk)
    return render(
        request,
        "clients/form.html",
        {
            "form": form,
            "title": f"Ny företrädare eller anhörig för {client.full_name}",
            "client": client,
        },
    )


@login_required
def client_export(request: HttpRequest) -> HttpResponse:
    """CSV of the clients of one unit. Protected clients are left out; every exported client is logged."""
    unit_ids = require_any_unit(request.user, [Perm.CLIENT_EXPORT])
    try:
        unit_id = int(request.GET.get("enhet", ""))
    except ValueError:
        unit_id = min(unit_ids)
    if unit_id not in unit_ids:
        raise PermissionDenied
    unit = get_object_or_404(Unit, pk=unit_id)
    clients = (
        selectors.client_search(request.user, unit_id=unit.pk)
        .filter(protected_identity=False)
        .prefetch_related("teams")
    )
    download = CsvDownload(
        "brukare",
        [
            "Personnummer",
            "Förnamn",
            "Efternamn",
            "Kön",
            "Gatuadress",
            "Postnummer",
            "Postort",
            "Telefon",
            "Arbetsgrupper",
        ],
    )
    exported = list(clients)
    services.access_log_record_many(
        actor=request.user, clients=exported, action=AccessLogEntry.Action.EXPORT, unit=unit, detail="CSV-export"
    )
    for client in exported:
        download.row(
            [
                client.personnummer_formatted,
                client.first_name,
                client.last_name,
                client.get_gender_display(),
                client.street_address,
                client.postal_code,
                client.city,
                client.phone,
                ", ".join(t.name for t in client.teams.all()),
            ]
        )
    return download.response


# The log review (loggkontroll) ---------------------------------------------------------------------------


def _review_units(request: HttpRequest) -> Any:
    unit_ids = require_any_unit(request.user, [Perm.LOG_REVIEW])
    return Unit.objects.filter(pk__in=unit_ids).order_by("name")


@login_required
def log_index(request: HttpRequest) -> HttpResponse:
    units = _review_units(request)
    data = request.GET.copy()
    data.setdefault("enhet", str(units[0].pk))
    form = LogFilterForm(data, units=units, users=selectors.log_users(request.user))
    entries = AccessLogEntry.objects.none()
    if form.is_valid():
        entries = _filtered_entries(request, form.cleaned_data)
        if request.GET.get("format") == "csv":
            return _log_csv(entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("sida"))
    today = clock.today()
    sample_form = LogSampleForm(
        units=units,
        prefix="urval",
        initial={
            "enhet": form.cleaned_data.get("enhet") if form.is_valid() else None,
            "fran": today.replace(day=1),
            "till": today,
        },
    )
    reviews = LogReview.objects.filter(unit__in=units).select_related("unit", "reviewer")[:20]
    return render(
        request,
        "clients/log_index.html",
        {
            "form": form,
            "page": page,
            "sample_form": sample_form,
            "reviews": reviews,
        },
    )


def _filtered_entries(request: HttpRequest, data: dict[str, Any]) -> Any:
    return selectors.log_entries(
        request.user,
        unit_id=data["enhet"],
        user_id=data.get("anvandare"),
        client_id=data.get("brukare"),
        start=data.get("fran"),
        end=data.get("till"),
        protected_only=data.get("skyddade", False),
    )


def _log_csv(entries: Any) -> HttpResponse:
    download = CsvDownload(
        "atkomstlogg",
        [
            "Tidpunkt",
            "Användare",
            "Brukar-id",
            "Brukare",
            "Enhet",
            "Åtgärd",
            "Detalj",
            "Skyddade personuppgifter",
            "Begäran-id",
        ],
    )
    for entry in entries.iterator(chunk_size=2000):
        download.row(
            [
                timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.actor.username if entry.actor else "",
                entry.client_id,
                "(skyddad)" if entry.protected_identity else entry.client.full_name,
                entry.unit.name if entry.unit else "",
                entry.get_action_display(),
                entry.detail,
                "ja" if entry.protected_identity else "nej",
                entry.request_id,
            ]
        )
    return download.response


@login_required
@require_http_methods(["POST"])
def log_sample(request: HttpRequest) -> HttpResponse:
    units = _review_units(request)
    form = LogSampleForm(request.POST, units=units, prefix="urval")
    if form.is_valid():
        data = form.cleaned_data
        try:
            review = services.log_review_draw(
                actor=request.user,
                unit=get_object_or_404(Unit, pk=data["enhet"]),
                period_start=data["fran"],
                period_end=data["till"],
                sample_size=data["antal"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("log:review", pk=review.pk)
    return render(request, "clients/form.html", {"form": form, "title": "Dra ett urval för loggkontroll"}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def log_review(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(LogReview.objects.select_related("unit", "reviewer"), pk=pk)
    if not has_perm(request.user, Perm.LOG_REVIEW, review.unit_id):
        raise PermissionDenied
    form = LogReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_review_complete(actor=request.user, review=review, **form.cleaned_data)
        except ValidationError as error:
            review.refresh_from_db()
            if review.reviewed_at is not None:
                # Completed meanwhile (another tab or person): say so, as the form is no longer shown.
                messages.error(request, "Loggkontrollen är redan avslutad. Din bedömning sparades inte.")
                return redirect("log:review", pk=review.pk)
            apply_service_errors(form, error)
        else:
            messages.success(request, "Loggkontrollen är registrerad.")
            return redirect("log:review", pk=review.pk)
    entries = review.entries.select_related("actor", "client", "unit").order_by("at")
    return render(request, "clients/log_review.html", {"review": review, "entries": entries, "form": form})
