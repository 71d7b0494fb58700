"""Background work of the governance context (Django's Tasks API, the django-tasks backport): making a VP,
tertial report or VB. The request was checked and recorded by `services.documents_request`; the task makes
the bytes, reports its progress on the document rows and keeps the files (or the reason they failed).

One task makes every format asked for in one request (DOCX and PDF): the closed years' outcomes are kept
first (`services.history_store`), the figures are read once (`documents.report_data`) and laid out per format."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django_tasks import task

from bista.core import clock
from bista.governance import documents, services
from bista.governance.models import GeneratedDocument


def make_documents(document_ids: list[int], *, today: datetime.date) -> list[GeneratedDocument]:
    """Make the documents of one request (the same plan and kind), reading the figures once."""
    shared: dict[str, documents.ReportData] = {}
    finished: set[int] = set()

    def progress_all(progress: int, message: str) -> None:
        for document_id in document_ids:
            if document_id not in finished:
                services.document_progress(document_id, progress, message)

    def build(document: GeneratedDocument, progress: Callable[[int, str], None]) -> bytes:
        if "data" not in shared:
            # An error here fails every document of the request, each with the same message.
            services.history_store(plan=document.plan, today=today, progress=progress_all)
            shared["data"] = documents.report_data(document.plan, document.kind, today=today, progress=progress_all)
        return documents.render(shared["data"], document.format)

    made = []
    for document_id in document_ids:
        made.append(services.document_run(document_id, build))
        finished.add(document_id)
    return made


@task()
def generate_documents(document_ids: list[int]) -> list[str]:
    return [document.status for document in make_documents(document_ids, today=clock.today())]


@task()
def generate_document(document_id: int) -> str:
    """One format (kept for documents queued before `generate_documents`)."""
    return make_documents([document_id], today=clock.today())[0].status
