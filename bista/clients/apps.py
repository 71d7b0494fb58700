from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "bista.clients"
    label = "clients"
    verbose_name = "Brukare"

    def ready(self) -> None:
        from bista.clients import pickers  # noqa: F401  (registers the clients picker)
        from bista.clients.actions import ACCESS_ACTIONS, AccessAction, AuditAction
        from bista.core.actions import AUDIT_ACTIONS

        AUDIT_ACTIONS.declare(AuditAction)
        ACCESS_ACTIONS.declare(AccessAction)
