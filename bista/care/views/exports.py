"""Prints made in the background (the client's record, the emergency export): their progress and the file,
for the user who asked only (anyone else: 404). The fetch is logged (services.export_download)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from bista.care import services
from bista.care.models import CareExport

CONTENT_TYPES = {CareExport.Kind.RECORD: "application/pdf", CareExport.Kind.EMERGENCY: "application/zip"}


def filename(export: CareExport) -> str:
    """No name in the file name: it shows in download lists and on the disk."""
    stamp = f"{export.requested_at:%Y%m%d-%H%M}"
    if export.kind == CareExport.Kind.RECORD:
        return f"registerutdrag-{export.client_id}-{stamp}.pdf"
    return f"nodrutin-{export.unit_id}-{stamp}.zip"


def _context(export: CareExport) -> dict[str, object]:
    downloadable = export.status == CareExport.Status.DONE and export.content is not None
    return {
        "export": export,
        "status_url": reverse("care:export", args=[export.pk]),
        "download_url": reverse("care:export_download", args=[export.pk]) if downloadable else "",
        "filename": filename(export),
    }


@login_required
@require_http_methods(["GET"])
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The print's status; while it is being made, htmx asks again every two seconds (or reload)."""
    services.export_purge_expired()
    export = services.export_get(request.user, pk)
    export = CareExport.objects.select_related("unit", "client").get(pk=export.pk)
    template = "care/_export_status.html" if getattr(request, "htmx", False) else "care/export.html"
    return render(request, template, _context(export))


@login_required
@require_http_methods(["GET"])
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = services.export_get(request.user, pk)
    try:
        content = services.export_download(actor=request.user, export=export)
    except services.ExportGone:
        return HttpResponse("Filen finns inte längre. Beställ en ny utskrift.", status=410)
    response = HttpResponse(content, content_type=CONTENT_TYPES[CareExport.Kind(export.kind)])
    response["Content-Disposition"] = f'attachment; filename="{filename(export)}"'
    response["X-Checksum-SHA256"] = export.sha256
    response["Cache-Control"] = "no-store"
    return response
