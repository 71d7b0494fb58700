"""The emergency routine (nödrutin): printable PDFs of what staff need if the system is unreachable.

One PDF per active client of a unit — the current implementation plans, the current crisis binder, the
client's contacts (legal representatives and relatives) and each open order's contacts — plus an index
(PDF and plain text). Each client's read is logged as a print. A protected client's address is printed only
for an actor in the unit's protected-identity group; the SYSTEM actor (the management command, run by the
operators to keep a copy off-line) prints it and marks the page "Skyddade personuppgifter".
"""

from __future__ import annotations

import io
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from bista.care.models import HomeBinder, ImplementationPlan, Order, PlanActivity
from bista.clients.models import AccessLogEntry, Client, ClientContact
from bista.clients.selectors import can_see_protected_address, visible_clients
from bista.clients.services import access_log_record_many
from bista.core import clock
from bista.core.access import SYSTEM, has_perm
from bista.core.generated import Progress
from bista.core.models import Unit
from bista.core.pdf import render_pdf
from bista.core.permissions import Perm

LOG_DETAIL = "nödrutin"


@dataclass(frozen=True)
class ClientSheet:
    """What one client's emergency PDF shows."""

    client: Client
    address_visible: bool
    crisis_binder: HomeBinder | None
    contacts: list[ClientContact]
    orders: list[tuple[Order, ImplementationPlan | None]]


def may_export(actor: Any, unit: Unit | int) -> bool:
    """care.self_check and sight of every client in the unit (the export prints all of them)."""
    if actor is SYSTEM:
        return True
    return has_perm(actor, Perm.CARE_SELF_CHECK, unit) and has_perm(actor, Perm.CLIENT_VIEW_ALL, unit)


def emergency_clients(actor: Any, unit: Unit) -> list[Client]:
    """The unit's active clients (an open link to the unit), by name, with what their sheet needs."""
    clients = Client.objects.filter(is_active=True, unit_links__unit=unit, unit_links__until__isnull=True)
    if actor is not SYSTEM:
        clients = clients.filter(pk__in=visible_clients(actor).values("pk"))
    open_orders = (
        Order.objects.filter(unit=unit)
        .exclude(status=Order.Status.ENDED)
        .select_related("service")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=ImplementationPlan.objects.filter(status=ImplementationPlan.Status.SIGNED).prefetch_related(
                    Prefetch("activities", queryset=PlanActivity.objects.order_by("position", "id"))
                ),
                to_attr="current_plans",
            )
        )
        .order_by("received_on", "pk")
    )
    return list(
        clients.distinct()
        .order_by("last_name", "first_name", "pk")
        .prefetch_related(
            Prefetch("contacts", queryset=ClientContact.objects.filter(is_active=True), to_attr="active_contacts"),
            Prefetch(
                "binders",
                # The unit's own crisis binder, as its own orders: a purchaser unit prints none of the provider's.
                queryset=HomeBinder.objects.filter(
                    unit=unit, kind=HomeBinder.Kind.CRISIS_BINDER, is_current=True
                ).select_related("responsible"),
                to_attr="crisis_binders",
            ),
            Prefetch("orders", queryset=open_orders, to_attr="open_orders"),
        )
    )


def client_sheet(actor: Any, client: Client) -> ClientSheet:
    binders = getattr(client, "crisis_binders", [])
    orders = getattr(client, "open_orders", [])
    return ClientSheet(
        client=client,
        address_visible=actor is SYSTEM or can_see_protected_address(actor, client),
        crisis_binder=binders[0] if binders else None,
        contacts=list(getattr(client, "active_contacts", [])),
        orders=[(order, (order.current_plans or [None])[0]) for order in orders],
    )


def _file_name(client: Client) -> str:
    text = unicodedata.normalize("NFKD", f"{client.last_name}-{client.first_name}")
    ascii_text = text.encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower() or "brukare"
    return f"{slug}-{client.pk}.pdf"


def _index_text(unit: Unit, printed_at: Any, printed_by: str, rows: list[tuple[Client, str]]) -> str:
    lines = [
        f"Nödrutin – {unit.name}",
        f"Utskrivet {printed_at:%Y-%m-%d %H:%M} av {printed_by}. {len(rows)} brukare.",
        "",
    ]
    for client, name in rows:
        mark = " (skyddade personuppgifter)" if client.protected_identity else ""
        lines.append(f"{client.last_name}, {client.first_name}{mark}\t{client.personnummer_formatted}\t{name}")
    return "\n".join(lines) + "\n"


def write_emergency_export(
    *, actor: Any, unit: Unit, directory: Path | str, progress: Progress | None = None
) -> list[Path]:
    """Write one PDF per active client of `unit` and an index (PDF and text) into `directory`.

    Returns the paths written: the clients' PDFs by name, then `index.pdf` and `index.txt`. The actor needs
    care.self_check and sight of all clients in the unit (PermissionDenied otherwise); every client printed
    is logged (AccessLogEntry.Action.PRINT). `progress(percent, message)` is told after each client.
    """
    if not may_export(actor, unit):
        raise PermissionDenied("Behörighet saknas: care.self_check")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    printed_at = clock.local_now()
    printed_by = "Systemet (nödrutin)" if actor is SYSTEM else (actor.get_full_name() or actor.get_username())
    clients = emergency_clients(actor, unit)
    access_log_record_many(
        actor=actor, clients=clients, action=AccessLogEntry.Action.PRINT, unit=unit, detail=LOG_DETAIL
    )
    paths: list[Path] = []
    index_rows: list[tuple[Client, str]] = []
    common = {"unit": unit, "printed_at": printed_at, "printed_by": printed_by, "system": actor is SYSTEM}
    for number, client in enumerate(clients, start=1):
        if progress is not None:
            progress(5 + int(85 * number / len(clients)), f"Brukare {number} av {len(clients)}")
        sheet = client_sheet(actor, client)
        name = _file_name(client)
        path = target / name
        path.write_bytes(render_pdf("care/emergency_client.html", {**common, "sheet": sheet}))
        paths.append(path)
        index_rows.append((client, name))
    index_context = {**common, "rows": index_rows}
    index_pdf = target / "index.pdf"
    index_pdf.write_bytes(render_pdf("care/emergency_index.html", index_context))
    index_txt = target / "index.txt"
    index_txt.write_text(_index_text(unit, printed_at, printed_by, index_rows), encoding="utf-8")
    return [*paths, index_pdf, index_txt]


def emergency_zip(*, actor: Any, unit: Unit, progress: Progress | None = None) -> tuple[bytes, list[int]]:
    """The export as one ZIP file (what the page hands over), and the ids of the clients in it."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="nodrutin-") as directory:
        paths = write_emergency_export(actor=actor, unit=unit, directory=directory, progress=progress)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, arcname=Path(path).name)
    return buffer.getvalue(), [client.pk for client in emergency_clients(actor, unit)]
