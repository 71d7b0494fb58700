"""Writes of staff self-service and of the one-pass sick call: an employee reports themself sick (the same sick
call a manager registers), requests an open shift (approved by the manager, or assigned at once where the unit
allows it and the rules pass); a manager approves or declines a request, and offers an open shift to several
people by SMS or e-mail, where the first to accept through their one-time link gets it."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from bista.core import audit, clock, messaging
from bista.core.access import SYSTEM, check_perm
from bista.core.models import Unit
from bista.core.permissions import Perm
from bista.core.versioning import lock_for_edit
from bista.rostering import rules
from bista.rostering.models import RosterSetting, Shift, ShiftOffer, ShiftOfferRecipient, ShiftRequest
from bista.rostering.services.common import ShiftConflict, _error, _lock_employees, _person
from bista.rostering.services.shifts import _assign_locked, _free_shifts, check_taker, open_shift_assign
from bista.staff import services as staff_services
from bista.staff.models import Absence, Employee

OFFER_MAX_RECIPIENTS = 20
OFFER_SUBJECT = "Ledigt pass att ta"
# The sent offer carries each recipient's plain token here (by employee id), in memory only: the database keeps
# the hashes. For the caller that needs a link (the access probes' world); the messages carry them to people.
TOKENS_ATTR = "tokens"


def _own_employee(actor: Any) -> Employee:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Logga in först.")
    employee = Employee.objects.filter(user=actor).select_related("unit").first()
    if employee is None:
        raise PermissionDenied("Ditt konto är inte kopplat till någon medarbetare.")
    return employee


def _lock_shift(shift: Shift) -> Shift:
    return lock_for_edit(Shift, shift.pk, None, related=("employee", "client", "unit"), conflict=ShiftConflict)


def _still_open(shift: Shift) -> None:
    if shift.employee_id is not None:
        raise _error("shift", "Passet är redan tillsatt.", "assigned")
    if shift.status != Shift.Status.PUBLISHED:
        raise _error("shift", "Passet är inte längre ett öppet pass.", "not_open")
    if shift.starts_at <= clock.now():
        raise _error("shift", "Passet har redan börjat.", "started")


# --- Reporting oneself sick ------------------------------------------------------------------------------


@transaction.atomic
def sick_self_report(
    *, actor: Any, starts_on: datetime.date, back_on: datetime.date | None = None, note: str = ""
) -> tuple[Absence, list[Shift]]:
    """The signed-in employee reports themself sick: the sick leave is registered (staff's self-report) and
    their shifts in it are freed exactly as in a manager's sick call; the manager sees it as a new sick call."""
    employee = _own_employee(actor)
    _lock_employees(employee)
    absence = staff_services.sick_leave_self_report(actor=actor, starts_on=starts_on, back_on=back_on, note=note)
    return absence, _free_shifts(actor, employee, absence)


# --- Requests for open shifts ----------------------------------------------------------------------------


def auto_assigns(unit: Unit | int) -> bool:
    unit_id = unit if isinstance(unit, int) else unit.pk
    return RosterSetting.objects.filter(unit_id=unit_id, auto_assign_requests=True).exists()


@transaction.atomic
def roster_setting_update(*, actor: Any, unit: Unit, auto_assign_requests: bool) -> RosterSetting:
    check_perm(actor, Perm.ROSTER_MANAGE, unit)
    setting, _created = RosterSetting.objects.select_for_update().get_or_create(unit=unit)
    old = {"auto_assign_requests": setting.auto_assign_requests}
    setting.auto_assign_requests = bool(auto_assign_requests)
    setting.save()
    new = {"auto_assign_requests": setting.auto_assign_requests}
    if old != new:
        audit.record(actor=actor, action="roster_setting.update", obj=setting, old=old, new=new, unit=unit)
    return setting


@transaction.atomic
def shift_request_create(*, actor: Any, shift: Shift) -> ShiftRequest:
    """The signed-in employee asks for an open shift of their own unit. Refused when the shift is no longer
    open or the working-time rules would not let them take it. Where the unit assigns requests at once, the
    shift is theirs when this returns (the request approved)."""
    employee = _own_employee(actor)
    if shift.unit_id != employee.unit_id:
        raise PermissionDenied("Passet hör inte till din enhet.")
    _lock_employees(employee)
    locked = _lock_shift(shift)
    _still_open(locked)
    check_taker(locked, employee)
    if ShiftRequest.objects.filter(shift=locked, employee=employee, status=ShiftRequest.Status.PENDING).exists():
        raise _error("shift", "Du har redan begärt passet.", "duplicate")
    request = ShiftRequest(shift=locked, employee=employee)
    audit.save_new(
        request, actor=actor, action="shift_request.create", fields=("shift", "employee", "status"), unit=locked.unit
    )
    if auto_assigns(locked.unit_id):
        _assign_locked(actor, locked, employee)
        request.refresh_from_db()
        audit.record(
            actor=actor,
            action="shift_request.approve",
            obj=request,
            old={"status": ShiftRequest.Status.PENDING},
            new={"status": request.status, "automatic": True},
            unit=locked.unit,
        )
    return request


def _lock_request(request: ShiftRequest) -> ShiftRequest:
    locked = ShiftRequest.objects.select_for_update(of=("self",)).select_related("shift", "employee").get(pk=request.pk)
    if locked.status != ShiftRequest.Status.PENDING:
        raise _error("__all__", f"Begäran är redan hanterad ({locked.get_status_display().lower()}).", "decided")
    return locked


@transaction.atomic
def shift_request_approve(*, actor: Any, request: ShiftRequest) -> Shift:
    """Approve a pending request: the shift is assigned to the employee (the rules checked again now)."""
    check_perm(actor, Perm.ROSTER_MANAGE, request.shift.unit_id)
    locked = _lock_request(request)
    shift = open_shift_assign(actor=actor, shift=locked.shift, employee=locked.employee, version=None)
    audit.record(
        actor=actor,
        action="shift_request.approve",
        obj=locked,
        old={"status": ShiftRequest.Status.PENDING},
        new={"status": ShiftRequest.Status.APPROVED},
        unit=shift.unit,
    )
    return shift


@transaction.atomic
def shift_request_decline(*, actor: Any, request: ShiftRequest) -> ShiftRequest:
    check_perm(actor, Perm.ROSTER_MANAGE, request.shift.unit_id)
    locked = _lock_request(request)
    locked.status = ShiftRequest.Status.DECLINED
    locked.decided_by = _person(actor)
    locked.decided_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="shift_request.decline",
        obj=locked,
        old={"status": ShiftRequest.Status.PENDING},
        new={"status": locked.status},
        unit=locked.shift.unit,
    )
    return locked


# --- Offers to several by SMS or e-mail ------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offer_text(shift: Shift, url: str) -> str:
    """The message: when, how long and which unit; never the client (an SMS is read on a lock screen)."""
    return (
        f"Bistå: {shift.unit.name} söker någon till ett pass {rules.format_span(shift.starts_at, shift.ends_at)} "
        f"({rules.explain_duration(shift.duration)}). Vill du ta det? Den som först tackar ja får passet: {url}"
    )


@transaction.atomic
def shift_offer_send(*, actor: Any, shift: Shift, employees: list[Employee]) -> ShiftOffer:
    """Offer the open shift to the employees (of its unit, each allowed by the rules to take it): each gets a
    one-time link by SMS (a plausible mobile number) or else e-mail. Sent when the transaction commits."""
    check_perm(actor, Perm.ROSTER_MANAGE, shift.unit_id)
    chosen = {e.pk: e for e in employees}
    if not chosen:
        raise _error("employees", "Välj minst en medarbetare att erbjuda passet.", "required")
    if len(chosen) > OFFER_MAX_RECIPIENTS:
        raise _error("employees", f"Erbjud passet till högst {OFFER_MAX_RECIPIENTS} åt gången.", "too_many")
    if any(e.unit_id != shift.unit_id for e in chosen.values()):
        raise _error("employees", "Medarbetaren hör inte till passets enhet.", "other_unit")
    _lock_employees(*chosen.values())
    locked = _lock_shift(shift)
    _still_open(locked)
    unreachable: list[str] = []
    refused: list[str] = []
    reachable: list[tuple[Employee, str, str]] = []
    for employee in sorted(chosen.values(), key=lambda e: (e.last_name, e.first_name, e.pk)):
        try:
            check_taker(locked, employee)
        except ValidationError:
            refused.append(employee.full_name)
            continue
        if messaging.plausible_phone(employee.phone):
            reachable.append((employee, ShiftOfferRecipient.Channel.SMS, employee.phone.strip()))
        elif employee.email:
            reachable.append((employee, ShiftOfferRecipient.Channel.EMAIL, employee.email))
        else:
            unreachable.append(employee.full_name)
    if refused:
        raise _error(
            "employees", f"Arbetstidsreglerna tillåter inte att {', '.join(refused)} tar passet.", "rule_violation"
        )
    if unreachable:
        raise _error(
            "employees", f"Saknar mobilnummer och e-post: {', '.join(unreachable)}. Ring i stället.", "unreachable"
        )
    offer = ShiftOffer.objects.create(shift=locked, sent_by=_person(actor))
    outbox: list[tuple[str, str, str]] = []
    tokens: dict[int, str] = {}
    for employee, channel, address in reachable:
        token = tokens[employee.pk] = secrets.token_urlsafe(24)
        ShiftOfferRecipient.objects.create(
            offer=offer, employee=employee, channel=channel, token_hash=token_hash(token)
        )
        url = messaging.public_url(reverse("rostering:offer", args=[token]))
        outbox.append((channel, address, offer_text(locked, url)))
    audit.record(
        actor=actor,
        action="shift_offer.send",
        obj=offer,
        new={"shift": locked.pk, "recipients": [[e.pk, channel] for e, channel, _a in reachable]},
        unit=locked.unit,
    )

    def send() -> None:
        for channel, address, text in outbox:
            if channel == ShiftOfferRecipient.Channel.SMS:
                messaging.send_sms(address, text)
            else:
                messaging.send_email(address, OFFER_SUBJECT, text)

    transaction.on_commit(send)
    setattr(offer, TOKENS_ATTR, tokens)
    return offer


def offer_tokens(offer: ShiftOffer) -> dict[int, str]:
    """The plain tokens of an offer just sent, by employee id (empty for an offer read from the database)."""
    return dict(getattr(offer, TOKENS_ATTR, {}))


def offer_recipient(token: str) -> ShiftOfferRecipient | None:
    """The recipient a link's token belongs to (None for an unknown token); for the page that shows the offer."""
    return (
        ShiftOfferRecipient.objects.select_related("offer__shift__unit", "employee")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def shift_offer_accept(*, token: str) -> ShiftOfferRecipient:
    """Someone who got an offer accepts through their link. The first acceptance gets the shift (if the rules
    still allow it); a later one is told it is taken. A link works once: using it again is refused."""
    recipient = (
        ShiftOfferRecipient.objects.select_for_update(of=("self",))
        .select_related("offer", "employee")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if recipient is None:
        raise _error("token", "Länken är ogiltig.", "invalid")
    if recipient.answered_at is not None:
        raise _error("token", "Länken är redan använd.", "used")
    employee = recipient.employee
    actor = employee.user if employee.user_id else SYSTEM
    _lock_employees(employee)
    shift = _lock_shift(recipient.offer.shift)
    recipient.answered_at = clock.now()
    try:
        _still_open(shift)
    except ValidationError:
        recipient.outcome = ShiftOfferRecipient.Outcome.TOO_LATE
    else:
        try:
            with transaction.atomic():
                _assign_locked(actor, shift, employee)
        except ValidationError:
            recipient.outcome = ShiftOfferRecipient.Outcome.REFUSED
        else:
            recipient.outcome = ShiftOfferRecipient.Outcome.ACCEPTED
    recipient.save()
    audit.record(
        actor=actor,
        action="shift_offer.answer",
        obj=recipient,
        new={"shift": shift.pk, "employee": employee.pk, "outcome": recipient.outcome},
        unit=shift.unit,
    )
    return recipient
