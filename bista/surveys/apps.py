from django.apps import AppConfig


class SurveysConfig(AppConfig):
    """The client survey (brukarundersökning): question bank, surveys, anonymous answers, results."""

    name = "bista.surveys"
    label = "surveys"
    verbose_name = "Brukarundersökning"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS
        from bista.surveys.actions import AuditAction

        AUDIT_ACTIONS.declare(AuditAction)
