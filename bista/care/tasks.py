"""Background work of the care context (Django's Tasks API, as governance's documents): the prints that take
long — a client's whole record, a unit's emergency export. The request was checked and recorded by
`services.export_request`; the task makes the file as the user who asked (`services.export_run`)."""

from __future__ import annotations

from django_tasks import task

from bista.care.services import exports


@task()
def make_export(export_id: int) -> str:
    return exports.export_run(export_id).status
