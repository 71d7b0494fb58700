"""The client's whole record as one PDF, for a request for access (registerutdrag): who may print it, and the
print itself. Made by the worker (`care.tasks`) for the user who asked, with that user's access checked again
and the read logged as a print when the PDF is made."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404

from bista.care import selectors
from bista.care.models import HomeBinder, ImplementationPlan, PlanActivity
from bista.clients import selectors as client_selectors
from bista.clients.models import AccessLogEntry, Client
from bista.core import clock
from bista.core.access import unit_ids_with
from bista.core.generated import Progress
from bista.core.pdf import render_pdf
from bista.core.permissions import Perm

LOG_DETAIL = "registerutdrag (PDF)"


def printable_client(actor: Any, client_pk: int) -> Client:
    """The client if `actor` may print the whole record: client.view_all in one of the client's current units
    (PermissionDenied without it anywhere, Http404 for a client the actor does not see). Nothing is logged:
    nothing of the record is read."""
    if not unit_ids_with(actor, Perm.CLIENT_VIEW_ALL):
        raise PermissionDenied("Behörighet saknas: client.view_all")
    visible = client_selectors.visible_clients(actor).filter(pk=client_pk).first()
    if visible is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    if not selectors.can_print_record(actor, visible):
        raise PermissionDenied("Behörighet saknas: client.view_all")
    return visible


def record_pdf(actor: Any, client_pk: int, progress: Progress) -> bytes:
    """The PDF, read and logged (a print) as `actor`, whose access is checked again: it may have ended since
    the request."""
    try:
        printable_client(actor, client_pk)
    except Http404 as error:  # the worker has no 404 page: the client is out of sight, as a refusal
        raise PermissionDenied(str(error)) from error
    client = client_selectors.client_get(actor, client_pk, action=AccessLogEntry.Action.PRINT, detail=LOG_DETAIL)
    progress(10, "Läser akten")
    orders = (
        selectors.visible_orders(actor)
        .filter(client=client)
        .order_by("received_on", "id")
        .prefetch_related(
            "events",
            Prefetch(
                "plans",
                queryset=ImplementationPlan.objects.select_related("signed_by")
                .prefetch_related(Prefetch("activities", queryset=PlanActivity.objects.order_by("position", "id")))
                .order_by("number"),
            ),
        )
    )
    binders = [
        binder for kind in HomeBinder.Kind if (binder := selectors.binder_current(actor, client, kind)) is not None
    ]
    entries = selectors.journal_entries_with_links(selectors.journal_entries(actor, client), actor, client).order_by(
        "event_date", "written_at", "id"
    )
    context = {
        "client": client,
        "address_visible": client_selectors.can_see_protected_address(actor, client),
        "contacts": client.contacts.order_by("-is_active", "kind", "name"),
        "orders": orders,
        "binders": binders,
        "entries": entries,
        "printed_at": clock.local_now(),
        "printed_by": actor.get_full_name() or actor.get_username(),
    }
    progress(30, "Skapar PDF")
    return render_pdf("care/record_print.html", context)
