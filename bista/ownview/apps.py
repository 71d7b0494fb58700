from django.apps import AppConfig


class OwnViewConfig(AppConfig):
    """The client's own view (Min sida): their plan, who comes this week, feedback and how to reach the unit,
    for the client or their representative signed in with a one-time code (or e-legitimation through the SSO
    seam). Never a Django user: see docs/adr/0014-own-view.md."""

    name = "bista.ownview"
    label = "ownview"
    verbose_name = "Min sida (brukarens egen vy)"

    def ready(self) -> None:
        from bista.clients.actions import ACCESS_ACTIONS
        from bista.core.actions import AUDIT_ACTIONS
        from bista.ownview.actions import AccessAction, AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
        ACCESS_ACTIONS.declare(AccessAction)
