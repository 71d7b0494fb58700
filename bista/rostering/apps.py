from django.apps import AppConfig


class RosteringConfig(AppConfig):
    name = "bista.rostering"
    label = "rostering"
    verbose_name = "Schemaläggning"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.rostering.actions import AuditAction

        # Connects the sign-in receiver that remembers the user's employee for the "Mitt schema" link.
        from bista.rostering.views import my_schedule  # noqa: F401

        AUDIT_ACTIONS.declare(AuditAction)
