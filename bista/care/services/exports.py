"""Prints made in the background (`CareExport`): the client's whole record and the unit's emergency export.
Asked for here (checked and audited now, nothing queued if refused), made by `care.tasks.make_export` through
`core.generated` (the VB's mechanism) as the user who asked — whose access is checked again and whose reads
are logged then —, fetched only by that user while it is kept (`BISTA_EXPORT_KEEP_MINUTES`), each fetch
audited and logged per client; then its bytes are cleared."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404

from bista.care import emergency, record
from bista.care.actions import AccessAction
from bista.care.models import CareExport
from bista.clients.models import Client
from bista.clients.services import access_log_record, access_log_record_many
from bista.core import audit, clock, generated
from bista.core.access import SYSTEM
from bista.core.generated import Progress
from bista.core.models import Unit


class ExportGone(Exception):
    """The file has expired (its bytes are cleared) or was never made."""


def _kept() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.BISTA_EXPORT_KEEP_MINUTES)


@transaction.atomic
def export_request(*, actor: Any, kind: str, client_pk: int | None = None, unit: Unit | None = None) -> CareExport:
    """Ask for a print. The record: `client_pk`, refused as `care.record.printable_client` refuses; the emergency
    export: `unit`, refused without `emergency.may_export`. The task is queued when the transaction commits."""
    if kind == CareExport.Kind.RECORD:
        client = record.printable_client(actor, client_pk or 0)
        export = CareExport.objects.create(kind=kind, client=client, requested_by=actor)
    elif kind == CareExport.Kind.EMERGENCY:
        if unit is None or not emergency.may_export(actor, unit):
            raise PermissionDenied("Behörighet saknas: care.self_check")
        export = CareExport.objects.create(kind=kind, unit=unit, requested_by=actor)
    else:
        raise ValueError(kind)
    audit.record(
        actor=actor,
        action="export.request",
        obj=export,
        new={"kind": kind, "client": export.client_id, "unit": export.unit_id},
        unit=unit,
    )
    from bista.care.tasks import make_export

    export_id = export.pk
    transaction.on_commit(lambda: make_export.enqueue(export_id))
    return export


def export_run(export_id: int) -> CareExport:
    """The task's part: make the file as the user who asked, keep it until it expires (audited)."""
    export_purge_expired()

    def build(export: CareExport, progress: Progress) -> bytes:
        asker = get_user_model().objects.filter(pk=export.requested_by_id or 0, is_active=True).first()
        if asker is None:
            raise PermissionDenied("Den som bad om utskriften finns inte längre.")
        if export.kind == CareExport.Kind.RECORD:
            content = record.record_pdf(asker, export.client_id or 0, progress)
            export.client_ids = [export.client_id]
        else:
            assert export.unit is not None
            content, client_ids = emergency.emergency_zip(actor=asker, unit=export.unit, progress=progress)
            export.client_ids = client_ids
        CareExport.objects.filter(pk=export.pk).update(client_ids=export.client_ids)
        return content

    def kept(export: CareExport) -> None:
        export.expires_at = clock.now() + _kept()
        audit.record(
            actor=SYSTEM,
            action="export.generate",
            obj=export,
            new={"sha256": export.sha256, "size": export.size, "expires_at": export.expires_at.isoformat()},
            unit=export.unit,
        )

    return generated.run(CareExport.objects.select_related("unit", "client"), export_id, build, on_done=kept)


def export_get(actor: Any, pk: int) -> CareExport:
    """The print, only for the user who asked (anyone else: not found, as if it did not exist)."""
    export = CareExport.objects.select_related("unit", "client").defer("content").filter(pk=pk).first()
    if export is None or actor is None or export.requested_by_id != getattr(actor, "pk", None):
        raise Http404("Utskriften finns inte.")
    return export


@transaction.atomic
def export_download(*, actor: Any, export: CareExport) -> bytes:
    """The file's bytes for the user who asked, while it is kept and while they still have the access it was
    made with; the fetch is audited and logged for every client in the file."""
    export = CareExport.objects.select_for_update().get(pk=export_get(actor, export.pk).pk)
    if export.status != CareExport.Status.DONE or export.content is None or _expired(export):
        raise ExportGone
    if export.kind == CareExport.Kind.RECORD:
        client = record.printable_client(actor, export.client_id or 0)
        access_log_record(actor=actor, client=client, action=AccessAction.DOWNLOAD, detail=record.LOG_DETAIL)
    else:
        assert export.unit is not None
        if not emergency.may_export(actor, export.unit):
            raise PermissionDenied("Behörighet saknas: care.self_check")
        clients = list(Client.objects.filter(pk__in=export.client_ids))
        access_log_record_many(
            actor=actor, clients=clients, action=AccessAction.DOWNLOAD, unit=export.unit, detail=emergency.LOG_DETAIL
        )
    audit.record(actor=actor, action="export.download", obj=export, new={"sha256": export.sha256}, unit=export.unit)
    return bytes(export.content)


def _expired(export: CareExport) -> bool:
    return export.expires_at is not None and export.expires_at <= clock.now()


def export_purge_expired() -> int:
    """Clear the bytes of every expired print (the rows stay: what was made, for whom, when). Returns how many."""
    return CareExport.objects.filter(expires_at__lte=clock.now(), content__isnull=False).update(content=None)
