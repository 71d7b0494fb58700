"""The emergency routine (nödrutin): one PDF per active client with the crisis binder and contacts, an
index, logging, protected identity, the management command and the page four ways."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client as HttpClient
from pypdf import PdfReader

from bista.care.emergency import write_emergency_export
from bista.care.models import HomeBinder, OrderEvent
from bista.care.tests.factories import make_client, make_order, save_binder, signed_plan, step
from bista.clients import services as client_services
from bista.clients.models import AccessLogEntry, Client
from bista.core.access import SYSTEM
from bista.core.permissions import RoleCode
from bista.core.testing import Organisation, make_user
from bista.core.tests.pages import browser

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_two_factor")]

D = datetime.date


@pytest.fixture
def world(org: Organisation) -> dict[str, Client]:
    astrid = make_client(
        org.provider,
        first_name="Astrid",
        last_name="Lindqvist",
        street_address="Storgatan 1",
        postal_code="12345",
        city="Norrby",
    )
    order = make_order(astrid, org.provider, contacts="Handläggare Hanna Holm 08-500 00 00")
    signed_plan(order, D(2024, 2, 1), goals="Att kunna gå till affären själv.")
    step(order, OrderEvent.Kind.EXECUTED, D(2024, 3, 1))
    save_binder(
        astrid,
        HomeBinder.Kind.CRISIS_BINDER,
        D(2026, 1, 1),
        contacts="Dottern Lisa Lindqvist 070-123 45 67",
        instructions="Vid strömavbrott: ficklampa i hallen.",
    )
    client_services.client_contact_add(actor=SYSTEM, client=astrid, kind="god_man", name="Gunnar Godman")
    bertil = make_client(org.provider, first_name="Bertil", last_name="Berglund")
    gone = make_client(org.provider, first_name="Ingrid", last_name="Inaktiv")
    client_services.client_update(actor=SYSTEM, client=gone, expected_version=None, is_active=False)
    hidden = make_client(
        org.provider,
        first_name="Hemlig",
        last_name="Person",
        street_address="Gömdavägen 7",
        city="Någonstans",
        protected_identity=True,
    )
    other = make_client(org.other_unit, first_name="Cecilia", last_name="Carlsson")
    return {"astrid": astrid, "bertil": bertil, "gone": gone, "hidden": hidden, "other": other}


def pdf_text(data: bytes | Path) -> str:
    reader = PdfReader(io.BytesIO(data) if isinstance(data, bytes) else str(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_one_pdf_per_active_client(org: Organisation, world: dict[str, Client], manager: Any, tmp_path: Path) -> None:
    paths = write_emergency_export(actor=manager, unit=org.provider, directory=tmp_path)
    pdfs = [p for p in paths if p.name not in ("index.pdf", "index.txt")]
    assert len(pdfs) == 3  # Astrid, Bertil, Hemlig; not the inactive one, not the other unit's
    assert all(p.exists() and p.read_bytes().startswith(b"%PDF") for p in paths if p.suffix == ".pdf")
    texts = {p.name: pdf_text(p) for p in pdfs}
    astrid_text = next(t for name, t in texts.items() if name.startswith("lindqvist-astrid"))
    assert "Astrid Lindqvist" in astrid_text
    assert "Dottern Lisa Lindqvist 070-123 45 67" in astrid_text
    assert "Gunnar Godman" in astrid_text
    assert "Hanna Holm" in astrid_text
    assert "Att kunna gå till affären själv." in astrid_text
    assert "Storgatan 1" in astrid_text
    everything = "\n".join(texts.values())
    assert "Ingrid" not in everything
    assert "Cecilia" not in everything
    index = (tmp_path / "index.txt").read_text(encoding="utf-8")
    assert "Lindqvist, Astrid" in index
    assert "Inaktiv" not in index
    assert "Lindqvist, Astrid" in pdf_text(tmp_path / "index.pdf")


def test_every_printed_client_is_logged(
    org: Organisation, world: dict[str, Client], manager: Any, tmp_path: Path
) -> None:
    write_emergency_export(actor=manager, unit=org.provider, directory=tmp_path)
    logged = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.PRINT, actor=manager, unit=org.provider)
    assert sorted(logged.values_list("client__first_name", flat=True)) == ["Astrid", "Bertil", "Hemlig"]
    assert logged.get(client=world["hidden"]).protected_identity is True


def test_protected_address_only_for_the_access_group(
    org: Organisation, world: dict[str, Client], manager: Any, tmp_path: Path
) -> None:
    paths = write_emergency_export(actor=manager, unit=org.provider, directory=tmp_path / "a")
    text = pdf_text(next(p for p in paths if p.name.startswith("person-hemlig")))
    assert "Skyddade personuppgifter" in text
    assert "Gömdavägen" not in text
    client_services.protected_access_grant(actor=SYSTEM, unit=org.provider, user=manager)
    paths = write_emergency_export(actor=manager, unit=org.provider, directory=tmp_path / "b")
    assert "Gömdavägen 7" in pdf_text(next(p for p in paths if p.name.startswith("person-hemlig")))


def test_management_command_runs_as_system(org: Organisation, world: dict[str, Client], tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("emergency_export", "--unit", str(org.provider.pk), "--out", str(tmp_path), stdout=out)
    assert "3 brukare" in out.getvalue()
    hidden = next(tmp_path.glob("person-hemlig-*.pdf"))
    text = pdf_text(hidden)
    assert "Skyddade personuppgifter" in text
    assert "Gömdavägen 7" in text  # the system prints it, marked
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.PRINT, actor__isnull=True).count() == 3


def test_management_command_unknown_unit(db: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("emergency_export", "--unit", "987654", "--out", str(tmp_path))


def test_service_refuses_without_permission(
    org: Organisation, world: dict[str, Client], nobody: Any, other_manager: Any, staffer: Any, tmp_path: Path
) -> None:
    controller = make_user("controller", RoleCode.CONTROLLER, org.provider)
    for user in (nobody, other_manager, staffer, controller):
        with pytest.raises(PermissionDenied):
            write_emergency_export(actor=user, unit=org.provider, directory=tmp_path)
    assert not any(tmp_path.iterdir())
    assert AccessLogEntry.objects.count() == 0


# --- The page ----------------------------------------------------------------------------------------


def test_page_anonymous(world: dict[str, Client]) -> None:
    for response in (HttpClient().get("/nodrutin/"), HttpClient().post("/nodrutin/", {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/konto/logga-in/")
    assert AccessLogEntry.objects.count() == 0


def test_page_without_permission(org: Organisation, world: dict[str, Client], nobody: Any, staffer: Any) -> None:
    for user in (nobody, staffer):
        client = browser(user)
        assert client.get("/nodrutin/").status_code == 403
        assert client.post("/nodrutin/", {"enhet": org.provider.pk}).status_code == 403
    assert AccessLogEntry.objects.count() == 0


def test_page_with_permission_returns_a_zip(
    org: Organisation, world: dict[str, Client], manager: Any, fetch_print: Any
) -> None:
    client = browser(manager)
    page = client.get("/nodrutin/")
    assert page.status_code == 200
    assert "Skapa ZIP-fil" in page.content.decode()
    response = fetch_print(client, "/nodrutin/", {"enhet": org.provider.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="nodrutin-')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert len([n for n in names if n.endswith(".pdf") and n != "index.pdf"]) == 3
    assert {"index.pdf", "index.txt"} <= set(names)
    astrid = next(n for n in names if n.startswith("lindqvist-astrid"))
    assert "Dottern Lisa" in pdf_text(archive.read(astrid))
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.PRINT, actor=manager).count() == 3
    # the fetch is logged for each client in the file
    assert AccessLogEntry.objects.filter(action="download", actor=manager).count() == 3


def test_page_other_unit_manager(
    org: Organisation, world: dict[str, Client], other_manager: Any, fetch_print: Any
) -> None:
    client = browser(other_manager)
    assert client.post("/nodrutin/", {"enhet": org.provider.pk}).status_code == 403
    page = client.get("/nodrutin/")
    assert page.status_code == 200
    assert f'value="{org.provider.pk}"' not in page.content.decode()
    assert AccessLogEntry.objects.filter(client__in=[world["astrid"], world["bertil"]]).count() == 0
    response = fetch_print(client, "/nodrutin/", {"enhet": org.other_unit.pk})
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(n.startswith("carlsson-cecilia") for n in names)
    assert not any(n.startswith("lindqvist") for n in names)


@pytest.mark.parametrize("value", ["", "abc", str(2**70)])
def test_page_bad_unit(world: dict[str, Client], manager: Any, value: str) -> None:
    assert browser(manager).post("/nodrutin/", {"enhet": value}).status_code == 400
