"""Background work of the governance context (Django's Tasks API, the django-tasks backport): making a VP,
tertial report or VB. The request was checked and recorded by `services.document_request`; the task makes
the bytes, reports its progress on the document row and keeps the file (or the reason it failed)."""

from __future__ import annotations

from collections.abc import Callable

from django_tasks import task

from bista.core import clock
from bista.governance import documents, services
from bista.governance.models import GeneratedDocument


@task()
def generate_document(document_id: int) -> str:
    def build(document: GeneratedDocument, progress: Callable[[int, str], None]) -> bytes:
        return documents.build(document.plan, document.kind, document.format, today=clock.today(), progress=progress)

    return services.document_run(document_id, build).status
