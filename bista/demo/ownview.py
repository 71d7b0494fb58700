"""The own view (Min sida) in the demo: a handful of the first district's active provider clients may use it,
with an e-mail address on file for the code (the console e-mail backend prints it) and, for every other one,
consent to show staff names. Their current plans get an easy-read summary ("Lättläst sammanfattning"), written as
staff would: a new plan version, made through the plan's review, edited and signed on the day of the version it
replaces (written at the same meeting). `bista demo` prints the first one's personnummer and address (README.md)."""

from __future__ import annotations

from django.utils.formats import date_format

from bista.care import services as care
from bista.care.models import ImplementationPlan
from bista.clients.models import Client
from bista.core.access import SYSTEM
from bista.demo.generator import Context, step
from bista.ownview import services

OWN_VIEW_CLIENTS = 5
EASY_READ_ACTIVITIES = 3  # a summary names a few things, not the whole plan


def demo_address(number: int) -> str:
    return f"minsida{number}@example.se"


@step("ownview.contacts")
def own_view_contacts(ctx: Context) -> None:
    if ctx.district_index != 0:
        return
    chosen = [
        demo.client
        for demo in ctx.current.clients
        if demo.service and demo.until is None and demo.client.is_active and not demo.client.protected_identity
    ][:OWN_VIEW_CLIENTS]
    for number, client in enumerate(chosen, start=1):
        services.settings_update(
            actor=SYSTEM, client=client, enabled=True, show_staff_names=number % 2 == 1, expected_version=None
        )
        services.contact_add(actor=SYSTEM, client=client, address=demo_address(number))
        ctx.own_view.append((client.personnummer_formatted, demo_address(number)))
        _add_easy_read(client)


def easy_read(plan: ImplementationPlan) -> str:
    """A plain-language summary of the plan from its own content: short sentences, the client addressed as
    "du", a few of the activities, when the plan is looked at again."""
    lines = [
        f"Det här är din plan för {plan.order.service.name.lower()}.",
        "Du och personalen har skrivit planen tillsammans.",
        "Det här ska vi göra:",
    ]
    lines += [
        f"– {activity.goal.rstrip('.')}. {activity.when.rstrip('.')}."
        for activity in list(plan.activities.all())[:EASY_READ_ACTIVITIES]
    ]
    if plan.follow_up_on:
        lines.append(f"Vi pratar om planen igen i {date_format(plan.follow_up_on, 'F Y')}.")
    lines.append("Säg till om du vill ändra något.")
    return "\n".join(lines)


def _add_easy_read(client: Client) -> None:
    """Each current plan of the client without an ongoing review gets its summary in a new signed version."""
    current = ImplementationPlan.objects.filter(client=client, status=ImplementationPlan.Status.SIGNED)
    for plan in current.select_related("order__service").order_by("pk"):
        if not plan.order.is_open:
            continue  # an ended order's plan is history: it is not followed up
        if plan.order.plans.filter(status=ImplementationPlan.Status.DRAFT).exists():
            continue  # a follow-up is under way: the summary is written in it, not beside it
        draft = care.plan_start_review(actor=SYSTEM, plan=plan)
        draft = care.plan_update(actor=SYSTEM, plan=draft, expected_version=None, easy_read=easy_read(plan))
        care.plan_sign(actor=SYSTEM, plan=draft, expected_version=None, signed_on=plan.signed_on)
