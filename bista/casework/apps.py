from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """The purchaser side: intake, investigation, decision, order to the provider (beställarenheten)."""

    name = "bista.casework"
    label = "casework"
    verbose_name = "Myndighetsutövning"

    def ready(self) -> None:
        from bista.casework import duties  # noqa: F401  (registers the casework duty sources)
        from bista.casework.actions import AccessAction, AuditAction
        from bista.clients.actions import ACCESS_ACTIONS
        from bista.core.actions import AUDIT_ACTIONS

        AUDIT_ACTIONS.declare(AuditAction)
        ACCESS_ACTIONS.declare(AccessAction)
