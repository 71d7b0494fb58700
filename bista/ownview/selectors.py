"""Reads of the own view. What the signed-in client or representative sees is only that client's: every
function takes the own-view sign-in (never a client id from the request), and every read of the client's data
appends an access-log row with no staff user and the sign-in named in its detail."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import Http404

from bista.care.models import ImplementationPlan
from bista.clients.models import Client, ClientContact
from bista.clients.selectors import can_see_protected_address, client_get
from bista.clients.services import access_log_record
from bista.core import clock
from bista.core.models import Unit
from bista.ownview import rules, services
from bista.ownview.actions import AccessAction
from bista.ownview.models import OwnViewContact, OwnViewSettings, OwnViewSignIn
from bista.rostering.models import Shift
from bista.timereports.selectors import provider_contact

SHOWN_STATUSES = (Shift.Status.PUBLISHED, Shift.Status.WORKED)


def log_read(signin: OwnViewSignIn, what: str) -> None:
    access_log_record(
        actor=None,
        client=signin.client,
        action=AccessAction.OWN_VIEW,
        unit=services.provider_unit(signin.client),
        detail=f"Min sida: {what} ({signin.who}, inloggning {signin.pk})",
    )


def signin_get(signin_id: int) -> OwnViewSignIn | None:
    """The open sign-in of a session, with its client and contact; None once signed out or turned off."""
    signin = (
        OwnViewSignIn.objects.select_related("client", "contact__representative")
        .filter(pk=signin_id, signed_out_at__isnull=True, client__is_active=True)
        .first()
    )
    if signin is None or not OwnViewSettings.objects.filter(client_id=signin.client_id, enabled=True).exists():
        return None
    if signin.contact_id is not None and not signin.contact.is_active:  # type: ignore[union-attr]
        return None
    return signin


@dataclass(frozen=True)
class Visit:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    who: str  # the name, only with the client's consent; "" otherwise
    decided: bool  # False: an open shift (nobody yet)


@dataclass(frozen=True)
class UnitContact:
    unit: Unit
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class Week:
    monday: datetime.date
    heading: str  # "Den här veckan", "Nästa vecka"
    days: list[tuple[datetime.date, list[Visit]]]


@dataclass(frozen=True)
class OwnView:
    client: Client
    plans: list[ImplementationPlan]
    weeks: list[Week]
    names_shown: bool
    contact: UnitContact | None


WEEK_HEADINGS = ("Den här veckan", "Nästa vecka")


def visits(client: Client, day: datetime.date, names: bool) -> list[Week]:
    """The client's published (and worked) shifts of the day's week and the next (rules.WEEKS_SHOWN), per day,
    Monday to Sunday, in one query. A name only with the client's consent (`names`)."""
    mondays = rules.weeks_from(day)
    first, end = mondays[0], mondays[-1] + datetime.timedelta(days=7)
    shifts = (
        Shift.objects.filter(
            client=client,
            status__in=SHOWN_STATUSES,
            starts_at__gte=clock.start_of_day(first),
            starts_at__lt=clock.start_of_day(end),
        )
        .select_related("employee")
        .order_by("starts_at", "pk")
    )
    by_day: dict[datetime.date, list[Visit]] = {
        first + datetime.timedelta(days=i): [] for i in range((end - first).days)
    }
    for shift in shifts:
        employee = shift.employee
        who = f"{employee.first_name} {employee.last_name}" if names and employee is not None else ""
        by_day[clock.local_date(shift.starts_at)].append(
            Visit(starts_at=shift.starts_at, ends_at=shift.ends_at, who=who, decided=employee is not None)
        )
    return [
        Week(
            monday=monday,
            heading=WEEK_HEADINGS[index] if index < len(WEEK_HEADINGS) else f"Vecka {monday.isocalendar().week}",
            days=[(monday + datetime.timedelta(days=i), by_day[monday + datetime.timedelta(days=i)]) for i in range(7)],
        )
        for index, monday in enumerate(mondays)
    ]


def unit_contact(unit: Unit | None) -> UnitContact | None:
    if unit is None:
        return None
    details = provider_contact(unit.pk)
    if details is None:
        return UnitContact(unit=unit, name="", phone="", email="")
    return UnitContact(unit=unit, name=details.contact_name, phone=details.contact_phone, email=details.contact_email)


def own_view(signin: OwnViewSignIn) -> OwnView:
    """The start page of the own view: the current plans (each with its easy-read summary first, if written),
    this week's and next week's visits, how to reach the unit. Logged."""
    client = signin.client
    names = services.settings_for(client).show_staff_names
    plans = list(
        ImplementationPlan.objects.filter(client=client, status=ImplementationPlan.Status.SIGNED)
        .select_related("order__service")
        .prefetch_related("activities")
        .order_by("signed_on", "pk")
    )
    today = clock.today()
    log_read(signin, "plan, besök den här och nästa vecka, kontakt")
    return OwnView(
        client=client,
        plans=plans,
        weeks=visits(client, today, names),
        names_shown=names,
        contact=unit_contact(services.provider_unit(client)),
    )


# --- Staff ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManagedContact:
    contact: OwnViewContact
    shown_address: str


@dataclass(frozen=True)
class Management:
    client: Client
    settings: OwnViewSettings
    contacts: list[ManagedContact]
    representatives: list[ClientContact]
    address_visible: bool


def management(actor: Any, client_pk: int) -> Management:
    """The client's own-view settings and contacts, for staff who may manage the client (the read is logged as
    a read of the client card). Addresses of a protected client are masked outside the protected group."""
    client = client_get(actor, client_pk, to_manage=True, detail="Min sida: inställningar")
    if client is None:  # pragma: no cover - client_get raises
        raise Http404
    visible = can_see_protected_address(actor, client)
    contacts = [
        ManagedContact(contact=c, shown_address=c.address if visible else rules.masked(c.address))
        for c in OwnViewContact.objects.filter(client=client, is_active=True).select_related("representative")
    ]
    representatives = list(ClientContact.objects.filter(client=client, is_active=True).order_by("kind", "name"))
    return Management(
        client=client,
        settings=services.settings_for(client),
        contacts=contacts,
        representatives=representatives,
        address_visible=visible,
    )
