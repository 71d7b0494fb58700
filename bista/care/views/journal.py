"""The journal (social dokumentation): a client's entries with search, writing and correcting entries, the
autosaved draft, one entry with its corrections and the client's objections, and the client's whole record
as PDF for a request for access (registerutdrag).

Entries are never edited or deleted: no view here changes or removes one. A correction is a new entry that
points at the original; an objection is recorded against the entry and shown under it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from bista.care import selectors, services
from bista.care.forms.journal import (
    JournalDraftForm,
    JournalEntryForm,
    JournalObjectionForm,
    JournalSearchForm,
    parse_id,
)
from bista.care.models import (
    CareExport,
    JournalCategory,
    JournalEntry,
)
from bista.clients import selectors as client_selectors
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.errors import ConflictError
from bista.core.forms import apply_service_errors

PAGE_SIZE = 25
# Query parameters that steer the page once (after signing, after discarding, "Rätta") and are not
# carried over to the pagination links.
ONE_OFF_PARAMS = ("sida", "rattar", "signerad", "kastat")
MISSING_ORIGINAL = "Anteckningen som skulle rättas finns inte eller så saknar du behörighet att läsa den."


# --- Helpers ------------------------------------------------------------------------------------------


def _visible_client(actor: Any, pk: int) -> Client:
    """The client if the actor may see them, without logging a read (for writes, which the service logs)."""
    client = client_selectors.visible_clients(actor).filter(pk=pk).first()
    if client is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    return client


def _read_client(actor: Any, pk: int) -> Client:
    """The client, with the read of their journal logged once."""
    return client_selectors.client_get(actor, pk, action=AccessLogEntry.Action.JOURNAL, detail="journal")


def _journal_url(client: Client, **params: str) -> str:
    url = reverse("care:journal", args=[client.pk])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def _categories_now() -> QuerySet[JournalCategory]:
    return selectors.journal_categories(clock.today()).order_by("name")


def _entry_form(
    data: Any, client: Client, *, form_class: type[JournalEntryForm] = JournalEntryForm, **kwargs: Any
) -> Any:
    return form_class(
        data,
        categories=_categories_now(),
        draft_url=reverse("care:journal_draft", args=[client.pk]),
        **kwargs,
    )


def _visible_entry(actor: Any, client: Client, pk: int | None) -> JournalEntry | None:
    """One of the client's entries that the actor may read (the original of a correction)."""
    if pk is None:
        return None
    return selectors.journal_entries(actor, client).filter(pk=pk).first()


# --- The journal page ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def journal(request: HttpRequest, client_pk: int) -> HttpResponse:
    """The client's entries, newest first, with search; and the form to write (or correct) an entry."""
    user: Any = request.user
    form = None
    if request.method == "POST":
        client = _visible_client(user, client_pk)
        if not selectors.can_write_journal(user, client):
            raise PermissionDenied("Behörighet saknas: journal.write")
        form = _entry_form(request.POST, client)
        if form.is_valid():
            entry = _sign(request, client, form)
            if entry is not None:
                messages.success(request, f"Anteckningen från {entry.event_date:%Y-%m-%d} är signerad och sparad.")
                return redirect(_journal_url(client, signerad="1"))
    client = _read_client(user, client_pk)
    return _render_journal(request, client, form)


def _sign(request: HttpRequest, client: Client, form: JournalEntryForm) -> JournalEntry | None:
    data = form.cleaned_data
    corrects = None
    if data["rattar"] is not None:
        corrects = _visible_entry(request.user, client, data["rattar"])
        if corrects is None:
            form.add_error(None, MISSING_ORIGINAL)
            return None
    try:
        return services.journal_entry_create(
            actor=request.user,
            client=client,
            event_date=data["event_date"],
            category=data["category"],
            text=data["text"],
            corrects=corrects,
        )
    except ValidationError as error:
        apply_service_errors(form, error)
    except ConflictError as error:
        form.add_error(None, f"{error} Din text finns kvar i formuläret.")
    return None


def _render_journal(request: HttpRequest, client: Client, form: Any) -> HttpResponse:
    user: Any = request.user
    search = JournalSearchForm(request.GET or None, categories=JournalCategory.objects.order_by("name"))
    filters: dict[str, Any] = {}
    if search.is_bound and search.is_valid():
        data = search.cleaned_data
        filters = {
            "query": data["q"],
            "category_id": data["kategori"].pk if data["kategori"] else None,
            "start": data["fran"],
            "end": data["till"],
        }
    entries = selectors.journal_entries_with_links(selectors.journal_entries(user, client, **filters), user, client)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("sida"))
    query = request.GET.copy()
    for param in ONE_OFF_PARAMS:
        query.pop(param, None)

    can_write = selectors.can_write_journal(user, client)
    draft = None
    correcting = None
    if can_write:
        draft = selectors.journal_draft(user, client)
        if form is None:
            form = _entry_form(None, client, initial=_initial(draft))
            asked = parse_id(request.GET.get("rattar"))
            if asked is not None:
                correcting = _visible_entry(user, client, asked)
                if correcting is not None:
                    form.initial["rattar"] = correcting.pk
                else:
                    messages.error(request, MISSING_ORIGINAL)
            elif draft is not None and draft.corrects is not None and draft.corrects.client_id == client.pk:
                correcting = draft.corrects
        else:
            correcting = _visible_entry(user, client, form.cleaned_data.get("rattar") if form.is_bound else None)
    context = {
        "client": client,
        "page": page,
        "search": search,
        "searching": bool(filters and any(filters.values())),
        "page_query": query,
        "can_write": can_write,
        "form": form,
        "draft": draft if form is not None and not form.is_bound else None,
        # When the server's draft was saved (ms since the epoch), for autosave.js to compare with its copy.
        "draft_saved_ms": int(draft.updated_at.timestamp() * 1000) if draft is not None else "",
        "correcting": correcting,
        "autosave_key": f"bista-journal-{user.pk}-{client.pk}",
        "clear_local_copy": bool(request.GET.get("signerad") or request.GET.get("kastat")),
        "can_print": selectors.can_print_record(user, client),
    }
    return render(request, "care/journal.html", context)


def _initial(draft: Any) -> dict[str, Any]:
    today = clock.today()
    if draft is None:
        return {"event_date": today}
    return {
        "event_date": draft.event_date or today,
        "category": draft.category_id,
        "text": draft.text,
        "rattar": draft.corrects_id or "",
    }


# --- The autosaved draft ------------------------------------------------------------------------------


@login_required
@require_http_methods(["POST"])
def journal_draft(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Save (or, with action=kasta, discard) the user's draft. htmx gets a status fragment; a plain form
    post is sent back to the journal page."""
    user: Any = request.user
    client = _visible_client(user, client_pk)
    htmx = bool(getattr(request, "htmx", False))
    if request.POST.get("action") == "kasta":
        services.journal_draft_discard(actor=user, client=client)
        if htmx:
            return _draft_status(request, "Utkastet är kastat.")
        messages.success(request, "Utkastet är kastat.")
        return redirect(_journal_url(client, kastat="1"))
    form = _entry_form(request.POST, client, form_class=JournalDraftForm)
    form.is_valid()
    if "text" in form.errors:
        message = f"Utkastet kunde inte sparas: {form.errors['text'][0]}"
        if htmx:
            return _draft_status(request, message, saved=False)
        messages.error(request, message)
        return redirect(_journal_url(client))
    values = form.draft_values()
    corrects = _visible_entry(user, client, values.pop("corrects_id"))
    try:
        draft = services.journal_draft_save(actor=user, client=client, corrects=corrects, **values)
    except ValidationError as error:
        message = "Utkastet kunde inte sparas: " + "; ".join(error.messages)
        if htmx:
            return _draft_status(request, message, saved=False)
        messages.error(request, message)
        return redirect(_journal_url(client))
    saved_at = timezone.localtime(draft.updated_at)
    message = f"Utkast sparat {saved_at:%H:%M}"
    if htmx:
        return _draft_status(request, message, saved_at=saved_at)
    messages.success(request, f"{message}. Du kan fortsätta skriva senare.")
    return redirect(_journal_url(client))


def _draft_status(
    request: HttpRequest, message: str, *, saved: bool = True, saved_at: datetime.datetime | None = None
) -> HttpResponse:
    response = render(
        request, "care/journal_draft_status.html", {"message": message, "saved": saved, "saved_at": saved_at}
    )
    # Tells autosave.js that the answer came from this view (not a login page after the session ended).
    response["X-Bista-Draft"] = "saved" if saved else "refused"
    response["Cache-Control"] = "no-store"
    return response


# --- One entry and the client's objection -------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def journal_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry with its corrections and objections. Only GET: an entry is never changed or removed."""
    entry = selectors.journal_entry_get(request.user, pk)
    return _render_entry(request, entry, None)


@login_required
@require_http_methods(["POST"])
def journal_objection(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the client says the entry is wrong. The entry itself stays as it was."""
    entry = selectors.journal_entry_get(request.user, pk)
    if not selectors.can_write_journal(request.user, entry.client):
        raise PermissionDenied("Behörighet saknas: journal.write")
    form = JournalObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.journal_objection_record(actor=request.user, entry=entry, text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Brukarens invändning är registrerad under anteckningen.")
            return redirect("care:journal_entry", pk=entry.pk)
    return _render_entry(request, entry, form)


def _render_entry(request: HttpRequest, entry: JournalEntry, form: Any) -> HttpResponse:
    user: Any = request.user
    client = entry.client
    can_write = selectors.can_write_journal(user, client)
    corrections = selectors.journal_entries(user, client).filter(corrects=entry).order_by("written_at", "id")
    context = {
        "client": client,
        "entry": entry,
        "corrections": list(corrections),
        "objections": list(entry.objections.select_related("recorded_by")),
        "can_write": can_write,
        "form": form if form is not None else (JournalObjectionForm() if can_write else None),
    }
    return render(request, "care/journal_entry.html", context)


# --- The whole record as PDF: made in the background (views/exports.py shows and hands it over) -------------


@login_required
@require_http_methods(["POST"])
def record_pdf(request: HttpRequest, client_pk: int) -> HttpResponse:
    """Ask for the client's whole record (registerutdrag): checked now as strictly as the print itself (only for
    those who see every client of one of the client's units), made by the worker, logged when it is read."""
    export = services.export_request(actor=request.user, kind=CareExport.Kind.RECORD, client_pk=client_pk)
    return redirect("care:export", pk=export.pk)
