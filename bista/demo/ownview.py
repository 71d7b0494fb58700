"""The own view (Min sida) in the demo: a handful of the first district's active provider clients may use it,
with an e-mail address on file for the code (the console e-mail backend prints it) and, for every other one,
consent to show staff names. `bista demo` prints the first one's personnummer and address (README.md)."""

from __future__ import annotations

from bista.core.access import SYSTEM
from bista.demo.generator import Context, step
from bista.ownview import services

OWN_VIEW_CLIENTS = 5


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
