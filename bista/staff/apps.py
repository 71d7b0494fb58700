from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "bista.staff"
    label = "staff"
    verbose_name = "Personal"

    def ready(self) -> None:
        from bista.core.access import register_team_source
        from bista.core.actions import AUDIT_ACTIONS
        from bista.staff import (
            duties,  # noqa: F401  (registers the staff duty sources)
            pickers,  # noqa: F401  (registers the staff picker)
        )
        from bista.staff.actions import AuditAction
        from bista.staff.selectors import employee_team_ids

        AUDIT_ACTIONS.declare(AuditAction)
        register_team_source(employee_team_ids)
