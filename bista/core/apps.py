from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bista.core"
    label = "core"
    verbose_name = "Organisation och behörigheter"

    def ready(self) -> None:
        from bista.core.actions import AUDIT_ACTIONS, AuditAction

        AUDIT_ACTIONS.declare(AuditAction)

        from django.contrib.auth.signals import user_logged_in

        from bista.core.middleware import stamp_session_refresh

        user_logged_in.connect(stamp_session_refresh, dispatch_uid="bista.core.stamp_session_refresh")
