"""API for clients (brukare) and their contacts. Every read of one client's data is logged; a protected
client's address is shown only to the unit's named access group."""

import datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bista.clients import selectors, services
from bista.clients.models import AccessLogEntry, Client, ClientContact, StaffGenderPreference
from bista.core.access import require_any_unit
from bista.core.api import (
    ERRORS,
    GenderCode,
    Id,
    InputSchema,
    Pagination,
    PatchSchema,
    SearchText,
    Text,
    actor,
    existing,
    existing_teams,
    one_of,
)
from bista.core.models import Team, Unit
from bista.core.permissions import Perm

router = Router()

StaffGender = Annotated[str, Field(json_schema_extra=one_of(StaffGenderPreference))]
ContactKind = Annotated[str, Field(json_schema_extra=one_of(ClientContact.Kind))]


class ClientSummary(Schema):
    id: int
    personnummer: str = Field(..., description="ÅÅÅÅMMDD-NNNN")
    first_name: str
    last_name: str
    gender: GenderCode
    is_active: bool
    protected_identity: bool


class ClientListOut(ClientSummary):
    """A row in a list: no address or phone, only what is needed to pick the right person."""

    @staticmethod
    def resolve_personnummer(obj: Client) -> str:
        return obj.personnummer_formatted


class ClientOut(ClientSummary):
    """One client; a protected client's address is null unless the reader is in the unit's access group."""

    street_address: str | None
    postal_code: str | None
    city: str | None
    phone: str
    email: str
    preferred_staff_gender: StaffGender
    language: str
    interpreter_needed: bool
    fictitious: bool
    unit_ids: list[int]
    team_ids: list[int]
    version: int


class ClientFilter(Schema):
    q: SearchText = ""
    unit_id: Id | None = None
    team_id: Id | None = None
    include_inactive: bool = False


class ClientIn(InputSchema):
    unit_id: Id
    personnummer: Text = Field(..., description="ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN eller ÅÅMMDD+NNNN")
    first_name: Text
    last_name: Text
    gender: GenderCode = "O"
    street_address: Text = ""
    postal_code: Text = ""
    city: Text = ""
    phone: Text = ""
    email: Text = ""
    preferred_staff_gender: StaffGender = ""
    language: Text = "svenska"
    interpreter_needed: bool = False
    protected_identity: bool = False
    since: datetime.date | None = None
    team_ids: list[Id] = []
    fictitious: bool = False


class ClientPatch(PatchSchema):
    version: int
    first_name: Text | None = None
    last_name: Text | None = None
    gender: GenderCode | None = None
    street_address: Text | None = None
    postal_code: Text | None = None
    city: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    preferred_staff_gender: StaffGender | None = None
    language: Text | None = None
    interpreter_needed: bool | None = None
    protected_identity: bool | None = None
    is_active: bool | None = None


class ContactOut(Schema):
    id: int
    client_id: int
    kind: ContactKind
    name: str
    relation: str
    phone: str
    email: str
    is_active: bool
    is_legal_representative: bool


class ContactIn(InputSchema):
    kind: ContactKind
    name: Text
    relation: Text = ""
    phone: Text = ""
    email: Text = ""


ADDRESS_FIELDS = ("street_address", "postal_code", "city")
VISIBILITY_FIELDS = ("unit_ids", "team_ids")


def _client_out(user: Any, client: Client) -> dict[str, Any]:
    """The client as `user` may see it: a protected client's address only for the access group."""
    data = {field: getattr(client, field) for field in ClientOut.model_fields if field not in VISIBILITY_FIELDS}
    data["personnummer"] = client.personnummer_formatted
    if not selectors.can_see_protected_address(user, client):
        data.update(dict.fromkeys(ADDRESS_FIELDS))
    data["unit_ids"] = selectors.client_units_for(user, client)
    data["team_ids"] = sorted(client.teams.filter(unit_id__in=data["unit_ids"]).values_list("id", flat=True))
    return data


def _visible_client(user: Any, client_id: int) -> Client:
    """A client the user may see, without logging a read (for writes; the answer is logged separately)."""
    client = selectors.visible_clients(user).filter(pk=client_id).first()
    if client is None:
        raise Http404("Brukaren finns inte eller så saknar du behörighet.")
    return client


def _check_filter(user: Any, filters: ClientFilter) -> None:
    """Filtering on a unit or team the user cannot see is refused rather than answered with nothing."""
    unit_ids = require_any_unit(user, Perm.CLIENT_VIEW)
    if filters.unit_id is not None and filters.unit_id not in unit_ids:
        raise Http404("Enheten finns inte eller så saknar du behörighet.")
    if filters.team_id is not None and not Team.objects.filter(pk=filters.team_id, unit_id__in=unit_ids).exists():
        raise Http404("Arbetsgruppen finns inte eller så saknar du behörighet.")


@router.get("/clients", response={200: list[ClientListOut], **ERRORS}, summary="Sök brukare")
@paginate(Pagination)
def list_clients(request: HttpRequest, filters: Query[ClientFilter]) -> Any:
    user = actor(request)
    _check_filter(user, filters)
    return selectors.client_search(
        user,
        filters.q,
        unit_id=filters.unit_id,
        team_id=filters.team_id,
        include_inactive=filters.include_inactive,
    )


@router.post("/clients", response={201: ClientOut, **ERRORS}, summary="Registrera brukare")
def create_client(request: HttpRequest, payload: ClientIn) -> Any:
    user = actor(request)
    unit = existing(Unit, payload.unit_id, "unit_id", "Enheten finns inte.")
    teams = existing_teams(payload.team_ids)
    details = payload.model_dump(exclude={"unit_id", "team_ids"}, exclude_unset=True)
    client = services.client_create(actor=user, unit=unit, teams=teams, **details)
    return Status(201, _client_out(user, client))


@router.get("/clients/{client_id}", response={200: ClientOut, **ERRORS}, summary="En brukare (läsningen loggas)")
def get_client(request: HttpRequest, client_id: Id) -> Any:
    user = actor(request)
    client = selectors.client_get(user, client_id, action=AccessLogEntry.Action.API, detail="brukare via API")
    return _client_out(user, client)


@router.patch("/clients/{client_id}", response={200: ClientOut, **ERRORS}, summary="Rätta brukaruppgifter")
def update_client(request: HttpRequest, client_id: Id, payload: ClientPatch) -> Any:
    user = actor(request)
    client = services.client_update(
        actor=user,
        client=_visible_client(user, client_id),
        expected_version=payload.version,
        **payload.changes(exclude={"version"}),
    )
    services.access_log_record(actor=user, client=client, action=AccessLogEntry.Action.API, detail="ändring via API")
    return _client_out(user, client)


@router.get("/clients/{client_id}/contacts", response={200: list[ContactOut], **ERRORS}, summary="Kontakter")
def list_contacts(request: HttpRequest, client_id: Id) -> Any:
    user = actor(request)
    client = selectors.client_get(user, client_id, action=AccessLogEntry.Action.API, detail="kontakter via API")
    return client.contacts.all()


@router.post("/clients/{client_id}/contacts", response={201: ContactOut, **ERRORS}, summary="Lägg till kontakt")
def create_contact(request: HttpRequest, client_id: Id, payload: ContactIn) -> Any:
    user = actor(request)
    client = _visible_client(user, client_id)
    contact = services.client_contact_add(actor=user, client=client, **payload.model_dump())
    return Status(201, contact)
